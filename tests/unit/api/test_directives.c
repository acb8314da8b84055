/* test_directives.c — the directives handlers against a real temporary SQLite
 * store: create validation (every rule, with the exact path in the message),
 * 501 for a binding this build cannot run, CRUD, environment isolation,
 * delete semantics, and run triggering (202, 404, 422, 409 active run). */
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

static void add_asset(fixture *f, const rb_env *env, const char *id, const char *status)
{
    rb_asset a;
    memset(&a, 0, sizeof a);
    rb_track t;
    memset(&t, 0, sizeof t);
    snprintf(a.id, sizeof a.id, "%s", id);
    snprintf(a.env_id, sizeof a.env_id, "%s", env->id);
    snprintf(a.status, sizeof a.status, "%s", status);
    a.duration = 60;
    a.playback_ids = json_pack("[{s:s,s:s}]", "id", id, "policy", "public");
    snprintf(t.id, sizeof t.id, "trk_%s", id);
    snprintf(t.asset_id, sizeof t.asset_id, "%s", id);
    snprintf(t.env_id, sizeof t.env_id, "%s", env->id);
    snprintf(t.type, sizeof t.type, "text");
    snprintf(t.status, sizeof t.status, "ready");
    snprintf(t.text_type, sizeof t.text_type, "subtitles");
    snprintf(t.language_code, sizeof t.language_code, "en");
    a.tracks = &t;
    a.n_tracks = 1;
    a.thumbnail_time = -1;
    a.created_at = rb_now();
    rb_err err;
    if (rb_store_asset_insert(f->st, &a, &err) != RB_OK)
        fail_msg("asset insert: %s", err.message);
    json_decref(a.playback_ids);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rb_drv_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    rb_config_defaults(&f->cfg);
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", f->dir);
    snprintf(f->cfg.database, sizeof f->cfg.database, "sqlite:%s/robots.db", f->dir);
    snprintf(f->cfg.public_url, sizeof f->cfg.public_url, "https://robots.example");
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
    f->app.wake_ingest = wake;
    f->app.wake_ingest_arg = f;
    add_asset(f, &f->dev, "asset_ready", "ready");
    add_asset(f, &f->dev, "asset_prep", "preparing");
    add_asset(f, &f->prod, "asset_prod", "ready");
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
    rb_kv query[4];
    rb_resp resp;
} call;

