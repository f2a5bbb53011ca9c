#!/usr/bin/env python3
"""SIGINT and SIGTERM during `lzscan scan --output FILE` (driven by
atomic_signal.sh): FILE must afterwards hold either its previous content or
a complete new report, never a torn one, and no temporary file may be left
next to it.

The run reads a generated 200,000-object export. Signals are sent at several
points of the run, and once as soon as the temporary output file appears
(the write itself), for each signal.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

LZSCAN = os.environ["LZSCAN"]
SRC = os.environ["LZ_SOURCE_DIR"]
COUNT = int(os.environ.get("LZ_ATOMIC_OBJECTS", "200000"))


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def scan_cmd(inp, out):
    return [LZSCAN, "scan", "--input", inp, "--format", "json", "--output", out, "--quiet"]


def summary(data):
    """The parts of a report that do not depend on the clock."""
    r = json.loads(data.decode("utf-8"))  # strict: must be valid UTF-8 and JSON
    return r["summary"], len(r["findings"])


class Trial:
    def __init__(self, tmp, prev, new_summary):
        self.dir = os.path.join(tmp, "out")
        self.file = os.path.join(self.dir, "report.json")
        self.prev = prev
        self.new_summary = new_summary
        self.outcomes = []

    def reset(self):
        with open(self.file, "wb") as f:
            f.write(self.prev)

    def check(self, label):
        with open(self.file, "rb") as f:
            data = f.read()
        if data == self.prev:
            outcome = "previous"
        else:
            try:
                got = summary(data)
            except (ValueError, KeyError) as e:
                fail(f"{label}: {self.file} is neither the previous report nor a complete new one ({e}; "
                     f"{len(data)} bytes)")
            if got != self.new_summary:
                fail(f"{label}: {self.file} is a different report than a complete run gives")
            outcome = "new"
        left = sorted(n for n in os.listdir(self.dir) if n != "report.json")
        if left:
            fail(f"{label}: temporary files left behind: {left}")
        return outcome

    def run(self, big, sig, delay=None):
        """delay: seconds after start; None: as soon as the temporary file appears."""
        self.reset()
        p = subprocess.Popen(scan_cmd(big, self.file), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        start = time.monotonic()
        sent = False
        while p.poll() is None and not sent:
            if delay is not None:
                if time.monotonic() - start >= delay:
                    p.send_signal(sig)
                    sent = True
                else:
                    time.sleep(0.01)
            elif any(n.startswith(".report.json.") for n in os.listdir(self.dir)):
                p.send_signal(sig)  # the report is being written right now
                sent = True
        try:
            _, err = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            fail(f"lzscan did not stop within 120 s of {sig.name}")
        when = f"{delay:.2f}s" if delay is not None else "during the write"
        label = f"{sig.name} at {when}"
        if p.returncode not in (-sig, 0, 1, 3):
            fail(f"{label}: unexpected exit status {p.returncode}: {err.decode(errors='replace')[:500]}")
        outcome = self.check(label)
        killed = p.returncode == -sig
        self.outcomes.append((label, killed, outcome))
        print(f"  {label:28} {'killed' if killed else 'finished':9} file: {outcome}")


def main():
    tmp = tempfile.mkdtemp(prefix="lz_atomic_sig_")
    try:
        big = os.path.join(tmp, "big")
        subprocess.run([sys.executable, os.path.join(SRC, "tests/e2e/gen_large.py"), big, str(COUNT)], check=True)
        os.makedirs(os.path.join(tmp, "out"))
        out = os.path.join(tmp, "out", "report.json")

        # The previous content: a report of the small demo landing zone.
        p = subprocess.run(scan_cmd(os.path.join(SRC, "fixtures/contoso-drifted"), out), capture_output=True)
        if p.returncode not in (0, 1, 3):
            fail(f"the small scan failed: {p.stderr.decode(errors='replace')}")
        prev = open(out, "rb").read()

        # A complete run, for the new report and the run time.
        t0 = time.monotonic()
        p = subprocess.run(scan_cmd(big, out), capture_output=True)
        took = time.monotonic() - t0
        if p.returncode not in (0, 1, 3):
            fail(f"the large scan failed: {p.stderr.decode(errors='replace')}")
        new_summary = summary(open(out, "rb").read())
        print(f"  complete run: {COUNT} objects in {took:.1f}s, {new_summary[1]} findings")

        t = Trial(tmp, prev, new_summary)
        # Mid-run (reading and evaluating), then during the write itself.
        for sig, frac in ((signal.SIGINT, 0.3), (signal.SIGTERM, 0.7)):
            t.run(big, sig, took * frac)
            t.run(big, sig, None)
        if not any(killed for _, killed, _ in t.outcomes):
            fail("no run was interrupted: the signals all came too late to test anything")
    finally:
        subprocess.run(["rm", "-rf", tmp])
    print("ok")


if __name__ == "__main__":
    main()
