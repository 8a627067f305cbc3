-- Factur-X invoices (issue 15): the buyer's SIREN, its legal registration identifier in the
-- e-invoice (BT-47). A stand-in for the column the VAT and SIREN work adds with its checks
-- (its migration 018): the lead keeps one of the two when merging.
ALTER TABLE partners ADD COLUMN siren TEXT;
