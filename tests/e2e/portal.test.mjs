// portal.test.mjs - the server side of issue 17, as a partner and a finance clerk notice
// it: invoices that say « Payée », a wire contact who gets the payment instructions,
// transfers finance can allocate, refund or dismiss, the console's page of a partner, the
// refund known before « Résoudre » and stated to the partner, tiles that tell a lapse or a
// payment being checked, revenue without VAT, the PMC import over an unpaid purchase or
// beside a Buy, and errors in French for a French caller.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { startServer, Client, adminOf as signedInAdmin, operatorClock, staffClient, readMails, importLegacy, sql, cardPayment, ledgerSql, partnerdProcess, PG } from './harness.mjs';

const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2035, cvc: '737', holder: 'Camille Martin' };
const TIMEOUT = { ...CARD, number: '4000 0000 0000 0119' };
const CONTACT = { name: 'Paul Payeur', phone: '+33 1 23 45 67 89', email: 'paul.payeur@compta.example' };
let srv, op, finance, support;

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
  finance = await staffClient(srv, 'finance');
  support = await staffClient(srv, 'support');
  await op.setClock('2027-03-01T09:00:00Z');
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

/** A fresh organisation whose admin calls with an API token (the clock moves far here). */
async function adminOf(base) {
  const { org, client } = await signedInAdmin(base);
  const token = (await client.call('POST', '/api/v1/api-tokens', { name: 'portal' })).body.token;
  return { org, client: new Client(base, { bearer: token }) };
}

const runJobs = () => op.runJobs();

async function buy(client, payment, offer = 'action-pack') {
  const o = await client.call('POST', '/api/v1/orders', { offer, action: 'purchase', payment });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  return (await client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {})).body;
}

const transfer = async (reference, amount_minor, received_on = '2027-03-01') =>
  (await finance.call('POST', '/api/v1/admin/wire-transfers', { reference, amount_minor, currency: 'EUR', received_on })).body;

test('invoices say « paid » with the day, a wire invoice once its transfer arrives, and a cancelled one says so', async () => {
  const { client } = await adminOf(srv.url);
  await buy(client, await cardPayment(srv.url, CARD));
  let [inv] = (await client.call('GET', '/api/v1/invoices')).body.items;
  assert.equal(inv.status, 'paid');
  assert.equal(inv.paid_on, '2027-03-01');
  const b = await adminOf(srv.url);
  const w = await buy(b.client, { method: 'wire', contact: CONTACT });
  [inv] = (await b.client.call('GET', '/api/v1/invoices')).body.items;
  assert.equal(inv.status, 'due');
  assert.equal(inv.paid_on, null);
  assert.equal((await transfer(w.payment_instructions.reference, w.total.amount_minor)).status, 'matched');
  [inv] = (await b.client.call('GET', '/api/v1/invoices')).body.items;
  assert.equal(inv.status, 'paid');
  assert.equal(inv.paid_on, '2027-03-01');
});

test('the payment instructions go to the wire contact named at checkout, and finance sees the contact', async () => {
  const { client, org } = await adminOf(srv.url);
  const w = await buy(client, { method: 'wire', contact: CONTACT });
  await runJobs();
  const mails = readMails(srv.mailDir).filter((m) => m.headers['x-partnerd-event'] === 'invoice.issued' && m.text.includes(w.payment_instructions.reference));
  assert.deepEqual(mails.map((m) => m.to).sort(), [CONTACT.email, org.email].sort(), 'the contact and the billing admin, once each');
  assert.ok(mails[0].text.includes('FR76 3000 6000 0112 3456 7890 189'), `the IBAN in groups of four, as a person copies it: ${mails[0].text}`);
  const awaiting = (await finance.call('GET', '/api/v1/admin/orders/awaiting-payment')).body.items.find((o) => o.id === w.id);
  assert.deepEqual(awaiting.payment.contact, CONTACT);
});

