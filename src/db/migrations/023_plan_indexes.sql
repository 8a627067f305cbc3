-- Indexes SQLite's planner takes for the queries they were made for (issue 20).
--
-- SQLite keeps no statistics here (no ANALYZE), so it weighs indexes by their shape: an
-- equality on an index's first column looks more selective than a range. Measured on the L
-- program (1 000 000 subscriptions, bench/gen.c):
-- - the renewals' and notices' subscriptions expiring between two days, and the dashboard's
--   renewals due per day, walked subscriptions_managed_page (managed_in = 'partner_center':
--   nearly every subscription) rather than the range of subscriptions_due: 3.5 s for the
--   dashboard, most of the 6 to 8 s each of those jobs took with nothing due. The partial
--   index now starts with managed_in, so the equality and the range are both on it.
-- - a subscription's orders awaiting payment (a cancellation) walked every order awaiting
--   payment in orders_status_page, which also gives their order; orders_subscription now
--   gives it too.
DROP INDEX subscriptions_due;
CREATE INDEX subscriptions_due ON subscriptions (managed_in, expires_on, auto_renew, paid, cancelled_on)
    WHERE paid = 1 AND cancelled_on IS NULL AND managed_in = 'partner_center';
DROP INDEX orders_subscription;
CREATE INDEX orders_subscription ON orders (subscription_id, status, created_at, id);
