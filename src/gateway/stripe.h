/*
 * gateway/stripe.h - the Stripe gateway: PaymentIntents, SetupIntents, refunds, webhooks.
 *
 * Card data never reaches partnerd: the browser gives the card to Stripe.js and partnerd
 * gets a PaymentMethod id (pm_...). partnerd keeps a Stripe customer (cus_...) per payer so
 * the method can be saved (SetupIntent, or the first payment) and charged again later
 * without the payer present (off session: a merchant-initiated renewal).
 *
 * Every call that creates something sends an Idempotency-Key derived from partnerd's own
 * key ("partnerd-charge-<key>", ...), so a retry of the same operation is the same request
 * to Stripe and never a second charge. Each PaymentIntent also carries the key in
 * metadata[partnerd_key]: lookup() finds a charge by it after a lost answer, and a webhook
 * event names it.
 *
 * Outcomes: enum stripe_outcome is enum gw_outcome in the same order plus
 * STRIPE_REQUIRES_ACTION (GW_REQUIRES_ACTION once gateway.h has it); struct stripe_result
 * maps onto struct gw_result: outcome -> outcome, id -> charge_id, action_url ->
 * action_url. How Stripe's answers map:
 *   status succeeded                                  SUCCEEDED
 *   status requires_action (redirect_to_url)          REQUIRES_ACTION, action_url set
 *   402 authentication_required (off session)         REQUIRES_ACTION, action_url empty: the
 *                                                     payer must come back and pay on session
 *   402 card_declined, decline_code insufficient_funds INSUFFICIENT_FUNDS
 *   402 any other card error, status canceled,        DECLINED
 *       requires_payment_method after an attempt
 *   429 (after max_retries, same Idempotency-Key)     UNKNOWN (nothing was charged)
 *   5xx, 409, timeout, no connection, processing      UNKNOWN: look the key up later
 *   404 resource_missing / no intent with the key     NOT_FOUND
 *
 * Keys come from a file (--stripe-key-file, --stripe-webhook-secret-file) or else from the
 * environment (PARTNERD_STRIPE_SECRET_KEY, PARTNERD_STRIPE_WEBHOOK_SECRET). They are
 * never logged: the log lines name the method, the path, the HTTP status and Stripe's
 * error code only.
 *
 * Thread-safe once opened: each call uses its own curl handle. The result struct is cleared
 * first: only stripe_intent() may be given a string inside it (out->id).
 */
#ifndef PD_STRIPE_H
#define PD_STRIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "gateway/gateway.h"

/* The API version partnerd is written against (Stripe-Version on every request). */
#define STRIPE_API_VERSION "2024-06-20"
#define STRIPE_API_BASE "https://api.stripe.com"

enum stripe_outcome {
    STRIPE_SUCCEEDED,          /* GW_SUCCEEDED */
    STRIPE_DECLINED,           /* GW_DECLINED */
    STRIPE_INSUFFICIENT_FUNDS, /* GW_INSUFFICIENT_FUNDS */
    STRIPE_UNKNOWN,            /* GW_UNKNOWN */
    STRIPE_NOT_FOUND,          /* GW_NOT_FOUND */
    STRIPE_REQUIRES_ACTION,    /* GW_REQUIRES_ACTION */
};

struct stripe_result {
    enum stripe_outcome outcome;
    char id[48];             /* pi_..., seti_..., re_... (gw_result.charge_id) */
    char action_url[512];    /* where to send the payer (REQUIRES_ACTION on session) */
    char payment_method[48]; /* the method charged or saved, when Stripe says */
    char code[48];           /* Stripe's error or decline code, for the log: "card_declined" */
    int http_status;         /* the last answer's status (0: none) */
    bool canceled;           /* an intent cancelled (status canceled): DECLINED */
    /* canceled: its cancellation_reason (abandoned: ABANDONED; requested_by_customer:
     * HANDED_OVER; duplicate, fraudulent or any other: OTHER; null: NONE) */
    enum gw_cancel_reason cancel_reason;
};

struct stripe_options {
    const char *api_base;            /* NULL: STRIPE_API_BASE (tests: the stand-in) */
    const char *secret_key_file;     /* NULL: env PARTNERD_STRIPE_SECRET_KEY */
    const char *webhook_secret_file; /* NULL: env PARTNERD_STRIPE_WEBHOOK_SECRET */
    long timeout_ms;                 /* a whole request; 0: 30 000 */
    long connect_timeout_ms;         /* 0: 10 000 */
    int max_retries;                 /* on 429; 0: 3 (negative: none) */
    long backoff_ms;                 /* first wait after a 429, doubled each time; 0: 500 */
};

/* Reads the keys and checks their form (sk_ or rk_, whsec_). Call once. Errors:
 * PD_E_INTERNAL with a detail that names the missing or malformed key, never its value. */
int stripe_open(const struct stripe_options *o, struct pd_error *err);

/* Forgets the keys (wiped). */
void stripe_close(void);

/* A payment. On session: the payer is present and return_url is where Stripe sends them
 * back after a challenge. Off session: a merchant-initiated charge of a saved method. */
