// pages/profile.js - the company profile (identity, certified people, the card kept for
// automatic renewal, the second-factor rule) and my account (password, second factor).
import { h, mount, field, checkbox, values, showErrors, table, toast } from '../dom.js';
import { get, post, patch, put, del, items, allItems } from '../api.js';
import { t, countryName } from '../i18n.js';
import { cardElement } from '../gateway/index.js';
import { can, session, loadSession } from '../session.js';

function noticeBox() {
  return h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
}

function certifiedSection() {
  const box = h('div', {});
  const draw = async () => {
    const people = await allItems('/api/v1/certified-people'); // an organisation's: small
    const notice = noticeBox();
    const form = h('form', { class: 'stack', novalidate: true },
      notice,
      h('div', { class: 'row' },
        field({ label: t('name'), name: 'name', required: true }),
        field({ label: t('email'), name: 'email', type: 'email', required: true }),
        field({ label: t('certification'), name: 'certification', required: true })),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('add_person'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await post('/api/v1/certified-people', values(form));
        toast(t('person_added'));
        draw();
      } catch (err) {
        showErrors(form, err, notice);
      }
    });
    mount(box,
      table([{ label: t('name') }, { label: t('email') }, { label: t('certification') }, ...(can.certifiedWrite() ? [{ label: '' }] : [])],
        people.map((p) => [p.name, p.email, p.certification,
          ...(can.certifiedWrite() ? [h('button', { type: 'button', class: 'danger', onclick: async () => {
            try { await del(`/api/v1/certified-people/${p.id}`); toast(t('person_removed')); draw(); } catch (err) { toast(err.message); }
          } }, t('remove_user'))] : [])]),
        { caption: t('certified'), empty: '—' }),
      can.certifiedWrite() ? form : null);
  };
  return { box, draw };
}

/** Back from the bank's challenge about a new card (?carte=<payment method>): the card is
 * replaced again, saved now that the challenge is passed (or refused: the reason shown). */
async function cardReturn(notice) {
  const params = new URLSearchParams(location.search);
  const pm = params.get('carte');
  if (!pm) return;
  params.delete('carte');
  history.replaceState(history.state, '', location.pathname + (params.size ? `?${params}` : ''));
  try {
    const r = await put('/api/v1/payment-method', { payment_method: pm });
    if (!r?.next_action) toast(t('card_saved'));
  } catch (err) {
    mount(notice, h('p', { class: 'notice bad', role: 'alert' }, err.message));
  }
}

function cardSection() {
  const box = h('div', {});
  const returned = h('div', {});
  const draw = async () => {
    await cardReturn(returned);
    const { card } = await get('/api/v1/payment-method');
    const notice = noticeBox();
    const element = cardElement();
    const form = h('form', { class: 'stack', novalidate: true },
      notice,
      element.node,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('save'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        // the card goes to the gateway; partnerd keeps the payment method it answers
        const pm = await element.tokenize();
        const r = await put('/api/v1/payment-method', { payment_method: pm.id });
        // the bank asks the cardholder first (a gateway's setup): there and back to this page
        if (r?.next_action) return location.assign(r.next_action.url);
        toast(t('card_saved'));
        draw();
      } catch (err) {
        showErrors(form, err, notice);
      }
    });
    mount(box, returned,
      h('p', {}, card ? t('pay_saved', { brand: card.brand.toUpperCase(), last4: card.last4 }) + ` (${String(card.exp_month).padStart(2, '0')}/${card.exp_year})` : t('no_card')),
      h('details', {}, h('summary', {}, t(card ? 'replace_card' : 'add_card')), form));
  };
  return { box, draw };
}

