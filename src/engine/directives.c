/* directives.c — carries out directive runs (spec §7): resolves the declared
 * resources against the asset's tracks, dispatches each workflow binding as an
 * ordinary job once its inputs are ready, and finishes the run when every
 * dispatched job has finished.
 *
 * Nothing is kept in memory between passes: every pass re-derives the state
 * of every resource and binding from the store (the asset's tracks, the
 * dispatched jobs) plus two sticky facts in the run row — a binding that
 * failed stays failed, and the id reserved for a binding's job (or for a
 * track the run asked for) is written before the job (track) is created, so a
 * pass that dies half way and is redone by another node creates the same job,
 * never a second one. */
#include "engine/directives.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/canon.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"
#include "workflows/workflow.h"

#define CLAIM_BATCH 16
#define POLL_ACTIVE_MS 1000     /* jobs in flight or tracks preparing */
#define POLL_EXTERNAL_MS 5000   /* only waiting for something uploaded out of band */
#define REASON_MAX 400

enum { R_WAIT, R_READY, R_FAIL };
enum { B_UNSEEN, B_VISITING, B_WAIT_RES, B_WAIT_SRC, B_READY, B_DISPATCHED, B_FAILED };

typedef struct res_state {
    int done, state;
    int external_only;           /* waiting only for an out-of-band upload */
    const char *producer;        /* waiting on this binding (workflow source) */
    char track_id[RB_ID_MAX];
    char reason[REASON_MAX];
} res_state;

typedef struct bind_state {
    int state;
    int job_found;
    enum rb_job_status job_status;
    char job_id[RB_ID_MAX];
    char reason[REASON_MAX];
    json_t *sources;             /* waiting_for_source_workflow: producer refs (owned) */
} bind_state;

typedef struct run_ctx {
    rb_store *st;
    rb_library *lib;
    const rb_config *cfg;
    const char *owner;
    rb_directive_run *run;
    rb_directive dir;
    rb_asset asset;
    int have_asset;
    json_t *resources, *workflows; /* borrowed from dir.config */
    res_state *res;
    bind_state *bind;
    size_t nres, nbind;
    int dispatched;
    int tracks_preparing;
} run_ctx;

/* ---- lookups --------------------------------------------------------------- */

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The same, "" when absent. */
static const char *sget(const json_t *o, const char *k)
{
    const char *s = str(o, k);
    return s ? s : "";
}

static long find_resource(const run_ctx *c, const char *ref)
{
    for (size_t i = 0; ref && i < c->nres; i++)
        if (strcmp(str(json_array_get(c->resources, i), "reference_id"), ref) == 0)
            return (long)i;
    return -1;
}

static long find_binding(const run_ctx *c, const char *ref)
{
    for (size_t i = 0; ref && i < c->nbind; i++)
        if (strcmp(str(json_array_get(c->workflows, i), "reference_id"), ref) == 0)
            return (long)i;
    return -1;
}

/* The previous NodeState of binding i (the run row's copy), or NULL. */
static const json_t *prev_state(const run_ctx *c, size_t i)
{
    const char *ref = str(json_array_get(c->workflows, i), "reference_id");
    size_t k;
    json_t *ns;
    json_array_foreach(c->run->node_states, k, ns)
    {
        const char *r = str(ns, "reference_id");
        if (r && strcmp(r, ref) == 0)
            return ns;
    }
    return NULL;
}

/* work = {"jobs": {binding ref: job id}, "tracks": {resource ref: track id}} */
static json_t *work_map(run_ctx *c, const char *name)
{
    json_t *m = json_object_get(c->run->work, name);
    if (!json_is_object(m)) {
        m = json_object();
        json_object_set_new(c->run->work, name, m);
    }
    return m;
}

static int is_caption(const rb_track *t)
{
    return strcmp(t->type, "text") == 0 && strcmp(t->text_type, "chapters") != 0;
}

static int track_matches(const rb_track *t, const char *kind, const char *lang)
{
    int kind_ok = strcmp(kind, "caption") == 0 ? is_caption(t) : strcmp(t->type, "audio") == 0;
    return kind_ok && (!lang || strcasecmp(t->language_code, lang) == 0);
}

