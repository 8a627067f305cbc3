// stripe.test.mjs - `partnerd serve --gateway stripe` end to end (issue 16), against the
// local stand-in of Stripe's API (tests/stripe/standin.mjs, started here: there is no
// internet). Buy by card with a Stripe payment-method id, charged once whatever the retries;
// a declined card; 3-D Secure passed (the signed webhook before the partner's return, after
// it, or twice) and refused; a cancellation refunded through Stripe; the automatic renewal
// charged off session with the saved method and the partner's customer by `partnerd jobs
// run`; a 500 and a timeout from Stripe: payment_unknown, then found by lookup, never
// charged twice. The stand-in's ledger says what was really charged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { spawn } from 'node:child_process';
import { startServer, Client, join, operatorClock, staffClient, sql, cli, BIN } from './harness.mjs';
import { startStandin } from '../stripe/standin.mjs';

const SECRET = 'sk_test_e2e51mpl3';
const WEBHOOK = 'whsec_e2e51mpl3';
const PUBLISHABLE = 'pk_test_e2e51mpl3';
let srv, op, standin, keyDir, support;

before(async () => {
  standin = await startStandin({ key: SECRET, webhookSecret: WEBHOOK });
  keyDir = mkdtempSync(joinPath(tmpdir(), 'partnerd-stripe-'));
  const keyFile = joinPath(keyDir, 'secret');
  writeFileSync(keyFile, SECRET + '\n', { mode: 0o600 });
  srv = await startServer({
    args: ['--no-jobs', '--test-clock', '--gateway', 'stripe', '--stripe-key-file', keyFile,
      '--stripe-publishable-key', PUBLISHABLE, '--stripe-api-base', standin.url],
    env: { PARTNERD_STRIPE_WEBHOOK_SECRET: WEBHOOK }, // the webhook secret from the environment
  });
  await config({ webhook_url: `${srv.url}/api/v1/payment-events` });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
  // a business date of its own, so that the renewal test (in 2028) meets no other
  // subscription of this file; Stripe's test cards expire three years from now
  await op.setClock('2029-06-01T09:00:00Z');
  support = await staffClient(srv, 'support');
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
  await standin?.close();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

async function config(c) {
  const r = await fetch(`${standin.url}/_test/config`, { method: 'POST', body: JSON.stringify(c) });
  assert.equal(r.status, 200);
}
async function failNext(f) {
  assert.equal((await fetch(`${standin.url}/_test/fail`, { method: 'POST', body: JSON.stringify(f) })).status, 200);
}
const ledger = async () => (await fetch(`${standin.url}/_test/ledger`)).json();
/** The stand-in's real charges of an order (each attempt's key is "<order id>:<n>"). */
const chargesOf = async (o) => (await ledger()).charges.filter((c) => c.partnerd_key?.startsWith(`${o.id}:`));
const invoices = (o) => Number(sql(srv.db.url, `SELECT COUNT(*) FROM invoices WHERE order_id = '${o.id}'`));
const confirmations = (o) => Number(sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'order.confirmed' AND payload LIKE '%${o.id}%'`));

/** A fresh organisation (bearer client). */
async function partner() {
  const org = await join(srv.url);
  const c = new Client(srv.url);
  assert.equal((await c.signIn(org.email, org.password)).status, 201);
  const api = new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  return { org, api };
}

/** An order paid by a Stripe payment method (what Stripe.js gives the portal), and Buy. */
async function buy(pm, who) {
  const { api, org } = who || (await partner());
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'card', payment_method: pm } });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {}, { 'Idempotency-Key': `buy-${o.body.id}` });
  return { api, org, o: o.body, p };
}
const comeBack = (api, o) => api.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, { 'Idempotency-Key': `return-${o.id}-${Math.random()}` });

/** The cardholder's answer on Stripe's challenge page: where Stripe sends them back. */
async function challenge(url, result) {
  assert.ok(url.startsWith(`${standin.url}/_standin/3ds/pi_`), url);
  const r = await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `result=${result}` });
  assert.equal(r.status, 303);
  return new URL(r.headers.get('location'));
}

/** `partnerd jobs run` with the server's Stripe options (not spawnSync: the stand-in lives in
 * this process and must go on answering). */
function jobsRun() {
  const proc = spawn(BIN, ['jobs', 'run', '--db', srv.db.url, '--gateway', 'stripe', '--stripe-key-file', joinPath(keyDir, 'secret'), '--stripe-api-base', standin.url], {
    env: { ...process.env, PARTNERD_DB: '', PARTNERD_STRIPE_WEBHOOK_SECRET: WEBHOOK, PARTNERD_STRIPE_PUBLISHABLE_KEY: PUBLISHABLE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (b) => (stderr += b));
  return new Promise((ok) => proc.on('exit', (status) => ok({ status, stderr })));
}

/** Waits until cond() holds (events are delivered asynchronously), at most ~5 s. */
async function until(cond, what) {
  for (let i = 0; i < 100; i++) {
    if (await cond()) return;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.fail(`never: ${what}`);
}

test('serve refuses to start with a Stripe key missing or malformed, naming the key, never its value', () => {
  const db = srv.db.url;
  const run = (args, env) => cli(['serve', '--listen', '127.0.0.1:0', '--db', db, '--gateway', 'stripe', ...args], {
    env: { PARTNERD_STRIPE_SECRET_KEY: '', PARTNERD_STRIPE_WEBHOOK_SECRET: '', PARTNERD_STRIPE_PUBLISHABLE_KEY: '', ...env },
  });
  let r = run(['--stripe-publishable-key', PUBLISHABLE], { PARTNERD_STRIPE_WEBHOOK_SECRET: WEBHOOK });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no secret key .*PARTNERD_STRIPE_SECRET_KEY/);
  r = run(['--stripe-publishable-key', PUBLISHABLE], { PARTNERD_STRIPE_SECRET_KEY: 'pk_live_notasecret123', PARTNERD_STRIPE_WEBHOOK_SECRET: WEBHOOK });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /secret key does not start with sk_/);
  assert.doesNotMatch(r.stderr, /notasecret/, 'the value is never shown');
  r = run(['--stripe-publishable-key', PUBLISHABLE], { PARTNERD_STRIPE_SECRET_KEY: SECRET });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no webhook secret/);
  r = run([], { PARTNERD_STRIPE_SECRET_KEY: SECRET, PARTNERD_STRIPE_WEBHOOK_SECRET: WEBHOOK });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no publishable key/);
  r = run(['--stripe-key-file', joinPath(keyDir, 'missing')], { PARTNERD_STRIPE_WEBHOOK_SECRET: WEBHOOK, PARTNERD_STRIPE_PUBLISHABLE_KEY: PUBLISHABLE });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot read the secret key file/);
  r = cli(['serve', '--gateway', 'paypal']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--gateway wants test or stripe/);
  // the keys of the running server are nowhere in its log
  assert.ok(!srv.stderr().includes(SECRET) && !srv.stderr().includes(WEBHOOK));
  assert.match(srv.stderr(), /gateway=stripe/);
});

test('the portal learns the gateway and its publishable key; the CSP names Stripe\'s origins', async () => {
  const r = await new Client(srv.url).call('GET', '/api/v1/payment-gateway');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { name: 'stripe', publishable_key: PUBLISHABLE });
  for (const path of ['/api/v1/version', '/']) {
    const csp = (await fetch(srv.url + path)).headers.get('content-security-policy');
    const dir = Object.fromEntries(csp.split(/;\s*/).map((d) => { const [k, ...v] = d.split(' '); return [k, v]; }));
    assert.deepEqual(dir['script-src'], ["'self'", 'https://js.stripe.com'], csp);
    assert.deepEqual(dir['frame-src'], ['https://js.stripe.com', 'https://hooks.stripe.com'], csp);
    assert.deepEqual(dir['connect-src'], ["'self'", 'https://api.stripe.com'], csp);
    assert.deepEqual(dir['default-src'], ["'self'"]);
    assert.deepEqual(dir['frame-ancestors'], ["'none'"]);
  }
  // no test-mode tokenization with a real gateway
  const tok = await fetch(`${srv.url}/test-gateway/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(tok.status, 404);
});

test('Buy with pm_card_visa: confirmed, one charge with the partner\'s customer; Buy again charges nothing more', async () => {
  const { api, org, o, p } = await buy('pm_card_visa');
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.status, 'confirmed');
  const again = await api.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, { 'Idempotency-Key': `again-${o.id}` });
  assert.equal(again.body.status, 'confirmed');
  const charges = await chargesOf(o);
  assert.equal(charges.length, 1, 'charged once');
  assert.equal(charges[0].amount, o.total.amount_minor);
  assert.equal(charges[0].off_session, false, 'on session');
  const cus = sql(srv.db.url, `SELECT customer_id FROM gateway_customers WHERE partner_id = '${org.partner.id}' AND gateway = 'stripe'`);
  assert.match(cus, /^cus_/);
  assert.equal(charges[0].customer, cus);
  assert.equal(standin.state.customers.get(cus).metadata.partnerd_key, org.partner.id);
  assert.equal(invoices(o), 1);
  // the saved card is what Stripe says of the method, nothing else
  const card = (await api.call('GET', '/api/v1/payment-method')).body.card;
  assert.deepEqual([card.brand, card.last4], ['visa', '4242']);
  // every creating call to Stripe carried an Idempotency-Key
  const reqs = (await (await fetch(`${standin.url}/_test/requests`)).json()).filter((r) => r.method === 'POST');
  assert.ok(reqs.length > 0 && reqs.every((r) => r.idempotency_key?.startsWith('partnerd-')), JSON.stringify(reqs));
});

