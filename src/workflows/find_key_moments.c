/* find_key_moments.c — the find-key-moments workflow (spec §5.5).
 *
 * Transcript-driven only: use_shots:true needs shot detection, which this
 * server does not have (the API refuses it at create time; a job that still
 * carries it fails here with a validation_error rather than pretending).
 *
 * Steps: open the text context (asset, caption track, transcript cut to
 * output_steering.scope, engine), read the options, find moments with the
 * builtin engine (src/ai/builtin_moments.h) or ONE model call that answers
 * in cue index ranges, then apply the same post-rules to both engines'
 * moments: valid cue ranges, at most target_duration_ms.max long (model
 * moments are trimmed at cue boundaries), scores clamped to [0, 1], titles
 * of 3-8 words, concepts of 2-5 words (at most 5), quotes verbatim inside
 * the moment, no overlap, at most max_moments, ordered by start. Start/end
 * and cues[] always come from the real cues, so every boundary is a cue
 * boundary on the original timeline. Output that still breaks a rule after
 * that is a processing_error (retryable). No side effects.
 * docs/builtin-moments.md is the design note. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ai/builtin_moments.h"
#include "common/buf.h"
#include "workflows/textwf.h"

#define MAX_PRIORITIES 16
#define MAX_BRAND_TERMS 64

/* ---- options ----------------------------------------------------------------- */

typedef struct km_opts {
    rb_moments_opts m;
    size_t max_moments;              /* resolved: 1..25 */
    int64_t min_ms, max_ms;          /* resolved target range */
    int has_target;
    int prios[MAX_PRIORITIES];
    const char *brand[MAX_BRAND_TERMS];
} km_opts;

static int bad(rb_err *err, const char *fmt, const char *field)
{
    return rb_err_set(err, 422, "validation_error", fmt, field);
}

/* Reads the parameters (the API validated them; a job that reaches here with
 * values the tables would refuse is still refused, never guessed at). */
static int read_opts(rb_textwf *w, km_opts *o, rb_err *err)
{
    memset(o, 0, sizeof *o);
    const json_t *mm = json_object_get(w->params, "max_moments");
    int64_t duration_ms = w->asset.duration > 0 ? (int64_t)llround(w->asset.duration * 1000.0)
                                                : w->t->end_ms;
    if (mm) {
        if (!json_is_integer(mm) || json_integer_value(mm) < 1 ||
            json_integer_value(mm) > RB_MOMENTS_MAX)
            return bad(err, "%s must be an integer from 1 to 25", "parameters.max_moments");
        o->max_moments = (size_t)json_integer_value(mm);
    } else {
        o->max_moments = rb_moments_default_max(duration_ms);
    }
    o->min_ms = RB_MOMENTS_DEFAULT_MIN_MS;
    o->max_ms = RB_MOMENTS_DEFAULT_MAX_MS;
    const json_t *td = json_object_get(w->params, "target_duration_ms");
    if (td) {
        const json_t *mn = json_object_get(td, "min"), *mx = json_object_get(td, "max");
        if (!json_is_object(td) || !json_is_integer(mn) || !json_is_integer(mx) ||
            json_integer_value(mn) <= 0 || json_integer_value(mx) <= 0)
            return bad(err, "%s must be {min, max} with integers > 0",
                       "parameters.target_duration_ms");
        if (json_integer_value(mn) > json_integer_value(mx))
            return bad(err, "%s.min must not be greater than max",
                       "parameters.target_duration_ms");
        o->min_ms = json_integer_value(mn);
        o->max_ms = json_integer_value(mx);
        o->has_target = 1;
    }
    if (rb_textwf_param_bool(w, "use_shots", 0))
        return bad(err, "%s: shot-based selection is not available on this server (no shot "
                        "detection); omit it or set it to false",
                   "parameters.use_shots");

    const char *s = rb_textwf_steer_str(w, "selection_strategy");
    int strategy = rb_moments_strategy_parse(s);
    if (strategy < 0 || (s && !*s))
        return bad(err, "%s is not a known strategy",
                   "parameters.output_steering.selection_strategy");
    s = rb_textwf_steer_str(w, "title_style");
    int style = rb_moments_title_style_parse(s);
    if (style < 0)
        return bad(err, "%s is not a known style", "parameters.output_steering.title_style");
    const json_t *rp = json_object_get(w->steering, "rubric_priorities");
    size_t np = 0;
    for (size_t i = 0; i < json_array_size(rp); i++) {
        int p = rb_moments_priority_parse(json_string_value(json_array_get(rp, i)));
        if (p < 0)
            return bad(err, "%s holds an unknown priority",
                       "parameters.output_steering.rubric_priorities");
        if (np < MAX_PRIORITIES)
            o->prios[np++] = p;
    }
    const json_t *bt = json_object_get(w->steering, "brand_terms");
    size_t nb = 0;
    for (size_t i = 0; i < json_array_size(bt) && nb < MAX_BRAND_TERMS; i++) {
        const char *term = json_string_value(json_array_get(bt, i));
        if (term && *term)
            o->brand[nb++] = term;
    }
    o->m.max_moments = o->max_moments;
    o->m.duration_ms = duration_ms;
    o->m.min_ms = o->min_ms;
    o->m.max_ms = o->max_ms;
    o->m.strategy = strategy;
    o->m.title_style = style;
    o->m.priorities = o->prios;
    o->m.npriorities = np;
    o->m.brand_terms = o->brand;
    o->m.nbrand_terms = nb;
    return RB_OK;
}

