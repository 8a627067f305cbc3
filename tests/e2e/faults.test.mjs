// faults.test.mjs - partnerd under the faults an operator meets (issue 22): a server killed
// in the middle of a Buy, a database write-locked by another process, the payment
// gateway's ledger locked, a full disk, the SMTP relay down. After each, the partner's
// retry with the same Idempotency-Key succeeds, and the money holds (moneyInvariants):
// every charge in the gateway's own ledger is one confirmed order with one invoice, no
// order is confirmed without a charge, invoice numbers have no gap, the database is sound.
//
// Kills land where they aim through PARTNERD_FAULT_PAUSE (src/core/fault.h), a test-only
// pause at the named points of a Buy; production never sets it.
import { test, after } from 'node:test';
import http from 'node:http';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath, dirname } from 'node:path';
import { startServer, Client, adminOf, operatorClock, jobsProcess, ledgerSql, sql, smtpSink, quietPort, readMails, ENGINE, PG, cardPayment, freshDatabase } from './harness.mjs';

// valid for years whatever the day: some purchases here run on the real clock
const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 5, cvc: '737', holder: 'Camille Martin' };
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The money invariants of a server's database and its gateway ledger. */
function moneyInvariants(srv) {
  const q = (s) => sql(srv.db.url, s).split('\n').filter(Boolean);
  const charges = ledgerSql(srv, "SELECT id FROM gw_charges WHERE status = 'succeeded' ORDER BY id").split('\n').filter(Boolean);
  // each paid attempt: its charge, its order's status, that order's invoices
  const paid = q("SELECT p.gateway_charge_id || ' ' || o.status || ' ' || (SELECT COUNT(*) FROM invoices i WHERE i.order_id = o.id AND i.type = 'invoice') FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.status = 'succeeded' AND p.method = 'card'").map((l) => l.split(' '));
  const byCharge = new Map(paid.map(([charge, status, invoices]) => [charge, { status, invoices: Number(invoices) }]));
  assert.equal(paid.length, byCharge.size, 'no charge is paid to two attempts');
  for (const c of charges) {
    assert.ok(byCharge.has(c), `the ledger's charge ${c} is an order's payment`);
    assert.equal(byCharge.get(c).status, 'confirmed', `the order of charge ${c} is confirmed`);
    assert.equal(byCharge.get(c).invoices, 1, `the order of charge ${c} has one invoice`);
  }
  assert.equal(charges.length, byCharge.size, 'no payment without its charge in the ledger');
  const confirmed = q("SELECT COUNT(*) FROM orders WHERE status = 'confirmed' AND payment_method = 'card'")[0];
  assert.equal(Number(confirmed), charges.length, 'no card order confirmed without a charge');
  const oneChargePerOrder = q("SELECT COUNT(*) FROM (SELECT order_id FROM payments WHERE status = 'succeeded' GROUP BY order_id HAVING COUNT(*) > 1) t")[0];
  assert.equal(oneChargePerOrder, '0', 'no order charged twice');
  // invoice numbers: YYYY-NNNNNN, from 1 each year, without gap
  const years = new Map();
  for (const n of q("SELECT number FROM invoices WHERE type = 'invoice' ORDER BY number")) {
    const [y, k] = n.split('-');
    years.set(y, [...(years.get(y) || []), Number(k)]);
  }
  for (const [y, ks] of years) assert.deepEqual(ks, ks.map((_, i) => i + 1), `invoice numbers of ${y} without gap`);
  if (ENGINE === 'sqlite') assert.equal(sql(srv.db.url, 'PRAGMA integrity_check'), 'ok');
  else assert.equal(sql(srv.db.url, "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = current_database()"), '0');
  assert.equal(ledgerSql(srv, 'PRAGMA integrity_check'), 'ok');
  return charges.length;
}

/** Another process holding the write lock of a SQLite file (sqlite3 CLI), or of the tables
 *  a Buy writes in PostgreSQL (psql), until release(). */
