/* pg_webhooks.c — webhook endpoints, deliveries and attempts on
 * PostgreSQL, with the rules of sqlite_webhooks.c (docs/webhooks.md).
 *
 * The fan-out differs. SQLite keeps a high-water mark over events.seq, which
 * is sound there because one writer at a time means seqs commit in order. On
 * PostgreSQL concurrent sessions commit BIGSERIAL values out of order (seq 7
 * can become visible after seq 8), so a mark could skip an event for good.
 * Instead every event carries fanned_out; the fan-out turns the events that
 * are committed and not yet fanned out into deliveries and marks them. Fan-
 * outs never run two at a time (a transaction-scoped advisory lock; a claim
 * that finds it taken skips its fan-out, the holder is doing it): an event
 * visible to one fan-out was committed before any later event of the same
 * job was written, so a job's events are fanned out in order, and the claim's
 * "no earlier pending event of this subject" rule keeps them in order per
 * endpoint across any number of dispatchers. Claims lock deliveries with
 * FOR UPDATE SKIP LOCKED. */
#include "store/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

/* The fan-out's advisory lock key (transaction scope). */
#define FANOUT_LOCK 7262819432LL

/* from_seq: the endpoint receives the events written after it. */
static const char SQL_EP_INSERT[] =
    "INSERT INTO webhook_endpoints(id, env_id, url, secret, created_at, from_seq)"
    " VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(seq), 0) FROM events))";

#define EP_COLS "id, env_id, url, secret, created_at, disabled_at, disabled_reason"

static const char SQL_EP_GET[] = "SELECT " EP_COLS " FROM webhook_endpoints WHERE id = $1";
static const char SQL_EP_LIST[] = "SELECT " EP_COLS " FROM webhook_endpoints"
                                  " WHERE ($1::text IS NULL OR env_id = $1)"
                                  " ORDER BY created_at, id";
static const char SQL_EP_DELETE[] = "DELETE FROM webhook_endpoints WHERE id = $1";
static const char SQL_EP_SECRET[] = "UPDATE webhook_endpoints SET secret = $2,"
                                    " disabled_at = NULL, disabled_reason = NULL WHERE id = $1";

static void read_endpoint(const PGresult *res, int row, rb_webhook_endpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    rb_pg_col_copy(res, row, 0, ep->id, sizeof ep->id);
    rb_pg_col_copy(res, row, 1, ep->env_id, sizeof ep->env_id);
    rb_pg_col_copy(res, row, 2, ep->url, sizeof ep->url);
    rb_pg_col_copy(res, row, 3, ep->secret, sizeof ep->secret);
    ep->created_at = rb_pg_col_i64(res, row, 4);
    ep->disabled_at = rb_pg_col_i64(res, row, 5);
    rb_pg_col_copy(res, row, 6, ep->disabled_reason, sizeof ep->disabled_reason);
}

int rb_pg_webhook_endpoint_insert(rb_store *st, const rb_webhook_endpoint *ep, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char at[24];
    const char *p[] = {ep->id, ep->env_id, ep->url, ep->secret, rb_pg_i64(at, ep->created_at)};
    r = rb_pg_exec(c, SQL_EP_INSERT, 5, p, NULL, "webhook endpoint insert", err);
    rb_pg_release(st, c);
    return r;
}

int rb_pg_webhook_endpoint_get(rb_store *st, const char *id, rb_webhook_endpoint *out,
                               rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {id};
    r = rb_pg_query(c, SQL_EP_GET, 1, p, &res, "webhook endpoint get", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        rb_err_set(err, 404, "not_found", "webhook endpoint %s not found", id);
        r = RB_NOTFOUND;
    } else {
        read_endpoint(res, 0, out);
    }
    PQclear(res);
    return r;
}

