/* sqlite_jobs.c — jobs, claims/leases, the outbox, and the group committer
 * behind rb_sqlite_job_create.
 *
 * Every state change is one write transaction that (1) updates the row with a
 * conditional UPDATE whose WHERE names the state it expects, (2) re-reads the
 * row and (3) writes the outbox event rendered from it. A lost race shows up as
 * changes() == 0 and the transaction writes nothing. */
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/crypto.h"

#define IDEMPOTENCY_TTL_S (24 * 3600)
/* Upper bound on creates sharing one commit: keeps one transaction's lock
 * time short when thousands of callers queue up at once. */
#define GC_MAX_BATCH 512

#define JOB_COLS                                                                            \
    "id, env_id, workflow, status, parameters, passthrough, asset_id, resources, outputs, " \
    "errors, units_consumed, attempts, max_attempts, cancel_requested, created_at, "       \
    "updated_at, started_at, completed_at, run_at_ms, directive_id, directive_run_id"

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Decodes a row selected with JOB_COLS starting at column 0. */
static void read_job(sqlite3_stmt *q, rb_job *j)
{
    rb_job_init(j);
    rb_sql_col_copy(q, 0, j->id, sizeof j->id);
    rb_sql_col_copy(q, 1, j->env_id, sizeof j->env_id);
    rb_sql_col_copy(q, 2, j->workflow, sizeof j->workflow);
    const char *s = (const char *)sqlite3_column_text(q, 3);
    if (!s || rb_job_status_parse(s, &j->status) != 0)
        j->status = RB_JOB_ERRORED;
    j->parameters = rb_sql_col_json(q, 4);
    j->passthrough = rb_sql_col_strdup(q, 5);
    rb_sql_col_copy(q, 6, j->asset_id, sizeof j->asset_id);
    j->resources = rb_sql_col_json(q, 7);
    j->outputs = rb_sql_col_json(q, 8);
    j->errors = rb_sql_col_json(q, 9);
    j->units_consumed = sqlite3_column_int64(q, 10);
    j->attempts = sqlite3_column_int(q, 11);
    j->max_attempts = sqlite3_column_int(q, 12);
    j->cancel_requested = sqlite3_column_int(q, 13);
    j->created_at = sqlite3_column_int64(q, 14);
    j->updated_at = sqlite3_column_int64(q, 15);
    j->started_at = sqlite3_column_int64(q, 16);
    j->completed_at = sqlite3_column_int64(q, 17);
    j->run_at_ms = sqlite3_column_int64(q, 18);
    rb_sql_col_copy(q, 19, j->directive_id, sizeof j->directive_id);
    rb_sql_col_copy(q, 20, j->directive_run_id, sizeof j->directive_run_id);
}

static const char SQL_JOB_LOAD[] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?1"
                                   " AND (?2 IS NULL OR env_id = ?2)"
                                   " AND (?3 IS NULL OR workflow = ?3)";

/* Loads a job; env_id and workflow may be NULL (not checked). */
static int load_job(rb_sqlconn *c, const char *env_id, const char *workflow, const char *id,
                    rb_job *out, rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, SQL_JOB_LOAD, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, id, 0);
    rb_sql_bind_text(q, 2, env_id, 0);
    rb_sql_bind_text(q, 3, workflow, 0);
    int rc = sqlite3_step(q), r = RB_OK;
    if (rc == SQLITE_ROW) {
        read_job(q, out);
    } else if (rc == SQLITE_DONE) {
        rb_err_set(err, 404, "not_found", "job %s not found", id);
        r = RB_NOTFOUND;
    } else {
        r = rb_sql_fail(c, rc, "job load", err);
    }
    rb_sql_done(c, q);
    return r;
}

static const char SQL_EVENT_INSERT[] =
    "INSERT INTO events(id, env_id, job_id, type, created_at_us, payload)"
    " VALUES (?, ?, ?, ?, ?, ?)";

/* Writes one outbox row whose payload is already rendered; the strings only
 * need to live until this returns. */
static int insert_event_text(rb_sqlconn *c, const char *id, const char *env_id,
                             const char *job_id, const char *type, const char *payload,
                             rb_err *err)
{
    c->wrote_event = 1;
    sqlite3_stmt *q = rb_sql_prep(c, SQL_EVENT_INSERT, err);
    if (!q)
        return RB_ERR;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, env_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, job_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, now_us());
    sqlite3_bind_text(q, 6, payload, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q), r = RB_OK;
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "event insert", err);
    rb_sql_done(c, q);
    return r;
}

/* The outbox write: the job as it is now, in the caller's transaction. */
static int insert_event(rb_sqlconn *c, const rb_job *job, rb_err *err)
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

/* ---- create (group commit) --------------------------------------------------- */

static const char SQL_IDEM_FIND[] =
    "SELECT id, request_hash, created_at FROM jobs WHERE env_id = ? AND idempotency_key = ?";
static const char SQL_IDEM_EXPIRE[] =
    "UPDATE jobs SET idempotency_key = NULL, request_hash = NULL WHERE id = ?";
static const char SQL_DEDUPE_FIND[] =
    "SELECT id FROM jobs WHERE env_id = ? AND dedupe_key = ?"
    " AND status IN ('pending','processing')";