test('the card is saved for the renewal even when Stripe\'s event arrives before the answer to Buy', async () => {
  // Stripe sends payment_intent.succeeded as it charges: on a busy network it reaches
  // partnerd while Buy still waits for its own answer, and settles the order first
  await config({ events_first: true });
  try {
    const { api, o, p } = await buy('pm_card_visa');
    assert.equal(p.body.status, 'confirmed', JSON.stringify(p.body));
    assert.equal((await chargesOf(o)).length, 1);
    const settledBy = sql(srv.db.url, `SELECT COUNT(*) FROM payments WHERE order_id = '${o.id}' AND status = 'succeeded'`);
    assert.equal(settledBy, '1');
    const card = (await api.call('GET', '/api/v1/payment-method')).body.card;
    assert.ok(card, 'a saved card');
    assert.deepEqual([card.brand, card.last4], ['visa', '4242']);
  } finally {
    await config({ events_first: false });
  }
});

test('a declined card: 402, the order failed, nothing charged', async () => {
  const { o, p } = await buy('pm_card_chargeDeclined');
  assert.equal(p.status, 402, JSON.stringify(p.body));
  assert.equal(p.body.error.code, 'payment_declined');
  assert.equal(sql(srv.db.url, `SELECT status FROM orders WHERE id = '${o.id}'`), 'failed');
  assert.equal((await chargesOf(o)).length, 0);
  const funds = await buy('pm_card_chargeDeclinedInsufficientFunds');
  assert.equal(funds.p.body.error.code, 'insufficient_funds');
});