static void call_init(call *c, const rb_env *env, const char *method, const char *p0,
                      const char *p1, const char *body)
{
    memset(c, 0, sizeof *c);
    c->req.env = *env;
    c->req.method = method;
    c->req.token_id = "tok_test";
    c->req.params[0] = p0;
    c->req.params[1] = p1;
    c->req.nparams = p1 ? 2 : p0 ? 1 : 0;
    c->req.query = c->query;
    c->req.body = body;
    c->req.body_len = body ? strlen(body) : 0;
    rb_resp_init(&c->resp);
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

#define CAPTION_RES                                                                          \
    "{\"type\":\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","     \
    "\"language\":\"en\",\"source\":{\"via\":\"required\"}}"
#define EDIT_BINDING                                                                         \
    "{\"reference_id\":\"clean\",\"workflow\":\"edit-captions\",\"inputs\":[\"captions\"],"   \
    "\"params\":{\"auto_censor_profanity\":{}}}"
#define VALID                                                                                \
    "{\"name\":\"Clean captions\",\"subject\":{\"type\":\"video.asset\"},\"resources\":["    \
    CAPTION_RES "],\"workflows\":[" EDIT_BINDING "]}"

static int create(fixture *f, const rb_env *env, const char *body, call *c)
{
    call_init(c, env, "POST", NULL, NULL, body);
    rb_api_directive_create(&f->app, &c->req, &c->resp);
    return c->resp.status;
}

/* Creates VALID in env and copies the new id. */
static void create_ok(fixture *f, const rb_env *env, char id[RB_ID_MAX])
{
    call c;
    if (create(f, env, VALID, &c) != 201)
        fail_msg("create: %d %s", c.resp.status, err_msg(&c) ? err_msg(&c) : "");
    snprintf(id, RB_ID_MAX, "%s", data_str(&c, "id"));
    rb_resp_free(&c.resp);
}

/* ---- validation --------------------------------------------------------------- */

typedef struct vcase {
    const char *body;
    int status;
    const char *message; /* exact */
} vcase;

static void test_create_validation(void **state)
{
    fixture *f = *state;
    static const vcase cases[] = {
        {"{}", 400, "name is required"},
        {"{\"name\":\"\",\"subject\":{\"type\":\"video.asset\"},\"workflows\":[" EDIT_BINDING "]}",
         400, "name must be at least 1 character"},
        {"{\"name\":7}", 400, "name must be a string (got integer)"},
        {"{\"name\":\"n\",\"foo\":1}", 400,
         "foo is not a known field of the request body (it takes name, subject, resources, "
         "workflows)"},
        {"{\"name\":\"n\"}", 400, "subject is required"},
        {"{\"name\":\"n\",\"subject\":{}}", 400, "subject.type is required"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.live_stream\"}}", 400,
         "subject.type video.live_stream is reserved and not accepted yet; use video.asset"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.clip\"}}", 400,
         "subject.type must be one of: video.asset"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"}}", 400, "workflows is required"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"workflows\":[]}", 400,
         "workflows must have at least 1 item"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":{},"
         "\"workflows\":[" EDIT_BINDING "]}",
         400, "resources must be an array (got object)"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.audio\"}],\"workflows\":[" EDIT_BINDING "]}",
         400, "resources[0].type must be one of: video.asset.track, video.asset.shots"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"video\"}],"
         "\"workflows\":[" EDIT_BINDING "]}",
         400, "resources[0].kind must be one of: caption, audio"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","
         "\"language\":\"e\"}],\"workflows\":[" EDIT_BINDING "]}",
         400, NULL},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.shots\",\"reference_id\":\"shots\",\"language\":\"en\"}],"
         "\"workflows\":[" EDIT_BINDING "]}",
         400,
         "resources[0] has an unknown field 'language' (a shots resource takes type, "
         "reference_id, source)"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","
         "\"source\":{\"via\":\"carrier_pigeon\"}}],\"workflows\":[" EDIT_BINDING "]}",
         400, "resources[0].source.via must be one of: external, required, workflow, mux_api"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","
         "\"source\":{\"via\":\"workflow\"}}],\"workflows\":[" EDIT_BINDING "]}",
         400, "resources[0].source.binding is required"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","
         "\"source\":{\"via\":\"workflow\",\"binding\":\"nope\"}}],\"workflows\":[" EDIT_BINDING
         "]}",
         400, "resources[0].source.binding 'nope' is not the reference_id of a workflow binding"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","
         "\"source\":{\"via\":\"required\",\"binding\":\"x\"}}],\"workflows\":[" EDIT_BINDING
         "]}",
         400, "resources[0].source has an unknown field 'binding' (this source takes via)"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","
         "\"source\":{\"via\":\"mux_api\",\"action\":\"create_track\"}}],\"workflows\":["
         EDIT_BINDING "]}",
         400, "resources[0].source.params is required for create_track"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","
         "\"source\":{\"via\":\"mux_api\",\"action\":\"create_track\",\"params\":{"
         "\"language_code\":\"en\",\"type\":\"audio\",\"url\":\"https://93.184.216.34/a.vtt\"}}}"
         "],\"workflows\":[" EDIT_BINDING "]}",
         400, "resources[0].source.params.type must be text for a caption resource"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","
         "\"source\":{\"via\":\"mux_api\",\"action\":\"create_track\",\"params\":{"
         "\"language_code\":\"en\",\"type\":\"text\",\"url\":\"ftp://93.184.216.34/a.vtt\"}}}"
         "],\"workflows\":[" EDIT_BINDING "]}",
         400, NULL},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"captions\",\"kind\":\"caption\","
         "\"source\":{\"via\":\"mux_api\",\"action\":\"request_shots\"}}],\"workflows\":["
         EDIT_BINDING "]}",
         400, "resources[0].source.action request_shots only produces a shots resource"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"audio\",\"kind\":\"audio\","
         "\"source\":{\"via\":\"mux_api\",\"action\":\"generate_subtitles\"}}],\"workflows\":["
         "{\"reference_id\":\"s\",\"workflow\":\"summarize\"}]}",
         400, "resources[0].source.action generate_subtitles only produces a caption resource"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION_RES
         "],\"workflows\":[{\"reference_id\":\"clean\",\"workflow\":\"edit-captions\","
         "\"inputs\":[\"nope\"],\"params\":{\"auto_censor_profanity\":{}}}]}",
         400, "workflows[0].inputs[0] 'nope' is not the reference_id of a declared resource"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION_RES
         "],\"workflows\":[{\"reference_id\":\"captions\",\"workflow\":\"summarize\"}]}",
         400, "workflows[0].reference_id 'captions' is used twice"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION_RES
         "],\"workflows\":[" EDIT_BINDING ",{\"reference_id\":\"sum\",\"workflow\":"
         "\"summarize\",\"params\":{\"tone\":\"grumpy\"}}]}",
         400, "workflows[1].params.tone must be one of: neutral, playful, professional"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"workflows\":[{"
         "\"reference_id\":\"q\",\"workflow\":\"ask-questions\"}]}",
         400, "workflows[0].params is required for ask-questions"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"workflows\":[{"
         "\"reference_id\":\"s\",\"workflow\":\"summarize\",\"params\":{\"asset_id\":\"a\"}}]}",
         400, "workflows[0].params.asset_id is supplied by the engine and must not be set"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION_RES
         "],\"workflows\":[{\"reference_id\":\"clean\",\"workflow\":\"edit-captions\","
         "\"inputs\":[\"captions\"],\"params\":{\"track_id\":\"t\"}}]}",
         400, "workflows[0].params.track_id is supplied by the engine and must not be set"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION_RES
         "],\"workflows\":[{\"reference_id\":\"clean\",\"workflow\":\"edit-captions\","
         "\"inputs\":[\"captions\"],\"params\":{\"auto_censor_profanity\":{},\"foo\":1}}]}",
         400, "workflows[0].params.foo is not a known parameter of edit-captions"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION_RES
         "],\"workflows\":[{\"reference_id\":\"clean\",\"workflow\":\"edit-captions\","
         "\"inputs\":[\"captions\"],\"params\":{}}]}",
         400,
         "workflows[0].params must include at least one of replacements, speaker_replacements "
         "or auto_censor_profanity"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"workflows\":[{"
         "\"reference_id\":\"clean\",\"workflow\":\"edit-captions\","
         "\"params\":{\"auto_censor_profanity\":{}}}]}",
         400,
         "workflows[0].inputs must name a caption resource: the engine passes its track to "
         "edit-captions as track_id"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"workflows\":[{"
         "\"reference_id\":\"x\",\"workflow\":\"summarise\"}]}",
         400, NULL},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[{\"type\":"
         "\"video.asset.track\",\"reference_id\":\"edited\",\"kind\":\"caption\",\"source\":{"
         "\"via\":\"workflow\",\"binding\":\"clean\"}}],\"workflows\":[{\"reference_id\":"
         "\"clean\",\"workflow\":\"edit-captions\",\"inputs\":[\"edited\"],\"params\":{"
         "\"auto_censor_profanity\":{}}}]}",
         400, "workflows[0] ('clean') is part of a dependency cycle through resource sources"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"workflows\":[{"
         "\"reference_id\":\"m\",\"workflow\":\"moderate\",\"params\":{\"sampling_interval\":1}}"
         "]}",
         400, "workflows[0].params.sampling_interval must be at least 5"},
        {"{\"name\":\"n\",\"subject\":{\"type\":\"video.asset\"},\"workflows\":[{"
         "\"reference_id\":\"m\",\"workflow\":\"moderate\"}]}",
         501, "workflows[0].workflow: the moderate workflow has no engine in this build yet"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        call c;
        int st = create(f, &f->dev, cases[i].body, &c);
        if (st != cases[i].status)
            fail_msg("case %zu: status %d, want %d (%s)", i, st, cases[i].status,
                     err_msg(&c) ? err_msg(&c) : "");
        assert_string_equal(err_type(&c),
                            st == 501 ? "not_implemented" : "invalid_parameters");
        if (cases[i].message && strcmp(err_msg(&c), cases[i].message) != 0)
            fail_msg("case %zu: message '%s', want '%s'", i, err_msg(&c), cases[i].message);
        if (st == 501)
            assert_string_equal(resp_header(&c, "x-should-retry"), "false");
        rb_resp_free(&c.resp);
    }
    /* Rule checks whose message holds the offending input. */
    call c;
    create(f, &f->dev, cases[13].body, &c);
    assert_non_null(strstr(err_msg(&c), "resources[0].language"));
    rb_resp_free(&c.resp);
    create(f, &f->dev, cases[21].body, &c);
    assert_non_null(strstr(err_msg(&c), "resources[0].source.params.url"));
    rb_resp_free(&c.resp);
    create(f, &f->dev, cases[33].body, &c);
    assert_non_null(strstr(err_msg(&c), "workflows[0].workflow must be one of: summarize"));
    rb_resp_free(&c.resp);
    /* 256 code points of name is one too many; 255 is fine. */
    char body[2048], name[300];
    memset(name, 'n', 256);
    name[256] = '\0';
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"subject\":{\"type\":\"video.asset\"},\"resources\":["
             CAPTION_RES "],\"workflows\":[" EDIT_BINDING "]}",
             name);
    assert_int_equal(create(f, &f->dev, body, &c), 400);
    assert_string_equal(err_msg(&c), "name must be at most 255 characters");
    rb_resp_free(&c.resp);
    name[255] = '\0';
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"subject\":{\"type\":\"video.asset\"},\"resources\":["
             CAPTION_RES "],\"workflows\":[" EDIT_BINDING "]}",
             name);
    assert_int_equal(create(f, &f->dev, body, &c), 201);
    rb_resp_free(&c.resp);
    /* Nothing invalid was stored: only the last one. */
    rb_directive *ds;
    size_t n;
    int64_t total;
    rb_err err;
    assert_int_equal(rb_store_directive_list(f->st, f->dev.id, 25, 1, &ds, &n, &total, &err),
                     RB_OK);
    assert_int_equal(total, 1);
    for (size_t i = 0; i < n; i++)
        rb_directive_clear(&ds[i]);
    free(ds);
}

