/* test_transcript.c — track choice, cues, sentences, tokens and scope of the
 * shared transcript model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/stopwords.h"
#include "ai/transcript.h"
#include "common/buf.h"

/* ---- helpers ---------------------------------------------------------- */

static void set_track(rb_track *t, const char *id, const char *type, const char *status,
                      const char *text_type, const char *lang)
{
    memset(t, 0, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    snprintf(t->type, sizeof t->type, "%s", type);
    snprintf(t->status, sizeof t->status, "%s", status);
    snprintf(t->text_type, sizeof t->text_type, "%s", text_type);
    snprintf(t->language_code, sizeof t->language_code, "%s", lang);
}

static const char *pick(rb_asset *a, const char *lang, rb_err *err)
{
    const rb_track *t = NULL;
    if (rb_transcript_pick_track(a, lang, &t, err) != RB_OK) {
        assert_null(t);
        return NULL;
    }
    assert_non_null(t);
    return t->id;
}

static rb_transcript *build(const char *vtt_text, const char *lang, double s0, double s1)
{
    rb_vtt v;
    rb_err err;
    rb_transcript *t = NULL;
    assert_int_equal(rb_vtt_parse(vtt_text, strlen(vtt_text), &v, &err), RB_OK);
    int rc = rb_transcript_build(&v, lang, s0, s1, &t, &err);
    if (rc != RB_OK)
        fail_msg("build failed: %s", err.message);
    rb_vtt_free(&v);
    return t;
}

/* ---- track choice ----------------------------------------------------- */

static void test_pick_track(void **state)
{
    (void)state;
    rb_track tr[7];
    rb_asset a;
    rb_err err;
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "asset1");
    set_track(&tr[0], "v1", "video", "ready", "", "");
    set_track(&tr[1], "chap", "text", "ready", "chapters", "en");
    set_track(&tr[2], "fr_err", "text", "errored", "subtitles", "fr");
    set_track(&tr[3], "de", "text", "ready", "subtitles", "de");
    set_track(&tr[4], "enus", "text", "ready", "subtitles", "en-US");
    set_track(&tr[5], "engb", "text", "ready", "", "en-GB");
    set_track(&tr[6], "fr_del", "text", "deleted", "subtitles", "fr");
    a.tracks = tr;
    a.n_tracks = 7;

    /* Language given: exact tag first, then primary subtag. */
    assert_string_equal(pick(&a, "de", &err), "de");
    assert_string_equal(pick(&a, "DE-at", &err), "de");
    assert_string_equal(pick(&a, "en-GB", &err), "engb");
    assert_string_equal(pick(&a, "en", &err), "enus");
    /* Errored and deleted fr tracks do not count, chapters never does. */
    assert_null(pick(&a, "fr", &err));
    assert_int_equal(err.status, 422);
    assert_string_equal(err.type, "invalid_parameters");
    assert_string_equal(err.message,
                        "asset asset1 has no ready subtitles text track in language 'fr'");

    /* No language: English (the chapters track in en is skipped). */
    assert_string_equal(pick(&a, NULL, &err), "enus");
    assert_string_equal(pick(&a, "", &err), "enus");

    /* No English: the first ready subtitles track. */
    set_track(&tr[4], "enus", "text", "preparing", "subtitles", "en-US");
    set_track(&tr[5], "engb", "text", "errored", "", "en-GB");
    assert_string_equal(pick(&a, NULL, &err), "de");

    /* Nothing usable. */
    set_track(&tr[3], "de", "text", "deleted", "subtitles", "de");
    assert_null(pick(&a, NULL, &err));
    assert_int_equal(err.status, 422);
    assert_string_equal(err.type, "invalid_parameters");
    assert_string_equal(err.message, "asset asset1 has no ready text track (no language_code "
                                     "given, English preferred)");

    /* Audio-only asset with a single text track: that track, whatever the
     * language asked for. With a video track it is an error instead. */
    rb_track au[2];
    set_track(&au[0], "a1", "audio", "ready", "", "");
    set_track(&au[1], "t1", "text", "ready", "subtitles", "es");
    a.tracks = au;
    a.n_tracks = 2;
    assert_string_equal(pick(&a, "ja", &err), "t1");
    set_track(&au[0], "v1", "video", "ready", "", "");
    assert_null(pick(&a, "ja", &err));
    assert_int_equal(err.status, 422);
}

