/* test_textwf.c — unit tests for src/workflows/textwf.c: track choice and
 * transcript on a real store, scope checks, engine choice (environment
 * setting over server default), the unsupported_language rule, the model's
 * transcript format, units and the word helpers. */
#include "wf_fixture.h"

#include "workflows/textwf.h"

static const char *EN_VTT = "WEBVTT\n\n"
                            "00:00:01.000 --> 00:00:04.000\n"
                            "[speaker_0] Sourdough needs a lively starter.\n\n"
                            "00:00:04.000 --> 00:00:07.500\n"
                            "Feed it flour and water every day.\n\n"
                            "00:35:00.000 --> 00:35:03.000\n"
                            "[speaker_1] Bake it hot.\n";

static const char *FR_VTT = "WEBVTT\n\n"
                            "00:00:00.000 --> 00:00:03.000\n"
                            "Bonjour à tous.\n";

typedef struct tw {
    wf_fixture *f;
    rb_job job;
    rb_wf_ctx ctx;
    rb_textwf w;
    rb_wf_result res;
    rb_err err;
} tw;

static int open_job(tw *x, unsigned flags, const char *params_fmt)
{
    char params[2048];
    snprintf(params, sizeof params, params_fmt, x->f->asset_id);
    rb_job_init(&x->job);
    snprintf(x->job.id, sizeof x->job.id, "rjob_textwf");
    snprintf(x->job.env_id, sizeof x->job.env_id, "%s", x->f->env.id);
    snprintf(x->job.workflow, sizeof x->job.workflow, "summarize");
    x->job.parameters = json_loads(params, 0, NULL);
    assert_non_null(x->job.parameters);
    x->ctx = (rb_wf_ctx){.job = &x->job, .library = &x->f->lib, .cfg = &x->f->cfg};
    memset(&x->res, 0, sizeof x->res);
    rb_err_clear(&x->err);
    return rb_textwf_open(&x->ctx, flags, &x->w, &x->res, &x->err);
}

static void close_job(tw *x)
{
    rb_textwf_close(&x->w);
    rb_job_clear(&x->job);
}

static int setup(void **state)
{
    tw *x = calloc(1, sizeof *x);
    x->f = wf_fixture_new("textwf");
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    tw *x = *state;
    wf_fixture_free(x->f);
    free(x);
    return 0;
}

static void test_picks_english_and_builds(void **state)
{
    tw *x = *state;
    char fr[RB_ID_MAX], en[RB_ID_MAX];
    wf_fixture_track(x->f, "fr", FR_VTT, fr);
    wf_fixture_track(x->f, "en", EN_VTT, en);
    assert_int_equal(open_job(x, RB_TEXTWF_SCOPE, "{\"asset_id\":\"%s\"}"), RB_OK);
    assert_string_equal(x->w.track->id, en);
    assert_string_equal(x->w.lang, "en");
    assert_string_equal(x->w.out_lang, "en");
    assert_int_equal(x->w.engine, RB_AI_BUILTIN);
    assert_int_equal(x->w.t->ncues, 3);
    assert_int_equal(x->w.doc.doc.nunits, x->w.t->nsentences);

    char *text;
    size_t len;
    assert_int_equal(rb_textwf_transcript_text(&x->w, &text, &len, &x->err), RB_OK);
    assert_string_equal(text, "[c0] 1.000-4.000 speaker_0: Sourdough needs a lively starter.\n"
                              "[c1] 4.000-7.500 Feed it flour and water every day.\n"
                              "[c2] 2100.000-2103.000 speaker_1: Bake it hot.\n");
    assert_int_equal(len, strlen(text));
    free(text);

    /* 1 s .. 2103 s spans two started half hours. */
    rb_textwf_finish(&x->w, &x->res);
    assert_int_equal(x->res.units, 2);
    assert_true(x->res.engine_ns > 0);
    close_job(x);

    /* The requested language wins; scope cuts the transcript. */
    assert_int_equal(open_job(x, RB_TEXTWF_SCOPE,
                              "{\"asset_id\":\"%s\",\"language_code\":\"fr\"}"),
                     RB_OK);
    assert_string_equal(x->w.track->id, fr);
    assert_string_equal(x->w.out_lang, "fr");
    close_job(x);
    assert_int_equal(open_job(x, RB_TEXTWF_SCOPE,
                              "{\"asset_id\":\"%s\",\"output_steering\":{\"scope\":"
                              "{\"start_time\":3,\"end_time\":60}}}"),
                     RB_OK);
    assert_int_equal(x->w.t->ncues, 2);
    assert_int_equal(x->w.t->cues[0].start_ms, 1000); /* times stay on the asset timeline */
    rb_textwf_finish(&x->w, &x->res);
    assert_int_equal(x->res.units, 1);
    close_job(x);
    /* Without RB_TEXTWF_SCOPE the scope is not applied. */
    assert_int_equal(open_job(x, 0,
                              "{\"asset_id\":\"%s\",\"output_steering\":{\"scope\":"
                              "{\"start_time\":3,\"end_time\":60}}}"),
                     RB_OK);
    assert_int_equal(x->w.t->ncues, 3);
    close_job(x);
}

