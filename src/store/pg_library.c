/* pg_library.c — environments, API tokens and blobs on PostgreSQL, with the
 * same rules as sqlite_library.c. Assets, playback ids and tracks are in
 * pg_media.c. */
#include "store/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/crypto.h"

static int not_found(rb_err *err, const char *what, const char *id)
{
    rb_err_set(err, 404, "not_found", "%s %s not found", what, id);
    return RB_NOTFOUND;
}

/* ---- environments ------------------------------------------------------------ */

static const char SQL_ENV_BY_NAME[] =
    "SELECT id, name, created_at FROM environments WHERE name = $1";
static const char SQL_ENV_BY_ID[] = "SELECT id, name, created_at FROM environments WHERE id = $1";
/* The name is unique: of two processes ensuring one name at once, one
 * inserts and the other's insert does nothing; both then read that row. */
static const char SQL_ENV_INSERT[] =
    "INSERT INTO environments(id, name, created_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (name) DO NOTHING";

static int env_lookup(rb_pgconn *c, const char *sql, const char *key, rb_env *out, rb_err *err)
{
    PGresult *res;
    const char *p[] = {key};
    int r = rb_pg_query(c, sql, 1, p, &res, "environment lookup", err);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        r = not_found(err, "environment", key);
    } else {
        memset(out, 0, sizeof *out);
        rb_pg_col_copy(res, 0, 0, out->id, sizeof out->id);
        rb_pg_col_copy(res, 0, 1, out->name, sizeof out->name);
        out->created_at = rb_pg_col_i64(res, 0, 2);
    }
    PQclear(res);
    return r;
}

static int env_get(rb_store *st, const char *sql, const char *key, rb_env *out, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = env_lookup(c, sql, key, out, err);
    rb_pg_release(st, c);
    return r;
}

int rb_pg_env_ensure(rb_store *st, const char *name, rb_env *out, rb_err *err)
{
    if (!name || !*name || strlen(name) >= sizeof out->name)
        return rb_err_set(err, 400, "invalid_parameters", "environment name must be 1-127 bytes");
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = env_lookup(c, SQL_ENV_BY_NAME, name, out, err);
    if (r == RB_NOTFOUND) {
        char id[RB_ID_MAX], at[24];
        r = rb_random_id(id, sizeof id, "", 12) == RB_OK
                ? RB_OK
                : rb_err_set(err, 500, "internal_error", "random source failed");
        const char *p[] = {id, name, rb_pg_i64(at, rb_now())};
        if (!r)
            r = rb_pg_exec(c, SQL_ENV_INSERT, 3, p, NULL, "environment insert", err);
        if (!r)
            r = env_lookup(c, SQL_ENV_BY_NAME, name, out, err);
    }
    rb_pg_release(st, c);
    return r;
}

int rb_pg_env_get(rb_store *st, const char *env_id, rb_env *out, rb_err *err)
{
    return env_get(st, SQL_ENV_BY_ID, env_id, out, err);
}

int rb_pg_env_by_name(rb_store *st, const char *name, rb_env *out, rb_err *err)
{
    return env_get(st, SQL_ENV_BY_NAME, name, out, err);
}

/* ---- tokens -------------------------------------------------------------------- */

#define TOKEN_COLS                                                                          \
    "t.id, t.env_id, e.name, t.secret_sha256, t.scopes, t.created_at, t.revoked_at"        \
    " FROM tokens t JOIN environments e ON e.id = t.env_id"

