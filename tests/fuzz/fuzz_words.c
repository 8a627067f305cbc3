/* fuzz_words.c - a search box's text (the public directory): words are letters and digits
 * only, never empty, within their size, and a folded name is a-z, 0-9 and the separator. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char words[WORDS_MAX][WORD_BYTES];
    int n = words_split(text, words);
    assert(n >= 0 && n <= WORDS_MAX);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(words[i]);
        assert(len > 0 && len < WORD_BYTES);
        /* nothing that could break an FTS5 or tsquery expression */
        assert(strpbrk(words[i], "\"'*:&|!()<> \t\n-") == NULL);
    }
    char folded[64];
    words_fold(text, '-', folded, sizeof(folded));
    assert(strlen(folded) < sizeof(folded));
    assert(strspn(folded, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(folded));
    free(text);
    return 0;
}