async function holdWriteLock(url) {
  const sqlite = url.startsWith('sqlite:');
  const p = sqlite ? spawn('sqlite3', [url.slice(7)], { stdio: ['pipe', 'pipe', 'pipe'] }) : spawn('psql', ['-qAt', url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b) => (out += b));
  p.stdin.write(sqlite ? "BEGIN IMMEDIATE;\nSELECT 'locked';\n" : "BEGIN;\nLOCK TABLE idempotency_keys, orders, payments IN EXCLUSIVE MODE;\nSELECT 'locked';\n");
  for (let i = 0; !out.includes('locked'); i++) {
    assert.ok(i < 100, 'the lock was not taken');
    await sleep(50);
  }
  const exited = new Promise((ok) => p.on('exit', ok));
  return {
    async release() {
      p.stdin.end(sqlite ? 'COMMIT;\n.quit\n' : 'COMMIT;\n\\q\n');
      await exited;
    },
  };
}

/** Polls /healthz until its "database" is want (it is probed at most once a second). */
async function healthUntil(srv, want) {
  let r;
  for (let until = Date.now() + 4000; Date.now() < until; await sleep(100)) {
    const res = await fetch(`${srv.url}/healthz`);
    r = { status: res.status, body: await res.json() };
    if (r.body.database === want) return r;
  }
  return r;
}