static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO tokens(id, env_id, secret_sha256, scopes, created_at, revoked_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_TOKEN_GET[] = "SELECT " TOKEN_COLS " WHERE t.id = $1";
static const char SQL_TOKEN_LIST_ALL[] = "SELECT " TOKEN_COLS " ORDER BY t.created_at, t.seq";
static const char SQL_TOKEN_LIST_ENV[] =
    "SELECT " TOKEN_COLS " WHERE t.env_id = $1 ORDER BY t.created_at, t.seq";
static const char SQL_TOKEN_REVOKE[] =
    "UPDATE tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
static const char SQL_TOKEN_EXISTS[] = "SELECT 1 FROM tokens WHERE id = $1";

static void read_token(const PGresult *res, int row, rb_token *t)
{
    memset(t, 0, sizeof *t);
    rb_pg_col_copy(res, row, 0, t->id, sizeof t->id);
    rb_pg_col_copy(res, row, 1, t->env_id, sizeof t->env_id);
    rb_pg_col_copy(res, row, 2, t->env_name, sizeof t->env_name);
    rb_pg_col_copy(res, row, 3, t->secret_sha256, sizeof t->secret_sha256);
    t->scopes = rb_pg_col_json(res, row, 4);
    if (!t->scopes)
        t->scopes = json_array();
    t->created_at = rb_pg_col_i64(res, row, 5);
    t->revoked_at = rb_pg_col_i64(res, row, 6);
}

int rb_pg_token_insert(rb_store *st, const rb_token *t, rb_err *err)
{
    char *scopes = t->scopes ? json_dumps(t->scopes, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (t->scopes && !scopes)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (!r) {
        char at[24], rev[24];
        const char *p[] = {t->id, t->env_id, t->secret_sha256, scopes ? scopes : "[]",
                           rb_pg_i64(at, t->created_at ? t->created_at : rb_now()),
                           t->revoked_at ? rb_pg_i64(rev, t->revoked_at) : NULL};
        r = rb_pg_exec(c, SQL_TOKEN_INSERT, 6, p, NULL, "token insert", err);
        rb_pg_release(st, c);
    }
    free(scopes);
    return r;
}

int rb_pg_token_get(rb_store *st, const char *token_id, rb_token *out, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {token_id};
    r = rb_pg_query(c, SQL_TOKEN_GET, 1, p, &res, "token get", err);
    if (!r) {
        if (PQntuples(res) == 0)
            r = not_found(err, "token", token_id);
        else
            read_token(res, 0, out);
        PQclear(res);
    }
    rb_pg_release(st, c);
    return r;
}

int rb_pg_token_list(rb_store *st, const char *env_id, rb_token **out, size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {env_id};
    r = rb_pg_query(c, env_id ? SQL_TOKEN_LIST_ENV : SQL_TOKEN_LIST_ALL, env_id ? 1 : 0, p,
                    &res, "token list", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    int k = PQntuples(res);
    if (k > 0) {
        rb_token *arr = calloc((size_t)k, sizeof *arr);
        if (!arr) {
            PQclear(res);
            return rb_err_set(err, 500, "internal_error", "out of memory");
        }
        for (int i = 0; i < k; i++)
            read_token(res, i, &arr[i]);
        *out = arr;
        *n = (size_t)k;
    }
    PQclear(res);
    return RB_OK;
}

int rb_pg_token_revoke(rb_store *st, const char *token_id, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char at[24];
    const char *p[] = {token_id, rb_pg_i64(at, rb_now())};
    int64_t changed = 0;
    r = rb_pg_exec(c, SQL_TOKEN_REVOKE, 2, p, &changed, "token revoke", err);
    /* Revoking twice is fine (the first revocation time stays); an unknown
     * id is not. */
    if (!r && !changed) {
        PGresult *res;
        r = rb_pg_query(c, SQL_TOKEN_EXISTS, 1, p, &res, "token revoke", err);
        if (!r) {
            if (PQntuples(res) == 0)
                r = not_found(err, "token", token_id);
            PQclear(res);
        }
    }
    rb_pg_release(st, c);
    return r;
}

/* ---- blobs ------------------------------------------------------------------------ */

static const char SQL_BLOB_PUT[] =
    "INSERT INTO blobs(id, env_id, job_id, content_type, data, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_BLOB_GET[] = "SELECT content_type, data FROM blobs WHERE id = $1";

int rb_pg_blob_put(rb_store *st, const char *env_id, const char *job_id,
                   const char *content_type, const void *data, size_t len,
                   char id_out[RB_ID_MAX], rb_err *err)
{
    if (len > 0x7fffffff)
        return rb_err_set(err, 413, "invalid_parameters", "blob too large");
    char id[RB_ID_MAX], at[24];
    if (rb_random_id(id, sizeof id, "blob_", 24) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "random source failed");
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    /* The data goes as a binary parameter: no escaping, any bytes. */
    const char *p[] = {id, env_id, job_id && *job_id ? job_id : NULL,
                       content_type ? content_type : "application/octet-stream",
                       data ? data : "", rb_pg_i64(at, rb_now())};
    const int lengths[] = {0, 0, 0, 0, (int)len, 0};
    const int formats[] = {0, 0, 0, 0, 1, 0};
    r = rb_pg_query_fmt(c, SQL_BLOB_PUT, 6, p, lengths, formats, 0, NULL, "blob put", err);
    rb_pg_release(st, c);
    if (!r)
        memcpy(id_out, id, RB_ID_MAX);
    return r;
}

int rb_pg_blob_get(rb_store *st, const char *id, char **data, size_t *len,
                   char content_type[64], rb_err *err)
{
    *data = NULL;
    *len = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {id};
    /* Binary results: the bytea arrives as its bytes, the text as its text. */
    r = rb_pg_query_fmt(c, SQL_BLOB_GET, 1, p, NULL, NULL, 1, &res, "blob get", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        r = not_found(err, "blob", id);
    } else {
        if (content_type)
            snprintf(content_type, 64, "%.*s", PQgetlength(res, 0, 0), PQgetvalue(res, 0, 0));
        size_t n = (size_t)PQgetlength(res, 0, 1);
        char *b = malloc(n + 1);
        if (!b) {
            r = rb_err_set(err, 500, "internal_error", "out of memory");
        } else {
            memcpy(b, PQgetvalue(res, 0, 1), n);
            b[n] = '\0';
            *data = b;
            *len = n;
        }
    }
    PQclear(res);
    return r;
}
