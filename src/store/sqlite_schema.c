/* sqlite_schema.c — the SQLite schema as forward-only migrations.
 *
 * Migration n brings PRAGMA user_version from n-1 to n. Each one runs in its
 * own BEGIN IMMEDIATE transaction that re-reads user_version first, so two
 * processes opening the same file at once apply it exactly once. Never edit a
 * released migration: append a new one. */
#include "store/sqlite_schema.h"

#include <stddef.h>

static const char MIGRATION_1[] =
    "CREATE TABLE schema_migrations ("
    "  version INTEGER PRIMARY KEY,"
    "  applied_at INTEGER NOT NULL"
    ");"

    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ");"

    "CREATE TABLE environments ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  created_at INTEGER NOT NULL"
    ");"

    "CREATE TABLE tokens ("
    "  id TEXT PRIMARY KEY,"
    "  env_id TEXT NOT NULL REFERENCES environments(id),"
    "  secret_sha256 TEXT NOT NULL,"
    "  scopes TEXT NOT NULL DEFAULT '[]',"
    "  created_at INTEGER NOT NULL,"
    "  revoked_at INTEGER"
    ");"
    "CREATE INDEX tokens_env ON tokens(env_id);"

    /* The CHECKs encode the state machine of spec §3.1: a terminal job has a
     * finish time and a non-terminal one does not; outputs only on completed,
     * errors only on errored; a lease only while processing. A bug that
     * writes an impossible row fails loudly instead of corrupting the API. */
    "CREATE TABLE jobs ("
    "  id TEXT PRIMARY KEY,"
    "  env_id TEXT NOT NULL REFERENCES environments(id),"
    "  workflow TEXT NOT NULL,"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('pending','processing','completed','errored','cancelled')),"
    "  parameters TEXT NOT NULL DEFAULT '{}',"
    "  passthrough TEXT,"
    "  asset_id TEXT,"
    "  resources TEXT,"
    "  outputs TEXT CHECK (outputs IS NULL OR status = 'completed'),"
    "  errors TEXT CHECK (errors IS NULL OR status = 'errored'),"
    "  units_consumed INTEGER NOT NULL DEFAULT 0 CHECK (units_consumed >= 0),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  max_attempts INTEGER NOT NULL DEFAULT 1,"
    "  cancel_requested INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  started_at INTEGER,"
    "  completed_at INTEGER,"
    "  run_at_ms INTEGER NOT NULL DEFAULT 0,"
    "  lease_owner TEXT CHECK (lease_owner IS NULL OR status = 'processing'),"
    "  lease_expires_ms INTEGER,"
    "  dedupe_key TEXT,"
    "  idempotency_key TEXT,"
    "  request_hash TEXT,"
    "  CHECK ((status IN ('completed','errored','cancelled')) = (completed_at IS NOT NULL))"
    ");"
    /* The 409 duplicate rule: at most one live job per (env, dedupe key). */
    "CREATE UNIQUE INDEX jobs_dedupe ON jobs(env_id, dedupe_key)"
    "  WHERE dedupe_key IS NOT NULL AND status IN ('pending','processing');"
    "CREATE UNIQUE INDEX jobs_idempotency ON jobs(env_id, idempotency_key)"
    "  WHERE idempotency_key IS NOT NULL;"
    "CREATE INDEX jobs_list ON jobs(env_id, created_at DESC, id DESC);"
    "CREATE INDEX jobs_claim_pending ON jobs(created_at, id) WHERE status = 'pending';"
    "CREATE INDEX jobs_claim_lease ON jobs(lease_expires_ms) WHERE status = 'processing';"
    "CREATE INDEX jobs_created ON jobs(created_at);"

    /* The outbox. seq gives the write order (and is the dispatcher's cursor
     * later); id is the webhook event id receivers deduplicate on. */
    "CREATE TABLE events ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  id TEXT NOT NULL UNIQUE,"
    "  env_id TEXT NOT NULL,"
    "  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  type TEXT NOT NULL,"
    "  created_at_us INTEGER NOT NULL,"
    "  payload TEXT NOT NULL"
    ");"
    "CREATE INDEX events_job ON events(job_id, seq);"

    "CREATE TABLE assets ("
    "  id TEXT PRIMARY KEY,"
    "  env_id TEXT NOT NULL REFERENCES environments(id),"
    "  status TEXT NOT NULL,"
    "  duration REAL NOT NULL DEFAULT 0,"
    "  meta TEXT,"
    "  passthrough TEXT,"
    "  inputs TEXT,"
    "  errors TEXT,"
    "  thumbnail_time REAL,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX assets_list ON assets(env_id, created_at DESC, id DESC);"
    "CREATE INDEX assets_preparing ON assets(created_at) WHERE status = 'preparing';"

    "CREATE TABLE playback_ids ("
    "  id TEXT PRIMARY KEY,"
    "  asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
    "  env_id TEXT NOT NULL,"
    "  policy TEXT NOT NULL,"
    "  position INTEGER NOT NULL"
    ");"
    "CREATE INDEX playback_ids_asset ON playback_ids(asset_id, position);"

    "CREATE TABLE tracks ("
    "  id TEXT PRIMARY KEY,"
    "  asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
    "  env_id TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  text_type TEXT NOT NULL DEFAULT '',"
    "  text_source TEXT NOT NULL DEFAULT '',"
    "  language_code TEXT NOT NULL DEFAULT '',"
    "  name TEXT NOT NULL DEFAULT '',"
    "  closed_captions INTEGER NOT NULL DEFAULT 0,"
    "  passthrough TEXT,"
    "  source_url TEXT,"
    "  duration REAL NOT NULL DEFAULT 0,"
    "  blob_id TEXT NOT NULL DEFAULT '',"
    "  errors TEXT,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX tracks_asset ON tracks(asset_id);"

    "CREATE TABLE blobs ("
    "  id TEXT PRIMARY KEY,"
    "  env_id TEXT NOT NULL,"
    "  job_id TEXT,"
    "  content_type TEXT NOT NULL DEFAULT 'application/octet-stream',"
    "  data BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX blobs_job ON blobs(job_id) WHERE job_id IS NOT NULL;";

