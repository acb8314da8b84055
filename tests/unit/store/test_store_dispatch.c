/* test_store_dispatch.c — the seam in store.c: rb_store_open picks the
 * backend by URL scheme, every call goes through the handle's ops table, a
 * call the backend leaves out answers 501 "not_implemented" naming itself,
 * and the common header (serial, event hook) works the same for any backend.
 * A fake backend stands in, so this needs no database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* ---- a fake backend: settings only --------------------------------------------- */

typedef struct fake_store {
    rb_store base;
    int closed;
    int reserved;
    char last_key[64];
} fake_store;

static int fake_closes;

static void fake_close(rb_store *st)
{
    fake_closes++;
    rb_store_base_destroy(st);
    free(st);
}

static void fake_reserve(rb_store *st, int n)
{
    ((fake_store *)st)->reserved = n;
}

static int fake_setting_get(rb_store *st, const char *key, char *out, size_t outlen, rb_err *err)
{
    fake_store *f = (fake_store *)st;
    snprintf(f->last_key, sizeof f->last_key, "%s", key);
    if (strcmp(key, "known") != 0)
        return RB_NOTFOUND;
    snprintf(out, outlen, "v-%s", key);
    return RB_OK;
}

static const rb_store_ops fake_ops = {
    .name = "fake",
    .close = fake_close,
    .pool_reserve = fake_reserve,
    .setting_get = fake_setting_get,
};

static fake_store *fake_open(void)
{
    fake_store *f = calloc(1, sizeof *f);
    assert_non_null(f);
    rb_store_base_init(&f->base, &fake_ops);
    return f;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_dispatch_and_not_implemented(void **state)
{
    (void)state;
    fake_store *f = fake_open();
    rb_store *st = &f->base;
    rb_err err;
    char v[32];
    assert_int_equal(rb_store_setting_get(st, "known", v, sizeof v, &err), RB_OK);
    assert_string_equal(v, "v-known");
    assert_string_equal(f->last_key, "known");
    assert_int_equal(rb_store_setting_get(st, "other", v, sizeof v, &err), RB_NOTFOUND);
    assert_string_equal(f->last_key, "other");

    /* Calls the backend does not provide: 501 naming the call, nothing run. */
    rb_asset a;
    assert_int_equal(rb_store_asset_get(st, "env", "asset_1", &a, &err), RB_ERR);
    assert_int_equal(err.status, 501);
    assert_string_equal(err.type, "not_implemented");
    assert_non_null(strstr(err.message, "rb_store_asset_get"));
    rb_job jobs[1];
    size_t n = 7;
    assert_int_equal(rb_store_job_claim(st, "w", 60, 1, jobs, &n, &err), RB_ERR);
    assert_int_equal(err.status, 501);
    assert_non_null(strstr(err.message, "rb_store_job_claim"));

    rb_store_pool_reserve(st, 12);
    assert_int_equal(f->reserved, 12);
    rb_store_pool_reserve(st, 0); /* ignored */
    assert_int_equal(f->reserved, 12);

    fake_closes = 0;
    rb_store_close(st);
    assert_int_equal(fake_closes, 1);
    rb_store_close(NULL);
    assert_int_equal(fake_closes, 1);
}

static int hook_calls;

static void hook(void *arg)
{
    hook_calls += *(int *)arg;
}

static void test_serial_and_event_hook(void **state)
{
    (void)state;
    fake_store *a = fake_open(), *b = fake_open();
    /* Every handle, of any backend, gets a new serial. */
    assert_true(rb_store_serial(&a->base) > 0);
    assert_true(rb_store_serial(&b->base) > rb_store_serial(&a->base));
    assert_int_equal(rb_store_serial(NULL), 0);

    int inc = 5;
    hook_calls = 0;
    rb_store_fire_event_hook(&a->base); /* no hook yet */
    assert_int_equal(hook_calls, 0);
    rb_store_set_event_hook(&a->base, hook, &inc);
    rb_store_fire_event_hook(&a->base);
    rb_store_fire_event_hook(&b->base); /* b has none */
    assert_int_equal(hook_calls, 5);
    rb_store_set_event_hook(&a->base, NULL, NULL);
    rb_store_fire_event_hook(&a->base);
    assert_int_equal(hook_calls, 5);
    rb_store_close(&a->base);
    rb_store_close(&b->base);
}

static void test_open_by_scheme(void **state)
{
    (void)state;
    rb_err err;
    rb_store *st = (rb_store *)1;
    assert_int_equal(rb_store_open("mysql://x/y", 1, &st, &err), RB_ERR);
    assert_int_equal(err.status, 500);
    assert_non_null(strstr(err.message, "unsupported database URL"));
    assert_null(st);
    assert_int_equal(rb_store_open("", 1, &st, &err), RB_ERR);
    assert_int_equal(rb_store_open("sqlite:", 1, &st, &err), RB_ERR);
    assert_null(st);

    /* sqlite: and sqlite:// both reach the SQLite backend. */
    char dir[] = "/tmp/rb_dispatch_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char url[128];
    snprintf(url, sizeof url, "sqlite://%s/a.db", dir);
    assert_int_equal(rb_store_open(url, 1, &st, &err), RB_OK);
    assert_string_equal(st->ops->name, "sqlite");
    rb_store_close(st);
    snprintf(url, sizeof url, "sqlite:%s/b.db", dir);
    assert_int_equal(rb_store_open(url, 1, &st, &err), RB_OK);
    assert_string_equal(st->ops->name, "sqlite");
    rb_store_close(st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);

    /* Both PostgreSQL schemes reach the PostgreSQL backend: with no server
     * there, it answers 503 "unavailable" (and never 500). */
    assert_int_equal(rb_store_open("postgres://robots@127.0.0.1:1/robots", 1, &st, &err),
                     RB_BUSY);
    assert_int_equal(err.status, 503);
    assert_string_equal(err.type, "unavailable");
    assert_int_equal(rb_store_open("postgresql://robots@127.0.0.1:1/robots", 1, &st, &err),
                     RB_BUSY);
    assert_int_equal(err.status, 503);
    assert_null(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch_and_not_implemented),
        cmocka_unit_test(test_serial_and_event_hook),
        cmocka_unit_test(test_open_by_scheme),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
