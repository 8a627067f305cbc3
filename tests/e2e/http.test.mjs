// http.test.mjs - the HTTP contract every route shares (SPEC section 9), on a real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startServer, ENGINE, sql } from './harness.mjs';

let srv;
before(async () => {
  srv = await startServer({ demo: true });
});
after(async () => {
  await srv?.stop();
});

test(`healthz checks the database (${ENGINE})`, async () => {
  const r = await fetch(`${srv.url}/healthz`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
  const body = await r.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.database, 'ok');
  assert.match(body.now, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('every answer carries a fresh request id and the security headers', async () => {
  const ids = new Set();
  for (const path of ['/healthz', '/nowhere', '/api/v1/version']) {
    const r = await fetch(`${srv.url}${path}`);
    await r.arrayBuffer();
    const id = r.headers.get('x-request-id');
    assert.match(id, /^[0-9a-f]{16}$/);
    ids.add(id);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
  }
  assert.equal(ids.size, 3);
});

test('an unknown route is 404 in the SPEC error format, in the asked language', async () => {
  let r = await fetch(`${srv.url}/api/v1/nothing-here`);
  assert.equal(r.status, 404);
  let body = await r.json();
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'details', 'message']);
  assert.equal(body.error.code, 'not_found');
  assert.equal(body.error.message, 'Ressource introuvable.');
  r = await fetch(`${srv.url}/api/v1/nothing-here`, { headers: { 'Accept-Language': 'en-US,en;q=0.8' } });
  body = await r.json();
  assert.equal(body.error.message, 'Not found.');
});

test('a wrong method is 405 with Allow, which lists HEAD where GET is answered', async () => {
  const r = await fetch(`${srv.url}/healthz`, { method: 'DELETE' });
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD');
  assert.equal((await r.json()).error.code, 'method_not_allowed');
  // every method Allow names is answered (RFC 9110 section 15.5.6)
  for (const method of r.headers.get('allow').split(', '))
    assert.equal((await fetch(`${srv.url}/healthz`, { method })).status, 200, method);
  // a path without GET offers no HEAD, and HEAD on it is 405 as GET would be
  const post = await fetch(`${srv.url}/api/v1/sessions`, { method: 'HEAD' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'POST');
});

test('a malformed query string is 400 invalid_query; a portal page opens whatever its address carries', async () => {
  for (const q of ['x=%zz', 'x=%E9t%E9']) {
    const r = await fetch(`${srv.url}/api/v1/version?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal((await r.json()).error.code, 'invalid_query');
  }
  // a link written in Latin-1, or cut in the middle of an escape, still opens the page
  for (const path of ['/?utm_source=%E9t%E9', '/annuaire?q=caf%E9', '/offres?x=%zz']) {
    const r = await fetch(`${srv.url}${path}`);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), /text\/html/);
  }
});

test('version tells the release, the schema and the business time zone', async () => {
  const body = await (await fetch(`${srv.url}/api/v1/version`)).json();
  assert.equal(body.name, 'partnerd');
  assert.match(body.version, /^\d+\.\d+\.\d+$/);
  assert.ok(body.schema_version >= 2);
  assert.equal(body.time_zone, 'Europe/Paris');
});

test('metrics count requests by route and status, with a latency histogram', async () => {
  for (let i = 0; i < 3; i++) await (await fetch(`${srv.url}/healthz`)).arrayBuffer();
  await (await fetch(`${srv.url}/healthz`, { method: 'POST' })).arrayBuffer();
  // an unknown method: counted as OTHER, whatever its name (no label per invented method)
  for (const m of ['BREW', 'PROPFIND']) assert.equal((await rawStatus(srv.url, m, '/api/v1/version')), 405);
  // a request is counted when its connection's thread has finished with it, which may be
  // just after its client read the answer: read the figures until the last one is in
  const healthz = /^partnerd_http_requests_total\{method="GET",route="\/healthz",status="200"\} (\d+)$/m;
  let r, text, ok;
  for (let i = 0; i < 50; i++) {
    r = await fetch(`${srv.url}/metrics`);
    text = await r.text();
    ok = text.match(healthz);
    const post405 = /^partnerd_http_requests_total\{method="POST",route="\/healthz",status="405"\} 1$/m.test(text);
    if (ok && Number(ok[1]) >= 4 && /status="405"\} 2$/m.test(text) && post405) break;
    await new Promise((done) => setTimeout(done, 20));
  }
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.ok(ok && Number(ok[1]) >= 4, text);
  // a method the route does not take is counted under the route, not among the unmatched
  assert.match(text, /^partnerd_http_requests_total\{method="POST",route="\/healthz",status="405"\} 1$/m);
  assert.doesNotMatch(text, /route="unmatched",status="405"/);
  assert.match(text, /^partnerd_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",le="\+Inf"\} \d+$/m);
  assert.match(text, /^partnerd_http_request_duration_seconds_count\{method="GET",route="\/healthz"\} \d+$/m);
  assert.match(text, /^partnerd_db_errors_total \d+$/m);
  assert.match(text, /^partnerd_http_requests_total\{method="OTHER",route="\/api\/v1\/version",status="405"\} 2$/m);
});

/** The status of a request with any method, through node:http (fetch refuses some names). */
function rawStatus(base, method, path) {
  return new Promise((ok, fail) => {
    const req = httpRequest(base + path, { method }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode));
    });
    req.on('error', fail);
    req.end();
  });
}

test('the access log has one line per request with its id, and no query string', async () => {
  const r = await fetch(`${srv.url}/api/v1/version?token=do-not-log-me`);
  await r.arrayBuffer();
  const id = r.headers.get('x-request-id');
  // written once the connection's thread is done with the request (just after the answer)
  const lineOf = () => srv.stderr().split('\n').find((l) => l.includes(` ${id} `));
  for (let i = 0; i < 250 && !lineOf(); i++) await new Promise((ok) => setTimeout(ok, 20));
  const line = lineOf();
  assert.ok(line, 'no log line for the request');
  assert.match(line, /^\S+Z info [0-9a-f]{16} request method=GET path=\/api\/v1\/version route=\/api\/v1\/version status=200 dur_us=\d+ bytes=\d+ ip=127\.0\.0\.1$/);
  assert.ok(!srv.stderr().includes('do-not-log-me'));
});

test(`healthz answers 503 when the database no longer holds the expected schema (${ENGINE})`, async () => {
  const other = await startServer({ args: ['--no-jobs'] });
  try {
    assert.equal((await fetch(`${other.url}/healthz`)).status, 200);
    // the answer is probed at most once a second: poll until it changes
    const next = async (database) => {
      for (let until = Date.now() + 3000; ; await new Promise((ok) => setTimeout(ok, 100))) {
        const r = await fetch(`${other.url}/healthz`);
        const body = await r.json();
        if (body.database === database || Date.now() > until) return { status: r.status, body };
      }
    };
    sql(other.db.url, 'DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)');
    let r = await next('schema_mismatch');
    assert.equal(r.status, 503);
    assert.deepEqual((({ status, database }) => ({ status, database }))(r.body), { status: 'unavailable', database: 'schema_mismatch' });
    sql(other.db.url, 'DROP TABLE schema_migrations');
    r = await next('unreachable');
    assert.equal(r.status, 503);
    assert.equal(r.body.database, 'unreachable');
  } finally {
    await other.stop();
  }
});

test('the portal: its files with their types and ETags, index.html for its pages, 304 when unchanged', async () => {
  const home = await fetch(`${srv.url}/`);
  assert.equal(home.status, 200);
  assert.equal(home.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(home.headers.get('cache-control'), 'no-cache');
  // the test gateway: the portal's own origin only, no payment gateway's (issue 16)
  assert.equal(home.headers.get('content-security-policy'),
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  assert.deepEqual((await (await fetch(`${srv.url}/api/v1/payment-gateway`)).json()), { name: 'test' });
  const html = await home.text();
  assert.match(html, /<script type="module" src="\/js\/app.js"><\/script>/);
  assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]+<\/script>|\son\w+="/, 'no inline script under the CSP');
  const etag = home.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{20}"$/);
  const again = await fetch(`${srv.url}/`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  for (const page of ['/offres', '/support/req_x', '/invitations/abc']) {
    const r = await fetch(`${srv.url}${page}`);
    assert.equal(r.status, 200, page);
    assert.equal(r.headers.get('etag'), etag, `${page} is the portal's index.html`);
    await r.arrayBuffer();
  }
  const js = await fetch(`${srv.url}/js/app.js`);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(await js.text(), /^\/\/ app\.js/);
  const css = await fetch(`${srv.url}/css/app.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  await css.arrayBuffer();
  const head = await fetch(`${srv.url}/js/app.js`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  const missing = await fetch(`${srv.url}/js/nothing.js`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'not_found');
  const api = await fetch(`${srv.url}/api/v1/nothing`);
  assert.equal(api.status, 404, 'the API never falls back to a page');
  assert.equal((await api.json()).error.code, 'not_found');
  const post = await fetch(`${srv.url}/offres`, { method: 'POST' });
  assert.equal(post.status, 404, 'pages are read, never posted to');
  await post.arrayBuffer();
});
