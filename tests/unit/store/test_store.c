/* test_store.c — behaviour of the store (store.h), one fresh database per
 * test, on SQLite by default and on PostgreSQL when ROBOTS_TEST_DATABASE
 * names a server (testdb.h). State is checked through the store's own calls
 * and, where the store offers no window (events, leases, raw constraints),
 * through a second plain connection to the same database.
 *
 * Tests of SQLite mechanics (write lock, its migration 2) skip on
 * PostgreSQL, saying so; the ones named test_pg_* only run there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "store/pg_internal.h"
#include "store/sqlite_internal.h"
#include "store/sqlite_schema.h"
#include "store/store.h"
#include "testdb.h"

typedef struct fx {
    testdb db;
    char dir[256];                 /* the test's temp dir (both backends) */
    char path[400];                /* the SQLite file ("" on PostgreSQL) */
    rb_store *st;
    rb_env env;
    rb_env other;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    /* A nested path proves open creates the parent directory. */
    if (testdb_create(&f->db, "sub/dir/robots.db") != 0)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s", f->db.dir);
    snprintf(f->path, sizeof f->path, "%s", f->db.path);
    rb_err err;
    if (rb_store_open(f->db.url, 4, &f->st, &err) != RB_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return -1;
    }
    if (rb_store_env_ensure(f->st, "Development", &f->env, &err) != RB_OK)
        return -1;
    if (rb_store_env_ensure(f->st, "Other", &f->other, &err) != RB_OK)
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

static sqlite3 *raw_open(fx *f)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int64_t raw_int(fx *f, const char *sql)
{
    int ok;
    int64_t v = testdb_int(&f->db, sql, &ok);
    assert_true(ok);
    return v;
}

static void raw_exec(fx *f, const char *sql)
{
    assert_int_equal(testdb_exec(&f->db, sql), 0);
}

/* Fills a job the way the API layer would before rb_store_job_create. */
static void make_job(rb_job *j, const char *env_id, const char *workflow, const char *asset_id,
                     int64_t created_at)
{
    rb_job_init(j);
    rb_random_id(j->id, sizeof j->id, "rjob_", 24);
    snprintf(j->env_id, sizeof j->env_id, "%s", env_id);
    snprintf(j->workflow, sizeof j->workflow, "%s", workflow);
    snprintf(j->asset_id, sizeof j->asset_id, "%s", asset_id);
    j->parameters = json_pack("{s:s, s:s}", "asset_id", asset_id, "tone", "neutral");
    j->passthrough = strdup("pt");
    j->resources = json_pack("{s:[{s:s}]}", "assets", "id", asset_id);
    j->max_attempts = 3;
    j->created_at = created_at ? created_at : rb_now();
}

static int create(fx *f, rb_job *j, const char *dedupe, const char *idem, const char *hash,
                  char conflict[RB_ID_MAX], int *replayed)
{
    rb_job_create c = {j, dedupe, idem, hash};
    rb_err err;
    char cid[RB_ID_MAX];
    int rep;
    return rb_store_job_create(f->st, &c, conflict ? conflict : cid, replayed ? replayed : &rep,
                               &err);
}

static void expect_events(fx *f, const char *job_id, const char *const *statuses, size_t n)
{
    rb_event *ev;
    size_t ne;
    rb_err err;
    assert_int_equal(rb_store_events_for_job(f->st, job_id, &ev, &ne, &err), RB_OK);
    assert_int_equal(ne, n);
    for (size_t i = 0; i < ne; i++) {
        const char *st = json_string_value(json_object_get(ev[i].data, "status"));
        assert_non_null(st);
        assert_string_equal(st, statuses[i]);
        assert_string_equal(json_string_value(json_object_get(ev[i].data, "id")), job_id);
        assert_string_equal(ev[i].job_id, job_id);
        assert_int_equal(strlen(ev[i].id), 36);
        const char *dot = strrchr(ev[i].type, '.');
        assert_non_null(dot);
        assert_string_equal(dot + 1, statuses[i]);
        assert_true(ev[i].created_at_us > 0);
        rb_event_clear(&ev[i]);
    }
    free(ev);
}

/* ---- environments, tokens, settings ---------------------------------------- */

static void test_env_ensure_idempotent(void **state)
{
    fx *f = *state;
    rb_env a, b, c;
    rb_err err;
    assert_int_equal(rb_store_env_ensure(f->st, "Development", &a, &err), RB_OK);
    assert_string_equal(a.id, f->env.id);
    assert_string_equal(a.name, "Development");
    assert_int_equal(rb_store_env_get(f->st, a.id, &b, &err), RB_OK);
    assert_string_equal(b.name, "Development");
    assert_int_equal(rb_store_env_by_name(f->st, "Other", &c, &err), RB_OK);
    assert_string_equal(c.id, f->other.id);
    assert_string_not_equal(f->env.id, f->other.id);
    assert_int_equal(rb_store_env_get(f->st, "nope", &c, &err), RB_NOTFOUND);
    assert_int_equal(err.status, 404);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM environments"), 2);
}

static void test_tokens(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_token t = {0};
    snprintf(t.id, sizeof t.id, "tok_a");
    snprintf(t.env_id, sizeof t.env_id, "%s", f->env.id);
    rb_sha256_hex("secret", 6, t.secret_sha256);
    t.scopes = json_pack("[s,s]", "robots:read", "robots:write");
    t.created_at = 100;
    assert_int_equal(rb_store_token_insert(f->st, &t, &err), RB_OK);
    json_decref(t.scopes);
    rb_token u = {0};
    snprintf(u.id, sizeof u.id, "tok_b");
    snprintf(u.env_id, sizeof u.env_id, "%s", f->other.id);
    snprintf(u.secret_sha256, sizeof u.secret_sha256, "%064d", 0);
    u.created_at = 200;
    assert_int_equal(rb_store_token_insert(f->st, &u, &err), RB_OK);

    rb_token g;
    assert_int_equal(rb_store_token_get(f->st, "tok_a", &g, &err), RB_OK);
    assert_string_equal(g.env_id, f->env.id);
    assert_string_equal(g.env_name, "Development");
    assert_string_equal(g.secret_sha256,
                        "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b");
    assert_int_equal(json_array_size(g.scopes), 2);
    assert_string_equal(json_string_value(json_array_get(g.scopes, 1)), "robots:write");
    assert_int_equal(g.revoked_at, 0);
    rb_token_clear(&g);

    rb_token *list;
    size_t n;
    assert_int_equal(rb_store_token_list(f->st, NULL, &list, &n, &err), RB_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].id, "tok_a");
    assert_string_equal(list[1].id, "tok_b");
    for (size_t i = 0; i < n; i++)
        rb_token_clear(&list[i]);
    free(list);
    assert_int_equal(rb_store_token_list(f->st, f->other.id, &list, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].env_name, "Other");
    rb_token_clear(&list[0]);
    free(list);

    assert_int_equal(rb_store_token_revoke(f->st, "tok_a", &err), RB_OK);
    assert_int_equal(rb_store_token_get(f->st, "tok_a", &g, &err), RB_OK);
    assert_true(g.revoked_at > 0);
    int64_t first = g.revoked_at;
    rb_token_clear(&g);
    assert_int_equal(rb_store_token_revoke(f->st, "tok_a", &err), RB_OK);
    assert_int_equal(rb_store_token_get(f->st, "tok_a", &g, &err), RB_OK);
    assert_int_equal(g.revoked_at, first);
    rb_token_clear(&g);
    assert_int_equal(rb_store_token_revoke(f->st, "tok_zzz", &err), RB_NOTFOUND);
    assert_int_equal(rb_store_token_get(f->st, "tok_zzz", &g, &err), RB_NOTFOUND);
}

static void test_settings(void **state)
{
    fx *f = *state;
    rb_err err;
    char v[65];
    assert_int_equal(rb_store_setting_get_or_init(f->st, "url_secret", "aaa", v, sizeof v, &err),
                     RB_OK);
    assert_string_equal(v, "aaa");
    assert_int_equal(rb_store_setting_get_or_init(f->st, "url_secret", "bbb", v, sizeof v, &err),
                     RB_OK);
    assert_string_equal(v, "aaa");
    char tiny[2];
    assert_int_equal(
        rb_store_setting_get_or_init(f->st, "url_secret", "x", tiny, sizeof tiny, &err),
        RB_TOOBIG);
}

/* ---- jobs: create, get, list ------------------------------------------------- */

