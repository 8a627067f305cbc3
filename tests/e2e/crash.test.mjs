// crash.test.mjs - a renewal run killed with SIGKILL again and again, then finished (issue 6).
//
// Whatever moment the kill lands on (before a try is claimed, between the claim and the
// charge, between the charge and its settlement, in the middle of a commit), the end is
// the same: exactly one successful charge per subscription and term in the gateway's own
// ledger, one invoice per charge, no gap in the invoice numbers, a sound database. On both
// gateways (issue 16): the built-in test gateway (its ledger a SQLite file) and Stripe, through
// the stand-in of its API (tests/stripe/standin.mjs, its ledger what it really charged), where
// a kill may also land while a request is on the wire and its answer is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, operatorClock, seedDueSubscriptions, seedStripePayers, stripeGateway, jobsProcess, ledgerSql, sql, sqlScript, webhookReceiver, SQLITE3_WAIT, ENGINE } from './harness.mjs';
import { spawnSync } from 'node:child_process';

const KILLS = 12;

/** The successful charges' idempotency keys ("auto:<subscription>:<term>:<try>") in the
 *  gateway's own ledger. */
async function chargedKeys(srv, stripe) {
  if (stripe) return (await stripe.ledger()).charges.map((c) => c.partnerd_key);
  return ledgerSql(srv, "SELECT idempotency_key FROM gw_charges WHERE status = 'succeeded'").split('\n').filter(Boolean);
}

async function crashRun(t, N, useStripe) {
  const stripe = useStripe ? await stripeGateway() : null;
  const gateway = stripe ? { args: stripe.args, env: stripe.env } : undefined;
  const srv = await startServer({ args: ['--no-jobs', '--test-clock', ...(gateway?.args || [])], env: gateway?.env });
  const op = await operatorClock(srv);
  // N more subscriptions due, each round with its own tag and membership IDs
  let seeded = 0;
  const seed = async () => {
    const tag = `crash${seeded / N}_`;
    seedDueSubscriptions(srv, N, '2027-06-22', tag, { ledger: !stripe, first: seeded });
    if (stripe) await seedStripePayers(srv, stripe, N, tag);
    seeded += N;
  };
  try {
    await seed();
    // Stripe's signed events reach the server while the renewals settle them too
    if (stripe) await stripe.webhooksTo(`${srv.url}/api/v1/payment-events`);
    await op.setClock('2027-06-23T06:00:00Z'); // day 1 of every window

    // kills at random moments from start-up to a third of a second in, until KILLS have landed
    // or a run gets to the end on its own with 4 or more landed. On a fast machine a run may
    // finish sooner: then N more subscriptions fall due, and the kills go on (the windows stay
    // short rather than growing, so they still land early in a run as well as late)
    let killed = 0;
    for (let i = 0; killed < KILLS && i < 4 * KILLS; i++) {
      const r = await jobsProcess(srv, { killAfterMs: 30 + Math.floor(Math.random() * 300), gateway });
      if (r.signal === 'SIGKILL') killed++;
      else {
        assert.equal(r.code, 0, r.stderr);
        if (killed >= 4) break;
        await seed();
      }
    }
    assert.ok(killed >= 4, `only ${killed} runs were killed mid-way: the runs were done before the kills landed, ${seeded} renewals in all`);
    const last = await jobsProcess(srv, { gateway });
    assert.equal(last.code, 0, last.stderr);
    t.diagnostic(`${killed} runs killed mid-way, ${seeded} renewals`);
    if (stripe) {
      const reqs = stripe.standin.state.requests;
      const count = (re) => reqs.filter((r) => re.test(r.path)).length;
      t.diagnostic(`Stripe saw ${count(/^\/v1\/payment_intents$/)} charges sent, ${count(/search$/)} lookups`);
    }

    const keys = await chargedKeys(srv, stripe);
    const perSub = new Map();
    for (const k of keys) {
      const [, sub, term] = k.split(':');
      perSub.set(`${sub}:${term}`, (perSub.get(`${sub}:${term}`) || 0) + 1);
    }
    assert.equal(perSub.size, seeded, 'every subscription was charged');
    assert.deepEqual([...new Set(perSub.values())], [1], 'exactly once per subscription and term');
    assert.equal(keys.length, seeded);
    if (stripe) {
      const { charges, refunds } = await stripe.ledger();
      assert.ok(charges.every((c) => c.off_session && c.customer?.startsWith('cus_')), 'off session, with the partner\'s customer');
      assert.equal(refunds.length, 0, 'nothing charged to be given back');
    }

    const q = (s) => sql(srv.db.url, s);
    assert.equal(Number(q("SELECT COUNT(*) FROM subscriptions WHERE starts_on = '2027-06-23' AND expires_on = '2028-06-22'")), seeded, 'every subscription has its new term');
    assert.equal(Number(q("SELECT COUNT(*) FROM renewal_attempts WHERE status = 'succeeded'")), seeded);
    assert.equal(Number(q("SELECT COUNT(*) FROM renewal_attempts WHERE status <> 'succeeded'")), 0, 'no try left pending');
    assert.equal(Number(q("SELECT COUNT(*) FROM invoices WHERE type = 'invoice'")), seeded, 'one invoice per charge');
    assert.equal(Number(q("SELECT COUNT(DISTINCT order_id) FROM invoices")), seeded);
    assert.equal(Number(q("SELECT COUNT(*) FROM payments WHERE status = 'succeeded'")), seeded);
    const numbers = q("SELECT number FROM invoices ORDER BY number").split('\n').map((n) => Number(n.split('-')[1]));
    assert.equal(numbers[0], 1);
    assert.equal(numbers.at(-1), seeded, `numbers 2027-000001 to 2027-${String(seeded).padStart(6, '0')}: no gap`);
    assert.equal(Number(q("SELECT COUNT(*) FROM outbox WHERE event = 'subscription.renewed'")), seeded, 'one event per renewal');
    // emails a killed process had claimed wait until the claim is stale (10 minutes), then go
    assert.equal(Number(q("SELECT COUNT(*) FROM email_deliveries WHERE status NOT IN ('sent', 'sending')")), 0);
    await op.setClock('2027-06-23T06:11:00Z');
    assert.equal((await jobsProcess(srv, { gateway })).code, 0);
    assert.equal(Number(q("SELECT COUNT(*) FROM email_deliveries WHERE status <> 'sent'")), 0, 'every email sent');
    if (ENGINE === 'sqlite') assert.equal(q('PRAGMA integrity_check'), 'ok');
    else assert.equal(q("SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = current_database()"), '0');
  } finally {
    await op.setClock(null);
    await srv.stop();
    await stripe?.close();
  }
}

