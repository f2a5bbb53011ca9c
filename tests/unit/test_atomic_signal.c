/* Temporary files and fatal signals (common/atomic.h): a registered temporary
 * file or directory is removed when SIGINT, SIGTERM or SIGHUP would kill the
 * process, the process still dies of that signal, and handlers or SIG_IGN
 * that the program set itself are left alone; lz_interrupt_catch turns the
 * first SIGINT/SIGTERM into a flag and lets a second one kill. Each case runs
 * in a child process. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/atomic.h"
#include "scanner/live/snapshot.h"

typedef struct fx {
    char dir[64];
} fx;

static int setup(void **state) {
    fx *f = lz_calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/lz_atomic_sig_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    char *cmd = lz_asprintf("rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static int entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *de; d && (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
    if (d) closedir(d);
    return n;
}

/* Creates a registered temporary file in dir (with some content). */
static int make_temp(const char *dir, int *slot) {
    char *tmpl = lz_asprintf("%s/.report.json.XXXXXX", dir);
    int fd = lz_temp_create(tmpl, slot);
    if (fd >= 0 && write(fd, "partial", 7) != 7) fd = -1;
    free(tmpl);
    return fd;
}

/* Runs fn(dir) in a child and returns its wait status. */
static int in_child(const char *dir, void (*fn)(const char *dir, int arg), int arg) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        fn(dir, arg);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

static void child_raise(const char *dir, int sig) {
    int slot;
    if (make_temp(dir, &slot) < 0 || slot < 0) _exit(10);
    raise(sig);
    _exit(11); /* not reached: the signal ends the process */
}

static void check_signal_removes_temp(const char *dir, int sig) {
    int status = in_child(dir, child_raise, sig);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), sig);
    assert_int_equal(entries(dir), 0);
}

static void test_sigterm_removes_temp(void **state) {
    check_signal_removes_temp(((fx *)*state)->dir, SIGTERM);
}
static void test_sigint_removes_temp(void **state) {
    check_signal_removes_temp(((fx *)*state)->dir, SIGINT);
}
static void test_sighup_removes_temp(void **state) {
    check_signal_removes_temp(((fx *)*state)->dir, SIGHUP);
}

static void child_forget(const char *dir, int sig) {
    int slot;
    if (make_temp(dir, &slot) < 0) _exit(10);
    lz_temp_forget(slot);
    raise(sig);
    _exit(11);
}

/* A forgotten file (renamed into place, say) is not touched. */
static void test_forgotten_file_is_kept(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_forget, SIGTERM);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_int_equal(entries(f->dir), 1);
}

static volatile sig_atomic_t got_signal;
static void own_handler(int sig) {
    got_signal = sig;
}

static void child_own_handler(const char *dir, int sig) {
    struct sigaction sa = {0}, now;
    sa.sa_handler = own_handler;
    sigaction(sig, &sa, NULL);
    int slot;
    if (make_temp(dir, &slot) < 0) _exit(10);
    if (sigaction(sig, NULL, &now) != 0 || now.sa_handler != own_handler) _exit(12); /* replaced */
    raise(sig);
    _exit(got_signal == sig ? 0 : 13);
}

/* The program's own handler decides; the file stays for its error path. */
static void test_program_handler_is_left_alone(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_own_handler, SIGINT);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(entries(f->dir), 1);
}

static void child_ignored(const char *dir, int sig) {
    signal(sig, SIG_IGN);
    int slot;
    if (make_temp(dir, &slot) < 0) _exit(10);
    raise(sig);
    _exit(0);
}

static void test_ignored_signal_stays_ignored(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_ignored, SIGHUP);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void child_write_then_raise(const char *dir, int sig) {
    char *path = lz_asprintf("%s/report.json", dir);
    if (lz_write_atomic(path, "{}\n", 3, NULL) != 0) _exit(10);
    free(path);
    raise(sig);
    _exit(11);
}

