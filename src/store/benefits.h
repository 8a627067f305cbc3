/*
 * store/benefits.h - SQL of benefits: the catalog's rules, the grants of each term, the
 * incidents support requests used.
 *
 * Rows are typed; lists live in the caller's arena. A grant row holds facts only; its
 * state is derived by core/benefit.c (service/benefits.c gathers the facts). Product keys,
 * their pools and the waiting queue are in store/benefit_keys.h.
 */
#ifndef PD_STORE_BENEFITS_H
#define PD_STORE_BENEFITS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cursor.h"

struct arena;
struct db;
struct sub_row;

/* A benefit of an offer as the catalog has it now (texts in the arena). */
struct benefit_rule {
    const char *offer_code;
    int position;
    const char *kind;
    const char *product;
    const char *name_fr, *name_en;
    int quantity;
    int deadline_days; /* 0: by the end of the term */
};

/* A benefit granted for one term of a subscription: a copy of its rule, and its use. */
struct grant_row {
    char id[32];
    char partner_id[32];
    char subscription_id[32];
    int term;
    int latest_term; /* of its subscription: the grant is current when equal */
    int position;
    char kind[24];
    char product[48];
    char name_fr[808], name_en[808];
    int quantity, used;
    char starts_on[11], ends_on[11];
    char activate_by[11]; /* empty: no deadline */
    char tenant_domain[256];
    int64_t activated_at; /* 0: never */
    int reminded;
    int64_t revoked_at; /* 0: not announced */
    char check_on[11];  /* grants_insert_term(): the day the job first looks at it (empty: never) */
    bool queued;        /* its activation waits in the key pool's queue (benefit_queue) */
};

/* The rules of an offer (NULL: of every offer), by offer and position, into a. */
int brules_list(struct db *db, struct arena *a, const char *offer_code, struct benefit_rule **out,
                int *count);

/* Replaces the rules of an offer by these n (grants already made keep their copies). */
int brules_replace(struct db *db, const char *offer_code, const struct benefit_rule *rules, int n,
                   int64_t now);

/* Inserts the n grants of a term in one statement (each g->id drawn): how many were
 * inserted, a grant of a term and position the term has already being left as it is. */
int grants_insert_term(struct db *db, const struct grant_row *g, int n, int64_t now);

/* 1 and *out when the grant exists (of partner_id when not NULL). */
int grants_find(struct db *db, const char *id, const char *partner_id, struct grant_row *out);

/* grants_find() that also locks the grant's row until the caller's transaction ends, in the
 * same statement (db_query_locked; latest_term, read from the subscription's terms, is as
 * the statement began: no transaction adds a term while it holds a grant's lock). */
int grants_find_locked(struct db *db, const char *id, const char *partner_id,
                       struct grant_row *out);

/* The grants of ids[0..n-1] (n at most GRANTS_READ_MAX), each with its subscription, in one
 * statement (the benefits job's read of a transaction's grants due): for each ids[i],
 * found[i] whether it exists, and then g[i] and s[i]. */
#define GRANTS_READ_MAX 32
int grants_find_with_subs(struct db *db, const char *const *ids, int n, struct grant_row *g,
                          struct sub_row *s, bool *found);

/* Grants of an organisation's (partner_id NULL: every) subscriptions, current terms only
 * when `current`; by subscription, term, position. *out malloc'd (owner: caller, free()). */
int grants_list(struct db *db, const char *partner_id, bool current, struct grant_row **out,
                int *count);

/* Where the benefits job is in the grants due: the (check_on, id) of the last one read. */
struct grant_due_key {
    char check_on[11];
    char id[32];
};

/* The benefits job's "what is due": up to limit grants whose check day (check_on) is on or
 * before today, after the one of after (NULL: from the first), by day and id, read through
 * the index of check days, so a pass with nothing due reads nothing. */
extern const char grants_sql_due[];
int grants_due(struct db *db, const char *today, const struct grant_due_key *after, int limit,
               struct grant_due_key *out, int *count);