const N = 3000;
test(`${N} renewals killed at random moments (up to ${KILLS} times), then finished: one charge and one invoice each, no gap`, (t) => crashRun(t, N, false));

// Stripe: each renewal is an HTTP round trip (or two: a lost answer is looked up before any
// retry) to the stand-in, which answers from this node process; 300 renewals keep the kills
// landing mid-way and the file's run time reasonable on a loaded 2-core machine.
const NS = 300;
test(`Stripe: ${NS} renewals killed at random moments (up to ${KILLS} times), then finished: one charge each in Stripe's ledger, one invoice each, no gap`, (t) => crashRun(t, NS, true));

// A page of due renewals the bank declines: each one's next try day is written (in
// transactions of at most 64, each locking its subscriptions in one statement), so the
// same day's second pass charges none again, and the next try comes on day 3 of the window.
test('a page of declined renewals: each one tried once, its next try on day 3, a second pass charges none', async () => {
  const N = 150; // a page of 128 and one of 22; the first page's days in two transactions
  const srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  const op = await operatorClock(srv);
  try {
    seedDueSubscriptions(srv, N, '2027-06-22', 'declined');
    sqlScript(`sqlite:${srv.ledger}`, "UPDATE gw_tokens SET behaviour = 'declined';");
    await op.setClock('2027-06-23T06:00:00Z');
    for (let pass = 0; pass < 2; pass++) {
      const run = await jobsProcess(srv);
      assert.equal(run.code, 0, run.stderr);
    }
    const declined = ledgerSql(srv, "SELECT COUNT(*) FROM gw_charges WHERE status = 'declined'");
    assert.equal(Number(declined), N, 'one try each, not a second the same day');
    assert.equal(sql(srv.db.url, "SELECT renew_check_on || ' ' || COUNT(*) FROM subscriptions GROUP BY renew_check_on"), `2027-06-25 ${N}`);
    assert.equal(sql(srv.db.url, "SELECT COUNT(*) FROM renewal_attempts WHERE status = 'failed' AND try = 1"), String(N));
  } finally {
    await op.setClock(null);
    await srv.stop();
  }
});

