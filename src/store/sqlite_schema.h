/* sqlite_schema.h — the SQLite migrations, oldest first. Migration i (0-based)
 * brings PRAGMA user_version from i to i+1. */
#ifndef RB_SQLITE_SCHEMA_H
#define RB_SQLITE_SCHEMA_H

extern const char *const rb_sqlite_migrations[];
extern const int rb_sqlite_nmigrations;

#endif
