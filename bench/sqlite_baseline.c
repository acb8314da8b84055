/* sqlite_baseline.c — the durable-insert baseline the server is measured
 * against: N single-row INSERTs into a WAL database with synchronous=FULL,
 * one transaction (so one WAL fsync) per row, on one connection.
 *
 * This is what "one fsync per create" costs on this disk; rb_store_job_create
 * with group commit should beat it once several callers create at once.
 *
 * Build and run (standalone, no project code):
 *   gcc -O2 -o /tmp/sqlite_baseline bench/sqlite_baseline.c -lsqlite3
 *   /tmp/sqlite_baseline [rows=2000] [path=/tmp/sqlite_baseline.db]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int must(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
    return rc;
}

int main(int argc, char **argv)
{
    long rows = 2000;
    if (argc > 1) {
        char *end = NULL;
        rows = strtol(argv[1], &end, 10);
        if (!end || *end || rows <= 0) {
            fprintf(stderr, "usage: %s [rows] [path]\n", argv[0]);
            return 2;
        }
    }
    const char *path = argc > 2 ? argv[2] : "/tmp/sqlite_baseline.db";
    char wal[1100], shm[1100];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);

    sqlite3 *db;
    must(db, sqlite3_open(path, &db), "open");
    must(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL), "wal");
    must(db, sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL), "sync");
    /* A row about the size of a job row plus its event: a few hundred bytes. */
    must(db,
         sqlite3_exec(db,
                      "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL, v TEXT NOT NULL)",
                      NULL, NULL, NULL),
         "create");
    sqlite3_stmt *ins;
    must(db, sqlite3_prepare_v2(db, "INSERT INTO t(k, v) VALUES (?, ?)", -1, &ins, NULL),
         "prepare");
    char payload[400];
    memset(payload, 'x', sizeof payload - 1);
    payload[sizeof payload - 1] = '\0';

    double t0 = now_s();
    for (long i = 0; i < rows; i++) {
        char key[32];
        snprintf(key, sizeof key, "rjob_%020ld", i);
        must(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
        sqlite3_bind_text(ins, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, payload, -1, SQLITE_STATIC);
        must(db, sqlite3_step(ins), "insert");
        sqlite3_reset(ins);
        must(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    }
    double secs = now_s() - t0;
    sqlite3_finalize(ins);
    sqlite3_close(db);
    unlink(path);
    unlink(wal);
    unlink(shm);
    printf("sqlite baseline: %ld rows, 1 txn/row, WAL + synchronous=FULL: %.3f s = %.0f rows/s\n",
           rows, secs, (double)rows / secs);
    return 0;
}
