/* jobs.c — the Robots jobs API: create, retrieve, list, cancel (spec §1, §2,
 * §3.1, §6).
 *
 * Create does all the checks that can fail cheaply and synchronously (schema,
 * asset state, track prerequisites) and then inserts a pending job; the work
 * itself happens later in a worker. Everything the client can get wrong is a
 * 4xx here; only store failures become 5xx. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/validate.h"
#include "common/canon.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"
#include "media/library.h"

#define RB_IDEMPOTENCY_KEY_MAX 255
#define RB_LIST_MAX_PAGE 10000000   /* keeps (page-1)*limit far from overflow */

/* Store errors keep their own status (500/503); anything unexpected is 500. */
static void answer_store_error(rb_resp *resp, int rc, rb_err *err)
{
    if (err->status < 500)
        err->status = rc == RB_BUSY ? 503 : 500;
    if (!err->type[0])
        snprintf(err->type, sizeof err->type, "%s",
                 rc == RB_BUSY ? "unavailable" : "internal_error");
    if (!err->message[0])
        snprintf(err->message, sizeof err->message, "storage error");
    rb_resp_error(resp, err);
}

static void answer_unknown_workflow(rb_resp *resp, const char *workflow)
{
    rb_resp_errorf(resp, 404, "not_found", "unknown workflow '%.64s'", workflow);
}

/* SHA-256 hex of "<workflow>\n<canonical JSON of v>". The workflow is part of
 * the hashed text so identical parameters of two workflows never collide. */
static int hash_with_workflow(const char *workflow, const json_t *v, char out[65])
{
    char *canon = rb_json_canonical(v);
    if (!canon)
        return RB_ERR;
    size_t wl = strlen(workflow), cl = strlen(canon);
    char *text = malloc(wl + 1 + cl);
    if (!text) {
        free(canon);
        return RB_ERR;
    }
    memcpy(text, workflow, wl);
    text[wl] = '\n';
    memcpy(text + wl + 1, canon, cl);
    rb_sha256_hex(text, wl + 1 + cl, out);
    free(text);
    free(canon);
    return RB_OK;
}

static const rb_track *find_track(const rb_asset *a, const char *track_id)
{
    for (size_t i = 0; i < a->n_tracks; i++)
        if (strcmp(a->tracks[i].id, track_id) == 0)
            return &a->tracks[i];
    return NULL;
}

static int has_streamable_playback_id(const rb_asset *a)
{
    size_t i;
    json_t *pid;
    json_array_foreach(a->playback_ids, i, pid)
    {
        const char *policy = json_string_value(json_object_get(pid, "policy"));
        if (policy && (strcmp(policy, "public") == 0 || strcmp(policy, "signed") == 0))
            return 1;
    }
    return 0;
}

static int is_transcript(const rb_track *t)
{
    return strcmp(t->type, "text") == 0 && strcmp(t->status, "ready") == 0 &&
           strcmp(t->text_type, "chapters") != 0;
}

/* generate-chapters and find-key-moments read captions (spec §5.3, §5.5):
 * without a ready caption track the job could only fail, so create answers
 * 422 "no transcript" instead. (find-key-moments' use_shots, which would
 * need no captions, is refused by the parameter table until shot detection
 * exists.) */
static int check_transcript(const char *workflow, const json_t *params, const rb_asset *a,
                            rb_err *err)
{
    (void)workflow;
    (void)params;
    /* Any ready caption track will do: which one the workflow reads (the
     * requested language, English, the first ready one) is its decision, and
     * a create-time rule stricter than the workflow's would refuse jobs that
     * can run. */
    for (size_t i = 0; i < a->n_tracks; i++)
        if (is_transcript(&a->tracks[i]))
            return RB_OK;
    return rb_err_set(err, 422, "invalid_parameters",
                      "no transcript: asset '%.255s' has no ready caption track", a->id);
}

/* The create-time prerequisites (spec §1.5: 422 causes). Loads the asset into
 * *asset for the job's resources. The checks read the asset's own track list,
 * loaded in the same query, rather than each track's content: a track's status
 * is all that decides readiness, and create must stay cheap. */
