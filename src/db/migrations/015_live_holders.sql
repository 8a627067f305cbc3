-- Leases for work that a process holds while it runs (issue 22).
--
-- An Idempotency-Key still being answered names the process that answers it (holder: host,
-- boot, pid namespace, pid, start time, random token; see core/holder.h) and a lease in
-- real time (lease_until, Unix seconds, never the test clock). A retry takes the key over
-- once that process is gone (same machine) or its lease ran out (another machine).
ALTER TABLE idempotency_keys ADD COLUMN holder TEXT;
ALTER TABLE idempotency_keys ADD COLUMN lease_until INTEGER;

-- A card attempt keeps when, in real time, it was last sent to the gateway, so an attempt
-- the gateway never saw is given up a minute of real time after it was sent, whatever the
-- business clock says, and never while a Buy is sending it again with its own key.
ALTER TABLE payments ADD COLUMN sent_at INTEGER;
