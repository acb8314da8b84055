/* testdb.h — a fresh database per store test, on the backend the run asks
 * for, plus a raw side door to it for checks the store offers no call for.
 *
 * ROBOTS_TEST_DATABASE unset (or empty): a temp SQLite file per test.
 * ROBOTS_TEST_DATABASE=postgres://user@host:port/db: a new database is made
 *   on that server for each test (CREATE DATABASE) and dropped after it.
 * ROBOTS_TEST_DATABASE=@FILE: the PostgreSQL URL is read from FILE, which
 *   scripts/pg-test-server writes (the CTest fixture does this). When FILE
 *   is missing, the server could not be started: the binary reports why and
 *   exits 77, which CTest shows as "skipped" (never as passed).
 *
 * Header-only: each store test binary is one .c file (see CMakeLists.txt). */
#ifndef RB_TEST_TESTDB_H
#define RB_TEST_TESTDB_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The exit status CTest maps to "skipped" (SKIP_RETURN_CODE). */
#define TESTDB_SKIP 77

typedef struct testdb {
    int pg;
    char dir[256];                 /* sqlite: the test's temp dir */
    char path[400];                /* sqlite: the database file */
    char server[512];              /* pg: the server's URL */
    char dbname[64];               /* pg: this test's database */
    char url[700];                 /* what rb_store_open is given */
} testdb;

/* The PostgreSQL server URL the run asks for into buf: 1 when there is one,
 * 0 for SQLite, -1 when PostgreSQL was asked for but is unavailable (why is
 * filled). */
static inline int testdb_server(char *buf, size_t n, char *why, size_t whyn)
{
    const char *v = getenv("ROBOTS_TEST_DATABASE");
    if (!v || !*v || strncmp(v, "sqlite:", 7) == 0)
        return 0;
    if (v[0] != '@') {
        snprintf(buf, n, "%s", v);
        return 1;
    }
    FILE *fp = fopen(v + 1, "r");
    if (!fp) {
        /* scripts/pg-test-server --optional leaves the reason next to it. */
        char path[600], reason[300] = "";
        snprintf(path, sizeof path, "%s", v + 1);
        char *slash = strrchr(path, '/');
        if (slash) {
            snprintf(slash + 1, sizeof path - (size_t)(slash + 1 - path), "unavailable");
            FILE *u = fopen(path, "r");
            if (u) {
                if (!fgets(reason, sizeof reason, u))
                    reason[0] = '\0';
                fclose(u);
                reason[strcspn(reason, "\r\n")] = '\0';
            }
        }
        snprintf(why, whyn, "no PostgreSQL test server: %s is missing (%s)", v + 1,
                 reason[0] ? reason : "the pg_server_start fixture failed; see its output");
        return -1;
    }
    if (!fgets(buf, (int)n, fp))
        buf[0] = '\0';
    fclose(fp);
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!*buf) {
        snprintf(why, whyn, "%s is empty", v + 1);
        return -1;
    }
    return 1;
}

/* Called first in main(): returns TESTDB_SKIP (after saying why on stdout)
 * when the run asks for PostgreSQL but none is reachable; 0 = run. */
static inline int testdb_check(const char *suite)
{
    char buf[512], why[512];
    if (testdb_server(buf, sizeof buf, why, sizeof why) < 0) {
        printf("SKIPPED %s: %s\n", suite, why);
        return TESTDB_SKIP;
    }
    return 0;
}

static inline PGconn *testdb_pg_connect(const char *url)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "testdb: cannot connect to %s: %s", url, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    return c;
}

/* url with its database name (the path) replaced by dbname. */
static inline void testdb_with_db(const char *url, const char *dbname, char *out, size_t n)
{
    const char *q = strchr(url, '?');
    size_t end = q ? (size_t)(q - url) : strlen(url);
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    const char *path = memchr(host, '/', end - (size_t)(host - url));
    size_t cut = path ? (size_t)(path - url) : end;
    snprintf(out, n, "%.*s/%s%s", (int)cut, url, dbname, q ? q : "");
}

/* Makes the test's database; `sqlite_sub` is the file's path inside the temp
 * dir (a nested one proves open creates parent directories). 0 on success. */
static inline int testdb_create(testdb *t, const char *sqlite_sub)
{
    memset(t, 0, sizeof *t);
    char why[512];
    int k = testdb_server(t->server, sizeof t->server, why, sizeof why);
    if (k < 0)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/rb_store_test_XXXXXX");
    if (!mkdtemp(t->dir))
        return -1;
    if (k == 0) {
        snprintf(t->path, sizeof t->path, "%s/%s", t->dir, sqlite_sub);
        snprintf(t->url, sizeof t->url, "sqlite:%s", t->path);
        return 0;
    }
    t->pg = 1;
    static int counter;
    snprintf(t->dbname, sizeof t->dbname, "rbt_%d_%d_%ld", (int)getpid(), ++counter,
             (long)(random() % 100000));
    PGconn *c = testdb_pg_connect(t->server);
    if (!c)
        return -1;
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", t->dbname);
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "testdb: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    testdb_with_db(t->server, t->dbname, t->url, sizeof t->url);
    return ok ? 0 : -1;
}

static inline void testdb_destroy(testdb *t)
{
    if (t->pg && t->dbname[0]) {
        PGconn *c = testdb_pg_connect(t->server);
        if (c) {
            char sql[128];
            snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->dbname);
            PQclear(PQexec(c, sql));
            PQfinish(c);
        }
    }
    if (t->dir[0]) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "testdb: cannot remove %s\n", t->dir);
    }
}

/* Runs sql (one or more statements) on a connection of its own; 0 when it
 * succeeded. On failure the server's message goes to stderr unless quiet. */
static inline int testdb_exec_q(testdb *t, const char *sql, int quiet)
{
    if (t->pg) {
        PGconn *c = testdb_pg_connect(t->url);
        if (!c)
            return -1;
        PGresult *r = PQexec(c, sql);
        ExecStatusType s = PQresultStatus(r);
        int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
        if (!ok && !quiet)
            fprintf(stderr, "testdb: %s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
        PQfinish(c);
        return ok ? 0 : -1;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open(t->path, &db) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK && !quiet)
        fprintf(stderr, "testdb: %s: %s\n", sql, msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static inline int testdb_exec(testdb *t, const char *sql)
{
    return testdb_exec_q(t, sql, 0);
}

/* The first column of the first row of a query, as an integer; *ok = 0
 * when the query failed or returned no row. */
static inline int64_t testdb_int(testdb *t, const char *sql, int *ok)
{
    *ok = 0;
    int64_t v = 0;
    if (t->pg) {
        PGconn *c = testdb_pg_connect(t->url);
        if (!c)
            return 0;
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
            v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            *ok = 1;
        } else {
            fprintf(stderr, "testdb: %s: %s", sql, PQresultErrorMessage(r));
        }
        PQclear(r);
        PQfinish(c);
        return v;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open(t->path, &db) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW) {
            v = sqlite3_column_int64(q, 0);
            *ok = 1;
        } else {
            fprintf(stderr, "testdb: %s: %s\n", sql, sqlite3_errmsg(db));
        }
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return v;
}

#endif
