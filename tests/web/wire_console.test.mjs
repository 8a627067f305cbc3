// wire_console.test.mjs - what a finance clerk meets on « Virements et remboursements » in
// their first weeks, in a real browser and in French: a transfer recorded by a hurried
// double click, an amount typed wrong then right, a statement refused after a good one.
// Each page is also looked at on a phone and audited (journey().shot).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, journey, signIn, startServer, operatorClock, addStaff, staffClient, wireOrder } from './harness.mjs';

let srv, op, browser, finance, fin;
before(async () => {
  srv = await startServer({ args: ['--test-clock', '--no-jobs'] });
  op = await operatorClock(srv);
  finance = addStaff(srv.db, 'finance');
  fin = await staffClient(srv, 'finance');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await op?.setClock(null);
  await srv?.stop();
});

const transfersOf = async (reference) =>
  (await fin.call('GET', '/api/v1/admin/wire-transfers?limit=200')).body.items.filter((w) => w.reference === reference);

/** Finance signed in, on the payments page. */
async function paymentsPage(name, options) {
  const f = await journey(browser, srv, name, options);
  await signIn(f.page, finance.email, finance.password);
  await f.page.getByRole('link', { name: 'Virements et remboursements' }).click();
  await f.page.getByRole('heading', { name: 'Commandes en attente de virement' }).waitFor();
  return f;
}

test('a double click on « Enregistrer » records the transfer once: nothing to review after', async () => {
  const a = await wireOrder(srv.url, op, '2027-03-01');
  const f = await paymentsPage('wire-double-click');
  const { page } = f;
  await page.locator('tr', { hasText: a.reference }).getByRole('button', { name: 'Enregistrer un virement reçu' }).click();
  await page.locator('#record-transfer').getByRole('button', { name: 'Enregistrer' }).dblclick();
  await page.getByText("Aucune commande n'attend de virement.").waitFor();
  await page.waitForTimeout(500); // a second answer, if a second request went
  assert.deepEqual((await transfersOf(a.reference)).map((w) => w.status), ['matched']);
  await page.getByText('Aucun virement à examiner.').waitFor();
  await f.shot('recorded-once');
  await f.close();
});

test('an amount typed wrong then right, a statement refused after a good one: no word of the earlier try stays', async () => {
  const a = await wireOrder(srv.url, op, '2027-03-01');
  const b = await wireOrder(srv.url, op, '2027-03-01');
  const f = await paymentsPage('wire-earlier-try', { answers: [422] });
  const { page } = f;
  const form = page.locator('#record-transfer');
  await page.locator('tr', { hasText: a.reference }).getByRole('button', { name: 'Enregistrer un virement reçu' }).click();
  await form.getByLabel('Montant').fill('588,OO');
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  await form.getByText('Montant : un montant positif, par exemple 588,00').waitFor();
  await form.getByLabel('Montant').fill('588,00');
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  await page.locator('tr', { hasText: a.reference }).waitFor({ state: 'detached' });
  assert.deepEqual((await transfersOf(a.reference)).map((w) => w.status), ['matched']);
  assert.equal(await form.getByText('un montant positif').count(), 0, 'the refusal of the first try is gone');
  assert.equal(await form.getByLabel('Montant').getAttribute('aria-invalid'), null);

  const statement = (body) => ({ name: 'releve.csv', mimeType: 'text/csv', buffer: Buffer.from(`date,amount,currency,reference\n${body}\n`) });
  await page.getByLabel('Relevé (camt.053 en XML, ou CSV : date,amount,currency,reference)').setInputFiles(statement(`2027-03-01,${(b.total / 100).toFixed(2)},EUR,${b.reference}`));
  await page.getByRole('button', { name: 'Importer' }).click();
  await page.getByText('1 virement(s), 1 rapproché(s), 0 déjà importé(s).').waitFor();
  await page.getByLabel('Relevé (camt.053 en XML, ou CSV : date,amount,currency,reference)').setInputFiles(statement('2027-02-30,12.00,EUR,RF00X'));
  await page.getByRole('button', { name: 'Importer' }).click();
  await page.getByText('rien n', { exact: false }).or(page.getByText('ligne 2 :', { exact: false })).first().waitFor();
  assert.equal(await page.getByText('1 virement(s), 1 rapproché(s)').count(), 0, 'the first file\'s outcome is not shown under the refusal of the second');
  await f.shot('refused-after-good');
  await f.close();
});

