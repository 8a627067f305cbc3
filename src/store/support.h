/*
 * store/support.h - SQL of support requests, their messages, attachments and refunds.
 *
 * Reads answer JSON objects in the shape of the API, which the service completes.
 */
#ifndef PD_STORE_SUPPORT_H
#define PD_STORE_SUPPORT_H

#include <jansson.h>
#include <stdint.h>

struct db;

struct support_new {
    char id[32];
    char number[16];
    const char *partner_id;
    const char *subscription_id; /* NULL: none */
    const char *category;
    const char *problem_type;
    const char *kind; /* "general" or "cancellation" */
    const char *title;
    const char *description;
    const char *created_by;
};

int support_insert(struct db *db, const struct support_new *r, int64_t now);

/* 1 and the request (without messages) when found; partner_id NULL for staff (any). */
int support_get(struct db *db, const char *id, const char *partner_id, json_t **out);

/* The id of the open or in-progress cancellation request of a subscription, if any. */
int support_open_cancellation(struct db *db, const char *subscription_id, char *id, size_t n);

/* Requests, newest first, filtered by what is not NULL. */
int support_list(struct db *db, const char *partner_id, const char *status, const char *category,
                 const char *assignee_id, json_t **items);

/* Moves a request from status `from` (NULL: any) to `to`; 1 when it did. */
int support_set_status(struct db *db, const char *id, const char *from, const char *to,
                       int64_t now);
int support_set_assignee(struct db *db, const char *id, const char *assignee_id, int64_t now);
int support_set_resolution(struct db *db, const char *id, const char *resolution, int64_t now);

int support_message_insert(struct db *db, const char *request_id, const char *author_id,
                           int from_staff, const char *body, int64_t now);
int support_messages(struct db *db, const char *request_id, json_t **items);

int support_attachment_insert(struct db *db, const char *id, const char *request_id,
                              const char *filename, const char *content_type, int64_t size,
                              const char *data_b64, const char *uploaded_by, int64_t now);
int support_attachments(struct db *db, const char *request_id, json_t **items);
/* 1 with the file's name, type and base64 data (malloc'd, owner: caller). */
int support_attachment_get(struct db *db, const char *id, const char *request_id,
                           char *filename, size_t fn, char *content_type, size_t ctn,
                           char **data_b64);

/* 1 when user_id is an active support or operator account (one a request can go to). */
int support_assignable(struct db *db, const char *user_id);

/* When a request was resolved (0: never), and how many files it holds. */
int support_resolved_at(struct db *db, const char *id, int64_t *at);
int support_attachment_count(struct db *db, const char *id, int64_t *count);

/* Closes the requests resolved before `before`; how many. */
int support_close_resolved(struct db *db, int64_t before, int64_t now);

/* ---- refunds of a cancellation ---- */

struct refund_new {
    char id[32];
    const char *request_id;
    const char *partner_id;
    const char *order_id;
    const char *invoice_id;
    const char *credit_note_id;
    int64_t amount; /* minor units, VAT included */
    const char *currency;
    const char *method; /* "card" (status pending) or "wire" (status to_pay) */
};

int refund_insert(struct db *db, const struct refund_new *r, int64_t now);

/* Refunds with their organisation, request and credit note, newest first; status NULL:
 * all. */
int refunds_list(struct db *db, const char *status, json_t **items);

/* One refund in the shape of refunds_list; 1 when found. */
int refund_get(struct db *db, const char *id, json_t **out);

/* Card refunds the gateway has not confirmed yet: ids and requests, at most max. */
struct refund_due {
    char id[32];
    char request_id[32];
    char order_id[32];
    int64_t amount;
};
int refunds_card_pending(struct db *db, struct refund_due *out, int max, int *count);

/* The gateway made it: pending -> refunded. 1 when it moved. */
int refund_set_refunded(struct db *db, const char *id, const char *gateway_refund_id,
                        int64_t now);

/* Finance paid it by transfer: to_pay -> paid. 1 when it moved. */
int refund_set_paid(struct db *db, const char *id, const char *paid_on, const char *reference,
                    int64_t now);

#endif
