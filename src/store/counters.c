/* store/counters.c - SQL of numbered series, and of counters kept. */
#include "store/counters.h"

#include "db/db.h"

int counters_take(struct db *db, const char *series, int k, int64_t *last)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO "
                      "UPDATE SET value = counters.value + excluded.value RETURNING value",
                      "ti", series, (int64_t)k);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW)
        *last = db_column_int64(st, 0);
    db_finalize(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : PD_E_DB;
}

int counters_next(struct db *db, const char *series, int64_t *value)
{
    return counters_take(db, series, 1, value);
}

int counters_get(struct db *db, const char *name, int64_t *value)
{
    *value = 0;
    int rc = db_scalar(db, value, "SELECT COALESCE(MAX(value), 0) FROM counters WHERE name = ?",
                       "t", name);
    return rc < 0 ? rc : 0;
}

int counters_set(struct db *db, const char *name, int64_t value)
{
    return db_write(db,
                    "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO "
                    "UPDATE SET value = excluded.value",
                    "ti", name, value);
}

int counters_lock(struct db *db, const char *name, bool shared)
{
    int rc = db_lock_row_by(db, "counters", "name", name, shared);
    return rc < 0 ? rc : 0;
}
