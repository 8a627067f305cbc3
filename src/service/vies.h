/*
 * service/vies.h - asking the European Commission's VIES whether a VAT ID is registered.
 *
 * Optional (setting vies.enabled): a join with a VAT ID VIES knows records it "pending";
 * the vies_check job (jobs/vies.c) asks VIES on the jobs thread, never on an HTTP worker,
 * and records "valid" or "invalid", or "unverified" when VIES could not answer (its
 * member state's service down, a timeout, an error), to be asked again later.
 */
#ifndef PD_SERVICE_VIES_H
#define PD_SERVICE_VIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/vat_checks.h"

struct db;
struct settings;

enum vies_verdict { VIES_VALID, VIES_INVALID, VIES_UNAVAILABLE };

/* What one answer of VIES's REST API (check-vat-number) said. */
struct vies_answer {
    enum vies_verdict verdict;
    char consultation[64]; /* requestIdentifier, when VIES gave one */
    char name[256];        /* the trader's name, when VIES gave one */
    char error[64];        /* VIES's error code (MS_UNAVAILABLE ...), or the transport's */
};

/* True for a VAT ID VIES can answer about: an EU member state's or Northern Ireland's
 * (XI), not the United Kingdom's (GB) nor a tax number from elsewhere. */
bool vies_knows(const char *vat_id);

/* The status a new VAT ID starts with: "pending" when VIES is on and knows it, else
 * "not_checked". */
const char *vies_initial_status(const struct settings *s, const char *vat_id);

/* The status shown to people: valid, invalid, unverified (pending included) or
 * not_checked. */
const char *vies_status_view(const char *stored);

/* Reads an answer of VIES (its HTTP status and body; status 0: no answer) into *out. Any
 * answer that is not a clear valid/invalid is VIES_UNAVAILABLE. */
void vies_parse(long http_status, const char *body, size_t len, struct vies_answer *out);

/* Writes the JSON request for vat_id ({"countryCode","vatNumber"}, and the requester's
 * number when the seller's own VAT ID is one VIES knows, for a consultation number) into
 * out (size n). False when it does not fit. */
bool vies_request_body(const char *vat_id, const char *seller_vat_id, char *out, size_t n);

/* The partners to ask about now (at most limit). *out is malloc'd (owner: caller). */
int vies_due(struct db *db, int limit, struct vat_check_row **out, int *count);

/* Records the answer about row: valid, invalid, or unverified and due again after a
 * delay that doubles with each failure (10 minutes to a day). */
int vies_record(struct db *db, const struct vat_check_row *row, const struct vies_answer *a);

#endif
