/* background.c — stem counts of a general-language corpus (docs/background.md).
 *
 * The corpus is read once, cleaned of invalid UTF-8, cut into chunks at line
 * ends and tokenised by rb_transcript_tokenize, so the counted stems are
 * exactly the stems a transcript of the same language gets. The counts live
 * in one open-addressing hash table (FNV-1a, load at most one half) whose
 * keys sit back to back in one buffer. After the build nothing is written,
 * so any number of threads may look up at once. */
#include "ai/background.h"
#include "ai/langcache.h"
#include "ai/transcript.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>


#define BG_DEFAULT_DIR "/usr/share/dasher"
/* Text handed to the tokenizer at once: big enough that opening its ICU
 * iterator and stemmer per chunk costs nothing, small enough that the token
 * array of one chunk stays a few hundred KiB. */
#define BG_CHUNK ((size_t)64 * 1024)
#define BG_MAX_STEM RB_BACKGROUND_MAX_STEM

struct bg_slot {
    uint32_t key;   /* offset of the stem in keys; UINT32_MAX = empty */
    uint32_t klen;
    uint32_t hash;
    uint32_t count;
};

struct rb_background {
    struct bg_slot *slot; /* cap slots, cap a power of two */
    size_t cap;
    size_t n;             /* used slots (distinct stems) */
    char *keys;
    size_t keyslen, keyscap;
    size_t total;         /* tokens counted */
};

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static struct bg_slot *find(const rb_background *b, const char *s, size_t n, uint32_t h)
{
    size_t mask = b->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct bg_slot *e = &b->slot[i];
        if (e->key == UINT32_MAX)
            return e;
        if (e->hash == h && e->klen == n && memcmp(b->keys + e->key, s, n) == 0)
            return e;
    }
}

static int grow(rb_background *b)
{
    size_t ncap = b->cap ? b->cap * 2 : 4096;
    struct bg_slot *ns = malloc(ncap * sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < ncap; i++)
        ns[i].key = UINT32_MAX;
    for (size_t i = 0; i < b->cap; i++) {
        if (b->slot[i].key == UINT32_MAX)
            continue;
        size_t j = b->slot[i].hash & (ncap - 1);
        while (ns[j].key != UINT32_MAX)
            j = (j + 1) & (ncap - 1);
        ns[j] = b->slot[i];
    }
    free(b->slot);
    b->slot = ns;
    b->cap = ncap;
    return 0;
}

static int add(rb_background *b, const char *s, size_t n)
{
    b->total++;
    if (n == 0 || n > BG_MAX_STEM)
        return 0;
    if ((b->n + 1) * 2 > b->cap && grow(b) != 0)
        return -1;
    uint32_t h = fnv1a(s, n);
    struct bg_slot *e = find(b, s, n, h);
    if (e->key != UINT32_MAX) {
        if (e->count < UINT32_MAX)
            e->count++;
        return 0;
    }
    if (b->keyslen + n > b->keyscap) {
        size_t nc = b->keyscap ? b->keyscap * 2 : 64 * 1024;
        while (nc < b->keyslen + n)
            nc *= 2;
        if (nc > UINT32_MAX)
            return -1;
        char *k = realloc(b->keys, nc);
        if (!k)
            return -1;
        b->keys = k;
        b->keyscap = nc;
    }
    memcpy(b->keys + b->keyslen, s, n);
    e->key = (uint32_t)b->keyslen;
    e->klen = (uint32_t)n;
    e->hash = h;
    e->count = 1;
    b->keyslen += n;
    b->n++;
    return 0;
}

/* Replaces every byte that is not part of valid UTF-8 (and every NUL) by a
 * space: the tokenizer folds each word with utf8proc, which refuses invalid
 * input, and one bad byte must not cost the whole corpus. */
static void clean_utf8(char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) {
            s[i++] = ' ';
            continue;
        }
        if (cp == 0)
            s[i] = ' ';
        i += (size_t)n;
    }
}

/* Where the chunk starting at off ends: after the last '\n' within
 * BG_CHUNK bytes, else after the last space, else on a character boundary. */
static size_t chunk_end(const char *s, size_t len, size_t off)
{
    if (len - off <= BG_CHUNK)
        return len;
    size_t end = off + BG_CHUNK;
    for (size_t i = end; i > off; i--)
        if (s[i - 1] == '\n')
            return i;
    for (size_t i = end; i > off; i--)
        if (s[i - 1] == ' ')
            return i;
    while (end > off + 1 && ((unsigned char)s[end] & 0xC0) == 0x80)
        end--;
    return end;
}

/* Counts the stems of buf (len bytes, writable: cleaned and cut in place). */
static int count_text(rb_background *b, char *buf, size_t len, const char *lang, rb_err *err)
{
    clean_utf8(buf, len);
    for (size_t off = 0; off < len;) {
        size_t end = chunk_end(buf, len, off);
        char save = buf[end];
        buf[end] = '\0';
        rb_transcript_token *toks = NULL;
        size_t nt = 0;
        int rc = rb_transcript_tokenize(buf + off, lang, &toks, &nt, err);
        buf[end] = save;
        if (rc != RB_OK)
            return rc;
        for (size_t i = 0; i < nt && rc == RB_OK; i++)
            if (add(b, toks[i].stem, strlen(toks[i].stem)) != 0)
                rc = rb_err_set(err, 500, "internal_error", "background: out of memory");
        rb_transcript_tokens_free(toks, nt);
        if (rc != RB_OK)
            return rc;
        off = end;
    }
    return RB_OK;
}

