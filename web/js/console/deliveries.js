// console/deliveries.js - what the outbox sent: emails and webhooks, their status,
// attempts and last error, filtered by kind and status.
import { h, badge } from '../dom.js';
import { pagedTable } from '../pager.js';
import { t, instant } from '../i18n.js';

const KIND = { pending: 'warn', sending: '', sent: 'ok', delivered: 'ok', failed: 'bad' };

export async function deliveriesPage(ctx) {
  const kind = ctx.query.get('type') === 'webhook' ? 'webhook' : 'email';
  const status = ctx.query.get('statut') || '';
  const go = (k, s) => ctx.navigate(`/console/envois?type=${k}&statut=${encodeURIComponent(s)}`);
  const kindSel = h('select', { id: 'kind-filter' },
    h('option', { value: 'email', selected: kind === 'email' }, 'E-mail'),
    h('option', { value: 'webhook', selected: kind === 'webhook' }, 'Webhook'));
  kindSel.addEventListener('change', () => go(kindSel.value, status));
  const statuses = kind === 'email' ? ['pending', 'sending', 'sent', 'failed'] : ['pending', 'sending', 'delivered', 'failed'];
  // « Tous » (les envois), where the support filters say « Toutes » (les demandes)
  const statusSel = h('select', { id: 'dstatus-filter' }, h('option', { value: '' }, t('all_m')),
    statuses.map((s) => h('option', { value: s, selected: s === status }, t(`d_${s}`))));
  statusSel.addEventListener('change', () => go(kind, statusSel.value));
  return h('section', {},
    h('h1', {}, t('nav_deliveries')),
    h('p', {}, t('deliveries_intro')),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'kind-filter' }, t('kind')), kindSel),
      h('div', { class: 'field' }, h('label', { for: 'dstatus-filter' }, t('status')), statusSel)),
    await pagedTable(`/api/v1/admin/deliveries?kind=${kind}${status ? `&status=${encodeURIComponent(status)}` : ''}`,
      [{ label: t('d_created') }, { label: t('event') }, { label: t('recipient') }, { label: t('status') }, { label: t('attempts'), num: true }, { label: t('last_error') }],
      (d) => [instant(d.created_at), d.event, d.recipient || d.endpoint_url, badge(t(`d_${d.status}`), KIND[d.status]), String(d.attempts), d.last_error || ''],
      { caption: t('nav_deliveries'), empty: t('no_deliveries') }));
}
