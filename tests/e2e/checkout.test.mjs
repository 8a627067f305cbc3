// checkout.test.mjs - orders, card and wire payments, invoices with VAT and PDF (issue 5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminOf, memberOf, operatorClock, importLegacy, sql, ledgerSql, dumpDatabase, pdfText, staffClient, join, cli, tokenize, cardPayment, assertDayCountsKept, readMails } from './harness.mjs';

let srv, op, finance;
// valid for years whatever the day: some purchases here run on the real clock
const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 5, cvc: '737', holder: 'Camille Martin' };
// the card goes to the test gateway's tokenization endpoint; the API gets its id only
const card = (number) => cardPayment(srv.url, { ...CARD, number });
const WIRE = { method: 'wire', contact: { name: 'Paul Payer', phone: '+33 1 23 45 67 89', email: 'ap@org.example' } };

before(async () => {
  // every commit synced, as partnerd runs (the suite turns it off for speed: scripts/test)
  srv = await startServer({ args: ['--no-jobs', '--test-clock'], env: { PARTNERD_SQLITE_SYNC: 'on' } });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
  finance = await staffClient(srv, 'finance');
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

const charges = (status = 'succeeded') => Number(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE status = '${status}'`));

async function buy(client, payment, offer = 'action-pack') {
  const o = await client.call('POST', '/api/v1/orders', { offer, action: 'purchase', payment });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  return [o.body, await client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {})];
}

test('a first purchase by card: review with VAT, Buy charges once, subscription and invoice', async () => {
  const { client, org } = await adminOf(srv.url);
  const before = charges();
  const o = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await card(CARD.number) });
  assert.equal(o.status, 201);
  assert.equal(o.body.status, 'review');
  assert.deepEqual(o.body.subtotal, { amount_minor: 49000, currency: 'EUR', formatted: '490,00\u00a0€' });
  assert.equal(o.body.tax.amount_minor, 9800);
  assert.equal(o.body.total.amount_minor, 58800);
  assert.equal(o.body.tax_treatment, 'domestic');
  assert.deepEqual(o.body.payment, { method: 'card', brand: 'visa', last4: '4242', exp_month: 12, exp_year: CARD.exp_year });
  assert.equal(charges(), before, 'nothing is charged at review');
  const p = await client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.status, 'confirmed');
  assert.equal(charges(), before + 1);
  const again = await client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(again.body.status, 'confirmed');
  assert.equal(charges(), before + 1, 'Buy twice, charged once');
  const today = (await (await fetch(`${srv.url}/healthz`)).json()).now.slice(0, 10);
  const sub = (await client.call('GET', `/api/v1/subscriptions/${p.body.subscription_id}`)).body;
  assert.equal(sub.status, 'active');
  assert.equal(sub.starts_on, p.body.paid_on);
  assert.equal(sub.auto_renew, true);
  const inv = (await client.call('GET', `/api/v1/invoices/${p.body.invoice_id}`)).body;
  assert.match(inv.number, /^\d{4}-\d{6}$/);
  assert.equal(inv.type, 'invoice');
  assert.equal(inv.total.amount_minor, 58800);
  const saved = await client.call('GET', '/api/v1/payment-method');
  assert.deepEqual(saved.body.card, { brand: 'visa', last4: '4242', exp_month: 12, exp_year: CARD.exp_year });
  const tile = (await client.call('GET', '/api/v1/offers')).body.items.find((t) => t.code === 'action-pack');
  assert.equal(tile.state, 'active');
  const second = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await card(CARD.number) });
  assert.equal(second.status, 409);
  assert.equal(second.body.error.code, 'already_subscribed');
  assert.ok(p.body.paid_on <= today || p.body.paid_on);
  void org;
});

test('the card number and CVC reach neither the database nor a log', async () => {
  const { client } = await adminOf(srv.url);
  const number = '5555555555554444';
  const [, p] = await buy(client, await cardPayment(srv.url, { ...CARD, number, cvc: '9173' }));
  assert.equal(p.status, 200);
  const dump = dumpDatabase(srv.db.url);
  assert.ok(dump.length > 1000);
  // Four digits turn up by chance inside ids, hashes and timestamps (a CI run found 9173 in
  // one): the CVC is looked for as a value of its own ("cvc":9173, cvc:9173, '9173', 9173,),
  // not inside an id, a key (auto:...:9173:1), a time (.9173Z) or a number (12.9173).
  const cvc = /(?<=^|[^\w.:-]|[A-Za-z"]:)9173(?![\w:-]|\.\d)/;
  for (const secret of [number, '5555 5555 5555 4444']) assert.ok(!dump.includes(secret), `${secret} is in the database`);
  assert.ok(!cvc.test(dump), `the CVC is in the database: ${dump.match(new RegExp(`.{0,60}${cvc.source}.{0,60}`))?.[0]}`);
  // the log's measures are numbers of their own too: a request that took 9 173 µs (dur_us=9173)
  // or sent 9 173 bytes says nothing of the card
  const log = srv.stderr().replace(/\b(dur_us|bytes)=\d+/g, '$1=#');
  assert.ok(!log.includes(number), 'the number is in the log');
  assert.ok(!cvc.test(log), `the CVC is in the log: ${log.match(new RegExp(`.{0,60}${cvc.source}.{0,60}`))?.[0]}`);
  const ledger = ledgerSql(srv, "SELECT group_concat(token || brand || last4, ',') FROM gw_tokens");
  assert.ok(!ledger.includes(number), 'not even the gateway keeps it');
});

test('bad cards are refused by the gateway before any order exists', async () => {
  const post = (card, lang = 'en') => fetch(`${srv.url}/test-gateway/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept-Language': lang }, body: JSON.stringify({ card }) })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
  const luhn = await post({ ...CARD, number: '4242 4242 4242 4241' });
  assert.equal(luhn.status, 422);
  assert.equal(luhn.body.error.code, 'card_invalid');
  assert.ok(luhn.body.error.details.fields['card.number']);
  const expired = await post({ ...CARD, exp_month: 1, exp_year: 2020 }, 'fr');
  assert.equal(expired.status, 422);
  assert.equal(expired.body.error.code, 'card_expired');
  const missing = await post({ number: CARD.number });
  assert.equal(missing.status, 422);
  assert.ok(missing.body.error.details.fields['card.cvc']);
  assert.ok(missing.body.error.details.fields['card.exp_month']);
  const { client } = await adminOf(srv.url);
  assert.equal((await client.call('GET', '/api/v1/orders')).body.items.length, 0);
});

test('the orders API refuses card data, in the caller\'s language, and knows only the gateway\'s payment methods', async () => {
  const { client } = await adminOf(srv.url);
  const before = charges();
  const raw = { offer: 'action-pack', action: 'purchase', payment: { method: 'card', card: CARD } };
  const fr = await client.call('POST', '/api/v1/orders', raw);
  assert.equal(fr.status, 422);
  assert.equal(fr.body.error.code, 'card_data_refused');
  assert.match(fr.body.error.message, /ne reçoit jamais de numéro de carte/);
  assert.ok(fr.body.error.details.fields['payment.card'], JSON.stringify(fr.body));
  assert.ok(!JSON.stringify(fr.body).includes('4242'), 'the answer does not repeat the number');
  client.lang = 'en';
  const en = await client.call('POST', '/api/v1/orders', raw);
  assert.match(en.body.error.message, /never receives a card number/);
  // a card number in any field, or a bare CVC, is refused the same
  const pm = (await tokenize(srv.url, CARD)).id;
  for (const payment of [{ method: 'card', payment_method: '4242 4242 4242 4242' }, { method: 'card', payment_method: pm, cvc: '737' },
    { method: 'wire', contact: { name: '4000 0027 6000 3184', phone: '+33 1 23 45 67 89', email: 'a@b.example' } }]) {
    const r = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment });
    assert.equal(r.status, 422, JSON.stringify(payment));
    assert.equal(r.body.error.code, 'card_data_refused');
  }
  const put = await client.call('PUT', '/api/v1/payment-method', { card: CARD });
  assert.equal(put.body.error.code, 'card_data_refused');
  const unknown = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'card', payment_method: 'pm_test_nobody' } });
  assert.equal(unknown.status, 422);
  assert.equal(unknown.body.error.code, 'card_invalid');
  assert.ok(unknown.body.error.details.fields['payment.payment_method']);
  assert.equal(charges(), before);
  assert.equal((await client.call('GET', '/api/v1/orders')).body.items.length, 0);
  // the id alone pays
  const ok = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'card', payment_method: pm } });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.payment, { method: 'card', brand: 'visa', last4: '4242', exp_month: 12, exp_year: CARD.exp_year });
});

