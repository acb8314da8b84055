/* lines_vtt.c — see lines_vtt.h. */
#include "lines_vtt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *fuzz_lines_vtt(const char *text, size_t len, size_t max_lines, size_t max_line,
                     unsigned spacing_s, size_t *outlen)
{
    if (spacing_s < 1 || spacing_s > 59)
        spacing_s = 2;
    size_t cap = 32 + len * 2 + max_lines * 64;
    char *v = malloc(cap);
    if (!v)
        return NULL;
    size_t n = (size_t)snprintf(v, cap, "WEBVTT\n\n");
    size_t cues = 0;
    for (size_t off = 0; off < len && cues < max_lines;) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t l = end - off > max_line ? max_line : end - off;
        int skip = l == 0;
        for (size_t i = 0; !skip && i < l; i++)
            skip = text[off + i] == '\r' || text[off + i] == '\0' ||
                   (i + 2 < l && memcmp(text + off + i, "-->", 3) == 0);
        if (!skip) {
            unsigned s = (unsigned)cues * spacing_s, e = s + spacing_s - 1;
            n += (size_t)snprintf(v + n, cap - n, "%02u:%02u:%02u.000 --> %02u:%02u:%02u.800\n",
                                  s / 3600, s / 60 % 60, s % 60, e / 3600, e / 60 % 60, e % 60);
            memcpy(v + n, text + off, l);
            n += l;
            v[n++] = '\n';
            v[n++] = '\n';
            v[n] = '\0';
            cues++;
        }
        off = nl ? end + 1 : len;
    }
    *outlen = n;
    return v;
}