/* A ready track of the asset matching kind (+ language when given); with
 * not_before > 0 only tracks created at or after that time. */
static const rb_track *find_track(const run_ctx *c, const char *kind, const char *lang,
                                  const char *status, int64_t not_before)
{
    for (size_t i = 0; c->have_asset && i < c->asset.n_tracks; i++) {
        const rb_track *t = &c->asset.tracks[i];
        if (strcmp(t->status, status) == 0 && track_matches(t, kind, lang) &&
            t->created_at >= not_before)
            return t;
    }
    return NULL;
}

static const rb_track *track_by_id(const run_ctx *c, const char *id)
{
    for (size_t i = 0; id && c->have_asset && i < c->asset.n_tracks; i++)
        if (strcmp(c->asset.tracks[i].id, id) == 0)
            return &c->asset.tracks[i];
    return NULL;
}

static void describe(const json_t *decl, char *out, size_t outlen)
{
    const char *kind = str(decl, "kind");
    const char *lang = str(decl, "language");
    snprintf(out, outlen, "%s resource '%.64s'%s%.35s%s",
             kind ? kind : "shots", str(decl, "reference_id"), lang ? " (language " : "",
             lang ? lang : "", lang ? ")" : "");
}

/* ---- resources -------------------------------------------------------------- */

static void eval_binding(run_ctx *c, size_t i);

static void res_fail(res_state *r, const char *fmt, const char *a, const char *b)
{
    r->state = R_FAIL;
    snprintf(r->reason, sizeof r->reason, fmt, a, b ? b : "");
}

/* Adds the track of a mux_api create_track source: its id is reserved in the
 * run's work first (saved), so a retry inserts the same track, never two. */
static void create_track(run_ctx *c, size_t i, res_state *r)
{
    const json_t *decl = json_array_get(c->resources, i);
    const json_t *params = json_object_get(json_object_get(decl, "source"), "params");
    const char *ref = str(decl, "reference_id");
    json_t *tracks = work_map(c, "tracks");
    rb_err err;
    rb_err_clear(&err);
    const char *reserved = str(tracks, ref);
    char id[RB_ID_MAX];
    if (reserved) {
        snprintf(id, sizeof id, "%s", reserved);
    } else {
        if (rb_random_id(id, sizeof id, "", 24) != RB_OK) {
            r->state = R_WAIT;
            return;
        }
        json_object_set_new(tracks, ref, json_string(id));
        if (rb_store_directive_run_save(c->st, c->owner, c->run, 0, 0, &err) != RB_OK) {
            json_object_del(tracks, ref);
            r->state = R_WAIT;
            return;
        }
    }
    rb_track t;
    memset(&t, 0, sizeof t);
    int text = strcmp(str(params, "type"), "text") == 0;
    snprintf(t.id, sizeof t.id, "%s", id);
    snprintf(t.asset_id, sizeof t.asset_id, "%s", c->asset.id);
    snprintf(t.env_id, sizeof t.env_id, "%s", c->asset.env_id);
    snprintf(t.type, sizeof t.type, "%s", text ? "text" : "audio");
    snprintf(t.status, sizeof t.status, "preparing");
    if (text) {
        /* Spec §7.2: a text track from a URL is ingested as subtitles. */
        snprintf(t.text_type, sizeof t.text_type, "subtitles");
        snprintf(t.text_source, sizeof t.text_source, "uploaded");
    }
    snprintf(t.language_code, sizeof t.language_code, "%s", str(params, "language_code"));
    snprintf(t.name, sizeof t.name, "%.35s (directive %.64s)", str(params, "language_code"), ref);
    t.created_at = rb_now();
    t.source_url = (char *)str(params, "url"); /* borrowed; not freed below */
    int rc = rb_store_track_insert(c->st, &t, &err);
    if (rc != RB_OK) {
        /* A retry after a crash finds the track already inserted (same id). */
        rb_track got;
        memset(&got, 0, sizeof got);
        if (rb_store_track_get(c->st, c->asset.env_id, c->asset.id, id, &got, &err) == RB_OK) {
            rb_track_clear(&got);
        } else {
            rb_warn("directives: run %s: cannot add track for '%s': %s", c->run->id, ref,
                    err.message);
            r->state = R_WAIT;
            return;
        }
    }
    c->tracks_preparing = 1;
    r->state = R_WAIT;
}

