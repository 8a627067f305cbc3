// scale_helpers.mjs - a generated program (bench/gen.c) and a walk of every staff list, for
// bench/scale.mjs (make bench) and scale.test.mjs (issue 20).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, staffClient } from './harness.mjs';

/** Writes a program into db.url with build/bench_gen: {partners, subscriptions, invoices}
 *  or size 'S' / 'L'. Returns the generator's summary line. */
export function generate(db, { size, partners, subscriptions, invoices, today, ledger } = {}) {
  const args = ['--db', db.url];
  if (ledger) args.push('--gateway-ledger', ledger);
  if (size) args.push('--size', size);
  if (partners) args.push('--partners', String(partners));
  if (subscriptions) args.push('--subscriptions', String(subscriptions));
  if (invoices) args.push('--invoices', String(invoices));
  if (today) args.push('--today', today);
  const r = spawnSync(join(dirname(BIN), 'bench_gen'), args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench_gen: ${r.stderr}`);
  return r.stdout.trim();
}

/** Resident memory of a process in KiB, from /proc: {rss, hwm} (VmRSS, VmHWM). */
export function memoryOf(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')) || [])[1]);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Every list a staff member can open, with the role that may. */
export const STAFF_LISTS = [
  ['operator', '/api/v1/admin/partners'],
  ['operator', '/api/v1/admin/subscriptions'],
  ['finance', '/api/v1/admin/wire-transfers'],
  ['finance', '/api/v1/admin/orders/awaiting-payment'],
  ['finance', '/api/v1/admin/refunds'],
  ['support', '/api/v1/admin/deliveries'],
  ['support', '/api/v1/support-requests'],
  ['operator', '/api/v1/admin/dashboard'],
  ['operator', '/api/v1/admin/referrals/funnel'],
  ['operator', '/api/v1/admin/benefits/usage'],
  ['operator', '/api/v1/admin/key-pools'],
  ['operator', '/api/v1/audit-events'],
];

/** Staff clients of srv, one per role of STAFF_LISTS. */
export async function staffClients(srv) {
  const clients = {};
  for (const role of new Set(STAFF_LISTS.map(([r]) => r))) clients[role] = await staffClient(srv, role);
  return clients;
}

/**
 * Opens every staff list, every page of it when it has a next_cursor (up to maxPages), as
 * the console would. Returns [{path, status, pages, bytes, ms}].
 */
export async function walkStaffLists(clients, { maxPages = 100000 } = {}) {
  const out = [];
  for (const [role, path] of STAFF_LISTS) {
    const t0 = performance.now();
    let pages = 0;
    let bytes = 0;
    let status = 0;
    let cursor = null;
    do {
      const url = cursor ? `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : path;
      const r = await clients[role].call('GET', url);
      status = r.status;
      pages++;
      bytes += JSON.stringify(r.body ?? '').length;
      cursor = r.status === 200 && r.body && typeof r.body === 'object' ? r.body.next_cursor : null;
    } while (cursor && pages < maxPages);
    out.push({ path, status, pages, bytes, ms: performance.now() - t0 });
  }
  return out;
}
