// proxy.test.mjs - partnerd behind a real nginx (Debian's nginx-light), as in production
// (docs/operations.md): the client address comes from X-Forwarded-For only because the
// peer is a trusted proxy, so sign-in throttling, the audit log and the access log see each
// client, and a client cannot pick its own address. Each client connects to nginx from its
// own loopback address (127.0.0.2, 127.0.0.3, ...), as clients on the internet would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { startServer, join, sql } from './harness.mjs';

let srv, nginx, work, base;

function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** One HTTP exchange with nginx from a chosen loopback source address. */
function call(from, method, path, body, headers = {}) {
  return new Promise((ok, fail) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1', port: base, method, path, localAddress: from,
        headers: { ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (b) => (text += b));
        res.on('end', () => ok({ status: res.statusCode, body: text.startsWith('{') ? JSON.parse(text) : text }));
      },
    );
    req.on('error', fail);
    req.end(data);
  });
}

/** Waits for the access log to show a line (it is written once the answer is sent). */
async function logShows(re) {
  for (let i = 0; i < 100 && !re.test(srv.stderr()); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(srv.stderr(), re);
}

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--trusted-proxy', '127.0.0.1'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '6', 0), ('auth.account_max_failures', '1000', 0)");
  work = mkdtempSync(joinPath(tmpdir(), 'partnerd-nginx-'));
  base = await freePort();
  const upstream = new URL(srv.url);
  writeFileSync(joinPath(work, 'nginx.conf'), `daemon off;
worker_processes 1;
user root;
pid ${work}/nginx.pid;
error_log ${work}/error.log warn;
events { worker_connections 256; }
http {
    access_log ${work}/access.log;
    client_body_temp_path ${work}/body;
    proxy_temp_path ${work}/proxy;
    server {
        listen 127.0.0.1:${base};
        client_max_body_size 11m;
        location / {
            proxy_pass http://127.0.0.1:${upstream.port};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto https;
        }
    }
}
`);
  nginx = spawn('nginx', ['-c', joinPath(work, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await call('127.0.0.1', 'GET', '/healthz')).status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nginx did not start: ' + readFileSync(joinPath(work, 'error.log'), 'utf8'));
});

after(async () => {
  nginx?.kill('SIGTERM');
  await srv?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('behind nginx, sign-in throttling counts each client, not the proxy', async () => {
  const victim = await join(srv.url);
  const other = await join(srv.url);
  // an attacker at 127.0.0.2 tries wrong passwords until its address is locked ...
  let locked = false;
  for (let i = 0; i < 10 && !locked; i++) {
    const r = await call('127.0.0.2', 'POST', '/api/v1/sessions', { email: victim.email, password: 'wrong password ' + i });
    locked = r.status === 429;
  }
  assert.ok(locked, 'the attacking address is locked out');
  // ... forging X-Forwarded-For gets it nothing: nginx writes the header itself
  const forged = await call('127.0.0.2', 'POST', '/api/v1/sessions', { email: victim.email, password: 'x' }, { 'X-Forwarded-For': '198.51.100.9' });
  assert.equal(forged.status, 429);
  // every other client still signs in through the same proxy
  for (const from of ['127.0.0.3', '127.0.0.4']) {
    const r = await call(from, 'POST', '/api/v1/sessions', { email: other.email, password: other.password });
    assert.equal(r.status, 201, `${from}: ${JSON.stringify(r.body)}`);
  }
  const ok = await call('127.0.0.5', 'POST', '/api/v1/sessions', { email: victim.email, password: victim.password });
  assert.equal(ok.status, 201, 'the victim account itself is not locked by the attacker address');
  // the access log names each client
  await logShows(/path=\/api\/v1\/sessions .*status=429 .*ip=127\.0\.0\.2/);
  await logShows(/path=\/api\/v1\/sessions .*status=201 .*ip=127\.0\.0\.5/);
  assert.doesNotMatch(srv.stderr(), /ip=198\.51\.100\.9/);
});

test('a direct client cannot choose its address with X-Forwarded-For', async () => {
  // partnerd trusts 127.0.0.1 only: from 127.0.0.7 straight to partnerd, the header is ignored
  const upstream = new URL(srv.url);
  const r = await new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: upstream.port, path: '/api/v1/me', localAddress: '127.0.0.7', headers: { 'X-Forwarded-For': '203.0.113.50' } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode));
    });
    req.on('error', fail);
    req.end();
  });
  assert.equal(r, 401);
  await logShows(/path=\/api\/v1\/me .*status=401 .*ip=127\.0\.0\.7/);
  assert.doesNotMatch(srv.stderr(), /ip=203\.0\.113\.50/);
});

test('/metrics answers the operator on the machine, not the internet through nginx', async () => {
  const outside = await call('127.0.0.9', 'GET', '/metrics');
  assert.equal(outside.status, 403);
  const local = await fetch(srv.url + '/metrics');
  assert.equal(local.status, 200);
  assert.match(await local.text(), /partnerd_http_requests_total/);
});

test('a proxy that adds its own X-Forwarded-For line after the client\'s is read, not the client', async () => {
  // HAProxy's "option forwardfor" keeps the client's header and adds a line of its own:
  // the lines are one list (RFC 9110), so the client's forged line proves nothing
  const upstream = new URL(srv.url);
  const get = (path) => new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: upstream.port, path, headers: { 'X-Forwarded-For': ['127.0.0.1', '203.0.113.77'] } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode));
    });
    req.on('error', fail);
    req.end();
  });
  assert.equal(await get('/metrics'), 403, 'the client at 203.0.113.77 is not the machine itself');
  assert.equal(await get('/api/v1/me'), 401);
  await logShows(/path=\/api\/v1\/me .*status=401 .*ip=203\.0\.113\.77/);
});
