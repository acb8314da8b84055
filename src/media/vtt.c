/* vtt.c — WebVTT parse and write (see vtt.h and docs/vtt.md).
 *
 * The parser walks the input one line at a time with a cursor and a one-line
 * lookahead instead of splitting it into an array first: a 64 MiB file of
 * short lines would otherwise cost more memory for the array than for the
 * model. Every line is classified by the few rules below, and every byte that
 * is not a line end is kept somewhere in the model, so writing the model
 * with the file's line ending reproduces the input. */
#include "media/vtt.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

/* Output can grow past the input limit (LF becoming CRLF, longer edited
 * text), so the writer's bound is larger; it only guards against runaway. */
#define VTT_WRITE_MAX ((size_t)512 * 1024 * 1024)

enum line_term { TERM_NONE, TERM_LF, TERM_CRLF, TERM_CR };

typedef struct vtt_line {
    const char *s;
    size_t len;         /* bytes, without the line end */
    enum line_term term;
    size_t lineno;      /* 1-based */
} vtt_line;

typedef struct vtt_cursor {
    const char *data;
    size_t len;
    size_t pos;
    size_t lineno;      /* number of the last line returned */
} vtt_cursor;

/* Returns 1 and fills *ln with the next line, 0 at the end of input. An empty
 * line is only ever returned with a line end, so "a\n" is one line, not two. */
static int cursor_next(vtt_cursor *c, vtt_line *ln)
{
    if (c->pos >= c->len)
        return 0;
    const char *start = c->data + c->pos;
    size_t rest = c->len - c->pos;
    size_t i = 0;
    while (i < rest && start[i] != '\n' && start[i] != '\r')
        i++;
    ln->s = start;
    ln->len = i;
    ln->lineno = ++c->lineno;
    if (i == rest) {
        ln->term = TERM_NONE;
        c->pos += i;
    } else if (start[i] == '\n') {
        ln->term = TERM_LF;
        c->pos += i + 1;
    } else if (i + 1 < rest && start[i + 1] == '\n') {
        ln->term = TERM_CRLF;
        c->pos += i + 2;
    } else {
        ln->term = TERM_CR;
        c->pos += i + 1;
    }
    return 1;
}

static int cursor_peek(const vtt_cursor *c, vtt_line *ln)
{
    vtt_cursor copy = *c;
    return cursor_next(&copy, ln);
}

static int line_has_arrow(const vtt_line *ln)
{
    return ln->len >= 3 && memmem(ln->s, ln->len, "-->", 3) != NULL;
}

static int is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\f';
}

/* "NOTE" must be followed by whitespace or the end of the line; "STYLE" and
 * "REGION" only by whitespace (the spec's block headers). */
