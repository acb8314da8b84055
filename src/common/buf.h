/* buf.h — a growable byte buffer with a mandatory maximum (like curl's dynbuf).
 *
 * Untrusted input never grows a buffer without bound: every append past `max`
 * fails with RB_TOOBIG and leaves the buffer unchanged. The contents are always
 * NUL-terminated (the NUL is not counted in len), so data can be used as a C
 * string when it holds text. */
#ifndef RB_BUF_H
#define RB_BUF_H

#include <stddef.h>

typedef struct rb_buf {
    char *data;   /* NULL until the first append */
    size_t len;   /* bytes used, excluding the trailing NUL */
    size_t cap;   /* bytes allocated */
    size_t max;   /* hard limit on len */
} rb_buf;

void rb_buf_init(rb_buf *b, size_t max);
void rb_buf_free(rb_buf *b);
void rb_buf_reset(rb_buf *b);                 /* len = 0, keeps memory */
int rb_buf_append(rb_buf *b, const void *p, size_t n);
int rb_buf_puts(rb_buf *b, const char *s);
int rb_buf_putc(rb_buf *b, char c);
int rb_buf_appendf(rb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the data (never NULL: "" for an empty buffer) and resets b; the
 * caller frees the result. */
char *rb_buf_steal(rb_buf *b);
const char *rb_buf_cstr(const rb_buf *b);     /* "" when empty */

#endif
