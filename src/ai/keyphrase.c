/* keyphrase.c — RAKE candidates, stem-merged, weighted by TF-IDF over units. */
#include "ai/keyphrase.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

typedef struct phrase {
    size_t off, len;      /* stem ids in the pool */
    size_t tf, df;
    size_t last_unit;     /* +1; 0 = none yet, for counting df */
    double rake, score;
    size_t best_occ;      /* occurrence whose surface is shown */
} phrase;

typedef struct occ {
    const rb_text_token *tok;  /* first token in the doc */
    size_t len;
    size_t ph;
} occ;

typedef struct ctx {
    const rb_text_ids *ids;
    int32_t *pool;
    phrase *ph;
} ctx;

static const char *surf(const rb_text_token *t)
{
    return t->surface ? t->surface : t->stem;
}

/* Orders occurrences by phrase, then by surface words, so equal surfaces of
 * one phrase sit next to each other. */
static int cmp_occ(const void *a, const void *b)
{
    const occ *x = a, *y = b;
    if (x->ph != y->ph)
        return x->ph < y->ph ? -1 : 1;
    for (size_t i = 0; i < x->len; i++) {
        int c = strcmp(surf(&x->tok[i]), surf(&y->tok[i]));
        if (c)
            return c;
    }
    return 0;
}

/* qsort has no user pointer in C11; thread-local so concurrent calls cannot mix contexts. */
static _Thread_local const ctx *g_ctx;

static int cmp_stems(const phrase *x, const phrase *y, const ctx *c)
{
    size_t n = x->len < y->len ? x->len : y->len;
    for (size_t i = 0; i < n; i++) {
        int r = strcmp(c->ids->stems[c->pool[x->off + i]], c->ids->stems[c->pool[y->off + i]]);
        if (r)
            return r;
    }
    return (x->len > y->len) - (x->len < y->len);
}

static int cmp_rank(const void *a, const void *b)
{
    const phrase *x = &g_ctx->ph[*(const size_t *)a], *y = &g_ctx->ph[*(const size_t *)b];
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return cmp_stems(x, y, g_ctx);
}

