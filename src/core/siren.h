/*
 * siren.h - the French company numbers: SIREN (9 digits, the company) and SIRET (14
 * digits, one of its establishments), both closed by a Luhn key.
 */
#ifndef PD_SIREN_H
#define PD_SIREN_H

#include <stdbool.h>
#include <stddef.h>

/* Copies s into out (size n) without spaces and dots; false unless that leaves exactly
 * `digits` digits. */
bool siren_compact(const char *s, size_t digits, char *out, size_t n);

/* True for 9 digits whose Luhn key holds. */
bool siren_valid(const char *s);

/* True for 14 digits whose Luhn key holds and whose first 9 are a valid SIREN. La Poste's
 * establishments (SIREN 356000000, head office 35600000000048 aside) are numbered
 * without a Luhn key: the sum of their digits is a multiple of 5 instead. */
bool siren_siret_valid(const char *s);

#endif
