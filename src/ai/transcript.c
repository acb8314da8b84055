/* transcript.c — the shared transcript model (see transcript.h, docs/transcript.md). */
#include "ai/transcript.h"

#include <ctype.h>
#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include "ai/stopwords.h"
#include "common/buf.h"

/* ---- track choice ----------------------------------------------------- */

void rb_transcript_primary_lang(const char *code, char *out, size_t outlen)
{
    size_t n = 0;
    if (!out || outlen == 0)
        return;
    if (code)
        for (; code[n] && code[n] != '-' && code[n] != '_' && n + 1 < outlen; n++)
            out[n] = (char)tolower((unsigned char)code[n]);
    out[n] = '\0';
}

/* A track a text workflow may read: ready subtitles (text_type "" counts as
 * subtitles, as tracks uploaded without a type are). */
static int usable(const rb_track *t)
{
    return strcmp(t->type, "text") == 0 && strcmp(t->status, "ready") == 0 &&
           (t->text_type[0] == '\0' || strcmp(t->text_type, "subtitles") == 0);
}

static int primary_equal(const char *a, const char *b)
{
    char pa[16], pb[16];
    rb_transcript_primary_lang(a, pa, sizeof pa);
    rb_transcript_primary_lang(b, pb, sizeof pb);
    return pa[0] && strcmp(pa, pb) == 0;
}

int rb_transcript_pick_track(const rb_asset *a, const char *language_code,
                             const rb_track **out, rb_err *err)
{
    const rb_track *first = NULL;
    size_t nusable = 0;
    int has_audio = 0, has_video = 0;
    *out = NULL;
    for (size_t i = 0; i < a->n_tracks; i++) {
        const rb_track *t = &a->tracks[i];
        if (strcmp(t->type, "audio") == 0 && strcmp(t->status, "deleted") != 0)
            has_audio = 1;
        if (strcmp(t->type, "video") == 0 && strcmp(t->status, "deleted") != 0)
            has_video = 1;
        if (!usable(t))
            continue;
        nusable++;
        if (!first)
            first = t;
    }
    if (language_code && *language_code) {
        /* An exact tag wins over a primary-subtag match, so "en-GB" picks the
         * en-GB track even when an en-US track comes first. */
        for (size_t i = 0; i < a->n_tracks; i++)
            if (usable(&a->tracks[i]) && strcasecmp(a->tracks[i].language_code, language_code) == 0) {
                *out = &a->tracks[i];
                return RB_OK;
            }
        for (size_t i = 0; i < a->n_tracks; i++)
            if (usable(&a->tracks[i]) && primary_equal(a->tracks[i].language_code, language_code)) {
                *out = &a->tracks[i];
                return RB_OK;
            }
        if (has_audio && !has_video && nusable == 1) {
            *out = first;
            return RB_OK;
        }
        return rb_err_set(err, 422, "invalid_parameters",
                          "asset %s has no ready subtitles text track in language '%s'", a->id,
                          language_code);
    }
    for (size_t i = 0; i < a->n_tracks; i++)
        if (usable(&a->tracks[i]) && primary_equal(a->tracks[i].language_code, "en")) {
            *out = &a->tracks[i];
            return RB_OK;
        }
    if (first) {
        *out = first;
        return RB_OK;
    }
    return rb_err_set(err, 422, "invalid_parameters",
                      "asset %s has no ready text track (no language_code given, English "
                      "preferred)", a->id);
}

/* ---- cue text cleaning ------------------------------------------------ */

static int put_cp(rb_buf *b, int32_t cp)
{
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, tmp);
    if (n <= 0)
        return RB_OK; /* not a valid code point: drop it */
    return rb_buf_append(b, tmp, (size_t)n);
}

/* Decodes the entity at s (s[0] == '&'). Returns the bytes consumed (0 when
 * it is not an entity we know; the '&' is then kept literally). */