int rb_pg_webhook_endpoint_list(rb_store *st, const char *env_id, rb_webhook_endpoint **out,
                                size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    const char *p[] = {env_id};
    r = rb_pg_query(c, SQL_EP_LIST, 1, p, &res, "webhook endpoint list", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    int k = PQntuples(res);
    if (k > 0) {
        rb_webhook_endpoint *arr = calloc((size_t)k, sizeof *arr);
        if (!arr) {
            PQclear(res);
            return rb_err_set(err, 500, "internal_error", "out of memory");
        }
        for (int i = 0; i < k; i++)
            read_endpoint(res, i, &arr[i]);
        *out = arr;
        *n = (size_t)k;
    }
    PQclear(res);
    return RB_OK;
}

/* Runs one statement on the endpoint id ($1, and $2 = text2 when not NULL):
 * RB_NOTFOUND when it changed no row. */
static int exec_by_id(rb_store *st, const char *sql, const char *id, const char *text2,
                      const char *what, rb_err *err)
{
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    const char *p[] = {id, text2};
    int64_t changed = 0;
    r = rb_pg_exec(c, sql, text2 ? 2 : 1, p, &changed, what, err);
    rb_pg_release(st, c);
    if (!r && !changed) {
        rb_err_set(err, 404, "not_found", "webhook endpoint %s not found", id);
        r = RB_NOTFOUND;
    }
    return r;
}

int rb_pg_webhook_endpoint_delete(rb_store *st, const char *id, rb_err *err)
{
    return exec_by_id(st, SQL_EP_DELETE, id, NULL, "webhook endpoint delete", err);
}

int rb_pg_webhook_endpoint_set_secret(rb_store *st, const char *id, const char *secret,
                                      rb_err *err)
{
    return exec_by_id(st, SQL_EP_SECRET, id, secret, "webhook endpoint rotate", err);
}

/* ---- fan-out and claim ------------------------------------------------------ */

static const char SQL_FANOUT_TRY_LOCK[] = "SELECT pg_try_advisory_xact_lock($1)";
static const char SQL_FANOUT_LOCK[] = "SELECT pg_advisory_xact_lock($1)";
/* Every committed event not fanned out yet: one pending delivery per enabled
 * endpoint of its environment created before it, then the event is marked. */
static const char SQL_FANOUT[] =
    "WITH due AS (SELECT seq FROM events WHERE NOT fanned_out ORDER BY seq FOR UPDATE),"
    " ins AS (INSERT INTO webhook_deliveries(event_seq, endpoint_id, subject_id, status,"
    "   next_attempt_ms)"
    "   SELECT e.seq, w.id, COALESCE(e.job_id, e.run_id), 'pending', $1"
    "   FROM events e JOIN due ON due.seq = e.seq JOIN webhook_endpoints w"
    "     ON w.env_id = e.env_id AND w.disabled_at IS NULL AND w.from_seq < e.seq"
    "   ON CONFLICT (event_seq, endpoint_id) DO NOTHING)"
    " UPDATE events SET fanned_out = true FROM due WHERE events.seq = due.seq";

static const char SQL_ANY_ENDPOINT[] =
    "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL)";

/* The fan-out step (inside the caller's transaction). wait: take the lock
 * even if another fan-out holds it (replay must see every event fanned out);
 * otherwise skip when it is taken, and skip when no endpoint is enabled at
 * all: marking every event of a server without webhooks cost most of the
 * database time of a claim-and-complete run (one UPDATE per event, and the
 * dead index entries it leaves). Events left unmarked meanwhile produce no
 * delivery later either (an endpoint only gets events after its from_seq);
 * the first fan-out after an endpoint appears marks them in one statement. */
static int fanout(rb_pgconn *c, int64_t now_ms, int wait, rb_err *err)
{
    char key[24], now[24];
    const char *pk[] = {rb_pg_i64(key, FANOUT_LOCK)};
    PGresult *res;
    int r;
    if (!wait) {
        r = rb_pg_query(c, SQL_ANY_ENDPOINT, 0, NULL, &res, "webhook endpoints", err);
        if (r)
            return r;
        int any = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
        if (!any)
            return RB_OK;
    }
    r = rb_pg_query(c, wait ? SQL_FANOUT_LOCK : SQL_FANOUT_TRY_LOCK, 1, pk, &res,
                    "webhook fan-out lock", err);
    if (r)
        return r;
    int got = wait || strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!got)
        return RB_OK;
    const char *p[] = {rb_pg_i64(now, now_ms)};
    return rb_pg_exec(c, SQL_FANOUT, 1, p, NULL, "webhook fan-out", err);
}

/* Due, unleased, endpoint enabled, and no earlier event of the same subject
 * still pending for the same endpoint (per-job order). */
