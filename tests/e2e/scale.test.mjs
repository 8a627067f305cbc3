// scale.test.mjs - on a generated program (bench/gen.c; issue 20): every staff list answers
// with the server's resident memory bounded, and a job pass with nothing due writes nothing.
//
// The program is smaller than size S so that the file runs in a test's time: a fifth of S on
// SQLite (2 000 partners, 6 000 subscriptions, 12 000 invoices), a twentieth on PostgreSQL
// (500 / 1 500 / 3 000), where the generator's statement-at-a-time writes are slower.
// `make bench` (bench/scale.mjs) walks the same lists at S, or L, and prints the figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PG, assertDayCountsKept, freshDatabase, startServer, sql, sqlScript } from './harness.mjs';
import { generate, memoryOf, staffClients, walkStaffLists } from './scale_helpers.mjs';

// the bound: resident memory under 64 MiB after any sequence of API calls
// The bound is the release build's; a sanitizer build (scripts/test sets ASAN_OPTIONS for
// it) carries shadow memory and a quarantine of freed blocks, so it gets eight times more.
const RSS_BOUND_KIB = (process.env.ASAN_OPTIONS ? 8 : 1) * 64 * 1024;

let db;
let dir;

// The program is generated around one day, and the clock pinned at noon in Paris on it: on the
// real clock, a midnight in Paris between two job passes would give the second a new day's work,
// and the dashboard's twelve months would hold a year of invoices only late in a month (the
// last term the generator invoices starts 45 days or more before its day).
const TODAY = '2027-06-28';
const NOON = Date.parse(`${TODAY}T10:00:00Z`) / 1000;

