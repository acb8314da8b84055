/* caption_edit.c — find/replace, speaker renaming and profanity censoring on
 * WebVTT cue text.
 *
 * Every pass works the same way. The cue text is cut into units: one code
 * point, one invalid byte, one character reference (&amp;) or one whole tag
 * (<i>, </i>, <v Bob>). Non-tag units are case-folded one at a time into
 * items, so every item knows the unit (and thus the original bytes) it came
 * from; tags become barrier items that nothing matches. Matches are found on
 * the items, mapped back to unit ranges and the output is rebuilt from the
 * original bytes around them. Working per code point instead of folding the
 * whole string keeps that mapping exact, which whole-string NFKC_Casefold
 * (which composes and reorders) would not. */
#include "media/caption_edit.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "common/buf.h"

/* Item code points that can never equal a real code point. */
#define CP_BARRIER INT32_MIN         /* a tag: matches nothing, not a word character */
#define CP_WS (-2)                   /* in patterns only: one or more whitespace units */
#define CP_INVALID(b) (-1000 - (int32_t)(b))  /* an invalid byte, compared literally */

#define FOLD_INSENSITIVE (UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD)
#define FOLD_SENSITIVE (UTF8PROC_DECOMPOSE)

#define BLANK_TEXT "[____]"

enum unit_kind { U_CHAR, U_INVALID, U_ENTITY, U_TAG };

typedef struct unit {
    size_t start, end;       /* original bytes [start, end) */
    int32_t cp;              /* code point (entities decoded), CP_INVALID(b), or CP_BARRIER for tags */
    enum unit_kind kind;
} unit;

typedef struct item {
    int32_t cp;              /* folded code point */
    uint32_t unit;           /* index of the unit it came from */
    unsigned char first;     /* first item of its unit */
} item;

typedef struct view {
    const char *s;
    size_t len;
    unit *u;
    size_t nu;
    item *it;
    size_t nit;
} view;

typedef struct pattern {
    int32_t *el;             /* folded code points and CP_WS */
    size_t n;
    int check_start;         /* the find starts with a word character: require a boundary before */
    int check_end;           /* ... ends with one: require a boundary after */
} pattern;

enum span_action { ACT_REPLACE, ACT_BLANK, ACT_MASK };

typedef struct span {
    size_t u0, u1;           /* unit range [u0, u1) */
    size_t c0, c1;           /* core range checked against never_censor */
    enum span_action act;
    const char *repl;        /* ACT_REPLACE: plain text, "" deletes */
} span;

typedef struct span_list {
    span *v;
    size_t n, cap;
} span_list;

/* ---- Character classes ---------------------------------------------------- */

static int is_word_cp(int32_t cp)
{
    if (cp < 0)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO;
}

static int is_ws_cp(int32_t cp)
{
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0x85)
        return 1;
    if (cp < 0x80)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

static int unit_is_word(const unit *u)
{
    return u->kind != U_TAG && is_word_cp(u->cp);
}

static int unit_is_ws(const unit *u)
{
    return u->kind != U_TAG && is_ws_cp(u->cp);
}

/* A plain ASCII space or tab written as such (not &nbsp;): what deletion
 * clean-up collapses and what a displaced line break may take the place of. */
static int unit_is_hspace(const view *v, const unit *u)
{
    return u->kind == U_CHAR && (v->s[u->start] == ' ' || v->s[u->start] == '\t');
}

static int unit_is_newline(const unit *u)
{
    return u->kind == U_CHAR && u->cp == '\n';
}

/* ---- Units and items ------------------------------------------------------ */

/* Decodes a character reference at s[0] == '&'. Returns its length (through
 * ';') and sets *cp, or 0 when it is not one we know (then '&' is literal). */
