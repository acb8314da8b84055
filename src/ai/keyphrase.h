/* keyphrase.h — key phrases by RAKE (Rose et al. 2010) with TF-IDF weighting.
 *
 * Candidates are maximal runs of non-stop tokens inside one unit, cut at stop
 * words and at punctuation (rb_text_token.brk); runs longer than max_words
 * are dropped. Candidates are identified by their stem sequence, so
 * inflections merge ("neural network" and "neural networks" are one phrase).
 * Word score = deg(w) / freq(w) over the kept candidates; a phrase's RAKE
 * score is the sum of its words' scores. With RB_KEYPHRASE_RAKE_TFIDF the
 * final score is rake * (1 + ln tf) * ln(1 + N / df), where tf counts the
 * phrase's occurrences, df the units (cue windows) holding it and N the units.
 * The surface shown is the phrase's most frequent surface form (ties: the
 * byte-wise smallest). Results are sorted by score, then by stem sequence. */
#ifndef RB_KEYPHRASE_H
#define RB_KEYPHRASE_H

#include <stddef.h>

#include "ai/textdoc.h"

enum rb_keyphrase_weighting {
    RB_KEYPHRASE_RAKE_TFIDF = 0,  /* default */
    RB_KEYPHRASE_RAKE = 1         /* plain RAKE scores, as in the paper */
};

typedef struct rb_keyphrase_opts {
    size_t max_words;   /* longest candidate kept; 0 = 4 */
    size_t top_n;       /* phrases returned; 0 = 10 */
    int weighting;      /* enum rb_keyphrase_weighting */
} rb_keyphrase_opts;

typedef struct rb_keyphrase {
    char *text;     /* surface form, words joined by one space (malloc'd) */
    double score;   /* the ranking score */
    double rake;    /* the plain RAKE score */
    size_t tf;      /* occurrences */
    size_t df;      /* units containing it */
} rb_keyphrase;

/* *out is malloc'd with *nout <= top_n entries (NULL when none); free with
 * rb_keyphrases_free. opts NULL = defaults. */
int rb_keyphrases(const rb_text_doc *doc, const rb_keyphrase_opts *opts, rb_keyphrase **out,
                  size_t *nout, rb_err *err);
void rb_keyphrases_free(rb_keyphrase *kp, size_t n);

#endif
