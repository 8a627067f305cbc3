-- Why a transfer finance had resolved is to review again.
--
-- A transfer allocated to a wire order counts towards what the order still owes. When that
-- order is cancelled before it is paid in full (unpaid at its due date, or superseded by an
-- import from the PMC), the money is the partner's still: the allocation is undone and the
-- transfer goes back to finance's review, to be refunded or allocated to another order.
-- review_reason says why ('order_cancelled'); NULL for a transfer that never came back.
ALTER TABLE wire_transfers ADD COLUMN review_reason TEXT
    CHECK (review_reason IN ('order_cancelled'));
-- Transfers allocated to orders cancelled before this version kept their allocation, the
-- money out of finance's sight: they go back to review now, as a cancellation does since.
UPDATE wire_transfers SET resolution = NULL, resolution_note = NULL, resolved_by = NULL,
    resolved_at = NULL, review_reason = 'order_cancelled'
WHERE resolution = 'allocated'
  AND order_id IN (SELECT id FROM orders WHERE status = 'cancelled');
