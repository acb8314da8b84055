/* directives.c — the Robots directives API (spec §7): create, list, get,
 * delete, and trigger / list / get runs.
 *
 * Create validates the whole pipeline up front — shapes, references between
 * resources and bindings, dependency cycles and every binding's parameters
 * with the job endpoint's own tables — so a directive that is accepted can
 * run. A binding of a workflow this build cannot run is refused with 501,
 * like a job create: accepting it would only produce runs that fail later.
 * The runs themselves are carried out by the engine (engine/directives.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/validate.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "media/fetch.h"

#define NAME_MAX_CHARS 255
#define REF_MAX_CHARS 255
#define LIST_MAX_PAGE 10000000

/* ---- small validation helpers ------------------------------------------- */

static const char *type_word(const json_t *v)
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

/* Rejects a key of obj not in allowed (NULL-terminated); what names the
 * object in the message ("a track resource"). */
static int check_keys(const json_t *obj, const char *path, const char *const *allowed,
                      const char *what, rb_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (ok)
            continue;
        char list[256] = "";
        size_t used = 0;
        for (size_t i = 0; allowed[i]; i++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
            if (w < 0 || (size_t)w >= sizeof list - used)
                break;
            used += (size_t)w;
        }
        if (path[0])
            return rb_verr(err, path, "has an unknown field '%.64s' (%s takes %s)", key, what,
                           list);
        return rb_verr(err, key, "is not a known field of %s (it takes %s)", what, list);
    }
    return RB_OK;
}

/* A string member: required or not, 1..max code points, no NUL. *out is
 * NULL when absent. */
static int get_string(const json_t *obj, const char *path, const char *key, int required,
                      size_t max_chars, const char **out, rb_err *err)
{
    *out = NULL;
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return rb_verr_field(err, path, key, "is required");
        return RB_OK;
    }
    if (!json_is_string(v))
        return rb_verr_field(err, path, key, "must be a string (got %s)", type_word(v));
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len == 0)
        return rb_verr_field(err, path, key, "must be at least 1 character");
    if (memchr(s, '\0', len))
        return rb_verr_field(err, path, key, "must not contain NUL characters");
    if (max_chars && rb_utf8_length(s, len) > max_chars)
        return rb_verr_field(err, path, key, "must be at most %zu characters", max_chars);
    *out = s;
    return RB_OK;
}

static int one_of(const char *s, const char *const *values)
{
    for (size_t i = 0; values[i]; i++)
        if (strcmp(s, values[i]) == 0)
            return 1;
    return 0;
}

static int get_enum(const json_t *obj, const char *path, const char *key, int required,
                    const char *const *values, const char *list, const char **out, rb_err *err)
{
    if (get_string(obj, path, key, required, 64, out, err))
        return RB_ERR;
    if (*out && !one_of(*out, values))
        return rb_verr_field(err, path, key, "must be one of: %s", list);
    return RB_OK;
}

static int get_lang(const json_t *obj, const char *path, const char *key, int required,
                    const char **out, rb_err *err)
{
    if (get_string(obj, path, key, required, 35, out, err))
        return RB_ERR;
    if (*out) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", key);
        return rb_vcheck_language_tag(json_object_get(obj, key), sub, err);
    }
    return RB_OK;
}

/* ---- the directive's shape (spec §7.2) ----------------------------------- */

/* One declared resource or binding, for the reference checks. */
typedef struct ref_entry {
    const char *ref;
    int is_binding;
    size_t index;
    const char *kind;          /* resources: "caption", "audio", "shots" */
    const char *producer;      /* resources with source.via = workflow: the binding */
} ref_entry;

typedef struct graph {
    ref_entry *e;
    size_t n;
} graph;

static ref_entry *find_ref(const graph *g, const char *ref)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->e[i].ref, ref) == 0)
            return &g->e[i];
    return NULL;
}

static const char *const VIA[] = {"external", "required", "workflow", "mux_api", NULL};
static const char *const ACTIONS[] = {"generate_subtitles", "create_track", "request_shots",
                                      NULL};

