/*
 * service/support.c - support requests (SPEC section 6), and cancellation through them.
 *
 * A request moves open -> in_progress -> resolved -> closed; the partner may reopen a
 * resolved request within REOPEN_DAYS, after which the `support_autoclose` job closes it.
 * Every change is told to the other side: the organisation's billing contacts hear of
 * staff changes (event support.updated), the support staff of partner changes.
 *
 * Cancelling a subscription is a request of kind 'cancellation', opened by
 * POST /subscriptions/{id}/cancellation (one open at a time per subscription) and resolved
 * by support: now (optionally with a prorated refund: a credit note, and a gateway refund
 * for a card, or a refund left to finance for a wire transfer), or at the end of the term.
 * Either way auto-renew goes off and the subscription shows cancelled from the effective
 * date.
 */
#include "service/support.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/money.h"
#include "core/subscription.h"
#include "core/text.h"
#include "db/db.h"
#include "gateway/gateway.h"
#include "log.h"
#include "service/audit.h"
#include "service/invoice_issue.h"
#include "service/outbox.h"
#include "service/validate.h"
#include "store/offers.h"
#include "store/counters.h"
#include "store/orders.h"
#include "store/payments.h"
#include "store/outbox.h"
#include "store/subscriptions.h"
#include "store/support.h"

#define REOPEN_DAYS 14
#define ATTACHMENTS_MAX 10
#define CANCEL_CATEGORY "partner_center_issue"
#define CANCEL_PROBLEM "invoice_payment_reconciliation"

static const char *const request_statuses[] = {"open", "in_progress", "resolved", "closed", NULL};

struct label {
    const char *code;
    const char *fr;
    const char *en;
};

struct category {
    struct label name;
    struct label problems[4];
};

static const struct category catalog[] = {
    {{CANCEL_CATEGORY, "Signaler des problèmes avec l'Espace partenaires",
      "Report problems with Partner Center"},
     {{CANCEL_PROBLEM,
       "Aide concernant une facture, un paiement ou un fichier de rapprochement de partenaire",
       "Help with a partner invoice, payment or reconciliation file"},
      {"account_access", "Accès au compte et connexion", "Account access and sign-in"},
      {"membership_offers", "Offres d'adhésion et abonnements", "Membership offers and subscriptions"},
      {NULL, NULL, NULL}}},
    {{"benefits", "Avantages du programme", "Program benefits"},
     {{"software_licences", "Licences logicielles à usage interne", "Internal-use software licences"},
      {"cloud_credits", "Crédits cloud", "Cloud credits"},
      {"training", "Formation et certification", "Training and certification"},
      {NULL, NULL, NULL}}},
    {{"competencies", "Compétences Silver et Gold", "Silver and Gold competencies"},
     {{"prerequisites", "Conditions préalables et personnes certifiées",
       "Prerequisites and certified people"},
      {"renewal", "Renouvellement d'une compétence", "Renewing a competency"},
      {NULL, NULL, NULL},
      {NULL, NULL, NULL}}},
};

static const struct category *find_category(const char *code)
{
    for (size_t i = 0; code && i < sizeof(catalog) / sizeof(catalog[0]); i++)
        if (!strcmp(catalog[i].name.code, code))
            return &catalog[i];
    return NULL;
}

static bool problem_in(const struct category *c, const char *code)
{
    for (size_t i = 0; c && code && i < 4 && c->problems[i].code; i++)
        if (!strcmp(c->problems[i].code, code))
            return true;
    return false;
}

json_t *support_catalog_json(const char *lang)
{
    bool en = lang && !strcmp(lang, "en");
    json_t *items = json_array();
    for (size_t i = 0; i < sizeof(catalog) / sizeof(catalog[0]); i++) {
        json_t *problems = json_array();
        for (size_t j = 0; j < 4 && catalog[i].problems[j].code; j++) {
            const struct label *p = &catalog[i].problems[j];
            json_array_append_new(problems, json_pack("{s:s, s:s, s:{s:s, s:s}}", "code", p->code,
                                                      "label", en ? p->en : p->fr, "labels", "fr",
                                                      p->fr, "en", p->en));
        }
        const struct label *c = &catalog[i].name;
        json_array_append_new(items, json_pack("{s:s, s:s, s:{s:s, s:s}, s:o}", "code", c->code,
                                               "label", en ? c->en : c->fr, "labels", "fr", c->fr,
                                               "en", c->en, "problem_types", problems));
    }
    return items;
}

