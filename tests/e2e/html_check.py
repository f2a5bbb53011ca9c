# Checks an evidence bundle's report.html (tests/e2e/evidence_html.sh): well-formed,
# self-contained, no injected markup, and its numbers equal report.json's.
import json, sys
from html.parser import HTMLParser
VOID = {"meta", "input", "br", "hr", "img", "link", "rect"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.cur, self.text, self.scripts, self.errors = [], {}, None, {}, [], []
        self.values = {}
        self.fig = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            if k.startswith("on") or (k in ("src", "href") and v and not v.startswith("#")):
                self.errors.append("external/handler attribute %s=%s" % (k, v))
        if tag in ("script",) and "src" in a: self.errors.append("script src")
        if tag == "figure": self.fig = a.get("id")
        if tag == "g" and self.fig: self.values.setdefault(self.fig, []).append(int(a["data-value"]))
        if tag not in VOID: self.stack.append((tag, a.get("id")))
    def handle_startendtag(self, tag, attrs):
        if tag == "g": self.handle_starttag(tag, attrs); self.stack.pop()
    def handle_endtag(self, tag):
        if tag in VOID: return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" % (tag, self.stack[-3:]))
            return
        self.stack.pop()
    def handle_data(self, d):
        for tag, i in reversed(self.stack):
            if i: self.text[i] = self.text.get(i, "") + d; break
p = P()
html = open(sys.argv[1] + "/report.html", encoding="utf-8").read()
p.feed(html); p.close()
assert not p.errors, p.errors
assert not p.stack, p.stack
rep = json.load(open(sys.argv[1] + "/report.json"))
bs = rep["summary"]["byStatus"]
for k, v in bs.items():
    assert int(p.text["count-" + k]) == v, (k, p.text.get("count-" + k), v)
assert int(p.text["count-findings"]) == len(rep["findings"])
sev = rep["summary"]["failBySeverity"]
assert p.values["chart-severity"] == [sev[s] for s in ("critical", "high", "medium", "low")], p.values
subs = {}
for f in rep["findings"]:
    if f["status"] == "fail":
        s = f["resourceId"].split("/")[2].lower()
        subs[s] = subs.get(s, 0) + 1
assert sorted(p.values.get("chart-subscription", [])) == sorted(subs.values()), (p.values, subs)
data = json.loads(p.text["lzscan-data"])
assert data["byStatus"] == bs
for bad in ("<link", "@import", "url(", "<iframe", "<object"):
    assert bad not in html, bad
assert html.count("<script") == 2, html.count("<script")
assert "<img" not in html and "</script><" not in html.split("<script")[1].split("</script>")[0]
print("html ok")
