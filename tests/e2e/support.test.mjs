// support.test.mjs - support requests, and cancellation through them (issue 7).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { startServer, Client, join, memberOf, operatorClock, staffClient, ledgerSql, sql, readMails, cardPayment, assertDayCountsKept } from './harness.mjs';

let srv, op, support, supportId, supportEmail;
const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2035, cvc: '737', holder: 'Camille Martin' };
const WIRE = { method: 'wire', contact: { name: 'Paul Payer', phone: '+33 1 23 45 67 89', email: 'ap@org.example' } };

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
  support = await staffClient(srv, 'support');
  const me = (await support.call('GET', '/api/v1/me')).body.user;
  supportId = me.id;
  supportEmail = me.email;
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

/** POSTs a large body the way curl does (Expect: 100-continue): the body is sent only if
 * the server asks for it, so a refusal before reading (413) reaches the client. */
function postRaw(url, bearer, body) {
  return new Promise((ok, fail) => {
    const req = httpRequest(url, { method: 'POST', headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/pdf', 'Content-Length': body.length, Expect: '100-continue' } }, (res) => {
      res.resume();
      ok(res.statusCode);
      req.destroy();
    });
    req.on('continue', () => req.end(body));
    req.on('error', (e) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? null : fail(e)));
  });
}

/** A fresh organisation as a bearer client, optionally with a subscription bought on `day`. */
async function partner(day, payment) {
  if (day) await op.setClock(`${day}T09:00:00Z`);
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const api = new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  let subId = null;
  if (payment) {
    const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment });
    const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
    subId = p.body.subscription_id;
    if (payment.method === 'wire') {
      const f = await staffClient(srv, 'finance');
      const t = await f.call('POST', '/api/v1/admin/wire-transfers', { reference: p.body.payment_instructions.reference, amount_minor: 58800, currency: 'EUR', received_on: day });
      assert.equal(t.body.status, 'matched');
    }
  }
  return { api, org, subId };
}

test('the catalog carries the reference page labels, in French and English', async () => {
  const { api } = await partner();
  const fr = (await api.call('GET', '/api/v1/support/categories')).body.items;
  const cat = fr.find((c) => c.code === 'partner_center_issue');
  assert.equal(cat.label, "Signaler des problèmes avec l'Espace partenaires");
  const pt = cat.problem_types.find((p) => p.code === 'invoice_payment_reconciliation');
  assert.equal(pt.label, 'Aide concernant une facture, un paiement ou un fichier de rapprochement de partenaire');
  assert.equal(pt.labels.en, 'Help with a partner invoice, payment or reconciliation file');
  const en = await fetch(`${srv.url}/api/v1/support/categories`, { headers: { Authorization: `Bearer ${api.bearer}`, 'Accept-Language': 'en' } });
  assert.equal((await en.json()).items[0].label, 'Report problems with Partner Center');
});

