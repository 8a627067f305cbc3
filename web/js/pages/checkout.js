// pages/checkout.js - buying or renewing, as the reference page walks through it:
// payment method -> card details or wire contact -> review the order -> Buy ->
// confirmation -> Close. Nothing is charged before Buy; Buy carries an Idempotency-Key,
// so a double click or a retry never charges twice.
import { h, mount, field, checkbox, radio, values, showErrors, table, newId } from '../dom.js';
import { get, post, items, ApiError } from '../api.js';
import { t, date, rate, ibanText } from '../i18n.js';
import { can } from '../session.js';
import { cardElement } from '../gateway/index.js';

const STEPS = ['step_method', 'step_details', 'step_review', 'step_done'];

function steps(current) {
  const at = STEPS.indexOf(current);
  return h('ol', { class: 'steps', 'aria-label': 'Étapes' },
    STEPS.map((s, i) => h('li', { class: i < at ? 'done' : null, 'aria-current': i === at ? 'step' : null }, t(s))));
}

/** The gateway's card fields (its own script's, in test mode the test gateway's) and the
 * choice to keep the card for renewals. */
function cardFields(element) {
  return [element.node, checkbox({ label: t('card_save'), name: 'save', checked: true })];
}

function wireFields() {
  return [
    field({ label: t('wire_name'), name: 'payment.contact.name', required: true, autocomplete: 'name' }),
    field({ label: t('wire_phone'), name: 'payment.contact.phone', type: 'tel', required: true, autocomplete: 'tel' }),
    field({ label: t('wire_email'), name: 'payment.contact.email', type: 'email', required: true, autocomplete: 'email' }),
  ];
}

/** The order's lines and totals, as the invoice will show them. */
export function orderSummary(o) {
  const foot = [
    [t('subtotal'), o.subtotal.formatted],
    [o.tax_treatment === 'reverse_charge' ? `${t('vat', { rate: rate(0) })} · ${t('reverse_charge')}` : t('vat', { rate: rate(o.tax_rate) }), o.tax.formatted],
    [t('total'), o.total.formatted],
  ];
  const tab = table(
    [{ label: t('line') }, { label: t('quantity'), num: true }, { label: t('unit_price'), num: true }, { label: t('amount'), num: true }],
    o.lines.map((l) => [l.description, String(l.quantity), l.unit_price.formatted, l.amount.formatted]));
  tab.append(h('tfoot', {}, foot.map(([k, v]) => h('tr', {}, h('td', { colspan: '3' }, k), h('td', { class: 'num' }, v)))));
  return tab;
}

function paymentLine(p) {
  return p.method === 'card' ? t('card_ending', { brand: (p.brand || '').toUpperCase(), last4: p.last4 }) : t('wire');
}

