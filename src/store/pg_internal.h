/* pg_internal.h — what the PostgreSQL store's source files share: the
 * per-process connection pool with reconnect and backoff, prepared
 * statements cached per connection, transactions, error mapping and row
 * decoding helpers.
 *
 * Nothing outside src/store/ includes this header; the public contract is
 * store.h. docs/store-postgres.md explains the design. */
#ifndef RB_PG_INTERNAL_H
#define RB_PG_INTERNAL_H

#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>

#include "common/err.h"
#include "store/store.h"
#include "store/store_impl.h"

/* Statements are prepared once per connection (PQprepare) and kept; the
 * cache is keyed by the address of the static SQL text, so only string
 * constants are cached. SQL built at run time goes through rb_pg_query_once. */
#define RB_PG_CACHE 64

typedef struct rb_pgconn {
    PGconn *pg;                    /* NULL until connected, again after a break */
    const char *prepared[RB_PG_CACHE]; /* statement i is named "rb<i>" */
    int nprepared;
    int wrote_event;               /* the open transaction wrote an outbox row */
    int notify;                    /* RB_STORE_WAKE_* bits to NOTIFY at commit */
    char last_state[6];            /* SQLSTATE of the last failure ("" if none) */
    char last_constraint[64];      /* the constraint it violated, if any */
    struct rb_pgconn *next_free;
} rb_pgconn;

typedef struct rb_pgstore {
    rb_store base;                 /* first: see store_impl.h */
    char *url;                     /* libpq connection URL */
    int statement_timeout_ms;      /* SET on every new connection */

    /* Pool: connection slots are handed out up to pool_size; a slot's
     * connection is opened lazily by its first borrower and reopened after
     * it broke. Idle slots wait on free_list; borrowers wait on `avail`. */
    pthread_mutex_t mu;
    pthread_cond_t avail;
    rb_pgconn *free_list;
    rb_pgconn **all;               /* every slot ever made (for close) */
    int pool_size;
    int nslots;

    /* Reconnect backoff (under mu): after a failed connect, no connect is
     * tried again before retry_at_ms; the wait doubles up to a cap and
     * resets on success. Meanwhile calls fail fast with 503. */
    int64_t retry_at_ms;
    int backoff_ms;

    /* rb_store_set_remote_wake's listener thread (pg_cluster.c), NULL when
     * none runs. Set and cleared by that call and pg_close only. */
    struct rb_pglisten *listener;
} rb_pgstore;

static inline rb_pgstore *rb_pgs(rb_store *st)
{
    return (rb_pgstore *)st;
}

/* ---- pool ------------------------------------------------------------- */
/* Borrows a connected connection: RB_OK, or RB_BUSY (503 "unavailable")
 * when the server cannot be reached (within the backoff window, at once). */
int rb_pg_acquire(rb_store *st, rb_pgconn **out, rb_err *err);
/* Returns c to the pool; rolls back a transaction the borrower left open
 * and drops a broken connection so the next borrower reconnects. */
void rb_pg_release(rb_store *st, rb_pgconn *c);

/* ---- statements ------------------------------------------------------- */
/* Runs the static statement sql (prepared on first use on this connection)
 * with n text parameters (NULL = SQL NULL). On RB_OK *res holds the result
 * (the caller PQclears it); otherwise *res is NULL and err is filled by
 * rb_pg_fail. */
int rb_pg_query(rb_pgconn *c, const char *sql, int n, const char *const *params,
                PGresult **res, const char *what, rb_err *err);
/* rb_pg_query with per-parameter lengths and formats (1 = binary, for
 * bytea) and a result format (1 = binary); NULL arrays mean all text. */
int rb_pg_query_fmt(rb_pgconn *c, const char *sql, int n, const char *const *params,
                    const int *lengths, const int *formats, int result_format, PGresult **res,
                    const char *what, rb_err *err);
/* The same for SQL built at run time (not prepared, not cached). */
int rb_pg_query_once(rb_pgconn *c, const char *sql, int n, const char *const *params,
                     PGresult **res, const char *what, rb_err *err);
