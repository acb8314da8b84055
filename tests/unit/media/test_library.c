/* test_library.c — unit tests for src/media/library.c and library_ingest.c
 * against a real SQLite store and a local HTTP server: ingest of
 * captions-only and media assets (ready/errored, durations, track JSON),
 * bad text files, signed job-file URLs, track URLs, workflow writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/crypto.h"
#include "common/err.h"
#include "common/log.h"
#include "media/library.h"
#include "store/store.h"
#include "testsrv.h"

#include <libavformat/avformat.h>

static const char EN_VTT[] = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHello there.\n\n"
                             "00:00:04.000 --> 00:00:07.500\nGeneral Kenobi.\n";
static const char BAD_VTT[] = "this is not a caption file\n";
/* SRT that cannot be converted (its second timing line is broken): the
 * track errors naming SRT. */
static const char SRT[] = "1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:03,000 --> 00:00:9x,000\nBye\n";

typedef struct fx {
    char dir[64];
    rb_store *st;
    rb_env env, other;
    rb_config cfg;
    rb_library lib;
    testsrv srv;
} fx;

/* Writes a 2 s, 64x48, 25 fps raw-video NUT file with libavformat (no
 * encoder needed: raw frames are the packets) and returns its bytes. */
static char *make_video(const char *dir, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/v.nut", dir);
    AVFormatContext *oc = NULL;
    assert_true(avformat_alloc_output_context2(&oc, NULL, "nut", path) >= 0);
    AVStream *st = avformat_new_stream(oc, NULL);
    st->time_base = (AVRational){1, 25};
    st->avg_frame_rate = (AVRational){25, 1};
    st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
    st->codecpar->codec_id = AV_CODEC_ID_RAWVIDEO;
    st->codecpar->codec_tag = 0;
    st->codecpar->width = 64;
    st->codecpar->height = 48;
    st->codecpar->format = AV_PIX_FMT_YUV420P;
    assert_true(avio_open(&oc->pb, path, AVIO_FLAG_WRITE) >= 0);
    assert_true(avformat_write_header(oc, NULL) >= 0);
    const int frame = 64 * 48 * 3 / 2;
    for (int i = 0; i < 50; i++) {
        AVPacket *pkt = av_packet_alloc();
        assert_true(av_new_packet(pkt, frame) == 0);
        memset(pkt->data, i * 5, (size_t)frame);
        pkt->stream_index = 0;
        pkt->pts = pkt->dts = av_rescale_q(i, (AVRational){1, 25}, st->time_base);
        pkt->duration = av_rescale_q(1, (AVRational){1, 25}, st->time_base);
        pkt->flags |= AV_PKT_FLAG_KEY;
        assert_true(av_interleaved_write_frame(oc, pkt) >= 0);
        av_packet_free(&pkt);
    }
    assert_true(av_write_trailer(oc) >= 0);
    avio_closep(&oc->pb);
    avformat_free_context(oc);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = malloc((size_t)n);
    assert_int_equal(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    unlink(path);
    *len = (size_t)n;
    return b;
}

static int setup(void **state)
{
    rb_log_set_level(RB_LOG_WARN);
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rb_library_test_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/robots.db", f->dir);
    rb_err err;
    if (rb_store_open(url, 4, &f->st, &err) != RB_OK ||
        rb_store_env_ensure(f->st, "Development", &f->env, &err) != RB_OK ||
        rb_store_env_ensure(f->st, "Other", &f->other, &err) != RB_OK) {
        fprintf(stderr, "store: %s\n", err.message);
        return -1;
    }
    rb_config_defaults(&f->cfg);
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s/data", f->dir);
    snprintf(f->cfg.public_url, sizeof f->cfg.public_url, "http://media.test");
    f->cfg.allow_private_urls = 1;
    f->cfg.fetch_timeout_seconds = 5;
    if (rb_library_init(&f->lib, f->st, &f->cfg, &err) != RB_OK) {
        fprintf(stderr, "library: %s\n", err.message);
        return -1;
    }
    if (testsrv_start(&f->srv) != 0)
        return -1;
    testsrv_route_add(&f->srv, "/en.vtt", 200, "text/vtt", EN_VTT, strlen(EN_VTT));
    testsrv_route_add(&f->srv, "/bad.vtt", 200, "text/vtt", BAD_VTT, strlen(BAD_VTT));
    testsrv_route_add(&f->srv, "/subs.srt", 200, "text/plain", SRT, strlen(SRT));
    size_t wlen;
    char *wav = testsrv_make_wav(2, 2, &wlen);
    testsrv_route_add(&f->srv, "/tone.wav", 200, "audio/wav", wav, wlen);
    free(wav);
    size_t vlen;
    char *video = make_video(f->dir, &vlen);
    testsrv_route_add(&f->srv, "/clip.nut", 200, "video/x-nut", video, vlen);
    free(video);
    testsrv_route_add(&f->srv, "/notmedia", 200, "text/plain", "just some text, not media", 25);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    testsrv_stop(&f->srv);
    rb_store_close(f->st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* Inserts a preparing asset the way the create handler does: inputs as
 * given, one preparing text track per text input. */
static void make_asset(fx *f, const char *const *paths, size_t n, int media_first, rb_asset *a)
{
    memset(a, 0, sizeof *a);
    rb_random_id(a->id, sizeof a->id, "", 32);
    snprintf(a->env_id, sizeof a->env_id, "%s", f->env.id);
    snprintf(a->status, sizeof a->status, "preparing");
    a->created_at = rb_now();
    a->thumbnail_time = -1;
    a->inputs = json_array();
    /* Playback ids are unique store-wide: a signed one first, then a public
     * one whose id says so (the track URL test looks for it). */
    char pid[RB_ID_MAX];
    rb_random_id(pid, sizeof pid, "pbSigned", 24);
    a->playback_ids = json_pack("[{s:s,s:s}]", "id", pid, "policy", "signed");
    rb_random_id(pid, sizeof pid, "pbPublic", 24);
    json_array_append_new(a->playback_ids, json_pack("{s:s,s:s}", "id", pid, "policy", "public"));
    a->tracks = calloc(n, sizeof *a->tracks);
    for (size_t i = 0; i < n; i++) {
        char url[256];
        snprintf(url, sizeof url, "%s%s", f->srv.base, paths[i]);
        if (media_first && i == 0) {
            json_array_append_new(a->inputs, json_pack("{s:s}", "url", url));
            continue;
        }
        json_array_append_new(a->inputs, json_pack("{s:s,s:s,s:s}", "url", url, "type", "text",
                                                   "language_code", "en"));
        rb_track *t = &a->tracks[a->n_tracks++];
        rb_random_id(t->id, sizeof t->id, "", 32);
        snprintf(t->asset_id, sizeof t->asset_id, "%s", a->id);
        snprintf(t->env_id, sizeof t->env_id, "%s", a->env_id);
        snprintf(t->type, sizeof t->type, "text");
        snprintf(t->status, sizeof t->status, "preparing");
        snprintf(t->text_type, sizeof t->text_type, "subtitles");
        snprintf(t->text_source, sizeof t->text_source, "uploaded");
        snprintf(t->language_code, sizeof t->language_code, "en");
        snprintf(t->name, sizeof t->name, "English %zu", i);
        t->source_url = strdup(url);
        t->created_at = a->created_at;
    }
    rb_err err;
    assert_int_equal(rb_store_asset_insert(f->st, a, &err), RB_OK);
}

static void reload(fx *f, rb_asset *a)
{
    char id[RB_ID_MAX];
    snprintf(id, sizeof id, "%s", a->id);
    rb_asset_clear(a);
    rb_err err;
    assert_int_equal(rb_store_asset_get(f->st, f->env.id, id, a, &err), RB_OK);
}

static void test_init_secret_is_stable(void **state)
{
    fx *f = *state;
    assert_int_equal(strlen(f->lib.url_secret), 64);
    rb_library again;
    rb_err err;
    assert_int_equal(rb_library_init(&again, f->st, &f->cfg, &err), RB_OK);
    assert_string_equal(again.url_secret, f->lib.url_secret);
}

static void test_captions_only_ingest(void **state)
{
    fx *f = *state;
    const char *paths[] = {"/en.vtt"};
    rb_asset a;
    make_asset(f, paths, 1, 0, &a);
    rb_err err;
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 0); /* nothing left to do */
    reload(f, &a);
    assert_string_equal(a.status, "ready");
    assert_true(a.duration > 7.499 && a.duration < 7.501);
    assert_int_equal(a.n_tracks, 1);
    assert_string_equal(a.tracks[0].status, "ready");

    json_t *j = rb_library_asset_json(&f->lib, &a);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ready");
    char created[24];
    snprintf(created, sizeof created, "%lld", (long long)a.created_at);
    assert_string_equal(json_string_value(json_object_get(j, "created_at")), created);
    assert_true(json_real_value(json_object_get(j, "duration")) > 7.49);
    json_t *t = json_array_get(json_object_get(j, "tracks"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "id")), a.tracks[0].id);
    assert_string_equal(json_string_value(json_object_get(t, "type")), "text");
    assert_string_equal(json_string_value(json_object_get(t, "status")), "ready");
    assert_string_equal(json_string_value(json_object_get(t, "text_type")), "subtitles");
    assert_string_equal(json_string_value(json_object_get(t, "text_source")), "uploaded");
    assert_string_equal(json_string_value(json_object_get(t, "language_code")), "en");
    assert_string_equal(json_string_value(json_object_get(t, "name")), "English 0");
    assert_true(json_is_false(json_object_get(t, "closed_captions")));
    assert_null(json_object_get(t, "duration"));
    assert_null(json_object_get(t, "passthrough"));
    assert_null(json_object_get(j, "errors"));
    assert_int_equal(json_array_size(json_object_get(j, "playback_ids")), 2);
    json_decref(j);

    /* The workflows' read path gets the file back byte for byte. */
    rb_track tr;
    char *content = NULL;
    size_t len = 0;
    assert_int_equal(
        rb_library_text_track(&f->lib, f->env.id, a.id, a.tracks[0].id, &tr, &content, &len, &err),
        RB_OK);
    assert_int_equal(len, strlen(EN_VTT));
    assert_memory_equal(content, EN_VTT, len);
    free(content);
    rb_track_clear(&tr);
    /* Another environment does not see it. */
    assert_int_equal(rb_library_text_track(&f->lib, f->other.id, a.id, a.tracks[0].id, &tr,
                                           &content, &len, &err),
                     RB_ERR);
    assert_int_equal(err.status, 422);
    rb_track_clear(&tr);

    /* The public URL prefers the public playback id. */
    char url[512];
    rb_library_track_url(&f->lib, &a, &a.tracks[0], url, sizeof url);
    char want[512];
    snprintf(want, sizeof want, "http://media.test/stream/%s/text/%s.vtt",
             json_string_value(json_object_get(json_array_get(a.playback_ids, 1), "id")),
             a.tracks[0].id);
    assert_non_null(strstr(want, "/stream/pbPublic"));
    assert_string_equal(url, want);

    json_t *slim = rb_library_slim_asset_json(&f->lib, &a);
    char href[256];
    snprintf(href, sizeof href, "http://media.test/video/v1/assets/%s", a.id);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(slim, "_links"), "self"), "href")),
                        href);
    assert_string_equal(json_string_value(json_object_get(slim, "id")), a.id);
    json_decref(slim);
    rb_asset_clear(&a);
}

