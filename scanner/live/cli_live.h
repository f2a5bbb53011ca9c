/*
 * cli_live.h - the live collector's command-line entry points:
 * `lzscan collect`, and the hook `lzscan scan` calls to fill its inventory
 * from Azure instead of files.
 */
#ifndef LIVE_CLI_LIVE_H
#define LIVE_CLI_LIVE_H

#include "../../rules/rule.h"
#include "../inventory.h"
#include "opts.h"

/* `lzscan collect`: argc/argv after the subcommand name; returns the exit code. */
int cli_collect(int argc, char **argv);

/* For `lzscan scan` without --input: collects live (scope and credentials
 * from o) and loads the objects, collected child types and coverage gaps
 * into v, exactly as reading the equivalent snapshot would. quiet turns the
 * progress line off. Returns 0, or -1 with a message (no report: exit 2). */
int cli_live_inventory(live_opts *o, const rule_pack *pack, inv *v, bool quiet, lz_err *e);

#endif
