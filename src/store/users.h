/*
 * store/users.h - SQL of partner organisations, users and their roles.
 *
 * Rows go in and come out as the structs below; the API objects are shaped above, in
 * service/members.c. Rows read into fixed buffers are sized for the longest value the
 * use cases accept (field limits count characters, and a character takes up to four
 * bytes of UTF-8). An empty string in a row stands for NULL in the database.
 */
#ifndef PD_STORE_USERS_H
#define PD_STORE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"
#include "core/words.h"

struct db;

/* A partner organisation. */
struct partner_row {
    char id[32];
    char membership_id[8];
    char legal_name[801];
    char country[3];
    char address_line1[801];
    char address_line2[801]; /* empty when none */
    char postal_code[81];
    char city[401];
    char vat_id[41]; /* empty when none */
    char siren[10];  /* the French company number; empty when none */
    /* what VIES said of vat_id: "not_checked", "pending", "valid", "invalid" or
     * "unverified" (store/vat_checks.h) */
    char vat_id_status[12];
    int64_t vat_id_checked_at; /* 0: never */
    char locale[3];
    char currency[4];
    bool require_2fa;
    int64_t created_at;
};

/* A user, with their roles and what sign-in needs of their organisation. */
struct user_row {
    char id[32];
    char kind[8];        /* "partner" or "staff" */
    char partner_id[32]; /* empty for staff */
    char email[256];     /* lower case */
    char name[801];
    char password_hash[160]; /* empty: none yet (invited) */
    char locale[3];
    char status[8]; /* "invited", "active" or "removed" */
    char totp_secret[64];
    char totp_pending_secret[64];
    int64_t totp_last_step;
    int64_t created_at;
    unsigned roles;            /* enum role bits */
    bool partner_requires_2fa; /* read only: the organisation's require_2fa */
};

/* Inserts a partner; PD_E_DB_CONSTRAINT when its membership ID is taken. */
int partners_insert(struct db *db, const struct partner_row *p);

/* Number of partner organisations (for demo data and metrics). */
int partners_count(struct db *db, int64_t *count);

/* 1 and *out when the partner exists, 0 when not, or a negative status. */
int partners_find(struct db *db, const char *id, struct partner_row *out);

/* What staff search partners by; NULL or 0 words: no condition. */
struct partners_filter {
    const char *membership_id;         /* exactly */
    const char *vat_id;                /* exactly, normalised */
    char words[WORDS_MAX][WORD_BYTES]; /* every word begins a word of the legal name */
    int nwords;
};

/* A page of partners, newest first (staff): p->limit + 1 rows at most (store/page.h).
 * *out is malloc'd (owner: caller, free()); *count rows. */
int partners_page(struct db *db, const struct partners_filter *f, const struct page_request *p,
                  struct partner_row **out, int *count);

/* Sets the partner's SIREN. */
int partners_set_siren(struct db *db, const char *id, const char *siren);

/* Sets whether the organisation's users must use a second factor. */
int partners_set_require_2fa(struct db *db, const char *id, bool on);

/* 1 when the membership ID is taken, 0 when free, or a negative status. */
int partners_membership_taken(struct db *db, const char *membership_id);

/* Inserts a user (status empty: "active") and their roles; PD_E_DB_CONSTRAINT when the
 * email is taken. */
int users_insert(struct db *db, const struct user_row *u);

/* 1 when a user has this (lower-case) email, 0 when not, or a negative status. */
int users_email_exists(struct db *db, const char *email);

/* 1 and *out when found, 0 when not. Removed users are found too: check status. */
int users_find_by_email(struct db *db, const char *email, struct user_row *out);
int users_find(struct db *db, const char *id, struct user_row *out);

/* A page of the organisation's users that are not removed, newest first (p->limit + 1 rows
 * at most), roles included (the password hash and TOTP secrets are left empty;
 * totp_secret is "set" when one is). *out is malloc'd (owner: caller, free()). */
int users_page(struct db *db, const char *partner_id, const struct page_request *p,
               struct user_row **out, int *count);

/* The email of the organisation's billing contact into out (n bytes): its oldest active
 * billing admin, else its oldest active global admin. 1, or 0 when it has neither. */
int users_billing_contact(struct db *db, const char *partner_id, char *out, size_t n);

/* Records that the TOTP code of time step `step` of this secret was used: 1 when no code
 * of that step or a later one was before (the one caller that gets 1 may go on), else 0. */
int users_claim_totp_step(struct db *db, const char *id, const char *secret, int64_t step);

/* Active global admins of an organisation (invitees who have not accepted do not count). */
int users_count_global_admins(struct db *db, const char *partner_id, int64_t *count);

/* Locks the organisation's row until the transaction ends, so that two changes that each
 * take a global admin away (two admins stepping down at once) are counted one after the
 * other: on PostgreSQL both would count the other still there. 1, or 0 when none. */
int users_lock_organisation(struct db *db, const char *partner_id);

/* Gives an invited user their password and makes them active: 1, or 0 when the user is no
 * longer invited (accepted or removed meanwhile: nothing is written). */
int users_activate_invited(struct db *db, const char *id, const char *hash, int64_t now);

/* Invites again a user who holds no account (removed, or invited and never in): u's name,
 * locale and roles, no password and no second factor. 1, or 0 when the user became active
 * meanwhile (nothing is written). */
int users_reinvite(struct db *db, const struct user_row *u, int64_t now);

/* Every staff account, removed ones included, by email, with their roles (their
 * totp_secret is "set" when two-factor is on): *out is malloc'd (owner: caller, free()). */
int users_staff(struct db *db, struct user_row **out, int *count);

/* Sets the password of an active user (a reset link): 1, or 0 when the user is no longer
 * active (removed meanwhile: nothing is written). */
int users_reset_password(struct db *db, const char *id, const char *hash, int64_t now);

/* Sets one column of a user (and updated_at). */
int users_set_password(struct db *db, const char *id, const char *hash, int64_t now);
int users_set_status(struct db *db, const char *id, const char *status, int64_t now);
int users_set_name(struct db *db, const char *id, const char *name, int64_t now);

/* Replaces the user's roles by the mask's. */
int users_set_roles(struct db *db, const char *id, unsigned roles);

/* Stores the TOTP state; NULL clears a secret. */
int users_set_totp(struct db *db, const char *id, const char *secret, const char *pending,
                   int64_t last_step);

#endif
