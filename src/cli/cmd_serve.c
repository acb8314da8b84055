/* cmd_serve.c — `robots serve`: store, library, engine and HTTP in one process.
 *
 * Start order matters: the engine is created first (no threads) so its
 * address can go into rb_app; HTTP starts next, which resolves port 0 to the
 * real port before any worker or handler builds a URL from public_url; the
 * engine threads start last. Stop runs in reverse. SIGINT and SIGTERM are
 * blocked in every thread and taken by sigwait() here, so a signal never
 * interrupts a worker in the middle of a store call. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "ai/openai.h"
#include "common/log.h"
#include "engine/engine.h"
#include "engine/webhook_dispatch.h"
#include "http/server.h"
#include "workflows/workflow.h"

static const char *serve_usage =
    "Usage: robots serve [options]\n"
    "\n"
    "Runs the Robots API (/robots/v0), the media library API (/video/v1), the\n"
    "job workers and the background loops (ingest, retention sweep, webhook\n"
    "delivery: docs/webhooks.md) until\n"
    "SIGINT or SIGTERM. --listen with port 0 picks a free port. Prints\n"
    "`robots: listening on http://HOST:PORT` to stderr once requests are\n"
    "accepted (a worker without HTTP prints `robots: ready (role worker, no HTTP\n"
    "listener)` instead). Migrates the database first (like `robots migrate`).\n"
    "\n"
    "Roles (--role / ROBOTS_ROLE, docs/engine.md) for many nodes on one PostgreSQL:\n"
    "  all     (default) everything below in one process\n"
    "  api     the HTTP APIs only: no workers, ingest, webhook delivery or sweeper\n"
    "  worker  job workers, ingest, webhook delivery and the maintenance leader\n"
    "          (retention sweep); no HTTP unless --listen or ROBOTS_LISTEN is given,\n"
    "          then it serves the same HTTP APIs (and /healthz) as an api node.\n"
    "          Set --public-url to the API nodes' URL: job outputs link to it.\n"
    "--workers 0 with role all keeps ingest, webhooks and the sweeper.\n"
    "\n"
    "Testing knob: ROBOTS_DEBUG_WORKFLOW_DELAY_MS=N makes every worker wait N ms\n"
    "after claiming a job (docs/engine.md). Never set it in production.\n"
    "\n"
    "Options:\n"
    "  --debug                log at debug level\n";

/* Both wake-ups a remote commit can mean for this process (the store's
 * LISTEN thread calls it; docs/store-postgres.md). */
typedef struct serve_wake {
    rb_engine *engine;
    rb_webhook_dispatch *hooks;
} serve_wake;

static void serve_remote_wake(void *arg, int what)
{
    serve_wake *w = arg;
    rb_engine_remote_wake(w->engine, what);
    if ((what & RB_STORE_WAKE_EVENTS) && w->hooks)
        rb_webhook_dispatch_wake(w->hooks);
}

/* Splits "host:port" / "[v6]:port" / ":port" into the host part for the
 * banner; an empty host means every interface. */
static void listen_host(const char *listen, char *host, size_t hostsz)
{
    const char *colon = strrchr(listen, ':');
    size_t n = colon ? (size_t)(colon - listen) : strlen(listen);
    if (n == 0) {
        snprintf(host, hostsz, "0.0.0.0");
        return;
    }
    snprintf(host, hostsz, "%.*s", (int)n, listen);
}

