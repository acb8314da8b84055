/* config.h — server configuration: flags with environment fallbacks.
 *
 * Precedence: command-line flag > environment variable > built-in default. */
#ifndef RB_CONFIG_H
#define RB_CONFIG_H

#include <stdint.h>

#define RB_WEBHOOK_SCHEDULE_MAX 16

/* What `robots serve` runs (--role / ROBOTS_ROLE; docs/engine.md, "Roles"). */
enum rb_role {
    RB_ROLE_INVALID = -1,      /* ROBOTS_ROLE held something else: serve refuses to start */
    RB_ROLE_ALL = 0,           /* "all": HTTP, workers and every background loop */
    RB_ROLE_API = 1,           /* "api": HTTP only */
    RB_ROLE_WORKER = 2,        /* "worker": workers and background loops; HTTP only with --listen */
};

typedef struct rb_config {
    char listen[128];          /* --listen / ROBOTS_LISTEN, "127.0.0.1:8080" */
    char data_dir[1024];       /* --data-dir / ROBOTS_DATA_DIR, "./robots-data" */
    char database[1200];       /* --database / ROBOTS_DATABASE, "sqlite:<data_dir>/robots.db" */
    char public_url[512];      /* --public-url / ROBOTS_PUBLIC_URL, "http://<listen>" */
    int workers;               /* --workers / ROBOTS_WORKERS, 2 */
    int allow_private_urls;    /* --allow-private-urls / ROBOTS_ALLOW_PRIVATE_URLS=1 */
    int retention_days;        /* --retention-days / ROBOTS_RETENTION_DAYS, 30 */
    int lease_seconds;         /* --lease-seconds / ROBOTS_LEASE_SECONDS, 60 */
    int max_attempts;          /* --max-attempts / ROBOTS_MAX_ATTEMPTS, 5 */
    /* --ai / ROBOTS_AI: the default AI engine of the text workflows, "builtin" or
     * "openai" (an environment's own setting, `robots env set`, wins). */
    char ai[16];
    int64_t fetch_max_bytes;   /* ROBOTS_FETCH_MAX_BYTES, 512 MiB */
    int fetch_timeout_seconds; /* ROBOTS_FETCH_TIMEOUT, 120 */
    char url_secret[65];       /* HMAC key for signed public URLs; kept in the database */
    /* Webhook delivery (docs/webhooks.md). */
    int webhook_timeout_ms;    /* --webhook-timeout SECONDS / ROBOTS_WEBHOOK_TIMEOUT, 5 s */
    int webhook_poll_ms;       /* --webhook-poll-ms N / ROBOTS_WEBHOOK_POLL_MS, 50 */
    /* --webhook-retry-schedule S,S,... / ROBOTS_WEBHOOK_RETRY_SCHEDULE (seconds, decimals
     * allowed): entry i (i >= 1) is the delay before attempt i+1; entry 0 stands for the
     * first attempt, which is always sent at once, and only counts toward the length.
     * Default 0,5,300,1800,7200,18000,36000,36000 (27.6 h in all). */
    int64_t webhook_schedule_ms[RB_WEBHOOK_SCHEDULE_MAX];
    int webhook_schedule_n;
    /* --role api|worker|all / ROBOTS_ROLE, all. */
    int role;
    /* 1 when --listen or ROBOTS_LISTEN was given (a worker then listens too). */
    int listen_explicit;
} rb_config;

/* "api" → RB_ROLE_API, "worker", "all"; anything else RB_ROLE_INVALID. */
int rb_config_role_parse(const char *s);
/* The name of a role ("all" for RB_ROLE_ALL, "invalid" for anything unknown). */
const char *rb_config_role_name(int role);

/* Parses a retry schedule ("0,5,300") into cfg; -1 (message on stderr) when invalid. */
int rb_config_webhook_schedule(rb_config *cfg, const char *list);

/* Fills defaults, then environment variables. */
void rb_config_defaults(rb_config *cfg);
/* Consumes one recognised option at argv[*i] (advancing *i past its value).
 * Returns 1 if consumed, 0 if not a config option, -1 on a bad value (message
 * printed to stderr). */
int rb_config_parse_arg(rb_config *cfg, int argc, char **argv, int *i);
/* Derives database and public_url when they were not set explicitly. */
void rb_config_finish(rb_config *cfg);
/* The help text for the shared options, for every subcommand's --help. */
const char *rb_config_help(void);

#endif
