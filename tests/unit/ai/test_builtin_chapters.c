/* test_builtin_chapters.c — the builtin chapters engine and the post-rules.
 *
 * Fixtures: tests/fixtures/chapters/three_topics.en.vtt (beehives from
 * 0.5 s, a bicycle repair from 116.78 s, sourdough bread from 224.36 s, end
 * 333.2 s) and deux_sujets.fr.vtt (a vegetable garden, then crêpes from
 * 58.5 s, end 113.4 s), three_topics_nopunct.en.vtt (the first without
 * punctuation), zwei_themen.de.vtt (tomatoes in the garden, then rye bread
 * from 53 s after "Also, jetzt zum Brot.", end 104.5 s; "So" opens four
 * sentences as the adverb "that way", never as a marker). The expected outputs are exact: the engine is
 * deterministic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "lesson_talk.h"
#include "ai/builtin_chapters.h"
#include "ai/transcript.h"
#include "ai/transcript_doc.h"
#include "common/clock.h"
#include "media/vtt.h"

typedef struct built {
    rb_transcript *t;
    rb_transcript_doc d;
} built;

static char *read_fixture(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/chapters/%s", ROBOTS_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void build_text(const char *text, size_t len, const char *lang, built *b)
{
    rb_vtt vtt;
    rb_err err;
    assert_int_equal(rb_vtt_parse(text, len, &vtt, &err), RB_OK);
    if (rb_transcript_build(&vtt, lang, -1, -1, &b->t, &err) != RB_OK)
        fail_msg("%s", err.message);
    rb_vtt_free(&vtt);
    assert_int_equal(rb_transcript_doc_build(b->t, &b->d, &err), RB_OK);
}

static void build_fixture(const char *name, const char *lang, built *b)
{
    size_t len;
    char *text = read_fixture(name, &len);
    build_text(text, len, lang, b);
    free(text);
}

static void built_free(built *b)
{
    rb_transcript_doc_free(&b->d);
    rb_transcript_free(b->t);
}

/* Every invariant of spec §5.3 plus ours: at least one chapter, the first
 * at 0, sorted, every start inside [0, duration), starts at least the
 * minimum spacing apart, titles non-empty, trimmed and distinct. */
static void assert_invariants(const rb_chapter_list *l, int64_t dur)
{
    assert_true(l->n >= 1);
    assert_int_equal(l->items[0].start_ms, 0);
    int64_t gap = rb_chapters_min_spacing_ms(dur);
    for (size_t i = 0; i < l->n; i++) {
        const char *t = l->items[i].title;
        assert_non_null(t);
        assert_true(t[0] != '\0');
        assert_true(t[0] != ' ' && t[strlen(t) - 1] != ' ');
        assert_true(strlen(t) <= RB_CHAPTER_TITLE_MAX);
        assert_true(l->items[i].start_ms >= 0 && l->items[i].start_ms < dur);
        if (i > 0)
            assert_true(l->items[i].start_ms - l->items[i - 1].start_ms >= gap);
        for (size_t j = 0; j < i; j++)
            assert_true(strcasecmp(t, l->items[j].title) != 0);
    }
}

static void run(const built *b, int style, int gran, int64_t dur, rb_chapter_list *l)
{
    rb_chapters_opts o = {.style = style, .granularity = gran, .duration_ms = dur};
    rb_err err;
    memset(l, 0, sizeof *l);
    if (rb_builtin_chapters(b->t, &b->d.doc, &o, l, &err) != RB_OK)
        fail_msg("%s", err.message);
    assert_invariants(l, rb_chapters_duration_ms(b->t, dur));
}

static void expect(const rb_chapter_list *l, const int64_t *starts, const char *const *titles,
                   size_t n)
{
    if (l->n != n) {
        for (size_t i = 0; i < l->n; i++)
            print_message("%lld %s\n", (long long)l->items[i].start_ms, l->items[i].title);
        fail_msg("%zu chapters, expected %zu", l->n, n);
    }
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(l->items[i].start_ms, starts[i]);
        assert_string_equal(l->items[i].title, titles[i]);
    }
}

/* The three topic changes are found at the exact sentence starts, and each
 * chapter's title comes from its own topic's words. */
static void test_three_topics_descriptive(void **state)
{
    (void)state;
    built b;
    build_fixture("three_topics.en.vtt", "en", &b);
    rb_chapter_list l;
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_BALANCED, 0, &l);
    static const int64_t starts[] = {0, 116780, 224360};
    static const char *const titles[] = {"Bees and honey", "Inner tube and brake pads",
                                         "Sourdough starter and dough"};
    expect(&l, starts, titles, 3);
    rb_chapters_free(&l);
    built_free(&b);
}

