/* store_impl.h — the seam behind store.h: what a storage backend provides.
 *
 * store.h is the one interface callers use; store.c implements it as thin
 * dispatchers through the backend's rb_store_ops. Each backend's handle
 * embeds struct rb_store as its FIRST member, so a backend converts the
 * rb_store * it is handed back into its own type with a plain cast.
 *
 * An ops entry left NULL is a function the backend does not implement yet:
 * the dispatcher answers RB_ERR with status 501, type "not_implemented" and
 * a message naming the function, instead of crashing. close and
 * pool_reserve are mandatory.
 *
 * Nothing outside src/store/ includes this header. */
#ifndef RB_STORE_IMPL_H
#define RB_STORE_IMPL_H

#include <pthread.h>
#include <stdint.h>

#include "store/store.h"

typedef struct rb_store_ops {
    const char *name;              /* "sqlite", "postgres": for messages */
    void (*close)(rb_store *st);
    void (*pool_reserve)(rb_store *st, int n);
    int (*setting_get_or_init)(rb_store *st, const char *key, const char *dflt, char *out,
                               size_t outlen, rb_err *err);
    int (*setting_get)(rb_store *st, const char *key, char *out, size_t outlen, rb_err *err);
    int (*setting_set)(rb_store *st, const char *key, const char *value, rb_err *err);
    int (*env_ensure)(rb_store *st, const char *name, rb_env *out, rb_err *err);
    int (*env_get)(rb_store *st, const char *env_id, rb_env *out, rb_err *err);
    int (*env_by_name)(rb_store *st, const char *name, rb_env *out, rb_err *err);
    int (*token_insert)(rb_store *st, const rb_token *t, rb_err *err);
    int (*token_get)(rb_store *st, const char *token_id, rb_token *out, rb_err *err);
    int (*token_list)(rb_store *st, const char *env_id, rb_token **out, size_t *n, rb_err *err);
    int (*token_revoke)(rb_store *st, const char *token_id, rb_err *err);
    int (*job_create)(rb_store *st, rb_job_create *c, char conflict_id[RB_ID_MAX], int *replayed,
                      rb_err *err);
    int (*job_get)(rb_store *st, const char *env_id, const char *workflow, const char *id,
                   rb_job *out, rb_err *err);
    int (*job_get_json)(rb_store *st, const char *env_id, const char *workflow, const char *id,
                        char **json, size_t *len, rb_err *err);
    int (*job_list)(rb_store *st, const char *env_id, const rb_job_filter *f, rb_job **jobs,
                    size_t *n, int64_t *total, rb_err *err);
    int (*job_cancel)(rb_store *st, const char *env_id, const char *id, rb_job *out,
                      rb_err *err);
    int (*job_claim)(rb_store *st, const char *worker_id, int lease_seconds, int max,
                     rb_job *jobs, size_t *n, rb_err *err);
    int (*job_heartbeat)(rb_store *st, const char *id, const char *worker_id, int lease_seconds,
                         rb_err *err);
    int (*job_status)(rb_store *st, const char *id, enum rb_job_status *out, rb_err *err);
    int (*job_complete)(rb_store *st, const char *id, const char *worker_id, json_t *outputs,
                        int64_t units, rb_err *err);
    int (*job_fail)(rb_store *st, const char *id, const char *worker_id, json_t *errors,
                    int64_t units, int64_t retry_at_ms, rb_err *err);
    int (*job_sweep)(rb_store *st, int64_t before, int64_t *deleted, rb_err *err);
    int (*events_for_job)(rb_store *st, const char *job_id, rb_event **out, size_t *n,
                          rb_err *err);
    int (*asset_insert)(rb_store *st, const rb_asset *a, rb_err *err);
    int (*asset_get)(rb_store *st, const char *env_id, const char *id, rb_asset *out,
                     rb_err *err);
    int (*asset_list)(rb_store *st, const char *env_id, int limit, int page, rb_asset **out,
                      size_t *n, int64_t *total, rb_err *err);
    int (*asset_list_after)(rb_store *st, const char *env_id, int limit,
                            int64_t after_created_at, const char *after_id, rb_asset **out,
                            size_t *n, int *more, rb_err *err);
    int (*asset_update)(rb_store *st, const rb_asset *a, rb_err *err);
    int (*asset_delete)(rb_store *st, const char *env_id, const char *id, rb_err *err);
    int (*track_insert)(rb_store *st, const rb_track *t, rb_err *err);
    int (*track_update)(rb_store *st, const rb_track *t, rb_err *err);
    int (*track_get)(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                     rb_track *out, rb_err *err);
    int (*track_delete)(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                        rb_err *err);
    int (*track_get_any_env)(rb_store *st, const char *id, rb_track *out, rb_err *err);
    int (*ingest_claim)(rb_store *st, const char *owner, int lease_seconds, int max,
                        rb_ingest_work **out, size_t *n, rb_err *err);
    int (*ingest_renew)(rb_store *st, const char *owner, const char *asset_id,
                        const char *track_id, int lease_seconds, rb_err *err);
    int (*track_finish)(rb_store *st, const char *owner, rb_track *t, const char *content_type,
                        const void *data, size_t len, rb_err *err);
    int (*asset_finish)(rb_store *st, const char *owner, const rb_asset *a,
                        const rb_track *new_tracks, size_t n_new, rb_err *err);
    int (*blob_put)(rb_store *st, const char *env_id, const char *job_id,
                    const char *content_type, const void *data, size_t len,
                    char id_out[RB_ID_MAX], rb_err *err);
    int (*blob_get)(rb_store *st, const char *id, char **data, size_t *len,
                    char content_type[64], rb_err *err);
    int (*directive_insert)(rb_store *st, const rb_directive *d, rb_err *err);
    int (*directive_get)(rb_store *st, const char *env_id, const char *id, int include_deleted,
                         rb_directive *out, rb_err *err);
    int (*directive_list)(rb_store *st, const char *env_id, int limit, int page,
                          rb_directive **out, size_t *n, int64_t *total, rb_err *err);
    int (*directive_delete)(rb_store *st, const char *env_id, const char *id, rb_err *err);
    int (*directive_run_create)(rb_store *st, rb_directive_run *r, char conflict_id[RB_ID_MAX],
                                rb_err *err);
    int (*directive_run_get)(rb_store *st, const char *env_id, const char *directive_id,
                             const char *run_id, rb_directive_run *out, rb_err *err);
    int (*directive_run_list)(rb_store *st, const char *env_id, const char *directive_id,
                              int limit, int page, rb_directive_run **out, size_t *n,
                              int64_t *total, rb_err *err);
    int (*directive_run_claim)(rb_store *st, const char *owner, int lease_seconds, int max,
                               rb_directive_run **out, size_t *n, rb_err *err);
    int (*directive_run_save)(rb_store *st, const char *owner, rb_directive_run *r, int release,
                              int64_t next_check_ms, rb_err *err);
    int (*job_set_directive)(rb_store *st, const char *job_id, const char *directive_id,
                             const char *run_id, rb_err *err);
    int (*asset_directives_add)(rb_store *st, const char *env_id, const char *asset_id,
                                const char *const *directive_ids, size_t n, rb_err *err);
    int (*asset_directives_list)(rb_store *st, const char *env_id, const char *asset_id,
                                 json_t **out, rb_err *err);
    int (*directive_auto_start)(rb_store *st, int max, int *started, rb_err *err);
    int (*directive_run_sweep)(rb_store *st, int64_t before, int64_t *deleted, rb_err *err);
    int (*events_for_run)(rb_store *st, const char *run_id, rb_event **out, size_t *n,
                          rb_err *err);
    int (*webhook_endpoint_insert)(rb_store *st, const rb_webhook_endpoint *ep, rb_err *err);
    int (*webhook_endpoint_get)(rb_store *st, const char *id, rb_webhook_endpoint *out,
                                rb_err *err);
    int (*webhook_endpoint_list)(rb_store *st, const char *env_id, rb_webhook_endpoint **out,
                                 size_t *n, rb_err *err);
    int (*webhook_endpoint_delete)(rb_store *st, const char *id, rb_err *err);
    int (*webhook_endpoint_set_secret)(rb_store *st, const char *id, const char *secret,
                                       rb_err *err);
    int (*webhook_claim)(rb_store *st, const char *owner, int64_t now_ms, int64_t lease_ms,
                         int max, rb_webhook_delivery **out, size_t *n, rb_err *err);
    int (*webhook_has_work)(rb_store *st, int64_t now_ms, int *work, rb_err *err);
    int (*webhook_record)(rb_store *st, const char *owner, int64_t delivery_id,
                          const rb_webhook_attempt *a, enum rb_webhook_outcome outcome,
                          int64_t next_ms, rb_err *err);
    int (*webhook_record_many)(rb_store *st, const char *owner, rb_webhook_result *xs, size_t n,
                               rb_err *err);
    int (*webhook_events)(rb_store *st, const char *env_id, const char *status, int limit,
                          json_t **out, rb_err *err);
    int (*webhook_replay)(rb_store *st, const char *env_id, const char *event_id,
                          int64_t since_us, int failed_only, int64_t *count, rb_err *err);
    int (*leader_acquire)(rb_store *st, const char *name, const char *owner, int ttl_s,
                          int *is_leader, rb_err *err);
    int (*leader_release)(rb_store *st, const char *name, const char *owner, rb_err *err);
    int (*set_remote_wake)(rb_store *st, void (*fn)(void *arg, int what), void *arg,
                           rb_err *err);
} rb_store_ops;