static int finish(struct db *db, int rc, struct pd_error *err)
{
    if (rc >= 0)
        rc = db_commit(db);
    if (rc < 0) {
        db_rollback(db);
        return err->code ? err->code : pd_fail(err, rc, "%s", db_errmsg(db));
    }
    return 0;
}

static json_t *status_label(const char *status)
{
    static const struct label labels[] = {{"open", "ouverte", "open"},
                                          {"in_progress", "en cours de traitement", "in progress"},
                                          {"resolved", "résolue", "resolved"},
                                          {"closed", "fermée", "closed"}};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strcmp(labels[i].code, status))
            return json_pack("{s:s, s:s}", "fr", labels[i].fr, "en", labels[i].en);
    return json_pack("{s:s, s:s}", "fr", status, "en", status);
}

/* Tells the other side: the request's author (or, when gone, the billing contacts) of a
 * staff change; every active support staff member of a partner change. */
static int notify(struct db *db, const json_t *req, bool by_staff, const char *what,
                  const char *message)
{
    const char *partner_id = json_string_value(json_object_get(req, "partner_id"));
    const char *status = json_string_value(json_object_get(req, "status"));
    json_t *payload = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "request_id",
                                json_string_value(json_object_get(req, "id")), "number",
                                json_string_value(json_object_get(req, "number")), "title",
                                json_string_value(json_object_get(req, "title")), "status", status,
                                "status_label", status_label(status), "change", what, "message",
                                message ? message : "");
    if (by_staff)
        return outbox_emit_user(db, partner_id, "support.updated", payload,
                                json_string_value(json_object_get(req, "created_by")));
    struct contact *staff = NULL;
    int n = 0;
    int rc = staff_contacts(db, "support", &staff, &n);
    if (rc >= 0 && n > 0)
        rc = outbox_emit_to(db, partner_id, "support.staff_notice", payload, staff, n);
    else
        json_decref(payload);
    free(staff);
    return rc;
}

/* The request with its messages and attachments; 404 unless the caller may see it. */
static int load(struct db *db, const struct principal *who, const char *id, json_t **out,
                struct pd_error *err)
{
    int rc = support_get(db, id, who->staff ? NULL : who->partner_id, out);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    return 0;
}

static json_t *full(struct db *db, json_t *req)
{
    json_t *messages = NULL, *files = NULL;
    const char *id = json_string_value(json_object_get(req, "id"));
    if (support_messages(db, id, &messages) == 0)
        json_object_set_new(req, "messages", messages);
    if (support_attachments(db, id, &files) == 0)
        json_object_set_new(req, "attachments", files);
    return req;
}

int support_get_json(struct db *db, const struct principal *who, const char *id, json_t **out,
                     struct pd_error *err)
{
    int rc = load(db, who, id, out, err);
    if (rc < 0)
        return rc;
    *out = full(db, *out);
    return 0;
}

static int open_request(struct db *db, const struct principal *who, const char *ip,
                        struct support_new *r, json_t **out)
{
    int64_t seq = 0, now = clock_now();
    id_new("req", r->id, sizeof(r->id));
    r->partner_id = who->partner_id;
    r->created_by = who->user_id;
    int rc = counters_next(db, "support_request", &seq);
    snprintf(r->number, sizeof(r->number), "SR-%06lld", (long long)seq);
    if (rc >= 0)
        rc = support_insert(db, r, now);
    if (rc >= 0)
        rc = support_message_insert(db, r->id, who->user_id, 0, r->description, now);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "support_request.opened", "support_request", r->id,
                   json_pack("{s:s, s:s, s:s, s:s?}", "number", r->number, "category", r->category,
                             "problem_type", r->problem_type, "subscription_id",
                             r->subscription_id));
    json_t *req = NULL;
    if (rc >= 0 && (rc = support_get(db, r->id, NULL, &req)) == 1)
        rc = notify(db, req, false, "opened", NULL);
    if (rc >= 0)
        *out = req;
    else
        json_decref(req);
    return rc;
}

