/* test_webhook_store.c — webhook endpoints, fan-out, claims and attempts in
 * the store (sqlite_webhooks.c, migration 4; pg_webhooks.c on PostgreSQL when
 * ROBOTS_TEST_DATABASE names a server, see testdb.h): every event of an
 * environment reaches each of its endpoints (and no other environment's),
 * only events written after the endpoint existed, per-job order, leases,
 * retries with stored attempts, 410 disabling, replay, and the sweep taking
 * deliveries and attempts with their job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "store/store.h"
#include "testdb.h"

typedef struct fixture {
    testdb db;
    rb_store *st;
    rb_env dev, prod;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (testdb_create(&f->db, "robots.db") != 0)
        return -1;
    rb_err err;
    if (rb_store_open(f->db.url, 4, &f->st, &err) != RB_OK)
        return -1;
    if (rb_store_env_ensure(f->st, "dev", &f->dev, &err) != RB_OK ||
        rb_store_env_ensure(f->st, "prod", &f->prod, &err) != RB_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rb_store_close(f->st);
    testdb_destroy(&f->db);
    free(f);
    return 0;
}

static void add_endpoint(fixture *f, const rb_env *env, const char *url, rb_webhook_endpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    assert_int_equal(rb_random_id(ep->id, sizeof ep->id, "whe_", 20), RB_OK);
    snprintf(ep->env_id, sizeof ep->env_id, "%s", env->id);
    snprintf(ep->url, sizeof ep->url, "%s", url);
    snprintf(ep->secret, sizeof ep->secret, "whsec_%s", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
    ep->created_at = rb_now();
    rb_err err;
    assert_int_equal(rb_store_webhook_endpoint_insert(f->st, ep, &err), RB_OK);
}

/* A pending job of env (its "pending" event written). */
static void add_job(fixture *f, const rb_env *env, int64_t created_at, char id[RB_ID_MAX])
{
    rb_job j;
    rb_job_init(&j);
    rb_random_id(j.id, sizeof j.id, "rjob_", 24);
    snprintf(j.env_id, sizeof j.env_id, "%s", env->id);
    snprintf(j.workflow, sizeof j.workflow, "edit-captions");
    snprintf(j.asset_id, sizeof j.asset_id, "asset1");
    j.parameters = json_pack("{s:s}", "asset_id", "asset1");
    j.max_attempts = 3;
    j.created_at = created_at ? created_at : rb_now();
    rb_job_create c = {&j, NULL, NULL, NULL};
    char cid[RB_ID_MAX];
    int rep;
    rb_err err;
    assert_int_equal(rb_store_job_create(f->st, &c, cid, &rep, &err), RB_OK);
    snprintf(id, RB_ID_MAX, "%s", j.id);
    rb_job_clear(&j);
}

/* Runs the job through processing to completed (two more events). */
static void finish_job(fixture *f, const char *id)
{
    rb_job jobs[1];
    size_t n = 0;
    rb_err err;
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 1, jobs, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(jobs[0].id, id);
    rb_job_clear(&jobs[0]);
    json_t *out = json_pack("{s:i}", "n", 1);
    assert_int_equal(rb_store_job_complete(f->st, id, "w1", out, 1, &err), RB_OK);
    json_decref(out);
}

static size_t claim(fixture *f, const char *owner, int64_t now_ms, rb_webhook_delivery **ds)
{
    size_t n = 0;
    rb_err err;
    assert_int_equal(rb_store_webhook_claim(f->st, owner, now_ms, 10000, 50, ds, &n, &err), RB_OK);
    return n;
}

static void free_ds(rb_webhook_delivery *ds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rb_webhook_delivery_clear(&ds[i]);
    free(ds);
}

static void record(fixture *f, const char *owner, int64_t id, int code,
                   enum rb_webhook_outcome oc, int64_t next_ms, int want)
{
    rb_webhook_attempt a = {.at_ms = rb_now_ms(), .status_code = code, .latency_ms = 3,
                            .response_body = code ? "resp" : NULL,
                            .error = code ? NULL : "Connection refused"};
    rb_err err;
    assert_int_equal(rb_store_webhook_record(f->st, owner, id, &a, oc, next_ms, &err), want);
}