static int validate_mux_api(const json_t *src, const char *path, const char *kind, int shots,
                            int allow_private, rb_err *err)
{
    static const char *const keys[] = {"via", "action", "params", NULL};
    if (check_keys(src, path, keys, "a mux_api source", err))
        return RB_ERR;
    const char *action;
    if (get_enum(src, path, "action", 1, ACTIONS,
                 "generate_subtitles, create_track, request_shots", &action, err))
        return RB_ERR;
    const json_t *params = json_object_get(src, "params");
    char ppath[256];
    snprintf(ppath, sizeof ppath, "%s.params", path);
    if (params && !json_is_object(params))
        return rb_verr(err, ppath, "must be an object (got %s)", type_word(params));
    /* Which action makes sense for which resource: shots come from shot
     * detection, tracks from subtitles or an ingested file. */
    if (shots != (strcmp(action, "request_shots") == 0))
        return rb_verr_field(err, path, "action",
                             shots ? "must be request_shots for a shots resource"
                                   : "request_shots only produces a shots resource");
    if (strcmp(action, "generate_subtitles") == 0) {
        if (strcmp(kind, "caption") != 0)
            return rb_verr_field(err, path, "action",
                                 "generate_subtitles only produces a caption resource");
        static const char *const pk[] = {"language_code", "source_audio_language", NULL};
        const char *s;
        if (params && (check_keys(params, ppath, pk, "generate_subtitles params", err) ||
                       get_string(params, ppath, "language_code", 0, 35, &s, err) ||
                       (s && strcmp(s, "auto") != 0 &&
                        get_lang(params, ppath, "language_code", 0, &s, err)) ||
                       get_lang(params, ppath, "source_audio_language", 0, &s, err)))
            return RB_ERR;
    } else if (strcmp(action, "create_track") == 0) {
        static const char *const pk[] = {"language_code", "type", "url", NULL};
        static const char *const types[] = {"text", "audio", NULL};
        const char *lang, *type, *url;
        if (!params)
            return rb_verr(err, ppath, "is required for create_track");
        if (check_keys(params, ppath, pk, "create_track params", err) ||
            get_lang(params, ppath, "language_code", 1, &lang, err) ||
            get_enum(params, ppath, "type", 1, types, "text, audio", &type, err) ||
            get_string(params, ppath, "url", 1, 4096, &url, err))
            return RB_ERR;
        if ((strcmp(type, "text") == 0) != (strcmp(kind, "caption") == 0))
            return rb_verr_field(err, ppath, "type",
                                 "must be %s for a %s resource",
                                 strcmp(kind, "caption") == 0 ? "text" : "audio", kind);
        char upath[280];
        snprintf(upath, sizeof upath, "%s.url", ppath);
        if (rb_fetch_check_url_field(upath, url, allow_private, err) != RB_OK) {
            err->status = 400;
            snprintf(err->type, sizeof err->type, "invalid_parameters");
            return RB_ERR;
        }
    } else {
        static const char *const pk[] = {"image_source", NULL};
        static const char *const imgs[] = {"create_storyboards", "use_shot_midpoint", NULL};
        const char *s;
        if (params && (check_keys(params, ppath, pk, "request_shots params", err) ||
                       get_enum(params, ppath, "image_source", 0, imgs,
                                "create_storyboards, use_shot_midpoint", &s, err)))
            return RB_ERR;
    }
    return RB_OK;
}

static int validate_source(const json_t *src, const char *path, const char *kind, int shots,
                           int allow_private, const char **producer, rb_err *err)
{
    *producer = NULL;
    if (!json_is_object(src))
        return rb_verr(err, path, "must be an object (got %s)", type_word(src));
    const char *via;
    if (get_enum(src, path, "via", 1, VIA, "external, required, workflow, mux_api", &via, err))
        return RB_ERR;
    if (strcmp(via, "external") == 0 || strcmp(via, "required") == 0) {
        static const char *const keys[] = {"via", NULL};
        return check_keys(src, path, keys, "this source", err);
    }
    if (strcmp(via, "workflow") == 0) {
        static const char *const keys[] = {"via", "binding", NULL};
        if (check_keys(src, path, keys, "a workflow source", err))
            return RB_ERR;
        return get_string(src, path, "binding", 1, REF_MAX_CHARS, producer, err);
    }
    return validate_mux_api(src, path, kind, shots, allow_private, err);
}

