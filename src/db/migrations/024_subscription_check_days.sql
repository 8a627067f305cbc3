-- The day the notices job and the renewals job next look at a subscription (issue 20).
--
-- Both jobs read every subscription near its expiry on every pass (250 000 and 82 000 of a
-- million), to find the few owed a notice or a try that day: 8 s at L for a pass with
-- nothing due, and `serve` runs a pass a minute. Now each keeps, on the row, the next day
-- anything can be due (core/subscription.c, sub_notice_next_check and
-- sub_auto_renew_next_check) and a pass reads only the rows whose day has come, through
-- these indexes, as the benefits job does with its grants' check_on (migration 020).
-- '' is "now" (a row never looked at, or whose facts changed: a write to the subscription or
-- to its renewal tries, to its organisation's saved card or certified people, the end of an
-- open renewal order; a new term writes its first days instead), NULL is "not before its
-- facts change".
--
-- Both start with managed_in, as subscriptions_due does (migration 023): SQLite, without
-- statistics, would take that index for the equality and sort the whole range.
--
-- The rows that exist start from the earliest day anything can be due: the first notice 30
-- days before expiry, the first try the day after (sub_notice_first_check,
-- sub_auto_renew_first_check), so a row past those days is looked at once by the next pass.
ALTER TABLE subscriptions ADD COLUMN notice_check_on TEXT DEFAULT '';
ALTER TABLE subscriptions ADD COLUMN renew_check_on TEXT DEFAULT '';
-- sqlite-only begin
UPDATE subscriptions SET notice_check_on = date(expires_on, '-30 days'),
    renew_check_on = date(expires_on, '+1 day') WHERE expires_on IS NOT NULL;
-- sqlite-only end
--pg: UPDATE subscriptions SET notice_check_on = to_char(expires_on::date - 30, 'YYYY-MM-DD'), renew_check_on = to_char(expires_on::date + 1, 'YYYY-MM-DD') WHERE expires_on IS NOT NULL;
CREATE INDEX subscriptions_notice_check ON subscriptions (managed_in, notice_check_on, id)
    WHERE paid = 1 AND cancelled_on IS NULL AND managed_in = 'partner_center';
CREATE INDEX subscriptions_renew_check ON subscriptions (managed_in, renew_check_on, id)
    WHERE paid = 1 AND cancelled_on IS NULL AND managed_in = 'partner_center' AND auto_renew = 1;
