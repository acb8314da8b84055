/* sqlite_webhooks.c — webhook endpoints, deliveries and attempts.
 *
 * The outbox (`events`) is written by the job and directive code in the same
 * transaction as each status change. This file turns it into deliveries: a
 * fan-out step, run inside every claim, gives each event written since the
 * last fan-out (high-water mark: setting 'webhook_fanout_seq') one pending
 * delivery per enabled endpoint of its environment. SQLite has one writer at
 * a time and AUTOINCREMENT seqs only grow, so every event at or below the
 * MAX(seq) read inside the write transaction is committed: the mark never
 * skips an event. See docs/webhooks.md. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "store/sqlite_internal.h"
#include "store/store.h"

#define FANOUT_KEY "webhook_fanout_seq"

/* ---- endpoints ------------------------------------------------------------ */

static const char SQL_EP_INSERT[] =
    "INSERT INTO webhook_endpoints(id, env_id, url, secret, created_at, from_seq)"
    " VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) FROM events))";

int rb_sqlite_webhook_endpoint_insert(rb_store *st, const rb_webhook_endpoint *ep, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_EP_INSERT, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, ep->id, 0);
    rb_sql_bind_text(q, 2, ep->env_id, 0);
    rb_sql_bind_text(q, 3, ep->url, 0);
    rb_sql_bind_text(q, 4, ep->secret, 0);
    sqlite3_bind_int64(q, 5, ep->created_at);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "webhook endpoint insert", err);
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

#define EP_COLS "id, env_id, url, secret, created_at, disabled_at, disabled_reason"

/* Takes void * so rb_sql_collect can call it for each row of a list. */
static void read_endpoint(sqlite3_stmt *q, void *elem)
{
    rb_webhook_endpoint *ep = elem;
    memset(ep, 0, sizeof *ep);
    rb_sql_col_copy(q, 0, ep->id, sizeof ep->id);
    rb_sql_col_copy(q, 1, ep->env_id, sizeof ep->env_id);
    rb_sql_col_copy(q, 2, ep->url, sizeof ep->url);
    rb_sql_col_copy(q, 3, ep->secret, sizeof ep->secret);
    ep->created_at = sqlite3_column_int64(q, 4);
    ep->disabled_at = sqlite3_column_int64(q, 5);
    rb_sql_col_copy(q, 6, ep->disabled_reason, sizeof ep->disabled_reason);
}

static const char SQL_EP_GET[] = "SELECT " EP_COLS " FROM webhook_endpoints WHERE id = ?";

int rb_sqlite_webhook_endpoint_get(rb_store *st, const char *id, rb_webhook_endpoint *out,
                                   rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_EP_GET, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, id, 0);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        read_endpoint(q, out);
    else if (rc == SQLITE_DONE)
        r = rb_err_set(err, 404, "not_found", "webhook endpoint %s not found", id);
    else
        r = rb_sql_fail(c, rc, "webhook endpoint get", err);
    if (r == RB_ERR && rc == SQLITE_DONE)
        r = RB_NOTFOUND;
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_EP_LIST[] = "SELECT " EP_COLS " FROM webhook_endpoints"
                                  " WHERE (?1 IS NULL OR env_id = ?1) ORDER BY created_at, id";

int rb_sqlite_webhook_endpoint_list(rb_store *st, const char *env_id, rb_webhook_endpoint **out,
                                    size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_EP_LIST, &c, &q, err);
    if (r)
        return r;
    rb_sql_bind_text(q, 1, env_id, 0);
    void *rows = NULL;
    size_t k = 0;
    r = rb_sql_collect(c, q, sizeof(rb_webhook_endpoint), read_endpoint, &rows, &k,
                       "webhook endpoint list", err);
    rb_webhook_endpoint *arr = rows;
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    if (r) {
        free(arr);
        return r;
    }
    *out = arr;
    *n = k;
    return RB_OK;
}

