/* store_sqlite.c — the SQLite store's lifecycle: opening the file, the
 * connection pool, migrations, statement cache, transactions with busy retry,
 * error mapping, and settings.
 *
 * Jobs and the outbox live in sqlite_jobs.c, environments, tokens and the
 * media library in sqlite_library.c. docs/store.md explains the design. */
#include "store/sqlite_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "store/sqlite_schema.h"

extern const rb_store_ops rb_sqlite_ops;

#define BUSY_TIMEOUT_MS 5000
/* Extra attempts at BEGIN IMMEDIATE after busy_timeout gave up: a writer that
 * holds the lock for more than 5 s is rare, and failing at once would turn a
 * long checkpoint into a 503 storm. */
#define BEGIN_RETRIES 3

/* ---- errors --------------------------------------------------------------- */

int rb_sql_fail(rb_sqlconn *c, int sqlite_rc, const char *what, rb_err *err)
{
    int prim = sqlite_rc & 0xff;
    const char *msg = c && c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(sqlite_rc);
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED) {
        rb_err_set(err, 503, "unavailable", "the database is busy (%s); retry later", what);
        return RB_BUSY;
    }
    return rb_err_set(err, 500, "internal_error", "database error in %s: %s", what, msg);
}

/* ---- statements ------------------------------------------------------------ */

sqlite3_stmt *rb_sql_prep(rb_sqlconn *c, const char *sql, rb_err *err)
{
    for (int i = 0; i < c->ncache; i++)
        if (c->cache[i].sql == sql)
            return c->cache[i].st;
    sqlite3_stmt *st = NULL;
    unsigned flags = c->ncache < RB_SQL_CACHE ? SQLITE_PREPARE_PERSISTENT : 0;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, flags, &st, NULL);
    if (rc != SQLITE_OK) {
        rb_sql_fail(c, rc, "prepare", err);
        sqlite3_finalize(st);
        return NULL;
    }
    if (c->ncache < RB_SQL_CACHE) {
        c->cache[c->ncache].sql = sql;
        c->cache[c->ncache].st = st;
        c->ncache++;
    }
    return st;
}

sqlite3_stmt *rb_sql_prep_once(rb_sqlconn *c, const char *sql, rb_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        rb_sql_fail(c, rc, "prepare", err);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

void rb_sql_done(rb_sqlconn *c, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (int i = 0; i < c->ncache; i++) {
        if (c->cache[i].st == st) {
            /* Reset ends the statement's read of the database; clearing the
             * bindings drops references to caller memory. */
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return;
        }
    }
    sqlite3_finalize(st);
}

/* ---- binding and reading --------------------------------------------------- */

int rb_sql_bind_text(sqlite3_stmt *st, int i, const char *s, int empty_is_null)
{
    if (!s || (empty_is_null && !*s))
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int rb_sql_bind_json(sqlite3_stmt *st, int i, const json_t *j)
{
    if (!j)
        return sqlite3_bind_null(st, i);
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s)
        return SQLITE_NOMEM;
    /* SQLite calls free even when binding fails. */
    return sqlite3_bind_text(st, i, s, -1, free);
}

void rb_sql_col_copy(sqlite3_stmt *st, int i, char *out, size_t outlen)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

char *rb_sql_col_strdup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

json_t *rb_sql_col_json(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    return json_loads((const char *)t, JSON_DECODE_ANY, NULL);
}

/* ---- transactions ------------------------------------------------------------ */

int rb_sql_exec(rb_sqlconn *c, const char *sql, rb_err *err)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rb_sql_fail(c, rc, sql, err);
    return RB_OK;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int rb_sql_begin_write(rb_sqlconn *c, rb_err *err)
{
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt <= BEGIN_RETRIES; attempt++) {
        rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return RB_OK;
        int prim = rc & 0xff;
        if (prim != SQLITE_BUSY && prim != SQLITE_LOCKED)
            break;
        sleep_ms(25L << attempt);
    }
    return rb_sql_fail(c, rc, "BEGIN IMMEDIATE", err);
}