static const char SQL_JOB_INSERT[] =
    "INSERT INTO jobs(id, env_id, workflow, status, parameters, passthrough, asset_id,"
    " resources, units_consumed, attempts, max_attempts, cancel_requested, created_at,"
    " updated_at, run_at_ms, dedupe_key, idempotency_key, request_hash, directive_id,"
    " directive_run_id)"
    " VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7, 0, 0, ?8, 0, ?9, ?9, ?10, ?11, ?12, ?13,"
    " ?14, ?15)";

/* The caller's half of a create, run on its own thread before queueing:
 * fills the defaults, sets the job to what the row will hold and renders
 * everything the committer writes. RB_OK or RB_ERR (err filled). */
static int create_prepare(rb_gc_req *req, rb_err *err)
{
    rb_job *job = req->c->job;
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

    req->params_text = job->parameters
                           ? json_dumps(job->parameters, JSON_COMPACT | JSON_ENCODE_ANY)
                           : strdup("{}");
    if (job->resources)
        req->resources_text = json_dumps(job->resources, JSON_COMPACT | JSON_ENCODE_ANY);
    json_t *data = rb_job_to_json(job);
    req->event_payload = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    if (!req->params_text || (job->resources && !req->resources_text) || !req->event_payload)
        return rb_err_set(err, 500, "internal_error", "cannot render job %s", job->id);
    if (rb_random_uuid(req->event_id) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "random source failed");
    rb_job_event_type(job->workflow, job->status, req->event_type, sizeof req->event_type);
    return RB_OK;
}

static void create_release(rb_gc_req *req)
{
    free(req->params_text);
    free(req->resources_text);
    free(req->event_payload);
    req->params_text = req->resources_text = req->event_payload = NULL;
}

/* One create inside the committer's transaction (under a savepoint). The
 * job was prepared by create_prepare. */
static int create_one(rb_sqlconn *c, rb_gc_req *req)
{
    rb_job_create *cr = req->c;
    rb_job *job = cr->job;
    rb_err *err = &req->err;
    int64_t now = rb_now();

    /* Idempotency first: a replay must return the original even when the
     * original is still pending (which the dedupe rule would call a dup). */
    if (cr->idempotency_key && *cr->idempotency_key) {
        sqlite3_stmt *q = rb_sql_prep(c, SQL_IDEM_FIND, err);
        if (!q)
            return RB_ERR;
        rb_sql_bind_text(q, 1, job->env_id, 0);
        rb_sql_bind_text(q, 2, cr->idempotency_key, 0);
        int rc = sqlite3_step(q);
        char old_id[RB_ID_MAX] = "";
        int same_hash = 0, fresh = 0;
        if (rc == SQLITE_ROW) {
            rb_sql_col_copy(q, 0, old_id, sizeof old_id);
            const char *h = (const char *)sqlite3_column_text(q, 1);
            /* Two requests without a body hash count as the same request. */
            same_hash = (!h && !cr->request_hash) ||
                        (h && cr->request_hash && strcmp(h, cr->request_hash) == 0);
            fresh = sqlite3_column_int64(q, 2) >= now - IDEMPOTENCY_TTL_S;
        } else if (rc != SQLITE_DONE) {
            int r = rb_sql_fail(c, rc, "idempotency lookup", err);
            rb_sql_done(c, q);
            return r;
        }
        rb_sql_done(c, q);
        if (old_id[0] && fresh) {
            if (!same_hash) {
                req->conflict_id[0] = '\0';
                rb_err_set(err, 409, "conflict",
                           "Idempotency-Key was already used with a different request");
                return RB_CONFLICT;
            }
            /* The caller's struct is replaced by the stored original. */
            rb_job orig;
            int r = load_job(c, NULL, NULL, old_id, &orig, err);
            if (r)
                return r;
            rb_job_clear(job);
            *job = orig;
            req->replayed = 1;
            return RB_OK;
        }
        if (old_id[0]) {
            /* Older than the window: the key is free again. */
            q = rb_sql_prep(c, SQL_IDEM_EXPIRE, err);
            if (!q)
                return RB_ERR;
            rb_sql_bind_text(q, 1, old_id, 0);
            rc = sqlite3_step(q);
            rb_sql_done(c, q);
            if (rc != SQLITE_DONE)
                return rb_sql_fail(c, rc, "idempotency expire", err);
        }
    }

    if (cr->dedupe_key && *cr->dedupe_key) {
        sqlite3_stmt *q = rb_sql_prep(c, SQL_DEDUPE_FIND, err);
        if (!q)
            return RB_ERR;
        rb_sql_bind_text(q, 1, job->env_id, 0);
        rb_sql_bind_text(q, 2, cr->dedupe_key, 0);
        int rc = sqlite3_step(q), r = RB_OK;
        if (rc == SQLITE_ROW) {
            rb_sql_col_copy(q, 0, req->conflict_id, RB_ID_MAX);
            rb_err_set(err, 409, "conflict", "an identical job is already in progress: %s",
                       req->conflict_id);
            r = RB_CONFLICT;
        } else if (rc != SQLITE_DONE) {
            r = rb_sql_fail(c, rc, "dedupe lookup", err);
        }
        rb_sql_done(c, q);
        if (r)
            return r;
    }

    /* Every string bound here lives until the caller is woken, well after
     * rb_sql_done has cleared the bindings, so SQLite need not copy them. */
    sqlite3_stmt *q = rb_sql_prep(c, SQL_JOB_INSERT, err);
    if (!q)
        return RB_ERR;
    sqlite3_bind_text(q, 1, job->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, job->env_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, job->workflow, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, req->params_text, -1, SQLITE_STATIC);
    if (job->passthrough)
        sqlite3_bind_text(q, 5, job->passthrough, -1, SQLITE_STATIC);
    if (job->asset_id[0])
        sqlite3_bind_text(q, 6, job->asset_id, -1, SQLITE_STATIC);
    if (req->resources_text)
        sqlite3_bind_text(q, 7, req->resources_text, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 8, job->max_attempts);
    sqlite3_bind_int64(q, 9, job->created_at);
    sqlite3_bind_int64(q, 10, job->run_at_ms);
    if (cr->dedupe_key && *cr->dedupe_key)
        sqlite3_bind_text(q, 11, cr->dedupe_key, -1, SQLITE_STATIC);
    if (cr->idempotency_key && *cr->idempotency_key)
        sqlite3_bind_text(q, 12, cr->idempotency_key, -1, SQLITE_STATIC);
    if (cr->request_hash && *cr->request_hash)
        sqlite3_bind_text(q, 13, cr->request_hash, -1, SQLITE_STATIC);
    if (job->directive_id[0])
        sqlite3_bind_text(q, 14, job->directive_id, -1, SQLITE_STATIC);
    if (job->directive_run_id[0])
        sqlite3_bind_text(q, 15, job->directive_run_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q), r = RB_OK;
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "job insert", err);
    rb_sql_done(c, q);
    if (r)
        return r;
    return insert_event_text(c, req->event_id, job->env_id, job->id, req->event_type,
                             req->event_payload, err);
}

