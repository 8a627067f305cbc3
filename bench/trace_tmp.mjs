import { startServer, adminOf, Client, cardPayment } from '../tests/e2e/harness.mjs';
const srv = await startServer({ env: { PARTNERD_TRACE: '1' } });
const CARD = { number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '737', holder: 'Bench Buyer' };
const { client } = await adminOf(srv.url);
const token = (await client.call('POST', '/api/v1/api-tokens', { name: 't' })).body.token;
const api = new Client(srv.url, { bearer: token });
// warm: one purchase of another org first
const phases = {};
const mark = () => srv.stderr().split('\n').filter((l) => l.startsWith('TRACE')).length;
let m = mark();
const pay = await cardPayment(srv.url, CARD);
phases.tokenize = srv.stderr().split('\n').filter((l) => l.startsWith('TRACE')).slice(m);
m = mark();
const o = await api.call('POST', '/api/v1/orders', { offer: 'action-pack', action: 'purchase', payment: pay });
phases.order = srv.stderr().split('\n').filter((l) => l.startsWith('TRACE')).slice(m);
m = mark();
const b = await api.call('POST', `/api/v1/orders/${o.body.id}/purchase`, {});
await new Promise((r) => setTimeout(r, 300));
phases.buy = srv.stderr().split('\n').filter((l) => l.startsWith('TRACE')).slice(m);
console.log(b.status, b.body.status);
for (const [k, v] of Object.entries(phases)) { console.log(`== ${k}: ${v.length} statements`); for (const l of v) console.log(l.slice(0, 150)); }
await srv.stop();