test('a request: validated, numbered, listed by status, answered, assigned, resolved, reopened, closed', async () => {
  await op.setClock('2027-02-01T09:00:00Z');
  const { api } = await partner();
  const other = await partner();
  const bad = await api.call('POST', '/api/v1/support-requests', { title: '', description: 'x', category: 'nope', problem_type: 'x', extra: 1 });
  assert.equal(bad.status, 422);
  assert.deepEqual(Object.keys(bad.body.error.details.fields).sort(), ['category', 'extra', 'title']);
  const mismatch = await api.call('POST', '/api/v1/support-requests', { title: 'T', description: 'D', category: 'benefits', problem_type: 'invoice_payment_reconciliation' });
  assert.equal(mismatch.body.error.details.fields.problem_type, "ce type de problème n'appartient pas à cette catégorie");
  const r = await api.call('POST', '/api/v1/support-requests', { title: 'Facture introuvable', description: 'Je ne trouve pas ma facture de mars.', category: 'partner_center_issue', problem_type: 'invoice_payment_reconciliation' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.number, /^SR-\d{6}$/);
  assert.match(r.body.id, /^req_/);
  assert.equal(r.body.status, 'open');
  assert.equal(r.body.messages.length, 1);
  const id = r.body.id;
  assert.equal((await other.api.call('GET', `/api/v1/support-requests/${id}`)).status, 404, 'another organisation sees nothing');
  assert.equal((await other.api.call('POST', `/api/v1/support-requests/${id}/messages`, { body: 'hi' })).status, 404);
  assert.deepEqual((await api.call('GET', '/api/v1/support-requests?status=open')).body.items.map((x) => x.id), [id]);
  assert.equal((await api.call('GET', '/api/v1/support-requests?status=closed')).body.items.length, 0);
  assert.equal((await api.call('GET', '/api/v1/support-requests?status=bogus')).status, 400);
  assert.equal((await api.call('PATCH', `/api/v1/support-requests/${id}`, { status: 'closed' })).status, 403, 'partners do not change the status');

  const queue = (await support.call('GET', '/api/v1/support-requests?status=open&category=partner_center_issue')).body.items;
  assert.ok(queue.some((x) => x.id === id), 'in the staff queue');
  const answered = await support.call('POST', `/api/v1/support-requests/${id}/messages`, { body: 'Elle est dans Factures.' });
  assert.equal(answered.status, 201);
  assert.equal(answered.body.status, 'in_progress', 'a staff answer takes it in hand');
  assert.deepEqual(answered.body.messages.map((m) => m.from), ['partner', 'staff']);
  const assigned = await support.call('PATCH', `/api/v1/support-requests/${id}`, { assignee_id: supportId });
  assert.equal(assigned.body.assignee_id, supportId);
  assert.ok((await support.call('GET', `/api/v1/support-requests?assignee_id=${supportId}`)).body.items.some((x) => x.id === id));
  assert.equal((await support.call('PATCH', `/api/v1/support-requests/${id}`, { assignee_id: 'usr_nobody' })).status, 422);
  for (const body of [{ status: null }, { status: 'resolved', resolution: null }]) {
    const bad = await support.call('PATCH', `/api/v1/support-requests/${id}`, body);
    assert.equal(bad.status, 422, `${JSON.stringify(body)}: ${JSON.stringify(bad.body)}`);
    assert.deepEqual(Object.keys(bad.body.error.details.fields), Object.keys(body).filter((k) => body[k] === null));
  }
  assert.equal((await api.call('GET', `/api/v1/support-requests/${id}`)).body.status, 'in_progress', 'a null status changed nothing');
  const resolved = await support.call('PATCH', `/api/v1/support-requests/${id}`, { status: 'resolved' });
  assert.equal(resolved.body.status, 'resolved');
  await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  const mails = readMails(srv.mailDir).filter((m) => m.subject.startsWith(`Demande ${r.body.number}`));
  assert.ok(mails.some((m) => /Statut : en cours de traitement\.\n\nElle est dans Factures\./.test(m.text)), 'the partner hears of the answer');
  assert.ok(mails.some((m) => /Statut : résolue/.test(m.text)), 'and of the resolution');
  // the support staff are told of the new request with what it asks, in the text and the HTML
  const notice = readMails(srv.mailDir).find((m) => m.subject === `Demande ${r.body.number} d'un partenaire : Facture introuvable`);
  assert.ok(notice, 'the support staff are told');
  assert.match(notice.text, /a changé \(nouvelle demande\)\. Statut : ouverte\.\n\nJe ne trouve pas ma facture de mars\./);
  assert.match(notice.html, /<p>Je ne trouve pas ma facture de mars\.<\/p>/);
  // a message too long for an email is cut between two characters, and says so: « € » is
  // 3 bytes, so a cut at a fixed byte falls inside one (at 2 044 bytes as at 511)
  const long = '€'.repeat(3000);
  assert.equal((await api.call('POST', `/api/v1/support-requests/${id}/messages`, { body: long })).status, 201);
  await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  const cut = readMails(srv.mailDir).find((m) => m.text.includes('€€€€€€€€'));
  assert.ok(cut, 'the staff hear of the long message');
  assert.ok(!cut.text.includes('\uFFFD') && !cut.html.includes('\uFFFD'), 'no half character');
  assert.match(cut.text, /[^€]€{681}…/, 'the whole characters that fit, then « … »');
  // an address a partner typed is text in the staff's email, never a link to click (only
  // the links partnerd makes are)
  const typed = 'Payez ici : https://pay.example/facture?id=1&to=me';
  assert.equal((await api.call('POST', `/api/v1/support-requests/${id}/messages`, { body: typed })).status, 201);
  await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  const relayed = readMails(srv.mailDir).find((m) => m.text.includes('https://pay.example/facture?id=1&to=me'));
  assert.ok(relayed, 'the staff hear of the message');
  assert.ok(relayed.html.includes('https://pay.example/facture?id=1&amp;to=me'), relayed.html);
  assert.ok(!relayed.html.includes('<a '), relayed.html);
  // a change without a message leaves no empty paragraph, in the text or the HTML
  const done = mails.find((m) => /Statut : résolue/.test(m.text));
  assert.match(done.text, /Statut : résolue\.\n\nRetrouvez-la dans Support/);
  assert.match(done.html, /Statut : résolue\.<\/p><p>Retrouvez-la dans Support/);

  await op.setClock('2027-02-10T09:00:00Z');
  const reopened = await api.call('POST', `/api/v1/support-requests/${id}/reopen`, {});
  assert.equal(reopened.status, 200, JSON.stringify(reopened.body));
  assert.equal(reopened.body.status, 'open');
  await support.call('PATCH', `/api/v1/support-requests/${id}`, { status: 'resolved' });
  await op.setClock('2027-02-25T09:00:00Z');
  assert.equal((await api.call('POST', `/api/v1/support-requests/${id}/reopen`, {})).status, 409, 'not after 14 days');
  await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  assert.equal((await api.call('GET', `/api/v1/support-requests/${id}`)).body.status, 'closed', 'closed by the job');
  assert.equal((await api.call('POST', `/api/v1/support-requests/${id}/messages`, { body: 'encore' })).status, 409);
  assert.equal((await api.call('POST', `/api/v1/support-requests/${id}/attachments?filename=x.txt`, 'encore', { 'Content-Type': 'text/plain' })).status, 409, 'no file into a closed request');
});

// "Within 14 days" counts days of the business calendar (Europe/Paris), not 14 x 86 400
// seconds: across the end of summer time those end an hour early, on the day before.
test('a resolved request can be reopened for 14 calendar days across a daylight-saving change, and is closed after', async () => {
  const { api } = await partner('2027-10-20');
  const request = async () => {
    const r = await api.call('POST', '/api/v1/support-requests', { title: 'Heure', description: 'Changement d\'heure.', category: 'partner_center_issue', problem_type: 'invoice_payment_reconciliation' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  const resolve = async (id) => assert.equal((await support.call('PATCH', `/api/v1/support-requests/${id}`, { status: 'resolved' })).body.status, 'resolved');
  const status = async (id) => (await api.call('GET', `/api/v1/support-requests/${id}`)).body.status;
  // autumn: resolved 21 October 2027 at 00:30 in Paris (summer time); reopenable until
  // 4 November 00:30 (winter time)
  const autumn = await request();
  await op.setClock('2027-10-20T22:30:00Z');
  await resolve(autumn);
  await op.setClock('2027-11-03T23:15:00Z'); // 4 November, 00:15 in Paris
  await op.runJobs();
  assert.equal(await status(autumn), 'resolved', 'not closed before its 14 days');
  const reopened = await api.call('POST', `/api/v1/support-requests/${autumn}/reopen`, {});
  assert.equal(reopened.status, 200, JSON.stringify(reopened.body));
  // spring: resolved 20 March 2028 at 00:30 in Paris (winter time); reopenable until
  // 3 April 00:30 (summer time), not an hour more
  const spring = await request();
  await op.setClock('2028-03-19T23:30:00Z');
  await resolve(spring);
  await op.setClock('2028-04-02T22:45:00Z'); // 3 April, 00:45 in Paris
  assert.equal((await api.call('POST', `/api/v1/support-requests/${spring}/reopen`, {})).status, 409, 'not after its 14 days');
  await op.runJobs();
  assert.equal(await status(spring), 'closed', 'closed by the job once its 14 days are over');
});

// "10 000 caractères au plus", the form says: characters, as the partner counts them. A
// French text has accents, two bytes each, and was refused long before its 10 000th.
test('a request, a message and a cancellation take 10 000 characters, accents counting one each', async () => {
  const { api, subId } = await partner('2027-05-03', await cardPayment(srv.url, CARD));
  const text = (n) => 'Réf. été '.repeat(Math.ceil(n / 9)).slice(0, n); // 9 characters, 11 bytes
  assert.equal([...text(10000)].length, 10000);
  const r = await api.call('POST', '/api/v1/support-requests', { title: 'Relevé détaillé', description: text(10000), category: 'partner_center_issue', problem_type: 'invoice_payment_reconciliation' });
  assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
  assert.equal(r.body.description, text(10000), 'kept whole');
  const m = await api.call('POST', `/api/v1/support-requests/${r.body.id}/messages`, { body: text(10000) });
  assert.equal(m.status, 201, JSON.stringify(m.body).slice(0, 300));
  const c = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, { description: text(10000) });
  assert.equal(c.status, 201, JSON.stringify(c.body).slice(0, 300));
  // one more is too many, anywhere, and said in the partner's words
  const long = await api.call('POST', '/api/v1/support-requests', { title: 'Trop long', description: text(10001), category: 'partner_center_issue', problem_type: 'invoice_payment_reconciliation' });
  assert.equal(long.status, 422);
  assert.equal(long.body.error.details.fields.description, 'obligatoire, 10 000 caractères au plus');
  assert.equal((await api.call('POST', `/api/v1/support-requests/${r.body.id}/messages`, { body: text(10001) })).status, 422);
  assert.equal((await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, { description: text(10001) })).status, 422);
  assert.equal((await api.call('POST', `/api/v1/support-requests/${r.body.id}/messages`, { body: '' })).status, 422);
  // ended as every subscription of this file ends (the dashboard's test, last)
  assert.equal((await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate' })).status, 200);
});

test('attachments: PDF, PNG, JPEG, CSV, TXT up to 10 MiB, the type read from the bytes', async () => {
  const { api } = await partner();
  const other = await partner();
  const r = await api.call('POST', '/api/v1/support-requests', { title: 'Fichier', description: 'Voir pièce jointe', category: 'benefits', problem_type: 'cloud_credits' });
  const url = (name) => `${srv.url}/api/v1/support-requests/${r.body.id}/attachments?filename=${encodeURIComponent(name)}`;
  const up = (name, bytes, who = api) => fetch(url(name), { method: 'POST', headers: { Authorization: `Bearer ${who.bearer}`, 'Content-Type': 'application/octet-stream' }, body: bytes });
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 0x41), Buffer.from([0, 1, 2, 255])]);
  const ok = await up('relevé.pdf', pdf);
  assert.equal(ok.status, 201);
  const att = await ok.json();
  assert.equal(att.content_type, 'application/pdf');
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  assert.equal((await up('capture.png', png)).status, 201);
  assert.equal((await up('data.csv', Buffer.from('date,amount\n2027-01-01,1.00\n'))).status, 201);
  assert.equal((await up('fake.pdf', png)).status, 422, 'a PNG named .pdf');
  assert.equal((await up('tool.exe', Buffer.from('MZ\x90\x00\x03'))).status, 422);
  assert.equal((await up('notes.txt', Buffer.from([0x66, 0x00, 0x6f]))).status, 422, 'binary is not text');
  const big = await postRaw(url('big.pdf'), api.bearer, Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(10 * 1024 * 1024)]));
  assert.equal(big, 413, 'refused before it is read');
  assert.equal((await up('x.pdf', pdf, other.api)).status, 404, 'not into another organisation\'s request');
  const back = await fetch(`${srv.url}/api/v1/support-requests/${r.body.id}/attachments/${att.id}`, { headers: { Authorization: `Bearer ${api.bearer}` } });
  assert.equal(back.status, 200);
  assert.equal(back.headers.get('content-type'), 'application/pdf');
  // named as typed, in the form every browser reads (RFC 6266), after an ASCII fallback;
  // never raw UTF-8 bytes in a header (read as Latin-1 by the fetch API: « relevÃ©.pdf »)
  assert.equal(back.headers.get('content-disposition'), `attachment; filename="relev__.pdf"; filename*=UTF-8''relev%C3%A9.pdf`);
  assert.ok(Buffer.from(await back.arrayBuffer()).equals(pdf), 'the same bytes back');
  const seen = (await support.call('GET', `/api/v1/support-requests/${r.body.id}`)).body.attachments;
  assert.deepEqual(seen.map((a) => a.filename), ['relevé.pdf', 'capture.png', 'data.csv'], 'in the order they came');
});