/* ---- the model path ------------------------------------------------------------ */

static const char *const STRATEGY_TEXT[] = {
    "balanced: the moments a viewer would most want to see",
    "standalone_hooks: moments that grab attention on their own, without context",
    "educational_takeaways: moments that teach one clear, useful point",
    "story_beats: the turning points of the story being told",
    "product_moments: moments about the product, its features and announcements",
    "speaker_highlights: the speakers' strongest, most characteristic statements",
};
static const char *const STYLE_TEXT[] = {
    "descriptive (says plainly what the moment is about)",
    "punchy (short and energetic)",
    "educational (names what the viewer learns)",
    "social (ready for a social post, hashtags allowed)",
};
static const char *const PRIORITY_TEXT[] = {"clarity_in_isolation", "emotional_intensity",
                                            "novelty", "soundbite_quality"};

/* maxItems is the spec's ceiling (25), not max_moments: a model that offers
 * a few more moments than asked has not failed, the post-rules keep the best
 * max_moments of them. */
static json_t *model_schema(size_t ncues)
{
    json_int_t last = (json_int_t)(ncues ? ncues - 1 : 0);
    json_t *cue = json_pack("{s:s, s:i, s:I}", "type", "integer", "minimum", 0, "maximum", last);
    json_t *item = json_pack(
        "{s:s, s:b, s:[s,s,s,s,s,s,s], s:{s:O, s:O, s:{s:s, s:i, s:i}, s:{s:s, s:i, s:i},"
        " s:{s:s, s:i, s:i}, s:{s:s, s:i, s:{s:s, s:i, s:i}}, s:{s:[s,s], s:i, s:I}}}",
        "type", "object", "additionalProperties", 0, "required", "first_cue", "last_cue", "title",
        "overall_score", "audible_narrative", "notable_audible_concepts", "quotable_cue",
        "properties", "first_cue", cue, "last_cue", cue, "title", "type", "string", "minLength", 1,
        "maxLength", 200, "overall_score", "type", "number", "minimum", 0, "maximum", 1,
        "audible_narrative", "type", "string", "minLength", 1, "maxLength", 1000,
        "notable_audible_concepts", "type", "array", "maxItems", RB_MOMENTS_MAX_CONCEPTS, "items",
        "type", "string", "minLength", 1, "maxLength", 100, "quotable_cue", "type", "integer",
        "null", "minimum", 0, "maximum", last);
    json_decref(cue);
    if (!item)
        return NULL;
    return json_pack("{s:s, s:b, s:[s], s:{s:{s:s, s:i, s:o}}}", "type", "object",
                     "additionalProperties", 0, "required", "moments", "properties", "moments",
                     "type", "array", "maxItems", RB_MOMENTS_MAX, "items", item);
}