/* chapter_style changes only the title form, deterministically. */
static void test_styles(void **state)
{
    (void)state;
    built b;
    build_fixture("three_topics.en.vtt", "en", &b);
    static const int64_t starts[] = {0, 116780, 224360};
    static const char *const punchy[] = {"Bees", "Inner tube", "Sourdough starter"};
    static const char *const edu[] = {"Understanding bees", "Understanding inner tube",
                                      "Understanding sourdough starter"};
    static const char *const seo[] = {"Bees: honey, frame", "Inner tube: brake pads, tyre",
                                      "Sourdough starter: dough, loaf"};
    static const char *const neutral[] = {"Bees, honey", "Inner tube, brake pads",
                                          "Sourdough starter, dough"};
    rb_chapter_list l;
    run(&b, RB_CHAPTER_PUNCHY, RB_CHAPTER_BALANCED, 0, &l);
    expect(&l, starts, punchy, 3);
    for (size_t i = 0; i < l.n; i++)
        assert_true(strchr(l.items[i].title, ' ') == strrchr(l.items[i].title, ' ')); /* <= 2 words */
    rb_chapters_free(&l);
    run(&b, RB_CHAPTER_EDUCATIONAL, RB_CHAPTER_BALANCED, 0, &l);
    expect(&l, starts, edu, 3);
    rb_chapters_free(&l);
    run(&b, RB_CHAPTER_SEO, RB_CHAPTER_BALANCED, 0, &l);
    expect(&l, starts, seo, 3);
    rb_chapters_free(&l);
    run(&b, RB_CHAPTER_PLATFORM_NEUTRAL, RB_CHAPTER_BALANCED, 0, &l);
    expect(&l, starts, neutral, 3);
    rb_chapters_free(&l);
    built_free(&b);
}

/* chapter_granularity changes the count: fine splits the sourdough part
 * once more; coarse never gives more than balanced. */
static void test_granularity(void **state)
{
    (void)state;
    built b;
    build_fixture("three_topics.en.vtt", "en", &b);
    rb_chapter_list coarse, balanced, fine;
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_COARSE, 0, &coarse);
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_BALANCED, 0, &balanced);
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_FINE, 0, &fine);
    assert_int_equal(coarse.n, 3);
    assert_int_equal(balanced.n, 3);
    assert_int_equal(fine.n, 4);
    static const int64_t starts[] = {0, 116780, 224360, 295280};
    static const char *const titles[] = {"Bees and honey", "Inner tube and brake pads",
                                         "Sourdough starter and dough",
                                         "Best sourdough loaf and open crumb"};
    expect(&fine, starts, titles, 4);
    rb_chapters_free(&coarse);
    rb_chapters_free(&balanced);
    rb_chapters_free(&fine);
    built_free(&b);
}

/* The asset's duration bounds the starts: with a duration ending 16 s into
 * the third topic, no chapter starts at or after it nor closer to the end
 * than the minimum spacing. */
static void test_duration_bounds(void **state)
{
    (void)state;
    built b;
    build_fixture("three_topics.en.vtt", "en", &b);
    rb_chapter_list l;
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_BALANCED, 240000, &l);
    for (size_t i = 0; i < l.n; i++)
        assert_true(l.items[i].start_ms < 240000 - 30000);
    assert_true(l.n >= 2);
    rb_chapters_free(&l);
    /* A much longer asset (silence after the talk) keeps the same starts. */
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_BALANCED, 340000, &l);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.items[2].start_ms, 224360);
    rb_chapters_free(&l);
    /* A 30-minute asset whose captions stop after 5.5 minutes (music, then
     * silence): the count target grows, but the talk still has three parts. */
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_BALANCED, 1800000, &l);
    static const int64_t starts[] = {0, 116780, 224360};
    static const char *const titles[] = {"Bees and honey", "Inner tube and brake pads",
                                         "Sourdough starter and dough"};
    expect(&l, starts, titles, 3);
    rb_chapters_free(&l);
    built_free(&b);
}

/* German: the boundary is found at "Also, jetzt zum Brot." and every title
 * phrase ends on a capitalised word (German nouns are capitalised, and a
 * noun phrase ends on its noun), so no verb-final fragment such as "Grüne
 * Tomaten reifen" leads. */
