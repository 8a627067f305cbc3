// pages/support.js - « Demandes à l'Espace partenaires »: the organisation's requests by
// status, a new request, and one request's thread with its files. The thread, reply and
// upload parts serve the staff console too.
import { h, mount, field, values, showErrors, table, badge, toast } from '../dom.js';
import { get, post, items, api, allItems } from '../api.js';
import { t, date, instant } from '../i18n.js';
import { can, session } from '../session.js';

export const STATUSES = ['open', 'in_progress', 'resolved', 'closed'];
const KIND = { open: 'warn', in_progress: '', resolved: 'ok', closed: 'grey' };
export const statusBadge = (s) => badge(t(`req_${s}`), KIND[s]);

let catalog = null;
/** The categories and problem types, in the current language. */
export async function categories() {
  catalog = await items('/api/v1/support/categories');
  return catalog;
}
export const categoryLabel = (code) => catalog?.find((c) => c.code === code)?.label || code;
export const problemLabel = (cat, code) =>
  catalog?.find((c) => c.code === cat)?.problem_types.find((p) => p.code === code)?.label || code;

export function statusFilter(current, onChange, { withAll = true } = {}) {
  const id = 'status-filter';
  const sel = h('select', { id, name: 'status' },
    withAll ? h('option', { value: '', selected: !current }, t('all')) : null,
    STATUSES.map((s) => h('option', { value: s, selected: s === current }, t(`req_${s}`))));
  sel.addEventListener('change', () => onChange(sel.value));
  return h('div', { class: 'field' }, h('label', { for: id }, t('filter_status')), sel);
}

export async function requestsPage(ctx) {
  await categories();
  const status = ctx.query.has('statut') ? ctx.query.get('statut') : 'open';
  const list = await allItems(`/api/v1/support-requests${status ? `?status=${encodeURIComponent(status)}` : ''}`);
  return h('section', {},
    h('h1', {}, t('nav_support')),
    h('p', {}, t('support_intro')),
    h('div', { class: 'actions' },
      statusFilter(status, (v) => ctx.navigate(`/support?statut=${encodeURIComponent(v)}`)),
      can.supportWrite() ? h('a', { class: 'button primary', href: '/support/nouvelle', 'data-link': '' }, t('new_request')) : null),
    h('h2', { class: 'visually-hidden' }, t('nav_support')),
    table(
      [{ label: t('number') }, { label: t('title') }, { label: t('category') }, { label: t('status') }, { label: t('created') }],
      list.map((r) => [
        h('a', { href: `/support/${r.id}`, 'data-link': '' }, r.number),
        r.title,
        categoryLabel(r.category),
        statusBadge(r.status),
        date(r.created_at),
      ]),
      { caption: t('nav_support'), empty: t('no_requests') }));
}

// the category and problem type the reference page names for a cancellation
const CANCEL_CATEGORY = 'partner_center_issue';
const CANCEL_PROBLEM = 'invoice_payment_reconciliation';

/** The organisation's cancellation requests not yet resolved, by subscription: the server
 * keeps one at a time, and answers a second ask with the first (docs/api.md). */
export async function openCancellations() {
  const lists = await Promise.all(['open', 'in_progress'].map((s) => allItems(`/api/v1/support-requests?status=${s}`)));
  return new Map(lists.flat().filter((r) => r.kind === 'cancellation' && r.subscription_id).map((r) => [r.subscription_id, r]));
}

/** « Demande d'annulation en cours : SR-000123 », the number a link to the request. */
export const cancellationUnderWay = (r) =>
  h('p', { class: 'notice' }, `${t('cancel_open')} `, h('a', { href: `/support/${r.id}`, 'data-link': '', class: 'nowrap' }, r.number));

const subLabel = (s) => (s.starts_on ? `${s.offer.name} (${date(s.starts_on)} – ${date(s.expires_on)})` : s.offer.name);

