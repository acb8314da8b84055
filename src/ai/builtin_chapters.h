/* builtin_chapters.h — chapters of a transcript without a model
 * (generate-chapters, spec §5.3), and the post-rules every engine's chapters
 * pass. docs/builtin-chapters.md is the design note.
 *
 * Segmentation is TextTiling (Hearst 1997) at sentence resolution: the
 * lexical cohesion of the content words on either side of every sentence
 * start, smoothed, turned into depth scores, with rb_texttiling's own
 * boundaries as votes. TextTiling's count and the duration target bound the
 * chapter count; a dynamic program over sentence starts (Utiyama & Isahara
 * 2001) places the boundaries where the chapters' own word distributions are
 * most likely, with the depth scores, the votes, discourse markers and
 * speaker changes as boundary evidence. Titles are the transcript's noun
 * phrases (rb_summarize_phrases, the summarize tag ranking) said in the
 * segment, ranked by how much of their use falls there, then the segment's
 * own RAKE key phrases (rb_keyphrases) as a fallback, in a form the chapter
 * style picks.
 *
 * Everything is deterministic: the same transcript and options give the same
 * chapters, byte for byte. */
#ifndef RB_BUILTIN_CHAPTERS_H
#define RB_BUILTIN_CHAPTERS_H

#include <stddef.h>
#include <stdint.h>

#include "ai/textdoc.h"
#include "ai/transcript.h"
#include "common/err.h"

enum rb_chapter_style {
    RB_CHAPTER_DESCRIPTIVE = 0,      /* "Phrase and phrase" (default) */
    RB_CHAPTER_PUNCHY = 1,           /* the best phrase of 1-2 words */
    RB_CHAPTER_EDUCATIONAL = 2,      /* "Understanding phrase" (en/fr/de/es templates) */
    RB_CHAPTER_SEO = 3,              /* keyword first: "Phrase: phrase, phrase" */
    RB_CHAPTER_PLATFORM_NEUTRAL = 4  /* "Phrase, phrase": keywords, no language words */
};

enum rb_chapter_granularity {
    RB_CHAPTER_COARSE = 0,    /* about one chapter per 6 minutes */
    RB_CHAPTER_BALANCED = 1,  /* about one per 3 minutes (default) */
    RB_CHAPTER_FINE = 2       /* about one per 1.5 minutes */
};

/* Parses the spec's enum strings; NULL or unknown gives the default. */
int rb_chapter_style_parse(const char *s);
int rb_chapter_granularity_parse(const char *s);

typedef struct rb_chapter {
    int64_t start_ms;  /* on the asset timeline */
    char *title;       /* malloc'd UTF-8, non-empty after rb_chapters_repair */
} rb_chapter;

typedef struct rb_chapter_list {
    rb_chapter *items;
    size_t n, cap;
} rb_chapter_list;

typedef struct rb_chapters_opts {
    int style;             /* enum rb_chapter_style */
    int granularity;       /* enum rb_chapter_granularity */
    int64_t duration_ms;   /* the asset's duration; <= 0 = the transcript's end */
    const char *language;  /* language of the title templates; NULL = t->language */
} rb_chapters_opts;

/* Appends a chapter; the title's first len bytes are copied. */
int rb_chapters_add(rb_chapter_list *l, int64_t start_ms, const char *title, size_t len,
                    rb_err *err);
void rb_chapters_free(rb_chapter_list *l);

/* The duration the invariants use: asset_duration_ms when > 0, else the
 * transcript's end (at least 1 ms). */
int64_t rb_chapters_duration_ms(const rb_transcript *t, int64_t asset_duration_ms);
/* The smallest distance between two chapter starts: max(30 s, 2 % of the
 * duration). */
int64_t rb_chapters_min_spacing_ms(int64_t duration_ms);

/* The post-rules both engines' chapters pass, in this order: titles trimmed
 * (white space runs become one space, cut to RB_CHAPTER_TITLE_MAX bytes on a
 * character boundary); chapters with an empty title, a negative start or a
 * start >= duration_ms dropped; stable sort by start; the first start forced
 * to 0; a start closer than rb_chapters_min_spacing_ms to the last kept one
 * dropped (the earlier chapter keeps its title); a title equal to an earlier
 * one (case-insensitive) gets " (2)", " (3)"... Returns RB_ERR with type
 * "processing_error" when no chapter is left. */
#define RB_CHAPTER_TITLE_MAX 200
int rb_chapters_repair(rb_chapter_list *l, int64_t duration_ms, rb_err *err);

/* The builtin engine: chapters of t (doc = its rb_transcript_doc view, one
 * unit per sentence) under opts, already passed through rb_chapters_repair.
 * out must be zeroed; free with rb_chapters_free. */
int rb_builtin_chapters(const rb_transcript *t, const rb_text_doc *doc,
                        const rb_chapters_opts *opts, rb_chapter_list *out, rb_err *err);

#endif