static int line_is_keyword(const vtt_line *ln, const char *kw, int text_may_follow)
{
    size_t k = strlen(kw);
    if (ln->len < k || memcmp(ln->s, kw, k) != 0)
        return 0;
    if (ln->len == k)
        return 1;
    if (!is_ws(ln->s[k]))
        return 0;
    if (text_may_follow)
        return 1;
    for (size_t i = k; i < ln->len; i++)
        if (!is_ws(ln->s[i]))
            return 0;
    return 1;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static const char *term_str(enum line_term t)
{
    switch (t) {
    case TERM_CRLF:
        return "\r\n";
    case TERM_CR:
        return "\r";
    default:
        return "\n";
    }
}

/* ---- timestamps ------------------------------------------------------- */

/* Reads a run of ASCII digits (at most maxd) at s[*i]; returns the count. */
static size_t read_digits(const char *s, size_t len, size_t *i, size_t maxd, int64_t *val)
{
    size_t n = 0;
    int64_t v = 0;
    while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        if (n == maxd)
            return maxd + 1; /* too many digits: the caller rejects */
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    *val = v;
    return n;
}

int rb_vtt_parse_time(const char *s, size_t len, int64_t *ms)
{
    size_t i = 0;
    int64_t a, b, c = 0, frac;
    /* Nine digits bound the first group before it can overflow; its value is
     * then checked against the hour limit (or the minute rule). */
    size_t na = read_digits(s, len, &i, 9, &a);
    if (na == 0 || na > 9 || i >= len || s[i] != ':')
        return RB_ERR;
    i++;
    if (read_digits(s, len, &i, 2, &b) != 2)
        return RB_ERR;
    int has_hours = 0;
    if (i < len && s[i] == ':') {
        i++;
        if (read_digits(s, len, &i, 2, &c) != 2)
            return RB_ERR;
        has_hours = 1;
    }
    if (i >= len || (s[i] != '.' && s[i] != ','))
        return RB_ERR;
    i++;
    if (read_digits(s, len, &i, 3, &frac) != 3 || i != len)
        return RB_ERR;
    int64_t hours, minutes, seconds;
    if (has_hours) {
        hours = a;
        minutes = b;
        seconds = c;
    } else {
        /* Without hours the first group is minutes, two digits as in the spec. */
        if (na != 2)
            return RB_ERR;
        hours = 0;
        minutes = a;
        seconds = b;
    }
    if (hours > RB_VTT_MAX_HOURS || minutes > 59 || seconds > 59)
        return RB_ERR;
    *ms = ((hours * 60 + minutes) * 60 + seconds) * 1000 + frac;
    return RB_OK;
}

void rb_vtt_format_time(int64_t ms, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    if (ms < 0)
        ms = 0;
    if (ms > RB_VTT_MAX_MS)
        ms = RB_VTT_MAX_MS;
    int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, f = ms % 1000;
    snprintf(out, outlen, "%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%03" PRId64, h, m, s, f);
}

static int ts_char(char ch)
{
    return (ch >= '0' && ch <= '9') || ch == ':' || ch == '.' || ch == ',';
}

/* Parses a cue timing line: start, "-->", end, then optional settings. The
 * spec wants whitespace around the arrow; writers that omit it are accepted. */
static int parse_timing(const vtt_line *ln, rb_vtt_block *b, rb_err *err)
{
    const char *s = ln->s;
    size_t len = ln->len, i = 0;
    while (i < len && is_ws(s[i]))
        i++;
    size_t t0 = i;
    while (i < len && ts_char(s[i]))
        i++;
    if (rb_vtt_parse_time(s + t0, i - t0, &b->start_ms) != RB_OK)
        return rb_err_set(err, 422, "invalid_vtt", "line %zu: invalid cue start time \"%.*s\"",
                          ln->lineno, (int)(i - t0 > 40 ? 40 : i - t0), s + t0);
    while (i < len && is_ws(s[i]))
        i++;
    if (len - i < 3 || memcmp(s + i, "-->", 3) != 0)
        return rb_err_set(err, 422, "invalid_vtt", "line %zu: expected \"-->\" after the start time",
                          ln->lineno);
    i += 3;
    while (i < len && is_ws(s[i]))
        i++;
    size_t t1 = i;
    while (i < len && ts_char(s[i]))
        i++;
    if (rb_vtt_parse_time(s + t1, i - t1, &b->end_ms) != RB_OK)
        return rb_err_set(err, 422, "invalid_vtt", "line %zu: invalid cue end time \"%.*s\"",
                          ln->lineno, (int)(i - t1 > 40 ? 40 : i - t1), s + t1);
    if (i < len && !is_ws(s[i]))
        return rb_err_set(err, 422, "invalid_vtt",
                          "line %zu: unexpected text right after the cue end time", ln->lineno);
    while (i < len && is_ws(s[i]))
        i++;
    size_t e = len;
    while (e > i && is_ws(s[e - 1]))
        e--;
    b->timing = dup_n(s, len);
    b->settings = dup_n(s + i, e - i);
    if (!b->timing || !b->settings)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    return RB_OK;
}

/* ---- parse ------------------------------------------------------------ */

typedef struct vtt_parser {
    vtt_cursor cur;
    rb_vtt *vtt;
    size_t cap;
    enum line_term eol;       /* first line end seen */
    enum line_term last_term; /* line end of the last non-empty line */
    rb_err *err;
} vtt_parser;

static vtt_line take(vtt_parser *p)
{
    vtt_line ln;
    cursor_next(&p->cur, &ln);
    if (p->eol == TERM_NONE)
        p->eol = ln.term;
    if (ln.len > 0)
        p->last_term = ln.term;
    return ln;
}

static int oom(rb_err *err)
{
    return rb_err_set(err, 500, "internal_error", "out of memory");
}

/* Appends lines to buf (joined with "\n") while the next line continues the
 * block: it is not empty and is not a timing line, which always starts a new
 * cue even without a blank line before it. */
static int collect_rest(vtt_parser *p, rb_buf *buf)
{
    vtt_line ln;
    while (cursor_peek(&p->cur, &ln) && ln.len > 0 && !line_has_arrow(&ln)) {
        ln = take(p);
        if ((buf->len && rb_buf_putc(buf, '\n')) || rb_buf_append(buf, ln.s, ln.len))
            return oom(p->err);
    }
    return RB_OK;
}

static rb_vtt_block *new_block(vtt_parser *p, const vtt_line *at)
{
    rb_vtt *v = p->vtt;
    if (v->nblocks == RB_VTT_MAX_BLOCKS) {
        rb_err_set(p->err, 422, "invalid_vtt", "line %zu: more than %zu blocks", at->lineno,
                   RB_VTT_MAX_BLOCKS);
        return NULL;
    }
    if (v->nblocks == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        rb_vtt_block *nb = realloc(v->blocks, cap * sizeof *nb);
        if (!nb) {
            oom(p->err);
            return NULL;
        }
        v->blocks = nb;
        p->cap = cap;
    }
    rb_vtt_block *b = &v->blocks[v->nblocks++];
    memset(b, 0, sizeof *b);
    return b;
}

/* Parses one block whose first line (non-empty) is `first`. */
static int parse_block(vtt_parser *p, const vtt_line *first, int blank_before)
{
    rb_vtt_block *b = new_block(p, first);
    if (!b)
        return RB_ERR;
    b->blank_before = blank_before;
    rb_buf buf;
    rb_buf_init(&buf, RB_VTT_MAX_INPUT);
    int rc = RB_OK;
    vtt_line next;

    if (!line_has_arrow(first)) {
        int note = line_is_keyword(first, "NOTE", 1);
        int style = !note && line_is_keyword(first, "STYLE", 0);
        int region = !note && !style && line_is_keyword(first, "REGION", 0);
        int has_timing = !note && !style && !region && cursor_peek(&p->cur, &next) &&
                         next.len > 0 && line_has_arrow(&next);
        if (!has_timing) {
            /* NOTE, STYLE, REGION, or a block the spec would skip: all kept verbatim. */
            b->kind = note ? RB_VTT_NOTE : style ? RB_VTT_STYLE : region ? RB_VTT_REGION
                                                                        : RB_VTT_OTHER;
            if (rb_buf_append(&buf, first->s, first->len))
                rc = oom(p->err);
            if (!rc)
                rc = collect_rest(p, &buf);
            goto done;
        }
        b->id = dup_n(first->s, first->len);
        if (!b->id) {
            rc = oom(p->err);
            goto done;
        }
        next = take(p);
        first = &next;
    }
    b->kind = RB_VTT_CUE;
    p->vtt->ncues++;
    rc = parse_timing(first, b, p->err);
    if (!rc)
        rc = collect_rest(p, &buf);
done:
    if (!rc) {
        b->text = rb_buf_steal(&buf);
        if (!b->text)
            rc = oom(p->err);
    }
    rb_buf_free(&buf);
    return rc;
}

static int is_header(const vtt_line *ln)
{
    return ln->len >= 6 && memcmp(ln->s, "WEBVTT", 6) == 0 &&
           (ln->len == 6 || ln->s[6] == ' ' || ln->s[6] == '\t');
}

static int parse_all(vtt_parser *p, const char *data, size_t len)
{
    rb_vtt *v = p->vtt;
    rb_err *err = p->err;
    if (len > RB_VTT_MAX_INPUT)
        return rb_err_set(err, 422, "invalid_vtt", "line 1: input is %zu bytes, more than %zu",
                          len, RB_VTT_MAX_INPUT);
    /* A NUL cannot be kept in the C strings of the model, and real caption
     * files never contain one, so it is an error rather than a silent loss. */
    const char *nul = memchr(data, '\0', len);
    if (nul) {
        size_t lineno = 1;
        for (const char *q = data; q < nul; q++)
            if (*q == '\n' || (*q == '\r' && (q + 1 == nul || q[1] != '\n')))
                lineno++;
        return rb_err_set(err, 422, "invalid_vtt", "line %zu: NUL byte", lineno);
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        v->has_bom = 1;
        data += 3;
        len -= 3;
    }
    p->cur.data = data;
    p->cur.len = len;
    vtt_line ln;
    if (!cursor_peek(&p->cur, &ln) || !is_header(&ln))
        return rb_err_set(err, 422, "invalid_vtt", "line 1: missing \"WEBVTT\" header");
    ln = take(p);
    v->header = dup_n(ln.s, ln.len);
    if (!v->header)
        return oom(err);

    /* Header metadata: lines up to the first empty line. A timing line also
     * ends the header, for files that start their first cue right away. */
    rb_buf extra;
    rb_buf_init(&extra, RB_VTT_MAX_INPUT);
    int rc = collect_rest(p, &extra);
    if (!rc && extra.len) {
        v->header_extra = rb_buf_steal(&extra);
        if (!v->header_extra)
            rc = oom(err);
    }
    rb_buf_free(&extra);
    if (rc)
        return rc;

    int blank = 0;
    while (cursor_peek(&p->cur, &ln)) {
        ln = take(p);
        if (ln.len == 0) {
            if (blank < INT_MAX)
                blank++;
            continue;
        }
        rc = parse_block(p, &ln, blank);
        if (rc)
            return rc;
        blank = 0;
    }
    v->trailing_newlines = blank + (p->last_term != TERM_NONE ? 1 : 0);
    v->eol = term_str(p->eol);
    return RB_OK;
}

int rb_vtt_parse(const char *data, size_t len, rb_vtt *out, rb_err *err)
{
    memset(out, 0, sizeof *out);
    out->eol = "\n";
    if (!data)
        return rb_err_set(err, 422, "invalid_vtt", "line 1: missing \"WEBVTT\" header");
    vtt_parser p;
    memset(&p, 0, sizeof p);
    p.vtt = out;
    p.err = err;
    int rc = parse_all(&p, data, len);
    if (rc) {
        rb_vtt_free(out);
        out->eol = "\n";
    }
    return rc;
}

/* ---- write ------------------------------------------------------------ */

/* Emits eol + line for each "\n"-separated line of s (s non-empty). */
static int put_lines(rb_buf *b, const char *eol, const char *s)
{
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (rb_buf_puts(b, eol) || rb_buf_append(b, s, n))
            return RB_ERR;
        if (!nl)
            return RB_OK;
        s = nl + 1;
    }
}

