/* store.h — the one storage interface. All SQL lives behind it.
 *
 * Two implementations sit behind these calls: SQLite (store_sqlite.c,
 * sqlite_*.c; "sqlite:/path") and PostgreSQL (pg_*.c; "postgres://...");
 * store.c dispatches each call to the backend rb_store_open chose
 * (store_impl.h, docs/store-postgres.md). Every call is thread-safe: the
 * handle owns a pool of connections and each call borrows one.
 *
 * Conventions: functions return RB_OK, RB_NOTFOUND, RB_CONFLICT, RB_BUSY or
 * RB_ERR (with err filled: status 500/503, type "internal_error"/"unavailable").
 * Every row belongs to one environment; a lookup with the wrong env_id is
 * RB_NOTFOUND, never another environment's data. Out-structs are caller-owned
 * and released with the matching *_clear(). Times are Unix seconds unless the
 * name says _ms or _us.
 *
 * Invariant (the outbox): every job state change writes its webhook event row
 * in the same transaction, with the job object rendered by rb_job_to_json() at
 * that moment as the payload. */
#ifndef RB_STORE_H
#define RB_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/job.h"

typedef struct rb_store rb_store;

/* ---- lifecycle ---------------------------------------------------------- */

/* url: "sqlite:/path/to/robots.db" (creates the file and parent directory)
 * or "postgres://user@host:port/dbname" ("postgresql://" too; libpq's URL
 * syntax, options included). Runs migrations. pool_size connections are
 * opened lazily (0 = default 8). A PostgreSQL server that cannot be reached
 * is RB_BUSY (503 "unavailable"); an unknown scheme RB_ERR (500). */
int rb_store_open(const char *url, int pool_size, rb_store **out, rb_err *err);
void rb_store_close(rb_store *st);
/* A number no other rb_store opened by this process has had (1, 2, ...):
 * caches keyed by store use it, since a closed store's address can be
 * reused by the next one. */
uint64_t rb_store_serial(const rb_store *st);
/* Raises the connection pool to at least n connections (still opened
 * lazily); never lowers it. For the HTTP server, whose every thread may
 * hold a connection at once. */
void rb_store_pool_reserve(rb_store *st, int n);
/* Registers fn to be called, on the committing thread right after the
 * commit, whenever a transaction that wrote an outbox event committed in this
 * process (other processes still find events by polling). fn must be quick
 * and must not call the store. NULL removes it. Set it before concurrent use. */
void rb_store_set_event_hook(rb_store *st, void (*fn)(void *arg), void *arg);
/* A value kept in the database (e.g. the signing key for public URLs); created
 * with `dflt` when absent, so every process sharing the store agrees. */
int rb_store_setting_get_or_init(rb_store *st, const char *key, const char *dflt, char *out,
                                 size_t outlen, rb_err *err);

/* The value of key, RB_NOTFOUND when it was never set. */
int rb_store_setting_get(rb_store *st, const char *key, char *out, size_t outlen, rb_err *err);
/* Sets key to value; value NULL deletes the key. Per-environment settings
 * use the key "env.<env_id>.<name>" (see `robots env`). */
int rb_store_setting_set(rb_store *st, const char *key, const char *value, rb_err *err);

/* ---- environments and tokens ------------------------------------------ */

typedef struct rb_env {
    char id[RB_ID_MAX];
    char name[128];
    int64_t created_at;
} rb_env;

/* Finds the environment called name, creating it (random id) if absent. */
int rb_store_env_ensure(rb_store *st, const char *name, rb_env *out, rb_err *err);
int rb_store_env_get(rb_store *st, const char *env_id, rb_env *out, rb_err *err);
int rb_store_env_by_name(rb_store *st, const char *name, rb_env *out, rb_err *err);

typedef struct rb_token {
    char id[RB_ID_MAX];
    char env_id[RB_ID_MAX];
    char env_name[128];
    char secret_sha256[65];        /* hex; the secret itself is never stored */
    json_t *scopes;                /* array of strings (owned) */
    int64_t created_at;
    int64_t revoked_at;            /* 0 when active */
} rb_token;

