/* generate_chapters.c — the generate-chapters workflow (spec §5.3): chapter
 * starts and titles of an asset from its transcript.
 *
 * Steps: rb_textwf_open (asset, caption track, whole transcript — this
 * workflow has no scope — and the engine) → options from the parameters →
 * the builtin engine (src/ai/builtin_chapters.h) or ONE model call with a
 * strict JSON schema → the same post-rules for both engines
 * (rb_chapters_repair: sorted, first at 0, inside the duration, no two
 * starts closer than the minimum spacing, distinct non-empty titles) → the
 * optional chapters-track replacement (best effort, reported in
 * outputs.asset_update) → outputs {chapters, asset_update?}.
 * docs/builtin-chapters.md is the design note. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/builtin_chapters.h"
#include "common/buf.h"
#include "common/log.h"
#include "workflows/textwf.h"
#include "workflows/workflow.h"

#define INSTRUCTIONS_MAX (64u * 1024)
/* Chapters the model may return before the post-rules thin them out; a
 * longer array is not a repairable answer. */
#define MODEL_CHAPTERS_MAX 500

typedef struct chap_opts {
    rb_chapters_opts o;
    const char *style_name;
    const char *granularity_name;
    const char *audience;
    const json_t *brand_terms;
    int update_asset;
} chap_opts;

static void chap_opts_build(const rb_textwf *w, chap_opts *s)
{
    memset(s, 0, sizeof *s);
    const char *style = rb_textwf_steer_str(w, "chapter_style");
    const char *gran = rb_textwf_steer_str(w, "chapter_granularity");
    s->o.style = rb_chapter_style_parse(style);
    s->o.granularity = rb_chapter_granularity_parse(gran);
    s->style_name = style ? style : "descriptive";
    s->granularity_name = gran ? gran : "balanced";
    s->audience = rb_textwf_steer_str(w, "audience");
    s->brand_terms = json_object_get(w->steering, "brand_terms");
    s->update_asset = rb_textwf_param_bool(w, "update_asset_chapters", 0);
    s->o.duration_ms = w->asset.duration > 0 ? llround(w->asset.duration * 1000.0) : 0;
    s->o.language = w->out_lang;
}

/* ---- the model path ------------------------------------------------------- */

static json_t *model_schema(void)
{
    return json_pack("{s:s, s:b, s:[s], s:{s:{s:s, s:i, s:i, s:{s:s, s:b, s:[s,s],"
                     " s:{s:{s:s, s:i}, s:{s:s, s:i, s:i}}}}}}",
                     "type", "object", "additionalProperties", 0, "required", "chapters",
                     "properties", "chapters", "type", "array", "minItems", 1, "maxItems",
                     MODEL_CHAPTERS_MAX, "items", "type", "object", "additionalProperties", 0,
                     "required", "start_time", "title", "properties", "start_time", "type",
                     "number", "minimum", 0, "title", "type", "string", "minLength", 1,
                     "maxLength", 500);
}

static const char *style_guidance(int style)
{
    switch (style) {
    case RB_CHAPTER_PUNCHY:
        return "punchy: one to three words, catchy, no full sentences";
    case RB_CHAPTER_EDUCATIONAL:
        return "educational: name the concept or skill the section teaches, as a lesson title";
    case RB_CHAPTER_SEO:
        return "seo: lead with the main search keyword of the section, then a short qualifier";
    case RB_CHAPTER_PLATFORM_NEUTRAL:
        return "platform_neutral: plain keyword titles without calls to action, emoji or "
               "platform-specific wording";
    default:
        return "descriptive: a short phrase saying what the section covers";
    }
}

static const char *granularity_guidance(int g)
{
    switch (g) {
    case RB_CHAPTER_COARSE:
        return "coarse: only the major parts, roughly one chapter per five to eight minutes";
    case RB_CHAPTER_FINE:
        return "fine: every topic change, roughly one chapter per one to two minutes";
    default:
        return "balanced: the main topic changes, roughly one chapter per two to four minutes";
    }
}

/* The system instructions. The four overridable sections (spec §4.3) are
 * prose guidance; the requirements paragraph after them (duration, spacing,
 * style, granularity, audience, brand terms) always stays, because the
 * post-rules enforce the hard ones anyway. */
