// wire_allocations.test.mjs - transfers finance allocated to a wire order: what arrives next
// is matched against what the order still owes, and an order cancelled before it is paid in
// full gives the money allocated to it back to finance's review.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, operatorClock, staffClient, cli, importLegacy, wireOrder, readMails } from './harness.mjs';

const PART = 30000;

let srv, op, finance;

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  op = await operatorClock(srv);
  finance = await staffClient(srv, 'finance');
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

/** wireOrder(day), with PART of it received and allocated by finance: and part, the
 * transfer. */
async function partlyPaidOrder(day) {
  const { api, org, order, reference, total } = await wireOrder(srv.url, op, day);
  assert.ok(total > PART, `the offer costs more than ${PART}`);
  const part = await record(reference, PART, day);
  assert.equal(part.body.status, 'partial');
  const alloc = await finance.call('POST', `/api/v1/admin/wire-transfers/${part.body.id}/resolution`, { action: 'allocate', order_id: order.id });
  assert.equal(alloc.status, 200, JSON.stringify(alloc.body));
  assert.equal(alloc.body.order_status, 'awaiting_payment');
  assert.equal(alloc.body.to_review, false);
  return { api, org, order, reference, total, part: part.body };
}

const record = (reference, amount, day) =>
  finance.call('POST', '/api/v1/admin/wire-transfers', { reference, amount_minor: amount, currency: 'EUR', received_on: day });

/** The transfers recorded under reference, by id. */
async function transfers(reference) {
  const r = await finance.call('GET', `/api/v1/admin/wire-transfers?reference=${reference}`);
  assert.equal(r.status, 200);
  return new Map(r.body.items.map((t) => [t.id, t]));
}

/** The allocated part is back to review, saying why in both languages, and finance can
 * still refund it (or allocate it elsewhere). */
async function assertBackToReview(x) {
  const t = (await transfers(x.reference)).get(x.part.id);
  assert.equal(t.to_review, true, JSON.stringify(t));
  assert.equal(t.resolution, null);
  assert.equal(t.status, 'partial');
  assert.equal(t.order_id, x.order.id, 'it still names the order it was meant for');
  assert.equal(t.review_reason.code, 'order_cancelled');
  assert.match(t.review_reason.fr, /annulée/);
  assert.match(t.review_reason.en, /cancelled/);
  // it no longer counts towards the cancelled order: giving it back to it is refused
  const again = await finance.call('POST', `/api/v1/admin/wire-transfers/${t.id}/resolution`, { action: 'allocate', order_id: x.order.id });
  assert.equal(again.status, 409, JSON.stringify(again.body));
  const refund = await finance.call('POST', `/api/v1/admin/wire-transfers/${t.id}/resolution`, { action: 'refund', note: 'VIR-RETOUR-1' });
  assert.equal(refund.status, 200, JSON.stringify(refund.body));
  assert.equal(refund.body.resolution, 'refunded');
  assert.equal(refund.body.to_review, false);
  assert.equal(refund.body.review_reason, null);
}

test('(a) part allocated, then the order is cancelled at its due date: the part goes back to review', async () => {
  const x = await partlyPaidOrder('2027-03-01');
  // a transfer still to review before: not one finance had resolved, no reason given
  assert.equal((await transfers(x.reference)).get(x.part.id).review_reason, null);
  await op.setClock('2027-03-20T09:00:00Z');
  const r = cli(['jobs', 'run', '--db', srv.db.url], { env: { PARTNERD_GATEWAY_LEDGER: srv.ledger } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await x.api.call('GET', `/api/v1/orders/${x.order.id}`)).body.status, 'cancelled');
  const docs = (await x.api.call('GET', '/api/v1/invoices')).body.items;
  assert.deepEqual(docs.map((d) => `${d.type} ${d.total.amount_minor}`).sort(), [`credit_note -${x.total}`, `invoice ${x.total}`]);
  await assertBackToReview(x);
});