void rb_token_clear(rb_token *t);
int rb_store_token_insert(rb_store *st, const rb_token *t, rb_err *err);
int rb_store_token_get(rb_store *st, const char *token_id, rb_token *out, rb_err *err);
/* Every token (all environments when env_id is NULL), oldest first; *out is a
 * malloc'd array the caller frees with rb_token_clear on each + free. */
int rb_store_token_list(rb_store *st, const char *env_id, rb_token **out, size_t *n, rb_err *err);
int rb_store_token_revoke(rb_store *st, const char *token_id, rb_err *err);

/* ---- jobs --------------------------------------------------------------- */

typedef struct rb_job_create {
    rb_job *job;                   /* filled: id, env_id, workflow, parameters, passthrough,
                                      asset_id, resources, max_attempts, created_at */
    const char *dedupe_key;        /* hex hash of workflow + canonical parameters, or NULL */
    const char *idempotency_key;   /* Idempotency-Key header, or NULL */
    const char *request_hash;      /* hex hash of the request body (with idempotency_key) */
} rb_job_create;

/* Inserts a pending job and its "pending" event, durably (the call returns
 * after commit). Concurrent creates may share one commit (group commit).
 * Returns RB_CONFLICT when dedupe_key matches a non-terminal job of the same
 * environment (existing id copied to conflict_id), or when idempotency_key was
 * used before with another request_hash (conflict_id = ""). When the same
 * idempotency_key + request_hash exists, returns RB_OK and loads the original
 * job into *c->job (replayed = 1). */
int rb_store_job_create(rb_store *st, rb_job_create *c, char conflict_id[RB_ID_MAX],
                        int *replayed, rb_err *err);
/* workflow may be NULL (any workflow). */
int rb_store_job_get(rb_store *st, const char *env_id, const char *workflow, const char *id,
                     rb_job *out, rb_err *err);
/* The same lookup, answered as text: *json (malloc'd, NUL-terminated, *len
 * bytes) is json_dumps(rb_job_to_json(job), JSON_COMPACT) of the row as it is
 * now. Renderings are memoized per store keyed by every byte of the stored
 * row, so a row that changed in any way (by any process) is rendered anew:
 * the text is always what rendering the current row gives. */
int rb_store_job_get_json(rb_store *st, const char *env_id, const char *workflow,
                          const char *id, char **json, size_t *len, rb_err *err);

typedef struct rb_job_filter {
    const char *workflow;          /* or NULL */
    int has_status;
    enum rb_job_status status;
    const char *asset_id;          /* or NULL */
    int limit;                     /* 1..100 */
    int page;                      /* >= 1 */
} rb_job_filter;

/* Newest first (created_at desc, id desc). *jobs is a malloc'd array of n jobs
 * (rb_job_clear each, then free). *total = rows matching the filter. */
int rb_store_job_list(rb_store *st, const char *env_id, const rb_job_filter *f, rb_job **jobs,
                      size_t *n, int64_t *total, rb_err *err);

/* Cancels a pending or processing job: pending → cancelled at once; processing →
 * cancelled at once as well (the job's result will be dropped: the worker sees
 * the status at its next check and its completion is refused). Writes the
 * "cancelled" event. RB_CONFLICT if already terminal; loads the job into *out. */
int rb_store_job_cancel(rb_store *st, const char *env_id, const char *id, rb_job *out,
                        rb_err *err);

/* Claims up to max due pending jobs (run_at_ms <= now), oldest first: status →
 * processing, attempts+1, lease owner/expiry set, started_at/updated_at set,
 * "processing" event written — one transaction. Also reclaims processing jobs
 * whose lease expired (their worker died): those are re-run without a second
 * "processing" event. Returns the number claimed in *n; jobs is caller-provided
 * with room for max entries. */
int rb_store_job_claim(rb_store *st, const char *worker_id, int lease_seconds, int max,
                       rb_job *jobs, size_t *n, rb_err *err);
