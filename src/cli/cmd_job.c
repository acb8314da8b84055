/* cmd_job.c — `robots job list|get`: reads jobs straight from the store.
 * (`robots job run` is an HTTP client: cmd_job_run.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *job_usage = "Usage: robots job <subcommand> [options]\n"
                               "\n"
                               "Subcommands:\n"
                               "  run WORKFLOW --asset ID [--wait]   create a job over HTTP, wait, print outputs\n"
                               "  list --env NAME [--status S]   list jobs as JSON lines, newest first\n"
                               "  get --env NAME ID              print one job as JSON\n";

static const char *list_usage =
    "Usage: robots job list --env NAME [--status pending|processing|completed|errored|cancelled]\n"
    "\n"
    "Prints the jobs of environment NAME, newest first, one JSON line each.\n";

static const char *get_usage = "Usage: robots job get --env NAME ID\n"
                               "\n"
                               "Prints the job ID of environment NAME as JSON (the API's job object).\n";

static int job_list(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL, *status = NULL;
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL}, {"--status", &status, NULL, NULL}, {0}};
    int rc = rb_cli_parse(argc, argv, list_usage, &cfg, opts, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    rb_job_filter f = {.limit = 100, .page = 1};
    if (status && rb_job_status_parse(status, &f.status) != 0) {
        fprintf(stderr, "robots: unknown status '%s'\n\n", status);
        rb_cli_usage(stderr, list_usage);
        return RB_EXIT_USAGE;
    }
    f.has_status = status != NULL;
    if (!env_name) {
        fprintf(stderr, "robots: job list needs --env\n\n");
        rb_cli_usage(stderr, list_usage);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    int out = RB_EXIT_FAIL;
    rb_env env;
    if (rb_cli_env(st, env_name, &env) != RB_OK)
        goto done;
    for (;; f.page++) {
        rb_job *jobs = NULL;
        size_t n = 0;
        int64_t total = 0;
        rb_err err;
        rb_err_clear(&err);
        if (rb_store_job_list(st, env.id, &f, &jobs, &n, &total, &err) != RB_OK) {
            fprintf(stderr, "robots: %s\n", err.message);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            rb_cli_print_json(rb_job_to_json(&jobs[i]));
            rb_job_clear(&jobs[i]);
        }
        free(jobs);
        if (n < (size_t)f.limit)
            break;
    }
    out = RB_EXIT_OK;
done:
    rb_store_close(st);
    return out;
}

static int job_get(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL;
    const char *pos[1];
    int npos;
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL}, {0}};
    int rc = rb_cli_parse(argc, argv, get_usage, &cfg, opts, pos, 1, &npos);
    if (rc >= 0)
        return rc;
    if (!env_name || npos != 1) {
        fprintf(stderr, "robots: job get needs --env and the job ID\n\n");
        rb_cli_usage(stderr, get_usage);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    int out = RB_EXIT_FAIL;
    rb_env env;
    rb_job job;
    rb_job_init(&job);
    rb_err err;
    rb_err_clear(&err);
    if (rb_cli_env(st, env_name, &env) != RB_OK)
        goto done;
    rc = rb_store_job_get(st, env.id, NULL, pos[0], &job, &err);
    if (rc == RB_NOTFOUND) {
        fprintf(stderr, "robots: no job %s in environment %s\n", pos[0], env_name);
        goto done;
    }
    if (rc != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    rb_cli_print_json(rb_job_to_json(&job));
    out = RB_EXIT_OK;
done:
    rb_job_clear(&job);
    rb_store_close(st);
    return out;
}

int rb_cli_job(int argc, char **argv)
{
    static const rb_cli_sub subs[] = {
        {"run", rb_cli_job_run}, {"list", job_list}, {"get", job_get}, {NULL, NULL}};
    return rb_cli_dispatch(argc, argv, job_usage, subs);
}