/* rb_pg_query for a statement whose rows are not needed; *changed (if not
 * NULL) gets the number of rows it touched. */
int rb_pg_exec(rb_pgconn *c, const char *sql, int n, const char *const *params,
               int64_t *changed, const char *what, rb_err *err);

/* ---- transactions ----------------------------------------------------- */
int rb_pg_begin(rb_pgconn *c, rb_err *err);
/* Commits; fires the event hook when the transaction wrote an event. */
int rb_pg_commit(rb_store *st, rb_pgconn *c, rb_err *err);
void rb_pg_rollback(rb_pgconn *c);

/* ---- cross-process wake-ups (pg_cluster.c) ---------------------------- */
/* Marks that the caller's write should wake other processes (RB_STORE_WAKE_*
 * bits). Inside a transaction the NOTIFYs are sent by rb_pg_commit just
 * before COMMIT (PostgreSQL delivers them when the commit lands, never for
 * a rollback); outside one they are sent now. An outbox event written with
 * wrote_event implies RB_STORE_WAKE_EVENTS. A failed NOTIFY outside a
 * transaction is only logged: pollers find the work anyway. */
void rb_pg_notify(rb_pgconn *c, int bits);
/* Sends the NOTIFYs of bits on c (in its open transaction, if any). */
int rb_pg_notify_send(rb_pgconn *c, int bits, rb_err *err);
/* The channel names, for LISTEN and NOTIFY. */
#define RB_PG_CHANNEL_JOBS "robots_jobs"
#define RB_PG_CHANNEL_EVENTS "robots_events"
#define RB_PG_CHANNEL_INGEST "robots_ingest"
int rb_pg_leader_acquire(rb_store *st, const char *name, const char *owner, int ttl_s,
                         int *is_leader, rb_err *err);
int rb_pg_leader_release(rb_store *st, const char *name, const char *owner, rb_err *err);
int rb_pg_set_remote_wake(rb_store *st, void (*fn)(void *arg, int what), void *arg,
                          rb_err *err);
/* Stops and frees the listener thread, if any (pg_close). */
void rb_pg_listen_stop(rb_store *st);

/* ---- errors ----------------------------------------------------------- */
/* Maps a failed result (res may be NULL): a lost connection, a server
 * shutting down or starting, a statement timeout, a serialization failure
 * or deadlock → RB_BUSY (503 "unavailable"); anything else RB_ERR (500
 * "internal_error" with the server's message). */
int rb_pg_fail(rb_pgconn *c, const PGresult *res, const char *what, rb_err *err);
/* The SQLSTATE of a failed result, "" when there is none. */
const char *rb_pg_sqlstate(const PGresult *res);

/* ---- values ----------------------------------------------------------- */
/* Decimal text of v in buf (at least 24 bytes); returns buf. */
const char *rb_pg_i64(char *buf, int64_t v);
/* Copies a text column into a bounded buffer ("" for NULL). */
void rb_pg_col_copy(const PGresult *r, int row, int col, char *out, size_t outlen);
/* strdup of a column, NULL for SQL NULL. */
char *rb_pg_col_strdup(const PGresult *r, int row, int col);
/* Parsed JSON of a text column, NULL for SQL NULL or unparsable text. */
json_t *rb_pg_col_json(const PGresult *r, int row, int col);
/* Integer column, 0 for NULL. */
int64_t rb_pg_col_i64(const PGresult *r, int row, int col);

/* ---- schema (pg_schema.c) -------------------------------------------- */
extern const char *const rb_pg_migrations[];
extern const int rb_pg_nmigrations;
/* The advisory lock key every migrating process takes (transaction scope). */
#define RB_PG_MIGRATE_LOCK 7262819431LL

/* ---- the store.h calls ------------------------------------------------ */
/* Each is the store.h function of the same name with rb_pg_ for rb_store_
 * (see store.h for the contracts); pg_store.c lists them in rb_pg_ops. */
int rb_pg_setting_get_or_init(rb_store *st, const char *key, const char *dflt, char *out,
                              size_t outlen, rb_err *err);
