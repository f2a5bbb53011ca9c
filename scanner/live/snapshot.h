/*
 * snapshot.h - writes a live collection as an lzscan snapshot: NDJSON whose
 * first line is the manifest
 *   {"lzscan":"snapshot-manifest", "tool", "scope", "collectedAt",
 *    "endpoints", "apiVersions", "requests", "retries", "collected", "gaps",
 *    "complete", ...}
 * followed by one raw ARM object per line, as Resource Graph and ARM
 * returned it. `lzscan scan --input FILE` reads it with the ordinary ingest
 * (scanner/ingest.h), so a snapshot and the live scan it came from give the
 * same findings.
 *
 * The manifest is known only at the end, so objects go to a temporary file
 * first (unlinked as soon as it is open: nothing is left of it after a
 * crash); snap_commit writes manifest + objects through the atomic writer
 * (common/atomic.h: a temporary file in the target's directory, fsynced,
 * renamed over the target, the directory fsynced): readers see the old file
 * or the whole new one. Every temporary file is registered with
 * lz_temp_create, so SIGINT, SIGTERM or SIGHUP at their default action
 * remove it. Objects are deduplicated by lower-cased id (Resource Graph may
 * return a row twice across split queries).
 */
#ifndef LIVE_SNAPSHOT_H
#define LIVE_SNAPSHOT_H

#include <stddef.h>

#include "../../common/lz.h"

typedef struct snap_writer snap_writer;

/* path: the snapshot to write; NULL = a private temporary file (for a live
 * scan), whose name snap_commit returns. */
int snap_open(snap_writer **out, const char *path, lz_err *e);
/* Appends one object (compact JSON, no newline). Returns 1 if written, 0 if
 * an object with the same id was already written, -1 on a write error. */
int snap_add(snap_writer *w, const char *json, size_t len, const char *id, lz_err *e);
size_t snap_count(const snap_writer *w);
/* Writes the manifest line and the objects to the final file. For a
 * temporary snapshot, *final_path receives its name: it stays registered for
 * removal on a fatal signal until snap_remove_temp(*final_path). Frees w in
 * every case. */
int snap_commit(snap_writer *w, const char *manifest, char **final_path, lz_err *e);
/* Removes a temporary snapshot snap_commit made, ends its registration and
 * frees path. NULL is a no-op. */
void snap_remove_temp(char *path);
/* Abandons the snapshot: removes temporary files, leaves the target alone. */
void snap_abort(snap_writer *w);

#endif
