-- The card saved when an order was made (issue 16's saved card, kept right).
--
-- A payment saves the card it was made with as the organisation's. An order can wait long
-- after it was made (a bank's challenge left open), and the partner may save another card
-- meanwhile: the payment must then leave that one. An order now records the token of the
-- card saved when it was made ('' when none), and its payment replaces the saved card only
-- while it is still that one. Orders made before keep NULL: their payments save their card
-- as they always did.
ALTER TABLE orders ADD COLUMN saved_card TEXT;
