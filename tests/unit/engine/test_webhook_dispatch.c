/* test_webhook_dispatch.c — the webhook dispatcher (webhook_dispatch.c):
 * signatures against vectors computed independently (node:crypto), the retry
 * schedule with jitter and Retry-After, the envelope, and the thread itself
 * against a loopback receiver (libmicrohttpd): delivery in order with valid
 * signatures, failures retried with their attempts stored, and the outbound
 * URL policy refusing a loopback endpoint without --allow-private-urls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <microhttpd.h>
#include <pthread.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "engine/webhook_dispatch.h"
#include "store/store.h"

#define SECRET "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"

static void test_sign_vectors(void **state)
{
    (void)state;
    char mux[96], std[64];
    rb_webhook_sign(SECRET, "msg_1", 1700000000, "{\"a\":1}", 7, mux, std);
    assert_string_equal(mux, "t=1700000000,v1=a784094c967f9a604afbe28826393da8f36e02dc93dc6c50e"
                             "160b49ec55faa38");
    assert_string_equal(std, "v1,/GNBaWqlDMj54reZdDWRXgSKjgn0cfI01GVB37lqyIk=");
    char s1[RB_WEBHOOK_SECRET_MAX], s2[RB_WEBHOOK_SECRET_MAX];
    assert_int_equal(rb_webhook_secret_new(s1), RB_OK);
    assert_int_equal(rb_webhook_secret_new(s2), RB_OK);
    assert_int_equal(strlen(s1), 38);
    assert_memory_equal(s1, "whsec_", 6);
    assert_string_not_equal(s1, s2);
}

static void test_schedule(void **state)
{
    (void)state;
    rb_config cfg;
    rb_config_defaults(&cfg);
    assert_int_equal(cfg.webhook_schedule_n, 8);
    int64_t total = 0;
    for (int i = 0; i < cfg.webhook_schedule_n; i++)
        total += cfg.webhook_schedule_ms[i];
    assert_true(total >= 24LL * 3600 * 1000);
    assert_int_equal(cfg.webhook_timeout_ms, 5000);
    for (int k = 0; k < 50; k++) {
        int64_t d = rb_webhook_next_delay_ms(&cfg, 1, 0);
        assert_true(d >= 4500 && d <= 5500);
        d = rb_webhook_next_delay_ms(&cfg, 7, 0);
        assert_true(d >= 32400000 && d <= 39600000);
    }
    assert_int_equal(rb_webhook_next_delay_ms(&cfg, 8, 0), -1);
    assert_int_equal(rb_webhook_next_delay_ms(&cfg, 0, 0), -1);
    /* Retry-After is a lower bound, capped at a day. */
    assert_int_equal(rb_webhook_next_delay_ms(&cfg, 1, 60000), 60000);
    assert_int_equal(rb_webhook_next_delay_ms(&cfg, 1, 900000000), 86400000);
    assert_int_equal(rb_config_webhook_schedule(&cfg, "0,0.25,1"), 1);
    assert_int_equal(cfg.webhook_schedule_n, 3);
    assert_int_equal(cfg.webhook_schedule_ms[1], 250);
    assert_int_equal(rb_config_webhook_schedule(&cfg, "0,x"), -1);
    assert_int_equal(rb_config_webhook_schedule(&cfg, "-1"), -1);
    assert_int_equal(cfg.webhook_schedule_n, 3); /* unchanged by a bad value */
}

