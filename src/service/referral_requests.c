/*
 * service/referral_requests.c - the customer's side of a referral: the request to a listed
 * partner, its confirmation by the emailed link, and the erasure of their data.
 *
 * Each use case runs in one transaction and writes its outbox events there: the email to
 * the customer (referral.confirm: to them alone) and, once confirmed, the partner's
 * referral.created. A token is 32 random bytes in hex; the confirmation's is kept hashed,
 * the erasure's as is (every email to the customer carries it again).
 */
#include "service/referral_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/country.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/msg.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/outbox.h"
#include "service/referral_notify.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/directory.h"
#include "store/outbox.h"
#include "store/referrals.h"

#define NEED_MAX 5000
#define DAY 86400

/* ---- the customer's side ---- */

int referral_request(struct db *db, const char *slug, const char *ip, const char *lang,
                     const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"name", "company", "email", "phone",   "country",
                                       "need", "consent", "lang",  "website", NULL};
    struct checks c = {0};
    struct arena a = {0};
    struct settings s;
    struct profile_row l;
    check_known_keys(&c, body, "", keys);
    struct referral_row r = {0};
    r.name = check_text(&c, body, "name", "name", true, 200);
    r.company = check_text(&c, body, "company", "company", true, 200);
    r.email = check_text(&c, body, "email", "email", true, 254);
    if (r.email && !text_email_valid(r.email))
        check_fail(&c, "email", MSG_FIELD_EMAIL);
    r.phone = check_text(&c, body, "phone", "phone", false, 30);
    if (r.phone && (strspn(r.phone, "+0123456789 .-()") != strlen(r.phone) || strlen(r.phone) < 6))
        check_fail(&c, "phone", MSG_FIELD_PHONE);
    r.country = check_text(&c, body, "country", "country", true, 2);
    if (r.country && !country_valid(r.country))
        check_fail(&c, "country", MSG_FIELD_COUNTRY);
    r.need = json_string_value(json_object_get(body, "need"));
    if (r.need == NULL || r.need[0] == '\0' || strlen(r.need) > NEED_MAX ||
        !text_utf8_valid(r.need, strlen(r.need)))
        check_fail(&c, "need", MSG_FIELD_NEED);
    if (!json_is_true(json_object_get(body, "consent")))
        check_fail(&c, "consent", MSG_FIELD_CONSENT);
    const char *want = check_text(&c, body, "lang", "lang", false, 2);
    if (!check_one_of(want, (const char *const[]){"fr", "en", NULL}))
        check_fail_one_of(&c, "lang", (const char *const[]){"fr", "en", NULL});
    r.lang = want ? want : lang;
    r.consent = true;
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    /* the honeypot: a field people never see; robots fill it. Same answer, nothing kept. */
    const char *honey = json_string_value(json_object_get(body, "website"));
    *out = json_pack("{s:s}", "status", "confirmation_sent");
    if (honey && honey[0])
        return 0;
    if ((rc = tx_begin(db, err)) < 0)
        goto fail;
    settings_load(db, &s);
    char today[DATE_STRLEN], email_lower[256], email_hash[65], confirm[65], confirm_hash[65];
    char erase[65], id[32];
    int found = listings_find_listed(db, &a, slug, date_format(clock_today(), today), &l);
    if (found < 0)
        rc = pd_fail(err, found, "%s", db_errmsg(db));
    else if (found == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    int64_t now = clock_now(), by_address = 0, by_email = 0;
    text_lower(r.email, email_lower, sizeof(email_lower));
    sha256_hex(email_lower, email_hash);
    /* two requests at once from one address or email are counted one after the other */
    if (rc >= 0 && (rc = referrals_lock_sender(db, ip, email_hash)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc >= 0 &&
        ((rc = referrals_count_since(db, "address", ip, now - DAY, &by_address)) < 0 ||
         (rc = referrals_count_since(db, "email", email_hash, now - DAY, &by_email)) < 0))
        pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc >= 0 && (by_address >= s.referral_address_max || by_email >= s.referral_email_max)) {
        rc = pd_fail(err, PD_E_REFERRAL_LIMIT, NULL);
        pd_error_detail(err, "limit",
                        json_string(by_address >= s.referral_address_max ? "address" : "email"));
    }
    if (rc >= 0) {
        id_new("ref", id, sizeof(id));
        random_hex(32, confirm);
        random_hex(32, erase);
        sha256_hex(confirm, confirm_hash);
        r.id = id;
        r.partner_id = l.partner_id;
        r.client_ip = ip;
        r.email_hash = email_hash;
        r.confirm_hash = confirm_hash;
        r.confirm_by = now + (int64_t)REFERRAL_CONFIRM_HOURS * 3600;
        r.erase_token = erase;
        r.created_at = r.updated_at = now;
        if ((rc = referrals_insert(db, &r)) < 0)
            pd_fail(err, rc, "%s", db_errmsg(db));
    }
    if (rc >= 0) {
        char confirm_link[700], erase_link[700];
        struct contact to;
        referral_link(&s, "/annuaire/confirmer?token=", confirm, confirm_link,
                      sizeof(confirm_link));
        referral_link(&s, "/annuaire/effacer?token=", erase, erase_link, sizeof(erase_link));
        snprintf(to.email, sizeof(to.email), "%s", r.email);
        snprintf(to.lang, sizeof(to.lang), "%s", r.lang);
        rc = outbox_emit_to(db, l.partner_id, "referral.confirm",
                            json_pack("{s:s, s:s, s:s, s:s}", "referral_id", id, "partner", l.name,
                                      "confirm_link", confirm_link, "erase_link", erase_link),
                            &to, 1);
    }
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) >= 0)
        return 0;
