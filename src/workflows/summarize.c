/* summarize.c — the summarize workflow (spec §5.1): title, description and
 * tags of an asset from its transcript.
 *
 * Steps: rb_textwf_open (asset, caption track, transcript cut to the scope,
 * engine) → options from the parameters → the builtin engine
 * (src/ai/builtin_summarize.h) or ONE model call with a strict JSON schema →
 * the same post-rules for both engines (title and description non-empty and
 * cut to their word limits, tags through rb_summarize_tags_finish) → the
 * optional meta.title write (best effort) → outputs {title, description,
 * tags}. Without a caption track the job fails with validation_error
 * ("no transcript: ..."): this build has no vision path.
 * docs/builtin-summarize.md is the design note. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/builtin_summarize.h"
#include "common/buf.h"
#include "common/log.h"
#include "workflows/textwf.h"
#include "workflows/workflow.h"

#define INSTRUCTIONS_MAX (64u * 1024)
/* Tags the model may return before the post-rules cut them to tag_count; a
 * longer array is not a repairable answer. */
#define MODEL_TAGS_MAX 100

/* Options and the storage their borrowed pointers point into. */
typedef struct sum_opts {
    rb_summarize_opts o;
    const char **brands;
    rb_summarize_label *labels;
    const char **aliases;      /* every label's aliases, back to back */
    rb_summarize_taxonomy tx;
    const char *tone_name;
    const char *style_name;
    const char *audience;
    int update_meta;
} sum_opts;

static void sum_opts_free(sum_opts *s)
{
    free(s->brands);
    free(s->labels);
    free(s->aliases);
}

static size_t positive(int64_t v)
{
    return v > 0 ? (size_t)v : 0;
}

/* The parameters were validated by the API; anything of the wrong shape is
 * skipped here rather than trusted. */
static int sum_opts_build(const rb_textwf *w, sum_opts *s, rb_err *err)
{
    memset(s, 0, sizeof *s);
    const char *tone = rb_textwf_param_str(w, "tone");
    s->tone_name = tone ? tone : "neutral";
    s->o.tone = !tone ? RB_SUMMARIZE_NEUTRAL
                : strcmp(tone, "professional") == 0 ? RB_SUMMARIZE_PROFESSIONAL
                : strcmp(tone, "playful") == 0      ? RB_SUMMARIZE_PLAYFUL
                                                    : RB_SUMMARIZE_NEUTRAL;
    const char *style = rb_textwf_steer_str(w, "summary_style");
    s->style_name = style ? style : "concise";
    s->o.style = !style ? RB_SUMMARIZE_CONCISE
                 : strcmp(style, "detailed") == 0  ? RB_SUMMARIZE_DETAILED
                 : strcmp(style, "editorial") == 0 ? RB_SUMMARIZE_EDITORIAL
                                                   : RB_SUMMARIZE_CONCISE;
    s->audience = rb_textwf_steer_str(w, "audience");
    s->o.title_length = positive(rb_textwf_param_int(w, "title_length", 0));
    s->o.description_length = positive(rb_textwf_param_int(w, "description_length", 0));
    s->o.tag_count = positive(rb_textwf_param_int(w, "tag_count", RB_SUMMARIZE_DEFAULT_TAGS));
    if (s->o.tag_count == 0)
        s->o.tag_count = RB_SUMMARIZE_DEFAULT_TAGS;
    s->update_meta = rb_textwf_param_bool(w, "update_asset_meta", 0);

    const json_t *brands = json_object_get(w->steering, "brand_terms");
    size_t nb = json_array_size(brands);
    if (nb) {
        s->brands = calloc(nb, sizeof *s->brands);
        if (!s->brands)
            return rb_err_set(err, 500, "internal_error", "out of memory");
        for (size_t i = 0; i < nb; i++) {
            const char *b = json_string_value(json_array_get(brands, i));
            if (b && *b)
                s->brands[s->o.nbrand_terms++] = b;
        }
        s->o.brand_terms = s->brands;
    }

    const json_t *tx = json_object_get(w->steering, "tag_taxonomy");
    const json_t *values = json_object_get(tx, "values");
    size_t nv = json_array_size(values), na = 0;
    if (!nv)
        return RB_OK;
    for (size_t i = 0; i < nv; i++)
        na += json_array_size(json_object_get(json_array_get(values, i), "aliases"));
    s->labels = calloc(nv, sizeof *s->labels);
    s->aliases = calloc(na + 1, sizeof *s->aliases);
    if (!s->labels || !s->aliases)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    size_t a = 0;
    for (size_t i = 0; i < nv; i++) {
        const json_t *v = json_array_get(values, i);
        const char *label = json_string_value(json_object_get(v, "label"));
        if (!label || !*label)
            continue;
        rb_summarize_label *l = &s->labels[s->tx.nvalues++];
        l->label = label;
        l->aliases = s->aliases + a;
        const json_t *al = json_object_get(v, "aliases");
        for (size_t j = 0; j < json_array_size(al); j++) {
            const char *x = json_string_value(json_array_get(al, j));
            if (x && *x) {
                s->aliases[a++] = x;
                l->naliases++;
            }
        }
    }
    s->tx.values = s->labels;
    s->tx.allow_other = json_is_true(json_object_get(tx, "allow_other"));
    if (s->tx.nvalues)
        s->o.taxonomy = &s->tx;
    return RB_OK;
}

