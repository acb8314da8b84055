/* test_directive_runs.c — the directive-run processor (engine/directives.c)
 * against a real SQLite store and media library in a temporary directory.
 *
 * Covers: a run whose edit-captions binding is dispatched and run by the real
 * engine to completion (node_states, the job's directive context, the run's
 * created + completed events); a missing `required` caption (binding failed,
 * run errored); a workflow-source chain whose producer job errors (the
 * dependent fails, an independent binding still completes: partial); an
 * `external` caption that appears later; unavailable sources (shots,
 * generate_subtitles); and a directive deleted mid-run that still finishes. */
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
#include <sqlite3.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/crypto.h"
#include "engine/directives.h"
#include "engine/engine.h"
#include "media/library.h"
#include "store/store.h"

static const char *VTT = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nHello damn world.\n";

typedef struct fixture {
    char dir[256];
    char db[300];
    rb_config cfg;
    rb_store *st;
    rb_library lib;
    rb_env env;
    char asset_id[RB_ID_MAX];
    char track_id[RB_ID_MAX];
} fixture;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/robots-test-drvrun-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    rb_config_defaults(&f->cfg);
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", f->dir);
    snprintf(f->db, sizeof f->db, "%s/robots.db", f->dir);
    snprintf(f->cfg.database, sizeof f->cfg.database, "sqlite:%s", f->db);
    snprintf(f->cfg.public_url, sizeof f->cfg.public_url, "http://127.0.0.1:1");
    f->cfg.workers = 1;
    f->cfg.lease_seconds = 6;
    f->cfg.max_attempts = 3;
    rb_config_finish(&f->cfg);
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_store_open(f->cfg.database, 4, &f->st, &err), RB_OK);
    assert_int_equal(rb_library_init(&f->lib, f->st, &f->cfg, &err), RB_OK);
    assert_int_equal(rb_store_env_ensure(f->st, "test", &f->env, &err), RB_OK);

    rb_asset a;
    memset(&a, 0, sizeof a);
    assert_int_equal(rb_random_id(a.id, sizeof a.id, "", 32), RB_OK);
    snprintf(a.env_id, sizeof a.env_id, "%s", f->env.id);
    snprintf(a.status, sizeof a.status, "ready");
    a.duration = 5.0;
    a.inputs = json_array();
    a.playback_ids = json_pack("[{s:s, s:s}]", "id", "pbdrvtest0001", "policy", "public");
    a.thumbnail_time = -1;
    a.created_at = rb_now();
    assert_int_equal(rb_store_asset_insert(f->st, &a, &err), RB_OK);
    snprintf(f->asset_id, sizeof f->asset_id, "%s", a.id);
    json_decref(a.inputs);
    json_decref(a.playback_ids);
    assert_int_equal(rb_library_add_text_track(&f->lib, f->env.id, f->asset_id, "English", "en",
                                               "subtitles", 0, VTT, strlen(VTT), f->track_id,
                                               &err),
                     RB_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rb_store_close(f->st);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

/* Stores a directive whose config is the JSON text (already valid: the API
 * validated it; these tests exercise the engine). */
static void add_directive(fixture *f, const char *config, char id[RB_ID_MAX])
{
    rb_directive d;
    memset(&d, 0, sizeof d);
    assert_int_equal(rb_random_id(d.id, sizeof d.id, "drv_", 24), RB_OK);
    snprintf(d.env_id, sizeof d.env_id, "%s", f->env.id);
    d.name = strdup("test");
    json_error_t je;
    d.config = json_loads(config, 0, &je);
    if (!d.config)
        fail_msg("config: %s", je.text);
    d.created_at = d.updated_at = rb_now();
    rb_err err;
    assert_int_equal(rb_store_directive_insert(f->st, &d, &err), RB_OK);
    snprintf(id, RB_ID_MAX, "%s", d.id);
    rb_directive_clear(&d);
}

static void start_run(fixture *f, const char *directive_id, char run_id[RB_ID_MAX])
{
    rb_directive_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.env_id, sizeof r.env_id, "%s", f->env.id);
    snprintf(r.directive_id, sizeof r.directive_id, "%s", directive_id);
    snprintf(r.asset_id, sizeof r.asset_id, "%s", f->asset_id);
    char conflict[RB_ID_MAX];
    rb_err err;
    assert_int_equal(rb_store_directive_run_create(f->st, &r, conflict, &err), RB_OK);
    snprintf(run_id, RB_ID_MAX, "%s", r.id);
    rb_directive_run_clear(&r);
}

