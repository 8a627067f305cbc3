/*
 * service/support.c - support requests (SPEC section 6).
 *
 * A request moves open -> in_progress -> resolved -> closed; the partner may reopen a
 * resolved request within SUPPORT_REOPEN_DAYS, after which the `support_autoclose` job
 * closes it. Every change is told to the other side: the organisation's billing contacts
 * hear of staff changes (event support.updated), the support staff of partner changes.
 *
 * Each use case reads the request once, in its transaction, into a typed row; what it
 * changes it also changes in that row, and the answer is shaped from it (support_view),
 * with the request's messages and files.
 */
#include "service/partner_search.h"
#include "service/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/card.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/msg.h"
#include "db/db.h"
#include "service/audit.h"
#include "service/benefits.h"
#include "service/outbox.h"
#include "service/support_catalog.h"
#include "service/tx.h"
#include "service/validate.h"
#include "store/counters.h"
#include "store/orders.h"
#include "store/outbox.h"
#include "store/subscriptions.h"

static const char *const request_statuses[] = {"open", "in_progress", "resolved", "closed", NULL};

/* ---- views ---- */

struct label {
    const char *code;
    enum msg_id text;
};

/* {"fr","en"} labels of code in labels (n of them); an unknown code is its own label. */
static json_t *label_of(const char *code, const struct label *labels, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(labels[i].code, code))
            return json_pack("{s:s, s:s}", "fr", msg_text(labels[i].text, "fr"), "en",
                             msg_text(labels[i].text, "en"));
    return json_pack("{s:s, s:s}", "fr", code, "en", code);
}

static json_t *status_label(const char *status)
{
    static const struct label labels[] = {{"open", MSG_SUPPORT_STATUS_OPEN},
                                          {"in_progress", MSG_SUPPORT_STATUS_IN_PROGRESS},
                                          {"resolved", MSG_SUPPORT_STATUS_RESOLVED},
                                          {"closed", MSG_SUPPORT_STATUS_CLOSED}};
    return label_of(status, labels, sizeof(labels) / sizeof(labels[0]));
}

/* What changed (support_notify()'s what), worded for an email: "opened" is no French. */
static json_t *change_label(const char *what)
{
    static const struct label labels[] = {
        {"opened", MSG_SUPPORT_CHANGE_OPENED},         {"message", MSG_SUPPORT_CHANGE_MESSAGE},
        {"attachment", MSG_SUPPORT_CHANGE_ATTACHMENT}, {"reopened", MSG_SUPPORT_CHANGE_REOPENED},
        {"status", MSG_SUPPORT_CHANGE_STATUS},         {"resolved", MSG_SUPPORT_CHANGE_RESOLVED}};
    return label_of(what, labels, sizeof(labels) / sizeof(labels[0]));
}

/* The API object of a request without its messages. */
static json_t *request_view(const struct request_row *r)
{
    char created[21], updated[21], resolved[21];
    return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, "
                     "s:s, s:s}",
                     "id", r->id, "number", r->number, "partner_id", r->partner_id,
                     "subscription_id", r->subscription_id, "category", r->category, "problem_type",
                     r->problem_type, "kind", r->kind, "title", r->title, "description",
                     r->description, "status", r->status, "assignee_id", r->assignee_id,
                     "created_by", r->created_by, "resolved_at",
                     r->resolved_at ? instant_format(r->resolved_at, resolved) : NULL, "resolution",
                     r->resolution, "created_at", instant_format(r->created_at, created),
                     "updated_at", instant_format(r->updated_at, updated));
}

static json_t *message_view(const struct request_message *m)
{
    char at[21];
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", m->id, "from",
                     m->from_staff ? "staff" : "partner", "author", m->author, "body", m->body,
                     "created_at", instant_format(m->created_at, at));
}

static json_t *file_view(const struct request_file *f)
{
    char at[21];
    return json_pack("{s:s, s:s, s:s, s:I, s:s}", "id", f->id, "filename", f->filename,
                     "content_type", f->content_type, "size", (json_int_t)f->size, "created_at",
                     instant_format(f->created_at, at));
}

