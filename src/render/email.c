/* render/email.c - templates of the emails partners receive, fr and en. */
#include "render/email.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"

struct template {
    const char *event;
    const char *kind; /* subscription.notice only */
    const char *subject[2]; /* fr, en */
    const char *body[2];
};

static const struct template templates[] = {
    {"support.updated", NULL,
     {"Demande {number} : {title}", "Request {number}: {title}"},
     {"Votre demande {number} « {title} » a été mise à jour. Statut : {status_label}.\n\n"
      "{message}\n\nRetrouvez-la dans Support, Demandes à l'Espace partenaires.",
      "Your request {number} \"{title}\" was updated. Status: {status_label}.\n\n{message}\n\n"
      "Find it in Support, Partner Center requests."}},
    {"support.staff_notice", NULL,
     {"Demande {number} d'un partenaire : {title}", "Partner request {number}: {title}"},
     {"La demande {number} « {title} » a changé ({change}). Statut : {status_label}.\n\n{message}",
      "Request {number} \"{title}\" changed ({change}). Status: {status_label}.\n\n{message}"}},
    {"user.invited", NULL,
     {"Invitation à rejoindre {organisation} sur l'Espace partenaires",
      "You are invited to join {organisation} in Partner Center"},
     {"{inviter} vous invite à rejoindre {organisation} sur l'Espace partenaires.\n\n"
      "Choisissez votre mot de passe ici : {link}\n\n"
      "Ce lien ne sert qu'une fois et expire le {expires_on}.",
      "{inviter} invites you to join {organisation} in Partner Center.\n\n"
      "Choose your password here: {link}\n\n"
      "This link works once and expires on {expires_on}."}},
    {"order.confirmed", NULL,
     {"Commande confirmée : {offer}", "Order confirmed: {offer}"},
     {"Votre commande {offer} est payée ({total}, le {paid_on}).\n\n"
      "Votre abonnement court du {starts_on} au {expires_on}. Votre facture {invoice_number} "
      "est disponible dans l'Espace partenaires, rubrique Factures.",
      "Your order for {offer} is paid ({total}, on {paid_on}).\n\n"
      "Your subscription runs from {starts_on} to {expires_on}. Invoice {invoice_number} is "
      "in Partner Center, under Invoices."}},
    {"subscription.renewed", NULL,
     {"Abonnement renouvelé : {offer}", "Subscription renewed: {offer}"},
     {"Votre abonnement {offer} a été renouvelé automatiquement : la carte {card} a été "
      "débitée de {total} le {paid_on}.\n\n"
      "Nouvelle période : du {starts_on} au {expires_on}. Facture {invoice_number}.",
      "Your {offer} subscription was renewed automatically: card {card} was charged {total} "
      "on {paid_on}.\n\nNew term: {starts_on} to {expires_on}. Invoice {invoice_number}."}},
    {"invoice.issued", NULL,
     {"Facture {invoice_number} : {offer}", "Invoice {invoice_number}: {offer}"},
     {"Votre facture {invoice_number} de {total} est à régler par virement avant le {due_on}.\n\n"
      "IBAN : {iban}\nBIC : {bic}\nRéférence à indiquer : {reference}\n\n"
      "Votre abonnement commencera le jour de la réception du paiement.",
      "Invoice {invoice_number} for {total} is due by wire transfer by {due_on}.\n\n"
      "IBAN: {iban}\nBIC: {bic}\nReference to quote: {reference}\n\n"
      "Your subscription starts on the day the payment is received."}},
    {"payment.failed", NULL,
     {"Échec du paiement : {offer}", "Payment failed: {offer}"},
     {"Le paiement de {total} par la carte {card} pour {offer} n'a pas abouti ({reason}).\n\n"
      "{next_step}",
      "The payment of {total} with card {card} for {offer} did not go through ({reason}).\n\n"
      "{next_step}"}},
    {"order.cancelled", NULL,
     {"Commande annulée : {offer}", "Order cancelled: {offer}"},
     {"Le virement de {total} attendu au plus tard le {due_on} n'a pas été reçu : la commande est "
      "annulée et la facture {invoice_number} est annulée par l'avoir {credit_note_number}.",
      "The wire transfer of {total} due by {due_on} was not received: the order is cancelled "
      "and invoice {invoice_number} is cancelled by credit note {credit_note_number}."}},
    {"subscription.notice", "upcoming_renewal",
     {"Renouvellement automatique le {opens_on} : {offer}",
      "Automatic renewal on {opens_on}: {offer}"},
     {"Votre abonnement {offer} expire le {expires_on}. Il sera renouvelé automatiquement le "
      "{opens_on} avec la carte enregistrée.\n\n"
      "Vous pouvez désactiver le renouvellement automatique dans l'Espace partenaires.",
      "Your {offer} subscription expires on {expires_on}. It will renew automatically on "
      "{opens_on} with the saved card.\n\nYou can turn automatic renewal off in Partner Center."}},
    {"subscription.notice", "expiry_30",
     {"Votre abonnement {offer} expire le {expires_on}",
      "Your {offer} subscription expires on {expires_on}"},
     {"Le renouvellement automatique est désactivé. Vous pourrez renouveler du {opens_on} au "
      "{closes_on} depuis Offres d'adhésion.",
      "Automatic renewal is off. You can renew from {opens_on} to {closes_on} in Membership "
      "offers."}},
    {"subscription.notice", "expiry_7",
     {"Votre abonnement {offer} expire dans 7 jours",
      "Your {offer} subscription expires in 7 days"},
     {"Votre abonnement expire le {expires_on}. Vous pourrez renouveler du {opens_on} au "
      "{closes_on}.",
      "Your subscription expires on {expires_on}. You can renew from {opens_on} to "
      "{closes_on}."}},
    {"subscription.notice", "expiry_1",
     {"Votre abonnement {offer} expire demain", "Your {offer} subscription expires tomorrow"},
     {"Votre abonnement expire le {expires_on}. Le renouvellement sera possible à partir du "
      "{opens_on}.",
      "Your subscription expires on {expires_on}. Renewal opens on {opens_on}."}},
    {"subscription.notice", "window_open",
     {"Renouvelez votre abonnement {offer}", "Renew your {offer} subscription"},
     {"Votre abonnement a expiré le {expires_on} et ses avantages sont suspendus. Renouvelez-le "
      "avant le {closes_on} depuis Offres d'adhésion.",
      "Your subscription expired on {expires_on} and its benefits are suspended. Renew it by "
      "{closes_on} in Membership offers."}},
    {"subscription.notice", "window_closing",
     {"Plus que 7 jours pour renouveler {offer}", "7 days left to renew {offer}"},
     {"La période de renouvellement se termine le {closes_on}. Ensuite, il faudra acheter "
      "l'offre à nouveau.",
      "The renewal window closes on {closes_on}. After that, the offer has to be bought "
      "again."}},
    {"subscription.notice", "lapsed",
     {"Votre abonnement {offer} a pris fin", "Your {offer} subscription has ended"},
     {"La période de renouvellement s'est terminée le {closes_on}. Pour retrouver les avantages, "
      "achetez l'offre à nouveau.",
      "The renewal window closed on {closes_on}. To get the benefits back, buy the offer "
      "again."}},
};