static int check_prerequisites(rb_app *app, const rb_req *req, const char *workflow,
                               const json_t *params, rb_asset *asset, rb_err *err)
{
    const char *asset_id = json_string_value(json_object_get(params, "asset_id"));
    if (!asset_id)
        return rb_err_set(err, 400, "invalid_parameters", "parameters.asset_id is required");
    rb_err serr;
    rb_err_clear(&serr);
    int rc = rb_store_asset_get(app->store, req->env.id, asset_id, asset, &serr);
    if (rc == RB_NOTFOUND)
        return rb_err_set(err, 422, "invalid_parameters", "asset '%.255s' does not exist",
                          asset_id);
    if (rc != RB_OK) {
        *err = serr;
        if (err->status < 500)
            err->status = rc == RB_BUSY ? 503 : 500;
        return rc;
    }
    if (strcmp(asset->status, "ready") != 0)
        return rb_err_set(err, 422, "invalid_parameters",
                          "asset '%.255s' is not ready (status: %s)", asset_id, asset->status);
    if (!has_streamable_playback_id(asset))
        return rb_err_set(err, 422, "invalid_parameters",
                          "asset '%.255s' has no public or signed playback ID", asset_id);

    int needs_track = strcmp(workflow, "edit-captions") == 0 ||
                      strcmp(workflow, "translate-captions") == 0;
    if (needs_track) {
        const char *track_id = json_string_value(json_object_get(params, "track_id"));
        const rb_track *t = track_id ? find_track(asset, track_id) : NULL;
        if (!t)
            return rb_err_set(err, 422, "invalid_parameters",
                              "parameters.track_id '%.255s' is not a track of asset '%.255s'",
                              track_id ? track_id : "", asset_id);
        if (strcmp(t->type, "text") != 0)
            return rb_err_set(err, 422, "invalid_parameters",
                              "parameters.track_id '%.255s' is a %s track, not a text track",
                              track_id, t->type);
        if (strcmp(t->status, "ready") != 0)
            return rb_err_set(err, 422, "invalid_parameters",
                              "parameters.track_id '%.255s' is not ready (status: %s)", track_id,
                              t->status);
    }
    if (strcmp(workflow, "generate-chapters") == 0 ||
        strcmp(workflow, "find-key-moments") == 0) {
        int rc2 = check_transcript(workflow, params, asset, err);
        if (rc2 != RB_OK)
            return rc2;
    }
    if (strcmp(workflow, "translate-captions") == 0) {
        const char *lang = json_string_value(json_object_get(params, "to_language_code"));
        /* An errored track holds no captions, so it does not block a new one;
         * a preparing one will, so it counts. BCP 47 tags are case-insensitive. */
        for (size_t i = 0; lang && i < asset->n_tracks; i++) {
            const rb_track *t = &asset->tracks[i];
            if (strcmp(t->type, "text") == 0 && strcmp(t->status, "errored") != 0 &&
                strcasecmp(t->language_code, lang) == 0)
                return rb_err_set(err, 422, "invalid_parameters",
                                  "asset '%.255s' already has a text track in '%.35s' (%s)",
                                  asset_id, lang, t->id);
        }
    }
    return RB_OK;
}

/* Fills job from the validated body and the loaded asset. */
static int build_job(rb_app *app, const rb_req *req, const char *workflow, json_t *body,
                     const rb_asset *asset, rb_job *job, rb_err *err)
{
    json_t *params = json_object_get(body, "parameters");
    const char *pass = json_string_value(json_object_get(body, "passthrough"));
    if (rb_random_id(job->id, sizeof job->id, "rjob_", 24))
        return rb_err_set(err, 500, "internal_error", "could not generate a job id");
    snprintf(job->env_id, sizeof job->env_id, "%s", req->env.id);
    snprintf(job->workflow, sizeof job->workflow, "%s", workflow);
    snprintf(job->asset_id, sizeof job->asset_id, "%s", asset->id);
    job->status = RB_JOB_PENDING;
    job->parameters = json_incref(params);
    if (pass && !(job->passthrough = strdup(pass)))
        return rb_err_set(err, 500, "internal_error", "out of memory");
    json_t *slim = app->library ? rb_library_slim_asset_json(app->library, asset) : NULL;
    if (!slim)
        return rb_err_set(err, 500, "internal_error", "could not render the job's asset");
    job->resources = json_pack("{s:[o]}", "assets", slim);
    if (!job->resources)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    job->max_attempts = app->cfg && app->cfg->max_attempts > 0 ? app->cfg->max_attempts : 1;
    job->created_at = rb_now();
    job->updated_at = job->created_at;
    return RB_OK;
}

