/*
 * main.c - lzscan's entry point: dispatches to a subcommand.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "../output/sanitize.h"
#include "cli.h"
#include "cli_evidence.h"
#include "live/cli_live.h"

static const char usage[] = "usage: lzscan <command> [options]\n"
                            "\n"
                            "lzscan checks Azure AI hub-and-spoke landing zones against a rule pack and\n"
                            "reports drift.\n"
                            "\n"
                            "commands:\n"
                            "  scan    evaluate the rule pack over exported configuration (--input)\n"
                            "  rules   list, show or lint rules\n"
                            "  collect read a landing zone from Azure into a snapshot (--out)\n"
                            "  tui     scan and explore the results in a terminal UI\n"
                            "  evidence write a signed compliance evidence bundle (--out); verify, diff\n"
                            "  merge   join the parts of a tenant: snapshots, or shard reports / SARIF\n"
                            "\n"
                            "options:\n"
                            "  -h, --help      this help (and `lzscan <command> --help`)\n"
                            "  -V, --version   print the version\n";

/* Diagnostics quote ids, names, paths and file contents, so they go through
 * the terminal sanitizer: a hostile resource name must not drive the
 * terminal (or forge a line) through stderr any more than through stdout. */
static void diagnostic(const char *prefix, const char *fmt, va_list ap) {
    lz_buf raw = {0}, line = {0};
    lz_buf_vprintf(&raw, fmt, ap);
    lz_buf_puts(&line, prefix);
    out_sanitize(&line, lz_buf_cstr(&raw), raw.len, 0, 0);
    lz_buf_putc(&line, '\n');
    fwrite(line.data, 1, line.len, stderr);
    lz_buf_free(&raw);
    lz_buf_free(&line);
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diagnostic("lzscan: error: ", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diagnostic("lzscan: warning: ", fmt, ap);
    va_end(ap);
}

int cli_bad_option(const char *cmd, int c, char *const *argv) {
    cli_error(c == ':' ? "%s: option %s needs a value (see lzscan %s --help)"
                       : "%s: unknown option %s (see lzscan %s --help)",
              cmd, argv[optind - 1], cmd);
    return -1;
}

/* AddressSanitizer: gcc says so with __SANITIZE_ADDRESS__, clang with
 * __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define LZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LZ_ASAN 1
#endif
#endif

/* Commands that can collect live, and so load credentials; whether they do
 * is decided later by their options (a scope instead of --input). */
static bool may_load_credentials(const char *cmd) {
    static const char *const live[] = {"scan", "collect", "tui", "evidence"};
    for (size_t i = 0; i < sizeof live / sizeof *live; i++)
        if (strcmp(cmd, live[i]) == 0) return true;
    return false;
}

/* A core file is a copy of the process's memory: the client secret or
 * certificate password read from the environment, the access tokens, the
 * tenant's data. So commands that may hold them dump no core, decided before
 * anything is read (the environment is in memory from the start):
 * RLIMIT_CORE 0 stops a core file on disk, and PR_SET_DUMPABLE 0 also stops
 * a core_pattern pipe (systemd-coredump, apport), which the kernel runs
 * whatever the limit, and ptrace by other processes of the same user.
 * Not the prctl under AddressSanitizer: LeakSanitizer stops the world with
 * ptrace, which a non-dumpable process refuses, and ASan already sets
 * RLIMIT_CORE to 0 itself (its disable_coredump option). */
static void forbid_core_dumps(void) {
    const struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0) cli_warn("core dumps could not be disabled: %s", strerror(errno));
#ifndef LZ_ASAN
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        cli_warn("the process could not be made non-dumpable: %s", strerror(errno));
#endif
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("lzscan %s\n", LZSCAN_VERSION);
        return EXIT_OK;
    }
    if (may_load_credentials(cmd)) forbid_core_dumps();
    if (strcmp(cmd, "scan") == 0) return cli_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0) return cli_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "collect") == 0) return cli_collect(argc - 1, argv + 1);
    if (strcmp(cmd, "tui") == 0) return cli_tui(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0) return cli_merge(argc - 1, argv + 1);
    int ev = cli_evidence_dispatch(cmd, argc - 1, argv + 1); /* evidence, verify, diff */
    if (ev >= 0) return ev;
    cli_error("unknown command \"%s\" (see lzscan --help)", cmd);
    return EXIT_USAGE;
}
