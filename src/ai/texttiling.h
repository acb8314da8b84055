/* texttiling.h — topic boundaries by TextTiling (Hearst 1997).
 *
 * The non-stop tokens of the doc are cut into pseudo-sentences of w tokens.
 * At every gap between pseudo-sentences the lexical cohesion is the cosine of
 * the stem-count vectors of the k pseudo-sentences before and after the gap
 * (truncated at the doc's ends). A gap's depth is how far the cohesion climbs
 * on each side before it falls again: (left peak - s) + (right peak - s).
 * Local minima whose depth exceeds mean - c*sd (c from the granularity) are
 * boundaries, taken deepest first, snapped to the nearest unit start, and
 * kept only if at least min_units away from the doc edges and from every
 * boundary already kept. */
#ifndef RB_TEXTTILING_H
#define RB_TEXTTILING_H

#include <stddef.h>

#include "ai/textdoc.h"

enum rb_tiling_granularity {
    RB_TILING_COARSE = 0,    /* cutoff = mean depth: fewer segments */
    RB_TILING_BALANCED = 1,  /* cutoff = mean - sd/2 (Hearst's HC) */
    RB_TILING_FINE = 2       /* cutoff = mean - sd (Hearst's LC): more segments */
};

typedef struct rb_tiling_opts {
    size_t w;            /* tokens per pseudo-sentence; 0 = 20 */
    size_t k;            /* pseudo-sentences per block; 0 = 6 */
    int granularity;     /* enum rb_tiling_granularity */
    size_t min_units;    /* minimum units per segment; 0 = 2 */
} rb_tiling_opts;

/* Fills bounds (caller array of cap entries) with ascending unit indices where
 * a new segment starts (never 0, never nunits); *nbounds gets the count.
 * opts NULL means defaults. Docs too short for two pseudo-sentences give none.
 * Returns RB_TOOBIG if more than cap boundaries were found (cap >= nunits
 * always suffices). */
int rb_texttiling(const rb_text_doc *doc, const rb_tiling_opts *opts, size_t *bounds,
                  size_t cap, size_t *nbounds, rb_err *err);

#endif
