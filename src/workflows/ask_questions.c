/* ask_questions.c — the ask-questions workflow (spec §5.4): answers up to 50
 * questions about an asset from its transcript.
 *
 * Steps: rb_textwf_open (asset, caption track if any, transcript cut to the
 * scope, engine) → the questions from the parameters → the builtin engine
 * (src/ai/builtin_answer.h) or ONE model call for all questions with a strict
 * JSON schema → the same post-rules for both engines (rb_answer_post: one
 * answer per question in input order, choice answers exactly one of the
 * options, free-form answers within max_free_form_answer_length, skipped ⇒
 * answer null and confidence 0, confidence in [0, 1]) → outputs {answers}.
 *
 * The workflow needs no captions (spec: "none beyond a playable asset"):
 * without a transcript every question is skipped with a reasoning that says
 * so, and no model is called (this build has no vision path). It has no side
 * effects, so a cancel is only checked before and after the engine runs.
 * docs/builtin-answer.md is the design note. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/builtin_answer.h"
#include "common/buf.h"
#include "workflows/textwf.h"
#include "workflows/workflow.h"

#define REQUEST_MAX (256u * 1024)

static const char *const MODEL_INSTRUCTIONS =
    "You answer questions about a video using only its transcript.\n"
    "The request lists the questions as JSON, each with its question_index. Return exactly one "
    "entry in \"answers\" per question, with the same question_index.\n"
    "- A question with answer_options: \"answer\" must be exactly one of its answer_options, "
    "copied character for character.\n"
    "- A question with free_form_reply: \"answer\" is a short prose answer of at most "
    "max_answer_length characters, based on what the transcript says.\n"
    "- When the transcript does not contain the information needed (the question is "
    "unrelated to the video or the video never addresses it), set \"skipped\": true, "
    "\"answer\": null and \"confidence\": 0, and say in \"reasoning\" why it cannot be "
    "answered. Do not guess.\n"
    "- \"confidence\" is a number from 0 to 1: above 0.9 for clear, explicit evidence; 0.7 "
    "to 0.9 for strong evidence; 0.5 to 0.7 for moderate evidence; below 0.5 for weak "
    "evidence.\n"
    "- \"reasoning\" cites the evidence: quote the relevant transcript words with their time "
    "(mm:ss, from the cue times in seconds), e.g. At 02:13: \"...\".\n"
    "- A statement the speaker negates, corrects or reports as a mistaken belief of others "
    "does not support \"yes\".";

/* The questions of the job, with the storage their pointers point into. */
typedef struct questions {
    rb_answer_question *q;
    const char **opts; /* every question's options, back to back */
    size_t n;
} questions;

static void questions_free(questions *qs)
{
    free(qs->q);
    free(qs->opts);
    memset(qs, 0, sizeof *qs);
}

/* Reads parameters.questions (validated by the API: 1..50 objects with a
 * question string; entries of another shape are refused, not trusted). */
static int questions_build(const rb_textwf *w, questions *qs, rb_err *err)
{
    memset(qs, 0, sizeof *qs);
    const json_t *arr = json_object_get(w->params, "questions");
    size_t n = json_array_size(arr);
    if (n < 1 || n > RB_ANSWER_MAX_QUESTIONS)
        return rb_err_set(err, 400, "validation_error",
                          "parameters.questions must hold 1 to %d questions",
                          RB_ANSWER_MAX_QUESTIONS);
    size_t nopts = 0;
    for (size_t i = 0; i < n; i++)
        nopts += json_array_size(json_object_get(json_array_get(arr, i), "answer_options"));
    qs->q = calloc(n, sizeof *qs->q);
    qs->opts = calloc(nopts ? nopts : 1, sizeof *qs->opts);
    if (!qs->q || !qs->opts) {
        questions_free(qs);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(arr, i);
        const char *text = json_string_value(json_object_get(o, "question"));
        if (!text || !*text) {
            questions_free(qs);
            return rb_err_set(err, 400, "validation_error",
                              "parameters.questions[%zu].question must be a non-empty string", i);
        }
        rb_answer_question *q = &qs->q[i];
        q->question = text;
        q->free_form = json_is_true(json_object_get(o, "free_form_reply"));
        const json_t *opts = json_object_get(o, "answer_options");
        if (json_array_size(opts) > 0) {
            q->options = &qs->opts[k];
            for (size_t j = 0; j < json_array_size(opts); j++) {
                const char *s = json_string_value(json_array_get(opts, j));
                if (!s || !*s) {
                    questions_free(qs);
                    return rb_err_set(err, 400, "validation_error",
                                      "parameters.questions[%zu].answer_options[%zu] must be a "
                                      "non-empty string",
                                      i, j);
                }
                qs->opts[k++] = s;
                q->noptions++;
            }
        }
        if (q->free_form && q->noptions) {
            questions_free(qs);
            return rb_err_set(err, 400, "validation_error",
                              "parameters.questions[%zu] cannot have both answer_options and "
                              "free_form_reply: true",
                              i);
        }
    }
    qs->n = n;
    return RB_OK;
}

