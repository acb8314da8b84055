/* sqlite_directives.c — directives, directive runs and their outbox events
 * on SQLite (spec §7, §3.3).
 *
 * Directives are immutable rows with a soft delete. Runs are claimed with a
 * lease the way jobs are, so several nodes sharing the store can process them
 * and none processes one run twice at once; every write of a run is
 * conditional on the caller still holding its claim. A run's created and
 * terminal events are written in the same transaction as the row change, like
 * job events (docs/store.md, invariant 1). */
#include "store/sqlite_internal.h"

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

static void page_bounds(int *limit, int *page)
{
    if (*limit < 1)
        *limit = 25;
    if (*limit > 100)
        *limit = 100;
    if (*page < 1)
        *page = 1;
}

void rb_directive_clear(rb_directive *d)
{
    free(d->name);
    json_decref(d->config);
    memset(d, 0, sizeof *d);
}

void rb_directive_run_clear(rb_directive_run *r)
{
    json_decref(r->node_states);
    json_decref(r->work);
    memset(r, 0, sizeof *r);
}

int rb_directive_run_terminal(const char *status)
{
    return strcmp(status, "completed") == 0 || strcmp(status, "partial") == 0 ||
           strcmp(status, "errored") == 0;
}

static void read_directive(sqlite3_stmt *q, rb_directive *d)
{
    memset(d, 0, sizeof *d);
    rb_sql_col_copy(q, 0, d->id, sizeof d->id);
    rb_sql_col_copy(q, 1, d->env_id, sizeof d->env_id);
    d->name = rb_sql_col_strdup(q, 2);
    d->config = rb_sql_col_json(q, 3);
    d->created_at = sqlite3_column_int64(q, 4);
    d->updated_at = sqlite3_column_int64(q, 5);
    d->deleted_at = sqlite3_column_int64(q, 6);
}

static void read_run(sqlite3_stmt *q, rb_directive_run *r)
{
    memset(r, 0, sizeof *r);
    rb_sql_col_copy(q, 0, r->id, sizeof r->id);
    rb_sql_col_copy(q, 1, r->env_id, sizeof r->env_id);
    rb_sql_col_copy(q, 2, r->directive_id, sizeof r->directive_id);
    rb_sql_col_copy(q, 3, r->asset_id, sizeof r->asset_id);
    rb_sql_col_copy(q, 4, r->status, sizeof r->status);
    r->node_states = rb_sql_col_json(q, 5);
    r->work = rb_sql_col_json(q, 6);
    if (!r->node_states)
        r->node_states = json_array();
    if (!r->work)
        r->work = json_object();
    r->auto_trigger = sqlite3_column_int(q, 7);
    r->created_at = sqlite3_column_int64(q, 8);
    r->updated_at = sqlite3_column_int64(q, 9);
    r->started_at = sqlite3_column_int64(q, 10);
    r->completed_at = sqlite3_column_int64(q, 11);
}

/* ---- run events ------------------------------------------------------------ */

static const char SQL_RUN_EVENT_INSERT[] =
    "INSERT INTO events(id, env_id, run_id, type, created_at_us, payload)"
    " VALUES (?, ?, ?, ?, ?, ?)";

/* The webhook data of spec §3.3: the run under the webhook's field names
 * (id, asset_id, directive_id), as it is at this moment. */
static int insert_run_event(rb_sqlconn *c, const rb_directive_run *r, rb_err *err)
{
    c->wrote_event = 1;
    char id[37], type[64];
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
    sqlite3_stmt *q = rb_sql_prep(c, SQL_RUN_EVENT_INSERT, err);
    if (!q) {
        free(payload);
        return RB_ERR;
    }
    rb_sql_bind_text(q, 1, id, 0);
    rb_sql_bind_text(q, 2, r->env_id, 0);
    rb_sql_bind_text(q, 3, r->id, 0);
    rb_sql_bind_text(q, 4, type, 0);
    sqlite3_bind_int64(q, 5, us);
    sqlite3_bind_text(q, 6, payload, -1, free);
    int rc = sqlite3_step(q), ret = RB_OK;
    if (rc != SQLITE_DONE)
        ret = rb_sql_fail(c, rc, "run event insert", err);
    rb_sql_done(c, q);
    return ret;
}

