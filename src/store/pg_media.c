/* pg_media.c — the media library on PostgreSQL: assets, playback ids,
 * tracks, and the ingest claims with their conditional finishes, with the
 * rules of sqlite_library.c and sqlite_ingest.c.
 *
 * Where SQLite relies on one writer at a time, PostgreSQL needs row locks:
 * ingest claims take their rows with FOR UPDATE SKIP LOCKED (two nodes never
 * take the same asset, and never wait for each other), and asset_finish reads
 * the claim state with FOR UPDATE, so the check and the write see the same
 * row. */
#include "store/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/crypto.h"

#define TRACK_COLS                                                                          \
    "id, asset_id, env_id, type, status, text_type, text_source, language_code, name,"     \
    " closed_captions, passthrough, source_url, duration, blob_id, errors, created_at,"    \
    " info"
#define ASSET_COLS                                                                          \
    "id, env_id, status, duration, meta, passthrough, inputs, errors, thumbnail_time,"      \
    " created_at"

static int not_found(rb_err *err, const char *what, const char *id)
{
    rb_err_set(err, 404, "not_found", "%s %s not found", what, id);
    return RB_NOTFOUND;
}

/* ---- parameter text ------------------------------------------------------------- */

/* The text parameters of one statement that need memory of their own (JSON
 * renderings, numbers): kept here until the statement ran, then freed. */
typedef struct params {
    char *owned[12];
    int n;
    int oom;
} params;

static const char *keep(params *p, char *s)
{
    if (!s || p->n == (int)(sizeof p->owned / sizeof p->owned[0])) {
        p->oom = 1;
        free(s);
        return NULL;
    }
    p->owned[p->n++] = s;
    return s;
}

/* Compact JSON text of j, NULL (SQL NULL) when j is NULL. */
static const char *p_json(params *p, const json_t *j)
{
    if (!j)
        return NULL;
    return keep(p, json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY));
}

/* A double as text that reads back to the same double. */
static const char *p_double(params *p, double v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    return keep(p, strdup(buf));
}

static const char *p_i64(params *p, int64_t v)
{
    char buf[24];
    return keep(p, strdup(rb_pg_i64(buf, v)));
}

static void p_free(params *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->owned[i]);
    p->n = 0;
}

static int p_check(params *p, rb_err *err)
{
    return p->oom ? rb_err_set(err, 500, "internal_error", "out of memory") : RB_OK;
}

/* ---- tracks ------------------------------------------------------------------ */

static void read_track(const PGresult *q, int row, rb_track *t)
{
    memset(t, 0, sizeof *t);
    rb_pg_col_copy(q, row, 0, t->id, sizeof t->id);
    rb_pg_col_copy(q, row, 1, t->asset_id, sizeof t->asset_id);
    rb_pg_col_copy(q, row, 2, t->env_id, sizeof t->env_id);
    rb_pg_col_copy(q, row, 3, t->type, sizeof t->type);
    rb_pg_col_copy(q, row, 4, t->status, sizeof t->status);
    rb_pg_col_copy(q, row, 5, t->text_type, sizeof t->text_type);
    rb_pg_col_copy(q, row, 6, t->text_source, sizeof t->text_source);
    rb_pg_col_copy(q, row, 7, t->language_code, sizeof t->language_code);
    rb_pg_col_copy(q, row, 8, t->name, sizeof t->name);
    t->closed_captions = (int)rb_pg_col_i64(q, row, 9);
    t->passthrough = rb_pg_col_strdup(q, row, 10);
    t->source_url = rb_pg_col_strdup(q, row, 11);
    t->duration = PQgetisnull(q, row, 12) ? 0 : strtod(PQgetvalue(q, row, 12), NULL);
    rb_pg_col_copy(q, row, 13, t->blob_id, sizeof t->blob_id);
    t->errors = rb_pg_col_json(q, row, 14);
    t->created_at = rb_pg_col_i64(q, row, 15);
    t->info = rb_pg_col_json(q, row, 16);
}

static const char SQL_TRACK_INSERT[] =
    "INSERT INTO tracks(" TRACK_COLS ")"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";

