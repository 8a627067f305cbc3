/*
 * test_fts.c - a name search ignores case and accents alike on SQLite and, when
 * PARTNERD_TEST_PG holds a postgresql:// URL of a throwaway database, on PostgreSQL.
 *
 * SQLite's unicode61 tokenizer takes accents off the Latin letters that decompose; the
 * letters it keeps (ø, æ, œ, ß, đ, ð, ł, þ, ĳ, the fi and fl ligatures: migration 031; the
 * Greek accents, ı, ħ, ŧ, ŀ, ŋ, the digraphs ǆ ǉ ǌ and ё: migration 033) are folded by the
 * triggers and by db_sqlite.c's fts_letters, as PostgreSQL's unaccent folds them. Each
 * name here is found by its first word folded, as written and in capitals: every pair of
 * fts_letters is met once at least.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/words.h"
#include "db/db.h"
#include "db_fixture.h"

static const struct {
    const char *name, *searches[3];
} cases[] = {
    {"\u00d8resund Data", {"oresund", "\u00f8resund", "\u00d8RESUND"}},
    {"\u0152uvres Sociales", {"oeuvres", "\u0153uvres", "\u0152UVRES"}},
    {"Stra\u00dfe Bau", {"strasse", "stra\u00dfe", "STRA\u1e9eE"}},
    {"\u00c6ther Systems", {"aether", "\u00e6ther", "\u00c6THER"}},
    {"\u0141\u00f3d\u017a IT", {"lodz", "\u0142odz", "\u0141\u00d3D\u0179"}},
    {"\u0110ur\u0111evac Ltd", {"durdevac", "\u0111ur\u0111evac", "\u0110UR\u0110EVAC"}},
    {"\u00d0\u00f3ra ehf", {"dora", "\u00f0\u00f3ra", "\u00d0\u00d3RA"}},
    {"\u00de\u00f3r Software", {"thor", "\u00fe\u00f3r", "\u00de\u00d3R"}},
    {"\u0132ssel Groep", {"ijssel", "\u0133ssel", "\u0132SSEL"}},
    {"Pro\ufb01l Conseil", {"profil", "pro\ufb01l", "PROFIL"}},
    {"A\ufb02ux Data", {"aflux", "a\ufb02ux", "AFLUX"}},
    {"Soci\u00e9t\u00e9 G\u00e9n\u00e9rale", {"societe", "soci\u00e9t\u00e9", "SOCI\u00c9T\u00c9"}},
    {"\u0391\u03b8\u03ae\u03bd\u03b1 \u03a3\u03cd\u03bc\u03b2\u03bf\u03c5\u03bb\u03bf\u03b9",
     {"\u03b1\u03b8\u03b7\u03bd\u03b1", "\u03b1\u03b8\u03ae\u03bd\u03b1",
      "\u0391\u0398\u0389\u039d\u0391"}},
    {"\u0386\u03bb\u03c6\u03b1 \u039b\u03bf\u03b3\u03b9\u03c3\u03bc\u03b9\u03ba\u03cc",
     {"\u03b1\u03bb\u03c6\u03b1", "\u03ac\u03bb\u03c6\u03b1", "\u0386\u039b\u03a6\u0391"}},
    {"\u0388\u03c1\u03b3\u03b1 \u03a4\u03b5\u03c7\u03bd\u03b9\u03ba\u03ac",
     {"\u03b5\u03c1\u03b3\u03b1", "\u03ad\u03c1\u03b3\u03b1", "\u0388\u03a1\u0393\u0391"}},
    {"\u038a\u03b4\u03c1\u03c5\u03bc\u03b1 \u0395\u03c1\u03b5\u03c5\u03bd\u03ce\u03bd",
     {"\u03b9\u03b4\u03c1\u03c5\u03bc\u03b1", "\u03af\u03b4\u03c1\u03c5\u03bc\u03b1",
      "\u038a\u0394\u03a1\u03a5\u039c\u0391"}},
    {"\u03a0\u03c1\u03bf\u03ca\u03cc\u03bd\u03c4\u03b1 \u03a5\u03b3\u03b5\u03af\u03b1\u03c2",
     {"\u03c0\u03c1\u03bf\u03b9\u03bf\u03bd\u03c4\u03b1",
      "\u03c0\u03c1\u03bf\u03ca\u03cc\u03bd\u03c4\u03b1",
      "\u03a0\u03a1\u039f\u03aa\u038c\u039d\u03a4\u0391"}},
    {"\u03a0\u03c1\u03bf\u0390\u03c3\u03c4\u03b1\u03bc\u03ad\u03bd\u03b7 \u0391.\u0395.",
     {"\u03c0\u03c1\u03bf\u03b9\u03c3\u03c4\u03b1\u03bc\u03b5\u03bd\u03b7",
      "\u03c0\u03c1\u03bf\u0390\u03c3\u03c4\u03b1\u03bc\u03ad\u03bd\u03b7",
      "\u03a0\u03a1\u039f\u0399\u03a3\u03a4\u0391\u039c\u0395\u039d\u0397"}},
    {"\u038e\u03b4\u03c1\u03b5\u03c5\u03c3\u03b7 \u039d\u03ae\u03c3\u03c9\u03bd",
     {"\u03c5\u03b4\u03c1\u03b5\u03c5\u03c3\u03b7", "\u03cd\u03b4\u03c1\u03b5\u03c5\u03c3\u03b7",
      "\u038e\u0394\u03a1\u0395\u03a5\u03a3\u0397"}},
    {"\u03a4\u03b1\u03cb\u03b3\u03ad\u03c4\u03b7 \u039f\u03af\u03bd\u03bf\u03b9",
     {"\u03c4\u03b1\u03c5\u03b3\u03b5\u03c4\u03b7", "\u03c4\u03b1\u03cb\u03b3\u03ad\u03c4\u03b7",
      "\u03a4\u0391\u03ab\u0393\u0388\u03a4\u0397"}},
    {"\u03a4\u03b1\u03b0\u03b3\u03b5\u03c4\u03bf\u03c2 \u039e\u03cd\u03bb\u03bf",
     {"\u03c4\u03b1\u03c5\u03b3\u03b5\u03c4\u03bf\u03c2",
      "\u03c4\u03b1\u03b0\u03b3\u03b5\u03c4\u03bf\u03c2",
      "\u03a4\u0391\u03a5\u0393\u0395\u03a4\u039f"}},
    {"\u038f\u03c1\u03b1 \u03a0\u03bb\u03b7\u03c1\u03bf\u03c6\u03bf\u03c1\u03b9\u03ba\u03ae",
     {"\u03c9\u03c1\u03b1", "\u03ce\u03c1\u03b1", "\u038f\u03a1\u0391"}},
    {"Yaz\u0131l\u0131m Evi", {"yazilim", "yaz\u0131l\u0131m", "YAZILIM"}},
    {"\u0126amrun Tech", {"hamrun", "\u0127amrun", "\u0126AMRUN"}},
    {"\u0166eknologiija AS", {"teknologiija", "\u0167eknologiija", "\u0166EKNOLOGIIJA"}},
    {"Co\u0140lectiu Digital", {"collectiu", "co\u0140lectiu", "CO\u013fLECTIU"}},
    {"\u014aoahti Data", {"noahti", "\u014boahti", "\u014aOAHTI"}},
    {"\u01c5emal Ltd", {"dzemal", "\u01c6emal", "\u01c4EMAL"}},
    {"\u01c8ubljana Soft", {"ljubljana", "\u01c9ubljana", "\u01c7UBLJANA"}},
    {"\u01cbego\u0161 d.o.o.", {"njegos", "\u01ccego\u0161", "\u01caEGO\u0160"}},
    {"\u0401\u043b\u043a\u0430 \u041e\u041e\u0414",
     {"\u0435\u043b\u043a\u0430", "\u0451\u043b\u043a\u0430", "\u0401\u041b\u041a\u0410"}},
};

/* (Ταΰγετος is searched in capitals without its last letter: PostgreSQL lowers a capital
 * sigma to σ, never to the final ς its name is indexed with, so « ΤΑΥΓΕΤΟΣ » finds it on
 * SQLite only. A word typed in capitals cannot say whether its Σ ends the word.) */
