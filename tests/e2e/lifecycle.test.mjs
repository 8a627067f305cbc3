// lifecycle.test.mjs - starting and stopping the server as an operator's supervisor does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

test('SIGTERM lets requests in flight finish, then exits 0', async () => {
  const srv = await startServer({ args: ['--no-jobs'] });
  const calls = [];
  for (let i = 0; i < 50; i++) {
    calls.push(fetch(`${srv.url}/healthz`).then(async (r) => ({ status: r.status, body: await r.json() }), (e) => ({ error: e })));
  }
  await new Promise((ok) => setTimeout(ok, 5));
  const { code, signal } = await srv.stop();
  assert.equal(signal, null);
  assert.equal(code, 0);
  const results = await Promise.all(calls);
  const answered = results.filter((r) => !r.error);
  assert.ok(answered.length > 0);
  for (const r of answered) {
    assert.equal(r.status, 200); // every answer that began was completed
    assert.equal(r.body.status, 'ok');
  }
  assert.match(srv.stderr(), /info - stopping signal=15/);
  assert.match(srv.stderr(), /info - stopped/);
});

test('SIGINT stops the server too, with its jobs thread', async () => {
  const srv = await startServer({ args: ['--jobs-interval', '1'] });
  await new Promise((ok) => setTimeout(ok, 200));
  srv.proc.kill('SIGINT');
  const { code } = await srv.stop();
  assert.equal(code, 0);
  assert.match(srv.stderr(), /stopping signal=2/);
});

test('a port already in use is a clear failure', async () => {
  const a = await startServer({ args: ['--no-jobs'] });
  const port = new URL(a.url).port;
  const { cli } = await import('./harness.mjs');
  const r = cli(['serve', '--db', a.db.url, '--listen', `127.0.0.1:${port}`, '--no-jobs']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+/);
  await a.stop();
});