/* A valid chain: a caption declared as produced by a binding feeds a second
 * binding; resources may be omitted (stored as []). */
static void test_create_shapes(void **state)
{
    fixture *f = *state;
    call c;
    const char *chain =
        "{\"name\":\"chain\",\"subject\":{\"type\":\"video.asset\"},\"resources\":[" CAPTION_RES
        ",{\"type\":\"video.asset.track\",\"reference_id\":\"edited\",\"kind\":\"caption\","
        "\"source\":{\"via\":\"workflow\",\"binding\":\"clean\"}}],\"workflows\":[" EDIT_BINDING
        ",{\"reference_id\":\"again\",\"workflow\":\"edit-captions\",\"inputs\":[\"edited\"],"
        "\"params\":{\"replacements\":[{\"find\":\"a\",\"replace\":\"b\"}]}}]}";
    assert_int_equal(create(f, &f->dev, chain, &c), 201);
    json_t *d = json_object_get(c.resp.json, "data");
    assert_int_equal(strncmp(json_string_value(json_object_get(d, "id")), "drv_", 4), 0);
    assert_int_equal(strlen(json_string_value(json_object_get(d, "id"))), 4 + 24);
    assert_int_equal(json_array_size(json_object_get(d, "resources")), 2);
    assert_int_equal(json_array_size(json_object_get(d, "workflows")), 2);
    assert_true(json_integer_value(json_object_get(d, "created_at")) > 0);
    assert_int_equal(json_integer_value(json_object_get(d, "created_at")),
                     json_integer_value(json_object_get(d, "updated_at")));
    rb_resp_free(&c.resp);

    assert_int_equal(create(f, &f->dev,
                            "{\"name\":\"s\",\"subject\":{\"type\":\"video.asset\"},"
                            "\"workflows\":[{\"reference_id\":\"s\",\"workflow\":\"summarize\"}]}",
                            &c),
                     201);
    d = json_object_get(c.resp.json, "data");
    assert_true(json_is_array(json_object_get(d, "resources")));
    assert_int_equal(json_array_size(json_object_get(d, "resources")), 0);
    rb_resp_free(&c.resp);
}

