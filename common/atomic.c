#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- temporary files removed on fatal signals ----
 * The handler may only use async-signal-safe calls (unlink, openat,
 * unlinkat, lseek, close, sigaction, raise), so paths live in fixed
 * buffers, and a slot's state says whether its buffer is complete:
 * FREE -> CLAIMED (being filled) -> LIVE. */

enum { SLOT_FREE = 0, SLOT_CLAIMED, SLOT_LIVE };
static char temp_paths[LZ_TEMP_SLOTS][LZ_TEMP_PATH_MAX];
static int temp_state[LZ_TEMP_SLOTS];
static bool temp_is_dir[LZ_TEMP_SLOTS]; /* written while CLAIMED, read once LIVE */
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSIGNALS (sizeof cleanup_signals / sizeof cleanup_signals[0])

/* A directory's entries as the kernel returns them (struct linux_dirent64). */
struct dirent_raw {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int remove_tree_at(int parent, const char *name, int depth);

/*
 * Empties the directory open as fd. opendir/readdir allocate, so entries
 * come from getdents64 through syscall(2): a raw system call with a buffer
 * on the stack, which is async-signal-safe like the other system calls here
 * (glibc's syscall() only sets errno). Removing entries while reading may
 * make the kernel skip some, so the directory is read again from the start
 * until a pass finds nothing left it can remove.
 */
static void empty_dir(int fd, int depth) {
    char buf[4096] __attribute__((aligned(8)));
    for (int pass = 0; pass < 4096; pass++) {
        if (lseek(fd, 0, SEEK_SET) < 0) return;
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) return;
        int removed = 0;
        for (long off = 0; off < n;) {
            const struct dirent_raw *d = (const struct dirent_raw *)(buf + off);
            off += d->d_reclen;
            const char *nm = d->d_name;
            if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2]))) continue;
            /* unlink refuses a directory (EISDIR on Linux, EPERM per POSIX):
             * then it is emptied first. A symlink is removed, not followed. */
            if (unlinkat(fd, nm, 0) == 0 ||
                ((errno == EISDIR || errno == EPERM) && remove_tree_at(fd, nm, depth + 1) == 0))
                removed++;
        }
        if (!removed) return; /* what is left cannot be removed: stop rather than spin */
    }
}

/* Removes directory name (relative to parent) and its contents, at most
 * LZ_TEMP_DIR_DEPTH levels deep. Returns 0 once it is gone. */
static int remove_tree_at(int parent, const char *name, int depth) {
    if (depth > LZ_TEMP_DIR_DEPTH) return -1;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        empty_dir(fd, depth);
        close(fd);
    }
    return unlinkat(parent, name, AT_REMOVEDIR);
}

/* Removes slot i's file or directory. Async-signal-safe. */
static void remove_slot(int i) {
    if (temp_is_dir[i])
        remove_tree_at(AT_FDCWD, temp_paths[i], 0);
    else
        unlink(temp_paths[i]);
}

void lz_temp_remove_all(void) {
    int saved = errno;
    /* files first: a registered directory's own temporary files go with it anyway */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < LZ_TEMP_SLOTS; i++)
            if (__atomic_load_n(&temp_state[i], __ATOMIC_ACQUIRE) == SLOT_LIVE &&
                temp_is_dir[i] == (pass == 1))
                remove_slot(i);
    errno = saved;
}

static void on_fatal_signal(int sig) {
    lz_temp_remove_all();
    /* SA_RESETHAND restored the default action on entry; the re-raised
     * signal is delivered when the handler returns and ends the process. */
    raise(sig);
}

/* Makes on_fatal_signal the action for sig. Async-signal-safe (the
 * interrupt handler below calls it). */
static void arm_cleanup(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void on_interrupt(int sig);

/* Is sig's action still the default, or one of ours? (A handler or SIG_IGN
 * the program set itself is never replaced.) */
static bool ours_to_set(int sig) {
    struct sigaction old;
    if (sigaction(sig, NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO)) return false;
    return old.sa_handler == SIG_DFL || old.sa_handler == on_fatal_signal || old.sa_handler == on_interrupt;
}

/* Installs the handler for each signal still at its default action. */
static void install_handlers(void) {
    for (size_t i = 0; i < NSIGNALS; i++) {
        struct sigaction old;
        if (sigaction(cleanup_signals[i], NULL, &old) != 0) continue;
        if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) continue;
        arm_cleanup(cleanup_signals[i]);
    }
}

