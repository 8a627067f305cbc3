// renewal_charges.test.mjs - a renewal pass sends its charges to the gateway several at once
// (gateway.charges_at_once, default 8), never more, and each is still charged once.
//
// Against the Stripe stand-in (tests/stripe/standin.mjs) with latency_ms set, as a gateway a
// network away answers: it counts the /v1 requests it is answering at the same time. With
// one at once the pass waits for each answer in turn; with six, up to six are on the wire,
// on SQLite (one jobs connection) as on PostgreSQL (two, sharing the six). A request Stripe
// refuses for its rate limit (429) among them is sent again, and charged once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, operatorClock, seedDueSubscriptions, seedStripePayers, stripeGateway, jobsProcess, sql } from './harness.mjs';

const setAtOnce = (srv, n) =>
  sql(srv.db.url, `INSERT INTO settings (key, value, updated_at) VALUES ('gateway.charges_at_once', '${n}', 0) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);

test('a renewal pass sends gateway.charges_at_once charges at a time, each charged once', async (t) => {
  const stripe = await stripeGateway();
  const gateway = { args: stripe.args, env: stripe.env };
  const srv = await startServer({ args: ['--no-jobs', '--test-clock', ...stripe.args], env: stripe.env });
  try {
    const op = await operatorClock(srv);
    await stripe.config({ latency_ms: 300 });
    const pass = async (tag, first, n, atOnce) => {
      seedDueSubscriptions(srv, n, '2027-06-22', tag, { ledger: false, first });
      await stripe.config({ latency_ms: 0 }); // the payers are made quickly
      await seedStripePayers(srv, stripe, n, tag);
      await stripe.config({ latency_ms: 300 });
      setAtOnce(srv, atOnce);
      await stripe.load(true);
      const r = await jobsProcess(srv, { gateway });
      assert.equal(r.code, 0, r.stderr);
      const renewed = Number(sql(srv.db.url, `SELECT COUNT(*) FROM subscription_terms WHERE term = 2 AND subscription_id LIKE 'sub_${tag}%'`));
      assert.equal(renewed, n, `every ${tag} subscription renewed`);
      return (await stripe.load()).max_in_flight;
    };
    await op.setClock('2027-06-23T06:00:00Z');

    // one at a time: the pass waits for each answer
    assert.equal(await pass('one', 0, 8, 1), 1, 'one charge on the wire at a time');

    // six at a time, a rate-limited request among them (sent again after its pause)
    await stripe.standin.state.failures.push({ mode: '429', count: 1, method: 'POST', path: '/v1/payment_intents' });
    const most = await pass('six', 100, 24, 6);
    t.diagnostic(`at most ${most} charges on the wire at once`);
    assert.ok(most >= 3 && most <= 6, `between 3 and 6 charges at once, not ${most}`);
    const reqs = stripe.standin.state.requests.filter((r) => r.path === '/v1/payment_intents' && r.idempotency_key);
    assert.equal(new Set(reqs.map((r) => r.idempotency_key)).size, 32, 'a request for each try');
    assert.equal(reqs.length, 33, 'the rate-limited one sent again with its key');

    // the stand-in's ledger: each subscription's term charged once, off session
    const { charges } = await stripe.ledger();
    const keys = charges.map((c) => c.partnerd_key);
    assert.equal(keys.length, 32);
    assert.equal(new Set(keys).size, 32, 'no key charged twice');
    assert.ok(charges.every((c) => c.off_session && c.customer?.startsWith('cus_')));
  } finally {
    await srv.stop();
    await stripe.close();
  }
});
