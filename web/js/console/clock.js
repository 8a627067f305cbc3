// console/clock.js - the test clock (serve --test-clock only): read it, set it, go back to
// real time, and run every job once, which is how a test system makes time pass.
import { h, mount, field, values, showErrors, table, toast } from '../dom.js';
import { get, put, post } from '../api.js';
import { t, date, instantIn } from '../i18n.js';

export async function clockPage() {
  const root = h('section', {});
  const jobs = h('div', {});
  const draw = async () => {
    const c = await get('/api/v1/admin/clock');
    const notice = h('div', { class: 'notice', role: 'alert', tabindex: '-1' });
    const form = h('form', { class: 'stack', novalidate: true },
      notice,
      field({ label: t('clock_utc'), name: 'now', type: 'datetime-local', required: true, value: c.now.slice(0, 16), attrs: { step: '60' } }),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, t('set_clock')),
        h('button', { type: 'button', onclick: async () => { await put('/api/v1/admin/clock', { now: null }); toast(t('real_time')); draw(); } }, t('real_time'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = values(form);
      try {
        const r = await put('/api/v1/admin/clock', { now: `${v.now.length === 16 ? `${v.now}:00` : v.now}Z` });
        toast(t('clock_set', { date: date(r.today) }));
        draw();
      } catch (err) {
        showErrors(form, err, notice);
      }
    });
    const run = h('button', { type: 'button', class: 'primary' }, t('run_jobs'));
    run.addEventListener('click', async () => {
      run.disabled = true;
      try {
        const r = await post('/api/v1/admin/jobs/run', {});
        toast(t('jobs_done'));
        mount(jobs, table([{ label: t('job') }, { label: t('ok') }, { label: t('done'), num: true }],
          r.jobs.map((j) => [j.name, j.ok ? t('yes') : t('no'), String(j.done)])));
      } finally {
        run.disabled = false;
      }
    });
    mount(root,
      h('h1', {}, t('nav_clock')),
      h('p', {}, t('clock_intro')),
      h('dl', { class: 'facts' },
        h('dt', {}, t('business_now')), h('dd', { id: 'clock-now' }, `${instantIn(c.now, c.time_zone)} (${c.time_zone})`),
        h('dt', {}, t('today')), h('dd', { id: 'clock-today' }, date(c.today)),
        h('dt', {}, t('pinned')), h('dd', {}, c.pinned ? t('yes') : t('no'))),
      h('h2', {}, t('set_clock')),
      form,
      h('h2', {}, t('run_jobs')),
      h('div', { class: 'actions' }, run),
      jobs);
  };
  await draw();
  return root;
}
