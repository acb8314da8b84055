/* caption_edit.h — the text engine of the edit-captions workflow.
 *
 * Pure functions: they take cue text (or a parsed rb_vtt) and the edits from
 * the job parameters and return edited text plus a count of substitutions.
 * Loading tracks and uploading results is the workflow's business.
 *
 * Order of application, per cue: speaker replacements, then replacements (in
 * the given order, each rule one left-to-right pass over the result of the
 * previous one), then profanity censoring. The count grows by one for every
 * single substitution: each match of each rule, each censored term, each
 * speaker label renamed.
 *
 * Matching works on the visible text: inline tags (`<i>`, `<v Name>`, ...)
 * are never matched into nor altered, and a match never spans a tag;
 * character references (&amp; &lt; &gt; &nbsp; &lrm; &rlm; &#NN; &#xHH;) are
 * matched as the character they stand for. `find` and `replace` are plain
 * text: `<`, `>` and `&` in `replace` are written back escaped. The rules in
 * full (word boundaries, phrases across line breaks, clean-up after
 * deletions) are in docs/caption-edit.md. */
#ifndef RB_CAPTION_EDIT_H
#define RB_CAPTION_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "media/vtt.h"

typedef struct rb_replacement {
    const char *find;       /* literal text, not a regex; whitespace matches any whitespace run */
    const char *replace;    /* "" deletes the match */
    int case_sensitive;     /* 0 (the API default): match through Unicode case folding */
} rb_replacement;

typedef struct rb_speaker_replacement {
    const char *find;       /* label without brackets, matched exactly (case-sensitive) */
    const char *replace;    /* new label without brackets */
} rb_speaker_replacement;

enum rb_censor_mode {
    RB_CENSOR_BLANK,        /* the term becomes "[____]" (always four underscores) */
    RB_CENSOR_REMOVE,       /* the term is dropped and the spacing around it tidied */
    RB_CENSOR_MASK          /* each code point of the term becomes '?' */
};

typedef struct rb_caption_edits {
    const rb_replacement *replacements; size_t nreplacements;
    const rb_speaker_replacement *speakers; size_t nspeakers;
    int censor;                      /* auto_censor_profanity present */
    /* Says whether one case-folded word (UTF-8, len bytes, no NUL) is
     * profane. The caller supplies the detector (the workflow passes the
     * built-in lexicon from src/ai), so this module depends on no engine.
     * NULL: only always_censor terms are censored. */
    int (*is_profane)(const char *folded_word, size_t len);
    enum rb_censor_mode mode;        /* default blank */
    const char *const *always_censor; size_t nalways;
    const char *const *never_censor;  size_t nnever;
} rb_caption_edits;

/* Zeroes *e: no edits, censoring off, mode blank, no detector. */
void rb_caption_edits_init(rb_caption_edits *e);

/* Applies the edits to one cue's text; *out is malloc'd; *count += replacements made.
 * Invalid UTF-8 is kept byte for byte and never matches a letter. Returns
 * RB_OK, or RB_TOOBIG (err: 422 "output_too_large") when the edited text would
 * exceed 4x the input plus 64 KiB, or RB_ERR on allocation failure. On error
 * *out is NULL and *count is unchanged. */
int rb_caption_edit_text(const char *text, const rb_caption_edits *e, char **out, int64_t *count, rb_err *err);

/* Applies the edits to every cue of vtt in place (NOTE/STYLE/REGION untouched, timing and ids never touched).
 * A cue whose text becomes empty (every word removed) is left with text "";
 * the caller decides whether to drop it. On error the cues edited so far keep
 * their new text and *count is unchanged. */
int rb_caption_edit_vtt(rb_vtt *vtt, const rb_caption_edits *e, int64_t *count, rb_err *err);

#endif
