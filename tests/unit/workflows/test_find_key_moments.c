/* test_find_key_moments.c — the find-key-moments workflow
 * (src/workflows/find_key_moments.c) run directly on a temporary store +
 * library: builtin outputs end to end (exact moments, verbatim cues, the
 * output keys), defaults, scope, cancel, the defensive parameter checks and
 * no transcript; and the model path against the fake OpenAI-compatible
 * server (request shape and schema, post-rules repairing an answer, 429,
 * 500s, timeout, malformed and out-of-range answers). */
#include "../lines_fixture.h"
#include "wf_model.h"


#include <math.h>

#include "common/buf.h"
#include "media/vtt.h"

/* The talk of tests/fixtures/moments/talk.txt (shared with the black-box
 * test): 60 cues of 4 s; an exclamation-filled announcement from cue 35
 * (140 s). Loaded once by main(). */
static lines_fixture talk;
#define TALK ((const char *const *)talk.lines)
#define NTALK (talk.n)

typedef struct kx {
    wf_fixture *f;
    char track[RB_ID_MAX];
    fake_openai fake;
    int fake_on;
} kx;

static char *talk_vtt(void)
{
    rb_buf b;
    rb_buf_init(&b, 1 << 20);
    assert_int_equal(rb_buf_puts(&b, "WEBVTT\n\n"), 0);
    for (size_t i = 0; i < NTALK; i++) {
        char t0[32], t1[32];
        rb_vtt_format_time((int64_t)i * 4000, t0, sizeof t0);
        rb_vtt_format_time((int64_t)(i + 1) * 4000, t1, sizeof t1);
        assert_int_equal(rb_buf_appendf(&b, "%s --> %s\n%s\n\n", t0, t1, TALK[i]), 0);
    }
    return rb_buf_steal(&b);
}

static int setup(void **state)
{
    kx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f = wf_fixture_new("keymoments");
    char *vtt = talk_vtt();
    wf_fixture_track(x->f, "en", vtt, x->track);
    free(vtt);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    kx *x = *state;
    wf_fake_teardown(&x->fake, x->fake_on);
    wf_fixture_free(x->f);
    free(x);
    return 0;
}

static int run_job(kx *x, const char *params, rb_wf_result *res, rb_err *err)
{
    return wf_fixture_run(x->f, "find-key-moments", params, res, err);
}

static const json_t *moments(const rb_wf_result *r)
{
    assert_non_null(r->outputs);
    assert_int_equal(json_object_size(r->outputs), 1);
    const json_t *m = json_object_get(r->outputs, "moments");
    assert_true(json_is_array(m));
    return m;
}

static int64_t iv(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    assert_true(json_is_integer(v));
    return (int64_t)json_integer_value(v);
}

static const char *sv(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    assert_non_null(s);
    return s;
}

static size_t nwords(const char *s)
{
    size_t n = 0;
    int in = 0;
    for (; *s; s++) {
        int sp = *s == ' ' || *s == '\t' || *s == '\n';
        n += !sp && !in;
        in = !sp;
    }
    return n;
}

/* The spec's output rules, against the talk's 4 s cue grid. */
static void check_rules(const json_t *ms, size_t max, int64_t min_ms, int64_t max_ms)
{
    assert_true(json_array_size(ms) <= max);
    int64_t prev_end = -1;
    for (size_t i = 0; i < json_array_size(ms); i++) {
        const json_t *m = json_array_get(ms, i);
        /* Exactly the spec's keys; no visual fields (no visual analysis). */
        const char *key;
        const json_t *val;
        json_object_foreach((json_t *)m, key, val) {
            (void)val;
            assert_true(strcmp(key, "start_ms") == 0 || strcmp(key, "end_ms") == 0 ||
                        strcmp(key, "title") == 0 || strcmp(key, "overall_score") == 0 ||
                        strcmp(key, "cues") == 0 || strcmp(key, "audible_narrative") == 0 ||
                        strcmp(key, "notable_audible_concepts") == 0 ||
                        strcmp(key, "quotable_segment") == 0);
        }
        int64_t s = iv(m, "start_ms"), e = iv(m, "end_ms");
        assert_int_equal(s % 4000, 0);
        assert_int_equal(e % 4000, 0);
        assert_true(s >= prev_end);
        prev_end = e;
        if (min_ms > 0)
            assert_true(e - s >= min_ms && e - s <= max_ms);
        double sc = json_number_value(json_object_get(m, "overall_score"));
        assert_true(json_is_number(json_object_get(m, "overall_score")) && sc >= 0 && sc <= 1);
        size_t tw = nwords(sv(m, "title"));
        assert_true(tw >= 3 && tw <= 8);
        (void)sv(m, "audible_narrative");
        const json_t *cues = json_object_get(m, "cues");
        assert_int_equal(json_array_size(cues), (size_t)((e - s) / 4000));
        for (size_t c = 0; c < json_array_size(cues); c++) {
            const json_t *cue = json_array_get(cues, c);
            int64_t cs = iv(cue, "start_ms");
            assert_int_equal(cs, s + (int64_t)c * 4000);
            assert_int_equal(iv(cue, "end_ms"), cs + 4000);
            assert_string_equal(sv(cue, "text"), TALK[cs / 4000]);
        }
        const json_t *cc = json_object_get(m, "notable_audible_concepts");
        assert_true(json_is_array(cc) && json_array_size(cc) <= 5);
        for (size_t c = 0; c < json_array_size(cc); c++) {
            size_t n = nwords(json_string_value(json_array_get(cc, c)));
            assert_true(n >= 2 && n <= 5);
        }
        const json_t *q = json_object_get(m, "quotable_segment");
        if (q) {
            assert_int_equal(json_object_size(q), 2);
            int64_t qs = iv(q, "start_ms");
            assert_true(qs >= s && qs < e && qs % 4000 == 0);
            assert_non_null(strstr(TALK[qs / 4000], sv(q, "text")) ? "" : NULL);
        }
    }
}