int support_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                   json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"title", "description", "category", "problem_type",
                                       "subscription_id", NULL};
    struct checks c = {0};
    check_known_keys(&c, body, "", keys);
    const char *title = check_text(&c, body, "title", "title", true, 200);
    const char *description = json_string_value(json_object_get(body, "description"));
    if (description == NULL || description[0] == '\0' || strlen(description) > 10000)
        check_fail(&c, "description", MSG_FIELD_LONG_TEXT);
    const char *category = check_text(&c, body, "category", "category", true, 48);
    const char *problem = check_text(&c, body, "problem_type", "problem_type", true, 64);
    const struct category *cat = find_category(category);
    if (category && cat == NULL)
        check_fail(&c, "category", MSG_FIELD_SUPPORT_CATEGORY);
    if (cat && problem && !problem_in(cat, problem))
        check_fail(&c, "problem_type", MSG_FIELD_PROBLEM_TYPE);
    const char *sub_id = check_text(&c, body, "subscription_id", "subscription_id", false, 32);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if (sub_id) {
        struct sub_row s;
        if ((rc = subs_find(db, sub_id, &s)) < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        if (rc == 0 || strcmp(s.partner_id, who->partner_id) != 0) {
            return pd_fail_field(err, PD_E_INVALID_REQUEST, "subscription_id",
                                 MSG_FIELD_NO_SUCH_SUBSCRIPTION, NULL);
        }
    }
    struct support_new r = {.subscription_id = sub_id, .category = category,
                            .problem_type = problem, .kind = "general", .title = title,
                            .description = description};
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    rc = open_request(db, who, ip, &r, out);
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    *out = full(db, *out);
    return 0;
}

int support_cancellation(struct db *db, const struct principal *who, const char *ip,
                         const char *sub_id, const char *lang, json_t **out, bool *created,
                         struct pd_error *err)
{
    struct sub_row s;
    char existing[32];
    int rc = subs_find(db, sub_id, &s);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0 || strcmp(s.partner_id, who->partner_id) != 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (strcmp(s.managed_in, "pmc") == 0)
        return pd_fail(err, PD_E_MANAGED_IN_PMC, NULL);
    if (s.cancelled_on[0])
        return pd_fail(err, PD_E_SUBSCRIPTION_CANCELLED, NULL);
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    db_lock_row(db, "subscriptions", sub_id);
    rc = support_open_cancellation(db, sub_id, existing, sizeof(existing));
    if (rc == 1) { /* one at a time: the one already open */
        db_rollback(db);
        *created = false;
        return support_get_json(db, who, existing, out, err);
    }
    bool en = lang && !strcmp(lang, "en");
    char title[300], description[800], until[64] = "-";
    json_t *names = offers_names(db, s.offer_code);
    const char *offer = json_string_value(json_object_get(names, en ? "en" : "fr"));
    struct date expires;
    if (s.expires_on[0] && date_parse(s.expires_on, &expires) == 0)
        date_format_long(expires, en ? "en" : "fr", until, sizeof(until));
    snprintf(title, sizeof(title), en ? "Cancel subscription: %s" : "Annuler l'abonnement : %s",
             offer ? offer : s.offer_code);
    snprintf(description, sizeof(description),
             en ? "Please cancel the subscription %s (%s), which runs until %s."
                : "Merci d'annuler l'abonnement %s (%s), qui court jusqu'au %s.",
             offer ? offer : s.offer_code, s.id, until);
    json_decref(names);
    struct support_new r = {.subscription_id = sub_id, .category = CANCEL_CATEGORY,
                            .problem_type = CANCEL_PROBLEM, .kind = "cancellation",
                            .title = title, .description = description};
    rc = rc < 0 ? rc : open_request(db, who, ip, &r, out);
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    *created = true;
    *out = full(db, *out);
    return 0;
}

