// lists.test.mjs - every list is cut in pages by a cursor (issue 20): limit 1..200 (50 by
// default), next_cursor until the last page, newest first, and a walk through a list never
// loses or repeats a row while rows are added between its pages. Filters staff search by.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, Client, adminOf, staffClient, sqlScript, sql, ENGINE } from './harness.mjs';

let srv, ops;
before(async () => {
  srv = await startServer({ args: ['--no-jobs'] });
  ops = await staffClient(srv, 'operator');
});
after(async () => {
  await srv?.stop();
});

const rid = () => randomBytes(10).toString('hex');
let memberships = 2000000 + Math.floor(Math.random() * 1000) * 5000;

/** SQL for n partners with ids of tag, created at base + i / 3 (three rows share a second,
 * so the id breaks the tie). Returns their ids. Their membership IDs follow each other,
 * skipping those taken: a partner that joined through the API drew its own at random. */
function partnersSql(n, tag, base) {
  const ids = [];
  const taken = new Set(sql(srv.db.url, 'SELECT membership_id FROM partners').split('\n'));
  let script = 'BEGIN;\n';
  for (let i = 0; i < n; i++) {
    const id = `ptn_${tag}${String(i).padStart(4, '0')}${rid().slice(0, 6)}`;
    ids.push(id);
    while (taken.has(String(memberships))) memberships++;
    const membership = String(memberships++);
    script += `INSERT INTO partners (id, membership_id, legal_name, country, address_line1, postal_code, city, vat_id, locale, currency, created_at) VALUES ('${id}', '${membership}', 'Walk ${tag} ${i}', 'FR', '1 rue', '75001', 'Paris', NULL, 'fr', 'EUR', ${base + Math.floor(i / 3)});\n`;
  }
  return { ids, script: script + 'COMMIT;\n' };
}

/** Walks path page by page with limit, calling between(pageNo) after each page; returns
 * the ids seen, in order. */
async function walk(client, path, limit, between = async () => {}) {
  const seen = [];
  let cursor = null;
  for (let page = 0; page < 10000; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await client.call('GET', url);
    assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
    assert.ok(r.body.items.length <= limit);
    seen.push(...r.body.items);
    if (r.body.next_cursor === null) return seen;
    assert.equal(typeof r.body.next_cursor, 'string');
    assert.match(r.body.next_cursor, /^[A-Za-z0-9_-]+$/);
    cursor = r.body.next_cursor;
    await between(page);
  }
  throw new Error('the walk never ended');
}

test('partners: a walk with small pages sees every row once, newest first, while rows are added', async () => {
  const base = 1_600_000_000;
  const tag = rid().slice(0, 4);
  const first = partnersSql(300, tag, base);
  sqlScript(srv.db.url, first.script);
  const added = [];
  const seen = await walk(ops, `/api/v1/admin/partners?q=Walk ${tag}`, 7, async (page) => {
    if (page % 5 !== 0) return;
    // newer rows (before the walk's place: not to be seen) and rows at the very time of
    // rows already passed, with ids on both sides of theirs
    const more = partnersSql(3, `${tag}n${page}`, base + 1000 + page);
    sqlScript(srv.db.url, more.script);
    added.push(...more.ids);
  });
  const ids = seen.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'no row twice');
  for (const id of first.ids) assert.ok(ids.includes(id), `${id} lost`);
  for (const id of added) assert.ok(!ids.includes(id), `${id}, added above the walk, appeared`);
  // newest first: created_at, then id, descending
  const order = first.ids.slice().reverse();
  assert.deepEqual(ids, order.filter((id) => ids.includes(id)));
});

test('limit: 50 by default, 1 to 200, anything else a validation error in the caller\'s language', async () => {
  const { script } = partnersSql(60, rid().slice(0, 4), 1_600_100_000);
  sqlScript(srv.db.url, script);
  const r = await ops.call('GET', '/api/v1/admin/partners');
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 50);
  assert.notEqual(r.body.next_cursor, null);
  assert.equal((await ops.call('GET', '/api/v1/admin/partners?limit=200')).status, 200);
  assert.equal((await ops.call('GET', '/api/v1/admin/partners?limit=1')).body.items.length, 1);
  for (const bad of ['0', '201', '-1', 'ten', '5.5', '']) {
    const e = await ops.call('GET', `/api/v1/admin/partners?limit=${bad}`);
    assert.equal(e.status, 400, bad);
    assert.equal(e.body.error.code, 'invalid_query');
    assert.match(JSON.stringify(e.body.error.details.fields.limit), /1.*200/);
  }
  const fr = new Client(srv.url, { bearer: ops.bearer, lang: 'fr' });
  const e = await fr.call('GET', '/api/v1/admin/partners?limit=500');
  assert.match(JSON.stringify(e.body.error.details.fields.limit), /entier de 1 à 200/);
});

