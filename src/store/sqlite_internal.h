/* sqlite_internal.h — what the SQLite store's source files share: the
 * connection pool, the per-connection statement cache, transactions with
 * busy retry, error mapping and row decoding helpers.
 *
 * Nothing outside src/store/ includes this header; the public contract is
 * store.h. See docs/store.md for the schema and the invariants. */
#ifndef RB_SQLITE_INTERNAL_H
#define RB_SQLITE_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "common/err.h"
#include "store/store.h"
#include "store/store_impl.h"

/* Hot statements are prepared once per connection and kept; the cache is keyed
 * by the address of the static SQL text, so only string constants are cached. */
#define RB_SQL_CACHE 64

typedef struct rb_sqlconn {
    sqlite3 *db;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[RB_SQL_CACHE];
    int ncache;
    int busy_timeout_ms;           /* what this connection was last set to */
    struct rb_sqlconn *next_free;
    struct rb_store *owner;        /* for the event hook on commit */
    int wrote_event;               /* the open transaction wrote an outbox row */
} rb_sqlconn;

/* One queued rb_sqlite_job_create waiting for the group committer. */
typedef struct rb_gc_req {
    rb_job_create *c;
    /* Rendered by the caller's thread before queueing, so the committer (one
     * thread, the bottleneck under load) only binds and steps. */
    char *params_text;             /* compact JSON of job->parameters */
    char *resources_text;          /* compact JSON of job->resources, or NULL */
    char *event_payload;           /* the "pending" event: rb_job_to_json(job) */
    char event_id[37];
    char event_type[96];
    int rc;
    int replayed;
    char conflict_id[RB_ID_MAX];
    rb_err err;
    int done;
    /* Signalled (under gc_mu) when this request's batch is finished: one
     * condition per caller, so finishing a batch wakes exactly its callers
     * and not everyone already queued for the next one. */
    pthread_cond_t done_cv;
    struct rb_gc_req *next;
} rb_gc_req;

/* The SQLite store's handle. The common header comes first (store_impl.h):
 * every rb_store * this backend is handed is one of these. */
typedef struct rb_sqlstore {
    rb_store base;
    char path[1024];
    int busy_timeout_ms;           /* wanted on every connection (under mu and gc_mu) */

    /* Connection pool: conns opened lazily up to pool_size, idle ones on a
     * free list; callers wait on `avail` when all are borrowed. */
    pthread_mutex_t mu;
    pthread_cond_t avail;
    rb_sqlconn *free_list;
    rb_sqlconn **all;
    int pool_size;
    int nopen;

    /* Group commit: callers append to the queue and wait on their own
     * rb_gc_req.done_cv; the committer thread, with its own connection,
     * drains the queue in one transaction per round. */
    pthread_mutex_t gc_mu;
    pthread_cond_t gc_work;
    rb_gc_req *gc_head, *gc_tail;
    int gc_stop;
    int gc_started;
    pthread_t gc_thread;
    rb_sqlconn *gc_conn;
    /* Rendered jobs for rb_sqlite_job_get_json (sqlite_jobs.c); readers share
     * the lock, a miss takes it alone to store its rendering. */
    pthread_rwlock_t memo_mu;
    struct rb_job_memo *memo;      /* RB_JOB_MEMO_SLOTS entries, allocated on first use */
    /* Batch statistics (under gc_mu), logged at debug level on close. */
    int64_t gc_batches, gc_rows, gc_max_batch;
} rb_sqlstore;

/* The SQLite handle behind st (which this backend opened). */
static inline rb_sqlstore *rb_sq(rb_store *st)
{
    return (rb_sqlstore *)st;
}

/* ---- connections ------------------------------------------------------ */
int rb_sql_conn_open(const char *path, int busy_timeout_ms, rb_sqlconn **out, rb_err *err);
/* Changes the busy timeout of every connection, applied when a connection is
 * next borrowed (or the committer's, at its next batch). For tests that
 * provoke SQLITE_BUSY without waiting 5 s per attempt. */
