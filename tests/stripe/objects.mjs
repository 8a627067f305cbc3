// objects.mjs - what the Stripe stand-in (standin.mjs) is made of: Stripe's test payment
// methods, ids, form decoding, errors, and the objects in the shapes of Stripe's published
// fixtures (../shared/reference/stripe/fixtures3.json; tests/stripe/shapes.json lists their
// fields and tests/e2e/stripe_standin.test.mjs holds the stand-in to them).
import { randomBytes } from 'node:crypto';

export const BEHAVIOURS = {
  pm_card_visa: ['succeeds', 'visa', '4242'],
  pm_card_mastercard: ['succeeds', 'mastercard', '4444'],
  pm_card_chargeDeclined: ['declined', 'visa', '0002'],
  pm_card_chargeDeclinedInsufficientFunds: ['insufficient_funds', 'visa', '9995'],
  pm_card_authenticationRequired: ['auth_always', 'visa', '3184'],
  pm_card_authenticationRequiredOnSetup: ['auth_until_setup', 'visa', '3155'],
};
export const NUMBERS = {
  '4242424242424242': 'pm_card_visa',
  '5555555555554444': 'pm_card_mastercard',
  '4000000000000002': 'pm_card_chargeDeclined',
  '4000000000009995': 'pm_card_chargeDeclinedInsufficientFunds',
  '4000002760003184': 'pm_card_authenticationRequired',
  '4000002500003155': 'pm_card_authenticationRequiredOnSetup',
};

export const now = () => Math.floor(Date.now() / 1000);
export const newId = (prefix) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

/** Decodes a form body into nested objects: a[b][c]=1, a[]=x, a[0]=y. */
export function decodeForm(text) {
  const out = {};
  if (!text) return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const dec = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
    const name = dec(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : dec(pair.slice(eq + 1));
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
    if (!m) throw Object.assign(new Error(`Invalid parameter name: ${name}`), { param: name });
    const path = [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1])];
    let node = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i] === '' ? (Array.isArray(node) ? node.length : Object.keys(node).length) : path[i];
      if (node[k] === undefined) node[k] = path[i + 1] === '' || /^\d+$/.test(path[i + 1]) ? [] : {};
      node = node[k];
    }
    const last = path[path.length - 1];
    if (last === '' && Array.isArray(node)) node.push(value);
    else node[last] = value;
  }
  return out;
}

export function stripeError(status, type, message, extra = {}) {
  return { status, body: { error: { type, message, ...extra } } };
}

// ---- objects, in the shapes of fixtures3.json (fields starting with _ are the stand-in's own) ----
export function customerObject(id, p) {
  return {
    id, object: 'customer', address: null, balance: 0, created: now(), currency: null,
    default_source: null, delinquent: false, description: p.description ?? null, discount: null,
    email: p.email ?? null, invoice_prefix: id.slice(4, 11).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false, metadata: p.metadata ?? {}, name: p.name ?? null, next_invoice_sequence: 1,
    phone: null, preferred_locales: [], shipping: null, tax_exempt: 'none', test_clock: null,
  };
}
export function pmObject(id, magic, exp = [12, new Date().getFullYear() + 3]) {
  const [, brand, last4] = BEHAVIOURS[magic];
  return {
    id, object: 'payment_method', allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null },
    card: {
      brand, checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'FR', display_brand: brand, exp_month: exp[0], exp_year: exp[1],
      fingerprint: randomBytes(8).toString('hex'), funding: 'credit', generated_from: null, last4,
      networks: { available: [brand], preferred: null }, regulated_status: null,
      three_d_secure_usage: { supported: true }, wallet: null,
    },
    created: now(), customer: null, customer_account: null, livemode: false, metadata: {}, type: 'card',
    _magic: magic, _setup: false,
  };
}

export const pub = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('_')));

export function intentObject(p, customer) {
  return {
    id: newId('pi'), object: 'payment_intent', amount: Number(p.amount), amount_capturable: 0,
    amount_details: { tip: {} }, amount_received: 0, application: null, application_fee_amount: null,
    automatic_payment_methods: null, canceled_at: null, cancellation_reason: null, capture_method: 'automatic',
    client_secret: null, confirmation_method: 'automatic', created: now(), currency: p.currency.toLowerCase(),
    customer: customer ? customer.id : null, description: p.description ?? null, last_payment_error: null,
    latest_charge: null, livemode: false, metadata: p.metadata ?? {}, next_action: null, on_behalf_of: null,
    payment_method: null, payment_method_configuration_details: null, payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: p.payment_method_types ?? ['card'], processing: null, receipt_email: null, review: null,
    setup_future_usage: p.setup_future_usage ?? null, shipping: null, statement_descriptor: null,
    statement_descriptor_suffix: null, status: 'requires_payment_method', transfer_data: null, transfer_group: null,
    source: null, excluded_payment_method_types: null, customer_account: null, managed_payments: { enabled: false },
    _off_session: false, _return_url: null,
  };
}

