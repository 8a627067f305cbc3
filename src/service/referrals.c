/*
 * service/referrals.c - referral requests, confirmation, erasure, lifecycle, jobs, funnel.
 *
 * Each use case runs in one transaction and writes its outbox events there: the email to
 * the customer (referral.confirm, referral.customer_notice: to them alone) and the
 * partner's (referral.created, referral.updated: to the profile's contact address and the
 * organisation's webhooks). Events carry the referral's id, which is how erasure finds
 * their copies of the personal data (store/referrals.c). A token is 32 random bytes in hex;
 * the confirmation's is kept hashed, the erasure's as is (every email to the customer
 * carries it again).
 */
#include "service/page.h"
#include "service/referrals.h"

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
#include "service/settings.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/directory.h"
#include "store/outbox.h"
#include "store/referrals.h"
#include "store/users.h"

#define NEED_MAX 5000
#define NOTE_MAX 5000
#define DAY 86400

static const char *const statuses[] = {"new", "accepted", "declined", "expired",
                                       "won", "lost",     NULL};

/* ---- views ---- */

static json_t *status_label(const char *status)
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

static json_t *instant_or_null(int64_t t)
{
    char at[21];
    return t ? json_string(instant_format(t, at)) : json_null();
}

static json_t *referral_view(const struct referral_row *r)
{
    return json_pack("{s:s, s:s, s:o, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:b, s:s, s:s?, s:o, "
                     "s:o, s:o, s:o, s:o, s:b}",
                     "id", r->id, "status", r->status, "status_label", status_label(r->status),
                     "name", r->name, "company", r->company, "email", r->email, "phone", r->phone,
                     "country", r->country, "need", r->need, "consent", r->consent, "lang", r->lang,
                     "decline_reason", r->decline_reason, "created_at",
                     instant_or_null(r->created_at), "confirmed_at",
                     instant_or_null(r->confirmed_at), "respond_by", instant_or_null(r->respond_by),
                     "responded_at", instant_or_null(r->responded_at), "closed_at",
                     instant_or_null(r->closed_at), "erased", r->erased_at != 0);
}

/* ---- shared steps ---- */

static void link_to(const struct settings *s, const char *path, const char *token, char *out,
                    size_t n)
{
    snprintf(out, n, "%s%s%s", s->portal_url, path, token ? token : "");
}

/* The partner's contact for referrals: the listing's address, in the organisation's
 * language. 1 when there is one. */
static int partner_contact(struct db *db, struct arena *a, const char *partner_id,
                           struct contact *to, const char **name)
{
    struct profile_row l;
    struct partner_row org;
    int rc = listings_find(db, a, partner_id, &l);
    if (rc <= 0)
        return rc;
    if ((rc = partners_find(db, partner_id, &org)) < 0)
        return rc;
    snprintf(to->email, sizeof(to->email), "%s", l.referral_email);
    snprintf(to->lang, sizeof(to->lang), "%s", rc > 0 ? org.locale : "fr");
    *name = l.name;
    return 1;
}

/* referral.created or referral.updated to the partner; for the customer, a notice of an
 * answer or an expiry (with the erase link) unless their data is gone. */
