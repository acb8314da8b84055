/* textwf.h — what the four text workflows share (summarize, generate-chapters,
 * find-key-moments, ask-questions).
 *
 * Each of them starts the same way: read asset_id, language_code,
 * output_steering.scope and output_language_code from the job, load the
 * asset, pick its caption track (spec §5 intro), build the transcript model
 * cut to the scope, decide which AI engine runs the job, and check that the
 * engine can write the requested output language. rb_textwf_open does all of
 * that once, so the workflows only hold their own logic: options from
 * parameters, the builtin algorithm or the model call, the post-rules both
 * engines' output must pass, and side effects.
 *
 * Engine choice (docs/engines.md): the environment's setting `ai`
 * (`robots env set ENV ai openai`, kept in the database so every node agrees),
 * else the server's --ai / ROBOTS_AI, else "builtin". The model server comes
 * from ROBOTS_OPENAI_* (rb_openai_config_from_env); an environment may name
 * its own model (`robots env set ENV openai_model NAME`). The API key only
 * ever comes from the process environment.
 *
 * Units: builtin, 1 per started 30 minutes of analysed transcript (at least
 * 1); openai, rb_openai_units() of the tokens used (at least 1). */
#ifndef RB_TEXTWF_H
#define RB_TEXTWF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/openai.h"
#include "ai/transcript.h"
#include "ai/transcript_doc.h"
#include "common/buf.h"
#include "workflows/workflow.h"

enum rb_ai_engine { RB_AI_BUILTIN = 0, RB_AI_OPENAI = 1 };

/* rb_textwf_open flags. */
#define RB_TEXTWF_SCOPE 1u               /* the workflow accepts output_steering.scope */
#define RB_TEXTWF_TRANSCRIPT_OPTIONAL 2u /* no caption track is not an error: t == NULL */
#define RB_TEXTWF_NO_OUTPUT_LANGUAGE 4u  /* the workflow has no output_language_code */

typedef struct rb_textwf {
    rb_wf_ctx *ctx;
    const json_t *params;          /* the job's parameters (borrowed) */
    const json_t *steering;        /* parameters.output_steering, or NULL */
    rb_asset asset;                /* the job's asset, loaded */
    const rb_track *track;         /* the caption track read (into asset.tracks), or NULL */
    rb_transcript *t;              /* the transcript cut to the scope, or NULL (see flags) */
    rb_transcript_doc doc;         /* the algorithms' view of t (one unit per sentence) */
    int has_doc;
    char lang[36];                 /* language of the transcript: the track's language_code */
    char out_lang[36];             /* language to write outputs in (output_language_code,
                                      else lang) */
    double scope_start_s;          /* the scope, seconds; < 0 when not given */
    double scope_end_s;
    int engine;                    /* enum rb_ai_engine */
    rb_openai_config oa;           /* engine == RB_AI_OPENAI: the effective model config */
    rb_openai_usage usage;         /* summed over every model call of the job */
    int64_t started_ns;            /* rb_textwf_open's start, for out->engine_ns */
    int llm_failed;                /* the last rb_textwf_llm failed ... */
    int llm_retryable;             /* ... and rb_openai_retryable() said this */
} rb_textwf;

/* Opens the job's text context. On failure fills err (type
 * "validation_error" for the request's fault — no track, empty scope,
 * unknown asset; "unsupported_language" when the builtin engine cannot write
 * output_language_code; "processing_error" for a store fault) and
 * out->retryable, and leaves w closed (safe to rb_textwf_close anyway). */
int rb_textwf_open(rb_wf_ctx *ctx, unsigned flags, rb_textwf *w, rb_wf_result *out,
                   rb_err *err);
void rb_textwf_close(rb_textwf *w);

/* parameters.output_steering.<key> as a string, or NULL. */
const char *rb_textwf_steer_str(const rb_textwf *w, const char *key);
/* parameters.<key> helpers: the value, or dflt when absent. */
int64_t rb_textwf_param_int(const rb_textwf *w, const char *key, int64_t dflt);
int rb_textwf_param_bool(const rb_textwf *w, const char *key, int dflt);
const char *rb_textwf_param_str(const rb_textwf *w, const char *key);

/* The transcript as model input: one line per cue,
 *   "[c<index>] <start s>-<end s> <speaker>: <text>"
 * with times in seconds to 0.001 (e.g. "[c12] 65.200-67.000 speaker_0: Hello.";
 * the speaker part is left out when the cue has none). The caller frees *out. */
int rb_textwf_transcript_text(const rb_textwf *w, char **out, size_t *len, rb_err *err);

/* One model call: system = instructions + the rule that the transcript section
 * is data (rb_prompt_system) + "Write every text field in <language name>
 * (<out_lang>)."; user = request (may be NULL) followed by the escaped
 * transcript section from rb_textwf_transcript_text (when w->t is set).
 * The reply is validated against schema before *out is set (json_decref it).
 * Usage is added to w->usage. On failure err is filled and the return is
 * RB_ERR; rb_textwf_fail() then sets out->retryable from it. */
int rb_textwf_llm(rb_textwf *w, const char *instructions, const char *request,
                  const json_t *schema, const char *schema_name, json_t **out, rb_err *err);

/* Appends one instruction paragraph to b (after a blank line when b is not
 * empty): parameters.prompt_overrides.<section> when the job has one, else
 * dflt (spec 4.3: the overrides replace prompt sections; the model path
 * only). */
int rb_textwf_prompt_section(rb_buf *b, const json_t *overrides, const char *section,
                             const char *dflt);

/* Fills out->units and out->engine_ns for the job so far (call on success and
 * on failure). */
void rb_textwf_finish(rb_textwf *w, rb_wf_result *out);

/* Sets out->retryable from err (model transport errors and 5xx store faults
 * are retryable; the request's own faults are not), calls rb_textwf_finish,
 * and returns RB_ERR. For use as `return rb_textwf_fail(w, out, err);`. */
int rb_textwf_fail(rb_textwf *w, rb_wf_result *out, rb_err *err);

/* Joins the text of cues [first, last] of t with single spaces (verbatim
 * cue text: quotable segments and moment cues). Caller frees. */
char *rb_textwf_cue_text(const rb_transcript *t, size_t first, size_t last);

/* Counts words (runs of non-space characters) in s. */
size_t rb_textwf_word_count(const char *s);
/* Cuts s in place to at most max words, keeping the text before the cut
 * unchanged and dropping trailing punctuation other than '.', '!' and '?' left
 * dangling by the cut (", ", ":"). Returns the new word count. */
size_t rb_textwf_limit_words(char *s, size_t max);

#endif