test('3-D Secure passed, the signed webhook before the partner\'s return: confirmed once', async () => {
  const { api, o, p } = await buy('pm_card_authenticationRequired');
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.status, 'requires_action');
  assert.equal(p.body.next_action.type, 'authenticate');
  assert.equal((await chargesOf(o)).length, 0, 'asked, not charged');
  const back = await challenge(p.body.next_action.url, 'complete');
  // Stripe sends the partner back to the portal's page of the order
  assert.equal(back.pathname, `/paiement/${o.id}`);
  assert.equal(back.searchParams.get('redirect_status'), 'succeeded');
  // the event came first (the stand-in sends it before redirecting)
  await until(async () => (await api.call('GET', `/api/v1/orders/${o.id}`)).body.status === 'confirmed', 'confirmed by the event');
  const done = await comeBack(api, o);
  assert.equal(done.body.status, 'confirmed');
  assert.equal((await chargesOf(o)).length, 1);
  assert.equal(invoices(o), 1);
  assert.equal(confirmations(o), 1);
});

test('3-D Secure passed, the partner back before the event, the event late and twice: confirmed once', async () => {
  await config({ webhook_url: '' }); // the events wait
  try {
    const { api, o, p } = await buy('pm_card_authenticationRequired');
    assert.equal(p.body.status, 'requires_action');
    await challenge(p.body.next_action.url, 'complete');
    assert.equal((await api.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'requires_action', 'partnerd has not asked yet');
    const done = await comeBack(api, o);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'confirmed');
    // the late event, delivered twice, as Stripe signs it
    const ev = standin.state.events.map((r) => r.event).find((e) => e.type === 'payment_intent.succeeded' && e.data.object.metadata?.partnerd_key?.startsWith(`${o.id}:`));
    assert.ok(ev, 'the stand-in made the event');
    const body = JSON.stringify(ev);
    for (let i = 0; i < 2; i++) {
      const t = Math.floor(Date.now() / 1000);
      const sig = createHmac('sha256', WEBHOOK).update(`${t}.${body}`).digest('hex');
      const r = await fetch(`${srv.url}/api/v1/payment-events`, { method: 'POST', headers: { 'content-type': 'application/json', 'Stripe-Signature': `t=${t},v1=${sig}` }, body });
      assert.equal(r.status, 200);
      assert.equal((await r.json()).status, 'confirmed');
    }
    // a forged one is refused
    const forged = await fetch(`${srv.url}/api/v1/payment-events`, { method: 'POST', headers: { 'content-type': 'application/json', 'Stripe-Signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` }, body });
    assert.equal(forged.status, 400);
    assert.equal((await chargesOf(o)).length, 1, 'charged once');
    assert.equal(invoices(o), 1);
    assert.equal(confirmations(o), 1);
  } finally {
    await config({ webhook_url: `${srv.url}/api/v1/payment-events` });
  }
});

test('3-D Secure passed, the webhook delivered twice: confirmed once', async () => {
  await config({ duplicate_events: true });
  try {
    const { api, o, p } = await buy('pm_card_authenticationRequired');
    assert.equal(p.body.status, 'requires_action');
    await challenge(p.body.next_action.url, 'complete');
    await until(async () => (await api.call('GET', `/api/v1/orders/${o.id}`)).body.status === 'confirmed', 'confirmed by the event');
    const delivered = standin.state.events.filter((r) => r.event.type === 'payment_intent.succeeded' && r.event.data.object.metadata?.partnerd_key?.startsWith(`${o.id}:`));
    assert.deepEqual(delivered.map((r) => r.deliveries), [[200, 200]]);
    assert.equal((await comeBack(api, o)).body.status, 'confirmed');
    assert.equal((await chargesOf(o)).length, 1);
    assert.equal(confirmations(o), 1);
  } finally {
    await config({ duplicate_events: false });
  }
});

test('3-D Secure refused: the order failed, nothing charged; paying again asks again', async () => {
  const { api, o, p } = await buy('pm_card_authenticationRequired');
  const back = await challenge(p.body.next_action.url, 'fail');
  assert.equal(back.searchParams.get('redirect_status'), 'failed');
  // the event (sent before the partner is back) settled it
  await until(async () => (await api.call('GET', `/api/v1/orders/${o.id}`)).body.status === 'failed', 'failed by the event');
  const r = (await api.call('GET', `/api/v1/orders/${o.id}`)).body;
  assert.equal(r.failure_code, 'payment_declined');
  assert.equal(r.next_action, undefined);
  assert.equal((await chargesOf(o)).length, 0);
  // Buy again: a new attempt, a new intent, a new challenge
  const retry = await api.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, { 'Idempotency-Key': `retry-${o.id}` });
  assert.equal(retry.body.status, 'requires_action');
  assert.notEqual(retry.body.next_action.url, p.body.next_action.url, 'a new attempt, a new intent');
});

test('a cancellation with a refund is refunded through Stripe, once', async () => {
  await op.setClock('2027-03-01T09:00:00Z');
  const { api, o, p } = await buy('pm_card_visa');
  assert.equal(p.body.status, 'confirmed');
  await op.setClock('2027-09-01T09:00:00Z');
  const c = await api.call('POST', `/api/v1/subscriptions/${p.body.subscription_id}/cancellation`, {});
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const res = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const [charge] = await chargesOf(o);
  const refunds = (await ledger()).refunds.filter((r) => r.payment_intent === charge.payment_intent);
  assert.equal(refunds.length, 1, 'one refund at Stripe');
  assert.equal(refunds[0].amount, res.body.outcome.refund_total);
  assert.equal(sql(srv.db.url, `SELECT status FROM refunds WHERE request_id = '${c.body.id}'`), 'refunded');
  // the answer lost: the job asks again with the same key, and Stripe refunds once
  sql(srv.db.url, `UPDATE refunds SET status = 'pending', gateway_refund_id = NULL WHERE request_id = '${c.body.id}'`);
  const run = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  assert.equal(run.status, 200);
  assert.equal(sql(srv.db.url, `SELECT status FROM refunds WHERE request_id = '${c.body.id}'`), 'refunded');
  assert.equal((await ledger()).refunds.filter((r) => r.payment_intent === charge.payment_intent).length, 1);
});

test('the automatic renewal is charged off session by `partnerd jobs run`, with the saved method and the customer', async () => {
  await op.setClock('2027-02-10T09:00:00Z');
  const { api, org, o, p } = await buy('pm_card_visa');
  assert.equal(p.body.status, 'confirmed');
  const sub = p.body.subscription_id;
  await op.setClock('2028-02-10T07:00:00Z'); // the first day of the renewal window
  const r = await jobsRun();
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stderr.includes(SECRET));
  const first = (await chargesOf(o))[0];
  const renewal = (await ledger()).charges.filter((c) => c.partnerd_key?.startsWith(`auto:${sub}:`));
  assert.equal(renewal.length, 1, JSON.stringify((await ledger()).charges.slice(-3)));
  assert.equal(renewal[0].off_session, true, 'a merchant-initiated transaction');
  assert.equal(renewal[0].customer, first.customer);
  assert.equal(renewal[0].customer, sql(srv.db.url, `SELECT customer_id FROM gateway_customers WHERE partner_id = '${org.partner.id}'`));
  const s = (await api.call('GET', `/api/v1/subscriptions/${sub}`)).body;
  assert.deepEqual([s.starts_on, s.expires_on], ['2028-02-10', '2029-02-09']);
  // a second pass charges nothing more
  assert.equal((await jobsRun()).status, 0);
  assert.equal((await ledger()).charges.filter((c) => c.partnerd_key?.startsWith(`auto:${sub}:`)).length, 1);
});

test('replacing the saved card: a SetupIntent for the customer, no charge; a challenge first when the bank asks; refused cards 402', async () => {
  const { api, org } = await partner();
  const put = (pm) => api.call('PUT', '/api/v1/payment-method', { payment_method: pm });
  const charged = async () => (await ledger()).charges.filter((c) => c.customer === customerOf(org)).length;
  let r = await put('pm_card_visa');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.card.last4, r.body.next_action], ['4242', undefined]);
  const setis = () => [...standin.state.setis.values()].filter((si) => si.customer === customerOf(org));
  assert.deepEqual(setis().map((si) => [si.status, si.usage]), [['succeeded', 'off_session']]);
  // the bank asks first: the card is not saved until the challenge is passed
  r = await put('pm_card_authenticationRequiredOnSetup');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.card.last4, '4242', 'the card saved so far');
  assert.equal(r.body.next_action.type, 'authenticate');
  assert.ok(r.body.next_action.url.startsWith(`${standin.url}/_standin/3ds/seti_`), r.body.next_action.url);
  const page = await fetch(r.body.next_action.url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'result=complete' });
  const back = new URL(page.headers.get('location'));
  assert.equal(back.pathname, '/profil');
  assert.equal(back.searchParams.get('carte'), 'pm_card_authenticationRequiredOnSetup');
  // back on the profile page, the portal replaces the card again: saved now
  r = await put(back.searchParams.get('carte'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.card.last4, r.body.next_action], ['3155', undefined]);
  assert.equal((await api.call('GET', '/api/v1/payment-method')).body.card.last4, '3155');
  r = await put('pm_card_chargeDeclined');
  assert.equal(r.status, 402, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'payment_declined');
  assert.equal((await api.call('GET', '/api/v1/payment-method')).body.card.last4, '3155', 'kept');
  assert.equal(await charged(), 0, 'saving a card charges nothing');
});

