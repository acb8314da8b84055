#include "http/router.h"

#include <string.h>

#include "common/err.h"

/* Order matters: the first match wins, so the literal "cancel" route precedes
 * the "{workflow}/{id}" retrieve route it would otherwise shadow, and every
 * route is listed once per method. */
static const rb_route routes[] = {
    {"GET", "/healthz", NULL, rb_http_healthz},

    {"GET", "/robots/v0/jobs", "robots:*", rb_api_job_list},
    {"POST", "/robots/v0/jobs/{id}/cancel", "robots:*", rb_api_job_cancel},
    {"POST", "/robots/v0/jobs/{workflow}", "robots:*", rb_api_job_create},
    {"GET", "/robots/v0/jobs/{workflow}/{id}", "robots:*", rb_api_job_get},

    {"POST", "/robots/v0/directives", "robots:*", rb_api_directive_create},
    {"GET", "/robots/v0/directives", "robots:*", rb_api_directive_list},
    {"GET", "/robots/v0/directives/{id}", "robots:*", rb_api_directive_get},
    {"DELETE", "/robots/v0/directives/{id}", "robots:*", rb_api_directive_delete},
    {"POST", "/robots/v0/directives/{id}/runs", "robots:*", rb_api_directive_run_create},
    {"GET", "/robots/v0/directives/{id}/runs", "robots:*", rb_api_directive_run_list},
    {"GET", "/robots/v0/directives/{id}/runs/{run_id}", "robots:*", rb_api_directive_run_get},

    {"POST", "/video/v1/assets", "video:*", rb_api_asset_create},
    {"GET", "/video/v1/assets", "video:*", rb_api_asset_list},
    {"GET", "/video/v1/assets/{id}", "video:*", rb_api_asset_get},
    {"PATCH", "/video/v1/assets/{id}", "video:*", rb_api_asset_update},
    {"DELETE", "/video/v1/assets/{id}", "video:*", rb_api_asset_delete},
    {"POST", "/video/v1/assets/{id}/tracks", "video:*", rb_api_track_create},
    {"PATCH", "/video/v1/assets/{id}/tracks/{tid}", "video:*", rb_api_track_update},
    {"DELETE", "/video/v1/assets/{id}/tracks/{tid}", "video:*", rb_api_track_delete},
    {"POST", "/video/v1/assets/{id}/playback-ids", "video:*", rb_api_playback_create},
    {"GET", "/video/v1/assets/{id}/playback-ids/{pid}", "video:*", rb_api_playback_get},
    {"DELETE", "/video/v1/assets/{id}/playback-ids/{pid}", "video:*", rb_api_playback_delete},

    {"GET", "/stream/{playback_id}/text/{track_id}.vtt", NULL, rb_api_public_track},
    {"GET", "/files/{blob_id}", NULL, rb_api_public_file},
};

const rb_route *rb_router_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}

void rb_http_healthz(rb_app *app, const rb_req *req, rb_resp *resp)
{
    rb_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
}

/* Length of the segment starting at s (up to the next '/' or the end). */
static size_t seg_len(const char *s, const char *end)
{
    const char *p = s;
    while (p < end && *p != '/')
        p++;
    return (size_t)(p - s);
}

/* Matches one pattern against path[0..len). On success appends the captures to
 * m->store / m->params; on failure m->nparams is left as it was on entry, so
 * the caller can simply try the next route. */
static int pattern_matches(const char *pat, const char *path, size_t len, rb_route_match *m,
                           int capture)
{
    const char *pe = pat + strlen(pat);
    const char *end = path + len;
    size_t used = 0;
    size_t np = 0;
    /* Both start with '/': compare segment by segment. */
    while (pat < pe && path < end) {
        if (*pat != '/' || *path != '/')
            return 0;
        pat++;
        path++;
        size_t pl = seg_len(pat, pe);
        size_t sl = seg_len(path, end);
        if (pl > 0 && pat[0] == '{') {
            const char *close = memchr(pat, '}', pl);
            if (!close)
                return 0;
            size_t suffix_len = pl - (size_t)(close + 1 - pat);
            if (sl <= suffix_len || memcmp(path + sl - suffix_len, close + 1, suffix_len) != 0)
                return 0;
            size_t cap = sl - suffix_len;
            if (cap > RB_ROUTE_MAX_CAPTURE || np >= RB_ROUTE_MAX_PARAMS)
                return 0;
            if (capture) {
                if (used + cap + 1 > sizeof m->store)
                    return 0;
                memcpy(m->store + used, path, cap);
                m->store[used + cap] = '\0';
                m->params[np] = m->store + used;
                used += cap + 1;
            }
            np++;
        } else if (pl != sl || memcmp(pat, path, pl) != 0) {
            return 0;
        }
        pat += pl;
        path += sl;
    }
    if (pat != pe || path != end)
        return 0;
    if (capture)
        m->nparams = np;
    return 1;
}

int rb_router_match(const char *method, const char *path, rb_route_match *m)
{
    memset(m->params, 0, sizeof m->params);
    m->route = NULL;
    m->nparams = 0;
    m->allow[0] = '\0';
    size_t len = strlen(path);
    if (len == 0 || path[0] != '/' || len > RB_ROUTE_MAX_PATH)
        return RB_NOTFOUND;
    if (len > 1 && path[len - 1] == '/')
        len--;
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;

    int path_known = 0;
    size_t n = sizeof routes / sizeof routes[0];
    for (size_t i = 0; i < n; i++) {
        if (strcmp(routes[i].method, want) == 0) {
            if (pattern_matches(routes[i].pattern, path, len, m, 1)) {
                m->route = &routes[i];
                return RB_OK;
            }
        } else if (pattern_matches(routes[i].pattern, path, len, m, 0)) {
            path_known = 1;
        }
    }
    /* A route that failed part-way may have written captures; clear them so
     * a caller never reads half a match. */
    memset(m->params, 0, sizeof m->params);
    if (!path_known)
        return RB_NOTFOUND;

    /* Build the Allow header: every method some route accepts on this path,
     * each once, in table order. */
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (!pattern_matches(routes[i].pattern, path, len, m, 0))
            continue;
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(routes[j].method, routes[i].method) == 0 &&
                pattern_matches(routes[j].pattern, path, len, m, 0))
                seen = 1;
        if (seen)
            continue;
        size_t ml = strlen(routes[i].method);
        if (used + ml + 3 > sizeof m->allow)
            break;
        if (used) {
            memcpy(m->allow + used, ", ", 2);
            used += 2;
        }
        memcpy(m->allow + used, routes[i].method, ml);
        used += ml;
        m->allow[used] = '\0';
    }
    return RB_CONFLICT;
}
