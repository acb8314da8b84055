/* fuzz_textwf.c — libFuzzer target for the builtin summarize,
 * generate-chapters and find-key-moments engines on untrusted transcripts:
 * the tag ranking (RAKE cuts, preposition terms, casing, German compounds,
 * the corpus weight) and the noun-phrase titles and concepts built from it
 * rewrite words in bounded buffers.
 *
 * Input: the first byte picks the language (en, fr, de, es) and the options
 * (tag count, chapter style and granularity, moment title style); the rest is
 * the transcript, one cue of 3 s per line (lines holding "-->" or '\r' are
 * left out so the captions always parse). The installed thesauri and
 * background corpora are used, as in production.
 *
 * Checks on every input the engines accept: summarize gives a non-empty
 * title and description and at most tag_count unique, non-empty tags;
 * chapters start at 0, rise by at least the minimum spacing, stay inside the
 * duration and have non-empty titles of at most RB_CHAPTER_TITLE_MAX bytes;
 * moments are ordered, do not overlap, score in [0, 1], have 3-8-word titles
 * and 2-5-word concepts. An engine may fail only with status 500 (memory) or,
 * for chapters, "processing_error" when nothing is left. Any violation calls
 * abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ai/builtin_chapters.h"
#include "ai/builtin_moments.h"
#include "ai/builtin_summarize.h"
#include "ai/transcript.h"
#include "ai/transcript_doc.h"
#include "common/err.h"
#include "media/vtt.h"

#include "lines_vtt.h"

#define MAX_LINES 200
#define MAX_LINE 400

static void check_summarize(const rb_transcript *t, const rb_transcript_doc *d, size_t tags)
{
    rb_summarize_opts o = {0};
    o.tag_count = tags;
    rb_summarize_result r;
    memset(&r, 0, sizeof r);
    rb_err err;
    rb_err_clear(&err);
    if (rb_builtin_summarize(t, d, &o, &r, &err) != RB_OK) {
        if (err.status != 500)
            abort();
        return;
    }
    if (!r.title || !r.title[0] || !r.description || !r.description[0] || r.ntags > tags)
        abort();
    for (size_t i = 0; i < r.ntags; i++) {
        if (!r.tags[i] || !r.tags[i][0])
            abort();
        for (size_t k = 0; k < i; k++)
            if (strcasecmp(r.tags[i], r.tags[k]) == 0)
                abort();
    }
    rb_summarize_result_free(&r);
}

static void check_chapters(const rb_transcript *t, const rb_transcript_doc *d, int style,
                           int granularity)
{
    rb_chapters_opts o = {.style = style, .granularity = granularity};
    rb_chapter_list l;
    memset(&l, 0, sizeof l);
    rb_err err;
    rb_err_clear(&err);
    if (rb_builtin_chapters(t, &d->doc, &o, &l, &err) != RB_OK) {
        if (err.status != 500 && strcmp(err.type, "processing_error") != 0)
            abort();
        rb_chapters_free(&l);
        return;
    }
    int64_t dur = rb_chapters_duration_ms(t, 0), gap = rb_chapters_min_spacing_ms(dur);
    if (l.n == 0 || l.items[0].start_ms != 0)
        abort();
    for (size_t i = 0; i < l.n; i++) {
        const char *ti = l.items[i].title;
        if (!ti || !ti[0] || strlen(ti) > RB_CHAPTER_TITLE_MAX + 8 || l.items[i].start_ms >= dur)
            abort();
        if (i > 0 && l.items[i].start_ms - l.items[i - 1].start_ms < gap)
            abort();
    }
    rb_chapters_free(&l);
}

static void check_moments(const rb_transcript *t, const rb_transcript_doc *d, int title_style)
{
    rb_moments_opts o = {0};
    o.title_style = title_style;
    rb_moments m;
    memset(&m, 0, sizeof m);
    rb_err err;
    rb_err_clear(&err);
    if (rb_moments_find(t, d, &o, &m, &err) != RB_OK) {
        if (err.status != 500)
            abort();
        return;
    }
    for (size_t i = 0; i < m.n; i++) {
        const rb_moment *x = &m.items[i];
        size_t tw = rb_moments_word_count(x->title);
        if (!(x->score >= 0.0 && x->score <= 1.0) || tw < 3 || tw > 8 || x->end_ms < x->start_ms)
            abort();
        if (i > 0 && x->start_ms < m.items[i - 1].end_ms)
            abort();
        for (size_t k = 0; k < x->nconcepts; k++)
            if (!rb_moments_concept_ok(x->concepts[k]))
                abort();
    }
    rb_moments_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = {"en", "fr", "de", "es"};
    if (size < 2)
        return 0;
    unsigned sel = data[0];
    const char *lang = langs[sel % 4];
    size_t vlen = 0;
    char *v = fuzz_lines_vtt((const char *)data + 1, size - 1, MAX_LINES, MAX_LINE, 3, &vlen);
    if (!v)
        return 0;
    rb_vtt vtt;
    rb_err err;
    rb_err_clear(&err);
    if (rb_vtt_parse(v, vlen, &vtt, &err) != RB_OK) {
        free(v);
        return 0; /* invalid UTF-8 in the words: the ingest refuses it too */
    }
    rb_transcript *t = NULL;
    rb_transcript_doc d;
    if (rb_transcript_build(&vtt, lang, -1, -1, &t, &err) == RB_OK && t->ncues > 0 &&
        rb_transcript_doc_build(t, &d, &err) == RB_OK) {
        check_summarize(t, &d, 1 + (sel >> 2) % 12);
        check_chapters(t, &d, (int)((sel >> 2) % 5), (int)((sel >> 5) % 3));
        check_moments(t, &d, (int)((sel >> 4) % 3));
        rb_transcript_doc_free(&d);
    }
    rb_transcript_free(t);
    rb_vtt_free(&vtt);
    free(v);
    return 0;
}
