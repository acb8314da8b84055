/* library.h — the embedded media library: what workflows and the Video API
 * handlers do to assets and tracks, on top of the store.
 *
 * This is the one place that knows how a Mux-shaped asset is built from a
 * create request, rendered as JSON, ingested (inputs fetched asynchronously
 * with libcurl under the outbound URL policy), and how the public, stable URLs
 * of track files and the signed, expiring URLs of job result files look. A
 * real-Mux upstream will later sit behind the same calls. */
#ifndef RB_LIBRARY_H
#define RB_LIBRARY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/err.h"
#include "store/store.h"

typedef struct rb_library {
    rb_store *store;
    const rb_config *cfg;          /* public_url, allow_private_urls, fetch limits */
    char url_secret[65];           /* HMAC key for signed file URLs (from the store) */
    char ingest_owner[RB_ID_MAX];  /* this ingester's name in ingest claims: host, pid
                                      and a random part, unique per rb_library_init */
} rb_library;

int rb_library_init(rb_library *lib, rb_store *store, const rb_config *cfg, rb_err *err);

/* ---- JSON shapes (spec §8) ---------------------------------------------- */
json_t *rb_library_asset_json(const rb_library *lib, const rb_asset *a);
/* Includes what ingest learned about a video or audio track (t->info:
 * max_width, max_height, max_frame_rate, max_channels). */
json_t *rb_library_track_json(const rb_track *t);
/* SlimlineAsset (spec §2.4) for job resources. */
json_t *rb_library_slim_asset_json(const rb_library *lib, const rb_asset *a);

/* ---- reads for workflows ---------------------------------------------- */
/* Loads a ready text track and its content. 422-type errors (status 422,
 * "invalid_parameters") when the track is missing, not text or not ready. */
int rb_library_text_track(rb_library *lib, const char *env_id, const char *asset_id,
                          const char *track_id, rb_track *track, char **content, size_t *len,
                          rb_err *err);

/* ---- writes for workflows --------------------------------------------- */
/* Adds a ready text track with the given content (no fetch). */
int rb_library_add_text_track(rb_library *lib, const char *env_id, const char *asset_id,
                              const char *name, const char *language_code,
                              const char *text_type, int closed_captions, const char *content,
                              size_t len, char track_id[RB_ID_MAX], rb_err *err);
int rb_library_delete_track(rb_library *lib, const char *env_id, const char *asset_id,
                            const char *track_id, rb_err *err);

/* ---- assets for workflows ---------------------------------------------- */
#define RB_LIBRARY_META_TITLE_MAX 512 /* code points of meta.title (spec 8.6) */

/* Loads the asset; a missing one is a 422 "invalid_parameters" error. */
int rb_library_asset(rb_library *lib, const char *env_id, const char *asset_id, rb_asset *out,
                     rb_err *err);
/* An environment's own setting `name` (`robots env set`): RB_OK with out
 * filled, RB_NOTFOUND when the environment never set it. */
int rb_library_env_setting(rb_library *lib, const char *env_id, const char *name, char *out,
                           size_t outlen, rb_err *err);
/* Sets meta.title (cut to RB_LIBRARY_META_TITLE_MAX code points), keeping the
 * other meta keys (summarize update_asset_meta). */
int rb_library_set_meta_title(rb_library *lib, const char *env_id, const char *asset_id,
                              const char *title, rb_err *err);
/* Deletes every chapters track of the asset, then adds a ready one holding
 * `chapters` (the JSON chapters file of spec 8.3). track_id gets the new
 * track ("" when it was not created); replaced_id the first deleted one ("" when
 * there was none) — also on failure, so asset_update can report it. */
int rb_library_replace_chapters(rb_library *lib, const char *env_id, const char *asset_id,
                                const char *language_code, const json_t *chapters,
                                char track_id[RB_ID_MAX], char replaced_id[RB_ID_MAX],
                                rb_err *err);

/* ---- URLs ------------------------------------------------------------- */
/* Stores a job's result file and returns an absolute URL, HMAC-signed over
 * (blob id, expiry), valid until expires_at (Unix s). */
int rb_library_job_file(rb_library *lib, const char *env_id, const char *job_id,
                        const char *content_type, const void *data, size_t len,
                        int64_t expires_at, char *url, size_t urlsz, rb_err *err);
/* Checks a signed file URL's expiry and signature; RB_OK when valid. */
int rb_library_verify_file_sig(const rb_library *lib, const char *blob_id, const char *expires,
                               const char *sig);
/* The stable public VTT URL of a text track: <public_url>/stream/<playback_id>/text/<track>.vtt */
void rb_library_track_url(const rb_library *lib, const rb_asset *a, const rb_track *t, char *url,
                          size_t urlsz);

/* ---- ingest ------------------------------------------------------------ */
/* Processes preparing assets and tracks: claims them in the store
 * (rb_store_ingest_claim, so every node sharing the store may run this and
 * each piece is ingested once), fetches their inputs, parses text tracks,
 * sets durations, marks them ready or errored. Preparing tracks are found in
 * the database, so a track added to a ready asset is ingested after a restart
 * or by another node too. Returns how many assets and tracks it processed,
 * or a negative status. Called by the ingest thread. */
int rb_library_ingest_once(rb_library *lib, rb_err *err);

/* Removes <data_dir>/media/<asset_id>/ (the fetched source files) after the
 * asset was deleted. Missing files are not an error. */
void rb_library_remove_media(const rb_library *lib, const char *asset_id);

#endif