/* ---- directives ------------------------------------------------------------ */

static const char SQL_DIRECTIVE_INSERT[] =
    "INSERT INTO directives(id, env_id, name, config, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?)";

int rb_sqlite_directive_insert(rb_store *st, const rb_directive *d, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_DIRECTIVE_INSERT, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, d->id, 0);
    rb_sql_bind_text(q, 2, d->env_id, 0);
    rb_sql_bind_text(q, 3, d->name ? d->name : "", 0);
    rb_sql_bind_json(q, 4, d->config);
    sqlite3_bind_int64(q, 5, d->created_at);
    sqlite3_bind_int64(q, 6, d->updated_at);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "directive insert", err);
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_DIRECTIVE_GET[] =
    "SELECT " DIRECTIVE_COLS " FROM directives WHERE id = ?1 AND env_id = ?2"
    " AND (?3 OR deleted_at IS NULL)";

static int directive_load(rb_sqlconn *c, const char *env_id, const char *id, int include_deleted,
                          rb_directive *out, rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, SQL_DIRECTIVE_GET, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, id, 0);
    rb_sql_bind_text(q, 2, env_id, 0);
    sqlite3_bind_int(q, 3, include_deleted ? 1 : 0);
    int rc = sqlite3_step(q), r = RB_OK;
    if (rc == SQLITE_ROW) {
        if (out)
            read_directive(q, out);
    } else if (rc == SQLITE_DONE) {
        r = RB_NOTFOUND;
        rb_err_set(err, 404, "not_found", "directive %.255s not found", id);
    } else {
        r = rb_sql_fail(c, rc, "directive get", err);
    }
    rb_sql_done(c, q);
    return r;
}

int rb_sqlite_directive_get(rb_store *st, const char *env_id, const char *id,
                            int include_deleted, rb_directive *out, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = directive_load(c, env_id, id, include_deleted, out, err);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_DIRECTIVE_COUNT[] =
    "SELECT count(*) FROM directives WHERE env_id = ? AND deleted_at IS NULL";
static const char SQL_DIRECTIVE_PAGE[] =
    "SELECT " DIRECTIVE_COLS " FROM directives WHERE env_id = ? AND deleted_at IS NULL"
    " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";

/* Runs a count query and a page query (both bound to the same leading keys)
 * inside one read transaction; decode turns each row into one element of
 * the malloc'd array *out (elem bytes each). */
static int list_page(rb_store *st, const char *count_sql, const char *page_sql,
                     const char *k1, const char *k2, int limit, int page, size_t elem,
                     void (*decode)(sqlite3_stmt *, void *), void (*clear)(void *),
                     void **out, size_t *n,
                     int64_t *total, rb_err *err)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    page_bounds(&limit, &page);
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_read(c, err);
    int nkeys = k2 ? 2 : 1;
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, count_sql, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, k1, 0);
        if (k2)
            rb_sql_bind_text(q, 2, k2, 0);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            *total = sqlite3_column_int64(q, 0);
        else
            r = rb_sql_fail(c, rc, "count", err);
        rb_sql_done(c, q);
    }
    if (!r && !(q = rb_sql_prep(c, page_sql, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, k1, 0);
        if (k2)
            rb_sql_bind_text(q, 2, k2, 0);
        sqlite3_bind_int(q, nkeys + 1, limit);
        sqlite3_bind_int64(q, nkeys + 2, (int64_t)(page - 1) * limit);
        char *arr = calloc((size_t)limit, elem);
        if (!arr)
            r = rb_err_set(err, 500, "internal_error", "out of memory");
        int rc;
        while (!r && (rc = sqlite3_step(q)) == SQLITE_ROW && *n < (size_t)limit)
            decode(q, arr + elem * (*n)++);
        if (!r && rc != SQLITE_DONE && rc != SQLITE_ROW)
            r = rb_sql_fail(c, rc, "list", err);
        rb_sql_done(c, q);
        if (arr && (r || *n == 0)) {
            /* The caller owns the rows only on success. */
            for (size_t i = 0; r && i < *n; i++)
                clear(arr + elem * i);
            free(arr);
            arr = NULL;
            *n = 0;
        }
        *out = arr;
    }
    rb_sql_rollback(c);
    rb_sql_release(st, c);
    return r;
}