static void test_bad_text_tracks(void **state)
{
    fx *f = *state;
    const char *paths[] = {"/en.vtt", "/bad.vtt", "/subs.srt", "/missing.vtt"};
    rb_asset a;
    make_asset(f, paths, 4, 0, &a);
    rb_err err;
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    reload(f, &a);
    /* One good track is enough for a captions-only asset. */
    assert_string_equal(a.status, "ready");
    assert_int_equal(a.n_tracks, 4);
    assert_string_equal(a.tracks[0].status, "ready");
    const char *needles[] = {NULL, "not valid WebVTT", "SRT", "answered HTTP 404"};
    for (int i = 1; i < 4; i++) {
        assert_string_equal(a.tracks[i].status, "errored");
        json_t *tj = rb_library_track_json(&a.tracks[i]);
        json_t *errs = json_object_get(tj, "errors");
        assert_string_equal(json_string_value(json_object_get(errs, "type")), "invalid_input");
        const char *msg = json_string_value(json_array_get(json_object_get(errs, "messages"), 0));
        assert_non_null(msg);
        if (!strstr(msg, needles[i]))
            fail_msg("track %d: '%s' lacks '%s'", i, msg, needles[i]);
        json_decref(tj);
    }
    rb_asset_clear(&a);

    /* Nothing usable at all: the asset is errored and says why. */
    const char *bad[] = {"/bad.vtt"};
    make_asset(f, bad, 1, 0, &a);
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    reload(f, &a);
    assert_string_equal(a.status, "errored");
    json_t *j = rb_library_asset_json(&f->lib, &a);
    json_t *errs = json_object_get(j, "errors");
    assert_string_equal(json_string_value(json_object_get(errs, "type")), "invalid_input");
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(errs, "messages"), 0)),
                           "not valid WebVTT"));
    json_decref(j);
    rb_asset_clear(&a);
}

