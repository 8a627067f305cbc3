-- Support requests (SPEC section 6), the only way to cancel a subscription.
CREATE TABLE support_requests (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    subscription_id TEXT REFERENCES subscriptions (id),
    category TEXT NOT NULL,
    problem_type TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'general' CHECK (kind IN ('general', 'cancellation')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    assignee_id TEXT REFERENCES users (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    resolved_at INTEGER,
    resolution TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX support_requests_partner ON support_requests (partner_id, created_at);
CREATE INDEX support_requests_status ON support_requests (status, created_at);

-- One open cancellation request per subscription at a time.
CREATE UNIQUE INDEX support_requests_one_cancellation ON support_requests (subscription_id)
    WHERE kind = 'cancellation' AND status IN ('open', 'in_progress');

CREATE TABLE support_messages (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES support_requests (id),
    seq INTEGER NOT NULL, -- the thread's order, whatever the clock says
    author_id TEXT NOT NULL REFERENCES users (id),
    from_staff INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX support_messages_request ON support_messages (request_id, seq);

-- Files kept in the database (base64), so every server of a PostgreSQL deployment has them.
CREATE TABLE support_attachments (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES support_requests (id),
    seq INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX support_attachments_request ON support_attachments (request_id, seq);

-- Refunds of a cancellation: by the gateway (card: pending until the gateway says it is
-- done, retried by the refund_retry job), or left to finance (wire: to_pay until finance
-- records the transfer it made).
CREATE TABLE refunds (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES support_requests (id),
    partner_id TEXT NOT NULL REFERENCES partners (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    credit_note_id TEXT NOT NULL REFERENCES invoices (id),
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('card', 'wire')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'refunded', 'to_pay', 'paid')),
    gateway_refund_id TEXT,
    paid_on TEXT,
    reference TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (request_id)
) STRICT;

CREATE INDEX refunds_status ON refunds (status, created_at);