int rb_pg_setting_get(rb_store *st, const char *key, char *out, size_t outlen, rb_err *err);
int rb_pg_setting_set(rb_store *st, const char *key, const char *value, rb_err *err);
int rb_pg_env_ensure(rb_store *st, const char *name, rb_env *out, rb_err *err);
int rb_pg_env_get(rb_store *st, const char *env_id, rb_env *out, rb_err *err);
int rb_pg_env_by_name(rb_store *st, const char *name, rb_env *out, rb_err *err);
int rb_pg_token_insert(rb_store *st, const rb_token *t, rb_err *err);
int rb_pg_token_get(rb_store *st, const char *token_id, rb_token *out, rb_err *err);
int rb_pg_token_list(rb_store *st, const char *env_id, rb_token **out, size_t *n, rb_err *err);
int rb_pg_token_revoke(rb_store *st, const char *token_id, rb_err *err);
int rb_pg_job_create(rb_store *st, rb_job_create *c, char conflict_id[RB_ID_MAX],
                     int *replayed, rb_err *err);
int rb_pg_job_get(rb_store *st, const char *env_id, const char *workflow, const char *id,
                  rb_job *out, rb_err *err);
int rb_pg_job_get_json(rb_store *st, const char *env_id, const char *workflow, const char *id,
                       char **json, size_t *len, rb_err *err);
int rb_pg_job_list(rb_store *st, const char *env_id, const rb_job_filter *f, rb_job **jobs,
                   size_t *n, int64_t *total, rb_err *err);
int rb_pg_job_cancel(rb_store *st, const char *env_id, const char *id, rb_job *out,
                     rb_err *err);
int rb_pg_job_claim(rb_store *st, const char *worker_id, int lease_seconds, int max,
                    rb_job *jobs, size_t *n, rb_err *err);
int rb_pg_job_heartbeat(rb_store *st, const char *id, const char *worker_id,
                        int lease_seconds, rb_err *err);
int rb_pg_job_status(rb_store *st, const char *id, enum rb_job_status *out, rb_err *err);
int rb_pg_job_complete(rb_store *st, const char *id, const char *worker_id, json_t *outputs,
                       int64_t units, rb_err *err);
int rb_pg_job_fail(rb_store *st, const char *id, const char *worker_id, json_t *errors,
                   int64_t units, int64_t retry_at_ms, rb_err *err);
int rb_pg_job_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err);
int rb_pg_events_for_job(rb_store *st, const char *job_id, rb_event **out, size_t *n,
                         rb_err *err);
int rb_pg_job_set_directive(rb_store *st, const char *job_id, const char *directive_id,
                            const char *run_id, rb_err *err);
int rb_pg_events_for_run(rb_store *st, const char *run_id, rb_event **out, size_t *n,
                         rb_err *err);
int rb_pg_webhook_endpoint_insert(rb_store *st, const rb_webhook_endpoint *ep, rb_err *err);
int rb_pg_webhook_endpoint_get(rb_store *st, const char *id, rb_webhook_endpoint *out,
                               rb_err *err);
int rb_pg_webhook_endpoint_list(rb_store *st, const char *env_id, rb_webhook_endpoint **out,
                                size_t *n, rb_err *err);
int rb_pg_webhook_endpoint_delete(rb_store *st, const char *id, rb_err *err);
int rb_pg_webhook_endpoint_set_secret(rb_store *st, const char *id, const char *secret,
                                      rb_err *err);
int rb_pg_asset_insert(rb_store *st, const rb_asset *a, rb_err *err);
int rb_pg_asset_get(rb_store *st, const char *env_id, const char *id, rb_asset *out,
                    rb_err *err);
int rb_pg_asset_list(rb_store *st, const char *env_id, int limit, int page, rb_asset **out,
                     size_t *n, int64_t *total, rb_err *err);
int rb_pg_asset_list_after(rb_store *st, const char *env_id, int limit,
                           int64_t after_created_at, const char *after_id, rb_asset **out,
                           size_t *n, int *more, rb_err *err);
