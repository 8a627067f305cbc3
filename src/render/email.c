/*
 * render/email.c - the email of an outbox event: subject, text and HTML, in the language
 * of its recipient.
 *
 * The words are the catalog's (core/messages.def, EMAIL_*): one subject and one body per
 * event, and per kind of subscription.notice. Their numbered holes are the payload's
 * values named in the template table below, in that order, each formatted for the
 * language: amounts with money_format(), dates (YYYY-MM-DD) written out, names stored in
 * every language ({"fr": ..., "en": ...}) in the recipient's, and a message stored by key
 * ({"msg": "KEY", "args": [...]}) worded from the catalog. The HTML part is the same text,
 * escaped at the point of output, a blank line closing a paragraph, and each link partnerd
 * made (a hole whose name ends in "link": an invitation's, a reset's) an anchor; an address
 * a person typed (a support message) stays text.
 */
#include "render/email.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/msg.h"
#include "core/sepa.h"
#include "core/text.h"
#include "core/xml_escape.h"

#define HOLES 10
/* A hole's text: a support message (10 000 characters at most) longer than this is cut,
 * between two characters, with "…" (the whole is in the portal the email links to) */
#define VALUE_MAX 2048
#define TEXT_MAX ((HOLES * VALUE_MAX) + 4096)

struct template
{
    const char *event;
    const char *kind; /* the payload's "kind" (subscription.notice) or "reason" (order.cancelled),
                         or "kind/reason" when a kind has words of its own for a reason */
    enum msg_id subject, body;
    const char *holes[HOLES]; /* payload names of the holes {0}, {1}... */
    const char *when; /* "name=value": only for a payload whose name is value (a count
                         that needs other words, say; a boolean is true or false); NULL: any */
};

