/* pg_cluster.c — what many processes on one PostgreSQL need beyond the
 * store calls: named leader leases, and LISTEN/NOTIFY wake-ups.
 *
 * Leader leases are rows of leader_leases, taken or renewed by one atomic
 * upsert against the server's clock. Wake-ups: writers NOTIFY a channel in
 * the transaction that made work (rb_pg_notify / rb_pg_commit), and each
 * handle that asked for remote wakes runs one listener thread on a
 * connection of its own (a pooled one would be handed to other callers
 * between notifications). docs/store-postgres.md explains the design. */
#include "store/pg_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"

/* Listener reconnect backoff: first wait, and the cap it doubles up to. */
#define LISTEN_BACKOFF_MIN_MS 100
#define LISTEN_BACKOFF_MAX_MS 5000

/* ---- leader leases --------------------------------------------------------------- */

/* One statement decides, so two nodes racing cannot both win: the row is
 * inserted on first use, or rewritten when the caller already holds it or
 * the holder's lease ran out; otherwise the upsert's WHERE leaves it alone
 * and RETURNING yields no row. The server's clock is the only clock. */
static const char SQL_LEADER_ACQUIRE[] =
    "WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)"
    " INSERT INTO leader_leases AS l (name, owner, expires_at_ms)"
    " SELECT $1, $2, now.ms + $3::bigint FROM now"
    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
    " expires_at_ms = excluded.expires_at_ms"
    " WHERE l.owner = excluded.owner"
    " OR l.expires_at_ms <= excluded.expires_at_ms - $3::bigint"
    " RETURNING l.owner";
static const char SQL_LEADER_RELEASE[] =
    "DELETE FROM leader_leases WHERE name = $1 AND owner = $2";

int rb_pg_leader_acquire(rb_store *st, const char *name, const char *owner, int ttl_s,
                         int *is_leader, rb_err *err)
{
    *is_leader = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char ttl[24];
    const char *p[] = {name, owner, rb_pg_i64(ttl, (int64_t)ttl_s * 1000)};
    PGresult *res = NULL;
    r = rb_pg_query(c, SQL_LEADER_ACQUIRE, 3, p, &res, "leader lease", err);
    if (!r)
        *is_leader = PQntuples(res) == 1;
    PQclear(res);
    rb_pg_release(st, c);
    return r;
}

int rb_pg_leader_release(rb_store *st, const char *name, const char *owner, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    const char *p[] = {name, owner};
    r = rb_pg_exec(c, SQL_LEADER_RELEASE, 2, p, NULL, "leader release", err);
    rb_pg_release(st, c);
    return r;
}

/* ---- NOTIFY ------------------------------------------------------------------------ */

/* pg_notify() takes the channel as a value, so one prepared statement sends
 * every channel of the mask in one round trip. PostgreSQL folds identical
 * notifications of one transaction into one. */
static const char SQL_NOTIFY[] = "SELECT pg_notify(ch, '') FROM unnest($1::text[]) AS ch";

int rb_pg_notify_send(rb_pgconn *c, int bits, rb_err *err)
{
    char list[96] = "{";
    size_t n = 1;
    const struct {
        int bit;
        const char *name;
    } chans[] = {{RB_STORE_WAKE_JOBS, RB_PG_CHANNEL_JOBS},
                 {RB_STORE_WAKE_EVENTS, RB_PG_CHANNEL_EVENTS},
                 {RB_STORE_WAKE_INGEST, RB_PG_CHANNEL_INGEST}};
    for (size_t i = 0; i < sizeof chans / sizeof chans[0]; i++) {
        if (!(bits & chans[i].bit))
            continue;
        int w = snprintf(list + n, sizeof list - n, "%s%s", n > 1 ? "," : "", chans[i].name);
        if (w > 0 && (size_t)w < sizeof list - n)
            n += (size_t)w;
    }
    if (n == 1)
        return RB_OK;
    snprintf(list + n, sizeof list - n, "}");
    const char *p[] = {list};
    return rb_pg_exec(c, SQL_NOTIFY, 1, p, NULL, "notify", err);
}

