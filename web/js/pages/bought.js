// pages/bought.js - « Acheté »: each subscription with its dates, the automatic-renewal
// switch (and why it cannot come back on), « Renouveler l'abonnement »,
// « Télécharger la facture » and « Annuler l'abonnement ».
import { h, mount, badge, confirmDialog, toast } from '../dom.js';
import { items, patch, post } from '../api.js';
import { t, date } from '../i18n.js';
import { can } from '../session.js';
import { renewalReason } from './offers.js';

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
    h('p', { class: 'muted', id: noteId }, s.cancelled_on ? t('reason_cancelled') : locked ? t('auto_renew_locked') : pmc ? t('reason_managed_in_pmc') : ''));
}

async function cancel(s, ctx) {
  const ok = await confirmDialog({ title: t('cancel_title'), text: t('cancel_text'), ok: t('cancel_ok'), cancel: t('close'), danger: true });
  if (!ok) return;
  try {
    const req = await post(`/api/v1/subscriptions/${s.id}/cancellation`, {});
    toast(t('cancel_done', { number: req.number }));
    ctx.navigate(`/support/${req.id}`);
  } catch (err) {
    toast(err.message);
  }
}

function card(s, invoiceOf, ctx, redraw) {
  const pmc = s.managed_in === 'pmc';
  const actions = [];
  if (s.renewal?.eligible && !pmc && can.buy())
    actions.push(h('a', { class: 'button primary', href: `/commande/${s.offer.code}?renouveler=${s.id}`, 'data-link': '' }, t('renew')));
  else if (!pmc && s.status !== 'cancelled')
    actions.push(h('button', { type: 'button', disabled: true, 'aria-describedby': `why-${s.id}` }, t('renew')));
  const inv = invoiceOf.get(s.id);
  if (inv && can.invoices())
    actions.push(h('a', { class: 'button', href: `/api/v1/invoices/${inv}/pdf`, download: '' }, t('download_invoice')));
  if (!pmc && !s.cancelled_on && s.status !== 'cancelled' && can.cancel())
    actions.push(h('button', { type: 'button', class: 'danger', onclick: () => cancel(s, ctx) }, t('cancel_sub')));
  const why = !s.renewal?.eligible && !pmc && s.status !== 'cancelled' ? renewalReason(s.renewal) : null;
  return h('article', { class: 'card', id: s.id, 'aria-labelledby': `h-${s.id}`, dataset: { offer: s.offer.code } },
    h('header', {}, h('h2', { id: `h-${s.id}` }, s.offer.name), badge(t(`sub_${s.status}`), STATUS_KIND[s.status])),
    h('dl', { class: 'facts' },
      s.starts_on ? [h('dt', {}, t('starts_on')), h('dd', {}, date(s.starts_on))] : null,
      s.expires_on ? [h('dt', {}, t('expires_on')), h('dd', {}, date(s.expires_on))] : null,
      s.renewal?.opens_on && !pmc && !s.cancelled_on ? [h('dt', {}, t('renewal_window')), h('dd', {}, t('window_from_to', { from: date(s.renewal.opens_on), to: date(s.renewal.closes_on) }))] : null,
      s.cancelled_on ? [h('dt', {}, t('status')), h('dd', {}, t('cancelled_from', { date: date(s.cancelled_on) }))] : null),
    s.benefits_suspended ? h('p', { class: 'notice warn' }, t('benefits_suspended')) : null,
    pmc ? h('p', { class: 'notice' }, t('pmc_managed'), ' — ', h('a', { href: s.pmc_url || '#', rel: 'noopener' }, t('open_pmc'))) : null,
    autoRenewSwitch(s, redraw),
    h('div', { class: 'actions' }, actions),
    why ? h('p', { class: 'muted', id: `why-${s.id}` }, why) : null);
}

export async function boughtPage(ctx) {
  const root = h('section', {});
  const draw = async (focusId) => {
    const subs = await items('/api/v1/subscriptions');
    const invoiceOf = new Map();
    if (can.orders()) {
      // newest first: the first order with an invoice is the current term's
      for (const o of await items('/api/v1/orders'))
        if (o.subscription_id && o.invoice_id && !invoiceOf.has(o.subscription_id)) invoiceOf.set(o.subscription_id, o.invoice_id);
    }
    mount(root,
      h('h1', {}, t('nav_bought')),
      h('p', {}, t('bought_intro')),
      subs.length ? subs.map((s) => card(s, invoiceOf, ctx, draw)) : h('p', { class: 'muted' }, t('none_bought')));
    if (focusId) document.getElementById(focusId)?.querySelector('button[role="switch"]')?.focus();
    else if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
  };
  await draw();
  return root;
}
