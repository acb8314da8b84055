/* resp.c — the request accessors and response builders of api.h.
 *
 * Handlers answer through these few calls so that every response has the same
 * envelope ({"data": ...}) and every error the same body
 * ({"error":{"type","message","messages":[message]}}, spec §1.6). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "api/api.h"
#include "common/log.h"

const char *rb_req_query(const rb_req *req, const char *name)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (req->query[i].key && strcmp(req->query[i].key, name) == 0)
            return req->query[i].value ? req->query[i].value : "";
    return NULL;
}

const char *rb_req_header(const rb_req *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (req->headers[i].key && strcasecmp(req->headers[i].key, name) == 0)
            return req->headers[i].value ? req->headers[i].value : "";
    return NULL;
}

void rb_resp_init(rb_resp *resp)
{
    memset(resp, 0, sizeof *resp);
}

void rb_resp_free(rb_resp *resp)
{
    json_decref(resp->json);
    free(resp->raw);
    rb_resp_init(resp);
}

/* A handler may answer more than once on an error path (e.g. a helper already
 * answered 400 and the caller then answers again); the last answer wins and
 * the earlier body is released rather than leaked. */
static void resp_reset_body(rb_resp *resp)
{
    json_decref(resp->json);
    resp->json = NULL;
    free(resp->raw);
    resp->raw = NULL;
    resp->raw_len = 0;
    resp->content_type[0] = '\0';
}

void rb_resp_json(rb_resp *resp, int status, json_t *body)
{
    resp_reset_body(resp);
    if (!body) {
        /* json_pack and friends return NULL only when out of memory. */
        rb_resp_errorf(resp, 500, "internal_error", "out of memory building the response");
        return;
    }
    resp->status = status;
    resp->json = body;
}

void rb_resp_data(rb_resp *resp, int status, json_t *data)
{
    if (!data) {
        rb_resp_json(resp, status, NULL);
        return;
    }
    json_t *o = json_object();
    if (o && json_object_set_new(o, "data", data) == 0) {
        rb_resp_json(resp, status, o);
        return;
    }
    json_decref(o);
    rb_resp_json(resp, status, NULL);
}

/* Copies s into out replacing every byte that is not part of a valid UTF-8
 * sequence with '?'. Messages may quote client input (a path id, a query
 * value) that is not UTF-8, or be cut mid-sequence by a precision limit, and
 * JSON strings must be valid UTF-8. */
static void utf8_scrub(const char *s, char *out, size_t outsz)
{
    size_t o = 0, len = strlen(s);
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (len > 0 && o + 1 < outsz) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, (utf8proc_ssize_t)len, &cp);
        if (n <= 0) {
            out[o++] = '?';
            p++;
            len--;
            continue;
        }
        if (o + (size_t)n + 1 > outsz)
            break;
        memcpy(out + o, p, (size_t)n);
        o += (size_t)n;
        p += n;
        len -= (size_t)n;
    }
    out[o] = '\0';
}

static void resp_error_body(rb_resp *resp, int status, const char *type, const char *message)
{
    resp_reset_body(resp);
    resp->status = status;
    resp->json = json_pack("{s:{s:s, s:s, s:[s]}}", "error", "type", type, "message", message,
                           "messages", message);
    if (!resp->json) {
        char clean[sizeof(((rb_err *)0)->message)];
        utf8_scrub(message, clean, sizeof clean);
        resp->json = json_pack("{s:{s:s, s:s, s:[s]}}", "error", "type", type, "message",
                               clean, "messages", clean);
    }
}

void rb_resp_error(rb_resp *resp, const rb_err *err)
{
    int status = err && err->status >= 400 && err->status <= 599 ? err->status : 500;
    const char *type = err && err->type[0] ? err->type : "internal_error";
    const char *msg = err && err->message[0] ? err->message : "internal error";
    /* 501 is a deliberate answer (a workflow without an engine), not a fault. */
    if (status >= 500 && status != 501)
        rb_warn("answering %d %s: %s", status, type, msg);
    resp_error_body(resp, status, type, msg);
}

void rb_resp_errorf(rb_resp *resp, int status, const char *type, const char *fmt, ...)
{
    rb_err err;
    va_list ap;
    va_start(ap, fmt);
    rb_err_setv(&err, status, type, fmt, ap);
    va_end(ap);
    rb_resp_error(resp, &err);
}

void rb_resp_header(rb_resp *resp, const char *key, const char *value)
{
    size_t cap = sizeof resp->headers / sizeof resp->headers[0];
    /* Setting a header twice replaces it, so handlers need not track what an
     * earlier step already set. */
    size_t i;
    for (i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].key, key) == 0)
            break;
    if (i == resp->nheaders) {
        if (resp->nheaders >= cap) {
            rb_warn("response header %s dropped: more than %zu headers", key, cap);
            return;
        }
        resp->nheaders++;
    }
    snprintf(resp->headers[i].key, sizeof resp->headers[i].key, "%s", key);
    snprintf(resp->headers[i].value, sizeof resp->headers[i].value, "%s", value);
}

void rb_resp_raw(rb_resp *resp, int status, const char *content_type, const void *body,
                 size_t len)
{
    resp_reset_body(resp);
    char *copy = malloc(len + 1);
    if (!copy) {
        rb_resp_errorf(resp, 500, "internal_error", "out of memory building the response");
        return;
    }
    if (len)
        memcpy(copy, body, len);
    copy[len] = '\0';
    resp->status = status;
    resp->raw = copy;
    resp->raw_len = len;
    snprintf(resp->content_type, sizeof resp->content_type, "%s",
             content_type ? content_type : "application/octet-stream");
}

json_t *rb_req_json_object(const rb_req *req, rb_resp *resp)
{
    if (!req->body || req->body_len == 0) {
        rb_resp_errorf(resp, 400, "invalid_parameters",
                       "request body is empty; expected a JSON object");
        return NULL;
    }
    json_error_t jerr;
    /* Duplicate keys are refused: two readers could otherwise disagree on which
     * value counts, and the canonical form used for dedupe would hide one. */
    json_t *v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        rb_resp_errorf(resp, 400, "invalid_parameters", "malformed JSON: %s at line %d column %d",
                       jerr.text, jerr.line, jerr.column);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        rb_resp_errorf(resp, 400, "invalid_parameters", "request body must be a JSON object");
        return NULL;
    }
    return v;
}
