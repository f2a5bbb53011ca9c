/* builtin.h - the built-in rule pack's files, embedded at build time by
 * rules/embed_pack.cmake. The array ends with a {NULL, NULL, 0} entry. */
#ifndef BUILTIN_H
#define BUILTIN_H

#include <stddef.h>

struct lz_builtin_file {
    const char *name; /* path relative to rules/builtin/, e.g. "network/AIHUB-NET-001.yaml" */
    const char *data; /* NUL-terminated */
    size_t len;
};
extern const struct lz_builtin_file lz_builtin_files[];

#endif
