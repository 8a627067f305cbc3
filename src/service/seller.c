/*
 * service/seller.c - the seller's legal identity, checked.
 *
 * An invoice names its seller by SIREN, VAT ID and trade register (RCS) entry, and a wire
 * transfer goes to its IBAN: a typo there makes every invoice wrong. So `partnerd serve`
 * refuses to start on a wrong one, and a settings change that would make one wrong is
 * refused. The settings change one at a time, so the checks that tie two of them
 * (the SIREN inside the French VAT ID and the RCS entry) are skipped while seller.siren is
 * empty: to move the seller to another company, empty seller.siren, change the VAT ID
 * and the RCS entry, then set the new SIREN.
 */
#include "service/seller.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/card.h"
#include "core/sepa.h"
#include "core/siren.h"
#include "core/vat_id.h"
#include "service/settings.h"

/* The digits of s, in order, into out (size n). */
static void digits_of(const char *s, char *out, size_t n)
{
    size_t len = 0;
    for (; *s && len + 1 < n; s++)
        if (isdigit((unsigned char)*s))
            out[len++] = *s;
    out[len] = '\0';
}

static bool fail(const char **key, enum msg_id *why, const char *k, enum msg_id m)
{
    *key = k;
    *why = m;
    return false;
}

bool seller_check(const struct settings *s, bool at_start, const char **key, enum msg_id *why)
{
    const char *vat = s->seller_vat_id;
    if (!vat_id_valid(vat))
        return fail(key, why, "seller.vat_id", MSG_FIELD_SELLER_VAT_ID);
    if (at_start) {
        char norm[48];
        if (!vat_id_normalise(s->seller_country, vat, norm, sizeof(norm)) || strcmp(norm, vat) != 0)
            return fail(key, why, "seller.vat_id", MSG_FIELD_SELLER_VAT_COUNTRY);
        if (strcmp(s->seller_country, "FR") == 0 && s->seller_siren[0] == '\0')
            return fail(key, why, "seller.siren", MSG_FIELD_SIREN_REQUIRED_FR);
    }
    if (s->seller_siren[0]) {
        if (!siren_valid(s->seller_siren))
            return fail(key, why, "seller.siren", MSG_FIELD_SIREN);
        if (strncmp(vat, "FR", 2) == 0 && strncmp(vat + 4, "000", 3) != 0 &&
            strcmp(vat + 4, s->seller_siren) != 0)
            return fail(key, why, "seller.siren", MSG_FIELD_SELLER_SIREN_MISMATCH);
        char rcs[64];
        digits_of(s->seller_rcs, rcs, sizeof(rcs));
        if (s->seller_rcs[0] && strcmp(rcs, s->seller_siren) != 0)
            return fail(key, why, "seller.rcs", MSG_FIELD_SELLER_RCS_MISMATCH);
    }
    if (strcmp(s->seller_vat_option, "receipts") != 0 &&
        strcmp(s->seller_vat_option, "debits") != 0)
        return fail(key, why, "seller.vat_option", MSG_FIELD_ONE_OF);
    char iban[35];
    if (!sepa_iban(s->bank_iban, iban, sizeof(iban)))
        return fail(key, why, "bank.iban", MSG_FIELD_IBAN);
    if (!bic_valid(s->bank_bic))
        return fail(key, why, "bank.bic", MSG_FIELD_BIC);
    return true;
}

int seller_check_change(const struct settings *current, const char *key, const char *value,
                        struct pd_error *err)
{
    static const struct {
        const char *key;
        size_t offset, size;
    } fields[] = {
#define F(k, f) {k, offsetof(struct settings, f), sizeof(((struct settings *)0)->f)}
        F("seller.vat_id", seller_vat_id), F("seller.siren", seller_siren),
        F("seller.rcs", seller_rcs),       F("seller.vat_option", seller_vat_option),
        F("bank.iban", bank_iban),         F("bank.bic", bank_bic),
#undef F
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(fields[i].key, key) != 0)
            continue;
        struct settings *changed = malloc(sizeof(*changed)); /* large for a worker's stack */
        if (changed == NULL)
            return pd_fail(err, PD_E_INTERNAL, "out of memory");
        memcpy(changed, current, sizeof(*changed));
        snprintf((char *)changed + fields[i].offset, fields[i].size, "%s", value);
        const char *bad = NULL;
        enum msg_id why = MSG_FIELD_REQUIRED;
        bool ok = seller_check(changed, false, &bad, &why);
        free(changed);
        if (ok)
            return 0;
        /* another setting's fault is not this change's, but a mismatch is both's */
        bool mine = strcmp(bad, key) == 0 ||
                    (why == MSG_FIELD_SELLER_SIREN_MISMATCH && strcmp(key, "seller.vat_id") == 0) ||
                    (why == MSG_FIELD_SELLER_RCS_MISMATCH && strcmp(key, "seller.siren") == 0);
        if (!mine)
            return 0;
        return pd_fail_field(err, PD_E_INVALID_REQUEST, "value", why,
                             why == MSG_FIELD_ONE_OF ? "receipts, debits" : NULL);
    }
    return 0;
}
