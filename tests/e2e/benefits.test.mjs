// benefits.test.mjs - what a membership gives (issue 18): grants of a paid term, states,
// activation of product keys and cloud subscriptions, keys shown only to the organisation
// that received them, the last keys taken by two organisations at once, support
// incidents, catalog changes, lapse and deadline reminders. Runs on SQLite and, with
// PARTNERD_TEST_PG, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { PG, startServer, adminOf, memberOf, operatorClock, staffClient, sql, sqlScript, jobsProcess, readMails } from './harness.mjs';

let srv, op, finance, support;
const WIRE = { method: 'wire', contact: { name: 'Pay Er', phone: '+33 1 23 45 67 89', email: 'pay@x.example' } };
const CSV = { 'Content-Type': 'text/csv' };

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  const keyFile = joinPath(mkdtempSync(joinPath(tmpdir(), 'partnerd-keys-')), 'keys.secret');
  sql(srv.db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0), ('benefits.key_file', '${keyFile}', 0), ('benefits.low_stock_threshold', '2', 0)`);
  op = await operatorClock(srv);
  await op.setClock('2027-01-04T09:00:00Z');
  finance = await staffClient(srv, 'finance');
  support = await staffClient(srv, 'support');
});
after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

/** An offer of its own (so tests do not share pools), with these benefit rules. */
async function offerWith(code, benefits) {
  const add = await op.client.call('POST', '/api/v1/admin/offers', {
    code, name: { fr: `Offre ${code}`, en: `Offer ${code}` }, description: { fr: 'Test', en: 'Test' }, prices: { EUR: 10000 },
  });
  assert.equal(add.status, 201, JSON.stringify(add.body));
  const put = await op.client.call('PUT', `/api/v1/admin/offers/${code}/benefits`, { benefits });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  return put.body.items;
}

/** A fresh organisation that bought `offer` by wire, the transfer recorded today. */
async function member(offer = 'action-pack') {
  const a = await adminOf(srv.url);
  const token = (await a.client.call('POST', '/api/v1/api-tokens', { name: 'tests' })).body.token;
  const client = new (a.client.constructor)(srv.url, { bearer: token });
  const o = await client.call('POST', '/api/v1/orders', { offer, action: 'purchase', payment: WIRE });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  const bought = await client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(bought.status, 200, JSON.stringify(bought.body));
  const today = (await op.client.call('GET', '/api/v1/admin/clock')).body.today || '2027-01-04';
  const paid = await finance.call('POST', '/api/v1/admin/wire-transfers', {
    reference: bought.body.payment_instructions.reference, amount_minor: bought.body.total.amount_minor, currency: bought.body.total.currency, received_on: today,
  });
  assert.equal(paid.body.status, 'matched', JSON.stringify(paid.body));
  return { ...a, client, session: a.client };
}

const benefits = async (client, lang = 'fr') => {
  client.lang = lang;
  const r = await client.call('GET', '/api/v1/benefits');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const load = (product, keys) => op.client.call('POST', `/api/v1/admin/key-pools/${product}/keys`, keys.join('\n') + '\n', CSV);
const keyOf = (p, i) => `${p.toUpperCase().slice(0, 5).padEnd(5, 'Z')}-${String(i).padStart(5, '0')}-AAAAA-BBBBB-CCCCC`;

test('a paid term grants the offer benefits, grouped as the reference page groups them', async () => {
  const m = await member('action-pack');
  const fr = await benefits(m.client, 'fr');
  assert.deepEqual(fr.items.map((b) => [b.kind, b.group]), [
    ['software_key', 'software'], ['software_key', 'software'], ['cloud_subscription', 'software'],
    ['support_incident', 'support'], ['training', 'training'], ['resource', 'resources'], ['resource', 'resources'],
  ]);
  const cloud = fr.items[2];
  assert.equal(cloud.name, 'Microsoft 365 Business Premium');
  assert.deepEqual([cloud.quantity, cloud.used, cloud.remaining, cloud.state, cloud.can_activate], [5, 0, 5, 'available', true]);
  assert.equal(cloud.starts_on, '2027-01-04');
  assert.equal(cloud.activate_by, '2027-04-04'); // 90 days
  assert.equal(fr.support_incidents_left, 5);
  const en = await benefits(m.client, 'en');
  assert.equal(en.items[0].name, 'Windows Server 2022 Standard (internal use)');
  // a user reads, only the admins activate
  const user = await memberOf(srv.url, m.session, ['user']);
  assert.equal((await user.client.call('GET', '/api/v1/benefits')).status, 200);
  const denied = await user.client.call('POST', `/api/v1/benefits/${cloud.id}/activation`, { tenant_domain: 'x.example', seats: 1 });
  assert.equal(denied.status, 403);
  const aa = await memberOf(srv.url, m.session, ['account_admin']);
  const act = await aa.client.call('POST', `/api/v1/benefits/${cloud.id}/activation`, { tenant_domain: 'contoso.onmicrosoft.com', seats: 5 });
  assert.equal(act.status, 200, JSON.stringify(act.body));
  assert.deepEqual([act.body.state, act.body.used, act.body.remaining, act.body.tenant_domain], ['activated', 5, 0, 'contoso.onmicrosoft.com']);
  const again = await aa.client.call('POST', `/api/v1/benefits/${cloud.id}/activation`, { tenant_domain: 'contoso.onmicrosoft.com', seats: 1 });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'benefit_not_available');
  const bad = await m.client.call('POST', `/api/v1/benefits/${fr.items[0].id}/activation`, { count: 9 });
  assert.equal(bad.status, 422);
});

test('keys: sealed at rest, shown whole only to the organisation that received them, masked for staff', async () => {
  await offerWith('keys-pack', [{ kind: 'software_key', product: 'keys-product', name: { fr: 'Produit', en: 'Product' }, quantity: 2 }]);
  const loaded = await load('keys-product', ['key', keyOf('keys', 1), keyOf('keys', 2), keyOf('keys', 3), keyOf('keys', 1)]);
  assert.equal(loaded.status, 201, JSON.stringify(loaded.body));
  assert.deepEqual([loaded.body.loaded, loaded.body.duplicates, loaded.body.pool.free], [3, 1, 3]);
  const stored = sql(srv.db.url, "SELECT sealed FROM product_keys WHERE pool_id = 'keys-product'");
  assert.ok(!stored.includes('KEYSZ'), 'keys are stored sealed');
  const a = await member('keys-pack');
  const b = await member('keys-pack');
  const grant = (await benefits(a.client)).items[0];
  const act = await a.client.call('POST', `/api/v1/benefits/${grant.id}/activation`, {});
  assert.equal(act.status, 200, JSON.stringify(act.body));
  assert.deepEqual([act.body.state, act.body.used], ['activated', 2]);
  const keys = await a.client.call('GET', `/api/v1/benefits/${grant.id}/keys`);
  assert.deepEqual(keys.body.items.map((k) => k.key), [keyOf('keys', 1), keyOf('keys', 2)]);
  assert.match(keys.headers.get('cache-control') || '', /no-store/);
  // another organisation: 404, and nothing of the keys in the answer
  for (const path of [`/api/v1/benefits/${grant.id}/keys`, `/api/v1/benefits/${grant.id}`]) {
    const other = await b.client.call('GET', path);
    assert.equal(other.status, 404);
    assert.ok(!JSON.stringify(other.body).includes('KEYSZ'));
  }
  // staff: masked, with whom each went to; partner routes are not theirs
  const masked = await support.call('GET', '/api/v1/admin/key-pools/keys-product/keys');
  assert.equal(masked.status, 200);
  assert.deepEqual(masked.body.items.map((k) => k.masked), ['XXXXX-XXXXX-XXXXX-XXXXX-CCCCC', 'XXXXX-XXXXX-XXXXX-XXXXX-CCCCC', 'XXXXX-XXXXX-XXXXX-XXXXX-CCCCC']);
  assert.ok(!JSON.stringify(masked.body).includes('KEYSZ'));
  assert.equal(masked.body.items.filter((k) => k.partner_id === a.org.partner.id).length, 2);
  assert.equal((await support.call('GET', `/api/v1/benefits/${grant.id}/keys`)).status, 403);
  // the audit log of every assignment, and the webhook event
  const audited = sql(srv.db.url, `SELECT COUNT(*) FROM audit_events WHERE action = 'benefit.key_assigned' AND partner_id = '${a.org.partner.id}'`);
  assert.equal(audited, '2');
  const events = sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'benefit.activated' AND partner_id = '${a.org.partner.id}'`);
  assert.equal(events, '1');
  // one free key left, under the threshold of 2: operators were told once
  const pools = await support.call('GET', '/api/v1/admin/key-pools');
  const pool = pools.body.items.find((p) => p.product === 'keys-product');
  assert.deepEqual([pool.total, pool.free, pool.assigned, pool.low], [3, 1, 2, true]);
  assert.equal(sql(srv.db.url, "SELECT COUNT(*) FROM outbox WHERE event = 'key_pool.low' AND payload LIKE '%keys-product%'"), '1');
});

