/* test_server.c — the real libmicrohttpd server on an ephemeral port, driven
 * with libcurl: body cap (413, declared with and without Expect, and
 * chunked; a declared body is drained before the 413), malformed JSON (400),
 * missing credentials (401 + WWW-Authenticate), 405 + Allow, query decoding,
 * and the JSON content type on every answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "http/server.h"
#include "media/library.h"

typedef struct fixture {
    char dir[64];
    rb_store *st;
    rb_config cfg;
    rb_library lib;
    rb_app app;
    struct rb_http *http;
    char base[64];
} fixture;

static int always(const char *wf)
{
    return 1;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rb_srv_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    rb_config_defaults(&f->cfg);
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", f->dir);
    snprintf(f->cfg.database, sizeof f->cfg.database, "sqlite:%s/robots.db", f->dir);
    snprintf(f->cfg.listen, sizeof f->cfg.listen, "127.0.0.1:0");
    rb_config_finish(&f->cfg);
    rb_err err;
    if (rb_store_open(f->cfg.database, 4, &f->st, &err) != RB_OK)
        return -1;
    if (rb_library_init(&f->lib, f->st, &f->cfg, &err) != RB_OK)
        return -1;
    rb_env env;
    if (rb_store_env_ensure(f->st, "dev", &env, &err) != RB_OK)
        return -1;
    rb_token t;
    memset(&t, 0, sizeof t);
    snprintf(t.id, sizeof t.id, "tok_srv");
    snprintf(t.env_id, sizeof t.env_id, "%s", env.id);
    snprintf(t.env_name, sizeof t.env_name, "dev");
    rb_sha256_hex("sek", 3, t.secret_sha256);
    t.scopes = json_pack("[s,s]", "robots:*", "video:*");
    t.created_at = rb_now();
    int rc = rb_store_token_insert(f->st, &t, &err);
    json_decref(t.scopes);
    if (rc != RB_OK)
        return -1;
    rb_asset a;
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "asset_srv");
    snprintf(a.env_id, sizeof a.env_id, "%s", env.id);
    snprintf(a.status, sizeof a.status, "ready");
    a.duration = 30;
    a.inputs = json_array();
    a.playback_ids = json_pack("[{s:s,s:s}]", "id", "pb_srv", "policy", "public");
    a.thumbnail_time = -1;
    a.created_at = rb_now();
    rc = rb_store_asset_insert(f->st, &a, &err);
    json_decref(a.inputs);
    json_decref(a.playback_ids);
    if (rc != RB_OK)
        return -1;
    f->app.store = f->st;
    f->app.library = &f->lib;
    f->app.cfg = &f->cfg;
    f->app.workflow_available = always;
    if (rb_http_start(&f->app, "127.0.0.1:0", &f->http, &err) != RB_OK) {
        fprintf(stderr, "start: %s\n", err.message);
        return -1;
    }
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", rb_http_port(f->http));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rb_http_stop(f->http);
    rb_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

typedef struct reply {
    long status;
    rb_buf body;
    char ctype[128];
    char www_auth[128];
    char allow[64];
    char connection[32];
} reply;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    reply *r = ud;
    return rb_buf_append(&r->body, p, sz * n) == RB_OK ? sz * n : 0;
}

static void copy_value(char *dst, size_t dstsz, const char *line, size_t len, size_t keylen)
{
    const char *v = line + keylen;
    size_t vl = len - keylen;
    while (vl && (*v == ' ' || *v == ':')) {
        v++;
        vl--;
    }
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    snprintf(dst, dstsz, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    reply *r = ud;
    size_t len = sz * n;
    if (len > 13 && strncasecmp(p, "content-type:", 13) == 0)
        copy_value(r->ctype, sizeof r->ctype, p, len, 12);
    else if (len > 17 && strncasecmp(p, "www-authenticate:", 17) == 0)
        copy_value(r->www_auth, sizeof r->www_auth, p, len, 16);
    else if (len > 6 && strncasecmp(p, "allow:", 6) == 0)
        copy_value(r->allow, sizeof r->allow, p, len, 5);
    else if (len > 11 && strncasecmp(p, "connection:", 11) == 0)
        copy_value(r->connection, sizeof r->connection, p, len, 10);
    return len;
}

/* Streams `remaining` bytes of 'x' with no Content-Length (chunked). */
static size_t read_filler(char *buf, size_t sz, size_t n, void *ud)
{
    size_t *remaining = ud;
    size_t k = sz * n < *remaining ? sz * n : *remaining;
    memset(buf, 'x', k);
    *remaining -= k;
    return k;
}

