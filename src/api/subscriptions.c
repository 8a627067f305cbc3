/* api/subscriptions.c - offers, subscriptions, certified people, and the catalog and
 * PMC migration for staff. */
#include "api/api.h"
#include "service/catalog.h"
#include "service/certified.h"
#include "service/legacy.h"
#include "service/subscriptions.h"

int api_offers(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    if (subscriptions_tiles(r->db, r->principal, r->lang, &items, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, NULL);
    return 0;
}

int api_subscriptions_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (subscriptions_list(r->db, r->principal, &page, query_get(&r->query, "status"), r->lang,
                           &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_subscriptions_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (subscriptions_get(r->db, r->principal, req_param(r, "id"), r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_subscriptions_patch(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (subscriptions_set_auto_renew(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json,
                                     r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_certified_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (certified_people_list(r->db, r->principal, &page, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_certified_add(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (certified_people_add(r->db, r->principal, r->client_ip, r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_certified_delete(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    if (certified_people_remove(r->db, r->principal, r->client_ip, req_param(r, "id"), &err) < 0)
        return api_fail(r, w, &err);
    api_no_content(r, w);
    return 0;
}

int api_admin_offers(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    if (catalog_list(r->db, r->lang, &items, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, NULL);
    return 0;
}

int api_admin_offer_price(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    if (catalog_set_price(r->db, r->principal, r->client_ip, req_param(r, "code"),
                          req_param(r, "currency"), r->json, &err) < 0)
        return api_fail(r, w, &err);
    return api_admin_offers(r, w);
}

int api_admin_offers_add(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    if (catalog_add_offer(r->db, r->principal, r->client_ip, r->json, &err) < 0)
        return api_fail(r, w, &err);
    json_t *items;
    if (catalog_list(r->db, r->lang, &items, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, json_pack("{s:o, s:o}", "items", items, "next_cursor", json_null()));
    return 0;
}

int api_admin_subscriptions(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct subs_admin_query in = {
        .page = api_page_in(r),
        .partner_id = query_get(&r->query, "partner_id"),
        .managed_in = query_get(&r->query, "managed_in"),
        .status = query_get(&r->query, "status"),
    };
    if (subscriptions_admin_list(r->db, &in, r->lang, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_admin_subscription_migrate(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (legacy_migrate(r->db, r->principal, r->client_ip, req_param(r, "id"), r->lang, &out, &err) <
        0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_admin_subscriptions_migrate_all(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    int migrated = 0;
    if (legacy_migrate_all(r->db, r->principal, r->client_ip, &migrated, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, json_pack("{s:i}", "migrated", migrated));
    return 0;
}
