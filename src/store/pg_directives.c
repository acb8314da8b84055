/* pg_directives.c — directives, directive runs and their outbox events on
 * PostgreSQL (spec §7, §3.3), with the rules of sqlite_directives.c.
 *
 * Where SQLite serialises writers, PostgreSQL needs row locks and the unique
 * indexes: run claims and the automatic-run sweep take their rows with
 * FOR UPDATE SKIP LOCKED; creating a run reads its directive FOR SHARE, so a
 * delete that has not committed yet waits (and one that committed is seen);
 * two creates racing for the same directive + asset both pass the lookup and
 * the partial unique index refuses the second, which is then answered as the
 * conflict it is; a save reads the run FOR UPDATE. */
#include "store/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/crypto.h"

#define DIRECTIVE_COLS "id, env_id, name, config, created_at, updated_at, deleted_at"
#define RUN_COLS                                                                            \
    "id, env_id, directive_id, asset_id, status, node_states, work, auto_trigger,"         \
    " created_at, updated_at, started_at, completed_at"
#define TERMINAL_SQL "('completed','partial','errored')"

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void read_directive(const PGresult *q, int row, rb_directive *d)
{
    memset(d, 0, sizeof *d);
    rb_pg_col_copy(q, row, 0, d->id, sizeof d->id);
    rb_pg_col_copy(q, row, 1, d->env_id, sizeof d->env_id);
    d->name = rb_pg_col_strdup(q, row, 2);
    d->config = rb_pg_col_json(q, row, 3);
    d->created_at = rb_pg_col_i64(q, row, 4);
    d->updated_at = rb_pg_col_i64(q, row, 5);
    d->deleted_at = rb_pg_col_i64(q, row, 6);
}

static void read_run(const PGresult *q, int row, rb_directive_run *r)
{
    memset(r, 0, sizeof *r);
    rb_pg_col_copy(q, row, 0, r->id, sizeof r->id);
    rb_pg_col_copy(q, row, 1, r->env_id, sizeof r->env_id);
    rb_pg_col_copy(q, row, 2, r->directive_id, sizeof r->directive_id);
    rb_pg_col_copy(q, row, 3, r->asset_id, sizeof r->asset_id);
    rb_pg_col_copy(q, row, 4, r->status, sizeof r->status);
    r->node_states = rb_pg_col_json(q, row, 5);
    r->work = rb_pg_col_json(q, row, 6);
    if (!r->node_states)
        r->node_states = json_array();
    if (!r->work)
        r->work = json_object();
    r->auto_trigger = (int)rb_pg_col_i64(q, row, 7);
    r->created_at = rb_pg_col_i64(q, row, 8);
    r->updated_at = rb_pg_col_i64(q, row, 9);
    r->started_at = rb_pg_col_i64(q, row, 10);
    r->completed_at = rb_pg_col_i64(q, row, 11);
}

/* ---- run events ------------------------------------------------------------ */

static const char SQL_RUN_EVENT_INSERT[] =
    "INSERT INTO events(id, env_id, run_id, type, created_at_us, payload)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

/* The webhook data of spec §3.3: the run under the webhook's field names
 * (id, asset_id, directive_id), as it is at this moment. */
static int insert_run_event(rb_pgconn *c, const rb_directive_run *r, rb_err *err)
{
    c->wrote_event = 1;
    char id[37], type[64], at[24];
    if (rb_random_uuid(id) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "random source failed");
    snprintf(type, sizeof type, "robots.directive_run.%s",
             strcmp(r->status, "pending") == 0 ? "created" : r->status);
    int64_t us = now_us();
    json_t *run = json_pack("{s:s, s:s, s:s, s:s, s:O, s:I}", "id", r->id, "directive_id",
                            r->directive_id, "asset_id", r->asset_id, "status", r->status,
                            "node_states", r->node_states ? r->node_states : json_array(),
                            "started_at", (json_int_t)r->started_at);
    if (run)
        json_object_set_new(run, "completed_at",
                            r->completed_at ? json_integer(r->completed_at) : json_null());
    json_t *data = run ? json_pack("{s:I, s:s, s:s, s:o}", "created_at",
                                   (json_int_t)(us / 1000000), "environment_id", r->env_id,
                                   "internal_id", id, "directive_run", run)
                       : NULL;
    char *payload = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    if (!payload)
        return rb_err_set(err, 500, "internal_error", "cannot render run %s", r->id);
    const char *p[] = {id, r->env_id, r->id, type, rb_pg_i64(at, us), payload};
    int ret = rb_pg_exec(c, SQL_RUN_EVENT_INSERT, 6, p, NULL, "run event insert", err);
    free(payload);
    return ret;
}