struct stripe_charge {
    const char *payment_method; /* pm_... */
    const char *customer;       /* cus_... (required to charge a saved method) */
    int64_t amount;             /* minor units */
    const char *currency;       /* "eur" (any case) */
    const char *key;            /* partnerd's idempotency key of the payment */
    bool off_session;
    bool save;               /* on session: keep the method for off-session charges */
    const char *return_url;  /* on session */
    const char *description; /* may be NULL */
};

/* Creates and confirms a PaymentIntent. Returns 0 with out filled, or -1 when not open or
 * the charge is malformed (nothing sent). */
int stripe_charge(const struct stripe_charge *c, struct stripe_result *out);

/* The PaymentIntent created with partnerd's key (Stripe's search on metadata): its outcome,
 * or NOT_FOUND. Stripe's search can lag a new intent by up to a minute: NOT_FOUND is
 * safe to act on only because a new stripe_charge() with the same key replays the same
 * Idempotency-Key. */
int stripe_lookup(const char *key, struct stripe_result *out);

/* The outcome of a PaymentIntent by id (after the payer came back from a challenge). */
int stripe_intent(const char *intent_id, struct stripe_result *out);

/* Confirms again, on session, an intent that an off-session charge left needing the payer
 * (REQUIRES_ACTION with no action_url): the payer is present now, the bank may challenge
 * (REQUIRES_ACTION with action_url, back to return_url). key: partnerd's key of this try. */
int stripe_confirm(const char *intent_id, const char *payment_method, const char *return_url,
                   const char *key, struct stripe_result *out);

/* Cancels an intent nobody will complete, so that a late answer to the challenge cannot
 * charge, saying why: GW_CANCEL_ABANDONED (a challenge left too long) sends
 * cancellation_reason=abandoned, GW_CANCEL_HANDED_OVER (a renewal's try giving way to the
 * payer on session) requested_by_customer. DECLINED (canceled: nothing charged, with the
 * reason Stripe kept), or the intent's outcome when it was settled first (SUCCEEDED: it was
 * paid, keep the payment). */
int stripe_cancel(const char *intent_id, enum gw_cancel_reason reason, struct stripe_result *out);

/* Refunds amount of a PaymentIntent; the same key refunds once. SUCCEEDED (refund
 * succeeded or pending) with the refund id in out->id, DECLINED, or UNKNOWN. */
int stripe_refund(const char *intent_id, int64_t amount, const char *key,
                  struct stripe_result *out);

/* Creates the customer of a payer; the same key gives the same customer. out_id: cus_...
 * Returns 0, or -1 (not created: out->outcome says why, UNKNOWN or DECLINED). */
int stripe_customer(const char *email, const char *name, const char *key, char out_id[48],
                    struct stripe_result *out);

/* Saves a method for later without a charge (SetupIntent, usage off_session, confirmed).
 * SUCCEEDED, REQUIRES_ACTION (action_url), DECLINED or UNKNOWN; out->id is seti_... */
int stripe_setup(const char *customer, const char *payment_method, const char *return_url,
                 const char *key, struct stripe_result *out);

/* What partnerd may keep of a method, for display: brand, last 4, expiry (token = pm id).
 * Returns 0, or -1 (out->outcome in res says why). */
int stripe_payment_method(const char *payment_method, struct gw_token *out,
                          struct stripe_result *res);

/* A webhook event, verified and read. */
struct stripe_event {
    char id[64];        /* evt_... (to drop a second delivery) */
    char type[64];      /* "payment_intent.succeeded" */
    char object_id[48]; /* pi_... or seti_... */
    char key[128];      /* metadata[partnerd_key] of the intent; empty when absent */
    enum stripe_outcome outcome;
    char action_url[512];
};

enum stripe_event_status {
    STRIPE_EVENT_SETTLES = 0,        /* an outcome for key / object_id: act on it (once) */
    STRIPE_EVENT_IGNORED = 1,        /* signed, but says nothing partnerd acts on: answer 200 */
    STRIPE_EVENT_BAD_SIGNATURE = -1, /* answer 400, act on nothing */
    STRIPE_EVENT_MALFORMED = -2,     /* signed, but not an event: answer 400 */
};

/* Verifies body (len bytes, as received) against the Stripe-Signature header with the
 * webhook secret at time now (unix seconds, within STRIPE_SIG_TOLERANCE_S), then reads it. */
enum stripe_event_status stripe_webhook(const char *signature, const char *body, size_t len,
                                        long long now, struct stripe_event *out);

/* ---- pure, for tests and the fuzzer (gateway/stripe_json.c) ---- */

/* Reads an answer of Stripe (HTTP status, JSON body) about a PaymentIntent, a SetupIntent
 * or a refund, or an error, into out. */
void stripe_read_answer(int http_status, const char *body, size_t len, struct stripe_result *out);

/* Reads a verified event body. */
enum stripe_event_status stripe_read_event(const char *body, size_t len, struct stripe_event *out);

/* "succeeded", "declined", "insufficient_funds", "unknown", "not_found", "requires_action" */
const char *stripe_outcome_name(enum stripe_outcome o);

/* The Idempotency-Key sent for operation op ("charge", "refund", ...) and partnerd's key:
 * "partnerd-<op>-<key>", or "partnerd-<op>-sha256-<hex>" when that would pass Stripe's
 * 255 characters. out: at least STRIPE_IDEM_BYTES. */
#define STRIPE_IDEM_BYTES 256
void stripe_idempotency_key(const char *op, const char *key, char *out, size_t n);

#endif
