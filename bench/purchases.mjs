// purchases.mjs - card purchases per second through the HTTP API, beside /healthz.
//
//   PARTNERD_BIN=build/partnerd node bench/purchases.mjs
//
// A real `partnerd serve` on a fresh database (SQLite, or PostgreSQL when
// PARTNERD_TEST_PG is set) with the test gateway. BENCH_PURCHASES organisations are
// cloned in SQL from one that joined through the API (joining runs Argon2id, which is
// not what this measures), each with its own API token. BENCH_CONCURRENCY clients then
// buy the Action Pack by card, one organisation each, as the portal does since card data
// stopped reaching the API (issue 16): the card to the test gateway's tokenization endpoint
// (POST /test-gateway/v1/tokens), then POST /orders with the payment method's id, then Buy.
// Beside it, the same purchases with a payment method tokenized beforehand (the API's own
// part, what the figure measured when the API tokenized the card itself). The baseline is
// GET /healthz with the same clients in the same run. The Node clients top out near 2 000
// requests a second here, below the server, so the same purchases are also driven by wrk
// (bench/purchases.lua, BENCH_WRK_CONNS connections for BENCH_WRK_SECONDS, on
// BENCH_WRK_ORGS more organisations) beside wrk's own GET /healthz. At the end the test
// gateway's own ledger must hold exactly one charge per confirmed order. BENCH_SERVE_ARGS
// adds options to `partnerd serve` (say "--threads 16").
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, adminOf, sql, ledgerSql, ENGINE } from '../tests/e2e/harness.mjs';

const N = Number(process.env.BENCH_PURCHASES || 2000);
const CONC = Number(process.env.BENCH_CONCURRENCY || 16);
const BASE_SECONDS = Number(process.env.BENCH_SECONDS || 5);
const WRK_CONNS = Number(process.env.BENCH_WRK_CONNS || 64);
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS || 8);
const WRK_ORGS = Number(process.env.BENCH_WRK_ORGS || 24000);
const CARD = { number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '737', holder: 'Bench Buyer' };

function runScript(url, script) {
  const r = url.startsWith('sqlite:')
    ? spawnSync('sqlite3', [url.slice(7)], { input: script, encoding: 'utf8' })
    : spawnSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url], { input: script, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loading organisations: ${r.stderr}`);
}

/** n organisations like the template (numbered from first), each with a global_admin and
 *  an API token. */
function cloneOrganisations(url, template, n, first = 0) {
  const t = sql(url, `SELECT country || '|' || address_line1 || '|' || postal_code || '|' || city || '|' || vat_id || '|' || currency FROM partners WHERE membership_id = '${template}'`).split('|');
  const [country, line1, postal, city, vat, currency] = t;
  const tokens = [];
  const rows = ['BEGIN;'];
  for (let i = first; i < first + n; i++) {
    const mid = String(9000000 + i);
    if (mid === template) continue;
    const token = 'pdt_' + randomBytes(32).toString('hex');
    const hash = createHash('sha256').update(token).digest('hex');
    tokens.push(token);
    rows.push(
      `INSERT INTO partners (id, membership_id, legal_name, country, address_line1, postal_code, city, vat_id, locale, currency, created_at) VALUES ('ptn_bench${i}', '${mid}', 'Bench ${i} SARL', '${country}', '${line1}', '${postal}', '${city}', '${vat}', 'fr', '${currency}', 0);`,
      `INSERT INTO users (id, kind, partner_id, email, name, locale, status, created_at) VALUES ('usr_bench${i}', 'partner', 'ptn_bench${i}', 'bench${i}@bench.example', 'Bench ${i}', 'fr', 'active', 0);`,
      `INSERT INTO user_roles (user_id, role) VALUES ('usr_bench${i}', 'global_admin');`,
      `INSERT INTO api_tokens (id, token_hash, user_id, name, created_at) VALUES ('tok_bench${i}', '${hash}', 'usr_bench${i}', 'bench', 0);`,
    );
  }
  rows.push('COMMIT;');
  runScript(url, rows.join('\n'));
  return tokens;
}

async function call(base, token, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

async function tokenize(base) {
  const r = await fetch(`${base}/test-gateway/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ card: CARD }) });
  const body = await r.json();
  if (r.status !== 201) throw new Error(`tokenize: ${r.status} ${JSON.stringify(body)}`);
  return body.id;
}