/* Ingest claims and media-track facts.
 *
 * ingest_owner / ingest_lease_expires_ms on assets and tracks make ingest work
 * claimable by exactly one node at a time, the way jobs are: a claim whose
 * lease ran out (the node died mid-fetch) is claimable again. A track has a
 * claim of its own only when it was added to an asset that is no longer
 * preparing; tracks of a preparing asset go with the asset's claim.
 *
 * tracks.info holds what probing learned about a video or audio track
 * (max_width, ...). Before this migration those facts were kept as a JSON
 * blob named by the track's blob_id; they are moved into the column here and
 * the blobs removed, so nothing already ingested is lost. */
static const char MIGRATION_2[] =
    "ALTER TABLE assets ADD COLUMN ingest_owner TEXT;"
    "ALTER TABLE assets ADD COLUMN ingest_lease_expires_ms INTEGER;"
    "ALTER TABLE tracks ADD COLUMN ingest_owner TEXT;"
    "ALTER TABLE tracks ADD COLUMN ingest_lease_expires_ms INTEGER;"
    "ALTER TABLE tracks ADD COLUMN info TEXT;"
    "CREATE INDEX tracks_preparing ON tracks(created_at) WHERE status = 'preparing';"

    "UPDATE tracks SET info ="
    "  (SELECT CAST(b.data AS TEXT) FROM blobs b"
    "    WHERE b.id = tracks.blob_id AND json_valid(CAST(b.data AS TEXT))"
    "      AND json_type(CAST(b.data AS TEXT)) = 'object')"
    "  WHERE type IN ('video', 'audio') AND blob_id <> '';"
    "DELETE FROM blobs WHERE id IN"
    "  (SELECT blob_id FROM tracks"
    "    WHERE type IN ('video', 'audio') AND blob_id <> '' AND info IS NOT NULL);"
    "UPDATE tracks SET blob_id = ''"
    "  WHERE type IN ('video', 'audio') AND blob_id <> '' AND info IS NOT NULL;";

