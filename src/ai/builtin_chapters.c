/* builtin_chapters.c — TextTiling, likelihood placement and key-phrase titles. */
#include "ai/builtin_chapters.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ai/builtin_summarize.h"
#include "ai/keyphrase.h"
#include "ai/texttiling.h"

/* ---- tuning -------------------------------------------------------------
 * Tuned on the evaluation set (tests/eval/, chapter-boundary F1 within
 * +-20 s); docs/builtin-chapters.md has the numbers. None of them names a
 * transcript: they are rates, weights and ratios.
 *
 * Chapter period per granularity (coarse, balanced, fine): the duration
 * divided by it is the count target, and half of it (within
 * [hard minimum, MAX_SPACING_MS]) is the shortest chapter the builtin
 * engine makes. */
static const int64_t PERIOD_MS[3] = {300000, 120000, 60000};
/* Hearst's depth cutoffs, mean - C * sd, for TextTiling's own count. */
static const double CUTOFF_C[3] = {0.0, 0.5, 1.0};
/* The chapter count is searched in [0.8 * lo, 1.2 * hi] where lo/hi are the
 * smaller/larger of TextTiling's count and the duration target. */
#define K_LOW 0.8
#define K_HIGH 1.2
/* Penalty per chapter, in units of ln(content tokens): a two-part code
 * length for each boundary, as in Utiyama & Isahara's prior. */
#define K_PENALTY 3.0
/* Weight of one unit of boundary evidence, in nats of segment likelihood. */
#define EVIDENCE_NATS 10.0
/* Boundary evidence: TextTiling depth (relative to the deepest gap with
 * whole blocks), rb_texttiling's vote, a discourse marker opening the
 * sentence, a change of speaker. The last two are the most a cue can weigh:
 * each is scaled down by its rarity in the transcript (see segment), so a
 * speaker change in a nine-person meeting, where the floor changes every
 * few sentences, weighs almost nothing. Pauses were measured and left out:
 * they did not help. */
#define W_DEPTH 0.3
#define W_VOTE 0.3
#define W_MARKER 1.0
#define W_SPEAKER 0.5
/* The builtin engine's own spacing is half a period, at most this (and at
 * least the hard minimum): a wider one would force a coarse boundary into
 * the middle of a topic rather than onto the nearest real change. */
#define MAX_SPACING_MS 60000
/* Longest chapter the segmenter considers, in periods: bounds the DP. */
#define MAX_SEG_PERIODS 4

int rb_chapter_style_parse(const char *s)
{
    static const char *names[] = {"descriptive", "punchy", "educational", "seo",
                                  "platform_neutral"};
    for (int i = 0; s && i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return RB_CHAPTER_DESCRIPTIVE;
}

int rb_chapter_granularity_parse(const char *s)
{
    static const char *names[] = {"coarse", "balanced", "fine"};
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return RB_CHAPTER_BALANCED;
}

/* ---- chapter list ------------------------------------------------------- */

int rb_chapters_add(rb_chapter_list *l, int64_t start_ms, const char *title, size_t len,
                    rb_err *err)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        rb_chapter *p = realloc(l->items, nc * sizeof *p);
        if (!p)
            return rb_err_set(err, 500, "internal_error", "out of memory");
        l->items = p;
        l->cap = nc;
    }
    char *s = malloc(len + 1);
    if (!s)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    memcpy(s, title, len);
    s[len] = '\0';
    l->items[l->n].start_ms = start_ms;
    l->items[l->n].title = s;
    l->n++;
    return RB_OK;
}

void rb_chapters_free(rb_chapter_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].title);
    free(l->items);
    memset(l, 0, sizeof *l);
}

int64_t rb_chapters_duration_ms(const rb_transcript *t, int64_t asset_duration_ms)
{
    int64_t d = asset_duration_ms > 0 ? asset_duration_ms : (t ? t->end_ms : 0);
    return d > 0 ? d : 1;
}

int64_t rb_chapters_min_spacing_ms(int64_t duration_ms)
{
    int64_t p = duration_ms / 50; /* 2 % */
    return p > 30000 ? p : 30000;
}

/* Collapses white space runs (ASCII and the Unicode Z categories) into one
 * space, trims both ends and cuts to RB_CHAPTER_TITLE_MAX bytes on a
 * character boundary. Works in place. Invalid UTF-8 bytes are dropped. */
static void title_clean(char *s)
{
    size_t n = strlen(s), o = 0;
    int pending_space = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) {
            i++;
            continue;
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        int space = cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
                    cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
                    cat == UTF8PROC_CATEGORY_ZP || cat == UTF8PROC_CATEGORY_CC;
        if (space) {
            pending_space = o > 0;
            i += (size_t)k;
            continue;
        }
        size_t need = (size_t)k + (size_t)pending_space;
        if (o + need > RB_CHAPTER_TITLE_MAX)
            break;
        if (pending_space)
            s[o++] = ' ';
        pending_space = 0;
        memmove(s + o, s + i, (size_t)k);
        o += (size_t)k;
        i += (size_t)k;
    }
    s[o] = '\0';
}

/* Case-insensitive equality of two titles (NFKC + case fold). */
static int title_equal(const char *a, const char *b)
{
    utf8proc_uint8_t *fa = utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)a);
    utf8proc_uint8_t *fb = utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)b);
    int eq = fa && fb ? strcmp((const char *)fa, (const char *)fb) == 0 : strcmp(a, b) == 0;
    free(fa);
    free(fb);
    return eq;
}

static int chapter_cmp(const void *a, const void *b)
{
    const rb_chapter *x = a, *y = b;
    return (x->start_ms > y->start_ms) - (x->start_ms < y->start_ms);
}

int rb_chapters_repair(rb_chapter_list *l, int64_t duration_ms, rb_err *err)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        rb_chapter c = l->items[i];
        title_clean(c.title);
        if (!c.title[0] || c.start_ms < 0 || c.start_ms >= duration_ms) {
            free(c.title);
            continue;
        }
        l->items[k++] = c;
    }
    l->n = k;
    if (l->n == 0)
        return rb_err_set(err, 500, "processing_error",
                          "no valid chapter: every start was outside the video or every "
                          "title was empty");
    /* qsort is not stable: sort (start, original index) pairs by hand
     * instead, with an insertion sort (chapter lists are short). */
    for (size_t i = 1; i < l->n; i++) {
        rb_chapter c = l->items[i];
        size_t j = i;
        while (j > 0 && chapter_cmp(&l->items[j - 1], &c) > 0) {
            l->items[j] = l->items[j - 1];
            j--;
        }
        l->items[j] = c;
    }
    l->items[0].start_ms = 0;
    int64_t gap = rb_chapters_min_spacing_ms(duration_ms);
    k = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (l->items[i].start_ms - l->items[k - 1].start_ms < gap) {
            free(l->items[i].title);
            continue;
        }
        l->items[k++] = l->items[i];
    }
    l->n = k;
    /* Distinct titles: a repeat gets the smallest free " (n)" suffix. */
    for (size_t i = 1; i < l->n; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = title_equal(l->items[i].title, l->items[j].title);
        for (int n = 2; dup; n++) {
            char buf[RB_CHAPTER_TITLE_MAX + 16];
            size_t base = strlen(l->items[i].title);
            char suf[16];
            int sl = snprintf(suf, sizeof suf, " (%d)", n);
            if (base + (size_t)sl > RB_CHAPTER_TITLE_MAX) {
                base = RB_CHAPTER_TITLE_MAX - (size_t)sl;
                while (base > 0 && ((unsigned char)l->items[i].title[base] & 0xC0) == 0x80)
                    base--;
            }
            snprintf(buf, sizeof buf, "%.*s%s", (int)base, l->items[i].title, suf);
            dup = 0;
            for (size_t j = 0; j < i && !dup; j++)
                dup = title_equal(buf, l->items[j].title);
            if (!dup) {
                char *s = strdup(buf);
                if (!s)
                    return rb_err_set(err, 500, "internal_error", "out of memory");
                free(l->items[i].title);
                l->items[i].title = s;
            }
        }
    }
    return RB_OK;
}