static size_t decode_entity(const char *s, rb_buf *b, int *rc)
{
    static const struct { const char *name; int32_t cp; } named[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
        {"nbsp", ' '}, /* a no-break space only matters for layout: plain space */
        {"lrm", 0x200E}, {"rlm", 0x200F},
    };
    const char *semi = NULL;
    size_t n;
    /* Entities are short; look for the ';' within 12 bytes, stopping at the
     * end of the string. */
    for (size_t i = 1; i < 12 && s[i]; i++)
        if (s[i] == ';') {
            semi = s + i;
            break;
        }
    if (!semi)
        return 0;
    n = (size_t)(semi - s - 1);
    if (n >= 2 && s[1] == '#') {
        char digits[12];
        int hex = (s[2] == 'x' || s[2] == 'X');
        size_t off = hex ? 3 : 2;
        char *end = NULL;
        long v;
        if (n + 1 - off == 0 || n + 1 - off >= sizeof digits)
            return 0;
        memcpy(digits, s + off, n + 1 - off);
        digits[n + 1 - off] = '\0';
        v = strtol(digits, &end, hex ? 16 : 10);
        if (*end || v <= 0 || v > 0x10FFFF)
            return 0;
        *rc = put_cp(b, (int32_t)v);
        return n + 2;
    }
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strlen(named[i].name) == n && memcmp(s + 1, named[i].name, n) == 0) {
            *rc = put_cp(b, named[i].cp);
            return n + 2;
        }
    return 0;
}

/* Strips tags, decodes entities, joins lines and collapses white space.
 * A <v Name> voice span's name goes to *voice (first one only). */
static int clean_text(const char *in, rb_buf *out, char **voice)
{
    int rc = RB_OK;
    for (const char *p = in; *p && rc == RB_OK;) {
        if (*p == '<') {
            const char *gt = strchr(p, '>');
            if (!gt)
                break; /* an unterminated tag runs to the end of the cue */
            if ((p[1] == 'v' || p[1] == 'V') && (p[2] == ' ' || p[2] == '.' || p[2] == '\t') &&
                !*voice) {
                const char *sp = p + 2;
                while (sp < gt && *sp != ' ' && *sp != '\t')
                    sp++; /* skip classes (<v.loud Name>) */
                while (sp < gt && (*sp == ' ' || *sp == '\t'))
                    sp++;
                size_t n = (size_t)(gt - sp);
                while (n > 0 && (sp[n - 1] == ' ' || sp[n - 1] == '\t'))
                    n--;
                if (n > 0 && !(*voice = strndup(sp, n)))
                    return RB_ERR;
            }
            /* A tag may separate words ("a<br>b" does not occur in VTT, but
             * timestamp tags do sit between words): nothing is inserted, the
             * writer's own spaces are kept. */
            p = gt + 1;
        } else if (*p == '&') {
            size_t used = decode_entity(p, out, &rc);
            if (used == 0) {
                rc = rb_buf_putc(out, '&');
                used = 1;
            }
            p += used;
        } else if (*p == '\n' || *p == '\r' || *p == '\t') {
            rc = rb_buf_putc(out, ' ');
            p++;
        } else {
            rc = rb_buf_putc(out, *p);
            p++;
        }
    }
    if (rc != RB_OK)
        return rc;
    /* Collapse runs of spaces and trim, in place. */
    size_t w = 0;
    for (size_t r = 0; r < out->len; r++) {
        if (out->data[r] == ' ' && (w == 0 || out->data[w - 1] == ' '))
            continue;
        out->data[w++] = out->data[r];
    }
    while (w > 0 && out->data[w - 1] == ' ')
        w--;
    out->len = w;
    if (out->data)
        out->data[w] = '\0';
    return RB_OK;
}

/* Bracketed cue-start words that describe a sound, never a speaker
 * (compared case-insensitively with the whole label). */
static const char *const sound_labels[] = {
    "music",      "applause", "laughter", "laughs",   "laughing",      "silence",
    "noise",      "inaudible", "crosstalk", "cheering", "cheers",       "sighs",
    "sigh",       "coughs",   "cough",    "chuckles", "chuckling",     "gasps",
    "indistinct", "unintelligible", "foreign", "background noise", "music playing",
    "upbeat music", "no audio", "static", "beep",     "bell",          "door closes",
    "phone rings", "footsteps", "whistle", "singing",  "screaming",     "sound effect",
    NULL};

