/*
 * cli_tui.c - `lzscan tui`: the interactive audit UI (docs/tui.md) over
 * exactly the sources and annotations of `lzscan scan`: it is `lzscan scan
 * ARGS --tui`, with the exemptions file defaulting to the one `e` writes (so
 * exemptions made in an earlier session show as exempt), and an exit status
 * that does not gate (an interactive session is not a CI run).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../output/tui_exempt.h"
#include "cli.h"

static const char tui_usage[] =
    "usage: lzscan tui --input PATH [--input PATH ...] [options]\n"
    "       lzscan tui --management-group ID [live options]\n"
    "\n"
    "Scans like `lzscan scan` and opens the results in a full-screen terminal UI:\n"
    "a dashboard per management group and subscription, the findings list\n"
    "(filter with / and a regex, sort with s), the hierarchy tree, the rules, and\n"
    "each finding's evidence, remediation and resource JSON. Press ? for the keys.\n"
    "\n"
    "Takes every source option of `lzscan scan` (--input, --rules, --profile, the\n"
    "live collection options, --baseline; see lzscan scan --help), and:\n"
    "      --exemptions FILE   exemptions applied, and where `e` appends new ones\n"
    "                          (default ./lzscan-exemptions.yaml; created on the\n"
    "                          first `e`)\n"
    "      --no-color          no colour (also: NO_COLOR set, or a monochrome terminal)\n"
    "  -h, --help              this help\n"
    "\n"
    "exit status: 0 after q; 2 usage or input error, or no usable terminal.\n";

static bool given(int argc, char **argv, const char *opt) {
    size_t n = strlen(opt);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], opt, n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '=')) return true;
    return false;
}

int cli_tui(int argc, char **argv) {
    if (given(argc, argv, "--help") || given(argc, argv, "-h")) {
        fputs(tui_usage, stdout);
        return EXIT_OK;
    }
    char **av = lz_calloc((size_t)argc + 4, sizeof *av);
    int n = 0;
    for (int i = 0; i < argc; i++) av[n++] = argv[i];
    av[n++] = "--tui";
    if (!given(argc, argv, "--exemptions")) {
        av[n++] = "--exemptions";
        av[n++] = TUI_EXEMPTIONS_DEFAULT;
    }
    int code = cli_scan(n, av);
    free(av);
    /* The gate's 1 (findings) and 3 (coverage gaps) are for CI; the user saw both. */
    return code == EXIT_USAGE ? EXIT_USAGE : EXIT_OK;
}
