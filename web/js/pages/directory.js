// pages/directory.js - the public partner directory (no sign-in): a search with filters,
// ordered by level then relevance, a page per partner with the referral form, and the
// customer's two email links (confirm the request, erase their data).
import { h, mount, field, checkbox, values, showErrors, badge } from '../dom.js';
import { get, post } from '../api.js';
import { t, lang, countryName } from '../i18n.js';

let catalog = null;
async function loadCatalog() {
  catalog = catalog || (await get('/api/v1/directory/catalog'));
  return catalog;
}
const label = (list, code) => list.find((e) => e.code === code)?.[lang()] || code;
const levelBadge = (level) => (level ? badge(t(`level_${level}`), level === 'gold' ? 'warn' : level === 'silver' ? 'ok' : 'grey') : null);

function card(p, cat) {
  return h('li', { class: 'card partner' },
    p.logo_url ? h('img', { src: p.logo_url, alt: '', class: 'logo', width: 48, height: 48 }) : null,
    h('h2', {}, h('a', { href: `/annuaire/${p.slug}`, 'data-link': '' }, p.name), ' ', levelBadge(p.level)),
    h('p', {}, p.description[lang()] || p.description.fr || p.description.en),
    h('p', { class: 'muted' }, [...p.services.map((s) => label(cat.services, s)), ...p.countries.map(countryName)].join(' · ')));
}