/* 1 when the n bytes at s read as a name ("Alice", "Dr. Mary Ann",
 * "Host", "José"): up to four words of letters, digits, '.', '-', '\'' or
 * '_', starting with a capital (or a non-ASCII letter), not a sound word. */
static int name_like(const char *s, size_t n)
{
    if (n == 0 || n > 48)
        return 0;
    unsigned char c0 = (unsigned char)s[0];
    if (!((c0 >= 'A' && c0 <= 'Z') || c0 >= 0x80))
        return 0;
    int words = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ') {
            if (i + 1 < n && s[i + 1] == ' ')
                return 0;
            words++;
            continue;
        }
        if (!(isalnum(c) || c >= 0x80 || c == '.' || c == '-' || c == '\'' || c == '_'))
            return 0;
    }
    if (words > 4)
        return 0;
    for (int k = 0; sound_labels[k]; k++)
        if (strlen(sound_labels[k]) == n && strncasecmp(sound_labels[k], s, n) == 0)
            return 0;
    return 1;
}

/* "[speaker_0] text" or "[Alice] text": a bracketed label at the start of a
 * cue that names a speaker — "speaker" followed by an optional separator and
 * an id (what speech recognition writes), or a name (what edit-captions'
 * speaker_replacements turn those into). Other bracketed text such as
 * "[Music]" is a sound description and stays in the text, and so does a
 * label with no words after it. */
static size_t speaker_label(const char *s, char **speaker)
{
    const char *close;
    size_t n;
    if (s[0] != '[')
        return 0;
    close = strchr(s, ']');
    if (!close || close - s > 64)
        return 0;
    n = (size_t)(close - s - 1);
    int ok = 0;
    if (n > 7 && strncasecmp(s + 1, "speaker", 7) == 0) {
        ok = 1;
        for (size_t i = 7; i < n; i++) {
            char c = s[1 + i];
            if (!isalnum((unsigned char)c) && !(i == 7 && (c == '_' || c == ' ' || c == '-')))
                ok = 0;
        }
    }
    if (!ok && !name_like(s + 1, n))
        return 0;
    const char *rest = close + 1;
    while (*rest == ' ')
        rest++;
    if (!*rest && !ok)
        return 0;
    if (!(*speaker = strndup(s + 1, n)))
        return (size_t)-1;
    return (size_t)(rest - s);
}

/* ---- tokens ----------------------------------------------------------- */

struct tokctx {
    char lang[16];           /* primary subtag, "en" by default */
    UBreakIterator *words;
    struct sb_stemmer *stemmer; /* NULL when libstemmer has no such language */
};

static int tokctx_open(struct tokctx *c, const char *language_code, rb_err *err)
{
    UErrorCode st = U_ZERO_ERROR;
    memset(c, 0, sizeof *c);
    rb_transcript_primary_lang(language_code, c->lang, sizeof c->lang);
    if (!c->lang[0])
        snprintf(c->lang, sizeof c->lang, "en");
    c->words = ubrk_open(UBRK_WORD, c->lang, NULL, 0, &st);
    if (U_FAILURE(st))
        return rb_err_set(err, 500, "internal_error", "ICU word break iterator: %s",
                          u_errorName(st));
    /* One stemmer per build: Snowball stemmers keep per-call state and are
     * not thread-safe, and creating one costs microseconds. */
    c->stemmer = sb_stemmer_new(c->lang, "UTF_8");
    return RB_OK;
}

static void tokctx_close(struct tokctx *c)
{
    if (c->words)
        ubrk_close(c->words);
    if (c->stemmer)
        sb_stemmer_delete(c->stemmer);
}

void rb_transcript_tokens_free(rb_transcript_token *toks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(toks[i].norm);
        free(toks[i].stem);
    }
    free(toks);
}