test('finance allocates two partial transfers to their order, which the second one pays', async () => {
  const { client } = await adminOf(srv.url);
  const w = await buy(client, { method: 'wire', contact: CONTACT });
  const total = w.total.amount_minor;
  const first = await transfer(w.payment_instructions.reference, 30000);
  assert.equal(first.status, 'partial');
  let listed = (await finance.call('GET', '/api/v1/admin/wire-transfers')).body.items.find((x) => x.id === first.id);
  assert.equal(listed.to_review, true);
  assert.equal(listed.partner.legal_name.endsWith('SARL'), true, 'the partner is shown');
  assert.equal(listed.order_reference, w.payment_instructions.reference);
  let r = await finance.call('POST', `/api/v1/admin/wire-transfers/${first.id}/resolution`, { action: 'allocate', order_id: w.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.resolution, 'allocated');
  assert.equal(r.body.order_status, 'awaiting_payment', 'not paid in full yet');
  // a second transfer under a mistyped reference: unknown, then allocated, completing it
  await op.setClock('2027-03-04T09:00:00Z');
  const second = await transfer('RF00TYPO', total - 30000, '2027-03-04');
  assert.equal(second.status, 'unknown_reference');
  assert.equal((await finance.call('GET', '/api/v1/admin/wire-transfers')).body.items.find((x) => x.id === second.id).partner, null);
  const tooMuch = await transfer('RF00TYPO2', total);
  r = await finance.call('POST', `/api/v1/admin/wire-transfers/${tooMuch.id}/resolution`, { action: 'allocate', order_id: w.id });
  assert.equal(r.status, 422);
  assert.ok(r.body.error.details.fields.order_id);
  r = await finance.call('POST', `/api/v1/admin/wire-transfers/${second.id}/resolution`, { action: 'allocate', order_id: w.id });
  assert.equal(r.body.order_status, 'confirmed');
  const order = (await client.call('GET', `/api/v1/orders/${w.id}`)).body;
  assert.equal(order.status, 'confirmed');
  assert.equal(order.paid_on, '2027-03-04', 'paid the day the money was complete');
  // resolved once: a second decision is refused
  r = await finance.call('POST', `/api/v1/admin/wire-transfers/${second.id}/resolution`, { action: 'dismiss', note: 'x' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'transfer_resolved');
  // the excess one is sent back; another is dismissed, with a reason only
  r = await finance.call('POST', `/api/v1/admin/wire-transfers/${tooMuch.id}/resolution`, { action: 'refund', note: 'VIR-RETOUR-0042' });
  assert.equal(r.body.resolution, 'refunded');
  const stray = await transfer('RF00AUTRE', 100);
  r = await finance.call('POST', `/api/v1/admin/wire-transfers/${stray.id}/resolution`, { action: 'dismiss' });
  assert.equal(r.status, 422);
  assert.ok(r.body.error.details.fields.note, 'a dismissal says why');
  r = await finance.call('POST', `/api/v1/admin/wire-transfers/${stray.id}/resolution`, { action: 'dismiss', note: 'Virement de test de la banque' });
  assert.equal(r.body.resolution_note, 'Virement de test de la banque');
  await op.setClock('2027-03-01T09:00:00Z');
  listed = (await finance.call('GET', '/api/v1/admin/wire-transfers')).body.items;
  assert.equal(listed.filter((x) => [first.id, second.id, tooMuch.id, stray.id].includes(x.id) && x.to_review).length, 0, 'nothing left hanging');
  const audit = (await op.client.call('GET', '/api/v1/audit-events')).body.items.filter((e) => e.action === 'wire_transfer.resolved');
  assert.ok(audit.length >= 4);
});

test("the console's page of a partner: subscriptions, orders, invoices, requests, and the audit for an operator", async () => {
  const { client, org } = await adminOf(srv.url);
  await buy(client, await cardPayment(srv.url, CARD));
  await client.call('POST', '/api/v1/support-requests', { title: 'Question', description: 'Bonjour', category: 'benefits', problem_type: 'training' });
  const page = (await support.call('GET', `/api/v1/admin/partners/${org.partner.id}`)).body;
  assert.equal(page.partner.legal_name, org.partner.legal_name);
  assert.equal(page.subscriptions.length, 1);
  assert.equal(page.orders.length, 1);
  assert.equal(page.invoices[0].status, 'paid');
  assert.equal(page.requests[0].title, 'Question');
  assert.equal(page.audit, null, 'the audit trail is an operator\'s');
  const asOp = (await op.client.call('GET', `/api/v1/admin/partners/${org.partner.id}`)).body;
  assert.ok(asOp.audit.some((e) => e.action === 'order.confirmed'));
  assert.equal((await support.call('GET', '/api/v1/admin/partners/ptn_none')).status, 404);
});

test('support knows the refund before « Résoudre », and the partner reads the amount refunded', async () => {
  const { client } = await adminOf(srv.url);
  const bought = await buy(client, await cardPayment(srv.url, CARD));
  await op.setClock('2027-09-01T09:00:00Z');
  const req = await client.call('POST', `/api/v1/subscriptions/${bought.subscription_id}/cancellation`, { description: 'Nous arrêtons, merci.' });
  assert.equal(req.status, 201, JSON.stringify(req.body));
  assert.equal(req.body.description, 'Nous arrêtons, merci.', "the partner's own words");
  assert.doesNotMatch(req.body.title, /sub_/);
  const preview = (await support.call('GET', `/api/v1/support-requests/${req.body.id}/resolution-preview`)).body;
  assert.equal(preview.immediate.effective_on, '2027-09-01');
  assert.equal(preview.immediate.refund.method, 'card');
  assert.ok(preview.immediate.refund.total.amount_minor > 0);
  assert.equal(preview.end_of_term.effective_on, '2028-03-01');
  const done = (await support.call('POST', `/api/v1/support-requests/${req.body.id}/resolution`, { cancellation: 'immediate', refund: true, message: 'Bonne continuation.' })).body;
  assert.equal(done.outcome.refund_total, preview.immediate.refund.total.amount_minor, 'what was shown is what was refunded');
  const seen = (await client.call('GET', `/api/v1/support-requests/${req.body.id}`)).body;
  const last = seen.messages.at(-1).body;
  assert.match(last, new RegExp(`Remboursement au prorata des jours non utilisés : ${preview.immediate.refund.total.formatted.replace(/\s/g, '\\s')} TTC, sur la carte`));
  assert.match(last, /Bonne continuation\./);
  await op.setClock('2027-03-01T09:00:00Z');
});

test('a lapsed subscription: the tile says so, and there is nothing left to cancel', async () => {
  const { client } = await adminOf(srv.url);
  const bought = await buy(client, await cardPayment(srv.url, CARD));
  await client.call('PATCH', `/api/v1/subscriptions/${bought.subscription_id}`, { auto_renew: false });
  await op.setClock('2028-04-15T09:00:00Z'); // expired 2028-02-29, window closed 2028-03-30
  const tile = (await client.call('GET', '/api/v1/offers')).body.items.find((o) => o.code === 'action-pack');
  assert.equal(tile.state, 'buy');
  assert.equal(tile.lapsed, true);
  assert.match(tile.message, /s'est terminée le 30 mars 2028/);
  const r = await client.call('POST', `/api/v1/subscriptions/${bought.subscription_id}/cancellation`, {});
  assert.equal(r.status, 409);
  await op.setClock('2027-03-01T09:00:00Z');
});

test('a card payment whose answer was lost: the tile waits instead of offering Buy, and the card is not saved', async () => {
  const { client } = await adminOf(srv.url);
  const o = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, TIMEOUT) });
  const p = await client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(p.body.error.code, 'payment_unknown');
  const tile = (await client.call('GET', '/api/v1/offers')).body.items.find((x) => x.code === 'action-pack');
  assert.equal(tile.state, 'pending_payment');
  assert.match(tile.message, /vérification auprès de la banque/);
  const again = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  assert.equal(again.body.error.code, 'pending_payment');
  await op.setClock('2027-03-01T09:05:00Z');
  await runJobs(); // the recovery job finds the charge went through
  assert.equal((await client.call('GET', `/api/v1/orders/${o.body.id}`)).body.status, 'confirmed');
  assert.equal((await client.call('GET', '/api/v1/payment-method')).body.card, null, 'a card that did not answer is not kept');
  await op.setClock('2027-03-01T09:00:00Z');
});

