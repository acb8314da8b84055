/* test_engine.c — unit tests for src/engine/engine.c against a real SQLite
 * store and media library in a temporary directory.
 *
 * Covers the backoff schedule, a full edit-captions run (outputs, stored
 * tracks, signed URL, the exact event sequence), retries ending in errored,
 * cancel while processing (with the delay knob) and the rescue of a job
 * whose worker died holding the lease. */
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
#include "common/config.h"
#include "common/crypto.h"
#include "engine/engine.h"
#include "media/library.h"
#include "store/store.h"
#include "workflows/workflow.h"

static const char *SOURCE_VTT = "WEBVTT\n"
                                "\n"
                                "1\n"
                                "00:00:01.000 --> 00:00:03.000\n"
                                "[speaker_0] We're gonna talk about Mucks today.\n"
                                "\n"
                                "2\n"
                                "00:00:03.500 --> 00:00:05.000 align:start\n"
                                "[speaker_1] Mucks is great, gonna love it.\n";

static const char *EDITED_VTT = "WEBVTT\n"
                                "\n"
                                "1\n"
                                "00:00:01.000 --> 00:00:03.000\n"
                                "[Host] We're going to talk about Mux today.\n"
                                "\n"
                                "2\n"
                                "00:00:03.500 --> 00:00:05.000 align:start\n"
                                "[Guest] Mux is great, going to love it.\n";

static const char *PARAMS_FMT =
    "{\"asset_id\":\"%s\",\"track_id\":\"%s\","
    "\"replacements\":[{\"find\":\"Mucks\",\"replace\":\"Mux\",\"case_sensitive\":true},"
    "{\"find\":\"gonna\",\"replace\":\"going to\"}],"
    "\"speaker_replacements\":[{\"find\":\"speaker_0\",\"replace\":\"Host\"},"
    "{\"find\":\"speaker_1\",\"replace\":\"Guest\"}]}";

typedef struct fixture {
    char dir[256];
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
    snprintf(f->dir, sizeof f->dir, "/tmp/robots-test-engine-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    rb_config_defaults(&f->cfg);
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", f->dir);
    snprintf(f->cfg.database, sizeof f->cfg.database, "sqlite:%s/robots.db", f->dir);
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
    a.playback_ids = json_pack("[{s:s, s:s}]", "id", "pbtestpublic0001", "policy", "public");
    a.thumbnail_time = -1;
    a.created_at = rb_now();
    assert_int_equal(rb_store_asset_insert(f->st, &a, &err), RB_OK);
    snprintf(f->asset_id, sizeof f->asset_id, "%s", a.id);
    json_decref(a.inputs);
    json_decref(a.playback_ids);
    assert_int_equal(rb_library_add_text_track(&f->lib, f->env.id, f->asset_id, "English", "en",
                                               "subtitles", 0, SOURCE_VTT, strlen(SOURCE_VTT),
                                               f->track_id, &err),
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
    unsetenv("ROBOTS_DEBUG_WORKFLOW_DELAY_MS");
    return 0;
}

/* Creates a pending edit-captions job the way the API does. */
static void create_job(fixture *f, rb_job *job)
{
    char params[1024];
    snprintf(params, sizeof params, PARAMS_FMT, f->asset_id, f->track_id);
    rb_job_init(job);
    assert_int_equal(rb_random_id(job->id, sizeof job->id, "rjob_", 24), RB_OK);
    snprintf(job->env_id, sizeof job->env_id, "%s", f->env.id);
    snprintf(job->workflow, sizeof job->workflow, "edit-captions");
    snprintf(job->asset_id, sizeof job->asset_id, "%s", f->asset_id);
    job->status = RB_JOB_PENDING;
    job->parameters = json_loads(params, 0, NULL);
    assert_non_null(job->parameters);
    job->max_attempts = f->cfg.max_attempts;
    job->created_at = rb_now();
    job->updated_at = job->created_at;
    rb_job_create c = {.job = job};
    char conflict[RB_ID_MAX];
    int replayed = 0;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_store_job_create(f->st, &c, conflict, &replayed, &err), RB_OK);
}

/* Polls until the job reaches status (or timeout_ms passes); loads it into out. */
static int wait_status(fixture *f, const char *id, enum rb_job_status want, int timeout_ms,
                       rb_job *out)
{
    for (int waited = 0;; waited += 50) {
        rb_err err;
        rb_err_clear(&err);
        rb_job_clear(out);
        assert_int_equal(rb_store_job_get(f->st, f->env.id, NULL, id, out, &err), RB_OK);
        if (out->status == want)
            return 1;
        if (waited >= timeout_ms)
            return 0;
        sleep_ms(50);
    }
}

/* The status suffixes of the job's events, joined with ',' ("pending,processing"). */
static void event_sequence(fixture *f, const char *id, char *out, size_t outsz)
{
    rb_event *ev = NULL;
    size_t n = 0;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_store_events_for_job(f->st, id, &ev, &n, &err), RB_OK);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *dot = strrchr(ev[i].type, '.');
        assert_non_null(dot);
        assert_true(strncmp(ev[i].type, "robots.job.edit_captions.", 25) == 0);
        /* Every event carries the job as it was then, with the same status. */
        assert_string_equal(json_string_value(json_object_get(ev[i].data, "status")), dot + 1);
        size_t len = strlen(out);
        snprintf(out + len, outsz - len, "%s%s", i ? "," : "", dot + 1);
        rb_event_clear(&ev[i]);
    }
    free(ev);
}

