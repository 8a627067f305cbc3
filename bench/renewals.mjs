// renewals.mjs - automatic renewals per second on SQLite, beside plain SQLite in the same run.
//
//   PARTNERD_BIN=build/partnerd node bench/renewals.mjs
//
// BENCH_RENEWALS (default 100 000) subscriptions, each of its own organisation with a saved
// card, all due on one day; one `partnerd jobs run` renews them through the test gateway
// (claim, charge, settle: a new term, an order, a payment, an invoice with its PDF
// document, an event and its email each). The baseline writes the very rows that run
// wrote into a copy of the database as it was before, with plain SQLite in one
// transaction (the fastest of three runs): the cost of the data alone, without the work that
// decides it.
import { copyFileSync, rmSync } from 'node:fs';
import { startServer, operatorClock, seedDueSubscriptions, jobsProcess, sqlScript, freshDatabase, cli, sql } from '../tests/e2e/harness.mjs';

const N = Number(process.env.BENCH_RENEWALS || 100000);
const BASELINE_RUNS = 3;
// what a renewal writes: its rows are copied by the baseline (checked below, so that the
// baseline cannot miss a table the renewals come to write)
const WRITTEN = ['orders', 'payments', 'invoices', 'invoice_month_totals', 'renewal_attempts', 'outbox', 'email_deliveries', 'counters', 'benefit_grants'];
const AUDITED = ['renewal.attempted', 'order.confirmed', 'invoice.issued'];
const tableCounts = (url) => {
  const tables = sql(url, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").split('\n').filter(Boolean);
  return Object.fromEntries(tables.map((t) => [t, Number(sql(url, `SELECT COUNT(*) FROM "${t}"`))]));
};

const srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
const base = freshDatabase();
try {
  const op = await operatorClock(srv);
  seedDueSubscriptions(srv, N, '2027-06-22', 'bench');
  await op.setClock('2027-06-23T06:00:00Z');
  const before = tableCounts(srv.db.url);
  const t0 = performance.now();
  const run = await jobsProcess(srv);
  const wall = (performance.now() - t0) / 1000;
  if (run.code !== 0) throw new Error(`jobs run: ${run.stderr}`);
  const after = tableCounts(srv.db.url);
  // (the counts kept per day are written by a trigger on subscriptions, which the baseline's
  // UPDATE of subscriptions fires too; and folded afterwards by the day_counts job)
  const missed = Object.keys(after).filter((t) => after[t] !== before[t] && !WRITTEN.includes(t) && !['subscription_terms', 'audit_events', 'subscription_day_counts'].includes(t));
  if (missed.length) throw new Error(`the baseline does not copy the rows renewals wrote in: ${missed.join(', ')}`);
  // a job's time, and the CPU time its thread spent in it: the rest it waited (the disk)
  const job = (name) => {
    const m = run.stderr.match(new RegExp(`job name=${name} done=\\d+ dur_us=(\\d+) cpu_us=(\\d+)`)) || [];
    return { seconds: Number(m[1]) / 1e6, cpu: Number(m[2]) / 1e6 };
  };
  const renew = job('auto_renewal');
  const mail = job('outbox_delivery');
  const renewSeconds = renew.seconds;
  const mailSeconds = mail.seconds;

  // the baseline: the same rows, written by plain SQLite into the database as it was
  if (cli(['migrate', '--db', base.url]).status !== 0) throw new Error('migrate');
  seedDueSubscriptions({ db: base }, N, '2027-06-22', 'bench', { ledger: false });
  const copy = [
    `ATTACH '${srv.db.url.slice(7)}' AS r;`,
    'BEGIN;',
    ...WRITTEN.map((t) => `INSERT OR REPLACE INTO main.${t} SELECT * FROM r.${t};`),
    'INSERT INTO main.subscription_terms SELECT * FROM r.subscription_terms WHERE term > 1;',
    `INSERT INTO main.audit_events SELECT * FROM r.audit_events WHERE action IN (${AUDITED.map((a) => `'${a}'`).join(', ')});`,
    'UPDATE main.subscriptions AS s SET starts_on = x.starts_on, expires_on = x.expires_on, auto_renew_locked = 0, updated_at = x.updated_at FROM r.subscriptions AS x WHERE x.id = s.id;',
    'COMMIT;',
  ].join('\n');
  // Best of BASELINE_RUNS, each into a copy of the database as seeded: one run alone varied
  // by a third from run to run here (its single transaction spills and checkpoints a WAL of
  // hundreds of MB, at the disk's pace), which moved the ratio as much as the renewals did.
  // The fastest is the harder baseline to compare with.
  const file = base.url.slice(7);
  sql(base.url, 'PRAGMA wal_checkpoint(TRUNCATE)');
  copyFileSync(file, `${file}.seeded`);
  const plainRuns = [];
  for (let i = 0; i < BASELINE_RUNS; i++) {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    copyFileSync(`${file}.seeded`, file);
    const t1 = performance.now();
    sqlScript(base.url, copy);
    plainRuns.push((performance.now() - t1) / 1000);
  }
  const plainSeconds = Math.min(...plainRuns);

  const line = (label, v, ratio) => console.log(`${label.padEnd(46)} ${v.toFixed(0).padStart(10)} ${ratio.padStart(10)}`);
  console.log(`# ${N} subscriptions due on one day, SQLite, one jobs run pass (wall ${wall.toFixed(1)} s)`);
  console.log(`${'target'.padEnd(46)} ${'per s'.padStart(10)} ${'vs plain'.padStart(10)}`);
  line(`plain SQLite: the same rows, best of ${BASELINE_RUNS}`, N / plainSeconds, '1.00');
  line('automatic renewals (claim, charge, settle)', N / renewSeconds, (plainSeconds / renewSeconds).toFixed(3));
  line('their emails (.eml files)', N / mailSeconds, (plainSeconds / mailSeconds).toFixed(3));
  const share = (j) => `${j.cpu.toFixed(1)} s of CPU in ${j.seconds.toFixed(1)} s`;
  console.log(`# renewals: ${share(renew)}; emails: ${share(mail)}`);
  console.log(`# plain SQLite runs: ${plainRuns.map((t) => (N / t).toFixed(0)).join(', ')} per s`);
  await op.setClock(null);
} finally {
  await srv.stop();
  base.cleanup();
}

