// console/payments.js - finance's page: wire orders awaiting payment, recording a
// transfer or importing a bank statement (CSV or camt.053), what did not match, and
// refunds to pay, by hand or in one SEPA transfer file for the bank.
import { h, mount, field, checkbox, values, showErrors, table, badge, toast } from '../dom.js';
import { get, post, api } from '../api.js';
import { t, date, money, currencyDigits, lang, ibanText } from '../i18n.js';
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

/** Handles a form's submissions one at a time: its buttons are disabled until the server
 * answers, so a double click records one transfer (or resolution, or file), not two. */
function onSubmit(form, handler) {
  let busy = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    busy = true;
    const buttons = [...form.querySelectorAll('button:not([type="button"])')];
    buttons.forEach((b) => (b.disabled = true));
    try {
      await handler();
    } finally {
      busy = false;
      buttons.forEach((b) => (b.disabled = false));
    }
  });
}
const WS_KIND = { matched: 'ok', partial: 'warn', excess: 'warn', unknown_reference: 'bad', not_awaiting: 'bad', currency_mismatch: 'bad' };
const RF_KIND = { pending: 'warn', refunded: 'ok', to_pay: 'warn', sent: 'grey', paid: 'ok' };

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
  onSubmit(form, async () => {
    const v = values(form);
    const amount = toMinor(v.amount_minor, v.currency);
    // said here, in the field's terms: the API's words are of minor units (cents)
    if (Number.isNaN(amount)) {
      const why = t('amount_major_invalid');
      return showErrors(form, { message: `${t('amount_major')}${lang() === 'fr' ? ' : ' : ': '}${why}`, details: { fields: { amount_minor: why } } }, notice);
    }
    try {
      const r = await post('/api/v1/admin/wire-transfers', { reference: v.reference, amount_minor: amount, currency: v.currency, received_on: v.received_on });
      toast(t('recorded', { status: t(`ws_${r.status}`) }));
      showErrors(form, null, notice); // a refusal of an earlier try no longer stands
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
  const input = h('input', { type: 'file', id: 'statement', name: 'statement', accept: '.csv,text/csv,.xml,application/xml,text/xml', required: true });
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    h('div', { class: 'field', dataset: { field: 'statement' } }, h('label', { for: 'statement' }, t('statement_file_any')), input, h('div', { class: 'error' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('import'))));
  onSubmit(form, async () => {
    const file = input.files[0];
    if (!file) return input.focus();
    try {
      // a camt.053 statement is XML; anything else is the CSV of partnerd's own
      const text = await file.text();
      const camt = /^\s*</.test(text);
      const r = camt
        ? await api('POST', '/api/v1/admin/bank-statements/camt053', text, { type: 'application/xml' })
        : await api('POST', '/api/v1/admin/bank-statements', text, { type: 'text/csv' });
      showErrors(form, null, notice);
      let said = camt ? t('imported_camt', { n: r.transfers, m: r.matched, a: r.already_imported, r: r.refunds_paid }) : t('imported', { n: r.transfers, m: r.matched, a: r.already_imported });
      // a returned transfer is never recorded: finance has to hear of it here
      if (r.reversals?.length) said += ` ${t('reversals_seen', { n: r.reversals.length, list: r.reversals.map((x) => `${x.reference || x.end_to_end_id || x.booked_on} ${money(x.amount_minor, x.currency)}`).join(', ') })}`;
      mount(result, h('p', { class: 'notice ok', role: 'status' }, said),
        table([{ label: t('reference_short') }, { label: t('amount_major'), num: true }, { label: t('wire_status') }],
          r.items.map((x) => [importedOf(x), money(x.amount_minor, x.currency), badge(t(`ws_${x.status}`), WS_KIND[x.status])])));
      done();
    } catch (err) {
      mount(result); // the outcome of an earlier file is not this one's
      const lines = err.details?.lines || (err.details?.problem ? [err.details.problem] : null);
      showErrors(form, lines ? { message: `${err.message} ${lines.join(' · ')}` } : err, notice);
    }
  });
  return [form, result];
}

/** A transfer just imported: its reference, else what the statement said of it (who paid,
 * the text the payer typed), which is all finance has to go on. */
function importedOf(x) {
  if (x.reference) return h('span', { class: 'reference' }, x.reference);
  return h('div', {}, h('span', { class: 'muted' }, t('wt_no_reference')),
    x.payer_name ? h('p', { class: 'muted' }, t('wt_paid_by', { who: x.payer_name })) : null,
    x.remittance ? h('p', { class: 'muted' }, t('wt_wrote', { text: x.remittance })) : null);
}

/** What a refund is for, in a few words: its cancellation request's number, the invoice a
 * transfer overpaid (a surplus has no request), or a transfer sent back whole. */
const refundLabel = (f) => (f.reason === 'surplus' ? t('rf_surplus_of', { number: f.invoice_number })
  : f.reason === 'transfer' ? t('rf_transfer') : f.request_number);

/** Which transfer a transfer sent back returns, under its label: two of one payer are told
 * apart by the day it came and the reference it quoted. */
const refundTransfer = (f) => (f.reason === 'transfer' && f.transfer
  ? h('p', { class: 'muted' }, [`${t('received_on')} ${date(f.transfer.received_on)}`, f.transfer.reference && `${t('reference_short')} ${f.transfer.reference}`].filter(Boolean).join(' · '))
  : null);

/** Whose refund it is: the organisation, else who paid the transfer it sends back. */
const refundParty = (f) => f.partner?.legal_name || (f.payer?.name ? t('wt_paid_by', { who: f.payer.name }) : t('wt_unknown_partner'));

/** What a screen reader names a refund's box, IBAN field and « Marquer payé » by: its label,
 * and for a transfer sent back (all alike « Virement renvoyé ») whose and how much. */
const refundName = (f) => (f.reason === 'transfer' ? `${refundLabel(f)}, ${refundParty(f)}, ${money(f.amount_minor, f.currency)}` : refundLabel(f));

/** The selection of wire refunds to pay by one SEPA transfer file: a box and an optional
 * IBAN per refund to pay, and the button that makes and downloads the file. A SEPA transfer
 * is in euros: a refund in another currency (a transfer in dollars sent back) is not
 * offered, always refused; finance pays it from the bank and marks it paid above. */
function transferFileForm(refunds, done) {
  const payable = refunds.filter((f) => f.status === 'to_pay' && f.method === 'wire' && f.currency === 'EUR');
  if (payable.length === 0 || !can.paymentsWrite()) return null;
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const rows = payable.map((f, i) => {
    // the label seen, and whose and how much for a screen reader (refundName)
    const box = h('input', { type: 'checkbox', id: `pay-${f.id}`, name: 'pay', value: f.id, 'aria-label': `${t('pay_select')} ${refundName(f)}` });
    const iban = h('input', { type: 'text', id: `iban-${f.id}`, name: `iban-${f.id}`, autocomplete: 'off', spellcheck: 'false', size: 34 });
    return {
      f,
      box,
      iban,
      cells: [
        h('div', {}, h('span', {}, box, h('label', { for: `pay-${f.id}` }, ` ${t('pay_select')} ${refundLabel(f)}`)), refundTransfer(f)),
        refundParty(f),
        money(f.amount_minor, f.currency),
        h('div', { class: 'field', dataset: { field: `refunds[${i}].iban` } }, h('label', { for: `iban-${f.id}`, class: 'visually-hidden' }, `${t('pay_iban')} ${refundName(f)}`), iban, h('div', { class: 'error' })),
      ],
    };
  });
  const form = h('form', { class: 'stack', id: 'transfer-file', novalidate: true },
    notice,
    table([{ label: t('pay_select') }, { label: t('partner') }, { label: t('amount_major'), num: true }, { label: t('pay_iban') }], rows.map((r) => r.cells), { caption: t('transfer_file_make') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('transfer_file_make'))));
  onSubmit(form, async () => {
    const picked = rows.filter((r) => r.box.checked);
    if (picked.length === 0) return showErrors(form, { message: t('transfer_file_none') }, notice);
    // the fields of the answer are numbered as sent: number the IBAN fields the same way
    rows.forEach((r) => (r.iban.closest('.field').dataset.field = ''));
    picked.forEach((r, i) => (r.iban.closest('.field').dataset.field = `refunds[${i}].iban`));
    try {
      const made = await post('/api/v1/admin/transfer-files', { refunds: picked.map((r) => (r.iban.value.trim() ? { id: r.f.id, iban: r.iban.value.trim() } : { id: r.f.id })) });
      const file = await fetch(made.download, { credentials: 'same-origin' });
      const link = h('a', { href: URL.createObjectURL(await file.blob()), download: `pain001-${made.id}.xml` });
      document.body.append(link);
      link.click();
      link.remove();
      toast(t('transfer_file_made', { n: made.transfers, amount: money(made.control_sum_minor, made.currency) }));
      done();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return [h('h3', {}, t('transfer_file_make')), form];
}

/** The transfer file a refund went out in, to download again: the bank may refuse an upload,
 * or the first download may not have reached the disk, and its refunds are in no other. */
const fileLink = (f) => (f.transfer_file_id
  ? h('a', { href: `/api/v1/admin/transfer-files/${encodeURIComponent(f.transfer_file_id)}`, download: `pain001-${f.transfer_file_id}.xml` },
    t('transfer_file_again'))
  : null);

function refundRow(f, done) {
  if (!['to_pay', 'sent'].includes(f.status) || !can.paymentsWrite()) return f.paid_on ? `${date(f.paid_on)}${f.reference ? ` · ${f.reference}` : ''}` : fileLink(f) || '';
  const form = h('form', { class: 'row', novalidate: true, 'aria-label': `${t('mark_paid')} ${refundName(f)}` }, fileLink(f),
    field({ label: t('paid_on'), name: 'paid_on', type: 'date', required: true, value: today() }),
    field({ label: t('reference_short'), name: 'reference' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('mark_paid'))));
  onSubmit(form, async () => {
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

/** The wire contact the partner named at checkout: who to call about this payment. */
function contactOf(o) {
  const c = o.payment?.contact;
  if (!c?.name) return '—';
  return h('span', {}, c.name, h('br'), h('a', { href: `tel:${c.phone.replace(/[^+\d]/g, '')}` }, c.phone), h('br'),
    h('a', { href: `mailto:${c.email}` }, c.email));
}

/** Finance's decision on a transfer that paid nothing by itself: give it to an order,
 * send it back, or close it with a reason. */
function resolveForm(w, orders, done) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const fit = orders.filter((o) => o.total.currency === w.currency);
  const action = field({ label: t('wt_action'), name: 'action', type: 'select', required: true,
    // no order to give it to: no decision made for finance (sending it back makes money to pay)
    value: fit.length ? 'allocate' : '',
    options: [['', '—'], ['allocate', t('wt_allocate')], ['refund', t('wt_refund')], ['dismiss', t('wt_dismiss')]] });
  const order = field({ label: t('order'), name: 'order_id', type: 'select', value: fit.find((o) => o.id === w.order_id)?.id,
    options: [['', '—'], ...fit.map((o) => [o.id, `${o.payment_instructions?.reference || o.id} · ${o.partner_name} · ${o.total.formatted}`])] });
  // more than the order owes: the rest goes back to the payer (the server says when it is)
  const surplus = checkbox({ label: t('wt_refund_surplus'), name: 'refund_surplus', checked: w.status === 'excess', hint: t('wt_refund_surplus_hint') });
  const note = field({ label: t('wt_note'), name: 'note', required: true, hint: t('wt_note_hint'), attrs: { maxlength: '200' } });
  const back = h('p', { class: 'hint' }, t('wt_refund_hint'));
  const form = h('form', { class: 'resolve-transfer', novalidate: true, 'aria-label': `${t('wt_resolve')} ${w.reference}` },
    notice, action, order, surplus, back, note,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('wt_resolve'))));
  // the reason is required to dismiss only: the label says so for the choice made
  const optional = h('span', { class: 'muted' }, ` (${t('optional')})`);
  note.querySelector('label').append(optional);
  const sync = () => {
    const chosen = values(form).action;
    order.hidden = surplus.hidden = chosen !== 'allocate';
    back.hidden = chosen !== 'refund';
    note.querySelector('input').required = chosen === 'dismiss';
    optional.hidden = chosen === 'dismiss';
  };
  form.addEventListener('change', sync);
  sync();
  onSubmit(form, async () => {
    const v = values(form);
    const body = { action: v.action };
    if (v.action === 'allocate') Object.assign(body, { order_id: v.order_id }, v.refund_surplus ? { refund_surplus: true } : {});
    if (v.note) body.note = v.note;
    try {
      const r = await post(`/api/v1/admin/wire-transfers/${w.id}/resolution`, body);
      toast(t(`wt_done_${r.resolution}`) + (r.order_status === 'confirmed' ? ` ${t('wt_order_confirmed')}` : '') +
        (r.surplus_refund ? ` ${t('wt_surplus_made', { amount: money(r.surplus_refund.amount_minor, w.currency) })}` : '') +
        (r.refund ? ` ${t('wt_refund_made', { amount: money(r.refund.amount_minor, w.currency) })}` : ''));
      done();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return h('details', {}, h('summary', {}, t('wt_resolve')), form);
}

/** A transfer's reference, and who paid it and what they wrote when a camt.053 statement
 * said so: all there is to go on for a transfer whose reference names no order (or that has
 * none at all). */
function transferOf(w) {
  const who = w.payer ? [w.payer.name, w.payer.iban && ibanText(w.payer.iban)].filter(Boolean).join(' · ') : '';
  // one block: on a phone a cell's children would go to its label's column
  return h('div', {}, w.reference ? h('span', { class: 'reference' }, w.reference) : h('span', { class: 'muted' }, t('wt_no_reference')),
    who ? h('p', { class: 'muted' }, t('wt_paid_by', { who })) : null,
    // what they wrote, when it named no order: the clue to whose it is
    w.remittance && w.status !== 'matched' ? h('p', { class: 'muted' }, t('wt_wrote', { text: w.remittance })) : null);
}

/** Takes a mistaken resolution back (a dismissal, or an allocation to an order still awaiting
 * the rest): the transfer is to review again. The server says which can be (reopenable). */
function reopenButton(w, done) {
  // a refund, or an allocation that paid its order, is final: no button that is always refused
  if (!w.reopenable) return '';
  const b = h('button', { type: 'button', 'aria-label': `${t('wt_reopen')} ${w.reference}` }, t('wt_reopen'));
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await post(`/api/v1/admin/wire-transfers/${w.id}/resolution`, { action: 'reopen' });
      toast(t('wt_done_reopened'));
      done();
    } catch (err) {
      toast(err.message);
      b.disabled = false;
    }
  });
  return b;
}

// the lists of the page, read a page at a time
const PAGE = 200;
const LIST_PATHS = {
  orders: '/api/v1/admin/orders/awaiting-payment',
  transfers: '/api/v1/admin/wire-transfers',
  refunds: '/api/v1/admin/refunds',
};

export async function paymentsPage() {
  session.today = (await get('/api/v1/me')).today;
  const lists = h('div', {});
  // each list a page at a time, newest first: « Charger plus » under a list adds its next page
  // (docs/api.md, "Lists"); an action on the page draws every list again from its first page
  const state = {};
  const pageOf = async (key, cursor) => {
    const r = await get(`${LIST_PATHS[key]}?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    return { items: r.items, next: r.next_cursor };
  };
  const more = (key, title) => {
    if (!state[key].next) return null;
    const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `${t('load_more')} — ${title}` }, t('load_more'));
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const r = await pageOf(key, state[key].next);
        state[key] = { items: [...state[key].items, ...r.items], next: r.next };
        render();
      } catch (err) {
        toast(err.message);
        button.disabled = false;
      }
    });
    return h('div', { class: 'load-more' }, button);
  };
  const draw = async () => {
    const keys = Object.keys(LIST_PATHS);
    const pages = await Promise.all(keys.map((k) => pageOf(k)));
    keys.forEach((k, i) => (state[k] = pages[i]));
    render();
  };
  const render = () => {
    // the server says each order's partner_name
    const [orders, transfers, refunds] = [state.orders.items, state.transfers.items, state.refunds.items];
    for (const o of orders) o.partner_name = o.partner_name || o.partner_id;
    const partnerLink = (p) => (p ? h('a', { href: `/console/partenaires/${encodeURIComponent(p.id)}`, 'data-link': '' }, p.legal_name) : t('wt_unknown_partner'));
    const review = transfers.filter((w) => w.to_review);
    const resolved = transfers.filter((w) => w.resolution);
    mount(lists,
      h('h2', {}, t('awaiting_title')),
      table(
        [{ label: t('reference_short') }, { label: t('partner') }, { label: t('offer') }, { label: t('wire_contact') }, { label: t('total'), num: true }, { label: t('due_on') }, ...(can.paymentsWrite() ? [{ label: '' }] : [])],
        orders.map((o) => [
          h('span', { class: 'reference' }, o.payment_instructions?.reference || ''),
          partnerLink({ id: o.partner_id, legal_name: o.partner_name }),
          o.offer.name,
          contactOf(o),
          o.total.formatted,
          date(o.payment_instructions?.due_on),
          ...(can.paymentsWrite() ? [h('button', { type: 'button', onclick: () => prefill(o) }, t('record_transfer'))] : []),
        ]),
        { caption: t('awaiting_title'), empty: t('no_awaiting') }),
      more('orders', t('awaiting_title')),
      h('h2', {}, t('unmatched')),
      table(
        [{ label: t('received_on') }, { label: t('reference_short') }, { label: t('amount_major'), num: true }, { label: t('wire_status') }, { label: t('partner') }, { label: t('order') },
          ...(can.paymentsWrite() ? [{ label: '' }] : [])],
        review.map((w) => [date(w.received_on), transferOf(w), money(w.amount_minor, w.currency),
          // a transfer back from an allocation says why, in the catalog's words (review_reason)
          [badge(t(`ws_${w.status}`), WS_KIND[w.status]), w.review_reason ? h('p', { class: 'muted' }, w.review_reason[lang()] || w.review_reason.en) : null],
          partnerLink(w.partner), w.order_reference ? h('span', { class: 'reference' }, w.order_reference) : '—',
          ...(can.paymentsWrite() ? [resolveForm(w, orders, draw)] : [])]),
        { caption: t('unmatched'), empty: t('no_unmatched') }),
      more('transfers', t('unmatched')),
      resolved.length ? [h('h2', {}, t('wt_resolved_title')),
        table(
          [{ label: t('received_on') }, { label: t('reference_short') }, { label: t('amount_major'), num: true }, { label: t('wt_action') }, { label: t('partner') }, { label: t('wt_note') },
            ...(can.paymentsWrite() ? [{ label: '' }] : [])],
          resolved.map((w) => [date(w.received_on), transferOf(w), money(w.amount_minor, w.currency), badge(t(`wt_${w.resolution}`), 'grey'),
            partnerLink(w.partner), w.resolution_note || '—', ...(can.paymentsWrite() ? [reopenButton(w, draw)] : [])]),
          { caption: t('wt_resolved_title') })] : null,
      h('h2', {}, t('refunds')),
      table(
        [{ label: t('request', { number: '' }).trim() }, { label: t('partner') }, { label: t('credit_note') }, { label: t('amount_major'), num: true }, { label: t('status') }, { label: t('paid_on') }],
        refunds.map((f) => [h('div', {}, refundLabel(f), refundTransfer(f)), refundParty(f), f.credit_note_number || '—', money(f.amount_minor, f.currency), badge(t(`rf_${f.status}`), RF_KIND[f.status]), refundRow(f, draw)]),
        { caption: t('refunds'), empty: t('no_refunds') }),
      more('refunds', t('refunds')),
      transferFileForm(refunds, draw));
  };
  await draw();
  return h('section', {},
    h('h1', {}, t('nav_payments')),
    lists,
    can.paymentsWrite() ? [h('h2', {}, t('record_transfer')), recordForm(draw), h('h2', {}, t('import_statement')), statementForm(draw)] : null);
}
