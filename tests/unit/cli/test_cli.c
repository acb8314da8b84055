/* test_cli.c — unit tests for src/cli: exit codes, --help everywhere, and
 * what token/asset/job commands print and store (checked in the store). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "common/crypto.h"
#include "store/store.h"

static char dir[256];
static char db[300];

/* Runs the CLI with args (NULL-terminated), stdout and stderr captured. */
static int run(char *out, size_t outsz, char *errout, size_t errsz, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = "robots";
    va_list ap;
    va_start(ap, errsz);
    const char *a;
    while ((a = va_arg(ap, const char *)) && argc < 31)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;

    char opath[300], epath[300];
    snprintf(opath, sizeof opath, "%s/stdout", dir);
    snprintf(epath, sizeof epath, "%s/stderr", dir);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(opath, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    int fe = open(epath, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    assert_true(so >= 0 && se >= 0 && fo >= 0 && fe >= 0);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = rb_cli_main(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fo);
    close(fe);

    const char *paths[2] = {opath, epath};
    char *bufs[2] = {out, errout};
    size_t sizes[2] = {outsz, errsz};
    for (int i = 0; i < 2; i++) {
        if (!bufs[i])
            continue;
        FILE *f = fopen(paths[i], "rb");
        assert_non_null(f);
        size_t n = fread(bufs[i], 1, sizes[i] - 1, f);
        bufs[i][n] = '\0';
        fclose(f);
    }
    return rc;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/robots-test-cli-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "sqlite:%s/robots.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void test_exit_codes_and_help(void **state)
{
    (void)state;
    static char out[65536], err[65536];
    assert_int_equal(run(out, sizeof out, err, sizeof err, "version", NULL), 0);
    assert_string_equal(out, "robots " RB_VERSION "\n");
    assert_int_equal(run(out, sizeof out, err, sizeof err, NULL), 2);
    assert_non_null(strstr(err, "Usage: robots <command>"));
    assert_int_equal(run(out, sizeof out, err, sizeof err, "frobnicate", NULL), 2);
    assert_non_null(strstr(err, "unknown command 'frobnicate'"));

    static const char *helps[][2] = {{"serve", NULL},   {"token", NULL},  {"token", "create"},
                                     {"token", "list"}, {"token", "revoke"}, {"asset", NULL},
                                     {"asset", "create"}, {"asset", "list"}, {"asset", "get"},
                                     {"job", NULL},     {"job", "list"},  {"job", "get"},
                                     {"version", NULL}};
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        int rc = helps[i][1]
                     ? run(out, sizeof out, err, sizeof err, helps[i][0], helps[i][1], "--help", NULL)
                     : run(out, sizeof out, err, sizeof err, helps[i][0], "--help", NULL);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(out, "Usage: robots "));
        assert_non_null(strstr(out, "--data-dir DIR"));  /* the shared options */
        assert_string_equal(err, "");
    }
    /* Unknown options and subcommands: usage on stderr, exit 2. */
    assert_int_equal(run(out, sizeof out, err, sizeof err, "serve", "--bogus", NULL), 2);
    assert_non_null(strstr(err, "unknown option '--bogus'"));
    assert_non_null(strstr(err, "Usage: robots serve"));
    assert_string_equal(out, "");
    assert_int_equal(run(out, sizeof out, err, sizeof err, "token", "mint", NULL), 2);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "job", "list", "--workers", "x", NULL), 2);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "asset", "get", "--env", NULL), 2);
    assert_non_null(strstr(err, "--env needs a value"));
}

static void test_token_commands(void **state)
{
    (void)state;
    static char out[65536], err[65536];
    assert_int_equal(run(out, sizeof out, err, sizeof err, "token", "create", "--database", db,
                         "--env", "dev", NULL),
                     2); /* no --scope */
    assert_int_equal(run(out, sizeof out, err, sizeof err, "token", "create", "--database", db,
                         "--env", "dev", "--scope", "robots", NULL),
                     2); /* not area:permission */
    assert_int_equal(run(out, sizeof out, err, sizeof err, "token", "create", "--database", db,
                         "--env", "dev", "--scope", "robots:*", "--scope", "video:*", NULL),
                     0);
    /* Exactly one line of JSON. */
    assert_non_null(strchr(out, '\n'));
    assert_int_equal(strchr(out, '\n')[1], '\0');
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *secret = json_string_value(json_object_get(j, "secret"));
    assert_int_equal(strlen(id), 36);
    assert_int_equal(strlen(secret), 43); /* 32 bytes, base64url, no padding */
    assert_int_equal(strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "environment"), "name")),
                        "dev");
    assert_int_equal(json_array_size(json_object_get(j, "scopes")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "scopes"), 1)),
                        "video:*");

    /* The store keeps the SHA-256 of the secret, never the secret. */
    rb_store *st;
    rb_err e;
    rb_err_clear(&e);
    assert_int_equal(rb_store_open(db, 1, &st, &e), RB_OK);
    rb_token t;
    memset(&t, 0, sizeof t);
    assert_int_equal(rb_store_token_get(st, id, &t, &e), RB_OK);
    char want[65];
    rb_sha256_hex(secret, strlen(secret), want);
    assert_string_equal(t.secret_sha256, want);
    assert_string_equal(t.env_name, "dev");
    assert_int_equal(t.revoked_at, 0);
    rb_token_clear(&t);

    /* list: one JSON line per token, without the secret. */
    assert_int_equal(run(out, sizeof out, err, sizeof err, "token", "list", "--database", db,
                         "--env", "dev", NULL),
                     0);
    assert_non_null(strstr(out, id));
    assert_null(strstr(out, secret));
    assert_null(strstr(out, "secret"));
    assert_int_equal(run(out, sizeof out, err, sizeof err, "token", "list", "--database", db,
                         "--env", "nope", NULL),
                     1);

    assert_int_equal(run(out, sizeof out, err, sizeof err, "token", "revoke", "--database", db,
                         id, NULL),
                     0);
    memset(&t, 0, sizeof t);
    assert_int_equal(rb_store_token_get(st, id, &t, &e), RB_OK);
    assert_true(t.revoked_at > 0);
    rb_token_clear(&t);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "token", "revoke", "--database", db,
                         "no-such-token", NULL),
                     1);
    rb_store_close(st);
    json_decref(j);
}

