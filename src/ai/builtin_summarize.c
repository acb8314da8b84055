/* builtin_summarize.c — the builtin summarize engine (see the header and
 * docs/builtin-summarize.md).
 *
 * Every word of output comes from the transcript (sentences, key phrases,
 * the caller's brand terms and taxonomy labels) or from the small joiner
 * table below ("and", "et", "und", "y", ", ", ": ", "!"). */
#include "ai/builtin_summarize.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "ai/background.h"
#include "ai/keyphrase.h"
#include "ai/stopwords.h"
#include "ai/textrank.h"
#include "ai/thesaurus.h"
#include "common/buf.h"

#define OOM(err) rb_err_set((err), 500, "internal_error", "out of memory")

/* Longest string a tag or title may be built into (bytes). */
#define TEXT_MAX ((size_t)1 << 20)
/* Sentences per TextRank block on long transcripts (see rank_sentences). */
#define RANK_BLOCK 300
/* Two sentences sharing more than this share of their stems (Jaccard) are
 * near-duplicates: the lower-ranked one is skipped. */
#define REDUNDANT_JACCARD 0.5
/* A sentence this short or this long is used only when nothing else fits. */
#define MIN_CONTENT_WORDS 4
#define MAX_SENTENCE_WORDS 60

/* ---- small string helpers -------------------------------------------- */

