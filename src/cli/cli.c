/* cli.c — command dispatch and the argument parsing every command shares. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static const char *main_usage =
    "Usage: robots <command> [options]\n"
    "\n"
    "Commands:\n"
    "  serve     run the API server, the workers and the background loops\n"
    "  migrate   bring the database schema up to date and exit\n"
    "  token     create, list and revoke access tokens\n"
    "  asset     import captions as an asset, list and show assets\n"
    "  job       run a workflow and wait for it (over HTTP); list and show jobs\n"
    "  env       per-environment settings (AI engine, model)\n"
    "  webhook   manage webhook endpoints, see deliveries, replay events\n"
    "  version   print the version\n"
    "\n"
    "Run `robots <command> --help` for the options of a command.\n";

void rb_cli_usage(FILE *f, const char *usage)
{
    fputs(usage, f);
    fputs("\n", f);
    fputs(rb_config_help(), f);
}

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
    fputs("robots: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n\n", stderr);
    rb_cli_usage(stderr, usage);
    return RB_EXIT_USAGE;
}

int rb_cli_parse(int argc, char **argv, const char *usage, rb_config *cfg,
                 const rb_cli_opt *opts, const char **pos, int max_pos, int *npos)
{
    rb_config_defaults(cfg);
    if (npos)
        *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            rb_cli_usage(stdout, usage);
            return RB_EXIT_OK;
        }
        int c = rb_config_parse_arg(cfg, argc, argv, &i);
        if (c < 0) {
            fputs("\n", stderr);
            rb_cli_usage(stderr, usage);
            return RB_EXIT_USAGE;
        }
        if (c > 0)
            continue;
        const rb_cli_opt *o = NULL;
        for (size_t k = 0; opts && opts[k].name; k++)
            if (strcmp(a, opts[k].name) == 0)
                o = &opts[k];
        if (o) {
            if (o->flag) {
                *o->flag = 1;
                continue;
            }
            if (i + 1 >= argc)
                return usage_error(usage, "%s needs a value", a);
            const char *v = argv[++i];
            if (o->list)
                json_array_append_new(o->list, json_string(v));
            else
                *o->value = v;
            continue;
        }
        /* "--" ends the options so a positional may start with '-'. */
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++) {
                if (!npos || *npos >= max_pos)
                    return usage_error(usage, "unexpected argument '%s'", argv[i]);
                pos[(*npos)++] = argv[i];
            }
            break;
        }
        if (a[0] == '-' && a[1] != '\0')
            return usage_error(usage, "unknown option '%s'", a);
        if (!npos || *npos >= max_pos)
            return usage_error(usage, "unexpected argument '%s'", a);
        pos[(*npos)++] = a;
    }
    rb_config_finish(cfg);
    return -1;
}

int rb_cli_open_store(const rb_config *cfg, rb_store **out)
{
    rb_err err;
    rb_err_clear(&err);
    if (rb_store_open(cfg->database, 2, out, &err) != RB_OK) {
        fprintf(stderr, "robots: cannot open %s: %s\n", cfg->database, err.message);
        return RB_ERR;
    }
    return RB_OK;
}

int rb_cli_env(rb_store *st, const char *name, rb_env *out)
{
    rb_err err;
    rb_err_clear(&err);
    int rc = rb_store_env_by_name(st, name, out, &err);
    if (rc == RB_NOTFOUND)
        fprintf(stderr, "robots: no environment named '%s'\n", name);
    else if (rc != RB_OK)
        fprintf(stderr, "robots: %s\n", err.message);
    return rc;
}

void rb_cli_print_json(json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    json_decref(v);
}

int rb_cli_dispatch(int argc, char **argv, const char *usage, const rb_cli_sub *subs)
{
    if (argc < 2) {
        rb_cli_usage(stderr, usage);
        return RB_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        rb_cli_usage(stdout, usage);
        return RB_EXIT_OK;
    }
    for (const rb_cli_sub *s = subs; s->name; s++)
        if (strcmp(sub, s->name) == 0)
            return s->run(argc - 2, argv + 2);
    fprintf(stderr, "robots: unknown %s subcommand '%s'\n\n", argv[0], sub);
    rb_cli_usage(stderr, usage);
    return RB_EXIT_USAGE;
}

int rb_cli_version(int argc, char **argv)
{
    static const char *usage = "Usage: robots version\n\nPrints the version of robots.\n";
    rb_config cfg;
    int rc = rb_cli_parse(argc - 1, argv + 1, usage, &cfg, NULL, NULL, 0, NULL);
    if (rc >= 0)
        return rc;
    printf("robots %s\n", RB_VERSION);
    return RB_EXIT_OK;
}

int rb_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_usage, stderr);
        return RB_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        rb_cli_usage(stdout, main_usage);
        return RB_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0)
        return rb_cli_version(1, argv + 1);
    static const rb_cli_sub cmds[] = {{"serve", rb_cli_serve}, {"migrate", rb_cli_migrate}, {"token", rb_cli_token},
                                      {"asset", rb_cli_asset}, {"job", rb_cli_job},
                                      {"webhook", rb_cli_webhook}, {"env", rb_cli_env_cmd},
                                      {"version", rb_cli_version}, {NULL, NULL}};
    /* Commands get their own name as argv[0]. */
    for (const rb_cli_sub *c = cmds; c->name; c++)
        if (strcmp(cmd, c->name) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "robots: unknown command '%s'\n\n", cmd);
    fputs(main_usage, stderr);
    return RB_EXIT_USAGE;
}