static int instructions(const rb_textwf *w, const chap_opts *s, int64_t dur_ms, char **out,
                        rb_err *err)
{
    const json_t *ov = json_object_get(w->params, "prompt_overrides");
    rb_buf b;
    rb_buf_init(&b, INSTRUCTIONS_MAX);
    int rc = RB_OK;
    rc |= rb_textwf_prompt_section(&b, ov, "task",
                    "You divide a video into chapters for its player, using only its "
                    "transcript, whose lines carry start and end times in seconds.");
    rc |= rb_textwf_prompt_section(&b, ov, "output_format",
                    "Answer with one JSON object: {\"chapters\": [{\"start_time\": <seconds, a "
                    "number>, \"title\": <string>}, ...]}, ordered by start_time.");
    rc |= rb_textwf_prompt_section(&b, ov, "chapter_guidelines",
                    "Chapters: start a chapter where the topic changes, at the start time of "
                    "the transcript line that opens the new topic. The first chapter starts "
                    "at 0.");
    rc |= rb_textwf_prompt_section(&b, ov, "title_guidelines",
                    "Titles: short and specific, each different from the others, naming what "
                    "that part of the video is about in the speaker's own terms. No numbering, "
                    "no quotes, no emoji.");
    rc |= rb_buf_puts(&b, "\n\nRequirements:");
    rc |= rb_buf_appendf(&b,
                         "\n- The video lasts %.3f seconds: every start_time is at least 0 and "
                         "less than that.",
                         (double)dur_ms / 1000.0);
    rc |= rb_buf_appendf(&b, "\n- Chapter starts are at least %lld seconds apart.",
                         (long long)(rb_chapters_min_spacing_ms(dur_ms) / 1000));
    rc |= rb_buf_appendf(&b, "\n- Title style: %s.", style_guidance(s->o.style));
    rc |= rb_buf_appendf(&b, "\n- Granularity: %s.", granularity_guidance(s->o.granularity));
    if (s->audience && *s->audience)
        rc |= rb_buf_appendf(&b, "\n- Audience: %s.", s->audience);
    if (json_array_size(s->brand_terms)) {
        rc |= rb_buf_puts(&b, "\n- Brand terms, to be spelled exactly like this in titles:");
        for (size_t i = 0; i < json_array_size(s->brand_terms); i++) {
            const char *t = json_string_value(json_array_get(s->brand_terms, i));
            if (t && *t)
                rc |= rb_buf_appendf(&b, "%s \"%s\"", i ? "," : "", t);
        }
        rc |= rb_buf_putc(&b, '.');
    }
    if (rc != RB_OK) {
        rb_buf_free(&b);
        return rb_err_set(err, 422, "validation_error",
                          "the generate-chapters instructions are too long (overrides or "
                          "brand terms)");
    }
    *out = rb_buf_steal(&b);
    return *out ? RB_OK : rb_err_set(err, 500, "internal_error", "out of memory");
}

static int run_model(rb_textwf *w, const chap_opts *s, int64_t dur_ms, rb_chapter_list *l,
                     rb_err *err)
{
    char *ins = NULL;
    if (instructions(w, s, dur_ms, &ins, err) != RB_OK)
        return RB_ERR;
    json_t *schema = model_schema();
    json_t *ans = NULL;
    int rc = schema ? rb_textwf_llm(w, ins, "Write the chapters of this video.", schema,
                                    "chapters", &ans, err)
                    : rb_err_set(err, 500, "internal_error", "out of memory");
    free(ins);
    json_decref(schema);
    if (rc != RB_OK)
        return RB_ERR;
    const json_t *arr = json_object_get(ans, "chapters");
    for (size_t i = 0; rc == RB_OK && i < json_array_size(arr); i++) {
        const json_t *c = json_array_get(arr, i);
        /* The schema was checked: a number >= 0 and a string. Seconds past
         * any real duration are dropped by the post-rules, so the clamp
         * here only keeps the conversion defined. */
        double st = json_number_value(json_object_get(c, "start_time"));
        const char *title = json_string_value(json_object_get(c, "title"));
        if (!title || !isfinite(st))
            continue;
        if (st > 1e9)
            st = 1e9;
        rc = rb_chapters_add(l, llround(st * 1000.0), title, strlen(title), err);
    }
    json_decref(ans);
    return rc;
}