test('two organisations activating the last keys at once: each key goes once, one is queued and served when keys arrive', async () => {
  await offerWith('race-pack', [{ kind: 'software_key', product: 'race-product', name: { fr: 'Course', en: 'Race' }, quantity: 2 }]);
  const a = await member('race-pack');
  const b = await member('race-pack');
  assert.equal((await load('race-product', [keyOf('race', 1), keyOf('race', 2)])).status, 201);
  const ga = (await benefits(a.client)).items[0];
  const gb = (await benefits(b.client)).items[0];
  const [ra, rb] = await Promise.all([
    a.client.call('POST', `/api/v1/benefits/${ga.id}/activation`, {}),
    b.client.call('POST', `/api/v1/benefits/${gb.id}/activation`, {}),
  ]);
  const answers = [ra, rb].map((r) => r.status).sort();
  assert.deepEqual(answers, [200, 409], JSON.stringify([ra.body, rb.body]));
  const [won, lost] = ra.status === 200 ? [a, b] : [b, a];
  const queued = ra.status === 409 ? ra : rb;
  assert.equal(queued.body.error.code, 'key_pool_empty');
  assert.equal(queued.body.error.details.queued, true);
  assert.match(queued.body.error.message, /file d'attente|queued/);
  // each key once
  assert.equal(sql(srv.db.url, "SELECT COUNT(DISTINCT grant_id) || '/' || COUNT(*) FROM product_keys WHERE pool_id = 'race-product' AND grant_id IS NOT NULL"), '1/2');
  const lostGrant = (await benefits(lost.client)).items[0];
  assert.deepEqual([lostGrant.state, lostGrant.queued, lostGrant.can_activate], ['available', true, false]);
  // asking again keeps its place
  assert.equal((await lost.client.call('POST', `/api/v1/benefits/${lostGrant.id}/activation`, {})).body.error.code, 'key_pool_empty');
  // keys arrive: the queue is served
  const more = await load('race-product', [keyOf('race', 3), keyOf('race', 4), keyOf('race', 5)]);
  assert.deepEqual([more.body.loaded, more.body.served, more.body.pool.free, more.body.pool.queued_requests], [3, 1, 1, 0]);
  const served = (await benefits(lost.client)).items[0];
  assert.deepEqual([served.state, served.used, served.queued], ['activated', 2, false]);
  const wonKeys = (await won.client.call('GET', `/api/v1/benefits/${(await benefits(won.client)).items[0].id}/keys`)).body.items.map((k) => k.key);
  const lostKeys = (await lost.client.call('GET', `/api/v1/benefits/${served.id}/keys`)).body.items.map((k) => k.key);
  assert.equal(new Set([...wonKeys, ...lostKeys]).size, 4);
});

test('support incidents: a technical request uses one; none left is refused; not a defect gives it back', async () => {
  await offerWith('support-pack', [{ kind: 'support_incident', product: 'technical-support', name: { fr: 'Incidents', en: 'Incidents' }, quantity: 1 }]);
  const m = await member('support-pack');
  const cats = await m.client.call('GET', '/api/v1/support/categories');
  assert.equal(cats.body.items.find((c) => c.code === 'technical').consumes_incident, true);
  const ask = () => m.client.call('POST', '/api/v1/support-requests', { title: 'Panne', description: 'Le serveur ne démarre plus.', category: 'technical', problem_type: 'product_defect' });
  const first = await ask();
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal((await benefits(m.client)).support_incidents_left, 0);
  const none = await ask();
  assert.equal(none.status, 409);
  assert.equal(none.body.error.code, 'no_support_incident_left');
  // a request of another category uses none
  const general = await m.client.call('POST', '/api/v1/support-requests', { title: 'Q', description: 'Q', category: 'benefits', problem_type: 'training' });
  assert.equal(general.status, 201);
  const closed = await support.call('PATCH', `/api/v1/support-requests/${first.body.id}`, { status: 'closed', resolution: 'not_a_defect' });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  assert.equal((await benefits(m.client)).support_incidents_left, 1);
  assert.equal((await ask()).status, 201);
});

test('a catalog change applies to terms granted afterwards, never to a granted one', async () => {
  await offerWith('change-pack', [{ kind: 'support_incident', product: 'technical-support', name: { fr: 'Incidents', en: 'Incidents' }, quantity: 3 }]);
  const before = await member('change-pack');
  await op.client.call('PUT', '/api/v1/admin/offers/change-pack/benefits', { benefits: [{ kind: 'support_incident', product: 'technical-support', name: { fr: 'Incidents bis', en: 'Incidents bis' }, quantity: 10 }] });
  const kept = (await benefits(before.client)).items[0];
  assert.deepEqual([kept.name, kept.quantity], ['Incidents', 3]);
  const after = await member('change-pack');
  const fresh = (await benefits(after.client)).items[0];
  assert.deepEqual([fresh.name, fresh.quantity], ['Incidents bis', 10]);
  const rules = await support.call('GET', '/api/v1/admin/offers/change-pack/benefits');
  assert.equal(rules.body.items[0].quantity, 10);
  const invalid = await op.client.call('PUT', '/api/v1/admin/offers/change-pack/benefits', { benefits: [{ kind: 'software', product: 'X', name: { fr: '' }, quantity: -1 }] });
  assert.equal(invalid.status, 422);
});

test('deadline reminders 30 and 7 days ahead, suspended in the window, revoked on lapse (the job)', async () => {
  await offerWith('time-pack', [
    { kind: 'cloud_subscription', product: 'cloud-x', name: { fr: 'Nuage', en: 'Cloud' }, quantity: 3, deadline_days: 60 },
    { kind: 'support_incident', product: 'technical-support', name: { fr: 'Incidents', en: 'Incidents' }, quantity: 2 },
  ]);
  const m = await member('time-pack');
  const g = (await benefits(m.client)).items[0];
  assert.equal(g.activate_by, '2027-03-05');
  const run = async (day) => {
    await op.setClock(`${day}T09:00:00Z`);
    const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const reminders = () => sql(srv.db.url, `SELECT payload FROM outbox WHERE event = 'benefit.reminder' AND partner_id = '${m.org.partner.id}' ORDER BY created_at`).split('\n').filter(Boolean).map((p) => JSON.parse(p).days);
  await run('2027-02-02'); // 31 days before
  assert.deepEqual(reminders(), []);
  await run('2027-02-03');
  await run('2027-02-04');
  assert.deepEqual(reminders(), ['30']);
  await run('2027-02-26');
  assert.deepEqual(reminders(), ['30', '7']);
  await run('2027-03-06');
  assert.equal((await benefits(m.client)).items[0].state, 'expired');
  // the term ends 2028-01-03; the window suspends, the lapse revokes
  await op.setClock('2028-01-10T09:00:00Z');
  assert.equal((await benefits(m.client)).items[0].state, 'expired'); // expired stays expired
  const n = await member('time-pack');
  await op.setClock('2028-01-15T09:00:00Z');
  const incidents = async () => (await benefits(n.client)).items[1];
  assert.equal((await incidents()).state, 'available'); // its own term began 2028-01-10
  await op.setClock('2029-01-12T09:00:00Z'); // n's window: from 2029-01-10
  assert.deepEqual([(await incidents()).state, (await incidents()).remaining], ['suspended', 2]);
  // in the window the job looks at the grant again the day it lapses, not every day; a
  // window made shorter brings that day forward
  const checkOn = () => sql(srv.db.url, `SELECT check_on FROM benefit_grants WHERE partner_id = '${n.org.partner.id}' AND kind = 'support_incident'`);
  await run('2029-01-12');
  assert.equal(checkOn(), '2029-02-09');
  assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/renewal.window_days', { value: 20 })).status, 200);
  try {
    await run('2029-01-13');
    assert.equal(checkOn(), '2029-01-30');
  } finally {
    assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/renewal.window_days', { value: 30 })).status, 200);
  }
  await run('2029-02-10'); // window closed 2029-02-08: lapsed
  const revoked = await incidents();
  assert.deepEqual([revoked.state, revoked.remaining], ['revoked', 0]);
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'benefit.revoked' AND partner_id = '${n.org.partner.id}'`), '1');
  await run('2029-02-11');
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'benefit.revoked' AND partner_id = '${n.org.partner.id}'`), '1');
  await op.setClock('2027-01-04T09:00:00Z');
});