static const char SQL_CLAIM[] =
    "WITH claimed AS (UPDATE webhook_deliveries dd SET lease_owner = $1,"
    "   lease_expires_ms = $2 + $3"
    "   FROM (SELECT d.id FROM webhook_deliveries d"
    "     JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.disabled_at IS NULL"
    "     WHERE d.status = 'pending' AND d.next_attempt_ms <= $2"
    "       AND (d.lease_owner IS NULL OR d.lease_expires_ms <= $2)"
    "       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p"
    "         WHERE p.endpoint_id = d.endpoint_id AND p.subject_id = d.subject_id"
    "           AND p.status = 'pending' AND p.event_seq < d.event_seq)"
    "     ORDER BY d.next_attempt_ms, d.id LIMIT $4 FOR UPDATE OF d SKIP LOCKED) pick"
    "   WHERE dd.id = pick.id"
    "   RETURNING dd.id, dd.next_attempt_ms)"
    " SELECT id FROM claimed ORDER BY next_attempt_ms, id";

static const char SQL_LOAD[] =
    "SELECT d.id, e.id, e.type, e.created_at_us, e.env_id, COALESCE(v.name, ''),"
    "  d.subject_id, CASE WHEN e.run_id IS NOT NULL THEN 1 ELSE 0 END, w.id, w.url, w.secret,"
    "  d.tries, e.payload"
    " FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq"
    " JOIN webhook_endpoints w ON w.id = d.endpoint_id"
    " LEFT JOIN environments v ON v.id = e.env_id WHERE d.id = $1";

static const char SQL_ATTEMPTS[] =
    "SELECT id, at_ms, status_code, response_body FROM webhook_attempts"
    " WHERE delivery_id = $1 ORDER BY id";

/* The Attempt objects of spec §3.4 for one delivery. */
static int load_attempts(rb_pgconn *c, const char *delivery_id, const char *url, json_t **out,
                         rb_err *err)
{
    PGresult *res;
    const char *p[] = {delivery_id};
    int r = rb_pg_query(c, SQL_ATTEMPTS, 1, p, &res, "webhook attempts", err);
    if (r)
        return r;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(res); i++) {
        char at[32];
        rb_iso8601_us(rb_pg_col_i64(res, i, 1) * 1000, at);
        int64_t code = rb_pg_col_i64(res, i, 2);
        json_t *a = json_object();
        json_object_set_new(a, "id", json_string(PQgetvalue(res, i, 0)));
        json_object_set_new(a, "address", json_string(url));
        json_object_set_new(a, "created_at", json_string(at));
        json_object_set_new(a, "response_status_code", code ? json_integer(code) : json_null());
        json_object_set_new(a, "response_body", PQgetisnull(res, i, 3)
                                                    ? json_null()
                                                    : json_string(PQgetvalue(res, i, 3)));
        json_object_set_new(a, "response_headers", json_object());
        json_array_append_new(arr, a);
    }
    PQclear(res);
    if (!arr)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    *out = arr;
    return RB_OK;
}

static int load_delivery(rb_pgconn *c, const char *id, rb_webhook_delivery *d, rb_err *err)
{
    memset(d, 0, sizeof *d);
    PGresult *res;
    const char *p[] = {id};
    int r = rb_pg_query(c, SQL_LOAD, 1, p, &res, "webhook load", err);
    if (r)
        return r;
    if (PQntuples(res) == 0) {
        r = rb_err_set(err, 500, "internal_error", "delivery vanished");
    } else {
        d->id = rb_pg_col_i64(res, 0, 0);
        rb_pg_col_copy(res, 0, 1, d->event_id, sizeof d->event_id);
        rb_pg_col_copy(res, 0, 2, d->type, sizeof d->type);
        d->created_at_us = rb_pg_col_i64(res, 0, 3);
        rb_pg_col_copy(res, 0, 4, d->env_id, sizeof d->env_id);
        rb_pg_col_copy(res, 0, 5, d->env_name, sizeof d->env_name);
        rb_pg_col_copy(res, 0, 6, d->subject_id, sizeof d->subject_id);
        d->is_run = (int)rb_pg_col_i64(res, 0, 7);
        rb_pg_col_copy(res, 0, 8, d->endpoint_id, sizeof d->endpoint_id);
        rb_pg_col_copy(res, 0, 9, d->url, sizeof d->url);
        rb_pg_col_copy(res, 0, 10, d->secret, sizeof d->secret);
        d->tries = (int)rb_pg_col_i64(res, 0, 11);
        d->payload = rb_pg_col_strdup(res, 0, 12);
        if (!d->payload)
            r = rb_err_set(err, 500, "internal_error", "out of memory");
    }
    PQclear(res);
    if (!r)
        r = load_attempts(c, id, d->url, &d->attempts, err);
    if (r)
        rb_webhook_delivery_clear(d);
    return r;
}

