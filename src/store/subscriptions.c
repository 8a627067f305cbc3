/* store/subscriptions.c - SQL of subscriptions and their terms. */
#include "store/subscriptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "store/page.h"

#define SUB_LIST SUBS_COLUMNS_OF("")
#define SUB_COLUMNS "SELECT " SUB_LIST " FROM subscriptions "

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

void subs_read_columns(struct db_stmt *st, int first, struct sub_row *s)
{
    memset(s, 0, sizeof(*s));
    copy(s->id, sizeof(s->id), db_column_text(st, first));
    copy(s->partner_id, sizeof(s->partner_id), db_column_text(st, first + 1));
    copy(s->offer_code, sizeof(s->offer_code), db_column_text(st, first + 2));
    copy(s->managed_in, sizeof(s->managed_in), db_column_text(st, first + 3));
    s->paid = db_column_int64(st, first + 4) != 0;
    copy(s->starts_on, sizeof(s->starts_on), db_column_text(st, first + 5));
    copy(s->expires_on, sizeof(s->expires_on), db_column_text(st, first + 6));
    s->auto_renew = db_column_int64(st, first + 7) != 0;
    s->auto_renew_locked = db_column_int64(st, first + 8) != 0;
    copy(s->cancelled_on, sizeof(s->cancelled_on), db_column_text(st, first + 9));
    s->migrated_at = db_column_int64(st, first + 10);
    s->created_at = db_column_int64(st, first + 11);
}

static void read_row(struct db_stmt *st, struct sub_row *s)
{
    subs_read_columns(st, 0, s);
}

/* The first row of st, if any, into *out (1; 0 when none), and st finalized. */
static int first_row(struct db_stmt *st, struct sub_row *out)
{
    int rc = db_step(st);
    if (rc == DB_ROW) {
        read_row(st, out);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int subs_find(struct db *db, const char *id, struct sub_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, SUB_COLUMNS "WHERE id = ?", "t", id);
    return rc < 0 ? rc : first_row(st, out);
}

int subs_find_locked(struct db *db, const char *id, struct sub_row *out)
{
    struct db_stmt *st;
    int rc = db_query_locked(db, &st, SUB_COLUMNS "WHERE id = ?", "t", id);
    return rc < 0 ? rc : first_row(st, out);
}

/* The locked read of up to SUBS_READ_MAX subscriptions (db_bind_text_list), in the order of
 * their ids, so that two transactions locking some of the same rows take them in the same
 * order. */
#define EIGHT_IDS "?, ?, ?, ?, ?, ?, ?, ?"
static const char subs_sql_find_locked_many[] =
    SUB_COLUMNS "WHERE id IN (" EIGHT_IDS ", " EIGHT_IDS ", " EIGHT_IDS ", " EIGHT_IDS ", " EIGHT_IDS
                ", " EIGHT_IDS ", " EIGHT_IDS ", " EIGHT_IDS ") ORDER BY id";
_Static_assert(SUBS_READ_MAX == 8 * 8, "one parameter for each id");

int subs_find_locked_many(struct db *db, const char *const *ids, int n, struct sub_row *out,
                          bool *found)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare_locked(db, subs_sql_find_locked_many, &st);
    if (rc >= 0)
        rc = db_bind_text_list(st, 1, ids, n, SUBS_READ_MAX);
    if (rc < 0) {
        db_finalize(st);
        return rc;
    }
    for (int i = 0; i < n; i++)
        found[i] = false;
    struct sub_row row;
    while ((rc = db_step(st)) == DB_ROW) {
        read_row(st, &row);
        for (int i = 0; i < n; i++)
            if (!found[i] && strcmp(ids[i], row.id) == 0) {
                out[i] = row;
                found[i] = true;
                break;
            }
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int read_rows(struct db_stmt *st, struct sub_row **out, int *count, char *last_extra);

static int read_all(struct db_stmt *st, struct sub_row **out, int *count)
{
    return read_rows(st, out, count, NULL);
}

int subs_list(struct db *db, const char *partner_id, struct sub_row **out, int *count)
{
    struct db_stmt *st;
    int rc = partner_id ? db_query(db, &st,
                                   SUB_COLUMNS "WHERE partner_id = ? ORDER BY created_at DESC, "
                                               "id DESC",
                                   "t", partner_id)
                        : db_query(db, &st, SUB_COLUMNS "ORDER BY created_at DESC, id DESC", "");
    if (rc < 0)
        return rc;
    return read_all(st, out, count);
}

int subs_page(struct db *db, const char *partner_id, const char *managed_in,
              const struct page_request *p, struct sub_row **out, int *count)
{
    struct page_sql q = {0};
    struct db_stmt *st;
    page_sql_start(&q, SUB_COLUMNS "WHERE 1 = 1");
    page_sql_and_text(&q, "partner_id = ?", partner_id);
    page_sql_and_text(&q, "managed_in = ?", managed_in);
    page_sql_finish(&q, "", p);
    int rc = page_sql_run(db, &q, &st);
    return rc < 0 ? rc : read_all(st, out, count);
}

/* Running Partner Center subscriptions: the WHERE of the partial check-day indexes. */
#define RUNNING_IN_PC "paid = 1 AND cancelled_on IS NULL AND managed_in = 'partner_center'"

/* Both match their partial index (migration 024) by repeating its WHERE. */
const char subs_sql_notice_due[] =
    "SELECT " SUB_LIST ", notice_check_on FROM subscriptions WHERE notice_check_on <= ? AND "
    "(notice_check_on, id) > (?, ?) AND " RUNNING_IN_PC " ORDER BY notice_check_on, id LIMIT ?";
const char subs_sql_renew_due[] =
    "SELECT " SUB_LIST ", renew_check_on FROM subscriptions WHERE renew_check_on <= ? AND "
    "(renew_check_on, id) > (?, ?) AND " RUNNING_IN_PC
    " AND auto_renew = 1 ORDER BY renew_check_on, id LIMIT ?";

int subs_checks_due(struct db *db, enum subs_check which, const char *today,
                    const struct subs_due_key *after, int limit, struct sub_row **out, int *count,
                    struct subs_due_key *last)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      which == SUBS_CHECK_NOTICE ? subs_sql_notice_due : subs_sql_renew_due, "ttti",
                      today, after ? after->check_on : "", after ? after->id : "", (int64_t)limit);
    if (rc < 0)
        return rc;
    /* the page's last key: its check day is the column after the row's */
    rc = read_rows(st, out, count, last->check_on);
    if (rc == 0 && *count > 0)
        snprintf(last->id, sizeof(last->id), "%s", (*out)[*count - 1].id);
    return rc;
}

