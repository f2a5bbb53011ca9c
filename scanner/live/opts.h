/*
 * opts.h - the command-line options of live collection, shared by
 * `lzscan collect` and the live mode of `lzscan scan`.
 *
 * A command adds LIVE_LONGOPTS to its getopt_long table and hands every
 * option value >= LIVE_OPT_BASE to live_opt. live_opts owns nothing but its
 * arrays: the strings are borrowed from argv.
 */
#ifndef LIVE_OPTS_H
#define LIVE_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "../../common/lz.h"
#include "auth.h"
#include "progress.h"

typedef struct live_strs {
    const char **v;
    size_t n, cap;
} live_strs;

typedef struct live_opts {
    live_strs mgs, subs, exclude_mgs, exclude_subs;
    const char *tenant;
    enum auth_kind auth;
    const char *cloud;         /* AzureCloud (default), AzureUSGovernment, AzureChinaCloud */
    const char *arm_endpoint;  /* --arm-endpoint, else LZSCAN_ARM_ENDPOINT, else the cloud's */
    const char *imds_endpoint; /* --imds-endpoint, else LZSCAN_IMDS_ENDPOINT */
    const char *ca_bundle;     /* --ca-bundle, else SSL_CERT_FILE */
    bool verbose, quiet;
    bool no_projection; /* --no-projection: Resource Graph rows whole (project.h) */
    bool any;           /* a live option was given */
    /* Not an option: set by a caller that shows progress itself (the TUI);
     * the stderr progress line is then never printed (progress.h). */
    live_progress_fn progress;
    void *progress_ctx;
} live_opts;

enum {
    LIVE_OPT_BASE = 1000,
    LIVE_OPT_MG = LIVE_OPT_BASE,
    LIVE_OPT_SUB,
    LIVE_OPT_EXCL_MG,
    LIVE_OPT_EXCL_SUB,
    LIVE_OPT_TENANT,
    LIVE_OPT_AUTH,
    LIVE_OPT_CLOUD,
    LIVE_OPT_ARM,
    LIVE_OPT_IMDS,
    LIVE_OPT_CA,
    LIVE_OPT_VERBOSE,
    LIVE_OPT_NO_PROJECTION,
    LIVE_OPT_LAST,
};

#define LIVE_LONGOPTS                                                                                        \
    {"management-group", required_argument, NULL, LIVE_OPT_MG},                                              \
        {"subscription", required_argument, NULL, LIVE_OPT_SUB},                                             \
        {"exclude-management-group", required_argument, NULL, LIVE_OPT_EXCL_MG},                             \
        {"exclude-subscription", required_argument, NULL, LIVE_OPT_EXCL_SUB},                                \
        {"tenant", required_argument, NULL, LIVE_OPT_TENANT},                                                \
        {"auth", required_argument, NULL, LIVE_OPT_AUTH},                                                    \
        {"cloud", required_argument, NULL, LIVE_OPT_CLOUD},                                                  \
        {"arm-endpoint", required_argument, NULL, LIVE_OPT_ARM},                                             \
        {"imds-endpoint", required_argument, NULL, LIVE_OPT_IMDS},                                           \
        {"ca-bundle", required_argument, NULL, LIVE_OPT_CA},                                                 \
        {"verbose", no_argument, NULL, LIVE_OPT_VERBOSE}, {                                                  \
        "no-projection", no_argument, NULL, LIVE_OPT_NO_PROJECTION                                           \
    }

/* The help text for these options (ends with a newline). */
extern const char live_opts_usage[];

/* Handles one option (c >= LIVE_OPT_BASE). Returns 0, or -1 after printing
 * the problem to stderr. */
int live_opt(live_opts *o, int c, const char *arg);
/* True when a scope option (--management-group, --subscription, --tenant)
 * was given: `lzscan scan` then collects live. */
bool live_opts_scoped(const live_opts *o);
void live_opts_free(live_opts *o);

/* Endpoints after --cloud, --arm-endpoint, LZSCAN_ARM_ENDPOINT,
 * AZURE_AUTHORITY_HOST: no trailing slash. Both must be https. */
typedef struct live_endpoints {
    char *arm;       /* https://management.azure.com */
    char *authority; /* https://login.microsoftonline.com */
    char *imds;      /* NULL unless configured */
} live_endpoints;
int live_endpoints_resolve(const live_opts *o, live_endpoints *out, lz_err *e);
void live_endpoints_free(live_endpoints *ep);

#endif
