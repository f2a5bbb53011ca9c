#!/usr/bin/env python3
"""merge_compare.py report|sarif WHOLE MERGED: checks that `lzscan merge` of the shards of a scan
gave the single run's output.

report: every member equal, except scan.startedAt and scan.finishedAt (the shards ran at other
        times) and scan.mergedFrom (the record of the parts), which must list shards 1..N.
sarif:  the same runs; per run the tool, category, column kind, results (the same list, in the
        same order; compared as multisets first for a readable message), the invocation but for
        its times, and the properties but for mergedFrom.
Prints the first difference and exits 1 if there is one."""
import json
import sys


def first_diff(a, b, path="$"):
    if type(a) is not type(b):
        return "%s: %r vs %r" % (path, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s: only in %s" % (path, k, "whole" if k in a else "merged")
            d = first_diff(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items vs %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (path, a, b)


def check_parts(parts, n_key):
    shards = [p["shard"]["index"] for p in parts]
    assert shards == list(range(1, len(parts) + 1)), "mergedFrom shards %r" % shards
    assert all(p["shard"]["count"] == len(parts) for p in parts), parts
    assert all(p[n_key] >= 0 for p in parts), parts


def report(whole, merged):
    w, m = json.load(open(whole)), json.load(open(merged))
    parts = m["scan"].pop("mergedFrom")
    check_parts(parts, "findings")
    for k in ("startedAt", "finishedAt"):
        w["scan"].pop(k)
        m["scan"].pop(k)
    assert sum(p["findings"] for p in parts) == len(w["findings"]), "the parts' findings do not add up"
    return first_diff(w, m)


def sarif(whole, merged):
    w, m = json.load(open(whole)), json.load(open(merged))
    if len(w["runs"]) != len(m["runs"]):
        return "runs: %d vs %d" % (len(w["runs"]), len(m["runs"]))
    for rw, rm in zip(w["runs"], m["runs"]):
        key = lambda r: r["partialFingerprints"]["primaryLocationLineHash"]
        fw = sorted(json.dumps(r, sort_keys=True) for r in rw["results"])
        fm = sorted(json.dumps(r, sort_keys=True) for r in rm["results"])
        if fw != fm:
            only_w = set(map(key, rw["results"])) - set(map(key, rm["results"]))
            return "results differ as sets (%d vs %d; %d only in the whole run)" % (len(fw), len(fm), len(only_w))
        check_parts(rm["properties"].pop("mergedFrom"), "results")
        for inv in (rw["invocations"][0], rm["invocations"][0]):
            inv.pop("startTimeUtc", None)
            inv.pop("endTimeUtc", None)
        d = first_diff(rw, rm, "$.runs[]")
        if d:
            return d
    return first_diff(w, m)


def main():
    kind, whole, merged = sys.argv[1:4]
    d = (report if kind == "report" else sarif)(whole, merged)
    if d:
        print("merged %s differs from the single run: %s" % (kind, d[:1500]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