/* Words = runs of non-space bytes (the same rule as rb_textwf_word_count). */
static size_t count_words(const char *s)
{
    size_t n = 0;
    int in = 0;
    for (; *s; s++) {
        int sp = isspace((unsigned char)*s);
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

/* Cuts s in place after its max-th word (the builtin title only; the
 * workflow applies rb_textwf_limit_words to both engines' output). */
static void cut_words(char *s, size_t max)
{
    size_t n = 0;
    int in = 0;
    for (char *p = s; *p; p++) {
        int sp = isspace((unsigned char)*p);
        if (!sp && !in && ++n > max) {
            *p = '\0';
            break;
        }
        in = !sp;
    }
    size_t len = strlen(s);
    while (len > 0 && (isspace((unsigned char)s[len - 1]) || strchr(",;:-", s[len - 1])))
        s[--len] = '\0';
}

/* A trimmed copy with control characters (newlines included) as spaces. */
static char *trim_dup(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    char *o = malloc(len + 1);
    if (!o)
        return NULL;
    for (size_t i = 0; i < len; i++)
        o[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' : s[i];
    o[len] = '\0';
    return o;
}

/* utf8proc case fold (NFC). NULL on invalid UTF-8 or allocation failure. */
static char *casefold(const char *s)
{
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &dst,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                          UTF8PROC_CASEFOLD);
    if (n < 0)
        return NULL;
    return (char *)dst;
}

/* Upper-cases the first code point of s into b, then appends the rest. */
static int put_capitalized(rb_buf *b, const char *s, size_t len)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = len ? utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &cp) : 0;
    if (n <= 0)
        return rb_buf_append(b, s, len);
    utf8proc_uint8_t enc[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_toupper(cp), enc);
    if (rb_buf_append(b, enc, (size_t)m) != RB_OK)
        return RB_ERR;
    return rb_buf_append(b, s + n, len - (size_t)n);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- normalised keys of short texts (tags, labels, brand terms) -------- */

typedef struct text_key {
    char *fold;    /* case-folded trimmed text */
    char *seq;     /* content stems in order, ' '-joined (all stems when only stop words) */
    char *set;     /* the same stems, sorted and unique */
    char *stembuf; /* seq split at spaces; stems point into it */
    char **stems;
    size_t nstems;
} text_key;

static void text_key_free(text_key *k)
{
    free(k->fold);
    free(k->seq);
    free(k->set);
    free(k->stembuf);
    free(k->stems);
    memset(k, 0, sizeof *k);
}

/* Builds the keys of n texts with ONE tokenizer call (the texts are joined by
 * newlines, which are word boundaries), so a taxonomy of 50 labels with 10
 * aliases each costs one ICU/Snowball setup, not 550. */
static int batch_keys(const char *lang, const char *const *texts, size_t n, text_key *out,
                      rb_err *err)
{
    memset(out, 0, n * sizeof *out);
    if (n == 0)
        return RB_OK;
    size_t *start = calloc(n + 1, sizeof *start);
    rb_buf all;
    rb_buf_init(&all, 64u << 20);
    if (!start)
        return OOM(err);
    for (size_t i = 0; i < n; i++) {
        start[i] = all.len;
        for (const char *p = texts[i]; *p; p++)
            if (rb_buf_putc(&all, *p == '\n' || *p == '\r' ? ' ' : *p) != RB_OK)
                goto oom;
        if (rb_buf_putc(&all, '\n') != RB_OK)
            goto oom;
    }
    start[n] = all.len;
    rb_transcript_token *toks = NULL;
    size_t ntoks = 0;
    if (rb_transcript_tokenize(rb_buf_cstr(&all), lang, &toks, &ntoks, err) != RB_OK) {
        free(start);
        rb_buf_free(&all);
        return RB_ERR;
    }
    size_t t = 0;
    int rc = RB_OK;
    for (size_t i = 0; i < n && rc == RB_OK; i++) {
        size_t first = t;
        while (t < ntoks && toks[t].offset < start[i + 1])
            t++;
        size_t content = 0;
        for (size_t j = first; j < t; j++)
            content += !toks[j].is_stop;
        text_key *k = &out[i];
        k->fold = casefold(texts[i]);
        if (!k->fold)
            k->fold = strdup(texts[i]); /* invalid UTF-8: compare bytes */
        k->stems = calloc(t - first + 1, sizeof *k->stems);
        rb_buf seq;
        rb_buf_init(&seq, TEXT_MAX);
        if (!k->fold || !k->stems) {
            rc = OOM(err);
            break;
        }
        for (size_t j = first; j < t; j++) {
            if (content && toks[j].is_stop)
                continue;
            if ((seq.len && rb_buf_putc(&seq, ' ') != RB_OK) ||
                rb_buf_puts(&seq, toks[j].stem) != RB_OK) {
                rc = OOM(err);
                break;
            }
        }
        if (rc != RB_OK) {
            rb_buf_free(&seq);
            break;
        }
        k->seq = rb_buf_steal(&seq);
        if (!k->seq)
            k->seq = strdup("");
        k->stembuf = k->seq ? strdup(k->seq) : NULL;
        if (!k->seq || !k->stembuf) {
            rc = OOM(err);
            break;
        }
        /* Split the copy into the stem list, then build the sorted set. */
        char *save = NULL;
        for (char *p = strtok_r(k->stembuf, " ", &save); p; p = strtok_r(NULL, " ", &save))
            k->stems[k->nstems++] = p;
        const char **sorted = calloc(k->nstems + 1, sizeof *sorted);
        if (!sorted) {
            rc = OOM(err);
            break;
        }
        memcpy(sorted, k->stems, k->nstems * sizeof *sorted);
        qsort(sorted, k->nstems, sizeof *sorted, cmp_str);
        rb_buf set;
        rb_buf_init(&set, TEXT_MAX);
        for (size_t j = 0; j < k->nstems; j++) {
            if (j && strcmp(sorted[j], sorted[j - 1]) == 0)
                continue;
            if ((set.len && rb_buf_putc(&set, ' ') != RB_OK) ||
                rb_buf_puts(&set, sorted[j]) != RB_OK)
                rc = OOM(err);
        }
        free(sorted);
        k->set = rb_buf_steal(&set);
        if (!k->set)
            k->set = strdup("");
        if (!k->set)
            rc = OOM(err);
    }
    rb_transcript_tokens_free(toks, ntoks);
    free(start);
    rb_buf_free(&all);
    if (rc != RB_OK)
        for (size_t i = 0; i < n; i++)
            text_key_free(&out[i]);
    return rc;
oom:
    free(start);
    rb_buf_free(&all);
    return OOM(err);
}

/* ---- matching stem sequences against the transcript ------------------- */

/* The transcript's content words as interned ids, per sentence, with stop
 * words removed so "art of baking" and "Art of Baking" line up the same way
 * their keys do. */
typedef struct seq_index {
    rb_transcript_doc d;
    int has_doc;
    rb_text_ids ids;
    int has_ids;
    int32_t *cids;      /* content ids in order */
    size_t *coff;       /* nunits + 1 offsets into cids */
    size_t nunits;
} seq_index;

static void seq_index_free(seq_index *x)
{
    if (x->has_ids)
        rb_text_ids_free(&x->ids);
    if (x->has_doc)
        rb_transcript_doc_free(&x->d);
    free(x->cids);
    free(x->coff);
    memset(x, 0, sizeof *x);
}

/* d (may be NULL) is t's doc view when the caller has one; else one is
 * built and owned here. */
static int seq_index_build(const rb_transcript *t, const rb_transcript_doc *d, seq_index *x,
                           rb_err *err)
{
    memset(x, 0, sizeof *x);
    if (!d) {
        if (rb_transcript_doc_build(t, &x->d, err) != RB_OK)
            return RB_ERR;
        x->has_doc = 1;
        d = &x->d;
    }
    if (rb_text_ids_build(&d->doc, 1, &x->ids, err) != RB_OK) {
        seq_index_free(x);
        return RB_ERR;
    }
    x->has_ids = 1;
    x->nunits = x->ids.nunits;
    x->cids = malloc((x->ids.ntokens + 1) * sizeof *x->cids);
    x->coff = malloc((x->nunits + 1) * sizeof *x->coff);
    if (!x->cids || !x->coff) {
        seq_index_free(x);
        return OOM(err);
    }
    size_t n = 0;
    for (size_t u = 0; u < x->nunits; u++) {
        x->coff[u] = n;
        for (size_t i = x->ids.unit_off[u]; i < x->ids.unit_off[u + 1]; i++)
            if (x->ids.ids[i] >= 0)
                x->cids[n++] = x->ids.ids[i];
    }
    x->coff[x->nunits] = n;
    return RB_OK;
}

/* How many times the key's stem sequence occurs inside one sentence. */
static size_t seq_count(const seq_index *x, const text_key *k)
{
    if (k->nstems == 0 || k->nstems > 64)
        return 0;
    int32_t want[64];
    for (size_t i = 0; i < k->nstems; i++) {
        want[i] = rb_text_ids_lookup(&x->ids, k->stems[i]);
        if (want[i] < 0)
            return 0;
    }
    size_t count = 0;
    for (size_t u = 0; u < x->nunits; u++) {
        size_t a = x->coff[u], b = x->coff[u + 1];
        for (size_t i = a; i + k->nstems <= b; i++) {
            size_t j = 0;
            while (j < k->nstems && x->cids[i + j] == want[j])
                j++;
            if (j == k->nstems)
                count++;
        }
    }
    return count;
}

/* ---- tag post-rules (both engines) ------------------------------------ */

typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static int strlist_push(strlist *l, char *s)
{
    if (!s)
        return RB_ERR;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            free(s);
            return RB_ERR;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return RB_OK;
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* 1 when s is one of the brand terms (compared trimmed, exactly). */
static int is_brand(const rb_summarize_opts *o, const char *s)
{
    for (size_t i = 0; i < o->nbrand_terms; i++) {
        const char *b = o->brand_terms[i];
        if (!b)
            continue;
        while (isspace((unsigned char)*b))
            b++;
        size_t len = strlen(b);
        while (len > 0 && isspace((unsigned char)b[len - 1]))
            len--;
        if (len && strlen(s) == len && memcmp(b, s, len) == 0)
            return 1;
    }
    return 0;
}

/* Steps 1-3 of rb_summarize_tags_finish: trimmed, brand terms first, no
 * duplicates. *keys_out receives the kept tags' keys (out->n of them). */
static int tags_prepare(const rb_transcript *t, const seq_index *x, const char *const *cands,
                        size_t ncands, const rb_summarize_opts *o, strlist *out,
                        text_key **keys_out, rb_err *err)
{
    *keys_out = NULL;
    const char *lang = t ? t->language : "";
    strlist all = {0};
    size_t nb = o->nbrand_terms, nbrand = 0;
    for (size_t i = 0; i < nb + ncands; i++) {
        const char *s = i < nb ? o->brand_terms[i] : cands[i - nb];
        if (!s)
            continue;
        char *c = trim_dup(s);
        if (!c || strlist_push(&all, c) != RB_OK) {
            strlist_free(&all);
            return OOM(err);
        }
        if (!*c)
            free(all.v[--all.n]);
        else if (i < nb)
            nbrand++; /* the first nbrand entries of `all` are brand terms */
    }
    text_key *keys = calloc(all.n + 1, sizeof *keys);
    text_key *kept = calloc(all.n + 1, sizeof *kept);
    if (!keys || !kept ||
        batch_keys(lang, (const char *const *)all.v, all.n, keys, err) != RB_OK) {
        if (!keys || !kept)
            OOM(err);
        free(keys);
        free(kept);
        strlist_free(&all);
        return RB_ERR;
    }
    int rc = RB_OK;
    for (size_t i = 0; i < all.n && rc == RB_OK; i++) {
        text_key *k = &keys[i];
        /* A brand term counts only when the transcript says it. */
        int drop = i < nbrand && x && seq_count(x, k) == 0;
        for (size_t j = 0; j < out->n && !drop; j++)
            drop = strcmp(kept[j].fold, k->fold) == 0 ||
                   (k->set[0] && strcmp(kept[j].set, k->set) == 0);
        if (drop)
            continue;
        if (strlist_push(out, all.v[i]) != RB_OK) {
            all.v[i] = NULL;
            rc = OOM(err);
            break;
        }
        all.v[i] = NULL;
        kept[out->n - 1] = *k;
        memset(k, 0, sizeof *k);
    }
    for (size_t i = 0; i < all.n; i++)
        text_key_free(&keys[i]);
    free(keys);
    strlist_free(&all);
    if (rc != RB_OK) {
        for (size_t i = 0; i < out->n; i++)
            text_key_free(&kept[i]);
        free(kept);
        strlist_free(out);
        return rc;
    }
    *keys_out = kept;
    return RB_OK;
}

static void keys_free(text_key *k, size_t n)
{
    if (!k)
        return;
    for (size_t i = 0; i < n; i++)
        text_key_free(&k[i]);
    free(k);
}

typedef struct label_rank {
    size_t value;
    size_t freq;
} label_rank;

static int cmp_label_rank(const void *a, const void *b)
{
    const label_rank *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq > y->freq ? -1 : 1;
    return x->value < y->value ? -1 : (x->value > y->value);
}

/* Step 4: the taxonomy. `tags`/`keys` are the prepared tags; the result
 * replaces `tags`. */
static int apply_taxonomy(const rb_transcript *t, const seq_index *x, const rb_summarize_opts *o,
                          strlist *tags, const text_key *keys, rb_err *err)
{
    const rb_summarize_taxonomy *tx = o->taxonomy;
    size_t nv = tx->nvalues;
    /* Flatten labels and aliases: entry e belongs to value owner[e]. */
    size_t ne = 0;
    for (size_t v = 0; v < nv; v++)
        ne += 1 + tx->values[v].naliases;
    const char **texts = calloc(ne + 1, sizeof *texts);
    size_t *owner = calloc(ne + 1, sizeof *owner);
    text_key *ek = calloc(ne + 1, sizeof *ek);
    char *used = calloc(nv + 1, 1);
    label_rank *rank = calloc(nv + 1, sizeof *rank);
    size_t *order = calloc(nv + 1, sizeof *order);
    char *tag_is_label = calloc(tags->n + 1, 1);
    strlist res = {0};
    int rc = RB_OK;
    if (!texts || !owner || !ek || !used || !rank || !order || !tag_is_label) {
        rc = OOM(err);
        goto done;
    }
    size_t e = 0;
    for (size_t v = 0; v < nv; v++) {
        texts[e] = tx->values[v].label ? tx->values[v].label : "";
        owner[e++] = v;
        for (size_t a = 0; a < tx->values[v].naliases; a++) {
            texts[e] = tx->values[v].aliases[a] ? tx->values[v].aliases[a] : "";
            owner[e++] = v;
        }
    }
    if (batch_keys(t ? t->language : "", texts, ne, ek, err) != RB_OK) {
        rc = RB_ERR;
        memset(ek, 0, (ne + 1) * sizeof *ek);
        goto done;
    }
    size_t norder = 0;
    /* Labels reached through a candidate tag, in the tags' order. */
    for (size_t i = 0; i < tags->n; i++) {
        for (size_t j = 0; j < ne; j++) {
            if (!ek[j].seq[0] && !ek[j].fold[0])
                continue;
            int match = (ek[j].seq[0] && strcmp(ek[j].seq, keys[i].seq) == 0) ||
                        strcmp(ek[j].fold, keys[i].fold) == 0;
            if (!match)
                continue;
            tag_is_label[i] = 1;
            if (!used[owner[j]]) {
                used[owner[j]] = 1;
                order[norder++] = owner[j];
            }
            break;
        }
    }
    /* Labels the transcript itself mentions, by frequency. */
    if (x) {
        size_t nr = 0;
        for (size_t v = 0; v < nv; v++)
            rank[v].value = v;
        for (size_t j = 0; j < ne; j++)
            rank[owner[j]].freq += seq_count(x, &ek[j]);
        for (size_t v = 0; v < nv; v++)
            if (!used[v] && rank[v].freq > 0)
                rank[nr++] = rank[v];
        qsort(rank, nr, sizeof *rank, cmp_label_rank);
        for (size_t r = 0; r < nr; r++) {
            used[rank[r].value] = 1;
            order[norder++] = rank[r].value;
        }
    }
    for (size_t r = 0; r < norder && rc == RB_OK; r++) {
        char *c = trim_dup(tx->values[order[r]].label ? tx->values[order[r]].label : "");
        if (!c || strlist_push(&res, c) != RB_OK)
            rc = OOM(err);
        else if (!*c)
            free(res.v[--res.n]);
    }
    if (tx->allow_other) {
        for (size_t i = 0; i < tags->n && rc == RB_OK; i++) {
            if (tag_is_label[i])
                continue;
            int dup = 0;
            for (size_t r = 0; r < res.n && !dup; r++) {
                char *f = casefold(res.v[r]);
                dup = f && strcmp(f, keys[i].fold) == 0;
                free(f);
            }
            if (dup)
                continue;
            if (strlist_push(&res, tags->v[i]) != RB_OK)
                rc = OOM(err);
            tags->v[i] = NULL;
        }
    }
done:
    for (size_t j = 0; ek && j < ne; j++)
        text_key_free(&ek[j]);
    free((void *)texts);
    free(owner);
    free(ek);
    free(used);
    free(rank);
    free(order);
    free(tag_is_label);
    if (rc != RB_OK) {
        strlist_free(&res);
        return rc;
    }
    strlist_free(tags);
    *tags = res;
    return RB_OK;
}

void rb_summarize_tags_free(char **tags, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(tags[i]);
    free(tags);
}

static size_t tag_cap(const rb_summarize_opts *o)
{
    return o->tag_count ? o->tag_count : RB_SUMMARIZE_DEFAULT_TAGS;
}

static int tags_finish_idx(const rb_transcript *t, const seq_index *x, const char *const *cands,
                           size_t ncands, const rb_summarize_opts *o, char ***out, size_t *nout,
                           rb_err *err)
{
    *out = NULL;
    *nout = 0;
    strlist tags = {0};
    text_key *keys = NULL;
    if (tags_prepare(t, x, cands, ncands, o, &tags, &keys, err) != RB_OK)
        return RB_ERR;
    size_t nkeys = tags.n;
    int rc = RB_OK;
    if (o->taxonomy && o->taxonomy->nvalues)
        rc = apply_taxonomy(t, x, o, &tags, keys, err);
    keys_free(keys, nkeys);
    if (rc != RB_OK) {
        strlist_free(&tags);
        return RB_ERR;
    }
    size_t cap = tag_cap(o);
    while (tags.n > cap)
        free(tags.v[--tags.n]);
    *out = tags.v;
    *nout = tags.n;
    return RB_OK;
}

int rb_summarize_tags_finish(const rb_transcript *t, const char *const *cands, size_t ncands,
                             const rb_summarize_opts *opts, char ***out, size_t *nout,
                             rb_err *err)
{
    seq_index x;
    int has_x = 0;
    if (t) {
        if (seq_index_build(t, NULL, &x, err) != RB_OK)
            return RB_ERR;
        has_x = 1;
    }
    int rc = tags_finish_idx(t, has_x ? &x : NULL, cands, ncands, opts, out, nout, err);
    if (has_x)
        seq_index_free(&x);
    return rc;
}

/* ---- description: TextRank sentences ---------------------------------- */

/* First-person and evaluative words per language (case-folded). The
 * editorial style multiplies a sentence's score by 1 + 0.5 per hit (at most
 * two hits count). */
static const char *const EVAL_EN[] = {
    "i", "i'm", "i've", "i'd", "me", "my", "we", "we're", "we've", "our", "us",
    "think", "believe", "feel", "love", "hate", "best", "worst", "favourite", "favorite",
    "great", "amazing", "beautiful", "wonderful", "terrible", "awful", "perfect", "recommend",
    "honestly", "important", "should", "must", "surprising", "fantastic", "excellent",
    "brilliant", "bad", "good", "better", "worse", "worth", "mistake", NULL};
static const char *const EVAL_FR[] = {
    "je", "j'ai", "moi", "mon", "ma", "mes", "nous", "notre", "nos", "pense", "crois", "aime",
    "adore", "meilleur", "meilleure", "pire", "magnifique", "excellent", "génial", "important",
    "parfait", "recommande", "vraiment", "faut", "bon", "bonne", "mauvais", NULL};
static const char *const EVAL_DE[] = {
    "ich", "mich", "mein", "meine", "wir", "uns", "unser", "unsere", "finde", "glaube",
    "liebe", "beste", "besten", "schlecht", "toll", "wunderbar", "wichtig", "perfekt",
    "empfehle", "wirklich", "gut", "besser", NULL};
static const char *const EVAL_ES[] = {
    "yo", "me", "mi", "mis", "nosotros", "nuestro", "nuestra", "creo", "pienso", "encanta",
    "mejor", "peor", "increíble", "maravilloso", "importante", "perfecto", "recomiendo",
    "realmente", "bueno", "buena", "malo", NULL};

static const char *const *eval_words(const char *lang)
{
    char p[16];
    rb_transcript_primary_lang(lang, p, sizeof p);
    if (strcmp(p, "fr") == 0)
        return EVAL_FR;
    if (strcmp(p, "de") == 0)
        return EVAL_DE;
    if (strcmp(p, "es") == 0)
        return EVAL_ES;
    return EVAL_EN;
}

static size_t eval_hits(const rb_transcript_sentence *s, const char *const *words)
{
    size_t hits = 0;
    for (size_t i = 0; i < s->ntokens && hits < 2; i++)
        for (const char *const *w = words; *w; w++)
            if (strcmp(s->tokens[i].norm, *w) == 0) {
                hits++;
                break;
            }
    return hits;
}

/* Scores of every sentence (index = sentence). Long transcripts are ranked
 * in blocks of about RANK_BLOCK sentences (~10 minutes of speech): the
 * TextRank graph of a whole hour is dense (every sentence shares a common
 * content word with hundreds of others), which costs ~65 ms at -O2 for 1,800
 * sentences against ~10 ms in blocks, and the limit RB_TEXTRANK_MAX_UNITS
 * would refuse longer ones outright. PageRank scores average 1 in every
 * block, so they stay comparable, and the summary can draw on every part of
 * the talk; what is lost is centrality across blocks. */
static int rank_sentences(const rb_transcript_doc *d, double *score, rb_err *err)
{
    size_t n = d->doc.nunits;
    size_t nblocks = n > 2 * RANK_BLOCK ? n / RANK_BLOCK : 1;
    size_t block = (n + nblocks - 1) / (nblocks ? nblocks : 1);
    if (block == 0)
        return RB_OK;
    for (size_t off = 0; off < n; off += block) {
        rb_text_doc sub = {.units = d->doc.units + off,
                           .nunits = n - off < block ? n - off : block};
        rb_text_score *sc = NULL;
        size_t ns = 0;
        if (rb_textrank(&sub, NULL, &sc, &ns, NULL, NULL, err) != RB_OK)
            return RB_ERR;
        for (size_t i = 0; i < ns; i++)
            score[off + sc[i].unit] = sc[i].score;
        free(sc);
    }
    return RB_OK;
}

typedef struct ranked {
    size_t unit;
    double score;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->unit < y->unit ? -1 : (x->unit > y->unit);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : (x > y);
}

/* Jaccard similarity of two sentences' content-stem sets (ids). */
static double jaccard(const rb_text_ids *ids, size_t a, size_t b)
{
    size_t inter = 0, na = 0, nb = 0;
    for (size_t i = ids->unit_off[a]; i < ids->unit_off[a + 1]; i++) {
        int32_t v = ids->ids[i];
        if (v < 0)
            continue;
        int first = 1;
        for (size_t j = ids->unit_off[a]; j < i; j++)
            if (ids->ids[j] == v)
                first = 0;
        if (!first)
            continue;
        na++;
        for (size_t j = ids->unit_off[b]; j < ids->unit_off[b + 1]; j++)
            if (ids->ids[j] == v) {
                inter++;
                break;
            }
    }
    for (size_t i = ids->unit_off[b]; i < ids->unit_off[b + 1]; i++) {
        int32_t v = ids->ids[i];
        if (v < 0)
            continue;
        int first = 1;
        for (size_t j = ids->unit_off[b]; j < i; j++)
            if (ids->ids[j] == v)
                first = 0;
        nb += first;
    }
    size_t uni = na + nb - inter;
    return uni ? (double)inter / (double)uni : 0.0;
}

static size_t content_words(const rb_transcript_sentence *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->ntokens; i++)
        n += !s->tokens[i].is_stop;
    return n;
}

static int build_description(const rb_transcript *t, const rb_text_ids *ids,
                             const rb_summarize_opts *o,
                             const double *score, char **out, rb_err *err)
{
    size_t n = t->nsentences;
    size_t want = o->style == RB_SUMMARIZE_DETAILED ? 4 : o->style == RB_SUMMARIZE_EDITORIAL ? 3 : 2;
    ranked *r = malloc(n * sizeof *r);
    size_t *chosen = calloc(want + 1, sizeof *chosen);
    if (!r || !chosen) {
        free(r);
        free(chosen);
        return OOM(err);
    }
    const char *const *ew = eval_words(t->language);
    for (size_t i = 0; i < n; i++) {
        r[i].unit = i;
        r[i].score = score[i];
        if (o->style == RB_SUMMARIZE_EDITORIAL)
            r[i].score *= 1.0 + 0.5 * (double)eval_hits(&t->sentences[i], ew);
    }
    qsort(r, n, sizeof *r, cmp_ranked);
    size_t nchosen = 0, words = 0;
    /* Pass 0 takes only sentences of a useful size; pass 1 relaxes that. */
    for (int pass = 0; pass < 2 && nchosen < want; pass++) {
        for (size_t i = 0; i < n && nchosen < want; i++) {
            size_t u = r[i].unit;
            const rb_transcript_sentence *s = &t->sentences[u];
            size_t w = count_words(s->text);
            if (w == 0)
                continue;
            if (pass == 0 && (content_words(s) < MIN_CONTENT_WORDS || w > MAX_SENTENCE_WORDS))
                continue;
            int skip = 0;
            for (size_t c = 0; c < nchosen && !skip; c++)
                skip = chosen[c] == u || jaccard(ids, u, chosen[c]) > REDUNDANT_JACCARD;
            if (skip)
                continue;
            if (o->description_length && words + w > o->description_length)
                continue;
            chosen[nchosen++] = u;
            words += w;
        }
    }
    if (nchosen == 0) {
        /* Even the best sentence is over the word limit: keep it whole here;
         * the workflow's post-rule cuts it to description_length words. */
        for (size_t i = 0; i < n; i++)
            if (count_words(t->sentences[r[i].unit].text)) {
                chosen[nchosen++] = r[i].unit;
                break;
            }
    }
    free(r);
    qsort(chosen, nchosen, sizeof *chosen, cmp_size);
    rb_buf b;
    rb_buf_init(&b, RB_TRANSCRIPT_MAX_TEXT);
    for (size_t c = 0; c < nchosen; c++) {
        if ((b.len && rb_buf_putc(&b, ' ') != RB_OK) ||
            rb_buf_puts(&b, t->sentences[chosen[c]].text) != RB_OK) {
            free(chosen);
            rb_buf_free(&b);
            return OOM(err);
        }
    }
    free(chosen);
    *out = rb_buf_steal(&b);
    if (!*out)
        *out = strdup("");
    return *out ? RB_OK : OOM(err);
}

/* ---- tags: RAKE + TF-IDF over cue windows ----------------------------- */

/* Words too generic to be a tag or part of one, on top of the transcript's
 * stop words: number words, ordinals, discourse words, general verbs and
 * nouns of time and quantity that run through any talk ("one", "like",
 * "make", "people", "day"). The classes follow the SMART stop list (Salton)
 * that RAKE implementations use; the words are a project-chosen, hand-written
 * list (docs/builtin-summarize.md), matched on the case-folded word. They act
 * as phrase delimiters in the tag windows only: the description and the
 * taxonomy matching never see them. */
static const char *TAG_STOP_EN[] = {
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "million", "billion", "minute", "minutes", "hour", "hours", "first",
    "second", "third", "last", "next", "like", "actually", "really", "basically", "literally",
    "right", "well", "yes", "kind", "sort", "lot", "lots", "bit", "thing", "things", "stuff",
    "way", "something", "anything", "everything", "nothing", "someone", "everyone", "people",
    "person", "guy", "guys", "make", "makes", "made", "making", "go", "goes", "going", "gone",
    "went", "get", "gets", "got", "getting", "take", "takes", "took", "taken", "put", "puts",
    "say", "says", "said", "tell", "told", "know", "knew", "think", "thought", "want",
    "wanted", "need", "needs", "look", "looks", "see", "saw", "seen", "come", "comes", "came",
    "use", "used", "using", "try", "tried", "give", "gave", "call", "called", "mean", "means",
    "let", "keep", "start", "started", "find", "found", "feel", "time", "times", "day", "days",
    "week", "weeks", "year", "years", "month", "months", "today", "good", "great", "big",
    "little", "small", "much", "many", "new", "old", "different", "another", "whole", "sure",
    "able", "per", "even", "still", "back", "maybe", "probably", "pretty", "quite", "almost",
    "enough", "always", "never", "often", "every", "around", "part", "point", "kinds", "yep",
    "hey", "gonna", "wanna", "gotta", "now", "thank", "thanks", "hello", "welcome", "bye",
    /* The object form of "we" (the Snowball list has the other pronouns),
     * the deictic days beside "today", and units of measure and money,
     * which like "minute" measure a quantity but never name a topic. */
    "us", "everybody", "somebody", "anybody", "nobody", "tonight", "tomorrow", "yesterday", "percent", "dollar", "dollars", "cent", "cents",
    "euro", "euros", "inch", "inches", "meter", "meters", "metre", "metres", "kilometer",
    "kilometers", "mile", "miles", "gram", "grams", "kilogram", "kilograms", "kilo", "kilos",
    "liter", "liters", "litre", "litres",
    /* Hesitations and interjections the transcript list lacks: spoken
     * only, so a written reference corpus never has them and the
     * specificity weight would rank them as the rarest words. */
    "hmm", "mhm", "huh", "wow", NULL};
static const char *TAG_STOP_FR[] = {
    "un", "une", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
    "treize", "quatorze", "quinze", "seize", "vingt", "trente", "quarante", "cinquante",
    "soixante", "cent", "cents", "mille", "million", "millions", "minute", "minutes", "heure",
    "heures", "bien", "tout", "tous", "toute", "toutes", "si", "comme", "peu", "très", "plus",
    "moins", "aussi", "alors", "donc", "voilà", "vraiment", "faire", "fait", "faut", "peut",
    "chose", "choses", "fois", "jour", "jours", "an", "ans", "deux", "trois", "premier",
    "première", "après", "avant", "encore", "déjà", "toujours", "là", "bon", "bonne", "petit",
    "petite", "grand", "grande", "va", "vais", "allez", "dire", "dit", "quand", "ensuite",
    "puis", "juste", "vrai", "quelque", "rien", "gens", "beaucoup", "trop", "assez", "autre",
    "autres", "chaque", "mettre", "met", "prendre", "prend", "avoir", "être",
    /* The classes of the English list not covered above, translated:
     * ordinals, discourse words, deictic days, general verbs, nouns of
     * time, general adjectives and adverbs, greetings, units of measure. */
    "deuxième", "troisième", "dernier", "dernière", "prochain", "prochaine", "second",
    "seconde", "secondes", "genre", "quoi", "ben", "bref", "oui", "ouais", "d'accord",
    "sorte", "truc", "trucs", "façon", "manière", "quelqu'un", "personne", "personnes",
    "aujourd'hui", "demain", "hier", "maintenant", "aller", "vas", "allons", "vont",
    "savoir", "sais", "sait", "penser", "pense", "crois", "vouloir", "veux", "veut",
    "voulez", "regarder", "regarde", "regardez", "voir", "vois", "voit", "voyez", "venir",
    "viens", "vient", "utiliser", "essayer", "donner", "appeler", "appelle", "trouver",
    "sentir", "commencer", "garder", "laisser", "peux", "pouvez", "temps", "semaine",
    "semaines", "mois", "année", "années", "nouveau", "nouvelle", "nouveaux", "vieux",
    "vieille", "différent", "différente", "différents", "différentes", "sûr", "sûre",
    "entier", "entière", "jamais", "souvent", "peut-être", "presque", "partout", "autour",
    "partie", "salut", "bonjour", "merci", "bienvenue", "revoir", "euro", "euros", "centime",
    "centimes", "mètre", "mètres", "kilomètre", "kilomètres", "centimètre", "centimètres",
    "gramme", "grammes", "kilo", "kilos", "litre", "litres",
    /* The Snowball French stop words that the abridged transcript list
     * leaves out: forms of être and avoir, pronouns. */
    "étant", "serai", "sera", "serons", "seront", "serais", "serait", "seraient", "étions",
    "étiez", "étaient", "fut", "ayant", "eu", "aurai", "aura", "aurons", "auront", "aurais",
    "aurait", "auraient", "avais", "avait", "avions", "aviez", "avaient", "eut", "mes",
    "nôtre", "vôtre", "soi", "même", "mêmes",
    /* Hesitations and interjections (the English transcript list has
     * "um", "uh", "ah", "oh", "okay"): spoken only, see the English list. */
    "euh", "heu", "hum", "ah", "oh", "hein", "bah", "ok", "okay", NULL};
static const char *TAG_STOP_ES[] = {
    "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce", "trece",
    "catorce", "quince", "dieciséis", "veinte", "treinta", "cuarenta", "cincuenta", "sesenta",
    "setenta", "ochenta", "noventa", "cien", "ciento", "cientos", "mil", "millón", "millones",
    "minuto", "minutos", "hora", "horas", "bueno", "buena", "está", "están", "estar",
    "estamos", "es", "ser", "son", "muy", "más", "menos", "también", "entonces", "luego",
    "primero", "primera", "después", "ahí", "aquí", "allí", "así", "cosa", "cosas", "vez",
    "veces", "día", "días", "año", "años", "dos", "tres", "uno", "hacer", "hace", "hay", "va",
    "vamos", "voy", "poco", "mucho", "mucha", "muchos", "todo", "toda", "todos", "todas", "ya",
    "bien", "sí", "pues", "claro", "gente", "otro", "otra", "otros", "cada", "decir", "dice",
    "tener", "tiene", "tenemos", "ir",
    /* The classes of the English list not covered above, translated:
     * ordinals, discourse words ("¿verdad?" like "right"), deictic days,
     * general verbs, nouns of time, general adjectives and adverbs,
     * greetings, units of measure and money. */
    "segundo", "segunda", "segundos", "tercero", "tercera", "último", "última", "próximo",
    "próxima", "siguiente", "verdad", "tipo", "realmente", "básicamente", "vale", "manera",
    "algo", "nada", "alguien", "persona", "personas", "hoy", "ayer", "ahora", "ver",
    "vemos", "mira", "mirar", "saber", "sé", "sabes", "pensar", "creo", "querer", "quiero",
    "necesitar", "venir", "usar", "tratar", "dar", "llamar", "poner", "empezar", "encontrar",
    "sentir", "dejar", "tomar", "puede", "puedes", "podemos", "tiempo", "semana", "semanas",
    "mes", "meses", "grande", "grandes", "gran", "pequeño", "pequeña", "nuevo", "nueva",
    "viejo", "vieja", "diferente", "diferentes", "entero", "entera", "seguro", "segura",
    "buen", "solo", "sólo", "siempre", "nunca", "casi", "bastante", "incluso", "todavía",
    "aún", "quizás", "alrededor", "parte", "hola", "gracias", "bienvenidos", "adiós", "oye",
    "euro", "euros", "peso", "pesos", "dólar", "dólares", "metro", "metros", "kilómetro",
    "kilómetros", "gramo", "gramos", "kilo", "kilos", "litro", "litros",
    /* The Snowball Spanish stop words that the abridged transcript list
     * (src/ai/stopwords.c) leaves out: articles, pronouns and possessives,
     * and the common forms of estar, haber, ser and tener. */
    "unas", "algunas", "estas", "esos", "esas", "ellas", "nosotras", "vosotros", "os", "ti",
    "mis", "tus", "mío", "mía", "tuyo", "tuya", "suyo", "suya", "nuestro", "nuestra",
    "nuestros", "nuestras", "vuestro", "vuestra", "estoy", "estás", "estáis", "esté",
    "estaba", "estaban", "estábamos", "estuvo", "estuvimos", "estuvieron", "estado", "hemos",
    "habéis", "haya", "había", "habían", "habíamos", "hubo", "habrá", "habría", "soy",
    "eres", "somos", "sois", "sea", "sean", "será", "sería", "eran", "éramos", "fui",
    "fuimos", "fueron", "sido", "siendo", "tengo", "tienes", "tienen", "tenía", "tenían",
    "teníamos", "tuve", "tuvo", "tuvimos", "tenido",
    /* Hesitations and interjections (the English transcript list has
     * "um", "uh", "ah", "oh", "okay"): spoken only, see the English list. */
    "eh", "em", "ah", "oh", "mmm", "ok", "okay", NULL};
static const char *TAG_STOP_DE[] = {
    "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf", "zwanzig",
    "dreissig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig", "hundert",
    "tausend", "million", "millionen", "minute", "minuten", "stunde", "stunden", "sekunde",
    "sekunden", "gut", "ganz",
    "mal", "schon", "immer", "wirklich", "eigentlich", "machen", "macht", "gibt", "geht",
    "gehen", "sagen", "sehen", "kommen", "jahr", "jahre", "tag", "tage", "zwei", "drei",
    "eins", "erste", "ding", "dinge", "leute", "viel", "viele", "mehr", "jetzt", "dann",
    "heute", "einfach", "genau", "halt", "etwas", "andere", "jeder", "haben", "werden",
    "wurde",
    /* The classes of the English list not covered above, translated:
     * ordinals, discourse words, deictic days, general verbs, nouns of
     * time, general adjectives (with their inflected forms) and adverbs,
     * greetings, units of measure. */
    "zweite", "zweiten", "dritte", "dritten", "letzte", "letzten", "nächste", "nächsten",
    "ersten", "eben", "quasi", "irgendwie", "sache", "sachen", "jemand", "mensch",
    "menschen", "gestern", "nehmen", "geben", "wissen", "weiss", "weiß", "denken",
    "glaube", "brauchen", "schauen", "nutzen", "versuchen", "finden", "lassen", "anfangen",
    "zeit", "woche", "wochen", "monat", "monate", "gute", "guten", "ganze", "ganzen",
    "groß", "gross", "große", "grosse", "großen", "grossen", "klein", "kleine", "kleinen",
    "neu", "neue", "neuen", "alt", "alte", "alten", "verschieden", "verschiedene", "sicher",
    "nie", "oft", "fast", "genug", "vielleicht", "wahrscheinlich", "ziemlich", "ungefähr",
    "herum", "zurück", "teil", "punkt", "hallo", "danke", "willkommen", "tschüss", "euro",
    "prozent", "meter", "kilometer", "zentimeter", "gramm", "kilo", "liter",
    /* The Snowball German stop words that the abridged transcript list
     * (src/ai/stopwords.c) leaves out: demonstratives, inflected pronouns,
     * modals, adverbs and prepositions such as "diese", "wieder", "über". */
    "allem", "allen", "aller", "alles", "ander", "anderem", "anderen", "anderer", "anderes",
    "anderm", "andern", "anders", "euer", "eure", "hatten", "hattest", "hattet", "hinter",
    "jede", "jedem", "jeden", "jedes", "jener", "jenem", "jenen", "jenes", "kannst", "können",
    "könnt", "meine", "muss", "musst", "müssen", "müsst", "nachdem", "nein", "seid", "seine",
    "soll", "sollen", "sollst", "sollt", "sonst", "soweit", "sowie", "unsere", "wann", "warum",
    "weiter", "weitere", "werde", "werdet", "weshalb", "wieder", "wieso", "wirst", "woher",
    "wohin", "über", "dies", "diese", "diesem", "diesen", "dieser", "dieses", "dort", "einig",
    "einige", "einigem", "einigen", "einiger", "einiges", "einmal", "gegen", "gewesen", "hab",
    "habe", "hin", "ihnen", "ihrem", "ihren", "ihrer", "ihres", "indem", "keinem", "keinen",
    "keiner", "keines", "manche", "manchem", "manchen", "mancher", "manches", "meinem",
    "meinen", "meiner", "meines", "musste", "nichts", "selbst", "solche", "solchem", "solchen",
    "solcher", "solches", "um", "unserem", "unseren", "unserer", "unseres", "während", "warst",
    "weg", "welche", "welchem", "welchen", "welcher", "welches", "will", "wollen", "wollte",
    "würde", "würden", "zwar", "zwischen",
    /* Hesitations and interjections (the English transcript list has
     * "um", "uh", "ah", "oh", "okay"): spoken only, see the English list. */
    "äh", "ähm", "öh", "hm", "ah", "oh", "ok", "okay",
    /* "beide" is the quantifier "both" (a Snowball English stop word),
     * not an adjective of the noun it precedes ("beide Schlaufen"). */
    "beide", "beiden", "beides", NULL};

static const char *const *tag_stop_list(const char *lang)
{
    char p[16];
    rb_transcript_primary_lang(lang, p, sizeof p);
    if (strcmp(p, "fr") == 0)
        return TAG_STOP_FR;
    if (strcmp(p, "es") == 0)
        return TAG_STOP_ES;
    if (strcmp(p, "de") == 0)
        return TAG_STOP_DE;
    if (!p[0] || strcmp(p, "en") == 0)
        return TAG_STOP_EN;
    return NULL;
}

/* The list sorted once per language, for binary search. */
typedef struct tag_stop_set {
    const char **v;
    size_t n;
} tag_stop_set;

static tag_stop_set tag_stop_sets[4];
static pthread_once_t tag_stop_once = PTHREAD_ONCE_INIT;

static void tag_stop_init(void)
{
    const char *const *lists[4] = {TAG_STOP_EN, TAG_STOP_FR, TAG_STOP_ES, TAG_STOP_DE};
    for (int l = 0; l < 4; l++) {
        size_t n = 0;
        while (lists[l][n])
            n++;
        const char **v = malloc(n * sizeof *v);
        if (!v)
            continue; /* no list: tags just keep generic words */
        memcpy(v, lists[l], n * sizeof *v);
        qsort(v, n, sizeof *v, cmp_str);
        tag_stop_sets[l].v = v;
        tag_stop_sets[l].n = n;
    }
}

static const tag_stop_set *tag_stop_for(const char *lang)
{
    const char *const *l = tag_stop_list(lang);
    if (!l)
        return NULL;
    pthread_once(&tag_stop_once, tag_stop_init);
    int i = l == TAG_STOP_EN ? 0 : l == TAG_STOP_FR ? 1 : l == TAG_STOP_ES ? 2 : 3;
    return tag_stop_sets[i].v ? &tag_stop_sets[i] : NULL;
}

static int tag_stop_has(const tag_stop_set *s, const char *w)
{
    return s && bsearch(&w, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

/* A doc of ~RB_SUMMARIZE_WINDOW_MS windows of whole sentences. Tokens are
 * copied so the first word of every sentence starts a new RAKE phrase. */
typedef struct window_doc {
    rb_text_doc doc;
    rb_text_unit *units;
    rb_text_token *tokens;
} window_doc;

static void window_doc_free(window_doc *w)
{
    free(w->units);
    free(w->tokens);
    memset(w, 0, sizeof *w);
}

/* A clitic written into a word makes one token: French elides articles,
 * pronouns and "ne" into the next word ("d'une", "n'est", "qu'il",
 * "l'autre"), English attaches "'s", "'re", "'ll", "'ve", "'d" to the word
 * before ("one's", "everybody's"). Such a token is a stop word when its
 * word part is one (transcript list or tag list): the clitic adds nothing,
 * so "d'une" is as empty as "une" and "one's" as "one" ("l'eau" stays a
 * word). `lang` is the primary subtag; forms use the folded apostrophe. */
static int in_list(const char *const *l, const char *w);

static int clitic_stop(const char *lang, const tag_stop_set *extra, const char *form)
{
    const char *ap = strchr(form, '\'');
    if (!ap || ap == form || !ap[1])
        return 0;
    const char *word;
    size_t len;
    if (strcmp(lang, "fr") == 0) {
        if (ap - form > 7)
            return 0;
        for (const char *p = form; p < ap; p++)
            if (!isalpha((unsigned char)*p))
                return 0;
        word = ap + 1;
        len = strlen(word);
    } else if (strcmp(lang, "en") == 0 || !lang[0]) {
        static const char *const clitics[] = {"s", "re", "ll", "ve", "d", NULL};
        if (!in_list(clitics, ap + 1))
            return 0;
        word = form;
        len = (size_t)(ap - form);
    } else {
        return 0;
    }
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, word, len);
    buf[len] = '\0';
    return rb_stopwords_is_stop(lang[0] ? lang : "en", buf, len) || tag_stop_has(extra, buf);
}

static int window_doc_build(const rb_transcript *t, const rb_transcript_doc *d, window_doc *w,
                            rb_err *err)
{
    const tag_stop_set *extra = tag_stop_for(t->language);
    char lang[16];
    rb_transcript_primary_lang(t->language, lang, sizeof lang);
    memset(w, 0, sizeof *w);
    size_t n = d->doc.nunits, ntok = 0;
    for (size_t i = 0; i < n; i++)
        ntok += d->doc.units[i].ntokens;
    w->units = calloc(n + 1, sizeof *w->units);
    w->tokens = calloc(ntok + 1, sizeof *w->tokens);
    if (!w->units || !w->tokens) {
        window_doc_free(w);
        return OOM(err);
    }
    size_t nu = 0, k = 0;
    for (size_t i = 0; i < n;) {
        rb_text_unit *u = &w->units[nu++];
        u->text = d->doc.units[i].text;
        u->start_ms = d->doc.units[i].start_ms;
        u->tokens = w->tokens + k;
        size_t j = i;
        do {
            const rb_text_unit *s = &d->doc.units[j];
            for (size_t x = 0; x < s->ntokens; x++) {
                w->tokens[k] = s->tokens[x];
                if (x == 0)
                    w->tokens[k].brk = 1;
                const char *form = s->tokens[x].surface ? s->tokens[x].surface : s->tokens[x].stem;
                if (!w->tokens[k].stop && (tag_stop_has(extra, form) || clitic_stop(lang, extra, form)))
                    w->tokens[k].stop = 1;
                k++;
            }
            u->end_ms = s->end_ms;
            j++;
        } while (j < n && u->end_ms - u->start_ms < RB_SUMMARIZE_WINDOW_MS);
        u->ntokens = (size_t)(w->tokens + k - u->tokens);
        i = j;
    }
    w->doc.units = w->units;
    w->doc.nunits = nu;
    return RB_OK;
}

/* 1 when every word of the phrase is a number, or it is one character. */
static int junk_phrase(const char *s)
{
    if (strlen(s) < 2)
        return 1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != ' ')
            return 0;
    return 1;
}

/* 1 when every word of `small` is a word of `big` (' '-separated). */
static int words_subset(const char *small, const char *big)
{
    char tmp[1024];
    const char *p = small;
    while (*p) {
        size_t len = strcspn(p, " ");
        if (len >= sizeof tmp)
            return 0;
        memcpy(tmp, p, len);
        tmp[len] = '\0';
        int found = 0;
        const char *q = big;
        while (*q && !found) {
            size_t l2 = strcspn(q, " ");
            found = l2 == len && memcmp(q, tmp, len) == 0;
            q += l2;
            while (*q == ' ')
                q++;
        }
        if (!found)
            return 0;
        p += len;
        while (*p == ' ')
            p++;
    }
    return 1;
}

/* One sub-phrase (1 to 3 consecutive words of a RAKE phrase). */
typedef struct subphrase {
    char *key;       /* stems, ' '-joined */
    char *surface;   /* case-folded words as spoken */
    size_t words;
    size_t count;    /* occurrences: sum of tf of the RAKE phrases holding it */
    size_t heads;    /* of those, occurrences that hold the head of their phrase */
    int prep;        /* a term with a preposition ("ruban de masquage"): its head is its
                      * first word, and the preposition is not counted as a word */
    int drop;        /* names a person spoken to, or is no English noun phrase */
    int noun_head;   /* its head has more noun-position than verb-position evidence */
    int fragment;    /* dropped as a clause cut short (past form, finite verb, plural
                      * modifier): subject and verb, not a noun phrase */
    double score;
} subphrase;

static int cmp_sub_key(const void *a, const void *b)
{
    const subphrase *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->surface, y->surface);
}