static const struct template templates[] = {
    {"referral.confirm",
     NULL,
     MSG_EMAIL_REFERRAL_CONFIRM_SUBJECT,
     MSG_EMAIL_REFERRAL_CONFIRM_BODY,
     {"partner", "confirm_link", "erase_link"}, NULL},
    {"referral.customer_notice",
     NULL,
     MSG_EMAIL_REFERRAL_CUSTOMER_SUBJECT,
     MSG_EMAIL_REFERRAL_CUSTOMER_BODY,
     {"partner", "status_label", "reason", "erase_link"}, NULL},
    {"referral.created",
     NULL,
     MSG_EMAIL_REFERRAL_CREATED_SUBJECT,
     MSG_EMAIL_REFERRAL_CREATED_BODY,
     {"customer", "company", "need", "respond_on", "link"}, NULL},
    {"referral.updated",
     NULL,
     MSG_EMAIL_REFERRAL_UPDATED_SUBJECT,
     MSG_EMAIL_REFERRAL_UPDATED_BODY,
     {"customer", "status_label", "link"}, NULL},
    {"support.updated",
     NULL,
     MSG_EMAIL_SUPPORT_UPDATED_SUBJECT,
     MSG_EMAIL_SUPPORT_UPDATED_BODY,
     {"number", "title", "status_label", "message"}, NULL},
    {"support.staff_notice",
     NULL,
     MSG_EMAIL_SUPPORT_STAFF_NOTICE_SUBJECT,
     MSG_EMAIL_SUPPORT_STAFF_NOTICE_BODY,
     {"number", "title", "change_label", "status_label", "message"}, NULL},
    {"user.invited",
     NULL,
     MSG_EMAIL_USER_INVITED_SUBJECT,
     MSG_EMAIL_USER_INVITED_BODY,
     {"organisation", "inviter", "link", "expires_on"}, NULL},
    {"user.password_reset",
     NULL,
     MSG_EMAIL_PASSWORD_RESET_SUBJECT,
     MSG_EMAIL_PASSWORD_RESET_BODY,
     {"link"}, NULL},
    {"order.confirmed",
     NULL,
     MSG_EMAIL_ORDER_CONFIRMED_SUBJECT,
     MSG_EMAIL_ORDER_CONFIRMED_BODY,
     {"offer", "total", "paid_on", "starts_on", "expires_on", "invoice_number"}, NULL},
    {"subscription.renewed",
     NULL,
     MSG_EMAIL_SUBSCRIPTION_RENEWED_SUBJECT,
     MSG_EMAIL_SUBSCRIPTION_RENEWED_BODY,
     {"offer", "card", "total", "paid_on", "starts_on", "expires_on", "invoice_number"}, NULL},
    {"invoice.issued",
     NULL,
     MSG_EMAIL_INVOICE_ISSUED_SUBJECT,
     MSG_EMAIL_INVOICE_ISSUED_BODY,
     {"invoice_number", "offer", "total", "due_on", "iban", "bic", "reference"}, NULL},
    {"payment.surplus",
     NULL,
     MSG_EMAIL_PAYMENT_SURPLUS_SUBJECT,
     MSG_EMAIL_PAYMENT_SURPLUS_BODY,
     {"invoice_number", "received", "surplus", "total"}, NULL},
    {"payment.returned",
     NULL,
     MSG_EMAIL_PAYMENT_RETURNED_SUBJECT,
     MSG_EMAIL_PAYMENT_RETURNED_BODY,
     {"received", "received_on", "reference", "offer"}, NULL},
    {"payment.failed",
     NULL,
     MSG_EMAIL_PAYMENT_FAILED_SUBJECT,
     MSG_EMAIL_PAYMENT_FAILED_BODY,
     {"offer", "total", "card", "reason", "next_step"}, NULL},
    {"payment.action_required",
     NULL,
     MSG_EMAIL_PAYMENT_ACTION_SUBJECT,
     MSG_EMAIL_PAYMENT_ACTION_BODY,
     {"offer", "total", "card", "link", "pay_by"}, NULL},
    {"order.cancelled",
     "subscription_cancelled",
     MSG_EMAIL_ORDER_CANCELLED_SUBJECT,
     MSG_EMAIL_ORDER_CANCELLED_SUBSCRIPTION_BODY,
     {"offer", "total", "due_on", "invoice_number", "credit_note_number"}, NULL},
    {"order.cancelled",
     "superseded_by_pmc_import",
     MSG_EMAIL_ORDER_CANCELLED_SUBJECT,
     MSG_EMAIL_ORDER_CANCELLED_PMC_BODY,
     {"offer", "total", "due_on", "invoice_number", "credit_note_number"}, NULL},
    {"order.cancelled", /* unpaid_at_due_date, and any reason without words of its own */
     NULL,
     MSG_EMAIL_ORDER_CANCELLED_SUBJECT,
     MSG_EMAIL_ORDER_CANCELLED_BODY,
     {"offer", "total", "due_on", "invoice_number", "credit_note_number"}, NULL},
    {"subscription.notice",
     "auto_renewal_refused",
     MSG_EMAIL_NOTICE_RENEWAL_REFUSED_SUBJECT,
     MSG_EMAIL_NOTICE_RENEWAL_REFUSED_BODY,
     {"offer", "closes_on", "certified_required", "certified"}, NULL},
    {"subscription.notice",
     "upcoming_renewal/prerequisites_not_met",
     MSG_EMAIL_NOTICE_UPCOMING_RENEWAL_MISSING_SUBJECT,
     MSG_EMAIL_NOTICE_UPCOMING_RENEWAL_MISSING_BODY,
     {"opens_on", "offer", "expires_on", "certified_required", "certified"}, NULL},
    {"subscription.notice",
     "upcoming_renewal",
     MSG_EMAIL_NOTICE_UPCOMING_RENEWAL_SUBJECT,
     MSG_EMAIL_NOTICE_UPCOMING_RENEWAL_BODY,
     {"opens_on", "offer", "expires_on"}, NULL},
    {"subscription.notice", /* auto-renew on: no card to renew with (notices.c) */
     "expiry_30",
     MSG_EMAIL_NOTICE_EXPIRY_30_SUBJECT,
     MSG_EMAIL_NOTICE_EXPIRY_30_NO_CARD_BODY,
     {"offer", "expires_on", "opens_on", "closes_on"}, "auto_renew=true"},
    {"subscription.notice",
     "expiry_30",
     MSG_EMAIL_NOTICE_EXPIRY_30_SUBJECT,
     MSG_EMAIL_NOTICE_EXPIRY_30_BODY,
     {"offer", "expires_on", "opens_on", "closes_on"}, NULL},
    {"subscription.notice",
     "expiry_7",
     MSG_EMAIL_NOTICE_EXPIRY_7_SUBJECT,
     MSG_EMAIL_NOTICE_EXPIRY_7_BODY,
     {"offer", "expires_on", "opens_on", "closes_on"}, NULL},
    {"subscription.notice",
     "expiry_1",
     MSG_EMAIL_NOTICE_EXPIRY_1_SUBJECT,
     MSG_EMAIL_NOTICE_EXPIRY_1_BODY,
     {"offer", "expires_on", "opens_on"}, NULL},
    {"subscription.notice",
     "window_open",
     MSG_EMAIL_NOTICE_WINDOW_OPEN_SUBJECT,
     MSG_EMAIL_NOTICE_WINDOW_OPEN_BODY,
     {"offer", "expires_on", "closes_on"}, NULL},
    {"subscription.notice",
     "window_closing",
     MSG_EMAIL_NOTICE_WINDOW_CLOSING_SUBJECT,
     MSG_EMAIL_NOTICE_WINDOW_CLOSING_BODY,
     {"offer", "closes_on"}, NULL},
    {"subscription.notice",
     "lapsed",
     MSG_EMAIL_NOTICE_LAPSED_SUBJECT,
     MSG_EMAIL_NOTICE_LAPSED_BODY,
     {"offer", "closes_on"}, NULL},
    /* benefits (issue 18) */
    {"benefit.activated",
     NULL,
     MSG_EMAIL_BENEFIT_ACTIVATED_SUBJECT,
     MSG_EMAIL_BENEFIT_ACTIVATED_BODY,
     {"name", "count", "quantity"}, NULL},
    {"benefit.revoked", /* unlimited use (training, resources): nothing was counted */
     NULL,
     MSG_EMAIL_BENEFIT_REVOKED_SUBJECT,
     MSG_EMAIL_BENEFIT_REVOKED_UNLIMITED_BODY,
     {"name"}, "quantity=0"},
    {"benefit.revoked",
     NULL,
     MSG_EMAIL_BENEFIT_REVOKED_SUBJECT,
     MSG_EMAIL_BENEFIT_REVOKED_BODY,
     {"name", "used", "quantity"}, NULL},
    {"benefit.reminder", /* the deadline is today: "0 days left" would read as too late */
     NULL,
     MSG_EMAIL_BENEFIT_REMINDER_LAST_DAY_SUBJECT,
     MSG_EMAIL_BENEFIT_REMINDER_BODY,
     {"days", "name", "activate_by"}, "days=0"},
    {"benefit.reminder", /* one day, in the singular */
     NULL,
     MSG_EMAIL_BENEFIT_REMINDER_ONE_DAY_SUBJECT,
     MSG_EMAIL_BENEFIT_REMINDER_BODY,
     {"days", "name", "activate_by"}, "days=1"},
    {"benefit.reminder",
     NULL,
     MSG_EMAIL_BENEFIT_REMINDER_SUBJECT,
     MSG_EMAIL_BENEFIT_REMINDER_BODY,
     {"days", "name", "activate_by"}, NULL},
    {"key_pool.low",
     NULL,
     MSG_EMAIL_KEY_POOL_LOW_SUBJECT,
     MSG_EMAIL_KEY_POOL_LOW_BODY,
     {"product", "free", "threshold"}, NULL},
};

