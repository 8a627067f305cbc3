/*
 * service/cancellation.c - cancellation of a subscription through a support request.
 *
 * POST /subscriptions/{id}/cancellation opens a request of kind 'cancellation' whose title
 * and description say which subscription, in the partner's language (the organisation's,
 * not the caller's browser's); support resolves it
 * with POST /support-requests/{id}/resolution: now (optionally with a prorated refund: a
 * credit note, and a gateway refund for a card, or a refund left to finance for a wire
 * transfer), or at the end of the term. Either way auto-renew goes off, the subscription
 * shows cancelled from the effective date, and a wire order still awaiting its transfer for
 * it is cancelled with a credit note.
 */
#include "service/cancellation.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/msg.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/refunds.h"
#include "service/subscriptions.h"
#include "service/support.h"
#include "service/support_catalog.h"
#include "service/tx.h"
#include "service/validate.h"
#include "service/settings.h"
#include "service/wire.h"
#include "core/money.h"
#include "store/offers.h"
#include "store/orders.h"
#include "store/invoices.h"
#include "store/payments.h"
#include "store/users.h"
#include "store/subscriptions.h"
#include "store/support.h"
#include "store/users.h"

/* Opens the request for s in lang, its description the partner's own words (typed in the
 * support form) or else a prefilled sentence; *req the request. */
static int open_prefilled(struct db *db, struct arena *a, const struct principal *who,
                          const char *ip, const struct sub_row *s, const char *typed,
                          const char *lang, struct request_row *req)
{
    char title[300], description[800], until[64] = "-";
    struct offer_names names;
    const char *offer = s->offer_code;
    if (offers_names(db, s->offer_code, &names) > 0) {
        const char *name = msg_lang(lang) == LANG_EN ? names.en : names.fr;
        if (name[0])
            offer = name;
    }
    struct date expires;
    if (s->expires_on[0] && date_parse(s->expires_on, &expires) == 0)
        date_format_long(expires, msg_lang_tag(msg_lang(lang)), until, sizeof(until));
    msg_format(title, sizeof(title), MSG_CANCELLATION_TITLE, lang, (const char *const[]){offer}, 1);
    msg_format(description, sizeof(description), MSG_CANCELLATION_DESCRIPTION, lang,
               (const char *const[]){offer, s->id, until}, 3);
    struct support_new r = {.subscription_id = s->id,
                            .category = SUPPORT_CANCEL_CATEGORY,
                            .problem_type = SUPPORT_CANCEL_PROBLEM,
                            .kind = "cancellation",
                            .title = title,
                            .description = typed ? typed : description};
    int rc = support_open(db, a, who, ip, &r, req);
    if (rc >= 0) { /* the texts live on this stack frame: keep copies */
        req->title = arena_strdup(a, title);
        req->description = arena_strdup(a, typed ? typed : description);
        req->subscription_id = arena_strdup(a, s->id);
    }
    return rc;
}

/* The partner's words typed for a cancellation already open (sent from a second tab, or a
 * page loaded before the first was sent), kept as a message of that request rather than
 * dropped: support reads them, told as of any message. Words the request holds already (the
 * same form sent twice) are not written again. */
static int keep_words(struct db *db, struct arena *a, const struct principal *who,
                      const char *ip, const struct request_row *req, const char *typed)
{
    struct request_message *m;
    int n = 0;
    int rc = requests_messages(db, a, req->id, &m, &n);
    for (int i = 0; rc >= 0 && i < n; i++)
        if (strcmp(m[i].body, typed) == 0)
            return 0;
    if (rc >= 0)
        rc = requests_add_message(db, req->id, who->user_id, false, typed, clock_now());
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "support_request.message", "support_request", req->id,
                   NULL);
    return rc < 0 ? rc : support_notify(db, req, false, "message", typed);
}

/* True when s has ended: its renewal window closed with no renewal (nothing is left to
 * cancel). */
