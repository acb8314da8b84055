/* fuzz_directive.c — libFuzzer target for directive create validation.
 *
 * The input is a directive create body (spec §7.2), parsed the way
 * api/resp.c parses bodies (jansson, duplicate keys rejected), then checked
 * by rb_api_directive_validate with private URLs both refused and allowed,
 * and once more with an availability callback that says some workflows
 * cannot run here. Each rejection must be one a handler can send unchanged:
 * status 400, or 501 only when a workflow was reported unavailable; a
 * non-empty type and message; a message that is valid UTF-8 (it is echoed
 * inside a JSON answer and may quote client-chosen names cut to fit).
 * Any violation calls abort() so libFuzzer (or replay.c) reports it. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "api/api.h"
#include "common/err.h"

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

/* Workflows whose name has an even length are "not in this build". */
static int some_available(const char *workflow)
{
    return strlen(workflow) % 2 == 1;
}

static void check(int rc, const rb_err *err, int may_501)
{
    if (rc == RB_OK)
        return;
    if (rc != RB_ERR)
        abort();
    if (err->status != 400 && !(may_501 && err->status == 501))
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
    rb_err err;
    for (int allow_private = 0; allow_private <= 1; allow_private++) {
        memset(&err, 0, sizeof err);
        check(rb_api_directive_validate(body, NULL, allow_private, &err), &err, 0);
    }
    memset(&err, 0, sizeof err);
    check(rb_api_directive_validate(body, some_available, 0, &err), &err, 1);
    json_decref(body);
    return 0;
}
