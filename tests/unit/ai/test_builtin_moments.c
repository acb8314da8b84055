/* test_builtin_moments.c — the builtin find-key-moments engine on fixed
 * transcripts: exact moments (cue ranges, titles, narratives, concepts,
 * quotes) for a 4-minute talk, every post-rule (cue alignment, target
 * duration, no overlap, order, max_moments, 3-8-word titles, 2-5-word
 * concepts, scores in [0, 1]), the strategy/priority weight table, the four
 * title styles, brand terms, a French transcript, the fallback for a
 * transcript shorter than the target, and the cost on an hour of speech. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lines_fixture.h"
#include "lesson_talk.h"
#include "ai/builtin_moments.h"
#include "common/buf.h"
#include "common/clock.h"
#include "media/vtt.h"

/* The talk of tests/fixtures/moments/talk.txt (shared with the black-box
 * test): 60 cues of 4 s; an exclamation-filled announcement from cue 35
 * (140 s). Loaded once by main(). */
static lines_fixture talk;
#define TALK ((const char *const *)talk.lines)
#define NTALK (talk.n)

static const char *const FR[] = {
    "Bonjour à tous et bienvenue dans notre émission sur la cuisine régionale.",
    "Aujourd'hui nous parlons du pain au levain et de la fermentation lente.",
    "Le levain demande de la patience et une farine de bonne qualité.",
    "La fermentation lente donne au pain une croûte épaisse et un goût profond.",
    "Ensuite nous visitons une boulangerie familiale en Bretagne.",
    "Le boulanger travaille la pâte chaque nuit depuis trente ans.",
    "Et maintenant la grande nouvelle !",
    "Notre boulangerie ouvre une école de pain dès demain !",
    "C'est incroyable !",
    "Tout le monde peut apprendre le levain gratuitement !",
    "Pour finir, merci à nos invités et à nos fidèles auditeurs.",
    "À la semaine prochaine pour parler des fromages de montagne.",
};
#define NFR (sizeof FR / sizeof FR[0])

/* WebVTT of n cues of step_ms each, cue i holding texts[i % ntexts]. */
static char *make_vtt(const char *const *texts, size_t ntexts, size_t n, int64_t step_ms)
{
    rb_buf b;
    rb_buf_init(&b, 1 << 24);
    assert_int_equal(rb_buf_puts(&b, "WEBVTT\n\n"), 0);
    for (size_t i = 0; i < n; i++) {
        char t0[32], t1[32];
        rb_vtt_format_time((int64_t)i * step_ms, t0, sizeof t0);
        rb_vtt_format_time((int64_t)(i + 1) * step_ms, t1, sizeof t1);
        assert_int_equal(rb_buf_appendf(&b, "%s --> %s\n%s\n\n", t0, t1, texts[i % ntexts]), 0);
    }
    return rb_buf_steal(&b);
}

typedef struct fx {
    rb_vtt vtt;
    rb_transcript *t;
    rb_transcript_doc d;
} fx;

static void fx_open_text(fx *f, const char *vtt, const char *lang)
{
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_vtt_parse(vtt, strlen(vtt), &f->vtt, &err), RB_OK);
    assert_int_equal(rb_transcript_build(&f->vtt, lang, -1, -1, &f->t, &err), RB_OK);
    assert_int_equal(rb_transcript_doc_build(f->t, &f->d, &err), RB_OK);
}

static void fx_open(fx *f, const char *const *texts, size_t n, int64_t step_ms, const char *lang)
{
    char *vtt = make_vtt(texts, n, n, step_ms);
    fx_open_text(f, vtt, lang);
    free(vtt);
}

static void fx_close(fx *f)
{
    rb_transcript_doc_free(&f->d);
    rb_transcript_free(f->t);
    rb_vtt_free(&f->vtt);
}