test('cancellation now with a prorated refund: a credit note and one gateway refund; auto-renew off', async () => {
  const { api, subId } = await partner('2027-03-01', await cardPayment(srv.url, CARD));
  await op.setClock('2027-09-01T09:00:00Z');
  // asked from an English browser: the request is the French organisation's, in French
  const c = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {}, { 'Accept-Language': 'en' });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.match(c.body.title, /^Annuler l'abonnement : /, 'prefilled in the partner language');
  assert.deepEqual([c.body.category, c.body.problem_type, c.body.subscription_id, c.body.kind], ['partner_center_issue', 'invoice_payment_reconciliation', subId, 'cancellation']);
  const again = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
  assert.equal(again.status, 200);
  assert.equal(again.body.id, c.body.id, 'the request already open');
  // words typed in a second tab are kept on the open request, once however often sent
  const words = 'Nous quittons le programme à la fin du mois.';
  for (let i = 0; i < 2; i++) {
    const typed = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, { description: words });
    assert.equal(typed.status, 200);
    assert.equal(typed.body.id, c.body.id);
  }
  const kept = (await support.call('GET', `/api/v1/support-requests/${c.body.id}`)).body.messages;
  assert.deepEqual(kept.map((m) => m.body).filter((b) => b === words), [words], 'support reads them, once');
  const bad = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'someday', refund: 'yes' });
  assert.deepEqual(Object.keys(bad.body.error.details.fields).sort(), ['cancellation', 'refund']);
  const res = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: true, message: 'Annulé, remboursé au prorata.' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.messages.at(-1).body, /^Votre abonnement est annulé à compter du 1er septembre 2027 ; il ne sera pas renouvelé\. Remboursement au prorata des jours non utilisés : [\d\s ,]+€ TTC, sur la carte qui a payé l'abonnement \(avoir AV\d{4}-\d+\)\.\n\nAnnulé, remboursé au prorata\.$/);
  assert.equal(res.body.status, 'resolved');
  // 2027-03-01 .. 2028-02-29 is 366 days; 182 left from 2027-09-01: 49000 * 182 / 366 = 24366 before VAT
  assert.equal(res.body.outcome.refund_total, Math.round(Math.round(49000 * 182 / 366) * 1.2));
  const sub = (await api.call('GET', `/api/v1/subscriptions/${subId}`)).body;
  assert.deepEqual([sub.status, sub.auto_renew, sub.cancelled_on], ['cancelled', false, '2027-09-01']);
  const credit = (await api.call('GET', '/api/v1/invoices')).body.items.find((i) => i.type === 'credit_note');
  assert.equal(credit.total.amount_minor, -res.body.outcome.refund_total);
  assert.equal(ledgerSql(srv, 'SELECT COUNT(*) FROM gw_refunds'), '1', 'one refund at the gateway');
  assert.equal(sql(srv.db.url, `SELECT status FROM refunds WHERE request_id = '${c.body.id}'`), 'refunded');
  // the gateway's answer lost on its way back: the job asks again, and the same key refunds once
  sql(srv.db.url, `UPDATE refunds SET status = 'pending', gateway_refund_id = NULL WHERE request_id = '${c.body.id}'`);
  const run = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  assert.equal(run.body.jobs.find((j) => j.name === 'refund_retry').done, 1, JSON.stringify(run.body));
  assert.equal(sql(srv.db.url, `SELECT status FROM refunds WHERE request_id = '${c.body.id}'`), 'refunded');
  assert.equal(ledgerSql(srv, 'SELECT COUNT(*) FROM gw_refunds'), '1', 'still one refund at the gateway');
  assert.equal((await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: true })).status, 409, 'resolved once');
  assert.equal(ledgerSql(srv, 'SELECT COUNT(*) FROM gw_refunds'), '1');
  assert.equal((await api.call('PATCH', `/api/v1/subscriptions/${subId}`, { auto_renew: true })).status, 409);
  const audit = sql(srv.db.url, `SELECT COUNT(*) FROM audit_events WHERE action = 'subscription.cancelled' AND object_id = '${subId}'`);
  assert.equal(audit, '1');
});