static int write_all(const rb_vtt *v, rb_buf *b)
{
    const char *eol = v->eol ? v->eol : "\n";
    if (v->has_bom && rb_buf_append(b, "\xEF\xBB\xBF", 3))
        return RB_ERR;
    if (rb_buf_puts(b, v->header ? v->header : "WEBVTT"))
        return RB_ERR;
    if (v->header_extra && v->header_extra[0] && put_lines(b, eol, v->header_extra))
        return RB_ERR;
    for (size_t i = 0; i < v->nblocks; i++) {
        const rb_vtt_block *bl = &v->blocks[i];
        for (int k = 0; k < bl->blank_before; k++)
            if (rb_buf_puts(b, eol))
                return RB_ERR;
        if (bl->kind == RB_VTT_CUE) {
            if (bl->id && put_lines(b, eol, bl->id))
                return RB_ERR;
            if (bl->timing) {
                if (put_lines(b, eol, bl->timing))
                    return RB_ERR;
            } else {
                /* A cue built by a caller rather than the parser. */
                char t0[24], t1[24];
                rb_vtt_format_time(bl->start_ms, t0, sizeof t0);
                rb_vtt_format_time(bl->end_ms, t1, sizeof t1);
                if (rb_buf_puts(b, eol) ||
                    rb_buf_appendf(b, "%s --> %s%s%s", t0, t1,
                                   bl->settings && bl->settings[0] ? " " : "",
                                   bl->settings ? bl->settings : ""))
                    return RB_ERR;
            }
        }
        if (bl->text && bl->text[0] && put_lines(b, eol, bl->text))
            return RB_ERR;
    }
    for (int k = 0; k < v->trailing_newlines; k++)
        if (rb_buf_puts(b, eol))
            return RB_ERR;
    return RB_OK;
}

