/* crypto.h — the few OpenSSL libcrypto operations the server needs, behind
 * names that say what they are for. Nothing here is hand-rolled crypto. */
#ifndef RB_CRYPTO_H
#define RB_CRYPTO_H

#include <stddef.h>

/* Fills buf with n bytes from the CSPRNG. Returns RB_OK or RB_ERR. */
int rb_random_bytes(void *buf, size_t n);
/* Writes a random identifier: prefix followed by nchars base62 characters and a
 * NUL. out must hold strlen(prefix) + nchars + 1 bytes. Unbiased (rejection
 * sampling). */
int rb_random_id(char *out, size_t outlen, const char *prefix, size_t nchars);
/* RFC 4122 version-4 UUID, 36 chars + NUL. */
int rb_random_uuid(char out[37]);
/* Lowercase hex of SHA-256(data): 64 chars + NUL. */
void rb_sha256_hex(const void *data, size_t len, char out[65]);
/* Lowercase hex of HMAC-SHA256(key, msg): 64 chars + NUL. */
void rb_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t msglen,
                        char out[65]);
/* Constant-time equality of two equal-length byte strings; 0 when lengths differ. */
int rb_secure_equal(const void *a, size_t alen, const void *b, size_t blen);
/* URL-safe base64 without padding; returns bytes written (excluding NUL) or -1
 * when out is too small. */
int rb_base64url(const void *in, size_t inlen, char *out, size_t outlen);
/* Standard base64 decode (for HTTP Basic). Returns decoded length or -1. */
int rb_base64_decode(const char *in, size_t inlen, unsigned char *out, size_t outlen);

#endif
