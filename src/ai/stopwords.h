/* stopwords.h — stop-word lists for the transcript model.
 *
 * Words too common to carry meaning (articles, pronouns, auxiliaries, and
 * for spoken transcripts a few fillers such as "um"). The lists live in
 * src/ai/stopwords.c; docs/transcript.md says where they come from. Each
 * list is sorted once, on first use, under pthread_once, so lookups are safe
 * from any thread. */
#ifndef RB_STOPWORDS_H
#define RB_STOPWORDS_H

#include <stddef.h>

/* 1 when word (len bytes, already NFKC + case folded, apostrophes as ')
 * is a stop word of the language whose primary subtag is lang ("en", "fr",
 * "de", "es"; NULL or "" = "en"). A language without a list has none: 0. */
int rb_stopwords_is_stop(const char *lang, const char *word, size_t len);

/* 1 when lang ("en", ...) has a stop-word list. */
int rb_stopwords_has_lang(const char *lang);

#endif
