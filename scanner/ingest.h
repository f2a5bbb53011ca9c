/*
 * ingest.h - reads input files and directories into an inventory.
 *
 * Shapes, detected per file from the JSON itself (not the file name):
 *   - `az graph query -o json`: {"count","data":[...],"skip_token","total_records"}
 *   - Resource Graph REST:      {"totalRecords","count","data":[...],"$skipToken",...}
 *   - ARM list response:        {"value":[...],"nextLink"}
 *   - a bare JSON array of ARM objects
 *   - NDJSON / concatenated JSON: one ARM object (or any shape above) per value
 *   - a single ARM object
 *   - an lzscan snapshot manifest {"lzscan":"snapshot-manifest", ...}
 * Elements of `data`/`value` arrays are parsed and stored one at a time, so
 * a file is never held as a DOM. A page that says more rows exist
 * (skip_token / $skipToken / nextLink / resultTruncated "true") adds a
 * coverage gap: the input is a partial export.
 *
 * Directories are walked recursively in sorted order; only *.json, *.ndjson
 * and *.jsonl files are read, and documents that are lzscan's own output
 * (a top-level "lzscan" key or tool.name "lzscan") are skipped.
 *
 * Errors name file:line:column. Limits: nesting depth INGEST_MAX_DEPTH,
 * string length INGEST_MAX_STRING bytes.
 */
#ifndef INGEST_H
#define INGEST_H

#include <stddef.h>

#include "../common/lz.h"
#include "inventory.h"

#define INGEST_MAX_DEPTH  256
#define INGEST_MAX_STRING (16u << 20)

/* Reads a file or a directory. */
int ingest_path(inv *v, const char *path, lz_err *e);
/* Reads one document from memory; name is used in messages (tests, fuzzing). */
int ingest_buffer(inv *v, const char *name, const char *data, size_t len, lz_err *e);

#endif
