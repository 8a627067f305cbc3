/*
 * store/gateway_customers.h - SQL of the partners' customers at a payment gateway.
 */
#ifndef PD_STORE_GATEWAY_CUSTOMERS_H
#define PD_STORE_GATEWAY_CUSTOMERS_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* The customer id of partner_id at gateway into id (n bytes): 1, 0 when none, or negative. */
int gateway_customers_get(struct db *db, const char *partner_id, const char *gateway, char *id,
                          size_t n);

/* Keeps customer_id unless the partner has one at gateway already (the first one wins). */
int gateway_customers_insert(struct db *db, const char *partner_id, const char *gateway,
                             const char *customer_id, int64_t now);

#endif
