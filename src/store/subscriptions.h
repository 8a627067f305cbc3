/*
 * store/subscriptions.h - SQL of subscriptions and their terms.
 *
 * A row holds facts only (paid, dates, auto-renew, where it is managed); its state on a
 * given day is derived by core/subscription.c, never stored.
 */
#ifndef PD_STORE_SUBSCRIPTIONS_H
#define PD_STORE_SUBSCRIPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"

struct db;
struct db_stmt;

/* A subscription row as stored: facts only, no derived state. */
struct sub_row {
    char id[32];
    char partner_id[32];
    char offer_code[48];
    char managed_in[16];
    bool paid;
    char starts_on[11];
    char expires_on[11];
    bool auto_renew;
    bool auto_renew_locked;
    char cancelled_on[11]; /* empty when not cancelled */
    int64_t migrated_at;   /* 0 when never migrated from the PMC */
    int64_t created_at;
};

/* 1 and *out when found. */
int subs_find(struct db *db, const char *id, struct sub_row *out);

/* subs_find() that also locks the row until the caller's transaction ends, in the same
 * statement (db_query_locked): the read of a subscription about to be written (a
 * cancellation). The notices and the renewal checks lock a transaction's subscriptions with
 * subs_find_locked_many; the renewals' claims lock theirs one by one, in id order. */
int subs_find_locked(struct db *db, const char *id, struct sub_row *out);

/* subs_find_locked() of the subscriptions of ids[0..n-1] (n at most SUBS_READ_MAX), in one
 * statement (a job's transaction of them): for each ids[i], found[i] whether it exists, and
 * then out[i]. */
#define SUBS_READ_MAX 64
int subs_find_locked_many(struct db *db, const char *const *ids, int n, struct sub_row *out,
                          bool *found);

/* The columns of a sub_row, each name prefixed with t ("s." for a table joined as s), for
 * another store's query that reads a subscription with its own row; subs_read_columns()
 * reads them into *out from column `first` on. */
#define SUBS_COLUMNS_OF(t)                                                                         \
    t "id, " t "partner_id, " t "offer_code, " t "managed_in, " t "paid, " t "starts_on, " t       \
      "expires_on, " t "auto_renew, " t "auto_renew_locked, " t "cancelled_on, COALESCE(" t        \
      "migrated_at, 0), " t "created_at"
void subs_read_columns(struct db_stmt *st, int first, struct sub_row *out);

/* Every subscription of an organisation (partner_id NULL: of every organisation),
 * newest first. *out is malloc'd (owner: caller, free()); *count rows. */
int subs_list(struct db *db, const char *partner_id, struct sub_row **out, int *count);

/* A page of subscriptions, newest first, of one organisation and/or managed in one place
 * (NULL: any): p->limit + 1 rows at most. *out is malloc'd (owner: caller, free()). */
int subs_page(struct db *db, const char *partner_id, const char *managed_in,
              const struct page_request *p, struct sub_row **out, int *count);

/* What a write of a subscription's facts also sets: its check days back to "now", so the
 * notices and renewals jobs look at it on their next pass (migration 024). A new term
 * writes its first days instead (order_effects_start_term). */
#define SUBS_RECHECK "notice_check_on = '', renew_check_on = ''"

/* Sets the renewal check day of an organisation's subscriptions (of offer_code; NULL: of
 * every offer) back to "now": a fact a try depends on that is not on the subscription's row
 * changed (its saved card, its certified people, an open renewal order ended). Only the
 * running ones with auto-renew on are ever read by the pass; the others are written too, so
 * the statement is served by the organisation's index (subs_sql_recheck_renewals). */
int subs_recheck_renewals(struct db *db, const char *partner_id, const char *offer_code);
extern const char subs_sql_recheck_renewals[];

/* Sets the notices check day of an organisation's subscriptions back to "now": what they
 * are owed changed with a fact outside them (its saved card). */
int subs_recheck_notices(struct db *db, const char *partner_id);

/* Which check day: the notices job's or the renewals job's. */
enum subs_check { SUBS_CHECK_NOTICE, SUBS_CHECK_RENEW };

/* Where a job is in the subscriptions due: the (check day, id) of the last one read. */
struct subs_due_key {
    char check_on[11];
    char id[32];
};

/* A job's "what is due": up to limit paid, running, Partner Center subscriptions (with
 * auto-renew on, for SUBS_CHECK_RENEW) whose check day is on or before today, after the one
 * of after (NULL: from the first), by day and id, read through the index of that check day
 * (migration 024), so a pass with nothing due reads nothing. *last gets where the page
 * ends; rows malloc'd in *out (owner: caller, free()). */
int subs_checks_due(struct db *db, enum subs_check which, const char *today,
                    const struct subs_due_key *after, int limit, struct sub_row **out, int *count,
                    struct subs_due_key *last);
extern const char subs_sql_notice_due[];
extern const char subs_sql_renew_due[];

/* How many subscriptions are due as subs_checks_due() reads them (a progress total). */
int subs_checks_count(struct db *db, enum subs_check which, const char *today, int64_t *count);

/* Records the next day a job looks at the subscription (NULL: not before its facts change). */
int subs_set_check(struct db *db, enum subs_check which, const char *id, const char *check_on);

/* Sets back to "now" the check days after `today` (the test clock went back), or, with
 * past_expiry, of subscriptions expiring on or after `since` (the renewal window changed),
 * the notice days that lie after expiry or are NULL and the renewal days that are NULL: the
 * days after expiry depend on the window (a renewal day later than a shorter window's end
 * finds no try then, and is harmless). */
int subs_checks_reset(struct db *db, const char *today, bool past_expiry, const char *since);

/* Inserts a new subscription (s->id already drawn). */
int subs_insert(struct db *db, const struct sub_row *s, int64_t now);

/* Sets auto-renew and its lock. */
int subs_set_auto_renew(struct db *db, const char *id, bool on, bool locked, int64_t now);

/* Cancelled from effective_on (YYYY-MM-DD): auto-renew off, and locked off; the benefits
 * job looks at its grants on that day (their revocation). */
int subs_cancel(struct db *db, const char *id, const char *effective_on, int64_t now);

/* Cancels from on (YYYY-MM-DD) a subscription never paid (an unpaid purchase), auto-renew
 * off; a paid one is left alone. */
int subs_cancel_unpaid(struct db *db, const char *id, const char *on, int64_t now);

/* Moves a PMC subscription to partner_center; 1 when it was in the PMC. */
int subs_migrate(struct db *db, const char *id, int64_t now);

/* Records a term (the first one included); the terms before it are never granted any more.
 * granted: the caller's transaction grants its benefits (benefits_grant_term); otherwise the
 * benefits job does. */
int subs_add_term(struct db *db, const char *id, int term, const char *starts_on,
                  const char *expires_on, const char *source, bool granted, int64_t now);

/* Records the subscription's next term, numbered after those it has (*term): 1, or 0 when
 * there is no such subscription (nothing written). As subs_add_term() otherwise. */
int subs_add_next_term(struct db *db, const char *id, const char *starts_on,
                       const char *expires_on, const char *source, bool granted, int64_t now,
                       int *term);

/* The organisation a PMC membership ID (7 digits) names, for the PMC import: 1 and its id
 * in out, or 0. */
int subs_partner_by_membership(struct db *db, const char *membership_id, char *out, size_t n);

#endif
