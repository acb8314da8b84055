/* test_summarize.c — the summarize workflow (src/workflows/summarize.c) run
 * directly on a temporary store + library: builtin outputs end to end, the
 * meta.title side effect and its cancel, scope, parameter limits, the
 * taxonomy, no transcript; and the model path against the fake
 * OpenAI-compatible server (request shape, 429, 500s, timeout, malformed and
 * out-of-range answers). */
#include "wf_model.h"


#include <strings.h>

typedef struct sx {
    wf_fixture *f;
    char track[RB_ID_MAX];
    fake_openai fake;
    int fake_on;
} sx;

static int setup(void **state)
{
    sx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f = wf_fixture_new("summarize");
    char *vtt = wf_fixture_read("tests/fixtures/summarize/sourdough.vtt");
    wf_fixture_track(x->f, "en", vtt, x->track);
    free(vtt);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    sx *x = *state;
    wf_fake_teardown(&x->fake, x->fake_on);
    wf_fixture_free(x->f);
    free(x);
    return 0;
}

static int run_job(sx *x, const char *params, rb_wf_result *res, rb_err *err)
{
    return wf_fixture_run(x->f, "summarize", params, res, err);
}

static const char *out_str(const rb_wf_result *r, const char *key)
{
    return json_string_value(json_object_get(r->outputs, key));
}

static size_t nwords(const char *s)
{
    size_t n = 0;
    int in = 0;
    for (; *s; s++) {
        int sp = *s == ' ';
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

static int has_tag(const rb_wf_result *r, const char *tag)
{
    const json_t *tags = json_object_get(r->outputs, "tags");
    for (size_t i = 0; i < json_array_size(tags); i++)
        if (strcmp(json_string_value(json_array_get(tags, i)), tag) == 0)
            return 1;
    return 0;
}

/* The outputs object holds exactly title, description and tags (spec §5.1)
 * and every tag is a unique non-empty string. */
static void check_outputs(const rb_wf_result *r, size_t max_tags)
{
    assert_non_null(r->outputs);
    assert_int_equal(json_object_size(r->outputs), 3);
    assert_true(json_is_string(json_object_get(r->outputs, "title")));
    assert_true(json_is_string(json_object_get(r->outputs, "description")));
    const json_t *tags = json_object_get(r->outputs, "tags");
    assert_true(json_is_array(tags));
    assert_true(json_array_size(tags) <= max_tags);
    assert_true(out_str(r, "title")[0] != '\0');
    assert_true(out_str(r, "description")[0] != '\0');
    for (size_t i = 0; i < json_array_size(tags); i++) {
        const char *t = json_string_value(json_array_get(tags, i));
        assert_non_null(t);
        assert_true(t[0] != '\0');
        for (size_t j = 0; j < i; j++)
            assert_true(strcasecmp(t, json_string_value(json_array_get(tags, j))) != 0);
    }
}

static char *stored_meta_title(sx *x)
{
    rb_asset a;
    memset(&a, 0, sizeof a);
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_store_asset_get(x->f->st, x->f->env.id, x->f->asset_id, &a, &err), RB_OK);
    const char *t = json_string_value(json_object_get(a.meta, "title"));
    char *copy = t ? strdup(t) : NULL;
    rb_asset_clear(&a);
    return copy;
}

static void test_registered(void **state)
{
    (void)state;
    assert_non_null(rb_workflow_find("summarize"));
    assert_int_equal(rb_workflow_available("summarize"), 1);
}

static void test_builtin_end_to_end(void **state)
{
    sx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_OK);
    check_outputs(&r, 10);
    assert_string_equal(out_str(&r, "title"), "Sourdough Starter, Bulk Fermentation and Dutch Oven");
    assert_int_equal(json_array_size(json_object_get(r.outputs, "tags")), 10);
    assert_true(has_tag(&r, "sourdough"));
    assert_true(has_tag(&r, "sourdough starter"));
    assert_true(has_tag(&r, "bulk fermentation"));
    assert_non_null(strstr(out_str(&r, "description"), "sourdough"));
    /* Three minutes of transcript: one unit. */
    assert_int_equal(r.units, 1);
    assert_true(r.engine_ns > 0);
    /* No side effect without update_asset_meta. */
    assert_null(stored_meta_title(x));
    json_decref(r.outputs);
}

