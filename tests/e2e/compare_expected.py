#!/usr/bin/env python3
"""Compares an lzscan JSON report with a fixture's expected.json.

usage: compare_expected.py REPORT.json EXPECTED.json

A finding is (ruleId, lower-cased resourceId, status) for every fail and
unknown result. Prints each missing and unexpected finding; exits 1 on any.
Also checks that every fail carries evidence and a fingerprint.
"""
import json
import sys


def key(f):
    return (f["ruleId"], f["resourceId"].lower(), f["status"])


def main():
    report = json.load(open(sys.argv[1]))
    expected = json.load(open(sys.argv[2]))
    got = {key(f) for f in report["findings"] if f["status"] in ("fail", "unknown")}
    want = {key(f) for f in expected["findings"]}
    ok = True
    for k in sorted(want - got):
        print("missing:    %s %s %s" % k)
        ok = False
    for k in sorted(got - want):
        print("unexpected: %s %s %s" % k)
        ok = False
    for f in report["findings"]:
        if f["status"] == "fail" and not f.get("evidence"):
            print("fail without evidence: %s %s" % (f["ruleId"], f["resourceId"]))
            ok = False
        if len(f.get("fingerprint", "")) != 64:
            print("bad fingerprint: %s %s" % (f["ruleId"], f["resourceId"]))
            ok = False
    print("%d expected, %d found" % (len(want), len(got)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
