// directory.mjs - public directory searches per second over BENCH_PROFILES (10 000)
// published profiles, beside GET /healthz with the same clients in the same run.
//
//   PARTNERD_BIN=build/partnerd node bench/directory.mjs
//
// A real `partnerd serve` on a fresh database (SQLite, or PostgreSQL when
// PARTNERD_TEST_PG is set). The organisations, their subscriptions (a third Gold, a
// third Silver, a third Action Pack, all active) and their published profiles are
// written in SQL; the search index fills itself (FTS5 triggers, PostgreSQL generated
// columns). BENCH_CONCURRENCY clients then run, for BENCH_SECONDS each, a mix of searches
// (a word, two words with accents, a prefix, a filter, no word at all) and then /healthz.
import { startServer, sqlScript, ENGINE } from '../tests/e2e/harness.mjs';

const N = Number(process.env.BENCH_PROFILES || 10000);
const CONC = Number(process.env.BENCH_CONCURRENCY || 16);
const SECONDS = Number(process.env.BENCH_SECONDS || 5);
const WORDS = ['conseil', 'système', 'sécurité', 'données', 'réseau', 'intégration', 'cloud', 'éducation', 'santé', 'logiciel', 'hôpital', 'télécom'];
const CITIES = ['Paris', 'Lyon', 'Créteil', 'Lille', 'Nantes', 'Genève', 'Bruxelles', 'Montréal'];
const SEARCHES = [
  '?q=conseil', '?q=s%C3%A9curit%C3%A9%20r%C3%A9seau', '?q=donn', '?country=BE&q=cloud', '?', '?level=gold&service=security',
  '?q=systeme&order=relevance', '?industry=healthcare&language=en',
];

function seed(url) {
  const today = new Date().toISOString().slice(0, 10);
  const rows = ['BEGIN;'];
  for (let i = 0; i < N; i++) {
    const w = (k) => WORDS[(i * 7 + k * 5) % WORDS.length];
    const name = `${w(0)[0].toUpperCase()}${w(0).slice(1)} ${CITIES[i % CITIES.length]} ${i}`;
    const offer = ['gold-competency', 'silver-competency', 'action-pack'][i % 3];
    rows.push(
      `INSERT INTO partners (id, membership_id, legal_name, country, address_line1, postal_code, city, locale, currency, created_at) VALUES ('ptn_dir${i}', '${8000000 + i}', 'Dir ${i} SAS', 'FR', '1 rue', '75001', 'Paris', 'fr', 'EUR', 0);`,
      `INSERT INTO subscriptions (id, partner_id, offer_code, managed_in, paid, starts_on, expires_on, created_at, updated_at) VALUES ('sub_dir${i}', 'ptn_dir${i}', '${offer}', 'partner_center', 1, '2020-01-01', '2099-12-31', 0, 0);`,
      `INSERT INTO directory_listings (partner_id, slug, name, sort_name, description_fr, description_en, industries, services, countries, languages, company_size, referral_email, published_at) VALUES ('ptn_dir${i}', 'dir-${i}', '${name}', '${name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]/g, '')}', 'Spécialiste ${w(1)}, ${w(2)} et ${w(3)} à ${CITIES[(i + 3) % CITIES.length]}.', 'Experts in ${w(4)}.', '${['healthcare', 'finance', 'retail', 'education'][i % 4]}', '${['security', 'cloud-migration,data-ai', 'modern-work'][i % 3]}', '${['FR', 'FR,BE', 'CH', 'CA'][i % 4]}', '${i % 2 ? 'fr' : 'fr,en'}', '10-49', 'l${i}@bench.example', 0);`,
    );
  }
  rows.push('COMMIT;');
  void today;
  sqlScript(url, rows.join('\n'));
}

async function load(url, paths) {
  let done = 0, failed = 0, k = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONC }, async () => {
    while (Date.now() < end) {
      const r = await fetch(url + paths[k++ % paths.length]);
      await r.arrayBuffer();
      if (r.status === 200) done++;
      else failed++;
    }
  }));
  if (failed) throw new Error(`${failed} requests failed`);
  return done / SECONDS;
}

const srv = await startServer({ args: ['--no-jobs'] });
try {
  const t0 = Date.now();
  seed(srv.db.url);
  const seeded = (Date.now() - t0) / 1000;
  const check = await (await fetch(`${srv.url}/api/v1/directory/partners?q=conseil&limit=5`)).json();
  if (!check.items?.length) throw new Error('the seeded directory answers nothing');
  const search = await load(`${srv.url}/api/v1/directory/partners`, SEARCHES);
  const health = await load(srv.url, ['/healthz']);
  console.log(`# directory searches, ${ENGINE}, ${N} published profiles (seeded in ${seeded.toFixed(1)} s), ${CONC} clients, ${SECONDS} s each`);
  console.log(`${'target'.padEnd(40)} ${'req/s'.padStart(10)} ${'vs /healthz'.padStart(12)}`);
  console.log(`${'GET /healthz'.padEnd(40)} ${health.toFixed(0).padStart(10)} ${'1.00'.padStart(12)}`);
  console.log(`${'GET /api/v1/directory/partners (mix)'.padEnd(40)} ${search.toFixed(0).padStart(10)} ${(search / health).toFixed(2).padStart(12)}`);
} finally {
  await srv.stop();
}
