// webhooks.mjs - webhook deliveries per second to receivers slow to answer:
// webhooks.at_once (default 8) beside one POST after another, in the same run.
//
//   PARTNERD_BIN=build/partnerd node bench/webhooks.mjs
//
// BENCH_WEBHOOK_RECEIVERS (default 20) organisations each have an endpoint on a receiver
// of its own that answers BENCH_WEBHOOK_MS (default 200) after each request, as a partner's
// receiver a network away that does some work before it answers. BENCH_WEBHOOK_EACH
// (default 5) deliveries fall due for each; one `partnerd jobs run` sends them with
// webhooks.at_once = 1, the baseline, then as many again with the default. Every delivery
// must arrive once, and no receiver may be sent two at once.
import { createServer } from 'node:http';
import { startServer, operatorClock, adminOf, Client, jobsProcess, sql, ENGINE } from '../tests/e2e/harness.mjs';

const RECEIVERS = Number(process.env.BENCH_WEBHOOK_RECEIVERS || 20);
const EACH = Number(process.env.BENCH_WEBHOOK_EACH || 5);
const LATENCY = Number(process.env.BENCH_WEBHOOK_MS || 200);
const DEFAULT_AT_ONCE = 8;

let onWire = 0, mostOnWire = 0, twoAtOnce = 0;
const got = new Map();
const receivers = [];
for (let i = 0; i < RECEIVERS; i++) {
  let busy = 0;
  const server = createServer((req, res) => {
    onWire++;
    busy++;
    mostOnWire = Math.max(mostOnWire, onWire);
    if (busy > 1) twoAtOnce++;
    const id = req.headers['webhook-id'];
    got.set(id, (got.get(id) || 0) + 1);
    req.resume();
    setTimeout(() => { onWire--; busy--; res.end('ok'); }, LATENCY);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  receivers.push(server);
}

const srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
try {
  const op = await operatorClock(srv);
  await op.setClock('2027-06-23T06:00:00Z');
  const now = Date.parse('2027-06-23T06:00:00Z') / 1000;
  sql(srv.db.url, "INSERT INTO settings (key, value, updated_at) VALUES ('webhooks.allow_private', '1', 0) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const endpoints = [];
  for (const server of receivers) {
    const { org, client } = await adminOf(srv.url);
    const api = new Client(srv.url, { bearer: (await client.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token });
    const ep = await api.call('POST', '/api/v1/webhook-endpoints', { url: `http://127.0.0.1:${server.address().port}/hook`, events: ['*'] });
    if (ep.status !== 201) throw new Error(`endpoint: ${ep.status} ${JSON.stringify(ep.body)}`);
    endpoints.push({ partner: org.partner.id, ep: ep.body.id });
  }
  /** One pass over EACH deliveries per endpoint, atOnce POSTs at a time (null: the default). */
  const pass = async (tag, atOnce) => {
    sql(srv.db.url, endpoints.flatMap(({ partner, ep }, e) => Array.from({ length: EACH }, (_, k) => [
      `INSERT INTO outbox (id, event, partner_id, payload, created_at) VALUES ('evt_${tag}_${e}_${k}', 'benefit.reminder', '${partner}', '{}', ${now});`,
      `INSERT INTO webhook_deliveries (id, outbox_id, endpoint_id, status, next_attempt_at, created_at) VALUES ('whd_${tag}_${e}_${k}', 'evt_${tag}_${e}_${k}', '${ep}', 'pending', ${now}, ${now});`]).flat()).join('\n'));
    sql(srv.db.url, "DELETE FROM settings WHERE key = 'webhooks.at_once'");
    if (atOnce !== null) sql(srv.db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('webhooks.at_once', '${atOnce}', 0)`);
    mostOnWire = 0;
    const run = await jobsProcess(srv);
    if (run.code !== 0) throw new Error(`jobs run: ${run.stderr}`);
    const m = run.stderr.match(/job name=outbox_delivery done=(\d+) dur_us=(\d+)/);
    if (!m) throw new Error(`no outbox_delivery line: ${run.stderr}`);
    const delivered = Number(sql(srv.db.url, `SELECT COUNT(*) FROM webhook_deliveries WHERE id LIKE 'whd_${tag}_%' AND status = 'delivered'`));
    if (delivered !== RECEIVERS * EACH) throw new Error(`${delivered} of ${RECEIVERS * EACH} delivered`);
    return { seconds: Number(m[2]) / 1e6, most: mostOnWire };
  };
  await jobsProcess(srv); // the new organisations' emails, sent before either pass is timed
  const one = await pass('one', 1);
  const many = await pass('many', null);
  if ([...got.values()].some((n) => n !== 1) || got.size !== 2 * RECEIVERS * EACH) throw new Error('a delivery arrived twice, or not at all');
  if (twoAtOnce) throw new Error(`a receiver was sent two at once ${twoAtOnce} times`);

  const n = RECEIVERS * EACH;
  const line = (label, r) => console.log(`${label.padEnd(52)} ${(n / r.seconds).toFixed(1).padStart(10)} ${(one.seconds / r.seconds).toFixed(2).padStart(8)} ${String(r.most).padStart(8)}`);
  console.log(`# ${n} webhook deliveries due to ${RECEIVERS} receivers answering ${LATENCY} ms after each request, ${ENGINE}`);
  console.log(`${'target'.padEnd(52)} ${'per s'.padStart(10)} ${'vs one'.padStart(8)} ${'at once'.padStart(8)}`);
  line('webhooks, one POST at a time (webhooks.at_once 1)', one);
  line(`webhooks, webhooks.at_once ${DEFAULT_AT_ONCE} (the default)`, many);
  await op.setClock(null);
} finally {
  await srv.stop();
  receivers.forEach((s) => s.close());
}