static void eval_resource(run_ctx *c, size_t i)
{
    res_state *r = &c->res[i];
    if (r->done)
        return;
    r->done = 1;
    const json_t *decl = json_array_get(c->resources, i);
    const json_t *src = json_object_get(decl, "source");
    const char *via = src ? str(src, "via") : "external";
    const char *kind = str(decl, "kind");
    const char *lang = str(decl, "language");
    char what[160];
    describe(decl, what, sizeof what);

    if (!c->have_asset) {
        res_fail(r, "the asset of the run no longer exists%s%s", "", NULL);
        return;
    }
    if (strcmp(str(decl, "type"), "video.asset.shots") == 0) {
        res_fail(r, "%s: shots are not supported by the embedded media library yet%s", what,
                 NULL);
        return;
    }
    if (strcmp(via, "workflow") == 0) {
        const char *producer = str(src, "binding");
        long p = find_binding(c, producer);
        if (p < 0) {
            res_fail(r, "%s: producer binding '%.64s' does not exist", what, producer);
            return;
        }
        eval_binding(c, (size_t)p);
        const bind_state *b = &c->bind[p];
        if (b->state == B_FAILED) {
            res_fail(r, "%s: producer binding '%.64s' failed", what, producer);
            return;
        }
        if (b->state != B_DISPATCHED || !b->job_found ||
            !rb_job_status_terminal(b->job_status)) {
            r->state = R_WAIT;
            r->producer = producer;
            return;
        }
        if (b->job_status != RB_JOB_COMPLETED) {
            char msg[REASON_MAX];
            snprintf(msg, sizeof msg, "%s: producer job %s of binding '%.64s' %s", what,
                     b->job_id, producer, rb_job_status_name(b->job_status));
            res_fail(r, "%s%s", msg, NULL);
            return;
        }
        /* The producer finished: prefer the track it says it uploaded, else
         * a matching track created since its job was created. */
        rb_job job;
        rb_job_init(&job);
        rb_err err;
        rb_err_clear(&err);
        const rb_track *t = NULL;
        int64_t since = 0;
        if (rb_store_job_get(c->st, c->run->env_id, NULL, b->job_id, &job, &err) == RB_OK) {
            since = job.created_at;
            const rb_track *u = track_by_id(c, str(job.outputs, "uploaded_track_id"));
            if (u && strcmp(u->status, "ready") == 0 && track_matches(u, kind, lang))
                t = u;
        }
        rb_job_clear(&job);
        if (!t)
            t = find_track(c, kind, lang, "ready", since);
        if (t) {
            r->state = R_READY;
            snprintf(r->track_id, sizeof r->track_id, "%s", t->id);
        } else if (find_track(c, kind, lang, "preparing", since)) {
            r->state = R_WAIT;
            r->producer = producer;
        } else {
            res_fail(r, "%s: producer binding '%.64s' completed without adding a matching track",
                     what, producer);
        }
        return;
    }

    const rb_track *ready = find_track(c, kind, lang, "ready", 0);
    if (ready) {
        r->state = R_READY;
        snprintf(r->track_id, sizeof r->track_id, "%s", ready->id);
        return;
    }
    if (strcmp(via, "required") == 0) {
        res_fail(r, "%s is required but the asset has no such ready track%s", what, NULL);
        return;
    }
    if (strcmp(via, "external") == 0) {
        if (rb_now() - c->run->started_at > RB_DIRECTIVE_EXTERNAL_WAIT_S) {
            res_fail(r, "%s did not appear within 24 hours%s", what, NULL);
            return;
        }
        r->state = R_WAIT;
        r->external_only = 1;
        return;
    }
    /* mux_api */
    const char *action = str(src, "action");
    if (strcmp(action, "create_track") == 0) {
        const char *tid = str(work_map(c, "tracks"), str(decl, "reference_id"));
        if (!tid) {
            create_track(c, i, r);
            return;
        }
        const rb_track *t = track_by_id(c, tid);
        if (t && strcmp(t->status, "ready") == 0) {
            r->state = R_READY;
            snprintf(r->track_id, sizeof r->track_id, "%s", t->id);
        } else if (t && strcmp(t->status, "preparing") == 0) {
            c->tracks_preparing = 1;
            r->state = R_WAIT;
        } else if (t) {
            json_t *m = json_object_get(t->errors, "messages");
            const char *why = json_string_value(json_array_get(m, 0));
            res_fail(r, "%s: the track created from the URL errored: %.200s", what,
                     why ? why : "ingest failed");
        } else {
            /* Reserved but never inserted (the pass died in between), or
             * deleted: insert it again; a deleted one is not resurrected
             * because a deleted row still holds its id. */
            rb_track old;
            memset(&old, 0, sizeof old);
            rb_err err;
            rb_err_clear(&err);
            if (rb_store_track_get(c->st, c->asset.env_id, c->asset.id, tid, &old, &err) ==
                RB_OK) {
                rb_track_clear(&old);
                res_fail(r, "%s: the track created from the URL was deleted%s", what, NULL);
            } else {
                create_track(c, i, r);
            }
        }
        return;
    }
    res_fail(r, "%s: mux_api %s is not available in the embedded media library", what, action);
}