static size_t parse_entity(const char *s, size_t len, int32_t *cp)
{
    static const struct { const char *name; int32_t cp; } named[] = {
        { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "nbsp", 0xA0 },
        { "lrm", 0x200E }, { "rlm", 0x200F }, { "quot", '"' }, { "apos", '\'' },
    };
    size_t semi = 0;
    for (size_t i = 1; i < len && i < 12; i++) {
        if (s[i] == ';') {
            semi = i;
            break;
        }
    }
    if (semi < 2)
        return 0;
    if (s[1] == '#') {
        int32_t v = 0;
        int hex = semi > 2 && (s[2] == 'x' || s[2] == 'X');
        size_t i = hex ? 3 : 2;
        if (i >= semi)
            return 0;
        for (; i < semi; i++) {
            char c = s[i];
            int d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                return 0;
            v = v * (hex ? 16 : 10) + d;
            if (v > 0x10FFFF)
                return 0;
        }
        if (!utf8proc_codepoint_valid(v) || v == 0)
            return 0;
        *cp = v;
        return semi + 1;
    }
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        size_t nl = strlen(named[k].name);
        if (nl == semi - 1 && memcmp(s + 1, named[k].name, nl) == 0) {
            *cp = named[k].cp;
            return semi + 1;
        }
    }
    return 0;
}

static void view_free(view *v)
{
    free(v->u);
    free(v->it);
    v->u = NULL;
    v->it = NULL;
    v->nu = v->nit = 0;
}

/* Folds one code point into out (at least 32 slots). Returns the count. */
static size_t fold_cp(int32_t cp, int options, int32_t *out)
{
    if (cp < 0 || options == 0) {
        out[0] = cp;
        return 1;
    }
    int last_boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, out, 32, (utf8proc_option_t)options, &last_boundclass);
    if (n <= 0 || n > 32) {
        out[0] = cp;
        return 1;
    }
    return (size_t)n;
}

/* Cuts s into units and, when fold_options >= 0, folds them into items.
 * in_vtt: treat '<' as a tag start and '&' as a character reference (cue
 * text); off for `find` strings, which are plain text. */
static int view_build(view *v, const char *s, size_t len, int fold_options, int in_vtt)
{
    memset(v, 0, sizeof *v);
    v->s = s;
    v->len = len;
    v->u = malloc((len + 1) * sizeof *v->u);
    if (!v->u)
        return RB_ERR;
    size_t i = 0;
    while (i < len) {
        unit *u = &v->u[v->nu];
        u->start = i;
        unsigned char c = (unsigned char)s[i];
        if (in_vtt && c == '<') {
            /* An unterminated tag runs to the end of the text, as a WebVTT
             * parser would read it; it is kept verbatim either way. */
            const char *gt = memchr(s + i, '>', len - i);
            u->end = gt ? (size_t)(gt - s) + 1 : len;
            u->cp = CP_BARRIER;
            u->kind = U_TAG;
        }
        else if (in_vtt && c == '&' && (u->end = parse_entity(s + i, len - i, &u->cp)) > 0) {
            u->end += i;
            u->kind = U_ENTITY;
        }
        else {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
            if (n <= 0) {
                u->end = i + 1;
                u->cp = CP_INVALID(c);
                u->kind = U_INVALID;
            }
            else {
                u->end = i + (size_t)n;
                u->cp = cp;
                u->kind = U_CHAR;
            }
        }
        i = u->end;
        v->nu++;
    }
    if (fold_options < 0)
        return RB_OK;
    /* Most code points fold to one; the rare expansions (up to 18 for
     * U+FDFA) grow the array instead of sizing every cue for the worst case. */
    size_t cap = v->nu + 16;
    v->it = malloc(cap * sizeof *v->it);
    if (!v->it) {
        view_free(v);
        return RB_ERR;
    }
    for (size_t k = 0; k < v->nu; k++) {
        int32_t tmp[32];
        size_t n;
        if (v->u[k].kind == U_TAG) {
            tmp[0] = CP_BARRIER;
            n = 1;
        }
        else {
            n = fold_cp(v->u[k].cp, fold_options, tmp);
        }
        if (v->nit + n > cap) {
            size_t ncap = cap * 2 + n;
            item *p = realloc(v->it, ncap * sizeof *p);
            if (!p) {
                view_free(v);
                return RB_ERR;
            }
            v->it = p;
            cap = ncap;
        }
        for (size_t j = 0; j < n; j++) {
            v->it[v->nit].cp = tmp[j];
            v->it[v->nit].unit = (uint32_t)k;
            v->it[v->nit].first = (j == 0);
            v->nit++;
        }
    }
    return RB_OK;
}