/** Purchases for tokens (organisations); with a payment method id, no tokenization each. */
async function purchases(base, tokens, pm = null) {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    for (let i = next++; i < tokens.length; i = next++) {
      const payment = { method: 'card', payment_method: pm || (await tokenize(base)) };
      const o = await call(base, tokens[i], 'POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment });
      const p = o.status === 201 ? await call(base, tokens[i], 'POST', `/api/v1/orders/${o.body.id}/purchase`, {}) : o;
      if (p.status !== 200 || p.body.status !== 'confirmed') {
        if (failures++ < 3) console.error(`purchase ${i}: ${p.status} ${JSON.stringify(p.body)}`);
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONC }, worker));
  return { seconds: (performance.now() - start) / 1000, failures };
}

async function healthz(base, seconds) {
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const r = await fetch(base + '/healthz');
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`/healthz: ${r.status}`);
      n++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONC }, worker));
  return n / ((performance.now() - start) / 1000);
}

/** wrk's figures for a run: {rps} for a plain URL; with the purchase script, its line. Not
 *  spawnSync: this process must go on reading the server's log, or the server blocks. */
function wrk(args) {
  return new Promise((ok, fail) => {
    const p = spawn('wrk', ['-t', String(WRK_CONNS), '-c', String(WRK_CONNS), '-d', `${WRK_SECONDS}s`, ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (b) => (out += b));
    p.stderr.on('data', (b) => (err += b));
    p.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`wrk: ${err}`));
      const rps = Number((out.match(/Requests\/sec:\s+([\d.]+)/) || [])[1]);
      const m = out.match(/purchases=(\d+) failures=(\d+) exhausted=(\d+) seconds=([\d.]+)/);
      ok(m ? { rps, purchases: Number(m[1]), failures: Number(m[2]), exhausted: Number(m[3]), seconds: Number(m[4]) } : { rps });
    });
  });
}

/** A process's write counters (/proc/<pid>/io: bytes and calls), or null where there are none. */
function processIo(pid) {
  try {
    const f = Object.fromEntries(readFileSync(`/proc/${pid}/io`, 'utf8').trim().split('\n').map((l) => l.split(': ')).map(([k, v]) => [k, Number(v)]));
    return { wchar: f.wchar, syscw: f.syscw };
  } catch {
    return null;
  }
}

