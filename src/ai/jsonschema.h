/* jsonschema.h — a validator for the small JSON-Schema subset the AI prompts emit.
 *
 * Model output is untrusted: every reply is checked against the schema the
 * request asked for before a workflow sees it. Only the keywords our schemas
 * use are understood — type (object, array, string, number, integer, boolean,
 * null, or an array of those), properties, required, additionalProperties
 * (false only), items, enum, minimum, maximum, minItems, maxItems, minLength,
 * maxLength. An unknown keyword is ignored, as JSON Schema says; the schemas
 * are ours, so that never hides a rule we meant to apply. */
#ifndef RB_JSONSCHEMA_H
#define RB_JSONSCHEMA_H

#include <jansson.h>
#include <stddef.h>

/* RB_OK when `inst` satisfies `schema`. On RB_ERR, `why` (if non-NULL) gets a
 * short reason naming the JSON path ("$.chapters[2].start: below minimum 0").
 * Nesting deeper than 64 levels is rejected rather than recursed into. */
int rb_jsonschema_validate(const json_t *schema, const json_t *inst, char *why, size_t whylen);

#endif
