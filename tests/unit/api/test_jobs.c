/* test_jobs.c — the Robots jobs handlers against a real temporary SQLite
 * store: create (202, every 4xx/501 path, dedupe 409, Idempotency-Key),
 * retrieve, list (filters, paging, total, bad query values) and cancel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/api.h"
#include "common/clock.h"
#include "media/library.h"

typedef struct fixture {
    char dir[64];
    rb_store *st;
    rb_config cfg;
    rb_library lib;
    rb_app app;
    rb_env dev, prod;
    int wakes;
} fixture;


/* "moderate" stands in for a workflow whose engine is not built. */
static int available(const char *wf)
{
    return strcmp(wf, "moderate") != 0;
}

static void wake(void *arg)
{
    ((fixture *)arg)->wakes++;
}

static void add_track(rb_asset *a, const char *id, const char *type, const char *status,
                      const char *lang)
{
    rb_track *t = &a->tracks[a->n_tracks++];
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    snprintf(t->asset_id, sizeof t->asset_id, "%s", a->id);
    snprintf(t->env_id, sizeof t->env_id, "%s", a->env_id);
    snprintf(t->type, sizeof t->type, "%s", type);
    snprintf(t->status, sizeof t->status, "%s", status);
    if (strcmp(type, "text") == 0) {
        snprintf(t->text_type, sizeof t->text_type, "subtitles");
        snprintf(t->text_source, sizeof t->text_source, "uploaded");
    }
    snprintf(t->language_code, sizeof t->language_code, "%s", lang);
    snprintf(t->name, sizeof t->name, "%s track", lang);
    t->created_at = rb_now();
}

