/* library.c — JSON shapes, reads and writes for workflows, and the public
 * URLs of the media library. Ingest (fetching inputs) lives in library_ingest.c;
 * the Video API handlers in api/assets.c. docs/media-library.md has the
 * design. */
#include "media/library.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/crypto.h"
#include "media/langname.h"
#include "media/vtt.h"

int rb_library_init(rb_library *lib, rb_store *store, const rb_config *cfg, rb_err *err)
{
    memset(lib, 0, sizeof *lib);
    lib->store = store;
    lib->cfg = cfg;
    /* The key must be the same on every node sharing the store, so it lives
     * in the store; the first process to start creates it. SHA-256 of 32
     * random bytes is just a convenient way to get 64 random hex digits. */
    unsigned char rnd[32];
    char dflt[65];
    if (rb_random_bytes(rnd, sizeof rnd) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "the random number generator failed");
    rb_sha256_hex(rnd, sizeof rnd, dflt);
    int rc = rb_store_setting_get_or_init(store, "url_secret", dflt, lib->url_secret,
                                          sizeof lib->url_secret, err);
    if (rc != RB_OK)
        return rc;
    if (strlen(lib->url_secret) < 32)
        return rb_err_set(err, 500, "internal_error", "the stored url_secret is too short");
    /* The claim owner must differ between every ingester sharing the store,
     * also between two rb_library of one process; host and pid only make it
     * readable in the database. */
    char host[32] = "";
    char rid[24];
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "host");
    host[sizeof host - 1] = '\0';
    if (rb_random_id(rid, sizeof rid, "", 12) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "the random number generator failed");
    snprintf(lib->ingest_owner, sizeof lib->ingest_owner, "%.31s-%d-%s", host, (int)getpid(), rid);
    return RB_OK;
}

/* ---- JSON shapes ------------------------------------------------------------ */

static int is_media(const rb_track *t)
{
    return strcmp(t->type, "video") == 0 || strcmp(t->type, "audio") == 0;
}

json_t *rb_library_track_json(const rb_track *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(t->id));
    json_object_set_new(o, "type", json_string(t->type));
    json_object_set_new(o, "status", json_string(t->status));
    if (strcmp(t->type, "text") == 0) {
        json_object_set_new(o, "text_type",
                            json_string(t->text_type[0] ? t->text_type : "subtitles"));
        json_object_set_new(o, "text_source",
                            json_string(t->text_source[0] ? t->text_source : "uploaded"));
        json_object_set_new(o, "language_code", json_string(t->language_code));
        json_object_set_new(o, "name", json_string(t->name));
        json_object_set_new(o, "closed_captions", json_boolean(t->closed_captions));
    } else {
        if (t->duration > 0)
            json_object_set_new(o, "duration", json_real(t->duration));
        if (strcmp(t->type, "audio") == 0) {
            if (t->language_code[0])
                json_object_set_new(o, "language_code", json_string(t->language_code));
            if (t->name[0])
                json_object_set_new(o, "name", json_string(t->name));
            /* The primary audio track came with the asset's media input; audio
             * tracks added later carry their own URL. */
            json_object_set_new(o, "primary", json_boolean(t->source_url == NULL));
        }
    }
    if (is_media(t) && json_is_object(t->info)) {
        static const char *const keys[] = {"max_width", "max_height", "max_frame_rate",
                                           "max_channels"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            json_t *v = json_object_get(t->info, keys[i]);
            if (v)
                json_object_set(o, keys[i], v);
        }
    }
    if (t->passthrough)
        json_object_set_new(o, "passthrough", json_string(t->passthrough));
    if (strcmp(t->status, "errored") == 0 && t->errors)
        json_object_set_new(o, "errors", json_deep_copy(t->errors));
    return o;
}

static const char *resolution_tier(int height)
{
    if (height <= 720)
        return "720p";
    if (height <= 1080)
        return "1080p";
    if (height <= 1440)
        return "1440p";
    return "2160p";
}