static const char SQL_SAVEPOINT[] = "SAVEPOINT create_one";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO create_one";
static const char SQL_RELEASE[] = "RELEASE create_one";

/* Runs one of the savepoint statements above, prepared once per connection
 * (sqlite3_exec would parse it again for every create). */
static int run_cached(rb_sqlconn *c, const char *sql)
{
    rb_err e;
    sqlite3_stmt *q = rb_sql_prep(c, sql, &e);
    if (!q)
        return sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    int rc = sqlite3_step(q);
    rb_sql_done(c, q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Runs one batch in one transaction. Each request gets a savepoint so a
 * conflict or a failed insert undoes only its own writes. */
static void commit_batch(rb_sqlconn *c, rb_gc_req *batch)
{
    rb_err berr;
    rb_err_clear(&berr);
    int r = rb_sql_begin_write(c, &berr);
    if (r) {
        for (rb_gc_req *q = batch; q; q = q->next) {
            q->rc = r;
            q->err = berr;
        }
        return;
    }
    for (rb_gc_req *q = batch; q; q = q->next) {
        run_cached(c, SQL_SAVEPOINT);
        q->rc = create_one(c, q);
        if (q->rc != RB_OK)
            run_cached(c, SQL_ROLLBACK_TO);
        run_cached(c, SQL_RELEASE);
        if (sqlite3_get_autocommit(c->db)) {
            /* A severe error (disk full, I/O) rolled back the whole
             * transaction: nothing of the batch survives, and a further
             * SAVEPOINT would silently start a new transaction. */
            r = rb_sql_fail(c, SQLITE_ABORT, "group commit", &berr);
            break;
        }
    }
    if (!r)
        r = rb_sql_commit(c, &berr);
    if (r) {
        /* Nothing of this batch is durable: every caller sees the failure. */
        for (rb_gc_req *q = batch; q; q = q->next) {
            q->rc = r;
            q->err = berr;
            q->replayed = 0;
        }
    }
}

void *rb_sql_gc_main(void *arg)
{
    rb_sqlstore *st = arg;
    pthread_mutex_lock(&st->gc_mu);
    for (;;) {
        while (!st->gc_head && !st->gc_stop)
            pthread_cond_wait(&st->gc_work, &st->gc_mu);
        if (!st->gc_head)
            break;
        /* Take up to GC_MAX_BATCH requests; later arrivals wait for the next
         * round, which starts as soon as this commit's fsync returns. */
        rb_gc_req *batch = st->gc_head, *last = batch;
        int n = 1;
        for (; n < GC_MAX_BATCH && last->next; n++)
            last = last->next;
        st->gc_batches++;
        st->gc_rows += n;
        if (n > st->gc_max_batch)
            st->gc_max_batch = n;
        st->gc_head = last->next;
        if (!st->gc_head)
            st->gc_tail = NULL;
        last->next = NULL;
        int busy = st->busy_timeout_ms;
        pthread_mutex_unlock(&st->gc_mu);
        rb_sql_apply_busy(st->gc_conn, busy);

        commit_batch(st->gc_conn, batch);

        pthread_mutex_lock(&st->gc_mu);
        for (rb_gc_req *q = batch, *next; q; q = next) {
            /* q lives on its caller's stack: read next before the caller
             * can see done and return. */
            next = q->next;
            q->done = 1;
            pthread_cond_signal(&q->done_cv);
        }
    }
    pthread_mutex_unlock(&st->gc_mu);
    return NULL;
}

int rb_sqlite_job_create(rb_store *base, rb_job_create *c, char conflict_id[RB_ID_MAX],
                         int *replayed, rb_err *err)
{
    rb_sqlstore *st = rb_sq(base);
    rb_gc_req req;
    memset(&req, 0, sizeof req);
    req.c = c;
    if (conflict_id)
        conflict_id[0] = '\0';
    if (replayed)
        *replayed = 0;
    if (!c || !c->job || !c->job->env_id[0] || !c->job->workflow[0])
        return rb_err_set(err, 500, "internal_error", "job create without env or workflow");
    if (create_prepare(&req, err) != RB_OK) {
        create_release(&req);
        return RB_ERR;
    }

    pthread_cond_init(&req.done_cv, NULL);
    pthread_mutex_lock(&st->gc_mu);
    if (st->gc_stop) {
        pthread_mutex_unlock(&st->gc_mu);
        pthread_cond_destroy(&req.done_cv);
        create_release(&req);
        rb_err_set(err, 503, "unavailable", "the store is closing");
        return RB_BUSY;
    }
    if (st->gc_tail)
        st->gc_tail->next = &req;
    else
        st->gc_head = &req;
    st->gc_tail = &req;
    pthread_cond_signal(&st->gc_work);
    while (!req.done)
        pthread_cond_wait(&req.done_cv, &st->gc_mu);
    pthread_mutex_unlock(&st->gc_mu);
    pthread_cond_destroy(&req.done_cv);
    create_release(&req);

    if (conflict_id && req.rc == RB_CONFLICT)
        memcpy(conflict_id, req.conflict_id, RB_ID_MAX);
    if (replayed)
        *replayed = req.replayed;
    if (req.rc && err)
        *err = req.err;
    return req.rc;
}

/* ---- reads ------------------------------------------------------------------ */

int rb_sqlite_job_get(rb_store *st, const char *env_id, const char *workflow, const char *id,
                      rb_job *out, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = load_job(c, env_id ? env_id : "", workflow, id, out, err);
    rb_sql_release(st, c);
    return r;
}

/* ---- rendered reads --------------------------------------------------------
 *
 * Rendering a job (parse the JSON columns, build the object, dump it) costs
 * more than reading its row, and a polled job mostly does not change between
 * reads. The memo maps a row's exact stored bytes to its rendering: a hit
 * needs the row to be byte-for-byte what was rendered, so it can never serve
 * a stale job; it only skips recomputing a pure function of the row. Entries
 * are direct-mapped by job id, so the memo holds RB_JOB_MEMO_SLOTS rows of at
 * most RB_JOB_MEMO_MAX_ROW bytes. */

struct rb_job_memo {
    char *row;                     /* the serialized row (see row_bytes) */
    size_t row_len;
    char *json;
    size_t json_len;
};

void rb_sql_memo_free(rb_store *base)
{
    rb_sqlstore *st = rb_sq(base);
    if (!st->memo)
        return;
    for (int i = 0; i < RB_JOB_MEMO_SLOTS; i++) {
        free(st->memo[i].row);
        free(st->memo[i].json);
    }
    free(st->memo);
    st->memo = NULL;
}

/* Appends n bytes at *len if they fit in cap; returns 0 when they do not. */
static int put_bytes(char *buf, size_t cap, size_t *len, const void *p, size_t n)
{
    if (n > cap - *len)
        return 0;
    memcpy(buf + *len, p, n);
    *len += n;
    return 1;
}

/* Serializes every column of q's current row (type, then value; lengths
 * prefixed) into buf. Every column counts, so a column added to JOB_COLS
 * later is part of the key without anyone remembering to add it here.
 * Returns 0 when the row does not fit. */
static int row_bytes(sqlite3_stmt *q, char *buf, size_t cap, size_t *len)
{
    *len = 0;
    int n = sqlite3_column_count(q);
    for (int i = 0; i < n; i++) {
        unsigned char type = (unsigned char)sqlite3_column_type(q, i);
        if (!put_bytes(buf, cap, len, &type, 1))
            return 0;
        if (type == SQLITE_INTEGER) {
            int64_t v = sqlite3_column_int64(q, i);
            if (!put_bytes(buf, cap, len, &v, sizeof v))
                return 0;
        } else if (type == SQLITE_FLOAT) {
            double v = sqlite3_column_double(q, i);
            if (!put_bytes(buf, cap, len, &v, sizeof v))
                return 0;
        } else if (type != SQLITE_NULL) {
            const void *p = type == SQLITE_BLOB ? sqlite3_column_blob(q, i)
                                                : (const void *)sqlite3_column_text(q, i);
            uint32_t bl = (uint32_t)sqlite3_column_bytes(q, i);
            if (!put_bytes(buf, cap, len, &bl, sizeof bl) || !put_bytes(buf, cap, len, p, bl))
                return 0;
        }
    }
    return 1;
}

static size_t memo_slot(const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return (size_t)(h % RB_JOB_MEMO_SLOTS);
}

/* Copies the memoized rendering of exactly this row, if there is one. */
static int memo_get(rb_store *base, const char *id, const char *row, size_t row_len, char **json,
                    size_t *len)
{
    rb_sqlstore *st = rb_sq(base);
    int hit = 0;
    pthread_rwlock_rdlock(&st->memo_mu);
    const struct rb_job_memo *m = st->memo ? &st->memo[memo_slot(id)] : NULL;
    if (m && m->row && m->row_len == row_len && memcmp(m->row, row, row_len) == 0) {
        char *copy = malloc(m->json_len + 1);
        if (copy) {
            memcpy(copy, m->json, m->json_len + 1);
            *json = copy;
            *len = m->json_len;
            hit = 1;
        }
    }
    pthread_rwlock_unlock(&st->memo_mu);
    return hit;
}

static void memo_put(rb_store *base, const char *id, const char *row, size_t row_len,
                     const char *json, size_t len)
{
    rb_sqlstore *st = rb_sq(base);
    char *r = malloc(row_len ? row_len : 1), *j = malloc(len + 1);
    if (!r || !j) {
        free(r);
        free(j);
        return;
    }
    memcpy(r, row, row_len);
    memcpy(j, json, len + 1);
    pthread_rwlock_wrlock(&st->memo_mu);
    if (!st->memo)
        st->memo = calloc(RB_JOB_MEMO_SLOTS, sizeof *st->memo);
    if (st->memo) {
        struct rb_job_memo *m = &st->memo[memo_slot(id)];
        free(m->row);
        free(m->json);
        m->row = r;
        m->row_len = row_len;
        m->json = j;
        m->json_len = len;
        r = j = NULL;
    }
    pthread_rwlock_unlock(&st->memo_mu);
    free(r);
    free(j);
}

int rb_sqlite_job_get_json(rb_store *st, const char *env_id, const char *workflow,
                           const char *id, char **json, size_t *len, rb_err *err)
{
    *json = NULL;
    *len = 0;
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_JOB_LOAD, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, id, 0);
    rb_sql_bind_text(q, 2, env_id ? env_id : "", 0);
    rb_sql_bind_text(q, 3, workflow, 0);
    char row[RB_JOB_MEMO_MAX_ROW];
    size_t row_len = 0;
    int keyed = 0, hit = 0;
    rb_job job;
    rb_job_init(&job);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        keyed = row_bytes(q, row, sizeof row, &row_len);
        hit = keyed && memo_get(st, id, row, row_len, json, len);
        if (!hit)
            read_job(q, &job);
    } else if (rc == SQLITE_DONE) {
        rb_err_set(err, 404, "not_found", "job %s not found", id);
        r = RB_NOTFOUND;
    } else {
        r = rb_sql_fail(c, rc, "job load", err);
    }
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    if (!r && !hit) {
        /* Rendered outside the connection: another request can use it. */
        json_t *o = rb_job_to_json(&job);
        *json = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (!*json) {
            r = rb_err_set(err, 500, "internal_error", "cannot render job %s", id);
        } else {
            *len = strlen(*json);
            if (keyed)
                memo_put(st, id, row, row_len, *json, *len);
        }
    }
    rb_job_clear(&job);
    return r;
}