/* Every rule of the spec's output, whatever the input. */
static void check_rules(const fx *f, const rb_moments *m, size_t max_moments, int64_t min_ms,
                        int64_t max_ms)
{
    const rb_transcript *t = f->t;
    assert_true(m->n <= max_moments);
    for (size_t i = 0; i < m->n; i++) {
        const rb_moment *x = &m->items[i];
        assert_true(x->first_cue <= x->last_cue);
        assert_true(x->last_cue < t->ncues);
        /* Cue-aligned: starts at its first cue's start, ends at a cue end. */
        assert_int_equal(x->start_ms, t->cues[x->first_cue].start_ms);
        assert_int_equal(x->end_ms, t->cues[x->last_cue].end_ms);
        if (min_ms > 0) {
            assert_true(x->end_ms - x->start_ms >= min_ms);
            assert_true(x->end_ms - x->start_ms <= max_ms);
        }
        if (i > 0) {
            assert_true(x->start_ms >= m->items[i - 1].end_ms); /* ordered, no overlap */
        }
        assert_true(x->score >= 0 && x->score <= 1);
        for (int k = 0; k < RB_MOMENTS_NCOMP; k++)
            assert_true(x->comp[k] >= 0 && x->comp[k] <= 1);
        size_t tw = rb_moments_word_count(x->title);
        assert_true(tw >= 3 && tw <= 8);
        assert_non_null(x->narrative);
        assert_true(x->narrative[0] != '\0');
        assert_true(x->nconcepts <= 5);
        for (size_t k = 0; k < x->nconcepts; k++)
            assert_true(rb_moments_concept_ok(x->concepts[k]));
        if (x->has_quote) {
            /* Verbatim from the moment's own cues, starting at one of them. */
            int found = 0, starts = 0;
            rb_buf b;
            rb_buf_init(&b, 1 << 20);
            for (size_t c = x->first_cue; c <= x->last_cue; c++) {
                assert_int_equal(rb_buf_appendf(&b, "%s%s", c > x->first_cue ? " " : "",
                                                t->cues[c].text), 0);
                starts |= t->cues[c].start_ms == x->quote_start_ms;
            }
            found = strstr(rb_buf_cstr(&b), x->quote) != NULL;
            rb_buf_free(&b);
            assert_true(found);
            assert_true(starts);
        }
    }
}

/* "a-b|title|quote" per moment, joined by "\n", for exact comparisons. */
static char *summary(const rb_moments *m)
{
    rb_buf b;
    rb_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < m->n; i++) {
        const rb_moment *x = &m->items[i];
        assert_int_equal(rb_buf_appendf(&b, "%zu-%zu|%s|%s\n", x->first_cue, x->last_cue,
                                        x->title, x->has_quote ? x->quote : "-"), 0);
    }
    return rb_buf_steal(&b);
}

static void expect_summary(const rb_moments *m, const char *want)
{
    char *got = summary(m);
    if (strcmp(got, want) != 0)
        print_message("got:\n%s", got);
    assert_string_equal(got, want);
    free(got);
}

static rb_moments find(const fx *f, const rb_moments_opts *o)
{
    rb_moments m;
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_moments_find(f->t, &f->d, o, &m, &err);
    if (rc != RB_OK)
        fail_msg("rb_moments_find: %s", err.message);
    return m;
}

