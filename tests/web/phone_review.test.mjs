// phone_review.test.mjs - what a French partner and the program owner's staff met walking
// the portal on a phone (390 px): words that said something untrue, forms that failed on
// their second use, and a menu that named the wrong page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, journey, signIn, startServer, operatorClock, addStaff, staffClient, join, Client, cardPayment, PHONE } from './harness.mjs';

const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2031, cvc: '737', holder: 'Camille Martin' };
let srv, op, browser;
const staff = {};

before(async () => {
  srv = await startServer({ args: ['--test-clock', '--no-jobs'] });
  op = await operatorClock(srv);
  await op.setClock('2027-03-01T09:00:00Z');
  for (const role of ['support', 'finance']) staff[role] = addStaff(srv.db, role);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await op?.setClock(null);
  await srv?.stop();
});

/** A fresh organisation, signed in through the API, with a bearer client. */
async function organisation() {
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  return { org, api: c };
}

test('a renewal paid by wire: the offer tile speaks of the transfer, not of a card', async () => {
  const { org, api } = await organisation();
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  const bought = (await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {})).body;
  assert.equal(bought.status, 'confirmed');
  await api.call('PATCH', `/api/v1/subscriptions/${bought.subscription_id}`, { auto_renew: false });
  await op.setClock('2028-03-02T09:00:00Z'); // the day after expiry: renewal open
  const j = await journey(browser, srv, 'review-wire-renewal-tile', { ...PHONE });
  try {
    await signIn(j.page, org.email, org.password);
    await j.page.goto('/offres');
    await j.page.locator('article[data-offer="action-pack"]').getByRole('link', { name: "Renouveler l'abonnement" }).click();
    await j.page.getByLabel(/Virement bancaire/).check();
    await j.page.getByRole('button', { name: 'Suivant' }).click();
    await j.page.getByLabel('Nom du contact').fill('Paul Payeur');
    await j.page.getByLabel('Numéro de téléphone').fill('+33 1 23 45 67 89');
    await j.page.getByLabel('Adresse de messagerie').fill('compta@org.example');
    await j.page.getByRole('button', { name: 'Envoyer' }).click();
    await j.page.getByRole('button', { name: 'Acheter' }).click();
    await j.page.getByText('elle sera confirmée à réception de votre virement').waitFor();
    await j.page.goto('/offres');
    const tile = j.page.locator('article[data-offer="action-pack"]');
    await tile.locator('.message').waitFor();
    assert.equal(await tile.getAttribute('data-state'), 'pending_payment');
    const said = await tile.locator('.message').innerText();
    // it said « Paiement par carte en cours de vérification auprès de la banque »
    assert.doesNotMatch(said, /Paiement par carte/, said);
    assert.match(said, /virement/, said);
    await j.shot('tile');
  } finally {
    await j.close();
    await op.setClock('2027-03-01T09:00:00Z');
  }
});

test('« Mon compte » says an organisation requires two-step verification only when it does', async () => {
  const { org, api } = await organisation();
  const j = await journey(browser, srv, 'review-account-2fa', { ...PHONE });
  try {
    await signIn(j.page, org.email, org.password);
    await j.page.goto('/compte');
    await j.page.getByRole('button', { name: 'Activer la validation en deux étapes' }).waitFor();
    // it said « Votre organisation exige la validation en deux étapes . » to everyone
    assert.equal(await j.page.getByText(/exige la validation/).count(), 0, await j.page.locator('main').innerText());
    assert.doesNotMatch(await j.page.locator('main').innerText(), / \./);
    await j.shot('not-required');
    assert.equal((await api.call('PATCH', '/api/v1/partner', { require_2fa: true })).status, 200);
    await j.page.reload();
    await j.page.getByRole('button', { name: 'Activer la validation en deux étapes' }).waitFor();
    assert.equal(await j.page.getByText('Votre organisation exige la validation en deux étapes : activez-la dans Mon compte.').count(), 1);
    await j.shot('required');
  } finally {
    await j.close();
  }
  // staff belong to no organisation: nothing is said of one
  const s = await journey(browser, srv, 'review-account-2fa-staff', { ...PHONE });
  try {
    await signIn(s.page, staff.support.email, staff.support.password);
    await s.page.goto('/compte');
    await s.page.getByRole('button', { name: 'Activer la validation en deux étapes' }).waitFor();
    assert.equal(await s.page.getByText(/Votre organisation/).count(), 0);
  } finally {
    await s.close();
  }
});