static const char SQL_JOB_STATUS[] = "SELECT status FROM jobs WHERE id = ?";

int rb_sqlite_job_status(rb_store *st, const char *id, enum rb_job_status *out, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_JOB_STATUS, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, id, 0);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(q, 0);
        if (!s || rb_job_status_parse(s, out) != 0)
            r = rb_err_set(err, 500, "internal_error", "job %s has an unknown status", id);
    } else if (rc == SQLITE_DONE) {
        rb_err_set(err, 404, "not_found", "job %s not found", id);
        r = RB_NOTFOUND;
    } else {
        r = rb_sql_fail(c, rc, "job status", err);
    }
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

/* Binds the filter's values in the order list_where() wrote the placeholders. */
static void list_where(rb_buf *b, const rb_job_filter *f)
{
    rb_buf_puts(b, " WHERE env_id = ?");
    if (f->workflow)
        rb_buf_puts(b, " AND workflow = ?");
    if (f->has_status)
        rb_buf_puts(b, " AND status = ?");
    if (f->asset_id)
        rb_buf_puts(b, " AND asset_id = ?");
}

static int list_bind(sqlite3_stmt *q, const char *env_id, const rb_job_filter *f)
{
    int i = 1;
    rb_sql_bind_text(q, i++, env_id, 0);
    if (f->workflow)
        rb_sql_bind_text(q, i++, f->workflow, 0);
    if (f->has_status)
        rb_sql_bind_text(q, i++, rb_job_status_name(f->status), 0);
    if (f->asset_id)
        rb_sql_bind_text(q, i++, f->asset_id, 0);
    return i;
}

