/* auth.h — API credentials and route scopes.
 *
 * Accepted forms of the Authorization header (scheme names case-insensitive):
 *   Basic base64(<token id>:<token secret>)   what Mux documents and the SDK sends
 *   Bearer <token id>:<token secret>          for the SDK's authToken option
 * The secret is checked as SHA-256(secret) against the stored hex digest with
 * a constant-time comparison; the secret itself is never stored or logged.
 *
 * Outcomes: no/malformed header, unknown token, wrong secret or revoked
 * token → 401 "unauthorized" (one message for all, so a caller cannot probe
 * which token ids exist); the token lacks the route's scope → 403
 * "forbidden" naming the scope; store failure → its 500/503. A token scope
 * grants a route when it equals the route's scope ("robots:*", "video:*") or
 * is "*". */
#ifndef RB_AUTH_H
#define RB_AUTH_H

#include <jansson.h>

#include "common/err.h"
#include "common/job.h"
#include "store/store.h"

#define RB_AUTH_MAX_HEADER 1024    /* longer Authorization headers are malformed */

typedef struct rb_auth {
    char token_id[RB_ID_MAX];
    rb_env env;
} rb_auth;

/* Checks `authorization` (the header value, or NULL when absent) for a route
 * that needs `scope`. RB_OK fills *out; otherwise err carries the status
 * (401/403/500/503), type and message to answer with. */
int rb_auth_check(rb_store *st, const char *authorization, const char *scope, rb_auth *out,
                  rb_err *err);

/* The pure parsing step of rb_auth_check, with no store access: splits an
 * Authorization header value (Basic or Bearer, as above) into the token id
 * and the secret. RB_OK when well-formed: id (< RB_ID_MAX bytes and < idsz)
 * and secret (< secretsz) are NUL-terminated copies, both non-empty.
 * RB_ERR otherwise (NULL/empty/over RB_AUTH_MAX_HEADER, unknown scheme, bad
 * base64, NUL inside the credentials, no ':', empty or oversized part); then
 * id and secret are empty strings (when non-NULL with non-zero sizes). A secret
 * buffer of RB_AUTH_MAX_HEADER + 1 bytes always fits. The fuzz target
 * fuzz/fuzz_auth.c drives it. */
int rb_auth_parse_header(const char *value, char *id, size_t idsz, char *secret,
                         size_t secretsz);

/* 1 when the token's scopes (a JSON array of strings) grant `scope`. */
int rb_auth_scope_allows(const json_t *scopes, const char *scope);

/* ---- credential cache --------------------------------------------------
 *
 * rb_auth_check keeps what it read about a token that passed the secret check
 * (the stored SHA-256 of its secret, its environment and scopes) in a small
 * process-wide cache, for RB_AUTH_CACHE_TTL_MS, so a busy client costs one
 * SHA-256 and a constant-time compare per request instead of two database
 * reads. What the cache does not change:
 *   - the presented secret is always hashed and compared with the stored
 *     digest; only tokens the database confirmed are cached, and a wrong
 *     secret is never remembered as valid;
 *   - a token revoked by another process (`robots token revoke`) or an
 *     environment removed is refused at most RB_AUTH_CACHE_TTL_MS after the
 *     change commits (the bound docs/http.md states);
 *   - the cache holds RB_AUTH_CACHE_SLOTS entries at most (a new token evicts
 *     the one in its slot), keyed by store and token id. */
#define RB_AUTH_CACHE_TTL_MS 1000
#define RB_AUTH_CACHE_SLOTS 256

/* Sets how long an entry stays valid; 0 turns the cache off. For tests. */
void rb_auth_cache_set_ttl_ms(int ms);
/* Forgets every entry (e.g. after this process revokes a token). */
void rb_auth_cache_flush(void);
/* Entries currently held (expired ones included until replaced). */
size_t rb_auth_cache_size(void);

#endif