static int validate_resource(const json_t *r, size_t i, int allow_private, ref_entry *out,
                             rb_err *err)
{
    char path[64];
    snprintf(path, sizeof path, "resources[%zu]", i);
    if (!json_is_object(r))
        return rb_verr(err, path, "must be an object (got %s)", type_word(r));
    static const char *const types[] = {"video.asset.track", "video.asset.shots", NULL};
    const char *type;
    if (get_enum(r, path, "type", 1, types, "video.asset.track, video.asset.shots", &type, err))
        return RB_ERR;
    int shots = strcmp(type, "video.asset.shots") == 0;
    static const char *const track_keys[] = {"type", "reference_id", "kind", "language", "source",
                                             NULL};
    static const char *const shot_keys[] = {"type", "reference_id", "source", NULL};
    if (check_keys(r, path, shots ? shot_keys : track_keys,
                   shots ? "a shots resource" : "a track resource", err))
        return RB_ERR;
    memset(out, 0, sizeof *out);
    out->index = i;
    if (get_string(r, path, "reference_id", 1, REF_MAX_CHARS, &out->ref, err))
        return RB_ERR;
    out->kind = "shots";
    if (!shots) {
        static const char *const kinds[] = {"caption", "audio", NULL};
        const char *lang;
        if (get_enum(r, path, "kind", 1, kinds, "caption, audio", &out->kind, err) ||
            get_lang(r, path, "language", 0, &lang, err))
            return RB_ERR;
    }
    const json_t *src = json_object_get(r, "source");
    if (src) {
        char spath[80];
        snprintf(spath, sizeof spath, "%s.source", path);
        if (validate_source(src, spath, out->kind, shots, allow_private, &out->producer, err))
            return RB_ERR;
    }
    return RB_OK;
}

static const char *const PARAMS_REQUIRED[] = {"translate-captions", "translate-audio",
                                              "ask-questions", NULL};
static const char *const TRACK_SUPPLIED[] = {"translate-captions", "edit-captions", NULL};

static int validate_binding(const json_t *b, size_t i, const graph *g, ref_entry *out,
                            rb_err *err)
{
    char path[64];
    snprintf(path, sizeof path, "workflows[%zu]", i);
    if (!json_is_object(b))
        return rb_verr(err, path, "must be an object (got %s)", type_word(b));
    static const char *const keys[] = {"reference_id", "workflow", "inputs", "params", NULL};
    if (check_keys(b, path, keys, "a workflow binding", err))
        return RB_ERR;
    memset(out, 0, sizeof *out);
    out->is_binding = 1;
    out->index = i;
    const char *wf;
    if (get_string(b, path, "reference_id", 1, REF_MAX_CHARS, &out->ref, err) ||
        get_string(b, path, "workflow", 1, 64, &wf, err))
        return RB_ERR;
    if (!rb_workflow_known(wf)) {
        char list[400] = "";
        size_t used = 0;
        const char *const *names = rb_workflow_names();
        for (size_t k = 0; names[k]; k++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", names[k]);
            if (w < 0 || (size_t)w >= sizeof list - used)
                break;
            used += (size_t)w;
        }
        return rb_verr_field(err, path, "workflow", "must be one of: %s", list);
    }
    out->kind = wf; /* bindings keep their workflow name here */

    const json_t *inputs = json_object_get(b, "inputs");
    int has_caption = 0;
    if (inputs) {
        char ipath[96];
        snprintf(ipath, sizeof ipath, "%s.inputs", path);
        if (!json_is_array(inputs))
            return rb_verr(err, ipath, "must be an array (got %s)", type_word(inputs));
        for (size_t k = 0; k < json_array_size(inputs); k++) {
            const json_t *in = json_array_get(inputs, k);
            char ip[128];
            snprintf(ip, sizeof ip, "%s[%zu]", ipath, k);
            if (!json_is_string(in))
                return rb_verr(err, ip, "must be a string (got %s)", type_word(in));
            const char *ref = json_string_value(in);
            const ref_entry *r = find_ref(g, ref);
            if (!r || r->is_binding)
                return rb_verr(err, ip, "'%.64s' is not the reference_id of a declared resource",
                               ref);
            for (size_t m = 0; m < k; m++)
                if (strcmp(json_string_value(json_array_get(inputs, m)), ref) == 0)
                    return rb_verr(err, ip, "'%.64s' is listed twice", ref);
            has_caption |= strcmp(r->kind, "caption") == 0;
        }
    }

    const json_t *params = json_object_get(b, "params");
    char ppath[96];
    snprintf(ppath, sizeof ppath, "%s.params", path);
    if (!params && one_of(wf, PARAMS_REQUIRED))
        return rb_verr(err, ppath, "is required for %s", wf);
    int track = one_of(wf, TRACK_SUPPLIED);
    const char *excl_asset[] = {"asset_id", NULL};
    const char *excl_track[] = {"asset_id", "track_id", NULL};
    json_t *empty = params ? NULL : json_object();
    int rc = rb_validate_params_except(wf, params ? params : empty, ppath,
                                       track ? excl_track : excl_asset, err);
    json_decref(empty);
    if (rc != RB_OK)
        return RB_ERR;
    if (track && !has_caption)
        return rb_verr_field(err, path, "inputs",
                             "must name a caption resource: the engine passes its track to %s "
                             "as track_id",
                             wf);
    return RB_OK;
}

