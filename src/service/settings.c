/*
 * service/settings.c - the table of operator settings.
 *
 * One row per setting: its key, default, bounds, description and its field in struct
 * settings. settings_load() fills that struct in one query, so a use case reads every
 * setting it needs at once; setting_int() and setting_text() remain for callers that
 * have not moved to it yet.
 */
#include "service/settings.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/crypto.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/card.h"
#include "service/delivery.h"
#include "service/seller.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/settings.h"

struct setting {
    const char *key;
    int64_t fallback, min, max;
    const char *description;
    const char *text_fallback; /* a text setting when not NULL (an https:// address) */
    unsigned flags;
    size_t offset, size; /* its field in struct settings (size 0: an int64_t) */
};

#define INT_AT(field) offsetof(struct settings, field), 0
#define TEXT_AT(field) offsetof(struct settings, field), sizeof(((struct settings *)0)->field)

#define EMPTY_OK 1u /* a text setting that may be empty */
#define SECRET 2u   /* never shown, never written to the audit log */

static const struct setting table[] = {
    {"auth.account_max_failures", 5, 1, 1000,
     "failed sign-ins of one account (or password reset asks for one email) within the "
     "window before it is locked",
     NULL, 0, INT_AT(auth_account_max_failures)},
    {"auth.address_max_failures", 20, 1, 100000,
     "failed sign-ins from one client address (or its password reset asks) within the window "
     "before it is locked",
     NULL, 0, INT_AT(auth_address_max_failures)},
    {"auth.window_seconds", 900, 60, 86400,
     "the window failed sign-ins (and password reset asks) are counted in", NULL, 0,
     INT_AT(auth_window_seconds)},
    {"auth.lock_seconds", 900, 10, 86400, "how long a locked account or address waits", NULL, 0,
     INT_AT(auth_lock_seconds)},
    {"renewal.window_days", 30, 1, 90,
     "days after expiry during which a subscription can be renewed", NULL, 0,
     INT_AT(renewal_window_days)},
    {"pmc.url", 0, 0, 0,
     "where partners renew subscriptions still managed in the Partner "
     "Membership Center",
     "https://partner.microsoft.com/membership", 0, TEXT_AT(pmc_url)},
    {"seller.name", 0, 0, 0, "the seller's legal name on invoices", "Partnerd Programme SAS", 0,
     TEXT_AT(seller_name)},
    {"seller.address", 0, 0, 0, "the seller's postal address on invoices (lines split by |)",
     "10 rue de la Paix|75002 Paris", 0, TEXT_AT(seller_address)},
    {"seller.country", 0, 0, 0, "the seller's country (ISO 3166-1), which decides VAT", "FR", 0,
     TEXT_AT(seller_country)},
    {"seller.vat_id", 0, 0, 0, "the seller's VAT ID on invoices", "FR11123456782", 0,
     TEXT_AT(seller_vat_id)},
    {"seller.registration", 0, 0, 0, "the seller's legal form, capital and registration",
     "SAS au capital de 50 000 EUR - RCS Paris 123 456 782", 0, TEXT_AT(seller_registration)},
    {"bank.iban", 0, 0, 0, "the IBAN wire transfers are paid to", "FR7630006000011234567890189", 0,
     TEXT_AT(bank_iban)},
    {"bank.bic", 0, 0, 0, "the BIC of that account", "AGRIFRPPXXX", 0, TEXT_AT(bank_bic)},
    {"portal.url", 0, 0, 0, "the portal's public address, for links in emails",
     "http://127.0.0.1:8080", 0, TEXT_AT(portal_url)},
    {"mail.from", 0, 0, 0, "the address emails are sent from", "partners@partnerd.example", 0,
     TEXT_AT(mail_from)},
    {"mail.dir", 0, 0, 0, "where emails are written as .eml files when smtp.host is empty",
     "var/mail", 0, TEXT_AT(mail_dir)},
    {"smtp.host", 0, 0, 0, "the SMTP relay (empty: write .eml files to mail.dir)", "", EMPTY_OK,
     TEXT_AT(smtp_host)},
    {"smtp.port", 587, 1, 65535, "the SMTP relay's port", NULL, 0, INT_AT(smtp_port)},
    {"smtp.starttls", 1, 0, 1, "1: require STARTTLS with the relay; 0: plain SMTP", NULL, 0,
     INT_AT(smtp_starttls)},
    {"smtp.username", 0, 0, 0, "the SMTP user (empty: no authentication)", "", EMPTY_OK,
     TEXT_AT(smtp_username)},
    {"smtp.password", 0, 0, 0, "the SMTP password", "", EMPTY_OK | SECRET, TEXT_AT(smtp_password)},
    {"webhooks.allow_private", 0, 0, 1,
     "1: webhook endpoints may be on loopback or private addresses (tests, closed networks)", NULL,
     0, INT_AT(webhooks_allow_private)},
    {"webhooks.at_once", 8, 1, WEBHOOKS_AT_ONCE_MAX,
     "webhook POSTs a job pass has on the wire at once, each to a different URL (1: one "
     "after another)",
     NULL, 0, INT_AT(webhooks_at_once)},
    {"webhooks.receiver_seconds", 10, 1, 300,
     "seconds of POSTs a webhook receiver (a URL) may take in one job pass; its other "
     "deliveries wait, unsent, for the next pass",
     NULL, 0, INT_AT(webhooks_receiver_seconds)},
    {"gateway.charges_at_once", 8, 1, CARD_SENDS_MAX,
     "automatic renewals' charges a job pass sends to the payment gateway at once (1: one "
     "after another)",
     NULL, 0, INT_AT(gateway_charges_at_once)},
    {"health.min_free_mb", 256, 0, 1048576,
     "free space (MiB) under which /healthz reports the database's file system as low", NULL, 0,
     INT_AT(health_min_free_mb)},
    /* ---- the seller's legal identity, VIES (issue 15): checked by service/seller.c ---- */
    {"seller.siren", 0, 0, 0,
     "the seller's SIREN (9 digits, Luhn key; empty outside France or while changing it "
     "with seller.vat_id and seller.rcs)",
     "123456782", EMPTY_OK, TEXT_AT(seller_siren)},
    {"seller.rcs", 0, 0, 0, "the seller's trade register entry, e.g. RCS Paris 123 456 782",
     "RCS Paris 123 456 782", EMPTY_OK, TEXT_AT(seller_rcs)},
    {"seller.share_capital", 0, 0, 0, "the seller's share capital as printed, e.g. 50 000 EUR",
     "50 000 EUR", EMPTY_OK, TEXT_AT(seller_share_capital)},
    {"seller.vat_option", 0, 0, 0,
     "when the seller's VAT on services is due: receipts (the rule) or debits (its option)",
     "receipts", 0, TEXT_AT(seller_vat_option)},
    {"vies.enabled", 0, 0, 1,
     "1: ask the European Commission's VIES whether partners' VAT IDs are registered (a job)", NULL,
     0, INT_AT(vies_enabled)},
    {"vies.url", 0, 0, 0, "VIES's REST endpoint (check-vat-number)",
     "https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number", 0, TEXT_AT(vies_url)},
    {"vies.timeout_seconds", 5, 1, 30, "how long a VIES check may take", NULL, 0,
     INT_AT(vies_timeout_seconds)},
    {"referral.retention_months", 24, 1, 120,
     "months a referral's personal data is kept before the referral_retention job erases it", NULL,
     0, INT_AT(referral_retention_months)},
    {"referral.response_days", 7, 1, 60,
     "days a partner has to accept or decline a confirmed referral before it expires", NULL, 0,
     INT_AT(referral_response_days)},
    {"referral.address_max_per_day", 5, 1, 10000,
     "referral requests one client address may send in 24 hours", NULL, 0,
     INT_AT(referral_address_max)},
    {"referral.email_max_per_day", 3, 1, 1000,
     "referral requests one customer email address may send in 24 hours", NULL, 0,
     INT_AT(referral_email_max)},
    /* benefits (issue 18): a path, not the secret; every process (serve, demo, jobs)
     * reads the same setting, so none can be started with another key by mistake */
    {"benefits.key_file", 0, 0, 0,
     "the file of product key sealing keys (64 hex characters a line; the first seals); "
     "created with one fresh key when missing",
     "var/benefit-keys.secret", 0, TEXT_AT(benefits_key_file)},
    {"benefits.low_stock_threshold", 10, 0, 100000,
     "operators are told when a key pool has fewer free keys than this", NULL, 0,
     INT_AT(benefits_low_stock_threshold)},
};