int support_list_json(struct db *db, const struct principal *who, const char *status,
                      const char *category, const char *assignee, json_t **items,
                      struct pd_error *err)
{
    if (check_filter("status", status, request_statuses, err) < 0)
        return err->code;
    int rc = support_list(db, who->staff ? NULL : who->partner_id, status, category, assignee,
                          items);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int support_add_message(struct db *db, const struct principal *who, const char *ip,
                        const char *id, const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"body", NULL};
    struct checks c = {0};
    json_t *req;
    int rc = load(db, who, id, &req, err); /* another organisation's: 404 whatever the body */
    if (rc < 0)
        return rc;
    json_decref(req);
    check_known_keys(&c, body, "", keys);
    const char *text = json_string_value(json_object_get(body, "body"));
    if (text == NULL || text[0] == '\0' || strlen(text) > 10000)
        check_fail(&c, "body", MSG_FIELD_LONG_TEXT);
    if ((rc = check_done(&c, err)) < 0)
        return rc;
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = load(db, who, id, &req, err)) < 0) {
        db_rollback(db);
        return rc;
    }
    const char *status = json_string_value(json_object_get(req, "status"));
    if (!strcmp(status, "closed")) {
        json_decref(req);
        db_rollback(db);
        pd_fail(err, PD_E_CONFLICT, "the request is closed");
        pd_error_detail(err, "status", json_string("closed"));
        return PD_E_CONFLICT;
    }
    int64_t now = clock_now();
    rc = support_message_insert(db, id, who->user_id, who->staff, text, now);
    /* a staff answer takes an open request in hand */
    if (rc >= 0 && who->staff && !strcmp(status, "open") &&
        (rc = support_set_status(db, id, "open", "in_progress", now)) >= 0)
        json_object_set_new(req, "status", json_string("in_progress"));
    if (rc >= 0)
        rc = audit(db, who, ip, who->staff ? json_string_value(json_object_get(req, "partner_id")) : NULL,
                   "support_request.message", "support_request", id, NULL);
    if (rc >= 0)
        rc = notify(db, req, who->staff, "message", text);
    json_decref(req);
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    return support_get_json(db, who, id, out, err);
}

int support_update(struct db *db, const struct principal *who, const char *ip, const char *id,
                   const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"status", "assignee_id", NULL};
    struct checks c = {0};
    check_known_keys(&c, body, "", keys);
    const char *status = check_text(&c, body, "status", "status", false, 16);
    if (!check_one_of(status, request_statuses))
        check_fail_one_of(&c, "status", request_statuses);
    json_t *assignee = json_object_get(body, "assignee_id");
    if (assignee && !json_is_null(assignee) && !json_is_string(assignee))
        check_fail(&c, "assignee_id", MSG_FIELD_STAFF_USER);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if (json_is_string(assignee) &&
        (rc = support_assignable(db, json_string_value(assignee))) <= 0) {
        if (rc < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "assignee_id",
                             MSG_FIELD_NOT_SUPPORT_ACCOUNT, NULL);
    }
    json_t *req;
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = load(db, who, id, &req, err)) < 0) {
        db_rollback(db);
        return rc;
    }
    int64_t now = clock_now();
    const char *kind = json_string_value(json_object_get(req, "kind"));
    if (status && !strcmp(status, "resolved") && !strcmp(kind, "cancellation")) {
        json_decref(req);
        db_rollback(db);
        pd_fail(err, PD_E_CONFLICT, "a cancellation is resolved with POST .../resolution");
        return PD_E_CONFLICT;
    }
    if (status && (rc = support_set_status(db, id, NULL, status, now)) >= 0)
        json_object_set_new(req, "status", json_string(status));
    if (rc >= 0 && assignee)
        rc = support_set_assignee(db, id, json_string_value(assignee), now);
    if (rc >= 0)
        rc = audit(db, who, ip, json_string_value(json_object_get(req, "partner_id")),
                   "support_request.updated", "support_request", id, json_deep_copy(body));
    if (rc >= 0 && status)
        rc = notify(db, req, true, "status", NULL);
    json_decref(req);
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    return support_get_json(db, who, id, out, err);
}