int subs_checks_count(struct db *db, enum subs_check which, const char *today, int64_t *count)
{
    return db_scalar(db, count,
                     which == SUBS_CHECK_NOTICE
                         ? "SELECT COUNT(*) FROM subscriptions WHERE notice_check_on <= ? "
                           "AND " RUNNING_IN_PC
                         : "SELECT COUNT(*) FROM subscriptions WHERE renew_check_on <= ? "
                           "AND " RUNNING_IN_PC " AND auto_renew = 1",
                     "t", today);
}

int subs_set_check(struct db *db, enum subs_check which, const char *id, const char *check_on)
{
    return db_write(db,
                    which == SUBS_CHECK_NOTICE
                        ? "UPDATE subscriptions SET notice_check_on = ? WHERE id = ?"
                        : "UPDATE subscriptions SET renew_check_on = ? WHERE id = ?",
                    "tt", check_on, id);
}

int subs_checks_reset(struct db *db, const char *today, bool past_expiry, const char *since)
{
    int64_t rc = past_expiry
                     ? db_run(db,
                              "UPDATE subscriptions SET " SUBS_RECHECK " WHERE expires_on >= ? AND "
                              "(COALESCE(notice_check_on, '9999-12-31') > expires_on OR "
                              "renew_check_on IS NULL)",
                              "t", since)
                     : db_run(db,
                              "UPDATE subscriptions SET " SUBS_RECHECK " WHERE "
                              "COALESCE(notice_check_on, '9999-12-31') > ? OR "
                              "COALESCE(renew_check_on, '9999-12-31') > ?",
                              "tt", today, today);
    return rc < 0 ? (int)rc : 0;
}

/* Not "AND auto_renew = 1 AND " RUNNING_IN_PC: those terms are the renewal pass's partial
 * index's, and a planner without statistics then walks that index, every subscription with
 * auto-renew on, instead of the organisation's few (seconds a call at 100 000 partners). */
const char subs_sql_recheck_renewals[] =
    "UPDATE subscriptions SET renew_check_on = '' WHERE partner_id = ? AND "
    "(CAST(? AS TEXT) IS NULL OR offer_code = ?) AND renew_check_on IS DISTINCT FROM ''";

int subs_recheck_renewals(struct db *db, const char *partner_id, const char *offer_code)
{
    int64_t rc = db_run(db, subs_sql_recheck_renewals, "ttt", partner_id, offer_code, offer_code);
    return rc < 0 ? (int)rc : 0;
}

int subs_recheck_notices(struct db *db, const char *partner_id)
{
    int64_t rc = db_run(db,
                        "UPDATE subscriptions SET notice_check_on = '' WHERE partner_id = ? AND "
                        "notice_check_on IS DISTINCT FROM ''",
                        "t", partner_id);
    return rc < 0 ? (int)rc : 0;
}

/* Reads every row of st into a malloc'd array and finalizes st; with last_extra, the
 * column after the row's (a date) of the last row there. */
static int read_rows(struct db_stmt *st, struct sub_row **out, int *count, char *last_extra)
{
    int rc = 0;
    int cap = 16, n = 0;
    struct sub_row *rows = malloc((size_t)cap * sizeof(*rows));
    while (rows && (rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            struct sub_row *grown = realloc(rows, (size_t)(cap *= 2) * sizeof(*rows));
            if (grown == NULL) {
                free(rows);
                rows = NULL;
                break;
            }
            rows = grown;
        }
        read_row(st, &rows[n++]);
        if (last_extra)
            copy(last_extra, 11, db_column_text(st, 12));
    }
    db_finalize(st);
    if (rows == NULL)
        return -1;
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *count = n;
    return 0;
}

