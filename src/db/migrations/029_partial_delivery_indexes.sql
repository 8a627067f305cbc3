-- The claim indexes of the deliveries hold only the rows a claim can take (issue 20).
--
-- A claim searches email_deliveries_due for pending rows and email_deliveries_stale for
-- sending ones (store/outbox.c, outbox_sql_claim); the webhooks' two do the same. Indexes
-- of every row (022) also held every delivery sent or failed: at L, 4.7 million emails,
-- about 130 MB in each, for the few thousand a pass works. And every change of a delivery's
-- status wrote an entry into both: on PostgreSQL, where each of an email's three row
-- versions (inserted, claimed, sent) gets an entry in every index whose columns changed,
-- six entries of the twenty or so an email writes. Now a delivery is in the due index while
-- pending and in the stale one while sending, and in neither once done.
--
-- The claims name their status as a literal, which lets both engines use these indexes.
-- SQLite keeps status first: without statistics, given (next_attempt_at, id), it takes
-- the list index (status, created_at, id) for the equality and sorts what it finds.
-- PostgreSQL leaves out of an index's search a column its WHERE fixes (migration 026), so
-- there they lead with the time.
DROP INDEX email_deliveries_due;
DROP INDEX email_deliveries_stale;
DROP INDEX webhook_deliveries_due;
DROP INDEX webhook_deliveries_stale;
-- sqlite-only begin
CREATE INDEX email_deliveries_due ON email_deliveries (status, next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX email_deliveries_stale ON email_deliveries (status, claimed_at, id)
    WHERE status = 'sending';
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_stale ON webhook_deliveries (status, claimed_at, id)
    WHERE status = 'sending';
-- sqlite-only end
--pg: CREATE INDEX email_deliveries_due ON email_deliveries (next_attempt_at, id) WHERE status = 'pending';
--pg: CREATE INDEX email_deliveries_stale ON email_deliveries (claimed_at, id) WHERE status = 'sending';
--pg: CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
--pg: CREATE INDEX webhook_deliveries_stale ON webhook_deliveries (claimed_at, id) WHERE status = 'sending';