void rb_sqlite_set_busy_timeout(rb_store *st, int ms);
void rb_sql_conn_close(rb_sqlconn *c);
int rb_sql_acquire(rb_store *st, rb_sqlconn **out, rb_err *err);
void rb_sql_release(rb_store *st, rb_sqlconn *c);
/* Borrows a connection and prepares the cached statement for sql on it.
 * Returns what rb_sql_acquire returned, or RB_ERR when the prepare failed; on
 * any failure the connection is already released and nothing is held. */
int rb_sql_acquire_prep(rb_store *st, const char *sql, rb_sqlconn **c, sqlite3_stmt **q,
                        rb_err *err);

/* ---- statements ------------------------------------------------------- */
/* Re-applies st's busy timeout to c if it changed; c must be held. */
void rb_sql_apply_busy(rb_sqlconn *c, int ms);
/* A cached statement for static SQL text (NULL on failure, err filled). */
sqlite3_stmt *rb_sql_prep(rb_sqlconn *c, const char *sql, rb_err *err);
/* A one-off statement for SQL built at run time. */
sqlite3_stmt *rb_sql_prep_once(rb_sqlconn *c, const char *sql, rb_err *err);
/* Resets a cached statement, finalizes a one-off one. Always call it. */
void rb_sql_done(rb_sqlconn *c, sqlite3_stmt *st);

/* ---- transactions ----------------------------------------------------- */
/* BEGIN IMMEDIATE (write) with retry on SQLITE_BUSY beyond busy_timeout. */
int rb_sql_begin_write(rb_sqlconn *c, rb_err *err);
int rb_sql_begin_read(rb_sqlconn *c, rb_err *err);
int rb_sql_commit(rb_sqlconn *c, rb_err *err);
void rb_sql_rollback(rb_sqlconn *c);
int rb_sql_exec(rb_sqlconn *c, const char *sql, rb_err *err);
/* Runs the cached statements sqls[0..n) in order on c (inside the caller's
 * transaction), each bound the same way: texts to ?1..?ntexts (NULL binds
 * NULL), then ints to the parameters after them, and stepped to completion.
 * Stops at the first failure: RB_ERR for a failed prepare, else
 * rb_sql_fail(c, rc, what). On success *last_changes (if not NULL) is
 * sqlite3_changes() of the last statement. The caller commits or rolls back. */
int rb_sql_exec_steps(rb_sqlconn *c, const char *const *sqls, size_t n,
                      const char *const *texts, size_t ntexts, const int64_t *ints,
                      size_t nints, const char *what, int64_t *last_changes, rb_err *err);

/* rb_sql_exec_steps in a write transaction of its own on a pooled
 * connection: acquire, BEGIN IMMEDIATE, the steps, COMMIT (rollback on any
 * failure), release. For the calls that are only a fixed list of writes. */
int rb_sql_write_steps(rb_store *st, const char *const *sqls, size_t n,
                       const char *const *texts, size_t ntexts, const int64_t *ints,
                       size_t nints, const char *what, int64_t *last_changes, rb_err *err);

/* Steps q (already bound) to the end, appending each row to the array *arr of
 * *n elements of elem_size bytes (both empty, NULL and 0, on entry): the
 * array grows by doubling and read decodes the row into the new element.
 * Returns RB_OK, 500 "out of memory", or rb_sql_fail(c, rc, what) when a step
 * fails. On failure the rows already read stay in *arr / *n, so the caller
 * clears and frees them as it would on success. Does not reset q: the caller
 * still calls rb_sql_done. */
int rb_sql_collect(rb_sqlconn *c, sqlite3_stmt *q, size_t elem_size,
                   void (*read)(sqlite3_stmt *q, void *elem), void **arr, size_t *n,
                   const char *what, rb_err *err);

/* ---- errors ----------------------------------------------------------- */
/* Maps an SQLite failure: BUSY/LOCKED → RB_BUSY (503 "unavailable"), else
 * RB_ERR (500 "internal_error" with sqlite3_errmsg). Returns the code. */
int rb_sql_fail(rb_sqlconn *c, int sqlite_rc, const char *what, rb_err *err);

