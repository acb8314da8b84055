/* api.h — what the HTTP layer hands a handler and what a handler answers.
 *
 * The http layer (server.c, router.c, auth.c) parses the request, checks the
 * credentials and the route's scope, captures path parameters, and calls one
 * rb_handler. Handlers never see libmicrohttpd: they read rb_req and fill
 * rb_resp, so they are unit-testable without a socket. Everything a request
 * allocates hangs off rb_req/rb_resp and is freed when the request ends. */
#ifndef RB_API_H
#define RB_API_H

#include <jansson.h>
#include <stddef.h>

#include "common/config.h"
#include "common/err.h"
#include "store/store.h"

#define RB_MAX_BODY (1024 * 1024) /* request bodies over 1 MiB are answered 413 */

typedef struct rb_kv {
    const char *key;
    const char *value;
} rb_kv;

typedef struct rb_req {
    const char *method;            /* "GET", "POST", ... */
    const char *path;              /* without the query string */
    const rb_kv *query;            /* decoded query arguments, in order (repeats kept) */
    size_t nquery;
    const rb_kv *headers;          /* as received; look up case-insensitively */
    size_t nheaders;
    const char *body;              /* NUL-terminated, NULL when empty */
    size_t body_len;
    const char *params[4];         /* path captures, in pattern order */
    size_t nparams;
    rb_env env;                    /* the authenticated environment ("" id on public routes) */
    const char *token_id;          /* the authenticated token, or NULL */
} rb_req;

typedef struct rb_resp {
    int status;
    json_t *json;                  /* body as JSON (owned), or NULL */
    char *raw;                     /* else a raw body (owned, malloc'd), or NULL */
    size_t raw_len;
    char content_type[64];         /* for raw bodies */
    struct {
        char key[48];
        char value[256];
    } headers[8];
    size_t nheaders;
} rb_resp;

/* Everything a handler may use. One per process, read-only after start. */
struct rb_library;

typedef struct rb_app {
    rb_store *store;
    struct rb_library *library;    /* media/library.h */
    const rb_config *cfg;
    /* 1 if the engine can run this workflow now; 0 → create answers 501. */
    int (*workflow_available)(const char *workflow);
    /* Nudges the workers (new job) and the ingester (new asset/track); may be NULL. */
    void (*wake_workers)(void *arg);
    void *wake_workers_arg;
    void (*wake_ingest)(void *arg);
    void *wake_ingest_arg;
} rb_app;

typedef void (*rb_handler)(rb_app *app, const rb_req *req, rb_resp *resp);

const char *rb_req_query(const rb_req *req, const char *name);   /* first value or NULL */
const char *rb_req_header(const rb_req *req, const char *name);  /* case-insensitive */

void rb_resp_init(rb_resp *resp);
void rb_resp_free(rb_resp *resp);
/* Sets status and takes ownership of body. */
void rb_resp_json(rb_resp *resp, int status, json_t *body);
/* {"data": data} with status; takes ownership of data. */
void rb_resp_data(rb_resp *resp, int status, json_t *data);
/* The spec's error body: {"error":{"type":T,"message":M,"messages":[M]}} with
 * err->status (500 when unset). */