static void test_media_ingest(void **state)
{
    fx *f = *state;
    const char *paths[] = {"/tone.wav", "/en.vtt"};
    rb_asset a;
    make_asset(f, paths, 2, 1, &a);
    rb_err err;
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    reload(f, &a);
    assert_string_equal(a.status, "ready");
    assert_true(a.duration > 1.99 && a.duration < 2.01); /* the media's, not the captions' */
    assert_int_equal(a.n_tracks, 2);                     /* text + audio */

    json_t *j = rb_library_asset_json(&f->lib, &a);
    json_t *audio = NULL;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "tracks"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "type")), "audio") == 0)
            audio = t;
    }
    assert_non_null(audio);
    assert_string_equal(json_string_value(json_object_get(audio, "status")), "ready");
    assert_int_equal(json_integer_value(json_object_get(audio, "max_channels")), 2);
    assert_true(json_is_true(json_object_get(audio, "primary")));
    assert_true(json_real_value(json_object_get(audio, "duration")) > 1.99);
    assert_string_equal(json_string_value(json_object_get(j, "resolution_tier")), "audio-only");
    json_decref(j);

    char path[1200];
    snprintf(path, sizeof path, "%s/media/%s/source", f->cfg.data_dir, a.id);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    rb_library_remove_media(&f->lib, a.id);
    assert_int_not_equal(stat(path, &st), 0);
    rb_asset_clear(&a);
}