int rb_sql_begin_read(rb_sqlconn *c, rb_err *err)
{
    return rb_sql_exec(c, "BEGIN", err);
}

int rb_sql_commit(rb_sqlconn *c, rb_err *err)
{
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt <= BEGIN_RETRIES; attempt++) {
        rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            /* Outbox readers in this process (the webhook dispatcher) hear of
             * new events at once instead of at their next poll. */
            if (c->wrote_event && c->owner)
                rb_store_fire_event_hook(c->owner);
            c->wrote_event = 0;
            return RB_OK;
        }
        int prim = rc & 0xff;
        if (prim != SQLITE_BUSY && prim != SQLITE_LOCKED)
            break;
        sleep_ms(25L << attempt);
    }
    int out = rb_sql_fail(c, rc, "COMMIT", err);
    rb_sql_rollback(c);
    return out;
}

void rb_sql_rollback(rb_sqlconn *c)
{
    c->wrote_event = 0;
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- connections ----------------------------------------------------------- */

int rb_sql_conn_open(const char *path, int busy_timeout_ms, rb_sqlconn **out, rb_err *err)
{
    rb_sqlconn *c = calloc(1, sizeof *c);
    if (!c)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    /* NOMUTEX: a connection is only ever used by the thread that borrowed it. */
    int rc = sqlite3_open_v2(path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        int r = rb_sql_fail(c, rc, "open", err);
        rb_sql_conn_close(c);
        return r;
    }
    rb_sql_apply_busy(c, busy_timeout_ms);
    /* WAL lets readers run during a write; synchronous=FULL makes every
     * commit durable (an fsync of the WAL), which group commit amortizes. */
    int r = rb_sql_exec(c, "PRAGMA journal_mode=WAL", err);
    if (!r)
        r = rb_sql_exec(c, "PRAGMA synchronous=FULL", err);
    if (!r)
        r = rb_sql_exec(c, "PRAGMA foreign_keys=ON", err);
    if (r) {
        rb_sql_conn_close(c);
        return r;
    }
    *out = c;
    return RB_OK;
}

void rb_sql_conn_close(rb_sqlconn *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->ncache; i++)
        sqlite3_finalize(c->cache[i].st);
    sqlite3_close(c->db);
    free(c);
}

int rb_sql_acquire(rb_store *base, rb_sqlconn **out, rb_err *err)
{
    rb_sqlstore *st = rb_sq(base);
    pthread_mutex_lock(&st->mu);
    for (;;) {
        if (st->free_list) {
            rb_sqlconn *c = st->free_list;
            st->free_list = c->next_free;
            int busy = st->busy_timeout_ms;
            pthread_mutex_unlock(&st->mu);
            rb_sql_apply_busy(c, busy);
            *out = c;
            return RB_OK;
        }
        if (st->nopen < st->pool_size)
            break;
        pthread_cond_wait(&st->avail, &st->mu);
    }
    /* Reserve the slot, then open outside the lock: opening touches the disk. */
    int slot = st->nopen++;
    int busy = st->busy_timeout_ms;
    pthread_mutex_unlock(&st->mu);
    rb_sqlconn *c = NULL;
    int rc = rb_sql_conn_open(st->path, busy, &c, err);
    if (rc == RB_OK)
        c->owner = base;
    pthread_mutex_lock(&st->mu);
    if (rc) {
        st->nopen--;
        /* Hand the slot back: another waiter may retry the open. */
        pthread_cond_signal(&st->avail);
    } else {
        st->all[slot] = c;
    }
    pthread_mutex_unlock(&st->mu);
    if (rc)
        return rc;
    *out = c;
    return RB_OK;
}

