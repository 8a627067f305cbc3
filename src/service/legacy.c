/*
 * service/legacy.c - the PMC import and the migration of PMC subscriptions.
 *
 * The import reads the whole file before writing anything: every row is checked (the
 * membership ID names a partner, the offer exists, the dates parse and follow each other),
 * duplicates within the file, live subscriptions already held and terms already held (the
 * same file imported again) are refused, and only a file without a single problem is
 * written, in one transaction. A spreadsheet's export is read as it is written: a byte
 * order mark first, fields between double quotes. Its reasons are English only: the import
 * is an operator's command-line tool (partnerd import-legacy).
 */
#include "service/legacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/fault.h"
#include "core/subscription.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/subscriptions.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/wire.h"
#include "store/offers.h"
#include "store/orders.h"
#include "store/subscriptions.h"

/* ---- the import ---- */

struct import_row {
    char partner_id[32];
    char offer[48];
    char starts_on[11], expires_on[11];
    int auto_renew;
    int line;
};

static void problem(json_t *problems, int line, const char *field, const char *why)
{
    char text[300];
    snprintf(text, sizeof(text), "line %d: %s: %s", line, field, why);
    json_array_append_new(problems, json_string(text));
}

static int parse_bool(const char *s)
{
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))
        return 1;
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))
        return 0;
    return -1;
}

/* Checks the five fields f of a line into *out; true when it has no problem. */
static bool check_import_row(struct db *db, char **f, int line, struct import_row *out,
                             json_t *problems)
{
    size_t before = json_array_size(problems);
    struct offer_row offer;
    struct date start, end;
    out->line = line;
    if (strlen(f[0]) != 7 || strspn(f[0], "0123456789") != 7)
        problem(problems, line, "membership_id", "must be 7 digits");
    else if (subs_partner_by_membership(db, f[0], out->partner_id, sizeof(out->partner_id)) != 1)
        problem(problems, line, "membership_id", "no partner has this membership ID");
    if (offers_find(db, f[1], &offer) != 1)
        problem(problems, line, "offer", "unknown offer code");
    else
        snprintf(out->offer, sizeof(out->offer), "%s", f[1]);
    bool dates = true;
    if (date_parse(f[2], &start) < 0) {
        problem(problems, line, "starts_on", "not a date (YYYY-MM-DD)");
        dates = false;
    }
    if (date_parse(f[3], &end) < 0) {
        problem(problems, line, "expires_on", "not a date (YYYY-MM-DD)");
        dates = false;
    }
    if (dates && date_cmp(end, start) < 0)
        problem(problems, line, "expires_on", "before starts_on");
    snprintf(out->starts_on, sizeof(out->starts_on), "%s", f[2]);
    snprintf(out->expires_on, sizeof(out->expires_on), "%s", f[3]);
    if ((out->auto_renew = parse_bool(f[4])) < 0)
        problem(problems, line, "auto_renew", "true or false");
    return json_array_size(problems) == before;
}

/* Reads and checks every line of text into *rows (malloc'd, owner: caller). */
static int read_import(struct db *db, char *text, struct import_row **rows, int *nrows,
                       json_t *problems)
{
    static const char *const header[] = {"membership_id", "offer", "starts_on", "expires_on",
                                         "auto_renew"};
    int cap = 0, line = 0;
    /* a spreadsheet's "CSV UTF-8" export starts with a byte order mark and may quote fields */
    char *cursor = csv_skip_bom(text);
    for (char *l; (l = csv_next_line(&cursor)) != NULL;) {
        line++;
        char *f[5];
        int nf = l[0] ? csv_split(l, f, 5) : 0;
        for (int k = 0; k < nf && k < 5; k++)
            csv_unquote(f[k]);
        if (line == 1) {
            bool same = nf == 5;
            for (int k = 0; same && k < 5; k++)
                same = strcmp(f[k], header[k]) == 0;
            if (!same)
                problem(problems, 1, "header",
                        "must be membership_id,offer,starts_on,expires_on,auto_renew");
            continue;
        }
        if (l[0] == '\0')
            continue;
        if (nf != 5) {
            problem(problems, line, "row", "must have 5 comma-separated fields");
            continue;
        }
        struct import_row r;
        memset(&r, 0, sizeof(r));
        if (!check_import_row(db, f, line, &r, problems))
            continue;
        for (int k = 0; k < *nrows; k++)
            if (!strcmp((*rows)[k].partner_id, r.partner_id) && !strcmp((*rows)[k].offer, r.offer))
                problem(problems, line, "offer", "the same partner and offer are on another line");
        if (*nrows == cap) {
            cap = cap ? cap * 2 : 64;
            struct import_row *grown = realloc(*rows, (size_t)cap * sizeof(**rows));
            if (grown == NULL)
                return PD_E_INTERNAL;
            *rows = grown;
        }
        (*rows)[(*nrows)++] = r;
    }
    if (line == 0)
        problem(problems, 1, "header", "the file is empty");
    return 0;
}