/* ---- directives ------------------------------------------------------------ */

static const char SQL_DIRECTIVE_INSERT[] =
    "INSERT INTO directives(id, env_id, name, config, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

int rb_pg_directive_insert(rb_store *st, const rb_directive *d, rb_err *err)
{
    char *config = d->config ? json_dumps(d->config, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (d->config && !config)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (!r) {
        char ca[24], ua[24];
        const char *p[] = {d->id, d->env_id, d->name ? d->name : "", config,
                           rb_pg_i64(ca, d->created_at), rb_pg_i64(ua, d->updated_at)};
        r = rb_pg_exec(c, SQL_DIRECTIVE_INSERT, 6, p, NULL, "directive insert", err);
        rb_pg_release(st, c);
    }
    free(config);
    return r;
}

static const char SQL_DIRECTIVE_GET[] =
    "SELECT " DIRECTIVE_COLS " FROM directives WHERE id = $1 AND env_id = $2"
    " AND ($3::int = 1 OR deleted_at IS NULL)";
/* The same for a run about to be created: the row stays as read until the
 * run's transaction ends (a concurrent delete waits for it). */
static const char SQL_DIRECTIVE_GET_SHARE[] =
    "SELECT " DIRECTIVE_COLS " FROM directives WHERE id = $1 AND env_id = $2"
    " AND ($3::int = 1 OR deleted_at IS NULL) FOR SHARE";

static int directive_load(rb_pgconn *c, const char *sql, const char *env_id, const char *id,
                          int include_deleted, rb_directive *out, rb_err *err)
{
    PGresult *res;
    const char *p[] = {id, env_id, include_deleted ? "1" : "0"};
    int r = rb_pg_query(c, sql, 3, p, &res, "directive get", err);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        rb_err_set(err, 404, "not_found", "directive %.255s not found", id);
        r = RB_NOTFOUND;
    } else if (out) {
        read_directive(res, 0, out);
    }
    PQclear(res);
    return r;
}

int rb_pg_directive_get(rb_store *st, const char *env_id, const char *id, int include_deleted,
                        rb_directive *out, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = directive_load(c, SQL_DIRECTIVE_GET, env_id, id, include_deleted, out, err);
    rb_pg_release(st, c);
    return r;
}

static const char SQL_BEGIN_SNAPSHOT[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/* Runs a count query and a page query (both keyed by k1[, k2]) in one
 * snapshot; decode turns each row into one element of the malloc'd array
 * *out (elem bytes each, NULL when empty). */
static int list_page(rb_store *st, const char *count_sql, const char *page_sql, const char *k1,
                     const char *k2, int limit, int page, size_t elem,
                     void (*decode)(const PGresult *, int, void *), void **out, size_t *n,
                     int64_t *total, rb_err *err)
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
    int nk = k2 ? 2 : 1;
    char lim[24], off[24];
    const char *p[4] = {k1, k2};
    p[nk] = rb_pg_i64(lim, limit);
    p[nk + 1] = rb_pg_i64(off, (int64_t)(page - 1) * limit);
    PGresult *res = NULL;
    r = rb_pg_exec(c, SQL_BEGIN_SNAPSHOT, 0, NULL, NULL, "BEGIN", err);
    if (!r)
        r = rb_pg_query(c, count_sql, nk, p, &res, "count", err);
    if (!r)
        *total = rb_pg_col_i64(res, 0, 0);
    PQclear(res);
    res = NULL;
    if (!r)
        r = rb_pg_query(c, page_sql, nk + 2, p, &res, "list", err);
    rb_pg_rollback(c);
    rb_pg_release(st, c);
    if (r)
        return r;
    int k = PQntuples(res);
    if (k > 0) {
        char *arr = calloc((size_t)k, elem);
        if (!arr) {
            PQclear(res);
            return rb_err_set(err, 500, "internal_error", "out of memory");
        }
        for (int i = 0; i < k; i++)
            decode(res, i, arr + elem * (size_t)i);
        *out = arr;
        *n = (size_t)k;
    }
    PQclear(res);
    return RB_OK;
}

