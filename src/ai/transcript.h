/* transcript.h — the transcript model every text workflow reads.
 *
 * summarize, generate-chapters, find-key-moments and ask-questions all start
 * from the same thing: the caption track the spec picks (§5 intro), cut to
 * output_steering.scope (§4.1), as cues, sentences and normalised words.
 * Building it once here keeps the workflows agreeing on what "the transcript"
 * is. docs/transcript.md is the design note.
 *
 * Pipeline (rb_transcript_build):
 *   1. cues: keep those overlapping [scope_start, scope_end) (start inclusive,
 *      end exclusive), sort by start time, strip tags (<v Name>, <i>, <c.x>,
 *      timestamps), decode entities, split off a leading "[speaker_0] " label,
 *      join lines with a space; cues left with no text are dropped. Times are
 *      never shifted or clipped: they stay on the original asset timeline.
 *   2. sentences: an ICU sentence break iterator (for the transcript language)
 *      over the cue texts joined by " " (by "\n" where the speaker changes, so
 *      a new speaker always starts a new sentence). Each sentence takes the
 *      start of its first cue and the end of its last cue.
 *   3. tokens: an ICU word break iterator over each sentence; only words
 *      whose rule status is number, letter, kana or ideographic are kept.
 *      Each is normalised with utf8proc (NFKC + case fold, U+2019 -> '),
 *      flagged when it is a stop word of the language (src/ai/stopwords.h) and
 *      stemmed with libstemmer (Snowball) for the language; a language
 *      libstemmer does not know leaves stem == norm.
 *
 * Thread-safety: every call creates its own ICU iterators and its own
 * stemmer (neither may be shared across threads), so concurrent calls are
 * safe. A built rb_transcript is read-only and may be read from any thread. */
#ifndef RB_TRANSCRIPT_H
#define RB_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "media/vtt.h"
#include "store/store.h"

/* The joined cue text may not exceed this many bytes (RB_TOOBIG / 422). */
#define RB_TRANSCRIPT_MAX_TEXT ((size_t)64 * 1024 * 1024)

typedef struct rb_transcript_token {
    char *norm;         /* NFKC + case fold ("Straße" -> "strasse"), NUL-terminated */
    char *stem;         /* Snowball stem of norm; equal to norm when no stemmer */
    int is_stop;        /* 1 when norm is a stop word of the transcript language */
    size_t offset;      /* byte offset of the word in its sentence's text */
    size_t len;         /* byte length of the word as written in that text */
} rb_transcript_token;

typedef struct rb_transcript_cue {
    int64_t start_ms;   /* original timeline */
    int64_t end_ms;
    char *text;         /* tags stripped, entities decoded, one line */
    char *speaker;      /* "speaker_0" from "[speaker_0] ", else the <v Name> voice
                         * ("Name"), else "" (never NULL) */
} rb_transcript_cue;

typedef struct rb_transcript_sentence {
    char *text;         /* the sentence, trailing white space trimmed */
    int64_t start_ms;   /* start of cues[first_cue] */
    int64_t end_ms;     /* end of cues[last_cue] */
    size_t first_cue;   /* index into rb_transcript.cues */
    size_t last_cue;    /* >= first_cue */
    rb_transcript_token *tokens;
    size_t ntokens;     /* may be 0 (a sentence of only punctuation or symbols) */
} rb_transcript_sentence;

typedef struct rb_transcript {
    char language[36];  /* the language_code given ("" when none; English rules then) */
    rb_transcript_cue *cues;    /* ncues > 0, sorted by start_ms */
    size_t ncues;
    rb_transcript_sentence *sentences;  /* nsentences > 0, in text order */
    size_t nsentences;
    int64_t start_ms;   /* cues[0].start_ms */
    int64_t end_ms;     /* latest end_ms of any kept cue */
} rb_transcript;

/* Picks the caption track of asset a that a text workflow reads (§5 intro).
 * Only tracks with type "text", status "ready" and text_type "subtitles" or
 * "" count (chapters tracks and errored/preparing/deleted tracks never do).
 *   - language_code given (non-empty): the first such track whose
 *     language_code equals it (case-insensitive), else the first whose BCP-47
 *     primary subtag matches ("en" matches "en-US", "en-GB" matches "en");
 *     failing that, an audio-only asset (an audio track, no video track) with
 *     exactly one such track gets that track.
 *   - otherwise: the first English track (primary subtag "en"), else the
 *     first such track.
 * Returns RB_OK with *out pointing into a->tracks, or RB_ERR with err 422
 * "invalid_parameters" naming the asset and the language. */
int rb_transcript_pick_track(const rb_asset *a, const char *language_code,
                             const rb_track **out, rb_err *err);

/* Builds the transcript of vtt (see the pipeline above). language_code picks
 * the sentence/word rules, stop words and stemmer (NULL or "" = English).
 * scope_start_s / scope_end_s are seconds on the asset timeline, < 0 = not
 * set. Returns RB_OK and *out (free with rb_transcript_free), or RB_ERR with
 * err 422 "invalid_parameters" when no cue with text is left (naming the
 * scope when one was given), RB_TOOBIG when the text exceeds
 * RB_TRANSCRIPT_MAX_TEXT, 500 on an ICU or allocation failure. */
int rb_transcript_build(const rb_vtt *vtt, const char *language_code, double scope_start_s,
                        double scope_end_s, rb_transcript **out, rb_err *err);
void rb_transcript_free(rb_transcript *t);

/* Tokenises any text (a question, a title) with the same word rules,
 * normalisation, stop words and stemming as rb_transcript_build, so callers
 * can match it against transcript tokens. offset/len refer to text. *out is
 * malloc'd (NULL when *n == 0); free with rb_transcript_tokens_free. */
int rb_transcript_tokenize(const char *text, const char *language_code,
                           rb_transcript_token **out, size_t *n, rb_err *err);
void rb_transcript_tokens_free(rb_transcript_token *toks, size_t n);

/* The project's word folding, as every token's norm gets it: NFKC, case
 * fold, default ignorables dropped, U+2019 -> '. Returns a malloc'd
 * NUL-terminated string (free() it) and its length in *outlen (may be
 * NULL); NULL when s is not valid UTF-8 or memory ran out. */
char *rb_transcript_fold(const char *s, size_t len, size_t *outlen);

/* Writes the lower-case primary subtag of a BCP-47 code ("pt-BR" -> "pt")
 * into out (at most outlen - 1 bytes); "" for NULL or "". */
void rb_transcript_primary_lang(const char *code, char *out, size_t outlen);

#endif
