/*
 * cli.h - the lzscan subcommands. Each takes argc/argv after the subcommand
 * name and returns the process exit code (DESIGN §5):
 *   0 nothing at or above the gate, 1 gating findings, 2 usage or input
 *   error, 3 collection incomplete (coverage gaps) unless --allow-partial.
 * Results go to stdout (or --output), diagnostics to stderr.
 */
#ifndef CLI_H
#define CLI_H

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3 };

int cli_scan(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_tui(int argc, char **argv);
int cli_merge(int argc, char **argv); /* cli_merge.c: join snapshots */

/* Diagnostics on stderr, prefixed "lzscan: ". */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For getopt_long's ':' (an option without its value) or anything else it
 * returns for an option it does not know: one message naming the option and
 * `lzscan CMD --help`. Returns -1. */
int cli_bad_option(const char *cmd, int c, char *const *argv);

#endif