static void test_job_create_get_list(void **state)
{
    fx *f = *state;
    rb_err err;
    char ids[6][RB_ID_MAX];
    const char *wfs[6] = {"summarize", "summarize", "moderate", "summarize", "moderate",
                          "summarize"};
    const char *assets[6] = {"a1", "a2", "a1", "a1", "a2", "a1"};
    for (int i = 0; i < 6; i++) {
        rb_job j;
        make_job(&j, f->env.id, wfs[i], assets[i], 1000 + i);
        if (i == 5)
            j.created_at = 1004; /* tie with #4: id breaks it */
        assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
        assert_int_equal(j.status, RB_JOB_PENDING);
        assert_int_equal(j.updated_at, j.created_at);
        memcpy(ids[i], j.id, RB_ID_MAX);
        rb_job_clear(&j);
    }
    /* A job in the other environment never shows up. */
    rb_job o;
    make_job(&o, f->other.id, "summarize", "a1", 2000);
    assert_int_equal(create(f, &o, NULL, NULL, NULL, NULL, NULL), RB_OK);
    char other_id[RB_ID_MAX];
    memcpy(other_id, o.id, RB_ID_MAX);
    rb_job_clear(&o);

    rb_job g;
    assert_int_equal(rb_store_job_get(f->st, f->env.id, "summarize", ids[0], &g, &err), RB_OK);
    assert_string_equal(g.id, ids[0]);
    assert_int_equal(g.status, RB_JOB_PENDING);
    assert_string_equal(json_string_value(json_object_get(g.parameters, "tone")), "neutral");
    assert_string_equal(g.passthrough, "pt");
    assert_string_equal(g.asset_id, "a1");
    assert_non_null(g.resources);
    assert_int_equal(g.max_attempts, 3);
    assert_int_equal(g.created_at, 1000);
    assert_int_equal(g.started_at, 0);
    assert_int_equal(g.completed_at, 0);
    assert_null(g.outputs);
    rb_job_clear(&g);
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, ids[0], &g, &err), RB_OK);
    rb_job_clear(&g);
    assert_int_equal(rb_store_job_get(f->st, f->env.id, "moderate", ids[0], &g, &err),
                     RB_NOTFOUND);
    assert_int_equal(rb_store_job_get(f->st, f->other.id, NULL, ids[0], &g, &err), RB_NOTFOUND);
    assert_int_equal(err.status, 404);

    rb_job *jobs;
    size_t n;
    int64_t total;
    rb_job_filter flt = {.limit = 100, .page = 1};
    assert_int_equal(rb_store_job_list(f->st, f->env.id, &flt, &jobs, &n, &total, &err), RB_OK);
    assert_int_equal(n, 6);
    assert_int_equal(total, 6);
    /* Newest first; #4 and #5 share created_at, the larger id first. */
    const char *hi = strcmp(ids[4], ids[5]) > 0 ? ids[4] : ids[5];
    assert_string_equal(jobs[0].id, hi);
    assert_string_equal(jobs[5].id, ids[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(jobs[i].id, other_id);
        rb_job_clear(&jobs[i]);
    }
    free(jobs);

    flt.workflow = "summarize";
    assert_int_equal(rb_store_job_list(f->st, f->env.id, &flt, &jobs, &n, &total, &err), RB_OK);
    assert_int_equal(total, 4);
    for (size_t i = 0; i < n; i++)
        rb_job_clear(&jobs[i]);
    free(jobs);
    flt.asset_id = "a1";
    assert_int_equal(rb_store_job_list(f->st, f->env.id, &flt, &jobs, &n, &total, &err), RB_OK);
    assert_int_equal(total, 3);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(jobs[i].workflow, "summarize");
        assert_string_equal(jobs[i].asset_id, "a1");
        rb_job_clear(&jobs[i]);
    }
    free(jobs);
    flt.workflow = NULL;
    flt.asset_id = NULL;
    flt.has_status = 1;
    flt.status = RB_JOB_CANCELLED;
    assert_int_equal(rb_store_job_list(f->st, f->env.id, &flt, &jobs, &n, &total, &err), RB_OK);
    assert_int_equal(total, 0);
    assert_int_equal(n, 0);
    rb_job cj;
    rb_job_init(&cj);
    assert_int_equal(rb_store_job_cancel(f->st, f->env.id, ids[2], &cj, &err), RB_OK);
    rb_job_clear(&cj);
    assert_int_equal(rb_store_job_list(f->st, f->env.id, &flt, &jobs, &n, &total, &err), RB_OK);
    assert_int_equal(total, 1);
    assert_int_equal(n, 1);
    assert_string_equal(jobs[0].id, ids[2]);
    rb_job_clear(&jobs[0]);
    free(jobs);

    /* Paging: limit 4 → pages of 4 and 2, then an empty page with the total. */
    rb_job_filter pg = {.limit = 4, .page = 2};
    assert_int_equal(rb_store_job_list(f->st, f->env.id, &pg, &jobs, &n, &total, &err), RB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 6);
    assert_string_equal(jobs[0].id, ids[1]);
    assert_string_equal(jobs[1].id, ids[0]);
    for (size_t i = 0; i < n; i++)
        rb_job_clear(&jobs[i]);
    free(jobs);
    pg.page = 3;
    assert_int_equal(rb_store_job_list(f->st, f->env.id, &pg, &jobs, &n, &total, &err), RB_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 6);
    free(jobs);
}

static void test_events_each_transition(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_job j;
    make_job(&j, f->env.id, "generate-chapters", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    char id[RB_ID_MAX];
    memcpy(id, j.id, RB_ID_MAX);
    rb_job_clear(&j);

    rb_job claimed[4];
    size_t n;
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 4, claimed, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(claimed[0].id, id);
    assert_int_equal(claimed[0].status, RB_JOB_PROCESSING);
    assert_int_equal(claimed[0].attempts, 1);
    assert_true(claimed[0].started_at > 0);
    rb_job_clear(&claimed[0]);

    json_t *out = json_pack("{s:[{s:f, s:s}]}", "chapters", "start_time", 0.0, "title", "Intro");
    assert_int_equal(rb_store_job_complete(f->st, id, "w1", out, 2, &err), RB_OK);
    json_decref(out);

    const char *want[] = {"pending", "processing", "completed"};
    expect_events(f, id, want, 3);

    rb_event *ev;
    size_t ne;
    assert_int_equal(rb_store_events_for_job(f->st, id, &ev, &ne, &err), RB_OK);
    assert_string_equal(ev[0].type, "robots.job.generate_chapters.pending");
    assert_string_equal(ev[2].type, "robots.job.generate_chapters.completed");
    assert_string_equal(ev[2].env_id, f->env.id);
    /* The completed snapshot is the finished job, outputs included. */
    json_t *ch = json_object_get(json_object_get(ev[2].data, "outputs"), "chapters");
    assert_int_equal(json_array_size(ch), 1);
    assert_int_equal(json_integer_value(json_object_get(ev[2].data, "units_consumed")), 2);
    assert_null(json_object_get(ev[1].data, "outputs"));
    /* The GET response and the last snapshot agree exactly. */
    rb_job g;
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, id, &g, &err), RB_OK);
    json_t *gj = rb_job_to_json(&g);
    assert_true(json_equal(gj, ev[2].data));
    assert_true(g.completed_at > 0);
    assert_int_equal(g.updated_at, g.completed_at);
    json_decref(gj);
    rb_job_clear(&g);
    for (size_t i = 0; i < ne; i++)
        rb_event_clear(&ev[i]);
    free(ev);

    /* Errored path carries errors in the snapshot. */
    make_job(&j, f->env.id, "summarize", "a2", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    memcpy(id, j.id, RB_ID_MAX);
    rb_job_clear(&j);
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 4, claimed, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    rb_job_clear(&claimed[0]);
    json_t *errs = json_pack("[{s:s, s:s, s:b}]", "type", "processing_error", "message", "boom",
                             "retryable", 0);
    assert_int_equal(rb_store_job_fail(f->st, id, "w1", errs, 1, 0, &err), RB_OK);
    json_decref(errs);
    const char *want2[] = {"pending", "processing", "errored"};
    expect_events(f, id, want2, 3);
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, id, &g, &err), RB_OK);
    assert_int_equal(g.status, RB_JOB_ERRORED);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(g.errors, 0), "message")), "boom");
    assert_int_equal(g.units_consumed, 1);
    rb_job_clear(&g);
}

static void test_dedupe(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_job a, b;
    char conflict[RB_ID_MAX];
    make_job(&a, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &a, "hash1", NULL, NULL, conflict, NULL), RB_OK);
    make_job(&b, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &b, "hash1", NULL, NULL, conflict, NULL), RB_CONFLICT);
    assert_string_equal(conflict, a.id);
    /* Same key in another environment is not a duplicate. */
    rb_job o;
    make_job(&o, f->other.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &o, "hash1", NULL, NULL, conflict, NULL), RB_OK);
    rb_job_clear(&o);
    /* Still a duplicate while processing. */
    rb_job cl[2];
    size_t n;
    assert_int_equal(rb_store_job_claim(f->st, "w", 60, 2, cl, &n, &err), RB_OK);
    for (size_t i = 0; i < n; i++)
        rb_job_clear(&cl[i]);
    assert_int_equal(create(f, &b, "hash1", NULL, NULL, conflict, NULL), RB_CONFLICT);
    assert_string_equal(conflict, a.id);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs"), 2);
    /* Once terminal, the key is free again. */
    rb_job c;
    rb_job_init(&c);
    assert_int_equal(rb_store_job_cancel(f->st, f->env.id, a.id, &c, &err), RB_OK);
    rb_job_clear(&c);
    assert_int_equal(create(f, &b, "hash1", NULL, NULL, conflict, NULL), RB_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs WHERE dedupe_key='hash1'"), 3);
    rb_job_clear(&a);
    rb_job_clear(&b);
}

static void test_idempotency(void **state)
{
    fx *f = *state;
    rb_job a, b;
    char conflict[RB_ID_MAX];
    int replayed = -1;
    make_job(&a, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &a, "d1", "key-1", "h1", conflict, &replayed), RB_OK);
    assert_int_equal(replayed, 0);

    /* Same key and body: the original comes back, nothing new is written
     * (even though a dedupe match is live). */
    make_job(&b, f->env.id, "summarize", "a1", 0);
    json_decref(b.parameters);
    b.parameters = json_pack("{s:s}", "asset_id", "different");
    assert_int_equal(create(f, &b, "d1", "key-1", "h1", conflict, &replayed), RB_OK);
    assert_int_equal(replayed, 1);
    assert_string_equal(b.id, a.id);
    assert_string_equal(json_string_value(json_object_get(b.parameters, "tone")), "neutral");
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs"), 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM events"), 1);
    rb_job_clear(&b);

    /* Same key, other body: conflict with an empty conflict id. */
    make_job(&b, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &b, NULL, "key-1", "h2", conflict, &replayed), RB_CONFLICT);
    assert_string_equal(conflict, "");
    rb_job_clear(&b);

    /* After 24 h the key is free: a new job takes it over. */
    raw_exec(f, "UPDATE jobs SET created_at = created_at - 90000");
    make_job(&b, f->env.id, "summarize", "a9", 0);
    assert_int_equal(create(f, &b, NULL, "key-1", "h2", conflict, &replayed), RB_OK);
    assert_int_equal(replayed, 0);
    assert_string_not_equal(b.id, a.id);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs WHERE idempotency_key='key-1'"), 1);
    rb_job_clear(&b);
    rb_job_clear(&a);
}

/* ---- claims and leases ------------------------------------------------------ */

