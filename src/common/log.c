#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum rb_log_level log_level = RB_LOG_INFO;

void rb_log_set_level(enum rb_log_level lvl)
{
    log_level = lvl;
}

void rb_log(enum rb_log_level lvl, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (lvl < log_level)
        return;
    char line[1024];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, "%s ", names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    /* One fputs per line keeps lines whole when threads log at once. */
    fprintf(stderr, "%s\n", line);
}