/* Default options on the 4-minute talk: target 15-60 s, 10 moments (≤ 1 h). */
static void test_talk_defaults(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, TALK, NTALK, 4000, "en");
    rb_moments_opts o = {0};
    rb_moments m = find(&f, &o);
    check_rules(&f, &m, 10, RB_MOMENTS_DEFAULT_MIN_MS, RB_MOMENTS_DEFAULT_MAX_MS);
    expect_summary(&m, "0-4|Edge cache: encoding ladder|I'm Dana, and today we cover three things about video delivery.\n"
                        "5-8|Team spent: get started|Our team spent the whole quarter on these problems.\n"
                        "9-17|Edge cache: split identical segments|Last year our cache hit ratio was stuck at eighty percent.\n"
                        "18-27|Bitrate ladder: cache keys|A bitrate ladder is the list of renditions we encode for each video.\n"
                        "28-31|Encoding ladder: slow networks|With per-title encoding our storage costs fell by thirty percent.\n"
                        "32-35|Live encoding still|We still hand-tune the ladder for live streams.\n"
                        "36-43|Instant clipping: live stream|We are launching instant clipping today!\n"
                        "44-48|Social feed: fans used|Let me tell you about a live sports league that tested it.\n"
                        "49-52|Head of digital: editing tool|The league's producers did not touch an editing tool.\n"
                        "56-59|Live encoding: Streamline team|Next time we dig into live encoding latency.\n");
    /* The announcement (cue 36: "We are launching instant clipping today!") is
     * inside a moment, whose quote is that sentence. */
    int inside = 0;
    for (size_t i = 0; i < m.n; i++)
        if (m.items[i].first_cue <= 36 && m.items[i].last_cue >= 36) {
            inside = 1;
            assert_true(m.items[i].comp[RB_MOMENTS_EMOTION] > 0.4);
            assert_string_equal(m.items[i].quote, "We are launching instant clipping today!");
            assert_int_equal(m.items[i].quote_start_ms, 144000);
            assert_string_equal(m.items[i].narrative,
                                "Instant clipping works on every live stream, with no extra "
                                "setup!");
        }
    assert_true(inside);
    rb_moments_free(&m);
    fx_close(&f);
}

/* target_duration_ms 10-30 s and max_moments 3: the three best, exactly. */
static void test_talk_target_and_max(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, TALK, NTALK, 4000, "en");
    rb_moments_opts o = {.max_moments = 3, .min_ms = 10000, .max_ms = 30000};
    rb_moments m = find(&f, &o);
    check_rules(&f, &m, 3, 10000, 30000);
    assert_int_equal(m.n, 3);
    expect_summary(&m, "0-4|Edge cache: encoding ladder|I'm Dana, and today we cover three things about video delivery.\n"
                        "12-17|Cache hit ratio: split identical segments|Last year our cache hit ratio was stuck at eighty percent.\n"
                        "36-41|Instant clipping: live stream|We are launching instant clipping today!\n");
    /* Full detail of the cache moment. */
    const rb_moment *x = &m.items[1];
    assert_int_equal(x->start_ms, 48000);
    assert_int_equal(x->end_ms, 72000);
    assert_string_equal(x->narrative, "Last year our cache hit ratio was stuck at eighty percent.");
    assert_int_equal(x->nconcepts, 4);
    assert_string_equal(x->concepts[0], "cache hit ratio");
    assert_string_equal(x->concepts[1], "split identical segments");
    assert_string_equal(x->concepts[2], "separate cache keys");
    assert_string_equal(x->concepts[3], "stay quiet");

    assert_true(fabs(x->score - 0.7234) < 1e-3);
    rb_moments_free(&m);
    fx_close(&f);
}

/* The same call twice gives the same bytes (no clock, no randomness). */
static void test_deterministic(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, TALK, NTALK, 4000, "en");
    rb_moments_opts o = {.max_moments = 7, .min_ms = 8000, .max_ms = 40000};
    rb_moments a = find(&f, &o), b = find(&f, &o);
    char *sa = summary(&a), *sb = summary(&b);
    assert_string_equal(sa, sb);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++)
        assert_true(a.items[i].score == b.items[i].score);
    free(sa);
    free(sb);
    rb_moments_free(&a);
    rb_moments_free(&b);
    fx_close(&f);
}