test('a forged or garbled cursor is a 400 that says what a cursor is', async () => {
  const page = await ops.call('GET', '/api/v1/admin/partners?limit=2');
  const good = page.body.next_cursor;
  assert.equal((await ops.call('GET', `/api/v1/admin/partners?limit=2&cursor=${good}`)).status, 200);
  const forged = Buffer.from(`c2.${scopeOf(good)}.1.x' OR 1=1 --`).toString('base64url');
  for (const bad of [good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A') + '=', 'nope', forged, good + '!', '1700000000.ptn_x']) {
    const r = await ops.call('GET', `/api/v1/admin/partners?cursor=${encodeURIComponent(bad)}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.error.code, 'invalid_query');
    assert.ok(r.body.error.details.fields.cursor, JSON.stringify(r.body));
  }
});

/** The scope a cursor carries (8 hex digits), to forge one that only its key makes wrong. */
const scopeOf = (cursor) => Buffer.from(cursor, 'base64url').toString().split('.')[1];

test('a cursor is taken only by the list and the filters that gave it, in either language', async () => {
  const tag = `sc${rid().slice(0, 4)}`;
  sqlScript(srv.db.url, partnersSql(5, tag, 2_000_000_000).script);
  const page = await ops.call('GET', `/api/v1/admin/partners?q=Walk+${tag}&limit=2`);
  assert.equal(page.body.items.length, 2);
  const cursor = page.body.next_cursor;
  // the same list and filters follow it, whatever the order of the query string
  const same = await ops.call('GET', `/api/v1/admin/partners?cursor=${cursor}&limit=2&q=Walk+${tag}`);
  assert.equal(same.status, 200, JSON.stringify(same.body));
  assert.equal(same.body.items.length, 2);
  assert.ok(!same.body.items.some((p) => page.body.items.some((q) => q.id === p.id)), 'the next page, not the first again');
  // another list, the same list with another filter, or without its filter: refused, not
  // read as an arbitrary place
  const en = new Client(srv.url, { bearer: ops.bearer, lang: 'en' });
  const fr = new Client(srv.url, { bearer: ops.bearer, lang: 'fr' });
  for (const path of [`/api/v1/admin/wire-transfers?cursor=${cursor}`, `/api/v1/audit-events?cursor=${cursor}`,
    `/api/v1/admin/partners?q=Walk&cursor=${cursor}`, `/api/v1/admin/partners?cursor=${cursor}`,
    `/api/v1/admin/partners?q=Walk+${tag}&membership_id=1234567&cursor=${cursor}`]) {
    const r = await en.call('GET', path);
    assert.equal(r.status, 400, path);
    assert.equal(r.body.error.code, 'invalid_query', path);
    assert.match(JSON.stringify(r.body.error.details.fields.cursor), /same filters: start again from the first page/, path);
    const f = await fr.call('GET', path);
    assert.match(JSON.stringify(f.body.error.details.fields.cursor), /mêmes filtres\s:\sreprenez à la première page/u, path);
  }
  // a cursor of the first spelling, without a scope, is a cursor partnerd no longer gives
  const [, , at, id] = Buffer.from(cursor, 'base64url').toString().split('.');
  const old = Buffer.from(`c1.${at}.${id}`).toString('base64url');
  const r = await en.call('GET', `/api/v1/admin/partners?q=Walk+${tag}&cursor=${old}`);
  assert.equal(r.status, 400);
  assert.match(JSON.stringify(r.body.error.details.fields.cursor), /the next_cursor of an earlier page/);
});

test('a filter or an id that is not UTF-8 is a 400 or a 404 on both engines, never a database error', async () => {
  for (const path of ['/api/v1/admin/partners?membership_id=%FF', '/api/v1/admin/wire-transfers?reference=%FF', '/api/v1/admin/orders/awaiting-payment?reference=soci%C3', '/api/v1/admin/subscriptions?partner_id=%FF', '/api/v1/support-requests?number=%C3', '/api/v1/audit-events?partner_id=%FF']) {
    const r = await ops.call('GET', path);
    assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'invalid_query', path);
  }
  const r = await ops.call('GET', '/api/v1/admin/key-pools/%FF/keys');
  assert.equal(r.status, 404, JSON.stringify(r.body));
  // text in UTF-8 is a filter like any
  assert.equal((await ops.call('GET', '/api/v1/admin/partners?q=Soci%C3%A9t%C3%A9')).status, 200);
});

/** Asks the audit log and the partners list the same bad query in lang: both the same 400. */
async function sameErrorAsPartners(lang, param, bad) {
  const c = new Client(srv.url, { bearer: ops.bearer, lang });
  const q = `${param}=${encodeURIComponent(bad)}`;
  const audit = await c.call('GET', `/api/v1/audit-events?${q}`);
  const partners = await c.call('GET', `/api/v1/admin/partners?${q}`);
  assert.equal(audit.status, 400, `${lang} ${q}: ${JSON.stringify(audit.body)}`);
  assert.equal(audit.body.error.code, 'invalid_query');
  assert.ok(audit.body.error.details.fields[param], `${lang} ${q}: ${JSON.stringify(audit.body)}`);
  assert.equal(partners.status, 400, `${lang} ${q}`);
  const { request_id: _a, ...auditError } = audit.body.error;
  const { request_id: _p, ...partnersError } = partners.body.error;
  assert.deepEqual(auditError, partnersError, `${lang} ${q}`);
  return audit.body.error;
}

test('the audit log: a wrong limit is the error of every list, in the caller\'s language', async () => {
  for (const lang of ['en', 'fr'])
    for (const bad of ['2abc', '0', '201', '-1', '5.5', '']) await sameErrorAsPartners(lang, 'limit', bad);
  assert.match(JSON.stringify((await sameErrorAsPartners('fr', 'limit', '2abc')).details.fields.limit), /entier de 1 à 200/);
  assert.match(JSON.stringify((await sameErrorAsPartners('en', 'limit', '2abc')).details.fields.limit), /1.*200/);
});

test('the audit log: a cursor partnerd did not give is the 400 of every list', async () => {
  const forged = ['1.x', '1796032508.aud_qj4k341x50hbd4hk1xct', 'nope', Buffer.from("c1.1.x' OR 1=1 --").toString('base64url')];
  for (const lang of ['en', 'fr'])
    for (const bad of forged) await sameErrorAsPartners(lang, 'cursor', bad);
});

test('the audit log: an opaque cursor, and a walk one event a page loses and repeats nothing while events are written', async () => {
  // events written between pages: newer ones (not to be seen) and ones at the very second
  // of events passed (ids on both sides of theirs), all of one organisation
  const { ids: [pid], script } = partnersSql(1, rid().slice(0, 4), 1_600_600_000);
  sqlScript(srv.db.url, script);
  const events = (n, tag, base) => {
    const ids = [];
    let text = 'BEGIN;\n';
    for (let i = 0; i < n; i++) {
      const id = `aud_${tag}${String(i).padStart(4, '0')}${rid().slice(0, 4)}`;
      ids.push(id);
      text += `INSERT INTO audit_events (id, at, partner_id, action, object_type, object_id) VALUES ('${id}', ${base + Math.floor(i / 3)}, '${pid}', 'test.walked', 'partner', '${pid}');\n`;
    }
    return { ids, script: text + 'COMMIT;\n' };
  };
  await walkWhileAdding(ops, `/api/v1/audit-events?partner_id=${pid}`, events, { n: 40, limit: 1 });
  // the operator's own log (every organisation), walked by its route's cursor
  const page = await ops.call('GET', '/api/v1/audit-events?limit=1');
  assert.match(page.body.next_cursor, /^[A-Za-z0-9_-]+$/);
  const next = await ops.call('GET', `/api/v1/audit-events?limit=1&cursor=${page.body.next_cursor}`);
  assert.equal(next.status, 200);
  assert.notEqual(next.body.items[0].id, page.body.items[0].id);
  assert.ok(next.body.items[0].at <= page.body.items[0].at);
});

test('partners: the search box finds by name words, membership ID and VAT ID', async () => {
  const tag = rid().slice(0, 6);
  const id = `ptn_${tag}search`;
  sql(srv.db.url, `INSERT INTO partners (id, membership_id, legal_name, country, address_line1, postal_code, city, vat_id, locale, currency, created_at) VALUES ('${id}', '1${tag.replace(/[a-f]/g, '7').slice(0, 6)}', 'Société Générale des Eaux ${tag}', 'FR', '1 rue', '75001', 'Paris', 'FR40303265045', 'fr', 'EUR', 1600200000)`);
  const membership = sql(srv.db.url, `SELECT membership_id FROM partners WHERE id = '${id}'`);
  const find = async (q) => (await ops.call('GET', `/api/v1/admin/partners?q=${encodeURIComponent(q)}`)).body.items.map((p) => p.id);
  assert.deepEqual(await find(`generale eaux ${tag}`), [id], 'words, without accents or case');
  assert.deepEqual(await find(`Géné ${tag}`), [id], 'word beginnings');
  assert.deepEqual(await find(membership), [id]);
  assert.ok((await find('fr 40 303 265 045')).includes(id), 'a VAT ID as people write it');
  assert.ok((await ops.call('GET', '/api/v1/admin/partners?vat_id=FR40303265045')).body.items.some((p) => p.id === id));
  assert.deepEqual(await find(`nothing-like-this ${tag}`), []);
  assert.equal((await ops.call('GET', '/api/v1/admin/partners?vat_id=%25')).status, 400);
  // a name that looks like a VAT ID or a membership ID is found by its name when no
  // organisation has that ID
  const named = `ptn_${tag}vatlike`;
  const word = `BT${tag.replace(/[a-f]/g, '3')}`;
  sql(srv.db.url, `INSERT INTO partners (id, membership_id, legal_name, country, address_line1, postal_code, city, vat_id, locale, currency, created_at) VALUES ('${named}', '2${tag.replace(/[a-f]/g, '5').slice(0, 6)}', '${word} Services', 'FR', '1 rue', '75001', 'Paris', 'FR40303265045', 'fr', 'EUR', 1600200001)`);
  assert.deepEqual(await find(word), [named]);
  // the box counts characters, not bytes: 150 « é » are within its 200
  assert.equal((await ops.call('GET', `/api/v1/admin/partners?q=${encodeURIComponent('é'.repeat(150))}`)).status, 200);
  assert.equal((await ops.call('GET', `/api/v1/admin/partners?q=${encodeURIComponent('é'.repeat(201))}`)).status, 400);
  assert.equal((await ops.call('GET', '/api/v1/admin/partners?q=%20%20')).status, 200, 'a blank box searches nothing');
});

/** A walk of path with pages of limit while batches of rows (rows(n, tag, base) ->
 * {ids, script}) are added between pages, newer than the walk's place and at the very
 * times of rows already passed: every first row seen once, in order, none added seen. */
async function walkWhileAdding(client, path, rows, { n = 240, limit = 9, base = 1_650_000_000 } = {}) {
  const tag = rid().slice(0, 4);
  const first = rows(n, tag, base);
  sqlScript(srv.db.url, first.script);
  const added = [];
  const seen = (await walk(client, path, limit, async (page) => {
    if (page % 4 !== 0) return;
    const newer = rows(2, `${tag}n${page}`, base + 100000 + page);
    const same = rows(2, `${tag}s${page}`, base + Math.floor(n / 3) - page); // ties with passed rows
    sqlScript(srv.db.url, newer.script + same.script);
    added.push(...newer.ids);
  })).map((x) => x.id);
  assert.equal(new Set(seen).size, seen.length, `${path}: a row twice`);
  const mine = seen.filter((id) => first.ids.includes(id));
  assert.deepEqual(mine, first.ids.slice().reverse(), `${path}: rows lost or out of order`);
  for (const id of added) assert.ok(!seen.includes(id), `${path}: ${id}, added above the walk, appeared`);
  return { first, seen };
}

test('wire transfers: paged, stable while statements arrive, filtered by status, reference and dates', async () => {
  const transfers = (n, tag, base) => {
    const ids = [];
    let script = 'BEGIN;\n';
    for (let i = 0; i < n; i++) {
      const id = `wtr_${tag}${String(i).padStart(4, '0')}${rid().slice(0, 4)}`;
      ids.push(id);
      script += `INSERT INTO wire_transfers (id, reference, amount, currency, received_on, status, source, created_at) VALUES ('${id}', 'REF${tag.toUpperCase()}${i}', 1000, 'EUR', '2020-09-13', 'unknown_reference', 'manual', ${base + Math.floor(i / 3)});\n`;
    }
    return { ids, script: script + 'COMMIT;\n' };
  };
  const { first } = await walkWhileAdding(ops, '/api/v1/admin/wire-transfers?status=unknown_reference', transfers);
  const tag = first.ids[5].slice(4, 8);
  const byRef = await ops.call('GET', `/api/v1/admin/wire-transfers?reference=REF${tag.toUpperCase()}5`);
  assert.deepEqual(byRef.body.items.map((t) => t.id), [first.ids[5]]);
  // as the bank or a clerk writes it: spaces and small letters, kept without and in capitals
  const typed = await ops.call('GET', `/api/v1/admin/wire-transfers?reference=${encodeURIComponent(`ref ${tag} 5`)}`);
  assert.deepEqual(typed.body.items.map((t) => t.id), [first.ids[5]]);
  // 1650000000 is 2022-04-15 07:20 in Paris: the first rows are that day, none the day before
  const day = await ops.call('GET', '/api/v1/admin/wire-transfers?from=2022-04-15&to=2022-04-15&limit=200');
  assert.ok(day.body.items.some((t) => t.id === first.ids.at(-1)));
  const before = await ops.call('GET', '/api/v1/admin/wire-transfers?to=2022-04-14&limit=200');
  assert.ok(!before.body.items.some((t) => first.ids.includes(t.id)));
  assert.equal((await ops.call('GET', '/api/v1/admin/wire-transfers?status=lost')).status, 400);
  assert.equal((await ops.call('GET', '/api/v1/admin/wire-transfers?from=15/05/2022')).status, 400);
});

test('subscriptions (staff): paged and stable while subscriptions are added; by organisation', async () => {
  const org = await adminOf(srv.url);
  const pid = org.org.partner.id;
  const subs = (n, tag, base) => {
    const ids = [];
    let script = 'BEGIN;\n';
    for (let i = 0; i < n; i++) {
      const id = `sub_${tag}${String(i).padStart(4, '0')}${rid().slice(0, 4)}`;
      ids.push(id);
      script += `INSERT INTO subscriptions (id, partner_id, offer_code, paid, created_at, updated_at) VALUES ('${id}', '${pid}', 'action-pack', 0, ${base + Math.floor(i / 3)}, 0);\n`;
    }
    return { ids, script: script + 'COMMIT;\n' };
  };
  await walkWhileAdding(ops, `/api/v1/admin/subscriptions?partner_id=${pid}`, subs, { n: 120 });
  // the organisation's own list pages the same way
  const own = await org.client.call('GET', '/api/v1/subscriptions?limit=5');
  assert.equal(own.status, 200);
  assert.equal(own.body.items.length, 5);
  assert.notEqual(own.body.next_cursor, null);
  // a state is computed, not stored: a page by state may be short but never loses a row
  const pending = await walk(ops, `/api/v1/admin/subscriptions?partner_id=${pid}&status=pending_payment`, 50);
  assert.ok(pending.length >= 120);
  assert.ok(pending.every((s) => s.status === 'pending_payment'));
});

test('support queue (staff): every request, no silent cut at 500, by status, number, organisation and assignee', async () => {
  const org = await adminOf(srv.url);
  const pid = org.org.partner.id;
  const uid = sql(srv.db.url, `SELECT id FROM users WHERE partner_id = '${pid}'`);
  const support = await staffClient(srv, 'support');
  const requests = (n, tag, base) => {
    const ids = [];
    let script = 'BEGIN;\n';
    for (let i = 0; i < n; i++) {
      const id = `req_${tag}${String(i).padStart(4, '0')}${rid().slice(0, 4)}`;
      ids.push(id);
      script += `INSERT INTO support_requests (id, number, partner_id, category, problem_type, title, description, status, created_by, created_at, updated_at) VALUES ('${id}', 'SR-${tag.toUpperCase()}-${i}', '${pid}', 'partner_center_issue', 'account_access', 'Question ${i}', 'Text', 'open', '${uid}', ${base + Math.floor(i / 3)}, 0);\n`;
    }
    return { ids, script: script + 'COMMIT;\n' };
  };
  const { first } = await walkWhileAdding(support, `/api/v1/support-requests?partner_id=${pid}`, requests, { n: 520, limit: 150 });
  const tag = first.ids[0].slice(4, 8);
  const one = await support.call('GET', `/api/v1/support-requests?number=SR-${tag.toUpperCase()}-7`);
  assert.deepEqual(one.body.items.map((x) => x.id), [first.ids[7]]);
  // as a partner types it on the phone: lower case, a space around
  const typed = await support.call('GET', `/api/v1/support-requests?number=${encodeURIComponent(` sr-${tag.toLowerCase()}-7 `)}`);
  assert.deepEqual(typed.body.items.map((x) => x.id), [first.ids[7]]);
  const pasted = await support.call('GET', `/api/v1/support-requests?number=${encodeURIComponent(`\tsr-${tag.toLowerCase()}-7\r\n`)}`);
  assert.deepEqual(pasted.body.items.map((x) => x.id), [first.ids[7]], 'pasted with a tab and a line break');
  const unassigned = await support.call('GET', `/api/v1/support-requests?partner_id=${pid}&assignee_id=none&status=open&limit=3`);
  assert.equal(unassigned.body.items.length, 3);
  // the organisation sees its own requests, paged, and no other organisation's
  const mine = await org.client.call('GET', `/api/v1/support-requests?limit=200&partner_id=ptn_other`);
  assert.equal(mine.status, 200);
  assert.equal(mine.body.items.length, 200);
  assert.ok(mine.body.items.every((x) => x.partner_id === pid || x.partner_id === undefined));
});

test('the benefits usage export streams in chunks (no length known ahead) and holds every line once', async () => {
  const tag = rid().slice(0, 4);
  const { ids, script } = partnersSql(450, `x${tag}`, 1_600_300_000); // more than two chunks
  let more = 'BEGIN;\n';
  ids.forEach((pid, i) => {
    const sub = `sub_x${tag}${i}`;
    more += `INSERT INTO subscriptions (id, partner_id, offer_code, paid, created_at, updated_at) VALUES ('${sub}', '${pid}', 'action-pack', 0, 0, 0);\n`;
    more += `INSERT INTO subscription_terms (subscription_id, term, starts_on, expires_on, source, created_at) VALUES ('${sub}', 1, '2020-01-01', '2020-12-31', 'purchase', 0);\n`;
    more += `INSERT INTO benefit_grants (id, partner_id, subscription_id, term, position, kind, product, name_fr, name_en, quantity, used, starts_on, ends_on, created_at) VALUES ('bgr_x${tag}${i}', '${pid}', '${sub}', 1, 1, 'software_key', 'x${tag}-product', 'Clé, "spéciale"', 'Key', 3, ${i % 4}, '2020-01-01', '2020-12-31', 0);\n`;
  });
  sqlScript(srv.db.url, script + more + 'COMMIT;\n');
  const finance = await staffClient(srv, 'finance');
  const r = await fetch(`${srv.url}/api/v1/admin/benefits/usage?format=csv`, { headers: { Authorization: `Bearer ${finance.bearer}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/csv/);
  assert.equal(r.headers.get('content-length'), null, 'streamed: no length known ahead');
  assert.equal(r.headers.get('transfer-encoding'), 'chunked');
  const lines = (await r.text()).trim().split('\r\n');
  assert.equal(lines[0], 'partner_id,partner,product,kind,name,granted,used');
  const mine = lines.filter((l) => l.includes(`x${tag}-product`));
  assert.equal(mine.length, ids.length);
  assert.equal(new Set(mine).size, mine.length);
  for (const [i, pid] of ids.entries())
    assert.ok(mine.includes(`${pid},Walk x${tag} ${i},x${tag}-product,software_key,"Clé, ""spéciale""",3,${i % 4}`), pid);
});

test('each list and filter is read through an index, never a scan of its table (each engine\'s plans)', () => {
  // the statements of store/ as they are written for a page after a cursor, with a filter
  const page = (t, where, alias = '') => `SELECT ${alias}id FROM ${t} WHERE 1 = 1${where} AND (${alias}created_at, ${alias}id) < (1, 'x') ORDER BY ${alias}created_at DESC, ${alias}id DESC LIMIT 51`;
  const cases = [
    ['partners', page('partners p', '', 'p.')],
    ['partners', "SELECT id FROM partners p WHERE 1 = 1 AND p.vat_id = 'FR1' ORDER BY p.created_at DESC, p.id DESC LIMIT 51"],
    ['partners', "SELECT id FROM partners p WHERE 1 = 1 AND p.membership_id = '1234567' ORDER BY p.created_at DESC, p.id DESC LIMIT 51"],
    ['subscriptions', page('subscriptions', '')],
    ['subscriptions', page('subscriptions', " AND partner_id = 'p'")],
    ['subscriptions', page('subscriptions', " AND managed_in = 'pmc'")],
    ['orders', page('orders', " AND partner_id = 'p'")],
    ['orders', page('orders', " AND status = 'awaiting_payment'")],
    ['orders', "SELECT id FROM orders WHERE 1 = 1 AND wire_reference = 'RF1' ORDER BY created_at DESC, id DESC LIMIT 51"],
    ['invoices', page('invoices', " AND partner_id = 'p' AND created_at >= 5")],
    ['wire_transfers', page('wire_transfers', '')],
    ['wire_transfers', page('wire_transfers', " AND status = 'partial'")],
    ['wire_transfers', "SELECT id FROM wire_transfers WHERE 1 = 1 AND reference = 'R' ORDER BY created_at DESC, id DESC LIMIT 51"],
    ['support_requests', page('support_requests', '')],
    ['support_requests', page('support_requests', " AND status = 'open'")],
    ['support_requests', page('support_requests', " AND category = 'billing'")],
    ['support_requests', page('support_requests', " AND assignee_id = 'u'")],
    ['support_requests', page('support_requests', " AND partner_id = 'p'")],
    ['refunds', page('refunds', " AND status = 'to_pay'")],
    ['referrals', page('referrals', " AND status <> 'unconfirmed' AND partner_id = 'p'")],
    ['email_deliveries', page('email_deliveries', " AND status = 'failed'")],
    ['webhook_deliveries', page('webhook_deliveries', " AND endpoint_id = 'e'")],
    ['api_tokens', page('api_tokens', " AND user_id = 'u'")],
    ['certified_people', page('certified_people', " AND partner_id = 'p'")],
    ['webhook_endpoints', page('webhook_endpoints', " AND deleted_at IS NULL AND partner_id = 'p'")],
    ['product_keys', "SELECT id FROM product_keys WHERE 1 = 1 AND pool_id = 'x' AND (loaded_at, id) < (1, 'x') ORDER BY loaded_at DESC, id DESC LIMIT 51"],
    ['audit_events', "SELECT id FROM audit_events WHERE 1 = 1 AND (at, id) < (1, 'x') ORDER BY at DESC, id DESC LIMIT 51"],
    ['audit_events', "SELECT id FROM audit_events WHERE 1 = 1 AND partner_id = 'p' AND (at, id) < (1, 'x') ORDER BY at DESC, id DESC LIMIT 51"],
    ['partners', page('partners p', ' AND EXISTS (SELECT 1 FROM benefit_grants g WHERE g.partner_id = p.id)', 'p.')],
    ['benefit_grants', "SELECT g.product, g.kind, SUM(g.quantity) FROM benefit_grants g WHERE g.partner_id = 'p' AND g.term = (SELECT MAX(t.term) FROM subscription_terms t WHERE t.subscription_id = g.subscription_id) GROUP BY g.partner_id, g.product, g.kind ORDER BY g.product, g.kind"],
  ];
  for (const [table, statement] of cases) {
    if (ENGINE === 'sqlite') {
      const plan = sql(srv.db.url, `EXPLAIN QUERY PLAN ${statement}`);
      // SCAN, even "USING INDEX", walks the whole table or index: only SEARCH is bounded
      assert.ok(!/\bSCAN\b/.test(plan), `${table}: ${statement}\n${plan}`);
      assert.match(plan, /USING (COVERING )?INDEX/, `${statement}\n${plan}`);
    } else {
      // a test database's tables are small, so the planner would rightly read them whole;
      // with sequential scans priced out, a Seq Scan is left only where no index can serve
      const plan = sql(srv.db.url, `SET enable_seqscan = off; EXPLAIN ${statement}`);
      assert.ok(!/Seq Scan/.test(plan), `${table}: ${statement}\n${plan}`);
      assert.match(plan, /Index (Only )?Scan|Bitmap Index Scan/, `${statement}\n${plan}`);
      assert.match(plan, /Index Cond/, `bounded, not a walk of a whole index: ${statement}\n${plan}`);
    }
  }
});

test('an organisation\'s users are paged like every list', async () => {
  const org = await adminOf(srv.url);
  const pid = org.org.partner.id;
  let script = 'BEGIN;\n';
  for (let i = 0; i < 25; i++)
    script += `INSERT INTO users (id, kind, partner_id, email, name, locale, status, created_at, updated_at) VALUES ('usr_l${pid.slice(4, 10)}${i}', 'partner', '${pid}', 'u${i}-${pid}@org.example', 'User ${i}', 'fr', 'active', ${1_600_000_000 + i}, 0);\n`;
  sqlScript(srv.db.url, script + 'COMMIT;\n');
  const seen = await walk(org.client, '/api/v1/users', 4);
  assert.equal(seen.length, 26); // and the admin who joined
  assert.equal(new Set(seen.map((u) => u.id)).size, 26);
  assert.equal((await org.client.call('GET', '/api/v1/users?cursor=abc')).status, 400);
});

test('an organisation\'s API tokens, certified people and webhook endpoints are paged and stable while rows are added', async () => {
  const org = await adminOf(srv.url);
  const pid = org.org.partner.id;
  const uid = sql(srv.db.url, `SELECT id FROM users WHERE partner_id = '${pid}'`);
  const rows = (prefix, insert) => (n, tag, base) => {
    const ids = [];
    let script = 'BEGIN;\n';
    for (let i = 0; i < n; i++) {
      const id = `${prefix}_${tag}${String(i).padStart(4, '0')}${rid().slice(0, 4)}`;
      ids.push(id);
      script += insert(id, base + Math.floor(i / 3)) + ';\n';
    }
    return { ids, script: script + 'COMMIT;\n' };
  };
  const tokens = rows('tok', (id, at) => `INSERT INTO api_tokens (id, token_hash, user_id, name, created_at) VALUES ('${id}', 'hash-${id}', '${uid}', 'Token ${id}', ${at})`);
  const people = rows('cpr', (id, at) => `INSERT INTO certified_people (id, partner_id, name, email, certification, created_at) VALUES ('${id}', '${pid}', 'Person', '${id}@org.example', 'MCSE', ${at})`);
  const hooks = rows('whe', (id, at) => `INSERT INTO webhook_endpoints (id, partner_id, url, events, secret, created_at) VALUES ('${id}', '${pid}', 'https://hooks.example/${id}', '*', 'sealed', ${at})`);
  await walkWhileAdding(org.client, '/api/v1/api-tokens', tokens, { n: 60, limit: 7 });
  await walkWhileAdding(org.client, '/api/v1/certified-people', people, { n: 60, limit: 7 });
  await walkWhileAdding(org.client, '/api/v1/webhook-endpoints', hooks, { n: 60, limit: 7 });
  // a deleted endpoint is not listed, and no page is longer than the limit asked
  const gone = sql(srv.db.url, `SELECT id FROM webhook_endpoints WHERE partner_id = '${pid}' ORDER BY created_at DESC, id DESC LIMIT 1`);
  sql(srv.db.url, `UPDATE webhook_endpoints SET deleted_at = 1 WHERE id = '${gone}'`);
  const all = await walk(org.client, '/api/v1/webhook-endpoints', 200);
  assert.ok(!all.some((e) => e.id === gone));
  for (const path of ['/api/v1/api-tokens', '/api/v1/certified-people', '/api/v1/webhook-endpoints']) {
    const first = await org.client.call('GET', path);
    assert.equal(first.body.items.length, 50, `${path}: 50 by default`);
    assert.notEqual(first.body.next_cursor, null);
    assert.equal((await org.client.call('GET', `${path}?limit=201`)).status, 400);
    assert.equal((await org.client.call('GET', `${path}?cursor=abc`)).status, 400);
  }
});

test('benefits usage (JSON): paged by organisation, newest first, a page may end inside one; stable while organisations are added', async () => {
  const tag = rid().slice(0, 4);
  const base = 1_600_400_000;
  const orgs = (n, t, at) => {
    const { ids, script } = partnersSql(n, t, at);
    let more = 'BEGIN;\n';
    ids.forEach((pid, i) => {
      const sub = `sub_u${t}${i}`;
      more += `INSERT INTO subscriptions (id, partner_id, offer_code, paid, created_at, updated_at) VALUES ('${sub}', '${pid}', 'action-pack', 0, 0, 0);\n`;
      more += `INSERT INTO subscription_terms (subscription_id, term, starts_on, expires_on, source, created_at, benefits_due) VALUES ('${sub}', 1, '2020-01-01', '2020-12-31', 'purchase', 0, 0);\n`;
      for (const [pos, product] of [[1, `u${tag}-a`], [2, `u${tag}-b`]])
        more += `INSERT INTO benefit_grants (id, partner_id, subscription_id, term, position, kind, product, name_fr, name_en, quantity, used, starts_on, ends_on, created_at) VALUES ('bgr_u${t}${i}${pos}', '${pid}', '${sub}', 1, ${pos}, 'software_key', '${product}', 'Clé', 'Key', 3, ${pos}, '2020-01-01', '2020-12-31', 0);\n`;
    });
    return { ids, script: script + more + 'COMMIT;\n' };
  };
  const first = orgs(40, `q${tag}`, base);
  sqlScript(srv.db.url, first.script);
  const added = [];
  const finance = await staffClient(srv, 'finance');
  const lines = await walk(finance, '/api/v1/admin/benefits/usage', 3, async (page) => {
    if (page % 5 !== 0) return;
    const newer = orgs(2, `n${tag}${page}`, base + 100000 + page);
    sqlScript(srv.db.url, newer.script);
    added.push(...newer.ids);
  });
  const mine = lines.filter((l) => l.product.startsWith(`u${tag}-`)).map((l) => `${l.partner_id}/${l.product}/${l.used}`);
  const want = first.ids.slice().reverse().flatMap((pid) => [`${pid}/u${tag}-a/1`, `${pid}/u${tag}-b/2`]);
  assert.deepEqual(mine, want, 'every line once, organisations newest first, each by product');
  for (const pid of added) assert.ok(!lines.some((l) => l.partner_id === pid), `${pid}, added above the walk, appeared`);
  const page = await finance.call('GET', '/api/v1/admin/benefits/usage?limit=1');
  assert.equal(page.body.items.length, 1);
  const forged = Buffer.from(`c2.${scopeOf(page.body.next_cursor)}.1600400000.ptn_x`).toString('base64url'); // no "-<kind>-<product>"
  assert.equal((await finance.call('GET', `/api/v1/admin/benefits/usage?cursor=${forged}`)).status, 400);
  assert.equal((await finance.call('GET', '/api/v1/admin/benefits/usage?limit=0')).status, 400);
});

test('benefits usage (JSON): a page that ends inside an organisation resumes strictly after its last line, while lines are added to or removed from that organisation', async () => {
  const finance = await staffClient(srv, 'finance');
  const tag = rid().slice(0, 4);
  /** An organisation created at `at` (newer than any other test's), with these lines
   * ([product suffix, kind]) of one current term; returns its id and a way to add lines. */
  const org = (t, at, lines) => {
    const { ids: [pid], script } = partnersSql(1, t, at);
    const sub = `sub_l${t}`;
    let position = 0;
    const line = ([p, kind]) => `INSERT INTO benefit_grants (id, partner_id, subscription_id, term, position, kind, product, name_fr, name_en, quantity, used, starts_on, ends_on, created_at) VALUES ('bgr_l${t}${++position}', '${pid}', '${sub}', 1, ${position}, '${kind}', 'v${tag}-${p}', 'Ligne', 'Line', 9, ${position}, '2020-01-01', '2020-12-31', 0);\n`;
    sqlScript(srv.db.url, `${script}BEGIN;
INSERT INTO subscriptions (id, partner_id, offer_code, paid, created_at, updated_at) VALUES ('${sub}', '${pid}', 'action-pack', 0, 0, 0);
INSERT INTO subscription_terms (subscription_id, term, starts_on, expires_on, source, created_at, benefits_due) VALUES ('${sub}', 1, '2020-01-01', '2020-12-31', 'purchase', 0, 0);
${lines.map(line).join('')}COMMIT;\n`);
    return { pid, add: (more) => sqlScript(srv.db.url, `BEGIN;\n${more.map(line).join('')}COMMIT;\n`) };
  };
  const page = async (limit, cursor) => {
    const r = await finance.call('GET', `/api/v1/admin/benefits/usage?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return { lines: r.body.items.map((l) => `${l.partner_id}/${l.product.replace(`v${tag}-`, '')}/${l.kind}`), next: r.body.next_cursor };
  };

  // lines added: one before the page's last line (not shown: behind the reader, as a row
  // added above a list), one of the same product and another kind after it, one further on
  const base = 3_000_000_000; // newer than every other organisation of these tests
  const y = org(`y${tag}`, base, [['a', 'resource'], ['b', 'resource']]);
  const x = org(`x${tag}`, base + 1, [['b', 'resource'], ['b', 'software_key'], ['d', 'software_key']]);
  const one = await page(2);
  assert.deepEqual(one.lines, [`${x.pid}/b/resource`, `${x.pid}/b/software_key`]);
  assert.notEqual(one.next, null);
  x.add([['a', 'software_key'], ['b', 'training'], ['c', 'resource']]);
  const two = await page(5, one.next);
  assert.deepEqual(two.lines, [`${x.pid}/b/training`, `${x.pid}/c/resource`, `${x.pid}/d/software_key`, `${y.pid}/a/resource`, `${y.pid}/b/resource`],
    'resumed after the last line shown: none repeated, none lost');

  // lines removed: the page's first line and its last, before the next page is read
  const z = org(`z${tag}`, base + 10, [['a', 'resource'], ['b', 'resource'], ['c', 'resource'], ['d', 'resource']]);
  const first = await page(2);
  assert.deepEqual(first.lines, [`${z.pid}/a/resource`, `${z.pid}/b/resource`]);
  sql(srv.db.url, `DELETE FROM benefit_grants WHERE partner_id = '${z.pid}' AND product IN ('v${tag}-a', 'v${tag}-b')`);
  const second = await page(3, first.next);
  assert.deepEqual(second.lines, [`${z.pid}/c/resource`, `${z.pid}/d/resource`, `${x.pid}/a/software_key`], 'no line skipped');
  // a page may end on an organisation's last line exactly: the next begins with the next one
  const c = await page(1, first.next);
  const d = await page(1, c.next);
  assert.deepEqual([...c.lines, ...d.lines], [`${z.pid}/c/resource`, `${z.pid}/d/resource`]);
  assert.deepEqual((await page(1, d.next)).lines, [`${x.pid}/a/software_key`]);
  // a cursor of the former spelling (the organisation and how many of its lines were shown)
  // is refused, never read as a place
  const former = Buffer.from(`c2.${scopeOf(first.next)}.${base + 10}.${z.pid}-2`).toString('base64url');
  assert.equal((await finance.call('GET', `/api/v1/admin/benefits/usage?cursor=${former}`)).status, 400);
});
