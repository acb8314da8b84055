/* assets.c — the Mux Video API subset (spec §8): assets, tracks and
 * playback ids, plus the two public file routes.
 *
 * Handlers validate, write rows in "preparing" and return; fetching inputs
 * is the ingester's job (media/library_ingest.c). Input URLs are checked
 * against the outbound URL policy here already, so a client learns at once
 * that a URL can never be fetched. Validation errors name the field and the
 * rule; another environment's asset is simply not found. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/cursor.h"
#include "api/validate.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "media/fetch.h"
#include "media/langname.h"
#include "media/library.h"

#define MAX_INPUTS 32
#define ID_CHARS 32 /* asset, track and playback ids: 32 random base62 characters */

/* ---- small validators ------------------------------------------------------ */

static int in_list(const char *s, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* Rejects keys that are neither known nor known-and-ignored. prefix is the
 * path of obj ("" for the body, "inputs[2]" for an input). */
static int check_keys(const json_t *obj, const char *prefix, const char *const *known,
                      const char *const *ignored, const char *what, rb_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (in_list(key, known) || in_list(key, ignored))
            continue;
        char path[160];
        snprintf(path, sizeof path, "%s%s%.60s", prefix, prefix[0] ? "." : "", key);
        return rb_verr(err, path, "is not a known field of %s", what);
    }
    return RB_OK;
}

/* An optional string of at most max_cp code points (and max_bytes bytes when
 * it lands in a fixed-size column; 0 = no byte limit). *out stays NULL when
 * the key is absent. */
static int opt_string(const json_t *obj, const char *key, const char *prefix, size_t max_cp,
                      size_t max_bytes, const char **out, rb_err *err)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v)
        return RB_OK;
    char path[160];
    snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
    if (!json_is_string(v))
        return rb_verr(err, path, "must be a string");
    size_t len = json_string_length(v);
    if (rb_utf8_length(json_string_value(v), len) > max_cp)
        return rb_verr(err, path, "must be at most %zu characters", max_cp);
    if (max_bytes && len > max_bytes)
        return rb_verr(err, path, "must be at most %zu bytes of UTF-8", max_bytes);
    if (strlen(json_string_value(v)) != len)
        return rb_verr(err, path, "must not contain NUL characters");
    *out = json_string_value(v);
    return RB_OK;
}

static int opt_bool(const json_t *obj, const char *key, const char *prefix, int *out, rb_err *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return RB_OK;
    if (!json_is_boolean(v)) {
        char path[160];
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
        return rb_verr(err, path, "must be a boolean");
    }
    *out = json_is_true(v);
    return RB_OK;
}

static int opt_enum(const json_t *obj, const char *key, const char *prefix,
                    const char *const *values, const char *values_text, const char **out,
                    rb_err *err)
{
    int rc = opt_string(obj, key, prefix, 64, 0, out, err);
    if (rc != RB_OK || !*out)
        return rc;
    if (!in_list(*out, values)) {
        char path[160];
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
        return rb_verr(err, path, "must be one of %s", values_text);
    }
    return RB_OK;
}

static int language_code(const json_t *obj, const char *prefix, int required, const char **out,
                         rb_err *err)
{
    char path[160];
    snprintf(path, sizeof path, "%s%slanguage_code", prefix, prefix[0] ? "." : "");
    json_t *v = json_object_get(obj, "language_code");
    *out = NULL;
    if (!v) {
        if (required)
            return rb_verr(err, path, "is required");
        return RB_OK;
    }
    if (!json_is_string(v))
        return rb_verr(err, path, "must be a string");
    if (rb_vcheck_language_tag(v, path, err) != RB_OK)
        return RB_ERR;
    *out = json_string_value(v);
    return RB_OK;
}

static const char *const text_types[] = {"subtitles", "chapters", NULL};

/* meta {title ≤512, creator_id ≤128, external_id ≤128}. With merge, into is
 * updated key by key and "" or null removes a key (PATCH); otherwise the
 * whole object is validated and copied (create). */
static int apply_meta(const json_t *meta, json_t **into, int merge, rb_err *err)
{
    static const char *const keys[] = {"title", "creator_id", "external_id", NULL};
    static const size_t limits[] = {512, 128, 128};
    if (!json_is_object(meta))
        return rb_verr(err, "meta", "must be an object");
    if (check_keys(meta, "meta", keys, NULL, "meta (title, creator_id, external_id)", err))
        return RB_ERR;
    for (size_t i = 0; keys[i]; i++) {
        json_t *v = json_object_get(meta, keys[i]);
        if (!v)
            continue;
        if (merge && json_is_null(v)) {
            if (*into)
                json_object_del(*into, keys[i]);
            continue;
        }
        const char *s;
        if (opt_string(meta, keys[i], "meta", limits[i], 0, &s, err) != RB_OK)
            return RB_ERR;
        if (!*into)
            *into = json_object();
        if (merge && !*s)
            json_object_del(*into, keys[i]);
        else
            json_object_set_new(*into, keys[i], json_string(s));
    }
    return RB_OK;
}

static int new_id(char *out, size_t outlen, rb_err *err)
{
    if (rb_random_id(out, outlen, "", ID_CHARS) != RB_OK)
        return rb_err_set(err, 500, "internal_error", "the random number generator failed");
    return RB_OK;
}

