// dom.js - building the page. Text always goes in as text nodes, never as HTML, so
// nothing a partner typed can become markup.

/** h('p', {class: 'x', onclick: fn}, 'text', child, ...) -> the element. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'checked') el.checked = el.defaultChecked = v; // form.reset() comes back to it
    else if (k === 'selected') el.selected = el.defaultSelected = v;
    else if (k === 'value' || k === 'disabled') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces what el holds. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export const newId = (prefix = 'f') => `${prefix}-${++uid}`;

/**
 * A labelled form field: {label, name, type, value, required, hint, options: [[value,
 * label]], autocomplete, attrs}. Its error slot is tied to the input by
 * aria-describedby; `name` is the API's field path ("admin.email") so an answer's
 * details.fields land next to the right input.
 */
export function field({ label, name, type = 'text', value, required, hint, options, autocomplete, attrs = {} }) {
  const id = newId('f');
  const hintId = hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  const described = [hintId, errId].filter(Boolean).join(' ');
  let input;
  if (type === 'select') {
    input = h('select', { id, name, required, 'aria-describedby': described, ...attrs },
      options.map(([v, l]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, l)));
  } else if (type === 'textarea') {
    input = h('textarea', { id, name, required, 'aria-describedby': described, ...attrs });
    if (value) input.defaultValue = input.value = value;
  } else {
    input = h('input', { id, name, type, required, autocomplete, 'aria-describedby': described, ...attrs });
    // the default too, so that form.reset() comes back to it rather than to nothing
    if (value !== undefined && value !== null) input.defaultValue = input.value = value;
  }
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label, required ? '' : h('span', { class: 'muted' }, ` (${optionalWord()})`)),
    hint ? h('div', { class: 'hint', id: hintId }, hint) : null,
    input,
    h('div', { class: 'error', id: errId, 'aria-live': 'polite' }));
}

let optionalLabel = 'facultatif';
export const setOptionalWord = (w) => (optionalLabel = w);
const optionalWord = () => optionalLabel;

/** A checkbox with its label after it. */
export function checkbox({ label, name, checked, value, hint }) {
  const id = newId('c');
  return h('div', { class: 'choice', dataset: { field: name } },
    h('input', { id, type: 'checkbox', name, checked, value }),
    h('label', { for: id }, label),
    hint ? h('span', { class: 'muted' }, ` ${hint}`) : null);
}

/** A radio button with its label. */
export function radio({ label, name, value, checked }) {
  const id = newId('r');
  return h('div', { class: 'choice' },
    h('input', { id, type: 'radio', name, value, checked }),
    h('label', { for: id }, label));
}

/** The form's values as an object of strings (checkboxes: true/false). */
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; }
    else out[el.name] = el.value.trim();
  }
  return out;
}

/**
 * Shows an API error on a form: each of details.fields beside its input (the first one
 * focused), the rest in the form's notice. Clears earlier errors first.
 */
export function showErrors(form, err, noticeEl) {
  for (const e of form.querySelectorAll('.field .error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  const notice = noticeEl || form.querySelector('.notice');
  if (notice) { notice.textContent = ''; notice.className = 'notice'; }
  if (!err) return;
  const fields = err.details?.fields || {};
  let first = null;
  const unplaced = [];
  for (const [name, why] of Object.entries(fields)) {
    const box = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (!box) { unplaced.push(`${name}: ${why}`); continue; }
    const slot = box.querySelector('.error');
    if (slot) slot.textContent = why;
    const input = box.querySelector('input, select, textarea');
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      first = first || input;
    }
  }
  if (notice) {
    notice.className = 'notice bad';
    notice.textContent = [err.message, ...unplaced].filter(Boolean).join(' ');
  }
  (first || notice)?.focus?.();
}

/** A short message at the corner of the page, read out by screen readers. */
export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.textContent = ''), 6000);
}

/** Asks for confirmation in a modal dialog; resolves true or false. */
export function confirmDialog({ title, text, ok, cancel, danger }) {
  return new Promise((resolve) => {
    const d = h('dialog', { 'aria-labelledby': 'dlg-title' },
      h('h2', { id: 'dlg-title' }, title),
      h('p', {}, text),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: danger ? 'primary danger' : 'primary', onclick: () => close(true) }, ok),
        h('button', { type: 'button', onclick: () => close(false) }, cancel)));
    const close = (answer) => {
      d.close();
      d.remove();
      resolve(answer);
    };
    d.addEventListener('cancel', () => resolve(false));
    document.body.append(d);
    d.showModal();
  });
}

/** A table: columns [{label, num?}], rows of cells (nodes or text). */
export function table(columns, rows, { caption, empty } = {}) {
  if (rows.length === 0 && empty) return h('p', { class: 'muted' }, empty);
  return h('table', { class: 'data' },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((cell, i) =>
      h('td', { class: columns[i]?.num ? 'num' : null, 'data-label': columns[i]?.label ?? '' }, cell))))));
}

/** A badge of a status: kind is ok, warn, bad or grey. */
export const badge = (text, kind) => h('span', { class: `badge ${kind || ''}` }, text);
