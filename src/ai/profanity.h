/* profanity.h — the built-in English profanity lexicon.
 *
 * A fixed list of base terms written for this project (src/ai/profanity_lexicon.c,
 * CC0-1.0), each expanded into its inflected forms by spelling rules plus
 * explicitly listed irregular forms. Lookups are by whole word: the caller
 * splits text into words (caption_edit does it with Unicode-aware boundaries)
 * and asks about each one. docs/profanity.md describes the list and its limits.
 *
 * The expanded table is built once, on first use, under pthread_once, so every
 * function here is safe to call from several threads. */
#ifndef RB_PROFANITY_H
#define RB_PROFANITY_H

#include <stddef.h>

enum rb_profanity_severity {
    RB_PROFANITY_NONE = 0,      /* not in the lexicon */
    RB_PROFANITY_MILD = 1,      /* crap, damn, ... */
    RB_PROFANITY_MODERATE = 2,  /* ass, bitch, dick, ... */
    RB_PROFANITY_STRONG = 3,    /* fuck, shit, cunt, ... */
    RB_PROFANITY_SLUR = 4       /* slurs against a group of people */
};

/* Severity of one word that is already case-folded (lower-case ASCII for
 * every lexicon entry; caption_edit folds with utf8proc CASEFOLD|COMPAT).
 * len bytes, no NUL needed. Returns RB_PROFANITY_NONE when not listed. */
int rb_profanity_severity_folded(const char *word, size_t len);

/* 1 when a case-folded word is in the lexicon at any severity: the detector
 * edit-captions hands to caption_edit (rb_caption_edits.is_profane). */
int rb_profanity_detect_folded(const char *word, size_t len);

/* Same, for a word in any case: folds it with utf8proc NFKC_Casefold first. */
int rb_profanity_severity(const char *word, size_t len);

/* The base terms, for documentation and tests. */
size_t rb_profanity_base_count(void);
const char *rb_profanity_base(size_t i, int *severity);

/* Every expanded form (sorted, unique), for documentation and tests. */
size_t rb_profanity_form_count(void);
const char *rb_profanity_form(size_t i);

/* ---- The lexicon table (src/ai/profanity_lexicon.c); internal to the ai layer. ---- */

/* Inflection flags: each set flag adds the forms its rule spells (see
 * docs/profanity.md). RB_PF_DOUBLE doubles the final consonant before a
 * vowel suffix (shit -> shitting, shitty, shitter). */
enum {
    RB_PF_S = 1 << 0,      /* plural / third person: s, es, ies */
    RB_PF_ED = 1 << 1,     /* past: ed, d, ied */
    RB_PF_ING = 1 << 2,    /* ing, plus the dropped-g "in" (and in' in text) */
    RB_PF_ER = 1 << 3,     /* agent noun: er, ers */
    RB_PF_Y = 1 << 4,      /* adjective: y */
    RB_PF_DOUBLE = 1 << 5  /* double the last consonant before a vowel suffix */
};

typedef struct rb_profanity_entry {
    const char *base;      /* lower-case ASCII base term */
    unsigned char severity;/* enum rb_profanity_severity */
    unsigned char flags;   /* RB_PF_* */
    const char *extra;     /* space-separated irregular forms and compounds, or NULL */
} rb_profanity_entry;

extern const rb_profanity_entry rb_profanity_lexicon[];
extern const size_t rb_profanity_lexicon_len;

#endif