int subs_insert(struct db *db, const struct sub_row *s, int64_t now)
{
    int64_t rc =
        db_run(db,
               "INSERT INTO subscriptions (id, partner_id, offer_code, managed_in, paid, "
               "starts_on, expires_on, auto_renew, auto_renew_locked, cancelled_on, "
               "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               "ttttittiitii", s->id, s->partner_id, s->offer_code, s->managed_in, (int64_t)s->paid,
               s->starts_on[0] ? s->starts_on : NULL, s->expires_on[0] ? s->expires_on : NULL,
               (int64_t)s->auto_renew, (int64_t)s->auto_renew_locked,
               s->cancelled_on[0] ? s->cancelled_on : NULL, now, now);
    return rc < 0 ? (int)rc : 0;
}

int subs_set_auto_renew(struct db *db, const char *id, bool on, bool locked, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE subscriptions SET auto_renew = ?, auto_renew_locked = ?, "
                        "updated_at = ?, " SUBS_RECHECK " WHERE id = ?",
                        "iiit", (int64_t)on, (int64_t)locked, now, id);
    return rc < 0 ? (int)rc : 0;
}

int subs_cancel(struct db *db, const char *id, const char *effective_on, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE subscriptions SET cancelled_on = ?, auto_renew = 0, "
                        "auto_renew_locked = 1, updated_at = ?, " SUBS_RECHECK " WHERE id = ?",
                        "tit", effective_on, now, id);
    /* the benefits job revokes its grants from that day: it looks at them then (a grant
     * with no check day has nothing left to revoke) */
    if (rc >= 0)
        rc = db_run(db,
                    "UPDATE benefit_grants SET check_on = ? WHERE subscription_id = ? AND "
                    "check_on > ?",
                    "ttt", effective_on, id, effective_on);
    return rc < 0 ? (int)rc : 0;
}

int subs_migrate(struct db *db, const char *id, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE subscriptions SET managed_in = 'partner_center', migrated_at = ?, "
                        "updated_at = ?, " SUBS_RECHECK " WHERE id = ? AND managed_in = 'pmc'",
                        "iit", now, now, id);
    return rc < 0 ? (int)rc : rc > 0;
}

/* The new term is the one that gets grants (by its caller, or the benefits job when it is
 * inserted due); a term it replaces before being granted never will be. */
static int terms_supersede(struct db *db, const char *id, int64_t term)
{
    return db_write(db,
                    "UPDATE subscription_terms SET benefits_due = 0 WHERE subscription_id = ? AND "
                    "term < ? AND benefits_due = 1",
                    "ti", id, term);
}

int subs_add_term(struct db *db, const char *id, int term, const char *starts_on,
                  const char *expires_on, const char *source, bool granted, int64_t now)
{
    int rc = db_write(db,
                      "INSERT INTO subscription_terms (subscription_id, term, starts_on, "
                      "expires_on, source, created_at, benefits_due) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      "titttii", id, (int64_t)term, starts_on, expires_on, source, now,
                      (int64_t)!granted);
    if (rc >= 0 && term > 1)
        rc = terms_supersede(db, id, term);
    return rc;
}

int subs_add_next_term(struct db *db, const char *id, const char *starts_on, const char *expires_on,
                       const char *source, bool granted, int64_t now, int *term)
{
    /* numbered in the insert, a term's number being how many the subscription has had: one
     * statement, not a read of the subscription and a count before it (a round trip each on
     * PostgreSQL) */
    int64_t next = 0;
    int rc = db_scalar(db, &next,
                       "INSERT INTO subscription_terms (subscription_id, term, starts_on, "
                       "expires_on, source, created_at, benefits_due) SELECT s.id, (SELECT "
                       "COUNT(*) FROM subscription_terms t WHERE t.subscription_id = s.id) + 1, "
                       "?, ?, ?, ?, ? FROM subscriptions s WHERE s.id = ? RETURNING term",
                       "tttiit", starts_on, expires_on, source, now, (int64_t)!granted, id);
    if (rc < 0 || next == 0) /* no such subscription: nothing inserted */
        return rc < 0 ? rc : 0;
    *term = (int)next;
    if (next > 1)
        rc = terms_supersede(db, id, next);
    return rc < 0 ? rc : 1;
}

int subs_cancel_unpaid(struct db *db, const char *id, const char *on, int64_t now)
{
    int64_t rc = db_run(db,
                        "UPDATE subscriptions SET cancelled_on = ?, auto_renew = 0, "
                        "updated_at = ?, " SUBS_RECHECK " WHERE id = ? AND paid = 0",
                        "tit", on, now, id);
    return rc < 0 ? (int)rc : 0;
}

int subs_partner_by_membership(struct db *db, const char *membership_id, char *out, size_t n)
{
    return db_text(db, out, n, "SELECT id FROM partners WHERE membership_id = ?", "t",
                   membership_id);
}