static void decode_directive(const PGresult *q, int row, void *out)
{
    read_directive(q, row, out);
}

static void decode_run(const PGresult *q, int row, void *out)
{
    read_run(q, row, out);
}

static const char SQL_DIRECTIVE_COUNT[] =
    "SELECT count(*) FROM directives WHERE env_id = $1 AND deleted_at IS NULL";
static const char SQL_DIRECTIVE_PAGE[] =
    "SELECT " DIRECTIVE_COLS " FROM directives WHERE env_id = $1 AND deleted_at IS NULL"
    " ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3";

int rb_pg_directive_list(rb_store *st, const char *env_id, int limit, int page,
                         rb_directive **out, size_t *n, int64_t *total, rb_err *err)
{
    void *arr = NULL;
    int r = list_page(st, SQL_DIRECTIVE_COUNT, SQL_DIRECTIVE_PAGE, env_id, NULL, limit, page,
                      sizeof(rb_directive), decode_directive, &arr, n, total, err);
    *out = arr;
    return r;
}

static const char SQL_DIRECTIVE_DELETE[] =
    "UPDATE directives SET deleted_at = $3, updated_at = $3"
    " WHERE id = $1 AND env_id = $2 AND deleted_at IS NULL";

int rb_pg_directive_delete(rb_store *st, const char *env_id, const char *id, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char now[24];
    const char *p[] = {id, env_id, rb_pg_i64(now, rb_now())};
    int64_t changed = 0;
    r = rb_pg_exec(c, SQL_DIRECTIVE_DELETE, 3, p, &changed, "directive delete", err);
    rb_pg_release(st, c);
    if (!r && !changed) {
        rb_err_set(err, 404, "not_found", "directive %.255s not found", id);
        r = RB_NOTFOUND;
    }
    return r;
}

/* ---- runs -------------------------------------------------------------------- */

static const char SQL_RUN_ACTIVE[] =
    "SELECT id FROM directive_runs WHERE directive_id = $1 AND asset_id = $2"
    " AND status NOT IN " TERMINAL_SQL;
static const char SQL_RUN_AUTO[] =
    "SELECT id FROM directive_runs WHERE directive_id = $1 AND asset_id = $2"
    " AND auto_trigger = 1";
static const char SQL_RUN_INSERT[] =
    "INSERT INTO directive_runs(id, env_id, directive_id, asset_id, status, node_states, work,"
    " auto_trigger, created_at, updated_at, started_at, next_check_ms)"
    " VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $8, $8, 0)";

/* 1 when the query (keyed by directive id and asset id) finds a row; its id
 * goes to found. Negative status on failure. */
static int find_run(rb_pgconn *c, const char *sql, const rb_directive_run *r,
                    char found[RB_ID_MAX], rb_err *err)
{
    PGresult *res;
    const char *p[] = {r->directive_id, r->asset_id};
    int ret = rb_pg_query(c, sql, 2, p, &res, "run lookup", err);
    if (ret)
        return ret;
    if (PQntuples(res) > 0) {
        rb_pg_col_copy(res, 0, 0, found, RB_ID_MAX);
        ret = 1;
    }
    PQclear(res);
    return ret;
}

/* The 409 rules: a second active run of the same directive + asset, or a
 * second automatic one. 0 when neither, RB_CONFLICT, or an error. */
static int run_conflict(rb_pgconn *c, const rb_directive_run *r, char conflict_id[RB_ID_MAX],
                        rb_err *err)
{
    int found = find_run(c, SQL_RUN_ACTIVE, r, conflict_id, err);
    if (found < 0)
        return found;
    if (found) {
        rb_err_set(err, 409, "conflict", "run %s of directive %s for asset %s is still active",
                   conflict_id, r->directive_id, r->asset_id);
        return RB_CONFLICT;
    }
    conflict_id[0] = '\0';
    if (r->auto_trigger) {
        char prev[RB_ID_MAX];
        found = find_run(c, SQL_RUN_AUTO, r, prev, err);
        if (found < 0)
            return found;
        if (found) {
            rb_err_set(err, 409, "conflict", "directive %s already ran for asset %s (%s)",
                       r->directive_id, r->asset_id, prev);
            return RB_CONFLICT;
        }
    }
    return RB_OK;
}

