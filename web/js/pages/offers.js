// pages/offers.js - « Offres d'adhésion »: a tile per offer with its state, dates and the
// action the rules allow today; a greyed button says why not and from when.
import { h, badge, newId } from '../dom.js';
import { items } from '../api.js';
import { t, date } from '../i18n.js';
import { can } from '../session.js';

const STATE_KIND = { buy: '', active: 'ok', renew: 'warn', pending_payment: 'warn', manage_in_pmc: 'grey', not_eligible: 'grey' };

/** Why a renewal is refused today, in words, with its dates. */
export function renewalReason(renewal) {
  if (!renewal || renewal.eligible) return null;
  const key = `reason_${renewal.reason}`;
  return t(key, { date: date(renewal.opens_on) });
}

/** « achetez de nouveau l'offre », as a link to buy it again. */
export function buyAgain(code) {
  return h('p', { class: 'muted' }, t('reason_window_closed_lead'), ' ',
    h('a', { href: `/commande/${encodeURIComponent(code)}`, 'data-link': '' }, t('buy_again')), '.');
}

function tile(o) {
  const reasonId = newId('why');
  const actions = [];
  const why = [];
  const renewHref = `/commande/${encodeURIComponent(o.code)}?renouveler=${encodeURIComponent(o.subscription_id || '')}`;
  if (o.state === 'buy') {
    if (can.buy()) actions.push(h('a', { class: 'button primary', href: `/commande/${encodeURIComponent(o.code)}`, 'data-link': '' }, t('buy')));
    else why.push(t('no_buy_right'));
  } else if (o.state === 'renew') {
    if (can.buy()) actions.push(h('a', { class: 'button primary', href: renewHref, 'data-link': '' }, t('renew')));
    else why.push(t('no_buy_right'));
  } else if (o.state === 'not_eligible' && !o.subscription_id) {
    actions.push(h('button', { type: 'button', disabled: true, 'aria-describedby': reasonId }, t('buy')));
  } else if (o.state === 'manage_in_pmc') {
    actions.push(h('a', { class: 'button primary', href: o.pmc_url, rel: 'noopener' }, t('manage_pmc')));
  } else if (o.state === 'pending_payment') {
    // nothing to renew yet: the order waits for its payment, shown on « Acheté »
    actions.push(h('a', { class: 'button', href: '/achete', 'data-link': '' }, t('see_order')));
  } else {
    // active, pending payment, or a competency short of people: renewal greyed, with why
    actions.push(h('button', { type: 'button', disabled: true, 'aria-describedby': reasonId }, t('renew')));
    const r = renewalReason(o.renewal);
    if (r) why.push(r);
  }
  if (o.subscription_id && o.state !== 'manage_in_pmc' && o.state !== 'pending_payment')
    actions.push(h('a', { href: `/achete#${o.subscription_id}`, 'data-link': '' }, t('see_subscription')));

  const pre = o.prerequisites;
  // « Sélectionnez Abonnement au Microsoft Action Pack pour afficher les détails »
  const title = o.subscription_id
    ? h('a', { href: `/achete#${o.subscription_id}`, 'data-link': '' }, o.name)
    : o.name;
  return h('article', { class: 'card tile', 'aria-labelledby': `offer-${o.code}`, dataset: { offer: o.code, state: o.state } },
    h('header', {},
      h('h2', { id: `offer-${o.code}` }, title),
      badge(t(`state_${o.state}`), STATE_KIND[o.state])),
    h('p', {}, o.description),
    o.price ? h('p', { class: 'price' }, o.price.formatted, ' ', h('span', { class: 'muted' }, t('per_year'))) : null,
    h('dl', { class: 'facts' },
      o.starts_on ? [h('dt', {}, t('starts_on')), h('dd', {}, date(o.starts_on))] : null,
      o.expires_on ? [h('dt', {}, t('expires_on')), h('dd', {}, date(o.expires_on))] : null,
      o.renewal?.opens_on && o.state !== 'manage_in_pmc'
        ? [h('dt', {}, t('renewal_window')), h('dd', {}, t('window_from_to', { from: date(o.renewal.opens_on), to: date(o.renewal.closes_on) }))]
        : null,
      pre.certified_required > 0
        ? [h('dt', {}, t('certified')), h('dd', {}, t(pre.certified_count >= pre.certified_required ? 'certified_enough' : 'certified_of',
            { n: pre.certified_count, need: pre.certified_required }), ' ',
            h('a', { href: '/profil#certifies', 'data-link': '' }, t('manage_certified')))]
        : null),
    h('p', { class: o.lapsed ? 'message notice warn' : 'message' }, o.message),
    o.warning ? h('p', { class: 'notice warn' }, o.warning) : null,
    h('details', {}, h('summary', {}, t('benefits')), h('ul', {}, o.benefits.map((b) => h('li', {}, b.label)))),
    h('div', { class: 'actions' }, actions),
    why.length ? h('p', { class: 'muted', id: reasonId }, why.join(' ')) : null);
}

export async function offersPage() {
  const offers = await items('/api/v1/offers');
  return h('section', {},
    h('h1', {}, t('nav_offers')),
    h('p', {}, t('offers_intro')),
    h('div', { class: 'tiles' }, offers.map(tile)));
}
