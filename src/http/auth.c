#include "http/auth.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/clock.h"
#include "common/crypto.h"

/* A token with more scopes, or a longer one, is not cached (checked against
 * the database every time), which keeps an entry a fixed size. */
#define CACHE_SCOPES 8
#define CACHE_SCOPE_MAX 64

static int unauthorized(rb_err *err, const char *why)
{
    return rb_err_set(err, 401, "unauthorized", "%s", why);
}

int rb_auth_scope_allows(const json_t *scopes, const char *scope)
{
    size_t i;
    const json_t *v;
    json_array_foreach(scopes, i, v)
    {
        const char *s = json_string_value(v);
        if (s && (strcmp(s, "*") == 0 || strcmp(s, scope) == 0))
            return 1;
    }
    return 0;
}

/* ---- credential cache (see auth.h) -------------------------------------- */

typedef struct cache_entry {
    uint64_t store;                /* rb_store_serial; 0 = empty slot */
    char token_id[RB_ID_MAX];
    char secret_sha256[65];        /* as stored: the digest of the right secret */
    rb_env env;
    char scopes[CACHE_SCOPES][CACHE_SCOPE_MAX];
    int nscopes;
    int64_t expires_ns;            /* rb_mono_ns() deadline */
} cache_entry;

/* What a hit hands back: copied out under the lock, used after it. */
typedef struct cache_hit {
    char secret_sha256[65];
    rb_env env;
    int allowed;                   /* the cached scopes grant the route's scope */
} cache_hit;

/* Every authenticated request reads the cache and almost none writes it, so
 * readers share the lock and never wait for each other. */
static pthread_rwlock_t cache_mu = PTHREAD_RWLOCK_INITIALIZER;
static cache_entry cache[RB_AUTH_CACHE_SLOTS];
static int64_t cache_ttl_ns = (int64_t)RB_AUTH_CACHE_TTL_MS * 1000000;

void rb_auth_cache_set_ttl_ms(int ms)
{
    pthread_rwlock_wrlock(&cache_mu);
    cache_ttl_ns = ms > 0 ? (int64_t)ms * 1000000 : 0;
    pthread_rwlock_unlock(&cache_mu);
}

void rb_auth_cache_flush(void)
{
    pthread_rwlock_wrlock(&cache_mu);
    memset(cache, 0, sizeof cache);
    pthread_rwlock_unlock(&cache_mu);
}

size_t rb_auth_cache_size(void)
{
    size_t n = 0;
    pthread_rwlock_rdlock(&cache_mu);
    for (size_t i = 0; i < RB_AUTH_CACHE_SLOTS; i++)
        n += cache[i].store != 0;
    pthread_rwlock_unlock(&cache_mu);
    return n;
}

/* Direct-mapped: FNV-1a of the token id and the store serial picks the one
 * slot an entry may live in, so the cache never grows past its array. */
static size_t cache_slot(uint64_t store, const char *token_id)
{
    uint64_t h = 1469598103934665603ull ^ store;
    for (const unsigned char *p = (const unsigned char *)token_id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return (size_t)(h % RB_AUTH_CACHE_SLOTS);
}

static int cache_get(uint64_t store, const char *token_id, const char *scope, cache_hit *out)
{
    int hit = 0;
    int64_t now = rb_mono_ns();
    pthread_rwlock_rdlock(&cache_mu);
    const cache_entry *e = &cache[cache_slot(store, token_id)];
    if (cache_ttl_ns > 0 && e->store == store && now < e->expires_ns &&
        strcmp(e->token_id, token_id) == 0) {
        memcpy(out->secret_sha256, e->secret_sha256, sizeof out->secret_sha256);
        out->env = e->env;
        out->allowed = 0;
        for (int i = 0; i < e->nscopes && !out->allowed; i++)
            out->allowed = strcmp(e->scopes[i], "*") == 0 || strcmp(e->scopes[i], scope) == 0;
        hit = 1;
    }
    pthread_rwlock_unlock(&cache_mu);
    return hit;
}

/* Remembers a token the database has just confirmed: tok passed the secret
 * check and is not revoked, env is its environment. */
static void cache_put(uint64_t store, const rb_token *tok, const rb_env *env)
{
    cache_entry e;
    memset(&e, 0, sizeof e);
    size_t i;
    const json_t *v;
    json_array_foreach(tok->scopes, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || i >= CACHE_SCOPES || strlen(s) >= CACHE_SCOPE_MAX)
            return;
        memcpy(e.scopes[i], s, strlen(s) + 1);
        e.nscopes++;
    }
    if (strlen(tok->id) >= sizeof e.token_id || strlen(tok->secret_sha256) != 64)
        return;
    e.store = store;
    memcpy(e.token_id, tok->id, strlen(tok->id) + 1);
    memcpy(e.secret_sha256, tok->secret_sha256, sizeof e.secret_sha256);
    e.env = *env;
    pthread_rwlock_wrlock(&cache_mu);
    if (cache_ttl_ns > 0) {
        /* The deadline counts from now, after the database read: a revoke
         * that committed before the read is already in tok. */
        e.expires_ns = rb_mono_ns() + cache_ttl_ns;
        cache[cache_slot(store, e.token_id)] = e;
    }
    pthread_rwlock_unlock(&cache_mu);
}

