// lifecycle.test.mjs - starting and stopping the server as an operator's supervisor does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from './harness.mjs';

test('SIGTERM stops accepting, lets a request in flight finish, then exits 0', async () => {
  const srv = await startServer({ args: ['--no-jobs'] });
  const { hostname, port } = new URL(srv.url);
  // A request whose headers are half sent is in flight when the signal arrives.
  const sock = net.connect(Number(port), hostname);
  let answer = '';
  sock.on('data', (b) => (answer += b));
  const closed = new Promise((ok) => sock.on('close', ok));
  await new Promise((ok) => sock.on('connect', ok));
  sock.write('GET /healthz HTTP/1.1\r\nHost: partnerd\r\n');
  await sleep(500);
  srv.proc.kill('SIGTERM');
  await sleep(300);
  // the listening socket is closed: a new client is refused
  await assert.rejects(fetch(`${srv.url}/healthz`));
  assert.equal(srv.proc.exitCode, null, 'exited before its request was answered');
  sock.write('Connection: close\r\n\r\n');
  await closed;
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(answer, /\{"status":"ok","database":"ok"/);
  const { code, signal } = await srv.stop();
  assert.equal(signal, null);
  assert.equal(code, 0);
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
