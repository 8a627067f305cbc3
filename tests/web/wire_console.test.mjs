// wire_console.test.mjs - what a finance clerk meets on « Virements et remboursements » in
// their first weeks, in a real browser and in French: a transfer recorded by a hurried
// double click, an amount typed wrong then right, a statement refused after a good one.
// Each page is also looked at on a phone and audited (journey().shot).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
