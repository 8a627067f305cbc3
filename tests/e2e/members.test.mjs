// members.test.mjs - joining the network, signing in, users and roles (issue 3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, join, adminOf, memberOf, addStaff, sql, operatorClock, totp, jobsProcess, readMails } from './harness.mjs';

let srv;
before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  // every test signs in from 127.0.0.1: the per-address limit is exercised on its own
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
});
after(async () => {
  await srv?.stop();
});

const validJoin = (email) => ({
  company: 'Northwind Traders GmbH',
  country: 'DE',
  address: { line1: 'Hauptstraße 5', line2: '2. OG', postal_code: '10115', city: 'Berlin' },
  vat_id: 'DE 136 695 976',
  locale: 'en',
  admin: { name: 'Nora Admin', email, password: 'twelve chars min' },
});

test('joining gives a 7-digit membership ID, a currency from the country and a global admin', async () => {
  const r = await new Client(srv.url).call('POST', '/api/v1/partners', validJoin('Nora@Northwind.example'));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const { partner, user } = r.body;
  assert.match(partner.id, /^ptn_/);
  assert.match(partner.membership_id, /^[1-9]\d{6}$/);
  assert.equal(partner.country, 'DE');
  assert.equal(partner.currency, 'EUR');
  assert.equal(partner.vat_id, 'DE136695976');
  assert.deepEqual(partner.address, { line1: 'Hauptstraße 5', line2: '2. OG', postal_code: '10115', city: 'Berlin' });
  assert.equal(user.email, 'nora@northwind.example');
  assert.deepEqual(user.roles, ['global_admin']);
  assert.equal(user.status, 'active');
  assert.ok(!JSON.stringify(r.body).includes('twelve chars min'));
  const hash = sql(srv.db.url, `SELECT password_hash FROM users WHERE id = '${user.id}'`);
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

  const gb = await join(srv.url, { country: 'GB', vat_id: 'GB 980 7806 84' });
  assert.equal(gb.partner.currency, 'GBP');
  const us = await join(srv.url, { country: 'US', vat_id: undefined });
  assert.equal(us.partner.currency, 'USD');
  const ids = new Set([partner.membership_id, gb.partner.membership_id, us.partner.membership_id]);
  assert.equal(ids.size, 3);
});

test('each wrong field of a join is named, and nothing is created', async () => {
  const before = sql(srv.db.url, 'SELECT COUNT(*) FROM partners');
  const r = await new Client(srv.url, { lang: 'en' }).call('POST', '/api/v1/partners', {
    company: '',
    country: 'FRA',
    address: { line1: 'x', city: 'Paris', floor: 3 },
    vat_id: 'FR123',
    locale: 'de',
    admin: { name: 'A', email: 'not-an-email', password: 'short' },
    referrer: 'x',
  });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'invalid_request');
  assert.equal(r.body.error.message, 'Some fields of the request are not valid.');
  const f = r.body.error.details.fields;
  for (const key of ['company', 'country', 'address.postal_code', 'address.floor', 'locale', 'admin.email', 'admin.password', 'referrer'])
    assert.ok(f[key], `no error for ${key}: ${JSON.stringify(f)}`);
  const vat = await new Client(srv.url, { lang: 'en' }).call('POST', '/api/v1/partners', { ...validJoin('vat@x.example'), vat_id: 'FR123' });
  assert.equal(vat.status, 422);
  assert.match(vat.body.error.details.fields.vat_id, /not a VAT ID of this country/);
  const wrongCountry = await new Client(srv.url).call('POST', '/api/v1/partners', { ...validJoin('vat2@x.example'), country: 'FR', vat_id: 'DE136695976' });
  assert.equal(wrongCountry.status, 422);
  assert.ok(wrongCountry.body.error.details.fields.vat_id);
  const greece = await new Client(srv.url).call('POST', '/api/v1/partners', { ...validJoin('gr@x.example'), country: 'GR', vat_id: 'EL094012834' });
  assert.equal(greece.status, 201);
  assert.equal(sql(srv.db.url, 'SELECT COUNT(*) FROM partners'), String(Number(before) + 1));
});

test('validation messages are in the caller\'s language: a French partner who leaves a field empty reads French', async () => {
  const body = { ...validJoin('lang@x.example'), company: '', country: 'FRA', admin: { name: 'A', email: 'x', password: 'twelve chars min' } };
  const fr = await new Client(srv.url, { lang: 'fr-FR,fr;q=0.9' }).call('POST', '/api/v1/partners', body);
  const en = await new Client(srv.url, { lang: 'en-GB' }).call('POST', '/api/v1/partners', body);
  const none = await new Client(srv.url).call('POST', '/api/v1/partners', body);
  assert.equal(fr.status, 422);
  assert.equal(fr.body.error.message, 'Certains champs de la requête ne sont pas valides.');
  assert.deepEqual(fr.body.error.details.fields, {
    company: 'obligatoire', // left empty: the word of a field left out
    country: 'de 1 à 2 caractères, sur une seule ligne',
    'admin.email': 'adresse e-mail non valide',
  });
  assert.deepEqual(en.body.error.details.fields, {
    company: 'required',
    country: 'must be 1 to 2 characters on one line',
    'admin.email': 'not a valid email address',
  });
  assert.deepEqual(none.body.error.details.fields, fr.body.error.details.fields, 'French is the default');
  const missing = await new Client(srv.url, { lang: 'fr' }).call('POST', '/api/v1/partners', { country: 'FR' });
  assert.equal(missing.body.error.details.fields.company, 'obligatoire');
  assert.equal(missing.body.error.details.fields.address, 'obligatoire');
});

test('field limits count characters, not bytes', async () => {
  const at = await new Client(srv.url).call('POST', '/api/v1/partners', { ...validJoin('limits@x.example'), company: 'é'.repeat(200) });
  assert.equal(at.status, 201, JSON.stringify(at.body));
  const over = await new Client(srv.url).call('POST', '/api/v1/partners', { ...validJoin('limits2@x.example'), company: 'é'.repeat(201) });
  assert.equal(over.status, 422);
  assert.ok(over.body.error.details.fields.company);
});

