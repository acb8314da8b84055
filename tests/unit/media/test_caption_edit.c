/* test_caption_edit.c — exact input -> output cases for every caption edit
 * rule, the counts they report, and the VTT-level pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/profanity.h"
#include "media/caption_edit.h"
#include "media/vtt.h"

/* Runs the edits on text and checks the exact output and the count. */
static void expect(const char *text, const rb_caption_edits *e, const char *want, int64_t want_count)
{
    char *out = NULL;
    int64_t count = 0;
    rb_err err;
    memset(&err, 0, sizeof err);
    int rc = rb_caption_edit_text(text, e, &out, &count, &err);
    if (rc != RB_OK)
        fail_msg("edit failed on \"%s\": %s", text, err.message);
    if (strcmp(out, want) != 0 || count != want_count)
        fail_msg("input  \"%s\"\nwant   \"%s\" (%lld)\ngot    \"%s\" (%lld)", text, want,
                 (long long)want_count, out, (long long)count);
    free(out);
}

/* One replacement rule. */
static void rep(const char *text, const char *find, const char *replace, int cs, const char *want,
                int64_t want_count)
{
    rb_replacement r = { find, replace, cs };
    rb_caption_edits e;
    rb_caption_edits_init(&e);
    e.replacements = &r;
    e.nreplacements = 1;
    expect(text, &e, want, want_count);
}

/* Censoring with the built-in lexicon only. */
static void cen(const char *text, enum rb_censor_mode mode, const char *want, int64_t want_count)
{
    rb_caption_edits e;
    rb_caption_edits_init(&e);
    e.censor = 1;
    e.is_profane = rb_profanity_detect_folded;
    e.mode = mode;
    expect(text, &e, want, want_count);
}

static void test_replace_case_insensitive(void **state)
{
    (void)state;
    rep("I'm gonna go", "gonna", "going to", 0, "I'm going to go", 1);
    rep("Gonna GONNA gonna gOnNa", "gonna", "going to", 0, "going to going to going to going to", 4);
    rep("nothing here", "gonna", "going to", 0, "nothing here", 0);
    /* Full case folding: sharp s against SS, both directions, accents kept distinct. */
    rep("STRASSE und Stra\xc3\x9f" "e", "stra\xc3\x9f" "e", "road", 0, "road und road", 2);
    rep("Stra\xc3\x9f" "e", "STRASSE", "road", 0, "road", 1);
    rep("\xc3\x89" "COLE \xc3\xa9" "cole", "\xc3\xa9" "cole", "school", 0, "school school", 2);
    rep("ecole", "\xc3\xa9" "cole", "school", 0, "ecole", 0);
    /* Precomposed and decomposed forms are the same text. */
    rep("cafe\xcc\x81 caf\xc3\xa9", "CAF\xc3\x89", "bar", 0, "bar bar", 2);
    /* Greek final sigma folds with sigma. */
    rep("\xce\x9f\xce\x94\xce\x9f\xce\xa3 x", "\xce\xbf\xce\xb4\xce\xbf\xcf\x82", "road", 0, "road x", 1);
    /* A match may not end inside one character: "stras" is not half of "ß". */
    rep("Stra\xc3\x9f" "e", "stras", "x", 0, "Stra\xc3\x9f" "e", 0);
}

static void test_replace_case_sensitive(void **state)
{
    (void)state;
    rep("Mucks and mucks and MUCKS", "Mucks", "Mux", 1, "Mux and mucks and MUCKS", 1);
    rep("STRASSE Stra\xc3\x9f" "e", "Stra\xc3\x9f" "e", "road", 1, "STRASSE road", 1);
}

static void test_replace_boundaries(void **state)
{
    (void)state;
    rep("hello shell hell, hell! Hell", "hell", "heck", 0, "hello shell heck, heck! heck", 3);
    rep("damn, damn! damn? (damn) damned", "damn", "darn", 0, "darn, darn! darn? (darn) damned", 4);
    rep("cat cats scat cat's", "cat", "dog", 0, "dog cats scat dog's", 2);
    rep("R2D2 D2 2D2", "D2", "X", 0, "R2D2 X 2D2", 1);
    /* Letters of other scripts are letters too. */
    rep("\xd0\xb4" "cat cat\xd0\xb4 cat", "cat", "dog", 0, "\xd0\xb4" "cat cat\xd0\xb4 dog", 1);
    /* A combining mark after the word makes it a different word. */
    rep("cafe\xcc\x81", "cafe", "x", 0, "cafe\xcc\x81", 0);
    /* A find that starts or ends with punctuation is matched as given. */
    rep("Dr. Who and Dr.No", "Dr.", "Doctor", 0, "Doctor Who and DoctorNo", 2);
    rep("x#tag #tag", "#tag", "T", 0, "xT T", 2);
    rep("wow!!! wow!", "!!", "!", 0, "wow!! wow!", 1);
}