static void test_weights_table(void **state)
{
    (void)state;
    double w[RB_MOMENTS_NCOMP];
    rb_moments_weights(RB_MOMENTS_BALANCED, NULL, 0, w);
    assert_true(fabs(w[0] - 0.35) < 1e-12 && fabs(w[1] - 0.20) < 1e-12 &&
                fabs(w[2] - 0.20) < 1e-12 && fabs(w[3] - 0.25) < 1e-12);
    rb_moments_weights(RB_MOMENTS_STORY_BEATS, NULL, 0, w);
    assert_true(fabs(w[RB_MOMENTS_EMOTION] - 0.35) < 1e-12);
    /* Priorities: x2 for the first, x1.5 for the second, then renormalised.
     * educational_takeaways {.45,.20,.05,.30}; emotional_intensity first
     * (.05 -> .10), novelty second (.20 -> .30): sum 1.15. */
    int pr[] = {RB_MOMENTS_PRIO_EMOTION, RB_MOMENTS_PRIO_NOVELTY};
    rb_moments_weights(RB_MOMENTS_EDUCATIONAL_TAKEAWAYS, pr, 2, w);
    assert_true(fabs(w[RB_MOMENTS_SALIENCE] - 0.45 / 1.15) < 1e-12);
    assert_true(fabs(w[RB_MOMENTS_NOVELTY] - 0.30 / 1.15) < 1e-12);
    assert_true(fabs(w[RB_MOMENTS_EMOTION] - 0.10 / 1.15) < 1e-12);
    assert_true(fabs(w[RB_MOMENTS_QUOTABILITY] - 0.30 / 1.15) < 1e-12);
    /* clarity_in_isolation and soundbite_quality both boost quotability. */
    int pq[] = {RB_MOMENTS_PRIO_SOUNDBITE, RB_MOMENTS_PRIO_CLARITY};
    rb_moments_weights(RB_MOMENTS_BALANCED, pq, 2, w);
    double q = 0.25 * 2 * 1.5, sum = 0.35 + 0.20 + 0.20 + q;
    assert_true(fabs(w[RB_MOMENTS_QUOTABILITY] - q / sum) < 1e-12);
    for (int s = 0; s <= RB_MOMENTS_SPEAKER_HIGHLIGHTS; s++) {
        rb_moments_weights(s, pr, 2, w);
        assert_true(fabs(w[0] + w[1] + w[2] + w[3] - 1) < 1e-12);
    }
    /* Enum strings. */
    assert_int_equal(rb_moments_strategy_parse(NULL), RB_MOMENTS_BALANCED);
    assert_int_equal(rb_moments_strategy_parse("story_beats"), RB_MOMENTS_STORY_BEATS);
    assert_int_equal(rb_moments_strategy_parse("hooks"), -1);
    assert_int_equal(rb_moments_title_style_parse("social"), RB_MOMENTS_TITLE_SOCIAL);
    assert_int_equal(rb_moments_title_style_parse("seo"), -1);
    assert_int_equal(rb_moments_priority_parse("novelty"), RB_MOMENTS_PRIO_NOVELTY);
    assert_int_equal(rb_moments_priority_parse(NULL), -1);
    assert_int_equal(rb_moments_default_max(3600000), 10);
    assert_int_equal(rb_moments_default_max(3600001), 25);
}

