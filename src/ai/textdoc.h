/* textdoc.h — the plain input every builtin text algorithm reads.
 *
 * The transcript model (src/ai/transcript.h) is adapted to this shape by the
 * caller, so textrank, keyphrase, texttiling and bm25 never depend on how
 * cues were parsed, segmented or stemmed. Every pointer here is borrowed:
 * the algorithms copy nothing and keep nothing after they return, except
 * rb_bm25 which keeps the stem pointers alive only as long as the doc.
 *
 * rb_text_ids turns the stems into dense integer ids (first-seen order, so
 * ids are deterministic for a given doc) and is shared by all four modules. */
#ifndef RB_TEXTDOC_H
#define RB_TEXTDOC_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* One normalized, stemmed word. */
typedef struct rb_text_token {
    const char *stem;     /* stemmed, case-folded form; the identity of the word */
    const char *surface;  /* case-folded surface form (keyphrase output); NULL = stem */
    int stop;             /* 1 for a stop word */
    int brk;              /* 1 when punctuation precedes this token (phrase break) */
} rb_text_token;

/* A sentence or a cue window. */
typedef struct rb_text_unit {
    const char *text;     /* original text, for callers; the algorithms ignore it */
    int64_t start_ms, end_ms;
    const rb_text_token *tokens;
    size_t ntokens;
} rb_text_unit;

typedef struct rb_text_doc {
    const rb_text_unit *units;
    size_t nunits;
} rb_text_doc;

/* Hard limits: inputs beyond them fail with RB_TOOBIG instead of letting a
 * hostile transcript allocate without bound. */
#define RB_TEXT_MAX_UNITS 100000
#define RB_TEXT_MAX_TOKENS 4000000

/* A doc with its stems interned to dense ids. */
typedef struct rb_text_ids {
    int32_t *ids;         /* one per token in unit order; -1 for skipped stop words */
    size_t *unit_off;     /* nunits+1 offsets: unit u owns ids[unit_off[u] .. unit_off[u+1]) */
    size_t nunits;
    size_t ntokens;
    const char **stems;   /* id -> stem, borrowed from the doc */
    size_t nvocab;
    int32_t *slots;       /* open-addressing table of ids, for lookups */
    size_t nslots;        /* power of two */
} rb_text_ids;

/* Interns every stem of doc. skip_stop=1 gives stop words id -1 and keeps them
 * out of the vocabulary. A NULL stem is an error (invalid input). */
int rb_text_ids_build(const rb_text_doc *doc, int skip_stop, rb_text_ids *out, rb_err *err);
/* The id of a stem, or -1 when the doc never uses it. */
int32_t rb_text_ids_lookup(const rb_text_ids *t, const char *stem);
void rb_text_ids_free(rb_text_ids *t);

#endif
