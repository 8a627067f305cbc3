// replay.mjs - checks recorded e2e calls against docs/openapi.yaml without running the suite.
// Record with PARTNERD_CONTRACT_RECORD=calls.jsonl (tests/e2e/contract.mjs writes one call per
// line instead of checking it), then: node tests/contract/replay.mjs calls.jsonl...
// Prints each distinct mismatch once, with how many calls hit it; exits 1 when any did.
import { readFileSync } from 'node:fs';
import { checkContract } from '../e2e/contract.mjs';

const seen = new Map();
let calls = 0;
for (const file of process.argv.slice(2)) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    calls++;
    try {
      checkContract(JSON.parse(line));
    } catch (e) {
      const key = e.message.replace(/; body: [\s\S]*$/, '');
      const hit = seen.get(key) || { n: 0, example: e.message };
      hit.n++;
      seen.set(key, hit);
    }
  }
}
for (const [key, { n, example }] of seen) console.log(`${n}x ${key}\n   ${example.slice(key.length, key.length + 600)}`);
console.log(`${calls} calls, ${seen.size} distinct mismatches`);
process.exit(seen.size ? 1 : 0);
