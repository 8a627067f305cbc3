/*
 * store/page.h - the SQL of one page of a list: optional filters and the keyset.
 *
 * Every list reads newest first by (created_at DESC, id DESC) and starts after the row its
 * cursor names with a row-value comparison, which an index on (..., created_at, id) serves
 * on both engines; it reads one row more than the page so the caller knows whether a next
 * page exists. Filters are appended only when given ("AND status = ?"), never written as
 * "status = COALESCE(?, status)", which no index can serve.
 */
#ifndef PD_STORE_PAGE_H
#define PD_STORE_PAGE_H

#include <stdint.h>

#include "core/buf.h"
#include "core/cursor.h"

struct db;
struct db_stmt;

#define PAGE_SQL_MAX_PARAMS 24

/* A statement being written: its text and its parameters in order. */
struct page_sql {
    struct buf sql;
    int n;
    char kind[PAGE_SQL_MAX_PARAMS]; /* 't' text, 'i' integer */
    const char *text[PAGE_SQL_MAX_PARAMS];
    int64_t num[PAGE_SQL_MAX_PARAMS];
};

/* Starts with the SELECT ... FROM ... WHERE <base> text (base must be a whole condition,
 * "1 = 1" when none). */
void page_sql_start(struct page_sql *q, const char *select_where);

/* Appends " AND cond" with one text parameter, when value is not NULL. */
void page_sql_and_text(struct page_sql *q, const char *cond, const char *value);

/* Appends " AND cond", a condition without parameters. */
void page_sql_and(struct page_sql *q, const char *cond);

/* Appends " AND cond" with one integer parameter. */
void page_sql_and_int(struct page_sql *q, const char *cond, int64_t value);

/* Appends the creation-time range [from, to) on alias ("" or "w"), each bound when not 0
 * (instants in seconds, as the date filters of the lists give them). */
void page_sql_created_between(struct page_sql *q, const char *alias, int64_t from, int64_t to);

/* Appends " AND cond" with the same text parameter nparams times (a search over several
 * columns: "(name LIKE ? OR ref = ?)"). */
void page_sql_and_text_n(struct page_sql *q, const char *cond, const char *value, int nparams);

/* Appends the keyset and order: "AND (<alias>.created_at, <alias>.id) < (?, ?)" when the
 * page starts after a row, then "ORDER BY ... DESC LIMIT <limit + 1>". alias may be "" for
 * a single table. */
void page_sql_finish(struct page_sql *q, const char *alias, const struct page_request *p);

/* page_sql_finish() for a table whose sort key has other names: at_col (Unix seconds) and
 * id_col, as written ("k.loaded_at", "k.id"). The cursor's created_at is then at_col's. */
void page_sql_finish_by(struct page_sql *q, const char *at_col, const char *id_col,
                        const struct page_request *p);

/* Prepares and binds: *st ready for db_step(); frees the text either way. */
int page_sql_run(struct db *db, struct page_sql *q, struct db_stmt **st);

#endif