/* ---- the model path ------------------------------------------------------- */

static json_t *model_schema(size_t nq, size_t max_len)
{
    /* Choice answers are at most 150 characters (the options' limit), free
     * ones max_len: the larger bounds every answer. */
    size_t amax = max_len > 150 ? max_len : 150;
    return json_pack(
        "{s:s, s:b, s:[s], s:{s:{s:s, s:i, s:i, s:{s:s, s:b, s:[s,s,s,s,s], s:{s:{s:s, s:i, "
        "s:i}, s:{s:[s,s], s:i}, s:{s:s, s:i, s:i}, s:{s:s, s:i}, s:{s:s}}}}}}",
        "type", "object", "additionalProperties", 0, "required", "answers", "properties",
        "answers", "type", "array", "minItems", 1, "maxItems", (int)nq, "items", "type",
        "object", "additionalProperties", 0, "required", "question_index", "answer",
        "confidence", "reasoning", "skipped", "properties", "question_index", "type", "integer",
        "minimum", 0, "maximum", (int)(nq - 1), "answer", "type", "string", "null",
        "maxLength", (int)amax, "confidence", "type", "number", "minimum", 0, "maximum",
        1, "reasoning", "type", "string", "maxLength", 4000, "skipped", "type", "boolean");
}

/* The request: the questions as JSON, each with its index and what kind of
 * answer it takes. */
static int model_request(const questions *qs, size_t max_len, char **out, rb_err *err)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < qs->n; i++) {
        const rb_answer_question *q = &qs->q[i];
        json_t *o = json_pack("{s:I, s:s}", "question_index", (json_int_t)i, "question",
                              q->question);
        if (!o) {
            json_decref(arr);
            arr = NULL;
            break;
        }
        if (q->free_form) {
            json_object_set_new(o, "free_form_reply", json_true());
            json_object_set_new(o, "max_answer_length", json_integer((json_int_t)max_len));
        } else {
            json_t *opts = json_array();
            if (q->noptions == 0) {
                json_array_append_new(opts, json_string("yes"));
                json_array_append_new(opts, json_string("no"));
            }
            for (size_t j = 0; j < q->noptions; j++)
                json_array_append_new(opts, json_string(q->options[j]));
            json_object_set_new(o, "answer_options", opts);
        }
        json_array_append_new(arr, o);
    }
    char *qjson = arr ? json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(arr);
    if (!qjson)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    rb_buf b;
    rb_buf_init(&b, REQUEST_MAX);
    int rc = rb_buf_appendf(&b, "Answer these questions about the video.\n<questions>\n%s\n"
                                "</questions>",
                            qjson);
    free(qjson);
    if (rc != RB_OK) {
        rb_buf_free(&b);
        return rb_err_set(err, 422, "validation_error", "the questions are too long");
    }
    *out = rb_buf_steal(&b);
    return *out ? RB_OK : rb_err_set(err, 500, "internal_error", "out of memory");
}

/* ONE model call for every question; answers land in out[] by
 * question_index (the first entry per index wins; missing ones are skipped
 * with reasoning "no answer"). The post-rules run afterwards. */
