/* textrank.c — sentence graph, weighted PageRank, centroid fallback. */
#include "ai/textrank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static int cmp_score(const void *a, const void *b)
{
    const rb_text_score *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->unit > y->unit) - (x->unit < y->unit);
}

/* Per-unit sorted distinct stem ids (set) and the non-stop token count. */
typedef struct uset {
    int32_t *v;
    size_t n;
    size_t len;
} uset;

static void centroid(const rb_text_ids *ids, rb_text_score *sc)
{
    size_t nv = ids->nvocab;
    double *doc = calloc(nv ? nv : 1, sizeof *doc);
    double *u = calloc(nv ? nv : 1, sizeof *u);
    if (!doc || !u) {
        /* Scoring without memory is impossible; every unit ties at 0. */
        free(doc), free(u);
        for (size_t i = 0; i < ids->nunits; i++)
            sc[i] = (rb_text_score){i, 0.0};
        return;
    }
    for (size_t k = 0; k < ids->ntokens; k++)
        if (ids->ids[k] >= 0)
            doc[ids->ids[k]] += 1.0;
    double nd = 0;
    for (size_t v = 0; v < nv; v++)
        nd += doc[v] * doc[v];
    for (size_t i = 0; i < ids->nunits; i++) {
        size_t a = ids->unit_off[i], e = ids->unit_off[i + 1];
        for (size_t k = a; k < e; k++)
            if (ids->ids[k] >= 0)
                u[ids->ids[k]] += 1.0;
        double dot = 0, nu = 0;
        for (size_t k = a; k < e; k++) {
            int32_t v = ids->ids[k];
            if (v < 0 || u[v] == 0)
                continue;
            dot += u[v] * doc[v];
            nu += u[v] * u[v];
            u[v] = 0;
        }
        sc[i] = (rb_text_score){i, (nu > 0 && nd > 0) ? dot / sqrt(nu * nd) : 0.0};
    }
    free(doc);
    free(u);
}