static void test_render(void **state)
{
    (void)state;
    rb_webhook_delivery d;
    memset(&d, 0, sizeof d);
    snprintf(d.event_id, sizeof d.event_id, "ev-1");
    snprintf(d.type, sizeof d.type, "robots.job.summarize.completed");
    d.created_at_us = 1700000000123456LL;
    snprintf(d.env_id, sizeof d.env_id, "env1");
    snprintf(d.env_name, sizeof d.env_name, "Development");
    snprintf(d.subject_id, sizeof d.subject_id, "rjob_1");
    /* Key order and number spelling of the stored text are kept as they are. */
    d.payload = strdup("{\"id\":\"rjob_1\",\"status\":\"completed\",\"x\":1.50}");
    d.attempts = json_pack("[{s:s}]", "id", "7");
    rb_buf b;
    rb_buf_init(&b, 1 << 16);
    assert_int_equal(rb_webhook_render(&d, 8, &b), RB_OK);
    assert_non_null(strstr(b.data, ",\"data\":{\"id\":\"rjob_1\",\"status\":\"completed\",\"x\":1.50},"));
    json_t *e = json_loads(b.data, 0, NULL);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "id")), "ev-1");
    assert_string_equal(json_string_value(json_object_get(e, "created_at")),
                        "2023-11-14T22:13:20.123456Z");
    json_t *o = json_object_get(e, "object");
    assert_string_equal(json_string_value(json_object_get(o, "type")), "robots_job");
    assert_string_equal(json_string_value(json_object_get(o, "id")), "rjob_1");
    json_t *env = json_object_get(e, "environment");
    assert_string_equal(json_string_value(json_object_get(env, "name")), "Development");
    json_t *a = json_array_get(json_object_get(e, "attempts"), 0);
    assert_int_equal(json_integer_value(json_object_get(a, "max_attempts")), 8);
    assert_true(json_is_null(json_object_get(e, "request_id")));
    json_decref(e);
    rb_buf_free(&b);
    rb_webhook_delivery_clear(&d);
}

/* ---- a loopback receiver --------------------------------------------------------- */

#define MAX_GOT 32
typedef struct receiver {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    int fail_first; /* answer 500 to this many requests first */
    int n;
    char *body[MAX_GOT];
    char sig[MAX_GOT][128];
    char id[MAX_GOT][64];
} receiver;

typedef struct upload {
    rb_buf b;
} upload;

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **ctx)
{
    (void)url;
    (void)method;
    (void)version;
    receiver *r = cls;
    if (!*ctx) {
        upload *u = calloc(1, sizeof *u);
        rb_buf_init(&u->b, 1 << 20);
        *ctx = u;
        return MHD_YES;
    }
    upload *u = *ctx;
    if (*size) {
        rb_buf_append(&u->b, data, *size);
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->mu);
    int k = r->n++;
    int status = k < r->fail_first ? 500 : 200;
    if (k < MAX_GOT) {
        r->body[k] = strdup(rb_buf_cstr(&u->b));
        const char *s = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "mux-signature");
        const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");
        snprintf(r->sig[k], sizeof r->sig[k], "%s", s ? s : "");
        snprintf(r->id[k], sizeof r->id[k], "%s", id ? id : "");
    }
    pthread_mutex_unlock(&r->mu);
    const char *text = status == 200 ? "thanks" : "broken";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **ctx,
                      enum MHD_RequestTerminationCode t)
{
    (void)cls;
    (void)c;
    (void)t;
    upload *u = *ctx;
    if (u) {
        rb_buf_free(&u->b);
        free(u);
    }
}

static void receiver_start(receiver *r, int fail_first)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->fail_first = fail_first;
    r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, r,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    assert_non_null(r->d);
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
    r->port = i->port;
}