/** SQL making the database refuse every row of table whose partner_id is partner (a trigger,
 * as a constraint refuses a row whose data breaks it), and SQL that ends the refusal. */
const refusal = (table, partner) => ENGINE === 'sqlite'
  ? {
      start: `CREATE TRIGGER refuse_${table} BEFORE INSERT ON ${table} WHEN NEW.partner_id = '${partner}' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;`,
      end: `DROP TRIGGER refuse_${table};`,
    }
  : {
      start: `CREATE FUNCTION refuse_${table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.partner_id = '${partner}' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$;\n` +
        `CREATE TRIGGER refuse_${table} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_${table}();`,
      end: `DROP TRIGGER refuse_${table} ON ${table};`,
    };

// One renewal the database refuses (a row it cannot write: here a trigger refuses the
// invoice of one organisation, as a constraint would refuse bad imported data) must not
// hold up the others: not those after it in its page, not the pages after it, and not the
// next passes, whose first step charges again the tries a pass left pending. Once the
// cause is gone, it is settled from its first charge, never charged twice. The same when
// its event is refused: a batch writes its events together, in statements of their own.
for (const table of ['invoices', 'outbox']) test(`a renewal the database refuses (its ${table} row) does not hold up the others', this pass or the next`, async () => {
  const srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  const op = await operatorClock(srv);
  const q = (s) => sql(srv.db.url, s);
  const refuse = refusal(table, 'ptn_refused1');
  try {
    seedDueSubscriptions(srv, 3, '2027-06-22', 'refused');
    sqlScript(srv.db.url, refuse.start);
    await op.setClock('2027-06-23T06:00:00Z');
    const first = await jobsProcess(srv);
    assert.match(first.stderr, /card_settle batch of \d+ undone, settled one by one/, 'its batch is undone');
    assert.match(first.stderr, /card_settle order=ord_\w+ error=/, 'the refusal is logged');
    assert.equal(first.code, 1, 'and the job says it failed');
    const renewed = () => q("SELECT id FROM subscriptions WHERE expires_on = '2028-06-22' ORDER BY id").split('\n').filter(Boolean);
    assert.deepEqual(renewed(), ['sub_refused0', 'sub_refused2'], 'the others of its batch are renewed');
    assert.equal(q("SELECT status FROM renewal_attempts WHERE subscription_id = 'sub_refused1'"), 'pending');
    // the next day, another organisation's renewal falls due: the pass charges the pending
    // try again first (the gateway replays its answer), which fails again
    seedDueSubscriptions(srv, 1, '2027-06-23', 'later', { first: 10 });
    await op.setClock('2027-06-24T06:00:00Z');
    const second = await jobsProcess(srv);
    assert.match(second.stderr, /card_settle order=ord_\w+ error=/);
    assert.deepEqual(renewed(), ['sub_refused0', 'sub_refused2']);
    assert.equal(q("SELECT expires_on FROM subscriptions WHERE id = 'sub_later0'"), '2028-06-23', 'the later renewal is not held up');
    // the cause gone, the pending try is settled from its first charge
    sqlScript(srv.db.url, refuse.end);
    const third = await jobsProcess(srv);
    assert.equal(third.code, 0, third.stderr);
    // (settled a day after its expiry, its new term starts that day, as any renewal's after expiry)
    assert.equal(q("SELECT expires_on FROM subscriptions WHERE id = 'sub_refused1'"), '2028-06-23');
    assert.equal(q("SELECT status FROM renewal_attempts WHERE subscription_id = 'sub_refused1'"), 'succeeded');
    const keys = ledgerSql(srv, "SELECT idempotency_key FROM gw_charges WHERE status = 'succeeded'").split('\n').filter(Boolean);
    assert.equal(keys.length, 4, 'one charge each');
    assert.equal(new Set(keys).size, 4);
    assert.equal(q('SELECT COUNT(*) FROM invoices'), '4');
  } finally {
    await op.setClock(null);
    await srv.stop();
  }
});