static int cmp_sub_score(const void *a, const void *b)
{
    const subphrase *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Weight of a sub-phrase by its length: a two-word phrase said five times
 * says more about the topic than either word said five times. */
static double length_weight(size_t words)
{
    return words >= 3 ? 2.5 : words == 2 ? 2.0 : 1.0;
}

/* Joins words [a, b) of the ' '-separated list `v` (n entries). */
static char *join_words(char *const *v, size_t a, size_t b)
{
    size_t len = 1;
    for (size_t i = a; i < b; i++)
        len += strlen(v[i]) + 1;
    char *o = malloc(len), *p = o;
    if (!o)
        return NULL;
    for (size_t i = a; i < b; i++) {
        size_t l = strlen(v[i]);
        if (i > a)
            *p++ = ' ';
        memcpy(p, v[i], l);
        p += l;
    }
    *p = '\0';
    return o;
}

/* 1 when the words of `small` occur as consecutive words of `big` (both
 * ' '-joined stem keys). */
static int words_inside(const char *small, const char *big)
{
    size_t n = strlen(small);
    for (const char *p = strstr(big, small); p; p = strstr(p + 1, small))
        if ((p == big || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

/* A sub-phrase is dominated when a longer one holding it is said at least
 * half as often: "rate" and "limit" mostly say "rate limit", so the longer
 * phrase stands for them. (A weak form of Frantzi et al.'s C-value nesting
 * rule.) Only a phrase that can itself be a tag stands for another: one
 * dropped as no noun phrase ("Harbor Avenue protected") does not take
 * "Harbor Avenue" with it. */
static int dominated(const subphrase *sp, size_t nsp, size_t i)
{
    for (size_t j = 0; j < nsp; j++)
        if (sp[j].words > sp[i].words && sp[j].count >= 2 && 2 * sp[j].count >= sp[i].count &&
            !sp[j].drop && !junk_phrase(sp[j].surface) && words_inside(sp[i].key, sp[j].key))
            return 1;
    return 0;
}
/* ---- casing of tags ------------------------------------------------------ */

/* How each content word (by stem id) is written where its case carries
 * information: not as the first word of a sentence. Tags come out of RAKE
 * case-folded; a word written with a capital most of the time ("Redis",
 * "Oaxaca", "Albán") gets it back, and one written in capitals ("API") is
 * upper-cased. */
typedef struct case_stats {
    uint32_t *cap;    /* first letter upper case (capitals included) */
    uint32_t *upper;  /* every letter upper case, two letters or more */
    uint32_t *lower;  /* first letter lower case */
} case_stats;

static void case_stats_free(case_stats *c)
{
    free(c->cap);
    free(c->upper);
    free(c->lower);
    memset(c, 0, sizeof *c);
}

static int case_stats_build(const rb_transcript *t, const seq_index *x, case_stats *c,
                            rb_err *err)
{
    size_t nv = x->ids.nvocab + 1;
    c->cap = calloc(nv, sizeof *c->cap);
    c->upper = calloc(nv, sizeof *c->upper);
    c->lower = calloc(nv, sizeof *c->lower);
    if (!c->cap || !c->upper || !c->lower) {
        case_stats_free(c);
        return OOM(err);
    }
    for (size_t u = 0; u < t->nsentences && u < x->ids.nunits; u++) {
        const rb_transcript_sentence *s = &t->sentences[u];
        size_t base = x->ids.unit_off[u];
        for (size_t j = 1; j < s->ntokens && base + j < x->ids.unit_off[u + 1]; j++) {
            int32_t id = x->ids.ids[base + j];
            if (id < 0)
                continue;
            const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s->text + s->tokens[j].offset;
            utf8proc_ssize_t left = (utf8proc_ssize_t)s->tokens[j].len;
            int first = 1, all_upper = 1, letters = 0;
            while (left > 0) {
                utf8proc_int32_t cp;
                utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
                if (n <= 0)
                    break;
                utf8proc_category_t cat = utf8proc_category(cp);
                int is_upper = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
                int is_letter = is_upper || cat == UTF8PROC_CATEGORY_LL;
                if (is_letter) {
                    if (first)
                        (is_upper ? c->cap : c->lower)[id]++;
                    first = 0;
                    letters++;
                    all_upper &= is_upper;
                }
                p += n;
                left -= n;
            }
            if (letters >= 2 && all_upper)
                c->upper[id]++;
        }
    }
    return RB_OK;
}

/* How a word is usually written: 0 lower case, 1 capitalised, 2 capitals. */
static int word_case(const seq_index *x, const case_stats *c, const char *stem, size_t len)
{
    char buf[256];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, stem, len);
    buf[len] = '\0';
    int32_t id = rb_text_ids_lookup(&x->ids, buf);
    if (id < 0 || c->cap[id] <= c->lower[id])
        return 0;
    return 2 * c->upper[id] > c->cap[id] ? 2 : 1;
}

/* Appends w upper-cased code point by code point. */
static int put_upper(rb_buf *b, const char *w, size_t len)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)w;
    utf8proc_ssize_t left = (utf8proc_ssize_t)len;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0)
            return rb_buf_append(b, p, (size_t)left);
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_toupper(cp), enc);
        if (rb_buf_append(b, enc, (size_t)m) != RB_OK)
            return RB_ERR;
        p += n;
        left -= n;
    }
    return RB_OK;
}

