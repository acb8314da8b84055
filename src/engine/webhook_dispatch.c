/* webhook_dispatch.c — the webhook delivery thread (see webhook_dispatch.h and
 * docs/webhooks.md).
 *
 * The thread owns a curl multi handle and at most MAX_INFLIGHT transfers.
 * Every poll_ms (or sooner, when woken or when a transfer finished and may
 * have unblocked the next event of the same job) it asks the store whether
 * anything is due and, if so, claims up to the free slots. Transfers run
 * concurrently, so a slow endpoint costs one slot and no one else's time. */
#include "engine/webhook_dispatch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"
#include "media/fetch.h"

#define MAX_INFLIGHT 128
#define ENVELOPE_MAX (64u * 1024 * 1024)

/* One POST in flight. */
typedef struct xfer {
    rb_webhook_delivery d;
    CURL *easy;
    struct curl_slist *hdrs;
    char *body;
    size_t body_len;
    char resp[RB_WEBHOOK_RESPONSE_KEEP + 1];
    size_t resp_len;
    int64_t at_ms;
    int64_t start_ns;
    char errbuf[CURL_ERROR_SIZE];
    char refused[96]; /* the address the URL policy refused, when it did */
    int allow_private;
    char errtext[CURL_ERROR_SIZE + 160];
} xfer;

struct rb_webhook_dispatch {
    rb_store *st;
    const rb_config *cfg;
    CURLM *multi;
    pthread_t thread;
    pthread_mutex_t mu;
    int stop;  /* under mu */
    int woken; /* under mu */
    char owner[48];
    xfer *inflight[MAX_INFLIGHT];
    int ninflight;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- secrets and signatures -------------------------------------------------- */

int rb_webhook_secret_new(char out[RB_WEBHOOK_SECRET_MAX])
{
    unsigned char raw[24];
    if (rb_random_bytes(raw, sizeof raw) != RB_OK)
        return RB_ERR;
    memcpy(out, "whsec_", 6);
    /* 24 bytes encode to exactly 32 base64 characters, no padding. */
    EVP_EncodeBlock((unsigned char *)out + 6, raw, (int)sizeof raw);
    return RB_OK;
}

void rb_webhook_sign(const char *secret, const char *msg_id, int64_t t, const char *body,
                     size_t len, char mux[96], char std[64])
{
    char ts[24];
    int tl = snprintf(ts, sizeof ts, "%lld", (long long)t);

    /* Mux: the key is the secret string exactly as the user holds it, which is
     * what the SDK's webhooks.unwrap(body, headers, secret) uses. */
    rb_buf msg;
    rb_buf_init(&msg, len + 256);
    rb_buf_append(&msg, ts, (size_t)tl);
    rb_buf_putc(&msg, '.');
    rb_buf_append(&msg, body, len);
    char hex[65];
    rb_hmac_sha256_hex(secret, strlen(secret), msg.data, msg.len, hex);
    snprintf(mux, 96, "t=%s,v1=%s", ts, hex);

    /* Standard Webhooks: the key is the bytes the "whsec_" base64 names. */
    unsigned char key[64];
    int keylen = -1;
    if (strncmp(secret, "whsec_", 6) == 0)
        keylen = rb_base64_decode(secret + 6, strlen(secret + 6), key, sizeof key);
    const void *k = keylen > 0 ? (const void *)key : (const void *)secret;
    size_t kl = keylen > 0 ? (size_t)keylen : strlen(secret);
    rb_buf_reset(&msg);
    rb_buf_puts(&msg, msg_id);
    rb_buf_putc(&msg, '.');
    rb_buf_append(&msg, ts, (size_t)tl);
    rb_buf_putc(&msg, '.');
    rb_buf_append(&msg, body, len);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_sha256(), k, (int)kl, (const unsigned char *)msg.data, msg.len, mac, &maclen);
    memcpy(std, "v1,", 3);
    EVP_EncodeBlock((unsigned char *)std + 3, mac, (int)maclen); /* 44 chars + NUL */
    rb_buf_free(&msg);
    OPENSSL_cleanse(key, sizeof key);
}