static void add_asset(fixture *f, const rb_env *env, const char *id, const char *status,
                      const char *policy, int with_tracks)
{
    rb_asset a;
    memset(&a, 0, sizeof a);
    rb_track tracks[4];
    snprintf(a.id, sizeof a.id, "%s", id);
    snprintf(a.env_id, sizeof a.env_id, "%s", env->id);
    snprintf(a.status, sizeof a.status, "%s", status);
    a.duration = 60;
    a.meta = json_pack("{s:s}", "title", "Test asset");
    a.passthrough = "asset-pt";
    a.inputs = json_pack("[{s:s}]", "url", "https://example.com/v.mp4");
    a.playback_ids = json_array();
    if (policy) {
        char pid[64];
        snprintf(pid, sizeof pid, "pb_%s", id);
        json_array_append_new(a.playback_ids, json_pack("{s:s,s:s}", "id", pid, "policy", policy));
    }
    a.tracks = tracks;
    if (with_tracks == 2) { /* audio-only, with captions */
        add_track(&a, "trk_a_audio", "audio", "ready", "en");
        add_track(&a, "trk_a_en", "text", "ready", "en");
    } else if (with_tracks) {
        add_track(&a, "trk_en", "text", "ready", "en");
        add_track(&a, "trk_prep", "text", "preparing", "de");
        add_track(&a, "trk_audio", "audio", "ready", "en");
        add_track(&a, "trk_err", "text", "errored", "es");
    }
    a.thumbnail_time = -1;
    a.created_at = rb_now();
    rb_err err;
    if (rb_store_asset_insert(f->st, &a, &err) != RB_OK)
        fail_msg("asset insert: %s", err.message);
    json_decref(a.meta);
    json_decref(a.inputs);
    json_decref(a.playback_ids);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rb_jobs_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    rb_config_defaults(&f->cfg);
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", f->dir);
    snprintf(f->cfg.database, sizeof f->cfg.database, "sqlite:%s/robots.db", f->dir);
    snprintf(f->cfg.public_url, sizeof f->cfg.public_url, "https://robots.example");
    f->cfg.max_attempts = 3;
    rb_config_finish(&f->cfg);
    rb_err err;
    if (rb_store_open(f->cfg.database, 2, &f->st, &err) != RB_OK)
        return -1;
    if (rb_library_init(&f->lib, f->st, &f->cfg, &err) != RB_OK)
        return -1;
    if (rb_store_env_ensure(f->st, "dev", &f->dev, &err) != RB_OK ||
        rb_store_env_ensure(f->st, "prod", &f->prod, &err) != RB_OK)
        return -1;
    f->app.store = f->st;
    f->app.library = &f->lib;
    f->app.cfg = &f->cfg;
    f->app.workflow_available = available;
    f->app.wake_workers = wake;
    f->app.wake_workers_arg = f;
    add_asset(f, &f->dev, "asset_ready", "ready", "public", 1);
    add_asset(f, &f->dev, "asset_signed", "ready", "signed", 0);
    add_asset(f, &f->dev, "asset_preparing", "preparing", "public", 0);
    add_asset(f, &f->dev, "asset_nopb", "ready", NULL, 0);
    add_asset(f, &f->dev, "asset_drm", "ready", "drm", 0);
    add_asset(f, &f->dev, "asset_audio", "ready", "public", 2);
    add_asset(f, &f->prod, "asset_prod", "ready", "public", 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rb_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

typedef struct call {
    rb_req req;
    rb_kv headers[2];
    rb_kv query[8];
    rb_resp resp;
} call;

static void call_init(call *c, const rb_env *env, const char *p0, const char *p1)
{
    memset(c, 0, sizeof *c);
    c->req.env = *env;
    c->req.token_id = "tok_test";
    c->req.params[0] = p0;
    c->req.params[1] = p1;
    c->req.nparams = p1 ? 2 : p0 ? 1 : 0;
    c->req.headers = c->headers;
    c->req.query = c->query;
    rb_resp_init(&c->resp);
}

static int create_idem(fixture *f, const rb_env *env, const char *wf, const char *body,
                       const char *idem, call *c)
{
    call_init(c, env, wf, NULL);
    c->req.method = "POST";
    c->req.body = body;
    c->req.body_len = body ? strlen(body) : 0;
    if (idem) {
        c->headers[0] = (rb_kv){"idempotency-key", idem};
        c->req.nheaders = 1;
    }
    rb_api_job_create(&f->app, &c->req, &c->resp);
    return c->resp.status;
}

static int create(fixture *f, const char *wf, const char *body, call *c)
{
    return create_idem(f, &f->dev, wf, body, NULL, c);
}

static const char *err_type(const call *c)
{
    return json_string_value(json_object_get(json_object_get(c->resp.json, "error"), "type"));
}

static const char *err_msg(const call *c)
{
    return json_string_value(json_object_get(json_object_get(c->resp.json, "error"), "message"));
}

static const char *data_str(const call *c, const char *key)
{
    return json_string_value(json_object_get(json_object_get(c->resp.json, "data"), key));
}

static const char *resp_header(const call *c, const char *k)
{
    for (size_t i = 0; i < c->resp.nheaders; i++)
        if (strcasecmp(c->resp.headers[i].key, k) == 0)
            return c->resp.headers[i].value;
    return NULL;
}

static void expect_error(call *c, int status, const char *type, const char *needle)
{
    if (c->resp.status != status)
        fail_msg("expected %d, got %d: %s", status, c->resp.status,
                 err_msg(c) ? err_msg(c) : "(no message)");
    assert_string_equal(err_type(c), type);
    if (needle && !strstr(err_msg(c), needle))
        fail_msg("message '%s' lacks '%s'", err_msg(c), needle);
    json_t *msgs = json_object_get(json_object_get(c->resp.json, "error"), "messages");
    assert_string_equal(json_string_value(json_array_get(msgs, 0)), err_msg(c));
    rb_resp_free(&c->resp);
}

/* Creates a job and returns its id in out. */
static void create_ok(fixture *f, const char *wf, const char *body, char out[RB_ID_MAX])
{
    call c;
    if (create(f, wf, body, &c) != 202)
        fail_msg("create %s %s: %d %s", wf, body, c.resp.status, err_msg(&c));
    snprintf(out, RB_ID_MAX, "%s", data_str(&c, "id"));
    rb_resp_free(&c.resp);
}

/* ---- create --------------------------------------------------------------- */

static void test_create_valid(void **state)
{
    fixture *f = *state;
    call c;
    const char *body = "{\"parameters\":{\"asset_id\":\"asset_ready\",\"tone\":\"playful\"},"
                       "\"passthrough\":\"my-ref\"}";
    assert_int_equal(create(f, "summarize", body, &c), 202);
    json_t *d = json_object_get(c.resp.json, "data");
    const char *id = data_str(&c, "id");
    assert_int_equal(strncmp(id, "rjob_", 5), 0);
    assert_int_equal(strlen(id), 5 + 24);
    assert_string_equal(data_str(&c, "workflow"), "summarize");
    assert_string_equal(data_str(&c, "status"), "pending");
    assert_string_equal(data_str(&c, "passthrough"), "my-ref");
    assert_int_equal(json_integer_value(json_object_get(d, "units_consumed")), 0);
    assert_true(json_integer_value(json_object_get(d, "created_at")) >= rb_now() - 5);
    assert_null(json_object_get(d, "outputs"));
    assert_null(json_object_get(d, "_links"));
    /* parameters echoed as sent, no defaults filled */
    json_t *want = json_pack("{s:s,s:s}", "asset_id", "asset_ready", "tone", "playful");
    assert_true(json_equal(json_object_get(d, "parameters"), want));
    json_decref(want);
    /* resources: the slim asset */
    json_t *a0 = json_array_get(json_object_get(json_object_get(d, "resources"), "assets"), 0);
    assert_string_equal(json_string_value(json_object_get(a0, "id")), "asset_ready");
    assert_string_equal(json_string_value(json_object_get(a0, "passthrough")), "asset-pt");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_object_get(a0, "_links"), "self"),
                                          "href")),
        "https://robots.example/video/v1/assets/asset_ready");
    assert_int_equal(f->wakes, 1);

    /* Stored: the store returns the same job, with max_attempts from config. */
    rb_job job;
    rb_job_init(&job);
    rb_err err;
    assert_int_equal(rb_store_job_get(f->st, f->dev.id, "summarize", id, &job, &err), RB_OK);
    assert_int_equal(job.status, RB_JOB_PENDING);
    assert_string_equal(job.asset_id, "asset_ready");
    assert_int_equal(job.max_attempts, 3);
    json_t *stored = rb_job_to_json(&job);
    assert_true(json_equal(stored, d));
    json_decref(stored);
    rb_job_clear(&job);
    rb_resp_free(&c.resp);

    /* A signed playback id is enough. */
    assert_int_equal(create(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_signed\"}}", &c),
                     202);
    rb_resp_free(&c.resp);
    assert_int_equal(f->wakes, 2);
}

