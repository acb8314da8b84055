/* pg_jobs.c — jobs, claims/leases and the outbox on PostgreSQL, with the
 * rules of sqlite_jobs.c.
 *
 * Every state change is one transaction that (1) updates the row with a
 * conditional UPDATE whose WHERE names the state it expects, (2) re-reads the
 * row and (3) writes the outbox event rendered from it. A lost race shows up
 * as zero rows changed and the transaction writes nothing.
 *
 * Differences from SQLite, where PostgreSQL lets many writers in at once:
 * claims lock their candidates with FOR UPDATE SKIP LOCKED, so concurrent
 * claimers (any number of nodes) take disjoint jobs without waiting on each
 * other; a create that loses a race on the dedupe or idempotency unique index
 * (SQLSTATE 23505) is run again, and then finds the winner's row. There is no
 * group commit: each create is its own transaction (the server batches WAL
 * flushes of concurrent commits itself). */
#include "store/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/crypto.h"

#define IDEMPOTENCY_TTL_S (24 * 3600)
/* A create that lost a unique-index race is run again this many times. */
#define CREATE_ATTEMPTS 3

#define JOB_COLS                                                                            \
    "id, env_id, workflow, status, parameters, passthrough, asset_id, resources, outputs, " \
    "errors, units_consumed, attempts, max_attempts, cancel_requested, created_at, "       \
    "updated_at, started_at, completed_at, run_at_ms, directive_id, directive_run_id"
/* The same columns qualified, for statements that join another relation. */
#define JOB_COLS_J                                                                          \
    "j.id, j.env_id, j.workflow, j.status, j.parameters, j.passthrough, j.asset_id,"       \
    " j.resources, j.outputs, j.errors, j.units_consumed, j.attempts, j.max_attempts,"     \
    " j.cancel_requested, j.created_at, j.updated_at, j.started_at, j.completed_at,"       \
    " j.run_at_ms, j.directive_id, j.directive_run_id"

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Decodes row `row` of a result selected with JOB_COLS. */
static void read_job(const PGresult *q, int row, rb_job *j)
{
    rb_job_init(j);
    rb_pg_col_copy(q, row, 0, j->id, sizeof j->id);
    rb_pg_col_copy(q, row, 1, j->env_id, sizeof j->env_id);
    rb_pg_col_copy(q, row, 2, j->workflow, sizeof j->workflow);
    if (rb_job_status_parse(PQgetvalue(q, row, 3), &j->status) != 0)
        j->status = RB_JOB_ERRORED;
    j->parameters = rb_pg_col_json(q, row, 4);
    j->passthrough = rb_pg_col_strdup(q, row, 5);
    rb_pg_col_copy(q, row, 6, j->asset_id, sizeof j->asset_id);
    j->resources = rb_pg_col_json(q, row, 7);
    j->outputs = rb_pg_col_json(q, row, 8);
    j->errors = rb_pg_col_json(q, row, 9);
    j->units_consumed = rb_pg_col_i64(q, row, 10);
    j->attempts = (int)rb_pg_col_i64(q, row, 11);
    j->max_attempts = (int)rb_pg_col_i64(q, row, 12);
    j->cancel_requested = (int)rb_pg_col_i64(q, row, 13);
    j->created_at = rb_pg_col_i64(q, row, 14);
    j->updated_at = rb_pg_col_i64(q, row, 15);
    j->started_at = rb_pg_col_i64(q, row, 16);
    j->completed_at = rb_pg_col_i64(q, row, 17);
    j->run_at_ms = rb_pg_col_i64(q, row, 18);
    rb_pg_col_copy(q, row, 19, j->directive_id, sizeof j->directive_id);
    rb_pg_col_copy(q, row, 20, j->directive_run_id, sizeof j->directive_run_id);
}

static const char SQL_JOB_LOAD[] = "SELECT " JOB_COLS " FROM jobs WHERE id = $1"
                                   " AND ($2::text IS NULL OR env_id = $2)"
                                   " AND ($3::text IS NULL OR workflow = $3)";

/* Loads a job; env_id and workflow may be NULL (not checked). */
static int load_job(rb_pgconn *c, const char *env_id, const char *workflow, const char *id,
                    rb_job *out, rb_err *err)
{
    PGresult *res;
    const char *p[] = {id, env_id, workflow};
    int r = rb_pg_query(c, SQL_JOB_LOAD, 3, p, &res, "job load", err);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        rb_err_set(err, 404, "not_found", "job %s not found", id);
        r = RB_NOTFOUND;
    } else {
        read_job(res, 0, out);
    }
    PQclear(res);
    return r;
}

