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
struct settings {
    int64_t auth_account_max_failures, auth_address_max_failures;
    int64_t auth_window_seconds, auth_lock_seconds;
    int64_t renewal_window_days;
    char pmc_url[512];
    char seller_name[256], seller_address[512], seller_country[3], seller_vat_id[40];
    char seller_registration[256];
    char bank_iban[40], bank_bic[16];
    char portal_url[512];
    char mail_from[256], mail_dir[512];
    char smtp_host[256], smtp_username[256], smtp_password[256];
    int64_t smtp_port, smtp_starttls;
    int64_t webhooks_allow_private;
};

/* Fills *out with every setting, stored or default, in one query. 0 or a negative status
 * (then *out holds the defaults). */
int settings_load(struct db *db, struct settings *out);

/* Every setting with its value, default, bounds and description. */
int settings_list_all(struct db *db, json_t **items);

/* Sets one setting ({"value": integer}). PD_E_NOT_FOUND for an unknown key. */
int settings_change(struct db *db, const struct principal *who, const char *ip, const char *key,
                    const json_t *body, json_t **out, struct pd_error *err);

/* The renewal window length in days (renewal.window_days, default 30). */
int64_t setting_window_days(struct db *db);

/* The Partner Membership Center's address (pmc.url) into out. */
void setting_pmc_url(struct db *db, char *out, size_t n);

/* An integer setting or its default. */
int64_t setting_int(struct db *db, const char *key);

/* A text setting (seller.*, bank.*, mail.*, smtp.*) or its default, into out. */
void setting_text(struct db *db, const char *key, char *out, size_t n);

#endif
