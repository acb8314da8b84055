/* test_profanity.c — the built-in lexicon: size, inflections, lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ai/profanity.h"

static int sev(const char *w)
{
    return rb_profanity_severity_folded(w, strlen(w));
}

static void test_lexicon_size(void **state)
{
    (void)state;
    size_t n = rb_profanity_base_count();
    assert_true(n >= 60 && n <= 150);
    for (size_t i = 0; i < n; i++) {
        int s = 0;
        const char *b = rb_profanity_base(i, &s);
        assert_non_null(b);
        assert_true(s >= RB_PROFANITY_MILD && s <= RB_PROFANITY_SLUR);
        /* Every base is lower-case ASCII and finds itself. */
        for (const char *p = b; *p; p++)
            assert_true(*p >= 'a' && *p <= 'z');
        assert_int_equal(sev(b), s);
    }
    assert_null(rb_profanity_base(n, NULL));
    /* The expansion adds several forms per base. */
    assert_true(rb_profanity_form_count() > 3 * n);
}

static void test_forms_sorted_unique(void **state)
{
    (void)state;
    size_t n = rb_profanity_form_count();
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(rb_profanity_form(i - 1), rb_profanity_form(i)) < 0);
    assert_null(rb_profanity_form(n));
}

static void test_inflections(void **state)
{
    (void)state;
    static const char *yes[] = {
        "fuck", "fucks", "fucked", "fucking", "fuckin", "fucker", "fuckers", "motherfucker",
        "motherfuckers", "motherfucking", "shit", "shits", "shitty", "shitting", "shitter",
        "bullshit", "bullshitting", "bullshitter", "bitch", "bitches", "bitching", "bitchy",
        "damn", "damned", "damning", "goddamn", "goddamned", "dammit", "crap", "crappy",
        "crapped", "piss", "pisses", "pissed", "pissing", "pussy", "pussies", "whore", "whores",
        "slut", "sluts", "slutty", "tranny", "trannies", "retarded", "cunts", "asses", "arsed",
        "wtf",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (sev(yes[i]) == RB_PROFANITY_NONE)
            fail_msg("missing form: %s", yes[i]);
    }
    /* Wrong spellings the rules must not produce, and words left out on purpose. */
    static const char *no[] = {
        "shitts", "fuckked", "bitchs", "pussys", "whoreing", "hell", "hello", "shell", "class",
        "assess", "scunthorpe", "god", "jesus", "", "fuc",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        if (sev(no[i]) != RB_PROFANITY_NONE)
            fail_msg("unexpected form: %s", no[i]);
    }
}

static void test_severity_levels(void **state)
{
    (void)state;
    assert_int_equal(sev("fucking"), RB_PROFANITY_STRONG);
    assert_int_equal(sev("damned"), RB_PROFANITY_MILD);
    assert_int_equal(sev("bitches"), RB_PROFANITY_MODERATE);
    assert_int_equal(sev("faggots"), RB_PROFANITY_SLUR);
}

static void test_unfolded_lookup(void **state)
{
    (void)state;
    assert_int_equal(rb_profanity_severity("FUCKING", 7), RB_PROFANITY_STRONG);
    assert_int_equal(rb_profanity_severity("Shitty", 6), RB_PROFANITY_STRONG);
    /* Full-width letters fold to ASCII under NFKC_Casefold. */
    assert_int_equal(rb_profanity_severity("\xef\xbc\xa6\xef\xbd\x95\xef\xbd\x83\xef\xbd\x8b", 12),
                     RB_PROFANITY_STRONG);
    assert_int_equal(rb_profanity_severity("Stra\xc3\x9f" "e", 7), RB_PROFANITY_NONE);
    /* Invalid UTF-8 and oversized input are simply not words. */
    assert_int_equal(rb_profanity_severity("fu\xff" "ck", 5), RB_PROFANITY_NONE);
    assert_int_equal(rb_profanity_severity(NULL, 3), RB_PROFANITY_NONE);
    char big[400];
    memset(big, 'a', sizeof big);
    assert_int_equal(rb_profanity_severity(big, sizeof big), RB_PROFANITY_NONE);
    /* Length, not NUL, bounds the lookup. */
    assert_int_equal(rb_profanity_severity_folded("fuckxyz", 4), RB_PROFANITY_STRONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lexicon_size),
        cmocka_unit_test(test_forms_sorted_unique),
        cmocka_unit_test(test_inflections),
        cmocka_unit_test(test_severity_levels),
        cmocka_unit_test(test_unfolded_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