/* ---- segmentation -------------------------------------------------------- */

/* The units the engine works on: the transcript's sentences, except that a
 * sentence longer than SPLIT_MS is cut at its cues' starts. Captions
 * without punctuation come out of the sentence breaker as a few huge
 * "sentences"; cutting them keeps every cue start a possible chapter start. */
#define SPLIT_MS 20000

typedef struct piece {
    size_t sent;       /* the sentence it belongs to */
    size_t tok0;       /* its first token's index in that sentence */
    size_t first_cue, last_cue;
} piece;

typedef struct seg_ctx {
    const rb_transcript *t;
    const rb_text_doc *doc;  /* the pieces, as units */
    const piece *pc;         /* doc->nunits entries */
    rb_text_ids ids;
    int32_t *seq;      /* content-token ids in order */
    size_t ntok;
    size_t *ustart;    /* nunits+1: index in seq of each unit's first content token */
    double *wt;        /* per stem id: its weight in the cohesion vectors */
    unsigned char *verbish; /* per stem id: 1 when it mostly follows a subject pronoun */
    int cap_nouns;     /* the language capitalises its nouns (German) */
} seg_ctx;

typedef struct piece_view {
    rb_text_doc doc;
    rb_text_unit *units;
    piece *pc;
} piece_view;

static void piece_view_free(piece_view *v)
{
    free(v->units);
    free(v->pc);
}

static size_t cue_index_at(const size_t *cue_off, size_t ncues, size_t off)
{
    size_t lo = 0, hi = ncues;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (cue_off[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Builds the pieces of the transcript (see SPLIT_MS). A token's cue is found
 * by locating each sentence in the cue texts joined as the transcript model
 * joins them (" ", or "\n" where the speaker changes). */
static int piece_view_build(const rb_transcript *t, const rb_text_doc *doc, piece_view *v,
                            rb_err *err)
{
    memset(v, 0, sizeof *v);
    size_t n = doc->nunits, cap = n, total_len = 0, need_split = 0;
    for (size_t i = 0; i < n; i++) {
        const rb_transcript_sentence *se = &t->sentences[i];
        if (se->end_ms - se->start_ms > SPLIT_MS && se->last_cue > se->first_cue) {
            need_split = 1;
            cap += se->last_cue - se->first_cue;
        }
    }
    v->units = calloc(cap ? cap : 1, sizeof *v->units);
    v->pc = calloc(cap ? cap : 1, sizeof *v->pc);
    char *all = NULL;
    size_t *cue_off = NULL;
    if (!v->units || !v->pc)
        goto oom;
    if (need_split) {
        for (size_t i = 0; i < t->ncues; i++)
            total_len += strlen(t->cues[i].text) + 1;
        all = malloc(total_len + 1);
        cue_off = malloc(t->ncues * sizeof *cue_off);
        if (!all || !cue_off)
            goto oom;
        size_t len = 0;
        for (size_t i = 0; i < t->ncues; i++) {
            if (i > 0)
                all[len++] = strcmp(t->cues[i].speaker, t->cues[i - 1].speaker) ? '\n' : ' ';
            cue_off[i] = len;
            size_t l = strlen(t->cues[i].text);
            memcpy(all + len, t->cues[i].text, l);
            len += l;
        }
        all[len] = '\0';
        total_len = len;
    }
    size_t m = 0, cursor = 0;
    for (size_t i = 0; i < n; i++) {
        const rb_transcript_sentence *se = &t->sentences[i];
        const rb_text_unit *su = &doc->units[i];
        size_t pos = 0;
        int split = 0;
        if (need_split && se->end_ms - se->start_ms > SPLIT_MS && se->last_cue > se->first_cue) {
            size_t from = cursor > cue_off[se->first_cue] ? cursor : cue_off[se->first_cue];
            size_t sl = strlen(se->text);
            const char *hit = from <= total_len ? memmem(all + from, total_len - from, se->text, sl)
                                                : NULL;
            if (hit) {
                pos = (size_t)(hit - all);
                cursor = pos + sl;
                split = 1;
            }
        } else if (need_split) {
            cursor = cue_off[se->first_cue] > cursor ? cue_off[se->first_cue] : cursor;
        }
        size_t j = 0;
        do {
            /* One piece: the sentence's tokens from j that share one cue (the
             * whole sentence when it is not split). */
            size_t cue = split && j < se->ntokens
                             ? cue_index_at(cue_off, t->ncues, pos + se->tokens[j].offset)
                             : se->first_cue;
            size_t k = j + 1;
            if (split)
                while (k < se->ntokens &&
                       cue_index_at(cue_off, t->ncues, pos + se->tokens[k].offset) == cue)
                    k++;
            else
                k = se->ntokens > j ? se->ntokens : j;
            rb_text_unit *u = &v->units[m];
            u->text = se->text;
            u->start_ms = split && j > 0 ? t->cues[cue].start_ms : se->start_ms;
            u->end_ms = split && k < se->ntokens ? t->cues[cue].end_ms : se->end_ms;
            u->tokens = su->tokens + j;
            u->ntokens = (k < se->ntokens ? k : se->ntokens) - j;
            v->pc[m].sent = i;
            v->pc[m].tok0 = j;
            v->pc[m].first_cue = split && j > 0 ? cue : se->first_cue;
            v->pc[m].last_cue = split && k < se->ntokens ? cue : se->last_cue;
            m++;
            j = k;
        } while (j < se->ntokens && m < cap);
    }
    free(all);
    free(cue_off);
    v->doc.units = v->units;
    v->doc.nunits = m;
    return RB_OK;
oom:
    free(all);
    free(cue_off);
    piece_view_free(v);
    return rb_err_set(err, 500, "internal_error", "out of memory");
}

/* Cosine of the stem counts of seq[a, m) and seq[m, e). cl/cr are zeroed
 * scratch vectors of nvocab entries, left zeroed. */
static double block_cos(const int32_t *seq, size_t a, size_t m, size_t e, double *cl, double *cr,
                        const double *wt)
{
    /* Triangular kernel: a token's weight falls linearly with its distance
     * from the gap, so the curve moves smoothly as the gap slides. */
    size_t bl = m - a, br = e - m;
    for (size_t i = a; i < m; i++)
        cl[seq[i]] += wt[seq[i]] * (double)(i - a + 1) / (double)bl;
    for (size_t i = m; i < e; i++)
        cr[seq[i]] += wt[seq[i]] * (double)(e - i) / (double)br;
    double dot = 0, nl = 0, nr = 0;
    for (size_t i = a; i < e; i++) {
        int32_t v = seq[i];
        if (cl[v] == 0 && cr[v] == 0)
            continue;
        dot += cl[v] * cr[v];
        nl += cl[v] * cl[v];
        nr += cr[v] * cr[v];
        cl[v] = cr[v] = 0;
    }
    return nl > 0 && nr > 0 ? dot / sqrt(nl * nr) : 0.0;
}

static size_t clampz(size_t v, size_t lo, size_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static const char *cue_speaker(const rb_transcript *t, size_t cue)
{
    return cue < t->ncues && t->cues[cue].speaker ? t->cues[cue].speaker : "";
}

/* Sentence-opening discourse markers (cue phrases, Hirschberg & Litman
 * 1993): words speakers use to open a new topic. Case-folded first words,
 * per language; a transcript in another language gets none. */
static const char *const CUE_EN[] = {"okay", "ok", "alright", "now", "so", "next", "first",
                                     "second", "third", "finally", "lastly", "last", "anyway",
                                     "right", "well", "let's", "moving", NULL};
static const char *const CUE_FR[] = {"bon", "alors", "maintenant", "ensuite", "puis", "enfin",
                                     "premier", "première", "deuxième", "troisième", "dernier",
                                     "dernière", "passons", "donc", "voilà", "ok", "okay", NULL};
static const char *const CUE_DE[] = {"also", "jetzt", "nun", "so", "okay", "ok", "gut", "zuerst",
                                     "zunächst", "erstens", "zweitens", "drittens", "dann",
                                     "danach", "schließlich", "abschließend", "zuletzt", "zum",
                                     "kommen", "letzte", "letztens", NULL};
/* German is verb-second: an adverb that opens a sentence and is followed
 * straight by the verb belongs to the clause ("So spart er Kraft" = "that
 * way it saves strength"), while a discourse marker stands outside it and
 * is set off by a comma or stands alone ("Also, ..."; "Gut."). These
 * particles count in German only when set off. */
static const char *const CUE_DE_DETACHED[] = {"also", "jetzt", "nun", "so", "gut", "dann", NULL};
static const char *const CUE_ES[] = {"bueno", "vale", "ahora", "entonces", "primero", "primer",
                                     "primera", "segundo", "segunda", "tercer", "tercero",
                                     "tercera", "luego", "después", "finalmente", "pasemos",
                                     "último", "última", "okay", NULL};

/* 1 when token k of s is set off from what follows: punctuation comes
 * next, or nothing does. */
static int cue_detached(const rb_transcript_sentence *s, size_t k)
{
    const char *p = s->text + s->tokens[k].offset + s->tokens[k].len;
    while (*p == ' ')
        p++;
    if (*p == '\0')
        return 1;
    utf8proc_int32_t cp;
    if (utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp) <= 0 || cp == '\'' ||
        cp == 0x2019)
        return 0;
    /* Commas, stops, colons, dashes, ellipses: not an opening bracket or
     * quote, which would begin the next phrase rather than end this one. */
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_PO:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PF:
        return 1;
    default:
        return 0;
    }
}

/* The marker the unit starting at token tok0 of sentence s opens with, as
 * its index in list plus one; 0 when it opens with none. */
static int cue_marker(const char *const *list, const rb_transcript_sentence *s, size_t tok0)
{
    if (!list || tok0 >= s->ntokens)
        return 0;
    const char *w = s->tokens[tok0].norm;
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(w, list[i]) != 0)
            continue;
        if (list == CUE_DE)
            for (size_t j = 0; CUE_DE_DETACHED[j]; j++)
                if (strcmp(w, CUE_DE_DETACHED[j]) == 0 && !cue_detached(s, tok0))
                    return 0;
        return (int)i + 1;
    }
    return 0;
}

