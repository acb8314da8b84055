/* textdoc_fixture.h — builds small rb_text_docs by hand for the algorithm tests.
 *
 * Each unit string is lower-cased and split on spaces; trailing , . ; : ! ?
 * are stripped and mark the next token as a phrase break. Stems come from a
 * tiny hand-written map (identity otherwise) and stop words from a fixed
 * list, so these tests do not depend on the transcript model or Snowball. */
#ifndef TEXTDOC_FIXTURE_H
#define TEXTDOC_FIXTURE_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/textdoc.h"

static const char *const fx_stops[] = {"a", "an", "the", "of", "over", "and", "are", "is",
                                       "in", "to", "for", "by", "with", "on", NULL};
static const char *const fx_stems[][2] = {
    {"networks", "network"}, {"learns", "learn"}, {"cats", "cat"}, {"dogs", "dog"}, {NULL, NULL}};

typedef struct fx_doc {
    rb_text_doc doc;
    rb_text_unit *units;
    char **bufs;   /* one mutable copy per unit; tokens point into it */
    size_t n;
} fx_doc;

static int fx_is_stop(const char *w)
{
    for (size_t i = 0; fx_stops[i]; i++)
        if (strcmp(fx_stops[i], w) == 0)
            return 1;
    return 0;
}

static const char *fx_stem(const char *w)
{
    for (size_t i = 0; fx_stems[i][0]; i++)
        if (strcmp(fx_stems[i][0], w) == 0)
            return fx_stems[i][1];
    return w;
}

/* stem_on = 0 uses every word as its own stem (for the RAKE paper example). */
static void fx_build(fx_doc *d, const char *const *texts, size_t n, int stem_on)
{
    d->n = n;
    d->units = calloc(n ? n : 1, sizeof *d->units);
    d->bufs = calloc(n ? n : 1, sizeof *d->bufs);
    for (size_t u = 0; u < n; u++) {
        size_t len = strlen(texts[u]);
        d->bufs[u] = malloc(len + 1);
        memcpy(d->bufs[u], texts[u], len + 1);
        rb_text_token *toks = calloc(len + 1, sizeof *toks);
        size_t nt = 0;
        int brk = 0;
        for (char *tok = strtok(d->bufs[u], " "); tok; tok = strtok(NULL, " ")) {
            for (char *p = tok; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            size_t tl = strlen(tok);
            int punct = 0;
            while (tl && strchr(",.;:!?", tok[tl - 1])) {
                tok[--tl] = '\0';
                punct = 1;
            }
            if (tl) {
                toks[nt] = (rb_text_token){stem_on ? fx_stem(tok) : tok, tok, fx_is_stop(tok), brk};
                nt++;
            }
            brk = punct;
        }
        d->units[u] = (rb_text_unit){texts[u], (int64_t)u * 1000, (int64_t)u * 1000 + 999, toks, nt};
    }
    d->doc = (rb_text_doc){d->units, n};
}

static void fx_free(fx_doc *d)
{
    for (size_t u = 0; u < d->n; u++) {
        free((void *)d->units[u].tokens);
        free(d->bufs[u]);
    }
    free(d->units);
    free(d->bufs);
}

/* The synthetic document: ntopics x per units of 8 words each, topic t using
 * only the words t<t>w0 .. t<t>w11, so the vocabularies are disjoint. The word
 * pattern varies per unit so blocks within a topic are similar, not equal.
 * A stop word after every second word gives RAKE two-word candidates. */
static void fx_topics(fx_doc *d, size_t ntopics, size_t per)
{
    size_t n = ntopics * per;
    char **texts = calloc(n, sizeof *texts);
    for (size_t u = 0; u < n; u++) {
        texts[u] = calloc(8 * 48, 1);
        size_t t = u / per;
        for (size_t i = 0; i < 8; i++) {
            char w[48];
            snprintf(w, sizeof w, "%st%zuw%zu%s", i ? " " : "", t, (u * 5 + i * 7) % 12,
                     i % 2 ? " the" : "");
            strncat(texts[u], w, 8 * 48 - strlen(texts[u]) - 1);
        }
    }
    fx_build(d, (const char *const *)texts, n, 1);
    /* fx_build copied the strings; units[].text must not dangle, so drop it. */
    for (size_t u = 0; u < n; u++) {
        d->units[u].text = NULL;
        free(texts[u]);
    }
    free(texts);
}

#endif
