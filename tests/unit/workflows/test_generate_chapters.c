/* test_generate_chapters.c — the generate-chapters workflow
 * (src/workflows/generate_chapters.c) run directly on a temporary store +
 * library: builtin outputs end to end, granularity, the chapters-track
 * replacement and its cancel, no scope, no transcript; and the model path
 * against the fake OpenAI-compatible server (request shape and schema, the
 * post-rules repairing an answer, 429, 500s, timeout, malformed and
 * out-of-range answers).
 *
 * Fixture: tests/fixtures/chapters/three_topics.en.vtt — beehives, a bicycle
 * repair from 116.78 s, sourdough bread from 224.36 s; the asset lasts 340 s. */
#include "wf_model.h"


#include <math.h>
#include <strings.h>

typedef struct cx {
    wf_fixture *f;
    char track[RB_ID_MAX];
    fake_openai fake;
    int fake_on;
} cx;

static int setup(void **state)
{
    cx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f = wf_fixture_new("chapters");
    /* The fixture's own asset has no duration; use one that lasts 340 s. */
    wf_fixture_asset(x->f, 340.0, x->f->asset_id);
    char *vtt = wf_fixture_read("tests/fixtures/chapters/three_topics.en.vtt");
    wf_fixture_track(x->f, "en", vtt, x->track);
    free(vtt);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    cx *x = *state;
    wf_fake_teardown(&x->fake, x->fake_on);
    wf_fixture_free(x->f);
    free(x);
    return 0;
}

static int run_job(cx *x, const char *params, rb_wf_result *res, rb_err *err)
{
    return wf_fixture_run(x->f, "generate-chapters", params, res, err);
}

static const json_t *chapters(const rb_wf_result *r)
{
    return json_object_get(r->outputs, "chapters");
}

static double start_of(const rb_wf_result *r, size_t i)
{
    return json_number_value(json_object_get(json_array_get(chapters(r), i), "start_time"));
}

static const char *title_of(const rb_wf_result *r, size_t i)
{
    return json_string_value(json_object_get(json_array_get(chapters(r), i), "title"));
}

/* outputs hold chapters (and asset_update iff asked); chapters obey every
 * invariant: first at 0, sorted, inside 340 s, 30 s apart, titles
 * non-empty and distinct; each item has exactly start_time and title. */
static void check_outputs(const rb_wf_result *r, int with_update)
{
    assert_non_null(r->outputs);
    assert_int_equal(json_object_size(r->outputs), with_update ? 2 : 1);
    assert_int_equal(json_object_get(r->outputs, "asset_update") != NULL, with_update);
    const json_t *c = chapters(r);
    assert_true(json_is_array(c));
    assert_true(json_array_size(c) >= 1);
    for (size_t i = 0; i < json_array_size(c); i++) {
        const json_t *it = json_array_get(c, i);
        assert_int_equal(json_object_size(it), 2);
        assert_true(json_is_number(json_object_get(it, "start_time")));
        const char *t = title_of(r, i);
        assert_non_null(t);
        assert_true(t[0] != '\0');
        double s = start_of(r, i);
        assert_true(s >= 0 && s < 340.0);
        if (i == 0)
            assert_true(s == 0.0);
        else
            assert_true(s - start_of(r, i - 1) >= 30.0);
        for (size_t j = 0; j < i; j++)
            assert_true(strcasecmp(t, title_of(r, j)) != 0);
    }
}

/* The asset's chapters tracks (live), their ids into ids[], count returned. */
static size_t chapters_tracks(cx *x, char ids[][RB_ID_MAX], size_t cap)
{
    rb_asset a;
    memset(&a, 0, sizeof a);
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_store_asset_get(x->f->st, x->f->env.id, x->f->asset_id, &a, &err), RB_OK);
    size_t n = 0;
    for (size_t i = 0; i < a.n_tracks; i++)
        if (strcmp(a.tracks[i].text_type, "chapters") == 0 &&
            strcmp(a.tracks[i].status, "deleted") != 0) {
            if (n < cap)
                snprintf(ids[n], RB_ID_MAX, "%s", a.tracks[i].id);
            n++;
        }
    rb_asset_clear(&a);
    return n;
}

static void test_registered(void **state)
{
    (void)state;
    assert_non_null(rb_workflow_find("generate-chapters"));
    assert_string_equal(rb_workflow_find("generate-chapters")->name, "generate-chapters");
    assert_int_equal(rb_workflow_available("generate-chapters"), 1);
}