static const char *const *cue_list(const char *language)
{
    char p[16];
    rb_transcript_primary_lang(language, p, sizeof p);
    if (!p[0] || strcmp(p, "en") == 0)
        return CUE_EN;
    if (strcmp(p, "fr") == 0)
        return CUE_FR;
    if (strcmp(p, "de") == 0)
        return CUE_DE;
    if (strcmp(p, "es") == 0)
        return CUE_ES;
    return NULL;
}

/* TextTiling at sentence resolution: for every sentence start u (1..n-1),
 * the cohesion of the B content tokens before and after it (idf-weighted
 * stem vectors, triangular kernel), smoothed over three gaps, turned into
 * Hearst's depth score. depth[u] is the depth of the gap before sentence u
 * (depth[0] = 0). */
static int tiling_depths(const seg_ctx *c, size_t B, double *depth, rb_err *err)
{
    size_t n = c->doc->nunits, ngap = n - 1;
    double *raw = calloc(ngap, sizeof *raw), *sm = calloc(ngap, sizeof *sm);
    double *cl = calloc(c->ids.nvocab + 1, sizeof *cl), *cr = calloc(c->ids.nvocab + 1, sizeof *cr);
    int rc = RB_OK;
    if (!raw || !sm || !cl || !cr) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    for (size_t g = 0; g < ngap; g++) {
        size_t m = c->ustart[g + 1];
        size_t a = m > B ? m - B : 0, e = m + B < c->ntok ? m + B : c->ntok;
        raw[g] = block_cos(c->seq, a, m, e, cl, cr, c->wt);
    }
    for (size_t g = 0; g < ngap; g++) {
        double s = raw[g];
        int k = 1;
        if (g > 0)
            s += raw[g - 1], k++;
        if (g + 1 < ngap)
            s += raw[g + 1], k++;
        sm[g] = s / k;
    }
    depth[0] = 0;
    for (size_t g = 0; g < ngap; g++) {
        /* Climb to the nearest peak on each side, as Hearst does. */
        double lp = sm[g], rp = sm[g];
        for (size_t i = g; i-- > 0 && sm[i] >= lp;)
            lp = sm[i];
        for (size_t i = g + 1; i < ngap && sm[i] >= rp; i++)
            rp = sm[i];
        depth[g + 1] = (lp - sm[g]) + (rp - sm[g]);
    }
out:
    free(raw);
    free(sm);
    free(cl);
    free(cr);
    return rc;
}

/* TextTiling's own chapter count: local minima of the depth curve deeper
 * than Hearst's cutoff, taken deepest first at least `spacing` apart and
 * from both ends. Returns the number of chapters (boundaries + 1). */
static size_t tiling_count(const seg_ctx *c, const double *depth, int gran, int64_t spacing,
                           int64_t dur, size_t *pick)
{
    const rb_text_doc *doc = c->doc;
    size_t n = doc->nunits, nc = 0, np = 0;
    size_t *cand = malloc(n * sizeof *cand);
    if (!cand)
        return 1;
    double sum = 0, sum2 = 0;
    for (size_t u = 1; u < n; u++) {
        int minimum = depth[u] > 0 && depth[u] >= depth[u - 1] && (u + 1 == n || depth[u] >= depth[u + 1]);
        if (!minimum)
            continue;
        cand[nc++] = u;
        sum += depth[u];
        sum2 += depth[u] * depth[u];
    }
    if (nc) {
        double mean = sum / (double)nc, var = sum2 / (double)nc - mean * mean;
        double cutoff = mean - CUTOFF_C[gran] * (var > 0 ? sqrt(var) : 0);
        for (;;) {
            size_t best = nc;
            for (size_t i = 0; i < nc; i++)
                if (cand[i] && depth[cand[i]] >= cutoff &&
                    (best == nc || depth[cand[i]] > depth[cand[best]]))
                    best = i;
            if (best == nc)
                break;
            size_t u = cand[best];
            cand[best] = 0;
            int64_t st = doc->units[u].start_ms;
            int ok = st >= spacing && dur - st >= spacing;
            for (size_t j = 0; j < np && ok; j++) {
                int64_t o = doc->units[pick[j]].start_ms;
                ok = (st > o ? st - o : o - st) >= spacing;
            }
            if (ok)
                pick[np++] = u;
        }
    }
    free(cand);
    return np + 1;
}

/* LL of a chapter is the log-likelihood of its content tokens under its own
 * unigram model with Laplace smoothing, sum_w c_w ln((c_w + 1) / (m + V)),
 * m its tokens and V the vocabulary (Utiyama & Isahara's segment cost).
 *
 * The segmentation maximises
 *     sum over chapters of LL  +  EVIDENCE_NATS * sum over starts of ev
 *     - K * pen
 * over sentence starts (Utiyama & Isahara 2001 with TextTiling's evidence
 * added at the boundaries); every chapter lasts at least `spacing` and at
 * most `maxlen` ms. */
#define KLOG_N 1024