static int add_playback_id(json_t *ids, const char *policy, const char *path, rb_err *err)
{
    if (strcmp(policy, "drm") == 0)
        return rb_verr(err, path, "drm playback ids are not supported by this server");
    if (strcmp(policy, "public") != 0 && strcmp(policy, "signed") != 0)
        return rb_verr(err, path, "must be public or signed");
    char id[RB_ID_MAX];
    if (new_id(id, sizeof id, err) != RB_OK)
        return RB_ERR;
    json_array_append_new(ids, json_pack("{s:s,s:s}", "id", id, "policy", policy));
    return RB_OK;
}

/* playback_policies / playback_policy: a string or an array of strings;
 * advanced_playback_policies: [{policy, drm_configuration_id?}]. */
static int build_playback_ids(const json_t *body, json_t *ids, rb_err *err)
{
    const json_t *pp = json_object_get(body, "playback_policies");
    const char *name = "playback_policies";
    if (json_object_get(body, "playback_policy")) {
        if (pp)
            return rb_verr(err, "playback_policy",
                           "cannot be given together with playback_policies");
        pp = json_object_get(body, "playback_policy");
        name = "playback_policy";
    }
    if (pp && json_is_string(pp)) {
        if (add_playback_id(ids, json_string_value(pp), name, err) != RB_OK)
            return RB_ERR;
    } else if (pp && json_is_array(pp)) {
        size_t i;
        json_t *v;
        json_array_foreach(pp, i, v)
        {
            char path[64];
            snprintf(path, sizeof path, "%s[%zu]", name, i);
            if (!json_is_string(v))
                return rb_verr(err, path, "must be a string");
            if (add_playback_id(ids, json_string_value(v), path, err) != RB_OK)
                return RB_ERR;
        }
    } else if (pp) {
        return rb_verr(err, name, "must be a string or an array of strings");
    }
    const json_t *adv = json_object_get(body, "advanced_playback_policies");
    if (adv) {
        if (!json_is_array(adv))
            return rb_verr(err, "advanced_playback_policies", "must be an array");
        size_t i;
        json_t *v;
        static const char *const keys[] = {"policy", "drm_configuration_id", NULL};
        json_array_foreach(adv, i, v)
        {
            char path[64], ppath[80];
            snprintf(path, sizeof path, "advanced_playback_policies[%zu]", i);
            snprintf(ppath, sizeof ppath, "%s.policy", path);
            if (!json_is_object(v))
                return rb_verr(err, path, "must be an object");
            if (check_keys(v, path, keys, NULL, "a playback policy", err) != RB_OK)
                return RB_ERR;
            const char *pol = json_string_value(json_object_get(v, "policy"));
            if (!pol)
                return rb_verr(err, ppath, "is required and must be a string");
            if (add_playback_id(ids, pol, ppath, err) != RB_OK)
                return RB_ERR;
        }
    }
    return RB_OK;
}

static int name_taken(const rb_asset *a, size_t ntracks, const char *type, const char *name)
{
    for (size_t i = 0; i < ntracks; i++) {
        const rb_track *t = &a->tracks[i];
        if (strcmp(t->type, type) == 0 && strcmp(t->status, "deleted") != 0 &&
            strcmp(t->name, name) == 0)
            return 1;
    }
    return 0;
}

static void default_name(char *out, size_t outlen, const char *name, const char *lang)
{
    const char *d = lang ? rb_langname(lang) : NULL;
    snprintf(out, outlen, "%s", name ? name : d ? d : lang ? lang : "");
}

/* ---- create ----------------------------------------------------------------- */

static int build_input(rb_app *app, const json_t *in, size_t idx, rb_asset *a, int *have_media,
                       rb_err *err)
{
    static const char *const known[] = {"url",           "type", "text_type",
                                        "language_code", "name", "closed_captions",
                                        "passthrough",   NULL};
    static const char *const ignored[] = {"overlay_settings", "start_time", "end_time",
                                          "generated_subtitles", NULL};
    static const char *const types[] = {"video", "audio", "text", NULL};
    char prefix[32];
    snprintf(prefix, sizeof prefix, "inputs[%zu]", idx);
    if (!json_is_object(in))
        return rb_verr(err, prefix, "must be an object with a url");
    if (check_keys(in, prefix, known, ignored, "an input", err) != RB_OK)
        return RB_ERR;
    const char *url, *type, *text_type, *lang, *name, *pt;
    int cc = 0;
    char upath[48];
    snprintf(upath, sizeof upath, "%s.url", prefix);
    if (opt_string(in, "url", prefix, 4096, 0, &url, err) != RB_OK)
        return RB_ERR;
    if (!url)
        return rb_verr(err, upath, "is required");
    if (rb_fetch_check_url_field(upath, url, app->cfg->allow_private_urls, err) != RB_OK)
        return RB_ERR;
    if (opt_enum(in, "type", prefix, types, "video, audio or text", &type, err) ||
        opt_enum(in, "text_type", prefix, text_types, "subtitles or chapters", &text_type, err) ||
        opt_string(in, "name", prefix, 255, 255, &name, err) ||
        opt_string(in, "passthrough", prefix, 255, 0, &pt, err) ||
        opt_bool(in, "closed_captions", prefix, &cc, err))
        return RB_ERR;
    int text = type && strcmp(type, "text") == 0;
    if (language_code(in, prefix, text, &lang, err) != RB_OK)
        return RB_ERR;
    if (!text) {
        if (*have_media)
            return rb_verr(err, prefix,
                           "is a second video/audio input; only one media input is supported "
                           "(add text inputs with \"type\": \"text\")");
        *have_media = 1;
        return RB_OK;
    }
    rb_track *t = &a->tracks[a->n_tracks];
    memset(t, 0, sizeof *t);
    if (new_id(t->id, sizeof t->id, err) != RB_OK)
        return RB_ERR;
    snprintf(t->asset_id, sizeof t->asset_id, "%s", a->id);
    snprintf(t->env_id, sizeof t->env_id, "%s", a->env_id);
    snprintf(t->type, sizeof t->type, "text");
    snprintf(t->status, sizeof t->status, "preparing");
    snprintf(t->text_type, sizeof t->text_type, "%s", text_type ? text_type : "subtitles");
    snprintf(t->text_source, sizeof t->text_source, "uploaded");
    snprintf(t->language_code, sizeof t->language_code, "%s", lang);
    default_name(t->name, sizeof t->name, name, lang);
    t->closed_captions = cc;
    t->created_at = a->created_at;
    t->source_url = strdup(url);
    t->passthrough = pt ? strdup(pt) : NULL;
    if (!t->source_url || (pt && !t->passthrough)) {
        rb_track_clear(t);
        return rb_err_set(err, 500, "internal_error", "out of memory");
    }
    if (name_taken(a, a->n_tracks, "text", t->name)) {
        char path[48];
        snprintf(path, sizeof path, "%s.name", prefix);
        rb_verr(err, path, "\"%.100s\" is already the name of another text input", t->name);
        rb_track_clear(t);
        return RB_ERR;
    }
    a->n_tracks++;
    return RB_OK;
}