test('cancellation at the end of the term: active until expiry, cancelled the day after, never renewed', async () => {
  const { api, subId } = await partner('2027-04-01', await cardPayment(srv.url, CARD));
  await op.setClock('2027-10-01T09:00:00Z');
  const c = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
  const res = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'end_of_term' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.outcome.effective_on, '2028-04-01');
  let sub = (await api.call('GET', `/api/v1/subscriptions/${subId}`)).body;
  assert.deepEqual([sub.status, sub.auto_renew], ['active', false]);
  // its offer tile said « Vous pourrez le renouveler à partir du 1er avril 2028 »: a renewal refused that day
  const tile = async (lang) => (await api.call('GET', '/api/v1/offers', undefined, { 'Accept-Language': lang })).body.items.find((t) => t.code === 'action-pack');
  assert.deepEqual([(await tile('fr')).state, (await tile('fr')).renewal.reason], ['active', 'cancelled']);
  assert.equal((await tile('fr')).message, "Actif jusqu'au 31 mars 2028, puis annulé à votre demande : il ne sera pas renouvelé.");
  assert.equal((await tile('en')).message, 'Active until 31 March 2028, then cancelled as you asked: it will not be renewed.');
  await op.setClock('2028-04-01T09:00:00Z');
  await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  sub = (await api.call('GET', `/api/v1/subscriptions/${subId}`)).body;
  assert.equal(sub.status, 'cancelled');
  // the partner is told what was done, not just « Statut : résolue »: in the request and by email
  const said = "Votre abonnement reste actif jusqu'au 31 mars 2028 inclus, puis est annulé ; il ne sera pas renouvelé.";
  assert.equal(res.body.messages.at(-1).body, said);
  assert.equal(res.body.messages.at(-1).from, 'staff');
  const mail = readMails(srv.mailDir).find((m) => m.subject === `Demande ${c.body.number} : ${c.body.title}`);
  assert.ok(mail?.text.includes(said), mail?.text);
  assert.equal(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE idempotency_key LIKE 'auto:${subId}:%'`), '0', 'never renewed');
});

test('a cancellation resolved, set back in progress by staff and resolved again: nothing cancelled or refunded twice, a clear 409', async () => {
  const { api, subId } = await partner('2027-03-01', await cardPayment(srv.url, CARD));
  await op.setClock('2027-09-01T09:00:00Z');
  const c = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
  const first = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const refundsBefore = ledgerSql(srv, 'SELECT COUNT(*) FROM gw_refunds');
  const credits = async () => (await api.call('GET', '/api/v1/invoices')).body.items.filter((i) => i.type === 'credit_note').length;
  assert.equal(await credits(), 1);
  await op.setClock('2027-09-03T09:00:00Z');
  const back = await support.call('PATCH', `/api/v1/support-requests/${c.body.id}`, { status: 'in_progress' });
  assert.equal(back.status, 200, JSON.stringify(back.body));
  for (const body of [{ cancellation: 'immediate', refund: true }, { cancellation: 'immediate' }, { cancellation: 'end_of_term' }]) {
    const again = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, body);
    assert.equal(again.status, 409, `${JSON.stringify(body)}: ${JSON.stringify(again.body)}`);
    assert.equal(again.body.error.code, 'subscription_cancelled');
    assert.equal(again.body.error.details.cancelled_on, '2027-09-01');
  }
  assert.equal(ledgerSql(srv, 'SELECT COUNT(*) FROM gw_refunds'), refundsBefore, 'refunded once');
  assert.equal(await credits(), 1, 'one credit note');
  assert.equal((await api.call('GET', `/api/v1/subscriptions/${subId}`)).body.cancelled_on, '2027-09-01', 'its date stays');
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM audit_events WHERE action = 'subscription.cancelled' AND object_id = '${subId}'`), '1');

  // an end-of-term cancellation not yet in effect may still be brought forward, refunded once
  const later = await partner('2027-04-01', await cardPayment(srv.url, CARD));
  await op.setClock('2027-10-01T09:00:00Z');
  const r2 = await later.api.call('POST', `/api/v1/subscriptions/${later.subId}/cancellation`, {});
  assert.equal((await support.call('POST', `/api/v1/support-requests/${r2.body.id}/resolution`, { cancellation: 'end_of_term' })).body.outcome.effective_on, '2028-04-01');
  await support.call('PATCH', `/api/v1/support-requests/${r2.body.id}`, { status: 'in_progress' });
  assert.equal((await support.call('POST', `/api/v1/support-requests/${r2.body.id}/resolution`, { cancellation: 'end_of_term' })).status, 409, 'the same end of term again is nothing new');
  // the console's summary reads the preview: it said « Rien à rembourser » for what was then refunded
  const preview = (await support.call('GET', `/api/v1/support-requests/${r2.body.id}/resolution-preview`)).body;
  assert.ok(preview.immediate.refund?.total.amount_minor > 0, JSON.stringify(preview));
  const forward = await support.call('POST', `/api/v1/support-requests/${r2.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal(forward.status, 200, JSON.stringify(forward.body));
  assert.equal(forward.body.outcome.effective_on, '2027-10-01');
  assert.equal(forward.body.outcome.refund_total, preview.immediate.refund.total.amount_minor);
  await support.call('PATCH', `/api/v1/support-requests/${r2.body.id}`, { status: 'in_progress' });
  const twice = await support.call('POST', `/api/v1/support-requests/${r2.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal(twice.status, 409);
  assert.equal(twice.body.error.code, 'subscription_cancelled');
});

