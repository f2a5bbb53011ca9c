/*
 * main.c - lzscan's entry point: dispatches to a subcommand.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] = "usage: lzscan <command> [options]\n"
                            "\n"
                            "lzscan checks Azure AI hub-and-spoke landing zones against a rule pack and\n"
                            "reports drift.\n"
                            "\n"
                            "commands:\n"
                            "  scan    evaluate the rule pack over exported configuration (--input)\n"
                            "  rules   list, show or lint rules\n"
                            "\n"
                            "options:\n"
                            "  -h, --help      this help (and `lzscan <command> --help`)\n"
                            "  -V, --version   print the version\n";

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("lzscan: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_warn(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("lzscan: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
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
    cli_error("unknown command \"%s\" (see lzscan --help)", cmd);
    return EXIT_USAGE;
}