static void test_create_request_errors(void **state)
{
    fixture *f = *state;
    call c;
    create(f, "not-a-workflow", "{\"parameters\":{\"asset_id\":\"asset_ready\"}}", &c);
    expect_error(&c, 404, "not_found", "not-a-workflow");
    create(f, "summarize", "{\"parameters\":", &c);
    expect_error(&c, 400, "invalid_parameters", "malformed JSON: ");
    create(f, "summarize", "[1]", &c);
    expect_error(&c, 400, "invalid_parameters", "JSON object");
    create(f, "summarize", NULL, &c);
    expect_error(&c, 400, "invalid_parameters", NULL);
    create(f, "summarize", "{}", &c);
    expect_error(&c, 400, "invalid_parameters", "parameters");
    create(f, "summarize", "{\"parameters\":{\"asset_id\":\"\"}}", &c);
    expect_error(&c, 400, "invalid_parameters", "asset_id");
    create(f, "edit-captions", "{\"parameters\":{\"asset_id\":\"asset_ready\",\"track_id\":\"trk_en\"}}",
           &c);
    expect_error(&c, 400, "invalid_parameters", NULL);
    /* Valid request, but no engine for the workflow in this build. */
    create(f, "moderate", "{\"parameters\":{\"asset_id\":\"asset_ready\"}}", &c);
    expect_error(&c, 501, "not_implemented", "moderate workflow has no engine");
    /* Bad input still wins over 501. */
    create(f, "moderate", "{\"parameters\":{}}", &c);
    expect_error(&c, 400, "invalid_parameters", NULL);
    assert_int_equal(f->wakes, 0);
}

