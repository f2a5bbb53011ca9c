# SIGINT / SIGTERM during `lzscan scan --output FILE` on a large generated
# input leave FILE as it was or complete, and no temporary file behind
# (common/atomic.h). The work is in atomic_signal.py.
. "$(dirname "$0")/e2e.inc"
python3 "$E2E/atomic_signal.py"
