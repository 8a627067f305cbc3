// tour.test.mjs - every page of the portal and of the console, in French and in English,
// at desktop and at phone width (390 px), reached through the menu as a person would:
// no page wider than the phone, every menu entry on the screen, and axe-core finding no
// serious or critical accessibility violation (issue 17). The data behind the pages is
// made through the API first, so that every table and state has rows to show, including
// a transfer to review, a cancellation to resolve and a subscription still in the PMC.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, journey, signIn, startServer, operatorClock, addStaff, join, Client, importLegacy, axeViolations, assertPhoneFit, PHONE, cardPayment,
} from './harness.mjs';

const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2031, cvc: '737', holder: 'Camille Martin' };
let srv, op, browser, org, pmcOrg, cancelReq;
const staff = {};

before(async () => {
  srv = await startServer({ args: ['--test-clock', '--no-jobs'] });
  op = await operatorClock(srv);
  await op.setClock('2027-03-01T09:00:00Z');
  for (const role of ['support', 'finance', 'operator']) staff[role] = addStaff(srv.db, role);
  // an organisation with a card purchase, a pending wire purchase, a request and a cancellation
  org = await join(srv.url, { company: 'Contoso Conseil et Intégration Informatique SAS' });
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const api = new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 'web' })).body.token });
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  const bought = (await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {})).body;
  for (let i = 0; i < 2; i++) await api.call('POST', '/api/v1/certified-people', { name: `Personne ${i}`, email: `p${i}@contoso.example`, certification: 'Azure Administrator' });
  const w = await api.call('POST', '/api/v1/orders', { offer: 'silver-competency', action: 'purchase', payment: { method: 'wire', contact: { name: 'Paul Payeur', phone: '+33 1 23 45 67 89', email: 'compta@contoso.example' } } });
  await api.call('POST', `/api/v1/orders/${w.body.id}/purchase`, {});
  await api.call('POST', '/api/v1/support-requests', { title: 'Accès aux crédits cloud', description: 'Où trouver nos crédits ?', category: 'benefits', problem_type: 'cloud_credits' });
  cancelReq = (await api.call('POST', `/api/v1/subscriptions/${bought.subscription_id}/cancellation`, { description: 'Merci d\'annuler.' })).body.id;
  // a transfer nobody can match, for finance to review
  const fin = new Client(srv.url);
  await fin.signIn(staff.finance.email, staff.finance.password);
  await fin.call('POST', '/api/v1/admin/wire-transfers', { reference: 'RF00INCONNU', amount_minor: -(-12000), currency: 'EUR', received_on: '2027-03-01' });
  // a subscription still in the PMC
  pmcOrg = await join(srv.url);
  assert.equal(importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${pmcOrg.partner.membership_id},action-pack,2026-09-01,2027-08-31,true\n`).status, 0);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await op?.setClock(null);
  await srv?.stop();
});

/** Visits every entry of the menu by clicking it, at the journey's width, and looks at
 * each page: overflow and menu at phone width, axe at both. Returns the pages seen. */
async function tour(j, width) {
  const { page } = j;
  const phone = width === PHONE.width;
  const toggle = page.locator('#nav .menu-toggle');
  const hrefs = await page.locator('#nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length >= 5, hrefs.join(' '));
  for (const href of hrefs) {
    if (phone) {
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    }
    await page.locator(`#nav a[href="${href}"]`).click();
    await page.waitForURL((u) => u.pathname === href);
    await page.locator('main h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('main .notice.bad').count(), 0, `${href} shows an error: ${await page.locator('main').innerText()}`);
    if (phone) await assertPhoneFit(page, `${j.dir} ${href}`);
    assert.deepEqual(await axeViolations(page), [], `${j.dir} ${href}: accessibility`);
    await page.screenshot({ path: `${j.dir}/${href.replace(/\//g, '_') || 'home'}.png`, fullPage: true });
  }
  return hrefs;
}

/** The pages reached from a page's links rather than the menu. */
async function visit(j, path, width) {
  const { page } = j;
  await page.goto(path);
  await page.locator('main h1').first().waitFor();
  await page.waitForLoadState('networkidle');
  if (width === PHONE.width) await assertPhoneFit(page, `${j.dir} ${path}`);
  assert.deepEqual(await axeViolations(page), [], `${j.dir} ${path}: accessibility`);
  await page.screenshot({ path: `${j.dir}/${path.replace(/[/?=]/g, '_')}.png`, fullPage: true });
}

for (const lang of ['fr', 'en']) {
  for (const width of [1280, PHONE.width]) {
    test(`the partner's portal, every page, ${lang}, ${width} px`, async () => {
      const j = await journey(browser, srv, `tour-partner-${lang}-${width}`, { width, height: width === PHONE.width ? PHONE.height : 860 });
      await signIn(j.page, org.email, org.password);
      if (lang === 'en') {
        await j.page.getByRole('button', { name: 'English' }).click();
        await j.page.getByRole('heading', { name: 'Membership offers' }).waitFor();
      }
      const seen = await tour(j, width);
      for (const p of ['/offres', '/achete', '/factures', '/support', '/utilisateurs', '/profil', '/compte']) assert.ok(seen.includes(p), p);
      await visit(j, '/support/nouvelle', width);
      await visit(j, `/support/${cancelReq}`, width);
      await visit(j, '/commande/gold-competency', width);
      await j.close();
    });

    test(`the console, every page, ${lang}, ${width} px`, async () => {
      // the operator's menu holds every console page; finance and support see theirs in French
      for (const role of lang === 'fr' ? ['operator', 'finance', 'support'] : ['operator']) {
        const j = await journey(browser, srv, `tour-${role}-${lang}-${width}`, { width, height: width === PHONE.width ? PHONE.height : 860 });
        await signIn(j.page, staff[role].email, staff[role].password);
        if (lang === 'en') await j.page.getByRole('button', { name: 'English' }).click();
        await j.page.locator('main h1').first().waitFor();
        const seen = await tour(j, width);
        assert.ok(seen.includes('/console/pmc') && seen.includes('/console/partenaires'));
        if (role === 'operator') {
          assert.ok(seen.includes('/console/horloge') && seen.includes('/console/virements') && seen.includes('/console/support'));
          await visit(j, `/console/partenaires/${org.partner.id}`, width);
          await visit(j, `/console/support/${cancelReq}`, width);
        }
        await j.close();
      }
    });
  }
}
