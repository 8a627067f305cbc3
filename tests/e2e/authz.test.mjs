// authz.test.mjs - every route x every role x own and foreign objects (issue 3).
//
// The routes come from `partnerd routes`; EXPECT below says, independently of the
// server's table, who may call each. A route missing here fails the first test, so a new
// route cannot ship without its authorization being decided and checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminOf, memberOf, addStaff, cli, sql, importLegacy } from './harness.mjs';
import { makePng } from './png.mjs';

const PUBLIC = 'public';
const ANY = 'any signed-in user';
const GA = 'global_admin', AA = 'account_admin', BA = 'billing_admin', U = 'user', RM = 'referral_manager';
const SUP = 'support', FIN = 'finance', OP = 'operator';
const PARTNER = [GA, AA, BA, U, RM];
const STAFF = [SUP, FIN, OP];
const ROLES = [...PARTNER, ...STAFF];

const EXPECT = {
  'GET /healthz': PUBLIC,
  'GET /metrics': PUBLIC,
  'GET /api/v1/version': PUBLIC,
  'GET /api/v1/payment-gateway': PUBLIC,
  'POST /api/v1/partners': PUBLIC,
  'POST /api/v1/sessions': PUBLIC,
  'POST /api/v1/invitations/{token}/accept': PUBLIC,
  'POST /api/v1/password-resets': PUBLIC,
  'POST /api/v1/password-resets/{token}': PUBLIC,
  'DELETE /api/v1/sessions/current': ANY,
  'GET /api/v1/me': ANY,
  'POST /api/v1/me/password': ANY,
  'POST /api/v1/me/totp': ANY,
  'POST /api/v1/me/totp/confirm': ANY,
  'POST /api/v1/me/totp/disable': ANY,
  'GET /api/v1/api-tokens': ANY,
  'POST /api/v1/api-tokens': ANY,
  'DELETE /api/v1/api-tokens/{id}': ANY,
  'GET /api/v1/partner': PARTNER,
  'PATCH /api/v1/partner': [GA],
  'GET /api/v1/users': [GA, AA],
  'POST /api/v1/users': [GA],
  'PATCH /api/v1/users/{id}': [GA],
  'DELETE /api/v1/users/{id}': [GA],
  'GET /api/v1/offers': PARTNER,
  'GET /api/v1/subscriptions': PARTNER,
  'GET /api/v1/subscriptions/{id}': PARTNER,
  'PATCH /api/v1/subscriptions/{id}': [GA, AA, BA],
  'GET /api/v1/certified-people': PARTNER,
  'POST /api/v1/certified-people': [GA, AA],
  'DELETE /api/v1/certified-people/{id}': [GA, AA],
  'GET /api/v1/admin/offers': STAFF,
  'POST /api/v1/admin/offers': [OP],
  'PUT /api/v1/admin/offers/{code}/prices/{currency}': [OP],
  'GET /api/v1/admin/subscriptions': STAFF,
  'POST /api/v1/admin/subscriptions/migrate-all': [OP],
  'POST /api/v1/admin/subscriptions/{id}/migrate': [OP],
  'GET /api/v1/orders': [GA, AA, BA],
  'POST /api/v1/orders': [GA, BA],
  'GET /api/v1/orders/{id}': [GA, AA, BA],
  'POST /api/v1/orders/{id}/purchase': [GA, BA],
  'GET /api/v1/invoices': [GA, BA],
  'GET /api/v1/invoices/{id}': [GA, BA],
  'GET /api/v1/invoices/{id}/pdf': [GA, BA],
  'GET /api/v1/invoices/{id}/xml': [GA, BA],
  'GET /api/v1/payment-method': [GA, BA],
  'PUT /api/v1/payment-method': [GA, BA],
  'GET /api/v1/admin/wire-transfers': [SUP, FIN, OP],
  'POST /api/v1/admin/wire-transfers': [FIN, OP],
  'POST /api/v1/admin/bank-statements': [FIN, OP],
  'GET /api/v1/admin/orders/awaiting-payment': [SUP, FIN, OP],
  'GET /api/v1/admin/refunds': [SUP, FIN, OP],
  'POST /api/v1/admin/refunds/{id}/paid': [FIN, OP],
  'GET /api/v1/support/categories': ANY,
  'GET /api/v1/support-requests': [...PARTNER, SUP, OP],
  'POST /api/v1/support-requests': [GA, AA],
  'GET /api/v1/support-requests/{id}': [...PARTNER, SUP, OP],
  'PATCH /api/v1/support-requests/{id}': [SUP, OP],
  'POST /api/v1/support-requests/{id}/messages': [GA, AA, SUP, OP],
  'POST /api/v1/support-requests/{id}/reopen': [GA, AA],
  'POST /api/v1/support-requests/{id}/resolution': [SUP, OP],
  'POST /api/v1/support-requests/{id}/attachments': [GA, AA, SUP, OP],
  'GET /api/v1/support-requests/{id}/attachments/{aid}': [...PARTNER, SUP, OP],
  'POST /api/v1/subscriptions/{id}/cancellation': [GA, AA],
  'GET /api/v1/webhook-endpoints': [GA],
  'POST /api/v1/webhook-endpoints': [GA],
  'DELETE /api/v1/webhook-endpoints/{id}': [GA],
  'GET /api/v1/webhook-endpoints/{id}/deliveries': [GA],
  'GET /api/v1/admin/deliveries': [SUP, OP],
  'POST /api/v1/admin/jobs/run': [OP],
  'GET /api/v1/audit-events': [GA, OP],
  'GET /api/v1/admin/partners': STAFF,
  'PUT /api/v1/admin/clock': [OP],
  'GET /api/v1/admin/clock': [OP],
  'GET /api/v1/admin/dashboard': STAFF,
  'GET /api/v1/admin/settings': [OP],
  'PUT /api/v1/admin/settings/{key}': [OP],
  // company profile, directory, referrals (issue 19)
  'GET /api/v1/company-profile': PARTNER,
  'PUT /api/v1/company-profile': [GA, AA],
  'PUT /api/v1/company-profile/logo': [GA, AA],
  'GET /api/v1/company-profile/logo/{hash}': PARTNER,
  'POST /api/v1/company-profile/publication': [GA, AA],
  'DELETE /api/v1/company-profile/publication': [GA, AA],
  'GET /api/v1/directory/partners': PUBLIC,
  'GET /api/v1/directory/partners/{slug}': PUBLIC,
  'GET /api/v1/directory/logos/{hash}': PUBLIC,
  'GET /api/v1/directory/catalog': PUBLIC,
  'POST /api/v1/directory/partners/{slug}/referrals': PUBLIC,
  'POST /api/v1/referral-links/confirmation': PUBLIC,
  'POST /api/v1/referral-links/erasure': PUBLIC,
  'GET /api/v1/referrals': [GA, AA, RM],
  'GET /api/v1/referrals/{id}': [GA, AA, RM],
  'POST /api/v1/referrals/{id}/status': [GA, AA, RM],
  'POST /api/v1/referrals/{id}/notes': [GA, AA, RM],
  'GET /api/v1/admin/referrals/funnel': STAFF,
  'PUT /api/v1/admin/directory/catalog/{kind}/{code}': [OP],
  'DELETE /api/v1/admin/directory/catalog/{kind}/{code}': [OP],
  // benefits (issue 18)
  'GET /api/v1/benefits': PARTNER,
  'GET /api/v1/benefits/{id}': PARTNER,
  'POST /api/v1/benefits/{id}/activation': [GA, AA],
  'GET /api/v1/benefits/{id}/keys': PARTNER,
  'GET /api/v1/admin/benefits/usage': STAFF,
  'GET /api/v1/admin/key-pools': STAFF,
  'GET /api/v1/admin/key-pools/{product}/keys': STAFF,
  'POST /api/v1/admin/key-pools/{product}/keys': [OP],
  'POST /api/v1/admin/key-pools/reseal': [OP],
  'GET /api/v1/admin/offers/{code}/benefits': STAFF,
  'PUT /api/v1/admin/offers/{code}/benefits': [OP],
  // the ecosystem (issue 21)
  'GET /api/v1/openapi.json': PUBLIC,
  'POST /api/v1/webhook-endpoints/{id}/secret': [GA],
  'POST /api/v1/admin/bank-statements/camt053': [FIN, OP],
  'POST /api/v1/admin/transfer-files': [FIN, OP],
  'GET /api/v1/admin/transfer-files/{id}': [SUP, FIN, OP],
  // card payments (issue 16): the gateway's signed events, the test gateway's pages
  'POST /api/v1/payment-events': PUBLIC,
  'POST /test-gateway/v1/tokens': PUBLIC,
  'GET /test-gateway/v1/challenges/{id}': PUBLIC,
  'POST /test-gateway/v1/challenges/{id}': PUBLIC,
  // the portal (issue 17)
  'GET /api/v1/admin/partners/{id}': STAFF,
  'POST /api/v1/admin/wire-transfers/{id}/resolution': [FIN, OP],
  'GET /api/v1/support-requests/{id}/resolution-preview': [SUP, OP],
};