void rb_pg_notify(rb_pgconn *c, int bits)
{
    if (!c || !c->pg || !bits)
        return;
    if (PQtransactionStatus(c->pg) == PQTRANS_INTRANS) {
        c->notify |= bits;
        return;
    }
    rb_err err;
    rb_err_clear(&err);
    if (rb_pg_notify_send(c, bits, &err) != RB_OK)
        rb_debug("store: NOTIFY failed (pollers will find the work): %s", err.message);
}

/* ---- the listener ---------------------------------------------------------------- */

typedef struct rb_pglisten {
    pthread_t thread;
    int wake_pipe[2];              /* written by stop: the thread's poll() returns */
    atomic_int stopping;
    pthread_mutex_t mu;            /* guards fn/arg (replaced while running) */
    void (*fn)(void *arg, int what);
    void *arg;
    char *url;
} rb_pglisten;

static void listen_call(rb_pglisten *l, int bits)
{
    pthread_mutex_lock(&l->mu);
    void (*fn)(void *, int) = l->fn;
    void *arg = l->arg;
    pthread_mutex_unlock(&l->mu);
    if (fn && bits)
        fn(arg, bits);
}

/* Waits up to ms for fd to become readable or for stop; 1 = fd readable,
 * 0 = timeout, -1 = stopping. fd < 0 waits for stop only. */
