/* sqlite_ingest.c — claims on ingest work (preparing assets, and preparing
 * tracks added to assets that are no longer preparing) and the conditional
 * writes that end it, on SQLite.
 *
 * The rules mirror the job claim: a claim is a write transaction
 * (BEGIN IMMEDIATE), so two processes sharing the file serialise on it and
 * never take the same row; a claim lives until its lease runs out; the final
 * writes check that the row is still preparing and still ours, so work
 * re-claimed by another node after a lease ran out, or a track deleted while
 * it was fetched, is never written over. See docs/store.md. */
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

void rb_ingest_work_clear(rb_ingest_work *w)
{
    if (!w)
        return;
    rb_asset_clear(&w->asset);
    rb_track_clear(&w->track);
    memset(w, 0, sizeof *w);
}

/* A claim takes rows that are preparing and either never claimed or whose
 * lease ran out. RETURNING gives exactly the rows this statement took. */
static const char SQL_CLAIM_ASSETS[] =
    "UPDATE assets SET ingest_owner = ?1, ingest_lease_expires_ms = ?2"
    " WHERE id IN (SELECT id FROM assets WHERE status = 'preparing'"
    "   AND (ingest_lease_expires_ms IS NULL OR ingest_lease_expires_ms <= ?3)"
    "   ORDER BY created_at, rowid LIMIT ?4)"
    " RETURNING id, env_id";
/* Tracks of a preparing asset are the asset claim's work, so only tracks of
 * assets that are ready or errored are claimed on their own. */
static const char SQL_CLAIM_TRACKS[] =
    "UPDATE tracks SET ingest_owner = ?1, ingest_lease_expires_ms = ?2"
    " WHERE id IN (SELECT t.id FROM tracks t JOIN assets a ON a.id = t.asset_id"
    "   WHERE t.status = 'preparing' AND a.status <> 'preparing'"
    "   AND (t.ingest_lease_expires_ms IS NULL OR t.ingest_lease_expires_ms <= ?3)"
    "   ORDER BY t.created_at, t.rowid LIMIT ?4)"
    " RETURNING id";
static const char SQL_CLAIMED_ASSET[] =
    "SELECT " RB_SQL_ASSET_COLS " FROM assets WHERE id = ?1 AND env_id = ?2";
static const char SQL_CLAIMED_TRACK[] = "SELECT " RB_SQL_TRACK_COLS " FROM tracks WHERE id = ?1";

typedef struct id_pair {
    char id[RB_ID_MAX];
    char env_id[RB_ID_MAX];
} id_pair;

/* Runs a bound claim UPDATE ... RETURNING and copies the ids it returned
 * (at most max, which is also the statement's LIMIT). */
static int claimed_ids(rb_sqlconn *c, sqlite3_stmt *q, id_pair *ids, int max, int *n,
                       rb_err *err)
{
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n < max) {
            rb_sql_col_copy(q, 0, ids[*n].id, sizeof ids[*n].id);
            if (sqlite3_column_count(q) > 1)
                rb_sql_col_copy(q, 1, ids[*n].env_id, sizeof ids[*n].env_id);
            (*n)++;
        }
    }
    int r = rc == SQLITE_DONE ? RB_OK : rb_sql_fail(c, rc, "ingest claim", err);
    rb_sql_done(c, q);
    return r;
}

static int claim_in_tx(rb_sqlconn *c, const char *owner, int64_t now_ms, int64_t until_ms,
                       int max, rb_ingest_work *out, size_t *n, id_pair *ids, rb_err *err)
{
    const char *sqls[] = {SQL_CLAIM_ASSETS, SQL_CLAIM_TRACKS};
    for (int kind = 0; kind < 2; kind++) {
        sqlite3_stmt *q = rb_sql_prep(c, sqls[kind], err);
        if (!q)
            return RB_ERR;
        rb_sql_bind_text(q, 1, owner, 0);
        sqlite3_bind_int64(q, 2, until_ms);
        sqlite3_bind_int64(q, 3, now_ms);
        sqlite3_bind_int(q, 4, max);
        int k = 0;
        int r = claimed_ids(c, q, ids, max, &k, err);
        if (r)
            return r;
        for (int i = 0; i < k; i++) {
            rb_ingest_work *w = &out[*n];
            memset(w, 0, sizeof *w);
            w->is_track = kind;
            q = rb_sql_prep(c, kind ? SQL_CLAIMED_TRACK : SQL_CLAIMED_ASSET, err);
            if (!q)
                return RB_ERR;
            rb_sql_bind_text(q, 1, ids[i].id, 0);
            if (kind == 0) {
                rb_sql_bind_text(q, 2, ids[i].env_id, 0);
                rb_asset *arr = NULL;
                size_t m = 0;
                r = rb_sql_collect_assets(c, q, &arr, &m, err);
                if (r)
                    return r;
                if (m == 1)
                    w->asset = arr[0];
                free(arr);
                if (m != 1)
                    return rb_err_set(err, 500, "internal_error", "claimed asset %s vanished",
                                      ids[i].id);
            } else {
                int rc = sqlite3_step(q);
                if (rc == SQLITE_ROW)
                    rb_sql_read_track(q, &w->track);
                rb_sql_done(c, q);
                if (rc != SQLITE_ROW)
                    return rb_sql_fail(c, rc == SQLITE_DONE ? SQLITE_ERROR : rc, "claimed track",
                                       err);
            }
            (*n)++;
        }
    }
    return RB_OK;
}