/* NFKC + case fold (+ default-ignorables dropped), then U+2019 -> '\'' so
 * "don’t" and "don't" are the same word. */
static char *normalize(const char *s, size_t len)
{
    return rb_transcript_fold(s, len, NULL);
}

char *rb_transcript_fold(const char *s, size_t len, size_t *outlen)
{
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &dst,
                                      UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                          UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    if (n < 0)
        return NULL;
    char *r = (char *)dst;
    size_t w = 0;
    for (size_t i = 0; i < (size_t)n; i++) {
        if ((unsigned char)r[i] == 0xE2 && i + 2 < (size_t)n && (unsigned char)r[i + 1] == 0x80 &&
            (unsigned char)r[i + 2] == 0x99) {
            r[w++] = '\'';
            i += 2;
        } else {
            r[w++] = r[i];
        }
    }
    r[w] = '\0';
    if (outlen)
        *outlen = w;
    return r;
}

/* 1 when the UTF-8 text holds a letter or a digit (categories L and N). */
static int has_letter_or_digit(const char *s, size_t len)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t left = (utf8proc_ssize_t)len;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0)
            return 1; /* let normalisation report invalid input */
        utf8proc_category_t c = utf8proc_category(cp);
        if ((c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
            (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO))
            return 1;
        p += n;
        left -= n;
    }
    return 0;
}

static int tokenize(struct tokctx *c, const char *text, rb_transcript_token **out, size_t *nout,
                    rb_err *err)
{
    UErrorCode st = U_ZERO_ERROR;
    size_t len = strlen(text), n = 0, cap = 0;
    rb_transcript_token *toks = NULL;
    UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &st);
    *out = NULL;
    *nout = 0;
    if (U_FAILURE(st))
        return rb_err_set(err, 500, "internal_error", "ICU utext: %s", u_errorName(st));
    ubrk_setUText(c->words, ut, &st);
    if (U_FAILURE(st)) {
        utext_close(ut);
        return rb_err_set(err, 500, "internal_error", "ICU word break: %s", u_errorName(st));
    }
    int32_t b = ubrk_first(c->words);
    for (int32_t e = ubrk_next(c->words); e != UBRK_DONE; b = e, e = ubrk_next(c->words)) {
        int32_t status = ubrk_getRuleStatus(c->words);
        if (status < UBRK_WORD_NUMBER || status >= UBRK_WORD_IDEO_LIMIT)
            continue; /* spaces, punctuation, symbols */
        /* ICU joins connector punctuation into words ("____", the masked
         * word edit-captions writes, is one); a word has a letter or a
         * digit. */
        if (!has_letter_or_digit(text + b, (size_t)(e - b)))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            rb_transcript_token *t = realloc(toks, ncap * sizeof *t);
            if (!t)
                goto oom;
            toks = t;
            cap = ncap;
        }
        rb_transcript_token *t = &toks[n];
        memset(t, 0, sizeof *t);
        t->offset = (size_t)b;
        t->len = (size_t)(e - b);
        if (!(t->norm = normalize(text + b, t->len)))
            goto oom;
        n++;
        t->is_stop = rb_stopwords_is_stop(c->lang, t->norm, strlen(t->norm));
        if (c->stemmer) {
            const sb_symbol *s = sb_stemmer_stem(c->stemmer, (const sb_symbol *)t->norm,
                                                 (int)strlen(t->norm));
            if (!s)
                goto oom;
            t->stem = strndup((const char *)s, (size_t)sb_stemmer_length(c->stemmer));
        } else {
            t->stem = strdup(t->norm);
        }
        if (!t->stem)
            goto oom;
    }
    utext_close(ut);
    *out = toks;
    *nout = n;
    return RB_OK;
oom:
    utext_close(ut);
    rb_transcript_tokens_free(toks, n);
    return rb_err_set(err, 500, "internal_error", "out of memory while tokenising");
}