test('usage per organisation and product, as JSON and CSV', async () => {
  const r = await support.call('GET', '/api/v1/admin/benefits/usage');
  assert.equal(r.status, 200);
  assert.ok(r.body.items.some((u) => u.product === 'race-product' && u.used === 2));
  const csv = await support.call('GET', '/api/v1/admin/benefits/usage?format=csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const lines = csv.body.trim().split('\r\n');
  assert.equal(lines[0], 'partner_id,partner,product,kind,name,granted,used');
  assert.ok(lines.some((l) => l.includes(',race-product,software_key,') && l.endsWith(',2,2')));
});

test('the job reads only the grants due: a second pass the same day changes nothing; a cancellation revokes that day', async () => {
  await offerWith('quiet-pack', [
    { kind: 'support_incident', product: 'technical-support', name: { fr: 'Incidents', en: 'Incidents' }, quantity: 2 },
    { kind: 'cloud_subscription', product: 'cloud-q', name: { fr: 'Nuage', en: 'Cloud' }, quantity: 1, deadline_days: 90 },
  ]);
  const m = await member('quiet-pack');
  const pid = m.org.partner.id;
  // each grant knows the day the job looks at it next: the day after its term, 30 days
  // before its activation deadline (term 2027-01-04 .. 2028-01-03, deadline 2027-04-04)
  assert.equal(sql(srv.db.url, `SELECT check_on FROM benefit_grants WHERE partner_id = '${pid}' ORDER BY position`), '2028-01-04\n2027-03-05');
  const run = async () => {
    const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const state = () => [
    sql(srv.db.url, 'SELECT id, check_on, reminded, revoked_at FROM benefit_grants ORDER BY id'),
    sql(srv.db.url, 'SELECT subscription_id, term, benefits_due FROM subscription_terms ORDER BY subscription_id, term'),
    sql(srv.db.url, 'SELECT COUNT(*) FROM outbox'),
  ];
  await run();
  assert.equal(sql(srv.db.url, "SELECT COUNT(*) FROM benefit_grants WHERE check_on <= '2027-01-04'"), '0', 'nothing left due today');
  assert.equal(sql(srv.db.url, 'SELECT COUNT(*) FROM subscription_terms WHERE benefits_due = 1'), '0', 'no term left to grant');
  const once = state();
  await run();
  assert.deepEqual(state(), once, 'a pass with nothing due writes nothing');

  // a cancellation brings the grants forward to its day: the next pass revokes them, once
  const subId = (await benefits(m.client)).items[0].subscription_id;
  const c = await m.client.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const res = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: false });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(sql(srv.db.url, `SELECT check_on FROM benefit_grants WHERE partner_id = '${pid}' ORDER BY position`), '2027-01-04\n2027-01-04');
  await run();
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'benefit.revoked' AND partner_id = '${pid}'`), '2');
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM benefit_grants WHERE partner_id = '${pid}' AND check_on IS NULL`), '2', 'never looked at again');
  assert.deepEqual((await benefits(m.client)).items.map((g) => g.state), ['revoked', 'revoked']);
  const after = state();
  await run();
  assert.deepEqual(state(), after);
});