/* The surface of a tag with its usual casing restored. `key` holds the
 * words' stems, one per word of `surface` (at most 3). Each word takes the
 * casing it has most often; a word that is mostly lower case but comes right
 * before a capitalised one is the start of a name and is capitalised too
 * ("North Sea", though "north" alone is mostly lower case), while trailing
 * common nouns stay as they are ("API gateway", "North Sea office"). */
#define CASE_MAX_WORDS 8

static char *cased_surface(const seq_index *x, const case_stats *c, const char *key,
                           const char *surface, int german, int prep)
{
    int wc[CASE_MAX_WORDS] = {0};
    size_t n = 0;
    for (const char *k = key; *k && n < CASE_MAX_WORDS; n++) {
        size_t kl = strcspn(k, " ");
        wc[n] = word_case(x, c, k, kl);
        k += kl;
        while (*k == ' ')
            k++;
    }
    /* Not in German, where every noun has a capital, so a capitalised word
     * says nothing about a name ("flachen Wasser"). */
    for (size_t i = n; i-- > 1 && !german && !prep;)
        if (wc[i] == 1 && wc[i - 1] == 0)
            wc[i - 1] = 1;
    /* The preposition of a term stays as spoken ("Bay of Fundy"), and
     * its words keep their own casing ("casa de empeños"). */
    if (prep && n > 1)
        wc[1] = 0;
    rb_buf b;
    rb_buf_init(&b, TEXT_MAX);
    const char *w = surface;
    int rc = RB_OK;
    for (size_t i = 0; *w && rc == RB_OK; i++) {
        size_t wl = strcspn(w, " ");
        int cs = i < CASE_MAX_WORDS ? wc[i] : 0;
        if (b.len)
            rc = rb_buf_putc(&b, ' ');
        if (rc == RB_OK)
            rc = cs == 2   ? put_upper(&b, w, wl)
                 : cs == 1 ? put_capitalized(&b, w, wl)
                           : rb_buf_append(&b, w, wl);
        w += wl;
        while (*w == ' ')
            w++;
    }
    if (rc != RB_OK) {
        rb_buf_free(&b);
        return NULL;
    }
    char *out = rb_buf_steal(&b);
    return out ? out : strdup("");
}

