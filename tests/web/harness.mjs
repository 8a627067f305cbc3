// harness.mjs - a real Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// against a real partnerd started by the end-to-end harness. Each journey gets its own
// browser context and saves numbered screenshots under test-output/web/<journey>/.
import { chromium } from 'playwright-core';
import { mkdirSync, rmSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
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

// axe-core, run in the page under test through the DevTools protocol, which the portal's
// CSP (rightly) does not let a page script do
const AXE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'node_modules/axe-core/axe.min.js'), 'utf8');

/** The phone width every page is also looked at (issue 17). */
export const PHONE = { width: 390, height: 844 };

/**
 * Every serious or critical accessibility violation axe-core finds on the page as it
 * stands (WCAG 2.1 A and AA, and axe's best practices), as short strings.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return found;
}

/** Asserts the page fits the phone's width, and that every entry of the menu can be
 * reached there (opened from its button, each link on the screen). */
export async function assertPhoneFit(page, where) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(over <= 0, `${where}: the page is ${over}px wider than the phone`);
  const toggle = page.locator('#nav .menu-toggle');
  // a modal dialog holds the page until it is answered: the menu is for afterwards
  if (await toggle.count() === 0 || await page.locator('dialog[open]').count()) return;
  const opened = (await toggle.getAttribute('aria-expanded')) === 'true';
  if (!opened) await toggle.click();
  const links = page.locator('#nav a');
  const n = await links.count();
  assert.ok(n > 0, `${where}: an empty menu`);
  for (let i = 0; i < n; i++) {
    const link = links.nth(i);
    await link.scrollIntoViewIfNeeded();
    const box = await link.boundingBox();
    assert.ok(box && (await link.isVisible()), `${where}: menu entry ${i} cannot be seen`);
    assert.ok(box.x >= 0 && box.x + box.width <= page.viewportSize().width + 0.5, `${where}: menu entry « ${await link.innerText()} » is off the screen`);
  }
  if (!opened) await toggle.click();
  await page.evaluate(() => window.scrollTo(0, 0));
}

/**
 * A journey: a fresh browser context on the server (cookies of its own), its page, and
 * shot(label) for screenshots. Every script error on the page fails the journey at
 * close(), and every error answer but 401, 404 and the statuses listed in `answers`.
 */
export async function journey(browser, srv, name, { width = 1280, height = 860, locale = 'fr-FR', answers = [] } = {}) {
  const dir = join(OUT, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const context = await browser.newContext({ viewport: { width, height }, locale, acceptDownloads: true, baseURL: srv.url });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // a 401 from GET /me before signing in is how the portal learns nobody is signed in
    // and `answers`, the error statuses the journey means to meet (a refused form)
    const status = Number((m.text().match(/status of (\d{3})/) || [])[1]);
    if (m.type() === 'error' && status !== 401 && status !== 404 && !answers.includes(status)) errors.push(m.text());
  });
  let n = 0;
  return {
    page,
    context,
    dir,
    /**
     * A screenshot of the page as it stands; and every page a journey shows is also
     * looked at at phone width (no sideways scrolling, every menu entry reachable, a
     * screenshot of its own) and audited by axe-core: 0 serious or critical violations.
     */
    async shot(label) {
      n += 1;
      const base = join(dir, `${String(n).padStart(2, '0')}-${label}`);
      await page.screenshot({ path: `${base}.png`, fullPage: true });
      const where = `${name}/${label}`;
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `${where}: accessibility`);
      const size = page.viewportSize();
      if (size.width !== PHONE.width) await page.setViewportSize(PHONE);
      try {
        await assertPhoneFit(page, `${where} at ${PHONE.width}px`);
        if (size.width !== PHONE.width) await page.screenshot({ path: `${base}-390.png`, fullPage: true });
      } finally {
        if (size.width !== PHONE.width) await page.setViewportSize(size);
      }
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