int support_reopen(struct db *db, const struct principal *who, const char *ip, const char *id,
                   json_t **out, struct pd_error *err)
{
    json_t *req;
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = load(db, who, id, &req, err)) < 0) {
        db_rollback(db);
        return rc;
    }
    int64_t resolved = 0;
    support_resolved_at(db, id, &resolved);
    const char *status = json_string_value(json_object_get(req, "status"));
    bool cancellation = !strcmp(json_string_value(json_object_get(req, "kind")), "cancellation");
    if (strcmp(status, "resolved") != 0 || cancellation ||
        clock_now() - resolved > (int64_t)REOPEN_DAYS * 86400) {
        pd_fail(err, PD_E_CONFLICT, "only a resolved request, within %d days", REOPEN_DAYS);
        pd_error_detail(err, "status", json_string(status)); /* status lives in req */
        json_decref(req);
        db_rollback(db);
        return PD_E_CONFLICT;
    }
    rc = support_set_status(db, id, "resolved", "open", clock_now());
    json_object_set_new(req, "status", json_string("open"));
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "support_request.reopened", "support_request", id, NULL);
    if (rc >= 0)
        rc = notify(db, req, false, "reopened", NULL);
    json_decref(req);
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    return support_get_json(db, who, id, out, err);
}

/* ---- attachments ---- */

/* The type of a file from its first bytes; NULL when not one of the accepted kinds. Text
 * (CSV or TXT) is UTF-8 without control characters but tab and line ends. */
static const char *sniff(const unsigned char *p, size_t n, const char *filename)
{
    if (n >= 5 && !memcmp(p, "%PDF-", 5))
        return "application/pdf";
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (n >= 3 && !memcmp(p, "\xff\xd8\xff", 3))
        return "image/jpeg";
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return NULL;
    if (!text_utf8_valid((const char *)p, n))
        return NULL;
    size_t len = strlen(filename);
    return len > 4 && !strcasecmp(filename + len - 4, ".csv") ? "text/csv" : "text/plain";
}

/* What the name's extension claims, to refuse a file that is not what it says. */
static const char *claimed(const char *filename)
{
    const char *dot = strrchr(filename, '.');
    if (dot == NULL)
        return NULL;
    static const struct label ext[] = {{".pdf", "application/pdf", NULL}, {".png", "image/png", NULL},
                                       {".jpg", "image/jpeg", NULL},      {".jpeg", "image/jpeg", NULL},
                                       {".csv", "text/csv", NULL},        {".txt", "text/plain", NULL}};
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if (!strcasecmp(dot, ext[i].code))
            return ext[i].fr;
    return "";
}

int support_attach(struct db *db, const struct principal *who, const char *ip, const char *id,
                   const char *filename, const void *data, size_t size, json_t **out,
                   struct pd_error *err)
{
    json_t *req;
    int rc = load(db, who, id, &req, err); /* another organisation's: 404 whatever the file */
    if (rc < 0)
        return rc;
    json_decref(req);
    if (filename == NULL || !text_line_valid(filename, 200) || strchr(filename, '/') ||
        strchr(filename, '\\') || strchr(filename, '"')) {
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "filename", MSG_FIELD_FILENAME, NULL);
    }
    if (size == 0 || size > SUPPORT_ATTACHMENT_MAX) {
        pd_fail(err, size ? PD_E_PAYLOAD_TOO_LARGE : PD_E_INVALID_REQUEST, "a file of 1 byte to 10 MiB");
        pd_error_detail(err, "limit_bytes", json_integer(SUPPORT_ATTACHMENT_MAX));
        return err->code;
    }
    const char *type = sniff(data, size, filename);
    const char *says = claimed(filename);
    if (type == NULL || (says && strcmp(says, type) != 0)) {
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "file",
                             type ? MSG_FIELD_FILE_MISMATCH : MSG_FIELD_FILE_TYPE, NULL);
    }
    size_t cap = sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(cap);
    if (b64 == NULL)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    sodium_bin2base64(b64, cap, data, size, sodium_base64_VARIANT_ORIGINAL);
    char aid[32];
    int64_t count = 0;
    id_new("att", aid, sizeof(aid));
    rc = db_begin(db);
    if (rc >= 0 && (rc = load(db, who, id, &req, err)) >= 0) {
        support_attachment_count(db, id, &count);
        if (!strcmp(json_string_value(json_object_get(req, "status")), "closed")) {
            rc = pd_fail(err, PD_E_CONFLICT, "the request is closed");
            pd_error_detail(err, "status", json_string("closed"));
        } else if (count >= ATTACHMENTS_MAX) {
            rc = pd_fail(err, PD_E_CONFLICT, "at most %d files per request", ATTACHMENTS_MAX);
        } else {
            rc = support_attachment_insert(db, aid, id, filename, type, (int64_t)size, b64,
                                           who->user_id, clock_now());
            if (rc >= 0)
                rc = audit(db, who, ip, who->staff ? json_string_value(json_object_get(req, "partner_id")) : NULL,
                           "support_request.attachment", "support_request", id,
                           json_pack("{s:s, s:s, s:I}", "filename", filename, "type", type, "size",
                                     (json_int_t)size));
            /* the other side hears of the file, as of a message */
            if (rc >= 0)
                rc = notify(db, req, who->staff, "attachment", filename);
        }
        json_decref(req);
    }
    free(b64);
    if ((rc = finish(db, rc, err)) < 0)
        return rc;
    *out = json_pack("{s:s, s:s, s:s, s:I}", "id", aid, "filename", filename, "content_type", type,
                     "size", (json_int_t)size);
    return 0;
}

