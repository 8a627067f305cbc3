// gateway/stripe.js - Stripe's own card fields (Stripe.js, Card Element), used when partnerd
// runs with --gateway stripe. The card is typed in Stripe's iframe and goes to Stripe, which
// answers a PaymentMethod (pm_...): partnerd's API gets that id and nothing else of the card
// (PCI DSS SAQ A). Stripe.js is loaded from https://js.stripe.com/v3 only on this page and
// only with the Stripe gateway: the server's Content-Security-Policy names Stripe's origins
// then, and never with the test gateway.
import { h, newId } from '../dom.js';
import { t, lang } from '../i18n.js';

const STRIPE_JS = 'https://js.stripe.com/v3';
let loading = null;

/** window.Stripe, once Stripe.js is loaded (once for the page). */
function loadStripe() {
  if (window.Stripe) return Promise.resolve(window.Stripe);
  loading ||= new Promise((ok, fail) => {
    const s = document.createElement('script');
    s.src = STRIPE_JS;
    s.addEventListener('load', () => (window.Stripe ? ok(window.Stripe) : fail(new Error(t('card_gateway_unavailable')))));
    s.addEventListener('error', () => {
      loading = null;
      fail(Object.assign(new Error(t('card_gateway_unavailable')), { code: 'gateway_unavailable', details: {} }));
    });
    document.head.append(s);
  });
  return loading;
}

/** The Card Element and tokenize(): {id, brand, last4, exp_month, exp_year}, or throws
 * {message, code, details} as the API's errors do. */
export function stripeCardElement(publishableKey) {
  const id = newId('card');
  const slot = h('div', { id, class: 'stripe-card' });
  const error = h('p', { class: 'field-error', role: 'alert' });
  const node = h('div', { class: 'stack card-element', 'data-gateway': 'stripe' },
    h('label', { for: id }, t('card_label')), slot, error);
  const ready = loadStripe().then((Stripe) => {
    const stripe = Stripe(publishableKey, { locale: lang() });
    const card = stripe.elements({ locale: lang() }).create('card', { hidePostalCode: true });
    card.mount(slot);
    card.on('change', (e) => (error.textContent = e.error ? e.error.message : ''));
    return { stripe, card };
  });
  ready.catch((e) => (error.textContent = e.message));

  async function tokenize() {
    const { stripe, card } = await ready;
    const r = await stripe.createPaymentMethod({ type: 'card', card });
    if (r.error) {
      error.textContent = r.error.message;
      throw Object.assign(new Error(r.error.message), { code: r.error.code || 'card_error', details: {} });
    }
    const c = r.paymentMethod.card;
    return { id: r.paymentMethod.id, brand: c.brand, last4: c.last4, exp_month: c.exp_month, exp_year: c.exp_year };
  }
  return { node, tokenize };
}