static void test_asset_and_job_commands(void **state)
{
    (void)state;
    static char out[65536], err[65536];
    char vtt[300];
    snprintf(vtt, sizeof vtt, "%s/in.vtt", dir);
    const char *content = "WEBVTT\n\n00:00:01.000 --> 00:01:02.500\nHello there.\n";
    FILE *f = fopen(vtt, "wb");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);

    assert_int_equal(run(out, sizeof out, err, sizeof err, "asset", "create", "--database", db,
                         "--env", "demo", "--captions", "/nonexistent.vtt", NULL),
                     1);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "asset", "create", "--database", db,
                         "--env", "demo", "--captions", vtt, "--language", "fr", NULL),
                     0);
    json_t *a = json_loads(out, 0, NULL);
    assert_non_null(a);
    const char *asset_id = json_string_value(json_object_get(a, "id"));
    assert_string_equal(json_string_value(json_object_get(a, "status")), "ready");
    json_t *tracks = json_object_get(a, "tracks");
    assert_int_equal(json_array_size(tracks), 1);
    const char *track_id = json_string_value(json_object_get(json_array_get(tracks, 0), "id"));
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(tracks, 0), "language_code")), "fr");

    /* Stored: a ready asset of 62.5 s with one ready text track holding the file. */
    rb_store *st;
    rb_err e;
    rb_err_clear(&e);
    assert_int_equal(rb_store_open(db, 1, &st, &e), RB_OK);
    rb_env env;
    assert_int_equal(rb_store_env_by_name(st, "demo", &env, &e), RB_OK);
    rb_asset as;
    memset(&as, 0, sizeof as);
    assert_int_equal(rb_store_asset_get(st, env.id, asset_id, &as, &e), RB_OK);
    assert_string_equal(as.status, "ready");
    assert_true(as.duration > 62.4 && as.duration < 62.6);
    assert_int_equal(as.n_tracks, 1);
    assert_string_equal(as.tracks[0].id, track_id);
    assert_string_equal(as.tracks[0].status, "ready");
    assert_string_equal(as.tracks[0].type, "text");
    char *data = NULL;
    size_t len;
    char ctype[64];
    assert_int_equal(rb_store_blob_get(st, as.tracks[0].blob_id, &data, &len, ctype, &e), RB_OK);
    assert_string_equal(data, content);
    free(data);
    rb_asset_clear(&as);
    rb_store_close(st);

    assert_int_equal(run(out, sizeof out, err, sizeof err, "asset", "get", "--database", db,
                         "--env", "demo", asset_id, NULL),
                     0);
    assert_non_null(strstr(out, asset_id));
    assert_int_equal(run(out, sizeof out, err, sizeof err, "asset", "get", "--database", db,
                         "--env", "demo", "nope", NULL),
                     1);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "asset", "list", "--database", db,
                         "--env", "demo", NULL),
                     0);
    assert_non_null(strstr(out, asset_id));
    assert_int_equal(strchr(out, '\n')[1], '\0'); /* one asset, one line */

    assert_int_equal(run(out, sizeof out, err, sizeof err, "job", "list", "--database", db,
                         "--env", "demo", NULL),
                     0);
    assert_string_equal(out, "");
    assert_int_equal(run(out, sizeof out, err, sizeof err, "job", "list", "--database", db,
                         "--env", "demo", "--status", "finished", NULL),
                     2);
    assert_int_equal(run(out, sizeof out, err, sizeof err, "job", "get", "--database", db,
                         "--env", "demo", "rjob_missing", NULL),
                     1);
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exit_codes_and_help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_asset_and_job_commands, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