static void test_german(void **state)
{
    (void)state;
    built b;
    build_fixture("zwei_themen.de.vtt", "de", &b);
    rb_chapter_list l;
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_FINE, 0, &l);
    static const int64_t starts[] = {0, 53000};
    static const char *const titles[] = {"Tomaten und Tomatenpflanzen",
                                         "Roggenbrot und Sauerteig"};
    expect(&l, starts, titles, 2);
    rb_chapters_free(&l);
    for (int gran = RB_CHAPTER_COARSE; gran <= RB_CHAPTER_FINE; gran++) {
        run(&b, RB_CHAPTER_DESCRIPTIVE, gran, 0, &l);
        for (size_t i = 0; i < l.n; i++) {
            /* The last word of each phrase: before " und " and at the end. */
            const char *t = l.items[i].title, *und = strstr(t, " und ");
            const char *ends[2] = {t + strlen(t), und ? und : NULL};
            for (int k = 0; k < 2; k++) {
                if (!ends[k])
                    continue;
                const char *w = ends[k];
                while (w > t && w[-1] != ' ')
                    w--;
                utf8proc_int32_t cp;
                assert_true(utf8proc_iterate((const utf8proc_uint8_t *)w, -1, &cp) > 0);
                if (!utf8proc_isupper(cp))
                    fail_msg("title \"%s\": a phrase ends on a lower-case word", t);
            }
        }
        rb_chapters_free(&l);
    }
    built_free(&b);
}

/* English verbs without a tagger: "still" and "surprises" follow the
 * subject pronoun "it" in every use, so "still surprises (people)" is a
 * verb phrase and yields to noun phrases in every style. */
static void test_verb_phrase_yields(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "Welcome back to the show.", "Today my guest keeps bees on city roofs.",
        "It still surprises people that bees thrive downtown.", "The rooftop hives face south.",
        "Honestly, it still surprises me too.", "Each rooftop hive holds about forty thousand bees.",
        "City bees find linden trees and balcony flowers.",
        "Rooftop hives need a water source nearby.", NULL};
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "WEBVTT\n\n");
    for (int i = 0; lines[i]; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "00:00:%02d.500 --> 00:00:%02d.500\n%s\n\n", i * 5, i * 5 + 4,
                              lines[i]);
    assert_true(n < sizeof text);
    built b;
    build_text(text, n, "en", &b);
    for (int style = RB_CHAPTER_DESCRIPTIVE; style <= RB_CHAPTER_PLATFORM_NEUTRAL; style++) {
        rb_chapter_list l;
        run(&b, style, RB_CHAPTER_BALANCED, 0, &l);
        assert_int_equal(l.n, 1);
        if (strstr(l.items[0].title, "urprises"))
            fail_msg("style %d: \"%s\"", style, l.items[0].title);
        if (style == RB_CHAPTER_PUNCHY)
            assert_string_equal(l.items[0].title, "Rooftop hives");
        rb_chapters_free(&l);
    }
    built_free(&b);
}

/* French: the same algorithm with French stop words, stemmer, discourse
 * markers ("Bon, maintenant") and the French templates. */
static void test_french(void **state)
{
    (void)state;
    built b;
    build_fixture("deux_sujets.fr.vtt", "fr", &b);
    rb_chapter_list l;
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_FINE, 0, &l);
    static const int64_t starts[] = {0, 58500};
    static const char *const titles[] = {"Potager et salades", "Crêpes et poêle"};
    expect(&l, starts, titles, 2);
    rb_chapters_free(&l);
    rb_chapters_opts o = {.style = RB_CHAPTER_EDUCATIONAL, .granularity = RB_CHAPTER_FINE};
    rb_err err;
    memset(&l, 0, sizeof l);
    assert_int_equal(rb_builtin_chapters(b.t, &b.d.doc, &o, &l, &err), RB_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[1].title, "Comprendre crêpes");
    rb_chapters_free(&l);
    /* A 113 s video is one balanced chapter. */
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_BALANCED, 0, &l);
    assert_int_equal(l.n, 1);
    rb_chapters_free(&l);
    built_free(&b);
}

/* Title phrases are the document's noun phrases salient in the chapter,
 * not RAKE runs of the chapter that cut a clause ("track startup time", a
 * verb and its object, was the companion before): the companions are
 * nouns ("lesson"), and "completion rate", said all through, leads. */
static void test_noun_phrase_titles(void **state)
{
    (void)state;
    const char *const *lines = LESSON_TALK;
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "WEBVTT\n\n");
    for (int i = 0; lines[i]; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "00:00:%02d.000 --> 00:00:%02d.500\n%s\n\n", i * 5, i * 5 + 4,
                              lines[i]);
    assert_true(n < sizeof text);
    built b;
    build_text(text, n, "en", &b);
    rb_chapter_list l;
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_COARSE, 0, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].title, "Completion rate and lesson");
    rb_chapters_free(&l);
    run(&b, RB_CHAPTER_SEO, RB_CHAPTER_COARSE, 0, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].title, "Completion rate: lesson, startup");
    assert_null(strstr(l.items[0].title, "track"));
    rb_chapters_free(&l);
    built_free(&b);
}

