/*
 * cli_evidence.c - `lzscan evidence`: scan once, then write the bundle
 * (docs/evidence.md) into a fresh directory that appears whole or not at
 * all: every file goes into DIR.tmp-XXXXXX, which is renamed to DIR last.
 */
#include "cli_evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/atomic.h"
#include "../common/lztime.h"
#include "../output/evidence.h"
#include "../output/out_common.h"
#include "../output/out_html.h"
#include "../output/out_json.h"
#include "../output/out_rules.h"
#include "../output/out_sarif.h"
#include "../rules/baseline.h"
#include "../rules/exempt.h"
#include "cli.h"
#include "cli_scan.h"
#include "live/cli_live.h"

static const char evidence_usage[] =
    "usage: lzscan evidence (--input PATH ... | live scope options) --out DIR [options]\n"
    "\n"
    "Scans once and writes a compliance evidence bundle into DIR (which must not\n"
    "exist): manifest.json, report.json, report.sarif, findings.csv, controls.csv,\n"
    "the exemptions as applied, the rule pack as evaluated and SHA256SUMS, with an\n"
    "optional detached CMS signature (SHA256SUMS.p7s). Check it with lzscan verify.\n"
    "\n"
    "options:\n"
    "  -i, --input PATH        file or directory to read (repeatable)\n"
    "  -r, --rules DIR         add rules, or replace built-in ones by id (repeatable)\n"
    "  -p, --profile FILE      YAML profile: rule parameters and topology facts\n"
    "      --out DIR           the bundle directory to create\n"
    "      --previous DIR      last quarter's bundle: findings become new/unchanged\n"
    "                          and the ones gone are listed as resolved\n"
    "      --exemptions FILE   YAML exemptions (docs/exemptions.md), copied in\n"
    "      --sign KEY.pem      sign SHA256SUMS with this private key ...\n"
    "      --cert CERT.pem     ... and this certificate (both required together)\n"
    "  -q, --quiet             no warnings on stderr\n"
    "  -h, --help              this help\n"
    "\n"
    "Times come from LZSCAN_NOW when set, so that runs can be compared byte for byte.\n"
    "exit status: 0 bundle written; 2 usage, input or write error (nothing written).\n"
    "\n";

typedef struct ev_opts {
    char **inputs;
    size_t ninputs, capinputs;
    char **rules_dirs;
    size_t nrules, caprules;
    const char *profile, *out, *previous, *exemptions, *key, *cert;
    int quiet;
    live_opts live;
} ev_opts;

enum { OPT_OUT = 1700, OPT_PREVIOUS, OPT_EXEMPTIONS, OPT_SIGN, OPT_CERT };

static int ev_opt(ev_opts *o, int c, char **argv) {
    switch (c) {
    case 'i':
        LZ_PUSH(o->inputs, o->ninputs, o->capinputs, optarg);
        return 0;
    case 'r':
        LZ_PUSH(o->rules_dirs, o->nrules, o->caprules, optarg);
        return 0;
    case 'p':
        o->profile = optarg;
        return 0;
    case 'q':
        o->quiet = 1;
        return 0;
    case OPT_OUT:
        o->out = optarg;
        return 0;
    case OPT_PREVIOUS:
        o->previous = optarg;
        return 0;
    case OPT_EXEMPTIONS:
        o->exemptions = optarg;
        return 0;
    case OPT_SIGN:
        o->key = optarg;
        return 0;
    case OPT_CERT:
        o->cert = optarg;
        return 0;
    case 'h':
        fputs(evidence_usage, stdout);
        fputs(live_opts_usage, stdout);
        return 1;
    default: /* ':' or an unknown option */
        return cli_bad_option("evidence", c, argv);
    }
}

static int check_opts(const ev_opts *o, int argc, char **argv) {
    if (optind < argc) return cli_error("evidence: unexpected argument \"%s\"", argv[optind]), -1;
    if (!o->out) return cli_error("evidence: --out DIR is required"), -1;
    if (!o->key != !o->cert) return cli_error("evidence: --sign and --cert go together"), -1;
    if (o->ninputs && o->live.any)
        return cli_error("evidence: --input and the live collection options exclude each other"), -1;
    if (!o->ninputs && !live_opts_scoped(&o->live))
        return cli_error("evidence: no --input, --management-group, --subscription or --tenant"), -1;
    return 0;
}