/* Extends the lease of a job this worker holds. RB_NOTFOUND when the worker no
 * longer holds it (lease lost, job cancelled or finished elsewhere). */
int rb_store_job_heartbeat(rb_store *st, const char *id, const char *worker_id,
                           int lease_seconds, rb_err *err);
/* The job's current status (cheap; used by workers to notice a cancel). */
int rb_store_job_status(rb_store *st, const char *id, enum rb_job_status *out, rb_err *err);
/* processing → completed with outputs and units, + "completed" event. Only if
 * worker_id still holds the lease and the job is still processing; otherwise
 * RB_CONFLICT (cancelled first, or taken over) and nothing is written. */
int rb_store_job_complete(rb_store *st, const char *id, const char *worker_id, json_t *outputs,
                          int64_t units, rb_err *err);
/* processing → errored with errors[] and units (+ "errored" event). When
 * retry_at_ms > 0 the job is instead retried: it stays "processing" as the
 * client sees it (no event, no status change), its lease is released and set
 * to expire at retry_at_ms, so a claim picks it up again then — the same path
 * that rescues jobs of a crashed worker. Same lease rule as complete. */
int rb_store_job_fail(rb_store *st, const char *id, const char *worker_id, json_t *errors,
                      int64_t units, int64_t retry_at_ms, rb_err *err);
/* Deletes jobs (and their events and blobs) created before `before`. */
int rb_store_job_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err);

/* ---- outbox (read side; the dispatcher is a later issue) --------------- */

typedef struct rb_event {
    char id[40];                   /* UUID */
    char env_id[RB_ID_MAX];
    char job_id[RB_ID_MAX];
    char type[96];                 /* robots.job.<wf>.<status> */
    int64_t created_at_us;
    json_t *data;                  /* job snapshot (owned) */
} rb_event;

void rb_event_clear(rb_event *e);
/* Events of one job in the order they were written. */
int rb_store_events_for_job(rb_store *st, const char *job_id, rb_event **out, size_t *n,
                            rb_err *err);

/* ---- media library ------------------------------------------------------ */

typedef struct rb_track {
    char id[RB_ID_MAX];
    char asset_id[RB_ID_MAX];
    char env_id[RB_ID_MAX];
    char type[8];                  /* video | audio | text */
    char status[12];               /* preparing | ready | errored | deleted */
    char text_type[16];            /* subtitles | chapters | "" */
    char text_source[24];          /* uploaded | generated_vod | ... | "" */
    char language_code[36];
    char name[256];
    int closed_captions;
    char *passthrough;             /* or NULL */
    char *source_url;              /* where ingest fetches it, or NULL */
    double duration;               /* seconds, 0 when unknown */
    char blob_id[RB_ID_MAX];       /* content (VTT text / chapters JSON), "" when none */
    json_t *errors;                /* or NULL */
    int64_t created_at;
    json_t *info;                  /* what ingest learned about a video/audio track
                                      ({max_width, max_height, max_frame_rate} or
                                      {max_channels}); owned, NULL when none */
} rb_track;

typedef struct rb_asset {
    char id[RB_ID_MAX];
    char env_id[RB_ID_MAX];
    char status[12];               /* preparing | ready | errored */
    double duration;               /* seconds, 0 when unknown */
    json_t *meta;                  /* {title?,creator_id?,external_id?} or NULL */
    char *passthrough;             /* or NULL */
    json_t *inputs;                /* the create request's inputs, for ingest (owned) */
    json_t *errors;                /* {type, messages[]} or NULL */
    json_t *playback_ids;          /* [{id, policy}] (owned) */
    rb_track *tracks;              /* n_tracks entries, creation order, excluding deleted */
    size_t n_tracks;
    double thumbnail_time;         /* < 0 when unset */
    int64_t created_at;
} rb_asset;

void rb_track_clear(rb_track *t);
void rb_asset_clear(rb_asset *a);

/* Inserts the asset, its playback ids and tracks in one transaction. */
int rb_store_asset_insert(rb_store *st, const rb_asset *a, rb_err *err);
int rb_store_asset_get(rb_store *st, const char *env_id, const char *id, rb_asset *out,
                       rb_err *err);