/* After lz_write_atomic the signal still kills as before, and the finished
 * file is not removed. */
static void test_after_write_signal_still_kills(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_write_then_raise, SIGTERM);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_int_equal(entries(f->dir), 1);
}

static void child_many(const char *dir, int sig) {
    int slots[LZ_TEMP_SLOTS + 1];
    for (int i = 0; i <= LZ_TEMP_SLOTS; i++)
        if (make_temp(dir, &slots[i]) < 0) _exit(10);
    if (slots[LZ_TEMP_SLOTS] != -1) _exit(12); /* one more than fits is created, untracked */
    lz_temp_forget(slots[0]);
    int again;
    if (make_temp(dir, &again) < 0 || again < 0) _exit(13); /* a freed slot is reused */
    _exit(0);
}

static void test_slots_run_out_gracefully(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_many, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(entries(f->dir), LZ_TEMP_SLOTS + 2);
}

/* ---- temporary directories ---- */

static void put(const char *dir, const char *name) {
    char *p = lz_asprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f || fputs("data", f) == EOF || fclose(f) != 0) _exit(20);
    free(p);
}

/* A bundle-shaped temporary directory: files, a rules/ subdirectory, a
 * registered temporary file inside (as lz_write_atomic makes), and a
 * symlink to dir/keep, which must not be followed. Returns its slot. */
static int make_temp_dir(const char *dir, char *tmp, size_t cap) {
    snprintf(tmp, cap, "%s/out.tmp-XXXXXX", dir);
    int slot;
    if (lz_temp_dir_create(tmp, &slot) < 0 || slot < 0) _exit(21);
    put(tmp, "report.json");
    put(tmp, "SHA256SUMS");
    char *rules = lz_asprintf("%s/rules", tmp);
    if (mkdir(rules, 0755) != 0) _exit(22);
    for (int i = 0; i < 200; i++) { /* more entries than one getdents64 buffer holds */
        char name[64];
        snprintf(name, sizeof name, "AIHUB-RULE-WITH-A-LONGISH-NAME-%03d.yaml", i);
        put(rules, name);
    }
    free(rules);
    int fslot;
    if (make_temp(tmp, &fslot) < 0 || fslot < 0) _exit(23);
    char *keep = lz_asprintf("%s/keep", dir), *link = lz_asprintf("%s/rules/keep", tmp);
    if (mkdir(keep, 0755) != 0 || symlink(keep, link) != 0) _exit(24);
    put(keep, "precious");
    free(keep);
    free(link);
    return slot;
}

static void child_dir_raise(const char *dir, int sig) {
    char tmp[256];
    make_temp_dir(dir, tmp, sizeof tmp);
    raise(sig);
    _exit(11);
}

/* Only dir/keep (the symlink's target, with its file) is left. */
static void assert_only_keep(const char *dir) {
    assert_int_equal(entries(dir), 1);
    char *keep = lz_asprintf("%s/keep", dir);
    assert_int_equal(entries(keep), 1);
    free(keep);
}

static void check_signal_removes_dir(const char *dir, int sig) {
    int status = in_child(dir, child_dir_raise, sig);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), sig);
    assert_only_keep(dir);
}

static void test_sigint_removes_temp_dir(void **state) {
    check_signal_removes_dir(((fx *)*state)->dir, SIGINT);
}
static void test_sigterm_removes_temp_dir(void **state) {
    check_signal_removes_dir(((fx *)*state)->dir, SIGTERM);
}
static void test_sighup_removes_temp_dir(void **state) {
    check_signal_removes_dir(((fx *)*state)->dir, SIGHUP);
}

static void child_dir_forget(const char *dir, int sig) {
    char tmp[256];
    int slot = make_temp_dir(dir, tmp, sizeof tmp);
    lz_temp_forget(slot);
    raise(sig);
    _exit(11);
}