static void test_claim_order_and_lease(void **state)
{
    fx *f = *state;
    rb_err err;
    char ids[3][RB_ID_MAX];
    for (int i = 0; i < 3; i++) {
        rb_job j;
        make_job(&j, f->env.id, "summarize", "a1", 1000 + (2 - i)); /* #2 oldest */
        assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
        memcpy(ids[i], j.id, RB_ID_MAX);
        rb_job_clear(&j);
    }
    /* A job not due yet is not claimed. */
    rb_job later;
    make_job(&later, f->env.id, "summarize", "a1", 1);
    later.run_at_ms = rb_now_ms() + 3600 * 1000;
    assert_int_equal(create(f, &later, NULL, NULL, NULL, NULL, NULL), RB_OK);

    rb_job cl[4];
    size_t n;
    int64_t before = rb_now_ms();
    assert_int_equal(rb_store_job_claim(f->st, "w1", 30, 2, cl, &n, &err), RB_OK);
    assert_int_equal(n, 2);
    assert_string_equal(cl[0].id, ids[2]);
    assert_string_equal(cl[1].id, ids[1]);
    for (size_t i = 0; i < n; i++)
        rb_job_clear(&cl[i]);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT lease_expires_ms FROM jobs WHERE id='%s' AND lease_owner='w1'", ids[2]);
    int64_t exp = raw_int(f, sql);
    assert_true(exp >= before + 30000 && exp <= rb_now_ms() + 30000);

    assert_int_equal(rb_store_job_claim(f->st, "w2", 30, 4, cl, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(cl[0].id, ids[0]);
    rb_job_clear(&cl[0]);
    assert_int_equal(rb_store_job_claim(f->st, "w2", 30, 4, cl, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    enum rb_job_status s;
    assert_int_equal(rb_store_job_status(f->st, later.id, &s, &err), RB_OK);
    assert_int_equal(s, RB_JOB_PENDING);
    assert_int_equal(rb_store_job_status(f->st, ids[0], &s, &err), RB_OK);
    assert_int_equal(s, RB_JOB_PROCESSING);
    assert_int_equal(rb_store_job_status(f->st, "rjob_nope", &s, &err), RB_NOTFOUND);
    rb_job_clear(&later);
}

static void test_heartbeat(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_job j;
    make_job(&j, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    rb_job cl[1];
    size_t n;
    assert_int_equal(rb_store_job_claim(f->st, "w1", 1, 1, cl, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    rb_job_clear(&cl[0]);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT lease_expires_ms FROM jobs WHERE id='%s'", j.id);
    int64_t e1 = raw_int(f, sql);
    assert_int_equal(rb_store_job_heartbeat(f->st, j.id, "w1", 120, &err), RB_OK);
    int64_t e2 = raw_int(f, sql);
    assert_true(e2 >= e1 + 118000);
    assert_int_equal(rb_store_job_heartbeat(f->st, j.id, "w2", 120, &err), RB_NOTFOUND);
    /* updated_at is not a heartbeat clock. */
    snprintf(sql, sizeof sql, "SELECT updated_at FROM jobs WHERE id='%s'", j.id);
    int64_t up = raw_int(f, sql);
    assert_int_equal(rb_store_job_complete(f->st, j.id, "w1", NULL, 0, &err), RB_OK);
    assert_int_equal(rb_store_job_heartbeat(f->st, j.id, "w1", 120, &err), RB_NOTFOUND);
    assert_true(raw_int(f, sql) >= up);
    rb_job_clear(&j);
}

static void test_cancel_races(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_job j, out;
    make_job(&j, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    rb_job cl[1];
    size_t n;
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 1, cl, &n, &err), RB_OK);
    rb_job_clear(&cl[0]);
    assert_int_equal(rb_store_job_heartbeat(f->st, j.id, "w1", 60, &err), RB_OK);

    /* Cancel first: the worker's completion is refused and writes nothing. */
    rb_job_init(&out);
    assert_int_equal(rb_store_job_cancel(f->st, f->env.id, j.id, &out, &err), RB_OK);
    assert_int_equal(out.status, RB_JOB_CANCELLED);
    assert_true(out.completed_at > 0);
    assert_int_equal(out.cancel_requested, 1);
    rb_job_clear(&out);
    enum rb_job_status s;
    assert_int_equal(rb_store_job_status(f->st, j.id, &s, &err), RB_OK);
    assert_int_equal(s, RB_JOB_CANCELLED);
    json_t *o = json_pack("{s:s}", "title", "t");
    assert_int_equal(rb_store_job_complete(f->st, j.id, "w1", o, 1, &err), RB_CONFLICT);
    assert_int_equal(err.status, 409);
    json_t *e = json_pack("[{s:s,s:s}]", "type", "processing_error", "message", "x");
    assert_int_equal(rb_store_job_fail(f->st, j.id, "w1", e, 1, 0, &err), RB_CONFLICT);
    assert_int_equal(rb_store_job_fail(f->st, j.id, "w1", e, 1, rb_now_ms(), &err), RB_CONFLICT);
    assert_int_equal(rb_store_job_heartbeat(f->st, j.id, "w1", 60, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, j.id, &out, &err), RB_OK);
    assert_int_equal(out.status, RB_JOB_CANCELLED);
    assert_null(out.outputs);
    rb_job_clear(&out);
    const char *want[] = {"pending", "processing", "cancelled"};
    expect_events(f, j.id, want, 3);
    /* A second cancel is a conflict and shows the job. */
    rb_job_init(&out);
    assert_int_equal(rb_store_job_cancel(f->st, f->env.id, j.id, &out, &err), RB_CONFLICT);
    assert_int_equal(out.status, RB_JOB_CANCELLED);
    assert_string_equal(out.id, j.id);
    rb_job_clear(&out);
    assert_int_equal(rb_store_job_cancel(f->st, f->other.id, j.id, &out, &err), RB_NOTFOUND);
    rb_job_clear(&j);

    /* Complete first: the late cancel is the one refused ("completed wins"). */
    make_job(&j, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 1, cl, &n, &err), RB_OK);
    rb_job_clear(&cl[0]);
    assert_int_equal(rb_store_job_complete(f->st, j.id, "w2", o, 1, &err), RB_CONFLICT);
    assert_int_equal(rb_store_job_complete(f->st, j.id, "w1", o, 1, &err), RB_OK);
    assert_int_equal(rb_store_job_complete(f->st, j.id, "w1", o, 1, &err), RB_CONFLICT);
    rb_job_init(&out);
    assert_int_equal(rb_store_job_cancel(f->st, f->env.id, j.id, &out, &err), RB_CONFLICT);
    assert_int_equal(out.status, RB_JOB_COMPLETED);
    rb_job_clear(&out);
    const char *want2[] = {"pending", "processing", "completed"};
    expect_events(f, j.id, want2, 3);
    rb_job_clear(&j);

    /* Cancel of a pending job: units 0, no start time. */
    make_job(&j, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    rb_job_init(&out);
    assert_int_equal(rb_store_job_cancel(f->st, f->env.id, j.id, &out, &err), RB_OK);
    assert_int_equal(out.units_consumed, 0);
    assert_int_equal(out.started_at, 0);
    assert_int_equal(out.cancel_requested, 0);
    assert_int_equal(out.status, RB_JOB_CANCELLED);
    rb_job_clear(&out);
    const char *want3[] = {"pending", "cancelled"};
    expect_events(f, j.id, want3, 2);
    /* Nothing claimable remains. */
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 1, cl, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    rb_job_clear(&j);
    json_decref(o);
    json_decref(e);
}

static void test_retry_then_reclaim(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_job j;
    make_job(&j, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    rb_job cl[1];
    size_t n;
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 1, cl, &n, &err), RB_OK);
    int64_t updated = cl[0].updated_at, started = cl[0].started_at;
    rb_job_clear(&cl[0]);
    json_t *e = json_pack("[{s:s,s:s}]", "type", "timeout_error", "message", "slow");
    assert_int_equal(rb_store_job_fail(f->st, j.id, "w1", e, 1, rb_now_ms() + 400, &err), RB_OK);
    json_decref(e);
    /* The client still sees processing; the old worker lost its lease. */
    enum rb_job_status s;
    assert_int_equal(rb_store_job_status(f->st, j.id, &s, &err), RB_OK);
    assert_int_equal(s, RB_JOB_PROCESSING);
    assert_int_equal(rb_store_job_heartbeat(f->st, j.id, "w1", 60, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_job_claim(f->st, "w2", 60, 1, cl, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    usleep(500 * 1000);
    assert_int_equal(rb_store_job_claim(f->st, "w2", 60, 1, cl, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(cl[0].id, j.id);
    assert_int_equal(cl[0].attempts, 2);
    assert_int_equal(cl[0].updated_at, updated);
    assert_int_equal(cl[0].started_at, started);
    assert_int_equal(cl[0].units_consumed, 1);
    rb_job_clear(&cl[0]);
    assert_int_equal(rb_store_job_complete(f->st, j.id, "w2", NULL, 3, &err), RB_OK);
    /* One processing event, despite two claims. */
    const char *want[] = {"pending", "processing", "completed"};
    expect_events(f, j.id, want, 3);
    rb_job_clear(&j);
}

static void test_expired_lease_and_give_up(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_job j;
    make_job(&j, f->env.id, "summarize", "a1", 0);
    j.max_attempts = 2;
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    rb_job cl[1];
    size_t n;
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 1, cl, &n, &err), RB_OK);
    rb_job_clear(&cl[0]);
    /* The worker dies: its lease runs out. */
    raw_exec(f, "UPDATE jobs SET lease_expires_ms = 0");
    assert_int_equal(rb_store_job_claim(f->st, "w2", 60, 1, cl, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cl[0].attempts, 2);
    rb_job_clear(&cl[0]);
    /* The dead worker comes back: its result is refused. */
    assert_int_equal(rb_store_job_complete(f->st, j.id, "w1", NULL, 1, &err), RB_CONFLICT);
    /* The second worker dies too: attempts are used up, so the job errors. */
    raw_exec(f, "UPDATE jobs SET lease_expires_ms = 0");
    assert_int_equal(rb_store_job_claim(f->st, "w3", 60, 1, cl, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    rb_job g;
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, j.id, &g, &err), RB_OK);
    assert_int_equal(g.status, RB_JOB_ERRORED);
    assert_true(g.completed_at > 0);
    json_t *e0 = json_array_get(g.errors, 0);
    assert_string_equal(json_string_value(json_object_get(e0, "type")), "processing_error");
    assert_string_equal(json_string_value(json_object_get(e0, "message")),
                        "the job's worker stopped responding 2 times; giving up");
    assert_true(json_is_true(json_object_get(e0, "retryable")));
    rb_job_clear(&g);
    const char *want[] = {"pending", "processing", "errored"};
    expect_events(f, j.id, want, 3);
    assert_int_equal(rb_store_job_complete(f->st, j.id, "w2", NULL, 1, &err), RB_CONFLICT);
    rb_job_clear(&j);
}

static void test_check_constraints(void **state)
{
    fx *f = *state;
    char sql[512];
    const char *bad[] = {
        "'completed', NULL, NULL, NULL",      /* terminal without completed_at */
        "'pending', 5, NULL, NULL",           /* live with completed_at */
        "'errored', 5, '{\"a\":1}', '[]'",    /* outputs on errored */
        "'completed', 5, '{}', '[]'",         /* errors on completed */
        "'finished', 5, NULL, NULL",          /* unknown status */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO jobs(id, env_id, workflow, status, completed_at, outputs, errors,"
                 " created_at, updated_at) VALUES ('rjob_bad%zu', '%s', 'summarize', %s, 1, 1)",
                 i, f->env.id, bad[i]);
        assert_int_not_equal(testdb_exec_q(&f->db, sql, 1), 0);
    }
    /* The same statement with a valid row goes in: the failures above were
     * the constraints, not the SQL. */
    snprintf(sql, sizeof sql,
             "INSERT INTO jobs(id, env_id, workflow, status, completed_at, outputs, errors,"
             " created_at, updated_at) VALUES ('rjob_ok', '%s', 'summarize', 'completed', 5,"
             " '{}', NULL, 1, 1)",
             f->env.id);
    raw_exec(f, sql);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs"), 1);
    /* The schema version is recorded (on SQLite both ways). */
    if (f->db.pg) {
        assert_int_equal(raw_int(f, "SELECT count(*) FROM schema_migrations"), rb_pg_nmigrations);
        assert_int_equal(raw_int(f, "SELECT max(version) FROM schema_migrations"),
                         rb_pg_nmigrations);
    } else {
        assert_int_equal(raw_int(f, "PRAGMA user_version"), rb_sqlite_nmigrations);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM schema_migrations"),
                         rb_sqlite_nmigrations);
    }
}

static void test_sweep(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_job old, young;
    make_job(&old, f->env.id, "summarize", "a1", 1000);
    make_job(&young, f->env.id, "summarize", "a1", 5000);
    assert_int_equal(create(f, &old, NULL, NULL, NULL, NULL, NULL), RB_OK);
    assert_int_equal(create(f, &young, NULL, NULL, NULL, NULL, NULL), RB_OK);
    char b1[RB_ID_MAX], b2[RB_ID_MAX];
    assert_int_equal(rb_store_blob_put(f->st, f->env.id, old.id, "text/plain", "x", 1, b1, &err),
                     RB_OK);
    assert_int_equal(
        rb_store_blob_put(f->st, f->env.id, young.id, "text/plain", "y", 1, b2, &err), RB_OK);
    int64_t deleted = -1;
    assert_int_equal(rb_store_job_sweep(f->st, 2000, &deleted, &err), RB_OK);
    assert_int_equal(deleted, 1);
    rb_job g;
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, old.id, &g, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, young.id, &g, &err), RB_OK);
    rb_job_clear(&g);
    char *data;
    size_t len;
    char ct[64];
    assert_int_equal(rb_store_blob_get(f->st, b1, &data, &len, ct, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_blob_get(f->st, b2, &data, &len, ct, &err), RB_OK);
    free(data);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE job_id='%s'", old.id);
    assert_int_equal(raw_int(f, sql), 0);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM events"), 1);
    rb_job_clear(&old);
    rb_job_clear(&young);
}

/* ---- concurrency ------------------------------------------------------------- */

typedef struct worker_arg {
    fx *f;
    int count;
    const char *dedupe;
    int ok, conflicts;
    char (*ids)[RB_ID_MAX];
    const char *env_id;            /* NULL: the fixture's environment */
    int errors;
} worker_arg;

static void *create_worker(void *p)
{
    worker_arg *a = p;
    for (int i = 0; i < a->count; i++) {
        rb_job j;
        make_job(&j, a->env_id ? a->env_id : a->f->env.id, "summarize", "a1", 0);
        rb_job_create c = {&j, a->dedupe, NULL, NULL};
        char cid[RB_ID_MAX];
        int rep;
        rb_err err;
        int r = rb_store_job_create(a->f->st, &c, cid, &rep, &err);
        if (r == RB_OK) {
            memcpy(a->ids[a->ok++], j.id, RB_ID_MAX);
        } else if (r == RB_CONFLICT) {
            a->conflicts++;
        } else {
            a->errors++;
            if (!a->env_id)
                fprintf(stderr, "create failed: %d %s\n", r, err.message);
        }
        rb_job_clear(&j);
    }
    return NULL;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static double run_creates(fx *f, int threads, int per, const char *dedupe, int *ok,
                          int *conflicts, char (**all)[RB_ID_MAX])
{
    pthread_t th[16];
    worker_arg args[16];
    *all = calloc((size_t)(threads * per), RB_ID_MAX);
    int64_t t0 = rb_mono_ns();
    for (int i = 0; i < threads; i++) {
        args[i] = (worker_arg){f, per, dedupe, 0, 0, *all + i * per, NULL, 0};
        pthread_create(&th[i], NULL, create_worker, &args[i]);
    }
    *ok = *conflicts = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        *ok += args[i].ok;
        *conflicts += args[i].conflicts;
    }
    double secs = (double)(rb_mono_ns() - t0) / 1e9;
    /* Compact the per-thread slices into one list of ok ids. */
    int k = 0;
    for (int i = 0; i < threads; i++)
        for (int x = 0; x < args[i].ok; x++)
            memmove((*all)[k++], (*all)[i * per + x], RB_ID_MAX);
    return secs;
}

static void test_concurrent_creates(void **state)
{
    fx *f = *state;
    /* ROBOTS_STORE_BENCH=1 turns this into the 8 × 500 timing run. */
    int per = getenv("ROBOTS_STORE_BENCH") ? 500 : 50;
    int ok, conflicts;
    char(*ids)[RB_ID_MAX];
    double secs = run_creates(f, 8, per, NULL, &ok, &conflicts, &ids);
    assert_int_equal(ok, 8 * per);
    assert_int_equal(conflicts, 0);
    qsort(ids, (size_t)ok, RB_ID_MAX, cmp_id);
    for (int i = 1; i < ok; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
    if (getenv("ROBOTS_STORE_BENCH"))
        fprintf(stderr, "[bench] rb_store_job_create: 8 threads x %d = %d durable creates in "
                        "%.3f s = %.0f creates/s\n",
                per, ok, secs, ok / secs);
    /* Everything is on disk, visible to another connection, with its event. */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs"), 8 * per);
    assert_int_equal(raw_int(f, "SELECT count(DISTINCT job_id) FROM events WHERE type LIKE "
                                "'%.pending'"),
                     8 * per);

    /* Racing duplicates inside shared commits: exactly one wins, the others
     * see the winner's id, and their savepoints left nothing behind. */
    secs = run_creates(f, 8, 3, "same-hash", &ok, &conflicts, &ids);
    assert_int_equal(ok, 1);
    assert_int_equal(conflicts, 23);
    free(ids);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs WHERE dedupe_key='same-hash'"), 1);
}

/* A failing create shares commits with good ones: its savepoint is rolled
 * back, theirs are kept, and it gets its own error. */
static void test_create_errors_isolated(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_job j, k;
    make_job(&j, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    make_job(&k, f->env.id, "summarize", "a1", 0);
    memcpy(k.id, j.id, RB_ID_MAX);
    rb_job_create c = {&k, NULL, NULL, NULL};
    char cid[RB_ID_MAX];
    int rep;
    assert_int_equal(rb_store_job_create(f->st, &c, cid, &rep, &err), RB_ERR);
    assert_int_equal(err.status, 500);
    assert_string_equal(err.type, "internal_error");
    assert_non_null(strcasestr(err.message, "UNIQUE"));
    rb_job_clear(&k);
    rb_job_clear(&j);

    pthread_t th[8];
    worker_arg args[8];
    char(*ids)[RB_ID_MAX] = calloc(8 * 40, RB_ID_MAX);
    for (int i = 0; i < 8; i++) {
        args[i] = (worker_arg){f, 40, NULL, 0, 0, ids + i * 40, (i % 2) ? "env_missing" : NULL,
                               0};
        pthread_create(&th[i], NULL, create_worker, &args[i]);
    }
    int ok = 0, bad = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        ok += args[i].ok;
        bad += args[i].errors;
    }
    free(ids);
    assert_int_equal(ok, 160);
    assert_int_equal(bad, 160);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs"), 161);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM events"), 161);
}

/* Another process holding the write lock past the busy timeout and the
 * retries: writers answer RB_BUSY / 503, readers still work (WAL). */
static void test_busy_maps_to_503(void **state)
{
    fx *f = *state;
    if (f->db.pg) {
        printf("[ SKIPPED  ] SQLite write-lock test; on PostgreSQL see test_pg_*\n");
        skip();
    }
    rb_err err;
    rb_sqlite_set_busy_timeout(f->st, 20);
    sqlite3 *db = raw_open(f);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    rb_env e;
    assert_int_equal(rb_store_env_ensure(f->st, "Busy", &e, &err), RB_BUSY);
    assert_int_equal(err.status, 503);
    assert_string_equal(err.type, "unavailable");
    rb_job j;
    make_job(&j, f->env.id, "summarize", "a1", 0);
    rb_job_create c = {&j, NULL, NULL, NULL};
    char cid[RB_ID_MAX];
    int rep;
    assert_int_equal(rb_store_job_create(f->st, &c, cid, &rep, &err), RB_BUSY);
    assert_int_equal(err.status, 503);
    assert_int_equal(rb_store_env_get(f->st, f->env.id, &e, &err), RB_OK);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(rb_store_job_create(f->st, &c, cid, &rep, &err), RB_OK);
    rb_job_clear(&j);
    assert_int_equal(rb_store_env_ensure(f->st, "Busy", &e, &err), RB_OK);
}

static void *open_close(void *p)
{
    const char *url = p;
    rb_store *st = NULL;
    rb_err err;
    int r = rb_store_open(url, 2, &st, &err);
    if (r == RB_OK)
        rb_store_close(st);
    return (void *)(intptr_t)r;
}

static void test_concurrent_open_migrates_once(void **state)
{
    fx *f = *state;
    /* A database nobody opened yet, opened by two threads at once. */
    testdb fresh;
    assert_int_equal(testdb_create(&fresh, "fresh/r.db"), 0);
    pthread_t a, b;
    pthread_create(&a, NULL, open_close, fresh.url);
    pthread_create(&b, NULL, open_close, fresh.url);
    void *ra, *rb;
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    assert_int_equal((intptr_t)ra, RB_OK);
    assert_int_equal((intptr_t)rb, RB_OK);
    int ok;
    int64_t applied = testdb_int(&fresh, "SELECT count(*) FROM schema_migrations", &ok);
    assert_true(ok);
    assert_int_equal(applied, fresh.pg ? rb_pg_nmigrations : rb_sqlite_nmigrations);
    testdb_destroy(&fresh);
    (void)f;

    /* Unknown scheme: a configuration error. */
    rb_err err;
    rb_store *st;
    assert_int_equal(rb_store_open("mysql://x", 1, &st, &err), RB_ERR);
    assert_int_equal(err.status, 500);
    assert_null(st);
    /* A PostgreSQL server that is not there: unavailable, retry later. */
    assert_int_equal(rb_store_open("postgres://robots@127.0.0.1:1/robots", 1, &st, &err),
                     RB_BUSY);
    assert_int_equal(err.status, 503);
    assert_string_equal(err.type, "unavailable");
    assert_null(st);
}

/* Workers on separate connections claim the same queue at once (on
 * PostgreSQL with FOR UPDATE SKIP LOCKED, on SQLite one writer at a time):
 * every job is claimed and completed exactly once, with one event per
 * transition. */
typedef struct claim_arg {
    fx *f;
    char worker[16];
    char (*ids)[RB_ID_MAX];        /* room for every job */
    int n;
    int errors;
} claim_arg;

static void *claim_worker(void *p)
{
    claim_arg *a = p;
    for (;;) {
        rb_job cl[3];
        size_t n = 0;
        rb_err err;
        if (rb_store_job_claim(a->f->st, a->worker, 60, 3, cl, &n, &err) != RB_OK) {
            fprintf(stderr, "claim failed: %s\n", err.message);
            a->errors++;
            break;
        }
        /* Nothing left that is not already held by another worker. */
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            memcpy(a->ids[a->n++], cl[i].id, RB_ID_MAX);
            json_t *out = json_pack("{s:s}", "by", a->worker);
            if (rb_store_job_complete(a->f->st, cl[i].id, a->worker, out, 1, &err) != RB_OK) {
                fprintf(stderr, "complete failed: %s\n", err.message);
                a->errors++;
            }
            json_decref(out);
            rb_job_clear(&cl[i]);
        }
    }
    return NULL;
}

static void test_concurrent_claims(void **state)
{
    fx *f = *state;
    enum { JOBS = 150, THREADS = 4 };
    for (int i = 0; i < JOBS; i++) {
        rb_job j;
        make_job(&j, f->env.id, "summarize", "a1", 1000 + i);
        assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
        rb_job_clear(&j);
    }
    pthread_t th[THREADS];
    claim_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (claim_arg){f, "", calloc(JOBS, RB_ID_MAX), 0, 0};
        snprintf(args[i].worker, sizeof args[i].worker, "w%d", i);
        pthread_create(&th[i], NULL, claim_worker, &args[i]);
    }
    char(*all)[RB_ID_MAX] = calloc(JOBS * THREADS, RB_ID_MAX);
    int total = 0, errors = 0, busy_workers = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        memcpy(all[total], args[i].ids, (size_t)args[i].n * RB_ID_MAX);
        total += args[i].n;
        errors += args[i].errors;
        busy_workers += args[i].n > 0;
        free(args[i].ids);
    }
    assert_int_equal(errors, 0);
    assert_int_equal(total, JOBS);
    qsort(all, (size_t)total, RB_ID_MAX, cmp_id);
    for (int i = 1; i < total; i++)
        assert_string_not_equal(all[i - 1], all[i]);
    free(all);
    assert_true(busy_workers >= 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM jobs WHERE status = 'completed'"
                                " AND attempts = 1"),
                     JOBS);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM events"), 3 * JOBS);
    assert_int_equal(raw_int(f, "SELECT count(DISTINCT job_id) FROM events"
                                " WHERE type LIKE '%.processing'"),
                     JOBS);
}

/* The job's `directive` link, and the run-events read (empty for a run
 * that wrote none). */
static void test_job_set_directive(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_job j;
    make_job(&j, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    assert_int_equal(rb_store_job_set_directive(f->st, j.id, "drv_1", "drvrun_1", &err), RB_OK);
    rb_job g;
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, j.id, &g, &err), RB_OK);
    assert_string_equal(g.directive_id, "drv_1");
    assert_string_equal(g.directive_run_id, "drvrun_1");
    rb_job_clear(&g);
    assert_int_equal(rb_store_job_set_directive(f->st, "rjob_nope", "drv_1", "drvrun_1", &err),
                     RB_NOTFOUND);
    assert_int_equal(err.status, 404);
    rb_event *ev = NULL;
    size_t n = 1;
    assert_int_equal(rb_store_events_for_run(f->st, "drvrun_1", &ev, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    assert_null(ev);
    rb_job_clear(&j);
}

/* ---- PostgreSQL only ----------------------------------------------------------- */

static int needs_pg(fx *f)
{
    if (f->db.pg)
        return 0;
    printf("[ SKIPPED  ] PostgreSQL-only test (set ROBOTS_TEST_DATABASE to run it)\n");
    return 1;
}

/* The server drops the store's idle sessions (as a restart does): the next
 * call notices it when it borrows the session and runs on a new one,
 * prepared statements and all, without a 503. (A session that breaks in the
 * middle of a call still answers 503 for that call.) */
static void test_pg_reconnect(void **state)
{
    fx *f = *state;
    if (needs_pg(f))
        skip();
    rb_err err;
    rb_env e;
    assert_int_equal(rb_store_env_get(f->st, f->env.id, &e, &err), RB_OK);
    raw_exec(f, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()");
    /* Give the server a moment to end the sessions. */
    for (int i = 0; i < 50 && raw_int(f, "SELECT count(*) FROM pg_stat_activity"
                                         " WHERE datname = current_database()"
                                         " AND pid <> pg_backend_pid()") > 0; i++)
        usleep(20000);
    /* The pool notices the closed idle session when the call borrows it
     * (its socket turned readable: the server's goodbye, then EOF) and
     * reconnects before the first statement: no 503 for a session that died
     * while idle. */
    int r = rb_store_env_get(f->st, f->env.id, &e, &err);
    assert_int_equal(r, RB_OK);
    assert_string_equal(e.name, "Development");
    assert_true(raw_int(f, "SELECT count(*) FROM pg_stat_activity WHERE datname ="
                           " current_database() AND application_name = 'robots'") >= 1);
    rb_job j;
    make_job(&j, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    rb_job_clear(&j);
}

/* A statement stuck behind a lock is cancelled by statement_timeout (here
 * 300 ms, from the URL) and answers 503 instead of holding the connection. */
static void test_pg_statement_timeout(void **state)
{
    fx *f = *state;
    if (needs_pg(f))
        skip();
    rb_err err;
    rb_job j;
    make_job(&j, f->env.id, "summarize", "a1", 0);
    assert_int_equal(create(f, &j, NULL, NULL, NULL, NULL, NULL), RB_OK);
    rb_job cl[1];
    size_t n;
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 1, cl, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    rb_job_clear(&cl[0]);

    char url[800];
    snprintf(url, sizeof url, "%s?options=-c%%20statement_timeout%%3D300", f->db.url);
    rb_store *st2;
    assert_int_equal(rb_store_open(url, 1, &st2, &err), RB_OK);
    PGconn *raw = testdb_pg_connect(f->db.url);
    assert_non_null(raw);
    char sql[200];
    snprintf(sql, sizeof sql, "BEGIN; SELECT 1 FROM jobs WHERE id = '%s' FOR UPDATE", j.id);
    PGresult *res = PQexec(raw, sql);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    PQclear(res);
    int64_t t0 = rb_now_ms();
    assert_int_equal(rb_store_job_heartbeat(st2, j.id, "w1", 60, &err), RB_BUSY);
    int64_t took = rb_now_ms() - t0;
    assert_int_equal(err.status, 503);
    assert_non_null(strstr(err.message, "statement timeout"));
    assert_true(took >= 250 && took < 5000);
    PQclear(PQexec(raw, "ROLLBACK"));
    PQfinish(raw);
    assert_int_equal(rb_store_job_heartbeat(st2, j.id, "w1", 60, &err), RB_OK);
    rb_store_close(st2);
    rb_job_clear(&j);
}

/* ---- media library ---------------------------------------------------------- */

static void fill_track(rb_track *t, const char *id, const char *type, const char *lang)
{
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    snprintf(t->type, sizeof t->type, "%s", type);
    snprintf(t->status, sizeof t->status, "ready");
    snprintf(t->language_code, sizeof t->language_code, "%s", lang);
    snprintf(t->name, sizeof t->name, "Track %s", id);
    if (strcmp(type, "text") == 0) {
        snprintf(t->text_type, sizeof t->text_type, "subtitles");
        snprintf(t->text_source, sizeof t->text_source, "uploaded");
    }
}

static void test_assets_tracks_blobs(void **state)
{
    fx *f = *state;
    rb_err err;
    char blob[RB_ID_MAX];
    const char vtt[] = "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\0there";
    assert_int_equal(rb_store_blob_put(f->st, f->env.id, NULL, "text/vtt", vtt, sizeof vtt - 1,
                                       blob, &err),
                     RB_OK);

    rb_asset a;
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "asset_1");
    snprintf(a.env_id, sizeof a.env_id, "%s", f->env.id);
    snprintf(a.status, sizeof a.status, "preparing");
    a.meta = json_pack("{s:s}", "title", "My video");
    a.passthrough = strdup("apt");
    a.inputs = json_pack("[{s:s}]", "url", "https://example.com/v.mp4");
    a.playback_ids = json_pack("[{s:s,s:s},{s:s,s:s}]", "id", "pb1", "policy", "public", "id",
                               "pb2", "policy", "signed");
    a.thumbnail_time = -1;
    a.created_at = 100;
    rb_track tr[2];
    fill_track(&tr[0], "trk_v", "video", "");
    fill_track(&tr[1], "trk_en", "text", "en");
    snprintf(tr[1].blob_id, sizeof tr[1].blob_id, "%s", blob);
    tr[0].created_at = tr[1].created_at = 100;
    a.tracks = tr;
    a.n_tracks = 2;
    assert_int_equal(rb_store_asset_insert(f->st, &a, &err), RB_OK);
    a.tracks = NULL;
    a.n_tracks = 0;

    rb_asset g;
    assert_int_equal(rb_store_asset_get(f->st, f->env.id, "asset_1", &g, &err), RB_OK);
    assert_string_equal(g.status, "preparing");
    assert_string_equal(json_string_value(json_object_get(g.meta, "title")), "My video");
    assert_string_equal(g.passthrough, "apt");
    assert_int_equal(json_array_size(g.playback_ids), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(g.playback_ids, 1), "policy")),
        "signed");
    assert_int_equal(g.n_tracks, 2);
    assert_string_equal(g.tracks[0].id, "trk_v");
    assert_string_equal(g.tracks[1].id, "trk_en");
    assert_string_equal(g.tracks[1].env_id, f->env.id);
    assert_string_equal(g.tracks[1].blob_id, blob);
    assert_true(g.thumbnail_time < 0);
    assert_null(g.errors);
    rb_asset_clear(&g);
    assert_int_equal(rb_store_asset_get(f->st, f->other.id, "asset_1", &g, &err), RB_NOTFOUND);

    /* Update: client fields and playback ids are written; status and
     * duration belong to ingest and are left alone. */
    snprintf(a.status, sizeof a.status, "ready");
    a.duration = 12.5;
    a.thumbnail_time = 3.0;
    json_decref(a.playback_ids);
    a.playback_ids = json_pack("[{s:s,s:s}]", "id", "pb3", "policy", "public");
    assert_int_equal(rb_store_asset_update(f->st, &a, &err), RB_OK);
    assert_int_equal(rb_store_asset_get(f->st, f->env.id, "asset_1", &g, &err), RB_OK);
    assert_string_equal(g.status, "preparing");
    assert_true(g.duration == 0);
    assert_true(g.thumbnail_time == 3.0);
    assert_int_equal(json_array_size(g.playback_ids), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(g.playback_ids, 0), "id")),
                        "pb3");
    rb_asset_clear(&g);
    rb_asset wrong = a;
    snprintf(wrong.env_id, sizeof wrong.env_id, "%s", f->other.id);
    assert_int_equal(rb_store_asset_update(f->st, &wrong, &err), RB_NOTFOUND);

    /* Tracks: insert, update, get, env isolation, delete. */
    rb_track t3;
    fill_track(&t3, "trk_fr", "text", "fr");
    snprintf(t3.asset_id, sizeof t3.asset_id, "asset_1");
    snprintf(t3.env_id, sizeof t3.env_id, "%s", f->other.id);
    assert_int_equal(rb_store_track_insert(f->st, &t3, &err), RB_NOTFOUND);
    snprintf(t3.env_id, sizeof t3.env_id, "%s", f->env.id);
    snprintf(t3.status, sizeof t3.status, "preparing");
    t3.source_url = "https://example.com/fr.vtt";
    assert_int_equal(rb_store_track_insert(f->st, &t3, &err), RB_OK);
    snprintf(t3.status, sizeof t3.status, "ready");
    t3.duration = 12.0;
    t3.passthrough = "tp";
    t3.closed_captions = 1;
    assert_int_equal(rb_store_track_update(f->st, &t3, &err), RB_OK);
    rb_track gt;
    assert_int_equal(rb_store_track_get(f->st, f->env.id, "asset_1", "trk_fr", &gt, &err), RB_OK);
    assert_string_equal(gt.status, "ready");
    assert_string_equal(gt.passthrough, "tp");
    assert_string_equal(gt.source_url, "https://example.com/fr.vtt");
    assert_int_equal(gt.closed_captions, 1);
    assert_string_equal(gt.text_type, "subtitles");
    rb_track_clear(&gt);
    assert_int_equal(rb_store_track_get(f->st, f->other.id, "asset_1", "trk_fr", &gt, &err),
                     RB_NOTFOUND);
    assert_int_equal(rb_store_track_get(f->st, f->env.id, "asset_x", "trk_fr", &gt, &err),
                     RB_NOTFOUND);
    assert_int_equal(rb_store_track_get_any_env(f->st, "trk_fr", &gt, &err), RB_OK);
    assert_string_equal(gt.env_id, f->env.id);
    rb_track_clear(&gt);

    /* Blob round trip keeps embedded NULs and adds a terminator. */
    char *data;
    size_t len;
    char ct[64];
    assert_int_equal(rb_store_blob_get(f->st, blob, &data, &len, ct, &err), RB_OK);
    assert_int_equal(len, sizeof vtt - 1);
    assert_memory_equal(data, vtt, len);
    assert_int_equal(data[len], '\0');
    assert_string_equal(ct, "text/vtt");
    free(data);

    /* Deleting a track hides it from the asset and removes its blob. */
    assert_int_equal(rb_store_track_delete(f->st, f->other.id, "asset_1", "trk_en", &err),
                     RB_NOTFOUND);
    assert_int_equal(rb_store_track_delete(f->st, f->env.id, "asset_1", "trk_en", &err), RB_OK);
    assert_int_equal(rb_store_track_delete(f->st, f->env.id, "asset_1", "trk_en", &err),
                     RB_NOTFOUND);
    assert_int_equal(rb_store_blob_get(f->st, blob, &data, &len, ct, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_track_get(f->st, f->env.id, "asset_1", "trk_en", &gt, &err), RB_OK);
    assert_string_equal(gt.status, "deleted");
    rb_track_clear(&gt);
    assert_int_equal(rb_store_asset_get(f->st, f->env.id, "asset_1", &g, &err), RB_OK);
    assert_int_equal(g.n_tracks, 2);
    assert_string_equal(g.tracks[0].id, "trk_v");
    assert_string_equal(g.tracks[1].id, "trk_fr");
    rb_asset_clear(&g);

    /* Listing: newest first, paging, env isolation. */
    for (int i = 2; i <= 4; i++) {
        rb_asset b;
        memset(&b, 0, sizeof b);
        snprintf(b.id, sizeof b.id, "asset_%d", i);
        snprintf(b.env_id, sizeof b.env_id, "%s", f->env.id);
        snprintf(b.status, sizeof b.status, "ready");
        b.playback_ids = json_array();
        b.thumbnail_time = -1;
        b.created_at = 100 + i;
        assert_int_equal(rb_store_asset_insert(f->st, &b, &err), RB_OK);
        json_decref(b.playback_ids);
    }
    int64_t total;
    rb_asset *list;
    size_t n;
    assert_int_equal(rb_store_asset_list(f->st, f->env.id, 3, 1, &list, &n, &total, &err), RB_OK);
    assert_int_equal(total, 4);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].id, "asset_4");
    for (size_t i = 0; i < n; i++)
        rb_asset_clear(&list[i]);
    free(list);
    assert_int_equal(rb_store_asset_list(f->st, f->env.id, 3, 2, &list, &n, &total, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].id, "asset_1");
    assert_int_equal(list[0].n_tracks, 2);
    rb_asset_clear(&list[0]);
    free(list);
    assert_int_equal(rb_store_asset_list(f->st, f->other.id, 3, 1, &list, &n, &total, &err),
                     RB_OK);
    assert_int_equal(total, 0);
    assert_int_equal(n, 0);

    /* Delete: the asset, its tracks and their blobs go; other env can't. */
    char blob2[RB_ID_MAX];
    assert_int_equal(rb_store_blob_put(f->st, f->env.id, NULL, "text/vtt", "x", 1, blob2, &err),
                     RB_OK);
    snprintf(t3.blob_id, sizeof t3.blob_id, "%s", blob2);
    assert_int_equal(rb_store_track_update(f->st, &t3, &err), RB_OK);
    assert_int_equal(rb_store_asset_delete(f->st, f->other.id, "asset_1", &err), RB_NOTFOUND);
    assert_int_equal(rb_store_asset_delete(f->st, f->env.id, "asset_1", &err), RB_OK);
    assert_int_equal(rb_store_asset_get(f->st, f->env.id, "asset_1", &g, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_blob_get(f->st, blob2, &data, &len, ct, &err), RB_NOTFOUND);
    assert_int_equal(rb_store_track_get_any_env(f->st, "trk_fr", &gt, &err), RB_NOTFOUND);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM playback_ids WHERE asset_id='asset_1'"),
                     0);
    assert_int_equal(rb_store_asset_delete(f->st, f->env.id, "asset_1", &err), RB_NOTFOUND);
    rb_asset_clear(&a);
}

