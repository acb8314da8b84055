/* transcript_doc.h — the transcript model seen as a rb_text_doc.
 *
 * The builtin algorithms (textrank, keyphrase, texttiling, bm25) read the
 * plain rb_text_doc of textdoc.h; this adapter is the one place that maps a
 * rb_transcript onto it: one unit per sentence, one token per word, with the
 * phrase-break flag RAKE needs set where punctuation stands between words. */
#ifndef RB_TRANSCRIPT_DOC_H
#define RB_TRANSCRIPT_DOC_H

#include "ai/textdoc.h"
#include "ai/transcript.h"
#include "common/err.h"

typedef struct rb_transcript_doc {
    rb_text_doc doc;              /* what the algorithms read */
    rb_text_unit *units;          /* owned; doc.units points here */
    rb_text_token *tokens;        /* owned; all units' tokens, in order */
} rb_transcript_doc;

/* Builds the view. Every string stays owned by t, so t must outlive out. */
int rb_transcript_doc_build(const rb_transcript *t, rb_transcript_doc *out, rb_err *err);
void rb_transcript_doc_free(rb_transcript_doc *d);

#endif