static int64_t count_rows(fixture *f, const char *sql)
{
    int ok;
    int64_t v = testdb_int(&f->db, sql, &ok);
    assert_true(ok);
    return v;
}

static void test_endpoints(void **state)
{
    fixture *f = *state;
    rb_webhook_endpoint a, b, got;
    add_endpoint(f, &f->dev, "https://a.example.test/h", &a);
    add_endpoint(f, &f->prod, "https://b.example.test/h", &b);
    rb_err err;
    assert_int_equal(rb_store_webhook_endpoint_get(f->st, a.id, &got, &err), RB_OK);
    assert_string_equal(got.url, a.url);
    assert_string_equal(got.secret, a.secret);
    assert_int_equal(got.disabled_at, 0);
    rb_webhook_endpoint *list;
    size_t n;
    assert_int_equal(rb_store_webhook_endpoint_list(f->st, f->dev.id, &list, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].id, a.id);
    free(list);
    assert_int_equal(rb_store_webhook_endpoint_list(f->st, NULL, &list, &n, &err), RB_OK);
    assert_int_equal(n, 2);
    free(list);
    assert_int_equal(rb_store_webhook_endpoint_set_secret(f->st, a.id, "whsec_new", &err), RB_OK);
    assert_int_equal(rb_store_webhook_endpoint_get(f->st, a.id, &got, &err), RB_OK);
    assert_string_equal(got.secret, "whsec_new");
    assert_int_equal(rb_store_webhook_endpoint_delete(f->st, a.id, &err), RB_OK);
    assert_int_equal(rb_store_webhook_endpoint_get(f->st, a.id, &got, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_webhook_endpoint_delete(f->st, a.id, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_webhook_endpoint_set_secret(f->st, "whe_x", "s", &err),
                     RB_NOTFOUND);
}

static void test_fanout_order_and_attempts(void **state)
{
    fixture *f = *state;
    char old[RB_ID_MAX], job[RB_ID_MAX], other[RB_ID_MAX];
    add_job(f, &f->dev, 0, old); /* before any endpoint: never delivered */
    rb_job cj;
    rb_err cerr;
    /* Cancelled at once, so the worker claim in finish_job takes `job`. */
    assert_int_equal(rb_store_job_cancel(f->st, f->dev.id, old, &cj, &cerr), RB_OK);
    rb_job_clear(&cj);
    rb_webhook_endpoint e1, e2, ep;
    add_endpoint(f, &f->dev, "https://one.example.test/h", &e1);
    add_endpoint(f, &f->dev, "https://two.example.test/h", &e2);
    add_endpoint(f, &f->prod, "https://prod.example.test/h", &ep);
    /* Older, so the worker claim in finish_job takes it before `other`. */
    add_job(f, &f->dev, rb_now() - 10, job);
    add_job(f, &f->prod, 0, other);

    int64_t now = rb_now_ms();
    rb_webhook_delivery *ds;
    size_t n = claim(f, "d1", now, &ds);
    /* job's pending event to e1 and e2, other's to ep; nothing for `old`. */
    assert_int_equal(n, 3);
    int seen1 = 0, seen2 = 0, seenp = 0;
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(ds[i].type, "robots.job.edit_captions.pending");
        assert_int_equal(ds[i].is_run, 0);
        assert_int_equal(ds[i].tries, 0);
        assert_int_equal(json_array_size(ds[i].attempts), 0);
        json_t *data = json_loads(ds[i].payload, 0, NULL);
        assert_non_null(data);
        assert_string_equal(json_string_value(json_object_get(data, "id")), ds[i].subject_id);
        assert_string_equal(json_string_value(json_object_get(data, "status")), "pending");
        json_decref(data);
        if (strcmp(ds[i].endpoint_id, ep.id) == 0) {
            seenp = 1;
            assert_string_equal(ds[i].subject_id, other);
            assert_string_equal(ds[i].env_name, "prod");
        } else {
            assert_string_equal(ds[i].subject_id, job);
            assert_string_equal(ds[i].env_name, "dev");
            assert_string_equal(ds[i].env_id, f->dev.id);
            seen1 |= strcmp(ds[i].endpoint_id, e1.id) == 0;
            seen2 |= strcmp(ds[i].endpoint_id, e2.id) == 0;
            assert_string_equal(ds[i].url, strcmp(ds[i].endpoint_id, e1.id) == 0 ? e1.url : e2.url);
        }
    }
    assert_true(seen1 && seen2 && seenp);
    /* Leased: another dispatcher gets nothing until the lease runs out. */
    rb_webhook_delivery *none;
    assert_int_equal(claim(f, "d2", now, &none), 0);

    /* The job moves on; its later events wait for the pending one per endpoint. */
    finish_job(f, job);
    assert_int_equal(claim(f, "d2", now, &none), 0);
    /* Fanned out but all blocked or leased: the cheap check says so. */
    int work = 1;
    rb_err werr;
    assert_int_equal(rb_store_webhook_has_work(f->st, now, &work, &werr), RB_OK);
    assert_int_equal(work, 0);

    int64_t e1_pending = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ds[i].endpoint_id, e1.id) == 0) {
            e1_pending = ds[i].id;
            /* Not the holder: refused, nothing written. */
            record(f, "d2", ds[i].id, 500, RB_WEBHOOK_RETRY, now + 1000, RB_CONFLICT);
            record(f, "d1", ds[i].id, 500, RB_WEBHOOK_RETRY, now + 1000, RB_OK);
        } else {
            record(f, "d1", ds[i].id, 200, RB_WEBHOOK_DELIVERED, 0, RB_OK);
        }
    }
    free_ds(ds, n);
    /* e2's pending was delivered: its processing event is due; e1 waits (retry at +1 s)
     * and its processing event stays behind its pending one. */
    n = claim(f, "d1", now, &ds);
    assert_int_equal(n, 1);
    assert_string_equal(ds[0].endpoint_id, e2.id);
    assert_string_equal(ds[0].type, "robots.job.edit_captions.processing");
    record(f, "d1", ds[0].id, 204, RB_WEBHOOK_DELIVERED, 0, RB_OK);
    free_ds(ds, n);

    /* At +1 s e1's pending event is retried, carrying its earlier attempt. */
    n = claim(f, "d1", now + 1000, &ds);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (ds[i].id == e1_pending) {
            found = 1;
            assert_int_equal(ds[i].tries, 1);
            assert_int_equal(json_array_size(ds[i].attempts), 1);
            json_t *a = json_array_get(ds[i].attempts, 0);
            assert_int_equal(json_integer_value(json_object_get(a, "response_status_code")), 500);
            assert_string_equal(json_string_value(json_object_get(a, "response_body")), "resp");
            assert_string_equal(json_string_value(json_object_get(a, "address")), e1.url);
            record(f, "d1", ds[i].id, 200, RB_WEBHOOK_DELIVERED, 0, RB_OK);
        } else {
            /* e2's completed event. */
            assert_string_equal(ds[i].endpoint_id, e2.id);
            assert_string_equal(ds[i].type, "robots.job.edit_captions.completed");
            record(f, "d1", ds[i].id, 200, RB_WEBHOOK_DELIVERED, 0, RB_OK);
        }
    }
    assert_true(found);
    free_ds(ds, n);

    /* The history lists each delivery with its attempts. */
    json_t *hist;
    rb_err err;
    assert_int_equal(rb_store_webhook_events(f->st, f->dev.id, NULL, 100, &hist, &err), RB_OK);
    assert_int_equal(json_array_size(hist), 6); /* 3 events x 2 endpoints */
    int pending_left = 0, two_attempts = 0;
    for (size_t i = 0; i < json_array_size(hist); i++) {
        json_t *o = json_array_get(hist, i);
        const char *s = json_string_value(json_object_get(o, "status"));
        pending_left += strcmp(s, "pending") == 0;
        if (json_array_size(json_object_get(o, "attempts")) == 2) {
            two_attempts++;
            json_t *a0 = json_array_get(json_object_get(o, "attempts"), 0);
            assert_int_equal(json_integer_value(json_object_get(a0, "status_code")), 500);
            assert_int_equal(json_integer_value(json_object_get(a0, "latency_ms")), 3);
        }
    }
    assert_int_equal(pending_left, 2); /* e1's processing and completed */
    assert_int_equal(two_attempts, 1);
    json_decref(hist);
    assert_int_equal(rb_store_webhook_events(f->st, f->dev.id, "pending", 100, &hist, &err),
                     RB_OK);
    assert_int_equal(json_array_size(hist), 2);
    json_decref(hist);
}

