#!/usr/bin/env python3
"""SIGINT and SIGTERM during `lzscan collect --out FILE` (driven by
collect_interrupt.sh against the fake ARM server, whose ARM calls or scope
query are scripted to take 20 s).

    collect_interrupt.py after-scope STATE OFFLINE_REPORT
        the signal comes once Resource Graph has answered the `resources`
        query, while child-list calls hang: the run must stop within a few
        seconds (in-flight calls cancelled, not awaited), write the partial
        snapshot atomically with "complete": false and "interrupted", die of
        the signal, and a scan of the snapshot must exit 3 with coverage
        INCOMPLETE and no rule passing more than on the whole data. A second
        signal kills at once and leaves the previous file.
    collect_interrupt.py before-scope STATE
        the signal comes while the scope query hangs: nothing is written.

Every case: FILE is the previous content or a whole snapshot, and no
temporary file is left in FILE's directory or in TMPDIR.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

LZSCAN = os.environ["LZSCAN"]
TENANT = "7a1b0c2d-0000-4000-8000-000000000001"
PREVIOUS = b'{"lzscan": "snapshot-manifest", "formatVersion": 1, "complete": true, "previous": true}\n'
PROMPT_S = 5.0  # the scripted calls take 20 s: stopping sooner proves they were cancelled


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def requests(state):
    try:
        with open(os.path.join(state, "requests.ndjson")) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


class Case:
    def __init__(self, root, name):
        self.name = name
        self.dir = os.path.join(root, name)
        self.tmpdir = os.path.join(self.dir, "tmp")
        self.out = os.path.join(self.dir, "snap.ndjson")
        os.makedirs(self.tmpdir)
        with open(self.out, "wb") as f:
            f.write(PREVIOUS)

    def start(self):
        env = dict(os.environ, TMPDIR=self.tmpdir)
        cmd = [LZSCAN, "collect", "--management-group", TENANT, "--out", self.out]
        self.p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def signal(self, *sigs, gap=0.0):
        self.sent_at = time.monotonic()
        for i, s in enumerate(sigs):
            if i and gap:
                time.sleep(gap)
            self.p.send_signal(s)

    def finish(self):
        try:
            _, err = self.p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            fail(f"{self.name}: still running 60 s after the signal")
        self.took = time.monotonic() - self.sent_at
        self.err = err.decode("utf-8", "replace")
        return self.p.returncode

    def expect_death(self, sig):
        rc = self.finish()
        if rc != -sig:
            fail(f"{self.name}: exit status {rc}, expected death by {sig.name} (a shell shows {128 + sig}); "
                 f"stderr:\n{self.err}")
        if self.took > PROMPT_S:
            fail(f"{self.name}: took {self.took:.1f} s after the signal: calls in flight were awaited")

    def no_temporaries(self):
        left = sorted(n for n in os.listdir(self.dir) if n not in ("snap.ndjson", "tmp"))
        left += sorted(os.listdir(self.tmpdir))
        if left:
            fail(f"{self.name}: temporary files left behind: {left}")

    def content(self):
        with open(self.out, "rb") as f:
            return f.read()

    def snapshot(self):
        """The manifest of FILE, which must be a whole snapshot: every line JSON, objects counted."""
        if self.content() == PREVIOUS:
            fail(f"{self.name}: {self.out} is still the previous file: what was read was not written")
        lines = self.content().decode("utf-8").split("\n")
        if lines[-1] != "":
            fail(f"{self.name}: the snapshot does not end with a newline (torn)")
        try:
            rows = [json.loads(line) for line in lines[:-1]]
        except ValueError as e:
            fail(f"{self.name}: a snapshot line is not JSON (torn): {e}")
        m = rows[0]
        if m.get("lzscan") != "snapshot-manifest" or m.get("objects") != len(rows) - 1:
            fail(f"{self.name}: manifest/objects mismatch: {m.get('objects')} vs {len(rows) - 1} lines")
        return m

    def partial(self, sig, said=True):
        """FILE is a partial snapshot, marked so, cut short by sig (and stderr said so)."""
        m = self.snapshot()
        if m.get("complete") is not False:
            fail(f"{self.name}: the partial snapshot does not say \"complete\": false: {m.get('complete')}")
        intr = m.get("interrupted") or {}
        if intr.get("signal") != sig.name or not intr.get("at"):
            fail(f"{self.name}: \"interrupted\" does not name {sig.name} and a time: {intr}")
        if not any(g["scope"] == "/subscriptions/" and f"interrupted by {sig.name}" in g["reason"]
                   for g in m["gaps"]):
            fail(f"{self.name}: no gap covers what was not read: {m['gaps'][:3]}")
        want = f"interrupted by {sig.name}: wrote the partial snapshot {self.out}"
        if said and want not in self.err:
            fail(f"{self.name}: stderr does not say what happened ({want!r}):\n{self.err}")
        return m


def wait_for(pred, what, p, limit=30.0):
    t0 = time.monotonic()
    while not pred():
        if p.poll() is not None:
            fail(f"lzscan exited ({p.returncode}) before {what}")
        if time.monotonic() - t0 > limit:
            p.kill()
            fail(f"{what} did not happen in {limit:.0f} s")
        time.sleep(0.02)


def after_scope(root, state, offline_path):
    with open(offline_path) as f:
        offline = {r["id"]: r["counts"] for r in json.load(f)["rules"]}

    def started(case):
        """Starts the run and returns once Resource Graph answered the `resources` query."""
        seen = len(requests(state))
        case.start()
        wait_for(lambda: any(r["api"] == "arg" and "resourcecontainers" not in r.get("body", "")
                             for r in requests(state)[seen:]), "the resources query", case.p)
        time.sleep(0.3)  # child-list calls are in flight (and hang) now

    for sig in (signal.SIGINT, signal.SIGTERM):
        c = Case(root, sig.name)
        started(c)
        c.signal(sig)
        c.expect_death(sig)
        c.no_temporaries()
        m = c.partial(sig)
        report = os.path.join(c.dir, "report.json")
        r = subprocess.run([LZSCAN, "scan", "--input", c.out, "--format", "json", "--output", report],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 3:
            fail(f"{c.name}: scan --input of the partial snapshot exited {r.returncode}, expected 3 "
                 f"(coverage gaps):\n{r.stderr.decode()}")
        with open(report) as f:
            rep = json.load(f)
        cov = rep["scan"]["coverage"]
        if cov["complete"] is not False or not any(f"interrupted by {sig.name}" in g["reason"]
                                                   for g in cov["gaps"]):
            fail(f"{c.name}: the report's coverage does not say the collection was interrupted: {cov}")
        for rule in rep["rules"]:
            got, full = rule["counts"], offline.get(rule["id"])
            if full and got["pass"] > full["pass"]:
                fail(f"{c.name}: {rule['id']} passes {got['pass']} times on partial data, "
                     f"{full['pass']} on the whole")
            if got["unknown"] < 1:
                fail(f"{c.name}: {rule['id']} reports no unknown result on a partial snapshot: {got}")
        text = subprocess.run([LZSCAN, "scan", "--input", c.out, "--no-color"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout.decode()
        if "INCOMPLETE" not in text:
            fail(f"{c.name}: the text report does not say coverage INCOMPLETE")
        print(f"  {sig.name}: died of it {c.took:.2f} s after; partial snapshot with {m['objects']} objects, "
              f"{len(m['gaps'])} gap(s); scan exits 3, coverage INCOMPLETE")

    # A second signal while the first is handled kills at once: the previous file stays.
    c = Case(root, "INT-then-TERM")
    started(c)
    c.signal(signal.SIGINT, signal.SIGTERM)
    c.expect_death(signal.SIGTERM)
    c.no_temporaries()
    if c.content() != PREVIOUS:
        fail(f"{c.name}: the previous snapshot was replaced although the second signal killed the run")
    print(f"  SIGINT + SIGTERM: died of SIGTERM {c.took:.2f} s after; previous file intact")

    # Two quick SIGINTs: the second may land before or after the partial is committed.
    c = Case(root, "INT-INT")
    started(c)
    c.signal(signal.SIGINT, signal.SIGINT, gap=0.01)
    c.expect_death(signal.SIGINT)
    c.no_temporaries()
    outcome = "previous file intact" if c.content() == PREVIOUS else "partial snapshot"
    if outcome != "previous file intact":
        c.partial(signal.SIGINT, said=False)  # the second may kill before the line is printed
    print(f"  SIGINT twice: died of SIGINT; {outcome}")


def before_scope(root, state):
    c = Case(root, "before-scope")
    c.start()
    wait_for(lambda: any(r["api"] == "token" for r in requests(state)), "the token request", c.p)
    time.sleep(0.5)  # the scope query hangs now
    c.signal(signal.SIGINT)
    c.expect_death(signal.SIGINT)
    c.no_temporaries()
    if c.content() != PREVIOUS:
        fail(f"{c.name}: the previous snapshot was replaced before anything was collected")
    if "interrupted by SIGINT before the scope was read" not in c.err:
        fail(f"{c.name}: stderr does not say what happened:\n{c.err}")
    print(f"  SIGINT during the scope query: died of it {c.took:.2f} s after; previous file intact")


def main():
    mode, state = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as root:
        if mode == "after-scope":
            after_scope(root, state, sys.argv[3])
        else:
            before_scope(root, state)


if __name__ == "__main__":
    main()
