// security.test.mjs - the smaller promises of docs/security.md: passwords that are not
// common or personal, a password change that ends every way in, the password confirmations
// throttled like sign-in, amounts with an upper bound, and no bearer secret in the log or
// in a stored row; webhook signing secrets sealed at rest, old clear ones sealed at start-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { startServer, Client, join, adminOf, staffClient, sql, totp, dumpDatabase, readMails, cli, freshDatabase, webhookReceiver, cardPayment } from './harness.mjs';

let srv;
before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0), ('auth.account_max_failures', '3', 0)");
});
after(async () => {
  await srv?.stop();
});

const joinBody = (email, password, company = 'Fabrikam Études SAS') => ({
  company, country: 'FR', siren: '303265045', address: { line1: '3 rue Lafayette', postal_code: '75009', city: 'Paris' },
  admin: { name: 'Fatou Admin', email, password },
});

// A 429 says when to come back, in the header as in the body, as sign-in's does.
function assertRetryAfter(r) {
  const header = Number(r.headers.get('retry-after'));
  assert.ok(header > 0 && header <= 900, `Retry-After: ${r.headers.get('retry-after')}`);
  assert.equal(r.body.error.details.retry_after, header);
}

test('common and personal passwords are refused at join, in the caller\'s language', async () => {
  const cases = [
    ['password1234', /trop courant/],
    ['Password1234!', /trop courant/],
    ['123456789012', /trop courant/],
    ['aaaaaaaaaaaa', /trop courant/],
    ['fatou.admin-2027', /adresse e-mail/],
    ['fabrikam etudes 1', /société/],
  ];
  for (const [password, why] of cases) {
    const r = await new Client(srv.url, { lang: 'fr' }).call('POST', '/api/v1/partners', joinBody(`fatou.admin+${Math.random()}@fabrikam.example`.replace('+0.', '+'), password));
    assert.equal(r.status, 422, password);
    assert.match(r.body.error.details.fields['admin.password'], why, password);
  }
  const en = await new Client(srv.url, { lang: 'en' }).call('POST', '/api/v1/partners', joinBody('x1@fabrikam.example', 'password1234'));
  assert.equal(en.body.error.details.fields['admin.password'], 'too common or too easy to guess: choose another one');
  const ok = await new Client(srv.url).call('POST', '/api/v1/partners', joinBody('x2@fabrikam.example', 'blue heron at dusk 7'));
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
});

test('a password\'s 12 to 128 are characters, as the message says, not bytes: join, invitation and change alike', async () => {
  const six = 'àéîôùç'; // 6 characters in 12 bytes
  const greek = 'καλημέρα σε όλους τους φίλους μας στο γραφείο της αθήνας'; // 56 characters, 103 bytes
  const long = `${greek} ${greek} και του πειραιά`; // 129 characters: one too many
  const passphrase = `${greek} και του πειραιά με τον ήλιο`; // 84 characters in 153 bytes: fine
  const fr = new Client(srv.url, { lang: 'fr' });
  const short = await fr.call('POST', '/api/v1/partners', joinBody('short-utf8@fabrikam.example', six));
  assert.equal(short.status, 422, JSON.stringify(short.body));
  assert.equal(short.body.error.details.fields['admin.password'], 'de 12 à 128 caractères');
  assert.equal((await fr.call('POST', '/api/v1/partners', joinBody('long-utf8@fabrikam.example', long))).status, 422);
  const joined = await fr.call('POST', '/api/v1/partners', joinBody('greek-utf8@fabrikam.example', passphrase, 'Fabrikam Hellas SA'));
  assert.equal(joined.status, 201, JSON.stringify(joined.body));
  const c = new Client(srv.url);
  assert.equal((await c.signIn('greek-utf8@fabrikam.example', passphrase)).status, 201);

  const inv = await c.call('POST', '/api/v1/users', { email: 'colleague-utf8@fabrikam.example', name: 'Colleague', roles: ['user'] });
  assert.equal(inv.status, 201);
  const accept = (password) => new Client(srv.url).call('POST', `/api/v1/invitations/${inv.body.invitation.token}/accept`, { password });
  assert.equal((await accept(six)).status, 422);
  assert.equal((await accept(passphrase.replace('ήλιο', 'ουρανό'))).status, 200);

  const change = await c.call('POST', '/api/v1/me/password', { current_password: passphrase, new_password: six });
  assert.equal(change.status, 422);
  assert.ok(change.body.error.details.fields.new_password);
});