static void test_builtin_end_to_end(void **state)
{
    cx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_OK);
    check_outputs(&r, 0);
    assert_int_equal(json_array_size(chapters(&r)), 3);
    assert_true(json_is_integer(json_object_get(json_array_get(chapters(&r), 0), "start_time")));
    assert_true(fabs(start_of(&r, 1) - 116.78) < 1e-9);
    assert_true(fabs(start_of(&r, 2) - 224.36) < 1e-9);
    assert_string_equal(title_of(&r, 0), "Bees and honey");
    assert_string_equal(title_of(&r, 1), "Inner tube and brake pads");
    assert_string_equal(title_of(&r, 2), "Sourdough starter and dough");
    assert_int_equal(r.units, 1);
    json_decref(r.outputs);
    /* No side effect without update_asset_chapters. */
    char ids[4][RB_ID_MAX];
    assert_int_equal(chapters_tracks(x, ids, 4), 0);
}

static void test_style_and_granularity(void **state)
{
    cx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"chapter_style\":"
                             "\"punchy\",\"chapter_granularity\":\"fine\",\"audience\":\"kids\","
                             "\"brand_terms\":[\"Acme\"]},\"prompt_overrides\":{\"task\":\"x\"}}",
                             &r, &err),
                     RB_OK);
    check_outputs(&r, 0);
    size_t fine = json_array_size(chapters(&r));
    assert_int_equal(fine, 4);
    assert_string_equal(title_of(&r, 0), "Bees");
    json_decref(r.outputs);
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"output_steering\":{"
                             "\"chapter_granularity\":\"coarse\"}}",
                             &r, &err),
                     RB_OK);
    check_outputs(&r, 0);
    assert_true(json_array_size(chapters(&r)) < fine);
    json_decref(r.outputs);
}

/* update_asset_chapters: a chapters track holding the §8.3 file is created;
 * a second run deletes it and reports it as replaced_track_id. */
static void test_update_asset_chapters(void **state)
{
    cx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"update_asset_chapters\":true}", &r, &err), RB_OK);
    check_outputs(&r, 1);
    const json_t *au = json_object_get(r.outputs, "asset_update");
    assert_string_equal(json_string_value(json_object_get(au, "status")), "created");
    assert_null(json_object_get(au, "replaced_track_id"));
    char first[RB_ID_MAX];
    snprintf(first, sizeof first, "%s", json_string_value(json_object_get(au, "track_id")));
    char ids[4][RB_ID_MAX];
    assert_int_equal(chapters_tracks(x, ids, 4), 1);
    assert_string_equal(ids[0], first);
    /* The track's content is the chapters file. */
    rb_track t;
    memset(&t, 0, sizeof t);
    char *content = NULL;
    size_t len = 0;
    assert_int_equal(rb_library_text_track(&x->f->lib, x->f->env.id, x->f->asset_id, first, &t,
                                           &content, &len, &err),
                     RB_OK);
    assert_string_equal(t.language_code, "en");
    json_t *file = json_loadb(content, len, 0, NULL);
    assert_non_null(file);
    assert_int_equal(json_array_size(file), 3);
    const json_t *c2 = json_array_get(file, 1);
    assert_int_equal(json_integer_value(json_object_get(c2, "chapter")), 2);
    assert_true(fabs(json_number_value(json_object_get(c2, "start-time")) - 116.78) < 1e-9);
    const json_t *ti = json_array_get(json_object_get(c2, "titles"), 0);
    assert_string_equal(json_string_value(json_object_get(ti, "language")), "en");
    assert_string_equal(json_string_value(json_object_get(ti, "title")), title_of(&r, 1));
    json_decref(file);
    free(content);
    rb_track_clear(&t);
    json_decref(r.outputs);

    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"update_asset_chapters\":true}", &r, &err), RB_OK);
    au = json_object_get(r.outputs, "asset_update");
    assert_string_equal(json_string_value(json_object_get(au, "status")), "created");
    assert_string_equal(json_string_value(json_object_get(au, "replaced_track_id")), first);
    assert_int_equal(chapters_tracks(x, ids, 4), 1);
    assert_string_equal(ids[0], json_string_value(json_object_get(au, "track_id")));
    assert_string_not_equal(ids[0], first);
    json_decref(r.outputs);
}

/* A cancel noticed before the side effect: RB_CONFLICT, no outputs, no
 * chapters track. The workflow checks twice (before the engine and before
 * the write); the second answers "cancelled". */
