/*
 * atomic.h - replace a file so that readers see the old content or the new,
 * never a half-written one, even across a crash or power loss.
 *
 * The data goes to a temporary file in the same directory (so the rename
 * stays within one filesystem), is fsync'ed, renamed over the target, and
 * the directory is fsync'ed so the rename itself is durable. On any failure
 * the temporary file is removed and the previous file is untouched.
 *
 * If only the final directory fsync fails, the new content is already in
 * place; the error says so.
 *
 * The new file gets mode 0644 minus the process umask (as open(2) would
 * give), not the previous file's mode. A symlink at path is replaced by a
 * regular file, not followed.
 */
#ifndef LZ_ATOMIC_H
#define LZ_ATOMIC_H

#include <stddef.h>

#include "lz.h"

/* Writes data[0..len) to path atomically; "-" writes to stdout. Returns 0,
 * or -1 with a message naming the path (and the failing call) and errno. */
int lz_write_atomic(const char *path, const void *data, size_t len, lz_err *e);

#endif
