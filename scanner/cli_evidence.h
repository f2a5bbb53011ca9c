/*
 * cli_evidence.h - `lzscan evidence` (write a compliance evidence bundle)
 * and `lzscan verify` (check one); docs/evidence.md.
 */
#ifndef CLI_EVIDENCE_H
#define CLI_EVIDENCE_H

int cli_evidence(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_diff(int argc, char **argv); /* cli_diff.c */

/* The commands of this module by name: the exit code, or -1 when cmd is
 * none of them (so main.c dispatches them with one line). */
int cli_evidence_dispatch(const char *cmd, int argc, char **argv);

#endif