static const char SQL_SAVEPOINT[] = "SAVEPOINT run_insert";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO SAVEPOINT run_insert";
static const char SQL_RELEASE[] = "RELEASE SAVEPOINT run_insert";

/* Inserts r as a pending run with its created event, inside the caller's
 * transaction; RB_CONFLICT under the 409 rules. A concurrent insert that
 * won the race shows up as a unique violation: the insert is undone to its
 * savepoint (the caller's transaction goes on) and answered by the rules. */
static int run_insert(rb_pgconn *c, rb_directive_run *r, char conflict_id[RB_ID_MAX],
                      rb_err *err)
{
    conflict_id[0] = '\0';
    if (!r->id[0] && rb_random_id(r->id, sizeof r->id, "drvrun_", 24) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "random source failed");
    int64_t now = rb_now();
    snprintf(r->status, sizeof r->status, "pending");
    r->created_at = r->updated_at = r->started_at = now;
    r->completed_at = 0;
    if (!r->node_states)
        r->node_states = json_array();
    if (!r->work)
        r->work = json_object();
    if (!r->node_states || !r->work)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    int ret = run_conflict(c, r, conflict_id, err);
    if (ret)
        return ret;
    char *states = json_dumps(r->node_states, JSON_COMPACT);
    char *work = json_dumps(r->work, JSON_COMPACT);
    char at[24];
    const char *p[] = {r->id, r->env_id, r->directive_id, r->asset_id, states, work,
                       r->auto_trigger ? "1" : "0", rb_pg_i64(at, now)};
    if (!states || !work)
        ret = rb_err_set(err, 500, "internal_error", "out of memory");
    if (!ret)
        ret = rb_pg_exec(c, SQL_SAVEPOINT, 0, NULL, NULL, "savepoint", err);
    if (!ret) {
        ret = rb_pg_exec(c, SQL_RUN_INSERT, 8, p, NULL, "run insert", err);
        if (ret == RB_ERR && strcmp(c->last_state, "23505") == 0) {
            rb_err e2;
            if (rb_pg_exec(c, SQL_ROLLBACK_TO, 0, NULL, NULL, "savepoint", &e2) == RB_OK) {
                ret = run_conflict(c, r, conflict_id, err);
                if (ret == RB_OK)
                    ret = rb_err_set(err, 500, "internal_error", "run insert refused: %s",
                                     c->last_constraint);
            }
        } else if (!ret) {
            ret = rb_pg_exec(c, SQL_RELEASE, 0, NULL, NULL, "savepoint", err);
        }
    }
    free(states);
    free(work);
    if (ret)
        return ret;
    return insert_run_event(c, r, err);
}

int rb_pg_directive_run_create(rb_store *st, rb_directive_run *r, char conflict_id[RB_ID_MAX],
                               rb_err *err)
{
    conflict_id[0] = '\0';
    rb_pgconn *c;
    int ret = rb_pg_acquire(st, &c, err);
    if (ret)
        return ret;
    ret = rb_pg_begin(c, err);
    /* The directive must still be active: a delete that committed first
     * refuses the run (spec §7.1). */
    if (!ret)
        ret = directive_load(c, SQL_DIRECTIVE_GET_SHARE, r->env_id, r->directive_id, 0, NULL,
                             err);
    if (!ret)
        ret = run_insert(c, r, conflict_id, err);
    /* Runs advance in the ingest loop of any node: wake them on commit. */
    if (!ret)
        rb_pg_notify(c, RB_STORE_WAKE_INGEST);
    if (!ret)
        ret = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return ret;
}

/* ---- directives attached to assets (automatic runs) ----------------------- */

