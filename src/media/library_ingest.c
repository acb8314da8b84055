/* library_ingest.c — the asynchronous half of asset and track creation.
 *
 * The API handlers only validate and insert rows in "preparing"; this pass
 * fetches what they point at (under the outbound URL policy of fetch.h),
 * parses or probes it and moves each track and asset to ready or errored.
 * Work is claimed in the store (rb_store_ingest_claim) with a lease, so
 * several ingesters — threads or nodes sharing the database — never take the
 * same asset or track, and the work of one that died is claimed again once
 * its lease runs out. The lease is renewed before every fetch. Every step
 * writes its result before the next one starts and only while the row is
 * still preparing and still ours (rb_store_track_finish,
 * rb_store_asset_finish), so a re-claimed asset is not ingested twice and a
 * track deleted during its fetch stays deleted. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"
#include "media/fetch.h"
#include "media/langname.h"
#include "media/library.h"
#include "media/probe.h"
#include "media/srt.h"
#include "media/vtt.h"

/* Text files are parsed in memory; 64 MiB is far beyond any real caption
 * file and keeps one bad URL from costing the fetch limit in RAM. */
#define TEXT_MAX_BYTES (64 * 1024 * 1024)
/* Claims taken per rb_library_ingest_once: one at a time, so that work is
 * spread over the nodes instead of one node hoarding a batch. */
#define ITEMS_PER_PASS 8
/* A claim must outlive the longest step it covers: one fetch (bounded by
 * the fetch timeout) plus probing and the store writes. */
#define LEASE_MARGIN_SECONDS 60

static int lease_seconds(const rb_library *lib)
{
    int fetch = lib->cfg->fetch_timeout_seconds > 0 ? lib->cfg->fetch_timeout_seconds : 120;
    return fetch + LEASE_MARGIN_SECONDS;
}

/* Extends the claim before a long step. 0 when the work is no longer ours
 * (deleted, finished or re-claimed elsewhere): the caller stops. */
static int keep_claim(rb_library *lib, const char *asset_id, const char *track_id)
{
    rb_err e;
    int rc = rb_store_ingest_renew(lib->store, lib->ingest_owner, asset_id, track_id,
                                   lease_seconds(lib), &e);
    if (rc == RB_OK)
        return 1;
    if (rc == RB_BUSY || rc == RB_ERR)
        rb_warn("ingest: renewing the claim on %s %s: %s", track_id ? "track" : "asset",
                track_id ? track_id : asset_id, e.message);
    else
        rb_info("ingest: %s %s is no longer ours: %s", track_id ? "track" : "asset",
                track_id ? track_id : asset_id, e.message);
    return 0;
}

/* ---- files -------------------------------------------------------------------- */

