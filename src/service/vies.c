/*
 * service/vies.c - the VIES check of VAT IDs: what to ask, how to read the answer, what
 * to record.
 *
 * VIES's REST API answers POST check-vat-number {"countryCode","vatNumber"} with
 * {"valid": true|false, "name", "address", "requestIdentifier", ...}. When a member
 * state's register cannot be reached it says so in "userError" (MS_UNAVAILABLE, TIMEOUT,
 * MS_MAX_CONCURRENT_REQ, GLOBAL_MAX_CONCURRENT_REQ, SERVICE_UNAVAILABLE) with valid false,
 * or in {"actionSucceed": false, "errorWrappers": [{"error": ...}]} with an HTTP error:
 * those, and anything partnerd cannot read, leave the number unverified rather than
 * invalid. Only an explicit valid false (userError absent, "VALID" or "INVALID") or
 * INVALID_INPUT makes it invalid.
 *
 * An invalid number is written in the organisation's audit trail
 * (partner.vat_id_invalid, on the console's partner page) for finance, and from then on
 * its sales are priced as to a buyer without a VAT ID (service/pricing.c): reverse charge
 * needs a valid number, and a seller who reverse-charges on an invalid one owes the VAT.
 */
#include "service/vies.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/country.h"
#include "core/vat_id.h"
#include "service/audit.h"
#include "service/settings.h"
#include "service/tx.h"

#define RETRY_FIRST_S 600 /* 10 minutes after the first failure */
#define RETRY_MAX_S 86400 /* never more than a day apart */

bool vies_knows(const char *vat_id)
{
    char country[3];
    if (vat_id == NULL || strlen(vat_id) < 3)
        return false;
    if (strncmp(vat_id, "XI", 2) == 0)
        return true;
    snprintf(country, sizeof(country), "%.2s", strncmp(vat_id, "EL", 2) == 0 ? "GR" : vat_id);
    return country_in_eu(country);
}

const char *vies_initial_status(const struct settings *s, const char *vat_id)
{
    return s->vies_enabled && vies_knows(vat_id) ? "pending" : "not_checked";
}

const char *vies_status_view(const char *stored)
{
    if (strcmp(stored, "valid") == 0 || strcmp(stored, "invalid") == 0)
        return stored;
    if (strcmp(stored, "pending") == 0 || strcmp(stored, "unverified") == 0)
        return "unverified";
    return "not_checked";
}

static void copy_string(const json_t *obj, const char *key, char *out, size_t n)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
}

void vies_parse(long http_status, const char *body, size_t len, struct vies_answer *out)
{
    memset(out, 0, sizeof(*out));
    out->verdict = VIES_UNAVAILABLE;
    if (http_status == 0) {
        snprintf(out->error, sizeof(out->error), "NO_ANSWER");
        return;
    }
    json_t *root = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const json_t *wrappers = json_object_get(root, "errorWrappers");
    if (json_is_array(wrappers) && json_array_size(wrappers) > 0) {
        copy_string(json_array_get(wrappers, 0), "error", out->error, sizeof(out->error));
        if (strcmp(out->error, "INVALID_INPUT") == 0 && http_status < 500)
            out->verdict = VIES_INVALID;
    } else if (http_status < 200 || http_status > 299 || !json_is_object(root)) {
        snprintf(out->error, sizeof(out->error), "HTTP_%ld", http_status);
    } else {
        const json_t *valid = json_object_get(root, "valid");
        if (!json_is_boolean(valid))
            valid = json_object_get(root, "isValid");
        copy_string(root, "userError", out->error, sizeof(out->error));
        bool error_free = out->error[0] == '\0' || strcmp(out->error, "VALID") == 0 ||
                          strcmp(out->error, "INVALID") == 0;
        if (json_is_true(valid)) {
            out->verdict = VIES_VALID;
        } else if (json_is_false(valid) && error_free) {
            out->verdict = VIES_INVALID;
        } else if (out->error[0] == '\0') {
            snprintf(out->error, sizeof(out->error), "UNREADABLE");
        }
        copy_string(root, "requestIdentifier", out->consultation, sizeof(out->consultation));
        copy_string(root, "name", out->name, sizeof(out->name));
        if (strcmp(out->name, "---") == 0) /* VIES's "not disclosed" */
            out->name[0] = '\0';
        if (out->verdict != VIES_UNAVAILABLE && error_free)
            out->error[0] = '\0';
    }
    json_decref(root);
}

bool vies_request_body(const char *vat_id, const char *seller_vat_id, char *out, size_t n)
{
    json_t *req =
        json_pack("{s:s%, s:s}", "countryCode", vat_id, (size_t)2, "vatNumber", vat_id + 2);
    if (seller_vat_id && vies_knows(seller_vat_id) && vat_id_valid(seller_vat_id)) {
        json_object_set_new(req, "requesterMemberStateCode", json_stringn(seller_vat_id, 2));
        json_object_set_new(req, "requesterNumber", json_string(seller_vat_id + 2));
    }
    char *text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(req);
    bool ok = text && strlen(text) < n;
    if (ok)
        snprintf(out, n, "%s", text);
    free(text);
    return ok;
}

int vies_due(struct db *db, int limit, struct vat_check_row **out, int *count)
{
    return vat_checks_due(db, clock_now(), limit, out, count);
}

int vies_record(struct db *db, const struct vat_check_row *row, const struct vies_answer *a)
{
    int64_t now = clock_now();
    const char *consultation = a->consultation[0] ? a->consultation : NULL;
    const char *name = a->name[0] ? a->name : NULL;
    int rc;
    if (a->verdict == VIES_VALID) {
        rc = vat_checks_record(db, row->partner_id, row->vat_id, "valid", now, 0, 0, consultation,
                               name);
        return rc < 0 ? rc : 0;
    }
    if (a->verdict == VIES_INVALID) { /* staff are told, in the organisation's audit trail */
        struct pd_error err = {0};
        if ((rc = tx_begin(db, &err)) < 0)
            return rc;
        rc = vat_checks_record(db, row->partner_id, row->vat_id, "invalid", now, 0, 0,
                               consultation, NULL);
        if (rc > 0)
            rc = audit(db, NULL, NULL, row->partner_id, "partner.vat_id_invalid", "partner",
                       row->partner_id,
                       json_pack("{s:s, s:s?}", "vat_id", row->vat_id, "consultation",
                                 consultation));
        return tx_end(db, rc, &err);
    }
    int64_t delay = RETRY_FIRST_S;
    for (int64_t i = 0; i < row->tries && delay < RETRY_MAX_S; i++)
        delay *= 2;
    if (delay > RETRY_MAX_S)
        delay = RETRY_MAX_S;
    rc = vat_checks_record(db, row->partner_id, row->vat_id, "unverified", now, now + delay,
                           row->tries + 1, NULL, NULL);
    return rc < 0 ? rc : 0;
}
