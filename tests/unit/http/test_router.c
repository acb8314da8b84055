/* test_router.c — the route table, 404/405, captures, and the dispatch
 * pipeline for the answers that need no store (health, 404, 405, 401). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/router.h"
#include "http/server.h"

typedef struct route_case {
    const char *method;
    const char *path;
    rb_handler handler;
    const char *scope;
    size_t nparams;
    const char *p0, *p1;
} route_case;

static const route_case cases[] = {
    {"GET", "/healthz", rb_http_healthz, NULL, 0, NULL, NULL},
    {"HEAD", "/healthz", rb_http_healthz, NULL, 0, NULL, NULL},
    {"GET", "/robots/v0/jobs", rb_api_job_list, "robots:*", 0, NULL, NULL},
    {"GET", "/robots/v0/jobs/", rb_api_job_list, "robots:*", 0, NULL, NULL},
    {"POST", "/robots/v0/jobs/rjob_abc/cancel", rb_api_job_cancel, "robots:*", 1, "rjob_abc",
     NULL},
    {"POST", "/robots/v0/jobs/summarize", rb_api_job_create, "robots:*", 1, "summarize", NULL},
    {"POST", "/robots/v0/jobs/edit-captions/", rb_api_job_create, "robots:*", 1,
     "edit-captions", NULL},
    {"GET", "/robots/v0/jobs/summarize/rjob_abc", rb_api_job_get, "robots:*", 2, "summarize",
     "rjob_abc"},
    /* GET on ".../x/cancel" is a retrieve of job "cancel" of workflow "x". */
    {"GET", "/robots/v0/jobs/x/cancel", rb_api_job_get, "robots:*", 2, "x", "cancel"},
    /* The workflow literally named "cancel" is still a create (then 404s). */
    {"POST", "/robots/v0/jobs/cancel", rb_api_job_create, "robots:*", 1, "cancel", NULL},
    {"POST", "/video/v1/assets", rb_api_asset_create, "video:*", 0, NULL, NULL},
    {"GET", "/video/v1/assets", rb_api_asset_list, "video:*", 0, NULL, NULL},
    {"GET", "/video/v1/assets/a1", rb_api_asset_get, "video:*", 1, "a1", NULL},
    {"PATCH", "/video/v1/assets/a1", rb_api_asset_update, "video:*", 1, "a1", NULL},
    {"DELETE", "/video/v1/assets/a1", rb_api_asset_delete, "video:*", 1, "a1", NULL},
    {"POST", "/video/v1/assets/a1/tracks", rb_api_track_create, "video:*", 1, "a1", NULL},
    {"PATCH", "/video/v1/assets/a1/tracks/t1", rb_api_track_update, "video:*", 2, "a1", "t1"},
    {"DELETE", "/video/v1/assets/a1/tracks/t1", rb_api_track_delete, "video:*", 2, "a1", "t1"},
    {"POST", "/video/v1/assets/a1/playback-ids", rb_api_playback_create, "video:*", 1, "a1",
     NULL},
    {"GET", "/video/v1/assets/a1/playback-ids/p1", rb_api_playback_get, "video:*", 2, "a1",
     "p1"},
    {"DELETE", "/video/v1/assets/a1/playback-ids/p1", rb_api_playback_delete, "video:*", 2, "a1",
     "p1"},
    {"GET", "/stream/pb1/text/tr1.vtt", rb_api_public_track, NULL, 2, "pb1", "tr1"},
    {"GET", "/stream/pb1/text/a.b.vtt", rb_api_public_track, NULL, 2, "pb1", "a.b"},
    {"GET", "/files/blob1", rb_api_public_file, NULL, 1, "blob1", NULL},
};

static void test_every_route_matches(void **state)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const route_case *c = &cases[i];
        rb_route_match m;
        int rc = rb_router_match(c->method, c->path, &m);
        if (rc != RB_OK)
            fail_msg("%s %s: rc %d", c->method, c->path, rc);
        assert_ptr_equal(m.route->handler, c->handler);
        if (c->scope)
            assert_string_equal(m.route->scope, c->scope);
        else
            assert_null(m.route->scope);
        assert_int_equal(m.nparams, c->nparams);
        if (c->p0)
            assert_string_equal(m.params[0], c->p0);
        if (c->p1)
            assert_string_equal(m.params[1], c->p1);
    }
}

/* Every table entry is reachable: substituting a value for each capture gives
 * a path that routes back to that entry (no route is shadowed). */
static void test_table_has_no_shadowed_routes(void **state)
{
    size_t n;
    const rb_route *r = rb_router_routes(&n);
    assert_true(n >= 18);
    for (size_t i = 0; i < n; i++) {
        char path[256];
        size_t o = 0;
        for (const char *p = r[i].pattern; *p && o + 8 < sizeof path;) {
            if (*p == '{') {
                memcpy(path + o, "zz9", 3);
                o += 3;
                while (*p && *p != '}')
                    p++;
                if (*p)
                    p++;
            } else {
                path[o++] = *p++;
            }
        }
        path[o] = '\0';
        rb_route_match m;
        assert_int_equal(rb_router_match(r[i].method, path, &m), RB_OK);
        assert_ptr_equal(m.route, &r[i]);
        /* Scopes follow the prefix. */
        if (strncmp(r[i].pattern, "/robots/", 8) == 0)
            assert_string_equal(r[i].scope, "robots:*");
        else if (strncmp(r[i].pattern, "/video/", 7) == 0)
            assert_string_equal(r[i].scope, "video:*");
        else
            assert_null(r[i].scope);
    }
}

