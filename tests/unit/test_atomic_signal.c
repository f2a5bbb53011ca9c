/* Temporary files and fatal signals (common/atomic.h): a registered temporary
 * file is removed when SIGINT, SIGTERM or SIGHUP would kill the process, the
 * process still dies of that signal, and handlers or SIG_IGN that the
 * program set itself are left alone. Each case runs in a child process. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "common/atomic.h"

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