/* ---- binding and reading --------------------------------------------- */
/* Binds text, or NULL when s is NULL (or empty when empty_is_null). */
int rb_sql_bind_text(sqlite3_stmt *st, int i, const char *s, int empty_is_null);
/* Binds the compact JSON text of j, or NULL when j is NULL. */
int rb_sql_bind_json(sqlite3_stmt *st, int i, const json_t *j);
/* Copies a text column into a bounded buffer ("" for NULL). */
void rb_sql_col_copy(sqlite3_stmt *st, int i, char *out, size_t outlen);
/* strdup of a text column, NULL for SQL NULL. */
char *rb_sql_col_strdup(sqlite3_stmt *st, int i);
/* Parsed JSON of a text column, NULL for SQL NULL or unparsable text. */
json_t *rb_sql_col_json(sqlite3_stmt *st, int i);

/* ---- library rows (sqlite_library.c), shared with sqlite_ingest.c ---- */
#define RB_SQL_TRACK_COLS                                                                   \
    "id, asset_id, env_id, type, status, text_type, text_source, language_code, name,"     \
    " closed_captions, passthrough, source_url, duration, blob_id, errors, created_at,"    \
    " info"
#define RB_SQL_ASSET_COLS                                                                   \
    "id, env_id, status, duration, meta, passthrough, inputs, errors, thumbnail_time,"      \
    " created_at"
/* Decodes a row selected with RB_SQL_TRACK_COLS. */
void rb_sql_read_track(sqlite3_stmt *q, rb_track *t);
/* Inserts t (inside the caller's transaction, if any). */
int rb_sql_track_insert(rb_sqlconn *c, const rb_track *t, rb_err *err);
/* Steps q (a bound SELECT RB_SQL_ASSET_COLS), loads every row with its
 * playback ids and tracks and finishes q. *out is malloc'd (NULL-able). */
int rb_sql_collect_assets(rb_sqlconn *c, sqlite3_stmt *q, rb_asset **out, size_t *n,
                          rb_err *err);
/* Inserts a blob with a new id (inside the caller's transaction, if any). */
int rb_sql_blob_insert(rb_sqlconn *c, const char *env_id, const char *job_id,
                       const char *content_type, const void *data, size_t len,
                       char id_out[RB_ID_MAX], rb_err *err);

/* ---- job rendering memo (sqlite_jobs.c) ------------------------------ */
#define RB_JOB_MEMO_SLOTS 128
#define RB_JOB_MEMO_MAX_ROW 16384  /* larger rows are rendered every time */
/* Frees the memo; called by rb_sqlite_close. */
void rb_sql_memo_free(rb_store *st);

/* ---- group commit (sqlite_jobs.c) ------------------------------------ */
/* The committer thread's body; arg is the rb_store. */
void *rb_sql_gc_main(void *arg);

/* Events selected by sql (columns id, env_id, job_id, type, created_at_us,
 * payload; one text parameter, key), in the statement's order. Shared by
 * rb_sqlite_events_for_job and rb_sqlite_events_for_run (sqlite_jobs.c). */
int rb_sql_events_query(rb_store *st, const char *sql, const char *key, const char *what,
                        rb_event **out, size_t *n, rb_err *err);

/* ---- the store.h calls, as this backend implements them ------------- */
/* Each is the store.h function of the same name with rb_sqlite_ for
 * rb_store_ (see store.h for the contracts); store_sqlite.c lists them in
 * rb_sqlite_ops. */
void rb_sqlite_close(rb_store *st);
void rb_sqlite_pool_reserve(rb_store *st, int n);
int rb_sqlite_setting_get_or_init(rb_store *st, const char *key, const char *dflt, char *out,
                                  size_t outlen, rb_err *err);
int rb_sqlite_setting_get(rb_store *st, const char *key, char *out, size_t outlen, rb_err *err);
int rb_sqlite_setting_set(rb_store *st, const char *key, const char *value, rb_err *err);
int rb_sqlite_env_ensure(rb_store *st, const char *name, rb_env *out, rb_err *err);
int rb_sqlite_env_get(rb_store *st, const char *env_id, rb_env *out, rb_err *err);
int rb_sqlite_env_by_name(rb_store *st, const char *name, rb_env *out, rb_err *err);
int rb_sqlite_token_insert(rb_store *st, const rb_token *t, rb_err *err);
int rb_sqlite_token_get(rb_store *st, const char *token_id, rb_token *out, rb_err *err);
int rb_sqlite_token_list(rb_store *st, const char *env_id, rb_token **out, size_t *n,
                         rb_err *err);
