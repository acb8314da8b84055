/* test_textrank.c — TextRank: closed-form PageRank, centroid fallback, edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "ai/textrank.h"
#include "common/clock.h"
#include "textdoc_fixture.h"

/* Units {cat,dog}, {cat,dog,bird}, {bird,fish}: edges 0-1 (2 shared stems) and
 * 1-2 (1 shared), both with denominator ln2+ln3, so vertex 1 sends 2/3 of its
 * score to 0 and 1/3 to 2, and 0 and 2 send everything to 1. The fixed point:
 * WS1 = 0.15 + 0.85 (WS0 + WS2), WS0 + WS2 = 0.3 + 0.85 WS1
 *   => WS1 = 0.405 / 0.2775 = 1.459459..., WS0 = 0.15 + 0.85*2/3*WS1 = 0.977027...,
 *      WS2 = 0.15 + 0.85/3*WS1 = 0.563514... */
static void test_pagerank_closed_form(void **state)
{
    (void)state;
    const char *t[] = {"the cats and dogs", "a cat, a dog and a bird", "bird fish"};
    fx_doc d;
    fx_build(&d, t, 3, 1);
    rb_textrank_opts o = {.tol = 1e-13, .max_iter = 1000};
    rb_text_score *s = NULL;
    size_t n = 0;
    int method = 0, iters = 0;
    rb_err err;
    assert_int_equal(rb_textrank(&d.doc, &o, &s, &n, &method, &iters, &err), RB_OK);
    assert_int_equal(method, RB_TEXTRANK_PAGERANK);
    assert_true(iters > 1 && iters < 1000);
    assert_int_equal(n, 3);
    assert_int_equal(s[0].unit, 1);
    assert_float_equal(s[0].score, 0.405 / 0.2775, 1e-9);
    assert_int_equal(s[1].unit, 0);
    assert_float_equal(s[1].score, 0.977027027027027, 1e-9);
    assert_int_equal(s[2].unit, 2);
    assert_float_equal(s[2].score, 0.5635135135135135, 1e-9);
    free(s);
    /* Default tolerance 1e-6 lands within 1e-5 of the fixed point, same order. */
    assert_int_equal(rb_textrank(&d.doc, NULL, &s, &n, &method, &iters, &err), RB_OK);
    assert_int_equal(s[0].unit, 1);
    assert_int_equal(s[1].unit, 0);
    assert_int_equal(s[2].unit, 2);
    assert_float_equal(s[0].score, 0.405 / 0.2775, 1e-5);
    free(s);
    fx_free(&d);
}

/* Two units fall back to the centroid: doc vector {cat:2, dog:1}.
 * U0 {cat,dog}: 3/sqrt(2*5) = 0.948683; U1 {cat}: 2/sqrt(5) = 0.894427. */
static void test_centroid(void **state)
{
    (void)state;
    const char *t[] = {"cat dog", "the cats"};
    fx_doc d;
    fx_build(&d, t, 2, 1);
    rb_text_score *s = NULL;
    size_t n = 0;
    int method = 0;
    rb_err err;
    assert_int_equal(rb_textrank(&d.doc, NULL, &s, &n, &method, NULL, &err), RB_OK);
    assert_int_equal(method, RB_TEXTRANK_CENTROID);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].unit, 0);
    assert_float_equal(s[0].score, 0.9486832980505138, 1e-6);
    assert_int_equal(s[1].unit, 1);
    assert_float_equal(s[1].score, 0.8944271909999159, 1e-6);
    free(s);
    fx_free(&d);
}

static void test_edges(void **state)
{
    (void)state;
    rb_text_score *s = NULL;
    size_t n = 9;
    int method = 9;
    rb_err err;
    rb_text_doc empty = {NULL, 0};
    assert_int_equal(rb_textrank(&empty, NULL, &s, &n, &method, NULL, &err), RB_OK);
    assert_int_equal(n, 0);
    assert_null(s);
    assert_int_equal(method, RB_TEXTRANK_NONE);

    const char *one[] = {"single sentence here"};
    fx_doc d;
    fx_build(&d, one, 1, 1);
    assert_int_equal(rb_textrank(&d.doc, NULL, &s, &n, &method, NULL, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(method, RB_TEXTRANK_CENTROID);
    assert_float_equal(s[0].score, 1.0, 1e-12);
    free(s);
    fx_free(&d);

    /* All stop words: no edges, centroid scores 0, ties by index. */
    const char *stops[] = {"the of", "a an", "and the", "is"};
    fx_build(&d, stops, 4, 1);
    assert_int_equal(rb_textrank(&d.doc, NULL, &s, &n, &method, NULL, &err), RB_OK);
    assert_int_equal(n, 4);
    assert_int_equal(method, RB_TEXTRANK_CENTROID);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(s[i].unit, i);
        assert_float_equal(s[i].score, 0.0, 0.0);
    }
    free(s);
    /* Past the unit cap the graph would be too large: refused before any work. */
    static rb_text_unit many[RB_TEXTRANK_MAX_UNITS + 1];
    rb_text_doc big = {many, RB_TEXTRANK_MAX_UNITS + 1};
    assert_int_equal(rb_textrank(&big, NULL, &s, &n, &method, NULL, &err), RB_TOOBIG);
    assert_null(s);
    rb_textrank_opts bad = {.damping = 1.5};
    assert_int_not_equal(rb_textrank(&d.doc, &bad, &s, &n, &method, NULL, &err), RB_OK);
    fx_free(&d);
}

static void test_determinism_and_time(void **state)
{
    (void)state;
    fx_doc d;
    fx_topics(&d, 90, 10);
    rb_text_score *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    rb_err err;
    int64_t t0 = rb_mono_ns();
    assert_int_equal(rb_textrank(&d.doc, NULL, &a, &na, NULL, NULL, &err), RB_OK);
    int64_t t1 = rb_mono_ns();
    assert_int_equal(rb_textrank(&d.doc, NULL, &b, &nb, NULL, NULL, &err), RB_OK);
    assert_int_equal(na, 900);
    assert_int_equal(nb, 900);
    assert_memory_equal(a, b, na * sizeof *a);
    for (size_t i = 1; i < na; i++)
        assert_true(a[i - 1].score > a[i].score ||
                    (a[i - 1].score == a[i].score && a[i - 1].unit < a[i].unit));
    printf("textrank: %zu units: %.3f ms\n", d.doc.nunits, (double)(t1 - t0) / 1e6);
    free(a);
    free(b);
    fx_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pagerank_closed_form),
        cmocka_unit_test(test_centroid),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_determinism_and_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
