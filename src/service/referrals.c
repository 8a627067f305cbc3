/*
 * service/referrals.c - a referral's life on the partner's side (its list, its answer, its
 * notes), the staff's funnel and the jobs that expire and erase referrals.
 *
 * Each use case runs in one transaction and writes its outbox events there
 * (service/referral_notify.c). The customer's side is service/referral_requests.c.
 */
#include "service/page.h"
#include "service/referrals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/text.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/referral_notify.h"
#include "service/settings.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/referrals.h"

#define NOTE_MAX 5000

static const char *const statuses[] = {"new", "accepted", "declined", "expired",
                                       "won", "lost",     NULL};

/* ---- views ---- */

static json_t *instant_or_null(int64_t t)
{
    char at[21];
    return t ? json_string(instant_format(t, at)) : json_null();
}

static json_t *referral_view(const struct referral_row *r)
{
    return json_pack("{s:s, s:s, s:o, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:b, s:s, s:s?, s:o, "
                     "s:o, s:o, s:o, s:o, s:b}",
                     "id", r->id, "status", r->status, "status_label",
                     referral_status_label(r->status), "name", r->name, "company", r->company,
                     "email", r->email, "phone", r->phone, "country", r->country, "need", r->need,
                     "consent", r->consent, "lang", r->lang, "decline_reason", r->decline_reason,
                     "created_at", instant_or_null(r->created_at), "confirmed_at",
                     instant_or_null(r->confirmed_at), "respond_by", instant_or_null(r->respond_by),
                     "responded_at", instant_or_null(r->responded_at), "closed_at",
                     instant_or_null(r->closed_at), "erased", r->erased_at != 0);
}

/* ---- the partner's side ---- */

int referral_page(struct db *db, const struct principal *who, const char *status,
                  const struct page_in *page, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct referral_row *rows = NULL;
    struct checks ck = {0};
    struct page_request p;
    char next[CURSOR_TEXT_MAX];
    int n = 0;
    int64_t counts[7] = {0};
    page_check(&ck, page, &p);
    if (!check_one_of(status, statuses))
        check_fail_one_of(&ck, "status", statuses);
    int rc = page_checks_done(&ck, err);
    if (rc < 0)
        return rc;
    if ((rc = referrals_page(db, &a, who->partner_id, status, &p, &rows, &n)) < 0 ||
        (rc = referrals_counts(db, who->partner_id, statuses, counts)) < 0) {
        arena_free(&a);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    json_t *items = json_array(), *c = json_object();
    int shown = page_shown(&p, n);
    for (int i = 0; i < shown; i++)
        json_array_append_new(items, referral_view(&rows[i]));
    page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
              next);
    for (int i = 0; statuses[i]; i++)
        json_object_set_new(c, statuses[i], json_integer(counts[i]));
    *out = json_pack("{s:o, s:o, s:s?}", "items", items, "counts", c, "next_cursor",
                     next[0] ? next : NULL);
    arena_free(&a);
    return 0;
}

/* The referral with its notes, in the caller's transaction. */
static int full_view(struct db *db, struct arena *a, const struct referral_row *r, json_t **out)
{
    struct referral_note *notes = NULL;
    int n = 0;
    int rc = referral_notes_list(db, a, r->id, &notes, &n);
    if (rc < 0)
        return rc;
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        char at[21];
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "id", notes[i].id, "author",
                                              notes[i].author, "body", notes[i].body, "created_at",
                                              instant_format(notes[i].created_at, at)));
    }
    *out = referral_view(r);
    json_object_set_new(*out, "notes", list);
    return 0;
}

static int load(struct db *db, struct arena *a, const struct principal *who, const char *id,
                struct referral_row *r, struct pd_error *err)
{
    int rc = referrals_find(db, a, id, who->partner_id, r);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return rc == 0 ? pd_fail(err, PD_E_NOT_FOUND, NULL) : 0;
}