/* Runs one statement binding id (and text2 when not NULL) and reports
 * RB_NOTFOUND when it changed no row. */
static int exec_by_id(rb_store *st, const char *sql, const char *text2, const char *id,
                      const char *what, rb_err *err)
{
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, sql, &c, &q, err);
    if (r)
        return r;
    int i = 1;
    if (text2)
        rb_sql_bind_text(q, i++, text2, 0);
    rb_sql_bind_text(q, i, id, 0);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, what, err);
    else if (sqlite3_changes(c->db) == 0) {
        rb_err_set(err, 404, "not_found", "webhook endpoint %s not found", id);
        r = RB_NOTFOUND;
    }
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

static const char SQL_EP_DELETE[] = "DELETE FROM webhook_endpoints WHERE id = ?";

int rb_sqlite_webhook_endpoint_delete(rb_store *st, const char *id, rb_err *err)
{
    return exec_by_id(st, SQL_EP_DELETE, NULL, id, "webhook endpoint delete", err);
}

static const char SQL_EP_SECRET[] = "UPDATE webhook_endpoints SET secret = ?,"
                                    " disabled_at = NULL, disabled_reason = NULL WHERE id = ?";

int rb_sqlite_webhook_endpoint_set_secret(rb_store *st, const char *id, const char *secret,
                                          rb_err *err)
{
    return exec_by_id(st, SQL_EP_SECRET, secret, id, "webhook endpoint rotate", err);
}

/* ---- fan-out and claim ------------------------------------------------------ */

void rb_webhook_delivery_clear(rb_webhook_delivery *d)
{
    if (!d)
        return;
    free(d->payload);
    json_decref(d->attempts);
    memset(d, 0, sizeof *d);
}

static const char SQL_MAX_SEQ[] = "SELECT COALESCE(MAX(seq), 0) FROM events";
static const char SQL_HWM_GET[] = "SELECT value FROM settings WHERE key = '" FANOUT_KEY "'";
static const char SQL_HWM_SET[] =
    "INSERT INTO settings(key, value) VALUES ('" FANOUT_KEY "', ?)"
    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_FANOUT[] =
    "INSERT OR IGNORE INTO webhook_deliveries(event_seq, endpoint_id, subject_id, status,"
    "  next_attempt_ms)"
    " SELECT e.seq, w.id, COALESCE(e.job_id, e.run_id), 'pending', ?3"
    " FROM events e JOIN webhook_endpoints w"
    "   ON w.env_id = e.env_id AND w.disabled_at IS NULL AND w.from_seq < e.seq"
    " WHERE e.seq > ?1 AND e.seq <= ?2";

/* Reads one integer (0 when no row). */
static int read_int(rb_sqlconn *c, const char *sql, int64_t *out, rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, sql, err);
    if (!q)
        return RB_ERR;
    *out = 0;
    int r = RB_OK, rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    else if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "webhook read", err);
    rb_sql_done(c, q);
    return r;
}

/* The fan-out step (inside the caller's write transaction). */
static int fanout(rb_sqlconn *c, int64_t now_ms, rb_err *err)
{
    int64_t hwm, max;
    if (read_int(c, SQL_HWM_GET, &hwm, err) || read_int(c, SQL_MAX_SEQ, &max, err))
        return RB_ERR;
    if (max <= hwm)
        return RB_OK;
    sqlite3_stmt *q = rb_sql_prep(c, SQL_FANOUT, err);
    if (!q)
        return RB_ERR;
    sqlite3_bind_int64(q, 1, hwm);
    sqlite3_bind_int64(q, 2, max);
    sqlite3_bind_int64(q, 3, now_ms);
    int r = RB_OK, rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "webhook fan-out", err);
    rb_sql_done(c, q);
    if (r)
        return r;
    q = rb_sql_prep(c, SQL_HWM_SET, err);
    if (!q)
        return RB_ERR;
    sqlite3_bind_int64(q, 1, max);
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "webhook fan-out mark", err);
    rb_sql_done(c, q);
    return r;
}