json_t *rb_library_asset_json(const rb_library *lib, const rb_asset *a)
{
    json_t *o = json_object();
    char created[24];
    snprintf(created, sizeof created, "%" PRId64, a->created_at);
    json_object_set_new(o, "id", json_string(a->id));
    json_object_set_new(o, "status", json_string(a->status));
    json_object_set_new(o, "created_at", json_string(created));
    if (a->duration > 0)
        json_object_set_new(o, "duration", json_real(a->duration));
    json_object_set_new(o, "playback_ids",
                        a->playback_ids ? json_deep_copy(a->playback_ids) : json_array());

    json_t *tracks = json_array();
    int has_video = 0, has_audio = 0, width = 0, height = 0;
    double fps = 0;
    for (size_t i = 0; i < a->n_tracks; i++) {
        const rb_track *t = &a->tracks[i];
        if (strcmp(t->status, "deleted") == 0)
            continue;
        json_t *tj = rb_library_track_json(t);
        if (strcmp(t->type, "video") == 0 && strcmp(t->status, "ready") == 0) {
            has_video = 1;
            width = (int)json_integer_value(json_object_get(tj, "max_width"));
            height = (int)json_integer_value(json_object_get(tj, "max_height"));
            fps = json_number_value(json_object_get(tj, "max_frame_rate"));
        }
        if (strcmp(t->type, "audio") == 0 && strcmp(t->status, "ready") == 0)
            has_audio = 1;
        json_array_append_new(tracks, tj);
    }
    json_object_set_new(o, "tracks", tracks);
    if (has_video && width > 0 && height > 0) {
        json_object_set_new(o, "resolution_tier", json_string(resolution_tier(height)));
        char ar[32];
        int x = width, y = height;
        while (y) { /* gcd, to write 1920x1080 as 16:9 */
            int r = x % y;
            x = y;
            y = r;
        }
        snprintf(ar, sizeof ar, "%d:%d", width / x, height / x);
        json_object_set_new(o, "aspect_ratio", json_string(ar));
        if (fps != 0)
            json_object_set_new(o, "max_stored_frame_rate", json_real(fps));
    } else if (has_audio && !has_video) {
        json_object_set_new(o, "resolution_tier", json_string("audio-only"));
    }
    if (a->meta && json_object_size(a->meta) > 0)
        json_object_set_new(o, "meta", json_deep_copy(a->meta));
    if (a->passthrough)
        json_object_set_new(o, "passthrough", json_string(a->passthrough));
    if (a->thumbnail_time >= 0)
        json_object_set_new(o, "thumbnail_time", json_real(a->thumbnail_time));
    if (a->errors && strcmp(a->status, "errored") == 0)
        json_object_set_new(o, "errors", json_deep_copy(a->errors));
    /* Fields the SDK types as always present; the create options behind them
     * are accepted but not acted on, so the defaults are what applies. */
    json_object_set_new(o, "video_quality", json_string("basic"));
    json_object_set_new(o, "encoding_tier", json_string("baseline"));
    json_object_set_new(o, "master_access", json_string("none"));
    json_object_set_new(o, "max_resolution_tier", json_string("1080p"));
    json_object_set_new(o, "mp4_support", json_string("none"));
    json_object_set_new(o, "ingest_type", json_string("on_demand_url"));
    return o;
}

json_t *rb_library_slim_asset_json(const rb_library *lib, const rb_asset *a)
{
    json_t *o = json_object();
    char href[768];
    snprintf(href, sizeof href, "%s/video/v1/assets/%s", lib->cfg->public_url, a->id);
    json_object_set_new(o, "id", json_string(a->id));
    json_object_set_new(o, "_links", json_pack("{s:{s:s}}", "self", "href", href));
    if (a->meta && json_object_size(a->meta) > 0)
        json_object_set_new(o, "meta", json_deep_copy(a->meta));
    if (a->passthrough)
        json_object_set_new(o, "passthrough", json_string(a->passthrough));
    return o;
}

/* ---- reads and writes for workflows --------------------------------------- */

int rb_library_text_track(rb_library *lib, const char *env_id, const char *asset_id,
                          const char *track_id, rb_track *track, char **content, size_t *len,
                          rb_err *err)
{
    *content = NULL;
    *len = 0;
    int rc = rb_store_track_get(lib->store, env_id, asset_id, track_id, track, err);
    if (rc == RB_NOTFOUND)
        return rb_err_set(err, 422, "invalid_parameters",
                          "track_id: track %s does not exist on asset %s", track_id, asset_id);
    if (rc != RB_OK)
        return rc;
    if (strcmp(track->type, "text") != 0)
        return rb_err_set(err, 422, "invalid_parameters",
                          "track_id: track %s is a %s track, not a text track", track_id,
                          track->type);
    if (strcmp(track->status, "ready") != 0)
        return rb_err_set(err, 422, "invalid_parameters",
                          "track_id: text track %s is %s, not ready", track_id, track->status);
    if (!track->blob_id[0])
        return rb_err_set(err, 422, "invalid_parameters", "track_id: text track %s has no content",
                          track_id);
    char ctype[64];
    rc = rb_store_blob_get(lib->store, track->blob_id, content, len, ctype, err);
    if (rc == RB_NOTFOUND)
        return rb_err_set(err, 422, "invalid_parameters",
                          "track_id: the content of text track %s is gone", track_id);
    return rc;
}

