// password_reset.test.mjs - "forgot password" (docs/security.md): a one-time link by
// email that sets a new password, ends every session and API token and clears the sign-in
// lock, but not the second factor; an answer that never tells whether an address has an
// account; links that work once and for an hour; asks limited like sign-in; the link's
// token never in a log line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminOf, memberOf, addStaff, operatorClock, sql, totp, readMails, dumpDatabase } from './harness.mjs';

let srv, op;
before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  // the asks of one email are limited to 4 within the window; the address's not reached here
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0), ('auth.account_max_failures', '4', 0)");
  op = await operatorClock(srv);
});
after(async () => {
  await srv?.stop();
});

const ask = (email, lang) => new Client(srv.url, { lang }).call('POST', '/api/v1/password-resets', { email });
const reset = (token, password, lang) => new Client(srv.url, { lang }).call('POST', `/api/v1/password-resets/${token}`, { password });
const mailsTo = (email) => readMails(srv.mailDir).filter((m) => m.to === email);

/** Sends the emails due; the link of the newest reset email to `email`. */
async function linkTo(email) {
  assert.equal((await op.client.call('POST', '/api/v1/admin/jobs/run', {})).status, 200);
  const mails = mailsTo(email).filter((m) => /mot de passe|password/i.test(m.subject));
  assert.ok(mails.length > 0, `no reset email to ${email}`);
  const m = mails[mails.length - 1];
  const link = m.text.match(/(https?:\/\/\S+)\/mot-de-passe\/([0-9a-f]{64})/);
  assert.ok(link, m.text);
  assert.ok(m.html.includes(`<a href="${link[0]}">${link[0]}</a>`), `the HTML part carries the link too, one to click: ${m.html}`);
  return { mail: m, token: link[2] };
}

test('forgot password: the email, a new password, the old one refused, every session ended, the lock cleared', async () => {
  const { org, client } = await adminOf(srv.url);
  const token = (await client.call('POST', '/api/v1/api-tokens', { name: 'before the reset' })).body.token;
  const bearer = new Client(srv.url, { bearer: token });
  assert.equal((await bearer.call('GET', '/api/v1/me')).status, 200);
  // the owner forgot it and tried until sign-in locked the account
  for (let i = 0; i < 4; i++) await new Client(srv.url).signIn(org.email, `not it ${i} at all`);
  assert.equal((await new Client(srv.url).signIn(org.email, org.password)).status, 429, 'locked');

  const r = await ask(org.email.toUpperCase(), 'fr');
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.match(r.body.message, /^Si un compte utilise cette adresse/);
  const { mail, token: link } = await linkTo(org.email);
  assert.equal(mail.subject, "Réinitialisez votre mot de passe de l'Espace partenaires");
  assert.match(mail.text, /expire dans une heure/);
  assert.match(mail.text, /\/mot-de-passe\/[0-9a-f]{64}/);
  const tokenHash = sql(srv.db.url, `SELECT token_hash FROM password_resets WHERE user_id = '${org.user.id}' AND used_at IS NULL`);
  assert.match(tokenHash, /^[0-9a-f]{64}$/, 'stored as its SHA-256 only');
  assert.notEqual(tokenHash, link);
  const dump = dumpDatabase(srv.db.url);
  assert.ok(dump.includes(tokenHash) && !dump.includes(link), 'the link\'s token is stored nowhere in clear');

  const done = await reset(link, 'a brand new heron 2027');
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.email, org.email);
  assert.equal((await client.call('GET', '/api/v1/me')).status, 401, 'the session open before is ended');
  assert.equal((await bearer.call('GET', '/api/v1/me')).status, 401, 'and the API token made before');
  assert.equal((await new Client(srv.url).signIn(org.email, org.password)).status, 401, 'the old password is refused');
  assert.equal((await new Client(srv.url).signIn(org.email, 'a brand new heron 2027')).status, 201, 'the new one signs in, lock cleared');
  const audited = sql(srv.db.url, `SELECT action FROM audit_events WHERE object_id = '${org.user.id}' AND action LIKE 'user.password_reset%' ORDER BY at, action`);
  assert.deepEqual(audited.split('\n').sort(), ['user.password_reset', 'user.password_reset_requested']);
  await fetch(`${srv.url}/mot-de-passe/${link}`); // the portal page the email links to
  const logged = () => /path=\/mot-de-passe\/-redacted- /.test(srv.stderr()) && /password-resets\/-redacted- /.test(srv.stderr());
  for (let i = 0; i < 100 && !logged(); i++) await new Promise((ok) => setTimeout(ok, 20));
  assert.match(srv.stderr(), /path=\/mot-de-passe\/-redacted- /);
  assert.match(srv.stderr(), /path=\/api\/v1\/password-resets\/-redacted- /);
  assert.ok(!srv.stderr().includes(link), 'the link\'s token is in the log');
});