/* The strategy changes which moments win. */
static void test_strategy_changes_selection(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, TALK, NTALK, 4000, "en");
    rb_moments_opts o = {.max_moments = 3, .min_ms = 10000, .max_ms = 30000,
                         .strategy = RB_MOMENTS_STANDALONE_HOOKS};
    rb_moments hooks = find(&f, &o);
    check_rules(&f, &hooks, 3, 10000, 30000);
    o.strategy = RB_MOMENTS_EDUCATIONAL_TAKEAWAYS;
    rb_moments edu = find(&f, &o);
    check_rules(&f, &edu, 3, 10000, 30000);
    char *a = summary(&hooks), *b = summary(&edu);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
    /* Hooks keep the intro out (no emotion); takeaways keep it (salient). */
    assert_int_equal(hooks.items[0].first_cue, 12);
    assert_int_equal(edu.items[0].first_cue, 0);
    /* Balanced, the cache moment outscores the announcement; with
     * emotional_intensity as the first priority the announcement wins. */
    o.strategy = RB_MOMENTS_BALANCED;
    rb_moments plain = find(&f, &o);
    int pr[] = {RB_MOMENTS_PRIO_EMOTION};
    o.priorities = pr;
    o.npriorities = 1;
    rb_moments emo = find(&f, &o);
    assert_int_equal(plain.items[1].first_cue, 12);
    assert_int_equal(plain.items[2].first_cue, 36);
    assert_true(plain.items[1].score > plain.items[2].score);
    assert_int_equal(emo.items[0].first_cue, 12);
    assert_int_equal(emo.items[1].first_cue, 36);
    assert_true(emo.items[1].score > emo.items[0].score);
    rb_moments_free(&hooks);
    rb_moments_free(&edu);
    rb_moments_free(&plain);
    rb_moments_free(&emo);
    fx_close(&f);
}

static void test_title_styles(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, TALK, NTALK, 4000, "en");
    static const char *const want[4] = {
        "Instant clipping: live stream",
        "Instant Clipping Live Stream!",
        "Instant clipping: live stream, extra setup",
        "Instant clipping #LiveStream #ExtraSetup",
    };
    for (int s = 0; s < 4; s++) {
        rb_moments_opts o = {.max_moments = 3, .min_ms = 10000, .max_ms = 30000,
                             .title_style = s};
        rb_moments m = find(&f, &o);
        check_rules(&f, &m, 3, 10000, 30000);
        assert_int_equal(m.items[2].first_cue, 36);
        assert_string_equal(m.items[2].title, want[s]);
        rb_moments_free(&m);
    }
    fx_close(&f);
}

/* Brand terms add 0.1 to the moments that say them (0.2 for product_moments). */
static void test_brand_terms(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, TALK, NTALK, 4000, "en");
    rb_moments_opts o = {.max_moments = 3, .min_ms = 10000, .max_ms = 30000};
    rb_moments a = find(&f, &o);
    const char *brands[] = {"Streamline"};
    o.brand_terms = brands;
    o.nbrand_terms = 1;
    rb_moments b = find(&f, &o);
    assert_int_equal(a.items[0].first_cue, 0); /* "the Streamline engineering podcast" */
    assert_int_equal(b.items[0].first_cue, 0);
    assert_true(fabs(b.items[0].score - (a.items[0].score + 0.1)) < 1e-9);
    rb_moments_free(&a);
    rb_moments_free(&b);
    fx_close(&f);
}

/* French: punctuation-only emotion, no English word lists. */
static void test_french(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, FR, NFR, 5000, "fr");
    rb_moments_opts o = {.max_moments = 3, .min_ms = 10000, .max_ms = 20000};
    rb_moments m = find(&f, &o);
    check_rules(&f, &m, 3, 10000, 20000);
    expect_summary(&m, "1-3|Fermentation lente: levain demande|Aujourd'hui nous parlons du pain au levain et de la fermentation lente.\n"
                        "6-9|Levain gratuitement: boulangerie ouvre|Notre boulangerie ouvre une école de pain dès demain !\n"
                        "10-11|Fromages de montagne: fidèles auditeurs|Pour finir, merci à nos invités et à nos fidèles auditeurs.\n");
    assert_true(m.items[1].comp[RB_MOMENTS_EMOTION] >= 0.5);
    assert_string_equal(m.items[1].narrative,
                        "Notre boulangerie ouvre une école de pain dès demain !");
    rb_moments_free(&m);
    fx_close(&f);
}

