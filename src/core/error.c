/* error.c - the error table. One row per enum pd_status, in the order of the enum. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct status_row {
    const char *code;
    int http;
    const char *fr;
    const char *en;
};

static const struct status_row rows[PD_E__COUNT] = {
    [0] = {"ok", 200, "OK", "OK"},
    [1] = {"internal_error", 500, "Une erreur interne est survenue. Réessayez plus tard.",
           "An internal error occurred. Please try again later."},
    [2] = {"invalid_json", 400, "Le corps de la requête n'est pas un JSON valide.",
           "The request body is not valid JSON."},
    [3] = {"invalid_request", 422, "Certains champs de la requête ne sont pas valides.",
           "Some fields of the request are not valid."},
    [4] = {"not_found", 404, "Ressource introuvable.", "Not found."},
    [5] = {"method_not_allowed", 405, "Méthode non autorisée pour cette ressource.",
           "Method not allowed for this resource."},
    [6] = {"payload_too_large", 413, "Le corps de la requête est trop volumineux.",
           "The request body is too large."},
    [7] = {"unsupported_media_type", 415,
           "Type de contenu non pris en charge : envoyez application/json.",
           "Unsupported content type: send application/json."},
    [8] = {"unauthenticated", 401, "Connectez-vous pour continuer.", "Sign in to continue."},
    [9] = {"forbidden", 403, "Vous n'avez pas l'autorisation d'effectuer cette action.",
           "You are not allowed to do this."},
    [10] = {"conflict", 409, "La ressource a été modifiée entre-temps.",
            "The resource changed in the meantime."},
    [11] = {"database_error", 500, "La base de données a rencontré une erreur.",
            "The database reported an error."},
    [12] = {"database_busy", 503, "Le service est momentanément occupé. Réessayez.",
            "The service is busy. Please retry."},
    [13] = {"constraint_violation", 409, "Cette opération contredit des données existantes.",
            "This operation conflicts with existing data."},
    [14] = {"schema_too_new", 500,
            "La base de données est plus récente que ce serveur partnerd.",
            "The database is newer than this partnerd server."},
    [15] = {"service_unavailable", 503, "Service indisponible.", "Service unavailable."},
    [16] = {"idempotency_key_reused", 409,
            "Cette clé d'idempotence a déjà servi pour une autre requête.",
            "This idempotency key was already used for a different request."},
    [17] = {"amount_overflow", 422, "Montant hors limites.", "Amount out of range."},
    [18] = {"unknown_currency", 422, "Devise inconnue.", "Unknown currency."},
    [19] = {"invalid_query", 400, "Les paramètres de l'adresse ne sont pas valides.",
            "The query string is not valid."},
    [20] = {"invalid_credentials", 401, "Adresse e-mail ou mot de passe incorrect.",
            "Wrong email address or password."},
    [21] = {"second_factor_required", 401,
            "Saisissez le code de votre application d'authentification.",
            "Enter the code from your authenticator app."},
    [22] = {"invalid_second_factor", 401, "Code de vérification incorrect.",
            "Wrong verification code."},
    [23] = {"too_many_attempts", 429, "Trop de tentatives. Réessayez plus tard.",
            "Too many attempts. Try again later."},
    [24] = {"csrf_token_invalid", 403, "Jeton anti-CSRF absent ou incorrect.",
            "Missing or wrong CSRF token."},
    [25] = {"email_taken", 409, "Un compte existe déjà avec cette adresse e-mail.",
            "An account already uses this email address."},
    [26] = {"last_global_admin", 409,
            "Une organisation garde toujours au moins un administrateur général.",
            "An organisation always keeps at least one global admin."},
    [27] = {"invitation_invalid", 410, "Cette invitation a expiré ou a déjà servi.",
            "This invitation has expired or was already used."},
    [28] = {"session_expired", 401, "Votre session a expiré. Reconnectez-vous.",
            "Your session has expired. Please sign in again."},
    [29] = {"second_factor_enrolment_required", 403,
            "Votre organisation exige l'authentification à deux facteurs : activez-la pour "
            "continuer.",
            "Your organisation requires two-factor authentication: turn it on to continue."},
    [31] = {"auto_renew_locked", 409,
            "Le renouvellement automatique ne pourra être réactivé qu'après le renouvellement "
            "de l'abonnement.",
            "Automatic renewal can be turned back on only after the subscription is renewed."},
    [32] = {"managed_in_pmc", 409,
            "Cet abonnement est géré dans le Partner Membership Center : renouvelez-le là-bas.",
            "This subscription is managed in the Partner Membership Center: renew it there."},
    [33] = {"subscription_cancelled", 409, "Cet abonnement est annulé.",
            "This subscription is cancelled."},
    [34] = {"certified_person_taken", 409,
            "Cette personne certifiée compte déjà pour une organisation.",
            "This certified person already counts for an organisation."},
    [35] = {"renewal_not_open", 409,
            "Le renouvellement n'est possible qu'après l'expiration de l'abonnement.",
            "Renewal is possible only after the subscription has expired."},
    [36] = {"renewal_window_closed", 409,
            "La période de renouvellement est close : achetez de nouveau l'offre.",
            "The renewal window has closed: buy the offer again."},
    [37] = {"prerequisites_not_met", 409,
            "Votre organisation ne remplit pas les conditions de cette offre.",
            "Your organisation does not meet this offer's requirements."},
    [38] = {"already_subscribed", 409, "Votre organisation a déjà un abonnement à cette offre.",
            "Your organisation already has a subscription to this offer."},
    [39] = {"pending_payment", 409, "Un paiement est en attente pour cet abonnement.",
            "A payment is pending for this subscription."},
    [40] = {"not_member", 409, "Seuls les membres du réseau de partenaires peuvent acheter.",
            "Only members of the partner network can buy."},
    [41] = {"card_invalid", 422, "Numéro de carte ou cryptogramme invalide.",
            "Invalid card number or security code."},
    [42] = {"card_expired", 422, "Cette carte a expiré.", "This card has expired."},
    [43] = {"payment_declined", 402, "Le paiement a été refusé par la banque.",
            "The payment was declined by the bank."},
    [44] = {"insufficient_funds", 402, "Le paiement a été refusé : provision insuffisante.",
            "The payment was declined: insufficient funds."},
    [45] = {"payment_unknown", 502,
            "La banque n'a pas répondu. Vous ne serez pas débité deux fois : réessayez.",
            "The bank did not answer. You will not be charged twice: try again."},
    [46] = {"order_state", 409, "Cette commande ne peut plus être modifiée ainsi.",
            "This order cannot be changed this way any more."},
    [47] = {"no_saved_card", 409, "Aucune carte enregistrée pour votre organisation.",
            "Your organisation has no saved card."},
    [48] = {"price_missing", 409, "Cette offre n'a pas de prix dans votre devise.",
            "This offer has no price in your currency."},
    [30] = {"second_factor_mandatory", 409,
            "Votre organisation exige l'authentification à deux facteurs.",
            "Your organisation requires two-factor authentication."},
};

static const struct status_row *row(enum pd_status s)
{
    int i = -(int)s;
    if (i < 0 || i >= PD_E__COUNT)
        i = 1;
    return &rows[i];
}

const char *pd_status_code(enum pd_status s)
{
    return row(s)->code;
}

int pd_status_http(enum pd_status s)
{
    return row(s)->http;
}

const char *pd_status_message(enum pd_status s, const char *lang)
{
    if (lang && strcmp(lang, "en") == 0)
        return row(s)->en;
    return row(s)->fr;
}

int pd_fail(struct pd_error *e, enum pd_status code, const char *fmt, ...)
{
    if (e) {
        e->code = code;
        e->message[0] = '\0';
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(e->message, sizeof(e->message), fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

void pd_error_detail(struct pd_error *e, const char *key, json_t *value)
{
    if (e->details == NULL)
        e->details = json_object();
    json_object_set_new(e->details, key, value);
}

void pd_error_clear(struct pd_error *e)
{
    json_decref(e->details);
    memset(e, 0, sizeof(*e));
}
