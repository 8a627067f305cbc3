/*
 * store/support.c - SQL of support requests, their messages and files.
 *
 * Lists grow in the caller's arena (doubling, old copies left to the arena), so a use case
 * frees everything it read at once.
 */
#include "store/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"
#include "store/page.h"
#include "store/rows.h"

#define REQUEST_COLUMNS                                                                            \
    "SELECT id, number, partner_id, subscription_id, category, problem_type, kind, title, "        \
    "description, status, assignee_id, created_by, COALESCE(resolved_at, 0), resolution, "         \
    "created_at, updated_at FROM support_requests "

static void read_request(struct db_stmt *st, struct arena *a, struct request_row *r)
{
    r->id = arena_strdup(a, db_column_text(st, 0));
    r->number = arena_strdup(a, db_column_text(st, 1));
    r->partner_id = arena_strdup(a, db_column_text(st, 2));
    r->subscription_id = arena_strdup(a, db_column_text(st, 3));
    r->category = arena_strdup(a, db_column_text(st, 4));
    r->problem_type = arena_strdup(a, db_column_text(st, 5));
    r->kind = arena_strdup(a, db_column_text(st, 6));
    r->title = arena_strdup(a, db_column_text(st, 7));
    r->description = arena_strdup(a, db_column_text(st, 8));
    r->status = arena_strdup(a, db_column_text(st, 9));
    r->assignee_id = arena_strdup(a, db_column_text(st, 10));
    r->created_by = arena_strdup(a, db_column_text(st, 11));
    r->resolved_at = db_column_int64(st, 12);
    r->resolution = arena_strdup(a, db_column_text(st, 13));
    r->created_at = db_column_int64(st, 14);
    r->updated_at = db_column_int64(st, 15);
}

int requests_insert(struct db *db, const struct support_new *r, int64_t now)
{
    int64_t rc =
        db_run(db,
               "INSERT INTO support_requests (id, number, partner_id, subscription_id, "
               "category, problem_type, kind, title, description, status, created_by, "
               "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
               "ttttttttttii", r->id, r->number, r->partner_id, r->subscription_id, r->category,
               r->problem_type, r->kind, r->title, r->description, r->created_by, now, now);
    return rc < 0 ? (int)rc : 0;
}