static void test_create_asset_prerequisites(void **state)
{
    fixture *f = *state;
    call c;
    create(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_missing\"}}", &c);
    expect_error(&c, 422, "invalid_parameters", "does not exist");
    /* Another environment's asset does not exist here. */
    create(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_prod\"}}", &c);
    expect_error(&c, 422, "invalid_parameters", "does not exist");
    create(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_preparing\"}}", &c);
    expect_error(&c, 422, "invalid_parameters", "not ready");
    create(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_nopb\"}}", &c);
    expect_error(&c, 422, "invalid_parameters", "playback ID");
    create(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_drm\"}}", &c);
    expect_error(&c, 422, "invalid_parameters", "playback ID");
    /* ... but from prod, asset_prod is fine. */
    assert_int_equal(create_idem(f, &f->prod, "summarize",
                                 "{\"parameters\":{\"asset_id\":\"asset_prod\"}}", NULL, &c),
                     202);
    rb_resp_free(&c.resp);
}

static void test_create_track_prerequisites(void **state)
{
    fixture *f = *state;
    call c;
    const char *fmt_edit = "{\"parameters\":{\"asset_id\":\"asset_ready\",\"track_id\":\"%s\","
                           "\"replacements\":[{\"find\":\"gonna\",\"replace\":\"going to\"}]}}";
    char body[512];
    snprintf(body, sizeof body, fmt_edit, "trk_nope");
    create(f, "edit-captions", body, &c);
    expect_error(&c, 422, "invalid_parameters", "trk_nope");
    snprintf(body, sizeof body, fmt_edit, "trk_prep");
    create(f, "edit-captions", body, &c);
    expect_error(&c, 422, "invalid_parameters", "not ready");
    snprintf(body, sizeof body, fmt_edit, "trk_audio");
    create(f, "edit-captions", body, &c);
    expect_error(&c, 422, "invalid_parameters", "not a text track");
    snprintf(body, sizeof body, fmt_edit, "trk_en");
    assert_int_equal(create(f, "edit-captions", body, &c), 202);
    rb_resp_free(&c.resp);

    const char *fmt_tr = "{\"parameters\":{\"asset_id\":\"asset_ready\",\"track_id\":\"%s\","
                         "\"to_language_code\":\"%s\"}}";
    snprintf(body, sizeof body, fmt_tr, "trk_prep", "fr");
    create(f, "translate-captions", body, &c);
    expect_error(&c, 422, "invalid_parameters", "not ready");
    /* The asset already has English captions (and German ones in preparation). */
    snprintf(body, sizeof body, fmt_tr, "trk_en", "en");
    create(f, "translate-captions", body, &c);
    expect_error(&c, 422, "invalid_parameters", "already has a text track");
    snprintf(body, sizeof body, fmt_tr, "trk_en", "DE");
    create(f, "translate-captions", body, &c);
    expect_error(&c, 422, "invalid_parameters", "already has a text track");
    /* An errored Spanish track does not block a new Spanish one. */
    snprintf(body, sizeof body, fmt_tr, "trk_en", "es");
    assert_int_equal(create(f, "translate-captions", body, &c), 202);
    rb_resp_free(&c.resp);
    snprintf(body, sizeof body, fmt_tr, "trk_en", "fr");
    assert_int_equal(create(f, "translate-captions", body, &c), 202);
    rb_resp_free(&c.resp);
}

static void test_create_transcript_prerequisites(void **state)
{
    fixture *f = *state;
    call c;
    /* asset_signed has no tracks at all. */
    create(f, "generate-chapters", "{\"parameters\":{\"asset_id\":\"asset_signed\"}}", &c);
    expect_error(&c, 422, "invalid_parameters", "no transcript");
    create(f, "find-key-moments", "{\"parameters\":{\"asset_id\":\"asset_signed\"}}", &c);
    expect_error(&c, 422, "invalid_parameters", "no transcript");
    assert_int_equal(create(f, "generate-chapters",
                            "{\"parameters\":{\"asset_id\":\"asset_ready\"}}", &c),
                     202);
    rb_resp_free(&c.resp);
    assert_int_equal(create(f, "find-key-moments",
                            "{\"parameters\":{\"asset_id\":\"asset_audio\"}}", &c),
                     202);
    rb_resp_free(&c.resp);
    /* Shot selection is refused until shot detection exists (issue 4). */
    create(f, "find-key-moments",
           "{\"parameters\":{\"asset_id\":\"asset_signed\",\"use_shots\":true}}", &c);
    expect_error(&c, 400, "invalid_parameters", "use_shots");
}