static bool lapsed(struct db *db, const struct sub_row *s)
{
    struct subs_context ctx;
    if (!s->paid || subscriptions_context(db, s->partner_id, &ctx) < 0)
        return false;
    struct sub_facts f = subscriptions_facts(s, &ctx, 0);
    return sub_state_on(&f, clock_today()) == SUB_LAPSED;
}

int cancellation_open(struct db *db, const struct principal *who, const char *ip,
                      const char *sub_id, const json_t *body, const char *lang, json_t **out,
                      bool *created, struct pd_error *err)
{
    static const char *const keys[] = {"description", NULL};
    struct arena a = {0};
    struct sub_row s;
    struct request_row req;
    char existing[32];
    json_t *view = NULL;
    struct checks c = {0};
    const char *typed = NULL;
    if (json_is_object(body)) {
        check_known_keys(&c, body, "", keys);
        if (json_object_get(body, "description")) /* optional: checked when given */
            typed = check_long_text(&c, body, "description", "description");
    }
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = subs_find_locked(db, sub_id, &s);
    if (rc == 0 || (rc > 0 && strcmp(s.partner_id, who->partner_id) != 0))
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    else if (rc > 0 && strcmp(s.managed_in, "pmc") == 0)
        rc = pd_fail(err, PD_E_MANAGED_IN_PMC, NULL);
    else if (rc > 0 && s.cancelled_on[0])
        rc = pd_fail(err, PD_E_SUBSCRIPTION_CANCELLED, NULL);
    else if (rc > 0 && lapsed(db, &s))
        rc = pd_fail(err, PD_E_RENEWAL_WINDOW_CLOSED, NULL);
    if (rc >= 0)
        rc = requests_open_cancellation(db, sub_id, existing, sizeof(existing));
    *created = rc == 0;
    if (rc == 1) { /* one at a time: the one already open, with the words typed now */
        rc = support_load(db, &a, who, existing, &req, err);
        if (rc >= 0 && typed)
            rc = keep_words(db, &a, who, ip, &req, typed);
    }
    else if (rc == 0) {
        /* written for the organisation and read by support: in the partner's language,
         * whatever language the caller's browser asks for */
        struct partner_row partner;
        int found = partners_find(db, s.partner_id, &partner);
        rc = found < 0 ? found
                       : open_prefilled(db, &a, who, ip, &s, typed, found ? partner.locale : lang,
                                        &req);
    }
    if (rc >= 0)
        rc = support_view(db, &req, &view);
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(view);
        return rc;
    }
    *out = view;
    return 0;
}

/* The day a cancellation takes effect: today, or at the end of the term the day after
 * expiry, unless that is past. */
static struct date effective_on(const char *when, const struct sub_row *s, struct date today)
{
    if (!strcmp(when, "end_of_term") && s->paid) {
        struct date expires;
        date_parse(s->expires_on, &expires);
        if (date_cmp(date_add_days(expires, 1), today) > 0)
            return date_add_days(expires, 1);
    }
    return today;
}

/* True when a resolution of a request resolved before (staff set it back in progress) may
 * still change s, already cancelled: only to bring an end-of-term cancellation that has not
 * taken effect forward to today. One taken effect is final: cancelling it again would move its
 * date, and refunding it again would pay the same days twice. */
static bool brings_forward(const struct sub_row *s, const char *when, struct date today)
{
    struct date on;
    return strcmp(when, "immediate") == 0 && date_parse(s->cancelled_on, &on) == 0 &&
           date_cmp(on, today) > 0;
}