static void test_search_folds_letters_alike(void **state)
{
    struct db *db = ((struct db_fixture *)*state)->db;
    char cond[256], sql[512], query[256], words[WORDS_MAX][WORD_BYTES];
    assert_int_equal(db_fts_condition(db, "partners", "p", NULL, cond, sizeof(cond)), 0);
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM partners p WHERE %s AND p.id = ?", cond);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char id[16], insert[512];
        snprintf(id, sizeof(id), "ptn_fold%zu", i);
        snprintf(insert, sizeof(insert),
                 "INSERT INTO partners (id, membership_id, legal_name, country, address_line1, "
                 "postal_code, city, vat_id, locale, currency, created_at) VALUES ('%s', "
                 "'8%06zu', '%s', 'FR', '1 rue', '75001', 'Paris', 'FR40303265045', 'fr', 'EUR', "
                 "0)",
                 id, i, cases[i].name);
        assert_int_equal(db_exec(db, insert), 0);
        for (int k = 0; k < 3; k++) {
            int n = words_split(cases[i].searches[k], words);
            const char *w[WORDS_MAX];
            for (int j = 0; j < n; j++)
                w[j] = words[j];
            assert_int_equal(db_fts_query(db, w, n, NULL, query, sizeof(query)), 0);
            int64_t found = -1;
            assert_int_equal(db_scalar(db, &found, sql, "tt", query, id), 0);
            if (found != 1)
                fail_msg("%s not found by %s", cases[i].name, cases[i].searches[k]);
        }
    }
    /* a renamed organisation is found by its new name only (the update trigger) */
    assert_int_equal(db_exec(db, "UPDATE partners SET legal_name = 'Nordlys \u00c6ra' WHERE id = "
                                 "'ptn_fold0'"),
                     0);
    const char *aera[] = {"aera"}, *oresund[] = {"oresund"};
    int64_t found = -1;
    assert_int_equal(db_fts_query(db, aera, 1, NULL, query, sizeof(query)), 0);
    assert_int_equal(db_scalar(db, &found, sql, "tt", query, "ptn_fold0"), 0);
    assert_int_equal(found, 1);
    assert_int_equal(db_fts_query(db, oresund, 1, NULL, query, sizeof(query)), 0);
    assert_int_equal(db_scalar(db, &found, sql, "tt", query, "ptn_fold0"), 0);
    assert_int_equal(found, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_search_folds_letters_alike)};
    int failed =
        cmocka_run_group_tests_name("fts_sqlite", tests, db_fixture_sqlite, db_fixture_teardown);
    if (db_fixture_pg_url("fts_postgresql"))
        failed += cmocka_run_group_tests_name("fts_postgresql", tests, db_fixture_pg,
                                              db_fixture_teardown);
    return failed;
}
