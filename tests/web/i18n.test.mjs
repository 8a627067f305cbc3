// i18n.test.mjs - the console's words, read without a browser: a hint that names a button
// names it as that language writes it, in that language's quotes.
import { test } from 'node:test';
import assert from 'node:assert/strict';

globalThis.document = { documentElement: {} }; // setLang() marks the page's language
const { t, setLang } = await import('../../web/js/i18n.js');

test("the hint of « Rembourser à l'émetteur » names « Marquer payé » as each language writes it", () => {
  setLang('fr');
  assert.ok(t('wt_refund_hint').includes(`« ${t('mark_paid')} »`), t('wt_refund_hint'));
  setLang('en');
  assert.ok(t('wt_refund_hint').includes(`"${t('mark_paid')}"`), t('wt_refund_hint'));
  assert.doesNotMatch(t('wt_refund_hint'), /[«»]/, 'French quotes in English');
});