/* ---- outputs and side effects ---------------------------------------------- */

/* Seconds as a JSON number: an integer when whole, else to the millisecond. */
static json_t *seconds(int64_t ms)
{
    return ms % 1000 == 0 ? json_integer(ms / 1000) : json_real((double)ms / 1000.0);
}

static json_t *chapters_json(const rb_chapter_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++)
        json_array_append_new(a, json_pack("{s:o, s:s}", "start_time",
                                           seconds(l->items[i].start_ms), "title",
                                           l->items[i].title));
    return a;
}

/* The chapters file of spec §8.3. */
static json_t *chapters_file(const rb_chapter_list *l, const char *lang)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++)
        json_array_append_new(a, json_pack("{s:I, s:o, s:[{s:s, s:s}]}", "chapter",
                                           (json_int_t)(i + 1), "start-time",
                                           seconds(l->items[i].start_ms), "titles", "language",
                                           lang, "title", l->items[i].title));
    return a;
}

/* Replaces the asset's chapters track; never fails the job. */
static json_t *update_asset(rb_wf_ctx *ctx, const rb_textwf *w, const rb_chapter_list *l)
{
    char track_id[RB_ID_MAX] = "", replaced[RB_ID_MAX] = "";
    rb_err uerr;
    rb_err_clear(&uerr);
    json_t *file = chapters_file(l, w->out_lang);
    int rc = file ? rb_library_replace_chapters(ctx->library, ctx->job->env_id, w->asset.id,
                                                w->out_lang, file, track_id, replaced, &uerr)
                  : rb_err_set(&uerr, 500, "internal_error", "out of memory");
    json_decref(file);
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (rc == RB_OK && track_id[0]) {
        json_object_set_new(o, "status", json_string("created"));
        json_object_set_new(o, "track_id", json_string(track_id));
    } else {
        rb_warn("generate-chapters: job %s: update_asset_chapters failed for asset %s: %s "
                "(the job still completes)",
                ctx->job->id, w->asset.id, uerr.message);
        json_object_set_new(o, "status", json_string("failed"));
    }
    if (replaced[0])
        json_object_set_new(o, "replaced_track_id", json_string(replaced));
    return o;
}

static int generate_chapters_run(rb_wf_ctx *ctx, rb_wf_result *out, rb_err *err)
{
    rb_textwf w;
    /* No RB_TEXTWF_SCOPE: generate-chapters' steering has no scope (§4.1). */
    if (rb_textwf_open(ctx, 0, &w, out, err) != RB_OK) {
        rb_textwf_close(&w);
        return RB_ERR;
    }
    chap_opts s;
    chap_opts_build(&w, &s);
    int64_t dur = rb_chapters_duration_ms(w.t, s.o.duration_ms);
    rb_chapter_list l = {0};
    int rc = RB_OK;
    if (rb_wf_cancelled(ctx))
        rc = RB_CONFLICT;
    if (rc == RB_OK) {
        if (w.engine == RB_AI_OPENAI) {
            rc = run_model(&w, &s, dur, &l, err);
            /* Both engines' chapters pass the same post-rules; the builtin
             * engine applies them itself. */
            if (rc == RB_OK)
                rc = rb_chapters_repair(&l, dur, err);
        } else {
            rc = rb_builtin_chapters(w.t, &w.doc.doc, &s.o, &l, err);
        }
    }
    if (rc == RB_OK && rb_wf_cancelled(ctx))
        rc = RB_CONFLICT;
    json_t *asset_update = NULL;
    if (rc == RB_OK && s.update_asset) {
        asset_update = update_asset(ctx, &w, &l);
        if (!asset_update)
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
    }
    if (rc == RB_OK) {
        json_t *chapters = chapters_json(&l);
        out->outputs = chapters ? json_pack("{s:o}", "chapters", chapters) : NULL;
        if (out->outputs && asset_update)
            json_object_set(out->outputs, "asset_update", asset_update);
        if (!out->outputs)
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
    }
    json_decref(asset_update);
    rb_chapters_free(&l);
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

const rb_workflow rb_wf_generate_chapters = {.name = "generate-chapters",
                                             .run = generate_chapters_run};