test('an email is one account: joining again with it is 409 email_taken', async () => {
  const org = await join(srv.url);
  const r = await new Client(srv.url).call('POST', '/api/v1/partners', validJoin(org.email.toUpperCase()));
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'email_taken');
  assert.ok(r.body.error.details.fields['admin.email']);
});

test('sign-in sets a strict, HttpOnly, 256-bit session cookie, renewed at every sign-in', async () => {
  const org = await join(srv.url);
  const c = new Client(srv.url);
  const r = await c.signIn(org.email, org.password);
  assert.equal(r.status, 201);
  assert.match(r.body.csrf_token, /^[0-9a-f]{64}$/);
  assert.deepEqual(r.body.user.roles, ['global_admin']);
  assert.match(r.setCookie, /^pd_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  const first = c.cookie;
  const again = await c.signIn(org.email, org.password);
  assert.equal(again.status, 201);
  assert.notEqual(c.cookie, first);
  const tls = await new Client(srv.url).call('POST', '/api/v1/sessions', { email: org.email, password: org.password }, { 'X-Forwarded-Proto': 'https' });
  assert.match(tls.setCookie, /; Secure$/);
  // the cookie's token is not what the database holds
  const token = first.split('=')[1];
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM sessions WHERE token_hash = '${token}'`), '0');
});

test('an unknown email and a wrong password get the same answer', async () => {
  const org = await join(srv.url);
  const wrong = await new Client(srv.url).signIn(org.email, 'not the password at all');
  const unknown = await new Client(srv.url).signIn('nobody-' + org.email, 'not the password at all');
  assert.equal(wrong.status, 401);
  assert.deepEqual(unknown.body, wrong.body);
  assert.equal(wrong.body.error.code, 'invalid_credentials');
  assert.equal(unknown.status, wrong.status);
  assert.equal(wrong.setCookie, null);
});

test('me tells who I am, my organisation and my roles; sign-out ends the session', async () => {
  const { org, client } = await adminOf(srv.url);
  const me = await client.call('GET', '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.user.email, org.email);
  assert.deepEqual(me.body.user.roles, ['global_admin']);
  assert.equal(me.body.partner.membership_id, org.partner.membership_id);
  const kept = client.cookie;
  const out = await client.call('DELETE', '/api/v1/sessions/current');
  assert.equal(out.status, 204);
  assert.match(out.setCookie, /pd_session=; .*Max-Age=0/);
  const stale = new Client(srv.url);
  stale.cookie = kept;
  const after = await stale.call('GET', '/api/v1/me');
  assert.equal(after.status, 401);
  assert.equal(after.body.error.code, 'unauthenticated');
  assert.equal((await new Client(srv.url).call('GET', '/api/v1/me')).status, 401);
});

test("sign-out with an API token says there is no session to end, in the caller's language, and the token still works", async () => {
  const { client } = await adminOf(srv.url);
  const token = (await client.call('POST', '/api/v1/api-tokens', { name: 'ci' })).body.token;
  for (const [lang, said] of [['fr', /jeton d'API, sans session à fermer/], ['en', /API token, which has no session to end/]]) {
    const api = new Client(srv.url, { bearer: token, lang });
    const out = await api.call('DELETE', '/api/v1/sessions/current');
    assert.equal(out.status, 422, JSON.stringify(out.body));
    assert.match(out.body.error.details.problem, said);
  }
  assert.equal((await new Client(srv.url, { bearer: token }).call('GET', '/api/v1/me')).status, 200);
});

test('a change with the session cookie needs the CSRF token', async () => {
  const { client } = await adminOf(srv.url);
  const csrf = client.csrf;
  client.csrf = null;
  let r = await client.call('POST', '/api/v1/api-tokens', { name: 'ci' });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'csrf_token_invalid');
  client.csrf = 'f'.repeat(64);
  r = await client.call('POST', '/api/v1/api-tokens', { name: 'ci' });
  assert.equal(r.status, 403);
  client.csrf = csrf;
  r = await client.call('POST', '/api/v1/api-tokens', { name: 'ci' });
  assert.equal(r.status, 201);
});

test('sessions end after 30 idle minutes and after 12 hours in any case', async () => {
  const { setClock } = await operatorClock(srv);
  try {
    await setClock('2027-06-23T08:00:00Z');
    const org = await join(srv.url);
    const idle = new Client(srv.url);
    await idle.signIn(org.email, org.password);
    await setClock('2027-06-23T08:29:00Z');
    assert.equal((await idle.call('GET', '/api/v1/me')).status, 200);
    await setClock('2027-06-23T08:59:30Z'); // 30 min 30 s after the last request
    const expired = await idle.call('GET', '/api/v1/me');
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, 'session_expired');

    const busy = new Client(srv.url);
    await setClock('2027-06-24T08:00:00Z');
    await busy.signIn(org.email, org.password);
    for (let h = 0; h < 12 * 60; h += 25) {
      const t = new Date(Date.parse('2027-06-24T08:00:00Z') + h * 60000).toISOString().replace('.000', '');
      await setClock(t);
      assert.equal((await busy.call('GET', '/api/v1/me')).status, 200, `at ${t}`);
    }
    await setClock('2027-06-24T20:00:00Z');
    assert.equal((await busy.call('GET', '/api/v1/me')).body.error.code, 'session_expired');
  } finally {
    await setClock(null);
  }
});

test('a password change ends the other sessions of the user', async () => {
  const org = await join(srv.url);
  const a = new Client(srv.url);
  const b = new Client(srv.url);
  await a.signIn(org.email, org.password);
  await b.signIn(org.email, org.password);
  const bad = await a.call('POST', '/api/v1/me/password', { current_password: 'wrong one entirely', new_password: 'a brand new password' });
  assert.equal(bad.status, 422);
  assert.ok(bad.body.error.details.fields.current_password);
  const ok = await a.call('POST', '/api/v1/me/password', { current_password: org.password, new_password: 'a brand new password' });
  assert.equal(ok.status, 204);
  assert.equal((await a.call('GET', '/api/v1/me')).status, 200);
  assert.equal((await b.call('GET', '/api/v1/me')).status, 401);
  assert.equal((await new Client(srv.url).signIn(org.email, org.password)).status, 401);
  assert.equal((await new Client(srv.url).signIn(org.email, 'a brand new password')).status, 201);
});

test('failed sign-ins are throttled per account with 429 and Retry-After', async () => {
  const org = await join(srv.url);
  for (let i = 0; i < 5; i++) {
    const r = await new Client(srv.url).signIn(org.email, 'wrong password ' + i);
    assert.equal(r.status, 401);
  }
  const locked = await new Client(srv.url).signIn(org.email, org.password);
  assert.equal(locked.status, 429);
  assert.equal(locked.body.error.code, 'too_many_attempts');
  const retry = Number(locked.headers.get('retry-after'));
  assert.ok(retry > 0 && retry <= 900, `Retry-After ${retry}`);
  assert.equal(locked.body.error.details.retry_after, retry);
  // another account from the same address is not locked by this one
  const other = await join(srv.url);
  assert.equal((await new Client(srv.url).signIn(other.email, other.password)).status, 201);
});

test('failed sign-ins are throttled per client address too, with limits from settings', async () => {
  sql(srv.db.url, "DELETE FROM auth_throttle WHERE key LIKE 'address:%'");
  sql(srv.db.url, "UPDATE settings SET value = '8' WHERE key = 'auth.address_max_failures'");
  try {
    for (let i = 0; i < 8; i++) {
      const r = await new Client(srv.url).signIn(`ghost${i}@nowhere.example`, 'whatever password');
      assert.equal(r.status, 401);
    }
    const org = await join(srv.url);
    const r = await new Client(srv.url).signIn(org.email, org.password);
    assert.equal(r.status, 429);
  } finally {
    sql(srv.db.url, "UPDATE settings SET value = '1000' WHERE key = 'auth.address_max_failures'");
    sql(srv.db.url, "DELETE FROM auth_throttle WHERE key LIKE 'address:%'");
  }
});

test('who is registered is not learned by trying emails: "email taken" answers are throttled per address, for join and invite', async () => {
  sql(srv.db.url, "DELETE FROM auth_throttle WHERE key LIKE 'email_probe:%'");
  const { client } = await adminOf(srv.url);
  const known = await join(srv.url);
  sql(srv.db.url, "UPDATE settings SET value = '4' WHERE key = 'auth.address_max_failures'");
  try {
    // the flow must say when an email is used: it does, a few times
    for (let i = 0; i < 2; i++) {
      const r = await new Client(srv.url).call('POST', '/api/v1/partners', validJoin(known.email));
      assert.equal(r.status, 409);
      assert.equal(r.body.error.code, 'email_taken');
    }
    for (let i = 0; i < 2; i++) {
      const r = await client.call('POST', '/api/v1/users', { email: known.email, name: 'Probe', roles: ['user'] });
      assert.equal(r.status, 409);
      assert.equal(r.body.error.code, 'email_taken');
    }
    // then the address is locked out of both, whatever the email: a list cannot be tried
    const joinLocked = await new Client(srv.url, { lang: 'fr' }).call('POST', '/api/v1/partners', validJoin(`free-${Date.now()}@example.com`));
    assert.equal(joinLocked.status, 429);
    assert.equal(joinLocked.body.error.code, 'too_many_attempts');
    assert.ok(joinLocked.body.error.details.retry_after > 0);
    assert.equal(Number(joinLocked.headers.get('retry-after')), joinLocked.body.error.details.retry_after);
    const inviteLocked = await client.call('POST', '/api/v1/users', { email: known.email, name: 'Probe', roles: ['user'] });
    assert.equal(inviteLocked.status, 429);
    assert.equal(Number(inviteLocked.headers.get('retry-after')), inviteLocked.body.error.details.retry_after);
    // a free email from another address still joins (the lock is per address)
    sql(srv.db.url, "DELETE FROM auth_throttle WHERE key LIKE 'email_probe:%'");
    assert.equal((await new Client(srv.url).call('POST', '/api/v1/partners', validJoin(`free2-${Date.now()}@example.com`))).status, 201);
  } finally {
    sql(srv.db.url, "UPDATE settings SET value = '1000' WHERE key = 'auth.address_max_failures'");
    sql(srv.db.url, "DELETE FROM auth_throttle WHERE key LIKE 'email_probe:%'");
  }
});

test('API tokens: shown once, stored hashed, bearer without CSRF, last use, revocation', async () => {
  const { client } = await adminOf(srv.url);
  const created = await client.call('POST', '/api/v1/api-tokens', { name: 'reporting' });
  assert.equal(created.status, 201);
  const { id, token } = created.body;
  assert.match(id, /^tok_/);
  assert.match(token, /^pdt_[0-9a-f]{64}$/);
  const list = await client.call('GET', '/api/v1/api-tokens');
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.items[0].last_used_on, null);
  assert.ok(!JSON.stringify(list.body).includes(token));
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = '${token}'`), '0');

  const bearer = new Client(srv.url, { bearer: token });
  const me = await bearer.call('GET', '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.authenticated_by, 'api_token');
  const change = await bearer.call('POST', '/api/v1/api-tokens', { name: 'second' });
  assert.equal(change.status, 201); // no CSRF token needed with a bearer
  const used = await client.call('GET', '/api/v1/api-tokens');
  assert.match(used.body.items.find((t) => t.id === id).last_used_on, /^\d{4}-\d\d-\d\d$/);

  assert.equal((await client.call('DELETE', `/api/v1/api-tokens/${id}`)).status, 204);
  assert.equal((await bearer.call('GET', '/api/v1/me')).status, 401);
  assert.equal((await client.call('DELETE', `/api/v1/api-tokens/${id}`)).status, 404);
  assert.equal((await new Client(srv.url, { bearer: 'pdt_' + '0'.repeat(64) }).call('GET', '/api/v1/me')).status, 401);
});

