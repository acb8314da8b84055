/* texttiling.c — Hearst's TextTiling with block comparison and depth scores. */
#include "ai/texttiling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct gap {
    size_t tok;     /* index (among non-stop tokens) of the first token after the gap */
    double depth;
    int cand;       /* local minimum of the cohesion curve */
} gap;

/* Cohesion at gap g: cosine of counts over sequences [g-k+1, g] and [g+1, g+k].
 * cnt_l/cnt_r are scratch vectors of nvocab zeros, left zeroed on return. */
static double cohesion(const int32_t *seq, size_t ntok, size_t w, size_t nseq, size_t g,
                       size_t k, double *cnt_l, double *cnt_r)
{
    size_t ls = g + 1 >= k ? g + 1 - k : 0;
    size_t re = g + 1 + k < nseq ? g + 1 + k : nseq;
    size_t a = ls * w, m = (g + 1) * w, e = re * w < ntok ? re * w : ntok;
    for (size_t i = a; i < m; i++)
        cnt_l[seq[i]] += 1.0;
    for (size_t i = m; i < e; i++)
        cnt_r[seq[i]] += 1.0;
    double dot = 0, nl = 0, nr = 0;
    /* Sum over the tokens' stems, visiting each stem once by clearing it. */
    for (size_t i = a; i < e; i++) {
        int32_t v = seq[i];
        if (cnt_l[v] == 0 && cnt_r[v] == 0)
            continue;
        dot += cnt_l[v] * cnt_r[v];
        nl += cnt_l[v] * cnt_l[v];
        nr += cnt_r[v] * cnt_r[v];
        cnt_l[v] = cnt_r[v] = 0;
    }
    return (nl > 0 && nr > 0) ? dot / sqrt(nl * nr) : 0.0;
}

int rb_texttiling(const rb_text_doc *doc, const rb_tiling_opts *opts, size_t *bounds,
                  size_t cap, size_t *nbounds, rb_err *err)
{
    *nbounds = 0;
    rb_tiling_opts o = opts ? *opts : (rb_tiling_opts){0};
    if (!o.w)
        o.w = 20;
    if (!o.k)
        o.k = 6;
    if (!o.min_units)
        o.min_units = 2;
    if (o.granularity < RB_TILING_COARSE || o.granularity > RB_TILING_FINE)
        return rb_err_set(err, 400, "invalid_parameters", "unknown granularity %d", o.granularity);
    if (cap && !bounds)
        return rb_err_set(err, 400, "invalid_parameters", "no boundary array");
    rb_text_ids ids;
    int rc = rb_text_ids_build(doc, 1, &ids, err);
    if (rc)
        return rc;
    /* Content tokens in order, and for each unit the index of its first one. */
    int32_t *seq = malloc((ids.ntokens ? ids.ntokens : 1) * sizeof *seq);
    size_t *ustart = malloc((doc->nunits + 1) * sizeof *ustart);
    size_t ntok = 0;
    if (!seq || !ustart) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    for (size_t u = 0; u < doc->nunits; u++) {
        ustart[u] = ntok;
        for (size_t i = ids.unit_off[u]; i < ids.unit_off[u + 1]; i++)
            if (ids.ids[i] >= 0)
                seq[ntok++] = ids.ids[i];
    }
    ustart[doc->nunits] = ntok;
    size_t nseq = (ntok + o.w - 1) / o.w;
    if (nseq < 2 || doc->nunits < 2)
        goto out;
    size_t ngap = nseq - 1;
    double *score = malloc(ngap * sizeof *score);
    gap *gaps = malloc(ngap * sizeof *gaps);
    double *cl = calloc(ids.nvocab, sizeof *cl), *cr = calloc(ids.nvocab, sizeof *cr);
    if (!score || !gaps || !cl || !cr) {
        free(score), free(gaps), free(cl), free(cr);
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    for (size_t g = 0; g < ngap; g++)
        score[g] = cohesion(seq, ntok, o.w, nseq, g, o.k, cl, cr);
    free(cl);
    free(cr);
    double sum = 0, sum2 = 0;
    for (size_t g = 0; g < ngap; g++) {
        /* Climb to the nearest peak on each side, as Hearst does. */
        double lp = score[g], rp = score[g];
        for (size_t i = g; i-- > 0 && score[i] >= lp;)
            lp = score[i];
        for (size_t i = g + 1; i < ngap && score[i] >= rp; i++)
            rp = score[i];
        gaps[g].tok = (g + 1) * o.w;
        gaps[g].depth = (lp - score[g]) + (rp - score[g]);
        gaps[g].cand = (g == 0 || score[g] <= score[g - 1]) &&
                       (g + 1 == ngap || score[g] <= score[g + 1]);
        sum += gaps[g].depth;
        sum2 += gaps[g].depth * gaps[g].depth;
    }
    double mean = sum / (double)ngap;
    double var = sum2 / (double)ngap - mean * mean;
    double sd = var > 0 ? sqrt(var) : 0.0;
    double c = o.granularity == RB_TILING_COARSE ? 0.0 : o.granularity == RB_TILING_BALANCED ? 0.5 : 1.0;
    double cutoff = mean - c * sd;
    /* Deepest first (earlier gap on ties) so a strong boundary is never pushed
     * out by a weak neighbour within min_units. */
    for (;;) {
        size_t best = ngap;
        for (size_t g = 0; g < ngap; g++)
            if (gaps[g].cand && gaps[g].depth > 0 && gaps[g].depth > cutoff &&
                (best == ngap || gaps[g].depth > gaps[best].depth))
                best = g;
        if (best == ngap)
            break;
        gaps[best].cand = 0;
        /* Snap to the unit whose first content token is nearest the gap. */
        size_t t = gaps[best].tok, lo = 0, hi = doc->nunits;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (ustart[mid] < t)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t u = lo;
        if (u > 0 && (u == doc->nunits || t - ustart[u - 1] < ustart[u] - t))
            u--;
        if (u < o.min_units || u + o.min_units > doc->nunits)
            continue;
        int ok = 1;
        for (size_t i = 0; i < *nbounds; i++) {
            size_t d = bounds[i] > u ? bounds[i] - u : u - bounds[i];
            ok &= d >= o.min_units;
        }
        if (!ok)
            continue;
        if (*nbounds == cap) {
            rc = RB_TOOBIG;
            rb_err_set(err, 500, "too_large", "more than %zu boundaries", cap);
            break;
        }
        size_t j = (*nbounds)++;
        while (j > 0 && bounds[j - 1] > u) {
            bounds[j] = bounds[j - 1];
            j--;
        }
        bounds[j] = u;
    }
    free(score);
    free(gaps);
out:
    free(seq);
    free(ustart);
    rb_text_ids_free(&ids);
    return rc;
}
