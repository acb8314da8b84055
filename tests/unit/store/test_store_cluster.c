/* Many processes on one database: the named leader lease
 * (rb_store_leader_acquire/release) on both stores, and the LISTEN/NOTIFY
 * remote wake (rb_store_set_remote_wake) on PostgreSQL — two store handles
 * on one database stand for two nodes. ROBOTS_TEST_DATABASE picks the store
 * (testdb.h); the NOTIFY tests skip on SQLite, where the call is a no-op. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "store/store.h"
#include "testdb.h"

typedef struct fixture {
    testdb db;
    rb_store *st;                  /* node A */
    rb_store *st2;                 /* node B: the same database, another handle */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (testdb_create(&f->db, "robots.db") != 0)
        return -1;
    rb_err err;
    if (rb_store_open(f->db.url, 4, &f->st, &err) != RB_OK ||
        rb_store_open(f->db.url, 4, &f->st2, &err) != RB_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rb_store_close(f->st);
    rb_store_close(f->st2);
    testdb_destroy(&f->db);
    free(f);
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int acquire(rb_store *st, const char *name, const char *owner, int ttl)
{
    int lead = -1;
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_leader_acquire(st, name, owner, ttl, &lead, &err);
    if (rc != RB_OK)
        fail_msg("leader_acquire(%s, %s): %s", name, owner, err.message);
    return lead;
}

static int64_t raw_int(fixture *f, const char *sql)
{
    int ok;
    int64_t v = testdb_int(&f->db, sql, &ok);
    assert_true(ok);
    return v;
}

/* ---- leader lease ---------------------------------------------------------- */

/* Two owners through two handles: the first takes the lease, the second is
 * refused while it runs, the holder renews (its expiry moves forward), and
 * a second name is independent of the first. */
static void test_leader_two_owners_and_renew(void **state)
{
    fixture *f = *state;
    assert_int_equal(acquire(f->st, "maintenance", "node-a", 30), 1);
    assert_int_equal(acquire(f->st2, "maintenance", "node-b", 30), 0);
    assert_int_equal(acquire(f->st2, "maintenance", "node-b", 30), 0);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM leader_leases WHERE name = 'maintenance'"
                                " AND owner = 'node-a'"),
                     1);
    int64_t e1 = raw_int(f, "SELECT expires_at_ms FROM leader_leases WHERE name = 'maintenance'");
    sleep_ms(30);
    assert_int_equal(acquire(f->st, "maintenance", "node-a", 30), 1);
    int64_t e2 = raw_int(f, "SELECT expires_at_ms FROM leader_leases WHERE name = 'maintenance'");
    assert_true(e2 > e1);
    /* The expiry is about ttl from now (the server's clock on PostgreSQL;
     * the test machine is the server here). */
    int64_t now = rb_now_ms();
    assert_true(e2 > now + 25000 && e2 < now + 35000);
    /* Another name is another lease. */
    assert_int_equal(acquire(f->st2, "other", "node-b", 30), 1);
    assert_int_equal(acquire(f->st, "other", "node-a", 30), 0);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM leader_leases"), 2);
}

/* The holder stops renewing: after the ttl the other owner takes over, and
 * the old holder is then refused (it must not think it still leads). */
static void test_leader_expiry_takeover(void **state)
{
    fixture *f = *state;
    assert_int_equal(acquire(f->st, "maintenance", "node-a", 1), 1);
    assert_int_equal(acquire(f->st2, "maintenance", "node-b", 1), 0);
    sleep_ms(1150);
    assert_int_equal(acquire(f->st2, "maintenance", "node-b", 1), 1);
    assert_int_equal(acquire(f->st, "maintenance", "node-a", 1), 0);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM leader_leases WHERE owner = 'node-b'"), 1);
}

