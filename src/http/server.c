/* server.c — libmicrohttpd glue: per-connection request context, body cap,
 * response rendering, and the route → auth → handler pipeline.
 *
 * libmicrohttpd calls the access handler several times per request: once
 * after the headers (con_cls still NULL), then once per body chunk, then a
 * last time with *upload_data_size == 0. The context allocated on the first
 * call lives until MHD_OPTION_NOTIFY_COMPLETED, which frees it whatever
 * happened to the request (answered, aborted, timed out). */
#include "http/server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "http/auth.h"
#include "http/router.h"

/* An oversized body (chunked, or declared without Expect: 100-continue) is
 * read and dropped before the 413 goes out, because a client still writing
 * when the server closes sees a reset instead of the answer. Past this much
 * the client is not worth waiting for and the connection is closed. */
#define RB_MAX_DISCARD (16u * 1024 * 1024)

struct rb_http {
    struct MHD_Daemon *daemon;
    rb_app *app;
    int port;
};

typedef struct kv_list {
    rb_kv *items;
    size_t n, cap;
} kv_list;

typedef struct conn_ctx {
    int64_t start_ns;
    rb_buf body;
    int too_big;                   /* the body passed RB_MAX_BODY */
    int answered;                  /* a response was queued on the first call */
    size_t discarded;
    kv_list headers;
    kv_list query;
} conn_ctx;

/* ---- pipeline ---------------------------------------------------------- */

void rb_http_dispatch(rb_app *app, rb_req *req, rb_resp *resp)
{
    rb_route_match m;
    int rc = rb_router_match(req->method, req->path, &m);
    if (rc == RB_NOTFOUND) {
        rb_resp_errorf(resp, 404, "not_found", "no such endpoint");
        return;
    }
    if (rc == RB_CONFLICT) {
        rb_resp_errorf(resp, 405, "method_not_allowed", "%s is not allowed here; use %s",
                       req->method, m.allow);
        rb_resp_header(resp, "Allow", m.allow);
        return;
    }
    for (size_t i = 0; i < m.nparams; i++)
        req->params[i] = m.params[i];
    req->nparams = m.nparams;
    memset(&req->env, 0, sizeof req->env);
    req->token_id = NULL;

    rb_auth auth;
    if (m.route->scope) {
        rb_err err;
        rb_err_clear(&err);
        if (rb_auth_check(app->store, rb_req_header(req, "Authorization"), m.route->scope, &auth,
                          &err) != RB_OK) {
            rb_resp_error(resp, &err);
            if (err.status == 401)
                rb_resp_header(resp, "WWW-Authenticate", "Basic realm=\"robots\"");
            return;
        }
        req->env = auth.env;
        req->token_id = auth.token_id;
    }
    m.route->handler(app, req, resp);
    /* The captures and the token id live in this frame; do not let the
     * request keep pointers to them. */
    req->nparams = 0;
    memset(req->params, 0, sizeof req->params);
    req->token_id = NULL;
    if (resp->status < 100 || resp->status > 599) {
        rb_error("handler for %s %s answered no status", req->method, m.route->pattern);
        rb_resp_errorf(resp, 500, "internal_error", "internal error");
    }
}

/* ---- request context --------------------------------------------------- */

static enum MHD_Result kv_collect(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    kv_list *l = cls;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        rb_kv *p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return MHD_NO;
        l->items = p;
        l->cap = cap;
    }
    /* libmicrohttpd keeps keys and values in the connection's memory pool
     * until the request completes, which outlives every use here. */
    l->items[l->n].key = key;
    l->items[l->n].value = value ? value : "";
    l->n++;
    return MHD_YES;
}

static void ctx_free(conn_ctx *ctx)
{
    if (!ctx)
        return;
    rb_buf_free(&ctx->body);
    free(ctx->headers.items);
    free(ctx->query.items);
    free(ctx);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    ctx_free(*con_cls);
    *con_cls = NULL;
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    rb_warn("http: %s", line);
}

/* ---- responses --------------------------------------------------------- */