/* How a request says (or not) that it waits for "100 Continue". */
enum { EXPECT_CURL_DEFAULT, EXPECT_NONE, EXPECT_CONTINUE };

/* Like request(), with the Expect header under the caller's control; *cc
 * receives libcurl's result instead of failing the test on a send error. */
static void request_ex(fixture *f, const char *method, const char *path, const char *userpwd,
                       const char *body, size_t body_len, int chunked, int expect, reply *r,
                       CURLcode *cc_out)
{
    memset(r, 0, sizeof *r);
    rb_buf_init(&r->body, 1 << 20);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[512];
    snprintf(url, sizeof url, "%s%s", f->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (userpwd)
        curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
    struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
    size_t remaining = body_len;
    if (chunked) {
        hs = curl_slist_append(hs, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_filler);
        curl_easy_setopt(c, CURLOPT_READDATA, &remaining);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    } else if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    /* "Expect:" with no value stops libcurl from adding its own. */
    if (expect == EXPECT_NONE)
        hs = curl_slist_append(hs, "Expect:");
    else if (expect == EXPECT_CONTINUE)
        hs = curl_slist_append(hs, "Expect: 100-continue");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hs);
    curl_easy_cleanup(c);
    if (cc_out)
        *cc_out = cc;
    /* The server may close the connection while a large upload is still
     * being sent; the 413 has been received by then. */
    else if (cc != CURLE_OK && cc != CURLE_SEND_ERROR)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(cc));
}

static void request(fixture *f, const char *method, const char *path, const char *userpwd,
                    const char *body, size_t body_len, int chunked, reply *r)
{
    request_ex(f, method, path, userpwd, body, body_len, chunked, EXPECT_CURL_DEFAULT, r, NULL);
}

static json_t *error_of(reply *r, const char *type)
{
    json_error_t je;
    json_t *j = json_loads(rb_buf_cstr(&r->body), 0, &je);
    if (!j)
        fail_msg("body is not JSON: %s", rb_buf_cstr(&r->body));
    json_t *e = json_object_get(j, "error");
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "type")), type);
    assert_true(json_is_string(json_object_get(e, "message")));
    assert_int_equal(json_array_size(json_object_get(e, "messages")), 1);
    return j;
}

static void test_healthz_and_404(void **state)
{
    fixture *f = *state;
    reply r;
    request(f, "GET", "/healthz", NULL, NULL, 0, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.ctype, "application/json");
    assert_string_equal(rb_buf_cstr(&r.body), "{\"ok\":true}");
    rb_buf_free(&r.body);

    request(f, "GET", "/robots/v0/nothing-here", NULL, NULL, 0, 0, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.ctype, "application/json");
    json_decref(error_of(&r, "not_found"));
    rb_buf_free(&r.body);

    request(f, "DELETE", "/robots/v0/jobs/", "tok_srv:sek", NULL, 0, 0, &r);
    assert_int_equal(r.status, 405);
    assert_string_equal(r.allow, "GET");
    json_decref(error_of(&r, "method_not_allowed"));
    rb_buf_free(&r.body);
}

