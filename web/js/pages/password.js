// pages/password.js - "forgot password": ask for a link by email, then the page that link
// opens to choose a new password (POST /api/v1/password-resets, docs/api.md).
import { h, field, values, showErrors, toast } from '../dom.js';
import { post, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { clearSession } from '../session.js';

const backToSignIn = (email) =>
  h('a', { href: `/connexion${email ? `?email=${encodeURIComponent(email)}` : ''}`, 'data-link': '' }, t('back_to_sign_in'));

/** The ask: one answer whatever the address, so the page says "if an account uses it". */
export function forgotPage(ctx) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('email'), name: 'email', type: 'email', required: true, autocomplete: 'username', value: ctx.query.get('email') || '' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('forgot_submit'))));
  const section = h('section', { class: 'card' }, h('h1', {}, t('forgot_title')), h('p', {}, t('forgot_text')), form,
    h('p', {}, backToSignIn(ctx.query.get('email'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const { email } = values(form);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      await post('/api/v1/password-resets', { email }, { quiet: true });
      const sent = h('p', { class: 'notice ok', role: 'status', tabindex: '-1' }, t('forgot_sent', { email }));
      form.replaceWith(sent);
      sent.focus();
    } catch (err) {
      button.disabled = false;
      showErrors(form, err, notice);
    }
  });
  return section;
}

/** The emailed link's page: a new password, twice. Every session ends with it. */
export function resetPage(ctx) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const again = h('p', { hidden: true }, h('a', { href: '/mot-de-passe-oublie', 'data-link': '' }, t('reset_ask_again')));
  const fields = h('div', { class: 'fields' },
    field({ label: t('reset_new_password'), name: 'password', type: 'password', required: true, hint: t('password_hint'), autocomplete: 'new-password' }),
    field({ label: t('password_again'), name: 'again', type: 'password', required: true, autocomplete: 'new-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('reset_submit'))));
  const form = h('form', { class: 'stack', novalidate: true }, notice, again, fields);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    if (v.password !== v.again) return showErrors(form, { message: '', details: { fields: { again: t('passwords_differ') } } }, notice);
    try {
      const user = await post(`/api/v1/password-resets/${encodeURIComponent(ctx.params.token)}`, { password: v.password }, { quiet: true });
      clearSession(); // every session of the user ended, this browser's too
      toast(t('reset_done'));
      ctx.navigate(`/connexion?email=${encodeURIComponent(user.email || '')}`);
    } catch (err) {
      // a dead link: nothing to type any more, only a new link to ask for
      const dead = err instanceof ApiError && err.code === 'password_reset_invalid';
      again.hidden = !dead;
      fields.hidden = dead;
      showErrors(form, err, notice);
    }
  });
  return h('section', { class: 'card' }, h('h1', {}, t('reset_title')), h('p', {}, t('reset_text')), form);
}
