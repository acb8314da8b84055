/* fuzz_auth.c — libFuzzer target for the Authorization header parser
 * (rb_auth_parse_header, the store-free first step of rb_auth_check).
 *
 * The input, cut at its first NUL as an HTTP header value would be, is parsed
 * into full-size buffers and again into small ones guarded by canaries.
 * Checked on every input:
 *   1. nothing is written past the sizes given (canaries intact);
 *   2. on success id and secret are non-empty and NUL-terminated within their
 *      sizes, and the id holds no ':' (it ends at the first one);
 *   3. on failure both are empty strings;
 *   4. the small parse succeeds exactly when the full one does and the parts
 *      fit, with the same result;
 *   5. re-encoding a success as "Bearer id:secret" and as
 *      "Basic base64(id:secret)" parses back to the same id and secret.
 * Any violation calls abort() so libFuzzer (or replay.c) reports it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/err.h"
#include "http/auth.h"

#define CANARY 0xA5
#define GUARD 16
#define SMALL_ID 8
#define SMALL_SECRET 16

static void check_guard(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != CANARY)
            abort();
}

/* Both empty on failure; both well-formed within their sizes on success. */
static void check_result(int rc, const char *id, size_t idsz, const char *secret,
                         size_t secretsz)
{
    if (rc != RB_OK) {
        if (rc != RB_ERR || id[0] != '\0' || secret[0] != '\0')
            abort();
        return;
    }
    size_t il = strnlen(id, idsz), sl = strnlen(secret, secretsz);
    if (il == 0 || il >= idsz || il >= RB_ID_MAX || sl == 0 || sl >= secretsz)
        abort();
    if (memchr(id, ':', il))
        abort();
}

/* Parses header again and aborts unless it yields exactly id and secret. */
static void check_reparse(const char *header, const char *id, const char *secret)
{
    char id2[RB_ID_MAX], secret2[RB_AUTH_MAX_HEADER + 1];
    if (rb_auth_parse_header(header, id2, sizeof id2, secret2, sizeof secret2) != RB_OK)
        abort();
    if (strcmp(id, id2) != 0 || strcmp(secret, secret2) != 0)
        abort();
}

/* Standard padded base64 from the URL-safe unpadded encoder crypto.h has. */
static int base64_std(const char *in, size_t len, char *out, size_t outsz)
{
    int n = rb_base64url(in, len, out, outsz);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (out[i] == '-')
            out[i] = '+';
        else if (out[i] == '_')
            out[i] = '/';
    }
    while (n % 4) {
        if ((size_t)n + 1 >= outsz)
            return -1;
        out[n++] = '=';
    }
    out[n] = '\0';
    return n;
}

static void check_reencode(const char *id, const char *secret)
{
    char plain[RB_ID_MAX + RB_AUTH_MAX_HEADER + 2];
    int n = snprintf(plain, sizeof plain, "%s:%s", id, secret);
    if (n < 0 || (size_t)n >= sizeof plain)
        abort();
    char header[2 * RB_AUTH_MAX_HEADER + 16];
    /* Only headers within the length limit must parse back. */
    if (7 + (size_t)n <= RB_AUTH_MAX_HEADER) {
        snprintf(header, sizeof header, "Bearer %s", plain);
        check_reparse(header, id, secret);
    }
    char b64[2 * RB_AUTH_MAX_HEADER];
    int bn = base64_std(plain, (size_t)n, b64, sizeof b64);
    if (bn > 0 && 6 + (size_t)bn <= RB_AUTH_MAX_HEADER) {
        snprintf(header, sizeof header, "Basic %s", b64);
        check_reparse(header, id, secret);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Longer than the limit by a margin, so the length check is exercised. */
    if (size > 4 * RB_AUTH_MAX_HEADER)
        return 0;
    char *value = malloc(size + 1);
    if (!value)
        abort();
    memcpy(value, data, size);
    value[size] = '\0';

    char id[RB_ID_MAX], secret[RB_AUTH_MAX_HEADER + 1];
    int rc = rb_auth_parse_header(value, id, sizeof id, secret, sizeof secret);
    check_result(rc, id, sizeof id, secret, sizeof secret);

    unsigned char sid[SMALL_ID + GUARD], ssec[SMALL_SECRET + GUARD];
    memset(sid, CANARY, sizeof sid);
    memset(ssec, CANARY, sizeof ssec);
    int src = rb_auth_parse_header(value, (char *)sid, SMALL_ID, (char *)ssec, SMALL_SECRET);
    check_guard(sid + SMALL_ID, GUARD);
    check_guard(ssec + SMALL_SECRET, GUARD);
    check_result(src, (const char *)sid, SMALL_ID, (const char *)ssec, SMALL_SECRET);

    int fits = rc == RB_OK && strlen(id) < SMALL_ID && strlen(secret) < SMALL_SECRET;
    if ((src == RB_OK) != fits)
        abort();
    if (src == RB_OK && (strcmp(id, (char *)sid) != 0 || strcmp(secret, (char *)ssec) != 0))
        abort();

    if (rc == RB_OK)
        check_reencode(id, secret);
    free(value);
    return 0;
}