fail:
    json_decref(*out);
    *out = NULL;
    return rc;
}

/* The token of a link body: 64 hex characters. */
static const char *token_of(const json_t *body, struct pd_error *err)
{
    const char *t = json_string_value(json_object_get(body, "token"));
    if (t == NULL || strlen(t) != 64 || strspn(t, "0123456789abcdef") != 64) {
        pd_fail_field(err, PD_E_INVALID_REQUEST, "token", MSG_FIELD_TOKEN, NULL);
        return NULL;
    }
    return t;
}

int referral_confirm_link(struct db *db, const json_t *body, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct referral_row r;
    struct settings s;
    char hash[65];
    const char *token = token_of(body, err);
    if (token == NULL)
        return err->code;
    sha256_hex(token, hash);
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    settings_load(db, &s);
    int64_t now = clock_now();
    int found = referrals_find_confirm(db, &a, hash, &r);
    if (found < 0)
        rc = pd_fail(err, found, "%s", db_errmsg(db));
    else if (found == 0 || strcmp(r.status, "unconfirmed") != 0 || now > r.confirm_by)
        rc = pd_fail(err, PD_E_REFERRAL_LINK_INVALID, NULL);
    if (rc >= 0) {
        r.respond_by = now + s.referral_response_days * DAY;
        r.status = "new";
        r.confirmed_at = now;
        /* two clicks at once both read it unconfirmed: the UPDATE lets one through, the
         * other answers as a used link and tells no one a second time */
        int confirmed = referrals_confirm(db, r.id, r.respond_by, now);
        if (confirmed < 0)
            rc = pd_fail(err, confirmed, "%s", db_errmsg(db));
        else if (confirmed == 0)
            rc = pd_fail(err, PD_E_REFERRAL_LINK_INVALID, NULL);
    }
    if (rc >= 0)
        rc = referral_tell(db, &s, &r, "referral.created", false);
    if (rc >= 0)
        rc = audit(db, NULL, NULL, r.partner_id, "referral.confirmed", "referral", r.id, NULL);
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = json_pack("{s:s}", "status", "confirmed");
    return 0;
}

int referral_erase_link(struct db *db, const json_t *body, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct referral_row r;
    const char *token = token_of(body, err);
    if (token == NULL)
        return err->code;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    int found = referrals_find_erase(db, &a, token, &r);
    if (found < 0)
        rc = pd_fail(err, found, "%s", db_errmsg(db));
    else if (found == 0)
        rc = pd_fail(err, PD_E_REFERRAL_LINK_INVALID, NULL);
    /* a referral never confirmed is erased the same way; the retention job deletes it */
    if (rc >= 0 && (rc = referrals_erase(db, r.id, clock_now())) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc >= 0)
        rc = audit(db, NULL, NULL, r.partner_id, "referral.erased", "referral", r.id,
                   json_pack("{s:s}", "by", "customer"));
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    *out = json_pack("{s:s}", "status", "erased");
    return 0;
}
