/* fuzz_params.c — libFuzzer target for job-create request validation.
 *
 * The input is a request body as a client would send it: it is parsed the
 * way api/resp.c parses bodies (jansson, duplicate keys rejected) and then
 * validated as a create body for every one of the 12 workflows. Whatever the
 * body, each rejection must be one a handler can send unchanged:
 *   - status 400 (bad input) or 404 (unknown workflow; never expected here,
 *     since only known names are used, but it is the documented other case);
 *   - a non-empty type and message;
 *   - a message that is valid UTF-8, because it is echoed inside a JSON
 *     answer and names client-chosen keys that may have been cut to fit.
 * Any violation calls abort() so libFuzzer (or replay.c) reports it. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "api/validate.h"
#include "common/err.h"

/* 1 when s (NUL-terminated) is well-formed UTF-8 as utf8proc decodes it. */
static int valid_utf8(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(s);
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0 || cp < 0)
            return 0;
        p += n;
        left -= n;
    }
    return 1;
}

static void check_rejection(int rc, const rb_err *err)
{
    if (rc == RB_OK)
        return;
    if (rc != RB_ERR && rc != RB_NOTFOUND)
        abort();
    if (err->status != 400 && err->status != 404)
        abort();
    if ((rc == RB_NOTFOUND) != (err->status == 404))
        abort();
    if (err->type[0] == '\0' || err->message[0] == '\0')
        abort();
    if (!memchr(err->message, '\0', sizeof err->message) || !valid_utf8(err->message))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!body)
        return 0;
    for (const char *const *wf = rb_workflow_names(); *wf; wf++) {
        rb_err err;
        memset(&err, 0, sizeof err);
        int rc = rb_validate_job_request(*wf, body, &err);
        check_rejection(rc, &err);
        /* A body that passes must also get its defaults filled in. */
        if (rc == RB_OK) {
            json_t *p = rb_params_with_defaults(*wf, json_object_get(body, "parameters"));
            if (!p)
                abort();
            json_decref(p);
        }
    }
    json_decref(body);
    return 0;
}
