/*
 * service/eligibility.c - whether an organisation may buy or renew an offer now.
 *
 * The facts are read here (subscriptions, open orders, certified people); the decision
 * about a renewal's window is core/subscription.c's, from those facts and today's date.
 * Buying is checked twice: when the order is created, and again when it is paid, inside
 * the payment's transaction with the organisation's row locked, so that two orders of one
 * organisation cannot both pass.
 */
#include "service/eligibility.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/subscription.h"
#include "db/db.h"
#include "store/certified.h"
#include "store/subscriptions.h"

/* The refusal for want of certified people, with how many there are and are needed: the
 * partner, or the notice of a refused automatic renewal, says how many are missing. */
static int prerequisites_error(int64_t certified, int required, struct pd_error *err)
{
    pd_fail(err, PD_E_PREREQUISITES_NOT_MET, NULL);
    pd_error_detail(err, "certified", json_integer(certified));
    pd_error_detail(err, "certified_required", json_integer(required));
    return PD_E_PREREQUISITES_NOT_MET;
}

/* The refusal of a renewal, with the dates or address the partner needs. */
static int reason_error(enum sub_reason reason, const struct sub_renewal *r, const char *pmc_url,
                        struct pd_error *err)
{
    char d[DATE_STRLEN];
    switch (reason) {
    case SUB_RENEWAL_NOT_OPEN:
        pd_fail(err, PD_E_RENEWAL_NOT_OPEN, NULL);
        pd_error_detail(err, "opens_on", json_string(date_format(r->opens_on, d)));
        pd_error_detail(err, "closes_on", json_string(date_format(r->closes_on, d)));
        return PD_E_RENEWAL_NOT_OPEN;
    case SUB_RENEWAL_WINDOW_CLOSED:
        pd_fail(err, PD_E_RENEWAL_WINDOW_CLOSED, NULL);
        pd_error_detail(err, "closed_on", json_string(date_format(r->closes_on, d)));
        return PD_E_RENEWAL_WINDOW_CLOSED;
    case SUB_MANAGED_IN_PMC:
        pd_fail(err, PD_E_MANAGED_IN_PMC, NULL);
        pd_error_detail(err, "pmc_url", json_string(pmc_url));
        return PD_E_MANAGED_IN_PMC;
    case SUB_CANCELLED_REASON:
        return pd_fail(err, PD_E_SUBSCRIPTION_CANCELLED, NULL);
    case SUB_PENDING_PAYMENT_REASON:
        return pd_fail(err, PD_E_PENDING_PAYMENT, NULL);
    case SUB_NOT_MEMBER:
        return pd_fail(err, PD_E_NOT_MEMBER, NULL);
    case SUB_PREREQUISITES_NOT_MET:
        return pd_fail(err, PD_E_PREREQUISITES_NOT_MET, NULL);
    default:
        return 0;
    }
}

/* What core/subscription.c decides from. */
static struct sub_facts facts(const struct settings *set, const struct sub_row *s, int required,
                              int64_t certified)
{
    struct sub_facts f = {.paid = s->paid,
                          .managed_in_pmc = strcmp(s->managed_in, "pmc") == 0,
                          .cancelled = s->cancelled_on[0] != '\0',
                          .member = true,
                          .certified = (int)certified,
                          .certified_required = required,
                          .window_days = (int)set->renewal_window_days};
    if (s->paid) {
        date_parse(s->starts_on, &f.starts_on);
        date_parse(s->expires_on, &f.expires_on);
    }
    if (f.cancelled)
        date_parse(s->cancelled_on, &f.cancelled_on);
    return f;
}

/* A purchase: no live subscription to the offer, no other purchase being paid, enough
 * certified people. */
