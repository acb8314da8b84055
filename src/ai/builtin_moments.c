/* builtin_moments.c — the builtin engine of find-key-moments.
 * See builtin_moments.h for the outline and docs/builtin-moments.md for the
 * constants and their reasons. */
#include "ai/builtin_moments.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "ai/builtin_summarize.h"
#include "ai/keyphrase.h"
#include "ai/textrank.h"
#include "common/buf.h"

/* A content word counts as "already heard" when it was said this long before
 * the window starts (novelty). */
#define CONTEXT_MS 60000
/* Longest window in cues: bounds the enumeration when a caller asks for very
 * long moments (the target range, not this, is the normal limit). */
#define MAX_WINDOW_CUES 120
/* Windows that cut a sentence at either end keep this share of their score. */
#define CUT_SENTENCE_FACTOR 0.8
/* MMR: score minus LAMBDA x the largest word overlap with a moment taken. */
#define MMR_LAMBDA 0.3
/* Document key phrases used for salience. */
#define DOC_KEYPHRASES 30
/* A quote must reach this quotability, and have 4-40 words. */
#define QUOTE_MIN 0.5
#define TEXT_MAX ((size_t)1 << 20)

/* ---- enums ------------------------------------------------------------- */

static int lookup(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

int rb_moments_strategy_parse(const char *s)
{
    static const char *const names[] = {"", "standalone_hooks", "educational_takeaways",
                                        "story_beats", "product_moments", "speaker_highlights",
                                        NULL};
    return s ? lookup(names, s) : RB_MOMENTS_BALANCED;
}

int rb_moments_title_style_parse(const char *s)
{
    static const char *const names[] = {"descriptive", "punchy", "educational", "social", NULL};
    return s ? lookup(names, s) : RB_MOMENTS_TITLE_DESCRIPTIVE;
}

int rb_moments_priority_parse(const char *s)
{
    static const char *const names[] = {"clarity_in_isolation", "emotional_intensity", "novelty",
                                        "soundbite_quality", NULL};
    return s ? lookup(names, s) : -1;
}

size_t rb_moments_default_max(int64_t duration_ms)
{
    return duration_ms > 3600000 ? 25 : 10;
}

/* Weights per strategy: salience, novelty, emotion, quotability. */
static const double STRATEGY_WEIGHTS[6][RB_MOMENTS_NCOMP] = {
    [RB_MOMENTS_BALANCED] = {0.35, 0.20, 0.20, 0.25},
    [RB_MOMENTS_STANDALONE_HOOKS] = {0.20, 0.20, 0.30, 0.30},
    [RB_MOMENTS_EDUCATIONAL_TAKEAWAYS] = {0.45, 0.20, 0.05, 0.30},
    [RB_MOMENTS_STORY_BEATS] = {0.20, 0.30, 0.35, 0.15},
    [RB_MOMENTS_PRODUCT_MOMENTS] = {0.45, 0.15, 0.15, 0.25},
    [RB_MOMENTS_SPEAKER_HIGHLIGHTS] = {0.20, 0.15, 0.30, 0.35},
};

void rb_moments_weights(int strategy, const int *priorities, size_t npriorities,
                        double w[RB_MOMENTS_NCOMP])
{
    if (strategy < 0 || strategy > RB_MOMENTS_SPEAKER_HIGHLIGHTS)
        strategy = RB_MOMENTS_BALANCED;
    for (int k = 0; k < RB_MOMENTS_NCOMP; k++)
        w[k] = STRATEGY_WEIGHTS[strategy][k];
    /* The i-th priority (0-based) multiplies its component's weight by
     * 1 + 1/(i+1): x2, x1.5, x1.33, x1.25 — earlier ones count more. */
    static const int comp_of[4] = {RB_MOMENTS_QUOTABILITY, RB_MOMENTS_EMOTION, RB_MOMENTS_NOVELTY,
                                   RB_MOMENTS_QUOTABILITY};
    for (size_t i = 0; i < npriorities; i++) {
        int p = priorities[i];
        if (p < 0 || p > 3)
            continue;
        w[comp_of[p]] *= 1.0 + 1.0 / (double)(i + 1);
    }
    double sum = 0;
    for (int k = 0; k < RB_MOMENTS_NCOMP; k++)
        sum += w[k];
    for (int k = 0; k < RB_MOMENTS_NCOMP; k++)
        w[k] /= sum;
}

/* ---- word lists (English only; docs/builtin-moments.md) ----------------- */

static int in_list(const char *const *list, size_t n, const char *w)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(list[mid], w);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}
#define IN(list, w) in_list(list, sizeof list / sizeof list[0], w)

/* Sorted (strcmp order): the lookups are binary searches. */
static const char *const EN_INTENSIFIERS[] = {
    "absolutely", "completely", "deeply",  "enormously", "entirely", "extremely",
    "highly",     "hugely",     "incredibly", "insanely", "literally", "massively",
    "really",     "seriously",  "so",      "super",      "totally",  "truly",
    "utterly",    "very",
};
static const char *const EN_EMOTION[] = {
    "afraid",    "amazed",    "amazing",   "angry",     "astonishing", "awesome",
    "awful",     "beautiful", "brilliant", "crazy",     "delighted",   "disaster",
    "excited",   "exciting",  "fantastic", "fear",      "furious",     "happy",
    "hate",      "heartbreaking", "horrible", "incredible", "love",    "loved",
    "proud",     "sad",       "scared",    "shocked",   "shocking",    "stunning",
    "terrible",  "terrified", "thrilled",  "unbelievable", "upset",    "wonderful",
    "worst",     "wow",
};
static const char *const EN_PERSON[] = {
    "i", "i'd", "i'll", "i'm", "i've", "me", "my", "our", "us", "we", "we'll", "we're",
    "we've", "you", "you'll", "you're", "you've", "your",
};
static const char *const EN_DANGLING[] = {
    "also", "and", "because", "but", "he", "her", "his", "it", "its", "or", "she", "so",
    "that", "their", "them", "then", "there", "these", "they", "this", "those", "which",
};

/* ---- per-sentence features ---------------------------------------------- */

typedef struct sent_feat {
    double emo;       /* [0, 1] */
    double quote;     /* [0, 1] */
    int dangling;     /* starts with a pronoun or connective that needs context */
    size_t words;
} sent_feat;

static int is_en(const rb_transcript *t)
{
    char p[16];
    rb_transcript_primary_lang(t->language, p, sizeof p);
    return p[0] == '\0' || strcmp(p, "en") == 0;
}

/* Exclamation marks: ASCII, fullwidth and the Spanish opening one. */
static size_t count_exclaims(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '!')
            n++;
        else if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBC &&
                 (unsigned char)p[2] == 0x81)
            n++;
        else if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA1)
            n++;
    }
    return n;
}

/* 1 when the sentence ends with terminal punctuation (. ! ? … or the CJK
 * full stops), ignoring closing quotes and brackets. */
