/* cli.h — the `robots` command line: `robots <command> [options]`.
 *
 * Every command and subcommand takes the shared configuration options
 * (rb_config_parse_arg) and `--help`. Exit codes: 0 success, 1 the command
 * failed (not found, store error, ...), 2 usage error (usage on stderr). The
 * administrative commands (token, asset, job) open the same database as a
 * running server; SQLite in WAL mode makes that safe. */
#ifndef RB_CLI_H
#define RB_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "common/config.h"
#include "media/library.h"
#include "store/store.h"

#define RB_VERSION "0.1.0"

enum { RB_EXIT_OK = 0, RB_EXIT_FAIL = 1, RB_EXIT_USAGE = 2 };

/* The whole CLI: dispatches on argv[1]. */
int rb_cli_main(int argc, char **argv);

/* Commands. argv[0] is the command name, the rest its arguments. */
int rb_cli_serve(int argc, char **argv);
int rb_cli_migrate(int argc, char **argv);
int rb_cli_token(int argc, char **argv);
int rb_cli_asset(int argc, char **argv);
int rb_cli_job(int argc, char **argv);
int rb_cli_webhook(int argc, char **argv);
int rb_cli_env_cmd(int argc, char **argv);
/* `robots job run` (cmd_job_run.c), dispatched by rb_cli_job. */
int rb_cli_job_run(int argc, char **argv);
int rb_cli_version(int argc, char **argv);

/* ---- shared helpers for the command files ------------------------------ */

/* A command-specific option. Exactly one of value / list is set: a single
 * value (the last occurrence wins) or a JSON array collecting every
 * occurrence (e.g. repeated --scope). A flag without a value sets *flag = 1. */
typedef struct rb_cli_opt {
    const char *name;              /* "--env" */
    const char **value;
    json_t *list;
    int *flag;
} rb_cli_opt;

/* Parses args (after the (sub)command name): --help, the shared config
 * options, opts (NULL-name terminated, may be NULL) and up to max_pos
 * positionals (stored in pos). Returns -1 when parsing succeeded, else the
 * exit code the command should return: 0 after printing usage for --help, 2
 * after printing usage on stderr for a bad argument. cfg is finished
 * (rb_config_finish) on success. */
int rb_cli_parse(int argc, char **argv, const char *usage, rb_config *cfg,
                 const rb_cli_opt *opts, const char **pos, int max_pos, int *npos);
/* Prints usage and the shared options to f. */
void rb_cli_usage(FILE *f, const char *usage);
/* Opens the store named by cfg; prints the error and returns RB_ERR on failure. */
int rb_cli_open_store(const rb_config *cfg, rb_store **out);
/* Resolves an environment by name; prints "no environment NAME" on failure. */
int rb_cli_env(rb_store *st, const char *name, rb_env *out);
/* Prints one JSON value as one line on stdout (takes the reference). */
void rb_cli_print_json(json_t *v);

/* A subcommand of a command with subcommands (token, asset, job). */
typedef struct rb_cli_sub {
    const char *name;              /* "create"; NULL ends the table */
    int (*run)(int argc, char **argv);  /* gets the arguments after the subcommand */
} rb_cli_sub;

/* Runs the subcommand named by argv[1] of command argv[0]: usage on stdout for
 * --help (exit 0), on stderr for a missing or unknown subcommand (exit 2). */
int rb_cli_dispatch(int argc, char **argv, const char *usage, const rb_cli_sub *subs);

#endif
