// pages/referrals.js - the requests customers sent from the directory: a list with a
// status filter and the counts, and one request with its answers (accept, decline with a
// reason, won, lost) and notes.
import { h, field, values, showErrors, table, badge, toast } from '../dom.js';
import { get, post } from '../api.js';
import { t, lang, instant, countryName } from '../i18n.js';
import { session } from '../session.js';

export const canReferrals = () => ['global_admin', 'account_admin', 'referral_manager'].some((r) => session.roles.includes(r));
const STATUSES = ['new', 'accepted', 'declined', 'expired', 'won', 'lost'];
const KIND = { new: 'warn', accepted: 'ok', won: 'ok', declined: 'grey', expired: 'grey', lost: 'bad' };
const statusBadge = (r) => badge(r.status_label[lang()], KIND[r.status]);

export async function referralsPage({ query, navigate }) {
  const status = query.get('status') || '';
  const r = await get(`/api/v1/referrals${status ? `?status=${status}` : ''}`);
  const filter = h('nav', { class: 'filters', 'aria-label': t('ref_filter') },
    h('a', { href: '/demandes-contact', 'data-link': '', 'aria-current': status ? null : 'page' }, t('ref_all')),
    STATUSES.map((s) => h('a', { href: `/demandes-contact?status=${s}`, 'data-link': '', 'aria-current': status === s ? 'page' : null }, `${t(`ref_status_${s}`)} (${r.counts[s]})`)));
  void navigate;
  return h('section', {}, h('h1', {}, t('nav_referrals')), filter,
    table([{ label: t('ref_received') }, { label: t('name') }, { label: t('ref_company') }, { label: t('state') }, { label: t('ref_respond_by') }],
      r.items.map((x) => [instant(x.created_at), h('a', { href: `/demandes-contact/${x.id}`, 'data-link': '' }, x.name || t('ref_erased')), x.company || '', statusBadge(x), x.status === 'new' ? instant(x.respond_by) : '']),
      { caption: t('nav_referrals'), empty: t('ref_none') }));
}

export async function referralPage({ params, render }) {
  const x = await get(`/api/v1/referrals/${encodeURIComponent(params.id)}`);
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const move = async (status, extra = {}) => {
    try {
      await post(`/api/v1/referrals/${x.id}/status`, { status, ...extra });
      toast(t(`ref_done_${status}`)); // of this one request: ref_status_* are the filters' plurals
      render();
    } catch (err) {
      showErrors(decline, err, notice);
    }
  };
  const decline = h('form', { class: 'stack', novalidate: true },
    field({ label: t('ref_reason'), name: 'reason', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, t('ref_decline'))));
  decline.addEventListener('submit', (e) => { e.preventDefault(); move('declined', { reason: values(decline).reason }); });
  const actions = x.status === 'new'
    ? [h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => move('accepted') }, t('ref_accept'))), h('details', {}, h('summary', {}, t('ref_decline')), decline)]
    : x.status === 'accepted'
      ? [h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => move('won') }, t('ref_mark_won')), h('button', { type: 'button', onclick: () => move('lost') }, t('ref_mark_lost')))]
      : [];
  const noteForm = h('form', { class: 'stack', novalidate: true },
    field({ label: t('ref_note'), name: 'body', type: 'textarea', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('ref_add_note'))));
  noteForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await post(`/api/v1/referrals/${x.id}/notes`, { body: values(noteForm).body }); render(); } catch (err) { showErrors(noteForm, err); }
  });
  const rows = [[t('ref_company'), x.company], [t('email'), x.email ? h('a', { href: `mailto:${x.email}` }, x.email) : null], [t('ref_phone'), x.phone],
    [t('country'), countryName(x.country)], [t('ref_received'), instant(x.created_at)], [t('ref_respond_by'), x.status === 'new' ? instant(x.respond_by) : null], [t('ref_reason'), x.decline_reason]];
  return h('section', {},
    h('p', {}, h('a', { href: '/demandes-contact', 'data-link': '' }, t('back'))),
    h('h1', {}, x.name || t('ref_erased'), ' ', statusBadge(x)),
    h('dl', { class: 'facts' }, rows.filter(([, v]) => v).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    x.need ? h('p', { class: 'prose' }, x.need) : null,
    notice, actions,
    h('h2', {}, t('ref_notes')),
    h('ul', {}, x.notes.map((n) => h('li', {}, h('strong', {}, n.author), ` · ${instant(n.created_at)} — `, n.body))),
    noteForm);
}
