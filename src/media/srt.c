/* srt.c — SubRip (SRT) to WebVTT (see srt.h and docs/srt.md).
 *
 * SRT has no real specification, and the files people upload come from
 * decades of tools, so the reader goes line by line with a few rules instead
 * of a grammar. A cue starts at a line that parses as a timing line; the
 * line just before it is the cue's sequence label when it looks like one;
 * everything else up to the next cue is text. Blank lines therefore do not
 * end a cue: text after a stray blank line still belongs to it rather than
 * failing the whole file. Only the part before the first cue must be
 * structure (labels and timing lines), which is what tells SRT from garbage.
 *
 * The output is written in one pass, cue by cue, into a bounded buffer. Each
 * text line is converted in a scratch buffer first so that the WebVTT rules
 * (no empty payload line, no "-->" in a payload line) can be checked on the
 * final bytes of the line. */
#include "media/srt.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "common/buf.h"
#include "media/vtt.h"

/* A label longer than this is text, not a sequence number ("12", "12a", "#12"). */
#define LABEL_MAX 16
/* How many lines rb_srt_sniff reads before it gives up. */
#define SNIFF_LINES 8
/* Bytes of offending input quoted in an error message. */
#define QUOTE_MAX 40

typedef struct srt_line {
    const char *s;
    size_t len;     /* without the line end and trailing spaces/tabs */
    size_t lineno;  /* 1-based */
} srt_line;

typedef struct srt_cursor {
    const char *data;
    size_t len;
    size_t pos;
    size_t lineno;
} srt_cursor;

static int is_ws(char ch)
{
    return ch == ' ' || ch == '\t';
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Returns 1 and the next line (trailing whitespace trimmed: it is invisible
 * and would only make an empty line look non-empty), 0 at the end. Line ends
 * are LF, CRLF or a lone CR, as in vtt.c, so line numbers agree. */
static int cursor_next(srt_cursor *c, srt_line *ln)
{
    if (c->pos >= c->len)
        return 0;
    const char *start = c->data + c->pos;
    size_t rest = c->len - c->pos;
    size_t i = 0;
    while (i < rest && start[i] != '\n' && start[i] != '\r')
        i++;
    if (i == rest)
        c->pos += i;
    else if (start[i] == '\r' && i + 1 < rest && start[i + 1] == '\n')
        c->pos += i + 2;
    else
        c->pos += i + 1;
    while (i > 0 && is_ws(start[i - 1]))
        i--;
    ln->s = start;
    ln->len = i;
    ln->lineno = ++c->lineno;
    return 1;
}

/* The 1-based line number of byte offset off. */
static size_t line_of(const char *data, size_t off)
{
    size_t lineno = 1;
    for (size_t i = 0; i < off; i++)
        if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= off || data[i + 1] != '\n')))
            lineno++;
    return lineno;
}

/* Copies at most QUOTE_MAX bytes of s into out as printable ASCII: error
 * messages end up in JSON, which needs valid UTF-8, and a cut multi-byte
 * character would not be. */
static void quote(char *out, size_t outlen, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && i < QUOTE_MAX && k + 1 < outlen; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[k++] = (ch >= 0x20 && ch < 0x7f && ch != '"') ? (char)ch : '?';
    }
    out[k] = '\0';
}

static int invalid(rb_err *err, size_t lineno, const char *what, const srt_line *ln)
{
    char q[QUOTE_MAX + 1];
    quote(q, sizeof q, ln->s, ln->len);
    return rb_err_set(err, 422, "invalid_input", "line %zu: %s, found \"%s\"", lineno, what, q);
}

/* ---- timestamps ------------------------------------------------------- */

enum timing_kind {
    TIMING_NONE, /* no "-->": not a timing line */
    TIMING_OK,
    TIMING_BAD   /* has "-->" but does not parse; why says what is wrong */
};

/* Whether s holds "-->". (memmem is a GNU extension; this file builds
 * without _GNU_SOURCE too, as the fuzz target does.) */
static int has_arrow(const char *s, size_t len)
{
    for (size_t i = 0; i + 2 < len; i++)
        if (s[i] == '-' && s[i + 1] == '-' && s[i + 2] == '>')
            return 1;
    return 0;
}

