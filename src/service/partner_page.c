/*
 * service/partner_page.c - the console's page of one partner organisation.
 *
 * The idea: staff look at an organisation through the organisation's own eyes. Each part
 * is the answer of the use case the partner's portal calls, run for a principal that
 * stands for the organisation (its id, no roles beyond reading), so the console shows
 * exactly the figures, statuses and words the partner sees. Only the audit trail is
 * read as the caller, since it is an operator's alone.
 */
#include "service/partner_page.h"

#include <stdio.h>
#include <string.h>

#include "core/roles.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/invoices.h"
#include "service/members.h"
#include "service/orders.h"
#include "service/subscriptions.h"
#include "service/support.h"
#include "store/users.h"

int partner_page_json(struct db *db, const struct principal *who, const char *partner_id,
                      const char *lang, json_t **out, struct pd_error *err)
{
    struct partner_row p;
    struct principal org;
    json_t *subs = NULL, *orders = NULL, *invoices = NULL, *requests = NULL, *events = NULL;
    char more[CURSOR_TEXT_MAX];
    /* the newest of each list (the console's page of an organisation shows these) */
    const struct page_in newest = {.limit = "200"};
    struct subs_admin_query subs_in = {.page = newest, .partner_id = partner_id};
    struct orders_query orders_in = {.page = newest};
    struct invoices_query invoices_in = {.page = newest};
    struct support_query requests_in = {.page = newest};
    int rc = partners_find(db, partner_id, &p);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    /* the organisation as its own portal sees it */
    memset(&org, 0, sizeof(org));
    snprintf(org.partner_id, sizeof(org.partner_id), "%s", p.id);
    snprintf(org.locale, sizeof(org.locale), "%s", p.locale);
    org.roles = ROLE_USER;
    if ((rc = subscriptions_admin_list(db, &subs_in, lang, &subs, more, err)) >= 0 &&
        (rc = orders_list_json(db, &org, &orders_in, lang, &orders, more, err)) >= 0 &&
        (rc = invoices_list_json(db, &org, &invoices_in, lang, &invoices, more, err)) >= 0)
        rc = support_list(db, &org, &requests_in, &requests, more, err);
    if (rc >= 0 && (who->roles & ROLE_OPERATOR))
        rc = audit_page(db, who, p.id, &(struct page_in){.limit = "50"}, &events, more, err);
    if (rc < 0) {
        json_decref(subs);
        json_decref(orders);
        json_decref(invoices);
        json_decref(requests);
        json_decref(events);
        return err->code;
    }
    *out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "partner", members_partner_view(&p),
                     "subscriptions", subs, "orders", orders, "invoices", invoices, "requests",
                     requests, "audit", events ? events : json_null());
    return 0;
}
