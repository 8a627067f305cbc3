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
-- the grants whose day has come through this index (store/benefits.c grants_sql_due).
-- The grants there are get their day here, as benefit_next_check would set it: none for a
-- grant a later term replaced, one announced revoked, or one whose activation deadline passed
-- with nothing activated; else the earliest of the day after its term, its next reminder (30
-- or 7 days before the deadline) and its subscription's cancellation. A day already passed is
-- due on the first pass, which looks at that grant once and sets its next day.
ALTER TABLE benefit_grants ADD COLUMN check_on TEXT;
-- sqlite-only begin
UPDATE benefit_grants SET check_on = CASE
    WHEN kind IN ('software_key', 'cloud_subscription') AND activate_by IS NOT NULL AND used = 0
         AND activate_by < date('now') THEN NULL
    ELSE MIN(date(ends_on, '+1 day'),
             CASE WHEN kind IN ('software_key', 'cloud_subscription') AND activate_by IS NOT NULL
                       AND used = 0 AND reminded <> 7
                  THEN date(activate_by, CASE WHEN reminded = 30 THEN '-7 days' ELSE '-30 days' END)
                  ELSE '9999-12-31' END,
             COALESCE((SELECT s.cancelled_on FROM subscriptions s
                       WHERE s.id = benefit_grants.subscription_id), '9999-12-31'))
    END
WHERE revoked_at IS NULL AND term = (SELECT MAX(t.term) FROM subscription_terms t
                                     WHERE t.subscription_id = benefit_grants.subscription_id);
-- sqlite-only end
--pg: UPDATE benefit_grants SET check_on = CASE
--pg:     WHEN kind IN ('software_key', 'cloud_subscription') AND activate_by IS NOT NULL AND used = 0
--pg:          AND activate_by < to_char(CURRENT_DATE, 'YYYY-MM-DD') THEN NULL
--pg:     ELSE to_char(LEAST(ends_on::date + 1,
--pg:              CASE WHEN kind IN ('software_key', 'cloud_subscription') AND activate_by IS NOT NULL
--pg:                        AND used = 0 AND reminded <> 7
--pg:                   THEN activate_by::date - (CASE WHEN reminded = 30 THEN 7 ELSE 30 END) END,
--pg:              (SELECT s.cancelled_on::date FROM subscriptions s
--pg:               WHERE s.id = benefit_grants.subscription_id)), 'YYYY-MM-DD')
--pg:     END
--pg: WHERE revoked_at IS NULL AND term = (SELECT MAX(t.term) FROM subscription_terms t
--pg:                                      WHERE t.subscription_id = benefit_grants.subscription_id);
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