static const char *INSTRUCTIONS =
    "You find the key moments of a video from its transcript. The transcript lists one caption "
    "cue per line as \"[c<index>] <start s>-<end s> <speaker>: <text>\". A moment is a run of "
    "contiguous cues, given by the index of its first and last cue (first_cue <= last_cue). "
    "Moments must not overlap. For each moment give: title (3 to 8 words), overall_score "
    "(0 to 1, how strong the moment is), audible_narrative (one sentence on what is said), "
    "notable_audible_concepts (up to 5 phrases of 2 to 5 words, said in the moment), and "
    "quotable_cue (the index of the cue, inside the moment, that is the best verbatim quote, "
    "or null when none stands on its own). Order does not matter; the best moments first.";

static int build_request(const rb_textwf *w, const km_opts *o, char **out, rb_err *err)
{
    rb_buf b;
    rb_buf_init(&b, 64 * 1024);
    int rc = rb_buf_appendf(&b, "Find at most %zu key moments.\n", o->max_moments);
    rc |= rb_buf_appendf(&b, "Each moment should last between %lld and %lld milliseconds.\n",
                         (long long)o->min_ms, (long long)o->max_ms);
    rc |= rb_buf_appendf(&b, "Selection strategy: %s.\n", STRATEGY_TEXT[o->m.strategy]);
    rc |= rb_buf_appendf(&b, "Title style: %s.\n", STYLE_TEXT[o->m.title_style]);
    if (o->m.npriorities) {
        rc |= rb_buf_puts(&b, "Rubric priorities, most important first:");
        for (size_t i = 0; i < o->m.npriorities; i++)
            rc |= rb_buf_appendf(&b, "%s %s", i ? "," : "", PRIORITY_TEXT[o->prios[i]]);
        rc |= rb_buf_puts(&b, ".\n");
    }
    /* Free text from the request is data: JSON-encoded so it cannot close a
     * sentence and add instructions of its own. */
    const char *aud = rb_textwf_steer_str(w, "audience");
    if (aud && *aud) {
        char *enc = json_dumps(json_object_get(w->steering, "audience"), JSON_ENCODE_ANY);
        rc |= rb_buf_appendf(&b, "Audience (guidance): %s\n", enc ? enc : "\"\"");
        free(enc);
    }
    if (o->m.nbrand_terms) {
        char *enc = json_dumps(json_object_get(w->steering, "brand_terms"), JSON_COMPACT);
        rc |= rb_buf_appendf(&b, "Brand terms (prefer moments mentioning them, spell them "
                                 "exactly): %s\n",
                             enc ? enc : "[]");
        free(enc);
    }
    const json_t *tax = json_object_get(w->steering, "topic_taxonomy");
    if (json_is_object(tax)) {
        char *enc = json_dumps(tax, JSON_COMPACT);
        rc |= rb_buf_appendf(&b, "Topic taxonomy (guidance for titles and concepts; "
                                 "allow_other false means stay within its labels): %s\n",
                             enc ? enc : "{}");
        free(enc);
    }
    if (rc != 0) {
        rb_buf_free(&b);
        return rb_err_set(err, 422, "validation_error", "the request is too long");
    }
    *out = rb_buf_steal(&b);
    return RB_OK;
}

/* Moments from the model's answer, before the post-rules. Ranges outside the
 * transcript or reversed are dropped here (the schema already bounds them). */