int rb_pg_webhook_claim(rb_store *st, const char *owner, int64_t now_ms, int64_t lease_ms,
                        int max, rb_webhook_delivery **out, size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    if (max <= 0)
        return RB_OK;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    rb_webhook_delivery *arr = NULL;
    size_t k = 0;
    PGresult *ids = NULL;
    char s_now[24], s_lease[24], s_max[24];
    const char *p[] = {owner, rb_pg_i64(s_now, now_ms), rb_pg_i64(s_lease, lease_ms),
                       rb_pg_i64(s_max, max)};
    r = rb_pg_begin(c, err);
    if (!r)
        r = fanout(c, now_ms, 0, err);
    if (!r)
        r = rb_pg_query(c, SQL_CLAIM, 4, p, &ids, "webhook claim", err);
    int m = r ? 0 : PQntuples(ids);
    if (m > max)
        m = max;
    if (!r && m > 0) {
        arr = calloc((size_t)m, sizeof *arr);
        if (!arr)
            r = rb_err_set(err, 500, "internal_error", "out of memory");
        for (; !r && k < (size_t)m; k++)
            r = load_delivery(c, PQgetvalue(ids, (int)k, 0), &arr[k], err);
    }
    PQclear(ids);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    if (r) {
        for (size_t i = 0; arr && i < k; i++)
            rb_webhook_delivery_clear(&arr[i]);
        free(arr);
        return r;
    }
    *out = arr;
    *n = k;
    return RB_OK;
}

/* The claim's conditions, read-only: events to fan out (when any endpoint
 * could receive them), or a delivery the claim would take. */
static const char SQL_HAS_WORK[] =
    "SELECT CASE WHEN (EXISTS (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL)"
    "   AND EXISTS (SELECT 1 FROM events WHERE NOT fanned_out))"
    " OR EXISTS (SELECT 1 FROM webhook_deliveries d"
    "   JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.disabled_at IS NULL"
    "   WHERE d.status = 'pending' AND d.next_attempt_ms <= $1"
    "     AND (d.lease_owner IS NULL OR d.lease_expires_ms <= $1)"
    "     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p"
    "       WHERE p.endpoint_id = d.endpoint_id AND p.subject_id = d.subject_id"
    "         AND p.status = 'pending' AND p.event_seq < d.event_seq))"
    " THEN 1 ELSE 0 END";

int rb_pg_webhook_has_work(rb_store *st, int64_t now_ms, int *work, rb_err *err)
{
    *work = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    PGresult *res;
    char now[24];
    const char *p[] = {rb_pg_i64(now, now_ms)};
    r = rb_pg_query(c, SQL_HAS_WORK, 1, p, &res, "webhook has-work", err);
    rb_pg_release(st, c);
    if (r)
        return r;
    *work = (int)rb_pg_col_i64(res, 0, 0);
    PQclear(res);
    return RB_OK;
}

/* ---- recording attempts ----------------------------------------------------- */

/* The delivery moves on only while owner holds it (the conditional UPDATE
 * decides, atomically); the attempt row follows. */
static const char SQL_DELIVERY_NEXT[] =
    "UPDATE webhook_deliveries SET tries = tries + 1, lease_owner = NULL,"
    "  lease_expires_ms = NULL, status = $2, next_attempt_ms = $3,"
    "  finished_at_ms = CASE WHEN $2 = 'pending' THEN NULL ELSE $4::bigint END"
    " WHERE id = $1 AND lease_owner = $5";
static const char SQL_ATTEMPT_INSERT[] =
    "INSERT INTO webhook_attempts(delivery_id, at_ms, status_code, latency_ms, response_body,"
    "  error) VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_ENDPOINT_GONE[] =
    "UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3"
    " WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = $1)";

/* Records one result inside the caller's transaction. RB_CONFLICT (and
 * nothing written) when owner no longer holds the delivery. */
