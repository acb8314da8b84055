/* textwf.c — the shared start, model call and accounting of the text workflows.
 *
 * See textwf.h for the contract. The interesting decisions live here:
 *   - which engine runs a job (environment setting, then the server's --ai);
 *   - that the builtin engine only writes the transcript's own language
 *     (no offline translator is wired to these workflows yet), so another
 *     output_language_code fails the job with type "unsupported_language"
 *     instead of returning text in the wrong language;
 *   - that a model call's failure keeps the client's retryable verdict. */
#include "workflows/textwf.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/prompt.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/log.h"
#include "media/langname.h"
#include "media/vtt.h"

#define UNIT_MS (30LL * 60 * 1000)
/* A user message larger than this is refused before it is sent: no model
 * we talk to takes megabytes of context, and the error is clearer here. */
#define PROMPT_MAX ((size_t)4 << 20)

/* ---- the json_object fallback, remembered per model server ----------------
 * Configs are built per job (the environment may change model or engine at
 * any time), but a server that rejected json_schema once will reject it
 * again: remember that for the last (base_url, model) seen, so later jobs go
 * straight to json_object instead of paying a failed request each time. */
static pthread_mutex_t fallback_mu = PTHREAD_MUTEX_INITIALIZER;
static char fallback_key[sizeof((rb_openai_config *)0)->base_url +
                         sizeof((rb_openai_config *)0)->model + 2];

static void fallback_key_of(const rb_openai_config *c, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s\n%s", c->base_url, c->model);
}

static int fallback_known(const rb_openai_config *c)
{
    char k[sizeof fallback_key];
    fallback_key_of(c, k, sizeof k);
    pthread_mutex_lock(&fallback_mu);
    int hit = strcmp(k, fallback_key) == 0;
    pthread_mutex_unlock(&fallback_mu);
    return hit;
}

static void fallback_remember(const rb_openai_config *c)
{
    pthread_mutex_lock(&fallback_mu);
    fallback_key_of(c, fallback_key, sizeof fallback_key);
    pthread_mutex_unlock(&fallback_mu);
}

/* ---- parameters ---------------------------------------------------------- */

const char *rb_textwf_param_str(const rb_textwf *w, const char *key)
{
    return json_string_value(json_object_get(w->params, key));
}

