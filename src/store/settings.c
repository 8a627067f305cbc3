/* store/settings.c - SQL of the settings table. */
#include "store/settings.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "db/db.h"

int settings_get(struct db *db, const char *key, char *out, size_t n)
{
    return db_text(db, out, n, "SELECT value FROM settings WHERE key = ?", "t", key);
}

int settings_each(struct db *db, void (*fn)(void *ctx, const char *key, const char *value),
                  void *ctx)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT key, value FROM settings", &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        fn(ctx, db_column_text(st, 0), db_column_text(st, 1));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int settings_set(struct db *db, const char *key, const char *value)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                        "updated_at = excluded.updated_at",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, value);
    db_bind_int64(st, 3, clock_now());
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int settings_delete(struct db *db, const char *key)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM settings WHERE key = ?", &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, key);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int64_t settings_get_int(struct db *db, const char *key, int64_t fallback)
{
    char value[32], *end;
    if (settings_get(db, key, value, sizeof(value)) != 1)
        return fallback;
    long long v = strtoll(value, &end, 10);
    return *end == '\0' && end != value ? (int64_t)v : fallback;
}