/* Ids come from rb_random_id, but they name directories, so check anyway. */
static int safe_id(const char *id)
{
    if (!id || !*id)
        return 0;
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int media_dir(const rb_library *lib, const char *asset_id, char *out, size_t outlen,
                     int create, rb_err *err)
{
    if (!safe_id(asset_id))
        return rb_err_set(err, 500, "internal_error", "bad asset id for a media directory");
    char parent[1100];
    snprintf(parent, sizeof parent, "%s/media", lib->cfg->data_dir);
    int n = snprintf(out, outlen, "%s/%s", parent, asset_id);
    if (n < 0 || (size_t)n >= outlen)
        return rb_err_set(err, 500, "internal_error", "media path too long");
    if (!create)
        return RB_OK;
    const char *dirs[] = {lib->cfg->data_dir, parent, out};
    for (size_t i = 0; i < 3; i++) {
        if (mkdir(dirs[i], 0700) != 0 && errno != EEXIST)
            return rb_err_set(err, 500, "internal_error", "cannot create %s: %s", dirs[i],
                              strerror(errno));
    }
    return RB_OK;
}

void rb_library_remove_media(const rb_library *lib, const char *asset_id)
{
    char dir[1200];
    if (media_dir(lib, asset_id, dir, sizeof dir, 0, NULL) != RB_OK)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char path[1500];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- tracks ------------------------------------------------------------------- */

static json_t *input_errors(const char *msg)
{
    return json_pack("{s:s,s:[s]}", "type", "invalid_input", "messages", msg);
}

static void track_fail(rb_track *t, const char *msg)
{
    snprintf(t->status, sizeof t->status, "errored");
    json_decref(t->errors);
    t->errors = input_errors(msg);
}

/* Writes the end state of a track's ingest: content (may be NULL) becomes
 * its blob in the same transaction. A track deleted or taken over meanwhile
 * is left alone. Returns 0 when the store failed (busy, I/O): the track is
 * still preparing and is retried once its claim's lease runs out. */
static int finish_track(rb_library *lib, rb_track *t, const char *ctype, const void *data,
                         size_t len)
{
    rb_err e;
    int rc = rb_store_track_finish(lib->store, lib->ingest_owner, t, ctype, data, len, &e);
    if (rc == RB_CONFLICT || rc == RB_NOTFOUND) {
        rb_info("ingest: track %s was deleted or taken over meanwhile; result dropped", t->id);
        return 1;
    }
    if (rc != RB_OK) {
        rb_warn("ingest: track %s: %s; retried later", t->id, e.message);
        return 0;
    }
    rb_info("ingest: %s track %s of asset %s is %s", t->type, t->id, t->asset_id, t->status);
    return 1;
}

static int ingest_text(rb_library *lib, rb_track *t)
{
    rb_err e;
    rb_buf b;
    size_t max = TEXT_MAX_BYTES;
    if (lib->cfg->fetch_max_bytes > 0 && (uint64_t)lib->cfg->fetch_max_bytes < max)
        max = (size_t)lib->cfg->fetch_max_bytes;
    rb_buf_init(&b, max);
    int chapters = strcmp(t->text_type, "chapters") == 0;
    const char *ctype = NULL; /* set when b is the content to keep */
    if (!t->source_url) {
        track_fail(t, "the track has no URL to fetch");
    } else if (rb_fetch_to_buf(lib->cfg, t->source_url, &b, &e) != RB_OK) {
        track_fail(t, e.message);
    } else if (chapters) {
        json_error_t je;
        json_t *j = json_loadb(rb_buf_cstr(&b), b.len, 0, &je);
        if (!json_is_array(j)) {
            char msg[400];
            snprintf(msg, sizeof msg, "the chapters file is not a JSON array (%s)",
                     j ? "another JSON value" : je.text);
            track_fail(t, msg);
        } else {
            ctype = "application/json";
            snprintf(t->status, sizeof t->status, "ready");
        }
        json_decref(j);
    } else {
        rb_vtt v;
        int converted_ok = 1;
        if (rb_srt_sniff(rb_buf_cstr(&b), b.len)) {
            /* SRT is the other format Mux takes for subtitles. It is converted
             * here, once, so the track stores WebVTT like every other text
             * track: workflows and the public .vtt URL need not know. */
            char *conv = NULL;
            size_t conv_len = 0;
            if (rb_srt_to_vtt(rb_buf_cstr(&b), b.len, &conv, &conv_len, &e) != RB_OK) {
                char msg[600];
                snprintf(msg, sizeof msg, "the file is SubRip (SRT) and could not be converted "
                                          "to WebVTT: %s", e.message);
                track_fail(t, msg);
                converted_ok = 0;
            } else {
                /* The converted file may be larger than the fetch limit b had. */
                rb_buf_free(&b);
                rb_buf_init(&b, conv_len);
                if (rb_buf_append(&b, conv, conv_len) != RB_OK) {
                    track_fail(t, "out of memory while converting SRT to WebVTT");
                    converted_ok = 0;
                }
                free(conv);
            }
        }
        if (converted_ok && rb_vtt_parse(rb_buf_cstr(&b), b.len, &v, &e) != RB_OK) {
            char msg[600];
            snprintf(msg, sizeof msg, "the file is not valid WebVTT: %s", e.message);
            track_fail(t, msg);
        } else if (converted_ok) {
            t->duration = (double)rb_vtt_last_end_ms(&v) / 1000.0;
            rb_vtt_free(&v);
            ctype = "text/vtt";
            snprintf(t->status, sizeof t->status, "ready");
        }
    }
    int ok = finish_track(lib, t, ctype, ctype ? (b.data ? (const void *)b.data : "") : NULL,
                          ctype ? b.len : 0);
    rb_buf_free(&b);
    return ok;
}

/* What probing learned about a video or audio stream, for rb_track.info. */
static json_t *media_info(const rb_probe_stream *s)
{
    json_t *info = json_object();
    if (strcmp(s->type, "video") == 0) {
        json_object_set_new(info, "max_width", json_integer(s->width));
        json_object_set_new(info, "max_height", json_integer(s->height));
        json_object_set_new(info, "max_frame_rate",
                            json_real(s->frame_rate > 0
                                          ? (double)(int64_t)(s->frame_rate * 1000 + 0.5) / 1000
                                          : -1));
    } else {
        json_object_set_new(info, "max_channels", json_integer(s->channels));
    }
    return info;
}

static const rb_probe_stream *first_stream(const rb_probe *p, const char *type)
{
    for (int i = 0; i < p->nstreams; i++)
        if (strcmp(p->streams[i].type, type) == 0)
            return &p->streams[i];
    return NULL;
}

/* An audio track added to a ready asset: fetched next to the source and
 * probed like it. */
static int ingest_audio_track(rb_library *lib, rb_track *t)
{
    rb_err e;
    char dir[1200], path[1400];
    rb_probe p;
    const rb_probe_stream *s = NULL;
    if (!t->source_url) {
        track_fail(t, "the track has no URL to fetch");
    } else if (media_dir(lib, t->asset_id, dir, sizeof dir, 1, &e) != RB_OK) {
        track_fail(t, e.message);
    } else {
        snprintf(path, sizeof path, "%s/%s", dir, t->id);
        if (rb_fetch_to_file(lib->cfg, t->source_url, path, NULL, &e) != RB_OK) {
            track_fail(t, e.message);
        } else if (rb_probe_file(path, &p, &e) != RB_OK) {
            track_fail(t, e.message);
        } else if (!(s = first_stream(&p, "audio"))) {
            track_fail(t, "the file has no audio stream");
        } else {
            json_decref(t->info);
            t->info = media_info(s);
            t->duration = s->duration;
            snprintf(t->status, sizeof t->status, "ready");
        }
    }
    return finish_track(lib, t, NULL, NULL, 0);
}

/* claim_asset: the id of the claimed asset the track belongs to, or NULL when
 * the track is claimed on its own. Returns 0 when the claim was lost or the
 * result could not be written: an asset's ingest then stops there and is
 * resumed by whoever claims it next. */
static int ingest_track(rb_library *lib, rb_track *t, const char *claim_asset)
{
    if (!keep_claim(lib, claim_asset ? claim_asset : t->asset_id, claim_asset ? NULL : t->id))
        return 0;
    if (strcmp(t->type, "text") == 0)
        return ingest_text(lib, t);
    if (strcmp(t->type, "audio") == 0)
        return ingest_audio_track(lib, t);
    /* Only text and audio tracks are ever created preparing; anything else
     * would be claimed again after every lease, so end it. */
    track_fail(t, "tracks of this type cannot be added");
    return finish_track(lib, t, NULL, NULL, 0);
}

/* ---- the media input -------------------------------------------------------- */

/* The first input that is not a text track is the asset's media (the rule the
 * create handler validated against). */
static json_t *media_input(const json_t *inputs)
{
    size_t i;
    json_t *in;
    json_array_foreach(inputs, i, in)
    {
        const char *type = json_string_value(json_object_get(in, "type"));
        if (!type || strcmp(type, "text") != 0)
            return in;
    }
    return NULL;
}

/* Appends a ready media track for stream s to tracks[*n] (room for 2). */
static int new_media_track(const rb_asset *a, const json_t *input, const rb_probe_stream *s,
                           rb_track *tracks, size_t *n, rb_err *err)
{
    rb_track *t = &tracks[*n];
    memset(t, 0, sizeof *t);
    if (rb_random_id(t->id, sizeof t->id, "", 32) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "the random number generator failed");
    snprintf(t->asset_id, sizeof t->asset_id, "%s", a->id);
    snprintf(t->env_id, sizeof t->env_id, "%s", a->env_id);
    snprintf(t->type, sizeof t->type, "%s", s->type);
    snprintf(t->status, sizeof t->status, "ready");
    t->duration = s->duration;
    t->created_at = rb_now();
    if (strcmp(s->type, "audio") == 0) {
        const char *lang = json_string_value(json_object_get(input, "language_code"));
        const char *name = json_string_value(json_object_get(input, "name"));
        if (lang)
            snprintf(t->language_code, sizeof t->language_code, "%s", lang);
        const char *dflt = lang ? rb_langname(lang) : NULL;
        snprintf(t->name, sizeof t->name, "%s", name ? name : dflt ? dflt : lang ? lang : "");
    }
    t->info = media_info(s);
    (*n)++;
    return RB_OK;
}

/* Fetches and probes the media input and describes its video and audio
 * tracks in tracks[] (room for 2; inserted by rb_store_asset_finish together
 * with the asset's new status, so a half-done ingest leaves no tracks).
 * RB_OK with *duration set, or RB_ERR with err->message for the asset's
 * errors. */
static int ingest_media(rb_library *lib, const rb_asset *a, const json_t *input, double *duration,
                        rb_track *tracks, size_t *n, rb_err *err)
{
    const char *url = json_string_value(json_object_get(input, "url"));
    if (!url)
        return rb_err_set(err, 422, "invalid_input", "the media input has no url");
    char dir[1200], path[1400];
    int rc = media_dir(lib, a->id, dir, sizeof dir, 1, err);
    if (rc != RB_OK)
        return rc;
    snprintf(path, sizeof path, "%s/source", dir);
    int64_t size = 0;
    int64_t t0 = rb_mono_ns();
    rc = rb_fetch_to_file(lib->cfg, url, path, &size, err);
    if (rc != RB_OK)
        return RB_ERR;
    rb_probe p;
    rc = rb_probe_file(path, &p, err);
    if (rc != RB_OK)
        return rc;
    const rb_probe_stream *v = first_stream(&p, "video");
    const rb_probe_stream *au = first_stream(&p, "audio");
    if (v && (rc = new_media_track(a, input, v, tracks, n, err)) != RB_OK)
        return rc;
    if (au && (rc = new_media_track(a, input, au, tracks, n, err)) != RB_OK)
        return rc;
    *duration = p.duration;
    rb_info("ingest: asset %s media: %lld bytes, %.3f s, %s in %lld ms", a->id, (long long)size,
            p.duration, p.format, (long long)((rb_mono_ns() - t0) / 1000000));
    return RB_OK;
}

/* ---- assets ------------------------------------------------------------------ */

/* Sets cur's end state (status, duration, errors) from the media outcome and
 * the text tracks as they are now in the store. */
static void asset_outcome(rb_asset *cur, const json_t *input, int media_ok, double media_duration,
                          const char *media_msg)
{
    json_decref(cur->errors);
    cur->errors = NULL;
    if (!media_ok) {
        snprintf(cur->status, sizeof cur->status, "errored");
        cur->errors = input_errors(media_msg);
        return;
    }
    if (input) {
        snprintf(cur->status, sizeof cur->status, "ready");
        cur->duration = media_duration;
        return;
    }
    /* Captions only: the asset lasts until its last cue. With no usable
     * track there is nothing to be ready with. */
    double dur = 0;
    int ready = 0;
    json_t *msgs = json_array();
    for (size_t i = 0; i < cur->n_tracks; i++) {
        const rb_track *t = &cur->tracks[i];
        if (strcmp(t->type, "text") != 0)
            continue;
        if (strcmp(t->status, "ready") == 0) {
            ready++;
            if (t->duration > dur)
                dur = t->duration;
        } else if (t->errors) {
            size_t k;
            json_t *m;
            json_array_foreach(json_object_get(t->errors, "messages"), k, m)
                json_array_append(msgs, m);
        }
    }
    if (ready) {
        snprintf(cur->status, sizeof cur->status, "ready");
        cur->duration = dur;
        json_decref(msgs);
    } else {
        snprintf(cur->status, sizeof cur->status, "errored");
        if (json_array_size(msgs) == 0)
            json_array_append_new(msgs, json_string("no input could be ingested"));
        cur->errors = json_pack("{s:s,s:o}", "type", "invalid_input", "messages", msgs);
    }
}

/* Ingests an asset this ingester claimed. */
static void ingest_asset(rb_library *lib, rb_asset *a)
{
    rb_err e;
    for (size_t i = 0; i < a->n_tracks; i++) {
        if (strcmp(a->tracks[i].status, "preparing") == 0 &&
            !ingest_track(lib, &a->tracks[i], a->id))
            return;
    }

    const json_t *input = media_input(a->inputs);
    int media_ok = 1;
    double media_duration = 0;
    char media_msg[512] = "";
    rb_track media[2];
    size_t nmedia = 0;
    if (input) {
        /* Media tracks without a URL of their own came from the media input:
         * if they exist, it was probed already (older versions inserted them
         * before finishing the asset). */
        int probed = 0;
        for (size_t i = 0; i < a->n_tracks; i++) {
            const rb_track *t = &a->tracks[i];
            if ((strcmp(t->type, "video") == 0 || strcmp(t->type, "audio") == 0) &&
                !t->source_url) {
                probed = 1;
                if (t->duration > media_duration)
                    media_duration = t->duration;
            }
        }
        if (!probed) {
            if (!keep_claim(lib, a->id, NULL))
                return;
            if (ingest_media(lib, a, input, &media_duration, media, &nmedia, &e) != RB_OK) {
                media_ok = 0;
                snprintf(media_msg, sizeof media_msg, "%s", e.message);
            }
        }
    }

    /* Re-read: the text tracks' outcome is what the store has now (a track
     * deleted meanwhile does not count), and a deleted asset is noticed. */
    rb_asset cur;
    memset(&cur, 0, sizeof cur);
    int rc = rb_store_asset_get(lib->store, a->env_id, a->id, &cur, &e);
    if (rc == RB_OK) {
        asset_outcome(&cur, input, media_ok, media_duration, media_msg);
        rc = rb_store_asset_finish(lib->store, lib->ingest_owner, &cur, media_ok ? media : NULL,
                                   media_ok ? nmedia : 0, &e);
    }
    if (rc == RB_OK)
        rb_info("ingest: asset %s is %s", cur.id, cur.status);
    else if (rc == RB_CONFLICT)
        rb_info("ingest: asset %s was taken over meanwhile; result dropped", a->id);
    else if (rc == RB_NOTFOUND)
        rb_library_remove_media(lib, a->id); /* deleted during ingest */
    else
        rb_warn("ingest: asset %s: %s", a->id, e.message);
    for (size_t i = 0; i < nmedia; i++)
        rb_track_clear(&media[i]);
    rb_asset_clear(&cur);
}

int rb_library_ingest_once(rb_library *lib, rb_err *err)
{
    int count = 0;
    while (count < ITEMS_PER_PASS) {
        rb_ingest_work *work = NULL;
        size_t n = 0;
        int rc = rb_store_ingest_claim(lib->store, lib->ingest_owner, lease_seconds(lib), 1, &work,
                                       &n, err);
        if (rc != RB_OK)
            return count ? count : rc;
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            if (work[i].is_track)
                ingest_track(lib, &work[i].track, NULL);
            else
                ingest_asset(lib, &work[i].asset);
            rb_ingest_work_clear(&work[i]);
            count++;
        }
        free(work);
    }
    return count;
}
