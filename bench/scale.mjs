// scale.mjs - the daily job pass, a second pass with nothing due, the dashboard and resident
// memory after walking every staff list, on a generated program (issue 20).
//
//   PARTNERD_BIN=build/partnerd [BENCH_SIZE=S|L] [PARTNERD_TEST_PG=url] node bench/scale.mjs
//
// The program is written by build/bench_gen (bench/gen.c) at BENCH_SIZE (S: 10 000 partners,
// 30 000 subscriptions, 60 000 invoices; L: 100 000 / 1 000 000 / 2 000 000; or counts
// given as partners/subscriptions/invoices, e.g. 1000/3000/6000). Each figure
// sits beside a baseline measured in the same run on the same database:
//   - job passes (`partnerd jobs run`, the first with the day's work, the second the same day
//     with nothing left, then the next day's and a second one that day) beside one full
//     read of subscriptions, orders and invoices by the engine's own client (sqlite3 /
//     psql): a pass costing about that reads everything;
//   - GET /api/v1/admin/dashboard beside GET /healthz of the same server (medians of 20);
//   - the server's VmRSS / VmHWM (/proc/PID/status) after walking every staff list, every
//     page, beside the same right after start.
// BENCH_DB=url measures a database generated before (by an earlier run's bench_gen, e.g.
// the 11 GB of L, which takes about 20 minutes to write here) as it stands: nothing is
// generated and the database is kept, so its first pass finds only what earlier passes
// left (pin the test clock, settings clock.pinned, to measure another day's pass);
// BENCH_LEDGER=file is the test gateway's ledger bench_gen wrote beside it (--gateway-ledger),
// without which the saved cards are unknown to the gateway and every renewal is declined.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, freshDatabase, startServer, sql, Client } from '../tests/e2e/harness.mjs';
import { generate, memoryOf, staffClients, walkStaffLists } from '../tests/e2e/scale_helpers.mjs';

const SIZE = process.env.BENCH_SIZE || 'S';
const engine = (process.env.BENCH_DB || '').startsWith('postgres') || (!process.env.BENCH_DB && process.env.PARTNERD_TEST_PG) ? 'postgresql' : 'sqlite';
if (process.env.BENCH_LEDGER && (!process.env.BENCH_DB || !existsSync(process.env.BENCH_LEDGER))) {
  console.error(`BENCH_LEDGER=${process.env.BENCH_LEDGER}: the existing ledger of the program BENCH_DB names (bench_gen --gateway-ledger)`);
  process.exit(2);
}
const db = process.env.BENCH_DB ? { url: process.env.BENCH_DB, cleanup() {} } : freshDatabase();
const gw = mkdtempSync(join(tmpdir(), 'partnerd-scale-'));
const ledger = process.env.BENCH_LEDGER || join(gw, 'ledger.db');
const line = (label, v, unit, ratio) => console.log(`${label.padEnd(52)} ${v.padStart(10)} ${unit.padEnd(4)} ${ratio.padStart(10)}`);

function timed(fn) {
  const t0 = performance.now();
  const r = fn();
  return [performance.now() - t0, r];
}

function jobsPass() {
  const [ms, r] = timed(() => spawnSync(BIN, ['jobs', 'run', '--db', db.url], {
    encoding: 'utf8',
    env: { ...process.env, PARTNERD_DB: '', PARTNERD_GATEWAY_LEDGER: ledger },
    maxBuffer: 1 << 26,
  }));
  if (r.status !== 0) throw new Error(`jobs run: ${r.stderr.slice(-2000)}`);
  const jobs = [...r.stderr.matchAll(/job name=(\w+) done=(\d+) dur_us=(\d+)/g)].map((m) => ({ name: m[1], done: Number(m[2]), ms: Number(m[3]) / 1000 }));
  return { ms, jobs };
}

async function median(client, path, n = 20) {
  const t = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await client.call('GET', path);
    t.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  }
  t.sort((a, b) => a - b);
  return t[n >> 1];
}