static enum MHD_Result queue(struct MHD_Connection *c, rb_resp *resp, int close_after)
{
    int status = resp->status;
    char *body = NULL;
    size_t len = 0;
    const char *ctype = NULL;
    if (status != 204 && status != 304) {
        if (resp->json) {
            body = json_dumps(resp->json, JSON_COMPACT);
            if (!body) {
                status = 500;
                static const char oom[] = "{\"error\":{\"type\":\"internal_error\",\"message\":"
                                          "\"out of memory\",\"messages\":[\"out of memory\"]}}";
                body = strdup(oom);
            }
            len = body ? strlen(body) : 0;
            ctype = "application/json";
        } else if (resp->raw) {
            body = resp->raw;
            len = resp->raw_len;
            resp->raw = NULL;
            ctype = resp->content_type[0] ? resp->content_type : "application/octet-stream";
        }
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (ctype)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    for (size_t i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(r, resp->headers[i].key, resp->headers[i].value);
    if (close_after)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static void log_request(const char *method, const char *url, int status, const conn_ctx *ctx)
{
    rb_debug("http %s %.200s %d %lldus", method, url, status,
             (long long)((rb_mono_ns() - ctx->start_ns) / 1000));
}

static enum MHD_Result answer_too_big(struct MHD_Connection *c, const char *method,
                                      const char *url, conn_ctx *ctx, int close_after)
{
    rb_resp resp;
    rb_resp_init(&resp);
    rb_resp_errorf(&resp, 413, "payload_too_large", "request body is larger than %d bytes",
                   RB_MAX_BODY);
    enum MHD_Result ret = queue(c, &resp, close_after);
    log_request(method, url, resp.status, ctx);
    rb_resp_free(&resp);
    return ret;
}

/* How the declared Content-Length compares with the caps: 0 within
 * RB_MAX_BODY (or none declared), 1 over it but small enough to drain, 2 over
 * RB_MAX_DISCARD. */
static int declared_too_big(struct MHD_Connection *c)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl)
        return 0;
    unsigned long long v = 0;
    for (const char *p = cl; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0; /* libmicrohttpd rejects malformed lengths itself */
        if (v > RB_MAX_DISCARD)
            return 2;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v > RB_MAX_DISCARD)
        return 2;
    return v > RB_MAX_BODY ? 1 : 0;
}

/* 1 when the client waits for "100 Continue" before sending its body. */
static int expects_continue(struct MHD_Connection *c)
{
    const char *e = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
    return e && strcasecmp(e, "100-continue") == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct rb_http *h = cls;
    conn_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof *ctx);
        if (!ctx)
            return MHD_NO;
        ctx->start_ns = rb_mono_ns();
        rb_buf_init(&ctx->body, RB_MAX_BODY);
        *con_cls = ctx;
        /* A declared oversize body is refused before a byte of it is read
         * when the client asked for 100-continue (it has not sent the body
         * and will not), or when it is too large to be worth draining; the
         * connection closes after the answer. Otherwise the client is
         * already writing the body: it is read and dropped below, and the
         * 413 follows, so the client reads an answer, not a reset. */
        int over = declared_too_big(c);
        if (over == 2 || (over == 1 && expects_continue(c))) {
            ctx->answered = 1;
            return answer_too_big(c, method, url, ctx, 1);
        }
        if (over) {
            ctx->too_big = 1;
            rb_buf_free(&ctx->body);
        }
        return MHD_YES;
    }
    if (ctx->answered)
        return MHD_YES;
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!ctx->too_big && rb_buf_append(&ctx->body, upload_data, n) != RB_OK) {
            ctx->too_big = 1;
            rb_buf_free(&ctx->body);
        }
        if (ctx->too_big) {
            ctx->discarded += n;
            if (ctx->discarded > RB_MAX_DISCARD)
                return MHD_NO;
        }
        return MHD_YES;
    }
    if (ctx->too_big)
        return answer_too_big(c, method, url, ctx, 1);

    MHD_get_connection_values(c, MHD_HEADER_KIND, kv_collect, &ctx->headers);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, kv_collect, &ctx->query);
    rb_req req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = url;
    req.query = ctx->query.items;
    req.nquery = ctx->query.n;
    req.headers = ctx->headers.items;
    req.nheaders = ctx->headers.n;
    req.body = ctx->body.len ? ctx->body.data : NULL;
    req.body_len = ctx->body.len;

    rb_resp resp;
    rb_resp_init(&resp);
    rb_http_dispatch(h->app, &req, &resp);
    enum MHD_Result ret = queue(c, &resp, 0);
    log_request(method, url, resp.status, ctx);
    rb_resp_free(&resp);
    return ret;
}

