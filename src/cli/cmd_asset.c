/* cmd_asset.c — `robots asset create|list|get`.
 *
 * `asset create` imports a local WebVTT file as a ready, captions-only asset
 * without any network access, so a demo or a test can run edit-captions on
 * a machine with no media and no outbound connectivity. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "media/vtt.h"

#define CAPTIONS_MAX_BYTES (16u * 1024 * 1024)

static const char *asset_usage =
    "Usage: robots asset <subcommand> [options]\n"
    "\n"
    "Subcommands:\n"
    "  create --env NAME --captions FILE [--language en] [--name NAME] [--policy public]\n"
    "                          import a local WebVTT file as a ready captions-only asset\n"
    "  list --env NAME         list assets as JSON lines, newest first\n"
    "  get --env NAME ID       print one asset as JSON\n";

static const char *create_usage =
    "Usage: robots asset create --env NAME --captions FILE [--language CODE] [--name NAME]\n"
    "                           [--policy public|signed]\n"
    "\n"
    "Imports FILE (WebVTT) as a ready captions-only asset of environment NAME\n"
    "(created if absent) with one ready subtitles text track, and prints the\n"
    "asset as JSON. --language defaults to en, --name to the language's English\n"
    "name (English for en), --policy (of the playback ID) to public.\n";

static const char *list_usage = "Usage: robots asset list --env NAME\n"
                                "\n"
                                "Prints every asset of environment NAME, one JSON line each.\n";

static const char *get_usage = "Usage: robots asset get --env NAME ID\n"
                               "\n"
                               "Prints the asset ID of environment NAME as JSON.\n";

static int read_file(const char *path, rb_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "robots: cannot open %s: %s\n", path, strerror(errno));
        return RB_ERR;
    }
    char chunk[8192];
    size_t n;
    int rc = RB_OK;
    while (rc == RB_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (rb_buf_append(b, chunk, n) != RB_OK) {
            fprintf(stderr, "robots: %s is larger than %u bytes\n", path, CAPTIONS_MAX_BYTES);
            rc = RB_ERR;
        }
    if (rc == RB_OK && ferror(f)) {
        fprintf(stderr, "robots: cannot read %s\n", path);
        rc = RB_ERR;
    }
    fclose(f);
    return rc;
}

static int open_library(const rb_config *cfg, rb_store **st, rb_library *lib)
{
    if (rb_cli_open_store(cfg, st) != RB_OK)
        return RB_ERR;
    rb_err err;
    rb_err_clear(&err);
    if (rb_library_init(lib, *st, cfg, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        rb_store_close(*st);
        return RB_ERR;
    }
    return RB_OK;
}

static int asset_create(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL, *captions = NULL, *language = "en", *name = NULL;
    const char *policy = "public";
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL},      {"--captions", &captions, NULL, NULL},
                         {"--language", &language, NULL, NULL}, {"--name", &name, NULL, NULL},
                         {"--policy", &policy, NULL, NULL},     {0}};
    int rc = rb_cli_parse(argc, argv, create_usage, &cfg, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    if (!env_name || !*env_name || !captions || !*language ||
        (strcmp(policy, "public") != 0 && strcmp(policy, "signed") != 0)) {
        fprintf(stderr, "robots: asset create needs --env and --captions (and --policy "
                        "public or signed)\n\n");
        rb_cli_usage(stderr, create_usage);
        return RB_EXIT_USAGE;
    }

    rb_buf content;
    rb_buf_init(&content, CAPTIONS_MAX_BYTES);
    if (read_file(captions, &content) != RB_OK) {
        rb_buf_free(&content);
        return RB_EXIT_FAIL;
    }
    rb_err err;
    rb_err_clear(&err);
    rb_vtt vtt;
    if (rb_vtt_parse(rb_buf_cstr(&content), content.len, &vtt, &err) != RB_OK) {
        fprintf(stderr, "robots: %s: %s\n", captions, err.message);
        rb_buf_free(&content);
        return RB_EXIT_FAIL;
    }
    double duration = (double)rb_vtt_last_end_ms(&vtt) / 1000.0;
    rb_vtt_free(&vtt);

    rb_store *st;
    rb_library lib;
    if (open_library(&cfg, &st, &lib) != RB_OK) {
        rb_buf_free(&content);
        return RB_EXIT_FAIL;
    }
    int out = RB_EXIT_FAIL;
    rb_env env;
    rb_asset a;
    memset(&a, 0, sizeof a);
    char playback_id[40], track_id[RB_ID_MAX];
    if (rb_store_env_ensure(st, env_name, &env, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    if (rb_random_id(a.id, sizeof a.id, "", 32) != RB_OK ||
        rb_random_id(playback_id, sizeof playback_id, "", 32) != RB_OK) {
        fprintf(stderr, "robots: cannot generate ids\n");
        goto done;
    }
    snprintf(a.env_id, sizeof a.env_id, "%s", env.id);
    snprintf(a.status, sizeof a.status, "ready");
    a.duration = duration;
    a.inputs = json_array();
    a.playback_ids = json_pack("[{s:s, s:s}]", "id", playback_id, "policy", policy);
    a.thumbnail_time = -1;
    a.created_at = rb_now();
    if (rb_store_asset_insert(st, &a, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    if (rb_library_add_text_track(&lib, env.id, a.id, name, language, "subtitles", 0,
                                  rb_buf_cstr(&content), content.len, track_id,
                                  &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    rb_asset got;
    memset(&got, 0, sizeof got);
    if (rb_store_asset_get(st, env.id, a.id, &got, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    rb_cli_print_json(rb_library_asset_json(&lib, &got));
    rb_asset_clear(&got);
    out = RB_EXIT_OK;
done:
    json_decref(a.inputs);
    json_decref(a.playback_ids);
    rb_buf_free(&content);
    rb_store_close(st);
    return out;
}

static int asset_list(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL;
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL}, {0}};
    int rc = rb_cli_parse(argc, argv, list_usage, &cfg, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    if (!env_name) {
        fprintf(stderr, "robots: asset list needs --env\n\n");
        rb_cli_usage(stderr, list_usage);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    rb_library lib;
    if (open_library(&cfg, &st, &lib) != RB_OK)
        return RB_EXIT_FAIL;
    int out = RB_EXIT_FAIL;
    rb_env env;
    if (rb_cli_env(st, env_name, &env) != RB_OK)
        goto done;
    for (int page = 1;; page++) {
        rb_asset *as = NULL;
        size_t n = 0;
        int64_t total = 0;
        rb_err err;
        rb_err_clear(&err);
        if (rb_store_asset_list(st, env.id, 100, page, &as, &n, &total, &err) != RB_OK) {
            fprintf(stderr, "robots: %s\n", err.message);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            rb_cli_print_json(rb_library_asset_json(&lib, &as[i]));
            rb_asset_clear(&as[i]);
        }
        free(as);
        if (n < 100)
            break;
    }
    out = RB_EXIT_OK;
done:
    rb_store_close(st);
    return out;
}

static int asset_get(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL;
    const char *pos[1];
    int npos;
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL}, {0}};
    int rc = rb_cli_parse(argc, argv, get_usage, &cfg, opts, pos, 1, &npos);
    if (rc >= 0)
        return rc;
    if (!env_name || npos != 1) {
        fprintf(stderr, "robots: asset get needs --env and the asset ID\n\n");
        rb_cli_usage(stderr, get_usage);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    rb_library lib;
    if (open_library(&cfg, &st, &lib) != RB_OK)
        return RB_EXIT_FAIL;
    int out = RB_EXIT_FAIL;
    rb_env env;
    rb_asset a;
    memset(&a, 0, sizeof a);
    rb_err err;
    rb_err_clear(&err);
    if (rb_cli_env(st, env_name, &env) != RB_OK)
        goto done;
    rc = rb_store_asset_get(st, env.id, pos[0], &a, &err);
    if (rc == RB_NOTFOUND) {
        fprintf(stderr, "robots: no asset %s in environment %s\n", pos[0], env_name);
        goto done;
    }
    if (rc != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    rb_cli_print_json(rb_library_asset_json(&lib, &a));
    rb_asset_clear(&a);
    out = RB_EXIT_OK;
done:
    rb_store_close(st);
    return out;
}

int rb_cli_asset(int argc, char **argv)
{
    static const rb_cli_sub subs[] = {{"create", asset_create}, {"list", asset_list}, {"get", asset_get}, {NULL, NULL}};
    return rb_cli_dispatch(argc, argv, asset_usage, subs);
}
