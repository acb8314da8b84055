/* store.c — the public store.h calls: rb_store_open picks a backend by URL
 * scheme, every other call dispatches through the handle's rb_store_ops
 * (store_impl.h). Nothing here knows SQL; the backends do. */
#include "store/store_impl.h"

#include <string.h>

int rb_store_unimplemented(const char *fn, rb_err *err)
{
    return rb_err_set(err, 501, "not_implemented", "%s is not implemented on this store", fn);
}

void rb_store_base_init(rb_store *st, const rb_store_ops *ops)
{
    /* Process-wide and never reused, unlike the handle's address. */
    static uint64_t next_serial;
    st->ops = ops;
    st->serial = __atomic_add_fetch(&next_serial, 1, __ATOMIC_RELAXED);
    pthread_mutex_init(&st->hook_mu, NULL);
}

void rb_store_base_destroy(rb_store *st)
{
    pthread_mutex_destroy(&st->hook_mu);
}

void rb_store_fire_event_hook(rb_store *st)
{
    pthread_mutex_lock(&st->hook_mu);
    void (*fn)(void *) = st->event_hook;
    void *arg = st->event_hook_arg;
    pthread_mutex_unlock(&st->hook_mu);
    /* Called outside the lock: the hook may take locks of its own. */
    if (fn)
        fn(arg);
}

/* ---- lifecycle -------------------------------------------------------------- */

int rb_store_open(const char *url, int pool_size, rb_store **out, rb_err *err)
{
    *out = NULL;
    if (!url)
        url = "";
    if (strncmp(url, "sqlite://", 9) == 0)
        return rb_sqlite_open(url + 9, pool_size, out, err);
    if (strncmp(url, "sqlite:", 7) == 0)
        return rb_sqlite_open(url + 7, pool_size, out, err);
    /* libpq reads the whole URL (user, host, port, dbname, options). */
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return rb_pg_open(url, pool_size, out, err);
    return rb_err_set(err, 500, "internal_error",
                      "unsupported database URL \"%s\" (expected sqlite:/path/file.db or"
                      " postgres://user@host:port/dbname)",
                      url);
}

void rb_store_close(rb_store *st)
{
    if (st)
        st->ops->close(st);
}

uint64_t rb_store_serial(const rb_store *st)
{
    return st ? st->serial : 0;
}

void rb_store_pool_reserve(rb_store *st, int n)
{
    if (st && n > 0)
        st->ops->pool_reserve(st, n);
}

void rb_store_set_event_hook(rb_store *st, void (*fn)(void *arg), void *arg)
{
    pthread_mutex_lock(&st->hook_mu);
    st->event_hook = fn;
    st->event_hook_arg = arg;
    pthread_mutex_unlock(&st->hook_mu);
}

/* ---- everything else: one dispatcher per call ------------------------------- */

int rb_store_setting_get_or_init(rb_store *st, const char *key, const char *dflt, char *out,
                                 size_t outlen, rb_err *err)
{
    if (!st->ops->setting_get_or_init)
        return rb_store_unimplemented("rb_store_setting_get_or_init", err);
    return st->ops->setting_get_or_init(st, key, dflt, out, outlen, err);
}

int rb_store_setting_get(rb_store *st, const char *key, char *out, size_t outlen, rb_err *err)
{
    if (!st->ops->setting_get)
        return rb_store_unimplemented("rb_store_setting_get", err);
    return st->ops->setting_get(st, key, out, outlen, err);
}

int rb_store_setting_set(rb_store *st, const char *key, const char *value, rb_err *err)
{
    if (!st->ops->setting_set)
        return rb_store_unimplemented("rb_store_setting_set", err);
    return st->ops->setting_set(st, key, value, err);
}

int rb_store_env_ensure(rb_store *st, const char *name, rb_env *out, rb_err *err)
{
    if (!st->ops->env_ensure)
        return rb_store_unimplemented("rb_store_env_ensure", err);
    return st->ops->env_ensure(st, name, out, err);
}

int rb_store_env_get(rb_store *st, const char *env_id, rb_env *out, rb_err *err)
{
    if (!st->ops->env_get)
        return rb_store_unimplemented("rb_store_env_get", err);
    return st->ops->env_get(st, env_id, out, err);
}

