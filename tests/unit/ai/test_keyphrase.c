/* test_keyphrase.c — RAKE on the paper's example, stem merging, TF-IDF, edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "ai/keyphrase.h"
#include "common/clock.h"
#include "textdoc_fixture.h"

/* The first two sentences of the abstract in Rose et al. (2010), no stemming.
 * Candidates: compatibility | systems | linear constraints | set | natural
 * numbers // criteria | compatibility | system | linear diophantine equations |
 * strict inequations | nonstrict inequations | considered.
 * deg/freq: linear 5/2, constraints 2/1, natural 2/1, numbers 2/1, diophantine
 * 3/1, equations 3/1, strict 2/1, nonstrict 2/1, inequations 4/2, the rest 1.
 * Phrase scores: linear diophantine equations 2.5+3+3 = 8.5 (as in the paper),
 * linear constraints 4.5, natural numbers / nonstrict inequations / strict
 * inequations 4, then six single words at 1; ties ordered by stems. */
static void test_rake_paper(void **state)
{
    (void)state;
    const char *t[] = {
        "Compatibility of systems of linear constraints over the set of natural numbers.",
        "Criteria of compatibility of a system of linear Diophantine equations, strict "
        "inequations, and nonstrict inequations are considered."};
    fx_doc d;
    fx_build(&d, t, 2, 0);
    rb_keyphrase_opts o = {.top_n = 50, .weighting = RB_KEYPHRASE_RAKE};
    rb_keyphrase *k = NULL;
    size_t n = 0;
    rb_err err;
    assert_int_equal(rb_keyphrases(&d.doc, &o, &k, &n, &err), RB_OK);
    static const struct {
        const char *text;
        double score;
    } want[] = {{"linear diophantine equations", 8.5}, {"linear constraints", 4.5},
                {"natural numbers", 4.0},              {"nonstrict inequations", 4.0},
                {"strict inequations", 4.0},           {"compatibility", 1.0},
                {"considered", 1.0},                   {"criteria", 1.0},
                {"set", 1.0},                          {"system", 1.0},
                {"systems", 1.0}};
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(k[i].text, want[i].text);
        assert_float_equal(k[i].score, want[i].score, 1e-6);
        assert_float_equal(k[i].rake, want[i].score, 1e-6);
    }
    assert_int_equal(k[5].tf, 2); /* compatibility, once per sentence */
    assert_int_equal(k[5].df, 2);
    rb_keyphrases_free(k, n);
    /* top_n truncates the same ranking. */
    o.top_n = 2;
    assert_int_equal(rb_keyphrases(&d.doc, &o, &k, &n, &err), RB_OK);
    assert_int_equal(n, 2);
    assert_string_equal(k[1].text, "linear constraints");
    rb_keyphrases_free(k, n);
    /* max_words = 2 drops the three-word candidate and with it its word counts:
     * linear becomes 2/1, so linear constraints = 4. */
    o = (rb_keyphrase_opts){.top_n = 1, .max_words = 2, .weighting = RB_KEYPHRASE_RAKE};
    assert_int_equal(rb_keyphrases(&d.doc, &o, &k, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(k[0].text, "linear constraints");
    assert_float_equal(k[0].score, 4.0, 1e-6);
    rb_keyphrases_free(k, n);
    fx_free(&d);
}

/* Inflections merge by stem: "neural networks" x2 and "neural network" x1 are
 * one phrase shown as "neural networks". neural 6/3 + network 6/3 = 4; great
 * 2/2 = 1. N = 3: neural networks 4 (1 + ln 3) ln(1 + 3/3) = 5.818589,
 * great (1 + ln 2) ln(1 + 3/2) = 1.551415. */
static void test_tfidf_and_merge(void **state)
{
    (void)state;
    const char *t[] = {"Neural networks are great", "the neural network is great",
                       "neural networks"};
    fx_doc d;
    fx_build(&d, t, 3, 1);
    rb_keyphrase *k = NULL;
    size_t n = 0;
    rb_err err;
    assert_int_equal(rb_keyphrases(&d.doc, NULL, &k, &n, &err), RB_OK);
    assert_int_equal(n, 2);
    assert_string_equal(k[0].text, "neural networks");
    assert_float_equal(k[0].score, 5.818588763915018, 1e-6);
    assert_float_equal(k[0].rake, 4.0, 1e-6);
    assert_int_equal(k[0].tf, 3);
    assert_int_equal(k[0].df, 3);
    assert_string_equal(k[1].text, "great");
    assert_float_equal(k[1].score, 1.5514150692459345, 1e-6);
    rb_keyphrases_free(k, n);
    fx_free(&d);
}

static void test_edges(void **state)
{
    (void)state;
    rb_keyphrase *k = NULL;
    size_t n = 5;
    rb_err err;
    rb_text_doc empty = {NULL, 0};
    assert_int_equal(rb_keyphrases(&empty, NULL, &k, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    assert_null(k);
    const char *stops[] = {"the of and", "a an is"};
    fx_doc d;
    fx_build(&d, stops, 2, 1);
    assert_int_equal(rb_keyphrases(&d.doc, NULL, &k, &n, &err), RB_OK);
    assert_int_equal(n, 0);
    rb_keyphrase_opts bad = {.weighting = 9};
    assert_int_not_equal(rb_keyphrases(&d.doc, &bad, &k, &n, &err), RB_OK);
    fx_free(&d);
    /* One unit of one word: RAKE 1, tf 1, idf ln 2. */
    const char *one[] = {"hello"};
    fx_build(&d, one, 1, 1);
    assert_int_equal(rb_keyphrases(&d.doc, NULL, &k, &n, &err), RB_OK);
    assert_int_equal(n, 1);
    assert_string_equal(k[0].text, "hello");
    assert_float_equal(k[0].score, 0.6931471805599453, 1e-6);
    rb_keyphrases_free(k, n);
    fx_free(&d);
}

static void test_determinism_and_time(void **state)
{
    (void)state;
    fx_doc d;
    fx_topics(&d, 90, 10);
    rb_keyphrase *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    rb_err err;
    int64_t t0 = rb_mono_ns();
    assert_int_equal(rb_keyphrases(&d.doc, NULL, &a, &na, &err), RB_OK);
    int64_t t1 = rb_mono_ns();
    assert_int_equal(rb_keyphrases(&d.doc, NULL, &b, &nb, &err), RB_OK);
    assert_int_equal(na, 10);
    assert_int_equal(nb, na);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(a[i].text, b[i].text);
        assert_true(a[i].score == b[i].score);
        if (i)
            assert_true(a[i - 1].score >= a[i].score);
    }
    printf("keyphrase: %zu units: %.3f ms\n", d.doc.nunits, (double)(t1 - t0) / 1e6);
    rb_keyphrases_free(a, na);
    rb_keyphrases_free(b, nb);
    fx_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rake_paper),
        cmocka_unit_test(test_tfidf_and_merge),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_determinism_and_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