/* Makes every active run due now, so a test does not wait for the poll
 * interval between passes. */
static void make_due(fixture *f)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db, "UPDATE directive_runs SET next_check_ms = 0", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(db);
}

/* One processor pass; returns the number of runs it processed. */
static int pass(fixture *f, int *dispatched)
{
    make_due(f);
    rb_err err;
    rb_err_clear(&err);
    int n = rb_directive_runs_once(f->st, &f->lib, &f->cfg, "test-node", dispatched, &err);
    if (n < 0)
        fail_msg("pass: %s", err.message);
    return n;
}

static void get_run(fixture *f, const char *drv, const char *run_id, rb_directive_run *out)
{
    rb_err err;
    assert_int_equal(rb_store_directive_run_get(f->st, f->env.id, drv, run_id, out, &err), RB_OK);
}

static const json_t *node(const rb_directive_run *r, size_t i)
{
    return json_array_get(r->node_states, i);
}

static const char *nstr(const rb_directive_run *r, size_t i, const char *k)
{
    return json_string_value(json_object_get(node(r, i), k));
}

/* Claims the pending job and finishes it the way a worker would: completed
 * with outputs (default {"n":1}) when ok, else errored. */
static void finish_job_out(fixture *f, const char *job_id, int ok, json_t *outputs)
{
    rb_job jobs[4];
    size_t n = 0;
    rb_err err;
    int found = 0;
    /* A job put back below is claimable again once its retry time passed. */
    for (int tries = 0; !found && tries < 100; tries++) {
    if (tries)
        sleep_ms(20);
    assert_int_equal(rb_store_job_claim(f->st, "w1", 60, 4, jobs, &n, &err), RB_OK);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(jobs[i].id, job_id) == 0) {
            found = 1;
            /* The store copies outputs/errors; the caller keeps its reference. */
            json_t *out = outputs ? json_incref(outputs) : json_pack("{s:i}", "n", 1);
            json_t *errs = json_pack("[{s:s,s:s}]", "type", "processing_error", "message",
                                     "boom");
            if (ok)
                assert_int_equal(rb_store_job_complete(f->st, job_id, "w1", out, 1, &err),
                                 RB_OK);
            else
                assert_int_equal(rb_store_job_fail(f->st, job_id, "w1", errs, 0, 0, &err),
                                 RB_OK);
            json_decref(out);
            json_decref(errs);
        } else {
            /* Not this test's target: put it back for a later claim. */
            assert_int_equal(rb_store_job_fail(f->st, jobs[i].id, "w1", NULL, 0, rb_now_ms(),
                                               &err),
                             RB_OK);
        }
        rb_job_clear(&jobs[i]);
    }
    }
    assert_true(found);
    json_decref(outputs);
}

static void finish_job(fixture *f, const char *job_id, int ok)
{
    finish_job_out(f, job_id, ok, NULL);
}

static void event_types(fixture *f, const char *run_id, char *out, size_t outsz)
{
    rb_event *ev;
    size_t n;
    rb_err err;
    assert_int_equal(rb_store_events_for_run(f->st, run_id, &ev, &n, &err), RB_OK);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(out);
        snprintf(out + len, outsz - len, "%s%s", i ? "," : "", ev[i].type + 21);
        /* The payload's run has the status of the event. */
        const json_t *dr = json_object_get(ev[i].data, "directive_run");
        const char *st = json_string_value(json_object_get(dr, "status"));
        assert_string_equal(strcmp(ev[i].type + 21, "created") == 0 ? "pending" : ev[i].type + 21,
                            st);
        rb_event_clear(&ev[i]);
    }
    free(ev);
}

