#include "common/clock.h"

#include <stdio.h>
#include <time.h>

int64_t rb_now(void)
{
    return (int64_t)time(NULL);
}

int64_t rb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rb_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void rb_iso8601_us(int64_t unix_us, char out[32])
{
    time_t s = (time_t)(unix_us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%06lldZ", base, (long long)(unix_us % 1000000));
}