/* ---- ingest claims ------------------------------------------------------------ */

static void insert_asset(fx *f, const char *id, const char *status, int64_t created_at,
                         rb_track *tracks, size_t n)
{
    rb_asset a;
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "%s", id);
    snprintf(a.env_id, sizeof a.env_id, "%s", f->env.id);
    snprintf(a.status, sizeof a.status, "%s", status);
    a.inputs = json_pack("[{s:s}]", "url", "https://example.com/v.mp4");
    a.playback_ids = json_array();
    a.thumbnail_time = -1;
    a.created_at = created_at;
    a.tracks = tracks;
    a.n_tracks = n;
    rb_err err;
    assert_int_equal(rb_store_asset_insert(f->st, &a, &err), RB_OK);
    a.tracks = NULL;
    a.n_tracks = 0;
    rb_asset_clear(&a);
}

/* A preparing track added to asset_id, as POST .../tracks does. */
static void add_preparing_track(fx *f, const char *asset_id, const char *id, int64_t created_at)
{
    rb_track t;
    fill_track(&t, id, "text", "de");
    snprintf(t.asset_id, sizeof t.asset_id, "%s", asset_id);
    snprintf(t.env_id, sizeof t.env_id, "%s", f->env.id);
    snprintf(t.status, sizeof t.status, "preparing");
    t.source_url = "https://example.com/de.vtt";
    t.created_at = created_at;
    rb_err err;
    assert_int_equal(rb_store_track_insert(f->st, &t, &err), RB_OK);
}