static void test_video_ingest(void **state)
{
    fx *f = *state;
    const char *paths[] = {"/clip.nut"};
    rb_asset a;
    make_asset(f, paths, 1, 1, &a);
    rb_err err;
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    reload(f, &a);
    assert_string_equal(a.status, "ready");
    assert_true(a.duration > 1.9 && a.duration < 2.1);
    assert_int_equal(a.n_tracks, 1);
    json_t *j = rb_library_asset_json(&f->lib, &a);
    json_t *v = json_array_get(json_object_get(j, "tracks"), 0);
    assert_string_equal(json_string_value(json_object_get(v, "type")), "video");
    assert_int_equal(json_integer_value(json_object_get(v, "max_width")), 64);
    assert_int_equal(json_integer_value(json_object_get(v, "max_height")), 48);
    assert_true(json_real_value(json_object_get(v, "max_frame_rate")) == 25.0);
    assert_null(json_object_get(v, "primary"));
    assert_string_equal(json_string_value(json_object_get(j, "aspect_ratio")), "4:3");
    assert_string_equal(json_string_value(json_object_get(j, "resolution_tier")), "720p");
    json_decref(j);
    rb_asset_clear(&a);
}

static void test_media_not_media(void **state)
{
    fx *f = *state;
    const char *paths[] = {"/notmedia"};
    rb_asset a;
    make_asset(f, paths, 1, 1, &a);
    rb_err err;
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    reload(f, &a);
    assert_string_equal(a.status, "errored");
    assert_string_equal(json_string_value(json_object_get(a.errors, "type")), "invalid_input");
    assert_true(json_array_size(json_object_get(a.errors, "messages")) == 1);
    rb_asset_clear(&a);

    const char *gone[] = {"/nothing-here.mp4"};
    make_asset(f, gone, 1, 1, &a);
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    reload(f, &a);
    assert_string_equal(a.status, "errored");
    assert_non_null(strstr(
        json_string_value(json_array_get(json_object_get(a.errors, "messages"), 0)), "HTTP 404"));
    rb_asset_clear(&a);
}

