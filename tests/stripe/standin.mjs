// standin.mjs - a local stand-in for Stripe's API, for tests (there is no internet here).
//
// It speaks the part of Stripe's documented protocol partnerd uses: form-encoded bodies with
// bracket notation (metadata[k]=v, a[]=x), `Authorization: Bearer <secret key>` (401
// otherwise), `Idempotency-Key` replays (same key and parameters: the first answer again,
// with `Idempotent-Replayed: true`; other parameters: 400 idempotency_error), and the
// objects of ../shared/reference/stripe/fixtures3.json (customer, payment_method,
// payment_intent, setup_intent, refund, event) with their statuses. Routes: customers,
// payment_methods (create, retrieve, attach), payment_intents (create, confirm, cancel,
// retrieve, search on metadata), setup_intents (create, retrieve), refunds (create, retrieve).
//
// Test payment methods (Stripe's own test ids and card numbers):
//   pm_card_visa                           4242424242424242  succeeds
//   pm_card_chargeDeclined                 4000000000000002  card_declined
//   pm_card_chargeDeclinedInsufficientFunds 4000000000009995 insufficient_funds
//   pm_card_authenticationRequired         4000002760003184  always asks for 3-D Secure
//                                          (off session: authentication_required)
//   pm_card_authenticationRequiredOnSetup  4000002500003155  asks on session; once set up
//                                          (SetupIntent or a payment saving it) off-session
//                                          charges succeed
// A challenge is the page /_standin/3ds/<intent id>: « Complete » or « Fail »; its answer
// POSTs the signed event to the webhook URL and only then redirects to return_url (an event
// that arrives before the payer is back).
//
// Test controls (no key needed), JSON bodies:
//   POST /_test/fail   {mode, count?, method?, path?}   the next matching /v1 requests fail:
//        "429" (nothing done), "500" (nothing done), "500_after" (done, the answer is a 500,
//        replays give the same 500, as Stripe does), "hang" (done, never answered)
//   POST /_test/config {webhook_url?, webhook_secret?, duplicate_events?, events_first?,
//     latency_ms?} (events_first: a confirmation's or a cancellation's event is delivered
//     before its answer is sent, the order a loaded network may give them; latency_ms: each
//     /v1 request is answered that long after it came, as a distant API is; handshake_ms:
//     the first /v1 request of a connection waits that much more, as TCP and TLS to a
//     distant API cost)
//   GET  /_test/load     {in_flight, max_in_flight, connections}: /v1 requests being
//     answered now, the most at once since the start or the last POST /_test/load (which
//     starts it again), and the connections that carried a /v1 request since the start
//   state.beforeEvent (imported only): an async function (type, object) awaited before each
//     event is sent, so a test may act between an operation and its event (move partnerd's
//     business clock, say)
//   GET  /_test/ledger   {charges:[...], refunds:[...]}: what really happened
//   GET  /_test/requests every /v1 request: method, path, idempotency_key, stripe_version
//   GET  /_test/events   every event sent, with the status of each delivery
//
// Run: node tests/stripe/standin.mjs [--port 0] [--key sk_test_...] [--webhook-url URL]
//      [--webhook-secret whsec_...]; it prints {"port":N} on its first line of output.
// Or import { startStandin } and await startStandin({ key, ... }).
import { createServer } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  BEHAVIOURS, NUMBERS, now, newId, decodeForm, stripeError, customerObject, pmObject, intentObject, pub,
} from './objects.mjs';

export { decodeForm };

