// console/queue.js - the support queue of every partner, and one request: answer, assign,
// change its status, and resolve a cancellation (now, with or without a prorated refund,
// or at the end of the term).
import { h, mount, field, radio, checkbox, values, showErrors, toast } from '../dom.js';
import { get, post, patch, allItems } from '../api.js';
import { t, date, money } from '../i18n.js';
import { session } from '../session.js';
import { pagedTable } from '../pager.js';
import { categories, categoryLabel, statusBadge, statusFilter, thread, replyForm, attachments, requestFacts, STATUSES } from '../pages/support.js';

export async function queuePage(ctx) {
  const cats = await categories();
  const status = ctx.query.get('statut') ?? 'open';
  const category = ctx.query.get('categorie') || '';
  const mine = ctx.query.get('moi') === '1';
  const q = new URLSearchParams();
  if (status) q.set('status', status);
  if (category) q.set('category', category);
  if (mine) q.set('assignee_id', session.me.id);
  const go = (over) => {
    const p = new URLSearchParams({ statut: status, categorie: category, moi: mine ? '1' : '', ...over });
    ctx.navigate(`/console/support?${p}`);
  };
  const catSel = h('select', { id: 'cat-filter' }, h('option', { value: '' }, t('all')),
    cats.map((c) => h('option', { value: c.code, selected: c.code === category }, c.label)));
  catSel.addEventListener('change', () => go({ categorie: catSel.value }));
  const whoSel = h('select', { id: 'who-filter' }, h('option', { value: '' }, t('anyone')), h('option', { value: '1', selected: mine }, t('me')));
  whoSel.addEventListener('change', () => go({ moi: whoSel.value }));
  return h('section', {},
    h('h1', {}, t('nav_queue')),
    h('p', {}, t('queue_intro')),
    h('div', { class: 'row' },
      statusFilter(status, (v) => go({ statut: v })),
      h('div', { class: 'field' }, h('label', { for: 'cat-filter' }, t('category')), catSel),
      h('div', { class: 'field' }, h('label', { for: 'who-filter' }, t('assignee')), whoSel)),
    h('h2', { class: 'visually-hidden' }, t('nav_queue')),
    await pagedTable(`/api/v1/support-requests?${q}`,
      [{ label: t('number') }, { label: t('partner') }, { label: t('title') }, { label: t('category') }, { label: t('status') }, { label: t('created') }],
      (r) => [
        h('a', { href: `/console/support/${r.id}`, 'data-link': '' }, r.number),
        r.partner_name || r.partner_id,
        r.kind === 'cancellation' ? [h('strong', {}, t('cancellation_request')), ' · ', r.title] : r.title,
        categoryLabel(r.category),
        statusBadge(r.status),
        date(r.created_at),
      ],
      { caption: t('nav_queue'), empty: t('no_requests') }));
}

function resolutionForm(r, preview, done) {
  const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
  const refund = checkbox({ label: t('refund_prorata'), name: 'refund', checked: false });
  // what « Résoudre » will do, said before it is pressed: the date, and the amount refunded
  const summary = h('p', { class: 'notice', id: `outcome-${r.id}`, 'aria-live': 'polite' });
  const say = () => {
    const v = values(form);
    const now = v.cancellation === 'immediate';
    const rf = preview.immediate.refund;
    summary.textContent = [
      t('will_take_effect', { date: date(now ? preview.immediate.effective_on : preview.end_of_term.effective_on) }),
      now && v.refund && rf ? t('will_refund', { amount: rf.total.formatted, method: t(rf.method === 'card' ? 'refund_to_card' : 'refund_by_wire') })
        : now && v.refund ? t('nothing_to_refund') : t('no_refund'),
    ].join(' ');
  };
  const form = h('form', { class: 'stack', novalidate: true, id: 'resolution' },
    notice,
    h('fieldset', { dataset: { field: 'cancellation' } },
      h('legend', {}, t('resolve_cancellation')),
      radio({ label: t('cancel_now'), name: 'cancellation', value: 'immediate', checked: true }),
      radio({ label: t('cancel_end'), name: 'cancellation', value: 'end_of_term' }),
      h('div', { class: 'error' })),
    refund,
    preview.immediate.refund ? h('p', { class: 'muted stack-note' }, t('refund_preview', { amount: preview.immediate.refund.total.formatted })) : null,
    field({ label: t('resolution_message'), name: 'message', type: 'textarea' }),
    summary,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', 'aria-describedby': summary.id }, t('resolve'))));
  // a refund only goes with an immediate cancellation
  form.addEventListener('change', () => {
    const now = values(form).cancellation === 'immediate';
    const box = refund.querySelector('input');
    box.disabled = !now;
    if (!now) box.checked = false;
    say();
  });
  say();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(form);
    const body = { cancellation: v.cancellation, refund: v.refund };
    if (v.message) body.message = v.message;
    try {
      const out = await post(`/api/v1/support-requests/${r.id}/resolution`, body);
      const o = out.outcome;
      toast(t('resolved', { date: date(o.effective_on) }) + (o.refund_id ? ` ${t('refund_amount', { amount: money(o.refund_total, r.currency || 'EUR'), method: o.refund_method === 'card' ? t('pay_card') : t('pay_wire') })}` : ''));
      done();
    } catch (err) {
      showErrors(form, err, notice);
    }
  });
  return form;
}

