/*
 * gateway/gateway.c - the gateway in use, and the calls that go to it.
 *
 * Every call that goes to the gateway (a network away for Stripe) is made between
 * waiting(false) and waiting(true), the hook gateway_on_wait() was given: the server's
 * request steps away from the database meanwhile. Checking a signature or naming the
 * gateway goes nowhere, and waits for nothing.
 */
#include "gateway/gateway.h"

#include <stddef.h>
#include <string.h>

static const struct gateway_ops *ops;
static void (*waiting)(bool back);

void gateway_on_wait(void (*wait)(bool back))
{
    waiting = wait;
}

/* Before a call goes to the gateway (back false), and once it has its answer (back true). */
static void wait_for_gateway(bool back)
{
    if (waiting)
        waiting(back);
}

const char *gw_outcome_name(enum gw_outcome o)
{
    static const char *names[] = {"succeeded", "declined",  "insufficient_funds",
                                  "unknown",   "not_found", "requires_action"};
    return o <= GW_REQUIRES_ACTION ? names[o] : "unknown";
}

void gateway_use(const struct gateway_ops *o)
{
    ops = o;
}

bool gateway_is_test(void)
{
    return ops == &gateway_test_ops;
}

bool gateway_in_process(void)
{
    return ops && ops->in_process;
}

void gateway_close(void)
{
    if (ops && ops->close)
        ops->close();
    ops = NULL;
}

int gateway_payment_method(const char *id, struct gw_token *out, struct pd_error *err)
{
    memset(out, 0, sizeof(*out));
    if (ops == NULL)
        return pd_fail(err, PD_E_UNAVAILABLE, "no payment gateway");
    wait_for_gateway(false);
    int rc = ops->payment_method(id, out, err);
    wait_for_gateway(true);
    return rc;
}

int gateway_charge(const struct gw_charge_req *req, struct gw_result *out)
{
    memset(out, 0, sizeof(*out));
    if (ops == NULL)
        return PD_E_UNAVAILABLE;
    wait_for_gateway(false);
    int rc = ops->charge(req, out);
    wait_for_gateway(true);
    return rc;
}

int gateway_lookup(const char *key, struct gw_result *out)
{
    memset(out, 0, sizeof(*out));
    if (ops == NULL)
        return PD_E_UNAVAILABLE;
    wait_for_gateway(false);
    int rc = ops->lookup(key, out);
    wait_for_gateway(true);
    return rc;
}

int gateway_refund(const char *charge_id, int64_t amount, const char *key, struct gw_result *out)
{
    memset(out, 0, sizeof(*out));
    if (ops == NULL)
        return PD_E_UNAVAILABLE;
    wait_for_gateway(false);
    int rc = ops->refund(charge_id, amount, key, out);
    wait_for_gateway(true);
    return rc;
}

int gateway_cancel(const char *key, enum gw_cancel_reason reason, struct gw_result *out)
{
    memset(out, 0, sizeof(*out));
    if (ops == NULL || ops->cancel == NULL)
        return PD_E_UNAVAILABLE;
    wait_for_gateway(false);
    int rc = ops->cancel(key, reason, out);
    wait_for_gateway(true);
    return rc;
}

const char *gateway_event_header(void)
{
    return ops && ops->event_header ? ops->event_header : "Gateway-Signature";
}

int gateway_event(const char *body, size_t len, const char *signature, char *key, size_t n)
{
    if (ops == NULL || ops->event == NULL || signature == NULL)
        return PD_E_EVENT_SIGNATURE;
    return ops->event(body, len, signature, key, n);
}

const char *gateway_name(void)
{
    return ops ? ops->name : "";
}

const char *gateway_public_key(void)
{
    return ops ? ops->public_key : NULL;
}

bool gateway_has_customers(void)
{
    return ops && ops->customer;
}

int gateway_customer(const char *key, const char *email, const char *name, char id[48])
{
    id[0] = '\0';
    if (ops == NULL || ops->customer == NULL)
        return PD_E_UNAVAILABLE;
    wait_for_gateway(false);
    int rc = ops->customer(key, email, name, id);
    wait_for_gateway(true);
    return rc;
}

bool gateway_has_setup(void)
{
    return ops && ops->setup;
}

int gateway_setup(const char *customer, const char *payment_method, const char *return_url,
                  const char *key, struct gw_result *out)
{
    memset(out, 0, sizeof(*out));
    if (ops == NULL || ops->setup == NULL)
        return PD_E_UNAVAILABLE;
    wait_for_gateway(false);
    int rc = ops->setup(customer, payment_method, return_url, key, out);
    wait_for_gateway(true);
    return rc;
}
