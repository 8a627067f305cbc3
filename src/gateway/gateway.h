/*
 * gateway/gateway.h - the payment gateway, as partnerd sees it.
 *
 * Card data goes to the gateway and never to partnerd: the browser hands the card to the
 * gateway's own fields, which answer a payment-method id; partnerd receives that id and asks
 * the gateway what may be shown of it (brand, last 4 digits, expiry), which is all it keeps.
 * Every charge carries an idempotency key: charging again with the same key returns the first
 * charge's outcome, and lookup() tells what became of a charge whose answer was lost (a
 * timeout) or that waited for the cardholder's authentication (3-D Secure).
 *
 * A gateway is a table of operations (struct gateway_ops); the one in use is chosen at
 * start-up by gateway_use(). The built-in test gateway is one (gateway/test_gateway.c).
 */
#ifndef PD_GATEWAY_H
#define PD_GATEWAY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

/* What may be shown of a payment method, and its id at the gateway. */
struct gw_token {
    char token[48];
    char brand[16];
    char last4[5];
    int exp_month;
    int exp_year;
};

enum gw_outcome {
    GW_SUCCEEDED,
    GW_DECLINED,
    GW_INSUFFICIENT_FUNDS,
    GW_UNKNOWN,         /* no answer (timeout): the charge may or may not have happened */
    GW_NOT_FOUND,       /* lookup: no charge with this key */
    GW_REQUIRES_ACTION, /* the cardholder must authenticate at action_url first */
};

/* Why a charge was cancelled at the gateway: partnerd says it when it cancels (cancel below),
 * and the gateway says it back when the charge is read (Stripe: the PaymentIntent's
 * cancellation_reason). partnerd tells its two cancellations apart by it, never by the clock. */
enum gw_cancel_reason {
    GW_CANCEL_NONE,        /* not cancelled, or cancelled with no reason (by hand at the gateway) */
    GW_CANCEL_ABANDONED,   /* a 3-D Secure challenge left past its deadline (Stripe: abandoned) */
    GW_CANCEL_HANDED_OVER, /* a renewal's off-session try given way to the partner paying on
                            * session (Stripe: requested_by_customer) */
    GW_CANCEL_OTHER,       /* any other reason (Stripe: duplicate, fraudulent, ...): by hand */
};

struct gw_result {
    enum gw_outcome outcome;
    char charge_id[48];
    char action_url[512]; /* GW_REQUIRES_ACTION: where the partner must go to authenticate */
    /* GW_DECLINED because it was cancelled, not refused by the bank: by partnerd while it
     * waited for authentication (cancel below), or by hand at the gateway; nothing charged */
    bool cancelled;
    enum gw_cancel_reason cancel_reason; /* cancelled: why, as the gateway tells it */
};

/* A charge. On session: the partner is at the keyboard (Buy) and may be sent to
 * authenticate, then back to return_url. Off session: a merchant-initiated transaction (the
 * automatic renewal) with the saved payment method, relying on the first, authenticated
 * payment. */
struct gw_charge_req {
    const char *payment_method; /* the gateway's payment-method id */
    int64_t amount;             /* minor units, > 0 */
    const char *currency;
    const char *key; /* idempotency key */
    bool off_session;
    const char *return_url; /* on session: where the challenge sends the partner back */
    /* The payer at the gateway (cus_... for Stripe), or NULL: a gateway that keeps payment
     * methods per customer needs it to save one and charge it off session (the test gateway
     * ignores it). */
    const char *customer;
    bool save; /* on session: keep the method for later off-session charges */
    /* The portal's address, for a gateway that wants an absolute return_url (NULL: as is). */
    const char *site;
};