/* Newest first; same paging rules as jobs. */
int rb_store_asset_list(rb_store *st, const char *env_id, int limit, int page, rb_asset **out,
                        size_t *n, int64_t *total, rb_err *err);
/* Keyset page for cursor paging, in the same order (newest first by
 * created_at, then id): up to limit (1..100) assets that come strictly after
 * the key (after_created_at, after_id), or from the newest when after_id is
 * NULL. *more is 1 when at least one more asset follows the last one
 * returned. Unlike page/OFFSET it neither skips nor repeats an asset when
 * assets are created or deleted between calls, and every page costs the
 * same. *out is malloc'd (rb_asset_clear each, then free), NULL when *n = 0. */
int rb_store_asset_list_after(rb_store *st, const char *env_id, int limit,
                              int64_t after_created_at, const char *after_id, rb_asset **out,
                              size_t *n, int *more, rb_err *err);
/* Writes the client-editable fields of a: meta, passthrough, thumbnail_time
 * and playback_ids. Status, duration and errors belong to ingest
 * (rb_store_asset_finish), so a PATCH racing an ingest can never turn a
 * finished asset back to "preparing". */
int rb_store_asset_update(rb_store *st, const rb_asset *a, rb_err *err);
/* Deletes the asset, its tracks and their blobs. */
int rb_store_asset_delete(rb_store *st, const char *env_id, const char *id, rb_err *err);

int rb_store_track_insert(rb_store *st, const rb_track *t, rb_err *err);
/* Writes status, name, language_code, closed_captions, passthrough, duration,
 * blob_id, errors of t. */
int rb_store_track_update(rb_store *st, const rb_track *t, rb_err *err);
int rb_store_track_get(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                       rb_track *out, rb_err *err);
/* Marks the track deleted and removes its blob. */
int rb_store_track_delete(rb_store *st, const char *env_id, const char *asset_id,
                          const char *id, rb_err *err);
/* Looks a track up by id alone (for public VTT URLs, which carry no env). */
int rb_store_track_get_any_env(rb_store *st, const char *id, rb_track *out, rb_err *err);

/* ---- ingest claims ------------------------------------------------------ */

/* Ingest work is claimed like jobs are, so any node sharing the store may run
 * it and none runs the same piece twice: a claim names an owner (one per
 * ingester, unique across nodes) and a lease; a claim whose lease ran out is
 * claimable again, so work of an ingester that died mid-fetch is picked up
 * by another. Two kinds of work: a preparing asset (its preparing tracks go
 * with it), and a preparing track of an asset that is no longer preparing
 * (a track added to a ready asset). */
typedef struct rb_ingest_work {
    int is_track;                  /* 0: asset claimed; 1: track claimed */
    rb_asset asset;                /* is_track == 0: the asset with all its tracks */
    rb_track track;                /* is_track == 1: the track */
} rb_ingest_work;

void rb_ingest_work_clear(rb_ingest_work *w);
/* Claims, in one transaction, up to max unclaimed (or lease-expired)
 * preparing assets and up to max such preparing tracks, oldest first, for
 * owner until now + lease_seconds. *out is a malloc'd array of *n entries,
 * assets first (rb_ingest_work_clear each, then free); *n = 0 when there is
 * nothing to do. */
int rb_store_ingest_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                          rb_ingest_work **out, size_t *n, rb_err *err);
/* Extends owner's claim on an asset (track_id NULL) or on a track to now +
 * lease_seconds; called before each long step (a fetch). RB_CONFLICT when
 * owner no longer holds it (it is no longer preparing, or another owner
 * claimed it after the lease ran out): the caller drops the work.
 * RB_NOTFOUND when it was deleted. */
int rb_store_ingest_renew(rb_store *st, const char *owner, const char *asset_id,
                          const char *track_id, int lease_seconds, rb_err *err);
