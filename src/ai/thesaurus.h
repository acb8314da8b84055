/* thesaurus.h — synonyms for the builtin engine from the MyThes thesauri (see docs/thesaurus.md). */
#ifndef RB_THESAURUS_H
#define RB_THESAURUS_H

#include <stddef.h>

#include "common/err.h"

typedef struct rb_thesaurus rb_thesaurus;
enum { RB_THES_SYNONYM = 0, RB_THES_GENERIC = 1, RB_THES_RELATED = 2, RB_THES_SIMILAR = 3, RB_THES_ANTONYM = 4, RB_THES_OTHER = 5 };
typedef int (*rb_thesaurus_fn)(const char *syn, size_t len, int kind, const char *pos, void *arg);
/* Parses a thesaurus from memory (idx may be NULL: then the dat is scanned). For tests and fuzzing. */
int rb_thesaurus_open_mem(const char *idx, size_t idxlen, const char *dat, size_t datlen, rb_thesaurus **out, rb_err *err);
/* Opens the thesaurus of primary language lang ("en","fr","de","es"; regional variants like "en-GB" map to the primary) from dir (NULL: $ROBOTS_THESAURUS_DIR, else /usr/share/mythes). RB_NOT_FOUND (or the project's equivalent code from src/common/err.h) when there is none. */
int rb_thesaurus_open(const char *dir, const char *lang, rb_thesaurus **out, rb_err *err);
/* The process-wide thesaurus of lang, opened once (pthread_once / mutex), or NULL when none; never freed before exit (or freed by rb_thesaurus_shutdown for leak checks). */
const rb_thesaurus *rb_thesaurus_get(const char *lang);
void rb_thesaurus_shutdown(void);
/* Calls fn for every synonym of word (UTF-8, already NFKC + case folded by the caller, see src/ai/transcript.h for how the project folds) over all meanings, in file order, with kind and the meaning's part of speech without parentheses ("noun", "verb", "adj", "adv", or the file's own label); the synonym is passed case-folded and without its "(… term)" suffix. Stops early when fn returns nonzero. Returns the number of calls made. Lookup is case-insensitive (German nouns are capitalised in the file). */
size_t rb_thesaurus_each(const rb_thesaurus *t, const char *word, size_t len, rb_thesaurus_fn fn, void *arg);
/* Number of meanings of word (0 when absent): a polysemy measure. */
int rb_thesaurus_meanings(const rb_thesaurus *t, const char *word, size_t len);
void rb_thesaurus_close(rb_thesaurus *t);

/* Details of the contract above, as implemented:
 *  - rb_thesaurus_open_mem copies dat (the caller may free both buffers when
 *    it returns); rb_thesaurus_open maps the .dat read-only and never copies it.
 *    Both fail with 422 "invalid_input" when the data has no usable encoding
 *    line (or one ICU cannot convert, or not ASCII-compatible) or holds no
 *    entry at all, and with 500 when memory runs out. rb_thesaurus_open fails
 *    with RB_NOTFOUND (404 "not_found") when dir has no thesaurus for lang.
 *  - The NOT_FOUND code of err.h is spelled RB_NOTFOUND.
 *  - Every trailing " (...)" annotation is stripped from a synonym, not only
 *    "(... term)". The kind comes from the annotations: "generic term" and
 *    German "Oberbegriff" -> RB_THES_GENERIC; "related term" -> RELATED;
 *    "similar term" -> SIMILAR; "antonym" and Spanish "Antónimo" -> ANTONYM;
 *    German "Hauptform" (the main form) changes nothing; any other label (a
 *    register such as "ugs.", "fig.", "NoRAE", or a governed preposition such
 *    as "mit") -> RB_THES_OTHER: same meaning, other register or construction.
 *  - pos is "" when the file gives none (the German and most Spanish entries
 *    write "-"); otherwise the label inside the parentheses, as written
 *    ("noun", "Nom", "Adjectif Nom", "tr.").
 *  - The word itself can be among its synonyms (the English file lists a
 *    variant spelling's own headword); callers that expand queries dedupe.
 *  - syn and pos are NUL-terminated and valid only during the call.
 *  - word is folded again here (it is idempotent), so a caller may pass any case. */

/* Number of distinct headwords (index entries) in t. */
size_t rb_thesaurus_size(const rb_thesaurus *t);

#endif