static void load_one(void *ctx, const char *key, const char *value)
{
    struct settings *out = ctx;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const struct setting *s = &table[i];
        if (strcmp(s->key, key) != 0 || value == NULL)
            continue;
        if (s->size) {
            snprintf((char *)out + s->offset, s->size, "%s", value);
        } else {
            char *end;
            long long v = strtoll(value, &end, 10);
            if (*end == '\0' && end != value)
                *(int64_t *)(void *)((char *)out + s->offset) = (int64_t)v;
        }
    }
}

int settings_load(struct db *db, struct settings *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const struct setting *s = &table[i];
        if (s->size)
            snprintf((char *)out + s->offset, s->size, "%s", s->text_fallback);
        else
            *(int64_t *)(void *)((char *)out + s->offset) = s->fallback;
    }
    return settings_each(db, load_one, out);
}

void setting_text(struct db *db, const char *key, char *out, size_t n)
{
    const struct setting *s = NULL;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].key, key) == 0)
            s = &table[i];
    if (settings_get(db, key, out, n) != 1)
        snprintf(out, n, "%s", s && s->text_fallback ? s->text_fallback : "");
}

int64_t setting_int(struct db *db, const char *key)
{
    const struct setting *s = NULL;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].key, key) == 0)
            s = &table[i];
    return settings_get_int(db, key, s ? s->fallback : 0);
}