export async function directoryPage({ query, navigate }) {
  const cat = await loadCatalog();
  const opts = (list) => [['', t('dir_any')], ...list.map((e) => [e.code, e[lang()]])];
  // « Tous » agrees with secteurs, services and niveaux, « Toutes » with langues
  const form = h('form', { class: 'stack search', role: 'search' },
    field({ label: t('dir_search'), name: 'q', type: 'search', value: query.get('q') || '' }),
    h('div', { class: 'filters' },
      field({ label: t('country'), name: 'country', value: query.get('country') || '', attrs: { maxlength: 2, size: 3 } }),
      field({ label: t('dir_industry'), name: 'industry', type: 'select', value: query.get('industry') || '', options: opts(cat.industries) }),
      field({ label: t('dir_service'), name: 'service', type: 'select', value: query.get('service') || '', options: opts(cat.services) }),
      field({ label: t('dir_level'), name: 'level', type: 'select', value: query.get('level') || '', options: [['', t('dir_any')], ['gold', 'Gold'], ['silver', 'Silver'], ['member', t('level_member')]] }),
      field({ label: t('language'), name: 'language', type: 'select', value: query.get('language') || '', options: [['', t('dir_any_f')], ['fr', 'Français'], ['en', 'English']] }),
      field({ label: t('dir_order'), name: 'order', type: 'select', value: query.get('order') || 'level', options: [['level', t('dir_order_level')], ['relevance', t('dir_order_relevance')]] })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('dir_search_submit'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = values(form);
    const qs = new URLSearchParams(Object.entries(v).filter(([, x]) => x && !(x === 'level' && v.order === x)).map(([k, x]) => [k, k === 'country' ? x.toUpperCase() : x]));
    navigate(`/annuaire${qs.size ? `?${qs}` : ''}`);
  });
  const list = h('ul', { class: 'cards', 'aria-live': 'polite' });
  const more = h('div', { class: 'actions' });
  const params = new URLSearchParams(query);
  const page = async (cursor) => {
    if (cursor) params.set('cursor', cursor);
    const r = await get(`/api/v1/directory/partners?${params}`);
    list.append(...r.items.map((p) => card(p, cat)));
    if (!cursor && r.items.length === 0) list.append(h('li', {}, t('dir_none')));
    mount(more, r.next_cursor ? h('button', { type: 'button', onclick: () => page(r.next_cursor) }, t('dir_more')) : null);
  };
  await page(null);
  return h('section', {}, h('h1', {}, t('nav_directory')), h('p', {}, t('dir_intro')), form, list, more);
}

function referralForm(p) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('name'), name: 'name', required: true, autocomplete: 'name' }),
    field({ label: t('ref_company'), name: 'company', required: true, autocomplete: 'organization' }),
    field({ label: t('email'), name: 'email', type: 'email', required: true, autocomplete: 'email' }),
    field({ label: t('ref_phone'), name: 'phone', type: 'tel', autocomplete: 'tel' }),
    field({ label: t('country'), name: 'country', required: true, value: 'FR', attrs: { maxlength: 2, size: 3 } }),
    field({ label: t('ref_need'), name: 'need', type: 'textarea', required: true }),
    checkbox({ label: t('ref_consent', { name: p.name }), name: 'consent' }),
    // a field people never see: robots fill it (the server keeps nothing then)
    h('div', { class: 'honeypot', 'aria-hidden': 'true' }, h('label', {}, 'Website', h('input', { name: 'website', tabindex: '-1', autocomplete: 'off' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('ref_send'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    try {
      await post(`/api/v1/directory/partners/${p.slug}/referrals`, { ...v, country: (v.country || '').toUpperCase(), consent: !!v.consent, lang: lang(), phone: v.phone || undefined });
      mount(form, h('div', { class: 'notice ok', role: 'status', tabindex: '-1' }, h('p', {}, t('ref_sent'))));
      form.firstChild.focus();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return form;
}

export async function partnerPage({ params }) {
  const [p, cat] = await Promise.all([get(`/api/v1/directory/partners/${encodeURIComponent(params.slug)}`), loadCatalog()]);
  const dl = (rows) => h('dl', { class: 'facts' }, rows.filter(([, v]) => v).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  return h('section', {},
    h('p', {}, h('a', { href: '/annuaire', 'data-link': '' }, t('dir_back'))),
    h('div', { class: 'partner-head' },
      p.logo_url ? h('img', { src: p.logo_url, alt: t('dir_logo_of', { name: p.name }), class: 'logo', width: 72, height: 72 }) : null,
      h('h1', {}, p.name, ' ', levelBadge(p.level))),
    h('p', { class: 'prose' }, p.description[lang()] || p.description.fr || p.description.en),
    dl([
      [t('dir_industry'), p.industries.map((c) => label(cat.industries, c)).join(', ')],
      [t('dir_service'), p.services.map((c) => label(cat.services, c)).join(', ')],
      [t('dir_countries'), p.countries.map(countryName).join(', ')],
      [t('language'), p.languages.join(', ')],
      [t('dir_size'), p.company_size],
      [t('dir_website'), p.website ? h('a', { href: p.website, rel: 'noopener nofollow' }, p.website) : null],
    ]),
    h('h2', {}, t('ref_title')), h('p', {}, t('ref_intro')), referralForm(p));
}

/** The page of an emailed link: one button, so a mail scanner opening the link does nothing. */
function linkPage(title, text, button, path, done) {
  return async ({ query }) => {
    const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
    const out = h('div', {});
    const go = h('button', { type: 'button', class: 'primary', onclick: async () => {
      try {
        await post(path, { token: query.get('token') || '' });
        mount(out, h('div', { class: 'notice ok', role: 'status', tabindex: '-1' }, t(done)));
        go.remove();
        out.firstChild.focus();
      } catch (err) {
        mount(notice, err.message);
        notice.focus();
      }
    } }, t(button));
    return h('section', {}, h('h1', {}, t(title)), h('p', {}, t(text)), notice, go, out);
  };
}

export const confirmPage = linkPage('ref_confirm_title', 'ref_confirm_text', 'ref_confirm_button', '/api/v1/referral-links/confirmation', 'ref_confirmed');
export const erasePage = linkPage('ref_erase_title', 'ref_erase_text', 'ref_erase_button', '/api/v1/referral-links/erasure', 'ref_erased');