export async function newRequestPage(ctx) {
  const cats = await categories();
  const subs = await allItems('/api/v1/subscriptions');
  // « Annuler l'abonnement » comes here with the subscription: the support form, filled in
  // as the reference page says, for the partner to finish and send
  const cancelling = subs.find((s) => s.id === ctx.query.get('annuler')) || null;
  // asked for already (this address kept from before): that request, not a second form
  // (the server would add its words to that request as a message)
  const asked = cancelling && (await openCancellations()).get(cancelling.id);
  if (asked)
    return h('section', {}, h('h1', {}, t('cancel_sub')), cancellationUnderWay(asked),
      h('p', {}, h('a', { href: '/achete', 'data-link': '' }, `← ${t('nav_bought')}`)));
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const first = cancelling && cats.some((c) => c.code === CANCEL_CATEGORY) ? CANCEL_CATEGORY : cats[0]?.code;
  const catField = field({ label: t('category'), name: 'category', type: 'select', required: true, value: first, options: cats.map((c) => [c.code, c.label]) });
  const problemBox = h('div', {});
  const fillProblems = () => {
    const c = cats.find((x) => x.code === catField.querySelector('select').value);
    mount(problemBox, field({ label: t('problem_type'), name: 'problem_type', type: 'select', required: true,
      value: cancelling ? CANCEL_PROBLEM : undefined, options: c.problem_types.map((p) => [p.code, p.label]) }));
  };
  catField.querySelector('select').addEventListener('change', fillProblems);
  fillProblems();
  // a category that uses a support incident says so, and how many are left (issue 18)
  const left = (await get('/api/v1/benefits')).support_incidents_left;
  const incidentNote = h('p', { class: 'notice', id: 'incident-note', 'aria-live': 'polite', hidden: true });
  const sendButton = h('button', { type: 'submit', class: 'primary', 'aria-describedby': 'incident-note' }, t('send'));
  const noteIncidents = () => {
    const c = cats.find((x) => x.code === catField.querySelector('select').value);
    incidentNote.hidden = !c?.consumes_incident;
    incidentNote.className = `notice ${left > 0 ? '' : 'bad'}`;
    incidentNote.textContent = left > 0 ? t('ben_incident_left', { n: left }) : t('ben_incident_none');
    sendButton.disabled = !!c?.consumes_incident && left <= 0;
  };
  catField.querySelector('select').addEventListener('change', noteIncidents);
  noteIncidents();
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    catField,
    problemBox,
    incidentNote,
    field({ label: t('title'), name: 'title', required: true, value: cancelling ? t('cancel_title_of', { offer: cancelling.offer.name }) : undefined, attrs: { maxlength: '200' } }),
    field({ label: t('description'), name: 'description', type: 'textarea', required: true, hint: cancelling ? t('cancel_description_hint') : undefined }),
    field({ label: t('subscription'), name: 'subscription_id', type: 'select', value: cancelling?.id || '', options: [['', t('none')], ...subs.map((s) => [s.id, subLabel(s)])] }),
    h('div', { class: 'actions' },
      sendButton,
      h('a', { href: cancelling ? '/achete' : '/support', 'data-link': '' }, t('cancel'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    const body = { title: v.title, description: v.description, category: v.category, problem_type: v.problem_type };
    if (v.subscription_id) body.subscription_id = v.subscription_id;
    try {
      // a cancellation is a request of its own kind, so that support can resolve it
      const asCancellation = cancelling && v.subscription_id === cancelling.id && v.category === CANCEL_CATEGORY && v.problem_type === CANCEL_PROBLEM;
      if (asCancellation && !v.description) throw Object.assign(new Error(''), { details: { fields: { description: t('required') } } });
      const r = asCancellation
        ? await post(`/api/v1/subscriptions/${cancelling.id}/cancellation`, { description: v.description })
        : await post('/api/v1/support-requests', body);
      toast(t(asCancellation ? 'cancel_done' : 'request_sent', { number: r.number }));
      ctx.navigate(`/support/${r.id}`);
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return h('section', {},
    h('h1', {}, t(cancelling ? 'cancel_sub' : 'new_request')),
    cancelling ? h('div', { class: 'notice' },
      h('p', {}, t('cancel_steps_intro', { offer: cancelling.offer.name })),
      h('p', {}, t('cancel_steps_finish'))) : null,
    form);
}

/** The messages of a request, oldest first. */
export function thread(r) {
  return h('ol', { class: 'thread', 'aria-label': t('messages') },
    r.messages.map((m) => h('li', { class: m.from },
      h('div', { class: 'meta' }, `${m.from === 'staff' ? t('from_staff') : t('from_partner')} · ${m.author} · ${instant(m.created_at)}`),
      h('div', { class: 'body' }, m.body))));
}

/** The reply form; done() after a message went. */
export function replyForm(r, done) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const form = h('form', { class: 'stack', novalidate: true },
    notice,
    field({ label: t('your_message'), name: 'body', type: 'textarea', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('reply'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await post(`/api/v1/support-requests/${r.id}/messages`, { body: values(form).body });
      toast(t('reply_sent'));
      done();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return form;
}

/** The files of a request and, when allowed, a way to add one. */
export function attachments(r, mayUpload, done) {
  const list = r.attachments.length
    ? h('ul', {}, r.attachments.map((a) => h('li', {},
        h('a', { href: `/api/v1/support-requests/${r.id}/attachments/${a.id}`, download: a.filename }, a.filename),
        h('span', { class: 'muted' }, ` (${Math.max(1, Math.round(a.size / 1024))} Ko)`))))
    : null;
  if (!mayUpload) return [list];
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const input = h('input', { type: 'file', id: `file-${r.id}`, name: 'file', accept: '.pdf,.png,.jpg,.jpeg,.csv,.txt', 'aria-describedby': `file-hint-${r.id}` });
  const form = h('form', { class: 'stack' },
    notice,
    h('div', { class: 'field', dataset: { field: 'file' } },
      h('label', { for: `file-${r.id}` }, t('attach')),
      h('div', { class: 'hint', id: `file-hint-${r.id}` }, t('attach_hint')),
      input,
      h('div', { class: 'error' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('attach'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = input.files[0];
    if (!file) return input.focus();
    try {
      await api('POST', `/api/v1/support-requests/${r.id}/attachments?filename=${encodeURIComponent(file.name)}`, file, { type: file.type || 'application/octet-stream' });
      toast(t('attached'));
      done();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return [list, form];
}

/** What every reader of a request sees first. */
export function requestFacts(r, subscriptionName) {
  return h('dl', { class: 'facts' },
    h('dt', {}, t('status')), h('dd', {}, statusBadge(r.status)),
    h('dt', {}, t('category')), h('dd', {}, categoryLabel(r.category)),
    h('dt', {}, t('problem_type')), h('dd', {}, problemLabel(r.category, r.problem_type)),
    r.subscription_id ? [h('dt', {}, t('subscription')), h('dd', {}, subscriptionName || r.subscription_id)] : null,
    h('dt', {}, t('created')), h('dd', {}, instant(r.created_at)));
}

export async function requestPage(ctx) {
  await categories();
  const root = h('section', {});
  const draw = async () => {
    const r = await get(`/api/v1/support-requests/${encodeURIComponent(ctx.params.id)}`);
    let subName = null;
    if (r.subscription_id) {
      try { subName = (await get(`/api/v1/subscriptions/${r.subscription_id}`)).offer.name; } catch { /* gone */ }
    }
    const open = r.status !== 'closed';
    const reopen = r.status === 'resolved' && r.kind !== 'cancellation' && can.supportWrite()
      ? h('button', { type: 'button', onclick: async () => {
          try { await post(`/api/v1/support-requests/${r.id}/reopen`, {}); toast(t('reopened')); draw(); } catch (err) { toast(err.message); }
        } }, t('reopen'))
      : null;
    mount(root,
      h('p', {}, h('a', { href: '/support', 'data-link': '' }, `← ${t('nav_support')}`)),
      h('h1', {}, `${t('request', { number: r.number })} — ${r.title}`),
      r.kind === 'cancellation' ? h('p', { class: 'notice' }, t('cancellation_request')) : null,
      requestFacts(r, subName),
      r.resolution ? h('p', { class: 'notice ok' }, `${t('resolution')} : ${t(`res_${r.resolution}`)}`) : null,
      h('h2', {}, t('messages')),
      thread(r),
      open && can.supportWrite() ? replyForm(r, draw) : open ? null : h('p', { class: 'muted' }, t('closed_request')),
      reopen ? h('div', { class: 'actions' }, reopen) : null,
      h('h2', {}, t('attachments')),
      attachments(r, open && can.supportWrite() && !session.staff, draw));
  };
  await draw();
  return root;
}