void rb_resp_error(rb_resp *resp, const rb_err *err);
/* Shorthand: build the error and answer it. */
void rb_resp_errorf(rb_resp *resp, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void rb_resp_header(rb_resp *resp, const char *key, const char *value);
/* Raw body (copied). */
void rb_resp_raw(rb_resp *resp, int status, const char *content_type, const void *body,
                 size_t len);

/* Parses the request body as a JSON object. On failure answers 400
 * (malformed JSON / not an object) and returns NULL. */
json_t *rb_req_json_object(const rb_req *req, rb_resp *resp);

/* ---- handlers (api/ *.c), routed by http/router.c ----------------------- */

/* Robots jobs (api/jobs.c); params[0] = workflow / id as the route says. */
void rb_api_job_create(rb_app *app, const rb_req *req, rb_resp *resp);   /* POST /robots/v0/jobs/{workflow} */
void rb_api_job_get(rb_app *app, const rb_req *req, rb_resp *resp);      /* GET  /robots/v0/jobs/{workflow}/{id} */
void rb_api_job_list(rb_app *app, const rb_req *req, rb_resp *resp);     /* GET  /robots/v0/jobs */
void rb_api_job_cancel(rb_app *app, const rb_req *req, rb_resp *resp);   /* POST /robots/v0/jobs/{id}/cancel */

/* Media library (api/assets.c): Mux Video subset. */
void rb_api_asset_create(rb_app *app, const rb_req *req, rb_resp *resp);     /* POST   /video/v1/assets */
void rb_api_asset_list(rb_app *app, const rb_req *req, rb_resp *resp);       /* GET    /video/v1/assets */
void rb_api_asset_get(rb_app *app, const rb_req *req, rb_resp *resp);        /* GET    /video/v1/assets/{id} */
void rb_api_asset_update(rb_app *app, const rb_req *req, rb_resp *resp);     /* PATCH  /video/v1/assets/{id} */
void rb_api_asset_delete(rb_app *app, const rb_req *req, rb_resp *resp);     /* DELETE /video/v1/assets/{id} */
void rb_api_track_create(rb_app *app, const rb_req *req, rb_resp *resp);     /* POST   /video/v1/assets/{id}/tracks */
void rb_api_track_update(rb_app *app, const rb_req *req, rb_resp *resp);     /* PATCH  /video/v1/assets/{id}/tracks/{tid} */
void rb_api_track_delete(rb_app *app, const rb_req *req, rb_resp *resp);     /* DELETE /video/v1/assets/{id}/tracks/{tid} */
void rb_api_playback_create(rb_app *app, const rb_req *req, rb_resp *resp);  /* POST   /video/v1/assets/{id}/playback-ids */
void rb_api_playback_get(rb_app *app, const rb_req *req, rb_resp *resp);     /* GET    /video/v1/assets/{id}/playback-ids/{pid} */
void rb_api_playback_delete(rb_app *app, const rb_req *req, rb_resp *resp);  /* DELETE /video/v1/assets/{id}/playback-ids/{pid} */
/* Public, no auth: the track file (VTT) at a stable URL, and signed job files. */
void rb_api_public_track(rb_app *app, const rb_req *req, rb_resp *resp);     /* GET /stream/{playback_id}/text/{track_id}.vtt */
void rb_api_public_file(rb_app *app, const rb_req *req, rb_resp *resp);      /* GET /files/{blob_id}?expires=&sig= */

/* Directives and directive runs (api/directives.c, spec §7); params[0] =
 * directive id, params[1] = run id. */
void rb_api_directive_create(rb_app *app, const rb_req *req, rb_resp *resp);   /* POST   /robots/v0/directives */
void rb_api_directive_list(rb_app *app, const rb_req *req, rb_resp *resp);     /* GET    /robots/v0/directives */
void rb_api_directive_get(rb_app *app, const rb_req *req, rb_resp *resp);      /* GET    /robots/v0/directives/{id} */
void rb_api_directive_delete(rb_app *app, const rb_req *req, rb_resp *resp);   /* DELETE /robots/v0/directives/{id} */
void rb_api_directive_run_create(rb_app *app, const rb_req *req, rb_resp *resp); /* POST /robots/v0/directives/{id}/runs */
void rb_api_directive_run_list(rb_app *app, const rb_req *req, rb_resp *resp);   /* GET  /robots/v0/directives/{id}/runs */
void rb_api_directive_run_get(rb_app *app, const rb_req *req, rb_resp *resp);    /* GET  /robots/v0/directives/{id}/runs/{run_id} */
/* Validates a directive create body (spec §7.2) without touching the store:
 * RB_OK, or RB_ERR with err = 400 invalid_parameters naming the path, or 501
 * not_implemented when a binding names a workflow available() says this build
 * cannot run (available may be NULL: all run). */
int rb_api_directive_validate(const json_t *body, int (*available)(const char *workflow),
                              int allow_private_urls, rb_err *err);
/* Asset create's "directives": [{id}] (spec §7.3), for api/assets.c.
 * parse: validates body.directives (absent → *ids = NULL): an array of at
 * most 10 {id} objects naming active directives of env_id (400 naming
 * "directives[i].id" otherwise); *ids = the distinct ids (owned).
 * attach: records them for the asset once it is inserted; the engine starts
 * one run per directive when the asset is ready.
 * render: adds "directives": [{id}] to an asset's JSON when it has any. */
int rb_api_asset_directives_parse(rb_app *app, const char *env_id, const json_t *body,
                                  json_t **ids, rb_err *err);
int rb_api_asset_directives_attach(rb_app *app, const char *env_id, const char *asset_id,
                                   const json_t *ids, rb_err *err);
void rb_api_asset_directives_render(rb_app *app, const char *env_id, const char *asset_id,
                                    json_t *asset_json);

#endif
