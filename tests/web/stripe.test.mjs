// stripe.test.mjs - the portal with `--gateway stripe` (issue 16), in Chromium: the card form
// is Stripe's (Stripe.js loaded from https://js.stripe.com/v3, which the CSP allows then),
// the card goes to Stripe and the API gets the payment method's id only, and a Buy is
// charged once at Stripe. There is no internet here: the page's request for Stripe.js is
// answered with a small stand-in of it (the same calls: Stripe(pk), elements().create('card'),
// mount, createPaymentMethod) that turns Stripe's test card numbers into Stripe's test
// payment-method ids, and partnerd talks to the stand-in of Stripe's API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { launch, journey, signIn, tile, startServer, operatorClock, join } from './harness.mjs';
import { startStandin } from '../stripe/standin.mjs';

const PUBLISHABLE = 'pk_test_web51mpl3';
let srv, op, browser, standin, keyDir;

// what the page gets for https://js.stripe.com/v3: Stripe.js's calls, no network
const FAKE_STRIPE_JS = `
window.__stripeSeen = [];
window.Stripe = function (pk, opts) {
  window.__stripeSeen.push(pk);
  return {
    elements: () => ({
      create: (type) => {
        const input = document.createElement('input');
        input.setAttribute('aria-label', 'Stripe card');
        input.dataset.fakeStripe = type;
        return { mount: (el) => el.append(input), on: () => {}, input };
      },
    }),
    createPaymentMethod: async ({ type, card }) => {
      const ids = { '4242424242424242': ['pm_card_visa', 'visa', '4242'], '4000000000000002': ['pm_card_chargeDeclined', 'visa', '0002'] };
      const known = ids[card.input.value.replace(/\\s/g, '')];
      if (!known) return { error: { type: 'card_error', code: 'incorrect_number', message: 'Your card number is incorrect.' } };
      return { paymentMethod: { id: known[0], card: { brand: known[1], last4: known[2], exp_month: 12, exp_year: new Date().getFullYear() + 3 } } };
    },
  };
};`;

before(async () => {
  standin = await startStandin({ key: 'sk_test_web', webhookSecret: 'whsec_web' });
  keyDir = mkdtempSync(joinPath(tmpdir(), 'partnerd-stripe-web-'));
  writeFileSync(joinPath(keyDir, 'secret'), 'sk_test_web', { mode: 0o600 });
  srv = await startServer({
    args: ['--test-clock', '--no-jobs', '--gateway', 'stripe', '--stripe-key-file', joinPath(keyDir, 'secret'), '--stripe-api-base', standin.url],
    env: { PARTNERD_STRIPE_WEBHOOK_SECRET: 'whsec_web', PARTNERD_STRIPE_PUBLISHABLE_KEY: PUBLISHABLE },
  });
  op = await operatorClock(srv);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await op?.setClock(null);
  await srv?.stop();
  await standin?.close();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

test('with Stripe, the card form is Stripe.js\'s; the API gets the payment method only; charged once at Stripe', async () => {
  await op.setClock('2027-03-01T09:00:00Z');
  const org = await join(srv.url);
  const j = await journey(browser, srv, 'stripe-purchase-by-card');
  const { page } = j;
  const sent = [];
  page.on('request', (r) => sent.push({ url: r.url(), body: r.postData() || '' }));
  await page.route('https://js.stripe.com/v3', (route) => route.fulfill({ status: 200, contentType: 'application/javascript', body: FAKE_STRIPE_JS }));
  await signIn(page, org.email, org.password);
  await page.goto('/offres');
  await tile(page, 'action-pack').getByRole('link', { name: 'Acheter' }).click();
  await page.getByRole('heading', { name: /Acheter : Abonnement au Microsoft Action Pack/ }).waitFor();
  await page.getByLabel(/Carte de crédit/).check();
  await page.getByRole('button', { name: 'Suivant' }).click();
  // Stripe's field, not the test gateway's
  await page.getByLabel('Stripe card').fill('4242 4242 4242 4242');
  assert.equal(await page.getByLabel('Numéro de carte').count(), 0, 'no card field of partnerd\'s own');
  assert.deepEqual(await page.evaluate(() => window.__stripeSeen), [PUBLISHABLE], 'Stripe.js given the publishable key');
  await page.getByRole('button', { name: 'Suivant' }).click();
  await page.getByText('Passez en revue les détails de votre commande').waitFor();
  assert.match(await page.locator('main').innerText(), /VISA se terminant par 4242/);
  assert.equal(standin.state.charges.length, 0, 'nothing charged before Buy');
  await page.getByRole('button', { name: 'Acheter' }).click();
  await page.getByText('Votre commande est confirmée.').waitFor();
  assert.equal(standin.state.charges.length, 1, 'charged once, at Stripe');
  // the page loaded Stripe.js from Stripe, and sent partnerd the payment method's id only
  assert.ok(sent.some((r) => r.url === 'https://js.stripe.com/v3'), 'Stripe.js loaded');
  const toApi = sent.filter((r) => r.url.startsWith(srv.url + '/api/'));
  assert.ok(toApi.some((r) => r.url.endsWith('/api/v1/orders') && r.body.includes('"payment_method":"pm_card_visa"')), 'the order carries the payment method');
  for (const r of toApi) assert.doesNotMatch(r.body.replace(/[ -]/g, ''), /4242424242424242/, `card number sent to ${r.url}`);
  assert.ok(!sent.some((r) => r.url.includes('/test-gateway/')), 'the test gateway is not used');
  await j.close();
});