static void test_replace_across_lines(void **state)
{
    (void)state;
    /* The replacement goes where the match began; the swallowed line break
     * comes back at the next space on the same line. */
    rep("I'm going\nto the shop", "going to", "gonna", 0, "I'm gonna\nthe shop", 1);
    rep("we are\ngoing to", "are going to", "will", 0, "we will", 1);
    rep("a  b\tc", "b c", "X", 0, "a  X", 1);
    rep("New\nYork and new york", "new york", "NYC", 0, "NYC\nand NYC", 2);
    /* Deleting a phrase that spans a line break. */
    rep("foo bar\nbaz qux", "bar baz", "", 0, "foo\nqux", 1);
}

static void test_replace_tags(void **state)
{
    (void)state;
    rep("<i>gonna</i> go", "gonna", "going to", 0, "<i>going to</i> go", 1);
    rep("<v gonna>gonna</v>", "gonna", "going to", 0, "<v gonna>going to</v>", 1);
    rep("<c.gonna>x</c>", "gonna", "y", 0, "<c.gonna>x</c>", 0);
    /* Matches never span a tag, and tags do not create word boundaries. */
    rep("<i>oh</i> my", "oh my", "wow", 0, "<i>oh</i> my", 0);
    rep("hell<i>o</i>", "hell", "heck", 0, "hell<i>o</i>", 0);
    rep("<00:00:01.000>gonna", "gonna", "going to", 0, "<00:00:01.000>going to", 1);
    /* Character references are matched as characters; replace is plain text. */
    rep("Tom &amp; Jerry", "Tom & Jerry", "T&J", 0, "T&amp;J", 1);
    rep("a &lt; b", "<", "less than", 0, "a less than b", 1);
    rep("x", "x", "<b>y</b>", 0, "&lt;b&gt;y&lt;/b&gt;", 1);
    rep("x", "x", "two\nlines", 0, "two lines", 1);
    rep("Fish&nbsp;chips", "fish chips", "F&C", 0, "F&amp;C", 1);
}

static void test_replace_delete(void **state)
{
    (void)state;
    rep("So um, I think um we should um", "um", "", 0, "So, I think we should", 3);
    rep("Um I think", "um", "", 0, "I think", 1);
    rep("um", "um", "", 0, "", 1);
    rep("um\nreally", "um", "", 0, "really", 1);
    rep("really\num", "um", "", 0, "really", 1);
    rep("a\num\nb", "um", "", 0, "a\nb", 1);
    rep("well um.", "um", "", 0, "well.", 1);
    rep("<i>um</i> yes", "um", "", 0, "<i></i>yes", 1);
    rep("<i>um</i>\nyes", "um", "", 0, "<i></i>yes", 1);
    /* Spacing away from a deletion is left as the author wrote it. */
    rep("a  b um c", "um", "", 0, "a  b c", 1);
}

static void test_replace_chain_and_count(void **state)
{
    (void)state;
    rb_replacement r[] = { { "a", "b", 0 }, { "b", "c", 0 } };
    rb_caption_edits e;
    rb_caption_edits_init(&e);
    e.replacements = r;
    e.nreplacements = 2;
    /* Rules apply in order, each on the previous result: 1 + 2 substitutions. */
    expect("a b", &e, "c c", 3);
    /* A replacement is not rescanned by its own rule. */
    rep("aa", "a", "aa", 1, "aa", 0);
    rep("a a", "a", "a a", 1, "a a a a", 2);
    /* Empty find is no rule. */
    rep("abc", "", "x", 0, "abc", 0);
}

