// contract.test.mjs - docs/openapi.yaml is the contract (issue 21): every route of the server
// is in it and nothing else, the server serves it, and the check the harness runs on every
// call of the suite (contract.mjs) refuses what breaks it, naming what is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cli, contractRequire, startServer } from './harness.mjs';
import { checkContract, contractCheckOff, OPENAPI_YAML } from './contract.mjs';

const YAML = contractRequire('yaml');
const doc = YAML.parse(readFileSync(OPENAPI_YAML, 'utf8'));
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv?.stop();
});

test('every route of the server is in docs/openapi.yaml, and every operation there is a route', () => {
  const routes = cli(['routes']).stdout.trim().split('\n').map((l) => l.split('\t'));
  assert.ok(routes.length > 50);
  const missing = routes.filter(([m, p]) => !doc.paths[p]?.[m.toLowerCase()]).map(([m, p]) => `${m} ${p}`);
  assert.deepEqual(missing, [], `routes of the server missing from docs/openapi.yaml: ${missing.join(', ')}`);
  const served = new Set(routes.map(([m, p]) => `${m} ${p}`));
  const extra = Object.entries(doc.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`)).filter((k) => !served.has(k));
  assert.deepEqual(extra, [], `operations in docs/openapi.yaml that the server does not have: ${extra.join(', ')}`);
});

test('each operation says who may call it, how to authenticate, and its errors', () => {
  for (const [p, item] of Object.entries(doc.paths))
    for (const m of METHODS.filter((x) => item[x])) {
      const op = item[m];
      const where = `${m.toUpperCase()} ${p}`;
      assert.ok(op.operationId && op.summary && op.tags?.length, `${where}: operationId, summary, tag`);
      assert.ok(Array.isArray(op.security), `${where}: security`);
      assert.ok(op['x-partnerd-roles']?.length, `${where}: x-partnerd-roles`);
      if (op.security.length) assert.ok(op.responses['401'] && op.responses['403'], `${where}: 401 and 403`);
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${where}: a 2xx answer`);
    }
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['bearerToken', 'csrfToken', 'sessionCookie']);
});

