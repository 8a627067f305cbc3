// console/partners.js - every organisation of the network.
import { h, table } from '../dom.js';
import { items } from '../api.js';
import { t, date, countryName } from '../i18n.js';

export async function partnersPage() {
  const partners = await items('/api/v1/admin/partners');
  return h('section', {},
    h('h1', {}, t('nav_partners')),
    table(
      [{ label: t('membership_id') }, { label: t('legal_name') }, { label: t('country') }, { label: t('vat_id') }, { label: t('currency') }, { label: t('joined_on') }],
      partners.map((p) => [p.membership_id, h('a', { href: `/console/partenaires/${encodeURIComponent(p.id)}`, 'data-link': '' }, p.legal_name), countryName(p.country), p.vat_id || '—', p.currency, date(p.created_at)]),
      { caption: t('nav_partners'), empty: t('no_partners') }));
}
