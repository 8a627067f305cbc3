/*
 * store/vat_checks.c - SQL of VIES checks: which partners are due, and what VIES said.
 *
 * The state lives on the partner's row, beside its VAT ID: a check concerns the number
 * the partner has now, so a verdict on an older number is dropped (WHERE vat_id = ?).
 */
#include "store/vat_checks.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "db/db.h"

const char vat_checks_sql_due[] =
    "SELECT id, vat_id, vat_id_check_tries FROM partners WHERE vat_id IS NOT NULL AND "
    "(vat_id_status = 'pending' OR (vat_id_status = 'unverified' AND vat_id_check_after <= ?)) "
    "ORDER BY vat_id_check_after, id LIMIT ?";

int vat_checks_due(struct db *db, int64_t now, int limit, struct vat_check_row **out, int *count)
{
    struct db_stmt *st;
    int n = 0;
    if (limit < 1)
        limit = 1;
    struct vat_check_row *rows = calloc((size_t)limit, sizeof(*rows));
    if (rows == NULL)
        return PD_E_INTERNAL;
    int rc = db_query(db, &st, vat_checks_sql_due, "ii", now, (int64_t)limit);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    while (n < limit && (rc = db_step(st)) == DB_ROW) {
        struct vat_check_row *r = &rows[n++];
        snprintf(r->partner_id, sizeof(r->partner_id), "%s", db_column_text(st, 0));
        snprintf(r->vat_id, sizeof(r->vat_id), "%s", db_column_text(st, 1));
        r->tries = db_column_int64(st, 2);
    }
    db_finalize(st);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *count = n;
    return 0;
}

int vat_checks_record(struct db *db, const char *partner_id, const char *vat_id, const char *status,
                      int64_t now, int64_t check_after, int64_t tries, const char *consultation,
                      const char *name)
{
    int64_t rc =
        db_run(db,
               "UPDATE partners SET vat_id_status = ?, vat_id_checked_at = ?, "
               "vat_id_check_after = ?, vat_id_check_tries = ?, "
               "vat_id_consultation = COALESCE(?, vat_id_consultation), "
               "vat_id_vies_name = COALESCE(?, vat_id_vies_name) WHERE id = ? AND "
               "vat_id = ?",
               "tiiitttt", status, now, check_after, tries, consultation, name, partner_id, vat_id);
    return rc < 0 ? (int)rc : rc > 0;
}
