-- The dashboard's count of partners, kept instead of counted (issue 20).
--
-- GET /api/v1/admin/dashboard counted every organisation at each call: a walk of a whole
-- index, 8 to 21 ms on PostgreSQL at 100 000 partners, growing with the network. The count
-- is kept in counters ('partners') by triggers on partners, like the renewals due of
-- migration 027, so that every way an organisation is written counts it (joining the
-- network, the demo, the benches' own inserts). One row, updated in place: organisations
-- join rarely, and one joining at the same time as another waits for the other's commit at
-- most (after its partner row, a joining writes only rows of its own: its user, its audit).
-- A later migration that rebuilds partners must create these triggers again.
--pg: CREATE FUNCTION partners_count() RETURNS trigger LANGUAGE plpgsql AS $$
--pg: BEGIN
--pg:     UPDATE counters SET value = value + CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END
--pg:         WHERE name = 'partners';
--pg:     RETURN NULL;
--pg: END $$;
--pg: CREATE TRIGGER partners_count AFTER INSERT OR DELETE ON partners
--pg:     FOR EACH ROW EXECUTE FUNCTION partners_count();
-- sqlite-only begin
CREATE TRIGGER partners_count_ins AFTER INSERT ON partners BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'partners';
END;
CREATE TRIGGER partners_count_del AFTER DELETE ON partners BEGIN
    UPDATE counters SET value = value - 1 WHERE name = 'partners';
END;
-- sqlite-only end
-- (after the triggers: on PostgreSQL creating one locks partners against writes until this
-- migration commits)
INSERT INTO counters (name, value) SELECT 'partners', COUNT(*) FROM partners;