static void claim(fx *f, const char *owner, int lease, rb_ingest_work **w, size_t *n)
{
    rb_err err;
    assert_int_equal(rb_store_ingest_claim(f->st, owner, lease, 10, w, n, &err), RB_OK);
}

static void free_work(rb_ingest_work *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rb_ingest_work_clear(&w[i]);
    free(w);
}

static void test_ingest_claim_exclusive_and_lease(void **state)
{
    fx *f = *state;
    rb_err err;
    /* a1: preparing with a preparing text track (goes with the asset);
     * a2: ready, with a track added later; a3: ready, nothing to do. */
    rb_track t1;
    fill_track(&t1, "trk_a1_en", "text", "en");
    snprintf(t1.status, sizeof t1.status, "preparing");
    t1.source_url = "https://example.com/en.vtt";
    t1.created_at = 100;
    insert_asset(f, "a1", "preparing", 100, &t1, 1);
    insert_asset(f, "a2", "ready", 90, NULL, 0);
    insert_asset(f, "a3", "ready", 80, NULL, 0);
    add_preparing_track(f, "a2", "trk_a2_de", 110);

    rb_ingest_work *w;
    size_t n;
    claim(f, "node1", 60, &w, &n);
    assert_int_equal(n, 2);
    assert_int_equal(w[0].is_track, 0);
    assert_string_equal(w[0].asset.id, "a1");
    assert_int_equal(w[0].asset.n_tracks, 1);
    assert_string_equal(w[0].asset.tracks[0].id, "trk_a1_en");
    assert_int_equal(w[1].is_track, 1);
    assert_string_equal(w[1].track.id, "trk_a2_de");
    assert_string_equal(w[1].track.source_url, "https://example.com/de.vtt");
    free_work(w, n);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM assets WHERE ingest_owner = 'node1'"), 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM tracks WHERE ingest_owner = 'node1'"), 1);

    /* Another owner gets nothing while the leases run. */
    claim(f, "node2", 60, &w, &n);
    assert_int_equal(n, 0);
    assert_null(w);
    assert_int_equal(rb_store_ingest_renew(f->st, "node2", "a1", NULL, 60, &err), RB_CONFLICT);
    assert_int_equal(rb_store_ingest_renew(f->st, "node1", "a1", NULL, 60, &err), RB_OK);
    assert_int_equal(rb_store_ingest_renew(f->st, "node1", "a2", "trk_a2_de", 60, &err), RB_OK);
    assert_int_equal(rb_store_ingest_renew(f->st, "node1", "a9", NULL, 60, &err), RB_NOTFOUND);

    /* node1 dies: once its leases run out, node2 claims the same work. */
    raw_exec(f, "UPDATE assets SET ingest_lease_expires_ms = 1 WHERE id = 'a1';"
                "UPDATE tracks SET ingest_lease_expires_ms = 1 WHERE id = 'trk_a2_de'");
    claim(f, "node2", 60, &w, &n);
    assert_int_equal(n, 2);
    assert_string_equal(w[0].asset.id, "a1");
    assert_string_equal(w[1].track.id, "trk_a2_de");
    free_work(w, n);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM assets WHERE ingest_owner = 'node2'"), 1);
    claim(f, "node1", 60, &w, &n);
    assert_int_equal(n, 0);

    /* node1 comes back with results: refused, nothing written. */
    rb_asset fin;
    memset(&fin, 0, sizeof fin);
    snprintf(fin.id, sizeof fin.id, "a1");
    snprintf(fin.env_id, sizeof fin.env_id, "%s", f->env.id);
    snprintf(fin.status, sizeof fin.status, "ready");
    fin.duration = 4.0;
    rb_track media;
    fill_track(&media, "trk_a1_v", "video", "");
    media.info = json_pack("{s:i,s:i,s:f}", "max_width", 64, "max_height", 48, "max_frame_rate",
                           25.0);
    media.duration = 4.0;
    assert_int_equal(rb_store_asset_finish(f->st, "node1", &fin, &media, 1, &err), RB_CONFLICT);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM tracks WHERE asset_id = 'a1'"), 1);
    int64_t blobs = raw_int(f, "SELECT count(*) FROM blobs");
    rb_track late;
    fill_track(&late, "trk_a2_de", "text", "de");
    snprintf(late.asset_id, sizeof late.asset_id, "a2");
    snprintf(late.env_id, sizeof late.env_id, "%s", f->env.id);
    assert_int_equal(rb_store_track_finish(f->st, "node1", &late, "text/vtt", "WEBVTT\n", 7, &err),
                     RB_CONFLICT);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM blobs"), blobs); /* no orphan blob */

    /* node2, the holder, finishes both. */
    assert_int_equal(rb_store_asset_finish(f->st, "node2", &fin, &media, 1, &err), RB_OK);
    assert_int_equal(rb_store_track_finish(f->st, "node2", &late, "text/vtt", "WEBVTT\n", 7, &err),
                     RB_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM blobs"), blobs + 1);
    rb_asset g;
    assert_int_equal(rb_store_asset_get(f->st, f->env.id, "a1", &g, &err), RB_OK);
    assert_string_equal(g.status, "ready");
    assert_true(g.duration == 4.0);
    assert_int_equal(g.n_tracks, 2);
    assert_string_equal(g.tracks[1].id, "trk_a1_v");
    assert_string_equal(g.tracks[1].env_id, f->env.id);
    assert_true(json_equal(g.tracks[1].info, media.info));
    rb_asset_clear(&g);
    rb_track got;
    assert_int_equal(rb_store_track_get(f->st, f->env.id, "a2", "trk_a2_de", &got, &err), RB_OK);
    assert_string_equal(got.status, "ready");
    assert_string_equal(got.blob_id, late.blob_id);
    char *data;
    size_t len;
    char ctype[64];
    assert_int_equal(rb_store_blob_get(f->st, got.blob_id, &data, &len, ctype, &err), RB_OK);
    assert_string_equal(data, "WEBVTT\n");
    assert_string_equal(ctype, "text/vtt");
    free(data);
    rb_track_clear(&got);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM assets WHERE ingest_owner IS NOT NULL"), 0);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM tracks WHERE ingest_owner IS NOT NULL"), 0);
    /* Finished work is never claimed again, by anyone; a track a1's ingest
     * left preparing (here: never finished) is now work of its own, since a1
     * is no longer preparing. */
    raw_exec(f, "UPDATE assets SET ingest_lease_expires_ms = 1;"
                "UPDATE tracks SET ingest_lease_expires_ms = 1");
    claim(f, "node3", 60, &w, &n);
    assert_int_equal(n, 1);
    assert_int_equal(w[0].is_track, 1);
    assert_string_equal(w[0].track.id, "trk_a1_en");
    free_work(w, n);
    /* A second finish is a conflict too. */
    assert_int_equal(rb_store_asset_finish(f->st, "node2", &fin, NULL, 0, &err), RB_CONFLICT);
    json_decref(media.info);
}

