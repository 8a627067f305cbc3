// app.js - the portal's entry point: the top bar, the menu, and which page an address
// shows. Addresses are real paths (/offres, /support/req_...); partnerd answers each
// with index.html and this router draws the page.
import { h, mount, toast, setOptionalWord } from './dom.js';
import { del, whenSignedOut } from './api.js';
import { t, lang, setLang } from './i18n.js';
import { session, loadSession, clearSession, can } from './session.js';

import { signInPage, joinPage, invitationPage } from './pages/auth.js';
import { forgotPage, resetPage } from './pages/password.js';
import { offersPage } from './pages/offers.js';
import { checkoutPage, paymentReturnPage } from './pages/checkout.js';
import { boughtPage } from './pages/bought.js';
import { invoicesPage } from './pages/invoices.js';
import { requestsPage, newRequestPage, requestPage } from './pages/support.js';
import { usersPage } from './pages/users.js';
import { profilePage, accountPage } from './pages/profile.js';
import { dashboardPage } from './console/dashboard.js';
import { partnersPage } from './console/partners.js';
import { paymentsPage } from './console/payments.js';
import { queuePage, queueItemPage } from './console/queue.js';
import { deliveriesPage } from './console/deliveries.js';
import { clockPage } from './console/clock.js';
import { directoryPage, partnerPage, confirmPage, erasePage } from './pages/directory.js';
import { companyPage } from './pages/company.js';
import { referralsPage, referralPage, canReferrals } from './pages/referrals.js';
import { benefitsPage } from './pages/benefits.js';
import { benefitsConsolePage } from './console/benefits.js';
import { partnerPage as consolePartnerPage } from './console/partner.js';
import { pmcPage } from './console/pmc.js';

// who: anon (signed out only), partner, staff, any (signed in), public (anyone); allowed: an extra check
const routes = [
  { path: '/annuaire', who: 'public', title: 'nav_directory', page: directoryPage },
  { path: '/annuaire/confirmer', who: 'public', title: 'ref_confirm_title', page: confirmPage },
  { path: '/annuaire/effacer', who: 'public', title: 'ref_erase_title', page: erasePage },
  { path: '/annuaire/:slug', who: 'public', title: 'nav_directory', page: partnerPage },
  { path: '/profil/annuaire', who: 'partner', title: 'nav_company_profile', page: companyPage },
  { path: '/demandes-contact', who: 'partner', title: 'nav_referrals', page: referralsPage, allowed: canReferrals },
  { path: '/demandes-contact/:id', who: 'partner', title: 'nav_referrals', page: referralPage, allowed: canReferrals },
  { path: '/connexion', who: 'anon', title: 'sign_in', page: signInPage },
  { path: '/rejoindre', who: 'anon', title: 'join_title', page: joinPage },
  { path: '/invitations/:token', who: 'anon', title: 'invitation_title', page: invitationPage },
  { path: '/mot-de-passe-oublie', who: 'anon', title: 'forgot_title', page: forgotPage },
  // public: a link opened in a browser still signed in works too (and signs it out)
  { path: '/mot-de-passe/:token', who: 'public', title: 'reset_title', page: resetPage },
  { path: '/offres', who: 'partner', title: 'nav_offers', page: offersPage },
  { path: '/commande/:offer', who: 'partner', title: 'nav_offers', page: checkoutPage, allowed: can.buy },
  { path: '/paiement/:id', who: 'partner', title: 'nav_bought', page: paymentReturnPage, allowed: can.buy },
  { path: '/achete', who: 'partner', title: 'nav_bought', page: boughtPage },
  { path: '/factures', who: 'partner', title: 'nav_invoices', page: invoicesPage, allowed: can.invoices },
  { path: '/support', who: 'partner', title: 'nav_support', page: requestsPage },
  { path: '/support/nouvelle', who: 'partner', title: 'new_request', page: newRequestPage, allowed: can.supportWrite },
  { path: '/support/:id', who: 'partner', title: 'nav_support', page: requestPage },
  { path: '/utilisateurs', who: 'partner', title: 'nav_users', page: usersPage, allowed: can.usersRead },
  { path: '/profil', who: 'partner', title: 'nav_profile', page: profilePage },
  { path: '/compte', who: 'any', title: 'nav_account', page: accountPage },
  { path: '/console', who: 'staff', title: 'nav_dashboard', page: dashboardPage },
  { path: '/console/partenaires', who: 'staff', title: 'nav_partners', page: partnersPage },
  { path: '/console/partenaires/:id', who: 'staff', title: 'nav_partners', page: consolePartnerPage },
  { path: '/console/pmc', who: 'staff', title: 'nav_pmc', page: pmcPage },
  { path: '/console/virements', who: 'staff', title: 'nav_payments', page: paymentsPage, allowed: can.payments },
  { path: '/console/support', who: 'staff', title: 'nav_queue', page: queuePage, allowed: can.queue },
  { path: '/console/support/:id', who: 'staff', title: 'nav_queue', page: queueItemPage, allowed: can.queue },
  { path: '/console/envois', who: 'staff', title: 'nav_deliveries', page: deliveriesPage, allowed: can.deliveries },
  { path: '/console/horloge', who: 'staff', title: 'nav_clock', page: clockPage, allowed: can.clock },
  // benefits (issue 18)
  { path: '/avantages', who: 'partner', title: 'nav_benefits', page: benefitsPage },
  { path: '/console/avantages', who: 'staff', title: 'nav_benefits_console', page: benefitsConsolePage },
];