int rb_background_open_mem(const char *text, size_t len, const char *lang, rb_background **out,
                           rb_err *err)
{
    *out = NULL;
    if (len > RB_BACKGROUND_MAX_FILE)
        return rb_err_set(err, 422, "invalid_input", "background: corpus of %zu bytes is too large",
                          len);
    rb_background *b = calloc(1, sizeof *b);
    char *buf = malloc(len + 1);
    if (!b || !buf || grow(b) != 0) {
        free(b);
        free(buf);
        return rb_err_set(err, 500, "internal_error", "background: out of memory");
    }
    if (len)
        memcpy(buf, text, len);
    buf[len] = '\0';
    int rc = count_text(b, buf, len, lang, err);
    free(buf);
    if (rc != RB_OK) {
        rb_background_close(b);
        return rc;
    }
    *out = b;
    return RB_OK;
}

/* Reads all of path into a NUL-terminated heap buffer. */
static int read_file(const char *path, char **out, size_t *outlen, rb_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR) {
            rb_err_set(err, 404, "not_found", "background: %s is missing", path);
            return RB_NOTFOUND;
        }
        return rb_err_set(err, 500, "internal_error", "background: open %s: %s", path,
                          strerror(errno));
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return rb_err_set(err, 422, "invalid_input", "background: %s is not a regular file", path);
    }
    if ((uint64_t)st.st_size > RB_BACKGROUND_MAX_FILE) {
        fclose(f);
        rb_err_set(err, 422, "invalid_input", "background: %s is larger than %zu bytes", path,
                   RB_BACKGROUND_MAX_FILE);
        return RB_TOOBIG;
    }
    size_t len = (size_t)st.st_size;
    char *buf = malloc(len + 1);
    if (!buf) {
        fclose(f);
        return rb_err_set(err, 500, "internal_error", "background: out of memory");
    }
    size_t got = len ? fread(buf, 1, len, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (bad || got != len) {
        free(buf);
        return rb_err_set(err, 500, "internal_error", "background: read %s failed", path);
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return RB_OK;
}

int rb_background_open(const char *dir, const char *lang, rb_background **out, rb_err *err)
{
    /* dasher-data's general-language training texts (one per language). */
    static const struct {
        const char *lang;
        const char *file;
    } files[] = {
        {"en", "training_english_GB.txt"},
        {"fr", "training_french_FR.txt"},
        {"de", "training_german_DE.txt"},
        {"es", "training_spanish_ES.txt"},
    };
    *out = NULL;
    char ll[4];
    const char *file = NULL;
    if (rb_langcache_primary(lang, ll) == 0)
        for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
            if (strcmp(files[i].lang, ll) == 0)
                file = files[i].file;
    if (!file) {
        rb_err_set(err, 404, "not_found", "background: no corpus for language \"%s\"",
                   lang ? lang : "(null)");
        return RB_NOTFOUND;
    }
    if (!dir) {
        const char *env = getenv("ROBOTS_BACKGROUND_DIR");
        dir = env && *env ? env : BG_DEFAULT_DIR;
    }
    char path[4096];
    int pn = snprintf(path, sizeof path, "%s/%s", dir, file);
    if (pn < 0 || (size_t)pn >= sizeof path)
        return rb_err_set(err, 422, "invalid_input", "background: directory path too long");
    char *buf = NULL;
    size_t len = 0;
    int rc = read_file(path, &buf, &len, err);
    if (rc != RB_OK)
        return rc;
    rb_background *b = calloc(1, sizeof *b);
    if (!b || grow(b) != 0) {
        free(b);
        free(buf);
        return rb_err_set(err, 500, "internal_error", "background: out of memory");
    }
    rc = count_text(b, buf, len, ll, err);
    free(buf);
    if (rc != RB_OK) {
        rb_background_close(b);
        return rc;
    }
    *out = b;
    return RB_OK;
}

void rb_background_close(rb_background *b)
{
    if (!b)
        return;
    free(b->slot);
    free(b->keys);
    free(b);
}

size_t rb_background_count(const rb_background *b, const char *stem, size_t len)
{
    if (!b || !stem || len == 0 || len > BG_MAX_STEM || b->n == 0)
        return 0;
    const struct bg_slot *e = find(b, stem, len, fnv1a(stem, len));
    return e->key == UINT32_MAX ? 0 : e->count;
}

size_t rb_background_total(const rb_background *b)
{
    return b ? b->total : 0;
}

size_t rb_background_size(const rb_background *b)
{
    return b ? b->n : 0;
}

size_t rb_background_bytes(const rb_background *b)
{
    return b ? sizeof *b + b->cap * sizeof *b->slot + b->keyscap : 0;
}

double rb_background_weight(const rb_background *b, const char *stem, size_t len)
{
    if (!b || b->total == 0)
        return 1.0;
    double n = (double)b->total + 1.0;
    double c = (double)rb_background_count(b, stem, len) + 1.0;
    if (c > n)
        c = n;
    return log(n / c) / log(n);
}

/* ---- process-wide tables ------------------------------------------------ */

static int cache_open(const char *lang, void **out, rb_err *err)
{
    rb_background *b = NULL;
    int rc = rb_background_open(NULL, lang, &b, err);
    *out = b;
    return rc;
}

static void cache_close(void *b)
{
    rb_background_close(b);
}

static void cache_describe(const void *obj, char *buf, size_t n)
{
    const rb_background *b = obj;
    snprintf(buf, n, "%zu tokens, %zu stems, %zu KiB", b->total, b->n,
             rb_background_bytes(b) / 1024);
}

static rb_langcache g_cache = RB_LANGCACHE_INIT("background", "every word weighs 1", cache_open,
                                                cache_close, cache_describe);

const rb_background *rb_background_get(const char *lang)
{
    return rb_langcache_get(&g_cache, lang);
}

void rb_background_shutdown(void)
{
    rb_langcache_shutdown(&g_cache);
}