/* Ends the ingest of a preparing track, in one transaction: when data is not
 * NULL it is stored as a new blob (content_type) and t->blob_id set to it;
 * then status, duration, blob_id, errors and info of t are written and any
 * claim on the track released. Only if the track is still preparing and no
 * other owner claimed it (a track of a claimed asset has no claim of its own,
 * owner may then be anything); otherwise RB_CONFLICT and nothing is written,
 * so a track deleted while it was fetched stays deleted. RB_NOTFOUND when the
 * track (or its asset) is gone. */
int rb_store_track_finish(rb_store *st, const char *owner, rb_track *t,
                          const char *content_type, const void *data, size_t len, rb_err *err);
/* Ends the ingest of a claimed asset, in one transaction: inserts the n_new
 * tracks probing found (their asset_id/env_id are taken from a), writes
 * status, duration and errors of a (meta, passthrough and playback ids are
 * left as they are, so a PATCH made during ingest stands) and releases the
 * claim. Only if the asset is still preparing and owner still holds the
 * claim (also past the lease, when nobody claimed it since); otherwise
 * RB_CONFLICT and nothing is written. RB_NOTFOUND when it was deleted. */
int rb_store_asset_finish(rb_store *st, const char *owner, const rb_asset *a,
                          const rb_track *new_tracks, size_t n_new, rb_err *err);

/* ---- blobs (track contents, job result files) -------------------------- */

/* Stores data; job_id (may be NULL) ties its lifetime to a job for the sweeper. */
int rb_store_blob_put(rb_store *st, const char *env_id, const char *job_id,
                      const char *content_type, const void *data, size_t len,
                      char id_out[RB_ID_MAX], rb_err *err);
/* *data is malloc'd and NUL-terminated (len excludes the NUL). */
int rb_store_blob_get(rb_store *st, const char *id, char **data, size_t *len,
                      char content_type[64], rb_err *err);

/* ---- directives and directive runs (spec §7; sqlite_directives.c) ------ */

/* A directive is immutable; delete is soft so runs that already started can
 * still read it (include_deleted), while the API answers 404 for it. */
typedef struct rb_directive {
    char id[RB_ID_MAX];            /* "drv_..." */
    char env_id[RB_ID_MAX];
    char *name;                    /* owned */
    json_t *config;                /* {subject, resources, workflows} as validated (owned) */
    int64_t created_at;
    int64_t updated_at;
    int64_t deleted_at;            /* 0 while active */
} rb_directive;

void rb_directive_clear(rb_directive *d);
int rb_store_directive_insert(rb_store *st, const rb_directive *d, rb_err *err);
/* RB_NOTFOUND for another environment's, unknown, or (unless include_deleted)
 * deleted directives. */
int rb_store_directive_get(rb_store *st, const char *env_id, const char *id,
                           int include_deleted, rb_directive *out, rb_err *err);
/* Active directives, newest first (created_at desc, id desc); *out malloc'd,
 * rb_directive_clear each then free. *total counts all active ones. */
int rb_store_directive_list(rb_store *st, const char *env_id, int limit, int page,
                            rb_directive **out, size_t *n, int64_t *total, rb_err *err);
/* Soft delete; RB_NOTFOUND when unknown or already deleted. */
int rb_store_directive_delete(rb_store *st, const char *env_id, const char *id, rb_err *err);

/* Run statuses: pending, dispatching, running, waiting (active) and
 * completed, partial, errored (terminal). */
typedef struct rb_directive_run {
    char id[RB_ID_MAX];            /* "drvrun_..." */
    char env_id[RB_ID_MAX];
    char directive_id[RB_ID_MAX];
    char asset_id[RB_ID_MAX];
    char status[16];
    json_t *node_states;           /* NodeState[] of spec §7.4 (owned) */
    json_t *work;                  /* the engine's bookkeeping object (owned, never shown) */
    int auto_trigger;              /* started by the asset's `directives` list */
    int64_t created_at;
    int64_t updated_at;            /* last status change */
    int64_t started_at;
    int64_t completed_at;          /* 0 until terminal */
} rb_directive_run;

