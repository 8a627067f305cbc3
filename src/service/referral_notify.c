/*
 * service/referral_notify.c - what a referral's events tell, and to whom: the partner's
 * (referral.created, referral.updated: to the profile's contact address and the
 * organisation's webhooks) and the customer's notice of an answer or an expiry.
 *
 * Events carry the referral's id, which is how erasure finds their copies of the personal
 * data (store/referrals.c).
 */
#include "service/referral_notify.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/msg.h"
#include "service/outbox.h"
#include "store/directory.h"
#include "store/outbox.h"
#include "store/users.h"

json_t *referral_status_label(const char *status)
{
    static const struct {
        const char *code;
        enum msg_id text;
    } labels[] = {
        {"new", MSG_REFERRAL_STATUS_NEW},           {"accepted", MSG_REFERRAL_STATUS_ACCEPTED},
        {"declined", MSG_REFERRAL_STATUS_DECLINED}, {"expired", MSG_REFERRAL_STATUS_EXPIRED},
        {"won", MSG_REFERRAL_STATUS_WON},           {"lost", MSG_REFERRAL_STATUS_LOST}};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strcmp(labels[i].code, status))
            return json_pack("{s:s, s:s}", "fr", msg_text(labels[i].text, "fr"), "en",
                             msg_text(labels[i].text, "en"));
    return json_pack("{s:s, s:s}", "fr", status, "en", status);
}

void referral_link(const struct settings *s, const char *path, const char *token, char *out,
                   size_t n)
{
    snprintf(out, n, "%s%s%s", s->portal_url, path, token ? token : "");
}

/* The partner's contact for referrals: the listing's address, or the draft's once the
 * profile is unpublished (its referrals are still followed), in the organisation's
 * language; *n is 1 when there is an address. *name: the profile's name, else the legal
 * name. */
static int partner_contact(struct db *db, struct arena *a, const char *partner_id,
                           struct contact *to, int *n, const char **name)
{
    struct profile_row l;
    struct partner_row org;
    int found = listings_find(db, a, partner_id, &l);
    if (found == 0)
        found = profiles_find(db, a, partner_id, &l);
    if (found < 0)
        return found;
    int rc = partners_find(db, partner_id, &org);
    if (rc < 0)
        return rc;
    *name = found > 0 ? l.name : rc > 0 ? arena_strdup(a, org.legal_name) : "";
    *n = found > 0 && l.referral_email && l.referral_email[0];
    if (*n) {
        snprintf(to->email, sizeof(to->email), "%s", l.referral_email);
        snprintf(to->lang, sizeof(to->lang), "%s", rc > 0 ? org.locale : "fr");
    }
    return 0;
}

int referral_tell(struct db *db, const struct settings *s, const struct referral_row *r,
                  const char *event, bool customer_too)
{
    struct arena a = {0};
    struct contact to;
    const char *partner_name = "";
    char link[700], respond[DATE_STRLEN] = "";
    int n = 0;
    int rc = partner_contact(db, &a, r->partner_id, &to, &n, &partner_name);
    referral_link(s, "/demandes-contact/", r->id, link, sizeof(link));
    if (r->respond_by)
        date_format(date_of_instant(r->respond_by), respond);
    if (rc >= 0) { /* the organisation's webhooks, with or without an address to email */
        json_t *payload = json_pack(
            "{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "referral_id", r->id,
            "status", r->status, "status_label", referral_status_label(r->status), "customer",
            r->name ? r->name : "-", "company", r->company ? r->company : "-", "email",
            r->email ? r->email : "", "phone", r->phone ? r->phone : "", "country",
            r->country ? r->country : "", "need", r->need ? r->need : "", "respond_on", respond,
            "reason", r->decline_reason ? r->decline_reason : "", "link", link);
        rc = outbox_emit_notify(db, r->partner_id, event, payload, &to, n);
    }
    if (rc >= 0 && customer_too && r->email && r->erase_token) {
        struct contact c;
        char erase[700];
        snprintf(c.email, sizeof(c.email), "%s", r->email);
        snprintf(c.lang, sizeof(c.lang), "%s", r->lang);
        referral_link(s, "/annuaire/effacer?token=", r->erase_token, erase, sizeof(erase));
        rc = outbox_emit_to(
            db, r->partner_id, "referral.customer_notice",
            json_pack("{s:s, s:s, s:o, s:s, s:s}", "referral_id", r->id, "partner", partner_name,
                      "status_label", referral_status_label(r->status), "reason",
                      r->decline_reason ? r->decline_reason : "", "erase_link", erase),
            &c, 1);
    }
    arena_free(&a);
    return rc < 0 ? rc : 0;
}
