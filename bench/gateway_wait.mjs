// gateway_wait.mjs - the server's other requests while card payments wait on the gateway.
//
//   PARTNERD_BIN=build/partnerd node bench/gateway_wait.mjs
//
// A server with --threads BENCH_WAIT_THREADS (default 4) requests at work on the database
// at once, the Stripe stand-in (tests/stripe/standin.mjs) answering each request
// BENCH_GATEWAY_MS (default 200) late, as Stripe a network away does. One client reads
// GET /api/v1/orders (a partner's list: the database) as fast as it can, first alone (the
// baseline), then while BENCH_WAIT_BUYERS partners (default twice the threads) buy the
// Action Pack by card at once, BENCH_WAIT_ROUNDS (default 3) rounds of them: each purchase calls Stripe three
// times (the card's details, the partner's customer, the charge). The reads a second with
// payments waiting beside those alone say whether a payment's wait holds the database;
// the purchases a second say how many payments can wait at once. At the end the stand-in's
// ledger must hold exactly one charge per purchase.
import { startServer, Client, join, stripeGateway, ENGINE } from '../tests/e2e/harness.mjs';

const THREADS = Number(process.env.BENCH_WAIT_THREADS || 4);
const LATENCY = Number(process.env.BENCH_GATEWAY_MS || 200);
const ROUNDS = Number(process.env.BENCH_WAIT_ROUNDS || 3);
const BUYERS = Number(process.env.BENCH_WAIT_BUYERS || 2 * THREADS);

const stripe = await stripeGateway();
const srv = await startServer({ args: ['--no-jobs', '--threads', String(THREADS), ...stripe.args], env: stripe.env });
try {
  await stripe.webhooksTo(`${srv.url}/api/v1/payment-events`);
  /** A partner that joined, with an API token. */
  const partner = async () => {
    const org = await join(srv.url);
    const c = new Client(srv.url);
    if ((await c.signIn(org.email, org.password)).status !== 201) throw new Error('sign-in');
    return new Client(srv.url, { bearer: (await c.call('POST', '/api/v1/api-tokens', { name: 'bench' })).body.token });
  };
  const reader = await partner();
  const buyers = [];
  for (let i = 0; i < BUYERS * ROUNDS; i++) buyers.push(await partner());

  /** GET /api/v1/orders in a loop until stop() resolves: reads a second. */
  const read = async (stop) => {
    let n = 0, done = false;
    stop.then(() => (done = true));
    const t0 = performance.now();
    while (!done) {
      const r = await reader.call('GET', '/api/v1/orders');
      if (r.status !== 200) throw new Error(`GET /api/v1/orders: ${r.status}`);
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  };
  const buy = async (api) => {
    const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: { method: 'card', payment_method: 'pm_card_visa' } });
    if (o.status !== 201) throw new Error(`order: ${o.status} ${JSON.stringify(o.body)}`);
    const p = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
    if (p.status !== 200 || p.body.status !== 'confirmed') throw new Error(`Buy: ${p.status} ${JSON.stringify(p.body)}`);
  };

  await stripe.config({ latency_ms: LATENCY });
  const alone = await read(new Promise((ok) => setTimeout(ok, 3000)));
  const t0 = performance.now();
  const purchases = (async () => {
    for (let round = 0; round < ROUNDS; round++)
      await Promise.all(buyers.slice(round * BUYERS, (round + 1) * BUYERS).map(buy));
  })();
  const beside = await read(purchases);
  const seconds = (performance.now() - t0) / 1000;
  await stripe.config({ latency_ms: 0 });
  const { charges } = await stripe.ledger();
  if (charges.length !== BUYERS * ROUNDS || new Set(charges.map((c) => c.partnerd_key)).size !== charges.length)
    throw new Error(`the stand-in charged ${charges.length} times for ${BUYERS * ROUNDS} purchases`);

  const line = (label, v, base) => console.log(`${label.padEnd(60)} ${v.toFixed(1).padStart(10)} ${base ? (v / base).toFixed(3).padStart(10) : ''}`);
  console.log(`# ${ENGINE}, --threads ${THREADS}, the Stripe stand-in answering ${LATENCY} ms late: ${ROUNDS} rounds of ${BUYERS} card purchases at once`);
  console.log(`${'target'.padEnd(60)} ${'per s'.padStart(10)} ${'vs alone'.padStart(10)}`);
  line('GET /api/v1/orders, alone', alone, alone);
  line('GET /api/v1/orders, while payments wait on the gateway', beside, alone);
  line(`purchases, ${BUYERS} at once (3 calls to the gateway each)`, (BUYERS * ROUNDS) / seconds);
} finally {
  await srv.stop();
  await stripe.close();
}
