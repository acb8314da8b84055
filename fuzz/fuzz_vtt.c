/* fuzz_vtt.c — libFuzzer target for the WebVTT parser and writer.
 *
 * Checks three properties on every input the parser accepts:
 *   1. the written output parses again and writes the same bytes (idempotence);
 *   2. an input whose line ends are all of one kind is written back unchanged
 *      (byte-for-byte round-trip, the module's main promise);
 *   3. after rb_vtt_set_text() with arbitrary bytes on one cue, the output
 *      still parses, the cue's text reads back as stored, and the other blocks
 *      are untouched.
 * Any violation calls abort() so libFuzzer (or replay.c) reports it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "media/vtt.h"

/* 1 when every line end in data is the same kind (or there are none). */
static int consistent_eols(const uint8_t *d, size_t n)
{
    int kind = 0; /* 1 LF, 2 CRLF, 3 CR */
    for (size_t i = 0; i < n; i++) {
        int k = 0;
        if (d[i] == '\n') {
            k = 1;
        } else if (d[i] == '\r') {
            if (i + 1 < n && d[i + 1] == '\n') {
                k = 2;
                i++;
            } else {
                k = 3;
            }
        }
        if (k && kind && k != kind)
            return 0;
        if (k)
            kind = k;
    }
    return 1;
}

static int same_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static void check_edit(const char *out1, size_t len1, const uint8_t *data, size_t size)
{
    rb_vtt v;
    rb_err err;
    if (rb_vtt_parse(out1, len1, &v, &err) != RB_OK)
        abort();
    size_t cue = v.nblocks;
    for (size_t i = 0; i < v.nblocks; i++)
        if (v.blocks[i].kind == RB_VTT_CUE) {
            cue = i;
            break;
        }
    if (cue == v.nblocks) {
        rb_vtt_free(&v);
        return;
    }
    /* Use the second half of the input as the new text: arbitrary bytes,
     * truncated at the first NUL as a C string would be. */
    size_t half = size / 2;
    char *text = malloc(size - half + 1);
    if (!text)
        abort();
    memcpy(text, data + half, size - half);
    text[size - half] = '\0';
    if (rb_vtt_set_text(&v, cue, text) != RB_OK)
        abort();
    free(text);
    size_t len2;
    char *out2 = rb_vtt_write(&v, &len2);
    rb_vtt w;
    if (!out2 || rb_vtt_parse(out2, len2, &w, &err) != RB_OK)
        abort();
    if (w.nblocks != v.nblocks || w.ncues != v.ncues)
        abort();
    for (size_t i = 0; i < v.nblocks; i++) {
        const rb_vtt_block *a = &v.blocks[i], *b = &w.blocks[i];
        if (a->kind != b->kind || !same_str(a->id, b->id) || !same_str(a->timing, b->timing) ||
            !same_str(a->text, b->text) || a->start_ms != b->start_ms ||
            a->end_ms != b->end_ms || a->blank_before != b->blank_before)
            abort();
    }
    free(out2);
    rb_vtt_free(&w);
    rb_vtt_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rb_vtt v;
    rb_err err;
    if (rb_vtt_parse((const char *)data, size, &v, &err) != RB_OK) {
        /* Every rejection must carry the documented error fields. */
        if (err.status != 422 && err.status != 500)
            abort();
        return 0;
    }
    size_t len1;
    char *out1 = rb_vtt_write(&v, &len1);
    if (!out1)
        abort();
    if (consistent_eols(data, size) && (len1 != size || memcmp(out1, data, size) != 0))
        abort();
    rb_vtt v2;
    if (rb_vtt_parse(out1, len1, &v2, &err) != RB_OK)
        abort();
    size_t len2;
    char *out2 = rb_vtt_write(&v2, &len2);
    if (!out2 || len2 != len1 || memcmp(out1, out2, len1) != 0)
        abort();
    if (v2.nblocks != v.nblocks || v2.ncues != v.ncues ||
        rb_vtt_last_end_ms(&v2) != rb_vtt_last_end_ms(&v))
        abort();
    check_edit(out1, len1, data, size);
    free(out2);
    free(out1);
    rb_vtt_free(&v2);
    rb_vtt_free(&v);
    return 0;
}