int rb_sqlite_job_list(rb_store *st, const char *env_id, const rb_job_filter *f, rb_job **jobs,
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
    rb_buf_puts(&cnt, "SELECT count(*) FROM jobs");
    list_where(&cnt, f);
    rb_buf_puts(&sel, "SELECT " JOB_COLS " FROM jobs");
    list_where(&sel, f);
    rb_buf_puts(&sel, " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");

    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        goto out_bufs;
    /* One read transaction so the count and the page see the same snapshot. */
    r = rb_sql_begin_read(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep_once(c, rb_buf_cstr(&cnt), err)))
        r = RB_ERR;
    if (!r) {
        list_bind(q, env_id, f);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            *total = sqlite3_column_int64(q, 0);
        else
            r = rb_sql_fail(c, rc, "job count", err);
        rb_sql_done(c, q);
    }
    if (!r && !(q = rb_sql_prep_once(c, rb_buf_cstr(&sel), err)))
        r = RB_ERR;
    if (!r) {
        int i = list_bind(q, env_id, f);
        sqlite3_bind_int(q, i++, limit);
        sqlite3_bind_int64(q, i, (page - 1) * limit);
        rb_job *arr = calloc((size_t)limit, sizeof *arr);
        size_t k = 0;
        int rc = SQLITE_DONE;
        if (!arr)
            r = rb_err_set(err, 500, "internal_error", "out of memory");
        while (!r && (rc = sqlite3_step(q)) == SQLITE_ROW && k < (size_t)limit)
            read_job(q, &arr[k++]);
        if (!r && rc != SQLITE_DONE && rc != SQLITE_ROW)
            r = rb_sql_fail(c, rc, "job list", err);
        rb_sql_done(c, q);
        if (r) {
            for (size_t x = 0; x < k; x++)
                rb_job_clear(&arr[x]);
            free(arr);
        } else if (k == 0) {
            free(arr);
        } else {
            *jobs = arr;
            *n = k;
        }
    }
    rb_sql_rollback(c);
    rb_sql_release(st, c);
