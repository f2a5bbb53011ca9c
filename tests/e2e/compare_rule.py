#!/usr/bin/env python3
"""Compares one rule's results in an lzscan JSON report with a per-rule
fixture's expected.json (tests/rules/ID/SCENARIO/expected.json).

usage: compare_rule.py REPORT.json EXPECTED.json

Only the findings of expected["rule"] are compared (every rule runs on the
fixture). Checks: the rule's fail/unknown findings equal expected findings
(ids compared case-insensitively); its per-status counts equal
expected["counts"] (so the compliant cases really passed and the traps were
really notApplicable, not silently skipped); every fail carries evidence;
every unknown carries its reason. Prints each difference; exits 1 on any.
"""
import json
import sys


def main():
    report = json.load(open(sys.argv[1]))
    expected = json.load(open(sys.argv[2]))
    rule = expected["rule"]
    got = {(f["resourceId"].lower(), f["status"]) for f in report["findings"]
           if f["ruleId"] == rule and f["status"] in ("fail", "unknown")}
    want = {(f["resourceId"].lower(), f["status"]) for f in expected["findings"]}
    ok = True
    for k in sorted(want - got):
        print("missing:    %s %s %s" % (rule, k[1], k[0]))
        ok = False
    for k in sorted(got - want):
        print("unexpected: %s %s %s" % (rule, k[1], k[0]))
        ok = False
    counts = next((r["counts"] for r in report["rules"] if r["id"] == rule), None)
    if counts is None:
        print("rule %s is not in the report" % rule)
        return 1
    for status, n in expected["counts"].items():
        if counts.get(status, 0) != n:
            print("%s: %d %s results, expected %d" % (rule, counts.get(status, 0), status, n))
            ok = False
    for f in report["findings"]:
        if f["ruleId"] != rule:
            continue
        if f["status"] == "fail" and not f.get("evidence"):
            print("fail without evidence: %s" % f["resourceId"])
            ok = False
        if f["status"] == "unknown" and not f.get("message"):
            print("unknown without a reason: %s" % f["resourceId"])
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
