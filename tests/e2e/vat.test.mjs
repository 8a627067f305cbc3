// vat.test.mjs - VAT IDs and SIRENs checked, the seller's legal identity, and the VIES
// check of partners' VAT IDs against a local stand-in of VIES (issue 15).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, Client, join, adminOf, sql, cli, freshDatabase, operatorClock, staffClient } from './harness.mjs';

let srv, op;
before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('auth.address_max_failures', '1000', 0)");
  op = await operatorClock(srv);
});
after(async () => {
  await srv?.stop();
});

const base = (email, over = {}) => ({
  company: 'Contoso Conseil SARL',
  country: 'FR',
  address: { line1: '12 rue de la Paix', postal_code: '75002', city: 'Paris' },
  vat_id: 'FR 40 303 265 045',
  siren: '303 265 045',
  locale: 'en',
  admin: { name: 'Claire', email, password: 'twelve chars min' },
  ...over,
});
let n = 0;
const email = () => `vat-${process.pid}-${++n}@org.example`;
const joinRaw = (body) => new Client(srv.url, { lang: 'en' }).call('POST', '/api/v1/partners', body);

test('a VAT ID with one digit changed is refused, in every state; XI and EL as tax authorities write them', async () => {
  // valid numbers of several states, then the same with one digit changed
  for (const [country, good, bad] of [
    ['DE', 'DE136695976', 'DE136695977'], ['FR', 'FR40303265045', 'FR40303265046'], ['GR', 'EL094012834', 'EL094012835'],
    ['IT', 'IT00743110157', 'IT00743110158'], ['NL', 'NL004495445B01', 'NL004495446B01'], ['ES', 'ESB64717838', 'ESB64717839'],
    ['GB', 'GB980780684', 'GB980780685'], ['GB', 'XI980780684', 'XI980780685'], ['AT', 'ATU13585627', 'ATU13585628'],
  ]) {
    const extra = country === 'FR' ? {} : { siren: undefined };
    const ok = await joinRaw(base(email(), { country, vat_id: good, ...extra }));
    assert.equal(ok.status, 201, `${good}: ${JSON.stringify(ok.body)}`);
    assert.equal(ok.body.partner.vat_id, good);
    const no = await joinRaw(base(email(), { country, vat_id: bad, ...extra }));
    assert.equal(no.status, 422, bad);
    assert.match(no.body.error.details.fields.vat_id, /check digits/);
  }
  // Greece is EL, never GR; Northern Ireland may be given as a country: it is the UK
  const gr = await joinRaw(base(email(), { country: 'GR', vat_id: 'GR094012834', siren: undefined }));
  assert.equal(gr.status, 422);
  const xi = await joinRaw(base(email(), { country: 'XI', vat_id: 'XI 980 7806 84', siren: undefined }));
  assert.equal(xi.status, 201, JSON.stringify(xi.body));
  assert.equal(xi.body.partner.country, 'GB');
  assert.equal(xi.body.partner.currency, 'GBP');
  // the numbers partnerd's tests used to make up no longer pass
  for (const [country, v] of [['DE', 'DE123456789'], ['GB', 'GB123456789'], ['GR', 'EL123456789']])
    assert.equal((await joinRaw(base(email(), { country, vat_id: v, siren: undefined }))).status, 422, v);
});

test('a French company joins with its SIREN: required, Luhn-checked, the one of its VAT ID; only French companies have one', async () => {
  const ok = await joinRaw(base(email()));
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.partner.siren, '303265045');
  assert.equal(ok.body.partner.vat_id_status, 'not_checked');
  const fields = async (over) => {
    const r = await joinRaw(base(email(), over));
    assert.equal(r.status, 422, JSON.stringify(over));
    return r.body.error.details.fields;
  };
  assert.match((await fields({ siren: undefined })).siren, /required for a French company/);
  assert.match((await fields({ siren: null })).siren, /required for a French company/, 'null is no SIREN either');
  assert.match((await fields({ siren: '303265046' })).siren, /Luhn/);
  assert.match((await fields({ siren: '30326504' })).siren, /Luhn/);
  assert.match((await fields({ siren: '732829320' })).siren, /does not match the SIREN in the VAT ID/);
  assert.match((await fields({ country: 'DE', vat_id: 'DE136695976' })).siren, /only for a French company/);
  // without a VAT ID, the SIREN alone
  const alone = await joinRaw(base(email(), { vat_id: undefined, siren: '732829320' }));
  assert.equal(alone.status, 201);
  assert.equal(alone.body.partner.siren, '732829320');
});