static void test_ingest_finish_deleted(void **state)
{
    fx *f = *state;
    rb_err err;
    insert_asset(f, "a1", "ready", 100, NULL, 0);
    add_preparing_track(f, "a1", "trk_x", 100);
    rb_ingest_work *w;
    size_t n;
    claim(f, "node1", 60, &w, &n);
    assert_int_equal(n, 1);
    rb_track t = w[0].track;
    memset(&w[0].track, 0, sizeof w[0].track);
    free_work(w, n);

    /* Deleted while it was being fetched: the fetch result must not bring it
     * back, nor leave its blob behind. */
    assert_int_equal(rb_store_track_delete(f->st, f->env.id, "a1", "trk_x", &err), RB_OK);
    int64_t blobs = raw_int(f, "SELECT count(*) FROM blobs");
    snprintf(t.status, sizeof t.status, "ready");
    assert_int_equal(rb_store_track_finish(f->st, "node1", &t, "text/vtt", "WEBVTT\n", 7, &err),
                     RB_CONFLICT);
    rb_track got;
    assert_int_equal(rb_store_track_get(f->st, f->env.id, "a1", "trk_x", &got, &err), RB_OK);
    assert_string_equal(got.status, "deleted");
    assert_string_equal(got.blob_id, "");
    rb_track_clear(&got);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM blobs"), blobs);
    /* A deleted track is not claimable either. */
    raw_exec(f, "UPDATE tracks SET ingest_lease_expires_ms = 1");
    claim(f, "node2", 60, &w, &n);
    assert_int_equal(n, 0);

    /* The asset deleted altogether: not found. */
    add_preparing_track(f, "a1", "trk_y", 101);
    insert_asset(f, "a2", "preparing", 100, NULL, 0);
    claim(f, "node1", 60, &w, &n);
    assert_int_equal(n, 2);
    free_work(w, n);
    assert_int_equal(rb_store_asset_delete(f->st, f->env.id, "a1", &err), RB_OK);
    assert_int_equal(rb_store_asset_delete(f->st, f->env.id, "a2", &err), RB_OK);
    snprintf(t.id, sizeof t.id, "trk_y");
    assert_int_equal(rb_store_track_finish(f->st, "node1", &t, NULL, NULL, 0, &err), RB_NOTFOUND);
    rb_asset a2;
    memset(&a2, 0, sizeof a2);
    snprintf(a2.id, sizeof a2.id, "a2");
    snprintf(a2.env_id, sizeof a2.env_id, "%s", f->env.id);
    snprintf(a2.status, sizeof a2.status, "ready");
    assert_int_equal(rb_store_asset_finish(f->st, "node1", &a2, NULL, 0, &err), RB_NOTFOUND);
    rb_track_clear(&t);
}