static int count_tracks(fixture *f)
{
    rb_asset a;
    memset(&a, 0, sizeof a);
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_store_asset_get(f->st, f->env.id, f->asset_id, &a, &err), RB_OK);
    int n = (int)a.n_tracks;
    rb_asset_clear(&a);
    return n;
}

/* ---- backoff ------------------------------------------------------------ */

static void test_backoff(void **state)
{
    (void)state;
    /* attempts → undisturbed delay: 2 s, 4 s, 8 s ... capped at 300 s. */
    static const struct {
        int attempts;
        int64_t nominal;
    } rows[] = {{0, 2000}, {1, 2000}, {2, 4000}, {3, 8000}, {4, 16000}, {8, 256000},
                {9, 300000}, {30, 300000}, {1000, 300000}};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        int64_t lo = rows[r].nominal * 8 / 10, hi = rows[r].nominal * 12 / 10;
        int64_t min = INT64_MAX, max = 0;
        for (int i = 0; i < 200; i++) {
            int64_t d = rb_engine_backoff_ms(rows[r].attempts, 2000, 300000);
            assert_true(d >= lo && d <= hi);
            min = d < min ? d : min;
            max = d > max ? d : max;
        }
        /* The jitter really spreads the delays (200 draws over ±20 %). */
        assert_true(max - min > rows[r].nominal / 10);
    }
    /* Degenerate inputs stay positive and bounded. */
    assert_true(rb_engine_backoff_ms(1, 0, 0) >= 1);
    int64_t d = rb_engine_backoff_ms(5, 100, 50);
    assert_true(d >= 80 && d <= 120);
}

/* ---- a full edit-captions run ------------------------------------------ */

