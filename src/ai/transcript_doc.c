#include "ai/transcript_doc.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* 1 when the bytes between two words hold punctuation (anything that is not
 * white space), which ends a RAKE candidate phrase: "captions, analytics"
 * must not become one phrase. */
static int gap_has_punct(const char *s, size_t from, size_t to)
{
    while (from < to) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + from, (utf8proc_ssize_t)(to - from), &cp);
        if (n <= 0)
            return 1;
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat != UTF8PROC_CATEGORY_ZS && cp != '\n' && cp != '\t' && cp != '\r')
            return 1;
        from += (size_t)n;
    }
    return 0;
}

int rb_transcript_doc_build(const rb_transcript *t, rb_transcript_doc *out, rb_err *err)
{
    memset(out, 0, sizeof *out);
    size_t ntok = 0;
    for (size_t i = 0; i < t->nsentences; i++)
        ntok += t->sentences[i].ntokens;
    if (t->nsentences > RB_TEXT_MAX_UNITS || ntok > RB_TEXT_MAX_TOKENS)
        return rb_err_set(err, 422, "invalid_parameters",
                          "the transcript is too long for the builtin engine (%zu sentences, "
                          "%zu words)",
                          t->nsentences, ntok);
    out->units = calloc(t->nsentences ? t->nsentences : 1, sizeof *out->units);
    out->tokens = calloc(ntok ? ntok : 1, sizeof *out->tokens);
    if (!out->units || !out->tokens) {
        rb_transcript_doc_free(out);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < t->nsentences; i++) {
        const rb_transcript_sentence *s = &t->sentences[i];
        rb_text_unit *u = &out->units[i];
        u->text = s->text;
        u->start_ms = s->start_ms;
        u->end_ms = s->end_ms;
        u->tokens = &out->tokens[k];
        u->ntokens = s->ntokens;
        size_t prev_end = 0;
        for (size_t j = 0; j < s->ntokens; j++, k++) {
            const rb_transcript_token *w = &s->tokens[j];
            rb_text_token *o = &out->tokens[k];
            o->stem = w->stem;
            o->surface = w->norm;
            o->stop = w->is_stop;
            o->brk = j > 0 && gap_has_punct(s->text, prev_end, w->offset);
            prev_end = w->offset + w->len;
        }
    }
    out->doc.units = out->units;
    out->doc.nunits = t->nsentences;
    return RB_OK;
}

void rb_transcript_doc_free(rb_transcript_doc *d)
{
    free(d->units);
    free(d->tokens);
    memset(d, 0, sizeof *d);
}