int rb_sqlite_token_revoke(rb_store *st, const char *token_id, rb_err *err);
int rb_sqlite_job_create(rb_store *st, rb_job_create *c, char conflict_id[RB_ID_MAX],
                         int *replayed, rb_err *err);
int rb_sqlite_job_get(rb_store *st, const char *env_id, const char *workflow, const char *id,
                      rb_job *out, rb_err *err);
int rb_sqlite_job_get_json(rb_store *st, const char *env_id, const char *workflow,
                           const char *id, char **json, size_t *len, rb_err *err);
int rb_sqlite_job_list(rb_store *st, const char *env_id, const rb_job_filter *f, rb_job **jobs,
                       size_t *n, int64_t *total, rb_err *err);
int rb_sqlite_job_cancel(rb_store *st, const char *env_id, const char *id, rb_job *out,
                         rb_err *err);
int rb_sqlite_job_claim(rb_store *st, const char *worker_id, int lease_seconds, int max,
                        rb_job *jobs, size_t *n, rb_err *err);
int rb_sqlite_job_heartbeat(rb_store *st, const char *id, const char *worker_id,
                            int lease_seconds, rb_err *err);
int rb_sqlite_job_status(rb_store *st, const char *id, enum rb_job_status *out, rb_err *err);
int rb_sqlite_job_complete(rb_store *st, const char *id, const char *worker_id, json_t *outputs,
                           int64_t units, rb_err *err);
int rb_sqlite_job_fail(rb_store *st, const char *id, const char *worker_id, json_t *errors,
                       int64_t units, int64_t retry_at_ms, rb_err *err);
int rb_sqlite_job_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err);
int rb_sqlite_events_for_job(rb_store *st, const char *job_id, rb_event **out, size_t *n,
                             rb_err *err);
int rb_sqlite_asset_insert(rb_store *st, const rb_asset *a, rb_err *err);
int rb_sqlite_asset_get(rb_store *st, const char *env_id, const char *id, rb_asset *out,
                        rb_err *err);
int rb_sqlite_asset_list(rb_store *st, const char *env_id, int limit, int page, rb_asset **out,
                         size_t *n, int64_t *total, rb_err *err);
int rb_sqlite_asset_list_after(rb_store *st, const char *env_id, int limit,
                               int64_t after_created_at, const char *after_id, rb_asset **out,
                               size_t *n, int *more, rb_err *err);
int rb_sqlite_asset_update(rb_store *st, const rb_asset *a, rb_err *err);
int rb_sqlite_asset_delete(rb_store *st, const char *env_id, const char *id, rb_err *err);
int rb_sqlite_track_insert(rb_store *st, const rb_track *t, rb_err *err);
int rb_sqlite_track_update(rb_store *st, const rb_track *t, rb_err *err);
int rb_sqlite_track_get(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                        rb_track *out, rb_err *err);
int rb_sqlite_track_delete(rb_store *st, const char *env_id, const char *asset_id,
                           const char *id, rb_err *err);
int rb_sqlite_track_get_any_env(rb_store *st, const char *id, rb_track *out, rb_err *err);
int rb_sqlite_ingest_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                           rb_ingest_work **out, size_t *n, rb_err *err);
int rb_sqlite_ingest_renew(rb_store *st, const char *owner, const char *asset_id,
                           const char *track_id, int lease_seconds, rb_err *err);
int rb_sqlite_track_finish(rb_store *st, const char *owner, rb_track *t,
                           const char *content_type, const void *data, size_t len, rb_err *err);
int rb_sqlite_asset_finish(rb_store *st, const char *owner, const rb_asset *a,
                           const rb_track *new_tracks, size_t n_new, rb_err *err);