// The job passes the grants due 32 to a transaction (service/benefits_admin.c, GRANT_TX); a
// transaction that fails (a deadlock with another server on PostgreSQL, a full disk) is done
// again one grant at a time. 48 grants due: the first transaction of 32 fails once.
test('grants due are passed 32 to a transaction; one that fails is done again one by one: each revoked once', async () => {
  const rules = Array.from({ length: 24 }, (_, i) => ({ kind: 'cloud_subscription', product: `cloud-b${i}`, name: { fr: `Nuage ${i}`, en: `Cloud ${i}` }, quantity: 1, deadline_days: 90 }));
  await offerWith('batch-pack', rules);
  const members = [await member('batch-pack'), await member('batch-pack')];
  const ids = members.map((m) => `'${m.org.partner.id}'`).join(', ');
  for (const m of members) {
    const subId = (await benefits(m.client)).items[0].subscription_id;
    const c = await m.client.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const res = await support.call('POST', `/api/v1/support-requests/${c.body.id}/resolution`, { cancellation: 'immediate', refund: false });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM benefit_grants WHERE partner_id IN (${ids}) AND check_on = '2027-01-04'`), '48');
  const run = await jobsProcess(srv, { env: { PARTNERD_FAULT_FAIL: 'benefits.grant_batch=1' } });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /PARTNERD_FAULT_FAIL is set/);
  // the 48 grants are two transactions, of 32 and 16: the one that fails is the first to
  // reach the fault point, the first on SQLite, either on PostgreSQL (a pass there spreads
  // them over two connections at once, --jobs-workers)
  assert.match(run.stderr, new RegExp(`tx_batch failed=benefits\\.grant_batch steps=${PG ? '(32|16)' : '32'} .*one by one`), 'a transaction failed');
  const revoked = sql(srv.db.url, `SELECT payload FROM outbox WHERE event = 'benefit.revoked' AND partner_id IN (${ids})`).split('\n').filter(Boolean).map((p) => JSON.parse(p).benefit_id);
  assert.equal(revoked.length, 48, 'one event per grant');
  assert.equal(new Set(revoked).size, 48, 'no grant revoked twice');
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM benefit_grants WHERE partner_id IN (${ids}) AND revoked_at IS NOT NULL AND check_on IS NULL`), '48');
  for (const m of members) assert.deepEqual([...new Set((await benefits(m.client)).items.map((g) => g.state))], ['revoked']);
});

