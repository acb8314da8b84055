/* builtin_summarize.h — the builtin engine of the summarize workflow
 * (spec §5.1): a title, a description and tags from the transcript alone.
 *
 * Description: TextRank (src/ai/textrank.h, centroid fallback) over the
 * sentences; the top sentences, near-duplicates skipped, go back in
 * transcript order. Tags: RAKE + TF-IDF (src/ai/keyphrase.h) over ~30 s cue
 * windows, split into counted sub-phrases weighted by how noun-like their
 * head word is, deduplicated by stem set. Title: the top key phrases in title case
 * joined by a per-language template. docs/builtin-summarize.md is the design
 * note. Everything is deterministic: the same transcript and options give the
 * same bytes.
 *
 * The tag post-rules (rb_summarize_tags_finish) are shared with the model
 * path, so both engines apply brand terms and the taxonomy the same way. */
#ifndef RB_BUILTIN_SUMMARIZE_H
#define RB_BUILTIN_SUMMARIZE_H

#include <stddef.h>

#include "ai/transcript.h"
#include "ai/transcript_doc.h"
#include "common/err.h"

#define RB_SUMMARIZE_DEFAULT_TITLE_WORDS 12 /* title cap when title_length is unset */
#define RB_SUMMARIZE_DEFAULT_TAGS 10        /* tag_count default (spec §5.1) */
#define RB_SUMMARIZE_WINDOW_MS 30000        /* length of a keyphrase cue window */

enum rb_summarize_style {
    RB_SUMMARIZE_CONCISE = 0,   /* about 2 sentences (the default) */
    RB_SUMMARIZE_DETAILED = 1,  /* about 4 */
    RB_SUMMARIZE_EDITORIAL = 2  /* about 3, favouring opinion and first person */
};

enum rb_summarize_tone {
    RB_SUMMARIZE_NEUTRAL = 0,      /* "X, Y and Z" */
    RB_SUMMARIZE_PROFESSIONAL = 1, /* "X: Y and Z" */
    RB_SUMMARIZE_PLAYFUL = 2       /* "X, Y and Z!" */
};

/* One value of a SummaryTagTaxonomy (spec §4.2). Strings are borrowed. */
typedef struct rb_summarize_label {
    const char *label;
    const char *const *aliases;
    size_t naliases;
} rb_summarize_label;

typedef struct rb_summarize_taxonomy {
    const rb_summarize_label *values;
    size_t nvalues;
    int allow_other;   /* 0: every tag is a label; 1: labels first, then others */
} rb_summarize_taxonomy;

typedef struct rb_summarize_opts {
    int style;                        /* enum rb_summarize_style */
    int tone;                         /* enum rb_summarize_tone */
    size_t title_length;              /* max title words; 0 = RB_SUMMARIZE_DEFAULT_TITLE_WORDS */
    size_t description_length;        /* max description words; 0 = no limit */
    size_t tag_count;                 /* max tags; 0 = RB_SUMMARIZE_DEFAULT_TAGS */
    const char *const *brand_terms;   /* borrowed; may be NULL */
    size_t nbrand_terms;
    const rb_summarize_taxonomy *taxonomy; /* NULL = none */
} rb_summarize_opts;

typedef struct rb_summarize_result {
    char *title;        /* non-empty, <= title cap words */
    char *description;  /* non-empty; whole sentences, <= description_length words
                           unless even the best sentence is longer (the caller cuts) */
    char **tags;        /* unique, <= tag_count; may be empty when a strict
                           taxonomy matches nothing */
    size_t ntags;
} rb_summarize_result;

/* Runs the builtin engine on t and its doc view d (one unit per sentence).
 * RB_OK with *out filled (free with rb_summarize_result_free), or RB_ERR
 * (500 on allocation or ICU failure). */
int rb_builtin_summarize(const rb_transcript *t, const rb_transcript_doc *d,
                         const rb_summarize_opts *opts, rb_summarize_result *out, rb_err *err);

