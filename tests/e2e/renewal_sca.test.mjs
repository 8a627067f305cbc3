// renewal_sca.test.mjs - an automatic renewal the bank asks to authenticate (issue 16): the
// off-session charge with the saved card answers "authentication required"; the renewal order
// waits for the partner (requires_action) until the try's own deadline, the partner is emailed
// a link to /paiement/{order} (through a real SMTP server), and pays there on session with a key
// of its own, through the bank's challenge; the retries of days 3 and 7 are kept, and charge
// nothing once the partner has paid. The gateway's ledger counts the charges.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, operatorClock, ledgerSql, smtpSink, sql, tokenize, cardSubscriber } from './harness.mjs';

let srv, op, sink;
const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2035, cvc: '737', holder: 'Camille Martin' };
const ALWAYS = { ...CARD, number: '4000 0027 6000 3184' }; // the bank asks every time, on session or off

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
  sink = await smtpSink();
  const put = (key, value) => op.client.call('PUT', `/api/v1/admin/settings/${key}`, { value });
  for (const [k, v] of [['smtp.host', '127.0.0.1'], ['smtp.port', sink.port], ['smtp.starttls', 0], ['smtp.username', '']]) assert.equal((await put(k, v)).status, 200);
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
  sink?.stop();
});

const runJobs = () => op.runJobs();

/** A fresh organisation that bought the Action Pack by card on `day`, then saved the card
 * whose bank asks to authenticate every payment (cardSubscriber). */
const subscriber = (day) => cardSubscriber(srv.url, op, day, CARD, { idempotencyKey: true, savedCard: ALWAYS });

/** The subscription's renewal charges in the ledger, the job's (auto:) and the partner's. */
const charges = (subId) => ledgerSql(srv, `SELECT status FROM gw_charges WHERE idempotency_key LIKE 'auto:${subId}:%' ORDER BY created_at, idempotency_key`).split('\n').filter(Boolean);
const partnerCharges = (orderId) => ledgerSql(srv, `SELECT status FROM gw_charges WHERE idempotency_key LIKE '${orderId}:%' ORDER BY created_at`).split('\n').filter(Boolean);
const mailsTo = (email, subject) => sink.mails().filter((m) => m.to === email && m.subject.startsWith(subject));
const ASK = 'Confirmez le paiement de votre renouvellement';

/** The cardholder's answer on the challenge page (the way back is not followed). */
async function decide(url, decision, { hold = false } = {}) {
  const r = await fetch(srv.url + url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `decision=${decision}${hold ? '&event=hold' : ''}`,
  });
  assert.equal(r.status, 200);
  return r.headers.get('refresh').replace(/^0;url=/, '');
}

