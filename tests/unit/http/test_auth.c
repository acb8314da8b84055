/* test_auth.c — credentials and scopes against a real temporary SQLite store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "http/auth.h"
#include "http/server.h"

typedef struct fixture {
    char dir[64];
    rb_store *st;
    rb_env env;
} fixture;

static void add_token(fixture *f, const char *id, const char *secret, json_t *scopes,
                      int revoke)
{
    rb_token t;
    memset(&t, 0, sizeof t);
    snprintf(t.id, sizeof t.id, "%s", id);
    snprintf(t.env_id, sizeof t.env_id, "%s", f->env.id);
    snprintf(t.env_name, sizeof t.env_name, "%s", f->env.name);
    rb_sha256_hex(secret, strlen(secret), t.secret_sha256);
    t.scopes = scopes;
    t.created_at = rb_now();
    rb_err err;
    assert_int_equal(rb_store_token_insert(f->st, &t, &err), RB_OK);
    json_decref(scopes);
    if (revoke)
        assert_int_equal(rb_store_token_revoke(f->st, id, &err), RB_OK);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rb_auth_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/robots.db", f->dir);
    rb_err err;
    if (rb_store_open(url, 2, &f->st, &err) != RB_OK) {
        fprintf(stderr, "store: %s\n", err.message);
        return -1;
    }
    if (rb_store_env_ensure(f->st, "dev", &f->env, &err) != RB_OK)
        return -1;
    add_token(f, "tok_robots", "s3cret:with:colons", json_pack("[s]", "robots:*"), 0);
    add_token(f, "tok_video", "vsecret", json_pack("[s]", "video:*"), 0);
    add_token(f, "tok_all", "allsecret", json_pack("[s]", "*"), 0);
    add_token(f, "tok_revoked", "rsecret", json_pack("[s]", "robots:*"), 1);
    add_token(f, "tok_prefix", "psecret", json_pack("[s,s]", "robots:read", "video"), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rb_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void basic(const char *creds, char *out, size_t outsz)
{
    char b64[512];
    assert_true(rb_base64url(creds, strlen(creds), b64, sizeof b64) >= 0);
    /* Standard alphabet with padding, as HTTP Basic uses. */
    for (char *p = b64; *p; p++)
        *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
    size_t n = strlen(b64);
    while (n % 4)
        b64[n++] = '=';
    b64[n] = '\0';
    snprintf(out, outsz, "Basic %s", b64);
}

static int check(fixture *f, const char *header, const char *scope, rb_auth *a, rb_err *err)
{
    rb_err_clear(err);
    return rb_auth_check(f->st, header, scope, a, err);
}

static void test_valid_basic_and_bearer(void **state)
{
    fixture *f = *state;
    rb_auth a;
    rb_err err;
    char h[512];
    basic("tok_robots:s3cret:with:colons", h, sizeof h);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_OK);
    assert_string_equal(a.token_id, "tok_robots");
    assert_string_equal(a.env.id, f->env.id);
    assert_string_equal(a.env.name, "dev");

    /* Scheme names are case-insensitive. */
    h[0] = 'b';
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_OK);

    assert_int_equal(check(f, "Bearer tok_video:vsecret", "video:*", &a, &err), RB_OK);
    assert_string_equal(a.token_id, "tok_video");

    /* "*" grants every scope. */
    basic("tok_all:allsecret", h, sizeof h);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_OK);
    assert_int_equal(check(f, h, "video:*", &a, &err), RB_OK);
}

