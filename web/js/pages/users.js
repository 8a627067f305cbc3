// pages/users.js - the organisation's users and their roles; a global admin invites,
// changes roles and removes (never the last global admin: the server says so).
import { h, mount, field, checkbox, values, showErrors, table, badge, toast, confirmDialog } from '../dom.js';
import { post, patch, del, allItems } from '../api.js';
import { t, lang } from '../i18n.js';
import { can, session } from '../session.js';

const ROLES = ['global_admin', 'account_admin', 'billing_admin', 'user', 'referral_manager'];

function roleBoxes(prefix, chosen) {
  return h('fieldset', { dataset: { field: 'roles' } },
    h('legend', {}, t('roles')),
    ROLES.map((r) => checkbox({ label: t(`role_${r}`), name: `${prefix}${r}`, checked: chosen.includes(r), hint: `(${t(`role_hint_${r}`)})` })),
    h('div', { class: 'error' }));
}

const chosenRoles = (v, prefix) => ROLES.filter((r) => v[`${prefix}${r}`]);

function inviteForm(done) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const result = h('div', {});
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('name'), name: 'name', required: true }),
    field({ label: t('email'), name: 'email', type: 'email', required: true }),
    roleBoxes('new_', ['user']),
    field({ label: t('language'), name: 'locale', type: 'select', value: lang(), required: true, options: [['fr', 'Français'], ['en', 'English']] }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('invite_submit'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    try {
      const r = await post('/api/v1/users', { name: v.name, email: v.email, roles: chosenRoles(v, 'new_'), locale: v.locale });
      const link = `${location.origin}/invitations/${r.invitation.token}`;
      mount(result, h('div', { class: 'notice ok', role: 'status' },
        h('p', {}, t('invited', { email: r.user.email })),
        h('p', {}, t('invitation_link')),
        h('code', { class: 'secret' }, link)));
      form.reset();
      done();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return [form, result];
}

function editRow(u, done) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const prefix = `${u.id}_`;
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    roleBoxes(prefix, u.roles),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('save')),
      u.id !== session.me.id ? h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!(await confirmDialog({ title: t('remove_title', { name: u.name }), text: t('remove_text'), ok: t('remove_user'), cancel: t('cancel'), danger: true }))) return;
        try { await del(`/api/v1/users/${u.id}`); toast(t('user_removed')); done(); } catch (err) { showErrors(form, err, notice); }
      } }, t('remove_user')) : null));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await patch(`/api/v1/users/${u.id}`, { roles: chosenRoles(values(form), prefix) });
      toast(t('roles_saved'));
      done();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return h('details', {}, h('summary', {}, t('edit_roles')), form);
}

export async function usersPage() {
  const list = h('div', {});
  const draw = async () => {
    const users = await allItems('/api/v1/users');
    mount(list, table(
      [{ label: t('name') }, { label: t('email') }, { label: t('roles') }, { label: t('state') }, { label: t('two_factor') }, ...(can.usersWrite() ? [{ label: '' }] : [])],
      users.map((u) => [
        u.name, u.email, u.roles.map((r) => t(`role_${r}`)).join(', '),
        badge(u.status === 'active' ? t('active') : t('invited_state'), u.status === 'active' ? 'ok' : 'warn'),
        u.totp_enabled ? t('yes') : t('no'),
        ...(can.usersWrite() ? [editRow(u, draw)] : []),
      ]),
      { caption: t('nav_users') }));
  };
  await draw();
  return h('section', {},
    h('h1', {}, t('nav_users')),
    h('p', {}, t('users_intro')),
    list,
    can.usersWrite() ? [h('h2', {}, t('invite')), inviteForm(draw)] : null);
}
