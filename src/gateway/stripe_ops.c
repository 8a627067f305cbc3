/*
 * gateway/stripe_ops.c - the Stripe adapter (gateway/stripe.c) as a struct gateway_ops.
 *
 * partnerd's keys go to Stripe as they are (the adapter derives the Idempotency-Key of
 * each operation and puts the key in the intent's metadata[partnerd_key]); a charge id is
 * the PaymentIntent's id (pi_...), which is what a refund names. A relative return_url
 * ("/paiement/<order>") is made absolute with the portal's address: Stripe wants one.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "gateway/gateway.h"
#include "gateway/stripe.h"

_Static_assert((int)STRIPE_SUCCEEDED == (int)GW_SUCCEEDED &&
                   (int)STRIPE_DECLINED == (int)GW_DECLINED &&
                   (int)STRIPE_INSUFFICIENT_FUNDS == (int)GW_INSUFFICIENT_FUNDS &&
                   (int)STRIPE_UNKNOWN == (int)GW_UNKNOWN &&
                   (int)STRIPE_NOT_FOUND == (int)GW_NOT_FOUND &&
                   (int)STRIPE_REQUIRES_ACTION == (int)GW_REQUIRES_ACTION,
               "enum stripe_outcome maps onto enum gw_outcome in the same order");

/* The publishable key the portal gives Stripe.js. */
static char publishable[256];

static void to_gw(const struct stripe_result *s, struct gw_result *out)
{
    memset(out, 0, sizeof(*out));
    out->outcome = (enum gw_outcome)s->outcome; /* the same order, stripe.h */
    snprintf(out->charge_id, sizeof(out->charge_id), "%s", s->id);
    snprintf(out->action_url, sizeof(out->action_url), "%s", s->action_url);
    out->cancelled = s->canceled;
    out->cancel_reason = s->cancel_reason;
}

static int st_payment_method(const char *id, struct gw_token *out, struct pd_error *err)
{
    struct stripe_result res;
    if (stripe_payment_method(id, out, &res) == 0)
        return 0;
    if (res.outcome == STRIPE_NOT_FOUND || res.outcome == STRIPE_DECLINED)
        return pd_fail(err, PD_E_CARD_INVALID, "stripe: no such payment method");
    return pd_fail(err, PD_E_UNAVAILABLE, "stripe: payment method not read");
}

/* url made absolute against site when it is a path. */
static const char *absolute(const char *url, const char *site, char *buf, size_t n)
{
    if (url == NULL || url[0] != '/' || site == NULL || *site == '\0')
        return url;
    size_t len = strlen(site);
    while (len > 0 && site[len - 1] == '/')
        len--;
    snprintf(buf, n, "%.*s%s", (int)len, site, url);
    return buf;
}

static int st_charge(const struct gw_charge_req *req, struct gw_result *out)
{
    char back[1024];
    struct stripe_charge c = {.payment_method = req->payment_method,
                              .customer = req->customer && *req->customer ? req->customer : NULL,
                              .amount = req->amount,
                              .currency = req->currency,
                              .key = req->key,
                              .off_session = req->off_session,
                              .save = req->save,
                              .return_url =
                                  absolute(req->return_url, req->site, back, sizeof(back))};
    struct stripe_result s;
    if (stripe_charge(&c, &s) < 0) {
        memset(out, 0, sizeof(*out));
        out->outcome = GW_DECLINED; /* malformed: nothing was sent, nothing charged */
        return 0;
    }
    to_gw(&s, out);
    return 0;
}

static int st_lookup(const char *key, struct gw_result *out)
{
    struct stripe_result s;
    if (stripe_lookup(key, &s) < 0) {
        memset(out, 0, sizeof(*out));
        out->outcome = GW_UNKNOWN;
        return 0;
    }
    to_gw(&s, out);
    return 0;
}

static int st_refund(const char *charge_id, int64_t amount, const char *key, struct gw_result *out)
{
    struct stripe_result s;
    if (stripe_refund(charge_id, amount, key, &s) < 0) {
        memset(out, 0, sizeof(*out));
        out->outcome = GW_DECLINED;
        return 0;
    }
    to_gw(&s, out);
    return 0;
}