static int ends_terminal(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '"' || s[n - 1] == '\'' || s[n - 1] == ')' ||
                     isspace((unsigned char)s[n - 1])))
        n--;
    if (n == 0)
        return 0;
    char c = s[n - 1];
    if (c == '.' || c == '!' || c == '?')
        return 1;
    /* U+3002 。 U+FF01 ！ U+FF1F ？ U+2026 … (3-byte sequences). */
    if (n >= 3) {
        const unsigned char *u = (const unsigned char *)s + n - 3;
        if ((u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x82) ||
            (u[0] == 0xEF && u[1] == 0xBC && (u[2] == 0x81 || u[2] == 0x9F)) ||
            (u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xA6))
            return 1;
    }
    return 0;
}

static sent_feat sentence_features(const rb_transcript_sentence *s, int en)
{
    sent_feat f = {0};
    f.words = s->ntokens;
    size_t excl = count_exclaims(s->text);
    if (excl > 2)
        excl = 2;
    size_t nint = 0, nemo = 0;
    int person = 0, number = 0;
    for (size_t j = 0; j < s->ntokens; j++) {
        const char *w = s->tokens[j].norm;
        if (isdigit((unsigned char)w[0]))
            number = 1;
        if (!en)
            continue;
        nint += (size_t)IN(EN_INTENSIFIERS, w);
        nemo += (size_t)IN(EN_EMOTION, w);
        person |= IN(EN_PERSON, w);
    }
    if (en && s->ntokens > 0)
        f.dangling = IN(EN_DANGLING, s->tokens[0].norm);
    double e = en ? 0.35 * (double)excl + 0.15 * (double)nint + 0.25 * (double)nemo
                  : 0.5 * (double)excl;
    f.emo = e > 1 ? 1 : e;

    double len;
    if (f.words < 6)
        len = (double)f.words / 6.0;
    else if (f.words <= 25)
        len = 1;
    else
        len = f.words >= 50 ? 0 : 1.0 - (double)(f.words - 25) / 25.0;
    double term = ends_terminal(s->text);
    if (en)
        f.quote = 0.3 * term + 0.3 * len + 0.15 * person + 0.1 * number + 0.15 * !f.dangling;
    else
        f.quote = 0.4 * term + 0.45 * len + 0.15 * number;
    return f;
}

/* ---- phrase matching over interned ids ------------------------------------ */

typedef struct ctx {
    const rb_transcript *t;
    const rb_transcript_doc *d;
    rb_text_ids ids;         /* every token, stop words included */
    size_t ntok;
    rb_summarize_phrase *np; /* the transcript's ranked noun phrases (summarize tags), */
    size_t nnp;              /* then its clause fragments from nfrag0 on, sorted by key */
    size_t nfrag0;
    int head_first;          /* French, Spanish: a noun phrase's head is its first word */
} ctx;

static size_t tok_base(const ctx *c, size_t u)
{
    return (size_t)(c->d->units[u].tokens - c->d->tokens);
}

/* First occurrence of the space-separated norms of `phrase` inside sentences
 * [s0, s1]: sets *su, *sj (sentence, token) and *len (tokens). 0 when absent. */
static int find_norms(const ctx *c, const char *phrase, size_t s0, size_t s1, size_t *su,
                      size_t *sj, size_t *len)
{
    const char *words[16];
    size_t wl[16], nw = 0;
    for (const char *p = phrase; *p && nw < 16;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *q = p;
        while (*q && *q != ' ')
            q++;
        words[nw] = p;
        wl[nw++] = (size_t)(q - p);
        p = q;
    }
    if (nw == 0)
        return 0;
    for (size_t u = s0; u <= s1 && u < c->t->nsentences; u++) {
        const rb_transcript_sentence *s = &c->t->sentences[u];
        for (size_t j = 0; j + nw <= s->ntokens; j++) {
            size_t k = 0;
            for (; k < nw; k++) {
                const char *n = s->tokens[j + k].norm;
                if (strlen(n) != wl[k] || memcmp(n, words[k], wl[k]) != 0)
                    break;
            }
            if (k == nw) {
                *su = u;
                *sj = j;
                *len = nw;
                return 1;
            }
        }
    }
    return 0;
}

/* The verbatim text of tokens j..j+len-1 of sentence u (original casing and
 * whatever stands between them, e.g. a hyphen). */
static char *span_text(const ctx *c, size_t u, size_t j, size_t len)
{
    const rb_transcript_sentence *s = &c->t->sentences[u];
    size_t a = s->tokens[j].offset;
    size_t b = s->tokens[j + len - 1].offset + s->tokens[j + len - 1].len;
    char *out = malloc(b - a + 1);
    if (!out)
        return NULL;
    memcpy(out, s->text + a, b - a);
    out[b - a] = '\0';
    /* Internal line breaks (speaker joins never fall inside a sentence, but
     * be safe) become spaces. */
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    return out;
}

/* ---- text helpers ------------------------------------------------------- */

size_t rb_moments_word_count(const char *s)
{
    size_t n = 0;
    int in = 0;
    for (const char *p = s ? s : ""; *p; p++) {
        if (isspace((unsigned char)*p))
            in = 0;
        else if (!in) {
            in = 1;
            n++;
        }
    }
    return n;
}

int rb_moments_concept_ok(const char *phrase)
{
    size_t n = rb_moments_word_count(phrase);
    return n >= 2 && n <= 5;
}

/* Appends s with its first code point in title case. */
static int put_capitalized(rb_buf *b, const char *s)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
    if (n <= 0 || cp < 0)
        return rb_buf_puts(b, s);
    utf8proc_uint8_t enc[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_totitle(cp), enc);
    if (rb_buf_append(b, enc, (size_t)m) != 0)
        return -1;
    return rb_buf_puts(b, s + n);
}

/* Keeps the first max words of s (in place) and drops separators left
 * dangling at the cut. */
static void cut_words(char *s, size_t max)
{
    size_t n = 0;
    int in = 0;
    char *p = s;
    for (; *p; p++) {
        if (isspace((unsigned char)*p)) {
            if (in && n == max)
                break;
            in = 0;
        } else if (!in) {
            in = 1;
            n++;
        }
    }
    *p = '\0';
    size_t len = strlen(s);
    while (len > 0 && (isspace((unsigned char)s[len - 1]) || s[len - 1] == ',' ||
                       s[len - 1] == ';' || s[len - 1] == ':' || s[len - 1] == '-'))
        s[--len] = '\0';
}

/* Case-insensitive (ASCII) substring test, for "is this word in the title". */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return 1;
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return 1;
    return 0;
}

/* Sentences overlapping cues [first, last]: [*s0, *s1]. */
static int overlap_sentences(const rb_transcript *t, size_t first, size_t last, size_t *s0,
                             size_t *s1)
{
    size_t a = 0;
    while (a < t->nsentences && t->sentences[a].last_cue < first)
        a++;
    if (a == t->nsentences || t->sentences[a].first_cue > last)
        return 0;
    size_t b = a;
    while (b + 1 < t->nsentences && t->sentences[b + 1].first_cue <= last)
        b++;
    *s0 = a;
    *s1 = b;
    return 1;
}