test('« Enregistrer un virement reçu » twice in a row, and an amount typed wrong', async () => {
  const j = await journey(browser, srv, 'review-record-transfer', { ...PHONE });
  try {
    await signIn(j.page, staff.finance.email, staff.finance.password);
    await j.page.goto('/console/virements');
    const form = j.page.locator('#record-transfer');
    const received = form.getByLabel('Reçu le');
    await form.waitFor();
    const today = await received.inputValue();
    assert.match(today, /^\d{4}-\d\d-\d\d$/);
    await form.getByLabel('Référence').fill('RF00PREMIER');
    await form.getByLabel('Montant').fill('120,00');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await j.page.locator('#toast', { hasText: 'Virement enregistré' }).waitFor();
    // the form was reset to an empty « Reçu le », and the next transfer was refused with
    // « de 1 à 10 caractères, sur une seule ligne »
    assert.equal(await received.inputValue(), today);
    await form.getByLabel('Référence').fill('RF00SECOND');
    await form.getByLabel('Montant').fill('1 234,5');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await j.page.waitForFunction(() => document.querySelector('#record-transfer [name=reference]').value === '');
    assert.equal(await form.locator('.error').evaluateAll((es) => es.map((e) => e.textContent).join('')), '');
    const transfers = await j.page.evaluate(async () => (await (await fetch('/api/v1/admin/wire-transfers')).json()).items);
    assert.deepEqual(transfers.filter((w) => w.reference === 'RF00SECOND').map((w) => w.amount_minor), [123450]);
    // an amount that is not one: said in the field's terms, not in cents
    await form.getByLabel('Référence').fill('RF00TROISIEME');
    await form.getByLabel('Montant').fill('12 euros');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    const error = form.locator('[data-field="amount_minor"] .error');
    await error.filter({ hasText: /./ }).waitFor();
    assert.equal(await error.innerText(), 'un montant positif, par exemple 588,00');
    await j.shot('amount-error');
  } finally {
    await j.close();
  }
});

test('resolving a cancellation in the renewal window: nothing to refund, without saying it was never paid', async () => {
  const { org, api } = await organisation();
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  const bought = (await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {})).body;
  assert.equal(bought.status, 'confirmed');
  await op.setClock('2028-03-05T09:00:00Z'); // the paid term is over, the renewal window open
  await api.signIn(org.email, org.password); // the session ended with the year gone by
  const j = await journey(browser, srv, 'review-cancel-window', { ...PHONE });
  try {
    const req = await api.call('POST', `/api/v1/subscriptions/${bought.subscription_id}/cancellation`, { description: 'Merci d\'annuler.' });
    assert.equal(req.status, 201);
    await signIn(j.page, staff.support.email, staff.support.password);
    await j.page.goto(`/console/support/${req.body.id}`);
    const form = j.page.locator('#resolution');
    await form.getByLabel('Rembourser au prorata les jours non utilisés').check();
    const outcome = form.locator('p[id^="outcome-"]');
    await outcome.filter({ hasText: 'Rien à rembourser' }).waitFor();
    // it said « cet abonnement n'a pas été payé ici » of a subscription paid here by card
    assert.doesNotMatch(await outcome.innerText(), /pas été payé/);
    assert.match(await outcome.innerText(), /aucun jour payé/);
    await j.shot('outcome');
  } finally {
    await j.close();
    await op.setClock('2027-03-01T09:00:00Z');
  }
});

