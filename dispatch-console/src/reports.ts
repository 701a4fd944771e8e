// The answer-time report (`/rapoarte`): per channel, the percentiles of the time from receipt to
// each step and the share answered within the standards (telecare 97.5 % in 60 s and 99 % in
// 180 s; emergency line 90 % in 15 s and 95 % in 20 s), with a bar chart of answer times; for
// supervisors and admins, the activity report of a month or quarter above it
// (`reports-activity.ts`).

import { clear, h } from './dom';
import { activityPanel } from './reports-activity';
import { formatNumber } from './i18n';
import { te, type EKey } from './i18n-emergency';
import { topBar } from './topbar';
import type { Me } from './types';

interface Pct {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}
interface Compliance {
  within_s: number;
  percent: number;
  counted: number;
  within: number;
  achieved_percent: number | null;
  met: boolean | null;
}
interface Channel {
  channel: string;
  items: number;
  steps: [string, Pct][];
  standards: Compliance[];
  histogram: number[];
}
interface Report {
  since: string;
  until: string;
  bucket_s: number;
  channels: Channel[];
}

const fmt = (v: number | null) => (v === null ? '—' : formatNumber(v, v < 100 ? 1 : 0));

export function mountReports(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  const body = h('div', { class: 'report-body' });
  let report: Report | null = null;
  let error = '';
  const hours = h('select', { name: 'hours', onchange: () => void load() }, ...[1, 24, 168, 720].map((n) => h('option', { value: n, selected: n === 24 }, `${n} h`)));

  async function load(): Promise<void> {
    try {
      const res = await fetch(`/api/v1/reports/answer-times?hours=${hours.value}`, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`${res.status}`);
      report = (await res.json()) as Report;
      error = '';
    } catch (e) {
      error = String(e);
    }
    render();
  }

  function render(): void {
    clear(body);
    if (error) body.append(h('p', { class: 'error', role: 'alert' }, error));
    if (!report) return;
    for (const c of report.channels) {
      body.append(
        h(
          'section',
          { class: 'panel report-channel', 'data-channel': c.channel },
          h('h2', {}, te(`channel_${c.channel}` as EKey), h('span', { class: 'muted' }, ` · ${te('items_n', { n: c.items })}`)),
          h(
            'ul',
            { class: 'standards' },
            ...c.standards.map((s) =>
              h(
                'li',
                { 'data-met': String(s.met) },
                `${te('standard', { p: formatNumber(s.percent, Number.isInteger(s.percent) ? 0 : 1), s: s.within_s })}: `,
                s.achieved_percent === null
                  ? te('no_data')
                  : `${te('achieved', { a: `${formatNumber(s.achieved_percent)} %` })} (${s.within}/${s.counted}) — ${s.met ? te('met') : te('not_met')}`,
              ),
            ),
          ),
          h(
            'table',
            { class: 'pct-table' },
            h('thead', {}, h('tr', {}, h('th', {}, ''), ...['p50', 'p90', 'p95', 'p99', 'max', 'n'].map((k) => h('th', {}, k)))),
            h(
              'tbody',
              {},
              ...c.steps.map(([step, p]) =>
                h('tr', {}, h('th', {}, te(`step_${step}` as EKey)), ...[p.p50, p.p90, p.p95, p.p99, p.max].map((v) => h('td', { class: 'mono' }, fmt(v))), h('td', { class: 'mono' }, p.count)),
              ),
            ),
          ),
          chart(c, report.bucket_s),
        ),
      );
    }
  }

  // The activity report is for supervisors and admins (the service refuses others): small
  // counts of domestic-violence cases can identify a person.
  const activity = me.role === 'supervisor' || me.role === 'admin' ? activityPanel() : null;
  root.replaceChildren(
    topBar(me, onLogout, () => {
      render();
      if (activity) location.reload();
    }),
    h(
      'main',
      { class: 'reports-page' },
      activity,
      h('div', { class: 'answer-times' }, h('h1', {}, te('answer_times'), ' ', hours), body),
    ),
  );
  void load();
  return () => undefined;
}

/** Bars of items answered per interval, with the standards' limits marked. */
function chart(c: Channel, bucket: number): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const w = 370;
  const hgt = 120;
  svg.setAttribute('viewBox', `0 0 ${w + 30} ${hgt + 32}`);
  svg.setAttribute('class', 'answer-chart');
  const title = document.createElementNS(ns, 'title');
  title.textContent = te('chart_caption', { b: bucket });
  svg.append(title);
  const max = Math.max(1, ...c.histogram);
  const bw = w / c.histogram.length;
  c.histogram.forEach((n, i) => {
    const r = document.createElementNS(ns, 'rect');
    const bh = (n / max) * hgt;
    r.setAttribute('x', (i * bw + 1).toFixed(1));
    r.setAttribute('y', (hgt - bh).toFixed(1));
    r.setAttribute('width', (bw - 2).toFixed(1));
    r.setAttribute('height', bh.toFixed(1));
    r.setAttribute('fill', '#2c6e9b');
    r.setAttribute('data-count', String(n));
    svg.append(r);
  });
  for (const [k, s] of c.standards.entries()) {
    const x = (s.within_s / bucket) * bw;
    const l = document.createElementNS(ns, 'line');
    l.setAttribute('x1', x.toFixed(1));
    l.setAttribute('x2', x.toFixed(1));
    l.setAttribute('y1', '0');
    l.setAttribute('y2', String(hgt));
    l.setAttribute('stroke', '#c0392b');
    l.setAttribute('stroke-dasharray', '4 3');
    svg.append(l);
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', (x + 2).toFixed(1));
    // Two limits can sit close together (15 s, 20 s): their labels go on two lines.
    t.setAttribute('y', String(hgt + 14 + k * 12));
    t.setAttribute('font-size', '10');
    t.textContent = `${s.within_s} s`;
    svg.append(t);
  }
  return svg;
}