int rb_library_add_text_track(rb_library *lib, const char *env_id, const char *asset_id,
                              const char *name, const char *language_code, const char *text_type,
                              int closed_captions, const char *content, size_t len,
                              char track_id[RB_ID_MAX], rb_err *err)
{
    if (!language_code || !*language_code ||
        strlen(language_code) >= sizeof((rb_track *)0)->language_code)
        return rb_err_set(err, 400, "invalid_parameters", "language_code: must be 1-35 characters");
    const char *tt = text_type && *text_type ? text_type : "subtitles";
    int chapters = strcmp(tt, "chapters") == 0;
    if (!chapters && strcmp(tt, "subtitles") != 0)
        return rb_err_set(err, 400, "invalid_parameters",
                          "text_type: must be subtitles or chapters");

    rb_track t;
    memset(&t, 0, sizeof t);
    if (rb_random_id(t.id, sizeof t.id, "", 32) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "the random number generator failed");
    snprintf(t.asset_id, sizeof t.asset_id, "%s", asset_id);
    snprintf(t.env_id, sizeof t.env_id, "%s", env_id);
    snprintf(t.type, sizeof t.type, "text");
    snprintf(t.status, sizeof t.status, "ready");
    snprintf(t.text_type, sizeof t.text_type, "%s", tt);
    snprintf(t.text_source, sizeof t.text_source, "uploaded");
    snprintf(t.language_code, sizeof t.language_code, "%s", language_code);
    const char *dflt = rb_langname(language_code);
    snprintf(t.name, sizeof t.name, "%s", name && *name ? name : dflt ? dflt : language_code);
    t.closed_captions = closed_captions ? 1 : 0;
    t.created_at = rb_now();
    if (!chapters) {
        /* Workflows write VTT they built themselves; still, a track other
         * code will parse must parse, and its end gives the track duration. */
        rb_vtt v;
        int rc = rb_vtt_parse(content, len, &v, err);
        if (rc != RB_OK)
            return rc;
        t.duration = (double)rb_vtt_last_end_ms(&v) / 1000.0;
        rb_vtt_free(&v);
    }
    int rc = rb_store_blob_put(lib->store, env_id, NULL, chapters ? "application/json" : "text/vtt",
                               content, len, t.blob_id, err);
    if (rc != RB_OK)
        return rc;
    rc = rb_store_track_insert(lib->store, &t, err);
    if (rc == RB_NOTFOUND)
        return rb_err_set(err, 422, "invalid_parameters", "asset_id: asset %s does not exist",
                          asset_id);
    if (rc != RB_OK)
        return rc;
    snprintf(track_id, RB_ID_MAX, "%s", t.id);
    return RB_OK;
}

int rb_library_delete_track(rb_library *lib, const char *env_id, const char *asset_id,
                            const char *track_id, rb_err *err)
{
    int rc = rb_store_track_delete(lib->store, env_id, asset_id, track_id, err);
    if (rc == RB_NOTFOUND)
        return rb_err_set(err, 404, "not_found", "track %s does not exist on asset %s", track_id,
                          asset_id);
    return rc;
}

int rb_library_asset(rb_library *lib, const char *env_id, const char *asset_id, rb_asset *out,
                     rb_err *err)
{
    int rc = rb_store_asset_get(lib->store, env_id, asset_id, out, err);
    if (rc == RB_NOTFOUND)
        return rb_err_set(err, 422, "invalid_parameters", "asset '%.255s' does not exist",
                          asset_id);
    return rc;
}

int rb_library_env_setting(rb_library *lib, const char *env_id, const char *name, char *out,
                           size_t outlen, rb_err *err)
{
    char key[RB_ID_MAX + 96];
    snprintf(key, sizeof key, "env.%s.%s", env_id, name);
    return rb_store_setting_get(lib->store, key, out, outlen, err);
}

/* Truncates s in place to at most max code points (UTF-8). */
static void cut_code_points(char *s, size_t max)
{
    size_t cps = 0;
    for (size_t i = 0; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (cps++ == max) {
            s[i] = '\0';
            return;
        }
    }
}