test('declined and insufficient funds: the order fails, nothing is charged, a retry is possible', async () => {
  const { client } = await adminOf(srv.url);
  const before = charges();
  const [o, declined] = await buy(client, await card('4000 0000 0000 0002'));
  assert.equal(declined.status, 402);
  assert.equal(declined.body.error.code, 'payment_declined');
  assert.equal((await client.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'failed');
  const [, poor] = await buy(client, await card('4000 0000 0000 9995'));
  assert.equal(poor.status, 402);
  assert.equal(poor.body.error.code, 'insufficient_funds');
  assert.equal(charges(), before);
  const [, ok] = await buy(client, await card(CARD.number));
  assert.equal(ok.status, 200);
  assert.equal(charges(), before + 1);
});

test('a gateway timeout leaves the payment unknown; the next Buy looks it up and never charges twice', async () => {
  const { client } = await adminOf(srv.url);
  const before = charges();
  const [o, lost] = await buy(client, await card('4000 0000 0000 0119'));
  assert.equal(lost.status, 502);
  assert.equal(lost.body.error.code, 'payment_unknown');
  assert.equal((await client.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'payment_unknown');
  assert.equal(charges(), before + 1, 'the charge did happen at the bank');
  const retry = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {});
  assert.equal(retry.status, 200, JSON.stringify(retry.body));
  assert.equal(retry.body.status, 'confirmed');
  assert.equal(charges(), before + 1, 'found, not charged again');
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM invoices WHERE order_id = '${o.id}'`), '1');
});

test('a job resolves a payment whose answer was lost, without anyone pressing Buy again', async () => {
  const { client } = await adminOf(srv.url);
  const [o, lost] = await buy(client, await card('4000 0000 0000 0119'));
  assert.equal(lost.status, 502);
  const r = cli(['jobs', 'run', '--db', srv.db.url], { env: { PARTNERD_GATEWAY_LEDGER: srv.ledger } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await client.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'confirmed');
});

// src/service/card_attempts.h: the attempts an order may have; more than the 32 once read
const MAX_ATTEMPTS = 40;

/** Buys of order o with client until n were answered, each asserted declined. */
async function declined(client, o, n) {
  for (let i = 1; i <= n; i++) {
    const p = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {});
    assert.deepEqual([p.status, p.body.error?.code], [402, 'payment_declined'], `Buy ${i}: ${JSON.stringify(p.body)}`);
  }
}

test(`a declined card may be tried again ${MAX_ATTEMPTS} times, each a charge of its own; then Buy says why it refuses, in the caller's language`, async () => {
  const { client } = await adminOf(srv.url);
  const [o, first] = await buy(client, await card('4000 0000 0000 0002'));
  assert.deepEqual([first.status, first.body.error?.code], [402, 'payment_declined']);
  await declined(client, o, MAX_ATTEMPTS - 1);
  const keys = ledgerSql(srv, `SELECT idempotency_key FROM gw_charges WHERE idempotency_key LIKE '${o.id}:%'`).split('\n').filter(Boolean);
  assert.deepEqual(keys.sort(), Array.from({ length: MAX_ATTEMPTS }, (_, i) => `${o.id}:${i + 1}`).sort(), 'one charge per attempt, each with its own key');
  for (const lang of ['en', 'fr']) {
    client.lang = lang;
    const p = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {});
    assert.equal(p.status, 409, JSON.stringify(p.body));
    assert.equal(p.body.error.code, 'payment_attempts_exhausted');
    assert.equal(p.body.error.details.max_attempts, MAX_ATTEMPTS);
    assert.equal(p.body.error.details.order_id, o.id);
    assert.match(p.body.error.message, lang === 'en' ? /too many payment attempts.*new order/i : /trop de tentatives de paiement.*nouvelle commande/i);
  }
  client.lang = null;
  assert.equal(Number(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE idempotency_key LIKE '${o.id}:%'`)), MAX_ATTEMPTS, 'a refused Buy charges nothing');
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM payments WHERE order_id = '${o.id}'`), String(MAX_ATTEMPTS));
  const after = (await client.call('GET', `/api/v1/orders/${o.id}`)).body;
  assert.deepEqual([after.status, after.failure_code], ['failed', 'payment_declined'], 'the order stays as its last attempt left it');
  // the way out the message gives: a new order, with another card
  const [, other] = await buy(client, await card(CARD.number));
  assert.equal(other.status, 200, JSON.stringify(other.body));
  assert.equal(other.body.status, 'confirmed');
});

