#include "media/probe.h"

#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t av_once = PTHREAD_ONCE_INIT;

static void av_quiet(void)
{
    /* libav* logs every oddity of a file to stderr; the caller reports the
     * outcome itself, so only real errors are let through. */
    av_log_set_level(AV_LOG_ERROR);
}

static double ts_seconds(int64_t ts, AVRational tb)
{
    if (ts == AV_NOPTS_VALUE || ts <= 0)
        return 0;
    return (double)ts * av_q2d(tb);
}

int rb_probe_file(const char *path, rb_probe *out, rb_err *err)
{
    pthread_once(&av_once, av_quiet);
    memset(out, 0, sizeof *out);
    AVFormatContext *fc = NULL;
    int ar = avformat_open_input(&fc, path, NULL, NULL);
    if (ar < 0) {
        char why[128];
        av_strerror(ar, why, sizeof why);
        return rb_err_set(err, 422, "invalid_input",
                          "the input file is not a media file libav can read (%s)", why);
    }
    ar = avformat_find_stream_info(fc, NULL);
    if (ar < 0) {
        char why[128];
        av_strerror(ar, why, sizeof why);
        avformat_close_input(&fc);
        return rb_err_set(err, 422, "invalid_input", "the input file's streams cannot be read (%s)",
                          why);
    }
    snprintf(out->format, sizeof out->format, "%s", fc->iformat ? fc->iformat->name : "");
    double container = fc->duration != AV_NOPTS_VALUE && fc->duration > 0
                           ? (double)fc->duration / AV_TIME_BASE
                           : 0;
    double longest = 0;
    for (unsigned i = 0; i < fc->nb_streams && out->nstreams < RB_PROBE_MAX_STREAMS; i++) {
        const AVStream *st = fc->streams[i];
        const AVCodecParameters *par = st->codecpar;
        /* Cover art is stored as a one-frame video stream; it is not video. */
        if (st->disposition & AV_DISPOSITION_ATTACHED_PIC)
            continue;
        rb_probe_stream *s = &out->streams[out->nstreams];
        if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
            snprintf(s->type, sizeof s->type, "video");
            s->width = par->width;
            s->height = par->height;
            AVRational fr = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
            s->frame_rate = fr.num && fr.den ? av_q2d(fr) : -1;
        } else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
            snprintf(s->type, sizeof s->type, "audio");
            s->channels = par->ch_layout.nb_channels;
        } else {
            continue;
        }
        s->duration = ts_seconds(st->duration, st->time_base);
        if (s->duration <= 0)
            s->duration = container;
        if (s->duration > longest)
            longest = s->duration;
        out->nstreams++;
    }
    avformat_close_input(&fc);
    out->duration = container > 0 ? container : longest;
    if (out->nstreams == 0)
        return rb_err_set(err, 422, "invalid_input", "the input file has no audio or video stream");
    if (out->duration <= 0)
        return rb_err_set(err, 422, "invalid_input",
                          "the input file's duration cannot be determined");
    return RB_OK;
}
