#include "common/crypto.h"
#include "common/err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

int rb_random_bytes(void *buf, size_t n)
{
    return RAND_bytes(buf, (int)n) == 1 ? RB_OK : RB_ERR;
}

int rb_random_id(char *out, size_t outlen, const char *prefix, size_t nchars)
{
    size_t plen = strlen(prefix);
    if (outlen < plen + nchars + 1)
        return RB_ERR;
    memcpy(out, prefix, plen);
    size_t i = 0;
    unsigned char pool[64];
    while (i < nchars) {
        if (rb_random_bytes(pool, sizeof pool))
            return RB_ERR;
        for (size_t k = 0; k < sizeof pool && i < nchars; k++) {
            /* 248 = 4 * 62: values above it would bias the low digits. */
            if (pool[k] < 248)
                out[plen + i++] = base62[pool[k] % 62];
        }
    }
    out[plen + nchars] = '\0';
    return RB_OK;
}

int rb_random_uuid(char out[37])
{
    unsigned char b[16];
    if (rb_random_bytes(b, sizeof b))
        return RB_ERR;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
    return RB_OK;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[in[i] >> 4];
        out[2 * i + 1] = hx[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* SHA256() and EVP_sha256() look the algorithm up in OpenSSL 3's provider
 * registry on every call (a global lock and a hash lookup, about as costly
 * as hashing a short secret), and every authenticated request hashes one.
 * The explicitly fetched implementation is looked up once and kept. */
static EVP_MD *sha256_md;
/* Each thread also keeps its digest context (freed when the thread ends),
 * instead of allocating and freeing one per hash. */
static pthread_key_t sha256_ctx_key;
static int sha256_key_ok;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha256_key_ok = pthread_key_create(&sha256_ctx_key, sha256_ctx_free) == 0;
}

static int sha256_fast(const void *data, size_t len, unsigned char *md)
{
    if (!sha256_md || !sha256_key_ok)
        return 0;
    EVP_MD_CTX *ctx = pthread_getspecific(sha256_ctx_key);
    if (!ctx) {
        ctx = EVP_MD_CTX_new();
        if (!ctx)
            return 0;
        if (pthread_setspecific(sha256_ctx_key, ctx) != 0) {
            EVP_MD_CTX_free(ctx);
            return 0;
        }
    }
    return EVP_DigestInit_ex2(ctx, sha256_md, NULL) && EVP_DigestUpdate(ctx, data, len) &&
           EVP_DigestFinal_ex(ctx, md, NULL);
}

void rb_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    pthread_once(&sha256_once, sha256_fetch);
    if (!sha256_fast(data, len, md))
        SHA256(data, len, md); /* no cached context: the slow path still hashes */
    to_hex(md, sizeof md, out);
}

void rb_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t msglen,
                        char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, md, &mdlen);
    to_hex(md, mdlen, out);
}

int rb_secure_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    if (alen != blen)
        return 0;
    return CRYPTO_memcmp(a, b, alen) == 0;
}

int rb_base64url(const void *in, size_t inlen, char *out, size_t outlen)
{
    size_t need = 4 * ((inlen + 2) / 3) + 1;
    if (outlen < need)
        return -1;
    int n = EVP_EncodeBlock((unsigned char *)out, in, (int)inlen);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (int i = 0; i < n; i++) {
        if (out[i] == '+')
            out[i] = '-';
        else if (out[i] == '/')
            out[i] = '_';
    }
    return n;
}

int rb_base64_decode(const char *in, size_t inlen, unsigned char *out, size_t outlen)
{
    if (inlen % 4 != 0 || outlen < 3 * (inlen / 4) + 1)
        return -1;
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)inlen);
    if (n < 0)
        return -1;
    /* EVP_DecodeBlock counts padding as zero bytes; drop them. */
    if (inlen >= 1 && in[inlen - 1] == '=')
        n--;
    if (inlen >= 2 && in[inlen - 2] == '=')
        n--;
    out[n] = '\0';
    return n;
}