test('a password change is checked the same way, throttled, and ends sessions and API tokens', async () => {
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const token = (await c.call('POST', '/api/v1/api-tokens', { name: 'ci' })).body.token;
  const api = new Client(srv.url, { bearer: token });
  assert.equal((await api.call('GET', '/api/v1/me')).status, 200);
  const common = await c.call('POST', '/api/v1/me/password', { current_password: org.password, new_password: 'Password1234!' });
  assert.equal(common.status, 422);
  assert.ok(common.body.error.details.fields.new_password);
  const changed = await c.call('POST', '/api/v1/me/password', { current_password: org.password, new_password: 'blue heron at dusk 8' });
  assert.equal(changed.status, 204, JSON.stringify(changed.body));
  assert.equal((await api.call('GET', '/api/v1/me')).status, 401, 'the API token ended with the old password');
  assert.equal((await c.call('GET', '/api/v1/me')).status, 200, 'the session that changed it goes on');
  // wrong current passwords are counted like failed sign-ins (3 here)
  const statuses = [];
  for (let i = 0; i < 4; i++)
    statuses.push((await c.call('POST', '/api/v1/me/password', { current_password: `wrong ${i}`, new_password: 'blue heron at dusk 9' })).status);
  assert.deepEqual(statuses, [422, 422, 422, 429]);
  const right = await c.call('POST', '/api/v1/me/password', { current_password: 'blue heron at dusk 8', new_password: 'blue heron at dusk 9' });
  assert.equal(right.status, 429, 'locked even with the right password, as sign-in is');
  assertRetryAfter(right);
  assert.equal((await new Client(srv.url).signIn(org.email, 'blue heron at dusk 8')).status, 429);
});

test('turning the second factor off asks the password, throttled too', async () => {
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const begin = await c.call('POST', '/api/v1/me/totp', {});
  const conf = await c.call('POST', '/api/v1/me/totp/confirm', { code: totp(begin.body.secret, Math.floor(Date.now() / 1000)) });
  assert.equal(conf.status, 200, JSON.stringify(conf.body));
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await c.call('POST', '/api/v1/me/totp/disable', { password: `wrong ${i}` }));
  assert.deepEqual(answers.map((r) => r.status), [422, 422, 422, 429]);
  assertRetryAfter(answers[3]);
});

test('amounts have an upper bound', async () => {
  const finance = await staffClient(srv, 'finance');
  const r = await finance.call('POST', '/api/v1/admin/wire-transfers', { reference: 'RF18539007547034', amount_minor: 1e15, currency: 'EUR', received_on: '2026-01-02' });
  assert.equal(r.status, 422);
  assert.match(r.body.error.details.fields.amount_minor, /100000000000/);
  const op = await staffClient(srv, 'operator');
  const p = await op.call('PUT', '/api/v1/admin/offers/action-pack/prices/EUR', { amount_minor: 2 ** 53 });
  assert.equal(p.status, 422);
});

