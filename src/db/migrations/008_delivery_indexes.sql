-- Indexes for the queries that claim work, so a claim reads the rows it takes and not the
-- whole table: a pass over 10 000 due emails otherwise reads 10 000 rows per batch of 50.
CREATE INDEX renewal_attempts_order ON renewal_attempts (order_id);
CREATE INDEX email_deliveries_claim ON email_deliveries (claim) WHERE claim IS NOT NULL;
CREATE INDEX webhook_deliveries_claim ON webhook_deliveries (claim) WHERE claim IS NOT NULL;
CREATE INDEX email_deliveries_stale ON email_deliveries (status, claimed_at);
CREATE INDEX webhook_deliveries_stale ON webhook_deliveries (status, claimed_at);
