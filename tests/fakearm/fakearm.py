#!/usr/bin/env python3
"""A fake Azure Resource Manager for lzscan's live-collection tests.

Python 3 standard library only (http.server + ssl, threaded). It serves a fixture landing zone
(a directory such as fixtures/contoso-drifted) over HTTPS on 127.0.0.1, on an ephemeral port,
with a certificate signed by a test CA that is generated at start with the openssl CLI:

  token endpoint      POST /{tenant}/oauth2/v2.0/token   client secret, client assertion (JWT
                      verified against the test certificate's public key, PS256 or RS256),
                      federated token, GitHub OIDC token
  GitHub OIDC         GET  /_apis/oidc/token?audience=...  (bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN)
  Resource Graph      POST /providers/Microsoft.ResourceGraph/resources   real paging ($top,
                      $skipToken), type filters, hash partitions, order by id, quota headers
  management groups   GET  /providers/Microsoft.Management/managementGroups          (@nextLink)
                      GET  /providers/Microsoft.Management/managementGroups/{id}/descendants (nextLink)
  subscriptions       GET  /subscriptions                                            (nextLink)
  child lists         GET  {parentId}/providers/Microsoft.Insights/diagnosticSettings, ...
and, over plain HTTP on a second port: IMDS (/metadata/identity/oauth2/token) and the App
Service identity endpoint (/msi/token).

Faults are chosen per test with a JSON config (--config FILE); see DEFAULTS, next_fault() and dispatch().
Every request is recorded, one JSON object per line, in STATE/requests.ndjson, so tests can
count requests and check pacing.

usage: fakearm.py --fixture DIR --state DIR [--config FILE]
       writes STATE/ports.json ({"https": N, "http": N}) once listening; certificates in STATE.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import kql  # tests/fakearm/kql.py: the KQL stages after the filters (lzscan's projection)

TENANT = "7a1b0c2d-0000-4000-8000-000000000001"

DEFAULTS = {
    "tenant": TENANT,
    "client_id": "11111111-2222-4333-8444-555555555555",
    "client_secret": "",            # accepted client secret ("" = none accepted)
    "federated_token": "",          # accepted AZURE_FEDERATED_TOKEN_FILE content
    "actions_token": "",            # accepted ACTIONS_ID_TOKEN_REQUEST_TOKEN
    "identity_header": "",          # accepted App Service X-IDENTITY-HEADER
    "imds": True,                   # IMDS answers
    "static_tokens": [],            # bearer tokens accepted as is (LZSCAN_ACCESS_TOKEN, fake az)
    "token_expires_in": 3600,       # what token responses say
    "token_lifetime": None,         # how long the server honours a token (default: expires_in)
    "expire_after_requests": 0,     # the first token dies after N authorised ARM/ARG requests (0: never)
    "reject_ps256": False,          # refuse PS256 assertions (client falls back to RS256)
    "page_size": 1000,              # Resource Graph rows per page (capped by $top)
    "child_page_size": 0,           # ARM child-list items per page (0: one page)
    "mg_page_size": 3,              # management group list items per page (@nextLink)
    "desc_page_size": 4,            # descendants per page (nextLink)
    "sub_page_size": 2,             # subscriptions per page (nextLink)
    "arg_quota": [1000, 5.0],       # Resource Graph: queries per window, window seconds (Azure: ~15 per 5 s)
    "arm_bucket": [250, 25.0],      # ARM reads per subscription: bucket size, refill per second
    "forbidden_subscriptions": [],  # 403 for these subscriptions (Resource Graph and ARM)
    "forbidden_arm_subscriptions": [],  # 403 on ARM calls only (Resource Graph still lists them)
    "rc_fail": False,               # resourcecontainers at management-group scope fails (400)
    "limit_hit": False,             # set x-ms-tenant-subscription-limit-hit on management-group queries
    "reject_projection": False,     # refuse queries calling bag_remove_keys (a dialect without it)
    "faults": [],                   # scripted faults, see next_fault()
}


# ---------------------------------------------------------------------------
# certificates (openssl CLI)
# ---------------------------------------------------------------------------

def sh(*args, cwd):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certs(state, password):
    """Test CA, server certificate for 127.0.0.1, and the application's client certificate."""
    if os.path.exists(os.path.join(state, "server.pem")):
        return
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
       "-days", "2", "-subj", "/CN=lzscan test CA", "-addext", "basicConstraints=critical,CA:TRUE",
       "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=state)
    with open(os.path.join(state, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n")
    sh("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
       "-subj", "/CN=127.0.0.1", cwd=state)
    sh("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
       "-out", "server.pem", "-days", "2", "-extfile", "server.ext", cwd=state)
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out",
       "client.crt", "-days", "2", "-subj", "/CN=lzscan test application", cwd=state)
    sh("openssl", "pkcs8", "-topk8", "-in", "client.key", "-out", "client-enc.key", "-passout",
       "pass:" + password, "-v2", "aes-256-cbc", cwd=state)
    for name, key in (("client.pem", "client.key"), ("client-pw.pem", "client-enc.key")):
        with open(os.path.join(state, name), "w") as out:
            for part in ("client.crt", key):
                with open(os.path.join(state, part)) as f:
                    out.write(f.read())


def client_public_key(state):
    """(n, e, sha256 thumbprint, sha1 thumbprint) of the client certificate (cached in STATE)."""
    cache = os.path.join(state, "client.pubkey")
    if os.path.exists(cache):
        with open(cache) as f:
            n, e, s256, s1 = json.load(f)
        return int(n, 16), e, s256, s1
    crt = os.path.join(state, "client.crt")
    mod = subprocess.run(["openssl", "x509", "-in", crt, "-noout", "-modulus"], check=True,
                         capture_output=True, text=True).stdout.strip()
    n = int(mod.split("=", 1)[1], 16)
    text = subprocess.run(["openssl", "x509", "-in", crt, "-noout", "-text"], check=True,
                          capture_output=True, text=True).stdout
    e = int(re.search(r"Exponent: (\d+)", text).group(1))
    der = subprocess.run(["openssl", "x509", "-in", crt, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    key = (n, e, b64u(hashlib.sha256(der).digest()), b64u(hashlib.sha1(der).digest()))
    with open(cache, "w") as f:
        json.dump(["%x" % n, e, key[2], key[3]], f)
    return key


# ---------------------------------------------------------------------------
# JWT
# ---------------------------------------------------------------------------

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def mgf1(seed, length):
    out, counter = b"", 0
    while len(out) < length:
        out += hashlib.sha256(seed + struct.pack(">I", counter)).digest()
        counter += 1
    return out[:length]


def rsa_verify(n, e, msg, sig, alg):
    """RSASSA-PKCS1-v1_5 (RS256) or RSASSA-PSS with SHA-256, MGF1-SHA-256, salt = 32 (PS256)."""
    k = (n.bit_length() + 7) // 8
    if len(sig) != k:
        return False
    m = pow(int.from_bytes(sig, "big"), e, n)
    if alg == "RS256":
        digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(msg).digest()
        expected = b"\x00\x01" + b"\xff" * (k - 3 - len(digest_info)) + b"\x00" + digest_info
        return m.to_bytes(k, "big") == expected
    em_bits = n.bit_length() - 1
    em_len = (em_bits + 7) // 8
    em = m.to_bytes(em_len, "big")
    h_len = s_len = 32
    if em[-1] != 0xBC or em_len < h_len + s_len + 2:
        return False
    masked, h = em[:em_len - h_len - 1], em[em_len - h_len - 1:-1]
    top = 8 * em_len - em_bits
    if masked[0] >> (8 - top) if top else 0:
        return False
    db = bytearray(a ^ b for a, b in zip(masked, mgf1(h, len(masked))))
    db[0] &= 0xFF >> top
    pad = em_len - h_len - s_len - 2
    if any(db[:pad]) or db[pad] != 1:
        return False
    salt = bytes(db[-s_len:])
    return hashlib.sha256(b"\x00" * 8 + hashlib.sha256(msg).digest() + salt).digest() == h


def fake_jwt(claims):
    head = b64u(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "fake"}).encode())
    body = b64u(json.dumps(claims).encode())
    return "%s.%s.%s" % (head, body, b64u(secrets.token_bytes(32)))


# ---------------------------------------------------------------------------
# the fixture
# ---------------------------------------------------------------------------

CONTAINER_TYPES = {"microsoft.management/managementgroups", "microsoft.resources/subscriptions",
                   "microsoft.resources/subscriptions/resourcegroups"}


def table_of(type_):
    t = type_.lower()
    if t in CONTAINER_TYPES:
        return "resourcecontainers"
    if t.startswith("microsoft.authorization/policy") or t.startswith("microsoft.policyinsights/"):
        return "policyresources"
    if t.startswith("microsoft.authorization/"):
        return "authorizationresources"
    if t.startswith("microsoft.security/"):
        return "securityresources"
    return "resources"


# Child objects Resource Graph does not serve: the server answers them through ARM child lists,
# whatever the shape of the file they came from.
ARM_CHILD_TYPES = {"microsoft.insights/diagnosticsettings", "microsoft.network/privateendpoints/privatednszonegroups",
                   "microsoft.network/privatednszones/virtualnetworklinks",
                   "microsoft.operationalinsights/workspaces/tables",
                   "microsoft.cognitiveservices/accounts/deployments",
                   "microsoft.cognitiveservices/accounts/raipolicies"}


def split_child(id_):
    """(parent id, collection) of an ARM child object id, both lower-cased."""
    seg = id_.split("/")
    if len(seg) >= 5 and seg[-4].lower() == "providers":
        return "/".join(seg[:-4]).lower(), "/".join(seg[-4:-1]).lower()
    return "/".join(seg[:-2]).lower(), seg[-2].lower()


def top_resource(path):
    """The top-level resource id a path lies under (/subscriptions/s/resourceGroups/g/providers/ns/t/n)."""
    m = re.match(r"(?i)(/subscriptions/[^/]+/resourcegroups/[^/]+/providers/[^/]+/[^/]+/[^/]+)", path)
    return m.group(1).lower() if m else None


def sub_of(id_):
    m = re.match(r"(?i)/subscriptions/([^/]+)", id_ or "")
    return m.group(1).lower() if m else None


class Fixture:
    def __init__(self, directory):
        self.tables = {"resources": [], "resourcecontainers": [], "authorizationresources": [],
                       "securityresources": [], "policyresources": []}
        self.children = {}  # (parent, collection) -> [objects]
        self.ids = set()
        for root, _, files in sorted(os.walk(directory)):
            for name in sorted(files):
                if name.endswith((".json", ".ndjson", ".jsonl")) and name != "expected.json":
                    self.load(os.path.join(root, name))
        self.collections = {c for (_, c) in self.children}
        self.mg_parent, self.mg_display = {}, {}
        for r in self.tables["resourcecontainers"]:
            if r["type"].lower() == "microsoft.management/managementgroups":
                pid = ((r.get("properties") or {}).get("details") or {}).get("parent") or {}
                self.mg_parent[r["name"].lower()] = (pid.get("id") or "").split("/")[-1].lower() or None
                self.mg_display[r["name"].lower()] = (r.get("properties") or {}).get("displayName")
        self.sub_chain = {}
        for r in self.tables["resourcecontainers"]:
            if r["type"].lower() == "microsoft.resources/subscriptions":
                chain = (r.get("properties") or {}).get("managementGroupAncestorsChain") or []
                self.sub_chain[sub_of(r["id"])] = [c["name"].lower() for c in chain]

    def load(self, path):
        with open(path) as f:
            text = f.read()
        docs = []
        dec = json.JSONDecoder()
        i = 0
        while i < len(text):
            while i < len(text) and text[i] in " \t\r\n":
                i += 1
            if i >= len(text):
                break
            doc, i = dec.raw_decode(text, i)
            docs.append(doc)
        for doc in docs:
            if isinstance(doc, dict) and isinstance(doc.get("value"), list):
                for o in doc["value"]:
                    self.children.setdefault(split_child(o["id"]), []).append(o)
            elif isinstance(doc, dict) and isinstance(doc.get("data"), list):
                self.add_rows(doc["data"])
            elif isinstance(doc, list):
                self.add_rows(doc)
            elif isinstance(doc, dict) and "id" in doc and "lzscan" not in doc:
                self.add_rows([doc])

    def add_rows(self, rows):
        for r in rows:
            if (r.get("type") or "").lower() in ARM_CHILD_TYPES:
                self.children.setdefault(split_child(r["id"]), []).append(r)
                continue
            self.tables.setdefault(table_of(r.get("type") or ""), []).append(r)
            self.ids.add(r["id"].lower())

    def mg_under(self, mg, root):
        """True when management group mg is root or below it."""
        seen = 0
        while mg and seen < 20:
            if mg == root:
                return True
            mg, seen = self.mg_parent.get(mg), seen + 1
        return False

    def sub_under(self, sub, root):
        return root in self.sub_chain.get(sub, [])

    def subscriptions(self):
        return [r for r in self.tables["resourcecontainers"]
                if r["type"].lower() == "microsoft.resources/subscriptions"]


# ---------------------------------------------------------------------------
# state shared by handler threads
# ---------------------------------------------------------------------------

class State:
    def __init__(self, cfg, fixture, state_dir, pubkey):
        self.cfg = cfg
        self.fx = fixture
        self.dir = state_dir
        self.pub = pubkey
        self.lock = threading.Lock()
        self.log = open(os.path.join(state_dir, "requests.ndjson"), "a", buffering=1)
        self.tokens = {}       # access token -> {"exp": t, "uses": n}
        self.id_tokens = set()  # GitHub OIDC tokens issued
        self.seq = 0
        self.fault_hits = [0] * len(cfg["faults"])
        self.arg_window = None  # (start, count)
        self.arg_cache = {}     # a query's rows (filtered, projected, sorted): its pages slice them
        self.buckets = {}       # subscription -> [tokens, last]
        self.port = 0

    def record(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            entry["t"] = time.time()
            self.log.write(json.dumps(entry) + "\n")

    def issue_token(self, kind):
        exp_in = int(self.cfg["token_expires_in"])
        life = self.cfg["token_lifetime"] if self.cfg["token_lifetime"] is not None else exp_in
        now = time.time()
        with self.lock:
            self.seq += 0
            n = len(self.tokens) + 1
        tok = fake_jwt({"aud": "https://127.0.0.1:%d/" % self.port, "tid": self.cfg["tenant"],
                        "oid": "fake-principal", "idtyp": kind, "n": n, "iat": int(now),
                        "exp": int(now + exp_in)})
        with self.lock:
            self.tokens[tok] = {"exp": now + life, "uses": 0, "first": not self.tokens}
            with open(os.path.join(self.dir, "issued-tokens.txt"), "a") as f:
                f.write(tok + "\n")  # so that tests can look for them where they must not be
        return tok, exp_in

    def check_bearer(self, header):
        """None if authorised, else (status, code, message)."""
        if not header or not header.startswith("Bearer "):
            return 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."
        tok = header[7:]
        if tok in self.cfg["static_tokens"]:
            return None
        with self.lock:
            info = self.tokens.get(tok)
            if not info:
                return 401, "InvalidAuthenticationToken", "The access token is invalid."
            limit = self.cfg["expire_after_requests"]
            if time.time() >= info["exp"] or (limit and info["first"] and info["uses"] >= limit):
                return 401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time."
            info["uses"] += 1
        return None

    def arg_quota(self):
        """(allowed, remaining, resets_after_seconds) for one Resource Graph query."""
        limit, window = self.cfg["arg_quota"]
        now = time.time()
        with self.lock:
            if self.arg_window is None or now >= self.arg_window[0] + window:
                self.arg_window = [now, 0]
            start, count = self.arg_window
            resets = max(0.0, start + window - now)
            if count >= limit:
                return False, 0, resets
            self.arg_window[1] += 1
            return True, limit - count - 1, resets

    def arm_take(self, sub):
        cap, rate = self.cfg["arm_bucket"]
        now = time.time()
        with self.lock:
            b = self.buckets.setdefault(sub or "", [float(cap), now])
            b[0] = min(cap, b[0] + (now - b[1]) * rate)
            b[1] = now
            if b[0] < 1:
                return False, 0, (1 - b[0]) / rate
            b[0] -= 1
            return True, int(b[0]), 0

    def next_fault(self, api, path, body):
        """The first scripted fault matching this request, or None."""
        for i, f in enumerate(self.cfg["faults"]):
            m = f.get("match", {})
            if m.get("api") and m["api"] != api:
                continue
            if m.get("path_contains") and m["path_contains"].lower() not in path.lower():
                continue
            if m.get("body_contains") and m["body_contains"] not in body:
                continue
            with self.lock:
                self.fault_hits[i] += 1
                hit = self.fault_hits[i]
            nth, count = m.get("nth", 1), f.get("count", 1)
            if nth <= hit < nth + count:
                return f
        return None


def hhmmss(seconds):
    s = int(seconds + 0.999)
    return "%02d:%02d:%02d" % (s // 3600, s % 3600 // 60, s % 60)


# ---------------------------------------------------------------------------
# Resource Graph
# ---------------------------------------------------------------------------

def kql_parse(q):
    table = q.split("|", 1)[0].strip().lower()
    types = None
    m = re.search(r"where type in~ \(([^)]*)\)", q)
    if m:
        types = {t.strip().strip("'").lower() for t in m.group(1).split(",") if t.strip()}
    part = None
    m = re.search(r"where abs\(hash\(tolower\(id\)\) % (\d+)\) == (\d+)", q)
    if m:
        part = (int(m.group(2)), int(m.group(1)))
    return table, types, part


def id_hash(id_):
    return int.from_bytes(hashlib.md5(id_.lower().encode()).digest()[:8], "big")


def arg_rows(st, body):
    """The rows a query selects, in order; or (status, code, message, details)."""
    fx, cfg = st.fx, st.cfg
    table, types, part = kql_parse(body.get("query", ""))
    rows = list(fx.tables.get(table, []))
    forbidden = {s.lower() for s in cfg["forbidden_subscriptions"]}
    if body.get("managementGroups"):
        mg = body["managementGroups"][0].lower()
        if table == "resourcecontainers" and cfg["rc_fail"]:
            return 400, "BadRequest", "Management group scope is not available for this query.", []

        def in_mg(r):
            if r["type"].lower() == "microsoft.management/managementgroups":
                return fx.mg_under(r["name"].lower(), mg)
            s = sub_of(r["id"])
            if table != "resourcecontainers" and s in forbidden:
                return False  # Resource Graph leaves out what the caller cannot read
            return s is not None and fx.sub_under(s, mg)
        rows = [r for r in rows if in_mg(r)]
    else:
        subs = {s.lower() for s in body.get("subscriptions") or []}
        bad = sorted(subs & forbidden)
        if bad:
            return 403, "AuthorizationFailed", "The client does not have authorization to perform action " \
                "'Microsoft.ResourceGraph/resources/read' over scope '/subscriptions/%s'." % bad[0], []
        rows = [r for r in rows if sub_of(r["id"]) in subs]
    if types is not None:
        rows = [r for r in rows if r["type"].lower() in types]
    if part:
        k, n = part
        rows = [r for r in rows if id_hash(r["id"]) % n == k]
    stages = []  # the projection's extend / project-away stages (kql.py), applied to each page
    try:
        if cfg["reject_projection"] and "bag_remove_keys" in body.get("query", ""):
            raise kql.QueryError("UnsupportedFunction: bag_remove_keys")
        stages = [kql.compile_stage(s) for s in kql.split_stages(body.get("query", ""))[1:]
                  if s.startswith(("extend", "project-away"))]
    except kql.QueryError as e:
        return 400, "BadRequest", "Please provide below info when asking for support.", [
            {"code": "InvalidQuery", "message": "Query is invalid. Please refer to the documentation for the "
             "Azure Resource Graph service and fix the error before retrying."},
            {"code": str(e).split(":")[0], "message": str(e)}]
    rows.sort(key=lambda r: r["id"].lower())
    return rows, table, part, stages


def handle_arg(st, h, body):
    try:
        req = json.loads(body or "{}")
    except ValueError:
        return h.error(400, "InvalidRequestContent", "The request content is not valid JSON.")
    fault = h.fault
    ckey = json.dumps([req.get("query"), req.get("subscriptions"), req.get("managementGroups")])
    res = st.arg_cache.get(ckey)
    if res is None:  # the config and fixture are fixed: a query's rows are too (computed once, not per page)
        res = arg_rows(st, req)
        if not isinstance(res[0], int):
            with st.lock:
                if len(st.arg_cache) >= 16:
                    st.arg_cache.clear()
                st.arg_cache[ckey] = res
    if isinstance(res[0], int):
        return h.error(*res)
    rows, table, part, stages = res
    if fault and fault.get("action") == "too_large":
        if (part[1] if part else 1) < fault.get("below_parts", 2):
            return h.error(400, "BadRequest", "Please provide below info when asking for support.",
                           details=[{"code": "ResponsePayloadTooLarge", "message":
                                     "Response payload size is 17037456, and has exceeded the limit of 16777216."}])
    opts = req.get("options") or {}
    top = min(int(opts.get("$top", 100)), 1000, int(st.cfg["page_size"]))
    qkey = hashlib.sha256(json.dumps([req.get("query"), req.get("subscriptions"),
                                      req.get("managementGroups")]).encode()).hexdigest()[:16]
    offset = 0
    if opts.get("$skipToken"):
        try:
            tok = json.loads(b64u_dec(opts["$skipToken"]))
            assert tok["q"] == qkey
            offset = int(tok["o"])
        except Exception:
            return h.error(400, "InvalidSkipToken", "The skip token is not valid for this query.")
    page = rows[offset:offset + top]
    for stage in stages:  # row by row: the same as projecting before sorting and paging
        page = stage(page)
    out = {"totalRecords": len(rows), "count": len(page), "resultTruncated": "false", "facets": [], "data": page}
    if offset + top < len(rows):
        out["$skipToken"] = b64u(json.dumps({"o": offset + top, "q": qkey}).encode())
    extra = {}
    if req.get("managementGroups") and st.cfg["limit_hit"]:
        extra["x-ms-tenant-subscription-limit-hit"] = "true"
    h.send_json(200, out, extra)


# ---------------------------------------------------------------------------
# ARM
# ---------------------------------------------------------------------------

def paged(h, items, size, link_key, base_path, query):
    skip = int(query.get("$skiptoken", ["0"])[0] or 0)
    size = size or max(1, len(items))
    page = items[skip:skip + size]
    out = {"value": page}
    if skip + size < len(items):
        q = {k: v[0] for k, v in query.items() if k != "$skiptoken"}
        q["$skiptoken"] = str(skip + size)
        out[link_key] = "https://127.0.0.1:%d%s?%s" % (h.server.st.port, base_path, urllib.parse.urlencode(q))
    else:
        out[link_key] = None
    h.send_json(200, out)


def descendants(fx, mg):
    out = []
    for name, parent in sorted(fx.mg_parent.items()):
        if name != mg and fx.mg_under(name, mg):
            out.append({"id": "/providers/Microsoft.Management/managementGroups/" + name,
                        "type": "Microsoft.Management/managementGroups", "name": name,
                        "properties": {"displayName": fx.mg_display.get(name),
                                       "parent": {"id": "/providers/Microsoft.Management/managementGroups/" + parent}}})
    for s in fx.subscriptions():
        sid = sub_of(s["id"])
        chain = fx.sub_chain.get(sid, [])
        if mg in chain:
            out.append({"id": "/subscriptions/" + sid, "type": "Microsoft.Management/managementGroups/subscriptions",
                        "name": sid, "properties": {"displayName": s.get("name"), "parent": {
                            "id": "/providers/Microsoft.Management/managementGroups/" + chain[0]}}})
    return out


def handle_arm(st, h, path, query):
    fx, cfg = st.fx, st.cfg
    low = path.lower().rstrip("/")
    m = re.match(r"/providers/microsoft\.management/managementgroups/([^/]+)/descendants$", low)
    if m:
        return paged(h, descendants(fx, m.group(1)), cfg["desc_page_size"], "nextLink", path, query)
    if low == "/providers/microsoft.management/managementgroups":
        items = [{"id": "/providers/Microsoft.Management/managementGroups/" + n,
                  "type": "Microsoft.Management/managementGroups", "name": n,
                  "properties": {"tenantId": cfg["tenant"], "displayName": fx.mg_display.get(n)}}
                 for n in sorted(fx.mg_parent)]
        return paged(h, items, cfg["mg_page_size"], "@nextLink", path, query)
    if low == "/subscriptions":
        items = [{"id": "/subscriptions/" + sub_of(s["id"]), "subscriptionId": sub_of(s["id"]),
                  "displayName": s.get("name"), "state": "Enabled", "tenantId": cfg["tenant"],
                  "tags": s.get("tags") or {}} for s in fx.subscriptions()]
        return paged(h, items, cfg["sub_page_size"], "nextLink", path, query)
    sub = sub_of(low)
    forbidden = cfg["forbidden_subscriptions"] + cfg["forbidden_arm_subscriptions"]
    if sub and sub in {s.lower() for s in forbidden}:
        return h.error(403, "AuthorizationFailed", "The client 'fake-principal' does not have authorization "
                       "to perform action 'read' over scope '/subscriptions/%s'." % sub)
    key = split_child(path + "/x")
    items = fx.children.get(key)
    if items is None and key[1] not in fx.collections:
        # The fixture holds no object of this child type at all: it does not model it. Answer as
        # ARM does for a type it does not know, so that lzscan, like the offline scan of the
        # fixture, treats the type as not collected.
        return h.error(400, "InvalidResourceType", "The resource type '%s' could not be found for api "
                       "version '%s'." % (key[1], query.get("api-version", ["?"])[0]))
    if items is None:
        top = top_resource(low)
        if not top or top not in fx.ids:
            return h.error(404, "ResourceNotFound", "The Resource '%s' was not found." % path)
        items = []
    return paged(h, items, cfg["child_page_size"], "nextLink", path, query)


# ---------------------------------------------------------------------------
# tokens
# ---------------------------------------------------------------------------

def verify_assertion(st, jwt, aud):
    """None if the client assertion is a valid JWT signed by the test certificate, else why not."""
    try:
        h64, c64, s64 = jwt.split(".")
        head, claims = json.loads(b64u_dec(h64)), json.loads(b64u_dec(c64))
    except Exception:
        return "malformed JWT"
    n, e, x5t256, x5t = st.pub
    alg = head.get("alg")
    if alg == "PS256":
        if head.get("x5t#S256") != x5t256:
            return "x5t#S256 does not match the certificate"
        if st.cfg["reject_ps256"]:
            return "PS256 is not accepted"
    elif alg == "RS256":
        if head.get("x5t") != x5t:
            return "x5t does not match the certificate"
    else:
        return "unsupported alg %s" % alg
    if head.get("typ") != "JWT":
        return "typ is not JWT"
    if not rsa_verify(n, e, (h64 + "." + c64).encode(), b64u_dec(s64), alg):
        return "signature does not verify with the certificate's public key"
    now = time.time()
    cid = st.cfg["client_id"]
    if claims.get("aud") != aud or claims.get("iss") != cid or claims.get("sub") != cid:
        return "aud/iss/sub claims are wrong"
    if not claims.get("jti") or not (claims.get("nbf", 0) <= now + 60 < claims.get("exp", 0) + 60):
        return "jti/nbf/exp claims are wrong"
    if claims["exp"] - claims["nbf"] > 3600:
        return "lifetime too long"
    return None


def handle_token(st, h, tenant, body):
    form = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
    cfg = st.cfg

    def refuse(status, err, desc):
        h.send_json(status, {"error": err, "error_description": "AADSTS7000215: " + desc,
                             "error_codes": [7000215]})
    if tenant != cfg["tenant"]:
        return refuse(400, "invalid_request", "Tenant '%s' not found." % tenant)
    if form.get("grant_type") != "client_credentials" or form.get("client_id") != cfg["client_id"]:
        return refuse(400, "unauthorized_client", "Application not found in the directory.")
    if form.get("scope") != "https://127.0.0.1:%d/.default" % st.port:
        return refuse(400, "invalid_scope", "The provided scope is not valid.")
    kind = None
    if "client_secret" in form:
        if not cfg["client_secret"] or form["client_secret"] != cfg["client_secret"]:
            return refuse(401, "invalid_client", "Invalid client secret provided.")
        kind = "secret"
    elif form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
        a = form.get("client_assertion", "")
        try:
            h.entry["alg"] = json.loads(b64u_dec(a.split(".")[0])).get("alg")
        except Exception:
            pass
        if cfg["federated_token"] and a == cfg["federated_token"]:
            kind = "federated"
        elif a in st.id_tokens:
            kind = "github"
        else:
            why = verify_assertion(st, a, "https://127.0.0.1:%d/%s/oauth2/v2.0/token" % (st.port, tenant))
            if why:
                return refuse(401, "invalid_client", "Client assertion is not valid: " + why)
            kind = "certificate"
    else:
        return refuse(400, "invalid_request", "No client credential given.")
    tok, exp_in = st.issue_token(kind)
    h.send_json(200, {"token_type": "Bearer", "expires_in": exp_in, "ext_expires_in": exp_in,
                      "access_token": tok}, log_extra={"credential": kind})


def handle_github(st, h, query):
    auth = h.headers.get("Authorization", "")
    if not st.cfg["actions_token"] or auth != "Bearer " + st.cfg["actions_token"]:
        return h.send_json(401, {"message": "bad runtime token"})
    if query.get("audience", [""])[0] != "api://AzureADTokenExchange":
        return h.send_json(400, {"message": "audience must be api://AzureADTokenExchange"})
    tok = fake_jwt({"iss": "https://token.actions.githubusercontent.com", "aud": "api://AzureADTokenExchange",
                    "sub": "repo:contoso/landing-zone:ref:refs/heads/main", "exp": int(time.time()) + 300})
    with st.lock:
        st.id_tokens.add(tok)
    h.send_json(200, {"count": 1, "value": tok})


def handle_identity(st, h, path, query):
    cfg = st.cfg
    resource = query.get("resource", [""])[0]
    want = "https://127.0.0.1:%d/" % st.port
    if path == "/metadata/identity/oauth2/token":
        if not cfg["imds"] or h.headers.get("Metadata") != "true":
            return h.send_json(400, {"error": "invalid_request", "error_description": "Identity not found"})
        kind = "imds"
    elif path == "/msi/token":
        if not cfg["identity_header"] or h.headers.get("X-IDENTITY-HEADER") != cfg["identity_header"]:
            return h.send_json(401, {"error": "unauthorized", "error_description": "bad X-IDENTITY-HEADER"})
        kind = "appservice"
    else:
        return h.send_json(404, {"error": "not_found"})
    if resource != want:
        return h.send_json(400, {"error": "invalid_resource", "error_description": "resource must be " + want})
    tok, exp_in = st.issue_token(kind)
    h.send_json(200, {"access_token": tok, "expires_in": str(exp_in), "expires_on": str(int(time.time()) + exp_in),
                      "resource": resource, "token_type": "Bearer"}, log_extra={"credential": kind})


# ---------------------------------------------------------------------------
# the HTTP handler
# ---------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one segment: no Nagle / delayed-ACK stalls

    def log_message(self, *args):
        pass

    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()
        self.entry = None

    # -- responses --
    def send_json(self, status, obj, headers=None, log_extra=None):
        body = json.dumps(obj).encode()
        if self.entry is not None:
            self.entry["status"] = status
            if log_extra:
                self.entry.update(log_extra)
        fault = self.fault
        if fault and fault.get("action") in ("truncate", "truncate_nolen") and status == 200:
            return self.truncated(body, fault["action"] == "truncate")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        for k, v in self.extra_headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message, details=None):
        err = {"code": code, "message": message}
        if details:
            err["details"] = details
        self.send_json(status, {"error": err})

    def truncated(self, body, with_length):
        self.entry["fault_effect"] = "truncated"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if with_length:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for k, v in self.extra_headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def oversize(self, size):
        """A valid JSON body of `size` bytes (blank padding), streamed; the client may hang up."""
        self.entry["status"] = 200
        self.entry["fault_effect"] = "oversize"
        head, tail = b'{"value": [', b"]}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(head)
        pad, left = b" " * (1 << 20), size - len(head) - len(tail)
        while left > 0:
            self.wfile.write(pad[:left])
            left -= min(left, len(pad))
        self.wfile.write(tail)

    def reset(self):
        self.entry["status"] = 0
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    # -- dispatch --
    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        st = self.server.st
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        api = self.classify(method, path)
        self.entry = {"method": method, "path": path, "query": url.query, "api": api,
                      "listener": "http" if self.server.plain else "https", "t0": time.time()}
        if api == "arg":
            self.entry["body"] = body
        self.extra_headers = {}
        self.fault = None
        try:
            self.dispatch(st, method, api, path, query, body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.entry["client_gone"] = True  # e.g. the client timed out on a slow response
            self.close_connection = True
        finally:
            st.record(self.entry)

    def classify(self, method, path):
        if self.server.plain:
            return "identity"
        if method == "POST" and path.endswith("/oauth2/v2.0/token"):
            return "token"
        if path.startswith("/_apis/oidc/token"):
            return "oidc"
        if method == "POST" and path.lower() == "/providers/microsoft.resourcegraph/resources":
            return "arg"
        return "arm"

    def dispatch(self, st, method, api, path, query, body):
        self.fault = st.next_fault(api, path, body)
        f = self.fault
        if f:
            self.entry["fault"] = f["action"]
            if f["action"] == "reset":
                return self.reset()
            if f["action"] == "oversize":  # a 200 whose body is f["bytes"] long (default 64 MiB + 1)
                return self.oversize(f.get("bytes", (64 << 20) + 1))
            if f["action"] == "slow":
                time.sleep(f.get("delay", 3))
            if f["action"] in ("429", "500", "503"):
                code = int(f["action"])
                hdrs = {"Retry-After": str(f["retry_after"])} if "retry_after" in f and code == 429 else {}
                self.entry["retry_after"] = f.get("retry_after")
                return self.send_json(code, {"error": {"code": "TooManyRequests" if code == 429 else
                                                       "InternalServerError", "message": "scripted fault"}}, hdrs)
        if api == "identity":
            return handle_identity(st, self, path, query)
        if api == "token":
            return handle_token(st, self, path.split("/")[1], body)
        if api == "oidc":
            return handle_github(st, self, query)
        denied = st.check_bearer(self.headers.get("Authorization"))
        if denied:
            self.extra_headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return self.error(*denied)
        if api == "arg":
            ok, remaining, resets = st.arg_quota()
            self.extra_headers["x-ms-user-quota-remaining"] = str(remaining)
            self.extra_headers["x-ms-user-quota-resets-after"] = hhmmss(resets)
            if not ok:
                self.entry["over_quota"] = True
                self.entry["retry_after"] = int(resets + 0.999)
                self.extra_headers["Retry-After"] = str(int(resets + 0.999))
                return self.error(429, "RateLimiting", "Please provide below info when asking for support.")
            return handle_arg(st, self, body)
        ok, remaining, wait = st.arm_take(sub_of(path))
        self.extra_headers["x-ms-ratelimit-remaining-subscription-reads" if sub_of(path) else
                           "x-ms-ratelimit-remaining-tenant-reads"] = str(remaining)
        if not ok:
            self.entry["over_quota"] = True
            self.entry["retry_after"] = int(wait + 0.999)
            self.extra_headers["Retry-After"] = str(int(wait + 0.999))
            return self.error(429, "SubscriptionRequestsThrottled", "Number of read requests exceeded the limit.")
        return handle_arm(st, self, path, query)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--config")
    ap.add_argument("--cert-password", default="test-cert-password")
    args = ap.parse_args()
    cfg = dict(DEFAULTS)
    if args.config:
        with open(args.config) as f:
            cfg.update(json.load(f))
    os.makedirs(args.state, exist_ok=True)
    make_certs(args.state, args.cert_password)
    st = State(cfg, Fixture(args.fixture), args.state, client_public_key(args.state))

    tls = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(args.state, "server.pem"), os.path.join(args.state, "server.key"))
    # the handshake runs in the handler thread, not in the accept loop
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True, do_handshake_on_connect=False)
    tls.st, tls.plain = st, False
    plain = Server(("127.0.0.1", 0), Handler)
    plain.st, plain.plain = st, True
    st.port = tls.server_address[1]
    for srv in (tls, plain):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    tmp = os.path.join(args.state, "ports.json.tmp")
    with open(tmp, "w") as f:
        json.dump({"https": tls.server_address[1], "http": plain.server_address[1], "pid": os.getpid()}, f)
    os.rename(tmp, os.path.join(args.state, "ports.json"))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
