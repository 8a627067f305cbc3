/* fuzz_camt.c - camt.053 bank statements (uploaded by finance): the parser never reads
 * outside the document, every movement it gives is a positive amount in a known currency
 * with a key, the account's IBAN is compact, and the reference finder only returns references whose check digits hold, longest
 * first. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/camt.h"
#include "core/card.h"
#include "core/error.h"
#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct camt_statement s;
    struct camt_problem why;
    if (camt_parse((const char *)data, size, &s, &why) == 0) {
        assert(s.version == 2 || s.version == 8);
        assert(s.count >= 0 && s.count <= CAMT_MAX_MOVES);
        assert(strchr(s.iban, ' ') == NULL); /* compact: compared with bank.iban */
        for (int i = 0; i < s.count; i++) {
            const struct camt_move *m = &s.moves[i];
            assert(m->amount > 0);
            assert(money_currency(m->currency) != NULL);
            assert(m->key[0] != '\0');
            assert(m->refs.count >= 0 && m->refs.count <= CAMT_READINGS);
            for (int r = 0; r < m->refs.count; r++)
                assert(rf_reference_valid(m->refs.ref[r]));
            assert(!m->booked || strlen(m->booked_on) == 10);
        }
        camt_free(&s);
    } else { /* said in words, in each language */
        char en[300], fr[300];
        json_t *problem = camt_problem_json(&why);
        assert(pd_problem_text(problem, "en", en, sizeof(en))[0] != '\0');
        assert(pd_problem_text(problem, "fr", fr, sizeof(fr))[0] != '\0');
        json_decref(problem);
    }
    /* the finder, on the same bytes as text */
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct camt_refs refs;
    camt_find_references(text, &refs);
    assert(refs.count >= 0 && refs.count <= CAMT_READINGS);
    for (int r = 0; r < refs.count; r++) {
        assert(rf_reference_valid(refs.ref[r]) && strlen(refs.ref[r]) <= 25);
        assert(r == 0 || strlen(refs.ref[r]) <= strlen(refs.ref[r - 1])); /* longest first */
    }
    free(text);
    return 0;
}