/* ---- Patterns --------------------------------------------------------------- */

static void pattern_free(pattern *p)
{
    free(p->el);
    p->el = NULL;
    p->n = 0;
}

/* Compiles a plain-text find string: folded code points, each whitespace run
 * collapsed into one CP_WS. */
static int pattern_build(pattern *p, const char *find, int fold_options)
{
    memset(p, 0, sizeof *p);
    view fv;
    size_t flen = strlen(find);
    if (view_build(&fv, find, flen, -1, 0))
        return RB_ERR;
    p->el = malloc((fv.nu * 32 + 1) * sizeof *p->el);
    if (!p->el) {
        view_free(&fv);
        return RB_ERR;
    }
    for (size_t k = 0; k < fv.nu; k++) {
        const unit *u = &fv.u[k];
        if (unit_is_ws(u)) {
            if (p->n == 0 || p->el[p->n - 1] != CP_WS)
                p->el[p->n++] = CP_WS;
            continue;
        }
        p->n += fold_cp(u->cp, fold_options, p->el + p->n);
    }
    if (fv.nu > 0) {
        p->check_start = unit_is_word(&fv.u[0]);
        p->check_end = unit_is_word(&fv.u[fv.nu - 1]);
    }
    view_free(&fv);
    return RB_OK;
}

/* The nearest unit before/after index k that is not a tag, or NULL. Tags are
 * invisible for word boundaries: "hell<i>o</i>" still contains no "hell". */
static const unit *prev_visible(const view *v, size_t k)
{
    while (k > 0) {
        k--;
        if (v->u[k].kind != U_TAG)
            return &v->u[k];
    }
    return NULL;
}

static const unit *next_visible(const view *v, size_t k)
{
    for (k++; k < v->nu; k++)
        if (v->u[k].kind != U_TAG)
            return &v->u[k];
    return NULL;
}

/* Tries to match p at item i. Returns the item index past the match, or 0. */
static size_t match_at(const view *v, const pattern *p, size_t i)
{
    if (p->n == 0 || !v->it[i].first)
        return 0;
    size_t k = i;
    for (size_t e = 0; e < p->n; e++) {
        if (k >= v->nit)
            return 0;
        if (p->el[e] == CP_WS) {
            if (v->it[k].cp == CP_BARRIER || !unit_is_ws(&v->u[v->it[k].unit]))
                return 0;
            while (k < v->nit && v->it[k].cp != CP_BARRIER && unit_is_ws(&v->u[v->it[k].unit]))
                k++;
        }
        else {
            if (v->it[k].cp != p->el[e] || v->it[k].cp == CP_BARRIER)
                return 0;
            k++;
        }
    }
    /* A match ends on a unit boundary: "stras" does not match half of "ß". */
    if (k < v->nit && !v->it[k].first)
        return 0;
    if (p->check_start) {
        const unit *b = prev_visible(v, v->it[i].unit);
        if (b && unit_is_word(b))
            return 0;
    }
    if (p->check_end) {
        const unit *a = next_visible(v, v->it[k - 1].unit);
        if (a && unit_is_word(a))
            return 0;
    }
    return k;
}

static int span_push(span_list *l, const span *s)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        span *p = realloc(l->v, ncap * sizeof *p);
        if (!p)
            return RB_ERR;
        l->v = p;
        l->cap = ncap;
    }
    l->v[l->n++] = *s;
    return RB_OK;
}

/* Finds every non-overlapping match of p, left to right. */
static int find_all(const view *v, const pattern *p, enum span_action act, const char *repl, span_list *out)
{
    size_t i = 0;
    while (i < v->nit) {
        size_t k = match_at(v, p, i);
        if (k == 0) {
            i++;
            continue;
        }
        span s = { v->it[i].unit, v->it[k - 1].unit + 1, 0, 0, act, repl };
        s.c0 = s.u0;
        s.c1 = s.u1;
        if (span_push(out, &s))
            return RB_ERR;
        i = k;
    }
    return RB_OK;
}

/* ---- Output ----------------------------------------------------------------- */

typedef struct marks {
    size_t *v;
    size_t n, cap;
} marks;