/* ---- the model path ------------------------------------------------------- */

static json_t *model_schema(void)
{
    /* Empty or duplicate tags and too many of them (up to MODEL_TAGS_MAX)
     * are left to the post-rules, which repair them, instead of failing the
     * answer here. */
    return json_pack("{s:s, s:b, s:[s,s,s], s:{s:{s:s, s:i, s:i}, s:{s:s, s:i, s:i},"
                     " s:{s:s, s:{s:s, s:i}, s:i}}}",
                     "type", "object", "additionalProperties", 0, "required", "title",
                     "description", "tags", "properties", "title", "type", "string", "minLength",
                     1, "maxLength", 2000, "description", "type", "string", "minLength", 1,
                     "maxLength", 50000, "tags", "type", "array", "items", "type", "string",
                     "maxLength", 200, "maxItems", MODEL_TAGS_MAX);
}

static const char *style_guidance(int style)
{
    switch (style) {
    case RB_SUMMARIZE_DETAILED:
        return "detailed: about four sentences covering the main points in order";
    case RB_SUMMARIZE_EDITORIAL:
        return "editorial: about three sentences with a point of view on what matters most";
    default:
        return "concise: about two sentences";
    }
}

/* The system instructions. The five overridable sections (spec §4.3) are
 * prose guidance; the requirements paragraph after them (limits, tone,
 * style, audience, brand terms, taxonomy) always stays, because the
 * post-rules enforce those anyway. */