int rb_auth_parse_header(const char *value, char *id, size_t idsz, char *secret,
                         size_t secretsz)
{
    if (id && idsz)
        id[0] = '\0';
    if (secret && secretsz)
        secret[0] = '\0';
    if (!value || !id || !secret || idsz == 0 || secretsz == 0)
        return RB_ERR;
    size_t hlen = strnlen(value, RB_AUTH_MAX_HEADER + 1);
    if (hlen == 0 || hlen > RB_AUTH_MAX_HEADER)
        return RB_ERR;

    /* Decoded credentials never exceed the header's own length. */
    unsigned char decoded[RB_AUTH_MAX_HEADER + 4];
    const char *creds;
    size_t clen;
    if (hlen > 6 && strncasecmp(value, "Basic ", 6) == 0) {
        const char *b64 = value + 6;
        while (*b64 == ' ')
            b64++;
        size_t blen = strlen(b64);
        while (blen > 0 && b64[blen - 1] == ' ')
            blen--;
        int n = rb_base64_decode(b64, blen, decoded, sizeof decoded);
        if (n <= 0 || memchr(decoded, '\0', (size_t)n))
            return RB_ERR;
        creds = (const char *)decoded;
        clen = (size_t)n;
    } else if (hlen > 7 && strncasecmp(value, "Bearer ", 7) == 0) {
        creds = value + 7;
        while (*creds == ' ')
            creds++;
        clen = strlen(creds);
    } else {
        return RB_ERR;
    }

    /* "id:secret"; the secret may itself contain ':'. */
    int rc = RB_ERR;
    const char *colon = memchr(creds, ':', clen);
    if (colon) {
        size_t idlen = (size_t)(colon - creds);
        size_t slen = clen - idlen - 1;
        if (idlen > 0 && idlen < RB_ID_MAX && idlen < idsz && slen > 0 && slen < secretsz) {
            memcpy(id, creds, idlen);
            id[idlen] = '\0';
            memcpy(secret, colon + 1, slen);
            secret[slen] = '\0';
            rc = RB_OK;
        }
    }
    /* The decoded copy held the secret; leave nothing of it on the stack. */
    explicit_bzero(decoded, sizeof decoded);
    return rc;
}

static int auth_check(rb_store *st, const char *authorization, const char *scope, rb_auth *out,
                      rb_err *err)
{
    static const char *bad = "missing or invalid API credentials";
    memset(out, 0, sizeof *out);
    if (!authorization || !*authorization)
        return unauthorized(err, "missing API credentials: use HTTP Basic auth with "
                                 "<token id>:<token secret>");
    char secret[RB_AUTH_MAX_HEADER + 1];
    if (rb_auth_parse_header(authorization, out->token_id, sizeof out->token_id, secret,
                             sizeof secret) != RB_OK)
        return unauthorized(err, bad);
    char digest[65];
    rb_sha256_hex(secret, strlen(secret), digest);
    explicit_bzero(secret, sizeof secret);

    uint64_t serial = rb_store_serial(st);
    cache_hit hit;
    if (cache_get(serial, out->token_id, scope, &hit)) {
        /* Same order of checks as below: the secret before the scope. */
        if (!rb_secure_equal(digest, 64, hit.secret_sha256, strlen(hit.secret_sha256)))
            return unauthorized(err, bad);
        if (!hit.allowed)
            return rb_err_set(err, 403, "forbidden",
                              "this access token does not have the %s permission", scope);
        out->env = hit.env;
        return RB_OK;
    }

    rb_token tok;
    memset(&tok, 0, sizeof tok);
    rb_err serr;
    rb_err_clear(&serr);
    int rc = rb_store_token_get(st, out->token_id, &tok, &serr);
    if (rc == RB_NOTFOUND)
        return unauthorized(err, bad);
    if (rc != RB_OK) {
        if (err)
            *err = serr;
        if (err && err->status < 500)
            err->status = rc == RB_BUSY ? 503 : 500;
        return RB_ERR;
    }
    /* Compare the full digests in constant time before looking at anything
     * else, so the timing does not say whether the token is revoked. */
    int ok = rb_secure_equal(digest, 64, tok.secret_sha256, strlen(tok.secret_sha256));
    if (!ok || tok.revoked_at != 0) {
        rb_token_clear(&tok);
        return unauthorized(err, bad);
    }
    if (!rb_auth_scope_allows(tok.scopes, scope)) {
        rb_token_clear(&tok);
        return rb_err_set(err, 403, "forbidden",
                          "this access token does not have the %s permission", scope);
    }
    rc = rb_store_env_get(st, tok.env_id, &out->env, &serr);
    if (rc == RB_NOTFOUND) {
        rb_token_clear(&tok);
        return unauthorized(err, bad);
    }
    if (rc != RB_OK) {
        rb_token_clear(&tok);
        if (err)
            *err = serr;
        if (err && err->status < 500)
            err->status = rc == RB_BUSY ? 503 : 500;
        return RB_ERR;
    }
    cache_put(serial, &tok, &out->env);
    rb_token_clear(&tok);
    return RB_OK;
}

int rb_auth_check(rb_store *st, const char *authorization, const char *scope, rb_auth *out,
                  rb_err *err)
{
    int rc = auth_check(st, authorization, scope, out, err);
    /* A failed check leaves nothing behind that could be mistaken for an
     * authenticated identity. */
    if (rc != RB_OK)
        memset(out, 0, sizeof *out);
    return rc;
}
