/* sqlite_library.c — environments, tokens, assets, playback ids, tracks and
 * blobs on SQLite. Plain CRUD; the one rule everywhere is that env_id is part
 * of every WHERE clause, so a wrong environment reads as "not found". */
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/crypto.h"

/* Steps a statement that returns no rows; maps failures. */
static int step_done(rb_sqlconn *c, sqlite3_stmt *q, const char *what, rb_err *err)
{
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        return rb_sql_fail(c, rc, what, err);
    return RB_OK;
}

static int not_found(rb_err *err, const char *what, const char *id)
{
    rb_err_set(err, 404, "not_found", "%s %s not found", what, id);
    return RB_NOTFOUND;
}

/* ---- environments ---------------------------------------------------------- */

static const char SQL_ENV_BY_NAME[] = "SELECT id, name, created_at FROM environments WHERE name = ?";
static const char SQL_ENV_BY_ID[] = "SELECT id, name, created_at FROM environments WHERE id = ?";
static const char SQL_ENV_INSERT[] =
    "INSERT INTO environments(id, name, created_at) VALUES (?, ?, ?)";

static int env_lookup(rb_sqlconn *c, const char *sql, const char *key, rb_env *out, rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, sql, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, key, 0);
    int rc = sqlite3_step(q), r = RB_OK;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        rb_sql_col_copy(q, 0, out->id, sizeof out->id);
        rb_sql_col_copy(q, 1, out->name, sizeof out->name);
        out->created_at = sqlite3_column_int64(q, 2);
    } else if (rc == SQLITE_DONE) {
        r = not_found(err, "environment", key);
    } else {
        r = rb_sql_fail(c, rc, "environment lookup", err);
    }
    rb_sql_done(c, q);
    return r;
}

int rb_sqlite_env_ensure(rb_store *st, const char *name, rb_env *out, rb_err *err)
{
    if (!name || !*name || strlen(name) >= sizeof out->name)
        return rb_err_set(err, 400, "invalid_parameters", "environment name must be 1-127 bytes");
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    /* Lookup and insert in one write transaction: two processes ensuring the
     * same name agree on one id. */
    r = rb_sql_begin_write(c, err);
    if (!r) {
        r = env_lookup(c, SQL_ENV_BY_NAME, name, out, err);
        if (r == RB_NOTFOUND) {
            memset(out, 0, sizeof *out);
            snprintf(out->name, sizeof out->name, "%s", name);
            out->created_at = rb_now();
            r = rb_random_id(out->id, sizeof out->id, "", 12) == RB_OK
                    ? RB_OK
                    : rb_err_set(err, 500, "internal_error", "random source failed");
            sqlite3_stmt *q = NULL;
            if (!r && !(q = rb_sql_prep(c, SQL_ENV_INSERT, err)))
                r = RB_ERR;
            if (!r) {
                rb_sql_bind_text(q, 1, out->id, 0);
                rb_sql_bind_text(q, 2, out->name, 0);
                sqlite3_bind_int64(q, 3, out->created_at);
                r = step_done(c, q, "environment insert", err);
                rb_sql_done(c, q);
            }
        }
    }
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    return r;
}

static int env_get(rb_store *st, const char *sql, const char *key, rb_env *out, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = env_lookup(c, sql, key, out, err);
    rb_sql_release(st, c);
    return r;
}

int rb_sqlite_env_get(rb_store *st, const char *env_id, rb_env *out, rb_err *err)
{
    return env_get(st, SQL_ENV_BY_ID, env_id, out, err);
}

int rb_sqlite_env_by_name(rb_store *st, const char *name, rb_env *out, rb_err *err)
{
    return env_get(st, SQL_ENV_BY_NAME, name, out, err);
}

/* ---- tokens --------------------------------------------------------------- */

void rb_token_clear(rb_token *t)
{
    if (!t)
        return;
    json_decref(t->scopes);
    memset(t, 0, sizeof *t);
}

#define TOKEN_COLS                                                                          \
    "t.id, t.env_id, e.name, t.secret_sha256, t.scopes, t.created_at, t.revoked_at"        \
    " FROM tokens t JOIN environments e ON e.id = t.env_id"

