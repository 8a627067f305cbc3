/* fuzz_vat_id.c - VAT IDs, SIRENs and SIRETs typed by partners, and VIES's answers: the
 * normaliser never writes past its buffer, what it accepts is valid and normalises to
 * itself, and any answer of VIES reads as one of the three verdicts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/siren.h"
#include "core/vat_id.h"
#include "service/vies.h"

/* assert() is compiled out in release builds: these checks stay */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const countries[] = {"FR", "DE", "GR", "GB", "NL", "BE", "IE", "ES",
                                            "CZ", "SK", "BG", "LV", "RO", "MC", "US", "IT"};
    if (size < 1)
        return 0;
    const char *country = countries[data[0] % 16];
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    char out[48], again[48];
    if (vat_id_normalise(country, text, out, sizeof(out))) {
        CHECK(strlen(out) <= 20);
        CHECK(vat_id_normalise(country, out, again, sizeof(again)));
        CHECK(strcmp(out, again) == 0);
        if (strcmp(country, "US") != 0) /* the others' numbers are checked */
            CHECK(vat_id_valid(out));
    }
    (void)vat_id_valid(text);
    char small[4];
    (void)vat_id_normalise(country, text, small, sizeof(small));

    char siren[10], fr[16];
    if (siren_compact(text, 9, siren, sizeof(siren)) && siren_valid(siren)) {
        CHECK(vat_id_fr_of_siren(siren, fr, sizeof(fr)));
        CHECK(vat_id_valid(fr));
    }
    (void)siren_siret_valid(text);

    struct vies_answer a;
    vies_parse(200 + data[0] % 400, text, size - 1, &a);
    CHECK(a.verdict == VIES_VALID || a.verdict == VIES_INVALID || a.verdict == VIES_UNAVAILABLE);
    CHECK(memchr(a.error, '\0', sizeof(a.error)) && memchr(a.name, '\0', sizeof(a.name)));
    free(text);
    return 0;
}
