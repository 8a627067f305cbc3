// stripe_standin.test.mjs - the Stripe stand-in (tests/stripe/standin.mjs) keeps to Stripe's
// protocol, so that what test_stripe_adapter proves against it holds against Stripe: the
// objects have the fields of Stripe's fixtures, the key is checked, idempotent replays and
// conflicts answer as Stripe's do, events are signed and sent before the payer is back,
// and the failures on demand fail as Stripe fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startStandin, decodeForm } from '../stripe/standin.mjs';

const shapes = JSON.parse(readFileSync(new URL('../stripe/shapes.json', import.meta.url)));
const KEY = 'sk_test_standinCheck';
const SECRET = 'whsec_standinCheck';
let s, hooks, received = [];

async function call(method, path, body, { key = KEY, idem } = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (idem) headers['idempotency-key'] = idem;
  const r = await fetch(s.url + path, { method, headers, body });
  return { status: r.status, headers: r.headers, body: await r.json() };
}
const ledger = async () => (await fetch(s.url + '/_test/ledger')).json();
const control = (path, json) =>
  fetch(s.url + path, { method: 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });

before(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ signature: req.headers['stripe-signature'], body });
      res.end('ok');
    });
  });
  await new Promise((r) => hooks.listen(0, '127.0.0.1', r));
  s = await startStandin({ key: KEY, webhookSecret: SECRET, webhookUrl: `http://127.0.0.1:${hooks.address().port}/` });
});
after(async () => {
  await s.close();
  hooks.close();
});

test('bracket notation decodes to nested objects and lists', () => {
  assert.deepEqual(decodeForm('a=1&metadata[order]=o%201&metadata[k%26]=x+y&types[]=card&types[]=sepa&n[0]=z'), {
    a: '1', metadata: { order: 'o 1', 'k&': 'x y' }, types: ['card', 'sepa'], n: ['z'],
  });
});

test('objects have the fields of Stripe\'s published fixtures', async () => {
  const cus = (await call('POST', '/v1/customers', 'email=a%40exemple.fr&name=Exemple')).body;
  const pi = (await call('POST', '/v1/payment_intents', 'amount=100&currency=eur&payment_method=pm_card_visa&confirm=true&return_url=https%3A%2F%2Fp%2Fr&metadata[partnerd_key]=shape')).body;
  const pm = (await call('GET', `/v1/payment_methods/${pi.payment_method}`)).body;
  const si = (await call('POST', '/v1/setup_intents', `customer=${cus.id}&payment_method=pm_card_visa&confirm=true&return_url=https%3A%2F%2Fp%2Fr`)).body;
  const re = (await call('POST', '/v1/refunds', `payment_intent=${pi.id}&amount=40`)).body;
  await new Promise((r) => setTimeout(r, 100));
  const ev = (await (await fetch(s.url + '/_test/events')).json())[0];
  delete ev.deliveries;
  const objects = { customer: cus, payment_method: pm, payment_intent: pi, setup_intent: si, refund: re, event: ev, 'payment_method.card': pm.card };
  for (const [name, o] of Object.entries(objects))
    assert.deepEqual(Object.keys(o).sort(), shapes[name], name);
  assert.match(cus.id, /^cus_/);
  assert.match(pi.id, /^pi_/);
  assert.match(pm.id, /^pm_/);
  assert.match(si.id, /^seti_/);
  assert.match(re.id, /^re_/);
  assert.match(ev.id, /^evt_/);
  assert.equal(pi.status, 'succeeded');
  assert.equal(si.status, 'succeeded');
  assert.equal(re.amount, 40);
  assert.equal(pm.card.last4, '4242');
});

test('no key or a wrong key: 401, nothing done', async () => {
  const before = (await ledger()).charges.length;
  for (const key of [null, 'sk_test_wrong']) {
    const r = await call('POST', '/v1/payment_intents', 'amount=100&currency=eur&payment_method=pm_card_visa&confirm=true&return_url=https%3A%2F%2Fp', { key });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.type, 'invalid_request_error');
  }
  assert.equal((await ledger()).charges.length, before);
});

test('Idempotency-Key: a replay is the first answer, other parameters are refused', async () => {
  const body = 'amount=2500&currency=eur&payment_method=pm_card_visa&confirm=true&return_url=https%3A%2F%2Fp&metadata[partnerd_key]=idem1';
  const first = await call('POST', '/v1/payment_intents', body, { idem: 'k-idem-1' });
  const again = await call('POST', '/v1/payment_intents', body, { idem: 'k-idem-1' });
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.body, first.body);
  const other = await call('POST', '/v1/payment_intents', body.replace('2500', '2600'), { idem: 'k-idem-1' });
  assert.equal(other.status, 400);
  assert.equal(other.body.error.type, 'idempotency_error');
  assert.equal((await ledger()).charges.filter((c) => c.partnerd_key === 'idem1').length, 1);
  // a declined payment is saved too: its replay is the same 402
  const d = 'amount=100&currency=eur&payment_method=pm_card_chargeDeclined&confirm=true&return_url=https%3A%2F%2Fp';
  const d1 = await call('POST', '/v1/payment_intents', d, { idem: 'k-idem-2' });
  const d2 = await call('POST', '/v1/payment_intents', d, { idem: 'k-idem-2' });
  assert.equal(d1.status, 402);
  assert.equal(d1.body.error.code, 'card_declined');
  assert.deepEqual(d2.body, d1.body);
});

