#!/usr/bin/env python3
"""Checks that a rendered report is safe whatever the input held.

    output_safety.py FORMAT FILE [--expect TEXT ...]

FORMAT is text, json, sarif, markdown, junit, csv or html. Every format:
strict UTF-8, and no control character (C0 but newline and tab, DEL, C1),
bidi override or isolate, or line/paragraph separator anywhere in the
bytes. Then per format:
  json, sarif   one JSON document; no decoded string holds a lone surrogate
  junit         well-formed XML
  csv           every cell that starts with = + - @ (a spreadsheet formula)
                is neutralised (starts with ' instead)
  html          no element, event handler or executable script made from the
                data (the fixtures mark their payloads "lzscan-xss")
--expect TEXT: the bytes must contain TEXT (e.g. an escaped form that proves
the hostile value reached the output and was escaped, not dropped).
Exits 1 naming the first problem and where it is.
"""
import csv
import html.parser
import io
import json
import sys
import xml.etree.ElementTree as ET

UNSAFE = set(range(0x00, 0x20)) - {0x09, 0x0A}
UNSAFE |= {0x7F} | set(range(0x80, 0xA0)) | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
UNSAFE |= {0x2028, 0x2029}


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check_chars(name, text, allow_cr=False):
    for i, ch in enumerate(text):
        if ord(ch) in UNSAFE and not (allow_cr and ch == "\r"):
            line = text.count("\n", 0, i) + 1
            ctx = text[max(0, i - 60) : i + 20]
            fail(f"{name}: raw U+{ord(ch):04X} at line {line}: ...{ctx!r}")


def walk_strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from walk_strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk_strings(x)


def check_json(name, text):
    try:
        doc = json.loads(text)
    except ValueError as e:
        fail(f"{name}: not valid JSON: {e}")
    for s in walk_strings(doc):
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            fail(f"{name}: a string decodes to a lone surrogate: {s[:80]!r}")
    return doc


def check_csv(name, text):
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                fail(f"{name}: cell {cell[:60]!r} would run as a spreadsheet formula")


class _Html(html.parser.HTMLParser):
    """Markup that came from the data: any element or attribute carrying the
    fixtures' marker "lzscan-xss" (the page's own script and markup do not),
    and any inline event handler."""

    MARK = "lzscan-xss"

    def __init__(self):
        super().__init__()
        self.bad = None
        self.script = None  # type of the open <script>, if any

    def flag(self, what):
        if not self.bad:
            self.bad = what

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k.lower().startswith("on"):
                self.flag(f"an event handler attribute {k}={v!r} on <{tag}>")
            if v and self.MARK in v and k.lower() in ("src", "href", "style", "srcdoc", "action", "formaction"):
                self.flag(f"data in <{tag} {k}=...>")
        if self.MARK in tag:
            self.flag(f"an element <{tag}> made from data")
        if tag == "script":
            self.script = dict(attrs).get("type", "text/javascript")

    def handle_endtag(self, tag):
        if tag == "script":
            self.script = None

    def handle_data(self, data):
        # Data inside a JSON data block is inert; inside an executable script it is not.
        if self.script is not None and self.script != "application/json" and self.MARK in data:
            self.flag("data inside an executable <script>")


def check_html(name, text):
    p = _Html()
    p.feed(text)
    p.close()
    if p.bad:
        fail(f"{name}: {p.bad}")


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    expects = []
    args = sys.argv[3:]
    while args:
        if args[0] == "--expect":
            expects.append(args[1])
            args = args[2:]
        else:
            fail(f"unknown argument {args[0]}")
    raw = open(path, "rb").read()
    name = f"{path} ({fmt})"
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        fail(f"{name}: not valid UTF-8: {e}")
    check_chars(name, text, allow_cr=fmt == "csv")
    if fmt in ("json", "sarif"):
        check_json(name, text)
    elif fmt == "junit":
        try:
            ET.fromstring(raw)
        except ET.ParseError as e:
            fail(f"{name}: not well-formed XML: {e}")
    elif fmt == "csv":
        check_csv(name, text)
    elif fmt == "html":
        check_html(name, text)
    elif fmt not in ("text", "markdown"):
        fail(f"unknown format {fmt}")
    for x in expects:
        if x not in text:
            fail(f"{name}: lacks {x!r}")


if __name__ == "__main__":
    main()
