/*
 * core/sepa.h - the rules a SEPA credit transfer file keeps besides its schema (EPC SEPA
 * Credit Transfer rulebook): IBANs with their check digits, and texts in the SEPA
 * character set (a-z A-Z 0-9 / - ? : ( ) . , ' + and space).
 */
#ifndef PD_SEPA_H
#define PD_SEPA_H

#include <stdbool.h>
#include <stddef.h>

/* Copies an IBAN as typed ("fr76 3000 6000 ...") compact and upper case into out (35):
 * true when it has a country, two check digits that hold (ISO 13616, mod 97) and 11 to 30
 * more letters or digits. */
bool sepa_iban(const char *typed, char *out, size_t n);

/* The IBAN as a person reads it (ISO 13616's print form, "FR76 3000 6000 0112 ..."): a
 * valid IBAN, however typed, in groups of four; anything else copied as it is. */
void sepa_iban_print(const char *iban, char *out, size_t n);

/* s written in the SEPA character set into out, at most max characters: French accented
 * letters lose their accent (é -> e, œ -> oe), & becomes +, any other character a space;
 * runs of spaces become one, and the ends are trimmed. */
void sepa_text(const char *s, char *out, size_t n, size_t max);

/* True when s is 1 to 35 characters of the SEPA set, not starting with '/' and without
 * "//" (EPC rules for MsgId, PmtInfId and EndToEndId). */
bool sepa_id_valid(const char *s);

#endif
