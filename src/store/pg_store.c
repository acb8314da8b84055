/* pg_store.c — the PostgreSQL store's lifecycle: the connection pool with
 * lazy connect and reconnect backoff, prepared statements, transactions,
 * error mapping, migrations under an advisory lock, and settings.
 *
 * Environments and tokens live in pg_library.c, jobs and the outbox in
 * pg_jobs.c, the schema in pg_schema.c. docs/store-postgres.md explains the
 * design. */
#include "store/pg_internal.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"

/* A statement running longer than this is cancelled by the server and the
 * call answers 503: a stuck query must not hold a pooled connection (and its
 * row locks) forever. */
#define STATEMENT_TIMEOUT_MS 30000
/* Reconnect backoff: first wait, and the cap it doubles up to. */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
/* How long one connect attempt may take (libpq's connect_timeout, seconds). */
#define CONNECT_TIMEOUT_S "5"

extern const rb_store_ops rb_pg_ops;

/* ---- values ------------------------------------------------------------------ */

const char *rb_pg_i64(char *buf, int64_t v)
{
    snprintf(buf, 24, "%" PRId64, v);
    return buf;
}

void rb_pg_col_copy(const PGresult *r, int row, int col, char *out, size_t outlen)
{
    const char *v = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
    snprintf(out, outlen, "%s", v);
}

