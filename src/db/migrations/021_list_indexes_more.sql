-- The rest of the lists, paged (issue 20), and the benefits job's "what is due" (issue 20).
--
-- API tokens, certified people and webhook endpoints are read a page at a time, newest
-- first, like every list (017_list_indexes.sql): each gets an index that starts with its
-- owner and ends with (created_at, id). The indexes these replace were their prefixes.
DROP INDEX IF EXISTS api_tokens_user;
CREATE INDEX api_tokens_user_page ON api_tokens (user_id, created_at, id);

DROP INDEX IF EXISTS certified_people_partner;
CREATE INDEX certified_people_partner_page ON certified_people (partner_id, created_at, id);

DROP INDEX IF EXISTS webhook_endpoints_partner;
CREATE INDEX webhook_endpoints_partner_page ON webhook_endpoints (partner_id, created_at, id);
