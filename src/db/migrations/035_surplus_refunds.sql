-- A transfer that paid more than its order owed can be allocated to it all the same: the
-- order is paid, and the surplus goes back to the payer as a wire refund that finance pays
-- like any other (a SEPA transfer file, then the statement that shows it). Such a refund
-- comes from no cancellation and credits nothing: it has no request and no credit note,
-- and names the transfer whose surplus it is (one refund a transfer at most).
--
-- A NOT NULL cannot be dropped in place in SQLite: the table is rebuilt, as in 013
-- (nothing references it), on both engines alike.
CREATE TABLE refunds_v3 (
    id TEXT PRIMARY KEY,
    request_id TEXT REFERENCES support_requests (id),
    partner_id TEXT NOT NULL REFERENCES partners (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    credit_note_id TEXT REFERENCES invoices (id),
    transfer_id TEXT REFERENCES wire_transfers (id),
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
    UNIQUE (request_id),
    UNIQUE (transfer_id),
    -- a cancellation's refund, with its credit note; or a surplus, by wire
    CHECK ((request_id IS NOT NULL AND credit_note_id IS NOT NULL AND transfer_id IS NULL) OR
           (request_id IS NULL AND credit_note_id IS NULL AND transfer_id IS NOT NULL AND
            method = 'wire'))
) STRICT;

INSERT INTO refunds_v3 (id, request_id, partner_id, order_id, invoice_id, credit_note_id, amount,
                        currency, method, status, gateway_refund_id, paid_on, reference,
                        payee_name, payee_iban, end_to_end_id, transfer_file_id, created_at,
                        updated_at)
    SELECT id, request_id, partner_id, order_id, invoice_id, credit_note_id, amount, currency,
           method, status, gateway_refund_id, paid_on, reference, payee_name, payee_iban,
           end_to_end_id, transfer_file_id, created_at, updated_at
    FROM refunds;
DROP TABLE refunds;
ALTER TABLE refunds_v3 RENAME TO refunds;
CREATE INDEX refunds_status ON refunds (status, created_at);
CREATE INDEX refunds_page ON refunds (created_at, id);
CREATE INDEX refunds_status_page ON refunds (status, created_at, id);
