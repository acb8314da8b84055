/* thesaurus.c — reader for the MyThes thesauri (docs/thesaurus.md).
 *
 * A MyThes thesaurus is two files. The .dat starts with its encoding on one
 * line, then holds entries "word|N" each followed by N meaning lines
 * "(pos)|syn|syn...". The .idx repeats the encoding, gives a count, then one
 * "word|byte offset of the entry in the .dat" line per headword.
 *
 * At open we fold every .idx headword the way the transcript model folds
 * words and keep (folded key, offset) pairs in one sorted array; the .dat is
 * mapped, not read, and only the pages of the entries actually looked up are
 * ever touched. A lookup is a binary search plus a parse of one entry, which
 * is checked against the bounds of the mapping at every step because the
 * files are untrusted input (there is a fuzz target). After open nothing is
 * written, so any number of threads may look up at once. */
#include "ai/thesaurus.h"
#include "ai/langcache.h"
#include "ai/transcript.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unicode/ucnv.h>
#include <utf8proc.h>

#include "common/log.h"


/* ICU converts at most INT32_MAX bytes per call, and offsets are stored as
 * uint32_t; the largest real file (German) is 28 MB. */
#define TH_MAX_FILE ((size_t)INT32_MAX)
/* A meaning count or an offset has at most this many digits; more is corrupt
 * (and could overflow). */
#define TH_MAX_DIGITS 10
/* Parts of speech are short labels ("noun", "Adjectif Nom Verbe"). */
#define TH_POS_MAX 64
#define TH_DEFAULT_DIR "/usr/share/mythes"

struct th_entry {
    uint32_t key;  /* offset of the folded headword in keys */
    uint32_t klen; /* its length in bytes */
    uint32_t off;  /* offset of "word|N" in the .dat */
};

struct rb_thesaurus {
    const char *dat; /* the .dat: the mapping or copy */
    size_t datlen;
    void *map; /* non-NULL when dat is an mmap of maplen bytes */
    size_t maplen;
    char *copy; /* non-NULL when dat is a heap copy (open_mem) */
    int utf8;   /* 1 when no conversion is needed */
    char enc[64];
    char *keys; /* every folded headword, back to back */
    size_t keyslen;
    struct th_entry *ent; /* sorted by (key, off) */
    size_t n;
};

/* ---- small parsing helpers -------------------------------------------- */

/* The line that starts at off (off <= len): returns its end without '\n' or a
 * trailing '\r'; *next is where the following line starts (len at the end). */
static size_t line_at(const char *s, size_t len, size_t off, size_t *next)
{
    const char *nl = off < len ? memchr(s + off, '\n', len - off) : NULL;
    size_t end = nl ? (size_t)(nl - s) : len;
    *next = nl ? end + 1 : len;
    if (end > off && s[end - 1] == '\r')
        end--;
    return end;
}

/* Parses 1..TH_MAX_DIGITS decimal digits making up all of [s, s+n). */
static int parse_digits(const char *s, size_t n, uint64_t *v)
{
    if (n == 0 || n > TH_MAX_DIGITS)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return 0;
}

