/*
 * core/words.h - the words of a search and the folded form of a name.
 *
 * A search box's text becomes words: runs of letters and digits (ASCII, Latin and the
 * other alphabets, combining accents included), everything else a separator, as SQLite's
 * unicode61 tokenizer splits text. The database engines then ignore case and accents
 * (db_fts_query). A name's folded form keeps only a-z and 0-9, accents taken off Latin
 * letters, so both engines order and compare it alike.
 */
#ifndef PD_CORE_WORDS_H
#define PD_CORE_WORDS_H

#include <stddef.h>

#define WORDS_MAX 8   /* words of a search; more are ignored */
#define WORD_BYTES 64 /* bytes of a word, its end included; a longer word is cut */

/* Splits s (UTF-8; invalid bytes are separators) into at most WORDS_MAX words, ASCII
 * letters lowercased. Returns how many. */
int words_split(const char *s, char out[WORDS_MAX][WORD_BYTES]);

/* Folds s into out: lowercase a-z and 0-9 only, Latin accents taken off (æ, œ, ß as ae,
 * oe, ss), other characters dropped; sep (or 0: none) between the runs that were separated. */
void words_fold(const char *s, char sep, char *out, size_t n);

#endif