const buyKey = (o) => ({ 'Idempotency-Key': `buy-${o.id}` });
const orderCharges = (srv, o) => Number(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE status = 'succeeded' AND idempotency_key LIKE '${o.id}:%'`));

async function newOrder(client) {
  const o = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(client.base, CARD) });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  return o.body;
}

/** A fresh organisation's admin as a bearer-token client (the test clock's jumps end
 *  cookie sessions, not tokens). */
async function partnerClient(srv) {
  const { client } = await adminOf(srv.url);
  const t = await client.call('POST', '/api/v1/api-tokens', { name: 'faults' });
  return new Client(srv.url, { bearer: t.body.token });
}

/** The same signed-in user on another server of the same database. */
function moved(client, url) {
  const c = new Client(url);
  c.cookie = client.cookie;
  c.csrf = client.csrf;
  return c;
}

test('a server killed at any point of a Buy: the same key then succeeds, charged exactly once', async (t) => {
  const PAUSE = 250;
  const points = ['buy.claimed', 'buy.attempted', 'buy.charged', 'buy.settled'];
  const env = { PARTNERD_FAULT_PAUSE: points.map((p) => `${p}=${PAUSE}`).join(',') };
  const first = await startServer({ args: ['--no-jobs'], env });
  cleanups.push(() => {
    first.db.cleanup();
    rmSync(dirname(first.ledger), { recursive: true, force: true });
  });
  let srv = first;
  const seen = new Set();
  for (let round = 0; round < 10; round++) {
    const { client } = await adminOf(srv.url);
    const o = await newOrder(client);
    // aim at stage round % 5: during one of the four pauses, or after the answer
    const stage = round % 5;
    const buying = client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o)).catch(() => null);
    await sleep(stage * PAUSE + 40 + Math.floor(Math.random() * (PAUSE - 80)));
    await srv.kill();
    await buying;
    const left = sql(srv.db.url, `SELECT status FROM orders WHERE id = '${o.id}'`) + (orderCharges(srv, o) ? '+charged' : '');
    seen.add(left);
    srv = await startServer({ args: ['--no-jobs'], db: first.db, ledger: first.ledger, env: round < 9 ? env : {} });
    const again = await moved(client, srv.url).call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o));
    assert.equal(again.status, 200, `killed at stage ${stage} (${left}): ${JSON.stringify(again.body)}`);
    assert.equal(again.body.status, 'confirmed');
    assert.equal(orderCharges(srv, o), 1, `killed at stage ${stage} (${left}): exactly one charge`);
    // and again: the kept answer
    const replay = await moved(client, srv.url).call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o));
    assert.equal(replay.status, 200);
    assert.equal(orderCharges(srv, o), 1);
  }
  // the kills left the order in review, processing without and with a charge, and confirmed
  t.diagnostic(`kills left the orders: ${[...seen].join(', ')}`);
  assert.ok(seen.size >= 3, `kills landed in too few states: ${[...seen].join(', ')}`);
  moneyInvariants(srv);
  await srv.stop();
});

test('a Buy still running in a live server keeps its key: the retry answers 409 until it is done', async () => {
  const srv = await startServer({ args: ['--no-jobs'], env: { PARTNERD_FAULT_PAUSE: 'buy.attempted=1500' } });
  try {
    const { client } = await adminOf(srv.url);
    const o = await newOrder(client);
    const firstBuy = client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o));
    // once its attempt is written, the first Buy pauses 1.5 s before the gateway
    for (let i = 0; sql(srv.db.url, `SELECT COUNT(*) FROM payments WHERE order_id = '${o.id}'`) === '0'; i++) {
      assert.ok(i < 200, 'the first Buy never made its attempt');
      await sleep(25);
    }
    const during = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o));
    assert.equal(during.status, 409);
    assert.equal(during.body.error.code, 'conflict');
    assert.equal((await firstBuy).status, 200);
    const after = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o));
    assert.equal(after.status, 200);
    assert.equal(after.headers.get('idempotent-replayed'), 'true');
    assert.equal(orderCharges(srv, o), 1);
    moneyInvariants(srv);
  } finally {
    await srv.stop();
  }
});

test('a Buy waiting on the gateway holds up no other connection: each has its own thread', async () => {
  const srv = await startServer({ args: ['--no-jobs'], env: { PARTNERD_FAULT_PAUSE: 'buy.attempted=3000' } });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const { client } = await adminOf(srv.url);
    const o = await newOrder(client);
    const send = (method, path, headers = {}) => new Promise((ok, fail) => {
      const req = http.request(`${srv.url}${path}`, { method, agent, headers: { Cookie: client.cookie, ...headers } }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode));
      });
      req.on('error', fail);
      req.end(method === 'POST' ? '{}' : undefined);
    });
    const get = () => send('GET', `/api/v1/orders/${o.id}`);
    // sixteen kept-alive connections, opened at once: the server spreads them over its threads
    assert.deepEqual(await Promise.all(Array.from({ length: 16 }, get)), Array(16).fill(200));
    // the Buy goes over one of them
    let buyDone = false;
    const buying = send('POST', `/api/v1/orders/${o.id}/purchase`, {
      'Content-Type': 'application/json', 'X-CSRF-Token': client.csrf, ...buyKey(o),
    }).then((status) => ((buyDone = true), status));
    for (let i = 0; sql(srv.db.url, `SELECT COUNT(*) FROM payments WHERE order_id = '${o.id}'`) === '0'; i++) {
      assert.ok(i < 200, 'the Buy never made its attempt');
      await sleep(25);
    }
    // the Buy now waits 3 s for the gateway: every kept-alive connection still answers
    for (let round = 0; round < 4; round++) {
      assert.deepEqual(await Promise.all(Array.from({ length: 15 }, get)), Array(15).fill(200));
      assert.equal(buyDone, false, `round ${round}: answered only after the Buy`);
    }
    assert.equal(await buying, 200);
  } finally {
    agent.destroy();
    await srv.stop();
  }
});

test('PostgreSQL refusing a connection more (its limit reached): a request waits for one of the server\'s own instead of a 503', async (t) => {
  if (ENGINE !== 'postgresql') {
    t.diagnostic('connection limits are PostgreSQL\'s; run with PARTNERD_TEST_PG');
    return;
  }
  // the server connects as a role of its own, whose connection limit the test sets
  const base = freshDatabase();
  const role = `e2e_limited_${Math.random().toString(16).slice(2, 10)}`;
  const backends = () => Number(sql(base.url, `SELECT COUNT(*) FROM pg_stat_activity WHERE usename = '${role}'`));
  sql(base.url, `CREATE ROLE ${role} LOGIN`);
  sql(base.url, `ALTER DATABASE ${new URL(base.url).pathname.slice(1)} OWNER TO ${role}`);
  const url = new URL(base.url);
  url.username = role;
  const db = { url: url.toString() };
  const ledgerDir = mkdtempSync(joinPath(tmpdir(), 'partnerd-limit-'));
  const ledger = joinPath(ledgerDir, 'ledger.db');
  let srv = null;
  try {
    // an order and a token, made on a first server
    const first = await startServer({ args: ['--no-jobs'], db, ledger });
    const { client } = await adminOf(first.url);
    const o = await newOrder(client);
    const token = (await client.call('POST', '/api/v1/api-tokens', { name: 'limit' })).body.token;
    await first.stop();
    for (let i = 0; backends() > 0; i++) {
      assert.ok(i < 200, 'the first server\'s connections never closed');
      await sleep(25);
    }
    // a server just started has its jobs' connections open, its requests' none yet: one
    // more is allowed (the Buy's), not two. The Buy pauses 3 s before its charge, its
    // connection and its turn kept.
    srv = await startServer({ args: ['--no-jobs'], db, ledger, env: { PARTNERD_FAULT_PAUSE: 'buy.attempted=3000' } });
    const jobs = Number(srv.stderr().match(/jobs connections=(\d+)/)?.[1]);
    assert.ok(jobs > 0, 'the server logs its jobs\' connections');
    for (let i = 0; backends() !== jobs; i++) { // those of `migrate` and the harness's psql gone
      assert.ok(i < 200, `the role has ${backends()} connections, the server ${jobs}`);
      await sleep(25);
    }
    const limit = jobs + 1;
    sql(base.url, `ALTER ROLE ${role} CONNECTION LIMIT ${limit}`);
    const api = new Client(srv.url, { bearer: token });
    let buyDone = false;
    const buying = api.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o)).then((r) => ((buyDone = true), r));
    for (let i = 0; sql(base.url, `SELECT COUNT(*) FROM payments WHERE order_id = '${o.id}'`) === '0'; i++) {
      assert.ok(i < 200, 'the Buy never made its attempt');
      await sleep(25);
    }
    // PostgreSQL refuses the read a connection: it waits for the Buy's (within its 5 s)
    const read = await api.call('GET', `/api/v1/orders/${o.id}`);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(buyDone, true, 'answered once the Buy gave its connection back');
    const bought = await buying;
    assert.equal(bought.status, 200, JSON.stringify(bought.body));
    assert.equal(bought.body.status, 'confirmed');
    assert.equal(orderCharges(srv, o), 1);
    assert.equal(backends(), limit, 'no connection more');
  } finally {
    await srv?.stop();
    base.cleanup();
    sql(PG, `DROP ROLE IF EXISTS ${role}`);
    rmSync(ledgerDir, { recursive: true, force: true });
  }
});

test(`a database write-locked by another process: 503 database_busy after the busy timeout, then full recovery (${ENGINE})`, async () => {
  const srv = await startServer({ args: ['--no-jobs', '--db-busy-timeout', '800'] });
  try {
    const { client } = await adminOf(srv.url);
    const o = await newOrder(client);
    assert.equal((await healthUntil(srv, 'ok')).status, 200);
    const lock = await holdWriteLock(srv.db.url);
    try {
      const t0 = Date.now();
      const busy = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o));
      const waited = Date.now() - t0;
      assert.equal(busy.status, 503, JSON.stringify(busy.body));
      assert.equal(busy.body.error.code, 'database_busy');
      assert.ok(waited >= 700 && waited < 4500, `answered after ${waited} ms, not after the 800 ms busy timeout`);
      // reads still answer
      assert.equal((await client.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'review');
      if (ENGINE === 'sqlite') {
        const h = await healthUntil(srv, 'write_locked');
        assert.equal(h.status, 503);
        assert.deepEqual([h.body.status, h.body.database], ['degraded', 'write_locked']);
      }
    } finally {
      await lock.release();
    }
    assert.equal((await healthUntil(srv, 'ok')).status, 200);
    const ok = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, 'confirmed');
    assert.equal(orderCharges(srv, o), 1);
    moneyInvariants(srv);
  } finally {
    await srv.stop();
  }
});

test('the gateway ledger locked: 502 payment_unknown, then exactly one charge; an unsettled attempt is failed on real time, whatever the test clock says', async () => {
  const srv = await startServer({ args: ['--no-jobs', '--test-clock', '--db-busy-timeout', '500'] });
  const op = await operatorClock(srv);
  try {
    const client = await partnerClient(srv);
    const o = await newOrder(client);
    const o2 = await partnerClient(srv);
    const second = await newOrder(o2);
    let lock = await holdWriteLock(`sqlite:${srv.ledger}`);
    let lost, lost2;
    try {
      lost = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o));
      lost2 = await o2.call('POST', `/api/v1/orders/${second.id}/purchase`, {}, buyKey(second));
    } finally {
      await lock.release();
    }
    for (const r of [lost, lost2]) {
      assert.equal(r.status, 502, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'payment_unknown');
    }
    assert.equal((await client.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'payment_unknown');
    // the partner presses Buy again: the lost attempt is looked up, then sent again with its key
    const retry = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o));
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.status, 'confirmed');
    assert.equal(orderCharges(srv, o), 1);
    assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM payments WHERE order_id = '${o.id}'`), '1', 'the same attempt, not a new one');

    // the other partner never comes back; the clock is pinned (business time stands still)
    await op.setClock('2027-05-10T09:00:00Z');
    let r = await jobsProcess(srv);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await o2.call('GET', `/api/v1/orders/${second.id}`)).body.status, 'payment_unknown', 'within its minute: left alone');
    // a minute of real time later (the attempt's send time moved back), however pinned the clock
    sql(srv.db.url, `UPDATE payments SET sent_at = sent_at - 61 WHERE order_id = '${second.id}'`);
    r = await jobsProcess(srv);
    assert.equal(r.code, 0, r.stderr);
    const failed = (await o2.call('GET', `/api/v1/orders/${second.id}`)).body;
    assert.equal(failed.status, 'failed', 'the partner can act: Buy again or choose another card');
    assert.equal(failed.failure_code, 'not_sent');
    assert.equal(orderCharges(srv, second), 0, 'nothing was charged');
    const paid = await o2.call('POST', `/api/v1/orders/${second.id}/purchase`, {}, { 'Idempotency-Key': `buy-again-${second.id}` });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.equal(paid.body.status, 'confirmed');
    assert.equal(orderCharges(srv, second), 1);
    moneyInvariants(srv);
  } finally {
    await op.setClock(null);
    await srv.stop();
  }
});

