-- Finance's « Rembourser à l'émetteur » sends a whole transfer back to the account it came
-- from: a wire refund to pay like the others (a SEPA transfer file, then the statement that
-- shows it), where it used to record only that finance had sent it back by other means.
-- Such a transfer often named no order (a payment no one expected): its refund then has no
-- organisation, no order and no invoice. Each refund now says why it is owed (reason): a
-- cancellation, a surplus, or a transfer sent back whole; one refund a transfer at most.
--
-- A NOT NULL cannot be dropped in place in SQLite: the table is rebuilt, as in 035 (nothing
-- references it), on both engines alike.
CREATE TABLE refunds_v4 (
    id TEXT PRIMARY KEY,
    reason TEXT NOT NULL CHECK (reason IN ('cancellation', 'surplus', 'transfer')),
    request_id TEXT REFERENCES support_requests (id),
    partner_id TEXT REFERENCES partners (id),
    order_id TEXT REFERENCES orders (id),
    invoice_id TEXT REFERENCES invoices (id),
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
    -- a cancellation's refund, with its credit note; a surplus of an order's transfers, by
    -- wire; or a transfer sent back whole, by wire, of an organisation only if it named an
    -- order
    CHECK ((reason = 'cancellation' AND request_id IS NOT NULL AND credit_note_id IS NOT NULL AND
            transfer_id IS NULL AND partner_id IS NOT NULL AND order_id IS NOT NULL AND
            invoice_id IS NOT NULL) OR
           (reason = 'surplus' AND request_id IS NULL AND credit_note_id IS NULL AND
            transfer_id IS NOT NULL AND method = 'wire' AND partner_id IS NOT NULL AND
            order_id IS NOT NULL AND invoice_id IS NOT NULL) OR
           (reason = 'transfer' AND request_id IS NULL AND credit_note_id IS NULL AND
            transfer_id IS NOT NULL AND method = 'wire' AND invoice_id IS NULL))
) STRICT;

INSERT INTO refunds_v4 (id, reason, request_id, partner_id, order_id, invoice_id, credit_note_id,
                        transfer_id, amount, currency, method, status, gateway_refund_id, paid_on,
                        reference, payee_name, payee_iban, end_to_end_id, transfer_file_id,
                        created_at, updated_at)
    SELECT id, CASE WHEN transfer_id IS NULL THEN 'cancellation' ELSE 'surplus' END, request_id,
           partner_id, order_id, invoice_id, credit_note_id, transfer_id, amount, currency,
           method, status, gateway_refund_id, paid_on, reference, payee_name, payee_iban,
           end_to_end_id, transfer_file_id, created_at, updated_at
    FROM refunds;
DROP TABLE refunds;
ALTER TABLE refunds_v4 RENAME TO refunds;
CREATE INDEX refunds_status ON refunds (status, created_at);
CREATE INDEX refunds_page ON refunds (created_at, id);
CREATE INDEX refunds_status_page ON refunds (status, created_at, id);