static int model_moments(rb_textwf *w, const km_opts *o, rb_moment **out, size_t *n,
                         rb_err *err)
{
    *out = NULL;
    *n = 0;
    json_t *schema = model_schema(w->t->ncues);
    char *request = NULL;
    if (!schema)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    if (build_request(w, o, &request, err) != RB_OK) {
        json_decref(schema);
        return RB_ERR;
    }
    json_t *ans = NULL;
    int rc = rb_textwf_llm(w, INSTRUCTIONS, request, schema, "key_moments", &ans, err);
    free(request);
    json_decref(schema);
    if (rc != RB_OK)
        return RB_ERR;
    const json_t *arr = json_object_get(ans, "moments");
    size_t cap = json_array_size(arr);
    rb_moment *ms = calloc(cap ? cap : 1, sizeof *ms);
    if (!ms) {
        json_decref(ans);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < cap; i++) {
        const json_t *m = json_array_get(arr, i);
        json_int_t a = json_integer_value(json_object_get(m, "first_cue"));
        json_int_t b = json_integer_value(json_object_get(m, "last_cue"));
        if (a < 0 || b < a || (size_t)b >= w->t->ncues)
            continue;
        rb_moment *x = &ms[k];
        x->first_cue = (size_t)a;
        x->last_cue = (size_t)b;
        x->score = json_number_value(json_object_get(m, "overall_score"));
        const char *title = json_string_value(json_object_get(m, "title"));
        const char *narr = json_string_value(json_object_get(m, "audible_narrative"));
        x->title = strdup(title ? title : "");
        x->narrative = strdup(narr ? narr : "");
        if (!x->title || !x->narrative) {
            rb_moment_clear(x);
            continue;
        }
        const json_t *cs = json_object_get(m, "notable_audible_concepts");
        for (size_t j = 0; j < json_array_size(cs) && x->nconcepts < RB_MOMENTS_MAX_CONCEPTS;
             j++) {
            const char *c = json_string_value(json_array_get(cs, j));
            if (c && (x->concepts[x->nconcepts] = strdup(c)))
                x->nconcepts++;
        }
        const json_t *q = json_object_get(m, "quotable_cue");
        if (json_is_integer(q)) {
            json_int_t qi = json_integer_value(q);
            /* The quote is the real cue's text: verbatim by construction. */
            if (qi >= a && qi <= b) {
                x->quote = strdup(w->t->cues[qi].text);
                x->has_quote = x->quote != NULL;
                x->quote_start_ms = w->t->cues[qi].start_ms;
            }
        }
        k++;
    }
    json_decref(ans);
    *out = ms;
    *n = k;
    return RB_OK;
}

/* ---- post-rules (both engines) --------------------------------------------------- */

static int64_t range_end(const rb_transcript *t, size_t a, size_t b)
{
    int64_t e = t->cues[a].end_ms;
    for (size_t i = a + 1; i <= b; i++)
        if (t->cues[i].end_ms > e)
            e = t->cues[i].end_ms;
    return e;
}

static void trim_ws(char *s)
{
    size_t n = strlen(s), a = 0;
    while (a < n && (s[a] == ' ' || s[a] == '\n' || s[a] == '\t' || s[a] == '\r'))
        a++;
    while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
}

static int by_score(const void *x, const void *y)
{
    const rb_moment *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->first_cue < b->first_cue ? -1 : (a->first_cue > b->first_cue);
}

static int by_start(const void *x, const void *y)
{
    const rb_moment *a = x, *b = y;
    return a->start_ms < b->start_ms ? -1 : (a->start_ms > b->start_ms);
}

/* Repairs ms[0..*n) in place (see the file comment); dropped moments are
 * cleared and the array compacted. */
