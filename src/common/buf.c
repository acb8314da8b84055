#include "common/buf.h"
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rb_buf_init(rb_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void rb_buf_free(rb_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void rb_buf_reset(rb_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int buf_reserve(rb_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return RB_TOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return RB_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return RB_ERR;
    b->data = p;
    b->cap = cap;
    return RB_OK;
}

int rb_buf_append(rb_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return RB_OK;
}

int rb_buf_puts(rb_buf *b, const char *s)
{
    return rb_buf_append(b, s, strlen(s));
}

int rb_buf_putc(rb_buf *b, char c)
{
    return rb_buf_append(b, &c, 1);
}

int rb_buf_appendf(rb_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return RB_ERR;
    if ((size_t)n < sizeof small)
        return rb_buf_append(b, small, (size_t)n);
    int rc = buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return RB_OK;
}

char *rb_buf_steal(rb_buf *b)
{
    char *p = b->data;
    if (!p) {
        p = malloc(1);
        if (p)
            p[0] = '\0';
    }
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *rb_buf_cstr(const rb_buf *b)
{
    return b->data ? b->data : "";
}