static void test_registered(void **state)
{
    (void)state;
    assert_int_equal(rb_workflow_available("find-key-moments"), 1);
    assert_string_equal(rb_workflow_find("find-key-moments")->name, "find-key-moments");
}

static void test_builtin_end_to_end(void **state)
{
    kx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"max_moments\":3,"
                             "\"target_duration_ms\":{\"min\":10000,\"max\":30000}}",
                             &r, &err),
                     RB_OK);
    const json_t *ms = moments(&r);
    check_rules(ms, 3, 10000, 30000);
    assert_int_equal(json_array_size(ms), 3);
    static const int64_t starts[] = {0, 48000, 144000}, ends[] = {20000, 72000, 168000};
    static const char *const titles[] = {
        "Edge cache: encoding ladder",
        "Cache hit ratio: split identical segments",
        "Instant clipping: live stream",
    };
    for (size_t i = 0; i < 3; i++) {
        const json_t *m = json_array_get(ms, i);
        assert_int_equal(iv(m, "start_ms"), starts[i]);
        assert_int_equal(iv(m, "end_ms"), ends[i]);
        assert_string_equal(sv(m, "title"), titles[i]);
    }
    const json_t *ann = json_array_get(ms, 2);
    assert_string_equal(sv(ann, "audible_narrative"),
                        "Instant clipping works on every live stream, with no extra setup!");
    const json_t *q = json_object_get(ann, "quotable_segment");
    assert_int_equal(iv(q, "start_ms"), 144000);
    assert_string_equal(sv(q, "text"), "We are launching instant clipping today!");
    assert_string_equal(sv(json_array_get(json_object_get(ann, "cues"), 0), "text"),
                        "We are launching instant clipping today!");
    assert_true(fabs(json_number_value(json_object_get(json_array_get(ms, 1), "overall_score")) -
                     0.723) < 1e-9);
    assert_int_equal(r.units, 1); /* 4 minutes: one started half hour */
    assert_true(r.engine_ns > 0);
    json_decref(r.outputs);
}

/* No max_moments: 10 (the asset is under an hour); 15-60 s moments. */
static void test_defaults(void **state)
{
    kx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_OK);
    const json_t *ms = moments(&r);
    check_rules(ms, 10, 15000, 60000);
    assert_int_equal(json_array_size(ms), 10);
    json_decref(r.outputs);
}

/* Scope 100-200 s: only cues overlapping the window, absolute times. */
static void test_scope(void **state)
{
    kx *x = *state;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"scope\":"
                             "{\"start_time\":100,\"end_time\":200},\"selection_strategy\":"
                             "\"standalone_hooks\",\"title_style\":\"punchy\","
                             "\"rubric_priorities\":[\"emotional_intensity\"],"
                             "\"brand_terms\":[\"Streamline\"],\"audience\":\"engineers\"}}",
                             &r, &err),
                     RB_OK);
    const json_t *ms = moments(&r);
    check_rules(ms, 10, 15000, 60000);
    assert_true(json_array_size(ms) >= 1);
    for (size_t i = 0; i < json_array_size(ms); i++) {
        const json_t *m = json_array_get(ms, i);
        assert_true(iv(m, "start_ms") >= 100000);
        assert_true(iv(m, "end_ms") <= 200000);
    }
    /* The announcement is the strongest hook; its punchy title shouts. */
    int found = 0;
    for (size_t i = 0; i < json_array_size(ms); i++) {
        const json_t *m = json_array_get(ms, i);
        if (iv(m, "start_ms") <= 144000 && iv(m, "end_ms") >= 148000) {
            found = 1;
            const char *t = sv(m, "title");
            assert_int_equal(t[strlen(t) - 1], '!');
        }
    }
    assert_true(found);
    json_decref(r.outputs);
}

