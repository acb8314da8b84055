/* test_srt.c — unit tests for src/media/srt.c and its use by ingest.
 *
 * Table-driven: every fixture tests/fixtures/srt/<name>.srt converts to
 * exactly <name>.vtt, and the result parses with rb_vtt_parse into the cues
 * the row lists (ids and times). Rejections are checked with their exact
 * messages. The last test ingests SRT URLs through the media library
 * against a loopback HTTP server (the pattern of test_library.c) and checks
 * that the stored track is ready WebVTT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/crypto.h"
#include "common/err.h"
#include "common/log.h"
#include "media/library.h"
#include "media/srt.h"
#include "media/vtt.h"
#include "store/store.h"
#include "testsrv.h"

#define FIX_DIR ROBOTS_SOURCE_DIR "/tests/fixtures/srt/"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* ---- fixtures: exact output and parsed cues ------------------------------ */

typedef struct exp_cue {
    const char *id; /* NULL when the cue has none */
    int64_t start_ms, end_ms;
    const char *text;
} exp_cue;

typedef struct exp_file {
    const char *name; /* fixture base name */
    size_t ncues;
    exp_cue cues[6];
} exp_file;

static const exp_file FILES[] = {
    {"basic", 3,
     {{"1", 1000, 4250, "Welcome to the show."},
      {"2", 4250, 8000, "This cue has two lines\nand ends here."},
      {"3", 62003, 65999, "Third cue."}}},
    {"crlf_bom", 2, {{"1", 500, 2000, "Line one\nLine two"}, {"2", 2000, 3000, "Second"}}},
    {"cr", 2, {{"1", 1000, 2000, "Old Mac style"}, {"2", 2000, 3500, "Second cue"}}},
    {"no_numbers", 4,
     {{NULL, 1000, 2000, "No number here"},
      {NULL, 2000, 3000, "Nor here"},
      {NULL, 3000, 4000, "No blank line before this cue"},
      {"7", 4000, 5000, "Numbered, no blank line before it"}}},
    {"labels", 4,
     {{NULL, 1000, 2000, "Dotted label"},
      {NULL, 2000, 3000, "Hash label"},
      {NULL, 3000, 4000, "Letter label"},
      {"4", 4000, 5000, "Numeric label"}}},
    {"blank_lines", 3,
     {{"1", 1000, 2000, "After blank lines"},
      {"2", 2000, 3000, "Text before a stray blank line\nstill the same cue"},
      {"3", 3000, 4000, "Last"}}},
    {"time_forms", 5,
     {{"1", 1000, 2500, "Dot separator"},
      {"2", 3500, 4250, "One and two fraction digits"},
      {"3", 3723004, 3724000, "One-digit hours, minutes and seconds"},
      {"4", 360000000, 446399999, "Hours past two digits"},
      {"5", 10000, 11000, "No spaces around the arrow"}}},
    {"coords", 2,
     {{"1", 1000, 2000, "With coordinates"}, {"2", 2000, 3000, "Tabs and spaces around them"}}},
    {"tags", 4,
     {{"1", 1000, 2000, "<i>Italic</i>, <b>bold</b> and <u>underlined</u>"},
      {"2", 2000, 3000, "Yellow and sized"},
      {"3", 3000, 4000, "<i>attrs</i> and struck gone"},
      {"4", 4000, 5000, "Tom &amp; Jerry &amp; friends &#233; 3 &lt; 4 > 2 &lt;3"}}},
    {"ass", 3,
     {{"1", 1000, 2000, "Top of the screen"},
      {"2", 2000, 3000, "ASS italic and {not an override}"},
      {"3", 3000, 4000, "Override alone on its line"}}},
    {"arrow_text", 2,
     {{"1", 1000, 2000, "An arrow --&gt; in text\n--&gt;\nand ---&gt; and --&gt; too"},
      {"2", 2000, 3000, "Next cue"}}},
    {"multiline_ws", 2,
     {{"1", 1000, 3000,
       "First line\n  indented second line\nthird line after a whitespace-only line"},
      {"2", 3000, 4000, "Only a tag on the line above"}}},
    {"numeric_text", 2,
     {{"1", 1000, 2000, "The year was\n1984\nand it was cold"}, {"2", 2000, 3000, "42"}}},
    {"empty_cue", 2, {{"1", 1000, 2000, ""}, {"2", 2000, 3000, "After an empty cue"}}},
};

