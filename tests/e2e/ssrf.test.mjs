// ssrf.test.mjs - a partner chooses its webhook URLs, so partnerd must never be made to call
// its own machine. A listener on every loopback address of this machine stands for what a
// partner must not reach; none of 34 spellings of loopback ever reaches it, whether refused
// at registration or registered while the operator allowed private targets and delivered
// after the setting was turned off; and the partner learns only "failed", not why (no port
// scan through partnerd). Only loopback spellings are used, so a bug could never send
// traffic anywhere but this machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { startServer, adminOf, staffClient, sql } from './harness.mjs';

let srv, listener, port, op;
const reached = [];

before(async () => {
  listener = createServer((sock) => {
    reached.push(sock.remoteAddress);
    sock.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise((ok) => listener.listen(0, '::', ok)); // every address of this machine, IPv4 and IPv6
  port = listener.address().port;
  srv = await startServer({ args: ['--no-jobs'] });
  op = await staffClient(srv, 'operator');
});
after(async () => {
  listener?.close();
  await srv?.stop();
});

const setPrivate = async (on) => {
  const r = await op.call('PUT', '/api/v1/admin/settings/webhooks.allow_private', { value: on ? 1 : 0 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
};

/** An event for the organisation's endpoints: a Buy by wire issues an invoice (invoice.issued). */
async function event(org) {
  const o = await org.client.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'wire', contact: { name: 'Pat', phone: '+33 1 23 45 67 89', email: 'pat@x.example' } } });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  const b = await org.client.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
  assert.equal(b.body.status, 'awaiting_payment', JSON.stringify(b.body));
}

const spellings = () => [
  `http://127.0.0.1:${port}/`, `http://127.1:${port}/`, `http://127.0.1:${port}/`,
  `http://2130706433:${port}/`, `http://0x7f000001:${port}/`, `http://0x7f.0.0.1:${port}/`,
  `http://0x7f.1:${port}/`, `http://0177.0.0.1:${port}/`, `http://0177.1:${port}/`,
  `http://017700000001:${port}/`, `http://127.000.000.001:${port}/`, `http://127.255.255.254:${port}/`,
  `http://0:${port}/`, `http://0.0.0.0:${port}/`, `http://0x0:${port}/`, `http://[::1]:${port}/`,
  `http://[0:0:0:0:0:0:0:1]:${port}/`, `http://[0000:0000:0000:0000:0000:0000:0000:0001]:${port}/`,
  `http://[::ffff:127.0.0.1]:${port}/`, `http://[::ffff:7f00:1]:${port}/`, `http://[::]:${port}/`,
  `http://[::ffff:0.0.0.0]:${port}/`, `http://localhost:${port}/`, `http://LOCALHOST:${port}/`,
  `http://localhost.:${port}/`, `http://api.localhost:${port}/`, `http://127.0.0.1.:${port}/`,
  `https://127.0.0.1:${port}/`, `http://%31%32%37.0.0.1:${port}/`, `http://127.0.0.1%2f@x:${port}/`,
  `http://[::1%25lo]:${port}/`, `http://${hostname()}:${port}/`, `http://127.0.0.1:${port}@example.com/`,
  `http://0.0.0.0.:${port}/`,
];

test('no spelling of loopback is ever connected to, and the partner sees only "failed"', async () => {
  const urls = spellings();
  assert.ok(urls.length >= 30);
  // 1. with private targets refused (the default), registration refuses what it can read
  await setPrivate(false);
  const a = await adminOf(srv.url);
  let refusedAtOnce = 0;
  for (const url of urls) {
    const r = await a.client.call('POST', '/api/v1/webhook-endpoints', { url, events: ['*'] });
    if (r.status === 422) refusedAtOnce++;
    else assert.equal(r.status, 201, `${url}: ${JSON.stringify(r.body)}`);
  }
  assert.ok(refusedAtOnce >= 25, `only ${refusedAtOnce} refused at registration`);
  // 2. registered while the operator allowed private targets, then the setting turned off
  await setPrivate(true);
  const orgs = [await adminOf(srv.url), await adminOf(srv.url)];
  const registered = [];
  for (const [i, url] of urls.entries()) {
    const org = orgs[i % 2];
    const r = await org.client.call('POST', '/api/v1/webhook-endpoints', { url, events: ['*'] });
    if (r.status === 201) registered.push({ org, id: r.body.id, url });
  }
  assert.ok(registered.length >= 25, `${registered.length} registered`);
  await setPrivate(false);
  for (const org of [a, ...orgs]) await event(org);
  const run = await op.call('POST', '/api/v1/admin/jobs/run', {});
  assert.equal(run.status, 200, JSON.stringify(run.body));
  await new Promise((ok) => setTimeout(ok, 200));
  assert.deepEqual(reached, [], 'the loopback listener was reached');
  // every delivery failed, and the partner is not told why
  for (const { org, id, url } of registered) {
    const d = (await org.client.call('GET', `/api/v1/webhook-endpoints/${id}/deliveries`)).body.items;
    assert.ok(d.length >= 1, url);
    for (const delivery of d) {
      assert.notEqual(delivery.status, 'delivered', url);
      assert.equal(delivery.last_error, undefined);
      for (const attempt of delivery.attempts_made) {
        assert.equal(attempt.outcome, 'failed');
        assert.equal(attempt.status_class, null);
        assert.deepEqual(Object.keys(attempt).sort(), ['at', 'attempt', 'duration_ms', 'outcome', 'status_class']);
      }
    }
  }
  // staff see why
  const staff = (await op.call('GET', '/api/v1/admin/deliveries?kind=webhook')).body.items;
  assert.ok(staff.some((d) => /not a public address/.test(d.last_error || '')));
  assert.equal(sql(srv.db.url, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered'"), '0');
});

test('the listener is real: with private targets allowed, a delivery reaches it', async () => {
  await setPrivate(true);
  const org = await adminOf(srv.url);
  const r = await org.client.call('POST', '/api/v1/webhook-endpoints', { url: `http://127.0.0.1:${port}/`, events: ['*'] });
  assert.equal(r.status, 201);
  await event(org);
  await op.call('POST', '/api/v1/admin/jobs/run', {});
  assert.ok(reached.length >= 1, 'the control delivery arrived');
  await setPrivate(false);
});
