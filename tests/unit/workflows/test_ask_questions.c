/* test_ask_questions.c — the ask-questions workflow (src/workflows/ask_questions.c)
 * run directly on a temporary store + library: builtin answers end to end
 * (order, echo, yes / negated no / choice / free form / skipped), scope, no
 * transcript, the free-form cap, cancel; and the model path against the fake
 * OpenAI-compatible server (request shape and schema, post-rules on the
 * model's answers, 429, 500s, timeout, malformed and out-of-range JSON). */
#include "wf_model.h"


static const char *VTT =
    "WEBVTT\n\n"
    "00:00:00.000 --> 00:00:05.000\n"
    "Welcome to the workshop, today we build a birdhouse from pine wood.\n\n"
    "00:00:05.000 --> 00:00:09.000\n"
    "The roof is made of cedar shingles.\n\n"
    "00:00:09.000 --> 00:00:14.000\n"
    "We do not use any nails, only wood glue and screws.\n\n"
    "00:00:14.000 --> 00:00:18.000\n"
    "The entrance hole is thirty millimeters wide.\n\n"
    "00:00:18.000 --> 00:00:23.000\n"
    "Paint the outside with a water based paint.\n\n"
    "00:00:23.000 --> 00:00:27.000\n"
    "Never paint the inside of the box.\n\n"
    "00:00:27.000 --> 00:00:33.000\n"
    "Hang the finished birdhouse on a tree, about two meters above the ground.\n";

static const char *QUESTIONS =
    "\"questions\":["
    "{\"question\":\"Is the birdhouse built from pine wood?\"},"
    "{\"question\":\"Do they use nails?\"},"
    "{\"question\":\"How wide is the entrance hole?\",\"answer_options\":[\"20 millimeters\","
    "\"30 millimeters\",\"40 millimeters\"]},"
    "{\"question\":\"What is the roof made of?\",\"free_form_reply\":true},"
    "{\"question\":\"Does the presenter own a dog?\"}]";

typedef struct ax {
    wf_fixture *f;
    char track[RB_ID_MAX];
    fake_openai fake;
    int fake_on;
} ax;

static int setup(void **state)
{
    ax *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f = wf_fixture_new("askq");
    wf_fixture_track(x->f, "en", VTT, x->track);
    *state = x;
    return 0;
}

static int setup_no_track(void **state)
{
    ax *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f = wf_fixture_new("askq");
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    ax *x = *state;
    wf_fake_teardown(&x->fake, x->fake_on);
    wf_fixture_free(x->f);
    free(x);
    return 0;
}

static int run_job(ax *x, const char *params, rb_wf_result *res, rb_err *err)
{
    return wf_fixture_run(x->f, "ask-questions", params, res, err);
}

static const json_t *answer(const rb_wf_result *r, size_t i)
{
    return json_array_get(json_object_get(r->outputs, "answers"), i);
}

static const char *astr(const rb_wf_result *r, size_t i, const char *key)
{
    return json_string_value(json_object_get(answer(r, i), key));
}

static double aconf(const rb_wf_result *r, size_t i)
{
    return json_number_value(json_object_get(answer(r, i), "confidence"));
}

static int askipped(const rb_wf_result *r, size_t i)
{
    return json_is_true(json_object_get(answer(r, i), "skipped"));
}

/* The spec's outputs table: {answers:[{question, answer, confidence,
 * reasoning, skipped}]} and nothing else; n answers. */
static void check_shape(const rb_wf_result *r, size_t n)
{
    assert_non_null(r->outputs);
    assert_int_equal(json_object_size(r->outputs), 1);
    const json_t *arr = json_object_get(r->outputs, "answers");
    assert_int_equal(json_array_size(arr), n);
    static const char *const keys[] = {"question", "answer", "confidence", "reasoning",
                                       "skipped"};
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_array_get(arr, i);
        assert_int_equal(json_object_size(a), 5);
        size_t k = 0;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)a, key, v) {
            assert_string_equal(key, keys[k]);
            k++;
        }
        assert_true(json_is_string(json_object_get(a, "question")));
        assert_true(json_is_string(json_object_get(a, "reasoning")));
        double c = json_number_value(json_object_get(a, "confidence"));
        assert_true(c >= 0 && c <= 1);
        if (json_is_true(json_object_get(a, "skipped"))) {
            assert_true(json_is_null(json_object_get(a, "answer")));
            assert_true(c == 0);
        } else {
            assert_true(json_is_string(json_object_get(a, "answer")));
        }
    }
}