static void test_limits_and_tone(void **state)
{
    sx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"tone\":\"professional\","
                             "\"title_length\":4,\"description_length\":10,\"tag_count\":3,"
                             "\"output_steering\":{\"summary_style\":\"detailed\"}}",
                             &r, &err),
                     RB_OK);
    check_outputs(&r, 3);
    assert_int_equal(json_array_size(json_object_get(r.outputs, "tags")), 3);
    assert_true(nwords(out_str(&r, "title")) <= 4);
    assert_string_equal(out_str(&r, "title"), "Sourdough Starter: Bulk Fermentation");
    assert_true(nwords(out_str(&r, "description")) <= 10);
    json_decref(r.outputs);

    /* A description limit below every sentence: cut, not empty. */
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\",\"description_length\":1}", &r, &err),
                     RB_OK);
    check_outputs(&r, 10);
    assert_int_equal(nwords(out_str(&r, "description")), 1);
    json_decref(r.outputs);
}

static void test_update_asset_meta(void **state)
{
    sx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"update_asset_meta\":true}", &r, &err), RB_OK);
    char *t = stored_meta_title(x);
    assert_non_null(t);
    assert_string_equal(t, out_str(&r, "title"));
    free(t);
    /* No extra output key for the side effect. */
    assert_int_equal(json_object_size(r.outputs), 3);
    json_decref(r.outputs);
}

static void test_cancel_before_side_effect(void **state)
{
    sx *x = *state;
    rb_wf_result r;
    rb_err err;
    /* The first check (before the engine) passes; the one before the
     * meta.title write sees the cancel. */
    x->f->cancel_after = 2;
    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"update_asset_meta\":true}", &r, &err),
        RB_CONFLICT);
    assert_null(r.outputs);
    assert_null(stored_meta_title(x));
    /* Cancelled at once. */
    x->f->cancel_calls = 0;
    x->f->cancel_after = 1;
    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"update_asset_meta\":true}", &r, &err),
        RB_CONFLICT);
    assert_null(stored_meta_title(x));
}

static void test_scope(void **state)
{
    sx *x = *state;
    rb_wf_result r;
    rb_err err;
    /* The first 40 s only: starter and dough mixing, no oven yet. */
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"scope\":"
                             "{\"start_time\":0,\"end_time\":40}}}",
                             &r, &err),
                     RB_OK);
    check_outputs(&r, 10);
    assert_null(strstr(out_str(&r, "description"), "oven"));
    assert_false(has_tag(&r, "dutch oven"));
    assert_true(has_tag(&r, "sourdough starter"));
    json_decref(r.outputs);
    /* Scope past the captions. */
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"scope\":"
                             "{\"start_time\":500,\"end_time\":600}}}",
                             &r, &err),
                     RB_ERR);
    assert_string_equal(err.type, "validation_error");
    assert_int_equal(r.retryable, 0);
}

static void test_taxonomy_and_brands(void **state)
{
    sx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x,
                "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"tag_taxonomy\":"
                "{\"allow_other\":false,\"values\":[{\"label\":\"Bread\",\"aliases\":"
                "[\"sourdough loaf\",\"sourdough bread\"]},{\"label\":\"Fermentation\"},"
                "{\"label\":\"Pastry\"}]}}}",
                &r, &err),
        RB_OK);
    check_outputs(&r, 10);
    const json_t *tags = json_object_get(r.outputs, "tags");
    assert_int_equal(json_array_size(tags), 2);
    assert_true(has_tag(&r, "Bread"));
    assert_true(has_tag(&r, "Fermentation"));
    json_decref(r.outputs);

    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"tag_count\":4,\"output_steering\":"
                             "{\"brand_terms\":[\"Dutch Oven\",\"KitchenAid\"]}}",
                             &r, &err),
                     RB_OK);
    check_outputs(&r, 4);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.outputs, "tags"), 0)),
                        "Dutch Oven");
    assert_false(has_tag(&r, "KitchenAid"));
    json_decref(r.outputs);
}

static void test_no_transcript(void **state)
{
    sx *x = *state;
    rb_wf_result r;
    rb_err err;
    char other[RB_ID_MAX];
    wf_fixture_asset(x->f, 0, other);
    char params[256];
    snprintf(params, sizeof params, "{\"asset_id\":\"%s\"}", other);
    assert_int_equal(run_job(x, params, &r, &err), RB_ERR);
    assert_string_equal(err.type, "validation_error");
    assert_non_null(strstr(err.message, "no transcript"));
    assert_int_equal(r.retryable, 0);
    assert_null(r.outputs);
}