test('an address without an account gets the very same answer, and no email', async () => {
  const { org, client } = await adminOf(srv.url);
  const invitee = `invitee-${Date.now()}@org.example`; // invited, no password yet
  assert.equal((await client.call('POST', '/api/v1/users', { email: invitee, name: 'Not Yet', roles: ['user'] })).status, 201);
  const unknown = `nobody-${Date.now()}@nowhere.example`;
  const answers = [];
  for (const email of [org.email, unknown, invitee]) answers.push(await ask(email, 'en'));
  for (const a of answers) {
    assert.equal(a.status, 202);
    assert.deepEqual(a.body, answers[0].body);
    assert.equal(a.headers.get('content-type'), answers[0].headers.get('content-type'));
    assert.equal(a.headers.get('content-length'), answers[0].headers.get('content-length'));
  }
  assert.match(answers[0].body.message, /^If an account uses this address/);
  await linkTo(org.email);
  assert.equal(mailsTo(unknown).length, 0);
  assert.equal(mailsTo(invitee).filter((m) => /password/i.test(m.subject)).length, 0, 'an invitee sets a password from the invitation');
  // a malformed ask is told so: that says nothing about anyone
  const bad = await new Client(srv.url).call('POST', '/api/v1/password-resets', { email: 'not an email' });
  assert.equal(bad.status, 422);
  assert.ok(bad.body.error.details.fields.email);
});

test('staff forget passwords too: the link comes in their language', async () => {
  const staff = addStaff(srv.db, 'support');
  assert.equal((await ask(staff.email)).status, 202);
  const { mail, token } = await linkTo(staff.email);
  assert.ok(mail.subject.length > 0);
  assert.equal((await reset(token, 'quiet harbour lantern 42')).status, 200);
  assert.equal((await new Client(srv.url).signIn(staff.email, 'quiet harbour lantern 42')).status, 201);
});

test('the password rules hold, in the caller\'s language, and a refused password leaves the link usable', async () => {
  const { org } = await adminOf(srv.url);
  await ask(org.email);
  const { token } = await linkTo(org.email);
  const short = await reset(token, 'short', 'fr');
  assert.equal(short.status, 422);
  assert.equal(short.body.error.details.fields.password, 'de 12 à 128 caractères');
  const common = await reset(token, 'password1234', 'fr');
  assert.equal(common.status, 422);
  assert.match(common.body.error.details.fields.password, /trop courant/);
  const personal = await reset(token, `heron ${org.email}`, 'fr');
  assert.equal(personal.status, 422);
  assert.match(personal.body.error.details.fields.password, /adresse e-mail/);
  const english = await reset(token, 'password1234', 'en');
  assert.match(english.body.error.details.fields.password, /too common/);
  assert.equal((await reset(token, 'a fine long passphrase')).status, 200, 'the link still works');
});