static int parse_opts(int argc, char **argv, ev_opts *o) {
    static const struct option longopts[] = {
        {"input", required_argument, NULL, 'i'},
        {"rules", required_argument, NULL, 'r'},
        {"profile", required_argument, NULL, 'p'},
        {"out", required_argument, NULL, OPT_OUT},
        {"previous", required_argument, NULL, OPT_PREVIOUS},
        {"exemptions", required_argument, NULL, OPT_EXEMPTIONS},
        {"sign", required_argument, NULL, OPT_SIGN},
        {"cert", required_argument, NULL, OPT_CERT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        LIVE_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":i:r:p:qh", longopts, NULL)) != -1) {
        if (c >= LIVE_OPT_BASE && c < LIVE_OPT_LAST) {
            if (live_opt(&o->live, c, optarg) < 0) return -1;
            continue;
        }
        int rc = ev_opt(o, c, argv);
        if (rc) return rc;
    }
    return check_opts(o, argc, argv);
}

/* ---- building the bundle in memory ---- */

static char *safe_rule_name(const char *id) {
    char *s = lz_asprintf("rules/%s.yaml", id);
    for (char *p = s + 6; *p && strcmp(p, ".yaml") != 0; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p)) *p = '_';
    return s;
}

static void add_rules(ev_bundle *b, const report *r, bool quiet) {
    for (size_t i = 0; r->pack && i < r->pack->n; i++) {
        const rule *ru = r->pack->rules[i];
        char *text = out_rule_source_text(ru);
        if (!text) {
            if (!quiet) cli_warn("evidence: the source of rule %s (%s) cannot be read", ru->id, ru->source);
            continue;
        }
        char *name = safe_rule_name(ru->id);
        ev_bundle_add(b, name, text, strlen(text));
        free(name);
    }
}

static void add_buf(ev_bundle *b, const char *name, lz_buf *buf) {
    size_t len = buf->len;
    char *data = lz_buf_steal(buf);
    ev_bundle_add(b, name, data, len);
}

static int add_reports(ev_bundle *b, const report *r, lz_err *e) {
    lz_buf json = {0}, sarif = {0}, csv = {0};
    /* The bundle is evidence, not a gate: the run records exit 0. */
    out_run run = {.fail_on = SEV_LOW, .gating = report_gating(r, SEV_LOW, false)};
    if (out_json_report_run(r, &run, &json, e) < 0 || out_sarif_report(r, &run, &sarif, e) < 0) {
        lz_buf_free(&json);
        lz_buf_free(&sarif);
        return -1;
    }
    add_buf(b, "report.json", &json);
    add_buf(b, "report.sarif", &sarif);
    ev_findings_csv(r, &csv);
    add_buf(b, "findings.csv", &csv);
    ev_controls_csv(r, &csv);
    add_buf(b, "controls.csv", &csv);
    if (out_html_report(r, &csv, e) < 0) return lz_buf_free(&csv), -1;
    add_buf(b, "report.html", &csv);
    return 0;
}

static int build_bundle(const ev_opts *o, const report *r, ev_bundle *b, lz_err *e) {
    if (add_reports(b, r, e) < 0) return -1;
    add_rules(b, r, o->quiet);
    if (o->exemptions) {
        char *data;
        size_t len;
        if (lz_read_file(o->exemptions, &data, &len, e) < 0) return -1;
        ev_bundle_add(b, "exemptions.yaml", data, len);
    }
    ev_bundle_sort(b);
    char at[32];
    out_rfc3339(r->finished, at);
    ev_manifest_info mi = {.collected_at = at, .previous = o->previous};
    lz_buf buf = {0};
    if (ev_manifest(r, b, &mi, &buf, e) < 0) return lz_buf_free(&buf), -1;
    add_buf(b, "manifest.json", &buf);
    ev_bundle_sort(b);
    ev_sha256sums(b, &buf);
    if (o->key) {
        lz_buf sig = {0};
        if (ev_sign(o->key, o->cert, buf.data, buf.len, &sig, e) < 0)
            return lz_buf_free(&sig), lz_buf_free(&buf), -1;
        add_buf(b, "SHA256SUMS.p7s", &sig);
    }
    add_buf(b, "SHA256SUMS", &buf);
    return 0;
}

/* ---- writing ---- */

static int mkdirs_for(const char *root, const char *name, lz_err *e) {
    const char *slash = strrchr(name, '/');
    if (!slash) return 0;
    char *dir = lz_asprintf("%s/%.*s", root, (int)(slash - name), name);
    int rc = 0;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) rc = lz_errf(e, "%s: %s", dir, strerror(errno));
    free(dir);
    return rc;
}

static int write_files(const char *tmp, const ev_bundle *b, lz_err *e) {
    for (size_t i = 0; i < b->n; i++) {
        if (mkdirs_for(tmp, b->files[i].name, e) < 0) return -1;
        char *p = lz_asprintf("%s/%s", tmp, b->files[i].name);
        int rc = lz_write_atomic(p, b->files[i].data, b->files[i].len, e);
        free(p);
        if (rc < 0) return -1;
    }
    return 0;
}