// A try left pending (its settlement refused) is sent again with its key at the next passes,
// which the gateway answers with the first charge: but a gateway keeps a key for a day
// (Stripe: 24 hours), after which the same key charges again. Once the try was first sent an
// hour ago, it is only looked up (payment_recovery), never sent again (from the review).
test('Stripe: a try left pending is sent again with its key only within the hour, then only looked up', async () => {
  const stripe = await stripeGateway();
  const gateway = { args: stripe.args, env: stripe.env };
  const srv = await startServer({ args: ['--no-jobs', '--test-clock', ...gateway.args], env: gateway.env });
  const op = await operatorClock(srv);
  const q = (s) => sql(srv.db.url, s);
  const refuse = refusal('invoices', 'ptn_replay0');
  const posts = () => stripe.standin.state.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents').length;
  try {
    seedDueSubscriptions(srv, 1, '2027-06-22', 'replay', { ledger: false });
    await seedStripePayers(srv, stripe, 1, 'replay');
    sqlScript(srv.db.url, refuse.start);
    await op.setClock('2027-06-23T06:00:00Z');
    await jobsProcess(srv, { gateway });
    assert.equal(q("SELECT status FROM renewal_attempts"), 'pending');
    assert.equal(posts(), 1);
    await jobsProcess(srv, { gateway });
    assert.equal(posts(), 2, 'within the hour: sent again, its key replayed');
    // first sent two hours ago (real time)
    q('UPDATE payments SET sent_at = sent_at - 7200');
    const late = await jobsProcess(srv, { gateway });
    assert.match(late.stderr, /error - payment_recovery order=ord_\w+ error=/, 'looked up, and still refused');
    assert.equal(posts(), 2, 'not sent again: looked up');
    sqlScript(srv.db.url, refuse.end);
    await jobsProcess(srv, { gateway });
    assert.equal(q("SELECT status FROM renewal_attempts"), 'succeeded', 'settled from the lookup');
    assert.equal(posts(), 2);
    assert.equal((await stripe.ledger()).charges.length, 1, 'charged once');
  } finally {
    await op.setClock(null);
    await srv.stop();
    await stripe.close();
  }
});

// ...and a try the gateway never saw (its first request failed with nothing done, and the
// next pass came hours later: a server down meanwhile) is sent again all the same, once the
// lookup says so: nothing was charged behind its key.
test('Stripe: a try the gateway never saw is sent again after the hour, once looked up', async () => {
  const stripe = await stripeGateway();
  const gateway = { args: stripe.args, env: stripe.env };
  const srv = await startServer({ args: ['--no-jobs', '--test-clock', ...gateway.args], env: gateway.env });
  const op = await operatorClock(srv);
  const q = (s) => sql(srv.db.url, s);
  const posts = () => stripe.standin.state.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents').length;
  try {
    seedDueSubscriptions(srv, 1, '2027-06-22', 'unseen', { ledger: false });
    await seedStripePayers(srv, stripe, 1, 'unseen');
    const fail = await fetch(`${stripe.standin.url}/_test/fail`, { method: 'POST', body: JSON.stringify({ mode: '500', count: 1, method: 'POST', path: '/v1/payment_intents' }) });
    assert.equal(fail.status, 200);
    await op.setClock('2027-06-23T06:00:00Z');
    await jobsProcess(srv, { gateway });
    assert.equal(q("SELECT status FROM renewal_attempts"), 'pending');
    assert.equal((await stripe.ledger()).charges.length, 0, 'nothing charged');
    q('UPDATE payments SET sent_at = sent_at - 7200');
    const later = await jobsProcess(srv, { gateway });
    assert.equal(later.code, 0, later.stderr);
    assert.equal(posts(), 2, 'sent again');
    assert.equal(q("SELECT status FROM renewal_attempts"), 'succeeded');
    assert.equal((await stripe.ledger()).charges.length, 1, 'charged once');
  } finally {
    await op.setClock(null);
    await srv.stop();
    await stripe.close();
  }
});

