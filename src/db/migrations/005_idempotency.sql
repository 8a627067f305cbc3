-- Answers kept for Idempotency-Key replays: one row per caller and key, for 24 hours.
-- response_status 0 marks a request still being answered.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER NOT NULL DEFAULT 0,
    content_type TEXT,
    response_body TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