static void test_track_info_roundtrip(void **state)
{
    fx *f = *state;
    rb_err err;
    rb_track tr[2];
    fill_track(&tr[0], "trk_a", "audio", "en");
    tr[0].info = json_pack("{s:i}", "max_channels", 6);
    fill_track(&tr[1], "trk_t", "text", "en");
    tr[1].created_at = 1;
    insert_asset(f, "a1", "ready", 100, tr, 2);
    rb_track v;
    fill_track(&v, "trk_v", "video", "");
    snprintf(v.asset_id, sizeof v.asset_id, "a1");
    snprintf(v.env_id, sizeof v.env_id, "%s", f->env.id);
    v.info = json_pack("{s:i,s:i,s:f}", "max_width", 1920, "max_height", 1080, "max_frame_rate",
                       29.97);
    v.created_at = 2;
    assert_int_equal(rb_store_track_insert(f->st, &v, &err), RB_OK);

    rb_asset g;
    assert_int_equal(rb_store_asset_get(f->st, f->env.id, "a1", &g, &err), RB_OK);
    assert_int_equal(g.n_tracks, 3);
    for (size_t i = 0; i < g.n_tracks; i++) {
        if (strcmp(g.tracks[i].id, "trk_a") == 0)
            assert_true(json_equal(g.tracks[i].info, tr[0].info));
        else if (strcmp(g.tracks[i].id, "trk_v") == 0)
            assert_true(json_equal(g.tracks[i].info, v.info));
        else
            assert_null(g.tracks[i].info);
    }
    rb_asset_clear(&g);
    rb_track got;
    assert_int_equal(rb_store_track_get(f->st, f->env.id, "a1", "trk_v", &got, &err), RB_OK);
    assert_int_equal(json_integer_value(json_object_get(got.info, "max_width")), 1920);
    assert_true(json_real_value(json_object_get(got.info, "max_frame_rate")) == 29.97);
    rb_track_clear(&got); /* frees info; ASan/LSan check it */
    json_decref(tr[0].info);
    json_decref(v.info);
}