void rb_sqlite_pool_reserve(rb_store *base, int n)
{
    rb_sqlstore *st = rb_sq(base);
    if (!st || n <= 0)
        return;
    pthread_mutex_lock(&st->mu);
    if (n > st->pool_size) {
        /* `all` is only read and written under mu, so growing it here is
         * safe even while connections are borrowed. */
        rb_sqlconn **all = realloc(st->all, (size_t)n * sizeof *all);
        if (all) {
            memset(all + st->pool_size, 0, (size_t)(n - st->pool_size) * sizeof *all);
            st->all = all;
            st->pool_size = n;
            /* Waiters may open one of the new slots. */
            pthread_cond_broadcast(&st->avail);
        }
    }
    pthread_mutex_unlock(&st->mu);
}

void rb_sql_release(rb_store *base, rb_sqlconn *c)
{
    rb_sqlstore *st = rb_sq(base);
    if (!c)
        return;
    /* A borrower that returned mid-transaction must not leak it to the next. */
    rb_sql_rollback(c);
    pthread_mutex_lock(&st->mu);
    c->next_free = st->free_list;
    st->free_list = c;
    pthread_cond_signal(&st->avail);
    pthread_mutex_unlock(&st->mu);
}

int rb_sql_acquire_prep(rb_store *st, const char *sql, rb_sqlconn **c, sqlite3_stmt **q,
                        rb_err *err)
{
    int r = rb_sql_acquire(st, c, err);
    if (r)
        return r;
    *q = rb_sql_prep(*c, sql, err);
    if (!*q) {
        /* The caller holds nothing after a failure, so it can just return. */
        rb_sql_release(st, *c);
        *c = NULL;
        return RB_ERR;
    }
    return RB_OK;
}

int rb_sql_exec_steps(rb_sqlconn *c, const char *const *sqls, size_t n,
                      const char *const *texts, size_t ntexts, const int64_t *ints,
                      size_t nints, const char *what, int64_t *last_changes, rb_err *err)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *q = rb_sql_prep(c, sqls[i], err);
        if (!q)
            return RB_ERR;
        for (size_t k = 0; k < ntexts; k++)
            rb_sql_bind_text(q, (int)(k + 1), texts[k], 0);
        for (size_t k = 0; k < nints; k++)
            sqlite3_bind_int64(q, (int)(ntexts + k + 1), ints[k]);
        int rc = sqlite3_step(q);
        int r = RB_OK;
        if (rc != SQLITE_DONE)
            r = rb_sql_fail(c, rc, what, err);
        else if (i + 1 == n && last_changes)
            /* Read before the reset below, while it still names this statement. */
            *last_changes = sqlite3_changes(c->db);
        rb_sql_done(c, q);
        if (r)
            return r;
    }
    return RB_OK;
}

int rb_sql_write_steps(rb_store *st, const char *const *sqls, size_t n,
                       const char *const *texts, size_t ntexts, const int64_t *ints,
                       size_t nints, const char *what, int64_t *last_changes, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    if (!r)
        r = rb_sql_exec_steps(c, sqls, n, texts, ntexts, ints, nints, what, last_changes, err);
    if (!r)
        r = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    rb_sql_release(st, c);
    return r;
}

int rb_sql_collect(rb_sqlconn *c, sqlite3_stmt *q, size_t elem_size,
                   void (*read)(sqlite3_stmt *q, void *elem), void **arr, size_t *n,
                   const char *what, rb_err *err)
{
    /* Capacity starts at the empty array the caller passes and doubles, so a
     * list of N rows costs O(log N) reallocs. */
    size_t cap = *n;
    int rc, r = RB_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            void *p = realloc(*arr, nc * elem_size);
            if (!p) {
                /* The rows read so far stay in *arr for the caller to free. */
                r = rb_err_set(err, 500, "internal_error", "out of memory");
                break;
            }
            *arr = p;
            cap = nc;
        }
        read(q, (char *)*arr + (*n)++ * elem_size);
    }
    if (!r && rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, what, err);
    return r;
}