test('3-D Secure: the signed event arrives before the redirect, twice when asked', async () => {
  await control('/_test/config', { duplicate_events: true });
  received = [];
  const pi = (await call('POST', '/v1/payment_intents', 'amount=900&currency=eur&payment_method=pm_card_authenticationRequired&confirm=true&return_url=https%3A%2F%2Fp%2Fback&metadata[partnerd_key]=sca1')).body;
  assert.equal(pi.status, 'requires_action');
  assert.equal(pi.next_action.type, 'redirect_to_url');
  const page = await fetch(pi.next_action.redirect_to_url.url);
  assert.match(await page.text(), /Complete[\s\S]*Fail/);
  const r = await fetch(pi.next_action.redirect_to_url.url, {
    method: 'POST', body: 'result=complete', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(r.status, 303);
  const back = new URL(r.headers.get('location'));
  assert.equal(back.origin + back.pathname, 'https://p/back');
  assert.equal(back.searchParams.get('payment_intent'), pi.id);
  assert.equal(back.searchParams.get('redirect_status'), 'succeeded');
  const succeeded = received.filter((h) => JSON.parse(h.body).type === 'payment_intent.succeeded');
  assert.equal(succeeded.length, 2); // already there when the payer is back
  assert.equal(JSON.parse(succeeded[0].body).id, JSON.parse(succeeded[1].body).id);
  for (const h of succeeded) {
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(h.signature);
    assert.equal(v1, createHmac('sha256', SECRET).update(`${t}.${h.body}`).digest('hex'));
    assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 60);
  }
  assert.equal(JSON.parse(succeeded[0].body).data.object.metadata.partnerd_key, 'sca1');
  await control('/_test/config', { duplicate_events: false });
  // off session, the same card cannot be challenged: authentication_required, no charge
  const cus = (await call('POST', '/v1/customers', 'email=b%40exemple.fr')).body;
  const off = await call('POST', '/v1/payment_intents', `amount=900&currency=eur&customer=${cus.id}&payment_method=pm_card_authenticationRequired&confirm=true&off_session=true&metadata[partnerd_key]=sca2`);
  assert.equal(off.status, 402);
  assert.equal(off.body.error.code, 'authentication_required');
  assert.equal(off.body.error.payment_intent.status, 'requires_payment_method');
  assert.equal((await ledger()).charges.filter((c) => c.partnerd_key === 'sca2').length, 0);
});

test('failures on demand: 429 and 500 do nothing, 500_after and hang charge', async () => {
  const body = (k) => `amount=100&currency=eur&payment_method=pm_card_visa&confirm=true&return_url=https%3A%2F%2Fp&metadata[partnerd_key]=${k}`;
  const count = async (k) => (await ledger()).charges.filter((c) => c.partnerd_key === k).length;
  await control('/_test/fail', { mode: '429', path: '/v1/payment_intents' });
  const limited = await call('POST', '/v1/payment_intents', body('f429'), { idem: 'f429' });
  assert.equal(limited.status, 429);
  assert.equal(await count('f429'), 0);
  assert.equal((await call('POST', '/v1/payment_intents', body('f429'), { idem: 'f429' })).status, 200);
  assert.equal(await count('f429'), 1);

  await control('/_test/fail', { mode: '500_after', path: '/v1/payment_intents' });
  assert.equal((await call('POST', '/v1/payment_intents', body('f500'), { idem: 'f500' })).status, 500);
  assert.equal((await call('POST', '/v1/payment_intents', body('f500'), { idem: 'f500' })).status, 500); // as Stripe: the 500 is saved
  assert.equal(await count('f500'), 1);
  const found = await call('GET', `/v1/payment_intents/search?query=${encodeURIComponent("metadata['partnerd_key']:'f500'")}`);
  assert.equal(found.body.data.length, 1);
  assert.equal(found.body.data[0].status, 'succeeded');

  await control('/_test/fail', { mode: 'hang', path: '/v1/payment_intents' });
  await assert.rejects(fetch(s.url + '/v1/payment_intents', {
    method: 'POST', body: body('fhang'), signal: AbortSignal.timeout(500),
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'fhang' },
  }));
  assert.equal(await count('fhang'), 1);
});
