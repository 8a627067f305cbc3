// directory.test.mjs - company profiles, the public directory and its search (issue 19).
//
// The search's results are checked against a reference written here (Unicode NFD folding,
// words as prefixes, the documented order), for a fixed corpus of 50 profiles with French
// accents: the same expectations on SQLite and on PostgreSQL (PARTNERD_TEST_PG), so both
// engines answer alike.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { makePng } from './png.mjs';
import { startServer, Client, join, memberOf, operatorClock, importLegacy, dumpDatabase } from './harness.mjs';

const TODAY = '2027-03-01';
let srv, op;
const orgs = []; // {org, api, profile, level, slug}

// ---- the corpus: 50 profiles ----
const NAMES = ['Système Conseil', 'Conseil Numérique', 'Sécurité Réseau', 'Données et Cloud', 'Hôpital Connecté', 'Île-de-France Informatique',
  'Créteil Intégration', 'Éducation Plus', 'Télécom Élysée', 'Façade Logiciels', 'Naïve Studio', 'Forêt Données', 'Général Systèmes',
  'Château Conseil', 'Crème Analytique', 'Œuvre Digitale', 'Rivière Sécurité', 'Évolution Cloud', 'Théâtre Numérique', 'Prélude Data',
  'Aérospatiale Services', 'Bâtiment Connecté', 'Électricité Réseau', 'Pâtisserie Digitale', 'Mûre Informatique', 'Cèdre Conseil',
  'Étoile Intégration', 'Âme Logicielle', 'Île Systèmes', 'Réglisse Data', 'Sérénité Cloud', 'Hélice Sécurité', 'Épice Numérique',
  'Lumière Conseil', 'Zèbre Analytique', 'Méandre Réseau', 'Poésie Logiciels', 'Chêne Services', 'Pivoine Données', 'Fenêtre Cloud',
  'Clé Sécurité', 'Écluse Informatique', 'Hermès Intégration', 'Noël Studio', 'Boréal Systèmes', 'Atlas Conseil', 'Vérité Data',
  'Grève Numérique', 'Gaïa Réseau', 'Ébène Services'];
const DESCR_FR = ['Nous modernisons votre système d’information.', 'Conseil en sécurité et en réseaux pour les hôpitaux.',
  'Migration vers le cloud et données.', 'Intégration de progiciels, formation et éducation.', 'Télécommunications à Créteil et en Île-de-France.'];
const DESCR_EN = ['We secure your network.', 'Cloud migration and data platforms.', 'Consulting for schools and universities.', 'Managed services, 24/7.', ''];
const COUNTRIES = [['FR'], ['FR', 'BE'], ['BE'], ['CH', 'FR'], ['CA']];
const INDUSTRIES = [['healthcare'], ['public-sector', 'education'], ['finance'], ['retail'], []];
const SERVICES = [['security'], ['cloud-migration', 'data-ai'], ['modern-work'], ['managed-services', 'security'], ['business-apps']];
const LEVELS = ['member', 'silver', 'gold'];
const OFFER = { member: 'action-pack', silver: 'silver-competency', gold: 'gold-competency' };
const RANK = { member: 1, silver: 2, gold: 3 };

function corpusProfile(i) {
  return {
    name: NAMES[i],
    description_fr: DESCR_FR[i % 5],
    description_en: DESCR_EN[(i * 3) % 5],
    website: `https://p${i}.example.com`,
    industries: INDUSTRIES[i % 5],
    services: SERVICES[(i + 2) % 5],
    countries: COUNTRIES[(i * 7) % 5],
    languages: i % 4 === 0 ? ['fr', 'en'] : ['fr'],
    company_size: ['1-9', '10-49', '50-249', '250-999', '1000+'][i % 5],
    referral_email: `leads${i}@partner.example`,
  };
}

