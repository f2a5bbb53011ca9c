#!/usr/bin/env python3
"""Validates JSON documents against a JSON Schema (python3-jsonschema).

usage: validate_schema.py SCHEMA.json DOC.json [DOC.json ...]
"""
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    bad = 0
    for path in sys.argv[2:]:
        errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
        for err in errors[:20]:
            print("%s: %s: %s" % (path, "/".join(map(str, err.path)), err.message))
        bad += len(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
