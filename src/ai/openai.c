/* openai.c — see openai.h. One libcurl easy handle per HTTP attempt: calls
 * are seconds long, so connection reuse would save little and a fresh handle
 * keeps every attempt independent of the last one's failure. */
#include "ai/openai.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ai/jsonschema.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"

/* rb_err.status doubles as the retry verdict (see rb_openai_retryable). */
#define OA_STATUS_FATAL 502     /* the request cannot succeed as configured */
#define OA_STATUS_RETRYABLE 503 /* transient: a later attempt might succeed */
#define OA_STATUS_TIMEOUT 504   /* timed out: retryable */

#define OA_CORRECTIVE_ECHO_MAX 4000 /* bytes of a bad reply quoted back to the model */

static pthread_once_t oa_curl_once = PTHREAD_ONCE_INIT;

static void oa_curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- configuration ------------------------------------------------------ */

static int oa_env_int(const char *name, int min, int max, int *out, rb_err *err)
{
    const char *v = getenv(name);
    if (!v || !v[0])
        return RB_OK;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max)
        return rb_err_set(err, 400, "invalid_parameters", "%s must be an integer in [%d, %d]",
                          name, min, max);
    *out = (int)n;
    return RB_OK;
}

int rb_openai_config_from_env(rb_openai_config *c, rb_err *err)
{
    memset(c, 0, sizeof *c);
    snprintf(c->base_url, sizeof c->base_url, "%s", "https://api.openai.com/v1");
    c->timeout_ms = 120000;
    c->max_retries = 3;
    c->temperature = 0.0;
    c->backoff_base_ms = 500;
    c->backoff_max_ms = 30000;
    const char *v = getenv("ROBOTS_OPENAI_BASE_URL");
    if (v && v[0]) {
        if (strlen(v) >= sizeof c->base_url)
            return rb_err_set(err, 400, "invalid_parameters", "ROBOTS_OPENAI_BASE_URL is too long");
        if (strncasecmp(v, "http://", 7) != 0 && strncasecmp(v, "https://", 8) != 0)
            return rb_err_set(err, 400, "invalid_parameters",
                              "ROBOTS_OPENAI_BASE_URL must start with http:// or https://");
        snprintf(c->base_url, sizeof c->base_url, "%s", v);
    }
    /* A trailing slash would make ".../v1//chat/completions", which some servers 404. */
    size_t n = strlen(c->base_url);
    while (n > 0 && c->base_url[n - 1] == '/')
        c->base_url[--n] = '\0';
    v = getenv("ROBOTS_OPENAI_MODEL");
    if (!v || !v[0])
        return rb_err_set(err, 400, "invalid_parameters",
                          "ROBOTS_OPENAI_MODEL must name the model to use");
    if (strlen(v) >= sizeof c->model)
        return rb_err_set(err, 400, "invalid_parameters", "ROBOTS_OPENAI_MODEL is too long");
    snprintf(c->model, sizeof c->model, "%s", v);
    v = getenv("ROBOTS_OPENAI_API_KEY");
    if (!v || !v[0])
        v = getenv("OPENAI_API_KEY");
    if (v && v[0]) {
        if (strlen(v) >= sizeof c->api_key)
            return rb_err_set(err, 400, "invalid_parameters", "the OpenAI API key is too long");
        snprintf(c->api_key, sizeof c->api_key, "%s", v);
    }
    if (oa_env_int("ROBOTS_OPENAI_TIMEOUT_MS", 100, 3600000, &c->timeout_ms, err) ||
        oa_env_int("ROBOTS_OPENAI_MAX_RETRIES", 0, 20, &c->max_retries, err))
        return RB_ERR;
    v = getenv("ROBOTS_OPENAI_TEMPERATURE");
    if (v && v[0]) {
        char *end = NULL;
        errno = 0;
        double t = strtod(v, &end);
        if (errno || end == v || *end || !(t >= 0.0 && t <= 2.0))
            return rb_err_set(err, 400, "invalid_parameters",
                              "ROBOTS_OPENAI_TEMPERATURE must be a number in [0, 2]");
        c->temperature = t;
    }
    return RB_OK;
}

/* ---- one HTTP attempt ----------------------------------------------------- */