static int build_asset(rb_app *app, const rb_req *req, const json_t *body, rb_asset *a, rb_err *err)
{
    static const char *const known[] = {"inputs",
                                        "input",
                                        "playback_policy",
                                        "playback_policies",
                                        "advanced_playback_policies",
                                        "passthrough",
                                        "meta",
                                        "directives",
                                        NULL};
    /* Documented Mux create options that change encoding, delivery or billing,
     * none of which exists here: accepted so Mux clients work, not acted on. */
    static const char *const ignored[] = {"video_quality",
                                          "mp4_support",
                                          "normalize_audio",
                                          "master_access",
                                          "encoding_tier",
                                          "max_resolution_tier",
                                          "test",
                                          "static_renditions",
                                          "per_title_encode",
                                          "generated_subtitles",
                                          "copy_overlays",
                                          NULL};
    if (check_keys(body, "", known, ignored, "an asset", err) != RB_OK)
        return RB_ERR;

    if (new_id(a->id, sizeof a->id, err) != RB_OK)
        return RB_ERR;
    snprintf(a->env_id, sizeof a->env_id, "%s", req->env.id);
    snprintf(a->status, sizeof a->status, "preparing");
    a->created_at = rb_now();
    a->thumbnail_time = -1;

    const json_t *inputs = json_object_get(body, "inputs");
    const char *iname = "inputs";
    if (json_object_get(body, "input")) {
        if (inputs)
            return rb_verr(err, "input", "cannot be given together with inputs");
        inputs = json_object_get(body, "input");
        iname = "input";
    }
    if (!inputs)
        return rb_verr(err, "inputs", "is required: give at least one input with a url");
    json_t *list;
    if (json_is_string(inputs))
        list = json_pack("[{s:O}]", "url", inputs); /* the old shortcut: input = "<url>" */
    else if (json_is_array(inputs))
        list = json_deep_copy(inputs);
    else
        return rb_verr(err, iname, "must be an array of inputs (or a URL string)");
    a->inputs = list;
    size_t n = json_array_size(list);
    if (n == 0)
        return rb_verr(err, iname, "must contain at least one input");
    if (n > MAX_INPUTS)
        return rb_verr(err, iname, "must contain at most %d inputs", MAX_INPUTS);
    a->tracks = calloc(n, sizeof *a->tracks);
    if (!a->tracks)
        return rb_err_set(err, 500, "internal_error", "out of memory");
    int have_media = 0;
    for (size_t i = 0; i < n; i++) {
        if (build_input(app, json_array_get(list, i), i, a, &have_media, err) != RB_OK)
            return RB_ERR;
    }

    a->playback_ids = json_array();
    if (build_playback_ids(body, a->playback_ids, err) != RB_OK)
        return RB_ERR;
    const char *pt;
    if (opt_string(body, "passthrough", "", 255, 0, &pt, err) != RB_OK)
        return RB_ERR;
    if (pt && !(a->passthrough = strdup(pt)))
        return rb_err_set(err, 500, "internal_error", "out of memory");
    const json_t *meta = json_object_get(body, "meta");
    if (meta && apply_meta(meta, &a->meta, 0, err) != RB_OK)
        return RB_ERR;
    return RB_OK;
}

static void wake_ingest(rb_app *app)
{
    if (app->wake_ingest)
        app->wake_ingest(app->wake_ingest_arg);
}

void rb_api_asset_create(rb_app *app, const rb_req *req, rb_resp *resp)
{
    json_t *body = rb_req_json_object(req, resp);
    if (!body)
        return;
    rb_asset a;
    memset(&a, 0, sizeof a);
    rb_err err;
    rb_err_clear(&err);
    /* "directives": [{id}] (spec §7.3): checked before the insert, attached
     * after it; the engine runs each once the asset is ready. */
    json_t *directive_ids = NULL;
    if (build_asset(app, req, body, &a, &err) != RB_OK ||
        rb_api_asset_directives_parse(app, req->env.id, body, &directive_ids, &err) != RB_OK ||
        rb_store_asset_insert(app->store, &a, &err) != RB_OK ||
        rb_api_asset_directives_attach(app, req->env.id, a.id, directive_ids, &err) != RB_OK) {
        rb_resp_error(resp, &err);
    } else {
        wake_ingest(app);
        json_t *out = rb_library_asset_json(app->library, &a);
        rb_api_asset_directives_render(app, req->env.id, a.id, out);
        rb_resp_data(resp, 201, out);
    }
    json_decref(directive_ids);
    rb_asset_clear(&a);
    json_decref(body);
}