/* ---- what a word is: noun evidence and vocatives ----------------------- */

/* Words that open a noun phrase: articles, demonstratives, possessives and,
 * in English, the prepositions that take a noun ("of the", "in Redis"). The
 * content words right after one, up to the next stop word or punctuation,
 * are in noun position ("the [protected bike lane]"). French and Spanish
 * prepositions are left out because they also take infinitives ("pour
 * peindre", "para comer"), and so is English "to". German needs no list:
 * its nouns are written with a capital (noun_ratio). Matched on the
 * case-folded word. */
static const char *const NP_EN[] = {
    "a", "an", "the", "this", "that", "these", "those", "my", "your", "his", "her", "its",
    "our", "their", "some", "any", "no", "every", "each", "of", "in", "on", "at", "with",
    "for", "from", "about", "into", "onto", "by", "under", "over", "through", "during",
    "between", "among", "against", "within", "without", "across", "behind", "inside",
    "toward", "towards", "via", "per", NULL};
static const char *const NP_FR[] = {
    "le", "la", "les", "un", "une", "des", "du", "au", "aux", "ce", "cet", "cette", "ces",
    "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos",
    "leur", "leurs", "chaque", NULL};
static const char *const NP_ES[] = {
    "el", "la", "los", "las", "un", "una", "unos", "unas", "del", "al", "este", "esta",
    "estos", "estas", "ese", "esa", "esos", "esas", "mi", "mis", "tu", "tus", "su", "sus",
    "nuestro", "nuestra", "nuestros", "nuestras", "cada", NULL};

/* Prepositions of French and Spanish: they take infinitives as well as
 * nouns, so they count as noun evidence only before a capitalised word
 * ("en Oaxaca", "à Paris"), which an infinitive never is. */
static const char *const PREP_FR[] = {
    "à", "de", "en", "dans", "sur", "avec", "pour", "par", "vers", "chez", "sans", "sous", NULL};
static const char *const PREP_ES[] = {
    "a", "de", "en", "con", "por", "para", "desde", "hasta", "hacia", "sin", "sobre", NULL};

/* Words after which a verb comes: subject pronouns, modals, "to" and
 * negated auxiliaries in English ("we knead", "to play", "can't cut"); the
 * clitic pronouns and the negation in French and Spanish ("on passe", "se
 * llama", "no hay"). The content word right after one is in verb
 * position. */
static const char *const VP_EN[] = {
    "i", "you", "we", "they", "he", "she", "to", "can", "will", "would", "should", "could",
    "must", "might", "may", "don't", "doesn't", "didn't", "won't", "can't", "let's", NULL};
static const char *const VP_FR[] = {
    "je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "ne", "se", "me", "te",
    "pour", NULL};
static const char *const VP_ES[] = {
    "yo", "tú", "se", "me", "te", "nos", "os", "lo", "le", "les", "no", "para", "a", NULL};

/* Words after which a predicate comes: the forms of "be" and the degree
 * adverbs. A lower-case content word right after one is an adjective or a
 * participle ("is bright", "too far", "c'est sec", "es muy caro"): a common
 * noun there needs a determiner first ("is the line"), and the determiner
 * ends the run. A capitalised word there is a name ("this is Jupiter") and
 * is not counted. Counted with the verb positions, as evidence against a
 * noun. */
static const char *const PRED_EN[] = {
    "is", "are", "was", "were", "be", "been", "being", "it's", "that's", "isn't", "aren't",
    "wasn't", "very", "too", "so", NULL};
static const char *const PRED_FR[] = {"est", "sont", "était", "été", "c'est", NULL};
static const char *const PRED_ES[] = {"es", "son", "era", "fue", "muy", NULL};

static const char *const *np_openers(const char *lang)
{
    char p[16];
    rb_transcript_primary_lang(lang, p, sizeof p);
    if (strcmp(p, "fr") == 0)
        return NP_FR;
    if (strcmp(p, "es") == 0)
        return NP_ES;
    if (!p[0] || strcmp(p, "en") == 0)
        return NP_EN;
    return NULL;
}

static int in_list(const char *const *l, const char *w)
{
    for (; l && *l; l++)
        if (strcmp(*l, w) == 0)
            return 1;
    return 0;
}

/* Per content word (stem id) of the transcript. */
typedef struct word_stats {
    uint32_t *np;      /* occurrences in noun position (see NP_EN) */
    uint32_t *vp;      /* occurrences in verb position (see VP_EN) */
    uint32_t *voc;     /* occurrences set off as a vocative ("Thank you, Sam.") */
    int german;        /* nouns are capitalised: case_stats replaces np and vp */
    int french;        /* articles elide into the word ("l'eau") */
    int rules;         /* the language has these rules (en, fr, es, de) */
} word_stats;

static void word_stats_free(word_stats *w)
{
    free(w->np);
    free(w->voc);
    free(w->vp);
    memset(w, 0, sizeof *w);
}

/* 1 when the first letter of the len bytes at s is upper case. */
static int starts_upper(const char *s, size_t len)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &cp);
    if (n <= 0)
        return 0;
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

/* 1 when bytes [a, b) of s hold anything but spaces (punctuation). */
static int gap_has_punct(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (!isspace((unsigned char)s[i]))
            return 1;
    return 0;
}

/* 1 when bytes [a, b) of s hold a comma. */
static int gap_has_comma(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (s[i] == ',')
            return 1;
    return 0;
}

/* Greetings and thanks, which name the person they are said to ("Hallo
 * Katrin", "thanks Sam", "merci Julie"): the word after one, when
 * capitalised, is a vocative. Matched on the case-folded word. */
static const char *const GREET[] = {
    "hello", "hi", "hey", "thanks", "bye", "bonjour", "salut", "merci", "bonsoir", "hola",
    "gracias", "adiós", "hallo", "servus", "moin", "tschüss", "danke", NULL};

static int word_stats_build(const rb_transcript *t, const seq_index *x, word_stats *w,
                            rb_err *err)
{
    memset(w, 0, sizeof *w);
    size_t nv = x->ids.nvocab + 1;
    w->np = calloc(nv, sizeof *w->np);
    w->voc = calloc(nv, sizeof *w->voc);
    w->vp = calloc(nv, sizeof *w->vp);
    if (!w->np || !w->voc || !w->vp) {
        word_stats_free(w);
        return OOM(err);
    }
    char p[16];
    rb_transcript_primary_lang(t->language, p, sizeof p);
    w->german = strcmp(p, "de") == 0;
    w->french = strcmp(p, "fr") == 0;
    w->rules = w->german || np_openers(t->language) != NULL;
    const char *const *open = np_openers(t->language);
    int fr = strcmp(p, "fr") == 0;
    const char *const *prep = fr ? PREP_FR : strcmp(p, "es") == 0 ? PREP_ES : NULL;
    static const char *const link_fr[] = {"de", "à", NULL}, *const link_es[] = {"de", NULL};
    const char *const *link = fr ? link_fr : prep ? link_es : NULL;
    const char *const *verbal = fr ? VP_FR : prep ? VP_ES : open ? VP_EN : NULL;
    const char *const *predic = fr ? PRED_FR : prep ? PRED_ES : open ? PRED_EN : NULL;
    for (size_t u = 0; u < t->nsentences && u < x->ids.nunits; u++) {
        const rb_transcript_sentence *s = &t->sentences[u];
        size_t base = x->ids.unit_off[u], tlen = strlen(s->text);
        int np = 0, after_prep = 0, head_noun = 0, verb = 0, pred = 0, greet = 0;
        for (size_t j = 0; j < s->ntokens && base + j < x->ids.unit_off[u + 1]; j++) {
            const rb_transcript_token *k = &s->tokens[j];
            size_t prev_end = j ? s->tokens[j - 1].offset + s->tokens[j - 1].len : 0;
            if (j && gap_has_punct(s->text, prev_end, k->offset))
                np = after_prep = head_noun = verb = pred = 0;
            int32_t id = x->ids.ids[base + j];
            int after_greet = greet && !gap_has_punct(s->text, prev_end, k->offset);
            greet = in_list(GREET, k->norm);
            if (id >= 0 && after_greet && starts_upper(s->text + k->offset, k->len))
                w->voc[id]++;
            /* Numerals are left out on purpose: what follows them is
             * mostly a unit ("forty spaces", "ten percent", "200 grams"). */
            int opener = in_list(open, k->norm);
            if (id < 0 || k->is_stop || opener) {
                /* French and Spanish build compound nouns as noun + de/à +
                 * noun ("pâte à pizza", "ruban de masquage"). */
                np = opener || (head_noun && in_list(link, k->norm));
                after_prep = in_list(prep, k->norm);
                verb = in_list(verbal, k->norm);
                pred = in_list(predic, k->norm);
                head_noun = 0;
                if (id < 0 || opener)
                    continue;
            }
            /* French elides the article into the word ("l'eau"), and the
             * "de" of a compound noun ("pot d'enduit"). */
            int is_np = np || (after_prep && starts_upper(s->text + k->offset, k->len)) ||
                        (fr && strncmp(k->norm, "l'", 2) == 0) ||
                        (fr && head_noun && strncmp(k->norm, "d'", 2) == 0);
            w->np[id] += (uint32_t)is_np;
            int upper = starts_upper(s->text + k->offset, k->len);
            w->vp[id] += (uint32_t)((verb || (pred && !upper)) && !is_np);
            verb = pred = 0;
            after_prep = 0;
            /* In French and Spanish the noun comes first and its adjectives
             * follow it ("une pizza croustillante"): only the first word
             * after the article is in noun position. */
            head_noun = prep && is_np;
            if (prep)
                np = 0;
            /* A vocative is a lone word set off by commas at the edge of
             * the sentence: "Sam, you're up", "Thank you, Sam." It names
             * whom the speaker talks to, not what they talk about. */
            size_t end = k->offset + k->len;
            size_t next = j + 1 < s->ntokens ? s->tokens[j + 1].offset : tlen;
            int starts = j == 0, ends = j + 1 == s->ntokens;
            if (s->ntokens > 1 &&
                ((starts && !ends && gap_has_comma(s->text, end, next)) ||
                 (ends && !starts && gap_has_comma(s->text, prev_end, k->offset))))
                w->voc[id]++;
        }
    }
    return RB_OK;
}

/* 1 when the last word of s ends in "-ed" (not "-eed") and has 5 bytes or
 * more: an English past tense or participle ("lived", "protected"). */
static int ends_past(const char *s)
{
    const char *w = strrchr(s, ' ');
    w = w ? w + 1 : s;
    size_t n = strlen(w);
    return n >= 5 && strcmp(w + n - 2, "ed") == 0 && w[n - 3] != 'e';
}

/* 1 when a word of s (' '-separated, case-folded) ends in a finite-verb
 * ending that no French or Spanish noun or adjective has: French imperfect
 * and conditional "-aient" and simple past "-èrent" ("posaient"), Spanish
 * preterite "-aron"/"-ieron" and imperfect "-aban"/"-ábamos"/"-íamos"
 * ("llegaron", "compraban"). A finite verb is never part of a noun phrase.
 * The word must be longer than the ending by 3 bytes or more. */
static int has_finite_verb(const char *s, int french)
{
    static const char *const fr[] = {"aient", "èrent", NULL};
    static const char *const es[] = {"aron", "ieron", "aban", "ábamos", "íamos", NULL};
    const char *const *ends = french ? fr : es;
    while (*s) {
        size_t n = strcspn(s, " ");
        for (size_t e = 0; ends[e]; e++) {
            size_t el = strlen(ends[e]);
            if (n >= el + 3 && memcmp(s + n - el, ends[e], el) == 0)
                return 1;
        }
        s += n;
        while (*s == ' ')
            s++;
    }
    return 0;
}