/* Orders partner ids by their text, for qsort. */
static int by_partner(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Locks the file's partners as a Buy locks its own (service/orders.c), in the order of their
 * ids, so that two imports naming some of the same partners take them in the same order. */
static int lock_partners(struct db *db, const struct import_row *rows, int nrows)
{
    const char **ids = malloc((size_t)(nrows > 0 ? nrows : 1) * sizeof(*ids));
    if (ids == NULL)
        return PD_E_INTERNAL;
    for (int k = 0; k < nrows; k++)
        ids[k] = rows[k].partner_id;
    qsort(ids, (size_t)nrows, sizeof(*ids), by_partner);
    int rc = 0;
    for (int k = 0; rc >= 0 && k < nrows; k++)
        if (k == 0 || strcmp(ids[k], ids[k - 1]) != 0)
            rc = orders_lock_buyer(db, ids[k]);
    free(ids);
    return rc < 0 ? rc : 0;
}

/* An organisation holds one live subscription per offer: a problem for each row whose
 * partner already has one, or is paying for one by card, or holds one over some of the
 * row's dates (a past term imported again would be a second copy of it). Its partner is
 * locked, and then its open orders of the offer: a Buy or a transfer under way before is
 * seen here (a paid term, or a card payment not settled yet), and one meanwhile waits for
 * the import and then sees what it wrote (its subscription, the unpaid purchases it
 * cancelled). */
static int check_live(struct db *db, const struct import_row *rows, int nrows, json_t *problems)
{
    struct subs_context ctx;
    int rc = subscriptions_context(db, NULL, &ctx);
    if (rc >= 0 && json_array_size(problems) == 0)
        rc = lock_partners(db, rows, nrows);
    for (int k = 0; rc >= 0 && k < nrows && json_array_size(problems) == 0; k++) {
        struct sub_row *have = NULL;
        int n = 0, paying = 0;
        if ((rc = orders_lock_open_of(db, rows[k].partner_id, rows[k].offer, &paying)) < 0 ||
            (rc = subs_list(db, rows[k].partner_id, &have, &n)) < 0)
            break;
        if (paying > 0)
            problem(problems, rows[k].line, "offer",
                    "the partner is paying for this offer by card (the payment is not settled "
                    "yet): import this line again once it is");
        for (int j = 0; j < n; j++) {
            struct sub_facts f = subscriptions_facts(&have[j], &ctx, 0);
            /* a purchase never paid holds nothing: the PMC's record supersedes it */
            if (!f.paid || strcmp(have[j].offer_code, rows[k].offer) != 0)
                continue;
            if (sub_is_live(&f, clock_today()))
                problem(problems, rows[k].line, "offer",
                        "the partner already has a live subscription to this offer");
            else if (!have[j].cancelled_on[0] &&
                     strcmp(rows[k].starts_on, have[j].expires_on) <= 0 &&
                     strcmp(have[j].starts_on, rows[k].expires_on) <= 0)
                /* a term over already held (the same file imported again): not twice */
                problem(problems, rows[k].line, "offer",
                        "the partner already has a subscription to this offer for these dates "
                        "(was this file imported before?)");
        }
        free(have);
    }
    return rc < 0 ? rc : 0;
}

/* Cancels the partner's purchases of r's offer still awaiting payment: the subscription
 * the PMC says it holds is the one it keeps, and a transfer arriving later for them is
 * finance's to refund (service/wire_transfers.c). */
static int supersede_unpaid(struct db *db, const struct import_row *r)
{
    struct settings set;
    struct sub_row *have = NULL;
    int n = 0;
    int rc = settings_load(db, &set);
    if (rc >= 0)
        rc = subs_list(db, r->partner_id, &have, &n);
    for (int j = 0; rc >= 0 && j < n; j++)
        if (!have[j].paid && !have[j].cancelled_on[0] && !strcmp(have[j].offer_code, r->offer))
            rc = wire_cancel_waiting(db, &set, have[j].id, "superseded_by_pmc_import");
    free(have);
    return rc < 0 ? rc : 0;
}

/* Writes one checked row: the subscription, its first term and the audit event. */
static int import_one(struct db *db, const struct import_row *r)
{
    struct sub_row s;
    int rc0 = supersede_unpaid(db, r);
    if (rc0 < 0)
        return rc0;
    memset(&s, 0, sizeof(s));
    id_new("sub", s.id, sizeof(s.id));
    snprintf(s.partner_id, sizeof(s.partner_id), "%s", r->partner_id);
    snprintf(s.offer_code, sizeof(s.offer_code), "%s", r->offer);
    snprintf(s.managed_in, sizeof(s.managed_in), "pmc");
    s.paid = true;
    snprintf(s.starts_on, sizeof(s.starts_on), "%s", r->starts_on);
    snprintf(s.expires_on, sizeof(s.expires_on), "%s", r->expires_on);
    s.auto_renew = r->auto_renew == 1;
    s.auto_renew_locked = r->auto_renew == 0; /* off stays off until a renewal */
    int64_t now = clock_now();
    int rc = subs_insert(db, &s, now);
    if (rc == 0)
        rc = subs_add_term(db, s.id, 1, s.starts_on, s.expires_on, "import", false, now);
    if (rc == 0)
        rc = audit(db, NULL, "cli", s.partner_id, "subscription.imported", "subscription", s.id,
                   json_pack("{s:s, s:s, s:i}", "offer", s.offer_code, "expires_on", s.expires_on,
                             "line", r->line));
    return rc;
}

int legacy_import(struct db *db, const char *csv, int *imported, json_t **problems,
                  struct pd_error *err)
{
    struct import_row *rows = NULL;
    int nrows = 0;
    *imported = 0;
    *problems = json_array();
    char *text = strdup(csv ? csv : "");
    if (text == NULL)
        return pd_fail(err, PD_E_INTERNAL, "out of memory");
    int rc = tx_begin(db, err);
    if (rc < 0) {
        free(text);
        return rc;
    }
    rc = read_import(db, text, &rows, &nrows, *problems);
    if (rc >= 0)
        rc = check_live(db, rows, nrows, *problems);
    fault_pause("legacy.checked"); /* tests: a Buy of the same offer meanwhile */
    if (rc >= 0 && json_array_size(*problems) > 0)
        rc = pd_fail(err, PD_E_INVALID_REQUEST, "%zu bad row(s); nothing imported",
                     json_array_size(*problems));
    for (int k = 0; rc >= 0 && k < nrows; k++)
        if ((rc = import_one(db, &rows[k])) >= 0)
            (*imported)++;
    free(rows);
    free(text);
    if ((rc = tx_end(db, rc, err)) < 0)
        *imported = 0;
    return rc;
}

/* ---- the move to Partner Center ---- */

int legacy_migrate(struct db *db, const struct principal *who, const char *ip, const char *id,
                   const char *lang, json_t **out, struct pd_error *err)
{
    struct sub_row s;
    struct subs_context ctx;
    json_t *view = NULL;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    int64_t now = clock_now();
    rc = subs_find(db, id, &s);
    if (rc == 0)
        rc = pd_fail(err, PD_E_NOT_FOUND, NULL);
    else if (rc == 1 && strcmp(s.managed_in, "pmc") != 0)
        rc = pd_fail(err, PD_E_CONFLICT, "already managed in Partner Center");
    else if (rc == 1)
        rc = subs_migrate(db, id, now);
    if (rc >= 0)
        rc = audit(db, who, ip, s.partner_id, "subscription.migrated", "subscription", id,
                   json_pack("{s:s}", "offer", s.offer_code));
    if (rc >= 0 && (rc = subscriptions_context(db, s.partner_id, &ctx)) >= 0) {
        snprintf(s.managed_in, sizeof(s.managed_in), "partner_center");
        s.migrated_at = now;
        view = subscriptions_view(db, &s, &ctx, lang);
    }
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(view);
        return rc;
    }
    *out = view;
    return 0;
}

int legacy_migrate_all(struct db *db, const struct principal *who, const char *ip, int *migrated,
                       struct pd_error *err)
{
    struct sub_row *rows = NULL;
    int n = 0;
    *migrated = 0;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    rc = subs_list(db, NULL, &rows, &n);
    for (int i = 0; rc >= 0 && i < n; i++) {
        if (strcmp(rows[i].managed_in, "pmc") != 0)
            continue;
        rc = subs_migrate(db, rows[i].id, clock_now());
        if (rc >= 0)
            rc = audit(db, who, ip, rows[i].partner_id, "subscription.migrated", "subscription",
                       rows[i].id, json_pack("{s:s}", "offer", rows[i].offer_code));
        if (rc >= 0)
            (*migrated)++;
    }
    free(rows);
    return tx_end(db, rc, err);
}