char *rb_pg_col_strdup(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

json_t *rb_pg_col_json(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    return json_loads(PQgetvalue(r, row, col), JSON_DECODE_ANY, NULL);
}

int64_t rb_pg_col_i64(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* ---- errors ------------------------------------------------------------------ */

const char *rb_pg_sqlstate(const PGresult *res)
{
    const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

/* SQLSTATEs after which trying again later can succeed: the caller gets 503
 * instead of 500. */
static int transient_state(const char *s)
{
    return strncmp(s, "08", 2) == 0 ||      /* connection exception */
           strncmp(s, "53", 2) == 0 ||      /* insufficient resources */
           strcmp(s, "57P01") == 0 ||       /* admin shutdown */
           strcmp(s, "57P02") == 0 ||       /* crash shutdown */
           strcmp(s, "57P03") == 0 ||       /* cannot connect now (starting) */
           strcmp(s, "57014") == 0 ||       /* query cancelled: statement_timeout */
           strcmp(s, "40001") == 0 ||       /* serialization failure */
           strcmp(s, "40P01") == 0 ||       /* deadlock detected */
           strcmp(s, "55P03") == 0;         /* lock not available */
}

/* Copies a libpq message into out on one line: libpq ends messages with a
 * newline and puts hints on tab-indented lines; the API's messages are one
 * line. */
static void one_line(const char *msg, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", msg ? msg : "");
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    for (size_t n = strlen(out); n > 0 && out[n - 1] == ' '; n--)
        out[n - 1] = '\0';
}

int rb_pg_fail(rb_pgconn *c, const PGresult *res, const char *what, rb_err *err)
{
    const char *state = rb_pg_sqlstate(res);
    if (c) {
        const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
        snprintf(c->last_state, sizeof c->last_state, "%s", state);
        snprintf(c->last_constraint, sizeof c->last_constraint, "%s", cons ? cons : "");
    }
    const char *msg = res ? PQresultErrorMessage(res) : "";
    if ((!msg || !*msg) && c && c->pg)
        msg = PQerrorMessage(c->pg);
    char text[256];
    one_line(msg, text, sizeof text);
    if (!c || !c->pg || PQstatus(c->pg) == CONNECTION_BAD || transient_state(state)) {
        rb_err_set(err, 503, "unavailable", "the database is unavailable (%s: %s); retry later",
                   what, text);
        return RB_BUSY;
    }
    return rb_err_set(err, 500, "internal_error", "database error in %s: %s", what, text);
}

/* ---- statements ---------------------------------------------------------------- */

static int check_result(rb_pgconn *c, PGresult *r, PGresult **res, const char *what,
                        rb_err *err)
{
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
        if (res)
            *res = r;
        else
            PQclear(r);
        return RB_OK;
    }
    int out = rb_pg_fail(c, r, what, err);
    PQclear(r);
    return out;
}

int rb_pg_query_fmt(rb_pgconn *c, const char *sql, int n, const char *const *params,
                    const int *lengths, const int *formats, int result_format, PGresult **res,
                    const char *what, rb_err *err)
{
    if (res)
        *res = NULL;
    int i = 0;
    while (i < c->nprepared && c->prepared[i] != sql)
        i++;
    if (i == c->nprepared) {
        if (c->nprepared == RB_PG_CACHE) {
            PGresult *r = PQexecParams(c->pg, sql, n, NULL, params, lengths, formats,
                                       result_format);
            return check_result(c, r, res, what, err);
        }
        char name[16];
        snprintf(name, sizeof name, "rb%d", i);
        PGresult *p = PQprepare(c->pg, name, sql, n, NULL);
        int r = check_result(c, p, NULL, what, err);
        if (r)
            return r;
        c->prepared[c->nprepared++] = sql;
    }
    char name[16];
    snprintf(name, sizeof name, "rb%d", i);
    PGresult *r = PQexecPrepared(c->pg, name, n, params, lengths, formats, result_format);
    return check_result(c, r, res, what, err);
}

int rb_pg_query(rb_pgconn *c, const char *sql, int n, const char *const *params,
                PGresult **res, const char *what, rb_err *err)
{
    return rb_pg_query_fmt(c, sql, n, params, NULL, NULL, 0, res, what, err);
}

int rb_pg_query_once(rb_pgconn *c, const char *sql, int n, const char *const *params,
                     PGresult **res, const char *what, rb_err *err)
{
    if (res)
        *res = NULL;
    PGresult *r = PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0);
    return check_result(c, r, res, what, err);
}

int rb_pg_exec(rb_pgconn *c, const char *sql, int n, const char *const *params,
               int64_t *changed, const char *what, rb_err *err)
{
    PGresult *res;
    int r = rb_pg_query(c, sql, n, params, &res, what, err);
    if (r)
        return r;
    if (changed) {
        const char *t = PQcmdTuples(res);
        *changed = t && *t ? strtoll(t, NULL, 10) : 0;
    }
    PQclear(res);
    return RB_OK;
}

/* ---- transactions ---------------------------------------------------------------- */

static const char SQL_BEGIN[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";

int rb_pg_begin(rb_pgconn *c, rb_err *err)
{
    c->wrote_event = 0;
    c->notify = 0;
    return rb_pg_exec(c, SQL_BEGIN, 0, NULL, NULL, "BEGIN", err);
}

int rb_pg_commit(rb_store *st, rb_pgconn *c, rb_err *err)
{
    /* NOTIFY inside the transaction: PostgreSQL queues it and delivers it to
     * the listeners when (and only if) the COMMIT below lands, so another
     * node never wakes for work it cannot see yet. */
    int bits = c->notify | (c->wrote_event ? RB_STORE_WAKE_EVENTS : 0);
    c->notify = 0;
    int r = bits ? rb_pg_notify_send(c, bits, err) : RB_OK;
    if (r) {
        c->wrote_event = 0;
        rb_pg_rollback(c);
        return r;
    }
    PGresult *res = NULL;
    r = rb_pg_query(c, SQL_COMMIT, 0, NULL, &res, "COMMIT", err);
    /* COMMIT of a transaction that failed earlier answers "ROLLBACK"; no
     * caller commits after a failure, but never report that as success. */
    if (!r && strcmp(PQcmdStatus(res), "COMMIT") != 0)
        r = rb_err_set(err, 500, "internal_error", "COMMIT rolled back");
    PQclear(res);
    int wrote = c->wrote_event;
    c->wrote_event = 0;
    if (!r && wrote && st)
        rb_store_fire_event_hook(st);
    if (r)
        rb_pg_rollback(c);
    return r;
}

void rb_pg_rollback(rb_pgconn *c)
{
    c->wrote_event = 0;
    c->notify = 0;
    if (c->pg && PQstatus(c->pg) == CONNECTION_OK &&
        PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        PQclear(PQexec(c->pg, "ROLLBACK"));
}

/* ---- pool ---------------------------------------------------------------------- */

/* Server notices (e.g. "relation already exists, skipping" from the
 * migration guard) are not errors: debug log, not stderr. */
static void on_notice(void *arg, const char *message)
{
    char text[256];
    one_line(message, text, sizeof text);
    rb_debug("store: PostgreSQL: %s", text);
}

static void conn_drop(rb_pgconn *c)
{
    if (c->pg)
        PQfinish(c->pg);
    c->pg = NULL;
    /* Prepared statements die with their session. */
    c->nprepared = 0;
}

/* Opens c's session. Runs without the pool lock (a connect can take
 * seconds); the backoff state is read and written under it. */
static int conn_connect(rb_pgstore *st, rb_pgconn *c, rb_err *err)
{
    int64_t now = rb_now_ms();
    pthread_mutex_lock(&st->mu);
    int64_t wait = st->retry_at_ms - now;
    pthread_mutex_unlock(&st->mu);
    if (wait > 0) {
        rb_err_set(err, 503, "unavailable",
                   "the database is unavailable (reconnecting in %" PRId64 " ms); retry later",
                   wait);
        return RB_BUSY;
    }
    /* connect_timeout first, so a value in the URL wins over ours. */
    const char *keys[] = {"connect_timeout", "dbname", "application_name", NULL};
    const char *vals[] = {CONNECT_TIMEOUT_S, st->url, "robots", NULL};
    c->pg = PQconnectdbParams(keys, vals, 1);
    int r = RB_OK;
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        char msg[256];
        one_line(c->pg ? PQerrorMessage(c->pg) : "out of memory", msg, sizeof msg);
        rb_err_set(err, 503, "unavailable", "the database is unavailable (connect: %s);"
                   " retry later", msg);
        r = RB_BUSY;
    } else {
        PQsetNoticeProcessor(c->pg, on_notice, NULL);
    }
    if (!r && !strstr(st->url, "statement_timeout")) {
        /* A statement_timeout in the URL's options was applied at connect
         * and wins over the default. */
        char sql[96];
        snprintf(sql, sizeof sql, "SET statement_timeout = %d", st->statement_timeout_ms);
        PGresult *res = PQexec(c->pg, sql);
        r = check_result(c, res, NULL, "SET statement_timeout", err);
    }
    pthread_mutex_lock(&st->mu);
    if (r) {
        st->backoff_ms = st->backoff_ms ? st->backoff_ms * 2 : BACKOFF_MIN_MS;
        if (st->backoff_ms > BACKOFF_MAX_MS)
            st->backoff_ms = BACKOFF_MAX_MS;
        st->retry_at_ms = rb_now_ms() + st->backoff_ms;
    } else {
        st->backoff_ms = 0;
        st->retry_at_ms = 0;
    }
    pthread_mutex_unlock(&st->mu);
    if (r) {
        rb_warn("store: cannot connect to PostgreSQL: %s", err ? err->message : "");
        conn_drop(c);
    }
    return r;
}

/* 1 when an idle session was (most likely) closed by the server while it
 * sat in the pool. An idle pooled session has nothing to read — it LISTENs
 * on nothing and has no query outstanding; a server that restarts or kills
 * it sends its goodbye (FATAL 57P01) and closes the socket, which makes the
 * socket readable. One poll() lets the borrower reconnect before its first
 * statement instead of answering 503 once per pooled session after every
 * database restart. The rare harmless message (a notice) only costs a
 * reconnect. */
static int conn_gone(PGconn *pg)
{
    struct pollfd p = {.fd = PQsocket(pg), .events = POLLIN};
    if (p.fd < 0)
        return 1;
    return poll(&p, 1, 0) > 0;
}

int rb_pg_acquire(rb_store *base, rb_pgconn **out, rb_err *err)
{
    rb_pgstore *st = rb_pgs(base);
    rb_pgconn *c = NULL;
    pthread_mutex_lock(&st->mu);
    for (;;) {
        if (st->free_list) {
            c = st->free_list;
            st->free_list = c->next_free;
            break;
        }
        if (st->nslots < st->pool_size) {
            c = calloc(1, sizeof *c);
            if (!c) {
                pthread_mutex_unlock(&st->mu);
                return rb_err_set(err, 500, "internal_error", "out of memory");
            }
            st->all[st->nslots++] = c;
            break;
        }
        pthread_cond_wait(&st->avail, &st->mu);
    }
    pthread_mutex_unlock(&st->mu);
    /* A session the server closed (restart, admin kill) shows as
     * CONNECTION_BAD only after a failed call; rb_pg_release drops those, so
     * here a slot is either connected or empty. */
    if (c->pg && (PQstatus(c->pg) != CONNECTION_OK || conn_gone(c->pg)))
        conn_drop(c);
    if (!c->pg) {
        int r = conn_connect(st, c, err);
        if (r) {
            rb_pg_release(base, c);
            return r;
        }
    }
    *out = c;
    return RB_OK;
}

void rb_pg_release(rb_store *base, rb_pgconn *c)
{
    if (!c)
        return;
    rb_pgstore *st = rb_pgs(base);
    /* A borrower that returned mid-transaction must not leak it to the next. */
    rb_pg_rollback(c);
    if (c->pg && (PQstatus(c->pg) != CONNECTION_OK ||
                  PQtransactionStatus(c->pg) != PQTRANS_IDLE))
        conn_drop(c);
    pthread_mutex_lock(&st->mu);
    c->next_free = st->free_list;
    st->free_list = c;
    pthread_cond_signal(&st->avail);
    pthread_mutex_unlock(&st->mu);
}

static void pg_pool_reserve(rb_store *base, int n)
{
    rb_pgstore *st = rb_pgs(base);
    pthread_mutex_lock(&st->mu);
    if (n > st->pool_size) {
        rb_pgconn **all = realloc(st->all, (size_t)n * sizeof *all);
        if (all) {
            memset(all + st->pool_size, 0, (size_t)(n - st->pool_size) * sizeof *all);
            st->all = all;
            st->pool_size = n;
            pthread_cond_broadcast(&st->avail);
        }
    }
    pthread_mutex_unlock(&st->mu);
}

/* ---- migrations ------------------------------------------------------------------ */

static const char SQL_MIGRATE_LOCK[] = "SELECT pg_advisory_xact_lock($1)";
static const char SQL_MIGRATIONS_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version INTEGER PRIMARY KEY,"
    "  applied_at BIGINT NOT NULL)";
static const char SQL_MIGRATIONS_MAX[] = "SELECT COALESCE(max(version), 0) FROM schema_migrations";
static const char SQL_MIGRATIONS_ADD[] =
    "INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)";

/* Applies each missing migration in its own transaction. Every transaction
 * first takes the same transaction-scoped advisory lock, then reads the
 * version: when two nodes start at once the second waits for the first's
 * commit, then finds the work done and commits nothing. */
static int migrate(rb_pgconn *c, rb_err *err)
{
    char key[24], ver[24], now[24];
    rb_pg_i64(key, RB_PG_MIGRATE_LOCK);
    for (int target = 1; target <= rb_pg_nmigrations; target++) {
        int r = rb_pg_begin(c, err);
        const char *p1[] = {key};
        if (!r)
            r = rb_pg_exec(c, SQL_MIGRATE_LOCK, 1, p1, NULL, "migration lock", err);
        if (!r)
            r = rb_pg_query_once(c, SQL_MIGRATIONS_TABLE, 0, NULL, NULL, "migrations table",
                                 err);
        PGresult *res = NULL;
        if (!r)
            r = rb_pg_query_once(c, SQL_MIGRATIONS_MAX, 0, NULL, &res, "schema version", err);
        int64_t v = r ? 0 : rb_pg_col_i64(res, 0, 0);
        PQclear(res);
        if (!r && v > rb_pg_nmigrations)
            r = rb_err_set(err, 500, "internal_error",
                           "database schema version %" PRId64 " is newer than this binary (%d)",
                           v, rb_pg_nmigrations);
        if (!r && v < target) {
            /* The simple protocol runs a multi-statement script in one call. */
            res = PQexec(c->pg, rb_pg_migrations[target - 1]);
            r = check_result(c, res, NULL, "migration", err);
            const char *p2[] = {rb_pg_i64(ver, target), rb_pg_i64(now, rb_now())};
            if (!r)
                r = rb_pg_query_once(c, SQL_MIGRATIONS_ADD, 2, p2, NULL, "migration record",
                                     err);
            if (!r)
                rb_info("store: applied PostgreSQL migration %d", target);
        }
        if (r) {
            rb_pg_rollback(c);
            return r;
        }
        r = rb_pg_commit(NULL, c, err);
        if (r)
            return r;
    }
    return RB_OK;
}

/* ---- opening ------------------------------------------------------------------ */

static void pg_close(rb_store *base)
{
    rb_pgstore *st = rb_pgs(base);
    rb_pg_listen_stop(base);
    for (int i = 0; st->all && i < st->nslots; i++) {
        conn_drop(st->all[i]);
        free(st->all[i]);
    }
    free(st->all);
    free(st->url);
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->avail);
    rb_store_base_destroy(&st->base);
    free(st);
}

int rb_pg_open(const char *url, int pool_size, rb_store **out, rb_err *err)
{
    *out = NULL;
    rb_pgstore *st = calloc(1, sizeof *st);
    if (!st)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    rb_store_base_init(&st->base, &rb_pg_ops);
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->avail, NULL);
    st->url = strdup(url);
    st->statement_timeout_ms = STATEMENT_TIMEOUT_MS;
    st->pool_size = pool_size > 0 ? pool_size : 8;
    st->all = calloc((size_t)st->pool_size, sizeof *st->all);
    if (!st->url || !st->all) {
        pg_close(&st->base);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    /* Migrating needs the server now; every other connection opens lazily. */
    rb_pgconn *c;
    int r = rb_pg_acquire(&st->base, &c, err);
    if (!r) {
        r = migrate(c, err);
        rb_pg_release(&st->base, c);
    }
    if (r) {
        pg_close(&st->base);
        return r;
    }
    *out = &st->base;
    return RB_OK;
}

/* ---- settings ------------------------------------------------------------------ */

static const char SQL_SETTING_INIT[] =
    "INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
static const char SQL_SETTING_GET[] = "SELECT value FROM settings WHERE key = $1";
static const char SQL_SETTING_SET[] =
    "INSERT INTO settings(key, value) VALUES ($1, $2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char SQL_SETTING_DEL[] = "DELETE FROM settings WHERE key = $1";

/* Reads key on c into out: RB_OK, RB_NOTFOUND, RB_TOOBIG or an error. */
static int setting_read(rb_pgconn *c, const char *key, char *out, size_t outlen, rb_err *err)
{
    PGresult *res;
    const char *p[] = {key};
    int r = rb_pg_query(c, SQL_SETTING_GET, 1, p, &res, "setting get", err);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        r = RB_NOTFOUND;
    } else {
        const char *v = PQgetvalue(res, 0, 0);
        if (strlen(v) >= outlen) {
            rb_err_set(err, 500, "internal_error", "setting %s does not fit its buffer", key);
            r = RB_TOOBIG;
        } else {
            memcpy(out, v, strlen(v) + 1);
        }
    }
    PQclear(res);
    return r;
}