static void test_gone_failed_replay_sweep(void **state)
{
    fixture *f = *state;
    rb_webhook_endpoint e1, e2;
    add_endpoint(f, &f->dev, "https://gone.example.test/h", &e1);
    add_endpoint(f, &f->dev, "https://flaky.example.test/h", &e2);
    char job[RB_ID_MAX];
    add_job(f, &f->dev, 0, job);
    int64_t now = rb_now_ms();
    rb_webhook_delivery *ds;
    size_t n = claim(f, "d1", now, &ds);
    assert_int_equal(n, 2);
    char event_id[40];
    snprintf(event_id, sizeof event_id, "%s", ds[0].event_id);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ds[i].endpoint_id, e1.id) == 0)
            record(f, "d1", ds[i].id, 410, RB_WEBHOOK_GONE, 0, RB_OK);
        else
            record(f, "d1", ds[i].id, 0, RB_WEBHOOK_FAILED, 0, RB_OK);
    }
    free_ds(ds, n);
    rb_err err;
    rb_webhook_endpoint got;
    assert_int_equal(rb_store_webhook_endpoint_get(f->st, e1.id, &got, &err), RB_OK);
    assert_true(got.disabled_at > 0);
    assert_string_equal(got.disabled_reason, "410 Gone");
    /* A disabled endpoint gets no new events; nothing else is due. */
    finish_job(f, job);
    n = claim(f, "d1", now, &ds);
    /* e2's pending failed for good, so its processing event is next. */
    assert_int_equal(n, 1);
    assert_string_equal(ds[0].endpoint_id, e2.id);
    assert_string_equal(ds[0].type, "robots.job.edit_captions.processing");
    record(f, "d1", ds[0].id, 200, RB_WEBHOOK_DELIVERED, 0, RB_OK);
    free_ds(ds, n);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM webhook_deliveries d JOIN"
                                   " webhook_endpoints w ON w.id = d.endpoint_id"
                                   " WHERE w.disabled_at IS NOT NULL"),
                     1);

    /* Replay of the failed ones sends e2's pending event again, fresh round. */
    int64_t count = 0;
    assert_int_equal(rb_store_webhook_replay(f->st, f->dev.id, NULL, 0, 1, &count, &err), RB_OK);
    assert_int_equal(count, 1);
    n = claim(f, "d1", rb_now_ms(), &ds);
    assert_int_equal(n, 1);
    assert_string_equal(ds[0].event_id, event_id);
    assert_int_equal(ds[0].tries, 0);
    assert_int_equal(json_array_size(ds[0].attempts), 1);
    record(f, "d1", ds[0].id, 200, RB_WEBHOOK_DELIVERED, 0, RB_OK);
    free_ds(ds, n);
    /* Replay by id (any environment) and unknown ids. */
    assert_int_equal(rb_store_webhook_replay(f->st, NULL, event_id, 0, 0, &count, &err), RB_OK);
    assert_int_equal(count, 1); /* e1 is disabled */
    assert_int_equal(rb_store_webhook_replay(f->st, NULL, "nope", 0, 0, &count, &err),
                     RB_NOTFOUND);
    assert_int_equal(rb_store_webhook_replay(f->st, f->prod.id, event_id, 0, 0, &count, &err),
                     RB_NOTFOUND);

    /* The sweep deletes the job's events, and with them deliveries and attempts. */
    assert_true(count_rows(f, "SELECT COUNT(*) FROM webhook_attempts") > 0);
    int64_t deleted = 0;
    assert_int_equal(rb_store_job_sweep(f->st, rb_now() + 10, &deleted, &err), RB_OK);
    assert_int_equal(deleted, 1);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM webhook_deliveries"), 0);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM webhook_attempts"), 0);
    int work = 1;
    assert_int_equal(rb_store_webhook_has_work(f->st, rb_now_ms(), &work, &err), RB_OK);
    assert_int_equal(work, 0);
}