int support_view(struct db *db, const struct request_row *req, json_t **out)
{
    struct arena a = {0};
    struct request_message *messages = NULL;
    struct request_file *files = NULL;
    int nmessages = 0, nfiles = 0;
    int rc = requests_messages(db, &a, req->id, &messages, &nmessages);
    if (rc >= 0)
        rc = requests_files(db, &a, req->id, &files, &nfiles);
    if (rc >= 0) {
        json_t *m = json_array(), *f = json_array();
        for (int i = 0; i < nmessages; i++)
            json_array_append_new(m, message_view(&messages[i]));
        for (int i = 0; i < nfiles; i++)
            json_array_append_new(f, file_view(&files[i]));
        *out = request_view(req);
        json_object_set_new(*out, "messages", m);
        json_object_set_new(*out, "attachments", f);
    }
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

void support_set_status(struct request_row *req, const char *status, int64_t now)
{
    req->status = status;
    req->updated_at = now;
    if (!strcmp(status, "resolved"))
        req->resolved_at = now;
}

/* ---- shared steps ---- */

int support_load(struct db *db, struct arena *a, const struct principal *who, const char *id,
                 struct request_row *out, struct pd_error *err)
{
    int rc = requests_find(db, a, id, who->staff ? NULL : who->partner_id, out);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (rc == 0)
        return pd_fail(err, PD_E_NOT_FOUND, NULL);
    return 0;
}

int support_notify(struct db *db, const struct request_row *req, bool by_staff, const char *what,
                   const char *message)
{
    json_t *payload = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s}", "request_id", req->id, "number", req->number,
        "title", req->title, "status", req->status, "status_label", status_label(req->status),
        "change", what, "change_label", change_label(what), "message", message ? message : "");
    if (by_staff)
        return outbox_emit_user(db, req->partner_id, "support.updated", payload, req->created_by);
    struct contact *staff = NULL;
    int n = 0;
    int rc = staff_contacts(db, "support", &staff, &n);
    if (rc >= 0 && n > 0)
        rc = outbox_emit_to(db, req->partner_id, "support.staff_notice", payload, staff, n);
    else
        json_decref(payload);
    free(staff);
    return rc;
}

int support_open(struct db *db, struct arena *a, const struct principal *who, const char *ip,
                 struct support_new *r, struct request_row *out)
{
    int64_t seq = 0, now = clock_now();
    id_new("req", r->id, sizeof(r->id));
    r->partner_id = who->partner_id;
    r->created_by = who->user_id;
    int rc = counters_next(db, "support_request", &seq);
    snprintf(r->number, sizeof(r->number), "SR-%06lld", (long long)seq);
    if (rc >= 0)
        rc = requests_insert(db, r, now);
    if (rc >= 0)
        rc = requests_add_message(db, r->id, who->user_id, false, r->description, now);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "support_request.opened", "support_request", r->id,
                   json_pack("{s:s, s:s, s:s, s:s?}", "number", r->number, "category", r->category,
                             "problem_type", r->problem_type, "subscription_id",
                             r->subscription_id));
    if (rc < 0)
        return rc;
    *out = (struct request_row){.id = arena_strdup(a, r->id),
                                .number = arena_strdup(a, r->number),
                                .partner_id = r->partner_id,
                                .subscription_id = r->subscription_id,
                                .category = r->category,
                                .problem_type = r->problem_type,
                                .kind = r->kind,
                                .title = r->title,
                                .description = r->description,
                                .status = "open",
                                .created_by = r->created_by,
                                .created_at = now,
                                .updated_at = now};
    /* the staff read what the partner asks in the notice itself */
    return support_notify(db, out, false, "opened", r->description);
}

/* Ends the use case: the view of req when everything went well, then the end of the
 * transaction; frees the arena. */
static int finish_with_view(struct db *db, struct arena *a, int rc, const struct request_row *req,
                            json_t **out, struct pd_error *err)
{
    json_t *view = NULL;
    if (rc >= 0)
        rc = support_view(db, req, &view);
    arena_free(a);
    if ((rc = tx_end(db, rc, err)) < 0) {
        json_decref(view);
        return rc;
    }
    *out = view;
    return 0;
}

/* ---- use cases ---- */