/* Records the next day the job looks at a grant (NULL: never). */
int grants_set_check(struct db *db, const char *id, const char *check_on);

/* Brings the check day of the grants whose term ended from `since` to before today, and
 * whose day lies after it (their subscription's lapse), forward to today: the renewal window
 * it was reckoned with changed. */
int grants_checks_reset(struct db *db, const char *today, const char *since);

/* Grants of one subscription's term. *out malloc'd (owner: caller, free()). */
int grants_of_term(struct db *db, const char *subscription_id, int term, struct grant_row **out,
                   int *count);

/* Uses count of a grant if that many are left: 1 when done, 0 when not. */
int grants_use(struct db *db, const char *id, int count, int64_t now);

/* Gives back count used (an incident support found was not a defect). */
int grants_unuse(struct db *db, const char *id, int count);

/* Records the customer tenant of a cloud subscription. */
int grants_set_tenant(struct db *db, const char *id, const char *domain);

/* Records the deadline reminder sent (30 or 7) and, in the same statement, the grant's next
 * check day (NULL: never): 1 when it was not sent yet, 0 otherwise (and nothing written). */
int grants_set_reminded(struct db *db, const char *id, int reminded, const char *check_on);

/* Records the announced revocation and the next check day (NULL: never): 1 when it was not
 * recorded yet, 0 otherwise (and nothing written). */
int grants_set_revoked(struct db *db, const char *id, int64_t now, const char *check_on);

/* A subscription's latest term without grants, for the catch-up of terms that began
 * before benefits existed. */
struct term_to_grant {
    char subscription_id[32];
    char partner_id[32];
    char offer_code[48];
    int term;
    char starts_on[11], expires_on[11];
};

/* Terms the benefits job has not granted yet (subscription_terms.benefits_due: a term
 * imported, or begun before benefits existed), up to limit, by subscription and term, read
 * through the index of those terms; `grantable` is set for the latest term of a subscription not
 * cancelled, the one that gets grants. *out malloc'd (owner: caller, free()). */
struct term_due {
    struct term_to_grant t;
    bool grantable;
};
extern const char grants_sql_terms_due[];
int grants_terms_due(struct db *db, int limit, struct term_due **out, int *count);

/* Records that the benefits of a term were granted (or that none are owed). */
int grants_term_done(struct db *db, const char *subscription_id, int term);

/* An incident used by a support request. */
int bincidents_insert(struct db *db, const char *request_id, const char *grant_id, int64_t now);

/* Gives back the incident of a request: 1 and its grant in grant_id when it had one not
 * given back yet, 0 otherwise. */
int bincidents_return(struct db *db, const char *request_id, char grant_id[32], int64_t now);

/* Usage per organisation and product (current terms): granted and used. */
struct benefit_usage {
    const char *partner_id, *partner_name, *product, *kind, *name_fr, *name_en;
    int64_t granted, used;
};

/* An organisation that has grants, and when it joined (the order of the usage list). */
struct busage_partner {
    char id[32];
    int64_t created_at;
};

/* Up to limit organisations with grants, newest first, after the one of p (p->after), read
 * through the index of partners by (created_at, id) and that of grants by organisation. */
int busage_partners(struct db *db, const struct page_request *p, int limit,
                    struct busage_partner *out, int *count);

/* Up to limit usage lines of one organisation, by product then kind (a line's key: the
 * order is total), after the line (after_product, after_kind) when after_product is not
 * NULL, into a. */
int busage_of(struct db *db, struct arena *a, const char *partner_id, const char *after_product,
              const char *after_kind, int limit, struct benefit_usage **out, int *count);

/* Where a chunk of usage lines ends: the group key of its last line. */
struct busage_key {
    char partner_id[32], product[64], kind[32];
};

/* Up to limit usage lines after the line of after (NULL: from the first), by organisation
 * id, product and kind, into a: a chunk of an export, read through the index of grants by
 * organisation, so each chunk costs the same however far the export has gone. */
int busage_page(struct db *db, struct arena *a, const struct busage_key *after, int limit,
                struct benefit_usage **out, int *count);

#endif
