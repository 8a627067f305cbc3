-- "Forgot password": one-time links that let a user who lost their password set another.
--
-- A link's secret is stored only as its SHA-256 (token_hash), like an invitation's; it
-- works once (used_at) and for an hour (expires_at). Asking again, or using one, ends the
-- user's other unused links (used_at set without a password change).
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT;

-- the unused links of a user, ended when another is asked for or one is used
CREATE INDEX password_resets_user ON password_resets (user_id, used_at);
