// The activity report of a month or quarter (`GET /api/v1/reports/activity`), on `/rapoarte`
// for supervisors and admins: a period picker, one section per part of the report (each a bar
// chart drawn here in SVG and its table), a CSV download and a print view (A4, one section per
// page, no navigation: see `@media print` in emergency.css). A new section of the report is one
// more entry of `sections()` below.

import { clear, h } from './dom';
import { currentLang, formatNumber } from './i18n';
import { termE } from './i18n-emergency';
import { tr, trCode } from './i18n-reports';
import './reports.css';

interface Count {
  key: string;
  sub?: string;
  count: number;
}
interface Counts {
  total: number;
  rows: Count[];
}
interface ReferralLine {
  service: string;
  referred: number;
  acknowledged: number;
  ack_p50_s: number | null;
  ack_p90_s: number | null;
}
export interface Activity {
  period: string;
  zone: string;
  from: string;
  until: string;
  generated_at: string;
  calls: Counts;
  alarms: Counts;
  referrals: ReferralLine[];
  emiu: { interventions: number; outcomes: Counts; measures: Counts };
  transport: {
    trips: number;
    served: number;
    cancelled: number;
    cancelled_by_reason: Counts;
    no_shows: number;
    not_at_home: number;
    open: number;
    km: number | null;
  };
  beds: { placements: number; places: number; children: number; by_shelter: Counts };
}

const NS = 'http://www.w3.org/2000/svg';

function svgEl(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Horizontal bars, one per row, labelled on the left and counted on the right. */
export function barChart(rows: { label: string; value: number; key: string }[], caption: string): SVGSVGElement {
  const rowH = 22;
  const width = 560;
  const labelW = 215;
  const barW = width - labelW - 50;
  const height = Math.max(1, rows.length) * rowH + 8;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, class: 'activity-chart', role: 'img' }) as SVGSVGElement;
  svg.append(svgEl('title', {}, caption));
  const max = Math.max(1, ...rows.map((r) => r.value));
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const w = (r.value / max) * barW;
    svg.append(svgEl('text', { x: labelW - 6, y: y + 15, 'font-size': 12, 'text-anchor': 'end' }, r.label.length > 28 ? `${r.label.slice(0, 27)}…` : r.label));
    svg.append(svgEl('rect', { x: labelW, y: y + 3, width: Math.max(w, r.value > 0 ? 2 : 0).toFixed(1), height: rowH - 8, fill: '#2c6e9b', 'data-key': r.key, 'data-count': r.value }));
    svg.append(svgEl('text', { x: labelW + w + 6, y: y + 15, 'font-size': 12 }, String(r.value)));
  });
  return svg;
}

/** Words for a code: this report's own, else the common vocabulary. */
function label(code: string): string {
  return trCode(code) ?? termE(code);
}
function vocab(code: string): string {
  return code === 'open' ? tr('open') : termE(code);
}

function table(head: string[], rows: (string | number)[][]): HTMLTableElement {
  return h(
    'table',
    { class: 'activity-table' },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h(i === 0 ? 'th' : 'td', { class: typeof c === 'number' ? 'num' : '' }, String(c)))))),
  );
}

function section(key: string, title: string, total: number | null, ...content: Node[]): HTMLElement {
  return h('section', { class: 'panel activity-section', 'data-section': key }, h('h2', {}, title, total === null ? '' : h('span', { class: 'muted' }, ` · ${tr('total')} ${total}`)), ...content);
}

const secs = (s: number | null) => (s === null ? '—' : tr('seconds', { s: formatNumber(s, s < 100 ? 1 : 0) }));

