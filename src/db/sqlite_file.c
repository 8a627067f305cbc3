/*
 * sqlite_file.c - what partnerd asks of a SQLite file besides statements: a connection to
 * it, configured as every one of partnerd's is; whether it can be written now (the health
 * probe); and a consistent copy of it (backup). Private to src/db/.
 */
#include "sqlite_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/clock.h"

/* Pages of the process's page-cache pool: every connection takes its cached pages from it
 * first (malloc past it). A connection whose file another one changed throws its cache away
 * at its next transaction, which happens at nearly every request on a busy server; page by
 * page through malloc, each time, freeing them trimmed the threads' heaps (madvise, a TLB
 * flush on every core) and taking them again faulted the pages back in. */
#define PAGE_POOL_PAGES 2048
#define PAGE_POOL_PAGE_SIZE 4096

/* Bytes of a statement journal kept in memory before it goes to a temporary file. A
 * statement that may fail midway inside a transaction (a unique key, a trigger) journals the
 * pages it changes, to undo itself alone. Past SQLite's default of 64 KiB the journal went to
 * a file, created again by every transaction that reached it and written to by each of its
 * later statements: 38 pages per automatic renewal, more than three times its WAL's. One
 * statement's journal at a time per connection, freed when the statement ends. */
#define STMT_JOURNAL_SPILL (4 << 20)

static void *page_pool; /* SQLite's for the life of the process */
/* PARTNERD_SQLITE_SYNC=off: commits are not synced, as a PostgreSQL cluster with fsync=off;
 * for test suites and throwaway databases only (docs/operations.md). */
static bool sync_off;
static pthread_once_t configured = PTHREAD_ONCE_INIT;

static void configure_library(void)
{
    const char *sync = getenv("PARTNERD_SQLITE_SYNC");
    sync_off = sync && strcmp(sync, "off") == 0;
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STMT_JOURNAL_SPILL);
    int header = 0;
    if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) != SQLITE_OK)
        return;
    int slot = PAGE_POOL_PAGE_SIZE + header;
    page_pool = malloc((size_t)slot * PAGE_POOL_PAGES);
    if (page_pool &&
        sqlite3_config(SQLITE_CONFIG_PAGECACHE, page_pool, slot, PAGE_POOL_PAGES) != SQLITE_OK) {
        free(page_pool); /* SQLite was initialized already: it keeps its own allocation */
        page_pool = NULL;
    }
}

bool sqlite_file_synced(void)
{
    pthread_once(&configured, configure_library);
    return !sync_off;
}

/* Another process holds the file's write lock: try again every millisecond, for limit_ms
 * (NULL: the busy timeout), measured from the first try (SQLite passes tries 0). SQLite's
 * own handler sleeps longer and longer between tries (1, 2, 5 ... up to 100 ms, its
 * sqliteDefaultBusyCallback), and the holder takes the lock again within a millisecond of
 * each commit: a waiter sleeping that long finds it free only by chance. */
static int busy_wait(void *limit_ms, int tries)
{
    static _Thread_local int64_t since; /* when this wait began */
    int limit = limit_ms ? *(const int *)limit_ms : db_busy_timeout_ms();
    int64_t now = clock_monotonic_us();
    if (tries == 0)
        since = now;
    if (now - since >= (int64_t)limit * 1000)
        return 0;
    usleep(1000);
    return 1;
}

int sqlite_file_open(const char *path, sqlite3 **out, struct pd_error *err)
{
    pthread_once(&configured, configure_library);
    sqlite3 *conn = NULL;
    int rc = sqlite3_open_v2(
        path, &conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        pd_fail(err, PD_E_DB, "cannot open SQLite database %s: %s", path,
                conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
        sqlite3_close_v2(conn);
        return rc;
    }
    sqlite3_busy_handler(conn, busy_wait, NULL);
    sqlite3_extended_result_codes(conn, 1);
    /* Switching a new file to WAL takes an exclusive lock without calling the busy
     * handler, so connections opening a fresh database together wait here, as busy_wait. */
    for (int tries = 0;; tries++) {
        rc = sqlite3_exec(conn,
                          "PRAGMA journal_mode=WAL;"
                          "PRAGMA synchronous=NORMAL;"
                          "PRAGMA foreign_keys=ON;",
                          NULL, NULL, NULL);
        if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) ||
            !busy_wait(NULL, tries))
            break;
    }
    if (rc != SQLITE_OK) {
        pd_fail(err, PD_E_DB, "cannot configure SQLite database %s: %s", path,
                sqlite3_errmsg(conn));
        sqlite3_close_v2(conn);
        return rc;
    }
    *out = conn;
    return SQLITE_OK;
}

int sqlite_file_health(sqlite3 *conn, struct writer_queue *q, int timeout_ms, struct db_health *out)
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
    sqlite3_busy_handler(conn, busy_wait, &timeout_ms);
    int rc = sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        out->writable = !out->read_only;
        sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_busy_handler(conn, busy_wait, NULL);
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
    /* made here, readable by its owner only whatever the umask (it holds what the database
     * holds: password hashes, IBANs), and never over a file already there */
    int fd = open(dest_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return pd_fail(err, PD_E_CONFLICT, "%s exists already; backups never overwrite", dest_path);
    if (fd < 0)
        return pd_fail(err, PD_E_DB, "cannot write %s: %s", dest_path, strerror(errno));
    close(fd);
    int rc = sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE, NULL);
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