int rb_store_env_by_name(rb_store *st, const char *name, rb_env *out, rb_err *err)
{
    if (!st->ops->env_by_name)
        return rb_store_unimplemented("rb_store_env_by_name", err);
    return st->ops->env_by_name(st, name, out, err);
}

int rb_store_token_insert(rb_store *st, const rb_token *t, rb_err *err)
{
    if (!st->ops->token_insert)
        return rb_store_unimplemented("rb_store_token_insert", err);
    return st->ops->token_insert(st, t, err);
}

int rb_store_token_get(rb_store *st, const char *token_id, rb_token *out, rb_err *err)
{
    if (!st->ops->token_get)
        return rb_store_unimplemented("rb_store_token_get", err);
    return st->ops->token_get(st, token_id, out, err);
}

int rb_store_token_list(rb_store *st, const char *env_id, rb_token **out, size_t *n,
                        rb_err *err)
{
    if (!st->ops->token_list)
        return rb_store_unimplemented("rb_store_token_list", err);
    return st->ops->token_list(st, env_id, out, n, err);
}

int rb_store_token_revoke(rb_store *st, const char *token_id, rb_err *err)
{
    if (!st->ops->token_revoke)
        return rb_store_unimplemented("rb_store_token_revoke", err);
    return st->ops->token_revoke(st, token_id, err);
}

int rb_store_job_create(rb_store *st, rb_job_create *c, char conflict_id[RB_ID_MAX],
                        int *replayed, rb_err *err)
{
    if (!st->ops->job_create)
        return rb_store_unimplemented("rb_store_job_create", err);
    return st->ops->job_create(st, c, conflict_id, replayed, err);
}

int rb_store_job_get(rb_store *st, const char *env_id, const char *workflow, const char *id,
                     rb_job *out, rb_err *err)
{
    if (!st->ops->job_get)
        return rb_store_unimplemented("rb_store_job_get", err);
    return st->ops->job_get(st, env_id, workflow, id, out, err);
}

int rb_store_job_get_json(rb_store *st, const char *env_id, const char *workflow, const char *id,
                          char **json, size_t *len, rb_err *err)
{
    if (!st->ops->job_get_json)
        return rb_store_unimplemented("rb_store_job_get_json", err);
    return st->ops->job_get_json(st, env_id, workflow, id, json, len, err);
}

int rb_store_job_list(rb_store *st, const char *env_id, const rb_job_filter *f, rb_job **jobs,
                      size_t *n, int64_t *total, rb_err *err)
{
    if (!st->ops->job_list)
        return rb_store_unimplemented("rb_store_job_list", err);
    return st->ops->job_list(st, env_id, f, jobs, n, total, err);
}

int rb_store_job_cancel(rb_store *st, const char *env_id, const char *id, rb_job *out,
                        rb_err *err)
{
    if (!st->ops->job_cancel)
        return rb_store_unimplemented("rb_store_job_cancel", err);
    return st->ops->job_cancel(st, env_id, id, out, err);
}

int rb_store_job_claim(rb_store *st, const char *worker_id, int lease_seconds, int max,
                       rb_job *jobs, size_t *n, rb_err *err)
{
    if (!st->ops->job_claim)
        return rb_store_unimplemented("rb_store_job_claim", err);
    return st->ops->job_claim(st, worker_id, lease_seconds, max, jobs, n, err);
}

int rb_store_job_heartbeat(rb_store *st, const char *id, const char *worker_id,
                           int lease_seconds, rb_err *err)
{
    if (!st->ops->job_heartbeat)
        return rb_store_unimplemented("rb_store_job_heartbeat", err);
    return st->ops->job_heartbeat(st, id, worker_id, lease_seconds, err);
}

int rb_store_job_status(rb_store *st, const char *id, enum rb_job_status *out, rb_err *err)
{
    if (!st->ops->job_status)
        return rb_store_unimplemented("rb_store_job_status", err);
    return st->ops->job_status(st, id, out, err);
}

