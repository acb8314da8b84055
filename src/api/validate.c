/* validate.c — the generic engine that walks the declarative tables of
 * params.c. It knows JSON types, bounds, enums, lengths and nesting; every
 * workflow-specific rule lives in params.c as a check callback. */
#include "api/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest path we build. Known keys are short and the tables are at most five
 * levels deep, so only an echoed unknown key could come near this; those are
 * cut to RB_VKEY_ECHO code points first. */
#define RB_VPATH_MAX 384
#define RB_VKEY_ECHO 64

/* Drops a trailing, incomplete UTF-8 sequence left by a truncating snprintf:
 * the message later becomes a JSON string and jansson refuses invalid UTF-8,
 * which would lose the whole error text. */
static void utf8_trim_tail(char *s)
{
    size_t n = strlen(s);
    size_t i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if ((i - 1) + need > n)
        s[i - 1] = '\0';
}

int rb_verr(rb_err *err, const char *path, const char *fmt, ...)
{
    if (!err)
        return RB_ERR;
    char rule[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof rule, fmt, ap);
    va_end(ap);
    utf8_trim_tail(rule);
    /* The body itself has an empty path; say so in words. */
    rb_err_set(err, 400, "invalid_parameters", "%s %s", path && path[0] ? path : "request body",
               rule);
    utf8_trim_tail(err->message);
    return RB_ERR;
}

int rb_verr_field(rb_err *err, const char *path, const char *field, const char *fmt, ...)
{
    char sub[RB_VPATH_MAX];
    char rule[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof rule, fmt, ap);
    va_end(ap);
    utf8_trim_tail(rule);
    snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", field);
    utf8_trim_tail(sub);
    return rb_verr(err, sub, "%s", rule);
}

size_t rb_utf8_length(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* Copies at most RB_VKEY_ECHO code points of an untrusted key, marking a cut
 * with an ellipsis, so a megabyte-long key cannot crowd out the message. */
static void echo_key(char *out, size_t outlen, const char *key, size_t keylen)
{
    size_t i = 0, cps = 0;
    while (i < keylen && key[i] != '\0') {
        if (((unsigned char)key[i] & 0xC0) != 0x80) {
            if (cps == RB_VKEY_ECHO)
                break;
            cps++;
        }
        i++;
    }
    snprintf(out, outlen, "%.*s%s", (int)i, key, i < keylen ? "\xE2\x80\xA6" : "");
    utf8_trim_tail(out);
}

static void child_key_path(char *out, size_t outlen, const char *path, const char *key,
                           size_t keylen)
{
    char k[RB_VKEY_ECHO * 4 + 8];
    echo_key(k, sizeof k, key, keylen);
    snprintf(out, outlen, "%s%s%s", path, path[0] ? "." : "", k);
    utf8_trim_tail(out);
}

static const char *json_type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "non-integer number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static const char *vtype_phrase(enum rb_vtype t)
{
    switch (t) {
    case RB_VT_STRING: return "a string";
    case RB_VT_INTEGER: return "an integer";
    case RB_VT_NUMBER: return "a number";
    case RB_VT_BOOLEAN: return "a boolean";
    case RB_VT_OBJECT:
    case RB_VT_ANY_OBJECT: return "an object";
    case RB_VT_ARRAY: return "an array";
    }
    return "a value";
}

static int type_matches(enum rb_vtype t, const json_t *v)
{
    switch (t) {
    case RB_VT_STRING: return json_is_string(v);
    /* A real is never an integer, even 3.0: workflows read integer fields
     * with json_integer_value(), which answers 0 for a real. */
    case RB_VT_INTEGER: return json_is_integer(v);
    case RB_VT_NUMBER: return json_is_number(v);
    case RB_VT_BOOLEAN: return json_is_boolean(v);
    case RB_VT_OBJECT:
    case RB_VT_ANY_OBJECT: return json_is_object(v);
    case RB_VT_ARRAY: return json_is_array(v);
    }
    return 0;
}

static int check_number(const rb_vfield *f, const json_t *v, const char *path, rb_err *err)
{
    double x = json_number_value(v);
    if (f->flags & RB_VF_MIN) {
        if ((f->flags & RB_VF_MIN_EXCL) ? !(x > f->min) : !(x >= f->min))
            return rb_verr(err, path, "must be %s %.15g",
                           (f->flags & RB_VF_MIN_EXCL) ? "greater than" : "at least", f->min);
    }
    if (f->flags & RB_VF_MAX) {
        if ((f->flags & RB_VF_MAX_EXCL) ? !(x < f->max) : !(x <= f->max))
            return rb_verr(err, path, "must be %s %.15g",
                           (f->flags & RB_VF_MAX_EXCL) ? "less than" : "at most", f->max);
    }
    return RB_OK;
}

static int check_string(const rb_vfield *f, const json_t *v, const char *path, rb_err *err)
{
    const char *s = json_string_value(v);
    size_t bytes = json_string_length(v);
    /* Only reachable with JSON_ALLOW_NUL or a hand-built value, but a NUL would
     * silently cut the string in every C consumer downstream. */
    if (memchr(s, '\0', bytes))
        return rb_verr(err, path, "must not contain NUL characters");
    size_t cps = rb_utf8_length(s, bytes);
    if (cps < f->min_len) {
        if (f->min_len == 1)
            return rb_verr(err, path, "must not be empty");
        return rb_verr(err, path, "must be at least %zu characters", f->min_len);
    }
    if (f->max_len && cps > f->max_len)
        return rb_verr(err, path, "must be at most %zu characters", f->max_len);
    if (f->enum_values) {
        for (const char *const *e = f->enum_values; *e; e++)
            if (strlen(*e) == bytes && memcmp(*e, s, bytes) == 0)
                return RB_OK;
        char list[320] = "";
        size_t used = 0;
        for (const char *const *e = f->enum_values; *e && used < sizeof list; e++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s",
                             e == f->enum_values ? "" : ", ", *e);
            if (w < 0)
                break;
            used += (size_t)w;
        }
        return rb_verr(err, path, "must be one of: %s", list);
    }
    return RB_OK;
}