static int mark_push(marks *m, size_t off)
{
    if (m->n == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 8;
        size_t *p = realloc(m->v, ncap * sizeof *p);
        if (!p)
            return RB_ERR;
        m->v = p;
        m->cap = ncap;
    }
    m->v[m->n++] = off;
    return RB_OK;
}

/* Writes plain text as cue text: markup characters escaped, line breaks
 * flattened (a blank line would end the cue). */
static int put_plain(rb_buf *b, const char *s)
{
    for (; *s; s++) {
        int rc;
        switch (*s) {
        case '<': rc = rb_buf_puts(b, "&lt;"); break;
        case '>': rc = rb_buf_puts(b, "&gt;"); break;
        case '&': rc = rb_buf_puts(b, "&amp;"); break;
        case '\r':
        case '\n': rc = rb_buf_putc(b, ' '); break;
        default: rc = rb_buf_putc(b, *s); break;
        }
        if (rc)
            return rc;
    }
    return RB_OK;
}

/* Copies units [from, to) verbatim, except that while *pending > 0 the next
 * plain space on the same line becomes a line break: a match that swallowed
 * a line break gives it back at the first space after the replacement. */
static int copy_units(rb_buf *b, const view *v, size_t from, size_t to, int *pending)
{
    for (size_t k = from; k < to; k++) {
        const unit *u = &v->u[k];
        if (*pending > 0 && u->kind == U_CHAR && v->s[u->start] == ' ') {
            if (rb_buf_putc(b, '\n'))
                return RB_TOOBIG;
            (*pending)--;
            continue;
        }
        if (unit_is_newline(u))
            *pending = 0;
        if (rb_buf_append(b, v->s + u->start, u->end - u->start))
            return RB_TOOBIG;
    }
    return RB_OK;
}

/* Rebuilds the text with each span replaced. Spans are sorted and disjoint.
 * Empty replacements leave a mark at their output offset for clean-up. */
static int emit_spans(const view *v, const span_list *l, rb_buf *b, marks *m)
{
    size_t pos = 0;
    int pending = 0;
    for (size_t i = 0; i < l->n; i++) {
        const span *s = &l->v[i];
        if (copy_units(b, v, pos, s->u0, &pending))
            return RB_TOOBIG;
        int newlines = 0;
        for (size_t k = s->u0; k < s->u1; k++)
            newlines += unit_is_newline(&v->u[k]);
        switch (s->act) {
        case ACT_MASK:
            /* Whitespace (line breaks included) stays, so the line layout of
             * a masked phrase is unchanged. */
            for (size_t k = s->u0; k < s->u1; k++) {
                const unit *u = &v->u[k];
                int rc = unit_is_ws(u) ? rb_buf_append(b, v->s + u->start, u->end - u->start)
                                       : rb_buf_putc(b, '?');
                if (rc)
                    return RB_TOOBIG;
            }
            newlines = 0;
            break;
        case ACT_BLANK:
            if (rb_buf_puts(b, BLANK_TEXT))
                return RB_TOOBIG;
            break;
        case ACT_REPLACE:
            if (s->repl[0] == '\0') {
                if (mark_push(m, b->len))
                    return RB_ERR;
            }
            else if (put_plain(b, s->repl)) {
                return RB_TOOBIG;
            }
            break;
        }
        pending += newlines;
        pos = s->u1;
    }
    return copy_units(b, v, pos, v->nu, &pending);
}

/* ---- Clean-up after deletions ----------------------------------------------- */

static int is_close_punct(int32_t cp)
{
    return cp == ',' || cp == '.' || cp == '!' || cp == '?' || cp == ';' || cp == ':';
}

/* Tidies the spacing around each deletion mark, then drops lines a deletion
 * left without visible text. Only what touches a mark changes; spacing
 * elsewhere in the cue is the author's. */
