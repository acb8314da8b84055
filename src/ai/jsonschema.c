/* jsonschema.c — see jsonschema.h for the supported subset. */
#include "ai/jsonschema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

#define JS_MAX_DEPTH 64

typedef struct js_ctx {
    char *why;
    size_t whylen;
} js_ctx;

static int js_fail(js_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int js_fail(js_ctx *c, const char *path, const char *fmt, ...)
{
    if (c->why && c->whylen) {
        int n = snprintf(c->why, c->whylen, "%s: ", path);
        if (n >= 0 && (size_t)n < c->whylen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->why + n, c->whylen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return RB_ERR;
}

/* UTF-8 code points, not bytes: maxLength counts characters. */
static size_t js_utf8_len(const char *s, size_t n)
{
    size_t cp = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            cp++;
    return cp;
}

static int js_type_is(const char *t, const json_t *v)
{
    if (strcmp(t, "object") == 0)
        return json_is_object(v);
    if (strcmp(t, "array") == 0)
        return json_is_array(v);
    if (strcmp(t, "string") == 0)
        return json_is_string(v);
    if (strcmp(t, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(t, "null") == 0)
        return json_is_null(v);
    if (strcmp(t, "number") == 0)
        return json_is_number(v);
    if (strcmp(t, "integer") == 0) {
        if (json_is_integer(v))
            return 1;
        /* 3.0 is an integer in JSON Schema; models often write it. */
        if (json_is_real(v)) {
            double d = json_real_value(v);
            return isfinite(d) && floor(d) == d;
        }
        return 0;
    }
    return 0;
}

static int js_check(js_ctx *c, const json_t *s, const json_t *v, const char *path, int depth);

static int js_check_type(js_ctx *c, const json_t *s, const json_t *v, const char *path)
{
    const json_t *t = json_object_get(s, "type");
    if (!t)
        return RB_OK;
    if (json_is_string(t)) {
        if (!js_type_is(json_string_value(t), v))
            return js_fail(c, path, "expected %s", json_string_value(t));
        return RB_OK;
    }
    if (json_is_array(t)) {
        size_t i;
        const json_t *e;
        json_array_foreach(t, i, e)
        {
            if (json_is_string(e) && js_type_is(json_string_value(e), v))
                return RB_OK;
        }
        return js_fail(c, path, "value has none of the allowed types");
    }
    return RB_OK;
}

static int js_check_object(js_ctx *c, const json_t *s, const json_t *v, const char *path,
                           int depth)
{
    const json_t *props = json_object_get(s, "properties");
    const json_t *req = json_object_get(s, "required");
    const json_t *addl = json_object_get(s, "additionalProperties");
    char sub[512];
    if (json_is_array(req)) {
        size_t i;
        const json_t *r;
        json_array_foreach(req, i, r)
        {
            if (json_is_string(r) && !json_object_get(v, json_string_value(r)))
                return js_fail(c, path, "missing required property \"%s\"", json_string_value(r));
        }
    }
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)v, key, val)
    {
        snprintf(sub, sizeof sub, "%s.%s", path, key);
        const json_t *ps = json_is_object(props) ? json_object_get(props, key) : NULL;
        if (ps) {
            if (js_check(c, ps, val, sub, depth + 1))
                return RB_ERR;
        } else if (json_is_false(addl)) {
            return js_fail(c, path, "unexpected property \"%s\"", key);
        } else if (json_is_object(addl)) {
            if (js_check(c, addl, val, sub, depth + 1))
                return RB_ERR;
        }
    }
    return RB_OK;
}

static int js_check_array(js_ctx *c, const json_t *s, const json_t *v, const char *path,
                          int depth)
{
    size_t n = json_array_size(v);
    const json_t *mn = json_object_get(s, "minItems");
    const json_t *mx = json_object_get(s, "maxItems");
    if (json_is_integer(mn) && (json_int_t)n < json_integer_value(mn))
        return js_fail(c, path, "fewer than %lld items", (long long)json_integer_value(mn));
    if (json_is_integer(mx) && (json_int_t)n > json_integer_value(mx))
        return js_fail(c, path, "more than %lld items", (long long)json_integer_value(mx));
    const json_t *items = json_object_get(s, "items");
    if (json_is_object(items)) {
        char sub[512];
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (js_check(c, items, e, sub, depth + 1))
                return RB_ERR;
        }
    }
    return RB_OK;
}

static int js_check(js_ctx *c, const json_t *s, const json_t *v, const char *path, int depth)
{
    if (depth > JS_MAX_DEPTH)
        return js_fail(c, path, "nested too deeply");
    if (!json_is_object(s))
        return RB_OK; /* `true`/{} schemas accept anything */
    if (js_check_type(c, s, v, path))
        return RB_ERR;
    const json_t *en = json_object_get(s, "enum");
    if (json_is_array(en)) {
        int found = 0;
        size_t i;
        const json_t *e;
        json_array_foreach(en, i, e)
        {
            if (json_equal((json_t *)e, (json_t *)v)) {
                found = 1;
                break;
            }
        }
        if (!found)
            return js_fail(c, path, "value is not one of the allowed values");
    }
    if (json_is_number(v)) {
        double d = json_number_value(v);
        const json_t *mn = json_object_get(s, "minimum");
        const json_t *mx = json_object_get(s, "maximum");
        if (json_is_number(mn) && d < json_number_value(mn))
            return js_fail(c, path, "below minimum %g", json_number_value(mn));
        if (json_is_number(mx) && d > json_number_value(mx))
            return js_fail(c, path, "above maximum %g", json_number_value(mx));
    }
    if (json_is_string(v)) {
        size_t n = js_utf8_len(json_string_value(v), json_string_length(v));
        const json_t *mn = json_object_get(s, "minLength");
        const json_t *mx = json_object_get(s, "maxLength");
        if (json_is_integer(mn) && (json_int_t)n < json_integer_value(mn))
            return js_fail(c, path, "shorter than %lld characters",
                           (long long)json_integer_value(mn));
        if (json_is_integer(mx) && (json_int_t)n > json_integer_value(mx))
            return js_fail(c, path, "longer than %lld characters",
                           (long long)json_integer_value(mx));
    }
    if (json_is_object(v))
        return js_check_object(c, s, v, path, depth);
    if (json_is_array(v))
        return js_check_array(c, s, v, path, depth);
    return RB_OK;
}

int rb_jsonschema_validate(const json_t *schema, const json_t *inst, char *why, size_t whylen)
{
    js_ctx c = {why, whylen};
    if (why && whylen)
        why[0] = '\0';
    if (!inst)
        return js_fail(&c, "$", "no value");
    return js_check(&c, schema, inst, "$", 0);
}