static int run_model(rb_textwf *w, const questions *qs, size_t max_len, rb_answer *out,
                     rb_err *err)
{
    char *req = NULL;
    if (model_request(qs, max_len, &req, err) != RB_OK)
        return RB_ERR;
    json_t *schema = model_schema(qs->n, max_len);
    json_t *ans = NULL;
    int rc = schema ? rb_textwf_llm(w, MODEL_INSTRUCTIONS, req, schema, "answers", &ans, err)
                    : rb_err_set(err, 500, "internal_error", "out of memory");
    free(req);
    json_decref(schema);
    if (rc != RB_OK)
        return RB_ERR;
    unsigned char *seen = calloc(qs->n, 1);
    if (!seen) {
        json_decref(ans);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    const json_t *list = json_object_get(ans, "answers");
    for (size_t i = 0; i < json_array_size(list) && rc == RB_OK; i++) {
        const json_t *a = json_array_get(list, i);
        json_int_t idx = json_integer_value(json_object_get(a, "question_index"));
        if (idx < 0 || (size_t)idx >= qs->n || seen[idx])
            continue;
        seen[idx] = 1;
        rb_answer *o = &out[idx];
        const char *text = json_string_value(json_object_get(a, "answer"));
        const char *why = json_string_value(json_object_get(a, "reasoning"));
        o->answer = text ? strdup(text) : NULL;
        o->reasoning = strdup(why ? why : "");
        o->confidence = json_number_value(json_object_get(a, "confidence"));
        o->skipped = json_is_true(json_object_get(a, "skipped"));
        if ((text && !o->answer) || !o->reasoning)
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
    }
    for (size_t i = 0; i < qs->n && rc == RB_OK; i++) {
        if (seen[i])
            continue;
        out[i].skipped = 1;
        out[i].reasoning = strdup("no answer");
        if (!out[i].reasoning)
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
    }
    free(seen);
    json_decref(ans);
    return rc;
}

/* ---- outputs ---------------------------------------------------------------- */

static json_t *outputs_of(const questions *qs, const rb_answer *a)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < qs->n; i++) {
        /* Two decimals: the spec's bands are tenths, more digits are noise. */
        double c = round(a[i].confidence * 100.0) / 100.0;
        json_t *o = json_pack("{s:s, s:o, s:f, s:s, s:b}", "question", qs->q[i].question,
                              "answer", a[i].answer ? json_string(a[i].answer) : json_null(),
                              "confidence", c, "reasoning", a[i].reasoning ? a[i].reasoning : "",
                              "skipped", a[i].skipped);
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr ? json_pack("{s:o}", "answers", arr) : NULL;
}

static int run(rb_wf_ctx *ctx, rb_wf_result *out, rb_err *err)
{
    rb_textwf w;
    if (rb_textwf_open(ctx,
                       RB_TEXTWF_SCOPE | RB_TEXTWF_TRANSCRIPT_OPTIONAL |
                           RB_TEXTWF_NO_OUTPUT_LANGUAGE,
                       &w, out, err) != RB_OK) {
        rb_textwf_close(&w);
        return RB_ERR;
    }
    questions qs;
    if (questions_build(&w, &qs, err) != RB_OK) {
        int rc = rb_textwf_fail(&w, out, err);
        rb_textwf_close(&w);
        return rc;
    }
    int64_t ml = rb_textwf_param_int(&w, "max_free_form_answer_length", RB_ANSWER_DEFAULT_FREE_LEN);
    size_t max_len = ml >= 1 && ml <= RB_ANSWER_MAX_FREE_LEN ? (size_t)ml
                                                             : RB_ANSWER_DEFAULT_FREE_LEN;
    const char *lang = w.t ? w.t->language : w.lang;
    rb_answer *ans = calloc(qs.n, sizeof *ans);
    int rc = ans ? RB_OK : rb_err_set(err, 500, "internal_error", "out of memory");
    if (rc == RB_OK && rb_wf_cancelled(ctx))
        rc = RB_CONFLICT;
    if (rc == RB_OK) {
        if (w.engine == RB_AI_OPENAI && w.t) {
            rc = run_model(&w, &qs, max_len, ans, err);
            for (size_t i = 0; i < qs.n && rc == RB_OK; i++)
                rc = rb_answer_post(&qs.q[i], lang, max_len, &ans[i], err);
        } else {
            /* The builtin engine, and either engine without a transcript
             * (every question skipped, no model call). It applies the
             * post-rules itself. */
            rc = rb_builtin_answer(w.t, &w.doc, qs.q, qs.n, max_len, ans, err);
        }
    }
    if (rc == RB_OK && rb_wf_cancelled(ctx))
        rc = RB_CONFLICT;
    json_t *outputs = NULL;
    if (rc == RB_OK) {
        outputs = outputs_of(&qs, ans);
        if (!outputs)
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
    }
    if (ans)
        rb_answers_free(ans, qs.n);
    free(ans);
    questions_free(&qs);
    if (rc == RB_CONFLICT) {
        rb_textwf_finish(&w, out);
        rb_textwf_close(&w);
        return RB_CONFLICT;
    }
    if (rc != RB_OK) {
        rc = rb_textwf_fail(&w, out, err);
        rb_textwf_close(&w);
        return rc;
    }
    out->outputs = outputs;
    rb_textwf_finish(&w, out);
    rb_textwf_close(&w);
    return RB_OK;
}

const rb_workflow rb_wf_ask_questions = {.name = "ask-questions", .run = run};
