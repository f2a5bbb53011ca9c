/*
 * arm.c - see arm.h.
 */
#include "arm.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

typedef struct list_job {
    char *arm, *bucket;
    arm_list_cb cb;
    size_t pages, rows;
} list_job;

#define MAX_LIST_PAGES 100000

static bool path_char(unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           strchr("-._~/!$&'()*+,;=:@", ch) != NULL;
}

char *arm_escape_path(const char *path) {
    lz_buf b = {0};
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (path_char(*p))
            lz_buf_putc(&b, (char)*p);
        else
            lz_buf_printf(&b, "%%%02X", *p);
    }
    if (!b.data) lz_buf_puts(&b, "");
    return lz_buf_steal(&b);
}

/* Length of "scheme://host[:port]" at the start of url. */
static size_t origin_len(const char *url) {
    const char *p = strstr(url, "://");
    if (!p) return 0;
    const char *slash = strchr(p + 3, '/');
    return slash ? (size_t)(slash - url) : strlen(url);
}

bool arm_same_origin(const char *base, const char *url) {
    size_t a = origin_len(base), b = origin_len(url);
    return a && a == b && strncasecmp(base, url, a) == 0;
}

static void on_list_page(live_ctx *L, live_call *c, void *ctx);

static void submit(live_ctx *L, list_job *j, const char *url) {
    live_submit(L, live_call_new(LIVE_ARM, "GET", url, NULL, j->bucket, on_list_page, j));
    L->work_total++;
}

void arm_list(live_ctx *L, const char *arm, const char *path, const char *api_version, const char *bucket,
              const arm_list_cb *cb) {
    list_job *j = lz_calloc(1, sizeof *j);
    j->arm = lz_strdup(arm);
    j->bucket = lz_strdup(bucket ? bucket : "");
    j->cb = *cb;
    char *esc = arm_escape_path(path);
    char *url = lz_asprintf("%s%s%capi-version=%s", arm, esc, strchr(path, '?') ? '&' : '?', api_version);
    submit(L, j, url);
    free(url);
    free(esc);
}

static void finish(live_ctx *L, list_job *j, live_call *c, bool ok, const char *why) {
    arm_result r = {0};
    r.ok = ok;
    r.status = c->resp ? c->resp->status : 0;
    r.pages = j->pages;
    r.rows = j->rows;
    yajl_val t = NULL;
    if (!ok && c->resp) {
        t = live_json_parse(lz_buf_cstr(&c->resp->body));
        r.error_code = live_json_str(t, "error", "code", (char *)NULL);
    }
    r.error = why ? why : c->error;
    if (j->cb.done) j->cb.done(L, &r, j->cb.ctx);
    yajl_tree_free(t);
    free(j->arm);
    free(j->bucket);
    free(j);
}

static void on_list_page(live_ctx *L, live_call *c, void *ctx) {
    list_job *j = ctx;
    if (!c->ok) {
        finish(L, j, c, false, NULL);
        return;
    }
    live_page p;
    lz_err e = {{0}};
    int rc = live_page_parse(c->resp->body.data, c->resp->body.len, j->cb.row, NULL, j->cb.ctx, &p, &e);
    j->pages++;
    j->rows += p.rows;
    L->st.objects += p.rows;
    if (rc < 0) {
        char *path = http_log_path(c->url);
        char *why = lz_asprintf("GET %s: %s", path, e.msg);
        finish(L, j, c, false, why);
        free(why);
        free(path);
    } else if (p.next_link && !arm_same_origin(j->arm, p.next_link)) {
        char *path = http_log_path(c->url);
        char *why = lz_asprintf("GET %s: the nextLink points at another host; not followed", path);
        finish(L, j, c, false, why);
        free(why);
        free(path);
    } else if (p.next_link && j->pages < MAX_LIST_PAGES) {
        submit(L, j, p.next_link);
    } else {
        finish(L, j, c, true, NULL);
    }
    live_page_free(&p);
}