/* Whether the payload is one template t is for: its "when", if any, holds. */
static bool holds(const struct template *t, const json_t *payload)
{
    if (t->when == NULL)
        return true;
    const char *eq = strchr(t->when, '=');
    if (eq == NULL)
        return false;
    char name[64], value[32] = "";
    snprintf(name, sizeof(name), "%.*s", (int)(eq - t->when), t->when);
    const json_t *v = json_object_get(payload, name);
    if (json_is_integer(v))
        snprintf(value, sizeof(value), "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(value, sizeof(value), "%s", json_is_true(v) ? "true" : "false");
    else if (json_is_string(v))
        snprintf(value, sizeof(value), "%s", json_string_value(v));
    return v != NULL && strcmp(value, eq + 1) == 0;
}

/* The template of event for kind: its own, or the event's for any kind (kind NULL in the
 * table), the first in the table whose "when" holds. exact: its own only (a "kind/reason"
 * that has no words of its own goes on to the kind's). */
static const struct template *find(const char *event, const char *kind, bool exact,
                                   const json_t *payload)
{
    for (size_t i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
        const struct template *t = &templates[i];
        if (strcmp(t->event, event) != 0 || !holds(t, payload))
            continue;
        if (t->kind == NULL && !exact)
            return t;
        if (t->kind && kind && strcmp(t->kind, kind) == 0)
            return t;
    }
    return NULL;
}

/* A message of the catalog stored by key, {"msg": "KEY", "args": ["...", ...]}, in lang. */
static void stored_message(const json_t *v, const char *lang, char *out, size_t n)
{
    const char *args[HOLES] = {0};
    int id = msg_find(json_string_value(json_object_get(v, "msg")));
    const json_t *list = json_object_get(v, "args");
    int nargs = 0;
    for (size_t i = 0; i < json_array_size(list) && nargs < HOLES; i++)
        args[nargs++] = json_string_value(json_array_get(list, i));
    if (id < 0)
        out[0] = '\0';
    else
        msg_format(out, n, (enum msg_id)id, lang, args, nargs);
}

/* s into out (n bytes, at least 4), or as much as fits, cut between two characters of
 * UTF-8, then "…": never half a character. */
static void copy_cut(char *out, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (len < n) {
        memcpy(out, s, len + 1);
        return;
    }
    size_t keep = text_utf8_fit(s, len, n - sizeof("\u2026")); /* "…" is 3 bytes, and the NUL */
    memcpy(out, s, keep);
    memcpy(out + keep, "\u2026", sizeof("\u2026"));
}

/* The text of one hole: dates and amounts formatted for lang, names and messages in
 * lang. */
static void value_of(const json_t *payload, const char *name, const char *lang, char *out, size_t n)
{
    json_t *v = json_object_get(payload, name);
    out[0] = '\0';
    if (json_is_object(v) && json_object_get(v, "amount_minor")) {
        money_format(json_integer_value(json_object_get(v, "amount_minor")),
                     json_string_value(json_object_get(v, "currency")), lang, out, n);
    } else if (json_is_object(v) && json_object_get(v, "msg")) {
        stored_message(v, lang, out, n);
    } else if (json_is_object(v)) { /* {"fr": ..., "en": ...} */
        const char *s = json_string_value(json_object_get(v, msg_lang_tag(msg_lang(lang))));
        copy_cut(out, n, s ? s : "");
    } else if (json_is_integer(v)) { /* a count (benefits) */
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    } else if (json_is_string(v)) {
        struct date d;
        const char *s = json_string_value(v);
        if (strcmp(name, "iban") == 0) /* read and copied by a person: in groups of four */
            sepa_iban_print(s, out, n);
        else if (strlen(s) == 10 && date_parse(s, &d) == 0)
            date_format_long(d, lang, out, n);
        else
            copy_cut(out, n, s);
    }
}

/* The wording of id in lang, its holes filled from the payload as template t names them. */
static void fill(char *out, size_t n, enum msg_id id, const struct template *t,
                 const json_t *payload, const char *lang)
{
    char values[HOLES][VALUE_MAX];
    const char *args[HOLES];
    int nargs = 0;
    for (; nargs < HOLES && t->holes[nargs]; nargs++) {
        value_of(payload, t->holes[nargs], lang, values[nargs], sizeof(values[nargs]));
        args[nargs] = values[nargs];
    }
    msg_format(out, n, id, lang, args, nargs);
}

/* Drops the paragraphs an empty hole leaves (a support update without a message, a
 * referral declined without a reason): runs of blank lines become one, and none ends the
 * text. */
static void drop_empty_paragraphs(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '\n' && w - s >= 2 && w[-1] == '\n' && w[-2] == '\n')
            continue;
        *w++ = *r;
    }
    while (w > s && w[-1] == '\n')
        w--;
    *w = '\0';
}

