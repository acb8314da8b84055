#include "common/err.h"

#include <stdio.h>
#include <string.h>

void rb_err_clear(rb_err *err)
{
    if (!err)
        return;
    err->status = 0;
    err->type[0] = '\0';
    err->message[0] = '\0';
}

int rb_err_setv(rb_err *err, int status, const char *type, const char *fmt, va_list ap)
{
    if (!err)
        return RB_ERR;
    err->status = status;
    snprintf(err->type, sizeof err->type, "%s", type ? type : "internal_error");
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return RB_ERR;
}

int rb_err_set(rb_err *err, int status, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rb_err_setv(err, status, type, fmt, ap);
    va_end(ap);
    return RB_ERR;
}
