/* cmd_migrate.c — `robots migrate`: brings the database schema up to date
 * and exits.
 *
 * Opening a store applies every missing migration (forward-only, each in its
 * own transaction; on PostgreSQL under an advisory lock, so nodes starting
 * at once and this command can race safely). `robots serve` does the same on
 * start; this command lets a deployment migrate once, explicitly, before it
 * rolls new nodes out. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/log.h"

static const char *migrate_usage =
    "Usage: robots migrate [--database URL] [options]\n"
    "\n"
    "Applies the missing schema migrations to the database (SQLite or\n"
    "PostgreSQL) and exits: 0 when the schema is current, 1 on failure (the\n"
    "database is unreachable, a migration failed and was rolled back, or the\n"
    "schema is newer than this binary). Safe to run while servers are running\n"
    "and from several machines at once. `robots serve` also migrates on start.\n";

/* Prints the database URL without its password (user:secret@ → user:***@). */
static void print_redacted(FILE *f, const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - (scheme + 3))) : NULL;
    if (!colon) {
        fputs(url, f);
        return;
    }
    fprintf(f, "%.*s:***%s", (int)(colon - url), url, at);
}

int rb_cli_migrate(int argc, char **argv)
{
    rb_config cfg;
    int rc = rb_cli_parse(argc - 1, argv + 1, migrate_usage, &cfg, NULL, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    rb_store *st;
    rb_err err;
    rb_err_clear(&err);
    /* Not rb_cli_open_store: its message would print the password. */
    if (rb_store_open(cfg.database, 1, &st, &err) != RB_OK) {
        fputs("robots: cannot migrate ", stderr);
        print_redacted(stderr, cfg.database);
        fprintf(stderr, ": %s\n", err.message);
        return RB_EXIT_FAIL;
    }
    rb_store_close(st);
    fputs("robots: schema is up to date: ", stdout);
    print_redacted(stdout, cfg.database);
    fputc('\n', stdout);
    return RB_EXIT_OK;
}
