/* bm25.h — Okapi BM25 ranking of the units of a text doc.
 *
 * score(u, q) = sum over distinct query stems t present in u of
 *     idf(t) * tf(t,u) * (k1 + 1) / (tf(t,u) + k1 * (1 - b + b * len(u) / avglen))
 * with idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5)) (the Lucene form,
 * never negative), k1 = 1.2, b = 0.75. Stop words are not indexed and do
 * not count in len(u). docs/builtin-engine.md has the details. */
#ifndef RB_BM25_H
#define RB_BM25_H

#include <stddef.h>

#include "ai/textdoc.h"

#define RB_BM25_K1 1.2
#define RB_BM25_B 0.75

typedef struct rb_bm25 rb_bm25;

typedef struct rb_bm25_hit {
    size_t unit;   /* index into doc->units */
    double score;  /* > 0 */
} rb_bm25_hit;

/* Builds the index. It borrows the doc's stem strings: the doc must outlive it. */
int rb_bm25_build(const rb_text_doc *doc, rb_bm25 **out, rb_err *err);

/* Ranks units for the query stems (already normalized and stemmed like the
 * doc; duplicates count once; unknown stems contribute nothing). Writes at
 * most max hits, best first, ties by lower unit index; units scoring 0 are
 * left out. *nhits receives the number written. */
int rb_bm25_query(const rb_bm25 *idx, const char *const *stems, size_t nstems,
                  rb_bm25_hit *hits, size_t max, size_t *nhits, rb_err *err);

void rb_bm25_free(rb_bm25 *idx);

#endif
