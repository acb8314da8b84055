/* validate.h — request validation for the Robots job-create calls.
 *
 * One engine (validate.c) walks a declarative table; each workflow's
 * parameters are one static const table in params.c, with nested tables for
 * objects and array items. The engine is strict: unknown keys are rejected at
 * every level, including the request envelope. The first failure is reported
 * as 400 "invalid_parameters" with a message that names the field path and
 * the rule, e.g. "parameters.questions[2].answer_options[0] must be at most
 * 150 characters". docs/validation.md describes the table format. */
#ifndef RB_VALIDATE_H
#define RB_VALIDATE_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"

/* Validates a create body {"parameters": {...}, "passthrough"?: string (≤255
 * chars)} for workflow. RB_NOTFOUND (err: 404 not_found "unknown workflow X")
 * for an unknown workflow; RB_ERR with a 400 for bad input; RB_OK otherwise. */
int rb_validate_job_request(const char *workflow, const json_t *body, rb_err *err);
/* 1 if workflow is one of the 12 hyphenated workflow names, else 0. */
int rb_workflow_known(const char *workflow);
/* The 12 names in SDK order (spec 1.11), NULL-terminated. */
const char *const *rb_workflow_names(void);

/* ---- the table format (used by params.c; see docs/validation.md) -------- */

enum rb_vtype {
    RB_VT_STRING,
    RB_VT_INTEGER,     /* a JSON integer; 1.5, 3.0 and "3" are all rejected */
    RB_VT_NUMBER,      /* a JSON integer or real */
    RB_VT_BOOLEAN,
    RB_VT_OBJECT,      /* checked against .object; unknown keys rejected */
    RB_VT_ARRAY,       /* every item checked against .item */
    RB_VT_ANY_OBJECT   /* any JSON object, contents not inspected */
};

/* Field flags. The MIN/MAX flags say which bounds are set, so 0 can be a bound. */
#define RB_VF_REQUIRED 0x01u
#define RB_VF_MIN      0x02u  /* number: value >= min (> min with RB_VF_MIN_EXCL) */
#define RB_VF_MAX      0x04u  /* number: value <= max (< max with RB_VF_MAX_EXCL) */
#define RB_VF_MIN_EXCL 0x08u
#define RB_VF_MAX_EXCL 0x10u

struct rb_vschema;

/* Path of the value being checked, e.g. "parameters.questions[2].question". */
typedef int (*rb_vcheck_fn)(const json_t *value, const char *path, rb_err *err);

typedef struct rb_vfield {
    const char *name;                   /* key; ignored for array item schemas */
    enum rb_vtype type;
    unsigned flags;                     /* RB_VF_* */
    const char *const *enum_values;     /* strings only; NULL-terminated, NULL = any */
    double min, max;                    /* numbers, as selected by the flags */
    size_t min_len, max_len;            /* strings, in Unicode code points; max_len 0 = none */
    size_t min_items, max_items;        /* arrays; max_items 0 = none */
    const struct rb_vfield *item;       /* arrays: the schema of every item */
    const struct rb_vschema *object;    /* objects: the nested table */
    rb_vcheck_fn check;                 /* extra rule run after the generic ones, or NULL */
    const char *def;                    /* documented default as JSON text ("10", "\"blank\""),
                                         * or NULL; never applied by validation */
} rb_vfield;

typedef struct rb_vschema {
    const rb_vfield *fields;            /* terminated by an entry with name == NULL */
    /* Cross-field rule, run after every field passed; obj is the object. */
    rb_vcheck_fn check;
} rb_vschema;

/* The table of a workflow's "parameters" object, or NULL when unknown. */
const rb_vschema *rb_params_schema(const char *workflow);

/* A deep copy of a workflow's (already validated) parameters with every
 * documented default filled in where the key is absent, at every level that is
 * present (e.g. auto_censor_profanity.mode only when auto_censor_profanity was
 * sent). Workflows read defaults from here instead of repeating them. The job
 * keeps the parameters as sent; this copy is for the engine. New reference, or
 * NULL for an unknown workflow / out of memory. */
json_t *rb_params_with_defaults(const char *workflow, const json_t *parameters);

/* Fills defaults into obj (mutated) per schema, recursing into present
 * objects and the object items of present arrays. RB_OK or RB_ERR (OOM). */
int rb_vschema_apply_defaults(const rb_vschema *schema, json_t *obj);

/* Validates value against field (its name is not used; path names it).
 * workflow names the owner in "is not a known parameter of <workflow>". */
int rb_validate_value(const rb_vfield *field, const json_t *value, const char *path,
                      const char *workflow, rb_err *err);

/* Fills err with 400 invalid_parameters "<path> <rule...>" and returns RB_ERR.
 * The message is cut on a UTF-8 boundary when it does not fit. */
int rb_verr(rb_err *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, for a rule about a child of the object at path: "<path>.<field> <rule>".
 * Cross-field checks use it to name the field the rule is about. */
int rb_verr_field(rb_err *err, const char *path, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Code points in a UTF-8 string of len bytes (jansson guarantees valid UTF-8). */
size_t rb_utf8_length(const char *s, size_t len);

/* Reusable string rules for tables (rb_vcheck_fn). */
/* A BCP 47-shaped language tag: letters, digits, hyphens; 2–35 chars; subtags
 * of 1–8 alphanumerics; the first subtag 2–3 letters ("en", "pt-BR", "yue"). */
int rb_vcheck_language_tag(const json_t *value, const char *path, rb_err *err);

/* Validates a workflow's parameters object found at path (e.g. a directive
 * binding's "workflows[1].params") against the workflow's table with the
 * fields named in excluded (NULL-terminated) removed: those are neither
 * required nor accepted, because someone else supplies them (a directive run
 * supplies asset_id and track_id). A client value for one is rejected as
 * "<path>.<key> is supplied by the engine and must not be set". Everything
 * else, cross-field rules included, is checked exactly as for a job create.
 * RB_NOTFOUND for an unknown workflow, RB_ERR with a 400 otherwise. */
int rb_validate_params_except(const char *workflow, const json_t *params, const char *path,
                              const char *const *excluded, rb_err *err);

#endif