typedef struct dp_ctx {
    const seg_ctx *c;
    int64_t spacing, maxlen, dur;
    int64_t talk_end;  /* min(dur, the transcript's end): a silent tail after the
                          last cue does not count against maxlen */
    const double *ev;
    size_t L;      /* band: a chapter spans at most L sentences */
    double *ll;    /* ll[i*L + len-1]: LL of units [i, i+len) */
    double *best;  /* n+1 */
    size_t *arg;   /* n+1 */
} dp_ctx;

/* One penalised DP; returns the chapter count of the optimum (0 when no
 * segmentation fits the length limits). */
static size_t dp_run(dp_ctx *d, double pen)
{
    const rb_text_doc *doc = d->c->doc;
    size_t n = doc->nunits, L = d->L;
    d->best[0] = 0;
    for (size_t j = 1; j <= n; j++) {
        int64_t end = j == n ? d->dur : doc->units[j].start_ms;
        int64_t lend = j == n ? d->talk_end : end;
        double bj = -INFINITY;
        size_t aj = 0;
        for (size_t i = j > L ? j - L : 0; i < j; i++) {
            if (d->best[i] == -INFINITY)
                continue;
            int64_t st = i == 0 ? 0 : doc->units[i].start_ms;
            if (end - st < d->spacing || lend - st > d->maxlen)
                continue;
            /* Sentences sharing one start time cannot be split apart. */
            if (i > 0 && st == doc->units[i - 1].start_ms)
                continue;
            double v = d->best[i] + d->ll[i * L + (j - i) - 1] - pen +
                       (i > 0 ? EVIDENCE_NATS * d->ev[i] : 0.0);
            if (v > bj) {
                bj = v;
                aj = i;
            }
        }
        d->best[j] = bj;
        d->arg[j] = aj;
    }
    if (d->best[n] == -INFINITY)
        return 0;
    size_t k = 0;
    for (size_t j = n; j > 0; j = d->arg[j])
        k++;
    return k;
}

/* Picks K in [kmin, kmax] chapters: the penalised DP at the base penalty
 * K_PENALTY * ln(content tokens); when its K falls outside the range, the
 * penalty is moved (bisection; K only grows as the penalty falls) to the
 * nearest one whose optimum lies inside — the Lagrangian form of "the best
 * segmentation with K in range", at O(n L) per step instead of O(K n L).
 * Writes the K-1 starts to bounds and returns K-1, or (size_t)-1 when no
 * segmentation fits. */