/* Depth-first search over "binding needs resource produced by binding".
 * state: 0 unvisited, 1 on the stack, 2 done. */
static int find_cycle(const json_t *workflows, const graph *g, size_t b, int *state)
{
    if (state[b] == 1)
        return 1;
    if (state[b] == 2)
        return 0;
    state[b] = 1;
    const json_t *inputs = json_object_get(json_array_get(workflows, b), "inputs");
    for (size_t k = 0; k < json_array_size(inputs); k++) {
        const ref_entry *r = find_ref(g, json_string_value(json_array_get(inputs, k)));
        const ref_entry *p = r && r->producer ? find_ref(g, r->producer) : NULL;
        if (p && p->is_binding && find_cycle(workflows, g, p->index, state))
            return 1;
    }
    state[b] = 2;
    return 0;
}

int rb_api_directive_validate(const json_t *body, int (*available)(const char *workflow),
                              int allow_private_urls, rb_err *err)
{
    static const char *const keys[] = {"name", "subject", "resources", "workflows", NULL};
    if (check_keys(body, "", keys, "the request body", err))
        return RB_ERR;
    const char *s;
    if (get_string(body, "", "name", 1, NAME_MAX_CHARS, &s, err))
        return RB_ERR;
    const json_t *subject = json_object_get(body, "subject");
    if (!subject)
        return rb_verr(err, "subject", "is required");
    if (!json_is_object(subject))
        return rb_verr(err, "subject", "must be an object (got %s)", type_word(subject));
    static const char *const skeys[] = {"type", NULL};
    if (check_keys(subject, "subject", skeys, "subject", err) ||
        get_string(subject, "subject", "type", 1, 64, &s, err))
        return RB_ERR;
    if (strcmp(s, "video.live_stream") == 0)
        return rb_verr(err, "subject.type",
                       "video.live_stream is reserved and not accepted yet; use video.asset");
    if (strcmp(s, "video.asset") != 0)
        return rb_verr(err, "subject.type", "must be one of: video.asset");

    const json_t *resources = json_object_get(body, "resources");
    if (resources && !json_is_array(resources))
        return rb_verr(err, "resources", "must be an array (got %s)", type_word(resources));
    const json_t *workflows = json_object_get(body, "workflows");
    if (!workflows)
        return rb_verr(err, "workflows", "is required");
    if (!json_is_array(workflows))
        return rb_verr(err, "workflows", "must be an array (got %s)", type_word(workflows));
    if (json_array_size(workflows) < 1)
        return rb_verr(err, "workflows", "must have at least 1 item");
    size_t nr = json_array_size(resources), nb = json_array_size(workflows);
    if (nr > 100 || nb > 100)
        return rb_verr(err, nr > 100 ? "resources" : "workflows", "must have at most 100 items");

    graph g = {.e = calloc(nr + nb + 1, sizeof(ref_entry)), .n = 0};
    int *state = calloc(nb + 1, sizeof(int));
    int rc = RB_OK;
    if (!g.e || !state) {
        rc = rb_err_set(err, 500, "internal_error", "out of memory");
        goto done;
    }
    /* Resources first: bindings refer to them by inputs. Reference ids are
     * one namespace across resources and bindings. */
    for (size_t i = 0; i < nr && !rc; i++) {
        ref_entry e;
        rc = validate_resource(json_array_get(resources, i), i, allow_private_urls, &e, err);
        if (!rc && find_ref(&g, e.ref)) {
            char path[64];
            snprintf(path, sizeof path, "resources[%zu]", i);
            rc = rb_verr_field(err, path, "reference_id", "'%.64s' is used twice", e.ref);
        }
        if (!rc)
            g.e[g.n++] = e;
    }
    /* Binding reference ids are registered before any binding is checked,
     * so the uniqueness rule does not depend on the order. */
    for (size_t i = 0; i < nb && !rc; i++) {
        const json_t *b = json_array_get(workflows, i);
        const char *ref = json_string_value(json_object_get(b, "reference_id"));
        char path[64];
        snprintf(path, sizeof path, "workflows[%zu]", i);
        if (!json_is_object(b)) {
            rc = rb_verr(err, path, "must be an object (got %s)", type_word(b));
        } else if (ref && find_ref(&g, ref)) {
            rc = rb_verr_field(err, path, "reference_id", "'%.64s' is used twice", ref);
        } else if (ref) {
            g.e[g.n++] = (ref_entry){.ref = ref, .is_binding = 1, .index = i};
        }
    }
    for (size_t i = 0; i < nb && !rc; i++) {
        ref_entry e;
        rc = validate_binding(json_array_get(workflows, i), i, &g, &e, err);
    }
    for (size_t i = 0; i < nr && !rc; i++) {
        const ref_entry *r = &g.e[i];
        const ref_entry *p = r->producer ? find_ref(&g, r->producer) : NULL;
        if (r->producer && (!p || !p->is_binding)) {
            char path[64];
            snprintf(path, sizeof path, "resources[%zu].source", i);
            rc = rb_verr_field(err, path, "binding",
                               "'%.64s' is not the reference_id of a workflow binding",
                               r->producer);
        }
    }
    for (size_t i = 0; i < nb && !rc; i++) {
        if (find_cycle(workflows, &g, i, state)) {
            char path[64];
            snprintf(path, sizeof path, "workflows[%zu]", i);
            rc = rb_verr(err, path,
                         "('%.64s') is part of a dependency cycle through resource sources",
                         json_string_value(json_object_get(json_array_get(workflows, i),
                                                           "reference_id")));
        }
    }
    /* Last, like job create: the request is valid but this build cannot run
     * one of its workflows, and a directive that can only fail is refused. */
    for (size_t i = 0; i < nb && !rc && available; i++) {
        const char *wf = json_string_value(json_object_get(json_array_get(workflows, i),
                                                           "workflow"));
        if (!available(wf))
            rc = rb_err_set(err, 501, "not_implemented",
                            "workflows[%zu].workflow: the %s workflow has no engine in this "
                            "build yet",
                            i, wf);
    }
done:
    free(g.e);
    free(state);
    return rc ? RB_ERR : RB_OK;
}