static int cleanup_deletions(const char *text, size_t len, const marks *m, rb_buf *out)
{
    view v;
    if (view_build(&v, text, len, -1, 1))
        return RB_ERR;
    unsigned char *del = calloc(v.nu + 1, 1);
    if (!del) {
        view_free(&v);
        return RB_ERR;
    }
    size_t um = 0;
    for (size_t mi = 0; mi < m->n; mi++) {
        while (um < v.nu && v.u[um].start < m->v[mi])
            um++;
        /* Left side: spaces, then the visible character before them. */
        size_t nl = 0, nr = 0;
        int32_t lc = -1, rc = -1;     /* -1: line start / line end */
        size_t k = um;
        while (k > 0) {
            k--;
            if (del[k] || v.u[k].kind == U_TAG)
                continue;
            if (unit_is_hspace(&v, &v.u[k])) {
                nl++;
                continue;
            }
            if (!unit_is_newline(&v.u[k]))
                lc = v.u[k].cp;
            break;
        }
        for (k = um; k < v.nu; k++) {
            if (del[k] || v.u[k].kind == U_TAG)
                continue;
            if (unit_is_hspace(&v, &v.u[k])) {
                nr++;
                continue;
            }
            if (!unit_is_newline(&v.u[k]))
                rc = v.u[k].cp;
            break;
        }
        int drop_all = lc == -1 || rc == -1 || is_close_punct(rc);
        if (!drop_all && nl + nr <= 1)
            continue;
        /* Keep exactly one space: the left-most one (next to the previous
         * word) when there is one on the left, else the first on the right. */
        size_t keep_left = (!drop_all && nl > 0) ? 1 : 0;
        size_t keep_right = (!drop_all && nl == 0) ? 1 : 0;
        size_t seen = 0;
        k = um;
        while (k > 0) {
            k--;
            if (del[k] || v.u[k].kind == U_TAG)
                continue;
            if (!unit_is_hspace(&v, &v.u[k]))
                break;
            seen++;
            if (!(keep_left && seen == nl))
                del[k] = 1;
        }
        seen = 0;
        for (k = um; k < v.nu; k++) {
            if (del[k] || v.u[k].kind == U_TAG)
                continue;
            if (!unit_is_hspace(&v, &v.u[k]))
                break;
            seen++;
            if (!(keep_right && seen == 1))
                del[k] = 1;
        }
    }
    /* Lines a deletion touched and left with nothing visible. */
    size_t ls = 0, mi = 0;
    while (ls <= v.nu) {
        size_t le = ls;
        while (le < v.nu && !unit_is_newline(&v.u[le]))
            le++;
        size_t bstart = ls < v.nu ? v.u[ls].start : len;
        size_t bend = le < v.nu ? v.u[le].start : len;
        int touched = 0;
        while (mi < m->n && m->v[mi] < bstart)
            mi++;
        if (mi < m->n && m->v[mi] <= bend)
            touched = 1;
        if (touched) {
            int visible = 0, tags = 0;
            for (size_t k = ls; k < le; k++) {
                if (del[k])
                    continue;
                if (v.u[k].kind == U_TAG)
                    tags = 1;
                else if (!unit_is_ws(&v.u[k]))
                    visible = 1;
            }
            if (!visible) {
                /* A line of tags only joins its neighbour so the tags (and
                 * their nesting) survive; a truly empty line goes. */
                for (size_t k = ls; k < le; k++)
                    if (!tags || v.u[k].kind != U_TAG)
                        del[k] = 1;
                if (le < v.nu) {
                    del[le] = 1;
                }
                else {
                    for (size_t k = ls; k > 0; k--) {
                        if (!del[k - 1] && unit_is_newline(&v.u[k - 1])) {
                            del[k - 1] = 1;
                            /* The line above is now the last: no space may
                             * dangle at the end of the cue. */
                            for (size_t j = k - 1; j > 0 && (del[j - 1] || unit_is_hspace(&v, &v.u[j - 1])); j--)
                                del[j - 1] = 1;
                            break;
                        }
                    }
                }
            }
        }
        if (le >= v.nu)
            break;
        ls = le + 1;
    }
    int any_visible = 0;
    for (size_t k = 0; k < v.nu; k++)
        if (!del[k] && v.u[k].kind != U_TAG && !unit_is_ws(&v.u[k]))
            any_visible = 1;
    int rc = RB_OK;
    if (any_visible) {
        for (size_t k = 0; k < v.nu && rc == RB_OK; k++)
            if (!del[k])
                rc = rb_buf_append(out, text + v.u[k].start, v.u[k].end - v.u[k].start) ? RB_TOOBIG : RB_OK;
    }
    /* else: every word is gone; the cue text is "" and the workflow decides
     * whether to keep an empty cue. */
    free(del);
    view_free(&v);
    return rc;
}

