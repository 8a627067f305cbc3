// job_workers.test.mjs - a job pass spread over several connections (`jobs run --workers N`,
// `serve --jobs-workers N`; issue 20) does what the same pass on one connection does.
//
// Two copies of one generated program (bench/gen.c, deterministic) go through the same days:
// the generator's backlog, then a week later. One copy's passes run on one connection, the
// other's on four. On PostgreSQL the renewals, notices and benefits of the second then run in
// four server processes at once, and its emails are sent in four parts at once; SQLite writes one transaction at a time, so there the
// option is accepted and the pass has one connection. Either way, every renewal, notice,
// grant's next day, event, email and charge must come out the same, each once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PG, freshDatabase, sql, SQLITE3_WAIT } from './harness.mjs';
import { generate } from './scale_helpers.mjs';

const TODAY = '2027-06-28';
const NOON = Date.parse(`${TODAY}T10:00:00Z`) / 1000;
const WEEK = 7 * 86400;
const SHAPE = { today: TODAY, partners: 1000, subscriptions: 3000, invoices: 6000 };

let dir;
const copies = {}; // workers -> {db, ledger}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'partnerd-workers-'));
  for (const workers of [1, 4]) {
    const db = freshDatabase();
    const ledger = join(dir, `ledger-${workers}.db`);
    generate(db, { ...SHAPE, ledger });
    sql(db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('mail.dir', '${join(dir, `mail-${workers}`)}', 0) ON CONFLICT (key) DO NOTHING`);
    copies[workers] = { db, ledger };
  }
});

after(() => {
  for (const c of Object.values(copies)) c.db.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function pin(url, at) {
  sql(url, `INSERT INTO settings (key, value, updated_at) VALUES ('clock.pinned', '${at}', 0) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
}

// One pass on copy `workers` with --workers `workers`: each job's count, and the connections
// the pass said it had.
function pass(workers) {
  const { db, ledger } = copies[workers];
  const r = spawnSync(BIN, ['jobs', 'run', '--workers', String(workers), '--db', db.url], {
    encoding: 'utf8',
    env: { ...process.env, PARTNERD_DB: '', PARTNERD_GATEWAY_LEDGER: ledger },
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const done = Object.fromEntries([...r.stderr.matchAll(/job name=(\w+) done=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
  const connections = Number((r.stderr.match(/jobs connections=(\d+)/) || [])[1]);
  return { done, connections };
}

// What the passes wrote, by the keys the generator made alike in both copies (the rows the
// passes made have random ids: a grant is known by its subscription, term and place).
function outcome(workers) {
  const { db, ledger } = copies[workers];
  const q = (s) => sql(db.url, s);
  const ledgerQ = (s) => {
    const r = spawnSync('sqlite3', [...SQLITE3_WAIT, ledger, s], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  return {
    subscriptions: q("SELECT id || ' ' || expires_on || ' ' || COALESCE(notice_check_on, '-') || ' ' || COALESCE(renew_check_on, '-') || ' ' || auto_renew FROM subscriptions ORDER BY id"),
    notices: q("SELECT subscription_id || ' ' || term || ' ' || kind || ' ' || sent_on FROM subscription_notices ORDER BY 1"),
    attempts: q("SELECT subscription_id || ' ' || term || ' ' || try || ' ' || status FROM renewal_attempts ORDER BY 1"),
    grants: q("SELECT subscription_id || ' ' || term || ' ' || position || ' ' || COALESCE(check_on, '-') || ' ' || reminded || ' ' || (revoked_at IS NULL) FROM benefit_grants ORDER BY 1"),
    events: q("SELECT event || ' ' || COUNT(*) FROM outbox GROUP BY event ORDER BY 1"),
    invoices: q("SELECT type || ' ' || COUNT(*) || ' ' || SUM(subtotal) FROM invoices GROUP BY type ORDER BY 1"),
    charges: ledgerQ("SELECT status || ' ' || COUNT(*) || ' ' || SUM(amount) FROM gw_charges GROUP BY status ORDER BY 1"),
    // the emails: each delivery sent, as one .eml file of its own
    emails: q("SELECT status || ' ' || COUNT(*) FROM email_deliveries GROUP BY status ORDER BY 1"),
    emlFiles: readdirSync(join(dir, `mail-${workers}`)).filter((f) => f.endsWith('.eml')).length,
    sent: Number(q("SELECT COUNT(*) FROM email_deliveries WHERE status = 'sent'")),
    // the renewals' charges: keyed by subscription, term and try
    renewalCharges: Number(ledgerQ("SELECT COUNT(*) FROM gw_charges WHERE idempotency_key LIKE 'auto:%'")),
  };
}

test('a pass spread over four connections renews, notifies, checks benefits and sends emails as one does', () => {
  const days = [NOON, NOON + WEEK];
  for (const [i, at] of days.entries()) {
    for (const w of [1, 4]) pin(copies[w].db.url, at);
    const one = pass(1);
    const four = pass(4);
    assert.equal(one.connections, 1);
    assert.equal(four.connections, PG ? 4 : 1, 'PostgreSQL spreads the pass; SQLite has one writer');
    assert.deepEqual(four.done, one.done, `pass ${i + 1}: what each job did`);
    // the day has its work, more than one transaction of each job, so that four connections
    // each had some
    assert.ok(one.done.auto_renewal > 4 && one.done.notices > 4 * 32 && one.done.benefits > 4 * 32, JSON.stringify(one.done));
  }
  const a = outcome(1);
  const b = outcome(4);
  for (const k of Object.keys(a)) assert.equal(b[k], a[k], `${k} differ`);
  // each email written once: a file for each delivery sent, on four connections as on one
  assert.ok(b.sent > 4 * 50, 'more emails than four parts of a group');
  assert.equal(b.emlFiles, b.sent);
  // each try made was charged: a charge in the gateway's ledger for each renewal attempt
  // (the ledger keeps one per key, so a try sent twice would count once; none missing)
  const attempts = b.attempts.split('\n').filter(Boolean).length;
  assert.ok(attempts > 0);
  assert.equal(b.renewalCharges, attempts);
});

test('a second pass the same day, spread or not, finds nothing left', () => {
  for (const w of [1, 4]) {
    const { done } = pass(w);
    assert.ok(Object.values(done).every((n) => n === 0), JSON.stringify(done));
  }
});
