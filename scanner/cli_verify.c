/*
 * cli_verify.c - `lzscan verify DIR [--ca CA.pem]`: every file SHA256SUMS
 * lists exists and matches, no other file is present (but the signature),
 * and the signature, when there is one, verifies. Every problem is printed
 * with the file's name, not only the first, so an auditor sees the extent.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../output/evidence.h"
#include "cli.h"
#include "cli_evidence.h"

static const char verify_usage[] =
    "usage: lzscan verify DIR [--ca CA.pem]\n"
    "\n"
    "Checks an evidence bundle: every hash in SHA256SUMS, that no file was added,\n"
    "and the CMS signature SHA256SUMS.p7s. With --ca the signer must chain to\n"
    "CA.pem (and a signature is required); without it the signature is checked\n"
    "against the certificate it embeds, which proves integrity but not who signed.\n"
    "\n"
    "exit status: 0 the bundle is intact; 1 it is not (each problem is named);\n"
    "2 usage error or unreadable CA.\n";

typedef struct sums {
    char **names;
    char (*hex)[65];
    size_t n, cap, caphex;
    size_t problems;
} sums;

static void problem(sums *s, const char *fmt, const char *name, const char *why) {
    printf(fmt, name, why);
    putchar('\n');
    s->problems++;
}

static bool parse_line(const char *line, size_t len, char hex[65], char **name) {
    if (len < 67 || line[64] != ' ' || line[65] != ' ') return false;
    for (int i = 0; i < 64; i++)
        if (!strchr("0123456789abcdef", line[i]) || !line[i]) return false;
    memcpy(hex, line, 64);
    hex[64] = '\0';
    *name = lz_strndup(line + 66, len - 66);
    if (ev_name_safe(*name)) return true;
    free(*name);
    return false;
}

static void parse_sums(sums *s, const char *data, size_t len) {
    size_t lineno = 0;
    for (const char *p = data; p < data + len;) {
        const char *nl = memchr(p, '\n', (size_t)(data + len - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(data + len - p);
        char hex[65], *name, where[32];
        lineno++;
        if (parse_line(p, n, hex, &name)) {
            lz_grow(&s->hex, &s->caphex, s->n + 1, sizeof *s->hex);
            memcpy(s->hex[s->n], hex, 65);
            LZ_PUSH(s->names, s->n, s->cap, name);
        } else {
            snprintf(where, sizeof where, "line %zu", lineno);
            problem(s, "SHA256SUMS: %s: %s", where, "not \"SHA256  NAME\" with a safe relative name");
        }
        p += n + 1;
    }
}

static void check_listed(sums *s, const char *dir) {
    for (size_t i = 0; i < s->n; i++) {
        char *path = lz_asprintf("%s/%s", dir, s->names[i]), *data, hex[65];
        size_t len;
        lz_err e = {{0}};
        struct stat st;
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
            problem(s, "%s: %s", s->names[i], "missing (or not a regular file)");
        else if (lz_read_file(path, &data, &len, &e) < 0)
            problem(s, "%s: %s", s->names[i], e.msg);
        else {
            lz_sha256_hex(data, len, hex);
            if (strcmp(hex, s->hex[i]) != 0) problem(s, "%s: %s", s->names[i], "MODIFIED (sha256 differs)");
            free(data);
        }
        free(path);
    }
}

static bool listed(const sums *s, const char *name) {
    if (strcmp(name, "SHA256SUMS") == 0 || strcmp(name, "SHA256SUMS.p7s") == 0) return true;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0) return true;
    return false;
}

/* Every entry under dir must be listed: an added file is tampering too. */
static void check_unlisted(sums *s, const char *root, const char *rel) {
    char *dirpath = *rel ? lz_asprintf("%s/%s", root, rel) : lz_strdup(root);
    DIR *d = opendir(dirpath);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char *name = *rel ? lz_asprintf("%s/%s", rel, de->d_name) : lz_strdup(de->d_name);
        char *path = lz_asprintf("%s/%s", root, name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            check_unlisted(s, root, name);
        else if (!listed(s, name))
            problem(s, "%s: %s", name, "not listed in SHA256SUMS (added)");
        free(path);
        free(name);
    }
    if (d) closedir(d);
    free(dirpath);
}

static void check_signature(sums *s, const char *dir, const char *ca, const char *sumdata, size_t sumlen) {
    char *path = lz_asprintf("%s/SHA256SUMS.p7s", dir), *sig;
    size_t siglen;
    lz_err e = {{0}};
    if (lz_read_file(path, &sig, &siglen, &e) < 0) {
        if (ca)
            problem(s, "%s: %s", "SHA256SUMS.p7s", "missing (--ca requires a signed bundle)");
        else
            printf("note: the bundle is not signed\n");
        free(path);
        return;
    }
    bool chained;
    lz_buf subject = {0};
    if (ev_verify_sig(sig, siglen, sumdata, sumlen, ca, &chained, &subject, &e) < 0)
        problem(s, "%s: %s", "SHA256SUMS.p7s", e.msg);
    else
        printf("signature: valid, signed by %s; %s\n", lz_buf_cstr(&subject),
               chained ? "the signer chains to the given CA" : "the signer is NOT chain-verified (no --ca)");
    lz_buf_free(&subject);
    free(sig);
    free(path);
}

static int parse_args(int argc, char **argv, const char **dir, const char **ca) {
    static const struct option longopts[] = {
        {"ca", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'c') {
            *ca = optarg;
        } else if (c == 'h') {
            fputs(verify_usage, stdout);
            return 1;
        } else {
            cli_error("verify: bad option %s (see lzscan verify --help)", argv[optind - 1]);
            return -1;
        }
    }
    if (optind + 1 != argc) {
        cli_error("verify: give exactly one bundle directory (see lzscan verify --help)");
        return -1;
    }
    *dir = argv[optind];
    return 0;
}

static int verify_dir(const char *dir, const char *ca) {
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        cli_error("verify: %s is not a directory", dir);
        return EXIT_USAGE;
    }
    if (ca && access(ca, R_OK) != 0) {
        cli_error("verify: --ca %s cannot be read", ca);
        return EXIT_USAGE;
    }
    sums s = {0};
    char *path = lz_asprintf("%s/SHA256SUMS", dir), *data = NULL;
    size_t len = 0;
    lz_err e = {{0}};
    if (lz_read_file(path, &data, &len, &e) < 0) {
        problem(&s, "%s: %s", "SHA256SUMS", "missing or unreadable");
    } else {
        parse_sums(&s, data, len);
        check_listed(&s, dir);
        check_unlisted(&s, dir, "");
        check_signature(&s, dir, ca, data, len);
    }
    if (!s.problems)
        printf("OK: %zu files match SHA256SUMS in %s\n", s.n, dir);
    else
        printf("FAILED: %zu problem(s) in %s\n", s.problems, dir);
    for (size_t i = 0; i < s.n; i++) free(s.names[i]);
    free(s.names);
    free(s.hex);
    free(data);
    free(path);
    return s.problems ? EXIT_FINDINGS : EXIT_OK;
}

int cli_verify(int argc, char **argv) {
    const char *dir = NULL, *ca = NULL;
    int prc = parse_args(argc, argv, &dir, &ca);
    if (prc) return prc > 0 ? EXIT_OK : EXIT_USAGE;
    return verify_dir(dir, ca);
}
