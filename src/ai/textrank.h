/* textrank.h — extractive summarization by TextRank (Mihalcea & Tarau 2004).
 *
 * Units are graph vertices; the edge weight between two units is
 *     |distinct non-stop stems shared| / max(1, ln|Si| + ln|Sj|)
 * where |S| counts a unit's non-stop tokens (the max(1, .) guard keeps one-
 * and two-word units finite; the paper's formula is undefined there). Scores
 * come from weighted PageRank by power iteration:
 *     WS(i) = (1 - d) + d * sum_j w(j,i) / sum_k w(j,k) * WS(j)
 * starting from 1.0, until the largest change is below tol or max_iter
 * rounds have run. Docs with fewer than three units, or whose graph has no
 * edge, fall back to the centroid method: each unit's score is the cosine of
 * its stem-count vector with the whole doc's. */
#ifndef RB_TEXTRANK_H
#define RB_TEXTRANK_H

#include <stddef.h>

#include "ai/textdoc.h"

/* The graph can hold up to n^2 edges; longer docs fail with RB_TOOBIG and
 * should be ranked per chapter (an hour of speech is about 1,000 sentences). */
#define RB_TEXTRANK_MAX_UNITS 5000

enum rb_textrank_method {
    RB_TEXTRANK_NONE = 0,      /* empty doc: nothing ranked */
    RB_TEXTRANK_PAGERANK = 1,
    RB_TEXTRANK_CENTROID = 2
};

typedef struct rb_textrank_opts {
    double damping;   /* 0 = 0.85 */
    double tol;       /* 0 = 1e-6 */
    int max_iter;     /* 0 = 100 */
} rb_textrank_opts;

typedef struct rb_text_score {
    size_t unit;   /* index into doc->units */
    double score;
} rb_text_score;

/* Ranks every unit of doc, best first (ties by lower unit index). *out is
 * malloc'd with *nout = doc->nunits entries (NULL when 0); the caller frees
 * it. *method (may be NULL) says which method produced the scores and
 * *iters (may be NULL) how many PageRank rounds ran. opts NULL = defaults. */
int rb_textrank(const rb_text_doc *doc, const rb_textrank_opts *opts, rb_text_score **out,
                size_t *nout, int *method, int *iters, rb_err *err);

#endif