/* The part of every backend's handle that store.c owns. */
struct rb_store {
    const rb_store_ops *ops;
    uint64_t serial;               /* rb_store_serial */
    /* rb_store_set_event_hook; read by rb_store_fire_event_hook. */
    pthread_mutex_t hook_mu;
    void (*event_hook)(void *arg);
    void *event_hook_arg;
};

/* Fills the common header: ops, a fresh serial, the hook lock. A backend
 * calls it first thing after allocating its handle (zeroed). */
void rb_store_base_init(rb_store *st, const rb_store_ops *ops);
/* Releases what rb_store_base_init set up; the backend's close calls it last
 * before freeing the handle. */
void rb_store_base_destroy(rb_store *st);
/* Calls the event hook, if one is set: backends call it on the committing
 * thread right after a commit that wrote an outbox event. */
void rb_store_fire_event_hook(rb_store *st);
/* RB_ERR, 501 "not_implemented": "<fn> is not implemented on this store". */
int rb_store_unimplemented(const char *fn, rb_err *err);

/* Backend constructors; rb_store_open picks one by URL scheme. target is
 * what follows the scheme for SQLite (a file path) and the whole URL for
 * PostgreSQL (libpq parses it). */
int rb_sqlite_open(const char *path, int pool_size, rb_store **out, rb_err *err);
int rb_pg_open(const char *url, int pool_size, rb_store **out, rb_err *err);

#endif