char *rb_vtt_write(const rb_vtt *vtt, size_t *len)
{
    rb_buf b;
    rb_buf_init(&b, VTT_WRITE_MAX);
    if (write_all(vtt, &b)) {
        rb_buf_free(&b);
        return NULL;
    }
    size_t n = b.len;
    char *s = rb_buf_steal(&b);
    if (s && len)
        *len = n;
    return s;
}

void rb_vtt_free(rb_vtt *vtt)
{
    if (!vtt)
        return;
    for (size_t i = 0; i < vtt->nblocks; i++) {
        free(vtt->blocks[i].id);
        free(vtt->blocks[i].timing);
        free(vtt->blocks[i].settings);
        free(vtt->blocks[i].text);
    }
    free(vtt->blocks);
    free(vtt->header);
    free(vtt->header_extra);
    memset(vtt, 0, sizeof *vtt);
}

int rb_vtt_set_text(rb_vtt *vtt, size_t block_index, const char *text)
{
    if (!vtt || !text || block_index >= vtt->nblocks ||
        vtt->blocks[block_index].kind != RB_VTT_CUE)
        return RB_ERR;
    rb_buf b;
    rb_buf_init(&b, VTT_WRITE_MAX);
    const char *s = text;
    int rc = RB_OK;
    while (*s && !rc) {
        size_t n = strcspn(s, "\r\n");
        if (n > 0) {
            /* Dropping empty lines keeps the payload one block; "-->" would
             * turn the line into a timing line, so its '>' is escaped. */
            if (b.len)
                rc = rb_buf_putc(&b, '\n');
            for (size_t i = 0; i < n && !rc; i++) {
                if (s[i] == '>' && i >= 2 && s[i - 1] == '-' && s[i - 2] == '-')
                    rc = rb_buf_puts(&b, "&gt;");
                else
                    rc = rb_buf_putc(&b, s[i]);
            }
        }
        s += n;
        if (*s == '\r' && s[1] == '\n')
            s += 2;
        else if (*s)
            s++;
    }
    char *copy = rc ? NULL : rb_buf_steal(&b);
    rb_buf_free(&b);
    if (!copy)
        return RB_ERR;
    free(vtt->blocks[block_index].text);
    vtt->blocks[block_index].text = copy;
    return RB_OK;
}

int64_t rb_vtt_last_end_ms(const rb_vtt *vtt)
{
    /* The maximum rather than the last cue's end: cues need not be sorted,
     * and a duration must cover all of them. */
    int64_t end = 0;
    for (size_t i = 0; vtt && i < vtt->nblocks; i++)
        if (vtt->blocks[i].kind == RB_VTT_CUE && vtt->blocks[i].end_ms > end)
            end = vtt->blocks[i].end_ms;
    return end;
}
