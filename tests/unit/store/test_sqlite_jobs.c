/* test_sqlite_jobs.c — the rendered read (rb_store_job_get_json) and its memo,
 * and the group committer's split of work between caller and committer. One
 * fresh database per test (SQLite, or PostgreSQL when ROBOTS_TEST_DATABASE
 * names a server: testdb.h); changes "from another process" are made through
 * a second plain connection to the same database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "store/store.h"
#include "testdb.h"

typedef struct fx {
    testdb db;
    rb_store *st;
    rb_env env;
    rb_env other;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (testdb_create(&f->db, "robots.db") != 0)
        return -1;
    rb_err err;
    if (rb_store_open(f->db.url, 2, &f->st, &err) != RB_OK)
        return -1;
    if (rb_store_env_ensure(f->st, "dev", &f->env, &err) != RB_OK ||
        rb_store_env_ensure(f->st, "other", &f->other, &err) != RB_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    rb_store_close(f->st);
    testdb_destroy(&f->db);
    free(f);
    return 0;
}

static void create_job(fx *f, const char *workflow, const char *tone, char id[RB_ID_MAX])
{
    rb_job j;
    rb_job_init(&j);
    snprintf(j.env_id, sizeof j.env_id, "%s", f->env.id);
    snprintf(j.workflow, sizeof j.workflow, "%s", workflow);
    snprintf(j.asset_id, sizeof j.asset_id, "asset_1");
    j.parameters = json_pack("{s:s, s:s}", "asset_id", "asset_1", "tone", tone);
    j.passthrough = strdup("pt \"quoted\" \xc3\xa9");
    j.resources = json_pack("{s:[{s:s}]}", "assets", "id", "asset_1");
    j.created_at = rb_now();
    char dedupe[65];
    rb_sha256_hex(tone, strlen(tone), dedupe);
    rb_job_create c = {.job = &j, .dedupe_key = dedupe};
    char cid[RB_ID_MAX];
    int rep = 0;
    rb_err err;
    assert_int_equal(rb_store_job_create(f->st, &c, cid, &rep, &err), RB_OK);
    assert_int_equal(rep, 0);
    /* The job is what the row holds: pending, defaults filled. */
    assert_int_equal(j.status, RB_JOB_PENDING);
    assert_int_equal(j.max_attempts, 1);
    assert_int_equal(j.updated_at, j.created_at);
    snprintf(id, RB_ID_MAX, "%s", j.id);
    rb_job_clear(&j);
}

/* What rendering the current row from scratch gives. */
static char *render_fresh(fx *f, const char *id)
{
    rb_job j;
    rb_err err;
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, id, &j, &err), RB_OK);
    json_t *o = rb_job_to_json(&j);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    rb_job_clear(&j);
    return s;
}