static void test_create_duplicate_409(void **state)
{
    fixture *f = *state;
    char first[RB_ID_MAX];
    create_ok(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_ready\",\"tag_count\":5}}",
              first);
    /* Same parameters in another key order and with another passthrough. */
    call c;
    create(f, "summarize",
           "{\"passthrough\":\"x\",\"parameters\":{\"tag_count\":5,\"asset_id\":\"asset_ready\"}}",
           &c);
    assert_string_equal(resp_header(&c, "x-should-retry"), "false");
    expect_error(&c, 409, "conflict", first);

    /* Different parameters are not a duplicate; neither is another workflow. */
    char other[RB_ID_MAX];
    create_ok(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_ready\",\"tag_count\":6}}",
              other);
    assert_string_not_equal(first, other);

    /* Once the first is terminal (cancelled), the same request is accepted again. */
    call_init(&c, &f->dev, first, NULL);
    rb_api_job_cancel(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 200);
    rb_resp_free(&c.resp);
    char again[RB_ID_MAX];
    create_ok(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_ready\",\"tag_count\":5}}",
              again);
    assert_string_not_equal(first, again);
}

static void test_create_idempotency_key(void **state)
{
    fixture *f = *state;
    call c;
    const char *body = "{\"parameters\":{\"asset_id\":\"asset_ready\"}}";
    assert_int_equal(create_idem(f, &f->dev, "summarize", body, "key-1", &c), 202);
    assert_null(resp_header(&c, "idempotent-replayed"));
    char id[RB_ID_MAX];
    snprintf(id, sizeof id, "%s", data_str(&c, "id"));
    rb_resp_free(&c.resp);
    assert_int_equal(f->wakes, 1);

    /* Same key, same body: the original answer, not a 409. */
    assert_int_equal(create_idem(f, &f->dev, "summarize", body, "key-1", &c), 202);
    assert_string_equal(resp_header(&c, "idempotent-replayed"), "true");
    assert_string_equal(data_str(&c, "id"), id);
    assert_string_equal(data_str(&c, "status"), "pending");
    rb_resp_free(&c.resp);
    assert_int_equal(f->wakes, 1);

    /* Same key, other body. */
    create_idem(f, &f->dev, "summarize",
                "{\"parameters\":{\"asset_id\":\"asset_ready\",\"tag_count\":3}}", "key-1", &c);
    expect_error(&c, 422, "idempotency_key_reused", NULL);

    /* Key length limits. */
    char long_key[300];
    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    create_idem(f, &f->dev, "summarize", body, long_key, &c);
    expect_error(&c, 400, "invalid_parameters", "Idempotency-Key");
    create_idem(f, &f->dev, "summarize", body, "", &c);
    expect_error(&c, 400, "invalid_parameters", "Idempotency-Key");
}

/* ---- retrieve ------------------------------------------------------------ */

/* GET answers with the store's rendered text (a raw JSON body); parse it into
 * resp.json so the checks read it like any other answer. */
static void parse_raw_body(call *c)
{
    assert_non_null(c->resp.raw);
    assert_string_equal(c->resp.content_type, "application/json");
    assert_null(c->resp.json);
    c->resp.json = json_loadb(c->resp.raw, c->resp.raw_len, 0, NULL);
    assert_non_null(c->resp.json);
}