static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO tokens(id, env_id, secret_sha256, scopes, created_at, revoked_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_TOKEN_GET[] = "SELECT " TOKEN_COLS " WHERE t.id = ?";
static const char SQL_TOKEN_LIST_ALL[] = "SELECT " TOKEN_COLS " ORDER BY t.created_at, t.rowid";
static const char SQL_TOKEN_LIST_ENV[] =
    "SELECT " TOKEN_COLS " WHERE t.env_id = ? ORDER BY t.created_at, t.rowid";
static const char SQL_TOKEN_REVOKE[] =
    "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
static const char SQL_TOKEN_EXISTS[] = "SELECT 1 FROM tokens WHERE id = ?";

/* Takes void * so rb_sql_collect can call it for each row of a list. */
static void read_token(sqlite3_stmt *q, void *elem)
{
    rb_token *t = elem;
    memset(t, 0, sizeof *t);
    rb_sql_col_copy(q, 0, t->id, sizeof t->id);
    rb_sql_col_copy(q, 1, t->env_id, sizeof t->env_id);
    rb_sql_col_copy(q, 2, t->env_name, sizeof t->env_name);
    rb_sql_col_copy(q, 3, t->secret_sha256, sizeof t->secret_sha256);
    t->scopes = rb_sql_col_json(q, 4);
    if (!t->scopes)
        t->scopes = json_array();
    t->created_at = sqlite3_column_int64(q, 5);
    t->revoked_at = sqlite3_column_int64(q, 6);
}

int rb_sqlite_token_insert(rb_store *st, const rb_token *t, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_TOKEN_INSERT, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, t->id, 0);
    rb_sql_bind_text(q, 2, t->env_id, 0);
    rb_sql_bind_text(q, 3, t->secret_sha256, 0);
    if (t->scopes)
        rb_sql_bind_json(q, 4, t->scopes);
    else
        sqlite3_bind_text(q, 4, "[]", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, t->created_at ? t->created_at : rb_now());
    if (t->revoked_at)
        sqlite3_bind_int64(q, 6, t->revoked_at);
    else
        sqlite3_bind_null(q, 6);
    r = step_done(c, q, "token insert", err);
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

int rb_sqlite_token_get(rb_store *st, const char *token_id, rb_token *out, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_TOKEN_GET, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, token_id, 0);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        read_token(q, out);
    else if (rc == SQLITE_DONE)
        r = not_found(err, "token", token_id);
    else
        r = rb_sql_fail(c, rc, "token get", err);
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

int rb_sqlite_token_list(rb_store *st, const char *env_id, rb_token **out, size_t *n,
                          rb_err *err)
{
    *out = NULL;
    *n = 0;
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, env_id ? SQL_TOKEN_LIST_ENV : SQL_TOKEN_LIST_ALL, &c, &q, err);
    if (r)
        return r;
    if (env_id)
        rb_sql_bind_text(q, 1, env_id, 0);
    void *rows = NULL;
    size_t k = 0;
    r = rb_sql_collect(c, q, sizeof(rb_token), read_token, &rows, &k, "token list", err);
    rb_token *arr = rows;
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    if (r) {
        for (size_t i = 0; i < k; i++)
            rb_token_clear(&arr[i]);
        free(arr);
        return r;
    }
    *out = arr;
    *n = k;
    return RB_OK;
}

int rb_sqlite_token_revoke(rb_store *st, const char *token_id, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_TOKEN_REVOKE, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, token_id, 0);
    sqlite3_bind_int64(q, 2, rb_now());
    r = step_done(c, q, "token revoke", err);
    int changed = sqlite3_changes(c->db);
    rb_sql_done(c, q);
    /* Revoking twice is fine (the first revocation time stays); an unknown
     * id is not. */
    if (!r && !changed) {
        q = rb_sql_prep(c, SQL_TOKEN_EXISTS, err);
        if (!q) {
            r = RB_ERR;
        } else {
            rb_sql_bind_text(q, 1, token_id, 0);
            int rc = sqlite3_step(q);
            if (rc == SQLITE_DONE)
                r = not_found(err, "token", token_id);
            else if (rc != SQLITE_ROW)
                r = rb_sql_fail(c, rc, "token revoke", err);
            rb_sql_done(c, q);
        }
    }
    rb_sql_release(st, c);
    return r;
}

