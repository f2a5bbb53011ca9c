# Evidence bundles (docs/evidence.md): `lzscan evidence` on both contoso
# fixtures, `lzscan verify` accepting them and rejecting every kind of
# tampering (a changed byte in each kind of file, an added or removed file,
# a replaced signature), determinism under LZSCAN_NOW, findings.csv read by
# python's csv module with formula cells neutralised, and controls.csv
# totals equal to report.json's per-rule counts.
. "$(dirname "$0")/e2e.inc"
command -v openssl >/dev/null || { echo "SKIP: no openssl CLI"; exit 77; }
export LZSCAN_NOW=2026-10-01T00:00:00Z
C="$FIX/contoso-compliant"
D="$FIX/contoso-drifted"

# A CA, a signer it issued and an unrelated self-signed certificate.
K="$TMP/keys"
mkdir "$K"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/ca.key" -out "$K/ca.pem" -days 30 -subj "/CN=lzscan test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$K/signer.key" -out "$K/signer.csr" -subj "/CN=lzscan evidence signer" 2>/dev/null
openssl x509 -req -in "$K/signer.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" -CAcreateserial -out "$K/signer.pem" -days 30 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$K/other.key" -out "$K/other.pem" -days 30 -subj "/CN=mallory" 2>/dev/null

# An exemption for the first failing finding of the drifted fixture.
set +e
"$LZSCAN" scan --input "$D" --json "$TMP/d.json" 2>/dev/null
set -e
python3 - "$TMP/d.json" "$TMP/ex.yaml" <<'PY'
import json, sys
f = [x for x in json.load(open(sys.argv[1]))["findings"] if x["status"] == "fail"][0]
open(sys.argv[2], "w").write("""exemptions:
  - rules: [%s]
    selector:
      resourceId: "%s"
    justification: "=HYPERLINK(\\"http://evil\\") compensating control"
    owner: "jane.doe@contoso.com"
    ticket: "SEC-1234"
    expires: 2026-12-31
""" % (f["ruleId"], f["resourceId"]))
PY

