// pages/invoices.js - invoices and credit notes, each downloadable as its PDF.
import { h, table, badge } from '../dom.js';
import { allItems } from '../api.js';
import { t, date } from '../i18n.js';

const STATUS_KIND = { paid: 'ok', due: 'warn', cancelled: 'grey' };

/** Where an invoice stands, in words: « Payée le … », « À payer avant le … », « Annulée ». */
export function invoiceStatus(i) {
  if (i.type !== 'invoice') return '';
  if (i.status === 'paid') return badge(i.paid_on ? t('inv_paid_on', { date: date(i.paid_on) }) : t('inv_paid'), 'ok');
  if (i.status === 'due') return badge(t('inv_due', { date: date(i.due_on) }), STATUS_KIND.due);
  if (i.status === 'cancelled') return badge(t('inv_cancelled'), STATUS_KIND.cancelled);
  return '';
}

export async function invoicesPage() {
  const invoices = await allItems('/api/v1/invoices');
  return h('section', {},
    h('h1', {}, t('nav_invoices')),
    h('p', {}, t('invoices_intro')),
    table(
      [{ label: t('number') }, { label: t('type') }, { label: t('issued_on') }, { label: t('status') }, { label: t('total'), num: true }, { label: t('pdf') }],
      invoices.map((i) => {
        const what = i.type === 'invoice' ? 'download_invoice' : 'download_credit_note';
        return [
          i.number,
          t(i.type),
          date(i.issued_on),
          invoiceStatus(i),
          i.total.formatted,
          h('a', { href: i.pdf, download: `${i.number}.pdf`, 'aria-label': `${t(what)} ${i.number}` }, t(what)),
        ];
      }),
      { caption: t('nav_invoices'), empty: t('no_invoices') }));
}