test('no bearer secret reaches the log or a stored row in clear', async () => {
  const secrets = [];
  const { org, client } = await adminOf(srv.url);
  secrets.push(org.password, client.cookie.split('=')[1].split(';')[0]);
  const tok = (await client.call('POST', '/api/v1/api-tokens', { name: 'robot' })).body.token;
  secrets.push(tok);
  assert.equal((await new Client(srv.url, { bearer: tok }).call('GET', '/api/v1/me')).status, 200);
  const email = `invitee-${Date.now()}@x.example`;
  const inv = await client.call('POST', '/api/v1/users', { name: 'Ines Invitee', email, roles: ['user'] });
  secrets.push(inv.body.invitation.token);
  const op = await staffClient(srv, 'operator');
  await op.call('POST', '/api/v1/admin/jobs/run', {});
  const mail = readMails(srv.mailDir).find((m) => m.to.includes(email));
  const emailed = mail.text.match(/\/invitations\/([0-9a-f]{64})/)[1];
  assert.notEqual(emailed, inv.body.invitation.token, 'the email carries a link of its own');
  secrets.push(emailed);
  const accepted = await new Client(srv.url).call('POST', `/api/v1/invitations/${emailed}/accept`, { password: 'blue heron at dawn 3' });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  secrets.push('blue heron at dawn 3');
  assert.equal((await new Client(srv.url).call('POST', `/api/v1/invitations/${inv.body.invitation.token}/accept`, { password: 'blue heron at dawn 4' })).status, 410, 'one acceptance ends every link');
  const begin = await client.call('POST', '/api/v1/me/totp', {});
  const now = Math.floor(Date.now() / 1000);
  const conf = await client.call('POST', '/api/v1/me/totp/confirm', { code: totp(begin.body.secret, now) });
  assert.equal(conf.status, 200, JSON.stringify(conf.body));
  secrets.push(...conf.body.recovery_codes);
  const dump = dumpDatabase(srv.db.url);
  const log = srv.stderr();
  assert.ok(dump.length > 10000 && log.length > 1000);
  for (const s of secrets) {
    assert.ok(s && s.length >= 8, s);
    assert.ok(!dump.includes(s), `a secret is stored in clear: ${s.slice(0, 6)}...`);
    assert.ok(!log.includes(s), `a secret is in the log: ${s.slice(0, 6)}...`);
  }
});

