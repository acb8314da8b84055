/* fuzz_cursor.c — libFuzzer target for the asset-list cursor codec
 * (api/cursor.h). A cursor arrives as the raw ?cursor= query parameter.
 *
 * Checked on every input:
 *   1. the input as a cursor (cut at its first NUL, as a query value would
 *      be) never crashes the decoder; when it is accepted, the id is 1..63
 *      characters of [A-Za-z0-9_-], created_at is non-negative, and encoding
 *      the result gives back exactly the input (only canonical cursors pass);
 *   2. a key built from the input in the server's domain (0 <= created_at <
 *      10^18, an id of 1..63 characters of [A-Za-z0-9_-]) encodes, and the
 *      cursor decodes back to the same key (round trip);
 *   3. a key with arbitrary id bytes either fails to encode or to decode, or
 *      round-trips exactly.
 * Any violation calls abort() so libFuzzer (or replay.c) reports it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/cursor.h"
#include "common/err.h"

static const char ID_CHARS[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

static int id_ok(const char *id)
{
    size_t n = strlen(id);
    return n > 0 && n < RB_ID_MAX && strspn(id, ID_CHARS) == n;
}

static void check_decode(const char *cur)
{
    int64_t at = -42;
    char id[RB_ID_MAX];
    if (rb_api_cursor_decode(cur, &at, id) != RB_OK) {
        if (at != -42)
            abort(); /* a rejection leaves the output alone */
        return;
    }
    if (at < 0 || !id_ok(id))
        abort();
    char again[RB_API_CURSOR_MAX];
    if (rb_api_cursor_encode(at, id, again) != RB_OK || strcmp(again, cur) != 0)
        abort();
}

static void check_roundtrip(int64_t at, const char *id, int must)
{
    char cur[RB_API_CURSOR_MAX];
    if (rb_api_cursor_encode(at, id, cur) != RB_OK) {
        if (must)
            abort();
        return;
    }
    if (strlen(cur) >= RB_API_CURSOR_MAX)
        abort();
    int64_t at2 = 0;
    char id2[RB_ID_MAX];
    if (rb_api_cursor_decode(cur, &at2, id2) != RB_OK) {
        if (must)
            abort();
        return;
    }
    if (at2 != at || strcmp(id, id2) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    check_decode(s);

    /* A key from the bytes: 8 for created_at, the rest (up to 63) for the id. */
    uint64_t raw = 0;
    for (size_t i = 0; i < 8 && i < size; i++)
        raw = raw << 8 | data[i];
    const uint8_t *rest = size > 8 ? data + 8 : data + size;
    size_t rlen = size > 8 ? size - 8 : 0;
    if (rlen > RB_ID_MAX - 1)
        rlen = RB_ID_MAX - 1;
    char id[RB_ID_MAX];
    for (size_t i = 0; i < rlen; i++)
        id[i] = ID_CHARS[rest[i] % (sizeof ID_CHARS - 1)];
    id[rlen] = '\0';
    if (rlen > 0)
        check_roundtrip((int64_t)(raw % 1000000000000000000ULL), id, 1);

    /* Arbitrary id bytes and any created_at, including negative ones. */
    memcpy(id, rest, rlen);
    id[rlen] = '\0';
    check_roundtrip((int64_t)raw, id, 0);
    free(s);
    return 0;
}