/* Reads up to maxd digits at s[*i]; returns how many, maxd + 1 if more follow. */
static size_t read_digits(const char *s, size_t len, size_t *i, size_t maxd, int64_t *val)
{
    size_t n = 0;
    int64_t v = 0;
    while (*i < len && is_digit(s[*i])) {
        if (n == maxd)
            return maxd + 1;
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    *val = v;
    return n;
}

/* Parses "H+:M{1,2}:S{1,2}[,.]F{1,3}" at s[*i]. The fraction is a decimal
 * fraction of a second, so ",5" and ",500" are both 500 ms. 0 when fine,
 * else a reason for the error message. */
static const char *parse_stamp(const char *s, size_t len, size_t *i, int64_t *ms)
{
    int64_t h, m, sec, frac;
    size_t nh = read_digits(s, len, i, 9, &h);
    if (nh == 0 || nh > 9 || *i >= len || s[*i] != ':')
        return "expected hours and ':'";
    (*i)++;
    size_t nm = read_digits(s, len, i, 2, &m);
    if (nm == 0 || nm > 2 || *i >= len || s[*i] != ':')
        return "expected one or two minute digits and ':'";
    (*i)++;
    size_t ns = read_digits(s, len, i, 2, &sec);
    if (ns == 0 || ns > 2 || *i >= len || (s[*i] != ',' && s[*i] != '.'))
        return "expected one or two second digits and ',' or '.'";
    (*i)++;
    size_t nf = read_digits(s, len, i, 3, &frac);
    if (nf == 0 || nf > 3)
        return "expected one to three millisecond digits";
    if (m > 59 || sec > 59)
        return "minutes and seconds must be below 60";
    if (h > RB_VTT_MAX_HOURS)
        return "hours over 99999";
    for (size_t k = nf; k < 3; k++)
        frac *= 10;
    *ms = ((h * 60 + m) * 60 + sec) * 1000 + frac;
    return NULL;
}

/* Classifies a line and, for TIMING_OK, returns its times. Text after the
 * end time (SRT's X1:.. X2:.. Y1:.. Y2:.. box) has no WebVTT meaning and is
 * dropped; text glued to the end time means the time itself is broken. */
static enum timing_kind parse_timing(const srt_line *ln, int64_t *start, int64_t *end,
                                     const char **why)
{
    const char *s = ln->s;
    size_t len = ln->len, i = 0;
    if (!has_arrow(s, len))
        return TIMING_NONE;
    while (i < len && is_ws(s[i]))
        i++;
    if ((*why = parse_stamp(s, len, &i, start)) != NULL)
        return TIMING_BAD;
    while (i < len && is_ws(s[i]))
        i++;
    if (len - i < 3 || memcmp(s + i, "-->", 3) != 0) {
        *why = "expected \"-->\" after the start time";
        return TIMING_BAD;
    }
    i += 3;
    while (i < len && is_ws(s[i]))
        i++;
    if ((*why = parse_stamp(s, len, &i, end)) != NULL)
        return TIMING_BAD;
    if (i < len && !is_ws(s[i])) {
        *why = "unexpected text right after the end time";
        return TIMING_BAD;
    }
    return TIMING_OK;
}

/* ---- sequence labels --------------------------------------------------- */

static void ltrim(srt_line *ln)
{
    while (ln->len > 0 && is_ws(ln->s[0])) {
        ln->s++;
        ln->len--;
    }
}

static int all_digits(const srt_line *ln)
{
    if (ln->len == 0)
        return 0;
    for (size_t i = 0; i < ln->len; i++)
        if (!is_digit(ln->s[i]))
            return 0;
    return 1;
}

/* A sequence label as writers produce them: "12", and the tolerated
 * "12.", "#12", "12a": short, one word, with a digit. Only all-digit labels
 * become WebVTT cue identifiers. */
static int is_label(const srt_line *ln)
{
    if (ln->len == 0 || ln->len > LABEL_MAX)
        return 0;
    int digit = 0;
    for (size_t i = 0; i < ln->len; i++) {
        if (is_ws(ln->s[i]))
            return 0;
        if (is_digit(ln->s[i]))
            digit = 1;
    }
    return digit;
}

/* ---- the converter ----------------------------------------------------- */

typedef struct conv {
    rb_buf out;      /* the WebVTT file, bounded by RB_VTT_MAX_INPUT */
    rb_buf line;     /* scratch: one converted text line */
    rb_err *err;
    int rc;          /* first failure; once set, writes are skipped */
    size_t lineno;   /* input line being converted, for overflow messages */
    size_t ncues;
} conv;

/* Records a buffer failure: too big is the input's fault (422), anything
 * else is memory (500). */
static void buf_failed(conv *c, int brc)
{
    if (c->rc)
        return;
    if (brc == RB_TOOBIG)
        rb_err_set(c->err, 422, "invalid_input",
                   "line %zu: the converted WebVTT would be larger than %zu bytes", c->lineno,
                   RB_VTT_MAX_INPUT);
    else
        rb_err_set(c->err, 500, "internal_error", "out of memory");
    c->rc = RB_ERR;
}

static void put(conv *c, rb_buf *b, const char *p, size_t n)
{
    int brc;
    if (!c->rc && (brc = rb_buf_append(b, p, n)) != RB_OK)
        buf_failed(c, brc);
}

static void puts_(conv *c, rb_buf *b, const char *s)
{
    put(c, b, s, strlen(s));
}

/* Length of a character reference ("&amp;", "&#233;", "&#xE9;") at s, 0
 * when s does not start one. Such references mean the same in WebVTT and
 * are kept; any other '&' is escaped. */
static size_t charref_len(const char *s, size_t n)
{
    size_t j = 1;
    size_t lim = n < 32 ? n : 32;
    if (j < lim && s[j] == '#') {
        j++;
        int hex = j < lim && (s[j] == 'x' || s[j] == 'X');
        if (hex)
            j++;
        size_t d0 = j;
        while (j < lim && (is_digit(s[j]) ||
                           (hex && ((s[j] >= 'a' && s[j] <= 'f') || (s[j] >= 'A' && s[j] <= 'F')))))
            j++;
        if (j == d0)
            return 0;
    } else {
        size_t a0 = j;
        while (j < lim && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
                           (j > a0 && is_digit(s[j]))))
            j++;
        if (j == a0)
            return 0;
    }
    return j < lim && s[j] == ';' ? j + 1 : 0;
}