static void test_not_found(void **state)
{
    static const char *paths[] = {"/",
                                  "/nope",
                                  "/robots/v0",
                                  "/robots/v0/jobs/a/b/c",
                                  "/robots/v0/jobs//cancel",
                                  "/robots/v0/jobs//",
                                  "/robots/v1/jobs",
                                  "/stream/p/text/.vtt",
                                  "/stream/p/text/t.srt",
                                  "/files",
                                  "/files/",
                                  "relative",
                                  "",
                                  "/robots/v0/directives/a/runs/b/c"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        rb_route_match m;
        if (rb_router_match("GET", paths[i], &m) != RB_NOTFOUND)
            fail_msg("GET '%s' should be 404", paths[i]);
        assert_null(m.route);
    }
}

static void test_capture_length_limit(void **state)
{
    char path[600];
    char id[300];
    memset(id, 'a', 255);
    id[255] = '\0';
    snprintf(path, sizeof path, "/robots/v0/jobs/summarize/%s", id);
    rb_route_match m;
    assert_int_equal(rb_router_match("GET", path, &m), RB_OK);
    assert_int_equal(strlen(m.params[1]), 255);

    id[255] = 'a';
    id[256] = '\0';
    snprintf(path, sizeof path, "/robots/v0/jobs/summarize/%s", id);
    assert_int_equal(rb_router_match("GET", path, &m), RB_NOTFOUND);
    snprintf(path, sizeof path, "/robots/v0/jobs/%s/cancel", id);
    assert_int_equal(rb_router_match("POST", path, &m), RB_NOTFOUND);
}

static void test_method_not_allowed(void **state)
{
    static const struct {
        const char *method, *path, *allow;
    } cases405[] = {
        {"DELETE", "/robots/v0/jobs", "GET"},
        {"PUT", "/robots/v0/jobs/summarize", "POST"},
        {"GET", "/healthz/", "GET"}, /* (not a 405: see below) */
        {"DELETE", "/robots/v0/jobs/a/cancel", "POST, GET"},
        {"PUT", "/video/v1/assets/a1", "GET, PATCH, DELETE"},
        {"DELETE", "/video/v1/assets", "POST, GET"},
        {"POST", "/files/b", "GET"},
        {"OPTIONS", "/robots/v0/jobs/summarize/rjob_1", "GET"},
    };
    for (size_t i = 0; i < sizeof cases405 / sizeof cases405[0]; i++) {
        rb_route_match m;
        int rc = rb_router_match(cases405[i].method, cases405[i].path, &m);
        if (strcmp(cases405[i].method, "GET") == 0) {
            assert_int_equal(rc, RB_OK); /* trailing slash on /healthz */
            continue;
        }
        if (rc != RB_CONFLICT)
            fail_msg("%s %s: rc %d", cases405[i].method, cases405[i].path, rc);
        assert_string_equal(m.allow, cases405[i].allow);
    }
}

/* ---- dispatch: answers that need no store ------------------------------ */

static void run(rb_app *app, const char *method, const char *path, const rb_kv *headers,
                size_t nh, rb_resp *resp)
{
    rb_req req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.headers = headers;
    req.nheaders = nh;
    rb_resp_init(resp);
    rb_http_dispatch(app, &req, resp);
}

static const char *header(const rb_resp *r, const char *k)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].key, k) == 0)
            return r->headers[i].value;
    return NULL;
}

static void assert_error_body(const rb_resp *r, const char *type)
{
    json_t *e = json_object_get(r->json, "error");
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "type")), type);
    const char *msg = json_string_value(json_object_get(e, "message"));
    assert_non_null(msg);
    json_t *msgs = json_object_get(e, "messages");
    assert_int_equal(json_array_size(msgs), 1);
    assert_string_equal(json_string_value(json_array_get(msgs, 0)), msg);
}

