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

const char *const rb_sqlite_migrations[] = {
    MIGRATION_1,
    MIGRATION_2,
};

const int rb_sqlite_nmigrations = (int)(sizeof rb_sqlite_migrations / sizeof rb_sqlite_migrations[0]);
