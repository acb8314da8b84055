/* wf_fixture.h — a temporary store + media library + environment + asset for
 * workflow tests, and a way to run one job through a workflow directly.
 *
 * Header-only (static functions) so each test binary includes its own copy. */
#ifndef RB_WF_FIXTURE_H
#define RB_WF_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/crypto.h"
#include "media/library.h"
#include "store/store.h"
#include "workflows/workflow.h"

typedef struct wf_fixture {
    char dir[256];
    rb_config cfg;
    rb_store *st;
    rb_library lib;
    rb_env env;
    char asset_id[RB_ID_MAX];
    int cancel_after; /* ctx->cancelled answers 1 from this call on (0 = never) */
    int cancel_calls;
} wf_fixture;

/* A ready asset with a public playback id and the given duration (0 = unknown). */
static void wf_fixture_asset(wf_fixture *f, double duration, char id[RB_ID_MAX])
{
    rb_err err;
    rb_err_clear(&err);
    rb_asset a;
    memset(&a, 0, sizeof a);
    assert_int_equal(rb_random_id(a.id, sizeof a.id, "", 32), RB_OK);
    snprintf(a.env_id, sizeof a.env_id, "%s", f->env.id);
    snprintf(a.status, sizeof a.status, "ready");
    a.duration = duration;
    a.inputs = json_array();
    a.playback_ids = json_pack("[{s:s, s:s}]", "id", a.id, "policy", "public");
    a.thumbnail_time = -1;
    a.created_at = rb_now();
    assert_int_equal(rb_store_asset_insert(f->st, &a, &err), RB_OK);
    snprintf(id, RB_ID_MAX, "%s", a.id);
    json_decref(a.inputs);
    json_decref(a.playback_ids);
}

static wf_fixture *wf_fixture_new(const char *tag)
{
    wf_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/robots-test-%s-XXXXXX", tag);
    assert_non_null(mkdtemp(f->dir));
    rb_config_defaults(&f->cfg);
    snprintf(f->cfg.ai, sizeof f->cfg.ai, "builtin");
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", f->dir);
    snprintf(f->cfg.database, sizeof f->cfg.database, "sqlite:%s/robots.db", f->dir);
    snprintf(f->cfg.public_url, sizeof f->cfg.public_url, "https://robots.example");
    rb_config_finish(&f->cfg);
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_store_open(f->cfg.database, 2, &f->st, &err), RB_OK);
    assert_int_equal(rb_library_init(&f->lib, f->st, &f->cfg, &err), RB_OK);
    assert_int_equal(rb_store_env_ensure(f->st, "test", &f->env, &err), RB_OK);
    wf_fixture_asset(f, 0, f->asset_id);
    return f;
}

static void wf_fixture_free(wf_fixture *f)
{
    rb_store_close(f->st);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
}

/* Adds a ready subtitles track to the fixture's asset. */
static void wf_fixture_track(wf_fixture *f, const char *lang, const char *vtt,
                             char id[RB_ID_MAX])
{
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_library_add_text_track(&f->lib, f->env.id, f->asset_id, NULL, lang,
                                               "subtitles", 0, vtt, strlen(vtt), id, &err),
                     RB_OK);
}

/* The bytes of a file under the source tree (fixtures), NUL-terminated;
 * at most 1 MiB. The caller frees. */
static __attribute__((unused)) char *wf_fixture_read(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", ROBOTS_SOURCE_DIR, rel);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

/* Sets (value non-NULL) or clears an environment setting, as `robots env set`. */
static void wf_fixture_env_set(wf_fixture *f, const char *name, const char *value)
{
    char key[RB_ID_MAX + 96];
    snprintf(key, sizeof key, "env.%s.%s", f->env.id, name);
    rb_err err;
    rb_err_clear(&err);
    assert_int_equal(rb_store_setting_set(f->st, key, value, &err), RB_OK);
}

static int wf_fixture_cancelled(rb_wf_ctx *ctx)
{
    wf_fixture *f = ctx->engine_data;
    f->cancel_calls++;
    return f->cancel_after > 0 && f->cancel_calls >= f->cancel_after;
}

/* Runs workflow `name` on a job whose parameters are `params_json` (a JSON
 * object; "%ASSET%" is replaced by the fixture's asset id). */
static __attribute__((unused)) int wf_fixture_run(wf_fixture *f, const char *name, const char *params_json,
                          rb_wf_result *res, rb_err *err)
{
    char params[65536];
    const char *at = strstr(params_json, "%ASSET%");
    if (at)
        snprintf(params, sizeof params, "%.*s%s%s", (int)(at - params_json), params_json,
                 f->asset_id, at + 7);
    else
        snprintf(params, sizeof params, "%s", params_json);
    rb_job job;
    rb_job_init(&job);
    snprintf(job.id, sizeof job.id, "rjob_t%.40s", f->asset_id);
    snprintf(job.env_id, sizeof job.env_id, "%s", f->env.id);
    snprintf(job.workflow, sizeof job.workflow, "%s", name);
    json_error_t je;
    job.parameters = json_loads(params, 0, &je);
    if (!job.parameters)
        fail_msg("bad test parameters: %s: %s", je.text, params);
    rb_wf_ctx ctx = {.job = &job, .library = &f->lib, .cfg = &f->cfg,
                     .cancelled = wf_fixture_cancelled, .engine_data = f};
    const rb_workflow *wf = rb_workflow_find(name);
    assert_non_null(wf);
    memset(res, 0, sizeof *res);
    rb_err_clear(err);
    int rc = wf->run(&ctx, res, err);
    rb_job_clear(&job);
    return rc;
}

#endif