static int validate_object(const rb_vschema *schema, const json_t *obj, const char *path,
                           const char *workflow, rb_err *err)
{
    char sub[RB_VPATH_MAX];
    /* Unknown keys first: a misspelt key ("asset_ids") explains a missing
     * required one better than "asset_id is required" would. */
    for (void *it = json_object_iter((json_t *)obj); it;
         it = json_object_iter_next((json_t *)obj, it)) {
        const char *key = json_object_iter_key(it);
        size_t keylen = json_object_iter_key_len(it);
        const rb_vfield *f = schema->fields;
        for (; f->name; f++)
            if (strlen(f->name) == keylen && memcmp(f->name, key, keylen) == 0)
                break;
        if (f->name)
            continue;
        child_key_path(sub, sizeof sub, path, key, keylen);
        if (!path[0])
            return rb_verr(err, sub,
                           "is not a known field of the request body (it takes parameters "
                           "and passthrough)");
        return rb_verr(err, sub, "is not a known parameter of %s", workflow);
    }
    for (const rb_vfield *f = schema->fields; f->name; f++) {
        child_key_path(sub, sizeof sub, path, f->name, strlen(f->name));
        const json_t *v = json_object_get(obj, f->name);
        if (!v) {
            if (f->flags & RB_VF_REQUIRED)
                return rb_verr(err, sub, "is required");
            continue;
        }
        if (rb_validate_value(f, v, sub, workflow, err))
            return RB_ERR;
    }
    if (schema->check && schema->check(obj, path, err))
        return RB_ERR;
    return RB_OK;
}

int rb_validate_value(const rb_vfield *f, const json_t *v, const char *path,
                      const char *workflow, rb_err *err)
{
    if (!type_matches(f->type, v))
        return rb_verr(err, path, "must be %s (got %s)", vtype_phrase(f->type),
                       json_type_word(v));
    switch (f->type) {
    case RB_VT_STRING:
        if (check_string(f, v, path, err))
            return RB_ERR;
        break;
    case RB_VT_INTEGER:
    case RB_VT_NUMBER:
        if (check_number(f, v, path, err))
            return RB_ERR;
        break;
    case RB_VT_OBJECT:
        if (f->object && validate_object(f->object, v, path, workflow, err))
            return RB_ERR;
        break;
    case RB_VT_ARRAY: {
        size_t n = json_array_size(v);
        if (n < f->min_items)
            return rb_verr(err, path, "must have at least %zu item%s", f->min_items,
                           f->min_items == 1 ? "" : "s");
        if (f->max_items && n > f->max_items)
            return rb_verr(err, path, "must have at most %zu item%s", f->max_items,
                           f->max_items == 1 ? "" : "s");
        if (f->item) {
            char sub[RB_VPATH_MAX];
            for (size_t i = 0; i < n; i++) {
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
                utf8_trim_tail(sub);
                if (rb_validate_value(f->item, json_array_get(v, i), sub, workflow, err))
                    return RB_ERR;
            }
        }
        break;
    }
    case RB_VT_BOOLEAN:
    case RB_VT_ANY_OBJECT:
        break;
    }
    if (f->check && f->check(v, path, err))
        return RB_ERR;
    return RB_OK;
}