out_bufs:
    rb_buf_free(&cnt);
    rb_buf_free(&sel);
    return r;
}

/* ---- state changes ------------------------------------------------------------ */

/* Re-reads the job after a successful UPDATE and writes its event. */
static int event_after_change(rb_sqlconn *c, const char *id, rb_job *out, rb_err *err)
{
    rb_job j;
    int r = load_job(c, NULL, NULL, id, &j, err);
    if (r)
        return r == RB_NOTFOUND ? rb_err_set(err, 500, "internal_error", "job vanished") : r;
    r = insert_event(c, &j, err);
    if (!r && out) {
        *out = j;
    } else {
        rb_job_clear(&j);
    }
    return r;
}

/* SET expressions read the row as it was before the update, so `status` in
 * them is the status being cancelled from. */
static const char SQL_JOB_CANCEL[] =
    "UPDATE jobs SET status = 'cancelled', completed_at = ?2, updated_at = ?2,"
    " cancel_requested = (status = 'processing'), lease_owner = NULL, lease_expires_ms = NULL,"
    " units_consumed = CASE WHEN status = 'pending' THEN 0 ELSE units_consumed END"
    " WHERE id = ?1 AND env_id = ?3 AND status IN ('pending','processing')";

int rb_sqlite_job_cancel(rb_store *st, const char *env_id, const char *id, rb_job *out,
                         rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, SQL_JOB_CANCEL, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, id, 0);
        sqlite3_bind_int64(q, 2, rb_now());
        rb_sql_bind_text(q, 3, env_id, 0);
        int rc = sqlite3_step(q);
        int changed = sqlite3_changes(c->db);
        rb_sql_done(c, q);
        if (rc != SQLITE_DONE) {
            r = rb_sql_fail(c, rc, "job cancel", err);
        } else if (!changed) {
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
        } else {
            r = event_after_change(c, id, out, err);
        }
    }
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    return r;
}

/* Jobs whose lease expired after their last allowed attempt: errored instead
 * of run again. The message counts how often a worker vanished. */
static const char SQL_JOB_GIVE_UP[] =
    "UPDATE jobs SET status = 'errored', completed_at = ?2, updated_at = ?2,"
    " lease_owner = NULL, lease_expires_ms = NULL,"
    " errors = json_array(json_object('type', 'processing_error', 'message',"
    "   'the job''s worker stopped responding ' || attempts || ' times; giving up',"
    "   'retryable', json('true')))"
    " WHERE status = 'processing' AND lease_expires_ms <= ?1 AND attempts >= max_attempts"
    " RETURNING id";

/* The candidate set is a UNION ALL of two index scans (pending jobs by age
 * via jobs_claim_pending, expired leases via jobs_claim_lease) rather than one
 * OR: with an OR, SQLite walks every job by created_at, terminal ones
 * included, which grows with 30 days of history.
 *
 * Pending → processing (attempts = 1 afterwards, since a pending job was never
 * claimed) or an expired processing job re-run (attempts >= 2 afterwards): the
 * RETURNING row tells the two apart without a second query. */
static const char SQL_JOB_CLAIM[] =
    "UPDATE jobs SET status = 'processing', attempts = attempts + 1,"
    " lease_owner = ?2, lease_expires_ms = ?1 + ?3 * 1000,"
    " started_at = COALESCE(started_at, ?4),"
    " updated_at = CASE WHEN status = 'pending' THEN ?4 ELSE updated_at END"
    " WHERE id IN (SELECT id FROM ("
    "   SELECT * FROM (SELECT id, created_at FROM jobs"
    "     WHERE status = 'pending' AND run_at_ms <= ?1 ORDER BY created_at, id LIMIT ?5)"
    "   UNION ALL"
    "   SELECT * FROM (SELECT id, created_at FROM jobs"
    "     WHERE status = 'processing' AND lease_expires_ms <= ?1 AND attempts < max_attempts"
    "     ORDER BY created_at, id LIMIT ?5)"
    " ) ORDER BY created_at, id LIMIT ?5)"
    " RETURNING " JOB_COLS;