test('the dashboard counts revenue before VAT', async () => {
  const before = (await op.client.call('GET', '/api/v1/admin/dashboard')).body.revenue.find((r) => r.month === '2027-03' && r.currency === 'EUR')?.amount_minor || 0;
  const { client } = await adminOf(srv.url);
  const b = await buy(client, await cardPayment(srv.url, CARD));
  const after = (await op.client.call('GET', '/api/v1/admin/dashboard')).body.revenue.find((r) => r.month === '2027-03' && r.currency === 'EUR').amount_minor;
  assert.equal(after - before, b.subtotal.amount_minor, 'the price without its VAT');
  assert.notEqual(b.subtotal.amount_minor, b.total.amount_minor);
});

test('import-legacy takes a company whose only Action Pack order was never paid, and credits that order', async () => {
  const { client, org } = await adminOf(srv.url);
  const w = await buy(client, { method: 'wire', contact: CONTACT });
  const r = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${org.partner.membership_id},action-pack,2026-09-01,2027-08-31,true\n`);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.equal((await client.call('GET', `/api/v1/orders/${w.id}`)).body.status, 'cancelled');
  const subs = (await client.call('GET', '/api/v1/subscriptions')).body.items.filter((s) => s.status !== 'cancelled');
  assert.deepEqual(subs.map((s) => s.managed_in), ['pmc']);
  const invoices = (await client.call('GET', '/api/v1/invoices')).body.items;
  assert.ok(invoices.some((i) => i.type === 'credit_note'), 'the unpaid invoice is credited');
  assert.equal(invoices.find((i) => i.type === 'invoice').status, 'cancelled');
});

/** import-legacy of csv as a process in the background (partnerdProcess options). */
async function importInBackground(csv, options) {
  const dir = mkdtempSync(joinPath(tmpdir(), 'partnerd-csv-'));
  const file = joinPath(dir, 'pmc.csv');
  writeFileSync(file, csv);
  try {
    return await partnerdProcess(['import-legacy', '--db', srv.db.url, file], options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pmcLine = (org) => `membership_id,offer,starts_on,expires_on,auto_renew\n${org.partner.membership_id},action-pack,2026-09-01,2027-08-31,true\n`;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

test('a Buy while import-legacy writes the same offer: the Buy waits, then refuses; one subscription, nothing charged', async () => {
  const { client, org } = await adminOf(srv.url);
  const o = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  // the import has checked the file and waits before writing; the partner clicks Buy then. On
  // PostgreSQL the Buy is seen waiting for a lock (on SQLite every writer waits its turn)
  let bought, waited;
  const lockWaits = () => Number(sql(srv.db.url, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"));
  const run = await importInBackground(pmcLine(org), {
    env: { PARTNERD_FAULT_PAUSE: 'legacy.checked=1500' },
    onStderr: (all) => {
      if (bought || !all.includes('paused at legacy.checked')) return;
      bought = client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
      waited = (async () => {
        for (let i = 0; i < 10; i++) if ((await sleep(100), PG && lockWaits() > 0)) return true;
        return false;
      })();
    },
  });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.ok(bought, 'the import paused after its checks');
  const b = await bought;
  if (PG) assert.ok(await waited, 'the Buy waited for the import\'s lock');
  assert.deepEqual([b.status, b.body.error?.code], [409, 'already_subscribed'], JSON.stringify(b.body));
  const charged = ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE idempotency_key LIKE '${o.body.id}:%' AND status = 'succeeded'`);
  const live = (await client.call('GET', '/api/v1/subscriptions')).body.items.filter((x) => x.status !== 'cancelled');
  assert.deepEqual([charged, live.map((x) => x.managed_in)], ['0', ['pmc']], 'the PMC\'s subscription alone, nothing charged');
  assert.equal(b.body.error.details.subscription_id, live[0].id, 'the Buy names the imported subscription');
});