export async function checkoutPage(ctx) {
  const code = ctx.params.offer;
  const subId = ctx.query.get('renouveler');
  const action = subId ? 'renewal' : 'purchase';
  const offers = await items('/api/v1/offers');
  const offer = offers.find((o) => o.code === code);
  if (!offer) throw new Error(t('not_found_text'));
  let saved = null;
  if (can.paymentMethod()) {
    try { saved = (await get('/api/v1/payment-method')).card; } catch { saved = null; }
  }
  const root = h('section', {});
  const heading = t(action === 'renewal' ? 'checkout_renew' : 'checkout_buy', { offer: offer.name });
  let method = saved ? 'saved' : 'card';
  let order = null;

  const show = (...content) => {
    mount(root, h('h1', { tabindex: '-1' }, heading), ...content);
    root.querySelector('h1').focus();
  };

  function stepMethod() {
    const form = h('form', { class: 'stack' },
      h('fieldset', {},
        h('legend', {}, t('step_method')),
        saved ? radio({ label: t('pay_saved', { brand: saved.brand.toUpperCase(), last4: saved.last4 }), name: 'method', value: 'saved', checked: method === 'saved' }) : null,
        radio({ label: `${t('pay_card')} — ${t('pay_card_hint')}`, name: 'method', value: 'card', checked: method === 'card' }),
        radio({ label: `${t('pay_wire')} — ${t('pay_wire_hint')}`, name: 'method', value: 'wire', checked: method === 'wire' })),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, t('next')),
        h('a', { href: '/offres', 'data-link': '' }, t('cancel'))));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      method = values(form).method;
      method === 'saved' ? createOrder({ method: 'card', saved_card: true }, null) : stepDetails();
    });
    show(steps('step_method'), form);
  }

  function stepDetails() {
    const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
    const element = method === 'card' ? cardElement() : null;
    const form = h('form', { class: 'stack', novalidate: true },
      notice,
      element ? cardFields(element) : wireFields(),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, method === 'card' ? t('next') : t('send')),
        h('button', { type: 'button', onclick: stepMethod }, t('back'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = values(form);
      let payment;
      if (element) {
        // the card goes to the gateway; partnerd gets the payment method it answers
        let pm;
        try { pm = await element.tokenize(); } catch (err) { return showErrors(form, err, notice); }
        payment = { method: 'card', save: v.save, payment_method: pm.id };
      } else {
        payment = { method: 'wire', contact: { name: v['payment.contact.name'], phone: v['payment.contact.phone'], email: v['payment.contact.email'] } };
      }
      createOrder(payment, form, notice);
    });
    show(steps('step_details'), form);
  }

  async function createOrder(payment, form, notice) {
    const body = { offer: code, action, payment };
    if (subId) body.subscription_id = subId;
    try {
      order = await post('/api/v1/orders', body);
      stepReview();
    } catch (err) {
      if (form) return showErrors(form, err, notice);
      // the saved card was refused before anything was charged: say why, and the way back
      show(steps('step_method'), h('p', { class: 'notice bad', role: 'alert' }, err.message),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', onclick: stepMethod }, t('other_method')),
          h('a', { href: '/offres', 'data-link': '' }, t('back_to_offers'))));
    }
  }

  function stepReview(problem) {
    const buy = h('button', { type: 'button', class: 'primary' }, t('buy_now'));
    const notice = h('div', { class: problem ? 'notice bad' : 'notice', role: 'alert', tabindex: '-1' }, problem || '');
    buy.addEventListener('click', async () => {
      buy.disabled = true;
      buy.textContent = t('buying');
      try {
        // one key per order: the same Buy twice is answered once
        order = await post(`/api/v1/orders/${order.id}/purchase`, {}, { headers: { 'Idempotency-Key': `buy-${order.id}` } });
        if (order.status === 'requires_action') return show(steps('step_review'), ...pendingAction(order));
        stepDone();
      } catch (err) {
        if (err instanceof ApiError && (err.code === 'payment_declined' || err.code === 'insufficient_funds')) {
          // the order failed; a new one starts from the payment method
          method = 'card';
          show(steps('step_method'), h('p', { class: 'notice bad', role: 'alert' }, t('payment_failed', { why: err.message.replace(/[.\s]+$/, '') })));
          const again = h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: stepMethod }, t('step_method')));
          root.append(again);
          return;
        }
        if (err.code === 'payment_unknown') return stepUnknown();
        stepReview(err.message);
      }
    });
    show(steps('step_review'),
      h('p', {}, t('review_intro')),
      notice,
      orderSummary(order),
      h('dl', { class: 'facts' }, h('dt', {}, t('paid_with')), h('dd', {}, paymentLine(order.payment))),
      order.payment.method === 'card' ? h('p', { class: 'muted' }, t('card_charged_now')) : null,
      h('div', { class: 'actions' }, buy, h('button', { type: 'button', onclick: stepMethod }, t('back'))));
    if (problem) notice.focus();
  }

  /** The bank did not answer: nothing to retype and nothing to pay again; the order is
   * looked up (by the job, or here on demand) and the partner hears of it by email. */
  function stepUnknown() {
    const again = h('button', { type: 'button', class: 'primary' }, t('check_again'));
    again.addEventListener('click', async () => {
      again.disabled = true;
      try {
        order = await post(`/api/v1/orders/${order.id}/purchase`, {}, { headers: { 'Idempotency-Key': `check-${order.id}-${Date.now()}` } });
        stepDone();
      } catch (err) {
        if (err instanceof ApiError && err.code === 'payment_unknown') return stepUnknown();
        stepReview(err.message);
      }
    });
    show(steps('step_review'),
      h('p', { class: 'notice warn', role: 'alert' }, t('payment_unknown')),
      h('div', { class: 'actions' }, again, h('a', { class: 'button', href: '/achete', 'data-link': '' }, t('nav_bought'))));
  }

  async function stepDone() {
    mount(root, ...(await doneView(order, heading)));
    root.querySelector('h1').focus();
  }

  // an order of this offer is still being paid: nothing to buy again meanwhile
  if (offer.state === 'pending_payment') {
    mount(root, h('h1', {}, heading), h('p', { class: 'notice warn' }, offer.message),
      h('div', { class: 'actions' }, h('a', { class: 'button primary', href: '/achete', 'data-link': '' }, t('nav_bought')),
        h('a', { href: '/offres', 'data-link': '' }, t('back_to_offers'))));
    return root;
  }
  stepMethod();
  return root;
}

