-- Company profiles, the public partner directory and referrals (issue 19).
--
-- A partner edits its profile (company_profiles, the draft); « Publier » copies it into
-- directory_listings, the only table the public directory reads, so nothing of a draft
-- or of the organisation leaks. A listing shows only while the organisation has an active
-- subscription (computed at query time from the business date, so a lapse takes it out
-- and a renewal puts it back with no write). Full-text search is the one place where the
-- engines differ: an FTS5 table kept by triggers on SQLite, tsvector columns over an
-- unaccent text search configuration on PostgreSQL (the blocks marked below; db_pg.c
-- drops the SQLite-only block and un-comments the "--pg:" lines).
--
-- PostgreSQL: CREATE EXTENSION needs a superuser (or the database owner on PostgreSQL 13+
-- for this trusted extension); docs/operations.md says what an operator runs beforehand.

-- The user_roles check gains the partner role referral_manager.
CREATE TABLE user_roles_new (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('global_admin', 'account_admin', 'billing_admin', 'user',
                                       'referral_manager', 'support', 'finance', 'operator')),
    PRIMARY KEY (user_id, role)
) STRICT;
INSERT INTO user_roles_new (user_id, role) SELECT user_id, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_new RENAME TO user_roles;

-- Industries and services a profile picks from; the operator edits them.
CREATE TABLE directory_catalog (
    kind TEXT NOT NULL CHECK (kind IN ('industry', 'service')),
    code TEXT NOT NULL,
    fr TEXT NOT NULL,
    en TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, code)
) STRICT;

INSERT INTO directory_catalog (kind, code, fr, en, position) VALUES
    ('industry', 'public-sector', 'Secteur public', 'Public sector', 1),
    ('industry', 'healthcare', 'Santé', 'Healthcare', 2),
    ('industry', 'finance', 'Banque et assurance', 'Banking and insurance', 3),
    ('industry', 'retail', 'Commerce et distribution', 'Retail', 4),
    ('industry', 'manufacturing', 'Industrie', 'Manufacturing', 5),
    ('industry', 'education', 'Éducation', 'Education', 6),
    ('service', 'cloud-migration', 'Migration vers le cloud', 'Cloud migration', 1),
    ('service', 'security', 'Sécurité', 'Security', 2),
    ('service', 'data-ai', 'Données et IA', 'Data and AI', 3),
    ('service', 'modern-work', 'Travail moderne', 'Modern work', 4),
    ('service', 'business-apps', 'Applications métier', 'Business applications', 5),
    ('service', 'managed-services', 'Services managés', 'Managed services', 6);

-- Logos by content hash (SHA-256 of the bytes, which are kept as base64 text).
CREATE TABLE profile_logos (
    hash TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    size INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- The profile being edited. Lists (industries, ...) are comma-separated codes.
CREATE TABLE company_profiles (
    partner_id TEXT PRIMARY KEY REFERENCES partners (id),
    name TEXT NOT NULL,
    description_fr TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    website TEXT,
    logo_hash TEXT REFERENCES profile_logos (hash),
    industries TEXT NOT NULL DEFAULT '',
    services TEXT NOT NULL DEFAULT '',
    countries TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    company_size TEXT,
    referral_email TEXT,
    updated_at INTEGER NOT NULL,
    updated_by TEXT REFERENCES users (id)
) STRICT;

-- The published copy, what the directory shows. sort_name is the name folded to [a-z0-9]
-- so both engines order it alike.
CREATE TABLE directory_listings (
    partner_id TEXT PRIMARY KEY REFERENCES partners (id),
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    description_fr TEXT NOT NULL,
    description_en TEXT NOT NULL,
    website TEXT,
    logo_hash TEXT REFERENCES profile_logos (hash),
    industries TEXT NOT NULL,
    services TEXT NOT NULL,
    countries TEXT NOT NULL,
    languages TEXT NOT NULL,
    company_size TEXT,
    referral_email TEXT NOT NULL,
    published_at INTEGER NOT NULL
) STRICT;

CREATE INDEX directory_listings_sort ON directory_listings (sort_name, slug);
CREATE INDEX subscriptions_listing ON subscriptions (partner_id, expires_on);

-- sqlite-only begin
CREATE VIRTUAL TABLE directory_listings_fts USING fts5 (
    name, description_fr, description_en, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER directory_listings_fts_ins AFTER INSERT ON directory_listings BEGIN
    INSERT INTO directory_listings_fts (rowid, name, description_fr, description_en)
    VALUES (new.rowid, new.name, new.description_fr, new.description_en);
END;
CREATE TRIGGER directory_listings_fts_upd AFTER UPDATE ON directory_listings BEGIN
    DELETE FROM directory_listings_fts WHERE rowid = old.rowid;
    INSERT INTO directory_listings_fts (rowid, name, description_fr, description_en)
    VALUES (new.rowid, new.name, new.description_fr, new.description_en);
END;
CREATE TRIGGER directory_listings_fts_del AFTER DELETE ON directory_listings BEGIN
    DELETE FROM directory_listings_fts WHERE rowid = old.rowid;
END;
-- sqlite-only end
--pg: CREATE EXTENSION IF NOT EXISTS unaccent;
--pg: CREATE TEXT SEARCH CONFIGURATION pd_search (COPY = simple);
--pg: ALTER TEXT SEARCH CONFIGURATION pd_search ALTER MAPPING FOR word, hword, hword_part, numword, numhword, hword_numpart WITH unaccent, simple;
--pg: ALTER TABLE directory_listings ADD COLUMN name_tsv tsvector GENERATED ALWAYS AS (to_tsvector('pd_search'::regconfig, regexp_replace(name, '[!-/:-@[-`{-~«»’‘“”–—]+', ' ', 'g'))) STORED;
--pg: ALTER TABLE directory_listings ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('pd_search'::regconfig, regexp_replace(name || ' ' || description_fr || ' ' || description_en, '[!-/:-@[-`{-~«»’‘“”–—]+', ' ', 'g'))) STORED;
--pg: CREATE INDEX directory_listings_search ON directory_listings USING gin (search_tsv);

-- A customer's request to a partner. Personal data (name ... need, address, email hash)
-- is erased after the retention or on the customer's request; the row stays for counts.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    status TEXT NOT NULL CHECK (status IN ('unconfirmed', 'new', 'accepted', 'declined', 'expired',
                                           'won', 'lost')),
    name TEXT,
    company TEXT,
    email TEXT,
    phone TEXT,
    country TEXT,
    need TEXT,
    consent INTEGER NOT NULL,
    lang TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
    client_ip TEXT,
    email_hash TEXT,
    confirm_hash TEXT UNIQUE,
    confirm_by INTEGER NOT NULL,
    erase_token TEXT UNIQUE,
    confirmed_at INTEGER,
    respond_by INTEGER,
    responded_at INTEGER,
    decline_reason TEXT,
    closed_at INTEGER,
    erased_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX referrals_partner ON referrals (partner_id, status, created_at);
CREATE INDEX referrals_status ON referrals (status, respond_by);
CREATE INDEX referrals_ip ON referrals (client_ip, created_at);
CREATE INDEX referrals_email ON referrals (email_hash, created_at);
CREATE INDEX referrals_created ON referrals (created_at);

CREATE TABLE referral_notes (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX referral_notes_referral ON referral_notes (referral_id, created_at);
