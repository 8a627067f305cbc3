/*
 * sqlite_fts.c - SQLite's full-text search (FTS5): the condition that selects the rows of
 * <table>_fts a search matches, and a search's words folded as the index folds them.
 */
#include "sqlite_fts.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/words.h"

/* Full-text search: the rows of <table>_fts (FTS5, unicode61 remove_diacritics 2), whose
 * rowid is the row's; the column, if any, is named in the query (fts_query). */
int sqlite_fts_condition(const char *table, const char *alias, const char *column, char *out,
                         size_t n)
{
    (void)column;
    int len = snprintf(out, n, "%s.rowid IN (SELECT rowid FROM %s_fts WHERE %s_fts MATCH ?)", alias,
                       table, table);
    return len < 0 || (size_t)len >= n ? PD_E_INTERNAL : 0;
}

/* The letters the unicode61 tokenizer keeps as they are and PostgreSQL's unaccent folds,
 * folded alike: the triggers of migrations 031 (the first twenty) and 033 (the rest: Greek
 * accents, ı, ħ, ŧ, ŀ, ŋ, the digraphs ǆ ǉ ǌ, ё) index them so, and a search's words are
 * folded here (the same pairs, in the same order; test_fts checks every one on both engines).
 * No replacement is longer than its letter. */
static const char *const fts_letters[][2] = {
    {"\u00d8", "o"},      {"\u00f8", "o"},      {"\u00c6", "ae"},     {"\u00e6", "ae"},
    {"\u0152", "oe"},     {"\u0153", "oe"},     {"\u00df", "ss"},     {"\u1e9e", "ss"},
    {"\u0110", "d"},      {"\u0111", "d"},      {"\u00d0", "d"},      {"\u00f0", "d"},
    {"\u0141", "l"},      {"\u0142", "l"},      {"\u00de", "th"},     {"\u00fe", "th"},
    {"\u0132", "ij"},     {"\u0133", "ij"},     {"\ufb01", "fi"},     {"\ufb02", "fl"},
    {"\u0386", "\u03b1"}, {"\u03ac", "\u03b1"}, {"\u0388", "\u03b5"}, {"\u03ad", "\u03b5"},
    {"\u0389", "\u03b7"}, {"\u03ae", "\u03b7"}, {"\u038a", "\u03b9"}, {"\u03af", "\u03b9"},
    {"\u03aa", "\u03b9"}, {"\u03ca", "\u03b9"}, {"\u0390", "\u03b9"}, {"\u038c", "\u03bf"},
    {"\u03cc", "\u03bf"}, {"\u038e", "\u03c5"}, {"\u03cd", "\u03c5"}, {"\u03ab", "\u03c5"},
    {"\u03cb", "\u03c5"}, {"\u03b0", "\u03c5"}, {"\u038f", "\u03c9"}, {"\u03ce", "\u03c9"},
    {"\u0131", "i"},      {"\u0126", "h"},      {"\u0127", "h"},      {"\u0166", "t"},
    {"\u0167", "t"},      {"\u013f", "l"},      {"\u0140", "l"},      {"\u014a", "n"},
    {"\u014b", "n"},      {"\u01c4", "dz"},     {"\u01c5", "dz"},     {"\u01c6", "dz"},
    {"\u01c7", "lj"},     {"\u01c8", "lj"},     {"\u01c9", "lj"},     {"\u01ca", "nj"},
    {"\u01cb", "nj"},     {"\u01cc", "nj"},     {"\u0401", "\u0435"}, {"\u0451", "\u0435"}};

/* word with fts_letters folded, into out (at least as long as word, its end included). */
static void fts_fold(const char *word, char *out)
{
    size_t o = 0;
    while (*word) {
        size_t i = 0, k = sizeof(fts_letters) / sizeof(fts_letters[0]);
        for (; i < k; i++)
            if (strncmp(word, fts_letters[i][0], strlen(fts_letters[i][0])) == 0)
                break;
        if (i == k) {
            out[o++] = *word++;
            continue;
        }
        word += strlen(fts_letters[i][0]);
        for (const char *r = fts_letters[i][1]; *r; r++)
            out[o++] = *r;
    }
    out[o] = '\0';
}

/* Every word as a prefix, in the column when one is named: name : "conseil"* AND ...;
 * words are letters and digits only, so quoting them cannot break the expression. */
int sqlite_fts_query(const char *const words[], int nwords, const char *column, char *out,
                     size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < nwords; i++) {
        char folded[WORD_BYTES];
        if (strlen(words[i]) >= sizeof(folded))
            return PD_E_INTERNAL;
        fts_fold(words[i], folded);
        int len = snprintf(out + o, n - o, "%s%s%s\"%s\"*", i ? " AND " : "", column ? column : "",
                           column ? " : " : "", folded);
        if (len < 0 || (size_t)len >= n - o)
            return PD_E_INTERNAL;
        o += (size_t)len;
    }
    return 0;
}
