/*
 * store/vat_checks.h - SQL of the VIES checks of partners' VAT IDs (the vat_id_* columns
 * of partners, migration 018).
 */
#ifndef PD_STORE_VAT_CHECKS_H
#define PD_STORE_VAT_CHECKS_H

#include <stdint.h>

struct db;

/* A partner whose VAT ID VIES should be asked about. */
struct vat_check_row {
    char partner_id[32];
    char vat_id[41];
    int64_t tries; /* failed asks so far */
};

/* The partners whose VAT ID is pending, or unverified and due again (vat_id_check_after
 * <= now), oldest first, at most limit. *out is malloc'd (owner: caller, free()). */
int vat_checks_due(struct db *db, int64_t now, int limit, struct vat_check_row **out, int *count);
extern const char vat_checks_sql_due[]; /* for tests/unit/test_plans.c */

/* Records VIES's verdict on vat_id (status "valid", "invalid" or "unverified"), unless
 * the partner's VAT ID changed meanwhile. check_after and tries matter for "unverified";
 * consultation and name may be NULL. 1 when recorded, 0 when the VAT ID changed, or a
 * negative status. */
int vat_checks_record(struct db *db, const char *partner_id, const char *vat_id, const char *status,
                      int64_t now, int64_t check_after, int64_t tries, const char *consultation,
                      const char *name);

#endif