static void test_cancel(void **state)
{
    kx *x = *state;
    x->f->cancel_after = 1;
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_CONFLICT);
    assert_null(r.outputs);
    x->f->cancel_after = 2; /* cancelled after the work, before the result */
    x->f->cancel_calls = 0;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_CONFLICT);
    assert_null(r.outputs);
}

/* What the API already refuses is refused here too (a job row could carry
 * it from an older server), never guessed at. */
static void test_defensive_validation(void **state)
{
    kx *x = *state;
    static const char *const bad[] = {
        "{\"asset_id\":\"%ASSET%\",\"use_shots\":true}",
        "{\"asset_id\":\"%ASSET%\",\"max_moments\":0}",
        "{\"asset_id\":\"%ASSET%\",\"max_moments\":26}",
        "{\"asset_id\":\"%ASSET%\",\"target_duration_ms\":{\"min\":5000}}",
        "{\"asset_id\":\"%ASSET%\",\"target_duration_ms\":{\"min\":9000,\"max\":8000}}",
        "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"selection_strategy\":\"viral\"}}",
        "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"title_style\":\"seo\"}}",
        "{\"asset_id\":\"%ASSET%\",\"output_steering\":{\"rubric_priorities\":[\"speed\"]}}",
    };
    static const char *const field[] = {
        "use_shots", "max_moments", "max_moments", "target_duration_ms", "target_duration_ms",
        "selection_strategy", "title_style", "rubric_priorities",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rb_wf_result r;
        rb_err err;
        assert_int_equal(run_job(x, bad[i], &r, &err), RB_ERR);
        assert_string_equal(err.type, "validation_error");
        assert_non_null(strstr(err.message, field[i]));
        assert_int_equal(r.retryable, 0);
        assert_null(r.outputs);
    }
    /* use_shots false is the default and fine. */
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\",\"use_shots\":false,\"max_moments\":1}",
                             &r, &err),
                     RB_OK);
    assert_int_equal(json_array_size(moments(&r)), 1);
    json_decref(r.outputs);
}

static void test_no_transcript(void **state)
{
    kx *x = *state;
    char other[RB_ID_MAX];
    wf_fixture_asset(x->f, 30, other);
    char params[256];
    snprintf(params, sizeof params, "{\"asset_id\":\"%s\"}", other);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, params, &r, &err), RB_ERR);
    assert_string_equal(err.type, "validation_error");
    assert_non_null(strstr(err.message, "no transcript"));
    assert_int_equal(r.retryable, 0);
}

/* ---- the model path ------------------------------------------------------ */

/* An answer that needs every repair: reversed and overlapping ranges, a
 * moment longer than the target, a 10-word and a 1-word title, concepts of
 * 1 and 6 words, a quote cue outside its moment, an empty narrative. */
static const char *MESSY =
    "{\"moments\":["
    "{\"first_cue\":36,\"last_cue\":38,\"title\":\"Instant clipping launch\","
    "\"overall_score\":0.9,\"audible_narrative\":\"They announce instant clipping.\","
    "\"notable_audible_concepts\":[\"instant clipping\",\"clipping\",\"live stream moments\","
    "\"one two three four five six\"],\"quotable_cue\":36},"
    "{\"first_cue\":37,\"last_cue\":40,\"title\":\"Overlapping moment\",\"overall_score\":0.5,"
    "\"audible_narrative\":\"x\",\"notable_audible_concepts\":[],\"quotable_cue\":null},"
    "{\"first_cue\":20,\"last_cue\":10,\"title\":\"Reversed range here\",\"overall_score\":0.8,"
    "\"audible_narrative\":\"y\",\"notable_audible_concepts\":[],\"quotable_cue\":null},"
    "{\"first_cue\":10,\"last_cue\":25,\"title\":\"How the edge cache and cache keys made our "
    "origin quiet again\",\"overall_score\":0.7,\"audible_narrative\":\"  \","
    "\"notable_audible_concepts\":[\"cache hit ratio\"],\"quotable_cue\":30},"
    "{\"first_cue\":0,\"last_cue\":3,\"title\":\"Intro\",\"overall_score\":0.4,"
    "\"audible_narrative\":\"Dana opens the episode.\",\"notable_audible_concepts\":[],"
    "\"quotable_cue\":1}"
    "]}";