/* Checks the body of a resolution; *when and *refund and *message from it. */
static int check_resolution(const json_t *body, const char **when, bool *refund,
                            const char **message, struct pd_error *err)
{
    static const char *const keys[] = {"cancellation", "refund", "message", NULL};
    static const char *const whens[] = {"immediate", "end_of_term", NULL};
    struct checks c = {0};
    check_known_keys(&c, body, "", keys);
    *when = check_text(&c, body, "cancellation", "cancellation", true, 16);
    if (*when && !check_one_of(*when, whens))
        check_fail_one_of(&c, "cancellation", whens);
    json_t *refund_v = json_object_get(body, "refund");
    if (refund_v && !json_is_boolean(refund_v))
        check_fail(&c, "refund", MSG_FIELD_NOT_BOOLEAN);
    *refund = json_is_true(refund_v);
    if (*refund && *when && !strcmp(*when, "end_of_term"))
        check_fail(&c, "refund", MSG_FIELD_REFUND_IMMEDIATE_ONLY);
    *message = check_text(&c, body, "message", "message", false, 2000);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if (*when == NULL) /* check_done said so */
        return pd_fail(err, PD_E_INVALID_REQUEST, NULL);
    return 0;
}

/* The "outcome" of a resolution: when it takes effect and what was refunded. */
static json_t *outcome_view(const char *effective, const char *when, const struct refund_made *f,
                            int wire_orders_cancelled)
{
    return json_pack("{s:s, s:s, s:s?, s:I, s:s?, s:s?, s:i}", "effective_on", effective,
                     "cancellation", when, "credit_note_id", f->credit_id[0] ? f->credit_id : NULL,
                     "refund_total", (json_int_t)f->amount, "refund_id", f->id[0] ? f->id : NULL,
                     "refund_method", f->id[0] ? refunds_method(f) : NULL,
                     "wire_orders_cancelled", wire_orders_cancelled);
}

/* The sentences that state to the partner of s, in its language, when the cancellation takes
 * effect (the day effective) and what refund f gave back, followed by support's message when
 * there is one, into out: the partner hears what happened to its subscription, not just
 * that its request was resolved. */
static int outcome_statement(struct db *db, const struct sub_row *s, struct date effective,
                             struct date today, const struct refund_made *f, const char *message,
                             char *out, size_t n)
{
    struct partner_row p;
    char day[64];
    if (partners_find(db, s->partner_id, &p) != 1)
        return -1;
    const char *tag = msg_lang_tag(msg_lang(p.locale));
    bool later = date_cmp(effective, today) > 0; /* at the end of the term: its last day named */
    date_format_long(later ? date_add_days(effective, -1) : effective, tag, day, sizeof(day));
    enum msg_id when = later ? MSG_CANCELLATION_STATED_END : MSG_CANCELLATION_STATED_NOW;
    size_t len = strlen(msg_format(out, n, when, p.locale, (const char *const[]){day}, 1));
    struct invoice_row credit;
    struct order_row o;
    if (f->id[0] && invoices_find(db, f->credit_id, &credit, NULL) == 1 &&
        orders_paying_term(db, s->id, &o) == 1 && len + 2 < n) {
        char amount[64], refund[1024];
        money_format(f->amount, o.currency, p.locale, amount, sizeof(amount));
        const char *how =
            msg_text(f->charge_id[0] ? MSG_REFUND_BY_CARD : MSG_REFUND_BY_WIRE, p.locale);
        msg_format(refund, sizeof(refund), MSG_REFUND_STATED, p.locale,
                   (const char *const[]){amount, how, credit.number}, 3);
        snprintf(out + len, n - len, " %s", refund);
        len = strlen(out);
    }
    if (message && len + 2 < n)
        snprintf(out + len, n - len, "\n\n%s", message);
    return 0;
}