static uint64_t hash_ids(const int32_t *v, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint32_t)v[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void rb_keyphrases_free(rb_keyphrase *kp, size_t n)
{
    if (!kp)
        return;
    for (size_t i = 0; i < n; i++)
        free(kp[i].text);
    free(kp);
}

int rb_keyphrases(const rb_text_doc *doc, const rb_keyphrase_opts *opts, rb_keyphrase **out,
                  size_t *nout, rb_err *err)
{
    *out = NULL;
    *nout = 0;
    rb_keyphrase_opts o = opts ? *opts : (rb_keyphrase_opts){0};
    if (!o.max_words)
        o.max_words = 4;
    if (!o.top_n)
        o.top_n = 10;
    if (o.weighting != RB_KEYPHRASE_RAKE_TFIDF && o.weighting != RB_KEYPHRASE_RAKE)
        return rb_err_set(err, 400, "invalid_parameters", "unknown weighting %d", o.weighting);
    rb_text_ids ids;
    int rc = rb_text_ids_build(doc, 1, &ids, err);
    if (rc)
        return rc;
    size_t cap = ids.ntokens ? ids.ntokens : 1;
    size_t nslots = 16;
    while (nslots < 2 * cap + 2)
        nslots <<= 1;
    int32_t *pool = malloc(cap * sizeof *pool);
    phrase *ph = calloc(cap, sizeof *ph);
    occ *oc = malloc(cap * sizeof *oc);
    int64_t *slots = malloc(nslots * sizeof *slots);
    double *deg = calloc(ids.nvocab ? ids.nvocab : 1, sizeof *deg);
    double *freq = calloc(ids.nvocab ? ids.nvocab : 1, sizeof *freq);
    size_t *order = NULL;
    size_t nph = 0, npool = 0, nocc = 0;
    rb_keyphrase *res = NULL;
    if (!pool || !ph || !oc || !slots || !deg || !freq) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    memset(slots, 0xff, nslots * sizeof *slots);
    for (size_t u = 0; u < doc->nunits; u++) {
        const rb_text_unit *un = &doc->units[u];
        size_t base = ids.unit_off[u];
        size_t i = 0;
        while (i < un->ntokens) {
            if (ids.ids[base + i] < 0) {
                i++;
                continue;
            }
            /* A run ends at a stop word or before a token preceded by punctuation. */
            size_t j = i + 1;
            while (j < un->ntokens && ids.ids[base + j] >= 0 && !un->tokens[j].brk)
                j++;
            size_t len = j - i;
            if (len <= o.max_words) {
                const int32_t *v = &ids.ids[base + i];
                size_t s = (size_t)hash_ids(v, len) & (nslots - 1);
                for (;;) {
                    if (slots[s] < 0) {
                        slots[s] = (int64_t)nph;
                        ph[nph] = (phrase){.off = npool, .len = len};
                        memcpy(pool + npool, v, len * sizeof *v);
                        npool += len;
                        nph++;
                        break;
                    }
                    phrase *q = &ph[slots[s]];
                    if (q->len == len && memcmp(pool + q->off, v, len * sizeof *v) == 0)
                        break;
                    s = (s + 1) & (nslots - 1);
                }
                size_t p = (size_t)slots[s];
                ph[p].tf++;
                if (ph[p].last_unit != u + 1) {
                    ph[p].last_unit = u + 1;
                    ph[p].df++;
                }
                oc[nocc++] = (occ){&un->tokens[i], len, p};
                for (size_t k = 0; k < len; k++) {
                    freq[v[k]] += 1.0;
                    deg[v[k]] += (double)len;
                }
            }
            i = j;
        }
    }
    ctx c = {&ids, pool, ph};
    double n = (double)doc->nunits;
    for (size_t p = 0; p < nph; p++) {
        double r = 0;
        for (size_t k = 0; k < ph[p].len; k++) {
            int32_t w = pool[ph[p].off + k];
            r += deg[w] / freq[w];
        }
        ph[p].rake = r;
        ph[p].score = o.weighting == RB_KEYPHRASE_RAKE
                          ? r
                          : r * (1.0 + log((double)ph[p].tf)) * log(1.0 + n / (double)ph[p].df);
    }
    /* Most frequent surface per phrase: runs of equal surfaces after sorting. */
    qsort(oc, nocc, sizeof *oc, cmp_occ);
    for (size_t a = 0, best_run = 0; a < nocc;) {
        size_t b = a + 1;
        while (b < nocc && cmp_occ(&oc[a], &oc[b]) == 0)
            b++;
        if (a == 0 || oc[a - 1].ph != oc[a].ph)
            best_run = 0;
        /* Strictly longer runs win, so ties keep the byte-wise smallest surface. */
        if (b - a > best_run) {
            best_run = b - a;
            ph[oc[a].ph].best_occ = a;
        }
        a = b;
    }
    order = malloc((nph ? nph : 1) * sizeof *order);
    if (!order) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    for (size_t p = 0; p < nph; p++)
        order[p] = p;
    g_ctx = &c;
    qsort(order, nph, sizeof *order, cmp_rank);
    g_ctx = NULL;
    size_t nres = nph < o.top_n ? nph : o.top_n;
    if (nres) {
        res = calloc(nres, sizeof *res);
        if (!res) {
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
            goto out;
        }
    }
    for (size_t r = 0; r < nres; r++) {
        const phrase *q = &ph[order[r]];
        const occ *e = &oc[q->best_occ];
        rb_buf b;
        rb_buf_init(&b, 4096);
        for (size_t k = 0; k < e->len && !rc; k++) {
            if (k)
                rc = rb_buf_putc(&b, ' ');
            if (!rc)
                rc = rb_buf_puts(&b, surf(&e->tok[k]));
        }
        if (rc) {
            rb_buf_free(&b);
            rb_keyphrases_free(res, nres);
            res = NULL;
            rc = rb_err_set(err, 500, "internal_error", "key phrase too long or out of memory");
            goto out;
        }
        res[r] = (rb_keyphrase){rb_buf_steal(&b), q->score, q->rake, q->tf, q->df};
    }
    *out = res;
    *nout = nres;
out:
    free(order);
    free(pool);
    free(ph);
    free(oc);
    free(slots);
    free(deg);
    free(freq);
    rb_text_ids_free(&ids);
    return rc;
}