static int cmp_claimed(const void *a, const void *b)
{
    const rb_job *x = a, *y = b;
    if (x->created_at != y->created_at)
        return x->created_at < y->created_at ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Copies column 0 (a job id) into the char[RB_ID_MAX] at elem. */
static void read_id_row(sqlite3_stmt *q, void *elem)
{
    rb_sql_col_copy(q, 0, elem, RB_ID_MAX);
}

int rb_sqlite_job_claim(rb_store *st, const char *worker_id, int lease_seconds, int max,
                        rb_job *jobs, size_t *n, rb_err *err)
{
    *n = 0;
    if (max <= 0)
        return RB_OK;
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    int64_t now_ms = rb_now_ms(), now = now_ms / 1000;
    r = rb_sql_begin_write(c, err);

    /* 1. Give up on exhausted jobs (collect ids, then write their events). */
    void *gave_rows = NULL;
    size_t ngave = 0;
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, SQL_JOB_GIVE_UP, err)))
        r = RB_ERR;
    if (!r) {
        sqlite3_bind_int64(q, 1, now_ms);
        sqlite3_bind_int64(q, 2, now);
        r = rb_sql_collect(c, q, RB_ID_MAX, read_id_row, &gave_rows, &ngave, "job give up",
                           err);
        rb_sql_done(c, q);
    }
    char (*gave_up)[RB_ID_MAX] = gave_rows;
    for (size_t i = 0; !r && i < ngave; i++)
        r = event_after_change(c, gave_up[i], NULL, err);
    free(gave_up);

    /* 2. Claim. RETURNING rows are produced after all updates are applied,
     *    so reading them all before writing events is safe. */
    size_t k = 0;
    if (!r && !(q = rb_sql_prep(c, SQL_JOB_CLAIM, err)))
        r = RB_ERR;
    if (!r) {
        sqlite3_bind_int64(q, 1, now_ms);
        rb_sql_bind_text(q, 2, worker_id, 0);
        sqlite3_bind_int64(q, 3, lease_seconds > 0 ? lease_seconds : 60);
        sqlite3_bind_int64(q, 4, now);
        sqlite3_bind_int(q, 5, max);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW && k < (size_t)max)
            read_job(q, &jobs[k++]);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            r = rb_sql_fail(c, rc, "job claim", err);
        rb_sql_done(c, q);
    }
    qsort(jobs, k, sizeof *jobs, cmp_claimed);
    for (size_t i = 0; !r && i < k; i++)
        if (jobs[i].attempts == 1)
            r = insert_event(c, &jobs[i], err);
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    if (r) {
        for (size_t i = 0; i < k; i++)
            rb_job_clear(&jobs[i]);
        return r;
    }
    *n = k;
    return RB_OK;
}

static const char SQL_JOB_HEARTBEAT[] =
    "UPDATE jobs SET lease_expires_ms = ?3"
    " WHERE id = ?1 AND status = 'processing' AND lease_owner = ?2";

int rb_sqlite_job_heartbeat(rb_store *st, const char *id, const char *worker_id,
                            int lease_seconds, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_JOB_HEARTBEAT, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, id, 0);
    rb_sql_bind_text(q, 2, worker_id, 0);
    sqlite3_bind_int64(q, 3, rb_now_ms() + (int64_t)(lease_seconds > 0 ? lease_seconds : 60) * 1000);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "job heartbeat", err);
    else if (sqlite3_changes(c->db) == 0) {
        rb_err_set(err, 404, "not_found", "worker %s no longer holds job %s", worker_id, id);
        r = RB_NOTFOUND;
    }
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

/* Runs one conditional UPDATE (bound by bind_fn) in a write transaction; on a
 * change, writes the event unless no_event. changes() == 0 → RB_CONFLICT. */
typedef void (*bind_fn)(sqlite3_stmt *q, void *arg);

static int finish_job(rb_store *st, const char *sql, const char *id, bind_fn bind, void *arg,
                      int no_event, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, sql, err)))
        r = RB_ERR;
    if (!r) {
        bind(q, arg);
        int rc = sqlite3_step(q);
        int changed = sqlite3_changes(c->db);
        rb_sql_done(c, q);
        if (rc != SQLITE_DONE) {
            r = rb_sql_fail(c, rc, "job finish", err);
        } else if (!changed) {
            rb_err_set(err, 409, "conflict",
                       "job %s is no longer processing under this worker", id);
            r = RB_CONFLICT;
        } else if (!no_event) {
            r = event_after_change(c, id, NULL, err);
        }
    }
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    return r;
}

struct finish_args {
    const char *id;
    const char *worker_id;
    const json_t *doc;
    int64_t units;
    int64_t retry_at_ms;
};

static const char SQL_JOB_COMPLETE[] =
    "UPDATE jobs SET status = 'completed', outputs = ?3, units_consumed = ?4,"
    " completed_at = ?5, updated_at = ?5, lease_owner = NULL, lease_expires_ms = NULL"
    " WHERE id = ?1 AND status = 'processing' AND lease_owner = ?2";