static void test_dispatch_without_store(void **state)
{
    rb_app app;
    memset(&app, 0, sizeof app);
    rb_resp r;

    run(&app, "GET", "/healthz", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    rb_resp_free(&r);

    run(&app, "GET", "/nowhere", NULL, 0, &r);
    assert_int_equal(r.status, 404);
    assert_error_body(&r, "not_found");
    rb_resp_free(&r);

    run(&app, "DELETE", "/robots/v0/jobs", NULL, 0, &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(header(&r, "Allow"), "GET");
    assert_error_body(&r, "method_not_allowed");
    rb_resp_free(&r);

    /* No credentials: 401 before the store is touched (app.store is NULL). */
    run(&app, "GET", "/robots/v0/jobs", NULL, 0, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(header(&r, "WWW-Authenticate"), "Basic realm=\"robots\"");
    assert_error_body(&r, "unauthorized");
    rb_resp_free(&r);

    rb_kv bad[] = {{"authorization", "Digest abc"}};
    run(&app, "POST", "/video/v1/assets", bad, 1, &r);
    assert_int_equal(r.status, 401);
    rb_resp_free(&r);

    rb_kv b64[] = {{"Authorization", "Basic !!!notbase64"}};
    run(&app, "GET", "/robots/v0/jobs", b64, 1, &r);
    assert_int_equal(r.status, 401);
    rb_resp_free(&r);
}

/* ---- resp helpers ------------------------------------------------------ */

static void test_resp_helpers(void **state)
{
    rb_resp r;
    rb_resp_init(&r);
    rb_resp_data(&r, 202, json_pack("{s:s}", "id", "x"));
    assert_int_equal(r.status, 202);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "data"), "id")), "x");
    /* A later answer replaces the earlier body without leaking it. */
    rb_resp_errorf(&r, 422, "invalid_parameters", "asset '%s' is not ready", "a1");
    assert_int_equal(r.status, 422);
    assert_error_body(&r, "invalid_parameters");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
        "asset 'a1' is not ready");
    rb_resp_header(&r, "x-should-retry", "true");
    rb_resp_header(&r, "X-Should-Retry", "false");
    assert_int_equal(r.nheaders, 1);
    assert_string_equal(header(&r, "x-should-retry"), "false");
    for (int i = 0; i < 20; i++)
        rb_resp_header(&r, i % 2 ? "a" : "b", "v");
    assert_int_equal(r.nheaders, 3);
    rb_resp_free(&r);

    /* Invalid UTF-8 in a message (client input) still yields a JSON body. */
    rb_resp_init(&r);
    rb_resp_errorf(&r, 404, "not_found", "no job with id '%s'", "a\xff\xfe" "b");
    assert_int_equal(r.status, 404);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
        "no job with id 'a??b'");
    rb_resp_raw(&r, 200, "text/vtt", "WEBVTT\n", 7);
    assert_null(r.json);
    assert_int_equal(r.raw_len, 7);
    assert_string_equal(r.content_type, "text/vtt");
    rb_resp_free(&r);

    /* rb_err with no status is a 500. */
    rb_err e;
    rb_err_clear(&e);
    rb_resp_init(&r);
    rb_resp_error(&r, &e);
    assert_int_equal(r.status, 500);
    assert_error_body(&r, "internal_error");
    rb_resp_free(&r);
}

static void test_req_accessors(void **state)
{
    rb_kv q[] = {{"page", "2"}, {"flag", ""}, {"page", "3"}, {"timeframe[]", "7:days"}};
    rb_kv h[] = {{"Content-Type", "application/json"}, {"idempotency-key", "k1"}};
    rb_req req;
    memset(&req, 0, sizeof req);
    req.query = q;
    req.nquery = 4;
    req.headers = h;
    req.nheaders = 2;
    assert_string_equal(rb_req_query(&req, "page"), "2");
    assert_string_equal(rb_req_query(&req, "flag"), "");
    assert_string_equal(rb_req_query(&req, "timeframe[]"), "7:days");
    assert_null(rb_req_query(&req, "Page"));
    assert_string_equal(rb_req_header(&req, "Idempotency-Key"), "k1");
    assert_string_equal(rb_req_header(&req, "content-type"), "application/json");
    assert_null(rb_req_header(&req, "Authorization"));

    rb_resp r;
    static const struct {
        const char *body;
        const char *needle;
    } bad[] = {
        {"{\"a\":", "malformed JSON: "},
        {"[1,2]", "must be a JSON object"},
        {"\"str\"", "malformed JSON"}, /* jansson refuses bare scalars by default */
        {"{\"a\":1,\"a\":2}", "duplicate"},
        {"", "empty"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req.body = bad[i].body[0] ? bad[i].body : NULL;
        req.body_len = strlen(bad[i].body);
        rb_resp_init(&r);
        assert_null(rb_req_json_object(&req, &r));
        assert_int_equal(r.status, 400);
        const char *msg =
            json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
        if (!strstr(msg, bad[i].needle))
            fail_msg("body %s: message '%s' lacks '%s'", bad[i].body, msg, bad[i].needle);
        rb_resp_free(&r);
    }
    req.body = "{\"a\":\n  nope}";
    req.body_len = strlen(req.body);
    rb_resp_init(&r);
    assert_null(rb_req_json_object(&req, &r));
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
        "at line 2 column"));
    rb_resp_free(&r);

    req.body = "{\"parameters\":{}}";
    req.body_len = strlen(req.body);
    rb_resp_init(&r);
    json_t *o = rb_req_json_object(&req, &r);
    assert_non_null(o);
    assert_int_equal(r.status, 0);
    json_decref(o);
    rb_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_matches),
        cmocka_unit_test(test_table_has_no_shadowed_routes),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_capture_length_limit),
        cmocka_unit_test(test_method_not_allowed),
        cmocka_unit_test(test_dispatch_without_store),
        cmocka_unit_test(test_resp_helpers),
        cmocka_unit_test(test_req_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