#define CAPTION(ref, lang, via)                                                              \
    "{\"type\":\"video.asset.track\",\"reference_id\":\"" ref "\",\"kind\":\"caption\","     \
    "\"language\":\"" lang "\",\"source\":{\"via\":\"" via "\"}}"

/* ---- tests ------------------------------------------------------------------ */

/* The real engine: the ingester loop runs the processor, a worker runs the
 * edit-captions job, the run completes. */
static void test_run_completes_with_engine(void **state)
{
    fixture *f = *state;
    char drv[RB_ID_MAX], run[RB_ID_MAX];
    add_directive(f,
                  "{\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION(
                      "captions", "en", "required") "],\"workflows\":[{\"reference_id\":\"clean\","
                  "\"workflow\":\"edit-captions\",\"inputs\":[\"captions\"],\"params\":{"
                  "\"auto_censor_profanity\":{},\"upload_to_mux\":false}}]}",
                  drv);
    start_run(f, drv, run);
    rb_engine *e;
    rb_err err;
    assert_int_equal(rb_engine_start(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    rb_directive_run r;
    memset(&r, 0, sizeof r);
    int done = 0;
    for (int waited = 0; waited < 20000 && !done; waited += 100) {
        sleep_ms(100);
        rb_directive_run_clear(&r);
        get_run(f, drv, run, &r);
        done = rb_directive_run_terminal(r.status);
    }
    rb_engine_stop(e);
    if (!done)
        fail_msg("run still %s", r.status);
    assert_string_equal(r.status, "completed");
    assert_true(r.completed_at >= r.started_at);
    assert_int_equal(json_array_size(r.node_states), 1);
    assert_string_equal(nstr(&r, 0, "reference_id"), "clean");
    assert_string_equal(nstr(&r, 0, "status"), "dispatched");
    assert_string_equal(nstr(&r, 0, "workflow_name"), "edit-captions");
    char job_id[RB_ID_MAX];
    snprintf(job_id, sizeof job_id, "%s", nstr(&r, 0, "job_id"));
    assert_int_equal(strncmp(job_id, "rjob_", 5), 0);

    /* The job: completed, parameters = binding params + engine-supplied ids. */
    rb_job job;
    rb_job_init(&job);
    assert_int_equal(rb_store_job_get(f->st, f->env.id, "edit-captions", job_id, &job, &err),
                     RB_OK);
    assert_int_equal(job.status, RB_JOB_COMPLETED);
    assert_string_equal(json_string_value(json_object_get(job.parameters, "asset_id")),
                        f->asset_id);
    assert_string_equal(json_string_value(json_object_get(job.parameters, "track_id")),
                        f->track_id);
    assert_true(json_is_false(json_object_get(job.parameters, "upload_to_mux")));
    assert_non_null(json_object_get(job.outputs, "temporary_vtt_url"));
    rb_job_clear(&job);
    /* Its pending event carries the directive context. */
    rb_event *ev;
    size_t n;
    assert_int_equal(rb_store_events_for_job(f->st, job_id, &ev, &n, &err), RB_OK);
    assert_true(n >= 3);
    json_t *ctx = json_object_get(ev[0].data, "directive");
    assert_string_equal(json_string_value(json_object_get(ctx, "id")), drv);
    assert_string_equal(json_string_value(json_object_get(ctx, "run_id")), run);
    for (size_t i = 0; i < n; i++)
        rb_event_clear(&ev[i]);
    free(ev);

    char types[128];
    event_types(f, run, types, sizeof types);
    assert_string_equal(types, "created,completed");
    rb_directive_run_clear(&r);
}

static void test_required_missing_errors(void **state)
{
    fixture *f = *state;
    char drv[RB_ID_MAX], run[RB_ID_MAX];
    add_directive(f,
                  "{\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION(
                      "fr", "fr", "required") "],\"workflows\":[{\"reference_id\":\"clean\","
                  "\"workflow\":\"edit-captions\",\"inputs\":[\"fr\"],\"params\":{"
                  "\"auto_censor_profanity\":{}}}]}",
                  drv);
    start_run(f, drv, run);
    int dispatched = -1;
    assert_int_equal(pass(f, &dispatched), 1);
    assert_int_equal(dispatched, 0);
    rb_directive_run r;
    get_run(f, drv, run, &r);
    assert_string_equal(r.status, "errored");
    assert_string_equal(nstr(&r, 0, "status"), "failed");
    assert_string_equal(nstr(&r, 0, "reason"),
                        "input 'fr' is unavailable: caption resource 'fr' (language fr) is "
                        "required but the asset has no such ready track");
    assert_null(json_object_get(node(&r, 0), "job_id"));
    assert_true(r.completed_at > 0);
    rb_directive_run_clear(&r);
    char types[128];
    event_types(f, run, types, sizeof types);
    assert_string_equal(types, "created,errored");
    /* Terminal: no pass picks it up again. */
    assert_int_equal(pass(f, NULL), 0);
}