static void test_rejections(void **state)
{
    fixture *f = *state;
    rb_auth a;
    rb_err err;
    char h[512];
    static const char *unauthorized_creds[] = {
        "tok_robots:wrong",        /* bad secret */
        "tok_robots:s3cret",       /* prefix of the secret */
        "tok_nobody:s3cret",       /* unknown token */
        "tok_revoked:rsecret",     /* revoked */
        "tok_robots:",             /* empty secret */
        ":s3cret",                 /* empty id */
        "tok_robots",              /* no colon */
    };
    for (size_t i = 0; i < sizeof unauthorized_creds / sizeof unauthorized_creds[0]; i++) {
        basic(unauthorized_creds[i], h, sizeof h);
        if (check(f, h, "robots:*", &a, &err) != RB_ERR || err.status != 401)
            fail_msg("credentials '%s' should be 401 (got %d)", unauthorized_creds[i],
                     err.status);
        assert_string_equal(err.type, "unauthorized");
        assert_string_equal(a.token_id, "");
        /* The secret never appears in the message. */
        assert_null(strstr(err.message, "s3cret"));
    }
    static const char *malformed[] = {
        NULL,
        "",
        "Basic",
        "Basic ",
        "Basic !!!!",
        "Basic dG9r",          /* "tok": no colon */
        "Basic abc",           /* not a multiple of 4 */
        "Bearer ",
        "Bearer tok_robots",
        "Token tok_robots:s3cret:with:colons",
        "tok_robots:s3cret:with:colons",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        if (check(f, malformed[i], "robots:*", &a, &err) != RB_ERR || err.status != 401)
            fail_msg("header '%s' should be 401", malformed[i] ? malformed[i] : "(none)");
        assert_string_equal(err.type, "unauthorized");
    }
    /* An over-long header is refused without decoding it. */
    char *huge = malloc(RB_AUTH_MAX_HEADER + 64);
    memcpy(huge, "Basic ", 6);
    memset(huge + 6, 'A', RB_AUTH_MAX_HEADER + 40);
    huge[RB_AUTH_MAX_HEADER + 46] = '\0';
    assert_int_equal(check(f, huge, "robots:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 401);
    free(huge);
}

static void test_wrong_scope_is_403(void **state)
{
    fixture *f = *state;
    rb_auth a;
    rb_err err;
    char h[512];
    basic("tok_video:vsecret", h, sizeof h);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 403);
    assert_string_equal(err.type, "forbidden");
    assert_non_null(strstr(err.message, "robots:*"));

    basic("tok_robots:s3cret:with:colons", h, sizeof h);
    assert_int_equal(check(f, h, "video:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 403);
    assert_non_null(strstr(err.message, "video:*"));

    /* Scopes match exactly: "robots:read" and "video" grant nothing here. */
    basic("tok_prefix:psecret", h, sizeof h);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 403);
    assert_int_equal(check(f, h, "video:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 403);

    /* A wrong secret on a token without the scope is still 401, not 403:
     * the scope is only revealed to the token's holder. */
    basic("tok_video:nope", h, sizeof h);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 401);
}

/* Through the dispatcher: 401 carries WWW-Authenticate, 403 does not, and a
 * valid token reaches the handler with env and token id filled. */
static void test_dispatch_auth(void **state)
{
    fixture *f = *state;
    rb_config cfg;
    rb_config_defaults(&cfg);
    rb_app app = {.store = f->st, .cfg = &cfg};
    char h[512];
    basic("tok_robots:wrong", h, sizeof h);
    rb_kv hdr[] = {{"Authorization", h}};
    rb_req req;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/robots/v0/jobs";
    req.headers = hdr;
    req.nheaders = 1;
    rb_resp r;
    rb_resp_init(&r);
    rb_http_dispatch(&app, &req, &r);
    assert_int_equal(r.status, 401);
    assert_int_equal(r.nheaders, 1);
    assert_string_equal(r.headers[0].key, "WWW-Authenticate");
    assert_string_equal(r.headers[0].value, "Basic realm=\"robots\"");
    rb_resp_free(&r);

    basic("tok_video:vsecret", h, sizeof h);
    rb_resp_init(&r);
    rb_http_dispatch(&app, &req, &r);
    assert_int_equal(r.status, 403);
    assert_int_equal(r.nheaders, 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "error"), "type")),
        "forbidden");
    rb_resp_free(&r);

    /* A valid robots token lists the (empty) jobs of its environment. */
    basic("tok_robots:s3cret:with:colons", h, sizeof h);
    rb_resp_init(&r);
    rb_http_dispatch(&app, &req, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 0);
    assert_int_equal(json_integer_value(json_object_get(r.json, "total_row_count")), 0);
    rb_resp_free(&r);
    assert_null(req.token_id); /* no dangling pointer into the dispatcher's frame */
}

/* ---- credential cache ------------------------------------------------------ */

static void sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* A revoke made behind the cache's back (as `robots token revoke` does from
 * another process) is honoured once the TTL has passed, and not before: the
 * second call proves the answer really came from the cache. */
static void test_cache_revoke_visible_after_ttl(void **state)
{
    fixture *f = *state;
    rb_auth_cache_flush();
    rb_auth_cache_set_ttl_ms(300);
    rb_auth a;
    rb_err err;
    char h[512];
    basic("tok_robots:s3cret:with:colons", h, sizeof h);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_OK);
    assert_int_equal(rb_auth_cache_size(), 1);
    assert_int_equal(rb_store_token_revoke(f->st, "tok_robots", &err), RB_OK);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_OK);
    assert_string_equal(a.env.id, f->env.id);
    sleep_ms(350);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 401);
    assert_string_equal(a.token_id, "");
    /* A refused token is not put back into the cache. */
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
    rb_auth_cache_set_ttl_ms(RB_AUTH_CACHE_TTL_MS);
    rb_auth_cache_flush();
}

