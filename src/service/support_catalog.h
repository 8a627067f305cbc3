/*
 * service/support_catalog.h - what a support request can be about: categories, each with
 * its problem types, labelled from the message catalog.
 */
#ifndef PD_SERVICE_SUPPORT_CATALOG_H
#define PD_SERVICE_SUPPORT_CATALOG_H

#include <jansson.h>
#include <stdbool.h>

/* The category and problem type of a cancellation request. */
#define SUPPORT_CANCEL_CATEGORY "partner_center_issue"
#define SUPPORT_CANCEL_PROBLEM "invoice_payment_reconciliation"

/* Categories and their problem types, each labelled in lang ("label") and in every
 * language ("labels": {"fr","en"}). A new reference. */
json_t *support_catalog_json(const char *lang);

/* True when category is one of the catalog. */
bool support_catalog_has_category(const char *category);

/* True when a request of category uses a support incident of the membership (issue 18). */
bool support_catalog_consumes_incident(const char *category);

/* True when problem_type belongs to category. */
bool support_catalog_has_problem(const char *category, const char *problem_type);

#endif
