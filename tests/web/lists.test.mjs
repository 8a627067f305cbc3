// lists.test.mjs - the console's lists a page at a time (issue 20): « Partenaires » shows
// 50 organisations, « Charger plus » adds the next 50 below without a row twice, and the
// search box finds an organisation by name words, membership ID or VAT ID; at desktop and
// phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, journey, signIn, startServer, addStaff, sqlScript } from './harness.mjs';

let srv, browser, support;

before(async () => {
  srv = await startServer({ args: ['--no-jobs'] });
  browser = await launch();
  support = addStaff(srv.db, 'support');
  let script = 'BEGIN;\n';
  for (let i = 0; i < 120; i++) {
    const n = String(i).padStart(3, '0');
    script += `INSERT INTO partners (id, membership_id, legal_name, country, address_line1, postal_code, city, vat_id, locale, currency, created_at) VALUES ('ptn_list${n}', '${3000000 + i}', 'Atelier Numéro ${n}', 'FR', '1 rue', '75001', 'Paris', ${i === 7 ? "'FR40303265045'" : 'NULL'}, 'fr', 'EUR', ${1_600_000_000 + i});\n`;
  }
  sqlScript(srv.db.url, script + 'COMMIT;\n');
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const rows = (page) => page.locator('main table.data tbody tr');

for (const width of [1280, 390]) {
  test(`« Partenaires »: load more, then search, ${width} px`, async () => {
    const j = await journey(browser, srv, `console-lists-${width}`, { width, height: 860 });
    await signIn(j.page, support.email, support.password);
    await j.page.goto('/console/partenaires');
    await j.page.getByRole('heading', { level: 1, name: 'Partenaires' }).waitFor();
    await rows(j.page).nth(49).waitFor();
    assert.equal(await rows(j.page).count(), 50);
    assert.match(await rows(j.page).first().innerText(), /Atelier Numéro 119/); // newest first
    await j.shot('partenaires');
    await j.page.getByRole('button', { name: 'Charger plus' }).click();
    await rows(j.page).nth(99).waitFor();
    await j.page.getByRole('button', { name: 'Charger plus' }).click();
    await rows(j.page).nth(119).waitFor();
    const names = (await j.page.locator('main table.data tbody tr td:nth-child(2)').allInnerTexts()).filter((t) => t.startsWith('Atelier'));
    assert.equal(names.length, 120);
    assert.equal(new Set(names).size, 120, 'no organisation twice');
    assert.equal(await j.page.getByRole('button', { name: 'Charger plus' }).count(), 0, 'the last page has no button');

    const search = j.page.getByLabel('Nom, n° d’adhérent ou n° de TVA');
    await search.fill('numero 042');
    await j.page.getByRole('button', { name: 'Rechercher' }).click();
    await j.page.waitForURL(/q=numero/);
    await j.page.waitForFunction(() => document.querySelectorAll('main table.data tbody tr').length === 1);
    assert.match(await rows(j.page).first().innerText(), /Atelier Numéro 042/);
    await j.shot('recherche');
    await search.fill('3000077');
    await j.page.getByRole('button', { name: 'Rechercher' }).click();
    await j.page.waitForFunction(() => /Numéro 077/.test(document.querySelector('main table.data tbody')?.innerText || ''));
    assert.equal(await rows(j.page).count(), 1);
    await search.fill('FR 40 303 265 045');
    await j.page.getByRole('button', { name: 'Rechercher' }).click();
    await j.page.waitForFunction(() => /Numéro 007/.test(document.querySelector('main table.data tbody')?.innerText || ''));
    assert.equal(await rows(j.page).count(), 1);
    await j.close();
  });
}

test('« Virements »: each list shows its newest 200, « Charger plus » under it adds the next page', async () => {
  const finance = addStaff(srv.db, 'finance');
  let script = 'BEGIN;\n';
  for (let i = 0; i < 230; i++) {
    const n = String(i).padStart(3, '0');
    script += `INSERT INTO wire_transfers (id, reference, amount, currency, received_on, status, source, created_at) VALUES ('wtr_list${n}', 'VIRLIST${n}', 1000, 'EUR', '2020-09-13', 'unknown_reference', 'manual', ${1_600_000_000 + i});\n`;
  }
  sqlScript(srv.db.url, script + 'COMMIT;\n');
  const j = await journey(browser, srv, 'console-payments-more', { width: 1280, height: 860 });
  await signIn(j.page, finance.email, finance.password);
  await j.page.goto('/console/virements');
  await j.page.getByRole('heading', { level: 1 }).first().waitFor();
  const refs = () => j.page.locator('main table.data .reference').allInnerTexts().then((all) => all.filter((r) => r.startsWith('VIRLIST')));
  await j.page.getByText('VIRLIST229').waitFor(); // newest first
  assert.equal((await refs()).length, 200);
  assert.ok(!(await refs()).includes('VIRLIST029'));
  const more = j.page.getByRole('button', { name: 'Charger plus — Virements à examiner' });
  await more.click();
  await j.page.getByText('VIRLIST000').waitFor();
  const all = await refs();
  assert.equal(all.length, 230);
  assert.equal(new Set(all).size, 230, 'no transfer twice');
  assert.equal(await more.count(), 0, 'the last page has no button');
  await j.shot('virements');
  await j.close();
});
