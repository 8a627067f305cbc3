// subscriptions.test.mjs - offers, subscriptions, renewal window and auto-renew (issue 4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminOf, memberOf, operatorClock, importLegacy, sql, assertDayCountsKept, cardPayment } from './harness.mjs';

const NNBSP = '\u202f';
const NBSP = '\u00a0';
let srv, op;

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

/** A fresh organisation with one legacy subscription, migrated to Partner Center. */
async function orgWithSubscription({ offer = 'action-pack', starts = '2026-06-23', expires = '2027-06-22', autoRenew = true, migrate = true } = {}) {
  const a = await adminOf(srv.url);
  const r = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${a.org.partner.membership_id},${offer},${starts},${expires},${autoRenew}\n`);
  assert.equal(r.status, 0, r.stderr);
  const list = await a.client.call('GET', '/api/v1/subscriptions');
  const sub = list.body.items[0];
  if (migrate) assert.equal((await op.client.call('POST', `/api/v1/admin/subscriptions/${sub.id}/migrate`, {})).status, 200);
  // the test clock jumps months at a time: a session would idle out, a token does not
  const token = (await a.client.call('POST', '/api/v1/api-tokens', { name: 'tests' })).body.token;
  return { ...a, client: new Client(srv.url, { bearer: token }), session: a.client, sub };
}

const tile = async (client, code, lang) => {
  if (lang) client.lang = lang;
  const r = await client.call('GET', '/api/v1/offers');
  assert.equal(r.status, 200);
  return r.body.items.find((t) => t.code === code);
};

test('the catalog: three offers with names, benefits, terms and prices in the organisation currency', async () => {
  const { client } = await adminOf(srv.url);
  client.lang = 'fr';
  const r = await client.call('GET', '/api/v1/offers');
  assert.deepEqual(r.body.items.map((t) => t.code), ['action-pack', 'silver-competency', 'gold-competency']);
  const ap = r.body.items[0];
  assert.equal(ap.name, 'Abonnement au Microsoft Action Pack');
  assert.equal(ap.term_months, 12);
  assert.deepEqual(ap.price, { amount_minor: 49000, currency: 'EUR', formatted: `490,00${NBSP}€` });
  assert.deepEqual(ap.benefits.map((b) => b.kind), ['software', 'cloud', 'support', 'training', 'marketing']);
  assert.equal(ap.state, 'buy');
  assert.equal(r.body.items[1].name, 'Compétence Silver');
  assert.equal(r.body.items[2].price.formatted, `5${NNBSP}950,00${NBSP}€`);
  client.lang = 'en';
  const en = await client.call('GET', '/api/v1/offers');
  assert.equal(en.body.items[0].name, 'Microsoft Action Pack subscription');
  assert.equal(en.body.items[0].price.formatted, '€490.00');
  assert.equal(en.body.items[1].name, 'Silver competency');
});

test('competencies need certified people: 2 for Silver, 4 for Gold, each counting for one organisation', async () => {
  const { client } = await adminOf(srv.url);
  let silver = await tile(client, 'silver-competency', 'en');
  assert.equal(silver.state, 'not_eligible');
  assert.deepEqual(silver.prerequisites, { certified_required: 2, certified_count: 0, met: false });
  assert.match(silver.message, /2 certified people needed, 0 registered/);
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const p = await client.call('POST', '/api/v1/certified-people', { name: `Cert ${i}`, email: `cert${i}-${Date.now()}@org.example`, certification: 'Azure Solutions Architect' });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    ids.push(p.body);
  }
  silver = await tile(client, 'silver-competency');
  assert.equal(silver.state, 'buy');
  assert.equal((await tile(client, 'gold-competency')).state, 'not_eligible');
  const other = await adminOf(srv.url);
  const taken = await other.client.call('POST', '/api/v1/certified-people', { name: 'Same', email: ids[0].email.toUpperCase(), certification: 'x' });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.error.code, 'certified_person_taken');
  assert.equal((await other.client.call('DELETE', `/api/v1/certified-people/${ids[0].id}`)).status, 404);
  assert.equal((await client.call('DELETE', `/api/v1/certified-people/${ids[0].id}`)).status, 204);
  assert.equal((await tile(client, 'silver-competency')).state, 'not_eligible');
  const bad = await client.call('POST', '/api/v1/certified-people', { name: '', email: 'x', certification: 'y', extra: 1 });
  assert.equal(bad.status, 422);
  assert.deepEqual(Object.keys(bad.body.error.details.fields).sort(), ['email', 'extra', 'name']);
  const users = await memberOf(srv.url, client, ['user']);
  assert.equal((await users.client.call('GET', '/api/v1/certified-people')).status, 200);
  assert.equal((await users.client.call('POST', '/api/v1/certified-people', { name: 'x', email: 'y@z.example', certification: 'c' })).status, 403);
});

test('the reference page example: expiry 22 June, renewal from 23 June to 22 July, Paris time', async () => {
  const { client, sub } = await orgWithSubscription();
  assert.equal(sub.expires_on, '2027-06-22');
  const check = async (instant, want) => {
    await op.setClock(instant);
    const s = (await client.call('GET', `/api/v1/subscriptions/${sub.id}`)).body;
    assert.deepEqual(
      { status: s.status, eligible: s.renewal.eligible, reason: s.renewal.reason },
      want,
      `at ${instant}`,
    );
    assert.equal(s.renewal.opens_on, '2027-06-23');
    assert.equal(s.renewal.closes_on, '2027-07-22');
    return s;
  };
  // 22 June 23:59:59 in Paris is still the expiry day: not open, with the opening date
  let s = await check('2027-06-22T21:59:59Z', { status: 'active', eligible: false, reason: 'renewal_not_open' });
  assert.equal(s.benefits_suspended, false);
  let t = await tile(client, 'action-pack', 'fr');
  assert.equal(t.state, 'active');
  // migrated without a card: nothing to renew with, and the tile says so
  assert.match(t.message, /Actif jusqu'au 22 juin 2027\. Aucune carte n'est enregistrée .* renouvelez à partir du 23 juin 2027\./);
  const card = await cardPayment(srv.url, { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2031, cvc: '737', holder: 'Camille Martin' });
  assert.equal((await client.call('PUT', '/api/v1/payment-method', { payment_method: card.payment_method })).status, 200);
  t = await tile(client, 'action-pack', 'fr');
  assert.match(t.message, /Actif jusqu'au 22 juin 2027\. Renouvellement automatique le 23 juin 2027\./);
  // 23 June 00:00 in Paris: open; benefits are suspended until renewal
  s = await check('2027-06-22T22:00:00Z', { status: 'renewal_window', eligible: true, reason: null });
  assert.equal(s.benefits_suspended, true);
  t = await tile(client, 'action-pack');
  assert.equal(t.state, 'renew');
  assert.match(t.message, /expiré le 22 juin 2027\. Vous pouvez le renouveler jusqu'au 22 juillet 2027/);
  await check('2027-07-22T21:59:59Z', { status: 'renewal_window', eligible: true, reason: null });
  await check('2027-07-22T22:00:00Z', { status: 'lapsed', eligible: false, reason: 'renewal_window_closed' });
  t = await tile(client, 'action-pack');
  assert.equal(t.state, 'buy');
  assert.equal(t.subscription_id, null);
});

test('auto-renew: off at any time, then locked until a renewal', async () => {
  await op.setClock('2027-01-10T10:00:00Z');
  const { client, sub } = await orgWithSubscription();
  assert.equal(sub.auto_renew, true);
  assert.equal(sub.auto_renew_locked, false);
  let r = await client.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: true });
  assert.equal(r.status, 200); // already on: nothing changes
  r = await client.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: false });
  assert.equal(r.status, 200);
  assert.equal(r.body.auto_renew, false);
  assert.equal(r.body.auto_renew_locked, true);
  r = await client.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: true });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'auto_renew_locked');
  assert.equal((await client.call('GET', `/api/v1/subscriptions/${sub.id}`)).body.auto_renew, false);
  const t = await tile(client, 'action-pack', 'fr');
  assert.match(t.message, /Vous pourrez le renouveler à partir du 23 juin 2027/);
  assert.equal((await client.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: 'no' })).status, 422);
  assert.equal((await client.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: false, x: 1 })).status, 422);
  const reader = await memberOf(srv.url, client, ['user']);
  assert.equal((await reader.client.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: false })).status, 403);
  const billing = await memberOf(srv.url, client, ['billing_admin']);
  assert.equal((await billing.client.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: false })).status, 200);
  const events = (await client.call('GET', '/api/v1/audit-events')).body.items.map((e) => e.action);
  assert.ok(events.includes('subscription.auto_renew_off'));
  // a legacy subscription imported with auto-renew off arrives locked
  const off = await orgWithSubscription({ autoRenew: false });
  assert.equal(off.sub.auto_renew_locked, true);
});

test('legacy PMC subscriptions: every bad row reported by line, and then nothing imported', async () => {
  const a = await adminOf(srv.url);
  const b = await adminOf(srv.url);
  const before = sql(srv.db.url, 'SELECT COUNT(*) FROM subscriptions');
  const r = importLegacy(srv.db, [
    'membership_id,offer,starts_on,expires_on,auto_renew',
    `${a.org.partner.membership_id},action-pack,2026-06-23,2027-06-22,true`,
    `0000001,action-pack,2026-06-23,2027-06-22,true`,
    `${b.org.partner.membership_id},platinum,2026-06-23,2027-06-22,true`,
    `${b.org.partner.membership_id},gold-competency,2026-02-30,2025-01-01,maybe`,
    `${a.org.partner.membership_id},action-pack,2026-06-23,2027-06-22,false`,
    '',
    'too,few',
    '',
  ].join('\r\n'));
  assert.equal(r.status, 1);
  for (const want of [
    /line 3: membership_id: no partner has this membership ID/,
    /line 4: offer: unknown offer code/,
    /line 5: starts_on: not a date/,
    /line 5: auto_renew: true or false/,
    /line 6: offer: the same partner and offer are on another line/,
    /line 8: row: must have 5 comma-separated fields/, // counted as an editor counts, blank line 7 included
    /nothing imported/,
  ])
    assert.match(r.stderr, want);
  assert.equal(sql(srv.db.url, 'SELECT COUNT(*) FROM subscriptions'), before);
  const header = importLegacy(srv.db, 'id,offer\n1,2\n');
  assert.equal(header.status, 1);
  assert.match(header.stderr, /line 1: header: must be membership_id,offer,starts_on,expires_on,auto_renew/);
  const ok = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\r\n${a.org.partner.membership_id},action-pack,2026-06-23,2027-06-22,true\r\n`);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /imported 1 subscription/);
  const again = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${a.org.partner.membership_id},action-pack,2026-06-23,2027-06-22,true\n`);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already has a live subscription/);
  // the import runs on the pinned test clock: once that term is over and its window closed, the
  // PMC's next one is taken (on the real day, 2026-11-30 at the time of writing, it is live)
  await op.setClock('2027-08-01T10:00:00Z');
  try {
    const next = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${a.org.partner.membership_id},action-pack,2027-07-15,2028-07-14,true\n`);
    assert.equal(next.status, 0, next.stderr);
  } finally {
    await op.setClock('2027-01-10T10:00:00Z');
  }
});