int support_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                   json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"title",        "description",     "category",
                                       "problem_type", "subscription_id", NULL};
    struct checks c = {0};
    check_known_keys(&c, body, "", keys);
    const char *title = check_text(&c, body, "title", "title", true, 200);
    const char *description = check_long_text(&c, body, "description", "description");
    const char *category = check_text(&c, body, "category", "category", true, 48);
    const char *problem = check_text(&c, body, "problem_type", "problem_type", true, 64);
    if (category && !support_catalog_has_category(category))
        check_fail(&c, "category", MSG_FIELD_SUPPORT_CATEGORY);
    else if (category && problem && !support_catalog_has_problem(category, problem))
        check_fail(&c, "problem_type", MSG_FIELD_PROBLEM_TYPE);
    const char *sub_id = check_text(&c, body, "subscription_id", "subscription_id", false, 32);
    int rc = check_done(&c, err);
    if (rc < 0 || (rc = tx_begin(db, err)) < 0)
        return rc;
    struct arena a = {0};
    struct request_row req;
    struct sub_row s;
    if (sub_id && (rc = subs_find(db, sub_id, &s)) >= 0 &&
        (rc == 0 || strcmp(s.partner_id, who->partner_id) != 0))
        rc = pd_fail_field(err, PD_E_INVALID_REQUEST, "subscription_id",
                           MSG_FIELD_NO_SUCH_SUBSCRIPTION, NULL);
    struct support_new r = {.subscription_id = sub_id,
                            .category = category,
                            .problem_type = problem,
                            .kind = "general",
                            .title = title,
                            .description = description};
    if (rc >= 0)
        rc = support_open(db, &a, who, ip, &r, &req);
    /* technical support uses an incident of the membership, or is refused (issue 18) */
    if (rc >= 0 && support_catalog_consumes_incident(category))
        rc = benefits_use_incident(db, who->partner_id, req.id, err);
    return finish_with_view(db, &a, rc, &req, out, err);
}

int support_list(struct db *db, const struct principal *who, const struct support_query *in,
                 json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err)
{
    struct arena a = {0};
    struct request_row *rows = NULL;
    struct checks c = {0};
    struct page_request p;
    int n = 0;
    /* a number as typed: "sr-000042 " finds SR-000042 (compacted as references are) */
    char number[24] = "";
    if (in->number)
        rf_compact(in->number, number, sizeof(number));
    struct requests_filter f = {
        .partner_id = who->staff ? in->partner_id : who->partner_id,
        .status = in->status,
        .category = in->category,
        .assignee_id = in->assignee_id && !strcmp(in->assignee_id, "none") ? "" : in->assignee_id,
        .number = in->number ? number : NULL,
    };
    page_check(&c, &in->page, &p);
    if (!check_one_of(in->status, request_statuses))
        check_fail_one_of(&c, "status", request_statuses);
    f.from = page_check_date(&c, "from", in->from, false);
    f.to = page_check_date(&c, "to", in->to, true);
    if (page_checks_done(&c, err) < 0)
        return err->code;
    int rc = requests_page(db, &a, &f, &p, &rows, &n);
    if (rc >= 0) {
        int shown = page_shown(&p, n);
        *items = json_array();
        struct partner_name_cache names = {0};
        for (int i = 0; i < shown; i++) {
            json_t *v = request_view(&rows[i]);
            if (who->staff)
                json_object_set_new(v, "partner_name",
                                    partner_search_name(db, rows[i].partner_id, &names));
            json_array_append_new(*items, v);
        }
        page_next(&p, n, shown ? rows[shown - 1].created_at : 0, shown ? rows[shown - 1].id : NULL,
                  next);
    }
    arena_free(&a);
    return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db)) : 0;
}

int support_get(struct db *db, const struct principal *who, const char *id, json_t **out,
                struct pd_error *err)
{
    struct arena a = {0};
    struct request_row req;
    int rc = support_load(db, &a, who, id, &req, err);
    if (rc >= 0 && (rc = support_view(db, &req, out)) < 0)
        pd_fail(err, rc, "%s", db_errmsg(db));
    arena_free(&a);
    return rc < 0 ? err->code : 0;
}

/* PD_E_CONFLICT with details.status "closed". */
static int closed_conflict(struct pd_error *err)
{
    pd_fail(err, PD_E_CONFLICT, "the request is closed");
    pd_error_detail(err, "status", json_string("closed"));
    return PD_E_CONFLICT;
}

int support_add_message(struct db *db, const struct principal *who, const char *ip, const char *id,
                        const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"body", NULL};
    struct checks c = {0};
    struct arena a = {0};
    struct request_row req;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    /* another organisation's: 404 whatever the body */
    if ((rc = support_load(db, &a, who, id, &req, err)) < 0)
        return finish_with_view(db, &a, rc, &req, out, err);
    check_known_keys(&c, body, "", keys);
    const char *text = check_long_text(&c, body, "body", "body");
    if ((rc = check_done(&c, err)) >= 0 && !strcmp(req.status, "closed"))
        rc = closed_conflict(err);
    int64_t now = clock_now();
    if (rc >= 0)
        rc = requests_add_message(db, id, who->user_id, who->staff, text, now);
    /* a staff answer takes an open request in hand */
    if (rc >= 0 && who->staff && !strcmp(req.status, "open") &&
        (rc = requests_set_status(db, id, "open", "in_progress", now)) >= 0)
        support_set_status(&req, "in_progress", now);
    if (rc >= 0)
        rc = audit(db, who, ip, who->staff ? req.partner_id : NULL, "support_request.message",
                   "support_request", id, NULL);
    if (rc >= 0)
        rc = support_notify(db, &req, who->staff, "message", text);
    return finish_with_view(db, &a, rc, &req, out, err);
}