/* With the TTL at 0 nothing is cached and a revoke is seen at once. */
static void test_cache_off(void **state)
{
    fixture *f = *state;
    rb_auth_cache_flush();
    rb_auth_cache_set_ttl_ms(0);
    rb_auth a;
    rb_err err;
    char h[512];
    basic("tok_all:allsecret", h, sizeof h);
    assert_int_equal(check(f, h, "video:*", &a, &err), RB_OK);
    assert_int_equal(rb_auth_cache_size(), 0);
    assert_int_equal(rb_store_token_revoke(f->st, "tok_all", &err), RB_OK);
    assert_int_equal(check(f, h, "video:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 401);
    rb_auth_cache_set_ttl_ms(RB_AUTH_CACHE_TTL_MS);
}

/* A cached token still needs its exact secret on every request, a wrong
 * secret is never what gets cached, and the cached scopes answer 403 the
 * same way the database path does (after the secret check). */
static void test_cache_never_accepts_a_wrong_secret(void **state)
{
    fixture *f = *state;
    rb_auth_cache_flush();
    rb_auth a;
    rb_err err;
    char h[512];
    /* Wrong first: refused, and nothing is cached. */
    basic("tok_video:not-the-secret", h, sizeof h);
    assert_int_equal(check(f, h, "video:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 401);
    assert_int_equal(rb_auth_cache_size(), 0);

    basic("tok_video:vsecret", h, sizeof h);
    assert_int_equal(check(f, h, "video:*", &a, &err), RB_OK);
    assert_int_equal(rb_auth_cache_size(), 1);

    static const char *wrong[] = {"tok_video:vsecreT", "tok_video:vsecret ",
                                  "tok_video:vsecre", "tok_video:x"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        basic(wrong[i], h, sizeof h);
        if (check(f, h, "video:*", &a, &err) != RB_ERR || err.status != 401)
            fail_msg("'%s' should be 401 with the token cached", wrong[i]);
        assert_string_equal(a.token_id, "");
        assert_string_equal(a.env.id, "");
        /* Wrong secret + missing scope: still 401, the scope stays hidden. */
        assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
        assert_int_equal(err.status, 401);
    }
    /* The right secret from the cache, and its scopes. */
    basic("tok_video:vsecret", h, sizeof h);
    assert_int_equal(check(f, h, "video:*", &a, &err), RB_OK);
    assert_string_equal(a.token_id, "tok_video");
    assert_string_equal(a.env.id, f->env.id);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 403);
    assert_non_null(strstr(err.message, "robots:*"));
    assert_int_equal(rb_auth_cache_size(), 1);
}

/* However many tokens are used, the cache holds RB_AUTH_CACHE_SLOTS at most,
 * and a token evicted from it still authenticates (from the database). */
static void test_cache_bounded(void **state)
{
    fixture *f = *state;
    rb_auth_cache_flush();
    rb_auth a;
    rb_err err;
    char h[512], id[32], creds[64];
    int n = RB_AUTH_CACHE_SLOTS * 2;
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "tok_many_%d", i);
        add_token(f, id, "manysecret", json_pack("[s]", "robots:*"), 0);
        snprintf(creds, sizeof creds, "%s:manysecret", id);
        basic(creds, h, sizeof h);
        assert_int_equal(check(f, h, "robots:*", &a, &err), RB_OK);
        assert_true(rb_auth_cache_size() <= RB_AUTH_CACHE_SLOTS);
    }
    assert_true(rb_auth_cache_size() > 0);
    for (int i = 0; i < n; i++) {
        snprintf(creds, sizeof creds, "tok_many_%d:manysecret", i);
        basic(creds, h, sizeof h);
        assert_int_equal(check(f, h, "robots:*", &a, &err), RB_OK);
        snprintf(creds, sizeof creds, "tok_many_%d:wrong", i);
        basic(creds, h, sizeof h);
        assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
        assert_int_equal(err.status, 401);
    }
    assert_true(rb_auth_cache_size() <= RB_AUTH_CACHE_SLOTS);
}

/* Entries belong to one store: the same token id with another secret and
 * environment in a second database is checked against that database, even
 * when the first store is closed and the second one reuses its address. */
static void test_cache_is_per_store(void **state)
{
    fixture *f = *state;
    rb_auth_cache_flush();
    rb_auth a;
    rb_err err;
    char h[512];
    basic("tok_robots:s3cret:with:colons", h, sizeof h);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_OK);
    uint64_t first = rb_store_serial(f->st);
    char first_env[RB_ID_MAX];
    snprintf(first_env, sizeof first_env, "%s", f->env.id);
    rb_store_close(f->st);

    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/second.db", f->dir);
    assert_int_equal(rb_store_open(url, 2, &f->st, &err), RB_OK);
    assert_true(rb_store_serial(f->st) != first);
    assert_int_equal(rb_store_env_ensure(f->st, "prod", &f->env, &err), RB_OK);
    assert_string_not_equal(f->env.id, first_env);
    /* Not in the second database at all. */
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 401);
    add_token(f, "tok_robots", "another", json_pack("[s]", "robots:*"), 0);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_ERR);
    assert_int_equal(err.status, 401);
    basic("tok_robots:another", h, sizeof h);
    assert_int_equal(check(f, h, "robots:*", &a, &err), RB_OK);
    assert_string_equal(a.env.id, f->env.id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_basic_and_bearer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_scope_is_403, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dispatch_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_revoke_visible_after_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_never_accepts_a_wrong_secret, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cache_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_is_per_store, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
