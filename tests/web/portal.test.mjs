// portal.test.mjs - the journeys of issue 8 in a real browser, each with its screenshots:
// a first purchase by card, a renewal by wire that finance records, automatic renewal
// turned off and its greyed switch, the cancellation request, an invoice download, the
// staff resolution, and the console's dashboard and test clock. French unless said.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  launch, journey, signIn, tile, startServer, operatorClock, addStaff, join, Client, ledgerSql, pdfText, totp, cardPayment,
} from './harness.mjs';

// the page lists expiry years from the browser's own (real) year on
const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 5, cvc: '737', holder: 'Camille Martin' };
let srv, op, browser;
const staff = {};

before(async () => {
  srv = await startServer({ args: ['--test-clock', '--no-jobs'] });
  op = await operatorClock(srv);
  for (const role of ['support', 'finance', 'operator']) staff[role] = addStaff(srv.db, role);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await op?.setClock(null);
  await srv?.stop();
});

/** Every visible form control has a label a screen reader announces. */
async function assertLabelled(page) {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
    .map((e) => e.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, [], 'controls without a label');
}

/** An organisation (through the API) with its admin signed in on an API client. */
async function organisation() {
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  return { org, api: new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 'web' })).body.token }) };
}

async function buyByCard(api, offer = 'action-pack') {
  const o = await api.call('POST', '/api/v1/orders', { offer, action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(p.body.status, 'confirmed', JSON.stringify(p.body));
  return p.body;
}

test('a partner joins the network and buys Action Pack by card', async () => {
  await op.setClock('2027-03-01T09:00:00Z');
  const j = await journey(browser, srv, '1-first-purchase-by-card');
  const { page } = j;
  // every request the page sends, with its body: the card goes to the gateway only
  const sent = [];
  page.on('request', (r) => sent.push({ url: new URL(r.url()).pathname, body: r.postData() || '' }));
  await page.goto('/rejoindre');
  await assertLabelled(page);
  await page.getByLabel('Raison sociale').fill('Northwind Conseil SAS');
  await page.getByLabel('Adresse', { exact: true }).fill('8 rue Lafayette');
  await page.getByLabel('Code postal').fill('75009');
  await page.getByLabel('Ville').fill('Paris');
  await page.getByLabel('Numéro de TVA intracommunautaire').fill('FR40303265045');
  await page.getByLabel('SIREN').fill('303 265 045');
  await page.getByLabel('Votre nom').fill('Nadia Nord');
  await page.getByLabel('Votre adresse e-mail').fill('nadia@northwind.example');
  await page.getByLabel('Mot de passe').fill('quiet trains at dusk 1');
  await j.shot('join');
  await page.getByRole('button', { name: "S'inscrire maintenant" }).click();
  await page.waitForURL('**/offres');
  await page.getByRole('heading', { name: "Offres d'adhésion" }).waitFor();
  await assert.doesNotReject(tile(page, 'action-pack').getByText('Disponible').waitFor());
  await j.shot('offers');

  // the Buy link works from the keyboard
  await tile(page, 'action-pack').getByRole('link', { name: 'Acheter' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /Acheter : Abonnement au Microsoft Action Pack/ }).waitFor();
  await page.getByLabel(/Carte de crédit/).check();
  await j.shot('payment-method');
  await page.getByRole('button', { name: 'Suivant' }).click();
  await page.getByLabel('Numéro de carte').fill(CARD.number);
  await page.getByLabel("Année d'expiration").selectOption(String(CARD.exp_year));
  await page.getByLabel('Cryptogramme (CVC)').fill('737');
  await page.getByLabel('Titulaire de la carte').fill('Nadia Nord');
  await assertLabelled(page);
  await j.shot('card');
  await page.getByRole('button', { name: 'Suivant' }).click();
  await page.getByText('Passez en revue les détails de votre commande').waitFor();
  const review = await page.locator('main').innerText();
  assert.match(review, /TVA \(20\s%\)/);
  assert.match(review, /588,00\s€/);
  assert.match(review, /VISA se terminant par 4242/);
  assert.equal(Number(ledgerSql(srv, 'SELECT COUNT(*) FROM gw_charges')), 0, 'nothing charged before Buy');
  await j.shot('review');
  await page.getByRole('button', { name: 'Acheter' }).click();
  await page.getByText('Votre commande est confirmée.').waitFor();
  assert.match(await page.locator('main').innerText(), /du 1er mars 2027 au 29 février 2028/);
  await j.shot('confirmed');
  await page.getByRole('link', { name: 'Fermer' }).click();
  await page.waitForURL('**/offres');
  await tile(page, 'action-pack').getByText('Actif', { exact: true }).waitFor();
  assert.equal((await tile(page, 'action-pack').getByRole('button', { name: "Renouveler l'abonnement" }).isDisabled()), true);
  assert.match(await tile(page, 'action-pack').innerText(), /Le renouvellement ouvre le 1er mars 2028/);
  await j.shot('active');
  assert.equal(ledgerSql(srv, "SELECT COUNT(*) FROM gw_charges WHERE status = 'succeeded'"), '1', 'charged once');
  // the network log: the card number and CVC went to the gateway's endpoint, never to /api/
  const toApi = sent.filter((r) => r.url.startsWith('/api/'));
  assert.ok(toApi.some((r) => r.url === '/api/v1/orders' && /"payment_method":"pm_test_/.test(r.body)), 'the order carries the payment method');
  for (const r of toApi) {
    assert.doesNotMatch(r.body.replace(/[ -]/g, ''), /4242424242424242/, `card number sent to ${r.url}`);
    assert.doesNotMatch(r.body, /"cvc"|"number"|"card":/, `card data sent to ${r.url}`);
  }
  assert.ok(sent.some((r) => r.url === '/test-gateway/v1/tokens' && r.body.includes('4242 4242 4242 4242')), 'the gateway got the card');
  await j.close();
});

test('3-D Secure at Buy: one challenge passed, one refused, each settled once', async () => {
  await op.setClock('2027-03-01T09:00:00Z');
  const charges = () => ledgerSql(srv, "SELECT group_concat(status, ',') FROM gw_charges WHERE token IN (SELECT token FROM gw_tokens WHERE last4 IN ('3155', '3184'))");
  for (const [number, answer] of [['4000 0025 0000 3155', 'Valider'], ['4000 0027 6000 3184', 'Refuser']]) {
    const org = await join(srv.url);
    const j = await journey(browser, srv, `1b-3ds-${answer === 'Valider' ? 'passed' : 'refused'}`);
    const { page } = j;
    await signIn(page, org.email, org.password);
    await page.goto('/commande/action-pack');
    await page.getByLabel(/Carte de crédit/).check();
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByLabel('Numéro de carte').fill(number);
    await page.getByLabel("Année d'expiration").selectOption(String(CARD.exp_year));
    await page.getByLabel('Cryptogramme (CVC)').fill('737');
    await page.getByLabel('Titulaire de la carte').fill('Nadia Nord');
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByRole('button', { name: 'Acheter' }).click();
    // the bank asks: the portal says so and sends the partner there
    await page.getByText('Votre banque demande de confirmer ce paiement.', { exact: false }).waitFor();
    if (answer === 'Valider') await j.shot('bank-asks');
    await page.getByRole('link', { name: 'Confirmer auprès de ma banque' }).click();
    await page.waitForURL('**/test-gateway/v1/challenges/**');
    assert.match(await page.locator('main').innerText(), /588,00\s€.*visa se terminant par (3155|3184)/s);
    await page.getByRole('button', { name: answer }).click();
    // back on the portal, partnerd has asked the gateway
    await page.waitForURL('**/paiement/**');
    if (answer === 'Valider') {
      await page.getByText('Votre commande est confirmée.').waitFor();
      await j.shot('confirmed-after-3ds');
    } else {
      await page.getByText('Le paiement a échoué : la banque a refusé le paiement', { exact: false }).waitFor();
      await j.shot('refused-by-3ds');
    }
    await j.close();
  }
  assert.equal(charges(), 'succeeded,declined', 'one charge passed, one declined, nothing twice');
});

let renewal; // the organisation of the renewal, reused by the journeys after it

test('a renewal by wire transfer, recorded by finance', async () => {
  await op.setClock('2026-06-23T09:00:00Z');
  renewal = await organisation();
  const bought = await buyByCard(renewal.api);
  await renewal.api.call('PATCH', `/api/v1/subscriptions/${bought.subscription_id}`, { auto_renew: false });
  await op.setClock('2027-06-23T09:00:00Z'); // the first day of the window, as on the reference page

  const j = await journey(browser, srv, '2-renewal-by-wire');
  const { page } = j;
  await signIn(page, renewal.org.email, renewal.org.password);
  await tile(page, 'action-pack').getByText('À renouveler').waitFor();
  await j.shot('renewal-open');
  await tile(page, 'action-pack').getByRole('link', { name: "Renouveler l'abonnement" }).click();
  await page.getByLabel(/Virement bancaire/).check();
  await page.getByRole('button', { name: 'Suivant' }).click();
  await page.getByLabel('Nom du contact').fill('Paul Payeur');
  await page.getByLabel('Numéro de téléphone').fill('+33 1 23 45 67 89');
  await page.getByLabel('Adresse de messagerie').fill('compta@org.example');
  await j.shot('wire-contact');
  await page.getByRole('button', { name: 'Envoyer' }).click();
  await page.getByRole('button', { name: 'Acheter' }).click();
  await page.getByText('Votre commande est enregistrée').waitFor();
  const reference = (await page.locator('dd.reference').innerText()).trim();
  assert.match(reference, /^RF\d{2}[0-9A-Z]+$/);
  assert.match(await page.locator('main').innerText(), /7 juillet 2027/, 'due in 14 days');
  assert.match(await page.locator('main').innerText(), /FR76 3000 6000 0112 3456 7890 189/, 'the IBAN in groups of four, as the partner copies it');
  await j.shot('payment-instructions');

  const f = await journey(browser, srv, '2-renewal-by-wire-finance');
  await signIn(f.page, staff.finance.email, staff.finance.password);
  await f.page.getByRole('link', { name: 'Virements et remboursements' }).click();
  const row = f.page.locator('tr', { hasText: reference });
  await row.waitFor();
  await f.shot('awaiting');
  await row.getByRole('button', { name: 'Enregistrer un virement reçu' }).click();
  assert.equal(await f.page.getByLabel('Référence', { exact: true }).inputValue(), reference);
  assert.equal(await f.page.getByLabel('Montant').inputValue(), '588.00');
  assert.equal(await f.page.getByLabel('Reçu le').inputValue(), '2027-06-23', 'the business date, not the calendar');
  await assertLabelled(f.page);
  await f.page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await f.page.getByText('Virement enregistré : Rapproché.').waitFor();
  await f.page.locator('tr', { hasText: reference }).waitFor({ state: 'detached' });
  await f.shot('recorded');
  // a bank statement with a transfer nobody can match: kept, and shown for review
  await f.page.getByLabel('Relevé (camt.053 en XML, ou CSV : date,amount,currency,reference)').setInputFiles({
    name: 'releve.csv', mimeType: 'text/csv',
    buffer: Buffer.from('date,amount,currency,reference\n2027-06-23,120.00,EUR,RF00INCONNU\n'),
  });
  await f.page.getByRole('button', { name: 'Importer' }).click();
  await f.page.getByText('1 virement(s), 0 rapproché(s), 0 déjà importé(s).').waitFor();
  await f.page.locator('tr', { hasText: 'RF00INCONNU' }).filter({ hasText: '120,00' }).first().waitFor();
  assert.ok(await f.page.getByRole('cell', { name: 'Référence inconnue' }).count() >= 1);
  await f.shot('statement');
  // finance closes it, with a reason: nothing stays « à examiner » for ever
  const stray = f.page.locator('tr', { hasText: 'RF00INCONNU' }).first();
  await stray.locator('summary', { hasText: 'Traiter' }).click();
  await stray.getByLabel('Décision').selectOption('dismiss');
  await stray.getByLabel('Motif').fill('Virement de test de la banque');
  await f.shot('resolve-transfer');
  await stray.getByRole('button', { name: 'Traiter' }).click();
  await f.page.getByText('Virement classé.').waitFor();
  await f.page.getByRole('heading', { name: 'Virements traités' }).waitFor();
  await f.page.getByRole('cell', { name: 'Virement de test de la banque' }).waitFor();
  await f.shot('transfer-resolved');
  // a dismissal made by mistake is taken back: the transfer is to review again
  await f.page.getByRole('button', { name: 'Rouvrir RF00INCONNU' }).first().click();
  await f.page.getByText('Virement remis à traiter.').waitFor();
  const again = f.page.locator('tr', { hasText: 'RF00INCONNU' }).filter({ has: f.page.locator('summary', { hasText: 'Traiter' }) }).first();
  await again.waitFor();
  await again.locator('summary', { hasText: 'Traiter' }).click();
  await again.getByLabel('Décision').selectOption('dismiss');
  await again.getByLabel('Motif').fill('Virement de test de la banque');
  await again.getByRole('button', { name: 'Traiter' }).click();
  await f.page.getByText('Virement classé.').waitFor();
  await f.close();

  await page.getByRole('link', { name: 'Acheté' }).click();
  const card = page.locator('article[data-offer="action-pack"]');
  await card.getByText('Actif', { exact: true }).waitFor();
  const text = await card.innerText();
  assert.match(text, /23 juin 2027/);
  assert.match(text, /22 juin 2028/);
  await j.shot('renewed');
  await j.close();
});

test('automatic renewal turned off: the switch greys out until a renewal', async () => {
  await op.setClock('2027-07-01T09:00:00Z');
  const j = await journey(browser, srv, '3-auto-renew-off');
  const { page } = j;
  await signIn(page, renewal.org.email, renewal.org.password);
  await page.goto('/achete');
  const sw = page.getByRole('switch', { name: 'Renouvellement automatique' });
  // the renewal cleared the lock: it can come back on, then go off again
  assert.equal(await sw.getAttribute('aria-checked'), 'false');
  assert.equal(await sw.isDisabled(), false, 'a renewal clears the lock');
  await sw.click();
  await page.getByText('Le renouvellement automatique est activé.').waitFor();
  await page.locator('button[role="switch"][aria-checked="true"]').waitFor();
  await j.shot('on');
  await sw.focus();
  await page.keyboard.press('Space');
  await page.getByRole('dialog', { name: 'Désactiver le renouvellement automatique ?' }).waitFor();
  await j.shot('confirm');
  await page.getByRole('button', { name: 'Désactiver le renouvellement automatique' }).click();
  await page.getByText('Le renouvellement automatique est désactivé.').waitFor();
  await page.locator('button[role="switch"][aria-checked="false"]:disabled').waitFor();
  assert.equal(await sw.isDisabled(), true, 'greyed');
  await page.getByText("Vous ne pourrez pas réactiver le renouvellement automatique avant d'avoir renouvelé l'abonnement.").waitFor();
  await j.shot('greyed');
  await j.close();
});

let cancellation;

test("« Annuler l'abonnement » leads to the support form, filled in as the reference page says", async () => {
  const j = await journey(browser, srv, '4-cancellation-request');
  const { page } = j;
  await signIn(page, renewal.org.email, renewal.org.password);
  await page.goto('/offres');
  // « Sélectionnez Abonnement au Microsoft Action Pack pour afficher les détails »
  await tile(page, 'action-pack').getByRole('link', { name: 'Abonnement au Microsoft Action Pack' }).click();
  await page.waitForURL('**/achete#*');
  await page.getByRole('link', { name: "Annuler l'abonnement" }).click();
  await page.waitForURL(/\/support\/nouvelle\?annuler=sub_/);
  assert.equal(await page.getByLabel('Catégorie').inputValue(), 'partner_center_issue');
  assert.equal(await page.getByLabel('Type de problème').inputValue(), 'invoice_payment_reconciliation');
  assert.match(await page.locator('main').innerText(), /Finissez d'indiquer les informations requises, puis sélectionnez Envoyer/);
  // it said « Pour annuler Abonnement au Microsoft Action Pack, envoyez… »
  assert.match(await page.locator('main').innerText(), /Pour annuler votre offre « Abonnement au Microsoft Action Pack », envoyez/);
  assert.doesNotMatch(await page.getByLabel('Titre').inputValue(), /sub_/, 'no internal id');
  await page.getByRole('button', { name: 'Envoyer' }).click();
  await page.getByText('obligatoire').first().waitFor(); // the partner's own words are required
  await page.getByLabel('Description').fill("Nous n'utilisons plus l'Action Pack : merci d'annuler au plus vite.");
  await j.shot('form');
  await page.getByRole('button', { name: 'Envoyer' }).click();
  await page.waitForURL(/\/support\/req_/);
  await page.getByRole('heading', { name: /^Demande SR-\d{6}/ }).waitFor();
  cancellation = page.url().split('/').pop();
  const text = await page.locator('main').innerText();
  assert.match(text, /Signaler des problèmes avec l'Espace partenaires/);
  assert.match(text, /Aide concernant une facture, un paiement ou un fichier de rapprochement de partenaire/);
  assert.match(text, /Ouverte/);
  assert.match(text, /Abonnement au Microsoft Action Pack/);
  assert.match(text, /Nous n'utilisons plus l'Action Pack/);
  assert.doesNotMatch(text, /sub_[0-9a-z]/, 'no internal id in what the partner reads');
  await j.shot('request');
  await page.getByRole('link', { name: "Demandes à l'Espace partenaires" }).first().click();
  assert.equal(await page.getByLabel('Statut').inputValue(), 'open');
  await page.getByRole('link', { name: /^SR-\d{6}$/ }).waitFor();
  await j.shot('requests-open');
  await j.close();
});

test('an invoice downloads as its PDF', async () => {
  const j = await journey(browser, srv, '5-invoice-download');
  const { page } = j;
  await signIn(page, renewal.org.email, renewal.org.password);
  await page.getByRole('link', { name: 'Factures' }).click();
  const first = page.locator('tbody tr').first();
  const number = (await first.locator('td').first().innerText()).trim();
  assert.match(number, /^\d{4}-\d{6}$/);
  await j.shot('invoices');
  const [download] = await Promise.all([page.waitForEvent('download'), first.getByRole('link', { name: /Télécharger la facture/ }).click()]);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const { ok, text } = pdfText(bytes);
  assert.ok(ok, 'qpdf finds it sound');
  assert.ok(text.includes(number), 'the PDF is that invoice');
  await j.close();
});

test('support resolves the cancellation with a prorated refund; the partner sees it', async () => {
  const j = await journey(browser, srv, '6-staff-resolution');
  const { page } = j;
  await signIn(page, staff.support.email, staff.support.password);
  await page.getByRole('link', { name: 'Demandes de support' }).click();
  await page.locator('tr', { hasText: "Demande d'annulation" }).getByRole('link').click();
  await page.waitForURL(`**/console/support/${cancellation}`);
  await assertLabelled(page);
  await j.shot('request');
  await page.getByLabel('Annuler maintenant').check();
  await page.getByLabel('Rembourser au prorata les jours non utilisés').check();
  // the amount is known before « Résoudre »
  const outcome = await page.locator('#resolution p[id^="outcome-"]').innerText();
  assert.match(outcome, /L'annulation prendra effet le 1er juillet 2027\. Remboursement : [\d\s ,]+€ TTC, par virement \(à payer par la finance\)\./, 'the renewal was paid by wire');
  const amount = outcome.match(/Remboursement : ([\d\s ,]+€)/)[1];
  await page.getByLabel('Message au partenaire').fill('Annulé à votre demande, remboursé au prorata.');
  await page.getByRole('button', { name: 'Résoudre' }).click();
  await page.getByText(/Annulation traitée : effective le 1er juillet 2027\. Remboursement/).waitFor();
  await page.getByText('Résolution : annulé immédiatement, avec remboursement au prorata').waitFor();
  await j.shot('resolved');
  await j.close();

  const p = await journey(browser, srv, '6-staff-resolution-partner');
  await signIn(p.page, renewal.org.email, renewal.org.password);
  await p.page.goto('/achete');
  await p.page.locator('article[data-offer="action-pack"]').getByText('Annulé', { exact: true }).waitFor();
  await p.shot('cancelled');
  await p.page.getByRole('link', { name: 'Factures' }).click();
  await p.page.getByRole('cell', { name: 'Avoir', exact: true }).waitFor();
  await p.shot('credit-note');
  await p.page.goto(`/support/${cancellation}`);
  await p.page.getByText('Annulé à votre demande, remboursé au prorata.').waitFor();
  // the partner reads the amount refunded, the one support saw
  assert.ok((await p.page.locator('ol.thread').innerText()).includes(`Remboursement au prorata des jours non utilisés : ${amount} TTC`));
  await p.shot('answer');
  await p.close();
});

test('in English, and at phone width', async () => {
  const j = await journey(browser, srv, '7-english-phone', { width: 390, height: 844, locale: 'en-GB' });
  const { page } = j;
  await signIn(page, renewal.org.email, renewal.org.password);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Membership offers' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /Microsoft Action Pack subscription/);
  assert.match(text, /€490\.00/);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await j.shot('offers-en');
  await page.goto('/achete');
  await page.getByText('Cancelled from 1 July 2027').waitFor();
  await j.shot('purchased-en');
  await page.goto('/factures');
  await page.getByText(/^Paid on /).first().waitFor();
  await page.getByRole('link', { name: /Download the credit note/ }).first().waitFor();
  await j.shot('invoices-en');
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('heading', { name: 'Factures' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Payée le/);
  await j.close();
});

test('the console: dashboard charts, partners, and the test clock with its jobs', async () => {
  const j = await journey(browser, srv, '8-console');
  const { page } = j;
  await signIn(page, staff.operator.email, staff.operator.password);
  await page.getByRole('heading', { name: 'Tableau de bord' }).waitFor();
  const bars = await page.locator('#chart-revenue svg rect').count();
  assert.ok(bars >= 1, 'revenue bars');
  assert.ok(await page.locator('#chart-renewals svg').count(), 'the renewals chart');
  await j.shot('dashboard');
  assert.match(await page.locator('#chart-revenue figcaption').innerText(), /hors TVA/);
  await page.getByRole('link', { name: 'Partenaires' }).click();
  await page.getByText('Northwind Conseil SAS').waitFor();
  await j.shot('partners');
  // a partner's page: what it sees of itself, and its audit trail
  await page.getByRole('link', { name: 'Northwind Conseil SAS' }).click();
  await page.getByRole('heading', { name: 'Northwind Conseil SAS' }).waitFor();
  for (const h2 of ['Abonnements', 'Commandes', 'Factures', 'Demandes de support', "Journal d'audit"])
    await page.getByRole('heading', { name: h2, exact: true }).waitFor();
  assert.match(await page.locator('main').innerText(), /Payée le 1er mars 2027/);
  assert.match(await page.locator('main').innerText(), /France/, 'the country by its name');
  assert.match(await page.locator('main').innerText(), /Vérification VIES\s+Non vérifié/, 'what VIES said of its VAT ID');
  await j.shot('partner-page');
  await page.getByRole('link', { name: 'Migration depuis le PMC' }).click();
  await page.getByText('Plus aucun abonnement dans le PMC.').waitFor();
  await j.shot('pmc');
  await page.getByRole('link', { name: 'Horloge de test' }).click();
  assert.match(await page.locator('#clock-today').innerText(), /1er juillet 2027/);
  await page.getByLabel('Date et heure (UTC)').fill('2027-08-01T08:00');
  await page.getByRole('button', { name: "Régler l'horloge" }).click();
  await page.getByText('Horloge réglée : 1er août 2027.').waitFor();
  await page.getByRole('button', { name: 'Lancer les tâches maintenant' }).click();
  await page.getByRole('cell', { name: 'outbox_delivery' }).waitFor();
  await j.shot('clock-and-jobs');
  await page.getByRole('link', { name: 'E-mails et webhooks' }).click();
  await page.getByRole('cell', { name: 'Envoyé' }).first().waitFor();
  await j.shot('deliveries');
  await j.close();
});

test('finance imports a camt.053 statement and pays the wire refund with one SEPA transfer file', async () => {
  const j = await journey(browser, srv, '8b-bank-files');
  const { page } = j;
  await signIn(page, staff.finance.email, staff.finance.password);
  await page.getByRole('link', { name: 'Virements et remboursements' }).click();
  await page.getByRole('heading', { name: 'Importer un relevé bancaire' }).waitFor();
  await assertLabelled(page);
  const camt = `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2027-08-01T06:00:00</CreDtTm></GrpHdr><Stmt><Id>WEB-1</Id><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct><Ntry><Amt Ccy="EUR">12.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2027-07-31</Dt></BookgDt><NtryDtls><TxDtls><RmtInf><Ustrd>sans reference</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>`;
  await page.getByLabel(/Relevé \(camt\.053/).setInputFiles({ name: 'releve.xml', mimeType: 'application/xml', buffer: Buffer.from(camt) });
  await page.getByRole('button', { name: 'Importer', exact: true }).click();
  await page.getByText('1 virement(s), 0 rapproché(s), 0 déjà importé(s), 0 remboursement(s) constaté(s) payé(s).').waitFor();
  await j.shot('camt-imported');
  // the refund of the cancellation resolved above: paid by wire, so finance pays it back
  const form = page.locator('#transfer-file');
  await form.waitFor();
  await form.getByRole('checkbox').first().check();
  // recorded by hand, no statement showed the account that paid: finance types it
  await form.getByRole('textbox').first().fill('DE89 3704 0044 0532 0130 00');
  const [download] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Télécharger le fichier de virements SEPA' }).click()]);
  const xml = readFileSync(await download.path(), 'utf8');
  assert.match(xml, /<CstmrCdtTrfInitn>/);
  assert.match(xml, /<IBAN>DE89370400440532013000<\/IBAN>/);
  await page.getByText(/Fichier de virements : 1 remboursement\(s\)/).waitFor();
  await page.getByText('Envoyé (fichier de virements)').first().waitFor();
  await j.shot('transfer-file');
  await j.close();
});

test('users: an invitation accepted through its link, then a second factor enrolled and used to sign in', async () => {
  const t0 = Date.parse('2027-09-01T08:00:00Z') / 1000;
  await op.setClock(new Date(t0 * 1000).toISOString());
  const admin = await journey(browser, srv, '9-users-and-second-factor');
  await signIn(admin.page, renewal.org.email, renewal.org.password);
  await admin.page.getByRole('link', { name: 'Utilisateurs et autorisations' }).click();
  await admin.page.getByRole('heading', { name: 'Inviter un utilisateur' }).waitFor();
  await assertLabelled(admin.page);
  await admin.page.getByLabel('Nom', { exact: true }).fill('Bruno Billing');
  await admin.page.getByLabel('Adresse e-mail').fill('bruno@org.example');
  await admin.page.locator('form').last().getByLabel('Utilisateur (lecture seule)').uncheck();
  await admin.page.locator('form').last().getByLabel('Administrateur de facturation').check();
  await admin.shot('invite');
  await admin.page.getByRole('button', { name: "Envoyer l'invitation" }).click();
  await admin.page.getByText('Invitation envoyée à bruno@org.example.').waitFor();
  const link = (await admin.page.locator('code.secret').innerText()).trim();
  assert.match(link, /\/invitations\/[0-9a-f]{64}$/);
  await admin.page.getByRole('cell', { name: 'bruno@org.example' }).waitFor();
  await admin.shot('invited');
  await admin.close();

  const j = await journey(browser, srv, '9-users-and-second-factor-invitee');
  const { page } = j;
  await page.goto(new URL(link).pathname);
  await page.getByLabel('Mot de passe', { exact: true }).fill('quiet trains at dawn 12');
  await page.getByLabel('Confirmez le mot de passe').fill('quiet trains at dawn 12');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForURL(/\/connexion\?email=/);
  assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), 'bruno@org.example');
  await page.getByLabel('Mot de passe').fill('quiet trains at dawn 12');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL('**/offres');
  await page.getByRole('link', { name: 'Mon compte' }).click();
  await page.getByRole('button', { name: 'Activer la validation en deux étapes' }).click();
  const secret = (await page.locator('code.secret').innerText()).trim();
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret, t0));
  await j.shot('enrol');
  await page.getByRole('button', { name: 'Confirmer' }).click();
  await page.getByText('Codes de récupération').waitFor();
  assert.equal(await page.locator('ul.codes li').count(), 10);
  await j.shot('recovery-codes');
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL('**/connexion');

  await op.setClock(new Date((t0 + 60) * 1000).toISOString()); // a later code: a used one is refused
  await page.getByLabel('Adresse e-mail').fill('bruno@org.example');
  await page.getByLabel('Mot de passe').fill('quiet trains at dawn 12');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByText("Saisissez le code de votre application d'authentification.").waitFor();
  await j.shot('second-factor');
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret, t0 + 60));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL('**/offres');
  await tile(page, 'action-pack').waitFor();
  await j.close();
});