/* ---- bindings --------------------------------------------------------------- */

static int has_streamable_playback_id(const rb_asset *a)
{
    size_t i;
    json_t *pid;
    json_array_foreach(a->playback_ids, i, pid)
    {
        const char *policy = str(pid, "policy");
        if (policy && (strcmp(policy, "public") == 0 || strcmp(policy, "signed") == 0))
            return 1;
    }
    return 0;
}

static void bind_fail(bind_state *b, const char *reason)
{
    b->state = B_FAILED;
    snprintf(b->reason, sizeof b->reason, "%s", reason);
}

/* The duplicate-job key of the jobs API: sha256("<workflow>\n<canonical>"). */
static int dedupe_key(const char *workflow, const json_t *params, char out[65])
{
    char *canon = rb_json_canonical(params);
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

/* Creates binding i's job exactly as POST /jobs would (same store call, same
 * duplicate key, same resources), with the engine-supplied parameters and
 * the run as the job's `directive`. */
static void dispatch(run_ctx *c, size_t i)
{
    bind_state *b = &c->bind[i];
    const json_t *decl = json_array_get(c->workflows, i);
    const char *ref = str(decl, "reference_id");
    const char *wf = str(decl, "workflow");
    if (!rb_workflow_available(wf)) {
        bind_fail(b, "this build has no engine for the workflow");
        return;
    }
    if (!has_streamable_playback_id(&c->asset)) {
        bind_fail(b, "the asset has no public or signed playback ID");
        return;
    }
    json_t *params = json_object_get(decl, "params");
    params = params ? json_deep_copy(params) : json_object();
    if (!params)
        return;
    json_object_set_new(params, "asset_id", json_string(c->asset.id));
    if (strcmp(wf, "edit-captions") == 0 || strcmp(wf, "translate-captions") == 0) {
        /* The first caption input is the track the workflow edits. */
        const json_t *inputs = json_object_get(decl, "inputs");
        for (size_t k = 0; k < json_array_size(inputs); k++) {
            long r = find_resource(c, json_string_value(json_array_get(inputs, k)));
            const json_t *decl_r = r >= 0 ? json_array_get(c->resources, (size_t)r) : NULL;
            if (decl_r && strcmp(sget(decl_r, "kind"), "caption") == 0) {
                json_object_set_new(params, "track_id", json_string(c->res[r].track_id));
                break;
            }
        }
    }
    rb_err err;
    rb_err_clear(&err);
    json_t *jobs = work_map(c, "jobs");
    const char *reserved = str(jobs, ref);
    rb_job job;
    rb_job_init(&job);
    if (reserved) {
        snprintf(job.id, sizeof job.id, "%s", reserved);
    } else {
        if (rb_random_id(job.id, sizeof job.id, "rjob_", 24) != RB_OK) {
            json_decref(params);
            return;
        }
        /* Reserve the id first: if this pass dies after the create, the
         * next pass finds the job by this id instead of creating another. */
        json_object_set_new(jobs, ref, json_string(job.id));
        if (rb_store_directive_run_save(c->st, c->owner, c->run, 0, 0, &err) != RB_OK) {
            json_object_del(jobs, ref);
            json_decref(params);
            return;
        }
    }
    char key[65];
    json_t *slim = c->lib ? rb_library_slim_asset_json(c->lib, &c->asset) : NULL;
    snprintf(job.env_id, sizeof job.env_id, "%s", c->run->env_id);
    snprintf(job.workflow, sizeof job.workflow, "%s", wf);
    snprintf(job.asset_id, sizeof job.asset_id, "%s", c->asset.id);
    snprintf(job.directive_id, sizeof job.directive_id, "%s", c->run->directive_id);
    snprintf(job.directive_run_id, sizeof job.directive_run_id, "%s", c->run->id);
    job.parameters = params;
    job.resources = slim ? json_pack("{s:[o]}", "assets", slim) : NULL;
    job.max_attempts = c->cfg && c->cfg->max_attempts > 0 ? c->cfg->max_attempts : 1;
    job.created_at = rb_now();
    if (!job.resources || dedupe_key(wf, params, key) != RB_OK) {
        rb_job_clear(&job);
        return;
    }
    rb_job_create cr = {.job = &job, .dedupe_key = key};
    char conflict[RB_ID_MAX] = "";
    int replayed = 0;
    int rc = rb_store_job_create(c->st, &cr, conflict, &replayed, &err);
    if (rc == RB_CONFLICT && conflict[0]) {
        char reason[REASON_MAX];
        snprintf(reason, sizeof reason,
                 "an identical %s job is already pending or processing: %s", wf, conflict);
        bind_fail(b, reason);
        json_object_del(jobs, ref);
    } else if (rc == RB_OK) {
        if (rb_store_job_set_directive(c->st, job.id, job.directive_id, job.directive_run_id,
                                       &err) != RB_OK)
            rb_warn("directives: job %s: cannot record its run: %s", job.id, err.message);
        b->state = B_DISPATCHED;
        b->job_found = 1;
        b->job_status = job.status;
        snprintf(b->job_id, sizeof b->job_id, "%s", job.id);
        c->dispatched++;
    } else {
        /* Transient (store busy): the reservation stays, the next pass
         * creates the job with the same id. */
        rb_warn("directives: run %s: cannot dispatch '%s': %s", c->run->id, ref, err.message);
    }
    rb_job_clear(&job);
}

static void eval_binding(run_ctx *c, size_t i)
{
    bind_state *b = &c->bind[i];
    if (b->state != B_UNSEEN)
        return; /* done, or on the stack (validation rules out cycles) */
    b->state = B_VISITING;
    const json_t *decl = json_array_get(c->workflows, i);
    const json_t *prev = prev_state(c, i);
    if (prev && strcmp(sget(prev, "status"), "failed") == 0) {
        bind_fail(b, str(prev, "reason") ? str(prev, "reason") : "failed");
        return;
    }
    const char *reserved = str(json_object_get(c->run->work, "jobs"), str(decl, "reference_id"));
    if (reserved) {
        rb_job job;
        rb_job_init(&job);
        rb_err err;
        rb_err_clear(&err);
        int rc = rb_store_job_get(c->st, c->run->env_id, NULL, reserved, &job, &err);
        if (rc == RB_OK) {
            b->state = B_DISPATCHED;
            b->job_found = 1;
            b->job_status = job.status;
            snprintf(b->job_id, sizeof b->job_id, "%s", job.id);
            rb_job_clear(&job);
            return;
        }
        if (rc != RB_NOTFOUND) {
            /* Store trouble: report it as dispatched-but-unknown this pass. */
            b->state = B_DISPATCHED;
            snprintf(b->job_id, sizeof b->job_id, "%s", reserved);
            return;
        }
        if (prev && strcmp(sget(prev, "status"), "dispatched") == 0) {
            /* It existed and is gone (swept past retention). */
            bind_fail(b, "the dispatched job no longer exists");
            return;
        }
    }
    if (!c->have_asset) {
        bind_fail(b, "the asset of the run no longer exists");
        return;
    }
    const json_t *inputs = json_object_get(decl, "inputs");
    int waiting = 0;
    json_t *sources = json_array();
    for (size_t k = 0; k < json_array_size(inputs); k++) {
        const char *ref = json_string_value(json_array_get(inputs, k));
        long r = find_resource(c, ref);
        if (r < 0) {
            json_decref(sources);
            bind_fail(b, "an input is not a declared resource");
            return;
        }
        eval_resource(c, (size_t)r);
        const res_state *rs = &c->res[r];
        if (rs->state == R_FAIL) {
            json_decref(sources);
            char reason[REASON_MAX];
            snprintf(reason, sizeof reason, "input '%.64s' is unavailable: %.300s", ref,
                     rs->reason);
            bind_fail(b, reason);
            return;
        }
        if (rs->state == R_WAIT) {
            waiting = 1;
            if (rs->producer) {
                /* One entry per producer binding. */
                int seen = 0;
                for (size_t m = 0; m < json_array_size(sources); m++)
                    seen |= strcmp(json_string_value(json_array_get(sources, m)),
                                   rs->producer) == 0;
                if (!seen)
                    json_array_append_new(sources, json_string(rs->producer));
            }
        }
    }
    if (waiting) {
        b->state = json_array_size(sources) ? B_WAIT_SRC : B_WAIT_RES;
        b->sources = sources;
        return;
    }
    json_decref(sources);
    b->state = B_READY;
    dispatch(c, i);
    if (b->state == B_READY)
        b->state = B_WAIT_RES; /* not created this pass (transient); retried next pass */
}

/* ---- one run ---------------------------------------------------------------- */

static json_t *node_state_json(const run_ctx *c, size_t i)
{
    const json_t *decl = json_array_get(c->workflows, i);
    const bind_state *b = &c->bind[i];
    json_t *ref = json_object_get(decl, "reference_id");
    json_t *wf = json_object_get(decl, "workflow");
    switch (b->state) {
    case B_DISPATCHED:
        return json_pack("{s:O, s:s, s:s, s:O}", "reference_id", ref, "status", "dispatched",
                         "job_id", b->job_id, "workflow_name", wf);
    case B_FAILED:
        return json_pack("{s:O, s:s, s:s}", "reference_id", ref, "status", "failed", "reason",
                         b->reason);
    case B_WAIT_SRC:
        return json_pack("{s:O, s:s, s:O, s:O}", "reference_id", ref, "status",
                         "waiting_for_source_workflow", "workflow_name", wf, "source_workflows",
                         b->sources);
    default:
        return json_pack("{s:O, s:s, s:O}", "reference_id", ref, "status",
                         "waiting_for_resources", "workflow_name", wf);
    }
}

static void process_run(rb_store *st, rb_library *lib, const rb_config *cfg, const char *owner,
                        rb_directive_run *run, int *dispatched)
{
    run_ctx c;
    memset(&c, 0, sizeof c);
    c.st = st;
    c.lib = lib;
    c.cfg = cfg;
    c.owner = owner;
    c.run = run;
    rb_err err;
    rb_err_clear(&err);
    /* A deleted directive still drives the runs that already started. */
    int rc = rb_store_directive_get(st, run->env_id, run->directive_id, 1, &c.dir, &err);
    if (rc != RB_OK && rc != RB_NOTFOUND) {
        rb_store_directive_run_save(st, owner, run, 1, rb_now_ms() + POLL_ACTIVE_MS, &err);
        return;
    }
    rc = rb_store_asset_get(st, run->env_id, run->asset_id, &c.asset, &err);
    c.have_asset = rc == RB_OK;
    if (rc != RB_OK && rc != RB_NOTFOUND) {
        rb_directive_clear(&c.dir);
        rb_store_directive_run_save(st, owner, run, 1, rb_now_ms() + POLL_ACTIVE_MS, &err);
        return;
    }
    c.resources = json_object_get(c.dir.config, "resources");
    c.workflows = json_object_get(c.dir.config, "workflows");
    c.nres = json_array_size(c.resources);
    c.nbind = json_array_size(c.workflows);
    c.res = calloc(c.nres + 1, sizeof *c.res);
    c.bind = calloc(c.nbind + 1, sizeof *c.bind);
    if (!c.res || !c.bind)
        goto out;

    for (size_t i = 0; i < c.nbind; i++)
        eval_binding(&c, i);

    size_t n_wait = 0, n_flight = 0, n_ok = 0;
    int external_only = 1;
    json_t *states = json_array();
    for (size_t i = 0; i < c.nbind; i++) {
        const bind_state *b = &c.bind[i];
        if (b->state == B_WAIT_RES || b->state == B_WAIT_SRC)
            n_wait++;
        if (b->state == B_DISPATCHED && !(b->job_found && rb_job_status_terminal(b->job_status)))
            n_flight++;
        if (b->state == B_DISPATCHED && b->job_found && b->job_status == RB_JOB_COMPLETED)
            n_ok++;
        if (b->state == B_WAIT_SRC)
            external_only = 0;
        json_array_append_new(states, node_state_json(&c, i));
    }
    for (size_t i = 0; i < c.nres; i++)
        if (c.res[i].done && c.res[i].state == R_WAIT && !c.res[i].external_only)
            external_only = 0;
    json_decref(run->node_states);
    run->node_states = states;
    const char *status;
    if (n_wait == 0 && n_flight == 0)
        status = n_ok == c.nbind && c.nbind > 0 ? "completed" : n_ok == 0 ? "errored" : "partial";
    else
        status = n_flight > 0 ? "running" : "waiting";
    snprintf(run->status, sizeof run->status, "%s", status);
    int64_t next = rb_now_ms() + (n_flight == 0 && !c.tracks_preparing && external_only
                                      ? POLL_EXTERNAL_MS
                                      : POLL_ACTIVE_MS);
    rc = rb_store_directive_run_save(st, owner, run, 1, next, &err);
    if (rc != RB_OK)
        rb_warn("directives: run %s: cannot save: %s", run->id, err.message);
    else if (rb_directive_run_terminal(status))
        rb_info("directives: run %s of %s finished %s", run->id, run->directive_id, status);
out:
    if (dispatched)
        *dispatched += c.dispatched;
    for (size_t i = 0; c.bind && i < c.nbind; i++)
        json_decref(c.bind[i].sources);
    free(c.res);
    free(c.bind);
    rb_asset_clear(&c.asset);
    rb_directive_clear(&c.dir);
}

int rb_directive_runs_once(rb_store *st, rb_library *lib, const rb_config *cfg,
                           const char *owner, int *dispatched, rb_err *err)
{
    if (dispatched)
        *dispatched = 0;
    /* Assets created with "directives" start their runs once ready. */
    int started = 0;
    int rc0 = rb_store_directive_auto_start(st, CLAIM_BATCH, &started, err);
    if (rc0 != RB_OK)
        return rc0;
    rb_directive_run *runs = NULL;
    size_t n = 0;
    int rc = rb_store_directive_run_claim(st, owner, RB_DIRECTIVE_LEASE_S, CLAIM_BATCH, &runs,
                                          &n, err);
    if (rc != RB_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        process_run(st, lib, cfg, owner, &runs[i], dispatched);
        rb_directive_run_clear(&runs[i]);
    }
    free(runs);
    return (int)n;
}