test('the phone menu names the page shown: « Profil dans l\'annuaire », one entry current', async () => {
  const { org } = await organisation();
  const j = await journey(browser, srv, 'review-menu-current', { ...PHONE });
  try {
    await signIn(j.page, org.email, org.password);
    for (const [path, name] of [['/profil/annuaire', "Profil dans l'annuaire"], ['/profil', "Profil de l'entreprise"], ['/support/nouvelle', "Demandes à l'Espace partenaires"]]) {
      await j.page.goto(path);
      await j.page.locator('main h1').first().waitFor();
      const current = await j.page.locator('#nav a[aria-current="page"]').allInnerTexts();
      assert.deepEqual(current, [name], path);
      assert.equal(await j.page.locator('#nav .menu-toggle .current').innerText(), name, path);
    }
    await j.page.goto('/profil/annuaire');
    await j.page.locator('main h1').first().waitFor();
    await j.shot('directory-profile');
  } finally {
    await j.close();
  }
});

test('the first of a month is « 1er » in French, on the subscription and on a request', async () => {
  const { org, api } = await organisation(); // the clock stands on 1 March 2027
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  const bought = (await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {})).body;
  assert.equal(bought.status, 'confirmed');
  const req = await api.call('POST', '/api/v1/support-requests', { title: 'Une question', description: 'Sur ma facture.', category: 'partner_center_issue', problem_type: 'invoice_payment_reconciliation' });
  assert.equal(req.status, 201);
  const j = await journey(browser, srv, 'review-first-of-month', { ...PHONE });
  try {
    await signIn(j.page, org.email, org.password);
    await j.page.goto('/achete');
    const card = j.page.locator('article[data-offer="action-pack"]');
    await card.waitFor();
    // it said « 1 mars 2027 », where the invoice and the emails say « 1er mars 2027 »
    const facts = await card.locator('dl.facts').innerText();
    assert.match(facts, /Début\s+1er mars 2027/, facts);
    assert.doesNotMatch(facts, /(^|\D)1 mars/, facts);
    await j.shot('bought');
    await j.page.goto(`/support/${req.body.id}`);
    const created = j.page.locator('dl.facts dd').last();
    await created.waitFor();
    assert.match(await created.innerText(), /^1er mars 2027/);
    await j.shot('request');
  } finally {
    await j.close();
  }
  // and not in English
  const e = await journey(browser, srv, 'review-first-of-month-en', { ...PHONE, locale: 'en-GB' });
  try {
    await signIn(e.page, org.email, org.password);
    await e.page.getByRole('button', { name: 'English' }).click();
    await e.page.getByRole('heading', { name: 'Membership offers' }).waitFor();
    await e.page.goto('/achete');
    await e.page.locator('article[data-offer="action-pack"]').waitFor();
    const facts = await e.page.locator('article[data-offer="action-pack"] dl.facts').innerText();
    assert.match(facts, /Start\s+1 March 2027/, facts);
  } finally {
    await e.close();
  }
});