static void test_speakers(void **state)
{
    (void)state;
    rb_speaker_replacement s[] = { { "speaker_0", "Alice" }, { "speaker_1", "Bob" } };
    rb_caption_edits e;
    rb_caption_edits_init(&e);
    e.speakers = s;
    e.nspeakers = 2;
    expect("[speaker_0] Hello speaker_0", &e, "[Alice] Hello speaker_0", 1);
    expect("[speaker_0] Hi\n[speaker_1] Yo", &e, "[Alice] Hi\n[Bob] Yo", 2);
    expect("Hello [speaker_0]", &e, "Hello [speaker_0]", 0);
    expect("[Speaker_0] hi", &e, "[Speaker_0] hi", 0);
    expect("[speaker_01] hi", &e, "[speaker_01] hi", 0);
    expect("<v A>[speaker_0] hi", &e, "<v A>[Alice] hi", 1);
    expect("  [speaker_1]: hi", &e, "  [Bob]: hi", 1);
    expect("[speaker_0]", &e, "[Alice]", 1);
    expect("[speaker_0 hi", &e, "[speaker_0 hi", 0);

    /* Swapping two labels: the first matching rule wins, no chaining. */
    rb_speaker_replacement sw[] = { { "A", "B" }, { "B", "A" } };
    e.speakers = sw;
    expect("[A] one\n[B] two", &e, "[B] one\n[A] two", 2);
}

static void test_censor_modes(void **state)
{
    (void)state;
    cen("What the fuck is this shit?", RB_CENSOR_BLANK, "What the [____] is this [____]?", 2);
    cen("What the fuck is this shit?", RB_CENSOR_MASK, "What the ???? is this ?????", 2);
    cen("What the fuck is this shit?", RB_CENSOR_REMOVE, "What the is this?", 2);
    /* Blank is always four underscores, whatever the length. */
    cen("motherfuckers", RB_CENSOR_BLANK, "[____]", 1);
    cen("ass", RB_CENSOR_BLANK, "[____]", 1);
    cen("Shitty FUCKING Bullshitting", RB_CENSOR_MASK, "?????? ??????? ????????????", 3);
    cen("nothing to see", RB_CENSOR_BLANK, "nothing to see", 0);
}

static void test_censor_remove_cleanup(void **state)
{
    (void)state;
    cen("What the fuck, man", RB_CENSOR_REMOVE, "What the, man", 1);
    cen("This is fucking great", RB_CENSOR_REMOVE, "This is great", 1);
    cen("fuck", RB_CENSOR_REMOVE, "", 1);
    cen("Oh shit!", RB_CENSOR_REMOVE, "Oh!", 1);
    cen("shit\nI forgot", RB_CENSOR_REMOVE, "I forgot", 1);
    cen("I forgot\nshit", RB_CENSOR_REMOVE, "I forgot", 1);
    cen("I forgot \nshit", RB_CENSOR_REMOVE, "I forgot", 1);
    cen("damn damn damn", RB_CENSOR_REMOVE, "", 3);
    cen("one\ndamn shit\ntwo", RB_CENSOR_REMOVE, "one\ntwo", 2);
    cen("Well, damn .", RB_CENSOR_REMOVE, "Well,.", 1);
    cen("  indented damn", RB_CENSOR_REMOVE, "  indented", 1);
    cen("<i>damn</i>", RB_CENSOR_REMOVE, "", 1);
}

static void test_censor_boundaries_inflections(void **state)
{
    (void)state;
    cen("damn, damn! DAMN", RB_CENSOR_BLANK, "[____], [____]! [____]", 3);
    cen("fuckin' hell", RB_CENSOR_BLANK, "[____] hell", 1);
    cen("fuckin\xe2\x80\x99 A", RB_CENSOR_MASK, "??????? A", 1);
    cen("Scunthorpe class assess shell hello", RB_CENSOR_BLANK, "Scunthorpe class assess shell hello", 0);
    cen("mother-fucker", RB_CENSOR_BLANK, "mother-[____]", 1);
    cen("<i>shit</i> happens", RB_CENSOR_BLANK, "<i>[____]</i> happens", 1);
    cen("<v Shit>ok", RB_CENSOR_BLANK, "<v Shit>ok", 0);
    /* Tags are invisible inside a word: "Adamn" and "f-uck" split by tags are not censored. */
    cen("A</i>damn <b>f</b>uck <i>damn</i>", RB_CENSOR_BLANK, "A</i>damn <b>f</b>uck <i>[____]</i>", 1);
    /* Full-width letters fold to ASCII and are found. */
    cen("\xef\xbc\xa6\xef\xbd\x95\xef\xbd\x83\xef\xbd\x8b!", RB_CENSOR_BLANK, "[____]!", 1);
    /* Known limit: no context, so the name is censored too. */
    cen("Dick Smith", RB_CENSOR_BLANK, "[____] Smith", 1);
}

