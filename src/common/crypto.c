#include "common/crypto.h"
#include "common/err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
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

void rb_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);
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