void rb_directive_run_clear(rb_directive_run *r);
/* 1 for completed, partial, errored. */
int rb_directive_run_terminal(const char *status);
/* Inserts a pending run (id generated when empty) and its
 * robots.directive_run.created event in one transaction. RB_NOTFOUND when the
 * directive is unknown, deleted or in another environment; RB_CONFLICT when
 * a run of the same directive for the same asset is still active
 * (conflict_id = its id) or, for an automatic run, when one already ran
 * (conflict_id = ""). */
int rb_store_directive_run_create(rb_store *st, rb_directive_run *r,
                                  char conflict_id[RB_ID_MAX], rb_err *err);
int rb_store_directive_run_get(rb_store *st, const char *env_id, const char *directive_id,
                               const char *run_id, rb_directive_run *out, rb_err *err);
/* Newest first; same paging and ownership rules as rb_store_directive_list. */
int rb_store_directive_run_list(rb_store *st, const char *env_id, const char *directive_id,
                                int limit, int page, rb_directive_run **out, size_t *n,
                                int64_t *total, rb_err *err);
/* Claims up to max active runs that are due (all environments), for owner
 * until now + lease_seconds; a pending run becomes dispatching. A run whose
 * lease ran out (its node died) is claimable again. *out malloc'd. */
int rb_store_directive_run_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                                 rb_directive_run **out, size_t *n, rb_err *err);
/* Writes status, node_states and work of r while owner holds it; when the
 * status becomes terminal also completed_at and the terminal event
 * (robots.directive_run.<status>), in the same transaction, and the claim is
 * released. Otherwise the claim is kept (release = 0) or released with the
 * run due again at next_check_ms (release = 1). RB_CONFLICT when owner no
 * longer holds the run. r->completed_at/updated_at are updated. */
int rb_store_directive_run_save(rb_store *st, const char *owner, rb_directive_run *r,
                                int release, int64_t next_check_ms, rb_err *err);
/* Records that run_id of directive_id dispatched job_id (the job's
 * `directive` field). */
int rb_store_job_set_directive(rb_store *st, const char *job_id, const char *directive_id,
                               const char *run_id, rb_err *err);
/* Attaches directives to an asset (POST /video/v1/assets "directives",
 * spec §7.3); the caller checked that each is an active directive of env_id.
 * Attaching the same directive twice is a no-op. */
int rb_store_asset_directives_add(rb_store *st, const char *env_id, const char *asset_id,
                                  const char *const *directive_ids, size_t n, rb_err *err);
/* The attached directives as [{id}], in attachment order (*out owned). */
int rb_store_asset_directives_list(rb_store *st, const char *env_id, const char *asset_id,
                                   json_t **out, rb_err *err);
/* Starts, in one transaction, the automatic runs of up to max attached
 * directives whose asset is no longer preparing: a ready asset with an
 * active directive gets a pending run (auto_trigger, + created event) unless
 * a run of the pair is active or an automatic one already ran; either way the
 * attachment is marked started, so each directive runs once per asset.
 * *started = runs created. Safe on several nodes (write transaction). */
int rb_store_directive_auto_start(rb_store *st, int max, int *started, rb_err *err);
/* Deletes finished runs created before `before`, with their events. */
int rb_store_directive_run_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err);
/* Events of one run in write order (rb_event.job_id is ""). */
int rb_store_events_for_run(rb_store *st, const char *run_id, rb_event **out, size_t *n,
                            rb_err *err);

/* ---- webhooks (sqlite_webhooks.c; docs/webhooks.md) -------------------- */

/* An endpoint of one environment; every event of the environment written
 * after the endpoint was created is delivered to it. The secret is stored as
 * given (it is needed to sign) and is never logged. */
typedef struct rb_webhook_endpoint {
    char id[RB_ID_MAX];            /* "whe_..." */
    char env_id[RB_ID_MAX];
    char url[2048];
    char secret[80];               /* "whsec_<base64 of 24 bytes>" */
    int64_t created_at;
    int64_t disabled_at;           /* 0 while enabled (410 Gone disables) */
    char disabled_reason[128];
} rb_webhook_endpoint;

