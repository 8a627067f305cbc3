-- Settings that every process shares (the test clock among them) and named counters
-- (gapless sequences such as invoice numbers are taken from here inside the
-- transaction that uses them).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
