/*
 * service/seller.h - the seller's legal identity in the settings: SIREN, VAT ID, RCS,
 * VAT option, IBAN and BIC, checked at `partnerd serve` start-up and at each change.
 */
#ifndef PD_SERVICE_SELLER_H
#define PD_SERVICE_SELLER_H

#include <stdbool.h>

#include "core/error.h"
#include "core/msg.h"

struct settings;

/* The first problem of the seller's identity in s: false with *key (the setting) and *why
 * (its catalog message); true when all is well. at_start also checks what a change of one
 * setting at a time cannot (the VAT ID's prefix against seller.country, a French seller's
 * SIREN present). */
bool seller_check(const struct settings *s, bool at_start, const char **key, enum msg_id *why);

/* For PUT /api/v1/admin/settings/{key}: current with key set to value, checked; 0, or
 * PD_E_INVALID_REQUEST on the field "value" when that setting is the one at fault. */
int seller_check_change(const struct settings *current, const char *key, const char *value,
                        struct pd_error *err);

#endif