const PNG = makePng(8, 8);
const DENIED = new Set(['unauthenticated', 'forbidden', 'session_expired', 'csrf_token_invalid', 'second_factor_enrolment_required']);

let srv, routes;
const people = {}; // role -> {email, password}
let orgA, orgB;

// The server runs on the real clock here: the PMC term and its benefits run from a month ago
// to eleven months on, whatever the day (fixed dates would expire as the calendar moves on).
const dayFromNow = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
const TERM_START = dayFromNow(-30);
const TERM_END = dayFromNow(335);

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  routes = cli(['routes']).stdout.trim().split('\n').map((l) => {
    const [method, pattern, action] = l.split('\t');
    return { method, pattern, action };
  });
  orgA = await adminOf(srv.url);
  orgB = await adminOf(srv.url);
  people[GA] = { email: orgA.org.email, password: orgA.org.password };
  for (const role of [AA, BA, U, RM]) {
    const m = await memberOf(srv.url, orgA.client, [role]);
    people[role] = { email: m.email, password: m.password };
  }
  for (const role of STAFF) people[role] = addStaff(srv.db, role);
  const csv = ['membership_id,offer,starts_on,expires_on,auto_renew'];
  for (const o of [orgA, orgB]) csv.push(`${o.org.partner.membership_id},action-pack,${TERM_START},${TERM_END},true`);
  assert.equal(importLegacy(srv.db, csv.join('\n') + '\n').status, 0);
  for (const o of [orgA, orgB]) o.sub = (await o.client.call('GET', '/api/v1/subscriptions')).body.items[0].id;
  // a benefit of each organisation (issue 18): software keys of a pool with none yet
  for (const o of [orgA, orgB]) {
    o.benefit = `ben_authz_${o === orgA ? 'a' : 'b'}`;
    sql(srv.db.url, `INSERT INTO benefit_grants (id, partner_id, subscription_id, term, position, kind, product, name_fr, name_en, quantity, starts_on, ends_on, activate_by, created_at) VALUES ('${o.benefit}', '${o.org.partner.id}', '${o.sub}', 1, 90, 'software_key', 'authz-empty', 'P', 'P', 1, '${TERM_START}', '${TERM_END}', '${TERM_END}', 0)`);
  }
  // orders to act on: a pool of reviews for org A; one bought by wire in each org (an invoice)
  const wire = { method: 'wire', contact: { name: 'Pay Er', phone: '+33 1 23 45 67 89', email: 'pay@x.example' } };
  for (const o of [orgA, orgB]) {
    for (let i = 0; i < 2; i++) await o.client.call('POST', '/api/v1/certified-people', { name: `P${i}`, email: `p${i}-${o.org.partner.id}@x.example`, certification: 'x' });
    o.orders = [];
    for (let i = 0; i < (o === orgA ? 41 : 2); i++) {
      const r = await o.client.call('POST', '/api/v1/orders', { offer: 'silver-competency', action: 'purchase', payment: wire });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      o.orders.push(r.body.id);
    }
    const bought = await o.client.call('POST', `/api/v1/orders/${o.orders.shift()}/purchase`, {});
    assert.equal(bought.status, 200, JSON.stringify(bought.body));
    o.invoice = bought.body.invoice_id;
    o.bought = bought.body;
  }
  // a wire refund for finance to pay: org B's order is paid, cancelled and refunded
  const staff = async (role) => {
    const c = new Client(srv.url);
    assert.equal((await c.signIn(people[role].email, people[role].password)).status, 201);
    return c;
  };
  const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
  const { reference } = orgB.bought.payment_instructions;
  const paid = await (await staff(FIN)).call('POST', '/api/v1/admin/wire-transfers', { reference, amount_minor: orgB.bought.total.amount_minor, currency: 'EUR', received_on: yesterday });
  assert.equal(paid.body.status, 'matched', JSON.stringify(paid.body));
  const subB = (await orgB.client.call('GET', `/api/v1/orders/${orgB.bought.id}`)).body.subscription_id;
  const cancel = await orgB.client.call('POST', `/api/v1/subscriptions/${subB}/cancellation`, {});
  const resolved = await (await staff(SUP)).call('POST', `/api/v1/support-requests/${cancel.body.id}/resolution`, { cancellation: 'immediate', refund: true });
  assert.equal(resolved.body.outcome?.refund_method, 'wire', JSON.stringify(resolved.body));
  orgB.refund = resolved.body.outcome.refund_id;
  // a published profile with a logo for org A, a draft with another logo, and a referral in each organisation
  await orgA.client.call('PUT', '/api/v1/company-profile', { name: 'Org A Conseil', description_fr: 'Publié.', referral_email: 'leads@a.example' });
  const logo = await fetch(`${srv.url}/api/v1/company-profile/logo`, { method: 'PUT', headers: { Cookie: orgA.client.cookie, 'X-CSRF-Token': orgA.client.csrf }, body: PNG });
  orgA.logo = (await logo.json()).draft.logo_url.split('/').pop();
  orgA.slug = (await orgA.client.call('POST', '/api/v1/company-profile/publication', {})).body.slug;
  for (const o of [orgA, orgB]) {
    o.referral = `ref_authz${o === orgA ? 'a' : 'b'}`;
    sql(srv.db.url, `INSERT INTO referrals (id, partner_id, status, name, company, email, consent, lang, confirm_by, respond_by, erase_token, created_at, updated_at) VALUES ('${o.referral}', '${o.org.partner.id}', 'new', 'N', 'C', 'n@c.example', 1, 'fr', 0, 4102444800, '${o === orgA ? 'a' : 'b'}${'0'.repeat(63)}', 0, 0)`);
  }
  // a transfer nobody could match, for finance to resolve (issue 17)
  const stray = await (await staff(FIN)).call('POST', '/api/v1/admin/wire-transfers', { reference: 'RF00STRAY', amount_minor: 100, currency: 'EUR', received_on: yesterday });
  assert.equal(stray.body.status, 'unknown_reference', JSON.stringify(stray.body));
  orgB.transfer = stray.body.id;
});