test('(b) part allocated, then the rest arrives: it is matched and confirms the order once', async () => {
  const x = await partlyPaidOrder('2027-04-01');
  await op.setClock('2027-04-03T09:00:00Z');
  // by a bank statement, as most transfers come
  const major = (m) => `${Math.floor(m / 100)}.${String(m % 100).padStart(2, '0')}`;
  const csv = `date,amount,currency,reference\n2027-04-03,${major(x.total - PART)},EUR,${x.reference}\n`;
  const imp = await finance.call('POST', '/api/v1/admin/bank-statements', csv);
  assert.equal(imp.status, 201, JSON.stringify(imp.body));
  assert.equal(imp.body.matched, 1);
  assert.equal(imp.body.items[0].status, 'matched');
  const order = (await x.api.call('GET', `/api/v1/orders/${x.order.id}`)).body;
  assert.equal(order.status, 'confirmed');
  assert.equal(order.paid_on, '2027-04-03', 'paid on the day the rest was received');
  // the same rest again pays nothing twice
  const twice = await record(x.reference, x.total - PART, '2027-04-03');
  assert.equal(twice.body.status, 'not_awaiting');
  const docs = (await x.api.call('GET', '/api/v1/invoices')).body.items;
  assert.deepEqual(docs.map((d) => `${d.type} ${d.status}`), ['invoice paid']);
  const subs = (await x.api.call('GET', '/api/v1/subscriptions')).body.items;
  assert.equal(subs.length, 1);
  assert.equal(subs[0].status, 'active');
  assert.equal(subs[0].starts_on, '2027-04-03');
  const all = await transfers(x.reference);
  assert.equal(all.get(x.part.id).resolution, 'allocated');
  assert.equal(all.get(x.part.id).to_review, false);
  assert.equal([...all.values()].filter((t) => t.status === 'matched').length, 1);
});

test('(c) part allocated, then the full total arrives: an overpayment kept for review, allocated with its surplus refunded', async () => {
  const x = await partlyPaidOrder('2027-05-03');
  const full = await record(x.reference, x.total, '2027-05-03');
  assert.equal(full.status, 201);
  assert.equal(full.body.status, 'excess');
  assert.equal((await x.api.call('GET', `/api/v1/orders/${x.order.id}`)).body.status, 'awaiting_payment');
  const t = (await transfers(x.reference)).get(full.body.id);
  assert.equal(t.to_review, true);
  assert.equal(t.resolution, null);
  // finance cannot allocate more than is owed: the 422 says what is
  const alloc = await finance.call('POST', `/api/v1/admin/wire-transfers/${t.id}/resolution`, { action: 'allocate', order_id: x.order.id });
  assert.equal(alloc.status, 422);
  assert.equal(alloc.body.error.details.owed_minor, x.total - PART);
  // less than what is left stays partial
  assert.equal((await record(x.reference, 100, '2027-05-03')).body.status, 'partial');
  // with the surplus refunded, the full total pays the rest: the part allocated before
  // counts, and only what is over the order's total goes back
  const paid = await finance.call('POST', `/api/v1/admin/wire-transfers/${t.id}/resolution`, { action: 'allocate', order_id: x.order.id, refund_surplus: true });
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  assert.equal(paid.body.order_status, 'confirmed');
  assert.equal(paid.body.surplus_refund.amount_minor, PART);
  assert.equal((await x.api.call('GET', `/api/v1/orders/${x.order.id}`)).body.status, 'confirmed');
  const refund = (await finance.call('GET', '/api/v1/admin/refunds?status=to_pay')).body.items.find((f) => f.id === paid.body.surplus_refund.id);
  assert.deepEqual([refund.reason, refund.amount_minor, refund.wire_transfer_id], ['surplus', PART, t.id]);
  // a transfer that matches exactly asks for no refund, refund_surplus or not
  const z = await wireOrder(srv.url, op, '2027-05-04');
  const stray = await record('RF47PARTNERDUNKNOWN2', z.total, '2027-05-04');
  const exact = await finance.call('POST', `/api/v1/admin/wire-transfers/${stray.body.id}/resolution`, { action: 'allocate', order_id: z.order.id, refund_surplus: true });
  assert.equal(exact.status, 200, JSON.stringify(exact.body));
  assert.deepEqual([exact.body.order_status, exact.body.surplus_refund], ['confirmed', undefined]);
  // said of another action, it is a mistake, and nothing is done
  const other = await record('RF47PARTNERDUNKNOWN3', 100, '2027-05-04');
  const wrong = await finance.call('POST', `/api/v1/admin/wire-transfers/${other.body.id}/resolution`, { action: 'dismiss', note: 'test', refund_surplus: true });
  assert.equal(wrong.status, 422, JSON.stringify(wrong.body));
  assert.match(wrong.body.error.details.fields.refund_surplus, /allocate/);
  assert.equal((await transfers('RF47PARTNERDUNKNOWN3')).get(other.body.id).to_review, true);
  // an order with nothing allocated still matches its total exactly, as before
  const y = await wireOrder(srv.url, op, '2027-05-04');
  assert.equal((await record(y.reference, y.total, '2027-05-04')).body.status, 'matched');
  assert.equal((await y.api.call('GET', `/api/v1/orders/${y.order.id}`)).body.status, 'confirmed');
});