/* ---- read, list, update, delete ------------------------------------------- */

/* Loads params[0] of the caller's environment; answers 404/500 itself. */
static int load_asset(rb_app *app, const rb_req *req, rb_asset *a, rb_resp *resp)
{
    memset(a, 0, sizeof *a);
    rb_err err;
    rb_err_clear(&err);
    const char *id = req->nparams > 0 ? req->params[0] : "";
    int rc = rb_store_asset_get(app->store, req->env.id, id, a, &err);
    if (rc == RB_NOTFOUND) {
        rb_resp_errorf(resp, 404, "not_found", "asset %.255s not found", id);
        return RB_NOTFOUND;
    }
    if (rc != RB_OK) {
        rb_resp_error(resp, &err);
        return rc;
    }
    return RB_OK;
}

void rb_api_asset_get(rb_app *app, const rb_req *req, rb_resp *resp)
{
    rb_asset a;
    if (load_asset(app, req, &a, resp) != RB_OK)
        return;
    json_t *out = rb_library_asset_json(app->library, &a);
    rb_api_asset_directives_render(app, req->env.id, a.id, out);
    rb_resp_data(resp, 200, out);
    rb_asset_clear(&a);
}

/* Strict positive decimal within [lo, hi]; absent = dflt. */
static int query_int(const rb_req *req, const char *name, int dflt, int lo, int hi, int *out,
                     rb_resp *resp)
{
    const char *s = rb_req_query(req, name);
    if (!s) {
        *out = dflt;
        return RB_OK;
    }
    long v = 0;
    size_t n = strlen(s);
    int ok = n > 0 && n <= 9;
    for (size_t i = 0; ok && i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            ok = 0;
        else
            v = v * 10 + (s[i] - '0');
    }
    if (!ok || v < lo || v > hi) {
        if (hi == 0x7fffffff)
            rb_resp_errorf(resp, 400, "invalid_parameters", "%s must be an integer >= %d", name,
                           lo);
        else
            rb_resp_errorf(resp, 400, "invalid_parameters", "%s must be an integer from %d to %d",
                           name, lo, hi);
        return RB_ERR;
    }
    *out = (int)v;
    return RB_OK;
}

/* ---- list cursors ----------------------------------------------------------
 * The SDK pages GET /video/v1/assets as a CursorPage: it reads next_cursor
 * from each answer and sends it back as ?cursor= until next_cursor is empty.
 * A cursor is the list key of the last asset shown, (created_at, id), as
 * base64url("a1.<created_at>.<id>"). Clients must treat it as opaque; the
 * server accepts only the exact string it would have issued, so a cursor
 * that was edited, truncated or made up is a 400, not a silently wrong page. */

int rb_api_cursor_encode(int64_t created_at, const char *id, char out[RB_API_CURSOR_MAX])
{
    char plain[32 + RB_ID_MAX];
    int n = snprintf(plain, sizeof plain, "a1.%" PRId64 ".%s", created_at, id);
    if (n < 0 || (size_t)n >= sizeof plain)
        return RB_ERR;
    return rb_base64url(plain, (size_t)n, out, RB_API_CURSOR_MAX) < 0 ? RB_ERR : RB_OK;
}

int rb_api_cursor_decode(const char *cur, int64_t *created_at, char id[RB_ID_MAX])
{
    size_t len = strlen(cur);
    char std[RB_API_CURSOR_MAX + 4];
    if (len == 0 || len >= RB_API_CURSOR_MAX || len % 4 == 1)
        return RB_ERR;
    /* base64url → standard base64 with padding, for the decoder. */
    for (size_t i = 0; i < len; i++) {
        char ch = cur[i];
        if (ch == '-')
            ch = '+';
        else if (ch == '_')
            ch = '/';
        else if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                   (ch >= '0' && ch <= '9')))
            return RB_ERR;
        std[i] = ch;
    }
    size_t slen = len;
    while (slen % 4)
        std[slen++] = '=';
    unsigned char plain[RB_API_CURSOR_MAX];
    int n = rb_base64_decode(std, slen, plain, sizeof plain);
    if (n < 5 || memcmp(plain, "a1.", 3) != 0)
        return RB_ERR;
    /* a1.<decimal created_at>.<id>, nothing else. */
    size_t i = 3;
    int64_t v = 0;
    size_t digits = 0;
    while (i < (size_t)n && plain[i] >= '0' && plain[i] <= '9') {
        if (digits == 18)
            return RB_ERR; /* stays far from overflow; real keys are Unix seconds */
        v = v * 10 + (plain[i] - '0');
        digits++;
        i++;
    }
    if (digits == 0 || i >= (size_t)n || plain[i] != '.')
        return RB_ERR;
    i++;
    size_t idlen = (size_t)n - i;
    if (idlen == 0 || idlen >= RB_ID_MAX)
        return RB_ERR;
    for (size_t k = 0; k < idlen; k++) {
        unsigned char ch = plain[i + k];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return RB_ERR;
        id[k] = (char)ch;
    }
    id[idlen] = '\0';
    /* Only the canonical spelling: no leading zeros, no stray padding bits. */
    char again[RB_API_CURSOR_MAX];
    if (rb_api_cursor_encode(v, id, again) != RB_OK || strcmp(again, cur) != 0)
        return RB_ERR;
    *created_at = v;
    return RB_OK;
}