/* ---- envelope ---------------------------------------------------------------- */

int rb_webhook_render(const rb_webhook_delivery *d, int max_attempts, rb_buf *out)
{
    char created[32];
    rb_iso8601_us(d->created_at_us, created);
    json_t *head = json_object();
    json_object_set_new(head, "type", json_string(d->type));
    json_object_set_new(head, "object",
                        json_pack("{s:s, s:s}", "type",
                                  d->is_run ? "robots_directive_run" : "robots_job", "id",
                                  d->subject_id));
    json_object_set_new(head, "id", json_string(d->event_id));
    json_object_set_new(head, "environment",
                        json_pack("{s:s, s:s}", "name", d->env_name, "id", d->env_id));
    json_object_set_new(head, "created_at", json_string(created));
    json_t *atts = json_array();
    for (size_t i = 0; d->attempts && i < json_array_size(d->attempts); i++) {
        json_t *a = json_deep_copy(json_array_get(d->attempts, i));
        json_object_set_new(a, "max_attempts", json_integer(max_attempts));
        json_array_append_new(atts, a);
    }
    char *h = json_dumps(head, JSON_COMPACT);
    char *a = json_dumps(atts, JSON_COMPACT);
    json_decref(head);
    json_decref(atts);
    int r = RB_ERR;
    if (h && a) {
        /* data is spliced in as stored: the bytes the job's GET returned at
         * that moment, not a re-rendering of them. */
        size_t hl = strlen(h);
        r = rb_buf_append(out, h, hl - 1);
        if (!r)
            r = rb_buf_puts(out, ",\"data\":");
        if (!r)
            r = rb_buf_puts(out, d->payload);
        if (!r)
            r = rb_buf_appendf(out, ",\"attempts\":%s,\"request_id\":null,\"accessor\":null,"
                                    "\"accessor_source\":null}",
                               a);
    }
    free(h);
    free(a);
    return r;
}

/* ---- retry schedule ------------------------------------------------------------ */

int64_t rb_webhook_next_delay_ms(const rb_config *cfg, int tries, int64_t retry_after_ms)
{
    if (tries < 1 || tries >= cfg->webhook_schedule_n)
        return -1;
    int64_t base = cfg->webhook_schedule_ms[tries];
    uint32_t rnd = 0;
    rb_random_bytes(&rnd, sizeof rnd);
    /* ±10 % so endpoints that failed together do not all retry together. */
    int64_t jitter = base / 10;
    int64_t delay = base - jitter + (jitter > 0 ? (int64_t)(rnd % (uint64_t)(2 * jitter + 1)) : 0);
    const int64_t day_ms = 24LL * 3600 * 1000;
    if (retry_after_ms > day_ms)
        retry_after_ms = day_ms;
    return delay > retry_after_ms ? delay : retry_after_ms;
}

/* ---- transfers --------------------------------------------------------------- */

static size_t keep_response(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    size_t room = RB_WEBHOOK_RESPONSE_KEEP - x->resp_len;
    size_t take = len < room ? len : room;
    memcpy(x->resp + x->resp_len, p, take);
    x->resp_len += take;
    x->resp[x->resp_len] = '\0';
    return len; /* the rest is read and dropped */
}

/* Every address curl is about to connect to passes the outbound URL policy
 * (rb_fetch_addr_is_public) here, after curl's own resolution: there is no
 * gap between check and connect for DNS rebinding to use. */