static int tell(struct db *db, const struct settings *s, const struct referral_row *r,
                const char *event, bool customer_too)
{
    struct arena a = {0};
    struct contact to;
    const char *partner_name = "";
    char link[700], respond[DATE_STRLEN] = "";
    int rc = partner_contact(db, &a, r->partner_id, &to, &partner_name);
    link_to(s, "/demandes-contact/", r->id, link, sizeof(link));
    if (r->respond_by)
        date_format(date_of_instant(r->respond_by), respond);
    if (rc > 0) {
        json_t *payload = json_pack(
            "{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "referral_id", r->id,
            "status", r->status, "status_label", status_label(r->status), "customer",
            r->name ? r->name : "-", "company", r->company ? r->company : "-", "email",
            r->email ? r->email : "", "phone", r->phone ? r->phone : "", "country",
            r->country ? r->country : "", "need", r->need ? r->need : "", "respond_on", respond,
            "reason", r->decline_reason ? r->decline_reason : "", "link", link);
        rc = outbox_emit_notify(db, r->partner_id, event, payload, &to, 1);
    }
    if (rc >= 0 && customer_too && r->email && r->erase_token) {
        struct contact c;
        char erase[700];
        snprintf(c.email, sizeof(c.email), "%s", r->email);
        snprintf(c.lang, sizeof(c.lang), "%s", r->lang);
        link_to(s, "/annuaire/effacer?token=", r->erase_token, erase, sizeof(erase));
        rc = outbox_emit_to(db, r->partner_id, "referral.customer_notice",
                            json_pack("{s:s, s:s, s:o, s:s, s:s}", "referral_id", r->id, "partner",
                                      partner_name, "status_label", status_label(r->status),
                                      "reason", r->decline_reason ? r->decline_reason : "",
                                      "erase_link", erase),
                            &c, 1);
    }
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

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
        link_to(&s, "/annuaire/confirmer?token=", confirm, confirm_link, sizeof(confirm_link));
        link_to(&s, "/annuaire/effacer?token=", erase, erase_link, sizeof(erase_link));
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
        if ((rc = referrals_confirm(db, r.id, r.respond_by, now)) < 0)
            pd_fail(err, rc, "%s", db_errmsg(db));
    }
    if (rc >= 0)
        rc = tell(db, &s, &r, "referral.created", false);
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

/* ---- the partner's side ---- */

int referral_page(struct db *db, const struct principal *who, const char *status,
                  const struct page_in *page, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct referral_row *rows = NULL;
    struct checks ck = {0};
    struct page_request p;
    char next[CURSOR_TEXT_MAX];
    int n = 0;
    int64_t counts[7] = {0};
    page_check(&ck, page, &p);
    if (!check_one_of(status, statuses))
        check_fail_one_of(&ck, "status", statuses);
    int rc = page_checks_done(&ck, err);
    if (rc < 0)
        return rc;
    if ((rc = referrals_page(db, &a, who->partner_id, status, &p, &rows, &n)) < 0 ||
        (rc = referrals_counts(db, who->partner_id, statuses, counts)) < 0) {
        arena_free(&a);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    json_t *items = json_array(), *c = json_object();
    int shown = page_shown(&p, n);
    for (int i = 0; i < shown; i++)
        json_array_append_new(items, referral_view(&rows[i]));
    page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
              next);
    for (int i = 0; statuses[i]; i++)
        json_object_set_new(c, statuses[i], json_integer(counts[i]));
    *out = json_pack("{s:o, s:o, s:s?}", "items", items, "counts", c, "next_cursor",
                     next[0] ? next : NULL);
    arena_free(&a);
    return 0;
}

/* The referral with its notes, in the caller's transaction. */
static int full_view(struct db *db, struct arena *a, const struct referral_row *r, json_t **out)
{
    struct referral_note *notes = NULL;
    int n = 0;
    int rc = referral_notes_list(db, a, r->id, &notes, &n);
    if (rc < 0)
        return rc;
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        char at[21];
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "id", notes[i].id, "author",
                                              notes[i].author, "body", notes[i].body, "created_at",
                                              instant_format(notes[i].created_at, at)));
    }
    *out = referral_view(r);
    json_object_set_new(*out, "notes", list);
    return 0;
}

static int load(struct db *db, struct arena *a, const struct principal *who, const char *id,
                struct referral_row *r, struct pd_error *err)
{
    int rc = referrals_find(db, a, id, who->partner_id, r);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return rc == 0 ? pd_fail(err, PD_E_NOT_FOUND, NULL) : 0;
}

