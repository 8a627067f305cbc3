-- Indexes for the jobs' "what is due" queries and the dashboard (issue 20), so that a job
-- pass reads what it works on and not whole tables. Each statement that relies on one is a
-- named constant of its store file, checked by tests/unit/test_plans.c on both engines.

-- A credit note names the invoice it cancels: wire_expiry asks whether an unpaid order's
-- invoice was credited already (store/invoices.c SQL_INVOICES_CREDITED).
CREATE INDEX invoices_credits ON invoices (credits_invoice_id) WHERE credits_invoice_id IS NOT NULL;

-- Orders waiting for a transfer past their due date (wire_expiry), and the orders of one
-- subscription: its paying order (cancellation) and those still awaiting payment. The
-- (status, due_on) index also serves every lookup by status alone. (IF EXISTS: a migration
-- of another branch merged before this one may have replaced these indexes already.)
DROP INDEX IF EXISTS orders_status;
CREATE INDEX orders_status_due ON orders (status, due_on);
CREATE INDEX orders_subscription ON orders (subscription_id, status);

-- Subscriptions renewed in the partner center and running (renewals, notices, the
-- dashboard's renewals due by week): a partial index that also holds the columns of its
-- condition and auto_renew, so the dashboard counts from the index alone (SQLite does not
-- count a partial index's condition as covered). It replaces the index on expires_on of
-- every subscription.
DROP INDEX IF EXISTS subscriptions_expiry;
CREATE INDEX subscriptions_due ON subscriptions (expires_on, auto_renew, paid, cancelled_on, managed_in)
    WHERE paid = 1 AND cancelled_on IS NULL AND managed_in = 'partner_center';

-- Revenue by month and currency, kept by store/invoices.c in the transaction of each invoice,
-- so the dashboard reads 12 months of rows instead of every invoice. A month's figure is
-- spread over a few shards (by invoice id) so concurrent invoices on PostgreSQL do not all
-- wait for the lock of one row; the dashboard adds the shards up.
CREATE TABLE invoice_month_totals (
    month TEXT NOT NULL,
    currency TEXT NOT NULL,
    shard INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    invoices INTEGER NOT NULL,
    PRIMARY KEY (month, currency, shard)
) STRICT;

INSERT INTO invoice_month_totals (month, currency, shard, amount_minor, invoices)
SELECT substr(issued_on, 1, 7), currency, 0, SUM(subtotal),
       SUM(CASE WHEN type = 'invoice' THEN 1 ELSE 0 END)
FROM invoices GROUP BY substr(issued_on, 1, 7), currency;