static void test_missing_credentials_401(void **state)
{
    fixture *f = *state;
    reply r;
    request(f, "GET", "/robots/v0/jobs", NULL, NULL, 0, 0, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.www_auth, "Basic realm=\"robots\"");
    assert_string_equal(r.ctype, "application/json");
    json_decref(error_of(&r, "unauthorized"));
    rb_buf_free(&r.body);

    request(f, "GET", "/robots/v0/jobs", "tok_srv:wrong", NULL, 0, 0, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.www_auth, "Basic realm=\"robots\"");
    rb_buf_free(&r.body);

    request(f, "GET", "/robots/v0/jobs", "tok_srv:sek", NULL, 0, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.www_auth, "");
    rb_buf_free(&r.body);
}

static void test_oversized_body_413(void **state)
{
    fixture *f = *state;
    size_t n = RB_MAX_BODY + 1;
    char *big = malloc(n);
    memset(big, ' ', n);
    reply r;
    /* Declared by Content-Length: refused up front, before auth. */
    request(f, "POST", "/robots/v0/jobs/summarize", NULL, big, n, 0, &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.ctype, "application/json");
    json_decref(error_of(&r, "payload_too_large"));
    rb_buf_free(&r.body);

    request(f, "POST", "/robots/v0/jobs/summarize", "tok_srv:sek", big, n, 0, &r);
    assert_int_equal(r.status, 413);
    rb_buf_free(&r.body);

    /* Chunked, no declared length: cut off once it passes the cap. */
    request(f, "POST", "/robots/v0/jobs/summarize", "tok_srv:sek", NULL, 2 * RB_MAX_BODY, 1,
            &r);
    assert_int_equal(r.status, 413);
    json_decref(error_of(&r, "payload_too_large"));
    rb_buf_free(&r.body);

    /* Exactly at the cap is accepted (and then judged as JSON: 400). */
    memset(big, ' ', RB_MAX_BODY);
    big[0] = '{';
    request(f, "POST", "/robots/v0/jobs/summarize", "tok_srv:sek", big, RB_MAX_BODY, 0, &r);
    assert_int_equal(r.status, 400);
    rb_buf_free(&r.body);
    free(big);

    /* The server is still healthy afterwards. */
    request(f, "GET", "/healthz", NULL, NULL, 0, 0, &r);
    assert_int_equal(r.status, 200);
    rb_buf_free(&r.body);
}

/* Writes a POST with a declared body of body_len bytes and no Expect over a
 * plain socket, the whole body before reading anything (what fetch does),
 * then reads the answer until the server closes. Returns 0 when every byte
 * was written and the answer read without a reset, else the errno seen;
 * the answer (truncated) goes to out. */
static int raw_post_all(fixture *f, const char *path, size_t body_len, char *out, size_t outsz)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)rb_http_port(f->http));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic %s\r\n"
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                      path, "dG9rX3NydjpzZWs=" /* tok_srv:sek */, body_len);
    static char chunk[64 * 1024];
    memset(chunk, ' ', sizeof chunk);
    int rc = 0;
    if (send(fd, head, (size_t)hl, MSG_NOSIGNAL) != hl)
        rc = errno ? errno : EIO;
    for (size_t sent = 0; !rc && sent < body_len;) {
        size_t k = body_len - sent < sizeof chunk ? body_len - sent : sizeof chunk;
        ssize_t w = send(fd, chunk, k, MSG_NOSIGNAL);
        if (w <= 0)
            rc = errno ? errno : EIO;
        else
            sent += (size_t)w;
    }
    size_t got = 0;
    while (!rc) {
        char tmp[4096];
        ssize_t r = recv(fd, tmp, sizeof tmp, 0);
        if (r < 0)
            rc = errno;
        if (r <= 0)
            break;
        size_t k = (size_t)r < outsz - 1 - got ? (size_t)r : outsz - 1 - got;
        memcpy(out + got, tmp, k);
        got += k;
    }
    out[got] = '\0';
    close(fd);
    return rc;
}

/* What fetch and the SDK do: a declared oversize body sent at once, with no
 * Expect. The server must drain it and answer 413, not close while the
 * client is still writing (which the client sees as a reset, and retries).
 * With Expect: 100-continue the 413 comes before the body is sent. */