test('an answer lost on the 33rd attempt is found: by the next Buy, by the job, and charged once', async () => {
  for (const by of ['buy', 'job']) {
    const { client } = await adminOf(srv.url);
    const [o, first] = await buy(client, await card('4000 0000 0000 0002'));
    assert.equal(first.status, 402);
    await declined(client, o, 31);
    // the bank now takes the card, and the 33rd attempt's answer is lost on its way back
    const token = sql(srv.db.url, `SELECT card_token FROM orders WHERE id = '${o.id}'`);
    ledgerSql(srv, `UPDATE gw_tokens SET behaviour = 'timeout' WHERE token = '${token}'`);
    const lost = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {});
    assert.deepEqual([lost.status, lost.body.error?.code], [502, 'payment_unknown'], JSON.stringify(lost.body));
    assert.equal(ledgerSql(srv, `SELECT status FROM gw_charges WHERE idempotency_key = '${o.id}:33'`), 'succeeded', 'the bank did charge it');
    if (by === 'buy') {
      const retry = await client.call('POST', `/api/v1/orders/${o.id}/purchase`, {});
      assert.equal(retry.status, 200, JSON.stringify(retry.body));
    } else {
      const r = cli(['jobs', 'run', '--db', srv.db.url], { env: { PARTNERD_GATEWAY_LEDGER: srv.ledger } });
      assert.equal(r.status, 0, r.stderr);
    }
    const done = (await client.call('GET', `/api/v1/orders/${o.id}`)).body;
    assert.equal(done.status, 'confirmed', `${by}: ${JSON.stringify(done)}`);
    assert.equal(sql(srv.db.url, `SELECT status FROM payments WHERE idempotency_key = '${o.id}:33'`), 'succeeded');
    assert.equal(Number(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE idempotency_key LIKE '${o.id}:%' AND status = 'succeeded'`)), 1, 'charged once');
    assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM invoices WHERE order_id = '${o.id}'`), '1');
  }
});