int requests_find(struct db *db, struct arena *a, const char *id, const char *partner_id,
                  struct request_row *out)
{
    struct db_stmt *st;
    int rc = partner_id ? db_query(db, &st, REQUEST_COLUMNS "WHERE id = ? AND partner_id = ?", "tt",
                                   id, partner_id)
                        : db_query(db, &st, REQUEST_COLUMNS "WHERE id = ?", "t", id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        read_request(st, a, out);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int requests_open_cancellation(struct db *db, const char *subscription_id, char *id, size_t n)
{
    return db_text(db, id, n,
                   "SELECT id FROM support_requests WHERE subscription_id = ? AND kind = "
                   "'cancellation' AND status IN ('open', 'in_progress')",
                   "t", subscription_id);
}

int requests_page(struct db *db, struct arena *a, const struct requests_filter *f,
                  const struct page_request *p, struct request_row **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    struct page_sql q = {0};
    page_sql_start(&q, REQUEST_COLUMNS "WHERE 1 = 1");
    page_sql_and_text(&q, "partner_id = ?", f->partner_id);
    page_sql_and_text(&q, "status = ?", f->status);
    page_sql_and_text(&q, "category = ?", f->category);
    if (f->assignee_id && !f->assignee_id[0])
        page_sql_and(&q, "assignee_id IS NULL");
    else
        page_sql_and_text(&q, "assignee_id = ?", f->assignee_id);
    page_sql_and_text(&q, "number = ?", f->number);
    page_sql_created_between(&q, "", f->from, f->to);
    page_sql_finish(&q, "", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        read_request(st, a, rows_add(a, &r, sizeof(struct request_row)));
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int requests_lock(struct db *db, const char *id)
{
    return db_lock_row(db, "support_requests", id);
}

int requests_set_status(struct db *db, const char *id, const char *from, const char *to,
                        int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE support_requests SET status = ?, updated_at = ?, resolved_at = "
                        "CASE WHEN ? = 'resolved' THEN ? ELSE resolved_at END WHERE id = ? AND "
                        "status = COALESCE(?, status)",
                        "tititt", to, now, to, now, id, from);
    return rc < 0 ? (int)rc : rc > 0;
}

int requests_set_assignee(struct db *db, const char *id, const char *assignee_id, int64_t now)
{
    int64_t rc =
        db_run(db, "UPDATE support_requests SET assignee_id = ?, updated_at = ? WHERE id = ?",
               "tit", assignee_id, now, id);
    return rc < 0 ? (int)rc : 0;
}

int requests_set_resolution(struct db *db, const char *id, const char *resolution, int64_t now)
{
    int64_t rc =
        db_run(db, "UPDATE support_requests SET resolution = ?, updated_at = ? WHERE id = ?", "tit",
               resolution, now, id);
    return rc < 0 ? (int)rc : 0;
}

int requests_close_resolved(struct db *db, int64_t before, int64_t now)
{
    int64_t n = db_run(db,
                       "UPDATE support_requests SET status = 'closed', updated_at = ? WHERE "
                       "status = 'resolved' AND resolved_at < ?",
                       "ii", now, before);
    return (int)n;
}

int requests_assignable(struct db *db, const char *user_id)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n,
                       "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id WHERE "
                       "u.id = ? AND u.kind = 'staff' AND u.status = 'active' AND r.role IN "
                       "('support', 'operator')",
                       "t", user_id);
    return rc < 0 ? rc : n > 0;
}

int requests_add_message(struct db *db, const char *request_id, const char *author_id,
                         bool from_staff, const char *body, int64_t now)
{
    char id[32];
    id_new("msg", id, sizeof(id));
    int64_t rc =
        db_run(db,
               "INSERT INTO support_messages (id, request_id, seq, author_id, from_staff, "
               "body, created_at) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
               "support_messages WHERE request_id = ?), ?, ?, ?, ?)",
               "ttttiti", id, request_id, request_id, author_id, (int64_t)from_staff, body, now);
    return rc < 0 ? (int)rc : 0;
}

int requests_messages(struct db *db, struct arena *a, const char *request_id,
                      struct request_message **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc =
        db_query(db, &st,
                 "SELECT m.id, m.from_staff, u.name, m.body, m.created_at FROM support_messages "
                 "m JOIN users u ON u.id = m.author_id WHERE m.request_id = ? ORDER BY m.seq",
                 "t", request_id);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct request_message *m = rows_add(a, &r, sizeof(*m));
        m->id = arena_strdup(a, db_column_text(st, 0));
        m->from_staff = db_column_int64(st, 1) != 0;
        m->author = arena_strdup(a, db_column_text(st, 2));
        m->body = arena_strdup(a, db_column_text(st, 3));
        m->created_at = db_column_int64(st, 4);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int requests_add_file(struct db *db, const char *id, const char *request_id, const char *filename,
                      const char *content_type, int64_t size, const char *data_b64,
                      const char *uploaded_by, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO support_attachments (id, request_id, seq, filename, "
                        "content_type, size, data, uploaded_by, created_at) VALUES (?, ?, (SELECT "
                        "COALESCE(MAX(seq), 0) + 1 FROM support_attachments WHERE request_id = ?), "
                        "?, ?, ?, ?, ?, ?)",
                        "tttttitti", id, request_id, request_id, filename, content_type, size,
                        data_b64, uploaded_by, now);
    return rc < 0 ? (int)rc : 0;
}

int requests_files(struct db *db, struct arena *a, const char *request_id,
                   struct request_file **out, int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc =
        db_query(db, &st,
                 "SELECT id, filename, content_type, size, created_at FROM support_attachments "
                 "WHERE request_id = ? ORDER BY seq",
                 "t", request_id);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct request_file *f = rows_add(a, &r, sizeof(*f));
        f->id = arena_strdup(a, db_column_text(st, 0));
        f->filename = arena_strdup(a, db_column_text(st, 1));
        f->content_type = arena_strdup(a, db_column_text(st, 2));
        f->size = db_column_int64(st, 3);
        f->created_at = db_column_int64(st, 4);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int requests_files_count(struct db *db, const char *request_id, int64_t *count)
{
    return db_scalar(db, count, "SELECT COUNT(*) FROM support_attachments WHERE request_id = ?",
                     "t", request_id);
}

int requests_file_data(struct db *db, const char *id, const char *request_id, char *filename,
                       size_t fn, char *content_type, size_t ctn, char **data_b64)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT filename, content_type, data FROM support_attachments WHERE id = ? "
                      "AND request_id = ?",
                      "tt", id, request_id);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(filename, fn, "%s", db_column_text(st, 0));
        snprintf(content_type, ctn, "%s", db_column_text(st, 1));
        *data_b64 = strdup(db_column_text(st, 2));
        rc = *data_b64 ? 1 : -1;
    }
    db_finalize(st);
    return rc;
}
