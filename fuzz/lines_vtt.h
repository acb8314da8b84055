/* lines_vtt.h — captions from fuzzer bytes, shared by the text-engine fuzz
 * targets (fuzz_answer.c, fuzz_textwf.c): one cue per non-empty line, so
 * the engines, not the WebVTT parser, see the bytes. */
#ifndef FUZZ_LINES_VTT_H
#define FUZZ_LINES_VTT_H

#include <stddef.h>

/* A malloc'd WebVTT document (NUL-terminated, *outlen bytes) with one cue
 * per line of text[0..len): cues every `spacing_s` seconds (1..59), each
 * lasting spacing_s - 0.2 s; at most max_lines cues, each line cut to
 * max_line bytes; lines that are empty or hold "-->", '\r' or a NUL are
 * left out so the captions always parse (invalid UTF-8 still fails the
 * parser, as at ingest). NULL when memory runs out. */
char *fuzz_lines_vtt(const char *text, size_t len, size_t max_lines, size_t max_line,
                     unsigned spacing_s, size_t *outlen);

#endif
