/*
 * feed.h - feeds work (the ARM child-list calls of a parent resource) to the
 * scheduler, balanced across subscriptions.
 *
 * Why: ARM paces reads per subscription (a 250-token bucket refilled at
 * 25/s). Sent in the order Resource Graph returns the parents (by id, so by
 * subscription), the last subscriptions' calls come last and alone, and
 * their bucket, not the connections, sets the pace of the tail (the
 * benchmark in docs/benchmarks.md measured it). Fed instead from the
 * subscription with the most calls still to send, every subscription drains
 * at the same relative rate and all finish together: the connections stay
 * busy to the end, and each bucket is drawn at about (connections /
 * latency) / subscriptions, under its refill in the common case.
 *
 * Work is fed as it becomes known (while Resource Graph pages still arrive)
 * and a little at a time: the scheduler's queue is kept at most `window`
 * calls long, and a subscription whose bucket has no room (live_arm_room)
 * is passed over while another has some, so calls that would only wait do
 * not fill the queue. When every subscription lacks room and nothing is
 * queued, one item is fed anyway: the scheduler then waits on its bucket,
 * and collection never stalls.
 */
#ifndef LIVE_FEED_H
#define LIVE_FEED_H

#include <stddef.h>

#include "sched.h"

typedef struct live_feed live_feed;

/* Submits the calls of work item `item` (the caller's index) to L. */
typedef void (*feed_send_fn)(live_ctx *L, size_t item, void *ctx);

live_feed *feed_new(feed_send_fn send, void *ctx);
void feed_free(live_feed *f);

/* Queues item, which makes `calls` calls on subscription sub (lower-cased
 * GUID; "" for tenant-level work). */
void feed_add(live_feed *f, const char *sub, size_t item, size_t calls);

/* Feeds items to L while its queue is shorter than window. */
void feed_pump(live_feed *f, live_ctx *L, size_t window);

/* Items queued here and not yet fed. */
size_t feed_left(const live_feed *f);

#endif