test('« Tous » or « Toutes » agrees with what a filter lists', async () => {
  const { org, api } = await organisation();
  const invited = await api.call('POST', '/api/v1/users', { email: `invite-${Date.now()}@org.example`, name: 'Léa Invitée', roles: ['user'] });
  assert.equal(invited.status, 201); // an e-mail for the console's list of what was sent
  const all = (page, id) => page.locator(`#${id} option[value=""]`).innerText();
  const j = await journey(browser, srv, 'review-filters-gender', { ...PHONE });
  try {
    await signIn(j.page, org.email, org.password);
    await j.page.goto('/support');
    assert.equal(await all(j.page, 'status-filter'), 'Toutes'); // les demandes
    // the public directory: les langues, but les secteurs
    await j.page.goto('/annuaire');
    const language = j.page.getByLabel('Langue');
    await language.waitFor();
    assert.equal(await language.locator('option[value=""]').innerText(), 'Toutes', 'it said « Langue : Tous »');
    assert.equal(await j.page.getByLabel('Secteurs').locator('option[value=""]').innerText(), 'Tous');
    await j.shot('directory');
  } finally {
    await j.close();
  }
  const s = await journey(browser, srv, 'review-filters-gender-console', { ...PHONE });
  try {
    await signIn(s.page, staff.support.email, staff.support.password);
    await s.page.goto('/console/support?statut=');
    assert.equal(await all(s.page, 'cat-filter'), 'Toutes'); // les catégories
    // the e-mails and webhooks sent: it said « Statut : Toutes » and « Créée le »
    await s.page.goto('/console/envois');
    assert.equal(await all(s.page, 'dstatus-filter'), 'Tous');
    assert.equal(await s.page.locator('main table th').first().innerText(), 'Créé le'); // the invitation
    await s.shot('deliveries');
  } finally {
    await s.close();
  }
});

test('a cancellation already asked for: the subscription shows that request, not a second « Annuler l\'abonnement »', async () => {
  const { org, api } = await organisation();
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  const bought = (await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {})).body;
  assert.equal(bought.status, 'confirmed');
  const first = await api.call('POST', `/api/v1/subscriptions/${bought.subscription_id}/cancellation`, { description: 'Merci d\'annuler.' });
  assert.equal(first.status, 201);
  const j = await journey(browser, srv, 'review-cancel-open', { ...PHONE });
  try {
    await signIn(j.page, org.email, org.password);
    await j.page.goto('/achete');
    const card = j.page.locator('article[data-offer="action-pack"]');
    await card.waitFor();
    // it offered « Annuler l'abonnement » again: the form then « sent » the partner's new
    // words nowhere, and showed the first request as if it were a new one
    await card.getByRole('link', { name: first.body.number }).waitFor();
    assert.equal(await card.getByRole('link', { name: "Annuler l'abonnement" }).count(), 0);
    assert.match(await card.innerText(), new RegExp(`Demande d'annulation en cours : ${first.body.number}`));
    await j.shot('bought');
    await card.getByRole('link', { name: first.body.number }).click();
    await j.page.waitForURL(`**/support/${first.body.id}`);
    // the form's address, kept from before: the request, not the form
    await j.page.goto(`/support/nouvelle?annuler=${bought.subscription_id}`);
    await j.page.getByRole('link', { name: first.body.number }).waitFor();
    assert.equal(await j.page.getByRole('button', { name: 'Envoyer' }).count(), 0);
    await j.shot('form-address');
  } finally {
    await j.close();
  }
  const requests = await api.call('GET', '/api/v1/support-requests');
  assert.equal(requests.body.items.filter((r) => r.kind === 'cancellation').length, 1);
});

test('a request closed as « not a defect » says so in words, not as a code', async () => {
  const { org, api } = await organisation();
  const req = await api.call('POST', '/api/v1/support-requests', { title: 'Clé refusée', description: 'La clé ne s\'active pas.', category: 'partner_center_issue', problem_type: 'invoice_payment_reconciliation' });
  assert.equal(req.status, 201);
  const support = await staffClient(srv, 'support');
  const closed = await support.call('PATCH', `/api/v1/support-requests/${req.body.id}`, { status: 'resolved', resolution: 'not_a_defect' });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  const j = await journey(browser, srv, 'review-not-a-defect', { ...PHONE });
  try {
    await signIn(j.page, org.email, org.password);
    await j.page.goto(`/support/${req.body.id}`);
    const said = j.page.locator('main p.notice.ok');
    await said.waitFor();
    // it said « Résolution : res_not_a_defect »
    assert.equal(await said.innerText(), 'Résolution : pas un défaut du produit (aucun incident de support décompté)');
    await j.shot('request');
  } finally {
    await j.close();
  }
});