/* GET /video/v1/assets: newest first, {data, next_cursor}. Two ways to page:
 * ?cursor= (what the SDK sends; keyset, stable while assets come and go) or
 * ?page= (offset pages of limit). With both, the cursor wins, because the
 * SDK keeps every original query parameter when it adds the cursor.
 * next_cursor continues after the last asset shown and is null on the last
 * page. */
void rb_api_asset_list(rb_app *app, const rb_req *req, rb_resp *resp)
{
    int limit, page;
    if (query_int(req, "limit", 25, 1, 100, &limit, resp) != RB_OK ||
        query_int(req, "page", 1, 1, 0x7fffffff, &page, resp) != RB_OK)
        return;
    const char *cursor = rb_req_query(req, "cursor");
    int64_t after_at = 0;
    char after_id[RB_ID_MAX];
    if (cursor && rb_api_cursor_decode(cursor, &after_at, after_id) != RB_OK) {
        rb_resp_errorf(resp, 400, "invalid_parameters",
                       "cursor is not valid: pass the next_cursor of a previous list answer "
                       "unchanged");
        return;
    }
    rb_asset *as = NULL;
    size_t n = 0;
    int more = 0;
    rb_err err;
    rb_err_clear(&err);
    int rc;
    if (cursor) {
        rc = rb_store_asset_list_after(app->store, req->env.id, limit, after_at, after_id, &as, &n,
                                       &more, &err);
    } else {
        int64_t total = 0;
        rc = rb_store_asset_list(app->store, req->env.id, limit, page, &as, &n, &total, &err);
        more = (int64_t)(page - 1) * limit + (int64_t)n < total;
    }
    if (rc != RB_OK) {
        rb_resp_error(resp, &err);
        return;
    }
    char next[RB_API_CURSOR_MAX] = "";
    if (more && n > 0 && rb_api_cursor_encode(as[n - 1].created_at, as[n - 1].id, next) != RB_OK)
        next[0] = '\0'; /* an id too long for a cursor cannot come from this server */
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, rb_library_asset_json(app->library, &as[i]));
        rb_asset_clear(&as[i]);
    }
    free(as);
    rb_resp_json(resp, 200,
                 json_pack("{s:o, s:o}", "data", arr, "next_cursor",
                           next[0] ? json_string(next) : json_null()));
}

void rb_api_asset_update(rb_app *app, const rb_req *req, rb_resp *resp)
{
    static const char *const known[] = {"meta", "passthrough", "thumbnail_time", NULL};
    json_t *body = rb_req_json_object(req, resp);
    if (!body)
        return;
    rb_asset a;
    rb_err err;
    rb_err_clear(&err);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (!in_list(key, known)) {
            rb_resp_errorf(resp, 400, "invalid_parameters",
                           "%.60s cannot be updated; only meta, passthrough and thumbnail_time can",
                           key);
            json_decref(body);
            return;
        }
    }
    if (load_asset(app, req, &a, resp) != RB_OK) {
        json_decref(body);
        return;
    }
    int rc = RB_OK;
    json_t *meta = json_object_get(body, "meta");
    if (meta)
        rc = apply_meta(meta, &a.meta, 1, &err);
    json_t *pt = json_object_get(body, "passthrough");
    if (rc == RB_OK && pt) {
        const char *s = NULL;
        if (!json_is_null(pt))
            rc = opt_string(body, "passthrough", "", 255, 0, &s, &err);
        if (rc == RB_OK) {
            free(a.passthrough);
            a.passthrough = s && *s ? strdup(s) : NULL; /* "" clears it (spec 8.6) */
        }
    }
    json_t *tt = json_object_get(body, "thumbnail_time");
    if (rc == RB_OK && tt) {
        if (json_is_null(tt)) {
            a.thumbnail_time = -1;
        } else if (!json_is_number(tt)) {
            rc = rb_verr(&err, "thumbnail_time", "must be a number of seconds");
        } else if (strcmp(a.status, "ready") != 0) {
            rc = rb_verr(&err, "thumbnail_time", "can only be set on a ready asset (asset is %s)",
                         a.status);
        } else {
            double t = json_number_value(tt);
            if (!(t >= 0 && t < a.duration))
                rc = rb_verr(&err, "thumbnail_time",
                             "must be at least 0 and less than the asset duration (%.3f s)",
                             a.duration);
            else
                a.thumbnail_time = t;
        }
    }
    if (rc == RB_OK)
        rc = rb_store_asset_update(app->store, &a, &err);
    if (rc == RB_NOTFOUND)
        rb_resp_errorf(resp, 404, "not_found", "asset %.255s not found", a.id);
    else if (rc != RB_OK)
        rb_resp_error(resp, &err);
    else
        rb_resp_data(resp, 200, rb_library_asset_json(app->library, &a));
    rb_asset_clear(&a);
    json_decref(body);
}

void rb_api_asset_delete(rb_app *app, const rb_req *req, rb_resp *resp)
{
    const char *id = req->nparams > 0 ? req->params[0] : "";
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_asset_delete(app->store, req->env.id, id, &err);
    if (rc == RB_NOTFOUND) {
        rb_resp_errorf(resp, 404, "not_found", "asset %.255s not found", id);
        return;
    }
    if (rc != RB_OK) {
        rb_resp_error(resp, &err);
        return;
    }
    rb_library_remove_media(app->library, id);
    resp->status = 204;
}