/* Directives and directive runs (spec §7).
 *
 * A directive is immutable once created; delete is soft (deleted_at) because
 * runs that already read the configuration must finish (spec §7.1), and a run
 * row keeps pointing at its directive. config holds {subject, resources,
 * workflows} as validated. A run's node_states is the public NodeState[] of
 * spec §7.4; work is the engine's private bookkeeping (the job id reserved for
 * each binding before the job is created, the tracks it asked for), so a run
 * picked up again after a crash neither loses nor duplicates a job. Runs are
 * claimed with a lease like jobs, so any node sharing the store processes them
 * and none processes the same run twice at once.
 *
 * The CHECK ties a finish time to the terminal statuses; the partial unique
 * index is the "one active run per directive + asset" rule (409), and the
 * second one makes the automatic trigger idempotent (one run per directive
 * per asset). asset_directives holds the directives an asset was created
 * with, until the asset is ready and their runs start.
 *
 * jobs.directive_id/directive_run_id say which run dispatched a job (the
 * job's `directive` field). The outbox table is rebuilt because a run event
 * has no job: job_id becomes nullable and run_id names the run instead; the
 * CHECK keeps exactly one of them set. Rows keep their seq, so the write
 * order (the dispatcher's cursor) is unchanged. */
static const char MIGRATION_3[] =
    "CREATE TABLE directives ("
    "  id TEXT PRIMARY KEY,"
    "  env_id TEXT NOT NULL REFERENCES environments(id),"
    "  name TEXT NOT NULL,"
    "  config TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  deleted_at INTEGER"
    ");"
    "CREATE INDEX directives_list ON directives(env_id, created_at DESC, id DESC)"
    "  WHERE deleted_at IS NULL;"

    "CREATE TABLE directive_runs ("
    "  id TEXT PRIMARY KEY,"
    "  env_id TEXT NOT NULL REFERENCES environments(id),"
    "  directive_id TEXT NOT NULL REFERENCES directives(id),"
    "  asset_id TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN"
    "    ('pending','dispatching','running','waiting','completed','partial','errored')),"
    "  node_states TEXT NOT NULL DEFAULT '[]',"
    "  work TEXT NOT NULL DEFAULT '{}',"
    "  auto_trigger INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  started_at INTEGER NOT NULL,"
    "  completed_at INTEGER,"
    "  next_check_ms INTEGER NOT NULL DEFAULT 0,"
    "  lease_owner TEXT,"
    "  lease_expires_ms INTEGER,"
    "  CHECK ((status IN ('completed','partial','errored')) = (completed_at IS NOT NULL)),"
    "  CHECK (lease_owner IS NULL OR status NOT IN ('completed','partial','errored'))"
    ");"
    "CREATE UNIQUE INDEX directive_runs_active ON directive_runs(directive_id, asset_id)"
    "  WHERE status NOT IN ('completed','partial','errored');"
    "CREATE UNIQUE INDEX directive_runs_auto ON directive_runs(directive_id, asset_id)"
    "  WHERE auto_trigger = 1;"
    "CREATE INDEX directive_runs_list ON directive_runs(directive_id, created_at DESC, id DESC);"
    "CREATE INDEX directive_runs_due ON directive_runs(next_check_ms)"
    "  WHERE status NOT IN ('completed','partial','errored');"

    /* Directives attached to an asset at creation ("directives": [{id}]):
     * started turns 1 once the asset left preparing and the run was created
     * (or could not be: asset errored, directive deleted), in the same
     * transaction as the run. */
    "CREATE TABLE asset_directives ("
    "  asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
    "  directive_id TEXT NOT NULL,"
    "  env_id TEXT NOT NULL,"
    "  position INTEGER NOT NULL,"
    "  started INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (asset_id, directive_id)"
    ");"
    "CREATE INDEX asset_directives_pending ON asset_directives(asset_id) WHERE started = 0;"

    "ALTER TABLE jobs ADD COLUMN directive_id TEXT;"
    "ALTER TABLE jobs ADD COLUMN directive_run_id TEXT;"
    "CREATE INDEX jobs_directive_run ON jobs(directive_run_id) WHERE directive_run_id IS NOT NULL;"

    "CREATE TABLE events_v3 ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  id TEXT NOT NULL UNIQUE,"
    "  env_id TEXT NOT NULL,"
    "  job_id TEXT REFERENCES jobs(id) ON DELETE CASCADE,"
    "  run_id TEXT REFERENCES directive_runs(id) ON DELETE CASCADE,"
    "  type TEXT NOT NULL,"
    "  created_at_us INTEGER NOT NULL,"
    "  payload TEXT NOT NULL,"
    "  CHECK ((job_id IS NULL) <> (run_id IS NULL))"
    ");"
    "INSERT INTO events_v3(seq, id, env_id, job_id, type, created_at_us, payload)"
    "  SELECT seq, id, env_id, job_id, type, created_at_us, payload FROM events ORDER BY seq;"
    "DROP TABLE events;"
    "ALTER TABLE events_v3 RENAME TO events;"
    "CREATE INDEX events_job ON events(job_id, seq);"
    "CREATE INDEX events_run ON events(run_id, seq) WHERE run_id IS NOT NULL;";

