-- The rest of the lists, paged (issue 20), and the benefits job's "what is due" (issue 20).
--
-- API tokens, certified people, webhook endpoints, key pools and their keys are read a page
-- at a time, newest first, like every list (017_list_indexes.sql): each gets an index that
-- starts with its owner and ends with (created_at, id). The indexes these replace were their
-- prefixes.
DROP INDEX IF EXISTS api_tokens_user;
CREATE INDEX api_tokens_user_page ON api_tokens (user_id, created_at, id);

DROP INDEX IF EXISTS certified_people_partner;
CREATE INDEX certified_people_partner_page ON certified_people (partner_id, created_at, id);

DROP INDEX IF EXISTS webhook_endpoints_partner;
CREATE INDEX webhook_endpoints_partner_page ON webhook_endpoints (partner_id, created_at, id);

-- The keys of a pool, the last loaded first (staff), and the pools themselves.
CREATE INDEX product_keys_pool_page ON product_keys (pool_id, loaded_at, id);
CREATE INDEX key_pools_page ON key_pools (created_at, id);

-- The benefits job used to read every current grant on each pass to find the few owed a
-- reminder or a revocation. Each grant now keeps the next day the job has to look at it
-- (core/benefit.c benefit_next_check: 30 and 7 days before its activation deadline, the day
-- after its term, the day of a cancellation; NULL once nothing can be owed), and a pass reads
-- the grants whose day has come through this index (store/benefits.c grants_sql_due). Every
-- grant not announced revoked is looked at once by the first pass, which sets its day.
ALTER TABLE benefit_grants ADD COLUMN check_on TEXT;
UPDATE benefit_grants SET check_on = '0001-01-01' WHERE revoked_at IS NULL;
CREATE INDEX benefit_grants_check ON benefit_grants (check_on, id) WHERE check_on IS NOT NULL;

-- A term gets its grants when it is paid (service/confirm.c); a term added otherwise (an
-- automatic renewal, an import) is granted by the job. Such terms are marked, so the job
-- finds them through an index (benefits_due first) instead of looking for terms without grants among all
-- of them (store/benefits.c grants_sql_terms_due). Terms with grants, terms a later one
-- replaced and terms of cancelled subscriptions are done already (none of them is granted).
ALTER TABLE subscription_terms ADD COLUMN benefits_due INTEGER NOT NULL DEFAULT 1;
UPDATE subscription_terms SET benefits_due = 0 WHERE EXISTS (
    SELECT 1 FROM benefit_grants g
    WHERE g.subscription_id = subscription_terms.subscription_id AND g.term = subscription_terms.term)
    OR term < (SELECT MAX(u.term) FROM subscription_terms u
               WHERE u.subscription_id = subscription_terms.subscription_id)
    OR subscription_id IN (SELECT id FROM subscriptions WHERE cancelled_on IS NOT NULL);
CREATE INDEX subscription_terms_benefits_due ON subscription_terms (benefits_due, subscription_id, term);