int support_update(struct db *db, const struct principal *who, const char *ip, const char *id,
                   const json_t *body, json_t **out, struct pd_error *err)
{
    static const char *const keys[] = {"status", "assignee_id", "resolution", NULL};
    static const char *const resolutions[] = {"not_a_defect", NULL};
    struct checks c = {.partial = true}; /* assignee_id, which null empties: by hand below */
    check_known_keys(&c, body, "", keys);
    const char *status = check_text(&c, body, "status", "status", false, 16);
    if (!check_one_of(status, request_statuses))
        check_fail_one_of(&c, "status", request_statuses);
    /* "not a defect" (issue 18): closing or resolving gives the incident back */
    const char *resolution = check_text(&c, body, "resolution", "resolution", false, 16);
    if (resolution && (!check_one_of(resolution, resolutions) || status == NULL ||
                       (strcmp(status, "resolved") != 0 && strcmp(status, "closed") != 0)))
        check_fail_one_of(&c, "resolution", resolutions);
    json_t *assignee = json_object_get(body, "assignee_id");
    if (assignee && !json_is_null(assignee) && !json_is_string(assignee))
        check_fail(&c, "assignee_id", MSG_FIELD_STAFF_USER);
    int rc = check_done(&c, err);
    if (rc < 0)
        return rc;
    if (json_is_string(assignee) &&
        (rc = requests_assignable(db, json_string_value(assignee))) <= 0) {
        if (rc < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "assignee_id",
                             MSG_FIELD_NOT_SUPPORT_ACCOUNT, NULL);
    }
    struct arena a = {0};
    struct request_row req;
    if ((rc = tx_begin(db, err)) < 0)
        return rc;
    int64_t now = clock_now();
    rc = support_load(db, &a, who, id, &req, err);
    if (rc >= 0 && status && !strcmp(status, "resolved") && !strcmp(req.kind, "cancellation"))
        rc = pd_fail(err, PD_E_CONFLICT, "a cancellation is resolved with POST .../resolution");
    if (rc >= 0 && status && (rc = requests_set_status(db, id, NULL, status, now)) >= 0)
        support_set_status(&req, status, now);
    if (rc >= 0 && resolution && (rc = requests_set_resolution(db, id, resolution, now)) >= 0) {
        req.resolution = resolution;
        rc = benefits_return_incident(db, id);
    }
    if (rc >= 0 && assignee &&
        (rc = requests_set_assignee(db, id, json_string_value(assignee), now)) >= 0) {
        req.assignee_id = json_string_value(assignee);
        req.updated_at = now;
    }
    if (rc >= 0)
        rc = audit(db, who, ip, req.partner_id, "support_request.updated", "support_request", id,
                   json_deep_copy(body));
    if (rc >= 0 && status)
        rc = support_notify(db, &req, true, "status", NULL);
    return finish_with_view(db, &a, rc, &req, out, err);
}

int support_reopen(struct db *db, const struct principal *who, const char *ip, const char *id,
                   json_t **out, struct pd_error *err)
{
    struct arena a = {0};
    struct request_row req;
    int rc = tx_begin(db, err);
    if (rc < 0)
        return rc;
    int64_t now = clock_now();
    if ((rc = support_load(db, &a, who, id, &req, err)) >= 0 &&
        (strcmp(req.status, "resolved") != 0 || !strcmp(req.kind, "cancellation") ||
         now > instant_add_days(req.resolved_at, SUPPORT_REOPEN_DAYS))) {
        rc = pd_fail(err, PD_E_CONFLICT, "only a resolved request, within %d days",
                     SUPPORT_REOPEN_DAYS);
        pd_error_detail(err, "status", json_string(req.status));
    }
    if (rc >= 0 && (rc = requests_set_status(db, id, "resolved", "open", now)) >= 0)
        support_set_status(&req, "open", now);
    if (rc >= 0)
        rc = audit(db, who, ip, NULL, "support_request.reopened", "support_request", id, NULL);
    if (rc >= 0)
        rc = support_notify(db, &req, false, "reopened", NULL);
    return finish_with_view(db, &a, rc, &req, out, err);
}

/* Days of the business calendar, as support_reopen() counts them: 14 x 86400 seconds would
 * close a request an hour early across the end of summer time. */
int support_autoclose_run(struct db *db)
{
    int64_t now = clock_now();
    return requests_close_resolved(db, instant_add_days(now, -SUPPORT_REOPEN_DAYS), now);
}
