/* error.c - the error table. One row per enum pd_status, in the order of the enum; the
 * wording of each is in the message catalog (core/messages.def). */
#include "error.h"

#include "core/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct status_row {
    const char *code;
    int http;
    enum msg_id message; /* its fr and en wording, in the message catalog */
};

static const struct status_row rows[PD_E__COUNT] = {
    [0] = {"ok", 200, MSG_ERR_OK},
    [1] = {"internal_error", 500, MSG_ERR_INTERNAL_ERROR},
    [2] = {"invalid_json", 400, MSG_ERR_INVALID_JSON},
    [3] = {"invalid_request", 422, MSG_ERR_INVALID_REQUEST},
    [4] = {"not_found", 404, MSG_ERR_NOT_FOUND},
    [5] = {"method_not_allowed", 405, MSG_ERR_METHOD_NOT_ALLOWED},
    [6] = {"payload_too_large", 413, MSG_ERR_PAYLOAD_TOO_LARGE},
    [7] = {"unsupported_media_type", 415, MSG_ERR_UNSUPPORTED_MEDIA_TYPE},
    [8] = {"unauthenticated", 401, MSG_ERR_UNAUTHENTICATED},
    [9] = {"forbidden", 403, MSG_ERR_FORBIDDEN},
    [10] = {"conflict", 409, MSG_ERR_CONFLICT},
    [11] = {"database_error", 500, MSG_ERR_DATABASE_ERROR},
    [12] = {"database_busy", 503, MSG_ERR_DATABASE_BUSY},
    [13] = {"constraint_violation", 409, MSG_ERR_CONSTRAINT_VIOLATION},
    [14] = {"schema_too_new", 500, MSG_ERR_SCHEMA_TOO_NEW},
    [15] = {"service_unavailable", 503, MSG_ERR_SERVICE_UNAVAILABLE},
    [16] = {"idempotency_key_reused", 409, MSG_ERR_IDEMPOTENCY_KEY_REUSED},
    [17] = {"amount_overflow", 422, MSG_ERR_AMOUNT_OVERFLOW},
    [18] = {"unknown_currency", 422, MSG_ERR_UNKNOWN_CURRENCY},
    [19] = {"invalid_query", 400, MSG_ERR_INVALID_QUERY},
    [20] = {"invalid_credentials", 401, MSG_ERR_INVALID_CREDENTIALS},
    [21] = {"second_factor_required", 401, MSG_ERR_SECOND_FACTOR_REQUIRED},
    [22] = {"invalid_second_factor", 401, MSG_ERR_INVALID_SECOND_FACTOR},
    [23] = {"too_many_attempts", 429, MSG_ERR_TOO_MANY_ATTEMPTS},
    [24] = {"csrf_token_invalid", 403, MSG_ERR_CSRF_TOKEN_INVALID},
    [25] = {"email_taken", 409, MSG_ERR_EMAIL_TAKEN},
    [26] = {"last_global_admin", 409, MSG_ERR_LAST_GLOBAL_ADMIN},
    [27] = {"invitation_invalid", 410, MSG_ERR_INVITATION_INVALID},
    [28] = {"session_expired", 401, MSG_ERR_SESSION_EXPIRED},
    [29] = {"second_factor_enrolment_required", 403, MSG_ERR_SECOND_FACTOR_ENROLMENT_REQUIRED},
    [30] = {"second_factor_mandatory", 409, MSG_ERR_SECOND_FACTOR_MANDATORY},
    [31] = {"auto_renew_locked", 409, MSG_ERR_AUTO_RENEW_LOCKED},
    [32] = {"managed_in_pmc", 409, MSG_ERR_MANAGED_IN_PMC},
    [33] = {"subscription_cancelled", 409, MSG_ERR_SUBSCRIPTION_CANCELLED},
    [34] = {"certified_person_taken", 409, MSG_ERR_CERTIFIED_PERSON_TAKEN},
    [35] = {"renewal_not_open", 409, MSG_ERR_RENEWAL_NOT_OPEN},
    [36] = {"renewal_window_closed", 409, MSG_ERR_RENEWAL_WINDOW_CLOSED},
    [37] = {"prerequisites_not_met", 409, MSG_ERR_PREREQUISITES_NOT_MET},
    [38] = {"already_subscribed", 409, MSG_ERR_ALREADY_SUBSCRIBED},
    [39] = {"pending_payment", 409, MSG_ERR_PENDING_PAYMENT},
    [40] = {"not_member", 409, MSG_ERR_NOT_MEMBER},
    [41] = {"card_invalid", 422, MSG_ERR_CARD_INVALID},
    [42] = {"card_expired", 422, MSG_ERR_CARD_EXPIRED},
    [43] = {"payment_declined", 402, MSG_ERR_PAYMENT_DECLINED},
    [44] = {"insufficient_funds", 402, MSG_ERR_INSUFFICIENT_FUNDS},
    [45] = {"payment_unknown", 502, MSG_ERR_PAYMENT_UNKNOWN},
    [46] = {"order_state", 409, MSG_ERR_ORDER_STATE},
    [47] = {"no_saved_card", 409, MSG_ERR_NO_SAVED_CARD},
    [48] = {"price_missing", 409, MSG_ERR_PRICE_MISSING},
    [49] = {"length_required", 411, MSG_ERR_LENGTH_REQUIRED},
    /* faults and security */
    [50] = {"second_factor_off", 409, MSG_ERR_SECOND_FACTOR_OFF},
    [51] = {"second_factor_already_on", 409, MSG_ERR_SECOND_FACTOR_ALREADY_ON},
    [52] = {"no_enrolment_in_progress", 409, MSG_ERR_NO_ENROLMENT_IN_PROGRESS},
    [53] = {"password_reset_invalid", 410, MSG_ERR_PASSWORD_RESET_INVALID},
    /* e-invoices, Factur-X documents */
    [65] = {"e_invoice_unavailable", 404, MSG_ERR_E_INVOICE_UNAVAILABLE},
    [90] = {"referral_state", 409, MSG_ERR_REFERRAL_STATE},
    [91] = {"referral_link_invalid", 410, MSG_ERR_REFERRAL_LINK_INVALID},
    [92] = {"referral_limit_reached", 429, MSG_ERR_REFERRAL_LIMIT},
    [93] = {"profile_incomplete", 409, MSG_ERR_PROFILE_INCOMPLETE},
    /* benefits (issue 18) */
    [80] = {"no_support_incident_left", 409, MSG_ERR_NO_SUPPORT_INCIDENT_LEFT},
    [81] = {"key_pool_empty", 409, MSG_ERR_KEY_POOL_EMPTY},
    [82] = {"benefit_not_available", 409, MSG_ERR_BENEFIT_NOT_AVAILABLE},
    [83] = {"keys_secret_unavailable", 503, MSG_ERR_KEYS_SECRET_UNAVAILABLE},
    /* the ecosystem (issue 21) */
    [100] = {"statement_invalid", 422, MSG_ERR_STATEMENT_INVALID},
    [101] = {"refund_not_payable", 409, MSG_ERR_REFUND_NOT_PAYABLE},
    [102] = {"statement_other_account", 422, MSG_ERR_STATEMENT_OTHER_ACCOUNT},
    /* the portal (issue 17) */
    [70] = {"transfer_resolved", 409, MSG_ERR_TRANSFER_RESOLVED},
    [71] = {"transfer_not_reopenable", 409, MSG_ERR_TRANSFER_FINAL},
    /* card payments (issue 16) */
    [120] = {"card_data_refused", 422, MSG_ERR_CARD_DATA_REFUSED},
    [121] = {"authentication_failed", 402, MSG_ERR_PAYMENT_CHALLENGE},
    [122] = {"event_signature_invalid", 400, MSG_ERR_EVENT_SIGNATURE},
    [123] = {"payment_attempts_exhausted", 409, MSG_ERR_PAYMENT_ATTEMPTS},
};

