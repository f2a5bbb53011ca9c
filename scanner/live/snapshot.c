/*
 * snapshot.c - see snapshot.h.
 */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strmap.h"

struct snap_writer {
    char *path; /* target; NULL for a temporary snapshot */
    char *dir;
    FILE *objects; /* unlinked at once: nothing is left behind on a crash */
    live_hset ids;
    size_t count;
};

static char *dir_of(const char *path) {
    char *copy = lz_strdup(path);
    char *d = lz_strdup(dirname(copy));
    free(copy);
    return d;
}

static char *tmp_dir(void) {
    const char *t = getenv("TMPDIR");
    return lz_strdup(t && *t ? t : "/tmp");
}

/* A new temporary file in dir, opened for writing; *name receives its name. */
static FILE *make_temp(const char *dir, const char *stem, char **name, lz_err *e) {
    char *tmpl = lz_asprintf("%s/.%s.XXXXXX", dir, stem);
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        lz_errf(e, "%s: cannot create a temporary file: %s", dir, strerror(errno));
        free(tmpl);
        return NULL;
    }
    FILE *f = fdopen(fd, "w+");
    if (!f) {
        close(fd);
        unlink(tmpl);
        lz_errf(e, "%s: %s", tmpl, strerror(errno));
        free(tmpl);
        return NULL;
    }
    *name = tmpl;
    return f;
}

int snap_open(snap_writer **out, const char *path, lz_err *e) {
    snap_writer *w = lz_calloc(1, sizeof *w);
    w->path = path ? lz_strdup(path) : NULL;
    w->dir = path ? dir_of(path) : tmp_dir();
    char *name = NULL;
    w->objects = make_temp(w->dir, "lzscan-objects", &name, e);
    if (!w->objects) {
        free(w->path);
        free(w->dir);
        free(w);
        return -1;
    }
    unlink(name);
    free(name);
    *out = w;
    return 0;
}

int snap_add(snap_writer *w, const char *json, size_t len, const char *id, lz_err *e) {
    if (id && !live_hset_add(&w->ids, lz_hash_fold(id, strlen(id)))) return 0;
    if (fwrite(json, 1, len, w->objects) != len || fputc('\n', w->objects) == EOF)
        return lz_errf(e, "writing the snapshot's objects to %s: %s", w->dir, strerror(errno));
    w->count++;
    return 1;
}

size_t snap_count(const snap_writer *w) {
    return w->count;
}

static void writer_free(snap_writer *w) {
    if (w->objects) fclose(w->objects);
    live_hset_free(&w->ids);
    free(w->path);
    free(w->dir);
    free(w);
}

void snap_abort(snap_writer *w) {
    if (w) writer_free(w);
}

static int copy_objects(FILE *from, FILE *to) {
    if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0) return -1;
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        if (fwrite(buf, 1, n, to) != n) return -1;
    return ferror(from) ? -1 : 0;
}

static int sync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int snap_commit(snap_writer *w, const char *manifest, char **final_path, lz_err *e) {
    char *name = NULL;
    const char *stem = w->path ? "lzscan-snapshot" : "lzscan-live";
    FILE *f = make_temp(w->dir, stem, &name, e);
    if (!f) {
        writer_free(w);
        return -1;
    }
    if (w->path) { /* as lz_write_atomic: 0644 minus the umask, not mkstemp's 0600 */
        mode_t um = umask(0);
        umask(um);
        fchmod(fileno(f), 0644 & ~um);
    }
    int rc = fputs(manifest, f) == EOF || fputc('\n', f) == EOF ? -1 : 0;
    if (rc == 0) rc = copy_objects(w->objects, f);
    if (rc == 0) rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    int err = errno;
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        err = errno;
    }
    if (rc == 0 && w->path && rename(name, w->path) != 0) {
        rc = -1;
        err = errno;
    }
    if (rc < 0) {
        lz_errf(e, "%s: writing the snapshot failed: %s", w->path ? w->path : name, strerror(err));
        unlink(name);
        free(name);
    } else if (w->path) {
        if (sync_dir(w->dir) != 0)
            rc = lz_errf(e, "%s: written, but syncing its directory failed: %s", w->path, strerror(errno));
        free(name);
    } else {
        *final_path = name;
    }
    writer_free(w);
    return rc;
}