static void test_oversized_declared_body_drained(void **state)
{
    fixture *f = *state;
    static const size_t sizes[] = {RB_MAX_BODY + 64, 4u * RB_MAX_BODY, 16u * RB_MAX_BODY};
    size_t max = sizes[2];
    char *big = malloc(max);
    assert_non_null(big);
    memset(big, ' ', max);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int k = 0; k < 3; k++) {
            char ans[2048];
            int e = raw_post_all(f, "/robots/v0/jobs/summarize", sizes[i], ans, sizeof ans);
            if (e)
                fail_msg("%zu bytes without Expect: %s", sizes[i], strerror(e));
            if (strncmp(ans, "HTTP/1.1 413 ", 13) != 0)
                fail_msg("%zu bytes without Expect answered: %.80s", sizes[i], ans);
            assert_non_null(strcasestr(ans, "\r\nConnection: close\r\n"));
            assert_non_null(strstr(ans, "\"payload_too_large\""));
        }
        /* The same through libcurl, with and without credentials. */
        for (int k = 0; k < 2; k++) {
            reply r;
            CURLcode cc = CURLE_OK;
            request_ex(f, "POST", "/robots/v0/jobs/summarize", k ? NULL : "tok_srv:sek",
                       big, sizes[i], 0, EXPECT_NONE, &r, &cc);
            if (cc != CURLE_OK)
                fail_msg("%zu bytes without Expect: %s (status %ld)", sizes[i],
                         curl_easy_strerror(cc), r.status);
            assert_int_equal(r.status, 413);
            assert_string_equal(r.ctype, "application/json");
            assert_string_equal(r.connection, "close");
            json_decref(error_of(&r, "payload_too_large"));
            rb_buf_free(&r.body);
        }
    }

    /* With Expect: 100-continue the answer comes first and the body is
     * never sent: libcurl sees a final status instead of 100 Continue. */
    reply r;
    CURLcode cc = CURLE_OK;
    request_ex(f, "POST", "/robots/v0/jobs/summarize", "tok_srv:sek", big, sizes[1], 0,
               EXPECT_CONTINUE, &r, &cc);
    assert_int_equal(cc, CURLE_OK);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.connection, "close");
    json_decref(error_of(&r, "payload_too_large"));
    rb_buf_free(&r.body);
    free(big);

    /* Past the discard limit the body is not drained: the 413 is queued
     * at once and the connection closed (the client may see the answer or
     * a reset, depending on timing). Either way the server stays up. */
    size_t huge = 16u * RB_MAX_BODY + 1;
    big = malloc(huge);
    assert_non_null(big);
    memset(big, ' ', huge);
    request_ex(f, "POST", "/robots/v0/jobs/summarize", "tok_srv:sek", big, huge, 0, EXPECT_NONE,
               &r, &cc);
    assert_true(cc != CURLE_OK || r.status == 413);
    rb_buf_free(&r.body);
    free(big);
    request(f, "GET", "/healthz", NULL, NULL, 0, 0, &r);
    assert_int_equal(r.status, 200);
    rb_buf_free(&r.body);
}

static void test_malformed_json_400(void **state)
{
    fixture *f = *state;
    reply r;
    const char *body = "{\"parameters\": {\"asset_id\": \"a\",}";
    request(f, "POST", "/robots/v0/jobs/summarize", "tok_srv:sek", body, strlen(body), 0, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.ctype, "application/json");
    json_t *j = error_of(&r, "invalid_parameters");
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    assert_non_null(strstr(msg, "malformed JSON: "));
    assert_non_null(strstr(msg, "at line 1 column"));
    json_decref(j);
    rb_buf_free(&r.body);

    /* Query arguments reach the handler decoded. */
    request(f, "GET", "/robots/v0/jobs?limit=%31%30%31", "tok_srv:sek", NULL, 0, 0, &r);
    assert_int_equal(r.status, 400);
    j = error_of(&r, "invalid_parameters");
    msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    assert_non_null(strstr(msg, "limit"));
    json_decref(j);
    rb_buf_free(&r.body);

    request(f, "GET", "/robots/v0/jobs?limit=5&page=2&unknown=1", "tok_srv:sek", NULL, 0, 0, &r);
    assert_int_equal(r.status, 200);
    rb_buf_free(&r.body);
}