void rb_sqlite_set_busy_timeout(rb_store *base, int ms)
{
    rb_sqlstore *st = rb_sq(base);
    pthread_mutex_lock(&st->mu);
    pthread_mutex_lock(&st->gc_mu);
    st->busy_timeout_ms = ms;
    pthread_mutex_unlock(&st->gc_mu);
    pthread_mutex_unlock(&st->mu);
}

void rb_sql_apply_busy(rb_sqlconn *c, int ms)
{
    if (c->busy_timeout_ms != ms) {
        sqlite3_busy_timeout(c->db, ms);
        c->busy_timeout_ms = ms;
    }
}

/* ---- opening --------------------------------------------------------------- */

/* mkdir -p of the directory part of path. */
static int make_parent_dirs(const char *path, rb_err *err)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return RB_OK;
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char save = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                return rb_err_set(err, 500, "internal_error", "cannot create directory %s: %s",
                                  dir, strerror(errno));
            *p = save;
            if (!save)
                break;
        }
    }
    return RB_OK;
}

static int user_version(rb_sqlconn *c, int *out, rb_err *err)
{
    sqlite3_stmt *st = rb_sql_prep_once(c, "PRAGMA user_version", err);
    if (!st)
        return RB_ERR;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        int r = rb_sql_fail(c, rc, "PRAGMA user_version", err);
        sqlite3_finalize(st);
        return r;
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return RB_OK;
}

/* Applies each missing migration in its own write transaction. The version is
 * re-read after BEGIN IMMEDIATE, so when two processes race, the second one
 * finds the work done and commits nothing. */
static int migrate(rb_sqlconn *c, rb_err *err)
{
    for (int target = 1; target <= rb_sqlite_nmigrations; target++) {
        int r = rb_sql_begin_write(c, err);
        if (r)
            return r;
        int v = 0;
        r = user_version(c, &v, err);
        if (!r && v > rb_sqlite_nmigrations)
            r = rb_err_set(err, 500, "internal_error",
                           "database schema version %d is newer than this binary (%d)", v,
                           rb_sqlite_nmigrations);
        if (!r && v < target) {
            r = rb_sql_exec(c, rb_sqlite_migrations[target - 1], err);
            char sql[160];
            snprintf(sql, sizeof sql,
                     "INSERT INTO schema_migrations(version, applied_at) VALUES (%d, %lld);"
                     "PRAGMA user_version = %d;",
                     target, (long long)rb_now(), target);
            if (!r)
                r = rb_sql_exec(c, sql, err);
            if (!r)
                rb_info("store: applied migration %d", target);
        }
        if (r) {
            rb_sql_rollback(c);
            return r;
        }
        r = rb_sql_commit(c, err);
        if (r)
            return r;
    }
    return RB_OK;
}

/* SQLite's memory statistics take one process-wide mutex around every
 * allocation, and every statement step allocates: with several HTTP threads
 * reading at once that mutex is where they queue. Nothing here reads the
 * statistics. sqlite3_config only works before SQLite initializes, i.e.
 * before the first connection of the process opens; later it is a no-op. */
static pthread_once_t sqlite_config_once = PTHREAD_ONCE_INIT;

