/* clock.h — wall-clock time in the units the API uses. */
#ifndef RB_CLOCK_H
#define RB_CLOCK_H

#include <stdint.h>

int64_t rb_now(void);      /* Unix seconds */
int64_t rb_now_ms(void);   /* Unix milliseconds */
int64_t rb_mono_ns(void);  /* monotonic nanoseconds, for timers and benchmarks */
/* ISO-8601 UTC with microseconds ("2022-06-27T20:36:34.000000Z"), as Mux webhooks use. */
void rb_iso8601_us(int64_t unix_us, char out[32]);

#endif