/* ---- tracks ---------------------------------------------------------------- */

void rb_api_track_create(rb_app *app, const rb_req *req, rb_resp *resp)
{
    static const char *const known[] = {"url",         "type", "language_code",
                                        "text_type",   "name", "closed_captions",
                                        "passthrough", NULL};
    static const char *const types[] = {"text", "audio", NULL};
    json_t *body = rb_req_json_object(req, resp);
    if (!body)
        return;
    rb_asset a;
    if (load_asset(app, req, &a, resp) != RB_OK) {
        json_decref(body);
        return;
    }
    rb_err err;
    rb_err_clear(&err);
    rb_track t;
    memset(&t, 0, sizeof t);
    const char *url = NULL, *type = NULL, *lang = NULL, *text_type = NULL, *name = NULL, *pt = NULL;
    int cc = 0;
    int rc = check_keys(body, "", known, NULL, "a track", &err);
    if (rc == RB_OK && (rc = opt_string(body, "url", "", 4096, 0, &url, &err)) == RB_OK && !url)
        rc = rb_verr(&err, "url", "is required");
    if (rc == RB_OK)
        rc = rb_fetch_check_url(url, app->cfg->allow_private_urls, &err);
    if (rc == RB_OK &&
        (rc = opt_enum(body, "type", "", types, "text or audio", &type, &err)) == RB_OK && !type)
        rc = rb_verr(&err, "type", "is required (text or audio)");
    if (rc == RB_OK)
        rc = language_code(body, "", 1, &lang, &err);
    if (rc == RB_OK)
        rc = opt_enum(body, "text_type", "", text_types, "subtitles or chapters", &text_type, &err);
    if (rc == RB_OK)
        rc = opt_string(body, "name", "", 255, 255, &name, &err);
    if (rc == RB_OK)
        rc = opt_string(body, "passthrough", "", 255, 0, &pt, &err);
    if (rc == RB_OK)
        rc = opt_bool(body, "closed_captions", "", &cc, &err);
    if (rc == RB_OK && strcmp(a.status, "ready") != 0)
        rc =
            rb_err_set(&err, 400, "invalid_parameters",
                       "asset %s is %s; tracks can only be added to a ready asset", a.id, a.status);
    if (rc == RB_OK) {
        if (new_id(t.id, sizeof t.id, &err) != RB_OK) {
            rc = RB_ERR;
        } else {
            int text = strcmp(type, "text") == 0;
            snprintf(t.asset_id, sizeof t.asset_id, "%s", a.id);
            snprintf(t.env_id, sizeof t.env_id, "%s", a.env_id);
            snprintf(t.type, sizeof t.type, "%s", type);
            snprintf(t.status, sizeof t.status, "preparing");
            if (text) {
                snprintf(t.text_type, sizeof t.text_type, "%s",
                         text_type ? text_type : "subtitles");
                snprintf(t.text_source, sizeof t.text_source, "uploaded");
                t.closed_captions = cc;
            }
            snprintf(t.language_code, sizeof t.language_code, "%s", lang);
            default_name(t.name, sizeof t.name, name, lang);
            t.created_at = rb_now();
            t.source_url = strdup(url);
            t.passthrough = pt ? strdup(pt) : NULL;
            if (name_taken(&a, a.n_tracks, t.type, t.name))
                rc = rb_verr(&err, "name",
                             "\"%.100s\" is already the name of a %s track on this asset", t.name,
                             t.type);
            else if (!t.source_url || (pt && !t.passthrough))
                rc = rb_err_set(&err, 500, "internal_error", "out of memory");
        }
    }
    if (rc == RB_OK)
        rc = rb_store_track_insert(app->store, &t, &err);
    if (rc == RB_NOTFOUND) {
        rb_resp_errorf(resp, 404, "not_found", "asset %.255s not found", a.id);
    } else if (rc != RB_OK) {
        rb_resp_error(resp, &err);
    } else {
        /* The ingester finds the preparing track in the store (on any node,
         * also after a restart); waking it only saves the poll delay. */
        wake_ingest(app);
        rb_resp_data(resp, 201, rb_library_track_json(&t));
    }
    rb_track_clear(&t);
    rb_asset_clear(&a);
    json_decref(body);
}

/* Loads params[1] of asset params[0]; answers 404/500 itself. */
static int load_track(rb_app *app, const rb_req *req, rb_track *t, rb_resp *resp)
{
    memset(t, 0, sizeof *t);
    rb_err err;
    rb_err_clear(&err);
    const char *aid = req->nparams > 0 ? req->params[0] : "";
    const char *tid = req->nparams > 1 ? req->params[1] : "";
    int rc = rb_store_track_get(app->store, req->env.id, aid, tid, t, &err);
    if (rc == RB_OK && strcmp(t->status, "deleted") == 0) {
        rb_track_clear(t);
        rc = RB_NOTFOUND;
    }
    if (rc == RB_NOTFOUND) {
        rb_resp_errorf(resp, 404, "not_found", "track %.255s not found on asset %.255s", tid, aid);
        return RB_NOTFOUND;
    }
    if (rc != RB_OK) {
        rb_resp_error(resp, &err);
        return rc;
    }
    return RB_OK;
}