test('a global admin invites users with roles; the one-time link sets a password', async () => {
  const { org, client } = await adminOf(srv.url);
  const inv = await client.call('POST', '/api/v1/users', { email: 'Billing@Org.example', name: 'Bea Billing', roles: ['billing_admin'] });
  assert.equal(inv.status, 201);
  assert.equal(inv.body.user.status, 'invited');
  assert.deepEqual(inv.body.user.roles, ['billing_admin']);
  const token = inv.body.invitation.token;
  assert.match(token, /^[0-9a-f]{64}$/);
  assert.equal((await new Client(srv.url).signIn('billing@org.example', 'anything at all here')).status, 401);
  const short = await new Client(srv.url).call('POST', `/api/v1/invitations/${token}/accept`, { password: 'short' });
  assert.equal(short.status, 422);
  const acc = await new Client(srv.url).call('POST', `/api/v1/invitations/${token}/accept`, { password: 'bea password 123' });
  assert.equal(acc.status, 200);
  assert.equal(acc.body.status, 'active');
  const twice = await new Client(srv.url).call('POST', `/api/v1/invitations/${token}/accept`, { password: 'bea password 456' });
  assert.equal(twice.status, 410);
  assert.equal(twice.body.error.code, 'invitation_invalid');
  const bea = new Client(srv.url);
  assert.equal((await bea.signIn('billing@org.example', 'bea password 123')).status, 201);
  assert.deepEqual((await bea.call('GET', '/api/v1/me')).body.user.roles, ['billing_admin']);
  const list = await client.call('GET', '/api/v1/users');
  assert.deepEqual(list.body.items.map((u) => u.email).sort(), [org.email, 'billing@org.example'].sort());
  assert.equal(list.body.next_cursor, null);
});

