/* Atomic file replacement: new files, replacement, mode and umask, stdout,
 * and failures that must leave the previous file untouched and no
 * temporary file behind. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/atomic.h"

typedef struct fx {
    char dir[64];
} fx;

static int setup(void **state) {
    fx *f = lz_calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/lz_atomic_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    chmod(f->dir, 0755);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    char *cmd = lz_asprintf("chmod -R u+w '%s' && rm -rf '%s'", f->dir, f->dir);
    int rc = system(cmd);
    free(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static char *slurp(const char *path) {
    char *data = NULL;
    lz_err e;
    if (lz_read_file(path, &data, NULL, &e) != 0) return NULL;
    return data;
}

/* Entries in dir other than . and .. */
static int entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *de; d && (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
    if (d) closedir(d);
    return n;
}

static void test_creates_file(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/report.json", f->dir);
    lz_err e;
    mode_t old = umask(022);
    assert_int_equal(lz_write_atomic(path, "{}\n", 3, &e), 0);
    umask(old);
    char *got = slurp(path);
    assert_string_equal(got, "{}\n");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(entries(f->dir), 1);
    free(got);
    free(path);
}

static void test_mode_respects_umask(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/private.json", f->dir);
    mode_t old = umask(077);
    assert_int_equal(lz_write_atomic(path, "x", 1, NULL), 0);
    umask(old);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(path);
}

static void test_replaces_file(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/out.txt", f->dir);
    assert_int_equal(lz_write_atomic(path, "old content that is longer", 26, NULL), 0);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(lz_write_atomic(path, "new", 3, NULL), 0);
    assert_int_equal(stat(path, &after), 0);
    char *got = slurp(path);
    assert_string_equal(got, "new");
    assert_int_not_equal(before.st_ino, after.st_ino); /* a new inode was renamed in */
    assert_int_equal(entries(f->dir), 1);
    free(got);
    free(path);
}

static void test_empty_and_large(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/big", f->dir);
    assert_int_equal(lz_write_atomic(path, "", 0, NULL), 0);
    char *got = slurp(path);
    assert_string_equal(got, "");
    free(got);
    size_t n = 3u << 20;
    char *data = lz_malloc(n);
    for (size_t i = 0; i < n; i++) data[i] = (char)('a' + i % 26);
    assert_int_equal(lz_write_atomic(path, data, n, NULL), 0);
    size_t len = 0;
    assert_int_equal(lz_read_file(path, &got, &len, NULL), 0);
    assert_int_equal(len, n);
    assert_memory_equal(got, data, n);
    free(got);
    free(data);
    free(path);
}

/* Tries the write as an unprivileged user (root bypasses directory
 * permissions); returns lz_write_atomic's result and its message. */
