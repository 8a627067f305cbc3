// pager.js - a list of the API shown a page at a time (docs/api.md, "Lists"): the first
// page, then a "Load more" button that asks for the page after next_cursor and adds its
// rows below, so a list of any length never loads at once.
import { h, mount, toast } from './dom.js';
import { get } from './api.js';
import { t } from './i18n.js';

/**
 * A table of the items of path, page by page: columns [{label, num?}], rowOf(item) the
 * cells of one item. Returns the table (or the empty text) followed by its button.
 */
export async function pagedTable(path, columns, rowOf, { caption, empty, limit = 50 } = {}) {
  const sep = path.includes('?') ? '&' : '?';
  const body = h('tbody', {});
  const more = h('div', { class: 'load-more' });
  const out = h('div', { class: 'paged' });
  const row = (cells) => h('tr', {}, cells.map((cell, i) =>
    h('td', { class: columns[i]?.num ? 'num' : null, 'data-label': columns[i]?.label ?? '' }, cell)));
  let shown = 0;
  const page = async (cursor) => {
    const r = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    body.append(...r.items.map((x) => row(rowOf(x))));
    shown += r.items.length;
    const button = r.next_cursor
      ? h('button', { type: 'button', class: 'secondary' }, t('load_more'))
      : null;
    button?.addEventListener('click', async () => {
      button.disabled = true;
      try { await page(r.next_cursor); } catch (err) { toast(err.message); button.disabled = false; }
    });
    mount(more, button);
    if (shown === 0 && !r.next_cursor && empty) mount(out, h('p', { class: 'muted' }, empty));
  };
  mount(out,
    h('table', { class: 'data' },
      caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
      body),
    more);
  await page(null);
  return out;
}

/** A search box of a list page: submitting it puts its text in the page's address as
 * ?name= (navigate(value)); at phone width it takes the whole line. */
export function searchBox({ id, label, value, placeholder, onSearch }) {
  const input = h('input', { id, type: 'search', name: 'q', value: value || '', placeholder: placeholder || '', autocomplete: 'off' });
  const form = h('form', { class: 'row search', role: 'search' },
    h('div', { class: 'field grow' }, h('label', { for: id }, label), input),
    h('button', { type: 'submit' }, t('search')));
  form.addEventListener('submit', (e) => { e.preventDefault(); onSearch(input.value.trim()); });
  return form;
}