export async function queueItemPage(ctx) {
  await categories();
  const root = h('section', {});
  const draw = async () => {
    const r = await get(`/api/v1/support-requests/${encodeURIComponent(ctx.params.id)}`);
    const partner = (await get(`/api/v1/admin/partners/${encodeURIComponent(r.partner_id)}`).catch(() => null))?.partner;
    r.currency = partner?.currency;
    const sub = r.subscription_id
      ? (await allItems(`/api/v1/admin/subscriptions?partner_id=${encodeURIComponent(r.partner_id)}`)).find((x) => x.id === r.subscription_id)
      : null;
    const open = r.status === 'open' || r.status === 'in_progress';
    const statusSel = h('select', { id: 'set-status' },
      // a cancellation is resolved by its own form, never by a bare status
      STATUSES.filter((s) => s === r.status || !(r.kind === 'cancellation' && s === 'resolved'))
        .map((s) => h('option', { value: s, selected: s === r.status }, t(`req_${s}`))));
    const setStatus = h('button', { type: 'button', onclick: async () => {
      try { await patch(`/api/v1/support-requests/${r.id}`, { status: statusSel.value }); toast(t('status_set')); draw(); } catch (err) { toast(err.message); }
    } }, t('set_status'));
    const assign = r.assignee_id !== session.me.id
      ? h('button', { type: 'button', onclick: async () => {
          try { await patch(`/api/v1/support-requests/${r.id}`, { assignee_id: session.me.id }); toast(t('assigned')); draw(); } catch (err) { toast(err.message); }
        } }, t('assign_me'))
      : h('span', { class: 'muted' }, `${t('assignee')} : ${t('me')}`);
    mount(root,
      h('p', {}, h('a', { href: '/console/support', 'data-link': '' }, `← ${t('nav_queue')}`)),
      h('h1', {}, `${t('request', { number: r.number })} — ${r.title}`),
      h('p', {}, h('strong', {}, partner ? h('a', { href: `/console/partenaires/${encodeURIComponent(partner.id)}`, 'data-link': '' }, `${partner.legal_name} (${partner.membership_id})`) : r.partner_id)),
      r.kind === 'cancellation' ? h('p', { class: 'notice warn' }, t('cancellation_request')) : null,
      requestFacts(r, sub ? `${sub.offer.name} (${date(sub.starts_on)} – ${date(sub.expires_on)})` : null),
      r.resolution ? h('p', { class: 'notice ok' }, `${t('resolution')} : ${t(`res_${r.resolution}`)}`) : null,
      h('div', { class: 'actions' }, h('label', { for: 'set-status' }, t('status')), statusSel, setStatus, assign),
      r.kind === 'cancellation' && open
        ? [h('h2', {}, t('resolve_cancellation')), resolutionForm(r, await get(`/api/v1/support-requests/${encodeURIComponent(r.id)}/resolution-preview`), draw)]
        : null,
      h('h2', {}, t('messages')),
      thread(r),
      r.status !== 'closed' ? replyForm(r, draw) : null,
      h('h2', {}, t('attachments')),
      attachments(r, r.status !== 'closed', draw));
  };
  await draw();
  return root;
}