static void test_primary_lang(void **state)
{
    (void)state;
    char p[8];
    rb_transcript_primary_lang("pt-BR", p, sizeof p);
    assert_string_equal(p, "pt");
    rb_transcript_primary_lang("EN_us", p, sizeof p);
    assert_string_equal(p, "en");
    rb_transcript_primary_lang(NULL, p, sizeof p);
    assert_string_equal(p, "");
}

/* ---- sentences -------------------------------------------------------- */

static const char *THREE_CUES =
    "WEBVTT\n\n"
    "1\n00:00:01.000 --> 00:00:03.500\nWelcome to the show. Today we talk\n\n"
    "2\n00:00:03.500 --> 00:00:06.000\nabout network connections.\n\n"
    "3\n00:00:07.250 --> 00:00:09.000\nLet's begin!\n";

static void test_sentences_across_cues(void **state)
{
    (void)state;
    rb_transcript *t = build(THREE_CUES, "en", -1, -1);
    assert_int_equal(t->ncues, 3);
    assert_string_equal(t->cues[0].text, "Welcome to the show. Today we talk");
    assert_int_equal(t->nsentences, 3);

    assert_string_equal(t->sentences[0].text, "Welcome to the show.");
    assert_int_equal(t->sentences[0].start_ms, 1000);
    assert_int_equal(t->sentences[0].end_ms, 3500);
    assert_int_equal(t->sentences[0].first_cue, 0);
    assert_int_equal(t->sentences[0].last_cue, 0);

    /* Spans cues 0 and 1: start of the first, end of the last. */
    assert_string_equal(t->sentences[1].text, "Today we talk about network connections.");
    assert_int_equal(t->sentences[1].start_ms, 1000);
    assert_int_equal(t->sentences[1].end_ms, 6000);
    assert_int_equal(t->sentences[1].first_cue, 0);
    assert_int_equal(t->sentences[1].last_cue, 1);

    assert_string_equal(t->sentences[2].text, "Let's begin!");
    assert_int_equal(t->sentences[2].start_ms, 7250);
    assert_int_equal(t->sentences[2].end_ms, 9000);
    assert_int_equal(t->sentences[2].first_cue, 2);
    assert_int_equal(t->sentences[2].last_cue, 2);

    assert_int_equal(t->start_ms, 1000);
    assert_int_equal(t->end_ms, 9000);
    assert_string_equal(t->language, "en");
    rb_transcript_free(t);
}

/* "Mr.", "Mrs.", "Dr." and "e.g." do not end a sentence (the project's
 * list, after_abbreviation() in transcript.c). */
static void test_abbreviations(void **state)
{
    (void)state;
    rb_transcript *t = build("WEBVTT\n\n00:00.000 --> 00:05.000\n"
                             "Mr. Jones met Mrs. Brown. Bring tools, e.g. a hammer. "
                             "Dr. Smith arrived.\n",
                             "en", -1, -1);
    assert_int_equal(t->nsentences, 3);
    assert_string_equal(t->sentences[0].text, "Mr. Jones met Mrs. Brown.");
    assert_string_equal(t->sentences[1].text, "Bring tools, e.g. a hammer.");
    assert_string_equal(t->sentences[2].text, "Dr. Smith arrived.");
    rb_transcript_free(t);
}

/* ---- cue cleaning ----------------------------------------------------- */