/* Inserts t inside the caller's transaction. */
static int track_insert(rb_pgconn *c, const rb_track *t, rb_err *err)
{
    params p = {0};
    const char *v[] = {t->id,
                       t->asset_id,
                       t->env_id,
                       t->type,
                       t->status[0] ? t->status : "preparing",
                       t->text_type,
                       t->text_source,
                       t->language_code,
                       t->name,
                       p_i64(&p, t->closed_captions),
                       t->passthrough,
                       t->source_url,
                       p_double(&p, t->duration),
                       t->blob_id,
                       p_json(&p, t->errors),
                       p_i64(&p, t->created_at ? t->created_at : rb_now()),
                       p_json(&p, t->info)};
    int r = p_check(&p, err);
    if (!r)
        r = rb_pg_exec(c, SQL_TRACK_INSERT, 17, v, NULL, "track insert", err);
    p_free(&p);
    return r;
}

/* The parent asset must exist in the track's environment: a track can never
 * be attached across environments. */
static const char SQL_ASSET_IN_ENV[] = "SELECT 1 FROM assets WHERE id = $1 AND env_id = $2";

int rb_pg_track_insert(rb_store *st, const rb_track *t, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_pg_begin(c, err);
    PGresult *res = NULL;
    const char *p[] = {t->asset_id, t->env_id};
    if (!r)
        r = rb_pg_query(c, SQL_ASSET_IN_ENV, 2, p, &res, "asset lookup", err);
    if (!r && PQntuples(res) == 0)
        r = not_found(err, "asset", t->asset_id);
    PQclear(res);
    if (!r)
        r = track_insert(c, t, err);
    /* The ingester of any node prepares it: wake them on commit. */
    if (!r)
        rb_pg_notify(c, RB_STORE_WAKE_INGEST);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}

static const char SQL_TRACK_UPDATE[] =
    "UPDATE tracks SET status = $4, name = $5, language_code = $6, closed_captions = $7,"
    " passthrough = $8, duration = $9, blob_id = $10, errors = $11"
    " WHERE id = $1 AND asset_id = $2 AND env_id = $3";

int rb_pg_track_update(rb_store *st, const rb_track *t, rb_err *err)
{
    params pp = {0};
    const char *p[] = {t->id,
                       t->asset_id,
                       t->env_id,
                       t->status,
                       t->name,
                       t->language_code,
                       p_i64(&pp, t->closed_captions),
                       t->passthrough,
                       p_double(&pp, t->duration),
                       t->blob_id,
                       p_json(&pp, t->errors)};
    int r = p_check(&pp, err);
    rb_pgconn *c = NULL;
    if (!r)
        r = rb_pg_acquire(st, &c, err);
    int64_t changed = 0;
    if (!r) {
        r = rb_pg_exec(c, SQL_TRACK_UPDATE, 11, p, &changed, "track update", err);
        rb_pg_release(st, c);
    }
    p_free(&pp);
    if (!r && !changed)
        r = not_found(err, "track", t->id);
    return r;
}

static const char SQL_TRACK_GET[] =
    "SELECT " TRACK_COLS " FROM tracks WHERE id = $1 AND asset_id = $2 AND env_id = $3";
static const char SQL_TRACK_GET_ANY[] = "SELECT " TRACK_COLS " FROM tracks WHERE id = $1";