/* ---- tracks ------------------------------------------------------------------ */

void rb_track_clear(rb_track *t)
{
    if (!t)
        return;
    free(t->passthrough);
    free(t->source_url);
    json_decref(t->errors);
    json_decref(t->info);
    memset(t, 0, sizeof *t);
}

#define TRACK_COLS RB_SQL_TRACK_COLS

void rb_sql_read_track(sqlite3_stmt *q, rb_track *t)
{
    memset(t, 0, sizeof *t);
    rb_sql_col_copy(q, 0, t->id, sizeof t->id);
    rb_sql_col_copy(q, 1, t->asset_id, sizeof t->asset_id);
    rb_sql_col_copy(q, 2, t->env_id, sizeof t->env_id);
    rb_sql_col_copy(q, 3, t->type, sizeof t->type);
    rb_sql_col_copy(q, 4, t->status, sizeof t->status);
    rb_sql_col_copy(q, 5, t->text_type, sizeof t->text_type);
    rb_sql_col_copy(q, 6, t->text_source, sizeof t->text_source);
    rb_sql_col_copy(q, 7, t->language_code, sizeof t->language_code);
    rb_sql_col_copy(q, 8, t->name, sizeof t->name);
    t->closed_captions = sqlite3_column_int(q, 9);
    t->passthrough = rb_sql_col_strdup(q, 10);
    t->source_url = rb_sql_col_strdup(q, 11);
    t->duration = sqlite3_column_double(q, 12);
    rb_sql_col_copy(q, 13, t->blob_id, sizeof t->blob_id);
    t->errors = rb_sql_col_json(q, 14);
    t->created_at = sqlite3_column_int64(q, 15);
    t->info = rb_sql_col_json(q, 16);
}

static const char SQL_TRACK_INSERT[] =
    "INSERT INTO tracks(" TRACK_COLS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";

int rb_sql_track_insert(rb_sqlconn *c, const rb_track *t, rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, SQL_TRACK_INSERT, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, t->id, 0);
    rb_sql_bind_text(q, 2, t->asset_id, 0);
    rb_sql_bind_text(q, 3, t->env_id, 0);
    rb_sql_bind_text(q, 4, t->type, 0);
    rb_sql_bind_text(q, 5, t->status[0] ? t->status : "preparing", 0);
    rb_sql_bind_text(q, 6, t->text_type, 0);
    rb_sql_bind_text(q, 7, t->text_source, 0);
    rb_sql_bind_text(q, 8, t->language_code, 0);
    rb_sql_bind_text(q, 9, t->name, 0);
    sqlite3_bind_int(q, 10, t->closed_captions);
    rb_sql_bind_text(q, 11, t->passthrough, 0);
    rb_sql_bind_text(q, 12, t->source_url, 0);
    sqlite3_bind_double(q, 13, t->duration);
    rb_sql_bind_text(q, 14, t->blob_id, 0);
    rb_sql_bind_json(q, 15, t->errors);
    sqlite3_bind_int64(q, 16, t->created_at ? t->created_at : rb_now());
    rb_sql_bind_json(q, 17, t->info);
    int r = step_done(c, q, "track insert", err);
    rb_sql_done(c, q);
    return r;
}

/* The parent asset must exist in the track's environment: a track can never
 * be attached across environments. */
static const char SQL_ASSET_IN_ENV[] = "SELECT 1 FROM assets WHERE id = ? AND env_id = ?";

static int asset_in_env(rb_sqlconn *c, const char *env_id, const char *asset_id, rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, SQL_ASSET_IN_ENV, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, asset_id, 0);
    rb_sql_bind_text(q, 2, env_id, 0);
    int rc = sqlite3_step(q), r = RB_OK;
    if (rc == SQLITE_DONE)
        r = not_found(err, "asset", asset_id);
    else if (rc != SQLITE_ROW)
        r = rb_sql_fail(c, rc, "asset lookup", err);
    rb_sql_done(c, q);
    return r;
}

