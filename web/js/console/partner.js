// console/partner.js - one partner organisation as staff see it: its identity, and what
// its own portal shows it (subscriptions, orders, invoices, support requests), with the
// audit trail for an operator. One call: GET /api/v1/admin/partners/{id}.
import { h, table, badge } from '../dom.js';
import { get } from '../api.js';
import { t, date, instant, countryName } from '../i18n.js';
import { invoiceStatus } from '../pages/invoices.js';
import { statusBadge } from '../pages/support.js';

const SUB_KIND = { active: 'ok', renewal_window: 'warn', pending_payment: 'warn', lapsed: 'bad', cancelled: 'grey' };
const ORDER_KIND = { confirmed: 'ok', awaiting_payment: 'warn', payment_unknown: 'warn', processing: 'warn', failed: 'bad', cancelled: 'grey', review: 'grey' };

export async function partnerPage(ctx) {
  const d = await get(`/api/v1/admin/partners/${encodeURIComponent(ctx.params.id)}`);
  const p = d.partner;
  const a = p.address || {};
  return h('section', { class: 'partner-page' },
    h('p', {}, h('a', { href: '/console/partenaires', 'data-link': '' }, `← ${t('nav_partners')}`)),
    h('h1', {}, p.legal_name),
    h('dl', { class: 'facts' },
      h('dt', {}, t('membership_id')), h('dd', {}, p.membership_id),
      h('dt', {}, t('country')), h('dd', {}, countryName(p.country)),
      h('dt', {}, t('address1')), h('dd', {}, [a.line1, a.line2, `${a.postal_code || ''} ${a.city || ''}`.trim()].filter(Boolean).join(', ')),
      h('dt', {}, t('vat_id')), h('dd', {}, p.vat_id || '—'),
      p.vat_id ? [h('dt', {}, t('vat_status')), h('dd', { 'data-vat-status': p.vat_id_status },
        p.vat_id_status === 'invalid' ? badge(t('vs_invalid'), 'bad') : t(`vs_${p.vat_id_status}`),
        p.vat_id_status === 'invalid' && p.country !== 'FR' ? h('p', { class: 'muted' }, t('vs_invalid_note')) : null)] : null,
      h('dt', {}, t('currency')), h('dd', {}, p.currency),
      h('dt', {}, t('joined_on')), h('dd', {}, date(p.created_at))),
    h('h2', {}, t('pp_subscriptions')),
    table([{ label: t('offer') }, { label: t('status') }, { label: t('starts_on') }, { label: t('expires_on') }, { label: t('auto_renew') }, { label: t('pp_managed_in') }],
      d.subscriptions.map((s) => [s.offer.name, badge(t(`sub_${s.status}`), SUB_KIND[s.status]), date(s.starts_on) || '—', date(s.expires_on) || '—',
        t(s.auto_renew ? 'auto_renew_on' : 'auto_renew_off'), s.managed_in === 'pmc' ? 'PMC' : t('app')]),
      { caption: t('pp_subscriptions'), empty: t('none_bought') }),
    h('h2', {}, t('pp_orders')),
    table([{ label: t('created') }, { label: t('offer') }, { label: t('pp_action') }, { label: t('method') }, { label: t('status') }, { label: t('total'), num: true }],
      d.orders.map((o) => [instant(o.created_at), o.offer.name, t(`pp_${o.action}`), t(o.payment.method === 'card' ? 'pay_card' : 'pay_wire'),
        badge(t(`os_${o.status}`), ORDER_KIND[o.status]), o.total.formatted]),
      { caption: t('pp_orders'), empty: t('pp_no_orders') }),
    h('h2', {}, t('nav_invoices')),
    table([{ label: t('number') }, { label: t('type') }, { label: t('issued_on') }, { label: t('status') }, { label: t('total'), num: true }],
      d.invoices.map((i) => [i.number, t(i.type), date(i.issued_on), invoiceStatus(i), i.total.formatted]),
      { caption: t('nav_invoices'), empty: t('no_invoices') }),
    h('h2', {}, t('pp_requests')),
    table([{ label: t('number') }, { label: t('title') }, { label: t('status') }, { label: t('created') }],
      d.requests.map((r) => [h('a', { href: `/console/support/${r.id}`, 'data-link': '' }, r.number), r.title, statusBadge(r.status), date(r.created_at)]),
      { caption: t('pp_requests'), empty: t('no_requests') }),
    d.audit ? [h('h2', {}, t('pp_audit')),
      table([{ label: t('created') }, { label: t('pp_event') }, { label: t('pp_object') }],
        d.audit.map((e) => [instant(e.at || e.created_at), e.action, `${e.object_type || ''} ${e.object_id || ''}`.trim()]),
        { caption: t('pp_audit'), empty: '—' })] : null);
}