static void test_censor_always_never(void **state)
{
    (void)state;
    rb_caption_edits e;
    rb_caption_edits_init(&e);
    e.censor = 1;
    e.is_profane = rb_profanity_detect_folded;

    /* "hell" is not in the lexicon; always_censor adds it with word boundaries. */
    expect("hello shell hell", &e, "hello shell hell", 0);
    const char *always[] = { "hell", "oh my god" };
    e.always_censor = always;
    e.nalways = 2;
    expect("hello shell hell, HELL", &e, "hello shell [____], [____]", 2);
    expect("Oh my\nGod!", &e, "[____]!", 1);

    /* never_censor wins over always_censor and the lexicon. */
    const char *never[] = { "HELL", "damn", "Dick Smith" };
    e.never_censor = never;
    e.nnever = 3;
    expect("hell damn damned Dick Smith dick", &e, "hell damn [____] Dick Smith [____]", 2);

    /* A lexicon word inside an always_censor phrase is censored once. */
    const char *phrase[] = { "holy shit" };
    rb_caption_edits f;
    rb_caption_edits_init(&f);
    f.censor = 1;
    f.is_profane = rb_profanity_detect_folded;
    f.always_censor = phrase;
    f.nalways = 1;
    expect("Holy shit! shit", &f, "[____]! [____]", 2);
    f.mode = RB_CENSOR_MASK;
    expect("Holy shit!", &f, "???? ???\?!", 1);
    /* Mask counts code points, not bytes. */
    const char *de[] = { "schei\xc3\x9f" "e" };
    f.always_censor = de;
    expect("Schei\xc3\x9f" "e!", &f, "??????\?!", 1);
}

static void test_order_and_total(void **state)
{
    (void)state;
    rb_speaker_replacement s[] = { { "speaker_0", "Frak" } };
    rb_replacement r[] = { { "frak", "fuck", 0 }, { "gonna", "going to", 0 } };
    rb_caption_edits e;
    rb_caption_edits_init(&e);
    e.speakers = s;
    e.nspeakers = 1;
    e.replacements = r;
    e.nreplacements = 2;
    e.censor = 1;
    e.is_profane = rb_profanity_detect_folded;
    /* Speaker label, then "frak" twice (label included), then censoring of both. */
    expect("[speaker_0] frak, I'm gonna", &e, "[[____]] [____], I'm going to", 1 + 2 + 1 + 2);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    cen("fuck\xff shit \xc3", RB_CENSOR_BLANK, "[____]\xff [____] \xc3", 2);
    cen("\xff" "fuck\xfe", RB_CENSOR_MASK, "\xff????\xfe", 1);
    rep("\xff" "a\xfe a", "a", "b", 0, "\xff" "b\xfe b", 2);
    rep("\xc0\xaf" "x \xed\xa0\x80", "x", "y", 0, "\xc0\xaf" "y \xed\xa0\x80", 1);
    cen("<i \xff>damn &#xZZ; &#0; &bogus; &", RB_CENSOR_REMOVE, "<i \xff>&#xZZ; &#0; &bogus; &", 1);
    /* An invalid byte in find matches the same byte. */
    rep("a\xff" "b", "\xff", "-", 0, "a-b", 1);
}

static void test_bounded_output(void **state)
{
    (void)state;
    char text[201];
    for (int i = 0; i < 100; i++) {
        text[2 * i] = 'a';
        text[2 * i + 1] = ' ';
    }
    text[200] = '\0';
    char *big = malloc(5001);
    memset(big, 'x', 5000);
    big[5000] = '\0';
    rb_replacement r = { "a", big, 0 };
    rb_caption_edits e;
    rb_caption_edits_init(&e);
    e.replacements = &r;
    e.nreplacements = 1;
    char *out = (char *)1;
    int64_t count = 7;
    rb_err err;
    memset(&err, 0, sizeof err);
    assert_int_equal(rb_caption_edit_text(text, &e, &out, &count, &err), RB_TOOBIG);
    assert_null(out);
    assert_int_equal(count, 7);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.type, "output_too_large");
    free(big);
}

