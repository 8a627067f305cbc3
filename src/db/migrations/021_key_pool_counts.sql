-- The figures of the key pools, kept instead of counted (issue 20).
--
-- GET /api/v1/admin/key-pools used to count, on every call, every key of each pool on the
-- page, its free keys and its queue (a pool can hold 100 000 keys), and each activation
-- counted the free keys again for the low-stock check. The figures are now kept, in the
-- transaction of every change, by the store functions that make it (store/benefit_keys.c):
-- a key loaded adds one to total_keys and free_keys, a key given takes one from free_keys
-- (keys are never deleted nor given back), an activation queued or taken off the queue
-- moves its pool's queued_requests and queued_keys.
--
-- The key figures live on the pool's row: every change to them is made with that row locked
-- already (service/benefit_keys.c). The queue's live in a row of their own, locked last by
-- every transaction that touches them: the daily job takes a revoked grant off the queue
-- with the grant's row locked and not the pool's, while loading keys serves the queue with
-- the pool's row locked and then each grant's; a figure on the pool's row would make those
-- two wait for each other.
ALTER TABLE key_pools ADD COLUMN total_keys INTEGER NOT NULL DEFAULT 0 CHECK (total_keys >= 0);
ALTER TABLE key_pools ADD COLUMN free_keys INTEGER NOT NULL DEFAULT 0 CHECK (free_keys >= 0);

CREATE TABLE key_pool_queues (
    pool_id TEXT PRIMARY KEY REFERENCES key_pools (id),
    queued_requests INTEGER NOT NULL DEFAULT 0 CHECK (queued_requests >= 0),
    queued_keys INTEGER NOT NULL DEFAULT 0 CHECK (queued_keys >= 0)
) STRICT;

-- The figures of the keys and queues there are (tests/e2e/benefits.test.mjs runs these
-- statements again to check them against the figures kept).
-- fill begin
UPDATE key_pools SET
    total_keys = (SELECT COUNT(*) FROM product_keys k WHERE k.pool_id = key_pools.id),
    free_keys = (SELECT COUNT(*) FROM product_keys k WHERE k.pool_id = key_pools.id
                 AND k.grant_id IS NULL);
INSERT INTO key_pool_queues (pool_id, queued_requests, queued_keys)
    SELECT pool_id, COUNT(*), SUM(count) FROM benefit_queue GROUP BY pool_id;
-- fill end
