/* test_langcache.c — the process-wide per-language cache behind
 * rb_thesaurus_get and rb_background_get: primary subtags, one open per
 * language (also when opening failed), one instance shared by threads, the
 * slot limit, and shutdown closing everything and opening again after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/langcache.h"

/* A fake resource: an int holding the language's first letter. Opening
 * "xx" fails, as an absent thesaurus does. */
static int g_opens, g_closes;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static int fake_open(const char *lang, void **out, rb_err *err)
{
    pthread_mutex_lock(&g_mu);
    g_opens++;
    pthread_mutex_unlock(&g_mu);
    *out = NULL;
    if (strcmp(lang, "xx") == 0)
        return rb_err_set(err, 404, "not_found", "fake: nothing for %s", lang);
    int *v = malloc(sizeof *v);
    if (!v)
        return rb_err_set(err, 500, "internal_error", "fake: out of memory");
    *v = lang[0];
    *out = v;
    return RB_OK;
}

static void fake_close(void *obj)
{
    g_closes++;
    free(obj);
}

static void fake_describe(const void *obj, char *buf, size_t n)
{
    snprintf(buf, n, "value %d", *(const int *)obj);
}

static rb_langcache g_cache =
    RB_LANGCACHE_INIT("fake", "nothing", fake_open, fake_close, fake_describe);

static void reset(void)
{
    rb_langcache_shutdown(&g_cache);
    g_opens = g_closes = 0;
}

static void test_primary(void **state)
{
    (void)state;
    char ll[4];
    assert_int_equal(rb_langcache_primary("en-GB", ll), 0);
    assert_string_equal(ll, "en");
    assert_int_equal(rb_langcache_primary("DE_ch", ll), 0);
    assert_string_equal(ll, "de");
    assert_int_equal(rb_langcache_primary("ast", ll), 0);
    assert_string_equal(ll, "ast");
    assert_int_equal(rb_langcache_primary("e", ll), -1);        /* too short */
    assert_int_equal(rb_langcache_primary("engl", ll), -1);     /* too long */
    assert_int_equal(rb_langcache_primary("e1", ll), -1);       /* not a letter */
    assert_int_equal(rb_langcache_primary("../x", ll), -1);     /* never a path */
    assert_int_equal(rb_langcache_primary("", ll), -1);
    assert_int_equal(rb_langcache_primary(NULL, ll), -1);
}

static void test_once_per_language(void **state)
{
    (void)state;
    reset();
    int *a = rb_langcache_get(&g_cache, "en");
    assert_non_null(a);
    assert_int_equal(*a, 'e');
    /* Regional variants and case share the primary subtag's instance. */
    assert_ptr_equal(rb_langcache_get(&g_cache, "en-US"), a);
    assert_ptr_equal(rb_langcache_get(&g_cache, "EN"), a);
    assert_int_equal(g_opens, 1);
    /* A failure is remembered: one probe, then NULL without opening again. */
    assert_null(rb_langcache_get(&g_cache, "xx"));
    assert_null(rb_langcache_get(&g_cache, "xx-YY"));
    assert_int_equal(g_opens, 2);
    /* A malformed code never reaches open. */
    assert_null(rb_langcache_get(&g_cache, "e"));
    assert_null(rb_langcache_get(&g_cache, NULL));
    assert_int_equal(g_opens, 2);
    /* Shutdown closes the opened instance (not the failed one) and the next
     * get opens again. */
    rb_langcache_shutdown(&g_cache);
    assert_int_equal(g_closes, 1);
    assert_non_null(rb_langcache_get(&g_cache, "en"));
    assert_int_equal(g_opens, 3);
    reset();
}

static void test_slot_limit(void **state)
{
    (void)state;
    reset();
    char code[3] = "aa";
    for (int i = 0; i < RB_LANGCACHE_SLOTS; i++) {
        code[1] = (char)('a' + i);
        assert_non_null(rb_langcache_get(&g_cache, code));
    }
    /* One more language than slots: opened, refused and closed at once, so
     * nothing is left without an owner. */
    assert_null(rb_langcache_get(&g_cache, "zz"));
    assert_int_equal(g_opens, RB_LANGCACHE_SLOTS + 1);
    assert_int_equal(g_closes, 1);
    /* The cached ones still answer without opening. */
    assert_non_null(rb_langcache_get(&g_cache, "aa"));
    assert_int_equal(g_opens, RB_LANGCACHE_SLOTS + 1);
    rb_langcache_shutdown(&g_cache);
    assert_int_equal(g_closes, 1 + RB_LANGCACHE_SLOTS);
    reset();
}

static void *worker(void *arg)
{
    (void)arg;
    void *first = rb_langcache_get(&g_cache, "fr");
    for (int i = 0; i < 1000; i++)
        if (rb_langcache_get(&g_cache, "fr-CA") != first)
            return NULL;
    return first;
}

static void test_threads_share_one(void **state)
{
    (void)state;
    reset();
    pthread_t th[8];
    void *got[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, NULL), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_join(th[i], &got[i]), 0);
    assert_non_null(got[0]);
    for (int i = 1; i < 8; i++)
        assert_ptr_equal(got[i], got[0]);
    assert_int_equal(g_opens, 1);
    reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primary),
        cmocka_unit_test(test_once_per_language),
        cmocka_unit_test(test_slot_limit),
        cmocka_unit_test(test_threads_share_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