static const struct template *find(const char *event, const char *kind)
{
    for (size_t i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
        const struct template *t = &templates[i];
        if (strcmp(t->event, event) == 0 && (t->kind == NULL || (kind && !strcmp(t->kind, kind))))
            return t;
    }
    return NULL;
}

/* The text of one hole: dates and amounts formatted for lang, names in lang. */
static void value_of(const json_t *payload, const char *name, const char *lang, char *out,
                     size_t n)
{
    bool en = strcmp(lang, "en") == 0;
    json_t *v = json_object_get(payload, name);
    out[0] = '\0';
    if (json_is_object(v) && json_object_get(v, "amount_minor")) {
        money_format(json_integer_value(json_object_get(v, "amount_minor")),
                     json_string_value(json_object_get(v, "currency")), lang, out, n);
    } else if (json_is_object(v)) { /* {"fr": ..., "en": ...} */
        const char *s = json_string_value(json_object_get(v, en ? "en" : "fr"));
        snprintf(out, n, "%s", s ? s : "");
    } else if (json_is_string(v)) {
        struct date d;
        const char *s = json_string_value(v);
        if (strlen(s) == 10 && date_parse(s, &d) == 0)
            date_format_long(d, lang, out, n);
        else
            snprintf(out, n, "%s", s);
    }
}

static void html_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        case '\n': buf_puts(b, "<br>"); break;
        default: buf_append(b, s, 1);
        }
    }
}

/* Copies template t into out, holes filled; escaped for HTML when html. */
static void fill(struct buf *out, const char *t, const json_t *payload, const char *lang,
                 bool html)
{
    while (*t) {
        const char *open = strchr(t, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        size_t plain = open && close ? (size_t)(open - t) : strlen(t);
        if (html) {
            char chunk[1024];
            snprintf(chunk, sizeof(chunk), "%.*s", (int)plain, t);
            html_escape(out, chunk);
        } else {
            buf_append(out, t, plain);
        }
        if (!(open && close))
            break;
        char name[48], value[512];
        snprintf(name, sizeof(name), "%.*s", (int)(close - open - 1), open + 1);
        value_of(payload, name, lang, value, sizeof(value));
        if (html)
            html_escape(out, value);
        else
            buf_puts(out, value);
        t = close + 1;
    }
}

int email_render(const char *event, const json_t *payload, const char *lang, const char *seller,
                 struct buf *subject, struct buf *text, struct buf *html)
{
    const struct template *t =
        find(event, json_string_value(json_object_get(payload, "kind")));
    if (t == NULL)
        return -1;
    int l = strcmp(lang, "en") == 0 ? 1 : 0;
    fill(subject, t->subject[l], payload, lang, false);

    buf_puts(text, l ? "Hello,\n\n" : "Bonjour,\n\n");
    fill(text, t->body[l], payload, lang, false);
    buf_printf(text, "\n\n-- \n%s\n", seller);

    buf_puts(html, "<!doctype html><html><body style=\"font-family: sans-serif\">");
    buf_puts(html, l ? "<p>Hello,</p><p>" : "<p>Bonjour,</p><p>");
    /* paragraphs: a blank line in the template closes one */
    struct buf body = {0};
    fill(&body, t->body[l], payload, lang, true);
    for (const char *p = body.data ? body.data : ""; *p;) {
        const char *brk = strstr(p, "<br><br>");
        size_t len = brk ? (size_t)(brk - p) : strlen(p);
        buf_append(html, p, len);
        if (!brk)
            break;
        buf_puts(html, "</p><p>");
        p = brk + 8;
    }
    buf_free(&body);
    buf_puts(html, "</p><p>-- <br>");
    html_escape(html, seller);
    buf_puts(html, "</p></body></html>");
    return 0;
}