int rb_library_set_meta_title(rb_library *lib, const char *env_id, const char *asset_id,
                              const char *title, rb_err *err)
{
    rb_asset a;
    memset(&a, 0, sizeof a);
    int rc = rb_library_asset(lib, env_id, asset_id, &a, err);
    if (rc != RB_OK)
        return rc;
    char *t = strdup(title ? title : "");
    if (!t) {
        rb_asset_clear(&a);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    cut_code_points(t, RB_LIBRARY_META_TITLE_MAX);
    /* Only meta.title changes: the asset's other meta keys stay as they are. */
    if (!json_is_object(a.meta)) {
        json_decref(a.meta);
        a.meta = json_object();
    }
    json_object_set_new(a.meta, "title", json_string(t));
    free(t);
    rc = rb_store_asset_update(lib->store, &a, err);
    rb_asset_clear(&a);
    return rc;
}

int rb_library_replace_chapters(rb_library *lib, const char *env_id, const char *asset_id,
                                const char *language_code, const json_t *chapters,
                                char track_id[RB_ID_MAX], char replaced_id[RB_ID_MAX],
                                rb_err *err)
{
    track_id[0] = replaced_id[0] = '\0';
    rb_asset a;
    memset(&a, 0, sizeof a);
    int rc = rb_library_asset(lib, env_id, asset_id, &a, err);
    if (rc != RB_OK)
        return rc;
    /* An asset has at most one chapters track, whatever its language: every
     * existing one goes first (spec 5.3). */
    for (size_t i = 0; rc == RB_OK && i < a.n_tracks; i++) {
        const rb_track *t = &a.tracks[i];
        if (strcmp(t->type, "text") != 0 || strcmp(t->text_type, "chapters") != 0)
            continue;
        rc = rb_library_delete_track(lib, env_id, asset_id, t->id, err);
        if (rc == RB_OK && !replaced_id[0])
            snprintf(replaced_id, RB_ID_MAX, "%s", t->id);
    }
    rb_asset_clear(&a);
    if (rc != RB_OK)
        return rc;
    char *content = json_dumps(chapters, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!content)
        return rb_err_set(err, 500, "internal_error", "cannot serialise the chapters file");
    rc = rb_library_add_text_track(lib, env_id, asset_id, NULL, language_code, "chapters", 0,
                                   content, strlen(content), track_id, err);
    free(content);
    return rc;
}

/* ---- URLs ------------------------------------------------------------------- */

static void file_sig(const rb_library *lib, const char *blob_id, const char *expires, char out[65])
{
    char msg[RB_ID_MAX + 32];
    int n = snprintf(msg, sizeof msg, "%s.%s", blob_id, expires);
    rb_hmac_sha256_hex(lib->url_secret, strlen(lib->url_secret), msg, (size_t)n, out);
}

int rb_library_job_file(rb_library *lib, const char *env_id, const char *job_id,
                        const char *content_type, const void *data, size_t len, int64_t expires_at,
                        char *url, size_t urlsz, rb_err *err)
{
    char blob_id[RB_ID_MAX];
    int rc = rb_store_blob_put(lib->store, env_id, job_id, content_type, data, len, blob_id, err);
    if (rc != RB_OK)
        return rc;
    char expires[24], sig[65];
    snprintf(expires, sizeof expires, "%" PRId64, expires_at);
    file_sig(lib, blob_id, expires, sig);
    int n = snprintf(url, urlsz, "%s/files/%s?expires=%s&sig=%s", lib->cfg->public_url, blob_id,
                     expires, sig);
    if (n < 0 || (size_t)n >= urlsz)
        return rb_err_set(err, 500, "internal_error", "the file URL does not fit in %zu bytes",
                          urlsz);
    return RB_OK;
}

int rb_library_verify_file_sig(const rb_library *lib, const char *blob_id, const char *expires,
                               const char *sig)
{
    if (!blob_id || !*blob_id || strlen(blob_id) >= RB_ID_MAX || !expires || !sig)
        return RB_ERR;
    /* Only the canonical decimal form is signed, so anything else ("+1",
     * " 1", "01") is refused rather than parsed leniently. */
    size_t n = strlen(expires);
    if (n == 0 || n > 18 || (n > 1 && expires[0] == '0'))
        return RB_ERR;
    int64_t exp = 0;
    for (size_t i = 0; i < n; i++) {
        if (expires[i] < '0' || expires[i] > '9')
            return RB_ERR;
        exp = exp * 10 + (expires[i] - '0');
    }
    char want[65];
    file_sig(lib, blob_id, expires, want);
    if (!rb_secure_equal(want, 64, sig, strlen(sig)))
        return RB_ERR;
    return exp >= rb_now() ? RB_OK : RB_ERR;
}

void rb_library_track_url(const rb_library *lib, const rb_asset *a, const rb_track *t, char *url,
                          size_t urlsz)
{
    /* Only a public playback id opens the file: a signed one needs a token
     * the embedded library cannot issue yet (see docs/media-library.md), so
     * an asset with signed playback ids only has no URL. */
    const char *pid = NULL;
    size_t i;
    json_t *p;
    json_array_foreach(a->playback_ids, i, p)
    {
        const char *id = json_string_value(json_object_get(p, "id"));
        const char *policy = json_string_value(json_object_get(p, "policy"));
        if (id && policy && strcmp(policy, "public") == 0) {
            pid = id;
            break;
        }
    }
    if (!pid) {
        if (urlsz)
            url[0] = '\0';
        return;
    }
    snprintf(url, urlsz, "%s/stream/%s/text/%s.vtt", lib->cfg->public_url, pid, t->id);
}