static void sqlite_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int rb_sqlite_open(const char *path, int pool_size, rb_store **out, rb_err *err)
{
    pthread_once(&sqlite_config_once, sqlite_config);
    *out = NULL;
    if (!path || !*path)
        return rb_err_set(err, 500, "internal_error",
                          "unsupported database URL (expected sqlite:/path/file.db)");
    if (strlen(path) >= sizeof ((rb_sqlstore *)0)->path)
        return rb_err_set(err, 500, "internal_error", "database path too long");
    int r = make_parent_dirs(path, err);
    if (r)
        return r;

    rb_sqlstore *st = calloc(1, sizeof *st);
    if (!st)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    rb_store_base_init(&st->base, &rb_sqlite_ops);
    snprintf(st->path, sizeof st->path, "%s", path);
    st->pool_size = pool_size > 0 ? pool_size : 8;
    st->busy_timeout_ms = BUSY_TIMEOUT_MS;
    st->all = calloc((size_t)st->pool_size, sizeof *st->all);
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->avail, NULL);
    pthread_mutex_init(&st->gc_mu, NULL);
    pthread_cond_init(&st->gc_work, NULL);
    pthread_rwlock_init(&st->memo_mu, NULL);
    if (!st->all) {
        rb_sqlite_close(&st->base);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }

    /* The committer's connection runs the migrations, then stays its own. */
    r = rb_sql_conn_open(st->path, st->busy_timeout_ms, &st->gc_conn, err);
    if (r == RB_OK)
        st->gc_conn->owner = &st->base;
    if (!r)
        r = migrate(st->gc_conn, err);
    if (!r && pthread_create(&st->gc_thread, NULL, rb_sql_gc_main, st) != 0)
        r = rb_err_set(err, 500, "internal_error", "cannot start the commit thread");
    if (r) {
        rb_sqlite_close(&st->base);
        return r;
    }
    st->gc_started = 1;
    *out = &st->base;
    return RB_OK;
}

void rb_sqlite_close(rb_store *base)
{
    rb_sqlstore *st = rb_sq(base);
    if (!st)
        return;
    if (st->gc_started) {
        pthread_mutex_lock(&st->gc_mu);
        st->gc_stop = 1;
        pthread_cond_broadcast(&st->gc_work);
        pthread_mutex_unlock(&st->gc_mu);
        pthread_join(st->gc_thread, NULL);
        if (st->gc_batches > 0)
            rb_debug("store: group commit wrote %lld creates in %lld transactions"
                     " (%.1f per commit, at most %lld)",
                     (long long)st->gc_rows, (long long)st->gc_batches,
                     (double)st->gc_rows / (double)st->gc_batches,
                     (long long)st->gc_max_batch);
    }
    rb_sql_conn_close(st->gc_conn);
    for (int i = 0; st->all && i < st->pool_size; i++)
        rb_sql_conn_close(st->all[i]);
    free(st->all);
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->avail);
    pthread_mutex_destroy(&st->gc_mu);
    pthread_cond_destroy(&st->gc_work);
    rb_sql_memo_free(base);
    pthread_rwlock_destroy(&st->memo_mu);
    rb_store_base_destroy(&st->base);
    free(st);
}

/* ---- settings ----------------------------------------------------------------- */

static const char SQL_SETTING_INIT[] = "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)";
static const char SQL_SETTING_GET[] = "SELECT value FROM settings WHERE key = ?";

int rb_sqlite_setting_get_or_init(rb_store *st, const char *key, const char *dflt, char *out,
                                  size_t outlen, rb_err *err)
{
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && (q = rb_sql_prep(c, SQL_SETTING_INIT, err)) == NULL)
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, key, 0);
        rb_sql_bind_text(q, 2, dflt ? dflt : "", 0);
        int rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            r = rb_sql_fail(c, rc, "setting insert", err);
        rb_sql_done(c, q);
    }
    if (!r && (q = rb_sql_prep(c, SQL_SETTING_GET, err)) == NULL)
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, key, 0);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(q, 0);
            if (!v)
                v = "";
            if (strlen(v) >= outlen) {
                rb_err_set(err, 500, "internal_error", "setting %s does not fit its buffer", key);
                r = RB_TOOBIG;
            } else {
                memcpy(out, v, strlen(v) + 1);
            }
        } else {
            r = rb_sql_fail(c, rc, "setting get", err);
        }
        rb_sql_done(c, q);
    }
    if (!r)
        r = rb_sql_commit(c, err);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_SETTING_SET[] =
    "INSERT INTO settings(key, value) VALUES (?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_SETTING_DEL[] = "DELETE FROM settings WHERE key = ?";