const customerOf = (org) => sql(srv.db.url, `SELECT customer_id FROM gateway_customers WHERE partner_id = '${org.partner.id}'`);

for (const mode of ['500_after', 'hang']) {
  test(`Stripe answers ${mode === 'hang' ? 'nothing (timeout)' : 'a 500'} after charging: payment_unknown, then found by lookup, charged once`, async () => {
    await failNext({ mode, path: '/v1/payment_intents', method: 'POST' });
    await config({ webhook_url: '' }); // no event settles it meanwhile: the lookup must
    const { api, o, p } = await buy('pm_card_visa').finally(() => config({ webhook_url: `${srv.url}/api/v1/payment-events` }));
    assert.equal(p.status, 502, JSON.stringify(p.body));
    assert.equal(p.body.error.code, 'payment_unknown');
    assert.equal((await api.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'payment_unknown');
    assert.equal((await chargesOf(o)).length, 1, 'Stripe did charge');
    const again = await comeBack(api, o);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.status, 'confirmed');
    assert.equal((await chargesOf(o)).length, 1, 'looked up, not charged again');
    assert.equal(invoices(o), 1);
  });
}

test('no answer from Stripe, but its signed event confirms the payment meanwhile: Buy answers confirmed, charged once', async () => {
  await failNext({ mode: 'hang', path: '/v1/payment_intents', method: 'POST' });
  const { api, o, p } = await buy('pm_card_visa'); // the event arrives while Buy waits
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.status, 'confirmed');
  assert.equal((await api.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'confirmed');
  assert.equal((await chargesOf(o)).length, 1);
  assert.equal(invoices(o), 1);
  assert.equal(confirmations(o), 1);
});