typedef struct oa_reply {
    long status;         /* HTTP status, 0 when no reply */
    CURLcode curl;       /* transport result */
    rb_buf body;
    int64_t retry_after_ms; /* from Retry-After, -1 when absent */
} oa_reply;

static size_t oa_write(char *p, size_t size, size_t nmemb, void *ud)
{
    rb_buf *b = ud;
    size_t n = size * nmemb;
    /* Returning less than n makes curl stop with CURLE_WRITE_ERROR. */
    return rb_buf_append(b, p, n) == RB_OK ? n : 0;
}

/* Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3). */
static int64_t oa_parse_retry_after(const char *v, size_t n)
{
    char tmp[128];
    while (n > 0 && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    char *end = NULL;
    errno = 0;
    long long s = strtoll(tmp, &end, 10);
    if (!errno && end != tmp && *end == '\0')
        return s < 0 ? 0 : (s > 86400 ? 86400000 : s * 1000);
    time_t when = curl_getdate(tmp, NULL);
    if (when == (time_t)-1)
        return -1;
    int64_t d = ((int64_t)when - rb_now()) * 1000;
    return d < 0 ? 0 : d;
}

static size_t oa_header(char *p, size_t size, size_t nitems, void *ud)
{
    oa_reply *r = ud;
    size_t n = size * nitems;
    static const char name[] = "retry-after:";
    if (n > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0)
        r->retry_after_ms = oa_parse_retry_after(p + sizeof name - 1, n - (sizeof name - 1));
    return n;
}

static void oa_post(const rb_openai_config *c, const char *body, oa_reply *r)
{
    pthread_once(&oa_curl_once, oa_curl_init);
    r->status = 0;
    r->retry_after_ms = -1;
    rb_buf_reset(&r->body);
    CURL *h = curl_easy_init();
    if (!h) {
        r->curl = CURLE_OUT_OF_MEMORY;
        return;
    }
    char url[600];
    snprintf(url, sizeof url, "%s/chat/completions", c->base_url);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    char auth[sizeof c->api_key + 32];
    if (c->api_key[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->api_key);
        hdrs = curl_slist_append(hdrs, auth);
        /* curl_slist_append copied it; wipe our copy of the secret. */
        explicit_bzero(auth, sizeof auth);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(c->timeout_ms < 10000 ? c->timeout_ms : 10000));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, oa_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, oa_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "robots-openai/1");
    r->curl = curl_easy_perform(h);
    if (r->curl == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(h);
    /* The list holds the key: free it (libcurl does not keep copies). */
    curl_slist_free_all(hdrs);
}

/* ---- request body --------------------------------------------------------- */

static json_t *oa_build_body(const rb_openai_config *c, const rb_openai_request *req,
                             const json_t *extra, int json_object)
{
    json_t *msgs = json_array();
    char *schema_txt = NULL;
    size_t first = 0;
    if (json_object) {
        /* Without json_schema support the schema travels in the system message. */
        schema_txt = json_dumps(req->schema, JSON_COMPACT | JSON_SORT_KEYS);
        rb_buf b;
        rb_buf_init(&b, RB_OPENAI_MAX_RESPONSE);
        if (req->n_messages > 0 && strcmp(req->messages[0].role, "system") == 0) {
            rb_buf_puts(&b, req->messages[0].content);
            rb_buf_puts(&b, "\n\n");
            first = 1;
        }
        rb_buf_puts(&b, "Reply with one JSON object only, no other text. It must match this "
                        "JSON Schema:\n");
        rb_buf_puts(&b, schema_txt ? schema_txt : "{}");
        json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", "system", "content",
                                              rb_buf_cstr(&b)));
        rb_buf_free(&b);
        free(schema_txt);
    }
    for (size_t i = first; i < req->n_messages; i++) {
        /* json_pack fails on NULL or invalid UTF-8; dropping a message silently
         * would change the question, so the whole request fails instead. */
        json_t *m = json_pack("{s:s, s:s}", "role", req->messages[i].role, "content",
                              req->messages[i].content);
        if (!m || json_array_append_new(msgs, m) != 0) {
            json_decref(msgs);
            return NULL;
        }
    }
    json_array_extend(msgs, (json_t *)extra);
    json_t *rf;
    if (json_object)
        rf = json_pack("{s:s}", "type", "json_object");
    else
        rf = json_pack("{s:s, s:{s:s, s:b, s:O}}", "type", "json_schema", "json_schema", "name",
                       req->schema_name, "strict", 1, "schema", req->schema);
    return json_pack("{s:s, s:f, s:o, s:o}", "model", c->model, "temperature", c->temperature,
                     "messages", msgs, "response_format", rf);
}