/* Shorter than the target's minimum: the longest window that fits max. */
static void test_short_transcript(void **state)
{
    (void)state;
    static const char *const SHORT[] = {
        "Our new camera ships today.",
        "The camera records in eight kilobit depth!",
        "Preorders open at noon.",
    };
    fx f;
    fx_open(&f, SHORT, 3, 2000, "en");
    rb_moments_opts o = {0};
    rb_moments m = find(&f, &o);
    check_rules(&f, &m, 10, 0, 0);
    expect_summary(&m, "0-2|Kilobit depth: camera records|Our new camera ships today.\n");
    rb_moments_free(&m);
    fx_close(&f);

    /* Two words in all: no 3-word title is possible, so no moment. */
    static const char *const TINY[] = {"Wow!", "Goal!"};
    fx_open(&f, TINY, 2, 20000, "en");
    m = find(&f, &o);
    assert_int_equal(m.n, 0);
    rb_moments_free(&m);
    fx_close(&f);
}

static void test_title_fit_and_words(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, TALK, NTALK, 4000, "en");
    char *s = rb_moments_title_fit(f.t, &f.d, 10, 12, "Origin");
    assert_string_equal(s, "Origin edge cache");
    free(s);
    s = rb_moments_title_fit(f.t, &f.d, 10, 12, "");
    assert_string_equal(s, "Edge cache sits");
    free(s);
    s = rb_moments_title_fit(f.t, &f.d, 10, 12, "one two three four five six seven eight, nine");
    assert_string_equal(s, "one two three four five six seven eight");
    free(s);
    assert_int_equal(rb_moments_word_count("  a  b\tc\n"), 3);
    assert_int_equal(rb_moments_word_count(""), 0);
    assert_false(rb_moments_concept_ok("cache"));
    assert_true(rb_moments_concept_ok("cache hit"));
    assert_true(rb_moments_concept_ok("a b c d e"));
    assert_false(rb_moments_concept_ok("a b c d e f"));
    fx_close(&f);
}

/* describe() alone, as the model path uses it. */
static void test_describe(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, TALK, NTALK, 4000, "en");
    rb_moment m;
    memset(&m, 0, sizeof m);
    m.first_cue = 23;
    m.last_cue = 27;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_moments_describe(f.t, &f.d, RB_MOMENTS_TITLE_DESCRIPTIVE, &m, &err), RB_OK);
    assert_string_equal(m.title, "Bitrate ladder: title encoding");
    assert_string_equal(m.narrative, "A bitrate ladder is the list of renditions we encode for each video.");
    assert_int_equal(m.nconcepts, 3);
    assert_string_equal(m.concepts[0], "bitrate ladder");
    assert_string_equal(m.concepts[1], "title encoding");
    assert_string_equal(m.concepts[2], "list of renditions");
    for (size_t k = 0; k < m.nconcepts; k++)
        assert_true(rb_moments_concept_ok(m.concepts[k]));
    rb_moment_clear(&m);
    m.first_cue = 5;
    m.last_cue = 60;
    assert_int_equal(rb_moments_describe(f.t, &f.d, 0, &m, &err), RB_ERR);
    fx_close(&f);
}

/* An hour of speech (900 cues): the bench number, and the rules at scale. */
static void test_hour(void **state)
{
    (void)state;
    char *vtt = make_vtt(TALK, NTALK, 900, 4000);
    fx f;
    fx_open_text(&f, vtt, "en");
    free(vtt);
    rb_moments_opts o = {.duration_ms = 3600000};
    int64_t t0 = rb_mono_ns();
    rb_moments m = find(&f, &o);
    int64_t t1 = rb_mono_ns();
    print_message("find-key-moments builtin, 900 cues / 1 h: %.2f ms, %zu moments\n",
                  (double)(t1 - t0) / 1e6, m.n);
    check_rules(&f, &m, 10, RB_MOMENTS_DEFAULT_MIN_MS, RB_MOMENTS_DEFAULT_MAX_MS);
    assert_int_equal(m.n, 10);
    rb_moments_free(&m);
    o.duration_ms = 3600001; /* beyond an hour: 25 by default */
    o.min_ms = 10000;
    o.max_ms = 120000;
    m = find(&f, &o);
    check_rules(&f, &m, 25, 10000, 120000);
    assert_int_equal(m.n, 25);
    rb_moments_free(&m);
    fx_close(&f);
}

