/* langcache.c — see langcache.h. */
#include "ai/langcache.h"

#include <stdint.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"

int rb_langcache_primary(const char *lang, char out[4])
{
    size_t n = 0;
    if (!lang)
        return -1;
    for (; lang[n] && lang[n] != '-' && lang[n] != '_'; n++) {
        int c = (unsigned char)lang[n];
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (n >= 3 || c < 'a' || c > 'z')
            return -1;
        out[n] = (char)c;
    }
    if (n < 2)
        return -1;
    out[n] = '\0';
    return 0;
}

void *rb_langcache_get(rb_langcache *c, const char *lang)
{
    char ll[4];
    if (rb_langcache_primary(lang, ll) != 0)
        return NULL;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->slot[i].lang, ll) == 0) {
            void *obj = c->slot[i].obj;
            pthread_mutex_unlock(&c->lock);
            return obj;
        }
    /* First request for ll: open it once, remembering a failure too. */
    void *obj = NULL;
    rb_err err = {0};
    int64_t t0 = rb_mono_ns();
    if (c->open(ll, &obj, &err) == RB_OK && obj) {
        char what[128] = "";
        if (c->describe)
            c->describe(obj, what, sizeof what);
        rb_info("%s %s: %s in %.1f ms", c->what, ll, what, (double)(rb_mono_ns() - t0) / 1e6);
    } else {
        obj = NULL;
        rb_info("%s %s: none, %s (%s)", c->what, ll, c->absent, err.message);
    }
    if (c->n < RB_LANGCACHE_SLOTS) {
        memcpy(c->slot[c->n].lang, ll, sizeof ll);
        c->slot[c->n].obj = obj;
        c->n++;
    } else if (obj) {
        /* More languages than slots: refuse rather than keep an unowned
         * instance. */
        c->close(obj);
        obj = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    return obj;
}

void rb_langcache_shutdown(rb_langcache *c)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++) {
        if (c->slot[i].obj)
            c->close(c->slot[i].obj);
        c->slot[i].obj = NULL;
    }
    c->n = 0;
    pthread_mutex_unlock(&c->lock);
}