static void test_get(void **state)
{
    fixture *f = *state;
    char id[RB_ID_MAX];
    create_ok(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_ready\"}}", id);
    call c;
    call_init(&c, &f->dev, "summarize", id);
    rb_api_job_get(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 200);
    parse_raw_body(&c);
    assert_string_equal(data_str(&c, "id"), id);
    assert_string_equal(data_str(&c, "status"), "pending");
    assert_non_null(json_object_get(json_object_get(c.resp.json, "data"), "resources"));
    rb_resp_free(&c.resp);

    call_init(&c, &f->dev, "moderate", id); /* another workflow's path */
    rb_api_job_get(&f->app, &c.req, &c.resp);
    expect_error(&c, 404, "not_found", id);
    call_init(&c, &f->prod, "summarize", id); /* another environment */
    rb_api_job_get(&f->app, &c.req, &c.resp);
    expect_error(&c, 404, "not_found", NULL);
    call_init(&c, &f->dev, "summarise", id);
    rb_api_job_get(&f->app, &c.req, &c.resp);
    expect_error(&c, 404, "not_found", "unknown workflow");
    call_init(&c, &f->dev, "summarize", "rjob_nope");
    rb_api_job_get(&f->app, &c.req, &c.resp);
    expect_error(&c, 404, "not_found", "rjob_nope");
}

/* ---- list ------------------------------------------------------------------ */

static int list(fixture *f, const rb_env *env, const char *const *kv, call *c)
{
    call_init(c, env, NULL, NULL);
    size_t n = 0;
    for (; kv && kv[2 * n]; n++)
        c->query[n] = (rb_kv){kv[2 * n], kv[2 * n + 1]};
    c->req.nquery = n;
    rb_api_job_list(&f->app, &c->req, &c->resp);
    return c->resp.status;
}

static void test_list(void **state)
{
    fixture *f = *state;
    char ids[5][RB_ID_MAX];
    char body[256];
    for (int i = 0; i < 4; i++) {
        snprintf(body, sizeof body,
                 "{\"parameters\":{\"asset_id\":\"asset_ready\",\"tag_count\":%d}}", i + 1);
        create_ok(f, "summarize", body, ids[i]);
    }
    create_ok(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_signed\"}}", ids[4]);
    call c;
    create_idem(f, &f->prod, "summarize", "{\"parameters\":{\"asset_id\":\"asset_prod\"}}", NULL,
                &c);
    assert_int_equal(c.resp.status, 202);
    rb_resp_free(&c.resp);
    /* Cancel one so a status filter has something to find. */
    call_init(&c, &f->dev, ids[1], NULL);
    rb_api_job_cancel(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 200);
    rb_resp_free(&c.resp);

    assert_int_equal(list(f, &f->dev, NULL, &c), 200);
    json_t *data = json_object_get(c.resp.json, "data");
    assert_int_equal(json_array_size(data), 5); /* prod's job is not listed */
    assert_int_equal(json_integer_value(json_object_get(c.resp.json, "total_row_count")), 5);
    json_t *item = json_array_get(data, 0);
    char href[256];
    const char *iid = json_string_value(json_object_get(item, "id"));
    snprintf(href, sizeof href, "https://robots.example/robots/v0/jobs/summarize/%s", iid);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(item, "_links"), "self"), "href")),
                        href);
    assert_null(json_object_get(item, "parameters")); /* a summary, not the job */
    rb_resp_free(&c.resp);

    /* Paging: 2 + 2 + 1, then an empty page (not a 404), totals unchanged. */
    const char *pages[][5] = {{"limit", "2", "page", "1", NULL},
                              {"limit", "2", "page", "2", NULL},
                              {"limit", "2", "page", "3", NULL},
                              {"limit", "2", "page", "4", NULL}};
    size_t want[] = {2, 2, 1, 0};
    json_t *seen = json_object();
    for (int p = 0; p < 4; p++) {
        assert_int_equal(list(f, &f->dev, pages[p], &c), 200);
        data = json_object_get(c.resp.json, "data");
        assert_int_equal(json_array_size(data), want[p]);
        assert_int_equal(json_integer_value(json_object_get(c.resp.json, "total_row_count")), 5);
        size_t i;
        json_t *it;
        json_array_foreach(data, i, it)
        {
            const char *jid = json_string_value(json_object_get(it, "id"));
            assert_null(json_object_get(seen, jid));
            json_object_set_new(seen, jid, json_true());
        }
        rb_resp_free(&c.resp);
    }
    assert_int_equal(json_object_size(seen), 5);
    json_decref(seen);

    const char *by_status[] = {"status", "cancelled", NULL};
    assert_int_equal(list(f, &f->dev, by_status, &c), 200);
    assert_int_equal(json_integer_value(json_object_get(c.resp.json, "total_row_count")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(c.resp.json, "data"), 0), "id")),
                        ids[1]);
    rb_resp_free(&c.resp);

    const char *by_asset[] = {"asset_id", "asset_signed", "unknown_param", "ignored", NULL};
    assert_int_equal(list(f, &f->dev, by_asset, &c), 200);
    assert_int_equal(json_integer_value(json_object_get(c.resp.json, "total_row_count")), 1);
    rb_resp_free(&c.resp);

    const char *combined[] = {"workflow", "summarize", "status", "pending", "asset_id",
                              "asset_ready", NULL};
    assert_int_equal(list(f, &f->dev, combined, &c), 200);
    assert_int_equal(json_integer_value(json_object_get(c.resp.json, "total_row_count")), 3);
    rb_resp_free(&c.resp);

    const char *other_wf[] = {"workflow", "edit-captions", NULL};
    assert_int_equal(list(f, &f->dev, other_wf, &c), 200);
    assert_int_equal(json_integer_value(json_object_get(c.resp.json, "total_row_count")), 0);
    assert_int_equal(json_array_size(json_object_get(c.resp.json, "data")), 0);
    rb_resp_free(&c.resp);

    static const struct {
        const char *k, *v, *needle;
    } bad[] = {
        {"limit", "0", "limit"},     {"limit", "101", "limit"},  {"limit", "abc", "limit"},
        {"limit", "1.5", "limit"},   {"limit", "-1", "limit"},   {"limit", "", "limit"},
        {"limit", " 5", "limit"},    {"page", "0", "page"},      {"page", "x", "page"},
        {"page", "99999999999", "page"},                         {"status", "done", "status"},
        {"workflow", "nope", "workflow"},                        {"asset_id", "", "asset_id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *q[] = {bad[i].k, bad[i].v, NULL};
        list(f, &f->dev, q, &c);
        expect_error(&c, 400, "invalid_parameters", bad[i].needle);
    }
    const char *edge[] = {"limit", "100", "page", "1", NULL};
    assert_int_equal(list(f, &f->dev, edge, &c), 200);
    rb_resp_free(&c.resp);
}