static int post_rules(rb_textwf *w, const km_opts *o, rb_moment *ms, size_t *n, rb_err *err)
{
    const rb_transcript *t = w->t;
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        rb_moment *m = &ms[i];
        int keep = m->first_cue <= m->last_cue && m->last_cue < t->ncues;
        if (keep) {
            /* Longer than the target: drop trailing cues (cue-aligned). */
            while (m->last_cue > m->first_cue &&
                   range_end(t, m->first_cue, m->last_cue) - t->cues[m->first_cue].start_ms >
                       o->max_ms)
                m->last_cue--;
            m->start_ms = t->cues[m->first_cue].start_ms;
            m->end_ms = range_end(t, m->first_cue, m->last_cue);
            if (!(m->score >= 0))
                m->score = 0; /* also NaN */
            if (m->score > 1)
                m->score = 1;
            char *title = rb_moments_title_fit(t, &w->doc, m->first_cue, m->last_cue,
                                               m->title ? m->title : "");
            if (!title)
                keep = 0;
            free(m->title);
            m->title = title;
        }
        if (keep) {
            if (m->narrative)
                trim_ws(m->narrative);
            if (!m->narrative || !*m->narrative) {
                /* The builtin's central sentence of the same cues. */
                rb_moment tmp = *m;
                tmp.title = NULL;
                tmp.narrative = NULL;
                tmp.nconcepts = 0;
                tmp.quote = NULL;
                tmp.has_quote = 0;
                int drc = rb_moments_describe(t, &w->doc, o->m.title_style, &tmp, err);
                if (drc != RB_OK) {
                    rb_moment_clear(&tmp);
                    rb_moment_clear(m);
                    if (drc == RB_NOTFOUND) {
                        /* Too few words to describe (cannot happen once the
                         * title fitted, but never trust that silently). */
                        continue;
                    }
                    for (size_t j = i + 1; j < *n; j++)
                        rb_moment_clear(&ms[j]);
                    *n = k;
                    return RB_ERR;
                }
                free(m->narrative);
                m->narrative = tmp.narrative;
                tmp.narrative = NULL;
                rb_moment_clear(&tmp);
            }
            size_t c = 0;
            for (size_t j = 0; j < m->nconcepts; j++) {
                trim_ws(m->concepts[j]);
                int ok = rb_moments_concept_ok(m->concepts[j]);
                for (size_t x = 0; ok && x < c; x++)
                    ok = strcasecmp(m->concepts[x], m->concepts[j]) != 0;
                if (ok)
                    m->concepts[c++] = m->concepts[j];
                else
                    free(m->concepts[j]);
            }
            m->nconcepts = c;
            if (m->has_quote) {
                /* Verbatim and inside the moment, or no quote. */
                char *text = rb_textwf_cue_text(t, m->first_cue, m->last_cue);
                int ok = text && m->quote && *m->quote && strstr(text, m->quote) &&
                         m->quote_start_ms >= m->start_ms && m->quote_start_ms < m->end_ms;
                free(text);
                if (!ok) {
                    free(m->quote);
                    m->quote = NULL;
                    m->has_quote = 0;
                }
            }
        }
        if (!keep) {
            rb_moment_clear(m);
            continue;
        }
        if (k != i)
            ms[k] = ms[i];
        k++;
    }
    /* Best first, keep what does not overlap a better one, at most max. */
    qsort(ms, k, sizeof *ms, by_score);
    size_t kept = 0;
    for (size_t i = 0; i < k; i++) {
        int clash = kept >= o->max_moments;
        for (size_t j = 0; j < kept && !clash; j++)
            clash = ms[i].start_ms < ms[j].end_ms && ms[j].start_ms < ms[i].end_ms;
        if (clash) {
            rb_moment_clear(&ms[i]);
            continue;
        }
        if (kept != i)
            ms[kept] = ms[i];
        kept++;
    }
    qsort(ms, kept, sizeof *ms, by_start);
    *n = kept;
    return RB_OK;
}

/* The hard invariants, checked after the repair: a failure here is a bug or
 * an answer the rules could not mend, never a silent wrong output. */
static int check_invariants(const rb_textwf *w, const km_opts *o, const rb_moment *ms, size_t n,
                            rb_err *err)
{
    const rb_transcript *t = w->t;
    if (n > o->max_moments)
        return rb_err_set(err, 500, "processing_error", "too many moments (%zu)", n);
    for (size_t i = 0; i < n; i++) {
        const rb_moment *m = &ms[i];
        size_t tw = rb_moments_word_count(m->title);
        if (m->first_cue > m->last_cue || m->last_cue >= t->ncues ||
            m->start_ms != t->cues[m->first_cue].start_ms ||
            m->end_ms != range_end(t, m->first_cue, m->last_cue) || m->end_ms < m->start_ms ||
            (i > 0 && m->start_ms < ms[i - 1].end_ms) || !(m->score >= 0 && m->score <= 1) ||
            tw < RB_MOMENTS_TITLE_MIN_WORDS || tw > RB_MOMENTS_TITLE_MAX_WORDS ||
            m->nconcepts > RB_MOMENTS_MAX_CONCEPTS || !m->narrative)
            return rb_err_set(err, 500, "processing_error",
                              "moment %zu breaks the output rules after repair", i);
        for (size_t j = 0; j < m->nconcepts; j++)
            if (!rb_moments_concept_ok(m->concepts[j]))
                return rb_err_set(err, 500, "processing_error",
                                  "moment %zu has a concept outside 2-5 words", i);
    }
    return RB_OK;
}

