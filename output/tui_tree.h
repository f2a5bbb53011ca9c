/*
 * tui_tree.h - the hierarchy of the TUI, without drawing: management group
 * -> subscription -> resource group -> resource, with failing counts by
 * severity, unknown and exempt counts and resource counts rolled up to every
 * ancestor; nodes expand and collapse. The dashboard's posture table is
 * its management-group and subscription rows.
 *
 * Management groups come from each subscription's ancestor chain
 * (inv_mg_chain), labelled with their displayName when the input holds the
 * management group; subscriptions with their display name when known.
 * Child objects (diagnostic settings, ...) are not nodes: their findings
 * count on their top-level resource. Children are sorted by kind and label.
 *
 * Ownership: the tree borrows the report and owns its nodes and strings.
 */
#ifndef TUI_TREE_H
#define TUI_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/lz.h"
#include "../rules/report.h"
#include "tui_model.h"

#define TUI_NODE_NONE UINT32_MAX

enum tui_node_kind { TN_ROOT = 0, TN_MG, TN_SUB, TN_RG, TN_RES };

typedef struct tui_node {
    uint32_t parent, first, next;    /* TUI_NODE_NONE when absent */
    uint32_t label, type;            /* display strings in the tree's arena */
    inv_idx res;                     /* the object, INV_NONE when the input lacks it */
    uint32_t fail[SEV_CRITICAL + 1]; /* failing findings by severity */
    uint32_t unknown, exempt, nres;
    uint8_t kind, depth; /* depth 1 for the top level */
    bool open;
} tui_node;

typedef struct tui_tree {
    const report *r;
    tui_node *nodes; /* nodes[0] is the (hidden) root */
    size_t n, cap;
    lz_buf arena;
    uint32_t *of_finding; /* per finding: its node (0 = unplaced) */
    uint32_t *order;      /* every node but the root in display (pre-)order */
    uint32_t *vis;        /* the rows shown: nodes whose ancestors are open */
    size_t nvis;
    uint32_t *dash; /* management groups and subscriptions, in order */
    size_t ndash;
    tui_cursor cur;
    uint32_t *pos_in_order;
    void *priv; /* lookup maps, freed by tui_tree_free */
} tui_tree;

void tui_tree_build(tui_tree *t, const report *r);
void tui_tree_free(tui_tree *t);

static inline const char *tui_tree_str(const tui_tree *t, uint32_t off) {
    return t->arena.data + off;
}
uint32_t tui_tree_failing(const tui_node *nd); /* all severities */

/* Opens or closes a node and recomputes the visible rows, keeping the cursor
 * on the same node. */
void tui_tree_set_open(tui_tree *t, uint32_t node, bool open);
/* Opens every ancestor of node and puts the cursor on it. */
void tui_tree_reveal(tui_tree *t, uint32_t node, size_t page);
/* The node under the cursor (TUI_NODE_NONE when empty). */
uint32_t tui_tree_selected(const tui_tree *t);
/* True when node is anc or below it. */
bool tui_tree_within(const tui_tree *t, uint32_t node, uint32_t anc);
/* in_scope[i] = finding i is within node; a buffer of r->nfindings bytes. */
void tui_tree_scope(const tui_tree *t, uint32_t node, uint8_t *in_scope);
/* The label shown for a subscription (lower-cased GUID), or NULL:
 * a tui_sub_label_fn for the findings model (ctx = the tree). */
const char *tui_tree_sub_label(const char *sub, void *ctx);

#endif
