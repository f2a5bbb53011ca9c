#!/usr/bin/env python3
"""Writes a large synthetic export for tests that need a long run.

    gen_large.py OUTDIR COUNT [--untagged-every N]

COUNT network security groups as NDJSON, 50,000 per file, spread over 50
subscriptions and 200 resource groups. Every object carries the pack's
required tags except every Nth (default 20), which fails AIHUB-GOV-001, so
the run is long (ingest and evaluation of COUNT objects) and the report is
large but not huge. Deterministic: the same arguments give the same bytes.
"""
import json
import os
import sys

TAGS = {"tenantId": "t1", "costCenter": "CC-1", "application": "app", "environment": "prod", "owner": "o@x"}


def main():
    args = sys.argv[1:]
    every = 20
    if "--untagged-every" in args:
        i = args.index("--untagged-every")
        every = int(args[i + 1])
        del args[i : i + 2]
    out, count = args[0], int(args[1])
    os.makedirs(out, exist_ok=True)
    per = 50000
    for start in range(0, count, per):
        with open(os.path.join(out, f"nsgs-{start // per:03d}.ndjson"), "w") as fh:
            for i in range(start, min(count, start + per)):
                sub = f"00000000-0000-4000-8000-{i % 50:012d}"
                obj = {
                    "id": f"/subscriptions/{sub}/resourceGroups/rg-{i % 200}/providers/"
                    f"Microsoft.Network/networkSecurityGroups/nsg-{i:07d}",
                    "type": "microsoft.network/networksecuritygroups",
                    "name": f"nsg-{i:07d}",
                    "location": "westeurope",
                    "tags": {} if i % every == 0 else TAGS,
                    "properties": {"securityRules": [], "provisioningState": "Succeeded"},
                }
                fh.write(json.dumps(obj, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
