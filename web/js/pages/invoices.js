// pages/invoices.js - invoices and credit notes, each downloadable as its PDF.
import { h, table } from '../dom.js';
import { items } from '../api.js';
import { t, date } from '../i18n.js';

export async function invoicesPage() {
  const invoices = await items('/api/v1/invoices');
  return h('section', {},
    h('h1', {}, t('nav_invoices')),
    h('p', {}, t('invoices_intro')),
    table(
      [{ label: t('number') }, { label: t('type') }, { label: t('issued_on') }, { label: t('due_on') }, { label: t('total'), num: true }, { label: t('pdf') }],
      invoices.map((i) => [
        i.number,
        t(i.type),
        date(i.issued_on),
        i.type === 'invoice' ? date(i.due_on) : '',
        i.total.formatted,
        h('a', { href: i.pdf, download: `${i.number}.pdf`, 'aria-label': `${t('download_invoice')} ${i.number}` }, t('download_invoice')),
      ]),
      { caption: t('nav_invoices'), empty: t('no_invoices') }));
}
