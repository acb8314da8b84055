#include "http/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/crypto.h"

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

/* Splits "id:secret" (the secret may itself contain ':') into id_out and
 * returns a pointer to the secret inside creds, or NULL when malformed. */
static const char *split_credentials(const char *creds, size_t len, char id_out[RB_ID_MAX],
                                     size_t *secret_len)
{
    const char *colon = memchr(creds, ':', len);
    if (!colon)
        return NULL;
    size_t idlen = (size_t)(colon - creds);
    if (idlen == 0 || idlen >= RB_ID_MAX)
        return NULL;
    memcpy(id_out, creds, idlen);
    id_out[idlen] = '\0';
    *secret_len = len - idlen - 1;
    if (*secret_len == 0)
        return NULL;
    return colon + 1;
}

static int auth_check(rb_store *st, const char *authorization, const char *scope, rb_auth *out,
                      rb_err *err)
{
    static const char *bad = "missing or invalid API credentials";
    memset(out, 0, sizeof *out);
    if (!authorization || !*authorization)
        return unauthorized(err, "missing API credentials: use HTTP Basic auth with "
                                 "<token id>:<token secret>");
    size_t hlen = strlen(authorization);
    if (hlen > RB_AUTH_MAX_HEADER)
        return unauthorized(err, bad);

    /* Decoded credentials never exceed the header's own length. */
    unsigned char decoded[RB_AUTH_MAX_HEADER + 4];
    const char *creds;
    size_t clen;
    if (hlen > 6 && strncasecmp(authorization, "Basic ", 6) == 0) {
        const char *b64 = authorization + 6;
        while (*b64 == ' ')
            b64++;
        size_t blen = strlen(b64);
        while (blen > 0 && b64[blen - 1] == ' ')
            blen--;
        int n = rb_base64_decode(b64, blen, decoded, sizeof decoded);
        if (n <= 0)
            return unauthorized(err, bad);
        if (memchr(decoded, '\0', (size_t)n))
            return unauthorized(err, bad);
        creds = (const char *)decoded;
        clen = (size_t)n;
    } else if (hlen > 7 && strncasecmp(authorization, "Bearer ", 7) == 0) {
        creds = authorization + 7;
        while (*creds == ' ')
            creds++;
        clen = strlen(creds);
    } else {
        return unauthorized(err, bad);
    }

    size_t slen = 0;
    const char *secret = split_credentials(creds, clen, out->token_id, &slen);
    if (!secret)
        return unauthorized(err, bad);
    char digest[65];
    rb_sha256_hex(secret, slen, digest);

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
    char env_id[RB_ID_MAX];
    snprintf(env_id, sizeof env_id, "%s", tok.env_id);
    rb_token_clear(&tok);

    rc = rb_store_env_get(st, env_id, &out->env, &serr);
    if (rc == RB_NOTFOUND)
        return unauthorized(err, bad);
    if (rc != RB_OK) {
        if (err)
            *err = serr;
        if (err && err->status < 500)
            err->status = rc == RB_BUSY ? 503 : 500;
        return RB_ERR;
    }
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
