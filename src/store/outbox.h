/*
 * store/outbox.h - SQL of the outbox, its email deliveries, and the claiming and listing
 * of deliveries of both kinds (webhook endpoints and attempts: store/webhooks.h).
 *
 * A delivery is worked by claiming it: one UPDATE moves due rows from 'pending' (or
 * 'sending' whose claim went stale: its process died) to 'sending' under a claim token,
 * re-checking the status in its WHERE so two processes never claim one row. The claimer
 * then sends and records the outcome.
 */
#ifndef PD_STORE_OUTBOX_H
#define PD_STORE_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cursor.h"

struct db;

/* The event row; payload is its JSON text. */
int outbox_insert(struct db *db, const char *id, const char *event, const char *partner_id,
                  const char *payload, int64_t now);

/* A delivery's id is its event's, with the kind's prefix, then its number among the event's
 * deliveries of that kind (1, 2... in the order of the recipients' emails, or of the
 * endpoints' ids): "evt_01hx..." gives "eml_01hx...-1", "eml_01hx...-2", "whd_01hx...-1".
 * Written by the SQL that inserts the deliveries, the id needs no read of who they go to
 * first. It tells a receiver (the organisation's own webhook endpoint) its rank among the
 * organisation's endpoints that want the event, nothing more. */

/* Room for the stem of a delivery's id: at most 31 characters with a number of 3 digits. */
#define DELIVERY_STEM_SIZE 29

/* The first characters of the ids of event outbox_id's deliveries of a kind ("eml", "whd"),
 * up to the number, into out: 0, or PD_E_INTERNAL when the event's id is too long for them. */
int delivery_id_stem(const char *kind, const char *outbox_id, char out[DELIVERY_STEM_SIZE]);

/* The email of event outbox_id to recipient, its number-th; one per (event, recipient): a
 * second insert is ignored. */
int email_delivery_insert(struct db *db, const char *outbox_id, int number, const char *recipient,
                          const char *lang, int64_t now);

/* The emails of event outbox_id to the organisation's billing contacts (its active global
 * and billing admins, by email), in one statement that reads them itself: on PostgreSQL it
 * is sent without waiting (db_write). */
int email_deliveries_to_billing(struct db *db, const char *outbox_id, const char *partner_id,
                                int64_t now);

/* Events written together (a batch of renewals), up to OUTBOX_MANY a statement: each row as
 * outbox_insert() writes it, their emails as email_deliveries_to_billing() and their webhooks
 * as webhook_deliveries_fan_out() (store/webhooks.h) do, one statement each for all of them.
 * The statements have room for OUTBOX_MANY events whatever their number (the rest bound to
 * NULL, which writes nothing), so that each is prepared once. */
#define OUTBOX_MANY 16
#define OUTBOX_FOUR_(row) row ", " row ", " row ", " row
#define OUTBOX_VALUES(row) "VALUES " OUTBOX_FOUR_(OUTBOX_FOUR_(row)) /* OUTBOX_MANY rows */

struct outbox_new {
    char id[32];
    const char *event;
    const char *partner_id;
    char *payload; /* its JSON text */
};

int outbox_insert_many(struct db *db, const struct outbox_new *rows, int n, int64_t now);
int email_deliveries_to_billing_many(struct db *db, const struct outbox_new *rows, int n,
                                     int64_t now);

/* The statement of the emails, for the query-plan checks (tests/unit/test_plans.c). Bound:
 * now, now, then each event's id, its emails' stem and its organisation. */
extern const char email_deliveries_sql_many[];

/* Runs a statement of OUTBOX_MANY rows of values: its first parameters (before the rows)
 * are now, nnow times; each row's cols values are given by value(rows[i], col, buffer),
 * which may write them into buffer (DELIVERY_STEM_SIZE); rows past n are NULL. */
int outbox_rows_run(struct db *db, const char *sql, int nnow, int64_t now,
                    const struct outbox_new *rows, int n, int cols,
                    const char *(*value)(const struct outbox_new *row, int col, char *buffer));

struct contact {
    char email[256];
    char lang[3];
};

/* The organisation's billing contacts: active global and billing admins, by email. *out
 * malloc'd (owner: caller, free()). */
int billing_contacts(struct db *db, const char *partner_id, struct contact **out, int *count);

