/* fuzz_srt.c — libFuzzer target for the SRT to WebVTT converter.
 *
 * Checks on every input:
 *   1. a rejection carries the documented fields (422 "invalid_input", or
 *      500 when memory ran out) and leaves no output;
 *   2. an accepted input gives "WEBVTT\n\n" plus at least one cue, with no
 *      NUL inside, that rb_vtt_parse accepts as cues only (no text line
 *      became a timing line, a NOTE or a header) and writes back unchanged.
 * Any violation calls abort() so libFuzzer (or replay.c) reports it.
 * rb_srt_sniff runs on every input too, for the sanitizers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "media/srt.h"
#include "media/vtt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int sniff = rb_srt_sniff(s, size);
    if (sniff != 0 && sniff != 1)
        abort();
    char *out = (char *)data; /* must be replaced by NULL or the output */
    size_t len = 1;
    rb_err err;
    if (rb_srt_to_vtt(s, size, &out, &len, &err) != RB_OK) {
        if (out || len != 0)
            abort();
        if (!((err.status == 422 && strcmp(err.type, "invalid_input") == 0) ||
              err.status == 500))
            abort();
        return 0;
    }
    if (!out || len < 8 || memcmp(out, "WEBVTT\n\n", 8) != 0 || strlen(out) != len)
        abort();
    rb_vtt v;
    if (rb_vtt_parse(out, len, &v, &err) != RB_OK)
        abort();
    if (v.ncues == 0 || v.ncues != v.nblocks || v.header_extra || strcmp(v.header, "WEBVTT") != 0)
        abort();
    for (size_t i = 0; i < v.nblocks; i++)
        if (v.blocks[i].kind != RB_VTT_CUE || v.blocks[i].blank_before != 1 ||
            v.blocks[i].settings[0] != '\0')
            abort();
    size_t wlen;
    char *w = rb_vtt_write(&v, &wlen);
    if (!w || wlen != len || memcmp(w, out, len) != 0)
        abort();
    free(w);
    rb_vtt_free(&v);
    free(out);
    return 0;
}
