#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int write_stdout(const void *data, size_t len, lz_err *e) {
    /* Anything already buffered in stdio goes first, to keep order. */
    if (fflush(stdout) != 0 || write_all(STDOUT_FILENO, data, len) != 0)
        return lz_errf(e, "stdout: write: %s", strerror(errno));
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

/* Fills the temporary file; on failure the caller unlinks it. Messages
 * name the target (what the user asked for) and the temporary file. */
static int fill_temp(int fd, const char *path, const char *tmp, const void *data, size_t len, lz_err *e) {
    const char *call = "fchmod";
    if (fchmod(fd, 0644 & ~current_umask()) != 0) goto fail;
    call = "write";
    if (write_all(fd, data, len) != 0) goto fail;
    call = "fsync";
    if (fsync(fd) != 0) goto fail;
    return 0;
fail:
    return lz_errf(e, "%s: %s of temporary file %s: %s", path, call, tmp, strerror(errno));
}

/* Creates, fills and closes the temporary file next to path; *tmp receives
 * its name (the caller frees it). Nothing is left behind on failure. */
static int write_temp(const char *path, const char *dir, const void *data, size_t len, char **tmp,
                      lz_err *e) {
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    /* Dot-prefixed so directory scans skip it; capped to stay under NAME_MAX. */
    *tmp = lz_asprintf("%s/.%.200s.XXXXXX", dir, base);
    int fd = mkstemp(*tmp);
    if (fd < 0) return lz_errf(e, "%s: cannot create a temporary file in %s: %s", path, dir, strerror(errno));
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC); /* not inherited by child processes */
    int rc = fill_temp(fd, path, *tmp, data, len, e);
    if (close(fd) != 0 && rc == 0) /* NFS reports deferred write errors here */
        rc = lz_errf(e, "%s: close of temporary file %s: %s", path, *tmp, strerror(errno));
    if (rc != 0) unlink(*tmp);
    return rc;
}

int lz_write_atomic(const char *path, const void *data, size_t len, lz_err *e) {
    if (strcmp(path, "-") == 0) return write_stdout(data, len, e);
    if (!*path) return lz_errf(e, "empty output path");
    char *dir = dir_of(path), *tmp = NULL;
    int rc = write_temp(path, dir, data, len, &tmp, e);
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = lz_errf(e, "%s: rename from %s: %s", path, tmp, strerror(errno));
        unlink(tmp);
    }
    if (rc == 0) rc = sync_dir(dir, e);
    free(tmp);
    free(dir);
    return rc;
}
