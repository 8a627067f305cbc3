-- Orders, payments, the saved card, invoices and credit notes, received wire transfers.
-- Money is integer minor units. An invoice row never changes once written: a credit note
-- (another row, its own number series) cancels or refunds it.
CREATE TABLE payment_methods (
    partner_id TEXT PRIMARY KEY REFERENCES partners (id),
    token TEXT NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    exp_month INTEGER NOT NULL,
    exp_year INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    user_id TEXT REFERENCES users (id),
    offer_code TEXT NOT NULL REFERENCES offers (code),
    action TEXT NOT NULL CHECK (action IN ('purchase', 'renewal')),
    subscription_id TEXT REFERENCES subscriptions (id),
    status TEXT NOT NULL CHECK (status IN ('review', 'processing', 'payment_unknown', 'failed',
                                           'awaiting_payment', 'confirmed', 'cancelled')),
    currency TEXT NOT NULL,
    unit_amount INTEGER NOT NULL,
    subtotal INTEGER NOT NULL,
    tax_rate INTEGER NOT NULL,
    tax_amount INTEGER NOT NULL,
    total INTEGER NOT NULL,
    tax_treatment TEXT NOT NULL,
    payment_method TEXT NOT NULL CHECK (payment_method IN ('card', 'wire')),
    card_token TEXT,
    card_brand TEXT,
    card_last4 TEXT,
    card_exp_month INTEGER,
    card_exp_year INTEGER,
    save_card INTEGER NOT NULL DEFAULT 1,
    wire_name TEXT,
    wire_phone TEXT,
    wire_email TEXT,
    wire_reference TEXT UNIQUE,
    due_on TEXT,
    paid_on TEXT,
    invoice_id TEXT,
    failure_code TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX orders_partner ON orders (partner_id, created_at);
CREATE INDEX orders_status ON orders (status);

-- One row per attempt to charge; its idempotency key goes to the gateway.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    attempt INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('card', 'wire')),
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'unknown')),
    gateway_charge_id TEXT,
    failure_code TEXT,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (order_id, attempt)
) STRICT;

CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('invoice', 'credit_note')),
    number TEXT NOT NULL UNIQUE,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    order_id TEXT REFERENCES orders (id),
    credits_invoice_id TEXT REFERENCES invoices (id),
    issued_on TEXT NOT NULL,
    due_on TEXT,
    service_start TEXT,
    service_end TEXT,
    currency TEXT NOT NULL,
    subtotal INTEGER NOT NULL,
    tax_rate INTEGER NOT NULL,
    tax_amount INTEGER NOT NULL,
    total INTEGER NOT NULL,
    tax_treatment TEXT NOT NULL,
    lang TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX invoices_partner ON invoices (partner_id, created_at);

CREATE TABLE wire_transfers (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    received_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('matched', 'partial', 'excess', 'unknown_reference',
                                           'currency_mismatch', 'not_awaiting')),
    order_id TEXT REFERENCES orders (id),
    source TEXT NOT NULL,
    recorded_by TEXT,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX wire_transfers_status ON wire_transfers (status);