before(() => {
  db = freshDatabase();
  dir = mkdtempSync(join(tmpdir(), 'partnerd-scale-'));
  generate(db, { today: TODAY, ...(PG ? { partners: 500, subscriptions: 1500, invoices: 3000 } : { partners: 2000, subscriptions: 6000, invoices: 12000 }) });
  sql(db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('mail.dir', '${join(dir, 'mail')}', 0) ON CONFLICT (key) DO NOTHING`);
  sql(db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('clock.pinned', '${NOON}', 0) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
});

after(() => {
  db.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function jobsRun() {
  const r = spawnSync(BIN, ['jobs', 'run', '--db', db.url], {
    encoding: 'utf8',
    env: { ...process.env, PARTNERD_DB: '', PARTNERD_GATEWAY_LEDGER: join(dir, 'ledger.db') },
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  return Object.fromEntries([...r.stderr.matchAll(/job name=(\w+) done=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

// What any write to the database would change: on SQLite a hash of every row of every table
// (the sqlite3 shell's .sha3sum); on PostgreSQL a hash of every row version's place and
// transaction ids (ctid, xmin, xmax) in every table of this database: an insert, update or
// delete makes a new version, and a row lock (FOR UPDATE) writes its xmax. (Not the
// cluster's next transaction id: the cluster is shared with the other test files' databases.)
function writeMark() {
  if (!PG) {
    const r = spawnSync('sqlite3', [db.url.slice(7), '.sha3sum'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  }
  const tables = sql(db.url, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")
    .split('\n').filter(Boolean);
  const rows = tables.map((t) => `SELECT '${t}:' || ctid || ':' || xmin || ':' || xmax AS v FROM "${t}"`).join(' UNION ALL ');
  return sql(db.url, `SELECT COUNT(*) || ' ' || md5(COALESCE(string_agg(v, ',' ORDER BY v), '')) FROM (${rows}) AS every_row`);
}

test('a job pass the same day, with nothing left to do, writes nothing', () => {
  const first = jobsRun();
  // the generated day has its work: notices due, wire orders past their due date
  assert.ok(first.notices > 0, JSON.stringify(first));
  assert.ok(first.wire_expiry > 0, JSON.stringify(first));
  const mark = writeMark();
  const second = jobsRun();
  assert.ok(Object.values(second).every((n) => n === 0), JSON.stringify(second));
  assert.equal(writeMark(), mark, 'the second pass wrote to the database');
});

test('the dashboard counts what the subscriptions and invoices hold, credit notes deducted', async () => {
  const srv = await startServer({ db, args: ['--no-jobs', '--test-clock'] });
  try {
    const staff = await staffClients(srv);
    const d = (await staff.operator.call('GET', '/api/v1/admin/dashboard')).body;
    // revenue: kept month by month as invoices are issued; the sums of the invoices themselves
    const rows = sql(db.url, `SELECT substr(issued_on, 1, 7), currency, SUM(subtotal), SUM(CASE WHEN type = 'invoice' THEN 1 ELSE 0 END) FROM invoices WHERE substr(issued_on, 1, 7) >= '${d.months[0]}' GROUP BY 1, 2 ORDER BY 1, 2`)
      .split('\n').filter(Boolean).map((l) => l.split('|'));
    assert.ok(rows.length >= 12, 'a year of invoices');
    assert.ok(Number(sql(db.url, "SELECT COUNT(*) FROM invoices WHERE type = 'credit_note'")) > 0, 'wire_expiry issued credit notes');
    assert.deepEqual(d.revenue.map((r) => [r.month, r.currency, String(r.amount_minor), String(r.invoices)]), rows);
    // renewals due: the running subscriptions whose window opens in each of the 12 weeks
    const due = d.renewals_due.reduce((n, w) => n + w.automatic + w.manual, 0);
    const last = new Date(Date.parse(d.renewals_due[11].week_of) + 5 * 86400000).toISOString().slice(0, 10);
    const first = new Date(Date.parse(d.renewals_due[0].week_of) - 86400000).toISOString().slice(0, 10);
    const expected = sql(db.url, `SELECT COUNT(*) FROM subscriptions WHERE paid = 1 AND cancelled_on IS NULL AND managed_in = 'partner_center' AND expires_on >= '${first}' AND expires_on <= '${last}'`);
    assert.equal(due, Number(expected));
    assert.ok(due > 0);
    // kept per day from the generator's inserts on (migration 027), folded by the passes of
    // the test above; and the migration's own counts (run again here) are the same
    assert.ok(assertDayCountsKept(db.url, { folded: true }) > 300, 'a year of days');
    const migration = readFileSync(new URL('../../src/db/migrations/027_subscription_day_counts.sql', import.meta.url), 'utf8');
    const fill = migration.split('-- fill begin\n')[1].split('-- fill end')[0];
    const kept = sql(db.url, 'SELECT * FROM subscription_day_counts ORDER BY 1, 2');
    sqlScript(db.url, `BEGIN;\nDELETE FROM subscription_day_counts;\n${fill}COMMIT;\n`);
    assert.equal(sql(db.url, 'SELECT * FROM subscription_day_counts ORDER BY 1, 2'), kept);
    // the partners too: kept from the generator's inserts on (migration 028, its count below)
    const partnersKept = sql(db.url, "SELECT value FROM counters WHERE name = 'partners'");
    const fillPartners = readFileSync(new URL('../../src/db/migrations/028_partners_count.sql', import.meta.url), 'utf8').match(/^INSERT INTO counters .*$/m)[0];
    sqlScript(db.url, `BEGIN;\nDELETE FROM counters WHERE name = 'partners';\n${fillPartners}\nCOMMIT;\n`);
    assert.equal(sql(db.url, "SELECT value FROM counters WHERE name = 'partners'"), partnersKept);
    // the console's figures: counted by the server over thousands of rows, not one page of them
    const count = (q) => Number(sql(db.url, q));
    assert.deepEqual(d.counts, {
      partners: count('SELECT COUNT(*) FROM partners'),
      awaiting_payment: count("SELECT COUNT(*) FROM orders WHERE status = 'awaiting_payment'"),
      refunds_to_pay: count("SELECT COUNT(*) FROM refunds WHERE status = 'to_pay'"),
      open_requests: count("SELECT COUNT(*) FROM support_requests WHERE status = 'open'"),
    });
    assert.ok(d.counts.partners > 200, 'more partners than one page of the list');
  } finally {
    await srv.stop();
  }
});

test('walking every staff list keeps the server under 64 MiB resident', async () => {
  const srv = await startServer({ db, args: ['--no-jobs', '--test-clock'] });
  try {
    const staff = await staffClients(srv);
    const walk = await walkStaffLists(staff);
    for (const w of walk) assert.equal(w.status, 200, w.path);
    // twice: memory a first walk kept would grow again on the second
    await walkStaffLists(staff);
    const m = memoryOf(srv.proc.pid);
    assert.ok(m.rss < RSS_BOUND_KIB, `VmRSS ${m.rss} KiB after walking every staff list`);
    assert.ok(m.hwm < RSS_BOUND_KIB, `VmHWM ${m.hwm} KiB while walking every staff list`);
  } finally {
    await srv.stop();
  }
});
