/*
 * collect.h - live collection: authenticate, resolve the scope, read what
 * the rule pack needs from Resource Graph and ARM, and write it as a
 * snapshot (snapshot.h) or load it into an inventory.
 *
 * Order of work: the token, the scope's containers (scope.h); then, in one
 * scheduler run, one Resource Graph query per table the plan wants, over
 * subscription batches (arg.h; `resources` projected to what the rules
 * read, project.h), and, when the pack does not read every resource type,
 * the types that collected objects point at (so that `ref:` joins resolve
 * as offline), up to three rounds; the ARM child lists (arm.h) of each
 * parent start as soon as its row arrives, fed across subscriptions by
 * feed.h. Whatever could not be read is a coverage gap named after the
 * call and its status; nothing is dropped silently.
 *
 * A live scan is exactly a collection into a private temporary snapshot
 * followed by the ordinary ingest of that file, so `lzscan scan` live and
 * `lzscan scan --input SNAPSHOT` see the same inventory.
 */
#ifndef LIVE_COLLECT_H
#define LIVE_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "../../rules/rule.h"
#include "../inventory.h"
#include "opts.h"
#include "sched.h"

typedef struct live_result {
    size_t objects;
    char **gaps; /* "reason (scope, type)" lines, owned */
    size_t ngaps;
    live_stats stats;
    /* The signal that cut collection short (lz_interrupt_catch in
     * common/atomic.h), or 0. The calls then in flight are cancelled and
     * what was read so far is written, the manifest saying "complete": false
     * and "interrupted"; unless the scope itself was not read yet: then
     * nothing is written and written stays false. */
    int interrupted;
    bool written; /* the snapshot was committed */
} live_result;

void live_result_free(live_result *r);

/* Collects into the snapshot at out_path. */
int live_collect(const live_opts *o, const rule_pack *pack, const char *out_path, live_result *res,
                 lz_err *e);

/* Collects and loads the result into v (not finalized). */
int live_collect_inventory(const live_opts *o, const rule_pack *pack, inv *v, live_result *res, lz_err *e);

#endif