test('import-legacy while a card payment of the offer is under way: the line is refused; the payment settles; one subscription', async () => {
  // a second server on the same database whose Buys wait between their attempt and the charge
  const paused = await startServer({ args: ['--no-jobs', '--test-clock'], db: srv.db, ledger: srv.ledger, env: { PARTNERD_FAULT_PAUSE: 'buy.attempted=3000' } });
  try {
    const { client, org } = await adminOf(paused.url);
    const o = await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(paused.url, CARD) });
    assert.equal(o.status, 201, JSON.stringify(o.body));
    const buying = client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
    for (let i = 0; i < 100 && !paused.stderr().includes('paused at buy.attempted'); i++) await sleep(20);
    assert.match(paused.stderr(), /paused at buy\.attempted/);
    const during = importLegacy(srv.db, pmcLine(org));
    assert.equal(during.status, 1, during.stdout);
    assert.match(during.stderr, /line 2: offer: the partner is paying for this offer by card/);
    const b = await buying;
    assert.equal(b.body.status, 'confirmed', JSON.stringify(b.body));
    const after = importLegacy(srv.db, pmcLine(org));
    assert.match(after.stderr, /already has a live subscription/, 'once paid, the line is refused as any other');
    const live = (await client.call('GET', '/api/v1/subscriptions')).body.items.filter((x) => x.status !== 'cancelled');
    assert.deepEqual(live.map((x) => x.managed_in), ['partner_center'], 'one subscription, the one paid for');
  } finally {
    await paused.stop();
  }
});