/** The bank asks the cardholder to confirm the payment (3-D Secure): where to go, and until
 * when. The page leaves for the bank's (the gateway's) challenge and comes back to
 * /paiement/<order>. */
export function pendingAction(order) {
  const until = new Date(order.next_action.expires_at);
  return [
    h('p', { class: 'notice warn', role: 'alert' }, t('sca_required', { time: until.toLocaleTimeString(document.documentElement.lang || 'fr', { hour: '2-digit', minute: '2-digit' }) })),
    h('div', { class: 'actions' },
      h('a', { class: 'button primary', href: order.next_action.url }, t('sca_go')),
      h('a', { href: '/achete', 'data-link': '' }, t('nav_bought'))),
  ];
}

/** The end of a checkout: confirmed (with its term) or awaiting the wire transfer. */
async function doneView(order, heading) {
  const out = [h('h1', { tabindex: '-1' }, heading), steps('step_done')];
  const close = h('a', { class: 'button primary', href: '/offres', 'data-link': '' }, t('close'));
  const pdf = order.invoice_id ? h('a', { class: 'button', href: `/api/v1/invoices/${order.invoice_id}/pdf`, download: '' }, t('download_invoice')) : null;
  if (order.status === 'confirmed') {
    let sub = null;
    try { sub = await get(`/api/v1/subscriptions/${order.subscription_id}`); } catch { /* shown without dates */ }
    out.push(
      h('p', { class: 'notice ok', role: 'status' }, t('confirmed')),
      sub ? h('p', {}, t('confirmed_card', { from: date(sub.starts_on), to: date(sub.expires_on) })) : null,
      sub?.auto_renew ? h('p', {}, t('auto_renew_info')) : null,
      h('div', { class: 'actions' }, close, pdf));
  } else {
    const pi = order.payment_instructions;
    out.push(
      h('p', { class: 'notice ok', role: 'status' }, t('awaiting')),
      h('h2', {}, t('pay_to')),
      h('dl', { class: 'facts', id: newId('pay') },
        h('dt', {}, t('total')), h('dd', {}, order.total.formatted),
        h('dt', {}, t('iban')), h('dd', {}, ibanText(pi.iban)),
        h('dt', {}, t('bic')), h('dd', {}, pi.bic),
        h('dt', {}, t('reference')), h('dd', { class: 'reference' }, pi.reference),
        h('dt', {}, t('due_on')), h('dd', {}, date(pi.due_on))),
      h('div', { class: 'actions' }, close, pdf));
  }
  return out;
}

/** /paiement/:id - back from the bank's challenge: while the order still waits, partnerd asks
 * the gateway what became of the payment (a Buy again, which never charges twice); an order
 * the gateway's event has settled meanwhile is shown as it is. */