int64_t setting_window_days(struct db *db)
{
    return settings_get_int(db, "renewal.window_days", 30);
}

void setting_pmc_url(struct db *db, char *out, size_t n)
{
    if (settings_get(db, "pmc.url", out, n) != 1)
        snprintf(out, n, "%s", "https://partner.microsoft.com/membership");
}

static const struct setting *find(const char *key)
{
    for (size_t i = 0; key && i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].key, key) == 0)
            return &table[i];
    return NULL;
}

/* The API object of a setting, its value taken from all (loaded once by the caller). */
static json_t *setting_json(const struct settings *all, const struct setting *s)
{
    const char *text = s->size ? (const char *)all + s->offset : NULL;
    if (s->flags & SECRET)
        return json_pack("{s:s, s:s, s:b, s:s}", "key", s->key, "value",
                         text && text[0] ? "********" : "", "secret", 1, "description",
                         s->description);
    if (text)
        return json_pack("{s:s, s:s, s:s, s:s}", "key", s->key, "value", text, "default",
                         s->text_fallback, "description", s->description);
    int64_t value = *(const int64_t *)(const void *)((const char *)all + s->offset);
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "key", s->key, "value", (json_int_t)value,
                     "default", (json_int_t)s->fallback, "min", (json_int_t)s->min, "max",
                     (json_int_t)s->max, "description", s->description);
}

int settings_list_all(struct db *db, json_t **items, struct pd_error *err)
{
    struct settings all;
    int rc = settings_load(db, &all);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    *items = json_array();
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        json_array_append_new(*items, setting_json(&all, &table[i]));
    secret_wipe(&all, sizeof(all));
    return 0;
}