/* Due, unleased, endpoint enabled, and no earlier event of the same subject
 * still pending for the same endpoint (per-job order). */
static const char SQL_CLAIM[] =
    "UPDATE webhook_deliveries SET lease_owner = ?1, lease_expires_ms = ?2 + ?3"
    " WHERE id IN (SELECT d.id FROM webhook_deliveries d"
    "   JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.disabled_at IS NULL"
    "   WHERE d.status = 'pending' AND d.next_attempt_ms <= ?2"
    "     AND (d.lease_owner IS NULL OR d.lease_expires_ms <= ?2)"
    "     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p"
    "       WHERE p.endpoint_id = d.endpoint_id AND p.subject_id = d.subject_id"
    "         AND p.status = 'pending' AND p.event_seq < d.event_seq)"
    "   ORDER BY d.next_attempt_ms, d.id LIMIT ?4)"
    " RETURNING id";

static const char SQL_LOAD[] =
    "SELECT d.id, e.id, e.type, e.created_at_us, e.env_id, COALESCE(v.name, ''),"
    "  d.subject_id, e.run_id IS NOT NULL, w.id, w.url, w.secret, d.tries, e.payload"
    " FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq"
    " JOIN webhook_endpoints w ON w.id = d.endpoint_id"
    " LEFT JOIN environments v ON v.id = e.env_id WHERE d.id = ?";

static const char SQL_ATTEMPTS[] =
    "SELECT id, at_ms, status_code, response_body FROM webhook_attempts"
    " WHERE delivery_id = ? ORDER BY id";

/* The Attempt objects of spec §3.4 for one delivery. */
static int load_attempts(rb_sqlconn *c, int64_t delivery_id, const char *url, json_t **out,
                         rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, SQL_ATTEMPTS, err);
    if (!q)
        return RB_ERR;
    sqlite3_bind_int64(q, 1, delivery_id);
    json_t *arr = json_array();
    int r = RB_OK, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        char id[32], at[32];
        snprintf(id, sizeof id, "%lld", (long long)sqlite3_column_int64(q, 0));
        rb_iso8601_us(sqlite3_column_int64(q, 1) * 1000, at);
        int code = sqlite3_column_int(q, 2);
        const char *body = (const char *)sqlite3_column_text(q, 3);
        json_t *a = json_object();
        json_object_set_new(a, "id", json_string(id));
        json_object_set_new(a, "address", json_string(url));
        json_object_set_new(a, "created_at", json_string(at));
        json_object_set_new(a, "response_status_code", code ? json_integer(code) : json_null());
        json_object_set_new(a, "response_body", body ? json_string(body) : json_null());
        json_object_set_new(a, "response_headers", json_object());
        json_array_append_new(arr, a);
    }
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "webhook attempts", err);
    rb_sql_done(c, q);
    if (r) {
        json_decref(arr);
        return r;
    }
    *out = arr;
    return RB_OK;
}