int rb_sqlite_blob_put(rb_store *st, const char *env_id, const char *job_id,
                       const char *content_type, const void *data, size_t len,
                       char id_out[RB_ID_MAX], rb_err *err);
int rb_sqlite_blob_get(rb_store *st, const char *id, char **data, size_t *len,
                       char content_type[64], rb_err *err);
int rb_sqlite_directive_insert(rb_store *st, const rb_directive *d, rb_err *err);
int rb_sqlite_directive_get(rb_store *st, const char *env_id, const char *id,
                            int include_deleted, rb_directive *out, rb_err *err);
int rb_sqlite_directive_list(rb_store *st, const char *env_id, int limit, int page,
                             rb_directive **out, size_t *n, int64_t *total, rb_err *err);
int rb_sqlite_directive_delete(rb_store *st, const char *env_id, const char *id, rb_err *err);
int rb_sqlite_directive_run_create(rb_store *st, rb_directive_run *r,
                                   char conflict_id[RB_ID_MAX], rb_err *err);
int rb_sqlite_directive_run_get(rb_store *st, const char *env_id, const char *directive_id,
                                const char *run_id, rb_directive_run *out, rb_err *err);
int rb_sqlite_directive_run_list(rb_store *st, const char *env_id, const char *directive_id,
                                 int limit, int page, rb_directive_run **out, size_t *n,
                                 int64_t *total, rb_err *err);
int rb_sqlite_directive_run_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                                  rb_directive_run **out, size_t *n, rb_err *err);
int rb_sqlite_directive_run_save(rb_store *st, const char *owner, rb_directive_run *r,
                                 int release, int64_t next_check_ms, rb_err *err);
int rb_sqlite_job_set_directive(rb_store *st, const char *job_id, const char *directive_id,
                                const char *run_id, rb_err *err);
int rb_sqlite_asset_directives_add(rb_store *st, const char *env_id, const char *asset_id,
                                   const char *const *directive_ids, size_t n, rb_err *err);
int rb_sqlite_asset_directives_list(rb_store *st, const char *env_id, const char *asset_id,
                                    json_t **out, rb_err *err);
int rb_sqlite_directive_auto_start(rb_store *st, int max, int *started, rb_err *err);
int rb_sqlite_directive_run_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err);
int rb_sqlite_events_for_run(rb_store *st, const char *run_id, rb_event **out, size_t *n,
                             rb_err *err);
int rb_sqlite_webhook_endpoint_insert(rb_store *st, const rb_webhook_endpoint *ep, rb_err *err);
int rb_sqlite_webhook_endpoint_get(rb_store *st, const char *id, rb_webhook_endpoint *out,
                                   rb_err *err);
int rb_sqlite_webhook_endpoint_list(rb_store *st, const char *env_id, rb_webhook_endpoint **out,
                                    size_t *n, rb_err *err);
int rb_sqlite_webhook_endpoint_delete(rb_store *st, const char *id, rb_err *err);
int rb_sqlite_webhook_endpoint_set_secret(rb_store *st, const char *id, const char *secret,
                                          rb_err *err);
int rb_sqlite_webhook_claim(rb_store *st, const char *owner, int64_t now_ms, int64_t lease_ms,
                            int max, rb_webhook_delivery **out, size_t *n, rb_err *err);
int rb_sqlite_webhook_has_work(rb_store *st, int64_t now_ms, int *work, rb_err *err);
int rb_sqlite_webhook_record(rb_store *st, const char *owner, int64_t delivery_id,
                             const rb_webhook_attempt *a, enum rb_webhook_outcome outcome,
                             int64_t next_ms, rb_err *err);
int rb_sqlite_webhook_record_many(rb_store *st, const char *owner, rb_webhook_result *xs,
                                  size_t n, rb_err *err);
int rb_sqlite_webhook_events(rb_store *st, const char *env_id, const char *status, int limit,
                             json_t **out, rb_err *err);
int rb_sqlite_webhook_replay(rb_store *st, const char *env_id, const char *event_id,
                             int64_t since_us, int failed_only, int64_t *count, rb_err *err);

#endif
