/*
 * tui_exempt.h - exemptions written from the TUI (`e` on a finding): the
 * entry in the format of docs/exemptions.md, appended to the exemptions
 * file atomically.
 *
 * The existing file is read and parsed (libyaml) to find its `exemptions:`
 * list; the new entry is inserted as the list's last item, in the list's
 * own indentation, leaving every other byte (comments included) as it was.
 * A missing file is created with an `exemptions:` list. The result is
 * parsed again and must hold exactly one more item before it replaces the
 * file (lz_write_atomic): a file lzscan cannot extend safely (not YAML, a
 * non-empty flow list, no `exemptions:` key, several documents) is an error
 * and is left untouched.
 *
 * Values are written as double-quoted YAML scalars with control, C1 and
 * bidi characters escaped, so that no value can break out of its field. A
 * resource id holding glob characters (* ? [ ] { } \) is written as an
 * anchored, escaped resourceIdRegex instead of a resourceId glob, so the
 * exemption matches that resource only.
 *
 * Ownership: the caller owns the tui_exemption strings and the output buffer.
 */
#ifndef TUI_EXEMPT_H
#define TUI_EXEMPT_H

#include <stddef.h>
#include <time.h>

#include "../common/lz.h"

#define TUI_EXEMPTIONS_DEFAULT "./lzscan-exemptions.yaml"

typedef struct tui_exemption {
    const char *rule_id;     /* exact rule id */
    const char *resource_id; /* the finding's subject id */
    const char *justification, *owner, *ticket;
    const char *expires; /* YYYY-MM-DD */
} tui_exemption;

enum tui_exempt_field { TXF_NONE = -1, TXF_JUSTIFICATION = 0, TXF_OWNER, TXF_TICKET, TXF_EXPIRES };

/* Checks every field: present and not blank, valid UTF-8, expires a real
 * date not before today (UTC, from now). Returns 0, or -1 with a message and
 * *field (may be NULL) naming the form field at fault (TXF_NONE for the
 * rule or resource). */
int tui_exempt_validate(const tui_exemption *x, time_t now, enum tui_exempt_field *field, lz_err *e);

/* Appends one list item ("- rules: ..."), its dash at column indent. */
void tui_exempt_format(lz_buf *out, const tui_exemption *x, size_t indent);

/* The exemptions file text old[0..len) (NULL or empty: none yet) with x
 * appended, into out. name is used in messages. */
int tui_exempt_append_text(const char *old, size_t len, const char *name, const tui_exemption *x, lz_buf *out,
                           lz_err *e);

/* Validates x, reads path (absent: a new file), appends, writes atomically. */
int tui_exempt_append_file(const char *path, const tui_exemption *x, time_t now, lz_err *e);

/* YAML double-quoted form of s (for tests). */
void tui_yaml_quote(lz_buf *out, const char *s);

#endif