static void test_tags_entities_speakers(void **state)
{
    (void)state;
    rb_transcript *t = build(
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.000\n[speaker_0] Hello <i>there</i>,\nTom &amp; Jerry.\n\n"
        "00:00:02.000 --> 00:00:03.000\n[speaker_0] It&#39;s <b>5 &lt; 6</b>&#x21;\n\n"
        "00:00:03.000 --> 00:00:04.000\n<v.loud Mary Ann>Yes <00:00:03.500>indeed\n\n"
        "00:00:04.000 --> 00:00:05.000\n[Music] &nbsp;plays &bogus; on\n\n"
        "00:00:05.000 --> 00:00:06.000\n<c.yellow></c>\n",
        "en", -1, -1);
    /* The last cue has no text and is dropped. */
    assert_int_equal(t->ncues, 4);
    assert_string_equal(t->cues[0].text, "Hello there, Tom & Jerry.");
    assert_string_equal(t->cues[0].speaker, "speaker_0");
    assert_string_equal(t->cues[1].text, "It's 5 < 6!");
    assert_string_equal(t->cues[1].speaker, "speaker_0");
    assert_string_equal(t->cues[2].text, "Yes indeed");
    assert_string_equal(t->cues[2].speaker, "Mary Ann");
    /* A sound description is text, not a speaker. */
    assert_string_equal(t->cues[3].text, "[Music] plays &bogus; on");
    assert_string_equal(t->cues[3].speaker, "");

    /* Same speaker: joined into one flow; a speaker change always breaks. */
    assert_int_equal(t->nsentences, 4);
    assert_string_equal(t->sentences[0].text, "Hello there, Tom & Jerry.");
    assert_string_equal(t->sentences[1].text, "It's 5 < 6!");
    assert_int_equal(t->sentences[1].first_cue, 1);
    assert_string_equal(t->sentences[2].text, "Yes indeed");
    assert_int_equal(t->sentences[2].start_ms, 3000);
    assert_int_equal(t->sentences[2].end_ms, 4000);
    assert_string_equal(t->sentences[3].text, "[Music] plays &bogus; on");
    rb_transcript_free(t);
}

/* Speaker names as edit-captions writes them are labels too; sound
 * descriptions and bare brackets are not. */
static void test_named_speakers(void **state)
{
    (void)state;
    rb_transcript *t = build("WEBVTT\n\n"
                             "00:01.000 --> 00:02.000\n[Host] Welcome back.\n\n"
                             "00:02.000 --> 00:03.000\n[Dr. Mary-Ann O'Neil] Thanks.\n\n"
                             "00:03.000 --> 00:04.000\n[Applause] Wow.\n\n"
                             "00:04.000 --> 00:05.000\n[Host]\n\n"
                             "00:05.000 --> 00:06.000\n[José] Hola.\n\n"
                             "00:06.000 --> 00:07.000\n[music playing] la la\n\n"
                             "00:07.000 --> 00:08.000\n[A b c d e] five words\n",
                             "en", -1, -1);
    assert_int_equal(t->ncues, 7);
    assert_string_equal(t->cues[0].speaker, "Host");
    assert_string_equal(t->cues[0].text, "Welcome back.");
    assert_string_equal(t->cues[1].speaker, "Dr. Mary-Ann O'Neil");
    assert_string_equal(t->cues[1].text, "Thanks.");
    assert_string_equal(t->cues[2].speaker, "");
    assert_string_equal(t->cues[2].text, "[Applause] Wow.");
    assert_string_equal(t->cues[3].text, "[Host]");
    assert_string_equal(t->cues[4].speaker, "Jos\u00e9");
    assert_string_equal(t->cues[5].text, "[music playing] la la");
    assert_string_equal(t->cues[6].speaker, "");
    rb_transcript_free(t);
}

/* Sentences end at every period in French and German too (ICU's own
 * suppression lists swallowed "blanc. Je" and "größer. Viele"), but not
 * after an abbreviation or an initial. */
