/*
 * sqlite_fts.h - SQLite's full-text search, as db_sqlite.c's db_ops (fts_condition,
 * fts_query; db.h says what they do). Private to src/db/.
 */
#ifndef PD_DB_SQLITE_FTS_H
#define PD_DB_SQLITE_FTS_H

#include <stddef.h>

int sqlite_fts_condition(const char *table, const char *alias, const char *column, char *out,
                         size_t n);
int sqlite_fts_query(const char *const words[], int nwords, const char *column, char *out,
                     size_t n);

#endif
