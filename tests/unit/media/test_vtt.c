/* test_vtt.c — unit tests for src/media/vtt.c.
 *
 * Table-driven: each fixture in tests/fixtures/vtt has a row giving the exact
 * model the parser must build (header, line ending, every block's kind, id,
 * times, settings and text). Every fixture with consistent line endings must
 * also write back byte-for-byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "media/vtt.h"

#define FIX_DIR ROBOTS_SOURCE_DIR "/tests/fixtures/vtt/"

typedef struct exp_block {
    enum rb_vtt_block_kind kind;
    const char *id;       /* NULL when none */
    int64_t start_ms, end_ms;
    const char *settings; /* cues only */
    const char *text;
    int blank_before;
} exp_block;

typedef struct exp_file {
    const char *name;
    int has_bom;
    const char *eol;
    const char *header;
    const char *header_extra;
    int trailing_newlines;
    size_t nblocks;
    size_t ncues;
    int64_t last_end_ms;
    exp_block blocks[8];
} exp_file;

static const exp_file FILES[] = {
    {"basic.vtt", 0, "\n", "WEBVTT", NULL, 1, 3, 3, 65999,
     {{RB_VTT_CUE, "1", 1000, 4250, "", "Welcome to the show.", 1},
      {RB_VTT_CUE, "2", 4250, 8000, "align:start position:10%",
       "This cue has two lines\nand some settings.", 1},
      {RB_VTT_CUE, "intro-3", 62003, 65999, "", "Third cue with a text id.", 1}}},
    {"crlf_bom.vtt", 1, "\r\n", "WEBVTT", NULL, 1, 2, 2, 3000,
     {{RB_VTT_CUE, NULL, 500, 2000, "", "Line one\nLine two", 1},
      {RB_VTT_CUE, "b", 2000, 3000, "line:0", "Second", 1}}},
    {"cr.vtt", 0, "\r", "WEBVTT", NULL, 0, 2, 2, 3500,
     {{RB_VTT_CUE, NULL, 1000, 2000, "", "Old Mac style", 1},
      {RB_VTT_CUE, NULL, 2000, 3500, "", "Second line", 1}}},
    {"no_blank.vtt", 0, "\n", "WEBVTT", NULL, 1, 4, 4, 4000,
     {{RB_VTT_CUE, NULL, 0, 1000, "", "First", 0},
      {RB_VTT_CUE, NULL, 1000, 2000, "", "Second\ncontinues", 0},
      {RB_VTT_CUE, NULL, 2000, 3000, "", "", 0},
      {RB_VTT_CUE, NULL, 3000, 4000, "", "Fourth after an empty cue", 0}}},
    {"time_forms.vtt", 0, "\n", "WEBVTT", NULL, 1, 5, 5, 446399999,
     {{RB_VTT_CUE, NULL, 1000, 2500, "", "Short form", 1},
      {RB_VTT_CUE, NULL, 3000, 4250, "", "Comma as the millisecond separator", 1},
      {RB_VTT_CUE, NULL, 3600000, 3601000, "", "One-digit hours", 1},
      {RB_VTT_CUE, NULL, 360000000, 446399999, "", "Hours past two digits", 1},
      {RB_VTT_CUE, NULL, 10000, 11000, "", "No spaces around the arrow", 1}}},
    {"blocks.vtt", 0, "\n", "WEBVTT - Demo title with text after the header",
     "Kind: captions\nLanguage: en", 1, 6, 1, 6000,
     {{RB_VTT_NOTE, NULL, 0, 0, NULL, "NOTE This file has comments,\nstyles and regions.", 1},
      {RB_VTT_STYLE, NULL, 0, 0, NULL, "STYLE\n::cue(.loud) {\n  color: yellow;\n}", 1},
      {RB_VTT_REGION, NULL, 0, 0, NULL, "REGION\nid:fred\nwidth:40%", 1},
      {RB_VTT_NOTE, NULL, 0, 0, NULL, "NOTE", 1},
      {RB_VTT_CUE, NULL, 5000, 6000, "region:fred align:left", "After the blocks", 1},
      {RB_VTT_NOTE, NULL, 0, 0, NULL, "NOTE a last comment", 1}}},
    {"tags.vtt", 0, "\n", "WEBVTT", NULL, 1, 3, 3, 6000,
     {{RB_VTT_CUE, NULL, 0, 2000, "", "<v Roger Bingham>We are in New York City</v>", 1},
      {RB_VTT_CUE, NULL, 2000, 4000, "",
       "<i>Italic</i> and <b>bold</b> &amp; <c.yellow.bg_blue>classed</c>", 1},
      {RB_VTT_CUE, NULL, 4000, 6000, "",
       "<00:00:04.000><c> karaoke</c><00:00:04.500><c> words</c>\n"
       "<v.loud Esme>Second line &lt;3</v>",
       1}}},
    {"end_before_start.vtt", 0, "\n", "WEBVTT", NULL, 1, 2, 2, 20000,
     {{RB_VTT_CUE, NULL, 10000, 5000, "", "Ends before it starts", 1},
      {RB_VTT_CUE, NULL, 20000, 20000, "", "Zero length", 1}}},
    {"blank_runs.vtt", 0, "\n", "WEBVTT", NULL, 3, 2, 2, 9000,
     {{RB_VTT_CUE, NULL, 1000, 2000, "", "Spaced out\n   \nstill the same cue", 3},
      {RB_VTT_CUE, NULL, 3000, 9000, "", "Last", 2}}},
    {"other_block.vtt", 0, "\n", "WEBVTT", NULL, 1, 3, 1, 2000,
     {{RB_VTT_OTHER, NULL, 0, 0, NULL, "this block has no timing line\nand is kept verbatim", 1},
      {RB_VTT_CUE, NULL, 1000, 2000, "", "Real cue", 1},
      {RB_VTT_OTHER, NULL, 0, 0, NULL, "X-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000", 1}}},
    {"header_only.vtt", 0, "\n", "WEBVTT", NULL, 0, 0, 0, 0, {{0}}},
};