int rb_pg_setting_get_or_init(rb_store *st, const char *key, const char *dflt, char *out,
                              size_t outlen, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    /* ON CONFLICT DO NOTHING then read, in one statement's visibility: the
     * insert either made the row or another process's committed row is
     * there, so every process reads the same value. */
    const char *p[] = {key, dflt ? dflt : ""};
    r = rb_pg_exec(c, SQL_SETTING_INIT, 2, p, NULL, "setting insert", err);
    if (!r) {
        r = setting_read(c, key, out, outlen, err);
        if (r == RB_NOTFOUND)
            r = rb_err_set(err, 500, "internal_error", "setting %s vanished", key);
    }
    rb_pg_release(st, c);
    return r;
}

int rb_pg_setting_get(rb_store *st, const char *key, char *out, size_t outlen, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = setting_read(c, key, out, outlen, err);
    rb_pg_release(st, c);
    return r;
}

int rb_pg_setting_set(rb_store *st, const char *key, const char *value, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    const char *p[] = {key, value};
    r = rb_pg_exec(c, value ? SQL_SETTING_SET : SQL_SETTING_DEL, value ? 2 : 1, p, NULL,
                   "setting set", err);
    rb_pg_release(st, c);
    return r;
}

/* ---- the backend's table (store_impl.h) ------------------------------------------ */