static int write_unprivileged(const char *path, char *msg, size_t msglen) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(99);
        lz_err e = {{0}};
        int rc = lz_write_atomic(path, "new", 3, &e);
        if (write(fds[1], e.msg, strlen(e.msg)) < 0) _exit(98);
        _exit(rc == 0 ? 0 : 1);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], msg, msglen - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 99) skip(); /* cannot drop privileges here */
    return WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void test_unwritable_dir_keeps_old(void **state) {
    fx *f = *state;
    char *sub = lz_asprintf("%s/ro", f->dir), *path = lz_asprintf("%s/ro/report.json", f->dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(lz_write_atomic(path, "old", 3, NULL), 0);
    assert_int_equal(chmod(sub, 0555), 0);
    char msg[LZ_ERR_MAX];
    assert_int_equal(write_unprivileged(path, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, path));
    assert_non_null(strstr(msg, strerror(EACCES)));
    char *got = slurp(path);
    assert_string_equal(got, "old");
    assert_int_equal(entries(sub), 1);
    free(got);
    free(sub);
    free(path);
}

/* rename fails (the target is a non-empty directory) after the temporary
 * file was written: it must be removed, the target untouched. */
static void test_rename_failure_cleans_up(void **state) {
    fx *f = *state;
    char *target = lz_asprintf("%s/target", f->dir), *inner = lz_asprintf("%s/target/keep", f->dir);
    assert_int_equal(mkdir(target, 0755), 0);
    assert_int_equal(lz_write_atomic(inner, "kept", 4, NULL), 0);
    lz_err e = {{0}};
    assert_int_equal(lz_write_atomic(target, "data", 4, &e), -1);
    assert_non_null(strstr(e.msg, target));
    assert_non_null(strstr(e.msg, "is a directory")); /* refused before any temporary file exists */
    assert_int_equal(entries(f->dir), 1);             /* only target/, no temp file */
    char *got = slurp(inner);
    assert_string_equal(got, "kept");
    free(got);
    free(inner);
    free(target);
}

/* A write that fails half-way (file size limit: EFBIG, as ENOSPC would) must
 * remove the temporary file and keep the old content. Runs in a child so
 * the limit does not leak into other tests. */
static void test_write_failure_keeps_old(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/report.json", f->dir);
    assert_int_equal(lz_write_atomic(path, "old", 3, NULL), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {4096, 4096};
        setrlimit(RLIMIT_FSIZE, &rl);
        size_t n = 1u << 20;
        char *big = lz_calloc(1, n);
        lz_err e = {{0}};
        int rc = lz_write_atomic(path, big, n, &e);
        if (write(fds[1], e.msg, strlen(e.msg)) < 0) _exit(98);
        _exit(rc == 0 ? 0 : 1);
    }
    close(fds[1]);
    char msg[LZ_ERR_MAX];
    ssize_t n = read(fds[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_non_null(strstr(msg, path));
    assert_non_null(strstr(msg, "write of temporary file"));
    assert_non_null(strstr(msg, strerror(EFBIG)));
    char *got = slurp(path);
    assert_string_equal(got, "old");
    assert_int_equal(entries(f->dir), 1);
    free(got);
    free(path);
}

static void test_missing_dir(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/no/such/dir/out.json", f->dir);
    lz_err e = {{0}};
    assert_int_equal(lz_write_atomic(path, "x", 1, &e), -1);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, strerror(ENOENT)));
    free(path);
}

static void test_dash_is_stdout(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/captured", f->dir);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    int rc = lz_write_atomic("-", "to stdout\n", 10, NULL);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_int_equal(rc, 0);
    char *got = slurp(path);
    assert_string_equal(got, "to stdout\n");
    assert_int_equal(entries(f->dir), 1);
    free(got);
    free(path);
}

/* `--output /dev/null` once renamed a regular file over the device node: a
 * path that is not a regular file is written in place. A FIFO stands in for
 * the device, so that a regression cannot break the machine running it. */
static void test_special_file_written_in_place(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/fifo", f->dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    pid_t pid = fork();
    if (pid == 0) { /* the reader: exits 0 if it read exactly the payload */
        char buf[64] = {0};
        int fd = open(path, O_RDONLY);
        ssize_t n = read(fd, buf, sizeof buf - 1);
        _exit(n == 8 && strcmp(buf, "payload\n") == 0 ? 0 : 1);
    }
    assert_int_equal(lz_write_atomic(path, "payload\n", 8, NULL), 0);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(entries(f->dir), 1); /* no temporary file */
    lz_err e;
    assert_int_equal(lz_write_atomic(f->dir, "x", 1, &e), -1); /* a directory is an error */
    assert_non_null(strstr(e.msg, "is a directory"));
    free(path);
}

static void test_relative_path(void **state) {
    fx *f = *state;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0);
    int rc = lz_write_atomic("rel.txt", "rel", 3, NULL);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    char *path = lz_asprintf("%s/rel.txt", f->dir), *got = slurp(path);
    assert_string_equal(got, "rel");
    free(got);
    free(path);
}

/* Streaming: the target keeps its old content, and only the temporary file
 * exists beside it, until commit; then the pieces appear whole. */
static void test_stream_commit(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/report.json", f->dir);
    assert_int_equal(lz_write_atomic(path, "old", 3, NULL), 0);
    lz_atomic *w;
    lz_err e;
    assert_int_equal(lz_atomic_open(&w, path, &e), 0);
    assert_int_equal(lz_atomic_write(w, "{\"a\":", 5, &e), 0);
    assert_int_equal(lz_atomic_write(w, "1}\n", 3, &e), 0);
    char *mid = slurp(path);
    assert_string_equal(mid, "old");
    assert_int_equal(entries(f->dir), 2);
    assert_int_equal(lz_atomic_commit(w, &e), 0);
    char *got = slurp(path);
    assert_string_equal(got, "{\"a\":1}\n");
    assert_int_equal(entries(f->dir), 1);
    free(mid);
    free(got);
    free(path);
}

/* Abort after writing leaves the previous file and nothing else. */
static void test_stream_abort_keeps_old(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/report.json", f->dir);
    assert_int_equal(lz_write_atomic(path, "old", 3, NULL), 0);
    lz_atomic *w;
    lz_err e;
    assert_int_equal(lz_atomic_open(&w, path, &e), 0);
    assert_int_equal(lz_atomic_write(w, "partial", 7, &e), 0);
    lz_atomic_abort(w);
    char *got = slurp(path);
    assert_string_equal(got, "old");
    assert_int_equal(entries(f->dir), 1);
    free(got);
    free(path);
}

/* Opening into a directory that does not exist fails at once, naming it. */
static void test_stream_open_fails_cleanly(void **state) {
    fx *f = *state;
    char *path = lz_asprintf("%s/missing/report.json", f->dir);
    lz_atomic *w = NULL;
    lz_err e;
    assert_int_equal(lz_atomic_open(&w, path, &e), -1);
    assert_non_null(strstr(e.msg, "missing"));
    assert_int_equal(entries(f->dir), 0);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_creates_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_respects_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaces_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_dir_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rename_failure_cleans_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dash_is_stdout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_file_written_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_abort_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_open_fails_cleanly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