test('a French caller reads every error and field problem in French', async () => {
  // the catalog's English wordings of errors and field problems
  const def = readFileSync('src/core/messages.def', 'utf8');
  const english = [...def.matchAll(/MSG\((ERR|FIELD)_\w+,\s*"(?:[^"\\]|\\.)*",\s*"((?:[^"\\]|\\.)*)"\)/g)].map((m) => m[2]).filter((t) => t.length > 3);
  assert.ok(english.length > 60);
  const fr = new Client(srv.url, { lang: 'fr' });
  const answers = [
    await fr.call('POST', '/api/v1/partners', { company: '', country: 'XX', address: {}, admin: { email: 'nope', password: 'short' }, surprise: 1 }),
    await fr.call('POST', '/api/v1/sessions', { email: 'nobody@x.example', password: 'wrong password' }),
    await fr.call('GET', '/api/v1/offers'),
  ];
  const { client } = await adminOf(srv.url);
  client.lang = 'fr';
  answers.push(await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'card', card: CARD } }));
  answers.push(await client.call('POST', '/test-gateway/v1/tokens', { card: { ...CARD, number: '1234', cvc: 'x', exp_month: 13 } }));
  answers.push(await client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'wire', contact: { name: 'x'.repeat(300), phone: 'abc', email: 'no' } } }));
  answers.push(await client.call('POST', '/api/v1/support-requests', { title: '', description: '', category: 'x', problem_type: 'y' }));
  finance.lang = 'fr';
  answers.push(await finance.call('POST', '/api/v1/admin/wire-transfers', { reference: '', amount_minor: -1, currency: 'ZZZ', received_on: 'demain' }));
  finance.lang = null;
  const texts = answers.flatMap((a) => [a.body.error.message, ...Object.values(a.body.error.details?.fields || {})]);
  assert.ok(texts.length >= 15, texts.join(' | '));
  for (const text of texts) {
    assert.ok(!english.includes(text), `English in a French answer: ${text}`);
    assert.doesNotMatch(text, /\b(must|not a valid|characters|required|one of|is not)\b/, text);
  }
});