static void test_crud_and_isolation(void **state)
{
    fixture *f = *state;
    char a[RB_ID_MAX], b[RB_ID_MAX], p[RB_ID_MAX];
    create_ok(f, &f->dev, a);
    sleep(1); /* newest first is by created_at (s), then id */
    create_ok(f, &f->dev, b);
    create_ok(f, &f->prod, p);

    call c;
    call_init(&c, &f->dev, "GET", a, NULL, NULL);
    rb_api_directive_get(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 200);
    assert_string_equal(data_str(&c, "id"), a);
    assert_string_equal(data_str(&c, "name"), "Clean captions");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(c.resp.json, "data"), "subject"),
                            "type")),
                        "video.asset");
    rb_resp_free(&c.resp);

    /* Another environment's directive does not exist here. */
    call_init(&c, &f->dev, "GET", p, NULL, NULL);
    rb_api_directive_get(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 404);
    assert_string_equal(err_type(&c), "not_found");
    rb_resp_free(&c.resp);
    call_init(&c, &f->dev, "DELETE", p, NULL, NULL);
    rb_api_directive_delete(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 404);
    rb_resp_free(&c.resp);

    /* List: newest first, paging, total, bad values. */
    call_init(&c, &f->dev, "GET", NULL, NULL, NULL);
    rb_api_directive_list(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 200);
    json_t *data = json_object_get(c.resp.json, "data");
    assert_int_equal(json_array_size(data), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(data, 0), "id")), b);
    assert_string_equal(json_string_value(json_object_get(json_array_get(data, 1), "id")), a);
    assert_int_equal(json_integer_value(json_object_get(c.resp.json, "total_row_count")), 2);
    rb_resp_free(&c.resp);
    call_init(&c, &f->dev, "GET", NULL, NULL, NULL);
    c.query[0] = (rb_kv){"limit", "1"};
    c.query[1] = (rb_kv){"page", "2"};
    c.req.nquery = 2;
    rb_api_directive_list(&f->app, &c.req, &c.resp);
    data = json_object_get(c.resp.json, "data");
    assert_int_equal(json_array_size(data), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(data, 0), "id")), a);
    rb_resp_free(&c.resp);
    call_init(&c, &f->dev, "GET", NULL, NULL, NULL);
    c.query[0] = (rb_kv){"page", "3"};
    c.query[1] = (rb_kv){"limit", "1"};
    c.req.nquery = 2;
    rb_api_directive_list(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 200);
    assert_int_equal(json_array_size(json_object_get(c.resp.json, "data")), 0);
    rb_resp_free(&c.resp);
    call_init(&c, &f->dev, "GET", NULL, NULL, NULL);
    c.query[0] = (rb_kv){"limit", "101"};
    c.req.nquery = 1;
    rb_api_directive_list(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 400);
    assert_string_equal(err_msg(&c), "limit must be an integer from 1 to 100");
    rb_resp_free(&c.resp);

    /* Delete: 204, then 404 on get/delete/runs, gone from the list. */
    call_init(&c, &f->dev, "DELETE", a, NULL, NULL);
    rb_api_directive_delete(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 204);
    assert_null(c.resp.json);
    rb_resp_free(&c.resp);
    call_init(&c, &f->dev, "GET", a, NULL, NULL);
    rb_api_directive_get(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 404);
    rb_resp_free(&c.resp);
    call_init(&c, &f->dev, "DELETE", a, NULL, NULL);
    rb_api_directive_delete(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 404);
    rb_resp_free(&c.resp);
    call_init(&c, &f->dev, "POST", a, NULL, "{\"asset_id\":\"asset_ready\"}");
    rb_api_directive_run_create(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 404);
    rb_resp_free(&c.resp);
    call_init(&c, &f->dev, "GET", NULL, NULL, NULL);
    rb_api_directive_list(&f->app, &c.req, &c.resp);
    assert_int_equal(json_integer_value(json_object_get(c.resp.json, "total_row_count")), 1);
    rb_resp_free(&c.resp);
    /* The row is kept (runs that started may still read it). */
    rb_directive d;
    rb_err err;
    assert_int_equal(rb_store_directive_get(f->st, f->dev.id, a, 1, &d, &err), RB_OK);
    assert_true(d.deleted_at > 0);
    rb_directive_clear(&d);
}