/* Inserts ep (id, env_id, url, secret, created_at filled by the caller); it
 * receives events written from now on, not older ones (replay sends those). */
int rb_store_webhook_endpoint_insert(rb_store *st, const rb_webhook_endpoint *ep, rb_err *err);
int rb_store_webhook_endpoint_get(rb_store *st, const char *id, rb_webhook_endpoint *out,
                                  rb_err *err);
/* Oldest first; env_id NULL = every environment. *out malloc'd (free it). */
int rb_store_webhook_endpoint_list(rb_store *st, const char *env_id, rb_webhook_endpoint **out,
                                   size_t *n, rb_err *err);
/* Deletes the endpoint with its deliveries and attempts. */
int rb_store_webhook_endpoint_delete(rb_store *st, const char *id, rb_err *err);
/* Replaces the secret; attempts from now on are signed with it. Also
 * re-enables an endpoint that 410 disabled (a rotation means someone is
 * tending it). */
int rb_store_webhook_endpoint_set_secret(rb_store *st, const char *id, const char *secret,
                                         rb_err *err);

/* One claimed delivery of one event to one endpoint (caller-owned; clear with
 * rb_webhook_delivery_clear). */
typedef struct rb_webhook_delivery {
    int64_t id;
    char event_id[40];             /* UUID: the envelope id and webhook-id */
    char type[96];
    int64_t created_at_us;
    char env_id[RB_ID_MAX];
    char env_name[128];
    char subject_id[RB_ID_MAX];    /* job id or directive run id */
    int is_run;                    /* 1 when the subject is a directive run */
    char endpoint_id[RB_ID_MAX];
    char url[2048];
    char secret[80];
    int tries;                     /* attempts made in the current round (0 on the first) */
    char *payload;                 /* the event's data, compact JSON text (owned) */
    json_t *attempts;              /* earlier attempts in the envelope's Attempt shape (owned) */
} rb_webhook_delivery;

void rb_webhook_delivery_clear(rb_webhook_delivery *d);

/* In one write transaction: fans every event written since the last call out
 * to the enabled endpoints of its environment (one pending delivery per
 * endpoint), then claims up to max deliveries that are due (next attempt <=
 * now_ms, not leased or lease expired, endpoint enabled) for owner until
 * now_ms + lease_ms. A delivery is due only when no earlier event of the same
 * job (or run) is still pending for the same endpoint, so a job's events reach
 * an endpoint in the order they were written. *out malloc'd, *n entries
 * (NULL, 0 when nothing is due). */
int rb_store_webhook_claim(rb_store *st, const char *owner, int64_t now_ms, int64_t lease_ms,
                           int max, rb_webhook_delivery **out, size_t *n, rb_err *err);
/* The cheap read-only check the dispatcher makes between claims: 1 in *work
 * when a claim could find something (events not fanned out yet, or a
 * delivery the claim would take). */
int rb_store_webhook_has_work(rb_store *st, int64_t now_ms, int *work, rb_err *err);

/* What one attempt gave, and what happens next. */
enum rb_webhook_outcome {
    RB_WEBHOOK_DELIVERED,          /* 2xx: done */
    RB_WEBHOOK_RETRY,              /* failed: try again at next_ms */
    RB_WEBHOOK_FAILED,             /* failed and the schedule is exhausted */
    RB_WEBHOOK_GONE                /* 410: delivery failed and the endpoint is disabled */
};
typedef struct rb_webhook_attempt {
    int64_t at_ms;                 /* when the request was sent */
    int status_code;               /* 0 when there was no HTTP response */
    int64_t latency_ms;
    const char *response_body;     /* first 1 KiB, or NULL */
    const char *error;             /* transport error (timeout, refused...), or NULL */
} rb_webhook_attempt;

/* Stores the attempt and moves the delivery on, if owner still holds it
 * (RB_CONFLICT otherwise, nothing written). */
