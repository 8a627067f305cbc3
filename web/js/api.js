// api.js - the portal speaks to partnerd only through the public HTTP API (docs/api.md).
// The session is the HttpOnly cookie; each change carries the session's CSRF token.
import { lang } from './i18n.js';

let csrfToken = null;
let onSignedOut = () => {};

export const setCsrf = (t) => (csrfToken = t || null);
export const whenSignedOut = (fn) => (onSignedOut = fn);

/** An error answer of the API: {status, code, message, details}. */
export class ApiError extends Error {
  constructor(status, body) {
    const e = body?.error || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http_error';
    this.details = e.details || {};
  }
}

/**
 * Calls the API: JSON in (a plain object) or raw bytes (a Blob or string with
 * opts.type), JSON out; null for 204. Throws ApiError on an error answer.
 */
export async function api(method, path, body, opts = {}) {
  const headers = { 'Accept-Language': lang(), Accept: 'application/json', ...(opts.headers || {}) };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let payload;
  if (body instanceof Blob || typeof body === 'string') {
    payload = body;
    headers['Content-Type'] = opts.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (r.status === 204) return null;
  const json = (r.headers.get('content-type') || '').startsWith('application/json') ? await r.json() : null;
  if (!r.ok) {
    const err = new ApiError(r.status, json);
    if (r.status === 401 && (err.code === 'unauthenticated' || err.code === 'session_expired') && !opts.quiet) onSignedOut(err);
    throw err;
  }
  return json;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

/** The items of the first page of a list answer (50 unless path says ?limit=). */
export const items = async (path) => (await get(path)).items;

/**
 * Every item of one organisation's list, following next_cursor 200 at a time (docs/api.md,
 * "Lists"); for lists that stay small, such as an organisation's invoices or users. A
 * staff list, which grows with the whole network, is shown a page at a time (pager.js).
 */
export async function allItems(path) {
  const sep = path.includes('?') ? '&' : '?';
  const out = [];
  let cursor = null;
  do {
    const r = await get(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...r.items);
    cursor = r.next_cursor;
  } while (cursor);
  return out;
}
