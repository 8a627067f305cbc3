// pages/auth.js - sign in (with a second factor, or a link to pages/password.js when the
// password is forgotten), join the network, accept an invitation.
import { h, field, values, showErrors, toast } from '../dom.js';
import { post, setCsrf, ApiError } from '../api.js';
import { t, lang } from '../i18n.js';
import { loadSession, session } from '../session.js';

/** Where to go after signing in: ?next= when it is a page of the portal. */
function after(ctx) {
  const next = ctx.query.get('next');
  if (next && next.startsWith('/') && !next.startsWith('//')) return next;
  return session.staff ? '/console' : '/offres';
}

export function signInPage(ctx) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const second = h('div', { hidden: true },
    field({ label: t('totp'), name: 'totp_code', hint: t('totp_hint'), autocomplete: 'one-time-code', attrs: { inputmode: 'numeric' } }),
    h('button', { type: 'button', class: 'link', onclick: () => {
      recovery.hidden = false;
      recovery.querySelector('input').focus();
    } }, t('use_recovery')));
  const recovery = h('div', { hidden: true }, field({ label: t('recovery'), name: 'recovery_code', autocomplete: 'off' }));
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('email'), name: 'email', type: 'email', required: true, autocomplete: 'username', value: ctx.query.get('email') || '' }),
    field({ label: t('password'), name: 'password', type: 'password', required: true, autocomplete: 'current-password' }),
    h('p', { class: 'forgot' }, h('a', { href: '/mot-de-passe-oublie', 'data-link': '', onclick: (e) => {
      // the address typed so far goes along, so it need not be typed again
      const email = form.querySelector('input[name="email"]').value;
      if (email) e.currentTarget.setAttribute('href', `/mot-de-passe-oublie?email=${encodeURIComponent(email)}`);
    } }, t('forgot_link'))),
    second, recovery,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('sign_in'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    const body = { email: v.email, password: v.password };
    if (v.totp_code) body.totp_code = v.totp_code;
    if (v.recovery_code) body.recovery_code = v.recovery_code;
    try {
      const r = await post('/api/v1/sessions', body, { quiet: true });
      setCsrf(r.csrf_token);
      await loadSession();
      if (r.second_factor_enrolment_required) {
        toast(t('enrol_required'));
        return ctx.navigate('/compte');
      }
      ctx.navigate(after(ctx));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'second_factor_required') {
        second.hidden = false;
        showErrors(form, null);
        notice.className = 'notice';
        notice.textContent = t('second_factor_needed');
        second.querySelector('input').focus();
        return;
      }
      showErrors(form, err, notice);
    }
  });
  return h('section', { class: 'card' },
    h('h1', {}, t('sign_in')),
    form,
    h('p', {}, t('no_account'), ' ', h('a', { href: '/rejoindre', 'data-link': '' }, t('join'))));
}

// ISO 3166-1 codes a partner is likely to come from; the server accepts any valid code.
const COUNTRIES = ['FR', 'BE', 'LU', 'CH', 'DE', 'AT', 'NL', 'IT', 'ES', 'PT', 'IE', 'DK', 'SE', 'FI', 'PL', 'CZ', 'GR',
  'RO', 'HU', 'SK', 'SI', 'HR', 'BG', 'EE', 'LV', 'LT', 'CY', 'MT', 'GB', 'NO', 'US', 'CA', 'MA', 'TN', 'SN', 'CI', 'JP', 'AU'];

function countryOptions() {
  const names = new Intl.DisplayNames([lang() === 'fr' ? 'fr-FR' : 'en-GB'], { type: 'region' });
  return COUNTRIES.map((c) => [c, names.of(c)]).sort((a, b) => a[1].localeCompare(b[1], lang()));
}

export function joinPage(ctx) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('company'), name: 'company', required: true, autocomplete: 'organization' }),
    field({ label: t('country'), name: 'country', type: 'select', value: 'FR', required: true, options: countryOptions() }),
    field({ label: t('address1'), name: 'address.line1', required: true, autocomplete: 'address-line1' }),
    field({ label: t('address2'), name: 'address.line2', autocomplete: 'address-line2' }),
    h('div', { class: 'row' },
      field({ label: t('postal_code'), name: 'address.postal_code', required: true, autocomplete: 'postal-code' }),
      field({ label: t('city'), name: 'address.city', required: true, autocomplete: 'address-level2' })),
    field({ label: t('vat_id'), name: 'vat_id', hint: t('vat_hint') }),
    field({ label: t('siren'), name: 'siren', hint: t('siren_hint'), attrs: { inputmode: 'numeric' } }),
    field({ label: t('language'), name: 'locale', type: 'select', value: lang(), required: true, options: [['fr', 'Français'], ['en', 'English']] }),
    h('fieldset', {},
      h('legend', {}, lang() === 'fr' ? 'Administrateur général' : 'Global admin'),
      field({ label: t('admin_name'), name: 'admin.name', required: true, autocomplete: 'name' }),
      field({ label: t('admin_email'), name: 'admin.email', type: 'email', required: true, autocomplete: 'email' }),
      field({ label: t('password'), name: 'admin.password', type: 'password', required: true, hint: t('password_hint'), autocomplete: 'new-password' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('join_submit'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    const body = {
      company: v.company, country: v.country, locale: v.locale,
      address: { line1: v['address.line1'], postal_code: v['address.postal_code'], city: v['address.city'] },
      admin: { name: v['admin.name'], email: v['admin.email'], password: v['admin.password'] },
    };
    if (v['address.line2']) body.address.line2 = v['address.line2'];
    if (v.vat_id) body.vat_id = v.vat_id;
    if (v.siren) body.siren = v.siren;
    try {
      const r = await post('/api/v1/partners', body, { quiet: true });
      const s = await post('/api/v1/sessions', { email: body.admin.email, password: body.admin.password }, { quiet: true });
      setCsrf(s.csrf_token);
      await loadSession();
      toast(t('joined', { id: r.partner.membership_id }));
      ctx.navigate('/offres');
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return h('section', {},
    h('h1', {}, t('join_title')),
    form,
    h('p', {}, t('have_account'), ' ', h('a', { href: '/connexion', 'data-link': '' }, t('sign_in'))));
}

export function invitationPage(ctx) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('password'), name: 'password', type: 'password', required: true, hint: t('password_hint'), autocomplete: 'new-password' }),
    field({ label: t('password_again'), name: 'again', type: 'password', required: true, autocomplete: 'new-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('save'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    if (v.password !== v.again) return showErrors(form, { message: '', details: { fields: { again: t('passwords_differ') } } }, notice);
    try {
      const user = await post(`/api/v1/invitations/${encodeURIComponent(ctx.params.token)}/accept`, { password: v.password }, { quiet: true });
      toast(t('invitation_done'));
      ctx.navigate(`/connexion?email=${encodeURIComponent(user.email || '')}`);
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return h('section', {}, h('h1', {}, t('invitation_title')), h('p', {}, t('invitation_text')), form);
}