int rb_cli_serve(int argc, char **argv)
{
    rb_config cfg;
    int debug = 0;
    rb_cli_opt opts[] = {{"--debug", NULL, NULL, &debug}, {0}};
    int rc = rb_cli_parse(argc - 1, argv + 1, serve_usage, &cfg, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    if (debug)
        rb_log_set_level(RB_LOG_DEBUG);
    if (cfg.role == RB_ROLE_INVALID) {
        fprintf(stderr, "robots: ROBOTS_ROLE must be api, worker or all (got '%s')\n",
                getenv("ROBOTS_ROLE") ? getenv("ROBOTS_ROLE") : "");
        return RB_EXIT_USAGE;
    }
    /* A worker serves HTTP only when asked to (a health port, say). */
    int with_http = cfg.role != RB_ROLE_WORKER || cfg.listen_explicit;
    int with_background = cfg.role != RB_ROLE_API;
    /* ROBOTS_AI comes from the environment unchecked; a typo must stop the
     * server here rather than fail every text job later. */
    if (strcmp(cfg.ai, "builtin") != 0 && strcmp(cfg.ai, "openai") != 0) {
        fprintf(stderr, "robots: ROBOTS_AI must be builtin or openai (got '%s')\n", cfg.ai);
        return RB_EXIT_USAGE;
    }
    if (strcmp(cfg.ai, "openai") == 0) {
        rb_openai_config oc;
        rb_err oerr;
        rb_err_clear(&oerr);
        if (rb_openai_config_from_env(&oc, &oerr) != RB_OK) {
            fprintf(stderr, "robots: --ai openai: %s\n", oerr.message);
            return RB_EXIT_USAGE;
        }
        rb_log(RB_LOG_INFO, "serve: AI engine openai, model %s at %s", oc.model, oc.base_url);
        memset(oc.api_key, 0, sizeof oc.api_key);
    }
    /* Whether public_url was given; if not it follows the bound port. */
    rb_config probe;
    rb_config_defaults(&probe);
    int explicit_public = probe.public_url[0] != '\0';
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--public-url") == 0)
            explicit_public = 1;

    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    rb_err err;
    rb_err_clear(&err);
    rb_store *st = NULL;
    rb_library lib;
    rb_engine *eng = NULL;
    struct rb_http *http = NULL;
    rb_webhook_dispatch *hooks = NULL;
    serve_wake wake = {0};
    int out = RB_EXIT_FAIL;

    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    /* Workers, heartbeat, leader, ingester and dispatcher each may hold a
     * connection at once; HTTP reserves its own share when it starts. */
    if (with_background)
        rb_store_pool_reserve(st, cfg.workers + 4);
    if (rb_library_init(&lib, st, &cfg, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    if (rb_engine_create(st, &lib, &cfg, &eng, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    rb_app app = {.store = st,
                  .library = &lib,
                  .cfg = &cfg,
                  .workflow_available = rb_workflow_available,
                  .wake_workers = rb_engine_wake,
                  .wake_workers_arg = eng,
                  .wake_ingest = rb_engine_wake_ingest,
                  .wake_ingest_arg = eng};
    if (with_http && rb_http_start(&app, cfg.listen, &http, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    char host[128];
    listen_host(cfg.listen, host, sizeof host);
    int port = http ? rb_http_port(http) : 0;
    if (!http && !explicit_public)
        rb_warn("serve: role worker without --public-url: job outputs will link to %s;"
                " set it to the API nodes' URL",
                cfg.public_url);
    /* With port 0 the derived public URL would name port 0; nothing has
     * read it yet (the port was not announced and no worker runs). */
    if (http && !explicit_public) {
        char lhost[140];
        snprintf(lhost, sizeof lhost, "%s", host);
        snprintf(cfg.public_url, sizeof cfg.public_url, "http://%s:%d", lhost, port);
    }
    if (rb_engine_run(eng, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    /* Webhook delivery (docs/webhooks.md): it only reads the outbox, so it can
     * start last and stop first among the background threads' readers. An
     * api node delivers nothing: its events are sent by the worker nodes. */
    if (with_background) {
        if (rb_webhook_dispatch_start(st, &cfg, &hooks, &err) != RB_OK) {
            fprintf(stderr, "robots: %s\n", err.message);
            goto done;
        }
        rb_store_set_event_hook(st, rb_webhook_dispatch_wake, hooks);
        /* Commits of other nodes wake this one's workers, ingester and
         * dispatcher at once (PostgreSQL LISTEN/NOTIFY; SQLite: nothing,
         * polling stays the fallback either way). */
        wake.engine = eng;
        wake.hooks = hooks;
        if (rb_store_set_remote_wake(st, serve_remote_wake, &wake, &err) != RB_OK)
            rb_warn("serve: no remote wake-ups, polling only: %s", err.message);
    }
    rb_info("serve: role %s", rb_config_role_name(cfg.role));
    if (http)
        fprintf(stderr, "robots: listening on http://%s:%d\n", host, port);
    else
        fprintf(stderr, "robots: ready (role worker, no HTTP listener)\n");
    fflush(stderr);

    int sig = 0;
    sigwait(&sigs, &sig);
    rb_info("robots: %s received, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    out = RB_EXIT_OK;
done:
    /* HTTP first so no new job arrives, then the engine (running jobs reach
     * a check point and are released), then the store. */
    rb_http_stop(http);
    /* The listener calls into the engine and the dispatcher: stop it first. */
    if (st)
        rb_store_set_remote_wake(st, NULL, NULL, &err);
    rb_engine_stop(eng);
    /* After the engine, so the events its last transitions wrote are
     * claimed by this run when it is still polling; anything left is sent
     * after the next start. */
    if (st)
        rb_store_set_event_hook(st, NULL, NULL);
    rb_webhook_dispatch_stop(hooks);
    rb_store_close(st);
    if (out == RB_EXIT_OK)
        rb_info("robots: stopped");
    return out;
}