/* Splits "<public>/files/<blob>?expires=<e>&sig=<s>". */
static void split_file_url(const char *url, char *blob, char *expires, char *sig)
{
    const char *p = strstr(url, "/files/");
    assert_non_null(p);
    p += 7;
    const char *q = strchr(p, '?');
    assert_non_null(q);
    snprintf(blob, RB_ID_MAX, "%.*s", (int)(q - p), p);
    assert_int_equal(sscanf(q, "?expires=%20[0-9]&sig=%64[0-9a-f]", expires, sig), 2);
}

static void test_job_file_urls(void **state)
{
    fx *f = *state;
    char url[512], blob[RB_ID_MAX], expires[24], sig[65];
    rb_err err;
    int64_t exp = rb_now() + 3600;
    assert_int_equal(rb_library_job_file(&f->lib, f->env.id, NULL, "text/vtt", EN_VTT,
                                         strlen(EN_VTT), exp, url, sizeof url, &err),
                     RB_OK);
    assert_true(strncmp(url, "http://media.test/files/", 24) == 0);
    split_file_url(url, blob, expires, sig);
    assert_int_equal(strtoll(expires, NULL, 10), exp);
    assert_int_equal(rb_library_verify_file_sig(&f->lib, blob, expires, sig), RB_OK);

    /* The signature covers both the blob and the expiry. */
    char bad[65];
    snprintf(bad, sizeof bad, "%s", sig);
    bad[0] = bad[0] == 'a' ? 'b' : 'a';
    assert_int_equal(rb_library_verify_file_sig(&f->lib, blob, expires, bad), RB_ERR);
    char later[24];
    snprintf(later, sizeof later, "%lld", (long long)exp + 1);
    assert_int_equal(rb_library_verify_file_sig(&f->lib, blob, later, sig), RB_ERR);
    assert_int_equal(rb_library_verify_file_sig(&f->lib, "otherblob", expires, sig), RB_ERR);
    char plus[26];
    snprintf(plus, sizeof plus, "+%s", expires);
    assert_int_equal(rb_library_verify_file_sig(&f->lib, blob, plus, sig), RB_ERR);
    assert_int_equal(rb_library_verify_file_sig(&f->lib, blob, expires, ""), RB_ERR);
    assert_int_equal(rb_library_verify_file_sig(&f->lib, blob, NULL, sig), RB_ERR);

    char *data = NULL;
    size_t len = 0;
    char ctype[64];
    assert_int_equal(rb_store_blob_get(f->st, blob, &data, &len, ctype, &err), RB_OK);
    assert_string_equal(ctype, "text/vtt");
    assert_int_equal(len, strlen(EN_VTT));
    free(data);

    /* Expired: a correct signature is not enough. */
    assert_int_equal(rb_library_job_file(&f->lib, f->env.id, NULL, "application/json", "{}", 2,
                                         rb_now() - 10, url, sizeof url, &err),
                     RB_OK);
    split_file_url(url, blob, expires, sig);
    assert_int_equal(rb_library_verify_file_sig(&f->lib, blob, expires, sig), RB_ERR);
}