export async function startStandin({
  port = 0,
  key = 'sk_test_standin',
  webhookUrl = '',
  webhookSecret = 'whsec_standin',
} = {}) {
  const st = {
    customers: new Map(), pms: new Map(), pis: new Map(), setis: new Map(), refunds: new Map(),
    idem: new Map(), charges: [], refundLedger: [], requests: [], events: [], failures: [],
    hanging: new Set(), eventsFirst: [],
    config: { webhook_url: webhookUrl, webhook_secret: webhookSecret, duplicate_events: false, events_first: false, latency_ms: 0 },
    load: { in_flight: 0, max_in_flight: 0, connections: 0 },
  };
  let base = '';

  /** The payment method a request names: a magic test id makes a fresh one, as Stripe does. */
  function resolvePm(id) {
    if (!id) return null;
    if (BEHAVIOURS[id]) {
      const pm = pmObject(newId('pm'), id);
      st.pms.set(pm.id, pm);
      return pm;
    }
    return st.pms.get(id) || null;
  }
  function intentView(pi) {
    const o = pub(pi);
    return o;
  }

  // ---- events ----
  async function sendEvent(type, object, requestKey = null) {
    if (st.beforeEvent) await st.beforeEvent(type, object);
    const event = {
      id: newId('evt'), object: 'event', api_version: '2024-06-20', created: now(),
      data: { object: pub(object) }, livemode: false, pending_webhooks: 1,
      request: { id: newId('req'), idempotency_key: requestKey }, type,
    };
    const record = { event, deliveries: [] };
    st.events.push(record);
    const url = st.config.webhook_url;
    if (!url) return;
    const body = JSON.stringify(event);
    const times = st.config.duplicate_events ? 2 : 1;
    for (let i = 0; i < times; i++) {
      const t = now();
      const sig = createHmac('sha256', st.config.webhook_secret).update(`${t}.${body}`).digest('hex');
      try {
        const r = await fetch(url, {
          method: 'POST', body, signal: AbortSignal.timeout(5000),
          headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': `t=${t},v1=${sig}` },
        });
        record.deliveries.push(r.status);
      } catch (e) {
        record.deliveries.push(String(e.message || e));
      }
    }
  }

  // ---- payments ----
  function charge(pi, pm) {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.latest_charge = newId('ch');
    pi.next_action = null;
    pi.last_payment_error = null;
    st.charges.push({
      id: pi.latest_charge, payment_intent: pi.id, amount: pi.amount, currency: pi.currency,
      customer: pi.customer, payment_method: pm.id, off_session: pi._off_session, refunded: 0,
      partnerd_key: pi.metadata?.partnerd_key ?? null,
    });
    if (pi.setup_future_usage && pi.customer) {
      pm.customer = pi.customer;
      pm._setup = true;
    }
  }
  function fail(pi, code, declineCode) {
    pi.status = 'requires_payment_method';
    pi.next_action = null;
    const pm = st.pms.get(pi.payment_method);
    pi.last_payment_error = {
      type: 'card_error', code, decline_code: declineCode ?? undefined,
      message: code === 'authentication_required'
        ? 'Your card was declined. This transaction requires authentication.'
        : 'Your card was declined.',
      payment_method: pm ? pub(pm) : null,
    };
    if (!declineCode) delete pi.last_payment_error.decline_code;
  }
  function askChallenge(o, kind) {
    o.status = 'requires_action';
    o.next_action = {
      type: 'redirect_to_url',
      redirect_to_url: { return_url: o._return_url, url: `${base}/_standin/3ds/${o.id}` },
    };
    void kind;
  }
  /** Confirms a PaymentIntent: the answer (status, body) and the event it sends. */
  function confirmIntent(pi, idemKey) {
    const pm = st.pms.get(pi.payment_method);
    if (!pm) return stripeError(400, 'invalid_request_error', 'You cannot confirm this PaymentIntent because it\'s missing a payment method.', { code: 'payment_intent_unexpected_state' });
    if (!pi._off_session && !pi._return_url)
      return stripeError(400, 'invalid_request_error', 'A return_url must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed.', { param: 'return_url' });
    const behaviour = BEHAVIOURS[pm._magic][0];
    const needsAuth = behaviour === 'auth_always' || (behaviour === 'auth_until_setup' && !(pi._off_session && pm._setup));
    let event;
    if (behaviour === 'declined' || behaviour === 'insufficient_funds') {
      fail(pi, 'card_declined', behaviour === 'declined' ? 'generic_decline' : 'insufficient_funds');
      event = 'payment_intent.payment_failed';
    } else if (needsAuth && pi._off_session) {
      fail(pi, 'authentication_required', 'authentication_required');
      event = 'payment_intent.payment_failed';
    } else if (needsAuth) {
      askChallenge(pi, 'payment');
      event = 'payment_intent.requires_action';
    } else {
      charge(pi, pm);
      event = 'payment_intent.succeeded';
    }
    if (st.config.events_first) st.eventsFirst.push(sendEvent(event, pi, idemKey));
    else queueMicrotask(() => sendEvent(event, pi, idemKey));
    if (pi.status === 'requires_payment_method') {
      const e = pi.last_payment_error;
      return stripeError(402, 'card_error', e.message, {
        code: e.code, decline_code: e.decline_code, payment_intent: intentView(pi),
        payment_method: e.payment_method, doc_url: `https://stripe.com/docs/error-codes/${e.code}`,
      });
    }
    return { status: 200, body: intentView(pi) };
  }

  function required(p, names) {
    for (const n of names)
      if (p[n] === undefined || p[n] === '')
        return stripeError(400, 'invalid_request_error', `Missing required param: ${n}.`, { code: 'parameter_missing', param: n });
    return null;
  }
  const missing = (what, id, param) =>
    stripeError(param ? 400 : 404, 'invalid_request_error', `No such ${what}: '${id}'`, { code: 'resource_missing', param });

  function attachIntentFields(o, p) {
    if (p.customer) {
      const c = st.customers.get(p.customer);
      if (!c) return missing('customer', p.customer, 'customer');
      o.customer = c.id;
    }
    if (p.payment_method) {
      const pm = resolvePm(p.payment_method);
      if (!pm) return missing('PaymentMethod', p.payment_method, 'payment_method');
      o.payment_method = pm.id;
    }
    if (p.return_url) o._return_url = p.return_url;
    if (p.off_session === 'true') o._off_session = true;
    return null;
  }

  // ---- routes of /v1 ----
  function route(method, path, p, idemKey, query) {
    let m;
    if (method === 'POST' && path === '/v1/customers') {
      const c = customerObject(newId('cus'), p);
      st.customers.set(c.id, c);
      return { status: 200, body: c };
    }
    if (method === 'GET' && (m = /^\/v1\/customers\/([\w]+)$/.exec(path))) {
      const c = st.customers.get(m[1]);
      return c ? { status: 200, body: c } : missing('customer', m[1]);
    }
    if (method === 'POST' && path === '/v1/payment_methods') {
      const number = String(p.card?.number ?? '').replace(/\s/g, '');
      const magic = NUMBERS[number] ?? (p.type === 'card' && /^\d{12,19}$/.test(number) ? null : undefined);
      if (!magic) return stripeError(402, 'card_error', 'Your card number is incorrect.', { code: 'incorrect_number', param: 'card[number]' });
      const pm = pmObject(newId('pm'), magic, [Number(p.card.exp_month), Number(p.card.exp_year)]);
      st.pms.set(pm.id, pm);
      return { status: 200, body: pub(pm) };
    }
    if (method === 'GET' && (m = /^\/v1\/payment_methods\/([\w]+)$/.exec(path))) {
      const pm = st.pms.get(m[1]) ?? (BEHAVIOURS[m[1]] ? pmObject(m[1], m[1]) : null);
      return pm ? { status: 200, body: pub(pm) } : missing('PaymentMethod', m[1]);
    }
    if (method === 'POST' && (m = /^\/v1\/payment_methods\/([\w]+)\/attach$/.exec(path))) {
      const pm = st.pms.get(m[1]);
      if (!pm) return missing('PaymentMethod', m[1]);
      if (!st.customers.get(p.customer)) return missing('customer', p.customer, 'customer');
      pm.customer = p.customer;
      return { status: 200, body: pub(pm) };
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      const bad = required(p, ['amount', 'currency']);
      if (bad) return bad;
      if (!/^\d+$/.test(p.amount) || Number(p.amount) < 1)
        return stripeError(400, 'invalid_request_error', 'Invalid integer: ' + p.amount, { param: 'amount' });
      if (p.off_session === 'true' && p.confirm !== 'true')
        return stripeError(400, 'invalid_request_error', 'You may only specify `off_session` when confirming.', { param: 'off_session' });
      const pi = intentObject(p, null);
      const bad2 = attachIntentFields(pi, p);
      if (bad2) return bad2;
      pi.client_secret = `${pi.id}_secret_${randomBytes(12).toString('hex')}`;
      st.pis.set(pi.id, pi);
      if (p.confirm === 'true') return confirmIntent(pi, idemKey);
      return { status: 200, body: intentView(pi) };
    }
    if (method === 'GET' && path === '/v1/payment_intents/search') {
      const q = query.get('query') ?? '';
      const mm = /^metadata\[(['"])(.+?)\1\]:(['"])((?:\\.|[^\\])*?)\3$/.exec(q.trim());
      if (!mm) return stripeError(400, 'invalid_request_error', `Invalid search query: ${q}`, { param: 'query' });
      const want = mm[4].replace(/\\(.)/g, '$1');
      const data = [...st.pis.values()].filter((pi) => pi.metadata?.[mm[2]] === want).map(intentView);
      return { status: 200, body: { object: 'search_result', data, has_more: false, next_page: null, url: '/v1/payment_intents/search' } };
    }
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([\w]+)\/cancel$/.exec(path))) {
      const pi = st.pis.get(m[1]);
      if (!pi) return missing('payment_intent', m[1]);
      if (['succeeded', 'canceled', 'processing'].includes(pi.status))
        return stripeError(400, 'invalid_request_error', `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`, { code: 'payment_intent_unexpected_state', payment_intent: intentView(pi) });
      const why = p.cancellation_reason ?? null; // Stripe's documented values, or none
      if (why !== null && !['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'].includes(why))
        return stripeError(400, 'invalid_request_error', `Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned`, { param: 'cancellation_reason' });
      pi.status = 'canceled';
      pi.canceled_at = now();
      pi.cancellation_reason = why;
      pi.next_action = null;
      if (st.config.events_first) st.eventsFirst.push(sendEvent('payment_intent.canceled', pi, idemKey));
      else queueMicrotask(() => sendEvent('payment_intent.canceled', pi, idemKey));
      return { status: 200, body: intentView(pi) };
    }
    if ((m = /^\/v1\/payment_intents\/([\w]+)(\/confirm)?$/.exec(path))) {
      const pi = st.pis.get(m[1]);
      if (!pi) return missing('payment_intent', m[1]);
      if (method === 'GET' && !m[2]) return { status: 200, body: intentView(pi) };
      if (method === 'POST' && m[2]) {
        if (!['requires_payment_method', 'requires_confirmation'].includes(pi.status))
          return stripeError(400, 'invalid_request_error', `This PaymentIntent's status is ${pi.status}.`, { code: 'payment_intent_unexpected_state', payment_intent: intentView(pi) });
        const bad = attachIntentFields(pi, p);
        if (bad) return bad;
        if (p.off_session !== 'true') pi._off_session = false;
        return confirmIntent(pi, idemKey);
      }
    }
    if (method === 'POST' && path === '/v1/setup_intents') {
      const si = {
        id: newId('seti'), object: 'setup_intent', application: null, automatic_payment_methods: null,
        cancellation_reason: null, client_secret: null, created: now(), customer: null, description: null,
        flow_directions: null, last_setup_error: null, latest_attempt: null, livemode: false, mandate: null,
        metadata: p.metadata ?? {}, next_action: null, on_behalf_of: null, payment_method: null,
        payment_method_configuration_details: null, payment_method_options: {}, payment_method_types: ['card'],
        single_use_mandate: null, status: 'requires_payment_method', usage: p.usage ?? 'off_session',
        excluded_payment_method_types: null,
        _return_url: p.return_url ?? null,
      };
      si.client_secret = `${si.id}_secret_${randomBytes(12).toString('hex')}`;
      const bad = attachIntentFields(si, p);
      if (bad) return bad;
      st.setis.set(si.id, si);
      if (p.confirm !== 'true') return { status: 200, body: pub(si) };
      const pm = st.pms.get(si.payment_method);
      if (!pm) return stripeError(400, 'invalid_request_error', 'Missing required param: payment_method.', { param: 'payment_method' });
      const behaviour = BEHAVIOURS[pm._magic][0];
      let event;
      if (behaviour === 'declined' || behaviour === 'insufficient_funds') {
        si.status = 'requires_payment_method';
        si.last_setup_error = { type: 'card_error', code: 'card_declined', decline_code: behaviour === 'declined' ? 'generic_decline' : 'insufficient_funds', message: 'Your card was declined.' };
        event = 'setup_intent.setup_failed';
      } else if (behaviour === 'auth_always' || behaviour === 'auth_until_setup') {
        askChallenge(si, 'setup');
        event = 'setup_intent.requires_action';
      } else {
        si.status = 'succeeded';
        pm.customer = si.customer;
        pm._setup = true;
        event = 'setup_intent.succeeded';
      }
      queueMicrotask(() => sendEvent(event, si, idemKey));
      if (si.status === 'requires_payment_method')
        return stripeError(402, 'card_error', si.last_setup_error.message, { ...si.last_setup_error, setup_intent: pub(si) });
      return { status: 200, body: pub(si) };
    }
    if (method === 'GET' && (m = /^\/v1\/setup_intents\/([\w]+)$/.exec(path))) {
      const si = st.setis.get(m[1]);
      return si ? { status: 200, body: pub(si) } : missing('setup_intent', m[1]);
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const bad = required(p, ['payment_intent']);
      if (bad) return bad;
      const pi = st.pis.get(p.payment_intent);
      if (!pi) return missing('payment_intent', p.payment_intent, 'payment_intent');
      const ch = st.charges.find((c) => c.payment_intent === pi.id);
      if (!ch) return stripeError(400, 'invalid_request_error', `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { code: 'charge_not_refundable' });
      const left = ch.amount - ch.refunded;
      if (left === 0) return stripeError(400, 'invalid_request_error', `Charge ${ch.id} has already been refunded.`, { code: 'charge_already_refunded' });
      const amount = p.amount === undefined ? left : Number(p.amount);
      if (!(amount > 0) || amount > left)
        return stripeError(400, 'invalid_request_error', `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`, { code: 'amount_too_large', param: 'amount' });
      ch.refunded += amount;
      const re = {
        id: newId('re'), object: 'refund', amount, balance_transaction: newId('txn'), charge: ch.id, created: now(),
        currency: pi.currency, destination_details: { card: { type: 'refund' }, type: 'card' }, metadata: p.metadata ?? {},
        payment_intent: pi.id, reason: p.reason ?? null, receipt_number: null, source_transfer_reversal: null,
        status: 'succeeded', transfer_reversal: null, customer: pi.customer, customer_account: null,
        payment_method: pi.payment_method,
      };
      st.refunds.set(re.id, re);
      st.refundLedger.push({ id: re.id, charge: ch.id, payment_intent: pi.id, amount, partnerd_key: re.metadata.partnerd_key ?? null });
      queueMicrotask(() => sendEvent('charge.refunded', { id: ch.id, object: 'charge', payment_intent: pi.id, amount_refunded: ch.refunded }, idemKey));
      return { status: 200, body: re };
    }
    if (method === 'GET' && (m = /^\/v1\/refunds\/([\w]+)$/.exec(path))) {
      const re = st.refunds.get(m[1]);
      return re ? { status: 200, body: re } : missing('refund', m[1]);
    }
    return stripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
  }

  // ---- the 3-D Secure page ----
  async function challenge(req, res, id, url) {
    const o = st.pis.get(id) ?? st.setis.get(id);
    if (!o || o.status !== 'requires_action') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('no authentication is pending for this intent');
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const amount = o.object === 'payment_intent' ? `${(o.amount / 100).toFixed(2)} ${o.currency.toUpperCase()}` : 'card setup';
      return res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>3D Secure test page</title></head>
<body><h1>3D Secure 2 test page</h1><p>${amount}</p>
<form method="post"><button name="result" value="complete">Complete</button>
<button name="result" value="fail">Fail</button></form></body></html>`);
    }
    const body = decodeForm(await readBody(req));
    const ok = (body.result ?? url.searchParams.get('result')) === 'complete';
    const pm = st.pms.get(o.payment_method);
    let event;
    if (o.object === 'payment_intent') {
      if (ok) charge(o, pm);
      else fail(o, 'payment_intent_authentication_failure');
      if (ok && BEHAVIOURS[pm._magic][0] === 'auth_until_setup' && o.setup_future_usage) pm._setup = true;
      event = ok ? 'payment_intent.succeeded' : 'payment_intent.payment_failed';
    } else {
      if (ok) {
        o.status = 'succeeded';
        o.next_action = null;
        pm.customer = o.customer;
        pm._setup = true;
      } else {
        o.status = 'requires_payment_method';
        o.next_action = null;
        o.last_setup_error = { type: 'card_error', code: 'setup_intent_authentication_failure', message: 'The latest attempt to set up the payment method has failed because authentication failed.' };
      }
      event = ok ? 'setup_intent.succeeded' : 'setup_intent.setup_failed';
    }
    await sendEvent(event, o); // before the payer is back
    const back = new URL(o._return_url);
    const name = o.object === 'payment_intent' ? 'payment_intent' : 'setup_intent';
    back.searchParams.set(name, o.id);
    back.searchParams.set(`${name}_client_secret`, o.client_secret);
    back.searchParams.set('redirect_status', ok ? 'succeeded' : 'failed');
    res.writeHead(303, { location: back.toString() });
    res.end();
  }

  function readBody(req) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      req.on('data', (c) => {
        size += c.length;
        if (size > 1 << 20) reject(new Error('body too large'));
        else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  function send(res, status, body, headers = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...headers });
    res.end(text);
  }

  function takeFailure(method, path) {
    const i = st.failures.findIndex((f) => (!f.method || f.method === method) && path.startsWith(f.path ?? '/v1/'));
    if (i < 0) return null;
    const f = st.failures[i];
    if (--f.count <= 0) st.failures.splice(i, 1);
    return f.mode;
  }

  async function api(req, res, url) {
    const raw = await readBody(req);
    const idemKey = req.headers['idempotency-key'] ?? null;
    st.requests.push({
      method: req.method, path: url.pathname, idempotency_key: idemKey,
      stripe_version: req.headers['stripe-version'] ?? null, content_type: req.headers['content-type'] ?? null,
    });
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${key}`)
      return send(res, 401, { error: { type: 'invalid_request_error', message: auth ? 'Invalid API Key provided.' : 'You did not provide an API key.' } });
    if (req.method === 'POST' && raw && !/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? ''))
      return send(res, 400, { error: { type: 'invalid_request_error', message: 'Invalid request: the body must be form-encoded.' } });
    let params;
    try {
      params = decodeForm(raw);
    } catch (e) {
      return send(res, 400, { error: { type: 'invalid_request_error', message: e.message, param: e.param } });
    }
    const mode = takeFailure(req.method, url.pathname);
    if (mode === '429')
      return send(res, 429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' } }, { 'stripe-should-retry': 'true' });
    if (mode === '500')
      return send(res, 500, { error: { type: 'api_error', message: 'An unknown error occurred' } });
    const idemSlot = req.method === 'POST' && idemKey ? `${key} ${idemKey}` : null;
    const fingerprint = JSON.stringify([req.method, url.pathname, params]);
    if (idemSlot && st.idem.has(idemSlot)) {
      const saved = st.idem.get(idemSlot);
      if (saved.fingerprint !== fingerprint)
        return send(res, 400, { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.` } });
      return send(res, saved.status, saved.body, { 'idempotent-replayed': 'true' });
    }
    let answer = route(req.method, url.pathname, params, idemKey, url.searchParams);
    await Promise.all(st.eventsFirst.splice(0)); // events_first: delivered, then answered
    answer = { status: answer.status, body: JSON.parse(JSON.stringify(answer.body)) };
    if (mode === '500_after') answer = { status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred' } } };
    if (idemSlot && answer.status !== 400 && answer.status !== 401 && answer.status !== 429)
      st.idem.set(idemSlot, { fingerprint, ...answer });
    if (mode === 'hang') {
      st.hanging.add(res);
      return; // done, and never answered
    }
    send(res, answer.status, answer.body, idemSlot ? { 'idempotency-key': idemKey } : {});
  }

  /** A /v1 request, counted while it is answered, latency_ms late. */
  async function distant(req, res, url) {
    const load = st.load;
    load.in_flight++;
    load.max_in_flight = Math.max(load.max_in_flight, load.in_flight);
    try {
      if (!req.socket.carriedV1) {
        req.socket.carriedV1 = true;
        load.connections++;
        if (st.config.handshake_ms > 0) await new Promise((ok) => setTimeout(ok, st.config.handshake_ms));
      }
      if (st.config.latency_ms > 0) await new Promise((ok) => setTimeout(ok, st.config.latency_ms));
      await api(req, res, url);
    } finally {
      load.in_flight--;
    }
  }

  async function control(req, res, url) {
    const raw = await readBody(req);
    const body = raw ? JSON.parse(raw) : {};
    if (req.method === 'POST' && url.pathname === '/_test/fail') {
      st.failures.push({ mode: String(body.mode), count: body.count ?? 1, method: body.method, path: body.path });
      return send(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/_test/config') {
      for (const k of ['webhook_url', 'webhook_secret', 'duplicate_events', 'events_first', 'latency_ms', 'handshake_ms']) if (k in body) st.config[k] = body[k];
      return send(res, 200, st.config);
    }
    if (url.pathname === '/_test/load') {
      if (req.method === 'POST') st.load.max_in_flight = st.load.in_flight;
      return send(res, 200, st.load);
    }
    if (url.pathname === '/_test/ledger') return send(res, 200, { charges: st.charges, refunds: st.refundLedger });
    if (url.pathname === '/_test/requests') return send(res, 200, st.requests);
    if (url.pathname === '/_test/events') return send(res, 200, st.events.map((r) => ({ ...r.event, deliveries: r.deliveries })));
    send(res, 404, { error: 'unknown control' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://standin');
    let work;
    if (url.pathname.startsWith('/v1/')) work = distant(req, res, url);
    else if (url.pathname.startsWith('/_test/')) work = control(req, res, url);
    else if (url.pathname.startsWith('/_standin/3ds/')) work = challenge(req, res, url.pathname.slice(14), url);
    else {
      res.writeHead(404);
      return res.end();
    }
    work.catch((e) => {
      if (!res.headersSent) send(res, 500, { error: { type: 'api_error', message: String(e.message || e) } });
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: base,
    port: server.address().port,
    state: st,
    close: () => new Promise((resolve) => {
      for (const res of st.hanging) res.destroy();
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const s = await startStandin({
    port: Number(arg('--port', 0)), key: arg('--key', 'sk_test_standin'),
    webhookUrl: arg('--webhook-url', ''), webhookSecret: arg('--webhook-secret', 'whsec_standin'),
  });
  process.stdout.write(JSON.stringify({ port: s.port, url: s.url }) + '\n');
  process.on('SIGTERM', async () => {
    await s.close();
    process.exit(0);
  });
}
