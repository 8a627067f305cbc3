// renewal_calendar.test.mjs - the renewal calendar's edges over time: reminders in a short
// renewal window, and those of a subscription that cannot renew by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, operatorClock, readMails, sql, tokenize, wireOrder, staffClient, ledgerSql, cardSubscriber } from './harness.mjs';

let srv, op;
const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2035, cvc: '737', holder: 'Camille Martin' };

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

const runJobs = () => op.runJobs();

/** A fresh organisation that bought the Action Pack by card on `day` (cardSubscriber). */
const subscriber = (day) => cardSubscriber(srv.url, op, day, CARD);

const notices = (s) => readMails(srv.mailDir).filter((m) => m.to === s.email && m.headers['x-partnerd-event'] === 'subscription.notice').map((m) => m.subject);

/** Runs a pass on every day from `from` to `to` inclusive, at `hour` UTC. */
async function everyDay(from, to, hour = '08:00') {
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    await op.setClock(`${d.toISOString().slice(0, 10)}T${hour}:00Z`);
    await runJobs();
  }
}

// "7 days before it closes" falls on the expiry day in a window of 7 days: it outranked the
// window-open notice, which was never sent, and told of a renewal not open yet.
test('a renewal window of 7 days: the window-open notice goes out when it opens, nothing of it before', async () => {
  assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/renewal.window_days', { value: 7 })).status, 200);
  try {
    const s = await subscriber('2027-04-10'); // expires 2028-04-09; window 10 - 16 April
    assert.equal((await s.api.call('PATCH', `/api/v1/subscriptions/${s.subId}`, { auto_renew: false })).status, 200);
    await op.setClock('2028-03-10T08:00:00Z'); // 30 days before
    await runJobs();
    await everyDay('2028-04-02', '2028-04-09');
    assert.deepEqual(notices(s), [
      'Abonnement au Microsoft Action Pack : expire le 9 avril 2028',
      'Rappel : Abonnement au Microsoft Action Pack expire le 9 avril 2028',
      'Abonnement au Microsoft Action Pack : expire demain, le 9 avril 2028',
    ], 'nothing of the window before it opens');
    await everyDay('2028-04-10', '2028-04-17');
    assert.deepEqual(notices(s).slice(3), [
      'Abonnement au Microsoft Action Pack : à renouveler avant le 16 avril 2028',
      'Abonnement au Microsoft Action Pack : a pris fin',
    ]);
  } finally {
    assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/renewal.window_days', { value: 30 })).status, 200);
  }
});

// Bought by wire, auto-renew is on (the default) but no card is saved: the renewals job tries
// nothing. The partner was told « sera renouvelé automatiquement ... avec la carte
// enregistrée », then nothing until « a pris fin ».
test('auto-renew on without a saved card: the reminders of a manual renewal, until a card is saved', async () => {
  const w = await wireOrder(srv.url, op, '2027-04-14'); // expires 2028-04-13
  const fin = await staffClient(srv, 'finance');
  const paid = await fin.call('POST', '/api/v1/admin/wire-transfers', { reference: w.reference, amount_minor: w.total, currency: 'EUR', received_on: '2027-04-14' });
  assert.equal(paid.status, 201, JSON.stringify(paid.body));
  const [sub] = (await w.api.call('GET', '/api/v1/subscriptions')).body.items;
  assert.deepEqual([sub.expires_on, sub.auto_renew], ['2028-04-13', true]);
  const mails = () => readMails(srv.mailDir).filter((m) => m.to === w.org.email && m.headers['x-partnerd-event'] === 'subscription.notice');
  await op.setClock('2028-03-14T08:00:00Z'); // 30 days before
  await runJobs();
  assert.deepEqual(mails().map((m) => m.subject), ['Abonnement au Microsoft Action Pack : expire le 13 avril 2028']);
  // why, and what to do about it
  assert.match(mails()[0].text, /Abonnement au Microsoft Action Pack expire le 13 avril 2028\. Le renouvellement automatique ne pourra pas être fait : aucune carte enregistrée ne sera valable à cette date\. Enregistrez une carte dans l'Espace partenaires \(Profil de l'entreprise, Carte pour le renouvellement automatique\), ou renouvelez du 14 avril 2028 au 13 mai 2028 depuis Offres d'adhésion\./);
  await everyDay('2028-04-06', '2028-04-14');
  assert.deepEqual(mails().map((m) => m.subject).slice(1), [
    'Rappel : Abonnement au Microsoft Action Pack expire le 13 avril 2028',
    'Abonnement au Microsoft Action Pack : expire demain, le 13 avril 2028',
    'Abonnement au Microsoft Action Pack : à renouveler avant le 13 mai 2028',
  ]);
  // a card saved now: the automatic renewal's notice is no longer true (the window is open:
  // none is sent), and the next try day charges it
  const put = await w.api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(srv.url, CARD)).id });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  await runJobs();
  assert.equal(ledgerSql(srv, `SELECT COUNT(*) FROM gw_charges WHERE idempotency_key LIKE 'auto:${sub.id}:%'`).trim(), '1', 'renewed at the next pass');
  assert.equal(mails().length, 4);
});

test('a card saved before the first notice: the upcoming-renewal notice, at the next pass', async () => {
  const w = await wireOrder(srv.url, op, '2027-04-15'); // expires 2028-04-14
  const fin = await staffClient(srv, 'finance');
  assert.equal((await fin.call('POST', '/api/v1/admin/wire-transfers', { reference: w.reference, amount_minor: w.total, currency: 'EUR', received_on: '2027-04-15' })).status, 201);
  const mails = () => readMails(srv.mailDir).filter((m) => m.to === w.org.email && m.headers['x-partnerd-event'] === 'subscription.notice').map((m) => m.subject);
  await op.setClock('2028-03-15T08:00:00Z'); // 30 days before
  await runJobs();
  assert.deepEqual(mails(), ['Abonnement au Microsoft Action Pack : expire le 14 avril 2028']);
  assert.equal((await w.api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(srv.url, CARD)).id })).status, 200);
  await runJobs();
  assert.deepEqual(mails().slice(1), ['Renouvellement automatique le 15 avril 2028 : Abonnement au Microsoft Action Pack']);
});

// The saved card expires in December 2027, the subscription on 29 February 2028: the bank
// declines it on every try. The partner was told « sera renouvelé automatiquement le 1er mars
// 2028 avec la carte enregistrée », then got three failed payments and « a pris fin ».
test('a saved card expired by the renewal day: the reminders of a manual renewal, until a valid card is saved', async () => {
  const s = await subscriber('2027-03-01'); // expires 2028-02-29
  const old = { ...CARD, exp_year: 2027 };
  assert.equal((await s.api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(srv.url, old)).id })).status, 200);
  await op.setClock('2028-01-30T08:00:00Z'); // 30 days before
  await runJobs();
  assert.deepEqual(notices(s), ['Abonnement au Microsoft Action Pack : expire le 29 février 2028']);
  assert.match(readMails(srv.mailDir).find((m) => m.to === s.email && m.subject === notices(s)[0]).text, /aucune carte enregistrée ne sera valable à cette date\. Enregistrez une carte/);
  await everyDay('2028-02-22', '2028-02-22');
  assert.equal(notices(s).length, 2, 'reminded 7 days before');
  assert.equal((await s.api.call('PUT', '/api/v1/payment-method', { payment_method: (await tokenize(srv.url, CARD)).id })).status, 200);
  await runJobs();
  assert.deepEqual(notices(s).slice(2), ['Renouvellement automatique le 1er mars 2028 : Abonnement au Microsoft Action Pack']);
});