/* Events written while no endpoint exists never become deliveries (an
 * endpoint only receives what happens after it is created), however long the
 * fan-out waits to see them (PostgreSQL skips it while no endpoint exists);
 * the next events reach the new endpoint as usual. */
static void test_events_before_any_endpoint(void **state)
{
    fixture *f = *state;
    char early[RB_ID_MAX], late[RB_ID_MAX];
    add_job(f, &f->dev, 0, early);
    finish_job(f, early);
    rb_webhook_delivery *ds;
    int64_t now = rb_now_ms();
    assert_int_equal(claim(f, "d1", now, &ds), 0);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM webhook_deliveries"), 0);

    rb_webhook_endpoint e;
    add_endpoint(f, &f->dev, "https://late.example.test/h", &e);
    assert_int_equal(claim(f, "d1", now, &ds), 0);
    add_job(f, &f->dev, 0, late);
    size_t n = claim(f, "d1", rb_now_ms(), &ds);
    assert_int_equal(n, 1);
    assert_string_equal(ds[0].subject_id, late);
    assert_string_equal(ds[0].endpoint_id, e.id);
    free_ds(ds, n);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM webhook_deliveries"), 1);
}

static void test_lease_expiry(void **state)
{
    fixture *f = *state;
    rb_webhook_endpoint e;
    add_endpoint(f, &f->dev, "https://x.example.test/h", &e);
    char job[RB_ID_MAX];
    add_job(f, &f->dev, 0, job);
    int64_t now = rb_now_ms();
    rb_err err;
    int work = 0;
    assert_int_equal(rb_store_webhook_has_work(f->st, now, &work, &err), RB_OK);
    assert_int_equal(work, 1);
    rb_webhook_delivery *ds, *again;
    size_t n = claim(f, "dead", now, &ds);
    assert_int_equal(n, 1);
    /* The holder died: after the 10 s lease another dispatcher takes it over. */
    assert_int_equal(claim(f, "d2", now + 9999, &again), 0);
    size_t m = claim(f, "d2", now + 10000, &again);
    assert_int_equal(m, 1);
    assert_int_equal(again[0].id, ds[0].id);
    record(f, "dead", ds[0].id, 200, RB_WEBHOOK_DELIVERED, 0, RB_CONFLICT);
    record(f, "d2", ds[0].id, 200, RB_WEBHOOK_DELIVERED, 0, RB_OK);
    free_ds(ds, n);
    free_ds(again, m);

    /* A batch: a lost claim is skipped, the others are written in the same
     * transaction. */
    char j2[RB_ID_MAX];
    add_job(f, &f->dev, 0, j2);
    n = claim(f, "d3", now, &ds);
    assert_int_equal(n, 1);
    rb_webhook_result xs[2] = {
        {.delivery_id = ds[0].id, .attempt = {.at_ms = now, .status_code = 200},
         .outcome = RB_WEBHOOK_DELIVERED},
        {.delivery_id = 999999, .attempt = {.at_ms = now, .status_code = 200},
         .outcome = RB_WEBHOOK_DELIVERED},
    };
    assert_int_equal(rb_store_webhook_record_many(f->st, "d3", xs, 2, &err), RB_OK);
    assert_int_equal(xs[0].rc, RB_OK);
    assert_int_equal(xs[1].rc, RB_CONFLICT);
    free_ds(ds, n);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM webhook_deliveries"
                                   " WHERE status = 'delivered'"),
                     2);
}