static int instructions(const rb_textwf *w, const sum_opts *s, char **out, rb_err *err)
{
    const json_t *ov = json_object_get(w->params, "prompt_overrides");
    rb_buf b;
    rb_buf_init(&b, INSTRUCTIONS_MAX);
    int rc = RB_OK;
    rc |= rb_textwf_prompt_section(&b, ov, "task",
                    "You summarize a video for its catalogue page, using only its transcript. "
                    "Answer with one JSON object holding a title, a description and tags.");
    rc |= rb_textwf_prompt_section(&b, ov, "title",
                    "Title: a short, specific title naming what the video is about. No quotes, "
                    "no clickbait, no emoji.");
    rc |= rb_textwf_prompt_section(&b, ov, "description",
                    "Description: a plain summary of what the video covers, typically two to "
                    "four sentences, written as prose (no lists, no markdown).");
    rc |= rb_textwf_prompt_section(&b, ov, "keywords",
                    "Tags: short keyword phrases (one to three words) naming the video's topics, "
                    "most relevant first, each different from the others.");
    rc |= rb_textwf_prompt_section(&b, ov, "quality_guidelines",
                    "Quality: state only what the transcript says; never invent names, numbers "
                    "or claims; prefer the speaker's own terms.");
    rc |= rb_buf_puts(&b, "\n\nRequirements:");
    rc |= rb_buf_appendf(&b, "\n- Tone: %s.", s->tone_name);
    if (s->o.title_length)
        rc |= rb_buf_appendf(&b, "\n- The title has at most %zu words.", s->o.title_length);
    else
        rc |= rb_buf_appendf(&b, "\n- The title has at most %d words.",
                             RB_SUMMARIZE_DEFAULT_TITLE_WORDS);
    rc |= rb_buf_appendf(&b, "\n- Description style: %s.", style_guidance(s->o.style));
    if (s->o.description_length)
        rc |= rb_buf_appendf(&b, "\n- The description has at most %zu words.",
                             s->o.description_length);
    rc |= rb_buf_appendf(&b, "\n- At most %zu tags.", s->o.tag_count);
    if (s->audience && *s->audience)
        rc |= rb_buf_appendf(&b, "\n- Audience: %s.", s->audience);
    if (s->o.nbrand_terms) {
        rc |= rb_buf_puts(&b, "\n- Brand terms, to be spelled exactly like this and included "
                              "as tags when the transcript mentions them:");
        for (size_t i = 0; i < s->o.nbrand_terms; i++)
            rc |= rb_buf_appendf(&b, "%s \"%s\"", i ? "," : "", s->o.brand_terms[i]);
        rc |= rb_buf_putc(&b, '.');
    }
    if (s->o.taxonomy) {
        rc |= rb_buf_puts(&b, s->tx.allow_other
                                  ? "\n- Prefer tags from this taxonomy; other tags are allowed "
                                    "when no label fits:"
                                  : "\n- Every tag must be one of these taxonomy labels, "
                                    "written exactly as the label:");
        const json_t *values =
            json_object_get(json_object_get(w->steering, "tag_taxonomy"), "values");
        for (size_t i = 0; i < json_array_size(values); i++) {
            const json_t *v = json_array_get(values, i);
            const char *label = json_string_value(json_object_get(v, "label"));
            const char *desc = json_string_value(json_object_get(v, "description"));
            const json_t *al = json_object_get(v, "aliases");
            if (!label || !*label)
                continue;
            rc |= rb_buf_appendf(&b, "\n  * \"%s\"", label);
            for (size_t j = 0; j < json_array_size(al); j++)
                rc |= rb_buf_appendf(&b, "%s\"%s\"", j ? ", " : " (also called ",
                                     json_string_value(json_array_get(al, j))
                                         ? json_string_value(json_array_get(al, j))
                                         : "");
            if (json_array_size(al))
                rc |= rb_buf_putc(&b, ')');
            if (desc && *desc)
                rc |= rb_buf_appendf(&b, ": %s", desc);
        }
    }
    if (rc != RB_OK) {
        rb_buf_free(&b);
        return rb_err_set(err, 422, "validation_error",
                          "the summarize instructions are too long (taxonomy or overrides)");
    }
    *out = rb_buf_steal(&b);
    return *out ? RB_OK : rb_err_set(err, 500, "internal_error", "out of memory");
}

