// referrals.test.mjs - the directory and a referral in a real browser, at phone width, in
// French and in English (issue 19): a customer searches, opens a partner, sends a request,
// confirms it from the email file; the partner accepts it and marks it won.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, journey, signIn, startServer, operatorClock, join, Client, importLegacy, readMails } from './harness.mjs';

const PHONE = { width: 390, height: 844 };
let srv, op, browser;

before(async () => {
  srv = await startServer({ args: ['--test-clock', '--no-jobs'] });
  op = await operatorClock(srv);
  await op.setClock('2027-05-03T09:00:00Z');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await op?.setClock(null);
  await srv?.stop();
});

/** A listed partner (Gold) with a published profile; its admin's credentials. */
async function listedPartner(name, description) {
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${org.partner.membership_id},gold-competency,2027-01-01,2027-12-31,false\n`);
  const put = await c.call('PUT', '/api/v1/company-profile', { name, description_fr: description, description_en: 'Cloud and security consulting.', referral_email: `leads-${org.partner.id}@partner.example`, countries: ['FR', 'DE'], services: ['security'] });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal((await c.call('POST', '/api/v1/company-profile/publication', {})).body.listed, true);
  return org;
}

async function confirmLink(email) {
  const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  assert.equal(r.status, 200);
  const mail = readMails(srv.mailDir).filter((m) => m.to.includes(email)).pop();
  assert.ok(mail, `no email to ${email}`);
  const link = mail.text.match(/https?:\/\/\S+\/annuaire\/confirmer\?token=[0-9a-f]{64}/)[0];
  const u = new URL(link);
  return { path: u.pathname + u.search, mail };
}

for (const lang of ['fr', 'en']) {
  test(`${lang}: a customer finds a partner and sends a request; the partner accepts it and marks it won (phone width)`, async () => {
    const words = lang === 'fr'
      ? { accepted: 'Demande acceptée', wonToast: 'Demande marquée gagnée', search: 'Rechercher', send: 'Envoyer la demande', confirm: 'Confirmer ma demande', confirmed: /Votre demande est confirmée/, accept: 'Accepter', won: 'Marquer gagnée', wonBadge: 'gagnée', sent: /Ouvrez le lien reçu par e-mail/, need: 'Votre besoin', company: 'Entreprise', consent: /J'accepte d'être contacté/, email: 'Adresse e-mail', name: 'Nom', country: 'Pays' }
      : { accepted: 'Request accepted', wonToast: 'Request marked as won', search: 'Search', send: 'Send the request', confirm: 'Confirm my request', confirmed: /Your request is confirmed/, accept: 'Accept', won: 'Mark as won', wonBadge: 'won', sent: /Open the link in the email/, need: 'What you need', company: 'Company', consent: /I agree to be contacted/, email: 'Email address', name: 'Name', country: 'Country' };
    const partnerName = lang === 'fr' ? 'Système Sécurité Conseil' : 'Sécurité Systèmes Cloud';
    const org = await listedPartner(partnerName, 'Conseil en sécurité des systèmes d’information.');
    await listedPartner(`Autre ${lang} Données`, 'Données et intelligence artificielle.');
    const customerEmail = `client-${lang}@client.example`;

    const c = await journey(browser, srv, `referral-${lang}`, { ...PHONE, locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
    const { page } = c;
    await page.goto('/annuaire');
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('searchbox', { name: words.search }).fill(lang === 'fr' ? 'securite systeme' : 'SECURITE');
    await page.getByRole('button', { name: words.search, exact: true }).click();
    await page.getByRole('link', { name: partnerName }).waitFor();
    await c.shot('search');
    const germany = lang === 'fr' ? 'Allemagne' : 'Germany'; // countries by name, in the reader's language
    assert.match(await page.locator('main').innerText(), new RegExp(`France · ${germany}`), 'the card names the countries');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `the page is ${width}px wide on a ${PHONE.width}px phone`);
    await page.getByRole('link', { name: partnerName }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(partnerName) }).waitFor();
    assert.match(await page.locator('main').innerText(), new RegExp(`France, ${germany}`), 'the profile names the countries');
    await page.getByLabel(words.name, { exact: true }).fill('Camille Dupré');
    await page.getByLabel(words.company, { exact: true }).fill('Boulangerie Dupré');
    await page.getByLabel(words.email, { exact: true }).fill(customerEmail);
    await page.getByLabel(words.need).fill('Un audit de sécurité de notre réseau.');
    await page.getByLabel(words.consent).check();
    await c.shot('form');
    await page.getByRole('button', { name: words.send }).click();
    await page.getByText(words.sent).waitFor();
    await c.shot('sent');

    const { path, mail } = await confirmLink(customerEmail);
    assert.match(mail.subject, lang === 'fr' ? /Confirmez votre demande/ : /Confirm your request/);
    await page.goto(path);
    await page.getByRole('button', { name: words.confirm }).click();
    await page.getByText(words.confirmed).waitFor();
    await c.shot('confirmed');
    await c.close();

    const p = await journey(browser, srv, `referral-partner-${lang}`, { ...PHONE });
    await signIn(p.page, org.email, org.password);
    if (lang === 'en') await p.page.getByRole('button', { name: 'English' }).click();
    await p.page.goto('/demandes-contact');
    await p.page.getByRole('link', { name: 'Camille Dupré' }).click();
    await p.page.getByText('Un audit de sécurité de notre réseau.').waitFor();
    await p.shot('referral');
    // the message after each answer: it said « Acceptées » and « Gagnées », the filters'
    // plural labels, of the one request just answered
    const toast = p.page.locator('#toast');
    await p.page.getByRole('button', { name: words.accept }).click();
    await p.page.getByRole('button', { name: words.won }).waitFor();
    assert.equal(await toast.innerText(), words.accepted);
    await p.page.getByRole('button', { name: words.won }).click();
    await p.page.getByRole('heading', { level: 1 }).getByText(words.wonBadge).waitFor();
    assert.equal(await toast.innerText(), words.wonToast);
    await p.shot('won');
    await p.close();
    const api = new Client(srv.url);
    await api.signIn(org.email, org.password);
    const list = await api.call('GET', '/api/v1/referrals?status=won');
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].email, customerEmail);
  });
}
