/* test_background.c — general-language stem counts: exact counts on tiny
 * fixture corpora (tests/fixtures/background/), inflections meeting on one
 * stem, damaged and oversized input, a missing corpus = weight 1, the
 * ROBOTS_BACKGROUND_DIR override and the process-wide cache, and spot checks
 * with load times on the installed dasher-data corpora when present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ai/background.h"
#include "common/clock.h"

#define FIXTURES ROBOTS_SOURCE_DIR "/tests/fixtures/background"

static size_t count(const rb_background *b, const char *stem)
{
    return rb_background_count(b, stem, strlen(stem));
}

static double weight(const rb_background *b, const char *stem)
{
    return rb_background_weight(b, stem, strlen(stem));
}

static void test_fixture_counts(void **state)
{
    (void)state;
    rb_err err;
    rb_err_clear(&err);
    rb_background *b = NULL;
    assert_int_equal(rb_background_open(FIXTURES, "en", &b, &err), RB_OK);
    /* Three lines of 9, 11 and 10 words ("dog's" is one word). */
    assert_int_equal(rb_background_total(b), 30);
    /* Inflections meet on the Snowball stem: water, waters, Water. */
    assert_int_equal(count(b, "water"), 4);
    assert_int_equal(count(b, "dog"), 3); /* dog, dogs, dog's */
    assert_int_equal(count(b, "room"), 2);
    assert_int_equal(count(b, "the"), 5); /* stop words are counted too */
    assert_int_equal(count(b, "rise"), 1); /* "rising" */
    assert_int_equal(count(b, "kayak"), 0);
    assert_int_equal(count(b, "waters"), 0); /* only stems are keys */
    assert_int_equal(count(b, ""), 0);
    assert_true(rb_background_size(b) > 10 && rb_background_size(b) < 30);
    assert_true(rb_background_bytes(b) > 0);
    /* Weight: log((N + 1) / (c + 1)) / log(N + 1). */
    assert_true(weight(b, "kayak") == 1.0);
    assert_true(weight(b, "water") > 0.53 && weight(b, "water") < 0.54); /* ln 6.2 / ln 31 */
    assert_true(weight(b, "bowl") > weight(b, "water"));
    assert_true(weight(b, "water") > weight(b, "the"));
    rb_background_close(b);

    /* German: Hand, Händen and Hände are one stem; regional codes map to
     * the primary language. */
    assert_int_equal(rb_background_open(FIXTURES, "de-AT", &b, &err), RB_OK);
    assert_int_equal(rb_background_total(b), 25);
    assert_int_equal(count(b, "hand"), 5);
    assert_int_equal(count(b, "tass"), 1);
    rb_background_close(b);
}

static void test_missing_is_neutral(void **state)
{
    (void)state;
    rb_err err;
    rb_err_clear(&err);
    rb_background *b = (rb_background *)1;
    /* The fixture directory has no French corpus; no language "it" exists
     * in the file table; a directory that does not exist. */
    assert_int_equal(rb_background_open(FIXTURES, "fr", &b, &err), RB_NOTFOUND);
    assert_null(b);
    assert_int_equal(err.status, 404);
    assert_int_equal(rb_background_open(FIXTURES, "it", &b, &err), RB_NOTFOUND);
    assert_int_equal(rb_background_open("/nonexistent/robots", "en", &b, &err), RB_NOTFOUND);
    assert_int_equal(rb_background_open(FIXTURES, NULL, &b, &err), RB_NOTFOUND);
    assert_int_equal(rb_background_open(FIXTURES, "", &b, &err), RB_NOTFOUND);
    /* No table: every word weighs 1 and counts 0. */
    assert_true(weight(NULL, "water") == 1.0);
    assert_int_equal(count(NULL, "water"), 0);
    assert_int_equal(rb_background_total(NULL), 0);
    assert_int_equal(rb_background_size(NULL), 0);
    rb_background_close(NULL);
}