static void test_registered(void **state)
{
    (void)state;
    assert_non_null(rb_workflow_find("ask-questions"));
    assert_int_equal(rb_workflow_available("ask-questions"), 1);
}

static void test_builtin_end_to_end(void **state)
{
    ax *x = *state;
    char params[4096];
    snprintf(params, sizeof params, "{\"asset_id\":\"%%ASSET%%\",%s}", QUESTIONS);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, params, &r, &err), RB_OK);
    check_shape(&r, 5);
    /* Input order, each echoing its question. */
    assert_string_equal(astr(&r, 0, "question"), "Is the birdhouse built from pine wood?");
    assert_string_equal(astr(&r, 4, "question"), "Does the presenter own a dog?");
    assert_string_equal(astr(&r, 0, "answer"), "yes");
    assert_string_equal(astr(&r, 0, "reasoning"),
                        "At 00:00: \"Welcome to the workshop, today we build a birdhouse from "
                        "pine wood.\"");
    /* Two decimals; 0.95 since "built" is read as "build" (docs/builtin-answer.md). */
    assert_float_equal(aconf(&r, 0), 0.95, 1e-9);
    assert_string_equal(astr(&r, 1, "answer"), "no");
    assert_non_null(strstr(astr(&r, 1, "reasoning"), "negated (\"not\")"));
    assert_string_equal(astr(&r, 2, "answer"), "30 millimeters");
    assert_string_equal(astr(&r, 3, "answer"), "The roof is made of cedar shingles.");
    assert_true(askipped(&r, 4));
    assert_string_equal(astr(&r, 4, "reasoning"), "The transcript does not mention \"dog\".");
    assert_int_equal(r.units, 1);
    assert_true(r.engine_ns > 0);
    json_decref(r.outputs);
}

static void test_scope(void **state)
{
    ax *x = *state;
    rb_wf_result r;
    rb_err err;
    /* Only [18 s, 30 s) is read: the roof (00:05) is outside, the inside
     * paint (00:23) inside, and the times stay on the asset's timeline. */
    assert_int_equal(
        run_job(x,
                "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"scope\":{\"start_time\":18,"
                "\"end_time\":30}},\"questions\":[{\"question\":\"What is the roof made of?\","
                "\"free_form_reply\":true},{\"question\":\"Should you paint the inside of the "
                "box?\"}]}",
                &r, &err),
        RB_OK);
    check_shape(&r, 2);
    assert_true(askipped(&r, 0));
    assert_string_equal(astr(&r, 1, "answer"), "no");
    assert_non_null(strstr(astr(&r, 1, "reasoning"), "At 00:23: \"Never paint the inside"));
    json_decref(r.outputs);
}

static void test_free_form_cap(void **state)
{
    ax *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x,
                "{\"asset_id\":\"%ASSET%\",\"max_free_form_answer_length\":20,\"questions\":[{"
                "\"question\":\"Where do you hang the finished birdhouse?\","
                "\"free_form_reply\":true}]}",
                &r, &err),
        RB_OK);
    check_shape(&r, 1);
    assert_string_equal(astr(&r, 0, "answer"), "Hang the finished");
    json_decref(r.outputs);
}

static void test_cancel(void **state)
{
    ax *x = *state;
    x->f->cancel_after = 1;
    char params[4096];
    snprintf(params, sizeof params, "{\"asset_id\":\"%%ASSET%%\",%s}", QUESTIONS);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, params, &r, &err), RB_CONFLICT);
    assert_null(r.outputs);
    /* Cancelled after the engine ran: still no outputs. */
    x->f->cancel_calls = 0;
    x->f->cancel_after = 2;
    assert_int_equal(run_job(x, params, &r, &err), RB_CONFLICT);
    assert_null(r.outputs);
}

static void test_no_transcript(void **state)
{
    ax *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"questions\":[{\"question\":\"Is it "
                             "sunny?\"},{\"question\":\"Why?\",\"free_form_reply\":true}]}",
                             &r, &err),
                     RB_OK);
    check_shape(&r, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_true(askipped(&r, i));
        assert_non_null(strstr(astr(&r, i, "reasoning"), "no transcript"));
    }
    assert_int_equal(r.units, 1);
    json_decref(r.outputs);
}

static void test_unknown_asset(void **state)
{
    ax *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"nope\",\"questions\":[{\"question\":\"q?\"}]}",
                             &r, &err),
                     RB_ERR);
    assert_string_equal(err.type, "validation_error");
    assert_int_equal(r.retryable, 0);
    assert_null(r.outputs);
}

/* ---- the model path ------------------------------------------------------ */