static void decode_directive(sqlite3_stmt *q, void *out)
{
    read_directive(q, out);
}

static void decode_run(sqlite3_stmt *q, void *out)
{
    read_run(q, out);
}

static void clear_directive(void *d)
{
    rb_directive_clear(d);
}

static void clear_run(void *r)
{
    rb_directive_run_clear(r);
}

int rb_sqlite_directive_list(rb_store *st, const char *env_id, int limit, int page,
                             rb_directive **out, size_t *n, int64_t *total, rb_err *err)
{
    void *arr = NULL;
    int r = list_page(st, SQL_DIRECTIVE_COUNT, SQL_DIRECTIVE_PAGE, env_id, NULL, limit, page,
                      sizeof(rb_directive), decode_directive, clear_directive, &arr, n, total, err);
    *out = arr;
    return r;
}

static const char SQL_DIRECTIVE_DELETE[] =
    "UPDATE directives SET deleted_at = ?3, updated_at = ?3"
    " WHERE id = ?1 AND env_id = ?2 AND deleted_at IS NULL";

int rb_sqlite_directive_delete(rb_store *st, const char *env_id, const char *id, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_DIRECTIVE_DELETE, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, id, 0);
    rb_sql_bind_text(q, 2, env_id, 0);
    sqlite3_bind_int64(q, 3, rb_now());
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        r = rb_sql_fail(c, rc, "directive delete", err);
    } else if (sqlite3_changes(c->db) == 0) {
        r = RB_NOTFOUND;
        rb_err_set(err, 404, "not_found", "directive %.255s not found", id);
    }
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

/* ---- runs -------------------------------------------------------------------- */

static const char SQL_RUN_ACTIVE[] =
    "SELECT id FROM directive_runs WHERE directive_id = ? AND asset_id = ?"
    " AND status NOT IN " TERMINAL_SQL;
static const char SQL_RUN_AUTO[] =
    "SELECT id FROM directive_runs WHERE directive_id = ? AND asset_id = ? AND auto_trigger = 1";
static const char SQL_RUN_INSERT[] =
    "INSERT INTO directive_runs(id, env_id, directive_id, asset_id, status, node_states, work,"
    " auto_trigger, created_at, updated_at, started_at, next_check_ms)"
    " VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, 0)";

/* 1 when the query (bound to directive id and asset id) finds a row; its id
 * goes to found. Negative status on failure. */
static int find_run(rb_sqlconn *c, const char *sql, const rb_directive_run *r,
                    char found[RB_ID_MAX], rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, sql, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, r->directive_id, 0);
    rb_sql_bind_text(q, 2, r->asset_id, 0);
    int rc = sqlite3_step(q), ret = 0;
    if (rc == SQLITE_ROW) {
        rb_sql_col_copy(q, 0, found, RB_ID_MAX);
        ret = 1;
    } else if (rc != SQLITE_DONE) {
        ret = rb_sql_fail(c, rc, "run lookup", err);
    }
    rb_sql_done(c, q);
    return ret;
}

/* Inserts r as a pending run with its created event, inside the caller's
 * write transaction: refuses (RB_CONFLICT) a second active run of the same
 * directive + asset, and a second automatic one. */
static int run_insert(rb_sqlconn *c, rb_directive_run *r, char conflict_id[RB_ID_MAX],
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
    int found = find_run(c, SQL_RUN_ACTIVE, r, conflict_id, err);
    if (found < 0)
        return found;
    if (found) {
        rb_err_set(err, 409, "conflict", "run %s of directive %s for asset %s is still active",
                   conflict_id, r->directive_id, r->asset_id);
        return RB_CONFLICT;
    }
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
    sqlite3_stmt *q = rb_sql_prep(c, SQL_RUN_INSERT, err);
    if (!q)
        return RB_ERR;
    rb_sql_bind_text(q, 1, r->id, 0);
    rb_sql_bind_text(q, 2, r->env_id, 0);
    rb_sql_bind_text(q, 3, r->directive_id, 0);
    rb_sql_bind_text(q, 4, r->asset_id, 0);
    rb_sql_bind_json(q, 5, r->node_states);
    rb_sql_bind_json(q, 6, r->work);
    sqlite3_bind_int(q, 7, r->auto_trigger ? 1 : 0);
    sqlite3_bind_int64(q, 8, now);
    sqlite3_bind_int64(q, 9, now);
    sqlite3_bind_int64(q, 10, now);
    int rc = sqlite3_step(q), ret = RB_OK;
    if (rc != SQLITE_DONE)
        ret = rb_sql_fail(c, rc, "run insert", err);
    rb_sql_done(c, q);
    if (ret)
        return ret;
    return insert_run_event(c, r, err);
}