# Both fixtures: a bundle, accepted by verify with and without the CA.
for fx in "$C" "$D"; do
    b="$TMP/$(basename "$fx")"
    run 0 "$LZSCAN" evidence --input "$fx" --out "$b" --exemptions "$TMP/ex.yaml" --sign "$K/signer.key" --cert "$K/signer.pem"
    for f in manifest.json report.json report.sarif findings.csv controls.csv exemptions.yaml SHA256SUMS SHA256SUMS.p7s; do
        [ -s "$b/$f" ] || fail "$b lacks $f"
    done
    ls "$b"/rules/*.yaml >/dev/null || fail "$b lacks the rule pack"
    run 0 "$LZSCAN" verify "$b" --ca "$K/ca.pem"
    contains "$TMP/out" "chains to the given CA"
    run 0 "$LZSCAN" verify "$b"
    contains "$TMP/out" "NOT chain-verified"
    (cd "$b" && sha256sum --quiet -c SHA256SUMS) || fail "sha256sum -c rejects $b"
    openssl cms -verify -binary -inform DER -in "$b/SHA256SUMS.p7s" -content "$b/SHA256SUMS" \
        -CAfile "$K/ca.pem" -purpose any >/dev/null 2>&1 || fail "openssl cms -verify rejects $b"
done
B="$TMP/contoso-drifted"

# The bundle never replaces an existing directory; no temporary is left.
run 2 "$LZSCAN" evidence --input "$D" --out "$B"
contains "$TMP/err" "already exists"
ls -d "$TMP"/*.tmp-* 2>/dev/null && fail "a temporary bundle directory was left behind"
run 2 "$LZSCAN" evidence --input "$D"
run 2 "$LZSCAN" evidence --input "$D" --out "$TMP/x" --sign "$K/signer.key"
run 2 "$LZSCAN" verify
run 2 "$LZSCAN" verify "$TMP/nonexistent"

# Determinism: a second run is byte-identical, manifest included (LZSCAN_NOW).
run 0 "$LZSCAN" evidence --input "$D" --out "$TMP/again" --exemptions "$TMP/ex.yaml" --sign "$K/signer.key" --cert "$K/signer.pem"
for f in $(cd "$B" && find . -type f ! -name SHA256SUMS.p7s | sort); do
    cmp -s "$B/$f" "$TMP/again/$f" || fail "$f differs between two identical runs"
done

# Tampering: one changed byte in each kind of file is reported by name.
tamper() { # tamper FILE: copy the bundle, flip one byte of FILE, expect exit 1 naming it
    rm -rf "$TMP/t"
    cp -r "$B" "$TMP/t"
    python3 - "$TMP/t/$1" <<'PY'
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
i = len(d) // 2
d[i] ^= 0x01
open(p, "wb").write(bytes(d))
PY
    run 1 "$LZSCAN" verify "$TMP/t" --ca "$K/ca.pem"
    contains "$TMP/out" "$2"
}
rule=$(cd "$B" && ls rules | head -1)
for f in manifest.json report.json report.sarif findings.csv controls.csv exemptions.yaml "rules/$rule"; do
    tamper "$f" "$f: MODIFIED"
done
tamper SHA256SUMS "SHA256SUMS"
tamper SHA256SUMS.p7s "SHA256SUMS.p7s"
# Unsigned, a change to SHA256SUMS names the file whose hash no longer matches.
rm -rf "$TMP/t" && cp -r "$B" "$TMP/t" && rm "$TMP/t/SHA256SUMS.p7s"
run 0 "$LZSCAN" verify "$TMP/t"
contains "$TMP/out" "not signed"
run 1 "$LZSCAN" verify "$TMP/t" --ca "$K/ca.pem"
# Flip the hash's first digit to another one (0 <-> 1), so it always changes.
sed -i 's/^0\(.*  report.json\)$/x\1/;s/^[^x]\(.*  report.json\)$/0\1/;s/^x/1/' "$TMP/t/SHA256SUMS"
run 1 "$LZSCAN" verify "$TMP/t"
contains "$TMP/out" "report.json: MODIFIED"
# Added and removed files.
rm -rf "$TMP/t" && cp -r "$B" "$TMP/t" && echo extra >"$TMP/t/rules/extra.yaml"
run 1 "$LZSCAN" verify "$TMP/t"
contains "$TMP/out" "rules/extra.yaml: not listed"
rm -rf "$TMP/t" && cp -r "$B" "$TMP/t" && rm "$TMP/t/controls.csv"
run 1 "$LZSCAN" verify "$TMP/t"
contains "$TMP/out" "controls.csv: missing"
# A signature by another key: valid on its own, but not from the CA.
rm -rf "$TMP/t" && cp -r "$B" "$TMP/t"
openssl cms -sign -binary -outform DER -in "$B/SHA256SUMS" -signer "$K/other.pem" -inkey "$K/other.key" \
    -out "$TMP/t/SHA256SUMS.p7s" 2>/dev/null
run 1 "$LZSCAN" verify "$TMP/t" --ca "$K/ca.pem"
contains "$TMP/out" "SHA256SUMS.p7s"
# ... and a signature over other content fails even without --ca.
cp "$TMP/contoso-compliant/SHA256SUMS.p7s" "$TMP/t/"
run 1 "$LZSCAN" verify "$TMP/t"
contains "$TMP/out" "SHA256SUMS.p7s"

# findings.csv: python's csv reads it; formula cells are neutralised.
mkdir "$TMP/evil"
for f in "$D"/*; do
    sed 's/ais-contoso-aihub/=1+2-ais/g' "$f" >"$TMP/evil/$(basename "$f")"
done
sed 's/ais-contoso-aihub/=1+2-ais/g' "$TMP/ex.yaml" >"$TMP/ex-evil.yaml"
run 0 "$LZSCAN" evidence --input "$TMP/evil" --out "$TMP/evb" --exemptions "$TMP/ex-evil.yaml"
python3 - "$TMP/evb" <<'PY' || fail "findings.csv"
import csv, json, sys
b = sys.argv[1]
rep = json.load(open(b + "/report.json"))
rows = list(csv.DictReader(open(b + "/findings.csv", newline="", encoding="utf-8")))
assert len(rows) == len(rep["findings"]), (len(rows), len(rep["findings"]))
for row, f in zip(rows, rep["findings"]):
    assert row["ruleId"] == f["ruleId"] and row["status"] == f["status"] and row["fingerprint"] == f["fingerprint"]
    for k, v in row.items():
        assert not v or v[0] not in "=+-@\t\r", (k, v)
names = [r["resourceName"] for r in rows if "1+2-ais" in r["resourceName"]]
assert names and all(n.startswith("'=1+2-ais") for n in names), names
ex = [r for r in rows if r["status"] == "exempt"]
assert len(ex) == 1 and ex[0]["exemptionJustification"].startswith("'=HYPERLINK("), ex
assert ex[0]["exemptionTicket"] == "SEC-1234" and ex[0]["exemptionExpires"] == "2026-12-31"
assert any("\n" in r["evidence"] for r in rows), "multi-line evidence cells"
PY

# controls.csv: per framework and control, the "all" row holds the sum of
# the counts of the rules mapped to it; scoped rows sum from the findings.
for b in "$TMP/contoso-compliant" "$B"; do
    python3 - "$b" <<'PY' || fail "controls.csv totals in $b"
import csv, json, sys
from collections import defaultdict
b = sys.argv[1]
rep = json.load(open(b + "/report.json"))
rows = list(csv.DictReader(open(b + "/controls.csv", newline="")))
st = ["pass", "fail", "unknown", "exempt", "notApplicable"]
want = defaultdict(lambda: dict({s: 0 for s in st}, rules=0))
for r in rep["rules"]:
    for fw, ctls in r["controls"].items():
        for c in ctls:
            w = want[(fw, c)]
            w["rules"] += 1
            for s in st:
                w[s] += r["counts"][s]
got = {(r["framework"], r["control"]): r for r in rows if r["scopeType"] == "all"}
assert set(got) == set(want), set(got) ^ set(want)
for k, w in want.items():
    for s in st + ["rules"]:
        assert int(got[k][s]) == w[s], (k, s, got[k][s], w[s])
# Per subscription, fail+unknown+exempt equal the findings of that subscription.
sub = defaultdict(int)
for f in rep["findings"]:
    r = [x for x in rep["rules"] if x["id"] == f["ruleId"]][0]
    for fw, ctls in r["controls"].items():
        for c in ctls:
            sub[(fw, c, f["resourceId"].split("/")[2].lower())] += 1
gs = {(r["framework"], r["control"], r["scope"]): sum(int(r[s]) for s in ("fail", "unknown", "exempt"))
      for r in rows if r["scopeType"] == "subscription"}
assert gs == dict(sub), (gs, dict(sub))
# Total over the "all" rows of one framework = sum of per-rule counts x controls per rule.
for fw in ("mcsb", "cis", "landingZone"):
    tot = sum(int(r["fail"]) for r in rows if r["framework"] == fw and r["scopeType"] == "all")
    assert tot == sum(r["counts"]["fail"] * len(r["controls"][fw]) for r in rep["rules"]), fw
PY
done

# The manifest: every file's sha256, the rule pack, the collection time, no secret.
python3 - "$B" <<'PY' || fail "manifest.json"
import hashlib, json, os, sys
b = sys.argv[1]
m = json.load(open(b + "/manifest.json"))
assert m["collectedAt"] == "2026-10-01T00:00:00Z", m["collectedAt"]
assert m["rulePack"]["sha256"] == json.load(open(b + "/report.json"))["rulePack"]["sha256"]
names = {f["name"] for f in m["files"]}
for f in m["files"]:
    assert hashlib.sha256(open(os.path.join(b, f["name"]), "rb").read()).hexdigest() == f["sha256"], f
want = set()
for root, _, files in os.walk(b):
    for n in files:
        want.add(os.path.relpath(os.path.join(root, n), b))
assert names == want - {"manifest.json", "SHA256SUMS", "SHA256SUMS.p7s"}, names ^ want
assert m["exemptions"]["applied"] and m["exemptions"]["entries"] == 1
lines = open(b + "/SHA256SUMS").read().splitlines()
assert [l[66:] for l in lines] == sorted(l[66:] for l in lines)
PY
exit 0