/* Sentences lying wholly inside cues [first, last]: [*s0, *s1]. */
static int inside_sentences(const rb_transcript *t, size_t first, size_t last, size_t *s0,
                            size_t *s1)
{
    size_t a = 0;
    while (a < t->nsentences && t->sentences[a].first_cue < first)
        a++;
    if (a == t->nsentences || t->sentences[a].last_cue > last)
        return 0;
    size_t b = a;
    while (b + 1 < t->nsentences && t->sentences[b + 1].last_cue <= last)
        b++;
    *s0 = a;
    *s1 = b;
    return 1;
}

char *rb_moments_title_fit(const rb_transcript *t, const rb_transcript_doc *d, size_t first_cue,
                           size_t last_cue, const char *title)
{
    (void)d;
    rb_buf b;
    rb_buf_init(&b, 4096);
    if (rb_buf_puts(&b, title ? title : "") != 0) {
        rb_buf_free(&b);
        return NULL;
    }
    char *s = rb_buf_steal(&b);
    cut_words(s, RB_MOMENTS_TITLE_MAX_WORDS);
    size_t n = rb_moments_word_count(s);
    size_t s0, s1;
    if (n < RB_MOMENTS_TITLE_MIN_WORDS && overlap_sentences(t, first_cue, last_cue, &s0, &s1)) {
        rb_buf_init(&b, 4096);
        if (rb_buf_puts(&b, s) != 0)
            goto fail;
        /* Pass 0: content words; pass 1: any word. Each adds words the
         * title does not hold yet, in transcript order. */
        for (int pass = 0; pass < 2 && n < RB_MOMENTS_TITLE_MIN_WORDS; pass++) {
            for (size_t u = s0; u <= s1 && n < RB_MOMENTS_TITLE_MIN_WORDS; u++) {
                const rb_transcript_sentence *se = &t->sentences[u];
                for (size_t j = 0; j < se->ntokens && n < RB_MOMENTS_TITLE_MIN_WORDS; j++) {
                    const rb_transcript_token *w = &se->tokens[j];
                    if ((pass == 0 && w->is_stop) || w->len == 0 || w->len > 200)
                        continue;
                    char word[256];
                    memcpy(word, se->text + w->offset, w->len);
                    word[w->len] = '\0';
                    if (contains_ci(rb_buf_cstr(&b), word))
                        continue;
                    if ((b.len > 0 && rb_buf_putc(&b, ' ') != 0) ||
                        (b.len == 0 ? put_capitalized(&b, word) : rb_buf_puts(&b, word)) != 0)
                        goto fail;
                    n++;
                }
            }
        }
        free(s);
        s = rb_buf_steal(&b);
    }
    if (n < RB_MOMENTS_TITLE_MIN_WORDS) {
        free(s);
        return NULL;
    }
    return s;
fail:
    rb_buf_free(&b);
    free(s);
    return NULL;
}

/* ---- describing one moment ------------------------------------------------ */

/* Document noun phrases looked at per moment, and asked of summarize. */
#define MOMENT_NPS 8
#define DOC_NPS 400

typedef struct phrase {
    char *text;        /* verbatim span */
    size_t pos;        /* global token index of the first occurrence (time order) */
    size_t words;
    char key[256];     /* stems joined by ' ', for de-duplication */
} phrase;

static void phrase_key(const ctx *c, size_t u, size_t j, size_t len, char *key, size_t keysz)
{
    size_t k = 0;
    key[0] = '\0';
    for (size_t i = 0; i < len; i++) {
        const char *st = c->t->sentences[u].tokens[j + i].stem;
        size_t l = strlen(st);
        if (k + l + 2 >= keysz)
            break;
        if (i)
            key[k++] = ' ';
        memcpy(key + k, st, l);
        k += l;
        key[k] = '\0';
    }
}

static int have_key(const phrase *p, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].key, key) == 0)
            return 1;
    return 0;
}

/* 1 when two phrases (stem keys) share at least half of the shorter one's
 * words: "cache hit ratio" and "cache hit ratio goes" say the same thing. */
static int keys_overlap(const char *k1, const char *k2)
{
    size_t n1 = 1, n2 = 1, common = 0;
    for (const char *p = k1; *p; p++)
        n1 += *p == ' ';
    for (const char *p = k2; *p; p++)
        n2 += *p == ' ';
    for (const char *p = k1; *p;) {
        const char *q = strchr(p, ' ');
        size_t l = q ? (size_t)(q - p) : strlen(p);
        for (const char *r = k2; *r;) {
            const char *z = strchr(r, ' ');
            size_t m = z ? (size_t)(z - r) : strlen(r);
            if (m == l && memcmp(p, r, l) == 0) {
                common++;
                break;
            }
            r = z ? z + 1 : r + m;
        }
        p = q ? q + 1 : p + l;
    }
    return common * 2 >= (n1 < n2 ? n1 : n2);
}

static int overlaps_any(const phrase *const *sel, size_t n, const phrase *p)
{
    for (size_t i = 0; i < n; i++)
        if (keys_overlap(sel[i]->key, p->key))
            return 1;
    return 0;
}

