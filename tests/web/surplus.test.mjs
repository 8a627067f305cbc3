// surplus.test.mjs - finance, in a real browser and in French, gives a transfer that paid
// more than its order owed to that order: the order is paid, and the surplus is listed
// among the refunds to pay, named by the invoice it overpaid. Each page is also looked at
// on a phone and audited (journey().shot).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, journey, signIn, startServer, operatorClock, addStaff, wireOrder } from './harness.mjs';

let srv, op, browser, finance;
before(async () => {
  srv = await startServer({ args: ['--test-clock', '--no-jobs'] });
  op = await operatorClock(srv);
  finance = addStaff(srv.db, 'finance');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await op?.setClock(null);
  await srv?.stop();
});

test('a transfer of 12,00 € too much pays its order, and the 12,00 € are to refund to the payer', async () => {
  const a = await wireOrder(srv.url, op, '2027-03-01');
  const invoice = (await a.api.call('GET', '/api/v1/invoices')).body.items[0];
  const major = (m) => `${Math.floor(m / 100)}.${String(m % 100).padStart(2, '0')}`;

  const f = await journey(browser, srv, 'surplus-refund', { answers: [422] }); // without the box first
  const { page } = f;
  await signIn(page, finance.email, finance.password);
  await page.getByRole('link', { name: 'Virements et remboursements' }).click();
  await page.getByLabel('Relevé (camt.053 en XML, ou CSV : date,amount,currency,reference)').setInputFiles({
    name: 'releve.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`date,amount,currency,reference\n2027-03-01,${major(a.total + 1200)},EUR,${a.reference}\n`),
  });
  await page.getByRole('button', { name: 'Importer' }).click();
  await page.getByText('1 virement(s), 0 rapproché(s), 0 déjà importé(s).').waitFor();
  const row = page.locator('tr', { hasText: a.reference }).filter({ has: page.locator('summary', { hasText: 'Traiter' }) });
  await row.waitFor();
  await row.locator('summary', { hasText: 'Traiter' }).click();
  // allocating is offered, to the order the reference names, the surplus refunded
  assert.equal(await row.getByLabel('Décision').inputValue(), 'allocate');
  assert.equal(await row.getByLabel('Commande').inputValue(), a.order.id);
  const box = row.getByLabel('Rembourser le trop-perçu au payeur');
  assert.equal(await box.isChecked(), true, 'checked for an excess transfer');
  // ticking it emails the partner (payment.surplus): finance is told before it does
  await row.getByText('le partenaire en est averti par e-mail').waitFor({ timeout: 5000 });
  await f.shot('allocate-excess');
  // unticked, the server refuses, and says why beside the order
  await box.uncheck();
  await row.getByRole('button', { name: 'Traiter' }).click();
  await row.getByText('remboursez le trop-perçu, ou le virement entier').waitFor();
  await box.check();
  await row.getByRole('button', { name: 'Traiter' }).click();
  await page.getByText('Virement affecté à la commande. La commande est payée et confirmée. Trop-perçu à rembourser : 12,00 €.').waitFor();
  const refund = page.locator('tr', { hasText: `Trop-perçu, facture ${invoice.number}` }).filter({ hasText: 'À payer (virement)' });
  await refund.waitFor();
  assert.match(await refund.innerText(), /12,00/);
  await f.shot('surplus-to-pay');
  await f.close();
  assert.equal((await a.api.call('GET', `/api/v1/orders/${a.order.id}`)).body.status, 'confirmed');
});