/** A camt.053.001.08 statement of the program's account: one credit per entry. */
const camt = (id, entries) => `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>MSG-${id}</MsgId><CreDtTm>2027-03-01T06:00:00</CreDtTm></GrpHdr><Stmt><Id>${id}</Id><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>
${entries.map((e, i) => `<Ntry><Amt Ccy="EUR">${e.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>${e.date}</Dt></BookgDt><ValDt><Dt>${e.date}</Dt></ValDt><AcctSvcrRef>B${id}-${i}</AcctSvcrRef><BkTxCd/><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><RltdPties><Dbtr><Pty><Nm>${e.name}</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>${e.iban}</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>${e.text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`).join('\n')}
</Stmt></BkToCstmrStmt></Document>`;

test('a transfer whose text names no order says who paid it, from which account, on the list to review', async () => {
  await op.setClock('2027-03-01T09:00:00Z');
  const f = await paymentsPage('wire-payer');
  const { page } = f;
  await page.getByLabel('Relevé (camt.053 en XML, ou CSV : date,amount,currency,reference)').setInputFiles({
    name: 'releve.xml', mimeType: 'application/xml',
    buffer: Buffer.from(camt('STMT-PAYER', [{ amount: '77.70', date: '2027-03-01', text: 'facture 123 merci', name: 'Dupont Conseil SARL', iban: 'FR7630001007941234567890185' }])),
  });
  await page.getByRole('button', { name: 'Importer' }).click();
  await page.getByText('1 virement(s), 0 rapproché(s)', { exact: false }).waitFor();
  const row = page.locator('tr', { hasText: '77,70' }).filter({ has: page.locator('summary', { hasText: 'Traiter' }) });
  await row.waitFor();
  // before: an empty reference, « Inconnu »: nothing to tell whose money it is
  await row.getByText('Aucune référence lue').waitFor();
  await row.getByText('Payé par Dupont Conseil SARL · FR76 3000 1007 9412 3456 7890 185').waitFor(); // the IBAN in groups of four
  // and what the payer wrote, kept on the transfer: still there once the page is loaded again
  await page.reload();
  await row.getByText('« facture 123 merci »').waitFor();
  const listed = (await fin.call('GET', '/api/v1/admin/wire-transfers?limit=200')).body.items.find((w) => w.amount_minor === 7770);
  assert.deepEqual(listed.payer, { name: 'Dupont Conseil SARL', iban: 'FR7630001007941234567890185' });
  await f.shot('payer-shown');
  await f.close();
});

test('« Rouvrir » is offered for a dismissal and a part payment, not for a transfer that paid its order', async () => {
  await op.setClock('2027-03-01T09:00:00Z');
  const paid = await wireOrder(srv.url, op, '2027-03-01');
  const part = await wireOrder(srv.url, op, '2027-03-01');
  const record = async (reference, amount_minor) =>
    (await fin.call('POST', '/api/v1/admin/wire-transfers', { reference, amount_minor, currency: 'EUR', received_on: '2027-03-01' })).body;
  const resolve = async (w, body) => {
    const r = await fin.call('POST', `/api/v1/admin/wire-transfers/${w.id}/resolution`, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const over = await record(paid.reference, paid.total + 1000);
  await resolve(over, { action: 'allocate', order_id: paid.order.id, refund_surplus: true });
  const some = await record(part.reference, 10000);
  await resolve(some, { action: 'allocate', order_id: part.order.id });
  const stray = await record('RF00 STRAY', 4200);
  await resolve(stray, { action: 'dismiss', note: 'essai de la banque' });
  const f = await paymentsPage('wire-reopen');
  const { page } = f;
  await page.getByRole('heading', { name: 'Virements traités' }).waitFor();
  assert.equal(await page.getByRole('button', { name: `Rouvrir ${paid.reference}` }).count(), 0, 'its allocation paid its order: final');
  await page.getByRole('button', { name: `Rouvrir ${part.reference}` }).waitFor();
  await page.getByRole('button', { name: 'Rouvrir RF00STRAY' }).click();
  await page.getByText('Virement remis à traiter.').waitFor();
  await page.locator('tr', { hasText: 'RF00STRAY' }).filter({ has: page.locator('summary', { hasText: 'Traiter' }) }).waitFor();
  await f.shot('reopen-offered');
  await f.close();
});

test("« Rembourser à l'émetteur » puts the whole transfer among the refunds to pay, under who paid it, ready for a transfer file", async () => {
  await op.setClock('2027-03-02T09:00:00Z');
  const f = await paymentsPage('wire-send-back');
  const { page } = f;
  await page.getByLabel('Relevé (camt.053 en XML, ou CSV : date,amount,currency,reference)').setInputFiles({
    name: 'releve.xml', mimeType: 'application/xml',
    buffer: Buffer.from(camt('STMT-BACK', [{ amount: '66.60', date: '2027-03-02', text: 'don', name: 'Martin Services', iban: 'DE89370400440532013000' }])),
  });
  await page.getByRole('button', { name: 'Importer' }).click();
  await page.getByText('1 virement(s), 0 rapproché(s)', { exact: false }).waitFor();
  // the import's own list says what the statement said of a transfer with no reference
  const imported = page.locator('tr', { hasText: '66,60' }).filter({ hasText: 'Aucune référence lue' }).filter({ hasText: 'Payé par Martin Services' });
  await imported.getByText('« don »').first().waitFor();
  const row = page.locator('tr', { hasText: '66,60' }).filter({ has: page.locator('summary', { hasText: 'Traiter' }) });
  await row.locator('summary', { hasText: 'Traiter' }).click();
  // the reason is asked for as the choice needs it: required to dismiss, optional otherwise
  const reason = row.locator('label', { hasText: 'Motif' });
  // never « Rembourser à l'émetteur » chosen for finance: an order to give it to if one
  // waits in its currency (earlier tests leave some), else nothing
  const waiting = (await fin.call('GET', '/api/v1/admin/orders/awaiting-payment?limit=100')).body.items.filter((o) => o.total.currency === 'EUR');
  assert.equal(await row.getByLabel('Décision').inputValue(), waiting.length ? 'allocate' : '');
  await row.getByLabel('Décision').selectOption('dismiss');
  assert.equal((await reason.innerText()).trim(), 'Motif');
  assert.equal(await row.getByLabel('Motif').evaluate((i) => i.required), true);
  await row.getByLabel('Décision').selectOption('refund');
  assert.equal((await reason.innerText()).trim(), 'Motif (facultatif)');
  assert.equal(await row.getByLabel('Motif').evaluate((i) => i.required), false);
  // what the choice does, said before it is made
  await row.getByText("Le virement entier va aux remboursements à payer, vers le compte qui l'a envoyé", { exact: false }).waitFor();
  await f.shot('send-back-choice');
  await row.getByRole('button', { name: 'Traiter' }).click();
  await page.getByText('Virement à rembourser. Remboursement à payer : 66,60\u00a0€.').waitFor();
  // among the refunds to pay, under the payer's name (no organisation), and in the form
  // that makes the transfer file, with the account the statement gave
  const refund = page.locator('tr', { hasText: 'Virement renvoyé' }).filter({ hasText: 'Payé par Martin Services' }).first();
  await refund.waitFor();
  assert.match(await refund.innerText(), /66,60/);
  // which transfer it returns: the day it came in (it quoted no reference)
  await refund.getByText('Reçu le 2 mars 2027').waitFor();
  await page.getByLabel('Payer Virement renvoyé', { exact: false }).first().waitFor();
  const listed = (await fin.call('GET', '/api/v1/admin/refunds?status=to_pay&limit=100')).body.items.find((r) => r.amount_minor === 6660);
  assert.deepEqual([listed.reason, listed.partner, listed.payer.name], ['transfer', null, 'Martin Services']);
  await f.shot('send-back-listed');
  await f.close();
});

test('a refund sent in a transfer file offers that file again: its refunds are in no other', async () => {
  await op.setClock('2027-03-03T09:00:00Z');
  const imported = await fin.call('POST', '/api/v1/admin/bank-statements/camt053',
    camt('STMT-AGAIN', [{ amount: '33.30', date: '2027-03-03', text: 'erreur', name: 'Petit SAS', iban: 'FR7630001007941234567890185' }]), { 'Content-Type': 'application/xml' });
  assert.equal(imported.status, 201, JSON.stringify(imported.body));
  const back = await fin.call('POST', `/api/v1/admin/wire-transfers/${imported.body.items[0].id}/resolution`, { action: 'refund' });
  assert.equal(back.status, 200, JSON.stringify(back.body));
  const made = await fin.call('POST', '/api/v1/admin/transfer-files', { refunds: [{ id: back.body.refund.id }] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const f = await paymentsPage('wire-file-again');
  const { page } = f;
  const row = page.locator('tr', { hasText: 'Virement renvoyé' }).filter({ hasText: 'Petit SAS' }).filter({ hasText: '33,30' });
  await row.getByText('Envoyé (fichier de virements)').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Télécharger à nouveau son fichier de virements' }).click()]);
  assert.equal(download.suggestedFilename(), `pain001-${made.body.id}.xml`);
  const xml = readFileSync(await download.path(), 'utf8');
  assert.match(xml, new RegExp(`<MsgId>${made.body.msg_id}</MsgId>`), 'the same file, not a new one');
  assert.match(xml, /<IBAN>FR7630001007941234567890185<\/IBAN>/);
  await f.shot('file-again');
  await f.close();
});

test('a transfer in dollars sent back is to mark paid by hand: the SEPA transfer file, in euros only, does not offer it', async () => {
  await op.setClock('2027-03-03T09:00:00Z');
  const usd = await fin.call('POST', '/api/v1/admin/wire-transfers', { reference: 'USD ORDER 9', amount_minor: 4321, currency: 'USD', received_on: '2027-03-03' });
  assert.equal(usd.status, 201, JSON.stringify(usd.body));
  const back = await fin.call('POST', `/api/v1/admin/wire-transfers/${usd.body.id}/resolution`, { action: 'refund' });
  assert.equal(back.status, 200, JSON.stringify(back.body));
  const f = await paymentsPage('wire-send-back-dollars');
  const { page } = f;
  const listed = page.locator('tr', { hasText: 'Virement renvoyé' }).filter({ hasText: '43,21' });
  await listed.getByRole('button', { name: 'Marquer payé' }).waitFor();
  assert.equal(await page.locator('#transfer-file tr', { hasText: '43,21' }).count(), 0, 'not offered in a file the bank would refuse');
  await f.shot('send-back-dollars');
  await f.close();
});

test('two transfers sent back: each box, IBAN field and « Marquer payé » says whose and how much, not only « Virement renvoyé »', async () => {
  await op.setClock('2027-03-04T09:00:00Z');
  for (const [reference, amount] of [['DON A', 1111], ['DON B', 2222]]) {
    const w = await fin.call('POST', '/api/v1/admin/wire-transfers', { reference, amount_minor: amount, currency: 'EUR', received_on: '2027-03-04' });
    assert.equal(w.status, 201, JSON.stringify(w.body));
    assert.equal((await fin.call('POST', `/api/v1/admin/wire-transfers/${w.body.id}/resolution`, { action: 'refund' })).status, 200);
  }
  const f = await paymentsPage('wire-send-back-names');
  const { page } = f;
  await page.getByRole('checkbox', { name: 'Payer Virement renvoyé, Inconnu, 11,11\u00a0€' }).waitFor();
  await page.getByRole('checkbox', { name: 'Payer Virement renvoyé, Inconnu, 22,22\u00a0€' }).waitFor();
  await page.getByRole('textbox', { name: 'IBAN (si aucun relevé ne le montre) Virement renvoyé, Inconnu, 22,22\u00a0€' }).waitFor();
  await page.getByRole('form', { name: 'Marquer payé Virement renvoyé, Inconnu, 11,11\u00a0€' }).waitFor();
  const names = await page.locator('#transfer-file input[type=checkbox]').evaluateAll((boxes) => boxes.map((b) => b.getAttribute('aria-label') || b.labels[0].textContent));
  assert.equal(new Set(names).size, names.length, `one name each: ${names.join(' | ')}`);
  await f.shot('send-back-names');
  await f.close();
});