// ---- the reference ----
const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const tokens = (s) => fold(s).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
const queryWords = (q) => q.split(/[^\p{L}\p{N}]+/u).filter(Boolean).slice(0, 8).map(fold);
// the folded name partnerd orders by: Latin letters without accents (ligatures as two letters), digits
const LATIN = { æ: 'ae', œ: 'oe', ß: 'ss', ø: 'o', đ: 'd', ð: 'd', ł: 'l', ħ: 'h', ŧ: 't', ı: 'i', þ: 't' };
const sortName = (s) => fold(s.toLowerCase().replace(/[æœßøđðłħŧıþ]/g, (c) => LATIN[c])).replace(/[^a-z0-9]/g, '');
function expected({ q = '', country, industry, service, level, language, order = 'level' }) {
  const words = queryWords(q);
  const has = (toks, w) => toks.some((t) => t.startsWith(w));
  const out = [];
  for (const o of orgs) {
    const p = o.profile;
    const all = tokens(`${p.name} ${p.description_fr} ${p.description_en}`);
    const name = tokens(p.name);
    if (!words.every((w) => has(all, w))) continue;
    if (country && !p.countries.includes(country)) continue;
    if (industry && !p.industries.includes(industry)) continue;
    if (service && !p.services.includes(service)) continue;
    if (language && !p.languages.includes(language)) continue;
    if (level && o.level !== level) continue;
    const relevance = words.length === 0 ? 0 : words.every((w) => has(name, w)) ? 2 : 1;
    out.push({ name: p.name, rank: RANK[o.level], relevance, sort: sortName(p.name), slug: o.slug });
  }
  const first = order === 'relevance' ? 'relevance' : 'rank';
  const second = order === 'relevance' ? 'rank' : 'relevance';
  out.sort((a, b) => b[first] - a[first] || b[second] - a[second] || (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0) || (a.slug < b.slug ? -1 : 1));
  return out.map((r) => r.name);
}