static void test_sentences_fr_de_abbreviations(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *text;
        size_t n;
        const char *first, *last;
    } cases[] = {
        {"fr", "On peint la chambre en blanc. Je mange du pain avec M. Dupont. Bon.", 3,
         "On peint la chambre en blanc.", "Bon."},
        {"de", "Im Sommer wird er gr\u00f6\u00dfer. Viele kommen z.B. im Oktober. Bei Regen nicht.",
         3, "Im Sommer wird er gr\u00f6\u00dfer.", "Bei Regen nicht."},
        {"en", "I met Dr. Smith and J. R. Tolkien, e.g. yesterday. It was fun. No. Really.", 4,
         "I met Dr. Smith and J. R. Tolkien, e.g. yesterday.", "Really."},
        {"es", "Habl\u00e9 con la Sra. Garc\u00eda. Todo bien.", 2,
         "Habl\u00e9 con la Sra. Garc\u00eda.", "Todo bien."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char vtt[512];
        snprintf(vtt, sizeof vtt, "WEBVTT\n\n00:00.000 --> 00:05.000\n%s\n", cases[i].text);
        rb_transcript *t = build(vtt, cases[i].lang, -1, -1);
        assert_int_equal(t->nsentences, cases[i].n);
        assert_string_equal(t->sentences[0].text, cases[i].first);
        assert_string_equal(t->sentences[t->nsentences - 1].text, cases[i].last);
        rb_transcript_free(t);
    }
}

/* Malformed markup never reads past the text and degrades to literal text. */
static void test_markup_edge_cases(void **state)
{
    (void)state;
    rb_transcript *t = build("WEBVTT\n\n"
                             "00:01.000 --> 00:02.000\nA &#; b &#x110000; c &\n\n"
                             "00:02.000 --> 00:03.000\n[speaker] d [speaker_x! e\n\n"
                             "00:03.000 --> 00:04.000\nf &#233;t&eacute; <b unterminated\n",
                             "en", -1, -1);
    assert_int_equal(t->ncues, 3);
    assert_string_equal(t->cues[0].text, "A &#; b &#x110000; c &");
    assert_string_equal(t->cues[1].text, "[speaker] d [speaker_x! e");
    assert_string_equal(t->cues[1].speaker, "");
    assert_string_equal(t->cues[2].text, "f \u00e9t&eacute;");
    rb_transcript_free(t);
    /* Accented stop words are stored composed (NFC), as normalisation
     * produces them. */
    assert_int_equal(rb_stopwords_is_stop("fr", "\u00e9t\u00e9", strlen("\u00e9t\u00e9")), 1);
}

static void test_out_of_order_cues(void **state)
{
    (void)state;
    rb_transcript *t = build("WEBVTT\n\n00:05.000 --> 00:06.000\nSecond one.\n\n"
                             "00:01.000 --> 00:02.000\nFirst one.\n",
                             "en", -1, -1);
    assert_int_equal(t->ncues, 2);
    assert_string_equal(t->cues[0].text, "First one.");
    assert_int_equal(t->cues[1].start_ms, 5000);
    assert_string_equal(t->sentences[0].text, "First one.");
    rb_transcript_free(t);
}

/* ---- tokens ----------------------------------------------------------- */

static void test_tokens(void **state)
{
    (void)state;
    rb_transcript *t = build("WEBVTT\n\n00:00.000 --> 00:03.000\n"
                             "The STRASSE and Straße: running connections, don\u2019t 42 times!\n",
                             "en-US", -1, -1);
    assert_int_equal(t->nsentences, 1);
    const rb_transcript_sentence *s = &t->sentences[0];
    static const char *norm[] = {"the", "strasse", "and", "strasse", "running",
                                 "connections", "don't", "42", "times"};
    static const char *stem[] = {"the", "strass", "and", "strass", "run",
                                 "connect", "don't", "42", "time"};
    static const int stop[] = {1, 0, 1, 0, 0, 0, 1, 0, 0};
    assert_int_equal(s->ntokens, 9);
    for (size_t i = 0; i < 9; i++) {
        assert_string_equal(s->tokens[i].norm, norm[i]);
        assert_string_equal(s->tokens[i].stem, stem[i]);
        assert_int_equal(s->tokens[i].is_stop, stop[i]);
    }
    /* Offsets point at the word as written ("Straße" is 7 bytes). */
    assert_int_equal(s->tokens[3].offset, 16);
    assert_int_equal(s->tokens[3].len, 7);
    assert_memory_equal(s->text + s->tokens[3].offset, "Stra\xc3\x9f" "e", 7);
    rb_transcript_free(t);
}