int rb_textrank(const rb_text_doc *doc, const rb_textrank_opts *opts, rb_text_score **out,
                size_t *nout, int *method, int *iters, rb_err *err)
{
    *out = NULL;
    *nout = 0;
    if (method)
        *method = RB_TEXTRANK_NONE;
    if (iters)
        *iters = 0;
    rb_textrank_opts o = opts ? *opts : (rb_textrank_opts){0};
    if (o.damping == 0)
        o.damping = 0.85;
    if (o.tol == 0)
        o.tol = 1e-6;
    if (o.max_iter == 0)
        o.max_iter = 100;
    if (!(o.damping > 0 && o.damping < 1) || !(o.tol > 0) || o.max_iter < 0)
        return rb_err_set(err, 400, "invalid_parameters", "textrank needs 0<damping<1, tol>0");
    if (doc && doc->nunits > RB_TEXTRANK_MAX_UNITS) {
        rb_err_set(err, 413, "too_large", "textrank takes at most %d units, got %zu",
                   RB_TEXTRANK_MAX_UNITS, doc->nunits);
        return RB_TOOBIG;
    }
    rb_text_ids ids;
    int rc = rb_text_ids_build(doc, 1, &ids, err);
    if (rc)
        return rc;
    size_t n = doc->nunits;
    if (n == 0) {
        rb_text_ids_free(&ids);
        return RB_OK;
    }
    rb_text_score *sc = malloc(n * sizeof *sc);
    uset *sets = calloc(n, sizeof *sets);
    int32_t *pool = malloc((ids.ntokens ? ids.ntokens : 1) * sizeof *pool);
    /* Edges in CSR form: adj_off[i]..adj_off[i+1] are the neighbours of i. */
    size_t *adj_off = calloc(n + 1, sizeof *adj_off);
    size_t *adj = NULL;
    double *wt = NULL, *wsum = NULL, *ws = NULL, *nx = NULL;
    size_t *post_off = NULL, *post = NULL, *cnt = NULL, *touched = NULL;
    if (!sc || !sets || !pool || !adj_off) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    size_t p = 0;
    for (size_t i = 0; i < n; i++) {
        sets[i].v = pool + p;
        for (size_t k = ids.unit_off[i]; k < ids.unit_off[i + 1]; k++)
            if (ids.ids[k] >= 0)
                pool[p + sets[i].len++] = ids.ids[k];
        qsort(sets[i].v, sets[i].len, sizeof *sets[i].v, cmp_i32);
        size_t m = 0;
        for (size_t k = 0; k < sets[i].len; k++)
            if (m == 0 || sets[i].v[m - 1] != sets[i].v[k])
                sets[i].v[m++] = sets[i].v[k];
        sets[i].n = m;
        p += sets[i].len;
    }
    /* Shared stems are counted through a postings list per stem (units in
     * ascending order), so only pairs that share something are ever visited:
     * the cost is the sum of df^2 over stems, not n^2 set merges. */
    size_t nv = ids.nvocab;
    post_off = calloc(nv + 1, sizeof *post_off);
    post = malloc((p ? p : 1) * sizeof *post);
    cnt = calloc(n, sizeof *cnt);
    touched = malloc(n * sizeof *touched);
    if (!post_off || !post || !cnt || !touched) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < sets[i].n; a++)
            post_off[sets[i].v[a] + 1]++;
    for (size_t v = 0; v < nv; v++)
        post_off[v + 1] += post_off[v];
    {
        size_t *fillp = malloc((nv ? nv : 1) * sizeof *fillp);
        if (!fillp) {
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
            goto out;
        }
        memcpy(fillp, post_off, nv * sizeof *fillp);
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < sets[i].n; a++)
                post[fillp[sets[i].v[a]]++] = i;
        free(fillp);
    }
    /* Pass 0 counts each vertex's edges, pass 1 fills them; both walk the
     * pairs in the same order, so the CSR layout is deterministic. */
    size_t nedge = 0, *fill = NULL;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (size_t i = 0; i < n; i++)
                adj_off[i + 1] += adj_off[i];
            nedge = adj_off[n];
            if (nedge == 0)
                break;
            adj = malloc(nedge * sizeof *adj);
            wt = malloc(nedge * sizeof *wt);
            fill = malloc(n * sizeof *fill);
            if (!adj || !wt || !fill) {
                free(fill);
                rc = rb_err_set(err, 500, "internal_error", "out of memory");
                goto out;
            }
            memcpy(fill, adj_off, n * sizeof *fill);
        }
        for (size_t i = 0; i < n; i++) {
            size_t nt = 0;
            for (size_t a = 0; a < sets[i].n; a++) {
                int32_t v = sets[i].v[a];
                for (size_t q = post_off[v]; q < post_off[v + 1]; q++) {
                    size_t j = post[q];
                    if (j <= i)
                        continue;
                    if (cnt[j]++ == 0)
                        touched[nt++] = j;
                }
            }
            /* Ascending neighbours make the summation order independent of
             * the order stems were interned. */
            qsort(touched, nt, sizeof *touched, cmp_size);
            for (size_t t = 0; t < nt; t++) {
                size_t j = touched[t];
                size_t common = cnt[j];
                cnt[j] = 0;
                if (pass == 0) {
                    adj_off[i + 1]++;
                    adj_off[j + 1]++;
                    continue;
                }
                double den = log((double)sets[i].len) + log((double)sets[j].len);
                double w = (double)common / (den > 1.0 ? den : 1.0);
                adj[fill[i]] = j, wt[fill[i]++] = w;
                adj[fill[j]] = i, wt[fill[j]++] = w;
            }
        }
    }
    free(fill);
    if (n < 3 || nedge == 0) {
        centroid(&ids, sc);
        if (method)
            *method = RB_TEXTRANK_CENTROID;
    } else {
        wsum = calloc(n, sizeof *wsum);
        ws = malloc(n * sizeof *ws);
        nx = malloc(n * sizeof *nx);
        if (!wsum || !ws || !nx) {
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            for (size_t e = adj_off[i]; e < adj_off[i + 1]; e++)
                wsum[i] += wt[e];
            ws[i] = 1.0;
        }
        int it = 0;
        while (it < o.max_iter) {
            it++;
            double delta = 0;
            /* Jacobi update: every round reads only the previous round, so the
             * result does not depend on the order vertices are visited. */
            for (size_t i = 0; i < n; i++) {
                double s = 0;
                for (size_t e = adj_off[i]; e < adj_off[i + 1]; e++)
                    s += wt[e] / wsum[adj[e]] * ws[adj[e]];
                nx[i] = (1.0 - o.damping) + o.damping * s;
                double d = fabs(nx[i] - ws[i]);
                if (d > delta)
                    delta = d;
            }
            memcpy(ws, nx, n * sizeof *ws);
            if (delta < o.tol)
                break;
        }
        for (size_t i = 0; i < n; i++)
            sc[i] = (rb_text_score){i, ws[i]};
        if (method)
            *method = RB_TEXTRANK_PAGERANK;
        if (iters)
            *iters = it;
    }
    qsort(sc, n, sizeof *sc, cmp_score);
    *out = sc;
    *nout = n;
    sc = NULL;
out:
    free(sc);
    free(sets);
    free(pool);
    free(adj_off);
    free(adj);
    free(wt);
    free(wsum);
    free(ws);
    free(nx);
    free(post_off);
    free(post);
    free(cnt);
    free(touched);
    rb_text_ids_free(&ids);
    return rc;
}