test('a full disk: 500 database_error and /healthz disk_low, then recovery once space returns (SQLite on a small tmpfs)', async (t) => {
  if (ENGINE !== 'sqlite') {
    t.diagnostic('disk-full case: the PostgreSQL server\'s disk is not the test\'s to fill; run on SQLite');
    return;
  }
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-full-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) {
    const why = `disk-full case not run: mount -t tmpfs refused (${(m.stderr || m.error?.message || '').trim()})`;
    console.log(why);
    t.diagnostic(why);
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const db = {
    url: `sqlite:${dir}/partnerd.db`,
    cleanup: () => {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const srv = await startServer({ args: ['--no-jobs', '--db-busy-timeout', '800'], db });
  const filler = joinPath(dir, 'filler');
  try {
    sql(db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('health.min_free_mb', '2', 0)");
    const { client } = await adminOf(srv.url);
    const orders = [];
    for (let i = 0; i < 3; i++) orders.push({ client: (await adminOf(srv.url)).client });
    for (const x of orders) x.order = await newOrder(x.client);
    assert.equal((await healthUntil(srv, 'ok')).status, 200);
    // fill the file system to the last byte
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (e) {
      assert.equal(e.code, 'ENOSPC');
    }
    try {
      for (;;) writeSync(fd, Buffer.alloc(512, 1));
    } catch { /* full */ }
    closeSync(fd);
    const h = await healthUntil(srv, 'disk_low');
    assert.equal(h.status, 503);
    assert.deepEqual([h.body.status, h.body.database], ['degraded', 'disk_low']);
    assert.ok(h.body.disk.free_bytes < 2 * 1024 * 1024);
    // changes fail while the disk is full; none is half-done
    const codes = [];
    for (const x of orders) {
      const r = await x.client.call('POST', `/api/v1/orders/${x.order.id}/purchase`, {}, buyKey(x.order));
      codes.push(r.status === 200 ? 'ok' : `${r.status} ${r.body.error?.code}`);
    }
    const extra = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(client.base, CARD) });
    codes.push(extra.status === 201 ? 'ok' : `${extra.status} ${extra.body.error?.code}`);
    t.diagnostic(`on the full disk: ${codes.join(', ')}`);
    assert.ok(codes.includes('500 database_error'), `a full disk answers 500 database_error: ${codes.join(', ')}`);
    unlinkSync(filler);
    assert.equal((await healthUntil(srv, 'ok')).status, 200);
    for (const x of orders) {
      const r = await x.client.call('POST', `/api/v1/orders/${x.order.id}/purchase`, {}, buyKey(x.order));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.status, 'confirmed');
      assert.equal(orderCharges(srv, x.order), 1);
    }
    moneyInvariants(srv);
  } finally {
    rmSync(filler, { force: true });
    await srv.stop();
    db.cleanup();
  }
});