/** The signed events the gateway made about an order's charges, oldest first. */
function events(orderId) {
  const rows = ledgerSql(srv, `SELECT body || char(9) || signature FROM gw_events WHERE body LIKE '%${orderId}:%' ORDER BY created_at`);
  return rows.split('\n').filter(Boolean).map((l) => { const [body, signature] = l.split('\t'); return { body, signature }; });
}
const send = (ev) => fetch(`${srv.url}/api/v1/payment-events`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Test-Gateway-Signature': ev.signature }, body: ev.body })
  .then(async (r) => ({ status: r.status, body: await r.json() }));
const comeBack = (api, id) => api.call('POST', `/api/v1/orders/${id}/purchase`, {}, { 'Idempotency-Key': `return-${id}-${Math.random()}` });

test('the bank asks to authenticate the renewal: the partner is emailed, pays on session through the challenge, renewed once; the day-3 retry charges nothing', async () => {
  const s = await subscriber('2027-02-10'); // expires 2028-02-09: day 1 of the window is 10 February
  await op.setClock('2028-02-10T07:00:00Z');
  await runJobs();
  assert.deepEqual(charges(s.subId), ['requires_action'], 'asked, not charged');
  // the subscription shows the payment to confirm, and the order waits until day 3
  const sub = (await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body;
  assert.equal(sub.status, 'renewal_window', JSON.stringify(sub));
  assert.ok(sub.pending_payment, JSON.stringify(sub));
  const orderId = sub.pending_payment.order_id;
  assert.equal(sub.pending_payment.url, `/paiement/${orderId}`);
  assert.equal(sub.pending_payment.expires_at, '2028-02-11T23:00:00Z', 'until day 3 begins (Paris)');
  const order = (await s.api.call('GET', `/api/v1/orders/${orderId}`)).body;
  assert.equal(order.status, 'requires_action');
  assert.equal(order.action, 'renewal');
  assert.deepEqual(order.next_action, { type: 'confirm_payment', url: `/paiement/${orderId}`, expires_at: '2028-02-11T23:00:00Z' });
  // later that day, the job leaves it waiting: no second off-session charge, no second email
  await op.setClock('2028-02-10T18:00:00Z');
  await runJobs();
  assert.deepEqual(charges(s.subId), ['requires_action']);
  const [mail, ...more] = mailsTo(s.email, ASK);
  assert.ok(mail, 'the partner is emailed');
  assert.equal(more.length, 0, 'once');
  assert.equal(mail.subject, `${ASK} : Abonnement au Microsoft Action Pack`);
  assert.match(mail.text, new RegExp(`https?://[^\\s]+/paiement/${orderId}`), 'with the link to pay');
  assert.match(mail.text, /588,00\u00a0€/);
  assert.match(mail.text, /•••• 3184/);
  assert.match(mail.text, /au plus tard le 11 février 2028/);
  // the partner pays on session: a new key of their own, and the bank's challenge
  const pay = await s.api.call('POST', `/api/v1/orders/${orderId}/purchase`, {}, { 'Idempotency-Key': `confirm-${orderId}` });
  assert.equal(pay.status, 200, JSON.stringify(pay.body));
  assert.equal(pay.body.status, 'requires_action');
  assert.equal(pay.body.next_action.type, 'authenticate');
  assert.match(pay.body.next_action.url, /^\/test-gateway\/v1\/challenges\/chl_/);
  assert.deepEqual(charges(s.subId), ['canceled'], "the job's charge is cancelled at the gateway");
  assert.deepEqual(partnerCharges(orderId), ['requires_action']);
  assert.equal(ledgerSql(srv, `SELECT cancellation_reason FROM gw_charges WHERE idempotency_key LIKE 'auto:${s.subId}:%'`).trim(), 'handed_over', 'the gateway keeps why');
  // the same click again: the same challenge, nothing more
  const again = await s.api.call('POST', `/api/v1/orders/${orderId}/purchase`, {}, { 'Idempotency-Key': `again-${orderId}` });
  assert.equal(again.body.next_action.url, pay.body.next_action.url);
  assert.deepEqual(partnerCharges(orderId), ['requires_action']);
  // passed; the partner's return, the event and the event again, all at once
  assert.equal(await decide(pay.body.next_action.url, 'pass', { hold: true }), `/paiement/${orderId}?challenge=passed`);
  const [ev] = events(orderId);
  const answers = await Promise.all([comeBack(s.api, orderId), send(ev), send(ev)]);
  for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.equal(answers[0].body.status, 'confirmed');
  assert.deepEqual(partnerCharges(orderId), ['succeeded'], 'charged once');
  assert.deepEqual(charges(s.subId), ['canceled']);
  const renewed = (await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body;
  assert.deepEqual([renewed.status, renewed.expires_on, renewed.pending_payment], ['active', '2029-02-09', undefined]);
  assert.equal(Number(sql(srv.db.url, `SELECT COUNT(*) FROM invoices WHERE order_id = '${orderId}'`)), 1);
  assert.equal(Number(sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event IN ('subscription.renewed', 'order.confirmed') AND payload LIKE '%${orderId}%'`)), 1);
  // day 3: the retry finds it paid and charges nothing
  await op.setClock('2028-02-12T07:00:00Z');
  await runJobs();
  assert.deepEqual(charges(s.subId), ['canceled']);
  assert.deepEqual(partnerCharges(orderId), ['succeeded']);
  assert.equal((await s.api.call('GET', `/api/v1/orders/${orderId}`)).body.status, 'confirmed');
});

test('a card saved while the renewal waits stays saved: paying the waiting renewal with the old card does not bring it back', async () => {
  const s = await subscriber('2027-06-01'); // expires 2028-05-31: window from 1 June 2028
  await op.setClock('2028-06-01T07:00:00Z');
  await runJobs();
  const { order_id: orderId } = (await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body.pending_payment;
  // later that day the partner saves another card, then pays the waiting renewal, which
  // is paid with the card it was made with
  await op.setClock('2028-06-01T12:00:00Z');
  const put = await s.api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(srv.url, CARD)).id });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  await op.setClock('2028-06-01T12:05:00Z');
  const pay = await s.api.call('POST', `/api/v1/orders/${orderId}/purchase`, {}, { 'Idempotency-Key': `confirm-${orderId}` });
  assert.equal(pay.body.next_action.type, 'authenticate', JSON.stringify(pay.body));
  await decide(pay.body.next_action.url, 'pass');
  const order = (await s.api.call('GET', `/api/v1/orders/${orderId}`)).body;
  assert.equal(order.status, 'confirmed');
  assert.equal(order.payment.last4, '3184', 'paid with the card the renewal was made with');
  assert.equal((await s.api.call('GET', '/api/v1/payment-method')).body.card.last4, '4242', 'the card saved last is kept');
});

test('a partner who never comes: the retries of days 3 and 7 happen, each emailed, nothing charged, then the subscription lapses', async () => {
  const s = await subscriber('2027-03-01'); // expires 2028-02-29: window 1-30 March 2028
  const days = [
    ['2028-03-01', ['requires_action']],
    ['2028-03-02', ['requires_action']],
    ['2028-03-03', ['canceled', 'requires_action']],
    ['2028-03-06', ['canceled', 'requires_action']],
    ['2028-03-07', ['canceled', 'canceled', 'requires_action']],
    ['2028-03-20', ['canceled', 'canceled', 'requires_action']],
    ['2028-03-31', ['canceled', 'canceled', 'canceled']],
  ];
  const deadlines = [];
  for (const [day, want] of days) {
    await op.setClock(`${day}T08:00:00Z`);
    await runJobs();
    assert.deepEqual(charges(s.subId), want, day);
    const sub = (await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body;
    if (sub.pending_payment && !deadlines.includes(sub.pending_payment.expires_at)) deadlines.push(sub.pending_payment.expires_at);
  }
  assert.deepEqual(deadlines, ['2028-03-02T23:00:00Z', '2028-03-06T23:00:00Z', '2028-03-30T22:00:00Z'], 'days 3 and 7, then the end of the window (Paris)');
  assert.equal(mailsTo(s.email, ASK).length, 3, 'an email per try');
  const sub = (await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body;
  assert.equal(sub.status, 'lapsed');
  assert.equal(sub.pending_payment, undefined);
  const orders = (await s.api.call('GET', '/api/v1/orders')).body.items.filter((o) => o.action === 'renewal');
  assert.equal(orders.length, 3);
  for (const o of orders) assert.deepEqual([o.status, o.failure_code], ['failed', 'authentication_abandoned']);
  // the last link now says the payment is over: a Buy of the failed order is a new attempt
  // that the partner must choose to make; the window is closed, so it is refused
  const late = await s.api.call('POST', `/api/v1/orders/${orders[0].id}/purchase`, {}, { 'Idempotency-Key': `late-${orders[0].id}` });
  assert.notEqual(late.status, 200);
  assert.equal(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE status = 'succeeded' AND idempotency_key LIKE '${orders[0].id}:%'`).trim(), '0');
});

test('a retry that succeeds closes the pending action: nothing is left to confirm, the first try is over', async () => {
  const s = await subscriber('2027-04-01'); // expires 2028-03-31: window from 1 April 2028
  await op.setClock('2028-04-01T07:00:00Z');
  await runJobs();
  const first = (await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body.pending_payment;
  assert.ok(first);
  // the partner saves a card that needs no authentication; day 3's try charges it
  const put = await s.api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(srv.url, CARD)).id });
  assert.equal(put.status, 200);
  await op.setClock('2028-04-03T07:00:00Z');
  await runJobs();
  assert.deepEqual(charges(s.subId), ['canceled', 'succeeded']);
  const sub = (await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body;
  assert.deepEqual([sub.status, sub.pending_payment], ['active', undefined]);
  const old = (await s.api.call('GET', `/api/v1/orders/${first.order_id}`)).body;
  assert.equal(old.status, 'failed', 'the first try is over');
  assert.equal(old.next_action, undefined);
});

test('a challenge the partner left open when day 3 comes: the retry cancels it and tries again, the late answer charges nothing', async () => {
  const s = await subscriber('2027-05-01'); // expires 2028-04-30: window from 1 May 2028
  await op.setClock('2028-05-01T07:00:00Z');
  await runJobs();
  const { order_id: orderId } = (await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body.pending_payment;
  const pay = await s.api.call('POST', `/api/v1/orders/${orderId}/purchase`, {}, { 'Idempotency-Key': `confirm-${orderId}` });
  assert.equal(pay.body.next_action.type, 'authenticate');
  assert.equal(pay.body.next_action.expires_at, '2028-05-02T22:00:00Z', "the partner's challenge keeps the try's deadline");
  // a pass while the try is open: the subscription waits for the try's end, not a day
  await op.setClock('2028-05-02T07:00:00Z');
  await runJobs();
  // day 3: the job gives the open challenge up (cancelled at the gateway) and makes try 2
  await op.setClock('2028-05-03T07:00:00Z');
  await runJobs();
  assert.deepEqual(partnerCharges(orderId), ['canceled']);
  assert.deepEqual(charges(s.subId), ['canceled', 'requires_action']);
  const old = (await s.api.call('GET', `/api/v1/orders/${orderId}`)).body;
  assert.deepEqual([old.status, old.failure_code], ['failed', 'authentication_abandoned']);
  // the partner answers the old challenge now: over, nothing charged
  assert.equal(await decide(pay.body.next_action.url, 'pass'), `/paiement/${orderId}?challenge=expired`);
  assert.deepEqual(partnerCharges(orderId), ['canceled']);
  // the new try's link works the same way, and is paid once
  const next = (await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body.pending_payment;
  assert.notEqual(next.order_id, orderId);
  const pay2 = await s.api.call('POST', `/api/v1/orders/${next.order_id}/purchase`, {}, { 'Idempotency-Key': `confirm-${next.order_id}` });
  await decide(pay2.body.next_action.url, 'pass');
  assert.equal((await s.api.call('GET', `/api/v1/orders/${next.order_id}`)).body.status, 'confirmed');
  assert.deepEqual(partnerCharges(next.order_id), ['succeeded']);
  // a new term from the day it is paid, as for every renewal
  assert.equal((await s.api.call('GET', `/api/v1/subscriptions/${s.subId}`)).body.expires_on, '2029-05-02');
});