/* Whether hole name is a link partnerd made (confirm_link, link...). */
static bool is_link_hole(const char *name)
{
    size_t len = strlen(name);
    return len >= 4 && strcmp(name + len - 4, "link") == 0;
}

/* The escaped body into out, each of t's link holes' addresses (http or https, escaped as
 * the body is) an anchor to itself wherever it stands whole. */
static void anchor_links(struct buf *out, const char *escaped, const struct template *t,
                         const json_t *payload)
{
    struct buf links[HOLES] = {0};
    int n = 0;
    for (int i = 0; i < HOLES && t->holes[i]; i++) {
        const char *url = json_string_value(json_object_get(payload, t->holes[i]));
        if (is_link_hole(t->holes[i]) && url &&
            (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0))
            xml_escape(&links[n++], url, XML_ESCAPE_HTML);
    }
    for (const char *p = escaped; *p;) {
        int k = 0;
        while (k < n && strncmp(p, links[k].data, links[k].len) != 0)
            k++;
        if (k == n) {
            buf_append(out, p++, 1);
            continue;
        }
        buf_printf(out, "<a href=\"%s\">%s</a>", links[k].data, links[k].data);
        p += links[k].len;
    }
    for (int i = 0; i < n; i++)
        buf_free(&links[i]);
}

