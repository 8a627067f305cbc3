// pages/bought.js - « Acheté »: each subscription with its dates, the automatic-renewal
// switch (and why it cannot come back on), « Renouveler l'abonnement »,
// « Télécharger la facture » and « Annuler l'abonnement ».
import { h, mount, badge, confirmDialog, toast } from '../dom.js';
import { patch, allItems } from '../api.js';
import { t, date, ibanText } from '../i18n.js';
import { can } from '../session.js';
import { renewalReason, buyAgain } from './offers.js';
import { openCancellations, cancellationUnderWay } from './support.js';

const STATUS_KIND = { active: 'ok', renewal_window: 'warn', pending_payment: 'warn', lapsed: 'bad', cancelled: 'grey' };

function autoRenewSwitch(s, redraw) {
  const pmc = s.managed_in === 'pmc';
  const ended = s.status === 'cancelled' || s.status === 'lapsed' || !!s.cancelled_on;
  const locked = !s.auto_renew && s.auto_renew_locked;
  const noteId = `ar-note-${s.id}`;
  const labelId = `ar-label-${s.id}`;
  const sw = h('button', {
    type: 'button', role: 'switch', 'aria-checked': String(s.auto_renew), 'aria-labelledby': labelId,
    'aria-describedby': noteId, disabled: locked || pmc || ended || !can.autoRenew(),
  });
  sw.addEventListener('click', async () => {
    const on = !s.auto_renew;
    if (!on && !(await confirmDialog({ title: t('auto_renew_off_title'), text: t('auto_renew_off_text'), ok: t('auto_renew_off_ok'), cancel: t('cancel') })))
      return sw.focus();
    try {
      Object.assign(s, await patch(`/api/v1/subscriptions/${s.id}`, { auto_renew: on }));
      toast(t(on ? 'auto_renew_now_on' : 'auto_renew_now_off'));
      redraw(`ar-${s.id}`);
    } catch (err) {
      toast(err.message);
    }
  });
  return h('div', { class: 'switch', id: `ar-${s.id}` },
    h('span', { id: labelId }, t('auto_renew')),
    sw,
    h('span', {}, t(s.auto_renew ? 'auto_renew_on' : 'auto_renew_off')),
    h('p', { class: 'muted', id: noteId }, s.cancelled_on ? t('reason_cancelled') : s.status === 'lapsed' ? t('sub_ended')
      : locked ? t('auto_renew_locked') : pmc ? t('reason_managed_in_pmc') : ''));
}

/** What a wire order still waiting for its transfer asks the partner to pay, again. */
export function payBox(o) {
  const pi = o.payment_instructions;
  if (!pi) return null;
  return h('div', { class: 'notice pay-box', role: 'group', 'aria-label': t('pay_to') },
    h('h3', {}, t('pay_to')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('total')), h('dd', { class: 'amount' }, o.total.formatted),
      h('dt', {}, t('iban')), h('dd', { class: 'reference' }, ibanText(pi.iban)),
      h('dt', {}, t('bic')), h('dd', { class: 'reference' }, pi.bic),
      h('dt', {}, t('reference')), h('dd', { class: 'reference' }, pi.reference),
      h('dt', {}, t('due_on')), h('dd', {}, date(pi.due_on))));
}