test("legacy PMC import: a spreadsheet's CSV UTF-8 export (byte order mark, quoted fields) is read as it is", async () => {
  const a = await adminOf(srv.url);
  const b = await adminOf(srv.url);
  const r = importLegacy(srv.db, [
    '\uFEFF"membership_id","offer","starts_on","expires_on","auto_renew"',
    `"${a.org.partner.membership_id}","action-pack","2026-06-23","2027-06-22","TRUE"`,
    `${b.org.partner.membership_id},"silver-competency",2026-07-01,"2027-06-30",false`,
    '',
  ].join('\r\n'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /imported 2 subscription/);
  const sa = (await a.client.call('GET', '/api/v1/subscriptions')).body.items;
  assert.deepEqual(sa.map((s) => [s.offer.code, s.starts_on, s.expires_on, s.auto_renew, s.managed_in]), [['action-pack', '2026-06-23', '2027-06-22', true, 'pmc']]);
  const sb = (await b.client.call('GET', '/api/v1/subscriptions')).body.items;
  assert.deepEqual(sb.map((s) => [s.starts_on, s.auto_renew, s.auto_renew_locked]), [['2026-07-01', false, true]]);
});

test('legacy PMC import: the same file imported again does not copy its past terms', async () => {
  const a = await adminOf(srv.url);
  const m = a.org.partner.membership_id;
  const csv = `membership_id,offer,starts_on,expires_on,auto_renew\n${m},silver-competency,2024-01-01,2024-12-31,false\n`;
  const count = () => sql(srv.db.url, `SELECT COUNT(*) FROM subscriptions WHERE partner_id = '${a.org.partner.id}'`);
  assert.equal(importLegacy(srv.db, csv).status, 0);
  assert.equal(count(), '1');
  const again = importLegacy(srv.db, csv);
  assert.equal(again.status, 1, again.stdout);
  assert.match(again.stderr, /line 2: offer: the partner already has a subscription to this offer for these dates/);
  // so is a term overlapping the one held; the next term is taken
  const overlap = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${m},silver-competency,2024-12-31,2025-12-30,false\n`);
  assert.equal(overlap.status, 1, overlap.stdout);
  assert.equal(count(), '1');
  const next = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${m},silver-competency,2025-01-01,2025-12-31,false\n`);
  assert.equal(next.status, 0, next.stderr);
  assert.equal(count(), '2');
});