/* A directory renamed into place (forgotten) is not touched. */
static void test_forgotten_dir_is_kept(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_dir_forget, SIGTERM);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(entries(f->dir), 2);
}

static void test_remove_tree(void **state) {
    fx *f = *state;
    char tmp[512];
    int status = in_child(f->dir, child_dir_forget, SIGTERM); /* leaves the tree */
    assert_true(WIFSIGNALED(status));
    DIR *d = opendir(f->dir);
    tmp[0] = '\0';
    for (struct dirent *de; d && (de = readdir(d));)
        if (strncmp(de->d_name, "out.tmp-", 8) == 0) snprintf(tmp, sizeof tmp, "%s/%s", f->dir, de->d_name);
    closedir(d);
    assert_true(tmp[0]);
    assert_int_equal(lz_remove_tree(tmp), 0);
    assert_only_keep(f->dir);
    /* deeper than LZ_TEMP_DIR_DEPTH: refused, not half-walked forever */
    char *deep = lz_asprintf("%s/d", f->dir);
    assert_int_equal(mkdir(deep, 0755), 0);
    char *p = lz_strdup(deep);
    for (int i = 0; i <= LZ_TEMP_DIR_DEPTH + 1; i++) {
        char *q = lz_asprintf("%s/d", p);
        assert_int_equal(mkdir(q, 0755), 0);
        free(p);
        p = q;
    }
    assert_int_equal(lz_remove_tree(deep), -1);
    free(p);
    free(deep);
    assert_int_equal(lz_remove_tree("/nonexistent-lzscan-dir"), -1);
}

static void remove_all_and_exit(int sig) {
    lz_temp_remove_all();
    _exit(40 + sig);
}

static void child_own_handler_removes_all(const char *dir, int sig) {
    struct sigaction sa = {0};
    sa.sa_handler = remove_all_and_exit;
    sigaction(sig, &sa, NULL);
    char tmp[256];
    make_temp_dir(dir, tmp, sizeof tmp);
    int slot;
    if (make_temp(dir, &slot) < 0) _exit(10);
    raise(sig);
    _exit(12);
}

/* A program with its own handler (the TUI) can still clean up. */
static void test_remove_all_from_own_handler(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_own_handler_removes_all, SIGINT);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 40 + SIGINT);
    assert_only_keep(f->dir);
}

/* ---- the first SIGINT / SIGTERM as a flag ---- */

static void child_interrupt_twice(const char *dir, int sig) {
    lz_interrupt_catch();
    int slot;
    if (make_temp(dir, &slot) < 0 || slot < 0) _exit(10);
    if (lz_interrupt_signal() != 0 || *lz_interrupt_flag() != 0) _exit(12);
    raise(sig);
    /* still alive, the signal recorded, the temporary file still there */
    if (lz_interrupt_signal() != sig || *lz_interrupt_flag() != sig) _exit(13);
    if (entries(dir) != 1) _exit(14);
    raise(sig == SIGINT ? SIGTERM : SIGINT); /* the second one kills, cleaning up */
    _exit(15);
}

static void check_interrupt_twice(const char *dir, int first) {
    int status = in_child(dir, child_interrupt_twice, first);
    if (WIFEXITED(status)) fail_msg("the child exited with %d", WEXITSTATUS(status));
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), first == SIGINT ? SIGTERM : SIGINT);
    assert_int_equal(entries(dir), 0);
}

static void test_interrupt_sigint_then_sigterm(void **state) {
    check_interrupt_twice(((fx *)*state)->dir, SIGINT);
}
static void test_interrupt_sigterm_then_sigint(void **state) {
    check_interrupt_twice(((fx *)*state)->dir, SIGTERM);
}

static void child_interrupt_reraise(const char *dir, int sig) {
    lz_interrupt_catch();
    int slot;
    if (make_temp(dir, &slot) < 0 || slot < 0) _exit(10);
    raise(sig);
    lz_interrupt_reraise();
    _exit(11);
}