static void test_cancel_before_side_effect(void **state)
{
    cx *x = *state;
    x->f->cancel_after = 2;
    x->f->cancel_calls = 0;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"update_asset_chapters\":true}", &r, &err),
        RB_CONFLICT);
    assert_null(r.outputs);
    char ids[4][RB_ID_MAX];
    assert_int_equal(chapters_tracks(x, ids, 4), 0);
    x->f->cancel_after = 0;
}

/* generate-chapters has no scope: a scope in the steering is not applied,
 * the whole transcript is chaptered. */
static void test_no_scope(void **state)
{
    cx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"scope\":"
                             "{\"start_time\":200,\"end_time\":300}}}",
                             &r, &err),
                     RB_OK);
    assert_int_equal(json_array_size(chapters(&r)), 3);
    assert_true(fabs(start_of(&r, 1) - 116.78) < 1e-9);
    json_decref(r.outputs);
}

static void test_no_transcript(void **state)
{
    cx *x = *state;
    wf_fixture_asset(x->f, 30.0, x->f->asset_id); /* a new asset without tracks */
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_ERR);
    assert_string_equal(err.type, "validation_error");
    assert_int_equal(r.retryable, 0);
    assert_null(r.outputs);
}

/* ---- the model path ------------------------------------------------------ */

static void add_answer(cx *x, const char *chapters_json)
{
    char body[4096];
    snprintf(body, sizeof body, "{\"chapters\":%s}", chapters_json);
    fake_ok(&x->fake, body, 1500, 200);
}

static void test_model_request_and_post_rules(void **state)
{
    cx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    /* Unsorted, the first not at 0, one past the 340 s end, one 10 s after
     * another, titles padded and repeated. */
    add_answer(x, "[{\"start_time\":224.4,\"title\":\"  Sourdough\\n bread \"},"
                  "{\"start_time\":5,\"title\":\"Beekeeping\"},"
                  "{\"start_time\":116.78,\"title\":\"Bicycle repair\"},"
                  "{\"start_time\":126.5,\"title\":\"Brakes\"},"
                  "{\"start_time\":300,\"title\":\"beekeeping\"},"
                  "{\"start_time\":400,\"title\":\"After the end\"}]");
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x,
                "{\"asset_id\":\"%ASSET%\",\"update_asset_chapters\":true,\"output_steering\":{"
                "\"chapter_style\":\"seo\",\"chapter_granularity\":\"fine\",\"audience\":"
                "\"home bakers\",\"brand_terms\":[\"Acme Bikes\"]},\"prompt_overrides\":{"
                "\"task\":\"OVERRIDDEN TASK\",\"title_guidelines\":\"OVERRIDDEN TITLES\"}}",
                &r, &err),
        RB_OK);
    check_outputs(&r, 1);
    assert_int_equal(json_array_size(chapters(&r)), 4);
    assert_true(start_of(&r, 0) == 0.0);
    assert_string_equal(title_of(&r, 0), "Beekeeping");
    assert_true(fabs(start_of(&r, 1) - 116.78) < 1e-9);
    assert_string_equal(title_of(&r, 1), "Bicycle repair");
    assert_true(fabs(start_of(&r, 2) - 224.4) < 1e-9);
    assert_string_equal(title_of(&r, 2), "Sourdough bread");
    assert_true(start_of(&r, 3) == 300.0);
    assert_string_equal(title_of(&r, 3), "beekeeping (2)");
    const json_t *au = json_object_get(r.outputs, "asset_update");
    assert_string_equal(json_string_value(json_object_get(au, "status")), "created");
    /* Units from tokens: 1,700 tokens → 1 unit. */
    assert_int_equal(r.units, 1);
    json_decref(r.outputs);

    assert_int_equal(x->fake.nreqs, 1);
    const fake_req *q = &x->fake.reqs[0];
    assert_string_equal(q->path, "/v1/chat/completions");
    assert_string_equal(json_string_value(json_object_get(q->body, "model")), "fake-model");
    const char *sys = wf_fake_msg(q, 0), *user = wf_fake_msg(q, 1);
    assert_non_null(sys);
    assert_non_null(user);
    assert_non_null(strstr(sys, "OVERRIDDEN TASK"));
    assert_null(strstr(sys, "You divide a video into chapters"));
    assert_non_null(strstr(sys, "OVERRIDDEN TITLES"));
    assert_null(strstr(sys, "Titles: short and specific"));
    assert_non_null(strstr(sys, "Chapters: start a chapter where the topic changes"));
    assert_non_null(strstr(sys, "The video lasts 340.000 seconds"));
    assert_non_null(strstr(sys, "at least 30 seconds apart"));
    assert_non_null(strstr(sys, "Title style: seo"));
    assert_non_null(strstr(sys, "Granularity: fine"));
    assert_non_null(strstr(sys, "Audience: home bakers."));
    assert_non_null(strstr(sys, "\"Acme Bikes\""));
    assert_non_null(strstr(user, "<transcript>"));
    assert_non_null(strstr(user, "</transcript>"));
    assert_non_null(strstr(user, "116.780"));
    assert_non_null(strstr(user, "sourdough starter"));
    const json_t *rf = json_object_get(q->body, "response_format");
    assert_string_equal(json_string_value(json_object_get(rf, "type")), "json_schema");
    const json_t *js = json_object_get(rf, "json_schema");
    assert_string_equal(json_string_value(json_object_get(js, "name")), "chapters");
    const json_t *schema = json_object_get(js, "schema");
    assert_true(json_is_false(json_object_get(schema, "additionalProperties")));
    const json_t *arr = json_object_get(json_object_get(schema, "properties"), "chapters");
    assert_string_equal(json_string_value(json_object_get(arr, "type")), "array");
    assert_int_equal(json_integer_value(json_object_get(arr, "minItems")), 1);
    const json_t *items = json_object_get(arr, "items");
    assert_true(json_is_false(json_object_get(items, "additionalProperties")));
    assert_int_equal(json_array_size(json_object_get(items, "required")), 2);
    const json_t *st = json_object_get(json_object_get(items, "properties"), "start_time");
    assert_string_equal(json_string_value(json_object_get(st, "type")), "number");
    assert_int_equal(json_integer_value(json_object_get(st, "minimum")), 0);
}