int cancellation_resolve(struct db *db, const struct principal *who, const char *ip, const char *id,
                         const json_t *body, json_t **out, struct pd_error *err)
{
    const char *when, *message;
    bool refund;
    int rc = check_resolution(body, &when, &refund, &message, err);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0)
        return rc;
    struct arena a = {0};
    struct request_row req;
    struct sub_row s;
    struct refund_made f = {.amount = 0};
    struct settings set;
    json_t *view = NULL;
    int64_t now = clock_now();
    struct date today = clock_today();
    char effective[DATE_STRLEN];
    /* two agents resolving it at once: the second waits here for the first to commit, then
     * reads the request resolved (PostgreSQL; SQLite runs them one after the other). Read
     * without this lock, it could find the request still open and the subscription already
     * cancelled, and answer with the wrong reason. */
    int locked = requests_lock(db, id);
    rc = support_load(db, &a, who, id, &req, err);
    if (rc >= 0 && locked < 0)
        rc = pd_fail(err, locked, "%s", db_errmsg(db));
    if (rc >= 0 && (strcmp(req.kind, "cancellation") != 0 ||
                    (strcmp(req.status, "open") != 0 && strcmp(req.status, "in_progress") != 0))) {
        rc = pd_fail(err, PD_E_CONFLICT, "not an open cancellation request");
        pd_error_detail(err, "status", json_string(req.status));
    }
    /* cancelled before this resolution (a request resolved once, set back in progress by
     * staff; or an unpaid order expired): said plainly, and nothing is done twice. Read
     * before the wire orders below are cancelled, which cancels an unpaid purchase's
     * subscription: the row locked after them could not tell the two apart. */
    struct sub_row before;
    int found = rc >= 0 ? subs_find(db, req.subscription_id, &before) : 0;
    if (found < 0)
        rc = pd_fail(err, found, "%s", db_errmsg(db));
    else if (found == 1 && before.cancelled_on[0] && !brings_forward(&before, when, today)) {
        rc = pd_fail(err, PD_E_SUBSCRIPTION_CANCELLED, "cancelled from %s", before.cancelled_on);
        pd_error_detail(err, "cancelled_on", json_string(before.cancelled_on));
    }
    /* a wire order still awaiting its transfer would pay for what is cancelled: it is
     * cancelled too, its invoice credited, and a transfer arriving later is finance's to
     * review (service/wire_transfers.c). Its row is locked before the subscription's, in
     * the order every payment takes them. */
    int wire_cancelled = 0;
    if (rc >= 0 && (rc = settings_load(db, &set)) >= 0 &&
        (rc = wire_cancel_waiting(db, &set, req.subscription_id, "subscription_cancelled")) >= 0)
        wire_cancelled = rc;
    if (rc >= 0 && (rc = subs_find_locked(db, req.subscription_id, &s)) == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, "subscription");
    /* a card payment under way (a bank's challenge open, an answer lost) may still succeed
     * and would start a term on a cancelled subscription: support resolves once it has
     * settled. A Buy that comes later waits for this lock, then finds it cancelled. */
    char paying[32];
    int busy = rc >= 0 ? orders_card_paying_of(db, s.id, paying, sizeof(paying)) : 0;
    if (busy < 0)
        rc = busy;
    else if (busy == 1) {
        rc = pd_fail(err, PD_E_PENDING_PAYMENT, "order %s is being paid by card", paying);
        pd_error_detail(err, "order_id", json_string(paying));
    }
    /* resolved once: the move from the status read, under the request's lock, is guarded
     * all the same */
    if (rc >= 0 && (rc = requests_set_status(db, id, req.status, "resolved", now)) == 0) {
        struct request_row now_req;
        rc = pd_fail(err, PD_E_CONFLICT, "not an open cancellation request");
        if (requests_find(db, &a, id, NULL, &now_req) == 1)
            pd_error_detail(err, "status", json_string(now_req.status));
    } else if (rc > 0) {
        support_set_status(&req, "resolved", now);
    }
    if (rc >= 0) {
        date_format(effective_on(when, &s, today), effective);
        rc = subs_cancel(db, s.id, effective, now);
    }
    if (rc >= 0 && refund && s.paid)
        rc = refunds_make(db, &s, id, today, &f);
    const char *resolution = f.id[0] ? "immediate_with_refund" : when;
    if (rc >= 0 && (rc = requests_set_resolution(db, id, resolution, now)) >= 0)
        req.resolution = resolution;
    /* the partner reads what was done (when, and what was refunded), in the organisation's
     * language */
    char stated[12288]; /* the sentences, then a message of 2000 characters of 4 bytes each */
    struct date effective_day;
    if (rc >= 0 && date_parse(effective, &effective_day) == 0 &&
        outcome_statement(db, &s, effective_day, today, &f, message, stated, sizeof(stated)) == 0)
        message = arena_strdup(&a, stated);
    if (rc >= 0 && message)
        rc = requests_add_message(db, id, who->user_id, true, message, now);
    if (rc >= 0)
        rc = audit(db, who, ip, s.partner_id, "subscription.cancelled", "subscription", s.id,
                   json_pack("{s:s, s:s, s:s, s:b, s:I, s:s?, s:s?, s:i}", "request_id", id,
                             "cancellation", when, "effective_on", effective, "refund",
                             f.id[0] != '\0', "refund_total", (json_int_t)f.amount,
                             "credit_note_id", f.credit_id[0] ? f.credit_id : NULL, "refund_method",
                             f.id[0] ? refunds_method(&f) : NULL, "wire_orders_cancelled",
                             wire_cancelled));
    if (rc >= 0)
        rc = support_notify(db, &req, true, "resolved", message);
    if (rc >= 0 && (rc = support_view(db, &req, &view)) >= 0)
        json_object_set_new(view, "outcome", outcome_view(effective, when, &f, wire_cancelled));
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(view);
        return rc;
    }
    /* the card refund, after the commit: a gateway call never holds a transaction */
    if (f.charge_id[0])
        refunds_by_gateway(db, f.id, id, f.charge_id, f.amount);
    *out = view;
    return 0;
}