static void test_tokenize_languages(void **state)
{
    (void)state;
    rb_transcript_token *tok = NULL;
    size_t n = 0;
    rb_err err;
    /* French: stop words and the French stemmer. */
    assert_int_equal(rb_transcript_tokenize("Les connexions rapides", "fr", &tok, &n, &err),
                     RB_OK);
    assert_int_equal(n, 3);
    assert_string_equal(tok[0].norm, "les");
    assert_int_equal(tok[0].is_stop, 1);
    assert_string_equal(tok[1].stem, "connex");
    assert_string_equal(tok[2].stem, "rapid");
    rb_transcript_tokens_free(tok, n);

    /* A language libstemmer does not know: no stemming, no stop words. */
    assert_int_equal(rb_transcript_tokenize("Running the connections", "xx", &tok, &n, &err),
                     RB_OK);
    assert_int_equal(n, 3);
    assert_string_equal(tok[0].stem, "running");
    assert_string_equal(tok[2].stem, "connections");
    assert_int_equal(tok[1].is_stop, 0);
    rb_transcript_tokens_free(tok, n);

    /* Punctuation only: no tokens. */
    assert_int_equal(rb_transcript_tokenize("?! ...", "en", &tok, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    assert_null(tok);

    /* Connector punctuation that ICU keeps as a word ("____", edit-captions'
     * masked word) is not a word; "snake_case" and "4K" are. */
    assert_int_equal(rb_transcript_tokenize("a [____] mess, ___ snake_case 4K", "en", &tok, &n,
                                            &err),
                     RB_OK);
    assert_int_equal(n, 4);
    assert_string_equal(tok[0].norm, "a");
    assert_string_equal(tok[1].norm, "mess");
    assert_string_equal(tok[2].norm, "snake_case");
    assert_string_equal(tok[3].norm, "4k");
    rb_transcript_tokens_free(tok, n);

    assert_int_equal(rb_stopwords_is_stop("en", "the", 3), 1);
    assert_int_equal(rb_stopwords_is_stop(NULL, "because", 7), 1);
    assert_int_equal(rb_stopwords_is_stop("en", "network", 7), 0);
    assert_int_equal(rb_stopwords_is_stop("de", "und", 3), 1);
    assert_int_equal(rb_stopwords_is_stop("es", "pero", 4), 1);
    assert_int_equal(rb_stopwords_has_lang("ja"), 0);
}

/* ---- scope ------------------------------------------------------------ */

static const char *SCOPED =
    "WEBVTT\n\n"
    "00:00:00.000 --> 00:00:10.000\nIntro part.\n\n"
    "00:00:08.000 --> 00:00:12.000\nOverlapping start.\n\n"
    "00:00:12.000 --> 00:00:20.000\nMiddle part.\n\n"
    "00:00:19.000 --> 00:00:21.000\nOverlapping end.\n\n"
    "00:00:21.000 --> 00:00:30.000\nOutro part.\n";

static void test_scope(void **state)
{
    (void)state;
    /* [10, 21): the cue ending exactly at 10 s is out (end exclusive of the
     * cue meets the inclusive start), the one starting at 21 s is out. */
    rb_transcript *t = build(SCOPED, "en", 10, 21);
    assert_int_equal(t->ncues, 3);
    assert_string_equal(t->cues[0].text, "Overlapping start.");
    assert_int_equal(t->cues[0].start_ms, 8000);  /* original timeline, not clipped */
    assert_int_equal(t->cues[0].end_ms, 12000);
    assert_string_equal(t->cues[2].text, "Overlapping end.");
    assert_int_equal(t->cues[2].end_ms, 21000);
    assert_int_equal(t->nsentences, 3);
    assert_int_equal(t->sentences[1].start_ms, 12000);
    assert_int_equal(t->start_ms, 8000);
    assert_int_equal(t->end_ms, 21000);
    rb_transcript_free(t);

    /* Only a start, only an end. */
    t = build(SCOPED, "en", 20.5, -1);
    assert_int_equal(t->ncues, 2);
    assert_string_equal(t->cues[0].text, "Overlapping end.");
    rb_transcript_free(t);
    t = build(SCOPED, "en", -1, 8);
    assert_int_equal(t->ncues, 1);
    assert_string_equal(t->cues[0].text, "Intro part.");
    rb_transcript_free(t);
}

static void test_scope_empty(void **state)
{
    (void)state;
    rb_vtt v;
    rb_err err;
    rb_transcript *t = (rb_transcript *)1;
    assert_int_equal(rb_vtt_parse(SCOPED, strlen(SCOPED), &v, &err), RB_OK);
    assert_int_equal(rb_transcript_build(&v, "en", 30, 40.5, &t, &err), RB_ERR);
    assert_null(t);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.type, "invalid_parameters");
    assert_string_equal(err.message, "output_steering.scope [30, 40.5) contains no captions");
    assert_int_equal(rb_transcript_build(&v, "en", 40, -1, &t, &err), RB_ERR);
    assert_string_equal(err.message, "output_steering.scope [40, end) contains no captions");
    rb_vtt_free(&v);

    const char *empty = "WEBVTT\n\nNOTE nothing here\n";
    assert_int_equal(rb_vtt_parse(empty, strlen(empty), &v, &err), RB_OK);
    assert_int_equal(rb_transcript_build(&v, NULL, -1, -1, &t, &err), RB_ERR);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.message, "the caption track has no text");
    rb_vtt_free(&v);
}