int rb_sqlite_ingest_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                           rb_ingest_work **out, size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    if (!owner || !*owner)
        return rb_err_set(err, 500, "internal_error", "an ingest claim needs an owner");
    if (max < 1)
        max = 1;
    if (lease_seconds < 1)
        lease_seconds = 1;
    rb_ingest_work *arr = calloc((size_t)max * 2, sizeof *arr);
    id_pair *ids = calloc((size_t)max, sizeof *ids);
    if (!arr || !ids) {
        free(arr);
        free(ids);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    size_t k = 0;
    if (!r) {
        int64_t now_ms = rb_now_ms();
        r = rb_sql_begin_write(c, err);
        if (!r)
            r = claim_in_tx(c, owner, now_ms, now_ms + (int64_t)lease_seconds * 1000, max, arr,
                            &k, ids, err);
        if (!r)
            r = rb_sql_commit(c, err);
        rb_sql_release(st, c);
    }
    free(ids);
    if (r || k == 0) {
        /* A failed claim committed nothing (release rolls back), so the rows
         * stay claimable; what was read into memory is dropped. */
        for (size_t i = 0; i < k; i++)
            rb_ingest_work_clear(&arr[i]);
        free(arr);
        return r;
    }
    *out = arr;
    *n = k;
    return RB_OK;
}

static const char SQL_RENEW_ASSET[] =
    "UPDATE assets SET ingest_lease_expires_ms = ?3"
    " WHERE id = ?1 AND status = 'preparing' AND ingest_owner = ?2";
static const char SQL_RENEW_TRACK[] =
    "UPDATE tracks SET ingest_lease_expires_ms = ?3"
    " WHERE id = ?1 AND status = 'preparing' AND ingest_owner = ?2";
static const char SQL_ASSET_EXISTS[] = "SELECT 1 FROM assets WHERE id = ?1";
static const char SQL_TRACK_EXISTS[] = "SELECT 1 FROM tracks WHERE id = ?1";

/* After a conditional write changed nothing: RB_NOTFOUND when the row is
 * gone, RB_CONFLICT when it exists but was not ours to write. */
static int gone_or_conflict(rb_sqlconn *c, const char *sql, const char *what, const char *id,
                            rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, sql, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, id, 0);
    int rc = sqlite3_step(q), r;
    if (rc == SQLITE_ROW) {
        rb_err_set(err, 409, "conflict", "%s %s is no longer preparing under this claim", what,
                   id);
        r = RB_CONFLICT;
    } else if (rc == SQLITE_DONE) {
        rb_err_set(err, 404, "not_found", "%s %s not found", what, id);
        r = RB_NOTFOUND;
    } else {
        r = rb_sql_fail(c, rc, "ingest check", err);
    }
    rb_sql_done(c, q);
    return r;
}

int rb_sqlite_ingest_renew(rb_store *st, const char *owner, const char *asset_id,
                           const char *track_id, int lease_seconds, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, track_id ? SQL_RENEW_TRACK : SQL_RENEW_ASSET, &c, &q, err);
    if (r)
        return r;
    const char *id = track_id ? track_id : asset_id;
    rb_sql_bind_text(q, 1, id, 0);
    rb_sql_bind_text(q, 2, owner, 0);
    sqlite3_bind_int64(q, 3, rb_now_ms() + (int64_t)(lease_seconds > 0 ? lease_seconds : 1) * 1000);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "ingest renew", err);
    int changed = sqlite3_changes(c->db);
    rb_sql_done(c, q);
    if (!r && !changed)
        r = gone_or_conflict(c, track_id ? SQL_TRACK_EXISTS : SQL_ASSET_EXISTS,
                             track_id ? "track" : "asset", id, err);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_TRACK_FINISH[] =
    "UPDATE tracks SET status = ?4, duration = ?5, blob_id = ?6, errors = ?7, info = ?8,"
    " ingest_owner = NULL, ingest_lease_expires_ms = NULL"
    " WHERE id = ?1 AND asset_id = ?2 AND env_id = ?3 AND status = 'preparing'"
    " AND (ingest_owner IS NULL OR ingest_owner = ?9)";

