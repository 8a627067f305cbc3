// session.js - who is signed in, and what their roles let them do. The server decides
// (src/api/authz.c); these mirror its table only to hide what would be refused anyway.
import { get, setCsrf } from './api.js';

export const session = { me: null, partner: null, roles: [], staff: false, testClock: false, today: null };

/** Reads GET /me; false when nobody is signed in. */
export async function loadSession() {
  try {
    const me = await get('/api/v1/me', { quiet: true });
    session.me = me.user;
    session.partner = me.partner;
    session.roles = me.user.roles;
    session.staff = me.user.kind === 'staff';
    session.mustEnrol = me.second_factor_enrolment_required;
    session.today = me.today; // the business date, which a test clock may have moved
    if (me.csrf_token) setCsrf(me.csrf_token);
    session.testClock = false;
    if (session.staff && session.roles.includes('operator')) {
      try {
        await get('/api/v1/admin/clock', { quiet: true });
        session.testClock = true;
      } catch { /* no --test-clock: the clock is the real one */ }
    }
    return true;
  } catch {
    clearSession();
    return false;
  }
}

export function clearSession() {
  Object.assign(session, { me: null, partner: null, roles: [], staff: false, testClock: false });
  setCsrf(null);
}

const has = (...roles) => roles.some((r) => session.roles.includes(r));

/** What the signed-in user may do, as the authorization table says. */
export const can = {
  buy: () => has('global_admin', 'billing_admin'),
  orders: () => has('global_admin', 'account_admin', 'billing_admin'),
  autoRenew: () => has('global_admin', 'account_admin', 'billing_admin'),
  cancel: () => has('global_admin', 'account_admin'),
  invoices: () => has('global_admin', 'billing_admin'),
  supportWrite: () => has('global_admin', 'account_admin'),
  usersRead: () => has('global_admin', 'account_admin'),
  usersWrite: () => has('global_admin'),
  certifiedWrite: () => has('global_admin', 'account_admin'),
  paymentMethod: () => has('global_admin', 'billing_admin'),
  orgSettings: () => has('global_admin'),
  payments: () => has('support', 'finance', 'operator'),
  paymentsWrite: () => has('finance', 'operator'),
  queue: () => has('support', 'operator'),
  deliveries: () => has('support', 'operator'),
  clock: () => has('operator') && session.testClock,
  // benefits (issue 18)
  benefitsActivate: () => has('global_admin', 'account_admin'),
  benefitsWrite: () => has('operator'),
};