/* Splits "word|number" at its last '|'. */
static int split_last_bar(const char *s, size_t n, size_t *wordlen, uint64_t *num)
{
    const char *bar = NULL;
    for (size_t i = n; i > 0; i--)
        if (s[i - 1] == '|') {
            bar = s + i - 1;
            break;
        }
    if (!bar)
        return -1;
    *wordlen = (size_t)(bar - s);
    return parse_digits(bar + 1, n - *wordlen - 1, num);
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* ---- encoding ------------------------------------------------------------ */

/* Reads the encoding line that starts both files. Returns the offset of the
 * next line, or 0 when the line is unusable. UTF-8 needs no converter; any
 * other name must be one ICU knows and ASCII-compatible, because the '|' and
 * digits of the structure are parsed before conversion. */
static size_t read_encoding(rb_thesaurus *t, const char *s, size_t len, rb_err *err)
{
    size_t next, start = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    size_t end = line_at(s, len, start, &next);
    while (start < end && (s[start] == ' ' || s[start] == '\t'))
        start++;
    while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    if (end == start || end - start >= sizeof t->enc || memchr(s + start, '\0', end - start)) {
        rb_err_set(err, 422, "invalid_input", "thesaurus: no encoding on the first line");
        return 0;
    }
    memcpy(t->enc, s + start, end - start);
    t->enc[end - start] = '\0';
    if (ascii_ieq(t->enc, "UTF-8") || ascii_ieq(t->enc, "UTF8")) {
        t->utf8 = 1;
        return next;
    }
    UErrorCode st = U_ZERO_ERROR;
    UConverter *c = ucnv_open(t->enc, &st);
    if (U_FAILURE(st) || !c || ucnv_getMinCharSize(c) != 1) {
        if (c)
            ucnv_close(c);
        rb_err_set(err, 422, "invalid_input", "thesaurus: unsupported encoding \"%s\"", t->enc);
        return 0;
    }
    ucnv_close(c);
    t->utf8 = 0;
    return next;
}

/* Per-call conversion state: lookups run concurrently, so each keeps its own
 * converter and buffer instead of sharing one in the thesaurus. */
struct conv {
    UConverter *cnv;
    char *buf;
    size_t cap;
};

static void conv_free(struct conv *c)
{
    if (c->cnv)
        ucnv_close(c->cnv);
    free(c->buf);
}

/* [s, s+len) as UTF-8: s itself for a UTF-8 file, else a conversion held in
 * c until the next call. NULL when memory runs out. */
static const char *to_utf8(const rb_thesaurus *t, struct conv *c, const char *s, size_t len,
                           size_t *outlen)
{
    if (t->utf8) {
        *outlen = len;
        return s;
    }
    UErrorCode st = U_ZERO_ERROR;
    if (!c->cnv) {
        c->cnv = ucnv_open(t->enc, &st);
        if (U_FAILURE(st))
            return NULL;
    }
    /* One byte of a single-byte charset is at most three UTF-8 bytes (the
     * BMP); a wider result is retried once with the size ICU reports. One
     * byte is kept for the terminating NUL. */
    size_t need = 3 * len + 4;
    if (need > (size_t)INT32_MAX)
        need = (size_t)INT32_MAX;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (need > c->cap) {
            char *nb = realloc(c->buf, need);
            if (!nb)
                return NULL;
            c->buf = nb;
            c->cap = need;
        }
        st = U_ZERO_ERROR;
        ucnv_reset(c->cnv);
        int32_t n = ucnv_toAlgorithmic(UCNV_UTF8, c->cnv, c->buf, (int32_t)(c->cap - 1), s,
                                       (int32_t)len, &st);
        if (U_SUCCESS(st) && n >= 0 && (size_t)n < c->cap) {
            c->buf[n] = '\0';
            *outlen = (size_t)n;
            return c->buf;
        }
        if (st != U_BUFFER_OVERFLOW_ERROR || n < 0)
            return NULL;
        if ((size_t)n >= (size_t)INT32_MAX)
            return NULL;
        need = (size_t)n + 1;
    }
    return NULL;
}

/* ---- folding --------------------------------------------------------------- */

/* Folded text: short ASCII in place, anything else from utf8proc. */
struct fold {
    char small[256];
    char *heap;
};

/* Folds as src/ai/transcript.c does (rb_transcript_fold: NFKC + case fold
 * + default ignorables dropped, U+2019 -> ') so keys match the words the
 * engine looks up. Pure ASCII folds to its lower case under those rules,
 * which spares utf8proc's allocation for most keys. Returns the folded text, NUL-terminated and
 * writable, or NULL when s is not valid UTF-8 or memory ran out. */
static char *fold(struct fold *f, const char *s, size_t len, size_t *outlen)
{
    free(f->heap);
    f->heap = NULL;
    size_t i = 0;
    while (i < len && (unsigned char)s[i] < 0x80 && s[i] != '\0')
        i++;
    if (i == len && len < sizeof f->small) {
        for (i = 0; i < len; i++)
            f->small[i] = (char)ascii_lower((unsigned char)s[i]);
        f->small[len] = '\0';
        *outlen = len;
        return f->small;
    }
    char *r = rb_transcript_fold(s, len, outlen);
    f->heap = r;
    return r;
}

static void fold_free(struct fold *f)
{
    free(f->heap);
    f->heap = NULL;
}

/* ---- building the index --------------------------------------------------- */

struct builder {
    rb_thesaurus *t;
    size_t cap, keyscap;
    struct conv c;
    struct fold f;
    size_t skipped; /* headwords that could not be converted or folded */
};