int support_attachment(struct db *db, const struct principal *who, const char *id,
                       const char *attachment_id, char *filename, size_t fn, char *type,
                       size_t tn, unsigned char **data, size_t *size, struct pd_error *err)
{
    json_t *req;
    char *b64 = NULL;
    int rc = load(db, who, id, &req, err);
    if (rc < 0)
        return rc;
    json_decref(req);
    rc = support_attachment_get(db, attachment_id, id, filename, fn, type, tn, &b64);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    size_t len = strlen(b64);
    *data = malloc(len + 1);
    if (*data == NULL || sodium_base642bin(*data, len, b64, len, NULL, size, NULL,
                                           sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(b64);
        free(*data);
        return pd_fail(err, PD_E_INTERNAL, "attachment unreadable");
    }
    free(b64);
    return 0;
}

/* ---- resolution of a cancellation ---- */

/* What a resolution refunded: the refund row, the credit note and, for a card, the charge
 * the gateway is to refund. */
struct refund_made {
    char id[32];        /* empty: nothing refunded */
    char credit_id[32];
    char charge_id[64]; /* empty: finance pays it by transfer */
    int64_t amount;     /* VAT included */
};

/* The credit note for what is left of the term and the refund row: by the gateway when
 * the term was paid by a card charge, else by finance. */
static int refund_rest(struct db *db, const struct sub_row *s, const char *request_id,
                       struct date today, struct refund_made *out)
{
    struct order_row o;
    struct date starts, expires;
    int rc = orders_paying_term(db, s->id, &o);
    if (rc <= 0)
        return rc; /* nothing was paid here (imported from the PMC): nothing to refund */
    date_parse(s->starts_on, &starts);
    date_parse(s->expires_on, &expires);
    int64_t rest = sub_prorated(o.subtotal, starts, expires, today);
    if (rest <= 0)
        return 0;
    rc = invoice_credit(db, &o, rest, out->credit_id, sizeof(out->credit_id), &out->amount);
    if (rc < 0)
        return rc;
    bool card = strcmp(o.payment_method, "card") == 0 &&
                payments_succeeded_charge(db, o.id, out->charge_id, sizeof(out->charge_id)) == 1;
    if (!card)
        out->charge_id[0] = '\0';
    struct refund_new f = {.request_id = request_id, .partner_id = s->partner_id,
                           .order_id = o.id, .invoice_id = o.invoice_id,
                           .credit_note_id = out->credit_id, .amount = out->amount,
                           .currency = o.currency, .method = card ? "card" : "wire"};
    id_new("rfd", f.id, sizeof(f.id));
    if ((rc = refund_insert(db, &f, clock_now())) < 0)
        return rc;
    snprintf(out->id, sizeof(out->id), "%s", f.id);
    return 1;
}

static const char *refund_method(const struct refund_made *f)
{
    return f->charge_id[0] ? "card" : "wire";
}

/* Asks the gateway for a card refund; the key is the request's, so asking again (the
 * refund_retry job) never refunds twice. 1 when the gateway made it. */
static int refund_by_gateway(struct db *db, const char *refund_id, const char *request_id,
                             const char *charge_id, int64_t amount)
{
    struct gw_result g;
    char key[64];
    snprintf(key, sizeof(key), "refund:%s", request_id);
    if (gateway_refund(charge_id, amount, key, &g) < 0 || g.outcome != GW_SUCCEEDED) {
        log_line(LOG_WARN, NULL, "refund", "refund=%s outcome=%s", refund_id,
                 gw_outcome_name(g.outcome));
        return 0;
    }
    return refund_set_refunded(db, refund_id, g.charge_id, clock_now());
}

int support_resolve(struct db *db, const struct principal *who, const char *ip, const char *id,
                    const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"cancellation", "refund", "message", NULL};
    struct checks c = {0};
    check_known_keys(&c, body, "", keys);
    const char *when = check_text(&c, body, "cancellation", "cancellation", true, 16);
    if (when && strcmp(when, "immediate") != 0 && strcmp(when, "end_of_term") != 0)
        check_fail_one_of(&c, "cancellation", (const char *const[]){"immediate", "end_of_term", NULL});
    json_t *refund_v = json_object_get(body, "refund");
    if (refund_v && !json_is_boolean(refund_v))
        check_fail(&c, "refund", MSG_FIELD_NOT_BOOLEAN);
    bool refund = json_is_true(refund_v);
    if (refund && when && !strcmp(when, "end_of_term"))
        check_fail(&c, "refund", MSG_FIELD_REFUND_IMMEDIATE_ONLY);
    const char *message = check_text(&c, body, "message", "message", false, 2000);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if (when == NULL) /* check_done said so */
        return pd_fail(err, PD_E_INVALID_REQUEST, NULL);

    json_t *req;
    struct sub_row s;
    struct refund_made f = {.amount = 0};
    int64_t now = clock_now();
    struct date today = clock_today(), effective = today;
    char effective_s[DATE_STRLEN];
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if ((rc = load(db, who, id, &req, err)) < 0) {
        db_rollback(db);
        return rc;
    }
    const char *sub_id = json_string_value(json_object_get(req, "subscription_id"));
    const char *status = json_string_value(json_object_get(req, "status"));
    if (strcmp(json_string_value(json_object_get(req, "kind")), "cancellation") != 0 ||
        (strcmp(status, "open") != 0 && strcmp(status, "in_progress") != 0)) {
        pd_fail(err, PD_E_CONFLICT, "not an open cancellation request");
        pd_error_detail(err, "status", json_string(status));
        rc = PD_E_CONFLICT;
        goto out;
    }
    if ((rc = db_lock_row(db, "subscriptions", sub_id)) >= 0 &&
        (rc = subs_find(db, sub_id, &s)) == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, "subscription");
    if (rc < 0)
        goto out;
    /* at the end of the term: from the day after expiry, or today if that is past */
    if (!strcmp(when, "end_of_term") && s.paid) {
        struct date expires;
        date_parse(s.expires_on, &expires);
        if (date_cmp(date_add_days(expires, 1), today) > 0)
            effective = date_add_days(expires, 1);
    }
    date_format(effective, effective_s);
    rc = subs_cancel(db, s.id, effective_s, now);
    if (rc >= 0 && refund && s.paid)
        rc = refund_rest(db, &s, id, today, &f);
    if (rc >= 0)
        rc = support_set_status(db, id, NULL, "resolved", now);
    if (rc >= 0)
        rc = support_set_resolution(db, id, f.id[0] ? "immediate_with_refund" : when, now);
    if (rc >= 0 && message)
        rc = support_message_insert(db, id, who->user_id, 1, message, now);
    if (rc >= 0)
        rc = audit(db, who, ip, s.partner_id, "subscription.cancelled", "subscription", s.id,
                   json_pack("{s:s, s:s, s:s, s:b, s:I, s:s?, s:s?}", "request_id", id,
                             "cancellation", when, "effective_on", effective_s, "refund",
                             f.id[0] != '\0', "refund_total", (json_int_t)f.amount,
                             "credit_note_id", f.credit_id[0] ? f.credit_id : NULL,
                             "refund_method", f.id[0] ? refund_method(&f) : NULL));
    if (rc >= 0) {
        json_object_set_new(req, "status", json_string("resolved"));
        rc = notify(db, req, true, "resolved", message);
    }
out:
    json_decref(req);
    if ((rc = finish(db, rc < 0 ? rc : 0, err)) < 0)
        return rc;
    /* the card refund, after the commit: a gateway call never holds a transaction */
    if (f.charge_id[0])
        refund_by_gateway(db, f.id, id, f.charge_id, f.amount);
    if ((rc = support_get_json(db, who, id, out, err)) < 0)
        return rc;
    json_object_set_new(*out, "outcome",
                        json_pack("{s:s, s:s, s:s?, s:I, s:s?, s:s?}", "effective_on",
                                  effective_s, "cancellation", when, "credit_note_id",
                                  f.credit_id[0] ? f.credit_id : NULL, "refund_total",
                                  (json_int_t)f.amount, "refund_id", f.id[0] ? f.id : NULL,
                                  "refund_method", f.id[0] ? refund_method(&f) : NULL));
    return 0;
}

