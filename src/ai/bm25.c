/* bm25.c — Okapi BM25 over a doc's units, with a postings list per stem. */
#include "ai/bm25.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rb_bm25 {
    rb_text_ids ids;
    size_t nunits;
    double avglen;
    uint32_t *len;       /* non-stop tokens per unit */
    size_t *post_off;    /* nvocab+1 offsets into post_unit/post_tf */
    uint32_t *post_unit; /* units containing each stem, ascending */
    uint32_t *post_tf;   /* term frequency in that unit */
};

void rb_bm25_free(rb_bm25 *idx)
{
    if (!idx)
        return;
    rb_text_ids_free(&idx->ids);
    free(idx->len);
    free(idx->post_off);
    free(idx->post_unit);
    free(idx->post_tf);
    free(idx);
}

int rb_bm25_build(const rb_text_doc *doc, rb_bm25 **out, rb_err *err)
{
    *out = NULL;
    rb_bm25 *x = calloc(1, sizeof *x);
    if (!x)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    int rc = rb_text_ids_build(doc, 1, &x->ids, err);
    if (rc) {
        free(x);
        return rc;
    }
    size_t nv = x->ids.nvocab, nu = doc->nunits;
    x->nunits = nu;
    x->len = calloc(nu ? nu : 1, sizeof *x->len);
    x->post_off = calloc(nv + 1, sizeof *x->post_off);
    /* last[v] is the last unit that counted stem v, so each (unit, stem) pair
     * makes exactly one posting. */
    int64_t *last = malloc((nv ? nv : 1) * sizeof *last);
    if (!x->len || !x->post_off || !last) {
        free(last);
        rb_bm25_free(x);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    for (size_t v = 0; v < nv; v++)
        last[v] = -1;
    size_t npost = 0, total = 0;
    for (size_t u = 0; u < nu; u++) {
        for (size_t k = x->ids.unit_off[u]; k < x->ids.unit_off[u + 1]; k++) {
            int32_t id = x->ids.ids[k];
            if (id < 0)
                continue;
            x->len[u]++;
            if (last[id] != (int64_t)u) {
                last[id] = (int64_t)u;
                x->post_off[id + 1]++;
                npost++;
            }
        }
        total += x->len[u];
    }
    x->avglen = nu ? (double)total / (double)nu : 0.0;
    for (size_t v = 0; v < nv; v++)
        x->post_off[v + 1] += x->post_off[v];
    x->post_unit = malloc((npost ? npost : 1) * sizeof *x->post_unit);
    x->post_tf = calloc(npost ? npost : 1, sizeof *x->post_tf);
    size_t *fill = malloc((nv ? nv : 1) * sizeof *fill);
    if (!x->post_unit || !x->post_tf || !fill) {
        free(last);
        free(fill);
        rb_bm25_free(x);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    for (size_t v = 0; v < nv; v++) {
        fill[v] = x->post_off[v];
        last[v] = -1;
    }
    /* Units are visited in order, so every postings list comes out sorted. */
    for (size_t u = 0; u < nu; u++) {
        for (size_t k = x->ids.unit_off[u]; k < x->ids.unit_off[u + 1]; k++) {
            int32_t id = x->ids.ids[k];
            if (id < 0)
                continue;
            if (last[id] != (int64_t)u) {
                last[id] = (int64_t)u;
                x->post_unit[fill[id]++] = (uint32_t)u;
            }
            x->post_tf[fill[id] - 1]++;
        }
    }
    free(last);
    free(fill);
    *out = x;
    return RB_OK;
}

static int cmp_hit(const void *a, const void *b)
{
    const rb_bm25_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->unit < y->unit ? -1 : (x->unit > y->unit);
}

int rb_bm25_query(const rb_bm25 *idx, const char *const *stems, size_t nstems,
                  rb_bm25_hit *hits, size_t max, size_t *nhits, rb_err *err)
{
    *nhits = 0;
    if (!idx || (nstems && !stems) || (max && !hits))
        return rb_err_set(err, 400, "invalid_parameters", "bm25 query needs an index and stems");
    if (idx->nunits == 0 || nstems == 0 || max == 0)
        return RB_OK;
    double *acc = calloc(idx->nunits, sizeof *acc);
    int32_t *seen = malloc(nstems * sizeof *seen);
    if (!acc || !seen) {
        free(acc);
        free(seen);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    size_t nseen = 0;
    double n = (double)idx->nunits;
    for (size_t q = 0; q < nstems; q++) {
        int32_t id = rb_text_ids_lookup(&idx->ids, stems[q]);
        if (id < 0)
            continue;
        /* A repeated query stem would double its weight; count it once. */
        int dup = 0;
        for (size_t s = 0; s < nseen; s++)
            dup |= seen[s] == id;
        if (dup)
            continue;
        seen[nseen++] = id;
        size_t a = idx->post_off[id], e = idx->post_off[id + 1];
        double df = (double)(e - a);
        double idf = log(1.0 + (n - df + 0.5) / (df + 0.5));
        for (size_t p = a; p < e; p++) {
            uint32_t u = idx->post_unit[p];
            double tf = idx->post_tf[p];
            double norm = 1.0 - RB_BM25_B + RB_BM25_B * (double)idx->len[u] / idx->avglen;
            acc[u] += idf * tf * (RB_BM25_K1 + 1.0) / (tf + RB_BM25_K1 * norm);
        }
    }
    size_t cnt = 0;
    for (size_t u = 0; u < idx->nunits; u++)
        cnt += acc[u] > 0.0;
    rb_bm25_hit *all = malloc((cnt ? cnt : 1) * sizeof *all);
    if (!all) {
        free(acc);
        free(seen);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    size_t k = 0;
    for (size_t u = 0; u < idx->nunits; u++)
        if (acc[u] > 0.0)
            all[k++] = (rb_bm25_hit){u, acc[u]};
    qsort(all, cnt, sizeof *all, cmp_hit);
    size_t w = cnt < max ? cnt : max;
    memcpy(hits, all, w * sizeof *all);
    *nhits = w;
    free(all);
    free(acc);
    free(seen);
    return RB_OK;
}