/* Several dispatchers (threads on connections of their own, as nodes would
 * be) claim and record at once: every delivery is made exactly once, with
 * exactly one attempt, and none is claimed by two dispatchers. */
typedef struct dispatcher {
    fixture *f;
    char owner[16];
    int64_t *seen;                 /* delivery ids this dispatcher recorded */
    size_t nseen, cap;
    int errors;
} dispatcher;

static void *dispatch_loop(void *p)
{
    dispatcher *d = p;
    for (int idle = 0; idle < 3;) {
        rb_webhook_delivery *ds = NULL;
        size_t n = 0;
        rb_err err;
        if (rb_store_webhook_claim(d->f->st, d->owner, rb_now_ms(), 60000, 7, &ds, &n, &err) !=
            RB_OK) {
            fprintf(stderr, "claim: %s\n", err.message);
            d->errors++;
            break;
        }
        idle = n ? 0 : idle + 1;
        for (size_t i = 0; i < n; i++) {
            if (d->nseen < d->cap)
                d->seen[d->nseen++] = ds[i].id;
            rb_webhook_attempt a = {.at_ms = rb_now_ms(), .status_code = 200, .latency_ms = 1};
            if (rb_store_webhook_record(d->f->st, d->owner, ds[i].id, &a, RB_WEBHOOK_DELIVERED, 0,
                                        &err) != RB_OK) {
                fprintf(stderr, "record: %s\n", err.message);
                d->errors++;
            }
        }
        free_ds(ds, n);
        if (!n)
            usleep(20000);
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_concurrent_dispatchers(void **state)
{
    fixture *f = *state;
    enum { JOBS = 60, DISPATCHERS = 3 };
    rb_webhook_endpoint e1, e2;
    add_endpoint(f, &f->dev, "https://a.example.test/h", &e1);
    add_endpoint(f, &f->dev, "https://b.example.test/h", &e2);
    for (int i = 0; i < JOBS; i++) {
        char id[RB_ID_MAX];
        add_job(f, &f->dev, 0, id);
    }
    dispatcher ds[DISPATCHERS];
    pthread_t th[DISPATCHERS];
    for (int i = 0; i < DISPATCHERS; i++) {
        ds[i] = (dispatcher){f, "", calloc(4 * JOBS, sizeof(int64_t)), 0, 4 * JOBS, 0};
        snprintf(ds[i].owner, sizeof ds[i].owner, "node-%d", i);
        pthread_create(&th[i], NULL, dispatch_loop, &ds[i]);
    }
    int64_t *all = calloc(4 * JOBS * DISPATCHERS, sizeof *all);
    size_t total = 0;
    int errors = 0;
    for (int i = 0; i < DISPATCHERS; i++) {
        pthread_join(th[i], NULL);
        memcpy(all + total, ds[i].seen, ds[i].nseen * sizeof *all);
        total += ds[i].nseen;
        errors += ds[i].errors;
        free(ds[i].seen);
    }
    assert_int_equal(errors, 0);
    assert_int_equal(total, 2 * JOBS);
    qsort(all, total, sizeof *all, cmp_i64);
    for (size_t i = 1; i < total; i++)
        assert_true(all[i - 1] != all[i]);
    free(all);
    assert_int_equal(count_rows(f, "SELECT count(*) FROM webhook_deliveries"), 2 * JOBS);
    assert_int_equal(count_rows(f, "SELECT count(*) FROM webhook_deliveries"
                                   " WHERE status = 'delivered'"),
                     2 * JOBS);
    assert_int_equal(count_rows(f, "SELECT count(*) FROM webhook_attempts"), 2 * JOBS);
    int work = 1;
    rb_err err;
    assert_int_equal(rb_store_webhook_has_work(f->st, rb_now_ms(), &work, &err), RB_OK);
    assert_int_equal(work, 0);
}

int main(void)
{
    int skip_all = testdb_check("test_webhook_store");
    if (skip_all)
        return skip_all;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_endpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fanout_order_and_attempts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone_failed_replay_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_before_any_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lease_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_dispatchers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