int pd_status_known(enum pd_status s)
{
    int i = -(int)s;
    return i >= 0 && i < PD_E__COUNT && rows[i].code != NULL;
}

static const struct status_row *row(enum pd_status s)
{
    return &rows[pd_status_known(s) ? -(int)s : 1];
}

bool pd_status_is_failure(enum pd_status s)
{
    return s == PD_E_DB || s == PD_E_DB_BUSY || s == PD_E_DB_CONSTRAINT || s == PD_E_UNAVAILABLE ||
           s == PD_E_INTERNAL;
}

const char *pd_status_code(enum pd_status s)
{
    return row(s)->code;
}

int pd_status_http(enum pd_status s)
{
    return row(s)->http;
}

const char *pd_status_message(enum pd_status s, const char *lang)
{
    return msg_text(row(s)->message, lang);
}

int pd_fail(struct pd_error *e, enum pd_status code, const char *fmt, ...)
{
    if (e) {
        e->code = code;
        e->message[0] = '\0';
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(e->message, sizeof(e->message), fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

void pd_error_detail(struct pd_error *e, const char *key, json_t *value)
{
    if (e->details == NULL)
        e->details = json_object();
    json_object_set_new(e->details, key, value);
}

json_t *pd_problem(enum msg_id why, const char *const args[], int nargs)
{
    json_t *a = json_array();
    for (int i = 0; i < nargs; i++)
        json_array_append_new(a, json_string(args[i] ? args[i] : ""));
    return json_pack("{s:s, s:o}", "msg", msg_key(why), "args", a);
}

json_t *pd_problem_at(json_t *where, json_t *problem)
{
    if (problem == NULL) {
        json_decref(where);
        return NULL;
    }
    json_object_set_new(problem, "at", where);
    return problem;
}

int pd_fail_field(struct pd_error *e, enum pd_status code, const char *field, enum msg_id why,
                  const char *arg)
{
    const char *args[1] = {arg};
    char text[300];
    pd_fail(e, code, "%s: %s", field, msg_format(text, sizeof(text), why, "en", args, arg ? 1 : 0));
    json_t *fields = json_object();
    json_object_set_new(fields, field, pd_problem(why, args, arg ? 1 : 0));
    pd_error_detail(e, "fields", fields);
    return code;
}

char *pd_problem_text(const json_t *problem, const char *lang, char *out, size_t n)
{
    const char *args[10];
    int nargs = 0;
    size_t i, used = 0;
    json_t *a;
    out[0] = '\0';
    int id = msg_find(json_string_value(json_object_get(problem, "msg")));
    if (id < 0)
        return out;
    json_array_foreach(json_object_get(problem, "args"), i, a)
    {
        if (nargs < 10)
            args[nargs++] = json_string_value(a);
    }
    const json_t *at = json_object_get(problem, "at");
    if (json_is_object(at)) { /* where it is, first */
        pd_problem_text(at, lang, out, n);
        used = strlen(out);
    }
    msg_format(out + used, n - used, (enum msg_id)id, lang, args, nargs);
    return out;
}

/* The wording of one problem: a catalog reference, or a text kept as it is. */
static json_t *problem_text(json_t *p, const char *lang)
{
    char text[512];
    if (!json_is_object(p) || msg_find(json_string_value(json_object_get(p, "msg"))) < 0)
        return json_incref(p);
    return json_string(pd_problem_text(p, lang, text, sizeof(text)));
}

json_t *pd_details_localized(const json_t *details, const char *lang)
{
    json_t *out = details ? json_deep_copy(details) : json_object();
    json_t *fields = json_object_get(out, "fields");
    for (void *it = json_object_iter(fields); it; it = json_object_iter_next(fields, it))
        json_object_iter_set_new(fields, it, problem_text(json_object_iter_value(it), lang));
    json_t *problem = json_object_get(out, "problem"); /* one problem of the whole request */
    if (json_is_object(problem))
        json_object_set_new(out, "problem", problem_text(problem, lang));
    return out;
}

void pd_error_clear(struct pd_error *e)
{
    json_decref(e->details);
    memset(e, 0, sizeof(*e));
}
