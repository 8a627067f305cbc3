/*
 * service/dashboard.h - the figures of the staff console's dashboard.
 */
#ifndef PD_SERVICE_DASHBOARD_H
#define PD_SERVICE_DASHBOARD_H

#include <jansson.h>

#include "core/error.h"

struct db;

/* On the business date: the renewals that fall due in each of the next 12 weeks (from
 * this week's Monday; a renewal is due when its window opens), automatic or by hand, and
 * what was invoiced in each of the last 12 months per currency, net of credit notes:
 * {"today","renewals_due":[{"week_of","automatic","manual"}],"months":["2026-07",...],
 * "revenue":[{"month","currency","amount_minor","invoices"}]} (months without an invoice
 * are absent from "revenue"). */
int dashboard_json(struct db *db, json_t **out, struct pd_error *err);

/* The job day_counts: folds the rows the subscriptions' changes added to the counts of
 * renewals due (migration 027) into one per day and auto_renew, in one transaction, so the
 * dashboard reads a row or so per day. Returns the days folded, or a negative status; a
 * pass with nothing to fold writes nothing. */
int dashboard_fold_run(struct db *db);

#endif
