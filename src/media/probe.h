/* probe.h — what a media file holds, read with libavformat (no decoding).
 *
 * Ingest uses it to give an asset its duration and its video/audio track
 * entries (Mux's Track: duration, max_width, max_height, max_frame_rate,
 * max_channels). Only the container and stream headers are read, so probing
 * a large file is cheap; a file libavformat cannot open, or one without any
 * audio or video stream, is an error the asset reports as invalid input. */
#ifndef RB_PROBE_H
#define RB_PROBE_H

#include "common/err.h"

#define RB_PROBE_MAX_STREAMS 8

typedef struct rb_probe_stream {
    char type[8];      /* "video" | "audio" */
    double duration;   /* seconds; the container's when the stream has none */
    int width, height; /* video */
    double frame_rate; /* video; -1 when it cannot be determined (as Mux reports) */
    int channels;      /* audio */
} rb_probe_stream;

typedef struct rb_probe {
    double duration; /* seconds (container duration, else the longest stream) */
    char format[32]; /* container short name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" truncated */
    rb_probe_stream streams[RB_PROBE_MAX_STREAMS]; /* video and audio streams, file order */
    int nstreams;
} rb_probe;

/* Probes the file at path. RB_OK with *out filled, or RB_ERR with err = 422
 * "invalid_input" and a message saying what is wrong with the file. */
int rb_probe_file(const char *path, rb_probe *out, rb_err *err);

#endif
