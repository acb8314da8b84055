/* background.h — general-language stem frequencies for the builtin engine (docs/background.md).
 *
 * A background corpus is plain general-language text of one language (Debian's
 * dasher-data training texts by default). Opening one tokenises it with the
 * transcript model's own word rules, folding and Snowball stemmer
 * (rb_transcript_tokenize), so an inflected form in a transcript meets the
 * same stem counted here, and keeps one count per stem. The counts tell a
 * word said everywhere ("water", "Stadt") from a specific one ("mezcal",
 * "Achterknoten"), which nothing inside one transcript can: the reference
 * frequency that TF-IDF's IDF stands for.
 *
 * Absent corpus = no effect: rb_background_get returns NULL and
 * rb_background_weight(NULL, ...) is 1 for every word. */
#ifndef RB_BACKGROUND_H
#define RB_BACKGROUND_H

#include <stddef.h>

#include "common/err.h"

typedef struct rb_background rb_background;

/* Stems longer than this many bytes are noise (a URL, a run of letters), not
 * words: they count in the total but get no entry (count 0, weight 1). */
#define RB_BACKGROUND_MAX_STEM 64

/* The largest corpus file read (RB_TOOBIG / 422 beyond it). */
#define RB_BACKGROUND_MAX_FILE ((size_t)64 * 1024 * 1024)

/* Builds the stem counts of text (len bytes, UTF-8; invalid bytes and NULs
 * are read as spaces) in language lang ("en", "fr", "de", "es", or any code
 * rb_transcript_tokenize accepts). For tests and fuzzing. */
int rb_background_open_mem(const char *text, size_t len, const char *lang, rb_background **out,
                           rb_err *err);
/* Opens the corpus of primary language lang from dir (NULL:
 * $ROBOTS_BACKGROUND_DIR when set and non-empty, else /usr/share/dasher):
 * dir/training_english_GB.txt, training_french_FR.txt, training_german_DE.txt
 * or training_spanish_ES.txt (dasher-data's names; regional variants of lang
 * map to the primary subtag). RB_NOTFOUND (404 "not_found") when dir has no
 * corpus for lang, 422 when the file is too large, 500 on I/O or memory. */
int rb_background_open(const char *dir, const char *lang, rb_background **out, rb_err *err);
void rb_background_close(rb_background *b);

/* The process-wide corpus of lang, built on first use (under a mutex; a
 * missing corpus is remembered too, so it costs one probe per process) and
 * kept until exit or rb_background_shutdown; NULL when there is none. The
 * returned table is read-only: any number of threads may look up at once. */
const rb_background *rb_background_get(const char *lang);
/* Frees the process-wide tables; the next rb_background_get reads the
 * directory (and the environment) again. For tests and leak checks. */
void rb_background_shutdown(void);

/* Occurrences of stem (as rb_transcript_tokenize's .stem gives it) in the
 * corpus; 0 when absent or b is NULL. */
size_t rb_background_count(const rb_background *b, const char *stem, size_t len);
/* Word tokens counted (every token, stop words included). */
size_t rb_background_total(const rb_background *b);
/* Distinct stems. */
size_t rb_background_size(const rb_background *b);
/* Heap bytes the table holds (index and keys). */
size_t rb_background_bytes(const rb_background *b);

/* How specific stem is in the language, in [0, 1]: the inverse document
 * frequency of the stem with add-one smoothing, log((N + 1) / (c + 1)),
 * divided by its largest value log(N + 1), where N is the token total and c
 * the stem's count. A stem the corpus never has weighs 1 (the most
 * specific); a stem that is every token of the corpus weighs 0. 1 for every stem when b
 * is NULL or empty. */
double rb_background_weight(const rb_background *b, const char *stem, size_t len);

#endif