static char *read_fixture(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, FIX_DIR "%s", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void assert_str_or_null(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else {
        assert_non_null(got);
        assert_string_equal(got, want);
    }
}

static void check_file(const exp_file *e)
{
    size_t len;
    char *data = read_fixture(e->name, &len);
    rb_vtt v;
    rb_err err;
    rb_err_clear(&err);
    if (rb_vtt_parse(data, len, &v, &err) != RB_OK)
        fail_msg("%s: %s", e->name, err.message);
    assert_int_equal(v.has_bom, e->has_bom);
    assert_string_equal(v.eol, e->eol);
    assert_string_equal(v.header, e->header);
    assert_str_or_null(v.header_extra, e->header_extra);
    assert_int_equal(v.trailing_newlines, e->trailing_newlines);
    assert_int_equal(v.nblocks, e->nblocks);
    assert_int_equal(v.ncues, e->ncues);
    assert_int_equal(rb_vtt_last_end_ms(&v), e->last_end_ms);
    for (size_t i = 0; i < e->nblocks; i++) {
        const exp_block *x = &e->blocks[i];
        const rb_vtt_block *b = &v.blocks[i];
        assert_int_equal(b->kind, x->kind);
        assert_str_or_null(b->id, x->id);
        assert_int_equal(b->blank_before, x->blank_before);
        assert_string_equal(b->text, x->text);
        if (x->kind == RB_VTT_CUE) {
            assert_int_equal(b->start_ms, x->start_ms);
            assert_int_equal(b->end_ms, x->end_ms);
            assert_string_equal(b->settings, x->settings);
            assert_non_null(b->timing);
        } else {
            assert_null(b->timing);
        }
    }
    /* Byte-for-byte round-trip. */
    size_t outlen = 0;
    char *out = rb_vtt_write(&v, &outlen);
    assert_non_null(out);
    assert_int_equal(outlen, len);
    assert_memory_equal(out, data, len);
    free(out);
    rb_vtt_free(&v);
    free(data);
}

static void test_fixtures(void **state)
{
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++)
        check_file(&FILES[i]);
}

static void test_timing_lines_verbatim(void **state)
{
    size_t len;
    char *data = read_fixture("basic.vtt", &len);
    rb_vtt v;
    rb_err err;
    assert_int_equal(rb_vtt_parse(data, len, &v, &err), RB_OK);
    assert_string_equal(v.blocks[1].timing, "00:00:04.250 --> 00:00:08.000 align:start position:10%");
    rb_vtt_free(&v);
    free(data);
}

/* Mixed line endings parse; the output uses the first line ending everywhere
 * and is stable from then on. */
