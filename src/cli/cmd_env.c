/* cmd_env.c — `robots env set|unset|show`: per-environment settings.
 *
 * The settings live in the database, not in a node's flags, so every node
 * sharing the store runs an environment's jobs the same way. Only the keys
 * listed here exist; a typo is an error, not a silently ignored setting. API
 * keys are deliberately not among them: they come from the process
 * environment only and are never stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *env_usage =
    "Usage: robots env <subcommand> [options]\n"
    "\n"
    "Subcommands:\n"
    "  set ENV KEY VALUE   set a setting of environment ENV (created if absent)\n"
    "  unset ENV KEY       remove a setting (the server default applies again)\n"
    "  show ENV            print the environment and its settings as JSON\n"
    "\n"
    "Keys:\n"
    "  ai            builtin | openai — the AI engine of the text workflows\n"
    "                (default: the server's --ai / ROBOTS_AI)\n"
    "  openai_model  the model name sent to the OpenAI-compatible server\n"
    "                (default: ROBOTS_OPENAI_MODEL)\n";

static const char *set_usage = "Usage: robots env set ENV KEY VALUE\n"
                               "\n"
                               "Keys: ai (builtin|openai), openai_model (a model name).\n";
static const char *unset_usage = "Usage: robots env unset ENV KEY\n";
static const char *show_usage = "Usage: robots env show ENV\n";

static const char *const keys[] = {"ai", "openai_model", NULL};

static int key_known(const char *k)
{
    for (int i = 0; keys[i]; i++)
        if (strcmp(keys[i], k) == 0)
            return 1;
    return 0;
}

/* NULL when value is acceptable for key, else the rule it breaks. */
static const char *value_rule(const char *key, const char *value)
{
    if (strcmp(key, "ai") == 0)
        return strcmp(value, "builtin") == 0 || strcmp(value, "openai") == 0
                   ? NULL
                   : "must be builtin or openai";
    size_t n = strlen(value);
    if (n == 0 || n > 127)
        return "must be 1-127 characters";
    for (const char *p = value; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "must not contain control characters";
    return NULL;
}

static void setting_key(const rb_env *env, const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "env.%s.%s", env->id, name);
}

static int check_key(const char *key, const char *usage)
{
    if (key_known(key))
        return 0;
    fprintf(stderr, "robots: unknown setting '%s' (known: ai, openai_model)\n\n", key);
    rb_cli_usage(stderr, usage);
    return -1;
}

static int env_set(int argc, char **argv)
{
    rb_config cfg;
    const char *pos[3];
    int npos = 0;
    int rc = rb_cli_parse(argc, argv, set_usage, &cfg, NULL, pos, 3, &npos);
    if (rc >= 0)
        return rc;
    if (npos != 3) {
        fprintf(stderr, "robots: env set needs ENV, KEY and VALUE\n\n");
        rb_cli_usage(stderr, set_usage);
        return RB_EXIT_USAGE;
    }
    if (check_key(pos[1], set_usage) != 0)
        return RB_EXIT_USAGE;
    const char *rule = value_rule(pos[1], pos[2]);
    if (rule) {
        fprintf(stderr, "robots: %s %s (got '%s')\n", pos[1], rule, pos[2]);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    rb_err err;
    rb_err_clear(&err);
    rb_env env;
    char key[RB_ID_MAX + 64];
    int out = RB_EXIT_FAIL;
    if (rb_store_env_ensure(st, pos[0], &env, &err) == RB_OK) {
        setting_key(&env, pos[1], key, sizeof key);
        if (rb_store_setting_set(st, key, pos[2], &err) == RB_OK)
            out = RB_EXIT_OK;
    }
    if (out != RB_EXIT_OK)
        fprintf(stderr, "robots: %s\n", err.message);
    rb_store_close(st);
    return out;
}

static int env_unset(int argc, char **argv)
{
    rb_config cfg;
    const char *pos[2];
    int npos = 0;
    int rc = rb_cli_parse(argc, argv, unset_usage, &cfg, NULL, pos, 2, &npos);
    if (rc >= 0)
        return rc;
    if (npos != 2) {
        fprintf(stderr, "robots: env unset needs ENV and KEY\n\n");
        rb_cli_usage(stderr, unset_usage);
        return RB_EXIT_USAGE;
    }
    if (check_key(pos[1], unset_usage) != 0)
        return RB_EXIT_USAGE;
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    int out = RB_EXIT_FAIL;
    rb_env env;
    if (rb_cli_env(st, pos[0], &env) == RB_OK) {
        rb_err err;
        rb_err_clear(&err);
        char key[RB_ID_MAX + 64];
        setting_key(&env, pos[1], key, sizeof key);
        if (rb_store_setting_set(st, key, NULL, &err) == RB_OK)
            out = RB_EXIT_OK;
        else
            fprintf(stderr, "robots: %s\n", err.message);
    }
    rb_store_close(st);
    return out;
}

static int env_show(int argc, char **argv)
{
    rb_config cfg;
    const char *pos[1];
    int npos = 0;
    int rc = rb_cli_parse(argc, argv, show_usage, &cfg, NULL, pos, 1, &npos);
    if (rc >= 0)
        return rc;
    if (npos != 1) {
        fprintf(stderr, "robots: env show needs ENV\n\n");
        rb_cli_usage(stderr, show_usage);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    int out = RB_EXIT_FAIL;
    rb_env env;
    if (rb_cli_env(st, pos[0], &env) == RB_OK) {
        json_t *settings = json_object();
        out = RB_EXIT_OK;
        for (int i = 0; keys[i] && out == RB_EXIT_OK; i++) {
            char key[RB_ID_MAX + 64], v[256];
            rb_err err;
            rb_err_clear(&err);
            setting_key(&env, keys[i], key, sizeof key);
            int r = rb_store_setting_get(st, key, v, sizeof v, &err);
            if (r == RB_OK)
                json_object_set_new(settings, keys[i], json_string(v));
            else if (r != RB_NOTFOUND) {
                fprintf(stderr, "robots: %s\n", err.message);
                out = RB_EXIT_FAIL;
            }
        }
        if (out == RB_EXIT_OK)
            rb_cli_print_json(json_pack("{s:s, s:s, s:o}", "id", env.id, "name", env.name,
                                        "settings", settings));
        else
            json_decref(settings);
    }
    rb_store_close(st);
    return out;
}

int rb_cli_env_cmd(int argc, char **argv)
{
    static const rb_cli_sub subs[] = {
        {"set", env_set}, {"unset", env_unset}, {"show", env_show}, {NULL, NULL}};
    return rb_cli_dispatch(argc, argv, env_usage, subs);
}