after(async () => {
  await srv?.stop();
});

async function signedIn(role) {
  const c = new Client(srv.url);
  const r = await c.signIn(people[role].email, people[role].password);
  assert.equal(r.status, 201, `${role} cannot sign in: ${JSON.stringify(r.body)}`);
  return c;
}

/** The path for a route with its parameters pointing at an own or a foreign object. */
async function pathFor(route, caller, whose) {
  let p = route.pattern;
  if (p.includes('/users/{id}')) {
    const owner = whose === 'own' ? orgA.client : orgB.client;
    const inv = await owner.call('POST', '/api/v1/users', { email: `t-${Math.random().toString(36).slice(2)}@x.example`, name: 'Target', roles: [U] });
    p = p.replace('{id}', inv.body.user.id);
  }
  if (p.includes('/api-tokens/{id}')) {
    const owner = whose === 'own' && caller ? caller : orgB.client;
    const t = await owner.call('POST', '/api/v1/api-tokens', { name: 'target' });
    p = p.replace('{id}', t.body?.id || 'tok_none');
  }
  if (p.includes('/certified-people/{id}')) {
    const owner = whose === 'own' ? orgA.client : orgB.client;
    const c = await owner.call('POST', '/api/v1/certified-people', { name: 'T', email: `c-${Math.random().toString(36).slice(2)}@x.example`, certification: 'x' });
    p = p.replace('{id}', c.body.id);
  }
  if (p.includes('/support-requests/{id}')) {
    const owner = whose === 'own' ? orgA.client : orgB.client;
    const q = await owner.call('POST', '/api/v1/support-requests', { title: 'T', description: 'D', category: 'benefits', problem_type: 'training' });
    if (p.includes('{aid}')) {
      const f = await owner.call('POST', `/api/v1/support-requests/${q.body.id}/attachments?filename=a.txt`, 'hello', { 'Content-Type': 'text/plain' });
      p = p.replace('{aid}', f.body.id);
    }
    p = p.replace('{id}', q.body.id);
  }
  if (p.includes('/webhook-endpoints/{id}')) {
    const owner = whose === 'own' ? orgA.client : orgB.client;
    const e = await owner.call('POST', '/api/v1/webhook-endpoints', { url: 'https://hooks.example.com/partnerd', events: ['*'] });
    p = p.replace('{id}', e.body.id);
  }
  if (p.startsWith('/api/v1/benefits/{id}')) p = p.replace('{id}', (whose === 'own' ? orgA : orgB).benefit);
  if (p.includes('/subscriptions/{id}')) p = p.replace('{id}', (whose === 'own' ? orgA : orgB).sub);
  if (p.includes('/orders/{id}')) p = p.replace('{id}', whose === 'own' ? orgA.orders.pop() : orgB.orders[0]);
  if (p.includes('/refunds/{id}')) p = p.replace('{id}', orgB.refund);
  if (p.includes('/transfer-files/{id}')) {
    // one file paying org B's refund, made once (the refund is then sent)
    if (!orgB.transferFile) {
      const f = await (await signedIn(FIN)).call('POST', '/api/v1/admin/transfer-files', { refunds: [{ id: orgB.refund, iban: 'DE89370400440532013000' }] });
      assert.equal(f.status, 201, JSON.stringify(f.body));
      orgB.transferFile = f.body.id;
    }
    p = p.replace('{id}', orgB.transferFile);
  }
  if (p.includes('/admin/partners/{id}')) p = p.replace('{id}', (whose === 'own' ? orgA : orgB).org.partner.id);
  if (p.includes('/wire-transfers/{id}')) p = p.replace('{id}', orgB.transfer);
  if (p.includes('/invoices/{id}')) p = p.replace('{id}', (whose === 'own' ? orgA : orgB).invoice);
  if (p.includes('/referrals/{id}')) p = p.replace('{id}', (whose === 'own' ? orgA : orgB).referral);
  if (p === '/api/v1/company-profile/publication' && route.method === 'DELETE') await orgA.client.call('POST', p, {});
  if (p.includes('/catalog/{kind}/{code}')) sql(srv.db.url, "INSERT INTO directory_catalog (kind, code, fr, en, position) VALUES ('service', 'authz-x', 'X', 'X', 0) ON CONFLICT (kind, code) DO NOTHING");
  return p
    .replace('{token}', 'f'.repeat(64))
    .replace('{hash}', orgA.logo)
    .replace('{slug}', orgA.slug)
    .replace('{kind}/{code}', 'services/authz-x')
    .replace('{key}', 'auth.lock_seconds')
    .replace('{code}', 'action-pack')
    .replace('{product}', 'authz-empty')
    .replace('{currency}', 'EUR');
}

