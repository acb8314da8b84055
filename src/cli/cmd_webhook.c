/* cmd_webhook.c — `robots webhook create|list|delete|rotate-secret|events|replay`.
 *
 * Endpoints are per environment; the running server's dispatcher delivers
 * every event of the environment to each of them (docs/webhooks.md). The
 * secret is printed at creation and rotation only; list never shows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "engine/webhook_dispatch.h"
#include "media/fetch.h"

static const char *webhook_usage =
    "Usage: robots webhook <subcommand> [options]\n"
    "\n"
    "Subcommands:\n"
    "  create --env NAME --url URL      add an endpoint (prints its secret once)\n"
    "  list [--env NAME]                list endpoints as JSON lines, no secrets\n"
    "  delete ID                        remove an endpoint and its delivery history\n"
    "  rotate-secret ID                 new secret (printed once); re-enables the endpoint\n"
    "  events --env NAME [--status S]   deliveries and their attempts, newest first\n"
    "  replay EVENT_ID | --env NAME --since TIME [--failed]   send events again\n";

static const char *create_usage =
    "Usage: robots webhook create --env NAME --url URL\n"
    "\n"
    "Adds a webhook endpoint to environment NAME (created if absent). Every event\n"
    "of the environment written from now on is POSTed to URL, signed with the\n"
    "secret printed here (mux-signature and Standard Webhooks headers). The URL\n"
    "must be http or https and, unless --allow-private-urls is given, resolve to\n"
    "public addresses only. The secret is not shown again.\n";

static const char *list_usage = "Usage: robots webhook list [--env NAME]\n"
                                "\n"
                                "Prints every endpoint (of one environment with --env) as one\n"
                                "line of JSON each. Secrets are never printed.\n";

static const char *delete_usage = "Usage: robots webhook delete ID\n"
                                  "\n"
                                  "Removes the endpoint ID with its deliveries and attempts.\n";

static const char *rotate_usage =
    "Usage: robots webhook rotate-secret ID\n"
    "\n"
    "Gives the endpoint ID a new secret and prints it once; attempts from now on\n"
    "are signed with it. An endpoint disabled by a 410 answer is enabled again.\n";

static const char *events_usage =
    "Usage: robots webhook events --env NAME [--status pending|delivered|failed] [--limit N]\n"
    "\n"
    "Prints the deliveries of NAME's events (one per event and endpoint), newest\n"
    "event first, one JSON line each, with every attempt: time, HTTP status,\n"
    "latency and the first 1 KiB of the response. --limit defaults to 100.\n";

static const char *replay_usage =
    "Usage: robots webhook replay EVENT_ID\n"
    "       robots webhook replay --env NAME --since 2026-11-01T00:00:00Z [--failed]\n"
    "\n"
    "Sends one event, or every event of NAME created at or after --since (only\n"
    "those whose delivery failed with --failed), again to every enabled endpoint\n"
    "of its environment, with a fresh retry schedule. Prints {\"scheduled\": N}.\n";

static json_t *endpoint_json(const rb_webhook_endpoint *ep, const char *env_name)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(ep->id));
    json_object_set_new(o, "url", json_string(ep->url));
    json_object_set_new(o, "environment",
                        json_pack("{s:s, s:s}", "id", ep->env_id, "name", env_name));
    json_object_set_new(o, "created_at", json_integer(ep->created_at));
    json_object_set_new(o, "enabled", json_boolean(ep->disabled_at == 0));
    if (ep->disabled_at) {
        json_object_set_new(o, "disabled_at", json_integer(ep->disabled_at));
        json_object_set_new(o, "disabled_reason", json_string(ep->disabled_reason));
    }
    return o;
}

static int webhook_create(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL, *url = NULL;
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL}, {"--url", &url, NULL, NULL}, {0}};
    int rc = rb_cli_parse(argc, argv, create_usage, &cfg, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    if (!env_name || !*env_name || !url || !*url) {
        fprintf(stderr, "robots: webhook create needs --env and --url\n\n");
        rb_cli_usage(stderr, create_usage);
        return RB_EXIT_USAGE;
    }
    rb_err err;
    rb_err_clear(&err);
    rb_webhook_endpoint ep;
    memset(&ep, 0, sizeof ep);
    if (strlen(url) >= sizeof ep.url) {
        fprintf(stderr, "robots: url is longer than %zu characters\n", sizeof ep.url - 1);
        return RB_EXIT_USAGE;
    }
    if (rb_fetch_check_url(url, cfg.allow_private_urls, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    rb_env env;
    int out = RB_EXIT_FAIL;
    if (rb_store_env_ensure(st, env_name, &env, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    if (rb_random_id(ep.id, sizeof ep.id, "whe_", 20) != RB_OK ||
        rb_webhook_secret_new(ep.secret) != RB_OK) {
        fprintf(stderr, "robots: cannot generate random endpoint material\n");
        goto done;
    }
    snprintf(ep.env_id, sizeof ep.env_id, "%s", env.id);
    snprintf(ep.url, sizeof ep.url, "%s", url);
    ep.created_at = rb_now();
    if (rb_store_webhook_endpoint_insert(st, &ep, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    json_t *o = endpoint_json(&ep, env.name);
    json_object_set_new(o, "secret", json_string(ep.secret));
    rb_cli_print_json(o);
    out = RB_EXIT_OK;
done:
    memset(ep.secret, 0, sizeof ep.secret);
    rb_store_close(st);
    return out;
}

static int webhook_list(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL;
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL}, {0}};
    int rc = rb_cli_parse(argc, argv, list_usage, &cfg, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    rb_err err;
    rb_err_clear(&err);
    rb_env env;
    int out = RB_EXIT_FAIL;
    rb_webhook_endpoint *eps = NULL;
    size_t n = 0;
    if (env_name && rb_cli_env(st, env_name, &env) != RB_OK)
        goto done;
    if (rb_store_webhook_endpoint_list(st, env_name ? env.id : NULL, &eps, &n, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        rb_env e;
        const char *name = "";
        if (rb_store_env_get(st, eps[i].env_id, &e, &err) == RB_OK)
            name = e.name;
        rb_cli_print_json(endpoint_json(&eps[i], name));
    }
    out = RB_EXIT_OK;
done:
    free(eps);
    rb_store_close(st);
    return out;
}

/* delete and rotate-secret: one positional ID. */
static int webhook_by_id(int argc, char **argv, const char *usage, int rotate)
{
    rb_config cfg;
    const char *pos[1];
    int npos = 0;
    int rc = rb_cli_parse(argc, argv, usage, &cfg, NULL, pos, 1, &npos);
    if (rc >= 0)
        return rc;
    if (npos != 1) {
        rb_cli_usage(stderr, usage);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    rb_err err;
    rb_err_clear(&err);
    int out = RB_EXIT_FAIL;
    char secret[RB_WEBHOOK_SECRET_MAX] = "";
    if (rotate) {
        if (rb_webhook_secret_new(secret) != RB_OK) {
            fprintf(stderr, "robots: cannot generate a secret\n");
        } else if (rb_store_webhook_endpoint_set_secret(st, pos[0], secret, &err) != RB_OK) {
            fprintf(stderr, "robots: %s\n", err.message);
        } else {
            rb_cli_print_json(json_pack("{s:s, s:s}", "id", pos[0], "secret", secret));
            out = RB_EXIT_OK;
        }
        memset(secret, 0, sizeof secret);
    } else if (rb_store_webhook_endpoint_delete(st, pos[0], &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
    } else {
        rb_cli_print_json(json_pack("{s:s, s:b}", "id", pos[0], "deleted", 1));
        out = RB_EXIT_OK;
    }
    rb_store_close(st);
    return out;
}

static int webhook_delete(int argc, char **argv)
{
    return webhook_by_id(argc, argv, delete_usage, 0);
}

static int webhook_rotate(int argc, char **argv)
{
    return webhook_by_id(argc, argv, rotate_usage, 1);
}

static int webhook_events(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL, *status = NULL, *limit_s = NULL;
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL},
                         {"--status", &status, NULL, NULL},
                         {"--limit", &limit_s, NULL, NULL},
                         {0}};
    int rc = rb_cli_parse(argc, argv, events_usage, &cfg, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    long limit = 100;
    if (limit_s) {
        char *end;
        limit = strtol(limit_s, &end, 10);
        if (*end || limit < 1 || limit > 1000) {
            fprintf(stderr, "robots: --limit must be from 1 to 1000\n\n");
            rb_cli_usage(stderr, events_usage);
            return RB_EXIT_USAGE;
        }
    }
    if (!env_name || (status && strcmp(status, "pending") != 0 &&
                      strcmp(status, "delivered") != 0 && strcmp(status, "failed") != 0)) {
        fprintf(stderr, "robots: webhook events needs --env (and --status pending, delivered "
                        "or failed)\n\n");
        rb_cli_usage(stderr, events_usage);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    rb_err err;
    rb_err_clear(&err);
    rb_env env;
    json_t *arr = NULL;
    int out = RB_EXIT_FAIL;
    if (rb_cli_env(st, env_name, &env) != RB_OK)
        goto done;
    if (rb_store_webhook_events(st, env.id, status, (int)limit, &arr, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    for (size_t i = 0; i < json_array_size(arr); i++)
        rb_cli_print_json(json_incref(json_array_get(arr, i)));
    out = RB_EXIT_OK;
done:
    json_decref(arr);
    rb_store_close(st);
    return out;
}

/* "2026-11-01T00:00:00Z", optionally with a fraction of a second, as Unix µs. */
static int parse_time_us(const char *s, int64_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return -1;
    int64_t frac = 0, scale = 100000;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            frac += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (strcmp(p, "Z") != 0)
        return -1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *out = (int64_t)t * 1000000 + frac;
    return 0;
}

static int webhook_replay(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL, *since = NULL;
    int failed = 0;
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL},
                         {"--since", &since, NULL, NULL},
                         {"--failed", NULL, NULL, &failed},
                         {0}};
    const char *pos[1];
    int npos = 0;
    int rc = rb_cli_parse(argc, argv, replay_usage, &cfg, opts, pos, 1, &npos);
    if (rc >= 0)
        return rc;
    int64_t since_us = 0;
    if ((npos == 1) == (since != NULL) || (since && !env_name) ||
        (since && parse_time_us(since, &since_us) != 0)) {
        fprintf(stderr, "robots: replay takes an EVENT_ID, or --env and --since "
                        "YYYY-MM-DDTHH:MM:SSZ\n\n");
        rb_cli_usage(stderr, replay_usage);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    rb_err err;
    rb_err_clear(&err);
    rb_env env;
    int out = RB_EXIT_FAIL;
    int64_t count = 0;
    if (env_name && rb_cli_env(st, env_name, &env) != RB_OK)
        goto done;
    if (rb_store_webhook_replay(st, env_name ? env.id : NULL, npos == 1 ? pos[0] : NULL,
                                since_us, failed, &count, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    rb_cli_print_json(json_pack("{s:I}", "scheduled", (json_int_t)count));
    out = RB_EXIT_OK;
done:
    rb_store_close(st);
    return out;
}

int rb_cli_webhook(int argc, char **argv)
{
    static const rb_cli_sub subs[] = {{"create", webhook_create},
                                      {"list", webhook_list},
                                      {"delete", webhook_delete},
                                      {"rotate-secret", webhook_rotate},
                                      {"events", webhook_events},
                                      {"replay", webhook_replay},
                                      {NULL, NULL}};
    return rb_cli_dispatch(argc, argv, webhook_usage, subs);
}