test('the SMTP relay down, then up: the email waits, is retried and delivered once', async () => {
  const srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  const op = await operatorClock(srv);
  const port = await quietPort(); // down until the sink listens on it, seconds later
  let sink;
  try {
    for (const [k, v] of [['smtp.host', '127.0.0.1'], ['smtp.port', port], ['smtp.starttls', 0], ['smtp.username', '']])
      assert.equal((await op.client.call('PUT', `/api/v1/admin/settings/${k}`, { value: v })).status, 200);
    await op.setClock('2027-04-01T09:00:00Z');
    const { client, org } = await adminOf(srv.url);
    const o = await newOrder(client);
    assert.equal((await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, buyKey(o))).status, 200);
    let r = await jobsProcess(srv);
    assert.equal(r.code, 0, r.stderr);
    const state = () => sql(srv.db.url, `SELECT status || ' ' || attempts FROM email_deliveries WHERE recipient = '${org.email}'`);
    assert.match(state(), /^pending 1$/, 'kept for a retry');
    sink = await smtpSink({ port });
    await op.setClock('2027-04-01T09:05:00Z');
    r = await jobsProcess(srv);
    assert.equal(r.code, 0, r.stderr);
    await op.setClock('2027-04-01T10:00:00Z');
    assert.equal((await jobsProcess(srv)).code, 0);
    const got = sink.mails().filter((mail) => mail.to === org.email);
    assert.equal(got.length, 1, 'delivered once');
    assert.match(state(), /^sent /);
    assert.equal(readMails(srv.mailDir).filter((mail) => mail.to === org.email).length, 0, 'not written as a file instead');
    moneyInvariants(srv);
  } finally {
    sink?.stop();
    await op.setClock(null);
    await srv.stop();
  }
});