/* Active staff accounts with a role ("support"), the same way. */
int staff_contacts(struct db *db, const char *role, struct contact **out, int *count);

/* 1 and the email and language of an active user of the organisation; 0 when none. */
int user_contact(struct db *db, const char *partner_id, const char *user_id, struct contact *out);

/* The work of one claimed delivery (email or webhook). */
struct delivery {
    char id[32];
    char outbox_id[32];
    char event[48];
    char *payload;      /* malloc'd JSON */
    int64_t created_at; /* of the event */
    int attempts;       /* before this one */
    /* email */
    char recipient[256];
    char lang[3];
    /* webhook */
    char endpoint_id[32];
    char url[512];
    char secret[256]; /* as stored: sealed (service/webhooks.h) */
    char scheme[16]; /* "standard" (Standard Webhooks) or "partnerd" (Partnerd-Signature) */
};

/* Where a pass's claims of one kind stand. A pass takes over what dead processes left until
 * a claim finds fewer than it asked for (such claims are minutes old: one that goes stale
 * meanwhile is the next pass's), then claims the rows due by its start, each claim after the
 * last row the previous one took, in the due index's order: PostgreSQL keeps the index
 * entries of rows claimed and sent until VACUUM, and a claim that searched from the start
 * of the index walked them all. A row committed late with an earlier key, or set back, waits
 * for the next pass, as does a row due after the pass began, so that a pass ends. */
struct claim_cursor {
    int64_t due_by; /* the pass's start: set it before the first claim */
    bool stale_done;
    int64_t due_at; /* next_attempt_at and id of the last due row claimed */
    char due_id[32];
};

/* Claims up to limit due deliveries of kind ("email" or "webhook"); fills *out (malloc'd,
 * free with deliveries_free) and *count. Claims older than stale_before are taken over. */
int deliveries_claim(struct db *db, const char *kind, const char *claim, int64_t now,
                     int64_t stale_before, int limit, struct claim_cursor *cur,
                     struct delivery **out, int *count);
void deliveries_free(struct delivery *d, int count);

/* The claim statements, [0 email, 1 webhook][0 due, 1 stale], for the query-plan checks
 * (tests/unit/test_plans.c). Bound: claim, now, bound, limit, bound; the due ones also the
 * cursor's next_attempt_at and id after the first bound. */
extern const char *const outbox_sql_claim[2][2];

/* Puts a claimed delivery of kind ("email" or "webhook") back, unsent and its attempts
 * unchanged: pending again, due as it was, for a later pass (this pass's claims have gone
 * past it; one taken over from a dead process may be claimed again by the same pass, and
 * put back again). Only while the claim is still ours. */
int deliveries_put_back(struct db *db, const char *kind, const char *id, const char *claim);

/* Gives up, unsent, the invitation emails of the user still waiting to go (a new invitation
 * replaces them: their links would revive what it ended). Those of the organisation's
 * user.invited events that name the user: its id is the only id such an event holds. */
int email_deliveries_drop_invitations(struct db *db, const char *partner_id, const char *user_id);

/* Records the outcome of a claimed delivery: done, or retried at next_attempt_at, or
 * failed for good (next_attempt_at 0). Only while the claim is still ours. */
int email_delivery_done(struct db *db, const char *id, const char *claim, bool sent,
                        const char *error, int64_t next_attempt_at, int64_t now);

/* A delivery as staff and its organisation see it. */
struct delivery_row {
    char id[32];
    char event_id[32];
    char event[48];
    char status[16];
    int64_t attempts;
    char last_error[1200]; /* empty when has_error is false */
    bool has_error;
    int64_t created_at;
    int64_t done_at;  /* sent or delivered; 0 when not yet */
    char target[512]; /* the recipient of an email, the URL of a webhook endpoint */
};

/* A page of email deliveries in a status (NULL: any), newest first: p->limit + 1 rows at
 * most. *out malloc'd (owner: caller, free()). */
int email_deliveries_page(struct db *db, const char *status, const struct page_request *p,
                          struct delivery_row **out, int *count);

/* A page of webhook deliveries to one endpoint and/or in a status (NULL: any), newest
 * first: p->limit + 1 rows at most. *out malloc'd (owner: caller, free()). */
int webhook_deliveries_page(struct db *db, const char *endpoint_id, const char *status,
                            const struct page_request *p, struct delivery_row **out, int *count);
#endif