/* Webhook delivery (docs/webhooks.md).
 *
 * webhook_endpoints.from_seq is the last event seq when the endpoint was
 * created: it gets the events after it. webhook_deliveries holds one row per
 * (event, endpoint), made by the dispatcher's fan-out (the high-water mark is
 * the setting 'webhook_fanout_seq'); it goes when its event goes (ON DELETE
 * CASCADE), so the job sweep, which deletes events with their job, takes
 * deliveries and attempts along. subject_id (job or run id) orders a job's
 * events per endpoint. tries counts attempts in the current round (replay
 * starts a new round); webhook_attempts keeps every attempt. */
static const char MIGRATION_4[] =
    "CREATE TABLE webhook_endpoints ("
    "  id TEXT PRIMARY KEY,"
    "  env_id TEXT NOT NULL REFERENCES environments(id),"
    "  url TEXT NOT NULL,"
    "  secret TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  from_seq INTEGER NOT NULL DEFAULT 0,"
    "  disabled_at INTEGER,"
    "  disabled_reason TEXT"
    ");"
    "CREATE INDEX webhook_endpoints_env ON webhook_endpoints(env_id);"

    "CREATE TABLE webhook_deliveries ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  event_seq INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,"
    "  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,"
    "  subject_id TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('pending','delivered','failed')),"
    "  tries INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_ms INTEGER NOT NULL,"
    "  lease_owner TEXT,"
    "  lease_expires_ms INTEGER,"
    "  finished_at_ms INTEGER,"
    "  UNIQUE (event_seq, endpoint_id),"
    "  CHECK ((status = 'pending') = (finished_at_ms IS NULL)),"
    "  CHECK (lease_owner IS NULL OR status = 'pending')"
    ");"
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_ms)"
    "  WHERE status = 'pending';"
    "CREATE INDEX webhook_deliveries_order ON webhook_deliveries(endpoint_id, subject_id,"
    "  event_seq) WHERE status = 'pending';"
    "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id);"

    "CREATE TABLE webhook_attempts ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,"
    "  at_ms INTEGER NOT NULL,"
    "  status_code INTEGER NOT NULL,"
    "  latency_ms INTEGER NOT NULL,"
    "  response_body TEXT,"
    "  error TEXT"
    ");"
    "CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);";

/* Migration 5: named leader leases (rb_store_leader_acquire), so that
 * cluster-wide maintenance runs on one process at a time. */
static const char MIGRATION_5[] =
    "CREATE TABLE leader_leases ("
    "  name TEXT PRIMARY KEY,"
    "  owner TEXT NOT NULL,"
    "  expires_at_ms INTEGER NOT NULL"
    ");";

const char *const rb_sqlite_migrations[] = {
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
};

const int rb_sqlite_nmigrations = (int)(sizeof rb_sqlite_migrations / sizeof rb_sqlite_migrations[0]);