/* ---- the call ------------------------------------------------------------- */

static void oa_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Exponential backoff with "equal jitter": half the delay fixed, half random,
 * so many workers hit by the same outage do not retry in lockstep. */
static int64_t oa_backoff_ms(const rb_openai_config *c, int retry)
{
    int64_t d = c->backoff_base_ms > 0 ? c->backoff_base_ms : 1;
    for (int i = 0; i < retry && d < c->backoff_max_ms; i++)
        d *= 2;
    if (d > c->backoff_max_ms)
        d = c->backoff_max_ms;
    uint32_t rnd = 0;
    rb_random_bytes(&rnd, sizeof rnd);
    return d / 2 + (int64_t)(rnd % (uint32_t)(d / 2 + 1));
}

/* The server's own error text ({"error":{"message":...}}), shortened, for
 * messages about rejected requests. "" when there is none. */
static void oa_server_message(const rb_buf *body, char *out, size_t outlen)
{
    out[0] = '\0';
    json_t *j = json_loadb(rb_buf_cstr(body), body->len, 0, NULL);
    const char *m = NULL;
    if (j) {
        json_t *e = json_object_get(j, "error");
        m = json_string_value(json_is_object(e) ? json_object_get(e, "message") : e);
        if (!m)
            m = json_string_value(json_object_get(j, "message"));
    }
    if (m)
        snprintf(out, outlen, ": %.200s", m);
    json_decref(j);
}

