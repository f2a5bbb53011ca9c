#!/bin/sh
# `lzscan merge` of SARIF logs beyond shards of one category:
#   - runs of different categories stay separate runs of one log (valid against the OASIS schema);
#   - reports and logs of scans of disjoint scopes (one snapshot per group of subscriptions, scanned
#     separately) join into one, with a note that each part inferred its own topology;
#   - the 25,000-results cap: joined runs keep the most severe 25,000 as the scanner does (failures,
#     then unknown, then exempt; critical first; report order) and count everything left out, the
#     parts' own truncation included, in the scanner's lzscan/results-truncated notification.
. "$(dirname "$0")/e2e.inc"

PYTHONHASHSEED=0 python3 "$FIX/synth/generate.py" --out "$TMP/tenant" --resources 2000 --subscriptions 9 \
    --page-size 500 >/dev/null

# Categories: shard 1 of 2 under another category is a run of its own (and its shard set is then
# incomplete, so --allow-missing).
run 1 "$LZSCAN" scan --input "$TMP/tenant" --shard 1/2 --sarif "$TMP/c1.sarif"
run 1 "$LZSCAN" scan --input "$TMP/tenant" --shard 2/2 --sarif "$TMP/c2.sarif" --category lzscan/other/
run 3 "$LZSCAN" merge --allow-missing --out "$TMP/cats.sarif" "$TMP/c1.sarif" "$TMP/c2.sarif"
python3 - "$LZ_SOURCE_DIR/tests/schemas/sarif-schema-2.1.0.json" "$TMP/cats.sarif" "$E2E" <<'PY' ||
import json, sys
sys.path.insert(0, sys.argv[3])
import jsonschema
import validate_sarif
schema, log = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
v = jsonschema.Draft4Validator(schema, format_checker=validate_sarif.format_checker())
errors = list(v.iter_errors(log))
assert not errors, errors[0].message
cats = [r["automationDetails"]["id"] for r in log["runs"]]
assert len(cats) == 2 and cats[1] == "lzscan/other/" and cats[0] != cats[1], cats
problems = []
for i, run in enumerate(log["runs"]):
    validate_sarif.check_github("run %d" % i, {"runs": [run]}, problems)
assert not problems, problems
PY
    fail "the log of two categories is not two valid runs"

# Disjoint scopes: three snapshots of three subscriptions each, scanned separately.
mkdir "$TMP/parts"
python3 "$E2E/merge_shards.py" "$TMP/tenant" "$TMP/parts" 3
for k in 0 1 2; do
    run 1 "$LZSCAN" scan --input "$TMP/parts/shard-$k.ndjson" --json "$TMP/p$k.json" \
        --sarif "$TMP/p$k.sarif" --category lzscan/tenant/
done
run 1 "$LZSCAN" merge --out "$TMP/parts.json" "$TMP/p0.json" "$TMP/p1.json" "$TMP/p2.json"
run 1 "$LZSCAN" merge --out "$TMP/parts.sarif" "$TMP/p0.sarif" "$TMP/p1.sarif" "$TMP/p2.sarif"
python3 - "$TMP/parts.json" "$TMP/parts.sarif" "$TMP/p0.json" "$TMP/p1.json" "$TMP/p2.json" <<'PY' ||
import json, sys
m, s, parts = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), [json.load(open(p)) for p in sys.argv[3:]]
assert any("scanned separately" in n for n in m["scan"]["notes"]), m["scan"]["notes"]
assert m["summary"]["results"] == sum(p["summary"]["results"] for p in parts)
assert m["summary"]["resources"] == sum(p["summary"]["resources"] for p in parts)
fps = [f["fingerprint"] for f in m["findings"]]
assert len(fps) == len(set(fps)) == len(set().union(*({f["fingerprint"] for f in p["findings"]} for p in parts)))
assert sorted(m["scan"]["inputs"]) == sorted(p["scan"]["inputs"][0] for p in parts)
assert [x["file"][-7:] for x in m["scan"]["mergedFrom"]] == ["p0.json", "p1.json", "p2.json"]
assert "shard" not in m["scan"]["mergedFrom"][0]
for r in m["rules"]:
    for st in ("fail", "unknown", "exempt"):
        assert r["counts"][st] == sum(f["ruleId"] == r["id"] and f["status"] == st for f in m["findings"]), r
runs = s["runs"]
assert len(runs) == 1 and len(runs[0]["properties"]["mergedFrom"]) == 3, len(runs)
notes = runs[0]["invocations"][0]["toolExecutionNotifications"]
assert any(n["descriptor"]["id"] == "lzscan/merge" for n in notes), notes
PY
    fail "the reports of disjoint scopes were not joined as documented"
python3 "$E2E/validate_schema.py" "$LZ_SOURCE_DIR/output/schema/report.schema.json" "$TMP/parts.json" ||
    fail "the joined report does not validate"
python3 "$E2E/validate_sarif.py" "$LZ_SOURCE_DIR/tests/schemas/sarif-schema-2.1.0.json" "$TMP/parts.sarif" ||
    fail "the joined SARIF log does not validate"