int rb_sqlite_directive_run_create(rb_store *st, rb_directive_run *r,
                                   char conflict_id[RB_ID_MAX], rb_err *err)
{
    conflict_id[0] = '\0';
    rb_sqlconn *c;
    int ret = rb_sql_acquire(st, &c, err);
    if (ret)
        return ret;
    ret = rb_sql_begin_write(c, err);
    /* The directive must still be active: a delete that committed first
     * refuses the run (spec §7.1). */
    if (!ret)
        ret = directive_load(c, r->env_id, r->directive_id, 0, NULL, err);
    if (!ret)
        ret = run_insert(c, r, conflict_id, err);
    if (!ret)
        ret = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    rb_sql_release(st, c);
    return ret;
}

/* ---- directives attached to assets (automatic runs) ----------------------- */

static const char SQL_ASSET_DIRECTIVE_ADD[] =
    "INSERT OR IGNORE INTO asset_directives(asset_id, directive_id, env_id, position)"
    " VALUES (?, ?, ?, ?)";

int rb_sqlite_asset_directives_add(rb_store *st, const char *env_id, const char *asset_id,
                                   const char *const *directive_ids, size_t n, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    for (size_t i = 0; !r && i < n; i++) {
        sqlite3_stmt *q = rb_sql_prep(c, SQL_ASSET_DIRECTIVE_ADD, err);
        if (!q) {
            r = RB_ERR;
            break;
        }
        rb_sql_bind_text(q, 1, asset_id, 0);
        rb_sql_bind_text(q, 2, directive_ids[i], 0);
        rb_sql_bind_text(q, 3, env_id, 0);
        sqlite3_bind_int64(q, 4, (int64_t)i);
        int rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            r = rb_sql_fail(c, rc, "asset directive add", err);
        rb_sql_done(c, q);
    }
    if (!r)
        r = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_ASSET_DIRECTIVE_LIST[] =
    "SELECT directive_id FROM asset_directives WHERE asset_id = ? AND env_id = ?"
    " ORDER BY position";

int rb_sqlite_asset_directives_list(rb_store *st, const char *env_id, const char *asset_id,
                                    json_t **out, rb_err *err)
{
    *out = NULL;
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_ASSET_DIRECTIVE_LIST, &c, &q, err);
    if (r)
        return r;
    json_t *arr = json_array();
    if (!arr) {
        rb_sql_release(st, c);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    rb_sql_bind_text(q, 1, asset_id, 0);
    rb_sql_bind_text(q, 2, env_id, 0);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:s}", "id",
                                             (const char *)sqlite3_column_text(q, 0)));
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "asset directives", err);
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    if (r)
        json_decref(arr);
    else
        *out = arr;
    return r;
}

/* Attached directives whose asset left preparing, oldest attachment first. */
static const char SQL_AUTO_DUE[] =
    "SELECT ad.asset_id, ad.directive_id, ad.env_id, a.status, d.config, d.deleted_at"
    " FROM asset_directives ad JOIN assets a ON a.id = ad.asset_id"
    " LEFT JOIN directives d ON d.id = ad.directive_id AND d.env_id = ad.env_id"
    " WHERE ad.started = 0 AND a.status <> 'preparing'"
    " ORDER BY ad.rowid LIMIT ?";
static const char SQL_AUTO_DONE[] =
    "UPDATE asset_directives SET started = 1 WHERE asset_id = ? AND directive_id = ?";

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