/* Applies sorted, disjoint spans to *text (replacing it on success). */
static int apply_spans(char **text, const view *v, const span_list *l, size_t max, rb_err *err)
{
    rb_buf b;
    marks m = { 0 };
    rb_buf_init(&b, max);
    int rc = emit_spans(v, l, &b, &m);
    if (rc == RB_OK && m.n > 0) {
        rb_buf c;
        rb_buf_init(&c, max);
        rc = cleanup_deletions(rb_buf_cstr(&b), b.len, &m, &c);
        rb_buf_free(&b);
        b = c;
    }
    free(m.v);
    if (rc) {
        rb_buf_free(&b);
        if (rc == RB_TOOBIG) {
            rb_err_set(err, 422, "output_too_large", "edited caption text exceeds %zu bytes", max);
            return RB_TOOBIG;
        }
        return rb_err_set(err, 500, "internal_error", "out of memory editing caption text");
    }
    char *n = rb_buf_steal(&b);
    if (!n)
        return rb_err_set(err, 500, "internal_error", "out of memory editing caption text");
    free(*text);
    *text = n;
    return RB_OK;
}

/* ---- Passes ----------------------------------------------------------------- */

static int oom(rb_err *err)
{
    return rb_err_set(err, 500, "internal_error", "out of memory editing caption text");
}

/* Renames "[find]" at the start of any line (after optional spaces and
 * tags). The first rule whose label matches wins, so swapping two labels in
 * one job works instead of chaining. */
static int pass_speakers(char **text, const rb_caption_edits *e, size_t max, int64_t *count, rb_err *err)
{
    const char *s = *text;
    size_t len = strlen(s);
    rb_buf b;
    rb_buf_init(&b, max);
    int64_t n = 0;
    size_t ls = 0;
    int rc = RB_OK;
    while (ls <= len && rc == RB_OK) {
        const char *nlp = memchr(s + ls, '\n', len - ls);
        size_t le = nlp ? (size_t)(nlp - s) : len;
        size_t p = ls;
        while (p < le) {
            if (s[p] == ' ' || s[p] == '\t') {
                p++;
            }
            else if (s[p] == '<') {
                const char *gt = memchr(s + p, '>', le - p);
                if (!gt)
                    break;
                p = (size_t)(gt - s) + 1;
            }
            else {
                break;
            }
        }
        int done = 0;
        if (p < le && s[p] == '[') {
            const char *close = memchr(s + p + 1, ']', le - p - 1);
            if (close) {
                size_t lab = p + 1, lablen = (size_t)(close - s) - lab;
                for (size_t r = 0; r < e->nspeakers && !done; r++) {
                    const char *f = e->speakers[r].find;
                    if (!f || !f[0] || !e->speakers[r].replace || strlen(f) != lablen || memcmp(f, s + lab, lablen) != 0)
                        continue;
                    if (rb_buf_append(&b, s + ls, lab - ls) || put_plain(&b, e->speakers[r].replace) ||
                       rb_buf_append(&b, s + lab + lablen, le - lab - lablen))
                        rc = RB_TOOBIG;
                    n++;
                    done = 1;
                }
            }
        }
        if (!done && rb_buf_append(&b, s + ls, le - ls))
            rc = RB_TOOBIG;
        if (rc == RB_OK && le < len && rb_buf_putc(&b, '\n'))
            rc = RB_TOOBIG;
        ls = le + 1;
    }
    if (rc) {
        rb_buf_free(&b);
        rb_err_set(err, 422, "output_too_large", "edited caption text exceeds %zu bytes", max);
        return RB_TOOBIG;
    }
    char *out = rb_buf_steal(&b);
    if (!out)
        return oom(err);
    free(*text);
    *text = out;
    *count += n;
    return RB_OK;
}