static void test_vtt(void **state)
{
    (void)state;
    const char *src =
        "WEBVTT\n\n"
        "NOTE damn this note stays\n\n"
        "intro\n"
        "00:00:01.000 --> 00:00:02.000 align:start\n"
        "[speaker_0] What the fuck\n"
        "is gonna happen\n\n"
        "00:00:02.000 --> 00:00:03.000\n"
        "<i>shit</i>\n\n"
        "00:00:03.000 --> 00:00:04.000\n"
        "all fine here\n";
    rb_vtt v;
    rb_err err;
    assert_int_equal(rb_vtt_parse(src, strlen(src), &v, &err), RB_OK);
    rb_speaker_replacement s[] = { { "speaker_0", "Alice" } };
    rb_replacement r[] = { { "gonna", "going to", 0 } };
    rb_caption_edits e;
    rb_caption_edits_init(&e);
    e.speakers = s;
    e.nspeakers = 1;
    e.replacements = r;
    e.nreplacements = 1;
    e.censor = 1;
    e.is_profane = rb_profanity_detect_folded;
    e.mode = RB_CENSOR_MASK;
    int64_t count = 0;
    assert_int_equal(rb_caption_edit_vtt(&v, &e, &count, &err), RB_OK);
    assert_int_equal(count, 4);
    char *out = rb_vtt_write(&v, NULL);
    assert_non_null(out);
    assert_string_equal(out,
                        "WEBVTT\n\n"
                        "NOTE damn this note stays\n\n"
                        "intro\n"
                        "00:00:01.000 --> 00:00:02.000 align:start\n"
                        "[Alice] What the ????\n"
                        "is going to happen\n\n"
                        "00:00:02.000 --> 00:00:03.000\n"
                        "<i>???\?</i>\n\n"
                        "00:00:03.000 --> 00:00:04.000\n"
                        "all fine here\n");
    free(out);
    rb_vtt_free(&v);
}

/* 900 cues x (3 replacements + censoring), the size of a long talk. */
static void test_bench(void **state)
{
    (void)state;
    static const char *lines[] = {
        "[speaker_0] So um, I'm gonna show you\nwhat the fuck happened here",
        "<i>Mucks</i> is a damn good platform, gonna say it",
        "We wanna make this shitty demo\nactually work, you know?",
    };
    rb_replacement r[] = { { "gonna", "going to", 0 }, { "wanna", "want to", 0 }, { "Mucks", "Mux", 1 } };
    rb_caption_edits e;
    rb_caption_edits_init(&e);
    e.replacements = r;
    e.nreplacements = 3;
    e.censor = 1;
    e.is_profane = rb_profanity_detect_folded;
    int64_t count = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 900; i++) {
        char *out = NULL;
        rb_err err;
        assert_int_equal(rb_caption_edit_text(lines[i % 3], &e, &out, &count, &err), RB_OK);
        free(out);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    /* Per 3 cues: gonna + fuck; Mucks + damn + gonna; wanna + shitty. */
    assert_int_equal(count, 300 * 7);
    print_message("caption_edit bench: 900 cues x (3 replacements + censor) in %.2f ms\n", ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace_case_insensitive),
        cmocka_unit_test(test_replace_case_sensitive),
        cmocka_unit_test(test_replace_boundaries),
        cmocka_unit_test(test_replace_across_lines),
        cmocka_unit_test(test_replace_tags),
        cmocka_unit_test(test_replace_delete),
        cmocka_unit_test(test_replace_chain_and_count),
        cmocka_unit_test(test_speakers),
        cmocka_unit_test(test_censor_modes),
        cmocka_unit_test(test_censor_remove_cleanup),
        cmocka_unit_test(test_censor_boundaries_inflections),
        cmocka_unit_test(test_censor_always_never),
        cmocka_unit_test(test_order_and_total),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_bounded_output),
        cmocka_unit_test(test_vtt),
        cmocka_unit_test(test_bench),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