static void test_model_request_and_post_rules(void **state)
{
    ax *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    /* Out of order; a case-insensitive option; a duplicate index; an answer
     * that is no option; a skipped answer with text; a long free answer;
     * question 5 missing. */
    fake_ok(&x->fake,
            "{\"answers\":["
            "{\"question_index\":2,\"answer\":\"30 MILLIMETERS.\",\"confidence\":0.8,"
            "\"reasoning\":\"At 00:14.\",\"skipped\":false},"
            "{\"question_index\":0,\"answer\":\"Yes\",\"confidence\":0.95,"
            "\"reasoning\":\"At 00:00: pine wood.\",\"skipped\":false},"
            "{\"question_index\":0,\"answer\":\"no\",\"confidence\":0.1,"
            "\"reasoning\":\"dup\",\"skipped\":false},"
            "{\"question_index\":1,\"answer\":\"perhaps\",\"confidence\":0.6,"
            "\"reasoning\":\"unsure\",\"skipped\":false},"
            "{\"question_index\":4,\"answer\":\"no\",\"confidence\":0.7,"
            "\"reasoning\":\"No dog is mentioned.\",\"skipped\":true},"
            "{\"question_index\":3,\"answer\":\"The roof is made of cedar shingles, a wood that "
            "resists rain.\",\"confidence\":0.9,\"reasoning\":\"At 00:05.\",\"skipped\":false}"
            "]}",
            900, 100);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x,
                "{\"asset_id\":\"%ASSET%\",\"max_free_form_answer_length\":40,\"questions\":["
                "{\"question\":\"Is the birdhouse built from pine wood?\"},"
                "{\"question\":\"Do they use nails?\"},"
                "{\"question\":\"How wide is the entrance hole?\",\"answer_options\":[\"20 "
                "millimeters\",\"30 millimeters\"]},"
                "{\"question\":\"What is the roof made of?\",\"free_form_reply\":true},"
                "{\"question\":\"Does the presenter own a dog?\"},"
                "{\"question\":\"Is it painted?\"}]}",
                &r, &err),
        RB_OK);
    check_shape(&r, 6);
    assert_string_equal(astr(&r, 0, "answer"), "yes");
    assert_float_equal(aconf(&r, 0), 0.95, 1e-9);
    assert_string_equal(astr(&r, 0, "reasoning"), "At 00:00: pine wood.");
    assert_true(askipped(&r, 1));
    assert_string_equal(astr(&r, 1, "reasoning"),
                        "The answer given (\"perhaps\") is not one of the answer options. "
                        "unsure");
    assert_string_equal(astr(&r, 2, "answer"), "30 millimeters");
    assert_string_equal(astr(&r, 3, "answer"), "The roof is made of cedar shingles, a");
    assert_true(askipped(&r, 4));
    assert_string_equal(astr(&r, 4, "reasoning"), "No dog is mentioned.");
    assert_true(askipped(&r, 5));
    assert_string_equal(astr(&r, 5, "reasoning"), "no answer");
    assert_string_equal(astr(&r, 5, "question"), "Is it painted?");
    assert_int_equal(r.units, 1);
    json_decref(r.outputs);

    /* The request: one call, the model, the questions, the transcript in
     * its delimited section, the strict schema. */
    assert_int_equal(x->fake.nreqs, 1);
    const fake_req *q = &x->fake.reqs[0];
    assert_string_equal(q->path, "/v1/chat/completions");
    assert_string_equal(json_string_value(json_object_get(q->body, "model")), "fake-model");
    const char *sys = wf_fake_msg(q, 0), *user = wf_fake_msg(q, 1);
    assert_non_null(strstr(sys, "exactly one of its answer_options"));
    assert_non_null(strstr(sys, "above 0.9 for clear"));
    assert_non_null(strstr(user, "<questions>"));
    assert_non_null(strstr(user, "{\"question_index\":2,\"question\":\"How wide is the entrance "
                                 "hole?\",\"answer_options\":[\"20 millimeters\",\"30 "
                                 "millimeters\"]}"));
    assert_non_null(strstr(user, "\"answer_options\":[\"yes\",\"no\"]"));
    assert_non_null(strstr(user, "\"free_form_reply\":true,\"max_answer_length\":40"));
    assert_non_null(strstr(user, "<transcript>"));
    assert_non_null(strstr(user, "</transcript>"));
    assert_non_null(strstr(user, "cedar shingles"));
    const json_t *rf = json_object_get(q->body, "response_format");
    assert_string_equal(json_string_value(json_object_get(rf, "type")), "json_schema");
    const json_t *js = json_object_get(rf, "json_schema");
    assert_string_equal(json_string_value(json_object_get(js, "name")), "answers");
    const json_t *schema = json_object_get(js, "schema");
    assert_true(json_is_false(json_object_get(schema, "additionalProperties")));
    const json_t *arr = json_object_get(json_object_get(schema, "properties"), "answers");
    assert_int_equal(json_integer_value(json_object_get(arr, "maxItems")), 6);
    const json_t *item = json_object_get(arr, "items");
    assert_true(json_is_false(json_object_get(item, "additionalProperties")));
    assert_int_equal(json_array_size(json_object_get(item, "required")), 5);
    const json_t *props = json_object_get(item, "properties");
    assert_int_equal(json_object_size(props), 5);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(props, "question_index"), "maximum")),
        5);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(props, "confidence"), "maximum")), 1);
}

