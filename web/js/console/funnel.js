// console/funnel.js - the referral funnel on the console's dashboard: overall and per
// partner, as an SVG chart and its table.
import { h, table } from '../dom.js';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { barChart } from './chart.js';

const STAGES = ['received', 'accepted', 'won', 'declined', 'expired', 'lost'];

export async function funnelSection() {
  const f = await get('/api/v1/admin/referrals/funnel');
  const chart = barChart({
    id: 'chart-funnel',
    title: t('funnel_title'),
    labels: STAGES.map((s) => t(`funnel_${s}`)),
    integer: true,
    series: [{ name: t('funnel_overall'), values: STAGES.map((s) => f.overall[s]) }],
    format: (n) => String(Math.round(n)),
  });
  return h('section', { class: 'funnel' },
    h('h2', {}, t('funnel_title')),
    h('div', { class: 'charts' }, chart),
    table([{ label: t('nav_partners') }, ...STAGES.map((s) => ({ label: t(`funnel_${s}`), num: true }))],
      f.partners.map((p) => [p.name, ...STAGES.map((s) => String(p[s]))]),
      { caption: t('funnel_by_partner'), empty: t('funnel_none') }));
}