static int listen_wait(rb_pglisten *l, int fd, int ms)
{
    struct pollfd p[2] = {{.fd = l->wake_pipe[0], .events = POLLIN},
                          {.fd = fd, .events = POLLIN}};
    int n = poll(p, fd >= 0 ? 2 : 1, ms);
    if (atomic_load(&l->stopping) || (n > 0 && (p[0].revents & POLLIN)))
        return -1;
    if (n > 0 && fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
        return 1;
    return 0;
}

static int channel_bit(const char *name)
{
    if (strcmp(name, RB_PG_CHANNEL_JOBS) == 0)
        return RB_STORE_WAKE_JOBS;
    if (strcmp(name, RB_PG_CHANNEL_EVENTS) == 0)
        return RB_STORE_WAKE_EVENTS;
    if (strcmp(name, RB_PG_CHANNEL_INGEST) == 0)
        return RB_STORE_WAKE_INGEST;
    return 0;
}

/* Copies a libpq message onto one line (libpq ends them with a newline and
 * indents hints): the log's lines are one line each. */
static void one_line(const char *msg, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", msg ? msg : "");
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    for (size_t n = strlen(out); n > 0 && out[n - 1] == ' '; n--)
        out[n - 1] = '\0';
}

/* The server's goodbye ("terminating connection due to administrator
 * command") arrives as a notice: debug log, not stderr. */
static void listen_notice(void *arg, const char *message)
{
    (void)arg;
    char text[256];
    one_line(message, text, sizeof text);
    rb_debug("store: PostgreSQL (listener): %s", text);
}

/* Opens the listening session: NULL when the server cannot be reached. */
static PGconn *listen_connect(rb_pglisten *l)
{
    /* Keepalives make a silently vanished server (a network partition) show
     * up as a broken socket within ~25 s instead of never. connect_timeout
     * comes first so a value in the URL wins; it also bounds how long a
     * stop waits for a connect in progress. */
    const char *keys[] = {"connect_timeout", "keepalives", "keepalives_idle",
                          "keepalives_interval", "keepalives_count", "dbname",
                          "application_name", NULL};
    const char *vals[] = {"2", "1", "10", "5", "3", l->url, "robots-listener", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        char text[256];
        one_line(pg ? PQerrorMessage(pg) : "out of memory", text, sizeof text);
        rb_debug("store: listener cannot connect: %s", text);
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, listen_notice, NULL);
    PGresult *res = PQexec(pg, "LISTEN " RB_PG_CHANNEL_JOBS "; LISTEN " RB_PG_CHANNEL_EVENTS
                               "; LISTEN " RB_PG_CHANNEL_INGEST);
    int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok || PQsetnonblocking(pg, 1) != 0) {
        rb_debug("store: LISTEN failed: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

static void *listen_main(void *arg)
{
    rb_pglisten *l = arg;
    int backoff = 0;
    int was_down = 0;
    while (!atomic_load(&l->stopping)) {
        PGconn *pg = listen_connect(l);
        if (!pg) {
            backoff = backoff ? backoff * 2 : LISTEN_BACKOFF_MIN_MS;
            if (backoff > LISTEN_BACKOFF_MAX_MS)
                backoff = LISTEN_BACKOFF_MAX_MS;
            if (!was_down)
                rb_warn("store: LISTEN connection unavailable; polling until it is back");
            was_down = 1;
            if (listen_wait(l, -1, backoff) < 0)
                break;
            continue;
        }
        if (was_down)
            rb_info("store: LISTEN connection restored");
        backoff = 0;
        was_down = 0;
        /* Notifications sent while no session listened are gone: wake every
         * kind once so the pollers look now rather than at their next tick. */
        listen_call(l, RB_STORE_WAKE_JOBS | RB_STORE_WAKE_EVENTS | RB_STORE_WAKE_INGEST);
        int fd = PQsocket(pg);
        for (;;) {
            int w = listen_wait(l, fd, 5000);
            if (w < 0)
                break;
            if (w == 0)
                continue;
            if (!PQconsumeInput(pg) || PQstatus(pg) != CONNECTION_OK) {
                char text[256];
                one_line(PQerrorMessage(pg), text, sizeof text);
                rb_warn("store: LISTEN connection lost (%s); reconnecting", text);
                was_down = 1;
                break;
            }
            int bits = 0;
            PGnotify *n;
            while ((n = PQnotifies(pg)) != NULL) {
                bits |= channel_bit(n->relname);
                PQfreemem(n);
            }
            listen_call(l, bits);
        }
        PQfinish(pg);
        /* A session that just broke is retried at once, then with backoff. */
    }
    return NULL;
}

void rb_pg_listen_stop(rb_store *base)
{
    rb_pgstore *st = rb_pgs(base);
    rb_pglisten *l = st->listener;
    if (!l)
        return;
    st->listener = NULL;
    atomic_store(&l->stopping, 1);
    ssize_t w;
    do {
        w = write(l->wake_pipe[1], "x", 1);
    } while (w < 0 && errno == EINTR);
    pthread_join(l->thread, NULL);
    close(l->wake_pipe[0]);
    close(l->wake_pipe[1]);
    pthread_mutex_destroy(&l->mu);
    free(l->url);
    free(l);
}

int rb_pg_set_remote_wake(rb_store *base, void (*fn)(void *arg, int what), void *arg,
                          rb_err *err)
{
    rb_pgstore *st = rb_pgs(base);
    if (!fn) {
        rb_pg_listen_stop(base);
        return RB_OK;
    }
    if (st->listener) {
        rb_pglisten *l = st->listener;
        pthread_mutex_lock(&l->mu);
        l->fn = fn;
        l->arg = arg;
        pthread_mutex_unlock(&l->mu);
        return RB_OK;
    }
    rb_pglisten *l = calloc(1, sizeof *l);
    if (!l)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    l->url = strdup(st->url);
    if (!l->url || pipe(l->wake_pipe) != 0) {
        free(l->url);
        free(l);
        return rb_err_set(err, 500, "internal_error", "cannot set up the listener");
    }
    pthread_mutex_init(&l->mu, NULL);
    l->fn = fn;
    l->arg = arg;
    if (pthread_create(&l->thread, NULL, listen_main, l) != 0) {
        close(l->wake_pipe[0]);
        close(l->wake_pipe[1]);
        pthread_mutex_destroy(&l->mu);
        free(l->url);
        free(l);
        return rb_err_set(err, 500, "internal_error", "cannot start the listener thread");
    }
    st->listener = l;
    return RB_OK;
}