static int cmp_pos(const void *a, const void *b)
{
    const phrase *x = a, *y = b;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Builds the title from the ranked phrases (docs: title styles). */
static char *make_title(const phrase *ph, size_t nph, int style, double emotion)
{
    rb_buf b;
    rb_buf_init(&b, 4096);
    int rc = 0;
    size_t words = 0;
    if (style == RB_MOMENTS_TITLE_PUNCHY) {
        /* Title Case, at most 5 words, "!" for an emotional moment. */
        for (size_t i = 0; i < nph && i < 2 && rc == 0; i++) {
            if (i > 0 && (words >= 3 || words + ph[i].words > 5))
                break;
            const char *p = ph[i].text;
            while (*p && rc == 0) {
                const char *q = p;
                while (*q && *q != ' ')
                    q++;
                char w[256];
                size_t l = (size_t)(q - p) < sizeof w - 1 ? (size_t)(q - p) : sizeof w - 1;
                memcpy(w, p, l);
                w[l] = '\0';
                if (b.len)
                    rc |= rb_buf_putc(&b, ' ');
                rc |= put_capitalized(&b, w);
                words++;
                p = *q ? q + 1 : q;
            }
        }
        if (rc == 0 && emotion >= 0.35 && b.len)
            rc |= rb_buf_putc(&b, '!');
    } else if (style == RB_MOMENTS_TITLE_SOCIAL) {
        /* The top phrase, then hashtags (CamelCase letters and digits) of the
         * next ones. */
        if (nph > 0) {
            rc |= put_capitalized(&b, ph[0].text);
            words = ph[0].words;
        }
        for (size_t i = 1; i < nph && i < 3 && rc == 0 && words < RB_MOMENTS_TITLE_MAX_WORDS; i++) {
            rc |= rb_buf_puts(&b, " #");
            int start = 1;
            const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)ph[i].text;
            while (*p && rc == 0) {
                utf8proc_int32_t cp;
                utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
                if (n <= 0)
                    break;
                utf8proc_category_t cat = utf8proc_category(cp);
                int alnum = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                            cat == UTF8PROC_CATEGORY_ND;
                if (alnum) {
                    utf8proc_uint8_t enc[4];
                    utf8proc_ssize_t m = utf8proc_encode_char(start ? utf8proc_totitle(cp) : cp,
                                                              enc);
                    rc |= rb_buf_append(&b, enc, (size_t)m);
                    start = 0;
                } else {
                    start = 1;
                }
                p += n;
            }
            words++;
        }
    } else {
        /* descriptive: the two best phrases, "P1: p2"; educational: up to
         * three, in the order they are said, "P1: p2, p3". Later phrases
         * need two words and must not repeat an earlier one. */
        size_t maxp = style == RB_MOMENTS_TITLE_EDUCATIONAL ? 3 : 2;
        phrase sel[3];
        const phrase *selp[3];
        size_t ns = 0;
        for (size_t i = 0; i < nph && ns < maxp; i++) {
            if (words + ph[i].words > RB_MOMENTS_TITLE_MAX_WORDS ||
                (ns > 0 && ph[i].words < 2) || overlaps_any(selp, ns, &ph[i]))
                continue;
            sel[ns] = ph[i];
            selp[ns] = &ph[i];
            ns++;
            words += ph[i].words;
        }
        if (style == RB_MOMENTS_TITLE_EDUCATIONAL)
            qsort(sel, ns, sizeof sel[0], cmp_pos);
        for (size_t i = 0; i < ns && rc == 0; i++) {
            if (i == 0)
                rc |= put_capitalized(&b, sel[i].text);
            else {
                rc |= rb_buf_puts(&b, i == 1 ? ": " : ", ");
                rc |= rb_buf_puts(&b, sel[i].text);
            }
        }
    }
    if (rc != 0) {
        rb_buf_free(&b);
        return NULL;
    }
    return rb_buf_steal(&b);
}

void rb_moment_clear(rb_moment *m)
{
    free(m->title);
    free(m->narrative);
    for (size_t i = 0; i < m->nconcepts; i++)
        free(m->concepts[i]);
    free(m->quote);
    m->title = m->narrative = m->quote = NULL;
    m->nconcepts = 0;
    m->has_quote = 0;
}

/* The document noun phrases (rb_summarize_phrases: the ranking of the
 * summarize tags, with its rules against clause fragments) of 2-5 words said
 * inside sentences [s0, s1], best first by document score x local count
 * (ties: document rank), as verbatim spans of their first occurrence here.
 * Fills ph[0 .. *n), at most MOMENT_NPS, distinct stem keys. */
static int moment_nps(const ctx *c, size_t s0, size_t s1, phrase *ph, size_t *n, rb_err *err)
{
    size_t idx[MOMENT_NPS];
    double sc[MOMENT_NPS];
    size_t nb = 0;
    *n = 0;
    for (size_t i = 0; i < c->nnp; i++) {
        const rb_summarize_phrase *p = &c->np[i];
        if (!rb_moments_concept_ok(p->surface))
            continue;
        size_t local = 0;
        for (size_t k = 0; k < p->nocc; k++)
            local += p->occ[k].sentence >= s0 && p->occ[k].sentence <= s1;
        if (local == 0)
            continue;
        double v = p->score * (double)local;
        /* Insertion into the bounded best list; equal values keep the
         * earlier (better document) rank first. */
        size_t at = nb;
        while (at > 0 && sc[at - 1] < v)
            at--;
        if (at >= MOMENT_NPS)
            continue;
        size_t end = nb < MOMENT_NPS ? nb : MOMENT_NPS - 1;
        for (size_t k = end; k > at; k--) {
            idx[k] = idx[k - 1];
            sc[k] = sc[k - 1];
        }
        idx[at] = i;
        sc[at] = v;
        if (nb < MOMENT_NPS)
            nb++;
    }
    for (size_t b = 0; b < nb; b++) {
        const rb_summarize_phrase *p = &c->np[idx[b]];
        const rb_summarize_occ *o = NULL;
        for (size_t k = 0; k < p->nocc && !o; k++)
            if (p->occ[k].sentence >= s0 && p->occ[k].sentence <= s1)
                o = &p->occ[k];
        phrase *q = &ph[*n];
        phrase_key(c, o->sentence, o->token, o->len, q->key, sizeof q->key);
        if (have_key(ph, *n, q->key))
            continue;
        q->text = span_text(c, o->sentence, o->token, o->len);
        if (!q->text)
            return rb_err_set(err, 500, "internal_error", "out of memory");
        q->pos = tok_base(c, o->sentence) + o->token;
        q->words = rb_moments_word_count(q->text);
        (*n)++;
    }
    return RB_OK;
}

static int is_fragment(const ctx *c, const char *sub)
{
    size_t lo = c->nfrag0, hi = c->nnp;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->np[mid].key, sub);
        if (cmp == 0)
            return 1;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* 1 when the stem key `key` is no noun phrase by the document's evidence:
 * two or three consecutive words of it are a clause fragment ("teachers
 * love" in "number teachers love"), or its head word (the last; the first
 * in French and Spanish) is used more as a verb than as a noun ("make" in
 * "many students make"). */
static int holds_fragment(const ctx *c, const char *key)
{
    if (c->nfrag0 >= c->nnp)
        return 0;
    const char *w[16];
    size_t wl[16], nw = 0;
    for (const char *p = key; *p && nw < 16;) {
        size_t l = strcspn(p, " ");
        w[nw] = p;
        wl[nw++] = l;
        p += l;
        while (*p == ' ')
            p++;
    }
    if (nw == 0)
        return 0;
    char sub[256];
    size_t h = c->head_first ? 0 : nw - 1;
    if (wl[h] < sizeof sub) {
        memcpy(sub, w[h], wl[h]);
        sub[wl[h]] = '\0';
        if (is_fragment(c, sub))
            return 1;
    }
    for (size_t a = 0; a < nw; a++)
        for (size_t b = a + 2; b <= nw && b <= a + 3; b++) {
            size_t len = (size_t)(w[b - 1] + wl[b - 1] - w[a]);
            if (len >= sizeof sub)
                continue;
            memcpy(sub, w[a], len);
            sub[len] = '\0';
            if (is_fragment(c, sub))
                return 1;
        }
    return 0;
}