static size_t dp_segment(const seg_ctx *c, size_t kmin, size_t kmax, int64_t spacing,
                         int64_t maxlen, int64_t dur, const double *ev, size_t *bounds,
                         rb_err *err, int *rc)
{
    const rb_text_doc *doc = c->doc;
    size_t n = doc->nunits;
    *rc = RB_OK;
    if (kmin < 1)
        kmin = 1;
    if (kmax < kmin)
        kmax = kmin;
    size_t L = 1;
    for (size_t i = 0, j = 0; i < n; i++) {
        if (j < i)
            j = i;
        while (j < n && doc->units[j].start_ms - doc->units[i].start_ms <= maxlen)
            j++;
        if (j - i > L)
            L = j - i;
    }
    dp_ctx d = {.c = c, .spacing = spacing, .maxlen = maxlen, .dur = dur, .ev = ev, .L = L,
                .talk_end = c->t->end_ms < dur ? c->t->end_ms : dur};
    double V = (double)c->ids.nvocab;
    d.ll = malloc(n * L * sizeof *d.ll);
    d.best = malloc((n + 1) * sizeof *d.best);
    d.arg = malloc((n + 1) * sizeof *d.arg);
    double *cnt = calloc(c->ids.nvocab + 1, sizeof *cnt);
    double *klog = malloc(KLOG_N * sizeof *klog);
    size_t result = (size_t)-1;
    if (!d.ll || !d.best || !d.arg || !cnt || !klog) {
        *rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    for (size_t k = 0; k < KLOG_N; k++)
        klog[k] = (double)k * log((double)k + 1.0);
    /* LL incrementally, sum c ln(c + 1) - m ln(m + V), extending the chapter
     * one sentence at a time. */
    for (size_t i = 0; i < n; i++) {
        double sclog = 0;
        size_t len;
        for (len = 1; len <= L && i + len <= n; len++) {
            size_t j = i + len;
            for (size_t t = c->ustart[j - 1]; t < c->ustart[j]; t++) {
                double k = cnt[c->seq[t]];
                /* k ln(k + 1) from the table while k is small: this loop is
                 * most of the engine's time. */
                size_t ki = (size_t)k;
                sclog += ki + 1 < KLOG_N ? klog[ki + 1] - klog[ki]
                                         : (k + 1) * log(k + 2) - k * log(k + 1);
                cnt[c->seq[t]] = k + 1;
            }
            double m = (double)(c->ustart[j] - c->ustart[i]);
            d.ll[i * L + len - 1] = sclog - m * log(m + V);
        }
        for (size_t t = c->ustart[i]; t < c->ustart[i + len - 1]; t++)
            cnt[c->seq[t]] = 0;
    }
    double pen = K_PENALTY * log((double)c->ntok + 1.0);
    size_t k = dp_run(&d, pen);
    if (k == 0)
        goto out;
    if (k > kmax || k < kmin) {
        /* Bracket the penalty, then bisect to the boundary of the range. */
        int over = k > kmax;
        double step = pen > 1.0 ? pen : 1.0, lo, hi;
        if (over) {
            lo = pen;
            hi = pen + step;
            for (int i = 0; i < 30 && dp_run(&d, hi) > kmax; i++)
                lo = hi, hi += (step *= 2);
        } else {
            hi = pen;
            lo = pen - step;
            for (int i = 0; i < 30 && dp_run(&d, lo) < kmin; i++)
                hi = lo, lo -= (step *= 2);
        }
        for (int i = 0; i < 24; i++) {
            double mid = 0.5 * (lo + hi);
            size_t km = dp_run(&d, mid);
            if (over ? km > kmax : km >= kmin)
                lo = mid;
            else
                hi = mid;
        }
        /* over: the smallest penalty with K <= kmax; under: the largest
         * with K >= kmin (it may still fall short when the length limits
         * allow no more chapters). */
        k = dp_run(&d, over ? hi : lo);
        if (k == 0)
            goto out;
    }
    size_t j = n;
    for (size_t b = k - 1; b >= 1; b--) {
        j = d.arg[j];
        bounds[b - 1] = j;
    }
    result = k - 1;
out:
    free(d.ll);
    free(d.best);
    free(d.arg);
    free(cnt);
    free(klog);
    return result;
}

/* Picks the sentences that start chapters 2..K: *nb indices, ascending. */
static int segment(seg_ctx *c, int gran, int64_t dur, size_t *bounds, size_t *nb, rb_err *err)
{
    *nb = 0;
    const rb_text_doc *doc = c->doc;
    size_t n = doc->nunits;
    if (n < 2 || c->ntok < 8)
        return RB_OK;
    /* Block size: the content words of about one period of talk (at this
     * transcript's own rate), between 12 and 150 tokens. */
    int64_t span = c->t->end_ms - c->t->start_ms;
    double rate = (double)c->ntok / (double)(span > 0 ? span : 1);
    size_t B = clampz((size_t)(rate * (double)PERIOD_MS[gran]), 12, 150);
    int64_t minsp = rb_chapters_min_spacing_ms(dur);
    int64_t spacing = PERIOD_MS[gran] / 2 < MAX_SPACING_MS ? PERIOD_MS[gran] / 2 : MAX_SPACING_MS;
    if (spacing < minsp)
        spacing = minsp;
    /* At least three spacings, so a chapter can always be cut in two when
     * the 2 % minimum spacing of a long video exceeds the period. */
    int64_t maxlen = MAX_SEG_PERIODS * PERIOD_MS[gran];
    if (maxlen < 3 * spacing)
        maxlen = 3 * spacing;

    double *depth = calloc(n, sizeof *depth), *ev = calloc(n, sizeof *ev);
    size_t *tb = calloc(n, sizeof *tb), *pick = calloc(n, sizeof *pick);
    int rc = RB_OK;
    if (!depth || !ev || !tb || !pick) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    rc = tiling_depths(c, B, depth, err);
    if (rc)
        goto out;
    /* rb_texttiling (Hearst's pseudo-sentence form) votes for the sentences
     * its boundaries snapped to. */
    rb_tiling_opts to = {.w = clampz(B / 3, 6, 20), .k = 3,
                         .granularity = gran == RB_CHAPTER_COARSE     ? RB_TILING_COARSE
                                        : gran == RB_CHAPTER_BALANCED ? RB_TILING_BALANCED
                                                                      : RB_TILING_FINE,
                         .min_units = 2};
    size_t ntb = 0;
    rc = rb_texttiling(doc, &to, tb, n, &ntb, err);
    if (rc)
        goto out;
    /* The scale of the depth evidence: the deepest gap whose blocks are
     * whole on both sides. Near the ends a block is cut short, its
     * cosine rests on few words and its depth is noise; letting it set the
     * scale would shrink every real gap. */
    double maxd = 0, maxd_all = 0;
    for (size_t u = 1; u < n; u++) {
        maxd_all = depth[u] > maxd_all ? depth[u] : maxd_all;
        if (c->ustart[u] >= B && c->ustart[u] + B <= c->ntok)
            maxd = depth[u] > maxd ? depth[u] : maxd;
    }
    if (maxd <= 0)
        maxd = maxd_all;
    const char *const *cues = cue_list(c->t->language);
    size_t target = (size_t)llround((double)dur / (double)PERIOD_MS[gran]);
    if (target < 1)
        target = 1;
    /* Rarity: a cue that opens more sentences than there are chapter
     * starts to mark cannot mark each of them; a marker word (or a speaker
     * change) seen c times in this transcript, where about target - 1
     * boundaries are expected, weighs min(1, (target - 1) / c). */
    double bexp = target > 1 ? (double)(target - 1) : 1.0;
    size_t mcount[64] = {0}, nchange = 0;
    int *mk = calloc(n, sizeof *mk);
    char *chg = calloc(n, 1);
    if (!mk || !chg) {
        free(mk);
        free(chg);
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    for (size_t u = 1; u < n; u++) {
        const piece *cur = &c->pc[u], *prev = &c->pc[u - 1];
        mk[u] = cue_marker(cues, &c->t->sentences[cur->sent], cur->tok0);
        if (mk[u] > 0 && mk[u] < 64)
            mcount[mk[u]]++;
        chg[u] = strcmp(cue_speaker(c->t, cur->first_cue), cue_speaker(c->t, prev->last_cue)) != 0;
        nchange += (size_t)chg[u];
    }
    for (size_t u = 1; u < n; u++) {
        double e = maxd > 0 ? W_DEPTH * fmin(1.0, depth[u] / maxd) : 0;
        if (mk[u] > 0 && mk[u] < 64)
            e += W_MARKER * fmin(1.0, bexp / (double)mcount[mk[u]]);
        if (chg[u])
            e += W_SPEAKER * fmin(1.0, bexp / (double)nchange);
        ev[u] = e;
    }
    free(mk);
    free(chg);
    for (size_t i = 0; i < ntb; i++)
        ev[tb[i]] += W_VOTE;

    /* How many chapters: between TextTiling's count and the duration
     * target, widened a little; the DP's penalised likelihood decides. */
    size_t ktile = tiling_count(c, depth, gran, spacing, dur, pick);
    size_t lo = ktile < target ? ktile : target, hi = ktile > target ? ktile : target;
    size_t kmin = (size_t)floor((double)lo * K_LOW), kmax = (size_t)ceil((double)hi * K_HIGH);
    /* No more chapters than the spacing allows. */
    size_t kcap = (size_t)(dur / spacing);
    if (kmax > kcap)
        kmax = kcap;
    if (kmin > kmax)
        kmin = kmax;
    if (kmin < 1)
        kmin = 1;
    size_t k = dp_segment(c, kmin, kmax, spacing, maxlen, dur, ev, bounds, err, &rc);
    if (rc)
        goto out;
    if (k == (size_t)-1) {
        /* No segmentation fits the length limits (a transcript much shorter
         * or sparser than its duration): TextTiling's own picks, in order. */
        k = ktile - 1;
        for (size_t i = 0; i < k; i++)
            bounds[i] = pick[i];
        for (size_t i = 1; i < k; i++)
            for (size_t j = i; j > 0 && bounds[j - 1] > bounds[j]; j--) {
                size_t x = bounds[j];
                bounds[j] = bounds[j - 1];
                bounds[j - 1] = x;
            }
    }
    *nb = k;
out:
    free(depth);
    free(ev);
    free(tb);
    free(pick);
    return rc;
}

/* ---- titles -------------------------------------------------------------- */

/* A key phrase of a segment, ready to print. */
typedef struct title_phrase {
    char *text;        /* as written in the transcript (original case) */
    int32_t key[4];    /* stem ids, -1 padded: identity across segments */
    size_t nwords;
    int repeated;      /* a phrase of 2+ words said more than once in the segment */
    int weak;          /* likely not a noun phrase (see phrase_locate, mark_verbs) */
    double score;
} title_phrase;

/* Splits kp (case-folded surface words joined by spaces) and finds its first
 * occurrence as consecutive tokens in units [a, b). On success fills the
 * original text and the stem ids. */
static int phrase_locate(const seg_ctx *c, size_t a, size_t b, const char *kp, title_phrase *out)
{
    const char *w[8];
    size_t wl[8], nw = 0;
    for (const char *p = kp; *p && nw < 8;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *q = strchr(p, ' ');
        size_t l = q ? (size_t)(q - p) : strlen(p);
        w[nw] = p;
        wl[nw++] = l;
        p += l;
    }
    if (nw == 0 || nw > 4)
        return 0;
    /* The first occurrence inside a sentence is preferred: a sentence's
     * first word is capitalised for grammar, not because it is a name. */
    size_t fu = 0, fj = 0;
    int found = 0;
    for (size_t u = a; u < b && found < 2; u++) {
        const rb_text_unit *un = &c->doc->units[u];
        for (size_t j = 0; j + nw <= un->ntokens && found < 2; j++) {
            size_t m = 0;
            while (m < nw) {
                const char *s = un->tokens[j + m].surface ? un->tokens[j + m].surface
                                                          : un->tokens[j + m].stem;
                if (strlen(s) != wl[m] || memcmp(s, w[m], wl[m]) != 0)
                    break;
                m++;
            }
            /* "Inside a sentence" means not its first word. */
            if (m < nw || (found && c->pc[u].tok0 + j == 0))
                continue;
            fu = u;
            fj = j;
            found = c->pc[u].tok0 + j > 0 ? 2 : 1;
        }
    }
    if (!found)
        return 0;
    const rb_transcript_sentence *se = &c->t->sentences[c->pc[fu].sent];
    const rb_text_unit *un = &c->doc->units[fu];
    size_t sj = c->pc[fu].tok0 + fj; /* the token's index in its sentence */
    size_t from = se->tokens[sj].offset;
    size_t to = se->tokens[sj + nw - 1].offset + se->tokens[sj + nw - 1].len;
    out->text = strndup(se->text + from, to - from);
    if (!out->text)
        return -1;
    out->nwords = nw;
    for (size_t i = 0; i < 4; i++)
        out->key[i] = i < nw ? rb_text_ids_lookup(&c->ids, un->tokens[fj + i].stem) : -1;
    /* A German noun phrase ends in its noun, and German nouns are written
     * with a capital: a phrase whose last word is not is a verb phrase or a
     * fragment ("flachen Wasser verbracht"). */
    if (c->cap_nouns) {
        utf8proc_int32_t cp;
        const char *lw = se->text + se->tokens[sj + nw - 1].offset;
        out->weak = utf8proc_iterate((const utf8proc_uint8_t *)lw, -1, &cp) > 0 &&
                    !utf8proc_isupper(cp);
    }
    for (size_t i = 0; i < nw && c->verbish; i += nw > 1 ? nw - 1 : 1)
        if (out->key[i] >= 0 && c->verbish[out->key[i]])
            out->weak = 1;
    return 1;
}

static int key_equal(const title_phrase *x, const title_phrase *y)
{
    return memcmp(x->key, y->key, sizeof x->key) == 0;
}

static int key_overlap(const title_phrase *x, const title_phrase *y)
{
    for (size_t i = 0; i < x->nwords; i++)
        for (size_t j = 0; j < y->nwords; j++)
            if (x->key[i] >= 0 && x->key[i] == y->key[j])
                return 1;
    return 0;
}

static int phrase_cmp(const void *a, const void *b)
{
    const title_phrase *x = a, *y = b;
    if (x->weak != y->weak)
        return x->weak - y->weak;
    if (x->repeated != y->repeated)
        return y->repeated - x->repeated;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return memcmp(x->key, y->key, sizeof x->key);
}

/* The ranked phrases of units [a, b), best first. Candidates are the RAKE
 * phrases (up to 3 words) of the segment alone (rb_keyphrases); each is
 * ranked by
 *     mean over its words of local^2 / total   (salience: used often here,
 *                                               and mostly here, not all
 *                                               through the talk)
 *     * (1 + ln tf) * words * sqrt(RAKE-TF-IDF score)
 * where local/total count the word's occurrences in the segment and in the
 * whole transcript. The contrast with the rest of the transcript is what
 * makes neighbouring chapters get different titles. */
static int segment_phrases(const seg_ctx *c, size_t a, size_t b, const size_t *total,
                           size_t *local, title_phrase **out, size_t *nout, rb_err *err)
{
    *out = NULL;
    *nout = 0;
    rb_text_doc sub = {.units = c->doc->units + a, .nunits = b - a};
    rb_keyphrase_opts ko = {.max_words = 3, .top_n = 60};
    rb_keyphrase *kp = NULL;
    size_t nkp = 0;
    int rc = rb_keyphrases(&sub, &ko, &kp, &nkp, err);
    if (rc)
        return rc;
    title_phrase *ph = calloc(nkp ? nkp : 1, sizeof *ph);
    if (!ph) {
        rb_keyphrases_free(kp, nkp);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    for (size_t u = a; u < b; u++)
        for (size_t i = c->ids.unit_off[u]; i < c->ids.unit_off[u + 1]; i++)
            if (c->ids.ids[i] >= 0)
                local[c->ids.ids[i]]++;
    size_t n = 0;
    for (size_t i = 0; i < nkp; i++) {
        title_phrase p = {0};
        int r = phrase_locate(c, a, b, kp[i].text, &p);
        if (r < 0) {
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
            break;
        }
        if (r == 0)
            continue;
        double sal = 0;
        size_t k = 0;
        for (size_t j = 0; j < p.nwords; j++)
            if (p.key[j] >= 0 && total[p.key[j]] > 0) {
                double l = (double)local[p.key[j]];
                sal += l * l / (double)total[p.key[j]];
                k++;
            }
        p.score = (k ? sal / (double)k : 0.0) * (1.0 + log((double)kp[i].tf)) *
                  (double)p.nwords * sqrt(kp[i].score);
        p.repeated = kp[i].tf > 1 && p.nwords > 1;
        ph[n++] = p;
    }
    for (size_t u = a; u < b; u++)
        for (size_t i = c->ids.unit_off[u]; i < c->ids.unit_off[u + 1]; i++)
            if (c->ids.ids[i] >= 0)
                local[c->ids.ids[i]] = 0;
    rb_keyphrases_free(kp, nkp);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(ph[i].text);
        free(ph);
        return rc;
    }
    qsort(ph, n, sizeof *ph, phrase_cmp);
    *out = ph;
    *nout = n;
    return RB_OK;
}

/* Document noun phrases asked of summarize for the titles. */
#define CHAPTER_NPS 400

/* 1 when word `tok` of sentence `sent` lies in pieces [a, b). */
static int in_pieces(const seg_ctx *c, size_t a, size_t b, size_t sent, size_t tok)
{
    size_t s0 = c->pc[a].sent, t0 = c->pc[a].tok0;
    size_t s1 = c->pc[b - 1].sent, t1 = c->pc[b - 1].tok0 + c->doc->units[b - 1].ntokens;
    if (sent < s0 || (sent == s0 && tok < t0))
        return 0;
    return sent < s1 || (sent == s1 && tok < t1);
}

/* Puts the document noun phrases (rb_summarize_phrases: the summarize tag
 * ranking with its rules against clause fragments) said in pieces [a, b)
 * before the segment's own RAKE phrases `*ph`. A noun phrase of 1-4 words
 * scores its per-use document value (score / uses) x local uses x the share
 * of its uses that fall here (local / total): said often here and mostly
 * here, the same contrast the RAKE ranking uses. The weak rules
 * (phrase_locate) still rank verb-like phrases last. RAKE phrases equal to
 * a noun phrase are dropped; the others follow as a fallback. */
static int segment_nps(const seg_ctx *c, const rb_summarize_phrase *np, size_t nnp, size_t a,
                       size_t b, title_phrase **ph, size_t *n, rb_err *err)
{
    if (nnp == 0 || a >= b)
        return RB_OK;
    title_phrase *out = calloc(nnp + *n + 1, sizeof *out);
    if (!out)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < nnp; i++) {
        const rb_summarize_phrase *p = &np[i];
        if (p->words < 1 || p->words > 4 || p->nocc == 0)
            continue;
        size_t local = 0;
        const rb_summarize_occ *at = NULL;
        for (size_t k = 0; k < p->nocc; k++) {
            const rb_summarize_occ *o = &p->occ[k];
            if (o->len > 4 || !in_pieces(c, a, b, o->sentence, o->token))
                continue;
            local++;
            /* The first use inside a sentence, as phrase_locate prefers: a
             * sentence's first word is capitalised for grammar. */
            if (!at || (at->token == 0 && o->token > 0))
                at = o;
        }
        if (!at)
            continue;
        const rb_transcript_sentence *se = &c->t->sentences[at->sentence];
        title_phrase q = {0};
        size_t from = se->tokens[at->token].offset;
        size_t to = se->tokens[at->token + at->len - 1].offset +
                    se->tokens[at->token + at->len - 1].len;
        q.nwords = at->len;
        for (size_t k = 0; k < 4; k++)
            q.key[k] = k < at->len ? rb_text_ids_lookup(&c->ids, se->tokens[at->token + k].stem)
                                   : -1;
        int dup = 0;
        for (size_t k = 0; k < m && !dup; k++)
            dup = key_equal(&out[k], &q);
        if (dup)
            continue;
        q.text = strndup(se->text + from, to - from);
        if (!q.text) {
            for (size_t k = 0; k < m; k++)
                free(out[k].text);
            free(out);
            return rb_err_set(err, 500, "internal_error", "out of memory");
        }
        if (c->cap_nouns) {
            utf8proc_int32_t cp;
            const char *lw = se->text + se->tokens[at->token + at->len - 1].offset;
            q.weak = utf8proc_iterate((const utf8proc_uint8_t *)lw, -1, &cp) > 0 &&
                     !utf8proc_isupper(cp);
        }
        for (size_t k = 0; k < q.nwords && c->verbish; k += q.nwords > 1 ? q.nwords - 1 : 1)
            if (q.key[k] >= 0 && c->verbish[q.key[k]])
                q.weak = 1;
        q.repeated = local > 1 && q.nwords > 1;
        q.score = p->score / (double)p->nocc * (double)local * (double)local / (double)p->nocc;
        out[m++] = q;
    }
    size_t nnp_here = m;
    if (nnp_here)
        qsort(out, nnp_here, sizeof *out, phrase_cmp);
    for (size_t i = 0; i < *n; i++) {
        int dup = 0;
        for (size_t k = 0; k < nnp_here && !dup; k++)
            dup = key_equal(&out[k], &(*ph)[i]);
        if (dup)
            free((*ph)[i].text);
        else
            out[m++] = (*ph)[i];
    }
    free(*ph);
    *ph = out;
    *n = m;
    return RB_OK;
}

/* Per-language words of the title forms. The conjunction joins two phrases
 * (descriptive); the educational template wraps one ("%s" is the phrase). */
typedef struct lang_forms {
    const char *lang;
    const char *conj;
    const char *edu;
} lang_forms;

static const lang_forms FORMS[] = {
    {"en", " and ", "Understanding %s"},
    {"fr", " et ", "Comprendre %s"},
    {"de", " und ", "%s verstehen"},
    {"es", " y ", "Entender %s"},
};

static const lang_forms *forms_for(const char *lang)
{
    char p[16];
    rb_transcript_primary_lang(lang, p, sizeof p);
    if (!p[0])
        return &FORMS[0];
    for (size_t i = 0; i < sizeof FORMS / sizeof FORMS[0]; i++)
        if (strcmp(FORMS[i].lang, p) == 0)
            return &FORMS[i];
    return NULL;
}

/* Words after which a verb comes (subject pronouns, and in Spanish the
 * clitics that stand before the verb), for spotting verbs without a
 * part-of-speech tagger: a word that follows one of these in most of its
 * uses is a verb (or an adverb of the verb), not the noun a title wants.
 * German needs none: its nouns are capitalised. Other languages get none. */
static const char *const SUBJ_EN[] = {"i", "we", "they", "he", "she", "you", "it", "i'll",
                                      "we'll", "you'll", "they'll", "it'll", "i'd", "we'd",
                                      "you'd", "they'd", "i've", "we've", "you've", "they've",
                                      NULL};
static const char *const SUBJ_FR[] = {"je", "tu", "il", "elle", "on", "nous", "vous", "ils",
                                      "elles", NULL};
static const char *const SUBJ_ES[] = {"yo", "tú", "se", "me", "te", "nos", "os", NULL};

static const char *const *subj_list(const char *lang)
{
    char p[16];
    rb_transcript_primary_lang(lang, p, sizeof p);
    if (!p[0] || strcmp(p, "en") == 0)
        return SUBJ_EN;
    if (strcmp(p, "fr") == 0)
        return SUBJ_FR;
    if (strcmp(p, "es") == 0)
        return SUBJ_ES;
    return NULL;
}

/* Marks, per stem id, the words that follow a subject pronoun in at least
 * half of their uses (c->verbish stays NULL when the language has no
 * list). total[id] counts every use. */
static int mark_verbs(seg_ctx *c, const char *lang, const size_t *total, rb_err *err)
{
    const char *const *subj = subj_list(lang);
    if (!subj)
        return RB_OK;
    size_t *after = calloc(c->ids.nvocab + 1, sizeof *after);
    c->verbish = calloc(c->ids.nvocab + 1, 1);
    if (!after || !c->verbish) {
        free(after);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    for (size_t u = 0; u < c->doc->nunits; u++) {
        const rb_text_unit *un = &c->doc->units[u];
        for (size_t j = 1; j < un->ntokens; j++) {
            int32_t id = c->ids.ids[c->ids.unit_off[u] + j];
            if (id < 0 || un->tokens[j].brk)
                continue;
            const char *w = un->tokens[j - 1].surface ? un->tokens[j - 1].surface
                                                      : un->tokens[j - 1].stem;
            for (size_t k = 0; subj[k]; k++)
                if (strcmp(w, subj[k]) == 0) {
                    after[id]++;
                    break;
                }
        }
    }
    for (size_t v = 0; v < c->ids.nvocab; v++)
        c->verbish[v] = after[v] > 0 && 2 * after[v] >= total[v];
    free(after);
    return RB_OK;
}

/* Upper-cases the first character of s (title case), in a new string. */
static char *capitalize(const char *s)
{
    utf8proc_int32_t cp;
    size_t n = strlen(s);
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);
    if (k <= 0)
        return strdup(s);
    utf8proc_uint8_t enc[4];
    utf8proc_ssize_t el = utf8proc_encode_char(utf8proc_totitle(cp), enc);
    char *o = malloc((size_t)el + n - (size_t)k + 1);
    if (!o)
        return NULL;
    memcpy(o, enc, (size_t)el);
    memcpy(o + el, s + k, n - (size_t)k + 1);
    return o;
}

/* Builds the title of one segment from its ranked phrases, first choosing a
 * lead phrase not already leading an earlier chapter. */
static char *compose_title(const title_phrase *ph, size_t n, int style, const lang_forms *lf,
                           const title_phrase **used, size_t nused, const title_phrase **lead_out)
{
    const title_phrase *lead = NULL;
    for (size_t i = 0; i < n && !lead; i++) {
        if (style == RB_CHAPTER_PUNCHY && ph[i].nwords > 2)
            continue;
        int taken = 0;
        for (size_t j = 0; j < nused && !taken; j++)
            taken = key_equal(&ph[i], used[j]);
        if (!taken)
            lead = &ph[i];
    }
    if (!lead)
        return NULL;
    *lead_out = lead;
    /* Companion phrases: the next best ones sharing no word with the lead
     * or with each other. */
    const title_phrase *more[2] = {NULL, NULL};
    size_t nmore = 0;
    for (size_t i = 0; i < n && nmore < 2; i++) {
        if (&ph[i] == lead || key_overlap(&ph[i], lead))
            continue;
        if (nmore == 1 && key_overlap(&ph[i], more[0]))
            continue;
        more[nmore++] = &ph[i];
    }
    char buf[3 * RB_CHAPTER_TITLE_MAX];
    switch (style) {
    case RB_CHAPTER_DESCRIPTIVE:
        if (nmore >= 1)
            snprintf(buf, sizeof buf, "%s%s%s", lead->text, lf ? lf->conj : ", ", more[0]->text);
        else
            snprintf(buf, sizeof buf, "%s", lead->text);
        break;
    case RB_CHAPTER_EDUCATIONAL:
        if (lf) {
            /* The template is a fixed format string of the table above. */
            const char *pct = strstr(lf->edu, "%s");
            snprintf(buf, sizeof buf, "%.*s%s%s", (int)(pct - lf->edu), lf->edu, lead->text,
                     pct + 2);
        } else {
            snprintf(buf, sizeof buf, "%s", lead->text);
        }
        break;
    case RB_CHAPTER_SEO:
        if (nmore == 2)
            snprintf(buf, sizeof buf, "%s: %s, %s", lead->text, more[0]->text, more[1]->text);
        else if (nmore == 1)
            snprintf(buf, sizeof buf, "%s: %s", lead->text, more[0]->text);
        else
            snprintf(buf, sizeof buf, "%s", lead->text);
        break;
    case RB_CHAPTER_PLATFORM_NEUTRAL:
        /* Plain keywords, no language words: "phrase, phrase". */
        if (nmore >= 1)
            snprintf(buf, sizeof buf, "%s, %s", lead->text, more[0]->text);
        else
            snprintf(buf, sizeof buf, "%s", lead->text);
        break;
    default: /* punchy: the phrase alone */
        snprintf(buf, sizeof buf, "%s", lead->text);
        break;
    }
    return capitalize(buf);
}

/* The title of a segment with no usable phrase: the first six words of its
 * first sentence with words (or, with none, its first sentence). */
static char *fallback_title(const seg_ctx *c, size_t a, size_t b)
{
    for (size_t u = a; u < b; u++) {
        const rb_transcript_sentence *s = &c->t->sentences[c->pc[u].sent];
        size_t first = c->pc[u].tok0, n = c->doc->units[u].ntokens;
        if (n == 0)
            continue;
        size_t last = first + (n < 6 ? n - 1 : 5);
        size_t from = s->tokens[first].offset, to = s->tokens[last].offset + s->tokens[last].len;
        char *raw = strndup(s->text + from, to - from);
        if (!raw)
            return NULL;
        char *o = capitalize(raw);
        free(raw);
        return o;
    }
    /* No word at all (music notes, symbols): the first sentence as written. */
    return a < b ? capitalize(c->t->sentences[c->pc[a].sent].text) : NULL;
}

int rb_builtin_chapters(const rb_transcript *t, const rb_text_doc *doc,
                        const rb_chapters_opts *opts, rb_chapter_list *out, rb_err *err)
{
    rb_chapters_opts o = opts ? *opts : (rb_chapters_opts){0};
    if (o.granularity < RB_CHAPTER_COARSE || o.granularity > RB_CHAPTER_FINE)
        o.granularity = RB_CHAPTER_BALANCED;
    if (o.style < RB_CHAPTER_DESCRIPTIVE || o.style > RB_CHAPTER_PLATFORM_NEUTRAL)
        o.style = RB_CHAPTER_DESCRIPTIVE;
    if (doc->nunits != t->nsentences)
        return rb_err_set(err, 500, "internal_error", "the doc is not the transcript's view");
    int64_t dur = rb_chapters_duration_ms(t, o.duration_ms);
    piece_view pv;
    int rc = piece_view_build(t, doc, &pv, err);
    if (rc)
        return rc;
    const rb_text_doc *sdoc = doc; /* the sentences, for the noun phrases of the titles */
    doc = &pv.doc; /* from here on, the pieces */
    rb_summarize_phrase *np = NULL;
    size_t nnp = 0;
    seg_ctx c = {.t = t, .doc = doc, .pc = pv.pc};
    rc = rb_text_ids_build(doc, 1, &c.ids, err);
    if (rc) {
        piece_view_free(&pv);
        return rc;
    }
    size_t n = doc->nunits;
    c.seq = malloc((c.ids.ntokens ? c.ids.ntokens : 1) * sizeof *c.seq);
    c.ustart = malloc((n + 1) * sizeof *c.ustart);
    size_t *bounds = malloc((n + 1) * sizeof *bounds);
    size_t *total = calloc(c.ids.nvocab + 1, sizeof *total);
    size_t *local = calloc(c.ids.nvocab + 1, sizeof *local);
    title_phrase **seg_ph = NULL;
    size_t *seg_n = NULL;
    const title_phrase **used = NULL;
    size_t nb = 0;
    if (!c.seq || !c.ustart || !bounds || !total || !local) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    for (size_t u = 0; u < n; u++) {
        c.ustart[u] = c.ntok;
        for (size_t i = c.ids.unit_off[u]; i < c.ids.unit_off[u + 1]; i++)
            if (c.ids.ids[i] >= 0) {
                c.seq[c.ntok++] = c.ids.ids[i];
                total[c.ids.ids[i]]++;
            }
    }
    c.ustart[n] = c.ntok;
    c.wt = calloc(c.ids.nvocab + 1, sizeof *c.wt);
    if (!c.wt) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    {
        /* Weight: idf over sentences, ln(1 + N / df). */
        size_t *df = calloc(c.ids.nvocab + 1, sizeof *df);
        int32_t *last = malloc((c.ids.nvocab + 1) * sizeof *last);
        if (!df || !last) {
            free(df);
            free(last);
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
            goto out;
        }
        for (size_t v = 0; v < c.ids.nvocab; v++)
            last[v] = -1;
        for (size_t u = 0; u < n; u++)
            for (size_t i = c.ids.unit_off[u]; i < c.ids.unit_off[u + 1]; i++) {
                int32_t v = c.ids.ids[i];
                if (v >= 0 && last[v] != (int32_t)u) {
                    last[v] = (int32_t)u;
                    df[v]++;
                }
            }
        for (size_t v = 0; v < c.ids.nvocab; v++)
            c.wt[v] = log(1.0 + (double)n / (double)df[v]);
        free(df);
        free(last);
    }
    rc = segment(&c, o.granularity, dur, bounds, &nb, err);
    if (rc)
        goto out;
    {
        char lp[16];
        rb_transcript_primary_lang(t->language, lp, sizeof lp);
        c.cap_nouns = strcmp(lp, "de") == 0;
    }
    rc = mark_verbs(&c, t->language, total, err);
    if (rc)
        goto out;
    size_t nseg = nb + 1;
    seg_ph = calloc(nseg, sizeof *seg_ph);
    seg_n = calloc(nseg, sizeof *seg_n);
    used = calloc(nseg, sizeof *used);
    if (!seg_ph || !seg_n || !used) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto out;
    }
    const lang_forms *lf = forms_for(o.language ? o.language : t->language);
    {
        /* The noun phrases of the whole transcript, once (the view only
         * borrows the caller's sentence doc). */
        rb_transcript_doc td = {.doc = *sdoc};
        rc = rb_summarize_phrases(t, &td, CHAPTER_NPS, RB_SUMMARIZE_PHRASES_ONCE, &np, &nnp, err);
        if (rc)
            goto out;
    }
    size_t nused = 0;
    for (size_t s = 0; s < nseg && rc == RB_OK; s++) {
        size_t a = s == 0 ? 0 : bounds[s - 1], b = s < nb ? bounds[s] : n;
        rc = segment_phrases(&c, a, b, total, local, &seg_ph[s], &seg_n[s], err);
        if (rc == RB_OK)
            rc = segment_nps(&c, np, nnp, a, b, &seg_ph[s], &seg_n[s], err);
        if (rc)
            break;
        const title_phrase *lead = NULL;
        char *title = compose_title(seg_ph[s], seg_n[s], o.style, lf, used, nused, &lead);
        if (title)
            used[nused++] = lead; /* later chapters lead with other phrases */
        else
            title = fallback_title(&c, a, b);
        int64_t st = s == 0 ? 0 : doc->units[a].start_ms;
        if (title) {
            rc = rb_chapters_add(out, st, title, strlen(title), err);
            free(title);
        } else if (s == 0) {
            /* A first segment without a single word: keep the chapter at 0
             * with the next segment's title rather than losing the start. */
            continue;
        }
    }
    if (rc == RB_OK)
        rc = rb_chapters_repair(out, dur, err);
out:
    if (seg_ph)
        for (size_t s = 0; s < nb + 1; s++) {
            for (size_t i = 0; i < seg_n[s]; i++)
                free(seg_ph[s][i].text);
            free(seg_ph[s]);
        }
    free(seg_ph);
    free(seg_n);
    rb_summarize_phrases_free(np, nnp);
    free((void *)used);
    free(c.seq);
    free(c.wt);
    free(c.verbish);
    free(c.ustart);
    free(bounds);
    free(total);
    free(local);
    rb_text_ids_free(&c.ids);
    piece_view_free(&pv);
    if (rc)
        rb_chapters_free(out);
    return rc;
}