static void test_migration_2_upgrades_v1(void **state)
{
    fx *f = *state;
    if (f->db.pg) {
        printf("[ SKIPPED  ] SQLite migration 2 upgrade; PostgreSQL starts at its migration 1\n");
        skip();
    }
    char path[400];
    snprintf(path, sizeof path, "%s/v1.db", f->dir);
    /* A database exactly as a version-1 binary left it, with an ingested
     * media track whose facts live in a blob, and a text track. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, rb_sqlite_migrations[0], NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("migration 1: %s", msg);
    rc = sqlite3_exec(
        db,
        "INSERT INTO schema_migrations VALUES (1, 1);"
        "PRAGMA user_version = 1;"
        "INSERT INTO environments VALUES ('env1', 'Development', 1);"
        "INSERT INTO assets(id, env_id, status, created_at) VALUES ('a1', 'env1', 'ready', 5);"
        "INSERT INTO assets(id, env_id, status, created_at) VALUES ('a2', 'env1', 'preparing', 6);"
        "INSERT INTO blobs(id, env_id, content_type, data, created_at) VALUES"
        " ('blob_info', 'env1', 'application/json', CAST('{\"max_channels\":2}' AS BLOB), 5),"
        " ('blob_vtt', 'env1', 'text/vtt', CAST('WEBVTT\n' AS BLOB), 5);"
        "INSERT INTO tracks(id, asset_id, env_id, type, status, blob_id, created_at) VALUES"
        " ('trk_a', 'a1', 'env1', 'audio', 'ready', 'blob_info', 5),"
        " ('trk_t', 'a1', 'env1', 'text', 'ready', 'blob_vtt', 6),"
        " ('trk_p', 'a1', 'env1', 'text', 'preparing', '', 7);",
        NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("v1 rows: %s", msg);
    sqlite3_close(db);

    char url[420];
    snprintf(url, sizeof url, "sqlite:%s", path);
    rb_store *st;
    rb_err err;
    assert_int_equal(rb_store_open(url, 2, &st, &err), RB_OK);

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    const char *checks[] = {
        "PRAGMA user_version",
        "SELECT count(*) FROM schema_migrations",
        "SELECT count(*) FROM pragma_table_info('assets')"
        " WHERE name IN ('ingest_owner', 'ingest_lease_expires_ms')",
        "SELECT count(*) FROM pragma_table_info('tracks')"
        " WHERE name IN ('ingest_owner', 'ingest_lease_expires_ms', 'info')",
        "SELECT count(*) FROM blobs",
    };
    /* Every later migration applies too: the upgrade ends at the newest version. */
    const int want[] = {rb_sqlite_nmigrations, rb_sqlite_nmigrations, 2, 3, 1};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(db, checks[i], -1, &q, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        if (sqlite3_column_int(q, 0) != want[i])
            fail_msg("%s: %d, want %d", checks[i], sqlite3_column_int(q, 0), want[i]);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);

    /* The media facts moved from the blob into info; the text blob stayed. */
    rb_track t;
    assert_int_equal(rb_store_track_get(st, "env1", "a1", "trk_a", &t, &err), RB_OK);
    assert_int_equal(json_integer_value(json_object_get(t.info, "max_channels")), 2);
    assert_string_equal(t.blob_id, "");
    rb_track_clear(&t);
    assert_int_equal(rb_store_track_get(st, "env1", "a1", "trk_t", &t, &err), RB_OK);
    assert_null(t.info);
    assert_string_equal(t.blob_id, "blob_vtt");
    rb_track_clear(&t);

    /* Work left preparing by version 1 is claimable. */
    rb_ingest_work *w;
    size_t n;
    assert_int_equal(rb_store_ingest_claim(st, "node1", 60, 10, &w, &n, &err), RB_OK);
    assert_int_equal(n, 2);
    assert_string_equal(w[0].asset.id, "a2");
    assert_string_equal(w[1].track.id, "trk_p");
    free_work(w, n);
    rb_store_close(st);

    /* Opening again applies nothing twice. */
    assert_int_equal(rb_store_open(url, 2, &st, &err), RB_OK);
    rb_store_close(st);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM schema_migrations", -1, &q, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), rb_sqlite_nmigrations);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* Keyset paging: (created_at, id) order across ties, the "more" flag,
 * environment isolation, and an asset deleted mid-iteration skips nothing. */
static void test_asset_list_after(void **state)
{
    fx *f = *state;
    /* Three share created_at 200, so the id breaks the tie. */
    static const char *ids[] = {"as_a", "as_b", "as_c", "as_d", "as_e"};
    static const int64_t at[] = {100, 200, 200, 200, 300};
    for (int i = 0; i < 5; i++)
        insert_asset(f, ids[i], "ready", at[i], NULL, 0);
    rb_asset other;
    memset(&other, 0, sizeof other);
    snprintf(other.id, sizeof other.id, "as_other");
    snprintf(other.env_id, sizeof other.env_id, "%s", f->other.id);
    snprintf(other.status, sizeof other.status, "ready");
    other.playback_ids = json_array();
    other.thumbnail_time = -1;
    other.created_at = 250;
    rb_err err;
    assert_int_equal(rb_store_asset_insert(f->st, &other, &err), RB_OK);
    json_decref(other.playback_ids);

    static const char *want[] = {"as_e", "as_d", "as_c", "as_b", "as_a"};
    rb_asset *list;
    size_t n;
    int more;
    /* From the start, two at a time. */
    assert_int_equal(rb_store_asset_list_after(f->st, f->env.id, 2, 0, NULL, &list, &n, &more,
                                               &err),
                     RB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(more, 1);
    assert_string_equal(list[0].id, "as_e");
    assert_string_equal(list[1].id, "as_d");
    size_t seen = 2;
    char last_id[RB_ID_MAX];
    int64_t last_at = list[1].created_at;
    snprintf(last_id, sizeof last_id, "%s", list[1].id);
    for (size_t i = 0; i < n; i++)
        rb_asset_clear(&list[i]);
    free(list);
    /* The cursor's own asset is deleted before the next page: nothing is
     * skipped or repeated. */
    assert_int_equal(rb_store_asset_delete(f->st, f->env.id, "as_d", &err), RB_OK);
    while (more) {
        assert_int_equal(rb_store_asset_list_after(f->st, f->env.id, 2, last_at, last_id, &list,
                                                   &n, &more, &err),
                         RB_OK);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            assert_true(seen < 5);
            assert_string_equal(list[i].id, want[seen++]);
            assert_string_equal(list[i].env_id, f->env.id);
        }
        last_at = list[n - 1].created_at;
        snprintf(last_id, sizeof last_id, "%s", list[n - 1].id);
        for (size_t i = 0; i < n; i++)
            rb_asset_clear(&list[i]);
        free(list);
    }
    assert_int_equal(seen, 5);
    /* Exactly a full last page: more is 0, not one empty page later. */
    assert_int_equal(rb_store_asset_list_after(f->st, f->env.id, 2, 200, "as_c", &list, &n, &more,
                                               &err),
                     RB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(more, 0);
    assert_string_equal(list[0].id, "as_b");
    assert_string_equal(list[1].id, "as_a");
    for (size_t i = 0; i < n; i++)
        rb_asset_clear(&list[i]);
    free(list);
    /* After the oldest: nothing. */
    assert_int_equal(rb_store_asset_list_after(f->st, f->env.id, 2, 100, "as_a", &list, &n, &more,
                                               &err),
                     RB_OK);
    assert_int_equal(n, 0);
    assert_null(list);
    assert_int_equal(more, 0);
    /* The other environment sees only its own. */
    assert_int_equal(rb_store_asset_list_after(f->st, f->other.id, 100, 0, NULL, &list, &n, &more,
                                               &err),
                     RB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(more, 0);
    assert_string_equal(list[0].id, "as_other");
    rb_asset_clear(&list[0]);
    free(list);
}

int main(void)
{
    int skip_all = testdb_check("test_store");
    if (skip_all)
        return skip_all;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_env_ensure_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_create_get_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_each_transition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dedupe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_order_and_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_races, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_then_reclaim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_lease_and_give_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_creates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_errors_isolated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_maps_to_503, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_open_migrates_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assets_tracks_blobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_asset_list_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ingest_claim_exclusive_and_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ingest_finish_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_track_info_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_2_upgrades_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_set_directive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_statement_timeout, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