test('two agents resolving one cancellation at the same time: one resolves it, the other is told 409', async () => {
  const other = await staffClient(srv, 'support');
  for (let i = 0; i < 5; i++) {
    const { api, subId } = await partner('2027-04-01', await cardPayment(srv.url, CARD));
    await op.setClock('2027-10-01T09:00:00Z');
    const c = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
    // on PostgreSQL both read the request open and the subscription not cancelled: the second
    // moved the date to the end of a term the first had just refunded
    const both = await Promise.all([
      support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: true }),
      other.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'end_of_term' }),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], JSON.stringify(both.map((r) => r.body)));
    const won = both.find((r) => r.status === 200), lost = both.find((r) => r.status === 409);
    assert.equal(lost.body.error.code, 'conflict');
    assert.equal(lost.body.error.details.status, 'resolved');
    assert.equal((await api.call('GET', `/api/v1/subscriptions/${subId}`)).body.cancelled_on, won.body.outcome.effective_on);
    assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM audit_events WHERE action = 'subscription.cancelled' AND object_id = '${subId}'`), '1');
  }
});

test('a wire-paid subscription cancelled with a refund leaves the refund to finance', async () => {
  const { api, subId } = await partner('2027-05-01', WIRE);
  await op.setClock('2027-06-01T09:00:00Z');
  const c = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
  const res = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.ok(res.body.outcome.refund_total > 0);
  assert.equal(res.body.outcome.refund_method, 'wire');
  const finance = await staffClient(srv, 'finance');
  const due = (await finance.call('GET', '/api/v1/admin/refunds?status=to_pay')).body.items.find((f) => f.id === res.body.outcome.refund_id);
  assert.ok(due, 'finance sees the refund to pay');
  assert.equal(due.amount_minor, res.body.outcome.refund_total);
  assert.equal(due.request_number, c.body.number);
  assert.match(due.credit_note_number, /^AV\d{4}-\d{6}$/);
  assert.equal((await finance.call('GET', '/api/v1/admin/refunds?status=someday')).status, 400);
  const bad = await finance.call('POST', `/api/v1/admin/refunds/${due.id}/paid`, { paid_on: '2027-13-01' });
  assert.equal(bad.status, 422);
  const paid = await finance.call('POST', `/api/v1/admin/refunds/${due.id}/paid`, { paid_on: '2027-06-03', reference: 'VIR-REMB-42' });
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  assert.deepEqual([paid.body.status, paid.body.paid_on, paid.body.reference], ['paid', '2027-06-03', 'VIR-REMB-42']);
  assert.equal((await finance.call('POST', `/api/v1/admin/refunds/${due.id}/paid`, { paid_on: '2027-06-03' })).status, 409, 'paid once');
  assert.equal((await finance.call('POST', '/api/v1/admin/refunds/rfd_none/paid', { paid_on: '2027-06-03' })).status, 404);
});

test('a refund credits the days it pays back: a wire transfer received after the Buy starts the term later than the invoice said', async () => {
  const { api } = await partner('2027-05-01');
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: WIRE });
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  const invoiceXml = (await api.call('GET', `/api/v1/invoices/${p.body.invoice_id}/xml`)).body;
  assert.match(invoiceXml, /<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20270501<.*?20280430</s, 'the invoice, written at Buy');
  await op.setClock('2027-05-12T09:00:00Z'); // the transfer comes 11 days later: the term starts then
  const f = await staffClient(srv, 'finance');
  const t = await f.call('POST', '/api/v1/admin/wire-transfers', { reference: p.body.payment_instructions.reference, amount_minor: 58800, currency: 'EUR', received_on: '2027-05-12' });
  assert.equal(t.body.status, 'matched');
  const sub = (await api.call('GET', `/api/v1/subscriptions/${p.body.subscription_id}`)).body;
  assert.deepEqual([sub.starts_on, sub.expires_on], ['2027-05-12', '2028-05-11']);
  await op.setClock('2028-03-01T09:00:00Z');
  const c = await api.call('POST', `/api/v1/subscriptions/${sub.id}/cancellation`, {});
  const res = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const credit = (await api.call('GET', `/api/v1/invoices/${res.body.outcome.credit_note_id}`)).body;
  // 2028-03-01 to 2028-05-11: 72 days of the term's 366, 49000 * 72 / 366 = 9639 before VAT
  assert.equal(credit.subtotal.amount_minor, -9639);
  const xml = (await api.call('GET', `/api/v1/invoices/${credit.id}/xml`)).body;
  assert.match(xml, /<ram:SpecifiedLineTradeSettlement>.*<ram:BillingSpecifiedPeriod><ram:StartDateTime><udt:DateTimeString format="102">20280301<\/udt:DateTimeString><\/ram:StartDateTime><ram:EndDateTime><udt:DateTimeString format="102">20280511</s,
    'the credit note credits the days refunded, to the end of the term paid for');
});

test('a cancellation cancels the wire orders still awaiting their transfer: a transfer arriving later pays for nothing', async () => {
  const finance = await staffClient(srv, 'finance');
  const pay = (reference, amount, day) => finance.call('POST', '/api/v1/admin/wire-transfers', { reference, amount_minor: amount, currency: 'EUR', received_on: day });
  const order = async (api, body) => {
    const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', payment: WIRE, ...body });
    const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
    assert.equal(p.body.status, 'awaiting_payment', JSON.stringify(p.body));
    return p.body;
  };
  const resolve = async (api, subId, refund) => {
    const c = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
    const r = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.outcome.wire_orders_cancelled, 1, 'support is told');
  };
  const invoices = async (api) => (await api.call('GET', '/api/v1/invoices')).body.items.map((i) => `${i.type} ${i.total.amount_minor}`).sort();

  // a purchase by wire, cancelled before its transfer came
  const a = await partner('2027-03-01');
  const bought = await order(a.api, { action: 'purchase' });
  await resolve(a.api, bought.subscription_id, true);
  assert.equal((await a.api.call('GET', `/api/v1/orders/${bought.id}`)).body.status, 'cancelled');
  assert.deepEqual(await invoices(a.api), ['credit_note -58800', 'invoice 58800'], 'its invoice credited');
  await op.setClock('2027-03-03T09:00:00Z');
  const late = await pay(bought.payment_instructions.reference, 58800, '2027-03-03');
  assert.equal(late.status, 201, JSON.stringify(late.body));
  assert.notEqual(late.body.status, 'matched', 'finance reviews it: nothing is bought with it');
  assert.equal((await a.api.call('GET', `/api/v1/orders/${bought.id}`)).body.status, 'cancelled');
  const s = (await a.api.call('GET', `/api/v1/subscriptions/${bought.subscription_id}`)).body;
  assert.equal(s.status, 'cancelled');

  // a renewal by wire, awaiting its transfer when the subscription is cancelled
  const b = await partner('2027-03-01', WIRE);
  await op.setClock('2028-03-02T09:00:00Z');
  const renewal = await order(b.api, { action: 'renewal', subscription_id: b.subId });
  await resolve(b.api, b.subId, false);
  assert.equal((await b.api.call('GET', `/api/v1/orders/${renewal.id}`)).body.status, 'cancelled');
  const t = await pay(renewal.payment_instructions.reference, renewal.total.amount_minor, '2028-03-02');
  assert.notEqual(t.body.status, 'matched');
  const after = (await b.api.call('GET', `/api/v1/subscriptions/${b.subId}`)).body;
  assert.deepEqual([after.status, after.expires_on], ['cancelled', '2028-02-29'], 'no new term');

  // each partner is told its order is cancelled and not to send the transfer, in its words
  await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  for (const [who, order] of [[a, bought], [b, renewal]]) {
    const mails = readMails(srv.mailDir).filter((m) => m.to === who.org.email && m.subject.startsWith('Commande annulée'));
    assert.equal(mails.length, 1, `${who.org.email}: ${mails.map((m) => m.subject)}`);
    assert.match(mails[0].text.replace(/[\u00a0\u202f]/g, ' '), /Votre abonnement est résilié : la commande qui attendait un virement de 588,00 € est annulée/);
    assert.match(mails[0].text, /N'envoyez pas ce virement/);
    const credit = (await who.api.call('GET', '/api/v1/invoices')).body.items.find((i) => i.type === 'credit_note' && i.order_id === order.id);
    assert.ok(credit && mails[0].text.includes(credit.number), 'the credit note named');
  }
});

test('the contact named to pay a wire order is told when a cancellation cancels it, not to send the transfer', async () => {
  const { api } = await partner('2027-03-01');
  // not Date.now(): 13 digits pass the Luhn check one time in ten, and an order's body
  // refuses anything that reads as a card number (card_data_refused)
  const payer = `payer-${randomBytes(6).toString('hex')}@accounts.example`;
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { ...WIRE, contact: { ...WIRE.contact, email: payer } } });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(p.body.status, 'awaiting_payment', JSON.stringify(p.body));
  const c = await api.call('POST', `/api/v1/subscriptions/${p.body.subscription_id}/cancellation`, {});
  assert.equal((await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: false })).status, 200);
  await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  const mails = readMails(srv.mailDir).filter((m) => m.to === payer);
  assert.ok(mails.some((m) => m.subject.startsWith('Facture')), 'given the payment instructions');
  const told = mails.filter((m) => m.subject.startsWith('Commande annulée'));
  assert.equal(told.length, 1, mails.map((m) => m.subject).join());
  assert.match(told[0].text, /N'envoyez pas ce virement/);
});

test('a cancellation waits while a card payment for the subscription is under way: no term on a cancelled subscription', async () => {
  const ALWAYS = { ...CARD, number: '4000 0027 6000 3184' }; // the bank asks every time
  const { api, subId } = await partner('2027-05-01', await cardPayment(srv.url, CARD));
  await op.setClock('2028-05-01T09:00:00Z'); // the renewal window's first day
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'renewal', subscription_id: subId, payment: await cardPayment(srv.url, ALWAYS) });
  const b = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(b.body.status, 'requires_action', JSON.stringify(b.body));
  const c = await api.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
  // the challenge is open: passed, it would renew what support cancels
  const busy = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: false });
  assert.equal(busy.status, 409, JSON.stringify(busy.body));
  assert.equal(busy.body.error.code, 'pending_payment');
  assert.equal(busy.body.error.details.order_id, o.body.id);
  assert.equal((await api.call('GET', `/api/v1/subscriptions/${subId}`)).body.status, 'renewal_window', 'nothing written');
  // the partner refuses the challenge: the order fails, and the cancellation goes through
  const r = await fetch(srv.url + b.body.next_action.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'decision=refuse' });
  assert.equal(r.status, 200);
  assert.equal((await api.call('GET', `/api/v1/orders/${o.body.id}`)).body.status, 'failed');
  const done = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: false });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  const s = (await api.call('GET', `/api/v1/subscriptions/${subId}`)).body;
  assert.deepEqual([s.status, s.expires_on], ['cancelled', '2028-04-30']);
  assert.equal(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE idempotency_key LIKE '${o.body.id}:%' AND status = 'succeeded'`).trim(), '0');
});