/* ---- the model path ------------------------------------------------------ */

static void add_answer(sx *x, const char *title, const char *desc, const char *tags_json)
{
    json_t *tags = json_loads(tags_json, 0, NULL);
    assert_non_null(tags);
    json_t *o = json_pack("{s:s, s:s, s:o}", "title", title, "description", desc, "tags", tags);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    fake_ok(&x->fake, s, 1200, 300);
    free(s);
}

static void test_model_request_and_post_rules(void **state)
{
    sx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    add_answer(x, "  Baking   a sourdough loaf at home with a starter and patience  ",
               "Mix flour water and starter. Fold the dough. Shape it, proof it cold, and bake it "
               "in a dutch oven until the crust is dark and crisp.",
               "[\"Sourdough\",\"sourdough\",\" bread \",\"\",\"Baking\",\"Starter\","
               "\"Fermentation\",\"Dutch oven\",\"Crust\",\"Flour\",\"Water\",\"Salt\"]");
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x,
                "{\"asset_id\":\"%ASSET%\",\"tone\":\"playful\",\"title_length\":5,"
                "\"description_length\":12,\"tag_count\":5,\"output_steering\":{\"audience\":"
                "\"home bakers\",\"summary_style\":\"editorial\",\"brand_terms\":[\"Banneton\"],"
                "\"tag_taxonomy\":{\"allow_other\":true,\"values\":[{\"label\":\"Bread\","
                "\"aliases\":[\"sourdough loaf\"]}]}},\"prompt_overrides\":{\"task\":"
                "\"OVERRIDDEN TASK PARAGRAPH\"}}",
                &r, &err),
        RB_OK);
    check_outputs(&r, 5);
    /* Post-rules: trimmed and cut to 5 and 12 words; tags unique, brand
     * first, taxonomy label next, at most 5. */
    assert_string_equal(out_str(&r, "title"), "Baking   a sourdough loaf at");
    assert_int_equal(nwords(out_str(&r, "description")), 12);
    const json_t *tags = json_object_get(r.outputs, "tags");
    assert_int_equal(json_array_size(tags), 5);
    assert_string_equal(json_string_value(json_array_get(tags, 0)), "Bread");
    assert_string_equal(json_string_value(json_array_get(tags, 1)), "Banneton");
    assert_string_equal(json_string_value(json_array_get(tags, 2)), "Sourdough");
    assert_string_equal(json_string_value(json_array_get(tags, 3)), "Baking");
    assert_string_equal(json_string_value(json_array_get(tags, 4)), "Starter");
    /* Units from tokens: 1,500 tokens → 1 unit. */
    assert_int_equal(r.units, 1);
    json_decref(r.outputs);

    /* The request. */
    assert_int_equal(x->fake.nreqs, 1);
    const fake_req *q = &x->fake.reqs[0];
    assert_string_equal(q->path, "/v1/chat/completions");
    assert_string_equal(json_string_value(json_object_get(q->body, "model")), "fake-model");
    const char *sys = wf_fake_msg(q, 0), *user = wf_fake_msg(q, 1);
    assert_non_null(sys);
    assert_non_null(user);
    assert_non_null(strstr(sys, "OVERRIDDEN TASK PARAGRAPH"));
    assert_null(strstr(sys, "You summarize a video for its catalogue page"));
    assert_non_null(strstr(sys, "Title: a short, specific title"));
    assert_non_null(strstr(sys, "Tone: playful."));
    assert_non_null(strstr(sys, "at most 5 words"));
    assert_non_null(strstr(sys, "at most 12 words"));
    assert_non_null(strstr(sys, "At most 5 tags."));
    assert_non_null(strstr(sys, "Audience: home bakers."));
    assert_non_null(strstr(sys, "editorial"));
    assert_non_null(strstr(sys, "\"Banneton\""));
    assert_non_null(strstr(sys, "\"Bread\" (also called \"sourdough loaf\")"));
    assert_non_null(strstr(user, "<transcript>"));
    assert_non_null(strstr(user, "</transcript>"));
    assert_non_null(strstr(user, "sourdough starter"));
    const json_t *rf = json_object_get(q->body, "response_format");
    assert_string_equal(json_string_value(json_object_get(rf, "type")), "json_schema");
    const json_t *js = json_object_get(rf, "json_schema");
    assert_string_equal(json_string_value(json_object_get(js, "name")), "summary");
    const json_t *schema = json_object_get(js, "schema");
    assert_true(json_is_false(json_object_get(schema, "additionalProperties")));
    assert_int_equal(json_array_size(json_object_get(schema, "required")), 3);
    const json_t *props = json_object_get(schema, "properties");
    assert_int_equal(json_object_size(props), 3);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(props, "tags"), "type")), "array");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(props, "title"), "minLength")), 1);
}