# The cap: two shard logs of 14,000 and 13,000 results, the second itself truncated (2,000 left
# out), join into 25,000 results and 4,000 left out.
run 1 "$LZSCAN" scan --input "$TMP/tenant" --shard 2/2 --sarif "$TMP/c2.sarif"
python3 - "$TMP/c1.sarif" "$TMP/c2.sarif" "$TMP/big" <<'PY'
import copy, hashlib, json, random, sys
random.seed(8)
STATUS = ["fail"] * 6 + ["unknown", "exempt"]
for part, (src, n, left) in enumerate([(sys.argv[1], 14000, 0), (sys.argv[2], 13000, 2000)]):
    log = json.load(open(src))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    template = run["results"][0]
    results = []
    for i in range(n):
        idx = random.randrange(len(rules))
        rule, sev = rules[idx]["id"], rules[idx]["properties"]["severity"]
        status = random.choice(STATUS)
        rid = "/subscriptions/%08d-0000-4000-8000-000000000000/resourceGroups/rg/providers/x.y/z/r%d-%06d" % (i % 7, part, i)
        r = copy.deepcopy(template)
        r.pop("suppressions", None)
        r.update(ruleId=rule, ruleIndex=idx, kind="open" if status == "unknown" else "fail",
                 level="none" if status == "unknown" else rules[idx]["defaultConfiguration"]["level"])
        r["partialFingerprints"]["primaryLocationLineHash"] = hashlib.sha256(("%s|%s" % (rule, rid.lower())).encode()).hexdigest()
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = rid[1:].lower()
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] = rid
        r["properties"].update(severity=sev, status=status, resourceId=rid)
        if status == "exempt":
            r["suppressions"] = [{"kind": "external", "status": "accepted", "justification": "test"}]
        results.append(r)
    run["results"] = results
    notes = run["invocations"][0]["toolExecutionNotifications"]
    notes[:] = [x for x in notes if x["descriptor"]["id"] != "lzscan/results-truncated"]
    if left:
        notes.insert(0, {"level": "warning", "descriptor": {"id": "lzscan/results-truncated"},
                         "message": {"text": "%d results were left out" % left}, "properties": {"leftOut": left}})
    json.dump(log, open("%s%d.sarif" % (sys.argv[3], part + 1), "w"))
PY
run 1 "$LZSCAN" merge --out "$TMP/big.sarif" "$TMP/big2.sarif" "$TMP/big1.sarif"
python3 - "$TMP/big1.sarif" "$TMP/big2.sarif" "$TMP/big.sarif" <<'PY' || fail "the cap was not applied as the scanner applies it"
import json, sys
RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}
ST = {"pass": 0, "fail": 1, "unknown": 2, "notApplicable": 3, "exempt": 4}
KEEP = {"fail": 0, "unknown": 1, "exempt": 2}
def report_key(r):
    p = r["properties"]
    return (-RANK[p["severity"]], r["ruleId"], p["resourceId"].lower(), ST[p["status"]])
given = sorted(json.load(open(sys.argv[1]))["runs"][0]["results"] + json.load(open(sys.argv[2]))["runs"][0]["results"],
               key=report_key)
order = {id(r): i for i, r in enumerate(given)}
keep = sorted(given, key=lambda r: (KEEP[r["properties"]["status"]], -RANK[r["properties"]["severity"]], order[id(r)]))[:25000]
want = [r["partialFingerprints"]["primaryLocationLineHash"] for r in sorted(keep, key=lambda r: order[id(r)])]
run = json.load(open(sys.argv[3]))["runs"][0]
got = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
assert len(got) == 25000 and got == want, "kept %d, %d differ" % (len(got), sum(a != b for a, b in zip(got, want)))
trunc = [n for n in run["invocations"][0]["toolExecutionNotifications"] if n["descriptor"]["id"] == "lzscan/results-truncated"]
assert len(trunc) == 1 and trunc[0]["properties"]["leftOut"] == 4000, trunc
assert trunc[0]["message"]["text"].startswith("4000 results were left out of this SARIF log (GitHub accepts at most 25000"), trunc
assert run["invocations"][0]["toolExecutionNotifications"][0] is not None
PY
# GitHub's checks on every result; the OASIS schema (slow in Python: 40 s for 25,000 results) on a
# log of the first 500, which are written the same way.
python3 - "$TMP/big.sarif" "$TMP/big500.sarif" "$E2E" <<'PY' || fail "the capped log is not what GitHub takes"
import json, sys
sys.path.insert(0, sys.argv[3])
import validate_sarif
log, problems = json.load(open(sys.argv[1])), []
validate_sarif.check_github(sys.argv[1], log, problems)
assert not problems, problems[:5]
log["runs"][0]["results"] = log["runs"][0]["results"][:500]
json.dump(log, open(sys.argv[2], "w"))
PY
python3 "$E2E/validate_sarif.py" "$LZ_SOURCE_DIR/tests/schemas/sarif-schema-2.1.0.json" "$TMP/big500.sarif" ||
    fail "the capped log does not validate"
echo ok