int64_t rb_textwf_param_int(const rb_textwf *w, const char *key, int64_t dflt)
{
    const json_t *v = json_object_get(w->params, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

int rb_textwf_param_bool(const rb_textwf *w, const char *key, int dflt)
{
    const json_t *v = json_object_get(w->params, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

const char *rb_textwf_steer_str(const rb_textwf *w, const char *key)
{
    return json_string_value(json_object_get(w->steering, key));
}

static double scope_value(const json_t *scope, const char *key)
{
    const json_t *v = json_object_get(scope, key);
    return json_is_number(v) ? json_number_value(v) : -1.0;
}

/* ---- engine choice --------------------------------------------------------- */

static int parse_engine(const char *s, int *engine)
{
    if (strcmp(s, "builtin") == 0)
        *engine = RB_AI_BUILTIN;
    else if (strcmp(s, "openai") == 0)
        *engine = RB_AI_OPENAI;
    else
        return -1;
    return 0;
}

/* The environment's setting wins over the server's default, so every node
 * runs an environment's jobs the same way whatever its own flags say. */
static int choose_engine(rb_textwf *w, rb_err *err)
{
    rb_wf_ctx *ctx = w->ctx;
    char v[32];
    rb_err serr;
    rb_err_clear(&serr);
    int rc = rb_library_env_setting(ctx->library, ctx->job->env_id, "ai", v, sizeof v, &serr);
    if (rc == RB_NOTFOUND || (rc == RB_OK && !v[0]))
        snprintf(v, sizeof v, "%s", ctx->cfg && ctx->cfg->ai[0] ? ctx->cfg->ai : "builtin");
    else if (rc != RB_OK) {
        *err = serr;
        return RB_ERR;
    }
    if (parse_engine(v, &w->engine) != 0)
        return rb_err_set(err, 500, "processing_error",
                          "the configured AI engine '%.31s' is unknown (builtin or openai)", v);
    if (w->engine != RB_AI_OPENAI)
        return RB_OK;

    if (rb_openai_config_from_env(&w->oa, err) != RB_OK) {
        /* A server configuration fault, not the request's: a later attempt
         * (after the operator fixes it) may pass. */
        err->status = 503;
        snprintf(err->type, sizeof err->type, "processing_error");
        return RB_ERR;
    }
    char model[sizeof w->oa.model];
    rb_err_clear(&serr);
    rc = rb_library_env_setting(ctx->library, ctx->job->env_id, "openai_model", model,
                                sizeof model, &serr);
    if (rc == RB_OK && model[0])
        memcpy(w->oa.model, model, sizeof model);
    else if (rc != RB_OK && rc != RB_NOTFOUND) {
        *err = serr;
        return RB_ERR;
    }
    if (fallback_known(&w->oa))
        w->oa.json_object_only = 1;
    return RB_OK;
}

/* ---- open / close ---------------------------------------------------------- */

static void primary(const char *code, char *out, size_t outlen)
{
    rb_transcript_primary_lang(code, out, outlen);
}

static int load_transcript(rb_textwf *w, unsigned flags, const char *language_code, rb_err *err)
{
    rb_wf_ctx *ctx = w->ctx;
    const rb_track *track = NULL;
    rb_err perr;
    rb_err_clear(&perr);
    if (rb_transcript_pick_track(&w->asset, language_code, &track, &perr) != RB_OK) {
        if (flags & RB_TEXTWF_TRANSCRIPT_OPTIONAL) {
            snprintf(w->lang, sizeof w->lang, "%s",
                     language_code && *language_code ? language_code : "en");
            return RB_OK;
        }
        /* The spec's "no transcript" failure, naming what was looked for. */
        if (language_code && *language_code)
            return rb_err_set(err, 422, "validation_error",
                              "no transcript: asset '%.255s' has no ready caption track in "
                              "'%.35s' (parameters.language_code)",
                              w->asset.id, language_code);
        return rb_err_set(err, 422, "validation_error",
                          "no transcript: asset '%.255s' has no ready caption track",
                          w->asset.id);
    }
    w->track = track;
    snprintf(w->lang, sizeof w->lang, "%s", track->language_code);

    rb_track tr;
    memset(&tr, 0, sizeof tr);
    char *content = NULL;
    size_t len = 0;
    int rc = rb_library_text_track(ctx->library, ctx->job->env_id, w->asset.id, track->id, &tr,
                                   &content, &len, err);
    rb_track_clear(&tr);
    if (rc != RB_OK)
        return rc;
    rb_vtt vtt;
    rc = rb_vtt_parse(content, len, &vtt, err);
    free(content);
    if (rc != RB_OK) {
        if (err->status < 500)
            snprintf(err->type, sizeof err->type, "validation_error");
        return rc;
    }
    rc = rb_transcript_build(&vtt, w->lang, w->scope_start_s, w->scope_end_s, &w->t, err);
    rb_vtt_free(&vtt);
    if (rc == RB_ERR && err->status == 422 && (flags & RB_TEXTWF_TRANSCRIPT_OPTIONAL) &&
        w->scope_start_s < 0 && w->scope_end_s < 0) {
        /* A track holding no text at all is the same as no track here. */
        rb_err_clear(err);
        w->track = NULL;
        return RB_OK;
    }
    if (rc != RB_OK)
        return rc;
    if (rb_transcript_doc_build(w->t, &w->doc, err) != RB_OK)
        return RB_ERR;
    w->has_doc = 1;
    return RB_OK;
}

static int check_scope(rb_textwf *w, rb_err *err)
{
    if (w->scope_start_s >= 0 && w->scope_end_s >= 0 && w->scope_start_s >= w->scope_end_s)
        return rb_err_set(err, 422, "validation_error",
                          "parameters.output_steering.scope: start_time (%g) must be before "
                          "end_time (%g)",
                          w->scope_start_s, w->scope_end_s);
    if (w->asset.duration > 0 && w->scope_start_s >= w->asset.duration)
        return rb_err_set(err, 422, "validation_error",
                          "parameters.output_steering.scope.start_time (%g) is not before the "
                          "end of the asset (%g s)",
                          w->scope_start_s, w->asset.duration);
    return RB_OK;
}

static int check_output_language(rb_textwf *w, unsigned flags, rb_err *err)
{
    const char *want = (flags & RB_TEXTWF_NO_OUTPUT_LANGUAGE)
                           ? NULL
                           : rb_textwf_param_str(w, "output_language_code");
    snprintf(w->out_lang, sizeof w->out_lang, "%s", want && *want ? want : w->lang);
    if (w->engine != RB_AI_BUILTIN || !want || !*want)
        return RB_OK;
    char a[16], b[16];
    primary(want, a, sizeof a);
    primary(w->lang, b, sizeof b);
    if (strcmp(a, b) == 0)
        return RB_OK;
    return rb_err_set(err, 422, "unsupported_language",
                      "parameters.output_language_code '%.35s': the builtin engine writes only "
                      "in the transcript's language ('%.35s') and has no offline translator for "
                      "this workflow; omit output_language_code or configure an "
                      "OpenAI-compatible model (ROBOTS_AI=openai)",
                      want, w->lang);
}

int rb_textwf_open(rb_wf_ctx *ctx, unsigned flags, rb_textwf *w, rb_wf_result *out,
                   rb_err *err)
{
    memset(w, 0, sizeof *w);
    w->ctx = ctx;
    w->started_ns = rb_mono_ns();
    w->params = ctx->job->parameters;
    w->steering = json_object_get(w->params, "output_steering");
    if (w->steering && !json_is_object(w->steering))
        w->steering = NULL;
    const json_t *scope = (flags & RB_TEXTWF_SCOPE) ? json_object_get(w->steering, "scope") : NULL;
    w->scope_start_s = scope_value(scope, "start_time");
    w->scope_end_s = scope_value(scope, "end_time");

    const char *asset_id = rb_textwf_param_str(w, "asset_id");
    int rc;
    if (!asset_id || !*asset_id)
        rc = rb_err_set(err, 422, "validation_error", "parameters.asset_id is required");
    else
        rc = rb_library_asset(ctx->library, ctx->job->env_id, asset_id, &w->asset, err);
    if (rc == RB_OK)
        rc = check_scope(w, err);
    if (rc == RB_OK)
        rc = choose_engine(w, err);
    if (rc == RB_OK)
        rc = load_transcript(w, flags, rb_textwf_param_str(w, "language_code"), err);
    if (rc == RB_OK)
        rc = check_output_language(w, flags, err);
    if (rc != RB_OK) {
        if (rc == RB_TOOBIG)
            rb_err_set(err, 422, "validation_error",
                       "the caption track is too large to analyse (more than %zu bytes of text)",
                       (size_t)RB_TRANSCRIPT_MAX_TEXT);
        rb_textwf_fail(w, out, err);
        rb_textwf_close(w);
        w->ctx = ctx;
        return RB_ERR;
    }
    return RB_OK;
}

void rb_textwf_close(rb_textwf *w)
{
    if (w->has_doc)
        rb_transcript_doc_free(&w->doc);
    rb_transcript_free(w->t);
    rb_asset_clear(&w->asset);
    /* The API key must not outlive the job in memory it no longer needs. */
    memset(w->oa.api_key, 0, sizeof w->oa.api_key);
    w->t = NULL;
    w->has_doc = 0;
    w->track = NULL;
}

/* ---- model calls ------------------------------------------------------------- */

int rb_textwf_transcript_text(const rb_textwf *w, char **out, size_t *len, rb_err *err)
{
    *out = NULL;
    *len = 0;
    rb_buf b;
    rb_buf_init(&b, PROMPT_MAX);
    for (size_t i = 0; w->t && i < w->t->ncues; i++) {
        const rb_transcript_cue *c = &w->t->cues[i];
        int rc = rb_buf_appendf(&b, "[c%zu] %lld.%03lld-%lld.%03lld %s%s%s\n", i,
                               (long long)(c->start_ms / 1000), (long long)(c->start_ms % 1000),
                               (long long)(c->end_ms / 1000), (long long)(c->end_ms % 1000),
                               c->speaker, c->speaker[0] ? ": " : "", c->text);
        if (rc != RB_OK) {
            rb_buf_free(&b);
            return rb_err_set(err, 422, "validation_error",
                              "the transcript is too large to send to the model");
        }
    }
    *len = b.len;
    *out = rb_buf_steal(&b);
    if (!*out)
        *out = strdup("");
    return *out ? RB_OK : rb_err_set(err, 500, "internal_error", "out of memory");
}

int rb_textwf_llm(rb_textwf *w, const char *instructions, const char *request,
                  const json_t *schema, const char *schema_name, json_t **out, rb_err *err)
{
    *out = NULL;
    w->llm_failed = 0;
    const char *lname = rb_langname(w->out_lang);
    rb_buf ins;
    rb_buf_init(&ins, 256 * 1024);
    int rc = rb_buf_appendf(&ins, "%s\n\nWrite every text field of your answer in %s (%s).",
                           instructions ? instructions : "", lname ? lname : w->out_lang,
                           w->out_lang);
    char *sys = NULL, *user = NULL, *transcript = NULL;
    size_t tlen = 0;
    if (rc != RB_OK) {
        rb_buf_free(&ins);
        return rb_err_set(err, 500, "internal_error", "the instructions are too long");
    }
    rc = rb_prompt_system(rb_buf_cstr(&ins), &sys, err);
    rb_buf_free(&ins);
    if (rc == RB_OK && w->t)
        rc = rb_textwf_transcript_text(w, &transcript, &tlen, err);
    if (rc == RB_OK) {
        rc = rb_prompt_user(request, transcript ? transcript : "", tlen, PROMPT_MAX, &user, err);
        if (rc == RB_TOOBIG)
            rc = rb_err_set(err, 422, "validation_error",
                            "the transcript is too long to send to the model (more than %zu "
                            "bytes)",
                            PROMPT_MAX);
    }
    free(transcript);
    if (rc != RB_OK) {
        free(sys);
        free(user);
        return RB_ERR;
    }
    rb_openai_message msgs[2] = {{"system", sys}, {"user", user}};
    rb_openai_request req = {
        .messages = msgs, .n_messages = 2, .schema = schema, .schema_name = schema_name};
    rc = rb_openai_chat_json(&w->oa, &req, out, &w->usage, err);
    free(sys);
    free(user);
    if (w->oa.json_object_only)
        fallback_remember(&w->oa);
    if (rc != RB_OK) {
        w->llm_failed = 1;
        w->llm_retryable = rb_openai_retryable(err);
        return RB_ERR;
    }
    return RB_OK;
}

int rb_textwf_prompt_section(rb_buf *b, const json_t *overrides, const char *section,
                             const char *dflt)
{
    const char *o = json_string_value(json_object_get(overrides, section));
    if (b->len && rb_buf_puts(b, "\n\n") != RB_OK)
        return RB_ERR;
    return rb_buf_puts(b, o && *o ? o : dflt);
}

/* ---- accounting ---------------------------------------------------------- */

void rb_textwf_finish(rb_textwf *w, rb_wf_result *out)
{
    int64_t units;
    if (w->engine == RB_AI_OPENAI) {
        units = rb_openai_units(&w->usage);
    } else {
        int64_t span = w->t ? w->t->end_ms - w->t->start_ms : 0;
        units = (span + UNIT_MS - 1) / UNIT_MS;
    }
    out->units = units < 1 ? 1 : units;
    out->engine_ns = rb_mono_ns() - w->started_ns;
    const rb_wf_ctx *ctx = w->ctx;
    if (ctx && ctx->job)
        rb_log(RB_LOG_DEBUG, "%s: job %s engine=%s engine_ns=%lld units=%lld",
               ctx->job->workflow, ctx->job->id, w->engine == RB_AI_OPENAI ? "openai" : "builtin",
               (long long)out->engine_ns, (long long)out->units);
}

int rb_textwf_fail(rb_textwf *w, rb_wf_result *out, rb_err *err)
{
    if (w->llm_failed) {
        out->retryable = w->llm_retryable;
    } else if (err->status == 0 || err->status >= 500) {
        out->retryable = 1;
        if (!err->type[0] || strcmp(err->type, "internal_error") == 0)
            snprintf(err->type, sizeof err->type, "processing_error");
    } else {
        out->retryable = 0;
        if (strcmp(err->type, "invalid_parameters") == 0 || !err->type[0])
            snprintf(err->type, sizeof err->type, "validation_error");
    }
    rb_textwf_finish(w, out);
    return RB_ERR;
}

/* ---- text helpers -------------------------------------------------------------- */

char *rb_textwf_cue_text(const rb_transcript *t, size_t first, size_t last)
{
    if (!t || first > last || last >= t->ncues)
        return strdup("");
    size_t n = 0;
    for (size_t i = first; i <= last; i++)
        n += strlen(t->cues[i].text) + 1;
    char *s = malloc(n + 1), *p = s;
    if (!s)
        return NULL;
    for (size_t i = first; i <= last; i++) {
        size_t l = strlen(t->cues[i].text);
        if (l == 0)
            continue;
        if (p != s)
            *p++ = ' ';
        memcpy(p, t->cues[i].text, l);
        p += l;
    }
    *p = '\0';
    return s;
}

size_t rb_textwf_word_count(const char *s)
{
    size_t n = 0;
    int in = 0;
    for (; s && *s; s++) {
        int sp = isspace((unsigned char)*s);
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

size_t rb_textwf_limit_words(char *s, size_t max)
{
    size_t n = 0;
    int in = 0;
    char *end = NULL;
    for (char *p = s; *p; p++) {
        int sp = isspace((unsigned char)*p);
        if (!sp && !in) {
            if (n == max) {
                end = p;
                break;
            }
            n++;
        }
        in = !sp;
    }
    if (!end)
        return n;
    /* Drop the white space and the dangling separators the cut left. */
    while (end > s && (isspace((unsigned char)end[-1]) || strchr(",;:-(\"'", end[-1])))
        end--;
    *end = '\0';
    return n;
}
