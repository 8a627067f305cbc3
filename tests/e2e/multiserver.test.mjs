// multiserver.test.mjs - two `partnerd serve` on one database, both running jobs (issue 9).
//
// 10 000 renewals fall due at once. Both servers work on them (each try is claimed by a
// unique key; each delivery by a status-checked claim); one server is killed in the
// middle and the other finishes its work. The test gateway's ledger must show one charge
// per subscription, the mail folder one email per renewal, the invoices no gap.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { startServer, operatorClock, seedDueSubscriptions, ledgerSql, sql, readMails } from './harness.mjs';

const N = Number(process.env.PARTNERD_TEST_RENEWALS || 10000);
let a, b, op;

before(async () => {
  const args = ['--test-clock', '--jobs-interval', '1', '--threads', '2'];
  a = await startServer({ args });
  b = await startServer({ args, db: a.db, ledger: a.ledger });
  op = await operatorClock(a);
  seedDueSubscriptions(a, N, '2027-06-22', 'multi');
});
after(async () => {
  await op?.setClock(null);
  await b?.stop();
  await a?.stop();
});

const q = (s) => Number(sql(a.db.url, s));
const charged = () => Number(ledgerSql(a, "SELECT COUNT(*) FROM gw_charges WHERE status = 'succeeded'"));

async function until(what, check, seconds = 600) {
  const end = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

test(`${N} renewals due, two servers running jobs, one killed mid-way: each charged and told once`, async () => {
  await op.setClock('2027-06-23T06:00:00Z'); // day 1 of every window; both servers see it
  await until('a tenth of the charges', () => charged() >= N / 10);
  await b.kill();
  const worked = (srv) => [...srv.stderr().matchAll(/job name=auto_renewal done=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  await until('every renewal', () => q("SELECT COUNT(*) FROM renewal_attempts WHERE status = 'succeeded'") === N);
  assert.ok(worked(b) > 0 || q("SELECT COUNT(*) FROM renewal_attempts") > worked(a), 'the killed server had done some of the work');

  // what the killed server had claimed but not sent is taken over once its claim is stale
  await op.setClock('2027-06-23T06:11:00Z');
  // at least N: one more (a notice sent from a stale read, say) must fail below, not time out
  await until('every email', () => q("SELECT COUNT(*) FROM email_deliveries WHERE status = 'sent'") >= N);
  assert.equal(sql(a.db.url, 'SELECT event, COUNT(*) FROM outbox GROUP BY event'), `subscription.renewed|${N}`,
    'one event per renewal and nothing else: no upcoming-renewal notice for what is being renewed');
  assert.equal(q("SELECT COUNT(*) FROM email_deliveries WHERE status <> 'sent'"), 0);

  const keys = ledgerSql(a, "SELECT idempotency_key FROM gw_charges WHERE status = 'succeeded'").split('\n');
  assert.equal(keys.length, N, 'one charge per subscription');
  assert.equal(new Set(keys.map((k) => k.split(':').slice(1, 3).join(':'))).size, N, 'never two for one subscription and term');
  assert.equal(q("SELECT COUNT(*) FROM invoices"), N, 'one invoice per charge');
  assert.equal(q("SELECT COUNT(DISTINCT number) FROM invoices"), N);
  assert.equal(sql(a.db.url, "SELECT MAX(number) FROM invoices"), `2027-${String(N).padStart(6, '0')}`, 'no gap');
  const files = readdirSync(a.mailDir).filter((f) => f.endsWith('.eml'));
  assert.equal(files.length, N, 'one email file per renewal, each written once');
  const sample = readMails(a.mailDir).slice(0, 3);
  for (const m of sample) assert.match(m.subject, /^Abonnement renouvelé/);
});
