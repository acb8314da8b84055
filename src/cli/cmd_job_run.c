/* cmd_job_run.c — `robots job run WORKFLOW --asset ID [--wait]`: an HTTP client.
 *
 * Unlike the other job subcommands this one does not open the database: it
 * goes through the public API (POST /robots/v0/jobs/<workflow>, then GET
 * until the job is terminal), so it exercises exactly what an SDK user gets,
 * works against a server on another machine (or any /robots/v0 server), and
 * never bypasses validation, idempotency or the outbox. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/clock.h"

#define REPLY_MAX ((size_t)16 << 20)

static const char *run_usage =
    "Usage: robots job run WORKFLOW --asset ID [options]\n"
    "\n"
    "Creates a job through the HTTP API and prints it; with --wait, polls it to\n"
    "a terminal state and prints its outputs (exit 0 when completed, 1 when it\n"
    "errored or was cancelled, with the job's errors on stderr).\n"
    "\n"
    "Options:\n"
    "  --asset ID            parameters.asset_id\n"
    "  --param KEY=VALUE     one parameter; VALUE is read as JSON when it parses\n"
    "                        (5, true, [\"a\"], {\"k\":1}), else as a string; repeatable\n"
    "  --params JSON         a JSON object of parameters (merged first, --param wins)\n"
    "  --passthrough S       the job's passthrough string\n"
    "  --wait                wait for the job and print its outputs\n"
    "  --timeout SECONDS     give up waiting after this long (default 600)\n"
    "  --url URL             the server, ROBOTS_URL, default http://LISTEN\n"
    "  --token ID:SECRET     access token, ROBOTS_TOKEN (needs robots:* scope)\n"
    "\n"
    "Example:\n"
    "  robots job run summarize --asset ASSET_ID --param tag_count=5 --wait\n";

typedef struct http_reply {
    long status;
    json_t *body; /* parsed JSON, NULL when the body was not JSON */
} http_reply;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    rb_buf *b = ud;
    return rb_buf_append(b, p, sz * n) == 0 ? sz * n : 0;
}

/* One request; RB_OK when a reply (any status) arrived. */
static int http_call(CURL *c, const char *method, const char *url, const char *auth,
                     const char *body, http_reply *r)
{
    rb_buf b;
    rb_buf_init(&b, REPLY_MAX);
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/json");
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERPWD, auth);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "robots-cli/" RB_VERSION);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    CURLcode cc = curl_easy_perform(c);
    curl_slist_free_all(h);
    if (cc != CURLE_OK) {
        fprintf(stderr, "robots: %s %s: %s\n", method, url, curl_easy_strerror(cc));
        rb_buf_free(&b);
        return RB_ERR;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    r->body = json_loadb(rb_buf_cstr(&b), b.len, 0, NULL);
    rb_buf_free(&b);
    return RB_OK;
}

static void print_api_error(long status, const json_t *body)
{
    const json_t *e = json_object_get(body, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *type = json_string_value(json_object_get(e, "type"));
    fprintf(stderr, "robots: HTTP %ld %s: %s\n", status, type ? type : "",
            msg ? msg : "(no error body)");
}

/* --param KEY=VALUE into params: JSON when VALUE parses as JSON, else a string. */
static int add_param(json_t *params, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
        fprintf(stderr, "robots: --param needs KEY=VALUE (got '%s')\n", kv);
        return -1;
    }
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    json_t *v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
    if (!v)
        v = json_string(eq + 1);
    json_object_set_new(params, key, v);
    return 0;
}