void rb_api_job_create(rb_app *app, const rb_req *req, rb_resp *resp)
{
    const char *workflow = req->nparams > 0 ? req->params[0] : "";
    if (!rb_workflow_known(workflow)) {
        answer_unknown_workflow(resp, workflow);
        return;
    }
    json_t *body = rb_req_json_object(req, resp);
    if (!body)
        return;

    rb_err err;
    rb_err_clear(&err);
    rb_asset asset;
    memset(&asset, 0, sizeof asset);
    rb_job job;
    rb_job_init(&job);

    const char *idem = rb_req_header(req, "Idempotency-Key");
    int rc = rb_validate_job_request(workflow, body, &err);
    if (rc == RB_NOTFOUND) {
        answer_unknown_workflow(resp, workflow);
        goto done;
    }
    if (rc != RB_OK) {
        rb_resp_error(resp, &err);
        goto done;
    }
    if (idem && (idem[0] == '\0' || strlen(idem) > RB_IDEMPOTENCY_KEY_MAX)) {
        rb_resp_errorf(resp, 400, "invalid_parameters",
                       "the Idempotency-Key header must be 1 to %d characters",
                       RB_IDEMPOTENCY_KEY_MAX);
        goto done;
    }
    if (app->workflow_available && !app->workflow_available(workflow)) {
        rb_resp_errorf(resp, 501, "not_implemented",
                       "the %s workflow has no engine in this build yet", workflow);
        /* The SDK retries every status >= 500; retrying cannot help here. */
        rb_resp_header(resp, "x-should-retry", "false");
        goto done;
    }
    json_t *params = json_object_get(body, "parameters");
    if (check_prerequisites(app, req, workflow, params, &asset, &err) != RB_OK) {
        rb_resp_error(resp, &err);
        goto done;
    }

    char dedupe[65], request_hash[65];
    if (hash_with_workflow(workflow, params, dedupe) ||
        (idem && hash_with_workflow(workflow, body, request_hash))) {
        rb_resp_errorf(resp, 500, "internal_error", "could not hash the request");
        goto done;
    }
    if (build_job(app, req, workflow, body, &asset, &job, &err) != RB_OK) {
        rb_resp_error(resp, &err);
        goto done;
    }

    rb_job_create c = {
        .job = &job,
        .dedupe_key = dedupe,
        .idempotency_key = idem,
        .request_hash = idem ? request_hash : NULL,
    };
    char conflict_id[RB_ID_MAX] = "";
    int replayed = 0;
    rc = rb_store_job_create(app->store, &c, conflict_id, &replayed, &err);
    if (rc == RB_CONFLICT && conflict_id[0]) {
        rb_resp_errorf(resp, 409, "conflict",
                       "an identical %s job is already pending or processing: %s", workflow,
                       conflict_id);
        rb_resp_header(resp, "x-should-retry", "false");
        goto done;
    }
    if (rc == RB_CONFLICT) {
        rb_resp_errorf(resp, 422, "idempotency_key_reused",
                       "this Idempotency-Key was already used with a different request body");
        goto done;
    }
    if (rc != RB_OK) {
        answer_store_error(resp, rc, &err);
        goto done;
    }
    if (replayed) {
        rb_resp_header(resp, "idempotent-replayed", "true");
    } else if (app->wake_workers) {
        app->wake_workers(app->wake_workers_arg);
    }
    rb_resp_data(resp, 202, rb_job_to_json(&job));

done:
    rb_job_clear(&job);
    rb_asset_clear(&asset);
    json_decref(body);
}

void rb_api_job_get(rb_app *app, const rb_req *req, rb_resp *resp)
{
    const char *workflow = req->nparams > 0 ? req->params[0] : "";
    const char *id = req->nparams > 1 ? req->params[1] : "";
    if (!rb_workflow_known(workflow)) {
        answer_unknown_workflow(resp, workflow);
        return;
    }
    /* The store hands back the job already rendered (and memoized while the
     * row stays the same), so a polled job is not parsed, rebuilt and dumped
     * again on every GET; only the {"data": ...} envelope is added here. */
    char *text = NULL;
    size_t len = 0;
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_job_get_json(app->store, req->env.id, workflow, id, &text, &len, &err);
    if (rc == RB_NOTFOUND) {
        rb_resp_errorf(resp, 404, "not_found", "no %s job with id '%.255s'", workflow, id);
    } else if (rc != RB_OK) {
        answer_store_error(resp, rc, &err);
    } else {
        static const char head[] = "{\"data\":", tail[] = "}";
        char *body = malloc(sizeof head - 1 + len + sizeof tail);
        if (!body) {
            rb_resp_errorf(resp, 500, "internal_error", "out of memory building the response");
        } else {
            memcpy(body, head, sizeof head - 1);
            memcpy(body + sizeof head - 1, text, len);
            memcpy(body + sizeof head - 1 + len, tail, sizeof tail);
            rb_resp_raw(resp, 200, "application/json", body, sizeof head - 1 + len + 1);
            free(body);
        }
    }
    free(text);
}