/* After saving what it could, the program dies of the signal it got. */
static void test_interrupt_reraise(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_interrupt_reraise, SIGTERM);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_int_equal(entries(f->dir), 0);
}

static void child_interrupt_none(const char *dir, int sig) {
    lz_interrupt_catch();
    lz_interrupt_reraise(); /* nothing caught: returns */
    _exit(0);
}

static void test_interrupt_reraise_without_signal(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_interrupt_none, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void child_interrupt_ignored(const char *dir, int sig) {
    signal(sig, SIG_IGN);
    lz_interrupt_catch();
    raise(sig);
    if (lz_interrupt_signal() != 0) _exit(13);
    raise(SIGTERM); /* caught: recorded, and re-arms only what was caught */
    if (lz_interrupt_signal() != SIGTERM) _exit(14);
    raise(sig); /* still ignored */
    _exit(0);
}

/* SIG_IGN (a background job, nohup) stays ignored. */
static void test_interrupt_leaves_ignored(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_interrupt_ignored, SIGINT);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- snapshots (scanner/live/snapshot.c) ---- */

static void add_objects(snap_writer *w) {
    for (int i = 0; i < 100; i++) {
        char id[64], json[128];
        snprintf(id, sizeof id, "/subscriptions/s/x/%d", i);
        snprintf(json, sizeof json, "{\"id\":\"%s\"}", id);
        if (snap_add(w, json, strlen(json), id, NULL) != 1) _exit(30);
    }
}

/* A live scan's private snapshot stays registered until it is removed. */
static void child_live_snapshot(const char *dir, int sig) {
    setenv("TMPDIR", dir, 1);
    snap_writer *w;
    char *tmp = NULL;
    if (snap_open(&w, NULL, NULL) < 0) _exit(31);
    add_objects(w);
    if (snap_commit(w, "{\"lzscan\":\"snapshot-manifest\"}", &tmp, NULL) < 0 || !tmp) _exit(32);
    if (entries(dir) != 1) _exit(33);
    raise(sig);
    _exit(34);
}

static void test_live_snapshot_removed_on_signal(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_live_snapshot, SIGINT);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(entries(f->dir), 0);
}

/* While objects are gathered, nothing is left by a signal either; once
 * committed the snapshot is whole and nothing else is there. */
static void child_target_snapshot(const char *dir, int commit) {
    char *path = lz_asprintf("%s/snap.ndjson", dir);
    snap_writer *w;
    if (snap_open(&w, path, NULL) < 0) _exit(31);
    add_objects(w);
    if (commit && snap_commit(w, "{\"lzscan\":\"snapshot-manifest\"}", NULL, NULL) < 0) _exit(32);
    free(path);
    raise(SIGTERM);
    _exit(34);
}

static void test_target_snapshot_and_signal(void **state) {
    fx *f = *state;
    int status = in_child(f->dir, child_target_snapshot, 0);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(entries(f->dir), 0);
    status = in_child(f->dir, child_target_snapshot, 1);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(entries(f->dir), 1);
    char *path = lz_asprintf("%s/snap.ndjson", f->dir), *data;
    size_t len;
    assert_int_equal(lz_read_file(path, &data, &len, NULL), 0);
    assert_int_equal(len, strlen("{\"lzscan\":\"snapshot-manifest\"}\n") +
                              100 * strlen("{\"id\":\"/subscriptions/s/x/00\"}\n") - 10);
    free(data);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sigterm_removes_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigint_removes_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sighup_removes_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forgotten_file_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_program_handler_is_left_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignored_signal_stays_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_after_write_signal_still_kills, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slots_run_out_gracefully, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigint_removes_temp_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_removes_temp_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sighup_removes_temp_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forgotten_dir_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_all_from_own_handler, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_sigint_then_sigterm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_sigterm_then_sigint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_reraise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_reraise_without_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_leaves_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_snapshot_removed_on_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_snapshot_and_signal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
