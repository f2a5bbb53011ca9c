#!/usr/bin/env python3
"""Validates lzscan SARIF logs: the OASIS SARIF 2.1.0 schema (draft-04, with
format checking: uri, uri-reference, date-time) and what GitHub code scanning
needs from every result and rule.

usage: validate_sarif.py SCHEMA.json LOG.sarif [LOG.sarif ...]

Format checking needs rfc3987 (Debian: python3-rfc3987, which scripts/setup.sh
installs); without it uri formats would silently pass, so its absence fails.
"""
import datetime
import json
import re
import sys

import jsonschema


def import_rfc3987():
    try:
        import rfc3987  # noqa: F401
    except ImportError:
        # python3 may be another interpreter than Debian's (pyenv, venv):
        # the Debian package's pure-Python module works with any 3.x.
        sys.path.append("/usr/lib/python3/dist-packages")
        import rfc3987  # noqa: F401


def format_checker():
    import_rfc3987()
    fc = jsonschema.FormatChecker()
    for fmt in ("uri", "uri-reference"):
        if fmt not in fc.checkers:
            # jsonschema registers these at import time when rfc3987 was
            # importable then; register them now that it is.
            import rfc3987

            rule = {"uri": "URI", "uri-reference": "URI_reference"}[fmt]
            fc.checks(fmt, raises=ValueError)(lambda v, r=rule: not isinstance(v, str) or rfc3987.parse(v, rule=r))
    if "date-time" not in fc.checkers:

        @fc.checks("date-time", raises=ValueError)
        def date_time(v):
            if isinstance(v, str):
                datetime.datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00"))
            return True

    return fc


LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SCORES = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}


def check_rule(path, rule, problems):
    rid = rule.get("id")
    for key in ("shortDescription", "fullDescription"):
        if not rule.get(key, {}).get("text"):
            problems.append("%s: rule %s lacks %s.text" % (path, rid, key))
    help_ = rule.get("help", {})
    if not help_.get("text") or not help_.get("markdown"):
        problems.append("%s: rule %s lacks help.text or help.markdown" % (path, rid))
    props = rule.get("properties", {})
    sev = props.get("severity")
    if rule.get("defaultConfiguration", {}).get("level") != LEVELS.get(sev):
        problems.append("%s: rule %s: defaultConfiguration.level does not follow severity %s" % (path, rid, sev))
    if props.get("security-severity") != SCORES.get(sev):
        problems.append("%s: rule %s: security-severity %r for %s" % (path, rid, props.get("security-severity"), sev))
    tags = props.get("tags") or []
    if "security" not in tags or len(tags) < 2:
        problems.append("%s: rule %s: tags %r lack security and a control family" % (path, rid, tags))
    if props.get("precision") not in ("very-high", "high", "medium", "low"):
        problems.append("%s: rule %s: precision %r" % (path, rid, props.get("precision")))


def check_result(path, i, res, rules, problems):
    where = "%s: result %d" % (path, i)
    loc = (res.get("locations") or [{}])[0]
    phys = loc.get("physicalLocation", {})
    uri = phys.get("artifactLocation", {}).get("uri", "")
    if not uri or uri.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri):
        problems.append("%s: artifactLocation.uri %r is not a relative reference" % (where, uri))
    region = phys.get("region", {})
    if region.get("startLine") != 1 or region.get("startColumn") != 1:
        problems.append("%s: region is not 1:1" % where)
    logical = (loc.get("logicalLocations") or [{}])[0]
    if not logical.get("fullyQualifiedName", "").startswith("/"):
        problems.append("%s: no logical location with the full ARM id" % where)
    fp = res.get("partialFingerprints", {}).get("primaryLocationLineHash", "")
    if not re.fullmatch(r"[0-9a-f]{64}", fp):
        problems.append("%s: primaryLocationLineHash %r" % (where, fp))
    idx = res.get("ruleIndex")
    if idx is None or idx >= len(rules) or rules[idx].get("id") != res.get("ruleId"):
        problems.append("%s: ruleIndex %r does not point at rule %s" % (where, idx, res.get("ruleId")))
    elif res.get("kind", "fail") == "fail":
        sev = rules[idx]["properties"]["severity"]
        if res.get("level") != LEVELS[sev]:
            problems.append("%s: level %r for a %s rule" % (where, res.get("level"), sev))
    elif res.get("level", "none") != "none":
        problems.append("%s: kind %s needs level none" % (where, res.get("kind")))


def check_github(path, log, problems):
    runs = log.get("runs", [])
    if len(runs) != 1:
        problems.append("%s: %d runs, expected one" % (path, len(runs)))
    for run in runs:
        if not run.get("automationDetails", {}).get("id"):
            problems.append("%s: no runAutomationDetails.id" % path)
        inv = (run.get("invocations") or [{}])[0]
        if "exitCode" not in inv or "executionSuccessful" not in inv:
            problems.append("%s: the invocation lacks exitCode or executionSuccessful" % path)
        rules = run["tool"]["driver"].get("rules", [])
        for rule in rules:
            check_rule(path, rule, problems)
        results = run.get("results", [])
        if len(results) > 25000:
            problems.append("%s: %d results, GitHub takes 25,000" % (path, len(results)))
        for i, res in enumerate(results):
            check_result(path, i, res, rules, problems)


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft4Validator.check_schema(schema)
    validator = jsonschema.Draft4Validator(schema, format_checker=format_checker())
    problems = []
    for path in sys.argv[2:]:
        log = json.load(open(path))
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        for err in errors[:20]:
            problems.append("%s: %s: %s" % (path, "/".join(map(str, err.path)), err.message))
        check_github(path, log, problems)
    for p in problems[:50]:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
