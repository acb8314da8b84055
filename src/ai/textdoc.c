/* textdoc.c — stem interning shared by the builtin text algorithms. */
#include "ai/textdoc.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a: cheap, and stable across runs so nothing depends on ASLR. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int32_t find_or_add(rb_text_ids *t, const char *stem, int add)
{
    size_t mask = t->nslots - 1;
    size_t i = (size_t)hash_str(stem) & mask;
    for (;;) {
        int32_t id = t->slots[i];
        if (id < 0) {
            if (!add)
                return -1;
            id = (int32_t)t->nvocab++;
            t->stems[id] = stem;
            t->slots[i] = id;
            return id;
        }
        if (strcmp(t->stems[id], stem) == 0)
            return id;
        i = (i + 1) & mask;
    }
}

int rb_text_ids_build(const rb_text_doc *doc, int skip_stop, rb_text_ids *out, rb_err *err)
{
    memset(out, 0, sizeof *out);
    if (!doc || (doc->nunits && !doc->units))
        return rb_err_set(err, 400, "invalid_parameters", "text doc has no units array");
    if (doc->nunits > RB_TEXT_MAX_UNITS) {
        rb_err_set(err, 413, "too_large", "text doc has %zu units (max %d)", doc->nunits,
                   RB_TEXT_MAX_UNITS);
        return RB_TOOBIG;
    }
    size_t ntok = 0;
    for (size_t u = 0; u < doc->nunits; u++) {
        if (doc->units[u].ntokens && !doc->units[u].tokens)
            return rb_err_set(err, 400, "invalid_parameters", "unit %zu has no tokens array", u);
        ntok += doc->units[u].ntokens;
        if (ntok > RB_TEXT_MAX_TOKENS) {
            rb_err_set(err, 413, "too_large", "text doc has more than %d tokens",
                       RB_TEXT_MAX_TOKENS);
            return RB_TOOBIG;
        }
    }
    /* A load factor of at most one half keeps probe chains short. */
    size_t nslots = 16;
    while (nslots < 2 * ntok + 2)
        nslots <<= 1;
    out->ids = malloc((ntok ? ntok : 1) * sizeof *out->ids);
    out->unit_off = malloc((doc->nunits + 1) * sizeof *out->unit_off);
    out->stems = malloc((ntok ? ntok : 1) * sizeof *out->stems);
    out->slots = malloc(nslots * sizeof *out->slots);
    if (!out->ids || !out->unit_off || !out->stems || !out->slots) {
        rb_text_ids_free(out);
        return rb_err_set(err, 500, "internal_error", "out of memory interning stems");
    }
    memset(out->slots, 0xff, nslots * sizeof *out->slots);
    out->nslots = nslots;
    out->nunits = doc->nunits;
    out->ntokens = ntok;
    size_t k = 0;
    for (size_t u = 0; u < doc->nunits; u++) {
        out->unit_off[u] = k;
        const rb_text_unit *un = &doc->units[u];
        for (size_t i = 0; i < un->ntokens; i++) {
            const rb_text_token *tk = &un->tokens[i];
            if (!tk->stem) {
                rb_text_ids_free(out);
                return rb_err_set(err, 400, "invalid_parameters", "unit %zu token %zu has no stem",
                                  u, i);
            }
            out->ids[k++] = (skip_stop && tk->stop) ? -1 : find_or_add(out, tk->stem, 1);
        }
    }
    out->unit_off[doc->nunits] = k;
    return RB_OK;
}

int32_t rb_text_ids_lookup(const rb_text_ids *t, const char *stem)
{
    if (!t || !t->slots || !stem)
        return -1;
    return find_or_add((rb_text_ids *)t, stem, 0);
}

void rb_text_ids_free(rb_text_ids *t)
{
    if (!t)
        return;
    free(t->ids);
    free(t->unit_off);
    free(t->stems);
    free(t->slots);
    memset(t, 0, sizeof *t);
}