/* 1 when a word before the last of an English phrase is a plural common
 * noun: written lower case, ending in "s" (not "ss", "us", "is"), 4 bytes
 * or more, and stemmed to something shorter than itself ("students" ->
 * "student"). `key` holds one stem per word of `surface`. */
static int plural_modifier(const seq_index *x, const case_stats *c, const char *key,
                           const char *surface)
{
    const char *k = key, *w = surface;
    while (*k && *w) {
        size_t kl = strcspn(k, " "), wl = strcspn(w, " ");
        const char *kn = k + kl, *wn = w + wl;
        while (*kn == ' ')
            kn++;
        while (*wn == ' ')
            wn++;
        if (!*wn)
            return 0; /* the last word, the head, may be plural */
        if (wl >= 4 && w[wl - 1] == 's' && w[wl - 2] != 's' && w[wl - 2] != 'u' &&
            w[wl - 2] != 'i' && kl < wl && word_case(x, c, k, kl) == 0)
            return 1;
        k = kn;
        w = wn;
    }
    return 0;
}

/* The id of the i-th word (0-based) of a ' '-joined stem key; -1 when
 * absent. i = (size_t)-1 means the last word. */
static int32_t key_word_id(const seq_index *x, const char *key, size_t i)
{
    size_t n = 0;
    const char *k = key, *pick = NULL;
    size_t pick_len = 0;
    while (*k) {
        size_t kl = strcspn(k, " ");
        if (n == i || i == (size_t)-1) {
            pick = k;
            pick_len = kl;
        }
        if (n == i)
            break;
        n++;
        k += kl;
        while (*k == ' ')
            k++;
    }
    char buf[256];
    if (!pick || pick_len == 0 || pick_len >= sizeof buf)
        return -1;
    memcpy(buf, pick, pick_len);
    buf[pick_len] = '\0';
    return rb_text_ids_lookup(&x->ids, buf);
}

/* How much a word behaves like a noun: the share of noun-position
 * evidence among all positional evidence, with Laplace's add-one smoothing
 * so that a word seen in neither position scores a neutral 0.5 and a
 * word seen once does not swing to 0 or 1. English, French and Spanish count
 * noun positions against verb positions (word_stats_build); German counts
 * capitalised against lower-case uses inside sentences, since every German
 * noun has a capital. A language without rules weighs every word 1. */
static double noun_ratio(const case_stats *c, const word_stats *w, int32_t id)
{
    if (!w->rules)
        return 1.0;
    if (id < 0)
        return 0.5;
    double yes = w->german ? c->cap[id] : w->np[id];
    double no = w->german ? c->lower[id] : w->vp[id];
    return (yes + 1.0) / (yes + no + 2.0);
}

/* How general a word is in the language, from the English thesaurus
 * (MyThes, WordNet-derived, via rb_thesaurus_meanings): the number of
 * meanings it lists. By Zipf's meaning-frequency law the most frequent words
 * of a language have the most meanings ("line", "side", "work", "run" have
 * dozens; "telescope", "router", "goggles" a few), so the count tells a
 * generic noun from a specific one, which nothing inside one transcript can.
 * Weight = log2(3) / log2(2 + meanings): 1 for one meaning, 0.5 for five,
 * 0.3 for thirty. A word the thesaurus lacks (a name, an inflected form, a
 * term of art) counts as one meaning: absence is no evidence of
 * specificity (names of people in the room are absent too). The head word
 * is looked up as its stem (often the lemma: "lights" -> "light"; cached
 * per stem id, -1 = not looked up yet) and as spoken in this phrase; the
 * larger count counts. */
static double generality_weight(const rb_thesaurus *th, const seq_index *x, int *stem_cache,
                                int32_t id, const char *surface, size_t len)
{
    if (!th || id < 0)
        return 1.0;
    const char *stem = x->ids.stems[id];
    size_t sl = strlen(stem);
    if (stem_cache[id] < 0)
        stem_cache[id] = rb_thesaurus_meanings(th, stem, sl);
    int m = stem_cache[id];
    if (!(sl == len && memcmp(stem, surface, len) == 0)) {
        int a = rb_thesaurus_meanings(th, surface, len);
        m = a > m ? a : m;
    }
    return log2(3.0) / log2(2.0 + (double)(m > 1 ? m : 1));
}

/* How specific a word is in the language, from a general-language corpus
 * (rb_background, docs/background.md): the corpus's inverse document
 * frequency of the head's stem with add-one smoothing, scaled to [0, 1]
 * (rb_background_weight), raised to the power SPECIFICITY_POWER. This is
 * TF-IDF's IDF with a reference corpus standing in for the document
 * collection. The plain IDF (power 1) is too flat against the spread of a
 * transcript's counts ("water" said 20 times outranks "mezcal" said 8 even
 * at 0.77 against 1); the fourth power makes a stem the corpus has 11
 * times in 56,000 words ("water") weigh ~0.36 and one it never has 1
 * (measured: powers 3 to 6 all beat the thesaurus weight, 4 best;
 * docs/builtin-summarize.md). A stem the corpus lacks is the most
 * specific, which also promotes names and spoken fillers: the tag stop
 * lists hold the fillers. */
#define SPECIFICITY_POWER 4.0

static double specificity_weight(const rb_background *bg, const seq_index *x, int32_t id)
{
    if (!bg || id < 0)
        return 1.0;
    const char *stem = x->ids.stems[id];
    return pow(rb_background_weight(bg, stem, strlen(stem)), SPECIFICITY_POWER);
}

/* The n-th ' '-separated word of s (n = (size_t)-1: the last); sets *len. */
static const char *nth_word(const char *s, size_t n, size_t *len)
{
    const char *pick = s;
    *len = strcspn(s, " ");
    for (size_t i = 0; *s; i++) {
        size_t l = strcspn(s, " ");
        if (i == n || n == (size_t)-1) {
            pick = s;
            *len = l;
            if (i == n)
                break;
        }
        s += l;
        while (*s == ' ')
            s++;
    }
    return pick;
}

/* German writes a compound as one word, and the compound is the specific
 * name of what its head names in general: a talk about a "Schachturnier"
 * goes on to say "das Turnier". So a one-word candidate that ends in another
 * one-word candidate's key (the head: 4+ bytes, after a modifier of 4+) also
 * counts that head's occurrences, and the compound, not the general head,
 * becomes the tag. Only where compounds are written as one word. */
#define COMPOUND_PART 4

/* 1 when the one-word key `compound` is `head` with a modifier before it
 * (both parts COMPOUND_PART bytes or more): "schachturni" ends in "turni". */
static int compound_of(const char *compound, const char *head)
{
    size_t cl = strlen(compound), hl = strlen(head);
    return hl >= COMPOUND_PART && cl >= hl + COMPOUND_PART && !strchr(compound, ' ') &&
           !strchr(head, ' ') && strcmp(compound + cl - hl, head) == 0;
}

static void compound_counts(const rb_transcript *t, const seq_index *x, const case_stats *cs,
                            subphrase *sp, size_t nsp)
{
    char p[16];
    rb_transcript_primary_lang(t->language, p, sizeof p);
    if (strcmp(p, "de") != 0)
        return;
    size_t *add = calloc(nsp ? nsp : 1, sizeof *add);
    if (!add)
        return; /* no memory: the plain counts stand */
    for (size_t i = 0; i < nsp; i++) {
        if (sp[i].words != 1)
            continue;
        /* Only a noun, i.e. a word written with a capital more often than
         * not: a verb with a separable prefix ("anzufressen", "hochziehst")
         * also ends in another word ("fressen", "ziehst"). */
        int32_t id = rb_text_ids_lookup(&x->ids, sp[i].key);
        if (id < 0 || cs->cap[id] <= cs->lower[id])
            continue;
        for (size_t k = 0; k < nsp; k++)
            if (k != i && sp[k].words == 1 && compound_of(sp[i].key, sp[k].key))
                add[i] += sp[k].count;
    }
    for (size_t i = 0; i < nsp; i++)
        sp[i].count += add[i];
    free(add);
}

/* Terms built with a preposition (Daille 1996's patterns N de N, N à N,
 * N en N: "ruban de masquage", "cocotte en fonte", "barrica de roble";
 * English N of N: "Bay of Fundy"). RAKE cuts them at the preposition, a
 * stop word, so their parts compete as unrelated words. Here a content
 * word, a bare preposition and a content word in a row (no punctuation
 * between them, inside one window) form a candidate too; a determiner
 * after the preposition ("nettoyage des outils") marks a free phrase, not a
 * term, and is not taken. Its head is its first word in every language. The
 * key keeps the preposition, so the term is shown as spoken. */
static const char *const TERM_PREP_FR[] = {"de", "à", "en", NULL};
static const char *const TERM_PREP_ES[] = {"de", "en", NULL};
static const char *const TERM_PREP_EN[] = {"of", NULL};

static const char *const *term_preps(const char *lp)
{
    if (strcmp(lp, "fr") == 0)
        return TERM_PREP_FR;
    if (strcmp(lp, "es") == 0)
        return TERM_PREP_ES;
    if (!lp[0] || strcmp(lp, "en") == 0)
        return TERM_PREP_EN;
    return NULL;
}

static int sub_push(subphrase **sp, size_t *nsp, size_t *cap, subphrase *e)
{
    if (*nsp == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        subphrase *g = realloc(*sp, nc * sizeof *g);
        if (!g)
            return RB_ERR;
        *sp = g;
        *cap = nc;
    }
    (*sp)[(*nsp)++] = *e;
    return RB_OK;
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *o = malloc(la + lb + lc + 3);
    if (!o)
        return NULL;
    memcpy(o, a, la);
    o[la] = ' ';
    memcpy(o + la + 1, b, lb);
    o[la + 1 + lb] = ' ';
    memcpy(o + la + lb + 2, c, lc);
    o[la + lb + lc + 2] = '\0';
    return o;
}

static int prep_terms(const rb_text_doc *doc, const char *lp, subphrase **sp, size_t *nsp,
                      size_t *cap, rb_err *err)
{
    const char *const *preps = term_preps(lp);
    if (!preps)
        return RB_OK;
    for (size_t u = 0; u < doc->nunits; u++) {
        const rb_text_unit *un = &doc->units[u];
        for (size_t i = 0; i + 2 < un->ntokens; i++) {
            const rb_text_token *a = &un->tokens[i], *p = &un->tokens[i + 1],
                                *b = &un->tokens[i + 2];
            const char *ps = p->surface ? p->surface : p->stem;
            if (a->stop || !p->stop || b->stop || p->brk || b->brk || !in_list(preps, ps))
                continue;
            subphrase e = {0};
            e.key = join3(a->stem, ps, b->stem);
            e.surface = join3(a->surface ? a->surface : a->stem, ps,
                              b->surface ? b->surface : b->stem);
            e.words = 3;
            e.count = 1;
            e.heads = 1;
            e.prep = 1;
            if (!e.key || !e.surface || sub_push(sp, nsp, cap, &e) != RB_OK) {
                free(e.key);
                free(e.surface);
                return OOM(err);
            }
        }
    }
    return RB_OK;
}

/* Key phrases as candidate tags, best first.
 *
 * RAKE (rb_keyphrases) finds the candidate phrases: maximal runs of content
 * words between stop words and punctuation, inflections merged by stem, with
 * their occurrence counts over ~30 s cue windows. RAKE's own ranking
 * (degree/frequency, times TF-IDF) favours long phrases said once and
 * penalises the subject of the whole video, which occurs in every window, so
 * for tags each phrase is broken into its sub-phrases of 1-3 words; a
 * sub-phrase's count sums the counts of every phrase holding it
 * ("sourdough starter" inside "healthy sourdough starter" and "active
 * sourdough starter"), and it scores count x length weight x the noun_ratio
 * of its head word, so the nouns of the topic outrank verbs and adverbs said
 * as often. Numbers, phrases of several words said only once, phrases naming
 * a person spoken to, and English phrases that are not noun phrases (a past
 * form at the end, a plural modifier) are dropped; a sub-phrase whose stems
 * all occur in a higher-ranked one is redundant ("starter" after "sourdough
 * starter"). Terms with a preposition (prep_terms: "ruban de masquage",
 * "Bay of Fundy") join the sub-phrases as candidates of two words. */
