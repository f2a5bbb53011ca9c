"""The part of Kusto (KQL) that lzscan's Resource Graph queries use after their filters, evaluated
the way Kusto documents it, for the fake ARM server (fakearm.py).

Stages: `extend NAME = EXPR [, ...]` (a column that exists is removed and appended with its new
value) and `project-away NAME [, ...]`. Expressions: column names, 'string' literals,
dynamic([...]) literals, `=~`, `!=`, `in~ (...)`, `or`, and the functions lzscan's projection
calls (project.c): array_concat, case, iff, set_difference, bag_keys, bag_remove_keys,
array_length, gettype, tostring, tolower, parse_json. Anything else is refused with QueryError, as
Resource Graph refuses what its dialect lacks. Nulls propagate as Kusto's do: a function of a
null is null (bag_keys of a non-bag too), `!=` with a null is null, `or` is true if a side is true
and null if a side is null, and iff takes its else branch on null.

Public: split_stages(query) -> [stage text], compile_stage(stage) -> fn(rows) -> rows (new dicts;
the input rows are not modified; row by row, so it commutes with sorting and paging and the fake
server applies it to each page only), apply_stage(rows, stage), QueryError.
"""

import json
import re


class QueryError(Exception):
    pass


TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<op>=~|!=|==|in~)"
                   r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|(?P<num>-?\d+)|(?P<p>[()\[\],=]))")


def tokens(text):
    out, i = [], 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        m = TOKEN.match(text, i)
        if not m:
            raise QueryError("ParserFailure at %r" % text[i:i + 20])
        i = m.end()
        kind = m.lastgroup
        val = m.group(kind)
        if kind == "str":
            val = re.sub(r"\\(.)", r"\1", val[1:-1])
        out.append((kind, val))
    return out


def split_stages(query):
    """The query's `|`-separated stages (outside strings and parentheses)."""
    stages, cur, depth, quote, i = [], "", 0, None, 0
    while i < len(query):
        ch = query[i]
        if quote:
            cur += ch
            if ch == "\\" and i + 1 < len(query):
                cur += query[i + 1]
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            cur += ch
        elif ch in "([":
            depth += 1
            cur += ch
        elif ch in ")]":
            depth -= 1
            cur += ch
        elif ch == "|" and depth == 0:
            stages.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    stages.append(cur.strip())
    return stages


# ---- expressions: a small recursive-descent parser producing closures over a row ----

class Parser:
    def __init__(self, text):
        self.t = tokens(text)
        self.i = 0

    def peek(self, val=None):
        if self.i >= len(self.t):
            return None
        tok = self.t[self.i]
        return tok if val is None or tok[1] == val else None

    def take(self, val=None):
        tok = self.peek(val)
        if tok is None:
            raise QueryError("ParserFailure: expected %s" % (val or "more"))
        self.i += 1
        return tok

    def expr(self):
        left = self.compare()
        while self.peek("or"):
            self.take()
            right = self.compare()
            left = (lambda a, b: lambda r: k_or(a(r), b(r)))(left, right)
        return left

    def compare(self):
        left = self.primary()
        tok = self.peek()
        if tok and tok[1] in ("=~", "!=", "=="):
            op = self.take()[1]
            right = self.primary()
            fn = {"=~": k_eq_ci, "!=": k_ne, "==": k_eq}[op]
            return (lambda a, b, f: lambda r: f(a(r), b(r)))(left, right, fn)
        if tok and tok[1] == "in~":
            self.take()
            self.take("(")
            items = [self.primary()]
            while self.peek(","):
                self.take()
                items.append(self.primary())
            self.take(")")
            return lambda r: k_in_ci(left(r), [f(r) for f in items])
        return left

    def primary(self):
        kind, val = self.take()
        if kind == "str":
            return lambda r: val
        if kind == "num":
            return lambda r: int(val)
        if kind != "name":
            raise QueryError("ParserFailure near %r" % val)
        if val == "dynamic":
            self.take("(")
            lit = self.literal()
            self.take(")")
            return lambda r: lit
        if self.peek("("):
            self.take()
            args = []
            if not self.peek(")"):
                args.append(self.expr())
                while self.peek(","):
                    self.take()
                    args.append(self.expr())
            self.take(")")
            return call(val, args)
        return lambda r: r.get(val)

    def literal(self):
        if self.peek("["):
            self.take()
            items = []
            while not self.peek("]"):
                items.append(self.literal())
                if self.peek(","):
                    self.take()
            self.take("]")
            return items
        kind, val = self.take()
        if kind == "str":
            return val
        if kind == "num":
            return int(val)
        if val in ("null",):
            return None
        raise QueryError("ParserFailure: unsupported dynamic literal %r" % val)


