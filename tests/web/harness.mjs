// harness.mjs - a real Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// against a real partnerd started by the end-to-end harness. Each journey gets its own
// browser context and saves numbered screenshots under test-output/web/<journey>/.
import { chromium } from 'playwright-core';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export * from '../e2e/harness.mjs';

const CHROMIUM = process.env.PARTNERD_CHROMIUM || '/usr/bin/chromium';
const OUT = process.env.PARTNERD_WEB_OUT || 'test-output/web';

/** Chromium, headless, without the background traffic a closed network refuses. */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * A journey: a fresh browser context on the server (cookies of its own), its page, and
 * shot(label) for screenshots. Every script error on the page fails the journey at
 * close().
 */
export async function journey(browser, srv, name, { width = 1280, height = 860, locale = 'fr-FR' } = {}) {
  const dir = join(OUT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const context = await browser.newContext({ viewport: { width, height }, locale, acceptDownloads: true, baseURL: srv.url });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // a 401 from GET /me before signing in is how the portal learns nobody is signed in
    if (m.type() === 'error' && !/status of 40[14]/.test(m.text())) errors.push(m.text());
  });
  let n = 0;
  return {
    page,
    context,
    dir,
    async shot(label) {
      n += 1;
      await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${label}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      assert.deepEqual(errors, [], `script errors in ${name}`);
    },
  };
}

/** Signs in through the sign-in page. */
export async function signIn(page, email, password) {
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/connexion'));
}

/** The tile of an offer on « Offres d'adhésion ». */
export const tile = (page, code) => page.locator(`article[data-offer="${code}"]`);
