#!/usr/bin/env python3
"""Core dumps of a live collection (driven by live_secrets.sh).

usage: live_secrets_core.py LZSCAN WORKDIR REQUESTS_NDJSON OUTDIR

Runs `lzscan collect` against a fake ARM server whose Resource Graph answers slowly, with the core
size limit raised as far as it goes (`ulimit -c unlimited`), and kills it mid-run (once it holds a
token) with SIGABRT, then SIGSEGV. Checks that no core was dumped: the kernel's WCOREDUMP bit of
the wait status is clear, no file named core* appeared, and /proc showed the process's core limit
at 0 while it ran (and, when not root, its /proc/PID/status owned by root: PR_SET_DUMPABLE 0).

A control process (sleep) killed the same way shows whether this machine writes cores at all
(/proc/sys/kernel/core_pattern); if it does not, WCOREDUMP could not fail and the test says so.
Under AddressSanitizer lzscan skips PR_SET_DUMPABLE (LeakSanitizer needs ptrace) and ASan's own
SIGSEGV handler runs first, so the core checks are skipped with a message.

Everything the runs left behind (stdout, stderr, WORKDIR: snapshots, temporary files) is copied
flat into OUTDIR for live_secrets.sh's secret grep.
"""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

LZSCAN, WORK, REQUESTS, OUT = sys.argv[1:5]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def raise_core_limit():
    """`ulimit -c unlimited`, or as far as the hard limit allows."""
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def asan_build(path):
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


def core_files(root):
    found = []
    for d, _, files in os.walk(root):
        found += [os.path.join(d, f) for f in files if f.startswith("core")]
    return found


def tokens_issued():
    """How many token requests the fake server has answered (a run holds a credential after one)."""
    try:
        with open(REQUESTS) as f:
            rows = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        return 0
    return sum(1 for r in rows if r.get("api") == "token" and r.get("status") == 200)


def core_limit(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max core file size"):
                return line.split()[4]
    return None


def status_owner(pid):
    """Who owns /proc/PID/status: the process's user, or root once it is not dumpable."""
    return os.stat("/proc/%d/status" % pid).st_uid


def control():
    """Does this machine dump a core for a process that allows it, and can a non-dumpable process be
    told apart in /proc (not when we are root: then root owns both)?"""
    d = os.path.join(WORK, "control")
    os.makedirs(d)
    p = subprocess.Popen(["sleep", "30"], cwd=d, preexec_fn=raise_core_limit)
    time.sleep(0.2)
    observable = os.getuid() != 0 and status_owner(p.pid) == os.getuid()
    os.kill(p.pid, signal.SIGABRT)
    _, status = os.waitpid(p.pid, 0)
    p.returncode = 0  # reaped here with the core bit; keep Popen from waiting again
    dumped = os.WCOREDUMP(status)
    shutil.rmtree(d)
    return dumped, observable


def run(sig, asan, observable):
    name = signal.Signals(sig).name.lower()
    d = os.path.join(WORK, name)
    os.makedirs(os.path.join(d, "tmp"))
    env = dict(os.environ, TMPDIR=os.path.join(d, "tmp"))
    before = tokens_issued()
    with open(os.path.join(OUT, "core-%s.stdout" % name), "wb") as so, \
            open(os.path.join(OUT, "core-%s.stderr" % name), "wb") as se:
        p = subprocess.Popen([LZSCAN, "collect", "--out", os.path.join(d, "snapshot.ndjson"), "--verbose"],
                             cwd=d, env=env, stdout=so, stderr=se, preexec_fn=raise_core_limit)
        deadline = time.time() + 15
        while tokens_issued() == before and time.time() < deadline and p.poll() is None:
            time.sleep(0.02)
        time.sleep(0.3)  # into the slow Resource Graph call
        if p.poll() is not None:
            fail("%s: lzscan exited (%s) before it could be killed mid-run" % (name, p.returncode))
            return
        if tokens_issued() == before:
            fail("%s: lzscan never obtained a token" % name)
        limit = core_limit(p.pid)
        if limit != "0":
            fail("%s: lzscan ran with a core size limit of %s, not 0" % (name, limit))
        if not asan and observable and status_owner(p.pid) != 0:
            fail("%s: lzscan is dumpable (its /proc/PID/status is not root's)" % name)
        os.kill(p.pid, sig)
        _, status = os.waitpid(p.pid, 0)
        p.returncode = 0  # reaped here with the core bit
    if asan:
        how = ("killed by " + signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status)
               else "exit %d from ASan's handler" % os.WEXITSTATUS(status))
        print("%s: AddressSanitizer build: core dump checks skipped (ASan handles SIGSEGV itself and lzscan "
              "keeps ptrace for LeakSanitizer); %s" % (name, how))
    elif not os.WIFSIGNALED(status):
        fail("%s: lzscan was not killed by the signal (status %#x)" % (name, status))
    else:
        if os.WTERMSIG(status) != sig:
            fail("%s: killed by signal %d instead" % (name, os.WTERMSIG(status)))
        if os.WCOREDUMP(status):
            fail("%s: the kernel dumped lzscan's core" % name)
        else:
            print("%s: killed mid-run, no core dumped" % name)
    cores = core_files(d)
    if cores:
        fail("%s: core files appeared: %s" % (name, ", ".join(cores)))
    # Whatever the run left behind goes to the secret grep.
    for base, _, files in os.walk(d):
        for f in files:
            rel = os.path.relpath(os.path.join(base, f), d).replace(os.sep, "_")
            shutil.copyfile(os.path.join(base, f), os.path.join(OUT, "core-%s-left-%s" % (name, rel)))


def main():
    with open("/proc/sys/kernel/core_pattern") as f:
        pattern = f.read().strip()
    asan = asan_build(LZSCAN)
    dumps, observable = control()
    print("core_pattern %r; a process allowed to dump %s" % (pattern, "does" if dumps else "does not"))
    if not dumps and not asan:
        print("note: this machine writes no core for a killed process, so WCOREDUMP cannot fail here; "
              "the core size limit lzscan runs with is still checked")
    if not observable:
        print("note: PR_SET_DUMPABLE cannot be seen in /proc here (running as root, root owns every entry)")
    for sig in (signal.SIGABRT, signal.SIGSEGV):
        run(sig, asan, observable)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