static json_t *moments_json(const rb_transcript *t, const rb_moment *ms, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        const rb_moment *m = &ms[i];
        json_t *cues = json_array(), *concepts = json_array();
        for (size_t c = m->first_cue; c <= m->last_cue; c++)
            json_array_append_new(cues, json_pack("{s:I, s:I, s:s}", "start_ms",
                                                  (json_int_t)t->cues[c].start_ms, "end_ms",
                                                  (json_int_t)t->cues[c].end_ms, "text",
                                                  t->cues[c].text));
        for (size_t c = 0; c < m->nconcepts; c++)
            json_array_append_new(concepts, json_string(m->concepts[c]));
        /* Three decimals: enough to rank, stable in the output. */
        double score = floor(m->score * 1000.0 + 0.5) / 1000.0;
        json_t *o = json_pack("{s:I, s:I, s:s, s:f, s:o, s:s, s:o}", "start_ms",
                              (json_int_t)m->start_ms, "end_ms", (json_int_t)m->end_ms, "title",
                              m->title, "overall_score", score, "cues", cues,
                              "audible_narrative", m->narrative, "notable_audible_concepts",
                              concepts);
        if (o && m->has_quote)
            json_object_set_new(o, "quotable_segment",
                                json_pack("{s:I, s:s}", "start_ms",
                                          (json_int_t)m->quote_start_ms, "text", m->quote));
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* ---- run ----------------------------------------------------------------------- */

static void free_moments(rb_moment *ms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rb_moment_clear(&ms[i]);
    free(ms);
}

static int run(rb_wf_ctx *ctx, rb_wf_result *out, rb_err *err)
{
    rb_textwf w;
    if (rb_textwf_open(ctx, RB_TEXTWF_SCOPE | RB_TEXTWF_NO_OUTPUT_LANGUAGE, &w, out, err) !=
        RB_OK)
        return RB_ERR;
    int rc;
    km_opts o;
    rb_moment *ms = NULL;
    size_t n = 0;
    if (read_opts(&w, &o, err) != RB_OK)
        goto fail;
    if (rb_wf_cancelled(ctx)) {
        rb_textwf_finish(&w, out);
        rb_textwf_close(&w);
        return RB_CONFLICT;
    }
    if (w.engine == RB_AI_OPENAI) {
        if (model_moments(&w, &o, &ms, &n, err) != RB_OK)
            goto fail;
    } else {
        rb_moments res;
        if (rb_moments_find(w.t, &w.doc, &o.m, &res, err) != RB_OK)
            goto fail;
        ms = res.items;
        n = res.n;
    }
    if (post_rules(&w, &o, ms, &n, err) != RB_OK || check_invariants(&w, &o, ms, n, err) != RB_OK)
        goto fail;
    if (rb_wf_cancelled(ctx)) {
        free_moments(ms, n);
        rb_textwf_finish(&w, out);
        rb_textwf_close(&w);
        return RB_CONFLICT;
    }
    json_t *arr = moments_json(w.t, ms, n);
    free_moments(ms, n);
    ms = NULL;
    n = 0;
    if (!arr) {
        rb_err_set(err, 500, "internal_error", "out of memory");
        goto fail;
    }
    out->outputs = json_pack("{s:o}", "moments", arr);
    rb_textwf_finish(&w, out);
    rb_textwf_close(&w);
    return out->outputs ? RB_OK : rb_err_set(err, 500, "processing_error", "out of memory");
fail:
    free_moments(ms, n);
    rc = rb_textwf_fail(&w, out, err);
    rb_textwf_close(&w);
    return rc;
}

const rb_workflow rb_wf_find_key_moments = {.name = "find-key-moments", .run = run};