static int run_model(rb_textwf *w, const sum_opts *s, rb_summarize_result *r, rb_err *err)
{
    memset(r, 0, sizeof *r);
    char *ins = NULL;
    if (instructions(w, s, &ins, err) != RB_OK)
        return RB_ERR;
    json_t *schema = model_schema();
    json_t *ans = NULL;
    int rc = schema ? rb_textwf_llm(w, ins, "Summarize this video.", schema, "summary", &ans, err)
                    : rb_err_set(err, 500, "internal_error", "out of memory");
    free(ins);
    json_decref(schema);
    if (rc != RB_OK)
        return RB_ERR;
    const json_t *tags = json_object_get(ans, "tags");
    size_t n = json_array_size(tags);
    const char **c = calloc(n + 1, sizeof *c);
    /* The schema was checked, so both are strings; "" guards the impossible. */
    const char *title = json_string_value(json_object_get(ans, "title"));
    const char *desc = json_string_value(json_object_get(ans, "description"));
    r->title = strdup(title ? title : "");
    r->description = strdup(desc ? desc : "");
    if (!c || !r->title || !r->description) {
        free(c);
        json_decref(ans);
        rb_summarize_result_free(r);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        c[i] = json_string_value(json_array_get(tags, i));
    rc = rb_summarize_tags_finish(w->t, c, n, &s->o, &r->tags, &r->ntags, err);
    free(c);
    json_decref(ans);
    if (rc != RB_OK)
        rb_summarize_result_free(r);
    return rc;
}

/* ---- post-rules (both engines) -------------------------------------------- */

/* Trims s in place (ASCII white space at both ends). */
static void trim(char *s)
{
    size_t len = strlen(s), a = 0;
    while (a < len && strchr(" \t\r\n\f\v", s[a]))
        a++;
    while (len > a && strchr(" \t\r\n\f\v", s[len - 1]))
        len--;
    memmove(s, s + a, len - a);
    s[len - a] = '\0';
}

/* Title and description: trimmed, newlines flattened, cut to their word
 * limits, never empty. An answer still empty after that is not repairable:
 * processing_error (retryable; the client already retried once). The tags
 * went through rb_summarize_tags_finish already. */
static int post_rules(rb_summarize_result *r, const sum_opts *s, rb_err *err)
{
    for (char *p = r->title; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    trim(r->title);
    trim(r->description);
    size_t tcap = s->o.title_length;
    if (tcap)
        rb_textwf_limit_words(r->title, tcap);
    if (s->o.description_length)
        rb_textwf_limit_words(r->description, s->o.description_length);
    trim(r->title);
    trim(r->description);
    if (!r->title[0])
        return rb_err_set(err, 502, "processing_error", "the summary has an empty title");
    if (!r->description[0])
        return rb_err_set(err, 502, "processing_error", "the summary has an empty description");
    return RB_OK;
}

static json_t *outputs_json(const rb_summarize_result *r)
{
    json_t *tags = json_array();
    for (size_t i = 0; tags && i < r->ntags; i++)
        json_array_append_new(tags, json_string(r->tags[i]));
    return json_pack("{s:s, s:s, s:o}", "title", r->title, "description", r->description, "tags",
                     tags ? tags : json_array());
}

static int summarize_run(rb_wf_ctx *ctx, rb_wf_result *out, rb_err *err)
{
    rb_textwf w;
    if (rb_textwf_open(ctx, RB_TEXTWF_SCOPE, &w, out, err) != RB_OK) {
        rb_textwf_close(&w);
        return RB_ERR;
    }
    sum_opts s;
    rb_summarize_result r;
    memset(&r, 0, sizeof r);
    int rc = sum_opts_build(&w, &s, err);
    if (rc == RB_OK && rb_wf_cancelled(ctx))
        rc = RB_CONFLICT;
    if (rc == RB_OK) {
        if (w.engine == RB_AI_OPENAI)
            rc = run_model(&w, &s, &r, err);
        else
            rc = rb_builtin_summarize(w.t, &w.doc, &s.o, &r, err);
    }
    if (rc == RB_OK)
        rc = post_rules(&r, &s, err);
    /* The only side effect: after the outputs are final, and not when the
     * job was cancelled meanwhile. */
    if (rc == RB_OK && rb_wf_cancelled(ctx))
        rc = RB_CONFLICT;
    if (rc == RB_OK && s.update_meta) {
        rb_err merr;
        rb_err_clear(&merr);
        if (rb_library_set_meta_title(ctx->library, ctx->job->env_id, w.asset.id, r.title,
                                      &merr) != RB_OK)
            rb_warn("summarize: job %s: update_asset_meta failed for asset %s: %s "
                    "(the job still completes)",
                    ctx->job->id, w.asset.id, merr.message);
    }
    if (rc == RB_OK) {
        out->outputs = outputs_json(&r);
        if (!out->outputs)
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
    }
    rb_summarize_result_free(&r);
    sum_opts_free(&s);
    if (rc == RB_CONFLICT) {
        rb_textwf_finish(&w, out);
        rb_textwf_close(&w);
        return RB_CONFLICT;
    }
    if (rc != RB_OK) {
        rb_textwf_fail(&w, out, err);
        rb_textwf_close(&w);
        return RB_ERR;
    }
    rb_textwf_finish(&w, out);
    rb_textwf_close(&w);
    return RB_OK;
}

const rb_workflow rb_wf_summarize = {.name = "summarize", .run = summarize_run};