static int load_delivery(rb_sqlconn *c, int64_t id, rb_webhook_delivery *d, rb_err *err)
{
    sqlite3_stmt *q = rb_sql_prep(c, SQL_LOAD, err);
    if (!q)
        return RB_ERR;
    sqlite3_bind_int64(q, 1, id);
    memset(d, 0, sizeof *d);
    int r = RB_OK, rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        d->id = sqlite3_column_int64(q, 0);
        rb_sql_col_copy(q, 1, d->event_id, sizeof d->event_id);
        rb_sql_col_copy(q, 2, d->type, sizeof d->type);
        d->created_at_us = sqlite3_column_int64(q, 3);
        rb_sql_col_copy(q, 4, d->env_id, sizeof d->env_id);
        rb_sql_col_copy(q, 5, d->env_name, sizeof d->env_name);
        rb_sql_col_copy(q, 6, d->subject_id, sizeof d->subject_id);
        d->is_run = sqlite3_column_int(q, 7);
        rb_sql_col_copy(q, 8, d->endpoint_id, sizeof d->endpoint_id);
        rb_sql_col_copy(q, 9, d->url, sizeof d->url);
        rb_sql_col_copy(q, 10, d->secret, sizeof d->secret);
        d->tries = sqlite3_column_int(q, 11);
        d->payload = rb_sql_col_strdup(q, 12);
        if (!d->payload)
            r = rb_err_set(err, 500, "internal_error", "out of memory");
    } else {
        r = rc == SQLITE_DONE ? rb_err_set(err, 500, "internal_error", "delivery vanished")
                              : rb_sql_fail(c, rc, "webhook load", err);
    }
    rb_sql_done(c, q);
    if (!r)
        r = load_attempts(c, id, d->url, &d->attempts, err);
    if (r)
        rb_webhook_delivery_clear(d);
    return r;
}