static int pass_replace(char **text, const rb_replacement *r, size_t max, int64_t *count, rb_err *err)
{
    if (!r->find || !r->find[0])
        return RB_OK;
    int opts = r->case_sensitive ? FOLD_SENSITIVE : FOLD_INSENSITIVE;
    view v;
    pattern p;
    span_list l = { 0 };
    if (view_build(&v, *text, strlen(*text), opts, 1))
        return oom(err);
    if (pattern_build(&p, r->find, opts)) {
        view_free(&v);
        return oom(err);
    }
    int rc = find_all(&v, &p, ACT_REPLACE, r->replace ? r->replace : "", &l);
    if (rc)
        rc = oom(err);
    else if (l.n > 0)
        rc = apply_spans(text, &v, &l, max, err);
    if (rc == RB_OK)
        *count += (int64_t)l.n;
    free(l.v);
    pattern_free(&p);
    view_free(&v);
    return rc;
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->u0 != y->u0)
        return x->u0 < y->u0 ? -1 : 1;
    return x->u1 < y->u1 ? 1 : (x->u1 > y->u1 ? -1 : 0);
}

static int is_apostrophe(const unit *u)
{
    return u->kind != U_TAG && (u->cp == '\'' || u->cp == 0x2019);
}

/* Detected words: maximal runs of word characters, folded and handed to the
 * caller's detector (is_profane). A
 * dropped-g form followed by an apostrophe ("fuckin'") takes the apostrophe
 * with it, so nothing dangles after censoring. */
static int find_lexicon(const view *v, int (*is_profane)(const char *, size_t),
                        enum span_action act, span_list *out)
{
    char word[64];
    size_t k = 0, i = 0;
    while (k < v->nu) {
        if (!unit_is_word(&v->u[k])) {
            k++;
            continue;
        }
        size_t w0 = k;
        while (k < v->nu && unit_is_word(&v->u[k]))
            k++;
        size_t w1 = k, wl = 0;
        /* Tags are invisible: "A</i>damn" reads as one word, "Adamn", so it
         * is not "damn". Such a word is never censored, since censoring it
         * would mean rewriting the tag inside it. */
        int split = 0;
        while (k < v->nu && v->u[k].kind == U_TAG) {
            size_t t = k;
            while (t < v->nu && v->u[t].kind == U_TAG)
                t++;
            if (t >= v->nu || !unit_is_word(&v->u[t]))
                break;
            split = 1;
            k = t;
            while (k < v->nu && unit_is_word(&v->u[k]))
                k++;
        }
        if (split)
            continue;
        int fits = 1;
        /* Items follow unit order, so one cursor serves every word. */
        while (i < v->nit && v->it[i].unit < w0)
            i++;
        for (; i < v->nit && v->it[i].unit < w1; i++) {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t n = utf8proc_encode_char(v->it[i].cp, enc);
            if (n <= 0 || wl + (size_t)n >= sizeof word) {
                fits = 0;
                break;
            }
            memcpy(word + wl, enc, (size_t)n);
            wl += (size_t)n;
        }
        if (!fits || !is_profane(word, wl))
            continue;
        span s = { w0, w1, w0, w1, act, "" };
        if (wl >= 2 && word[wl - 2] == 'i' && word[wl - 1] == 'n' && w1 < v->nu && is_apostrophe(&v->u[w1]) &&
           (w1 + 1 >= v->nu || !unit_is_word(&v->u[w1 + 1])))
            s.u1 = w1 + 1;
        if (span_push(out, &s))
            return RB_ERR;
    }
    return RB_OK;
}