static void check_parsed(const char *name, const char *vtt, size_t len, const exp_cue *cues,
                         size_t ncues)
{
    rb_vtt v;
    rb_err err;
    if (rb_vtt_parse(vtt, len, &v, &err) != RB_OK)
        fail_msg("%s: output does not parse: %s", name, err.message);
    assert_int_equal(v.ncues, ncues);
    assert_int_equal(v.nblocks, ncues);
    assert_string_equal(v.header, "WEBVTT");
    assert_null(v.header_extra);
    assert_string_equal(v.eol, "\n");
    for (size_t i = 0; i < ncues; i++) {
        const rb_vtt_block *b = &v.blocks[i];
        assert_int_equal(b->kind, RB_VTT_CUE);
        if (cues[i].id)
            assert_string_equal(b->id, cues[i].id);
        else
            assert_null(b->id);
        assert_int_equal(b->start_ms, cues[i].start_ms);
        assert_int_equal(b->end_ms, cues[i].end_ms);
        assert_string_equal(b->settings, "");
        assert_string_equal(b->text, cues[i].text);
        assert_int_equal(b->blank_before, 1);
    }
    rb_vtt_free(&v);
}

static void test_fixtures(void **state)
{
    for (size_t f = 0; f < sizeof FILES / sizeof FILES[0]; f++) {
        const exp_file *x = &FILES[f];
        char path[512];
        size_t slen, vlen;
        snprintf(path, sizeof path, FIX_DIR "%s.srt", x->name);
        char *srt = read_file(path, &slen);
        snprintf(path, sizeof path, FIX_DIR "%s.vtt", x->name);
        char *want = read_file(path, &vlen);
        assert_int_equal(rb_srt_sniff(srt, slen), 1);
        char *out = NULL;
        size_t olen = 0;
        rb_err err;
        if (rb_srt_to_vtt(srt, slen, &out, &olen, &err) != RB_OK)
            fail_msg("%s: %s", x->name, err.message);
        if (olen != vlen || memcmp(out, want, vlen) != 0)
            fail_msg("%s: got\n%s\nwant\n%s", x->name, out, want);
        assert_int_equal(strlen(out), olen);
        check_parsed(x->name, out, olen, x->cues, x->ncues);
        free(out);
        free(want);
        free(srt);
    }
}

/* A few conversions spelled out in full, so the output format is visible
 * in the test itself. */