// Stripe's event of the cancellation may reach the server before the job has its answer: the
// order says the same either way.
for (const eventsFirst of [false, true]) {
  test(`an abandoned challenge expires with \`partnerd jobs run\`: the PaymentIntent cancelled at Stripe, no charge, the order failed${eventsFirst ? ' (the cancellation\'s event first)' : ''}`, async () => {
    await op.setClock('2029-07-01T10:00:00Z');
    const { api, o, p } = await buy('pm_card_authenticationRequired');
    assert.equal(p.body.status, 'requires_action');
    const pi = p.body.next_action.url.split('/').pop();
    await op.setClock('2029-07-01T10:20:00Z'); // within its half hour: left alone
    assert.equal((await jobsRun()).status, 0);
    assert.equal((await api.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'requires_action');
    assert.equal(standin.state.pis.get(pi).status, 'requires_action');
    await op.setClock('2029-07-01T10:31:00Z');
    await config({ events_first: eventsFirst });
    try {
      const r = await jobsRun();
      assert.equal(r.status, 0, r.stderr);
    } finally {
      await config({ events_first: false });
    }
    const gone = (await api.call('GET', `/api/v1/orders/${o.id}`)).body;
    assert.equal(gone.status, 'failed');
    assert.equal(gone.failure_code, 'authentication_abandoned');
    assert.equal(standin.state.pis.get(pi).status, 'canceled', 'cancelled at Stripe');
    assert.equal(standin.state.pis.get(pi).cancellation_reason, 'abandoned');
    // the partner comes back too late: Stripe's challenge is over, nothing is charged
    const late = await fetch(`${standin.url}/_standin/3ds/${pi}`);
    assert.equal(late.status, 404);
    assert.equal((await chargesOf(o)).length, 0);
    assert.equal(invoices(o), 0);
    await op.setClock('2029-06-01T09:00:00Z');
  });
}

// Bought in 2028, renewed in 2029: no subscription of the tests above is bought in 2028.
/** A subscription bought at `bought` (asking to authenticate on session and off) whose
 * automatic renewal, run by the job at `renewed`, waits for the partner to pay on session. */
async function waitingRenewal(bought, renewed) {
  await op.setClock(bought);
  const { api, o, p } = await buy('pm_card_authenticationRequired'); // asks on session and off
  await challenge(p.body.next_action.url, 'complete');
  await until(async () => (await comeBack(api, o)).body.status === 'confirmed', 'bought');
  const sub = p.body.subscription_id ?? (await api.call('GET', `/api/v1/orders/${o.id}`)).body.subscription_id;
  await op.setClock(renewed);
  assert.equal((await jobsRun()).status, 0);
  const tries = async () => (await ledger()).charges.filter((c) => c.partnerd_key?.startsWith(`auto:${sub}:`));
  assert.equal((await tries()).length, 0, 'asked, not charged');
  const waiting = (await api.call('GET', `/api/v1/subscriptions/${sub}`)).body.pending_payment;
  assert.ok(waiting, 'a payment to confirm');
  const offSession = () => [...standin.state.pis.values()].filter((pi) => pi.metadata?.partnerd_key?.startsWith(`auto:${sub}:`));
  return { api, sub, renewal: { id: waiting.order_id }, tries, offSession };
}

/** The partner's « Confirmer le paiement » (a Buy), Stripe's events before its answers. */
async function payEventsFirst(api, renewal) {
  await config({ events_first: true });
  try {
    return await api.call('POST', `/api/v1/orders/${renewal.id}/purchase`, {}, { 'Idempotency-Key': `confirm-${renewal.id}` });
  } finally {
    await config({ events_first: false });
  }
}

/** The partner passes the challenge of their own payment: the renewal confirmed, charged once. */
async function renewedOnce(api, sub, renewal, pay, tries, expiresOn) {
  assert.equal(pay.status, 200, JSON.stringify(pay.body));
  assert.equal(pay.body.status, 'requires_action', JSON.stringify(pay.body));
  assert.equal(pay.body.next_action.type, 'authenticate');
  await challenge(pay.body.next_action.url, 'complete');
  await until(async () => (await comeBack(api, renewal)).body.status === 'confirmed', 'renewed');
  assert.equal((await chargesOf(renewal)).length, 1, 'charged once');
  assert.equal((await tries()).length, 0);
  const s = (await api.call('GET', `/api/v1/subscriptions/${sub}`)).body;
  assert.deepEqual([s.status, s.expires_on, s.pending_payment], ['active', expiresOn, undefined]);
}

test('a renewal the bank asks to authenticate, paid by the partner on session while Stripe\'s event of the cancelled off-session try comes first: it gives way, charged once', async () => {
  const { api, sub, renewal, tries, offSession } = await waitingRenewal('2028-03-10T09:00:00Z', '2029-03-10T07:00:00Z'); // expired 2029-03-09: the window's first day
  const pay = await payEventsFirst(api, renewal);
  assert.deepEqual(offSession().map((pi) => pi.status), ['canceled'], "the job's try is cancelled at Stripe");
  assert.deepEqual(offSession().map((pi) => pi.cancellation_reason), ['requested_by_customer'], 'handed over, as Stripe is told');
  await renewedOnce(api, sub, renewal, pay, tries, '2030-03-09');
});

test('a renewal handed over in the last second of its try, the cancellation\'s event read after the try\'s deadline: it still gives way, charged once', async () => {
  const { api, sub, renewal, tries } = await waitingRenewal('2028-04-10T09:00:00Z', '2029-04-10T07:00:00Z');
  const deadline = Number(sql(srv.db.url, `SELECT action_expires_at FROM payments WHERE order_id = '${renewal.id}' AND idempotency_key LIKE 'auto:%'`));
  assert.ok(deadline > 0, 'the try has a deadline');
  const at = (t) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
  await op.setClock(at(deadline - 1));
  // Stripe's event of the cancellation reaches partnerd once the deadline has passed
  standin.state.beforeEvent = async (type) => {
    if (type === 'payment_intent.canceled') await op.setClock(at(deadline + 1));
  };
  let pay;
  try {
    pay = await payEventsFirst(api, renewal);
  } finally {
    standin.state.beforeEvent = null;
  }
  assert.notEqual((await api.call('GET', `/api/v1/orders/${renewal.id}`)).body.failure_code, 'authentication_abandoned', JSON.stringify(pay.body));
  // paid after the try's deadline (2029-04-12, Paris), past expiry: a year from that day
  await renewedOnce(api, sub, renewal, pay, tries, '2030-04-11');
});

test('a renewal try waiting for the partner, cancelled by hand in Stripe\'s Dashboard (no reason): recorded as declined, not handed over', async () => {
  const { api, sub, renewal, offSession } = await waitingRenewal('2028-05-10T09:00:00Z', '2029-05-10T07:00:00Z');
  const [pi] = offSession();
  const r = await fetch(`${standin.url}/v1/payment_intents/${pi.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
  assert.equal(r.status, 200, await r.text());
  assert.equal(pi.cancellation_reason, null);
  const attempt = () => sql(srv.db.url, `SELECT status || ' ' || COALESCE(failure_code, '') FROM payments WHERE idempotency_key = '${pi.metadata.partnerd_key}'`);
  await until(async () => attempt() !== 'pending', 'the cancellation recorded');
  assert.equal(attempt(), 'failed payment_declined');
  // the order failed as a refused payment would, nothing waits for the partner any more
  const order = (await api.call('GET', `/api/v1/orders/${renewal.id}`)).body;
  assert.deepEqual([order.status, order.failure_code], ['failed', 'payment_declined']);
  const s = (await api.call('GET', `/api/v1/subscriptions/${sub}`)).body;
  assert.deepEqual([s.status, s.pending_payment], ['renewal_window', undefined]);
  assert.equal((await chargesOf(renewal)).length, 0, 'nothing charged');
});

test('a payment waiting on Stripe holds no other request from the database (--threads 1)', async () => {
  // one request at work on the database at once; Stripe answers each call 2.5 s late (the
  // read below has that long, even on a loaded machine)
  const one = await startServer({
    args: ['--no-jobs', '--threads', '1', '--gateway', 'stripe', '--stripe-key-file', joinPath(keyDir, 'secret'),
      '--stripe-publishable-key', PUBLISHABLE, '--stripe-api-base', standin.url],
    env: { PARTNERD_STRIPE_WEBHOOK_SECRET: WEBHOOK },
  });
  try {
    await config({ webhook_url: `${one.url}/api/v1/payment-events` });
    const org = await join(one.url);
    const c = new Client(one.url);
    assert.equal((await c.signIn(org.email, org.password)).status, 201);
    const api = new Client(one.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
    await config({ latency_ms: 2500 });
    let bought = null;
    const buying = (async () => {
      const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'card', payment_method: 'pm_card_visa' } });
      assert.equal(o.status, 201, JSON.stringify(o.body));
      bought = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {}, { 'Idempotency-Key': `slow-${o.body.id}` });
      return o.body;
    })();
    // each of the purchase's calls to Stripe (the card's method, the customer, the charge;
    // the stand-in records a call once its latency is over): meanwhile another request
    // reads the database, and is answered before that call and the purchase
    const base = standin.state.requests.length;
    const under = (k) => standin.state.requests.length === base + k && standin.state.load.in_flight > 0;
    for (let k = 0; k < 3; k++) {
      await until(async () => under(k), `Stripe's call ${k + 1} under way`);
      const list = await api.call('GET', '/api/v1/orders');
      assert.equal(list.status, 200, JSON.stringify(list.body));
      assert.ok(under(k), `answered while Stripe's call ${k + 1} was under way`);
      assert.equal(bought, null);
    }
    assert.deepEqual(standin.state.requests.slice(base).map((r) => `${r.method} ${r.path}`),
      ['GET /v1/payment_methods/pm_card_visa', 'POST /v1/customers'], 'the charge is the call under way');
    const o = await buying;
    assert.equal(bought.status, 200, JSON.stringify(bought.body));
    assert.equal(bought.body.status, 'confirmed');
    assert.equal((await chargesOf(o)).length, 1, 'charged once');
  } finally {
    await config({ latency_ms: 0, webhook_url: `${srv.url}/api/v1/payment-events` });
    await one.stop();
  }
});

