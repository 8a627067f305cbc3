// sca.test.mjs - Strong Customer Authentication at Buy (issue 16): a charge that asks the
// cardholder to authenticate (3-D Secure) puts the order in requires_action with the
// challenge's URL; the test gateway's challenge page passes or refuses it; partnerd settles
// the payment exactly once, whether the partner's return or the gateway's signed event comes
// first, or the event comes twice; an abandoned challenge expires and leaves no charge. The
// gateway's ledger counts the charges.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, adminOf, operatorClock, sql, ledgerSql, cli, cardPayment, tokenize } from './harness.mjs';

let srv, op;
const CARD = { exp_month: 12, exp_year: 2031, cvc: '737', holder: 'Camille Martin' };
const SCA = { ...CARD, number: '4000 0025 0000 3155' }; // asks once on session, then succeeds
const ALWAYS = { ...CARD, number: '4000 0027 6000 3184' }; // asks every time

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
  await op.setClock('2027-05-03T10:00:00Z');
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

/** The order's charges in the ledger: [status, ...] by attempt. */
const charges = (order) => ledgerSql(srv, `SELECT status FROM gw_charges WHERE idempotency_key LIKE '${order.id}:%' ORDER BY created_at`).split('\n').filter(Boolean);
const invoices = (order) => Number(sql(srv.db.url, `SELECT COUNT(*) FROM invoices WHERE order_id = '${order.id}'`));
const confirmations = (order) => Number(sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'order.confirmed' AND payload LIKE '%${order.id}%'`));

/** A fresh organisation's order by card, and Buy: [client, order, buy answer]. */
async function buy(card) {
  const { client } = await adminOf(srv.url);
  const o = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, card) });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  const p = await client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {}, { 'Idempotency-Key': `buy-${o.body.id}` });
  return [client, o.body, p];
}

/** The cardholder's answer on the challenge page: the way back (not followed). */
async function decide(url, decision, { hold = false } = {}) {
  const r = await fetch(srv.url + url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `decision=${decision}${hold ? '&event=hold' : ''}`,
  });
  assert.equal(r.status, 200);
  const back = r.headers.get('refresh').replace(/^0;url=/, '');
  assert.ok((await r.text()).includes(`href="${back.replace(/&/g, '&amp;')}"`), 'and a link back');
  return back;
}

/** The partner back from the challenge: the portal asks partnerd, which asks the gateway. */
const comeBack = (client, o) => client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, { 'Idempotency-Key': `return-${o.id}-${Math.random()}` });

/** The signed events the gateway made about an order's charges, oldest first. */
function events(o) {
  const rows = ledgerSql(srv, `SELECT body || char(9) || signature FROM gw_events WHERE body LIKE '%${o.id}:%' ORDER BY created_at`);
  return rows.split('\n').filter(Boolean).map((l) => { const [body, signature] = l.split('\t'); return { body, signature }; });
}
const send = (ev) => fetch(`${srv.url}/api/v1/payment-events`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Test-Gateway-Signature': ev.signature }, body: ev.body })
  .then(async (r) => ({ status: r.status, body: await r.json() }));

test('a challenge passed: requires_action with its URL, nothing charged before, confirmed once on return, the late event changes nothing', async () => {
  const [client, o, p] = await buy(SCA);
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.status, 'requires_action');
  assert.equal(p.body.next_action.type, 'authenticate');
  assert.match(p.body.next_action.url, /^\/test-gateway\/v1\/challenges\/chl_/);
  assert.equal(p.body.next_action.expires_at, '2027-05-03T10:30:00Z');
  assert.deepEqual(charges(o), ['requires_action'], 'asked, not charged');
  // Buy again while it waits: the same challenge, no second charge
  const again = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, { 'Idempotency-Key': `again-${o.id}` });
  assert.equal(again.body.status, 'requires_action');
  assert.equal(again.body.next_action.url, p.body.next_action.url);
  assert.deepEqual(charges(o), ['requires_action']);
  // the page, in French and in English
  const fr = await (await fetch(srv.url + p.body.next_action.url)).text();
  assert.match(fr, /Valider/);
  assert.match(fr, /Refuser/);
  assert.match(fr, /588,00/);
  assert.match(fr, /se terminant par 3155/);
  const en = await (await fetch(srv.url + p.body.next_action.url, { headers: { 'Accept-Language': 'en' } })).text();
  assert.match(en, /Confirm/);
  assert.match(en, /Refuse/);
  // passed; the event is held by the gateway: the return comes first
  const back = await decide(p.body.next_action.url, 'pass', { hold: true });
  assert.equal(back, `/paiement/${o.id}?challenge=passed`);
  assert.equal((await client.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'requires_action', 'partnerd has not asked yet');
  const done = await comeBack(client, o);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'confirmed');
  assert.ok(done.body.invoice_id);
  assert.deepEqual(charges(o), ['succeeded']);
  // the event now: received, nothing more
  const [ev] = events(o);
  const late = await send(ev);
  assert.equal(late.status, 200, JSON.stringify(late.body));
  assert.equal(late.body.status, 'confirmed');
  assert.deepEqual(charges(o), ['succeeded'], 'charged once');
  assert.equal(invoices(o), 1);
  assert.equal(confirmations(o), 1);
  // the card the partner authenticated is the one kept for renewals
  assert.equal((await client.call('GET', '/api/v1/payment-method')).body.card.last4, '3155');
});

/** The last 4 digits of a card the gateway tokenizes, and its payment-method id. */
const pm = async (number) => (await tokenize(srv.url, { ...CARD, number })).id;
const savedCard = async (client) => (await client.call('GET', '/api/v1/payment-method')).body.card?.last4;

/** An organisation that saved the card `saved` (none when null), and its Buy with a new card
 * that the bank challenges; `meanwhile` runs before the challenge is passed. */
async function buyWhileChallenged(saved, meanwhile) {
  const { client } = await adminOf(srv.url);
  if (saved) assert.equal((await client.call('PUT', '/api/v1/payment-method', { payment_method: await pm(saved) })).status, 200);
  const o = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, SCA) });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  const p = await client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {}, { 'Idempotency-Key': `buy-${o.body.id}` });
  assert.equal(p.body.status, 'requires_action');
  await meanwhile(client, o.body);
  await decide(p.body.next_action.url, 'pass');
  assert.equal((await client.call('GET', `/api/v1/orders/${o.body.id}`)).body.status, 'confirmed');
  assert.deepEqual(charges(o.body), ['succeeded']);
  return client;
}

test('a card saved while a challenge is open stays saved; otherwise the card paid with replaces the saved one', async () => {
  // (the clock is pinned: the order and the card saved meanwhile fall in the same second)
  const put = (number) => async (client) => assert.equal((await client.call('PUT', '/api/v1/payment-method', { payment_method: await pm(number) })).status, 200);
  const nothing = async () => {};
  // none saved when ordering, one saved meanwhile: it stays
  assert.equal(await savedCard(await buyWhileChallenged(null, put('4242 4242 4242 4242'))), '4242');
  // one saved when ordering, another saved meanwhile: the other stays
  assert.equal(await savedCard(await buyWhileChallenged('4242 4242 4242 4242', put('5555 5555 5555 4444'))), '4444');
  // one saved when ordering, nothing meanwhile: the card paid with replaces it
  assert.equal(await savedCard(await buyWhileChallenged('4242 4242 4242 4242', nothing)), '3155');
  // an order made before orders recorded their saved card: its card replaces what is saved
  const older = async (client, o) => {
    await put('5555 5555 5555 4444')(client);
    sql(srv.db.url, `UPDATE orders SET saved_card = NULL WHERE id = '${o.id}'`);
  };
  assert.equal(await savedCard(await buyWhileChallenged('4242 4242 4242 4242', older)), '3155');
});

test('a Buy with the saved card leaves a card saved before it was paid', async () => {
  const { client } = await adminOf(srv.url);
  assert.equal((await client.call('PUT', '/api/v1/payment-method', { payment_method: await pm('4000 0027 6000 3184') })).status, 200);
  const o = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'card', saved_card: true } });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  const p = await client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {}, { 'Idempotency-Key': `buy-${o.body.id}` });
  assert.equal(p.body.status, 'requires_action');
  assert.equal((await client.call('PUT', '/api/v1/payment-method', { payment_method: await pm('4242 4242 4242 4242') })).status, 200);
  await decide(p.body.next_action.url, 'pass');
  assert.equal((await client.call('GET', `/api/v1/orders/${o.body.id}`)).body.status, 'confirmed');
  assert.equal(await savedCard(client), '4242');
});

test('a challenge refused: the payment is declined, nothing charged, the partner may pay again', async () => {
  const [client, o, p] = await buy(ALWAYS);
  assert.equal(p.body.status, 'requires_action');
  const back = await decide(p.body.next_action.url, 'refuse');
  assert.equal(back, `/paiement/${o.id}?challenge=refused`);
  const failed = (await client.call('GET', `/api/v1/orders/${o.id}`)).body;
  assert.equal(failed.status, 'failed');
  assert.equal(failed.failure_code, 'payment_declined');
  assert.equal(failed.next_action, undefined);
  assert.deepEqual(charges(o), ['declined']);
  assert.equal(invoices(o), 0);
  // the page no longer offers the choice, and a second answer changes nothing
  assert.doesNotMatch(await (await fetch(srv.url + p.body.next_action.url)).text(), /Valider/);
  assert.equal(await decide(p.body.next_action.url, 'pass'), `/paiement/${o.id}?challenge=refused`);
  assert.deepEqual(charges(o), ['declined']);
  // Buy again: a new attempt, a new challenge
  const retry = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {}, { 'Idempotency-Key': `retry-${o.id}` });
  assert.equal(retry.body.status, 'requires_action');
  assert.notEqual(retry.body.next_action.url, p.body.next_action.url);
  await decide(retry.body.next_action.url, 'pass');
  assert.equal((await client.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'confirmed');
  assert.deepEqual(charges(o), ['declined', 'succeeded']);
});

test('an abandoned challenge expires with the job: cancelled at the gateway, no charge, the order failed', async () => {
  await op.setClock('2027-05-04T10:00:00Z');
  const [client, o, p] = await buy(SCA);
  assert.equal(p.body.status, 'requires_action');
  // within its half hour the job leaves it
  await op.setClock('2027-05-04T10:20:00Z');
  let r = cli(['jobs', 'run', '--db', srv.db.url], { env: { PARTNERD_GATEWAY_LEDGER: srv.ledger } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await client.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'requires_action');
  await op.setClock('2027-05-04T10:31:00Z');
  r = cli(['jobs', 'run', '--db', srv.db.url], { env: { PARTNERD_GATEWAY_LEDGER: srv.ledger } });
  assert.equal(r.status, 0, r.stderr);
  const gone = (await client.call('GET', `/api/v1/orders/${o.id}`)).body;
  assert.equal(gone.status, 'failed');
  assert.equal(gone.failure_code, 'authentication_abandoned');
  assert.deepEqual(charges(o), ['canceled'], 'no charge');
  assert.equal(ledgerSql(srv, `SELECT cancellation_reason FROM gw_charges WHERE idempotency_key LIKE '${o.id}:%'`).trim(), 'abandoned', 'the gateway keeps why');
  // the partner comes back too late: the challenge is over, nothing is charged
  assert.equal(await decide(p.body.next_action.url, 'pass'), `/paiement/${o.id}?challenge=expired`);
  assert.deepEqual(charges(o), ['canceled']);
  assert.equal(invoices(o), 0);
  await op.setClock('2027-05-03T10:00:00Z');
});

test('the gateway\'s event before the redirect: confirmed by the event, the return finds it so, charged once', async () => {
  const [client, o, p] = await buy(SCA);
  await decide(p.body.next_action.url, 'pass'); // the gateway sends its event at once
  const seen = (await client.call('GET', `/api/v1/orders/${o.id}`)).body;
  assert.equal(seen.status, 'confirmed', 'settled by the event before the partner is back');
  const back = await comeBack(client, o);
  assert.equal(back.status, 200);
  assert.equal(back.body.status, 'confirmed');
  assert.equal(back.body.invoice_id, seen.invoice_id);
  assert.deepEqual(charges(o), ['succeeded']);
  assert.equal(invoices(o), 1);
  assert.equal(confirmations(o), 1);
});

test('the same event twice, and a forged one: confirmed once, the forgery refused', async () => {
  const [client, o, p] = await buy(SCA);
  await decide(p.body.next_action.url, 'pass', { hold: true });
  const [ev] = events(o);
  const forged = await send({ body: ev.body, signature: ev.signature.replace(/v1=./, (m) => (m.endsWith('0') ? 'v1=1' : 'v1=0')) });
  assert.equal(forged.status, 400);
  assert.equal(forged.body.error.code, 'event_signature_invalid');
  const unsigned = await fetch(`${srv.url}/api/v1/payment-events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: ev.body });
  assert.equal(unsigned.status, 400);
  assert.equal((await client.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'requires_action', 'a refused event settles nothing');
  const [first, second] = [await send(ev), await send(ev)];
  assert.deepEqual([first.status, first.body.status], [200, 'confirmed']);
  assert.deepEqual([second.status, second.body.status], [200, 'confirmed']);
  assert.deepEqual(charges(o), ['succeeded']);
  assert.equal(invoices(o), 1);
  assert.equal(confirmations(o), 1);
  // and both at once
  const [c2, o2, p2] = await buy(SCA);
  await decide(p2.body.next_action.url, 'pass', { hold: true });
  const [ev2] = events(o2);
  const answers = await Promise.all([send(ev2), send(ev2), comeBack(c2, o2)]);
  for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.deepEqual(charges(o2), ['succeeded']);
  assert.equal(invoices(o2), 1);
  assert.equal(confirmations(o2), 1);
});