int rb_sqlite_setting_get(rb_store *st, const char *key, char *out, size_t outlen, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_SETTING_GET, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, key, 0);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(q, 0);
        size_t n = v ? strlen(v) : 0;
        if (n >= outlen) {
            r = rb_err_set(err, 500, "internal_error", "setting %s does not fit its buffer", key);
            r = RB_TOOBIG;
        } else {
            memcpy(out, v ? v : "", n + 1);
        }
    } else if (rc == SQLITE_DONE) {
        r = RB_NOTFOUND;
    } else {
        r = rb_sql_fail(c, rc, "setting get", err);
    }
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

int rb_sqlite_setting_set(rb_store *st, const char *key, const char *value, rb_err *err)
{
    const char *const sqls[] = {value ? SQL_SETTING_SET : SQL_SETTING_DEL};
    const char *const texts[] = {key, value};
    return rb_sql_write_steps(st, sqls, 1, texts, value ? 2 : 1, NULL, 0, "setting set", NULL,
                              err);
}

/* ---- leader leases ------------------------------------------------------------ */

/* One statement decides: the row is inserted on first use, or taken over
 * when the caller already holds it or the holder's lease ran out; otherwise
 * the upsert's WHERE leaves it alone and RETURNING yields no row. */
static const char SQL_LEADER_ACQUIRE[] =
    "INSERT INTO leader_leases(name, owner, expires_at_ms) VALUES (?1, ?2, ?3 + ?4)"
    " ON CONFLICT(name) DO UPDATE SET owner = excluded.owner,"
    " expires_at_ms = excluded.expires_at_ms"
    " WHERE leader_leases.owner = excluded.owner OR leader_leases.expires_at_ms <= ?3"
    " RETURNING owner";
static const char SQL_LEADER_RELEASE[] =
    "DELETE FROM leader_leases WHERE name = ?1 AND owner = ?2";

static int sqlite_leader_acquire(rb_store *st, const char *name, const char *owner, int ttl_s,
                                 int *is_leader, rb_err *err)
{
    *is_leader = 0;
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    sqlite3_stmt *q = NULL;
    if (!r && (q = rb_sql_prep(c, SQL_LEADER_ACQUIRE, err)) == NULL)
        r = RB_ERR;
    if (!r) {
        rb_sql_bind_text(q, 1, name, 0);
        rb_sql_bind_text(q, 2, owner, 0);
        sqlite3_bind_int64(q, 3, rb_now_ms());
        sqlite3_bind_int64(q, 4, (int64_t)ttl_s * 1000);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            *is_leader = 1;
            rc = sqlite3_step(q);
        }
        if (rc != SQLITE_DONE) {
            *is_leader = 0;
            r = rb_sql_fail(c, rc, "leader lease", err);
        }
        rb_sql_done(c, q);
    }
    if (!r)
        r = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    if (r)
        *is_leader = 0;
    rb_sql_release(st, c);
    return r;
}

static int sqlite_leader_release(rb_store *st, const char *name, const char *owner, rb_err *err)
{
    const char *const sqls[] = {SQL_LEADER_RELEASE};
    const char *const texts[] = {name, owner};
    return rb_sql_write_steps(st, sqls, 1, texts, 2, NULL, 0, "leader release", NULL, err);
}

/* ---- the backend's table (store_impl.h) -------------------------------------- */