// A pass decides a grant with the renewal window it read when it began. Staff widen the
// window, and another pass (another server, or `jobs run`) takes the new one and decides the
// grant with it, while this pass is between reading its grants and deciding them: this pass
// must decide nothing with its old window (which says lapsed, where the other said not yet)
// but leave the grant for the next pass.
test('a pass overtaken by another with a new renewal window revokes nothing with its old one', async () => {
  await offerWith('stale-pack', [{ kind: 'support_incident', product: 'technical-support', name: { fr: 'Incidents', en: 'Incidents' }, quantity: 2 }]);
  const m = await member('stale-pack');
  const pid = m.org.partner.id;
  const checkOn = () => sql(srv.db.url, `SELECT check_on FROM benefit_grants WHERE partner_id = '${pid}'`);
  const revokedEvents = () => sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'benefit.revoked' AND partner_id = '${pid}'`);
  // the term ends 2028-01-03: with 30 days of window it lapsed on 2028-02-03, with 60 it lapses on 2028-03-04
  await op.setClock('2028-02-10T09:00:00Z');
  // the first pass is stopped (SIGSTOP) in its pause, its grants read and nothing decided,
  // for as long as the second pass takes, then let go (SIGCONT)
  let stopped;
  let firstErr = '';
  let once = false;
  const inPause = new Promise((ok) => (stopped = ok));
  const first = jobsProcess(srv, {
    env: { PARTNERD_FAULT_PAUSE: 'benefits.due_read=2000' },
    onStderr: (all, proc) => {
      firstErr = all;
      if (!once && /paused at benefits\.due_read/.test(all)) {
        once = true;
        stopped(proc.kill('SIGSTOP') ? proc : null);
      }
    },
  });
  first.then(() => stopped(null));
  const proc = await inPause;
  try {
    assert.ok(proc, `the first pass reached its pause: ${firstErr}`);
    assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/renewal.window_days', { value: 60 })).status, 200);
    const second = await jobsProcess(srv);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(checkOn(), '2028-03-04', 'the second pass, with 60 days: the day it lapses');
    assert.doesNotMatch(firstErr, /job name=benefits /, 'the first pass was stopped within its pause');
    proc.kill('SIGCONT');
    const run = await first;
    assert.equal(run.code, 0, run.stderr);
    assert.equal(revokedEvents(), '0', 'nothing revoked with the old window');
    assert.match(run.stderr, /deferred=1: another pass took a new renewal window/);
    assert.equal(checkOn(), '2028-02-10', 'left for the next pass');
    assert.deepEqual([(await benefits(m.client)).items[0].state, (await benefits(m.client)).items[0].remaining], ['suspended', 2]);
    const next = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.equal(checkOn(), '2028-03-04', 'the next pass decides with the new window');
    assert.equal(revokedEvents(), '0');
  } finally {
    proc?.kill('SIGCONT');
    await first;
    assert.equal((await op.client.call('PUT', '/api/v1/admin/settings/renewal.window_days', { value: 30 })).status, 200);
    await op.setClock('2027-01-04T09:00:00Z');
  }
});

test('staff: the key pools and a pool\'s keys are paged (limit, cursor), none lost or twice while keys are loaded', async () => {
  const product = 'paged-pool';
  const first = Array.from({ length: 25 }, (_, i) => keyOf(product, 500 + i));
  assert.equal((await load(product, first)).status, 201);
  const firstIds = sql(srv.db.url, `SELECT id FROM product_keys WHERE pool_id = '${product}'`).split('\n');
  assert.equal(firstIds.length, 25);
  const seen = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const r = await support.call('GET', `/api/v1/admin/key-pools/${product}/keys?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.items.length <= 4);
    seen.push(...r.body.items);
    if (page === 2) assert.equal((await load(product, [keyOf(product, 900), keyOf(product, 901)])).status, 201);
    cursor = r.body.next_cursor;
    if (cursor === null) break;
  }
  const ids = seen.map((k) => k.id);
  assert.equal(new Set(ids).size, ids.length, 'no key twice');
  for (const id of firstIds) assert.ok(ids.includes(id), `${id} lost`);
  // the last loaded first: by loaded_at, then id, descending
  const order = sql(srv.db.url, `SELECT id FROM product_keys WHERE pool_id = '${product}' ORDER BY loaded_at DESC, id DESC`).split('\n');
  assert.deepEqual(ids, order.filter((id) => ids.includes(id)));
  assert.ok(seen.every((k) => /^XXXXX-XXXXX-/.test(k.masked)), 'masked');
  const pools = await support.call('GET', '/api/v1/admin/key-pools?limit=1');
  assert.equal(pools.status, 200);
  assert.equal(pools.body.items.length, 1);
  assert.notEqual(pools.body.next_cursor, null, 'more than one pool by now');
  assert.equal(typeof pools.body.low_stock_threshold, 'number');
  const rest = await support.call('GET', `/api/v1/admin/key-pools?limit=200&cursor=${pools.body.next_cursor}`);
  assert.ok(!rest.body.items.some((p) => p.product === pools.body.items[0].product));
  assert.equal((await support.call('GET', '/api/v1/admin/key-pools?cursor=nope')).status, 400);
});