/* ---- size ------------------------------------------------------------- */

static void test_900_cues(void **state)
{
    (void)state;
    rb_buf b;
    rb_vtt v;
    rb_err err;
    rb_transcript *t = NULL;
    char ts0[20], ts1[20];
    struct timespec a, z;
    rb_buf_init(&b, 1 << 20);
    assert_int_equal(rb_buf_puts(&b, "WEBVTT\n"), RB_OK);
    for (int i = 0; i < 900; i++) {
        rb_vtt_format_time((int64_t)i * 2000, ts0, sizeof ts0);
        rb_vtt_format_time((int64_t)i * 2000 + 1900, ts1, sizeof ts1);
        assert_int_equal(rb_buf_appendf(&b, "\n%s --> %s\n[speaker_%d] Cue number %d talks "
                                            "about running connections and",
                                        ts0, ts1, (i / 10) % 2, i),
                         RB_OK);
        assert_int_equal(rb_buf_puts(&b, i % 3 == 2 ? " ends here.\n" : "\n"), RB_OK);
    }
    assert_int_equal(rb_vtt_parse(b.data, b.len, &v, &err), RB_OK);
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(rb_transcript_build(&v, "en", -1, -1, &t, &err), RB_OK);
    clock_gettime(CLOCK_MONOTONIC, &z);
    printf("900-cue transcript: %zu sentences built in %.2f ms\n", t->nsentences,
           (double)(z.tv_sec - a.tv_sec) * 1e3 + (double)(z.tv_nsec - a.tv_nsec) / 1e6);
    assert_int_equal(t->ncues, 900);
    /* Every third cue ends a sentence, and the speaker changes every ten
     * cues, which also starts a new sentence; count both. */
    size_t expect = 0;
    for (int i = 0; i < 900; i++) {
        int ends = i % 3 == 2;
        int speaker_change_next = i < 899 && (i / 10) % 2 != ((i + 1) / 10) % 2;
        if (ends || speaker_change_next || i == 899)
            expect++;
    }
    assert_int_equal(t->nsentences, expect);
    assert_int_equal(t->end_ms, 899 * 2000 + 1900);
    rb_transcript_free(t);
    rb_vtt_free(&v);
    rb_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_track),
        cmocka_unit_test(test_primary_lang),
        cmocka_unit_test(test_sentences_across_cues),
        cmocka_unit_test(test_abbreviations),
        cmocka_unit_test(test_tags_entities_speakers),
        cmocka_unit_test(test_named_speakers),
        cmocka_unit_test(test_sentences_fr_de_abbreviations),
        cmocka_unit_test(test_markup_edge_cases),
        cmocka_unit_test(test_out_of_order_cues),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_tokenize_languages),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_scope_empty),
        cmocka_unit_test(test_900_cues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