test('a French partner that joined before the SIREN was asked adds it on its company profile', async () => {
  const a = await adminOf(srv.url);
  sql(srv.db.url, `UPDATE partners SET siren = NULL WHERE id = '${a.org.partner.id}'`);
  assert.equal((await a.client.call('GET', '/api/v1/partner')).body.siren, null);
  const bad = await a.client.call('PATCH', '/api/v1/partner', { siren: '303265046' });
  assert.equal(bad.status, 422);
  assert.ok(bad.body.error.details.fields.siren);
  const other = await a.client.call('PATCH', '/api/v1/partner', { siren: '732829320' });
  assert.equal(other.status, 422, 'not the SIREN of its VAT ID FR40303265045');
  const r = await a.client.call('PATCH', '/api/v1/partner', { siren: '303 265 045' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.siren, '303265045');
  assert.equal((await a.client.call('GET', '/api/v1/partner')).body.siren, '303265045');
  const audit = sql(srv.db.url, `SELECT COUNT(*) FROM audit_events WHERE action = 'partner.updated' AND object_id = '${a.org.partner.id}'`);
  assert.equal(audit, '1');
});

test('the seller\'s legal identity: a wrong SIREN, VAT ID, RCS, IBAN, BIC or VAT option is refused', async () => {
  const put = (key, value) => op.client.call('PUT', `/api/v1/admin/settings/${key}`, { value });
  for (const [key, value, why] of [
    ['seller.siren', '123456789', /Luhn/],
    ['seller.siren', '303265045', /does not match the SIREN in seller.vat_id/],
    ['seller.vat_id', 'FR32123456789', /not a valid VAT ID/],
    ['seller.vat_id', 'FR40303265045', /does not match the SIREN in seller.vat_id/],
    ['seller.rcs', 'RCS Paris 123 456 789', /must carry the SIREN/],
    ['bank.iban', 'FR7630006000011234567890188', /not a valid IBAN/],
    ['bank.bic', 'AGRI FR PP', /not a valid BIC/],
    ['seller.vat_option', 'sometimes', /receipts, debits/],
  ]) {
    const r = await new Client(srv.url, { bearer: op.client.bearer, lang: 'en' }).call('PUT', `/api/v1/admin/settings/${key}`, { value });
    assert.equal(r.status, 422, `${key}=${value}: ${JSON.stringify(r.body)}`);
    const msg = r.body.error.details.fields.value;
    assert.ok(why.test(msg) || /does not match/.test(msg), `${key}: ${msg}`);
  }
  // moving to another company: empty the SIREN, change the VAT ID and RCS, set the SIREN
  for (const [key, value] of [['seller.siren', ''], ['seller.vat_id', 'FR40303265045'], ['seller.rcs', 'RCS Paris 303 265 045'],
    ['seller.siren', '303265045'], ['seller.vat_option', 'debits'], ['bank.bic', 'BNPAFRPPXXX']]) {
    const r = await put(key, value);
    assert.equal(r.status, 200, `${key}=${value}: ${JSON.stringify(r.body)}`);
  }
});

test('partnerd serve refuses to start with a wrong seller identity, and says which setting', async () => {
  const db = freshDatabase();
  try {
    assert.equal(cli(['migrate', '--db', db.url]).status, 0);
    sql(db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('seller.vat_id', 'FR32123456789', 0)");
    const r = cli(['serve', '--listen', '127.0.0.1:0', '--db', db.url, '--no-jobs']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the setting seller\.vat_id is wrong: not a valid VAT ID/);
    sql(db.url, "UPDATE settings SET value = 'FR40303265045' WHERE key = 'seller.vat_id'");
    const s = cli(['serve', '--listen', '127.0.0.1:0', '--db', db.url, '--no-jobs']);
    assert.equal(s.status, 1);
    assert.match(s.stderr, /the setting seller\.siren is wrong: does not match the SIREN in seller\.vat_id/);
  } finally {
    db.cleanup();
  }
});

/** A stand-in of VIES's REST API: the answer depends on the number asked. */
async function viesStandIn() {
  const asked = [];
  let allValid = false;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (b) => (body += b));
    req.on('end', () => {
      const q = JSON.parse(body);
      asked.push(q);
      const answer = (status, obj) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const common = { countryCode: q.countryCode, vatNumber: q.vatNumber, requestDate: '2027-03-01+01:00' };
      if (allValid || q.vatNumber === '136695976')
        return answer(200, { ...common, valid: true, requestIdentifier: 'WAPIAAAAW1234567', name: 'NORTHWIND GMBH', address: 'BERLIN' });
      if (q.vatNumber === '00743110157') return answer(200, { ...common, valid: false, name: '---', address: '---' });
      if (q.vatNumber === 'B64717838') return answer(200, { ...common, valid: false, userError: 'MS_UNAVAILABLE' });
      if (q.vatNumber === '004495445B01') return answer(500, { actionSucceed: false, errorWrappers: [{ error: 'SERVICE_UNAVAILABLE' }] });
      if (q.vatNumber === 'U13585627') return setTimeout(() => answer(200, { ...common, valid: true }), 3000); // past the timeout
      return answer(200, { ...common, valid: false });
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/taxation_customs/vies/rest-api/check-vat-number`,
    asked,
    answerValid() {
      allValid = true;
    },
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}

test('VIES: a join never waits for it; the job records valid, invalid, or unverified and asks again later', async () => {
  const vies = await viesStandIn();
  try {
    const put = async (key, value) => assert.equal((await op.client.call('PUT', `/api/v1/admin/settings/${key}`, { value })).status, 200, key);
    await put('seller.siren', '');
    await put('seller.vat_id', 'FR11123456782');
    await put('seller.rcs', 'RCS Paris 123 456 782');
    await put('seller.siren', '123456782');
    await put('vies.enabled', 1);
    await put('vies.url', 'http://127.0.0.1:9/nothing-listens-here');
    await put('vies.timeout_seconds', 1);
    await op.setClock('2027-03-01T09:00:00Z');

    // VIES down at join time: the join is not held up, the number waits for the job
    // (no clock measured here: the join's own password hashing takes seconds under the
    // sanitizers; that it leaves the number to the job is its status)
    const de = await join(srv.url, { country: 'DE', vat_id: 'DE136695976', siren: undefined });
    assert.equal(de.partner.vat_id_status, 'unverified');
    const us = await join(srv.url, { country: 'US', vat_id: '12-3456789' });
    assert.equal(us.partner.vat_id_status, 'not_checked', 'VIES knows EU numbers only');
    const gb = await join(srv.url, { country: 'GB', vat_id: 'GB980780684' });
    assert.equal(gb.partner.vat_id_status, 'not_checked', 'nor the UK\'s since 2021');
    const it = await join(srv.url, { country: 'IT', vat_id: 'IT00743110157', siren: undefined });
    const es = await join(srv.url, { country: 'ES', vat_id: 'ESB64717838', siren: undefined });
    const nl = await join(srv.url, { country: 'NL', vat_id: 'NL004495445B01', siren: undefined });
    const at = await join(srv.url, { country: 'AT', vat_id: 'ATU13585627', siren: undefined });

    // the job, with VIES unreachable: everyone unverified, nothing lost
    const run = async () => {
      const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.jobs.find((j) => j.name === 'vies_check');
    };
    const status = (org) => sql(srv.db.url, `SELECT vat_id_status FROM partners WHERE id = '${org.partner.id}'`);
    let job = await run();
    assert.equal(job.ok, true);
    assert.equal(job.done, 5);
    for (const org of [de, it, es, nl, at]) assert.equal(status(org), 'unverified');

    // VIES back (the stand-in): valid, invalid, and its three ways of failing
    await put('vies.url', vies.url);
    await op.setClock('2027-03-01T09:30:00Z');
    job = await run();
    assert.equal(job.done, 5);
    assert.equal(status(de), 'valid');
    assert.equal(status(it), 'invalid');
    assert.equal(status(es), 'unverified', 'MS_UNAVAILABLE');
    assert.equal(status(nl), 'unverified', 'HTTP 500');
    assert.equal(status(at), 'unverified', 'timeout');
    const asked = vies.asked.find((q) => q.vatNumber === '136695976');
    assert.deepEqual(asked, { countryCode: 'DE', vatNumber: '136695976', requesterMemberStateCode: 'FR', requesterNumber: '11123456782' });
    assert.equal(sql(srv.db.url, `SELECT vat_id_consultation || '|' || vat_id_vies_name FROM partners WHERE id = '${de.partner.id}'`),
      'WAPIAAAAW1234567|NORTHWIND GMBH');
    const c = new Client(srv.url);
    await c.signIn(de.email, de.password);
    const shown = (await c.call('GET', '/api/v1/partner')).body;
    assert.equal(shown.vat_id_status, 'valid');
    assert.equal(shown.vat_id_checked_at, '2027-03-01T09:30:00Z');

    // not asked again before the delay; asked again after it
    vies.answerValid();
    job = await run();
    assert.equal(job.done, 0, 'the failures wait before the next ask');
    await op.setClock('2027-03-02T12:00:00Z');
    job = await run();
    assert.equal(job.done, 3);
    for (const org of [es, nl, at]) assert.equal(status(org), 'valid');
    assert.equal(status(it), 'invalid', 'a verdict stays');

    // an invalid number is no reason for a reverse charge: the Italian organisation is
    // charged Italy's VAT, as a buyer without a VAT ID; a valid one is reverse-charged
    const order = async (org) => {
      const c = new Client(srv.url);
      await c.signIn(org.email, org.password);
      const r = await c.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'wire', contact: { name: 'Paul', phone: '+39 06 1234 5678', email: 'ap@org.example' } } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const itOrder = await order(it);
    assert.equal(itOrder.tax_treatment, 'eu_no_vat_id');
    assert.equal(itOrder.tax_rate, 2200);
    assert.ok(itOrder.tax.amount_minor > 0, 'VAT charged');
    assert.equal(itOrder.tax_mention, null, 'no « Autoliquidation »');
    const deOrder = await order(de);
    assert.equal(deOrder.tax_treatment, 'reverse_charge');
    assert.equal(deOrder.tax.amount_minor, 0);
    // unverified (VIES could not answer) is trusted meanwhile: the number passed its check digits
    sql(srv.db.url, `UPDATE partners SET vat_id_status = 'unverified' WHERE id = '${es.partner.id}'`);
    assert.equal((await order(es)).tax_treatment, 'reverse_charge');
    // finance sees it on the organisation's page; the audit trail has it, once
    const finance = await staffClient(srv, 'finance');
    const page = await finance.call('GET', `/api/v1/admin/partners/${it.partner.id}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.equal(page.body.partner.vat_id_status, 'invalid');
    const trail = async (org) => (await op.client.call('GET', `/api/v1/admin/partners/${org.partner.id}`)).body.audit.filter((e) => e.action === 'partner.vat_id_invalid');
    const flagged = await trail(it);
    assert.equal(flagged.length, 1, JSON.stringify(flagged));
    assert.equal(flagged[0].details.vat_id, 'IT00743110157');
    assert.equal((await trail(de)).length, 0);
  } finally {
    await vies.close();
    await op.client.call('PUT', '/api/v1/admin/settings/vies.enabled', { value: 0 });
  }
});

// VIES's answer is a stranger's text: its error went into the log as it came, so a newline
// in it wrote a line of its own (a forged log line) and an escape sequence reached the
// operator's terminal
test('VIES: an error answer with a newline or an escape sequence stays within its own log line', async () => {
  const hostile = 'MS_DOWN\n2027-01-01T00:00:00.000Z error - forged \x1b[2J ok=1';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ actionSucceed: false, errorWrappers: [{ error: hostile }] }));
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const put = async (key, value) => assert.equal((await op.client.call('PUT', `/api/v1/admin/settings/${key}`, { value })).status, 200, key);
  try {
    await put('seller.siren', '');
    await put('seller.vat_id', 'FR11123456782');
    await put('seller.siren', '123456782');
    await put('vies.enabled', 1);
    await put('vies.url', `http://127.0.0.1:${server.address().port}/check-vat-number`);
    const gr = await join(srv.url, { country: 'GR', vat_id: 'EL094012834', siren: undefined });
    const r = await op.client.call('POST', '/api/v1/admin/jobs/run', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const line = () => srv.stderr().split('\n').find((l) => / vies partner=/.test(l) && l.includes(gr.partner.id));
    for (let i = 0; i < 100 && !line(); i++) await new Promise((ok) => setTimeout(ok, 20));
    assert.match(line() ?? '', /verdict=unverified error=MS_DOWN%0A.*forged%20%1B\[2J%20ok%3D1$/, 'the error, escaped, on the vies line');
    assert.ok(!srv.stderr().split('\n').some((l) => l.startsWith('2027-01-01T00:00:00.000Z')), 'no forged line');
    assert.doesNotMatch(srv.stderr(), /\x1b/, 'no escape sequence reaches the terminal');
  } finally {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
    await op.client.call('PUT', '/api/v1/admin/settings/vies.enabled', { value: 0 });
  }
});
