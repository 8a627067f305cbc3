/* api/directory.c - the company profile, the public directory, referrals and their funnel
 * (issue 19). Public routes (the directory, a partner's page, its logo, a referral request
 * and the customer's links) need no sign-in; the authorization table says so. */
#include <stdlib.h>

#include "api/api.h"
#include "service/directory.h"
#include "service/directory_search.h"
#include "service/referral_requests.h"
#include "service/referrals.h"

/* Answers out with status, or the failure. */
static int answer(struct req *r, struct resp *w, int rc, int status, json_t *out,
                  struct pd_error *err)
{
    if (rc < 0)
        return api_fail(r, w, err);
    resp_json(r, w, status, out);
    return 0;
}

int api_company_profile_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = directory_profile_get(r->db, r->principal, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_company_profile_put(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = directory_profile_put(r->db, r->principal, r->client_ip, r->json, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

/* The picture is the raw body. */
int api_company_profile_logo_put(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = directory_logo_put(r->db, r->principal, r->client_ip, r->body.data, r->body.len, &out,
                                &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_company_profile_publish(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = directory_publish(r->db, r->principal, r->client_ip, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_company_profile_unpublish(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    if (directory_unpublish(r->db, r->principal, r->client_ip, &err) < 0)
        return api_fail(r, w, &err);
    api_no_content(r, w);
    return 0;
}

/* A logo's bytes: the caller's own (draft or published) or, signed out, a listed one. */
static int send_logo(struct req *r, struct resp *w, const struct principal *who)
{
    struct pd_error err = {0};
    char type[32];
    unsigned char *data = NULL;
    size_t size = 0;
    if (directory_logo_get(r->db, who, req_param(r, "hash"), type, sizeof(type), &data, &size,
                           &err) < 0)
        return api_fail(r, w, &err);
    resp_bytes(r, w, 200, type, (const char *)data, size);
    /* the URL names the bytes (their SHA-256): they never change under it */
    resp_header(w, "Cache-Control",
                who ? "private, max-age=31536000, immutable"
                    : "public, max-age=31536000, immutable");
    resp_header(w, "Content-Security-Policy", "default-src 'none'; sandbox");
    free(data);
    return 0;
}

int api_company_profile_logo_get(struct req *r, struct resp *w)
{
    return send_logo(r, w, r->principal);
}

int api_directory_logo(struct req *r, struct resp *w)
{
    return send_logo(r, w, NULL);
}

int api_directory_search(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    struct directory_search_in in = {
        .q = query_get(&r->query, "q"),
        .country = query_get(&r->query, "country"),
        .industry = query_get(&r->query, "industry"),
        .service = query_get(&r->query, "service"),
        .level = query_get(&r->query, "level"),
        .language = query_get(&r->query, "language"),
        .order = query_get(&r->query, "order"),
        .cursor = query_get(&r->query, "cursor"),
        .limit = query_get(&r->query, "limit"),
    };
    int rc = directory_search_page(r->db, &in, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_directory_partner(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = directory_partner_page(r->db, req_param(r, "slug"), &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_directory_catalog(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = directory_catalog_get(r->db, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_admin_directory_catalog_put(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = directory_catalog_put(r->db, r->principal, r->client_ip, req_param(r, "kind"),
                                   req_param(r, "code"), r->json, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_admin_directory_catalog_delete(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    if (directory_catalog_delete(r->db, r->principal, r->client_ip, req_param(r, "kind"),
                                 req_param(r, "code"), &err) < 0)
        return api_fail(r, w, &err);
    api_no_content(r, w);
    return 0;
}

int api_directory_referral(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc =
        referral_request(r->db, req_param(r, "slug"), r->client_ip, r->lang, r->json, &out, &err);
    return answer(r, w, rc, 202, out, &err);
}

int api_referral_confirm(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = referral_confirm_link(r->db, r->json, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_referral_erase(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = referral_erase_link(r->db, r->json, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_referrals_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    struct page_in page = api_page_in(r);
    int rc = referral_page(r->db, r->principal, query_get(&r->query, "status"), &page, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_referrals_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = referral_get(r->db, r->principal, req_param(r, "id"), &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_referrals_status(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc =
        referral_change(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}

int api_referrals_note(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc =
        referral_note(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, &out, &err);
    return answer(r, w, rc, 201, out, &err);
}

int api_admin_referral_funnel(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out = NULL;
    int rc = referral_funnel(r->db, &out, &err);
    return answer(r, w, rc, 200, out, &err);
}