def k_or(a, b):
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def k_eq_ci(a, b):
    if not isinstance(a, str) or not isinstance(b, str):
        return None
    return a.lower() == b.lower()


def k_eq(a, b):
    return None if a is None or b is None else a == b


def k_ne(a, b):
    return None if a is None or b is None else a != b


def k_in_ci(a, items):
    if not isinstance(a, str):
        return None
    return any(isinstance(x, str) and x.lower() == a.lower() for x in items)


def gettype(v):
    if v is None:
        return "null"
    if isinstance(v, dict):
        return "dictionary"
    if isinstance(v, list):
        return "array"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "real"
    return "string"


def jkey(x):
    return json.dumps(x, sort_keys=True)


def distinct(xs):
    seen, out = set(), []
    for x in xs:
        key = jkey(x)
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


def set_difference(a, *others):
    if not isinstance(a, list) or not all(isinstance(o, list) for o in others):
        return None
    drop = {jkey(x) for o in others for x in o}
    return distinct([x for x in a if jkey(x) not in drop])


def parse_json(s):
    """Kusto's parse_json: "" is null, text that is not JSON stays a string."""
    if s == "":
        return None
    try:
        return json.loads(s)
    except ValueError:
        return s


def nullable(fn):
    """A function of null arguments is null."""
    return lambda *a: None if any(x is None for x in a) else fn(*a)


FUNCTIONS = {
    "array_concat": nullable(lambda *a: [x for arr in a for x in arr] if all(isinstance(x, list) for x in a) else None),
    "set_difference": nullable(set_difference),
    "bag_keys": nullable(lambda b: list(b.keys()) if isinstance(b, dict) else None),
    "bag_remove_keys": nullable(lambda b, ks: {k: v for k, v in b.items() if k not in ks}
                                if isinstance(b, dict) and isinstance(ks, list) else None),
    "array_length": nullable(lambda a: len(a) if isinstance(a, list) else None),
    "gettype": gettype,
    "tostring": lambda v: "" if v is None else v if isinstance(v, str) else json.dumps(v, separators=(",", ":")),
    "tolower": nullable(lambda s: s.lower() if isinstance(s, str) else None),
    "parse_json": nullable(lambda s: parse_json(s) if isinstance(s, str) else s),
}


def call(name, args):
    if name == "iff":
        if len(args) != 3:
            raise QueryError("iff takes 3 arguments")
        c, a, b = args
        return lambda r: a(r) if c(r) is True else b(r)
    if name == "case":
        if len(args) < 3 or len(args) % 2 == 0:
            raise QueryError("case takes pairs and a default")
        pairs, default = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)], args[-1]

        def run(r):
            for c, v in pairs:
                if c(r) is True:
                    return v(r)
            return default(r)
        return run
    fn = FUNCTIONS.get(name)
    if fn is None:
        raise QueryError("UnsupportedFunction: %s" % name)
    return lambda r: fn(*[a(r) for a in args])


# ---- stages ----

def split_top(text, sep=","):
    parts, cur, depth, quote = [], "", 0, None
    for ch in text:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def apply_stage(rows, stage):
    return compile_stage(stage)(rows)


def compile_stage(stage):
    """A function mapping rows through one extend or project-away stage; other stages are refused."""
    m = re.match(r"(extend|project-away)\s+(.*)$", stage, re.S)
    if not m:
        raise QueryError("ParserFailure: unsupported stage %r" % stage[:40])
    if m.group(1) == "project-away":
        drop = set(split_top(m.group(2)))
        return lambda rows: [{k: v for k, v in r.items() if k not in drop} for r in rows]
    assigns = []
    for part in split_top(m.group(2)):
        name, _, text = part.partition("=")
        name = name.strip()
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) or not text.strip():
            raise QueryError("ParserFailure: extend needs NAME = EXPR")
        p = Parser(text)
        fn = p.expr()
        if p.i != len(p.t):
            raise QueryError("ParserFailure: unexpected %r" % (p.t[p.i][1],))
        assigns.append((name, fn))

    def run(rows):
        out = []
        for r in rows:
            r = dict(r)
            for name, fn in assigns:
                v = fn(r)
                r.pop(name, None)  # an existing column is removed and appended
                r[name] = v
            out.append(r)
        return out
    return run
