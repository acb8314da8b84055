/* vtt.h — WebVTT parse and write, tolerant of real files.
 *
 * The model keeps every byte it needs to write the file back unchanged: block
 * order, the header line's trailing text, NOTE/STYLE/REGION blocks verbatim,
 * each cue's identifier, its timing line exactly as written, and its payload
 * text. Line endings are remembered per file (CRLF or LF) and the BOM is kept.
 * Only cue `text` is meant to be edited; rb_vtt_write() then reproduces the
 * file byte-for-byte where nothing changed.
 *
 * docs/vtt.md is the design note: model, invariants and what is tolerated.
 *
 * Accepts: a UTF-8 BOM; CRLF, LF or lone CR line ends; "MM:SS.mmm" and
 * "HH:MM:SS.mmm" timestamps (also ',' as the millisecond separator, as SRT
 * writers leave behind); cue identifiers; cue settings after the end time;
 * NOTE, STYLE and REGION blocks; multi-line payloads with inline tags; cues
 * not separated by a blank line (a new timing line starts a new cue). */
#ifndef RB_VTT_H
#define RB_VTT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum rb_vtt_block_kind {
    RB_VTT_CUE,
    RB_VTT_NOTE,    /* NOTE block, kept verbatim */
    RB_VTT_STYLE,   /* STYLE block, kept verbatim */
    RB_VTT_REGION,  /* REGION block, kept verbatim */
    RB_VTT_OTHER    /* a block that is none of the above (no timing line), kept verbatim */
};

/* Limits: input larger than RB_VTT_MAX_INPUT, more than RB_VTT_MAX_BLOCKS
 * blocks, or a timestamp past RB_VTT_MAX_HOURS hours is rejected (422). */
#define RB_VTT_MAX_INPUT ((size_t)64 * 1024 * 1024)
#define RB_VTT_MAX_BLOCKS ((size_t)500000)
#define RB_VTT_MAX_HOURS 99999
#define RB_VTT_MAX_MS ((int64_t)RB_VTT_MAX_HOURS * 3600000 + 3599999)

typedef struct rb_vtt_block {
    enum rb_vtt_block_kind kind;
    char *id;           /* cue identifier line, or NULL */
    char *timing;       /* cue timing line exactly as written ("00:01.000 --> 00:02.000 align:start") */
    int64_t start_ms;   /* parsed start time */
    int64_t end_ms;     /* parsed end time */
    char *settings;     /* text after the end timestamp, trimmed ("" when none) */
    char *text;         /* cue payload, lines joined with "\n"; NOTE/STYLE/REGION: whole block */
    int blank_before;   /* empty lines between the previous block (or header) and this one;
                         * 0 only for a cue without id that follows text directly */
} rb_vtt_block;

typedef struct rb_vtt {
    int has_bom;        /* file started with EF BB BF */
    char *header;       /* the "WEBVTT..." line as written, without the line end */
    char *header_extra; /* lines after WEBVTT before the first blank line (metadata headers), or NULL */
    const char *eol;    /* "\r\n", "\n" or "\r": the file's first line ending, used for
                         * every line when writing ("\n" when the file has none) */
    rb_vtt_block *blocks;
    size_t nblocks;
    size_t ncues;       /* how many blocks are RB_VTT_CUE */
    int trailing_newlines; /* number of line ends after the last block, reproduced on write */
} rb_vtt;

/* Parses len bytes of data. Returns RB_OK and fills *out, or RB_ERR with err
 * set (status 422, type "invalid_vtt", message naming the line number and the
 * problem). A file that does not start with "WEBVTT" is rejected. */
int rb_vtt_parse(const char *data, size_t len, rb_vtt *out, rb_err *err);
/* Serialises the model. Returns a malloc'd NUL-terminated string (length in
 * *len if non-NULL) or NULL on allocation failure. Unchanged input
 * round-trips byte-for-byte. */
char *rb_vtt_write(const rb_vtt *vtt, size_t *len);
void rb_vtt_free(rb_vtt *vtt);
/* Replaces cue i's text (takes a copy). Returns RB_ERR when block_index is
 * out of range or not a cue. The text is normalised so the written file
 * parses back to the same cues: CRLF/CR become "\n", empty lines are dropped
 * (they would end the cue) and the '>' of any "-->" becomes "&gt;" (the
 * WebVTT escape, rendered as '>'). */
int rb_vtt_set_text(rb_vtt *vtt, size_t block_index, const char *text);

/* Formats ms as "HH:MM:SS.mmm" into out (at least 16 bytes); hours widen
 * past two digits as needed. ms is clamped to [0, RB_VTT_MAX_MS]. */
void rb_vtt_format_time(int64_t ms, char *out, size_t outlen);
/* Parses "HH:MM:SS.mmm" or "MM:SS.mmm" (exactly len bytes; hours 1-9
 * digits up to RB_VTT_MAX_HOURS, minutes and seconds two digits below 60,
 * three millisecond digits after '.' or ','); returns RB_OK and sets *ms,
 * else RB_ERR. */
int rb_vtt_parse_time(const char *s, size_t len, int64_t *ms);
/* End time of the last cue (ms), 0 when there are no cues: the duration of a
 * captions-only asset. "Last" means the latest end time of any cue, so files
 * whose cues are out of order still get their full duration. */
int64_t rb_vtt_last_end_ms(const rb_vtt *vtt);

#endif