static void test_failures(void **state)
{
    tw *x = *state;
    /* No caption track. */
    assert_int_equal(open_job(x, 0, "{\"asset_id\":\"%s\"}"), RB_ERR);
    assert_string_equal(x->err.type, "validation_error");
    assert_non_null(strstr(x->err.message, "no transcript"));
    assert_int_equal(x->res.retryable, 0);
    close_job(x);
    /* ... unless the workflow can do without. */
    assert_int_equal(open_job(x, RB_TEXTWF_TRANSCRIPT_OPTIONAL, "{\"asset_id\":\"%s\"}"), RB_OK);
    assert_null(x->w.t);
    assert_null(x->w.track);
    assert_string_equal(x->w.lang, "en");
    close_job(x);

    char en[RB_ID_MAX];
    wf_fixture_track(x->f, "en", EN_VTT, en);
    /* A requested language the asset lacks. */
    assert_int_equal(open_job(x, 0, "{\"asset_id\":\"%s\",\"language_code\":\"de\"}"), RB_ERR);
    assert_string_equal(x->err.type, "validation_error");
    assert_non_null(strstr(x->err.message, "'de'"));
    close_job(x);
    /* An empty scope window and a reversed one. */
    assert_int_equal(open_job(x, RB_TEXTWF_SCOPE,
                              "{\"asset_id\":\"%s\",\"output_steering\":{\"scope\":"
                              "{\"start_time\":10,\"end_time\":20}}}"),
                     RB_ERR);
    assert_string_equal(x->err.type, "validation_error");
    assert_non_null(strstr(x->err.message, "scope"));
    close_job(x);
    assert_int_equal(open_job(x, RB_TEXTWF_SCOPE,
                              "{\"asset_id\":\"%s\",\"output_steering\":{\"scope\":"
                              "{\"start_time\":20,\"end_time\":10}}}"),
                     RB_ERR);
    assert_non_null(strstr(x->err.message, "start_time"));
    close_job(x);
    /* The builtin engine cannot write another language ... */
    assert_int_equal(open_job(x, 0,
                              "{\"asset_id\":\"%s\",\"output_language_code\":\"fr\"}"),
                     RB_ERR);
    assert_string_equal(x->err.type, "unsupported_language");
    assert_int_equal(x->res.retryable, 0);
    assert_non_null(strstr(x->err.message, "output_language_code"));
    close_job(x);
    /* ... but a regional variant of the transcript's language is the same language. */
    assert_int_equal(open_job(x, 0,
                              "{\"asset_id\":\"%s\",\"output_language_code\":\"en-GB\"}"),
                     RB_OK);
    assert_string_equal(x->w.out_lang, "en-GB");
    close_job(x);
    /* A workflow without output_language_code ignores it. */
    assert_int_equal(open_job(x, RB_TEXTWF_NO_OUTPUT_LANGUAGE,
                              "{\"asset_id\":\"%s\",\"output_language_code\":\"fr\"}"),
                     RB_OK);
    close_job(x);
    /* An unknown asset. */
    assert_int_equal(open_job(x, 0, "{\"asset_id\":\"nope%s\"}"), RB_ERR);
    assert_string_equal(x->err.type, "validation_error");
    close_job(x);
}