/** Card purchases driven by wrk for the organisations of tokens. */
async function wrkPurchases(base, tokens) {
  const dir = mkdtempSync(join(tmpdir(), 'partnerd-bench-'));
  try {
    writeFileSync(join(dir, 'tokens'), tokens.join('\n') + '\n');
    const script = join(dirname(fileURLToPath(import.meta.url)), 'purchases.lua');
    return await wrk(['-s', script, base, '--', join(dir, 'tokens'), String(WRK_CONNS)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// each wrk client needs organisations of its own (a client without one cannot stop itself)
if (WRK_ORGS < WRK_CONNS) throw new Error(`BENCH_WRK_ORGS (${WRK_ORGS}) must be at least BENCH_WRK_CONNS (${WRK_CONNS})`);

const srv = await startServer({ args: ['--no-jobs', ...(process.env.BENCH_SERVE_ARGS || '').split(' ').filter(Boolean)] });
try {
  const { org } = await adminOf(srv.url);
  const all = cloneOrganisations(srv.db.url, org.partner.membership_id, N);
  const forWrk = cloneOrganisations(srv.db.url, org.partner.membership_id, WRK_ORGS, N);
  // half buy with tokenization each time, half with a payment method tokenized beforehand
  const tokens = all.slice(0, Math.ceil(all.length / 2));
  const others = all.slice(tokens.length);
  const base = await healthz(srv.url, BASE_SECONDS);
  const run = await purchases(srv.url, tokens);
  const pre = await purchases(srv.url, others, await tokenize(srv.url));
  run.failures += pre.failures;
  const wrkBase = (await wrk([`${srv.url}/healthz`])).rps;
  const io0 = processIo(srv.proc.pid);
  const w = await wrkPurchases(srv.url, forWrk);
  const io1 = processIo(srv.proc.pid);
  // the purchases wrk left in flight end on their own: read until two readings agree
  const counts = () => [
    Number(ledgerSql(srv, "SELECT COUNT(*) FROM gw_charges WHERE status = 'succeeded'")),
    Number(sql(srv.db.url, "SELECT COUNT(*) FROM orders WHERE status = 'confirmed'")),
  ];
  let [charged, confirmed] = counts();
  for (let i = 0; i < 50; i++) {
    await new Promise((ok) => setTimeout(ok, 200));
    const [c, o] = counts();
    if (c === charged && o === confirmed) break;
    [charged, confirmed] = [c, o];
  }
  const rate = tokens.length / run.seconds;
  const preRate = others.length / pre.seconds;
  const line = (label, value, ratio) => console.log(`${label.padEnd(48)} ${value.toFixed(1).padStart(10)} ${ratio.padStart(10)}`);
  console.log(`# ${tokens.length} + ${others.length} purchases by card, ${CONC} concurrent clients, ${ENGINE}`);
  console.log(`${'target'.padEnd(48)} ${'per s'.padStart(10)} ${'vs /healthz'.padStart(10)}`);
  line(`GET /healthz (${ENGINE})`, base, '1.00');
  line(`purchases (tokenize + order + Buy, ${ENGINE})`, rate, (rate / base).toFixed(3));
  line(`  of which HTTP requests`, rate * 3, ((rate * 3) / base).toFixed(3));
  line(`purchases (order + Buy, card tokenized before)`, preRate, (preRate / base).toFixed(3));
  line(`  of which HTTP requests`, preRate * 2, ((preRate * 2) / base).toFixed(3));
  const wrkRate = w.purchases / w.seconds;
  line(`GET /healthz (wrk, ${WRK_CONNS} connections, ${ENGINE})`, wrkBase, '1.00');
  line(`purchases (wrk, tokenize + order + Buy, ${ENGINE})`, wrkRate, (wrkRate / wrkBase).toFixed(3));
  line(`  of which HTTP requests`, wrkRate * 3, ((wrkRate * 3) / wrkBase).toFixed(3));
  // what one purchase costs the disk on SQLite: the pages it writes (its WAL's frames, 4 KiB
  // each, and the checkpoints' copies) are most of what the server writes while wrk buys
  if (ENGINE === 'sqlite' && io0 && io1 && w.purchases > 0)
    console.log(`# the server wrote ${((io1.wchar - io0.wchar) / 1024 / w.purchases).toFixed(0)} KiB in ${((io1.syscw - io0.syscw) / w.purchases).toFixed(0)} writes per purchase (wrk's, /proc/<pid>/io)`);
  if (w.exhausted) console.error(`wrk: ${w.exhausted} of ${WRK_CONNS} clients ran out of organisations: raise BENCH_WRK_ORGS`);
  if (run.failures || w.failures || w.exhausted || charged !== confirmed || confirmed < all.length + w.purchases) {
    console.error(`purchases failed: ${run.failures} + ${w.failures}; the gateway ledger holds ${charged} charges for ${confirmed} confirmed orders (${all.length} + ${w.purchases} purchases)`);
    process.exitCode = 1;
  }
} finally {
  await srv.stop();
}