int email_render(const char *event, const json_t *payload, const char *lang, const char *seller,
                 struct buf *subject, struct buf *text, struct buf *html)
{
    const char *kind = json_string_value(json_object_get(payload, "kind"));
    const char *reason = json_string_value(json_object_get(payload, "reason"));
    const struct template *t = NULL;
    char both[96];
    if (kind && reason) { /* a kind of notice with words for a reason: "kind/reason" */
        snprintf(both, sizeof(both), "%s/%s", kind, reason);
        t = find(event, both, true, payload);
    }
    if (t == NULL)
        t = find(event, kind ? kind : reason, false, payload);
    if (t == NULL)
        return -1;
    char body[TEXT_MAX], line[TEXT_MAX];
    const char *greeting = msg_text(MSG_EMAIL_GREETING, lang);
    fill(line, sizeof(line), t->subject, t, payload, lang);
    buf_puts(subject, line);
    fill(body, sizeof(body), t->body, t, payload, lang);
    drop_empty_paragraphs(body);

    buf_puts(text, greeting);
    buf_puts(text, "\n\n");
    buf_puts(text, body);
    buf_puts(text, "\n\n-- \n");
    buf_puts(text, seller);
    buf_puts(text, "\n");

    /* the language of the words, for screen readers and translators (WCAG 3.1.1) */
    buf_printf(html, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
               msg_lang_tag(msg_lang(lang)));
    xml_escape(html, line, XML_ESCAPE_HTML);
    buf_puts(html, "</title></head><body style=\"font-family: sans-serif\">");
    buf_puts(html, "<p>");
    xml_escape(html, greeting, XML_ESCAPE_HTML);
    buf_puts(html, "</p><p>");
    /* paragraphs: a blank line in the text closes one */
    struct buf escaped = {0}, linked = {0};
    xml_escape(&escaped, body, XML_ESCAPE_HTML);
    anchor_links(&linked, escaped.data ? escaped.data : "", t, payload);
    buf_free(&escaped);
    for (const char *p = linked.data ? linked.data : ""; *p;) {
        const char *brk = strstr(p, "<br><br>");
        size_t len = brk ? (size_t)(brk - p) : strlen(p);
        buf_append(html, p, len);
        if (!brk)
            break;
        buf_puts(html, "</p><p>");
        p = brk + 8;
    }
    buf_free(&linked);
    buf_puts(html, "</p><p>-- <br>");
    xml_escape(html, seller, XML_ESCAPE_HTML);
    buf_puts(html, "</p></body></html>");
    return 0;
}