static void test_engine_choice(void **state)
{
    tw *x = *state;
    char en[RB_ID_MAX];
    wf_fixture_track(x->f, "en", EN_VTT, en);
    setenv("ROBOTS_OPENAI_BASE_URL", "http://127.0.0.1:9/v1", 1);
    setenv("ROBOTS_OPENAI_MODEL", "server-model", 1);
    setenv("ROBOTS_OPENAI_API_KEY", "sk-test-secret", 1);

    /* The server default. */
    snprintf(x->f->cfg.ai, sizeof x->f->cfg.ai, "openai");
    assert_int_equal(open_job(x, 0, "{\"asset_id\":\"%s\"}"), RB_OK);
    assert_int_equal(x->w.engine, RB_AI_OPENAI);
    assert_string_equal(x->w.oa.model, "server-model");
    /* The model writes any language. */
    close_job(x);
    assert_int_equal(open_job(x, 0,
                              "{\"asset_id\":\"%s\",\"output_language_code\":\"fr\"}"),
                     RB_OK);
    assert_string_equal(x->w.out_lang, "fr");
    close_job(x);

    /* The environment's own setting wins, in both directions. */
    wf_fixture_env_set(x->f, "ai", "builtin");
    assert_int_equal(open_job(x, 0, "{\"asset_id\":\"%s\"}"), RB_OK);
    assert_int_equal(x->w.engine, RB_AI_BUILTIN);
    close_job(x);
    snprintf(x->f->cfg.ai, sizeof x->f->cfg.ai, "builtin");
    wf_fixture_env_set(x->f, "ai", "openai");
    wf_fixture_env_set(x->f, "openai_model", "env-model");
    assert_int_equal(open_job(x, 0, "{\"asset_id\":\"%s\"}"), RB_OK);
    assert_int_equal(x->w.engine, RB_AI_OPENAI);
    assert_string_equal(x->w.oa.model, "env-model");
    close_job(x);

    /* A model server that is down: the job error is retryable. */
    json_t *schema = json_pack("{s:s}", "type", "object");
    assert_int_equal(open_job(x, 0, "{\"asset_id\":\"%s\"}"), RB_OK);
    setenv("ROBOTS_OPENAI_MAX_RETRIES", "0", 1);
    json_t *outj = NULL;
    x->w.oa.max_retries = 0;
    x->w.oa.timeout_ms = 500;
    assert_int_equal(rb_textwf_llm(&x->w, "Do it.", NULL, schema, "t", &outj, &x->err), RB_ERR);
    assert_null(outj);
    assert_null(strstr(x->err.message, "sk-test-secret"));
    assert_int_equal(rb_textwf_fail(&x->w, &x->res, &x->err), RB_ERR);
    assert_int_equal(x->res.retryable, 1);
    assert_int_equal(x->res.units, 1);
    close_job(x);
    json_decref(schema);

    /* No model configured: a clear, retryable configuration error. */
    unsetenv("ROBOTS_OPENAI_MODEL");
    wf_fixture_env_set(x->f, "openai_model", NULL);
    assert_int_equal(open_job(x, 0, "{\"asset_id\":\"%s\"}"), RB_ERR);
    assert_string_equal(x->err.type, "processing_error");
    assert_non_null(strstr(x->err.message, "ROBOTS_OPENAI_MODEL"));
    assert_int_equal(x->res.retryable, 1);
    close_job(x);
    /* An unknown engine name. */
    wf_fixture_env_set(x->f, "ai", "gpt");
    assert_int_equal(open_job(x, 0, "{\"asset_id\":\"%s\"}"), RB_ERR);
    assert_non_null(strstr(x->err.message, "'gpt'"));
    close_job(x);
    unsetenv("ROBOTS_OPENAI_BASE_URL");
    unsetenv("ROBOTS_OPENAI_API_KEY");
    unsetenv("ROBOTS_OPENAI_MAX_RETRIES");
}

static void test_word_helpers(void **state)
{
    (void)state;
    assert_int_equal(rb_textwf_word_count("  one two\tthree\n"), 3);
    assert_int_equal(rb_textwf_word_count(""), 0);
    char s[] = "Bake bread, then eat it: slowly.";
    assert_int_equal(rb_textwf_limit_words(s, 2), 2);
    assert_string_equal(s, "Bake bread");
    char s2[] = "Short one.";
    assert_int_equal(rb_textwf_limit_words(s2, 5), 2);
    assert_string_equal(s2, "Short one.");
    char s3[] = "a b c: d";
    assert_int_equal(rb_textwf_limit_words(s3, 3), 3);
    assert_string_equal(s3, "a b c");

    rb_transcript t = {0};
    rb_transcript_cue cues[3] = {{0, 1, "Hello", ""}, {1, 2, "", ""}, {2, 3, "world.", ""}};
    t.cues = cues;
    t.ncues = 3;
    char *j = rb_textwf_cue_text(&t, 0, 2);
    assert_string_equal(j, "Hello world.");
    free(j);
    j = rb_textwf_cue_text(&t, 2, 5);
    assert_string_equal(j, "");
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_picks_english_and_builds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_choice, setup, teardown),
        cmocka_unit_test(test_word_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