// The same for a claim the database refuses (its order cannot be written): the refusal is
// logged, not taken for another process's try, and the others of its batch are renewed.
test('a renewal whose claim the database refuses is logged; the others of its batch are renewed', async () => {
  const srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  const op = await operatorClock(srv);
  const q = (s) => sql(srv.db.url, s);
  const refuse = refusal('orders', 'ptn_noclaim1');
  try {
    seedDueSubscriptions(srv, 3, '2027-06-22', 'noclaim');
    sqlScript(srv.db.url, refuse.start);
    await op.setClock('2027-06-23T06:00:00Z');
    const run = await jobsProcess(srv);
    assert.match(run.stderr, /renewal_claim subscription=sub_noclaim1 error=-\d+/, 'the refusal is logged');
    assert.match(run.stderr, /error - job name=auto_renewal/, 'and the job says it failed');
    assert.deepEqual(q("SELECT id FROM subscriptions WHERE expires_on = '2028-06-22' ORDER BY id").split('\n'), ['sub_noclaim0', 'sub_noclaim2']);
    assert.equal(q("SELECT COUNT(*) FROM renewal_attempts WHERE subscription_id = 'sub_noclaim1'"), '0');
    // its try stays due: looked at again the next day, not at every pass
    const again = await jobsProcess(srv);
    assert.doesNotMatch(again.stderr, /renewal_claim subscription=/);
    sqlScript(srv.db.url, refuse.end);
    await op.setClock('2027-06-24T06:00:00Z');
    const next = await jobsProcess(srv);
    assert.equal(next.code, 0, next.stderr);
    // (renewed a day after its expiry, its new term starts that day, as any renewal's after expiry)
    assert.equal(q("SELECT expires_on FROM subscriptions WHERE id = 'sub_noclaim1'"), '2028-06-23', 'claimed the next day');
  } finally {
    await op.setClock(null);
    await srv.stop();
  }
});

// Refused claims on three pages in a row (a page is 128 subscriptions, here declined cards
// around each refused one): the renewals on the pages after them still happen, in the same
// pass, and the refused ones do not head the next passes' pages (from the review: they did,
// and held up every renewal after them for good).
test('refused renewals on several pages do not hold up the pages after them', async () => {
  const srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  const op = await operatorClock(srv);
  const q = (s) => sql(srv.db.url, s);
  try {
    for (const [tag, first] of [['pa', 0], ['pb', 200], ['pc', 400]]) seedDueSubscriptions(srv, 128, '2027-06-22', tag, { first });
    seedDueSubscriptions(srv, 5, '2027-06-22', 'pd', { first: 600 });
    sqlScript(`sqlite:${srv.ledger}`, "UPDATE gw_tokens SET behaviour = 'declined' WHERE token NOT LIKE 'tok_test_pd%';");
    const starts = [], ends = [];
    for (const t of ['pa5', 'pb5', 'pc5']) {
      const r = refusal('orders', `ptn_${t}`);
      starts.push(r.start.replaceAll('refuse_orders', `refuse_${t}`));
      ends.push(r.end.replaceAll('refuse_orders', `refuse_${t}`));
    }
    sqlScript(srv.db.url, starts.join('\n'));
    const later = () => Number(q("SELECT COUNT(*) FROM subscriptions WHERE id LIKE 'sub_pd%' AND expires_on > '2027-06-22'"));
    const refusals = (run) => (run.stderr.match(/renewal_claim subscription=sub_p[abc]5 /g) || []).length;
    await op.setClock('2027-06-23T06:00:00Z');
    const first = await jobsProcess(srv);
    assert.equal(first.code, 1, 'the job says it failed');
    assert.equal(refusals(first), 3);
    assert.equal(later(), 5, 'the pages after them are renewed');
    await op.setClock('2027-06-23T12:00:00Z');
    assert.equal(refusals(await jobsProcess(srv)), 0, 'not tried again at every pass');
    await op.setClock('2027-06-24T06:00:00Z');
    assert.equal(refusals(await jobsProcess(srv)), 3, 'but the next day');
    sqlScript(srv.db.url, ends.join('\n'));
  } finally {
    await op.setClock(null);
    await srv.stop();
  }
});