static void test_add_and_delete_text_track(void **state)
{
    fx *f = *state;
    const char *paths[] = {"/en.vtt"};
    rb_asset a;
    make_asset(f, paths, 1, 0, &a);
    rb_err err;
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    char tid[RB_ID_MAX];
    assert_int_equal(rb_library_add_text_track(&f->lib, f->env.id, a.id, NULL, "fr", NULL, 1,
                                               EN_VTT, strlen(EN_VTT), tid, &err),
                     RB_OK);
    rb_track t;
    char *content = NULL;
    size_t len = 0;
    assert_int_equal(rb_library_text_track(&f->lib, f->env.id, a.id, tid, &t, &content, &len, &err),
                     RB_OK);
    assert_string_equal(t.name, "French"); /* named from its language */
    assert_string_equal(t.language_code, "fr");
    assert_int_equal(t.closed_captions, 1);
    assert_memory_equal(content, EN_VTT, len);
    free(content);
    rb_track_clear(&t);

    /* Content that is not WebVTT is refused, nothing is written. */
    char tid2[RB_ID_MAX];
    assert_int_equal(rb_library_add_text_track(&f->lib, f->env.id, a.id, "x", "de", "subtitles", 0,
                                               BAD_VTT, strlen(BAD_VTT), tid2, &err),
                     RB_ERR);
    /* An asset of another environment is not found. */
    assert_int_equal(rb_library_add_text_track(&f->lib, f->other.id, a.id, "x", "de", NULL, 0,
                                               EN_VTT, strlen(EN_VTT), tid2, &err),
                     RB_ERR);
    assert_int_equal(err.status, 422);

    assert_int_equal(rb_library_delete_track(&f->lib, f->env.id, a.id, tid, &err), RB_OK);
    assert_int_equal(rb_library_text_track(&f->lib, f->env.id, a.id, tid, &t, &content, &len, &err),
                     RB_ERR);
    assert_int_equal(err.status, 422);
    rb_track_clear(&t);
    assert_int_equal(rb_library_delete_track(&f->lib, f->env.id, a.id, "nope", &err), RB_ERR);
    assert_int_equal(err.status, 404);
    reload(f, &a);
    assert_int_equal(a.n_tracks, 1);
    rb_asset_clear(&a);
}

/* A track added to a ready asset, as the track handler inserts it. */
static void add_audio_track(fx *f, const rb_asset *a, rb_track *t)
{
    memset(t, 0, sizeof *t);
    rb_random_id(t->id, sizeof t->id, "", 32);
    snprintf(t->asset_id, sizeof t->asset_id, "%s", a->id);
    snprintf(t->env_id, sizeof t->env_id, "%s", a->env_id);
    snprintf(t->type, sizeof t->type, "audio");
    snprintf(t->status, sizeof t->status, "preparing");
    snprintf(t->language_code, sizeof t->language_code, "es");
    snprintf(t->name, sizeof t->name, "Spanish");
    char url[256];
    snprintf(url, sizeof url, "%s/tone.wav", f->srv.base);
    t->source_url = strdup(url);
    t->created_at = rb_now();
    rb_err err;
    assert_int_equal(rb_store_track_insert(f->st, t, &err), RB_OK);
}