const bodyFor = (route) => (route.pattern === '/api/v1/admin/bank-statements' ? 'date,amount,currency,reference\n' : ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined);

test('every route of the server has a decided authorization here', () => {
  assert.ok(routes.length >= 20);
  for (const r of routes) assert.ok(EXPECT[`${r.method} ${r.pattern}`], `no authorization expectation for ${r.method} ${r.pattern}`);
  for (const key of Object.keys(EXPECT)) assert.ok(routes.some((r) => `${r.method} ${r.pattern}` === key), `${key} is expected but the server has no such route`);
});

test('anonymous callers reach public routes only', async () => {
  for (const route of routes) {
    const rule = EXPECT[`${route.method} ${route.pattern}`];
    const r = await new Client(srv.url).call(route.method, await pathFor(route, null, 'foreign'), bodyFor(route));
    const code = r.body?.error?.code;
    if (rule === PUBLIC) assert.ok(!DENIED.has(code), `${route.method} ${route.pattern}: ${r.status} ${code}`);
    else assert.equal(code, 'unauthenticated', `${route.method} ${route.pattern} answered ${r.status}`);
  }
});

for (const role of ROLES) {
  test(`${role}: allowed routes answer, others are 403, foreign objects are 404`, async () => {
    for (const route of routes) {
      const rule = EXPECT[`${route.method} ${route.pattern}`];
      if (rule === PUBLIC) continue;
      const allowed = rule === ANY || rule.includes(role);
      const caller = await signedIn(role); // a fresh session: some calls end it
      const r = await caller.call(route.method, await pathFor(route, caller, 'own'), bodyFor(route));
      const code = r.body?.error?.code;
      const what = `${role} ${route.method} ${route.pattern} -> ${r.status} ${code || ''}`;
      if (!allowed) {
        assert.equal(code, 'forbidden', what);
        continue;
      }
      assert.ok(!DENIED.has(code), what);
      assert.notEqual(code, 'not_found', what);
      // objects of another organisation: partners only (staff see every organisation)
      if (route.pattern.includes('{id}') && !route.pattern.startsWith('/api/v1/admin/') && !STAFF.includes(role)) {
        const again = await signedIn(role);
        const f = await again.call(route.method, await pathFor(route, again, 'foreign'), bodyFor(route));
        assert.equal(f.status, 404, `${what} (foreign object answered ${f.status})`);
        assert.equal(f.body.error.code, 'not_found');
      }
    }
  });
}

