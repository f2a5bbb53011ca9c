/*
 * fuzz_armid - ARM resource id parsing (ids come from untrusted data).
 *
 * Oracles: every slice lies inside the input; the parent is a proper prefix
 * of the id ending before a '/'; a parent parses again and walking parents
 * up always terminates; case does not change the structure.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../common/lz.h"
#include "../../scanner/armid.h"
#include "fuzz_util.h"

static void check_slice(const char *id, size_t len, armid_slice s, const char *what) {
    if (!s.len) return;
    FUZZ_CHECK(s.p >= id && s.p + s.len <= id + len, what, id, len);
}

static void check(const char *id, size_t len, const armid *a) {
    check_slice(id, len, a->subscription, "subscription slice outside the id");
    check_slice(id, len, a->resource_group, "resource group slice outside the id");
    check_slice(id, len, a->management_group, "management group slice outside the id");
    check_slice(id, len, a->parent, "parent slice outside the id");
    check_slice(id, len, a->name, "name slice outside the id");
    if (a->parent.len) {
        FUZZ_CHECK(a->parent.p == id && a->parent.len < len && id[a->parent.len] == '/',
                   "parent is not a prefix of the id ending at a '/'", id, len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *id = fuzz_cstr(data, size);
    armid a;
    if (armid_parse(id, size, &a) == 0) {
        check(id, size, &a);
        /* Same structure whatever the case (ARM ids are case-insensitive). */
        char *low = fuzz_cstr(data, size);
        lz_lower(low, size);
        armid b;
        FUZZ_CHECK(armid_parse(low, size, &b) == 0, "lower-cased id does not parse", id, size);
        FUZZ_CHECK(a.parent.len == b.parent.len && a.subscription.len == b.subscription.len &&
                       a.resource_group.len == b.resource_group.len && a.name.len == b.name.len,
                   "case changes the parse", id, size);
        free(low);
        /* Walking up the parents terminates, each step strictly shorter. */
        size_t plen = a.parent.len;
        while (plen) {
            armid up;
            FUZZ_CHECK(armid_parse(id, plen, &up) == 0, "a parent does not parse", id, plen);
            check(id, plen, &up);
            FUZZ_CHECK(up.parent.len < plen, "a parent's parent is not shorter", id, plen);
            plen = up.parent.len;
        }
    }
    free(id);
    return 0;
}
