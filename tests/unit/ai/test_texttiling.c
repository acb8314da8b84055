/* test_texttiling.c — TextTiling: a hand-computed case, the 3-topic doc, knobs, edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "ai/texttiling.h"
#include "common/clock.h"
#include "textdoc_fixture.h"

/* w=2, k=1: every unit is one pseudo-sentence. Cohesion at the three gaps is
 * cos(a,a)=1, cos(a,b)=0, cos(b,b)=1; depths 0, (1-0)+(1-0)=2, 0; mean 2/3,
 * so only the middle gap (before token 4, the start of unit 2) is kept. */
static void test_hand_case(void **state)
{
    (void)state;
    const char *t[] = {"x x", "x x", "y y", "y y"};
    fx_doc d;
    fx_build(&d, t, 4, 1);
    rb_tiling_opts o = {.w = 2, .k = 1, .granularity = RB_TILING_BALANCED, .min_units = 1};
    size_t b[4], n = 0;
    rb_err err;
    assert_int_equal(rb_texttiling(&d.doc, &o, b, 4, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(b[0], 2);
    /* min_units=3 would leave a 2-unit segment on either side: nothing kept. */
    o.min_units = 3;
    assert_int_equal(rb_texttiling(&d.doc, &o, b, 4, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    fx_free(&d);
}

static void test_three_topics(void **state)
{
    (void)state;
    fx_doc d;
    fx_topics(&d, 3, 10);
    rb_err err;
    size_t b[30], n = 0, b2[30], n2 = 0;
    for (int g = RB_TILING_COARSE; g <= RB_TILING_FINE; g++) {
        rb_tiling_opts o = {.granularity = g};
        assert_int_equal(rb_texttiling(&d.doc, &o, b, 30, &n, &err), RB_OK);
        assert_int_equal(n, 2);
        assert_int_equal(b[0], 10);
        assert_int_equal(b[1], 20);
        assert_int_equal(rb_texttiling(&d.doc, &o, b2, 30, &n2, &err), RB_OK);
        assert_int_equal(n2, n);
        assert_memory_equal(b, b2, n * sizeof *b);
    }
    /* Defaults (NULL opts) are the balanced setting. */
    assert_int_equal(rb_texttiling(&d.doc, NULL, b, 30, &n, &err), RB_OK);
    assert_int_equal(n, 2);
    assert_int_equal(b[0], 10);
    assert_int_equal(b[1], 20);
    /* Too small an output array is reported, not overrun. */
    assert_int_equal(rb_texttiling(&d.doc, NULL, b, 1, &n, &err), RB_TOOBIG);
    assert_int_equal(n, 1);
    fx_free(&d);
}

static void test_edges(void **state)
{
    (void)state;
    rb_err err;
    size_t b[4], n = 7;
    rb_text_doc empty = {NULL, 0};
    assert_int_equal(rb_texttiling(&empty, NULL, b, 4, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    const char *one[] = {"alpha beta gamma delta"};
    fx_doc d;
    fx_build(&d, one, 1, 1);
    assert_int_equal(rb_texttiling(&d.doc, NULL, b, 4, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    fx_free(&d);
    const char *stops[] = {"the of", "a an", "the the", "of of"};
    fx_build(&d, stops, 4, 1);
    rb_tiling_opts o = {.w = 1, .k = 1, .min_units = 1};
    assert_int_equal(rb_texttiling(&d.doc, &o, b, 4, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    o.granularity = 7;
    assert_int_not_equal(rb_texttiling(&d.doc, &o, b, 4, &n, &err), RB_OK);
    fx_free(&d);
}

static void test_time_900(void **state)
{
    (void)state;
    fx_doc d;
    fx_topics(&d, 30, 30);
    rb_err err;
    size_t b[900], n = 0;
    int64_t t0 = rb_mono_ns();
    assert_int_equal(rb_texttiling(&d.doc, NULL, b, 900, &n, &err), RB_OK);
    int64_t t1 = rb_mono_ns();
    /* 30 topics of 30 units: every topic change is found. */
    assert_int_equal(n, 29);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(b[i], 30 * (i + 1));
    printf("texttiling: %zu units: %.3f ms\n", d.doc.nunits, (double)(t1 - t0) / 1e6);
    fx_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_case),
        cmocka_unit_test(test_three_topics),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_time_900),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