static int trigger(fixture *f, const rb_env *env, const char *id, const char *body, call *c)
{
    call_init(c, env, "POST", id, NULL, body);
    rb_api_directive_run_create(&f->app, &c->req, &c->resp);
    return c->resp.status;
}

static void test_runs(void **state)
{
    fixture *f = *state;
    char id[RB_ID_MAX], pid[RB_ID_MAX];
    create_ok(f, &f->dev, id);
    create_ok(f, &f->prod, pid);
    call c;

    assert_int_equal(trigger(f, &f->dev, id, "{}", &c), 400);
    assert_string_equal(err_msg(&c), "asset_id is required");
    rb_resp_free(&c.resp);
    assert_int_equal(trigger(f, &f->dev, id, "{\"asset_id\":\"a\",\"x\":1}", &c), 400);
    rb_resp_free(&c.resp);
    assert_int_equal(trigger(f, &f->dev, id, "{\"asset_id\":\"nope\"}", &c), 422);
    assert_string_equal(err_msg(&c), "asset 'nope' does not exist");
    rb_resp_free(&c.resp);
    assert_int_equal(trigger(f, &f->dev, id, "{\"asset_id\":\"asset_prod\"}", &c), 422);
    rb_resp_free(&c.resp);
    assert_int_equal(trigger(f, &f->dev, id, "{\"asset_id\":\"asset_prep\"}", &c), 422);
    assert_string_equal(err_msg(&c), "asset 'asset_prep' is not ready (status: preparing)");
    rb_resp_free(&c.resp);
    assert_int_equal(trigger(f, &f->dev, "drv_nope", "{\"asset_id\":\"asset_ready\"}", &c), 404);
    rb_resp_free(&c.resp);
    assert_int_equal(trigger(f, &f->dev, pid, "{\"asset_id\":\"asset_ready\"}", &c), 404);
    rb_resp_free(&c.resp);

    int wakes = f->wakes;
    assert_int_equal(trigger(f, &f->dev, id, "{\"asset_id\":\"asset_ready\"}", &c), 202);
    assert_int_equal(f->wakes, wakes + 1);
    char run_id[RB_ID_MAX];
    snprintf(run_id, sizeof run_id, "%s", data_str(&c, "run_id"));
    assert_int_equal(strncmp(run_id, "drvrun_", 7), 0);
    assert_int_equal(strlen(run_id), 7 + 24);
    assert_string_equal(data_str(&c, "status"), "pending");
    assert_string_equal(data_str(&c, "subject_id"), "asset_ready");
    rb_resp_free(&c.resp);

    /* Same directive + asset while active → 409, no retry. */
    assert_int_equal(trigger(f, &f->dev, id, "{\"asset_id\":\"asset_ready\"}", &c), 409);
    assert_string_equal(err_type(&c), "conflict");
    assert_string_equal(resp_header(&c, "x-should-retry"), "false");
    assert_non_null(strstr(err_msg(&c), run_id));
    rb_resp_free(&c.resp);

    call_init(&c, &f->dev, "GET", id, run_id, NULL);
    rb_api_directive_run_get(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 200);
    json_t *d = json_object_get(c.resp.json, "data");
    assert_string_equal(json_string_value(json_object_get(d, "run_id")), run_id);
    assert_string_equal(json_string_value(json_object_get(d, "status")), "pending");
    assert_string_equal(json_string_value(json_object_get(d, "subject_id")), "asset_ready");
    assert_true(json_integer_value(json_object_get(d, "started_at")) > 0);
    assert_true(json_is_null(json_object_get(d, "completed_at")));
    json_t *ns = json_array_get(json_object_get(d, "node_states"), 0);
    assert_string_equal(json_string_value(json_object_get(ns, "reference_id")), "clean");
    assert_string_equal(json_string_value(json_object_get(ns, "status")),
                        "waiting_for_resources");
    assert_string_equal(json_string_value(json_object_get(ns, "workflow_name")), "edit-captions");
    rb_resp_free(&c.resp);

    /* The created event was written with the run. */
    rb_event *ev;
    size_t n;
    rb_err err;
    assert_int_equal(rb_store_events_for_run(f->st, run_id, &ev, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ev[0].type, "robots.directive_run.created");
    json_t *dr = json_object_get(ev[0].data, "directive_run");
    assert_string_equal(json_string_value(json_object_get(dr, "id")), run_id);
    assert_string_equal(json_string_value(json_object_get(dr, "directive_id")), id);
    assert_string_equal(json_string_value(json_object_get(dr, "asset_id")), "asset_ready");
    assert_string_equal(json_string_value(json_object_get(ev[0].data, "environment_id")),
                        f->dev.id);
    assert_string_equal(json_string_value(json_object_get(ev[0].data, "internal_id")), ev[0].id);
    for (size_t i = 0; i < n; i++)
        rb_event_clear(&ev[i]);
    free(ev);

    call_init(&c, &f->dev, "GET", id, NULL, NULL);
    rb_api_directive_run_list(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 200);
    assert_int_equal(json_array_size(json_object_get(c.resp.json, "data")), 1);
    assert_int_equal(json_integer_value(json_object_get(c.resp.json, "total_row_count")), 1);
    rb_resp_free(&c.resp);

    /* Runs are scoped to their directive and environment. */
    call_init(&c, &f->prod, "GET", id, run_id, NULL);
    rb_api_directive_run_get(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 404);
    rb_resp_free(&c.resp);
    call_init(&c, &f->prod, "GET", pid, run_id, NULL);
    rb_api_directive_run_get(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 404);
    rb_resp_free(&c.resp);
    call_init(&c, &f->dev, "GET", id, "drvrun_nope", NULL);
    rb_api_directive_run_get(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 404);
    rb_resp_free(&c.resp);

    /* Deleting the directive refuses new runs; the started run stays. */
    call_init(&c, &f->dev, "DELETE", id, NULL, NULL);
    rb_api_directive_delete(&f->app, &c.req, &c.resp);
    assert_int_equal(c.resp.status, 204);
    rb_resp_free(&c.resp);
    assert_int_equal(trigger(f, &f->dev, id, "{\"asset_id\":\"asset_ready\"}", &c), 404);
    rb_resp_free(&c.resp);
    rb_directive_run r;
    assert_int_equal(rb_store_directive_run_get(f->st, f->dev.id, id, run_id, &r, &err), RB_OK);
    assert_string_equal(r.status, "pending");
    rb_directive_run_clear(&r);
}

/* Asset create's "directives": parse, attach (the store gets the rows, the
 * ingester is woken), render. */
static void test_asset_directives(void **state)
{
    fixture *f = *state;
    char a[RB_ID_MAX], b[RB_ID_MAX], p[RB_ID_MAX];
    create_ok(f, &f->dev, a);
    create_ok(f, &f->dev, b);
    create_ok(f, &f->prod, p);
    rb_err err;
    json_t *ids = (json_t *)1;
    json_t *body = json_pack("{s:s}", "passthrough", "x");
    assert_int_equal(rb_api_asset_directives_parse(&f->app, f->dev.id, body, &ids, &err), RB_OK);
    assert_null(ids);
    json_decref(body);

    static const struct {
        const char *json;
        const char *message;
    } bad[] = {
        {"{\"directives\":{}}", "directives must be an array (got object)"},
        {"{\"directives\":[\"drv_x\"]}", "directives[0] must be an object (got string)"},
        {"{\"directives\":[{}]}", "directives[0].id is required"},
        {"{\"directives\":[{\"id\":\"drv_x\",\"run\":true}]}",
         "directives[0] has an unknown field 'run' (a directive reference takes id)"},
        {"{\"directives\":[{\"id\":\"drv_nope\"}]}",
         "directives[0].id 'drv_nope' is not a directive of this environment"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        body = json_loads(bad[i].json, 0, NULL);
        assert_non_null(body);
        rb_err_clear(&err);
        assert_int_equal(rb_api_asset_directives_parse(&f->app, f->dev.id, body, &ids, &err),
                         RB_ERR);
        assert_int_equal(err.status, 400);
        assert_string_equal(err.message, bad[i].message);
        json_decref(body);
    }
    /* Another environment's directive does not exist here. */
    body = json_pack("{s:[{s:s}]}", "directives", "id", p);
    assert_int_equal(rb_api_asset_directives_parse(&f->app, f->dev.id, body, &ids, &err), RB_ERR);
    json_decref(body);

    body = json_pack("{s:[{s:s},{s:s},{s:s}]}", "directives", "id", a, "id", b, "id", a);
    assert_int_equal(rb_api_asset_directives_parse(&f->app, f->dev.id, body, &ids, &err), RB_OK);
    json_decref(body);
    assert_int_equal(json_array_size(ids), 2);
    int wakes = f->wakes;
    assert_int_equal(rb_api_asset_directives_attach(&f->app, f->dev.id, "asset_ready", ids, &err),
                     RB_OK);
    assert_int_equal(f->wakes, wakes + 1);
    json_decref(ids);

    json_t *asset = json_object();
    rb_api_asset_directives_render(&f->app, f->dev.id, "asset_ready", asset);
    json_t *list = json_object_get(asset, "directives");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), a);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "id")), b);
    json_decref(asset);
    /* No attachments: no key. */
    asset = json_object();
    rb_api_asset_directives_render(&f->app, f->dev.id, "asset_prep", asset);
    assert_null(json_object_get(asset, "directives"));
    json_decref(asset);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crud_and_isolation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_asset_directives, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
