// harness.mjs - starts real partnerd processes for the end-to-end tests.
//
// Each server gets a fresh database: a new SQLite file in a temporary directory, or,
// when PARTNERD_TEST_PG holds the URL of a throwaway PostgreSQL cluster, a new database
// created in it. The binary is $PARTNERD_BIN (default build/partnerd).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join as joinPath, resolve, dirname } from 'node:path';
import { randomBytes, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { installContractCheck } from './contract.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
// the contract's tools (ajv, standardwebhooks, yaml) live in tests/contract (npm ci there)
export const contractRequire = createRequire(resolve(HERE, '../contract/package.json'));
const { Webhook } = contractRequire('standardwebhooks');
// every API call of the suite is checked against docs/openapi.yaml (contract.mjs)
installContractCheck();
export const BIN = resolve(process.env.PARTNERD_BIN || 'build/partnerd');
export const PG = process.env.PARTNERD_TEST_PG || '';
export const ENGINE = PG ? 'postgresql' : 'sqlite';

/** The sqlite3 shell's options: wait up to 30 s for a write lock rather than fail at once
 *  ("database is locked"), as partnerd's own connections do. A server's jobs may be writing
 *  when a test seeds rows, and two test files at a time make that likelier. */
export const SQLITE3_WAIT = ['-cmd', '.timeout 30000'];

/** A fresh, empty database URL; cleanup() removes it. */
export function freshDatabase() {
  if (PG) {
    const name = 'e2e_' + randomBytes(6).toString('hex');
    psql(PG, `CREATE DATABASE ${name}`);
    const url = PG.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
    return { url, cleanup: () => psql(PG, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-e2e-'));
  return { url: `sqlite:${dir}/partnerd.db`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs one SQL statement on a database URL through the engine's own client. */
export function sql(url, statement) {
  if (url.startsWith('sqlite:')) {
    const r = spawnSync('sqlite3', [...SQLITE3_WAIT, url.slice(7), statement], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
    return r.stdout.trim();
  }
  return psql(url, statement);
}

/**
 * Checks the renewals due kept per day (migration 027, read by the dashboard) against the
 * subscriptions counted: for each expiry day and auto_renew, the sum of the rows kept is the
 * number of running Partner Center subscriptions. With folded: one row per day and
 * auto_renew (a jobs pass has folded them). Returns the number of days counted.
 */
export function assertDayCountsKept(url, { folded = false } = {}) {
  const kept = sql(url, 'SELECT expires_on, auto_renew, SUM(n) FROM subscription_day_counts GROUP BY 1, 2 HAVING SUM(n) <> 0 ORDER BY 1, 2');
  const counted = sql(url, "SELECT expires_on, auto_renew, COUNT(*) FROM subscriptions WHERE paid = 1 AND cancelled_on IS NULL AND managed_in = 'partner_center' GROUP BY 1, 2 ORDER BY 1, 2");
  if (kept !== counted) throw new Error(`renewals due kept per day:\n${kept}\nsubscriptions counted:\n${counted}`);
  if (folded) {
    const rows = sql(url, 'SELECT COUNT(*) FROM subscription_day_counts');
    const days = sql(url, 'SELECT COUNT(*) FROM (SELECT DISTINCT expires_on, auto_renew FROM subscription_day_counts) AS d');
    if (rows !== days) throw new Error(`${rows} rows of day counts for ${days} days after a jobs pass`);
  }
  return counted ? counted.split('\n').length : 0;
}

/** Runs the CLI synchronously: {status, stdout, stderr}. */
export function cli(args, { env = {}, input } = {}) {
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    input,
    env: { ...process.env, PARTNERD_DB: '', ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts `partnerd serve` on a free port with a migrated fresh database.
 * Returns {url, db, proc, stderr(), stop()}.
 */
export async function startServer({ args = [], demo = false, db, ledger: sharedLedger, env = {} } = {}) {
  const owned = !db;
  db = db || freshDatabase();
  const m = cli(['migrate', '--db', db.url]);
  if (m.status !== 0) throw new Error(`migrate failed: ${m.stderr}`);
  if (demo) {
    const d = cli(['demo', '--db', db.url]);
    if (d.status !== 0) throw new Error(`demo failed: ${d.stderr}`);
  }
  // the test payment gateway keeps its own ledger, apart from partnerd's database
  const ledgerDir = mkdtempSync(joinPath(tmpdir(), 'partnerd-gw-'));
  const ledger = sharedLedger || joinPath(ledgerDir, 'ledger.db');
  // emails as .eml files of this server; webhooks to the test's own receivers on loopback
  const mailDir = joinPath(ledgerDir, 'mail');
  sql(db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('mail.dir', '${mailDir}', 0), ('webhooks.allow_private', '1', 0) ON CONFLICT (key) DO NOTHING`);
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', db.url, '--gateway-ledger', ledger, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (b) => (err += b));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`partnerd did not start: ${err}`)), 15_000);
    proc.stdout.on('data', (b) => {
      out += b;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    proc.on('exit', (code) => fail(new Error(`partnerd exited ${code}: ${err}`)));
  });
  let stopping = false;
  let killed = false;
  const exited = new Promise((ok) =>
    proc.on('exit', (code, signal) => {
      // a server that dies on its own (a sanitizer report, a crash) shows why
      if (!stopping || (code !== 0 && code !== null) || (signal && !['SIGTERM', 'SIGINT', killed && 'SIGKILL'].includes(signal)))
        process.stderr.write(`\n--- partnerd exited (code ${code}, signal ${signal}); its log:\n${err.slice(-20000)}\n`);
      ok({ code, signal });
    }),
  );
  return {
    url,
    db,
    ledger,
    mailDir,
    proc,
    exited,
    stderr: () => err,
    /** Kills the process at once (SIGKILL), as a crash would. */
    async kill() {
      stopping = killed = true;
      proc.kill('SIGKILL');
      return exited;
    },
    async stop() {
      stopping = true;
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const r = await exited;
      if (owned) db.cleanup();
      rmSync(ledgerDir, { recursive: true, force: true });
      // a clean stop exits 0: anything else (a leak report, say) fails the file
      if (!killed && r.code !== 0) throw new Error(`partnerd exited with code ${r.code} (signal ${r.signal}); its log is above`);
      return r;
    },
  };
}

/** Creates a staff account through the CLI; returns its credentials. */
let staffCounter = 0;
export function addStaff(db, role, email = `${role}-${process.pid}-${++staffCounter}-${randomBytes(3).toString('hex')}@staff.example`) {
  const password = 'staff password ' + randomBytes(6).toString('hex');
  const r = cli(['staff', 'add', '--db', db.url, '--email', email, '--name', `Staff ${role}`, '--role', role], {
    env: { PARTNERD_PASSWORD: password },
  });
  if (r.status !== 0) throw new Error(`staff add: ${r.stderr}`);
  return { email, password };
}

/**
 * An HTTP client of one server: keeps its session cookie and CSRF token like a browser,
 * or sends a bearer token. call() returns {status, headers, body} (body parsed as JSON
 * when it is JSON).
 */
export class Client {
  constructor(base, { bearer, lang } = {}) {
    this.base = base;
    this.cookie = null;
    this.csrf = null;
    this.bearer = bearer || null;
    this.lang = lang || null;
  }

  async call(method, path, body, headers = {}) {
    const h = { ...headers };
    if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    if (this.lang) h['Accept-Language'] = this.lang;
    const csv = typeof body === 'string' && body.startsWith('date,');
    if (csv) h['Content-Type'] = 'text/csv';
    const send = () => fetch(this.base + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    let r;
    try {
      r = await send();
    } catch (e) {
      // A test that blocked node for a while (a synchronous seeding of thousands of rows)
      // may find its kept-alive connection closed by the server's idle timeout in the
      // meantime, as any HTTP client can: an idempotent request is sent again, once.
      if (!['GET', 'PUT', 'DELETE'].includes(method) || !/fetch failed/.test(String(e))) throw e;
      r = await send();
    }
    const text = await r.text();
    let parsed = text;
    if ((r.headers.get('content-type') || '').startsWith('application/json')) parsed = JSON.parse(text);
    const setCookie = r.headers.get('set-cookie');
    if (setCookie) {
      const m = setCookie.match(/pd_session=([^;]*)/);
      this.cookie = m && m[1] ? `pd_session=${m[1]}` : null;
    }
    return { status: r.status, headers: r.headers, body: parsed, setCookie };
  }

  async signIn(email, password, extra = {}) {
    const r = await this.call('POST', '/api/v1/sessions', { email, password, ...extra });
    if (r.status === 201) this.csrf = r.body.csrf_token;
    return r;
  }
}

/**
 * Hands a card to the test gateway, as the portal's hosted-fields module does
 * (POST /test-gateway/v1/tokens, apart from the API): returns its payment method
 * {id, brand, last4, exp_month, exp_year}. partnerd's API then receives only the id.
 */
export async function tokenize(base, card) {
  const r = await fetch(`${base}/test-gateway/v1/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ card }),
  });
  const body = await r.json();
  if (r.status !== 201) throw new Error(`tokenize: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

/** The "payment" of an order paid by this card: tokenized first, then its id only. */
export async function cardPayment(base, card, extra = {}) {
  return { method: 'card', payment_method: (await tokenize(base, card)).id, ...extra };
}

let orgCounter = 0;
/** Joins the network with a fresh organisation; returns {partner, user, email, password}. */
export async function join(base, overrides = {}) {
  orgCounter += 1;
  const tag = `${process.pid}-${orgCounter}-${randomBytes(2).toString('hex')}`;
  const email = `admin-${tag}@org.example`;
  const password = 'a hundred herons ' + randomBytes(4).toString('hex');
  const body = {
    company: `Org ${tag} SARL`,
    country: 'FR',
    address: { line1: '1 rue de la Paix', postal_code: '75002', city: 'Paris' },
    vat_id: 'FR40303265045',
    locale: 'fr',
    admin: { name: 'Admin ' + tag, email, password },
    ...overrides,
  };
  // a French company gives its SIREN (the one inside the default VAT ID)
  if (body.country === 'FR' && !('siren' in overrides)) body.siren = '303265045';
  const r = await new Client(base).call('POST', '/api/v1/partners', body);
  if (r.status !== 201) throw new Error(`join: ${r.status} ${JSON.stringify(r.body)}`);
  return { ...r.body, email, password };
}

/** A signed-in client for a fresh organisation's global admin. */
export async function adminOf(base) {
  const org = await join(base);
  const c = new Client(base);
  const r = await c.signIn(org.email, org.password);
  if (r.status !== 201) throw new Error(`sign in: ${JSON.stringify(r.body)}`);
  return { org, client: c };
}

/** Invites a user with roles into admin's organisation and signs them in. */
export async function memberOf(base, admin, roles) {
  const email = `m-${randomBytes(4).toString('hex')}@org.example`;
  const password = 'member password ' + randomBytes(4).toString('hex');
  const inv = await admin.call('POST', '/api/v1/users', { email, name: 'Member', roles });
  if (inv.status !== 201) throw new Error(`invite: ${JSON.stringify(inv.body)}`);
  const acc = await new Client(base).call('POST', `/api/v1/invitations/${inv.body.invitation.token}/accept`, { password });
  if (acc.status !== 200) throw new Error(`accept: ${JSON.stringify(acc.body)}`);
  const c = new Client(base);
  const s = await c.signIn(email, password);
  if (s.status !== 201) throw new Error(`member sign in: ${JSON.stringify(s.body)}`);
  return { client: c, user: acc.body, email, password };
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret at unix time t. */
export function totp(secretB32, t) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretB32.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1e6).padStart(6, '0');
}

/** An operator driving the test clock with an API token (sessions idle out when the
 *  clock jumps; tokens do not). setClock(iso | null). */
/**
 * A staff member of `role` as a bearer-token client: tokens survive the test clock's
 * jumps, where a cookie session would time out.
 */
export async function staffClient(srv, role) {
  const who = addStaff(srv.db, role);
  const c = new Client(srv.url);
  const s = await c.signIn(who.email, who.password);
  if (s.status !== 201) throw new Error(`${role} sign in: ${JSON.stringify(s.body)}`);
  const t = await c.call('POST', '/api/v1/api-tokens', { name: role });
  return new Client(srv.url, { bearer: t.body.token });
}

export async function operatorClock(srv) {
  const client = await staffClient(srv, 'operator');
  return {
    client,
    async setClock(now) {
      const r = await client.call('PUT', '/api/v1/admin/clock', { now });
      if (r.status !== 200) throw new Error(`clock: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    /** One pass of every job, as POST /api/v1/admin/jobs/run runs it; throws unless every
     * job ended well. Returns how many things each did, by job name. */
    async runJobs() {
      const r = await client.call('POST', '/api/v1/admin/jobs/run', {});
      if (r.status !== 200 || r.body.ok !== true) throw new Error(`jobs: ${r.status} ${JSON.stringify(r.body)}`);
      return Object.fromEntries(r.body.jobs.map((j) => [j.name, j.done]));
    },
  };
}

/** The wire contact a partner gives at checkout. */
export const WIRE_PAYMENT = { method: 'wire', contact: { name: 'Paul Payer', phone: '+33 1 23 45 67 89', email: 'ap@org.example' } };

/** A fresh organisation's Action Pack bought by wire on day (the clock set by op, an
 *  operatorClock), awaiting its transfer: {api, org, order, reference, total}. */
export async function wireOrder(base, op, day, overrides = {}) {
  await op.setClock(`${day}T09:00:00Z`);
  const org = await join(base, overrides);
  const c = new Client(base);
  await c.signIn(org.email, org.password);
  const api = new Client(base, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: WIRE_PAYMENT });
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  if (p.body.status !== 'awaiting_payment') throw new Error(`wire order: ${p.status} ${JSON.stringify(p.body)}`);
  return { api, org, order: p.body, reference: p.body.payment_instructions.reference, total: p.body.total.amount_minor };
}

/**
 * A fresh organisation that bought `offer` by `card` on `day` (the clock set by op, an
 * operatorClock), seen through a bearer token, as a session would have expired by the
 * renewal a year on: {api, org, people, email, subId}. Options:
 *   certified  that many certified people added first, their ids in people (a competency
 *              asks for two);
 *   idempotencyKey  the purchase sent with an Idempotency-Key (buy-{order id});
 *   savedCard  a card then saved as the payment method the renewals charge;
 *   save       false: the card paid with is not kept for the renewals ("save": false);
 *   any other  given to join() (locale: 'en'...).
 */
export async function cardSubscriber(base, op, day, card, { offer = 'action-pack', certified = 0, idempotencyKey = false, savedCard, save = true, ...overrides } = {}) {
  await op.setClock(`${day}T09:00:00Z`);
  const org = await join(base, overrides);
  const c = new Client(base);
  await c.signIn(org.email, org.password);
  const api = new Client(base, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  const people = [];
  for (let i = 0; i < certified; i++) {
    const r = await api.call('POST', '/api/v1/certified-people', { name: `Certifié ${i}`, email: `c${i}-${org.partner.id}@x.example`, certification: 'x' });
    if (r.status !== 201) throw new Error(`certified person: ${r.status} ${JSON.stringify(r.body)}`);
    people.push(r.body.id);
  }
  const o = await api.call('POST', '/api/v1/orders', { offer, action: 'purchase', payment: await cardPayment(base, card, save ? {} : { save: false }) });
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {}, idempotencyKey ? { 'Idempotency-Key': `buy-${o.body.id}` } : {});
  if (p.body.status !== 'confirmed') throw new Error(`card purchase: ${p.status} ${JSON.stringify(p.body)}`);
  if (savedCard) {
    const put = await api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(base, savedCard)).id });
    if (put.status !== 200) throw new Error(`saved card: ${put.status} ${JSON.stringify(put.body)}`);
  }
  return { api, org, people, email: org.email, subId: p.body.subscription_id };
}

/** Imports legacy PMC subscriptions through the CLI from CSV text. */
export function importLegacy(db, csv) {
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-csv-'));
  const file = joinPath(dir, 'pmc.csv');
  writeFileSync(file, csv);
  try {
    return cli(['import-legacy', '--db', db.url, file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one SQL query on the test gateway's ledger (a SQLite file). */
export function ledgerSql(srv, statement) {
  const r = spawnSync('sqlite3', [...SQLITE3_WAIT, srv.ledger, statement], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

/** Every byte partnerd's database holds, as text (a SQLite dump, or pg_dump). */
export function dumpDatabase(url) {
  if (url.startsWith('sqlite:')) return spawnSync('sqlite3', [...SQLITE3_WAIT, url.slice(7), '.dump'], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  return spawnSync('pg_dump', [url], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
}

/** Text of a PDF (pdftotext) and whether qpdf finds it sound. */
export function pdfText(bytes) {
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-pdf-'));
  const file = joinPath(dir, 'doc.pdf');
  writeFileSync(file, bytes);
  try {
    const check = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
    const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
    return { ok: check.status === 0, text };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The .eml files a server wrote (or an SMTP sink received), parsed, oldest first. */
export function readMails(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => ({ f, t: statSync(joinPath(dir, f)).mtimeMs }))
    .sort((a, b) => a.t - b.t || a.f.localeCompare(b.f))
    .map(({ f }) => parseMail(readFileSync(joinPath(dir, f), 'latin1')));
}

/** A MIME message as partnerd writes it: headers, subject decoded, text and HTML parts. */
export function parseMail(raw) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const subject = (headers.subject || '').replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/g, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
  const boundary = (headers['content-type'].match(/boundary="([^"]+)"/) || [])[1];
  const parts = {};
  for (const part of rest.join('\r\n\r\n').split(`--${boundary}`)) {
    const m = part.match(/Content-Type: text\/(plain|html)[^]*?\r\n\r\n([^]*)$/);
    if (m) parts[m[1]] = Buffer.from(m[2].replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { headers, subject, to: headers.to, text: parts.plain, html: parts.html, raw };
}

/**
 * An HTTP server that records the webhooks it receives and answers with statuses[i].
 * Once told the endpoint's secret (useSecret), it checks every delivery with the npm
 * standardwebhooks package, as a receiver would: each record gets verified (true, or the
 * verifier's complaint), and allVerified() says whether every one passed.
 */
export async function webhookReceiver(statuses = []) {
  const received = [];
  let verifier = null;
  const check = (headers, body) => {
    if (!verifier) return 'no secret given to the receiver';
    try {
      verifier.verify(body, headers);
      return true;
    } catch (e) {
      return e.message;
    }
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body, verified: check(req.headers, body) });
      res.statusCode = statuses[received.length - 1] ?? 200;
      res.end('ok');
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    received,
    useSecret: (secret) => (verifier = new Webhook(secret)),
    allVerified: () => received.every((r) => r.verified === true),
    close: () => server.close(),
  };
}

/** Whether a delivery passes the npm standardwebhooks verifier with secret. */
export function standardValid(headers, secret, body) {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

/** Checks an old Partnerd-Signature header (endpoints made before Standard Webhooks, until
 *  their secret is rotated) against the secret: t=<unix>,v1=<hex HMAC of "t.body">. */
export function signatureValid(header, secret, body) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header || '');
  if (!m) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex');
  return want === m[2];
}

/** A TCP port of 127.0.0.1 free now that stays free while nothing listens on it: below the
 *  range the kernel hands out to outgoing connections (ip_local_port_range, 32768 and up by
 *  default), so no client socket opened meanwhile takes it. For a port left closed for a
 *  while, then listened on. */
export async function quietPort() {
  const ephemeral = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  for (;;) {
    const port = 10000 + Math.floor(Math.random() * (Math.max(ephemeral, 11000) - 10000));
    const free = await new Promise((ok) => {
      const s = createNetServer();
      s.once('error', () => ok(false));
      s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
    });
    if (free) return port;
  }
}

/** A TCP port of 127.0.0.1 free right now. */
export function freePort() {
  return new Promise((ok) => {
    const s = createNetServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => ok(p));
    });
  });
}

/** A real SMTP server (Debian's python3-aiosmtpd) writing what it receives into dir; on
 *  port when given (a relay that comes back where it was), else on a free one; refusing
 *  (550) the recipients whose address contains `refuse`. */
export async function smtpSink({ port: wanted, refuse } = {}) {
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-smtp-'));
  const port = wanted || (await freePort());
  // Debian's own python3, where python3-aiosmtpd is installed
  const proc = spawn('/usr/bin/python3', [joinPath(HERE, 'smtp_sink.py'), dir, String(port), ...(refuse ? [refuse] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((ok, fail) => {
    proc.stdout.on('data', (b) => String(b).includes('ready') && ok());
    proc.on('exit', (code) => fail(new Error(`smtp sink exited ${code}`)));
  });
  // connections(): how many client connections the messages came over
  const connections = () => new Set(readdirSync(dir).filter((f) => f.endsWith('.peer')).map((f) => readFileSync(joinPath(dir, f), 'utf8'))).size;
  return { port, dir, mails: () => readMails(dir), connections, stop: () => { proc.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

/** partnerd with args as a separate process: {code, signal, stdout, stderr} once it exits.
 *  env: more of its environment (PARTNERD_FAULT_*); onStderr(all so far, the process):
 *  called as its standard error grows; killAfterMs: SIGKILL after that long. */
export function partnerdProcess(args, { killAfterMs, env = {}, onStderr } = {}) {
  return new Promise((ok) => {
    const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARTNERD_DB: '', ...env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b) => (stdout += b));
    proc.stderr.on('data', (b) => {
      stderr += b;
      onStderr?.(stderr, proc);
    });
    const timer = killAfterMs === undefined ? null : setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    proc.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      ok({ code, signal, stdout, stderr });
    });
  });
}

/** `partnerd jobs run` as a separate process on srv's database and ledger (partnerdProcess).
 *  gateway: {args, env} of another gateway (stripeGateway()), else the test gateway's ledger. */
export function jobsProcess(srv, { gateway, env = {}, args: more = [], ...rest } = {}) {
  const args = ['jobs', 'run', '--db', srv.db.url, ...(gateway?.args || []), ...more];
  return partnerdProcess(args, { ...rest, env: { PARTNERD_GATEWAY_LEDGER: srv.ledger, ...(gateway?.env || {}), ...env } });
}

/** Runs an SQL script (many statements) on a database URL through the engine's client. */
export function sqlScript(url, script) {
  const r = url.startsWith('sqlite:')
    ? spawnSync('sqlite3', [...SQLITE3_WAIT, url.slice(7)], { input: script, encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url], { input: script, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`sql script: ${r.stderr}`);
  return r.stdout;
}

/**
 * n organisations, each with a global admin, a saved card (known to the test gateway's
 * ledger) and an Action Pack subscription with auto-renew on that expires on expiresOn:
 * due for automatic renewal the day after. Written in SQL: joining through the API runs
 * Argon2id n times, which is not what the callers measure. first: where their membership
 * IDs start after 8000000, for a second seeding of the same database (with another tag).
 */
export function seedDueSubscriptions(srv, n, expiresOn, tag = 'seed', { ledger = true, first = 0 } = {}) {
  const starts = new Date(Date.parse(expiresOn) - 364 * 86400000).toISOString().slice(0, 10);
  const rows = ['BEGIN;'];
  const tokens = ['BEGIN;'];
  for (let i = 0; i < n; i++) {
    const id = `${tag}${i}`;
    rows.push(
      `INSERT INTO partners (id, membership_id, legal_name, country, address_line1, postal_code, city, vat_id, locale, currency, created_at) VALUES ('ptn_${id}', '${8000000 + first + i}', 'Seed ${i} SARL', 'FR', '1 rue de la Paix', '75002', 'Paris', 'FR40303265045', 'fr', 'EUR', 0);`,
      `INSERT INTO users (id, kind, partner_id, email, name, locale, status, created_at) VALUES ('usr_${id}', 'partner', 'ptn_${id}', '${id}@seed.example', 'Seed ${i}', 'fr', 'active', 0);`,
      `INSERT INTO user_roles (user_id, role) VALUES ('usr_${id}', 'global_admin');`,
      `INSERT INTO payment_methods (partner_id, token, brand, last4, exp_month, exp_year, updated_at) VALUES ('ptn_${id}', 'tok_test_${id}', 'visa', '4242', 12, 2035, 0);`,
      `INSERT INTO subscriptions (id, partner_id, offer_code, managed_in, paid, starts_on, expires_on, auto_renew, auto_renew_locked, created_at, updated_at) VALUES ('sub_${id}', 'ptn_${id}', 'action-pack', 'partner_center', 1, '${starts}', '${expiresOn}', 1, 0, 0, 0);`,
      `INSERT INTO subscription_terms (subscription_id, term, starts_on, expires_on, source, created_at) VALUES ('sub_${id}', 1, '${starts}', '${expiresOn}', 'purchase', 0);`,
    );
    tokens.push(`INSERT INTO gw_tokens (token, behaviour, brand, last4, exp_month, exp_year, created_at) VALUES ('tok_test_${id}', 'succeeds', 'visa', '4242', 12, 2035, 0);`);
  }
  rows.push('COMMIT;');
  tokens.push('COMMIT;');
  sqlScript(srv.db.url, rows.join('\n'));
  if (ledger) sqlScript(`sqlite:${srv.ledger}`, tokens.join('\n'));
}

/**
 * The Stripe stand-in (tests/stripe/standin.mjs) started in this process, with a secret key
 * file: args and env are what `partnerd serve` or `jobs run` take to use it (--gateway stripe),
 * ledger() what it really charged ({charges, refunds}), webhooksTo(url) where its signed events
 * go, close() stops it. Anything that talks to it must be spawned, never spawnSync'ed: the
 * stand-in answers from this process's event loop.
 */
export async function stripeGateway() {
  const { startStandin } = await import('../stripe/standin.mjs');
  const key = 'sk_test_' + randomBytes(8).toString('hex');
  const webhookSecret = 'whsec_' + randomBytes(8).toString('hex');
  const standin = await startStandin({ key, webhookSecret });
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-stripe-'));
  const keyFile = joinPath(dir, 'secret');
  writeFileSync(keyFile, key + '\n', { mode: 0o600 });
  const control = async (path, body) => {
    const r = await fetch(`${standin.url}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    if (r.status !== 200) throw new Error(`stand-in ${path}: ${r.status}`);
    return r.json();
  };
  return {
    standin,
    key,
    args: ['--gateway', 'stripe', '--stripe-key-file', keyFile, '--stripe-publishable-key', 'pk_test_standin', '--stripe-api-base', standin.url],
    env: { PARTNERD_STRIPE_WEBHOOK_SECRET: webhookSecret },
    ledger: () => control('/_test/ledger'),
    webhooksTo: (url) => control('/_test/config', { webhook_url: url }),
    /** Sets the stand-in's test configuration ({latency_ms}, ...). */
    config: (body) => control('/_test/config', body),
    /** {in_flight, max_in_flight} of /v1 requests; restart: the most counted from now. */
    load: (restart = false) => control('/_test/load', restart ? {} : undefined),
    /** POSTs a form to the stand-in's /v1 with the secret key, as partnerd would. */
    async api(path, form) {
      const r = await fetch(`${standin.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      const body = await r.json();
      if (r.status !== 200) throw new Error(`stand-in ${path}: ${r.status} ${JSON.stringify(body)}`);
      return body;
    },
    async close() {
      await standin.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Gives n subscriptions seeded by seedDueSubscriptions(srv, n, ..., tag) the Stripe payer the
 * API would have saved at their first payment: a customer at the stand-in (metadata
 * partnerd_key = the partner's id, as partnerd makes it) in gateway_customers, and a card
 * (4242...) attached to it as the saved payment method.
 */
export async function seedStripePayers(srv, stripe, n, tag = 'seed') {
  const rows = ['BEGIN;'];
  const one = async (i) => {
    const partner = `ptn_${tag}${i}`;
    const cus = await stripe.api('/v1/customers', { name: `Seed ${i} SARL`, 'metadata[partnerd_key]': partner });
    const pm = await stripe.api('/v1/payment_methods', { type: 'card', 'card[number]': '4242424242424242', 'card[exp_month]': '12', 'card[exp_year]': '2035', 'card[cvc]': '123' });
    await stripe.api(`/v1/payment_methods/${pm.id}/attach`, { customer: cus.id });
    rows.push(
      `UPDATE payment_methods SET token = '${pm.id}', brand = '${pm.card.brand}', last4 = '${pm.card.last4}', exp_month = ${pm.card.exp_month}, exp_year = ${pm.card.exp_year} WHERE partner_id = '${partner}';`,
      `INSERT INTO gateway_customers (partner_id, gateway, customer_id, created_at) VALUES ('${partner}', 'stripe', '${cus.id}', 0);`,
    );
  };
  for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => one(i + j)));
  rows.push('COMMIT;');
  // written asynchronously: the stand-in lives in this process
  await new Promise((ok, fail) => {
    const proc = srv.db.url.startsWith('sqlite:')
      ? spawn('sqlite3', [...SQLITE3_WAIT, srv.db.url.slice(7)], { stdio: ['pipe', 'ignore', 'pipe'] })
      : spawn('psql', ['-q', '-v', 'ON_ERROR_STOP=1', srv.db.url], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (b) => (err += b));
    proc.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`seedStripePayers: ${err}`))));
    proc.stdin.end(rows.join('\n'));
  });
}
