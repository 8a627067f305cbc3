/* store/certified.c - SQL of certified people. */
#include "store/certified.h"

#include "core/arena.h"
#include "db/db.h"
#include "store/page.h"
#include "store/rows.h"
#include "store/subscriptions.h"

int certified_count(struct db *db, const char *partner_id, int64_t *count)
{
    return db_scalar(db, count, "SELECT COUNT(*) FROM certified_people WHERE partner_id = ?", "t",
                     partner_id);
}

int certified_list(struct db *db, struct arena *a, const char *partner_id,
                   const struct page_request *p, struct certified_row **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    struct page_sql q = {0};
    page_sql_start(&q, "SELECT id, name, email, certification, created_at FROM certified_people "
                       "WHERE 1 = 1");
    page_sql_and_text(&q, "partner_id = ?", partner_id);
    page_sql_finish(&q, "", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct certified_row *c = rows_add(a, &r, sizeof(*c));
        c->id = arena_strdup(a, db_column_text(st, 0));
        c->name = arena_strdup(a, db_column_text(st, 1));
        c->email = arena_strdup(a, db_column_text(st, 2));
        c->certification = arena_strdup(a, db_column_text(st, 3));
        c->created_at = db_column_int64(st, 4);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int certified_insert(struct db *db, const struct certified_row *p, const char *partner_id)
{
    int64_t rc =
        db_run(db,
               "INSERT INTO certified_people (id, partner_id, name, email, "
               "certification, created_at) VALUES (?, ?, ?, ?, ?, ?)",
               "ttttti", p->id, partner_id, p->name, p->email, p->certification, p->created_at);
    /* a competency's renewal needs certified people: a try refused for want of them is
     * made at the next pass */
    return rc < 0 ? (int)rc : subs_recheck_renewals(db, partner_id, NULL);
}

int certified_delete(struct db *db, const char *id, const char *partner_id)
{
    int64_t rc = db_run(db, "DELETE FROM certified_people WHERE id = ? AND partner_id = ?", "tt",
                        id, partner_id);
    return rc < 0 ? (int)rc : rc > 0;
}