static void test_model_request_and_post_rules(void **state)
{
    kx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    fake_ok(&x->fake, MESSY, 3000, 400);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x,
                             "{\"asset_id\":\"%ASSET%\",\"max_moments\":3,"
                             "\"target_duration_ms\":{\"min\":8000,\"max\":30000},"
                             "\"output_steering\":{\"selection_strategy\":\"product_moments\","
                             "\"title_style\":\"social\",\"audience\":\"developers\","
                             "\"brand_terms\":[\"Streamline\"],\"rubric_priorities\":"
                             "[\"novelty\",\"soundbite_quality\"],\"topic_taxonomy\":"
                             "{\"allow_other\":false,\"values\":[{\"label\":\"Delivery\"}]}}}",
                             &r, &err),
                     RB_OK);
    const json_t *ms = moments(&r);
    check_rules(ms, 3, 0, 0);
    assert_int_equal(json_array_size(ms), 3);
    /* Sorted by start: intro, cache (trimmed to 30 s), announcement. */
    const json_t *intro = json_array_get(ms, 0), *cache = json_array_get(ms, 1),
                 *ann = json_array_get(ms, 2);
    assert_int_equal(iv(intro, "start_ms"), 0);
    assert_int_equal(iv(intro, "end_ms"), 16000);
    /* "Intro" padded to 3 words with the moment's own content words. */
    assert_string_equal(sv(intro, "title"), "Intro Welcome back");
    assert_int_equal(iv(json_object_get(intro, "quotable_segment"), "start_ms"), 4000);
    assert_string_equal(sv(json_object_get(intro, "quotable_segment"), "text"), TALK[1]);
    assert_int_equal(iv(cache, "start_ms"), 40000);
    assert_int_equal(iv(cache, "end_ms"), 68000); /* cues 10-16: <= 30 s */
    assert_string_equal(sv(cache, "title"), "How the edge cache and cache keys made");
    /* Empty narrative: the builtin's central sentence of the same cues. */
    assert_string_equal(sv(cache, "audible_narrative"), "When the segment is there, the cache hit ratio goes up and the origin "
                        "servers stay quiet.");
    assert_null(json_object_get(cache, "quotable_segment")); /* cue 30 is outside */
    assert_int_equal(json_array_size(json_object_get(cache, "notable_audible_concepts")), 1);
    assert_int_equal(iv(ann, "start_ms"), 144000);
    assert_int_equal(iv(ann, "end_ms"), 156000);
    assert_string_equal(sv(ann, "title"), "Instant clipping launch");
    assert_true(fabs(json_number_value(json_object_get(ann, "overall_score")) - 0.9) < 1e-9);
    const json_t *cc = json_object_get(ann, "notable_audible_concepts");
    assert_int_equal(json_array_size(cc), 2);
    assert_string_equal(json_string_value(json_array_get(cc, 0)), "instant clipping");
    assert_string_equal(json_string_value(json_array_get(cc, 1)), "live stream moments");
    assert_string_equal(sv(json_object_get(ann, "quotable_segment"), "text"), TALK[36]);
    assert_int_equal(r.units, 1);
    json_decref(r.outputs);

    /* The request. */
    assert_int_equal(x->fake.nreqs, 1);
    const fake_req *q = &x->fake.reqs[0];
    assert_string_equal(q->path, "/v1/chat/completions");
    assert_string_equal(json_string_value(json_object_get(q->body, "model")), "fake-model");
    const char *sys = wf_fake_msg(q, 0), *user = wf_fake_msg(q, 1);
    assert_non_null(strstr(sys, "key moments"));
    assert_non_null(strstr(user, "Find at most 3 key moments."));
    assert_non_null(strstr(user, "between 8000 and 30000 milliseconds"));
    assert_non_null(strstr(user, "product_moments"));
    assert_non_null(strstr(user, "Title style: social"));
    assert_non_null(strstr(user, "novelty, soundbite_quality"));
    assert_non_null(strstr(user, "\"developers\""));
    assert_non_null(strstr(user, "[\"Streamline\"]"));
    assert_non_null(strstr(user, "\"Delivery\""));
    assert_non_null(strstr(user, "<transcript>"));
    assert_non_null(strstr(user, "</transcript>"));
    assert_non_null(strstr(user, "[c36] 144.000-148.000 We are launching instant clipping today!"));
    const json_t *rf = json_object_get(q->body, "response_format");
    assert_string_equal(json_string_value(json_object_get(rf, "type")), "json_schema");
    const json_t *js = json_object_get(rf, "json_schema");
    assert_string_equal(json_string_value(json_object_get(js, "name")), "key_moments");
    const json_t *schema = json_object_get(js, "schema");
    assert_true(json_is_false(json_object_get(schema, "additionalProperties")));
    const json_t *arr = json_object_get(json_object_get(schema, "properties"), "moments");
    assert_int_equal(json_integer_value(json_object_get(arr, "maxItems")), 25);
    const json_t *item = json_object_get(arr, "items");
    assert_true(json_is_false(json_object_get(item, "additionalProperties")));
    assert_int_equal(json_array_size(json_object_get(item, "required")), 7);
    const json_t *props = json_object_get(item, "properties");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(props, "last_cue"),
                                                        "maximum")),
                     59);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(props, "overall_score"),
                                                        "maximum")),
                     1);
}