int rb_sqlite_directive_auto_start(rb_store *st, int max, int *started, rb_err *err)
{
    *started = 0;
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, SQL_AUTO_DUE, err)))
        r = RB_ERR;
    /* Collect first: the run inserts below must not interleave with the
     * open SELECT on the same connection's cached statements. */
    struct due {
        rb_directive_run run;
        int ready, active;
        json_t *config;
    } *due = NULL;
    size_t n = 0;
    if (!r) {
        sqlite3_bind_int(q, 1, max);
        due = calloc((size_t)(max > 0 ? max : 1), sizeof *due);
        int rc;
        while (due && (rc = sqlite3_step(q)) == SQLITE_ROW && n < (size_t)max) {
            struct due *d = &due[n++];
            rb_sql_col_copy(q, 0, d->run.asset_id, sizeof d->run.asset_id);
            rb_sql_col_copy(q, 1, d->run.directive_id, sizeof d->run.directive_id);
            rb_sql_col_copy(q, 2, d->run.env_id, sizeof d->run.env_id);
            d->ready = strcmp((const char *)sqlite3_column_text(q, 3), "ready") == 0;
            d->config = rb_sql_col_json(q, 4);
            d->active = d->config && sqlite3_column_type(q, 5) == SQLITE_NULL;
        }
        if (!due)
            r = rb_err_set(err, 500, "internal_error", "out of memory");
        else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            r = rb_sql_fail(c, rc, "auto runs", err);
        rb_sql_done(c, q);
    }
    for (size_t i = 0; !r && i < n; i++) {
        struct due *d = &due[i];
        /* An errored asset or a deleted directive starts nothing; a manual
         * run already active for the pair counts as the run (409 rule). */
        if (d->ready && d->active) {
            char conflict[RB_ID_MAX];
            d->run.auto_trigger = 1;
            d->run.node_states = initial_states(d->config);
            int rc = run_insert(c, &d->run, conflict, err);
            if (rc == RB_OK)
                (*started)++;
            else if (rc != RB_CONFLICT)
                r = rc;
        }
        if (!r && !(q = rb_sql_prep(c, SQL_AUTO_DONE, err)))
            r = RB_ERR;
        if (!r) {
            rb_sql_bind_text(q, 1, d->run.asset_id, 0);
            rb_sql_bind_text(q, 2, d->run.directive_id, 0);
            int rc = sqlite3_step(q);
            if (rc != SQLITE_DONE)
                r = rb_sql_fail(c, rc, "auto run mark", err);
            rb_sql_done(c, q);
        }
    }
    for (size_t i = 0; i < n; i++) {
        rb_directive_run_clear(&due[i].run);
        json_decref(due[i].config);
    }
    free(due);
    if (!r)
        r = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    rb_sql_release(st, c);
    if (r)
        *started = 0;
    return r;
}

static const char SQL_RUN_GET[] =
    "SELECT " RUN_COLS " FROM directive_runs WHERE id = ? AND env_id = ? AND directive_id = ?";

int rb_sqlite_directive_run_get(rb_store *st, const char *env_id, const char *directive_id,
                                const char *run_id, rb_directive_run *out, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_RUN_GET, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, run_id, 0);
    rb_sql_bind_text(q, 2, env_id, 0);
    rb_sql_bind_text(q, 3, directive_id, 0);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        read_run(q, out);
    } else if (rc == SQLITE_DONE) {
        r = RB_NOTFOUND;
        rb_err_set(err, 404, "not_found", "directive run %.255s not found", run_id);
    } else {
        r = rb_sql_fail(c, rc, "run get", err);
    }
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_RUN_COUNT[] =
    "SELECT count(*) FROM directive_runs WHERE env_id = ? AND directive_id = ?";
static const char SQL_RUN_PAGE[] =
    "SELECT " RUN_COLS " FROM directive_runs WHERE env_id = ? AND directive_id = ?"
    " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";

int rb_sqlite_directive_run_list(rb_store *st, const char *env_id, const char *directive_id,
                                 int limit, int page, rb_directive_run **out, size_t *n,
                                 int64_t *total, rb_err *err)
{
    void *arr = NULL;
    int r = list_page(st, SQL_RUN_COUNT, SQL_RUN_PAGE, env_id, directive_id, limit, page,
                      sizeof(rb_directive_run), decode_run, clear_run, &arr, n, total, err);
    *out = arr;
    return r;
}