/* Release hands over at once; a release by a non-holder changes nothing. */
static void test_leader_release(void **state)
{
    fixture *f = *state;
    rb_err err;
    assert_int_equal(acquire(f->st, "maintenance", "node-a", 60), 1);
    assert_int_equal(rb_store_leader_release(f->st2, "maintenance", "node-b", &err), RB_OK);
    assert_int_equal(acquire(f->st2, "maintenance", "node-b", 60), 0);
    assert_int_equal(rb_store_leader_release(f->st, "maintenance", "node-a", &err), RB_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM leader_leases"), 0);
    assert_int_equal(acquire(f->st2, "maintenance", "node-b", 60), 1);
    assert_int_equal(acquire(f->st, "maintenance", "node-a", 60), 0);
}

static void test_leader_bad_arguments(void **state)
{
    fixture *f = *state;
    int lead = 7;
    rb_err err;
    assert_int_equal(rb_store_leader_acquire(f->st, "", "a", 10, &lead, &err), RB_ERR);
    assert_int_equal(lead, 0);
    assert_int_equal(rb_store_leader_acquire(f->st, "m", "a", 0, &lead, &err), RB_ERR);
    assert_int_equal(rb_store_leader_acquire(f->st, "m", NULL, 10, &lead, &err), RB_ERR);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM leader_leases"), 0);
}

/* Eight owners race for a fresh lease on two handles: exactly one wins. */
typedef struct racer {
    rb_store *st;
    char owner[32];
    int lead;
    int rc;
    pthread_barrier_t *go;
} racer;

static void *race_main(void *arg)
{
    racer *r = arg;
    rb_err err;
    pthread_barrier_wait(r->go);
    r->rc = rb_store_leader_acquire(r->st, "race", r->owner, 30, &r->lead, &err);
    return NULL;
}

static void test_leader_race_one_winner(void **state)
{
    fixture *f = *state;
    enum { N = 8 };
    racer rs[N];
    pthread_t th[N];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    for (int i = 0; i < N; i++) {
        rs[i] = (racer){.st = i % 2 ? f->st2 : f->st, .go = &go};
        snprintf(rs[i].owner, sizeof rs[i].owner, "node-%d", i);
        pthread_create(&th[i], NULL, race_main, &rs[i]);
    }
    int winners = 0, winner = -1;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        /* SQLite may answer a racer 503 under write contention: that racer
         * simply does not lead this round. */
        assert_true(rs[i].rc == RB_OK || rs[i].rc == RB_BUSY);
        if (rs[i].rc == RB_OK && rs[i].lead) {
            winners++;
            winner = i;
        }
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(winners, 1);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM leader_leases WHERE name = 'race'"
                              " AND owner = 'node-%d'", winner);
    assert_int_equal(raw_int(f, sql), 1);
}

/* ---- remote wake (LISTEN/NOTIFY) -------------------------------------------- */

typedef struct wake_log {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int bits;                      /* OR of every call since the last reset */
    int calls;
} wake_log;

static void on_wake(void *arg, int what)
{
    wake_log *w = arg;
    pthread_mutex_lock(&w->mu);
    w->bits |= what;
    w->calls++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void wake_init(wake_log *w)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
}

static void wake_destroy(wake_log *w)
{
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}

/* Waits until every bit of want arrived or ms passed; returns the bits seen
 * and clears them. *waited gets the time it took. */