test('wire transfer: contact required, invoice with RF reference at Buy, confirmed by finance', async () => {
  await op.setClock('2027-03-01T09:00:00Z');
  const { client, org } = await adminOf(srv.url);
  const bad = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'wire', contact: { name: '', phone: 'call me', email: 'nope' } } });
  assert.equal(bad.status, 422);
  assert.deepEqual(Object.keys(bad.body.error.details.fields).sort(), ['payment.contact.email', 'payment.contact.name', 'payment.contact.phone']);
  const token = (await client.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token;
  const api = new Client(srv.url, { bearer: token });
  const [o, p] = await buy(api, WIRE);
  assert.equal(p.status, 200);
  assert.equal(p.body.status, 'awaiting_payment');
  const pi = p.body.payment_instructions;
  assert.equal(pi.iban, 'FR7630006000011234567890189');
  assert.equal(pi.bic, 'AGRIFRPPXXX');
  assert.match(pi.reference, /^RF\d{2}[0-9A-Z]{16}$/);
  assert.equal(pi.due_on, '2027-03-15');
  assert.ok(p.body.invoice_id, 'the invoice is issued at Buy');
  const tile = (await api.call('GET', '/api/v1/offers')).body.items.find((t) => t.code === 'action-pack');
  assert.equal(tile.state, 'pending_payment');
  const twice = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: WIRE });
  assert.equal(twice.status, 409);
  const pdf = await api.call('GET', `/api/v1/invoices/${p.body.invoice_id}/pdf`);
  const { ok, text } = pdfText(Buffer.from(await (await fetch(`${srv.url}/api/v1/invoices/${p.body.invoice_id}/pdf`, { headers: { Authorization: `Bearer ${token}` } })).arrayBuffer()));
  assert.equal(pdf.status, 200);
  assert.ok(ok);
  assert.ok(text.includes(pi.reference));
  assert.match(text, /FR76 3000 6000 0112 3456 7890 189/, 'the IBAN printed in groups of four');
  assert.match(text, /15 mars 2027/);

  await op.setClock('2027-03-05T09:00:00Z');
  const partial = await finance.call('POST', '/api/v1/admin/wire-transfers', { reference: pi.reference, amount_minor: 50000, currency: 'EUR', received_on: '2027-03-04' });
  assert.equal(partial.status, 201);
  assert.equal(partial.body.status, 'partial');
  assert.equal((await api.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'awaiting_payment');
  // finance looks the order up by its reference as printed, in groups of four, or typed small
  const spaced = pi.reference.replace(/(.{4})/g, '$1 ').trim();
  for (const typed of [spaced, spaced.toLowerCase()]) {
    const awaiting = await finance.call('GET', `/api/v1/admin/orders/awaiting-payment?reference=${encodeURIComponent(typed)}`);
    assert.deepEqual(awaiting.body.items.map((x) => x.id), [o.id], typed);
    const received = await finance.call('GET', `/api/v1/admin/wire-transfers?reference=${encodeURIComponent(typed)}`);
    assert.deepEqual(received.body.items.map((x) => x.id), [partial.body.id], typed);
  }
  const unknown = await finance.call('POST', '/api/v1/admin/wire-transfers', { reference: 'RF00NOTHING', amount_minor: 58800, currency: 'EUR', received_on: '2027-03-04' });
  assert.equal(unknown.body.status, 'unknown_reference');
  // a reference is kept whole, or refused: never cut without a word
  const longest = 'X'.repeat(39);
  const whole = await finance.call('POST', '/api/v1/admin/wire-transfers', { reference: longest, amount_minor: 100, currency: 'EUR', received_on: '2027-03-04' });
  assert.equal(whole.body.reference, longest);
  const over = await finance.call('POST', '/api/v1/admin/wire-transfers', { reference: `${longest}Y`, amount_minor: 100, currency: 'EUR', received_on: '2027-03-04' });
  assert.equal(over.status, 422);
  assert.deepEqual(Object.keys(over.body.error.details.fields), ['reference']);
  const review = await finance.call('GET', '/api/v1/admin/wire-transfers?status=partial');
  assert.ok(review.body.items.some((t) => t.reference === pi.reference && t.amount_minor === 50000));
  const exact = await finance.call('POST', '/api/v1/admin/wire-transfers', { reference: pi.reference.toLowerCase(), amount_minor: 58800, currency: 'EUR', received_on: '2027-03-05' });
  assert.equal(exact.body.status, 'matched');
  const done = (await api.call('GET', `/api/v1/orders/${o.id}`)).body;
  assert.equal(done.status, 'confirmed');
  assert.equal(done.paid_on, '2027-03-05');
  const sub = (await api.call('GET', `/api/v1/subscriptions/${done.subscription_id}`)).body;
  assert.deepEqual([sub.status, sub.starts_on, sub.expires_on], ['active', '2027-03-05', '2028-03-04']);
  const late = await finance.call('POST', '/api/v1/admin/wire-transfers', { reference: pi.reference, amount_minor: 58800, currency: 'EUR', received_on: '2027-03-05' });
  assert.equal(late.body.status, 'not_awaiting', 'a second transfer is kept for review, not applied twice');
  assert.equal((await finance.call('POST', '/api/v1/admin/wire-transfers', { reference: 'x', amount_minor: -1, currency: 'EUR', received_on: '2099-01-01' })).status, 422);
  void org;
});