static void test_exact_inline(void **state)
{
    static const struct {
        const char *in, *out;
    } CASES[] = {
        {"1\n00:00:01,000 --> 00:00:02,000\nHi\n",
         "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nHi\n\n"},
        /* No final line end, CRLF, trailing spaces, a 1-digit fraction. */
        {"12 \r\n00:00:01,5 --> 00:00:02,05  \r\nA  \r\nB", 
         "WEBVTT\n\n12\n00:00:01.500 --> 00:00:02.050\nA\nB\n\n"},
        /* Font colours go, italics stay, an override goes. */
        {"1\n00:00:00,000 --> 00:00:01,000\n{\\an8}<font color=\"red\"><I>Red</I></font>\n",
         "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\n<i>Red</i>\n\n"},
        /* A text line that is only "-->". */
        {"1\n00:00:00,000 --> 00:00:01,000\nx\n-->\n",
         "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nx\n--&gt;\n\n"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char *out = NULL;
        size_t len = 0;
        rb_err err;
        if (rb_srt_to_vtt(CASES[i].in, strlen(CASES[i].in), &out, &len, &err) != RB_OK)
            fail_msg("case %zu: %s", i, err.message);
        assert_string_equal(out, CASES[i].out);
        assert_int_equal(len, strlen(CASES[i].out));
        free(out);
    }
}

/* ---- rejections ------------------------------------------------------------- */

typedef struct bad_case {
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *message;
} bad_case;

static const bad_case BAD[] = {
    {"this is not a subtitle file\nat all\n", 0,
     "line 1: expected a sequence number or a timing line such as \"00:00:01,000 --> "
     "00:00:02,500\", found \"this is not a subtitle file\""},
    {"\n\n{\"chapters\": []}\n", 0,
     "line 3: expected a sequence number or a timing line such as \"00:00:01,000 --> "
     "00:00:02,500\", found \"{?chapters?: []}\""},
    {"1\nHello\n00:00:01,000 --> 00:00:02,000\n", 0,
     "line 2: expected a timing line after the sequence number on line 1, found \"Hello\""},
    {"1\n00:00:01,000 -> 00:00:02,000\n", 0,
     "line 2: expected a timing line after the sequence number on line 1, found "
     "\"00:00:01,000 -> 00:00:02,000\""},
    {"1\n00:00:01,000 --> 00:00:60,000\nx\n", 0,
     "line 2: invalid timing line (minutes and seconds must be below 60), found "
     "\"00:00:01,000 --> 00:00:60,000\""},
    {"1\n00:00:01,0000 --> 00:00:02,000\nx\n", 0,
     "line 2: invalid timing line (expected one to three millisecond digits), found "
     "\"00:00:01,0000 --> 00:00:02,000\""},
    {"1\n100000:00:00,000 --> 100000:00:01,000\nx\n", 0,
     "line 2: invalid timing line (hours over 99999), found \"100000:00:00,000 --> "
     "100000:00:01,000\""},
    {"1\n00:00:01,000 --> 00:00:02,000x\nx\n", 0,
     "line 2: invalid timing line (unexpected text right after the end time), found "
     "\"00:00:01,000 --> 00:00:02,000x\""},
    {"1\n00:00:01 --> 00:00:02\nx\n", 0,
     "line 2: invalid timing line (expected one or two second digits and ',' or '.'), found "
     "\"00:00:01 --> 00:00:02\""},
    /* After a blank line a broken timing line is not taken as text. */
    {"1\n00:00:01,000 --> 00:00:02,000\nx\n\n2\n00:00:0x,000 --> 00:00:03,000\ny\n", 0,
     "line 6: invalid timing line (expected one or two second digits and ',' or '.'), found "
     "\"00:00:0x,000 --> 00:00:03,000\""},
    {"1\n00:00:01,000 --> 00:00:02,000\nx\n\n--> y\n", 0,
     "line 5: invalid timing line (expected hours and ':'), found \"--> y\""},
    {"1\n00:00:01,000 --> 00:00:02,000\nHi\x00there\n", 38, "line 3: NUL byte"},
    {"1\r\n00:00:01,000 --> 00:00:02,000\r\nCaf\xE9\r\n", 0,
     "line 3: byte 0xE9 is not UTF-8; save the file as UTF-8"},
    {"\xEF\xBB\xBF" "1\n00:00:01,000 --> 00:00:02,000\n\xED\xA0\x80\n", 0,
     "line 3: byte 0xED is not UTF-8; save the file as UTF-8"},
    {"", 0, "line 1: no subtitle cues (no timing line such as \"00:00:01,000 --> 00:00:02,500\")"},
    {"\n\n  \n\n", 0,
     "line 4: no subtitle cues (no timing line such as \"00:00:01,000 --> 00:00:02,500\")"},
    {"\xEF\xBB\xBF", 0,
     "line 1: no subtitle cues (no timing line such as \"00:00:01,000 --> 00:00:02,500\")"},
    {"1\n\n", 0,
     "line 2: the file ends after the sequence number on line 1 without a timing line"},
};

static void test_rejections(void **state)
{
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        size_t len = BAD[i].len ? BAD[i].len : strlen(BAD[i].in);
        char *out = (char *)"untouched";
        size_t olen = 99;
        rb_err err;
        rb_err_clear(&err);
        if (rb_srt_to_vtt(BAD[i].in, len, &out, &olen, &err) != RB_ERR)
            fail_msg("case %zu accepted", i);
        assert_null(out);
        assert_int_equal(olen, 0);
        assert_int_equal(err.status, 422);
        assert_string_equal(err.type, "invalid_input");
        if (strcmp(err.message, BAD[i].message) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, err.message, BAD[i].message);
    }
}