static const char SQL_ASSET_DIRECTIVE_ADD[] =
    "INSERT INTO asset_directives(asset_id, directive_id, env_id, position)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT (asset_id, directive_id) DO NOTHING";

int rb_pg_asset_directives_add(rb_store *st, const char *env_id, const char *asset_id,
                               const char *const *directive_ids, size_t n, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_pg_begin(c, err);
    for (size_t i = 0; !r && i < n; i++) {
        char pos[24];
        const char *p[] = {asset_id, directive_ids[i], env_id, rb_pg_i64(pos, (int64_t)i)};
        r = rb_pg_exec(c, SQL_ASSET_DIRECTIVE_ADD, 4, p, NULL, "asset directive add", err);
    }
    if (!r)
        rb_pg_notify(c, RB_STORE_WAKE_INGEST);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}

static const char SQL_ASSET_DIRECTIVE_LIST[] =
    "SELECT directive_id FROM asset_directives WHERE asset_id = $1 AND env_id = $2"
    " ORDER BY position";

int rb_pg_asset_directives_list(rb_store *st, const char *env_id, const char *asset_id,
                                json_t **out, rb_err *err)
{
    *out = NULL;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {asset_id, env_id};
    r = rb_pg_query(c, SQL_ASSET_DIRECTIVE_LIST, 2, p, &res, "asset directives", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(res); i++)
        json_array_append_new(arr, json_pack("{s:s}", "id", PQgetvalue(res, i, 0)));
    PQclear(res);
    if (!arr)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    *out = arr;
    return RB_OK;
}

/* Attached directives whose asset left preparing, oldest attachment first;
 * SKIP LOCKED so two nodes sweeping at once take different attachments. */
static const char SQL_AUTO_DUE[] =
    "SELECT ad.asset_id, ad.directive_id, ad.env_id, a.status, d.config, d.deleted_at"
    " FROM asset_directives ad JOIN assets a ON a.id = ad.asset_id"
    " LEFT JOIN directives d ON d.id = ad.directive_id AND d.env_id = ad.env_id"
    " WHERE ad.started = 0 AND a.status <> 'preparing'"
    " ORDER BY ad.seq LIMIT $1 FOR UPDATE OF ad SKIP LOCKED";
static const char SQL_AUTO_DONE[] =
    "UPDATE asset_directives SET started = 1 WHERE asset_id = $1 AND directive_id = $2";

/* The NodeState every binding of config starts in. */
static json_t *initial_states(const json_t *config)
{
    json_t *out = json_array();
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(config, "workflows"), i, b)
    {
        json_array_append_new(
            out, json_pack("{s:O, s:s, s:O}", "reference_id", json_object_get(b, "reference_id"),
                           "status", "waiting_for_resources", "workflow_name",
                           json_object_get(b, "workflow")));
    }
    return out;
}

int rb_pg_directive_auto_start(rb_store *st, int max, int *started, rb_err *err)
{
    *started = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char lim[24];
    const char *p[] = {rb_pg_i64(lim, max > 0 ? max : 1)};
    PGresult *res = NULL;
    r = rb_pg_begin(c, err);
    if (!r)
        r = rb_pg_query(c, SQL_AUTO_DUE, 1, p, &res, "auto runs", err);
    for (int i = 0; !r && i < PQntuples(res); i++) {
        rb_directive_run run;
        memset(&run, 0, sizeof run);
        rb_pg_col_copy(res, i, 0, run.asset_id, sizeof run.asset_id);
        rb_pg_col_copy(res, i, 1, run.directive_id, sizeof run.directive_id);
        rb_pg_col_copy(res, i, 2, run.env_id, sizeof run.env_id);
        int ready = strcmp(PQgetvalue(res, i, 3), "ready") == 0;
        json_t *config = rb_pg_col_json(res, i, 4);
        int active = config && PQgetisnull(res, i, 5);
        /* An errored asset or a deleted directive starts nothing; a manual
         * run already active for the pair counts as the run (409 rule). */
        if (ready && active) {
            char conflict[RB_ID_MAX];
            run.auto_trigger = 1;
            run.node_states = initial_states(config);
            int rc = run_insert(c, &run, conflict, err);
            if (rc == RB_OK)
                (*started)++;
            else if (rc != RB_CONFLICT)
                r = rc;
        }
        const char *k[] = {run.asset_id, run.directive_id};
        if (!r)
            r = rb_pg_exec(c, SQL_AUTO_DONE, 2, k, NULL, "auto run mark", err);
        rb_directive_run_clear(&run);
        json_decref(config);
    }
    PQclear(res);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    if (r)
        *started = 0;
    return r;
}

