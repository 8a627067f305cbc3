// console/dashboard.js - the program at a glance: renewals falling due in the next 12
// weeks (automatic or by hand) and what was invoiced each month, net of credit notes.
import { h } from '../dom.js';
import { get, items, allItems } from '../api.js';
import { t, date, dayMonth, month, money, currencyDigits } from '../i18n.js';
import { can } from '../session.js';
import { barChart } from './chart.js';
import { funnelSection } from './funnel.js';

function kpi(label, value, href) {
  return h('div', { class: 'card' },
    h('div', { class: 'muted' }, label),
    h('div', { class: 'value' }, href ? h('a', { href, 'data-link': '' }, String(value)) : String(value)));
}

export async function dashboardPage() {
  const d = await get('/api/v1/admin/dashboard');
  // counted by the server (kept, or indexed counts): the lists are pages, never downloaded to count
  const n = d.counts;
  const counts = [kpi(t('partners_count'), n.partners, '/console/partenaires')];
  if (can.payments()) {
    counts.push(kpi(t('awaiting_count'), n.awaiting_payment, '/console/virements'));
    counts.push(kpi(t('refunds_to_pay'), n.refunds_to_pay, '/console/virements'));
  }
  if (can.queue()) counts.push(kpi(t('open_requests'), n.open_requests, '/console/support'));
  // benefits (issue 18): key pools under the low-stock threshold
  const lowPools = (await allItems('/api/v1/admin/key-pools')).filter((p) => p.low); // a pool a product: few
  counts.push(kpi(t('ben_low_pools'), lowPools.length, '/console/avantages'));

  const weeks = d.renewals_due;
  const renewals = barChart({
    id: 'chart-renewals',
    title: t('renewals_due'),
    labels: weeks.map((w) => dayMonth(w.week_of)),
    integer: true,
    series: [{ name: t('automatic'), values: weeks.map((w) => w.automatic) }, { name: t('manual'), values: weeks.map((w) => w.manual) }],
    stacked: true,
    format: (n) => String(Math.round(n)),
  });
  // one series per currency, in major units for the axis
  const currencies = [...new Set(d.revenue.map((r) => r.currency))];
  if (currencies.length === 0) currencies.push('EUR');
  const series = currencies.map((c) => ({
    name: c,
    values: d.months.map((m) => (d.revenue.find((r) => r.month === m && r.currency === c)?.amount_minor || 0) / 10 ** currencyDigits(c)),
  }));
  const revenue = barChart({
    id: 'chart-revenue',
    title: t('revenue'),
    labels: d.months.map(month),
    series,
    format: (n) => (currencies.length === 1 ? money(Math.round(n * 10 ** currencyDigits(currencies[0])), currencies[0], { whole: true }) : String(Math.round(n))),
  });
  return h('section', {},
    h('h1', {}, t('nav_dashboard')),
    h('p', {}, t('console_intro'), ' ', h('span', { class: 'muted' }, t('today_is', { date: date(d.today) }))),
    lowPools.length ? h('p', { class: 'notice warn', role: 'status' }, t('ben_low_pools_notice', { products: lowPools.map((p) => p.product).join(', ') })) : null,
    h('div', { class: 'kpis' }, counts),
    h('div', { class: 'charts' }, renewals, revenue),
    await funnelSection());
}