/* Size limits: the input's, and the output's (escaping can grow text five
 * times; the result must stay readable by rb_vtt_parse). */
static void test_limits(void **state)
{
    rb_err err;
    char *out = NULL;
    size_t olen = 0;
    size_t big = RB_SRT_MAX_INPUT + 1;
    char *in = calloc(1, big);
    assert_non_null(in);
    assert_int_equal(rb_srt_to_vtt(in, big, &out, &olen, &err), RB_ERR);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.type, "invalid_input");
    assert_string_equal(err.message, "line 1: input is 67108865 bytes, more than 67108864");
    assert_null(out);
    free(in);

    const char head[] = "1\n00:00:01,000 --> 00:00:02,000\n";
    size_t amps = RB_VTT_MAX_INPUT / 5 + 1;
    in = malloc(sizeof head - 1 + amps);
    assert_non_null(in);
    memcpy(in, head, sizeof head - 1);
    memset(in + sizeof head - 1, '&', amps);
    assert_int_equal(rb_srt_to_vtt(in, sizeof head - 1 + amps, &out, &olen, &err), RB_ERR);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.message,
                        "line 3: the converted WebVTT would be larger than 67108864 bytes");
    assert_null(out);
    free(in);

    /* As many cues as rb_vtt_parse takes, then one more. */
    const char cue[] = "0:0:0,0-->0:0:1,0\n";
    size_t ncue = RB_VTT_MAX_BLOCKS + 1, cl = sizeof cue - 1;
    in = malloc(ncue * cl);
    assert_non_null(in);
    for (size_t i = 0; i < ncue; i++)
        memcpy(in + i * cl, cue, cl);
    assert_int_equal(rb_srt_to_vtt(in, (ncue - 1) * cl, &out, &olen, &err), RB_OK);
    rb_vtt v;
    assert_int_equal(rb_vtt_parse(out, olen, &v, &err), RB_OK);
    assert_int_equal(v.ncues, RB_VTT_MAX_BLOCKS);
    rb_vtt_free(&v);
    free(out);
    assert_int_equal(rb_srt_to_vtt(in, ncue * cl, &out, &olen, &err), RB_ERR);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.message, "line 500001: more than 500000 cues");
    assert_null(out);
    free(in);
}

/* Lines full of tag or override openers that never close: each '<' and
 * "{\\" must not scan the rest of the line (4 MiB of them would take hours
 * if they did; the test's timeout catches that). */
static void test_unclosed_markup_is_linear(void **state)
{
    const char head[] = "1\n00:00:01,000 --> 00:00:02,000\n";
    const size_t reps = 4 * 1024 * 1024 / 3;
    const char *units[] = {"<a ", "{\\x"};
    const char *want_units[] = {"&lt;a ", "{\\x"};
    for (size_t u = 0; u < 2; u++) {
        size_t len = sizeof head - 1 + reps * 3;
        char *in = malloc(len);
        assert_non_null(in);
        memcpy(in, head, sizeof head - 1);
        for (size_t i = 0; i < reps; i++)
            memcpy(in + sizeof head - 1 + i * 3, units[u], 3);
        char *out = NULL;
        size_t olen = 0;
        rb_err err;
        assert_int_equal(rb_srt_to_vtt(in, len, &out, &olen, &err), RB_OK);
        size_t wl = strlen(want_units[u]);
        const char *text = out + strlen("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n");
        assert_memory_equal(text, want_units[u], wl);
        assert_memory_equal(text + wl, want_units[u], wl);
        /* The trailing space of the last unit is trimmed. */
        size_t tl = reps * wl - (want_units[u][wl - 1] == ' ' ? 1 : 0);
        assert_int_equal(olen, (size_t)(text - out) + tl + 2);
        assert_memory_equal(out + olen - 2, "\n\n", 2);
        free(out);
        free(in);
    }
}

