// console/pmc.js - the move from the Partner Membership Center: the subscriptions still
// managed there, and (for an operator) moving one, or all of them, to Partner Center.
import { h, mount, table, toast, confirmDialog } from '../dom.js';
import { items, post } from '../api.js';
import { t, date } from '../i18n.js';
import { session } from '../session.js';

export async function pmcPage() {
  const root = h('section', {});
  const operator = session.roles.includes('operator');
  const draw = async () => {
    const subs = await items('/api/v1/admin/subscriptions?managed_in=pmc&limit=200');
    const name = new Map(subs.map((s) => [s.partner_id, s.partner_name]));
    const migrate = (s) => h('button', { type: 'button', onclick: async () => {
      try {
        await post(`/api/v1/admin/subscriptions/${s.id}/migrate`, {});
        toast(t('pmc_migrated_one', { name: name.get(s.partner_id) || s.partner_id }));
        draw();
      } catch (err) { toast(err.message); }
    } }, t('pmc_migrate'));
    const all = h('button', { type: 'button', class: 'primary', disabled: subs.length === 0, onclick: async () => {
      if (!(await confirmDialog({ title: t('pmc_migrate_all_title', { n: subs.length }), text: t('pmc_migrate_all_text'), ok: t('pmc_migrate_all'), cancel: t('cancel') }))) return;
      try {
        const r = await post('/api/v1/admin/subscriptions/migrate-all', {});
        toast(t('pmc_migrated', { n: r.migrated }));
        draw();
      } catch (err) { toast(err.message); }
    } }, t('pmc_migrate_all'));
    mount(root,
      h('h1', {}, t('nav_pmc')),
      h('p', {}, t('pmc_intro')),
      operator ? h('div', { class: 'actions' }, all) : h('p', { class: 'muted' }, t('pmc_operator_only')),
      h('h2', {}, t('pmc_still')),
      table([{ label: t('partner') }, { label: t('offer') }, { label: t('expires_on') }, { label: t('auto_renew') }, ...(operator ? [{ label: '' }] : [])],
        subs.map((s) => [
          h('a', { href: `/console/partenaires/${encodeURIComponent(s.partner_id)}`, 'data-link': '' }, name.get(s.partner_id) || s.partner_id),
          s.offer.name, date(s.expires_on), t(s.auto_renew ? 'auto_renew_on' : 'auto_renew_off'),
          ...(operator ? [migrate(s)] : [])]),
        { caption: t('pmc_still'), empty: t('pmc_none') }));
  };
  await draw();
  return root;
}
