// renewal_sca.test.mjs - an automatic renewal the bank asks to authenticate, in a real
// browser (issue 16): the partner opens the link of the email, sees the amount and the offer,
// « Confirmer le paiement », passes « Valider » on the bank's challenge, and is back on the
// portal with the renewal confirmed; charged once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, journey, signIn, startServer, operatorClock, join, Client, ledgerSql, readMails, cardPayment, tokenize } from './harness.mjs';

const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2031, cvc: '737', holder: 'Camille Martin' };
const ALWAYS = { ...CARD, number: '4000 0027 6000 3184' }; // the bank asks every time
let srv, op, browser;

before(async () => {
  srv = await startServer({ args: ['--test-clock', '--no-jobs'] });
  op = await operatorClock(srv);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await op?.setClock(null);
  await srv?.stop();
});

const runJobs = () => op.runJobs();

test('the email\'s link: « Confirmer le paiement », « Valider » at the bank, the renewal confirmed', async () => {
  await op.setClock('2027-02-10T09:00:00Z');
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const api = new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 'web' })).body.token });
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(p.body.status, 'confirmed', JSON.stringify(p.body));
  assert.equal((await api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(srv.url, ALWAYS)).id })).status, 200);
  // day 1 of the window: the bank asks to authenticate the off-session charge
  await op.setClock('2028-02-10T07:00:00Z');
  await runJobs();
  await runJobs(); // the email leaves with the delivery job
  const mail = readMails(srv.mailDir).find((m) => m.to === org.email && m.subject.startsWith('Confirmez le paiement de votre renouvellement'));
  assert.ok(mail, 'the partner is emailed');
  const link = mail.text.match(/https?:\/\/\S+\/paiement\/ord_\w+/)[0];
  const orderId = link.split('/').pop();

  const j = await journey(browser, srv, '16-renewal-sca');
  const { page } = j;
  await signIn(page, org.email, org.password);
  // the subscription says a payment waits for the partner
  await page.goto('/achete');
  await page.getByRole('link', { name: 'Paiement à confirmer' }).waitFor();
  await j.shot('subscription-pay-to-confirm');
  // the email's link
  await page.goto(new URL(link).pathname);
  await page.getByRole('heading', { name: 'Confirmez le paiement de votre renouvellement' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /588,00\s€/);
  assert.match(text, /Microsoft Action Pack/);
  assert.match(text, /•••• 3184/);
  assert.match(text, /au plus tard le 11 février 2028/);
  await j.shot('confirm-renewal-payment');
  assert.equal(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE idempotency_key LIKE '${orderId}:%'`).trim(), '0', 'nothing charged before the click');
  await page.getByRole('button', { name: 'Confirmer le paiement' }).click();
  await page.waitForURL('**/test-gateway/v1/challenges/**');
  assert.match(await page.locator('main').innerText(), /588,00\s€.*se terminant par 3184/s);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/paiement/${orderId}**`);
  await page.getByText('Votre commande est confirmée.').waitFor();
  assert.match(await page.locator('main').innerText(), /jusqu'au 9 février 2029|au 9 février 2029/);
  await j.shot('renewal-confirmed');
  await j.close();
  assert.equal(ledgerSql(srv, `SELECT group_concat(status, ',') FROM gw_charges WHERE idempotency_key LIKE '${orderId}:%' OR idempotency_key LIKE 'auto:%'`).trim(), 'canceled,succeeded');
  const sub = (await api.call('GET', `/api/v1/subscriptions/${p.body.subscription_id}`)).body;
  assert.deepEqual([sub.status, sub.expires_on, sub.pending_payment], ['active', '2029-02-09', undefined]);
});

test('the link of a try that a later retry paid says the renewal is paid, and charges nothing', async () => {
  await op.setClock('2027-03-01T09:00:00Z');
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const api = new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 'web' })).body.token });
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal((await api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(srv.url, ALWAYS)).id })).status, 200);
  await op.setClock('2028-03-01T07:00:00Z'); // day 1: the bank asks
  await runJobs();
  const first = (await api.call('GET', `/api/v1/subscriptions/${p.body.subscription_id}`)).body.pending_payment;
  assert.ok(first);
  // another card, which the bank does not ask about; day 3's retry pays the renewal
  assert.equal((await api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(srv.url, CARD)).id })).status, 200);
  await op.setClock('2028-03-03T07:00:00Z');
  await runJobs();
  const j = await journey(browser, srv, '16-renewal-sca-paid-by-retry');
  const { page } = j;
  await signIn(page, org.email, org.password);
  await page.goto(first.url);
  await page.getByText('Ce renouvellement est payé', { exact: false }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Confirmer le paiement' }).count(), 0);
  await j.shot('old-link-paid');
  await j.close();
  assert.equal(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE idempotency_key LIKE '${first.order_id}:%'`).trim(), '0');
});
