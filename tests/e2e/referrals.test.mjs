// referrals.test.mjs - a customer's request to a listed partner, and its life (issue 19):
// confirmation by email, abuse limits, the partner's answers, expiry, notes, the funnel,
// erasure by link and after the retention.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, join, memberOf, operatorClock, staffClient, importLegacy, readMails, webhookReceiver, dumpDatabase, sql } from './harness.mjs';

let srv, op, partner, hook;
const DAY0 = '2027-04-01';

const runJobs = () => op.runJobs();

async function setting(key, value) {
  const r = await op.client.call('PUT', `/api/v1/admin/settings/${key}`, { value });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

/** The mails to `to`, newest last (jobs run first so they are written). */
async function mailsTo(to) {
  await runJobs();
  return readMails(srv.mailDir).filter((m) => m.to.includes(to));
}

const tokenOf = (mail, page) => new URL(mail.text.match(new RegExp(`https?://\\S+/annuaire/${page}\\?token=[0-9a-f]{64}`))[0]).searchParams.get('token');

let n = 0;
const customer = (over = {}) => ({
  name: 'Camille Dupré', company: 'Boulangerie Dupré', email: `camille${++n}@client.example`, phone: '+33 6 12 34 56 78',
  country: 'FR', need: 'Nous cherchons un partenaire pour migrer notre messagerie vers le cloud.', consent: true, ...over,
});

/** Sends a referral and confirms it from the email; returns its id. */
async function confirmed(body = customer()) {
  const r = await new Client(srv.url).call('POST', `/api/v1/directory/partners/${partner.slug}/referrals`, body);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const [mail] = (await mailsTo(body.email)).slice(-1);
  const c = await new Client(srv.url).call('POST', '/api/v1/referral-links/confirmation', { token: tokenOf(mail, 'confirmer') });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  const list = await partner.api.call('GET', '/api/v1/referrals');
  return list.body.items.find((i) => i.email === body.email).id;
}

before(async () => {
  // behind a proxy, as in production: a test may send as several client addresses
  srv = await startServer({ args: ['--no-jobs', '--test-clock', '--trusted-proxy', '127.0.0.1'] });
  op = await operatorClock(srv);
  await op.setClock(`${DAY0}T09:00:00Z`);
  await setting('referral.address_max_per_day', 1000);
  await setting('referral.email_max_per_day', 1000);
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const api = new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
  importLegacy(srv.db, `membership_id,offer,starts_on,expires_on,auto_renew\n${org.partner.membership_id},silver-competency,2027-01-01,2030-12-31,false\n`);
  await api.call('PUT', '/api/v1/company-profile', { name: 'Atelier Numérique', description_fr: 'Conseil et cloud.', referral_email: 'leads@atelier.example', countries: ['FR'] });
  const pub = await api.call('POST', '/api/v1/company-profile/publication', {});
  hook = await webhookReceiver();
  const wh = await api.call('POST', '/api/v1/webhook-endpoints', { url: hook.url, events: ['referral.created', 'referral.updated'] });
  assert.equal(wh.status, 201, JSON.stringify(wh.body));
  partner = { org, client: c, api, slug: pub.body.slug };
});

after(async () => {
  hook?.close();
  await op?.setClock(null);
  await srv?.stop();
});

test('a request reaches the partner only once the customer confirms the emailed link; then email and webhook referral.created', async () => {
  const body = customer({ lang: 'en' });
  const r = await new Client(srv.url).call('POST', `/api/v1/directory/partners/${partner.slug}/referrals`, body);
  assert.equal(r.status, 202);
  assert.deepEqual(r.body, { status: 'confirmation_sent' });
  assert.equal((await partner.api.call('GET', '/api/v1/referrals')).body.items.length, 0, 'unconfirmed referrals stay hidden');
  const [mail] = await mailsTo(body.email);
  assert.match(mail.subject, /Confirm your request to Atelier Numérique/);
  assert.match(mail.text, /annuaire\/effacer\?token=/, 'every email carries the erasure link');
  assert.equal((await mailsTo('leads@atelier.example')).length, 0);
  const token = tokenOf(mail, 'confirmer');
  assert.equal((await new Client(srv.url).call('POST', '/api/v1/referral-links/confirmation', { token })).status, 200);
  assert.equal((await new Client(srv.url).call('POST', '/api/v1/referral-links/confirmation', { token })).body.error.code, 'referral_link_invalid');
  const list = await partner.api.call('GET', '/api/v1/referrals');
  assert.equal(list.body.items.length, 1);
  assert.equal(list.body.counts.new, 1);
  const ref = list.body.items[0];
  assert.equal(ref.status, 'new');
  assert.equal(ref.name, 'Camille Dupré');
  assert.equal(ref.respond_by, '2027-04-08T09:00:00Z');
  const leads = await mailsTo('leads@atelier.example');
  assert.equal(leads.length, 1);
  assert.match(leads[0].subject, /Nouvelle demande de contact : Camille Dupré \(Boulangerie Dupré\)/);
  assert.match(leads[0].text, /messagerie vers le cloud/);
  const events = hook.received.map((h) => JSON.parse(h.body));
  assert.ok(events.some((e) => e.type === 'referral.created' || e.event === 'referral.created'), JSON.stringify(events).slice(0, 300));
});

test('a link not confirmed within 48 hours is refused, and the request is deleted', async () => {
  const body = customer();
  await new Client(srv.url).call('POST', `/api/v1/directory/partners/${partner.slug}/referrals`, body);
  const [mail] = await mailsTo(body.email);
  await op.setClock(`2027-04-03T09:00:01Z`);
  const c = await new Client(srv.url).call('POST', '/api/v1/referral-links/confirmation', { token: tokenOf(mail, 'confirmer') });
  assert.equal(c.status, 410);
  assert.equal(c.body.error.code, 'referral_link_invalid');
  await runJobs();
  assert.ok(!dumpDatabase(srv.db.url).includes(body.email), 'an unconfirmed request is deleted');
  await op.setClock(`${DAY0}T09:00:00Z`);
});

test('abuse: the honeypot stores nothing; per-email and per-address limits in 24 hours; invalid fields named', async () => {
  await op.setClock('2027-04-20T09:00:00Z');
  const trap = customer({ website: 'http://spam.example' });
  const h = await new Client(srv.url).call('POST', `/api/v1/directory/partners/${partner.slug}/referrals`, trap);
  assert.equal(h.status, 202);
  assert.equal((await mailsTo(trap.email)).length, 0);
  assert.ok(!dumpDatabase(srv.db.url).includes(trap.email));

  await setting('referral.email_max_per_day', 2);
  await setting('referral.address_max_per_day', 4);
  const same = customer();
  const send = (b) => new Client(srv.url).call('POST', `/api/v1/directory/partners/${partner.slug}/referrals`, b);
  assert.equal((await send(same)).status, 202);
  assert.equal((await send({ ...same, email: same.email.toUpperCase() })).status, 202);
  const third = await send(same);
  assert.equal(third.status, 429);
  assert.equal(third.body.error.code, 'referral_limit_reached');
  assert.equal(third.body.error.details.limit, 'email');
  assert.equal((await send(customer())).status, 202);
  assert.equal((await send(customer())).status, 202);
  const fifth = await send(customer());
  assert.equal(fifth.status, 429);
  assert.equal(fifth.body.error.details.limit, 'address');
  await op.setClock('2027-04-21T09:00:01Z');
  assert.equal((await send(customer())).status, 202, 'the window moves on');
  await setting('referral.address_max_per_day', 1000);
  await setting('referral.email_max_per_day', 1000);

  const bad = await send({ name: '', email: 'nope', country: 'XX', need: '', consent: false });
  assert.equal(bad.status, 422);
  for (const f of ['name', 'company', 'email', 'country', 'need', 'consent']) assert.ok(bad.body.error.details.fields[f], f);
  assert.equal((await send(customer()).then(() => new Client(srv.url).call('POST', '/api/v1/directory/partners/nobody-000000/referrals', customer()))).status, 404);
  await op.setClock(`${DAY0}T09:00:00Z`);
});

test('abuse: requests sent at the same moment from one address, or with one email, are counted one after the other: no more than the limit get through', async () => {
  await op.setClock('2027-04-25T09:00:00Z');
  await setting('referral.address_max_per_day', 3);
  try {
    const send = (b) => new Client(srv.url).call('POST', `/api/v1/directory/partners/${partner.slug}/referrals`, b);
    const answers = await Promise.all(Array.from({ length: 8 }, () => send(customer())));
    assert.deepEqual(answers.map((a) => a.status).sort(), [202, 202, 202, 429, 429, 429, 429, 429]);
    // one email address sent from six client addresses at once: its own limit holds the same
    await setting('referral.email_max_per_day', 2);
    const same = customer();
    const from = (i) => new Client(srv.url).call('POST', `/api/v1/directory/partners/${partner.slug}/referrals`, same, { 'X-Forwarded-For': `203.0.113.${i + 10}` });
    const byEmail = await Promise.all(Array.from({ length: 6 }, (_, i) => from(i)));
    assert.deepEqual(byEmail.map((a) => a.status).sort(), [202, 202, 429, 429, 429, 429]);
    assert.ok(byEmail.filter((a) => a.status === 429).every((a) => a.body.error.details.limit === 'email'));
  } finally {
    await setting('referral.address_max_per_day', 1000);
    await setting('referral.email_max_per_day', 1000);
    await op.setClock(`${DAY0}T09:00:00Z`);
  }
});

test('a reason is for declining only: with another status (accepted, lost) it is a 422 on reason, and no decline reason is stored', async () => {
  const id = await confirmed(customer({ lang: 'fr' }));
  const withReason = async (status) => {
    const r = await partner.api.call('POST', `/api/v1/referrals/${id}/status`, { status, reason: 'Budget gelé.' });
    assert.equal(r.status, 422, `${status}: ${JSON.stringify(r.body)}`);
    assert.deepEqual(Object.keys(r.body.error.details.fields), ['reason']);
    assert.match(r.body.error.details.fields.reason, /seulement pour décliner/);
  };
  await withReason('accepted');
  assert.equal((await partner.api.call('GET', `/api/v1/referrals/${id}`)).body.status, 'new', 'not moved');
  assert.equal((await partner.api.call('POST', `/api/v1/referrals/${id}/status`, { status: 'accepted' })).status, 200);
  await withReason('lost');
  const lost = await partner.api.call('POST', `/api/v1/referrals/${id}/status`, { status: 'lost' });
  assert.equal(lost.status, 200, JSON.stringify(lost.body));
  const after = (await partner.api.call('GET', `/api/v1/referrals/${id}`)).body;
  assert.deepEqual([after.status, after.decline_reason], ['lost', null]);
});

test('lifecycle: accept then won, decline with a reason, wrong moves refused, notes; a referral manager may do it', async () => {
  const id = await confirmed(customer({ lang: 'fr' }));
  const rm = await memberOf(srv.url, partner.client, ['referral_manager']);
  assert.equal((await rm.client.call('GET', `/api/v1/referrals/${id}`)).status, 200);
  assert.equal((await rm.client.call('PUT', '/api/v1/company-profile', { name: 'x' })).status, 403);
  assert.equal((await rm.client.call('POST', `/api/v1/referrals/${id}/status`, { status: 'won' })).body.error.code, 'referral_state');
  const acc = await rm.client.call('POST', `/api/v1/referrals/${id}/status`, { status: 'accepted' });
  assert.equal(acc.status, 200, JSON.stringify(acc.body));
  assert.equal(acc.body.status, 'accepted');
  const note = await rm.client.call('POST', `/api/v1/referrals/${id}/notes`, { body: 'Rendez-vous pris le 12.' });
  assert.equal(note.status, 201);
  assert.equal(note.body.notes[0].body, 'Rendez-vous pris le 12.');
  const won = await partner.api.call('POST', `/api/v1/referrals/${id}/status`, { status: 'won' });
  assert.equal(won.body.status, 'won');
  assert.ok(won.body.closed_at);

  const other = await confirmed();
  const noReason = await partner.api.call('POST', `/api/v1/referrals/${other}/status`, { status: 'declined' });
  assert.equal(noReason.status, 422);
  assert.ok(noReason.body.error.details.fields.reason);
  const dec = await partner.api.call('POST', `/api/v1/referrals/${other}/status`, { status: 'declined', reason: 'Hors de notre zone.' });
  assert.equal(dec.body.status, 'declined');
  assert.equal(dec.body.decline_reason, 'Hors de notre zone.');
  const told = (await mailsTo(dec.body.email)).pop();
  assert.match(told.subject, /Votre demande à Atelier Numérique : déclinée/);
  assert.match(told.text, /Hors de notre zone/);
  assert.match(told.text, /annuaire\/effacer\?token=/);
  // another organisation never sees it
  const stranger = await join(srv.url);
  const sc = new Client(srv.url);
  await sc.signIn(stranger.email, stranger.password);
  assert.equal((await sc.call('GET', `/api/v1/referrals/${id}`)).status, 404);
  const filtered = await partner.api.call('GET', '/api/v1/referrals?status=won');
  assert.ok(filtered.body.items.every((i) => i.status === 'won'));
  assert.ok(filtered.body.counts.won >= 1 && filtered.body.counts.declined >= 1);
  assert.equal((await partner.api.call('GET', '/api/v1/referrals?status=maybe')).body.error.code, 'invalid_query');
  const updates = hook.received.map((x) => x.body).filter((b) => b.includes('referral.updated'));
  assert.ok(updates.length >= 3);
});

test('a referral not answered within the deadline expires and the customer is told; staff see the funnel', async () => {
  const body = customer({ lang: 'en' });
  const id = await confirmed(body);
  await op.setClock('2027-04-08T09:00:01Z');
  assert.equal((await partner.api.call('POST', `/api/v1/referrals/${id}/status`, { status: 'accepted' })).body.error.code, 'referral_state');
  const done = await runJobs();
  assert.ok(done.referral_expiry >= 1);
  assert.equal((await partner.api.call('GET', `/api/v1/referrals/${id}`)).body.status, 'expired');
  const told = (await mailsTo(body.email)).pop();
  assert.match(told.subject, /Your request to Atelier Numérique: expired without an answer/);
  const staff = await staffClient(srv, 'support');
  const f = await staff.call('GET', '/api/v1/admin/referrals/funnel');
  assert.equal(f.status, 200);
  const mine = f.body.partners.find((p) => p.partner_id === partner.org.partner.id);
  assert.ok(mine.received >= 4 && mine.won >= 1 && mine.declined >= 1 && mine.expired >= 1, JSON.stringify(mine));
  assert.ok(f.body.overall.received >= mine.received);
  await op.setClock(`${DAY0}T09:00:00Z`);
});

test('erasure: by the link in any email at once, and by the job after the retention', async () => {
  const body = customer({ email: 'erase-me@client.example', phone: '+33 6 99 99 99 99' });
  const id = await confirmed(body);
  await partner.api.call('POST', `/api/v1/referrals/${id}/notes`, { body: 'Appeler Camille au +33 6 99 99 99 99' });
  const [first] = await mailsTo(body.email);
  const r = await new Client(srv.url).call('POST', '/api/v1/referral-links/erasure', { token: tokenOf(first, 'effacer') });
  assert.equal(r.status, 200);
  const after = await partner.api.call('GET', `/api/v1/referrals/${id}`);
  assert.equal(after.body.erased, true);
  assert.equal(after.body.email, null);
  assert.equal(after.body.name, null);
  assert.deepEqual(after.body.notes, []);
  const dump = dumpDatabase(srv.db.url);
  for (const s of ['erase-me@client.example', '99 99 99 99']) assert.ok(!dump.includes(s), `${s} is still stored`);

  // retention: 24 months by default
  const old = await confirmed(customer({ email: 'old@client.example' }));
  await op.setClock('2029-03-31T09:00:00Z');
  await runJobs();
  assert.equal((await partner.api.call('GET', `/api/v1/referrals/${old}`)).body.erased, false);
  await op.setClock('2029-04-02T09:00:00Z');
  const done = await runJobs();
  assert.ok(done.referral_retention >= 1);
  assert.equal((await partner.api.call('GET', `/api/v1/referrals/${old}`)).body.erased, true);
  assert.ok(!dumpDatabase(srv.db.url).includes('old@client.example'));
  await op.setClock(`${DAY0}T09:00:00Z`);
  void sql;
});

test('a link opened several times at once confirms once: one 200, the others a used link, one referral.created', async () => {
  const bodies = Array.from({ length: 8 }, () => customer());
  for (const b of bodies) assert.equal((await new Client(srv.url).call('POST', `/api/v1/directory/partners/${partner.slug}/referrals`, b)).status, 202);
  await runJobs();
  const mails = readMails(srv.mailDir);
  const tokens = bodies.map((b) => tokenOf(mails.find((m) => m.to.includes(b.email)), 'confirmer'));
  const answers = await Promise.all(tokens.map((token) => Promise.all([0, 1, 2].map(() => new Client(srv.url).call('POST', '/api/v1/referral-links/confirmation', { token })))));
  for (const three of answers) {
    assert.deepEqual(three.map((a) => a.status).sort(), [200, 410, 410], JSON.stringify(three.map((a) => a.body)));
    for (const a of three.filter((x) => x.status === 410)) assert.equal(a.body.error.code, 'referral_link_invalid');
  }
  const list = (await partner.api.call('GET', '/api/v1/referrals?limit=100')).body.items;
  for (const b of bodies) {
    const id = list.find((i) => i.email === b.email).id;
    const created = sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'referral.created' AND payload LIKE '%"referral_id":"${id}"%'`);
    assert.equal(created, '1', `referral.created of ${id} written ${created} times`);
  }
});

test('after « unpublish » the partner still follows its referrals: referral.updated reaches its webhooks and address, the customer is told by name', async () => {
  const body = customer({ lang: 'fr' });
  const id = await confirmed(body);
  assert.equal((await partner.api.call('DELETE', '/api/v1/company-profile/publication')).status, 204);
  try {
    const dec = await partner.api.call('POST', `/api/v1/referrals/${id}/status`, { status: 'declined', reason: 'Plus de disponibilité.' });
    assert.equal(dec.status, 200, JSON.stringify(dec.body));
    const told = (await mailsTo(body.email)).pop();
    assert.match(told.subject, /Votre demande à Atelier Numérique : déclinée/);
    assert.equal(sql(srv.db.url, `SELECT COUNT(*) FROM outbox WHERE event = 'referral.updated' AND payload LIKE '%"referral_id":"${id}"%'`), '1');
    const leads = await mailsTo('leads@atelier.example');
    assert.ok(leads.some((m) => m.text.includes(`/demandes-contact/${id}`)), 'the partner\'s address is told');
    const hooked = hook.received.map((h) => h.body).filter((b) => b.includes('referral.updated') && b.includes(id));
    assert.equal(hooked.length, 1, 'the webhook is told');
  } finally {
    assert.equal((await partner.api.call('POST', '/api/v1/company-profile/publication', {})).status, 200);
  }
});