/* Identical creates racing on the pool threads: the store's dedupe rule
 * lets exactly one through; the others are 409 with x-should-retry: false. */
static void test_concurrent_duplicates(void **state)
{
    fixture *f = *state;
    enum { N = 8 };
    const char *body = "{\"parameters\":{\"asset_id\":\"asset_srv\",\"tone\":\"neutral\"}}";
    CURLM *multi = curl_multi_init();
    CURL *easy[N];
    reply r[N];
    struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: application/json");
    char url[256];
    snprintf(url, sizeof url, "%s/robots/v0/jobs/summarize", f->base);
    for (int i = 0; i < N; i++) {
        memset(&r[i], 0, sizeof r[i]);
        rb_buf_init(&r[i].body, 1 << 16);
        easy[i] = curl_easy_init();
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_USERPWD, "tok_srv:sek");
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, hs);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &r[i]);
        curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 20L);
        curl_multi_add_handle(multi, easy[i]);
    }
    int running = 1;
    while (running) {
        curl_multi_perform(multi, &running);
        if (running)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    int created = 0, conflicts = 0;
    for (int i = 0; i < N; i++) {
        long st = 0;
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &st);
        if (st == 202)
            created++;
        else if (st == 409)
            conflicts++;
        else
            fail_msg("unexpected %ld: %s", st, rb_buf_cstr(&r[i].body));
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
        rb_buf_free(&r[i].body);
    }
    curl_slist_free_all(hs);
    curl_multi_cleanup(multi);
    assert_int_equal(created, 1);
    assert_int_equal(conflicts, N - 1);

    rb_job *jobs = NULL;
    size_t n = 0;
    int64_t total = 0;
    rb_err err;
    rb_env env;
    assert_int_equal(rb_store_env_by_name(f->st, "dev", &env, &err), RB_OK);
    rb_job_filter flt = {.workflow = "summarize", .limit = 100, .page = 1};
    assert_int_equal(rb_store_job_list(f->st, env.id, &flt, &jobs, &n, &total, &err), RB_OK);
    assert_int_equal(total, 1);
    for (size_t i = 0; i < n; i++)
        rb_job_clear(&jobs[i]);
    free(jobs);
}

static void test_bad_listen_addresses(void **state)
{
    fixture *f = *state;
    struct rb_http *h = NULL;
    rb_err err;
    static const char *bad[] = {"nocolon", "127.0.0.1:", "127.0.0.1:65536", "[::1:80",
                                "127.0.0.1:-1", "127.0.0.1:8x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rb_err_clear(&err);
        if (rb_http_start(&f->app, bad[i], &h, &err) != RB_ERR)
            fail_msg("listen '%s' should fail", bad[i]);
        assert_null(h);
        assert_true(err.message[0] != '\0');
    }
    /* The port in use by the fixture's server cannot be bound twice. */
    char inuse[64];
    snprintf(inuse, sizeof inuse, "127.0.0.1:%d", rb_http_port(f->http));
    assert_int_equal(rb_http_start(&f->app, inuse, &h, &err), RB_ERR);

    /* IPv6 loopback, when the machine has it. */
    if (rb_http_start(&f->app, "[::1]:0", &h, &err) == RB_OK) {
        assert_true(rb_http_port(h) > 0);
        rb_http_stop(h);
    }
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz_and_404),
        cmocka_unit_test(test_missing_credentials_401),
        cmocka_unit_test(test_oversized_body_413),
        cmocka_unit_test(test_oversized_declared_body_drained),
        cmocka_unit_test(test_malformed_json_400),
        cmocka_unit_test(test_concurrent_duplicates),
        cmocka_unit_test(test_bad_listen_addresses),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
