-- Deliveries claimed in their order from an index, however many wait (issue 20).
--
-- A claim takes the 50 oldest deliveries due, ordered by (next_attempt_at, id) or
-- (claimed_at, id). The indexes held (status, next_attempt_at) and (status, claimed_at):
-- the deliveries due at the same second (a job pass emits thousands in one) were read and
-- sorted by id at every claim. With id in the index the claim reads 50 entries. The claim's
-- UPDATE also finds its rows by id now (store/outbox.c), where it walked every pending
-- delivery: at a backlog of 640 000 (a first pass at 100 000 partners, or mail that could
-- not go out for a while) each claim of 50 read them all.
DROP INDEX email_deliveries_due;
CREATE INDEX email_deliveries_due ON email_deliveries (status, next_attempt_at, id);
DROP INDEX email_deliveries_stale;
CREATE INDEX email_deliveries_stale ON email_deliveries (status, claimed_at, id);
DROP INDEX webhook_deliveries_due;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at, id);
DROP INDEX webhook_deliveries_stale;
CREATE INDEX webhook_deliveries_stale ON webhook_deliveries (status, claimed_at, id);