const rb_store_ops rb_sqlite_ops = {
    .name = "sqlite",
    .close = rb_sqlite_close,
    .pool_reserve = rb_sqlite_pool_reserve,
    .setting_get_or_init = rb_sqlite_setting_get_or_init,
    .setting_get = rb_sqlite_setting_get,
    .setting_set = rb_sqlite_setting_set,
    .leader_acquire = sqlite_leader_acquire,
    .leader_release = sqlite_leader_release,
    /* set_remote_wake stays NULL: one SQLite file serves one machine, where
     * the event hook and polling already reach every process in time. */
    .env_ensure = rb_sqlite_env_ensure,
    .env_get = rb_sqlite_env_get,
    .env_by_name = rb_sqlite_env_by_name,
    .token_insert = rb_sqlite_token_insert,
    .token_get = rb_sqlite_token_get,
    .token_list = rb_sqlite_token_list,
    .token_revoke = rb_sqlite_token_revoke,
    .job_create = rb_sqlite_job_create,
    .job_get = rb_sqlite_job_get,
    .job_get_json = rb_sqlite_job_get_json,
    .job_list = rb_sqlite_job_list,
    .job_cancel = rb_sqlite_job_cancel,
    .job_claim = rb_sqlite_job_claim,
    .job_heartbeat = rb_sqlite_job_heartbeat,
    .job_status = rb_sqlite_job_status,
    .job_complete = rb_sqlite_job_complete,
    .job_fail = rb_sqlite_job_fail,
    .job_sweep = rb_sqlite_job_sweep,
    .events_for_job = rb_sqlite_events_for_job,
    .asset_insert = rb_sqlite_asset_insert,
    .asset_get = rb_sqlite_asset_get,
    .asset_list = rb_sqlite_asset_list,
    .asset_list_after = rb_sqlite_asset_list_after,
    .asset_update = rb_sqlite_asset_update,
    .asset_delete = rb_sqlite_asset_delete,
    .track_insert = rb_sqlite_track_insert,
    .track_update = rb_sqlite_track_update,
    .track_get = rb_sqlite_track_get,
    .track_delete = rb_sqlite_track_delete,
    .track_get_any_env = rb_sqlite_track_get_any_env,
    .ingest_claim = rb_sqlite_ingest_claim,
    .ingest_renew = rb_sqlite_ingest_renew,
    .track_finish = rb_sqlite_track_finish,
    .asset_finish = rb_sqlite_asset_finish,
    .blob_put = rb_sqlite_blob_put,
    .blob_get = rb_sqlite_blob_get,
    .directive_insert = rb_sqlite_directive_insert,
    .directive_get = rb_sqlite_directive_get,
    .directive_list = rb_sqlite_directive_list,
    .directive_delete = rb_sqlite_directive_delete,
    .directive_run_create = rb_sqlite_directive_run_create,
    .directive_run_get = rb_sqlite_directive_run_get,
    .directive_run_list = rb_sqlite_directive_run_list,
    .directive_run_claim = rb_sqlite_directive_run_claim,
    .directive_run_save = rb_sqlite_directive_run_save,
    .job_set_directive = rb_sqlite_job_set_directive,
    .asset_directives_add = rb_sqlite_asset_directives_add,
    .asset_directives_list = rb_sqlite_asset_directives_list,
    .directive_auto_start = rb_sqlite_directive_auto_start,
    .directive_run_sweep = rb_sqlite_directive_run_sweep,
    .events_for_run = rb_sqlite_events_for_run,
    .webhook_endpoint_insert = rb_sqlite_webhook_endpoint_insert,
    .webhook_endpoint_get = rb_sqlite_webhook_endpoint_get,
    .webhook_endpoint_list = rb_sqlite_webhook_endpoint_list,
    .webhook_endpoint_delete = rb_sqlite_webhook_endpoint_delete,
    .webhook_endpoint_set_secret = rb_sqlite_webhook_endpoint_set_secret,
    .webhook_claim = rb_sqlite_webhook_claim,
    .webhook_has_work = rb_sqlite_webhook_has_work,
    .webhook_record = rb_sqlite_webhook_record,
    .webhook_record_many = rb_sqlite_webhook_record_many,
    .webhook_events = rb_sqlite_webhook_events,
    .webhook_replay = rb_sqlite_webhook_replay,
};
