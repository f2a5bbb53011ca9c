/*
 * feed.c - see feed.h.
 *
 * A max-heap of subscriptions keyed by the calls each still has to send
 * (ties: the subscription seen first), each with its items in arrival order.
 */
#include "feed.h"

#include <stdlib.h>
#include <string.h>

#include "strmap.h"

typedef struct feed_item {
    size_t item, calls;
} feed_item;

typedef struct feed_sub {
    char *name;
    feed_item *items;
    size_t head, n, cap;
    size_t calls_left;
    size_t heap_at; /* position in the heap, or SIZE_MAX when not in it */
} feed_sub;

struct live_feed {
    feed_send_fn send;
    void *ctx;
    feed_sub *subs;
    size_t nsubs, capsubs;
    live_map index; /* name -> subs[] */
    size_t *heap;   /* indices into subs */
    size_t nheap, capheap;
    size_t left; /* items not yet fed */
};

#define NOT_IN_HEAP ((size_t)-1)

live_feed *feed_new(feed_send_fn send, void *ctx) {
    live_feed *f = lz_calloc(1, sizeof *f);
    f->send = send;
    f->ctx = ctx;
    return f;
}

void feed_free(live_feed *f) {
    if (!f) return;
    for (size_t i = 0; i < f->nsubs; i++) {
        free(f->subs[i].name);
        free(f->subs[i].items);
    }
    free(f->subs);
    free(f->heap);
    live_map_free(&f->index);
    free(f);
}

size_t feed_left(const live_feed *f) {
    return f->left;
}

/* ---- the heap ---- */

static bool above(const live_feed *f, size_t a, size_t b) {
    const feed_sub *x = &f->subs[a], *y = &f->subs[b];
    return x->calls_left > y->calls_left || (x->calls_left == y->calls_left && a < b);
}

static void heap_set(live_feed *f, size_t at, size_t sub) {
    f->heap[at] = sub;
    f->subs[sub].heap_at = at;
}

static void sift_up(live_feed *f, size_t at) {
    size_t sub = f->heap[at];
    while (at > 0 && above(f, sub, f->heap[(at - 1) / 2])) {
        heap_set(f, at, f->heap[(at - 1) / 2]);
        at = (at - 1) / 2;
    }
    heap_set(f, at, sub);
}

static void sift_down(live_feed *f, size_t at) {
    size_t sub = f->heap[at];
    for (;;) {
        size_t l = 2 * at + 1, r = l + 1, best = at;
        size_t best_sub = sub;
        if (l < f->nheap && above(f, f->heap[l], best_sub)) best = l, best_sub = f->heap[l];
        if (r < f->nheap && above(f, f->heap[r], best_sub)) best = r, best_sub = f->heap[r];
        if (best == at) break;
        heap_set(f, at, best_sub);
        at = best;
    }
    heap_set(f, at, sub);
}

static void heap_push(live_feed *f, size_t sub) {
    lz_grow(&f->heap, &f->capheap, f->nheap + 1, sizeof *f->heap);
    f->heap[f->nheap++] = sub;
    sift_up(f, f->nheap - 1);
}

static size_t heap_pop(live_feed *f) {
    size_t top = f->heap[0];
    f->subs[top].heap_at = NOT_IN_HEAP;
    if (--f->nheap) {
        f->heap[0] = f->heap[f->nheap];
        sift_down(f, 0);
    }
    return top;
}

/* ---- work ---- */

void feed_add(live_feed *f, const char *sub, size_t item, size_t calls) {
    size_t si;
    if (!live_map_get(&f->index, sub, &si)) {
        LZ_PUSH(f->subs, f->nsubs, f->capsubs, ((feed_sub){lz_strdup(sub), NULL, 0, 0, 0, 0, NOT_IN_HEAP}));
        si = f->nsubs - 1;
        live_map_put(&f->index, sub, si);
    }
    feed_sub *s = &f->subs[si];
    LZ_PUSH(s->items, s->n, s->cap, ((feed_item){item, calls}));
    s->calls_left += calls;
    f->left++;
    if (s->heap_at == NOT_IN_HEAP)
        heap_push(f, si);
    else
        sift_up(f, s->heap_at);
}

/* Feeds the oldest item of subscription si (popped from the heap). */
static void feed_one(live_feed *f, live_ctx *L, size_t si) {
    feed_sub *s = &f->subs[si];
    feed_item it = s->items[s->head++];
    s->calls_left -= it.calls;
    f->left--;
    if (s->head == s->n) { /* drained: give the memory back until more arrives */
        free(s->items);
        s->items = NULL;
        s->head = s->n = s->cap = 0;
    } else {
        heap_push(f, si);
    }
    f->send(L, it.item, f->ctx);
}

void feed_pump(live_feed *f, live_ctx *L, size_t window) {
    size_t *aside = NULL, naside = 0, capaside = 0;
    while (f->nheap && live_pending(L) < window) {
        size_t si = heap_pop(f);
        if (live_arm_room(L, f->subs[si].name) < 1) { /* its calls would only wait: another first */
            LZ_PUSH(aside, naside, capaside, si);
            continue;
        }
        feed_one(f, L, si);
    }
    /* Every subscription waits on its bucket: queue one call so that the
     * scheduler has something to wait for (else live_run would end). */
    if (naside && live_pending(L) == 0) {
        feed_one(f, L, aside[0]);
        aside[0] = aside[--naside];
    }
    for (size_t i = 0; i < naside; i++) heap_push(f, aside[i]);
    free(aside);
}