function match(pathname) {
  for (const r of routes) {
    const names = [];
    const re = new RegExp('^' + r.path.replace(/:(\w+)/g, (_, n) => (names.push(n), '([^/]+)')) + '/?$');
    const m = pathname.match(re);
    if (m) return { route: r, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return null;
}

const home = () => (!session.me ? '/connexion' : session.staff ? '/console' : '/offres');

/** Goes to a page of the portal without reloading. */
export function navigate(to, { replace } = {}) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  render();
}

function topBar() {
  const switchLang = () => {
    setLang(t('other_lang_code'));
    render();
  };
  const signOut = async () => {
    try { await del('/api/v1/sessions/current'); } catch { /* already gone */ }
    clearSession();
    navigate('/connexion');
  };
  return [
    h('a', { class: 'brand', href: home(), 'data-link': '' }, session.staff ? t('console') : t('app')),
    session.me ? h('span', { class: 'who' }, session.me.name, session.partner ? ` · ${session.partner.legal_name}` : '') : null,
    h('button', { type: 'button', lang: t('other_lang_code'), onclick: switchLang }, t('other_lang')),
    session.me ? h('button', { type: 'button', onclick: signOut }, t('sign_out')) : null,
  ];
}

let menuOpen = false;

/** At phone width the menu folds behind a button that names the current page. */
function menuToggle(list, pathname) {
  const current = list.querySelector('a[aria-current="page"]')?.textContent || '';
  const b = h('button', { type: 'button', class: 'menu-toggle', 'aria-expanded': String(menuOpen), 'aria-controls': 'menu-list' },
    h('span', {}, t('menu')), h('span', { class: 'current' }, current));
  b.addEventListener('click', () => {
    menuOpen = !menuOpen;
    b.setAttribute('aria-expanded', String(menuOpen));
    if (menuOpen) list.querySelector('a')?.focus();
  });
  list.id = 'menu-list';
  return [b, list];
}

function menu(pathname, titleKey) {
  const item = (href, key, show = true) =>
    show ? h('li', {}, h('a', { href, 'data-link': '', dataset: { key }, 'aria-current': pathname === href || pathname.startsWith(href + '/') && href !== '/console' ? 'page' : null }, t(key))) : null;
  if (!session.me) return null;
  // one current page: the entry whose address is the longest part of this one (on
  // /profil/annuaire, « Profil dans l'annuaire », not « Profil de l'entreprise » as well)
  const list = menuList(item);
  const marked = [...list.querySelectorAll('a[aria-current]')];
  const best = marked.reduce((a, b) => (b.getAttribute('href').length > a.getAttribute('href').length ? b : a), marked[0]);
  for (const a of marked) if (a !== best) a.removeAttribute('aria-current');
  // a page reached from another one's address (/commande/… from « Offres d'adhésion »,
  // /paiement/… for « Acheté ») is the entry its title names: else the phone's bar said « Menu » only
  if (!best && titleKey) list.querySelector(`a[data-key="${CSS.escape(titleKey)}"]`)?.setAttribute('aria-current', 'page');
  return menuToggle(list, pathname);
}

function menuList(item) {
  if (session.staff)
    return h('ul', {},
      item('/console', 'nav_dashboard'),
      item('/console/partenaires', 'nav_partners'),
      item('/console/virements', 'nav_payments', can.payments()),
      item('/console/support', 'nav_queue', can.queue()),
      item('/console/envois', 'nav_deliveries', can.deliveries()),
      item('/console/pmc', 'nav_pmc'),
      item('/console/horloge', 'nav_clock', can.clock()),
      item('/console/avantages', 'nav_benefits_console'),
      item('/compte', 'nav_account'));
  return h('ul', {},
    h('li', { class: 'group', 'aria-hidden': 'true' }, t('group_membership')),
    item('/offres', 'nav_offers'),
    item('/achete', 'nav_bought'),
    item('/factures', 'nav_invoices', can.invoices()),
    item('/avantages', 'nav_benefits'),
    h('li', { class: 'group', 'aria-hidden': 'true' }, t('group_help')),
    item('/support', 'nav_support'),
    h('li', { class: 'group', 'aria-hidden': 'true' }, t('group_org')),
    item('/utilisateurs', 'nav_users', can.usersRead()),
    item('/profil', 'nav_profile'),
    item('/profil/annuaire', 'nav_company_profile'),
    item('/demandes-contact', 'nav_referrals', canReferrals()),
    item('/annuaire', 'nav_directory'),
    item('/compte', 'nav_account'));
}

let rendering = 0;

/** Draws the page of the current address. */
export async function render() {
  const ticket = ++rendering;
  const main = document.getElementById('main');
  const { pathname, search } = location;
  setOptionalWord(t('optional'));
  document.documentElement.lang = lang();
  document.getElementById('skip').textContent = t('skip');
  const found = match(pathname);
  const who = found?.route.who;
  if (!found && pathname === '/') return navigate(home(), { replace: true });
  if (who === 'anon' && session.me) return navigate(home(), { replace: true });
  if ((who === 'partner' || who === 'staff' || who === 'any') && !session.me)
    return navigate(`/connexion?next=${encodeURIComponent(pathname + search)}`, { replace: true });
  if ((who === 'partner' && session.staff) || (who === 'staff' && !session.staff)) return navigate(home(), { replace: true });

  mount(document.getElementById('top'), topBar());
  const nav = document.getElementById('nav');
  menuOpen = false; // a new page folds the phone menu again
  const m = menu(pathname, found?.route.title);
  nav.setAttribute('aria-label', t(session.staff ? 'nav_console' : 'nav_partner'));
  m ? mount(nav, m) : nav.replaceChildren();

  if (!found || (found.route.allowed && !found.route.allowed())) {
    document.title = `${t(found ? 'forbidden' : 'not_found')} · ${t('app')}`;
    mount(main, h('h1', {}, t(found ? 'forbidden' : 'not_found')), h('p', {}, t('not_found_text')),
      h('p', {}, h('a', { href: home(), 'data-link': '' }, t('back'))));
    return;
  }
  document.title = `${t(found.route.title)} · ${t(session.staff ? 'console' : 'app')}`;
  mount(main, h('p', { class: 'loading' }, t('loading')));
  const ctx = { params: found.params, query: new URLSearchParams(search), navigate, render, main };
  try {
    const view = await found.route.page(ctx);
    if (ticket !== rendering) return; // the reader moved on meanwhile
    if (view) mount(main, view);
  } catch (e) {
    if (ticket !== rendering) return;
    mount(main, h('h1', {}, t(found.route.title)), h('p', { class: 'notice bad', role: 'alert' }, e.message || t('error_generic')));
  }
  if (ticket === rendering && !ctx.keepFocus) main.focus({ preventScroll: false });
}

// links inside the portal change the page without reloading it
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', render);

whenSignedOut(() => {
  clearSession();
  toast(lang() === 'fr' ? 'Votre session a pris fin. Reconnectez-vous.' : 'Your session ended. Sign in again.');
  navigate(`/connexion?next=${encodeURIComponent(location.pathname)}`);
});

setLang(lang());
await loadSession();
render();
