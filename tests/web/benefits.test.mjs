// benefits.test.mjs - the « Avantages » journey (issue 18) in French and English, at
// desktop and phone (390 px) width: benefits grouped as the reference page groups them,
// product keys activated and shown, a cloud subscription activated, the support form
// telling how many incidents are left, and the console's key pools and usage table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, journey, signIn, startServer } from './harness.mjs';

const PASSWORD = 'partnerd-demo-2027';
let srv, browser;

before(async () => {
  srv = await startServer({ demo: true, args: ['--no-jobs'] });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const GROUPS = {
  fr: ['Logiciels et services cloud', 'Support dédié', 'Ressources marketing et outils de planification', 'Formation axée sur le cloud'],
  en: ['Software and cloud services', 'Dedicated support', 'Marketing resources and planning tools', 'Cloud-focused training'],
};

/** A link of the menu; at phone width the menu is folded behind its button first. */
function menuLink(page, name) {
  return {
    async click() {
      const toggle = page.locator('#nav .menu-toggle');
      if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
      await page.getByRole('link', { name }).click();
    },
  };
}

/** Signs in as the demo's global admin, in lang, and opens « Avantages ». */
async function benefitsOf(f, lang) {
  await signIn(f.page, 'admin@contoso.example', PASSWORD);
  if (lang === 'en') await f.page.getByRole('button', { name: 'English' }).click();
  await menuLink(f.page, lang === 'en' ? 'Benefits' : 'Avantages').click();
  await f.page.getByRole('heading', { level: 1, name: lang === 'en' ? 'Benefits' : 'Avantages' }).waitFor();
}

const noSideScroll = async (page) => {
  const [scroll, inner, wide] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth,
    [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName}.${e.className}`).slice(0, 5)]);
  assert.ok(scroll <= inner + 1 && wide.length === 0, `horizontal scrolling: ${scroll} > ${inner}: ${wide}`);
};

test('« Avantages » in French at desktop width: activate keys and a cloud subscription', async () => {
  const f = await journey(browser, srv, 'benefits-fr-desktop');
  await benefitsOf(f, 'fr');
  const groups = await f.page.locator('section.benefit-group h2').allTextContents();
  assert.deepEqual(groups, GROUPS.fr);
  await f.shot('avantages');
  const windows = f.page.locator('article.benefit', { hasText: 'Windows Server 2022' });
  await windows.getByText('Disponible').waitFor();
  await windows.getByRole('button', { name: 'Obtenir les clés (1)' }).click();
  await f.page.locator('article.benefit', { hasText: 'Windows Server 2022' }).getByText('Activé').waitFor();
  await f.page.locator('article.benefit', { hasText: 'Windows Server 2022' }).getByRole('button', { name: 'Afficher les clés de produit' }).click();
  const key = await f.page.locator('article.benefit', { hasText: 'Windows Server 2022' }).locator('.key-list code').textContent();
  assert.match(key, /^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/);
  await f.shot('cles');
  const cloud = f.page.locator('article.benefit[data-kind="cloud_subscription"]');
  await cloud.getByLabel('Domaine du locataire client').fill('contoso.onmicrosoft.com');
  await cloud.getByLabel('Nombre de postes').fill('5');
  await cloud.getByRole('button', { name: 'Activer' }).click();
  await f.page.locator('article.benefit[data-kind="cloud_subscription"][data-state="activated"]').waitFor();
  await f.shot('cloud-active');
  // the support form says before sending that technical support uses an incident
  await f.page.goto('/support/nouvelle');
  await f.page.getByLabel('Catégorie').selectOption('technical');
  await f.page.getByText('Cette demande utilise un incident de support technique : il vous en reste 5.').waitFor();
  await f.shot('support-incident');
  await f.close();
});

test('« Benefits » in English at 390 px: grouped, readable, nothing scrolls sideways', async () => {
  const f = await journey(browser, srv, 'benefits-en-phone', { width: 390, height: 844, locale: 'en-GB' });
  await benefitsOf(f, 'en');
  assert.deepEqual(await f.page.locator('section.benefit-group h2').allTextContents(), GROUPS.en);
  await f.page.locator('article.benefit', { hasText: 'Office LTSC' }).getByText('Available').waitFor();
  await noSideScroll(f.page);
  await f.shot('benefits');
  await f.close();
});

test('« Avantages » in French at 390 px and « Benefits » in English at desktop width', async () => {
  const fr = await journey(browser, srv, 'benefits-fr-phone', { width: 390, height: 844 });
  await benefitsOf(fr, 'fr');
  assert.deepEqual(await fr.page.locator('section.benefit-group h2').allTextContents(), GROUPS.fr);
  await fr.page.locator('article.benefit[data-kind="support_incident"]').getByText('Restant').waitFor();
  await noSideScroll(fr.page);
  await fr.shot('avantages');
  await fr.close();
  const en = await journey(browser, srv, 'benefits-en-desktop', { locale: 'en-GB' });
  await benefitsOf(en, 'en');
  assert.deepEqual(await en.page.locator('section.benefit-group h2').allTextContents(), GROUPS.en);
  await en.shot('benefits');
  await en.close();
});

test('the console: key pools with their counts and threshold, usage per partner and product, CSV export', async () => {
  const f = await journey(browser, srv, 'benefits-console');
  await signIn(f.page, 'operator@partnerd.example', PASSWORD);
  await f.page.locator('.kpis').getByText('Stocks de clés bas').waitFor(); // the dashboard counts low pools
  await menuLink(f.page, 'Avantages et clés').click();
  await f.page.getByRole('heading', { name: 'Stocks de clés' }).waitFor();
  const pools = f.page.locator('table.data').first();
  await pools.getByRole('cell', { name: 'windows-server' }).waitFor();
  await f.page.getByText('Seuil de stock bas : moins de 10 clés libres.').waitFor();
  const usage = f.page.locator('table.data').nth(1);
  await usage.getByRole('cell', { name: 'office-ltsc' }).first().waitFor();
  const download = f.page.waitForEvent('download');
  await f.page.getByRole('link', { name: 'Exporter en CSV' }).click();
  const csv = await (await download).path();
  const { readFileSync } = await import('node:fs');
  assert.match(readFileSync(csv, 'utf8'), /^partner_id,partner,product,kind,name,granted,used\r\n/);
  await f.shot('console');
  await f.close();
});