test('an invitation is accepted once when accepts with its link arrive together, and the one told so signs in', async () => {
  const { client } = await adminOf(srv.url);
  for (let round = 0; round < 4; round++) {
    const email = `together-${round}-${Date.now()}@org.example`;
    const inv = await client.call('POST', '/api/v1/users', { email, name: 'Together', roles: ['user'] });
    assert.equal(inv.status, 201);
    const password = (i) => `distinct password number ${i} zq`;
    const accepts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => new Client(srv.url).call('POST', `/api/v1/invitations/${inv.body.invitation.token}/accept`, { password: password(i) })),
    );
    const accepted = accepts.flatMap((r, i) => (r.status === 200 ? [i] : []));
    assert.equal(accepted.length, 1, `statuses: ${accepts.map((r) => r.status)}`);
    for (const r of accepts.filter((r) => r.status !== 200)) assert.equal(r.body.error.code, 'invitation_invalid');
    assert.equal((await new Client(srv.url).signIn(email, password(accepted[0]))).status, 201);
  }
});

test('invitations expire after 7 days', async () => {
  const { setClock } = await operatorClock(srv);
  try {
    await setClock('2027-01-10T10:00:00Z');
    const { client } = await adminOf(srv.url);
    const inv = await client.call('POST', '/api/v1/users', { email: `late-${Date.now()}@org.example`, name: 'Late', roles: ['user'] });
    await setClock('2027-01-17T09:59:59Z');
    assert.equal((await new Client(srv.url).call('POST', `/api/v1/invitations/${inv.body.invitation.token}/accept`, { password: 'x' })).status, 422);
    await setClock('2027-01-17T10:00:01Z');
    const r = await new Client(srv.url).call('POST', `/api/v1/invitations/${inv.body.invitation.token}/accept`, { password: 'too late password' });
    assert.equal(r.status, 410);
  } finally {
    await setClock(null);
  }
});

test('an expired invitation, or a colleague removed by mistake, is mended by inviting again; the earlier links end', async () => {
  const { setClock } = await operatorClock(srv);
  const email = `again-${Date.now()}@org.example`;
  const accept = (token, password) => new Client(srv.url).call('POST', `/api/v1/invitations/${token}/accept`, { password });
  let first, org;
  try {
    await setClock('2027-02-01T10:00:00Z');
    let client;
    ({ org, client } = await adminOf(srv.url));
    first = await client.call('POST', '/api/v1/users', { email, name: 'Ada Again', roles: ['user'] });
    assert.equal(first.status, 201);
    await setClock('2027-02-09T10:00:00Z'); // the invitee was away: the link expired
    assert.equal((await accept(first.body.invitation.token, 'ada password 1 zq')).status, 410);
  } finally {
    await setClock(null);
  }
  const admin = new Client(srv.url);
  assert.equal((await admin.signIn(org.email, org.password)).status, 201);
  const again = await admin.call('POST', '/api/v1/users', { email, name: 'Ada Again', roles: ['billing_admin'] });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.equal(again.body.user.id, first.body.user.id, 'the same person, not a second account');
  assert.equal(again.body.user.status, 'invited');
  assert.deepEqual(again.body.user.roles, ['billing_admin']);
  const ada = await accept(again.body.invitation.token, 'ada password 2 zq');
  assert.equal(ada.status, 200, JSON.stringify(ada.body));
  assert.equal((await new Client(srv.url).signIn(email, 'ada password 2 zq')).status, 201);

  // she turns the second factor on, is removed by mistake, and invited back
  const c = new Client(srv.url);
  await c.signIn(email, 'ada password 2 zq');
  const begin = await c.call('POST', '/api/v1/me/totp', {});
  assert.equal((await c.call('POST', '/api/v1/me/totp/confirm', { code: totp(begin.body.secret, Math.floor(Date.now() / 1000)) })).status, 200);
  assert.equal((await admin.call('DELETE', `/api/v1/users/${ada.body.id}`)).status, 204);
  const back = await admin.call('POST', '/api/v1/users', { email, name: 'Ada Back', roles: ['user'] });
  assert.equal(back.status, 201, JSON.stringify(back.body));
  assert.equal(back.body.user.totp_enabled, false);
  assert.equal((await new Client(srv.url).signIn(email, 'ada password 2 zq')).status, 401, 'invited: no way in before accepting');
  const resent = await admin.call('POST', '/api/v1/users', { email, name: 'Ada Back', roles: ['user'] });
  assert.equal(resent.status, 201);
  assert.equal((await accept(back.body.invitation.token, 'ada password 3 zq')).status, 410, 'the earlier link ended');
  assert.equal((await accept(resent.body.invitation.token, 'ada password 4 zq')).status, 200);
  const signed = await new Client(srv.url).signIn(email, 'ada password 4 zq');
  assert.equal(signed.status, 201, 'her old second factor went with her removal');
  assert.deepEqual(signed.body.user.roles, ['user']);
  const list = await admin.call('GET', '/api/v1/users');
  assert.equal(list.body.items.filter((u) => u.email === email).length, 1);

  // an account, here or in another organisation, is still not invited
  assert.equal((await admin.call('POST', '/api/v1/users', { email, name: 'Ada', roles: ['user'] })).body.error.code, 'email_taken');
  const other = await adminOf(srv.url);
  assert.equal((await admin.call('DELETE', `/api/v1/users/${ada.body.id}`)).status, 204);
  assert.equal((await other.client.call('POST', '/api/v1/users', { email, name: 'Ada', roles: ['user'] })).body.error.code, 'email_taken');
});

