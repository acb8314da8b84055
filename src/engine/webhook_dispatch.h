/* webhook_dispatch.h — delivers the outbox (`events`) to webhook endpoints.
 *
 * One thread drives a libcurl multi handle: it claims due deliveries from the
 * store (rb_store_webhook_claim, which also fans new events out to the
 * endpoints), POSTs each signed envelope concurrently, and records every
 * attempt (rb_store_webhook_record): 2xx delivered, 410 disables the
 * endpoint, anything else (other status, timeout, connection failure, a
 * redirect — never followed) is retried on cfg->webhook_schedule_ms with
 * ±10 % jitter, no sooner than the response's Retry-After. Claims are leased,
 * so deliveries in flight when the process died are sent again after the
 * lease runs out (receivers dedupe on webhook-id). docs/webhooks.md has the
 * envelope, headers and secret format. */
#ifndef RB_WEBHOOK_DISPATCH_H
#define RB_WEBHOOK_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/err.h"
#include "store/store.h"

#define RB_WEBHOOK_SECRET_MAX 80
#define RB_WEBHOOK_USER_AGENT "robots-webhooks/0.1"
#define RB_WEBHOOK_RESPONSE_KEEP 1024 /* bytes of each response body stored */

typedef struct rb_webhook_dispatch rb_webhook_dispatch;

/* Starts the dispatcher thread. cfg must outlive it. */
int rb_webhook_dispatch_start(rb_store *st, const rb_config *cfg, rb_webhook_dispatch **out,
                              rb_err *err);
/* Makes the thread look for work now instead of at its next poll. arg is the
 * rb_webhook_dispatch (a callback for whoever knows an event was written). */
void rb_webhook_dispatch_wake(void *arg);
/* Stops the thread; transfers in flight are abandoned (their claims expire
 * and they are sent again later). NULL is a no-op. */
void rb_webhook_dispatch_stop(rb_webhook_dispatch *d);

/* A new endpoint secret: "whsec_" + standard base64 of 24 random bytes. */
int rb_webhook_secret_new(char out[RB_WEBHOOK_SECRET_MAX]);

/* The envelope of spec §3.4 for d as sent: data is d->payload byte for byte,
 * attempts are d->attempts with max_attempts set. */
int rb_webhook_render(const rb_webhook_delivery *d, int max_attempts, rb_buf *out);

/* Signs body for sending at Unix time t:
 * mux = "t=<t>,v1=<hex HMAC-SHA256(key = the secret string, "<t>.<body>")>";
 * std = "v1,<base64 HMAC-SHA256(key = base64-decoded part after "whsec_",
 *        "<msg_id>.<t>.<body>")>" (Standard Webhooks). */
void rb_webhook_sign(const char *secret, const char *msg_id, int64_t t, const char *body,
                     size_t len, char mux[96], char std[64]);

/* Delay in ms before the next attempt after `tries` failed attempts of the
 * current round, or -1 when the schedule is exhausted. retry_after_ms (0 =
 * none) is honoured as a lower bound (capped at 24 h). Exposed for tests. */
int64_t rb_webhook_next_delay_ms(const rb_config *cfg, int tries, int64_t retry_after_ms);

#endif