/* Adds headword [w, w+wlen) (file encoding) found at off in the .dat. */
static int add_key(struct builder *b, const char *w, size_t wlen, uint64_t off, rb_err *err)
{
    rb_thesaurus *t = b->t;
    if (off >= t->datlen) {
        b->skipped++;
        return RB_OK;
    }
    size_t ulen, klen;
    const char *u = to_utf8(t, &b->c, w, wlen, &ulen);
    const char *k = u ? fold(&b->f, u, ulen, &klen) : NULL;
    if (!k || klen == 0) {
        /* An empty headword (the German file has one) cannot be looked up. */
        b->skipped++;
        return RB_OK;
    }
    if (t->keyslen + klen > UINT32_MAX)
        return rb_err_set(err, 422, "invalid_input", "thesaurus: headwords too large");
    if (t->keyslen + klen > b->keyscap) {
        size_t nc = b->keyscap ? b->keyscap : 4096;
        while (nc < t->keyslen + klen)
            nc *= 2;
        char *nk = realloc(t->keys, nc);
        if (!nk)
            return rb_err_set(err, 500, "internal_error", "thesaurus: out of memory");
        t->keys = nk;
        b->keyscap = nc;
    }
    if (t->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 1024;
        struct th_entry *ne = realloc(t->ent, nc * sizeof *ne);
        if (!ne)
            return rb_err_set(err, 500, "internal_error", "thesaurus: out of memory");
        t->ent = ne;
        b->cap = nc;
    }
    memcpy(t->keys + t->keyslen, k, klen);
    t->ent[t->n].key = (uint32_t)t->keyslen;
    t->ent[t->n].klen = (uint32_t)klen;
    t->ent[t->n].off = (uint32_t)off;
    t->keyslen += klen;
    t->n++;
    return RB_OK;
}

/* Builds the keys from the .idx. Only the .idx is read here: checking each
 * offset against the .dat would fault in all of it (28 MB for German), so
 * offsets are checked when an entry is looked up. */
static int build_from_idx(struct builder *b, const char *idx, size_t idxlen, rb_err *err)
{
    size_t off, next;
    /* Line 1 is the encoding; the .dat's decides (they agree in every
     * packaged thesaurus). Line 2 is the entry count, a hint only. */
    line_at(idx, idxlen, 0, &off);
    size_t end = line_at(idx, idxlen, off, &next);
    uint64_t count;
    if (parse_digits(idx + off, end - off, &count) == 0) {
        off = next;
        if (count > idxlen / 3)
            count = idxlen / 3;
        if (count > 0) {
            b->t->ent = malloc((size_t)count * sizeof *b->t->ent);
            if (!b->t->ent)
                return rb_err_set(err, 500, "internal_error", "thesaurus: out of memory");
            b->cap = (size_t)count;
        }
    }
    for (; off < idxlen; off = next) {
        end = line_at(idx, idxlen, off, &next);
        size_t wlen;
        uint64_t doff;
        if (split_last_bar(idx + off, end - off, &wlen, &doff) != 0) {
            if (end > off)
                b->skipped++;
            continue;
        }
        int rc = add_key(b, idx + off, wlen, doff, err);
        if (rc)
            return rc;
    }
    return RB_OK;
}

/* Without an .idx: walks the .dat entry by entry, trusting each "word|N". A
 * line that is not a header is skipped, so a damaged entry costs only itself
 * and the scan resynchronises on the next header. */
static int build_from_dat(struct builder *b, size_t off, rb_err *err)
{
    const rb_thesaurus *t = b->t;
    size_t next;
    while (off < t->datlen) {
        size_t end = line_at(t->dat, t->datlen, off, &next);
        size_t wlen;
        uint64_t nm;
        if (split_last_bar(t->dat + off, end - off, &wlen, &nm) != 0) {
            off = next;
            continue;
        }
        int rc = add_key(b, t->dat + off, wlen, off, err);
        if (rc)
            return rc;
        off = next;
        for (uint64_t m = 0; m < nm && off < t->datlen; m++)
            line_at(t->dat, t->datlen, off, &off);
    }
    return RB_OK;
}