// From the review: the links of invitation emails are minted when they are sent, so an email
// of an earlier invitation still waiting in the outbox would carry a live link after the
// invitation was replaced, or after a removal and a new invitation.
test('an invitation email still waiting when its invitation is replaced is never sent', async () => {
  const { client } = await adminOf(srv.url);
  const accept = (token, password) => new Client(srv.url).call('POST', `/api/v1/invitations/${token}/accept`, { password });
  const links = (email) => readMails(srv.mailDir).filter((m) => m.to === email).map((m) => m.text.match(/\/invitations\/([0-9a-f]{64})/)[1]);
  const replaced = `replaced-${Date.now()}@org.example`, removed = `removed-${Date.now()}@org.example`;
  const one = await client.call('POST', '/api/v1/users', { email: replaced, name: 'Jo', roles: ['user'] });
  const two = await client.call('POST', '/api/v1/users', { email: replaced, name: 'Jo', roles: ['billing_admin'] });
  assert.equal(two.status, 201);
  const three = await client.call('POST', '/api/v1/users', { email: removed, name: 'Al', roles: ['user'] });
  assert.equal((await client.call('DELETE', `/api/v1/users/${three.body.user.id}`)).status, 204);
  assert.equal((await client.call('POST', '/api/v1/users', { email: removed, name: 'Al', roles: ['user'] })).status, 201);
  assert.equal((await jobsProcess(srv)).code, 0);
  for (const email of [replaced, removed]) {
    assert.equal(links(email).length, 1, `one email to ${email}: the latest invitation's`);
    const failed = sql(srv.db.url, `SELECT d.status || ' ' || d.last_error FROM email_deliveries d WHERE d.recipient = '${email}' AND d.status <> 'sent'`);
    assert.equal(failed, 'failed not sent: the invitation was replaced or ended');
  }
  assert.equal((await accept(one.body.invitation.token, 'jo password 1 zq')).status, 410);
  const jo = await accept(links(replaced)[0], 'jo password 2 zq');
  assert.equal(jo.status, 200, 'the latest link works');
  assert.deepEqual((await new Client(srv.url).signIn(replaced, 'jo password 2 zq')).body.user.roles, ['billing_admin']);
});

test('roles change, users leave, and an organisation always keeps a global admin', async () => {
  const { org, client } = await adminOf(srv.url);
  const me = org.user.id;
  let r = await client.call('PATCH', `/api/v1/users/${me}`, { roles: ['user'] });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'last_global_admin');
  r = await client.call('DELETE', `/api/v1/users/${me}`);
  assert.equal(r.status, 409);

  const second = await memberOf(srv.url, client, ['account_admin']);
  r = await client.call('PATCH', `/api/v1/users/${second.user.id}`, { roles: ['global_admin', 'billing_admin'], name: 'Second Admin' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.roles, ['global_admin', 'billing_admin']);
  assert.equal(r.body.name, 'Second Admin');
  // now the first admin may step down
  r = await client.call('PATCH', `/api/v1/users/${me}`, { roles: ['user'] });
  assert.equal(r.status, 200);
  const promoted = second.client;
  r = await promoted.call('DELETE', `/api/v1/users/${second.user.id}`);
  assert.equal(r.status, 409, 'the remaining global admin cannot remove themself');

  const leaver = await memberOf(srv.url, promoted, ['billing_admin']);
  const token = (await leaver.client.call('POST', '/api/v1/api-tokens', { name: 'x' })).body.token;
  r = await promoted.call('DELETE', `/api/v1/users/${leaver.user.id}`);
  assert.equal(r.status, 204);
  assert.equal((await leaver.client.call('GET', '/api/v1/me')).status, 401);
  assert.equal((await new Client(srv.url, { bearer: token }).call('GET', '/api/v1/me')).status, 401);
  assert.equal((await new Client(srv.url).signIn(leaver.email, leaver.password)).status, 401);
  const bad = await promoted.call('PATCH', `/api/v1/users/${leaver.user.id}`, { roles: ['operator'] });
  assert.equal(bad.status, 422);
});

test('two global admins stepping down at once: one may, the other is the one the organisation keeps', async () => {
  for (let round = 0; round < 12; round++) {
    const { org, client } = await adminOf(srv.url);
    const b = await memberOf(srv.url, client, ['global_admin']);
    const both = await Promise.all([
      client.call('PATCH', `/api/v1/users/${org.user.id}`, { roles: ['user'] }),
      b.client.call('PATCH', `/api/v1/users/${b.user.id}`, { roles: ['user'] }),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], `round ${round}: ${both.map((r) => r.status)}`);
    assert.equal(both.find((r) => r.status === 409).body.error.code, 'last_global_admin');
  }
});

test('a PATCH refuses null for a field that cannot be emptied, naming it in the caller\'s language', async () => {
  const { org, client } = await adminOf(srv.url);
  const me = org.user.id;
  for (const [lang, words] of [['fr', /omettez le champ/], ['en', /leave the field out/]]) {
    client.lang = lang;
    const r = await client.call('PATCH', `/api/v1/users/${me}`, { name: null, roles: null });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'invalid_request');
    assert.match(r.body.error.details.fields.name, words);
    assert.match(r.body.error.details.fields.roles, words);
    const p = await client.call('PATCH', '/api/v1/partner', { siren: null });
    assert.equal(p.status, 422, JSON.stringify(p.body));
    assert.match(p.body.error.details.fields.siren, words);
    assert.equal((await client.call('PATCH', '/api/v1/partner', { require_2fa: null })).status, 422);
  }
  const after = (await client.call('GET', '/api/v1/users')).body.items.find((u) => u.id === me);
  assert.equal(after.name, org.user.name, 'the name is unchanged');
  assert.equal((await client.call('PATCH', `/api/v1/users/${me}`, {})).status, 200, 'an absent field stays as it is');
});