static int describe(const ctx *c, int style, rb_moment *m, rb_err *err)
{
    const rb_transcript *t = c->t;
    rb_moment_clear(m);
    size_t s0, s1;
    int whole = inside_sentences(t, m->first_cue, m->last_cue, &s0, &s1);
    if (!whole && !overlap_sentences(t, m->first_cue, m->last_cue, &s0, &s1))
        return rb_err_set(err, 500, "internal_error", "moment without sentences");
    rb_text_doc sub = {.units = c->d->units + s0, .nunits = s1 - s0 + 1};
    int en = is_en(t);

    /* Phrases: RAKE + TF-IDF inside the moment, then verbatim spans. */
    rb_keyphrase_opts ko = {.max_words = 5, .top_n = 12, .weighting = RB_KEYPHRASE_RAKE_TFIDF};
    rb_keyphrase *kp = NULL;
    size_t nkp = 0;
    if (rb_keyphrases(&sub, &ko, &kp, &nkp, err) != RB_OK)
        return RB_ERR;
    phrase ph[MOMENT_NPS + 12 + 16];
    size_t nph = 0;
    int rc = RB_OK;
    size_t nnp = 0;
    rc = moment_nps(c, s0, s1, ph, &nnp, err);
    nph = nnp;
    for (size_t i = 0; rc == RB_OK && i < nkp && nph < nnp + 12; i++) {
        size_t u, j, len;
        if (!find_norms(c, kp[i].text, s0, s1, &u, &j, &len))
            continue;
        phrase *p = &ph[nph];
        phrase_key(c, u, j, len, p->key, sizeof p->key);
        /* The moment's own runs stand in for missing noun phrases, but not
         * one holding a clause fragment of the document. */
        if (have_key(ph, nph, p->key) || holds_fragment(c, p->key))
            continue;
        p->text = span_text(c, u, j, len);
        if (!p->text) {
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
            break;
        }
        p->pos = tok_base(c, u) + j;
        p->words = rb_moments_word_count(p->text);
        nph++;
    }
    rb_keyphrases_free(kp, nkp);

    /* Concepts: the 2-5-word phrases; fewer than 3 → add adjacent pairs of
     * content words (no punctuation between), most frequent first. */
    size_t ncand = 0;
    size_t order[MOMENT_NPS + 28];
    /* With two or more document noun phrases said here, they alone are the
     * concepts (RAKE runs of the moment cut clauses in half: "many students
     * make"); fewer fall back on the moment's own phrases. */
    size_t nconc = nnp >= 2 ? nnp : nph;
    for (size_t i = 0; i < nconc; i++)
        if (rb_moments_concept_ok(ph[i].text))
            order[ncand++] = i;
    if (rc == RB_OK && ncand < 3 && nnp < 2) {
        /* Bigram candidates scored by count; ties by first position. */
        size_t best_pos[16], best_cnt[16], nb = 0;
        char best_key[16][256];
        for (size_t u = s0; u <= s1; u++) {
            const rb_transcript_sentence *se = &t->sentences[u];
            const rb_text_unit *un = &c->d->units[u];
            for (size_t j = 0; j + 1 < se->ntokens; j++) {
                if (un->tokens[j].stop || un->tokens[j + 1].stop || un->tokens[j + 1].brk)
                    continue;
                char key[256];
                phrase_key(c, u, j, 2, key, sizeof key);
                if (holds_fragment(c, key))
                    continue;
                size_t k = 0;
                for (; k < nb; k++)
                    if (strcmp(best_key[k], key) == 0)
                        break;
                if (k < nb) {
                    best_cnt[k]++;
                } else if (nb < 16) {
                    snprintf(best_key[nb], sizeof best_key[nb], "%s", key);
                    best_cnt[nb] = 1;
                    best_pos[nb] = tok_base(c, u) + j;
                    nb++;
                }
            }
        }
        while (ncand < 3 && nph < sizeof ph / sizeof ph[0] && rc == RB_OK) {
            size_t bi = nb;
            for (size_t k = 0; k < nb; k++) {
                if (best_cnt[k] == 0 || have_key(ph, nph, best_key[k]))
                    continue;
                if (bi == nb || best_cnt[k] > best_cnt[bi] ||
                    (best_cnt[k] == best_cnt[bi] && best_pos[k] < best_pos[bi]))
                    bi = k;
            }
            if (bi == nb)
                break;
            best_cnt[bi] = 0;
            /* Locate the global position again: sentence and token. */
            size_t g = best_pos[bi], u = s0;
            while (u < s1 && tok_base(c, u + 1) <= g)
                u++;
            size_t j = g - tok_base(c, u);
            phrase *p = &ph[nph];
            snprintf(p->key, sizeof p->key, "%s", best_key[bi]);
            p->text = span_text(c, u, j, 2);
            if (!p->text) {
                rc = rb_err_set(err, 500, "internal_error", "out of memory");
                break;
            }
            p->pos = g;
            p->words = rb_moments_word_count(p->text);
            if (rb_moments_concept_ok(p->text))
                order[ncand++] = nph;
            nph++;
        }
    }
    const phrase *kept[MOMENT_NPS + 28];
    size_t nkept = 0;
    for (size_t i = 0; rc == RB_OK && i < ncand && m->nconcepts < RB_MOMENTS_MAX_CONCEPTS; i++) {
        /* Phrases repeating most of a kept one go ("cache hit ratio goes"
         * after "cache hit ratio sits"), as do case-only duplicates. */
        int dup = overlaps_any(kept, nkept, &ph[order[i]]);
        for (size_t k = 0; k < m->nconcepts; k++)
            dup |= strcasecmp(m->concepts[k], ph[order[i]].text) == 0;
        if (dup)
            continue;
        kept[nkept++] = &ph[order[i]];
        m->concepts[m->nconcepts] = strdup(ph[order[i]].text);
        if (!m->concepts[m->nconcepts])
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
        else
            m->nconcepts++;
    }

    /* Title: the document phrases found by RAKE in rank order (bigrams are
     * only a concept fallback). */
    if (rc == RB_OK) {
        char *raw = make_title(ph, nnp >= 2 ? nnp : nph, style, m->comp[RB_MOMENTS_EMOTION]);
        if (!raw)
            rc = rb_err_set(err, 500, "internal_error", "out of memory");
        else {
            m->title = rb_moments_title_fit(t, c->d, m->first_cue, m->last_cue, raw);
            free(raw);
            if (!m->title) {
                /* Fewer than 3 words to make a title of: the caller drops
                 * the moment. Anything else is memory. */
                size_t nw = 0;
                for (size_t u = s0; u <= s1; u++)
                    nw += t->sentences[u].ntokens;
                rc = nw < RB_MOMENTS_TITLE_MIN_WORDS
                         ? RB_NOTFOUND
                         : rb_err_set(err, 500, "internal_error", "out of memory");
            }
        }
    }
    for (size_t i = 0; i < nph; i++)
        free(ph[i].text);
    if (rc != RB_OK)
        return rc;

    /* Narrative: the most central sentence (TextRank, centroid fallback). */
    rb_text_score *sc = NULL;
    size_t nsc = 0;
    if (rb_textrank(&sub, NULL, &sc, &nsc, NULL, NULL, err) != RB_OK)
        return RB_ERR;
    size_t best = nsc > 0 ? s0 + sc[0].unit : s0;
    free(sc);
    m->narrative = strdup(t->sentences[best].text);
    if (!m->narrative)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    for (char *p = m->narrative; *p; p++)
        if (*p == '\n')
            *p = ' ';

    /* Quote: the most quotable sentence wholly inside, if good enough. */
    if (whole) {
        double bq = -1;
        size_t bu = 0;
        for (size_t u = s0; u <= s1; u++) {
            sent_feat f = sentence_features(&t->sentences[u], en);
            size_t w = rb_moments_word_count(t->sentences[u].text);
            if (f.quote >= QUOTE_MIN && w >= 4 && w <= 40 && f.quote > bq) {
                bq = f.quote;
                bu = u;
            }
        }
        if (bq >= 0) {
            m->quote = strdup(t->sentences[bu].text);
            if (!m->quote)
                return rb_err_set(err, 500, "internal_error", "out of memory");
            for (char *p = m->quote; *p; p++)
                if (*p == '\n')
                    *p = ' ';
            m->has_quote = 1;
            m->quote_start_ms = t->sentences[bu].start_ms;
        }
    }
    return RB_OK;
}

