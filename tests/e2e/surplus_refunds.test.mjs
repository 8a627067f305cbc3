// surplus_refunds.test.mjs - a transfer allocated with its surplus refunded (865bd16), where it
// could go wrong: two clerks at once, the order cancelled afterwards, dollars, one file for
// the surplus and the cancellation of one order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, operatorClock, staffClient, wireOrder, sql } from './harness.mjs';

let srv, op, finance, support;
before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
  finance = await staffClient(srv, 'finance');
  support = await staffClient(srv, 'support');
});
after(async () => { await op?.setClock(null); await srv?.stop(); });

const record = (reference, amount, day, currency = 'EUR') =>
  finance.call('POST', '/api/v1/admin/wire-transfers', { reference, amount_minor: amount, currency, received_on: day });
const resolve = (id, body) => finance.call('POST', `/api/v1/admin/wire-transfers/${id}/resolution`, body);
const refundsOf = async (pred) => {
  const all = [];
  for (const s of ['to_pay', 'sent', 'paid']) all.push(...(await finance.call('GET', `/api/v1/admin/refunds?status=${s}&limit=100`)).body.items);
  return all.filter(pred);
};

test('two clerks allocate two overpaying transfers to one order at once: one wins, one surplus', async () => {
  const a = await wireOrder(srv.url, op, '2027-06-01');
  const t1 = (await record(a.reference, a.total + 100, '2027-06-01')).body;
  const t2 = (await record(a.reference, a.total + 200, '2027-06-01')).body;
  const outs = await Promise.all([t1, t2].map((t) => resolve(t.id, { action: 'allocate', order_id: a.order.id, refund_surplus: true })));
  assert.deepEqual(outs.map((o) => o.status).sort(), [200, 409], JSON.stringify(outs.map((o) => o.body)));
  const mine = await refundsOf((f) => f.order_id === a.order.id);
  assert.equal(mine.length, 1);
});

test('one transfer allocated to two orders at once: one surplus', async () => {
  const a = await wireOrder(srv.url, op, '2027-06-02');
  const b = await wireOrder(srv.url, op, '2027-06-02');
  const t = (await record('RF47PARTNERDUNKNOWN9', a.total + b.total, '2027-06-02')).body;
  const outs = await Promise.all([a, b].map((x) => resolve(t.id, { action: 'allocate', order_id: x.order.id, refund_surplus: true })));
  assert.deepEqual(outs.map((o) => o.status).sort(), [200, 409], JSON.stringify(outs.map((o) => o.body)));
  assert.equal((await refundsOf((f) => f.wire_transfer_id === t.id)).length, 1);
});

test('after a surplus: reopen and refund of the transfer are refused; the cancellation refunds the days only', async () => {
  const a = await wireOrder(srv.url, op, '2027-06-03');
  const t = (await record(a.reference, a.total + 999, '2027-06-03')).body;
  const d = await resolve(t.id, { action: 'allocate', order_id: a.order.id, refund_surplus: true });
  assert.equal(d.status, 200);
  assert.equal((await resolve(t.id, { action: 'reopen', note: 'x' })).status, 409);
  assert.equal((await resolve(t.id, { action: 'refund', note: 'x' })).status, 409);
  await op.setClock('2027-06-10T09:00:00Z');
  const sub = (await a.api.call('GET', `/api/v1/orders/${a.order.id}`)).body.subscription_id;
  const c = await a.api.call('POST', `/api/v1/subscriptions/${sub}/cancellation`, {});
  const res = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.ok(res.body.outcome.refund_total < a.total, JSON.stringify(res.body.outcome));
  const mine = await refundsOf((f) => f.order_id === a.order.id);
  assert.deepEqual(mine.map((f) => f.reason).sort(), ['cancellation', 'surplus']);
  assert.equal(mine.find((f) => f.reason === 'surplus').amount_minor, 999);
});

test('a dollar surplus: not in a SEPA file (euros only), paid by hand', async () => {
  const a = await wireOrder(srv.url, op, '2027-06-04', { country: 'US', vat_id: undefined, address: { line1: '1 Main St', postal_code: '10001', city: 'New York' }, locale: 'en' });
  assert.equal(a.order.total.currency, 'USD');
  const t = (await record(a.reference, a.total + 1, '2027-06-04', 'USD')).body;
  assert.equal(t.status, 'excess');
  const d = await resolve(t.id, { action: 'allocate', order_id: a.order.id, refund_surplus: true });
  assert.equal(d.status, 200, JSON.stringify(d.body));
  const f = d.body.surplus_refund;
  assert.equal(f.amount_minor, 1);
  const file = await finance.call('POST', '/api/v1/admin/transfer-files', { refunds: [{ id: f.id, iban: 'DE89370400440532013000' }] });
  assert.equal(file.status, 422, JSON.stringify(file.body));
  const paid = await finance.call('POST', `/api/v1/admin/refunds/${f.id}/paid`, { paid_on: '2027-06-04', reference: 'WIRE-1' });
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  assert.deepEqual([paid.body.reason, paid.body.currency, paid.body.invoice_number !== null], ['surplus', 'USD', true]);
  assert.equal((await finance.call('POST', `/api/v1/admin/refunds/${f.id}/paid`, { paid_on: '2027-06-04' })).status, 409);
});

test('one file pays a cancellation refund and a surplus of one order; each debit marks its own', async () => {
  const a = await wireOrder(srv.url, op, '2027-07-01');
  const t = (await record(a.reference, a.total + 4321, '2027-07-01')).body;
  const d = await resolve(t.id, { action: 'allocate', order_id: a.order.id, refund_surplus: true });
  await op.setClock('2027-07-05T09:00:00Z');
  const sub = (await a.api.call('GET', `/api/v1/orders/${a.order.id}`)).body.subscription_id;
  const c = await a.api.call('POST', `/api/v1/subscriptions/${sub}/cancellation`, {});
  const res = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal((await resolve(t.id, { action: 'reopen' })).status, 409);
  const iban = 'DE89370400440532013000';
  const file = await finance.call('POST', '/api/v1/admin/transfer-files', { refunds: [{ id: d.body.surplus_refund.id, iban }, { id: res.body.outcome.refund_id, iban }] });
  assert.equal(file.status, 201, JSON.stringify(file.body));
  assert.equal(file.body.control_sum_minor, 4321 + res.body.outcome.refund_total);
  const xml = (await finance.call('GET', file.body.download)).body;
  const said = [...xml.matchAll(/<Ustrd>([^<]*)<\/Ustrd>/g)].map((m) => m[1]);
  assert.equal(said.length, 2);
  assert.match(said[0], /^Remboursement du trop-percu facture /);
  assert.match(said[1], /^Remboursement avoir AV\S+ demande SR-/);
  const again = await finance.call('POST', '/api/v1/admin/transfer-files', { refunds: [{ id: d.body.surplus_refund.id, iban }] });
  assert.equal(again.status, 422);
});
