/*
 * card.h - what can be checked of a card number without a bank: Luhn, brand, expiry;
 * the ISO 11649 "RF" creditor reference of a wire transfer, and the IBAN and BIC it is
 * paid to.
 */
#ifndef PD_CARD_H
#define PD_CARD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"

/* Copies the digits of number (spaces and dashes dropped) into out (size n); false when
 * anything else is in it or it is not 12 to 19 digits long. */
bool card_digits(const char *number, char *out, size_t n);

/* True when text holds something that looks like a card number: a run of 13 to 19 digits
 * (single spaces or dashes between them allowed), standing apart from letters (not part of
 * an id or a reference), that passes Luhn. Used to refuse card data where none may come. */
bool card_pan_in(const char *text);

/* The Luhn check of a digit string. */
bool card_luhn_ok(const char *digits);

/* "visa", "mastercard", "amex" or "card". */
const char *card_brand(const char *digits);

/* True when a card expiring at the end of exp_month/exp_year is still valid on today. */
bool card_not_expired(int exp_month, int exp_year, struct date today);

/* Writes the RF creditor reference of body (letters and digits, 1 to 21) into out
 * ("RF" + 2 check digits + body; at least 26 bytes). Returns false when body is not valid. */
bool rf_reference(const char *body, char *out, size_t n);

/* Copies s into out (size n) as references are kept and compared: without spaces (nor
 * tabs or line breaks), in capitals ("rf47 unknown 0001" is "RF47UNKNOWN0001"); cut to fit,
 * never inside a UTF-8 character. */
void rf_compact(const char *s, char *out, size_t n);

/* True when s is a well-formed RF reference whose check digits hold (spaces ignored). */
bool rf_reference_valid(const char *s);

/* True when s is shaped like an ISO 9362 BIC: 4 letters (bank), 2 (country), 2 letters or
 * digits (location) and maybe 3 more (branch), upper case. */
bool bic_valid(const char *s);

#endif
