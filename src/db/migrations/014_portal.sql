-- Finance resolves a received transfer that paid no order by itself (partial, excess,
-- unknown reference, order not awaited, other currency): allocated to an order (partial
-- transfers of one order add up until they pay it), refunded to whoever sent it, or
-- dismissed with a reason. Nothing stays "to review" for ever.
ALTER TABLE wire_transfers ADD COLUMN resolution TEXT
    CHECK (resolution IN ('allocated', 'refunded', 'dismissed'));
ALTER TABLE wire_transfers ADD COLUMN resolution_note TEXT;
ALTER TABLE wire_transfers ADD COLUMN resolved_by TEXT;
ALTER TABLE wire_transfers ADD COLUMN resolved_at INTEGER;

CREATE INDEX wire_transfers_order ON wire_transfers (order_id);