static curl_socket_t open_checked(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    xfer *x = ud;
    (void)purpose;
    if (!x->allow_private && !rb_fetch_addr_is_public(&a->addr)) {
        const void *bin =
            a->family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)&a->addr)->sin6_addr
                                  : (const void *)&((struct sockaddr_in *)&a->addr)->sin_addr;
        if (!inet_ntop(a->family, bin, x->refused, sizeof x->refused))
            snprintf(x->refused, sizeof x->refused, "an address");
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static void xfer_free(xfer *x)
{
    if (!x)
        return;
    if (x->easy)
        curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->hdrs);
    free(x->body);
    rb_webhook_delivery_clear(&x->d);
    free(x);
}

static int hdr(xfer *x, const char *fmt, const char *a, const char *b)
{
    char line[400];
    snprintf(line, sizeof line, fmt, a, b);
    struct curl_slist *n = curl_slist_append(x->hdrs, line);
    if (!n)
        return RB_ERR;
    x->hdrs = n;
    return RB_OK;
}

/* Builds the request for a claimed delivery; takes ownership of d. */
static xfer *xfer_new(rb_webhook_dispatch *w, rb_webhook_delivery *d)
{
    xfer *x = calloc(1, sizeof *x);
    if (!x) {
        rb_webhook_delivery_clear(d);
        return NULL;
    }
    x->d = *d;
    memset(d, 0, sizeof *d);
    x->allow_private = w->cfg->allow_private_urls;
    rb_buf b;
    rb_buf_init(&b, ENVELOPE_MAX);
    if (rb_webhook_render(&x->d, w->cfg->webhook_schedule_n, &b) != RB_OK) {
        rb_buf_free(&b);
        xfer_free(x);
        return NULL;
    }
    x->body_len = b.len;
    x->body = rb_buf_steal(&b);
    x->at_ms = rb_now_ms();
    char mux[96], std[64], ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)(x->at_ms / 1000));
    rb_webhook_sign(x->d.secret, x->d.event_id, x->at_ms / 1000, x->body, x->body_len, mux, std);
    int r = hdr(x, "content-type: application/json%s%s", "", "");
    r |= hdr(x, "user-agent: %s%s", RB_WEBHOOK_USER_AGENT, "");
    r |= hdr(x, "mux-signature: %s%s", mux, "");
    r |= hdr(x, "webhook-id: %s%s", x->d.event_id, "");
    r |= hdr(x, "webhook-timestamp: %s%s", ts, "");
    r |= hdr(x, "webhook-signature: %s%s", std, "");
    /* No "Expect: 100-continue" round trip for larger bodies. */
    r |= hdr(x, "expect:%s%s", "", "");
    x->easy = curl_easy_init();
    if (r || !x->easy) {
        xfer_free(x);
        return NULL;
    }
    CURL *c = x->easy;
    curl_easy_setopt(c, CURLOPT_URL, x->d.url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect is a failed attempt */
    curl_easy_setopt(c, CURLOPT_PROXY, "");          /* a proxy would connect for us */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w->cfg->webhook_timeout_ms);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_response);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(c, CURLOPT_PRIVATE, x);
    x->start_ns = rb_mono_ns();
    return x;
}

/* Decides the outcome of a finished transfer into *out (which points into x,
 * so x must live until it is recorded). */
