/* edit_captions.c — the edit-captions workflow (spec §5.7).
 *
 * Steps: load the ready source text track, parse it, apply the edits
 * (caption_edit: speaker labels, literal replacements, profanity), write the
 * VTT back, store it as a signed temporary file, then optionally upload it
 * as a new track and delete the source. Everything before the first side
 * effect is pure, so a cancel noticed up to then leaves no trace; the cancel
 * check runs again before every write.
 *
 * Units: 1 per started 30 minutes of caption duration (end of the last
 * cue), at least 1, charged only when the job completes (docs/engine.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "ai/profanity.h"
#include "media/caption_edit.h"
#include "media/vtt.h"
#include "workflows/workflow.h"

#define UNIT_MS (30LL * 60 * 1000)
#define TEMP_FILE_TTL_S (7LL * 86400)

/* Units for a caption file whose last cue ends at end_ms. */
static int64_t units_for(int64_t end_ms)
{
    int64_t u = (end_ms + UNIT_MS - 1) / UNIT_MS;
    return u < 1 ? 1 : u;
}

/* "<base> (<suffix>)", shortening base (on a UTF-8 character boundary) when
 * the whole would not fit, so the suffix always survives. */
static void track_name(const char *base, const char *suffix, char *out, size_t outsz)
{
    size_t tail = strlen(suffix) + 3; /* " (" + suffix + ")" */
    size_t blen = strlen(base);
    if (tail + 1 >= outsz) {
        snprintf(out, outsz, "%s", suffix); /* the validator caps suffixes well below this */
        return;
    }
    if (blen > outsz - 1 - tail) {
        blen = outsz - 1 - tail;
        while (blen > 0 && ((unsigned char)base[blen] & 0xC0) == 0x80)
            blen--;
    }
    snprintf(out, outsz, "%.*s (%s)", (int)blen, base, suffix);
}