int support_autoclose_run(struct db *db)
{
    return support_close_resolved(db, clock_now() - (int64_t)REOPEN_DAYS * 86400, clock_now());
}

/* ---- refunds, for finance ---- */

int refunds_list_json(struct db *db, const char *status, json_t **items, struct pd_error *err)
{
    static const char *const statuses[] = {"pending", "refunded", "to_pay", "paid", NULL};
    if (check_filter("status", status, statuses, err) < 0)
        return err->code;
    int rc = refunds_list(db, status, items);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int refund_record_paid(struct db *db, const struct principal *who, const char *ip,
                       const char *id, const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"paid_on", "reference", NULL};
    struct checks c = {0};
    struct date d;
    check_known_keys(&c, body, "", keys);
    const char *paid_on = check_text(&c, body, "paid_on", "paid_on", true, 10);
    if (paid_on && date_parse(paid_on, &d) < 0)
        check_fail(&c, "paid_on", MSG_FIELD_DATE);
    const char *reference = check_text(&c, body, "reference", "reference", false, 64);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if ((rc = db_begin(db)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    json_t *refund = NULL;
    rc = refund_get(db, id, &refund);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    if (rc > 0 && (rc = refund_set_paid(db, id, paid_on, reference, clock_now())) == 0) {
        pd_fail(err, PD_E_CONFLICT, "only a wire refund still to pay");
        pd_error_detail(err, "status", json_incref(json_object_get(refund, "status")));
        rc = PD_E_CONFLICT;
    }
    if (rc >= 0)
        rc = audit(db, who, ip,
                   json_string_value(json_object_get(json_object_get(refund, "partner"), "id")),
                   "refund.paid", "refund", id,
                   json_pack("{s:s, s:s?}", "paid_on", paid_on, "reference", reference));
    json_decref(refund);
    if ((rc = finish(db, rc < 0 ? rc : 0, err)) < 0)
        return rc;
    if ((rc = refund_get(db, id, out)) != 1)
        return pd_fail(err, rc < 0 ? rc : PD_E_INTERNAL, "the refund cannot be read back");
    return 0;
}

int refunds_retry_run(struct db *db)
{
    struct refund_due due[50];
    int n = 0, done = 0;
    int rc = refunds_card_pending(db, due, 50, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        char charge_id[64];
        if (payments_succeeded_charge(db, due[i].order_id, charge_id, sizeof(charge_id)) == 1)
            done += refund_by_gateway(db, due[i].id, due[i].request_id, charge_id,
                                      due[i].amount) == 1;
    }
    return rc < 0 ? rc : done;
}
