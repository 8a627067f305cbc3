// limits.test.mjs - what an anonymous client on the internet can make partnerd hold: bodies
// are refused before they are read unless the caller may send them to a route that takes them, memory stays bounded
// while many clients push large bodies, and no bearer secret reaches the access log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { startServer, join, adminOf, Client } from './harness.mjs';

let srv;
before(async () => {
  srv = await startServer({ args: ['--no-jobs'] });
});
after(async () => {
  await srv?.stop();
});

const rssKiB = () => Number(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);

/** Sends head, then streams body bytes as fast as the server takes them, until it answers
 * or closes. Resolves with the status line's code (0 if none). */
function push(port, head, bodyBytes) {
  return new Promise((ok) => {
    const sock = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const pump = () => {
      while (sent < bodyBytes && !sock.destroyed) {
        sent += chunk.length;
        if (!sock.write(chunk)) return sock.once('drain', pump);
      }
    };
    sock.on('connect', () => {
      sock.write(head);
      pump();
    });
    sock.on('data', (b) => (answer += b));
    sock.on('error', () => {});
    sock.on('close', () => ok(Number((answer.match(/^HTTP\/1\.1 (\d+)/) || [0, 0])[1])));
    setTimeout(() => sock.destroy(), 10_000);
  });
}

test('48 anonymous clients pushing 10 MiB uploads are refused before their bodies, and memory stays bounded', async () => {
  const port = new URL(srv.url).port;
  // warm up: the worker threads and their database connections exist (/healthz takes a
  // connection; /api/v1/version no longer does, b4028fa)
  for (let i = 0; i < 8; i++) await fetch(srv.url + '/healthz');
  const before = rssKiB();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKiB())), 20);
  const size = 10 * 1024 * 1024;
  const head = `POST /api/v1/support-requests/req_x/attachments?filename=a.pdf HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\nContent-Length: ${size}\r\n\r\n`;
  const statuses = await Promise.all(Array.from({ length: 48 }, () => push(port, head, size)));
  // and on the public routes: a join with a body over the 64 KiB allowed before sign-in
  const joinHead = `POST /api/v1/partners HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`;
  const joins = await Promise.all(Array.from({ length: 16 }, () => push(port, joinHead, size)));
  clearInterval(sampler);
  // a client still writing when the server answers and closes may see a reset instead of
  // the answer; the access log has every answer
  assert.ok(statuses.every((s) => s === 401 || s === 0), `uploads: ${statuses}`);
  assert.ok(joins.every((s) => s === 413 || s === 0), `joins: ${joins}`);
  const logged = (re) => (srv.stderr().match(re) || []).length;
  // the log line is written when the server has closed the connection, which a loaded
  // machine may do after the client saw the answer
  const uploads401 = () => logged(/route=\/api\/v1\/support-requests\/\{id\}\/attachments status=401/g);
  const joins413 = () => logged(/route=\/api\/v1\/partners status=413/g);
  for (let i = 0; i < 250 && (uploads401() < 48 || joins413() < 16); i++) await new Promise((ok) => setTimeout(ok, 20));
  const seen = () => srv.stderr().split('\n').filter((l) => / path=\/api\/v1\/partners | httpd /.test(l)).join('\n');
  assert.equal(uploads401(), 48, seen());
  assert.equal(joins413(), 16, seen());
  const grewMiB = (peak - before) / 1024;
  console.log(`# RSS ${before} KiB before, peak ${peak} KiB while 64 clients pushed ${(64 * size) / 2 ** 20} MiB: +${grewMiB.toFixed(1)} MiB`);
  assert.ok(grewMiB < 16, `resident memory grew by ${grewMiB.toFixed(1)} MiB`);
  assert.equal((await fetch(srv.url + '/healthz')).status, 200, 'still serving');
});