/* The claim: due, active, unclaimed (or lease run out) runs, oldest due
 * first. A pending run turns dispatching here, so a client sees that the
 * engine picked it up. */
static const char SQL_RUN_CLAIM[] =
    "UPDATE directive_runs SET lease_owner = ?1, lease_expires_ms = ?2,"
    " updated_at = CASE WHEN status = 'pending' THEN ?4 ELSE updated_at END,"
    " status = CASE WHEN status = 'pending' THEN 'dispatching' ELSE status END"
    " WHERE id IN (SELECT id FROM directive_runs WHERE status NOT IN " TERMINAL_SQL
    "   AND next_check_ms <= ?3 AND (lease_owner IS NULL OR lease_expires_ms < ?3)"
    "   ORDER BY next_check_ms, created_at LIMIT ?5)"
    " RETURNING " RUN_COLS;

int rb_sqlite_directive_run_claim(rb_store *st, const char *owner, int lease_seconds, int max,
                                  rb_directive_run **out, size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    if (max < 1)
        return RB_OK;
    rb_directive_run *arr = calloc((size_t)max, sizeof *arr);
    if (!arr)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r) {
        free(arr);
        return r;
    }
    int64_t now_ms = rb_now_ms();
    r = rb_sql_begin_write(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && !(q = rb_sql_prep(c, SQL_RUN_CLAIM, err)))
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, owner, 0);
        sqlite3_bind_int64(q, 2, now_ms + (int64_t)lease_seconds * 1000);
        sqlite3_bind_int64(q, 3, now_ms);
        sqlite3_bind_int64(q, 4, now_ms / 1000);
        sqlite3_bind_int(q, 5, max);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW && *n < (size_t)max)
            read_run(q, &arr[(*n)++]);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            r = rb_sql_fail(c, rc, "run claim", err);
        rb_sql_done(c, q);
    }
    if (!r)
        r = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    rb_sql_release(st, c);
    if (r || *n == 0) {
        for (size_t i = 0; i < *n; i++)
            rb_directive_run_clear(&arr[i]);
        free(arr);
        *n = 0;
        return r;
    }
    *out = arr;
    return RB_OK;
}

static const char SQL_RUN_STATUS[] =
    "SELECT status FROM directive_runs WHERE id = ? AND lease_owner = ?";
static const char SQL_RUN_SAVE[] =
    "UPDATE directive_runs SET status = ?3, node_states = ?4, work = ?5, updated_at = ?6,"
    " completed_at = ?7, next_check_ms = ?8,"
    " lease_owner = CASE WHEN ?9 THEN NULL ELSE lease_owner END,"
    " lease_expires_ms = CASE WHEN ?9 THEN NULL ELSE lease_expires_ms END"
    " WHERE id = ?1 AND lease_owner = ?2 AND status NOT IN " TERMINAL_SQL;

