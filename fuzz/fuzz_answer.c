/* fuzz_answer.c — libFuzzer target for the builtin ask-questions engine on
 * untrusted text: the transcript's words and the users' questions reach the
 * number, quantity, ordinal, derivation, German verb-form and negation
 * readers of src/ai/builtin_answer.c, which cut, rebuild and convert words in
 * fixed buffers.
 *
 * Input: the first byte picks the language (en, fr, de, es); the rest up to
 * the first NUL is the transcript, one cue per line (lines holding "-->" are
 * left out so the captions always parse); after the NUL, one question per
 * line (at most 6): a line with '|' is a choice question whose options are
 * the '|'-separated parts after the first, a line starting with '?' a
 * free-form question, any other a yes/no question. The installed thesauri and
 * background corpora are used, as in production.
 *
 * Checks on every input: the engine returns RB_OK, or RB_ERR with status 500
 * (memory); every answer has a non-empty reasoning and a confidence in
 * [0, 1]; a skipped answer has no answer and confidence 0; a choice answer is
 * one of its options exactly; a free-form answer has at most max_free_len
 * code points. Any violation calls abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "ai/builtin_answer.h"
#include "ai/transcript.h"
#include "ai/transcript_doc.h"
#include "common/err.h"
#include "media/vtt.h"

#include "lines_vtt.h"

#define MAX_LINES 120
#define MAX_LINE 400
#define MAX_QUESTIONS 6
#define MAX_OPTIONS 6
#define FREE_LEN 40

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = {"en", "fr", "de", "es"};
    if (size < 2)
        return 0;
    const char *lang = langs[data[0] % 4];
    const char *body = (const char *)data + 1;
    size_t blen = size - 1;
    const char *nul = memchr(body, '\0', blen);
    if (!nul)
        return 0;
    size_t tlen = (size_t)(nul - body);

    /* The questions, each copied to its own NUL-terminated string. */
    char *qbuf = malloc(blen - tlen + 1);
    if (!qbuf)
        return 0;
    memcpy(qbuf, nul + 1, blen - tlen - 1);
    qbuf[blen - tlen - 1] = '\0';
    rb_answer_question q[MAX_QUESTIONS];
    const char *opts[MAX_QUESTIONS][MAX_OPTIONS];
    size_t nq = 0;
    for (char *line = qbuf; line && nq < MAX_QUESTIONS;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (*line) {
            memset(&q[nq], 0, sizeof q[nq]);
            if (line[0] == '?') {
                q[nq].question = line + 1;
                q[nq].free_form = 1;
            } else if (strchr(line, '|')) {
                char *bar = strchr(line, '|');
                *bar = '\0';
                q[nq].question = line;
                size_t no = 0;
                for (char *o = bar + 1; o && no < MAX_OPTIONS;) {
                    char *nb = strchr(o, '|');
                    if (nb)
                        *nb = '\0';
                    if (*o)
                        opts[nq][no++] = o;
                    o = nb ? nb + 1 : NULL;
                }
                q[nq].options = opts[nq];
                q[nq].noptions = no;
            } else {
                q[nq].question = line;
            }
            if (q[nq].question[0])
                nq++;
        }
        line = nl ? nl + 1 : NULL;
    }

    size_t vlen = 0;
    char *v = fuzz_lines_vtt(body, tlen, MAX_LINES, MAX_LINE, 2, &vlen);
    rb_vtt vtt;
    rb_transcript *t = NULL;
    rb_transcript_doc doc;
    int have_doc = 0, have_vtt = 0;
    rb_err err;
    rb_err_clear(&err);
    if (!v || nq == 0)
        goto out;
    if (rb_vtt_parse(v, vlen, &vtt, &err) != RB_OK)
        goto out; /* invalid UTF-8 in the words: the ingest refuses it too */
    have_vtt = 1;
    if (rb_transcript_build(&vtt, lang, -1, -1, &t, &err) != RB_OK) {
        t = NULL;
        goto out;
    }
    if (rb_transcript_doc_build(t, &doc, &err) != RB_OK)
        goto out;
    have_doc = 1;

    rb_answer a[MAX_QUESTIONS];
    memset(a, 0, sizeof a);
    if (rb_builtin_answer(t, &doc, q, nq, FREE_LEN, a, &err) != RB_OK) {
        if (err.status != 500)
            abort();
        goto out;
    }
    for (size_t i = 0; i < nq; i++) {
        if (!a[i].reasoning || !a[i].reasoning[0])
            abort();
        if (!(a[i].confidence >= 0.0 && a[i].confidence <= 1.0))
            abort();
        if (a[i].skipped) {
            if (a[i].answer || a[i].confidence != 0.0)
                abort();
            continue;
        }
        if (!a[i].answer)
            abort();
        if (q[i].free_form) {
            if (code_points(a[i].answer) > FREE_LEN)
                abort();
        } else if (q[i].noptions > 0 &&
                   rb_answer_kind(&q[i], lang, NULL, NULL) == RB_ANSWER_CHOICE) {
            int found = 0;
            for (size_t k = 0; k < q[i].noptions && !found; k++)
                found = strcmp(a[i].answer, q[i].options[k]) == 0;
            if (!found)
                abort();
        }
    }
    rb_answers_free(a, nq);
out:
    if (have_doc)
        rb_transcript_doc_free(&doc);
    rb_transcript_free(t);
    if (have_vtt)
        rb_vtt_free(&vtt);
    free(v);
    free(qbuf);
    return 0;
}
