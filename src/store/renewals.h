/*
 * store/renewals.h - SQL of renewal attempts, subscription notices and the counting of
 * terms.
 *
 * A renewal attempt is unique per (subscription, term, try) and a notice per
 * (subscription, term, kind): the database, not the process, decides that a thing is done
 * once, so two servers running the same pass cannot both do it.
 */
#ifndef PD_STORE_RENEWALS_H
#define PD_STORE_RENEWALS_H

#include <stdbool.h>
#include <stdint.h>

struct db;

/* The tries of one subscription's term so far. */
struct renewal_tries {
    int64_t term;      /* the term: the subscription's latest (its number of terms) */
    int failed;        /* how many failed */
    char last_on[11];  /* the day of the latest (YYYY-MM-DD); empty when none */
    bool open_or_done; /* one is still pending, or one succeeded */
};

/* A new automatic renewal try, 'pending' until card_charge() settles its order. */
struct renewal_attempt_new {
    char id[32];
    char subscription_id[32];
    int64_t term;
    int try;
    char order_id[32];
    char attempted_on[11]; /* YYYY-MM-DD */
};

/* Inside a transaction, locks the subscription until commit. 1 when it exists, else 0. */
int renewal_lock_subscription(struct db *db, const char *subscription_id);

/* 0 and *out, the tries of the subscription's latest term, and that term. */
int renewal_tries_of(struct db *db, const char *subscription_id, struct renewal_tries *out);

/* renewal_tries_of() of the subscriptions ids[0..n-1] (distinct, n at most
 * RENEWAL_TRIES_READ_MAX) in one statement, into out[0..n-1]: a subscription with no term
 * has term 0, as there. */
#define RENEWAL_TRIES_READ_MAX 64
extern const char renewal_sql_tries_many[];
int renewal_tries_of_many(struct db *db, const char *const *ids, int n, struct renewal_tries *out);

/* Records a try; PD_E_DB_CONSTRAINT when this try exists already (another process). */
int renewal_attempt_insert(struct db *db, const struct renewal_attempt_new *a, int64_t now);

/* 1 with the try of the renewal attempt order_id pays and the day it was made (YYYY-MM-DD,
 * 11 bytes), or 0 when the order is no automatic renewal's. */
int renewal_try_of_order(struct db *db, const char *order_id, int *try, char *attempted_on);

/* 1 with the order of the subscription's try still pending (the latest), or 0. */
int renewal_open_order(struct db *db, const char *subscription_id, char order_id[32]);

/* The orders of the tries still pending (a killed process left them), oldest claim first.
 * *out is a malloc'd array of ids (owner: caller, free()). */
int renewal_pending_orders(struct db *db, char (**out)[32], int *count);

/* The kinds of the notices that went out for the subscription's term under way (the one its
 * count of terms names), up to max of them into kinds (NOTICE_KIND_LEN bytes each). */
#define NOTICE_KIND_LEN 24
int renewal_notices_sent(struct db *db, const char *subscription_id,
                         char (*kinds)[NOTICE_KIND_LEN], int max, int *n);

/* Records that a notice of kind went out on day (YYYY-MM-DD) for the subscription's term
 * under way, the one its count of terms names: 1 when it is new, 0 when it was sent
 * already. */
int renewal_notice_insert(struct db *db, const char *subscription_id, const char *kind,
                          const char *day);

#endif