test('each side hears of the other: the author of a request, and the support staff', async () => {
  await op.setClock('2027-07-01T09:00:00Z');
  const { org } = await partner();
  const admin = new Client(srv.url);
  await admin.signIn(org.email, org.password);
  const author = await memberOf(srv.url, admin, ['account_admin']);
  const r = await author.client.call('POST', '/api/v1/support-requests', { title: 'Crédits cloud', description: 'Où sont mes crédits ?', category: 'benefits', problem_type: 'cloud_credits' });
  assert.equal(r.status, 201);
  await support.call('POST', `/api/v1/support-requests/${r.body.id}/messages`, { body: 'Dans Avantages.' });
  const file = await support.call('POST', `/api/v1/support-requests/${r.body.id}/attachments?filename=guide.txt`, 'Avantages > Azure', { 'Content-Type': 'text/plain' });
  assert.equal(file.status, 201);
  await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  const mails = readMails(srv.mailDir);
  const toPartner = mails.filter((m) => m.subject === `Demande ${r.body.number} : Crédits cloud`);
  assert.deepEqual(toPartner.map((m) => m.to), [author.email, author.email], 'the answer and the file go to who asked');
  assert.ok(toPartner.some((m) => /guide\.txt/.test(m.text)), 'the email names the file');
  const toStaff = mails.filter((m) => m.subject === `Demande ${r.body.number} d'un partenaire : Crédits cloud` && m.to === supportEmail);
  assert.equal(toStaff.length, 1, 'support hears of the new request once');
  // in words, not the code of the change: « a changé (opened) » in a French email
  assert.match(toStaff[0].text, /La demande SR-\d+ « Crédits cloud » a changé \(nouvelle demande\)\. Statut : ouverte\./);
});

// last: after every change the tests above made to subscriptions
test("the dashboard's renewals due, kept per day, follow every change above: cancellations now and at the end of the term", async () => {
  // every subscription above was counted once paid, and ended cancelled: what was kept for
  // each adds up to nothing
  assert.ok(Number(sql(srv.db.url, 'SELECT COUNT(*) FROM subscriptions WHERE paid = 1 AND cancelled_on IS NOT NULL')) >= 3);
  assert.equal(assertDayCountsKept(srv.db.url), 0);
  const run = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  assert.equal(run.status, 200, JSON.stringify(run.body));
  assertDayCountsKept(srv.db.url, { folded: true });
  assert.equal(sql(srv.db.url, 'SELECT COUNT(*) FROM subscription_day_counts'), '0', 'days folded to nothing leave no row');
});
