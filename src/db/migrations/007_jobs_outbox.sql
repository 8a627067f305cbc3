-- Lifecycle jobs and notifications (SPEC sections 3 and 7).
--
-- Every row here is keyed so that doing the work twice is impossible: one renewal attempt
-- per subscription, term and try; one reminder per subscription, term and kind; one email
-- per event and recipient; one webhook delivery per event and endpoint.

CREATE INDEX subscriptions_expiry ON subscriptions (expires_on);

-- Automatic renewal: try 1, 2, 3 on days 1, 3 and 7 of the renewal window. The gateway
-- idempotency key of the payment comes from (subscription, term, try).
CREATE TABLE renewal_attempts (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    term INTEGER NOT NULL,
    try INTEGER NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempted_on TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (subscription_id, term, try)
) STRICT;

CREATE INDEX renewal_attempts_status ON renewal_attempts (status);

-- Reminders and notices sent, once per subscription, term and kind.
CREATE TABLE subscription_notices (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    term INTEGER NOT NULL,
    kind TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    PRIMARY KEY (subscription_id, term, kind)
) STRICT;

-- An event a partner should hear of, written in the transaction of its change.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    partner_id TEXT REFERENCES partners (id),
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_partner ON outbox (partner_id, created_at);

-- One email per event and recipient. A delivery is claimed (status 'sending', claim) by
-- one process before it is sent.
CREATE TABLE email_deliveries (
    id TEXT PRIMARY KEY,
    outbox_id TEXT NOT NULL REFERENCES outbox (id),
    recipient TEXT NOT NULL,
    lang TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claim TEXT,
    claimed_at INTEGER,
    last_error TEXT,
    sent_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (outbox_id, recipient)
) STRICT;

CREATE INDEX email_deliveries_due ON email_deliveries (status, next_attempt_at);

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE INDEX webhook_endpoints_partner ON webhook_endpoints (partner_id);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    outbox_id TEXT NOT NULL REFERENCES outbox (id),
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claim TEXT,
    claimed_at INTEGER,
    last_error TEXT,
    delivered_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (outbox_id, endpoint_id)
) STRICT;

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

-- Every attempt to deliver a webhook, with what the endpoint answered.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt INTEGER NOT NULL,
    attempted_at INTEGER NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
) STRICT;
