/*
 * sqlite_file.c - what partnerd asks of a SQLite file besides statements: whether it can be
 * written now (the health probe) and a consistent copy of it (backup). Private to src/db/.
 */
#include "sqlite_file.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

int sqlite_file_health(sqlite3 *conn, struct writer_queue *q, int timeout_ms, int busy_ms,
                       struct db_health *out)
{
    const char *path = sqlite3_db_filename(conn, "main");
    out->read_only = sqlite3_db_readonly(conn, "main") == 1;
    if (path && path[0]) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
        struct statvfs fs;
        if (statvfs(slash ? dir : ".", &fs) == 0)
            out->free_bytes = (int64_t)fs.f_bavail * (int64_t)fs.f_frsize;
    }
    if (q && !queue_lock(q, timeout_ms))
        return SQLITE_OK; /* this process's writers hold it longer than the probe waits */
    sqlite3_busy_timeout(conn, timeout_ms);
    int rc = sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        out->writable = !out->read_only;
        sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_busy_timeout(conn, busy_ms);
    if (q)
        queue_unlock(q);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ||
        (rc & 0xff) == SQLITE_READONLY)
        return SQLITE_OK;
    return rc;
}

/* Page by page, 256 pages a step, letting writers in between steps; a write by another
 * connection restarts the copy, so the file is one consistent state. */
int sqlite_file_backup(sqlite3 *conn, const char *dest_path, struct pd_error *err)
{
    sqlite3 *dest = NULL;
    if (access(dest_path, F_OK) == 0)
        return pd_fail(err, PD_E_CONFLICT, "%s exists already; backups never overwrite", dest_path);
    int rc = sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(dest, "main", conn, "main") : NULL;
    if (b == NULL) {
        pd_fail(err, PD_E_DB, "cannot write %s: %s", dest_path,
                dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
        sqlite3_close_v2(dest);
        unlink(dest_path);
        return PD_E_DB;
    }
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            usleep(10 * 1000);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE)
        rc = sqlite3_exec(dest, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        pd_fail(err, PD_E_DB, "backup to %s failed: %s", dest_path, sqlite3_errmsg(dest));
        sqlite3_close_v2(dest);
        unlink(dest_path);
        return PD_E_DB;
    }
    sqlite3_close_v2(dest);
    return 0;
}
