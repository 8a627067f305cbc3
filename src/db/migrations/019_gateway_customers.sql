-- The payer of each partner at a payment gateway that keeps payment methods per customer
-- (issue 16: Stripe's cus_...). A payment method is saved to this customer at the first
-- payment (or a SetupIntent) so that automatic renewals can charge it off session. Created
-- once per partner and gateway: the gateway call carries an idempotency key derived from the
-- partner's id, and the first row written wins. Nothing of the card is here.
CREATE TABLE gateway_customers (
    partner_id TEXT NOT NULL REFERENCES partners (id),
    gateway TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (partner_id, gateway)
) STRICT;