int rb_sqlite_webhook_claim(rb_store *st, const char *owner, int64_t now_ms, int64_t lease_ms,
                            int max, rb_webhook_delivery **out, size_t *n, rb_err *err)
{
    *out = NULL;
    *n = 0;
    if (max <= 0)
        return RB_OK;
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    if (r) {
        rb_sql_release(st, c);
        return r;
    }
    int64_t *ids = calloc((size_t)max, sizeof *ids);
    rb_webhook_delivery *arr = NULL;
    size_t k = 0;
    if (!ids)
        r = rb_err_set(err, 500, "internal_error", "out of memory");
    if (!r)
        r = fanout(c, now_ms, err);
    if (!r) {
        sqlite3_stmt *q = rb_sql_prep(c, SQL_CLAIM, err);
        if (!q)
            r = RB_ERR;
        else {
            rb_sql_bind_text(q, 1, owner, 0);
            sqlite3_bind_int64(q, 2, now_ms);
            sqlite3_bind_int64(q, 3, lease_ms);
            sqlite3_bind_int(q, 4, max);
            int rc;
            while ((rc = sqlite3_step(q)) == SQLITE_ROW && k < (size_t)max)
                ids[k++] = sqlite3_column_int64(q, 0);
            if (rc != SQLITE_DONE && rc != SQLITE_ROW)
                r = rb_sql_fail(c, rc, "webhook claim", err);
            rb_sql_done(c, q);
        }
    }
    if (!r && k > 0) {
        arr = calloc(k, sizeof *arr);
        if (!arr)
            r = rb_err_set(err, 500, "internal_error", "out of memory");
        for (size_t i = 0; !r && i < k; i++)
            r = load_delivery(c, ids[i], &arr[i], err);
    }
    if (!r)
        r = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    rb_sql_release(st, c);
    free(ids);
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

/* The claim's conditions, read-only: so a delivery waiting behind an earlier
 * event of its job, or for a disabled endpoint, does not make the dispatcher
 * take the write lock every poll. */
static const char SQL_HAS_WORK[] =
    "SELECT (SELECT COALESCE(MAX(seq), 0) FROM events) >"
    "   COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = '" FANOUT_KEY "'), 0)"
    " OR EXISTS (SELECT 1 FROM webhook_deliveries d"
    "   JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.disabled_at IS NULL"
    "   WHERE d.status = 'pending' AND d.next_attempt_ms <= ?1"
    "     AND (d.lease_owner IS NULL OR d.lease_expires_ms <= ?1)"
    "     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p"
    "       WHERE p.endpoint_id = d.endpoint_id AND p.subject_id = d.subject_id"
    "         AND p.status = 'pending' AND p.event_seq < d.event_seq))";

int rb_sqlite_webhook_has_work(rb_store *st, int64_t now_ms, int *work, rb_err *err)
{
    *work = 0;
    rb_sqlconn *c;
    sqlite3_stmt *q;
    int r = rb_sql_acquire_prep(st, SQL_HAS_WORK, &c, &q, err);
    if (r)
        return r;
    sqlite3_bind_int64(q, 1, now_ms);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *work = sqlite3_column_int(q, 0);
    else
        r = rb_sql_fail(c, rc, "webhook has-work", err);
    rb_sql_done(c, q);
    rb_sql_release(st, c);
    return r;
}

/* ---- recording attempts ----------------------------------------------------- */

static const char SQL_ATTEMPT_INSERT[] =
    "INSERT INTO webhook_attempts(delivery_id, at_ms, status_code, latency_ms, response_body,"
    "  error)"
    " SELECT id, ?2, ?3, ?4, ?5, ?6 FROM webhook_deliveries WHERE id = ?1 AND lease_owner = ?7";
static const char SQL_DELIVERY_NEXT[] =
    "UPDATE webhook_deliveries SET tries = tries + 1, lease_owner = NULL, lease_expires_ms = NULL,"
    "  status = ?2, next_attempt_ms = ?3,"
    "  finished_at_ms = CASE WHEN ?2 = 'pending' THEN NULL ELSE ?4 END"
    " WHERE id = ?1";
static const char SQL_ENDPOINT_GONE[] =
    "UPDATE webhook_endpoints SET disabled_at = ?2, disabled_reason = ?3"
    " WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = ?1)";

/* Records one result inside the caller's write transaction. RB_CONFLICT (and
 * nothing written) when owner no longer holds the delivery. */
static int record_one(rb_sqlconn *c, const char *owner, const rb_webhook_result *x, int64_t now,
                      rb_err *err)
{
    const rb_webhook_attempt *a = &x->attempt;
    sqlite3_stmt *q = rb_sql_prep(c, SQL_ATTEMPT_INSERT, err);
    if (!q)
        return RB_ERR;
    sqlite3_bind_int64(q, 1, x->delivery_id);
    sqlite3_bind_int64(q, 2, a->at_ms);
    sqlite3_bind_int(q, 3, a->status_code);
    sqlite3_bind_int64(q, 4, a->latency_ms);
    rb_sql_bind_text(q, 5, a->response_body, 0);
    rb_sql_bind_text(q, 6, a->error, 0);
    rb_sql_bind_text(q, 7, owner, 0);
    int r = RB_OK, rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "webhook attempt insert", err);
    else if (sqlite3_changes(c->db) == 0)
        r = RB_CONFLICT;
    rb_sql_done(c, q);
    if (r)
        return r;
    const char *status = x->outcome == RB_WEBHOOK_DELIVERED ? "delivered"
                         : x->outcome == RB_WEBHOOK_RETRY   ? "pending"
                                                            : "failed";
    q = rb_sql_prep(c, SQL_DELIVERY_NEXT, err);
    if (!q)
        return RB_ERR;
    sqlite3_bind_int64(q, 1, x->delivery_id);
    sqlite3_bind_text(q, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, x->outcome == RB_WEBHOOK_RETRY ? x->next_ms : now);
    sqlite3_bind_int64(q, 4, now);
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "webhook delivery update", err);
    rb_sql_done(c, q);
    if (r || x->outcome != RB_WEBHOOK_GONE)
        return r;
    q = rb_sql_prep(c, SQL_ENDPOINT_GONE, err);
    if (!q)
        return RB_ERR;
    sqlite3_bind_int64(q, 1, x->delivery_id);
    sqlite3_bind_int64(q, 2, now / 1000);
    sqlite3_bind_text(q, 3, "410 Gone", -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        r = rb_sql_fail(c, rc, "webhook endpoint disable", err);
    rb_sql_done(c, q);
    return r;
}