/* Strips a Markdown code fence some models put around JSON in json_object mode. */
static void oa_unfence(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    while (len > 0 && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++, len--;
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    if (len >= 6 && strncmp(p, "```", 3) == 0 && strncmp(p + len - 3, "```", 3) == 0) {
        const char *nl = memchr(p, '\n', len);
        if (nl && (size_t)(nl - p) < len - 3) {
            len = len - 3 - (size_t)(nl + 1 - p);
            p = nl + 1;
        }
    }
    *s = p;
    *n = len;
}

enum oa_outcome { OA_DONE, OA_TRANSIENT, OA_INVALID, OA_FALLBACK, OA_FATAL };

/* Interprets one reply. OA_DONE stores the object; OA_INVALID fills `why`
 * and `bad` (the reply text, for the corrective message); the others fill err. */
static int oa_interpret(rb_openai_config *c, const rb_openai_request *req, oa_reply *r,
                        int json_object, json_t **out, rb_openai_usage *usage, char *why,
                        size_t whylen, char **bad, rb_err *err)
{
    char srv[256];
    if (r->curl == CURLE_OPERATION_TIMEDOUT) {
        rb_err_set(err, OA_STATUS_TIMEOUT, "timeout_error",
                   "the model server did not answer within %d ms", c->timeout_ms);
        return OA_TRANSIENT;
    }
    if (r->curl == CURLE_WRITE_ERROR) {
        rb_err_set(err, OA_STATUS_RETRYABLE, "processing_error",
                   "the model server's reply exceeded %u bytes", RB_OPENAI_MAX_RESPONSE);
        return OA_TRANSIENT;
    }
    if (r->curl != CURLE_OK) {
        rb_err_set(err, OA_STATUS_RETRYABLE, "processing_error",
                   "could not reach the model server: %s", curl_easy_strerror(r->curl));
        return OA_TRANSIENT;
    }
    long s = r->status;
    if (s == 408 || s == 429 || s >= 500) {
        oa_server_message(&r->body, srv, sizeof srv);
        rb_err_set(err, OA_STATUS_RETRYABLE, "processing_error",
                   "the model server answered HTTP %ld%s", s, srv);
        return OA_TRANSIENT;
    }
    if (s == 401 || s == 403) {
        rb_err_set(err, OA_STATUS_FATAL, "processing_error",
                   "the model server refused the credentials (HTTP %ld); check "
                   "ROBOTS_OPENAI_API_KEY",
                   s);
        return OA_FATAL;
    }
    if (s >= 400 && !json_object && (strcasestr(rb_buf_cstr(&r->body), "response_format") ||
                                     strcasestr(rb_buf_cstr(&r->body), "json_schema")))
        return OA_FALLBACK;
    if (s < 200 || s >= 300) {
        oa_server_message(&r->body, srv, sizeof srv);
        rb_err_set(err, OA_STATUS_FATAL, "processing_error",
                   "the model server rejected the request with HTTP %ld%s", s, srv);
        return OA_FATAL;
    }
    json_t *j = json_loadb(rb_buf_cstr(&r->body), r->body.len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        rb_err_set(err, OA_STATUS_RETRYABLE, "processing_error",
                   "the model server's reply is not a chat completion (not JSON)");
        return OA_TRANSIENT;
    }
    json_t *u = json_object_get(j, "usage");
    if (usage && json_is_object(u)) {
        json_int_t pt = json_integer_value(json_object_get(u, "prompt_tokens"));
        json_int_t ct = json_integer_value(json_object_get(u, "completion_tokens"));
        usage->prompt_tokens += pt > 0 ? pt : 0;
        usage->completion_tokens += ct > 0 ? ct : 0;
    }
    json_t *msg = json_object_get(json_array_get(json_object_get(j, "choices"), 0), "message");
    const char *content = json_string_value(json_object_get(msg, "content"));
    int rc = OA_INVALID;
    if (!content) {
        snprintf(why, whylen, "the reply has no message content");
        *bad = strdup("");
    } else {
        size_t n = json_string_length(json_object_get(msg, "content"));
        size_t echo = n < OA_CORRECTIVE_ECHO_MAX ? n : OA_CORRECTIVE_ECHO_MAX;
        /* Cut on a character boundary so the echo stays valid UTF-8. */
        while (echo > 0 && echo < n && ((unsigned char)content[echo] & 0xC0) == 0x80)
            echo--;
        *bad = strndup(content, echo);
        const char *p = content;
        oa_unfence(&p, &n);
        json_error_t je;
        json_t *obj = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
        if (!obj) {
            snprintf(why, whylen, "the reply is not valid JSON (%.120s)", je.text);
        } else if (rb_jsonschema_validate(req->schema, obj, why, whylen) != RB_OK) {
            json_decref(obj);
        } else {
            *out = obj;
            rc = OA_DONE;
        }
    }
    json_decref(j);
    return rc;
}

/* Replaces every occurrence of the key in the message: servers echo keys in
 * their error text, and that text ends up in job errors. */
static void oa_redact(const rb_openai_config *c, rb_err *err)
{
    size_t kl = strlen(c->api_key);
    if (!err || kl == 0)
        return;
    static const char mark[] = "[redacted]";
    size_t from = 0;
    char *p;
    /* Searching on after each mark ends the loop even if the key occurs in the mark. */
    while (from <= strlen(err->message) &&
           (p = strstr(err->message + from, c->api_key)) != NULL) {
        char rest[sizeof err->message];
        snprintf(rest, sizeof rest, "%s", p + kl);
        *p = '\0';
        size_t used = strlen(err->message);
        snprintf(p, sizeof err->message - used, "%s%s", mark, rest);
        from = used + sizeof mark - 1;
    }
}

/* Drops a multi-byte character cut in half at the end of s (snprintf
 * truncates on bytes), so the text can go into a JSON string. */
static void oa_utf8_trim(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0 || (unsigned char)s[i - 1] < 0x80)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (n - (i - 1) < want)
        s[i - 1] = '\0';
}