static void test_added_track_ingested_after_restart(void **state)
{
    fx *f = *state;
    const char *paths[] = {"/en.vtt"};
    rb_asset a;
    make_asset(f, paths, 1, 0, &a);
    rb_err err;
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    rb_track t;
    add_audio_track(f, &a, &t);

    /* The process restarts before its ingester ran: a new store handle and a
     * fresh library find the track in the database. */
    rb_store_close(f->st);
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/robots.db", f->dir);
    assert_int_equal(rb_store_open(url, 4, &f->st, &err), RB_OK);
    char old_owner[RB_ID_MAX];
    snprintf(old_owner, sizeof old_owner, "%s", f->lib.ingest_owner);
    assert_int_equal(rb_library_init(&f->lib, f->st, &f->cfg, &err), RB_OK);
    assert_string_not_equal(f->lib.ingest_owner, old_owner);
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 0);

    rb_track got;
    assert_int_equal(rb_store_track_get(f->st, f->env.id, a.id, t.id, &got, &err), RB_OK);
    assert_string_equal(got.status, "ready");
    assert_true(got.duration > 1.99);
    assert_string_equal(got.blob_id, ""); /* the facts live in info, not in a blob */
    json_t *j = rb_library_track_json(&got);
    assert_int_equal(json_integer_value(json_object_get(j, "max_channels")), 2);
    assert_true(json_is_false(json_object_get(j, "primary")));
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ready");
    json_decref(j);
    rb_track_clear(&got);
    rb_track_clear(&t);
    rb_asset_clear(&a);
}

typedef struct ingest_run {
    rb_library *lib;
    int n;
} ingest_run;

static void *ingest_once_thread(void *p)
{
    ingest_run *r = p;
    rb_err err;
    r->n = rb_library_ingest_once(r->lib, &err);
    return NULL;
}

/* A track deleted while its file is being fetched stays deleted: the
 * fetch's result is refused by the store. */
static void test_track_deleted_during_fetch(void **state)
{
    fx *f = *state;
    testsrv_route_add(&f->srv, "/slow.vtt", 200, "text/vtt", EN_VTT, strlen(EN_VTT));
    f->srv.routes[f->srv.nroutes - 1].delay_ms = 400;
    const char *paths[] = {"/en.vtt"};
    rb_asset a;
    make_asset(f, paths, 1, 0, &a);
    rb_err err;
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 1);
    rb_track t;
    memset(&t, 0, sizeof t);
    rb_random_id(t.id, sizeof t.id, "", 32);
    snprintf(t.asset_id, sizeof t.asset_id, "%s", a.id);
    snprintf(t.env_id, sizeof t.env_id, "%s", a.env_id);
    snprintf(t.type, sizeof t.type, "text");
    snprintf(t.status, sizeof t.status, "preparing");
    snprintf(t.text_type, sizeof t.text_type, "subtitles");
    snprintf(t.language_code, sizeof t.language_code, "de");
    snprintf(t.name, sizeof t.name, "German");
    char url[256];
    snprintf(url, sizeof url, "%s/slow.vtt", f->srv.base);
    t.source_url = strdup(url);
    t.created_at = rb_now();
    assert_int_equal(rb_store_track_insert(f->st, &t, &err), RB_OK);

    int before = f->srv.requests;
    ingest_run r = {&f->lib, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, ingest_once_thread, &r), 0);
    /* Delete once the server has the request, i.e. mid-fetch. */
    for (int i = 0; i < 400 && f->srv.requests == before; i++)
        usleep(5000);
    assert_int_not_equal(f->srv.requests, before);
    assert_int_equal(rb_library_delete_track(&f->lib, f->env.id, a.id, t.id, &err), RB_OK);
    pthread_join(th, NULL);
    assert_int_equal(r.n, 1);

    rb_track got;
    assert_int_equal(rb_store_track_get(f->st, f->env.id, a.id, t.id, &got, &err), RB_OK);
    assert_string_equal(got.status, "deleted");
    assert_string_equal(got.blob_id, "");
    rb_track_clear(&got);
    reload(f, &a);
    assert_int_equal(a.n_tracks, 1); /* deleted tracks are not listed */
    assert_int_equal(rb_library_ingest_once(&f->lib, &err), 0);
    rb_track_clear(&t);
    rb_asset_clear(&a);
}