/* A bundle is never overwritten: checked before the scan (so a long live
 * collection does not end in this error) and again by the final rename. */
static int check_absent(const char *dir, lz_err *e) {
    struct stat st;
    if (lstat(dir, &st) == 0)
        return lz_errf(e, "--out %s: already exists (a bundle is never overwritten)", dir);
    return 0;
}

/* rename(2) would replace an empty directory created at dir since
 * check_absent; RENAME_NOREPLACE closes that window. Filesystems without it
 * (EINVAL) get the plain rename, which still refuses a non-empty dir. */
static int rename_new(const char *from, const char *to) {
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    struct stat st;
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

/*
 * The bundle is built in DIR.tmp-XXXXXX, registered for removal on a fatal
 * signal (common/atomic.h): SIGINT, SIGTERM or SIGHUP while it is written
 * leave neither it nor DIR. DIR appears by one rename, whole.
 */
static int write_bundle(const char *dir, const ev_bundle *b, lz_err *e) {
    if (check_absent(dir, e) < 0) return -1;
    char *tmp = lz_asprintf("%s.tmp-XXXXXX", dir);
    int slot;
    if (lz_temp_dir_create(tmp, &slot) < 0) {
        lz_errf(e, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    chmod(tmp, 0755);
    int rc = write_files(tmp, b, e);
    if (rc == 0 && rename_new(tmp, dir) < 0)
        rc = lz_errf(e, "renaming %s to %s: %s", tmp, dir,
                     errno == EEXIST || errno == ENOTEMPTY
                         ? "--out already exists (a bundle is never overwritten)"
                         : strerror(errno));
    if (rc < 0) lz_remove_tree(tmp);
    lz_temp_forget(slot);
    free(tmp);
    return rc;
}

/* ---- the command ---- */

static int annotate(const ev_opts *o, report *r, lz_err *e) {
    time_t now;
    if (lz_now(&now, e) < 0) return -1;
    if (getenv("LZSCAN_NOW") && *getenv("LZSCAN_NOW")) r->started = r->finished = now;
    exempt_set *ex = NULL;
    baseline *base = NULL;
    int rc = 0;
    char *prev = o->previous ? lz_asprintf("%s/report.json", o->previous) : NULL;
    if (o->exemptions && exempt_load(&ex, o->exemptions, e) < 0)
        rc = -1;
    else if (prev && baseline_load(&base, prev, e) < 0)
        rc = lz_err_prefix(e, "--previous");
    if (rc == 0 && ex) exempt_apply(ex, r, now);
    if (rc == 0 && base) baseline_apply(base, r);
    exempt_free(ex);
    baseline_free(base);
    free(prev);
    return rc;
}

static int run_evidence(ev_opts *o) {
    scan_source src = {o->inputs, o->ninputs, o->rules_dirs, o->nrules, o->profile, &o->live, 0, 0};
    o->live.quiet = o->quiet;
    scan_result s;
    ev_bundle b = {0};
    lz_err e = {{0}};
    int code = EXIT_USAGE;
    memset(&s, 0, sizeof s);
    if (check_absent(o->out, &e) == 0 && scan_evaluate(&src, &s, &e) == 0 && annotate(o, &s.r, &e) == 0 &&
        build_bundle(o, &s.r, &b, &e) == 0 && write_bundle(o->out, &b, &e) == 0)
        code = EXIT_OK;
    else
        cli_error("%s", e.msg);
    if (code == EXIT_OK && !o->quiet) {
        const inv_gap *gaps;
        size_t n = inv_gaps(s.v, &gaps);
        for (size_t i = 0; i < n; i++)
            cli_warn("coverage gap (recorded in the manifest): %s", gaps[i].reason);
        printf("evidence bundle %s: %zu files, %zu findings\n", o->out, b.n, s.r.nfindings);
    }
    ev_bundle_free(&b);
    scan_result_free(&s);
    return code;
}

int cli_evidence(int argc, char **argv) {
    ev_opts o = {0};
    int prc = parse_opts(argc, argv, &o);
    int code = prc > 0 ? EXIT_OK : prc < 0 ? EXIT_USAGE : run_evidence(&o);
    free(o.inputs);
    free(o.rules_dirs);
    live_opts_free(&o.live);
    return code;
}

int cli_evidence_dispatch(const char *cmd, int argc, char **argv) {
    if (strcmp(cmd, "evidence") == 0) return cli_evidence(argc, argv);
    if (strcmp(cmd, "verify") == 0) return cli_verify(argc, argv);
    if (strcmp(cmd, "diff") == 0) return cli_diff(argc, argv);
    return -1;
}