test('the public directory shows nothing unpublished: a draft, its logo, the organisation behind it', async () => {
  await orgA.client.call('POST', '/api/v1/company-profile/publication', {});
  const draft = await orgA.client.call('PUT', '/api/v1/company-profile', { name: 'Org A Conseil', description_fr: 'brouillon-secret', referral_email: 'leads@a.example' });
  const other = makePng(8, 8, [200, 10, 10]);
  const up = await fetch(`${srv.url}/api/v1/company-profile/logo`, { method: 'PUT', headers: { Cookie: orgA.client.cookie, 'X-CSRF-Token': orgA.client.csrf }, body: other });
  const draftLogo = (await up.json()).draft.logo_url.split('/').pop();
  assert.equal(draft.status, 200);
  const anon = new Client(srv.url);
  assert.equal((await anon.call('GET', `/api/v1/directory/logos/${draftLogo}`)).status, 404, 'a draft logo is not public');
  assert.equal((await anon.call('GET', `/api/v1/directory/logos/${orgA.logo}`)).status, 200);
  // org B has no listing: its draft is nowhere
  await orgB.client.call('PUT', '/api/v1/company-profile', { name: 'Org B Invisible', description_fr: 'jamais publié', referral_email: 'b@b.example' });
  for (const path of ['/api/v1/directory/partners?limit=50', '/api/v1/directory/partners?q=brouillon', '/api/v1/directory/partners?q=invisible', `/api/v1/directory/partners/${orgA.slug}`, '/api/v1/directory/catalog']) {
    const text = JSON.stringify((await anon.call('GET', path)).body);
    for (const secret of ['brouillon-secret', 'Invisible', 'jamais', orgA.org.partner.id, orgA.org.partner.membership_id, 'leads@a.example', orgA.org.email, 'n@c.example', draftLogo])
      assert.ok(!text.includes(secret), `${path} shows ${secret}`);
  }
});