/* NULL entries are answered 501 "not_implemented" by store.c. */
const rb_store_ops rb_pg_ops = {
    .name = "postgres",
    .close = pg_close,
    .pool_reserve = pg_pool_reserve,
    .setting_get_or_init = rb_pg_setting_get_or_init,
    .setting_get = rb_pg_setting_get,
    .setting_set = rb_pg_setting_set,
    .leader_acquire = rb_pg_leader_acquire,
    .leader_release = rb_pg_leader_release,
    .set_remote_wake = rb_pg_set_remote_wake,
    .env_ensure = rb_pg_env_ensure,
    .env_get = rb_pg_env_get,
    .env_by_name = rb_pg_env_by_name,
    .token_insert = rb_pg_token_insert,
    .token_get = rb_pg_token_get,
    .token_list = rb_pg_token_list,
    .token_revoke = rb_pg_token_revoke,
    .job_create = rb_pg_job_create,
    .job_get = rb_pg_job_get,
    .job_get_json = rb_pg_job_get_json,
    .job_list = rb_pg_job_list,
    .job_cancel = rb_pg_job_cancel,
    .job_claim = rb_pg_job_claim,
    .job_heartbeat = rb_pg_job_heartbeat,
    .job_status = rb_pg_job_status,
    .job_complete = rb_pg_job_complete,
    .job_fail = rb_pg_job_fail,
    .job_sweep = rb_pg_job_sweep,
    .events_for_job = rb_pg_events_for_job,
    .directive_insert = rb_pg_directive_insert,
    .directive_get = rb_pg_directive_get,
    .directive_list = rb_pg_directive_list,
    .directive_delete = rb_pg_directive_delete,
    .directive_run_create = rb_pg_directive_run_create,
    .directive_run_get = rb_pg_directive_run_get,
    .directive_run_list = rb_pg_directive_run_list,
    .directive_run_claim = rb_pg_directive_run_claim,
    .directive_run_save = rb_pg_directive_run_save,
    .asset_directives_add = rb_pg_asset_directives_add,
    .asset_directives_list = rb_pg_asset_directives_list,
    .directive_auto_start = rb_pg_directive_auto_start,
    .directive_run_sweep = rb_pg_directive_run_sweep,
    .job_set_directive = rb_pg_job_set_directive,
    .events_for_run = rb_pg_events_for_run,
    .webhook_endpoint_insert = rb_pg_webhook_endpoint_insert,
    .webhook_endpoint_get = rb_pg_webhook_endpoint_get,
    .webhook_endpoint_list = rb_pg_webhook_endpoint_list,
    .webhook_endpoint_delete = rb_pg_webhook_endpoint_delete,
    .webhook_endpoint_set_secret = rb_pg_webhook_endpoint_set_secret,
    .webhook_claim = rb_pg_webhook_claim,
    .webhook_has_work = rb_pg_webhook_has_work,
    .webhook_record = rb_pg_webhook_record,
    .webhook_record_many = rb_pg_webhook_record_many,
    .webhook_events = rb_pg_webhook_events,
    .webhook_replay = rb_pg_webhook_replay,
    .asset_insert = rb_pg_asset_insert,
    .asset_get = rb_pg_asset_get,
    .asset_list = rb_pg_asset_list,
    .asset_list_after = rb_pg_asset_list_after,
    .asset_update = rb_pg_asset_update,
    .asset_delete = rb_pg_asset_delete,
    .track_insert = rb_pg_track_insert,
    .track_update = rb_pg_track_update,
    .track_get = rb_pg_track_get,
    .track_delete = rb_pg_track_delete,
    .track_get_any_env = rb_pg_track_get_any_env,
    .ingest_claim = rb_pg_ingest_claim,
    .ingest_renew = rb_pg_ingest_renew,
    .track_finish = rb_pg_track_finish,
    .asset_finish = rb_pg_asset_finish,
    .blob_put = rb_pg_blob_put,
    .blob_get = rb_pg_blob_get,
};