test('staff: a pool\'s figures (total, free, assigned, queue) are kept exact through loads, activations, the queue and a revocation', async () => {
  const product = 'count-product';
  await offerWith('count-pack', [{ kind: 'software_key', product, name: { fr: 'Compté', en: 'Counted' }, quantity: 2 }]);
  const [a, b, c] = [await member('count-pack'), await member('count-pack'), await member('count-pack')];
  // what the route shows, and what the keys and the queue themselves hold
  const shown = async () => {
    const r = await support.call('GET', '/api/v1/admin/key-pools?limit=200');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const p = r.body.items.find((x) => x.product === product);
    return p && [p.total, p.free, p.assigned, p.queued_requests, p.queued_keys, p.low];
  };
  const counted = () => {
    const [total, free, requests, keys] = sql(srv.db.url, `SELECT (SELECT COUNT(*) FROM product_keys WHERE pool_id = '${product}') || '|' || (SELECT COUNT(*) FROM product_keys WHERE pool_id = '${product}' AND grant_id IS NULL) || '|' || (SELECT COUNT(*) FROM benefit_queue WHERE pool_id = '${product}') || '|' || (SELECT COALESCE(SUM(count), 0) FROM benefit_queue WHERE pool_id = '${product}')`).split('|').map(Number);
    return [total, free, total - free, requests, keys, free < 2];
  };
  const expect = async (want, what) => {
    assert.deepEqual(counted(), want, `${what}: the keys and the queue`);
    assert.deepEqual(await shown(), want, `${what}: the figures shown`);
  };
  const activate = async (m) => {
    const g = (await benefits(m.client)).items[0];
    return m.client.call('POST', `/api/v1/benefits/${g.id}/activation`, {});
  };
  assert.equal(await shown(), undefined, 'no pool before its first keys');

  const first = await load(product, [keyOf(product, 1), keyOf(product, 2), keyOf(product, 3), keyOf(product, 1)]);
  assert.deepEqual([first.body.loaded, first.body.duplicates, first.body.pool.total, first.body.pool.free], [3, 1, 3, 3]);
  await expect([3, 3, 0, 0, 0, false], 'three keys loaded (a duplicate refused)');
  assert.equal((await activate(a)).status, 200);
  await expect([3, 1, 2, 0, 0, true], 'two given');
  const queuedB = await activate(b);
  assert.equal(queuedB.body.error?.code, 'key_pool_empty', JSON.stringify(queuedB.body));
  await expect([3, 1, 2, 1, 2, true], 'one activation queued for two keys');
  assert.equal((await activate(c)).body.error?.code, 'key_pool_empty');
  await expect([3, 1, 2, 2, 4, true], 'two queued');
  assert.equal((await activate(b)).body.error?.code, 'key_pool_empty');
  await expect([3, 1, 2, 2, 4, true], 'asking again keeps one place, counted once');

  // c's membership is cancelled: the job revokes its grant and takes it off the queue
  const subId = (await benefits(c.client)).items[0].subscription_id;
  const cancel = await c.client.call('POST', `/api/v1/subscriptions/${subId}/cancellation`, {});
  assert.equal(cancel.status, 201, JSON.stringify(cancel.body));
  const res = await support.call('POST', `/api/v1/support-requests/${cancel.body.id}/resolution`, { cancellation: 'immediate', refund: false });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal((await op.client.call('POST', '/api/v1/admin/jobs/run', {})).status, 200);
  assert.equal((await benefits(c.client)).items[0].state, 'revoked');
  await expect([3, 1, 2, 1, 2, true], 'a revoked grant taken off the queue');

  // keys arrive: b is served from the queue
  const more = await load(product, [keyOf(product, 4), keyOf(product, 5), keyOf(product, 6)]);
  assert.deepEqual([more.body.loaded, more.body.served], [3, 1]);
  assert.deepEqual([more.body.pool.total, more.body.pool.free, more.body.pool.queued_requests, more.body.pool.queued_keys], [6, 2, 0, 0]);
  await expect([6, 2, 4, 0, 0, false], 'the queue served');
  assert.equal((await benefits(b.client)).items[0].state, 'activated');

  // the migration's figures from the keys and queues there are (021, run again here on this
  // engine) are the figures kept
  const migration = readFileSync(new URL('../../src/db/migrations/021_key_pool_counts.sql', import.meta.url), 'utf8');
  const fill = migration.split('-- fill begin\n')[1].split('-- fill end')[0];
  const kept = sql(srv.db.url, 'SELECT id, total_keys, free_keys FROM key_pools ORDER BY id');
  const keptQueues = sql(srv.db.url, 'SELECT pool_id, queued_requests, queued_keys FROM key_pool_queues WHERE queued_requests > 0 ORDER BY pool_id');
  sqlScript(srv.db.url, `BEGIN;\nUPDATE key_pools SET total_keys = 0, free_keys = 0;\nDELETE FROM key_pool_queues;\n${fill}COMMIT;\n`);
  assert.equal(sql(srv.db.url, 'SELECT id, total_keys, free_keys FROM key_pools ORDER BY id'), kept);
  assert.equal(sql(srv.db.url, 'SELECT pool_id, queued_requests, queued_keys FROM key_pool_queues WHERE queued_requests > 0 ORDER BY pool_id'), keptQueues);
  await expect([6, 2, 4, 0, 0, false], 'after the migration\'s figures');
});