static void test_model_429_then_success(void **state)
{
    kx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    fake_reply_add(&x->fake, 429, "{\"error\":{\"message\":\"slow down\"}}", "0", 0);
    fake_ok(&x->fake,
            "{\"moments\":[{\"first_cue\":35,\"last_cue\":40,\"title\":\"The big news today\","
            "\"overall_score\":0.8,\"audible_narrative\":\"Instant clipping launches.\","
            "\"notable_audible_concepts\":[\"instant clipping\"],\"quotable_cue\":36}]}",
            100, 50);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_OK);
    const json_t *ms = moments(&r);
    assert_int_equal(json_array_size(ms), 1);
    assert_int_equal(iv(json_array_get(ms, 0), "start_ms"), 140000);
    assert_int_equal(iv(json_array_get(ms, 0), "end_ms"), 164000);
    assert_int_equal(x->fake.nreqs, 2);
    json_decref(r.outputs);
}

static void test_model_500_exhausted(void **state)
{
    kx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_500(x->f, &x->fake, "find-key-moments", "{\"asset_id\":\"%ASSET%\"}");
}

static void test_model_timeout(void **state)
{
    kx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_timeout(x->f, &x->fake, "find-key-moments", "{\"asset_id\":\"%ASSET%\"}",
                           "{\"moments\":[]}");
}

static void test_model_malformed(void **state)
{
    kx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    wf_check_model_malformed(x->f, &x->fake, "find-key-moments", "{\"asset_id\":\"%ASSET%\"}", "{\"moments\": [ {");
}

static void test_model_out_of_range(void **state)
{
    kx *x = *state;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    /* A score of 1.7 and a cue index past the end break the schema; the
     * corrective retry gets the same answer, so the job errors. */
    fake_ok(&x->fake,
            "{\"moments\":[{\"first_cue\":3,\"last_cue\":99,\"title\":\"Too far out here\","
            "\"overall_score\":1.7,\"audible_narrative\":\"z\",\"notable_audible_concepts\":[],"
            "\"quotable_cue\":null}]}",
            10, 10);
    rb_wf_result r;
    rb_err err;
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_ERR);
    assert_string_equal(err.type, "processing_error");
    assert_int_equal(r.retryable, 1);
    assert_null(r.outputs);
    assert_int_equal(x->fake.nreqs, 2);

    /* A moment of fewer than 3 words of transcript cannot get a valid
     * title: dropped; nothing else left → an empty, valid list. */
    fake_stop(&x->fake);
    x->fake_on = 0;
    wf_use_fake(x->f, &x->fake, &x->fake_on);
    fake_ok(&x->fake,
            "{\"moments\":[{\"first_cue\":22,\"last_cue\":20,\"title\":\"Backwards\","
            "\"overall_score\":0.5,\"audible_narrative\":\"z\",\"notable_audible_concepts\":[],"
            "\"quotable_cue\":null}]}",
            10, 10);
    assert_int_equal(run_job(x, "{\"asset_id\":\"%ASSET%\"}", &r, &err), RB_OK);
    assert_int_equal(json_array_size(moments(&r)), 0);
    json_decref(r.outputs);
}

int main(void)
{
    talk = lines_fixture_load("tests/fixtures/moments/talk.txt");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered),
        cmocka_unit_test_setup_teardown(test_builtin_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defensive_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_transcript, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_request_and_post_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_429_then_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_500_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_out_of_range, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lines_fixture_free(&talk);
    return rc;
}
