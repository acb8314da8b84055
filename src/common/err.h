/* err.h — status codes and the caller-owned error struct every fallible call fills.
 *
 * Idiom (as in curl):  rc = f(..., err); if(rc) return rc;
 * A function returning non-zero has filled *err (when err is non-NULL). The
 * status field carries the HTTP status the API layer should answer with, so an
 * error raised deep in the store or validator travels up unchanged. */
#ifndef RB_ERR_H
#define RB_ERR_H

#include <stdarg.h>

enum rb_rc {
    RB_OK = 0,
    RB_ERR = -1,       /* generic failure, details in rb_err */
    RB_NOTFOUND = -2,  /* no such row / object (maps to 404) */
    RB_CONFLICT = -3,  /* state conflict (maps to 409) */
    RB_BUSY = -4,      /* transient: database busy, retry later */
    RB_TOOBIG = -5     /* a bounded buffer or limit was exceeded */
};

typedef struct rb_err {
    int status;          /* HTTP status this maps to: 400, 404, 409, 422, 500, ... */
    char type[48];       /* machine-readable type: "invalid_parameters", "not_found", ... */
    char message[512];   /* human text naming the field and the rule */
} rb_err;

void rb_err_clear(rb_err *err);
/* Fills err (if non-NULL) and returns RB_ERR so callers can `return rb_err_set(...)`. */
int rb_err_set(rb_err *err, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int rb_err_setv(rb_err *err, int status, const char *type, const char *fmt, va_list ap);

#endif