int rb_sqlite_track_insert(rb_store *st, const rb_track *t, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    if (!r)
        r = asset_in_env(c, t->env_id, t->asset_id, err);
    if (!r)
        r = rb_sql_track_insert(c, t, err);
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_TRACK_UPDATE[] =
    "UPDATE tracks SET status = ?4, name = ?5, language_code = ?6, closed_captions = ?7,"
    " passthrough = ?8, duration = ?9, blob_id = ?10, errors = ?11"
    " WHERE id = ?1 AND asset_id = ?2 AND env_id = ?3";

int rb_sqlite_track_update(rb_store *st, const rb_track *t, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_TRACK_UPDATE, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, t->id, 0);
    rb_sql_bind_text(q, 2, t->asset_id, 0);
    rb_sql_bind_text(q, 3, t->env_id, 0);
    rb_sql_bind_text(q, 4, t->status, 0);
    rb_sql_bind_text(q, 5, t->name, 0);
    rb_sql_bind_text(q, 6, t->language_code, 0);
    sqlite3_bind_int(q, 7, t->closed_captions);
    rb_sql_bind_text(q, 8, t->passthrough, 0);
    sqlite3_bind_double(q, 9, t->duration);
    rb_sql_bind_text(q, 10, t->blob_id, 0);
    rb_sql_bind_json(q, 11, t->errors);
    r = step_done(c, q, "track update", err);
    if (!r && sqlite3_changes(c->db) == 0)
        r = not_found(err, "track", t->id);
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_TRACK_GET[] =
    "SELECT " TRACK_COLS " FROM tracks WHERE id = ?1 AND asset_id = ?2 AND env_id = ?3";
static const char SQL_TRACK_GET_ANY[] = "SELECT " TRACK_COLS " FROM tracks WHERE id = ?1";

static int track_get(rb_store *st, const char *sql, const char *env_id, const char *asset_id,
                     const char *id, rb_track *out, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, sql, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, id, 0);
    if (env_id) {
        rb_sql_bind_text(q, 2, asset_id, 0);
        rb_sql_bind_text(q, 3, env_id, 0);
    }
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        rb_sql_read_track(q, out);
    else if (rc == SQLITE_DONE)
        r = not_found(err, "track", id);
    else
        r = rb_sql_fail(c, rc, "track get", err);
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

int rb_sqlite_track_get(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                        rb_track *out, rb_err *err)
{
    return track_get(st, SQL_TRACK_GET, env_id ? env_id : "", asset_id, id, out, err);
}

int rb_sqlite_track_get_any_env(rb_store *st, const char *id, rb_track *out, rb_err *err)
{
    return track_get(st, SQL_TRACK_GET_ANY, NULL, NULL, id, out, err);
}

static const char SQL_TRACK_BLOB_DELETE[] =
    "DELETE FROM blobs WHERE id = (SELECT blob_id FROM tracks"
    " WHERE id = ?1 AND asset_id = ?2 AND env_id = ?3) AND env_id = ?3";
static const char SQL_TRACK_MARK_DELETED[] =
    "UPDATE tracks SET status = 'deleted', blob_id = ''"
    " WHERE id = ?1 AND asset_id = ?2 AND env_id = ?3 AND status <> 'deleted'";

int rb_sqlite_track_delete(rb_store *st, const char *env_id, const char *asset_id,
                           const char *id, rb_err *err)
{
    const char *const steps[] = {SQL_TRACK_BLOB_DELETE, SQL_TRACK_MARK_DELETED};
    const char *const ids[] = {id, asset_id, env_id};
    int64_t changed = 0;
    /* Deleting nothing commits nothing: the not-found answer needs no rollback. */
    int r = rb_sql_write_steps(st, steps, 2, ids, 3, NULL, 0, "track delete", &changed,
                               err);
    if (!r && changed == 0)
        r = not_found(err, "track", id);
    return r;
}

/* ---- assets ---------------------------------------------------------------- */

void rb_asset_clear(rb_asset *a)
{
    if (!a)
        return;
    json_decref(a->meta);
    free(a->passthrough);
    json_decref(a->inputs);
    json_decref(a->errors);
    json_decref(a->playback_ids);
    for (size_t i = 0; i < a->n_tracks; i++)
        rb_track_clear(&a->tracks[i]);
    free(a->tracks);
    memset(a, 0, sizeof *a);
}

#define ASSET_COLS RB_SQL_ASSET_COLS

static const char SQL_ASSET_INSERT[] = "INSERT INTO assets(" ASSET_COLS ")"
                                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char SQL_ASSET_UPDATE[] =
    "UPDATE assets SET meta = ?3, passthrough = ?4, thumbnail_time = ?5"
    " WHERE id = ?1 AND env_id = ?2";
static const char SQL_PBID_DELETE[] = "DELETE FROM playback_ids WHERE asset_id = ? AND env_id = ?";
static const char SQL_PBID_INSERT[] =
    "INSERT INTO playback_ids(id, asset_id, env_id, policy, position) VALUES (?, ?, ?, ?, ?)";
static const char SQL_PBID_LIST[] =
    "SELECT id, policy FROM playback_ids WHERE asset_id = ? ORDER BY position";
static const char SQL_ASSET_TRACKS[] = "SELECT " TRACK_COLS " FROM tracks"
                                       " WHERE asset_id = ? AND status <> 'deleted'"
                                       " ORDER BY created_at, rowid";

static void bind_thumb(sqlite3_stmt *q, int i, double t)
{
    if (t < 0)
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_double(q, i, t);
}

static int write_playback_ids(rb_sqlconn *c, const rb_asset *a, rb_err *err)
{
    size_t i;
    json_t *p;
    json_array_foreach(a->playback_ids, i, p)
    {
        const char *id = json_string_value(json_object_get(p, "id"));
        const char *policy = json_string_value(json_object_get(p, "policy"));
        if (!id)
            return rb_err_set(err, 500, "internal_error", "playback id without id");
        sqlite3_stmt *q = rb_sql_prep(c, SQL_PBID_INSERT, err);
        if (!q)
            return RB_ERR;
        rb_sql_bind_text(q, 1, id, 0);
        rb_sql_bind_text(q, 2, a->id, 0);
        rb_sql_bind_text(q, 3, a->env_id, 0);
        rb_sql_bind_text(q, 4, policy ? policy : "public", 0);
        sqlite3_bind_int64(q, 5, (sqlite3_int64)i);
        int r = step_done(c, q, "playback id insert", err);
        rb_sql_done(c, q);
        if (r)
            return r;
    }
    return RB_OK;
}

int rb_sqlite_asset_insert(rb_store *st, const rb_asset *a, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, SQL_ASSET_INSERT, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, a->id, 0);
        rb_sql_bind_text(q, 2, a->env_id, 0);
        rb_sql_bind_text(q, 3, a->status[0] ? a->status : "preparing", 0);
        sqlite3_bind_double(q, 4, a->duration);
        rb_sql_bind_json(q, 5, a->meta);
        rb_sql_bind_text(q, 6, a->passthrough, 0);
        rb_sql_bind_json(q, 7, a->inputs);
        rb_sql_bind_json(q, 8, a->errors);
        bind_thumb(q, 9, a->thumbnail_time);
        sqlite3_bind_int64(q, 10, a->created_at ? a->created_at : rb_now());
        r = step_done(c, q, "asset insert", err);
        rb_sql_done(c, q);
    }
    if (!r)
        r = write_playback_ids(c, a, err);
    for (size_t i = 0; !r && i < a->n_tracks; i++) {
        /* Tracks inherit the asset's identity even if the caller left it out. */
        rb_track t = a->tracks[i];
        snprintf(t.asset_id, sizeof t.asset_id, "%s", a->id);
        snprintf(t.env_id, sizeof t.env_id, "%s", a->env_id);
        r = rb_sql_track_insert(c, &t, err);
    }
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    return r;
}

