/* srt.h — SubRip (SRT) subtitles converted to WebVTT.
 *
 * Mux accepts SRT or WebVTT for subtitle tracks (spec §8.3). The library
 * stores every text track as WebVTT, so an SRT file is converted once, at
 * ingest, and every workflow and the public .vtt URL read one format.
 *
 * The reader is tolerant of real files (docs/srt.md has the rules): a UTF-8
 * BOM; CRLF, LF or lone CR line ends; missing, non-numeric or blank-separated
 * sequence numbers; extra blank lines, also inside a cue's text; "," or "."
 * before 1-3 fraction digits (a decimal fraction: ",5" is 500 ms); hours of
 * any width up to RB_VTT_MAX_HOURS, minutes and seconds of one or two digits;
 * text after the end time (the X1:.. X2:.. Y1:.. Y2:.. coordinates) dropped; <i> <b> <u>
 * kept, <font ...> and other tags dropped; {\an8}-style ASS overrides
 * dropped; trailing whitespace.
 *
 * Output: "WEBVTT\n\n", then per cue an optional identifier line (the SRT
 * sequence number, when it is a number), "HH:MM:SS.mmm --> HH:MM:SS.mmm",
 * the text lines and an empty line. Cue text is escaped so the result
 * always parses with rb_vtt_parse and renders the SRT's visible text: a
 * bare '&' becomes "&amp;", a '<' that starts no tag "&lt;", and the '>' of
 * "-->" "&gt;" (that line would otherwise be a timing line). */
#ifndef RB_SRT_H
#define RB_SRT_H

#include <stddef.h>

#include "common/err.h"

/* Inputs over this size are rejected; the converted WebVTT is bounded by the
 * WebVTT parser's own limit (RB_VTT_MAX_INPUT) so it can always be read back. */
#define RB_SRT_MAX_INPUT ((size_t)64 * 1024 * 1024)

/* Converts len bytes of SRT to WebVTT. Returns RB_OK with *vtt a malloc'd,
 * NUL-terminated string (caller frees) and *vtt_len its length, or RB_ERR
 * with err set: status 422, type "invalid_input", a message starting
 * "line N: " for content that is not SRT (text before the first cue that is
 * no sequence number, a broken timing line, a NUL byte, bytes that are not
 * UTF-8, a file without cues, more than RB_VTT_MAX_BLOCKS cues, output over
 * RB_VTT_MAX_INPUT) or the input size for inputs over RB_SRT_MAX_INPUT;
 * status 500 "internal_error" when memory runs out. *vtt is NULL on error. */
int rb_srt_to_vtt(const char *data, size_t len, char **vtt, size_t *vtt_len, rb_err *err);

/* Returns 1 when data looks like SRT rather than WebVTT or anything else:
 * after an optional BOM and blank lines, the first line is an SRT timing line
 * or a sequence label followed (after optional blank lines) by one. Looks at
 * the first few lines only; a file starting with "WEBVTT" is never SRT. */
int rb_srt_sniff(const char *data, size_t len);

#endif