static int check_purchase(struct db *db, const struct settings *set, const char *partner_id,
                          const struct offer_row *offer, const char *except_order_id,
                          int64_t certified, struct pd_error *err)
{
    struct date today = clock_today();
    struct sub_row *rows = NULL;
    int64_t open = 0;
    int n = 0;
    int rc = subs_list(db, partner_id, &rows, &n);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    for (int i = 0; i < n; i++) {
        struct sub_facts f = facts(set, &rows[i], offer->certified_required, certified);
        if (strcmp(rows[i].offer_code, offer->code) == 0 && sub_is_live(&f, today)) {
            pd_fail(err, PD_E_ALREADY_SUBSCRIBED, NULL);
            pd_error_detail(err, "subscription_id", json_string(rows[i].id));
            free(rows);
            return PD_E_ALREADY_SUBSCRIBED;
        }
    }
    free(rows);
    if ((rc = orders_count_open(db, partner_id, offer->code, "purchase", except_order_id, &open)) <
        0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (open > 0)
        return pd_fail(err, PD_E_PENDING_PAYMENT, NULL);
    if (certified < offer->certified_required)
        return prerequisites_error(certified, offer->certified_required, err);
    return 0;
}

/* A renewal of subscription sub, the organisation's: its window, no other renewal being
 * paid, enough certified people. */
static int check_renewal(struct db *db, const struct settings *set, const struct offer_row *offer,
                         const struct sub_row *sub, const char *except_order_id,
                         struct pd_error *err)
{
    int64_t certified = 0, open = 0;
    int rc = certified_count(db, sub->partner_id, &certified);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (strcmp(sub->offer_code, offer->code) != 0)
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "offer", MSG_FIELD_NOT_SUBSCRIPTION_OFFER,
                             NULL);
    if ((rc = orders_count_open(db, sub->partner_id, offer->code, "renewal", except_order_id,
                                &open)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (open > 0)
        return pd_fail(err, PD_E_PENDING_PAYMENT, NULL);
    struct sub_facts f = facts(set, sub, offer->certified_required, certified);
    struct sub_renewal r = sub_renewal_on(&f, clock_today());
    if (r.reason == SUB_PREREQUISITES_NOT_MET)
        return prerequisites_error(certified, offer->certified_required, err);
    return reason_error(r.reason, &r, set->pmc_url, err);
}

int eligibility_check(struct db *db, const struct settings *set, const char *partner_id,
                      const struct offer_row *offer, const char *action, const char *sub_id,
                      const char *except_order_id, struct pd_error *err)
{
    int rc;
    if (strcmp(action, "purchase") == 0) {
        int64_t certified = 0;
        if ((rc = certified_count(db, partner_id, &certified)) < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        return check_purchase(db, set, partner_id, offer, except_order_id, certified, err);
    }
    struct sub_row sub;
    rc = sub_id ? subs_find(db, sub_id, &sub) : 0;
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(sub.partner_id, partner_id) != 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    return check_renewal(db, set, offer, &sub, except_order_id, err);
}

int eligibility_order(struct db *db, const struct settings *set, const struct order_row *o,
                      struct offer_row *offer, struct pd_error *err)
{
    int rc = offers_find(db, o->offer_code, offer);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, "offer %s", o->offer_code);
    return eligibility_check(db, set, o->partner_id, offer, o->action,
                             o->subscription_id[0] ? o->subscription_id : NULL, o->id, err);
}

int eligibility_renewal(struct db *db, const struct settings *set, const struct sub_row *sub,
                        struct pd_error *err)
{
    struct offer_row offer;
    int rc = offers_find(db, sub->offer_code, &offer);
    if (rc <= 0)
        return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : pd_fail(err, PD_E_NOT_FOUND, NULL);
    return check_renewal(db, set, &offer, sub, NULL, err);
}

int eligibility_certified_missing(struct db *db, const char *partner_id, const char *offer_code,
                                  int64_t *certified, int *required)
{
    struct offer_row offer;
    int rc = offers_find(db, offer_code, &offer);
    if (rc <= 0 || offer.certified_required == 0)
        return rc < 0 ? rc : 0;
    if ((rc = certified_count(db, partner_id, certified)) < 0)
        return rc;
    *required = offer.certified_required;
    return *certified < offer.certified_required;
}