test('countries typed as names on « Profil dans l\'annuaire »: the error beside the field reads as the field does, not as JSON', async () => {
  const { org } = await organisation();
  const j = await journey(browser, srv, 'review-profile-codes', { ...PHONE, answers: [422] });
  try {
    await signIn(j.page, org.email, org.password);
    await j.page.goto('/profil/annuaire');
    await j.page.getByLabel('Nom affiché').fill('Conseil Martin');
    await j.page.getByLabel(/Pays desservis/).fill('France, Belgique');
    await j.page.getByLabel(/Langues parlées/).fill('français');
    await j.page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
    const error = (name) => j.page.locator(`[data-field="${name}"] .error`);
    await error('countries').filter({ hasText: /./ }).waitFor();
    // it said « liste de codes pays ISO 3166-1 (par exemple ["FR", "DE"]) » under a field
    // whose hint reads « par exemple FR, BE »: brackets and quotes the partner never types
    for (const [name, example] of [['countries', 'FR, DE'], ['languages', 'fr, en']]) {
      const said = await error(name).innerText();
      assert.doesNotMatch(said, /[[\]"]/, said);
      assert.match(said, new RegExp(`par exemple ${example}$`), said);
    }
    await j.shot('errors');
  } finally {
    await j.close();
  }
});

test('buying on a phone: the menu bar names « Offres d\'adhésion », where the purchase started', async () => {
  const { org } = await organisation();
  const j = await journey(browser, srv, 'review-menu-checkout', { ...PHONE });
  try {
    await signIn(j.page, org.email, org.password);
    await j.page.goto('/offres');
    await j.page.locator('article[data-offer="action-pack"]').getByRole('link', { name: 'Acheter' }).click();
    await j.page.getByRole('heading', { name: /Acheter : Abonnement au Microsoft Action Pack/ }).waitFor();
    // it said « Menu » and nothing more: no entry of the menu was the page shown
    assert.equal(await j.page.locator('#nav .menu-toggle .current').innerText(), "Offres d'adhésion");
    assert.deepEqual(await j.page.locator('#nav a[aria-current="page"]').allInnerTexts(), ["Offres d'adhésion"]);
    await j.shot('checkout');
  } finally {
    await j.close();
  }
});

test('no card kept for renewal: the offer tile does not promise an automatic renewal', async () => {
  const { org, api } = await organisation(); // the clock stands on 1 March 2027
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD, { save: false }) });
  const bought = (await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {})).body;
  assert.equal(bought.status, 'confirmed');
  assert.equal((await api.call('GET', '/api/v1/payment-method')).body.card, null, 'no card kept');
  const j = await journey(browser, srv, 'review-tile-no-card', { ...PHONE });
  try {
    await signIn(j.page, org.email, org.password);
    await j.page.goto('/offres');
    const said = j.page.locator('article[data-offer="action-pack"] .message');
    await said.waitFor();
    // it said « Renouvellement automatique le 1er mars 2028. », where the reminders (and
    // the renewals job, which charges nothing without a card) say it will not renew by itself
    assert.doesNotMatch(await said.innerText(), /Renouvellement automatique le/, await said.innerText());
    assert.equal(await said.innerText(), "Actif jusqu'au 29 février 2028. Aucune carte n'est enregistrée pour le renouvellement automatique : ajoutez-en une dans Profil de l'entreprise, ou renouvelez à partir du 1er mars 2028.");
    await j.shot('tile');
    // a card kept: the promise holds again
    assert.equal((await api.call('PUT', '/api/v1/payment-method', { payment_method: (await cardPayment(srv.url, CARD)).payment_method })).status, 200);
    await j.page.reload();
    await j.page.locator('article[data-offer="action-pack"] .message').filter({ hasText: 'Renouvellement automatique le 1er mars 2028.' }).waitFor();
  } finally {
    await j.close();
  }
});