/* rb_sql_read_track with the element type rb_sql_collect calls. */
static void read_track_row(sqlite3_stmt *q, void *elem)
{
    rb_sql_read_track(q, elem);
}

/* Fills playback_ids and tracks of an asset whose row was just read. */
static int load_asset_children(rb_sqlconn *c, rb_asset *a, rb_err *err)
{
    a->playback_ids = json_array();
    sqlite3_stmt *q = rb_sql_prep(c, SQL_PBID_LIST, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, a->id, 0);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(a->playback_ids,
                              json_pack("{s:s, s:s}", "id", sqlite3_column_text(q, 0), "policy",
                                        sqlite3_column_text(q, 1)));
    rb_sql_done(c, q);
    if (rc != SQLITE_DONE)
        return rb_sql_fail(c, rc, "playback ids", err);

    q = rb_sql_prep(c, SQL_ASSET_TRACKS, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, a->id, 0);
    /* a was zeroed by read_asset, so its track array starts empty; the rows
     * read before a failure stay on a for rb_asset_clear. */
    void *rows = NULL;
    size_t nrows = 0;
    int r = rb_sql_collect(c, q, sizeof(rb_track), read_track_row, &rows, &nrows,
                           "asset tracks", err);
    a->tracks = rows;
    a->n_tracks = nrows;
    rb_sql_done(c, q);
    return r;
}