int rb_sqlite_webhook_record_many(rb_store *st, const char *owner, rb_webhook_result *xs,
                                  size_t n, rb_err *err)
{
    if (n == 0)
        return RB_OK;
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    if (r) {
        rb_sql_release(st, c);
        return r;
    }
    int64_t now = rb_now_ms();
    for (size_t i = 0; i < n && !r; i++) {
        int one = record_one(c, owner, &xs[i], now, err);
        /* A lost lease concerns that delivery alone: the others are kept. */
        xs[i].rc = one;
        if (one != RB_OK && one != RB_CONFLICT)
            r = one;
    }
    if (!r)
        r = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    rb_sql_release(st, c);
    return r;
}

int rb_sqlite_webhook_record(rb_store *st, const char *owner, int64_t delivery_id,
                             const rb_webhook_attempt *a, enum rb_webhook_outcome outcome,
                             int64_t next_ms, rb_err *err)
{
    rb_webhook_result x = {.delivery_id = delivery_id, .attempt = *a, .outcome = outcome,
                           .next_ms = next_ms};
    int r = rb_sqlite_webhook_record_many(st, owner, &x, 1, err);
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
    " WHERE e.env_id = ?1 AND (?2 IS NULL OR d.status = ?2)"
    " ORDER BY d.event_seq DESC, d.id DESC LIMIT ?3";
static const char SQL_ATTEMPTS_FULL[] =
    "SELECT at_ms, status_code, latency_ms, response_body, error FROM webhook_attempts"
    " WHERE delivery_id = ? ORDER BY id";

int rb_sqlite_webhook_events(rb_store *st, const char *env_id, const char *status, int limit,
                             json_t **out, rb_err *err)
{
    *out = NULL;
    if (limit < 1 || limit > 1000)
        limit = 100;
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_read(c, err);
    if (r) {
        rb_sql_release(st, c);
        return r;
    }
    json_t *arr = json_array();
    sqlite3_stmt *q = rb_sql_prep(c, SQL_EVENTS_LIST, err);
    if (!q)
        r = RB_ERR;
    else {
        rb_sql_bind_text(q, 1, env_id, 0);
        rb_sql_bind_text(q, 2, status, 1);
        sqlite3_bind_int(q, 3, limit);
        int rc;
        while (!r && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            char at[32];
            rb_iso8601_us(sqlite3_column_int64(q, 4), at);
            json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "event_id",
                                  (const char *)sqlite3_column_text(q, 1), "type",
                                  (const char *)sqlite3_column_text(q, 2), "subject_id",
                                  (const char *)sqlite3_column_text(q, 3), "created_at", at,
                                  "endpoint_id", (const char *)sqlite3_column_text(q, 5), "url",
                                  (const char *)sqlite3_column_text(q, 6), "status",
                                  (const char *)sqlite3_column_text(q, 7));
            json_t *atts = json_array();
            sqlite3_stmt *aq = rb_sql_prep(c, SQL_ATTEMPTS_FULL, err);
            if (!aq) {
                r = RB_ERR;
            } else {
                sqlite3_bind_int64(aq, 1, sqlite3_column_int64(q, 0));
                int arc;
                while ((arc = sqlite3_step(aq)) == SQLITE_ROW) {
                    char t[32];
                    rb_iso8601_us(sqlite3_column_int64(aq, 0) * 1000, t);
                    int code = sqlite3_column_int(aq, 1);
                    const char *body = (const char *)sqlite3_column_text(aq, 3);
                    const char *e = (const char *)sqlite3_column_text(aq, 4);
                    json_array_append_new(
                        atts, json_pack("{s:s, s:o, s:I, s:o, s:o}", "at", t, "status_code",
                                        code ? json_integer(code) : json_null(), "latency_ms",
                                        (json_int_t)sqlite3_column_int64(aq, 2), "response_body",
                                        body ? json_string(body) : json_null(), "error",
                                        e ? json_string(e) : json_null()));
                }
                if (arc != SQLITE_DONE)
                    r = rb_sql_fail(c, arc, "webhook attempts", err);
                rb_sql_done(c, aq);
            }
            json_object_set_new(o, "attempts", atts);
            json_array_append_new(arr, o);
        }
        if (!r && rc != SQLITE_DONE)
            r = rb_sql_fail(c, rc, "webhook events", err);
        rb_sql_done(c, q);
    }
    rb_sql_rollback(c); /* read transaction: nothing to keep */
    rb_sql_release(st, c);
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
#define REPLAY_EVENTS                                                                          \
    " (?1 IS NULL OR e.env_id = ?1) AND ((?2 IS NOT NULL AND e.id = ?2) OR (?2 IS NULL AND"                 \
    " e.created_at_us >= ?3))"
static const char SQL_REPLAY_FILL[] =
    "INSERT OR IGNORE INTO webhook_deliveries(event_seq, endpoint_id, subject_id, status,"
    "  next_attempt_ms, finished_at_ms)"
    " SELECT e.seq, w.id, COALESCE(e.job_id, e.run_id), 'failed', ?4, ?4"
    " FROM events e JOIN webhook_endpoints w ON w.env_id = e.env_id AND w.disabled_at IS NULL"
    " WHERE ?5 = 0 AND" REPLAY_EVENTS;
static const char SQL_REPLAY[] =
    "UPDATE webhook_deliveries SET status = 'pending', tries = 0, next_attempt_ms = ?4,"
    "  finished_at_ms = NULL, lease_owner = NULL, lease_expires_ms = NULL"
    " WHERE endpoint_id IN (SELECT id FROM webhook_endpoints WHERE disabled_at IS NULL)"
    "   AND (?5 = 0 OR status = 'failed')"
    "   AND event_seq IN (SELECT e.seq FROM events e WHERE" REPLAY_EVENTS ")";
static const char SQL_EVENT_EXISTS[] = "SELECT COUNT(*) FROM events WHERE (?1 IS NULL OR env_id = ?1) AND id = ?2";

int rb_sqlite_webhook_replay(rb_store *st, const char *env_id, const char *event_id,
                             int64_t since_us, int failed_only, int64_t *count, rb_err *err)
{
    *count = 0;
    rb_sqlconn *c;
    int r = rb_sql_acquire(st, &c, err);
    if (r)
        return r;
    r = rb_sql_begin_write(c, err);
    if (r) {
        rb_sql_release(st, c);
        return r;
    }
    if (event_id) {
        sqlite3_stmt *q = rb_sql_prep(c, SQL_EVENT_EXISTS, err);
        if (!q)
            r = RB_ERR;
        else {
            rb_sql_bind_text(q, 1, env_id, 0);
            rb_sql_bind_text(q, 2, event_id, 0);
            int rc = sqlite3_step(q);
            if (rc != SQLITE_ROW)
                r = rb_sql_fail(c, rc, "webhook replay", err);
            else if (sqlite3_column_int(q, 0) == 0) {
                rb_err_set(err, 404, "not_found", "event %s not found", event_id);
                r = RB_NOTFOUND;
            }
            rb_sql_done(c, q);
        }
    }
    int64_t now = rb_now_ms();
    /* The fan-out must run first: otherwise an event not yet fanned out would
     * get its rows here and then, from the fan-out, none (INSERT OR IGNORE). */
    if (!r)
        r = fanout(c, now, err);
    const char *const steps[] = {SQL_REPLAY_FILL, SQL_REPLAY};
    const char *const texts[] = {env_id, event_id};
    /* failed_only binds as the integer 0 or 1, as sqlite3_bind_int would. */
    const int64_t ints[] = {since_us, now, failed_only ? 1 : 0};
    if (!r)
        r = rb_sql_exec_steps(c, steps, 2, texts, 2, ints, 3, "webhook replay", count, err);
    if (!r)
        r = rb_sql_commit(c, err);
    else
        rb_sql_rollback(c);
    rb_sql_release(st, c);
    return r;
}