test('a partner back from 3-D Secure, Stripe\'s event, a card refund and a pass asked of the jobs hold no other request from the database while Stripe answers (--threads 1)', async () => {
  // one request at work on the database at once; the jobs thread on for POST
  // /admin/jobs/run, with no periodic pass of its own after the first (its recovery job would
  // look up the waiting challenges at Stripe meanwhile); Stripe's events held back, for the
  // test to deliver
  const one = await startServer({
    args: ['--threads', '1', '--jobs-interval', '86400', '--gateway', 'stripe', '--stripe-key-file', joinPath(keyDir, 'secret'),
      '--stripe-publishable-key', PUBLISHABLE, '--stripe-api-base', standin.url],
    env: { PARTNERD_STRIPE_WEBHOOK_SECRET: WEBHOOK },
  });
  try {
    await config({ webhook_url: '' });
    const supportOne = await staffClient(one, 'support');
    const operator = await staffClient(one, 'operator');
    // two partners' purchases waiting for their challenge, which they pass at Stripe
    const waiting = [];
    for (let i = 0; i < 2; i++) {
      const org = await join(one.url);
      const c = new Client(one.url);
      assert.equal((await c.signIn(org.email, org.password)).status, 201);
      const api = new Client(one.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
      const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'card', payment_method: 'pm_card_authenticationRequired' } });
      assert.equal(o.status, 201, JSON.stringify(o.body));
      const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {}, { 'Idempotency-Key': `3ds-${o.body.id}` });
      assert.equal(p.body.status, 'requires_action', JSON.stringify(p.body));
      await challenge(p.body.next_action.url, 'complete');
      waiting.push({ ...o.body, api });
    }
    const api = waiting[1].api; // the reader: the other partner's own list
    await config({ latency_ms: 2500 });

    /** slow() (what) waits on Stripe's next call (call: its method and path): meanwhile
     * a partner's list of orders is read from the database, answered before that call ends
     * and before slow() is. */
    const readsMeanwhile = async (what, call, slow) => {
      const base = standin.state.requests.length;
      let answered = false;
      const done = slow().then((r) => ((answered = true), r));
      const under = () => standin.state.requests.length === base && standin.state.load.in_flight > 0;
      await until(async () => under(), `${what}: ${call} under way`);
      const list = await api.call('GET', '/api/v1/orders');
      assert.equal(list.status, 200, JSON.stringify(list.body));
      assert.ok(under(), `${what}: answered while ${call} was under way`);
      assert.equal(answered, false, what);
      const r = await done;
      const made = standin.state.requests.slice(base).map((q) => `${q.method} ${q.path}`);
      assert.equal(made[0], call, made.join(', '));
      return r;
    };

    // the partner back from the challenge: Buy again looks the charge up
    const back = await readsMeanwhile('back from the challenge', 'GET /v1/payment_intents/search', () => comeBack(waiting[0].api, waiting[0]));
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal(back.body.status, 'confirmed');

    // Stripe's event of the other: the webhook looks the charge up
    const ev = standin.state.events.map((r) => r.event).find((e) => e.type === 'payment_intent.succeeded' && e.data.object.metadata?.partnerd_key?.startsWith(`${waiting[1].id}:`));
    assert.ok(ev, 'the stand-in made the event');
    const body = JSON.stringify(ev);
    const t = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', WEBHOOK).update(`${t}.${body}`).digest('hex');
    const event = await readsMeanwhile('the event', 'GET /v1/payment_intents/search', () =>
      fetch(`${one.url}/api/v1/payment-events`, { method: 'POST', headers: { 'content-type': 'application/json', 'Stripe-Signature': `t=${t},v1=${sig}` }, body }).then(async (r) => ({ status: r.status, body: await r.json() })));
    assert.equal(event.status, 200, JSON.stringify(event.body));
    assert.equal(event.body.status, 'confirmed');

    // the first purchase cancelled at once, with a refund: support's answer refunds the card
    const sub = (await waiting[0].api.call('GET', `/api/v1/orders/${waiting[0].id}`)).body.subscription_id;
    const asked = await waiting[0].api.call('POST', `/api/v1/subscriptions/${sub}/cancellation`, {});
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    const res = await readsMeanwhile('the refund', 'POST /v1/refunds', () =>
      supportOne.call('POST', `/api/v1/support-requests/${asked.body.id}/resolution`, { cancellation: 'immediate', refund: true }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.outcome.refund_total > 0, JSON.stringify(res.body.outcome));
    assert.equal(sql(one.db.url, `SELECT status FROM refunds WHERE request_id = '${asked.body.id}'`), 'refunded');

    // its answer taken as lost: a pass of the jobs asked through the API asks Stripe again,
    // and the request waiting for that pass holds no turn at the database meanwhile
    sql(one.db.url, `UPDATE refunds SET status = 'pending', gateway_refund_id = NULL WHERE request_id = '${asked.body.id}'`);
    const run = await readsMeanwhile('the jobs\' pass', 'POST /v1/refunds', () => operator.call('POST', '/api/v1/admin/jobs/run', {}));
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(sql(one.db.url, `SELECT status FROM refunds WHERE request_id = '${asked.body.id}'`), 'refunded');
    const charged = (await ledger()).charges.filter((ch) => waiting.some((o) => ch.partnerd_key?.startsWith(`${o.id}:`)));
    assert.equal(charged.length, 2, 'each purchase charged once');
    const refunded = (await ledger()).refunds.filter((f) => f.payment_intent === charged.find((ch) => ch.partnerd_key.startsWith(`${waiting[0].id}:`)).payment_intent);
    assert.equal(refunded.length, 1, 'refunded once');
  } finally {
    await config({ latency_ms: 0, webhook_url: `${srv.url}/api/v1/payment-events` });
    await one.stop();
  }
});
