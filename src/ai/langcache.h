/* langcache.h — process-wide, per-language instances of a read-only resource
 * (the thesaurus, the background corpus), opened on first use.
 *
 * Both resources are expensive to open (an index build, a corpus tokenised)
 * and immutable afterwards, and every job of the process asks for the same
 * few languages. A cache opens each language once under its mutex, remembers
 * a failure too (an absent resource costs one probe per process, and a job
 * never waits for a retry that cannot succeed), logs the cost once, and
 * hands out the same pointer to any number of threads. */
#ifndef RB_LANGCACHE_H
#define RB_LANGCACHE_H

#include <pthread.h>
#include <stddef.h>

#include "common/err.h"

/* More languages than this are refused (the engine has resources for four). */
#define RB_LANGCACHE_SLOTS 16

typedef struct rb_langcache {
    const char *what;   /* log prefix: "thesaurus", "background" */
    const char *absent; /* what a missing resource means, for the log */
    /* Opens the resource of primary language lang ("en"); RB_OK with *out set. */
    int (*open)(const char *lang, void **out, rb_err *err);
    void (*close)(void *obj);
    /* A short description of an opened resource for the log ("145866 headwords"). */
    void (*describe)(const void *obj, char *buf, size_t n);
    pthread_mutex_t lock;
    size_t n;
    struct {
        char lang[4];
        void *obj; /* NULL when this language has none */
    } slot[RB_LANGCACHE_SLOTS];
} rb_langcache;

#define RB_LANGCACHE_INIT(what, absent, open, close, describe) \
    {(what), (absent), (open), (close), (describe), PTHREAD_MUTEX_INITIALIZER, 0, {{"", NULL}}}

/* The primary subtag of lang, lower-cased ("en-GB" -> "en"): two or three
 * ASCII letters, because it becomes part of a file name. 0, or -1 when lang
 * is NULL or has no such subtag. */
int rb_langcache_primary(const char *lang, char out[4]);

/* The instance for lang's primary subtag, opened on the first call; NULL
 * when lang is malformed or the resource could not be opened. */
void *rb_langcache_get(rb_langcache *c, const char *lang);

/* Closes every instance; the next get opens again (and reads the
 * environment again). For tests and leak checks. */
void rb_langcache_shutdown(rb_langcache *c);

#endif
