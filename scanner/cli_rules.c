/*
 * cli_rules.c - `lzscan rules list|show|lint`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/atomic.h"
#include "../output/out_rules.h"
#include "../output/sanitize.h"
#include "../rules/engine.h"
#include "cli.h"

static const char rules_usage[] =
    "usage: lzscan rules list [--format text|json|markdown] [--rules DIR ...]\n"
    "       lzscan rules show ID [--format text|json|markdown] [--rules DIR ...]\n"
    "       lzscan rules lint PATH [PATH ...]\n"
    "\n"
    "  list   every rule of the built-in pack (plus --rules directories)\n"
    "  show   everything about one rule: metadata, mappings, data it needs, source\n"
    "  lint   load rule files or directories and report every error with\n"
    "         file:line:column; exit 0 when clean, 2 otherwise\n"
    "\n"
    "options:\n"
    "  -f, --format FORMAT   text (default), json or markdown\n"
    "  -r, --rules DIR       add rules, or replace built-in ones by id (repeatable)\n"
    "  -h, --help            this help\n";

typedef struct rules_opts {
    enum out_rules_format format;
    char **dirs;
    size_t ndirs, capdirs;
    char **args;
    size_t nargs, capargs;
} rules_opts;

static int parse_rules_opts(int argc, char **argv, rules_opts *o) {
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"rules", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    lz_err e;
    while ((c = getopt_long(argc, argv, ":f:r:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (out_rules_format_parse(optarg, &o->format, &e) < 0) {
                cli_error("--format: %s", e.msg);
                return -1;
            }
            break;
        case 'r':
            LZ_PUSH(o->dirs, o->ndirs, o->capdirs, optarg);
            break;
        case 'h':
            fputs(rules_usage, stdout);
            return 1;
        default: /* ':' or an unknown option */
            return cli_bad_option("rules", c, argv);
        }
    }
    for (int i = optind; i < argc; i++) LZ_PUSH(o->args, o->nargs, o->capargs, argv[i]);
    return 0;
}

static int load_pack(const rules_opts *o, rule_pack **pack, lz_err *e) {
    if (rule_pack_builtin(pack, e) < 0) return -1;
    for (size_t i = 0; i < o->ndirs; i++)
        if (rule_pack_add_dir(*pack, o->dirs[i], e) < 0) return -1;
    return 0;
}

static int print_buf(lz_buf *b, lz_err *e) {
    return lz_write_atomic("-", b->data, b->len, e);
}

static int rules_list_or_show(const rules_opts *o, bool show) {
    rule_pack *pack = NULL;
    lz_err e = {{0}};
    lz_buf out = {0};
    int code = EXIT_USAGE;
    if (show && o->nargs != 1) {
        cli_error("rules show takes one rule id (see lzscan rules list)");
        return EXIT_USAGE;
    }
    if (load_pack(o, &pack, &e) < 0) {
        cli_error("%s", e.msg);
        goto done;
    }
    const rule *r = show ? rule_pack_find(pack, o->args[0]) : NULL;
    if (show && !r) {
        cli_error("no rule \"%s\" (see lzscan rules list)", o->args[0]);
        goto done;
    }
    int rc = show ? out_rules_show(pack, r, o->format, &out, &e) : out_rules_list(pack, o->format, &out, &e);
    if (rc == 0) rc = print_buf(&out, &e);
    if (rc < 0)
        cli_error("%s", e.msg);
    else
        code = EXIT_OK;
done:
    lz_buf_free(&out);
    rule_pack_free(pack);
    return code;
}

/* The path's rules as a scan would load them (on top of the built-in pack):
 * every {param:} they use must be declared, by the built-in pack.yaml or
 * the path's own. */
static int lint_params(const char *path, lz_err *e) {
    rule_pack *pack = NULL;
    int rc = rule_pack_builtin(&pack, e);
    if (rc == 0) rc = rule_pack_add_dir(pack, path, e);
    if (rc == 0) rc = engine_check_params(pack, NULL, e);
    rule_pack_free(pack);
    return rc;
}

/* Loads each path as a standalone pack: every syntax, operator, path,
 * regex and duplicate-id error is reported with file:line:column; then
 * checks the parameters its rules use. */
static int rules_lint(const rules_opts *o) {
    if (!o->nargs) {
        cli_error("rules lint needs at least one file or directory");
        return EXIT_USAGE;
    }
    int code = EXIT_OK;
    for (size_t i = 0; i < o->nargs; i++) {
        rule_pack *pack = NULL;
        lz_err e = {{0}};
        if (rule_pack_load_path(&pack, o->args[i], &e) < 0 || lint_params(o->args[i], &e) < 0) {
            char *msg = out_sanitize_dup(e.msg, 0, 0); /* quotes the rule file */
            fprintf(stderr, "%s\n", msg);
            free(msg);
            code = EXIT_USAGE;
        } else {
            printf("%s: %zu rule%s, no errors\n", o->args[i], pack->n, pack->n == 1 ? "" : "s");
        }
        rule_pack_free(pack);
    }
    return code;
}

int cli_rules(int argc, char **argv) {
    rules_opts o = {0};
    int prc = parse_rules_opts(argc, argv, &o);
    int code;
    if (prc != 0) {
        code = prc > 0 ? EXIT_OK : EXIT_USAGE;
    } else if (!o.nargs) {
        cli_error("rules: which subcommand? list, show or lint (see lzscan rules --help)");
        code = EXIT_USAGE;
    } else {
        const char *sub = o.args[0];
        memmove(o.args, o.args + 1, --o.nargs * sizeof *o.args);
        if (strcmp(sub, "list") == 0)
            code = rules_list_or_show(&o, false);
        else if (strcmp(sub, "show") == 0)
            code = rules_list_or_show(&o, true);
        else if (strcmp(sub, "lint") == 0)
            code = rules_lint(&o);
        else {
            cli_error("rules: unknown subcommand \"%s\" (list, show, lint)", sub);
            code = EXIT_USAGE;
        }
    }
    free(o.dirs);
    free(o.args);
    return code;
}
