/*
 * service/settings.h - the settings an operator may change at run time.
 *
 * Only the keys of the table in settings.c exist; each has a default, bounds and a
 * description, and a change is audited. Every process reads them from the database.
 */
#ifndef PD_SERVICE_SETTINGS_H
#define PD_SERVICE_SETTINGS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* Every setting, read at once: a use case loads this once (settings_load) and reads its
 * fields, rather than asking the database key by key. */
/* Room for a text setting: 300 characters of up to four bytes (settings_change's limit),
 * so no value the API accepts is cut. */
#define SETTING_TEXT_SIZE 1201

struct settings {
    int64_t auth_account_max_failures, auth_address_max_failures;
    int64_t auth_window_seconds, auth_lock_seconds;
    int64_t renewal_window_days;
    char pmc_url[512];
    char seller_name[SETTING_TEXT_SIZE], seller_address[SETTING_TEXT_SIZE];
    char seller_country[SETTING_TEXT_SIZE], seller_vat_id[SETTING_TEXT_SIZE];
    char seller_registration[SETTING_TEXT_SIZE];
    char bank_iban[SETTING_TEXT_SIZE], bank_bic[SETTING_TEXT_SIZE];
    char portal_url[512];
    char mail_from[SETTING_TEXT_SIZE], mail_dir[SETTING_TEXT_SIZE];
    char smtp_host[SETTING_TEXT_SIZE], smtp_username[SETTING_TEXT_SIZE];
    char smtp_password[SETTING_TEXT_SIZE];
    int64_t smtp_port, smtp_starttls;
    int64_t webhooks_allow_private;
    int64_t webhooks_at_once;
    int64_t webhooks_receiver_seconds;
    int64_t gateway_charges_at_once;
    int64_t health_min_free_mb;
    /* the seller's legal identity (issue 15), checked by service/seller.h */
    char seller_siren[SETTING_TEXT_SIZE], seller_rcs[SETTING_TEXT_SIZE];
    char seller_share_capital[SETTING_TEXT_SIZE], seller_vat_option[SETTING_TEXT_SIZE];
    /* the VIES check of partners' VAT IDs (service/vies.h) */
    int64_t vies_enabled, vies_timeout_seconds;
    char vies_url[512];
    int64_t referral_retention_months, referral_response_days;
    int64_t referral_address_max, referral_email_max;
    /* benefits (issue 18) */
    char benefits_key_file[SETTING_TEXT_SIZE];
    int64_t benefits_low_stock_threshold;
};

/* Fills *out with every setting, stored or default, in one query. 0 or a negative status
 * (then *out holds the defaults). */
int settings_load(struct db *db, struct settings *out);

/* Every setting with its value, default, bounds and description (a secret's value is
 * "********" when set). */
int settings_list_all(struct db *db, json_t **items, struct pd_error *err);

/* Sets one setting ({"value": integer}). PD_E_NOT_FOUND for an unknown key. */
int settings_change(struct db *db, const struct principal *who, const char *ip, const char *key,
                    const json_t *body, json_t **out, struct pd_error *err);

/* The renewal window length in days (renewal.window_days, default 30). */
int64_t setting_window_days(struct db *db);

/* The payment gateway this database's card payments go through ("test", "stripe"): its
 * saved cards, attempts in doubt and renewals are the gateway's, and a process that asked
 * another gateway would find none of them (a renewal declined, a lost answer given up as
 * never sent although it was charged). Recorded by the first process that starts on the
 * database; 0 when name is the one recorded (or now is), PD_E_CONFLICT when another is
 * (bound says which), unless move: then name is recorded, and audited. */
int settings_bind_gateway(struct db *db, const char *name, bool move, char *bound, size_t n);

/* The Partner Membership Center's address (pmc.url) into out. */
void setting_pmc_url(struct db *db, char *out, size_t n);

/* An integer setting or its default. */
int64_t setting_int(struct db *db, const char *key);

/* A text setting (seller.*, bank.*, mail.*, smtp.*) or its default, into out. */
void setting_text(struct db *db, const char *key, char *out, size_t n);

#endif