int rb_store_job_complete(rb_store *st, const char *id, const char *worker_id, json_t *outputs,
                          int64_t units, rb_err *err)
{
    if (!st->ops->job_complete)
        return rb_store_unimplemented("rb_store_job_complete", err);
    return st->ops->job_complete(st, id, worker_id, outputs, units, err);
}

int rb_store_job_fail(rb_store *st, const char *id, const char *worker_id, json_t *errors,
                      int64_t units, int64_t retry_at_ms, rb_err *err)
{
    if (!st->ops->job_fail)
        return rb_store_unimplemented("rb_store_job_fail", err);
    return st->ops->job_fail(st, id, worker_id, errors, units, retry_at_ms, err);
}

int rb_store_job_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err)
{
    if (!st->ops->job_sweep)
        return rb_store_unimplemented("rb_store_job_sweep", err);
    return st->ops->job_sweep(st, before, deleted, err);
}

int rb_store_events_for_job(rb_store *st, const char *job_id, rb_event **out, size_t *n,
                            rb_err *err)
{
    if (!st->ops->events_for_job)
        return rb_store_unimplemented("rb_store_events_for_job", err);
    return st->ops->events_for_job(st, job_id, out, n, err);
}

int rb_store_asset_insert(rb_store *st, const rb_asset *a, rb_err *err)
{
    if (!st->ops->asset_insert)
        return rb_store_unimplemented("rb_store_asset_insert", err);
    return st->ops->asset_insert(st, a, err);
}

int rb_store_asset_get(rb_store *st, const char *env_id, const char *id, rb_asset *out,
                       rb_err *err)
{
    if (!st->ops->asset_get)
        return rb_store_unimplemented("rb_store_asset_get", err);
    return st->ops->asset_get(st, env_id, id, out, err);
}

int rb_store_asset_list(rb_store *st, const char *env_id, int limit, int page, rb_asset **out,
                        size_t *n, int64_t *total, rb_err *err)
{
    if (!st->ops->asset_list)
        return rb_store_unimplemented("rb_store_asset_list", err);
    return st->ops->asset_list(st, env_id, limit, page, out, n, total, err);
}

int rb_store_asset_list_after(rb_store *st, const char *env_id, int limit,
                              int64_t after_created_at, const char *after_id, rb_asset **out,
                              size_t *n, int *more, rb_err *err)
{
    if (!st->ops->asset_list_after)
        return rb_store_unimplemented("rb_store_asset_list_after", err);
    return st->ops->asset_list_after(st, env_id, limit, after_created_at, after_id, out, n, more,
                                     err);
}

int rb_store_asset_update(rb_store *st, const rb_asset *a, rb_err *err)
{
    if (!st->ops->asset_update)
        return rb_store_unimplemented("rb_store_asset_update", err);
    return st->ops->asset_update(st, a, err);
}

int rb_store_asset_delete(rb_store *st, const char *env_id, const char *id, rb_err *err)
{
    if (!st->ops->asset_delete)
        return rb_store_unimplemented("rb_store_asset_delete", err);
    return st->ops->asset_delete(st, env_id, id, err);
}

int rb_store_track_insert(rb_store *st, const rb_track *t, rb_err *err)
{
    if (!st->ops->track_insert)
        return rb_store_unimplemented("rb_store_track_insert", err);
    return st->ops->track_insert(st, t, err);
}

int rb_store_track_update(rb_store *st, const rb_track *t, rb_err *err)
{
    if (!st->ops->track_update)
        return rb_store_unimplemented("rb_store_track_update", err);
    return st->ops->track_update(st, t, err);
}

int rb_store_track_get(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                       rb_track *out, rb_err *err)
{
    if (!st->ops->track_get)
        return rb_store_unimplemented("rb_store_track_get", err);
    return st->ops->track_get(st, env_id, asset_id, id, out, err);
}

int rb_store_track_delete(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                          rb_err *err)
{
    if (!st->ops->track_delete)
        return rb_store_unimplemented("rb_store_track_delete", err);
    return st->ops->track_delete(st, env_id, asset_id, id, err);
}