struct gateway_ops {
    const char *name; /* "test", "stripe" */
    /* Answers in this process, one call at a time (the test gateway's ledger): calls from
     * several threads at once would only wait for one another. */
    bool in_process;
    /* What may be shown of a payment method: 0, or PD_E_CARD_INVALID when the gateway does not
     * know it, PD_E_UNAVAILABLE. */
    int (*payment_method)(const char *id, struct gw_token *out, struct pd_error *err);
    /* Charges; the same key returns the first outcome without charging again. */
    int (*charge)(const struct gw_charge_req *req, struct gw_result *out);
    /* What became of the charge made with key (GW_NOT_FOUND when none). */
    int (*lookup)(const char *key, struct gw_result *out);
    /* Refunds (part of) a charge; the same key refunds once. */
    int (*refund)(const char *charge_id, int64_t amount, const char *key, struct gw_result *out);
    /* Cancels the charge made with key while it waits for authentication, for reason
     * (GW_CANCEL_ABANDONED or GW_CANCEL_HANDED_OVER), which the gateway keeps with it: out is
     * what became of it (GW_DECLINED once cancelled, no charge, with the reason of the first
     * cancellation; GW_SUCCEEDED if the cardholder passed the challenge just before). */
    int (*cancel)(const char *key, enum gw_cancel_reason reason, struct gw_result *out);
    /* The header that signs the gateway's events, and their check: the idempotency key of the
     * charge a signed event (raw body of len bytes) is about into key (n bytes): 0, or
     * PD_E_EVENT_SIGNATURE (bad or stale signature), PD_E_INVALID_REQUEST (not about a
     * charge). partnerd then asks the gateway for the outcome (lookup) rather than trusting
     * the event's content. */
    const char *event_header;
    int (*event)(const char *body, size_t len, const char *signature, char *key, size_t n);
    void (*close)(void);
    /* A gateway that keeps payment methods per customer (NULL for the test gateway): the
     * customer of a payer, created once whatever the retries (key: derived from the partner's
     * id), into id (48 bytes): 0, or PD_E_UNAVAILABLE. */
    int (*customer)(const char *key, const char *email, const char *name, char id[48]);
    /* Saves a payment method for off-session charges without a charge (a SetupIntent): out
     * GW_SUCCEEDED, GW_REQUIRES_ACTION (action_url), GW_DECLINED or GW_UNKNOWN. NULL: the
     * gateway saves a method as it is given. */
    int (*setup)(const char *customer, const char *payment_method, const char *return_url,
                 const char *key, struct gw_result *out);
    /* What the portal needs to give the card to the gateway (Stripe: the publishable key), or
     * NULL. */
    const char *public_key;
};

/* The built-in test gateway (gateway/test_gateway.c). */
extern const struct gateway_ops gateway_test_ops;

/* Opens the test gateway with its ledger (a SQLite file of its own) and uses it. Call once. */
int gateway_open_test(const char *ledger_path, struct pd_error *err);

/* The Stripe gateway (gateway/stripe_ops.c). */
extern const struct gateway_ops gateway_stripe_ops;

/* Opens the Stripe gateway (gateway/stripe.h: struct stripe_options) with the publishable key
 * the portal gives Stripe.js (pk_...), and uses it. Call once. Errors name the missing or
 * malformed key, never a value. */
struct stripe_options;
int gateway_open_stripe(const struct stripe_options *o, const char *publishable_key,
                        struct pd_error *err);

/* The gateway in use from now on (ops lives as long as the process). */
void gateway_use(const struct gateway_ops *ops);

/* True when the gateway in use is the built-in test gateway (test mode: its tokenization
 * endpoint and challenge page are served). */
bool gateway_is_test(void);

/* True when the gateway in use answers in this process, one call at a time (gateway_ops). */
bool gateway_in_process(void);

/* "test" or "stripe" ("" when none is open). */
const char *gateway_name(void);

/* What the portal hands the card to: the publishable key, or NULL (the test gateway). */
const char *gateway_public_key(void);

/* True when the gateway in use keeps payment methods per customer (gateway_customer). */
bool gateway_has_customers(void);
int gateway_customer(const char *key, const char *email, const char *name, char id[48]);

/* True when the gateway saves a method through a setup of its own (gateway_setup). */
bool gateway_has_setup(void);
int gateway_setup(const char *customer, const char *payment_method, const char *return_url,
                  const char *key, struct gw_result *out);

/* What each of the seven calls that go to the gateway (gateway_customer and gateway_setup
 * above; gateway_payment_method, _charge, _lookup, _refund and _cancel below) is made
 * within: wait(false) before it goes, wait(true) once it has its answer, on the caller's
 * thread. gateway_event() checks a signature here and waits for nothing. The server gives
 * db_pool_away_here(), so that a request steps away from the database while the gateway
 * answers; NULL for nothing (the default). */
void gateway_on_wait(void (*wait)(bool back));

/* Closes the gateway in use. */
void gateway_close(void);

/* The operations of the gateway in use. */
int gateway_payment_method(const char *id, struct gw_token *out, struct pd_error *err);
int gateway_charge(const struct gw_charge_req *req, struct gw_result *out);
int gateway_lookup(const char *key, struct gw_result *out);
/* GW_SUCCEEDED with the refund id in out->charge_id, or GW_DECLINED (no such charge, or less
 * than amount on it). */
int gateway_refund(const char *charge_id, int64_t amount, const char *key, struct gw_result *out);

int gateway_cancel(const char *key, enum gw_cancel_reason reason, struct gw_result *out);
/* The header that carries the signature of the gateway's events. */
const char *gateway_event_header(void);
int gateway_event(const char *body, size_t len, const char *signature, char *key, size_t n);

/* "succeeded", "declined", ... */
const char *gw_outcome_name(enum gw_outcome o);

#endif