static int oa_call(rb_openai_config *c, const rb_openai_request *req, json_t **out,
                   rb_openai_usage *usage, rb_err *err)
{
    json_t *extra = json_array();
    oa_reply r;
    memset(&r, 0, sizeof r);
    rb_buf_init(&r.body, RB_OPENAI_MAX_RESPONSE);
    int retries = 0, invalid = 0, fell_back = 0, rc = RB_ERR;
    for (;;) {
        int json_object = __atomic_load_n(&c->json_object_only, __ATOMIC_RELAXED);
        json_t *body = oa_build_body(c, req, extra, json_object);
        char *txt = body ? json_dumps(body, JSON_COMPACT) : NULL;
        json_decref(body);
        if (!txt) {
            rb_err_set(err, OA_STATUS_FATAL, "processing_error",
                       "could not encode the model request");
            break;
        }
        oa_post(c, txt, &r);
        free(txt);
        if (usage)
            usage->requests++;
        char why[300] = "";
        char *bad = NULL;
        int o = oa_interpret(c, req, &r, json_object, out, usage, why, sizeof why, &bad, err);
        /* Redact now, not only on return: the retry path logs the message. */
        if (o != OA_DONE)
            oa_redact(c, err);
        if (o == OA_DONE) {
            free(bad);
            rc = RB_OK;
            break;
        }
        if (o == OA_FATAL)
            break;
        if (o == OA_FALLBACK) {
            if (fell_back++) {
                rb_err_set(err, OA_STATUS_FATAL, "processing_error",
                           "the model server rejected both json_schema and json_object replies");
                break;
            }
            rb_warn("openai: server rejected response_format json_schema; using json_object");
            __atomic_store_n(&c->json_object_only, 1, __ATOMIC_RELAXED);
            continue;
        }
        if (o == OA_INVALID) {
            oa_utf8_trim(why);
            if (invalid++) {
                free(bad);
                rb_err_set(err, OA_STATUS_RETRYABLE, "processing_error",
                           "the model returned invalid output twice: %s", why);
                break;
            }
            /* Show the model its reply and what is wrong with it, once. */
            json_array_append_new(extra, json_pack("{s:s, s:s}", "role", "assistant", "content",
                                                   bad ? bad : ""));
            char fix[512];
            snprintf(fix, sizeof fix,
                     "Your previous reply was rejected: %s. Reply again with only one JSON "
                     "object that matches the required schema.",
                     why);
            json_array_append_new(extra, json_pack("{s:s, s:s}", "role", "user", "content", fix));
            free(bad);
            continue;
        }
        /* OA_TRANSIENT: err is filled with the failure we would report. */
        if (retries >= c->max_retries)
            break;
        int64_t d = oa_backoff_ms(c, retries);
        if (r.retry_after_ms >= 0) {
            if (r.retry_after_ms > c->backoff_max_ms) {
                /* Waiting that long inside one job attempt would hold a worker;
                 * the job layer's own retry is the better place. */
                rb_err_set(err, OA_STATUS_RETRYABLE, "processing_error",
                           "the model server asked to retry after %lld s",
                           (long long)((r.retry_after_ms + 999) / 1000));
                break;
            }
            if (r.retry_after_ms > d)
                d = r.retry_after_ms;
        }
        retries++;
        rb_debug("openai: transient failure (%s), retry %d in %lld ms", err ? err->message : "",
                 retries, (long long)d);
        oa_sleep_ms(d);
    }
    rb_buf_free(&r.body);
    json_decref(extra);
    return rc;
}

int rb_openai_chat_json(rb_openai_config *c, const rb_openai_request *req, json_t **out_json,
                        rb_openai_usage *usage, rb_err *err)
{
    *out_json = NULL;
    if (!req || !req->schema || !req->schema_name || !req->schema_name[0] || !c->model[0])
        return rb_err_set(err, OA_STATUS_FATAL, "processing_error",
                          "model request needs a model, a schema and a schema name");
    /* OpenAI's rule for json_schema.name: [a-zA-Z0-9_-]{1,64}. */
    size_t nl = strlen(req->schema_name);
    if (nl > 64 || strspn(req->schema_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789_-") != nl)
        return rb_err_set(err, OA_STATUS_FATAL, "processing_error",
                          "schema name must match [a-zA-Z0-9_-]{1,64}");
    rb_err local;
    rb_err *e = err ? err : &local;
    int rc = oa_call(c, req, out_json, usage, e);
    if (rc)
        oa_redact(c, e);
    return rc;
}

int rb_openai_retryable(const rb_err *err)
{
    return err && (err->status == OA_STATUS_RETRYABLE || err->status == OA_STATUS_TIMEOUT);
}

int64_t rb_openai_units(const rb_openai_usage *u)
{
    if (!u || u->requests <= 0)
        return 0;
    int64_t total = u->prompt_tokens + u->completion_tokens;
    int64_t units = (total + RB_OPENAI_UNIT_TOKENS - 1) / RB_OPENAI_UNIT_TOKENS;
    return units < 1 ? 1 : units;
}