export async function paymentReturnPage(ctx) {
  const id = ctx.params.id;
  const root = h('section', {});
  const failed = (why, o) => {
    mount(root, h('h1', { tabindex: '-1' }, t('sca_title')),
      h('p', { class: 'notice bad', role: 'alert' }, t('payment_failed', { why: why.replace(/[.\s]+$/, '') })),
      h('div', { class: 'actions' },
        o ? h('a', { class: 'button primary', href: `/commande/${o.offer.code}${o.action === 'renewal' ? `?renouveler=${o.subscription_id}` : ''}`, 'data-link': '' }, t('other_method')) : null,
        h('a', { href: '/offres', 'data-link': '' }, t('back_to_offers'))));
    return root;
  };
  let order = await get(`/api/v1/orders/${id}`);
  // an automatic renewal the bank asked to authenticate: the partner pays it here, on session
  if (order.status === 'requires_action' && order.next_action?.type === 'confirm_payment') return renewalConfirm(root, order, failed);
  // a renewal try that is over: paid by a later try, or replaced by one still to confirm
  if (order.status === 'failed' && order.action === 'renewal' && order.subscription_id) {
    const sub = await get(`/api/v1/subscriptions/${order.subscription_id}`).catch(() => null);
    if (sub?.status === 'active') {
      mount(root, h('h1', { tabindex: '-1' }, order.offer.name), h('p', { class: 'notice ok', role: 'status' }, t('renewal_paid', { date: date(sub.expires_on) })),
        h('div', { class: 'actions' }, h('a', { class: 'button primary', href: '/achete', 'data-link': '' }, t('nav_bought'))));
      return root;
    }
    if (sub?.pending_payment && sub.pending_payment.order_id !== id) {
      mount(root, h('h1', { tabindex: '-1' }, order.offer.name), h('p', { class: 'notice warn' }, t('renewal_newer')),
        h('div', { class: 'actions' }, h('a', { class: 'button primary', href: sub.pending_payment.url, 'data-link': '' }, t('renewal_confirm_button'))));
      return root;
    }
  }
  if (['requires_action', 'processing', 'payment_unknown'].includes(order.status)) {
    try {
      order = await post(`/api/v1/orders/${id}/purchase`, {}, { headers: { 'Idempotency-Key': `return-${id}-${Date.now()}` } });
    } catch (err) {
      return failed(err.message, await get(`/api/v1/orders/${id}`).catch(() => order));
    }
  }
  if (order.status === 'failed') return failed(t(order.failure_code === 'authentication_abandoned' ? 'sca_abandoned' : 'sca_refused'), order);
  const heading = order.offer.name;
  if (order.status === 'requires_action') mount(root, h('h1', { tabindex: '-1' }, heading), ...pendingAction(order));
  else mount(root, ...(await doneView(order, heading)));
  return root;
}

/** The last day before an instant that starts a day of the business time zone (Paris,
 * ahead of UTC): YYYY-MM-DD. */
const lastDay = (instant) => new Date(Date.parse(instant) - 1000).toISOString().slice(0, 10);

/** An automatic renewal the bank asked to authenticate off session: the amount, the offer and
 * « Confirmer le paiement », which pays the saved card on session (a Buy with a key of its
 * own), then the bank's challenge and the way back here. */
function renewalConfirm(root, order, failed) {
  const button = h('button', { type: 'button', class: 'primary' }, t('renewal_confirm_button'));
  const status = h('p', { role: 'status', class: 'muted' });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const paid = await post(`/api/v1/orders/${order.id}/purchase`, {}, { headers: { 'Idempotency-Key': `confirm-${order.id}-${Date.now()}` } });
      if (paid.status === 'requires_action' && paid.next_action?.type === 'authenticate') {
        location.assign(paid.next_action.url); // the bank's challenge, then back to /paiement/<order>
        return;
      }
      if (paid.status === 'confirmed') {
        mount(root, ...(await doneView(paid, paid.offer.name)));
        root.querySelector('h1').focus();
        return;
      }
      status.textContent = t('payment_checking');
    } catch (err) {
      failed(err.message, await get(`/api/v1/orders/${order.id}`).catch(() => order));
    }
    button.disabled = false;
  });
  const card = order.payment?.last4 ? `${order.payment.brand} •••• ${order.payment.last4}` : null;
  mount(root,
    h('h1', { tabindex: '-1' }, t('renewal_confirm_title')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('offer')), h('dd', {}, order.offer.name),
      h('dt', {}, t('total')), h('dd', { class: 'amount' }, order.total.formatted),
      card ? [h('dt', {}, t('renewal_card')), h('dd', {}, card)] : null),
    h('p', { class: 'notice warn' }, t('renewal_confirm_text', { date: date(lastDay(order.next_action.expires_at)) })),
    h('div', { class: 'actions' }, button, h('a', { href: '/achete', 'data-link': '' }, t('nav_bought'))),
    status);
  return root;
}
