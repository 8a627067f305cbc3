/*
 * service/gateway_customers.h - a partner's customer at the payment gateway.
 *
 * A gateway that keeps payment methods per customer (Stripe) needs one per payer to save a
 * card at the first payment (or a SetupIntent) and charge it off session at the renewals.
 * It is created once per partner: the gateway call carries an idempotency key derived from
 * the partner's id (two processes asking at once get the same customer), and the first row
 * kept wins (store/gateway_customers.h).
 */
#ifndef PD_SERVICE_GATEWAY_CUSTOMERS_H
#define PD_SERVICE_GATEWAY_CUSTOMERS_H

#include <stddef.h>

struct db;

/* The customer of partner_id at the gateway in use into id (n bytes), created now if need
 * be: 0 (id "" when the gateway has no customers, the test gateway), or negative
 * (PD_E_UNAVAILABLE: the gateway could not be reached; a database error). */
int gateway_customer_of(struct db *db, const char *partner_id, char *id, size_t n);

#endif