static const char SQL_RUN_GET[] = "SELECT " RUN_COLS " FROM directive_runs"
                                  " WHERE id = $1 AND env_id = $2 AND directive_id = $3";

int rb_pg_directive_run_get(rb_store *st, const char *env_id, const char *directive_id,
                            const char *run_id, rb_directive_run *out, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {run_id, env_id, directive_id};
    r = rb_pg_query(c, SQL_RUN_GET, 3, p, &res, "run get", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        rb_err_set(err, 404, "not_found", "directive run %.255s not found", run_id);
        r = RB_NOTFOUND;
    } else {
        read_run(res, 0, out);
    }
    PQclear(res);
    return r;
}

static const char SQL_RUN_COUNT[] =
    "SELECT count(*) FROM directive_runs WHERE env_id = $1 AND directive_id = $2";
static const char SQL_RUN_PAGE[] =
    "SELECT " RUN_COLS " FROM directive_runs WHERE env_id = $1 AND directive_id = $2"
    " ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4";

int rb_pg_directive_run_list(rb_store *st, const char *env_id, const char *directive_id,
                             int limit, int page, rb_directive_run **out, size_t *n,
                             int64_t *total, rb_err *err)
{
    void *arr = NULL;
    int r = list_page(st, SQL_RUN_COUNT, SQL_RUN_PAGE, env_id, directive_id, limit, page,
                      sizeof(rb_directive_run), decode_run, &arr, n, total, err);
    *out = arr;
    return r;
}

/* The claim: due, active, unclaimed (or lease run out) runs, oldest due
 * first, locked with SKIP LOCKED. A pending run turns dispatching here, so
 * a client sees that the engine picked it up. */
static const char SQL_RUN_CLAIM[] =
    "WITH claimed AS (UPDATE directive_runs r SET lease_owner = $1, lease_expires_ms = $2,"
    "   updated_at = CASE WHEN r.status = 'pending' THEN $4 ELSE r.updated_at END,"
    "   status = CASE WHEN r.status = 'pending' THEN 'dispatching' ELSE r.status END"
    "   FROM (SELECT id FROM directive_runs WHERE status NOT IN " TERMINAL_SQL
    "     AND next_check_ms <= $3 AND (lease_owner IS NULL OR lease_expires_ms < $3)"
    "     ORDER BY next_check_ms, created_at LIMIT $5 FOR UPDATE SKIP LOCKED) pick"
    "   WHERE r.id = pick.id"
    "   RETURNING r.*)"
    " SELECT " RUN_COLS " FROM claimed ORDER BY next_check_ms, created_at";

int rb_pg_directive_run_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                              rb_directive_run **out, size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    if (max < 1)
        return RB_OK;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    int64_t now_ms = rb_now_ms();
    char until[24], now[24], now_s[24], lim[24];
    const char *p[] = {owner, rb_pg_i64(until, now_ms + (int64_t)lease_seconds * 1000),
                       rb_pg_i64(now, now_ms), rb_pg_i64(now_s, now_ms / 1000),
                       rb_pg_i64(lim, max)};
    PGresult *res = NULL;
    r = rb_pg_query(c, SQL_RUN_CLAIM, 5, p, &res, "run claim", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    int k = PQntuples(res);
    if (k > max)
        k = max;
    if (k > 0) {
        rb_directive_run *arr = calloc((size_t)k, sizeof *arr);
        if (!arr) {
            PQclear(res);
            return rb_err_set(err, 500, "internal_error", "out of memory");
        }
        for (int i = 0; i < k; i++)
            read_run(res, i, &arr[i]);
        *out = arr;
        *n = (size_t)k;
    }
    PQclear(res);
    return RB_OK;
}

static const char SQL_RUN_STATUS[] =
    "SELECT status FROM directive_runs WHERE id = $1 AND lease_owner = $2 FOR UPDATE";
