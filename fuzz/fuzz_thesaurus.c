/* fuzz_thesaurus.c — libFuzzer target for the MyThes thesaurus reader.
 *
 * The input is an .idx and a .dat: the bytes before the first NUL are the
 * .idx and the rest the .dat; without a NUL it is all .dat and the reader
 * scans it (no .idx). Checks on every input:
 *   1. a rejection carries the documented fields (422 "invalid_input", or
 *      500 when memory ran out) and leaves no thesaurus;
 *   2. an accepted thesaurus has at least one headword, and for a few words
 *      (fixed ones, and the first headwords of the .dat) every synonym passed
 *      to the callback is non-empty, NUL-terminated at its length with no NUL
 *      inside, valid UTF-8 without surrounding spaces, of a known kind, with
 *      a short NUL-terminated part of speech; the return value of
 *      rb_thesaurus_each is the number of calls; a word with synonyms has
 *      meanings; stopping after the first call makes exactly one call.
 * Any violation calls abort() so libFuzzer (or replay.c) reports it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ai/thesaurus.h"
#include "common/err.h"

struct check {
    size_t calls;
    int stop_first;
};

static int check_fn(const char *syn, size_t len, int kind, const char *pos, void *arg)
{
    struct check *c = arg;
    c->calls++;
    if (!syn || !pos || len == 0 || strlen(syn) != len)
        abort();
    if (syn[0] == ' ' || syn[len - 1] == ' ')
        abort();
    if (kind < RB_THES_SYNONYM || kind > RB_THES_OTHER)
        abort();
    if (strlen(pos) >= 64)
        abort();
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)syn;
    utf8proc_ssize_t left = (utf8proc_ssize_t)len;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0)
            abort();
        p += n;
        left -= n;
    }
    return c->stop_first;
}

static void lookup(const rb_thesaurus *t, const char *w, size_t len)
{
    struct check c = {0, 0};
    size_t n = rb_thesaurus_each(t, w, len, check_fn, &c);
    if (n != c.calls)
        abort();
    int m = rb_thesaurus_meanings(t, w, len);
    if (m < 0 || (n > 0 && m == 0))
        abort();
    if (n > 0) {
        struct check one = {0, 1};
        if (rb_thesaurus_each(t, w, len, check_fn, &one) != 1 || one.calls != 1)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    const char *idx = NULL, *dat = s;
    size_t idxlen = 0, datlen = size;
    if (nul) {
        idx = s;
        idxlen = (size_t)(nul - s);
        dat = nul + 1;
        datlen = size - idxlen - 1;
    }
    rb_thesaurus *t = (rb_thesaurus *)data; /* must be replaced by NULL or the thesaurus */
    rb_err err;
    if (rb_thesaurus_open_mem(idx, idxlen, dat, datlen, &t, &err) != RB_OK) {
        if (t)
            abort();
        if (!((err.status == 422 && strcmp(err.type, "invalid_input") == 0) || err.status == 500))
            abort();
        return 0;
    }
    if (!t || rb_thesaurus_size(t) == 0)
        abort();
    static const char *const fixed[] = {"car", "good", "strasse", "ni\xC3\xB1o", "a", "CAR"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        lookup(t, fixed[i], strlen(fixed[i]));
    /* The text before the last '|' of the first lines of the .dat: the
     * headwords, when the input is well formed enough to have any. */
    size_t off = 0;
    for (int line = 0; line < 8 && off < datlen; line++) {
        const char *nl = memchr(dat + off, '\n', datlen - off);
        size_t end = nl ? (size_t)(nl - dat) : datlen;
        for (size_t k = end; k > off; k--)
            if (dat[k - 1] == '|') {
                lookup(t, dat + off, k - 1 - off);
                break;
            }
        off = nl ? end + 1 : datlen;
    }
    rb_thesaurus_close(t);
    return 0;
}