/* Concepts are the document's noun phrases said in the moment, not RAKE
 * runs that cut a clause in half: "how many students make it to the end"
 * gives the run "many students make" (a plural subject and its verb),
 * which the summarize noun-phrase rules drop, while "completion rate" (said
 * all through the lesson talk) is a concept of the moment that says it. */
static void test_concepts_noun_phrases(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, LESSON_TALK, LESSON_TALK_LINES, 5000, "en");
    rb_moment m;
    memset(&m, 0, sizeof m);
    m.first_cue = 1;
    m.last_cue = 4;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_moments_describe(f.t, &f.d, RB_MOMENTS_TITLE_DESCRIPTIVE, &m, &err), RB_OK);
    int rate = 0;
    for (size_t k = 0; k < m.nconcepts; k++) {
        if (strcasestr(m.concepts[k], "students make") || strcasestr(m.concepts[k], "teachers love"))
            fail_msg("clause fragment as a concept: \"%s\"", m.concepts[k]);
        rate |= strcmp(m.concepts[k], "completion rate") == 0;
    }
    assert_true(rate);
    assert_null(strcasestr(m.title, "students make"));
    assert_non_null(strcasestr(m.title, "completion rate"));
    rb_moment_clear(&m);
    fx_close(&f);
}

/* With fewer than two document noun phrases in the moment, its own RAKE
 * runs stand in, except those the document's evidence marks as clauses:
 * "many students make" is headed by "make", said here mostly after "to"
 * and "we" (verb position), and "number teachers love" holds "teachers
 * love", a plural noun and its verb. */
static void test_fallback_drops_fragments(void **state)
{
    (void)state;
    static const char *const DEMO[] = {
        "We want to make lessons that students finish.",
        "The basics are views and watch time.",
        "But the number teachers love is completion, how many students make it to the end.",
        "We also track startup time, because a slow start kills engagement.",
        "So we make the first seconds fast.",
        "Teachers love short videos, and we make those too.",
    };
    fx f;
    fx_open(&f, DEMO, sizeof DEMO / sizeof DEMO[0], 6000, "en");
    rb_moment m;
    memset(&m, 0, sizeof m);
    m.first_cue = 1;
    m.last_cue = 3;
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_moments_describe(f.t, &f.d, RB_MOMENTS_TITLE_DESCRIPTIVE, &m, &err), RB_OK);
    for (size_t k = 0; k < m.nconcepts; k++) {
        if (strcasestr(m.concepts[k], "students make") || strcasestr(m.concepts[k], "teachers love"))
            fail_msg("clause fragment as a concept: \"%s\"", m.concepts[k]);
    }
    assert_int_equal(m.nconcepts, 2);
    assert_string_equal(m.concepts[0], "track startup time");
    assert_string_equal(m.concepts[1], "number teachers");
    assert_string_equal(m.title, "Track startup time: number teachers");
    rb_moment_clear(&m);
    fx_close(&f);
}

int main(void)
{
    talk = lines_fixture_load("tests/fixtures/moments/talk.txt");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_talk_defaults),
        cmocka_unit_test(test_talk_target_and_max),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_weights_table),
        cmocka_unit_test(test_strategy_changes_selection),
        cmocka_unit_test(test_title_styles),
        cmocka_unit_test(test_brand_terms),
        cmocka_unit_test(test_french),
        cmocka_unit_test(test_short_transcript),
        cmocka_unit_test(test_title_fit_and_words),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_concepts_noun_phrases),
        cmocka_unit_test(test_fallback_drops_fragments),
        cmocka_unit_test(test_hour),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    lines_fixture_free(&talk);
    return rc;
}