int rb_pg_asset_update(rb_store *st, const rb_asset *a, rb_err *err);
int rb_pg_asset_delete(rb_store *st, const char *env_id, const char *id, rb_err *err);
int rb_pg_track_insert(rb_store *st, const rb_track *t, rb_err *err);
int rb_pg_track_update(rb_store *st, const rb_track *t, rb_err *err);
int rb_pg_track_get(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                    rb_track *out, rb_err *err);
int rb_pg_track_delete(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                       rb_err *err);
int rb_pg_track_get_any_env(rb_store *st, const char *id, rb_track *out, rb_err *err);
int rb_pg_ingest_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                       rb_ingest_work **out, size_t *n, rb_err *err);
int rb_pg_ingest_renew(rb_store *st, const char *owner, const char *asset_id,
                       const char *track_id, int lease_seconds, rb_err *err);
int rb_pg_track_finish(rb_store *st, const char *owner, rb_track *t, const char *content_type,
                       const void *data, size_t len, rb_err *err);
int rb_pg_asset_finish(rb_store *st, const char *owner, const rb_asset *a,
                       const rb_track *new_tracks, size_t n_new, rb_err *err);
int rb_pg_directive_insert(rb_store *st, const rb_directive *d, rb_err *err);
int rb_pg_directive_get(rb_store *st, const char *env_id, const char *id, int include_deleted,
                        rb_directive *out, rb_err *err);
int rb_pg_directive_list(rb_store *st, const char *env_id, int limit, int page,
                         rb_directive **out, size_t *n, int64_t *total, rb_err *err);
int rb_pg_directive_delete(rb_store *st, const char *env_id, const char *id, rb_err *err);
int rb_pg_directive_run_create(rb_store *st, rb_directive_run *r, char conflict_id[RB_ID_MAX],
                               rb_err *err);
int rb_pg_directive_run_get(rb_store *st, const char *env_id, const char *directive_id,
                            const char *run_id, rb_directive_run *out, rb_err *err);
int rb_pg_directive_run_list(rb_store *st, const char *env_id, const char *directive_id,
                             int limit, int page, rb_directive_run **out, size_t *n,
                             int64_t *total, rb_err *err);
int rb_pg_directive_run_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                              rb_directive_run **out, size_t *n, rb_err *err);
int rb_pg_directive_run_save(rb_store *st, const char *owner, rb_directive_run *r, int release,
                             int64_t next_check_ms, rb_err *err);
int rb_pg_asset_directives_add(rb_store *st, const char *env_id, const char *asset_id,
                               const char *const *directive_ids, size_t n, rb_err *err);
int rb_pg_asset_directives_list(rb_store *st, const char *env_id, const char *asset_id,
                                json_t **out, rb_err *err);
int rb_pg_directive_auto_start(rb_store *st, int max, int *started, rb_err *err);
int rb_pg_directive_run_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err);
int rb_pg_webhook_claim(rb_store *st, const char *owner, int64_t now_ms, int64_t lease_ms,
                        int max, rb_webhook_delivery **out, size_t *n, rb_err *err);
int rb_pg_webhook_has_work(rb_store *st, int64_t now_ms, int *work, rb_err *err);
int rb_pg_webhook_record(rb_store *st, const char *owner, int64_t delivery_id,
                         const rb_webhook_attempt *a, enum rb_webhook_outcome outcome,
                         int64_t next_ms, rb_err *err);
int rb_pg_webhook_record_many(rb_store *st, const char *owner, rb_webhook_result *xs, size_t n,
                              rb_err *err);
int rb_pg_webhook_events(rb_store *st, const char *env_id, const char *status, int limit,
                         json_t **out, rb_err *err);
int rb_pg_webhook_replay(rb_store *st, const char *env_id, const char *event_id,
                         int64_t since_us, int failed_only, int64_t *count, rb_err *err);
int rb_pg_blob_put(rb_store *st, const char *env_id, const char *job_id,
                   const char *content_type, const void *data, size_t len,
                   char id_out[RB_ID_MAX], rb_err *err);
int rb_pg_blob_get(rb_store *st, const char *id, char **data, size_t *len,
                   char content_type[64], rb_err *err);

#endif