/* Tiny inputs: one sentence gives one chapter at 0 titled from its words;
 * a cue without any word gives its own text. */
static void test_tiny(void **state)
{
    (void)state;
    const char *one = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
                      "The compiler turns source code into machine code.\n";
    built b;
    build_text(one, strlen(one), "en", &b);
    rb_chapter_list l;
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_FINE, 0, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].title, "Source code and compiler");
    rb_chapters_free(&l);
    built_free(&b);
    const char *music = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n\xe2\x99\xaa \xe2\x99\xaa\n";
    build_text(music, strlen(music), "en", &b);
    run(&b, RB_CHAPTER_PUNCHY, RB_CHAPTER_BALANCED, 0, &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0].title, "\xe2\x99\xaa \xe2\x99\xaa");
    rb_chapters_free(&l);
    built_free(&b);
}

/* Captions without punctuation (three_topics_nopunct.en.vtt: the same talk,
 * every . , ! ? removed) reach the engine as a handful of very long
 * "sentences"; those are cut at their cues, so the topic changes are found
 * at the same cue starts. */
static void test_no_punctuation(void **state)
{
    (void)state;
    built b;
    build_fixture("three_topics_nopunct.en.vtt", "en", &b);
    assert_true(b.t->nsentences < 10);
    rb_chapter_list l;
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_BALANCED, 0, &l);
    static const int64_t starts[] = {0, 116780, 224360};
    static const char *const titles[] = {"Bees and honey", "Inner tube and brake pads",
                                         "Sourdough starter and dough"};
    expect(&l, starts, titles, 3);
    rb_chapters_free(&l);
    built_free(&b);
}

/* The post-rules, one by one, on a hand-made list. */
static void test_repair(void **state)
{
    (void)state;
    rb_chapter_list l = {0};
    rb_err err;
    struct {
        int64_t s;
        const char *t;
    } in[] = {
        {200000, "  Setup \n and\tinstall  "}, /* trimmed, white space collapsed */
        {15000, "Intro"},                       /* first after sorting: forced to 0 */
        {600000, "Past the end"},               /* >= duration: dropped */
        {-5, "Negative"},                       /* dropped */
        {210000, "Too close"},                  /* < 30 s after 200 s: dropped */
        {400000, "setup AND install"},          /* duplicate title (case): " (2)" */
        {300000, "   "},                        /* empty title: dropped */
        {450000, "Setup and install"},          /* duplicate again: " (3)" */
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        assert_int_equal(rb_chapters_add(&l, in[i].s, in[i].t, strlen(in[i].t), &err), RB_OK);
    assert_int_equal(rb_chapters_repair(&l, 500000, &err), RB_OK);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.items[0].start_ms, 0);
    assert_string_equal(l.items[0].title, "Intro");
    assert_int_equal(l.items[1].start_ms, 200000);
    assert_string_equal(l.items[1].title, "Setup and install");
    assert_int_equal(l.items[2].start_ms, 400000);
    assert_string_equal(l.items[2].title, "setup AND install (2)");
    assert_int_equal(l.items[3].start_ms, 450000);
    assert_string_equal(l.items[3].title, "Setup and install (3)");
    assert_invariants(&l, 500000);
    rb_chapters_free(&l);

    /* Equal starts: the earlier entry wins (the sort is stable). */
    assert_int_equal(rb_chapters_add(&l, 0, "A", 1, &err), RB_OK);
    assert_int_equal(rb_chapters_add(&l, 60000, "B", 1, &err), RB_OK);
    assert_int_equal(rb_chapters_add(&l, 60000, "C", 1, &err), RB_OK);
    assert_int_equal(rb_chapters_repair(&l, 120000, &err), RB_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[1].title, "B");
    rb_chapters_free(&l);

    /* Nothing valid left: processing_error. */
    assert_int_equal(rb_chapters_add(&l, 900000, "Late", 4, &err), RB_OK);
    assert_int_equal(rb_chapters_add(&l, 0, "", 0, &err), RB_OK);
    assert_int_equal(rb_chapters_repair(&l, 120000, &err), RB_ERR);
    assert_string_equal(err.type, "processing_error");
    assert_int_equal(l.n, 0);
    rb_chapters_free(&l);

    /* Titles are cut to RB_CHAPTER_TITLE_MAX bytes on a character boundary. */
    char longt[600];
    for (size_t i = 0; i + 2 < sizeof longt; i += 2)
        memcpy(longt + i, "\xc3\xa9", 2); /* é */
    longt[598] = '\0';
    assert_int_equal(rb_chapters_add(&l, 0, longt, strlen(longt), &err), RB_OK);
    assert_int_equal(rb_chapters_repair(&l, 1000, &err), RB_OK);
    assert_int_equal(strlen(l.items[0].title), RB_CHAPTER_TITLE_MAX);
    rb_chapters_free(&l);
}

