// console/partners.js - the organisations of the network, newest first, a page at a time,
// searched by name, membership ID or VAT ID (one box; the server tells which it is).
import { h, mount } from '../dom.js';
import { t, date, countryName } from '../i18n.js';
import { pagedTable, searchBox } from '../pager.js';

export async function partnersPage(ctx) {
  const q = ctx.query.get('q') || '';
  const list = h('div', {});
  const columns = [{ label: t('membership_id') }, { label: t('legal_name') }, { label: t('country') }, { label: t('vat_id') }, { label: t('currency') }, { label: t('joined_on') }];
  mount(list, await pagedTable(`/api/v1/admin/partners${q ? `?q=${encodeURIComponent(q)}` : ''}`, columns,
    (p) => [p.membership_id, h('a', { href: `/console/partenaires/${encodeURIComponent(p.id)}`, 'data-link': '' }, p.legal_name), countryName(p.country), p.vat_id || '—', p.currency, date(p.created_at)],
    { caption: t('nav_partners'), empty: t('no_partners') }));
  return h('section', {},
    h('h1', {}, t('nav_partners')),
    searchBox({ id: 'partner-search', label: t('partners_search'), value: q,
      onSearch: (v) => ctx.navigate(`/console/partenaires${v ? `?q=${encodeURIComponent(v)}` : ''}`) }),
    list);
}
