#!/usr/bin/env python3
"""merge_shards.py TENANT OUTDIR N: splits a generated tenant (fixtures/synth/generate.py) into N
snapshots by subscription, as N `lzscan collect --subscription ...` jobs would write them: a
manifest line, then one object per line. Objects outside any subscription (management groups) go
to every shard, as each job's resourcecontainers query returns them; the merge deduplicates them."""
import glob
import json
import os
import sys


def objects(tenant):
    yield from json.load(open(os.path.join(tenant, "resourcecontainers.json")))["data"]
    for page in sorted(glob.glob(os.path.join(tenant, "resources", "page-*.json"))):
        yield from json.load(open(page))["data"]
    for name in ("diagnostic-settings.ndjson", "authorizationresources.ndjson"):
        for line in open(os.path.join(tenant, name)):
            if line.strip():
                yield json.loads(line)


def subscription(obj):
    parts = obj["id"].split("/")
    return parts[2].lower() if len(parts) > 2 and parts[1].lower() == "subscriptions" else None


def main():
    tenant, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    objs = list(objects(tenant))
    subs = sorted({subscription(o) for o in objs} - {None})
    shard_of = {s: i % n for i, s in enumerate(subs)}
    # what a collector would list as collected: every child type it read (here: all types present)
    collected = sorted({o["type"].lower() for o in objs})
    for k in range(n):
        mine = [s for s in subs if shard_of[s] == k]
        rows = [o for o in objs if subscription(o) is None or shard_of[subscription(o)] == k]
        manifest = {"lzscan": "snapshot-manifest", "formatVersion": 1,
                    "tool": {"name": "lzscan", "version": "0.1.0"},
                    "scope": {"managementGroups": [], "subscriptions": mine, "excludedManagementGroups": [],
                              "excludedSubscriptions": [], "tenant": "7a1b0c2d-0000-4000-8000-0000000000ff",
                              "hierarchySource": "resourceGraph"},
                    "collectedAt": "2026-01-01T00:00:0%dZ" % k, "finishedAt": "2026-01-01T00:01:0%dZ" % k,
                    "requests": {"total": 10 + k, "token": 1, "resourceGraph": 4, "arm": 5 + k},
                    "retries": k, "throttled": 0, "tokenRefreshesAfter401": 0, "throttledWaitSeconds": 0.5,
                    "objects": len(rows), "collected": collected, "unavailable": [], "gaps": [],
                    "complete": True}
        with open(os.path.join(out, "shard-%d.ndjson" % k), "w") as f:
            f.write(json.dumps(manifest, separators=(",", ":")) + "\n")
            for o in rows:
                f.write(json.dumps(o, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
