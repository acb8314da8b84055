/* test_fetch.c — unit tests for src/media/fetch.c: the outbound URL policy
 * (table-driven, no network: only IP literals and "localhost" are resolved)
 * and real transfers against a local server (size limit, timeout,
 * redirects, HTTP errors, files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/err.h"
#include "media/fetch.h"
#include "testsrv.h"

typedef struct policy_case {
    const char *url;
    int allowed;         /* without --allow-private-urls */
    int allowed_private; /* with it; -1: depends on the resolver, not checked */
    const char *needle;  /* must appear in the message when refused */
} policy_case;

static const policy_case cases[] = {
    {"http://127.0.0.1/", 0, 1, "127.0.0.1 is a private address"},
    {"http://127.1.2.3:8080/x", 0, 1, "private address"},
    {"http://10.1.2.3/", 0, 1, "10.1.2.3 is a private address"},
    {"http://172.16.0.1/", 0, 1, "private address"},
    {"http://172.31.255.255/", 0, 1, "private address"},
    {"http://192.168.1.1/", 0, 1, "private address"},
    {"http://169.254.169.254/latest/meta-data/", 0, 1, "169.254.169.254 is a private address"},
    {"http://100.64.0.1/", 0, 1, "private address"},
    {"http://0.0.0.0/", 0, 1, "private address"},
    {"http://224.0.0.1/", 0, 1, "private address"},
    {"http://255.255.255.255/", 0, 1, "private address"},
    {"http://[::1]/", 0, 1, "::1 is a private address"},
    {"http://[::]/", 0, 1, "private address"},
    {"http://[fe80::1]/", 0, 1, "private address"},
    {"http://[fd00::1]/", 0, 1, "private address"},
    {"http://[fc00::1]/", 0, 1, "private address"},
    {"http://[ff02::1]/", 0, 1, "private address"},
    {"http://[::ffff:127.0.0.1]/", 0, 1, "private address"},
    {"http://[::ffff:169.254.169.254]/", 0, 1, "private address"},
    {"http://[64:ff9b::a00:1]/", 0, 1, "private address"}, /* NAT64 of 10.0.0.1 */
    {"http://[2002:a00:1::1]/", 0, 1, "private address"},  /* 6to4 of 10.0.0.1 */
    {"http://localhost/", 0, 1, "localhost is a loopback name"},
    {"http://LOCALHOST.:8080/", 0, -1, "loopback name"},
    {"http://api.localhost/", 0, -1, "loopback name"},
    {"file:///etc/passwd", 0, 0, "only http and https"},
    {"ftp://x/", 0, 0, "only http and https"},
    {"gopher://x/", 0, 0, "only http and https"},
    {"javascript:alert(1)", 0, 0, ""},
    {"http://", 0, 0, ""},
    {"", 0, 0, "non-empty"},
    {"not a url", 0, 0, ""},
    {"http://93.184.216.34/video.mp4", 1, 1, NULL},
    {"https://93.184.216.34:8443/a?b=c", 1, 1, NULL},
    {"HTTP://93.184.216.34/", 1, 1, NULL},
    {"http://172.32.0.1/", 1, 1, NULL},  /* just past 172.16/12 */
    {"http://100.128.0.1/", 1, 1, NULL}, /* just past 100.64/10 */
    {"http://[2606:2800:220:1:248:1893:25c8:1946]/", 1, 1, NULL},
};

static void test_policy_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const policy_case *c = &cases[i];
        rb_err err;
        rb_err_clear(&err);
        int rc = rb_fetch_check_url(c->url, 0, &err);
        if ((rc == RB_OK) != c->allowed)
            fail_msg("%s: expected %s, got rc=%d (%s)", c->url, c->allowed ? "allowed" : "refused",
                     rc, err.message);
        if (!c->allowed) {
            assert_int_equal(err.status, 400);
            assert_string_equal(err.type, "invalid_parameters");
            assert_true(strncmp(err.message, "url: ", 5) == 0);
            if (c->needle && !strstr(err.message, c->needle))
                fail_msg("%s: message '%s' lacks '%s'", c->url, err.message, c->needle);
        }
        if (c->allowed_private < 0)
            continue;
        rc = rb_fetch_check_url(c->url, 1, &err);
        if ((rc == RB_OK) != c->allowed_private)
            fail_msg("%s with allow_private: expected %s, got rc=%d (%s)", c->url,
                     c->allowed_private ? "allowed" : "refused", rc, err.message);
    }
}

static void test_policy_messages(void **state)
{
    (void)state;
    rb_err err;
    assert_int_equal(rb_fetch_check_url_field("inputs[0].url", "http://10.1.2.3/a.mp4", 0, &err),
                     RB_ERR);
    assert_string_equal(err.message, "inputs[0].url: 10.1.2.3 is a private address; start the "
                                     "server with --allow-private-urls to allow it");
    assert_int_equal(rb_fetch_check_url("http://localhost:9/x", 0, &err), RB_ERR);
    assert_string_equal(err.message, "url: localhost is a loopback name; start the server with "
                                     "--allow-private-urls to allow it");
    assert_int_equal(rb_fetch_check_url("ftp://example.com/", 1, &err), RB_ERR);
    assert_string_equal(err.message, "url: only http and https URLs are allowed (got 'ftp')");
}

/* ---- transfers against a local server ----------------------------------- */