/* ---- lifecycle ---------------------------------------------------------- */

/* Splits "host:port" / "[v6]:port" / ":port" and resolves it to one address. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen,
                        rb_err *err)
{
    char host[256] = "";
    const char *port;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof host)
            return rb_err_set(err, 400, "invalid_listen",
                              "listen address '%s' must look like [::1]:8080", listen);
        memcpy(host, listen + 1, (size_t)(close - listen - 1));
        host[close - listen - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon || (size_t)(colon - listen) >= sizeof host)
            return rb_err_set(err, 400, "invalid_listen",
                              "listen address '%s' must look like 127.0.0.1:8080", listen);
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        port = colon + 1;
    }
    size_t pl = strlen(port);
    long pv = 0;
    if (pl == 0 || pl > 5)
        pv = -1;
    for (size_t i = 0; pv >= 0 && i < pl; i++)
        pv = (port[i] >= '0' && port[i] <= '9') ? pv * 10 + (port[i] - '0') : -1;
    if (pv < 0 || pv > 65535)
        return rb_err_set(err, 400, "invalid_listen",
                          "listen address '%s' needs a port from 0 to 65535", listen);

    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host[0] ? host : "0.0.0.0", port, &hints, &res);
    if (gai != 0 || !res)
        return rb_err_set(err, 400, "invalid_listen", "cannot resolve listen host '%s': %s",
                          host, gai_strerror(gai));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sslen = res->ai_addrlen;
    freeaddrinfo(res);
    return RB_OK;
}

static unsigned pool_size(void)
{
    const char *v = getenv("ROBOTS_HTTP_THREADS");
    if (v && *v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (!*end && n >= 1 && n <= 256)
            return (unsigned)n;
    }
    /* Two threads per core would keep the cores busy, but a create holds
     * its thread until the group commit's fsync returns, so the thread count
     * also bounds how many creates can share one commit. It bounds it more
     * than it seems: a new connection goes to whichever pool thread accepts
     * it first, and connections opened at once are accepted in bursts, so 32
     * of them land on a few threads. Measured with wrk -c32 on 2 cores: 4
     * threads → at most 3-4 creates per commit, 16 → 3-13, 32 → 13-26
     * (docs/http.md). Idle threads cost only their stacks. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long n = cpus > 0 ? 2 * cpus : 2;
    if (n < 32)
        n = 32;
    if (n > 64)
        n = 64;
    return (unsigned)n;
}

int rb_http_start(rb_app *app, const char *listen, struct rb_http **out, rb_err *err)
{
    *out = NULL;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    memset(&ss, 0, sizeof ss);
    int rc = parse_listen(listen, &ss, &sslen, err);
    if (rc)
        return rc;

    /* A client that disconnects mid-response must not kill the process. */
    signal(SIGPIPE, SIG_IGN);

    struct rb_http *h = calloc(1, sizeof *h);
    if (!h)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    h->app = app;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL
                                                                     : MHD_USE_POLL;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    unsigned threads = pool_size();
    /* Every request thread may hold a database connection at once; with a
     * smaller pool the extra threads queue on the pool instead of reading. */
    if (app->store)
        rb_store_pool_reserve(app->store, (int)threads);
    /* The logger goes first so that libmicrohttpd's own messages about the
     * options that follow already use it. */
    h->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, h,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)1000, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
    if (!h->daemon) {
        free(h);
        return rb_err_set(err, 500, "listen_failed",
                          "cannot listen on %s (address in use or not permitted?)", listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? (int)info->port : 0;
    rb_info("http: listening on %s (port %d, %u threads)", listen, h->port, threads);
    *out = h;
    return RB_OK;
}

int rb_http_port(const struct rb_http *h)
{
    return h ? h->port : 0;
}

void rb_http_stop(struct rb_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
