/*
 * service/eligibility.h - may this organisation buy, or renew, this offer now?
 *
 * The rules of SPEC sections 3 and 4: one live subscription per offer, no second order
 * while one is being paid, the offer's certified people, and for a renewal its window
 * (core/subscription.c decides it from the subscription's facts). Each refusal is an error
 * with the details the portal shows (the window's dates, the PMC's address).
 */
#ifndef PD_SERVICE_ELIGIBILITY_H
#define PD_SERVICE_ELIGIBILITY_H

#include "core/error.h"
#include "service/settings.h"
#include "store/offers.h"
#include "store/orders.h"

struct db;
struct sub_row;

/* May the organisation buy (action "purchase") or renew (action "renewal", sub_id) the
 * offer now? 0, or the reason as an error. The order except_order_id (NULL: none) is not
 * counted among the orders being paid. */
int eligibility_check(struct db *db, const struct settings *set, const char *partner_id,
                      const struct offer_row *offer, const char *action, const char *sub_id,
                      const char *except_order_id, struct pd_error *err);

/* May the order still be paid, as things stand now (its offer, its organisation's other
 * orders and subscriptions)? 0 and its offer into *offer, or the reason as an error. */
int eligibility_order(struct db *db, const struct settings *set, const struct order_row *o,
                      struct offer_row *offer, struct pd_error *err);

/* May subscription sub (the row as read under its lock) be renewed today, under the settings
 * set? 0, or the reason as an error. For the automatic renewal (service/renewals.c). */
int eligibility_renewal(struct db *db, const struct settings *set, const struct sub_row *sub,
                        struct pd_error *err);

/* Whether the organisation has fewer certified people today than offer_code needs (the
 * prerequisite a renewal would be refused for): 1 with both counts, 0 when it has enough or
 * the offer needs none, negative when the database failed. For the notice that warns of it
 * (service/notices.c). */
int eligibility_certified_missing(struct db *db, const char *partner_id, const char *offer_code,
                                  int64_t *certified, int *required);

#endif