typedef struct ingester {
    rb_library *lib;
    int processed;
    int failed;
} ingester;

static void *ingest_until_idle(void *p)
{
    ingester *g = p;
    rb_err err;
    int n;
    while ((n = rb_library_ingest_once(g->lib, &err)) > 0)
        g->processed += n;
    if (n < 0)
        g->failed = 1;
    return NULL;
}

/* Two nodes (two store handles, two libraries) ingesting the same database
 * at once take each asset and each added track exactly once. */
static void test_two_ingesters_ingest_once_each(void **state)
{
    fx *f = *state;
    enum { N = 6 };
    const char *media[] = {"/tone.wav", "/en.vtt"};
    rb_asset as[N];
    for (int i = 0; i < N; i++)
        make_asset(f, media, 2, 1, &as[i]);
    /* Plus a ready asset with a track added to it. */
    const char *caps[] = {"/en.vtt"};
    rb_asset ready;
    make_asset(f, caps, 1, 0, &ready);
    rb_err err;
    rb_store *st2;
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/robots.db", f->dir);
    assert_int_equal(rb_store_open(url, 4, &st2, &err), RB_OK);
    rb_library lib2;
    assert_int_equal(rb_library_init(&lib2, st2, &f->cfg, &err), RB_OK);
    assert_string_not_equal(lib2.ingest_owner, f->lib.ingest_owner);
    /* The captions asset is made ready by hand (its text track stays
     * preparing: work of its own now) and gets an added audio track. */
    snprintf(ready.status, sizeof ready.status, "ready");
    {
        /* Status belongs to ingest (rb_store_asset_update leaves it alone),
         * so the test sets it behind the store's back. */
        char path[512], sql[256];
        snprintf(path, sizeof path, "%s/robots.db", f->dir);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        snprintf(sql, sizeof sql, "UPDATE assets SET status = 'ready' WHERE id = '%s'", ready.id);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }
    rb_track added;
    add_audio_track(f, &ready, &added);

    ingester g1 = {&f->lib, 0, 0}, g2 = {&lib2, 0, 0};
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, ingest_until_idle, &g1), 0);
    assert_int_equal(pthread_create(&t2, NULL, ingest_until_idle, &g2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_false(g1.failed);
    assert_false(g2.failed);
    /* N assets + the ready asset's text track + the added audio track:
     * processed once in total, whoever took them. */
    assert_int_equal(g1.processed + g2.processed, N + 2);
    print_message("ingester 1 took %d, ingester 2 took %d\n", g1.processed, g2.processed);

    for (int i = 0; i < N; i++) {
        reload(f, &as[i]);
        assert_string_equal(as[i].status, "ready");
        /* One text track and exactly one audio track from the media. */
        assert_int_equal(as[i].n_tracks, 2);
        int audio = 0;
        for (size_t k = 0; k < as[i].n_tracks; k++) {
            if (strcmp(as[i].tracks[k].type, "audio") == 0) {
                audio++;
                assert_int_equal(
                    json_integer_value(json_object_get(as[i].tracks[k].info, "max_channels")), 2);
            } else {
                assert_string_equal(as[i].tracks[k].status, "ready");
            }
        }
        assert_int_equal(audio, 1);
        rb_asset_clear(&as[i]);
    }
    reload(f, &ready);
    assert_int_equal(ready.n_tracks, 2);
    for (size_t k = 0; k < ready.n_tracks; k++)
        assert_string_equal(ready.tracks[k].status, "ready");
    rb_asset_clear(&ready);
    rb_track_clear(&added);
    rb_store_close(st2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_secret_is_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_captions_only_ingest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_text_tracks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_media_ingest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_video_ingest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_media_not_media, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_file_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_and_delete_text_track, setup, teardown),
        cmocka_unit_test_setup_teardown(test_added_track_ingested_after_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_ingesters_ingest_once_each, setup, teardown),
        cmocka_unit_test_setup_teardown(test_track_deleted_during_fetch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