/* Parses a query integer: optional leading digits only (no sign, no spaces),
 * within [lo, hi]. Returns 0 on success. */
static int parse_int_param(const char *s, long lo, long hi, int *out)
{
    if (!s || !*s || strlen(s) > 12)
        return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

void rb_api_job_list(rb_app *app, const rb_req *req, rb_resp *resp)
{
    rb_job_filter f = {.limit = 25, .page = 1};
    const char *v;

    if ((v = rb_req_query(req, "workflow"))) {
        if (!rb_workflow_known(v)) {
            rb_resp_errorf(resp, 400, "invalid_parameters",
                           "workflow must be one of the Robots workflow names "
                           "(e.g. summarize, edit-captions), got '%.64s'",
                           v);
            return;
        }
        f.workflow = v;
    }
    if ((v = rb_req_query(req, "status"))) {
        if (rb_job_status_parse(v, &f.status) != 0) {
            rb_resp_errorf(resp, 400, "invalid_parameters",
                           "status must be one of pending, processing, completed, errored, "
                           "cancelled");
            return;
        }
        f.has_status = 1;
    }
    if ((v = rb_req_query(req, "asset_id"))) {
        if (!*v) {
            rb_resp_errorf(resp, 400, "invalid_parameters",
                           "asset_id must be at least 1 character");
            return;
        }
        f.asset_id = v;
    }
    if ((v = rb_req_query(req, "limit")) && parse_int_param(v, 1, 100, &f.limit)) {
        rb_resp_errorf(resp, 400, "invalid_parameters",
                       "limit must be an integer from 1 to 100");
        return;
    }
    if ((v = rb_req_query(req, "page")) && parse_int_param(v, 1, RB_LIST_MAX_PAGE, &f.page)) {
        rb_resp_errorf(resp, 400, "invalid_parameters",
                       "page must be an integer from 1 to %d", RB_LIST_MAX_PAGE);
        return;
    }

    rb_job *jobs = NULL;
    size_t n = 0;
    int64_t total = 0;
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_job_list(app->store, req->env.id, &f, &jobs, &n, &total, &err);
    if (rc != RB_OK) {
        answer_store_error(resp, rc, &err);
        return;
    }
    const char *base = app->cfg ? app->cfg->public_url : "";
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        if (data)
            json_array_append_new(data, rb_job_summary_json(&jobs[i], base));
        rb_job_clear(&jobs[i]);
    }
    free(jobs);
    rb_resp_json(resp, 200,
                 data ? json_pack("{s:o, s:I}", "data", data, "total_row_count",
                                  (json_int_t)total)
                      : NULL);
}

void rb_api_job_cancel(rb_app *app, const rb_req *req, rb_resp *resp)
{
    const char *id = req->nparams > 0 ? req->params[0] : "";
    rb_job job;
    rb_job_init(&job);
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_job_cancel(app->store, req->env.id, id, &job, &err);
    if (rc == RB_NOTFOUND) {
        rb_resp_errorf(resp, 404, "not_found", "no job with id '%.255s'", id);
    } else if (rc == RB_CONFLICT) {
        if (job.id[0])
            rb_resp_errorf(resp, 409, "conflict",
                           "job %s is already %s and cannot be cancelled", job.id,
                           rb_job_status_name(job.status));
        else
            rb_resp_errorf(resp, 409, "conflict",
                           "job %.255s has already finished and cannot be cancelled", id);
        rb_resp_header(resp, "x-should-retry", "false");
    } else if (rc != RB_OK) {
        answer_store_error(resp, rc, &err);
    } else {
        rb_resp_data(resp, 200,
                     rb_job_summary_json(&job, app->cfg ? app->cfg->public_url : ""));
    }
    rb_job_clear(&job);
}