static void test_mixed_eol(void **state)
{
    size_t len;
    char *data = read_fixture("mixed_eol.vtt", &len);
    rb_vtt v;
    rb_err err;
    assert_int_equal(rb_vtt_parse(data, len, &v, &err), RB_OK);
    assert_string_equal(v.eol, "\r\n");
    assert_int_equal(v.ncues, 2);
    assert_string_equal(v.blocks[0].text, "A\nB");
    assert_int_equal(v.blocks[1].start_ms, 2000);
    assert_string_equal(v.blocks[1].text, "C");
    size_t n1;
    char *out = rb_vtt_write(&v, &n1);
    const char *want = "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nA\r\nB\r\n"
                       "00:02.000 --> 00:03.000\r\nC\r\n";
    assert_string_equal(out, want);
    rb_vtt v2;
    assert_int_equal(rb_vtt_parse(out, n1, &v2, &err), RB_OK);
    size_t n2;
    char *out2 = rb_vtt_write(&v2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(out, out2, n1);
    free(out2);
    free(out);
    rb_vtt_free(&v2);
    rb_vtt_free(&v);
    free(data);
}

/* Editing one cue changes only that cue's payload bytes: the output is the
 * input with exactly the old payload (as written, with the file's line ends)
 * swapped for the new one. */
static void test_set_text_one_cue(void **state)
{
    struct {
        const char *file;
        size_t block;
        const char *old_bytes;
    } cases[] = {
        {"basic.vtt", 1, "This cue has two lines\nand some settings."},
        {"crlf_bom.vtt", 0, "Line one\r\nLine two"},
        {"no_blank.vtt", 1, "Second\ncontinues"},
        {"cr.vtt", 1, "Second line"},
        {"blocks.vtt", 4, "After the blocks"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t len;
        char *data = read_fixture(cases[c].file, &len);
        rb_vtt v;
        rb_err err;
        assert_int_equal(rb_vtt_parse(data, len, &v, &err), RB_OK);
        const char *pos = strstr(data, cases[c].old_bytes);
        assert_non_null(pos);
        size_t prefix = (size_t)(pos - data), oldlen = strlen(cases[c].old_bytes);
        assert_int_equal(rb_vtt_set_text(&v, cases[c].block, "Replaced\ntext"), RB_OK);
        assert_string_equal(v.blocks[cases[c].block].text, "Replaced\ntext");
        char repl[64];
        snprintf(repl, sizeof repl, "Replaced%stext", v.eol);
        size_t rl = strlen(repl), outlen;
        char *out = rb_vtt_write(&v, &outlen);
        assert_non_null(out);
        assert_int_equal(outlen, len - oldlen + rl);
        assert_memory_equal(out, data, prefix);
        assert_memory_equal(out + prefix, repl, rl);
        if (len > prefix + oldlen)
            assert_memory_equal(out + prefix + rl, data + prefix + oldlen, len - prefix - oldlen);
        free(out);
        rb_vtt_free(&v);
        free(data);
    }
}

static void test_set_text_normalises(void **state)
{
    const char *src = "WEBVTT\n\n00:01.000 --> 00:02.000\nold\n\n00:02.000 --> 00:03.000\nnext\n";
    rb_vtt v;
    rb_err err;
    assert_int_equal(rb_vtt_parse(src, strlen(src), &v, &err), RB_OK);
    assert_int_equal(rb_vtt_set_text(&v, 0, "\r\na\r\n\r\nb --> c\rd--->\n\n"), RB_OK);
    assert_string_equal(v.blocks[0].text, "a\nb --&gt; c\nd---&gt;");
    char *out = rb_vtt_write(&v, NULL);
    assert_string_equal(out, "WEBVTT\n\n00:01.000 --> 00:02.000\na\nb --&gt; c\nd---&gt;\n\n"
                             "00:02.000 --> 00:03.000\nnext\n");
    rb_vtt w;
    assert_int_equal(rb_vtt_parse(out, strlen(out), &w, &err), RB_OK);
    assert_int_equal(w.ncues, 2);
    assert_string_equal(w.blocks[0].text, v.blocks[0].text);
    /* Empty text leaves a cue with no payload lines. */
    assert_int_equal(rb_vtt_set_text(&v, 1, ""), RB_OK);
    free(out);
    out = rb_vtt_write(&v, NULL);
    assert_string_equal(out, "WEBVTT\n\n00:01.000 --> 00:02.000\na\nb --&gt; c\nd---&gt;\n\n"
                             "00:02.000 --> 00:03.000\n");
    /* Out of range and non-cue blocks are refused. */
    assert_int_equal(rb_vtt_set_text(&v, 2, "x"), RB_ERR);
    assert_int_equal(rb_vtt_set_text(&v, 0, NULL), RB_ERR);
    free(out);
    rb_vtt_free(&w);
    rb_vtt_free(&v);

    const char *note = "WEBVTT\n\nNOTE hi\n";
    assert_int_equal(rb_vtt_parse(note, strlen(note), &v, &err), RB_OK);
    assert_int_equal(rb_vtt_set_text(&v, 0, "x"), RB_ERR);
    assert_string_equal(v.blocks[0].text, "NOTE hi");
    rb_vtt_free(&v);
}

static void test_parse_time(void **state)
{
    struct {
        const char *s;
        int rc;
        int64_t ms;
    } cases[] = {
        {"00:00.000", RB_OK, 0},
        {"59:59.999", RB_OK, 3599999},
        {"00:00:00.001", RB_OK, 1},
        {"01:02:03.004", RB_OK, 3723004},
        {"1:00:00.000", RB_OK, 3600000},
        {"123:00:00.000", RB_OK, 442800000},
        {"99999:59:59.999", RB_OK, RB_VTT_MAX_MS},
        {"000000001:00:00.000", RB_OK, 3600000},
        {"00:01,500", RB_OK, 1500},
        {"00:00:01,500", RB_OK, 1500},
        {"100000:00:00.000", RB_ERR, 0},     /* past the hour limit */
        {"9999999999:00:00.000", RB_ERR, 0}, /* would overflow */
        {"0:01.000", RB_ERR, 0},             /* minutes need two digits */
        {"60:00.000", RB_ERR, 0},
        {"00:60.000", RB_ERR, 0},
        {"00:60:00.000", RB_ERR, 0},
        {"00:00.00", RB_ERR, 0},
        {"00:00.0000", RB_ERR, 0},
        {"00:00", RB_ERR, 0},
        {"00:00:00", RB_ERR, 0},
        {"00:00.000 ", RB_ERR, 0},
        {"-1:00.000", RB_ERR, 0},
        {"", RB_ERR, 0},
        {"ab:cd.efg", RB_ERR, 0},
        {"00:00:00:00.000", RB_ERR, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ms = -7;
        int rc = rb_vtt_parse_time(cases[i].s, strlen(cases[i].s), &ms);
        if (rc != cases[i].rc)
            fail_msg("parse_time(\"%s\") returned %d", cases[i].s, rc);
        if (rc == RB_OK)
            assert_int_equal(ms, cases[i].ms);
        else
            assert_int_equal(ms, -7);
    }
    /* len bounds the parse: the rest of the string is not looked at. */
    int64_t ms;
    assert_int_equal(rb_vtt_parse_time("00:01.000 --> x", 9, &ms), RB_OK);
    assert_int_equal(ms, 1000);
}

static void test_format_time(void **state)
{
    struct {
        int64_t ms;
        const char *want;
    } cases[] = {
        {0, "00:00:00.000"},
        {1, "00:00:00.001"},
        {3723004, "01:02:03.004"},
        {359999999, "99:59:59.999"},
        {360000000, "100:00:00.000"},
        {RB_VTT_MAX_MS, "99999:59:59.999"},
        {RB_VTT_MAX_MS + 1, "99999:59:59.999"},
        {INT64_MAX, "99999:59:59.999"},
        {-5, "00:00:00.000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[16];
        rb_vtt_format_time(cases[i].ms, out, sizeof out);
        assert_string_equal(out, cases[i].want);
        int64_t back;
        assert_int_equal(rb_vtt_parse_time(out, strlen(out), &back), RB_OK);
    }
    char small[6];
    rb_vtt_format_time(3723004, small, sizeof small);
    assert_string_equal(small, "01:02"); /* truncated, still terminated */
}

static void test_last_end(void **state)
{
    const char *src = "WEBVTT\n\n00:05.000 --> 00:09.000\na\n\n00:01.000 --> 00:02.000\nb\n\nNOTE x\n";
    rb_vtt v;
    rb_err err;
    assert_int_equal(rb_vtt_parse(src, strlen(src), &v, &err), RB_OK);
    assert_int_equal(rb_vtt_last_end_ms(&v), 9000);
    rb_vtt_free(&v);
    assert_int_equal(rb_vtt_last_end_ms(NULL), 0);
    const char *empty = "WEBVTT\n\nNOTE only\n";
    assert_int_equal(rb_vtt_parse(empty, strlen(empty), &v, &err), RB_OK);
    assert_int_equal(rb_vtt_last_end_ms(&v), 0);
    rb_vtt_free(&v);
}

static void test_rejections(void **state)
{
    struct {
        const char *src;
        const char *msg_prefix;
    } cases[] = {
        {"", "line 1: missing \"WEBVTT\" header"},
        {"\xEF\xBB\xBF", "line 1: missing \"WEBVTT\" header"},
        {"1\n00:01.000 --> 00:02.000\nx\n", "line 1: missing \"WEBVTT\" header"},
        {"WEBVTTX\n", "line 1: missing \"WEBVTT\" header"},
        {"webvtt\n", "line 1: missing \"WEBVTT\" header"},
        {"\nWEBVTT\n", "line 1: missing \"WEBVTT\" header"},
        {"WEBVTT\n\n00:01.000 --> 00:0x.000\nx\n", "line 3: invalid cue end time"},
        {"WEBVTT\n\nid\nabc --> 00:02.000\n", "line 4: invalid cue start time"},
        {"WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nok\r\n\r\n00:03.000 -> 00:04.000 -->\r\n",
         "line 6: expected \"-->\""},
        {"WEBVTT\n\n00:01.000 --> 00:02.000x\n", "line 3: unexpected text"},
        {"WEBVTT\n\n00:01.000 --> 100000:00:00.000\n", "line 3: invalid cue end time"},
        {"WEBVTT\n\n99999999999999999999:00:00.000 --> 00:01.000\n", "line 3: invalid cue start time"},
        {"WEBVTT\n\n00:01.000 --> 00:02.000\nok\n00:03.000 --> garbage\n", "line 5: invalid cue end time"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rb_vtt v;
        rb_err err;
        rb_err_clear(&err);
        assert_int_equal(rb_vtt_parse(cases[i].src, strlen(cases[i].src), &v, &err), RB_ERR);
        assert_int_equal(err.status, 422);
        assert_string_equal(err.type, "invalid_vtt");
        if (strncmp(err.message, cases[i].msg_prefix, strlen(cases[i].msg_prefix)) != 0)
            fail_msg("case %zu: message \"%s\", want prefix \"%s\"", i, err.message,
                     cases[i].msg_prefix);
        /* A failed parse leaves an empty model that is safe to free again. */
        assert_int_equal(v.nblocks, 0);
        assert_null(v.blocks);
        rb_vtt_free(&v);
    }

    /* A NUL byte names its line. */
    const char nul[] = "WEBVTT\n\n00:01.000 --> 00:02.000\na\0b\n";
    rb_vtt v;
    rb_err err;
    assert_int_equal(rb_vtt_parse(nul, sizeof nul - 1, &v, &err), RB_ERR);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.type, "invalid_vtt");
    assert_string_equal(err.message, "line 4: NUL byte");
}

/* Inputs over 64 MiB are refused before any parsing. */
static void test_too_big(void **state)
{
    size_t n = RB_VTT_MAX_INPUT + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'a', n);
    memcpy(big, "WEBVTT\n\n", 8);
    rb_vtt v;
    rb_err err;
    assert_int_equal(rb_vtt_parse(big, n, &v, &err), RB_ERR);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.type, "invalid_vtt");
    assert_non_null(strstr(err.message, "more than 67108864"));
    free(big);
}

/* The demo sample parses, has the promised shape and round-trips. */
static void test_demo_sample(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s", ROBOTS_SOURCE_DIR "/samples/demo.en.vtt");
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char data[65536];
    size_t len = fread(data, 1, sizeof data - 1, f);
    fclose(f);
    data[len] = '\0';
    rb_vtt v;
    rb_err err;
    if (rb_vtt_parse(data, len, &v, &err) != RB_OK)
        fail_msg("%s", err.message);
    assert_in_range(v.ncues, 60, 80);
    int64_t end = rb_vtt_last_end_ms(&v);
    assert_in_range(end, 5 * 60000, 7 * 60000);
    int64_t prev = -1;
    for (size_t i = 0; i < v.nblocks; i++) {
        if (v.blocks[i].kind != RB_VTT_CUE)
            continue;
        assert_true(v.blocks[i].start_ms >= prev);
        assert_true(v.blocks[i].end_ms > v.blocks[i].start_ms);
        prev = v.blocks[i].end_ms;
    }
    char *out = rb_vtt_write(&v, NULL);
    assert_string_equal(out, data);
    free(out);
    rb_vtt_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_timing_lines_verbatim),
        cmocka_unit_test(test_mixed_eol),
        cmocka_unit_test(test_set_text_one_cue),
        cmocka_unit_test(test_set_text_normalises),
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_last_end),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_demo_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