static void read_asset(sqlite3_stmt *q, void *elem)
{
    rb_asset *a = elem;
    memset(a, 0, sizeof *a);
    rb_sql_col_copy(q, 0, a->id, sizeof a->id);
    rb_sql_col_copy(q, 1, a->env_id, sizeof a->env_id);
    rb_sql_col_copy(q, 2, a->status, sizeof a->status);
    a->duration = sqlite3_column_double(q, 3);
    a->meta = rb_sql_col_json(q, 4);
    a->passthrough = rb_sql_col_strdup(q, 5);
    a->inputs = rb_sql_col_json(q, 6);
    a->errors = rb_sql_col_json(q, 7);
    a->thumbnail_time =
        sqlite3_column_type(q, 8) == SQLITE_NULL ? -1.0 : sqlite3_column_double(q, 8);
    a->created_at = sqlite3_column_int64(q, 9);
}

/* Runs a SELECT ASSET_COLS (already bound) and loads every row with children.
 * Used by get (one row) and the lists. */
int rb_sql_collect_assets(rb_sqlconn *c, sqlite3_stmt *q, rb_asset **out, size_t *n, rb_err *err)
{
    void *rows = NULL;
    size_t k = 0;
    int r = rb_sql_collect(c, q, sizeof(rb_asset), read_asset, &rows, &k, "asset read", err);
    rb_asset *arr = rows;
    rb_sql_done(c, q);
    /* Children are read after the parent statement is done: the cached
     * child statements must not run nested inside it. */
    for (size_t i = 0; !r && i < k; i++)
        r = load_asset_children(c, &arr[i], err);
    if (r) {
        for (size_t i = 0; i < k; i++)
            rb_asset_clear(&arr[i]);
        free(arr);
        return r;
    }
    *out = arr;
    *n = k;
    return RB_OK;
}

static const char SQL_ASSET_GET[] = "SELECT " ASSET_COLS " FROM assets WHERE id = ? AND env_id = ?";
static const char SQL_ASSET_COUNT[] = "SELECT count(*) FROM assets WHERE env_id = ?";
static const char SQL_ASSET_PAGE[] = "SELECT " ASSET_COLS " FROM assets WHERE env_id = ?"
                                     " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";
int rb_sqlite_asset_get(rb_store *st, const char *env_id, const char *id, rb_asset *out,
                        rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_read(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, SQL_ASSET_GET, err)))
        r = RB_ERR;
    rb_asset *arr = NULL;
    size_t n = 0;
    if (!r) {
        rb_sql_bind_text(q, 1, id, 0);
        rb_sql_bind_text(q, 2, env_id, 0);
        r = rb_sql_collect_assets(c, q, &arr, &n, err);
    }
    if (!r && n == 0)
        r = not_found(err, "asset", id);
    if (!r)
        *out = arr[0];
    free(arr);
    rb_sql_rollback(c);
    rb_sql_release(st, c);
    return r;
}