static int entry_cmp(const void *a, const void *b, void *arg)
{
    const char *keys = arg;
    const struct th_entry *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(keys + x->key, keys + y->key, n);
    if (c)
        return c;
    if (x->klen != y->klen)
        return x->klen < y->klen ? -1 : 1;
    /* Headwords that fold alike ("Amati"/"amati") keep file order. */
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Everything after the .dat is in place: encoding, keys, sort. */
static int build(rb_thesaurus *t, const char *idx, size_t idxlen, rb_err *err)
{
    size_t body = read_encoding(t, t->dat, t->datlen, err);
    if (body == 0)
        return RB_ERR;
    struct builder b = {.t = t};
    int rc;
    if (idx)
        rc = build_from_idx(&b, idx, idxlen, err);
    else
        rc = build_from_dat(&b, body, err);
    conv_free(&b.c);
    fold_free(&b.f);
    if (rc)
        return rc;
    if (t->n == 0)
        return rb_err_set(err, 422, "invalid_input", "thesaurus: no entries");
    qsort_r(t->ent, t->n, sizeof *t->ent, entry_cmp, t->keys);
    /* Give back the growth slack: the arrays live as long as the process. */
    struct th_entry *ne = realloc(t->ent, t->n * sizeof *ne);
    if (ne)
        t->ent = ne;
    char *nk = realloc(t->keys, t->keyslen ? t->keyslen : 1);
    if (nk)
        t->keys = nk;
    if (b.skipped)
        rb_debug("thesaurus: %zu index lines skipped (unparsable or out of range)", b.skipped);
    return RB_OK;
}

int rb_thesaurus_open_mem(const char *idx, size_t idxlen, const char *dat, size_t datlen,
                          rb_thesaurus **out, rb_err *err)
{
    *out = NULL;
    if (!dat || datlen == 0)
        return rb_err_set(err, 422, "invalid_input", "thesaurus: empty data");
    if (datlen > TH_MAX_FILE || (idx && idxlen > TH_MAX_FILE))
        return rb_err_set(err, 422, "invalid_input", "thesaurus: file too large");
    rb_thesaurus *t = calloc(1, sizeof *t);
    char *copy = malloc(datlen);
    if (!t || !copy) {
        free(t);
        free(copy);
        return rb_err_set(err, 500, "internal_error", "thesaurus: out of memory");
    }
    memcpy(copy, dat, datlen);
    t->copy = copy;
    t->dat = copy;
    t->datlen = datlen;
    int rc = build(t, idx, idxlen, err);
    if (rc) {
        rb_thesaurus_close(t);
        return rc;
    }
    *out = t;
    return RB_OK;
}

/* ---- opening from a directory ------------------------------------------- */

/* Maps path read-only. ENOENT is reported as RB_NOTFOUND without filling err,
 * so an absent .idx is not an error. */
static int map_file(const char *path, void **map, size_t *len, rb_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return RB_NOTFOUND;
        return rb_err_set(err, 500, "internal_error", "thesaurus: %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rb_err_set(err, 422, "invalid_input", "thesaurus: %s is not a regular file", path);
    }
    if (st.st_size <= 0 || (uint64_t)st.st_size > TH_MAX_FILE) {
        close(fd);
        return rb_err_set(err, 422, "invalid_input", "thesaurus: %s is empty or too large", path);
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return rb_err_set(err, 500, "internal_error", "thesaurus: mmap %s: %s", path, strerror(errno));
    *map = m;
    *len = (size_t)st.st_size;
    return RB_OK;
}

static int open_files(const char *datpath, const char *idxpath, rb_thesaurus **out, rb_err *err)
{
    rb_thesaurus *t = calloc(1, sizeof *t);
    if (!t)
        return rb_err_set(err, 500, "internal_error", "thesaurus: out of memory");
    int rc = map_file(datpath, &t->map, &t->maplen, err);
    if (rc) {
        free(t);
        if (rc == RB_NOTFOUND) {
            rb_err_set(err, 404, "not_found", "thesaurus: %s is missing", datpath);
            return RB_NOTFOUND;
        }
        return rc;
    }
    /* Lookups jump around the file: read-ahead would only inflate RSS. */
    madvise(t->map, t->maplen, MADV_RANDOM);
    t->dat = t->map;
    t->datlen = t->maplen;
    void *imap = NULL;
    size_t ilen = 0;
    rc = map_file(idxpath, &imap, &ilen, err);
    if (rc && rc != RB_NOTFOUND) {
        rb_thesaurus_close(t);
        return rc;
    }
    if (imap)
        madvise(imap, ilen, MADV_SEQUENTIAL);
    rc = build(t, imap, ilen, err);
    if (imap)
        munmap(imap, ilen);
    if (rc) {
        rb_thesaurus_close(t);
        return rc;
    }
    *out = t;
    return RB_OK;
}

/* Tries dir/base.dat (+ base.idx). RB_NOTFOUND when the .dat is absent. */
static int try_base(const char *dir, const char *base, rb_thesaurus **out, rb_err *err)
{
    char dat[4096], idx[4096];
    int a = snprintf(dat, sizeof dat, "%s/%s.dat", dir, base);
    int b = snprintf(idx, sizeof idx, "%s/%s.idx", dir, base);
    if (a < 0 || b < 0 || (size_t)a >= sizeof dat || (size_t)b >= sizeof idx)
        return rb_err_set(err, 422, "invalid_input", "thesaurus: directory path too long");
    struct stat st;
    if (stat(dat, &st) != 0)
        return RB_NOTFOUND;
    return open_files(dat, idx, out, err);
}

int rb_thesaurus_open(const char *dir, const char *lang, rb_thesaurus **out, rb_err *err)
{
    /* The file each Debian package installs first, then other regions. */
    static const struct {
        const char *lang;
        const char *bases[4];
    } preferred[] = {
        {"en", {"th_en_US_v2", "th_en_GB_v2", "th_en_AU_v2", NULL}},
        {"fr", {"thes_fr", "th_fr_FR_v2", NULL}},
        {"de", {"th_de_DE_v2", "th_de_AT_v2", "th_de_CH_v2", NULL}},
        {"es", {"th_es_ES_v2", NULL}},
    };
    *out = NULL;
    char ll[4];
    if (rb_langcache_primary(lang, ll) != 0) {
        rb_err_set(err, 404, "not_found", "thesaurus: no thesaurus for language \"%s\"",
                   lang ? lang : "(null)");
        return RB_NOTFOUND;
    }
    if (!dir) {
        const char *env = getenv("ROBOTS_THESAURUS_DIR");
        dir = env && *env ? env : TH_DEFAULT_DIR;
    }
    int rc;
    for (size_t i = 0; i < sizeof preferred / sizeof preferred[0]; i++) {
        if (strcmp(preferred[i].lang, ll) != 0)
            continue;
        for (size_t j = 0; preferred[i].bases[j]; j++)
            if ((rc = try_base(dir, preferred[i].bases[j], out, err)) != RB_NOTFOUND)
                return rc;
    }
    /* Another language, or a region we do not list: the MyThes names are
     * th_<ll>_<REGION>[_v2] and thes_<ll>; the smallest name wins so the
     * choice does not depend on directory order. */
    char base[256], best[256] = "";
    snprintf(base, sizeof base, "thes_%s", ll);
    if ((rc = try_base(dir, base, out, err)) != RB_NOTFOUND)
        return rc;
    char prefix[16];
    int plen = snprintf(prefix, sizeof prefix, "th_%s_", ll);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= (size_t)plen + 4 || n >= sizeof best || strncmp(e->d_name, prefix, (size_t)plen) != 0 ||
            strcmp(e->d_name + n - 4, ".dat") != 0)
            continue;
        if (!best[0] || strcmp(e->d_name, best) < 0) {
            memcpy(best, e->d_name, n - 4);
            best[n - 4] = '\0';
        }
    }
    if (d)
        closedir(d);
    if (best[0] && (rc = try_base(dir, best, out, err)) != RB_NOTFOUND)
        return rc;
    rb_err_set(err, 404, "not_found", "thesaurus: none for language \"%s\" in %s", ll, dir);
    return RB_NOTFOUND;
}