test('an invited global admin who has not accepted does not count as the one the organisation keeps', async () => {
  const { org, client } = await adminOf(srv.url);
  const me = org.user.id;
  const inv = await client.call('POST', '/api/v1/users', { email: `pending-ga-${me}@org.example`, name: 'Pending Admin', roles: ['global_admin'] });
  assert.equal(inv.status, 201);
  let r = await client.call('PATCH', `/api/v1/users/${me}`, { roles: ['user'] });
  assert.equal(r.status, 409, 'the only active global admin may not step down for an invitee');
  assert.equal(r.body.error.code, 'last_global_admin');
  r = await client.call('DELETE', `/api/v1/users/${me}`);
  assert.equal(r.status, 409, 'nor leave');
  assert.equal((await client.call('GET', '/api/v1/users')).status, 200);
  // the invitee itself may still be changed or removed
  r = await client.call('PATCH', `/api/v1/users/${inv.body.user.id}`, { roles: ['user'] });
  assert.equal(r.status, 200);
  r = await client.call('PATCH', `/api/v1/users/${inv.body.user.id}`, { roles: ['global_admin'] });
  assert.equal(r.status, 200);
  assert.equal((await client.call('DELETE', `/api/v1/users/${inv.body.user.id}`)).status, 204);
  // once an invited admin accepts, the first may step down
  const second = await memberOf(srv.url, client, ['global_admin']);
  assert.equal((await client.call('PATCH', `/api/v1/users/${me}`, { roles: ['user'] })).status, 200);
  assert.equal((await second.client.call('GET', '/api/v1/users')).status, 200);
});

test("another organisation's users answer 404, exactly like missing ones", async () => {
  const a = await adminOf(srv.url);
  const b = await adminOf(srv.url);
  const foreign = b.org.user.id;
  for (const [method, body] of [['PATCH', { name: 'x' }], ['DELETE', undefined]]) {
    const r = await a.client.call(method, `/api/v1/users/${foreign}`, body);
    const missing = await a.client.call(method, '/api/v1/users/usr_doesnotexist000000', body);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, missing.body);
  }
  const list = await a.client.call('GET', '/api/v1/users');
  assert.ok(!list.body.items.some((u) => u.id === foreign));
  assert.equal((await b.client.call('GET', '/api/v1/me')).body.user.name.startsWith('Admin'), true);
});

test('two-factor: enrolment, codes at sign-in, no replay, recovery codes once', async () => {
  const { setClock } = await operatorClock(srv);
  const at = (t) => setClock(new Date(t * 1000).toISOString().replace('.000', ''));
  try {
    let now = Date.parse('2027-03-01T10:00:00Z') / 1000;
    await at(now);
    const { org, client } = await adminOf(srv.url);
    const begin = await client.call('POST', '/api/v1/me/totp', {});
    assert.equal(begin.status, 201);
    assert.match(begin.body.secret, /^[A-Z2-7]{32}$/);
    assert.match(begin.body.otpauth_uri, /^otpauth:\/\/totp\//);
    // a code of no step the server accepts (this one and those either side)
    const near = [now - 30, now, now + 30].map((t) => totp(begin.body.secret, t));
    const wrongCode = ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c));
    const wrong = await client.call('POST', '/api/v1/me/totp/confirm', { code: wrongCode });
    assert.equal(wrong.status, 401);
    const conf = await client.call('POST', '/api/v1/me/totp/confirm', { code: totp(begin.body.secret, now) });
    assert.equal(conf.status, 200, JSON.stringify(conf.body));
    assert.equal(conf.body.recovery_codes.length, 10);

    now += 60;
    await at(now);
    const noCode = await new Client(srv.url).signIn(org.email, org.password);
    assert.equal(noCode.status, 401);
    assert.equal(noCode.body.error.code, 'second_factor_required');
    assert.equal(noCode.setCookie, null);
    const code = totp(begin.body.secret, now);
    assert.equal((await new Client(srv.url).signIn(org.email, org.password, { totp_code: code })).status, 201);
    const replay = await new Client(srv.url).signIn(org.email, org.password, { totp_code: code });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'invalid_second_factor');
    const rc = conf.body.recovery_codes[0];
    assert.equal((await new Client(srv.url).signIn(org.email, org.password, { recovery_code: rc.toUpperCase() })).status, 201);
    assert.equal((await new Client(srv.url).signIn(org.email, org.password, { recovery_code: rc })).status, 401);

    const off = await client.call('POST', '/api/v1/me/totp/disable', { password: org.password });
    assert.equal(off.status, 204);
    assert.equal((await new Client(srv.url).signIn(org.email, org.password)).status, 201);
  } finally {
    await setClock(null);
  }
});