/* ---- rendering ------------------------------------------------------------- */

static json_t *directive_json(const rb_directive *d)
{
    json_t *o = json_pack("{s:s, s:s}", "id", d->id, "name", d->name ? d->name : "");
    if (!o)
        return NULL;
    const char *keys[] = {"subject", "resources", "workflows"};
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(d->config, keys[i]);
        json_object_set_new(o, keys[i], v ? json_deep_copy(v) : json_array());
    }
    json_object_set_new(o, "created_at", json_integer(d->created_at));
    json_object_set_new(o, "updated_at", json_integer(d->updated_at));
    return o;
}

/* DirectiveRunDetail (spec §7.4): the REST names run_id and subject_id. */
static json_t *run_json(const rb_directive_run *r)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "run_id", r->id, "status", r->status,
                          "subject_id", r->asset_id, "started_at", (json_int_t)r->started_at);
    if (!o)
        return NULL;
    json_object_set_new(o, "completed_at",
                        r->completed_at ? json_integer(r->completed_at) : json_null());
    json_object_set_new(o, "node_states",
                        r->node_states ? json_deep_copy(r->node_states) : json_array());
    return o;
}

/* ---- handlers -------------------------------------------------------------- */

static void answer_store_error(rb_resp *resp, int rc, rb_err *err)
{
    if (err->status < 500)
        err->status = rc == RB_BUSY ? 503 : 500;
    if (!err->type[0])
        snprintf(err->type, sizeof err->type, "%s",
                 rc == RB_BUSY ? "unavailable" : "internal_error");
    if (!err->message[0])
        snprintf(err->message, sizeof err->message, "storage error");
    rb_resp_error(resp, err);
}

static void answer_not_implemented(rb_resp *resp, const rb_err *err)
{
    rb_resp_error(resp, err);
    /* The SDK retries every status >= 500; retrying cannot help here. */
    rb_resp_header(resp, "x-should-retry", "false");
}