static int receiver_count(receiver *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

static void receiver_stop(receiver *r)
{
    MHD_stop_daemon(r->d);
    for (int i = 0; i < MAX_GOT; i++)
        free(r->body[i]);
    pthread_mutex_destroy(&r->mu);
}

typedef struct fixture {
    char dir[128];
    rb_store *st;
    rb_env env;
    rb_config cfg;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rb_whdisp_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char url[256];
    snprintf(url, sizeof url, "sqlite:%s/robots.db", f->dir);
    rb_err err;
    if (rb_store_open(url, 4, &f->st, &err) != RB_OK ||
        rb_store_env_ensure(f->st, "dev", &f->env, &err) != RB_OK)
        return -1;
    rb_config_defaults(&f->cfg);
    f->cfg.webhook_poll_ms = 10;
    f->cfg.webhook_timeout_ms = 2000;
    rb_config_webhook_schedule(&f->cfg, "0,0.05,0.05,0.05,0.05");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rb_store_close(f->st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void add_endpoint(fixture *f, int port, char id[RB_ID_MAX])
{
    rb_webhook_endpoint ep;
    memset(&ep, 0, sizeof ep);
    rb_random_id(ep.id, sizeof ep.id, "whe_", 20);
    snprintf(ep.env_id, sizeof ep.env_id, "%s", f->env.id);
    snprintf(ep.url, sizeof ep.url, "http://127.0.0.1:%d/hooks", port);
    snprintf(ep.secret, sizeof ep.secret, "%s", SECRET);
    ep.created_at = rb_now();
    rb_err err;
    assert_int_equal(rb_store_webhook_endpoint_insert(f->st, &ep, &err), RB_OK);
    snprintf(id, RB_ID_MAX, "%s", ep.id);
}

/* A job taken through pending → processing → completed: three events. */
static void run_job(fixture *f, char id[RB_ID_MAX])
{
    rb_job j;
    rb_job_init(&j);
    rb_random_id(j.id, sizeof j.id, "rjob_", 24);
    snprintf(j.env_id, sizeof j.env_id, "%s", f->env.id);
    snprintf(j.workflow, sizeof j.workflow, "edit-captions");
    j.parameters = json_pack("{s:s}", "asset_id", "a1");
    j.max_attempts = 3;
    j.created_at = rb_now();
    rb_job_create c = {&j, NULL, NULL, NULL};
    char cid[RB_ID_MAX];
    int rep;
    rb_err err;
    assert_int_equal(rb_store_job_create(f->st, &c, cid, &rep, &err), RB_OK);
    snprintf(id, RB_ID_MAX, "%s", j.id);
    rb_job_clear(&j);
    rb_job jobs[1];
    size_t n;
    assert_int_equal(rb_store_job_claim(f->st, "w", 60, 1, jobs, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    rb_job_clear(&jobs[0]);
    json_t *out = json_object();
    assert_int_equal(rb_store_job_complete(f->st, id, "w", out, 1, &err), RB_OK);
    json_decref(out);
}

static void wait_count(receiver *r, int n)
{
    for (int i = 0; i < 500 && receiver_count(r) < n; i++)
        usleep(10000);
    assert_true(receiver_count(r) >= n);
}

static void test_delivers_in_order_signed(void **state)
{
    fixture *f = *state;
    f->cfg.allow_private_urls = 1;
    receiver r;
    receiver_start(&r, 0);
    char ep[RB_ID_MAX], job[RB_ID_MAX];
    add_endpoint(f, r.port, ep);
    rb_webhook_dispatch *d;
    rb_err err;
    assert_int_equal(rb_webhook_dispatch_start(f->st, &f->cfg, &d, &err), RB_OK);
    run_job(f, job);
    rb_webhook_dispatch_wake(d);
    wait_count(&r, 3);
    const char *want[] = {"pending", "processing", "completed"};
    for (int i = 0; i < 3; i++) {
        json_t *e = json_loads(r.body[i], 0, NULL);
        assert_non_null(e);
        json_t *data = json_object_get(e, "data");
        assert_string_equal(json_string_value(json_object_get(data, "status")), want[i]);
        assert_string_equal(json_string_value(json_object_get(data, "id")), job);
        assert_string_equal(json_string_value(json_object_get(e, "id")), r.id[i]);
        json_decref(e);
        /* Verify mux-signature the way a receiver does. */
        long long t = 0;
        char hex[65] = "";
        assert_int_equal(sscanf(r.sig[i], "t=%lld,v1=%64s", &t, hex), 2);
        char msg[8192];
        int ml = snprintf(msg, sizeof msg, "%lld.%s", t, r.body[i]);
        char expect[65];
        rb_hmac_sha256_hex(SECRET, strlen(SECRET), msg, (size_t)ml, expect);
        assert_string_equal(hex, expect);
        assert_true(llabs(rb_now() - t) < 10);
    }
    rb_webhook_dispatch_stop(d);
    json_t *hist;
    assert_int_equal(rb_store_webhook_events(f->st, f->env.id, "delivered", 10, &hist, &err),
                     RB_OK);
    assert_int_equal(json_array_size(hist), 3);
    json_t *a = json_array_get(json_object_get(json_array_get(hist, 0), "attempts"), 0);
    assert_int_equal(json_integer_value(json_object_get(a, "status_code")), 200);
    assert_string_equal(json_string_value(json_object_get(a, "response_body")), "thanks");
    json_decref(hist);
    receiver_stop(&r);
}

static void test_retries_then_delivers(void **state)
{
    fixture *f = *state;
    f->cfg.allow_private_urls = 1;
    receiver r;
    receiver_start(&r, 2); /* two 500s, then 200s */
    char ep[RB_ID_MAX], job[RB_ID_MAX];
    add_endpoint(f, r.port, ep);
    rb_webhook_dispatch *d;
    rb_err err;
    assert_int_equal(rb_webhook_dispatch_start(f->st, &f->cfg, &d, &err), RB_OK);
    run_job(f, job);
    wait_count(&r, 5);
    rb_webhook_dispatch_stop(d);
    /* The pending event was tried three times (same id); the third carried two attempts. */
    assert_string_equal(r.id[0], r.id[1]);
    assert_string_equal(r.id[1], r.id[2]);
    json_t *e = json_loads(r.body[2], 0, NULL);
    json_t *atts = json_object_get(e, "attempts");
    assert_int_equal(json_array_size(atts), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(atts, 0),
                                                        "response_status_code")),
                     500);
    json_decref(e);
    json_t *hist;
    assert_int_equal(rb_store_webhook_events(f->st, f->env.id, "delivered", 10, &hist, &err),
                     RB_OK);
    assert_int_equal(json_array_size(hist), 3);
    json_decref(hist);
    receiver_stop(&r);
}

static void test_policy_refuses_loopback(void **state)
{
    fixture *f = *state;
    f->cfg.allow_private_urls = 0;
    rb_config_webhook_schedule(&f->cfg, "0");
    receiver r;
    receiver_start(&r, 0);
    char ep[RB_ID_MAX], job[RB_ID_MAX];
    add_endpoint(f, r.port, ep);
    rb_webhook_dispatch *d;
    rb_err err;
    assert_int_equal(rb_webhook_dispatch_start(f->st, &f->cfg, &d, &err), RB_OK);
    run_job(f, job);
    json_t *hist = NULL;
    for (int i = 0; i < 300; i++) {
        json_decref(hist);
        assert_int_equal(rb_store_webhook_events(f->st, f->env.id, "failed", 10, &hist, &err),
                         RB_OK);
        if (json_array_size(hist) >= 1)
            break;
        usleep(10000);
    }
    rb_webhook_dispatch_stop(d);
    assert_true(json_array_size(hist) >= 1);
    json_t *a = json_array_get(json_object_get(json_array_get(hist, 0), "attempts"), 0);
    assert_true(json_is_null(json_object_get(a, "status_code")));
    assert_non_null(strstr(json_string_value(json_object_get(a, "error")),
                           "outbound URL policy: 127.0.0.1"));
    json_decref(hist);
    assert_int_equal(receiver_count(&r), 0);
    receiver_stop(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_vectors),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_render),
        cmocka_unit_test_setup_teardown(test_delivers_in_order_signed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_then_delivers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_refuses_loopback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
