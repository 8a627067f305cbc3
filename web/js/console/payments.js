// console/payments.js - finance's page: wire orders awaiting payment, recording a
// transfer or importing a bank statement, what did not match, and refunds to pay.
import { h, mount, field, values, showErrors, table, badge, toast } from '../dom.js';
import { get, items, post, api } from '../api.js';
import { t, date, money, currencyDigits } from '../i18n.js';
import { can, session } from '../session.js';

/** "588,00" or "588.00" in a currency -> minor units, or NaN. */
export function toMinor(text, currency) {
  const digits = currencyDigits(currency);
  const clean = String(text).replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(clean)) return NaN;
  const [whole, frac = ''] = clean.split('.');
  if (frac.length > digits) return NaN;
  return Number(whole) * 10 ** digits + Number((frac + '0'.repeat(digits)).slice(0, digits) || 0);
}

// the business date: under a test clock it is not the calendar's
const today = () => session.today || new Date().toISOString().slice(0, 10);
const WS_KIND = { matched: 'ok', partial: 'warn', excess: 'warn', unknown_reference: 'bad', not_awaiting: 'bad', currency_mismatch: 'bad' };
const RF_KIND = { pending: 'warn', refunded: 'ok', to_pay: 'warn', paid: 'ok' };

function recordForm(done) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const form = h('form', { class: 'stack', id: 'record-transfer', novalidate: true },
    notice,
    field({ label: t('reference_short'), name: 'reference', required: true }),
    h('div', { class: 'row' },
      field({ label: t('amount_major'), name: 'amount_minor', required: true, attrs: { inputmode: 'decimal' } }),
      field({ label: t('currency'), name: 'currency', type: 'select', required: true, options: [['EUR', 'EUR'], ['USD', 'USD'], ['GBP', 'GBP']] }),
      field({ label: t('received_on'), name: 'received_on', type: 'date', required: true, value: today() })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('record'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    const amount = toMinor(v.amount_minor, v.currency);
    try {
      const r = await post('/api/v1/admin/wire-transfers', { reference: v.reference, amount_minor: Number.isNaN(amount) ? -1 : amount, currency: v.currency, received_on: v.received_on });
      toast(t('recorded', { status: t(`ws_${r.status}`) }));
      form.reset();
      done();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return form;
}

/** Fills the record form from an awaiting order. */
function prefill(o) {
  const form = document.getElementById('record-transfer');
  form.elements.reference.value = o.payment_instructions.reference;
  form.elements.currency.value = o.total.currency;
  form.elements.amount_minor.value = (o.total.amount_minor / 10 ** currencyDigits(o.total.currency)).toFixed(currencyDigits(o.total.currency));
  form.elements.received_on.value = today();
  form.scrollIntoView();
  form.elements.amount_minor.focus();
}

function statementForm(done) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const result = h('div', {});
  const input = h('input', { type: 'file', id: 'statement', name: 'statement', accept: '.csv,text/csv', required: true });
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    h('div', { class: 'field', dataset: { field: 'statement' } }, h('label', { for: 'statement' }, t('statement_file')), input, h('div', { class: 'error' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('import'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = input.files[0];
    if (!file) return input.focus();
    try {
      const r = await api('POST', '/api/v1/admin/bank-statements', await file.text(), { type: 'text/csv' });
      showErrors(form, null, notice);
      mount(result, h('p', { class: 'notice ok', role: 'status' }, t('imported', { n: r.transfers, m: r.matched })),
        table([{ label: t('reference_short') }, { label: t('amount_major'), num: true }, { label: t('wire_status') }],
          r.items.map((x) => [x.reference, money(x.amount_minor, x.currency), badge(t(`ws_${x.status}`), WS_KIND[x.status])])));
      done();
    } catch (err) {
      const lines = err.details?.lines;
      showErrors(form, lines ? { message: `${err.message} ${lines.join(' · ')}` } : err, notice);
    }
  });
  return [form, result];
}

function refundRow(f, done) {
  if (f.status !== 'to_pay' || !can.paymentsWrite()) return f.paid_on ? `${date(f.paid_on)}${f.reference ? ` · ${f.reference}` : ''}` : '';
  const form = h('form', { class: 'row', novalidate: true, 'aria-label': `${t('mark_paid')} ${f.request_number}` },
    field({ label: t('paid_on'), name: 'paid_on', type: 'date', required: true, value: today() }),
    field({ label: t('reference_short'), name: 'reference' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('mark_paid'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    try {
      await post(`/api/v1/admin/refunds/${f.id}/paid`, v.reference ? v : { paid_on: v.paid_on });
      toast(t('refund_paid'));
      done();
    } catch (err) {
      showErrors(form, err);
      toast(err.message);
    }
  });
  return form;
}

export async function paymentsPage() {
  session.today = (await get('/api/v1/me')).today;
  const lists = h('div', {});
  const draw = async () => {
    const [orders, transfers, refunds, partners] = await Promise.all([
      items('/api/v1/admin/orders/awaiting-payment'), items('/api/v1/admin/wire-transfers'),
      items('/api/v1/admin/refunds'), items('/api/v1/admin/partners')]);
    const name = new Map(partners.map((p) => [p.id, p.legal_name]));
    mount(lists,
      h('h2', {}, t('awaiting_title')),
      table(
        [{ label: t('reference_short') }, { label: t('partner') }, { label: t('offer') }, { label: t('total'), num: true }, { label: t('due_on') }, ...(can.paymentsWrite() ? [{ label: '' }] : [])],
        orders.map((o) => [
          h('span', { class: 'reference' }, o.payment_instructions?.reference || ''),
          name.get(o.partner_id) || o.partner_id,
          o.offer.name,
          o.total.formatted,
          date(o.payment_instructions?.due_on),
          ...(can.paymentsWrite() ? [h('button', { type: 'button', onclick: () => prefill(o) }, t('record_transfer'))] : []),
        ]),
        { caption: t('awaiting_title'), empty: t('no_awaiting') }),
      h('h2', {}, t('unmatched')),
      table(
        [{ label: t('received_on') }, { label: t('reference_short') }, { label: t('amount_major'), num: true }, { label: t('wire_status') }],
        transfers.filter((w) => w.status !== 'matched').map((w) => [date(w.received_on), w.reference, money(w.amount_minor, w.currency), badge(t(`ws_${w.status}`), WS_KIND[w.status])]),
        { caption: t('unmatched'), empty: t('no_unmatched') }),
      h('h2', {}, t('refunds')),
      table(
        [{ label: t('request', { number: '' }).trim() }, { label: t('partner') }, { label: t('credit_note') }, { label: t('amount_major'), num: true }, { label: t('status') }, { label: t('paid_on') }],
        refunds.map((f) => [f.request_number, f.partner.legal_name, f.credit_note_number, money(f.amount_minor, f.currency), badge(t(`rf_${f.status}`), RF_KIND[f.status]), refundRow(f, draw)]),
        { caption: t('refunds'), empty: t('no_refunds') }));
  };
  await draw();
  return h('section', {},
    h('h1', {}, t('nav_payments')),
    lists,
    can.paymentsWrite() ? [h('h2', {}, t('record_transfer')), recordForm(draw), h('h2', {}, t('import_statement')), statementForm(draw)] : null);
}
