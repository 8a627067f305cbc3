/*
 * sqlite_file.h - the health probe and the backup of a SQLite file (db_sqlite.c's
 * db_health and db_backup). Private to src/db/.
 */
#ifndef PD_DB_SQLITE_FILE_H
#define PD_DB_SQLITE_FILE_H

#include <sqlite3.h>

#include "core/error.h"
#include "db.h"
#include "sqlite_queue.h"

/* Fills out: read-only or not, the free space where the file lives, and whether the write
 * lock could be taken within timeout_ms (taken as a writer would: q's turn first, when q is
 * not NULL, then SQLite's lock; let go at once, nothing written). conn's busy timeout is set
 * back to busy_ms. SQLITE_OK whatever the lock's state; another SQLite code when the probe
 * itself failed. */
int sqlite_file_health(sqlite3 *conn, struct writer_queue *q, int timeout_ms, int busy_ms,
                       struct db_health *out);

/* A consistent copy of conn's database into dest_path, which must not exist (PD_E_CONFLICT);
 * PD_E_DB (in err, the file removed) when it cannot be written. */
int sqlite_file_backup(sqlite3 *conn, const char *dest_path, struct pd_error *err);

#endif