int rb_vschema_apply_defaults(const rb_vschema *schema, json_t *obj)
{
    if (!json_is_object(obj))
        return RB_OK;
    for (const rb_vfield *f = schema->fields; f->name; f++) {
        json_t *v = json_object_get(obj, f->name);
        if (!v) {
            if (!f->def)
                continue;
            json_t *d = json_loads(f->def, JSON_DECODE_ANY, NULL);
            if (!d || json_object_set_new(obj, f->name, d))
                return RB_ERR;
            v = json_object_get(obj, f->name);
        }
        /* A default object (thresholds) gets its own members' defaults too. */
        if (f->type == RB_VT_OBJECT && f->object) {
            if (rb_vschema_apply_defaults(f->object, v))
                return RB_ERR;
        } else if (f->type == RB_VT_ARRAY && f->item && f->item->type == RB_VT_OBJECT &&
                   f->item->object) {
            for (size_t i = 0; i < json_array_size(v); i++)
                if (rb_vschema_apply_defaults(f->item->object, json_array_get(v, i)))
                    return RB_ERR;
        }
    }
    return RB_OK;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int rb_vcheck_language_tag(const json_t *value, const char *path, rb_err *err)
{
    const char *s = json_string_value(value);
    size_t len = json_string_length(value);
    int ok = len >= 2 && len <= 35;
    size_t start = 0;
    int first = 1;
    /* Walk the hyphen-separated subtags; the loop also runs at i == len to
     * close the last one. */
    for (size_t i = 0; ok && i <= len; i++) {
        if (i < len && s[i] != '-') {
            ok = first ? is_alpha(s[i]) : (is_alpha(s[i]) || is_digit(s[i]));
            continue;
        }
        size_t sublen = i - start;
        ok = first ? (sublen == 2 || sublen == 3) : (sublen >= 1 && sublen <= 8);
        first = 0;
        start = i + 1;
    }
    if (ok)
        return RB_OK;
    char got[RB_VKEY_ECHO * 4 + 8];
    echo_key(got, sizeof got, s, len);
    return rb_verr(err, path, "must be a BCP 47 language tag such as en, fr or pt-BR (got \"%s\")",
                   got);
}

static int is_excluded(const char *name, const char *const *excluded)
{
    for (size_t i = 0; excluded && excluded[i]; i++)
        if (strcmp(name, excluded[i]) == 0)
            return 1;
    return 0;
}

int rb_validate_params_except(const char *workflow, const json_t *params, const char *path,
                              const char *const *excluded, rb_err *err)
{
    const rb_vschema *schema = rb_params_schema(workflow);
    if (!schema)
        return rb_err_set(err, 404, "not_found", "unknown workflow");
    if (!json_is_object(params))
        return rb_verr(err, path, "must be an object (got %s)", json_type_word(params));
    for (size_t i = 0; excluded && excluded[i]; i++)
        if (json_object_get(params, excluded[i]))
            return rb_verr_field(err, path, excluded[i],
                                 "is supplied by the engine and must not be set");
    /* A copy of the table without the excluded rows; the rows themselves
     * (and their nested tables) are shared, so every rule stays the one the
     * job endpoint applies. */
    size_t n = 0;
    while (schema->fields[n].name)
        n++;
    rb_vfield *fields = calloc(n + 1, sizeof *fields);
    if (!fields)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!is_excluded(schema->fields[i].name, excluded))
            fields[k++] = schema->fields[i];
    rb_vschema sub = {.fields = fields, .check = schema->check};
    rb_vfield obj = {.type = RB_VT_OBJECT, .object = &sub};
    int rc = rb_validate_value(&obj, params, path, workflow, err);
    free(fields);
    return rc ? RB_ERR : RB_OK;
}
