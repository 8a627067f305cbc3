// console/benefits.js - « Avantages » of the console: usage per partner and per product
// (with its CSV export), the key pools with their counts and the low-stock threshold,
// and, for operators, loading keys from a CSV file into a pool.
import { h, badge, toast, field } from '../dom.js';
import { get, api } from '../api.js';
import { t } from '../i18n.js';
import { pagedTable } from '../pager.js';
import { can } from '../session.js';

function loadForm(ctx) {
  const file = h('input', { type: 'file', id: 'keys-file', accept: '.csv,text/csv,text/plain', required: true });
  const product = field({ label: t('ben_product'), name: 'product', required: true, hint: t('ben_product_hint') });
  const form = h('form', { class: 'stack', novalidate: true },
    h('h2', {}, t('ben_load_title')),
    product,
    h('div', { class: 'field' }, h('label', { for: 'keys-file' }, t('ben_keys_file')), file),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('ben_load'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = product.querySelector('input').value.trim();
    if (!code || !file.files[0]) return toast(t('ben_load_missing'));
    try {
      const r = await api('POST', `/api/v1/admin/key-pools/${encodeURIComponent(code)}/keys`, await file.files[0].text(), { type: 'text/csv' });
      toast(t('ben_loaded', { loaded: r.loaded, duplicates: r.duplicates, served: r.served }));
      ctx.render();
    } catch (err) {
      toast(err.message);
    }
  });
  return form;
}

export async function benefitsConsolePage(ctx) {
  // both lists a page at a time, with "load more" (pager.js); the threshold comes with the pools
  const { low_stock_threshold: threshold } = await get('/api/v1/admin/key-pools?limit=1');
  const [pools, usage] = await Promise.all([
    pagedTable('/api/v1/admin/key-pools',
      [{ label: t('ben_product') }, { label: t('ben_total'), num: true }, { label: t('ben_free'), num: true }, { label: t('ben_assigned'), num: true }, { label: t('ben_waiting'), num: true }, { label: t('status') }],
      (p) => [p.product, String(p.total), String(p.free), String(p.assigned), String(p.queued_requests), p.low ? badge(t('ben_low'), 'bad') : badge(t('ben_ok'), 'ok')],
      { caption: t('ben_pools'), empty: t('ben_no_pool') }),
    pagedTable('/api/v1/admin/benefits/usage',
      [{ label: t('ben_partner') }, { label: t('ben_product') }, { label: t('ben_benefit') }, { label: t('ben_granted'), num: true }, { label: t('ben_used'), num: true }],
      (u) => [u.partner, u.product, u.name, String(u.granted), String(u.used)],
      { caption: t('ben_usage'), empty: t('ben_no_usage') }),
  ]);
  return h('section', {},
    h('h1', {}, t('nav_benefits_console')),
    h('h2', {}, t('ben_pools')),
    h('p', { class: 'muted' }, t('ben_threshold', { n: threshold })),
    pools,
    can.benefitsWrite() ? loadForm(ctx) : null,
    h('h2', {}, t('ben_usage')),
    h('p', {}, h('a', { class: 'button', href: '/api/v1/admin/benefits/usage?format=csv', download: 'benefits-usage.csv' }, t('ben_export_csv'))),
    usage);
}
