// pages/benefits.js - « Avantages »: what the membership gives, grouped as the program
// owner's reference page groups them (software, dedicated support, marketing resources
// and planning tools, cloud-focused training), each with its quantity, what is used and
// left, its deadline and state; the admins activate software keys and cloud
// subscriptions, and see the keys their organisation received.
import { h, mount, badge, toast, field, values, showErrors } from '../dom.js';
import { get, post } from '../api.js';
import { t, date } from '../i18n.js';
import { can } from '../session.js';

const GROUPS = ['software', 'support', 'resources', 'training'];
const STATE_KIND = { available: 'ok', activated: 'ok', suspended: 'warn', expired: 'grey', revoked: 'bad' };

/** The keys of a benefit, fetched when asked for (they are secrets). */
function keysBox(b) {
  const box = h('div', { class: 'keys', id: `keys-${b.id}`, 'aria-live': 'polite' });
  const show = h('button', { type: 'button' }, t('ben_show_keys'));
  show.addEventListener('click', async () => {
    try {
      const r = await get(`/api/v1/benefits/${b.id}/keys`);
      mount(box, h('ul', { class: 'key-list', 'aria-label': t('ben_keys_of', { name: b.name }) },
        r.items.map((k) => h('li', {}, h('code', {}, k.key)))));
      show.remove();
    } catch (err) {
      toast(err.message);
    }
  });
  return [show, box];
}

/** The activation form of a cloud subscription: tenant domain and seats. */
function cloudForm(b, redraw) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const form = h('form', { class: 'stack inline', novalidate: true },
    notice,
    field({ label: t('ben_tenant'), name: 'tenant_domain', required: true, hint: t('ben_tenant_hint'), value: b.tenant_domain || undefined }), // the rest goes to the first part's tenant
    field({ label: t('ben_seats'), name: 'seats', type: 'number', required: true, value: b.remaining, attrs: { min: '1', max: String(b.remaining) } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('ben_activate'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    try {
      await post(`/api/v1/benefits/${b.id}/activation`, { tenant_domain: v.tenant_domain, seats: Number(v.seats) });
      toast(t('ben_activated', { name: b.name }));
      redraw();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return form;
}

async function activateKeys(b, redraw) {
  try {
    await post(`/api/v1/benefits/${b.id}/activation`, {});
    toast(t('ben_activated', { name: b.name }));
  } catch (err) {
    toast(err.message); // key_pool_empty: queued, the page shows it
  }
  redraw();
}

function benefitCard(b, redraw) {
  const facts = [
    b.quantity > 0 ? [h('dt', {}, t('ben_quantity')), h('dd', {}, String(b.quantity))] : null,
    b.quantity > 0 ? [h('dt', {}, t('ben_used')), h('dd', {}, String(b.used))] : null,
    b.quantity > 0 ? [h('dt', {}, t('ben_remaining')), h('dd', {}, String(b.remaining))] : null,
    b.activate_by && b.state === 'available' ? [h('dt', {}, t('ben_deadline')), h('dd', {}, date(b.activate_by))] : null,
    [h('dt', {}, t('ben_term')), h('dd', {}, t('window_from_to', { from: date(b.starts_on), to: date(b.ends_on) }))],
    b.tenant_domain ? [h('dt', {}, t('ben_tenant')), h('dd', {}, b.tenant_domain)] : null,
  ];
  const actions = [];
  if (b.queued) actions.push(h('p', { class: 'notice warn' }, t('ben_queued')));
  if (b.can_activate && can.benefitsActivate()) {
    if (b.kind === 'software_key')
      actions.push(h('button', { type: 'button', class: 'primary', onclick: () => activateKeys(b, redraw) }, t('ben_activate_keys', { n: b.remaining })));
    else actions.push(cloudForm(b, redraw));
  }
  if (b.kind === 'software_key' && b.used > 0) actions.push(...keysBox(b));
  if (b.kind === 'support_incident' && b.state === 'available')
    actions.push(h('a', { class: 'button', href: '/support/nouvelle', 'data-link': '' }, t('ben_open_request')));
  return h('article', { class: 'card benefit', id: b.id, 'aria-labelledby': `h-${b.id}`, dataset: { kind: b.kind, state: b.state } },
    h('header', {}, h('h3', { id: `h-${b.id}` }, b.name), badge(t(`ben_state_${b.state}`), STATE_KIND[b.state])),
    h('p', { class: 'muted' }, b.offer.name),
    h('dl', { class: 'facts' }, facts),
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

export async function benefitsPage(ctx) {
  const r = await get('/api/v1/benefits');
  const redraw = () => ctx.render();
  const groups = GROUPS.map((g) => {
    const list = r.items.filter((b) => b.group === g);
    if (!list.length) return null;
    return h('section', { class: 'benefit-group', 'aria-labelledby': `g-${g}` },
      h('h2', { id: `g-${g}` }, t(`ben_group_${g}`)),
      h('div', { class: 'cards' }, list.map((b) => benefitCard(b, redraw))));
  });
  return h('section', {},
    h('h1', {}, t('nav_benefits')),
    h('p', {}, t('ben_intro')),
    r.items.length ? groups : h('p', { class: 'muted' }, t('ben_none')));
}