/** Every page of a search, following next_cursor. */
async function searchAll(params, limit = 7) {
  const names = [];
  let cursor = null;
  for (let guard = 0; guard < 50; guard++) {
    const qs = new URLSearchParams({ ...params, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const r = await new Client(srv.url).call('GET', `/api/v1/directory/partners?${qs}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    names.push(...r.body.items.map((i) => i.name));
    cursor = r.body.next_cursor;
    if (!cursor) return names;
  }
  throw new Error('too many pages');
}

before(async () => {
  srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  op = await operatorClock(srv);
  await op.setClock(`${TODAY}T09:00:00Z`);
  const csv = ['membership_id,offer,starts_on,expires_on,auto_renew'];
  for (let i = 0; i < 50; i++) {
    const org = await join(srv.url);
    const c = new Client(srv.url);
    await c.signIn(org.email, org.password);
    const api = new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
    const level = LEVELS[(i * 5) % 3];
    csv.push(`${org.partner.membership_id},${OFFER[level]},2027-01-01,${i === 49 ? '2027-03-10' : '2027-12-31'},false`);
    orgs.push({ org, api, level, profile: corpusProfile(i) });
  }
  const imp = importLegacy(srv.db, csv.join('\n') + '\n');
  assert.equal(imp.status, 0, imp.stderr);
  for (const o of orgs) {
    const put = await o.api.call('PUT', '/api/v1/company-profile', o.profile);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const pub = await o.api.call('POST', '/api/v1/company-profile/publication', {});
    assert.equal(pub.status, 200, JSON.stringify(pub.body));
    assert.equal(pub.body.listed, true);
    o.slug = pub.body.slug;
  }
});

after(async () => {
  await op?.setClock(null);
  await srv?.stop();
});

test('search: accents and case ignored, words as prefixes, ordered by level then relevance, the same as the reference', async () => {
  const queries = [
    {}, { q: 'conseil' }, { q: 'Conseil' }, { q: 'système' }, { q: 'systeme' }, { q: 'SÉCURITÉ' }, { q: 'secu' },
    { q: 'ile-de-france' }, { q: 'données cloud' }, { q: 'hopital' }, { q: 'créteil' }, { q: 'integration reseau' },
    { q: 'information' }, { q: 'zzz' }, { q: 'e' }, { q: "d'information" }, { q: 'cloud', order: 'relevance' },
    { q: 'conseil', country: 'BE' }, { level: 'gold' }, { industry: 'healthcare', language: 'en' }, { service: 'security', q: 'réseau' },
    { country: 'CA', level: 'silver' }, { q: 'données', order: 'relevance', service: 'data-ai' },
  ];
  let nonEmpty = 0;
  for (const params of queries) {
    const want = expected(params);
    const got = await searchAll(params);
    assert.deepEqual(got, want, `search ${JSON.stringify(params)}`);
    if (want.length) nonEmpty++;
  }
  assert.ok(nonEmpty >= 18);
  // « conseil » finds « Conseil », « système » finds « Système »: spot checks of the reference itself
  assert.ok(expected({ q: 'conseil' }).includes('Système Conseil'));
  assert.ok(expected({ q: 'systeme' }).includes('Général Systèmes'));
  // gold first
  const first = (await new Client(srv.url).call('GET', '/api/v1/directory/partners?q=conseil')).body.items;
  assert.equal(first[0].level, 'gold');
});

test('a page shows published fields only: no organisation id, no contact address, nothing of the draft', async () => {
  const o = orgs[3];
  const edit = await o.api.call('PUT', '/api/v1/company-profile', { ...o.profile, description_fr: 'Brouillon secretdraft non publié', referral_email: 'hidden@partner.example' });
  assert.equal(edit.status, 200);
  const page = await new Client(srv.url).call('GET', `/api/v1/directory/partners/${o.slug}`);
  assert.equal(page.status, 200);
  const text = JSON.stringify(page.body);
  assert.equal(page.body.description.fr, o.profile.description_fr);
  for (const secret of ['secretdraft', o.org.partner.id, o.org.partner.membership_id, 'leads3@', 'hidden@', o.org.email, 'referral_email', 'partner_id'])
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.deepEqual((await searchAll({ q: 'secretdraft' })), []);
  const search = await new Client(srv.url).call('GET', '/api/v1/directory/partners?limit=50');
  assert.ok(!JSON.stringify(search.body).includes('leads'), 'contact addresses leaked in search');
  assert.equal((await new Client(srv.url).call('GET', '/api/v1/directory/partners/no-such-partner')).status, 404);
  // the partner's own view shows both
  const own = await o.api.call('GET', '/api/v1/company-profile');
  assert.equal(own.body.draft.description_fr, 'Brouillon secretdraft non publié');
  assert.equal(own.body.published.description_fr, o.profile.description_fr);
});

test('logo: PNG or JPEG read from the bytes and decoded, at most 1 MiB, served by content hash with nosniff, public once published', async () => {
  const o = orgs[5];
  // a file that only starts like a PNG, a text file, a JPEG cut short, a too-large file
  const fake = Buffer.concat([makePng(4, 4).subarray(0, 40), Buffer.from('not really a picture')]);
  for (const bad of [fake, Buffer.from('hello'), readFileSync(new URL('./fixtures/logo.jpg', import.meta.url)).subarray(0, 300)]) {
    const r = await fetch(`${srv.url}/api/v1/company-profile/logo`, { method: 'PUT', headers: { Authorization: `Bearer ${o.api.bearer}`, 'Content-Type': 'image/png' }, body: bad });
    assert.equal(r.status, 422, `accepted a bad logo`);
    assert.ok((await r.json()).error.details.fields.file, 'the problem names the file');
  }
  const big = await fetch(`${srv.url}/api/v1/company-profile/logo`, { method: 'PUT', headers: { Authorization: `Bearer ${o.api.bearer}`, 'Content-Type': 'image/png' }, body: Buffer.alloc(1024 * 1024 + 1, 1) });
  assert.equal(big.status, 413);
  for (const [bytes, type] of [[readFileSync(new URL('./fixtures/logo.jpg', import.meta.url)), 'image/jpeg'], [makePng(32, 16), 'image/png']]) {
    const r = await fetch(`${srv.url}/api/v1/company-profile/logo`, { method: 'PUT', headers: { Authorization: `Bearer ${o.api.bearer}`, 'Content-Type': 'application/octet-stream' }, body: bytes });
    assert.equal(r.status, 200);
    const body = await r.json();
    const hash = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
    assert.equal(body.draft.logo_url, `/api/v1/company-profile/logo/${hash}`);
    // not public before publication
    assert.equal((await fetch(`${srv.url}/api/v1/directory/logos/${hash}`)).status, 404);
    const own = await fetch(srv.url + body.draft.logo_url, { headers: { Authorization: `Bearer ${o.api.bearer}` } });
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('content-type'), type);
    await o.api.call('POST', '/api/v1/company-profile/publication', {});
    const pub = await fetch(`${srv.url}/api/v1/directory/logos/${hash}`);
    assert.equal(pub.status, 200);
    assert.equal(pub.headers.get('content-type'), type);
    assert.equal(pub.headers.get('x-content-type-options'), 'nosniff');
    assert.match(pub.headers.get('cache-control'), /immutable/);
    assert.ok(Buffer.from(await pub.arrayBuffer()).equals(bytes));
    const page = await new Client(srv.url).call('GET', `/api/v1/directory/partners/${o.slug}`);
    assert.equal(page.body.logo_url, `/api/v1/directory/logos/${hash}`);
  }
});

test('profile checks: catalog codes, countries, languages, URL, email; publishing needs a description and a contact address', async () => {
  const org = await join(srv.url);
  const c = new Client(srv.url);
  await c.signIn(org.email, org.password);
  const r = await c.call('PUT', '/api/v1/company-profile', { name: 'X', industries: ['nope'], countries: ['XX'], languages: ['french'], website: 'ftp://x', referral_email: 'no', company_size: 'huge' });
  assert.equal(r.status, 422);
  assert.deepEqual(Object.keys(r.body.error.details.fields).sort(), ['company_size', 'countries', 'industries', 'languages', 'referral_email', 'website']);
  const draft = await c.call('GET', '/api/v1/company-profile');
  assert.equal(draft.body.draft.name, org.partner.legal_name);
  assert.equal(draft.body.published, null);
  assert.equal((await c.call('POST', '/api/v1/company-profile/publication', {})).body.error.code, 'profile_incomplete');
  // without an active subscription a published profile is not listed
  await c.call('PUT', '/api/v1/company-profile', { name: 'Sans Adhésion', description_fr: 'Rien', referral_email: 'a@b.example' });
  const pub = await c.call('POST', '/api/v1/company-profile/publication', {});
  assert.equal(pub.status, 200);
  assert.equal(pub.body.listed, false);
  assert.equal((await new Client(srv.url).call('GET', `/api/v1/directory/partners/${pub.body.slug}`)).status, 404);
  // a user may read the profile, not change it; a referral manager neither
  const u = await memberOf(srv.url, c, ['user']);
  assert.equal((await u.client.call('GET', '/api/v1/company-profile')).status, 200);
  assert.equal((await u.client.call('PUT', '/api/v1/company-profile', { name: 'Y' })).status, 403);
});

test('the operator edits the catalog; bad filters are refused', async () => {
  const put = await op.client.call('PUT', '/api/v1/admin/directory/catalog/services/iot', { fr: 'Objets connectés', en: 'Internet of things', position: 7 });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const cat = await new Client(srv.url).call('GET', '/api/v1/directory/catalog');
  assert.ok(cat.body.services.some((s) => s.code === 'iot' && s.fr === 'Objets connectés'));
  assert.equal((await op.client.call('DELETE', '/api/v1/admin/directory/catalog/services/iot')).status, 204);
  for (const qs of ['level=platinum', 'order=price', 'country=france', 'limit=0', 'cursor=bad'])
    assert.equal((await new Client(srv.url).call('GET', `/api/v1/directory/partners?${qs}`)).body.error.code, 'invalid_query', qs);
});

test('a lapsed partner leaves the directory and comes back on renewal', async () => {
  const o = orgs[49]; // its subscription ends on 2027-03-10
  assert.ok((await searchAll({ q: 'ébène' })).includes('Ébène Services'));
  await op.setClock('2027-03-11T09:00:00Z');
  assert.deepEqual(await searchAll({ q: 'ebene' }), []);
  assert.equal((await new Client(srv.url).call('GET', `/api/v1/directory/partners/${o.slug}`)).status, 404);
  assert.equal((await o.api.call('GET', '/api/v1/company-profile')).body.listed, false);
  await op.setClock(`${TODAY}T09:00:00Z`);
  assert.ok((await searchAll({ q: 'ebene' })).includes('Ébène Services'));
  void dumpDatabase;
});

test('a long name gets a slug its page and the search cursor accept: page 200, every page of results', async () => {
  const names = ['Établissements Informatiques Kerguelen de Bretagne Occidentale', 'Kerguelen Ingénierie des Systèmes d’Information et Télécommunications'];
  const csv = ['membership_id,offer,starts_on,expires_on,auto_renew'];
  const apis = [];
  for (const name of names) {
    const org = await join(srv.url);
    const c = new Client(srv.url);
    await c.signIn(org.email, org.password);
    csv.push(`${org.partner.membership_id},action-pack,2027-01-01,2027-12-31,false`);
    apis.push({ c, name });
  }
  assert.equal(importLegacy(srv.db, csv.join('\n') + '\n').status, 0);
  const slugs = [];
  for (const { c, name } of apis) {
    assert.equal((await c.call('PUT', '/api/v1/company-profile', { name, description_fr: 'Conseil.', referral_email: 'leads@kerguelen.example' })).status, 200);
    const pub = await c.call('POST', '/api/v1/company-profile/publication', {});
    assert.equal(pub.status, 200, JSON.stringify(pub.body));
    assert.ok(pub.body.slug.length > 48, pub.body.slug);
    slugs.push(pub.body.slug);
  }
  for (const slug of slugs) {
    const page = await new Client(srv.url).call('GET', `/api/v1/directory/partners/${slug}`);
    assert.equal(page.status, 200, `${slug}: ${JSON.stringify(page.body)}`);
    assert.equal(page.body.slug, slug);
  }
  assert.deepEqual(await searchAll({ q: 'kerguelen' }, 1), [...names].sort((a, b) => (sortName(a) < sortName(b) ? -1 : 1)));
  for (const { c } of apis) assert.equal((await c.call('DELETE', '/api/v1/company-profile/publication')).status, 204);
});
