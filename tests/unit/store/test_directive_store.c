/* test_directive_store.c — directives and directive runs in the store
 * (sqlite_directives.c, migration 3; pg_directives.c on PostgreSQL when
 * ROBOTS_TEST_DATABASE names a server, see testdb.h): soft delete, environment isolation,
 * paging, the one-active-run rule, automatic-run idempotency, leased claims
 * (exclusive, rescued after expiry), conditional saves, terminal events
 * written exactly once, the job link, and the rebuilt outbox table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static void add_directive(fixture *f, const rb_env *env, int64_t created, char id[RB_ID_MAX])
{
    rb_directive d;
    memset(&d, 0, sizeof d);
    assert_int_equal(rb_random_id(d.id, sizeof d.id, "drv_", 24), RB_OK);
    snprintf(d.env_id, sizeof d.env_id, "%s", env->id);
    d.name = strdup("n");
    d.config = json_pack("{s:{s:s}, s:[], s:[{s:s, s:s}]}", "subject", "type", "video.asset",
                         "resources", "workflows", "reference_id", "s", "workflow", "summarize");
    d.created_at = d.updated_at = created;
    rb_err err;
    assert_int_equal(rb_store_directive_insert(f->st, &d, &err), RB_OK);
    snprintf(id, RB_ID_MAX, "%s", d.id);
    rb_directive_clear(&d);
}

static int new_run(fixture *f, const rb_env *env, const char *drv, const char *asset, int autot,
                   char id[RB_ID_MAX], char conflict[RB_ID_MAX])
{
    rb_directive_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.env_id, sizeof r.env_id, "%s", env->id);
    snprintf(r.directive_id, sizeof r.directive_id, "%s", drv);
    snprintf(r.asset_id, sizeof r.asset_id, "%s", asset);
    r.auto_trigger = autot;
    rb_err err;
    int rc = rb_store_directive_run_create(f->st, &r, conflict, &err);
    if (id)
        snprintf(id, RB_ID_MAX, "%s", r.id);
    rb_directive_run_clear(&r);
    return rc;
}

static void free_runs(rb_directive_run *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rb_directive_run_clear(&r[i]);
    free(r);
}

static size_t count_events(fixture *f, const char *run_id, const char *type)
{
    rb_event *ev;
    size_t n, hits = 0;
    rb_err err;
    assert_int_equal(rb_store_events_for_run(f->st, run_id, &ev, &n, &err), RB_OK);
    for (size_t i = 0; i < n; i++) {
        hits += !type || strcmp(ev[i].type, type) == 0;
        rb_event_clear(&ev[i]);
    }
    free(ev);
    return hits;
}

static void test_directive_crud(void **state)
{
    fixture *f = *state;
    char a[RB_ID_MAX], b[RB_ID_MAX], c[RB_ID_MAX], p[RB_ID_MAX];
    add_directive(f, &f->dev, 100, a);
    add_directive(f, &f->dev, 200, b);
    add_directive(f, &f->dev, 200, c);
    add_directive(f, &f->prod, 300, p);
    rb_err err;
    rb_directive d;
    assert_int_equal(rb_store_directive_get(f->st, f->dev.id, a, 0, &d, &err), RB_OK);
    assert_string_equal(d.name, "n");
    assert_string_equal(json_string_value(json_object_get(json_object_get(d.config, "subject"),
                                                          "type")),
                        "video.asset");
    assert_int_equal(d.deleted_at, 0);
    rb_directive_clear(&d);
    assert_int_equal(rb_store_directive_get(f->st, f->dev.id, p, 0, &d, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_directive_delete(f->st, f->dev.id, p, &err), RB_NOTFOUND);

    rb_directive *ds;
    size_t n;
    int64_t total;
    assert_int_equal(rb_store_directive_list(f->st, f->dev.id, 2, 1, &ds, &n, &total, &err),
                     RB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 3);
    /* Newest first; equal times by id descending. */
    const char *hi = strcmp(b, c) > 0 ? b : c, *lo = strcmp(b, c) > 0 ? c : b;
    assert_string_equal(ds[0].id, hi);
    assert_string_equal(ds[1].id, lo);
    for (size_t i = 0; i < n; i++)
        rb_directive_clear(&ds[i]);
    free(ds);
    assert_int_equal(rb_store_directive_list(f->st, f->dev.id, 2, 2, &ds, &n, &total, &err),
                     RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ds[0].id, a);
    rb_directive_clear(&ds[0]);
    free(ds);

    assert_int_equal(rb_store_directive_delete(f->st, f->dev.id, a, &err), RB_OK);
    assert_int_equal(rb_store_directive_delete(f->st, f->dev.id, a, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_directive_get(f->st, f->dev.id, a, 0, &d, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_directive_get(f->st, f->dev.id, a, 1, &d, &err), RB_OK);
    assert_true(d.deleted_at > 0);
    rb_directive_clear(&d);
    assert_int_equal(rb_store_directive_list(f->st, f->dev.id, 25, 1, &ds, &n, &total, &err),
                     RB_OK);
    assert_int_equal(total, 2);
    for (size_t i = 0; i < n; i++)
        rb_directive_clear(&ds[i]);
    free(ds);
}

static void test_run_rules(void **state)
{
    fixture *f = *state;
    char drv[RB_ID_MAX], other[RB_ID_MAX], pdrv[RB_ID_MAX];
    add_directive(f, &f->dev, rb_now(), drv);
    add_directive(f, &f->dev, rb_now(), other);
    add_directive(f, &f->prod, rb_now(), pdrv);
    char r1[RB_ID_MAX], r2[RB_ID_MAX], conflict[RB_ID_MAX];
    assert_int_equal(new_run(f, &f->dev, drv, "asset1", 0, r1, conflict), RB_OK);
    assert_int_equal(strncmp(r1, "drvrun_", 7), 0);
    /* One active run per directive + asset. */
    assert_int_equal(new_run(f, &f->dev, drv, "asset1", 0, NULL, conflict), RB_CONFLICT);
    assert_string_equal(conflict, r1);
    assert_int_equal(new_run(f, &f->dev, drv, "asset2", 0, r2, conflict), RB_OK);
    assert_int_equal(new_run(f, &f->dev, other, "asset1", 0, NULL, conflict), RB_OK);
    /* Unknown, other environment's, deleted directives. */
    assert_int_equal(new_run(f, &f->dev, "drv_x", "asset1", 0, NULL, conflict), RB_NOTFOUND);
    assert_int_equal(new_run(f, &f->dev, pdrv, "asset1", 0, NULL, conflict), RB_NOTFOUND);
    rb_err err;
    rb_directive_run r;
    assert_int_equal(rb_store_directive_run_get(f->st, f->prod.id, drv, r1, &r, &err),
                     RB_NOTFOUND);
    assert_int_equal(rb_store_directive_run_get(f->st, f->dev.id, other, r1, &r, &err),
                     RB_NOTFOUND);
    assert_int_equal(rb_store_directive_run_get(f->st, f->dev.id, drv, r1, &r, &err), RB_OK);
    assert_string_equal(r.status, "pending");
    assert_int_equal(r.completed_at, 0);
    assert_true(r.started_at > 0);
    rb_directive_run_clear(&r);
    assert_int_equal(count_events(f, r1, "robots.directive_run.created"), 1);

    rb_directive_run *runs;
    size_t n;
    int64_t total;
    assert_int_equal(rb_store_directive_run_list(f->st, f->dev.id, drv, 1, 1, &runs, &n, &total,
                                                 &err),
                     RB_OK);
    assert_int_equal(total, 2);
    assert_int_equal(n, 1);
    free_runs(runs, n);

    /* Finish r1, then the same asset may run again. */
    assert_int_equal(rb_store_directive_run_claim(f->st, "node-a", 60, 10, &runs, &n, &err),
                     RB_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(runs[i].status, "dispatching");
        if (strcmp(runs[i].id, r1) == 0) {
            snprintf(runs[i].status, sizeof runs[i].status, "completed");
            assert_int_equal(rb_store_directive_run_save(f->st, "node-a", &runs[i], 1, 0, &err),
                             RB_OK);
            assert_true(runs[i].completed_at > 0);
            /* A terminal run cannot be written again. */
            snprintf(runs[i].status, sizeof runs[i].status, "errored");
            assert_int_equal(rb_store_directive_run_save(f->st, "node-a", &runs[i], 1, 0, &err),
                             RB_CONFLICT);
        }
    }
    free_runs(runs, n);
    assert_int_equal(count_events(f, r1, NULL), 2);
    assert_int_equal(count_events(f, r1, "robots.directive_run.completed"), 1);
    assert_int_equal(new_run(f, &f->dev, drv, "asset1", 0, NULL, conflict), RB_OK);

    /* Automatic runs: once per directive + asset, even after it finished. */
    char a1[RB_ID_MAX];
    assert_int_equal(new_run(f, &f->dev, drv, "asset3", 1, a1, conflict), RB_OK);
    assert_int_equal(new_run(f, &f->dev, drv, "asset3", 1, NULL, conflict), RB_CONFLICT);
    assert_string_equal(conflict, a1);
}

static void test_claims_and_saves(void **state)
{
    fixture *f = *state;
    char drv[RB_ID_MAX], run[RB_ID_MAX], conflict[RB_ID_MAX];
    add_directive(f, &f->dev, rb_now(), drv);
    assert_int_equal(new_run(f, &f->dev, drv, "asset1", 0, run, conflict), RB_OK);
    rb_err err;
    rb_directive_run *a, *b;
    size_t na, nb;
    assert_int_equal(rb_store_directive_run_claim(f->st, "node-a", 1, 10, &a, &na, &err), RB_OK);
    assert_int_equal(na, 1);
    /* Held: nobody else gets it. */
    assert_int_equal(rb_store_directive_run_claim(f->st, "node-b", 60, 10, &b, &nb, &err), RB_OK);
    assert_int_equal(nb, 0);
    /* Keeping the claim (release = 0) writes state, still held. */
    json_object_set_new(a[0].work, "jobs", json_pack("{s:s}", "s", "rjob_x"));
    snprintf(a[0].status, sizeof a[0].status, "running");
    assert_int_equal(rb_store_directive_run_save(f->st, "node-a", &a[0], 0, 0, &err), RB_OK);
    assert_int_equal(rb_store_directive_run_claim(f->st, "node-b", 60, 10, &b, &nb, &err), RB_OK);
    assert_int_equal(nb, 0);
    /* After the lease runs out, another node takes it over... */
    struct timespec ts = {1, 200000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(rb_store_directive_run_claim(f->st, "node-b", 60, 10, &b, &nb, &err), RB_OK);
    assert_int_equal(nb, 1);
    assert_string_equal(b[0].status, "running");
    assert_string_equal(json_string_value(json_object_get(json_object_get(b[0].work, "jobs"),
                                                          "s")),
                        "rjob_x");
    /* ...and the old holder's writes are refused. */
    assert_int_equal(rb_store_directive_run_save(f->st, "node-a", &a[0], 1, 0, &err),
                     RB_CONFLICT);
    /* Released with a future due time: not claimable before it. */
    assert_int_equal(rb_store_directive_run_save(f->st, "node-b", &b[0], 1,
                                                 rb_now_ms() + 60000, &err),
                     RB_OK);
    free_runs(a, na);
    free_runs(b, nb);
    assert_int_equal(rb_store_directive_run_claim(f->st, "node-c", 60, 10, &b, &nb, &err), RB_OK);
    assert_int_equal(nb, 0);
    /* Only one status event so far: intermediate statuses have none. */
    assert_int_equal(count_events(f, run, NULL), 1);
}

/* The outbox after migration 3: job and run events side by side, job events
 * still cascade with their job, and the CHECK keeps exactly one owner. */
static void test_outbox_table(void **state)
{
    fixture *f = *state;
    char drv[RB_ID_MAX], run[RB_ID_MAX], conflict[RB_ID_MAX];
    add_directive(f, &f->dev, rb_now(), drv);
    assert_int_equal(new_run(f, &f->dev, drv, "asset1", 0, run, conflict), RB_OK);
    rb_job job;
    rb_job_init(&job);
    snprintf(job.env_id, sizeof job.env_id, "%s", f->dev.id);
    snprintf(job.workflow, sizeof job.workflow, "summarize");
    snprintf(job.asset_id, sizeof job.asset_id, "asset1");
    snprintf(job.directive_id, sizeof job.directive_id, "%s", drv);
    snprintf(job.directive_run_id, sizeof job.directive_run_id, "%s", run);
    job.parameters = json_pack("{s:s}", "asset_id", "asset1");
    job.created_at = 1000;
    rb_job_create c = {.job = &job};
    char cid[RB_ID_MAX];
    int replayed;
    rb_err err;
    assert_int_equal(rb_store_job_create(f->st, &c, cid, &replayed, &err), RB_OK);
    assert_int_equal(rb_store_job_set_directive(f->st, job.id, drv, run, &err), RB_OK);
    assert_int_equal(rb_store_job_set_directive(f->st, "rjob_none", drv, run, &err),
                     RB_NOTFOUND);

    char sql[512];
    int ok;
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM jobs WHERE id = '%s' AND directive_id = '%s'"
             " AND directive_run_id = '%s'",
             job.id, drv, run);
    assert_int_equal(testdb_int(&f->db, sql, &ok), 1);
    assert_true(ok);
    assert_int_equal(testdb_int(&f->db, "SELECT count(*) FROM events", &ok), 2);
    assert_int_equal(testdb_int(&f->db, "SELECT count(job_id) FROM events", &ok), 1);
    assert_int_equal(testdb_int(&f->db, "SELECT count(run_id) FROM events", &ok), 1);
    /* Neither or both owners are refused. */
    assert_int_not_equal(testdb_exec_q(&f->db,
                                       "INSERT INTO events(id, env_id, type, created_at_us, "
                                       "payload) VALUES ('x', 'e', 't', 0, '{}')",
                                       1),
                         0);

    /* The sweeper deletes the job with its events; the run's stay. */
    int64_t deleted = 0;
    assert_int_equal(rb_store_job_sweep(f->st, 2000, &deleted, &err), RB_OK);
    assert_int_equal(deleted, 1);
    assert_int_equal(count_events(f, run, NULL), 1);
    rb_job_clear(&job);

    /* Run retention: an active run is kept whatever its age; a finished
     * one older than the cut goes with its events. */
    assert_int_equal(rb_store_directive_run_sweep(f->st, rb_now() + 10, &deleted, &err), RB_OK);
    assert_int_equal(deleted, 0);
    rb_directive_run *runs;
    size_t n;
    assert_int_equal(rb_store_directive_run_claim(f->st, "node-a", 60, 10, &runs, &n, &err),
                     RB_OK);
    assert_int_equal(n, 1);
    snprintf(runs[0].status, sizeof runs[0].status, "errored");
    assert_int_equal(rb_store_directive_run_save(f->st, "node-a", &runs[0], 1, 0, &err), RB_OK);
    free_runs(runs, n);
    assert_int_equal(rb_store_directive_run_sweep(f->st, rb_now() - 10, &deleted, &err), RB_OK);
    assert_int_equal(deleted, 0);
    assert_int_equal(count_events(f, run, NULL), 2);
    assert_int_equal(rb_store_directive_run_sweep(f->st, rb_now() + 10, &deleted, &err), RB_OK);
    assert_int_equal(deleted, 1);
    assert_int_equal(count_events(f, run, NULL), 0);
    rb_directive_run gone;
    assert_int_equal(rb_store_directive_run_get(f->st, f->dev.id, drv, run, &gone, &err),
                     RB_NOTFOUND);
}

static void add_asset(fixture *f, const char *id, const char *status)
{
    rb_asset a;
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "%s", id);
    snprintf(a.env_id, sizeof a.env_id, "%s", f->dev.id);
    snprintf(a.status, sizeof a.status, "%s", status);
    a.playback_ids = json_array();
    a.thumbnail_time = -1;
    a.created_at = rb_now();
    rb_err err;
    assert_int_equal(rb_store_asset_insert(f->st, &a, &err), RB_OK);
    json_decref(a.playback_ids);
}