static int build_body(const char *asset, const char *params_json, json_t *param_list,
                      const char *passthrough, char **out)
{
    json_t *params;
    if (params_json) {
        json_error_t je;
        params = json_loads(params_json, 0, &je);
        if (!json_is_object(params)) {
            fprintf(stderr, "robots: --params must be a JSON object (%s)\n",
                    params ? "not an object" : je.text);
            json_decref(params);
            return -1;
        }
    } else {
        params = json_object();
    }
    size_t i;
    json_t *kv;
    json_array_foreach(param_list, i, kv)
    {
        if (add_param(params, json_string_value(kv)) != 0) {
            json_decref(params);
            return -1;
        }
    }
    if (asset)
        json_object_set_new(params, "asset_id", json_string(asset));
    json_t *body = json_pack("{s:o}", "parameters", params);
    if (passthrough)
        json_object_set_new(body, "passthrough", json_string(passthrough));
    *out = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return *out ? 0 : -1;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int is_terminal(const char *s)
{
    return s && (strcmp(s, "completed") == 0 || strcmp(s, "errored") == 0 ||
                 strcmp(s, "cancelled") == 0);
}

/* Polls the job until it is terminal; prints the outcome. */
static int wait_job(CURL *c, const char *base, const char *auth, const char *workflow,
                    const char *id, int timeout_s)
{
    char url[2048];
    snprintf(url, sizeof url, "%s/robots/v0/jobs/%s/%s", base, workflow, id);
    int64_t deadline = rb_now_ms() + (int64_t)timeout_s * 1000;
    long delay = 100;
    for (;;) {
        http_reply r = {0};
        if (http_call(c, "GET", url, auth, NULL, &r) != RB_OK)
            return RB_EXIT_FAIL;
        if (r.status != 200) {
            print_api_error(r.status, r.body);
            json_decref(r.body);
            return RB_EXIT_FAIL;
        }
        const json_t *job = json_object_get(r.body, "data");
        const char *status = json_string_value(json_object_get(job, "status"));
        if (is_terminal(status)) {
            int out = RB_EXIT_FAIL;
            if (strcmp(status, "completed") == 0) {
                json_t *o = json_object_get(job, "outputs");
                char *s = json_dumps(o ? o : json_null(), JSON_INDENT(2) | JSON_ENCODE_ANY);
                if (s)
                    printf("%s\n", s);
                free(s);
                out = RB_EXIT_OK;
            } else {
                char *e = json_dumps(json_object_get(job, "errors"), JSON_COMPACT);
                fprintf(stderr, "robots: job %s %s: %s\n", id, status, e ? e : "[]");
                free(e);
            }
            json_decref(r.body);
            return out;
        }
        json_decref(r.body);
        if (rb_now_ms() >= deadline) {
            fprintf(stderr, "robots: job %s still %s after %d s\n", id, status ? status : "?",
                    timeout_s);
            return RB_EXIT_FAIL;
        }
        sleep_ms(delay);
        if (delay < 1000)
            delay *= 2;
    }
}

int rb_cli_job_run(int argc, char **argv)
{
    rb_config cfg;
    const char *asset = NULL, *params_json = NULL, *passthrough = NULL, *url = NULL;
    const char *token = NULL, *timeout = NULL;
    int wait = 0;
    json_t *param_list = json_array();
    rb_cli_opt opts[] = {{"--asset", &asset, NULL, NULL},
                         {"--params", &params_json, NULL, NULL},
                         {"--param", NULL, param_list, NULL},
                         {"--passthrough", &passthrough, NULL, NULL},
                         {"--url", &url, NULL, NULL},
                         {"--token", &token, NULL, NULL},
                         {"--timeout", &timeout, NULL, NULL},
                         {"--wait", NULL, NULL, &wait},
                         {0}};
    const char *pos[1];
    int npos = 0;
    int rc = rb_cli_parse(argc, argv, run_usage, &cfg, opts, pos, 1, &npos);
    if (rc >= 0) {
        json_decref(param_list);
        return rc;
    }
    int out = RB_EXIT_USAGE;
    char *body = NULL;
    CURL *c = NULL;
    if (npos != 1) {
        fprintf(stderr, "robots: job run needs the WORKFLOW (e.g. summarize)\n\n");
        rb_cli_usage(stderr, run_usage);
        goto done;
    }
    if (!token)
        token = getenv("ROBOTS_TOKEN");
    if (!token || !strchr(token, ':')) {
        fprintf(stderr, "robots: job run needs --token ID:SECRET (or ROBOTS_TOKEN); "
                        "create one with `robots token create`\n");
        goto done;
    }
    char *end = NULL;
    long timeout_s = timeout ? strtol(timeout, &end, 10) : 600;
    if (timeout && (*end || timeout_s < 1 || timeout_s > 86400)) {
        fprintf(stderr, "robots: --timeout must be 1-86400 seconds\n");
        goto done;
    }
    for (const char *p = pos[0]; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '-')) {
            fprintf(stderr, "robots: '%s' is not a workflow name\n", pos[0]);
            goto done;
        }
    if (build_body(asset, params_json, param_list, passthrough, &body) != 0)
        goto done;

    char base[1024];
    if (!url)
        url = getenv("ROBOTS_URL");
    if (url && *url)
        snprintf(base, sizeof base, "%s", url);
    else
        snprintf(base, sizeof base, "http://%s", cfg.listen);
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        base[--bl] = '\0';

    out = RB_EXIT_FAIL;
    c = curl_easy_init();
    if (!c)
        goto done;
    char create_url[1200];
    snprintf(create_url, sizeof create_url, "%s/robots/v0/jobs/%s", base, pos[0]);
    http_reply r = {0};
    if (http_call(c, "POST", create_url, token, body, &r) != RB_OK)
        goto done;
    if (r.status != 202 && r.status != 200) {
        print_api_error(r.status, r.body);
        json_decref(r.body);
        goto done;
    }
    json_t *job = json_object_get(r.body, "data");
    const char *id = json_string_value(json_object_get(job, "id"));
    if (!id) {
        fprintf(stderr, "robots: the server answered %ld without a job id\n", r.status);
        json_decref(r.body);
        goto done;
    }
    if (!wait) {
        rb_cli_print_json(json_incref(job));
        out = RB_EXIT_OK;
    } else {
        fprintf(stderr, "robots: job %s created, waiting\n", id);
        out = wait_job(c, base, token, pos[0], id, (int)timeout_s);
    }
    json_decref(r.body);
done:
    if (c)
        curl_easy_cleanup(c);
    free(body);
    json_decref(param_list);
    return out;
}