test('keys from a spreadsheet: the byte order mark of a "CSV UTF-8" export and quoted fields are read as the keys they hold', async () => {
  await offerWith('csv-pack', [{ kind: 'software_key', product: 'csv-product', name: { fr: 'Produit', en: 'Product' }, quantity: 3 }]);
  const csv = '\ufeffproduct,key\r\ncsv-product,CSVKY-AAAAA-00001\r\n"csv-product","CSVKY-AAAAA-00002"\r\n';
  const loaded = await op.client.call('POST', '/api/v1/admin/key-pools/csv-product/keys', csv, CSV);
  assert.equal(loaded.status, 201, JSON.stringify(loaded.body));
  const quoted = await op.client.call('POST', '/api/v1/admin/key-pools/csv-product/keys', '"key"\n"CSVKY-AAAAA-00003"\n"CSVKY-AAAAA-00001"\n', CSV);
  assert.equal(quoted.status, 201, JSON.stringify(quoted.body));
  assert.deepEqual([loaded.body.loaded, quoted.body.loaded, quoted.body.duplicates, quoted.body.pool.total], [2, 1, 1, 3]);
  const m = await member('csv-pack');
  const grant = (await benefits(m.client)).items[0];
  assert.equal((await m.client.call('POST', `/api/v1/benefits/${grant.id}/activation`, {})).status, 200);
  const keys = await m.client.call('GET', `/api/v1/benefits/${grant.id}/keys`);
  assert.deepEqual(keys.body.items.map((k) => k.key), ['CSVKY-AAAAA-00001', 'CSVKY-AAAAA-00002', 'CSVKY-AAAAA-00003']);
});