test('a path with no route, or a route without that method, is answered before its body', async () => {
  // else any client could make partnerd hold --body-limit bytes per connection, outside
  // --body-memory and the 64 KiB allowed before sign-in: 100 clients, +105 MiB
  const answerBeforeBody = (head) => new Promise((ok) => {
    const sock = connect(new URL(srv.url).port, '127.0.0.1');
    const timer = setTimeout(() => { sock.destroy(); ok(0); }, 2000);
    sock.on('connect', () => sock.write(head + 'x'.repeat(10))); // of 1 MiB promised
    sock.on('data', (b) => { clearTimeout(timer); sock.destroy(); ok(Number(String(b).match(/^HTTP\/1\.1 (\d+)/)?.[1] ?? 0)); });
    sock.on('error', () => {});
  });
  const promise = 'HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n';
  assert.equal(await answerBeforeBody(`POST /api/v1/nowhere ${promise}`), 404);
  assert.equal(await answerBeforeBody(`POST /a/portal/page ${promise}`), 404);
  assert.equal(await answerBeforeBody(`PUT /api/v1/version ${promise}`), 405);
});

test('a malformed query is answered before the body, never letting it skip authorization', async () => {
  // the caller is not known (the query stops authorization): 25 such 10 MiB uploads held
  // all of --body-memory for a minute, and every other body was 503
  const sock = connect(new URL(srv.url).port, '127.0.0.1');
  const status = await new Promise((ok) => {
    const timer = setTimeout(() => { sock.destroy(); ok(0); }, 2000);
    sock.on('connect', () => sock.write('POST /api/v1/support-requests/req_x/attachments?filename=%zz HTTP/1.1\r\n' +
      'Host: x\r\nContent-Type: application/pdf\r\nContent-Length: 10000000\r\n\r\n' + 'x'.repeat(10)));
    sock.on('data', (b) => { clearTimeout(timer); sock.destroy(); ok(Number(String(b).match(/^HTTP\/1\.1 (\d+)/)?.[1] ?? 0)); });
    sock.on('error', () => {});
  });
  assert.equal(status, 400);
});

test('a signed-in partner is refused a staff route before its body is read', async () => {
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const size = 10 * 1024 * 1024;
  const head = `POST /api/v1/admin/bank-statements HTTP/1.1\r\nHost: x\r\nCookie: ${c.cookie}\r\nX-CSRF-Token: ${c.csrf}\r\nContent-Type: text/csv\r\nContent-Length: ${size}\r\n\r\n`;
  const status = await push(new URL(srv.url).port, head, size);
  assert.ok(status === 403 || status === 0);
  for (let i = 0; i < 100 && !/bank-statements status=403/.test(srv.stderr()); i++) await new Promise((ok) => setTimeout(ok, 20));
  assert.match(srv.stderr(), /route=\/api\/v1\/admin\/bank-statements status=403 .*bytes=\d+ ip=127\.0\.0\.1 error=forbidden/);
});

test('invitation tokens never reach the access log', async () => {
  const { client: api } = await adminOf(srv.url);
  const r = await api.call('POST', '/api/v1/users', { name: 'Ines Invitee', email: `ines-${Date.now()}@x.example`, roles: ['user'] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const token = r.body.invitation.token;
  assert.ok(token.length >= 32);
  await fetch(`${srv.url}/invitations/${token}`); // the portal page the email links to
  const a = await new Client(srv.url).call('POST', `/api/v1/invitations/${token}/accept`, { password: 'a long enough password' });
  assert.equal(a.status, 200, JSON.stringify(a.body));
  for (let i = 0; i < 100 && !/invitations\/-redacted-\/accept/.test(srv.stderr()); i++) await new Promise((ok) => setTimeout(ok, 20));
  assert.match(srv.stderr(), /path=\/invitations\/-redacted- /);
  assert.match(srv.stderr(), /path=\/api\/v1\/invitations\/-redacted-\/accept /);
  assert.ok(!srv.stderr().includes(token), 'the token is not in the log');
});