test('two-factor: turning off what is not on, confirming what was not begun, beginning what is on: a clear 409', async () => {
  const { org, client } = await adminOf(srv.url);
  const disabledEvents = () => sql(srv.db.url, `SELECT COUNT(*) FROM audit_events WHERE action = 'user.second_factor_disabled' AND object_id = '${org.user.id}'`);
  for (const [lang, words] of [['fr', /n'est pas activée/], ['en', /not on/]]) {
    client.lang = lang;
    const off = await client.call('POST', '/api/v1/me/totp/disable', { password: org.password });
    assert.equal(off.status, 409, JSON.stringify(off.body));
    assert.equal(off.body.error.code, 'second_factor_off');
    assert.match(off.body.error.message, words);
  }
  assert.equal(disabledEvents(), '0', 'nothing was turned off, nothing is recorded');
  client.lang = 'en';
  const early = await client.call('POST', '/api/v1/me/totp/confirm', { code: '123456' });
  assert.equal(early.status, 409, JSON.stringify(early.body));
  assert.equal(early.body.error.code, 'no_enrolment_in_progress');
  assert.match(early.body.error.message, /start the set-up again/);
  const begin = await client.call('POST', '/api/v1/me/totp', {});
  const now = Math.floor(Date.now() / 1000);
  assert.equal((await client.call('POST', '/api/v1/me/totp/confirm', { code: totp(begin.body.secret, now) })).status, 200);
  const again = await client.call('POST', '/api/v1/me/totp', {});
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'second_factor_already_on');
  assert.equal((await client.call('POST', '/api/v1/me/totp/confirm', { code: totp(begin.body.secret, now) })).body.error.code, 'no_enrolment_in_progress');
  assert.equal((await client.call('POST', '/api/v1/me/totp/disable', { password: org.password })).status, 204);
  assert.equal(disabledEvents(), '1');
  assert.equal((await client.call('POST', '/api/v1/me/totp/disable', { password: org.password })).body.error.code, 'second_factor_off');
  assert.equal(disabledEvents(), '1');
});

test('two-factor: one code opens one session, even when sign-ins with it arrive together', async () => {
  const { setClock } = await operatorClock(srv);
  try {
    const now = Date.parse('2027-03-02T10:00:00Z') / 1000;
    await setClock(new Date(now * 1000).toISOString().replace('.000', ''));
    const { org, client } = await adminOf(srv.url);
    const begin = await client.call('POST', '/api/v1/me/totp', {});
    assert.equal((await client.call('POST', '/api/v1/me/totp/confirm', { code: totp(begin.body.secret, now - 30) })).status, 200);
    const code = totp(begin.body.secret, now);
    const tries = await Promise.all(
      Array.from({ length: 8 }, () => new Client(srv.url).signIn(org.email, org.password, { totp_code: code })),
    );
    const opened = tries.filter((r) => r.status === 201);
    assert.equal(opened.length, 1, `statuses: ${tries.map((r) => r.status)}`);
    for (const r of tries.filter((r) => r.status !== 201)) {
      assert.ok([401, 429].includes(r.status), `status ${r.status}`);
      assert.equal(r.setCookie, null);
    }
  } finally {
    await setClock(null);
  }
});

test('a global admin can require two-factor for the whole organisation', async () => {
  const { org, client } = await adminOf(srv.url);
  const member = await memberOf(srv.url, client, ['billing_admin']);
  assert.equal((await client.call('PATCH', '/api/v1/partner', { require_2fa: 'yes' })).status, 422);
  assert.equal((await member.client.call('PATCH', '/api/v1/partner', { require_2fa: true })).status, 403);
  const r = await client.call('PATCH', '/api/v1/partner', { require_2fa: true });
  assert.equal(r.status, 200);
  assert.equal(r.body.require_2fa, true);
  const s = await new Client(srv.url).signIn(member.email, member.password);
  assert.equal(s.status, 201);
  assert.equal(s.body.second_factor_enrolment_required, true);
  const blocked = await member.client.call('GET', '/api/v1/partner');
  assert.equal(blocked.status, 403);
  assert.equal(blocked.body.error.code, 'second_factor_enrolment_required');
  assert.equal((await member.client.call('GET', '/api/v1/me')).body.second_factor_enrolment_required, true);
  assert.equal((await member.client.call('POST', '/api/v1/me/totp', {})).status, 201);
  // the admin who required it is held to it as well, and cannot turn it off without 2FA
  assert.equal((await client.call('PATCH', '/api/v1/partner', { require_2fa: false })).body.error.code, 'second_factor_enrolment_required');
  assert.equal(org.partner.require_2fa, false);
});

test('staff sign in the same way and see staff routes, never partner-only ones', async () => {
  const sup = addStaff(srv.db, 'support');
  const staff = new Client(srv.url);
  const s = await staff.signIn(sup.email, sup.password);
  assert.equal(s.status, 201);
  assert.equal(s.body.user.kind, 'staff');
  assert.deepEqual(s.body.user.roles, ['support']);
  const partners = await staff.call('GET', '/api/v1/admin/partners');
  assert.equal(partners.status, 200);
  assert.ok(partners.body.items.length > 0);
  assert.ok(partners.body.items.every((p) => /^\d{7}$/.test(p.membership_id)));
  assert.equal((await staff.call('GET', '/api/v1/partner')).status, 403);
  assert.equal((await staff.call('GET', '/api/v1/users')).status, 403);
  assert.equal((await staff.call('GET', '/api/v1/me')).body.partner, null);
  const { client } = await adminOf(srv.url);
  assert.equal((await client.call('GET', '/api/v1/admin/partners')).status, 403);
});

test('the audit log records who did what, from where; each sees what is theirs', async () => {
  const a = await adminOf(srv.url);
  const b = await adminOf(srv.url);
  await a.client.call('POST', '/api/v1/users', { email: `audited-${Date.now()}@org.example`, name: 'Audited', roles: ['user'] });
  await new Client(srv.url).signIn(a.org.email, 'wrong password here');
  const events = await a.client.call('GET', '/api/v1/audit-events');
  assert.equal(events.status, 200);
  const actions = events.body.items.map((e) => e.action);
  for (const want of ['partner.joined', 'session.created', 'user.invited', 'session.sign_in_failed'])
    assert.ok(actions.includes(want), `${want} missing from ${actions}`);
  const invited = events.body.items.find((e) => e.action === 'user.invited');
  assert.equal(invited.actor_email, a.org.email);
  assert.equal(invited.ip, '127.0.0.1');
  assert.equal(invited.object_type, 'user');
  assert.match(invited.at, /^\d{4}-\d\d-\d\dT/);
  assert.ok(events.body.items.every((e) => e.partner_id === a.org.partner.id));
  // newest first, and paged
  const page = await a.client.call('GET', '/api/v1/audit-events?limit=2');
  assert.equal(page.body.items.length, 2);
  assert.ok(page.body.next_cursor);
  const next = await a.client.call('GET', `/api/v1/audit-events?limit=2&cursor=${encodeURIComponent(page.body.next_cursor)}`);
  assert.notEqual(next.body.items[0].id, page.body.items[0].id);
  assert.ok(page.body.items[0].at >= next.body.items[0].at);

  const op = addStaff(srv.db, 'operator');
  const operator = new Client(srv.url);
  await operator.signIn(op.email, op.password);
  const all = await operator.call('GET', `/api/v1/audit-events?partner_id=${b.org.partner.id}`);
  assert.equal(all.status, 200);
  assert.ok(all.body.items.length > 0);
  assert.ok(all.body.items.every((e) => e.partner_id === b.org.partner.id));
  const member = await memberOf(srv.url, a.client, ['billing_admin']);
  assert.equal((await member.client.call('GET', '/api/v1/audit-events')).status, 403);
  assert.ok(!JSON.stringify(events.body).includes(a.org.password));
});

test('the test clock: operator only, and it moves every process\'s business date', async () => {
  const { client: operator } = await operatorClock(srv);
  const { client } = await adminOf(srv.url);
  assert.equal((await client.call('PUT', '/api/v1/admin/clock', { now: '2027-06-23T09:00:00Z' })).status, 403);
  assert.equal((await new Client(srv.url).call('PUT', '/api/v1/admin/clock', { now: '2027-06-23T09:00:00Z' })).status, 401);
  const bad = await operator.call('PUT', '/api/v1/admin/clock', { now: '23/06/2027' });
  assert.equal(bad.status, 422);
  const set = await operator.call('PUT', '/api/v1/admin/clock', { now: '2027-06-22T22:30:00Z' });
  assert.equal(set.status, 200);
  assert.deepEqual(set.body, { now: '2027-06-22T22:30:00Z', today: '2027-06-23', pinned: true });
  // a second server process on the same database sees the same clock
  const other = await startServer({ db: srv.db, args: ['--no-jobs', '--test-clock'] });
  try {
    assert.equal((await (await fetch(`${other.url}/healthz`)).json()).now, '2027-06-22T22:30:00Z');
  } finally {
    await other.stop();
  }
  const reset = await operator.call('PUT', '/api/v1/admin/clock', { now: null });
  assert.equal(reset.body.pinned, false);
});

test('the operator who moves the clock by a month stays signed in; other sessions meet the new time', async () => {
  const who = addStaff(srv.db, 'operator');
  const operator = new Client(srv.url);
  assert.equal((await operator.signIn(who.email, who.password)).status, 201);
  const { client: partner } = await adminOf(srv.url);
  try {
    const read = await operator.call('GET', '/api/v1/admin/clock');
    assert.equal(read.status, 200);
    assert.equal(typeof read.body.time_zone, 'string');
    // a month on from the real today (the sessions were opened on the real clock)
    const day = new Date(Date.now() + 32 * 86400000).toISOString().slice(0, 10);
    const jump = await operator.call('PUT', '/api/v1/admin/clock', { now: `${day}T09:00:00Z` });
    assert.equal(jump.status, 200);
    assert.equal((await operator.call('GET', '/api/v1/me')).status, 200, 'the operator is still signed in');
    assert.equal((await operator.call('GET', '/api/v1/admin/clock')).body.today, day);
    assert.equal((await partner.call('GET', '/api/v1/me')).body.error.code, 'session_expired', 'a month passed for everyone else');
    assert.equal((await operator.call('PUT', '/api/v1/admin/clock', { now: null })).status, 200, 'and back');
    assert.equal((await operator.call('GET', '/api/v1/me')).status, 200);
  } finally {
    await operatorClock(srv).then((o) => o.setClock(null));
  }
});

test('without --test-clock the clock endpoint does not exist, even for an operator', async () => {
  const plain = await startServer({ args: ['--no-jobs'] });
  try {
    const op = addStaff(plain.db, 'operator');
    const operator = new Client(plain.url);
    assert.equal((await operator.signIn(op.email, op.password)).status, 201);
    const r = await operator.call('PUT', '/api/v1/admin/clock', { now: '2027-06-23T09:00:00Z' });
    assert.equal(r.status, 404);
  } finally {
    await plain.stop();
  }
});

test('an operator reads and changes the sign-in limits, within bounds, audited', async () => {
  const { client: operator } = await operatorClock(srv);
  const list = await operator.call('GET', '/api/v1/admin/settings');
  assert.equal(list.status, 200);
  const lock = list.body.items.find((s) => s.key === 'auth.lock_seconds');
  assert.deepEqual({ value: lock.value, default: lock.default }, { value: 900, default: 900 });
  assert.equal((await operator.call('PUT', '/api/v1/admin/settings/auth.lock_seconds', { value: 5 })).status, 422);
  assert.equal((await operator.call('PUT', '/api/v1/admin/settings/auth.lock_seconds', { value: '60' })).status, 422);
  assert.equal((await operator.call('PUT', '/api/v1/admin/settings/no.such.key', { value: 60 })).status, 404);
  const set = await operator.call('PUT', '/api/v1/admin/settings/auth.account_max_failures', { value: 2 });
  assert.equal(set.status, 200);
  assert.equal(set.body.value, 2);
  try {
    const org = await join(srv.url);
    await new Client(srv.url).signIn(org.email, 'wrong password one');
    await new Client(srv.url).signIn(org.email, 'wrong password two');
    assert.equal((await new Client(srv.url).signIn(org.email, org.password)).status, 429);
    // other tests pinned the clock in 2027: their events sort newer, so look a page deep
    const audit = await operator.call('GET', '/api/v1/audit-events?limit=200');
    const ev = audit.body.items.find((e) => e.action === 'setting.changed');
    assert.deepEqual(ev.details, { before: 5, after: 2 });
    assert.equal(ev.object_id, 'auth.account_max_failures');
  } finally {
    await operator.call('PUT', '/api/v1/admin/settings/auth.account_max_failures', { value: 5 });
  }
});

test('staff accounts created from the command line are audited', async () => {
  const sup = addStaff(srv.db, 'support');
  const { client: operator } = await operatorClock(srv);
  const audit = await operator.call('GET', '/api/v1/audit-events?limit=200');
  const ev = audit.body.items.find((e) => e.action === 'staff.created' && e.details.email === sup.email);
  assert.ok(ev, 'no staff.created event');
  assert.equal(ev.ip, 'cli');
  assert.equal(ev.details.role, 'support');
});

// last: after the joins above, those refused included
test('the dashboard counts every organisation that joined, and none of the joins refused', async () => {
  const op = (await operatorClock(srv)).client;
  const partners = async () => (await op.call('GET', '/api/v1/admin/dashboard')).body.counts.partners;
  const before = await partners();
  assert.equal(before, Number(sql(srv.db.url, 'SELECT COUNT(*) FROM partners')));
  assert.ok(before >= 3);
  assert.equal((await new Client(srv.url).call('POST', '/api/v1/partners', validJoin('nora@northwind.example'))).status, 409);
  await join(srv.url, { country: 'FR', vat_id: undefined });
  assert.equal(await partners(), before + 1);
});
