// contract.mjs - docs/openapi.yaml as the contract of every API call the e2e suite makes.
//
// The harness installs checkContract() around fetch (Client.call and the tests' own
// fetches go through it), always unless PARTNERD_CONTRACT=off: every answer of the server
// must be documented for its method, path and status, with a body that matches the schema;
// every request the server accepted (2xx) must match the documented request body. A route
// the server has and the document lacks fails with its method and path named. Paths the
// server does not know either (404, 405) are not drift. ajv (draft 2020-12, the dialect of
// OpenAPI 3.1) with ajv-formats does the checking; the tools are installed by
// `npm ci --prefix tests/contract`. PARTNERD_CONTRACT_RECORD=file appends each call to file
// (one JSON a line) instead of checking it; tests/contract/replay.mjs checks such a file.
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = dirname(fileURLToPath(import.meta.url));
export const OPENAPI_YAML = resolve(HERE, '../../docs/openapi.yaml');
const need = createRequire(resolve(HERE, '../contract/package.json'));

let contract = null;
let loadError = null; // a document that does not parse or compile fails every check the same way

/** The document, its operations and a compiled validator per schema (built once). */
function load() {
  if (contract) return contract;
  if (loadError) throw loadError;
  try {
    return build();
  } catch (e) {
    loadError = new Error(`docs/openapi.yaml cannot be used as the contract: ${e.message}`);
    throw loadError;
  }
}

function build() {
  const YAML = need('yaml');
  const Ajv2020 = need('ajv/dist/2020').default;
  const addFormats = need('ajv-formats');
  const doc = YAML.parse(readFileSync(OPENAPI_YAML, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // the document itself is one schema resource: refs resolve as #/components/...
  ajv.addSchema({ $id: 'openapi', ...doc, openapi: undefined, $schema: undefined }, 'openapi');
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const names = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, n) => (names.push(n), '([^/]+)'));
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      if (!item[method]) continue;
      ops.push({ method: method.toUpperCase(), path, re: new RegExp(`^${source}$`), params: names.length, op: item[method], pointer: `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}` });
    }
  }
  ops.sort((a, b) => a.params - b.params); // literal segments before {params}
  const validators = new Map();
  const validator = (pointer) => {
    if (!validators.has(pointer)) validators.set(pointer, ajv.getSchema(`openapi${pointer}`));
    return validators.get(pointer);
  };
  contract = { doc, ops, validator };
  return contract;
}

const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const explain = (errors) => (errors || []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`).join('; ');

/** Throws when a request and its answer break the contract. body: the JSON sent or undefined. */
export function checkContract({ method, url, requestType, requestBody, status, responseType, responseText }) {
  const { pathname } = new URL(url);
  if (!pathname.startsWith('/api/') && !['/healthz', '/metrics'].includes(pathname)) return; // the portal's files
  const m = method === 'HEAD' ? 'GET' : method;
  const { ops, validator } = load();
  const onPath = ops.filter((o) => o.re.test(pathname));
  const found = onPath.find((o) => o.method === m);
  if (!found) {
    // the server does not have it either: not drift
    if (status === 404 && onPath.length === 0) return;
    if (status === 405 && onPath.length > 0) return;
    if (status === 404 && onPath.length > 0) return; // a method on a known path... answered 404 only by a route hidden here (--test-clock off)
    throw new Error(`undocumented route: ${m} ${pathname} (answered ${status}) is not in docs/openapi.yaml; add the operation "${m.toLowerCase()}" under the path that matches ${pathname}`);
  }
  const where = `${m} ${found.path}`;
  const responses = found.op.responses || {};
  const key = responses[String(status)] ? String(status) : responses[`${String(status)[0]}XX`] ? `${String(status)[0]}XX` : responses.default ? 'default' : null;
  if (!key) throw new Error(`${where} answered ${status}, which docs/openapi.yaml does not list for it (it lists ${Object.keys(responses).join(', ')})`);
  const base = `${found.pointer}/responses/${esc(key)}`;
  const resolved = responses[key].$ref ? load().doc.components.responses[responses[key].$ref.split('/').pop()] : responses[key];
  const refBase = responses[key].$ref ? `#/components/responses/${esc(responses[key].$ref.split('/').pop())}` : base;
  const content = resolved.content || {};
  // a HEAD answer has GET's headers and no body (RFC 9110 section 9.3.2)
  if ((responseType || '').startsWith('application/json') && status !== 204 && method !== 'HEAD') {
    if (!content['application/json']) throw new Error(`${where} answered ${status} with JSON, but the document gives no JSON body for it`);
    const check = validator(`${refBase}/content/application~1json/schema`);
    let body;
    try {
      body = JSON.parse(responseText);
    } catch {
      throw new Error(`${where} answered ${status} with a body that is not JSON`);
    }
    if (check && !check(body)) throw new Error(`${where} ${status}: the answer does not match docs/openapi.yaml: ${explain(check.errors)}; body: ${responseText.slice(0, 400)}`);
  }
  if (status >= 200 && status < 300 && requestBody !== undefined && (requestType || '').startsWith('application/json') && found.op.requestBody) {
    const check = validator(`${found.pointer}/requestBody/content/application~1json/schema`);
    let sent;
    try {
      sent = JSON.parse(requestBody);
    } catch {
      return;
    }
    if (check && !check(sent)) throw new Error(`${where}: the server accepted (${status}) a request body that docs/openapi.yaml does not allow: ${explain(check.errors)}; body: ${String(requestBody).slice(0, 400)}`);
  }
}

/** Whether the per-call check was turned off for this run (PARTNERD_CONTRACT=off). */
export function contractCheckOff(env = process.env) {
  return env.PARTNERD_CONTRACT === 'off';
}

/** Wraps fetch so every call to a partnerd server is checked (see above). */
export function installContractCheck() {
  // Every call is checked, by default. PARTNERD_CONTRACT=off turns the check off for one
  // run (to see what a test finds when the document is known to be behind, e.g. while a
  // route is being written); nothing in the suite or make test sets it.
  if (globalThis.fetch.__contract || contractCheckOff()) return;
  const realFetch = globalThis.fetch;
  const wrapped = async (input, init = {}) => {
    const res = await realFetch(input, init);
    const url = typeof input === 'string' ? input : input.url;
    const headers = new Headers(init.headers || {});
    const copy = res.clone();
    const responseText = (res.headers.get('content-type') || '').startsWith('application/json') ? await copy.text() : '';
    const call = {
      method: (init.method || 'GET').toUpperCase(),
      url,
      requestType: headers.get('content-type') || '',
      requestBody: typeof init.body === 'string' ? init.body : undefined,
      status: res.status,
      responseType: res.headers.get('content-type') || '',
      responseText,
    };
    if (process.env.PARTNERD_CONTRACT_RECORD) appendFileSync(process.env.PARTNERD_CONTRACT_RECORD, JSON.stringify(call) + '\n');
    else checkContract(call);
    return res;
  };
  wrapped.__contract = true;
  globalThis.fetch = wrapped;
}