static const char SQL_EVENT_INSERT[] =
    "INSERT INTO events(id, env_id, job_id, type, created_at_us, payload)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

/* Writes one outbox row whose payload is already rendered. */
static int insert_event_text(rb_pgconn *c, const char *id, const char *env_id,
                             const char *job_id, const char *type, const char *payload,
                             rb_err *err)
{
    c->wrote_event = 1;
    char at[24];
    const char *p[] = {id, env_id, job_id, type, rb_pg_i64(at, now_us()), payload};
    return rb_pg_exec(c, SQL_EVENT_INSERT, 6, p, NULL, "event insert", err);
}

/* The outbox write: the job as it is now, in the caller's transaction. */
static int insert_event(rb_pgconn *c, const rb_job *job, rb_err *err)
{
    char id[37], type[96];
    if (rb_random_uuid(id) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "random source failed");
    rb_job_event_type(job->workflow, job->status, type, sizeof type);
    json_t *data = rb_job_to_json(job);
    char *payload = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    if (!payload)
        return rb_err_set(err, 500, "internal_error", "cannot render job %s", job->id);
    int r = insert_event_text(c, id, job->env_id, job->id, type, payload, err);
    free(payload);
    return r;
}

/* Re-reads the job after a successful UPDATE and writes its event. */
static int event_after_change(rb_pgconn *c, const char *id, rb_job *out, rb_err *err)
{
    rb_job j;
    int r = load_job(c, NULL, NULL, id, &j, err);
    if (r)
        return r == RB_NOTFOUND ? rb_err_set(err, 500, "internal_error", "job vanished") : r;
    r = insert_event(c, &j, err);
    if (!r && out)
        *out = j;
    else
        rb_job_clear(&j);
    return r;
}

/* ---- create -------------------------------------------------------------------- */

static const char SQL_IDEM_FIND[] =
    "SELECT id, request_hash, created_at FROM jobs WHERE env_id = $1 AND idempotency_key = $2";
static const char SQL_IDEM_EXPIRE[] =
    "UPDATE jobs SET idempotency_key = NULL, request_hash = NULL WHERE id = $1";
static const char SQL_DEDUPE_FIND[] =
    "SELECT id FROM jobs WHERE env_id = $1 AND dedupe_key = $2"
    " AND status IN ('pending','processing')";
static const char SQL_JOB_INSERT[] =
    "INSERT INTO jobs(id, env_id, workflow, status, parameters, passthrough, asset_id,"
    " resources, units_consumed, attempts, max_attempts, cancel_requested, created_at,"
    " updated_at, run_at_ms, dedupe_key, idempotency_key, request_hash, directive_id,"
    " directive_run_id)"
    " VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, 0, 0, $8, 0, $9, $9, $10, $11, $12, $13,"
    " $14, $15)";

/* What one create writes, rendered once before the first attempt. */
struct create_text {
    char *params;
    char *resources;
    char *payload;
    char event_id[37];
    char event_type[96];
};

static void create_text_free(struct create_text *t)
{
    free(t->params);
    free(t->resources);
    free(t->payload);
}

/* Fills the defaults, sets the job to what the row will hold and renders
 * everything the transaction writes (as sqlite_jobs.c does). */