int rb_store_track_get_any_env(rb_store *st, const char *id, rb_track *out, rb_err *err)
{
    if (!st->ops->track_get_any_env)
        return rb_store_unimplemented("rb_store_track_get_any_env", err);
    return st->ops->track_get_any_env(st, id, out, err);
}

int rb_store_ingest_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                          rb_ingest_work **out, size_t *n, rb_err *err)
{
    if (!st->ops->ingest_claim)
        return rb_store_unimplemented("rb_store_ingest_claim", err);
    return st->ops->ingest_claim(st, owner, lease_seconds, max, out, n, err);
}

int rb_store_ingest_renew(rb_store *st, const char *owner, const char *asset_id,
                          const char *track_id, int lease_seconds, rb_err *err)
{
    if (!st->ops->ingest_renew)
        return rb_store_unimplemented("rb_store_ingest_renew", err);
    return st->ops->ingest_renew(st, owner, asset_id, track_id, lease_seconds, err);
}

int rb_store_track_finish(rb_store *st, const char *owner, rb_track *t, const char *content_type,
                          const void *data, size_t len, rb_err *err)
{
    if (!st->ops->track_finish)
        return rb_store_unimplemented("rb_store_track_finish", err);
    return st->ops->track_finish(st, owner, t, content_type, data, len, err);
}

int rb_store_asset_finish(rb_store *st, const char *owner, const rb_asset *a,
                          const rb_track *new_tracks, size_t n_new, rb_err *err)
{
    if (!st->ops->asset_finish)
        return rb_store_unimplemented("rb_store_asset_finish", err);
    return st->ops->asset_finish(st, owner, a, new_tracks, n_new, err);
}

int rb_store_blob_put(rb_store *st, const char *env_id, const char *job_id,
                      const char *content_type, const void *data, size_t len,
                      char id_out[RB_ID_MAX], rb_err *err)
{
    if (!st->ops->blob_put)
        return rb_store_unimplemented("rb_store_blob_put", err);
    return st->ops->blob_put(st, env_id, job_id, content_type, data, len, id_out, err);
}

int rb_store_blob_get(rb_store *st, const char *id, char **data, size_t *len,
                      char content_type[64], rb_err *err)
{
    if (!st->ops->blob_get)
        return rb_store_unimplemented("rb_store_blob_get", err);
    return st->ops->blob_get(st, id, data, len, content_type, err);
}

int rb_store_directive_insert(rb_store *st, const rb_directive *d, rb_err *err)
{
    if (!st->ops->directive_insert)
        return rb_store_unimplemented("rb_store_directive_insert", err);
    return st->ops->directive_insert(st, d, err);
}

int rb_store_directive_get(rb_store *st, const char *env_id, const char *id, int include_deleted,
                           rb_directive *out, rb_err *err)
{
    if (!st->ops->directive_get)
        return rb_store_unimplemented("rb_store_directive_get", err);
    return st->ops->directive_get(st, env_id, id, include_deleted, out, err);
}

int rb_store_directive_list(rb_store *st, const char *env_id, int limit, int page,
                            rb_directive **out, size_t *n, int64_t *total, rb_err *err)
{
    if (!st->ops->directive_list)
        return rb_store_unimplemented("rb_store_directive_list", err);
    return st->ops->directive_list(st, env_id, limit, page, out, n, total, err);
}

int rb_store_directive_delete(rb_store *st, const char *env_id, const char *id, rb_err *err)
{
    if (!st->ops->directive_delete)
        return rb_store_unimplemented("rb_store_directive_delete", err);
    return st->ops->directive_delete(st, env_id, id, err);
}

int rb_store_directive_run_create(rb_store *st, rb_directive_run *r, char conflict_id[RB_ID_MAX],
                                  rb_err *err)
{
    if (!st->ops->directive_run_create)
        return rb_store_unimplemented("rb_store_directive_run_create", err);
    return st->ops->directive_run_create(st, r, conflict_id, err);
}

int rb_store_directive_run_get(rb_store *st, const char *env_id, const char *directive_id,
                               const char *run_id, rb_directive_run *out, rb_err *err)
{
    if (!st->ops->directive_run_get)
        return rb_store_unimplemented("rb_store_directive_run_get", err);
    return st->ops->directive_run_get(st, env_id, directive_id, run_id, out, err);
}

