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

#include <signal.h>
#include <stddef.h>

#include "lz.h"

/* Writes data[0..len) to path atomically; "-" writes to stdout. Returns 0,
 * or -1 with a message naming the path (and the failing call) and errno. */
int lz_write_atomic(const char *path, const void *data, size_t len, lz_err *e);

/*
 * The same guarantees for output produced piece by piece (a report of
 * hundreds of megabytes need not be held in memory first):
 *
 *     lz_atomic *f;
 *     if (lz_atomic_open(&f, path, e) < 0) return -1;
 *     ... lz_atomic_write(f, data, len, e) as often as needed ...
 *     return lz_atomic_commit(f, e);      or lz_atomic_abort(f) to give up
 *
 * Nothing is visible at path until lz_atomic_commit succeeds; abort, a
 * failed write or commit, or a fatal signal leave the previous file. "-"
 * streams to stdout and a non-regular path (/dev/null, a FIFO) is written in
 * place, as lz_write_atomic does: neither can be replaced atomically.
 * Commit and abort free the writer; after a failed write, call abort.
 */
typedef struct lz_atomic lz_atomic;
int lz_atomic_open(lz_atomic **out, const char *path, lz_err *e);
int lz_atomic_write(lz_atomic *f, const void *data, size_t len, lz_err *e);
int lz_atomic_commit(lz_atomic *f, lz_err *e);
void lz_atomic_abort(lz_atomic *f);

/*
 * Temporary files and signals. A registered temporary file is removed when
 * SIGINT, SIGTERM or SIGHUP arrives while that signal would kill the process
 * (its disposition is the default); the process then dies of the signal as
 * it would have, so the exit status still says what happened. A signal the
 * program handles or ignores itself is left alone: the program decides, and
 * its normal error path removes the file. SIGKILL cannot be caught: a
 * dot-prefixed temporary file may remain after one.
 *
 * lz_write_atomic registers its own temporary file. Other writers that keep
 * a temporary file open for long (snapshots, evidence bundles) use these.
 */

/* mkstemp(tmpl), with the new file registered before any signal can see it.
 * Returns the descriptor, or -1 with errno set. *slot receives the
 * registration (-1 when it could not be registered: more than
 * LZ_TEMP_SLOTS at once, or a path longer than LZ_TEMP_PATH_MAX; the file is
 * created anyway). */
#define LZ_TEMP_SLOTS    16
#define LZ_TEMP_PATH_MAX 4096
int lz_temp_create(char *tmpl, int *slot);
/* Stops tracking a registered file or directory (after renaming or
 * removing it). -1 is a no-op. */
void lz_temp_forget(int slot);
/* lz_temp_forget for the slot that holds path (as given when created), if any. */
void lz_temp_forget_path(const char *path);

/* mkdtemp(tmpl), registered like lz_temp_create: a fatal signal removes the
 * directory and everything in it (up to LZ_TEMP_DIR_DEPTH levels below it;
 * symbolic links are removed, never followed). For output that is a whole
 * directory, built under a temporary name and renamed into place. Returns
 * 0, or -1 with errno set; *slot as for lz_temp_create. */
#define LZ_TEMP_DIR_DEPTH 4
int lz_temp_dir_create(char *tmpl, int *slot);

/* Removes directory path and everything in it, as the signal handler does
 * (same depth limit, symbolic links not followed); for an error path giving
 * up on a temporary directory, registered or not. Returns 0 once it is gone,
 * else -1 with errno set. */
int lz_remove_tree(const char *path);

/* Removes every registered file and directory. Async-signal-safe: for a
 * program that handles SIGINT or SIGTERM itself (the registry then leaves
 * them alone) and is about to die of one. */
void lz_temp_remove_all(void);

/*
 * Stopping early instead of dying, for a long run that can still save what
 * it has (lzscan collect). After lz_interrupt_catch, the first SIGINT or
 * SIGTERM does not end the process: it is recorded (lz_interrupt_signal
 * returns it, and *lz_interrupt_flag() turns non-zero for loops that poll
 * it), and both signals go back to the temporary-file cleanup above, so a
 * second one ends the process at once and leaves no temporary file. A
 * signal the program ignores (SIG_IGN: a background job of a
 * non-interactive shell, nohup) or handles itself is left as it is.
 *
 * The handler is installed with SA_RESTART, so stdio keeps working, but
 * poll(2) and sleeps still return early (Linux never restarts them): a
 * waiting loop sees the flag at once.
 *
 * When the run has saved what it could, lz_interrupt_reraise ends the
 * process by the recorded signal, as if it had not been caught: the shell
 * sees 130 (SIGINT) or 143 (SIGTERM), and a script that ran lzscan stops
 * too instead of carrying on with the next command.
 */
void lz_interrupt_catch(void);
int lz_interrupt_signal(void); /* 0, or the signal caught */
const volatile sig_atomic_t *lz_interrupt_flag(void);
/* If a signal was caught: removes registered temporary files and dies of it
 * (exit status 128 + the signal if it cannot be re-raised). Else returns. */
void lz_interrupt_reraise(void);
/* "SIGINT", "SIGTERM", "SIGHUP", else "signal N" (in a static buffer). */
const char *lz_signal_name(int sig);

#endif