export async function profilePage() {
  const p = (await get('/api/v1/partner'));
  const partner = p.partner || p;
  const a = partner.address || {};
  const certified = certifiedSection();
  await certified.draw();
  const card = can.paymentMethod() ? cardSection() : null;
  if (card) await card.draw();
  let rule = null;
  if (can.orgSettings()) {
    const box = checkbox({ label: t('require_2fa'), name: 'require_2fa', checked: partner.require_2fa });
    const input = box.querySelector('input');
    input.addEventListener('change', async () => {
      try {
        await patch('/api/v1/partner', { require_2fa: input.checked });
        toast(t('saved'));
      } catch (err) {
        input.checked = !input.checked;
        toast(err.message);
      }
    });
    rule = [h('h2', {}, t('two_factor')), box];
  }
  return h('section', {},
    h('h1', {}, t('nav_profile')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('company')), h('dd', {}, partner.legal_name),
      h('dt', {}, t('membership_id')), h('dd', {}, partner.membership_id),
      h('dt', {}, t('country')), h('dd', {}, countryName(partner.country)),
      h('dt', {}, t('address1')), h('dd', {}, [a.line1, a.line2, `${a.postal_code} ${a.city}`].filter(Boolean).join(', ')),
      h('dt', {}, t('vat_id')), h('dd', {}, partner.vat_id || '—'),
      partner.vat_id ? [h('dt', {}, t('vat_status')), h('dd', {}, t(`vs_${partner.vat_id_status}`),
        partner.vat_id_status === 'invalid' && partner.country !== 'FR' ? h('p', { class: 'muted' }, t('vs_invalid_note')) : null)] : null,
      partner.country === 'FR' ? [h('dt', {}, t('siren')), h('dd', {}, partner.siren || '—')] : null,
      h('dt', {}, t('currency')), h('dd', {}, partner.currency),
      h('dt', {}, t('language')), h('dd', {}, partner.locale === 'en' ? 'English' : 'Français')),
    h('h2', { id: 'certifies' }, t('certified')),
    h('p', {}, t('certified_intro')),
    certified.box,
    card ? [h('h2', {}, t('payment_method')), card.box] : null,
    partner.country === 'FR' && !partner.siren && can.orgSettings() ? sirenForm() : null,
    rule);
}

/* A French company that joined before the SIREN was asked adds it (e-invoicing). */
function sirenForm() {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('siren'), name: 'siren', required: true, hint: t('siren_hint'), attrs: { inputmode: 'numeric' } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('siren_add'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const p = await patch('/api/v1/partner', { siren: values(form).siren });
      form.replaceWith(h('p', { role: 'status' }, `${t('siren_saved')} ${p.siren}`));
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return [h('h2', {}, t('siren')), form];
}

function passwordForm() {
  const notice = noticeBox();
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('current_password'), name: 'current_password', type: 'password', required: true, autocomplete: 'current-password' }),
    field({ label: t('new_password'), name: 'new_password', type: 'password', required: true, hint: t('password_hint'), autocomplete: 'new-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('change_password'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await post('/api/v1/me/password', values(form));
      form.reset();
      toast(t('password_changed'));
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return form;
}

function secondFactor(redraw) {
  const box = h('div', {});
  if (session.me.totp_enabled) {
    const notice = noticeBox();
    const form = h('form', { class: 'stack', novalidate: true },
      h('p', { class: 'notice ok' }, t('totp_on')),
      notice,
      field({ label: t('password'), name: 'password', type: 'password', required: true, autocomplete: 'current-password' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, t('totp_disable'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await post('/api/v1/me/totp/disable', values(form));
        toast(t('totp_off'));
        await loadSession();
        redraw();
      } catch (err) {
        showErrors(form, err, notice);
      }
    });
    return mount(box, form);
  }
  const start = h('button', { type: 'button', class: 'primary' }, t('totp_enable'));
  start.addEventListener('click', async () => {
    const { secret, otpauth_uri: uri } = await post('/api/v1/me/totp', {});
    const notice = noticeBox();
    const form = h('form', { class: 'stack', novalidate: true },
      h('p', {}, t('totp_scan')),
      h('p', {}, h('code', { class: 'secret', dataset: { uri } }, secret)),
      notice,
      field({ label: t('totp'), name: 'code', required: true, hint: t('totp_hint'), autocomplete: 'one-time-code', attrs: { inputmode: 'numeric' } }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('totp_confirm'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const r = await post('/api/v1/me/totp/confirm', values(form));
        await loadSession();
        mount(box, h('p', { class: 'notice ok', role: 'status' }, t('totp_on')), h('p', {}, t('recovery_codes')),
          h('ul', { class: 'codes' }, r.recovery_codes.map((c) => h('li', {}, c))));
      } catch (err) {
        showErrors(form, err, notice);
      }
    });
    mount(box, form);
    form.querySelector('input').focus();
  });
  // what it is; that the organisation requires it is said above, and only when it does
  return mount(box, h('p', {}, t('totp_intro')), start);
}

export async function accountPage() {
  const root = h('section', {});
  const draw = () => mount(root,
    h('h1', {}, t('nav_account')),
    h('dl', { class: 'facts' },
      h('dt', {}, t('name')), h('dd', {}, session.me.name),
      h('dt', {}, t('email')), h('dd', {}, session.me.email),
      h('dt', {}, t('roles')), h('dd', {}, session.roles.map((r) => t(`role_${r}`)).join(', '))),
    session.mustEnrol ? h('p', { class: 'notice warn' }, t('enrol_required')) : null,
    h('h2', {}, t('change_password')),
    passwordForm(),
    h('h2', {}, t('two_factor')),
    secondFactor(draw));
  draw();
  return root;
}