static int claim_slot(void) {
    for (int i = 0; i < LZ_TEMP_SLOTS; i++) {
        int want = SLOT_FREE;
        if (__atomic_compare_exchange_n(&temp_state[i], &want, SLOT_CLAIMED, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return i;
    }
    return -1;
}

/* mkstemp or mkdtemp, registered before any signal can see the result.
 * Returns mkstemp's descriptor, 0 for a directory, or -1 with errno. */
static int create_registered(char *tmpl, bool dir, int *slot) {
    *slot = -1;
    size_t len = strlen(tmpl);
    int i = len < LZ_TEMP_PATH_MAX ? claim_slot() : -1;
    if (i < 0) return dir ? (mkdtemp(tmpl) ? 0 : -1) : mkstemp(tmpl); /* untracked, but still created */
    install_handlers();
    /* With the signals blocked, no handler runs between the file appearing
     * and its registration. */
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t k = 0; k < NSIGNALS; k++) sigaddset(&block, cleanup_signals[k]);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int fd = dir ? (mkdtemp(tmpl) ? 0 : -1) : mkstemp(tmpl);
    int err = errno;
    if (fd >= 0) {
        memcpy(temp_paths[i], tmpl, len + 1);
        temp_is_dir[i] = dir;
        __atomic_store_n(&temp_state[i], SLOT_LIVE, __ATOMIC_RELEASE);
        *slot = i;
    } else {
        __atomic_store_n(&temp_state[i], SLOT_FREE, __ATOMIC_RELEASE);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = err;
    return fd;
}

int lz_temp_create(char *tmpl, int *slot) {
    return create_registered(tmpl, false, slot);
}

int lz_temp_dir_create(char *tmpl, int *slot) {
    return create_registered(tmpl, true, slot) < 0 ? -1 : 0;
}

void lz_temp_forget(int slot) {
    if (slot >= 0 && slot < LZ_TEMP_SLOTS) __atomic_store_n(&temp_state[slot], SLOT_FREE, __ATOMIC_RELEASE);
}

void lz_temp_forget_path(const char *path) {
    for (int i = 0; i < LZ_TEMP_SLOTS; i++)
        if (__atomic_load_n(&temp_state[i], __ATOMIC_ACQUIRE) == SLOT_LIVE &&
            strcmp(temp_paths[i], path) == 0) {
            lz_temp_forget(i);
            return;
        }
}

int lz_remove_tree(const char *path) {
    return remove_tree_at(AT_FDCWD, path, 0);
}

/* ---- stopping early on the first SIGINT / SIGTERM ---- */

static volatile sig_atomic_t interrupt_sig;
static const int interrupt_signals[] = {SIGINT, SIGTERM};
#define NINTERRUPT (sizeof interrupt_signals / sizeof interrupt_signals[0])
static bool interrupt_caught[NINTERRUPT]; /* set before the handler is installed */

/* Records the signal; the next one goes to the cleanup handler and kills.
 * Only the signals caught are re-armed: one left ignored stays ignored. */
static void on_interrupt(int sig) {
    int saved = errno;
    if (!interrupt_sig) interrupt_sig = sig;
    for (size_t i = 0; i < NINTERRUPT; i++)
        if (interrupt_caught[i]) arm_cleanup(interrupt_signals[i]);
    errno = saved;
}

void lz_interrupt_catch(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    /* both blocked while either runs: the handler re-arms both at once */
    for (size_t i = 0; i < NINTERRUPT; i++) sigaddset(&sa.sa_mask, interrupt_signals[i]);
    for (size_t i = 0; i < NINTERRUPT; i++)
        if (ours_to_set(interrupt_signals[i])) {
            interrupt_caught[i] = true;
            sigaction(interrupt_signals[i], &sa, NULL);
        }
}

int lz_interrupt_signal(void) {
    return interrupt_sig;
}

const volatile sig_atomic_t *lz_interrupt_flag(void) {
    return &interrupt_sig;
}

const char *lz_signal_name(int sig) {
    static char other[32];
    switch (sig) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    case SIGHUP:
        return "SIGHUP";
    default:
        snprintf(other, sizeof other, "signal %d", sig);
        return other;
    }
}

void lz_interrupt_reraise(void) {
    int sig = interrupt_sig;
    if (!sig) return;
    lz_temp_remove_all();
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig); /* not reached unless the signal could not end the process */
}