/* The tag post-rules of both engines. `cands` are candidate tags, best
 * first (key phrases, or the model's tags). In order:
 *   1. each is trimmed; empty ones are dropped;
 *   2. brand terms (opts->brand_terms) whose words occur in t come first,
 *      in the caller's order and casing;
 *   3. duplicates are dropped: same case-folded text, or same set of stems
 *      (rb_transcript_tokenize in t's language) as an earlier tag;
 *   4. with a taxonomy, a tag whose stem sequence equals a label's or an
 *      alias's becomes that label; labels (and aliases) occurring in t are
 *      further candidates ranked by frequency. allow_other 0 keeps only
 *      labels; allow_other 1 puts labels first, then brand terms, then the
 *      other tags;
 *   5. at most tag_count are kept.
 * t may be NULL (no transcript scoring, brand terms kept unconditionally).
 * *out is a malloc'd array of malloc'd strings (rb_summarize_tags_free). */
int rb_summarize_tags_finish(const rb_transcript *t, const char *const *cands, size_t ncands,
                             const rb_summarize_opts *opts, char ***out, size_t *nout,
                             rb_err *err);
void rb_summarize_tags_free(char **tags, size_t n);

void rb_summarize_result_free(rb_summarize_result *r);

/* One occurrence of a ranked phrase: words [token, token + len) of
 * sentence `sentence` (indices into t->sentences[].tokens, which are also
 * the doc view's unit tokens). */
typedef struct rb_summarize_occ {
    size_t sentence;
    size_t token;
    size_t len;
} rb_summarize_occ;

/* One of the transcript's ranked noun phrases: the candidates the tags are
 * chosen from, after every noun-phrase rule of docs/builtin-summarize.md
 * (clause fragments, modifier chunks, vocatives dropped; general-language
 * specificity weighed in). */
typedef struct rb_summarize_phrase {
    char *surface;          /* as a tag shows it (recased, French article elided) */
    char *key;              /* stems, ' '-joined (a prepositional term holds its preposition) */
    size_t words;           /* words of `surface` */
    double score;           /* the tag ranking's score; the list is sorted by it, best first */
    rb_summarize_occ *occ;  /* every occurrence in transcript order; may be empty */
    size_t nocc;
    int fragment;           /* 1: not a noun phrase but a clause fragment (see
                               RB_SUMMARIZE_PHRASES_FRAGMENTS); surface = key */
} rb_summarize_phrase;

/* Flag of rb_summarize_phrases: keep phrases of several words said only
 * once (the tags drop them as accidents of wording; a 30-second window
 * rarely repeats a phrase). Every other noun-phrase rule still applies. */
#define RB_SUMMARIZE_PHRASES_ONCE 1u
/* Flag: after the ranked phrases, append (fragment = 1, score 0, no
 * occurrences, sorted by key, unique) the stem keys of the 2-3-word runs
 * dropped as clause fragments (an English past form at the end, a French or
 * Spanish finite verb, an English plural modifier: "students make"), and
 * the single stems said more often in verb or predicate position than in
 * noun position (German: more often lower-case than capitalised). A caller
 * cutting phrases of its own can refuse those holding such a run or headed
 * by such a word. */
#define RB_SUMMARIZE_PHRASES_FRAGMENTS 2u

/* The first `max` ranked noun phrases of t (d may be NULL: a doc view is
 * built here), computed once for the whole transcript. Without flags, the
 * tags of rb_builtin_summarize are the surfaces of the first
 * max(40, 4 x tag_count) of this list, before the post-rules. *out is
 * malloc'd (free with rb_summarize_phrases_free); *nout (which counts the
 * appended fragments too) may be 0. */
int rb_summarize_phrases(const rb_transcript *t, const rb_transcript_doc *d, size_t max,
                         unsigned flags, rb_summarize_phrase **out, size_t *nout, rb_err *err);
void rb_summarize_phrases_free(rb_summarize_phrase *p, size_t n);

#endif