test('a bank statement CSV matches what it can and keeps the rest for review', async () => {
  await op.setClock('2027-04-01T09:00:00Z');
  const a = await adminOf(srv.url);
  const ta = new Client(srv.url, { bearer: (await a.client.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  const [, pa] = await buy(ta, WIRE);
  const ref = pa.body.payment_instructions.reference;
  // a date mistyped a year ahead would start a term that day: refused like a bad date
  const bad = await finance.call('POST', '/api/v1/admin/bank-statements', 'date,amount,currency,reference\n2027-04-01,12.345,EUR,X\n2027-13-01,1.00,EUR,Y\n2028-04-01,588.00,EUR,Z\n');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.details.lines.length, 3);
  assert.match(bad.body.error.details.lines[2], /line 4: date: must not be in the future|ligne 4 : date : ne peut pas être dans le futur/);
  const csv = `date,amount,currency,reference\n2027-04-01,588.00,EUR,${ref}\n2027-04-01,100.00,EUR,RF18539007547034\n`;
  const r = await finance.call('POST', '/api/v1/admin/bank-statements', csv);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.transfers, 2);
  assert.equal(r.body.matched, 1);
  assert.deepEqual(r.body.items.map((i) => i.status), ['matched', 'unknown_reference']);
  assert.equal((await ta.call('GET', `/api/v1/orders/${pa.body.id}`)).body.status, 'confirmed');
  const json = await finance.call('POST', '/api/v1/admin/bank-statements', { csv: 'x' });
  assert.equal(json.status, 415);
});

test("a bank statement CSV saved by a spreadsheet (byte order mark, quoted fields) is read as it is", async () => {
  await op.setClock('2027-04-02T09:00:00Z');
  const a = await adminOf(srv.url);
  const ta = new Client(srv.url, { bearer: (await a.client.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  const [, pa] = await buy(ta, WIRE);
  const ref = pa.body.payment_instructions.reference;
  const csv = `\uFEFF"date","amount","currency","reference"\r\n"2027-04-02","588.00","EUR","${ref}"\r\n`;
  const r = await finance.call('POST', '/api/v1/admin/bank-statements', csv, { 'Content-Type': 'text/csv' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.items.map((i) => [i.status, i.reference]), [['matched', ref]]);
  assert.equal((await ta.call('GET', `/api/v1/orders/${pa.body.id}`)).body.status, 'confirmed');
});

test('a wire order unpaid at its due date is cancelled by a credit note', async () => {
  await op.setClock('2027-05-01T09:00:00Z');
  const a = await adminOf(srv.url);
  const api = new Client(srv.url, { bearer: (await a.client.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  const [o, p] = await buy(api, WIRE);
  assert.equal(p.body.payment_instructions.due_on, '2027-05-15');
  await op.setClock('2027-05-15T20:00:00Z');
  cli(['jobs', 'run', '--db', srv.db.url], { env: { PARTNERD_GATEWAY_LEDGER: srv.ledger } });
  assert.equal((await api.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'awaiting_payment', 'due today is on time');
  await op.setClock('2027-05-16T08:00:00Z');
  const r = cli(['jobs', 'run', '--db', srv.db.url], { env: { PARTNERD_GATEWAY_LEDGER: srv.ledger } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await api.call('GET', `/api/v1/orders/${o.id}`)).body.status, 'cancelled');
  const invoices = (await api.call('GET', '/api/v1/invoices')).body.items;
  const credit = invoices.find((i) => i.type === 'credit_note');
  assert.ok(credit, 'no credit note');
  assert.match(credit.number, /^AV2027-\d{6}$/);
  assert.equal(credit.credits_invoice_id, p.body.invoice_id);
  assert.equal(credit.total.amount_minor, -58800);
  const tile = (await api.call('GET', '/api/v1/offers')).body.items.find((t) => t.code === 'action-pack');
  assert.equal(tile.state, 'buy');
  const { ok, text } = pdfText(Buffer.from(await (await fetch(`${srv.url}/api/v1/invoices/${credit.id}/pdf`, { headers: { Authorization: api.bearer ? `Bearer ${api.bearer}` : '' } })).arrayBuffer()));
  assert.ok(ok);
  assert.match(text, /Avoir AV2027-\d{6}/);
  assert.match(text, new RegExp(`Annule la facture n° ${invoices.find((i) => i.id === p.body.invoice_id).number}`));
  cli(['jobs', 'run', '--db', srv.db.url], { env: { PARTNERD_GATEWAY_LEDGER: srv.ledger } });
  assert.equal((await api.call('GET', '/api/v1/invoices')).body.items.filter((i) => i.type === 'credit_note').length, 1, 'one credit note, however often the job runs');
  // the partner is told why, once
  const told = readMails(srv.mailDir).filter((m) => m.to === a.org.email && m.subject.startsWith('Commande annulée'));
  assert.equal(told.length, 1);
  assert.match(told[0].text.replace(/[\u00a0\u202f]/g, ' '), /Le virement de 588,00 € attendu au plus tard le 15 mai 2027 n'a pas été reçu/);
  assert.ok(told[0].text.includes(credit.number));
});

test('renewal: refused before expiry with the opening date, by card in the window, a new term from the payment date, the lock cleared', async () => {
  const a = await adminOf(srv.url);
  const r = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${a.org.partner.membership_id},action-pack,2026-06-23,2027-06-22,true\n`);
  assert.equal(r.status, 0, r.stderr);
  const api = new Client(srv.url, { bearer: (await a.client.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  const sub = (await api.call('GET', '/api/v1/subscriptions')).body.items[0];
  const renew = { offer: 'action-pack', action: 'renewal', subscription_id: sub.id, payment: await card(CARD.number) };
  await op.setClock('2027-06-25T10:00:00Z');
  const pmc = await api.call('POST', '/api/v1/orders', renew);
  assert.equal(pmc.status, 409);
  assert.equal(pmc.body.error.code, 'managed_in_pmc');
  assert.ok(pmc.body.error.details.pmc_url);
  await op.client.call('POST', `/api/v1/admin/subscriptions/${sub.id}/migrate`, {});
  await op.setClock('2027-06-22T21:00:00Z');
  const early = await api.call('POST', '/api/v1/orders', renew);
  assert.equal(early.status, 409);
  assert.equal(early.body.error.code, 'renewal_not_open');
  assert.equal(early.body.error.details.opens_on, '2027-06-23');
  await api.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: false });
  await op.setClock('2027-07-10T10:00:00Z');
  const o = await api.call('POST', '/api/v1/orders', renew);
  assert.equal(o.status, 201, JSON.stringify(o.body));
  // the window closes between review and Buy: Buy says so
  await op.setClock('2027-07-23T10:00:00Z');
  const closed = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(closed.status, 409);
  assert.equal(closed.body.error.code, 'renewal_window_closed');
  await op.setClock('2027-07-10T10:00:00Z');
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(p.status, 200, JSON.stringify(p.body));
  const after = (await api.call('GET', `/api/v1/subscriptions/${sub.id}`)).body;
  assert.deepEqual([after.status, after.starts_on, after.expires_on, after.auto_renew_locked], ['active', '2027-07-10', '2028-07-09', false]);
  assert.equal(after.auto_renew, false);
  const on = await api.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: true });
  assert.equal(on.status, 200, 'the renewal cleared the lock');
  assert.equal(on.body.auto_renew, true);
  const saved = await api.call('POST', '/api/v1/orders', { ...renew, payment: { method: 'card', saved_card: true } });
  assert.equal(saved.status, 409);
  assert.equal(saved.body.error.code, 'renewal_not_open');
});

test('VAT: home country (Monaco included), EU reverse charge with « Autoliquidation », EU without VAT ID, outside the EU', async () => {
  const cases = [
    [{ country: 'FR', vat_id: 'FR40303265045' }, 2000, 9800, 'domestic', null],
    // Monaco is in France's VAT territory: French VAT, as at home, with a VAT ID or without
    [{ country: 'MC', vat_id: 'FR40303265045', siren: undefined }, 2000, 9800, 'domestic', null],
    [{ country: 'MC', vat_id: undefined, siren: undefined }, 2000, 9800, 'domestic', null],
    [{ country: 'DE', vat_id: 'DE136695976' }, 0, 0, 'reverse_charge', /Autoliquidation/],
    [{ country: 'DE', vat_id: undefined }, 1900, 9310, 'eu_no_vat_id', null],
    [{ country: 'US', vat_id: undefined }, 0, 0, 'outside_eu', /259-1/],
  ];
  for (const [where, rate, tax, treatment, mention] of cases) {
    const org = await join(srv.url, where);
    const c = new Client(srv.url);
    await c.signIn(org.email, org.password);
    const o = await c.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await card(CARD.number) });
    assert.equal(o.status, 201, JSON.stringify(o.body));
    assert.equal(o.body.tax_rate, rate, where.country);
    assert.equal(o.body.tax.amount_minor, tax === 9310 ? 9310 : tax, where.country);
    assert.equal(o.body.tax_treatment, treatment);
    if (where.country === 'US') assert.equal(o.body.total.currency, 'USD');
    const p = await c.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
    assert.equal(p.status, 200);
    const pdf = await fetch(`${srv.url}/api/v1/invoices/${p.body.invoice_id}/pdf`, { headers: { Cookie: c.cookie } });
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    const { ok, text } = pdfText(Buffer.from(await pdf.arrayBuffer()));
    assert.ok(ok, 'qpdf --check');
    if (mention) assert.match(text, mention);
    else assert.doesNotMatch(text, /Autoliquidation/);
  }
});

test('the invoice PDF carries what the law asks, in the partner language', async () => {
  const fr = await adminOf(srv.url);
  const [, p] = await buy(fr.client, await card(CARD.number));
  const res = await fetch(`${srv.url}/api/v1/invoices/${p.body.invoice_id}/pdf`, { headers: { Cookie: fr.client.cookie } });
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="facture-\d{4}-\d{6}\.pdf"$/, 'named in French');
  const { ok, text } = pdfText(Buffer.from(await res.arrayBuffer()));
  assert.ok(ok);
  const inv = (await fr.client.call('GET', `/api/v1/invoices/${p.body.invoice_id}`)).body;
  for (const want of [`Facture ${inv.number}`, 'Partnerd Programme SAS', 'FR11123456782', fr.org.partner.legal_name, 'FR40303265045', fr.org.partner.membership_id,
    "Date d'émission", 'Période de service', 'Total HT', 'TVA (20,00 %)', 'Total TTC', '588,00 €', '490,00 €', '98,00 €', '40 €', "trois fois le taux d'intérêt légal", 'RCS Paris'])
    assert.ok(text.includes(want), `the PDF lacks « ${want} »`);
  const en = await join(srv.url, { locale: 'en' });
  const c = new Client(srv.url);
  await c.signIn(en.email, en.password);
  const [, pe] = await buy(c, await card(CARD.number));
  const te = pdfText(Buffer.from(await (await fetch(`${srv.url}/api/v1/invoices/${pe.body.invoice_id}/pdf`, { headers: { Cookie: c.cookie } })).arrayBuffer())).text;
  for (const want of ['Invoice ', 'Total excl. VAT', 'VAT (20.00 %)', '€588.00', 'recovery costs', 'Paid by card (visa ending 4242)'])
    assert.ok(te.includes(want), `the English PDF lacks « ${want} »`);
});

test('invoice numbers follow each other without gaps; credit notes have their own series', async () => {
  const rows = sql(srv.db.url, "SELECT number FROM invoices WHERE type = 'invoice' ORDER BY number").split('\n');
  const byYear = {};
  for (const n of rows) (byYear[n.slice(0, 4)] ||= []).push(Number(n.slice(5)));
  for (const [year, seq] of Object.entries(byYear)) seq.forEach((n, i) => assert.equal(n, i + 1, `${year}: ${seq}`));
  const credits = sql(srv.db.url, "SELECT number FROM invoices WHERE type = 'credit_note' ORDER BY number").split('\n').filter(Boolean);
  credits.forEach((n, i) => assert.match(n, new RegExp(`^AV\\d{4}-0*${i + 1}$`)));
});

test('orders and invoices: roles and organisations', async () => {
  const a = await adminOf(srv.url);
  const b = await adminOf(srv.url);
  const [o, p] = await buy(a.client, await card(CARD.number));
  for (const path of [`/api/v1/orders/${o.id}`, `/api/v1/invoices/${p.body.invoice_id}`, `/api/v1/invoices/${p.body.invoice_id}/pdf`])
    assert.equal((await b.client.call('GET', path)).status, 404, path);
  assert.equal((await b.client.call('POST', `/api/v1/orders/${o.id}/purchase`, {})).status, 404);
  const acct = await memberOf(srv.url, a.client, ['account_admin']);
  assert.equal((await acct.client.call('GET', '/api/v1/orders')).status, 200);
  assert.equal((await acct.client.call('GET', '/api/v1/invoices')).status, 403);
  const bill = await memberOf(srv.url, a.client, ['billing_admin']);
  const list = await bill.client.call('GET', '/api/v1/invoices');
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.items[0].pdf, `/api/v1/invoices/${p.body.invoice_id}/pdf`);
});

test('an order keeps the price it was placed at', async () => {
  const a = await adminOf(srv.url);
  const o = await a.client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await card(CARD.number) });
  await op.client.call('PUT', '/api/v1/admin/offers/action-pack/prices/EUR', { amount_minor: 99000 });
  try {
    const p = await a.client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
    assert.equal(p.body.total.amount_minor, 58800);
    assert.equal(Number(ledgerSql(srv, `SELECT amount FROM gw_charges ORDER BY created_at DESC, rowid DESC LIMIT 1`)), 58800);
  } finally {
    await op.client.call('PUT', '/api/v1/admin/offers/action-pack/prices/EUR', { amount_minor: 49000 });
  }
});

test('a transfer dated before its order was placed starts the term on the order day, not before', async () => {
  await op.setClock('2027-05-10T09:00:00Z');
  const a = await adminOf(srv.url);
  const api = new Client(srv.url, { bearer: (await a.client.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  const [, p] = await buy(api, WIRE);
  const { reference } = p.body.payment_instructions;
  const r = await finance.call('POST', '/api/v1/admin/wire-transfers', { reference, amount_minor: 58800, currency: 'EUR', received_on: '2027-05-01' });
  assert.equal(r.body.status, 'matched');
  const sub = (await api.call('GET', `/api/v1/subscriptions/${p.body.subscription_id}`)).body;
  assert.deepEqual([sub.status, sub.starts_on, sub.expires_on], ['active', '2027-05-10', '2028-05-09']);
});

// last: after every change the tests above made to subscriptions
test("the dashboard's renewals due, kept per day, follow every change above: card and wire purchases, renewals by hand, wire orders expired", async () => {
  assert.ok(assertDayCountsKept(srv.db.url) > 0, 'subscriptions counted');
  const run = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  assert.equal(run.status, 200, JSON.stringify(run.body));
  assertDayCountsKept(srv.db.url, { folded: true });
});
