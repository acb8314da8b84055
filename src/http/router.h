/* router.h — the static route table: (method, pattern, scope, handler).
 *
 * Patterns are '/'-separated segments; a segment is either a literal or a
 * capture "{name}", optionally followed by a literal suffix ("{track_id}.vtt").
 * Captures are 1–255 bytes and never contain '/'. The first route whose
 * method and pattern both match wins, so more specific routes come first in
 * the table (".../{id}/cancel" before ".../{workflow}/{id}").
 *
 * One trailing slash is ignored ("/robots/v0/jobs/" is "/robots/v0/jobs"),
 * and HEAD matches GET routes (libmicrohttpd drops the body of HEAD replies). */
#ifndef RB_ROUTER_H
#define RB_ROUTER_H

#include <stddef.h>

#include "api/api.h"

#define RB_ROUTE_MAX_PARAMS 4
#define RB_ROUTE_MAX_CAPTURE 255   /* path ids are 1–255 bytes (spec §1.3) */
#define RB_ROUTE_MAX_PATH 2048     /* longer paths cannot match any route */

typedef struct rb_route {
    const char *method;            /* "GET", "POST", "PATCH", "DELETE" */
    const char *pattern;           /* "/robots/v0/jobs/{workflow}/{id}" */
    const char *scope;             /* "robots:*", "video:*", or NULL for public routes */
    rb_handler handler;
} rb_route;

typedef struct rb_route_match {
    const rb_route *route;         /* the matched route, or NULL */
    const char *params[RB_ROUTE_MAX_PARAMS]; /* point into store[] */
    size_t nparams;
    char store[RB_ROUTE_MAX_PATH + RB_ROUTE_MAX_PARAMS]; /* NUL-separated captures */
    char allow[64];                /* on RB_CONFLICT: "GET, POST" */
} rb_route_match;

/* Matches method + path (no query string) against the table.
 * RB_OK: m->route and m->params are set.
 * RB_NOTFOUND: no pattern matches the path (404).
 * RB_CONFLICT: some pattern matches the path but not with this method (405);
 *              m->allow lists the methods that do. */
int rb_router_match(const char *method, const char *path, rb_route_match *m);

/* The whole table, for tests and docs. */
const rb_route *rb_router_routes(size_t *n);

/* GET /healthz: 200 {"ok":true}. Public. */
void rb_http_healthz(rb_app *app, const rb_req *req, rb_resp *resp);

#endif