test('product keys never leak: whole to the organisation that received them, 404 to another, 403 and masked for staff', async () => {
  const key = 'LEAKS-00001-AAAAA-BBBBB-CCCCC';
  sql(srv.db.url, `INSERT INTO benefit_grants (id, partner_id, subscription_id, term, position, kind, product, name_fr, name_en, quantity, starts_on, ends_on, activate_by, created_at) VALUES ('ben_authz_keys', '${orgA.org.partner.id}', '${orgA.sub}', 1, 91, 'software_key', 'authz-keys', 'P', 'P', 1, '${TERM_START}', '${TERM_END}', '${TERM_END}', 0)`);
  const op = await signedIn(OP);
  const loaded = await op.call('POST', '/api/v1/admin/key-pools/authz-keys/keys', `${key}\n`, { 'Content-Type': 'text/csv' });
  assert.equal(loaded.status, 201, JSON.stringify(loaded.body));
  const act = await (await signedIn(GA)).call('POST', '/api/v1/benefits/ben_authz_keys/activation', {});
  assert.equal(act.status, 200, JSON.stringify(act.body));
  for (const role of ROLES) {
    const r = await (await signedIn(role)).call('GET', '/api/v1/benefits/ben_authz_keys/keys');
    if (PARTNER.includes(role)) assert.deepEqual(r.body.items.map((k) => k.key), [key], role);
    else {
      assert.equal(r.status, 403, role);
      const masked = await (await signedIn(role)).call('GET', '/api/v1/admin/key-pools/authz-keys/keys');
      assert.deepEqual(masked.body.items.map((k) => k.masked), ['XXXXX-XXXXX-XXXXX-XXXXX-CCCCC'], role);
      assert.ok(!JSON.stringify(masked.body).includes('LEAKS'), role);
    }
  }
  for (const path of ['/api/v1/benefits/ben_authz_keys/keys', '/api/v1/benefits/ben_authz_keys', '/api/v1/benefits']) {
    const other = await orgB.client.call('GET', path);
    assert.ok(!JSON.stringify(other.body).includes('LEAKS'), path);
    if (path !== '/api/v1/benefits') assert.equal(other.status, 404, path);
  }
  const audit = await op.call('GET', '/api/v1/audit-events');
  assert.ok(!JSON.stringify(audit.body).includes('LEAKS'));
});
