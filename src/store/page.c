/* store/page.c - writing one page's SQL: optional filters, then the keyset and the order. */
#include "store/page.h"

#include <assert.h>

#include "db/db.h"

static void param(struct page_sql *q, char kind, const char *t, int64_t i)
{
    assert(q->n < PAGE_SQL_MAX_PARAMS);
    q->kind[q->n] = kind;
    q->text[q->n] = t;
    q->num[q->n] = i;
    q->n++;
}

void page_sql_start(struct page_sql *q, const char *select_where)
{
    q->n = 0;
    buf_reset(&q->sql);
    buf_puts(&q->sql, select_where);
}

void page_sql_and_text(struct page_sql *q, const char *cond, const char *value)
{
    page_sql_and_text_n(q, cond, value, 1);
}

void page_sql_and_text_n(struct page_sql *q, const char *cond, const char *value, int nparams)
{
    if (value == NULL)
        return;
    buf_printf(&q->sql, " AND %s", cond);
    for (int i = 0; i < nparams; i++)
        param(q, 't', value, 0);
}

void page_sql_and(struct page_sql *q, const char *cond)
{
    buf_printf(&q->sql, " AND %s", cond);
}

void page_sql_and_int(struct page_sql *q, const char *cond, int64_t value)
{
    buf_printf(&q->sql, " AND %s", cond);
    param(q, 'i', NULL, value);
}

void page_sql_created_between(struct page_sql *q, const char *alias, int64_t from, int64_t to)
{
    const char *dot = alias[0] ? "." : "";
    if (from) {
        buf_printf(&q->sql, " AND %s%screated_at >= ?", alias, dot);
        param(q, 'i', NULL, from);
    }
    if (to) {
        buf_printf(&q->sql, " AND %s%screated_at < ?", alias, dot);
        param(q, 'i', NULL, to);
    }
}

void page_sql_finish(struct page_sql *q, const char *alias, const struct page_request *p)
{
    const char *dot = alias[0] ? "." : "";
    if (p->after) {
        buf_printf(&q->sql, " AND (%s%screated_at, %s%sid) < (?, ?)", alias, dot, alias, dot);
        param(q, 'i', NULL, p->key.created_at);
        param(q, 't', p->key.id, 0);
    }
    buf_printf(&q->sql, " ORDER BY %s%screated_at DESC, %s%sid DESC LIMIT ?", alias, dot, alias,
               dot);
    param(q, 'i', NULL, p->limit + 1);
}

void page_sql_finish_by(struct page_sql *q, const char *at_col, const char *id_col,
                        const struct page_request *p)
{
    if (p->after) {
        buf_printf(&q->sql, " AND (%s, %s) < (?, ?)", at_col, id_col);
        param(q, 'i', NULL, p->key.created_at);
        param(q, 't', p->key.id, 0);
    }
    buf_printf(&q->sql, " ORDER BY %s DESC, %s DESC LIMIT ?", at_col, id_col);
    param(q, 'i', NULL, p->limit + 1);
}

int page_sql_run(struct db *db, struct page_sql *q, struct db_stmt **st)
{
    int rc = db_prepare(db, q->sql.data, st);
    buf_free(&q->sql);
    if (rc < 0)
        return rc;
    for (int i = 0; i < q->n && rc >= 0; i++)
        rc = q->kind[i] == 't' ? db_bind_text(*st, i + 1, q->text[i])
                               : db_bind_int64(*st, i + 1, q->num[i]);
    if (rc < 0) {
        db_finalize(*st);
        *st = NULL;
    }
    return rc;
}