void rb_api_directive_create(rb_app *app, const rb_req *req, rb_resp *resp)
{
    json_t *body = rb_req_json_object(req, resp);
    if (!body)
        return;
    rb_err err;
    rb_err_clear(&err);
    rb_directive d;
    memset(&d, 0, sizeof d);
    int allow_private = app->cfg ? app->cfg->allow_private_urls : 0;
    if (rb_api_directive_validate(body, app->workflow_available, allow_private, &err) != RB_OK) {
        if (err.status == 501)
            answer_not_implemented(resp, &err);
        else
            rb_resp_error(resp, &err);
        goto done;
    }
    if (rb_random_id(d.id, sizeof d.id, "drv_", 24) != RB_OK) {
        rb_resp_errorf(resp, 500, "internal_error", "could not generate a directive id");
        goto done;
    }
    snprintf(d.env_id, sizeof d.env_id, "%s", req->env.id);
    d.name = strdup(json_string_value(json_object_get(body, "name")));
    json_t *resources = json_object_get(body, "resources");
    /* Stored as sent, with resources defaulting to [] (spec §7.2). */
    d.config = json_pack("{s:O, s:o, s:O}", "subject", json_object_get(body, "subject"),
                         "resources", resources ? json_incref(resources) : json_array(),
                         "workflows", json_object_get(body, "workflows"));
    if (!d.name || !d.config) {
        rb_resp_errorf(resp, 500, "internal_error", "out of memory");
        goto done;
    }
    d.created_at = d.updated_at = rb_now();
    int rc = rb_store_directive_insert(app->store, &d, &err);
    if (rc != RB_OK)
        answer_store_error(resp, rc, &err);
    else
        rb_resp_data(resp, 201, directive_json(&d));
done:
    rb_directive_clear(&d);
    json_decref(body);
}