static int track_get(rb_store *st, const char *sql, const char *env_id, const char *asset_id,
                     const char *id, rb_track *out, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {id, asset_id, env_id};
    r = rb_pg_query(c, sql, env_id ? 3 : 1, p, &res, "track get", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    if (PQntuples(res) == 0)
        r = not_found(err, "track", id);
    else
        read_track(res, 0, out);
    PQclear(res);
    return r;
}

int rb_pg_track_get(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                    rb_track *out, rb_err *err)
{
    return track_get(st, SQL_TRACK_GET, env_id ? env_id : "", asset_id, id, out, err);
}

int rb_pg_track_get_any_env(rb_store *st, const char *id, rb_track *out, rb_err *err)
{
    return track_get(st, SQL_TRACK_GET_ANY, NULL, NULL, id, out, err);
}

static const char SQL_TRACK_BLOB_DELETE[] =
    "DELETE FROM blobs WHERE id = (SELECT blob_id FROM tracks"
    " WHERE id = $1 AND asset_id = $2 AND env_id = $3) AND env_id = $3";
static const char SQL_TRACK_MARK_DELETED[] =
    "UPDATE tracks SET status = 'deleted', blob_id = ''"
    " WHERE id = $1 AND asset_id = $2 AND env_id = $3 AND status <> 'deleted'";

int rb_pg_track_delete(rb_store *st, const char *env_id, const char *asset_id, const char *id,
                       rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    const char *p[] = {id, asset_id, env_id};
    int64_t changed = 0;
    r = rb_pg_begin(c, err);
    if (!r)
        r = rb_pg_exec(c, SQL_TRACK_BLOB_DELETE, 3, p, NULL, "track delete", err);
    if (!r)
        r = rb_pg_exec(c, SQL_TRACK_MARK_DELETED, 3, p, &changed, "track delete", err);
    if (!r && !changed)
        r = not_found(err, "track", id);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}

/* ---- assets ---------------------------------------------------------------------- */

static const char SQL_ASSET_INSERT[] = "INSERT INTO assets(" ASSET_COLS ")"
                                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
static const char SQL_ASSET_UPDATE[] =
    "UPDATE assets SET meta = $3, passthrough = $4, thumbnail_time = $5"
    " WHERE id = $1 AND env_id = $2";
static const char SQL_PBID_DELETE[] =
    "DELETE FROM playback_ids WHERE asset_id = $1 AND env_id = $2";
static const char SQL_PBID_INSERT[] =
    "INSERT INTO playback_ids(id, asset_id, env_id, policy, position)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char SQL_PBID_LIST[] =
    "SELECT id, policy FROM playback_ids WHERE asset_id = $1 ORDER BY position";
static const char SQL_ASSET_TRACKS[] = "SELECT " TRACK_COLS " FROM tracks"
                                       " WHERE asset_id = $1 AND status <> 'deleted'"
                                       " ORDER BY created_at, seq";

static int write_playback_ids(rb_pgconn *c, const rb_asset *a, rb_err *err)
{
    size_t i;
    json_t *pb;
    json_array_foreach(a->playback_ids, i, pb)
    {
        const char *id = json_string_value(json_object_get(pb, "id"));
        const char *policy = json_string_value(json_object_get(pb, "policy"));
        if (!id)
            return rb_err_set(err, 500, "internal_error", "playback id without id");
        char pos[24];
        const char *p[] = {id, a->id, a->env_id, policy ? policy : "public",
                           rb_pg_i64(pos, (int64_t)i)};
        int r = rb_pg_exec(c, SQL_PBID_INSERT, 5, p, NULL, "playback id insert", err);
        if (r)
            return r;
    }
    return RB_OK;
}

int rb_pg_asset_insert(rb_store *st, const rb_asset *a, rb_err *err)
{
    params pp = {0};
    const char *p[] = {a->id,
                       a->env_id,
                       a->status[0] ? a->status : "preparing",
                       p_double(&pp, a->duration),
                       p_json(&pp, a->meta),
                       a->passthrough,
                       p_json(&pp, a->inputs),
                       p_json(&pp, a->errors),
                       a->thumbnail_time < 0 ? NULL : p_double(&pp, a->thumbnail_time),
                       p_i64(&pp, a->created_at ? a->created_at : rb_now())};
    int r = p_check(&pp, err);
    rb_pgconn *c = NULL;
    if (!r)
        r = rb_pg_acquire(st, &c, err);
    if (!r) {
        r = rb_pg_begin(c, err);
        if (!r)
            r = rb_pg_exec(c, SQL_ASSET_INSERT, 10, p, NULL, "asset insert", err);
        if (!r)
            r = write_playback_ids(c, a, err);
        for (size_t i = 0; !r && i < a->n_tracks; i++) {
            /* Tracks inherit the asset's identity even if the caller left it out. */
            rb_track t = a->tracks[i];
            snprintf(t.asset_id, sizeof t.asset_id, "%s", a->id);
            snprintf(t.env_id, sizeof t.env_id, "%s", a->env_id);
            r = track_insert(c, &t, err);
        }
        /* The ingester of any node prepares it: wake them on commit. */
        if (!r)
            rb_pg_notify(c, RB_STORE_WAKE_INGEST);
        if (!r)
            r = rb_pg_commit(st, c, err);
        rb_pg_release(st, c);
    }
    p_free(&pp);
    return r;
}

static void read_asset(const PGresult *q, int row, rb_asset *a)
{
    memset(a, 0, sizeof *a);
    rb_pg_col_copy(q, row, 0, a->id, sizeof a->id);
    rb_pg_col_copy(q, row, 1, a->env_id, sizeof a->env_id);
    rb_pg_col_copy(q, row, 2, a->status, sizeof a->status);
    a->duration = PQgetisnull(q, row, 3) ? 0 : strtod(PQgetvalue(q, row, 3), NULL);
    a->meta = rb_pg_col_json(q, row, 4);
    a->passthrough = rb_pg_col_strdup(q, row, 5);
    a->inputs = rb_pg_col_json(q, row, 6);
    a->errors = rb_pg_col_json(q, row, 7);
    a->thumbnail_time = PQgetisnull(q, row, 8) ? -1.0 : strtod(PQgetvalue(q, row, 8), NULL);
    a->created_at = rb_pg_col_i64(q, row, 9);
}

/* Fills playback_ids and tracks of an asset whose row was just read. */
static int load_asset_children(rb_pgconn *c, rb_asset *a, rb_err *err)
{
    a->playback_ids = json_array();
    PGresult *res;
    const char *p[] = {a->id};
    int r = rb_pg_query(c, SQL_PBID_LIST, 1, p, &res, "playback ids", err);
    if (r)
        return r;
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(a->playback_ids,
                              json_pack("{s:s, s:s}", "id", PQgetvalue(res, i, 0), "policy",
                                        PQgetvalue(res, i, 1)));
    PQclear(res);
    r = rb_pg_query(c, SQL_ASSET_TRACKS, 1, p, &res, "asset tracks", err);
    if (r)
        return r;
    int k = PQntuples(res);
    if (k > 0) {
        a->tracks = calloc((size_t)k, sizeof *a->tracks);
        if (!a->tracks) {
            PQclear(res);
            return rb_err_set(err, 500, "internal_error", "out of memory");
        }
        for (int i = 0; i < k; i++)
            read_track(res, i, &a->tracks[i]);
        a->n_tracks = (size_t)k;
    }
    PQclear(res);
    return RB_OK;
}

/* Runs a SELECT ASSET_COLS and loads every row with its children (inside
 * the caller's snapshot). *out is malloc'd, NULL when no row. */
static int collect_assets(rb_pgconn *c, const char *sql, int n, const char *const *p,
                          rb_asset **out, size_t *nout, rb_err *err)
{
    *out = NULL;
    *nout = 0;
    PGresult *res;
    int r = rb_pg_query(c, sql, n, p, &res, "asset read", err);
    if (r)
        return r;
    int k = PQntuples(res);
    rb_asset *arr = k > 0 ? calloc((size_t)k, sizeof *arr) : NULL;
    if (k > 0 && !arr) {
        PQclear(res);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    for (int i = 0; i < k; i++)
        read_asset(res, i, &arr[i]);
    PQclear(res);
    for (int i = 0; !r && i < k; i++)
        r = load_asset_children(c, &arr[i], err);
    if (r) {
        for (int i = 0; i < k; i++)
            rb_asset_clear(&arr[i]);
        free(arr);
        return r;
    }
    *out = arr;
    *nout = (size_t)k;
    return RB_OK;
}

/* A read-only snapshot, so an asset and its children are read as of one
 * moment (and a list's count agrees with its page). */
static const char SQL_BEGIN_SNAPSHOT[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

static const char SQL_ASSET_GET[] =
    "SELECT " ASSET_COLS " FROM assets WHERE id = $1 AND env_id = $2";
static const char SQL_ASSET_COUNT[] = "SELECT count(*) FROM assets WHERE env_id = $1";
static const char SQL_ASSET_PAGE[] = "SELECT " ASSET_COLS " FROM assets WHERE env_id = $1"
                                     " ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3";

int rb_pg_asset_get(rb_store *st, const char *env_id, const char *id, rb_asset *out,
                    rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    rb_asset *arr = NULL;
    size_t n = 0;
    const char *p[] = {id, env_id};
    r = rb_pg_exec(c, SQL_BEGIN_SNAPSHOT, 0, NULL, NULL, "BEGIN", err);
    if (!r)
        r = collect_assets(c, SQL_ASSET_GET, 2, p, &arr, &n, err);
    rb_pg_rollback(c);
    rb_pg_release(st, c);
    if (!r && n == 0)
        r = not_found(err, "asset", id);
    if (!r)
        *out = arr[0];
    free(arr);
    return r;
}

int rb_pg_asset_list(rb_store *st, const char *env_id, int limit, int page, rb_asset **out,
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
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char lim[24], off[24];
    const char *p[] = {env_id, rb_pg_i64(lim, limit), rb_pg_i64(off, (int64_t)(page - 1) * limit)};
    PGresult *res = NULL;
    r = rb_pg_exec(c, SQL_BEGIN_SNAPSHOT, 0, NULL, NULL, "BEGIN", err);
    if (!r)
        r = rb_pg_query(c, SQL_ASSET_COUNT, 1, p, &res, "asset count", err);
    if (!r)
        *total = rb_pg_col_i64(res, 0, 0);
    PQclear(res);
    if (!r)
        r = collect_assets(c, SQL_ASSET_PAGE, 3, p, out, n, err);
    rb_pg_rollback(c);
    rb_pg_release(st, c);
    return r;
}

static const char SQL_ASSET_FIRST[] = "SELECT " ASSET_COLS " FROM assets WHERE env_id = $1"
                                      " ORDER BY created_at DESC, id DESC LIMIT $2";
static const char SQL_ASSET_AFTER[] = "SELECT " ASSET_COLS " FROM assets WHERE env_id = $1"
                                      " AND (created_at, id) < ($3, $4)"
                                      " ORDER BY created_at DESC, id DESC LIMIT $2";

int rb_pg_asset_list_after(rb_store *st, const char *env_id, int limit,
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
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    /* One row more than asked tells whether another page follows. */
    char lim[24], at[24];
    const char *p[] = {env_id, rb_pg_i64(lim, limit + 1), rb_pg_i64(at, after_created_at),
                       after_id};
    r = rb_pg_exec(c, SQL_BEGIN_SNAPSHOT, 0, NULL, NULL, "BEGIN", err);
    if (!r)
        r = collect_assets(c, after_id ? SQL_ASSET_AFTER : SQL_ASSET_FIRST, after_id ? 4 : 2, p,
                           out, n, err);
    rb_pg_rollback(c);
    rb_pg_release(st, c);
    if (!r && *n > (size_t)limit) {
        rb_asset_clear(&(*out)[limit]);
        *n = (size_t)limit;
        *more = 1;
    }
    return r;
}

int rb_pg_asset_update(rb_store *st, const rb_asset *a, rb_err *err)
{
    params pp = {0};
    const char *p[] = {a->id, a->env_id, p_json(&pp, a->meta), a->passthrough,
                       a->thumbnail_time < 0 ? NULL : p_double(&pp, a->thumbnail_time)};
    int r = p_check(&pp, err);
    rb_pgconn *c = NULL;
    if (!r)
        r = rb_pg_acquire(st, &c, err);
    if (!r) {
        int64_t changed = 0;
        r = rb_pg_begin(c, err);
        if (!r)
            r = rb_pg_exec(c, SQL_ASSET_UPDATE, 5, p, &changed, "asset update", err);
        if (!r && !changed)
            r = not_found(err, "asset", a->id);
        /* Playback ids are replaced wholesale: the struct is the new truth. */
        if (!r)
            r = rb_pg_exec(c, SQL_PBID_DELETE, 2, p, NULL, "playback id delete", err);
        if (!r)
            r = write_playback_ids(c, a, err);
        if (!r)
            r = rb_pg_commit(st, c, err);
        rb_pg_release(st, c);
    }
    p_free(&pp);
    return r;
}

static const char SQL_ASSET_DEL_BLOBS[] =
    "DELETE FROM blobs WHERE env_id = $2 AND id IN"
    " (SELECT blob_id FROM tracks WHERE asset_id = $1 AND env_id = $2 AND blob_id <> '')";
static const char SQL_ASSET_DEL_TRACKS[] =
    "DELETE FROM tracks WHERE asset_id = $1 AND env_id = $2";
static const char SQL_ASSET_DEL_PBIDS[] =
    "DELETE FROM playback_ids WHERE asset_id = $1 AND env_id = $2";
static const char SQL_ASSET_DEL[] = "DELETE FROM assets WHERE id = $1 AND env_id = $2";

int rb_pg_asset_delete(rb_store *st, const char *env_id, const char *id, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    const char *p[] = {id, env_id};
    const char *const steps[] = {SQL_ASSET_DEL_BLOBS, SQL_ASSET_DEL_TRACKS, SQL_ASSET_DEL_PBIDS,
                                 SQL_ASSET_DEL};
    int64_t changed = 0;
    r = rb_pg_begin(c, err);
    for (int i = 0; !r && i < 4; i++)
        r = rb_pg_exec(c, steps[i], 2, p, &changed, "asset delete", err);
    if (!r && !changed)
        r = not_found(err, "asset", id);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}

/* ---- ingest claims ------------------------------------------------------------- */

/* Rows that are preparing and either never claimed or whose lease ran out,
 * locked with SKIP LOCKED so a concurrent claimer passes them over. */
static const char SQL_CLAIM_ASSETS[] =
    "WITH claimed AS (UPDATE assets a SET ingest_owner = $1, ingest_lease_expires_ms = $2"
    "   FROM (SELECT id FROM assets WHERE status = 'preparing'"
    "     AND (ingest_lease_expires_ms IS NULL OR ingest_lease_expires_ms <= $3)"
    "     ORDER BY created_at, seq LIMIT $4 FOR UPDATE SKIP LOCKED) pick"
    "   WHERE a.id = pick.id"
    "   RETURNING a.id, a.env_id, a.created_at, a.seq)"
    " SELECT id, env_id FROM claimed ORDER BY created_at, seq";
/* Tracks of a preparing asset are the asset claim's work, so only tracks of
 * assets that are ready or errored are claimed on their own. */
static const char SQL_CLAIM_TRACKS[] =
    "WITH claimed AS (UPDATE tracks t SET ingest_owner = $1, ingest_lease_expires_ms = $2"
    "   FROM (SELECT tt.id FROM tracks tt JOIN assets aa ON aa.id = tt.asset_id"
    "     WHERE tt.status = 'preparing' AND aa.status <> 'preparing'"
    "     AND (tt.ingest_lease_expires_ms IS NULL OR tt.ingest_lease_expires_ms <= $3)"
    "     ORDER BY tt.created_at, tt.seq LIMIT $4 FOR UPDATE OF tt SKIP LOCKED) pick"
    "   WHERE t.id = pick.id"
    "   RETURNING t.id, t.created_at, t.seq)"
    " SELECT id FROM claimed ORDER BY created_at, seq";

static int claim_in_tx(rb_pgconn *c, const char *owner, int64_t now_ms, int64_t until_ms,
                       int max, rb_ingest_work *out, size_t *n, rb_err *err)
{
    char s_until[24], s_now[24], s_max[24];
    const char *p[] = {owner, rb_pg_i64(s_until, until_ms), rb_pg_i64(s_now, now_ms),
                       rb_pg_i64(s_max, max)};
    const char *sqls[] = {SQL_CLAIM_ASSETS, SQL_CLAIM_TRACKS};
    for (int kind = 0; kind < 2; kind++) {
        PGresult *ids;
        int r = rb_pg_query(c, sqls[kind], 4, p, &ids, "ingest claim", err);
        if (r)
            return r;
        /* Oldest first (the statement orders what it claimed). */
        for (int i = 0; !r && i < PQntuples(ids) && i < max; i++) {
            rb_ingest_work *w = &out[*n];
            memset(w, 0, sizeof *w);
            w->is_track = kind;
            if (kind == 0) {
                const char *q[] = {PQgetvalue(ids, i, 0), PQgetvalue(ids, i, 1)};
                rb_asset *arr = NULL;
                size_t m = 0;
                r = collect_assets(c, SQL_ASSET_GET, 2, q, &arr, &m, err);
                if (!r && m == 1)
                    w->asset = arr[0];
                else if (!r)
                    r = rb_err_set(err, 500, "internal_error", "claimed asset %s vanished",
                                   q[0]);
                for (size_t x = 1; x < m; x++)
                    rb_asset_clear(&arr[x]);
                free(arr);
            } else {
                PGresult *res;
                const char *q[] = {PQgetvalue(ids, i, 0)};
                r = rb_pg_query(c, SQL_TRACK_GET_ANY, 1, q, &res, "claimed track", err);
                if (!r && PQntuples(res) == 1)
                    read_track(res, 0, &w->track);
                else if (!r)
                    r = rb_err_set(err, 500, "internal_error", "claimed track %s vanished",
                                   q[0]);
                PQclear(res);
            }
            if (!r)
                (*n)++;
        }
        PQclear(ids);
        if (r)
            return r;
    }
    return RB_OK;
}

int rb_pg_ingest_claim(rb_store *st, const char *owner, int lease_seconds, int max,
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
    if (!arr)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    size_t k = 0;
    if (!r) {
        int64_t now_ms = rb_now_ms();
        r = rb_pg_begin(c, err);
        if (!r)
            r = claim_in_tx(c, owner, now_ms, now_ms + (int64_t)lease_seconds * 1000, max, arr,
                            &k, err);
        if (!r)
            r = rb_pg_commit(st, c, err);
        rb_pg_release(st, c);
    }
    if (r || k == 0) {
        /* A failed claim committed nothing, so the rows stay claimable. */
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
    "UPDATE assets SET ingest_lease_expires_ms = $3"
    " WHERE id = $1 AND status = 'preparing' AND ingest_owner = $2";
static const char SQL_RENEW_TRACK[] =
    "UPDATE tracks SET ingest_lease_expires_ms = $3"
    " WHERE id = $1 AND status = 'preparing' AND ingest_owner = $2";
static const char SQL_ASSET_EXISTS[] = "SELECT 1 FROM assets WHERE id = $1";
static const char SQL_TRACK_EXISTS[] = "SELECT 1 FROM tracks WHERE id = $1";

/* After a conditional write changed nothing: RB_NOTFOUND when the row is
 * gone, RB_CONFLICT when it exists but was not ours to write. */
static int gone_or_conflict(rb_pgconn *c, const char *sql, const char *what, const char *id,
                            rb_err *err)
{
    PGresult *res;
    const char *p[] = {id};
    int r = rb_pg_query(c, sql, 1, p, &res, "ingest check", err);
    if (r)
        return r;
    if (PQntuples(res) > 0) {
        rb_err_set(err, 409, "conflict", "%s %s is no longer preparing under this claim", what,
                   id);
        r = RB_CONFLICT;
    } else {
        r = not_found(err, what, id);
    }
    PQclear(res);
    return r;
}

int rb_pg_ingest_renew(rb_store *st, const char *owner, const char *asset_id,
                       const char *track_id, int lease_seconds, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    const char *id = track_id ? track_id : asset_id;
    char until[24];
    const char *p[] = {
        id, owner,
        rb_pg_i64(until, rb_now_ms() + (int64_t)(lease_seconds > 0 ? lease_seconds : 1) * 1000)};
    int64_t changed = 0;
    r = rb_pg_exec(c, track_id ? SQL_RENEW_TRACK : SQL_RENEW_ASSET, 3, p, &changed,
                   "ingest renew", err);
    if (!r && !changed)
        r = gone_or_conflict(c, track_id ? SQL_TRACK_EXISTS : SQL_ASSET_EXISTS,
                             track_id ? "track" : "asset", id, err);
    rb_pg_release(st, c);
    return r;
}

static const char SQL_BLOB_PUT[] =
    "INSERT INTO blobs(id, env_id, job_id, content_type, data, created_at)"
    " VALUES ($1, $2, NULL, $3, $4, $5)";
static const char SQL_TRACK_FINISH[] =
    "UPDATE tracks SET status = $4, duration = $5, blob_id = $6, errors = $7, info = $8,"
    " ingest_owner = NULL, ingest_lease_expires_ms = NULL"
    " WHERE id = $1 AND asset_id = $2 AND env_id = $3 AND status = 'preparing'"
    " AND (ingest_owner IS NULL OR ingest_owner = $9)";

int rb_pg_track_finish(rb_store *st, const char *owner, rb_track *t, const char *content_type,
                       const void *data, size_t len, rb_err *err)
{
    if (data && len > 0x7fffffff)
        return rb_err_set(err, 413, "invalid_parameters", "blob too large");
    char blob_id[RB_ID_MAX] = "";
    if (data && rb_random_id(blob_id, sizeof blob_id, "blob_", 24) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "random source failed");
    params pp = {0};
    const char *p[] = {t->id,
                       t->asset_id,
                       t->env_id,
                       t->status,
                       p_double(&pp, t->duration),
                       data ? blob_id : t->blob_id,
                       p_json(&pp, t->errors),
                       p_json(&pp, t->info),
                       owner ? owner : ""};
    int r = p_check(&pp, err);
    rb_pgconn *c = NULL;
    if (!r)
        r = rb_pg_acquire(st, &c, err);
    if (!r) {
        r = rb_pg_begin(c, err);
        /* The blob is written in the same transaction as the track, so a
         * refused finish leaves no orphan blob behind. */
        if (!r && data) {
            char at[24];
            const char *b[] = {blob_id, t->env_id,
                               content_type ? content_type : "application/octet-stream", data,
                               rb_pg_i64(at, rb_now())};
            const int lengths[] = {0, 0, 0, (int)len, 0};
            const int formats[] = {0, 0, 0, 1, 0};
            r = rb_pg_query_fmt(c, SQL_BLOB_PUT, 5, b, lengths, formats, 0, NULL, "blob put",
                                err);
        }
        int64_t changed = 0;
        if (!r)
            r = rb_pg_exec(c, SQL_TRACK_FINISH, 9, p, &changed, "track finish", err);
        if (!r && !changed)
            r = gone_or_conflict(c, SQL_TRACK_EXISTS, "track", t->id, err);
        if (!r)
            r = rb_pg_commit(st, c, err);
        rb_pg_release(st, c);
    }
    p_free(&pp);
    if (!r && data)
        memcpy(t->blob_id, blob_id, sizeof t->blob_id);
    return r;
}

/* The claim state is read with FOR UPDATE: a concurrent claim or finish of
 * the same asset waits, so the check below holds until this commit. */
static const char SQL_ASSET_CLAIM_STATE[] =
    "SELECT status, ingest_owner FROM assets WHERE id = $1 AND env_id = $2 FOR UPDATE";
static const char SQL_ASSET_FINISH[] =
    "UPDATE assets SET status = $3, duration = $4, errors = $5,"
    " ingest_owner = NULL, ingest_lease_expires_ms = NULL"
    " WHERE id = $1 AND env_id = $2";

static int asset_finish_tx(rb_pgconn *c, const char *owner, const rb_asset *a,
                           const rb_track *new_tracks, size_t n_new, rb_err *err)
{
    PGresult *res;
    const char *p[] = {a->id, a->env_id};
    int r = rb_pg_query(c, SQL_ASSET_CLAIM_STATE, 2, p, &res, "asset finish", err);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        r = not_found(err, "asset", a->id);
    } else {
        const char *status = PQgetvalue(res, 0, 0);
        const char *holder = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
        if (strcmp(status, "preparing") != 0 || !holder || !owner || strcmp(holder, owner) != 0) {
            rb_err_set(err, 409, "conflict", "asset %s is no longer preparing under this claim",
                       a->id);
            r = RB_CONFLICT;
        }
    }
    PQclear(res);
    for (size_t i = 0; !r && i < n_new; i++) {
        rb_track t = new_tracks[i];
        snprintf(t.asset_id, sizeof t.asset_id, "%s", a->id);
        snprintf(t.env_id, sizeof t.env_id, "%s", a->env_id);
        r = track_insert(c, &t, err);
    }
    if (!r) {
        params pp = {0};
        const char *u[] = {a->id, a->env_id, a->status, p_double(&pp, a->duration),
                           p_json(&pp, a->errors)};
        r = p_check(&pp, err);
        if (!r)
            r = rb_pg_exec(c, SQL_ASSET_FINISH, 5, u, NULL, "asset finish", err);
        p_free(&pp);
    }
    return r;
}

int rb_pg_asset_finish(rb_store *st, const char *owner, const rb_asset *a,
                       const rb_track *new_tracks, size_t n_new, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_pg_begin(c, err);
    if (!r)
        r = asset_finish_tx(c, owner, a, new_tracks, n_new, err);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}
