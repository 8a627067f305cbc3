// console/chart.js - a bar chart drawn as SVG (stacked or side by side), with the same
// figures as a table for screen readers and for anyone who wants the numbers.
import { h } from '../dom.js';
import { t } from '../i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const COLOURS = ['#0b5cad', '#e38a00', '#1a6b34', '#7b3fa0'];

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A "nice" top for the axis: 1, 2 or 5 times a power of ten, at least max; counts
 * get at least 4 so that each of the 4 steps is a whole number. */
function niceTop(max, integer) {
  if (integer && max <= 4) return 4;
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 4, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/**
 * {title, labels: [x labels], series: [{name, values: [numbers]}], stacked, format(n),
 * id} -> a figure with the SVG chart, its legend and its table.
 */
export function barChart({ title, labels, series, stacked = false, format = String, id, integer = false }) {
  const W = 560, H = 260, left = 72, right = 8, top = 12, bottom = 36;
  const plotW = W - left - right, plotH = H - top - bottom;
  const totals = labels.map((_, i) => stacked ? series.reduce((a, sr) => a + Math.max(0, sr.values[i] || 0), 0)
    : Math.max(0, ...series.map((sr) => sr.values[i] || 0)));
  const topValue = niceTop(Math.max(0, ...totals), integer);
  const y = (v) => top + plotH - (v / topValue) * plotH;
  const band = plotW / labels.length;
  const barW = stacked ? band * 0.6 : (band * 0.7) / series.length;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-title` },
    s('title', { id: `${id}-title` }, title));
  for (let k = 0; k <= 4; k++) {
    const v = (topValue * k) / 4;
    svg.append(s('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), stroke: '#d3d9e0' }),
      s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 14, fill: '#505a66' }, format(v)));
  }
  labels.forEach((label, i) => {
    const x0 = left + i * band;
    let base = 0;
    series.forEach((sr, j) => {
      const v = Math.max(0, sr.values[i] || 0);
      const x = stacked ? x0 + (band - barW) / 2 : x0 + band * 0.15 + j * barW;
      const y1 = stacked ? y(base + v) : y(v);
      const y2 = stacked ? y(base) : y(0);
      if (v > 0)
        svg.append(s('rect', { x, y: y1, width: Math.max(1, barW - 1), height: Math.max(0, y2 - y1), fill: COLOURS[j % COLOURS.length] },
          s('title', {}, `${label} · ${sr.name} : ${format(v)}`)));
      base += v;
    });
    // every other label, so that they never run into each other
    if (i % 2 === 0)
      svg.append(s('text', { x: x0 + band / 2, y: H - bottom + 18, 'text-anchor': 'middle', 'font-size': 14, fill: '#1b1f24' }, label));
  });
  svg.append(s('line', { x1: left, x2: W - right, y1: y(0), y2: y(0), stroke: '#505a66' }));
  return h('figure', { class: 'chart card', id },
    h('figcaption', {}, title),
    svg,
    h('div', { class: 'legend', 'aria-hidden': 'true' }, series.map((sr, j) => h('span', { class: `s${j}` }, sr.name))),
    h('details', {},
      h('summary', {}, t('chart_table')),
      h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), series.map((sr) => h('th', { scope: 'col', class: 'num' }, sr.name)))),
        h('tbody', {}, labels.map((label, i) => h('tr', {}, h('th', { scope: 'row' }, label),
          series.map((sr) => h('td', { class: 'num' }, format(sr.values[i] || 0)))))))));
}
