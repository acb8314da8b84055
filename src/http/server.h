/* server.h — the HTTP server: libmicrohttpd with an internal thread pool.
 *
 * Each connection's request is collected into a per-connection context
 * (headers, decoded query arguments, a body capped at RB_MAX_BODY), handed to
 * rb_http_dispatch (route → auth → handler) and answered; everything the
 * request allocated is freed when libmicrohttpd reports it completed.
 * Handlers run on the pool threads and may block on the store. */
#ifndef RB_HTTP_SERVER_H
#define RB_HTTP_SERVER_H

#include "api/api.h"
#include "common/err.h"

struct rb_http;

/* Starts listening on `listen`: "host:port", "[v6addr]:port" or ":port"
 * (all IPv4 interfaces); port 0 picks an ephemeral port (see rb_http_port).
 * app must outlive the server. Ignores SIGPIPE for the whole process. The
 * pool has 2 threads per online CPU (at least 2, ROBOTS_HTTP_THREADS
 * overrides). RB_OK fills *out; RB_ERR fills err (bad listen address, port
 * in use, ...). */
int rb_http_start(rb_app *app, const char *listen, struct rb_http **out, rb_err *err);
/* The port actually bound (useful after listening on port 0). */
int rb_http_port(const struct rb_http *h);
/* Stops accepting, finishes in-flight requests, joins the threads, frees h.
 * NULL is a no-op. */
void rb_http_stop(struct rb_http *h);

/* Routes one parsed request (method, path, query, headers, body set; params,
 * env and token_id are filled here), checks credentials and scope, runs the
 * handler and guarantees resp has a status and body: 404/405 for unknown
 * routes, 401/403 for auth, 500 when a handler answered nothing. Exposed so
 * tests can drive the full pipeline without a socket. */
void rb_http_dispatch(rb_app *app, rb_req *req, rb_resp *resp);

#endif
