/* test_bm25.c — Okapi BM25: hand-computed scores, ranking, edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "ai/bm25.h"
#include "common/clock.h"
#include "textdoc_fixture.h"

/* N=3, lengths 2,3,1, avglen 2. "cat": df 2, idf = ln(1 + 1.5/2.5) = ln 1.6.
 * U0: tf 1, norm 1 -> ln1.6 * 2.2/2.2 = 0.470004.
 * U1: tf 2, norm 0.25+0.75*1.5 = 1.375 -> ln1.6 * 4.4/(2+1.65) = 0.566580.
 * "bird": df 1, idf = ln(1 + 2.5/1.5); U2: tf 1, norm 0.625 -> *2.2/1.75 = 1.233042. */
static const char *const small[] = {"the cat and the dog", "cat cats fish", "a bird"};

static void test_hand_scores(void **state)
{
    (void)state;
    fx_doc d;
    fx_build(&d, small, 3, 1);
    rb_bm25 *x = NULL;
    rb_err err;
    assert_int_equal(rb_bm25_build(&d.doc, &x, &err), RB_OK);
    rb_bm25_hit h[5];
    size_t n = 0;
    const char *q1[] = {"cat"};
    assert_int_equal(rb_bm25_query(x, q1, 1, h, 5, &n, &err), RB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(h[0].unit, 1);
    assert_float_equal(h[0].score, 0.5665797174469143, 1e-6);
    assert_int_equal(h[1].unit, 0);
    assert_float_equal(h[1].score, 0.47000362924573563, 1e-6);
    /* Duplicates count once; unknown stems and stop words contribute nothing. */
    const char *q2[] = {"cat", "bird", "cat", "zebra", "the"};
    assert_int_equal(rb_bm25_query(x, q2, 5, h, 5, &n, &err), RB_OK);
    assert_int_equal(n, 3);
    assert_int_equal(h[0].unit, 2);
    assert_float_equal(h[0].score, 1.233042489500456, 1e-6);
    assert_int_equal(h[1].unit, 1);
    assert_float_equal(h[1].score, 0.5665797174469143, 1e-6);
    assert_int_equal(h[2].unit, 0);
    /* max caps the output. */
    assert_int_equal(rb_bm25_query(x, q2, 5, h, 1, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(h[0].unit, 2);
    const char *q3[] = {"zebra"};
    assert_int_equal(rb_bm25_query(x, q3, 1, h, 5, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    rb_bm25_free(x);
    fx_free(&d);
}

static void test_topic_doc_ranks_holder_first(void **state)
{
    (void)state;
    fx_doc d;
    fx_topics(&d, 3, 10);
    rb_bm25 *x = NULL;
    rb_err err;
    assert_int_equal(rb_bm25_build(&d.doc, &x, &err), RB_OK);
    /* Unit 13 is the only one holding both t1w5 and t1w0 ((13*5)%12 = 5, +7*1 = 0). */
    const char *q[] = {"t1w5", "t1w0"};
    rb_bm25_hit h[30];
    size_t n = 0;
    assert_int_equal(rb_bm25_query(x, q, 2, h, 30, &n, &err), RB_OK);
    assert_true(n >= 1);
    assert_int_equal(h[0].unit, 13);
    for (size_t i = 0; i < n; i++) {
        assert_true(h[i].unit >= 10 && h[i].unit < 20);
        if (i)
            assert_true(h[i - 1].score >= h[i].score);
    }
    rb_bm25_free(x);
    fx_free(&d);
}

static void test_edges(void **state)
{
    (void)state;
    rb_err err;
    rb_bm25 *x = NULL;
    rb_bm25_hit h[2];
    size_t n = 9;
    const char *q[] = {"cat"};
    rb_text_doc empty = {NULL, 0};
    assert_int_equal(rb_bm25_build(&empty, &x, &err), RB_OK);
    assert_int_equal(rb_bm25_query(x, q, 1, h, 2, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    rb_bm25_free(x);

    const char *stops[] = {"the of and", "a an"};
    fx_doc d;
    fx_build(&d, stops, 2, 1);
    const char *qs[] = {"the"};
    assert_int_equal(rb_bm25_build(&d.doc, &x, &err), RB_OK);
    assert_int_equal(rb_bm25_query(x, qs, 1, h, 2, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    rb_bm25_free(x);
    fx_free(&d);

    const char *one[] = {"cat"};
    fx_build(&d, one, 1, 1);
    assert_int_equal(rb_bm25_build(&d.doc, &x, &err), RB_OK);
    assert_int_equal(rb_bm25_query(x, q, 1, h, 2, &n, &err), RB_OK);
    /* N=1, df=1: idf = ln(1 + 0.5/1.5) = ln(4/3); tf 1 at average length. */
    assert_int_equal(n, 1);
    assert_float_equal(h[0].score, 0.28768207245178085, 1e-6);
    rb_bm25_free(x);
    fx_free(&d);

    rb_text_token bad = {NULL, NULL, 0, 0};
    rb_text_unit bu = {"x", 0, 1, &bad, 1};
    rb_text_doc bd = {&bu, 1};
    assert_int_not_equal(rb_bm25_build(&bd, &x, &err), RB_OK);
    assert_null(x);
}

static void test_determinism_and_time(void **state)
{
    (void)state;
    fx_doc d;
    fx_topics(&d, 90, 10);
    rb_err err;
    const char *q[] = {"t42w3", "t42w7", "t7w1"};
    rb_bm25_hit a[20], b[20];
    size_t na = 0, nb = 0;
    int64_t t0 = rb_mono_ns();
    rb_bm25 *x = NULL;
    assert_int_equal(rb_bm25_build(&d.doc, &x, &err), RB_OK);
    assert_int_equal(rb_bm25_query(x, q, 3, a, 20, &na, &err), RB_OK);
    int64_t t1 = rb_mono_ns();
    rb_bm25_free(x);
    assert_int_equal(rb_bm25_build(&d.doc, &x, &err), RB_OK);
    assert_int_equal(rb_bm25_query(x, q, 3, b, 20, &nb, &err), RB_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof *a);
    printf("bm25: build+query on %zu units: %.3f ms\n", d.doc.nunits, (double)(t1 - t0) / 1e6);
    rb_bm25_free(x);
    fx_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_scores),
        cmocka_unit_test(test_topic_doc_ranks_holder_first),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_determinism_and_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
