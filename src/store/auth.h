/*
 * store/auth.h - SQL of sessions, API tokens, invitations, password reset links, recovery
 * codes, the sign-in throttle and the audit log. Tokens and codes arrive here already hashed.
 *
 * Rows come out as the structs below; the API objects are shaped in service/auth.c and
 * service/audit.c.
 */
#ifndef PD_STORE_AUTH_H
#define PD_STORE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"

struct db;

struct session_row {
    char id[32];
    char user_id[32];
    char csrf_token[65];
    int64_t created_at, last_seen_at, expires_at;
};

int sessions_insert(struct db *db, const char *id, const char *token_hash, const char *user_id,
                    const char *csrf, int64_t now, int64_t expires_at, const char *ip);
/* 1 and *out when a session has this token hash, 0 when none. */
int sessions_find(struct db *db, const char *token_hash, struct session_row *out);
int sessions_touch(struct db *db, const char *id, int64_t now);
/* Moves a session's times by delta seconds (the test clock jumped; see api_admin_clock). */
int sessions_shift(struct db *db, const char *id, int64_t delta);
int sessions_delete(struct db *db, const char *id);
/* Ends every session of a user but keep_id (NULL ends them all). */
int sessions_delete_for_user(struct db *db, const char *user_id, const char *keep_id);

struct token_row {
    char id[32];
    char user_id[32];
    char name[401];       /* tokens_list() only */
    int64_t created_at;   /* tokens_list() only */
    int64_t last_used_at; /* 0 when never used */
    int revoked;
};

int tokens_insert(struct db *db, const char *id, const char *token_hash, const char *user_id,
                  const char *name, int64_t now);
int tokens_find(struct db *db, const char *token_hash, struct token_row *out);
int tokens_touch(struct db *db, const char *id, int64_t now);
/* Revokes a token of this user; 1 when revoked, 0 when no such live token. */
int tokens_revoke(struct db *db, const char *id, const char *user_id, int64_t now);
int tokens_revoke_for_user(struct db *db, const char *user_id, int64_t now);
/* A page of the user's tokens, newest first (store/page.h: up to p->limit + 1 rows, after
 * the cursor's row). *out is malloc'd (owner: caller, free()); *count rows. */
int tokens_list(struct db *db, const char *user_id, const struct page_request *p,
                struct token_row **out, int *count);

int invitations_insert(struct db *db, const char *token_hash, const char *user_id, int64_t now,
                       int64_t expires_at);
/* 1 and the invited user's id when the invitation is unused and unexpired at now. */
int invitations_find_live(struct db *db, const char *token_hash, int64_t now, char *user_id,
                          size_t n);
/* Uses the invitation: 1, or 0 when it was used or expired meanwhile (nothing written). */
int invitations_use(struct db *db, const char *token_hash, int64_t now);
/* Ends every unused invitation of the user (a new one replaces them). */
int invitations_end_for_user(struct db *db, const char *user_id, int64_t now);
/* 1 when the user is still invited and none of their invitations expires after expires_at
 * (the invitation that expires then is their latest: each invitation of a user expires
 * later than the one before), else 0. */
int invitations_latest(struct db *db, const char *user_id, int64_t expires_at);

/* Password reset links ("forgot password"), each usable once before expires_at. */
int password_resets_insert(struct db *db, const char *token_hash, const char *user_id,
                           int64_t now, int64_t expires_at);
/* 1 and the user's id when the link is unused and unexpired at now, 0 when not. */
int password_resets_find_live(struct db *db, const char *token_hash, int64_t now, char *user_id,
                              size_t n);
/* Ends the link: 1, or 0 when it was used (or expired) meanwhile and nothing is written. */
int password_resets_use(struct db *db, const char *token_hash, int64_t now);
/* Ends every unused link of the user (another was asked for, or the password changed). */
int password_resets_end_for_user(struct db *db, const char *user_id, int64_t now);

int recovery_insert(struct db *db, const char *user_id, const char *code_hash);
int recovery_delete_for_user(struct db *db, const char *user_id);
/* 1 when an unused code with this hash existed and is now used. */
int recovery_use(struct db *db, const char *user_id, const char *code_hash, int64_t now);

/* Seconds the key stays locked at now (0 when not locked). */
int throttle_locked(struct db *db, const char *key, int64_t now, int64_t *retry_after);
/* Counts a failure; locks the key for lock_s once max failures fall within window_s. */
int throttle_fail(struct db *db, const char *key, int64_t now, int64_t window_s, int64_t max,
                  int64_t lock_s);
int throttle_reset(struct db *db, const char *key);

/* An audit event. Written by audit_insert(); read by audit_each(), whose strings are
 * borrowed from the statement and live only during the callback. NULL: no value. */
struct audit_entry {
    const char *id;       /* audit_each() only */
    int64_t at;           /* audit_each() only */
    const char *actor_id; /* NULL: nobody signed in */
    const char *actor_email;
    const char *partner_id; /* the organisation the event belongs to, or NULL */
    const char *ip;
    const char *action;      /* "user.invited" */
    const char *object_type; /* "user" */
    const char *object_id;
    const char *details; /* a JSON object as text; NULL for {} */
};

int audit_insert(struct db *db, const struct audit_entry *e, int64_t now);

/* Calls fn for the events of page p (at most p->limit + 1, store/page.h), newest first by
 * (at, id), of one organisation (partner_id NULL: every organisation), starting after the
 * event p->key names when p->after (its created_at is the event's at). Returns 0 or a
 * negative status. */
int audit_each(struct db *db, const char *partner_id, const struct page_request *p,
               void (*fn)(void *ctx, const struct audit_entry *e), void *ctx);

#endif