static void test_mem_damaged_and_chunked(void **state)
{
    (void)state;
    rb_err err;
    rb_err_clear(&err);
    rb_background *b = NULL;

    /* Empty text: a table with nothing in it weighs every word 1. */
    assert_int_equal(rb_background_open_mem("", 0, "en", &b, &err), RB_OK);
    assert_int_equal(rb_background_total(b), 0);
    assert_true(weight(b, "water") == 1.0);
    rb_background_close(b);

    /* Invalid UTF-8 and a NUL are read as spaces, not as a failure. */
    static const char bad[] = "water \xff\xfe water\0water caf\xc3";
    assert_int_equal(rb_background_open_mem(bad, sizeof bad - 1, "en", &b, &err), RB_OK);
    assert_int_equal(count(b, "water"), 3);
    assert_int_equal(count(b, "caf"), 1);
    rb_background_close(b);

    /* More than one tokenizer chunk (64 KiB): cut at a line end, at a
     * space, or on a character boundary, never inside a word that fits. */
    size_t n = 30000, len = 0;
    char *big = malloc(n * 8 + 1);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++) {
        memcpy(big + len, i % 1000 == 999 ? "ducks\n" : "ducks ", 6);
        len += 6;
    }
    assert_int_equal(rb_background_open_mem(big, len, "en", &b, &err), RB_OK);
    assert_int_equal(count(b, "duck"), n);
    assert_int_equal(rb_background_total(b), n);
    rb_background_close(b);
    len = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(big + len, "eau ", 4);
        len += 4;
    }
    assert_int_equal(rb_background_open_mem(big, len, "fr", &b, &err), RB_OK);
    assert_int_equal(count(b, "eau"), n);
    rb_background_close(b);
    /* One 120 KiB "word" of two-byte letters: no space to cut at. */
    for (size_t i = 0; i + 1 < n * 4; i += 2)
        memcpy(big + i, "\xc3\xa9", 2);
    assert_int_equal(rb_background_open_mem(big, n * 4, "fr", &b, &err), RB_OK);
    assert_true(rb_background_total(b) >= 2); /* cut into pieces, all counted */
    assert_int_equal(rb_background_size(b), 0); /* too long to be a word */
    rb_background_close(b);
    free(big);

    /* Over the size limit. */
    assert_int_equal(rb_background_open_mem("x", RB_BACKGROUND_MAX_FILE + 1, "en", &b, &err),
                     RB_ERR);
    assert_null(b);
    assert_int_equal(err.status, 422);
}

static void *get_en(void *arg)
{
    (void)arg;
    return (void *)rb_background_get("en");
}

static void test_env_override_and_cache(void **state)
{
    (void)state;
    setenv("ROBOTS_BACKGROUND_DIR", FIXTURES, 1);
    rb_background_shutdown();
    pthread_t th[4];
    void *got[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, get_en, NULL), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(th[i], &got[i]), 0);
    const rb_background *b = rb_background_get("en-GB");
    assert_non_null(b);
    for (int i = 0; i < 4; i++)
        assert_ptr_equal(got[i], b); /* built once, shared */
    assert_int_equal(rb_background_total(b), 30);
    assert_int_equal(count(b, "water"), 4);
    assert_null(rb_background_get("fr")); /* absent, and remembered */
    assert_null(rb_background_get("fr"));
    assert_null(rb_background_get(NULL));

    /* The directory is read once: changing the variable needs a shutdown. */
    setenv("ROBOTS_BACKGROUND_DIR", "/nonexistent/robots", 1);
    assert_ptr_equal(rb_background_get("en"), b);
    rb_background_shutdown();
    assert_null(rb_background_get("en"));
    rb_background_shutdown();
    unsetenv("ROBOTS_BACKGROUND_DIR");
}

/* The installed dasher-data corpora, when present: sizes, load times, and
 * the generic words the tag lists were full of against specific ones. */
static void test_installed_corpora(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *generic, *specific;
    } langs[] = {
        {"en", "water", "mezcal"},
        {"fr", "eau", "amoxicilline"},
        {"de", "hand", "achterknot"},
        {"es", "final", "mezcal"},
    };
    int any = 0;
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        rb_err err;
        rb_err_clear(&err);
        rb_background *b = NULL;
        int64_t t0 = rb_mono_ns();
        int rc = rb_background_open("/usr/share/dasher", langs[i].lang, &b, &err);
        double ms = (double)(rb_mono_ns() - t0) / 1e6;
        if (rc == RB_NOTFOUND)
            continue;
        assert_int_equal(rc, RB_OK);
        any = 1;
        printf("    background %s: %zu tokens, %zu stems, %zu KiB, %.1f ms\n", langs[i].lang,
               rb_background_total(b), rb_background_size(b), rb_background_bytes(b) / 1024, ms);
        assert_true(rb_background_total(b) > 50000);
        assert_true(count(b, langs[i].generic) > 10);
        assert_true(weight(b, langs[i].generic) < weight(b, langs[i].specific));
        rb_background_close(b);
    }
    if (!any)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_counts),
        cmocka_unit_test(test_missing_is_neutral),
        cmocka_unit_test(test_mem_damaged_and_chunked),
        cmocka_unit_test(test_env_override_and_cache),
        cmocka_unit_test(test_installed_corpora),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
