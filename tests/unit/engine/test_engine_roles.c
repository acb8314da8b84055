/* test_engine_roles.c — `robots serve --role` and the maintenance leader.
 *
 * Covers the parsing of --role / ROBOTS_ROLE (and when --listen counts as
 * given), serve refusing a bad role before it touches anything, an api
 * engine that runs nothing, a worker engine that runs jobs, and two engines
 * on one database (two store handles = two nodes) of which exactly one
 * sweeps, with a hand-over when the leader stops. The store follows
 * ROBOTS_TEST_DATABASE like the store tests (tests/unit/store/testdb.h):
 * SQLite by default, PostgreSQL when pointed at a server. */
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

#include "cli/cli.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/crypto.h"
#include "engine/engine.h"
#include "media/library.h"
#include "store/store.h"
#include "workflows/workflow.h"
#include "../store/testdb.h"

typedef struct node {
    rb_config cfg;
    rb_store *st;
    rb_library lib;
    rb_engine *eng;
} node;

typedef struct fixture {
    testdb db;
    node a, b;
    rb_env env;
} fixture;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void node_open(fixture *f, node *n, int role, int workers)
{
    rb_config_defaults(&n->cfg);
    snprintf(n->cfg.data_dir, sizeof n->cfg.data_dir, "%s", f->db.dir);
    snprintf(n->cfg.database, sizeof n->cfg.database, "%s", f->db.url);
    snprintf(n->cfg.public_url, sizeof n->cfg.public_url, "http://127.0.0.1:1");
    n->cfg.workers = workers;
    n->cfg.lease_seconds = 6;
    n->cfg.role = role;
    rb_config_finish(&n->cfg);
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_store_open(n->cfg.database, 4, &n->st, &err), RB_OK);
    assert_int_equal(rb_library_init(&n->lib, n->st, &n->cfg, &err), RB_OK);
    assert_int_equal(rb_engine_create(n->st, &n->lib, &n->cfg, &n->eng, &err), RB_OK);
}

