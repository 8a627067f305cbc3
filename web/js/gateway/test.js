// gateway/test.js - the test gateway's hosted card fields: what a real gateway's own script
// gives the page (Stripe Elements and the like). The card is typed here and handed to the
// gateway (for the test gateway, partnerd's stand-in at /test-gateway/v1/tokens, apart from
// the API, served in test mode only), which answers a payment method: partnerd's API gets
// that id and nothing else of the card.
import { h, field } from '../dom.js';
import { t, lang } from '../i18n.js';

const TOKENS = '/test-gateway/v1/tokens';

/** The card fields and tokenize(): {id, brand, last4, exp_month, exp_year}, or throws
 * {message, code, details: {fields: {"card.number": ...}}} as the API's errors do. */
export function cardElement() {
  const now = new Date().getFullYear();
  const months = Array.from({ length: 12 }, (_, i) => [String(i + 1), String(i + 1).padStart(2, '0')]);
  const years = Array.from({ length: 16 }, (_, i) => [String(now + i), String(now + i)]);
  const node = h('div', { class: 'stack card-element', 'data-gateway': 'test' },
    field({ label: t('card_number'), name: 'card.number', required: true, autocomplete: 'cc-number', attrs: { inputmode: 'numeric' } }),
    h('div', { class: 'row' },
      field({ label: t('card_exp_month'), name: 'card.exp_month', type: 'select', required: true, options: months, autocomplete: 'cc-exp-month' }),
      field({ label: t('card_exp_year'), name: 'card.exp_year', type: 'select', required: true, options: years, autocomplete: 'cc-exp-year' }),
      field({ label: t('card_cvc'), name: 'card.cvc', required: true, autocomplete: 'cc-csc', attrs: { inputmode: 'numeric', maxlength: '4' } })),
    field({ label: t('card_holder'), name: 'card.holder', required: true, autocomplete: 'cc-name' }));
  const input = (name) => node.querySelector(`[name="${name}"]`);

  async function tokenize() {
    const card = {
      number: input('card.number').value,
      exp_month: Number(input('card.exp_month').value),
      exp_year: Number(input('card.exp_year').value),
      cvc: input('card.cvc').value,
      holder: input('card.holder').value,
    };
    const r = await fetch(TOKENS, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Accept-Language': lang() },
      body: JSON.stringify({ card }),
      credentials: 'omit', // the gateway is not partnerd: no session goes with the card
    });
    const body = await r.json().catch(() => null);
    if (!r.ok) {
      const e = body?.error || {};
      throw Object.assign(new Error(e.message || `HTTP ${r.status}`), { code: e.code || 'http_error', details: e.details || {} });
    }
    // once the gateway has it, the page forgets the number and the code
    input('card.number').value = '';
    input('card.cvc').value = '';
    return body;
  }
  return { node, tokenize };
}