test('an activation queued before its deadline is served when keys come after it, and not reminded meanwhile', async () => {
  await offerWith('late-pack', [{ kind: 'software_key', product: 'late-product', name: { fr: 'Produit', en: 'Product' }, quantity: 1, deadline_days: 30 }]);
  const m = await member('late-pack');
  const grant = (await benefits(m.client)).items[0];
  assert.equal(grant.activate_by, '2027-02-03');
  // asked in time, the pool empty: queued
  const asked = await m.client.call('POST', `/api/v1/benefits/${grant.id}/activation`, {});
  assert.equal(asked.status, 409, JSON.stringify(asked.body));
  assert.equal(asked.body.error.code, 'key_pool_empty');
  const run = async (day) => {
    await op.setClock(`${day}T09:00:00Z`);
    const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  try {
    await run('2027-01-28'); // 6 days before the deadline: it has been asked for, nothing to remind
    assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'benefit.reminder' AND partner_id = '${m.org.partner.id}'`), '0');
    await run('2027-02-10'); // the keys come a week after the deadline
    const waiting = (await benefits(m.client)).items[0];
    assert.deepEqual([waiting.state, waiting.queued], ['available', true]);
    const loaded = await load('late-product', [keyOf('late', 1)]);
    assert.equal(loaded.status, 201, JSON.stringify(loaded.body));
    assert.deepEqual([loaded.body.served, loaded.body.pool.free, loaded.body.pool.queued_requests], [1, 0, 0]);
    const served = (await benefits(m.client)).items[0];
    assert.deepEqual([served.state, served.used, served.queued], ['activated', 1, false]);
    const keys = await m.client.call('GET', `/api/v1/benefits/${grant.id}/keys`);
    assert.deepEqual(keys.body.items.map((k) => k.key), [keyOf('late', 1)]);
  } finally {
    await op.setClock('2027-01-04T09:00:00Z');
  }
});

test('a deadline nearer than 30 days: the first reminder says the days really left, in the partner language', async () => {
  await offerWith('soon-pack', [{ kind: 'cloud_subscription', product: 'cloud-soon', name: { fr: 'Nuage bref', en: 'Short cloud' }, quantity: 1, deadline_days: 14 }]);
  const m = await member('soon-pack');
  const grant = (await benefits(m.client)).items[0];
  assert.equal(grant.activate_by, '2027-01-18');
  const run = async (day) => {
    await op.setClock(`${day}T09:00:00Z`);
    const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  try {
    await run('2027-01-04'); // bought today: the deadline is 14 days away
    await run('2027-01-11'); // 7 days away
    const days = sql(srv.db.url, `SELECT payload FROM outbox WHERE event = 'benefit.reminder' AND partner_id = '${m.org.partner.id}' ORDER BY created_at`).split('\n').filter(Boolean).map((p) => JSON.parse(p).days);
    assert.deepEqual(days, ['14', '7']);
    const subjects = readMails(srv.mailDir).filter((x) => x.to === m.org.email).map((x) => x.subject).filter((x) => /activer/.test(x));
    assert.deepEqual(subjects, ['Plus que 14 jours pour activer Nuage bref', 'Plus que 7 jours pour activer Nuage bref']);
  } finally {
    await op.setClock('2027-01-04T09:00:00Z');
  }
});

test('a reminder on the deadline day says it is the last day, one the day before says one day, in French and English', async () => {
  await offerWith('brief-pack', [{ kind: 'cloud_subscription', product: 'cloud-brief', name: { fr: 'Nuage éclair', en: 'Flash cloud' }, quantity: 1, deadline_days: 1 }]);
  try {
    const today = await member('brief-pack'); // bought 2027-01-04: its deadline is 2027-01-05
    const todayEn = await member('brief-pack');
    await op.setClock('2027-01-05T09:00:00Z');
    const tomorrow = await member('brief-pack'); // bought 2027-01-05: its deadline is 2027-01-06
    const tomorrowEn = await member('brief-pack');
    for (const who of [todayEn, tomorrowEn]) sql(srv.db.url, `UPDATE users SET locale = 'en' WHERE email = '${who.org.email}'`);
    const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const subject = (who) => readMails(srv.mailDir).filter((x) => x.to === who.org.email).map((x) => x.subject).filter((x) => /activ/.test(x));
    assert.deepEqual(subject(today), ['Dernier jour pour activer Nuage éclair']);
    assert.deepEqual(subject(todayEn), ['Last day to activate Flash cloud']);
    assert.deepEqual(subject(tomorrow), ["Plus qu'un jour pour activer Nuage éclair"]);
    assert.deepEqual(subject(tomorrowEn), ['1 day left to activate Flash cloud']);
    const body = readMails(srv.mailDir).find((x) => x.to === today.org.email && /activer/.test(x.subject));
    assert.match(body.text, /Activez-le au plus tard le 5 janvier 2027/);
  } finally {
    await op.setClock('2027-01-04T09:00:00Z');
  }
});

test('a benefit of unlimited use revoked on lapse: the email does not count "0 used of 0", in French and English', async () => {
  await offerWith('open-pack', [{ kind: 'training', product: 'open-training', name: { fr: 'Formations libres', en: 'Open training' }, quantity: 0 }]);
  const fr = await member('open-pack');
  const en = await member('open-pack');
  sql(srv.db.url, `UPDATE users SET locale = 'en' WHERE email = '${en.org.email}'`);
  try {
    await op.setClock('2028-02-10T09:00:00Z'); // the term ended 2028-01-03, the window closed since
    const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const mail = (who, re) => readMails(srv.mailDir).find((x) => x.to === who.org.email && re.test(x.subject));
    const f = mail(fr, /^Avantage révoqué : Formations libres$/);
    const e = mail(en, /^Benefit revoked: Open training$/);
    assert.ok(f && e, 'both revocations are mailed: ' + JSON.stringify(readMails(srv.mailDir).filter((x) => x.to === fr.org.email || x.to === en.org.email).map((x) => x.subject)));
    assert.match(f.text, /l'avantage « Formations libres » est révoqué\./);
    assert.match(e.text, /the benefit "Open training" is revoked\./);
    for (const part of [f.text, f.html, e.text, e.html]) assert.doesNotMatch(part, /0 utilisés sur 0|0 used of 0|perdu|lost/);
  } finally {
    await op.setClock('2027-01-04T09:00:00Z');
  }
});

test('a cloud subscription activated in parts: every part goes to the tenant of the first, another is refused in the caller\'s language', async () => {
  await offerWith('tenant-pack', [{ kind: 'cloud_subscription', product: 'cloud-t', name: { fr: 'Nuage', en: 'Cloud' }, quantity: 5, deadline_days: 90 }]);
  const m = await member('tenant-pack');
  const grant = (await benefits(m.client)).items[0];
  const first = await m.client.call('POST', `/api/v1/benefits/${grant.id}/activation`, { tenant_domain: 'contoso.onmicrosoft.com', seats: 2 });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual([first.body.state, first.body.used, first.body.tenant_domain], ['available', 2, 'contoso.onmicrosoft.com']);
  m.client.lang = 'en';
  const other = await m.client.call('POST', `/api/v1/benefits/${grant.id}/activation`, { tenant_domain: 'fabrikam.onmicrosoft.com', seats: 3 }, { 'Accept-Language': 'en' });
  assert.equal(other.status, 422, JSON.stringify(other.body));
  assert.match(other.body.error.details.fields.tenant_domain, /contoso\.onmicrosoft\.com/);
  assert.match(other.body.error.details.fields.tenant_domain, /tenant/);
  const kept = (await benefits(m.client, 'en')).items[0];
  assert.deepEqual([kept.used, kept.tenant_domain], [2, 'contoso.onmicrosoft.com']);
  // the rest to the same tenant, however it is spelled
  const rest = await m.client.call('POST', `/api/v1/benefits/${grant.id}/activation`, { tenant_domain: 'Contoso.OnMicrosoft.com', seats: 3 });
  assert.equal(rest.status, 200, JSON.stringify(rest.body));
  assert.deepEqual([rest.body.state, rest.body.used, rest.body.tenant_domain], ['activated', 5, 'contoso.onmicrosoft.com']);
});
