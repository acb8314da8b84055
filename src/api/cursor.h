/* cursor.h — the asset-list cursor codec of api/assets.c (spec §8).
 *
 * GET /video/v1/assets answers next_cursor = base64url("a1.<created_at>.<id>"),
 * the list key of the last asset shown. The codec is exposed apart from the
 * handler so it can be fuzzed (fuzz/fuzz_cursor.c) without a store: a cursor
 * arrives as a raw query parameter, i.e. untrusted bytes. */
#ifndef RB_API_CURSOR_H
#define RB_API_CURSOR_H

#include <stdint.h>

#include "common/job.h"

#define RB_API_CURSOR_MAX 160 /* bytes of an encoded cursor, NUL included */

/* Encodes (created_at, id) into out. RB_OK, or RB_ERR when the text does not
 * fit. Only 0 <= created_at < 10^18 with an id of 1..RB_ID_MAX-1 characters
 * from [A-Za-z0-9_-] produces a cursor that rb_api_cursor_decode accepts;
 * server ids and Unix-second timestamps always do. */
int rb_api_cursor_encode(int64_t created_at, const char *id, char out[RB_API_CURSOR_MAX]);

/* Decodes cur (NUL-terminated, any bytes). RB_OK only for the exact string
 * rb_api_cursor_encode would produce, filling *created_at and id; RB_ERR for
 * anything else (edited, truncated, padded, non-canonical), leaving
 * *created_at untouched. */
int rb_api_cursor_decode(const char *cur, int64_t *created_at, char id[RB_ID_MAX]);

#endif