static void test_model_429_then_success(void **state)
{
    cx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    fake_reply_add(&x->fake, 429, "{\"error\":{\"message\":\"slow down\"}}", "0", 0);
    add_answer(x, "[{\"start_time\":0,\"title\":\"Everything\"}]");
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_OK);
    assert_int_equal(json_array_size(chapters(&r)), 1);
    assert_string_equal(title_of(&r, 0), "Everything");
    assert_int_equal(x->fake.nreqs, 2);
    json_decref(r.outputs);
}

static void test_model_500_exhausted(void **state)
{
    cx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_500(x->f, &x->fake, "generate-chapters", "{\"asset_id\":\"%ASSET%\",\"update_asset_chapters\":true}");
    /* Nothing was written to the asset. */
    char ids[4][RB_ID_MAX];
    assert_int_equal(chapters_tracks(x, ids, 4), 0);
}

static void test_model_timeout(void **state)
{
    cx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_timeout(x->f, &x->fake, "generate-chapters", "{\"asset_id\":\"%ASSET%\"}",
                           "{\"chapters\":[{\"start_time\":0,\"title\":\"t\"}]}");
}

static void test_model_malformed(void **state)
{
    cx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_malformed(x->f, &x->fake, "generate-chapters", "{\"asset_id\":\"%ASSET%\"}", "{\"chapters\": [ {\"start_time\": 0, ");
}

static void test_model_out_of_range(void **state)
{
    cx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    /* Passes the schema, but every start is past the 340 s asset: nothing
     * is left after the post-rules, the job errors and writes nothing. */
    add_answer(x, "[{\"start_time\":400,\"title\":\"Late\"},{\"start_time\":500,\"title\":\"Later\"}]");
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\",\"update_asset_chapters\":true}", &r,
                             &err),
                     RB_ERR);
    assert_string_equal(err.type, "processing_error");
    assert_int_equal(r.retryable, 1);
    assert_null(r.outputs);
    char ids[4][RB_ID_MAX];
    assert_int_equal(chapters_tracks(x, ids, 4), 0);

    /* A negative start violates the schema (minimum 0): the corrective retry
     * gets the same answer, so the job errors. */
    fake_stop(&x->fake);
    x->fake_on = 0;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    add_answer(x, "[{\"start_time\":-3,\"title\":\"Before\"}]");
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_ERR);
    assert_string_equal(err.type, "processing_error");
    assert_int_equal(r.retryable, 1);
    assert_int_equal(x->fake.nreqs, 2);

    /* Only white-space titles: dropped, nothing left. */
    fake_stop(&x->fake);
    x->fake_on = 0;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    add_answer(x, "[{\"start_time\":0,\"title\":\"   \"}]");
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_ERR);
    assert_string_equal(err.type, "processing_error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered),
        cmocka_unit_test_setup_teardown(test_builtin_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_style_and_granularity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_asset_chapters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_before_side_effect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_transcript, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_request_and_post_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_429_then_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_500_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_out_of_range, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