/* clean → (edited, produced by clean) → again; plus an independent binding.
 * clean's job errors: again fails fast, solo completes → partial. */
static void test_producer_failure_fails_dependents(void **state)
{
    fixture *f = *state;
    char drv[RB_ID_MAX], run[RB_ID_MAX];
    add_directive(
        f,
        "{\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION("captions", "en",
                                                                          "required")
        ",{\"type\":\"video.asset.track\",\"reference_id\":\"edited\",\"kind\":\"caption\","
        "\"source\":{\"via\":\"workflow\",\"binding\":\"clean\"}}],"
        "\"workflows\":["
        "{\"reference_id\":\"again\",\"workflow\":\"edit-captions\",\"inputs\":[\"edited\"],"
        "\"params\":{\"replacements\":[{\"find\":\"a\",\"replace\":\"b\"}]}},"
        "{\"reference_id\":\"clean\",\"workflow\":\"edit-captions\",\"inputs\":[\"captions\"],"
        "\"params\":{\"auto_censor_profanity\":{}}},"
        "{\"reference_id\":\"solo\",\"workflow\":\"edit-captions\",\"inputs\":[\"captions\"],"
        "\"params\":{\"replacements\":[{\"find\":\"Hello\",\"replace\":\"Hi\"}]}}]}",
        drv);
    start_run(f, drv, run);
    int dispatched = 0;
    assert_int_equal(pass(f, &dispatched), 1);
    assert_int_equal(dispatched, 2);
    rb_directive_run r;
    get_run(f, drv, run, &r);
    assert_string_equal(r.status, "running");
    /* node_states follow workflows[] order. */
    assert_string_equal(nstr(&r, 0, "reference_id"), "again");
    assert_string_equal(nstr(&r, 0, "status"), "waiting_for_source_workflow");
    assert_string_equal(nstr(&r, 0, "workflow_name"), "edit-captions");
    const json_t *src = json_object_get(node(&r, 0), "source_workflows");
    assert_int_equal(json_array_size(src), 1);
    assert_string_equal(json_string_value(json_array_get(src, 0)), "clean");
    assert_string_equal(nstr(&r, 1, "status"), "dispatched");
    assert_string_equal(nstr(&r, 2, "status"), "dispatched");
    char clean_job[RB_ID_MAX], solo_job[RB_ID_MAX];
    snprintf(clean_job, sizeof clean_job, "%s", nstr(&r, 1, "job_id"));
    snprintf(solo_job, sizeof solo_job, "%s", nstr(&r, 2, "job_id"));
    rb_directive_run_clear(&r);

    /* A second pass with nothing new changes nothing and creates nothing. */
    assert_int_equal(pass(f, &dispatched), 1);
    assert_int_equal(dispatched, 0);
    get_run(f, drv, run, &r);
    assert_string_equal(nstr(&r, 1, "job_id"), clean_job);
    rb_directive_run_clear(&r);

    finish_job(f, clean_job, 0);
    finish_job(f, solo_job, 1);
    assert_int_equal(pass(f, &dispatched), 1);
    get_run(f, drv, run, &r);
    assert_string_equal(r.status, "partial");
    assert_string_equal(nstr(&r, 0, "status"), "failed");
    char want[256];
    snprintf(want, sizeof want,
             "input 'edited' is unavailable: caption resource 'edited': producer job %s of "
             "binding 'clean' errored",
             clean_job);
    assert_string_equal(nstr(&r, 0, "reason"), want);
    assert_string_equal(nstr(&r, 1, "status"), "dispatched");
    assert_string_equal(nstr(&r, 2, "status"), "dispatched");
    rb_directive_run_clear(&r);
    char types[128];
    event_types(f, run, types, sizeof types);
    assert_string_equal(types, "created,partial");
}