static int pass_censor(char **text, const rb_caption_edits *e, size_t max, int64_t *count, rb_err *err)
{
    enum span_action act = e->mode == RB_CENSOR_MASK ? ACT_MASK : e->mode == RB_CENSOR_REMOVE ? ACT_REPLACE : ACT_BLANK;
    view v;
    span_list cand = { 0 }, never = { 0 };
    int rc = RB_OK;
    if (view_build(&v, *text, strlen(*text), FOLD_INSENSITIVE, 1))
        return oom(err);
    if (e->is_profane && find_lexicon(&v, e->is_profane, act, &cand))
        rc = RB_ERR;
    for (size_t i = 0; rc == RB_OK && i < e->nalways; i++) {
        pattern p;
        if (!e->always_censor[i] || !e->always_censor[i][0])
            continue;
        if (pattern_build(&p, e->always_censor[i], FOLD_INSENSITIVE)) {
            rc = RB_ERR;
            break;
        }
        rc = find_all(&v, &p, act, "", &cand);
        pattern_free(&p);
    }
    for (size_t i = 0; rc == RB_OK && i < e->nnever; i++) {
        pattern p;
        if (!e->never_censor[i] || !e->never_censor[i][0])
            continue;
        if (pattern_build(&p, e->never_censor[i], FOLD_INSENSITIVE)) {
            rc = RB_ERR;
            break;
        }
        rc = find_all(&v, &p, act, "", &never);
        pattern_free(&p);
    }
    if (rc) {
        free(cand.v);
        free(never.v);
        view_free(&v);
        return oom(err);
    }
    /* never_censor wins: a candidate whose matched text lies within a
     * never_censor match (the same words, case-insensitively) is kept. */
    size_t w = 0;
    for (size_t i = 0; i < cand.n; i++) {
        int spared = 0;
        for (size_t j = 0; j < never.n && !spared; j++)
            spared = never.v[j].u0 <= cand.v[i].c0 && cand.v[i].c1 <= never.v[j].u1;
        if (!spared)
            cand.v[w++] = cand.v[i];
    }
    cand.n = w;
    /* Overlapping terms (a lexicon word inside an always_censor phrase) are
     * censored once, as their union. */
    if (cand.n > 1)
        qsort(cand.v, cand.n, sizeof *cand.v, cmp_span);
    w = 0;
    for (size_t i = 0; i < cand.n; i++) {
        if (w > 0 && cand.v[i].u0 < cand.v[w - 1].u1) {
            if (cand.v[i].u1 > cand.v[w - 1].u1)
                cand.v[w - 1].u1 = cand.v[i].u1;
            continue;
        }
        cand.v[w++] = cand.v[i];
    }
    cand.n = w;
    if (cand.n > 0)
        rc = apply_spans(text, &v, &cand, max, err);
    if (rc == RB_OK)
        *count += (int64_t)cand.n;
    free(cand.v);
    free(never.v);
    view_free(&v);
    return rc;
}

/* ---- Public ----------------------------------------------------------------- */

void rb_caption_edits_init(rb_caption_edits *e)
{
    memset(e, 0, sizeof *e);
    e->mode = RB_CENSOR_BLANK;
}

int rb_caption_edit_text(const char *text, const rb_caption_edits *e, char **out, int64_t *count, rb_err *err)
{
    *out = NULL;
    if (!text)
        text = "";
    size_t len = strlen(text);
    /* Every pass is held to the same ceiling, derived from the input, so a
     * chain of expanding rules cannot grow a cue without bound. */
    size_t max = 4 * len + 64 * 1024;
    int64_t n = 0;
    char *cur = strdup(text);
    if (!cur)
        return oom(err);
    int rc = RB_OK;
    if (e->nspeakers > 0)
        rc = pass_speakers(&cur, e, max, &n, err);
    for (size_t i = 0; rc == RB_OK && i < e->nreplacements; i++)
        rc = pass_replace(&cur, &e->replacements[i], max, &n, err);
    if (rc == RB_OK && e->censor)
        rc = pass_censor(&cur, e, max, &n, err);
    if (rc) {
        free(cur);
        return rc;
    }
    *out = cur;
    if (count)
        *count += n;
    return RB_OK;
}

int rb_caption_edit_vtt(rb_vtt *vtt, const rb_caption_edits *e, int64_t *count, rb_err *err)
{
    int64_t n = 0;
    for (size_t i = 0; i < vtt->nblocks; i++) {
        rb_vtt_block *blk = &vtt->blocks[i];
        if (blk->kind != RB_VTT_CUE)
            continue;
        char *out = NULL;
        int64_t c = 0;
        int rc = rb_caption_edit_text(blk->text ? blk->text : "", e, &out, &c, err);
        if (rc)
            return rc;
        if (c > 0 || strcmp(out, blk->text ? blk->text : "") != 0) {
            rc = rb_vtt_set_text(vtt, i, out);
            if (rc) {
                free(out);
                return rc == RB_ERR ? oom(err) : rc;
            }
        }
        free(out);
        n += c;
    }
    if (count)
        *count += n;
    return RB_OK;
}
