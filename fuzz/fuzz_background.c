/* fuzz_background.c — libFuzzer target for the background-corpus reader
 * (src/ai/background.c: UTF-8 cleaning, chunking, tokenising, stem counts).
 *
 * The first byte picks the language (en, fr, de, es or an unknown code), the
 * rest is the corpus text. Checks on every input:
 *   1. a rejection carries the documented fields (422 "invalid_input", or
 *      500 when memory ran out) and leaves no table;
 *   2. an accepted table: every weight is in [0, 1] (0 only for a stem that
 *      is every token), a stem the table lacks counts 0 and weighs 1, size <= total, and bytes > 0;
 *   3. when the text is valid UTF-8 without NUL and fits one chunk, the table
 *      counts exactly the tokens rb_transcript_tokenize finds in it, and every
 *      one of their stems (up to RB_BACKGROUND_MAX_STEM bytes) has a count of at
 *      least one and a weight below 1.
 * Any violation calls abort() so libFuzzer (or replay.c) reports it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ai/background.h"
#include "ai/transcript.h"
#include "common/err.h"

static int valid_text(const char *s, size_t len)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t left = (utf8proc_ssize_t)len;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0 || cp == 0)
            return 0;
        p += n;
        left -= n;
    }
    return 1;
}

static void check_weight(const rb_background *b, const char *stem, size_t len)
{
    double w = rb_background_weight(b, stem, len);
    if (!(w >= 0.0 && w <= 1.0))
        abort();
    if (w == 0.0 && rb_background_count(b, stem, len) != rb_background_total(b))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = {"en", "fr", "de", "es", "xx"};
    if (size == 0)
        return 0;
    const char *lang = langs[data[0] % 5];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    rb_background *b = (rb_background *)data; /* must be replaced by NULL or the table */
    rb_err err;
    if (rb_background_open_mem(text, len, lang, &b, &err) != RB_OK) {
        if (b)
            abort();
        if (!((err.status == 422 && strcmp(err.type, "invalid_input") == 0) || err.status == 500))
            abort();
        return 0;
    }
    if (!b || rb_background_size(b) > rb_background_total(b) || rb_background_bytes(b) == 0)
        abort();
    /* No stem is longer than the text, so one that is cannot be counted. */
    char *absent = malloc(len + 2);
    if (absent) {
        memset(absent, 'q', len + 1);
        absent[len + 1] = '\0';
        if (rb_background_count(b, absent, len + 1) != 0 ||
            rb_background_weight(b, absent, len + 1) != 1.0)
            abort();
        free(absent);
    }
    if (len < 60 * 1024 && valid_text(text, len)) {
        char *copy = malloc(len + 1);
        if (copy) {
            memcpy(copy, text, len);
            copy[len] = '\0';
            rb_transcript_token *toks = NULL;
            size_t nt = 0;
            rb_err terr;
            if (rb_transcript_tokenize(copy, lang, &toks, &nt, &terr) == RB_OK) {
                if (rb_background_total(b) != nt)
                    abort();
                for (size_t i = 0; i < nt; i++) {
                    size_t sl = strlen(toks[i].stem);
                    check_weight(b, toks[i].stem, sl);
                    /* Over-long stems are counted in the total only. */
                    if (sl == 0 || sl > RB_BACKGROUND_MAX_STEM)
                        continue;
                    if (rb_background_count(b, toks[i].stem, sl) == 0 ||
                        rb_background_weight(b, toks[i].stem, sl) >= 1.0)
                        abort();
                }
                rb_transcript_tokens_free(toks, nt);
            }
            free(copy);
        }
    }
    rb_background_close(b);
    return 0;
}
