/*
 * store/dashboard.h - the counts of the staff console's dashboard, each one indexed COUNT.
 */
#ifndef PD_STORE_DASHBOARD_H
#define PD_STORE_DASHBOARD_H

#include <stdint.h>

struct db;

struct dashboard_counts {
    int64_t partners;         /* organisations in the network */
    int64_t awaiting_payment; /* wire orders not paid yet */
    int64_t refunds_to_pay;   /* wire refunds finance must send */
    int64_t open_requests;    /* support requests nobody took yet */
};

/* 0 and *out, or a negative status. */
int dashboard_counts(struct db *db, struct dashboard_counts *out);

#endif
