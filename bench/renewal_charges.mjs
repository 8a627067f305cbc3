// renewal_charges.mjs - automatic renewals per second through a gateway a network away:
// gateway.charges_at_once (default 8) beside one charge at a time, in the same run.
//
//   PARTNERD_BIN=build/partnerd node bench/renewal_charges.mjs
//
// The Stripe stand-in (tests/stripe/standin.mjs) answers each request BENCH_GATEWAY_MS
// (default 100) after it came, as Stripe's API a network away does (its real answers take
// longer: an off-session PaymentIntent's confirmation asks the card's bank), and the first
// request of each connection BENCH_GATEWAY_HANDSHAKE_MS (default 100) later still, the TCP
// and TLS handshakes a connection to Stripe costs. Two groups of
// BENCH_GATEWAY_RENEWALS (default 160) subscriptions, each of its own organisation with a
// customer and a saved card at the stand-in, fall due; one `partnerd jobs run` renews the
// first with gateway.charges_at_once = 1, the baseline, and another the second with the
// default. At the end the stand-in's ledger must hold exactly one charge per renewal.
import { startServer, operatorClock, seedDueSubscriptions, seedStripePayers, stripeGateway, jobsProcess, sql, ENGINE } from '../tests/e2e/harness.mjs';

const N = Number(process.env.BENCH_GATEWAY_RENEWALS || 160);
const LATENCY = Number(process.env.BENCH_GATEWAY_MS || 100);
const HANDSHAKE = Number(process.env.BENCH_GATEWAY_HANDSHAKE_MS ?? 100);
const DEFAULT_AT_ONCE = 8;

const stripe = await stripeGateway();
const gateway = { args: stripe.args, env: stripe.env };
const srv = await startServer({ args: ['--no-jobs', '--test-clock', ...stripe.args], env: stripe.env });
try {
  const op = await operatorClock(srv);
  /** One pass over n subscriptions due, atOnce charges at a time (null: the default). */
  const pass = async (tag, first, atOnce) => {
    seedDueSubscriptions(srv, N, '2027-06-22', tag, { ledger: false, first });
    await stripe.config({ latency_ms: 0, handshake_ms: 0 }); // the payers are made without the wait
    await seedStripePayers(srv, stripe, N, tag);
    await stripe.config({ latency_ms: LATENCY, handshake_ms: HANDSHAKE });
    sql(srv.db.url, "DELETE FROM settings WHERE key = 'gateway.charges_at_once'");
    if (atOnce !== null)
      sql(srv.db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('gateway.charges_at_once', '${atOnce}', 0)`);
    await stripe.load(true);
    const connections = (await stripe.load()).connections;
    const run = await jobsProcess(srv, { gateway });
    if (run.code !== 0) throw new Error(`jobs run: ${run.stderr}`);
    const m = run.stderr.match(/job name=auto_renewal done=(\d+) dur_us=(\d+)/);
    if (!m || Number(m[1]) !== N) throw new Error(`renewed ${m?.[1]} of ${N}`);
    const load = await stripe.load();
    return { seconds: Number(m[2]) / 1e6, most: load.max_in_flight, connections: load.connections - connections };
  };
  await op.setClock('2027-06-23T06:00:00Z');
  const one = await pass('one', 0, 1);
  const many = await pass('many', N, null);
  const { charges } = await stripe.ledger();
  if (charges.length !== 2 * N || new Set(charges.map((c) => c.partnerd_key)).size !== 2 * N)
    throw new Error(`the stand-in charged ${charges.length} times for ${2 * N} renewals`);

  const line = (label, r) => console.log(`${label.padEnd(52)} ${(N / r.seconds).toFixed(1).padStart(10)} ${(one.seconds / r.seconds).toFixed(2).padStart(8)} ${String(r.most).padStart(8)} ${String(r.connections).padStart(12)}`);
  console.log(`# ${N} automatic renewals due, ${ENGINE}, through the Stripe stand-in answering ${LATENCY} ms after each request (${HANDSHAKE} ms more for a new connection)`);
  console.log(`${'target'.padEnd(52)} ${'per s'.padStart(10)} ${'vs one'.padStart(8)} ${'at once'.padStart(8)} ${'connections'.padStart(12)}`);
  line('renewals, one charge at a time (charges_at_once 1)', one);
  line(`renewals, gateway.charges_at_once ${DEFAULT_AT_ONCE} (the default)`, many);
  await op.setClock(null);
} finally {
  await srv.stop();
  await stripe.close();
}