let srv;
try {
  const custom = SIZE.match(/^(\d+)\/(\d+)\/(\d+)$/); // partners/subscriptions/invoices
  const shape = custom ? { partners: custom[1], subscriptions: custom[2], invoices: custom[3] } : { size: SIZE };
  const [genMs, summary] = process.env.BENCH_DB ? [0, `${process.env.BENCH_DB} as it stands`] : timed(() => generate(db, { ...shape, ledger }));
  // the passes' emails as .eml files in a directory of this run
  sql(db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('mail.dir', '${join(gw, 'mail')}', 0) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  console.log(`# size ${SIZE} on ${engine}: ${summary} (${(genMs / 1000).toFixed(1)} s)`);
  console.log(`${'target'.padEnd(52)} ${'value'.padStart(10)} ${'unit'.padEnd(4)} ${'vs base'.padStart(10)}`);
  const [scanMs] = timed(() => sql(db.url, 'SELECT (SELECT COUNT(*) FROM subscriptions WHERE auto_renew >= 0) + (SELECT COUNT(*) FROM orders WHERE total >= 0) + (SELECT SUM(length(document)) FROM invoices)'));
  line('baseline: one full read of subs, orders, invoices', scanMs.toFixed(0), 'ms', '1.00');
  // a pass: the process's wall time (start and migration check included), the jobs' own
  // time, and each job that took a millisecond or more
  const showPass = (label, pass) => {
    line(label, pass.ms.toFixed(0), 'ms', (pass.ms / scanMs).toFixed(3));
    const own = pass.jobs.reduce((t, j) => t + j.ms, 0);
    line('  the jobs themselves', own.toFixed(1), 'ms', (own / scanMs).toFixed(3));
    for (const j of pass.jobs) if (j.ms >= 1) line(`  ${j.name} (${j.done} done)`, j.ms.toFixed(0), 'ms', (j.ms / scanMs).toFixed(3));
  };
  showPass('daily job pass (jobs run)', jobsPass());
  showPass('second pass, nothing due', jobsPass());
  // the day after: that day's renewals, notices and emails (the test clock pinned, which
  // `jobs run` honours), then once more with nothing due
  const tomorrow = new Date();
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  tomorrow.setUTCHours(8, 0, 0, 0);
  sql(db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('clock.pinned', '${Math.floor(tomorrow.getTime() / 1000)}', 0) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  for (const label of ["the next day's pass", 'the next day, nothing due']) showPass(label, jobsPass());
  sql(db.url, "DELETE FROM settings WHERE key = 'clock.pinned'");

  srv = await startServer({ db, ledger, args: ['--no-jobs'] });
  const anon = new Client(srv.url);
  const staff = await staffClients(srv);
  const health = await median(anon, '/healthz');
  line('baseline: GET /healthz (median of 20)', health.toFixed(2), 'ms', '1.00');
  const dash = await median(staff.operator, '/api/v1/admin/dashboard');
  line('GET /api/v1/admin/dashboard (median of 20)', dash.toFixed(2), 'ms', (dash / health).toFixed(1));
  const m0 = memoryOf(srv.proc.pid);
  line('baseline: server RSS after start', (m0.rss / 1024).toFixed(1), 'MiB', '1.00');
  const walk = await walkStaffLists(staff);
  for (const w of walk) line(`  ${w.path} (${w.status}, ${w.pages} pages, ${(w.bytes / 1048576).toFixed(1)} MB)`, w.ms.toFixed(0), 'ms', '');
  const m1 = memoryOf(srv.proc.pid);
  line('server RSS after walking every staff list', (m1.rss / 1024).toFixed(1), 'MiB', (m1.rss / m0.rss).toFixed(2));
  line('server peak RSS (VmHWM)', (m1.hwm / 1024).toFixed(1), 'MiB', (m1.hwm / m0.rss).toFixed(2));
} finally {
  if (srv) await srv.stop();
  db.cleanup();
  rmSync(gw, { recursive: true, force: true });
}