/* The document's noun phrases and clause fragments, into c. */
static int doc_nps(ctx *c, rb_err *err)
{
    if (rb_summarize_phrases(c->t, c->d, DOC_NPS,
                             RB_SUMMARIZE_PHRASES_ONCE | RB_SUMMARIZE_PHRASES_FRAGMENTS, &c->np,
                             &c->nnp, err) != RB_OK)
        return RB_ERR;
    c->nfrag0 = c->nnp;
    char lp[16];
    rb_transcript_primary_lang(c->t->language, lp, sizeof lp);
    c->head_first = strcmp(lp, "fr") == 0 || strcmp(lp, "es") == 0;
    while (c->nfrag0 > 0 && c->np[c->nfrag0 - 1].fragment)
        c->nfrag0--;
    return RB_OK;
}

int rb_moments_describe(const rb_transcript *t, const rb_transcript_doc *d, int title_style,
                        rb_moment *m, rb_err *err)
{
    if (m->first_cue > m->last_cue || m->last_cue >= t->ncues)
        return rb_err_set(err, 500, "internal_error", "moment outside the transcript");
    ctx c = {.t = t, .d = d};
    if (doc_nps(&c, err) != RB_OK)
        return RB_ERR;
    int rc = describe(&c, title_style, m, err);
    rb_summarize_phrases_free(c.np, c.nnp);
    return rc;
}

/* ---- candidates and selection -------------------------------------------- */

typedef struct cand {
    size_t a, b;             /* cues */
    size_t s0, s1;           /* whole sentences inside (s0 > s1: none) */
    int64_t start, end;
    double comp[RB_MOMENTS_NCOMP];
    double density;          /* key-phrase mass per content word, before normalising */
    double score;
    int complete, brand;
} cand;

/* The sort key of a candidate: sorting 16-byte keys instead of the
 * candidates themselves keeps the sort cheap on long transcripts. */
typedef struct cand_key {
    double score;
    size_t idx; /* enumeration order = (start cue, end cue) order */
} cand_key;

/* Best score first; ties by earlier start, then shorter window (the
 * enumeration order): a total order, so the selection is deterministic. */
