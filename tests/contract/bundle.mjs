// bundle.mjs - docs/openapi.json from docs/openapi.yaml, the JSON the server embeds and
// serves at GET /api/v1/openapi.json (cmake/embed_openapi.cmake). The YAML is the one to
// edit; run `node tests/contract/bundle.mjs` after editing it (the build needs no Node).
// With --check it writes nothing and fails when the JSON is not the YAML's (make test).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const yaml = resolve(root, 'docs/openapi.yaml');
const json = resolve(root, 'docs/openapi.json');
const want = JSON.stringify(YAML.parse(readFileSync(yaml, 'utf8')), null, 1) + '\n';
if (process.argv.includes('--check')) {
  if (readFileSync(json, 'utf8') !== want) {
    console.error('docs/openapi.json is not docs/openapi.yaml: run node tests/contract/bundle.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(json, want);
}
