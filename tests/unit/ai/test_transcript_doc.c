/* test_transcript_doc.c — the transcript model seen by the builtin algorithms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/keyphrase.h"
#include "ai/texttiling.h"
#include "ai/transcript.h"
#include "ai/transcript_doc.h"
#include "media/vtt.h"

static rb_transcript *build(const char *vtt_text)
{
    rb_vtt vtt;
    rb_err err;
    assert_int_equal(rb_vtt_parse(vtt_text, strlen(vtt_text), &vtt, &err), RB_OK);
    rb_transcript *t = NULL;
    if (rb_transcript_build(&vtt, "en", -1, -1, &t, &err) != RB_OK)
        fail_msg("%s", err.message);
    rb_vtt_free(&vtt);
    return t;
}

/* Units are sentences with their times; tokens carry stem, surface, stop and
 * a phrase break where punctuation stands between two words. */
static void test_units_tokens_breaks(void **state)
{
    (void)state;
    rb_transcript *t = build("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
                             "Captions, analytics and pricing.\n\n"
                             "00:00:05.000 --> 00:00:08.000\nWe are running tests.\n");
    rb_transcript_doc d;
    rb_err err;
    assert_int_equal(rb_transcript_doc_build(t, &d, &err), RB_OK);
    assert_int_equal(d.doc.nunits, 2);
    const rb_text_unit *u = &d.doc.units[0];
    assert_int_equal(u->start_ms, 1000);
    assert_int_equal(u->end_ms, 4000);
    assert_int_equal(u->ntokens, 4);
    assert_string_equal(u->tokens[0].surface, "captions");
    assert_string_equal(u->tokens[0].stem, "caption");
    assert_int_equal(u->tokens[0].brk, 0);
    assert_string_equal(u->tokens[1].surface, "analytics");
    assert_int_equal(u->tokens[1].brk, 1); /* the comma */
    assert_string_equal(u->tokens[2].surface, "and");
    assert_int_equal(u->tokens[2].stop, 1);
    assert_int_equal(u->tokens[2].brk, 0);
    assert_int_equal(u->tokens[3].brk, 0);
    u = &d.doc.units[1];
    assert_int_equal(u->start_ms, 5000);
    assert_string_equal(u->tokens[2].stem, "run");
    rb_transcript_doc_free(&d);
    rb_transcript_free(t);
}

/* The algorithms run on a real caption file end to end: the demo talk has
 * five sections; keyphrases come out ranked and deterministic, and TextTiling
 * finds ascending boundaries inside the document. Quality is measured by the
 * evaluation set of issue 4, not here. */
static void test_demo_talk(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/samples/demo.en.vtt", ROBOTS_SOURCE_DIR);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    rb_transcript *t = build(buf);
    rb_transcript_doc d;
    rb_err err;
    assert_int_equal(rb_transcript_doc_build(t, &d, &err), RB_OK);
    assert_int_equal(d.doc.nunits, t->nsentences);
    assert_true(d.doc.nunits > 30);

    rb_keyphrase *kp, *kp2;
    size_t nk, nk2;
    assert_int_equal(rb_keyphrases(&d.doc, NULL, &kp, &nk, &err), RB_OK);
    assert_int_equal(rb_keyphrases(&d.doc, NULL, &kp2, &nk2, &err), RB_OK);
    assert_true(nk > 0);
    assert_int_equal(nk, nk2);
    for (size_t i = 0; i < nk; i++) {
        assert_string_equal(kp[i].text, kp2[i].text);
        if (i > 0)
            assert_true(kp[i - 1].score >= kp[i].score);
        print_message("keyphrase %zu: %s (%.3f)\n", i, kp[i].text, kp[i].score);
    }
    rb_keyphrases_free(kp, nk);
    rb_keyphrases_free(kp2, nk2);

    size_t bounds[64], nb = 0;
    rb_tiling_opts o = {0};
    o.granularity = RB_TILING_BALANCED;
    assert_int_equal(rb_texttiling(&d.doc, &o, bounds, 64, &nb, &err), RB_OK);
    for (size_t i = 0; i < nb; i++) {
        assert_true(bounds[i] > 0 && bounds[i] < d.doc.nunits);
        if (i > 0)
            assert_true(bounds[i] > bounds[i - 1]);
        print_message("segment starts at %.1f s: %s\n", d.doc.units[bounds[i]].start_ms / 1000.0,
                      d.doc.units[bounds[i]].text);
    }
    rb_transcript_doc_free(&d);
    rb_transcript_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_tokens_breaks),
        cmocka_unit_test(test_demo_talk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
