#include "common/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_env(char *dst, size_t n, const char *name)
{
    const char *v = getenv(name);
    if (v && *v)
        snprintf(dst, n, "%s", v);
}

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long x = strtol(v, &end, 10);
    return (*end || x < 0 || x > 1000000) ? dflt : (int)x;
}

int rb_config_role_parse(const char *s)
{
    if (!s)
        return RB_ROLE_INVALID;
    if (strcmp(s, "all") == 0)
        return RB_ROLE_ALL;
    if (strcmp(s, "api") == 0)
        return RB_ROLE_API;
    if (strcmp(s, "worker") == 0)
        return RB_ROLE_WORKER;
    return RB_ROLE_INVALID;
}

const char *rb_config_role_name(int role)
{
    switch (role) {
    case RB_ROLE_ALL: return "all";
    case RB_ROLE_API: return "api";
    case RB_ROLE_WORKER: return "worker";
    default: return "invalid";
    }
}

void rb_config_defaults(rb_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->listen, sizeof cfg->listen, "127.0.0.1:8080");
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "./robots-data");
    cfg->workers = 2;
    cfg->retention_days = 30;
    cfg->lease_seconds = 60;
    cfg->max_attempts = 5;
    cfg->fetch_max_bytes = 512LL * 1024 * 1024;
    cfg->fetch_timeout_seconds = 120;

    snprintf(cfg->ai, sizeof cfg->ai, "builtin");

    copy_env(cfg->listen, sizeof cfg->listen, "ROBOTS_LISTEN");
    const char *lv = getenv("ROBOTS_LISTEN");
    cfg->listen_explicit = lv && *lv;
    /* A bad ROBOTS_ROLE cannot fail here; serve refuses RB_ROLE_INVALID. */
    const char *rv = getenv("ROBOTS_ROLE");
    cfg->role = rv && *rv ? rb_config_role_parse(rv) : RB_ROLE_ALL;
    copy_env(cfg->ai, sizeof cfg->ai, "ROBOTS_AI");
    copy_env(cfg->data_dir, sizeof cfg->data_dir, "ROBOTS_DATA_DIR");
    copy_env(cfg->database, sizeof cfg->database, "ROBOTS_DATABASE");
    copy_env(cfg->public_url, sizeof cfg->public_url, "ROBOTS_PUBLIC_URL");
    cfg->workers = env_int("ROBOTS_WORKERS", cfg->workers);
    cfg->allow_private_urls = env_int("ROBOTS_ALLOW_PRIVATE_URLS", 0) ? 1 : 0;
    cfg->retention_days = env_int("ROBOTS_RETENTION_DAYS", cfg->retention_days);
    cfg->lease_seconds = env_int("ROBOTS_LEASE_SECONDS", cfg->lease_seconds);
    cfg->max_attempts = env_int("ROBOTS_MAX_ATTEMPTS", cfg->max_attempts);
    cfg->fetch_timeout_seconds = env_int("ROBOTS_FETCH_TIMEOUT", cfg->fetch_timeout_seconds);
    cfg->webhook_timeout_ms = 5000;
    cfg->webhook_poll_ms = 50;
    rb_config_webhook_schedule(cfg, "0,5,300,1800,7200,18000,36000,36000");
    const char *wt = getenv("ROBOTS_WEBHOOK_TIMEOUT");
    if (wt && *wt) {
        double x = strtod(wt, NULL);
        if (x > 0 && x <= 600)
            cfg->webhook_timeout_ms = (int)(x * 1000);
    }
    cfg->webhook_poll_ms = env_int("ROBOTS_WEBHOOK_POLL_MS", cfg->webhook_poll_ms);
    const char *ws = getenv("ROBOTS_WEBHOOK_RETRY_SCHEDULE");
    if (ws && *ws)
        rb_config_webhook_schedule(cfg, ws);
    const char *mb = getenv("ROBOTS_FETCH_MAX_BYTES");
    if (mb && *mb)
        cfg->fetch_max_bytes = strtoll(mb, NULL, 10);
}

static int int_arg(const char *flag, const char *v, int lo, int hi, int *out)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (*v == '\0' || *end || x < lo || x > hi) {
        fprintf(stderr, "robots: %s must be an integer from %d to %d\n", flag, lo, hi);
        return -1;
    }
    *out = (int)x;
    return 1;
}

int rb_config_webhook_schedule(rb_config *cfg, const char *list)
{
    int64_t ms[RB_WEBHOOK_SCHEDULE_MAX];
    int n = 0;
    const char *p = list;
    while (*p) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || x < 0 || x > 7 * 86400 || n == RB_WEBHOOK_SCHEDULE_MAX ||
            (*end && *end != ',')) {
            fprintf(stderr,
                    "robots: the webhook retry schedule must be 1 to %d comma-separated "
                    "delays in seconds (0 to 604800)\n",
                    RB_WEBHOOK_SCHEDULE_MAX);
            return -1;
        }
        ms[n++] = (int64_t)(x * 1000.0 + 0.5);
        p = *end ? end + 1 : end;
    }
    if (n == 0) {
        fprintf(stderr, "robots: the webhook retry schedule is empty\n");
        return -1;
    }
    memcpy(cfg->webhook_schedule_ms, ms, sizeof ms[0] * (size_t)n);
    cfg->webhook_schedule_n = n;
    return 1;
}

