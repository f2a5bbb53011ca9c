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

#include "../../common/atomic.h"
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

/* A new temporary file in dir, opened for writing and registered for
 * removal on a fatal signal (common/atomic.h); *name receives its name,
 * *slot the registration. */
static FILE *make_temp(const char *dir, const char *stem, char **name, int *slot, lz_err *e) {
    char *tmpl = lz_asprintf("%s/.%s.XXXXXX", dir, stem);
    int fd = lz_temp_create(tmpl, slot);
    if (fd < 0) {
        lz_errf(e, "%s: cannot create a temporary file: %s", dir, strerror(errno));
        free(tmpl);
        return NULL;
    }
    FILE *f = fdopen(fd, "w+");
    if (!f) {
        lz_errf(e, "%s: %s", tmpl, strerror(errno));
        close(fd);
        unlink(tmpl);
        lz_temp_forget(*slot);
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
    int slot;
    w->objects = make_temp(w->dir, "lzscan-objects", &name, &slot, e);
    if (!w->objects) {
        free(w->path);
        free(w->dir);
        free(w);
        return -1;
    }
    unlink(name);
    lz_temp_forget(slot);
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

/* Rewinds the objects file for reading it back. */
static int rewind_objects(snap_writer *w, lz_err *e) {
    if (fflush(w->objects) != 0 || fseek(w->objects, 0, SEEK_SET) != 0)
        return lz_errf(e, "reading back the snapshot's objects in %s: %s", w->dir, strerror(errno));
    return 0;
}

/* The target: manifest and objects through the atomic writer, which
 * registers its temporary file, fsyncs, renames and fsyncs the directory. */
static int commit_target(snap_writer *w, const char *manifest, lz_err *e) {
    lz_atomic *f;
    if (rewind_objects(w, e) < 0 || lz_atomic_open(&f, w->path, e) < 0) return -1;
    int rc = lz_atomic_write(f, manifest, strlen(manifest), e);
    if (rc == 0) rc = lz_atomic_write(f, "\n", 1, e);
    char buf[1 << 16];
    size_t n;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, w->objects)) > 0) rc = lz_atomic_write(f, buf, n, e);
    if (rc == 0 && ferror(w->objects))
        rc = lz_errf(e, "%s: reading back the snapshot's objects: %s", w->path, strerror(errno));
    if (rc < 0) {
        lz_atomic_abort(f);
        return -1;
    }
    return lz_atomic_commit(f, e);
}

static int copy_objects(FILE *from, FILE *to) {
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, from)) > 0)
        if (fwrite(buf, 1, n, to) != n) return -1;
    return ferror(from) ? -1 : 0;
}

/* A private temporary snapshot (a live scan reads it back at once): no
 * fsync, no rename; it stays registered until snap_remove_temp. */
static int commit_temp(snap_writer *w, const char *manifest, char **final_path, lz_err *e) {
    char *name = NULL;
    int slot;
    if (rewind_objects(w, e) < 0) return -1;
    FILE *f = make_temp(w->dir, "lzscan-live", &name, &slot, e);
    if (!f) return -1;
    int rc = fputs(manifest, f) == EOF || fputc('\n', f) == EOF ? -1 : 0;
    if (rc == 0) rc = copy_objects(w->objects, f);
    int err = errno;
    if (fclose(f) != 0 && rc == 0) {
        rc = -1;
        err = errno;
    }
    if (rc < 0) {
        lz_errf(e, "%s: writing the snapshot failed: %s", name, strerror(err));
        unlink(name);
        lz_temp_forget(slot);
        free(name);
        return -1;
    }
    *final_path = name;
    return 0;
}

int snap_commit(snap_writer *w, const char *manifest, char **final_path, lz_err *e) {
    int rc = w->path ? commit_target(w, manifest, e) : commit_temp(w, manifest, final_path, e);
    writer_free(w);
    return rc;
}

void snap_remove_temp(char *path) {
    if (!path) return;
    unlink(path);
    lz_temp_forget_path(path);
    free(path);
}
