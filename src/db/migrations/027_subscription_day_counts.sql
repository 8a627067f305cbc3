-- The dashboard's renewals due, kept instead of counted (issue 20).
--
-- GET /api/v1/admin/dashboard counted the running subscriptions expiring in the next twelve
-- weeks per day and auto_renew, from the index subscriptions_due: at L about 220 000 index
-- entries a call (the dashboard answered in 99 ms on PostgreSQL after a day's job passes, 43
-- ms on SQLite), and the figure grows with the program. This table keeps the same counts:
-- the rows of one day and auto_renew add up to
-- the running Partner Center subscriptions (paid, not cancelled, the condition of
-- subscriptions_due) expiring that day with that auto_renew.
--
-- Triggers keep it, so that no write of a subscription can forget it: the purchase and the
-- renewal, auto-renew turned off, a cancellation, the PMC migration, the generator of
-- bench/. A change adds a row of +1 for what the subscription now counts in and of -1 for
-- what it counted in before; it never updates a row, so concurrent transactions never wait
-- for each other here (on PostgreSQL, counts updated in place would be locked by every
-- purchase of the day until its commit, and two renewal batches could deadlock on them).
-- The jobs pass folds each day's rows into one (service/dashboard.c, job day_counts), so
-- once folded the dashboard reads a row per day and auto_renew of its twelve weeks, and
-- between two passes the rows of the changes since. Nothing writes subscriptions around
-- these triggers; a later migration that rebuilds the table must create them again.
CREATE TABLE subscription_day_counts (
    expires_on TEXT NOT NULL,
    auto_renew INTEGER NOT NULL,
    n INTEGER NOT NULL
) STRICT;
CREATE INDEX subscription_day_counts_day ON subscription_day_counts (expires_on, auto_renew, n);

-- The triggers come before the counts, so that on PostgreSQL no write falls between the two:
-- creating a trigger locks the table against writes until this migration commits.
-- sqlite-only begin
CREATE TRIGGER subscriptions_day_count_ins AFTER INSERT ON subscriptions
WHEN new.paid = 1 AND new.cancelled_on IS NULL AND new.managed_in = 'partner_center' BEGIN
    INSERT INTO subscription_day_counts VALUES (new.expires_on, new.auto_renew, 1);
END;
CREATE TRIGGER subscriptions_day_count_del AFTER DELETE ON subscriptions
WHEN old.paid = 1 AND old.cancelled_on IS NULL AND old.managed_in = 'partner_center' BEGIN
    INSERT INTO subscription_day_counts VALUES (old.expires_on, old.auto_renew, -1);
END;
CREATE TRIGGER subscriptions_day_count_upd
AFTER UPDATE OF expires_on, auto_renew, paid, cancelled_on, managed_in ON subscriptions
WHEN old.expires_on IS NOT new.expires_on OR old.auto_renew IS NOT new.auto_renew
    OR old.paid IS NOT new.paid OR old.cancelled_on IS NOT new.cancelled_on
    OR old.managed_in IS NOT new.managed_in BEGIN
    INSERT INTO subscription_day_counts SELECT old.expires_on, old.auto_renew, -1
        WHERE old.paid = 1 AND old.cancelled_on IS NULL AND old.managed_in = 'partner_center';
    INSERT INTO subscription_day_counts SELECT new.expires_on, new.auto_renew, 1
        WHERE new.paid = 1 AND new.cancelled_on IS NULL AND new.managed_in = 'partner_center';
END;
-- sqlite-only end
--pg: CREATE FUNCTION subscriptions_day_count() RETURNS trigger LANGUAGE plpgsql AS $$
--pg: BEGIN
--pg:     IF TG_OP = 'UPDATE' AND (OLD.expires_on, OLD.auto_renew, OLD.paid, OLD.cancelled_on, OLD.managed_in)
--pg:         IS NOT DISTINCT FROM (NEW.expires_on, NEW.auto_renew, NEW.paid, NEW.cancelled_on, NEW.managed_in) THEN
--pg:         RETURN NULL;
--pg:     END IF;
--pg:     IF TG_OP <> 'INSERT' AND OLD.paid = 1 AND OLD.cancelled_on IS NULL AND OLD.managed_in = 'partner_center' THEN
--pg:         INSERT INTO subscription_day_counts VALUES (OLD.expires_on, OLD.auto_renew, -1);
--pg:     END IF;
--pg:     IF TG_OP <> 'DELETE' AND NEW.paid = 1 AND NEW.cancelled_on IS NULL AND NEW.managed_in = 'partner_center' THEN
--pg:         INSERT INTO subscription_day_counts VALUES (NEW.expires_on, NEW.auto_renew, 1);
--pg:     END IF;
--pg:     RETURN NULL;
--pg: END $$;
--pg: CREATE TRIGGER subscriptions_day_count
--pg:     AFTER INSERT OR DELETE OR UPDATE OF expires_on, auto_renew, paid, cancelled_on, managed_in
--pg:     ON subscriptions FOR EACH ROW EXECUTE FUNCTION subscriptions_day_count();

-- The counts of the subscriptions there are (tests/e2e/scale.test.mjs checks the rows kept
-- against this statement run again).
-- fill begin
INSERT INTO subscription_day_counts (expires_on, auto_renew, n)
    SELECT expires_on, auto_renew, COUNT(*) FROM subscriptions
    WHERE paid = 1 AND cancelled_on IS NULL AND managed_in = 'partner_center'
    GROUP BY expires_on, auto_renew;
-- fill end

-- subscriptions_due served the counts alone (and the fill above): one index fewer to write
-- at every purchase and renewal. Dropped last, since on PostgreSQL its drop locks the table
-- against reads too until this migration commits.
DROP INDEX subscriptions_due;