static size_t runs_of(fixture *f, const char *drv)
{
    rb_directive_run *runs;
    size_t n;
    int64_t total;
    rb_err err;
    assert_int_equal(rb_store_directive_run_list(f->st, f->dev.id, drv, 100, 1, &runs, &n, &total,
                                                 &err),
                     RB_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(runs[i].auto_trigger, 1);
        /* One waiting node per binding from the start. */
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(runs[i].node_states, 0), "status")),
                            "waiting_for_resources");
    }
    free_runs(runs, n);
    return (size_t)total;
}

/* Directives attached at asset creation run once the asset is ready, once
 * per directive and asset; deleted directives and errored assets start none. */
static void test_auto_start(void **state)
{
    fixture *f = *state;
    char d1[RB_ID_MAX], d2[RB_ID_MAX];
    add_directive(f, &f->dev, rb_now(), d1);
    add_directive(f, &f->dev, rb_now(), d2);
    add_asset(f, "ready1", "ready");
    add_asset(f, "prep1", "preparing");
    add_asset(f, "bad1", "errored");
    rb_err err;
    const char *both[] = {d1, d2};
    assert_int_equal(rb_store_asset_directives_add(f->st, f->dev.id, "ready1", both, 2, &err),
                     RB_OK);
    assert_int_equal(rb_store_asset_directives_add(f->st, f->dev.id, "ready1", both, 1, &err),
                     RB_OK); /* again: no-op */
    assert_int_equal(rb_store_asset_directives_add(f->st, f->dev.id, "prep1", both, 2, &err),
                     RB_OK);
    assert_int_equal(rb_store_asset_directives_add(f->st, f->dev.id, "bad1", both, 1, &err),
                     RB_OK);
    json_t *list;
    assert_int_equal(rb_store_asset_directives_list(f->st, f->dev.id, "ready1", &list, &err),
                     RB_OK);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), d1);
    json_decref(list);
    assert_int_equal(rb_store_asset_directives_list(f->st, f->prod.id, "ready1", &list, &err),
                     RB_OK);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);

    int started = -1;
    assert_int_equal(rb_store_directive_auto_start(f->st, 16, &started, &err), RB_OK);
    assert_int_equal(started, 2); /* ready1 × (d1, d2); prep1 waits; bad1 none */
    assert_int_equal(runs_of(f, d1), 1);
    assert_int_equal(runs_of(f, d2), 1);
    assert_int_equal(rb_store_directive_auto_start(f->st, 16, &started, &err), RB_OK);
    assert_int_equal(started, 0);

    /* prep1 becomes ready after d2 was deleted: only d1 runs. */
    assert_int_equal(rb_store_directive_delete(f->st, f->dev.id, d2, &err), RB_OK);
    assert_int_equal(testdb_exec(&f->db, "UPDATE assets SET status = 'ready' WHERE id = 'prep1'"),
                     0);
    assert_int_equal(rb_store_directive_auto_start(f->st, 16, &started, &err), RB_OK);
    assert_int_equal(started, 1);
    assert_int_equal(runs_of(f, d1), 2);
    assert_int_equal(runs_of(f, d2), 1);
    assert_int_equal(rb_store_directive_auto_start(f->st, 16, &started, &err), RB_OK);
    assert_int_equal(started, 0);
}

int main(void)
{
    int skip_all = testdb_check("test_directive_store");
    if (skip_all)
        return skip_all;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_directive_crud, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claims_and_saves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auto_start, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
