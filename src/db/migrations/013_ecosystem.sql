-- The ecosystem (issue 21): Standard Webhooks signatures, camt.053 bank statements and
-- SEPA credit transfer files for the refunds finance pays.

-- How an endpoint's deliveries are signed: 'partnerd' (the old Partnerd-Signature header,
-- the secret taken as ASCII) until its owner rotates the secret, 'standard' (Standard
-- Webhooks: webhook-id, webhook-timestamp, webhook-signature) for every new endpoint.
ALTER TABLE webhook_endpoints ADD COLUMN signature_scheme TEXT NOT NULL DEFAULT 'partnerd'
    CHECK (signature_scheme IN ('partnerd', 'standard'));

-- What a camt.053 entry says besides the money: the bank's own reference of the entry
-- (statement id / entry / transaction, so the same statement imported twice records
-- nothing new) and who paid from which account (where a refund goes back to).
ALTER TABLE wire_transfers ADD COLUMN bank_ref TEXT;
ALTER TABLE wire_transfers ADD COLUMN payer_name TEXT;
ALTER TABLE wire_transfers ADD COLUMN payer_iban TEXT;
CREATE UNIQUE INDEX wire_transfers_bank_ref ON wire_transfers (bank_ref) WHERE bank_ref IS NOT NULL;

-- One pain.001 file finance downloaded to pay refunds by transfer, kept as sent.
CREATE TABLE transfer_files (
    id TEXT PRIMARY KEY,
    msg_id TEXT NOT NULL UNIQUE,
    transfers INTEGER NOT NULL,
    control_sum INTEGER NOT NULL,
    currency TEXT NOT NULL,
    execution_date TEXT NOT NULL,
    document TEXT NOT NULL,
    created_by TEXT,
    created_at INTEGER NOT NULL
) STRICT;

-- Refunds gain the status 'sent' (in a transfer file, not yet seen on a statement), the
-- account they are paid to and the EndToEndId that finds them on the statement. A CHECK
-- cannot change in place in SQLite: the table is rebuilt (nothing references it).
CREATE TABLE refunds_v2 (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES support_requests (id),
    partner_id TEXT NOT NULL REFERENCES partners (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    credit_note_id TEXT NOT NULL REFERENCES invoices (id),
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('card', 'wire')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'refunded', 'to_pay', 'sent', 'paid')),
    gateway_refund_id TEXT,
    paid_on TEXT,
    reference TEXT,
    payee_name TEXT,
    payee_iban TEXT,
    end_to_end_id TEXT UNIQUE,
    transfer_file_id TEXT REFERENCES transfer_files (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (request_id)
) STRICT;

INSERT INTO refunds_v2 (id, request_id, partner_id, order_id, invoice_id, credit_note_id, amount,
                        currency, method, status, gateway_refund_id, paid_on, reference,
                        created_at, updated_at)
    SELECT id, request_id, partner_id, order_id, invoice_id, credit_note_id, amount, currency,
           method, status, gateway_refund_id, paid_on, reference, created_at, updated_at
    FROM refunds;
DROP TABLE refunds;
ALTER TABLE refunds_v2 RENAME TO refunds;
CREATE INDEX refunds_status ON refunds (status, created_at);