static int param_bool(const json_t *params, const char *key, int dflt)
{
    const json_t *v = json_object_get(params, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static const char *param_str(const json_t *params, const char *key)
{
    return json_string_value(json_object_get(params, key));
}

/* Turns a failure of a lower layer into the job error: store and I/O faults
 * (5xx) may pass on a later attempt; anything else is the request's fault. */
static int lower_failure(rb_wf_result *out, rb_err *err)
{
    if (err->status == 0 || err->status >= 500) {
        out->retryable = 1;
        return RB_ERR;
    }
    out->retryable = 0;
    snprintf(err->type, sizeof err->type, "validation_error");
    return RB_ERR;
}

/* The strings of a JSON string array, pointing into the array. */
static const char **string_list(const json_t *arr, size_t *n)
{
    *n = 0;
    size_t cap = json_array_size(arr);
    if (cap == 0)
        return NULL;
    const char **out = calloc(cap, sizeof *out);
    if (!out)
        return NULL;
    for (size_t i = 0; i < cap; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s)
            out[(*n)++] = s;
    }
    return out;
}

typedef struct edit_spec {
    rb_caption_edits edits;
    rb_replacement *repl;
    rb_speaker_replacement *speakers;
    const char **always;
    const char **never;
} edit_spec;

static void edit_spec_free(edit_spec *s)
{
    free(s->repl);
    free(s->speakers);
    free((void *)s->always);
    free((void *)s->never);
}

/* Builds the edits from the job parameters (already validated by the API;
 * entries of the wrong shape are skipped rather than trusted). */
static int edit_spec_build(const json_t *params, edit_spec *s, rb_err *err)
{
    memset(s, 0, sizeof *s);
    rb_caption_edits_init(&s->edits);

    const json_t *reps = json_object_get(params, "replacements");
    size_t nrep = json_array_size(reps);
    if (nrep) {
        s->repl = calloc(nrep, sizeof *s->repl);
        if (!s->repl)
            return rb_err_set(err, 500, "internal_error", "out of memory");
        for (size_t i = 0; i < nrep; i++) {
            const json_t *r = json_array_get(reps, i);
            const char *find = param_str(r, "find"), *repl = param_str(r, "replace");
            if (!find || !*find || !repl)
                continue;
            rb_replacement *x = &s->repl[s->edits.nreplacements++];
            x->find = find;
            x->replace = repl;
            x->case_sensitive = param_bool(r, "case_sensitive", 0);
        }
        s->edits.replacements = s->repl;
    }

    const json_t *sp = json_object_get(params, "speaker_replacements");
    size_t nsp = json_array_size(sp);
    if (nsp) {
        s->speakers = calloc(nsp, sizeof *s->speakers);
        if (!s->speakers)
            return rb_err_set(err, 500, "internal_error", "out of memory");
        for (size_t i = 0; i < nsp; i++) {
            const json_t *r = json_array_get(sp, i);
            const char *find = param_str(r, "find"), *repl = param_str(r, "replace");
            if (!find || !*find || !repl)
                continue;
            rb_speaker_replacement *x = &s->speakers[s->edits.nspeakers++];
            x->find = find;
            x->replace = repl;
        }
        s->edits.speakers = s->speakers;
    }

    const json_t *cen = json_object_get(params, "auto_censor_profanity");
    if (json_is_object(cen)) {
        s->edits.censor = 1;
        s->edits.is_profane = rb_profanity_detect_folded;
        const char *mode = param_str(cen, "mode");
        if (!mode || strcmp(mode, "blank") == 0)
            s->edits.mode = RB_CENSOR_BLANK;
        else if (strcmp(mode, "remove") == 0)
            s->edits.mode = RB_CENSOR_REMOVE;
        else if (strcmp(mode, "mask") == 0)
            s->edits.mode = RB_CENSOR_MASK;
        else
            return rb_err_set(err, 400, "validation_error",
                              "auto_censor_profanity.mode must be blank, remove or mask");
        /* detection_method "llm" is the only documented value; this build
         * detects with the built-in lexicon (src/ai/profanity.h) either way. */
        s->always = string_list(json_object_get(cen, "always_censor"), &s->edits.nalways);
        s->never = string_list(json_object_get(cen, "never_censor"), &s->edits.nnever);
        s->edits.always_censor = s->always;
        s->edits.never_censor = s->never;
    }
    return RB_OK;
}

static int run(rb_wf_ctx *ctx, rb_wf_result *out, rb_err *err)
{
    const rb_job *job = ctx->job;
    const json_t *params = job->parameters;
    const char *asset_id = param_str(params, "asset_id");
    const char *track_id = param_str(params, "track_id");
    int upload = param_bool(params, "upload_to_mux", 1);
    int delete_original = param_bool(params, "delete_original_track", 1);
    const char *suffix = param_str(params, "track_name_suffix");
    if (!suffix || !*suffix)
        suffix = "edited";
    out->units = 0;
    out->retryable = 0;
    if (!asset_id || !*asset_id || !track_id || !*track_id)
        return rb_err_set(err, 400, "validation_error",
                          "parameters.asset_id and parameters.track_id are required");

    rb_track track;
    memset(&track, 0, sizeof track);
    char *content = NULL;
    size_t len = 0;
    rb_vtt vtt;
    memset(&vtt, 0, sizeof vtt);
    int parsed = 0;
    edit_spec spec;
    memset(&spec, 0, sizeof spec);
    char *edited = NULL;
    size_t edited_len = 0;
    json_t *outputs = NULL;
    int rc;

    if (rb_wf_cancelled(ctx)) {
        rc = RB_CONFLICT;
        goto done;
    }
    rc = rb_library_text_track(ctx->library, job->env_id, asset_id, track_id, &track, &content,
                               &len, err);
    if (rc != RB_OK) {
        rc = lower_failure(out, err);
        goto done;
    }

    /* Engine time: the pure text work, without store round trips. */
    int64_t t0 = rb_mono_ns();
    rc = rb_vtt_parse(content, len, &vtt, err);
    if (rc != RB_OK) {
        char why[sizeof err->message];
        snprintf(why, sizeof why, "%s", err->message);
        rc = rb_err_set(err, 422, "validation_error", "The caption track is not valid WebVTT: %s",
                        why);
        goto done;
    }
    parsed = 1;
    rc = edit_spec_build(params, &spec, err);
    if (rc != RB_OK) {
        out->retryable = err->status >= 500;
        goto done;
    }
    int64_t count = 0;
    rc = rb_caption_edit_vtt(&vtt, &spec.edits, &count, err);
    if (rc != RB_OK) {
        if (rc == RB_TOOBIG) {
            char why[sizeof err->message];
            snprintf(why, sizeof why, "%s", err->message);
            rc = rb_err_set(err, 422, "processing_error",
                            "The edited captions would be too large: %s", why);
        } else {
            out->retryable = 1;
            rc = RB_ERR;
        }
        goto done;
    }
    edited = rb_vtt_write(&vtt, &edited_len);
    if (!edited) {
        out->retryable = 1;
        rc = rb_err_set(err, 500, "internal_error", "out of memory writing the edited VTT");
        goto done;
    }
    out->engine_ns = rb_mono_ns() - t0;
    rb_debug("edit-captions: job %s edited %zu cues (%lld replacements) in %lld ns", job->id,
             vtt.ncues, (long long)count, (long long)out->engine_ns);
    int64_t units = units_for(rb_vtt_last_end_ms(&vtt));

    /* Side effects from here on: each one only if the job is still ours. */
    if (rb_wf_cancelled(ctx)) {
        rc = RB_CONFLICT;
        goto done;
    }
    char url[2048];
    rc = rb_library_job_file(ctx->library, job->env_id, job->id, "text/vtt", edited, edited_len,
                             rb_now() + TEMP_FILE_TTL_S, url, sizeof url, err);
    if (rc != RB_OK) {
        rc = lower_failure(out, err);
        goto done;
    }
    outputs = json_object();
    json_object_set_new(outputs, "total_replacement_count", json_integer(count));

    if (upload) {
        if (rb_wf_cancelled(ctx)) {
            rc = RB_CONFLICT;
            goto done;
        }
        char name[sizeof track.name];
        track_name(track.name[0] ? track.name : track.language_code, suffix, name, sizeof name);
        char new_id[RB_ID_MAX];
        rc = rb_library_add_text_track(ctx->library, job->env_id, asset_id, name,
                                       track.language_code,
                                       track.text_type[0] ? track.text_type : "subtitles",
                                       track.closed_captions, edited, edited_len, new_id, err);
        if (rc != RB_OK) {
            rc = lower_failure(out, err);
            goto done;
        }
        json_object_set_new(outputs, "uploaded_track_id", json_string(new_id));
        if (delete_original) {
            rb_err derr;
            rb_err_clear(&derr);
            int drc = rb_library_delete_track(ctx->library, job->env_id, asset_id, track.id,
                                              &derr);
            /* The edited track is already attached: failing (and retrying)
             * now would attach a second copy, so a failed delete is logged
             * and the job still completes. A track deleted meanwhile is
             * what the caller wanted anyway. */
            if (drc != RB_OK && drc != RB_NOTFOUND)
                rb_warn("edit-captions: job %s could not delete source track %s: %s", job->id,
                        track.id, derr.message);
        }
    }
    json_object_set_new(outputs, "temporary_vtt_url", json_string(url));
    out->outputs = outputs;
    outputs = NULL;
    out->units = units;
    rc = RB_OK;

done:
    json_decref(outputs);
    free(edited);
    edit_spec_free(&spec);
    if (parsed)
        rb_vtt_free(&vtt);
    free(content);
    rb_track_clear(&track);
    return rc;
}

const rb_workflow rb_wf_edit_captions = {.name = "edit-captions", .run = run};
