/*
 * sqlite_file.h - a SQLite file: a connection to it, configured; its health probe and its
 * backup (db_sqlite.c's db_health and db_backup). Private to src/db/.
 */
#ifndef PD_DB_SQLITE_FILE_H
#define PD_DB_SQLITE_FILE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "core/error.h"
#include "db.h"
#include "sqlite_queue.h"

/* A connection to path, configured as every one of partnerd's is (WAL, foreign keys, the
 * busy wait; the library's page pool at the first): SQLITE_OK, or SQLite's code with err. */
int sqlite_file_open(const char *path, sqlite3 **out, struct pd_error *err);

/* False when PARTNERD_SQLITE_SYNC=off: commits are not to wait for a sync (test suites and
 * throwaway databases only). */
bool sqlite_file_synced(void);

/* Fills out: read-only or not, the free space where the file lives, and whether the write
 * lock could be taken within timeout_ms (taken as a writer would: q's turn first, when q is
 * not NULL, then SQLite's lock; let go at once, nothing written). SQLITE_OK whatever the
 * lock's state; another SQLite code when the probe itself failed. */
int sqlite_file_health(sqlite3 *conn, struct writer_queue *q, int timeout_ms,
                       struct db_health *out);

/* A consistent copy of conn's database into dest_path, which must not exist (PD_E_CONFLICT);
 * PD_E_DB (in err, the file removed) when it cannot be written. */
int sqlite_file_backup(sqlite3 *conn, const char *dest_path, struct pd_error *err);

#endif