int rb_transcript_tokenize(const char *text, const char *language_code,
                           rb_transcript_token **out, size_t *n, rb_err *err)
{
    struct tokctx c;
    int rc = tokctx_open(&c, language_code, err);
    if (rc == RB_OK)
        rc = tokenize(&c, text ? text : "", out, n, err);
    tokctx_close(&c);
    return rc;
}

/* ---- build ------------------------------------------------------------ */

void rb_transcript_free(rb_transcript *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncues; i++) {
        free(t->cues[i].text);
        free(t->cues[i].speaker);
    }
    free(t->cues);
    for (size_t i = 0; i < t->nsentences; i++) {
        free(t->sentences[i].text);
        rb_transcript_tokens_free(t->sentences[i].tokens, t->sentences[i].ntokens);
    }
    free(t->sentences);
    free(t);
}

struct order {
    const rb_vtt_block *b;
    size_t idx;
};

/* Start time, then file order: out-of-order files still read in time order,
 * and equal starts keep the writer's order (qsort alone is not stable). */
static int cmp_order(const void *x, const void *y)
{
    const struct order *a = x, *b = y;
    if (a->b->start_ms != b->b->start_ms)
        return a->b->start_ms < b->b->start_ms ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int oom(rb_err *err)
{
    return rb_err_set(err, 500, "internal_error", "out of memory while building the transcript");
}

/* Keeps the cues of vtt that overlap [lo, hi) (hi < 0: no end), cleaned. */
static int collect_cues(const rb_vtt *vtt, int64_t lo, int64_t hi, rb_transcript *t, rb_err *err)
{
    struct order *ord = malloc((vtt->ncues ? vtt->ncues : 1) * sizeof *ord);
    size_t n = 0;
    int rc = RB_OK;
    rb_buf b;
    if (!ord)
        return oom(err);
    for (size_t i = 0; i < vtt->nblocks; i++) {
        const rb_vtt_block *blk = &vtt->blocks[i];
        if (blk->kind != RB_VTT_CUE || n >= vtt->ncues)
            continue;
        if (blk->end_ms <= lo || (hi >= 0 && blk->start_ms >= hi))
            continue; /* outside the scope window [lo, hi) */
        ord[n].b = blk;
        ord[n].idx = i;
        n++;
    }
    qsort(ord, n, sizeof *ord, cmp_order);
    t->cues = calloc(n ? n : 1, sizeof *t->cues);
    if (!t->cues) {
        free(ord);
        return oom(err);
    }
    rb_buf_init(&b, RB_TRANSCRIPT_MAX_TEXT);
    for (size_t i = 0; i < n && rc == RB_OK; i++) {
        char *voice = NULL, *speaker = NULL;
        rb_buf_reset(&b);
        int crc = clean_text(ord[i].b->text ? ord[i].b->text : "", &b, &voice);
        if (crc != RB_OK) {
            free(voice);
            rc = crc == RB_TOOBIG ? rb_err_set(err, 422, "invalid_parameters",
                                             "caption text exceeds %zu bytes",
                                             RB_TRANSCRIPT_MAX_TEXT)
                                : oom(err);
            break;
        }
        const char *txt = rb_buf_cstr(&b);
        size_t skip = speaker_label(txt, &speaker);
        if (skip == (size_t)-1) {
            free(voice);
            rc = oom(err);
            break;
        }
        txt += skip;
        if (!*txt) {
            free(voice);
            free(speaker);
            continue; /* only tags or a label: nothing to read */
        }
        rb_transcript_cue *c = &t->cues[t->ncues];
        c->start_ms = ord[i].b->start_ms;
        c->end_ms = ord[i].b->end_ms;
        c->text = strdup(txt);
        c->speaker = speaker ? speaker : voice ? voice : strdup("");
        if (speaker)
            free(voice);
        t->ncues++;
        if (!c->text || !c->speaker)
            rc = oom(err);
    }
    rb_buf_free(&b);
    free(ord);
    return rc;
}

/* Index of the cue holding byte off of the joined text. */
static size_t cue_at(const size_t *cue_off, size_t ncues, size_t off)
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


/* Abbreviations whose period does not end a sentence, in the four languages
 * with stop words (compared case-sensitively, without the final period).
 * Deliberately short: "etc." and "No." often do end a sentence. */
static const char *const abbreviations[] = {
    "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Jr", "Sr", "Mt", "vs", "e.g", "i.e", "cf", "approx",
    "z.B", "d.h", "u.a", "bzw", "ca", "vgl", "ggf", "evtl", "inkl", "Nr", "Hr", "Fr", "Str",
    "Mme", "Mlle", "Pr", "p.ex", "env", "Sra", "Srta", "Dra", "Ud", "Uds", "p.ej", NULL};

/* 1 when the sentence break at e (after text[b..e)) follows an abbreviation
 * or an initial ("J. Smith"): the word before the break ends in '.', is one
 * capital letter or in the list, and no speaker change ('\n') intervenes. */
static int after_abbreviation(const char *text, size_t b, size_t e)
{
    size_t f = e;
    while (f > b && text[f - 1] == ' ')
        f--;
    if (f == b || text[f - 1] != '.')
        return 0;
    size_t w = f - 1;
    while (w > b && (isalpha((unsigned char)text[w - 1]) || text[w - 1] == '.'))
        w--;
    size_t n = f - 1 - w;
    if (n == 0 || (w > b && ((unsigned char)text[w - 1] >= 0x80)))
        return 0;
    if (n == 1 && text[w] >= 'A' && text[w] <= 'Z')
        return 1;
    for (int i = 0; abbreviations[i]; i++)
        if (strlen(abbreviations[i]) == n && strncmp(abbreviations[i], text + w, n) == 0)
            return 1;
    return 0;
}

static int split_sentences(rb_transcript *t, struct tokctx *tc, rb_err *err)
{
    rb_buf all;
    size_t *cue_off = malloc(t->ncues * sizeof *cue_off);
    size_t cap = 0;
    int rc = RB_OK;
    UErrorCode st = U_ZERO_ERROR;
    UText *ut = NULL;
    UBreakIterator *sb = NULL;
    if (!cue_off)
        return oom(err);
    rb_buf_init(&all, RB_TRANSCRIPT_MAX_TEXT);
    for (size_t i = 0; i < t->ncues && rc == RB_OK; i++) {
        /* A new speaker is a new paragraph, which ICU always breaks at. */
        if (i > 0)
            rc = rb_buf_putc(&all, strcmp(t->cues[i].speaker, t->cues[i - 1].speaker) ? '\n' : ' ');
        cue_off[i] = all.len;
        if (rc == RB_OK)
            rc = rb_buf_puts(&all, t->cues[i].text);
    }
    if (rc != RB_OK) {
        rc = rc == RB_TOOBIG ? rb_err_set(err, 422, "invalid_parameters",
                                          "transcript text exceeds %zu bytes",
                                          RB_TRANSCRIPT_MAX_TEXT)
                             : oom(err);
        goto done;
    }
    ut = utext_openUTF8(NULL, rb_buf_cstr(&all), (int64_t)all.len, &st);
    if (!U_FAILURE(st))
    {
        /* Plain rules; abbreviations are handled by after_abbreviation().
         * ICU's own suppressions ("@ss=standard") are not used: in ICU 72
         * they match an abbreviation as a mere suffix of the word before the
         * period, so with the French and German lists "en blanc. Je" and
         * "größer. Viele" never broke at all. */
        sb = ubrk_open(UBRK_SENTENCE, tc->lang, NULL, 0, &st);
    }
    if (!U_FAILURE(st))
        ubrk_setUText(sb, ut, &st);
    if (U_FAILURE(st)) {
        rc = rb_err_set(err, 500, "internal_error", "ICU sentence break: %s", u_errorName(st));
        goto done;
    }
    const char *text = rb_buf_cstr(&all);
    int32_t b = ubrk_first(sb);
    for (int32_t e = ubrk_next(sb); e != UBRK_DONE; b = e, e = ubrk_next(sb)) {
        /* A break after "Dr." or "e.g." is not a sentence end: keep b and
         * let the sentence run on to the next break. */
        while ((size_t)e < all.len && after_abbreviation(text, (size_t)b, (size_t)e)) {
            int32_t n = ubrk_next(sb);
            if (n == UBRK_DONE)
                break;
            e = n;
        }
        size_t s = (size_t)b, f = (size_t)e;
        while (s < f && (text[s] == ' ' || text[s] == '\n'))
            s++;
        while (f > s && (text[f - 1] == ' ' || text[f - 1] == '\n'))
            f--;
        if (s == f)
            continue;
        if (t->nsentences == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            rb_transcript_sentence *ns = realloc(t->sentences, ncap * sizeof *ns);
            if (!ns) {
                rc = oom(err);
                goto done;
            }
            t->sentences = ns;
            cap = ncap;
        }
        rb_transcript_sentence *snt = &t->sentences[t->nsentences];
        memset(snt, 0, sizeof *snt);
        if (!(snt->text = strndup(text + s, f - s))) {
            rc = oom(err);
            goto done;
        }
        t->nsentences++;
        snt->first_cue = cue_at(cue_off, t->ncues, s);
        snt->last_cue = cue_at(cue_off, t->ncues, f - 1);
        snt->start_ms = t->cues[snt->first_cue].start_ms;
        snt->end_ms = t->cues[snt->last_cue].end_ms;
        rc = tokenize(tc, snt->text, &snt->tokens, &snt->ntokens, err);
        if (rc != RB_OK)
            goto done;
    }
done:
    if (sb)
        ubrk_close(sb);
    if (ut)
        utext_close(ut);
    rb_buf_free(&all);
    free(cue_off);
    return rc;
}

static int64_t sec_to_ms(double s)
{
    return (int64_t)llround(s * 1000.0);
}

int rb_transcript_build(const rb_vtt *vtt, const char *language_code, double scope_start_s,
                        double scope_end_s, rb_transcript **out, rb_err *err)
{
    struct tokctx tc;
    int64_t lo = scope_start_s >= 0 ? sec_to_ms(scope_start_s) : INT64_MIN;
    int64_t hi = scope_end_s >= 0 ? sec_to_ms(scope_end_s) : -1;
    int rc;
    rb_transcript *t = calloc(1, sizeof *t);
    *out = NULL;
    if (!t)
        return oom(err);
    snprintf(t->language, sizeof t->language, "%s", language_code ? language_code : "");
    rc = collect_cues(vtt, lo, hi, t, err);
    if (rc == RB_OK && t->ncues == 0) {
        if (scope_start_s >= 0 || scope_end_s >= 0) {
            char a[24] = "start", z[24] = "end";
            if (scope_start_s >= 0)
                snprintf(a, sizeof a, "%g", scope_start_s);
            if (scope_end_s >= 0)
                snprintf(z, sizeof z, "%g", scope_end_s);
            rc = rb_err_set(err, 422, "invalid_parameters",
                            "output_steering.scope [%s, %s) contains no captions", a, z);
        } else {
            rc = rb_err_set(err, 422, "invalid_parameters", "the caption track has no text");
        }
    }
    if (rc != RB_OK) {
        rb_transcript_free(t);
        return rc;
    }
    t->start_ms = t->cues[0].start_ms;
    for (size_t i = 0; i < t->ncues; i++)
        if (t->cues[i].end_ms > t->end_ms)
            t->end_ms = t->cues[i].end_ms;
    rc = tokctx_open(&tc, language_code, err);
    if (rc == RB_OK)
        rc = split_sentences(t, &tc, err);
    tokctx_close(&tc);
    if (rc == RB_OK && t->nsentences == 0)
        rc = rb_err_set(err, 422, "invalid_parameters", "the caption track has no sentences");
    if (rc != RB_OK) {
        rb_transcript_free(t);
        return rc;
    }
    *out = t;
    return RB_OK;
}