int cancellation_preview(struct db *db, const struct principal *who, const char *id,
                         const char *lang, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct request_row req;
    struct sub_row s;
    struct order_row o;
    struct date today = clock_today();
    char now_s[DATE_STRLEN], end_s[DATE_STRLEN];
    int rc = support_load(db, &a, who, id, &req, err);
    if (rc >= 0 && strcmp(req.kind, "cancellation") != 0)
        rc = pd_fail(err, PD_E_CONFLICT, "not a cancellation request");
    if (rc >= 0 && (rc = subs_find(db, req.subscription_id, &s)) == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, "subscription");
    arena_free(&a);
    if (rc < 0)
        return err->code ? err->code : pd_fail(err, rc, "%s", db_errmsg(db));
    json_t *refund = json_null();
    /* what refunds_make() would give back today: the prorated rest before VAT, then VAT;
     * also for an end-of-term cancellation not yet in effect, which a resolution may still
     * bring forward to today and refund (brings_forward()) */
    if (s.paid && (!s.cancelled_on[0] || brings_forward(&s, "immediate", today)) &&
        (rc = orders_paying_term(db, s.id, &o)) == 1) {
        struct date starts, expires;
        int64_t rest, tax = 0, total = 0;
        char charge[64];
        date_parse(s.starts_on, &starts);
        date_parse(s.expires_on, &expires);
        rest = sub_prorated(o.subtotal, starts, expires, today);
        if (rest > 0 && money_apply_rate(rest, o.tax_rate, &tax) == 0 &&
            money_add(rest, tax, &total) == 0) {
            bool card = strcmp(o.payment_method, "card") == 0 &&
                        payments_succeeded_charge(db, o.id, charge, sizeof(charge)) == 1;
            json_decref(refund);
            refund = json_pack("{s:o, s:o, s:s}", "total", money_json(total, o.currency, lang),
                               "subtotal", money_json(rest, o.currency, lang), "method",
                               card ? "card" : "wire");
        }
    }
    if (rc < 0) {
        json_decref(refund);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    date_format(today, now_s);
    date_format(effective_on("end_of_term", &s, today), end_s);
    *out = json_pack("{s:{s:s, s:o}, s:{s:s}}", "immediate", "effective_on", now_s, "refund",
                     refund, "end_of_term", "effective_on", end_s);
    return 0;
}