static int wake_wait(wake_log *w, int want, int64_t ms, int64_t *waited)
{
    int64_t t0 = rb_mono_ns();
    pthread_mutex_lock(&w->mu);
    while ((w->bits & want) != want) {
        int64_t left = ms - (rb_mono_ns() - t0) / 1000000;
        if (left <= 0)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)(left / 1000);
        ts.tv_nsec += (long)(left % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    int got = w->bits;
    w->bits = 0;
    pthread_mutex_unlock(&w->mu);
    if (waited)
        *waited = (rb_mono_ns() - t0) / 1000000;
    return got;
}

static void add_job(rb_store *st, const char *env_id, char id[RB_ID_MAX])
{
    rb_job j;
    rb_job_init(&j);
    rb_random_id(j.id, sizeof j.id, "rjob_", 24);
    snprintf(j.env_id, sizeof j.env_id, "%s", env_id);
    snprintf(j.workflow, sizeof j.workflow, "edit-captions");
    snprintf(j.asset_id, sizeof j.asset_id, "asset1");
    j.parameters = json_pack("{s:s}", "asset_id", "asset1");
    j.max_attempts = 3;
    j.created_at = rb_now();
    rb_job_create c = {&j, NULL, NULL, NULL};
    char cid[RB_ID_MAX];
    int rep;
    rb_err err;
    assert_int_equal(rb_store_job_create(st, &c, cid, &rep, &err), RB_OK);
    if (id)
        snprintf(id, RB_ID_MAX, "%s", j.id);
    rb_job_clear(&j);
}

/* SQLite: the call succeeds and never calls back (polling and the
 * same-process event hook are the mechanism there). */
static void test_remote_wake_sqlite_noop(void **state)
{
    fixture *f = *state;
    if (f->db.pg)
        skip();
    wake_log w;
    wake_init(&w);
    rb_err err;
    assert_int_equal(rb_store_set_remote_wake(f->st, on_wake, &w, &err), RB_OK);
    rb_env env;
    assert_int_equal(rb_store_env_ensure(f->st2, "dev", &env, &err), RB_OK);
    add_job(f->st2, env.id, NULL);
    assert_int_equal(wake_wait(&w, RB_STORE_WAKE_JOBS, 300, NULL), 0);
    assert_int_equal(w.calls, 0);
    assert_int_equal(rb_store_set_remote_wake(f->st, NULL, NULL, &err), RB_OK);
    wake_destroy(&w);
}

/* A job created through handle B (another node) wakes handle A's listener
 * within 1 s with the jobs and events bits; an asset created through B
 * wakes it with the ingest bit; a read-only call sends nothing. */
static void test_remote_wake_on_commit(void **state)
{
    fixture *f = *state;
    if (!f->db.pg)
        skip();
    wake_log w;
    wake_init(&w);
    rb_err err;
    assert_int_equal(rb_store_set_remote_wake(f->st, on_wake, &w, &err), RB_OK);
    /* The listener announces its (first) connection with every bit. */
    int all = RB_STORE_WAKE_JOBS | RB_STORE_WAKE_EVENTS | RB_STORE_WAKE_INGEST;
    assert_int_equal(wake_wait(&w, all, 5000, NULL) & all, all);

    rb_env env;
    assert_int_equal(rb_store_env_ensure(f->st2, "dev", &env, &err), RB_OK);
    /* Nothing committed that makes work: no wake. */
    assert_int_equal(wake_wait(&w, RB_STORE_WAKE_JOBS, 200, NULL), 0);

    int64_t waited = 0;
    char id[RB_ID_MAX];
    add_job(f->st2, env.id, id);
    int got = wake_wait(&w, RB_STORE_WAKE_JOBS | RB_STORE_WAKE_EVENTS, 1000, &waited);
    assert_int_equal(got & (RB_STORE_WAKE_JOBS | RB_STORE_WAKE_EVENTS),
                     RB_STORE_WAKE_JOBS | RB_STORE_WAKE_EVENTS);
    assert_true(waited < 1000);
    printf("remote wake after a job create on another handle: %lld ms\n", (long long)waited);

    rb_job got_job;
    rb_job_init(&got_job);
    assert_int_equal(rb_store_job_get(f->st, env.id, NULL, id, &got_job, &err), RB_OK);
    rb_job_clear(&got_job);
    assert_int_equal(wake_wait(&w, RB_STORE_WAKE_JOBS, 200, NULL), 0);

    rb_asset a;
    memset(&a, 0, sizeof a);
    rb_random_id(a.id, sizeof a.id, "", 32);
    snprintf(a.env_id, sizeof a.env_id, "%s", env.id);
    snprintf(a.status, sizeof a.status, "preparing");
    a.created_at = rb_now();
    assert_int_equal(rb_store_asset_insert(f->st2, &a, &err), RB_OK);
    got = wake_wait(&w, RB_STORE_WAKE_INGEST, 1000, &waited);
    assert_true(got & RB_STORE_WAKE_INGEST);
    assert_false(got & RB_STORE_WAKE_JOBS);

    /* Stopped: commits no longer call back. */
    assert_int_equal(rb_store_set_remote_wake(f->st, NULL, NULL, &err), RB_OK);
    add_job(f->st2, env.id, NULL);
    sleep_ms(300);
    assert_int_equal(wake_wait(&w, RB_STORE_WAKE_JOBS, 0, NULL), 0);
    wake_destroy(&w);
}

/* The server drops the listener's session: the listener reconnects by itself
 * (announcing it with every bit) and the next commit on B wakes A again. */
static void test_remote_wake_reconnects(void **state)
{
    fixture *f = *state;
    if (!f->db.pg)
        skip();
    wake_log w;
    wake_init(&w);
    rb_err err;
    assert_int_equal(rb_store_set_remote_wake(f->st, on_wake, &w, &err), RB_OK);
    int all = RB_STORE_WAKE_JOBS | RB_STORE_WAKE_EVENTS | RB_STORE_WAKE_INGEST;
    assert_int_equal(wake_wait(&w, all, 5000, NULL) & all, all);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE application_name = 'robots-listener' AND datname = '%s'",
             f->db.dbname);
    assert_int_equal(raw_int(f, sql), 1);
    /* Reconnected: the catch-up wake with every bit. */
    int64_t waited = 0;
    assert_int_equal(wake_wait(&w, all, 5000, &waited) & all, all);
    printf("listener reconnected %lld ms after its session was killed\n", (long long)waited);
    rb_env env;
    assert_int_equal(rb_store_env_ensure(f->st2, "dev", &env, &err), RB_OK);
    add_job(f->st2, env.id, NULL);
    assert_true(wake_wait(&w, RB_STORE_WAKE_JOBS, 1000, NULL) & RB_STORE_WAKE_JOBS);
    assert_int_equal(rb_store_set_remote_wake(f->st, NULL, NULL, &err), RB_OK);
    wake_destroy(&w);
}