static int create_prepare(rb_job_create *cr, struct create_text *t, rb_err *err)
{
    rb_job *job = cr->job;
    if (!job->id[0] && rb_random_id(job->id, sizeof job->id, "rjob_", 24) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "random source failed");
    if (job->created_at <= 0)
        job->created_at = rb_now();
    if (job->max_attempts <= 0)
        job->max_attempts = 1;
    job->status = RB_JOB_PENDING;
    job->updated_at = job->created_at;
    job->attempts = 0;
    job->units_consumed = 0;
    job->cancel_requested = 0;
    job->started_at = 0;
    job->completed_at = 0;
    json_decref(job->outputs);
    json_decref(job->errors);
    job->outputs = job->errors = NULL;

    t->params = job->parameters ? json_dumps(job->parameters, JSON_COMPACT | JSON_ENCODE_ANY)
                                : strdup("{}");
    if (job->resources)
        t->resources = json_dumps(job->resources, JSON_COMPACT | JSON_ENCODE_ANY);
    json_t *data = rb_job_to_json(job);
    t->payload = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    if (!t->params || (job->resources && !t->resources) || !t->payload)
        return rb_err_set(err, 500, "internal_error", "cannot render job %s", job->id);
    if (rb_random_uuid(t->event_id) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "random source failed");
    rb_job_event_type(job->workflow, job->status, t->event_type, sizeof t->event_type);
    return RB_OK;
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* The idempotency rule (inside the caller's transaction): RB_OK with
 * *replayed = 1 and *job replaced by the original when the key was used for
 * the same request within the window; RB_CONFLICT when it was used for
 * another; RB_OK with *replayed = 0 when the key is free (an expired use is
 * released). */
static int idempotency_check(rb_pgconn *c, rb_job_create *cr, int64_t now, int *replayed,
                             rb_err *err)
{
    rb_job *job = cr->job;
    int r;
    PGresult *res;
    const char *p[] = {job->env_id, cr->idempotency_key};
    r = rb_pg_query(c, SQL_IDEM_FIND, 2, p, &res, "idempotency lookup", err);
    if (r)
        return r;
    char old_id[RB_ID_MAX] = "";
    int same_hash = 0, fresh = 0;
    if (PQntuples(res) > 0) {
        rb_pg_col_copy(res, 0, 0, old_id, sizeof old_id);
        const char *h = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
        /* Two requests without a body hash count as the same request. */
        same_hash = (!h && !or_null(cr->request_hash)) ||
                    (h && cr->request_hash && strcmp(h, cr->request_hash) == 0);
        fresh = rb_pg_col_i64(res, 0, 2) >= now - IDEMPOTENCY_TTL_S;
    }
    PQclear(res);
    if (old_id[0] && fresh) {
        if (!same_hash) {
            rb_err_set(err, 409, "conflict",
                       "Idempotency-Key was already used with a different request");
            return RB_CONFLICT;
        }
        /* The caller's struct is replaced by the stored original. */
        rb_job orig;
        r = load_job(c, NULL, NULL, old_id, &orig, err);
        if (r)
            return r;
        rb_job_clear(job);
        *job = orig;
        *replayed = 1;
        return RB_OK;
    }
    if (old_id[0]) {
        /* Older than the window: the key is free again. */
        const char *pe[] = {old_id};
        r = rb_pg_exec(c, SQL_IDEM_EXPIRE, 1, pe, NULL, "idempotency expire", err);
        if (r)
            return r;
    }
    return RB_OK;
}

/* One create inside the caller's transaction: the idempotency and dedupe
 * rules, the row and its "pending" event. */
static int create_one(rb_pgconn *c, rb_job_create *cr, const struct create_text *t,
                      char conflict_id[RB_ID_MAX], int *replayed, rb_err *err)
{
    rb_job *job = cr->job;
    int64_t now = rb_now();
    int r;

    /* Idempotency first: a replay must return the original even when the
     * original is still pending (which the dedupe rule would call a dup). */
    if (or_null(cr->idempotency_key)) {
        r = idempotency_check(c, cr, now, replayed, err);
        if (r || *replayed)
            return r;
    }

    if (or_null(cr->dedupe_key)) {
        PGresult *res;
        const char *p[] = {job->env_id, cr->dedupe_key};
        r = rb_pg_query(c, SQL_DEDUPE_FIND, 2, p, &res, "dedupe lookup", err);
        if (r)
            return r;
        int found = PQntuples(res) > 0;
        if (found)
            rb_pg_col_copy(res, 0, 0, conflict_id, RB_ID_MAX);
        PQclear(res);
        /* Each statement reads the latest commits (READ COMMITTED): a request
         * with the same Idempotency-Key that committed between the two
         * lookups shows up here as a duplicate. Ask the idempotency rule
         * again, so the retry is a replay and not a 409. */
        if (found && or_null(cr->idempotency_key)) {
            r = idempotency_check(c, cr, now, replayed, err);
            if (r == RB_CONFLICT)
                conflict_id[0] = '\0'; /* the key's reuse, not a duplicate job */
            if (r || *replayed)
                return r;
        }
        if (found) {
            rb_err_set(err, 409, "conflict", "an identical job is already in progress: %s",
                       conflict_id);
            return RB_CONFLICT;
        }
    }

    char max_attempts[24], created[24], run_at[24];
    const char *p[] = {job->id,
                       job->env_id,
                       job->workflow,
                       t->params,
                       job->passthrough,
                       or_null(job->asset_id),
                       t->resources,
                       rb_pg_i64(max_attempts, job->max_attempts),
                       rb_pg_i64(created, job->created_at),
                       rb_pg_i64(run_at, job->run_at_ms),
                       or_null(cr->dedupe_key),
                       or_null(cr->idempotency_key),
                       or_null(cr->request_hash),
                       or_null(job->directive_id),
                       or_null(job->directive_run_id)};
    r = rb_pg_exec(c, SQL_JOB_INSERT, 15, p, NULL, "job insert", err);
    if (r)
        return r;
    return insert_event_text(c, t->event_id, job->env_id, job->id, t->event_type, t->payload,
                             err);
}

int rb_pg_job_create(rb_store *st, rb_job_create *cr, char conflict_id[RB_ID_MAX],
                     int *replayed, rb_err *err)
{
    char cid[RB_ID_MAX] = "";
    int rep = 0;
    if (conflict_id)
        conflict_id[0] = '\0';
    if (replayed)
        *replayed = 0;
    if (!cr || !cr->job || !cr->job->env_id[0] || !cr->job->workflow[0])
        return rb_err_set(err, 500, "internal_error", "job create without env or workflow");
    struct create_text t;
    memset(&t, 0, sizeof t);
    int r = create_prepare(cr, &t, err);
    if (r) {
        create_text_free(&t);
        return r;
    }
    rb_pgconn *c = NULL;
    r = rb_pg_acquire(st, &c, err);
    for (int attempt = 0; !r && attempt < CREATE_ATTEMPTS; attempt++) {
        cid[0] = '\0';
        rep = 0;
        r = rb_pg_begin(c, err);
        if (!r)
            r = create_one(c, cr, &t, cid, &rep, err);
        if (!r) {
            /* Workers on other nodes wake when this commit lands. */
            rb_pg_notify(c, RB_STORE_WAKE_JOBS);
            r = rb_pg_commit(st, c, err);
            break;
        }
        rb_pg_rollback(c);
        /* A concurrent create committed the same dedupe or idempotency key
         * between our lookup and our insert: look again, and find it. */
        if (r != RB_ERR || strcmp(c->last_state, "23505") != 0 ||
            (strcmp(c->last_constraint, "jobs_dedupe") != 0 &&
             strcmp(c->last_constraint, "jobs_idempotency") != 0) ||
            attempt + 1 == CREATE_ATTEMPTS)
            break;
        r = RB_OK;
    }
    rb_pg_release(st, c);
    create_text_free(&t);
    if (conflict_id && r == RB_CONFLICT)
        memcpy(conflict_id, cid, RB_ID_MAX);
    if (replayed && !r)
        *replayed = rep;
    return r;
}

/* ---- reads ------------------------------------------------------------------ */

int rb_pg_job_get(rb_store *st, const char *env_id, const char *workflow, const char *id,
                  rb_job *out, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = load_job(c, env_id ? env_id : "", workflow, id, out, err);
    rb_pg_release(st, c);
    return r;
}

/* Renders the current row every time: no memo yet on this backend (the
 * contract only promises the rendering of the row as it is now). */
int rb_pg_job_get_json(rb_store *st, const char *env_id, const char *workflow, const char *id,
                       char **json, size_t *len, rb_err *err)
{
    *json = NULL;
    *len = 0;
    rb_job job;
    int r = rb_pg_job_get(st, env_id, workflow, id, &job, err);
    if (r)
        return r;
    json_t *o = rb_job_to_json(&job);
    *json = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    rb_job_clear(&job);
    if (!*json)
        return rb_err_set(err, 500, "internal_error", "cannot render job %s", id);
    *len = strlen(*json);
    return RB_OK;
}

static const char SQL_JOB_STATUS[] = "SELECT status FROM jobs WHERE id = $1";

int rb_pg_job_status(rb_store *st, const char *id, enum rb_job_status *out, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {id};
    r = rb_pg_query(c, SQL_JOB_STATUS, 1, p, &res, "job status", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        rb_err_set(err, 404, "not_found", "job %s not found", id);
        r = RB_NOTFOUND;
    } else if (rb_job_status_parse(PQgetvalue(res, 0, 0), out) != 0) {
        r = rb_err_set(err, 500, "internal_error", "job %s has an unknown status", id);
    }
    PQclear(res);
    return r;
}

/* Writes the filter's WHERE with numbered placeholders and collects the
 * matching parameter values; returns the number of parameters. */
static int list_where(rb_buf *b, const char *env_id, const rb_job_filter *f,
                      const char *params[4])
{
    int n = 0;
    params[n++] = env_id;
    rb_buf_puts(b, " WHERE env_id = $1");
    if (f->workflow) {
        params[n++] = f->workflow;
        rb_buf_appendf(b, " AND workflow = $%d", n);
    }
    if (f->has_status) {
        params[n++] = rb_job_status_name(f->status);
        rb_buf_appendf(b, " AND status = $%d", n);
    }
    if (f->asset_id) {
        params[n++] = f->asset_id;
        rb_buf_appendf(b, " AND asset_id = $%d", n);
    }
    return n;
}

static const char SQL_BEGIN_SNAPSHOT[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

int rb_pg_job_list(rb_store *st, const char *env_id, const rb_job_filter *f, rb_job **jobs,
                   size_t *n, int64_t *total, rb_err *err)
{
    *jobs = NULL;
    *n = 0;
    *total = 0;
    int limit = f->limit < 1 ? 25 : f->limit > 100 ? 100 : f->limit;
    int64_t page = f->page < 1 ? 1 : f->page;

    rb_buf cnt, sel;
    rb_buf_init(&cnt, 1024);
    rb_buf_init(&sel, 1024);
    const char *params[6];
    rb_buf_puts(&cnt, "SELECT count(*) FROM jobs");
    int np = list_where(&cnt, env_id, f, params);
    rb_buf_puts(&sel, "SELECT " JOB_COLS " FROM jobs");
    list_where(&sel, env_id, f, params);
    rb_buf_appendf(&sel, " ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d", np + 1,
                  np + 2);
    char lim[24], off[24];
    params[np] = rb_pg_i64(lim, limit);
    params[np + 1] = rb_pg_i64(off, (page - 1) * limit);

    rb_pgconn *c;
    PGresult *res = NULL;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        goto out_bufs;
    /* One snapshot so the count and the page agree. */
    r = rb_pg_exec(c, SQL_BEGIN_SNAPSHOT, 0, NULL, NULL, "BEGIN", err);
    if (!r)
        r = rb_pg_query_once(c, rb_buf_cstr(&cnt), np, params, &res, "job count", err);
    if (!r) {
        *total = rb_pg_col_i64(res, 0, 0);
        PQclear(res);
        res = NULL;
        r = rb_pg_query_once(c, rb_buf_cstr(&sel), np + 2, params, &res, "job list", err);
    }
    rb_pg_rollback(c);
    rb_pg_release(st, c);
    if (!r) {
        int k = PQntuples(res);
        if (k > 0) {
            rb_job *arr = calloc((size_t)k, sizeof *arr);
            if (!arr) {
                r = rb_err_set(err, 500, "internal_error", "out of memory");
            } else {
                for (int i = 0; i < k; i++)
                    read_job(res, i, &arr[i]);
                *jobs = arr;
                *n = (size_t)k;
            }
        }
    }
    PQclear(res);
out_bufs:
    rb_buf_free(&cnt);
    rb_buf_free(&sel);
    return r;
}

/* ---- state changes ------------------------------------------------------------ */

/* SET expressions read the row as it was before the update, so `status` in
 * them is the status being cancelled from. */
static const char SQL_JOB_CANCEL[] =
    "UPDATE jobs SET status = 'cancelled', completed_at = $2, updated_at = $2,"
    " cancel_requested = CASE WHEN status = 'processing' THEN 1 ELSE 0 END,"
    " lease_owner = NULL, lease_expires_ms = NULL,"
    " units_consumed = CASE WHEN status = 'pending' THEN 0 ELSE units_consumed END"
    " WHERE id = $1 AND env_id = $3 AND status IN ('pending','processing')";

int rb_pg_job_cancel(rb_store *st, const char *env_id, const char *id, rb_job *out,
                     rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char now[24];
    const char *p[] = {id, rb_pg_i64(now, rb_now()), env_id};
    int64_t changed = 0;
    r = rb_pg_begin(c, err);
    if (!r)
        r = rb_pg_exec(c, SQL_JOB_CANCEL, 3, p, &changed, "job cancel", err);
    if (!r && !changed) {
        /* Unknown, or already terminal: tell which, and show the job. */
        rb_job cur;
        r = load_job(c, env_id, NULL, id, &cur, err);
        if (!r) {
            rb_err_set(err, 409, "conflict", "job %s is already %s", id,
                       rb_job_status_name(cur.status));
            if (out)
                *out = cur;
            else
                rb_job_clear(&cur);
            r = RB_CONFLICT;
        }
    } else if (!r) {
        r = event_after_change(c, id, out, err);
    }
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}

/* Jobs whose lease expired after their last allowed attempt: errored instead
 * of run again. Locked with SKIP LOCKED like claims, so two claimers never
 * give up on the same job (and never wait for each other). */
static const char SQL_JOB_GIVE_UP[] =
    "UPDATE jobs j SET status = 'errored', completed_at = $2, updated_at = $2,"
    " lease_owner = NULL, lease_expires_ms = NULL,"
    " errors = json_build_array(json_build_object('type', 'processing_error', 'message',"
    "   'the job''s worker stopped responding ' || j.attempts || ' times; giving up',"
    "   'retryable', true))::text"
    " FROM (SELECT id FROM jobs"
    "   WHERE status = 'processing' AND lease_expires_ms <= $1 AND attempts >= max_attempts"
    "   FOR UPDATE SKIP LOCKED) due"
    " WHERE j.id = due.id"
    " RETURNING j.id";

/* The claim: two candidate sets (pending jobs by age, expired leases by age;
 * one index scan each), each locked with FOR UPDATE SKIP LOCKED so rows
 * another claimer holds are passed over instead of waited for, merged oldest
 * first and cut to $5, then updated in the same statement. (The locking
 * clause lives in the CTEs because PostgreSQL refuses FOR UPDATE under a
 * UNION; candidates locked but not picked stay locked only until this short
 * transaction ends.) A row locked by a concurrent claim that has
 * since committed is re-checked by the server against the WHERE (it is no
 * longer pending) and skipped, so no job is claimed twice.
 *
 * Pending → processing (attempts = 1 afterwards) or an expired processing
 * job re-run (attempts >= 2): the RETURNING row tells the two apart. */
static const char SQL_JOB_CLAIM[] =
    "WITH pending AS (SELECT id, created_at FROM jobs"
    "     WHERE status = 'pending' AND run_at_ms <= $1"
    "     ORDER BY created_at, id LIMIT $5 FOR UPDATE SKIP LOCKED),"
    "   expired AS (SELECT id, created_at FROM jobs"
    "     WHERE status = 'processing' AND lease_expires_ms <= $1 AND attempts < max_attempts"
    "     ORDER BY created_at, id LIMIT $5 FOR UPDATE SKIP LOCKED)"
    " UPDATE jobs j SET status = 'processing', attempts = j.attempts + 1,"
    " lease_owner = $2, lease_expires_ms = $1 + $3 * 1000,"
    " started_at = COALESCE(j.started_at, $4),"
    " updated_at = CASE WHEN j.status = 'pending' THEN $4 ELSE j.updated_at END"
    " FROM (SELECT id FROM (SELECT * FROM pending UNION ALL SELECT * FROM expired) cand"
    "   ORDER BY created_at, id LIMIT $5) pick"
    " WHERE j.id = pick.id"
    " RETURNING " JOB_COLS_J;

static int cmp_claimed(const void *a, const void *b)
{
    const rb_job *x = a, *y = b;
    if (x->created_at != y->created_at)
        return x->created_at < y->created_at ? -1 : 1;
    return strcmp(x->id, y->id);
}

int rb_pg_job_claim(rb_store *st, const char *worker_id, int lease_seconds, int max,
                    rb_job *jobs, size_t *n, rb_err *err)
{
    *n = 0;
    if (max <= 0)
        return RB_OK;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    int64_t now_ms = rb_now_ms(), now = now_ms / 1000;
    char s_now_ms[24], s_now[24], s_lease[24], s_max[24];
    rb_pg_i64(s_now_ms, now_ms);
    rb_pg_i64(s_now, now);
    rb_pg_i64(s_lease, lease_seconds > 0 ? lease_seconds : 60);
    rb_pg_i64(s_max, max);
    r = rb_pg_begin(c, err);

    /* 1. Give up on exhausted jobs, with their events. */
    PGresult *res = NULL;
    const char *pg[] = {s_now_ms, s_now};
    if (!r)
        r = rb_pg_query(c, SQL_JOB_GIVE_UP, 2, pg, &res, "job give up", err);
    for (int i = 0; !r && i < PQntuples(res); i++)
        r = event_after_change(c, PQgetvalue(res, i, 0), NULL, err);
    PQclear(res);
    res = NULL;

    /* 2. Claim. */
    size_t k = 0;
    const char *pc[] = {s_now_ms, worker_id, s_lease, s_now, s_max};
    if (!r)
        r = rb_pg_query(c, SQL_JOB_CLAIM, 5, pc, &res, "job claim", err);
    for (int i = 0; !r && i < PQntuples(res) && k < (size_t)max; i++)
        read_job(res, i, &jobs[k++]);
    PQclear(res);
    qsort(jobs, k, sizeof *jobs, cmp_claimed);
    for (size_t i = 0; !r && i < k; i++)
        if (jobs[i].attempts == 1)
            r = insert_event(c, &jobs[i], err);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    if (r) {
        for (size_t i = 0; i < k; i++)
            rb_job_clear(&jobs[i]);
        return r;
    }
    *n = k;
    return RB_OK;
}

static const char SQL_JOB_HEARTBEAT[] =
    "UPDATE jobs SET lease_expires_ms = $3"
    " WHERE id = $1 AND status = 'processing' AND lease_owner = $2";

int rb_pg_job_heartbeat(rb_store *st, const char *id, const char *worker_id,
                        int lease_seconds, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char until[24];
    const char *p[] = {
        id, worker_id,
        rb_pg_i64(until, rb_now_ms() + (int64_t)(lease_seconds > 0 ? lease_seconds : 60) * 1000)};
    int64_t changed = 0;
    r = rb_pg_exec(c, SQL_JOB_HEARTBEAT, 3, p, &changed, "job heartbeat", err);
    if (!r && !changed) {
        rb_err_set(err, 404, "not_found", "worker %s no longer holds job %s", worker_id, id);
        r = RB_NOTFOUND;
    }
    rb_pg_release(st, c);
    return r;
}

/* Runs one conditional UPDATE in a transaction; on a change, writes the
 * event unless no_event. Nothing changed → RB_CONFLICT. */
static int finish_job(rb_store *st, const char *sql, const char *id, const char *const *p,
                      int np, int no_event, int wake_jobs, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    int64_t changed = 0;
    r = rb_pg_begin(c, err);
    if (!r)
        r = rb_pg_exec(c, sql, np, p, &changed, "job finish", err);
    if (!r && !changed) {
        rb_err_set(err, 409, "conflict", "job %s is no longer processing under this worker",
                   id);
        r = RB_CONFLICT;
    } else if (!r && !no_event) {
        r = event_after_change(c, id, NULL, err);
    }
    if (!r && wake_jobs)
        rb_pg_notify(c, RB_STORE_WAKE_JOBS);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}

static const char SQL_JOB_COMPLETE[] =
    "UPDATE jobs SET status = 'completed', outputs = $3, units_consumed = $4,"
    " completed_at = $5, updated_at = $5, lease_owner = NULL, lease_expires_ms = NULL"
    " WHERE id = $1 AND status = 'processing' AND lease_owner = $2";

int rb_pg_job_complete(rb_store *st, const char *id, const char *worker_id, json_t *outputs,
                       int64_t units, rb_err *err)
{
    char *doc = outputs ? json_dumps(outputs, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (outputs && !doc)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    char u[24], now[24];
    const char *p[] = {id, worker_id, doc ? doc : "{}", rb_pg_i64(u, units < 0 ? 0 : units),
                       rb_pg_i64(now, rb_now())};
    int r = finish_job(st, SQL_JOB_COMPLETE, id, p, 5, 0, 0, err);
    free(doc);
    return r;
}

static const char SQL_JOB_FAIL[] =
    "UPDATE jobs SET status = 'errored', errors = $3, units_consumed = $4,"
    " completed_at = $5, updated_at = $5, lease_owner = NULL, lease_expires_ms = NULL"
    " WHERE id = $1 AND status = 'processing' AND lease_owner = $2";

/* A retry releases the lease and parks it until retry_at: the expired-lease
 * claim path picks the job up again then. Status and updated_at stay. */
static const char SQL_JOB_RETRY[] =
    "UPDATE jobs SET units_consumed = $3, lease_owner = NULL, lease_expires_ms = $4,"
    " run_at_ms = $4"
    " WHERE id = $1 AND status = 'processing' AND lease_owner = $2";

int rb_pg_job_fail(rb_store *st, const char *id, const char *worker_id, json_t *errors,
                   int64_t units, int64_t retry_at_ms, rb_err *err)
{
    char u[24], now[24], at[24];
    rb_pg_i64(u, units < 0 ? 0 : units);
    if (retry_at_ms > 0) {
        const char *p[] = {id, worker_id, u, rb_pg_i64(at, retry_at_ms)};
        /* A job released for a retry due (about) now — the engine's
         * shutdown release — is claimable at once: wake other nodes. */
        int due = retry_at_ms <= rb_now_ms() + 1000;
        return finish_job(st, SQL_JOB_RETRY, id, p, 4, 1, due, err);
    }
    char *doc = NULL;
    if (errors && json_is_array(errors) && json_array_size(errors) > 0) {
        doc = json_dumps(errors, JSON_COMPACT);
        if (!doc)
            return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    /* errors[] has at least one entry on an errored job (spec §3.1). */
    const char *p[] = {id, worker_id,
                       doc ? doc
                           : "[{\"type\":\"processing_error\",\"message\":\"the job failed\","
                             "\"retryable\":false}]",
                       u, rb_pg_i64(now, rb_now())};
    int r = finish_job(st, SQL_JOB_FAIL, id, p, 5, 0, 0, err);
    free(doc);
    return r;
}

/* ---- sweep ---------------------------------------------------------------------- */

static const char SQL_SWEEP_EVENTS[] =
    "DELETE FROM events WHERE job_id IN (SELECT id FROM jobs WHERE created_at < $1)";
static const char SQL_SWEEP_BLOBS[] =
    "DELETE FROM blobs WHERE job_id IN (SELECT id FROM jobs WHERE created_at < $1)";
static const char SQL_SWEEP_JOBS[] = "DELETE FROM jobs WHERE created_at < $1";

int rb_pg_job_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err)
{
    if (deleted)
        *deleted = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char b[24];
    const char *p[] = {rb_pg_i64(b, before)};
    r = rb_pg_begin(c, err);
    if (!r)
        r = rb_pg_exec(c, SQL_SWEEP_EVENTS, 1, p, NULL, "sweep", err);
    if (!r)
        r = rb_pg_exec(c, SQL_SWEEP_BLOBS, 1, p, NULL, "sweep", err);
    if (!r)
        r = rb_pg_exec(c, SQL_SWEEP_JOBS, 1, p, deleted, "sweep", err);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}

/* ---- outbox read side -------------------------------------------------------------- */

static const char SQL_EVENTS_FOR_JOB[] =
    "SELECT id, env_id, job_id, type, created_at_us, payload FROM events"
    " WHERE job_id = $1 ORDER BY seq";
static const char SQL_EVENTS_FOR_RUN[] =
    "SELECT id, env_id, job_id, type, created_at_us, payload FROM events"
    " WHERE run_id = $1 ORDER BY seq";

/* Events selected by sql (one parameter, key) in write order. */
static int events_query(rb_store *st, const char *sql, const char *key, const char *what,
                        rb_event **out, size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {key};
    r = rb_pg_query(c, sql, 1, p, &res, what, err);
    rb_pg_release(st, c);
    if (r)
        return r;
    int k = PQntuples(res);
    if (k > 0) {
        rb_event *arr = calloc((size_t)k, sizeof *arr);
        if (!arr) {
            PQclear(res);
            return rb_err_set(err, 500, "internal_error", "out of memory");
        }
        for (int i = 0; i < k; i++) {
            rb_event *e = &arr[i];
            rb_pg_col_copy(res, i, 0, e->id, sizeof e->id);
            rb_pg_col_copy(res, i, 1, e->env_id, sizeof e->env_id);
            rb_pg_col_copy(res, i, 2, e->job_id, sizeof e->job_id); /* "" for run events */
            rb_pg_col_copy(res, i, 3, e->type, sizeof e->type);
            e->created_at_us = rb_pg_col_i64(res, i, 4);
            e->data = rb_pg_col_json(res, i, 5);
        }
        *out = arr;
        *n = (size_t)k;
    }
    PQclear(res);
    return RB_OK;
}

int rb_pg_events_for_job(rb_store *st, const char *job_id, rb_event **out, size_t *n,
                         rb_err *err)
{
    return events_query(st, SQL_EVENTS_FOR_JOB, job_id, "events", out, n, err);
}

int rb_pg_events_for_run(rb_store *st, const char *run_id, rb_event **out, size_t *n,
                         rb_err *err)
{
    return events_query(st, SQL_EVENTS_FOR_RUN, run_id, "run events", out, n, err);
}

/* ---- directive link ----------------------------------------------------------------- */

static const char SQL_JOB_SET_DIRECTIVE[] =
    "UPDATE jobs SET directive_id = $2, directive_run_id = $3 WHERE id = $1";

int rb_pg_job_set_directive(rb_store *st, const char *job_id, const char *directive_id,
                            const char *run_id, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    const char *p[] = {job_id, directive_id, run_id};
    int64_t changed = 0;
    r = rb_pg_exec(c, SQL_JOB_SET_DIRECTIVE, 3, p, &changed, "job directive", err);
    rb_pg_release(st, c);
    if (!r && !changed) {
        rb_err_set(err, 404, "not_found", "job %s not found", job_id);
        r = RB_NOTFOUND;
    }
    return r;
}