int rb_store_webhook_record(rb_store *st, const char *owner, int64_t delivery_id,
                            const rb_webhook_attempt *a, enum rb_webhook_outcome outcome,
                            int64_t next_ms, rb_err *err);
/* The same for n results in one transaction (one fsync for all): xs[i].rc is
 * RB_OK or RB_CONFLICT (that one not written) when the call returns RB_OK. */
typedef struct rb_webhook_result {
    int64_t delivery_id;
    rb_webhook_attempt attempt;
    enum rb_webhook_outcome outcome;
    int64_t next_ms;
    int rc;                        /* out */
} rb_webhook_result;
int rb_store_webhook_record_many(rb_store *st, const char *owner, rb_webhook_result *xs,
                                 size_t n, rb_err *err);
/* Deliveries of env_id's events, newest event first, at most limit (1..1000),
 * as a JSON array of {event_id, type, subject_id, created_at, endpoint_id,
 * url, status, attempts: [{at, status_code, latency_ms, response_body,
 * error}]}. status NULL = all; else "pending", "delivered" or "failed". */
int rb_store_webhook_events(rb_store *st, const char *env_id, const char *status, int limit,
                            json_t **out, rb_err *err);
/* Sends events again to every enabled endpoint of their environment: the
 * event event_id (env_id may then be NULL: any environment), or (event_id
 * NULL) every event of env_id created at or after since_us; only those whose
 * delivery failed when failed_only. Deliveries become
 * pending and due now with a fresh schedule; an endpoint that never had the
 * event gets it too. *count = deliveries scheduled. RB_NOTFOUND for an
 * unknown event_id. */
int rb_store_webhook_replay(rb_store *st, const char *env_id, const char *event_id,
                            int64_t since_us, int failed_only, int64_t *count, rb_err *err);


/* ---- many processes on one database (docs/store-postgres.md) ------------ */

/* Takes or renews the named lease for owner, atomically: the lease row is
 * (re)written when it does not exist yet, when owner already holds it, or
 * when the holder's lease has run out; then *is_leader = 1 and the lease
 * runs ttl_s seconds from now (PostgreSQL: the server's clock, so nodes with
 * skewed clocks agree). Otherwise *is_leader = 0 and nothing changes. At
 * most one owner holds a name at any moment. ttl_s is 1..3600. Used so that
 * cluster-wide maintenance (the retention sweep) runs on one node at a time;
 * correctness never depends on it (claims stay atomic per row). */
int rb_store_leader_acquire(rb_store *st, const char *name, const char *owner, int ttl_s,
                            int *is_leader, rb_err *err);
/* Gives the lease up if owner holds it (a clean shutdown), so another node
 * takes over at its next renewal instead of after the ttl. */
int rb_store_leader_release(rb_store *st, const char *name, const char *owner, rb_err *err);

/* What a remote wake is about (bits of `what`). */
enum {
    RB_STORE_WAKE_JOBS = 1,        /* a job became claimable (created, released) */
    RB_STORE_WAKE_EVENTS = 2,      /* an outbox event was committed */
    RB_STORE_WAKE_INGEST = 4,      /* an asset, track or directive run was created */
};
/* Registers fn to be called when ANOTHER process (or another handle) sharing
 * the database commits work of the kinds in `what`. PostgreSQL: commits send
 * NOTIFY robots_jobs / robots_events / robots_ingest in their transaction
 * (delivered on commit), and one listener thread per handle, on its own
 * connection (not from the pool), calls fn; a lost listener connection is
 * reopened with backoff (100 ms doubling to 5 s) and fn is called with every
 * bit after each (re)connect, since notifications sent meanwhile are lost.
 * Callers keep polling as the fallback. SQLite: RB_OK and nothing happens
 * (the same-process event hook and polling stay). fn runs on the listener
 * thread, must be quick and must not call the store. NULL stops the
 * listener. Call it before concurrent use; rb_store_close stops it too. */
int rb_store_set_remote_wake(rb_store *st, void (*fn)(void *arg, int what), void *arg,
                             rb_err *err);

#endif