static void xfer_done(rb_webhook_dispatch *w, xfer *x, CURLcode res, rb_webhook_result *out)
{
    long code = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    curl_off_t retry_after = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &retry_after);
    char *errtext = x->errtext;
    size_t errcap = sizeof x->errtext;
    errtext[0] = '\0';
    if (x->refused[0])
        snprintf(errtext, errcap,
                 "refused by the outbound URL policy: %s is not a public address"
                 " (start the server with --allow-private-urls to allow it)",
                 x->refused);
    else if (res != CURLE_OK)
        snprintf(errtext, errcap, "%s",
                 x->errbuf[0] ? x->errbuf : curl_easy_strerror(res));
    if (res != CURLE_OK)
        code = 0;
    rb_webhook_attempt a = {.at_ms = x->at_ms,
                            .status_code = (int)code,
                            .latency_ms = (rb_mono_ns() - x->start_ns) / 1000000,
                            .response_body = x->resp_len ? x->resp : NULL,
                            .error = errtext[0] ? errtext : NULL};
    enum rb_webhook_outcome oc;
    int64_t next = 0;
    if (code >= 200 && code <= 299) {
        oc = RB_WEBHOOK_DELIVERED;
    } else if (code == 410) {
        oc = RB_WEBHOOK_GONE;
    } else {
        int64_t delay =
            rb_webhook_next_delay_ms(w->cfg, x->d.tries + 1, (int64_t)retry_after * 1000);
        oc = delay < 0 ? RB_WEBHOOK_FAILED : RB_WEBHOOK_RETRY;
        next = rb_now_ms() + (delay < 0 ? 0 : delay);
    }
    /* The endpoint id, not its URL (which may carry credentials), and never
     * the secret. */
    if (oc == RB_WEBHOOK_DELIVERED)
        rb_debug("webhook %s to %s: %ld in %lld ms", x->d.event_id, x->d.endpoint_id, code,
                 (long long)a.latency_ms);
    else if (code)
        rb_info("webhook %s to %s failed (attempt %d): HTTP %ld%s", x->d.event_id,
                x->d.endpoint_id, x->d.tries + 1, code,
                oc == RB_WEBHOOK_GONE     ? ", endpoint disabled"
                : oc == RB_WEBHOOK_FAILED ? ", giving up"
                                          : "");
    else
        rb_info("webhook %s to %s failed (attempt %d): %s%s", x->d.event_id, x->d.endpoint_id,
                x->d.tries + 1, errtext,
                oc == RB_WEBHOOK_GONE     ? ", endpoint disabled"
                : oc == RB_WEBHOOK_FAILED ? ", giving up"
                                          : "");
    *out = (rb_webhook_result){.delivery_id = x->d.id, .attempt = a, .outcome = oc,
                               .next_ms = next};
}

/* ---- the thread --------------------------------------------------------------- */

static int stopping(rb_webhook_dispatch *w, int *woken)
{
    pthread_mutex_lock(&w->mu);
    int s = w->stop;
    if (woken) {
        *woken = w->woken;
        w->woken = 0;
    }
    pthread_mutex_unlock(&w->mu);
    return s;
}

static void claim_more(rb_webhook_dispatch *w)
{
    int room = MAX_INFLIGHT - w->ninflight;
    if (room <= 0)
        return;
    rb_err err;
    rb_err_clear(&err);
    int64_t now = rb_now_ms();
    int work = 0;
    if (rb_store_webhook_has_work(w->st, now, &work, &err) != RB_OK) {
        rb_warn("webhooks: %s", err.message);
        return;
    }
    if (!work)
        return;
    rb_webhook_delivery *ds = NULL;
    size_t n = 0;
    /* The transfer ends by the timeout and is recorded at once; 5 s covers
     * the store write. A crash mid-transfer is resent when the lease ends. */
    int64_t lease = (int64_t)w->cfg->webhook_timeout_ms + 5000;
    if (rb_store_webhook_claim(w->st, w->owner, now, lease, room, &ds, &n, &err) != RB_OK) {
        rb_warn("webhooks: claim failed: %s", err.message);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        xfer *x = xfer_new(w, &ds[i]);
        if (!x) {
            rb_warn("webhooks: cannot build a request (out of memory)");
            continue; /* the lease expires and the delivery is claimed again */
        }
        if (curl_multi_add_handle(w->multi, x->easy) != CURLM_OK) {
            xfer_free(x);
            continue;
        }
        w->inflight[w->ninflight++] = x;
    }
    free(ds);
}

static void forget(rb_webhook_dispatch *w, xfer *x)
{
    for (int i = 0; i < w->ninflight; i++)
        if (w->inflight[i] == x) {
            w->inflight[i] = w->inflight[--w->ninflight];
            break;
        }
    curl_multi_remove_handle(w->multi, x->easy);
    xfer_free(x);
}