static int st_cancel(const char *key, enum gw_cancel_reason reason, struct gw_result *out)
{
    struct stripe_result s;
    char id[48];
    stripe_lookup(key, &s);
    if (s.outcome != STRIPE_REQUIRES_ACTION) { /* settled meanwhile, or not known yet */
        to_gw(&s, out);
        if (out->outcome == GW_NOT_FOUND) /* it asked for a challenge: it exists, unseen now */
            out->outcome = GW_UNKNOWN;
        return 0;
    }
    snprintf(id, sizeof(id), "%s", s.id);
    stripe_cancel(id, reason, &s);
    to_gw(&s, out);
    if (out->outcome == GW_SUCCEEDED || out->outcome == GW_DECLINED)
        return 0;
    /* the cancel's answer was lost: the intent says what it became */
    stripe_intent(id, &s);
    to_gw(&s, out);
    return 0;
}

static int st_event(const char *body, size_t len, const char *signature, char *key, size_t n)
{
    struct stripe_event ev;
    enum stripe_event_status st = stripe_webhook(signature, body, len, (long long)clock_real_now(), &ev);
    if (st == STRIPE_EVENT_BAD_SIGNATURE)
        return PD_E_EVENT_SIGNATURE;
    if (st == STRIPE_EVENT_MALFORMED)
        return PD_E_INVALID_REQUEST;
    /* an event about nothing partnerd charged (a customer, a setup) is received, no more */
    snprintf(key, n, "%s", st == STRIPE_EVENT_SETTLES ? ev.key : "");
    return 0;
}

static int st_customer(const char *key, const char *email, const char *name, char id[48])
{
    struct stripe_result s;
    return stripe_customer(email, name, key, id, &s) == 0 ? 0 : PD_E_UNAVAILABLE;
}

static int st_setup(const char *customer, const char *payment_method, const char *return_url,
                    const char *key, struct gw_result *out)
{
    struct stripe_result s;
    if (stripe_setup(customer, payment_method, return_url, key, &s) < 0) {
        memset(out, 0, sizeof(*out));
        out->outcome = GW_DECLINED;
        return 0;
    }
    /* the same key replays the first answer: a setup that asked for a challenge is read again,
     * it may have been passed (or refused) since */
    if (s.outcome == STRIPE_REQUIRES_ACTION && s.id[0]) {
        struct stripe_result now;
        if (stripe_intent(s.id, &now) == 0 && now.outcome != STRIPE_UNKNOWN)
            s = now;
    }
    to_gw(&s, out);
    return 0;
}

static void st_close(void)
{
    stripe_close();
}

const struct gateway_ops gateway_stripe_ops = {
    .name = "stripe",
    .payment_method = st_payment_method,
    .charge = st_charge,
    .lookup = st_lookup,
    .refund = st_refund,
    .cancel = st_cancel,
    .event_header = "Stripe-Signature",
    .event = st_event,
    .close = st_close,
    .customer = st_customer,
    .setup = st_setup,
    .public_key = publishable,
};

int gateway_open_stripe(const struct stripe_options *o, const char *publishable_key,
                        struct pd_error *err)
{
    if (publishable_key == NULL || *publishable_key == '\0')
        return pd_fail(err, PD_E_INTERNAL,
                       "stripe: no publishable key (give --stripe-publishable-key, or set "
                       "PARTNERD_STRIPE_PUBLISHABLE_KEY in the environment)");
    if (strncmp(publishable_key, "pk_", 3) != 0 || strlen(publishable_key) >= sizeof(publishable) ||
        strspn(publishable_key,
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
            strlen(publishable_key))
        return pd_fail(err, PD_E_INTERNAL,
                       "stripe: the publishable key does not start with pk_ or holds unexpected "
                       "characters");
    int rc = stripe_open(o, err);
    if (rc < 0)
        return rc;
    snprintf(publishable, sizeof(publishable), "%s", publishable_key);
    gateway_use(&gateway_stripe_ops);
    return 0;
}