void rb_api_track_update(rb_app *app, const rb_req *req, rb_resp *resp)
{
    static const char *const known[] = {"name", "language_code", "closed_captions", "passthrough",
                                        NULL};
    json_t *body = rb_req_json_object(req, resp);
    if (!body)
        return;
    rb_err err;
    rb_err_clear(&err);
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (!in_list(key, known)) {
            rb_resp_errorf(resp, 400, "invalid_parameters",
                           "%.60s cannot be updated; only name, language_code, closed_captions "
                           "and passthrough can",
                           key);
            json_decref(body);
            return;
        }
    }
    rb_track t;
    if (load_track(app, req, &t, resp) != RB_OK) {
        json_decref(body);
        return;
    }
    const char *name = NULL, *lang = NULL, *pt = NULL;
    int cc = t.closed_captions;
    int rc = RB_OK;
    if (strcmp(t.type, "video") == 0)
        rc = rb_err_set(&err, 400, "invalid_parameters", "video tracks have nothing to update");
    if (rc == RB_OK)
        rc = opt_string(body, "name", "", 255, 255, &name, &err);
    if (rc == RB_OK && name && !*name)
        rc = rb_verr(&err, "name", "must not be empty");
    if (rc == RB_OK)
        rc = language_code(body, "", 0, &lang, &err);
    if (rc == RB_OK && !json_is_null(json_object_get(body, "passthrough")))
        rc = opt_string(body, "passthrough", "", 255, 0, &pt, &err);
    if (rc == RB_OK)
        rc = opt_bool(body, "closed_captions", "", &cc, &err);
    if (rc == RB_OK && json_object_get(body, "closed_captions") && strcmp(t.type, "text") != 0)
        rc = rb_verr(&err, "closed_captions", "applies to text tracks only");
    if (rc == RB_OK && name && strcmp(name, t.name) != 0) {
        rb_asset a;
        if (load_asset(app, req, &a, resp) != RB_OK) {
            rb_track_clear(&t);
            json_decref(body);
            return;
        }
        if (name_taken(&a, a.n_tracks, t.type, name))
            rc = rb_verr(&err, "name", "\"%.100s\" is already the name of a %s track on this asset",
                         name, t.type);
        rb_asset_clear(&a);
    }
    if (rc == RB_OK) {
        if (name)
            snprintf(t.name, sizeof t.name, "%s", name);
        if (lang)
            snprintf(t.language_code, sizeof t.language_code, "%s", lang);
        t.closed_captions = cc;
        if (json_object_get(body, "passthrough")) {
            free(t.passthrough);
            t.passthrough = pt && *pt ? strdup(pt) : NULL;
        }
        rc = rb_store_track_update(app->store, &t, &err);
    }
    if (rc != RB_OK)
        rb_resp_error(resp, &err);
    else
        rb_resp_data(resp, 200, rb_library_track_json(&t));
    rb_track_clear(&t);
    json_decref(body);
}

void rb_api_track_delete(rb_app *app, const rb_req *req, rb_resp *resp)
{
    rb_track t;
    if (load_track(app, req, &t, resp) != RB_OK)
        return;
    rb_err err;
    rb_err_clear(&err);
    if (strcmp(t.type, "video") == 0) {
        rb_resp_errorf(resp, 400, "invalid_parameters", "video tracks cannot be deleted");
    } else if (strcmp(t.type, "audio") == 0 && !t.source_url) {
        rb_resp_errorf(resp, 400, "invalid_parameters",
                       "the primary audio track cannot be deleted");
    } else if (rb_library_delete_track(app->library, req->env.id, t.asset_id, t.id, &err) !=
               RB_OK) {
        rb_resp_error(resp, &err);
    } else {
        resp->status = 204;
    }
    rb_track_clear(&t);
}

/* ---- playback ids ----------------------------------------------------------- */

static json_t *find_playback(const rb_asset *a, const char *pid, size_t *index)
{
    size_t i;
    json_t *p;
    json_array_foreach(a->playback_ids, i, p)
    {
        const char *id = json_string_value(json_object_get(p, "id"));
        if (id && strcmp(id, pid) == 0) {
            if (index)
                *index = i;
            return p;
        }
    }
    return NULL;
}

void rb_api_playback_create(rb_app *app, const rb_req *req, rb_resp *resp)
{
    static const char *const known[] = {"policy", "drm_configuration_id", NULL};
    json_t *body = rb_req_json_object(req, resp);
    if (!body)
        return;
    rb_asset a;
    if (load_asset(app, req, &a, resp) != RB_OK) {
        json_decref(body);
        return;
    }
    rb_err err;
    rb_err_clear(&err);
    int rc = check_keys(body, "", known, NULL, "a playback id", &err);
    const char *policy = json_string_value(json_object_get(body, "policy"));
    if (rc == RB_OK && !policy)
        rc = rb_verr(&err, "policy", "is required (public or signed)");
    if (rc == RB_OK && json_object_get(body, "drm_configuration_id"))
        rc = rb_verr(&err, "drm_configuration_id", "is not supported by this server");
    if (!a.playback_ids)
        a.playback_ids = json_array();
    if (rc == RB_OK)
        rc = add_playback_id(a.playback_ids, policy, "policy", &err);
    if (rc == RB_OK)
        rc = rb_store_asset_update(app->store, &a, &err);
    if (rc != RB_OK) {
        rb_resp_error(resp, &err);
    } else {
        json_t *p = json_array_get(a.playback_ids, json_array_size(a.playback_ids) - 1);
        rb_resp_data(resp, 201, json_deep_copy(p));
    }
    rb_asset_clear(&a);
    json_decref(body);
}