int rb_sqlite_asset_list(rb_store *st, const char *env_id, int limit, int page, rb_asset **out,
                         size_t *n, int64_t *total, rb_err *err)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    if (limit < 1)
        limit = 25;
    if (limit > 100)
        limit = 100;
    if (page < 1)
        page = 1;
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_read(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, SQL_ASSET_COUNT, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, env_id, 0);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            *total = sqlite3_column_int64(q, 0);
        else
            r = rb_sql_fail(c, rc, "asset count", err);
        rb_sql_done(c, q);
    }
    if (!r && !(q = rb_sql_prep(c, SQL_ASSET_PAGE, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, env_id, 0);
        sqlite3_bind_int(q, 2, limit);
        sqlite3_bind_int64(q, 3, (int64_t)(page - 1) * limit);
        r = rb_sql_collect_assets(c, q, out, n, err);
        if (!r && *n == 0) {
            free(*out);
            *out = NULL;
        }
    }
    rb_sql_rollback(c);
    rb_sql_release(st, c);
    return r;
}

/* Row values compare (created_at, id) as one key, which the assets_list
 * index (env_id, created_at DESC, id DESC) serves directly. */
static const char SQL_ASSET_FIRST[] = "SELECT " ASSET_COLS " FROM assets WHERE env_id = ?"
                                      " ORDER BY created_at DESC, id DESC LIMIT ?";
static const char SQL_ASSET_AFTER[] = "SELECT " ASSET_COLS " FROM assets WHERE env_id = ?"
                                      " AND (created_at, id) < (?, ?)"
                                      " ORDER BY created_at DESC, id DESC LIMIT ?";
int rb_sqlite_asset_list_after(rb_store *st, const char *env_id, int limit,
                               int64_t after_created_at, const char *after_id, rb_asset **out,
                               size_t *n, int *more, rb_err *err)
{
    *out = NULL;
    *n = 0;
    *more = 0;
    if (limit < 1)
        limit = 25;
    if (limit > 100)
        limit = 100;
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_read(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, after_id ? SQL_ASSET_AFTER : SQL_ASSET_FIRST, err)))
        r = RB_ERR;
    if (!r) {
        /* One row more than asked tells whether another page follows. */
        rb_sql_bind_text(q, 1, env_id, 0);
        if (after_id) {
            sqlite3_bind_int64(q, 2, after_created_at);
            rb_sql_bind_text(q, 3, after_id, 0);
            sqlite3_bind_int(q, 4, limit + 1);
        } else {
            sqlite3_bind_int(q, 2, limit + 1);
        }
        r = rb_sql_collect_assets(c, q, out, n, err);
    }
    rb_sql_rollback(c);
    rb_sql_release(st, c);
    if (!r && *n > (size_t)limit) {
        rb_asset_clear(&(*out)[limit]);
        *n = (size_t)limit;
        *more = 1;
    }
    if (!r && *n == 0) {
        free(*out);
        *out = NULL;
    }
    return r;
}