static void node_close(node *n)
{
    rb_engine_stop(n->eng);
    n->eng = NULL;
    if (n->st)
        rb_store_close(n->st);
    n->st = NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    if (testdb_create(&f->db, "robots.db") != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    node_close(&f->a);
    node_close(&f->b);
    testdb_destroy(&f->db);
    free(f);
    unsetenv("ROBOTS_ROLE");
    unsetenv("ROBOTS_LISTEN");
    return 0;
}

/* ---- parsing ------------------------------------------------------------- */

static int parse(rb_config *cfg, int argc, char **argv)
{
    rb_config_defaults(cfg);
    for (int i = 0; i < argc; i++) {
        int c = rb_config_parse_arg(cfg, argc, argv, &i);
        if (c <= 0)
            return c;
    }
    rb_config_finish(cfg);
    return 1;
}

static void test_role_parsing(void **state)
{
    (void)state;
    unsetenv("ROBOTS_ROLE");
    unsetenv("ROBOTS_LISTEN");
    rb_config cfg;
    char *none[] = {NULL};
    assert_int_equal(parse(&cfg, 0, none), 1);
    assert_int_equal(cfg.role, RB_ROLE_ALL);
    assert_int_equal(cfg.listen_explicit, 0);

    char *api[] = {"--role", "api"};
    assert_int_equal(parse(&cfg, 2, api), 1);
    assert_int_equal(cfg.role, RB_ROLE_API);
    char *worker[] = {"--role", "worker", "--listen", "127.0.0.1:0"};
    assert_int_equal(parse(&cfg, 4, worker), 1);
    assert_int_equal(cfg.role, RB_ROLE_WORKER);
    assert_int_equal(cfg.listen_explicit, 1);
    assert_string_equal(cfg.listen, "127.0.0.1:0");
    char *all[] = {"--role", "all"};
    assert_int_equal(parse(&cfg, 2, all), 1);
    assert_int_equal(cfg.role, RB_ROLE_ALL);
    char *bad[] = {"--role", "leader"};
    assert_int_equal(parse(&cfg, 2, bad), -1);
    char *missing[] = {"--role"};
    assert_int_equal(parse(&cfg, 1, missing), -1);

    /* The environment, and the flag winning over it. */
    setenv("ROBOTS_ROLE", "worker", 1);
    assert_int_equal(parse(&cfg, 0, none), 1);
    assert_int_equal(cfg.role, RB_ROLE_WORKER);
    assert_int_equal(parse(&cfg, 2, api), 1);
    assert_int_equal(cfg.role, RB_ROLE_API);
    setenv("ROBOTS_ROLE", "bogus", 1);
    assert_int_equal(parse(&cfg, 0, none), 1);
    assert_int_equal(cfg.role, RB_ROLE_INVALID);
    unsetenv("ROBOTS_ROLE");
    setenv("ROBOTS_LISTEN", "127.0.0.1:9999", 1);
    assert_int_equal(parse(&cfg, 0, none), 1);
    assert_int_equal(cfg.listen_explicit, 1);
    unsetenv("ROBOTS_LISTEN");

    assert_int_equal(rb_config_role_parse("api"), RB_ROLE_API);
    assert_int_equal(rb_config_role_parse("API"), RB_ROLE_INVALID);
    assert_int_equal(rb_config_role_parse(NULL), RB_ROLE_INVALID);
    assert_string_equal(rb_config_role_name(RB_ROLE_WORKER), "worker");
    assert_string_equal(rb_config_role_name(RB_ROLE_INVALID), "invalid");
}

/* serve refuses a bad role with the usage exit code before it opens a
 * database (the data dir given here is never created). */
static void test_serve_refuses_bad_role(void **state)
{
    fixture *f = *state;
    char dd[400];
    snprintf(dd, sizeof dd, "%s/never", f->db.dir);
    char *argv1[] = {"serve", "--role", "boss", "--data-dir", dd, NULL};
    assert_int_equal(rb_cli_serve(5, argv1), RB_EXIT_USAGE);
    setenv("ROBOTS_ROLE", "boss", 1);
    char *argv2[] = {"serve", "--data-dir", dd, NULL};
    assert_int_equal(rb_cli_serve(3, argv2), RB_EXIT_USAGE);
    unsetenv("ROBOTS_ROLE");
    assert_int_not_equal(access(dd, F_OK), 0);
}

/* ---- roles in the engine --------------------------------------------------- */

static int quick_run(rb_wf_ctx *ctx, rb_wf_result *res, rb_err *err)
{
    (void)ctx;
    (void)err;
    res->outputs = json_pack("{s:b}", "ok", 1);
    res->units = 1;
    return RB_OK;
}

static const rb_workflow quick = {.name = "edit-captions", .run = quick_run};

static const rb_workflow *find_quick(const char *name)
{
    (void)name;
    return &quick;
}

static void create_job(node *n, const rb_env *env, char id[RB_ID_MAX])
{
    rb_job j;
    rb_job_init(&j);
    assert_int_equal(rb_random_id(j.id, sizeof j.id, "rjob_", 24), RB_OK);
    snprintf(j.env_id, sizeof j.env_id, "%s", env->id);
    snprintf(j.workflow, sizeof j.workflow, "edit-captions");
    snprintf(j.asset_id, sizeof j.asset_id, "asset1");
    j.parameters = json_pack("{s:s}", "asset_id", "asset1");
    j.max_attempts = 3;
    j.created_at = rb_now();
    rb_job_create c = {&j, NULL, NULL, NULL};
    char cid[RB_ID_MAX];
    int rep;
    rb_err err;
    assert_int_equal(rb_store_job_create(n->st, &c, cid, &rep, &err), RB_OK);
    snprintf(id, RB_ID_MAX, "%s", j.id);
    rb_job_clear(&j);
}

static enum rb_job_status status_of(node *n, const char *id)
{
    enum rb_job_status s;
    rb_err err;
    assert_int_equal(rb_store_job_status(n->st, id, &s, &err), RB_OK);
    return s;
}

/* An api node runs no worker and no background loop: its job stays pending
 * and it never takes the leader lease; a worker node on the same database
 * then runs the job and leads. */
static void test_api_runs_nothing_worker_runs_jobs(void **state)
{
    fixture *f = *state;
    rb_err err;
    node_open(f, &f->a, RB_ROLE_API, 2);
    rb_engine_set_finder(f->a.eng, find_quick);
    assert_int_equal(rb_engine_run(f->a.eng, &err), RB_OK);
    assert_int_equal(rb_store_env_ensure(f->a.st, "test", &f->env, &err), RB_OK);
    char id[RB_ID_MAX];
    create_job(&f->a, &f->env, id);
    rb_engine_wake(f->a.eng);
    sleep_ms(700);
    assert_int_equal(status_of(&f->a, id), RB_JOB_PENDING);
    assert_int_equal(rb_engine_is_leader(f->a.eng), 0);
    assert_int_equal(rb_engine_sweeps(f->a.eng), 0);
    int ok;
    assert_int_equal(testdb_int(&f->db, "SELECT count(*) FROM leader_leases", &ok), 0);
    assert_true(ok);

    node_open(f, &f->b, RB_ROLE_WORKER, 1);
    rb_engine_set_finder(f->b.eng, find_quick);
    assert_int_equal(rb_engine_run(f->b.eng, &err), RB_OK);
    int64_t t0 = rb_mono_ns();
    while (status_of(&f->a, id) != RB_JOB_COMPLETED && rb_mono_ns() - t0 < 5000000000LL)
        sleep_ms(20);
    assert_int_equal(status_of(&f->a, id), RB_JOB_COMPLETED);
    t0 = rb_mono_ns();
    while (!rb_engine_is_leader(f->b.eng) && rb_mono_ns() - t0 < 5000000000LL)
        sleep_ms(20);
    assert_int_equal(rb_engine_is_leader(f->b.eng), 1);
    t0 = rb_mono_ns();
    while (rb_engine_sweeps(f->b.eng) < 1 && rb_mono_ns() - t0 < 2000000000LL)
        sleep_ms(10);
    assert_true(rb_engine_sweeps(f->b.eng) >= 1);
}

/* Two worker nodes: exactly one leads and sweeps; when it stops (a clean
 * stop releases the lease) the other takes over within a renewal period. */
static void test_one_leader_and_handover(void **state)
{
    fixture *f = *state;
    rb_err err;
    node_open(f, &f->a, RB_ROLE_WORKER, 0);
    node_open(f, &f->b, RB_ROLE_WORKER, 0);
    rb_engine_set_leader_ttl(f->a.eng, 1);
    rb_engine_set_leader_ttl(f->b.eng, 1);
    assert_int_equal(rb_engine_run(f->a.eng, &err), RB_OK);
    assert_int_equal(rb_engine_run(f->b.eng, &err), RB_OK);
    /* Several renewals (every 333 ms) on both. */
    sleep_ms(1500);
    int la = rb_engine_is_leader(f->a.eng), lb = rb_engine_is_leader(f->b.eng);
    assert_int_equal(la + lb, 1);
    node *leader = la ? &f->a : &f->b, *other = la ? &f->b : &f->a;
    assert_true(rb_engine_sweeps(leader->eng) >= 1);
    assert_int_equal(rb_engine_sweeps(other->eng), 0);

    int64_t t0 = rb_mono_ns();
    node_close(leader);
    while (!rb_engine_is_leader(other->eng) && rb_mono_ns() - t0 < 3000000000LL)
        sleep_ms(10);
    int64_t took = (rb_mono_ns() - t0) / 1000000;
    assert_int_equal(rb_engine_is_leader(other->eng), 1);
    t0 = rb_mono_ns();
    while (rb_engine_sweeps(other->eng) < 1 && rb_mono_ns() - t0 < 2000000000LL)
        sleep_ms(10);
    assert_true(rb_engine_sweeps(other->eng) >= 1);
    printf("leader hand-over after a clean stop: %lld ms\n", (long long)took);
    assert_true(took < 1500);
}

/* The leader dies without releasing (simulated: its lease row stays, owned
 * by an owner that never renews): the other node leads once it expires. */
static void test_takeover_after_leader_dies(void **state)
{
    fixture *f = *state;
    rb_err err;
    node_open(f, &f->a, RB_ROLE_ALL, 0);
    rb_engine_set_leader_ttl(f->a.eng, 1);
    /* A dead node's lease, valid for another second. */
    int lead = 0;
    assert_int_equal(rb_store_leader_acquire(f->a.st, "maintenance", "dead-node:1:0", 1, &lead,
                                             &err),
                     RB_OK);
    assert_int_equal(lead, 1);
    int64_t t0 = rb_mono_ns();
    assert_int_equal(rb_engine_run(f->a.eng, &err), RB_OK);
    sleep_ms(300);
    assert_int_equal(rb_engine_is_leader(f->a.eng), 0);
    assert_int_equal(rb_engine_sweeps(f->a.eng), 0);
    while (!rb_engine_is_leader(f->a.eng) && rb_mono_ns() - t0 < 4000000000LL)
        sleep_ms(10);
    int64_t took = (rb_mono_ns() - t0) / 1000000;
    assert_int_equal(rb_engine_is_leader(f->a.eng), 1);
    printf("takeover from a dead leader with ttl 1 s: %lld ms\n", (long long)took);
    assert_true(took >= 900 && took < 2500);
    /* The lead flag is set before the sweep it triggers runs. */
    t0 = rb_mono_ns();
    while (rb_engine_sweeps(f->a.eng) < 1 && rb_mono_ns() - t0 < 2000000000LL)
        sleep_ms(10);
    assert_int_equal(rb_engine_sweeps(f->a.eng), 1);
}

int main(void)
{
    int skip_all = testdb_check("test_engine_roles");
    if (skip_all)
        return skip_all;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_parsing),
        cmocka_unit_test_setup_teardown(test_serve_refuses_bad_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_runs_nothing_worker_runs_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_leader_and_handover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_takeover_after_leader_dies, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