/* A problem with the new value of s, if any, recorded in c. */
static void check_value(struct checks *c, const struct setting *s, const json_t *v)
{
    if (s->text_fallback && strcmp(s->key, "portal.url") == 0) {
        const char *url = json_is_string(v) ? json_string_value(v) : "";
        if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
            strlen(url) > 500 || strchr(url, ' '))
            check_fail(c, "value", MSG_FIELD_URL);
    } else if (s->text_fallback && strcmp(s->key, "vies.url") == 0) {
        const char *url = json_is_string(v) ? json_string_value(v) : "";
        if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
            strlen(url) > 500 || strchr(url, ' '))
            check_fail(c, "value", MSG_FIELD_URL);
    } else if (s->text_fallback && strcmp(s->key, "pmc.url") == 0) {
        const char *url = json_is_string(v) ? json_string_value(v) : "";
        if (strncmp(url, "https://", 8) != 0 || strlen(url) > 500 || strchr(url, ' '))
            check_fail(c, "value", MSG_FIELD_URL_HTTPS);
    } else if (s->text_fallback && (s->flags & EMPTY_OK) && json_is_string(v) &&
               json_string_value(v)[0] == '\0') {
        /* empty is allowed */
    } else if (s->text_fallback) {
        if (!json_is_string(v) || !text_line_valid(json_string_value(v), 300))
            check_fail_args(c, "value", MSG_FIELD_TEXT_LINE, (const char *const[]){"300"}, 1);
    } else if (!json_is_integer(v) || json_integer_value(v) < s->min ||
               json_integer_value(v) > s->max) {
        char lo[24], hi[24];
        snprintf(lo, sizeof(lo), "%lld", (long long)s->min);
        snprintf(hi, sizeof(hi), "%lld", (long long)s->max);
        check_fail_args(c, "value", MSG_FIELD_INTEGER_RANGE, (const char *const[]){lo, hi}, 2);
    }
}

int settings_change(struct db *db, const struct principal *who, const char *ip, const char *key,
                    const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"value", NULL};
    const struct setting *s = find(key);
    struct checks c = {0};
    struct settings all;
    if (s == NULL)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    check_known_keys(&c, body, "", keys);
    json_t *v = json_object_get(body, "value");
    check_value(&c, s, v);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    char text[512];
    if (s->text_fallback)
        snprintf(text, sizeof(text), "%s", json_string_value(v));
    else
        snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    rc = settings_load(db, &all);
    json_t *before = NULL;
    if (rc == 0 && s->text_fallback)
        rc = seller_check_change(&all, key, text, err);
    if (rc == 0) {
        json_t *old = setting_json(&all, s);
        before = json_incref(json_object_get(old, "value"));
        json_decref(old);
        rc = settings_set(db, key, text);
    }
    if (rc == 0 && (s->flags & SECRET)) /* that it changed, never what it was or is */
        rc = audit(db, who, ip, NULL, "setting.changed", "setting", key,
                   json_pack("{s:s, s:s}", "before", "********", "after", "********"));
    else if (rc == 0)
        rc = audit(db, who, ip, NULL, "setting.changed", "setting", key,
                   json_pack("{s:O, s:O}", "before", before, "after", v));
    json_decref(before);
    secret_wipe(text, sizeof(text));
    if ((rc = tx_end(db, rc, err)) < 0)
        return rc;
    /* the answer shows the new value as a fresh load would */
    if (s->size)
        snprintf((char *)&all + s->offset, s->size, "%s", json_string_value(v));
    else
        *(int64_t *)(void *)((char *)&all + s->offset) = (int64_t)json_integer_value(v);
    *out = setting_json(&all, s);
    secret_wipe(&all, sizeof(all));
    return 0;
}

int settings_bind_gateway(struct db *db, const char *name, bool move, char *bound, size_t n)
{
    struct pd_error err = {0};
    int rc = tx_begin(db, &err);
    int found = rc >= 0 ? settings_get(db, "payments.gateway", bound, n) : 0;
    if (found < 0)
        rc = found;
    bool same = found == 1 && strcmp(bound, name) == 0;
    if (rc >= 0 && found == 1 && !same && !move)
        rc = PD_E_CONFLICT;
    if (rc >= 0 && !same)
        rc = settings_set(db, "payments.gateway", name);
    if (rc >= 0 && found == 1 && !same)
        rc = audit(db, NULL, NULL, NULL, "payments.gateway_switched", "setting", "payments.gateway",
                   json_pack("{s:s, s:s}", "from", bound, "to", name));
    rc = tx_end(db, rc, &err);
    pd_error_clear(&err);
    return rc;
}