function sections(r: Activity, services: Map<string, string>): HTMLElement[] {
  const none = () => h('p', { class: 'muted' }, tr('none'));
  const byCategory = new Map<string, number>();
  for (const c of r.calls.rows) byCategory.set(c.key, (byCategory.get(c.key) ?? 0) + c.count);
  const calls = section(
    'calls',
    tr('sec_calls'),
    r.calls.total,
    r.calls.total ? barChart([...byCategory].map(([k, v]) => ({ key: k, label: vocab(k), value: v })), tr('sec_calls')) : none(),
    r.calls.total ? table([tr('category'), tr('outcome'), tr('count')], r.calls.rows.map((c) => [vocab(c.key), vocab(c.sub ?? ''), c.count])) : h('span'),
  );
  const alarms = section(
    'alarms',
    tr('sec_alarms'),
    r.alarms.total,
    r.alarms.total ? barChart(r.alarms.rows.map((c) => ({ key: c.key, label: vocab(c.key), value: c.count })), tr('sec_alarms')) : none(),
    r.alarms.total ? table([tr('alarm_type'), tr('count')], r.alarms.rows.map((c) => [vocab(c.key), c.count])) : h('span'),
  );
  const service = (id: string) => services.get(id) ?? id;
  const referrals = section(
    'referrals',
    tr('sec_referrals'),
    r.referrals.reduce((n, l) => n + l.referred, 0),
    r.referrals.length ? barChart(r.referrals.map((l) => ({ key: l.service, label: service(l.service), value: l.referred })), tr('sec_referrals')) : none(),
    r.referrals.length
      ? table(
          [tr('service'), tr('referred'), tr('acknowledged'), tr('ack_p50'), tr('ack_p90')],
          r.referrals.map((l) => [service(l.service), l.referred, l.acknowledged, secs(l.ack_p50_s), secs(l.ack_p90_s)]),
        )
      : h('span'),
  );
  const e = r.emiu;
  const emiu = section(
    'emiu',
    tr('sec_emiu'),
    e.interventions,
    e.measures.total ? barChart(e.measures.rows.map((c) => ({ key: c.key, label: label(c.key), value: c.count })), tr('sec_emiu')) : none(),
    e.interventions ? table([tr('outcome'), tr('interventions')], e.outcomes.rows.map((c) => [vocab(c.key), c.count])) : h('span'),
    e.measures.total ? table([tr('measure'), tr('count')], e.measures.rows.map((c) => [label(c.key), c.count])) : h('span'),
  );
  const t = r.transport;
  const tRows: [string, string, number][] = [
    ['served', tr('served'), t.served],
    ['cancelled', tr('cancelled'), t.cancelled],
    ['no_shows', tr('no_shows'), t.no_shows],
    ['not_at_home', tr('not_at_home'), t.not_at_home],
    ['open', tr('in_progress'), t.open],
  ];
  const transport = section(
    'transport',
    tr('sec_transport'),
    t.trips,
    t.trips ? barChart(tRows.map(([k, l, v]) => ({ key: k, label: l, value: v })), tr('sec_transport')) : none(),
    table(
      [tr('trips'), tr('count')],
      [...tRows.map(([, l, v]) => [l, v] as (string | number)[]), [tr('km'), t.km === null ? tr('km_not_stored') : t.km]],
    ),
    t.cancelled ? table([tr('reason'), tr('cancelled')], t.cancelled_by_reason.rows.map((c) => [label(c.key), c.count])) : h('span'),
  );
  const b = r.beds;
  const beds = section(
    'beds',
    tr('sec_beds'),
    b.places,
    b.placements ? barChart(b.by_shelter.rows.map((c) => ({ key: c.key, label: c.key, value: c.count })), tr('sec_beds')) : none(),
    table(
      [tr('placements'), tr('count')],
      [
        [tr('placements'), b.placements],
        [tr('places'), b.places],
        [tr('children'), b.children],
      ],
    ),
  );
  return [calls, alarms, referrals, emiu, transport, beds];
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The activity panel: picker, actions and sections. */
export function activityPanel(): HTMLElement {
  const now = new Date();
  const thisMonth = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`;
  const kind = h(
    'select',
    { name: 'period-kind', 'aria-label': tr('period_kind'), onchange: () => sync() },
    h('option', { value: 'month' }, tr('month')),
    h('option', { value: 'quarter' }, tr('quarter')),
  );
  // A list of months in the console's language (the browser's own month field speaks the
  // browser's language, not the console's).
  const months: string[] = [];
  for (let i = 0; i < 36; i++) {
    const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
    months.push(`${d.getFullYear()}-${pad(d.getMonth() + 1)}`);
  }
  const monthName = (m: string) =>
    new Date(Number(m.slice(0, 4)), Number(m.slice(5)) - 1, 1).toLocaleString(currentLang() === 'en' ? 'en-GB' : 'ro-RO', { month: 'long', year: 'numeric' });
  const month = h('select', { name: 'month', 'aria-label': tr('month'), onchange: () => void load() }, ...months.map((m) => h('option', { value: m, selected: m === thisMonth }, monthName(m))));
  const quarters: string[] = [];
  for (let i = 0; i < 8; i++) {
    const d = new Date(now.getFullYear(), now.getMonth() - 3 * i, 1);
    quarters.push(`${d.getFullYear()}-Q${Math.floor(d.getMonth() / 3) + 1}`);
  }
  const quarter = h('select', { name: 'quarter', 'aria-label': tr('quarter'), onchange: () => void load() }, ...quarters.map((q) => h('option', { value: q }, q)));
  const csv = h('a', { class: 'button csv-link', download: '', href: '#' }, tr('csv'));
  const print = h('button', { type: 'button', class: 'print-button', onclick: () => window.print() }, tr('print'));
  const status = h('p', { class: 'muted activity-status', role: 'status' });
  const body = h('div', { class: 'activity-body' });
  let services = new Map<string, string>();

  function query(): string {
    return kind.value === 'month' ? `month=${encodeURIComponent(month.value)}` : `quarter=${encodeURIComponent(quarter.value)}`;
  }
  function sync(): void {
    month.hidden = kind.value !== 'month';
    quarter.hidden = kind.value !== 'quarter';
    void load();
  }

  async function load(): Promise<void> {
    const q = query();
    csv.setAttribute('href', `/api/v1/reports/activity?${q}&format=csv`);
    status.textContent = tr('loading');
    try {
      if (!services.size) {
        const s = await fetch('/api/v1/referrals/services', { credentials: 'same-origin' });
        if (s.ok) {
          const list = (await s.json()) as { id: string; name: string }[] | { services: { id: string; name: string }[] };
          const arr = Array.isArray(list) ? list : list.services;
          services = new Map(arr.map((x) => [x.id, x.name]));
        }
      }
      const res = await fetch(`/api/v1/reports/activity?${q}`, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      const r = (await res.json()) as Activity;
      if (q !== query()) return;
      const day = (s: string) => new Date(s).toLocaleString(document.documentElement.lang || 'ro-RO', { timeZone: 'Europe/Bucharest', dateStyle: 'short', timeStyle: 'short' });
      status.textContent = `${tr('period_of', { p: r.period, from: day(r.from), until: day(r.until) })} · ${tr('generated', { t: day(r.generated_at) })}`;
      clear(body);
      body.append(...sections(r, services));
    } catch (e) {
      status.textContent = tr('error', { e: String(e instanceof Error ? e.message : e) });
    }
  }

  quarter.hidden = true;
  void load();
  return h(
    'div',
    { class: 'activity-report' },
    h('h1', {}, tr('activity')),
    h('div', { class: 'activity-picker no-print' }, kind, month, quarter, csv, print),
    status,
    body,
  );
}
