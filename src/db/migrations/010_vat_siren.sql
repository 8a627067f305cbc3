-- France's e-invoicing reform wants the buyer's SIREN on invoices to French companies;
-- and a VAT ID may be confirmed by the European Commission's VIES (service/vies.c):
-- not_checked (VIES off, or no number VIES knows), pending (a job will ask), valid,
-- invalid, or unverified (VIES could not answer; asked again after vat_id_check_after).
ALTER TABLE partners ADD COLUMN siren TEXT;
ALTER TABLE partners ADD COLUMN vat_id_status TEXT NOT NULL DEFAULT 'not_checked'
    CHECK (vat_id_status IN ('not_checked', 'pending', 'valid', 'invalid', 'unverified'));
ALTER TABLE partners ADD COLUMN vat_id_checked_at INTEGER;
ALTER TABLE partners ADD COLUMN vat_id_check_after INTEGER;
ALTER TABLE partners ADD COLUMN vat_id_check_tries INTEGER NOT NULL DEFAULT 0;
-- VIES's consultation number (proof of the check for a tax inspector) and the name it gave
ALTER TABLE partners ADD COLUMN vat_id_consultation TEXT;
ALTER TABLE partners ADD COLUMN vat_id_vies_name TEXT;

CREATE INDEX partners_vat_id_due ON partners (vat_id_status, vat_id_check_after);
