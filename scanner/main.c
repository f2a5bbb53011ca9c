/*
 * main.c - lzscan's entry point: dispatches to a subcommand.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
                            "  merge   join snapshots collected in parts (--out)\n"
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
