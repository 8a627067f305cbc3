-- The indexes of the lists (issue 20).
--
-- Every list is read newest first, (created_at DESC, id DESC), one page at a time from the
-- row its cursor names (store/page.h). Each filter a list offers has an index that starts
-- with the filter's column and ends with (created_at, id), so a page is a short walk of one
-- index on both engines, whatever the size of the table: no scan, no sort.
-- The indexes these replace were their prefixes and are dropped.

CREATE INDEX partners_page ON partners (created_at, id);
CREATE INDEX partners_vat_id ON partners (vat_id) WHERE vat_id IS NOT NULL;

CREATE INDEX users_partner_page ON users (partner_id, created_at, id);

CREATE INDEX subscriptions_page ON subscriptions (created_at, id);
CREATE INDEX subscriptions_partner_page ON subscriptions (partner_id, created_at, id);
CREATE INDEX subscriptions_managed_page ON subscriptions (managed_in, created_at, id);

DROP INDEX IF EXISTS orders_partner;
CREATE INDEX orders_partner_page ON orders (partner_id, created_at, id);
CREATE INDEX orders_status_page ON orders (status, created_at, id);

DROP INDEX IF EXISTS invoices_partner;
CREATE INDEX invoices_partner_page ON invoices (partner_id, created_at, id);

CREATE INDEX wire_transfers_page ON wire_transfers (created_at, id);
CREATE INDEX wire_transfers_status_page ON wire_transfers (status, created_at, id);
CREATE INDEX wire_transfers_reference ON wire_transfers (reference);

DROP INDEX IF EXISTS support_requests_partner;
DROP INDEX IF EXISTS support_requests_status;
CREATE INDEX support_requests_page ON support_requests (created_at, id);
CREATE INDEX support_requests_partner_page ON support_requests (partner_id, created_at, id);
CREATE INDEX support_requests_status_page ON support_requests (status, created_at, id);
CREATE INDEX support_requests_category_page ON support_requests (category, created_at, id);
CREATE INDEX support_requests_assignee_page ON support_requests (assignee_id, created_at, id);

CREATE INDEX refunds_page ON refunds (created_at, id);
CREATE INDEX refunds_status_page ON refunds (status, created_at, id);

CREATE INDEX referrals_partner_page ON referrals (partner_id, created_at, id);
CREATE INDEX referrals_partner_status_page ON referrals (partner_id, status, created_at, id);

CREATE INDEX email_deliveries_page ON email_deliveries (created_at, id);
CREATE INDEX email_deliveries_status_page ON email_deliveries (status, created_at, id);
CREATE INDEX webhook_deliveries_page ON webhook_deliveries (created_at, id);
CREATE INDEX webhook_deliveries_status_page ON webhook_deliveries (status, created_at, id);
CREATE INDEX webhook_deliveries_endpoint_page ON webhook_deliveries (endpoint_id, created_at, id);

-- Staff search partners by name: words of the legal name, as the directory searches its
-- listings (db_fts_condition): FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL.
-- sqlite-only begin
CREATE VIRTUAL TABLE partners_fts USING fts5 (
    legal_name, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO partners_fts (rowid, legal_name) SELECT rowid, legal_name FROM partners;
CREATE TRIGGER partners_fts_ins AFTER INSERT ON partners BEGIN
    INSERT INTO partners_fts (rowid, legal_name) VALUES (new.rowid, new.legal_name);
END;
CREATE TRIGGER partners_fts_upd AFTER UPDATE OF legal_name ON partners BEGIN
    DELETE FROM partners_fts WHERE rowid = old.rowid;
    INSERT INTO partners_fts (rowid, legal_name) VALUES (new.rowid, new.legal_name);
END;
CREATE TRIGGER partners_fts_del AFTER DELETE ON partners BEGIN
    DELETE FROM partners_fts WHERE rowid = old.rowid;
END;
-- sqlite-only end
--pg: ALTER TABLE partners ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('pd_search'::regconfig, regexp_replace(legal_name, '[!-/:-@[-`{-~«»’‘“”–—]+', ' ', 'g'))) STORED;
--pg: CREATE INDEX partners_search ON partners USING gin (search_tsv);
