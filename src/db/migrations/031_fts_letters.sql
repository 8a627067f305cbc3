-- Search: the letters SQLite's FTS5 does not fold, folded as PostgreSQL folds them.
--
-- The unicode61 tokenizer takes accents off letters that decompose (é, ü, ç) but keeps
-- ø, æ, œ, ß, đ, ł, þ, ĳ and the fi/fl ligatures as they are, where PostgreSQL's unaccent
-- folds them: « oeuvres » found « Œuvres Sociales » on PostgreSQL and nothing on SQLite.
-- The triggers now index those letters folded (the same pairs as fts_letters in
-- src/db/db_sqlite.c, which folds the words of a search alike), and the indexes are
-- written again.
-- sqlite-only begin
DROP TRIGGER partners_fts_ins;
DROP TRIGGER partners_fts_upd;
CREATE TRIGGER partners_fts_ins AFTER INSERT ON partners BEGIN
    INSERT INTO partners_fts (rowid, legal_name) VALUES (new.rowid, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.legal_name, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'));
END;
CREATE TRIGGER partners_fts_upd AFTER UPDATE OF legal_name ON partners BEGIN
    DELETE FROM partners_fts WHERE rowid = old.rowid;
    INSERT INTO partners_fts (rowid, legal_name) VALUES (new.rowid, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.legal_name, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'));
END;
DELETE FROM partners_fts;
INSERT INTO partners_fts (rowid, legal_name) SELECT rowid, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(legal_name, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl') FROM partners;

DROP TRIGGER directory_listings_fts_ins;
DROP TRIGGER directory_listings_fts_upd;
CREATE TRIGGER directory_listings_fts_ins AFTER INSERT ON directory_listings BEGIN
    INSERT INTO directory_listings_fts (rowid, name, description_fr, description_en)
    VALUES (new.rowid, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.name, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'),
            replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.description_fr, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'),
            replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.description_en, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'));
END;
CREATE TRIGGER directory_listings_fts_upd AFTER UPDATE ON directory_listings BEGIN
    DELETE FROM directory_listings_fts WHERE rowid = old.rowid;
    INSERT INTO directory_listings_fts (rowid, name, description_fr, description_en)
    VALUES (new.rowid, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.name, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'),
            replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.description_fr, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'),
            replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(new.description_en, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'));
END;
DELETE FROM directory_listings_fts;
INSERT INTO directory_listings_fts (rowid, name, description_fr, description_en)
SELECT rowid, replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'),
       replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(description_fr, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl'),
       replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(description_en, 'Ø', 'o'), 'ø', 'o'), 'Æ', 'ae'), 'æ', 'ae'), 'Œ', 'oe'), 'œ', 'oe'), 'ß', 'ss'), 'ẞ', 'ss'), 'Đ', 'd'), 'đ', 'd'), 'Ð', 'd'), 'ð', 'd'), 'Ł', 'l'), 'ł', 'l'), 'Þ', 'th'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'ﬁ', 'fi'), 'ﬂ', 'fl')
FROM directory_listings;
-- sqlite-only end
-- PostgreSQL's unaccent folds them already: nothing to change there.
--pg: SELECT 1;