int referral_get(struct db *db, const struct principal *who, const char *id, json_t **out,
                 struct pd_error *err)
{
    struct arena a = {0};
    struct referral_row r;
    int rc = load(db, &a, who, id, &r, err);
    if (rc >= 0 && (rc = full_view(db, &a, &r, out)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

int referral_change(struct db *db, const struct principal *who, const char *ip, const char *id,
                    const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"status", "reason", NULL};
    static const char *const targets[] = {"accepted", "declined", "won", "lost", NULL};
    struct checks c = {0};
    struct arena a = {0};
    struct referral_row r;
    struct settings s;
    check_known_keys(&c, body, "", keys);
    const char *to = check_text(&c, body, "status", "status", true, 16);
    if (to && !check_one_of(to, targets))
        check_fail_one_of(&c, "status", targets), to = NULL;
    const char *reason = check_text(&c, body, "reason", "reason", false, 500);
    if (to && !strcmp(to, "declined") && reason == NULL)
        check_fail(&c, "reason", MSG_FIELD_REASON_REQUIRED);
    else if (to && strcmp(to, "declined") != 0 && json_object_get(body, "reason"))
        check_fail(&c, "reason", MSG_FIELD_REASON_DECLINE_ONLY); /* kept as decline_reason */
    *out = NULL;
    int rc = tx_begin(db, err);
    if (rc < 0) {
        json_decref(c.fields);
        return rc;
    }
    /* another organisation's: 404 whatever the body */
    if ((rc = load(db, &a, who, id, &r, err)) < 0)
        json_decref(c.fields);
    else
        rc = check_done(&c, err);
    settings_load(db, &s);
    int64_t now = clock_now();
    const char *from = rc >= 0 ? r.status : NULL;
    bool allowed =
        from && to &&
        ((!strcmp(from, "new") && (!strcmp(to, "accepted") || !strcmp(to, "declined"))) ||
         (!strcmp(from, "accepted") && (!strcmp(to, "won") || !strcmp(to, "lost"))));
    /* past the deadline a new referral is expired, whether the job ran yet or not */
    if (allowed && !strcmp(from, "new") && now > r.respond_by)
        allowed = false;
    if (rc >= 0 && !allowed) {
        rc = pd_fail(err, PD_E_REFERRAL_STATE, NULL);
        pd_error_detail(err, "status", json_string(from));
    }
    int moved = rc < 0 || !to || !from ? 0 : referrals_move(db, r.id, from, to, reason, now);
    if (rc >= 0 && moved <= 0)
        rc = moved < 0 ? pd_fail(err, moved, "%s", db_errmsg(db))
                       : pd_fail(err, PD_E_REFERRAL_STATE, NULL);
    if (rc >= 0 && to && from) {
        r.status = to;
        r.updated_at = now;
        if (!strcmp(from, "new"))
            r.responded_at = now;
        if (strcmp(to, "accepted") != 0)
            r.closed_at = now;
        if (reason && !strcmp(to, "declined"))
            r.decline_reason = reason;
        rc = referral_tell(db, &s, &r, "referral.updated", !strcmp(from, "new"));
    }
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "referral.updated", "referral", r.id,
                   json_pack("{s:s, s:s, s:s?}", "from", from, "to", to, "reason", reason));
    if (rc >= 0 && (rc = full_view(db, &a, &r, out)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    arena_free(&a);
    if ((rc = tx_end(db, rc, err)) < 0 && rc != PD_E_REFERRAL_STATE && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc < 0 ? rc : 0;
}

int referral_note(struct db *db, const struct principal *who, const char *ip, const char *id,
                  const json_t *body, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct referral_row r;
    struct checks c = {0};
    check_known_keys(&c, body, "", (const char *const[]){"body", NULL});
    const char *text = json_string_value(json_object_get(body, "body"));
    if (text == NULL || text[0] == '\0' || strlen(text) > NOTE_MAX ||
        !text_utf8_valid(text, strlen(text)))
        check_fail(&c, "body", MSG_FIELD_NOTE);
    *out = NULL;
    int rc = tx_begin(db, err);
    if (rc < 0) {
        json_decref(c.fields);
        return rc;
    }
    char nid[32];
    id_new("rnote", nid, sizeof(nid));
    /* another organisation's: 404 whatever the body */
    if ((rc = load(db, &a, who, id, &r, err)) < 0)
        json_decref(c.fields);
    else
        rc = check_done(&c, err);
    if (rc >= 0 && (rc = referral_notes_add(db, nid, r.id, who->user_id, text, clock_now())) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "referral.note", "referral", r.id, NULL);
    if (rc >= 0 && (rc = full_view(db, &a, &r, out)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    arena_free(&a);
    return tx_end_answer(db, rc, out, err);
}

/* ---- staff ---- */

static json_t *funnel_view(int64_t received, int64_t accepted, int64_t declined, int64_t expired,
                           int64_t won, int64_t lost)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "received", (json_int_t)received, "accepted",
                     (json_int_t)accepted, "declined", (json_int_t)declined, "expired",
                     (json_int_t)expired, "won", (json_int_t)won, "lost", (json_int_t)lost);
}

int referral_funnel(struct db *db, json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct funnel_row *rows = NULL;
    int n = 0;
    int rc = referrals_funnel(db, &a, &rows, &n);
    if (rc < 0) {
        arena_free(&a);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    struct funnel_row all = {0};
    json_t *partners = json_array();
    for (int i = 0; i < n; i++) {
        json_t *v = funnel_view(rows[i].received, rows[i].accepted, rows[i].declined,
                                rows[i].expired, rows[i].won, rows[i].lost);
        json_object_set_new(v, "partner_id", json_string(rows[i].partner_id));
        json_object_set_new(v, "name", json_string(rows[i].name));
        json_array_append_new(partners, v);
        all.received += rows[i].received;
        all.accepted += rows[i].accepted;
        all.declined += rows[i].declined;
        all.expired += rows[i].expired;
        all.won += rows[i].won;
        all.lost += rows[i].lost;
    }
    *out = json_pack(
        "{s:o, s:o}", "overall",
        funnel_view(all.received, all.accepted, all.declined, all.expired, all.won, all.lost),
        "partners", partners);
    arena_free(&a);
    return 0;
}

/* ---- jobs ---- */

int referral_expiry_run(struct db *db)
{
    struct arena a = {0};
    struct pd_error err = {0};
    struct settings s;
    const char **ids = NULL;
    int n = 0, done = 0;
    int64_t now = clock_now();
    int rc = referrals_overdue(db, &a, now, &ids, &n);
    settings_load(db, &s);
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct referral_row r;
        if ((rc = tx_begin(db, &err)) < 0)
            break;
        int found = referrals_find(db, &a, ids[i], NULL, &r);
        int moved = found > 0 ? referrals_move(db, r.id, "new", "expired", NULL, now) : found;
        rc = moved < 0 ? moved : 0;
        if (moved > 0) {
            r.status = "expired";
            r.closed_at = now;
            rc = referral_tell(db, &s, &r, "referral.updated", true);
            done++;
        }
        rc = tx_end(db, rc, &err);
    }
    pd_error_clear(&err);
    arena_free(&a);
    return rc < 0 ? rc : done;
}

int referral_retention_run(struct db *db)
{
    struct arena a = {0};
    struct pd_error err = {0};
    struct settings s;
    const char **ids = NULL;
    int n = 0;
    settings_load(db, &s);
    int64_t now = clock_now();
    struct date limit = date_add_months(clock_today(), -(int)s.referral_retention_months);
    int rc = tx_begin(db, &err);
    if (rc >= 0) {
        int dropped = referrals_drop_unconfirmed(db, now);
        rc = dropped < 0 ? dropped : 0;
        if (rc >= 0)
            rc = referrals_expired_retention(db, &a, date_start_instant(limit), &ids, &n);
        for (int i = 0; rc >= 0 && i < n; i++)
            rc = referrals_erase(db, ids[i], now);
        if (rc >= 0 && n > 0)
            rc = audit(db, NULL, NULL, NULL, "referral.retention", "referral", NULL,
                       json_pack("{s:i}", "erased", n));
        if (rc >= 0)
            n += dropped;
        rc = tx_end(db, rc, &err);
    }
    pd_error_clear(&err);
    arena_free(&a);
    return rc < 0 ? rc : n;
}