int rb_sqlite_track_finish(rb_store *st, const char *owner, rb_track *t,
                           const char *content_type, const void *data, size_t len, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    char blob_id[RB_ID_MAX] = "";
    r = rb_sql_begin_write(c, err);
    /* The blob is written in the same transaction as the track, so a refused
     * finish leaves no orphan blob behind. */
    if (!r && data)
        r = rb_sql_blob_insert(c, t->env_id, NULL, content_type, data, len, blob_id, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, SQL_TRACK_FINISH, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, t->id, 0);
        rb_sql_bind_text(q, 2, t->asset_id, 0);
        rb_sql_bind_text(q, 3, t->env_id, 0);
        rb_sql_bind_text(q, 4, t->status, 0);
        sqlite3_bind_double(q, 5, t->duration);
        rb_sql_bind_text(q, 6, data ? blob_id : t->blob_id, 0);
        rb_sql_bind_json(q, 7, t->errors);
        rb_sql_bind_json(q, 8, t->info);
        rb_sql_bind_text(q, 9, owner ? owner : "", 0);
        int rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            r = rb_sql_fail(c, rc, "track finish", err);
        int changed = sqlite3_changes(c->db);
        rb_sql_done(c, q);
        if (!r && !changed)
            r = gone_or_conflict(c, SQL_TRACK_EXISTS, "track", t->id, err);
    }
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    if (!r && data)
        memcpy(t->blob_id, blob_id, sizeof t->blob_id);
    return r;
}

static const char SQL_ASSET_CLAIM_STATE[] =
    "SELECT status, ingest_owner FROM assets WHERE id = ?1 AND env_id = ?2";
static const char SQL_ASSET_FINISH[] =
    "UPDATE assets SET status = ?3, duration = ?4, errors = ?5,"
    " ingest_owner = NULL, ingest_lease_expires_ms = NULL"
    " WHERE id = ?1 AND env_id = ?2";

static int asset_finish_tx(rb_sqlconn *c, const char *owner, const rb_asset *a,
                           const rb_track *new_tracks, size_t n_new, rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, SQL_ASSET_CLAIM_STATE, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, a->id, 0);
    rb_sql_bind_text(q, 2, a->env_id, 0);
    int rc = sqlite3_step(q), r = RB_OK;
    if (rc == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(q, 0);
        const char *holder = (const char *)sqlite3_column_text(q, 1);
        if (!status || strcmp(status, "preparing") != 0 || !holder || !owner ||
            strcmp(holder, owner) != 0) {
            rb_err_set(err, 409, "conflict", "asset %s is no longer preparing under this claim",
                       a->id);
            r = RB_CONFLICT;
        }
    } else if (rc == SQLITE_DONE) {
        rb_err_set(err, 404, "not_found", "asset %s not found", a->id);
        r = RB_NOTFOUND;
    } else {
        r = rb_sql_fail(c, rc, "asset finish", err);
    }
    rb_sql_done(c, q);
    for (size_t i = 0; !r && i < n_new; i++) {
        rb_track t = new_tracks[i];
        snprintf(t.asset_id, sizeof t.asset_id, "%s", a->id);
        snprintf(t.env_id, sizeof t.env_id, "%s", a->env_id);
        r = rb_sql_track_insert(c, &t, err);
    }
    if (!r && !(q = rb_sql_prep(c, SQL_ASSET_FINISH, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, a->id, 0);
        rb_sql_bind_text(q, 2, a->env_id, 0);
        rb_sql_bind_text(q, 3, a->status, 0);
        sqlite3_bind_double(q, 4, a->duration);
        rb_sql_bind_json(q, 5, a->errors);
        rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            r = rb_sql_fail(c, rc, "asset finish", err);
        rb_sql_done(c, q);
    }
    return r;
}

int rb_sqlite_asset_finish(rb_store *st, const char *owner, const rb_asset *a,
                           const rb_track *new_tracks, size_t n_new, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    if (!r)
        r = asset_finish_tx(c, owner, a, new_tracks, n_new, err);
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    return r;
}
