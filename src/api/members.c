/* api/members.c - joining the network, the organisation and its users. */
#include "api/api.h"
#include "service/members.h"
#include "service/password_reset.h"

int api_partners_join(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (members_join(r->db, r->json, r->client_ip, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_partner_get(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *partner;
    if (members_partner_get(r->db, r->principal, &partner, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, partner);
    return 0;
}

int api_partner_update(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (members_update_partner(r->db, r->principal, r->client_ip, r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_users_list(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *items;
    char next[CURSOR_TEXT_MAX];
    struct page_in page = api_page_in(r);
    if (members_list(r->db, r->principal, &page, &items, next, &err) < 0)
        return api_fail(r, w, &err);
    api_list(r, w, items, next);
    return 0;
}

int api_users_invite(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (members_invite(r->db, r->principal, r->client_ip, r->json, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 201, out);
    return 0;
}

int api_users_update(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (members_update(r->db, r->principal, r->client_ip, req_param(r, "id"), r->json, &out, &err) <
        0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

int api_users_delete(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    if (members_remove(r->db, r->principal, r->client_ip, req_param(r, "id"), &err) < 0)
        return api_fail(r, w, &err);
    api_no_content(r, w);
    return 0;
}

int api_invitations_accept(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (members_accept_invitation(r->db, req_param(r, "token"), r->json, r->client_ip, &out, &err) <
        0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}

/* Always 202 with one text for a well-formed ask: whether the address has an account is
 * not for the caller to learn. */
int api_password_resets_request(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (password_reset_request(r->db, r->json, r->client_ip, r->lang, &out, &err) < 0)
        return api_fail(r, w, &err);
    resp_json(r, w, 202, out);
    return 0;
}

int api_password_resets_complete(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    json_t *out;
    if (password_reset_complete(r->db, req_param(r, "token"), r->json, r->client_ip, &out, &err) <
        0)
        return api_fail(r, w, &err);
    resp_json(r, w, 200, out);
    return 0;
}