static int record_one(rb_pgconn *c, const char *owner, const rb_webhook_result *x, int64_t now,
                      rb_err *err)
{
    const rb_webhook_attempt *a = &x->attempt;
    const char *status = x->outcome == RB_WEBHOOK_DELIVERED ? "delivered"
                         : x->outcome == RB_WEBHOOK_RETRY   ? "pending"
                                                            : "failed";
    char id[24], next[24], s_now[24], at[24], code[24], lat[24], secs[24];
    rb_pg_i64(id, x->delivery_id);
    const char *pn[] = {id, status,
                        rb_pg_i64(next, x->outcome == RB_WEBHOOK_RETRY ? x->next_ms : now),
                        rb_pg_i64(s_now, now), owner};
    int64_t changed = 0;
    int r = rb_pg_exec(c, SQL_DELIVERY_NEXT, 5, pn, &changed, "webhook delivery update", err);
    if (r)
        return r;
    if (!changed)
        return RB_CONFLICT;
    const char *pa[] = {id, rb_pg_i64(at, a->at_ms), rb_pg_i64(code, a->status_code),
                        rb_pg_i64(lat, a->latency_ms), a->response_body, a->error};
    r = rb_pg_exec(c, SQL_ATTEMPT_INSERT, 6, pa, NULL, "webhook attempt insert", err);
    if (r || x->outcome != RB_WEBHOOK_GONE)
        return r;
    const char *pg[] = {id, rb_pg_i64(secs, now / 1000), "410 Gone"};
    return rb_pg_exec(c, SQL_ENDPOINT_GONE, 3, pg, NULL, "webhook endpoint disable", err);
}

int rb_pg_webhook_record_many(rb_store *st, const char *owner, rb_webhook_result *xs, size_t n,
                              rb_err *err)
{
    if (n == 0)
        return RB_OK;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_pg_begin(c, err);
    int64_t now = rb_now_ms();
    for (size_t i = 0; i < n && !r; i++) {
        int one = record_one(c, owner, &xs[i], now, err);
        /* A lost lease concerns that delivery alone: the others are kept. */
        xs[i].rc = one;
        if (one != RB_OK && one != RB_CONFLICT)
            r = one;
    }
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}

int rb_pg_webhook_record(rb_store *st, const char *owner, int64_t delivery_id,
                         const rb_webhook_attempt *a, enum rb_webhook_outcome outcome,
                         int64_t next_ms, rb_err *err)
{
    rb_webhook_result x = {.delivery_id = delivery_id, .attempt = *a, .outcome = outcome,
                           .next_ms = next_ms};
    int r = rb_pg_webhook_record_many(st, owner, &x, 1, err);
    if (r == RB_OK && x.rc == RB_CONFLICT) {
        rb_err_set(err, 409, "conflict", "delivery %lld is no longer held by this dispatcher",
                   (long long)delivery_id);
        return RB_CONFLICT;
    }
    return r;
}

/* ---- history and replay ------------------------------------------------------- */

static const char SQL_EVENTS_LIST[] =
    "SELECT d.id, e.id, e.type, d.subject_id, e.created_at_us, w.id, w.url, d.status"
    " FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq"
    " JOIN webhook_endpoints w ON w.id = d.endpoint_id"
    " WHERE e.env_id = $1 AND ($2::text IS NULL OR d.status = $2)"
    " ORDER BY d.event_seq DESC, d.id DESC LIMIT $3";
static const char SQL_ATTEMPTS_FULL[] =
    "SELECT at_ms, status_code, latency_ms, response_body, error FROM webhook_attempts"
    " WHERE delivery_id = $1 ORDER BY id";
static const char SQL_BEGIN_SNAPSHOT[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

int rb_pg_webhook_events(rb_store *st, const char *env_id, const char *status, int limit,
                         json_t **out, rb_err *err)
{
    *out = NULL;
    if (limit < 1 || limit > 1000)
        limit = 100;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    char lim[24];
    const char *p[] = {env_id, status && *status ? status : NULL, rb_pg_i64(lim, limit)};
    PGresult *res = NULL;
    json_t *arr = json_array();
    if (!arr)
        r = rb_err_set(err, 500, "internal_error", "out of memory");
    if (!r)
        r = rb_pg_exec(c, SQL_BEGIN_SNAPSHOT, 0, NULL, NULL, "BEGIN", err);
    if (!r)
        r = rb_pg_query(c, SQL_EVENTS_LIST, 3, p, &res, "webhook events", err);
    for (int i = 0; !r && i < PQntuples(res); i++) {
        char at[32];
        rb_iso8601_us(rb_pg_col_i64(res, i, 4), at);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "event_id",
                              PQgetvalue(res, i, 1), "type", PQgetvalue(res, i, 2), "subject_id",
                              PQgetvalue(res, i, 3), "created_at", at, "endpoint_id",
                              PQgetvalue(res, i, 5), "url", PQgetvalue(res, i, 6), "status",
                              PQgetvalue(res, i, 7));
        PGresult *ar = NULL;
        const char *pa[] = {PQgetvalue(res, i, 0)};
        r = rb_pg_query(c, SQL_ATTEMPTS_FULL, 1, pa, &ar, "webhook attempts", err);
        json_t *atts = json_array();
        for (int k = 0; !r && k < PQntuples(ar); k++) {
            char t[32];
            rb_iso8601_us(rb_pg_col_i64(ar, k, 0) * 1000, t);
            int64_t code = rb_pg_col_i64(ar, k, 1);
            json_array_append_new(
                atts,
                json_pack("{s:s, s:o, s:I, s:o, s:o}", "at", t, "status_code",
                          code ? json_integer(code) : json_null(), "latency_ms",
                          (json_int_t)rb_pg_col_i64(ar, k, 2), "response_body",
                          PQgetisnull(ar, k, 3) ? json_null() : json_string(PQgetvalue(ar, k, 3)),
                          "error",
                          PQgetisnull(ar, k, 4) ? json_null() : json_string(PQgetvalue(ar, k, 4))));
        }
        PQclear(ar);
        json_object_set_new(o, "attempts", atts);
        json_array_append_new(arr, o);
    }
    PQclear(res);
    rb_pg_rollback(c);
    rb_pg_release(st, c);
    if (r) {
        json_decref(arr);
        return r;
    }
    *out = arr;
    return RB_OK;
}

