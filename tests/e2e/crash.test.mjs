// crash.test.mjs - a renewal run killed with SIGKILL again and again, then finished (issue 6).
//
// Whatever moment the kill lands on (before a try is claimed, between the claim and the
// charge, between the charge and its settlement, in the middle of a commit), the end is
// the same: exactly one successful charge per subscription and term in the gateway's own
// ledger, one invoice per charge, no gap in the invoice numbers, a sound database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, operatorClock, seedDueSubscriptions, jobsProcess, ledgerSql, sql, ENGINE } from './harness.mjs';

const N = 3000;
const KILLS = 12;
let srv, op;

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  op = await operatorClock(srv);
  seedDueSubscriptions(srv, N, '2027-06-22', 'crash');
  await op.setClock('2027-06-23T06:00:00Z'); // day 1 of every window
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

test(`${N} renewals killed at random moments (up to ${KILLS} times), then finished: one charge and one invoice each, no gap`, async () => {
  // kills at random moments from start-up to a third of a second in, until KILLS have landed
  // or a run gets to the end on its own: on a fast machine the work may be done sooner, so
  // the windows stay short rather than growing
  let killed = 0;
  for (let i = 0; killed < KILLS && i < 4 * KILLS; i++) {
    const r = await jobsProcess(srv, { killAfterMs: 30 + Math.floor(Math.random() * 300) });
    if (r.signal === 'SIGKILL') killed++;
    else {
      assert.equal(r.code, 0, r.stderr);
      break;
    }
  }
  assert.ok(killed >= 4, `only ${killed} runs were killed mid-way`);
  const last = await jobsProcess(srv);
  assert.equal(last.code, 0, last.stderr);

  const keys = ledgerSql(srv, "SELECT idempotency_key FROM gw_charges WHERE status = 'succeeded'").split('\n').filter(Boolean);
  const perSub = new Map();
  for (const k of keys) {
    const [, sub, term] = k.split(':');
    perSub.set(`${sub}:${term}`, (perSub.get(`${sub}:${term}`) || 0) + 1);
  }
  assert.equal(perSub.size, N, 'every subscription was charged');
  assert.deepEqual([...new Set(perSub.values())], [1], 'exactly once per subscription and term');
  assert.equal(keys.length, N);

  const q = (s) => sql(srv.db.url, s);
  assert.equal(Number(q("SELECT COUNT(*) FROM subscriptions WHERE starts_on = '2027-06-23' AND expires_on = '2028-06-22'")), N, 'every subscription has its new term');
  assert.equal(Number(q("SELECT COUNT(*) FROM renewal_attempts WHERE status = 'succeeded'")), N);
  assert.equal(Number(q("SELECT COUNT(*) FROM renewal_attempts WHERE status <> 'succeeded'")), 0, 'no try left pending');
  assert.equal(Number(q("SELECT COUNT(*) FROM invoices WHERE type = 'invoice'")), N, 'one invoice per charge');
  assert.equal(Number(q("SELECT COUNT(DISTINCT order_id) FROM invoices")), N);
  assert.equal(Number(q("SELECT COUNT(*) FROM payments WHERE status = 'succeeded'")), N);
  const numbers = q("SELECT number FROM invoices ORDER BY number").split('\n').map((n) => Number(n.split('-')[1]));
  assert.equal(numbers[0], 1);
  assert.equal(numbers.at(-1), N, 'numbers 2027-000001 to 2027-003000: no gap');
  assert.equal(Number(q("SELECT COUNT(*) FROM outbox WHERE event = 'subscription.renewed'")), N, 'one event per renewal');
  // emails a killed process had claimed wait until the claim is stale (10 minutes), then go
  assert.equal(Number(q("SELECT COUNT(*) FROM email_deliveries WHERE status NOT IN ('sent', 'sending')")), 0);
  await op.setClock('2027-06-23T06:11:00Z');
  assert.equal((await jobsProcess(srv)).code, 0);
  assert.equal(Number(q("SELECT COUNT(*) FROM email_deliveries WHERE status <> 'sent'")), 0, 'every email sent');
  if (ENGINE === 'sqlite') assert.equal(q('PRAGMA integrity_check'), 'ok');
  else assert.equal(q("SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"), '0');
});