int rb_sqlite_directive_run_save(rb_store *st, const char *owner, rb_directive_run *r,
                                 int release, int64_t next_check_ms, rb_err *err)
{
    int64_t now = rb_now();
    int terminal = rb_directive_run_terminal(r->status);
    rb_sqlconn *c;
    int ret = rb_sql_acquire(st, &c, err);
    if (ret)
        return ret;
    ret = rb_sql_begin_write(c, err);
    /* The stored status decides whether updated_at moves: only a transition
     * does, as for jobs. */
    char old[16] = "";
    sqlite3_stmt *q = NULL;
    if (!ret && !(q = rb_sql_prep(c, SQL_RUN_STATUS, err)))
        ret = RB_ERR;
    if (!ret) {
        rb_sql_bind_text(q, 1, r->id, 0);
        rb_sql_bind_text(q, 2, owner, 0);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            rb_sql_col_copy(q, 0, old, sizeof old);
        else if (rc != SQLITE_DONE)
            ret = rb_sql_fail(c, rc, "run status", err);
        rb_sql_done(c, q);
        if (!ret && (!old[0] || rb_directive_run_terminal(old))) {
            rb_err_set(err, 409, "conflict", "run %s is no longer held by %s", r->id, owner);
            ret = RB_CONFLICT;
        }
    }
    int64_t updated = r->updated_at;
    if (!ret && strcmp(old, r->status) != 0)
        updated = now;
    int64_t completed = terminal ? (r->completed_at ? r->completed_at : now) : 0;
    if (!ret && !(q = rb_sql_prep(c, SQL_RUN_SAVE, err)))
        ret = RB_ERR;
    if (!ret) {
        rb_sql_bind_text(q, 1, r->id, 0);
        rb_sql_bind_text(q, 2, owner, 0);
        rb_sql_bind_text(q, 3, r->status, 0);
        rb_sql_bind_json(q, 4, r->node_states);
        rb_sql_bind_json(q, 5, r->work);
        sqlite3_bind_int64(q, 6, updated);
        if (terminal)
            sqlite3_bind_int64(q, 7, completed);
        else
            sqlite3_bind_null(q, 7);
        sqlite3_bind_int64(q, 8, next_check_ms);
        sqlite3_bind_int(q, 9, release || terminal ? 1 : 0);
        int rc = sqlite3_step(q);
        if (rc != SQLITE_DONE) {
            ret = rb_sql_fail(c, rc, "run save", err);
        } else if (sqlite3_changes(c->db) == 0) {
            rb_err_set(err, 409, "conflict", "run %s is no longer held by %s", r->id, owner);
            ret = RB_CONFLICT;
        }
        rb_sql_done(c, q);
    }
    if (!ret && terminal) {
        r->completed_at = completed;
        ret = insert_run_event(c, r, err);
    }
    if (!ret)
        ret = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    rb_sql_release(st, c);
    if (!ret)
        r->updated_at = updated;
    else if (terminal)
        r->completed_at = 0;
    return ret;
}

static const char SQL_JOB_SET_DIRECTIVE[] =
    "UPDATE jobs SET directive_id = ?2, directive_run_id = ?3 WHERE id = ?1";

int rb_sqlite_job_set_directive(rb_store *st, const char *job_id, const char *directive_id,
                                const char *run_id, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_JOB_SET_DIRECTIVE, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, job_id, 0);
    rb_sql_bind_text(q, 2, directive_id, 0);
    rb_sql_bind_text(q, 3, run_id, 0);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE) {
        r = rb_sql_fail(c, rc, "job directive", err);
    } else if (sqlite3_changes(c->db) == 0) {
        r = RB_NOTFOUND;
        rb_err_set(err, 404, "not_found", "job %s not found", job_id);
    }
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_EVENTS_FOR_RUN[] =
    "SELECT id, env_id, job_id, type, created_at_us, payload FROM events WHERE run_id = ?"
    " ORDER BY seq";

/* Decodes a SQL_EVENTS_FOR_RUN row into the rb_event at elem. */
int rb_sqlite_events_for_run(rb_store *st, const char *run_id, rb_event **out, size_t *n,
                             rb_err *err)
{
    return rb_sql_events_query(st, SQL_EVENTS_FOR_RUN, run_id, "run events", out, n, err);
}

/* Retention (spec §1.10: runs are kept 30 days). Only finished runs go; an
 * active run that old cannot exist (the longest wait is 24 h) unless every
 * node was down, and then it should still finish. Events go with their run
 * (explicitly: the cascade needs foreign keys, which a tool may have off). */
static const char SQL_RUN_SWEEP_EVENTS[] =
    "DELETE FROM events WHERE run_id IN (SELECT id FROM directive_runs"
    " WHERE created_at < ? AND status IN " TERMINAL_SQL ")";
static const char SQL_RUN_SWEEP[] =
    "DELETE FROM directive_runs WHERE created_at < ? AND status IN " TERMINAL_SQL;

int rb_sqlite_directive_run_sweep(rb_store *st, int64_t before, int64_t *deleted, rb_err *err)
{
    *deleted = 0;
    const char *const sqls[] = {SQL_RUN_SWEEP_EVENTS, SQL_RUN_SWEEP};
    int r = rb_sql_write_steps(st, sqls, 2, NULL, 0, &before, 1, "run sweep", deleted, err);
    if (r)
        *deleted = 0;
    return r;
}
