/*
 * out_rules.h - renderers for `lzscan rules list` and `lzscan rules show ID`.
 *
 *   text      list: a table (id, severity, title); show: every field, the
 *             source file:line and the rule's YAML text
 *   json      list: an array of full rule metadata; show: one such object
 *             plus "yaml" (the rule's source text) when it can be read
 *   markdown  list: a table plus a section per rule; show: one section with
 *             the YAML in a code block
 *
 * Rule text can come from users' --rules directories, so text and Markdown
 * output go through out_sanitize like any other untrusted string.
 * Everything is appended to the caller's lz_buf.
 */
#ifndef OUT_RULES_H
#define OUT_RULES_H

#include "../common/lz.h"
#include "../rules/rule.h"

enum out_rules_format { OUT_RULES_TEXT = 0, OUT_RULES_JSON, OUT_RULES_MARKDOWN };

/* "text", "json", "markdown" (or "md"); returns -1 with a message otherwise. */
int out_rules_format_parse(const char *s, enum out_rules_format *f, lz_err *e);

int out_rules_list(const rule_pack *p, enum out_rules_format f, lz_buf *out, lz_err *e);
int out_rules_show(const rule_pack *p, const rule *r, enum out_rules_format f, lz_buf *out, lz_err *e);

/*
 * The YAML document the rule was loaded from (the whole `---`-delimited
 * document around r->line), read from the embedded built-in pack for
 * "builtin:NAME" sources, else from the file. NULL if it cannot be read.
 * The caller frees the result.
 */
char *out_rule_source_text(const rule *r);

#endif
