/* profanity.c — expands the lexicon into every inflected form and answers
 * whole-word lookups by binary search.
 *
 * The expansion runs once (pthread_once) into one malloc'd block that lives
 * for the process: it is a few kilobytes and every lookup needs it. */
#include "ai/profanity.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#define RB_PF_MAX_WORD 48   /* longest form we spell; longer bases are skipped */

typedef struct rb_pf_form {
    const char *word;
    int severity;
} rb_pf_form;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static rb_pf_form *g_forms;
static size_t g_nforms;
static char *g_pool;

/* A growing list used only during the one-time build. */
typedef struct rb_pf_build {
    rb_pf_form *forms;
    size_t n, cap;
    char *pool;
    size_t used, poolcap;
    int failed;
} rb_pf_build;

static void add_form(rb_pf_build *b, const char *w, size_t len, int severity)
{
    if (b->failed || len == 0 || len >= RB_PF_MAX_WORD)
        return;
    if (b->n == b->cap || b->used + len + 1 > b->poolcap) {
        /* The pool is sized up front from the lexicon, so running out means
         * a bug in the estimate; failing closed (fewer forms) beats a crash. */
        b->failed = 1;
        return;
    }
    memcpy(b->pool + b->used, w, len);
    b->pool[b->used + len] = '\0';
    b->forms[b->n].word = b->pool + b->used;
    b->forms[b->n].severity = severity;
    b->n++;
    b->used += len + 1;
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Adds base+suffix, applying the three English spelling rules the lexicon
 * relies on: a final silent e is dropped before a vowel suffix (douche ->
 * douchey is listed explicitly instead), consonant+y becomes i before a
 * suffix other than "ing", and DOUBLE repeats the last consonant before a
 * vowel suffix. */
static void add_suffixed(rb_pf_build *b, const char *base, int flags, const char *suffix, int severity)
{
    char w[RB_PF_MAX_WORD * 2];
    size_t bl = strlen(base), sl = strlen(suffix);
    if (bl == 0 || bl + sl + 2 >= sizeof w)
        return;
    memcpy(w, base, bl);
    size_t n = bl;
    char last = base[bl - 1];
    int vowel_suffix = is_vowel(suffix[0]) || suffix[0] == 'y';
    if (vowel_suffix && last == 'e' && !(bl >= 2 && base[bl - 2] == 'e')) {
        n--;                                  /* whore -> whoring */
    }
    else if (last == 'y' && bl >= 2 && !is_vowel(base[bl - 2]) && strncmp(suffix, "in", 2) != 0) {
        w[n - 1] = 'i';                       /* pussy -> pussies */
        if (suffix[0] == 's')
            suffix = "es";
    }
    else if (vowel_suffix && (flags & RB_PF_DOUBLE)) {
        w[n++] = last;                        /* shit -> shitty */
    }
    memcpy(w + n, suffix, strlen(suffix));
    n += strlen(suffix);
    add_form(b, w, n, severity);
}

static void add_plural(rb_pf_build *b, const char *base, int flags, int severity)
{
    size_t bl = strlen(base);
    const char *sfx = "s";
    if (bl >= 1 && (base[bl - 1] == 's' || base[bl - 1] == 'x' || base[bl - 1] == 'z'))
        sfx = "es";
    if (bl >= 2 && base[bl - 1] == 'h' && (base[bl - 2] == 's' || base[bl - 2] == 'c'))
        sfx = "es";
    /* Plural never doubles: "shits", not "shitts". */
    add_suffixed(b, base, flags & ~RB_PF_DOUBLE, sfx, severity);
}

static void expand_entry(rb_pf_build *b, const rb_profanity_entry *e)
{
    int sev = e->severity, f = e->flags;
    add_form(b, e->base, strlen(e->base), sev);
    if (f & RB_PF_S)
        add_plural(b, e->base, f, sev);
    if (f & RB_PF_ED) {
        size_t bl = strlen(e->base);
        if (bl && e->base[bl - 1] == 'e')
            add_suffixed(b, e->base, 0, "d", sev);   /* arse -> arsed */
        else
            add_suffixed(b, e->base, f, "ed", sev);
    }
    if (f & RB_PF_ING) {
        add_suffixed(b, e->base, f, "ing", sev);
        add_suffixed(b, e->base, f, "in", sev);     /* fuckin (and fuckin' in text) */
    }
    if (f & RB_PF_ER) {
        add_suffixed(b, e->base, f, "er", sev);
        add_suffixed(b, e->base, f, "ers", sev);
    }
    if (f & RB_PF_Y)
        add_suffixed(b, e->base, f, "y", sev);
    if (e->extra) {
        const char *p = e->extra;
        while (*p) {
            while (*p == ' ')
                p++;
            const char *s = p;
            while (*p && *p != ' ')
                p++;
            if (p > s)
                add_form(b, s, (size_t)(p - s), sev);
        }
    }
}

static int cmp_form(const void *a, const void *b)
{
    return strcmp(((const rb_pf_form *)a)->word, ((const rb_pf_form *)b)->word);
}

static void build_once(void)
{
    rb_pf_build b = { 0 };
    size_t pool = 0, maxforms = 0;
    for (size_t i = 0; i < rb_profanity_lexicon_len; i++) {
        const rb_profanity_entry *e = &rb_profanity_lexicon[i];
        /* Each rule adds at most base+4 bytes; extras are counted as listed. */
        pool += 10 * (strlen(e->base) + 6);
        maxforms += 10;
        if (e->extra) {
            pool += strlen(e->extra) + 1;
            for (const char *p = e->extra; *p; p++)
                maxforms += (*p == ' ');
            maxforms++;
        }
    }
    b.forms = malloc(maxforms * sizeof *b.forms);
    b.pool = malloc(pool);
    b.cap = maxforms;
    b.poolcap = pool;
    if (!b.forms || !b.pool) {
        free(b.forms);
        free(b.pool);
        return;     /* no table: every lookup answers "not profane" */
    }
    for (size_t i = 0; i < rb_profanity_lexicon_len; i++)
        expand_entry(&b, &rb_profanity_lexicon[i]);
    qsort(b.forms, b.n, sizeof *b.forms, cmp_form);
    /* Collapse duplicates, keeping the highest severity. */
    size_t w = 0;
    for (size_t i = 0; i < b.n; i++) {
        if (w > 0 && strcmp(b.forms[w - 1].word, b.forms[i].word) == 0) {
            if (b.forms[i].severity > b.forms[w - 1].severity)
                b.forms[w - 1].severity = b.forms[i].severity;
            continue;
        }
        b.forms[w++] = b.forms[i];
    }
    g_forms = b.forms;
    g_nforms = w;
    g_pool = b.pool;
}

static void ensure_built(void)
{
    pthread_once(&g_once, build_once);
}

int rb_profanity_severity_folded(const char *word, size_t len)
{
    char key[RB_PF_MAX_WORD];
    if (!word || len == 0 || len >= sizeof key)
        return RB_PROFANITY_NONE;
    ensure_built();
    memcpy(key, word, len);
    key[len] = '\0';
    size_t lo = 0, hi = g_nforms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, g_forms[mid].word);
        if (c == 0)
            return g_forms[mid].severity;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return RB_PROFANITY_NONE;
}

int rb_profanity_severity(const char *word, size_t len)
{
    if (!word || len == 0 || len > 4 * RB_PF_MAX_WORD)
        return RB_PROFANITY_NONE;
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)word, (utf8proc_ssize_t)len, &folded,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                      UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    if (n < 0)
        return RB_PROFANITY_NONE;     /* invalid UTF-8 is never a lexicon word */
    int sev = rb_profanity_severity_folded((const char *)folded, (size_t)n);
    free(folded);
    return sev;
}

size_t rb_profanity_base_count(void)
{
    return rb_profanity_lexicon_len;
}

const char *rb_profanity_base(size_t i, int *severity)
{
    if (i >= rb_profanity_lexicon_len)
        return NULL;
    if (severity)
        *severity = rb_profanity_lexicon[i].severity;
    return rb_profanity_lexicon[i].base;
}

size_t rb_profanity_form_count(void)
{
    ensure_built();
    return g_nforms;
}

const char *rb_profanity_form(size_t i)
{
    ensure_built();
    return i < g_nforms ? g_forms[i].word : NULL;
}

int rb_profanity_detect_folded(const char *word, size_t len)
{
    return rb_profanity_severity_folded(word, len) != RB_PROFANITY_NONE;
}
