// source.test.mjs - what the portal's code must never do: build markup from strings (the
// one way a partner's text could become HTML), or run strings as code (the CSP forbids it
// anyway, and a failure there would only show in the browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('the portal builds its pages from nodes, never from HTML strings, and evaluates nothing', () => {
  const js = files('web/js').filter((f) => f.endsWith('.js'));
  assert.ok(js.length >= 10);
  for (const f of js) {
    const src = readFileSync(f, 'utf8');
    for (const bad of [/\.innerHTML\b/, /\.outerHTML\s*=/, /insertAdjacentHTML/, /\beval\(/, /new Function\(/, /document\.write/])
      assert.doesNotMatch(src, bad, `${f} uses ${bad}`);
  }
  const html = readFileSync('web/index.html', 'utf8');
  assert.doesNotMatch(html, /style="|\son\w+="/, 'no inline style or handler under the CSP');
});