/* ---- writing ---- */

/* Writes all of data, retrying short writes and EINTR. */
static int write_all(int fd, const char *data, size_t len) {
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * The process umask. umask(2) can only be read by setting it, which races
 * with other threads creating files; Linux (4.7+) reports it in
 * /proc/self/status, so that is tried first.
 */
static mode_t current_umask(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned m;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Umask: %o", &m) == 1) {
            fclose(f);
            return (mode_t)m;
        }
    if (f) fclose(f);
    mode_t old = umask(022);
    umask(old);
    return old;
}

/* The directory part of path ("." if none); the caller frees. */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return lz_strdup(".");
    if (slash == path) return lz_strdup("/");
    return lz_strndup(path, (size_t)(slash - path));
}

/* fsync of the directory, so the rename survives a crash. Filesystems that
 * cannot sync a directory (EINVAL, ENOTSUP) are not an error. */
static int sync_dir(const char *dir, lz_err *e) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return lz_errf(e, "%s: open directory: %s", dir, strerror(errno));
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    if (rc != 0 && err != EINVAL && err != ENOTSUP)
        return lz_errf(e, "%s: fsync directory (file replaced, not yet durable): %s", dir, strerror(err));
    return 0;
}

/* ---- the writer ---- */

enum target_kind {
    TARGET_TEMP,   /* a temporary file renamed over path on commit */
    TARGET_STDOUT, /* "-" */
    TARGET_INPLACE /* an existing non-regular file: a device, a FIFO */
};

struct lz_atomic {
    enum target_kind kind;
    char *path; /* as given, for messages */
    char *dir;  /* TARGET_TEMP: where the temporary file and path live */
    char *tmp;  /* TARGET_TEMP: the temporary file */
    int fd;
    int slot;        /* the temporary file's signal registration, or -1 */
    off_t written;   /* TARGET_TEMP: bytes written so far */
    off_t submitted; /* ... and handed to the kernel's write-back */
};

/* Write-back is started every this many bytes (see start_writeback). */
#define WRITEBACK_CHUNK (8 << 20)

static void writer_free(lz_atomic *f) {
    free(f->path);
    free(f->dir);
    free(f->tmp);
    free(f);
}

/* The temporary file next to path, registered for removal on a signal and
 * given the mode a new file would get. */
static int open_temp(lz_atomic *f, lz_err *e) {
    const char *slash = strrchr(f->path, '/'), *base = slash ? slash + 1 : f->path;
    f->dir = dir_of(f->path);
    /* Dot-prefixed so directory scans skip it; capped to stay under NAME_MAX. */
    f->tmp = lz_asprintf("%s/.%.200s.XXXXXX", f->dir, base);
    f->fd = lz_temp_create(f->tmp, &f->slot);
    if (f->fd < 0)
        return lz_errf(e, "%s: cannot create a temporary file in %s: %s", f->path, f->dir, strerror(errno));
    (void)fcntl(f->fd, F_SETFD, FD_CLOEXEC); /* not inherited by child processes */
    if (fchmod(f->fd, 0644 & ~current_umask()) != 0) {
        int err = errno;
        close(f->fd);
        unlink(f->tmp);
        lz_temp_forget(f->slot);
        return lz_errf(e, "%s: fchmod of temporary file %s: %s", f->path, f->tmp, strerror(err));
    }
    return 0;
}

/*
 * A path that exists and is not a regular file (/dev/null, /dev/stdout, a
 * FIFO, a terminal) is written in place: renaming a temporary file over it
 * would replace the device node with a regular file.
 */
static int open_target(lz_atomic *f, lz_err *e) {
    if (strcmp(f->path, "-") == 0) {
        f->kind = TARGET_STDOUT;
        f->fd = STDOUT_FILENO;
        /* Anything already buffered in stdio goes first, to keep order. */
        if (fflush(stdout) != 0) return lz_errf(e, "stdout: write: %s", strerror(errno));
        return 0;
    }
    if (!*f->path) return lz_errf(e, "empty output path");
    struct stat st;
    if (stat(f->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) return lz_errf(e, "%s: is a directory", f->path);
        f->kind = TARGET_INPLACE;
        f->fd = open(f->path, O_WRONLY | O_CLOEXEC);
        if (f->fd < 0) return lz_errf(e, "%s: open: %s", f->path, strerror(errno));
        return 0;
    }
    f->kind = TARGET_TEMP;
    return open_temp(f, e);
}