static void test_edit_captions_completes(void **state)
{
    fixture *f = *state;
    rb_job job, got;
    create_job(f, &job);
    rb_job_init(&got);
    rb_engine *e;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_engine_start(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    rb_engine_wake(e);
    int done = wait_status(f, job.id, RB_JOB_COMPLETED, 10000, &got);
    rb_engine_stop(e);
    assert_true(done);

    assert_int_equal(got.units_consumed, 1);
    assert_int_equal(got.attempts, 1);
    assert_null(got.errors);
    assert_int_equal(json_integer_value(json_object_get(got.outputs, "total_replacement_count")),
                     6);
    const char *new_id = json_string_value(json_object_get(got.outputs, "uploaded_track_id"));
    assert_non_null(new_id);

    /* The uploaded track holds exactly the edited VTT, named after the source. */
    rb_track t;
    memset(&t, 0, sizeof t);
    char *content = NULL;
    size_t len = 0;
    assert_int_equal(
        rb_library_text_track(&f->lib, f->env.id, f->asset_id, new_id, &t, &content, &len, &err),
        RB_OK);
    assert_string_equal(content, EDITED_VTT);
    assert_string_equal(t.name, "English (edited)");
    assert_string_equal(t.language_code, "en");
    assert_string_equal(t.text_type, "subtitles");
    free(content);
    rb_track_clear(&t);

    /* The original is gone; the asset has only the edited track. */
    memset(&t, 0, sizeof t);
    int rc = rb_store_track_get(f->st, f->env.id, f->asset_id, f->track_id, &t, &err);
    assert_true(rc == RB_NOTFOUND || (rc == RB_OK && strcmp(t.status, "deleted") == 0));
    rb_track_clear(&t);
    assert_int_equal(count_tracks(f), 1);

    /* temporary_vtt_url: <public_url>/files/<blob>?expires=<~now+7d>&sig=<hmac>,
     * the signature verifies and the blob is the edited VTT. */
    const char *url = json_string_value(json_object_get(got.outputs, "temporary_vtt_url"));
    assert_non_null(url);
    const char *prefix = "http://127.0.0.1:1/files/";
    assert_true(strncmp(url, prefix, strlen(prefix)) == 0);
    char blob[RB_ID_MAX], expires[32], sig[80];
    assert_int_equal(sscanf(url + strlen(prefix), "%63[^?]?expires=%31[^&]&sig=%79s", blob,
                            expires, sig),
                     3);
    assert_int_equal(rb_library_verify_file_sig(&f->lib, blob, expires, sig), RB_OK);
    int64_t exp = strtoll(expires, NULL, 10);
    assert_true(exp >= got.completed_at + 7 * 86400 - 5 && exp <= got.completed_at + 7 * 86400 + 5);
    sig[0] = sig[0] == 'a' ? 'b' : 'a';
    assert_int_not_equal(rb_library_verify_file_sig(&f->lib, blob, expires, sig), RB_OK);
    char *data = NULL;
    char ctype[64];
    assert_int_equal(rb_store_blob_get(f->st, blob, &data, &len, ctype, &err), RB_OK);
    assert_string_equal(data, EDITED_VTT);
    assert_string_equal(ctype, "text/vtt");
    free(data);

    char seq[256];
    event_sequence(f, job.id, seq, sizeof seq);
    assert_string_equal(seq, "pending,processing,completed");
    rb_job_clear(&job);
    rb_job_clear(&got);
}

/* ---- retries ------------------------------------------------------------ */

static int failing_runs;

static int run_failing(rb_wf_ctx *ctx, rb_wf_result *out, rb_err *err)
{
    (void)ctx;
    __atomic_add_fetch(&failing_runs, 1, __ATOMIC_SEQ_CST);
    out->retryable = 1;
    out->units = 0;
    return rb_err_set(err, 502, "processing_error", "the upstream service is unavailable");
}

static const rb_workflow failing_wf = {"edit-captions", run_failing};

static const rb_workflow *find_failing(const char *name)
{
    return strcmp(name, "edit-captions") == 0 ? &failing_wf : NULL;
}

static void test_retry_then_errored(void **state)
{
    fixture *f = *state;
    rb_job job, got;
    create_job(f, &job);
    rb_job_init(&got);
    failing_runs = 0;
    rb_engine *e;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_engine_create(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    rb_engine_set_finder(e, find_failing);
    rb_engine_set_backoff(e, 200, 400);
    int64_t t0 = rb_now_ms();
    assert_int_equal(rb_engine_run(e, &err), RB_OK);
    int done = wait_status(f, job.id, RB_JOB_ERRORED, 15000, &got);
    int64_t took = rb_now_ms() - t0;
    rb_engine_stop(e);
    assert_true(done);
    /* max_attempts = 3: three runs, two backoffs of ~200 and ~400 ms between. */
    assert_int_equal(__atomic_load_n(&failing_runs, __ATOMIC_SEQ_CST), 3);
    assert_int_equal(got.attempts, 3);
    assert_true(took >= 480);
    assert_int_equal(got.units_consumed, 0);
    assert_int_equal(json_array_size(got.errors), 1);
    json_t *e0 = json_array_get(got.errors, 0);
    /* A 5xx is not customer-safe: the type is kept generic, the detail logged. */
    assert_string_equal(json_string_value(json_object_get(e0, "type")), "processing_error");
    assert_non_null(json_string_value(json_object_get(e0, "message")));
    assert_true(json_is_true(json_object_get(e0, "retryable")));
    assert_null(got.outputs);

    char seq[256];
    event_sequence(f, job.id, seq, sizeof seq);
    /* Retries are invisible to clients: one processing event, then errored. */
    assert_string_equal(seq, "pending,processing,errored");
    rb_job_clear(&job);
    rb_job_clear(&got);
}

static void test_validation_error_not_retried(void **state)
{
    fixture *f = *state;
    rb_err err;
    rb_err_clear(&err);
    /* The track disappears between create and run. */
    assert_int_equal(rb_library_delete_track(&f->lib, f->env.id, f->asset_id, f->track_id, &err),
                     RB_OK);
    rb_job job, got;
    create_job(f, &job);
    rb_job_init(&got);
    rb_engine *e;
    assert_int_equal(rb_engine_start(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    int done = wait_status(f, job.id, RB_JOB_ERRORED, 10000, &got);
    rb_engine_stop(e);
    assert_true(done);
    assert_int_equal(got.attempts, 1);
    assert_int_equal(got.units_consumed, 0);
    json_t *e0 = json_array_get(got.errors, 0);
    assert_string_equal(json_string_value(json_object_get(e0, "type")), "validation_error");
    assert_true(json_is_false(json_object_get(e0, "retryable")));
    assert_non_null(strstr(json_string_value(json_object_get(e0, "message")), f->track_id));
    rb_job_clear(&job);
    rb_job_clear(&got);
}

/* ---- cancel while processing ------------------------------------------- */

static void test_cancel_while_processing(void **state)
{
    fixture *f = *state;
    setenv("ROBOTS_DEBUG_WORKFLOW_DELAY_MS", "5000", 1);
    rb_job job, got;
    create_job(f, &job);
    rb_job_init(&got);
    rb_engine *e;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_engine_start(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    assert_true(wait_status(f, job.id, RB_JOB_PROCESSING, 5000, &got));
    rb_job cancelled;
    rb_job_init(&cancelled);
    assert_int_equal(rb_store_job_cancel(f->st, f->env.id, job.id, &cancelled, &err), RB_OK);
    assert_int_equal(cancelled.status, RB_JOB_CANCELLED);
    rb_job_clear(&cancelled);
    /* The worker notices within a status-check interval and stops; stop()
     * returns long before the 5 s delay would have run out. */
    sleep_ms(600);
    int64_t t0 = rb_now_ms();
    rb_engine_stop(e);
    assert_true(rb_now_ms() - t0 < 2000);

    assert_true(wait_status(f, job.id, RB_JOB_CANCELLED, 0, &got));
    assert_null(got.outputs);
    assert_int_equal(got.units_consumed, 0);
    /* Nothing was uploaded or deleted. */
    assert_int_equal(count_tracks(f), 1);
    char seq[256];
    event_sequence(f, job.id, seq, sizeof seq);
    assert_string_equal(seq, "pending,processing,cancelled");
    rb_job_clear(&job);
    rb_job_clear(&got);
}

/* ---- a crashed worker's job is rescued --------------------------------- */

static void test_dead_worker_job_reclaimed(void **state)
{
    fixture *f = *state;
    rb_job job, got;
    create_job(f, &job);
    rb_job_init(&got);
    rb_err err;
    rb_err_clear(&err);
    /* A worker of another process claims the job with a 1 s lease and dies. */
    rb_job claimed;
    rb_job_init(&claimed);
    size_t n = 0;
    assert_int_equal(rb_store_job_claim(f->st, "deadhost:1:0", 1, 1, &claimed, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(claimed.id, job.id);
    rb_job_clear(&claimed);

    rb_engine *e;
    assert_int_equal(rb_engine_start(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    int done = wait_status(f, job.id, RB_JOB_COMPLETED, 10000, &got);
    rb_engine_stop(e);
    assert_true(done);
    assert_int_equal(got.attempts, 2);
    assert_int_equal(json_integer_value(json_object_get(got.outputs, "total_replacement_count")),
                     6);
    /* The dead worker can no longer complete it. */
    json_t *o = json_object();
    assert_int_equal(rb_store_job_complete(f->st, job.id, "deadhost:1:0", o, 1, &err),
                     RB_CONFLICT);
    json_decref(o);
    char seq[256];
    event_sequence(f, job.id, seq, sizeof seq);
    assert_string_equal(seq, "pending,processing,completed");
    rb_job_clear(&job);
    rb_job_clear(&got);
}

/* A job whose workers keep dying is not rescued forever: when the lease of
 * its last allowed attempt expires, the next claim errors it (store rule)
 * and the engine never runs it. */
static void test_rescue_limit(void **state)
{
    fixture *f = *state;
    f->cfg.max_attempts = 1;
    rb_job job, got;
    create_job(f, &job);
    rb_job_init(&got);
    rb_err err;
    rb_err_clear(&err);
    rb_job claimed;
    rb_job_init(&claimed);
    size_t n = 0;
    assert_int_equal(rb_store_job_claim(f->st, "deadhost:1:0", 1, 1, &claimed, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    rb_job_clear(&claimed);
    rb_engine *e;
    assert_int_equal(rb_engine_start(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    int done = wait_status(f, job.id, RB_JOB_ERRORED, 10000, &got);
    rb_engine_stop(e);
    assert_true(done);
    assert_int_equal(got.attempts, 1);
    json_t *e0 = json_array_get(got.errors, 0);
    assert_string_equal(json_string_value(json_object_get(e0, "type")), "processing_error");
    assert_non_null(strstr(json_string_value(json_object_get(e0, "message")), "stopped responding"));
    char seq[256];
    event_sequence(f, job.id, seq, sizeof seq);
    assert_string_equal(seq, "pending,processing,errored");
    /* It never ran: the source track is untouched and alone. */
    assert_int_equal(count_tracks(f), 1);
    rb_track t;
    memset(&t, 0, sizeof t);
    assert_int_equal(rb_store_track_get(f->st, f->env.id, f->asset_id, f->track_id, &t, &err),
                     RB_OK);
    assert_string_equal(t.status, "ready");
    rb_track_clear(&t);
    rb_job_clear(&job);
    rb_job_clear(&got);
}

/* ---- heartbeats keep a long job's lease -------------------------------- */

static void test_heartbeat_keeps_lease(void **state)
{
    fixture *f = *state;
    /* The job runs 7 s with a 5 s lease and a second idle worker: without
     * heartbeats that worker would re-claim it (attempts 2) after 5 s. */
    setenv("ROBOTS_DEBUG_WORKFLOW_DELAY_MS", "7000", 1);
    f->cfg.lease_seconds = 5;
    f->cfg.workers = 2;
    rb_job job, got;
    create_job(f, &job);
    rb_job_init(&got);
    rb_engine *e;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_engine_start(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    int done = wait_status(f, job.id, RB_JOB_COMPLETED, 15000, &got);
    rb_engine_stop(e);
    assert_true(done);
    assert_int_equal(got.attempts, 1);
    assert_true(got.completed_at - got.started_at >= 6);
    /* Exactly one upload: the edited track alone is left. */
    assert_int_equal(count_tracks(f), 1);
    rb_job_clear(&job);
    rb_job_clear(&got);
}

/* ---- stop releases a running job --------------------------------------- */

static void test_stop_releases_running_job(void **state)
{
    fixture *f = *state;
    setenv("ROBOTS_DEBUG_WORKFLOW_DELAY_MS", "3000", 1);
    rb_job job, got;
    create_job(f, &job);
    rb_job_init(&got);
    rb_engine *e;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_engine_start(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    assert_true(wait_status(f, job.id, RB_JOB_PROCESSING, 5000, &got));
    sleep_ms(100);
    rb_engine_stop(e);
    /* A second engine (the restarted server) picks it up at once rather than
     * after the 6 s lease, and finishes it. */
    unsetenv("ROBOTS_DEBUG_WORKFLOW_DELAY_MS");
    int64_t t0 = rb_now_ms();
    assert_int_equal(rb_engine_start(f->st, &f->lib, &f->cfg, &e, &err), RB_OK);
    int done = wait_status(f, job.id, RB_JOB_COMPLETED, 10000, &got);
    int64_t took = rb_now_ms() - t0;
    rb_engine_stop(e);
    assert_true(done);
    assert_true(took < 4000);
    char seq[256];
    event_sequence(f, job.id, seq, sizeof seq);
    assert_string_equal(seq, "pending,processing,completed");
    rb_job_clear(&job);
    rb_job_clear(&got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff),
        cmocka_unit_test_setup_teardown(test_edit_captions_completes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_then_errored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_error_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_while_processing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_worker_job_reclaimed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_releases_running_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_keeps_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rescue_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