int rb_store_directive_run_list(rb_store *st, const char *env_id, const char *directive_id,
                                int limit, int page, rb_directive_run **out, size_t *n,
                                int64_t *total, rb_err *err)
{
    if (!st->ops->directive_run_list)
        return rb_store_unimplemented("rb_store_directive_run_list", err);
    return st->ops->directive_run_list(st, env_id, directive_id, limit, page, out, n, total, err);
}

int rb_store_directive_run_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                                 rb_directive_run **out, size_t *n, rb_err *err)
{
    if (!st->ops->directive_run_claim)
        return rb_store_unimplemented("rb_store_directive_run_claim", err);
    return st->ops->directive_run_claim(st, owner, lease_seconds, max, out, n, err);
}

int rb_store_directive_run_save(rb_store *st, const char *owner, rb_directive_run *r,
                                int release, int64_t next_check_ms, rb_err *err)
{
    if (!st->ops->directive_run_save)
        return rb_store_unimplemented("rb_store_directive_run_save", err);
    return st->ops->directive_run_save(st, owner, r, release, next_check_ms, err);
}

int rb_store_job_set_directive(rb_store *st, const char *job_id, const char *directive_id,
                               const char *run_id, rb_err *err)
{
    if (!st->ops->job_set_directive)
        return rb_store_unimplemented("rb_store_job_set_directive", err);
    return st->ops->job_set_directive(st, job_id, directive_id, run_id, err);
}

int rb_store_asset_directives_add(rb_store *st, const char *env_id, const char *asset_id,
                                  const char *const *directive_ids, size_t n, rb_err *err)
{
    if (!st->ops->asset_directives_add)
        return rb_store_unimplemented("rb_store_asset_directives_add", err);
    return st->ops->asset_directives_add(st, env_id, asset_id, directive_ids, n, err);
}

int rb_store_asset_directives_list(rb_store *st, const char *env_id, const char *asset_id,
                                   json_t **out, rb_err *err)
{
    if (!st->ops->asset_directives_list)
        return rb_store_unimplemented("rb_store_asset_directives_list", err);
    return st->ops->asset_directives_list(st, env_id, asset_id, out, err);
}

int rb_store_directive_auto_start(rb_store *st, int max, int *started, rb_err *err)
{
    if (!st->ops->directive_auto_start)
        return rb_store_unimplemented("rb_store_directive_auto_start", err);
    return st->ops->directive_auto_start(st, max, started, err);
}

int rb_store_directive_run_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err)
{
    if (!st->ops->directive_run_sweep)
        return rb_store_unimplemented("rb_store_directive_run_sweep", err);
    return st->ops->directive_run_sweep(st, before, deleted, err);
}

int rb_store_events_for_run(rb_store *st, const char *run_id, rb_event **out, size_t *n,
                            rb_err *err)
{
    if (!st->ops->events_for_run)
        return rb_store_unimplemented("rb_store_events_for_run", err);
    return st->ops->events_for_run(st, run_id, out, n, err);
}

int rb_store_webhook_endpoint_insert(rb_store *st, const rb_webhook_endpoint *ep, rb_err *err)
{
    if (!st->ops->webhook_endpoint_insert)
        return rb_store_unimplemented("rb_store_webhook_endpoint_insert", err);
    return st->ops->webhook_endpoint_insert(st, ep, err);
}

int rb_store_webhook_endpoint_get(rb_store *st, const char *id, rb_webhook_endpoint *out,
                                  rb_err *err)
{
    if (!st->ops->webhook_endpoint_get)
        return rb_store_unimplemented("rb_store_webhook_endpoint_get", err);
    return st->ops->webhook_endpoint_get(st, id, out, err);
}

int rb_store_webhook_endpoint_list(rb_store *st, const char *env_id, rb_webhook_endpoint **out,
                                   size_t *n, rb_err *err)
{
    if (!st->ops->webhook_endpoint_list)
        return rb_store_unimplemented("rb_store_webhook_endpoint_list", err);
    return st->ops->webhook_endpoint_list(st, env_id, out, n, err);
}