static const char SQL_RUN_SAVE[] =
    "UPDATE directive_runs SET status = $3, node_states = $4, work = $5, updated_at = $6,"
    " completed_at = $7, next_check_ms = $8,"
    " lease_owner = CASE WHEN $9::int = 1 THEN NULL ELSE lease_owner END,"
    " lease_expires_ms = CASE WHEN $9::int = 1 THEN NULL ELSE lease_expires_ms END"
    " WHERE id = $1 AND lease_owner = $2 AND status NOT IN " TERMINAL_SQL;

int rb_pg_directive_run_save(rb_store *st, const char *owner, rb_directive_run *r, int release,
                             int64_t next_check_ms, rb_err *err)
{
    int64_t now = rb_now();
    int terminal = rb_directive_run_terminal(r->status);
    rb_pgconn *c;
    int ret = rb_pg_acquire(st, &c, err);
    if (ret)
        return ret;
    ret = rb_pg_begin(c, err);
    /* The stored status decides whether updated_at moves: only a transition
     * does, as for jobs. */
    char old[16] = "";
    PGresult *res = NULL;
    const char *ps[] = {r->id, owner};
    if (!ret)
        ret = rb_pg_query(c, SQL_RUN_STATUS, 2, ps, &res, "run status", err);
    if (!ret && PQntuples(res) > 0)
        rb_pg_col_copy(res, 0, 0, old, sizeof old);
    PQclear(res);
    if (!ret && (!old[0] || rb_directive_run_terminal(old))) {
        rb_err_set(err, 409, "conflict", "run %s is no longer held by %s", r->id, owner);
        ret = RB_CONFLICT;
    }
    int64_t updated = r->updated_at;
    if (!ret && strcmp(old, r->status) != 0)
        updated = now;
    int64_t completed = terminal ? (r->completed_at ? r->completed_at : now) : 0;
    char *states = json_dumps(r->node_states ? r->node_states : json_array(), JSON_COMPACT);
    char *work = json_dumps(r->work ? r->work : json_object(), JSON_COMPACT);
    if (!ret && (!states || !work))
        ret = rb_err_set(err, 500, "internal_error", "out of memory");
    if (!ret) {
        char up[24], done[24], next[24];
        const char *p[] = {r->id,
                           owner,
                           r->status,
                           states,
                           work,
                           rb_pg_i64(up, updated),
                           terminal ? rb_pg_i64(done, completed) : NULL,
                           rb_pg_i64(next, next_check_ms),
                           release || terminal ? "1" : "0"};
        int64_t changed = 0;
        ret = rb_pg_exec(c, SQL_RUN_SAVE, 9, p, &changed, "run save", err);
        if (!ret && !changed) {
            rb_err_set(err, 409, "conflict", "run %s is no longer held by %s", r->id, owner);
            ret = RB_CONFLICT;
        }
    }
    free(states);
    free(work);
    if (!ret && terminal) {
        r->completed_at = completed;
        ret = insert_run_event(c, r, err);
    }
    if (!ret)
        ret = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    if (!ret)
        r->updated_at = updated;
    else if (terminal)
        r->completed_at = 0;
    return ret;
}

/* Retention (spec §1.10: runs are kept 30 days): finished runs only, with
 * their events. */
static const char SQL_RUN_SWEEP_EVENTS[] =
    "DELETE FROM events WHERE run_id IN (SELECT id FROM directive_runs"
    " WHERE created_at < $1 AND status IN " TERMINAL_SQL ")";
static const char SQL_RUN_SWEEP[] =
    "DELETE FROM directive_runs WHERE created_at < $1 AND status IN " TERMINAL_SQL;

int rb_pg_directive_run_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err)
{
    *deleted = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char b[24];
    const char *p[] = {rb_pg_i64(b, before)};
    r = rb_pg_begin(c, err);
    if (!r)
        r = rb_pg_exec(c, SQL_RUN_SWEEP_EVENTS, 1, p, NULL, "run sweep", err);
    if (!r)
        r = rb_pg_exec(c, SQL_RUN_SWEEP, 1, p, deleted, "run sweep", err);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    if (r)
        *deleted = 0;
    return r;
}