static int is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* If s starts an HTML-like tag ("<name", "</name", up to the next '>' on the
 * line), converts it and returns its length; else 0. <i>, <b> and <u> are
 * WebVTT tags too and are kept (lowercase, without attributes); <font ...>
 * and anything else SRT players accept have no WebVTT form and are dropped,
 * their text kept. gt_end is how far a '>' can be found (one past the
 * line's last '>', 0 for none): it keeps a line full of "<a " from costing
 * a scan to the end of the line per '<'. */
static size_t convert_tag(conv *c, const char *s, size_t n, size_t gt_end)
{
    size_t j = 1;
    int closing = 0;
    if (j < n && s[j] == '/') {
        closing = 1;
        j++;
    }
    size_t name = j;
    while (j < n && is_alpha(s[j]))
        j++;
    if (j == name || (j < n && s[j] != '>' && s[j] != '/' && !is_ws(s[j])) || gt_end <= j)
        return 0;
    const char *gt = memchr(s + j, '>', gt_end - j);
    if (!gt)
        return 0;
    char lower = (char)(s[name] | 0x20);
    if (j - name == 1 && (lower == 'i' || lower == 'b' || lower == 'u')) {
        puts_(c, &c->line, closing ? "</" : "<");
        put(c, &c->line, &lower, 1);
        put(c, &c->line, ">", 1);
    }
    return (size_t)(gt - s) + 1;
}

/* Converts one SRT text line and appends it to the output, followed by "\n".
 * A line with nothing visible left is dropped: an empty line would end the
 * WebVTT cue. */
static void emit_text(conv *c, const srt_line *ln)
{
    if (c->rc)
        return;
    rb_buf_reset(&c->line);
    const char *s = ln->s;
    size_t n = ln->len;
    /* One past the last '>' and '}' of the line: no search goes further. */
    size_t gt_end = n, brace_end = n;
    while (gt_end > 0 && s[gt_end - 1] != '>')
        gt_end--;
    while (brace_end > 0 && s[brace_end - 1] != '}')
        brace_end--;
    for (size_t i = 0; i < n && !c->rc;) {
        char ch = s[i];
        if (ch == '<') {
            size_t adv = convert_tag(c, s + i, n - i, gt_end > i ? gt_end - i : 0);
            if (adv) {
                i += adv;
            } else {
                puts_(c, &c->line, "&lt;");
                i++;
            }
        } else if (ch == '{' && i + 1 < n && s[i + 1] == '\\' && brace_end > i) {
            /* An ASS override such as {\an8} or {\i1}: SubStation markup that
             * many SRT writers leave in; WebVTT has no equivalent syntax. */
            i = (size_t)((const char *)memchr(s + i, '}', brace_end - i) - s) + 1;
        } else if (ch == '&') {
            size_t r = charref_len(s + i, n - i);
            if (r) {
                put(c, &c->line, s + i, r);
                i += r;
            } else {
                puts_(c, &c->line, "&amp;");
                i++;
            }
        } else if (ch == '>' && c->line.len >= 2 && c->line.data[c->line.len - 1] == '-' &&
                   c->line.data[c->line.len - 2] == '-') {
            /* "-->" in a payload line would make it a timing line. The check
             * is on the converted bytes, so a dropped tag between "--" and
             * '>' cannot sneak one through. */
            puts_(c, &c->line, "&gt;");
            i++;
        } else {
            put(c, &c->line, &ch, 1);
            i++;
        }
    }
    if (c->rc)
        return;
    size_t len = c->line.len;
    while (len > 0 && is_ws(c->line.data[len - 1]))
        len--;
    if (len == 0)
        return;
    put(c, &c->out, c->line.data, len);
    put(c, &c->out, "\n", 1);
}

/* Writes a cue's identifier (a numeric label) and timing line. */
static void start_cue(conv *c, const srt_line *label, int64_t start, int64_t end)
{
    if (label && all_digits(label)) {
        put(c, &c->out, label->s, label->len);
        put(c, &c->out, "\n", 1);
    }
    char t0[32], t1[32];
    rb_vtt_format_time(start, t0, sizeof t0);
    rb_vtt_format_time(end, t1, sizeof t1);
    puts_(c, &c->out, t0);
    puts_(c, &c->out, " --> ");
    puts_(c, &c->out, t1);
    put(c, &c->out, "\n", 1);
}

/* Rejects NUL bytes and anything that is not UTF-8 (WebVTT is UTF-8 only;
 * guessing a legacy code page would turn some files into mojibake without a
 * word, so the uploader is told instead). */
static int check_bytes(const char *data, size_t len, rb_err *err)
{
    const char *nul = memchr(data, '\0', len);
    if (nul)
        return rb_err_set(err, 422, "invalid_input", "line %zu: NUL byte",
                          line_of(data, (size_t)(nul - data)));
    for (size_t i = 0; i < len;) {
        if ((unsigned char)data[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)data + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (r <= 0)
            return rb_err_set(err, 422, "invalid_input",
                              "line %zu: byte 0x%02X is not UTF-8; save the file as UTF-8",
                              line_of(data, i), (unsigned char)data[i]);
        i += (size_t)r;
    }
    return RB_OK;
}

static int skip_bom(const char **data, size_t *len)
{
    if (*len >= 3 && memcmp(*data, "\xEF\xBB\xBF", 3) == 0) {
        *data += 3;
        *len -= 3;
        return 1;
    }
    return 0;
}

static int convert(conv *c, const char *data, size_t len)
{
    rb_err *err = c->err;
    srt_cursor cur = {data, len, 0, 0};
    srt_line ln, pending = {0};
    int has_pending = 0; /* pending: a possible label, text unless a timing line follows */
    int in_cue = 0;
    int blank = 0;       /* the line before this one was empty */
    const char *why = NULL;
    puts_(c, &c->out, "WEBVTT\n\n");
    while (!c->rc && cursor_next(&cur, &ln)) {
        c->lineno = ln.lineno;
        srt_line trimmed = ln;
        ltrim(&trimmed);
        if (trimmed.len == 0) {
            blank = 1;
            continue;
        }
        int64_t start = 0, end = 0;
        enum timing_kind k = parse_timing(&trimmed, &start, &end, &why);
        if (k == TIMING_OK) {
            if (c->ncues == RB_VTT_MAX_BLOCKS)
                return rb_err_set(err, 422, "invalid_input", "line %zu: more than %zu cues",
                                  ln.lineno, RB_VTT_MAX_BLOCKS);
            if (in_cue)
                put(c, &c->out, "\n", 1);
            start_cue(c, has_pending ? &pending : NULL, start, end);
            c->ncues++;
            in_cue = 1;
            has_pending = 0;
            blank = 0;
            continue;
        }
        /* A broken timing line where a cue must start is an error; inside
         * text, right after a text line, "-->" is just text. */
        if (k == TIMING_BAD && (!in_cue || blank || has_pending)) {
            char msg[160];
            snprintf(msg, sizeof msg, "invalid timing line (%s)", why);
            return invalid(err, ln.lineno, msg, &trimmed);
        }
        if (!in_cue) {
            if (has_pending) {
                char msg[160];
                snprintf(msg, sizeof msg, "expected a timing line after the sequence number on "
                                          "line %zu",
                         pending.lineno);
                return invalid(err, ln.lineno, msg, &trimmed);
            }
            if (!is_label(&trimmed))
                return invalid(err, ln.lineno,
                               "expected a sequence number or a timing line such as "
                               "\"00:00:01,000 --> 00:00:02,500\"",
                               &trimmed);
            pending = trimmed;
            has_pending = 1;
        } else {
            if (has_pending) {
                emit_text(c, &pending);
                has_pending = 0;
            }
            /* A number is the next cue's label if a timing line follows; so
             * is a label-like word alone after a blank line. Otherwise the
             * line is text (the untrimmed line: indentation is the author's). */
            if (all_digits(&trimmed) || (blank && is_label(&trimmed))) {
                pending = trimmed;
                has_pending = 1;
            } else {
                emit_text(c, &ln);
            }
        }
        blank = 0;
    }
    if (c->rc)
        return c->rc;
    if (has_pending && !in_cue)
        return rb_err_set(err, 422, "invalid_input",
                          "line %zu: the file ends after the sequence number on line %zu "
                          "without a timing line",
                          cur.lineno, pending.lineno);
    if (has_pending)
        emit_text(c, &pending);
    if (in_cue)
        put(c, &c->out, "\n", 1);
    if (c->rc)
        return c->rc;
    if (c->ncues == 0)
        return rb_err_set(err, 422, "invalid_input",
                          "line %zu: no subtitle cues (no timing line such as "
                          "\"00:00:01,000 --> 00:00:02,500\")",
                          cur.lineno ? cur.lineno : 1);
    return RB_OK;
}

int rb_srt_to_vtt(const char *data, size_t len, char **vtt, size_t *vtt_len, rb_err *err)
{
    *vtt = NULL;
    if (vtt_len)
        *vtt_len = 0;
    if (!data)
        len = 0;
    if (len > RB_SRT_MAX_INPUT)
        return rb_err_set(err, 422, "invalid_input", "line 1: input is %zu bytes, more than %zu",
                          len, RB_SRT_MAX_INPUT);
    if (!data)
        data = "";
    skip_bom(&data, &len);
    int rc = check_bytes(data, len, err);
    if (rc)
        return rc;
    conv c;
    memset(&c, 0, sizeof c);
    c.err = err;
    rb_buf_init(&c.out, RB_VTT_MAX_INPUT);
    rb_buf_init(&c.line, RB_VTT_MAX_INPUT);
    rc = convert(&c, data, len);
    rb_buf_free(&c.line);
    if (rc) {
        rb_buf_free(&c.out);
        return rc;
    }
    size_t n = c.out.len;
    *vtt = rb_buf_steal(&c.out);
    if (!*vtt)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    if (vtt_len)
        *vtt_len = n;
    return RB_OK;
}

int rb_srt_sniff(const char *data, size_t len)
{
    if (!data)
        return 0;
    skip_bom(&data, &len);
    srt_cursor cur = {data, len, 0, 0};
    srt_line ln;
    int seen_label = 0;
    int64_t a, b;
    const char *why;
    while (cur.lineno < SNIFF_LINES && cursor_next(&cur, &ln)) {
        ltrim(&ln);
        if (ln.len == 0)
            continue;
        if (!seen_label && ln.len >= 6 && memcmp(ln.s, "WEBVTT", 6) == 0)
            return 0;
        if (parse_timing(&ln, &a, &b, &why) == TIMING_OK)
            return 1;
        if (seen_label || !is_label(&ln))
            return 0;
        seen_label = 1;
    }
    return 0;
}