int rb_sqlite_asset_update(rb_store *st, const rb_asset *a, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, SQL_ASSET_UPDATE, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, a->id, 0);
        rb_sql_bind_text(q, 2, a->env_id, 0);
        rb_sql_bind_json(q, 3, a->meta);
        rb_sql_bind_text(q, 4, a->passthrough, 0);
        bind_thumb(q, 5, a->thumbnail_time);
        r = step_done(c, q, "asset update", err);
        if (!r && sqlite3_changes(c->db) == 0)
            r = not_found(err, "asset", a->id);
        rb_sql_done(c, q);
    }
    /* Playback ids are replaced wholesale: the struct is the new truth. */
    if (!r && !(q = rb_sql_prep(c, SQL_PBID_DELETE, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, a->id, 0);
        rb_sql_bind_text(q, 2, a->env_id, 0);
        r = step_done(c, q, "playback id delete", err);
        rb_sql_done(c, q);
    }
    if (!r)
        r = write_playback_ids(c, a, err);
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_ASSET_DEL_BLOBS[] =
    "DELETE FROM blobs WHERE env_id = ?2 AND id IN"
    " (SELECT blob_id FROM tracks WHERE asset_id = ?1 AND env_id = ?2 AND blob_id <> '')";
static const char SQL_ASSET_DEL_TRACKS[] = "DELETE FROM tracks WHERE asset_id = ?1 AND env_id = ?2";
static const char SQL_ASSET_DEL_PBIDS[] =
    "DELETE FROM playback_ids WHERE asset_id = ?1 AND env_id = ?2";
static const char SQL_ASSET_DEL[] = "DELETE FROM assets WHERE id = ?1 AND env_id = ?2";

int rb_sqlite_asset_delete(rb_store *st, const char *env_id, const char *id, rb_err *err)
{
    const char *const steps[] = {SQL_ASSET_DEL_BLOBS, SQL_ASSET_DEL_TRACKS, SQL_ASSET_DEL_PBIDS,
                                 SQL_ASSET_DEL};
    const char *const ids[] = {id, env_id};
    int64_t changed = 0;
    /* Deleting nothing commits nothing: the not-found answer needs no rollback. */
    int r = rb_sql_write_steps(st, steps, 4, ids, 2, NULL, 0, "asset delete", &changed,
                               err);
    if (!r && changed == 0)
        r = not_found(err, "asset", id);
    return r;
}

/* ---- blobs ------------------------------------------------------------------- */

static const char SQL_BLOB_PUT[] =
    "INSERT INTO blobs(id, env_id, job_id, content_type, data, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_BLOB_GET[] = "SELECT content_type, data FROM blobs WHERE id = ?";

int rb_sql_blob_insert(rb_sqlconn *c, const char *env_id, const char *job_id,
                       const char *content_type, const void *data, size_t len,
                       char id_out[RB_ID_MAX], rb_err *err)
{
    if (len > 0x7fffffff)
        return rb_err_set(err, 413, "invalid_parameters", "blob too large");
    char id[RB_ID_MAX];
    if (rb_random_id(id, sizeof id, "blob_", 24) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "random source failed");
    sqlite3_stmt *q = rb_sql_prep(c, SQL_BLOB_PUT, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, id, 0);
    rb_sql_bind_text(q, 2, env_id, 0);
    rb_sql_bind_text(q, 3, job_id, 1);
    rb_sql_bind_text(q, 4, content_type ? content_type : "application/octet-stream", 0);
    /* A zero-length blob must still be a BLOB, not NULL. */
    sqlite3_bind_blob(q, 5, data ? data : "", (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, rb_now());
    int r = step_done(c, q, "blob put", err);
    rb_sql_done(c, q);
    if (!r)
        memcpy(id_out, id, RB_ID_MAX);
    return r;
}

int rb_sqlite_blob_put(rb_store *st, const char *env_id, const char *job_id,
                       const char *content_type, const void *data, size_t len,
                       char id_out[RB_ID_MAX], rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_blob_insert(c, env_id, job_id, content_type, data, len, id_out, err);
    rb_sql_release(st, c);
    return r;
}

int rb_sqlite_blob_get(rb_store *st, const char *id, char **data, size_t *len,
                       char content_type[64], rb_err *err)
{
    *data = NULL;
    *len = 0;
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_BLOB_GET, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, id, 0);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (content_type)
            rb_sql_col_copy(q, 0, content_type, 64);
        const void *b = sqlite3_column_blob(q, 1);
        size_t n = (size_t)sqlite3_column_bytes(q, 1);
        char *p = malloc(n + 1);
        if (!p) {
            r = rb_err_set(err, 500, "internal_error", "out of memory");
        } else {
            if (n)
                memcpy(p, b, n);
            p[n] = '\0';
            *data = p;
            *len = n;
        }
    } else if (rc == SQLITE_DONE) {
        r = not_found(err, "blob", id);
    } else {
        r = rb_sql_fail(c, rc, "blob get", err);
    }
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}