static void test_sniff(void **state)
{
    static const struct {
        const char *s;
        int want;
    } CASES[] = {
        {"1\n00:00:01,000 --> 00:00:02,000\nHi\n", 1},
        {"\xEF\xBB\xBF\r\n\r\n1\r\n00:00:01,000 --> 00:00:02,000\r\nHi\r\n", 1},
        {"00:00:01.000 --> 00:00:02.000\nNo number\n", 1},
        {"1\n\n00:00:01,000 --> 00:00:02,000\n", 1},
        {"#1\n00:00:01,000 --> 00:00:02,000 X1:1 X2:2 Y1:3 Y2:4\n", 1},
        {"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nHi\n", 0},
        {"\xEF\xBB\xBFWEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n", 0},
        {"[{\"chapter\":1,\"start-time\":0}]", 0},
        {"this is not a caption file\n", 0},
        {"1\nHello\n00:00:01,000 --> 00:00:02,000\n", 0},
        {"1\n00:01.000 --> 00:02.000\n", 0}, /* WebVTT short times, headerless: not SRT */
        {"", 0},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        if (rb_srt_sniff(CASES[i].s, strlen(CASES[i].s)) != CASES[i].want)
            fail_msg("sniff case %zu: want %d", i, CASES[i].want);
    assert_int_equal(rb_srt_sniff(NULL, 0), 0);
}

/* ---- ingest through the media library --------------------------------------- */

/* Short times, an '&' and CRLF: the WebVTT is larger than the SRT. */
static const char SRT_OK[] = "\xEF\xBB\xBF" "1\r\n0:0:1,0 --> 0:0:3,0\r\nHello & <i>there</i>.\r\n"
                             "\r\n2\r\n0:0:4,0 --> 0:0:7,5\r\n<b>General</b> Kenobi.\r\n";
static const char SRT_OK_VTT[] = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\n"
                                 "Hello &amp; <i>there</i>.\n\n"
                                 "2\n00:00:04.000 --> 00:00:07.500\n<b>General</b> Kenobi.\n\n";
static const char SRT_BAD[] = "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:99,000 --> "
                              "00:00:03,000\nBye\n";

typedef struct fx {
    char dir[64];
    rb_store *st;
    rb_env env;
    rb_config cfg;
    rb_library lib;
    testsrv srv;
} fx;

static int setup(void **state)
{
    rb_log_set_level(RB_LOG_WARN);
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rb_srt_test_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/robots.db", f->dir);
    rb_err err;
    if (rb_store_open(url, 4, &f->st, &err) != RB_OK ||
        rb_store_env_ensure(f->st, "Development", &f->env, &err) != RB_OK) {
        fprintf(stderr, "store: %s\n", err.message);
        return -1;
    }
    rb_config_defaults(&f->cfg);
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s/data", f->dir);
    snprintf(f->cfg.public_url, sizeof f->cfg.public_url, "http://media.test");
    f->cfg.allow_private_urls = 1;
    f->cfg.fetch_timeout_seconds = 5;
    /* A fetch limit below the converted size (100 < 123 bytes): the stored
     * WebVTT may be larger than the SRT that was fetched. */
    f->cfg.fetch_max_bytes = (int64_t)sizeof SRT_OK - 1;
    if (rb_library_init(&f->lib, f->st, &f->cfg, &err) != RB_OK) {
        fprintf(stderr, "library: %s\n", err.message);
        return -1;
    }
    if (testsrv_start(&f->srv) != 0)
        return -1;
    testsrv_route_add(&f->srv, "/ok.srt", 200, "application/x-subrip", SRT_OK,
                      sizeof SRT_OK - 1);
    testsrv_route_add(&f->srv, "/bad.srt", 200, "text/plain", SRT_BAD, sizeof SRT_BAD - 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    testsrv_stop(&f->srv);
    rb_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* Inserts a preparing captions-only asset with one preparing text track per
 * path, as the create handler does. */
static void make_asset(fx *f, const char *const *paths, size_t n, rb_asset *a)
{
    memset(a, 0, sizeof *a);
    rb_random_id(a->id, sizeof a->id, "", 32);
    snprintf(a->env_id, sizeof a->env_id, "%s", f->env.id);
    snprintf(a->status, sizeof a->status, "preparing");
    a->created_at = rb_now();
    a->thumbnail_time = -1;
    a->inputs = json_array();
    char pid[RB_ID_MAX];
    rb_random_id(pid, sizeof pid, "pbPublic", 24);
    a->playback_ids = json_pack("[{s:s,s:s}]", "id", pid, "policy", "public");
    a->tracks = calloc(n, sizeof *a->tracks);
    for (size_t i = 0; i < n; i++) {
        char url[256];
        snprintf(url, sizeof url, "%s%s", f->srv.base, paths[i]);
        json_array_append_new(a->inputs, json_pack("{s:s,s:s,s:s}", "url", url, "type", "text",
                                                   "language_code", "en"));
        rb_track *t = &a->tracks[a->n_tracks++];
        rb_random_id(t->id, sizeof t->id, "", 32);
        snprintf(t->asset_id, sizeof t->asset_id, "%s", a->id);
        snprintf(t->env_id, sizeof t->env_id, "%s", a->env_id);
        snprintf(t->type, sizeof t->type, "text");
        snprintf(t->status, sizeof t->status, "preparing");
        snprintf(t->text_type, sizeof t->text_type, "subtitles");
        snprintf(t->text_source, sizeof t->text_source, "uploaded");
        snprintf(t->language_code, sizeof t->language_code, "en");
        snprintf(t->name, sizeof t->name, "English %zu", i);
        t->source_url = strdup(url);
        t->created_at = a->created_at;
    }
    rb_err err;
    assert_int_equal(rb_store_asset_insert(f->st, a, &err), RB_OK);
}

static void test_ingest_srt_url(void **state)
{
    fx *f = *state;
    const char *paths[] = {"/ok.srt", "/bad.srt"};
    rb_asset a;
    make_asset(f, paths, 2, &a);
    rb_err err;
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    char id[RB_ID_MAX];
    snprintf(id, sizeof id, "%s", a.id);
    rb_asset_clear(&a);
    assert_int_equal(rb_store_asset_get(f->st, f->env.id, id, &a, &err), RB_OK);

    /* The good SRT makes a ready track and the asset lasts until its last cue. */
    assert_string_equal(a.status, "ready");
    assert_true(a.duration > 7.499 && a.duration < 7.501);
    assert_int_equal(a.n_tracks, 2);
    assert_string_equal(a.tracks[0].status, "ready");
    assert_true(a.tracks[0].duration > 7.499 && a.tracks[0].duration < 7.501);
    assert_null(a.tracks[0].errors);

    /* What workflows and the .vtt URL read is the converted WebVTT. */
    rb_track tr;
    char *content = NULL;
    size_t len = 0;
    assert_int_equal(
        rb_library_text_track(&f->lib, f->env.id, a.id, a.tracks[0].id, &tr, &content, &len, &err),
        RB_OK);
    assert_int_equal(len, strlen(SRT_OK_VTT));
    assert_true(len > sizeof SRT_OK - 1);
    assert_memory_equal(content, SRT_OK_VTT, len);
    rb_vtt v;
    assert_int_equal(rb_vtt_parse(content, len, &v, &err), RB_OK);
    assert_int_equal(v.ncues, 2);
    assert_int_equal(v.blocks[1].start_ms, 4000);
    assert_int_equal(v.blocks[1].end_ms, 7500);
    rb_vtt_free(&v);
    free(content);
    rb_track_clear(&tr);
    char url[512];
    rb_library_track_url(&f->lib, &a, &a.tracks[0], url, sizeof url);
    assert_non_null(strstr(url, "/text/"));
    assert_non_null(strstr(url, ".vtt"));

    /* The broken one is errored and names the line. */
    assert_string_equal(a.tracks[1].status, "errored");
    json_t *tj = rb_library_track_json(&a.tracks[1]);
    json_t *errs = json_object_get(tj, "errors");
    assert_string_equal(json_string_value(json_object_get(errs, "type")), "invalid_input");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(errs, "messages"), 0)),
        "the file is SubRip (SRT) and could not be converted to WebVTT: line 6: invalid timing "
        "line (minutes and seconds must be below 60), found \"00:00:99,000 --> 00:00:03,000\"");
    json_decref(tj);
    rb_asset_clear(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_exact_inline),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_unclosed_markup_is_linear),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test_setup_teardown(test_ingest_srt_url, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
