/* library_ext.h — additions to library.h made by the media library's owner.
 *
 * library.h is a shared contract that only the lead changes, so calls the
 * Video API handlers need beyond it live here until they are merged into it.
 * Same prefix, same conventions. */
#ifndef RB_LIBRARY_EXT_H
#define RB_LIBRARY_EXT_H

#include "media/library.h"

/* rb_library_track_json() plus what ingest learned about a video or audio
 * track (max_width, max_height, max_frame_rate, max_channels), which is kept
 * in a JSON blob because rb_track has no columns for it. New reference. */
json_t *rb_library_track_json_full(const rb_library *lib, const rb_track *t);

/* Tells this process's ingester that a preparing track was added to an asset
 * that is already ready. The store has no "preparing tracks" listing
 * (rb_store_asset_list_preparing only finds preparing assets), so such
 * tracks are remembered in memory; see docs/media-library.md. */
void rb_library_note_track(const char *env_id, const char *asset_id, const char *track_id);

/* Removes <data_dir>/media/<asset_id>/ (the fetched source files) after the
 * asset was deleted. Missing files are not an error. */
void rb_library_remove_media(const rb_library *lib, const char *asset_id);

#endif