/* The producer completes and names the track it uploaded: the dependent
 * binding gets exactly that track as its track_id. */
static void test_producer_success_feeds_dependent(void **state)
{
    fixture *f = *state;
    char drv[RB_ID_MAX], run[RB_ID_MAX];
    add_directive(
        f,
        "{\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION("captions", "en",
                                                                          "required")
        ",{\"type\":\"video.asset.track\",\"reference_id\":\"edited\",\"kind\":\"caption\","
        "\"language\":\"en\",\"source\":{\"via\":\"workflow\",\"binding\":\"clean\"}}],"
        "\"workflows\":["
        "{\"reference_id\":\"clean\",\"workflow\":\"edit-captions\",\"inputs\":[\"captions\"],"
        "\"params\":{\"auto_censor_profanity\":{}}},"
        "{\"reference_id\":\"again\",\"workflow\":\"edit-captions\",\"inputs\":[\"edited\"],"
        "\"params\":{\"replacements\":[{\"find\":\"a\",\"replace\":\"b\"}]}}]}",
        drv);
    start_run(f, drv, run);
    assert_int_equal(pass(f, NULL), 1);
    rb_directive_run r;
    get_run(f, drv, run, &r);
    char clean_job[RB_ID_MAX];
    snprintf(clean_job, sizeof clean_job, "%s", nstr(&r, 0, "job_id"));
    assert_string_equal(nstr(&r, 1, "status"), "waiting_for_source_workflow");
    rb_directive_run_clear(&r);

    /* While the producer's job runs, a matching track alone is not enough. */
    char other[RB_ID_MAX], made[RB_ID_MAX];
    rb_err err;
    assert_int_equal(rb_library_add_text_track(&f->lib, f->env.id, f->asset_id, "Other", "en",
                                               "subtitles", 0, VTT, strlen(VTT), other, &err),
                     RB_OK);
    assert_int_equal(pass(f, NULL), 1);
    get_run(f, drv, run, &r);
    assert_string_equal(nstr(&r, 1, "status"), "waiting_for_source_workflow");
    rb_directive_run_clear(&r);

    assert_int_equal(rb_library_add_text_track(&f->lib, f->env.id, f->asset_id, "Edited", "en",
                                               "subtitles", 0, VTT, strlen(VTT), made, &err),
                     RB_OK);
    finish_job_out(f, clean_job, 1, json_pack("{s:s}", "uploaded_track_id", made));
    int dispatched = 0;
    assert_int_equal(pass(f, &dispatched), 1);
    assert_int_equal(dispatched, 1);
    get_run(f, drv, run, &r);
    assert_string_equal(nstr(&r, 1, "status"), "dispatched");
    char again_job[RB_ID_MAX];
    snprintf(again_job, sizeof again_job, "%s", nstr(&r, 1, "job_id"));
    rb_directive_run_clear(&r);
    rb_job job;
    rb_job_init(&job);
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, again_job, &job, &err), RB_OK);
    assert_string_equal(json_string_value(json_object_get(job.parameters, "track_id")), made);
    rb_job_clear(&job);
    finish_job(f, again_job, 1);
    assert_int_equal(pass(f, NULL), 1);
    get_run(f, drv, run, &r);
    assert_string_equal(r.status, "completed");
    rb_directive_run_clear(&r);
}

