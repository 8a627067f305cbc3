/*
 * vat_id.h - VAT identification numbers: their shape and check digits in each EU member
 * state, Northern Ireland (XI) and the United Kingdom (GB).
 */
#ifndef PD_VAT_ID_H
#define PD_VAT_ID_H

#include <stdbool.h>
#include <stddef.h>

/* Normalises the VAT ID of a partner of country (ISO 3166-1) into out (size n): upper
 * case, without spaces, dots or hyphens. In an EU member state it must carry that state's
 * prefix (EL for Greece, FR for Monaco too), in the United Kingdom GB or XI (Northern
 * Ireland), and pass that prefix's check digits (vat_id_valid). Elsewhere 2 to 20 letters
 * and digits, unchecked. Returns true when valid. */
bool vat_id_normalise(const char *country, const char *vat_id, char *out, size_t n);

/* True when vat_id (normalised, with its prefix: AT ... SK, EL, XI, GB) has the shape
 * and the check digits of its prefix's rules. */
bool vat_id_valid(const char *vat_id);

/* True when the prefix is one vat_id_valid() knows. */
bool vat_id_prefix_known(const char *vat_id);

/* Writes the French VAT ID of a valid SIREN ("FR" + its numeric key + the SIREN) into out
 * (at least 14 bytes). False when siren is not valid. */
bool vat_id_fr_of_siren(const char *siren, char *out, size_t n);

#endif