test('a second factor is still asked after a reset', async () => {
  const { org, client } = await adminOf(srv.url);
  const begin = await client.call('POST', '/api/v1/me/totp', {});
  assert.equal(begin.status, 201, JSON.stringify(begin.body));
  const now = Math.floor(Date.now() / 1000);
  assert.equal((await client.call('POST', '/api/v1/me/totp/confirm', { code: totp(begin.body.secret, now) })).status, 200);
  await ask(org.email);
  const { token } = await linkTo(org.email);
  assert.equal((await reset(token, 'two factors still 99')).status, 200);
  const c = new Client(srv.url);
  const first = await c.signIn(org.email, 'two factors still 99');
  assert.equal(first.status, 401);
  assert.equal(first.body.error.code, 'second_factor_required');
  assert.equal((await c.signIn(org.email, 'two factors still 99', { totp_code: totp(begin.body.secret, now + 30) })).status, 201);
});

test('a link works once, ends the others, dies with a password change, and not after an hour', async () => {
  const { org, client } = await adminOf(srv.url);
  const member = await memberOf(srv.url, client, ['billing_admin']);
  // used twice
  await ask(member.email);
  const once = (await linkTo(member.email)).token;
  assert.equal((await reset(once, 'the first new password')).status, 200);
  const twice = await reset(once, 'the second new password', 'fr');
  assert.equal(twice.status, 410);
  assert.equal(twice.body.error.code, 'password_reset_invalid');
  assert.match(twice.body.error.message, /a expiré ou a déjà servi/);
  // a newer ask ends the older link
  await ask(org.email);
  const older = (await linkTo(org.email)).token;
  await ask(org.email);
  const newer = (await linkTo(org.email)).token;
  assert.notEqual(older, newer);
  assert.equal((await reset(older, 'an older link password')).status, 410);
  assert.equal((await reset(newer, 'a newer link password')).status, 200);
  // a password changed meanwhile, signed in: the link asked before no longer works
  await ask(org.email);
  const stale = (await linkTo(org.email)).token;
  const signedIn = new Client(srv.url);
  assert.equal((await signedIn.signIn(org.email, 'a newer link password')).status, 201);
  assert.equal((await signedIn.call('POST', '/api/v1/me/password', { current_password: 'a newer link password', new_password: 'changed while signed in' })).status, 204);
  assert.equal((await reset(stale, 'a stale link password')).status, 410);
  // an hour on: expired (the test clock)
  await op.setClock('2027-03-01T09:00:00Z');
  await ask(member.email);
  const late = (await linkTo(member.email)).token;
  await op.setClock('2027-03-01T09:59:00Z');
  assert.equal((await reset(late, 'password1234')).status, 422, 'still live a minute before the hour (a dead link is 410 before any check of the password)');
  await op.setClock('2027-03-01T10:00:01Z');
  assert.equal((await reset(late, 'too late for this one')).status, 410);
  assert.equal((await reset('0'.repeat(64), 'an unknown link at all')).status, 410);
  await op.setClock(null);
});

test('asks are limited per email and per client address, with Retry-After', async () => {
  const own = await startServer({ args: ['--no-jobs'] }); // the default limits: 5 an account, 20 an address
  try {
    const email = `limited-${Date.now()}@nowhere.example`;
    const askOwn = (e) => new Client(own.url, { lang: 'fr' }).call('POST', '/api/v1/password-resets', { email: e });
    for (let i = 0; i < 5; i++) assert.equal((await askOwn(email)).status, 202, `ask ${i + 1}`);
    const locked = await askOwn(email.toUpperCase());
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, 'too_many_attempts');
    const header = Number(locked.headers.get('retry-after'));
    assert.ok(header > 0 && header <= 900, `Retry-After: ${locked.headers.get('retry-after')}`);
    assert.equal(locked.body.error.details.retry_after, header);
    // the address: 20 asks whatever the emails, then 429 for any email
    for (let i = 0; i < 15; i++) assert.equal((await askOwn(`other-${i}-${email}`)).status, 202, `other ${i}`);
    assert.equal((await askOwn(`one-more-${email}`)).status, 429);
    // signing in is apart: asking for links locks nobody out
    const { org } = await adminOf(own.url);
    assert.equal((await new Client(own.url).signIn(org.email, org.password)).status, 201);
  } finally {
    await own.stop();
  }
});