// A batch whose transaction fails (a deadlock with another server on PostgreSQL, a full
// disk) is done again one renewal at a time: the first batch's claim fails once, then its
// settlement (each fault fires at its first call); the second batch goes as usual. Every
// renewal is still claimed, charged and settled once, and the pass ends well.
test('a batch of renewals whose claim or settlement fails is done one by one: every renewal once, nothing left pending', async () => {
  const N = 150; // two batches: 128, then 22
  const srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
  const op = await operatorClock(srv);
  try {
    seedDueSubscriptions(srv, N, '2027-06-22', 'fallback');
    await op.setClock('2027-06-23T06:00:00Z');
    const run = await jobsProcess(srv, { env: { PARTNERD_FAULT_FAIL: 'renewal.claim_batch=1,renewal.settle_batch=1' } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /PARTNERD_FAULT_FAIL is set/);
    const q = (s) => Number(sql(srv.db.url, s));
    const keys = ledgerSql(srv, "SELECT idempotency_key FROM gw_charges WHERE status = 'succeeded'").split('\n').filter(Boolean);
    assert.equal(keys.length, N, 'one charge per subscription');
    assert.equal(new Set(keys).size, N);
    assert.equal(q("SELECT COUNT(*) FROM renewal_attempts WHERE status = 'succeeded'"), N);
    assert.equal(q("SELECT COUNT(*) FROM renewal_attempts WHERE status <> 'succeeded'"), 0, 'no try left pending');
    assert.equal(q("SELECT COUNT(*) FROM orders WHERE action = 'renewal'"), N, 'no order left by the undone claim');
    assert.equal(q("SELECT COUNT(*) FROM invoices"), N, 'one invoice each');
    assert.equal(sql(srv.db.url, 'SELECT MAX(number) FROM invoices'), `2027-${String(N).padStart(6, '0')}`, 'no gap: the undone settlement took no number');
    assert.equal(q("SELECT COUNT(*) FROM outbox WHERE event = 'subscription.renewed'"), N, 'one event each');
    assert.equal(q("SELECT COUNT(*) FROM subscriptions WHERE expires_on = '2028-06-22'"), N);
  } finally {
    await op.setClock(null);
    await srv.stop();
  }
});

// The same renewals settled as a batch and one by one (the batch's settlement made to fail
// each time, so that every renewal takes the one-by-one path) leave the same database: the
// guard for a batch that writes its rows set-wise, where the one-by-one path writes them a
// row at a time. Every row of every table is compared once generated ids and times, which
// differ from run to run, are masked. Some organisations have a webhook endpoint, so that
// the events' deliveries are compared too.
test('renewals settled as a batch and one by one leave the same rows', async () => {
  const N = 150; // two batches: 128, then 22
  const hook = await webhookReceiver();
  const runWith = async (env) => {
    const srv = await startServer({ args: ['--no-jobs', '--test-clock'] });
    const op = await operatorClock(srv);
    try {
      seedDueSubscriptions(srv, N, '2027-06-22', 'same');
      const endpoints = [0, 1, 2, 70, 140].map((i) => `INSERT INTO webhook_endpoints (id, partner_id, url, events, secret, created_at) VALUES ('whe_same${i}', 'ptn_same${i}', '${hook.url}', ',subscription.renewed,', 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', 0);`);
      const more = [
        // a second endpoint of one organisation, one that wants every event, one deleted
        `INSERT INTO webhook_endpoints (id, partner_id, url, events, secret, created_at) VALUES ('whe_same0b', 'ptn_same0', '${hook.url}', '*', 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', 0);`,
        `INSERT INTO webhook_endpoints (id, partner_id, url, events, secret, created_at, deleted_at) VALUES ('whe_same3', 'ptn_same3', '${hook.url}', '*', 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', 0, 1);`,
        // billing contacts: a second one, an admin with both roles (one email), a removed one
        "INSERT INTO users (id, kind, partner_id, email, name, locale, status, created_at) VALUES ('usr_same0b', 'partner', 'ptn_same0', 'billing0@seed.example', 'Billing', 'en', 'active', 0);",
        "INSERT INTO user_roles (user_id, role) VALUES ('usr_same0b', 'billing_admin'), ('usr_same0', 'billing_admin');",
        "INSERT INTO users (id, kind, partner_id, email, name, locale, status, created_at) VALUES ('usr_same1b', 'partner', 'ptn_same1', 'gone1@seed.example', 'Gone', 'fr', 'removed', 0);",
        "INSERT INTO user_roles (user_id, role) VALUES ('usr_same1b', 'billing_admin');",
      ];
      sqlScript(srv.db.url, ['BEGIN;', ...endpoints, ...more, 'COMMIT;'].join('\n'));
      await op.setClock('2027-06-23T06:00:00Z');
      // one worker: on PostgreSQL two would number the invoices in an order of their own
      const run = await jobsProcess(srv, { env, args: ['--workers', '1'] });
      assert.equal(run.code, 0, run.stderr);
      await op.setClock(null);
      // a month's totals are kept in shards picked at random: their sums are compared
      const totals = sql(srv.db.url, 'SELECT month, currency, SUM(amount_minor), SUM(invoices) FROM invoice_month_totals GROUP BY 1, 2 ORDER BY 1, 2');
      return { run, totals, dump: masked(rowsOf(srv.db.url)) };
    } finally {
      await srv.stop();
    }
  };
  try {
    const batch = await runWith({});
    const alone = await runWith({ PARTNERD_FAULT_FAIL: 'renewal.settle_batch=1000' });
    assert.match(alone.run.stderr, /PARTNERD_FAULT_FAIL is set/);
    const undone = [...alone.run.stderr.matchAll(/card_settle batch of (\d+) undone, settled one by one/g)].map((m) => Number(m[1]));
    assert.equal(undone.reduce((a, b) => a + b, 0), N, 'every batch settled one by one');
    assert.doesNotMatch(batch.run.stderr, /undone/);
    const only = (a, b) => a.filter((line) => !b.includes(line));
    assert.deepEqual({ batch: only(batch.dump, alone.dump), alone: only(alone.dump, batch.dump) }, { batch: [], alone: [] });
    assert.equal(batch.totals, alone.totals);
    const count = (re) => batch.dump.filter((line) => re.test(line)).length;
    assert.equal(count(/^INSERT INTO (public\.)?invoices VALUES/), N, 'the dumps hold the renewals');
    assert.equal(count(/^INSERT INTO (public\.)?webhook_deliveries VALUES/), 6, 'and their webhooks');
    assert.equal(count(/^INSERT INTO (public\.)?email_deliveries VALUES.*'(billing0|same0)@seed\.example'/), 2, 'and their emails');
  } finally {
    hook.close();
  }
});

/** Every row of a database, an INSERT a line (SQLite's .dump, pg_dump's --inserts). */
function rowsOf(url) {
  const [cmd, args] = url.startsWith('sqlite:') ? ['sqlite3', [...SQLITE3_WAIT, url.slice(7), '.dump']] : ['pg_dump', ['--data-only', '--inserts', url]];
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
}

/** A database dump's lines, sorted, with what differs between two runs of the same renewals
 *  masked: generated ids (prefix_ and 20 characters), times (seconds, ms or us since 1970), a webhook's time taken;
 *  without the test's own staff, their sessions and settings, nor the month totals' shards. */
function masked(dump) {
  const own = /@staff\.example|^INSERT INTO (public\.)?(api_tokens|sessions|invoice_month_totals) |'mail\.dir'|^\\(un)?restrict /; // (pg_dump's own keys too)
  return dump
    .split('\n')
    .filter((line) => !own.test(line))
    .map((line) => line.replace(/\b[a-z]{2,8}_[0-9a-hjkmnp-tv-z]{20}\b/g, 'ID').replace(/\b1[789]\d{8}(\d{3}){0,2}\b/g, 'T'))
    .map((line) => (/^INSERT INTO (public\.)?webhook_attempts /.test(line) ? line.replace(/, ?\d+\);$/, ',MS);') : line)) // its time taken
    .sort();
}