/* ---- cancel ---------------------------------------------------------------- */

static void test_cancel(void **state)
{
    fixture *f = *state;
    char id[RB_ID_MAX];
    create_ok(f, "summarize", "{\"parameters\":{\"asset_id\":\"asset_ready\"}}", id);
    call c;
    call_init(&c, &f->prod, id, NULL); /* another environment: 404 */
    c.req.body = "{ignored";
    c.req.body_len = 8;
    rb_api_job_cancel(&f->app, &c.req, &c.resp);
    expect_error(&c, 404, "not_found", NULL);

    call_init(&c, &f->dev, id, NULL);
    c.req.body = "{ignored"; /* the body is ignored */
    c.req.body_len = 8;
    rb_api_job_cancel(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 200);
    assert_string_equal(data_str(&c, "id"), id);
    assert_string_equal(data_str(&c, "status"), "cancelled");
    assert_string_equal(data_str(&c, "workflow"), "summarize");
    assert_non_null(json_object_get(json_object_get(c.resp.json, "data"), "_links"));
    rb_resp_free(&c.resp);

    rb_job job;
    rb_job_init(&job);
    rb_err err;
    assert_int_equal(rb_store_job_get(f->st, f->dev.id, NULL, id, &job, &err), RB_OK);
    assert_int_equal(job.status, RB_JOB_CANCELLED);
    rb_job_clear(&job);

    call_init(&c, &f->dev, id, NULL);
    rb_api_job_cancel(&f->app, &c.req, &c.resp);
    assert_string_equal(resp_header(&c, "x-should-retry"), "false");
    expect_error(&c, 409, "conflict", "cancelled");

    call_init(&c, &f->dev, "rjob_unknown", NULL);
    rb_api_job_cancel(&f->app, &c.req, &c.resp);
    expect_error(&c, 404, "not_found", "rjob_unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_request_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_asset_prerequisites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_track_prerequisites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_transcript_prerequisites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_duplicate_409, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_idempotency_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