/* A rolled-back transaction sends nothing: a create refused as a duplicate
 * (dedupe key, 409) wakes no one. */
static void test_remote_wake_not_on_refused_create(void **state)
{
    fixture *f = *state;
    if (!f->db.pg)
        skip();
    wake_log w;
    wake_init(&w);
    rb_err err;
    rb_env env;
    assert_int_equal(rb_store_env_ensure(f->st2, "dev", &env, &err), RB_OK);
    rb_job j;
    rb_job_init(&j);
    rb_random_id(j.id, sizeof j.id, "rjob_", 24);
    snprintf(j.env_id, sizeof j.env_id, "%s", env.id);
    snprintf(j.workflow, sizeof j.workflow, "edit-captions");
    j.parameters = json_pack("{s:s}", "asset_id", "asset1");
    j.max_attempts = 3;
    j.created_at = rb_now();
    rb_job_create c = {&j, "dedupe-key-1", NULL, NULL};
    char cid[RB_ID_MAX];
    int rep;
    assert_int_equal(rb_store_job_create(f->st2, &c, cid, &rep, &err), RB_OK);

    assert_int_equal(rb_store_set_remote_wake(f->st, on_wake, &w, &err), RB_OK);
    int all = RB_STORE_WAKE_JOBS | RB_STORE_WAKE_EVENTS | RB_STORE_WAKE_INGEST;
    assert_int_equal(wake_wait(&w, all, 5000, NULL) & all, all);
    rb_random_id(j.id, sizeof j.id, "rjob_", 24);
    assert_int_equal(rb_store_job_create(f->st2, &c, cid, &rep, &err), RB_CONFLICT);
    assert_int_equal(wake_wait(&w, RB_STORE_WAKE_JOBS, 400, NULL), 0);
    rb_job_clear(&j);
    assert_int_equal(rb_store_set_remote_wake(f->st, NULL, NULL, &err), RB_OK);
    wake_destroy(&w);
}

int main(void)
{
    int skip_all = testdb_check("test_store_cluster");
    if (skip_all)
        return skip_all;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_leader_two_owners_and_renew, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leader_expiry_takeover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leader_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leader_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leader_race_one_winner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_wake_sqlite_noop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_wake_on_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_wake_reconnects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_wake_not_on_refused_create, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