test('PMC subscriptions: tiles send partners to the PMC until an operator migrates them', async () => {
  await op.setClock('2027-06-25T10:00:00Z'); // inside the renewal window
  const { client, sub } = await orgWithSubscription({ migrate: false });
  assert.equal(sub.managed_in, 'pmc');
  assert.equal(sub.renewal.reason, 'managed_in_pmc');
  assert.equal(sub.renewal.eligible, false);
  let t = await tile(client, 'action-pack', 'en');
  assert.equal(t.state, 'manage_in_pmc');
  assert.equal(t.pmc_url, 'https://partner.microsoft.com/membership');
  assert.match(t.message, /managed in the Partner Membership Center: renew it at https:\/\//);
  const patch = await client.call('PATCH', `/api/v1/subscriptions/${sub.id}`, { auto_renew: false });
  assert.equal(patch.status, 409);
  assert.equal(patch.body.error.code, 'managed_in_pmc');
  assert.equal(patch.body.error.details.pmc_url, 'https://partner.microsoft.com/membership');
  // the PMC address is a setting
  assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/pmc.url', { value: 'http://insecure.example' })).status, 422);
  assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/pmc.url', { value: 'https://pmc.example.com/renew' })).status, 200);
  assert.equal((await tile(client, 'action-pack')).pmc_url, 'https://pmc.example.com/renew');
  await op.client.call('PUT', '/api/v1/admin/settings/pmc.url', { value: 'https://partner.microsoft.com/membership' });

  const pmc = await op.client.call('GET', '/api/v1/admin/subscriptions?managed_in=pmc');
  assert.ok(pmc.body.items.some((s) => s.id === sub.id));
  const m = await op.client.call('POST', `/api/v1/admin/subscriptions/${sub.id}/migrate`, {});
  assert.equal(m.status, 200);
  assert.equal(m.body.managed_in, 'partner_center');
  assert.equal(m.body.renewal.eligible, true);
  t = await tile(client, 'action-pack', 'en');
  assert.equal(t.state, 'renew');
  assert.match(t.message, /now managed here, in Partner Center/);
  assert.equal((await op.client.call('POST', `/api/v1/admin/subscriptions/${sub.id}/migrate`, {})).status, 409);
  const events = (await client.call('GET', '/api/v1/audit-events')).body.items.map((e) => e.action);
  assert.ok(events.includes('subscription.migrated') && events.includes('subscription.imported'));
  const { client: c2 } = await orgWithSubscription({ migrate: false });
  const all = await op.client.call('POST', '/api/v1/admin/subscriptions/migrate-all', {});
  assert.ok(all.body.migrated >= 1);
  assert.equal((await tile(c2, 'action-pack')).state, 'renew');
  assert.equal((await op.client.call('GET', '/api/v1/admin/subscriptions?managed_in=pmc')).body.items.length, 0);
});

test('subscriptions list by status; other organisations answer 404', async () => {
  await op.setClock('2027-03-01T10:00:00Z');
  const a = await orgWithSubscription();
  const r = importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${a.org.partner.membership_id},gold-competency,2025-01-15,2026-01-14,false\n`);
  assert.equal(r.status, 0, r.stderr);
  const all = await a.client.call('GET', '/api/v1/subscriptions');
  assert.equal(all.body.items.length, 2);
  const active = await a.client.call('GET', '/api/v1/subscriptions?status=active');
  assert.deepEqual(active.body.items.map((s) => s.offer.code), ['action-pack']);
  const lapsed = await a.client.call('GET', '/api/v1/subscriptions?status=lapsed');
  assert.deepEqual(lapsed.body.items.map((s) => s.offer.code), ['gold-competency']);
  const bad = await a.client.call('GET', '/api/v1/subscriptions?status=expired', undefined, { 'Accept-Language': 'fr' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_query');
  assert.match(bad.body.error.details.fields.status, /^une de ces valeurs : pending_payment/);
  const badStatusEn = await a.client.call('GET', '/api/v1/subscriptions?status=expired', undefined, { 'Accept-Language': 'en' });
  assert.equal(badStatusEn.body.error.details.fields.status, 'one of: pending_payment, active, renewal_window, lapsed, cancelled');
  const b = await adminOf(srv.url);
  for (const [m, body] of [['GET'], ['PATCH', { auto_renew: false }]]) {
    const foreign = await b.client.call(m, `/api/v1/subscriptions/${a.sub.id}`, body);
    assert.equal(foreign.status, 404);
    assert.deepEqual(foreign.body, (await b.client.call(m, '/api/v1/subscriptions/sub_nothing', body)).body);
  }
  assert.equal((await b.client.call('GET', '/api/v1/subscriptions')).body.items.length, 0);
});

test('a competency whose certified people fall short says its renewal is at risk', async () => {
  await op.setClock('2027-03-01T10:00:00Z');
  const { client, sub } = await orgWithSubscription({ offer: 'silver-competency' });
  let t = await tile(client, 'silver-competency', 'en');
  assert.equal(t.state, 'active');
  assert.match(t.warning, /Renewal eligibility at risk/);
  for (let i = 0; i < 2; i++)
    await client.call('POST', '/api/v1/certified-people', { name: `P${i}`, email: `p${i}-${sub.id}@org.example`, certification: 'MCSE' });
  t = await tile(client, 'silver-competency');
  assert.equal(t.warning, null);
  await op.setClock('2027-06-24T10:00:00Z');
  assert.equal((await tile(client, 'silver-competency')).state, 'renew');
});

test('the renewal window length is a setting', async () => {
  const { client, sub } = await orgWithSubscription();
  assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/renewal.window_days', { value: 10 })).status, 200);
  try {
    await op.setClock('2027-07-02T10:00:00Z');
    assert.equal((await client.call('GET', `/api/v1/subscriptions/${sub.id}`)).body.renewal.closes_on, '2027-07-02');
    await op.setClock('2027-07-03T10:00:00Z');
    assert.equal((await client.call('GET', `/api/v1/subscriptions/${sub.id}`)).body.status, 'lapsed');
  } finally {
    await op.client.call('PUT', '/api/v1/admin/settings/renewal.window_days', { value: 30 });
  }
});

test('operators change prices and add offers; partners see them at once', async () => {
  const { client } = await adminOf(srv.url);
  let r = await op.client.call('PUT', '/api/v1/admin/offers/action-pack/prices/EUR', { amount_minor: 52000 });
  assert.equal(r.status, 200);
  try {
    assert.equal((await tile(client, 'action-pack', 'en')).price.formatted, '€520.00');
    assert.equal((await op.client.call('PUT', '/api/v1/admin/offers/action-pack/prices/XYZ', { amount_minor: 1 })).status, 422);
    assert.equal((await op.client.call('PUT', '/api/v1/admin/offers/action-pack/prices/EUR', { amount_minor: -5 })).status, 422);
    assert.equal((await op.client.call('PUT', '/api/v1/admin/offers/nothing/prices/EUR', { amount_minor: 5 })).status, 404);
  } finally {
    await op.client.call('PUT', '/api/v1/admin/offers/action-pack/prices/EUR', { amount_minor: 49000 });
  }
  const code = `azure-expert-${Date.now()}`;
  r = await op.client.call('POST', '/api/v1/admin/offers', {
    code,
    term_months: 12,
    certified_required: 0,
    name: { fr: 'Expert Azure', en: 'Azure Expert' },
    description: { fr: 'Pour les experts.', en: 'For experts.' },
    prices: { EUR: 99000, USD: 105000 },
    benefits: [{ kind: 'cloud', fr: 'Crédits', en: 'Credits' }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const t = await tile(client, code, 'en');
  assert.equal(t.name, 'Azure Expert');
  assert.equal(t.state, 'buy');
  assert.deepEqual(t.benefits, [{ kind: 'cloud', label: 'Credits' }]);
  assert.equal((await op.client.call('POST', '/api/v1/admin/offers', { code })).status, 422);
  const dup = await op.client.call('POST', '/api/v1/admin/offers', { code, name: { fr: 'a', en: 'b' }, description: { fr: 'a', en: 'b' }, prices: { EUR: 1 } });
  assert.equal(dup.status, 409);
  const events = (await op.client.call('GET', '/api/v1/audit-events?limit=200')).body.items.map((e) => e.action);
  assert.ok(events.includes('offer.price_changed') && events.includes('offer.added'));
});

// last: after every change the tests above made to subscriptions
test("the dashboard's renewals due, kept per day, follow every change above: imports, PMC migrations, auto-renew turned off and on, renewals", async () => {
  assert.ok(assertDayCountsKept(srv.db.url) > 0, 'subscriptions counted');
  const run = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
  assert.equal(run.status, 200, JSON.stringify(run.body));
  assertDayCountsKept(srv.db.url, { folded: true });
});