static int cmp_key(const void *x, const void *y)
{
    const cand_key *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

static int cmp_moment(const void *x, const void *y)
{
    const rb_moment *a = x, *b = y;
    return a->start_ms < b->start_ms ? -1 : (a->start_ms > b->start_ms);
}

void rb_moments_free(rb_moments *m)
{
    for (size_t i = 0; i < m->n; i++)
        rb_moment_clear(&m->items[i]);
    free(m->items);
    m->items = NULL;
    m->n = 0;
}

/* Key-phrase mass per sentence: each occurrence of a document key phrase
 * adds its score / the best phrase's score. */
static int keyphrase_mass(ctx *c, double *mass, rb_err *err)
{
    rb_keyphrase_opts ko = {.max_words = 4, .top_n = DOC_KEYPHRASES,
                            .weighting = RB_KEYPHRASE_RAKE_TFIDF};
    rb_keyphrase *kp = NULL;
    size_t nkp = 0;
    if (rb_keyphrases(&c->d->doc, &ko, &kp, &nkp, err) != RB_OK)
        return RB_ERR;
    double top = nkp > 0 && kp[0].score > 0 ? kp[0].score : 1;
    for (size_t i = 0; i < nkp; i++) {
        size_t u, j, len;
        if (!find_norms(c, kp[i].text, 0, c->t->nsentences - 1, &u, &j, &len))
            continue;
        int32_t seq[16];
        size_t g0 = tok_base(c, u) + j;
        for (size_t k = 0; k < len; k++)
            seq[k] = c->ids.ids[g0 + k];
        double w = kp[i].score / top;
        for (size_t v = 0; v < c->t->nsentences; v++) {
            size_t base = c->ids.unit_off[v], n = c->ids.unit_off[v + 1] - base;
            for (size_t x = 0; x + len <= n; x++) {
                size_t k = 0;
                while (k < len && c->ids.ids[base + x + k] == seq[k])
                    k++;
                if (k == len)
                    mass[v] += w;
            }
        }
    }
    rb_keyphrases_free(kp, nkp);
    return RB_OK;
}

/* 1 per sentence saying one of the brand terms (same tokenisation). */
static int brand_flags(ctx *c, const rb_moments_opts *o, unsigned char *flag, rb_err *err)
{
    for (size_t bi = 0; bi < o->nbrand_terms; bi++) {
        if (!o->brand_terms[bi] || !o->brand_terms[bi][0])
            continue;
        rb_transcript_token *tk = NULL;
        size_t n = 0;
        if (rb_transcript_tokenize(o->brand_terms[bi], c->t->language, &tk, &n, err) != RB_OK)
            return RB_ERR;
        int32_t seq[16];
        int ok = n > 0 && n <= 16;
        for (size_t k = 0; ok && k < n; k++) {
            seq[k] = rb_text_ids_lookup(&c->ids, tk[k].stem);
            ok = seq[k] >= 0;
        }
        rb_transcript_tokens_free(tk, n);
        for (size_t v = 0; ok && v < c->t->nsentences; v++) {
            size_t base = c->ids.unit_off[v], m = c->ids.unit_off[v + 1] - base;
            for (size_t x = 0; x + n <= m && !flag[v]; x++) {
                size_t k = 0;
                while (k < n && c->ids.ids[base + x + k] == seq[k])
                    k++;
                flag[v] = k == n;
            }
        }
    }
    return RB_OK;
}

int rb_moments_find(const rb_transcript *t, const rb_transcript_doc *d,
                    const rb_moments_opts *opts, rb_moments *out, rb_err *err)
{
    memset(out, 0, sizeof *out);
    rb_moments_opts o = *opts;
    int64_t dur = o.duration_ms > 0 ? o.duration_ms : t->end_ms;
    size_t maxm = o.max_moments ? o.max_moments : rb_moments_default_max(dur);
    if (maxm > RB_MOMENTS_MAX)
        maxm = RB_MOMENTS_MAX;
    int64_t min_ms = o.min_ms > 0 ? o.min_ms : RB_MOMENTS_DEFAULT_MIN_MS;
    int64_t max_ms = o.max_ms > 0 ? o.max_ms : RB_MOMENTS_DEFAULT_MAX_MS;
    if (o.min_ms <= 0 && o.max_ms > 0 && min_ms > max_ms)
        min_ms = max_ms / 4;
    if (o.max_ms <= 0 && o.min_ms > 0 && max_ms < min_ms)
        max_ms = min_ms * 4;
    if (min_ms > max_ms)
        min_ms = max_ms;
    double w[RB_MOMENTS_NCOMP];
    rb_moments_weights(o.strategy, o.priorities, o.npriorities, w);
    double brand_boost = o.strategy == RB_MOMENTS_PRODUCT_MOMENTS ? 0.2 : 0.1;
    int en = is_en(t);

    ctx c = {.t = t, .d = d};
    size_t ns = t->nsentences, nc = t->ncues;
    if (rb_text_ids_build(&d->doc, 0, &c.ids, err) != RB_OK)
        return RB_ERR;
    c.ntok = c.ids.ntokens;

    int rc = RB_ERR;
    double *mass = calloc(ns, sizeof *mass);
    double *p_mass = calloc(ns + 1, sizeof *p_mass);
    double *p_emo = calloc(ns + 1, sizeof *p_emo);
    size_t *p_content = calloc(ns + 1, sizeof *p_content);
    size_t *p_brand = calloc(ns + 1, sizeof *p_brand);
    sent_feat *feat = calloc(ns, sizeof *feat);
    unsigned char *brand = calloc(ns, 1);
    size_t *s_lo = calloc(nc + 1, sizeof *s_lo);       /* first sentence with first_cue >= a */
    ptrdiff_t *s_hi = calloc(nc, sizeof *s_hi);        /* last sentence with last_cue <= b */
    unsigned char *cross = calloc(nc + 1, 1);          /* a sentence spans boundary c-1 | c */
    ptrdiff_t *prev = malloc((c.ntok ? c.ntok : 1) * sizeof *prev);
    size_t *tok_sent = malloc((c.ntok ? c.ntok : 1) * sizeof *tok_sent);
    ptrdiff_t *last_of = malloc((c.ids.nvocab ? c.ids.nvocab : 1) * sizeof *last_of);
    uint32_t *picked_mark = calloc(c.ids.nvocab ? c.ids.nvocab : 1, sizeof *picked_mark);
    cand *cands = NULL;
    size_t ncands = 0, capc = 0;
    unsigned char *dead = NULL;
    double *maxsim = NULL;
    cand_key *keys = NULL;
    size_t *pref = NULL;
    rb_moment *items = NULL;
    if (!mass || !p_mass || !p_emo || !p_content || !p_brand || !feat || !brand || !s_lo ||
        !s_hi || !cross || !prev || !tok_sent || !last_of || !picked_mark) {
        rb_err_set(err, 500, "internal_error", "out of memory");
        goto done;
    }

    /* Sentence features and prefix sums. */
    if (keyphrase_mass(&c, mass, err) != RB_OK || brand_flags(&c, &o, brand, err) != RB_OK)
        goto done;
    for (size_t v = 0; v < ns; v++) {
        feat[v] = sentence_features(&t->sentences[v], en);
        size_t content = 0;
        for (size_t j = 0; j < d->units[v].ntokens; j++)
            content += !d->units[v].tokens[j].stop;
        p_mass[v + 1] = p_mass[v] + mass[v];
        p_emo[v + 1] = p_emo[v] + feat[v].emo;
        p_content[v + 1] = p_content[v] + content;
        p_brand[v + 1] = p_brand[v] + brand[v];
        for (size_t cc = t->sentences[v].first_cue + 1; cc <= t->sentences[v].last_cue; cc++)
            cross[cc] = 1;
    }
    /* Previous occurrence of each content token's word. */
    for (size_t i = 0; i < c.ids.nvocab; i++)
        last_of[i] = -1;
    for (size_t v = 0; v < ns; v++)
        for (size_t g = c.ids.unit_off[v]; g < c.ids.unit_off[v + 1]; g++) {
            tok_sent[g] = v;
            prev[g] = -1;
            if (d->tokens[g].stop)
                continue;
            int32_t id = c.ids.ids[g];
            prev[g] = last_of[id];
            last_of[id] = (ptrdiff_t)g;
        }
    {
        size_t v = 0;
        for (size_t a = 0; a <= nc; a++) {
            while (v < ns && t->sentences[v].first_cue < a)
                v++;
            s_lo[a] = v;
        }
        ptrdiff_t h = -1;
        for (size_t b = 0; b < nc; b++) {
            while ((size_t)(h + 1) < ns && t->sentences[h + 1].last_cue <= b)
                h++;
            s_hi[b] = h;
        }
    }

    /* Enumerate windows. Pass 0 keeps those inside [min, max]; when none
     * does, pass 1 takes from each start the longest window <= max (or the
     * single cue when it alone is longer). */
    double max_density = 0;
    for (int pass = 0; pass < 2 && ncands == 0; pass++) {
        for (size_t a = 0; a < nc; a++) {
            int64_t start = t->cues[a].start_ms, end = start;
            size_t distinct = 0, fresh = 0, g_done = 0, G0 = 0;
            double qmax = 0;
            size_t lo = s_lo[a];
            if (lo < ns)
                G0 = c.ids.unit_off[lo];
            g_done = G0;
            ptrdiff_t last_taken = -1;
            for (size_t b = a; b < nc && b < a + MAX_WINDOW_CUES; b++) {
                int64_t e = t->cues[b].end_ms > end ? t->cues[b].end_ms : end;
                int64_t len = e - start;
                if (len > max_ms && !(pass == 1 && b == a))
                    break;
                end = e;
                /* Grow the incremental word counts to the sentences now inside. */
                ptrdiff_t hi = s_hi[b];
                if (hi >= (ptrdiff_t)lo) {
                    size_t G1 = c.ids.unit_off[hi + 1];
                    for (size_t g = g_done; g < G1; g++) {
                        if (d->tokens[g].stop || (prev[g] >= (ptrdiff_t)G0))
                            continue;
                        distinct++;
                        if (prev[g] < 0 ||
                            t->sentences[tok_sent[prev[g]]].end_ms < start - CONTEXT_MS)
                            fresh++;
                    }
                    for (ptrdiff_t v = last_taken < (ptrdiff_t)lo ? (ptrdiff_t)lo : last_taken + 1;
                         v <= hi; v++)
                        if (feat[v].quote > qmax)
                            qmax = feat[v].quote;
                    last_taken = hi;
                    g_done = G1;
                }
                int in_range = len >= min_ms && len <= max_ms;
                int take;
                if (pass == 0)
                    take = in_range;
                else {
                    int64_t next = b + 1 < nc && b + 1 < a + MAX_WINDOW_CUES
                                       ? (t->cues[b + 1].end_ms > end ? t->cues[b + 1].end_ms
                                                                      : end) - start
                                       : max_ms + 1;
                    take = next > max_ms; /* the longest that still fits */
                }
                if (!take)
                    continue;
                if (hi < (ptrdiff_t)lo)
                    continue; /* no whole sentence: nothing to score */
                size_t content = p_content[hi + 1] - p_content[lo];
                if (content == 0)
                    continue;
                if (ncands == capc) {
                    size_t nc2 = capc ? capc * 2 : 1024;
                    cand *nw = realloc(cands, nc2 * sizeof *nw);
                    if (!nw) {
                        rb_err_set(err, 500, "internal_error", "out of memory");
                        goto done;
                    }
                    cands = nw;
                    capc = nc2;
                }
                cand *x = &cands[ncands++];
                memset(x, 0, sizeof *x);
                x->a = a;
                x->b = b;
                x->s0 = lo;
                x->s1 = (size_t)hi;
                x->start = start;
                x->end = end;
                x->complete = !cross[a] && (b + 1 == nc || !cross[b + 1]);
                x->brand = p_brand[hi + 1] - p_brand[lo] > 0;
                size_t nsent = (size_t)hi - lo + 1;
                x->density = (p_mass[hi + 1] - p_mass[lo]) / ((double)content + 3.0);
                if (x->density > max_density)
                    max_density = x->density;
                x->comp[RB_MOMENTS_NOVELTY] = distinct ? (double)fresh / (double)distinct : 0;
                x->comp[RB_MOMENTS_EMOTION] = (p_emo[hi + 1] - p_emo[lo]) / (double)nsent;
                x->comp[RB_MOMENTS_QUOTABILITY] = 0.6 * qmax + 0.4 * !feat[lo].dangling;
                if (pass == 1)
                    break;
            }
        }
    }
    for (size_t i = 0; i < ncands; i++) {
        cand *x = &cands[i];
        x->comp[RB_MOMENTS_SALIENCE] = max_density > 0 ? x->density / max_density : 0;
        double s = 0;
        for (int k = 0; k < RB_MOMENTS_NCOMP; k++) {
            if (x->comp[k] < 0)
                x->comp[k] = 0;
            if (x->comp[k] > 1)
                x->comp[k] = 1;
            s += w[k] * x->comp[k];
        }
        if (!x->complete)
            s *= CUT_SENTENCE_FACTOR;
        if (x->brand)
            s += brand_boost;
        x->score = s < 0 ? 0 : s > 1 ? 1 : s;
    }

    /* Greedy best-first with MMR. After each pick, every live candidate's
     * similarity to the new moment (share of its content words whose word the
     * moment says; one prefix sum over the tokens makes that O(1) per
     * candidate) raises its cached maximum, and overlapping candidates die.
     * A candidate's adjusted score never exceeds its own score, so the scan
     * of the score-sorted list stops once scores fall below the best
     * adjusted score seen. */
    dead = calloc(ncands ? ncands : 1, 1);
    maxsim = calloc(ncands ? ncands : 1, sizeof *maxsim);
    pref = malloc((c.ntok + 1) * sizeof *pref);
    items = calloc(maxm, sizeof *items);
    if (!dead || !maxsim || !pref || !items) {
        rb_err_set(err, 500, "internal_error", "out of memory");
        goto done;
    }
    keys = malloc((ncands ? ncands : 1) * sizeof *keys);
    if (!keys) {
        rb_err_set(err, 500, "internal_error", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ncands; i++) {
        keys[i].score = cands[i].score;
        keys[i].idx = i;
    }
    if (ncands)
        qsort(keys, ncands, sizeof *keys, cmp_key);
    /* dead[] and maxsim[] are indexed by candidate (enumeration order), so
     * the update after each pick walks memory in order. */
    size_t npicked = 0;
    while (npicked < maxm) {
        double best_adj = -1e9;
        size_t best = ncands;
        for (size_t r = 0; r < ncands; r++) {
            size_t i = keys[r].idx;
            if (dead[i])
                continue;
            if (keys[r].score <= best_adj)
                break;
            double adj = keys[r].score - MMR_LAMBDA * maxsim[i];
            if (adj > best_adj) {
                best_adj = adj;
                best = i;
            }
        }
        if (best == ncands)
            break;
        dead[best] = 1;
        const cand *x = &cands[best];
        rb_moment *m = &items[npicked];
        m->first_cue = x->a;
        m->last_cue = x->b;
        m->start_ms = x->start;
        m->end_ms = x->end;
        m->score = x->score;
        memcpy(m->comp, x->comp, sizeof m->comp);
        npicked++;
        if (npicked == maxm)
            break;
        /* Words of the new moment, then the prefix count of tokens saying one. */
        uint32_t stamp = (uint32_t)npicked;
        size_t G0 = c.ids.unit_off[x->s0], G1 = c.ids.unit_off[x->s1 + 1];
        for (size_t g = G0; g < G1; g++)
            if (!d->tokens[g].stop)
                picked_mark[c.ids.ids[g]] = stamp;
        pref[0] = 0;
        for (size_t g = 0; g < c.ntok; g++)
            pref[g + 1] = pref[g] + (!d->tokens[g].stop && picked_mark[c.ids.ids[g]] == stamp);
        for (size_t i = 0; i < ncands; i++) {
            if (dead[i])
                continue;
            const cand *y = &cands[i];
            if (y->start < x->end && x->start < y->end) {
                dead[i] = 1;
                continue;
            }
            size_t content = p_content[y->s1 + 1] - p_content[y->s0];
            size_t shared = pref[c.ids.unit_off[y->s1 + 1]] - pref[c.ids.unit_off[y->s0]];
            double sim = content ? (double)shared / (double)content : 0;
            if (sim > maxsim[i])
                maxsim[i] = sim;
        }
    }

    /* The document's noun phrases, once for every moment described. */
    if (npicked > 0 && doc_nps(&c, err) != RB_OK)
        goto done;
    size_t kept = 0;
    for (size_t i = 0; i < npicked; i++) {
        int drc = describe(&c, o.title_style, &items[i], err);
        if (drc == RB_NOTFOUND) {
            rb_moment_clear(&items[i]);
            continue;
        }
        if (drc != RB_OK) {
            for (size_t k = 0; k <= i; k++)
                rb_moment_clear(&items[k]);
            goto done;
        }
        items[kept++] = items[i];
    }
    npicked = kept;
    qsort(items, npicked, sizeof *items, cmp_moment);
    out->items = items;
    out->n = npicked;
    items = NULL;
    rc = RB_OK;
done:
    free(items);
    free(dead);
    free(maxsim);
    free(keys);
    free(pref);
    free(cands);
    free(mass);
    free(p_mass);
    free(p_emo);
    free(p_content);
    free(p_brand);
    free(feat);
    free(brand);
    free(s_lo);
    free(s_hi);
    free(cross);
    free(prev);
    free(tok_sent);
    free(last_of);
    free(picked_mark);
    rb_summarize_phrases_free(c.np, c.nnp);
    rb_text_ids_free(&c.ids);
    return rc;
}
