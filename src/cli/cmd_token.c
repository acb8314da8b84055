/* cmd_token.c — `robots token create|list|revoke`.
 *
 * The secret is shown once, at creation; only its SHA-256 is stored, so a
 * leaked database does not leak working credentials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/clock.h"
#include "common/crypto.h"

static const char *token_usage =
    "Usage: robots token <subcommand> [options]\n"
    "\n"
    "Subcommands:\n"
    "  create --env NAME --scope S [--scope S...]   create a token (prints its secret once)\n"
    "  list [--env NAME]                            list tokens as JSON lines, no secrets\n"
    "  revoke ID                                    revoke a token\n";

static const char *create_usage =
    "Usage: robots token create --env NAME --scope SCOPE [--scope SCOPE...]\n"
    "\n"
    "Creates an access token for the environment NAME (created if absent) and\n"
    "prints one line of JSON with its id and secret. Scopes look like\n"
    "'robots:*' or 'video:*'. The secret is not shown again.\n";

static const char *list_usage = "Usage: robots token list [--env NAME]\n"
                                "\n"
                                "Prints every token (of one environment with --env) as one\n"
                                "line of JSON each. Secrets are never printed.\n";

static const char *revoke_usage = "Usage: robots token revoke ID\n"
                                  "\n"
                                  "Revokes the token ID; requests using it fail from then on.\n";

/* A scope is "<area>:<permission>": lowercase letters, digits, '_' or '-'
 * on both sides, or '*' as the whole permission. */
static int scope_valid(const char *s)
{
    const char *colon = strchr(s, ':');
    if (!colon || colon == s || !colon[1] || strlen(s) > 64)
        return 0;
    for (const char *p = s; p < colon; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    if (strcmp(colon + 1, "*") == 0)
        return 1;
    for (const char *p = colon + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

static json_t *token_json(const rb_token *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(t->id));
    json_object_set_new(o, "environment",
                        json_pack("{s:s, s:s}", "id", t->env_id, "name", t->env_name));
    json_object_set_new(o, "scopes", t->scopes ? json_incref(t->scopes) : json_array());
    json_object_set_new(o, "created_at", json_integer(t->created_at));
    json_object_set_new(o, "revoked", json_boolean(t->revoked_at != 0));
    if (t->revoked_at)
        json_object_set_new(o, "revoked_at", json_integer(t->revoked_at));
    return o;
}

static int token_create(int argc, char **argv)
{
    rb_config cfg;
    const char *env_name = NULL;
    json_t *scopes = json_array();
    rb_cli_opt opts[] = {{"--env", &env_name, NULL, NULL}, {"--scope", NULL, scopes, NULL}, {0}};
    int rc = rb_cli_parse(argc, argv, create_usage, &cfg, opts, NULL, 0, NULL);
    if (rc >= 0) {
        json_decref(scopes);
        return rc;
    }
    const char *bad = NULL;
    for (size_t i = 0; i < json_array_size(scopes) && !bad; i++)
        if (!scope_valid(json_string_value(json_array_get(scopes, i))))
            bad = json_string_value(json_array_get(scopes, i));
    if (!env_name || !*env_name || json_array_size(scopes) == 0 || bad) {
        if (bad)
            fprintf(stderr, "robots: invalid scope '%s' (want e.g. 'robots:*')\n\n", bad);
        else
            fprintf(stderr, "robots: token create needs --env and at least one --scope\n\n");
        rb_cli_usage(stderr, create_usage);
        json_decref(scopes);
        return RB_EXIT_USAGE;
    }

    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK) {
        json_decref(scopes);
        return RB_EXIT_FAIL;
    }
    rb_err err;
    rb_err_clear(&err);
    rb_env env;
    rb_token t;
    memset(&t, 0, sizeof t);
    unsigned char raw[32];
    char secret[64];
    int out = RB_EXIT_FAIL;
    if (rb_store_env_ensure(st, env_name, &env, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    if (rb_random_uuid(t.id) != RB_OK || rb_random_bytes(raw, sizeof raw) != RB_OK ||
        rb_base64url(raw, sizeof raw, secret, sizeof secret) < 0) {
        fprintf(stderr, "robots: cannot generate random token material\n");
        goto done;
    }
    snprintf(t.env_id, sizeof t.env_id, "%s", env.id);
    snprintf(t.env_name, sizeof t.env_name, "%s", env.name);
    rb_sha256_hex(secret, strlen(secret), t.secret_sha256);
    t.scopes = scopes;
    t.created_at = rb_now();
    if (rb_store_token_insert(st, &t, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(t.id));
    json_object_set_new(o, "secret", json_string(secret));
    json_object_set_new(o, "environment",
                        json_pack("{s:s, s:s}", "id", env.id, "name", env.name));
    json_object_set(o, "scopes", scopes);
    rb_cli_print_json(o);
    out = RB_EXIT_OK;
done:
    memset(raw, 0, sizeof raw);
    memset(secret, 0, sizeof secret);
    json_decref(scopes);
    rb_store_close(st);
    return out;
}

static int token_list(int argc, char **argv)
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
    int out = RB_EXIT_FAIL;
    rb_env env;
    rb_err err;
    rb_err_clear(&err);
    rb_token *toks = NULL;
    size_t n = 0;
    if (env_name && rb_cli_env(st, env_name, &env) != RB_OK)
        goto done;
    if (rb_store_token_list(st, env_name ? env.id : NULL, &toks, &n, &err) != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        rb_cli_print_json(token_json(&toks[i]));
        rb_token_clear(&toks[i]);
    }
    free(toks);
    out = RB_EXIT_OK;
done:
    rb_store_close(st);
    return out;
}

static int token_revoke(int argc, char **argv)
{
    rb_config cfg;
    const char *pos[1];
    int npos;
    int rc = rb_cli_parse(argc, argv, revoke_usage, &cfg, NULL, pos, 1, &npos);
    if (rc >= 0)
        return rc;
    if (npos != 1) {
        fprintf(stderr, "robots: token revoke needs the token ID\n\n");
        rb_cli_usage(stderr, revoke_usage);
        return RB_EXIT_USAGE;
    }
    rb_store *st;
    if (rb_cli_open_store(&cfg, &st) != RB_OK)
        return RB_EXIT_FAIL;
    rb_err err;
    rb_err_clear(&err);
    rc = rb_store_token_revoke(st, pos[0], &err);
    rb_store_close(st);
    if (rc == RB_NOTFOUND) {
        fprintf(stderr, "robots: no token %s\n", pos[0]);
        return RB_EXIT_FAIL;
    }
    if (rc != RB_OK) {
        fprintf(stderr, "robots: %s\n", err.message);
        return RB_EXIT_FAIL;
    }
    rb_cli_print_json(json_pack("{s:s, s:b}", "id", pos[0], "revoked", 1));
    return RB_EXIT_OK;
}

int rb_cli_token(int argc, char **argv)
{
    static const rb_cli_sub subs[] = {{"create", token_create}, {"list", token_list}, {"revoke", token_revoke}, {NULL, NULL}};
    return rb_cli_dispatch(argc, argv, token_usage, subs);
}