static int ranked_phrases(const rb_transcript *t, const rb_transcript_doc *d, const seq_index *x,
                          size_t limit, int once, rb_summarize_phrase *out, size_t *nout,
                          strlist *frags, rb_err *err)
{
    *nout = 0;
    window_doc w;
    if (window_doc_build(t, d, &w, err) != RB_OK)
        return RB_ERR;
    rb_keyphrase_opts ko = {.max_words = 8, .top_n = RB_TEXT_MAX_TOKENS,
                            .weighting = RB_KEYPHRASE_RAKE_TFIDF};
    rb_keyphrase *kp = NULL;
    size_t nkp = 0;
    int rc = rb_keyphrases(&w.doc, &ko, &kp, &nkp, err);
    char lp[16];
    rb_transcript_primary_lang(t->language, lp, sizeof lp);
    subphrase *sp = NULL;
    size_t nsp = 0, spcap = 0;
    if (rc == RB_OK)
        rc = prep_terms(&w.doc, lp, &sp, &nsp, &spcap, err);
    window_doc_free(&w);
    if (rc != RB_OK) {
        for (size_t i = 0; i < nsp; i++) {
            free(sp[i].key);
            free(sp[i].surface);
        }
        free(sp);
        rb_keyphrases_free(kp, nkp);
        return RB_ERR;
    }
    int head_first_lang = strcmp(lp, "fr") == 0 || strcmp(lp, "es") == 0;
    const char **texts = calloc(nkp + 1, sizeof *texts);
    text_key *keys = calloc(nkp + 1, sizeof *keys);
    case_stats cs = {0};
    word_stats ws = {0};
    int *meanings = NULL;
    if (!texts || !keys) {
        rc = OOM(err);
        goto done;
    }
    for (size_t i = 0; i < nkp; i++)
        texts[i] = kp[i].text;
    if (batch_keys(t->language, texts, nkp, keys, err) != RB_OK) {
        memset(keys, 0, (nkp + 1) * sizeof *keys);
        rc = RB_ERR;
        goto done;
    }
    for (size_t i = 0; i < nkp && rc == RB_OK; i++) {
        /* Words of the surface, one per stem (RAKE phrases hold no stop
         * word, so the key's stems line up with the words). */
        char *copy = strdup(kp[i].text), *save = NULL;
        char **words = calloc(keys[i].nstems + 1, sizeof *words);
        size_t nw = 0;
        if (!copy || !words) {
            free(copy);
            free(words);
            rc = OOM(err);
            break;
        }
        for (char *p = strtok_r(copy, " ", &save); p && nw <= keys[i].nstems;
             p = strtok_r(NULL, " ", &save)) {
            if (nw == keys[i].nstems) {
                nw++;
                break;
            }
            words[nw++] = p;
        }
        if (nw == keys[i].nstems) {
            for (size_t a = 0; a < nw && rc == RB_OK; a++)
                for (size_t b = a + 1; b <= nw && b <= a + 3 && rc == RB_OK; b++) {
                    if (nsp == spcap) {
                        size_t nc = spcap ? spcap * 2 : 256;
                        subphrase *g = realloc(sp, nc * sizeof *g);
                        if (!g) {
                            rc = OOM(err);
                            break;
                        }
                        sp = g;
                        spcap = nc;
                    }
                    subphrase *e = &sp[nsp];
                    memset(e, 0, sizeof *e);
                    e->key = join_words(keys[i].stems, a, b);
                    e->surface = join_words(words, a, b);
                    e->words = b - a;
                    e->count = kp[i].tf;
                    /* The head of a RAKE phrase is its last word (its first
                     * in French and Spanish, see below). */
                    e->heads = (head_first_lang ? a == 0 : b == nw) ? kp[i].tf : 0;
                    nsp++;
                    if (!e->key || !e->surface)
                        rc = OOM(err);
                }
        }
        free(copy);
        free(words);
    }
    if (rc != RB_OK)
        goto done;
    /* Merge equal keys: counts add up, and the surface said most often
     * wins (ties: the byte-wise smallest, which sorts first). */
    if (nsp)
        qsort(sp, nsp, sizeof *sp, cmp_sub_key);
    size_t m = 0;
    for (size_t i = 0; i < nsp;) {
        size_t j = i, total = 0, best = i, best_n = 0;
        size_t heads = 0;
        while (j < nsp && strcmp(sp[j].key, sp[i].key) == 0) {
            size_t k = j, n = 0;
            while (k < nsp && strcmp(sp[k].key, sp[j].key) == 0 &&
                   strcmp(sp[k].surface, sp[j].surface) == 0) {
                heads += sp[k].heads;
                n += sp[k++].count;
            }
            if (n > best_n) {
                best = j;
                best_n = n;
            }
            total += n;
            j = k;
        }
        subphrase keep = sp[best];
        keep.count = total;
        keep.heads = heads;
        for (size_t k = i; k < j; k++)
            if (k != best) {
                free(sp[k].key);
                free(sp[k].surface);
            }
        sp[m++] = keep;
        i = j;
    }
    nsp = m;
    if (case_stats_build(t, x, &cs, err) != RB_OK || word_stats_build(t, x, &ws, err) != RB_OK) {
        rc = RB_ERR;
        goto done;
    }
    compound_counts(t, x, &cs, sp, nsp);
    {
        char p[16];
        rb_transcript_primary_lang(t->language, p, sizeof p);
        /* The head of a noun phrase is its last word in English and
         * German ("bike lane"), its first in French and Spanish ("mole
         * negro", "ruban de masquage"). */
        int english = !p[0] || strcmp(p, "en") == 0;
        int head_first = strcmp(p, "fr") == 0 || strcmp(p, "es") == 0;
        /* How common the head is in the language: the stem frequency of a
         * general-language corpus when one is installed (all four
         * languages, see specificity_weight); without it, English falls
         * back on the thesaurus's meaning count. The thesaurus serves
         * English only: there a word's stem or spoken form is nearly always
         * its headword ("lights" -> "light"). German and Spanish words are
         * inflected and their Snowball stems are not dictionary forms, so
         * plurals and verb forms ("veraneantes", "Vögel") would escape the
         * count while base forms ("mercado") are weighed down; the corpus
         * is stemmed like the transcript, so inflections meet there. */
        const rb_background *bg = rb_background_get(english ? "en" : p);
        const rb_thesaurus *th = english && !bg ? rb_thesaurus_get("en") : NULL;
        meanings = th ? malloc((x->ids.nvocab + 1) * sizeof *meanings) : NULL;
        if (!meanings)
            th = NULL; /* no memory for the cache: weigh every word 1 */
        for (size_t v = 0; meanings && v <= x->ids.nvocab; v++)
            meanings[v] = -1;
        for (size_t i = 0; i < nsp; i++) {
            int hf = head_first || sp[i].prep;
            int32_t head = key_word_id(x, sp[i].key, hf ? 0 : (size_t)-1);
            double nr = noun_ratio(&cs, &ws, head);
            sp[i].noun_head = nr > 0.5;
            /* A capitalised word said to someone at least twice ("Thanks,
             * Sam.", "Mayor, ...") names a person in the room, not the
             * topic: phrases holding it are dropped. */
            for (size_t k = 0; k < sp[i].words; k++) {
                int32_t id = key_word_id(x, sp[i].key, k);
                if (id >= 0 && ws.voc[id] >= 2 && cs.cap[id] > cs.lower[id])
                    sp[i].drop = 1;
            }
            /* English suffix rule: a phrase ending in a past form ("merchants
             * lived", "Harbor Avenue protected") is a clause cut short, not a
             * noun phrase ("-eed" words such as "speed" are not past forms). */
            if (english && ends_past(sp[i].surface))
                sp[i].drop = sp[i].fragment = 1;
            /* A phrase of several words that never holds the head of the
             * RAKE phrase it is cut from is a modifier chunk, not a noun
             * phrase ("Avenue protected bike", always followed by "lane"):
             * C-value's rule that a nested candidate must also occur on its
             * own (Frantzi et al. 2000), with the head standing for "on its
             * own". Single words stay: they are counted in every position.
             * Only where the head's side is known (last word in en and de,
             * first in fr and es). */
            if (ws.rules && sp[i].words > 1 && sp[i].heads == 0)
                sp[i].drop = 1;
            if (head_first && has_finite_verb(sp[i].surface, ws.french))
                sp[i].drop = sp[i].fragment = 1;
            /* The modifier of an English compound noun is singular ("bike
             * lane", "credit card"): a plural common noun followed by more
             * words is a subject and its verb ("students watch"). */
            if (english && sp[i].words > 1 && !sp[i].prep &&
                plural_modifier(x, &cs, sp[i].key, sp[i].surface))
                sp[i].drop = sp[i].fragment = 1;
            /* English: how general the head word is (1 elsewhere). Not
             * looked up for a phrase that is dropped anyway (its score is
             * never used), which saves most lookups on long transcripts. */
            double gw = 1.0;
            if (!sp[i].drop && (once || !(sp[i].words > 1 && sp[i].count < 2))) {
                size_t hl = 0;
                const char *hw = nth_word(sp[i].surface, hf ? 0 : (size_t)-1, &hl);
                gw = bg ? specificity_weight(bg, x, head)
                        : generality_weight(th, x, meanings, head, hw, hl);
                /* A term with a preposition names what its complement
                 * picks out ("casa de empeños" is a pawnshop, not a house;
                 * "Bay of Fundy"): it is no more frequent in the language
                 * than its rarest content word, so it is as specific as
                 * that word. Only for these terms, whose complement is a
                 * noun by its position; beside the head of a RAKE run can
                 * stand a verb ("furnace dies"). */
                if (bg && sp[i].prep) {
                    double wc = specificity_weight(bg, x, key_word_id(x, sp[i].key, 2));
                    if (wc > gw)
                        gw = wc;
                }
            }
            sp[i].score =
                (double)sp[i].count * length_weight(sp[i].words - (size_t)sp[i].prep) * nr * gw;
        }
    }
    if (nsp)
        qsort(sp, nsp, sizeof *sp, cmp_sub_score);
    /* Containment is checked among the kept ones only, over a bounded
     * prefix (`limit`), so an hour of speech stays cheap. */
    size_t *kept = calloc(limit + 1, sizeof *kept);
    size_t nkept = 0;
    if (!kept) {
        rc = OOM(err);
        goto done;
    }
    for (size_t i = 0; i < nsp && nkept < limit && rc == RB_OK; i++) {
        /* A phrase of several words said once is usually an accident of
         * wording ("beehive holds one"); its words still count alone. */
        /* With `once`, a phrase said once is kept when its head is a noun
         * by the evidence of the whole transcript: nothing else vouches
         * for it ("camera records", "team spent" are subject and verb). */
        if (sp[i].drop || junk_phrase(sp[i].surface) ||
            (sp[i].words > 1 && sp[i].count < 2 && !(once && sp[i].noun_head)) ||
            dominated(sp, nsp, i))
            continue;
        int redundant = 0;
        for (size_t j = 0; j < nkept && !redundant; j++)
            /* German writes the compound as one word: its head after it
             * is as redundant ("Vogel" after "Jungvögel"). */
            redundant = words_subset(sp[i].key, sp[kept[j]].key) ||
                        (ws.german && compound_of(sp[kept[j]].key, sp[i].key));
        if (redundant)
            continue;
        kept[nkept++] = i;
        /* French writes an elided article into the word ("l'eau"); the
         * tag is the noun without it. */
        const char *surf = sp[i].surface;
        if (ws.french && (strncmp(surf, "l'", 2) == 0 || strncmp(surf, "d'", 2) == 0) && surf[2])
            surf += 2;
        rb_summarize_phrase *ph = &out[nkept - 1];
        memset(ph, 0, sizeof *ph);
        ph->surface = cased_surface(x, &cs, sp[i].key, surf, ws.german, sp[i].prep);
        ph->key = strdup(sp[i].key);
        ph->words = count_words(surf);
        ph->score = sp[i].score;
        *nout = nkept;
        if (!ph->surface || !ph->key)
            rc = OOM(err);
    }
    free(kept);
    /* The clause fragments, for callers that cut phrases of their own
     * (sp is sorted by score; the caller sorts the keys). */
    for (size_t i = 0; frags && rc == RB_OK && i < nsp; i++)
        if (sp[i].fragment && sp[i].words > 1 && strlist_push(frags, strdup(sp[i].key)) != RB_OK)
            rc = OOM(err);
    /* And the words said more often in verb (or predicate) position than
     * in noun position: a phrase headed by one is a clause ("many students
     * make"). Only where the language has the position rules. */
    for (size_t v = 0; frags && ws.rules && rc == RB_OK && v < x->ids.nvocab; v++)
        if (noun_ratio(&cs, &ws, (int32_t)v) < 0.5 &&
            strlist_push(frags, strdup(x->ids.stems[v])) != RB_OK)
            rc = OOM(err);
done:
    free(meanings);
    case_stats_free(&cs);
    word_stats_free(&ws);
    for (size_t i = 0; i < nsp; i++) {
        free(sp[i].key);
        free(sp[i].surface);
    }
    free(sp);
    for (size_t i = 0; keys && i < nkp; i++)
        text_key_free(&keys[i]);
    free((void *)texts);
    free(keys);
    rb_keyphrases_free(kp, nkp);
    return rc;
}

void rb_summarize_phrases_free(rb_summarize_phrase *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        free(p[i].surface);
        free(p[i].key);
        free(p[i].occ);
    }
    free(p);
}

/* The tag candidates: the surfaces of the first max(40, 4 x cap) ranked
 * noun phrases (the kept list is built greedily, so it is the prefix of any
 * longer one and the tags do not depend on who else asks for phrases). */
static int keyphrase_tags(const rb_transcript *t, const rb_transcript_doc *d, const seq_index *x,
                          size_t cap, strlist *out, rb_err *err)
{
    size_t limit = cap * 4 < 40 ? 40 : cap * 4, n = 0;
    rb_summarize_phrase *ph = calloc(limit + 1, sizeof *ph);
    if (!ph)
        return OOM(err);
    int rc = ranked_phrases(t, d, x, limit, 0, ph, &n, NULL, err);
    for (size_t i = 0; rc == RB_OK && i < n; i++) {
        if (strlist_push(out, ph[i].surface) != RB_OK)
            rc = OOM(err);
        ph[i].surface = NULL; /* owned by out now (or freed by strlist_push) */
    }
    rb_summarize_phrases_free(ph, n);
    return rc;
}

/* Every position of each content stem id, so finding a phrase visits only
 * the uses of its first word: head[id] is the first token position (global,
 * in x->ids order), next[pos] the following one with the same id, unit[pos]
 * the sentence holding it; SIZE_MAX ends a chain. */
typedef struct pos_index {
    size_t *head, *next, *unit;
} pos_index;

static void pos_index_free(pos_index *p)
{
    free(p->head);
    free(p->next);
    free(p->unit);
}

