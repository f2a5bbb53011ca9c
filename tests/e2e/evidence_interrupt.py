#!/usr/bin/env python3
"""SIGINT, SIGTERM and SIGHUP during `lzscan evidence --out DIR` (driven by
evidence_interrupt.sh): the bundle is built in DIR.tmp-XXXXXX and renamed to
DIR last, so whenever the signal lands DIR is absent or a whole bundle that
`lzscan verify` accepts, no DIR.tmp-* is left, and the --previous bundle the
run reads is untouched. An existing DIR is refused before the scan starts.

    evidence_interrupt.py INPUT PREVIOUS_BUNDLE

The signal is sent as soon as DIR.tmp-* appears (the bundle being written),
or 50 ms later.
"""
import glob
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time

LZSCAN = os.environ["LZSCAN"]
scan_time = float("inf")  # the shortest time from start to DIR.tmp-* appearing: scan and rendering


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def tree_digest(root):
    """Every path, mode and byte under root."""
    h = hashlib.sha256()
    for d, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files) + dirs:
            p = os.path.join(d, name)
            st = os.lstat(p)
            h.update(f"{os.path.relpath(p, root)}\0{st.st_mode}\0".encode())
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


def run_and_signal(inp, prev, out, sig, delay):
    cmd = [LZSCAN, "evidence", "--input", inp, "--out", out, "--previous", prev, "--quiet"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sent = False
    start = time.monotonic()
    deadline = start + 120
    global scan_time
    while p.poll() is None:
        if not sent and glob.glob(glob.escape(out) + ".tmp-*"):
            scan_time = min(scan_time, time.monotonic() - start)
            if delay:
                time.sleep(delay)
            p.send_signal(sig)
            sent = True
        if time.monotonic() > deadline:
            p.kill()
            fail(f"{sig.name}: the run did not end in 120 s")
        time.sleep(0.002)
    err = p.stderr.read().decode("utf-8", "replace")
    return p.returncode, sent, err


def main():
    inp, prev = sys.argv[1], sys.argv[2]
    before = tree_digest(prev)
    interrupted = 0
    with tempfile.TemporaryDirectory() as root:
        for sig, delay in ((signal.SIGINT, 0), (signal.SIGTERM, 0.05), (signal.SIGHUP, 0)):
            out = os.path.join(root, f"bundle-{sig.name}-{int(delay * 1000)}")
            rc, sent, err = run_and_signal(inp, prev, out, sig, delay)
            left = glob.glob(glob.escape(out) + ".tmp-*")
            if left:
                fail(f"{sig.name} +{delay}s: temporary bundle directories left behind: {left}")
            if tree_digest(prev) != before:
                fail(f"{sig.name} +{delay}s: the --previous bundle changed")
            if rc == -sig:
                outcome = "died of it"
                interrupted += 1
            elif rc == 0:
                outcome = "finished first"  # the signal came after the rename: DIR must be whole
            else:
                fail(f"{sig.name} +{delay}s: exit status {rc} (signal sent: {sent}); stderr:\n{err}")
            if os.path.exists(out):
                v = subprocess.run([LZSCAN, "verify", out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                if v.returncode != 0:
                    fail(f"{sig.name} +{delay}s: {out} exists but does not verify:\n{v.stdout.decode()}")
                state = "a whole bundle (verifies)"
            else:
                state = "absent"
            print(f"  {sig.name} +{delay * 1000:.0f} ms: {outcome}; DIR {state}; no DIR.tmp-* left")
        if not interrupted:
            fail("no run was interrupted while writing its bundle: the test proved nothing")

        # An existing DIR (last quarter's bundle) is refused before the scan, and left as it was.
        t0 = time.monotonic()
        r = subprocess.run([LZSCAN, "evidence", "--input", inp, "--out", prev], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        took = time.monotonic() - t0
        if r.returncode != 2 or b"already exists" not in r.stderr:
            fail(f"--out of an existing bundle: exit {r.returncode}, {r.stderr.decode()!r}")
        if took > scan_time / 2:
            fail(f"--out of an existing bundle: refused after {took:.2f} s, not before the scan "
                 f"({scan_time:.2f} s)")
        if tree_digest(prev) != before or glob.glob(glob.escape(prev) + ".tmp-*"):
            fail("--out of an existing bundle changed it or left a temporary directory")
        print(f"  --out of an existing bundle: refused in {took:.2f} s (a scan takes {scan_time:.2f} s); "
              "bundle intact")


if __name__ == "__main__":
    main()
