// idempotency.test.mjs - the Idempotency-Key header on changes (SPEC section 4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, adminOf, sql } from './harness.mjs';

let srv;
before(async () => {
  srv = await startServer({ args: ['--no-jobs'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
});
after(async () => {
  await srv?.stop();
});

const person = (email) => ({ name: 'Ada', email, certification: 'Azure Developer' });

test('the same key and request replays the first answer and does the work once', async () => {
  const { client, org } = await adminOf(srv.url);
  const body = person(`ada-${Date.now()}@org.example`);
  const first = await client.call('POST', '/api/v1/certified-people', body, { 'Idempotency-Key': 'k-1' });
  assert.equal(first.status, 201);
  assert.equal(first.headers.get('idempotent-replayed'), null);
  const again = await client.call('POST', '/api/v1/certified-people', body, { 'Idempotency-Key': 'k-1' });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.body, first.body);
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM certified_people WHERE partner_id = '${org.partner.id}'`), '1');
  // without a key the same request is a new request (and here a conflict)
  assert.equal((await client.call('POST', '/api/v1/certified-people', body)).status, 409);
});

test('the same key with another request is 409 idempotency_key_reused', async () => {
  const { client } = await adminOf(srv.url);
  const a = await client.call('POST', '/api/v1/certified-people', person(`a-${Date.now()}@org.example`), { 'Idempotency-Key': 'shared' });
  assert.equal(a.status, 201);
  const b = await client.call('POST', '/api/v1/certified-people', person(`b-${Date.now()}@org.example`), { 'Idempotency-Key': 'shared' });
  assert.equal(b.status, 409);
  assert.equal(b.body.error.code, 'idempotency_key_reused');
  const path = await client.call('PATCH', '/api/v1/partner', { require_2fa: false }, { 'Idempotency-Key': 'shared' });
  assert.equal(path.body.error.code, 'idempotency_key_reused');
});

test('keys belong to one caller: another user may use the same key', async () => {
  const a = await adminOf(srv.url);
  const b = await adminOf(srv.url);
  const ra = await a.client.call('POST', '/api/v1/certified-people', person(`x-${Date.now()}@a.example`), { 'Idempotency-Key': 'same' });
  const rb = await b.client.call('POST', '/api/v1/certified-people', person(`x-${Date.now()}@b.example`), { 'Idempotency-Key': 'same' });
  assert.equal(ra.status, 201);
  assert.equal(rb.status, 201);
  assert.notEqual(ra.body.id, rb.body.id);
});

test('concurrent retries of one request create one object', async () => {
  const { client, org } = await adminOf(srv.url);
  const body = person(`race-${Date.now()}@org.example`);
  const results = await Promise.all(Array.from({ length: 8 }, () => client.call('POST', '/api/v1/certified-people', body, { 'Idempotency-Key': 'race' })));
  const statuses = results.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 201 || s === 409), statuses.join());
  assert.ok(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'conflict'));
  assert.ok(statuses.includes(201));
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM certified_people WHERE partner_id = '${org.partner.id}'`), '1');
  const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
  assert.equal(ids.size, 1);
});

test('an anonymous join can be retried with a key; failed answers are kept too', async () => {
  const c = new Client(srv.url);
  const body = {
    company: 'Retry SARL', country: 'FR', siren: '303265045', address: { line1: '1 rue', postal_code: '75001', city: 'Paris' },
    admin: { name: 'R', email: `retry-${Date.now()}@org.example`, password: 'a quiet harbour 7' },
  };
  const first = await c.call('POST', '/api/v1/partners', body, { 'Idempotency-Key': 'join-1' });
  const second = await c.call('POST', '/api/v1/partners', body, { 'Idempotency-Key': 'join-1' });
  assert.equal(first.status, 201);
  assert.equal(second.status, 201);
  assert.equal(second.body.partner.membership_id, first.body.partner.membership_id);
  const bad = { ...body, country: 'XX' };
  const v1 = await c.call('POST', '/api/v1/partners', bad, { 'Idempotency-Key': 'join-2' });
  const v2 = await c.call('POST', '/api/v1/partners', bad, { 'Idempotency-Key': 'join-2' });
  assert.equal(v1.status, 422);
  assert.deepEqual(v2.body, v1.body);
  assert.equal(v2.headers.get('idempotent-replayed'), 'true');
});

test('answers that carry a secret are never stored', async () => {
  const { client } = await adminOf(srv.url);
  const t1 = await client.call('POST', '/api/v1/api-tokens', { name: 'ci' }, { 'Idempotency-Key': 'tok' });
  const t2 = await client.call('POST', '/api/v1/api-tokens', { name: 'ci' }, { 'Idempotency-Key': 'tok' });
  assert.equal(t1.status, 201);
  assert.equal(t2.status, 201);
  assert.notEqual(t1.body.token, t2.body.token);
  assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM idempotency_keys WHERE response_body LIKE '%${t1.body.token}%'`), '0');
  const bad = await client.call('POST', '/api/v1/certified-people', person('k@org.example'), { 'Idempotency-Key': 'has space' });
  assert.equal(bad.status, 422);
});
