/*
 * store/referrals.h - SQL of referrals (a customer's request to a partner) and their notes.
 *
 * A referral's personal data (name, company, email, phone, country, need, the client
 * address and the email's hash) is NULL once erased; the row stays, so the counts of the
 * partner's funnel stay true. Texts are copied into the caller's arena.
 */
#ifndef PD_STORE_REFERRALS_H
#define PD_STORE_REFERRALS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cursor.h"

struct arena;
struct db;

struct referral_row {
    const char *id, *partner_id, *status;
    const char *name, *company, *email, *phone, *country, *need; /* NULL once erased */
    bool consent;
    const char *lang;
    const char *client_ip, *email_hash;
    const char *confirm_hash; /* NULL once confirmed */
    const char *erase_token;
    const char *decline_reason;
    int64_t confirm_by, confirmed_at, respond_by, responded_at, closed_at, erased_at;
    int64_t created_at, updated_at;
};

/* Inserts a referral as it is (status unconfirmed). */
int referrals_insert(struct db *db, const struct referral_row *r);

/* Inside the caller's transaction, until it ends: the turn of referrals sent from this client
 * address and this email hash, so that two sent at once are counted one after the other
 * (referrals_count_since) and no more than the limit get through. */
int referrals_lock_sender(struct db *db, const char *address, const char *email_hash);

/* How many referrals were sent since `since` from this client address (by "address") or
 * this email hash (by "email"). */
int referrals_count_since(struct db *db, const char *by, const char *value, int64_t since,
                          int64_t *n);

/* 1 and *out: by id within partner_id (NULL: any), by confirmation hash, by erase token. */
int referrals_find(struct db *db, struct arena *a, const char *id, const char *partner_id,
                   struct referral_row *out);
int referrals_find_confirm(struct db *db, struct arena *a, const char *hash,
                           struct referral_row *out);
int referrals_find_erase(struct db *db, struct arena *a, const char *token,
                         struct referral_row *out);

/* Marks a referral confirmed: status new, answer due by respond_by. 1 when it was waiting. */
int referrals_confirm(struct db *db, const char *id, int64_t respond_by, int64_t now);

/* Moves a referral from `from` to `to`; reason is kept as the decline reason, so only a move
 * to declined writes it. 1 when it moved. */
int referrals_move(struct db *db, const char *id, const char *from, const char *to,
                   const char *reason, int64_t now);

/* A page of a partner's referrals (never the unconfirmed), newest first: p->limit + 1
 * rows at most; status NULL: any. *out in a. */
int referrals_page(struct db *db, struct arena *a, const char *partner_id, const char *status,
                   const struct page_request *p, struct referral_row **out, int *count);

/* counts[i] = the partner's referrals (partner_id NULL: everyone's) in statuses[i]. */
int referrals_counts(struct db *db, const char *partner_id, const char *const statuses[],
                     int64_t counts[]);

/* The ids (in a) of new referrals whose answer was due before now. */
int referrals_overdue(struct db *db, struct arena *a, int64_t now, const char ***ids, int *count);

/* The ids of referrals created before `before` and not erased yet. */
int referrals_expired_retention(struct db *db, struct arena *a, int64_t before, const char ***ids,
                                int *count);

/* Erases a referral's personal data, its notes and its emails' recipient and payload. */
int referrals_erase(struct db *db, const char *id, int64_t now);

/* Deletes the referrals never confirmed whose link expired before `before`, with their
 * emails; how many. */
int referrals_drop_unconfirmed(struct db *db, int64_t before);

struct referral_note {
    const char *id, *author, *body;
    int64_t created_at;
};

/* Adds a note by author_id. */
int referral_notes_add(struct db *db, const char *id, const char *referral_id,
                       const char *author_id, const char *body, int64_t now);

/* A referral's notes, oldest first, with their author's name. */
int referral_notes_list(struct db *db, struct arena *a, const char *referral_id,
                        struct referral_note **out, int *count);

/* One partner's funnel: confirmed referrals by status. */
struct funnel_row {
    const char *partner_id, *name;
    int64_t received, accepted, declined, expired, won, lost;
};

/* The funnel of every partner that received a referral, most referrals first. */
int referrals_funnel(struct db *db, struct arena *a, struct funnel_row **out, int *count);

#endif