static void test_model_strict_taxonomy(void **state)
{
    sx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    add_answer(x, "Sourdough", "A loaf.", "[\"sourdough loaf\",\"Fermentation\",\"Yeast\"]");
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x,
                "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"tag_taxonomy\":"
                "{\"allow_other\":false,\"values\":[{\"label\":\"Bread\",\"aliases\":"
                "[\"sourdough loaf\"]},{\"label\":\"Proofing\",\"aliases\":[\"cold proof\"]}]}}}",
                &r, &err),
        RB_OK);
    /* The alias maps to its label; Proofing is found in the transcript;
     * the other tags are dropped. */
    const json_t *tags = json_object_get(r.outputs, "tags");
    assert_int_equal(json_array_size(tags), 2);
    assert_string_equal(json_string_value(json_array_get(tags, 0)), "Bread");
    assert_string_equal(json_string_value(json_array_get(tags, 1)), "Proofing");
    json_decref(r.outputs);
}

static void test_model_429_then_success(void **state)
{
    sx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    fake_reply_add(&x->fake, 429, "{\"error\":{\"message\":\"slow down\"}}", "0", 0);
    add_answer(x, "Sourdough at home", "How to bake sourdough.", "[\"sourdough\"]");
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_OK);
    assert_string_equal(out_str(&r, "title"), "Sourdough at home");
    assert_int_equal(x->fake.nreqs, 2);
    json_decref(r.outputs);
}

static void test_model_500_exhausted(void **state)
{
    sx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_500(x->f, &x->fake, "summarize", "{\"asset_id\":\"%ASSET%\"}");
}

static void test_model_timeout(void **state)
{
    sx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_timeout(x->f, &x->fake, "summarize", "{\"asset_id\":\"%ASSET%\"}",
                           "{\"title\":\"t\",\"description\":\"d\",\"tags\":[]}");
}

static void test_model_malformed(void **state)
{
    sx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_malformed(x->f, &x->fake, "summarize", "{\"asset_id\":\"%ASSET%\"}", "this is not json {");
}

static void test_model_out_of_range(void **state)
{
    sx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    /* A title of white space passes the schema but not the post-rules. */
    add_answer(x, "   ", "A description.", "[\"sourdough\"]");
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\",\"update_asset_meta\":true}", &r, &err),
                     RB_ERR);
    assert_string_equal(err.type, "processing_error");
    assert_int_equal(r.retryable, 1);
    assert_null(stored_meta_title(x));

    /* More than 100 tags violates the schema: the corrective retry gets the
     * same, so the job errors. */
    fake_stop(&x->fake);
    x->fake_on = 0;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    json_t *tags = json_array();
    for (int i = 0; i < 120; i++)
        json_array_append_new(tags, json_sprintf("tag %d", i));
    char *ts = json_dumps(tags, JSON_COMPACT);
    json_decref(tags);
    add_answer(x, "Title", "Description.", ts);
    free(ts);
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_ERR);
    assert_string_equal(err.type, "processing_error");
    assert_null(r.outputs);
}

int main(void)
{
    /* Exact outputs must not depend on the thesaurus packages installed. */
    setenv("ROBOTS_THESAURUS_DIR", ROBOTS_SOURCE_DIR "/tests/fixtures/thesaurus", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered),
        cmocka_unit_test_setup_teardown(test_builtin_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_and_tone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_asset_meta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_before_side_effect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_taxonomy_and_brands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_transcript, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_request_and_post_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_strict_taxonomy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_429_then_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_500_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_out_of_range, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