/* Replay: first make sure every enabled endpoint has a delivery row for the
 * chosen events (an endpoint created after the event never had one), then put
 * the chosen deliveries back to pending, due now, with a fresh schedule. The
 * event selection is the same WHERE in both statements. */
#define REPLAY_EVENTS                                                                       \
    " ($1::text IS NULL OR e.env_id = $1) AND (($2::text IS NOT NULL AND e.id = $2) OR"     \
    " ($2::text IS NULL AND e.created_at_us >= $3))"
static const char SQL_REPLAY_FILL[] =
    "INSERT INTO webhook_deliveries(event_seq, endpoint_id, subject_id, status,"
    "  next_attempt_ms, finished_at_ms)"
    " SELECT e.seq, w.id, COALESCE(e.job_id, e.run_id), 'failed', $4, $4"
    " FROM events e JOIN webhook_endpoints w ON w.env_id = e.env_id AND w.disabled_at IS NULL"
    " WHERE $5::int = 0 AND" REPLAY_EVENTS
    " ON CONFLICT (event_seq, endpoint_id) DO NOTHING";
static const char SQL_REPLAY[] =
    "UPDATE webhook_deliveries SET status = 'pending', tries = 0, next_attempt_ms = $4,"
    "  finished_at_ms = NULL, lease_owner = NULL, lease_expires_ms = NULL"
    " WHERE endpoint_id IN (SELECT id FROM webhook_endpoints WHERE disabled_at IS NULL)"
    "   AND ($5::int = 0 OR status = 'failed')"
    "   AND event_seq IN (SELECT e.seq FROM events e WHERE" REPLAY_EVENTS ")";
static const char SQL_EVENT_EXISTS[] =
    "SELECT count(*) FROM events WHERE ($1::text IS NULL OR env_id = $1) AND id = $2";

int rb_pg_webhook_replay(rb_store *st, const char *env_id, const char *event_id,
                         int64_t since_us, int failed_only, int64_t *count, rb_err *err)
{
    *count = 0;
    rb_pgconn *c;
    int r = rb_pg_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_pg_begin(c, err);
    if (!r && event_id) {
        PGresult *res = NULL;
        const char *p[] = {env_id, event_id};
        r = rb_pg_query(c, SQL_EVENT_EXISTS, 2, p, &res, "webhook replay", err);
        if (!r && rb_pg_col_i64(res, 0, 0) == 0) {
            rb_err_set(err, 404, "not_found", "event %s not found", event_id);
            r = RB_NOTFOUND;
        }
        PQclear(res);
    }
    int64_t now = rb_now_ms();
    /* The fan-out must run first: otherwise an event not yet fanned out would
     * get its rows here and then, from the fan-out, none. */
    if (!r)
        r = fanout(c, now, 1, err);
    char since[24], s_now[24];
    const char *p[] = {env_id, event_id, rb_pg_i64(since, since_us), rb_pg_i64(s_now, now),
                       failed_only ? "1" : "0"};
    if (!r)
        r = rb_pg_exec(c, SQL_REPLAY_FILL, 5, p, NULL, "webhook replay", err);
    if (!r)
        r = rb_pg_exec(c, SQL_REPLAY, 5, p, count, "webhook replay", err);
    if (!r)
        r = rb_pg_commit(st, c, err);
    rb_pg_release(st, c);
    return r;
}