/* Parses a query integer: digits only, within [lo, hi]. 0 on success. */
static int parse_int_param(const char *s, long lo, long hi, int *out)
{
    if (!s || !*s || strlen(s) > 12)
        return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    long v = strtol(s, NULL, 10);
    if (v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* limit/page as for jobs (spec §1.7); answers 400 itself. */
static int parse_paging(const rb_req *req, rb_resp *resp, int *limit, int *page)
{
    const char *v;
    *limit = 25;
    *page = 1;
    if ((v = rb_req_query(req, "limit")) && parse_int_param(v, 1, 100, limit)) {
        rb_resp_errorf(resp, 400, "invalid_parameters", "limit must be an integer from 1 to 100");
        return -1;
    }
    if ((v = rb_req_query(req, "page")) && parse_int_param(v, 1, LIST_MAX_PAGE, page)) {
        rb_resp_errorf(resp, 400, "invalid_parameters", "page must be an integer from 1 to %d",
                       LIST_MAX_PAGE);
        return -1;
    }
    return 0;
}

void rb_api_directive_list(rb_app *app, const rb_req *req, rb_resp *resp)
{
    int limit, page;
    if (parse_paging(req, resp, &limit, &page))
        return;
    rb_directive *ds = NULL;
    size_t n = 0;
    int64_t total = 0;
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_directive_list(app->store, req->env.id, limit, page, &ds, &n, &total, &err);
    if (rc != RB_OK) {
        answer_store_error(resp, rc, &err);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        if (data)
            json_array_append_new(data, directive_json(&ds[i]));
        rb_directive_clear(&ds[i]);
    }
    free(ds);
    rb_resp_json(resp, 200,
                 data ? json_pack("{s:o, s:I}", "data", data, "total_row_count",
                                  (json_int_t)total)
                      : NULL);
}

/* Loads the active directive params[0]; answers 404/5xx itself. */
static int load_directive(rb_app *app, const rb_req *req, rb_resp *resp, rb_directive *d)
{
    const char *id = req->nparams > 0 ? req->params[0] : "";
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_directive_get(app->store, req->env.id, id, 0, d, &err);
    if (rc == RB_NOTFOUND)
        rb_resp_errorf(resp, 404, "not_found", "no directive with id '%.255s'", id);
    else if (rc != RB_OK)
        answer_store_error(resp, rc, &err);
    return rc;
}

void rb_api_directive_get(rb_app *app, const rb_req *req, rb_resp *resp)
{
    rb_directive d;
    memset(&d, 0, sizeof d);
    if (load_directive(app, req, resp, &d) == RB_OK)
        rb_resp_data(resp, 200, directive_json(&d));
    rb_directive_clear(&d);
}

void rb_api_directive_delete(rb_app *app, const rb_req *req, rb_resp *resp)
{
    const char *id = req->nparams > 0 ? req->params[0] : "";
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_directive_delete(app->store, req->env.id, id, &err);
    if (rc == RB_NOTFOUND)
        rb_resp_errorf(resp, 404, "not_found", "no directive with id '%.255s'", id);
    else if (rc != RB_OK)
        answer_store_error(resp, rc, &err);
    else
        resp->status = 204;
}

/* The NodeState every binding starts in: nothing has been looked at yet. */
static json_t *initial_node_states(const rb_directive *d)
{
    json_t *out = json_array();
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(d->config, "workflows"), i, b)
    {
        json_array_append_new(
            out, json_pack("{s:O, s:s, s:O}", "reference_id", json_object_get(b, "reference_id"),
                           "status", "waiting_for_resources", "workflow_name",
                           json_object_get(b, "workflow")));
    }
    return out;
}

void rb_api_directive_run_create(rb_app *app, const rb_req *req, rb_resp *resp)
{
    rb_directive d;
    memset(&d, 0, sizeof d);
    if (load_directive(app, req, resp, &d) != RB_OK)
        return;
    rb_err err;
    rb_err_clear(&err);
    rb_asset asset;
    memset(&asset, 0, sizeof asset);
    rb_directive_run run;
    memset(&run, 0, sizeof run);
    json_t *body = rb_req_json_object(req, resp);
    if (!body)
        goto done;
    static const char *const keys[] = {"asset_id", NULL};
    const char *asset_id;
    if (check_keys(body, "", keys, "the request body", &err) ||
        get_string(body, "", "asset_id", 1, 255, &asset_id, &err)) {
        rb_resp_error(resp, &err);
        goto done;
    }
    int rc = rb_store_asset_get(app->store, req->env.id, asset_id, &asset, &err);
    if (rc == RB_NOTFOUND) {
        rb_resp_errorf(resp, 422, "invalid_parameters", "asset '%.255s' does not exist",
                       asset_id);
        goto done;
    }
    if (rc != RB_OK) {
        answer_store_error(resp, rc, &err);
        goto done;
    }
    if (strcmp(asset.status, "ready") != 0) {
        rb_resp_errorf(resp, 422, "invalid_parameters", "asset '%.255s' is not ready (status: %s)",
                       asset_id, asset.status);
        goto done;
    }
    snprintf(run.env_id, sizeof run.env_id, "%s", req->env.id);
    snprintf(run.directive_id, sizeof run.directive_id, "%s", d.id);
    snprintf(run.asset_id, sizeof run.asset_id, "%s", asset.id);
    run.node_states = initial_node_states(&d);
    char conflict[RB_ID_MAX];
    rc = rb_store_directive_run_create(app->store, &run, conflict, &err);
    if (rc == RB_NOTFOUND) {
        /* Deleted between the lookup and the insert. */
        rb_resp_errorf(resp, 404, "not_found", "no directive with id '%.255s'", d.id);
    } else if (rc == RB_CONFLICT) {
        rb_resp_errorf(resp, 409, "conflict",
                       "run %s of directive %s for asset %s is still active", conflict, d.id,
                       asset.id);
        rb_resp_header(resp, "x-should-retry", "false");
    } else if (rc != RB_OK) {
        answer_store_error(resp, rc, &err);
    } else {
        /* The run processor shares the ingester's loop; waking it saves the
         * poll delay. */
        if (app->wake_ingest)
            app->wake_ingest(app->wake_ingest_arg);
        rb_resp_data(resp, 202,
                     json_pack("{s:s, s:s, s:s}", "run_id", run.id, "status", "pending",
                               "subject_id", run.asset_id));
    }
done:
    json_decref(body);
    rb_directive_run_clear(&run);
    rb_asset_clear(&asset);
    rb_directive_clear(&d);
}

void rb_api_directive_run_list(rb_app *app, const rb_req *req, rb_resp *resp)
{
    int limit, page;
    if (parse_paging(req, resp, &limit, &page))
        return;
    rb_directive d;
    memset(&d, 0, sizeof d);
    if (load_directive(app, req, resp, &d) != RB_OK)
        return;
    rb_directive_run *runs = NULL;
    size_t n = 0;
    int64_t total = 0;
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_directive_run_list(app->store, req->env.id, d.id, limit, page, &runs, &n,
                                         &total, &err);
    rb_directive_clear(&d);
    if (rc != RB_OK) {
        answer_store_error(resp, rc, &err);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < n; i++) {
        if (data)
            json_array_append_new(data, run_json(&runs[i]));
        rb_directive_run_clear(&runs[i]);
    }
    free(runs);
    rb_resp_json(resp, 200,
                 data ? json_pack("{s:o, s:I}", "data", data, "total_row_count",
                                  (json_int_t)total)
                      : NULL);
}

void rb_api_directive_run_get(rb_app *app, const rb_req *req, rb_resp *resp)
{
    rb_directive d;
    memset(&d, 0, sizeof d);
    if (load_directive(app, req, resp, &d) != RB_OK)
        return;
    const char *run_id = req->nparams > 1 ? req->params[1] : "";
    rb_directive_run run;
    memset(&run, 0, sizeof run);
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_directive_run_get(app->store, req->env.id, d.id, run_id, &run, &err);
    if (rc == RB_NOTFOUND)
        rb_resp_errorf(resp, 404, "not_found", "no run with id '%.255s' for directive %s",
                       run_id, d.id);
    else if (rc != RB_OK)
        answer_store_error(resp, rc, &err);
    else
        rb_resp_data(resp, 200, run_json(&run));
    rb_directive_run_clear(&run);
    rb_directive_clear(&d);
}

/* ---- directives attached to assets (spec §7.3) ---------------------------- */

#define ASSET_DIRECTIVES_MAX 10

int rb_api_asset_directives_parse(rb_app *app, const char *env_id, const json_t *body,
                                  json_t **ids, rb_err *err)
{
    *ids = NULL;
    const json_t *list = json_object_get(body, "directives");
    if (!list)
        return RB_OK;
    if (!json_is_array(list))
        return rb_verr(err, "directives", "must be an array (got %s)", type_word(list));
    if (json_array_size(list) > ASSET_DIRECTIVES_MAX)
        return rb_verr(err, "directives", "must have at most %d items", ASSET_DIRECTIVES_MAX);
    json_t *out = json_array();
    if (!out)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *item = json_array_get(list, i);
        char path[48];
        snprintf(path, sizeof path, "directives[%zu]", i);
        static const char *const keys[] = {"id", NULL};
        const char *id;
        if (!json_is_object(item)) {
            rb_verr(err, path, "must be an object (got %s)", type_word(item));
            goto fail;
        }
        if (check_keys(item, path, keys, "a directive reference", err) ||
            get_string(item, path, "id", 1, 255, &id, err))
            goto fail;
        /* Only an active directive of the caller's environment can be
         * attached: another environment's does not exist here. */
        rb_directive d;
        memset(&d, 0, sizeof d);
        rb_err serr;
        rb_err_clear(&serr);
        int rc = rb_store_directive_get(app->store, env_id, id, 0, &d, &serr);
        rb_directive_clear(&d);
        if (rc == RB_NOTFOUND) {
            rb_verr_field(err, path, "id", "'%.64s' is not a directive of this environment", id);
            goto fail;
        }
        if (rc != RB_OK) {
            *err = serr;
            goto fail;
        }
        int dup = 0;
        for (size_t k = 0; k < json_array_size(out); k++)
            dup |= strcmp(json_string_value(json_array_get(out, k)), id) == 0;
        if (!dup) /* attaching twice is attaching once (spec §7.3) */
            json_array_append_new(out, json_string(id));
    }
    *ids = out;
    return RB_OK;
fail:
    json_decref(out);
    return RB_ERR;
}