test('webhook secrets are sealed at rest; clear ones an older partnerd left are sealed at start-up and still sign', async () => {
  const CARD = { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2035, cvc: '737', holder: 'Camille Martin' };
  const keyDir = mkdtempSync(joinPath(tmpdir(), 'partnerd-keys-'));
  const keyFile = joinPath(keyDir, 'keys.secret');
  const db = freshDatabase();
  const hooks = [];
  const servers = [];
  try {
    assert.equal(cli(['migrate', '--db', db.url]).status, 0);
    sql(db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('benefits.key_file', '${keyFile}', 0), ('auth.address_max_failures', '1000', 0)`);
    const start = async () => {
      const s = await startServer({ db, args: ['--no-jobs', '--test-clock'] });
      servers.push(s);
      return s;
    };
    let s = await start();
    const { client } = await adminOf(s.url);
    const token = (await client.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token;
    const endpoint = async (api) => {
      const hook = await webhookReceiver([500]); // the first POST fails, its retry goes through
      hooks.push(hook);
      const ep = await api.call('POST', '/api/v1/webhook-endpoints', { url: hook.url, events: ['order.confirmed'] });
      assert.equal(ep.status, 201, JSON.stringify(ep.body));
      hook.useSecret(ep.body.secret);
      return { hook, id: ep.body.id, secret: ep.body.secret };
    };
    let api = new Client(s.url, { bearer: token });
    const a = await endpoint(api);
    const stored = () => Object.fromEntries(sql(db.url, 'SELECT id, secret FROM webhook_endpoints ORDER BY id').split('\n').filter(Boolean).map((l) => l.split('|')));
    const noClearSecret = (secrets, why) => {
      const dump = dumpDatabase(db.url);
      assert.ok(dump.includes('webhook_endpoints'), 'the dump has the endpoints');
      for (const x of secrets) {
        assert.ok(!dump.includes(x.secret) && !dump.includes(x.secret.slice(6)), `${why}: a webhook secret is in the database in clear`);
        assert.match(stored()[x.id], /^sealed:[A-Za-z0-9+/]+=*$/, why);
      }
    };
    noClearSecret([a], 'a new endpoint');

    // as an older partnerd left them: one live and one deleted endpoint with clear secrets
    const b = await endpoint(api);
    const c = await endpoint(api);
    assert.equal((await api.call('DELETE', `/api/v1/webhook-endpoints/${c.id}`)).status, 204);
    sql(db.url, `UPDATE webhook_endpoints SET secret = '${b.secret}' WHERE id = '${b.id}'`);
    sql(db.url, `UPDATE webhook_endpoints SET secret = '${c.secret}' WHERE id = '${c.id}'`);
    assert.ok(dumpDatabase(db.url).includes(b.secret), 'the test put a clear secret in');
    const firstLog = s.stderr();
    await s.stop();

    // the start-up seals them, once (partnerd migrate here; partnerd serve runs the same pass)
    const first = cli(['migrate', '--db', db.url]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /webhook secrets sealed at rest.*sealed=2 resealed=0/);
    s = await start();
    noClearSecret([a, b, c], 'after the start-up');
    const sealed = stored();
    const again = cli(['migrate', '--db', db.url]);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(stored(), sealed, 'sealing again changes nothing (idempotent)');

    // deliveries still pass the Standard Webhooks verifier, with the secrets shown at creation
    const runJobs = async (srv, now) => {
      const op = await staffClient(srv, 'operator');
      assert.equal((await op.call('PUT', '/api/v1/admin/clock', { now })).status, 200);
      assert.equal((await op.call('POST', '/api/v1/admin/jobs/run', {})).status, 200);
    };
    api = new Client(s.url, { bearer: token });
    const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: await cardPayment(s.url, CARD) });
    assert.equal((await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {})).body.status, 'confirmed');
    await runJobs(s, new Date(Date.now() + 60e3).toISOString());
    assert.equal(a.hook.received.length, 1);
    assert.equal(b.hook.received.length, 1);
    assert.equal(c.hook.received.length, 0, 'a deleted endpoint gets nothing');
    assert.ok(a.hook.allVerified() && b.hook.allVerified(), JSON.stringify([a.hook.received[0].verified, b.hook.received[0].verified]));
    const secondLog = s.stderr();
    await s.stop();

    // a new key put first: the start-up reseals under it, and the old key still opens meanwhile
    const oldKey = readFileSync(keyFile, 'utf8');
    writeFileSync(keyFile, `${'ab'.repeat(32)}\n${oldKey}`);
    const rotated = cli(['migrate', '--db', db.url]);
    assert.match(rotated.stderr, /sealed=0 resealed=3/);
    s = await start();
    noClearSecret([a, b, c], 'after a key rotation');
    // and once more through the operator's reseal, while serving
    writeFileSync(keyFile, `${'cd'.repeat(32)}\n${'ab'.repeat(32)}\n`);
    const op = await staffClient(s, 'operator');
    const reseal = await op.call('POST', '/api/v1/admin/key-pools/reseal', {});
    assert.equal(reseal.status, 200, JSON.stringify(reseal.body));
    assert.deepEqual(reseal.body, { resealed: 0, webhook_secrets: 3 });
    noClearSecret([a, b, c], 'after the reseal');
    writeFileSync(keyFile, `${'cd'.repeat(32)}\n`); // the old keys retired
    await runJobs(s, new Date(Date.now() + 86400e3).toISOString()); // the retries
    assert.equal(a.hook.received.length, 2);
    assert.equal(b.hook.received.length, 2);
    assert.ok(a.hook.allVerified() && b.hook.allVerified(), 'signed after the rotation');
    for (const log of [firstLog, secondLog, s.stderr(), first.stderr, rotated.stderr])
      for (const x of [a, b, c]) assert.ok(!log.includes(x.secret.slice(6)), 'a webhook secret is in the log');
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    for (const h of hooks) h.close();
    db.cleanup();
    rmSync(keyDir, { recursive: true, force: true });
  }
});