int lz_atomic_open(lz_atomic **out, const char *path, lz_err *e) {
    lz_atomic *f = lz_calloc(1, sizeof *f);
    f->path = lz_strdup(path);
    f->fd = -1;
    f->slot = -1;
    if (open_target(f, e) < 0) {
        writer_free(f);
        return -1;
    }
    *out = f;
    return 0;
}

/* Messages name the target (what the user asked for) and, for a temporary
 * file, the file itself. */
static int write_error(const lz_atomic *f, const char *call, lz_err *e) {
    int err = errno;
    if (f->kind == TARGET_STDOUT) return lz_errf(e, "stdout: %s: %s", call, strerror(err));
    if (f->kind == TARGET_INPLACE) return lz_errf(e, "%s: %s: %s", f->path, call, strerror(err));
    return lz_errf(e, "%s: %s of temporary file %s: %s", f->path, call, f->tmp, strerror(err));
}

/*
 * A streamed report of hundreds of megabytes would otherwise sit in the page
 * cache until commit's fsync, which then waits for all of it (0.7 s for the
 * 684 MB of a 1M-resource report). Starting the write-back of each chunk as
 * it is written lets the disk work while the report is still being rendered.
 * Only a hint: SYNC_FILE_RANGE_WRITE does not wait, and commit's fsync still
 * reports any error, so a failure here is ignored.
 */
static void start_writeback(lz_atomic *f, size_t len) {
    f->written += (off_t)len;
    if (f->written - f->submitted < WRITEBACK_CHUNK) return;
    (void)sync_file_range(f->fd, f->submitted, f->written - f->submitted, SYNC_FILE_RANGE_WRITE);
    f->submitted = f->written;
}

int lz_atomic_write(lz_atomic *f, const void *data, size_t len, lz_err *e) {
    if (write_all(f->fd, data, len) != 0) return write_error(f, "write", e);
    if (f->kind == TARGET_TEMP) start_writeback(f, len);
    return 0;
}

void lz_atomic_abort(lz_atomic *f) {
    if (!f) return;
    if (f->kind == TARGET_TEMP) {
        close(f->fd);
        unlink(f->tmp);
        lz_temp_forget(f->slot);
    } else if (f->kind == TARGET_INPLACE) {
        close(f->fd);
    }
    writer_free(f);
}

/* fsync, close (NFS reports deferred write errors there), rename, then the
 * directory's fsync so the rename itself is durable. */
static int commit_temp(lz_atomic *f, lz_err *e) {
    if (fsync(f->fd) != 0) {
        write_error(f, "fsync", e);
        close(f->fd);
        unlink(f->tmp);
        return -1;
    }
    if (close(f->fd) != 0) {
        write_error(f, "close", e);
        unlink(f->tmp);
        return -1;
    }
    if (rename(f->tmp, f->path) != 0) {
        lz_errf(e, "%s: rename from %s: %s", f->path, f->tmp, strerror(errno));
        unlink(f->tmp);
        return -1;
    }
    return sync_dir(f->dir, e);
}

int lz_atomic_commit(lz_atomic *f, lz_err *e) {
    int rc = 0;
    if (f->kind == TARGET_TEMP) {
        rc = commit_temp(f, e);
        lz_temp_forget(f->slot); /* renamed or removed: nothing left to clean up */
    } else if (f->kind == TARGET_INPLACE && close(f->fd) != 0) {
        rc = lz_errf(e, "%s: close: %s", f->path, strerror(errno));
    }
    writer_free(f);
    return rc;
}

int lz_write_atomic(const char *path, const void *data, size_t len, lz_err *e) {
    lz_atomic *f;
    if (lz_atomic_open(&f, path, e) < 0) return -1;
    if (lz_atomic_write(f, data, len, e) < 0) {
        lz_atomic_abort(f);
        return -1;
    }
    return lz_atomic_commit(f, e);
}