/* An external caption is waited for; once uploaded the binding dispatches.
 * Unavailable sources fail only their own dependents. */
static void test_external_wait_and_unavailable_sources(void **state)
{
    fixture *f = *state;
    char drv[RB_ID_MAX], run[RB_ID_MAX];
    add_directive(
        f,
        "{\"subject\":{\"type\":\"video.asset\"},\"resources\":["
        "{\"type\":\"video.asset.track\",\"reference_id\":\"de\",\"kind\":\"caption\","
        "\"language\":\"de\"},"
        "{\"type\":\"video.asset.shots\",\"reference_id\":\"shots\"},"
        "{\"type\":\"video.asset.track\",\"reference_id\":\"auto\",\"kind\":\"caption\","
        "\"language\":\"ja\",\"source\":{\"via\":\"mux_api\",\"action\":\"generate_subtitles\"}}"
        "],\"workflows\":["
        "{\"reference_id\":\"de_edit\",\"workflow\":\"edit-captions\",\"inputs\":[\"de\"],"
        "\"params\":{\"auto_censor_profanity\":{}}},"
        "{\"reference_id\":\"shot_edit\",\"workflow\":\"edit-captions\",\"inputs\":[\"shots\","
        "\"de\"],\"params\":{\"auto_censor_profanity\":{}}},"
        "{\"reference_id\":\"ja_edit\",\"workflow\":\"edit-captions\",\"inputs\":[\"auto\"],"
        "\"params\":{\"auto_censor_profanity\":{}}}]}",
        drv);
    start_run(f, drv, run);
    assert_int_equal(pass(f, NULL), 1);
    rb_directive_run r;
    get_run(f, drv, run, &r);
    assert_string_equal(r.status, "waiting");
    assert_string_equal(nstr(&r, 0, "status"), "waiting_for_resources");
    assert_string_equal(nstr(&r, 1, "status"), "failed");
    assert_non_null(strstr(nstr(&r, 1, "reason"), "shots are not supported"));
    assert_string_equal(nstr(&r, 2, "status"), "failed");
    assert_non_null(strstr(nstr(&r, 2, "reason"),
                           "mux_api generate_subtitles is not available in the embedded media "
                           "library"));
    rb_directive_run_clear(&r);

    /* The German track is uploaded out of band. */
    char de[RB_ID_MAX];
    rb_err err;
    assert_int_equal(rb_library_add_text_track(&f->lib, f->env.id, f->asset_id, "Deutsch", "de",
                                               "subtitles", 0, VTT, strlen(VTT), de, &err),
                     RB_OK);
    int dispatched = 0;
    assert_int_equal(pass(f, &dispatched), 1);
    assert_int_equal(dispatched, 1);
    get_run(f, drv, run, &r);
    assert_string_equal(r.status, "running");
    assert_string_equal(nstr(&r, 0, "status"), "dispatched");
    char job_id[RB_ID_MAX];
    snprintf(job_id, sizeof job_id, "%s", nstr(&r, 0, "job_id"));
    /* A failed binding stays failed even though its other input is ready. */
    assert_string_equal(nstr(&r, 1, "status"), "failed");
    rb_directive_run_clear(&r);
    rb_job job;
    rb_job_init(&job);
    assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, job_id, &job, &err), RB_OK);
    assert_string_equal(json_string_value(json_object_get(job.parameters, "track_id")), de);
    rb_job_clear(&job);

    /* Deleting the directive does not stop the run. */
    assert_int_equal(rb_store_directive_delete(f->st, f->env.id, drv, &err), RB_OK);
    finish_job(f, job_id, 1);
    assert_int_equal(pass(f, NULL), 1);
    get_run(f, drv, run, &r);
    assert_string_equal(r.status, "partial");
    rb_directive_run_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_completes_with_engine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_required_missing_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_producer_failure_fails_dependents, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_producer_success_feeds_dependent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_external_wait_and_unavailable_sources, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