int rb_store_webhook_endpoint_delete(rb_store *st, const char *id, rb_err *err)
{
    if (!st->ops->webhook_endpoint_delete)
        return rb_store_unimplemented("rb_store_webhook_endpoint_delete", err);
    return st->ops->webhook_endpoint_delete(st, id, err);
}

int rb_store_webhook_endpoint_set_secret(rb_store *st, const char *id, const char *secret,
                                         rb_err *err)
{
    if (!st->ops->webhook_endpoint_set_secret)
        return rb_store_unimplemented("rb_store_webhook_endpoint_set_secret", err);
    return st->ops->webhook_endpoint_set_secret(st, id, secret, err);
}

int rb_store_webhook_claim(rb_store *st, const char *owner, int64_t now_ms, int64_t lease_ms,
                           int max, rb_webhook_delivery **out, size_t *n, rb_err *err)
{
    if (!st->ops->webhook_claim)
        return rb_store_unimplemented("rb_store_webhook_claim", err);
    return st->ops->webhook_claim(st, owner, now_ms, lease_ms, max, out, n, err);
}

int rb_store_webhook_has_work(rb_store *st, int64_t now_ms, int *work, rb_err *err)
{
    if (!st->ops->webhook_has_work)
        return rb_store_unimplemented("rb_store_webhook_has_work", err);
    return st->ops->webhook_has_work(st, now_ms, work, err);
}

int rb_store_webhook_record(rb_store *st, const char *owner, int64_t delivery_id,
                            const rb_webhook_attempt *a, enum rb_webhook_outcome outcome,
                            int64_t next_ms, rb_err *err)
{
    if (!st->ops->webhook_record)
        return rb_store_unimplemented("rb_store_webhook_record", err);
    return st->ops->webhook_record(st, owner, delivery_id, a, outcome, next_ms, err);
}

int rb_store_webhook_record_many(rb_store *st, const char *owner, rb_webhook_result *xs,
                                 size_t n, rb_err *err)
{
    if (!st->ops->webhook_record_many)
        return rb_store_unimplemented("rb_store_webhook_record_many", err);
    return st->ops->webhook_record_many(st, owner, xs, n, err);
}

int rb_store_webhook_events(rb_store *st, const char *env_id, const char *status, int limit,
                            json_t **out, rb_err *err)
{
    if (!st->ops->webhook_events)
        return rb_store_unimplemented("rb_store_webhook_events", err);
    return st->ops->webhook_events(st, env_id, status, limit, out, err);
}

int rb_store_webhook_replay(rb_store *st, const char *env_id, const char *event_id,
                            int64_t since_us, int failed_only, int64_t *count, rb_err *err)
{
    if (!st->ops->webhook_replay)
        return rb_store_unimplemented("rb_store_webhook_replay", err);
    return st->ops->webhook_replay(st, env_id, event_id, since_us, failed_only, count, err);
}

/* ---- many processes on one database ----------------------------------------- */

int rb_store_leader_acquire(rb_store *st, const char *name, const char *owner, int ttl_s,
                            int *is_leader, rb_err *err)
{
    *is_leader = 0;
    if (!name || !*name || !owner || !*owner || ttl_s < 1 || ttl_s > 3600)
        return rb_err_set(err, 500, "internal_error",
                          "leader lease needs a name, an owner and a ttl of 1..3600 s");
    if (!st->ops->leader_acquire)
        return rb_store_unimplemented("rb_store_leader_acquire", err);
    return st->ops->leader_acquire(st, name, owner, ttl_s, is_leader, err);
}

int rb_store_leader_release(rb_store *st, const char *name, const char *owner, rb_err *err)
{
    if (!st->ops->leader_release)
        return rb_store_unimplemented("rb_store_leader_release", err);
    return st->ops->leader_release(st, name, owner, err);
}

int rb_store_set_remote_wake(rb_store *st, void (*fn)(void *arg, int what), void *arg,
                             rb_err *err)
{
    /* Optional for a backend: without cross-process notifications the
     * callers' polling is the whole mechanism, which is correct, only slower. */
    if (!st->ops->set_remote_wake)
        return RB_OK;
    return st->ops->set_remote_wake(st, fn, arg, err);
}