int referral_get(struct db *db, const struct principal *who, const char *id, json_t **out,
                 struct pd_error *err)
{
    struct arena a = {0};
    struct referral_row r;
    int rc = load(db, &a, who, id, &r, err);
    if (rc >= 0 && (rc = full_view(db, &a, &r, out)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

int referral_change(struct db *db, const struct principal *who, const char *ip, const char *id,
                    const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"status", "reason", NULL};
    static const char *const targets[] = {"accepted", "declined", "won", "lost", NULL};
    struct checks c = {0};
    struct arena a = {0};
    struct referral_row r;
    struct settings s;
    check_known_keys(&c, body, "", keys);
    const char *to = check_text(&c, body, "status", "status", true, 16);
    if (to && !check_one_of(to, targets))
        check_fail_one_of(&c, "status", targets), to = NULL;
    const char *reason = check_text(&c, body, "reason", "reason", false, 500);
    if (to && !strcmp(to, "declined") && reason == NULL)
        check_fail(&c, "reason", MSG_FIELD_REASON_REQUIRED);
    *out = NULL;
    int rc = tx_begin(db, err);
    if (rc < 0) {
        json_decref(c.fields);
        return rc;
    }
    /* another organisation's: 404 whatever the body */
    if ((rc = load(db, &a, who, id, &r, err)) < 0)
        json_decref(c.fields);
    else
        rc = check_done(&c, err);
    settings_load(db, &s);
    int64_t now = clock_now();
    const char *from = rc >= 0 ? r.status : NULL;
    bool allowed =
        from && to &&
        ((!strcmp(from, "new") && (!strcmp(to, "accepted") || !strcmp(to, "declined"))) ||
         (!strcmp(from, "accepted") && (!strcmp(to, "won") || !strcmp(to, "lost"))));
    /* past the deadline a new referral is expired, whether the job ran yet or not */
    if (allowed && !strcmp(from, "new") && now > r.respond_by)
        allowed = false;
    if (rc >= 0 && !allowed) {
        rc = pd_fail(err, PD_E_REFERRAL_STATE, NULL);
        pd_error_detail(err, "status", json_string(from));
    }
    int moved = rc < 0 || !to || !from ? 0 : referrals_move(db, r.id, from, to, reason, now);
    if (rc >= 0 && moved <= 0)
        rc = moved < 0 ? pd_fail(err, moved, "%s", db_errmsg(db))
                       : pd_fail(err, PD_E_REFERRAL_STATE, NULL);
    if (rc >= 0 && to && from) {
        r.status = to;
        r.updated_at = now;
        if (!strcmp(from, "new"))
            r.responded_at = now;
        if (strcmp(to, "accepted") != 0)
            r.closed_at = now;
        if (reason && !strcmp(to, "declined"))
            r.decline_reason = reason;
        rc = tell(db, &s, &r, "referral.updated", !strcmp(from, "new"));
    }
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "referral.updated", "referral", r.id,
                   json_pack("{s:s, s:s, s:s?}", "from", from, "to", to, "reason", reason));
    if (rc >= 0 && (rc = full_view(db, &a, &r, out)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) < 0 && rc != PD_E_REFERRAL_STATE && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc < 0 ? rc : 0;
}

int referral_note(struct db *db, const struct principal *who, const char *ip, const char *id,
                  const json_t *body, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct referral_row r;
    struct checks c = {0};
    check_known_keys(&c, body, "", (const char *const[]){"body", NULL});
    const char *text = json_string_value(json_object_get(body, "body"));
    if (text == NULL || text[0] == '\0' || strlen(text) > NOTE_MAX ||
        !text_utf8_valid(text, strlen(text)))
        check_fail(&c, "body", MSG_FIELD_NOTE);
    *out = NULL;
    int rc = tx_begin(db, err);
    if (rc < 0) {
        json_decref(c.fields);
        return rc;
    }
    char nid[32];
    id_new("rnote", nid, sizeof(nid));
    /* another organisation's: 404 whatever the body */
    if ((rc = load(db, &a, who, id, &r, err)) < 0)
        json_decref(c.fields);
    else
        rc = check_done(&c, err);
    if (rc >= 0 && (rc = referral_notes_add(db, nid, r.id, who->user_id, text, clock_now())) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "referral.note", "referral", r.id, NULL);
    if (rc >= 0 && (rc = full_view(db, &a, &r, out)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) < 0 && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc < 0 ? rc : 0;
}

/* ---- staff ---- */

static json_t *funnel_view(int64_t received, int64_t accepted, int64_t declined, int64_t expired,
                           int64_t won, int64_t lost)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "received", (json_int_t)received, "accepted",
                     (json_int_t)accepted, "declined", (json_int_t)declined, "expired",
                     (json_int_t)expired, "won", (json_int_t)won, "lost", (json_int_t)lost);
}

int referral_funnel(struct db *db, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct funnel_row *rows = NULL;
    int n = 0;
    int rc = referrals_funnel(db, &a, &rows, &n);
    if (rc < 0) {
        arena_free(&a);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    struct funnel_row all = {0};
    json_t *partners = json_array();
    for (int i = 0; i < n; i++) {
        json_t *v = funnel_view(rows[i].received, rows[i].accepted, rows[i].declined,
                                rows[i].expired, rows[i].won, rows[i].lost);
        json_object_set_new(v, "partner_id", json_string(rows[i].partner_id));
        json_object_set_new(v, "name", json_string(rows[i].name));
        json_array_append_new(partners, v);
        all.received += rows[i].received;
        all.accepted += rows[i].accepted;
        all.declined += rows[i].declined;
        all.expired += rows[i].expired;
        all.won += rows[i].won;
        all.lost += rows[i].lost;
    }
    *out = json_pack(
        "{s:o, s:o}", "overall",
        funnel_view(all.received, all.accepted, all.declined, all.expired, all.won, all.lost),
        "partners", partners);
    arena_free(&a);
    return 0;
}

/* ---- jobs ---- */

int referral_expiry_run(struct db *db)
{
    struct arena a = {0};
    struct pd_error err = {0};
    struct settings s;
    const char **ids = NULL;
    int n = 0, done = 0;
    int64_t now = clock_now();
    int rc = referrals_overdue(db, &a, now, &ids, &n);
    settings_load(db, &s);
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct referral_row r;
        if ((rc = tx_begin(db, &err)) < 0)
            break;
        int found = referrals_find(db, &a, ids[i], NULL, &r);
        int moved = found > 0 ? referrals_move(db, r.id, "new", "expired", NULL, now) : found;
        rc = moved < 0 ? moved : 0;
        if (moved > 0) {
            r.status = "expired";
            r.closed_at = now;
            rc = tell(db, &s, &r, "referral.updated", true);
            done++;
        }
        rc = tx_end(db, rc, &err);
    }
    pd_error_clear(&err);
    arena_free(&a);
    return rc < 0 ? rc : done;
}

int referral_retention_run(struct db *db)
{
    struct arena a = {0};
    struct pd_error err = {0};
    struct settings s;
    const char **ids = NULL;
    int n = 0;
    settings_load(db, &s);
    int64_t now = clock_now();
    struct date limit = date_add_months(clock_today(), -(int)s.referral_retention_months);
    int rc = tx_begin(db, &err);
    if (rc >= 0) {
        int dropped = referrals_drop_unconfirmed(db, now);
        rc = dropped < 0 ? dropped : 0;
        if (rc >= 0)
            rc = referrals_expired_retention(db, &a, date_start_instant(limit), &ids, &n);
        for (int i = 0; rc >= 0 && i < n; i++)
            rc = referrals_erase(db, ids[i], now);
        if (rc >= 0 && n > 0)
            rc = audit(db, NULL, NULL, NULL, "referral.retention", "referral", NULL,
                       json_pack("{s:i}", "erased", n));
        if (rc >= 0)
            n += dropped;
        rc = tx_end(db, rc, &err);
    }
    pd_error_clear(&err);
    arena_free(&a);
    return rc < 0 ? rc : n;
}
