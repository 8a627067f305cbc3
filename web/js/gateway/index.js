// gateway/index.js - the card fields of the gateway partnerd runs with: the test gateway's
// module (gateway/test.js) or Stripe's Card Element (gateway/stripe.js). Which one, and
// Stripe's publishable key, the API says (GET /api/v1/payment-gateway, asked once).
import { h, mount } from '../dom.js';
import { get } from '../api.js';
import { cardElement as testCardElement } from './test.js';
import { stripeCardElement } from './stripe.js';

let known = null; // the answer, once in
let asking = null;

function gateway() {
  if (known) return Promise.resolve(known);
  asking ||= get('/api/v1/payment-gateway').then((g) => (known = g)).finally(() => (asking = null));
  return asking;
}

function elementOf(g) {
  return g.name === 'stripe' ? stripeCardElement(g.publishable_key) : testCardElement();
}

/** The card fields {node, tokenize()} (tokenize: {id, brand, last4, exp_month, exp_year}). */
export function cardElement() {
  if (known) return elementOf(known);
  const node = h('div', { class: 'stack card-element' });
  const ready = gateway().then((g) => {
    const el = elementOf(g);
    mount(node, el.node);
    return el;
  });
  ready.catch(() => {});
  return { node, tokenize: async () => (await ready).tokenize() };
}

gateway().catch(() => {}); // asked early: the form is drawn with its fields at once
