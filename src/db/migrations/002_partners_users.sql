-- Partner organisations, the people who sign in (partner users and the program owner's
-- staff) and their roles. A membership ID is never reused: partners are never deleted.
CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    membership_id TEXT NOT NULL UNIQUE,
    legal_name TEXT NOT NULL,
    country TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    vat_id TEXT,
    locale TEXT NOT NULL CHECK (locale IN ('fr', 'en')),
    currency TEXT NOT NULL,
    require_2fa INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('partner', 'staff')),
    partner_id TEXT REFERENCES partners (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    locale TEXT NOT NULL CHECK (locale IN ('fr', 'en')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'removed')),
    totp_secret TEXT,
    totp_pending_secret TEXT,
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL DEFAULT 0,
    CHECK ((kind = 'partner') = (partner_id IS NOT NULL))
) STRICT;

CREATE INDEX users_partner ON users (partner_id);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('global_admin', 'account_admin', 'billing_admin', 'user',
                                       'support', 'finance', 'operator')),
    PRIMARY KEY (user_id, role)
) STRICT;