int rb_api_asset_directives_attach(rb_app *app, const char *env_id, const char *asset_id,
                                   const json_t *ids, rb_err *err)
{
    size_t n = json_array_size(ids);
    if (n == 0)
        return RB_OK;
    const char *list[ASSET_DIRECTIVES_MAX];
    for (size_t i = 0; i < n && i < ASSET_DIRECTIVES_MAX; i++)
        list[i] = json_string_value(json_array_get(ids, i));
    int rc = rb_store_asset_directives_add(app->store, env_id, asset_id, list,
                                           n < ASSET_DIRECTIVES_MAX ? n : ASSET_DIRECTIVES_MAX,
                                           err);
    /* The ingester starts the runs once the asset is ready. */
    if (rc == RB_OK && app->wake_ingest)
        app->wake_ingest(app->wake_ingest_arg);
    return rc;
}

void rb_api_asset_directives_render(rb_app *app, const char *env_id, const char *asset_id,
                                    json_t *asset_json)
{
    json_t *list = NULL;
    rb_err err;
    rb_err_clear(&err);
    if (!asset_json ||
        rb_store_asset_directives_list(app->store, env_id, asset_id, &list, &err) != RB_OK)
        return;
    if (json_array_size(list) > 0)
        json_object_set_new(asset_json, "directives", list);
    else
        json_decref(list);
}
