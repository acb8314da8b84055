/* canon.h — canonical JSON text, so that two equal JSON values always give the
 * same bytes (and therefore the same hash).
 *
 * Canonical form: object keys sorted by byte order (memcmp of the UTF-8 key,
 * shorter prefix first), no whitespace at all, numbers and strings written
 * exactly as jansson writes them (integers as integers, reals with jansson's
 * precision, strings with jansson's escapes, non-ASCII left as UTF-8). Array
 * order is kept: arrays are ordered data. 1 and 1.0 are different values
 * here (jansson keeps integers and reals apart), which is what the duplicate
 * job rule wants because the validator never lets a real into an integer
 * field. */
#ifndef RB_CANON_H
#define RB_CANON_H

#include <jansson.h>

/* Returns the canonical text of v (any JSON value, not only containers),
 * malloc'd and NUL-terminated; the caller frees it. NULL when v is NULL or
 * jansson cannot encode it (out of memory). */
char *rb_json_canonical(const json_t *v);

/* Lowercase hex SHA-256 of rb_json_canonical(v): 64 chars + NUL.
 * Returns RB_OK, or RB_ERR when v cannot be encoded. */
int rb_json_canonical_sha256(const json_t *v, char out[65]);

#endif
