/* builtin_moments.h — key moments of a transcript, found offline (spec §5.5).
 *
 * The builtin engine of find-key-moments. Candidates are windows of
 * contiguous cues (a moment starts at a cue start and ends at a cue end)
 * whose duration lies in the target range; each gets four scores in [0, 1]:
 *   salience     document key phrases (RAKE + TF-IDF) per content word inside
 *   novelty      share of content words not heard in the minute before
 *   emotion      exclamations, capitals, intensifiers and emotion words
 *   quotability  self-contained sentences of moderate length, first/second
 *                person, numbers, no dangling pronoun at the start
 * overall = weighted sum (weights: selection_strategy, rubric_priorities);
 * windows that cut a sentence score 0.8 times as much. Selection is greedy,
 * best first, by maximal marginal relevance (Carbonell & Goldstein 1998)
 * against the moments already taken, never overlapping in time. Each moment
 * then gets its title, narrative sentence (TextRank inside the moment),
 * concepts and quote, all verbatim transcript words. docs/builtin-moments.md
 * is the design note with every constant. Deterministic: no clock, no rand. */
#ifndef RB_BUILTIN_MOMENTS_H
#define RB_BUILTIN_MOMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "ai/transcript.h"
#include "ai/transcript_doc.h"
#include "common/err.h"

#define RB_MOMENTS_MAX 25              /* spec: max_moments 1-25 */
#define RB_MOMENTS_MAX_CONCEPTS 5
#define RB_MOMENTS_DEFAULT_MIN_MS 15000 /* target duration without target_duration_ms */
#define RB_MOMENTS_DEFAULT_MAX_MS 60000
#define RB_MOMENTS_TITLE_MIN_WORDS 3
#define RB_MOMENTS_TITLE_MAX_WORDS 8

enum rb_moments_strategy {
    RB_MOMENTS_BALANCED = 0, /* no selection_strategy */
    RB_MOMENTS_STANDALONE_HOOKS,
    RB_MOMENTS_EDUCATIONAL_TAKEAWAYS,
    RB_MOMENTS_STORY_BEATS,
    RB_MOMENTS_PRODUCT_MOMENTS,
    RB_MOMENTS_SPEAKER_HIGHLIGHTS
};

enum rb_moments_title_style {
    RB_MOMENTS_TITLE_DESCRIPTIVE = 0, /* also the default */
    RB_MOMENTS_TITLE_PUNCHY,
    RB_MOMENTS_TITLE_EDUCATIONAL,
    RB_MOMENTS_TITLE_SOCIAL
};

/* Score components, also the index into rb_moment.comp and the weights. */
enum rb_moments_component {
    RB_MOMENTS_SALIENCE = 0,
    RB_MOMENTS_NOVELTY,
    RB_MOMENTS_EMOTION,
    RB_MOMENTS_QUOTABILITY,
    RB_MOMENTS_NCOMP
};

enum rb_moments_priority {
    RB_MOMENTS_PRIO_CLARITY = 0, /* clarity_in_isolation -> quotability */
    RB_MOMENTS_PRIO_EMOTION,     /* emotional_intensity -> emotion */
    RB_MOMENTS_PRIO_NOVELTY,     /* novelty -> novelty */
    RB_MOMENTS_PRIO_SOUNDBITE    /* soundbite_quality -> quotability */
};

/* The spec's enum strings to the values above; -1 when unknown (NULL gives
 * the default for strategy and title style). */
int rb_moments_strategy_parse(const char *s);
int rb_moments_title_style_parse(const char *s);
int rb_moments_priority_parse(const char *s);

typedef struct rb_moments_opts {
    size_t max_moments;            /* 1..25; 0 = rb_moments_default_max(duration_ms) */
    int64_t duration_ms;           /* asset duration for the default; <= 0 = transcript end */
    int64_t min_ms, max_ms;        /* target duration; 0 = the defaults above */
    int strategy;                  /* enum rb_moments_strategy */
    int title_style;               /* enum rb_moments_title_style */
    const int *priorities;         /* enum rb_moments_priority, most important first */
    size_t npriorities;
    const char *const *brand_terms; /* moments that say one get +0.1 (product_moments +0.2) */
    size_t nbrand_terms;
} rb_moments_opts;

typedef struct rb_moment {
    size_t first_cue, last_cue;    /* indexes into the transcript's cues, inclusive */
    int64_t start_ms, end_ms;      /* cues[first_cue].start_ms, latest end of its cues */
    double score;                  /* overall_score, [0, 1] */
    double comp[RB_MOMENTS_NCOMP]; /* the components, [0, 1] */
    char *title;                   /* 3-8 words */
    char *narrative;               /* one verbatim sentence */
    char *concepts[RB_MOMENTS_MAX_CONCEPTS]; /* 2-5-word phrases */
    size_t nconcepts;
    int has_quote;
    int64_t quote_start_ms;        /* start of the quote's first cue */
    char *quote;                   /* verbatim sentence, when has_quote */
} rb_moment;

typedef struct rb_moments {
    rb_moment *items;              /* ordered by start_ms */
    size_t n;
} rb_moments;

/* The spec's default max_moments: 10 up to an hour, 25 beyond. */
size_t rb_moments_default_max(int64_t duration_ms);

/* The normalised weights (sum 1) for a strategy and priority list. */
void rb_moments_weights(int strategy, const int *priorities, size_t npriorities,
                        double w[RB_MOMENTS_NCOMP]);

/* Finds the moments of t (d must be built from t). RB_OK with *out (free with
 * rb_moments_free; out->n may be 0 when no window has any words), RB_ERR with
 * err 500 on allocation failure. */
int rb_moments_find(const rb_transcript *t, const rb_transcript_doc *d,
                    const rb_moments_opts *opts, rb_moments *out, rb_err *err);

/* Fills the text fields of m (title, narrative, concepts, quote) for the cue
 * range m->first_cue..m->last_cue, as rb_moments_find does; m->comp[EMOTION]
 * steers the punchy title. Frees what m held. The model path uses it to
 * repair a moment whose fields break the rules. RB_OK; RB_NOTFOUND when the
 * range holds fewer than 3 words (no valid title: drop the moment); RB_ERR
 * (500) otherwise. rb_moments_find drops such moments itself. */
int rb_moments_describe(const rb_transcript *t, const rb_transcript_doc *d, int title_style,
                        rb_moment *m, rb_err *err);

/* Words (runs of non-space bytes) in s. */
size_t rb_moments_word_count(const char *s);

/* A copy of title brought to 3-8 words: cut after 8 words, or padded with
 * content words of the cue range first..last that it does not hold yet
 * (then any word of the range). NULL when the range has too few words or
 * memory runs out. */
char *rb_moments_title_fit(const rb_transcript *t, const rb_transcript_doc *d, size_t first_cue,
                           size_t last_cue, const char *title);

/* 1 when phrase has 2-5 words. */
int rb_moments_concept_ok(const char *phrase);

void rb_moment_clear(rb_moment *m);
void rb_moments_free(rb_moments *m);

#endif