void rb_thesaurus_close(rb_thesaurus *t)
{
    if (!t)
        return;
    if (t->map)
        munmap(t->map, t->maplen);
    free(t->copy);
    free(t->keys);
    free(t->ent);
    free(t);
}

size_t rb_thesaurus_size(const rb_thesaurus *t)
{
    return t ? t->n : 0;
}

/* ---- lookup ----------------------------------------------------------------- */

/* Relation labels as they read after folding; anything else in parentheses
 * is a usage label (register, region, governed preposition). */
static int label_kind(const char *s, size_t n)
{
    static const struct {
        const char *label;
        int kind;
    } labels[] = {
        {"generic term", RB_THES_GENERIC},
        {"oberbegriff", RB_THES_GENERIC},
        {"related term", RB_THES_RELATED},
        {"similar term", RB_THES_SIMILAR},
        {"antonym", RB_THES_ANTONYM},
        {"antonyme", RB_THES_ANTONYM},
        {"gegenwort", RB_THES_ANTONYM},
        {"hauptform", RB_THES_SYNONYM},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strlen(labels[i].label) == n && memcmp(labels[i].label, s, n) == 0)
            return labels[i].kind;
    /* The packaged Spanish file (ISO8859-1) spells the label "Ant\xEF\xBF\xBDnimo":
     * an "ó" once replaced by U+FFFD whose UTF-8 bytes were then read as
     * Latin-1. "ant" + anything short + "nimo" covers it and the correct
     * spellings alike. */
    if (n >= 8 && n <= 16 && memcmp(s, "ant", 3) == 0 && memcmp(s + n - 4, "nimo", 4) == 0)
        return RB_THES_ANTONYM;
    return RB_THES_OTHER;
}