void rb_api_playback_get(rb_app *app, const rb_req *req, rb_resp *resp)
{
    rb_asset a;
    if (load_asset(app, req, &a, resp) != RB_OK)
        return;
    const char *pid = req->nparams > 1 ? req->params[1] : "";
    json_t *p = find_playback(&a, pid, NULL);
    if (!p)
        rb_resp_errorf(resp, 404, "not_found", "playback id %.255s not found on asset %s", pid,
                       a.id);
    else
        rb_resp_data(resp, 200, json_deep_copy(p));
    rb_asset_clear(&a);
}

void rb_api_playback_delete(rb_app *app, const rb_req *req, rb_resp *resp)
{
    rb_asset a;
    if (load_asset(app, req, &a, resp) != RB_OK)
        return;
    const char *pid = req->nparams > 1 ? req->params[1] : "";
    size_t idx;
    rb_err err;
    rb_err_clear(&err);
    if (!find_playback(&a, pid, &idx)) {
        rb_resp_errorf(resp, 404, "not_found", "playback id %.255s not found on asset %s", pid,
                       a.id);
    } else {
        json_array_remove(a.playback_ids, idx);
        if (rb_store_asset_update(app->store, &a, &err) != RB_OK)
            rb_resp_error(resp, &err);
        else
            resp->status = 204;
    }
    rb_asset_clear(&a);
}

/* ---- public files ------------------------------------------------------------ */

void rb_api_public_track(rb_app *app, const rb_req *req, rb_resp *resp)
{
    const char *pid = req->nparams > 0 ? req->params[0] : "";
    char tid[RB_ID_MAX];
    const char *raw = req->nparams > 1 ? req->params[1] : "";
    size_t n = strlen(raw);
    if (n > 4 && strcmp(raw + n - 4, ".vtt") == 0)
        n -= 4; /* in case the route captured the extension */
    if (n == 0 || n >= sizeof tid) {
        rb_resp_errorf(resp, 404, "not_found", "no such text track");
        return;
    }
    memcpy(tid, raw, n);
    tid[n] = '\0';

    rb_err err;
    rb_err_clear(&err);
    rb_track t;
    rb_asset a;
    memset(&t, 0, sizeof t);
    memset(&a, 0, sizeof a);
    char *data = NULL;
    size_t len = 0;
    char ctype[64] = "";
    /* Every way of not matching is the same 404, so the answer does not tell
     * which part of a guessed URL was right. */
    int rc = rb_store_track_get_any_env(app->store, tid, &t, &err);
    if (rc == RB_OK &&
        (strcmp(t.type, "text") != 0 || strcmp(t.status, "ready") != 0 || !t.blob_id[0]))
        rc = RB_NOTFOUND;
    if (rc == RB_OK)
        rc = rb_store_asset_get(app->store, t.env_id, t.asset_id, &a, &err);
    json_t *p = rc == RB_OK ? find_playback(&a, pid, NULL) : NULL;
    if (rc == RB_OK && !p)
        rc = RB_NOTFOUND;
    /* Spec §8.10: a signed playback id serves only with ?token=<JWT>, signed
     * by one of the environment's signing keys. The embedded library has no
     * signing keys, so no token can be valid and every request through a
     * signed id is refused, with or without a token. This is checked after
     * the ids matched, so it tells nothing a guesser could use. */
    int is_signed = 0;
    if (rc == RB_OK) {
        const char *policy = json_string_value(json_object_get(p, "policy"));
        is_signed = !policy || strcmp(policy, "public") != 0;
    }
    if (rc == RB_OK && !is_signed)
        rc = rb_store_blob_get(app->store, t.blob_id, &data, &len, ctype, &err);
    if (rc == RB_OK && is_signed)
        rb_resp_errorf(resp, 403, "forbidden",
                       "playback id %.64s is signed: signed playback needs a token, and the "
                       "embedded library does not issue playback tokens yet; use a public "
                       "playback id",
                       pid);
    else if (rc == RB_NOTFOUND)
        rb_resp_errorf(resp, 404, "not_found", "no such text track");
    else if (rc != RB_OK)
        rb_resp_error(resp, &err);
    else {
        rb_resp_raw(resp, 200, ctype[0] ? ctype : "text/vtt", data, len);
        /* Players load captions from another origin, as from stream.mux.com. */
        rb_resp_header(resp, "Access-Control-Allow-Origin", "*");
    }
    free(data);
    rb_track_clear(&t);
    rb_asset_clear(&a);
}

void rb_api_public_file(rb_app *app, const rb_req *req, rb_resp *resp)
{
    const char *blob_id = req->nparams > 0 ? req->params[0] : "";
    const char *expires = rb_req_query(req, "expires");
    const char *sig = rb_req_query(req, "sig");
    if (rb_library_verify_file_sig(app->library, blob_id, expires, sig) != RB_OK) {
        rb_resp_errorf(resp, 403, "forbidden",
                       "the file URL's signature is missing, invalid or expired");
        return;
    }
    rb_err err;
    rb_err_clear(&err);
    char *data = NULL;
    size_t len = 0;
    char ctype[64] = "";
    int rc = rb_store_blob_get(app->store, blob_id, &data, &len, ctype, &err);
    if (rc == RB_NOTFOUND)
        rb_resp_errorf(resp, 404, "not_found", "the file no longer exists");
    else if (rc != RB_OK)
        rb_resp_error(resp, &err);
    else
        rb_resp_raw(resp, 200, ctype[0] ? ctype : "application/octet-stream", data, len);
    free(data);
}