test('finance reopens a mistaken allocation or dismissal; never a transfer that paid its order or was refunded', async () => {
  const resolve = (t, body, client = finance) => client.call('POST', `/api/v1/admin/wire-transfers/${t}/resolution`, body);
  // a transfer of an unknown reference, allocated by mistake to an order awaiting payment
  const x = await wireOrder(srv.url, op, '2027-07-01');
  const stray = await record('RF47PARTNERDUNKNOWN1', PART, '2027-07-01');
  assert.equal(stray.body.status, 'unknown_reference');
  assert.equal((await resolve(stray.body.id, { action: 'allocate', order_id: x.order.id })).status, 200);
  const back = await resolve(stray.body.id, { action: 'reopen', note: 'wrong order' });
  assert.equal(back.status, 200, JSON.stringify(back.body));
  assert.deepEqual([back.body.to_review, back.body.resolution, back.body.order_id, back.body.partner, back.body.order_status],
    [true, null, null, null, 'awaiting_payment'], 'to review again, its reference naming no order');
  assert.deepEqual((await resolve(stray.body.id, { action: 'reopen' })).body.to_review, true, 'twice: as it is');
  // the order owes all of it again: its full total matches and confirms it
  assert.equal((await record(x.reference, x.total, '2027-07-01')).body.status, 'matched');
  assert.equal((await x.api.call('GET', `/api/v1/orders/${x.order.id}`)).body.status, 'confirmed');
  // ... after which that allocation could not be taken back, nor the matched transfer
  const y = await partlyPaidOrder('2027-07-03');
  const rest = await record(y.reference, 100, '2027-07-03');
  assert.equal((await resolve(rest.body.id, { action: 'allocate', order_id: y.order.id })).body.order_status, 'awaiting_payment');
  const reopened = await resolve(y.part.id, { action: 'reopen' });
  assert.equal(reopened.body.order_id, y.order.id, 'its own reference names the order');
  assert.equal(reopened.body.status, 'partial');
  assert.equal(reopened.body.to_review, true);
  // what it paid is owed again: allocating it back completes nothing yet
  assert.equal((await resolve(y.part.id, { action: 'allocate', order_id: y.order.id })).body.order_status, 'awaiting_payment');
  const last = await record(y.reference, y.total - PART - 100, '2027-07-03');
  assert.equal(last.body.status, 'matched');
  const fr = new Client(srv.url, { bearer: finance.bearer, lang: 'fr' });
  for (const [t, was] of [[last.body.id, 'matched'], [y.part.id, 'allocated']]) {
    const r = await resolve(t, { action: 'reopen' }, fr);
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'transfer_not_reopenable');
    assert.equal(r.body.error.details.resolution, was);
    assert.match(r.body.error.message, /ne peut pas être rouvert/);
  }
  // a dismissal is taken back; a refund is not: the money went back to the payer
  const d = await record('RF47PARTNERDUNKNOWN2', 500, '2027-07-03');
  assert.equal((await resolve(d.body.id, { action: 'dismiss', note: 'test' })).body.resolution, 'dismissed');
  assert.equal((await resolve(d.body.id, { action: 'reopen' })).body.to_review, true);
  assert.equal((await resolve(d.body.id, { action: 'refund', note: 'VIR-1' })).body.resolution, 'refunded');
  const refunded = await resolve(d.body.id, { action: 'reopen' });
  assert.equal(refunded.status, 409);
  assert.equal(refunded.body.error.details.resolution, 'refunded');
  const audit = (await op.client.call('GET', '/api/v1/audit-events')).body.items.filter((e) => e.action === 'wire_transfer.reopened');
  const said = audit.find((e) => e.object_id === stray.body.id);
  assert.deepEqual([said?.details.was, said?.details.note], ['allocated', 'wrong order'], JSON.stringify(audit.slice(0, 2)));
});

test('a part allocated to a purchase the PMC import supersedes goes back to review too', async () => {
  const x = await partlyPaidOrder('2027-06-01');
  const r = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${x.org.partner.membership_id},action-pack,2026-07-01,2027-06-30,true\n`);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.equal((await x.api.call('GET', `/api/v1/orders/${x.order.id}`)).body.status, 'cancelled');
  await assertBackToReview(x);
  // the partner is told the order is no longer needed, and not to send the rest
  const run = cli(['jobs', 'run', '--db', srv.db.url], { env: { PARTNERD_GATEWAY_LEDGER: srv.ledger } });
  assert.equal(run.status, 0, run.stderr);
  const told = readMails(srv.mailDir).filter((m) => m.to === x.org.email && m.subject.startsWith('Commande annulée'));
  assert.equal(told.length, 1, told.map((m) => m.subject).join());
  assert.match(told[0].text, /repris ici : la commande qui attendait un virement de .* n'est plus nécessaire/);
});