static void *dispatch_main(void *arg)
{
    rb_webhook_dispatch *w = arg;
    int64_t next_check = 0;
    for (;;) {
        int woken = 0;
        if (stopping(w, &woken))
            break;
        int64_t now = rb_now_ms();
        if (woken || now >= next_check) {
            claim_more(w);
            next_check = now + w->cfg->webhook_poll_ms;
        }
        int running = 0;
        curl_multi_perform(w->multi, &running);
        CURLMsg *m;
        int left, finished = 0;
        /* Every transfer that finished in this round is recorded in one
         * transaction: one fsync for all of them instead of one each. */
        xfer *done[MAX_INFLIGHT];
        rb_webhook_result results[MAX_INFLIGHT];
        while ((m = curl_multi_info_read(w->multi, &left))) {
            if (m->msg != CURLMSG_DONE || finished == MAX_INFLIGHT)
                continue;
            xfer *x = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            xfer_done(w, x, m->data.result, &results[finished]);
            done[finished++] = x;
        }
        if (finished) {
            rb_err err;
            rb_err_clear(&err);
            if (rb_store_webhook_record_many(w->st, w->owner, results, (size_t)finished,
                                             &err) != RB_OK)
                rb_warn("webhooks: recording %d attempts failed (they are sent again when "
                        "their claims expire): %s",
                        finished, err.message);
            else
                for (int i = 0; i < finished; i++)
                    if (results[i].rc == RB_CONFLICT)
                        rb_warn("webhook %s: the claim was lost before the attempt was "
                                "recorded; it will be sent again",
                                done[i]->d.event_id);
            for (int i = 0; i < finished; i++)
                forget(w, done[i]);
        }
        /* A finished delivery may have unblocked the next event of its job. */
        if (finished)
            next_check = 0;
        int64_t wait = next_check - rb_now_ms();
        if (wait > w->cfg->webhook_poll_ms)
            wait = w->cfg->webhook_poll_ms;
        if (wait > 0)
            curl_multi_poll(w->multi, NULL, 0, (int)wait, NULL);
    }
    while (w->ninflight > 0)
        forget(w, w->inflight[0]);
    return NULL;
}

int rb_webhook_dispatch_start(rb_store *st, const rb_config *cfg, rb_webhook_dispatch **out,
                              rb_err *err)
{
    pthread_once(&curl_once, curl_init_once);
    *out = NULL;
    rb_webhook_dispatch *w = calloc(1, sizeof *w);
    if (!w)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    w->st = st;
    w->cfg = cfg;
    pthread_mutex_init(&w->mu, NULL);
    if (rb_random_id(w->owner, sizeof w->owner, "whd_", 24) != RB_OK ||
        !(w->multi = curl_multi_init())) {
        pthread_mutex_destroy(&w->mu);
        free(w);
        return rb_err_set(err, 500, "internal_error", "cannot start the webhook dispatcher");
    }
    if (pthread_create(&w->thread, NULL, dispatch_main, w) != 0) {
        curl_multi_cleanup(w->multi);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return rb_err_set(err, 500, "internal_error", "cannot start the webhook thread");
    }
    *out = w;
    return RB_OK;
}

void rb_webhook_dispatch_wake(void *arg)
{
    rb_webhook_dispatch *w = arg;
    pthread_mutex_lock(&w->mu);
    w->woken = 1;
    pthread_mutex_unlock(&w->mu);
    curl_multi_wakeup(w->multi);
}

void rb_webhook_dispatch_stop(rb_webhook_dispatch *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    d->stop = 1;
    pthread_mutex_unlock(&d->mu);
    curl_multi_wakeup(d->multi);
    pthread_join(d->thread, NULL);
    curl_multi_cleanup(d->multi);
    pthread_mutex_destroy(&d->mu);
    free(d);
}