typedef struct fx {
    testsrv srv;
    rb_config cfg;
    char url[256];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (testsrv_start(&f->srv) != 0)
        return -1;
    rb_config_defaults(&f->cfg);
    f->cfg.allow_private_urls = 1; /* the server is on loopback */
    f->cfg.fetch_max_bytes = 10000;
    f->cfg.fetch_timeout_seconds = 1;

    testsrv_route_add(&f->srv, "/hello", 200, "text/plain", "hello world", 11);
    char *big = malloc(100000);
    memset(big, 'x', 100000);
    testsrv_route_add(&f->srv, "/big", 200, "application/octet-stream", big, 100000);
    testsrv_route_add(&f->srv, "/big-nolen", 200, "application/octet-stream", big, 100000);
    testsrv_route_last(&f->srv)->no_length = 1;
    testsrv_route_add(&f->srv, "/exact", 200, "application/octet-stream", big, 10000);
    free(big);
    testsrv_route_add(&f->srv, "/slow", 200, "text/plain", "late", 4);
    testsrv_route_last(&f->srv)->delay_ms = 2500;
    testsrv_route_add(&f->srv, "/redirect", 302, "text/plain", "moved", 5);
    snprintf(testsrv_route_last(&f->srv)->location, 256, "/hello");
    testsrv_route_add(&f->srv, "/loop", 302, "text/plain", "", 0);
    snprintf(testsrv_route_last(&f->srv)->location, 256, "/loop");
    testsrv_route_add(&f->srv, "/to-ftp", 302, "text/plain", "", 0);
    snprintf(testsrv_route_last(&f->srv)->location, 256, "ftp://127.0.0.1/x");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    testsrv_stop(&f->srv);
    free(f);
    return 0;
}

static const char *U(fx *f, const char *path)
{
    snprintf(f->url, sizeof f->url, "%s%s", f->srv.base, path);
    return f->url;
}

static void test_fetch_ok(void **state)
{
    fx *f = *state;
    rb_buf b;
    rb_buf_init(&b, 1 << 20);
    rb_err err;
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/hello"), &b, &err), RB_OK);
    assert_int_equal(b.len, 11);
    assert_string_equal(rb_buf_cstr(&b), "hello world");
    /* Exactly at the limit is allowed. */
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/exact"), &b, &err), RB_OK);
    assert_int_equal(b.len, 10000);
    rb_buf_free(&b);
}

static void test_fetch_size_limit(void **state)
{
    fx *f = *state;
    rb_buf b;
    rb_buf_init(&b, 1 << 20);
    rb_err err;
    /* Content-Length says too much: refused before the body. */
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/big"), &b, &err), RB_TOOBIG);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.type, "invalid_input");
    assert_non_null(strstr(err.message, "larger than 10000 bytes"));
    /* No Content-Length: the write callback stops it. */
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/big-nolen"), &b, &err), RB_TOOBIG);
    assert_true(b.len <= 10000);
    /* The caller's buffer maximum is a limit too. */
    rb_buf small;
    rb_buf_init(&small, 5);
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/hello"), &small, &err), RB_TOOBIG);
    rb_buf_free(&small);
    rb_buf_free(&b);
}

static void test_fetch_timeout(void **state)
{
    fx *f = *state;
    rb_buf b;
    rb_buf_init(&b, 1 << 20);
    rb_err err;
    int64_t t0 = rb_mono_ns();
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/slow"), &b, &err), RB_ERR);
    int64_t ms = (rb_mono_ns() - t0) / 1000000;
    assert_non_null(strstr(err.message, "timed out after 1 s"));
    assert_true(ms >= 900 && ms < 2400);
    rb_buf_free(&b);
}

static void test_fetch_redirects_and_errors(void **state)
{
    fx *f = *state;
    rb_buf b;
    rb_buf_init(&b, 1 << 20);
    rb_err err;
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/redirect"), &b, &err), RB_OK);
    assert_string_equal(rb_buf_cstr(&b), "hello world");
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/loop"), &b, &err), RB_ERR);
    assert_non_null(strstr(err.message, "more than 5 redirects"));
    /* Each hop is checked again: a redirect to another scheme is refused. */
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/to-ftp"), &b, &err), RB_ERR);
    assert_non_null(strstr(err.message, "only http and https"));
    assert_int_equal(rb_fetch_to_buf(&f->cfg, U(f, "/missing"), &b, &err), RB_ERR);
    assert_int_equal(err.status, 422);
    assert_non_null(strstr(err.message, "answered HTTP 404"));
    rb_buf_free(&b);
}

static void test_fetch_policy_applies(void **state)
{
    fx *f = *state;
    rb_config cfg = f->cfg;
    cfg.allow_private_urls = 0;
    rb_buf b;
    rb_buf_init(&b, 1 << 20);
    rb_err err;
    int before = f->srv.requests;
    assert_int_equal(rb_fetch_to_buf(&cfg, U(f, "/hello"), &b, &err), RB_ERR);
    assert_int_equal(err.status, 422);
    assert_non_null(strstr(err.message, "127.0.0.1 is a private address"));
    assert_int_equal(f->srv.requests, before); /* never connected */
    rb_buf_free(&b);
}

static void test_fetch_to_file(void **state)
{
    fx *f = *state;
    char dir[] = "/tmp/rb-fetch-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/out", dir);
    rb_err err;
    int64_t size = 0;
    assert_int_equal(rb_fetch_to_file(&f->cfg, U(f, "/redirect"), path, &size, &err), RB_OK);
    assert_int_equal(size, 11);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char got[32] = "";
    size_t n = fread(got, 1, sizeof got - 1, fp);
    fclose(fp);
    assert_int_equal(n, 11);
    assert_string_equal(got, "hello world");
    /* A failed fetch leaves no file behind. */
    assert_int_equal(rb_fetch_to_file(&f->cfg, U(f, "/big-nolen"), path, &size, &err), RB_TOOBIG);
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_table),
        cmocka_unit_test(test_policy_messages),
        cmocka_unit_test_setup_teardown(test_fetch_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_size_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_redirects_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_policy_applies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_to_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