test('GET /api/v1/openapi.json is docs/openapi.yaml, compiled into the server', async () => {
  const r = await fetch(`${srv.url}/api/v1/openapi.json`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(await r.json(), doc, 'the served JSON is the YAML (run node tests/contract/bundle.mjs after editing it)');
});

test('the check refuses an undocumented route, an undocumented status and a wrong answer, and says which', () => {
  const call = (method, path, status, body, extra = {}) => () =>
    checkContract({ method, url: `http://x${path}`, status, responseType: 'application/json', responseText: JSON.stringify(body), ...extra });
  assert.throws(call('GET', '/api/v1/no-such-resource', 200, { items: [] }), /undocumented route: GET \/api\/v1\/no-such-resource \(answered 200\)/);
  assert.throws(call('POST', '/api/v1/version', 201, {}), /undocumented route: POST \/api\/v1\/version/);
  assert.doesNotThrow(call('GET', '/api/v1/nothing-here', 404, { error: { code: 'not_found', message: 'x', details: {} } }), 'a path the server does not have either');
  assert.throws(call('GET', '/api/v1/version', 418, {}), /GET \/api\/v1\/version answered 418/);
  assert.throws(call('GET', '/api/v1/version', 200, { name: 42 }), /GET \/api\/v1\/version 200: the answer does not match/);
  assert.throws(call('GET', '/api/v1/me', 401, { oops: true }), /GET \/api\/v1\/me 401/);
  assert.throws(
    call('POST', '/api/v1/api-tokens', 201, { id: 'tok_x', token: 't', name: 'n', created_at: '2027-01-01T00:00:00Z' }, { requestType: 'application/json', requestBody: JSON.stringify({ name: 'n', colour: 'red' }) }),
    /accepted \(201\) a request body that docs\/openapi.yaml does not allow/,
  );
});

test('the check runs on every call by default; only PARTNERD_CONTRACT=off turns it off', () => {
  assert.equal(contractCheckOff({}), false);
  assert.equal(contractCheckOff({ PARTNERD_CONTRACT: 'strict' }), false);
  assert.equal(contractCheckOff({ PARTNERD_CONTRACT: 'off' }), true);
  if (!contractCheckOff()) assert.equal(globalThis.fetch.__contract, true, 'the harness wrapped fetch');
});

const ok = (method, path, status, body, extra = {}) => () =>
  checkContract({ method, url: `http://x${path}`, status, responseType: 'application/json', responseText: JSON.stringify(body), ...extra });
const money = (amount_minor) => ({ amount_minor, currency: 'EUR', formatted: `${amount_minor / 100} €` });

test('answers are closed: a field the document does not name is refused, and named', () => {
  const version = { name: 'partnerd', version: '1.0.0', schema_version: 20, time_zone: 'Europe/Paris' };
  assert.doesNotThrow(ok('GET', '/api/v1/version', 200, version));
  assert.throws(ok('GET', '/api/v1/version', 200, { ...version, debug: true }), /must NOT have additional properties \(debug\)/);
});

test('the three answers the document once got wrong match what the server writes', () => {
  // POST /admin/offers: term_months, certified_required and benefits have defaults; any known currency
  assert.doesNotThrow(
    ok('POST', '/api/v1/admin/offers', 201, { items: [], next_cursor: null }, {
      requestType: 'application/json',
      requestBody: JSON.stringify({ code: 'azure-expert', name: { fr: 'Expert', en: 'Expert' }, description: { fr: 'D', en: 'D' }, prices: { GBP: 42000 } }),
    }),
  );
  assert.throws(
    ok('POST', '/api/v1/admin/offers', 201, { items: [], next_cursor: null }, {
      requestType: 'application/json',
      requestBody: JSON.stringify({ code: 'x', name: { fr: 'a', en: 'b' }, description: { fr: 'a', en: 'b' }, prices: { XYZ: 1 } }),
    }),
    /does not allow/,
  );
  // a credit note: no due date, and the invoice it credits
  const credit = {
    id: 'inv_2', number: 'AV-2026-000001', type: 'credit_note', issued_on: '2026-11-28', due_on: null, order_id: 'ord_1',
    credits_invoice_id: 'inv_1', subtotal: money(-1000), tax: money(-200), total: money(-1200), tax_rate: 2000,
    tax_treatment: 'domestic', lang: 'fr', created_at: '2026-11-28T10:00:00Z', status: 'issued', paid_on: null, pdf: '/api/v1/invoices/inv_2/pdf',
  };
  assert.doesNotThrow(ok('GET', '/api/v1/invoices/inv_2', 200, credit));
  assert.throws(ok('GET', '/api/v1/invoices/inv_2', 200, { ...credit, status: 'refunded' }), /must be equal to one of the allowed values/);
  // webhook deliveries: the organisation sees no status code nor error; staff see both
  const attempt = { attempt: 1, at: '2026-11-28T10:00:00Z', outcome: 'failed', status_class: null, duration_ms: 12 };
  const delivery = { id: 'dlv_1', event_id: 'evt_1', event: 'order.paid', status: 'failed', attempts: 1, created_at: '2026-11-28T10:00:00Z', done_at: null, endpoint_url: 'https://h.example/in' };
  assert.doesNotThrow(ok('GET', '/api/v1/webhook-endpoints/whe_1/deliveries', 200, { items: [{ ...delivery, attempts_made: [attempt] }], next_cursor: null }));
  assert.throws(
    ok('GET', '/api/v1/webhook-endpoints/whe_1/deliveries', 200, { items: [{ ...delivery, attempts_made: [{ ...attempt, status_code: 0, error: 'connection refused' }] }], next_cursor: null }),
    /must NOT have additional properties \(status_code\)/,
  );
  const staffAttempt = { ...attempt, status_code: 0, error: 'connection refused' };
  assert.doesNotThrow(ok('GET', '/api/v1/admin/deliveries', 200, { items: [{ ...delivery, last_error: 'connection refused', attempts_made: [staffAttempt] }], next_cursor: null }));
  assert.doesNotThrow(
    ok('GET', '/api/v1/admin/deliveries', 200, { items: [{ ...delivery, endpoint_url: undefined, last_error: null, recipient: 'a@b.example' }], next_cursor: null }),
  );
});

test('every answer object of the document is closed, except the three open on purpose', () => {
  // an open object would let the server add a field nobody documented; these three hold
  // fields that depend on an error code or an audited action, or are the document itself
  const open = new Set([
    '#/components/schemas/Error/properties/error/properties/details',
    '#/paths/~1api~1v1~1audit-events/get/responses/200/content/application~1json/schema/properties/items/items/properties/details',
    '#/paths/~1api~1v1~1openapi.json/get/responses/200/content/application~1json/schema',
    '#/paths/~1api~1v1~1openapi.json/get/responses/200/content/application~1json/schema/properties/info',
    '#/paths/~1api~1v1~1openapi.json/get/responses/200/content/application~1json/schema/properties/paths',
  ]);
  const loose = [];
  const walk = (s, at) => {
    if (!s || typeof s !== 'object' || Array.isArray(s)) return;
    const isObject = s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object')) || s.properties;
    if (isObject && !s.allOf && !s.oneOf && !s.anyOf && s.additionalProperties === undefined && !open.has(at)) loose.push(at);
    for (const [k, v] of Object.entries(s.properties || {})) walk(v, `${at}/properties/${k}`);
    for (const k of ['items', 'additionalProperties']) walk(s[k], `${at}/${k}`);
    for (const k of ['allOf', 'oneOf', 'anyOf']) (s[k] || []).forEach((x, i) => walk(x, `${at}/${k}/${i}`));
  };
  const esc = (p) => p.replace(/~/g, '~0').replace(/\//g, '~1');
  for (const [p, item] of Object.entries(doc.paths))
    for (const m of METHODS.filter((x) => item[x]))
      for (const [code, r] of Object.entries(item[m].responses))
        for (const [type, c] of Object.entries(r.content || {})) walk(c.schema, `#/paths/${esc(p)}/${m}/responses/${code}/content/${esc(type)}/schema`);
  for (const [name, s] of Object.entries(doc.components.schemas)) walk(s, `#/components/schemas/${name}`);
  assert.deepEqual(loose, [], `answer objects without additionalProperties: ${loose.join(', ')}`);
});
