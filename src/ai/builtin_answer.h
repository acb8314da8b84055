/* builtin_answer.h — the builtin engine of ask-questions (spec §5.4).
 *
 * Answers questions about a transcript without a model: Okapi BM25 retrieval
 * over windows of three sentences, a calibrated evidence test that skips
 * questions the transcript cannot answer, negation and contradiction cues for
 * yes/no questions, option scoring for multiple-choice questions and
 * extractive answers for free-form ones. docs/builtin-answer.md is the design
 * note (algorithm, constants, word lists, limits).
 *
 * The post-rules (rb_answer_post) are shared with the model path of the
 * workflow, so both engines' answers satisfy the same invariants: one answer
 * per question, choice answers exactly one of the options, free-form answers
 * within the length cap, skipped => answer NULL and confidence 0, confidence
 * in [0, 1].
 *
 * Deterministic: no randomness, no clock; the same transcript and questions
 * give the same bytes. Thread-safe: no shared mutable state. */
#ifndef RB_BUILTIN_ANSWER_H
#define RB_BUILTIN_ANSWER_H

#include <stddef.h>

#include "ai/transcript.h"
#include "ai/transcript_doc.h"
#include "common/err.h"

#define RB_ANSWER_MAX_QUESTIONS 50
#define RB_ANSWER_DEFAULT_FREE_LEN 500 /* max_free_form_answer_length default */
#define RB_ANSWER_MAX_FREE_LEN 1000

/* One question as the job gives it (every pointer borrowed). */
typedef struct rb_answer_question {
    const char *question;
    const char *const *options; /* answer_options; NULL/0 = ["yes","no"] unless free_form */
    size_t noptions;
    int free_form;              /* free_form_reply */
} rb_answer_question;

/* One answer (every string owned; free with rb_answers_free). */
typedef struct rb_answer {
    char *answer;      /* NULL when skipped; else an option (exact string) or free text */
    double confidence; /* [0, 1]; 0 when skipped */
    char *reasoning;   /* never NULL after rb_builtin_answer / rb_answer_post */
    int skipped;
} rb_answer;

/* The kind of answer a question wants. */
enum rb_answer_kind { RB_ANSWER_YESNO = 0, RB_ANSWER_CHOICE = 1, RB_ANSWER_FREE = 2 };

/* RB_ANSWER_FREE for free_form questions; RB_ANSWER_YESNO for the default
 * options and for any options list that is exactly a yes/no pair in the
 * language lang (en yes/no, fr oui/non, de ja/nein, es sí/si/no; compared
 * case-insensitively) — then *yes_idx / *no_idx (may be NULL) receive the
 * indexes of the two options (-1 and -1 for the default list);
 * RB_ANSWER_CHOICE otherwise. */
int rb_answer_kind(const rb_answer_question *q, const char *lang, int *yes_idx, int *no_idx);

/* Answers questions q[0..nq) from transcript t (with doc, its
 * rb_transcript_doc) into out[0..nq) (zeroed by the caller or not: every
 * field is written). t == NULL means the asset has no transcript: every
 * question is skipped with a reasoning that says so (doc is then unused).
 * max_free_len caps free-form answers in characters (code points), 1..1000.
 * The post-rules have been applied to every answer on return. RB_OK, or
 * RB_ERR (out of memory, a tokenizer failure; out is then freed and
 * zeroed) with err filled. */
int rb_builtin_answer(const rb_transcript *t, const rb_transcript_doc *doc,
                      const rb_answer_question *q, size_t nq, size_t max_free_len,
                      rb_answer *out, rb_err *err);

/* The post-rules for one answer of either engine (lang: the transcript's
 * language, for the yes/no pair):
 *   - reasoning NULL -> "";
 *   - an answer that is NULL or only white space -> skipped;
 *   - choice and yes/no questions: the answer must equal one of the options
 *     after trimming white space and a trailing '.', compared with Unicode
 *     case folding; it is replaced by the option exactly as given. An answer
 *     matching no option makes the answer skipped, and the reasoning says so
 *     (the job keeps its other answers; see docs/builtin-answer.md);
 *   - free-form answers are cut to max_free_len characters (rb_answer_cut);
 *   - skipped => answer NULL and confidence 0;
 *   - confidence clamped to [0, 1] (NaN -> 0).
 * RB_OK, or RB_ERR on out of memory. */
int rb_answer_post(const rb_answer_question *q, const char *lang, size_t max_free_len,
                   rb_answer *a, rb_err *err);

/* A malloc'd copy of s cut to at most max_chars code points: when s is
 * longer, the cut falls on a UTF-8 boundary, moves back to the last white
 * space if one lies in the second half of the kept text, and drops trailing
 * white space and ",;:" left dangling. NULL on out of memory. */
char *rb_answer_cut(const char *s, size_t max_chars);

void rb_answers_free(rb_answer *a, size_t n);

#endif