static void expect_render(fx *f, const char *workflow, const char *id)
{
    char *want = render_fresh(f, id);
    char *got = NULL;
    size_t len = 0;
    rb_err err;
    assert_int_equal(rb_store_job_get_json(f->st, f->env.id, workflow, id, &got, &len, &err),
                     RB_OK);
    assert_int_equal(len, strlen(got));
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void exec_sql(fx *f, const char *sql)
{
    if (testdb_exec(&f->db, sql) != 0)
        fail_msg("%s failed", sql);
}

static void test_render_matches_and_follows_changes(void **state)
{
    fx *f = *state;
    char id[RB_ID_MAX];
    create_job(f, "summarize", "neutral", id);
    expect_render(f, "summarize", id);
    expect_render(f, NULL, id); /* memo hit: still the same text */

    /* A change through the store... */
    rb_job cancelled;
    rb_err err;
    assert_int_equal(rb_store_job_cancel(f->st, f->env.id, id, &cancelled, &err), RB_OK);
    rb_job_clear(&cancelled);
    char *got = NULL;
    size_t len;
    assert_int_equal(rb_store_job_get_json(f->st, f->env.id, NULL, id, &got, &len, &err), RB_OK);
    assert_non_null(strstr(got, "\"status\":\"cancelled\""));
    free(got);
    expect_render(f, NULL, id);

    /* ...and one behind the store's back (another process), even one that
     * leaves every rendered field's length the same. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE jobs SET passthrough = 'PT \"QUOTED\" \xc3\xa9' WHERE id = '%s'", id);
    exec_sql(f, sql);
    assert_int_equal(rb_store_job_get_json(f->st, f->env.id, NULL, id, &got, &len, &err), RB_OK);
    assert_non_null(strstr(got, "PT \\\"QUOTED\\\""));
    free(got);
    expect_render(f, NULL, id);
    snprintf(sql, sizeof sql, "UPDATE jobs SET updated_at = updated_at + 1 WHERE id = '%s'", id);
    exec_sql(f, sql);
    expect_render(f, NULL, id);
}

static void test_render_lookup_rules(void **state)
{
    fx *f = *state;
    char id[RB_ID_MAX];
    create_job(f, "summarize", "neutral", id);
    expect_render(f, "summarize", id);
    char *got = (char *)1;
    size_t len = 7;
    rb_err err;
    /* Another workflow, another environment, an unknown id: 404, and the
     * memo of the found job does not leak into those answers. */
    assert_int_equal(rb_store_job_get_json(f->st, f->env.id, "moderate", id, &got, &len, &err),
                     RB_NOTFOUND);
    assert_null(got);
    assert_int_equal(len, 0);
    assert_int_equal(err.status, 404);
    assert_int_equal(rb_store_job_get_json(f->st, f->other.id, NULL, id, &got, &len, &err),
                     RB_NOTFOUND);
    assert_int_equal(rb_store_job_get_json(f->st, f->env.id, NULL, "rjob_nope", &got, &len, &err),
                     RB_NOTFOUND);
}

/* More jobs than memo slots: every answer is still its own job's. */
static void test_render_many_jobs(void **state)
{
    fx *f = *state;
    enum { N = 300 };
    char (*ids)[RB_ID_MAX] = calloc(N, RB_ID_MAX);
    char tone[32];
    for (int i = 0; i < N; i++) {
        snprintf(tone, sizeof tone, "tone-%d", i);
        create_job(f, i % 2 ? "summarize" : "moderate", tone, ids[i]);
    }
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            char *got = NULL;
            size_t len;
            rb_err err;
            assert_int_equal(rb_store_job_get_json(f->st, f->env.id, NULL, ids[i], &got, &len,
                                                   &err),
                             RB_OK);
            json_t *o = json_loads(got, 0, NULL);
            assert_non_null(o);
            assert_string_equal(json_string_value(json_object_get(o, "id")), ids[i]);
            snprintf(tone, sizeof tone, "tone-%d", i);
            assert_string_equal(
                json_string_value(json_object_get(json_object_get(o, "parameters"), "tone")),
                tone);
            json_decref(o);
            free(got);
        }
    }
    free(ids);
}

/* The pending event written with the row is the job as rendered after the
 * create (the caller's thread renders it before queueing). */
static void test_create_event_matches_row(void **state)
{
    fx *f = *state;
    char id[RB_ID_MAX];
    create_job(f, "summarize", "neutral", id);
    rb_event *ev = NULL;
    size_t n = 0;
    rb_err err;
    assert_int_equal(rb_store_events_for_job(f->st, id, &ev, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ev[0].type, "robots.job.summarize.pending");
    assert_string_equal(ev[0].job_id, id);
    assert_int_equal(strlen(ev[0].id), 36);
    char *payload = json_dumps(ev[0].data, JSON_COMPACT);
    char *row = render_fresh(f, id);
    assert_string_equal(payload, row);
    free(payload);
    free(row);
    rb_event_clear(&ev[0]);
    free(ev);
}

int main(void)
{
    int skip_all = testdb_check("test_sqlite_jobs");
    if (skip_all)
        return skip_all;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_render_matches_and_follows_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_lookup_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_render_many_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_event_matches_row, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