static void trim(const char **s, size_t *n)
{
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* Strips the trailing " (...)" annotations of folded synonym s (length *n),
 * innermost last, and returns its kind: the first relation label met from the
 * end, else RB_THES_OTHER when a usage label was met, else a synonym. Text
 * that is nothing but a parenthesis ("(Jahreszahl)") stays as it is. */
static int strip_labels(const char *s, size_t *n)
{
    int relation = -1, usage = 0;
    for (;;) {
        size_t m = *n;
        while (m && s[m - 1] == ' ')
            m--;
        if (m < 2 || s[m - 1] != ')')
            break;
        size_t depth = 0, open = SIZE_MAX;
        for (size_t i = m; i > 0; i--) {
            if (s[i - 1] == ')') {
                depth++;
            } else if (s[i - 1] == '(' && --depth == 0) {
                open = i - 1;
                break;
            }
        }
        if (open == SIZE_MAX || open == 0 || s[open - 1] != ' ')
            break;
        size_t rest = open;
        while (rest && s[rest - 1] == ' ')
            rest--;
        if (rest == 0)
            break;
        /* "(ugs., fig.)": one label per comma. */
        const char *p = s + open + 1, *end = s + m - 1;
        while (p <= end) {
            const char *q = memchr(p, ',', (size_t)(end - p));
            if (!q)
                q = end;
            const char *lab = p;
            size_t ln = (size_t)(q - p);
            trim(&lab, &ln);
            if (ln) {
                int k = label_kind(lab, ln);
                if (k == RB_THES_OTHER)
                    usage = 1;
                else if (k != RB_THES_SYNONYM && relation < 0)
                    relation = k;
            }
            p = q + 1;
        }
        *n = rest;
    }
    if (relation >= 0)
        return relation;
    return usage ? RB_THES_OTHER : RB_THES_SYNONYM;
}

struct walk {
    const rb_thesaurus *t;
    const char *q; /* the folded word */
    size_t qlen;
    rb_thesaurus_fn fn; /* NULL: only count meanings */
    void *arg;
    size_t calls;
    int meanings;
    int stop;
    struct conv c;
    struct fold f;
};

/* The part of speech of a meaning line: "(noun)" -> "noun", "-" -> "". */
static void copy_pos(const char *s, size_t n, char out[TH_POS_MAX])
{
    trim(&s, &n);
    if (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
        s++;
        n -= 2;
        trim(&s, &n);
    }
    if (n == 1 && s[0] == '-')
        n = 0;
    if (n >= TH_POS_MAX) {
        /* Cut on a character boundary. */
        n = TH_POS_MAX - 1;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Calls w->fn for every synonym of one meaning line (already UTF-8). */
static void visit_meaning(struct walk *w, const char *s, size_t n)
{
    const char *bar = memchr(s, '|', n);
    size_t poslen = bar ? (size_t)(bar - s) : n;
    char pos[TH_POS_MAX];
    copy_pos(s, poslen, pos);
    size_t p = bar ? poslen + 1 : n;
    while (p < n && !w->stop) {
        const char *f = s + p;
        const char *e = memchr(f, '|', n - p);
        size_t fl = e ? (size_t)(e - f) : n - p;
        p += fl + 1;
        trim(&f, &fl);
        if (fl == 0)
            continue;
        size_t sl;
        char *syn = fold(&w->f, f, fl, &sl);
        if (!syn)
            continue;
        int kind = strip_labels(syn, &sl);
        const char *ss = syn;
        trim(&ss, &sl);
        /* A NUL (only a corrupt file has one) would cut the C string the
         * callee may rely on. */
        if (sl == 0 || memchr(ss, '\0', sl))
            continue;
        /* syn is our own buffer: terminate the stripped text for the callee. */
        ((char *)ss)[sl] = '\0';
        w->calls++;
        if (w->fn(ss, sl, kind, pos, w->arg) != 0)
            w->stop = 1;
    }
}

/* Parses the entry at off when it really is the headword searched for. The
 * offset came from the .idx, which may be stale or corrupt: it must start a
 * line inside the .dat whose header folds to the key. */
static void visit_entry(struct walk *w, size_t off)
{
    const rb_thesaurus *t = w->t;
    if (off >= t->datlen || (off > 0 && t->dat[off - 1] != '\n'))
        return;
    size_t next;
    size_t end = line_at(t->dat, t->datlen, off, &next);
    size_t wlen;
    uint64_t nm;
    if (split_last_bar(t->dat + off, end - off, &wlen, &nm) != 0)
        return;
    size_t ulen, hlen;
    const char *u = to_utf8(t, &w->c, t->dat + off, wlen, &ulen);
    const char *h = u ? fold(&w->f, u, ulen, &hlen) : NULL;
    if (!h || hlen != w->qlen || memcmp(h, w->q, hlen) != 0)
        return;
    size_t p = next;
    for (uint64_t m = 0; m < nm && p < t->datlen && !w->stop; m++) {
        size_t le = line_at(t->dat, t->datlen, p, &next);
        w->meanings++;
        if (w->fn) {
            const char *line = to_utf8(t, &w->c, t->dat + p, le - p, &ulen);
            if (line)
                visit_meaning(w, line, ulen);
        }
        p = next;
    }
}

static int key_cmp(const rb_thesaurus *t, const struct th_entry *e, const char *q, size_t qlen)
{
    size_t n = e->klen < qlen ? e->klen : qlen;
    int c = memcmp(t->keys + e->key, q, n);
    if (c)
        return c;
    return e->klen < qlen ? -1 : e->klen > qlen;
}

static void walk_word(struct walk *w, const char *word, size_t len)
{
    const rb_thesaurus *t = w->t;
    struct fold qf = {.heap = NULL};
    size_t qlen;
    const char *q = fold(&qf, word, len, &qlen);
    if (q && qlen) {
        w->q = q;
        w->qlen = qlen;
        size_t lo = 0, hi = t->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (key_cmp(t, &t->ent[mid], q, qlen) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < t->n && !w->stop && key_cmp(t, &t->ent[i], q, qlen) == 0; i++)
            visit_entry(w, t->ent[i].off);
    }
    fold_free(&qf);
    fold_free(&w->f);
    conv_free(&w->c);
}

size_t rb_thesaurus_each(const rb_thesaurus *t, const char *word, size_t len, rb_thesaurus_fn fn,
                         void *arg)
{
    if (!t || !word || !fn || len == 0)
        return 0;
    struct walk w = {.t = t, .fn = fn, .arg = arg};
    walk_word(&w, word, len);
    return w.calls;
}

int rb_thesaurus_meanings(const rb_thesaurus *t, const char *word, size_t len)
{
    if (!t || !word || len == 0)
        return 0;
    struct walk w = {.t = t};
    walk_word(&w, word, len);
    return w.meanings;
}

/* ---- process-wide instances ---------------------------------------------- */

static int cache_open(const char *lang, void **out, rb_err *err)
{
    rb_thesaurus *t = NULL;
    int rc = rb_thesaurus_open(NULL, lang, &t, err);
    *out = t;
    return rc;
}

static void cache_close(void *t)
{
    rb_thesaurus_close(t);
}

static void cache_describe(const void *t, char *buf, size_t n)
{
    snprintf(buf, n, "%zu headwords", ((const rb_thesaurus *)t)->n);
}

static rb_langcache g_cache =
    RB_LANGCACHE_INIT("thesaurus", "no synonyms", cache_open, cache_close, cache_describe);

const rb_thesaurus *rb_thesaurus_get(const char *lang)
{
    return rb_langcache_get(&g_cache, lang);
}

void rb_thesaurus_shutdown(void)
{
    rb_langcache_shutdown(&g_cache);
}