function card(s, invoiceOf, waiting, asked, redraw) {
  const pmc = s.managed_in === 'pmc';
  const ended = s.status === 'lapsed' || s.status === 'cancelled';
  const pending = s.status === 'pending_payment';
  const actions = [];
  if (s.renewal?.eligible && !pmc && can.buy() && !waiting)
    actions.push(h('a', { class: 'button primary', href: `/commande/${s.offer.code}?renouveler=${s.id}`, 'data-link': '' }, t('renew')));
  else if (!pmc && !ended && !pending && !waiting)
    actions.push(h('button', { type: 'button', disabled: true, 'aria-describedby': `why-${s.id}` }, t('renew')));
  const inv = invoiceOf.get(s.id);
  if (inv && can.invoices())
    actions.push(h('a', { class: 'button', href: `/api/v1/invoices/${inv}/pdf`, download: '' }, t('download_invoice')));
  // the reference page: « Annuler l'abonnement », then the support form, then « Envoyer »
  // one cancellation request at a time: while one is open the card shows it instead
  if (!pmc && !s.cancelled_on && !ended && !pending && !asked && can.cancel())
    actions.push(h('a', { class: 'button danger', href: `/support/nouvelle?annuler=${encodeURIComponent(s.id)}`, 'data-link': '' }, t('cancel_sub')));
  const why = !s.renewal?.eligible && !pmc && !ended && !pending && !waiting ? renewalReason(s.renewal) : null;
  return h('article', { class: 'card', id: s.id, 'aria-labelledby': `h-${s.id}`, dataset: { offer: s.offer.code } },
    h('header', {}, h('h2', { id: `h-${s.id}` }, s.offer.name), badge(t(`sub_${s.status}`), STATUS_KIND[s.status]),
      // an automatic renewal the bank asked to authenticate: the partner pays it on session
      s.pending_payment ? h('a', { class: 'badge warn pay-to-confirm', href: s.pending_payment.url, 'data-link': '' }, t('pay_to_confirm')) : null),
    h('dl', { class: 'facts' },
      s.starts_on ? [h('dt', {}, t('starts_on')), h('dd', {}, date(s.starts_on))] : null,
      s.expires_on ? [h('dt', {}, t('expires_on')), h('dd', {}, date(s.expires_on))] : null,
      s.renewal?.opens_on && !pmc && !s.cancelled_on && !ended ? [h('dt', {}, t('renewal_window')), h('dd', {}, t('window_from_to', { from: date(s.renewal.opens_on), to: date(s.renewal.closes_on) }))] : null,
      s.cancelled_on ? [h('dt', {}, t('status')), h('dd', {}, t('cancelled_from', { date: date(s.cancelled_on) }))] : null),
    s.status === 'lapsed' ? h('p', { class: 'notice warn' }, t('sub_lapsed_on', { date: date(s.renewal?.closes_on) })) : null,
    s.status === 'lapsed' && can.buy() ? buyAgain(s.offer.code) : null,
    pending || (waiting && !s.pending_payment) ? h('p', { class: 'notice' }, t(waiting?.payment_instructions ? 'awaiting' : waiting ? 'payment_checking' : 'sub_pending_text')) : null,
    waiting ? payBox(waiting) : null,
    s.benefits_suspended ? h('p', { class: 'notice warn' }, t('benefits_suspended')) : null,
    pmc ? h('p', { class: 'notice' }, t('pmc_managed'), ' — ', h('a', { href: s.pmc_url || '#', rel: 'noopener' }, t('open_pmc'))) : null,
    asked && !s.cancelled_on ? cancellationUnderWay(asked) : null,
    autoRenewSwitch(s, redraw),
    h('div', { class: 'actions' }, actions),
    why ? h('p', { class: 'muted', id: `why-${s.id}` }, why) : null);
}

export async function boughtPage(ctx) {
  const root = h('section', {});
  const draw = async (focusId) => {
    const subs = await allItems('/api/v1/subscriptions');
    const invoiceOf = new Map();
    const waitingOf = new Map(); // an order of the subscription still being paid
    const toConfirm = []; // orders waiting for the bank's confirmation (3-D Secure)
    if (can.orders()) {
      // newest first: the first order with an invoice is the current term's
      for (const o of await allItems('/api/v1/orders')) {
        if (o.status === 'requires_action' && o.next_action) toConfirm.push(o);
        if (o.subscription_id && o.invoice_id && !invoiceOf.has(o.subscription_id)) invoiceOf.set(o.subscription_id, o.invoice_id);
        if (o.subscription_id && ['awaiting_payment', 'payment_unknown', 'processing', 'requires_action'].includes(o.status) && !waitingOf.has(o.subscription_id))
          waitingOf.set(o.subscription_id, o);
      }
    }
    const asked = await openCancellations();
    mount(root,
      h('h1', {}, t('nav_bought')),
      toConfirm.length ? h('section', { class: 'notice warn', 'aria-labelledby': 'sca-pending' },
        h('h2', { id: 'sca-pending' }, t('sca_pending_list')),
        h('ul', {}, toConfirm.map((o) => h('li', {}, t('sca_pending_item', { offer: o.offer.name, total: o.total.formatted }), ' ',
          h('a', { href: o.next_action.url }, t('sca_go')))))) : null,
      h('p', {}, t('bought_intro')),
      subs.length ? subs.map((s) => card(s, invoiceOf, waitingOf.get(s.id), asked.get(s.id), draw)) : h('p', { class: 'muted' }, t('none_bought')));
    if (focusId) document.getElementById(focusId)?.querySelector('button[role="switch"]')?.focus();
    else if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  };
  await draw();
  return root;
}