static int pos_index_build(const seq_index *x, pos_index *p, rb_err *err)
{
    size_t nv = x->ids.nvocab, nt = x->ids.ntokens;
    p->head = malloc((nv + 1) * sizeof *p->head);
    p->next = malloc((nt + 1) * sizeof *p->next);
    p->unit = malloc((nt + 1) * sizeof *p->unit);
    if (!p->head || !p->next || !p->unit) {
        pos_index_free(p);
        return OOM(err);
    }
    for (size_t v = 0; v <= nv; v++)
        p->head[v] = SIZE_MAX;
    /* Backwards, so every chain runs in transcript order. */
    for (size_t u = x->nunits; u-- > 0;)
        for (size_t i = x->ids.unit_off[u + 1]; i-- > x->ids.unit_off[u];) {
            p->unit[i] = u;
            p->next[i] = SIZE_MAX;
            int32_t id = x->ids.ids[i];
            if (id < 0)
                continue;
            p->next[i] = p->head[id];
            p->head[id] = i;
        }
    return RB_OK;
}

/* Where a phrase's stems occur as consecutive words of one sentence (no
 * punctuation inside): the same words RAKE cut it from. A stem the content
 * index does not know (the preposition of "ruban de masquage") matches any
 * stop word in its place. */
static int phrase_occurrences(const seq_index *x, const pos_index *pi,
                              const rb_transcript_doc *dv, rb_summarize_phrase *p, rb_err *err)
{
    int32_t want[16];
    size_t nw = 0;
    const char *k = p->key;
    while (*k && nw < 16) {
        size_t l = strcspn(k, " ");
        char st[256];
        if (l >= sizeof st)
            return RB_OK;
        memcpy(st, k, l);
        st[l] = '\0';
        want[nw++] = rb_text_ids_lookup(&x->ids, st);
        k += l;
        while (*k == ' ')
            k++;
    }
    if (nw == 0 || *k || want[0] < 0)
        return RB_OK;
    size_t cap = 0;
    for (size_t g = pi->head[want[0]]; g != SIZE_MAX; g = pi->next[g]) {
        size_t u = pi->unit[g], j = g - x->ids.unit_off[u];
        const rb_text_unit *un = &dv->doc.units[u];
        const int32_t *ids = x->ids.ids + x->ids.unit_off[u];
        if (j + nw > un->ntokens)
            continue;
        size_t m = 1;
        while (m < nw && !un->tokens[j + m].brk &&
               (want[m] >= 0 ? ids[j + m] == want[m] : ids[j + m] < 0))
            m++;
        if (m < nw)
            continue;
        if (p->nocc == cap) {
            size_t nc = cap ? cap * 2 : 8;
            rb_summarize_occ *o = realloc(p->occ, nc * sizeof *o);
            if (!o)
                return OOM(err);
            p->occ = o;
            cap = nc;
        }
        p->occ[p->nocc++] = (rb_summarize_occ){.sentence = u, .token = j, .len = nw};
    }
    return RB_OK;
}

int rb_summarize_phrases(const rb_transcript *t, const rb_transcript_doc *d, size_t max,
                         unsigned flags, rb_summarize_phrase **out, size_t *nout, rb_err *err)
{
    *out = NULL;
    *nout = 0;
    if (max == 0)
        return RB_OK;
    seq_index x;
    if (seq_index_build(t, d, &x, err) != RB_OK)
        return RB_ERR;
    const rb_transcript_doc *dv = d ? d : &x.d;
    size_t n = 0;
    rb_summarize_phrase *ph = calloc(max + 1, sizeof *ph);
    int once = (flags & RB_SUMMARIZE_PHRASES_ONCE) != 0;
    strlist frags = {0};
    int rc = ph ? ranked_phrases(t, dv, &x, max, once, ph, &n,
                                 (flags & RB_SUMMARIZE_PHRASES_FRAGMENTS) ? &frags : NULL, err)
                : OOM(err);
    pos_index pi = {0};
    if (rc == RB_OK)
        rc = pos_index_build(&x, &pi, err);
    for (size_t i = 0; rc == RB_OK && i < n; i++)
        rc = phrase_occurrences(&x, &pi, dv, &ph[i], err);
    pos_index_free(&pi);
    seq_index_free(&x);
    if (rc == RB_OK && frags.n) {
        /* Appended after the ranked phrases, sorted by key for bsearch. */
        qsort(frags.v, frags.n, sizeof *frags.v, cmp_str);
        rb_summarize_phrase *g = realloc(ph, (n + frags.n + 1) * sizeof *g);
        if (!g) {
            rc = OOM(err);
        } else {
            ph = g;
            size_t m = n;
            for (size_t i = 0; i < frags.n; i++) {
                if (m > n && strcmp(ph[m - 1].key, frags.v[i]) == 0)
                    continue;
                memset(&ph[m], 0, sizeof ph[m]);
                ph[m].key = frags.v[i];
                frags.v[i] = NULL;
                ph[m].surface = strdup(ph[m].key);
                ph[m].words = count_words(ph[m].key);
                ph[m].fragment = 1;
                m++;
                if (!ph[m - 1].surface) {
                    rc = OOM(err);
                    break;
                }
            }
            n = m;
        }
    }
    strlist_free(&frags);
    if (rc != RB_OK) {
        rb_summarize_phrases_free(ph, n);
        return RB_ERR;
    }
    *out = ph;
    *nout = n;
    return RB_OK;
}

/* ---- title ------------------------------------------------------------ */

/* The conjunction joining the last two phrases; NULL = ", " throughout. */
static const char *and_word(const char *lang)
{
    char p[16];
    rb_transcript_primary_lang(lang, p, sizeof p);
    if (!p[0] || strcmp(p, "en") == 0)
        return "and";
    if (strcmp(p, "fr") == 0)
        return "et";
    if (strcmp(p, "de") == 0)
        return "und";
    if (strcmp(p, "es") == 0)
        return "y";
    return NULL;
}

/* Appends a phrase: brand terms as the user wrote them; in English every
 * word capitalised (title case), elsewhere only the title's first letter. */
static int put_phrase(rb_buf *b, const char *s, int english, int first, int brand)
{
    if (brand)
        return rb_buf_puts(b, s);
    const char *p = s;
    int word_start = 1;
    while (*p) {
        size_t len = strcspn(p, " ");
        if (len) {
            /* Title case leaves a preposition inside a phrase in lower
             * case ("Bay of Fundy"); "of" is the only one a tag holds. */
            int inner_of = !word_start && len == 2 && memcmp(p, "of", 2) == 0;
            int cap = (english && !inner_of) || (first && word_start);
            if (cap ? put_capitalized(b, p, len) : rb_buf_append(b, p, len))
                return RB_ERR;
            word_start = 0;
        }
        p += len;
        if (*p) {
            if (rb_buf_putc(b, ' ') != RB_OK)
                return RB_ERR;
            p++;
        }
    }
    return RB_OK;
}

/* 1 when the two keys share a stem. */
static int keys_overlap(const text_key *a, const text_key *b)
{
    for (size_t i = 0; i < a->nstems; i++)
        for (size_t j = 0; j < b->nstems; j++)
            if (strcmp(a->stems[i], b->stems[j]) == 0)
                return 1;
    return 0;
}

/* The title: up to three of the best phrases that fit the word cap, joined
 * by the tone's template. Brand terms come first (they lead the prepared
 * list); then multi-word phrases among the first TITLE_POOL are preferred,
 * and a phrase sharing a stem with one already picked is skipped, so the
 * title names three different things ("Sourdough Starter, Bulk
 * Fermentation and Dutch Oven", not "Sourdough, Sourdough Starter and
 * Sourdough Loaf"). */
#define TITLE_POOL 10

static int build_title(const rb_transcript *t, const rb_summarize_opts *o, const strlist *phrases,
                       const text_key *keys, const ranked *best, char **out, rb_err *err)
{
    size_t cap = o->title_length ? o->title_length : RB_SUMMARIZE_DEFAULT_TITLE_WORDS;
    char p[16];
    rb_transcript_primary_lang(t->language, p, sizeof p);
    int english = !p[0] || strcmp(p, "en") == 0;
    const char *conj = and_word(t->language);
    size_t pick[3], npick = 0, words = 0;
    size_t pool = phrases->n < TITLE_POOL ? phrases->n : TITLE_POOL;
    for (int pass = 0; pass < 3 && npick < 3; pass++) {
        for (size_t i = 0; i < pool && npick < 3; i++) {
            int brand = is_brand(o, phrases->v[i]);
            size_t w = count_words(phrases->v[i]);
            /* pass 0: brand terms; pass 1: multi-word phrases; pass 2: any. */
            if ((pass == 0 && !brand) || (pass == 1 && (brand || w < 2)) ||
                (pass == 2 && (brand || w >= 2)))
                continue;
            int clash = 0;
            for (size_t j = 0; j < npick && !clash; j++)
                clash = keys_overlap(&keys[i], &keys[pick[j]]);
            /* The conjunction is one more word: it joins the second phrase
             * ("X and Y"; "X: Y" in the professional form, whose "and" comes
             * with the third). */
            size_t extra = !conj ? 0
                           : o->tone == RB_SUMMARIZE_PROFESSIONAL ? (npick == 2)
                                                                  : (npick == 1);
            if (clash || w == 0 || words + w + extra > cap)
                continue;
            pick[npick++] = i;
            words += w + extra;
        }
    }
    rb_buf b;
    rb_buf_init(&b, TEXT_MAX);
    int rc = RB_OK;
    if (npick == 0 && phrases->n > 0) {
        /* The best phrase alone is longer than the cap: its first words. */
        rc = put_phrase(&b, phrases->v[0], english, 1, is_brand(o, phrases->v[0]));
        if (rc == RB_OK && b.len) {
            char *s = rb_buf_steal(&b);
            cut_words(s, cap);
            *out = s;
            return RB_OK;
        }
    } else if (npick == 0) {
        /* No key phrase at all (a very short transcript): the best sentence,
         * without its final punctuation, cut to the cap. */
        const char *s = best ? t->sentences[best->unit].text : t->sentences[0].text;
        char *c = trim_dup(s);
        if (!c)
            return OOM(err);
        cut_words(c, cap);
        /* Final punctuation off: ASCII . ! ? and the ellipsis character
         * (compared as a whole UTF-8 sequence, never byte by byte). */
        size_t len = strlen(c);
        for (;;) {
            if (len > 0 && strchr(".!?", c[len - 1]) && c[len - 1])
                c[--len] = '\0';
            else if (len >= 3 && memcmp(c + len - 3, "\xe2\x80\xa6", 3) == 0)
                c[len -= 3] = '\0';
            else
                break;
        }
        if (!*c) {
            /* Only symbols: fall back to the sentence as it was written. */
            free(c);
            c = trim_dup(s);
        }
        if (c && *c && o->tone == RB_SUMMARIZE_PLAYFUL) {
            size_t n = strlen(c);
            char *grown = realloc(c, n + 2);
            if (grown) {
                grown[n] = '!';
                grown[n + 1] = '\0';
                c = grown;
            }
        }
        *out = c;
        return *out ? RB_OK : OOM(err);
    }
    for (size_t i = 0; i < npick && rc == RB_OK; i++) {
        const char *ph = phrases->v[pick[i]];
        if (i > 0) {
            const char *sep;
            if (o->tone == RB_SUMMARIZE_PROFESSIONAL && i == 1)
                sep = ": ";
            else if (i == npick - 1 && conj)
                sep = NULL;
            else
                sep = ", ";
            if (sep)
                rc = rb_buf_puts(&b, sep);
            else
                rc = rb_buf_appendf(&b, " %s ", conj);
        }
        if (rc == RB_OK)
            rc = put_phrase(&b, ph, english, i == 0, is_brand(o, ph));
    }
    if (rc == RB_OK && o->tone == RB_SUMMARIZE_PLAYFUL)
        rc = rb_buf_putc(&b, '!');
    if (rc != RB_OK) {
        rb_buf_free(&b);
        return OOM(err);
    }
    *out = rb_buf_steal(&b);
    return *out ? RB_OK : OOM(err);
}

/* ---- the engine ------------------------------------------------------- */

void rb_summarize_result_free(rb_summarize_result *r)
{
    if (!r)
        return;
    free(r->title);
    free(r->description);
    rb_summarize_tags_free(r->tags, r->ntags);
    memset(r, 0, sizeof *r);
}

int rb_builtin_summarize(const rb_transcript *t, const rb_transcript_doc *d,
                         const rb_summarize_opts *opts, rb_summarize_result *out, rb_err *err)
{
    memset(out, 0, sizeof *out);
    rb_summarize_opts o = *opts;
    size_t n = t->nsentences;
    double *score = calloc(n + 1, sizeof *score);
    ranked best = {0, 0};
    strlist cands = {0}, prepared = {0};
    text_key *pkeys = NULL;
    seq_index x;
    int has_x = 0;
    int rc = RB_ERR;
    if (!score) {
        OOM(err);
        goto done;
    }
    if (rank_sentences(d, score, err) != RB_OK)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || score[i] > best.score) {
            best.unit = i;
            best.score = score[i];
        }
    /* One interned view of the sentences serves the near-duplicate test of
     * the description and the phrase matching of the tags. */
    if (seq_index_build(t, d, &x, err) != RB_OK)
        goto done;
    has_x = 1;
    if (build_description(t, &x.ids, &o, score, &out->description, err) != RB_OK)
        goto done;
    if (keyphrase_tags(t, d, &x, tag_cap(&o), &cands, err) != RB_OK)
        goto done;
    /* The title reads the prepared candidates (brand terms first, no
     * duplicates) before the taxonomy narrows them to labels. */
    if (tags_prepare(t, &x, (const char *const *)cands.v, cands.n, &o, &prepared, &pkeys, err) !=
        RB_OK)
        goto done;
    if (build_title(t, &o, &prepared, pkeys, &best, &out->title, err) != RB_OK)
        goto done;
    if (tags_finish_idx(t, &x, (const char *const *)cands.v, cands.n, &o, &out->tags,
                        &out->ntags, err) != RB_OK)
        goto done;
    rc = RB_OK;
done:
    keys_free(pkeys, prepared.n);
    strlist_free(&prepared);
    strlist_free(&cands);
    if (has_x)
        seq_index_free(&x);
    free(score);
    if (rc != RB_OK)
        rb_summarize_result_free(out);
    return rc;
}