static void test_model_429_then_success(void **state)
{
    ax *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    fake_reply_add(&x->fake, 429, "{\"error\":{\"message\":\"slow down\"}}", "0", 0);
    fake_ok(&x->fake,
            "{\"answers\":[{\"question_index\":0,\"answer\":\"no\",\"confidence\":0.9,"
            "\"reasoning\":\"At 00:09.\",\"skipped\":false}]}",
            10, 10);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"questions\":[{\"question\":\"Nails?\"}]}", &r,
                &err),
        RB_OK);
    assert_string_equal(astr(&r, 0, "answer"), "no");
    assert_int_equal(x->fake.nreqs, 2);
    json_decref(r.outputs);
}

/* One question is enough for the transport failures. */
#define ASK_PARAMS "{\"asset_id\":\"%ASSET%\",\"questions\":[{\"question\":\"Nails?\"}]}"

static void test_model_500_exhausted(void **state)
{
    ax *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_500(x->f, &x->fake, "ask-questions", ASK_PARAMS);
}

static void test_model_timeout(void **state)
{
    ax *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_timeout(x->f, &x->fake, "ask-questions", ASK_PARAMS,
                           "{\"answers\":[]}");
}

static void test_model_malformed(void **state)
{
    ax *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_malformed(x->f, &x->fake, "ask-questions", ASK_PARAMS, "{\"answers\": [ {");
}

static void test_model_out_of_range(void **state)
{
    ax *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    /* confidence 1.5 and an index past the last question violate the
     * schema; the corrective retry gets the same, so the job errors. */
    fake_ok(&x->fake,
            "{\"answers\":[{\"question_index\":3,\"answer\":\"yes\",\"confidence\":1.5,"
            "\"reasoning\":\"r\",\"skipped\":false}]}",
            10, 10);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"questions\":[{\"question\":\"Nails?\"}]}", &r,
                &err),
        RB_ERR);
    assert_string_equal(err.type, "processing_error");
    assert_int_equal(r.retryable, 1);
    assert_null(r.outputs);
    assert_int_equal(x->fake.nreqs, 2);

    /* The corrective retry fixes it: the job completes. */
    fake_stop(&x->fake);
    x->fake_on = 0;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    fake_ok(&x->fake,
            "{\"answers\":[{\"question_index\":0,\"answer\":\"yes\",\"confidence\":-2,"
            "\"reasoning\":\"r\",\"skipped\":false}]}",
            10, 10);
    fake_ok(&x->fake,
            "{\"answers\":[{\"question_index\":0,\"answer\":\"yes\",\"confidence\":0.4,"
            "\"reasoning\":\"r\",\"skipped\":false}]}",
            10, 10);
    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"questions\":[{\"question\":\"Nails?\"}]}", &r,
                &err),
        RB_OK);
    assert_float_equal(aconf(&r, 0), 0.4, 1e-9);
    assert_int_equal(x->fake.nreqs, 2);
    json_decref(r.outputs);
}

static void test_model_no_transcript(void **state)
{
    ax *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(
        run_job(x, "{\"asset_id\":\"%ASSET%\",\"questions\":[{\"question\":\"Nails?\"}]}", &r,
                &err),
        RB_OK);
    check_shape(&r, 1);
    assert_true(askipped(&r, 0));
    /* Nothing to send: no model call. */
    assert_int_equal(x->fake.nreqs, 0);
    json_decref(r.outputs);
}

int main(void)
{
    /* Exact outputs must not depend on the thesaurus packages installed. */
    setenv("ROBOTS_THESAURUS_DIR", ROBOTS_SOURCE_DIR "/tests/fixtures/thesaurus", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered),
        cmocka_unit_test_setup_teardown(test_builtin_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_form_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_transcript, setup_no_track, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_asset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_request_and_post_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_429_then_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_500_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_no_transcript, setup_no_track, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