static void test_spacing_and_parse(void **state)
{
    (void)state;
    assert_int_equal(rb_chapters_min_spacing_ms(60000), 30000);
    assert_int_equal(rb_chapters_min_spacing_ms(3600000), 72000);
    assert_int_equal(rb_chapter_style_parse("seo"), RB_CHAPTER_SEO);
    assert_int_equal(rb_chapter_style_parse("platform_neutral"), RB_CHAPTER_PLATFORM_NEUTRAL);
    assert_int_equal(rb_chapter_style_parse(NULL), RB_CHAPTER_DESCRIPTIVE);
    assert_int_equal(rb_chapter_granularity_parse("fine"), RB_CHAPTER_FINE);
    assert_int_equal(rb_chapter_granularity_parse("coarse"), RB_CHAPTER_COARSE);
    assert_int_equal(rb_chapter_granularity_parse("bogus"), RB_CHAPTER_BALANCED);
}

/* An hour of talk (the fixture repeated eleven times, times shifted):
 * deterministic, invariants hold, and the engine time is printed. */
static void test_hour_determinism(void **state)
{
    (void)state;
    size_t len;
    char *one = read_fixture("three_topics.en.vtt", &len);
    rb_vtt vtt;
    rb_err err;
    assert_int_equal(rb_vtt_parse(one, len, &vtt, &err), RB_OK);
    size_t cap = 1 << 21, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text, cap, "WEBVTT\n\n");
    for (int r = 0; r < 11; r++)
        for (size_t i = 0; i < vtt.nblocks; i++) {
            const rb_vtt_block *k = &vtt.blocks[i];
            if (k->kind != RB_VTT_CUE)
                continue;
            int64_t s = k->start_ms + r * 334000LL, e = k->end_ms + r * 334000LL;
            n += (size_t)snprintf(text + n, cap - n,
                                  "%02lld:%02lld:%02lld.%03lld --> %02lld:%02lld:%02lld.%03lld\n%s\n\n",
                                  (long long)(s / 3600000), (long long)(s / 60000 % 60),
                                  (long long)(s / 1000 % 60), (long long)(s % 1000),
                                  (long long)(e / 3600000), (long long)(e / 60000 % 60),
                                  (long long)(e / 1000 % 60), (long long)(e % 1000),
                                  k->text);
            assert_true(n < cap);
        }
    rb_vtt_free(&vtt);
    free(one);
    built b;
    build_text(text, n, "en", &b);
    free(text);
    rb_chapter_list a, c;
    int64_t t0 = rb_mono_ns();
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_BALANCED, 0, &a);
    int64_t t1 = rb_mono_ns();
    print_message("builtin chapters, %zu sentences (%.1f min): %.2f ms, %zu chapters\n",
                  b.t->nsentences, (double)b.t->end_ms / 60000.0, (double)(t1 - t0) / 1e6, a.n);
    run(&b, RB_CHAPTER_DESCRIPTIVE, RB_CHAPTER_BALANCED, 0, &c);
    assert_int_equal(a.n, c.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.items[i].start_ms, c.items[i].start_ms);
        assert_string_equal(a.items[i].title, c.items[i].title);
    }
    /* Repeated topics: every bicycle part is found again (within a sentence). */
    size_t found = 0;
    for (size_t i = 0; i < a.n; i++)
        for (int r = 0; r < 11; r++)
            found += a.items[i].start_ms == 116780 + r * 334000LL;
    assert_true(found >= 9);
    rb_chapters_free(&a);
    rb_chapters_free(&c);
    built_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_topics_descriptive),
        cmocka_unit_test(test_styles),
        cmocka_unit_test(test_granularity),
        cmocka_unit_test(test_duration_bounds),
        cmocka_unit_test(test_french),
        cmocka_unit_test(test_german),
        cmocka_unit_test(test_verb_phrase_yields),
        cmocka_unit_test(test_noun_phrase_titles),
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_no_punctuation),
        cmocka_unit_test(test_repair),
        cmocka_unit_test(test_spacing_and_parse),
        cmocka_unit_test(test_hour_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
