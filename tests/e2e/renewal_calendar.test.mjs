// renewal_calendar.test.mjs - the renewal calendar's edges over time: reminders in a short
// renewal window, and what a pass owes a subscription after days without one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, operatorClock, readMails, sql, join, cardPayment } from './harness.mjs';

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

async function runJobs() {
  const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.ok, true, JSON.stringify(r.body));
  return Object.fromEntries(r.body.jobs.map((j) => [j.name, j.done]));
}

/** A fresh organisation (bearer client) that bought the Action Pack by card on `day`. */
async function subscriber(day) {
  await op.setClock(`${day}T09:00:00Z`);
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const api = new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(srv.url, CARD) });
  const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(p.body.status, 'confirmed', JSON.stringify(p.body));
  return { api, email: org.email, subId: p.body.subscription_id };
}

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
