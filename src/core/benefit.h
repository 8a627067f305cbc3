/*
 * benefit.h - the rules of a membership's benefits (issue 18), as pure functions of a
 * grant's stored facts, its subscription's state and a business date.
 *
 * A term of a subscription grants a copy of its offer's benefits (a grant). Nothing
 * derived is stored: the state of a grant is asked of benefit_state_on() each time.
 *
 *   expired    a later term took over, the term ended, or the activation deadline
 *              passed before anything was activated (this first: nothing is left to
 *              suspend or revoke)
 *   revoked    the subscription lapsed or was cancelled: what was not used is lost
 *   suspended  the subscription is in its renewal window (benefits suspended until a
 *              renewal, which grants the next term's)
 *   activated  everything granted is in use (keys assigned, tenant recorded, incidents
 *              used)
 *   available  something is left to use
 */
#ifndef PD_BENEFIT_H
#define PD_BENEFIT_H

#include <stdbool.h>

#include "core/date.h"
#include "core/subscription.h"

enum benefit_kind {
    BENEFIT_SOFTWARE_KEY,
    BENEFIT_CLOUD_SUBSCRIPTION,
    BENEFIT_SUPPORT_INCIDENT,
    BENEFIT_TRAINING,
    BENEFIT_RESOURCE,
};

enum benefit_state {
    BENEFIT_AVAILABLE,
    BENEFIT_ACTIVATED,
    BENEFIT_EXPIRED,
    BENEFIT_SUSPENDED,
    BENEFIT_REVOKED,
};

/* What is stored about a grant, and what the rules need about its subscription. */
struct benefit_facts {
    enum benefit_kind kind;
    int quantity; /* 0: unlimited use (training, resources) */
    int used;
    struct date starts_on; /* the grant's term */
    struct date ends_on;
    bool has_deadline; /* software and cloud: activate on or before activate_by */
    struct date activate_by;
    enum sub_state sub_state; /* of its subscription, on the same day */
    struct date lapses_on;    /* the first day its subscription is lapsed, unless renewed */
    bool current_term;        /* the grant belongs to the subscription's latest term */
};

/* The state of a grant on `today`. */
enum benefit_state benefit_state_on(const struct benefit_facts *f, struct date today);

/* What is left to use today: quantity - used while available (or suspended: it comes
 * back with the renewal's grant), 0 once revoked or expired. */
int benefit_remaining(const struct benefit_facts *f, struct date today);

/* True when a partner may activate (software, cloud) or use (support) `count` of it
 * today. */
bool benefit_can_use(const struct benefit_facts *f, int count, struct date today);

/* The deadline reminder owed today: 30 or 7 (days before activate_by), or 0. Only for
 * an available software or cloud grant that nothing was activated of, and only one not
 * sent yet (`reminded` is the last one sent: 0, 30 or 7); a job that missed the 30-day
 * one sends the 7-day one rather than both. */
int benefit_reminder_due(const struct benefit_facts *f, int reminded, struct date today);

/* The first day on or after `from` the benefits job has to look at a grant again: true and
 * *next, or false when nothing can ever be owed for it (a later term took over, its
 * revocation was announced, its deadline passed with nothing activated). A reminder may be
 * owed from 30 then 7 days before the deadline (every day from then on while it could not
 * be sent); a revocation from the day the subscription lapses (looked at the day after the
 * term ends, then on lapses_on while it is in its renewal window, then every day while it is
 * not active and not yet revoked). A cancellation is the caller's to bring forward (it may
 * come any day), and a renewal grants a new term. `revoked` is whether the revocation was
 * announced. The job keeps this date with the grant, so a pass reads only the grants due that day.
 */
bool benefit_next_check(const struct benefit_facts *f, int reminded, bool revoked, struct date from,
                        struct date *next);

/* The activation deadline of a grant of a term from starts_on to ends_on, under a rule
 * of `deadline_days` (0: the term's end); never after the term's end. */
struct date benefit_deadline(struct date starts_on, struct date ends_on, int deadline_days);

/* Stable API names: "software_key", ..., "available", ... */
const char *benefit_kind_name(enum benefit_kind k);
const char *benefit_state_name(enum benefit_state s);

/* Parses a kind name; -1 when unknown. */
int benefit_kind_parse(const char *name);

/* Whether a kind is activated by the partner (software keys, cloud subscriptions). */
bool benefit_kind_activated(enum benefit_kind k);

#endif
