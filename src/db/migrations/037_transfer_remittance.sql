-- What the payer wrote on a transfer read from a camt.053 statement (its unstructured
-- remittance text, RmtInf/Ustrd). A transfer whose text names no order is for finance to
-- review, and that text (« facture 123 merci », « cotisation Dupont ») is often all there
-- is to tell whose money it is: it was shown once, in the import's answer, and lost. NULL
-- for a transfer recorded by hand, from a CSV, or from a statement before this version.
ALTER TABLE wire_transfers ADD COLUMN remittance TEXT;
