// pages/company.js - the company profile shown in the directory: a draft the global and
// account admins edit, its logo, and « Publier », which copies the draft into the
// directory. The level is never typed: it comes from the active subscriptions.
import { h, mount, field, checkbox, values, showErrors, badge, toast } from '../dom.js';
import { get, put, post, del, api } from '../api.js';
import { t, lang, instant } from '../i18n.js';
import { session } from '../session.js';

export const canEditProfile = () => ['global_admin', 'account_admin'].some((r) => session.roles.includes(r));

const SIZES = ['1-9', '10-49', '50-249', '250-999', '1000+'];
const csv = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);

export async function companyPage({ render }) {
  const [p, cat] = await Promise.all([get('/api/v1/company-profile'), get('/api/v1/directory/catalog')]);
  const d = p.draft;
  const editable = canEditProfile();
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const boxes = (kind, list, chosen) => h('fieldset', { dataset: { field: kind } },
    h('legend', {}, t(`dir_${kind}`)),
    list.map((e) => checkbox({ label: e[lang()], name: `${kind}:${e.code}`, checked: chosen.includes(e.code) })),
    h('div', { class: 'error' }));
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('prof_name'), name: 'name', value: d.name, required: true }),
    field({ label: t('prof_description_fr'), name: 'description_fr', type: 'textarea', value: d.description_fr }),
    field({ label: t('prof_description_en'), name: 'description_en', type: 'textarea', value: d.description_en }),
    field({ label: t('dir_website'), name: 'website', type: 'url', value: d.website || '' }),
    boxes('industries', cat.industries, d.industries),
    boxes('services', cat.services, d.services),
    field({ label: t('dir_countries'), name: 'countries', value: d.countries.join(', '), hint: t('prof_countries_hint') }),
    field({ label: t('prof_languages'), name: 'languages', value: d.languages.join(', '), hint: t('prof_languages_hint') }),
    field({ label: t('dir_size'), name: 'company_size', type: 'select', value: d.company_size || '', options: [['', '—'], ...SIZES.map((s) => [s, s])] }),
    field({ label: t('prof_referral_email'), name: 'referral_email', type: 'email', value: d.referral_email || '', hint: t('prof_referral_email_hint') }),
    editable ? h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('prof_save_draft'))) : null);
  if (!editable) for (const el of form.elements) el.disabled = true;
  const body = () => {
    const v = values(form);
    const chosen = (kind) => Object.keys(v).filter((k) => k.startsWith(`${kind}:`) && v[k]).map((k) => k.slice(kind.length + 1));
    return {
      name: v.name, description_fr: v.description_fr, description_en: v.description_en, website: v.website || null,
      industries: chosen('industries'), services: chosen('services'), countries: csv(v.countries.toUpperCase()), languages: csv(v.languages.toLowerCase()),
      company_size: v.company_size || null, referral_email: v.referral_email || null,
    };
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await put('/api/v1/company-profile', body());
      toast(t('prof_saved'));
      render();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  const logoNotice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const logoInput = h('input', { type: 'file', id: 'logo-file', accept: 'image/png,image/jpeg' });
  const logo = h('div', { class: 'stack' },
    h('h2', {}, t('prof_logo')),
    d.logo_url ? h('img', { src: d.logo_url, alt: t('dir_logo_of', { name: d.name }), class: 'logo', width: 96, height: 96 }) : h('p', { class: 'muted' }, t('prof_no_logo')),
    editable ? [h('label', { for: 'logo-file' }, t('prof_logo_hint')), logoInput, logoNotice] : null);
  logoInput.addEventListener('change', async () => {
    const file = logoInput.files[0];
    if (!file) return;
    try {
      await api('PUT', '/api/v1/company-profile/logo', file, { type: file.type || 'application/octet-stream' });
      toast(t('prof_logo_saved'));
      render();
    } catch (err) {
      logoNotice.className = 'notice bad';
      logoNotice.textContent = err.details?.fields?.file ? `${err.message} ${err.details.fields.file}` : err.message;
      logoNotice.focus();
    }
  });
  const state = h('div', { class: 'notice', role: 'status' },
    h('p', {}, p.level ? [t('prof_level'), ' ', badge(t(`level_${p.level}`), p.level === 'gold' ? 'warn' : 'ok')] : t('prof_no_level')),
    p.published
      ? h('p', {}, t('prof_published_at', { at: instant(p.published.published_at) }), ' ', p.listed ? h('a', { href: `/annuaire/${p.slug}`, 'data-link': '' }, t('prof_see_page')) : h('strong', {}, t('prof_not_listed')))
      : h('p', {}, t('prof_unpublished')));
  const publish = editable ? h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'primary', onclick: async () => {
      try {
        await put('/api/v1/company-profile', body());
        await post('/api/v1/company-profile/publication', {});
        toast(t('prof_published'));
        render();
      } catch (err) {
        showErrors(form, err, notice);
      }
    } }, 'Publier'),
    p.published ? h('button', { type: 'button', onclick: async () => { await del('/api/v1/company-profile/publication'); render(); } }, t('prof_unpublish')) : null) : null;
  return h('section', {}, h('h1', {}, t('nav_company_profile')), h('p', {}, t('prof_intro')), state, form, logo, publish);
}
void mount;