int rb_config_parse_arg(rb_config *cfg, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "--allow-private-urls") == 0) {
        cfg->allow_private_urls = 1;
        return 1;
    }
    static const char *valued[] = {"--listen",       "--data-dir",      "--database",
                                   "--public-url",   "--workers",       "--retention-days",
                                   "--lease-seconds", "--max-attempts", "--webhook-timeout",
                                   "--webhook-poll-ms", "--webhook-retry-schedule", "--ai", "--role", NULL};
    int k;
    for (k = 0; valued[k]; k++)
        if (strcmp(a, valued[k]) == 0)
            break;
    if (!valued[k])
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "robots: %s needs a value\n", a);
        return -1;
    }
    const char *v = argv[++*i];
    switch (k) {
    case 0:
        snprintf(cfg->listen, sizeof cfg->listen, "%s", v);
        cfg->listen_explicit = 1;
        return 1;
    case 1: snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", v); return 1;
    case 2: snprintf(cfg->database, sizeof cfg->database, "%s", v); return 1;
    case 3: snprintf(cfg->public_url, sizeof cfg->public_url, "%s", v); return 1;
    case 4: return int_arg(a, v, 0, 256, &cfg->workers);
    case 5: return int_arg(a, v, 1, 3650, &cfg->retention_days);
    case 6: return int_arg(a, v, 5, 86400, &cfg->lease_seconds);
    case 7: return int_arg(a, v, 1, 100, &cfg->max_attempts);
    case 8: {
        char *end;
        double x = strtod(v, &end);
        if (end == v || *end || x <= 0 || x > 600) {
            fprintf(stderr, "robots: %s must be a number of seconds from 0.001 to 600\n", a);
            return -1;
        }
        cfg->webhook_timeout_ms = x * 1000 < 1 ? 1 : (int)(x * 1000);
        return 1;
    }
    case 9: return int_arg(a, v, 1, 10000, &cfg->webhook_poll_ms);
    case 10: return rb_config_webhook_schedule(cfg, v);
    case 12:
        cfg->role = rb_config_role_parse(v);
        if (cfg->role == RB_ROLE_INVALID) {
            fprintf(stderr, "robots: --role must be api, worker or all (got '%s')\n", v);
            return -1;
        }
        return 1;
    default:
        if (strcmp(v, "builtin") != 0 && strcmp(v, "openai") != 0) {
            fprintf(stderr, "robots: --ai must be builtin or openai\n");
            return -1;
        }
        snprintf(cfg->ai, sizeof cfg->ai, "%s", v);
        return 1;
    }
}

void rb_config_finish(rb_config *cfg)
{
    if (!cfg->database[0])
        snprintf(cfg->database, sizeof cfg->database, "sqlite:%s/robots.db", cfg->data_dir);
    if (!cfg->public_url[0])
        snprintf(cfg->public_url, sizeof cfg->public_url, "http://%s", cfg->listen);
    size_t n = strlen(cfg->public_url);
    while (n > 0 && cfg->public_url[n - 1] == '/')
        cfg->public_url[--n] = '\0';
}

const char *rb_config_help(void)
{
    return "Common options (flag, else environment variable, else default):\n"
           "  --listen HOST:PORT     ROBOTS_LISTEN       127.0.0.1:8080\n"
           "  --data-dir DIR         ROBOTS_DATA_DIR     ./robots-data\n"
           "  --database URL         ROBOTS_DATABASE     sqlite:DATA_DIR/robots.db\n"
           "  --public-url URL       ROBOTS_PUBLIC_URL   http://LISTEN\n"
           "  --workers N            ROBOTS_WORKERS      2\n"
           "  --allow-private-urls   ROBOTS_ALLOW_PRIVATE_URLS=1   off\n"
           "  --retention-days N     ROBOTS_RETENTION_DAYS 30\n"
           "  --lease-seconds N      ROBOTS_LEASE_SECONDS  60\n"
           "  --max-attempts N       ROBOTS_MAX_ATTEMPTS   5\n"
           "  --webhook-timeout S    ROBOTS_WEBHOOK_TIMEOUT 5 (seconds per delivery attempt)\n"
           "  --webhook-poll-ms N    ROBOTS_WEBHOOK_POLL_MS 50 (how often new events are looked for)\n"
           "  --ai ENGINE            ROBOTS_AI           builtin (or openai: ROBOTS_OPENAI_BASE_URL,\n"
           "                         ROBOTS_OPENAI_MODEL, ROBOTS_OPENAI_API_KEY; see docs/openai.md)\n"
           "  --role ROLE            ROBOTS_ROLE         all (serve: api = HTTP only; worker = jobs,\n"
           "                         ingest, webhooks, sweeper, no HTTP unless --listen is given)\n"
           "  --webhook-retry-schedule S,S,...  ROBOTS_WEBHOOK_RETRY_SCHEDULE\n"
           "                         0,5,300,1800,7200,18000,36000,36000 (seconds before each attempt)\n";
}
