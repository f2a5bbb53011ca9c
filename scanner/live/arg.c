/*
 * arg.c - see arg.h.
 */
#include "arg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_gen.h>

#include "redact.h"

typedef struct arg_job {
    char *arm, *table, *mg, *scope_filter, *projection;
    char **types;
    size_t ntypes;
    char **subs;
    size_t nsubs;
    unsigned part_k, part_n;
    char *skip;
    size_t pages;
    arg_sink *sink;
} arg_job;

#define MAX_PAGES 1000000 /* a server that never stops paging is a bug, not a tenant */

static char **strv_copy(char *const *v, size_t n) {
    char **r = n ? lz_calloc(n, sizeof *r) : NULL;
    for (size_t i = 0; i < n; i++) r[i] = lz_strdup(v[i]);
    return r;
}

static void strv_release(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Frees a finished part; the last part of the sink's queries tells it. */
static void job_free(arg_job *j) {
    arg_sink *s = j->sink;
    free(j->arm);
    free(j->table);
    free(j->mg);
    free(j->scope_filter);
    free(j->projection);
    strv_release(j->types, j->ntypes);
    strv_release(j->subs, j->nsubs);
    free(j->skip);
    free(j);
    if (--s->jobs_ == 0 && s->done) s->done(s, s->ctx);
}

/* A copy of j over part of its scope or partition, from the first page. */
static arg_job *job_clone(const arg_job *j, char *const *subs, size_t nsubs, unsigned k, unsigned n) {
    arg_job *c = lz_calloc(1, sizeof *c);
    c->arm = lz_strdup(j->arm);
    c->table = lz_strdup(j->table);
    c->mg = j->mg ? lz_strdup(j->mg) : NULL;
    c->scope_filter = j->scope_filter ? lz_strdup(j->scope_filter) : NULL;
    c->projection = j->projection ? lz_strdup(j->projection) : NULL;
    c->types = strv_copy(j->types, j->ntypes);
    c->ntypes = j->ntypes;
    c->subs = strv_copy(subs, nsubs);
    c->nsubs = nsubs;
    c->part_k = k;
    c->part_n = n;
    c->sink = j->sink;
    c->sink->jobs_++;
    return c;
}

size_t arg_batch_size(void) {
    const char *v = getenv("LZSCAN_ARG_BATCH");
    long n = v ? strtol(v, NULL, 10) : 0;
    return n >= 1 && n <= ARG_BATCH ? (size_t)n : ARG_BATCH;
}

char *arg_kql(const char *table, char *const *types, size_t ntypes, unsigned k, unsigned n) {
    return arg_kql_projected(table, types, ntypes, NULL, k, n);
}

char *arg_kql_projected(const char *table, char *const *types, size_t ntypes, const char *projection,
                        unsigned k, unsigned n) {
    lz_buf b = {0};
    lz_buf_puts(&b, table);
    if (ntypes) {
        lz_buf_puts(&b, " | where type in~ (");
        for (size_t i = 0; i < ntypes; i++) {
            lz_buf_printf(&b, "%s'", i ? ", " : "");
            for (const char *p = types[i]; *p; p++) {
                if (*p == '\'' || *p == '\\') lz_buf_putc(&b, '\\');
                lz_buf_putc(&b, *p);
            }
            lz_buf_putc(&b, '\'');
        }
        lz_buf_putc(&b, ')');
    }
    if (n > 1) lz_buf_printf(&b, " | where abs(hash(tolower(id)) %% %u) == %u", n, k);
    if (projection) lz_buf_puts(&b, projection);
    lz_buf_puts(&b, " | order by id asc");
    return lz_buf_steal(&b);
}

static void gen_str(yajl_gen g, const char *s) {
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static char *request_body(const arg_job *j) {
    yajl_gen g = yajl_gen_alloc(NULL);
    char *kql = arg_kql_projected(j->table, j->types, j->ntypes, j->projection, j->part_k, j->part_n);
    yajl_gen_map_open(g);
    gen_str(g, "query");
    gen_str(g, kql);
    gen_str(g, j->mg ? "managementGroups" : "subscriptions");
    yajl_gen_array_open(g);
    if (j->mg) gen_str(g, j->mg);
    for (size_t i = 0; !j->mg && i < j->nsubs; i++) gen_str(g, j->subs[i]);
    yajl_gen_array_close(g);
    gen_str(g, "options");
    yajl_gen_map_open(g);
    gen_str(g, "$top");
    yajl_gen_integer(g, ARG_TOP);
    if (j->skip) {
        gen_str(g, "$skipToken");
        gen_str(g, j->skip);
    }
    gen_str(g, "resultFormat");
    gen_str(g, "objectArray");
    if (j->mg) { /* partial results beyond 10,000 subscriptions are flagged by a header, not refused */
        gen_str(g, "allowPartialScopes");
        yajl_gen_bool(g, 1);
    }
    if (j->scope_filter) {
        gen_str(g, "authorizationScopeFilter");
        gen_str(g, j->scope_filter);
    }
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    char *body = lz_strndup((const char *)buf, len);
    yajl_gen_free(g);
    free(kql);
    return body;
}

static void on_page(live_ctx *L, live_call *c, void *ctx);

static void submit_page(live_ctx *L, arg_job *j) {
    char *url =
        lz_asprintf("%s/providers/Microsoft.ResourceGraph/resources?api-version=%s", j->arm, ARG_API_VERSION);
    char *body = request_body(j);
    live_submit(L, live_call_new(LIVE_ARG, "POST", url, body, "", on_page, j));
    L->work_total++;
    free(body);
    free(url);
}

void arg_submit(live_ctx *L, const char *arm, const arg_query *q, arg_sink *sink) {
    arg_job *j = lz_calloc(1, sizeof *j);
    j->arm = lz_strdup(arm);
    j->table = lz_strdup(q->table);
    j->mg = q->management_group ? lz_strdup(q->management_group) : NULL;
    j->scope_filter = q->scope_filter ? lz_strdup(q->scope_filter) : NULL;
    j->projection = q->projection ? lz_strdup(q->projection) : NULL;
    j->types = strv_copy(q->types, q->ntypes);
    j->ntypes = q->ntypes;
    j->subs = strv_copy(q->subscriptions, q->nsubscriptions);
    j->nsubs = q->nsubscriptions;
    j->sink = sink;
    sink->jobs_++;
    submit_page(L, j);
}

/* ---- failures ---- */

static void gap_all(arg_job *j, const char *reason) {
    arg_sink *s = j->sink;
    if (j->mg && s->failed) {
        s->failed(reason, s->ctx);
        return;
    }
    size_t nscopes = j->mg ? 1 : j->nsubs;
    for (size_t i = 0; i < nscopes; i++) {
        char *scope = j->mg ? lz_strdup("") : lz_asprintf("/subscriptions/%s", j->subs[i]);
        lz_lower(scope, strlen(scope));
        if (!j->ntypes) s->gap(scope, "", reason, s->ctx);
        for (size_t t = 0; t < j->ntypes; t++) s->gap(scope, j->types[t], reason, s->ctx);
        free(scope);
    }
}

static bool has_code(yajl_val err, const char *code) {
    const char *c = live_json_str(err, "code", (char *)NULL);
    if (c && strcasecmp(c, code) == 0) return true;
    yajl_val d = live_json_get(err, "details", (char *)NULL);
    for (size_t i = 0; YAJL_IS_ARRAY(d) && i < d->u.array.len; i++)
        if (has_code(d->u.array.values[i], code)) return true;
    return false;
}

static bool payload_too_large(const live_call *c) {
    if (!c->resp || c->resp->status != 400) return false;
    yajl_val t = live_json_parse(lz_buf_cstr(&c->resp->body));
    bool r = has_code(live_json_get(t, "error", (char *)NULL), "ResponsePayloadTooLarge");
    yajl_tree_free(t);
    return r;
}

static void split_partition(live_ctx *L, arg_job *j, const char *reason) {
    unsigned n = j->part_n > 1 ? j->part_n : 1;
    if (n * 2 > ARG_MAX_SPLIT) {
        char *why = lz_asprintf("%s (still too large after splitting into %u parts)", reason, n);
        gap_all(j, why);
        free(why);
        return;
    }
    unsigned k = j->part_n > 1 ? j->part_k : 0;
    submit_page(L, job_clone(j, j->subs, j->nsubs, k, n * 2));
    submit_page(L, job_clone(j, j->subs, j->nsubs, k + n, n * 2));
}

/* The same part without its projection, from its first page. */
static void unproject(live_ctx *L, arg_job *j, const char *reason) {
    if (j->sink->unprojected) j->sink->unprojected(reason, j->sink->ctx);
    arg_job *c = job_clone(j, j->subs, j->nsubs, j->part_k, j->part_n);
    free(c->projection);
    c->projection = NULL;
    submit_page(L, c);
}

static void on_failure(live_ctx *L, arg_job *j, live_call *c) {
    if (payload_too_large(c)) {
        split_partition(L, j, c->error);
    } else if (j->projection && c->resp && c->resp->status == 400) {
        unproject(L, j, c->error);
    } else if (c->resp && c->resp->status == 403 && !j->mg && j->nsubs > 1) {
        /* Which subscription refuses? Halve the list until it is alone. */
        size_t half = j->nsubs / 2;
        submit_page(L, job_clone(j, j->subs, half, j->part_k, j->part_n));
        submit_page(L, job_clone(j, j->subs + half, j->nsubs - half, j->part_k, j->part_n));
    } else {
        gap_all(j, c->error);
    }
}

/* ---- pages ---- */

static void on_page(live_ctx *L, live_call *c, void *ctx) {
    arg_job *j = ctx;
    if (!c->ok) {
        on_failure(L, j, c);
        job_free(j);
        return;
    }
    const char *hit = http_header_get(c->resp, "x-ms-tenant-subscription-limit-hit");
    if (hit && strcasecmp(hit, "true") == 0) j->sink->limit_hit = true;
    live_page p;
    lz_err e = {{0}};
    arg_sink *s = j->sink;
    int rc = live_page_parse(c->resp->body.data, c->resp->body.len, s->row, s->str, s->ctx, &p, &e);
    s->pages++;
    s->rows += p.rows;
    L->st.objects += p.rows;
    j->pages++;
    if (rc < 0) {
        char *why = lz_asprintf(
            "%s: %s", c->error[0] ? c->error : "POST /providers/Microsoft.ResourceGraph/resources", e.msg);
        gap_all(j, why);
        free(why);
    } else if (p.skip_token && j->pages < MAX_PAGES) {
        free(j->skip);
        j->skip = p.skip_token;
        p.skip_token = NULL;
        live_page_free(&p);
        submit_page(L, j);
        return;
    } else if (p.skip_token || p.truncated) {
        gap_all(j, "POST /providers/Microsoft.ResourceGraph/resources: the result was truncated "
                   "(resultTruncated without a $skipToken)");
    }
    live_page_free(&p);
    job_free(j);
}
