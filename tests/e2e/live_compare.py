#!/usr/bin/env python3
"""live_compare.py A.json B.json [--except-subscription ID [--gap-unknown]]: exit 0 when two lzscan
JSON reports hold the same findings (ruleId, lower-cased resourceId, status), and the same
fail/unknown counts per rule.

--except-subscription ID leaves out the findings in that subscription; --ignore-rule ID (repeatable)
leaves out a rule. --strict also requires every field of every finding (message, evidence, names,
fingerprint, ...) and the summary to be equal. With --gap-unknown, a
finding of B may differ from A's only by being `unknown` because of a coverage gap (a rule whose
join reaches into the subscription that could not be read): never a result that disappeared or
turned pass/fail."""
import json
import sys


def findings(path, skip, ignore):
    rep = json.load(open(path))
    out = {}
    for f in rep["findings"]:
        rid = f["resourceId"].lower()
        if f["ruleId"] in ignore:
            continue
        if skip and rid.startswith("/subscriptions/" + skip):
            continue
        out[(f["ruleId"], rid, f["status"])] = f
    return rep, out


def main():
    args = sys.argv[1:]
    skip = None
    gap_unknown = "--gap-unknown" in args
    if gap_unknown:
        args.remove("--gap-unknown")
    strict = "--strict" in args
    if strict:
        args.remove("--strict")
    ignore = set()
    while "--ignore-rule" in args:
        i = args.index("--ignore-rule")
        ignore.add(args[i + 1])
        del args[i:i + 2]
    if "--except-subscription" in args:
        i = args.index("--except-subscription")
        skip = args[i + 1].lower()
        del args[i:i + 2]
    ra, a = findings(args[0], skip, ignore)
    rb, b = findings(args[1], skip, ignore)
    ok = True
    b_keys = {(r, i): (s, f) for (r, i, s), f in b.items()}
    for x in sorted(set(a) - set(b)):
        got = b_keys.get(x[:2])
        if gap_unknown and got and got[0] == "unknown" and "coverage gap" in got[1]["message"]:
            continue
        print("only in %s: %s" % (args[0], x), file=sys.stderr)
        ok = False
    for x in sorted(set(b) - set(a)):
        if gap_unknown and x[2] == "unknown" and "coverage gap" in b[x]["message"]:
            continue
        print("only in %s: %s" % (args[1], x), file=sys.stderr)
        ok = False
    if not skip:
        ca = {r["id"]: (r["counts"]["fail"], r["counts"]["unknown"]) for r in ra["rules"]}
        cb = {r["id"]: (r["counts"]["fail"], r["counts"]["unknown"]) for r in rb["rules"]}
        if ca != cb:
            print("per-rule fail/unknown counts differ: %s vs %s" % (ca, cb), file=sys.stderr)
            ok = False
    if strict:
        for x in sorted(set(a) & set(b)):
            if a[x] != b[x]:
                print("finding %s differs:\n  %s\n  %s" % (x, json.dumps(a[x], sort_keys=True),
                                                         json.dumps(b[x], sort_keys=True)), file=sys.stderr)
                ok = False
        if ra["summary"] != rb["summary"]:
            print("summaries differ: %s vs %s" % (ra["summary"], rb["summary"]), file=sys.stderr)
            ok = False
    if not a and not skip:
        print("no findings at all: the comparison proves nothing", file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