static void bind_complete(sqlite3_stmt *q, void *arg)
{
    struct finish_args *a = arg;
    rb_sql_bind_text(q, 1, a->id, 0);
    rb_sql_bind_text(q, 2, a->worker_id, 0);
    if (a->doc)
        rb_sql_bind_json(q, 3, a->doc);
    else
        sqlite3_bind_text(q, 3, "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, a->units < 0 ? 0 : a->units);
    sqlite3_bind_int64(q, 5, rb_now());
}

int rb_sqlite_job_complete(rb_store *st, const char *id, const char *worker_id, json_t *outputs,
                           int64_t units, rb_err *err)
{
    struct finish_args a = {id, worker_id, outputs, units, 0};
    return finish_job(st, SQL_JOB_COMPLETE, id, bind_complete, &a, 0, err);
}

static const char SQL_JOB_FAIL[] =
    "UPDATE jobs SET status = 'errored', errors = ?3, units_consumed = ?4,"
    " completed_at = ?5, updated_at = ?5, lease_owner = NULL, lease_expires_ms = NULL"
    " WHERE id = ?1 AND status = 'processing' AND lease_owner = ?2";

/* A retry releases the lease and parks it until retry_at: the expired-lease
 * claim path picks the job up again then. Status and updated_at stay. */
static const char SQL_JOB_RETRY[] =
    "UPDATE jobs SET units_consumed = ?4, lease_owner = NULL, lease_expires_ms = ?6,"
    " run_at_ms = ?6"
    " WHERE id = ?1 AND status = 'processing' AND lease_owner = ?2";

static void bind_fail(sqlite3_stmt *q, void *arg)
{
    struct finish_args *a = arg;
    rb_sql_bind_text(q, 1, a->id, 0);
    rb_sql_bind_text(q, 2, a->worker_id, 0);
    if (a->doc && json_is_array(a->doc) && json_array_size(a->doc) > 0)
        rb_sql_bind_json(q, 3, a->doc);
    else
        /* errors[] has at least one entry on an errored job (spec §3.1). */
        sqlite3_bind_text(q, 3,
                          "[{\"type\":\"processing_error\",\"message\":\"the job failed\","
                          "\"retryable\":false}]",
                          -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, a->units < 0 ? 0 : a->units);
    sqlite3_bind_int64(q, 5, rb_now());
    if (a->retry_at_ms > 0)
        sqlite3_bind_int64(q, 6, a->retry_at_ms);
}

int rb_sqlite_job_fail(rb_store *st, const char *id, const char *worker_id, json_t *errors,
                       int64_t units, int64_t retry_at_ms, rb_err *err)
{
    struct finish_args a = {id, worker_id, errors, units, retry_at_ms};
    if (retry_at_ms > 0)
        return finish_job(st, SQL_JOB_RETRY, id, bind_fail, &a, 1, err);
    return finish_job(st, SQL_JOB_FAIL, id, bind_fail, &a, 0, err);
}

/* ---- sweep ---------------------------------------------------------------------- */

static const char SQL_SWEEP_EVENTS[] =
    "DELETE FROM events WHERE job_id IN (SELECT id FROM jobs WHERE created_at < ?)";
static const char SQL_SWEEP_BLOBS[] =
    "DELETE FROM blobs WHERE job_id IN (SELECT id FROM jobs WHERE created_at < ?)";
static const char SQL_SWEEP_JOBS[] = "DELETE FROM jobs WHERE created_at < ?";

int rb_sqlite_job_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err)
{
    if (deleted)
        *deleted = 0;
    const char *const steps[] = {SQL_SWEEP_EVENTS, SQL_SWEEP_BLOBS, SQL_SWEEP_JOBS};
    return rb_sql_write_steps(st, steps, 3, NULL, 0, &before, 1, "sweep", deleted, err);
}

/* ---- outbox read side -------------------------------------------------------------- */

void rb_event_clear(rb_event *e)
{
    if (!e)
        return;
    json_decref(e->data);
    memset(e, 0, sizeof *e);
}

static const char SQL_EVENTS_FOR_JOB[] =
    "SELECT id, env_id, job_id, type, created_at_us, payload FROM events"
    " WHERE job_id = ? ORDER BY seq";

/* Decodes a SQL_EVENTS_FOR_JOB row into the rb_event at elem. */
static void read_event(sqlite3_stmt *q, void *elem)
{
    rb_event *e = elem;
    memset(e, 0, sizeof *e);
    rb_sql_col_copy(q, 0, e->id, sizeof e->id);
    rb_sql_col_copy(q, 1, e->env_id, sizeof e->env_id);
    rb_sql_col_copy(q, 2, e->job_id, sizeof e->job_id); /* "" for run events */
    rb_sql_col_copy(q, 3, e->type, sizeof e->type);
    e->created_at_us = sqlite3_column_int64(q, 4);
    e->data = rb_sql_col_json(q, 5);
}

int rb_sql_events_query(rb_store *st, const char *sql, const char *key, const char *what,
                        rb_event **out, size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, sql, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, key, 0);
    void *rows = NULL;
    size_t k = 0;
    r = rb_sql_collect(c, q, sizeof(rb_event), read_event, &rows, &k, what, err);
    rb_event *arr = rows;
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    if (r) {
        for (size_t i = 0; i < k; i++)
            rb_event_clear(&arr[i]);
        free(arr);
        return r;
    }
    *out = arr;
    *n = k;
    return RB_OK;
}

int rb_sqlite_events_for_job(rb_store *st, const char *job_id, rb_event **out, size_t *n,
                             rb_err *err)
{
    return rb_sql_events_query(st, SQL_EVENTS_FOR_JOB, job_id, "events", out, n, err);
}
