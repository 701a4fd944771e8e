// The planner's timeline: one row per vehicle, the hours of the day across, the crew's shift as
// a band, each stop a block (pick-up filled, drop-off outlined) placed at its planned time; a
// stop planned past what the rider was promised (or past the trip's window) is red. Clicking a
// block selects its trip; dragging it (or an unserved trip) onto another vehicle's row moves it
// there (`drag.ts`; the page asks where it fits). Every vehicle of the plan has a row, an empty
// one too, so a trip can be dropped on a van without work yet.

import { h } from '../dom';
import { draggable, type TripDrag } from './drag';
import { formatNumber } from '../i18n';
import { tt } from './i18n';

export interface TimelineStop {
  trip_id: string;
  pickup: boolean;
  time: string;
  late_minutes: number;
  label: string;
  kind?: string;
}

export interface TimelineRow {
  vehicle_id: string;
  colour: string;
  shift_start: string | null;
  shift_end: string | null;
  km: number;
  delay_minutes: number;
  stops: TimelineStop[];
}

/** Sets inline styles through the CSSOM: the page's CSP (`style-src 'self'`) drops `style`
 * attributes. */
export function styled<E extends HTMLElement>(el: E, props: Record<string, string>): E {
  for (const [k, v] of Object.entries(props)) el.style.setProperty(k, v);
  return el;
}

const minutes = (hhmm: string) => {
  const [hh, mm] = hhmm.split(':').map(Number);
  return hh * 60 + mm;
};

export function renderTimeline(rows: TimelineRow[], selected: string | null, onSelect: (trip: string) => void, drag?: TripDrag): HTMLElement {
  // The hours with stops, half an hour either side; a shift reaching beyond them is clipped (its
  // band then runs to the edge), so a long shift does not squeeze the day's work into a corner.
  const stopTimes = rows.flatMap((r) => r.stops.map((s) => minutes(s.time)));
  const shiftTimes = rows.flatMap((r) => [...(r.shift_start ? [minutes(r.shift_start)] : []), ...(r.shift_end ? [minutes(r.shift_end)] : [])]);
  const lo = stopTimes.length ? Math.min(...stopTimes) - 30 : Math.min(6 * 60, ...shiftTimes);
  const hi = stopTimes.length ? Math.max(...stopTimes) + 30 : Math.max(19 * 60, ...shiftTimes);
  const from = Math.max(0, Math.floor(lo / 60));
  const to = Math.min(24, Math.ceil(hi / 60));
  const span = Math.max(1, to - from) * 60;
  const pct = (m: number) => `${(((m - from * 60) / span) * 100).toFixed(3)}%`;
  const hours = [];
  for (let hr = from; hr <= to; hr++) hours.push(styled(h('span', { class: 'tl-hour' }, `${String(hr).padStart(2, '0')}`), { left: pct(hr * 60) }));
  const head = h('div', { class: 'tl-row tl-head' }, h('div', { class: 'tl-label' }, tt('vehicle')), h('div', { class: 'tl-track' }, ...hours));
  const body = rows.map((r) => {
    const track = h('div', { class: 'tl-track' });
    for (let hr = from; hr <= to; hr++) track.append(styled(h('span', { class: 'tl-grid' }), { left: pct(hr * 60) }));
    if (r.shift_start && r.shift_end) {
      const a = Math.max(minutes(r.shift_start), from * 60);
      const b = Math.min(minutes(r.shift_end), to * 60);
      const band = h('span', { class: 'tl-shift', 'data-field': 'shift', title: `${tt('shift')} ${r.shift_start}–${r.shift_end}` });
      track.append(styled(band, { left: pct(a), width: `${((b - a) / span) * 100}%` }));
    }
    for (const s of r.stops) {
      const late = s.late_minutes > 0;
      const block = h(
        'button',
        {
          type: 'button',
          class: `tl-stop ${s.pickup ? 'pick' : 'drop'}${late ? ' late' : ''}${s.trip_id === selected ? ' selected' : ''}${s.kind && s.kind !== 'trip' ? ' run' : ''}`,
          'data-trip': s.trip_id,
          'data-stop-kind': s.kind ?? 'trip',
          'data-pickup': String(s.pickup),
          'data-late': String(late),
          title: `${s.time} ${s.pickup ? tt('pick') : tt('drop')} · ${s.label}${late ? ` · ${tt('late_by', { n: s.late_minutes })}` : ''}`,
          onclick: () => onSelect(s.trip_id),
        },
        s.pickup ? '▲' : '▼',
      );
      if (drag) draggable(block, s.trip_id, `${s.time} ${s.label}`, r.vehicle_id, drag);
      track.append(styled(block, { left: pct(minutes(s.time)), '--vc': r.colour }));
    }
    const label = h(
      'div',
      { class: 'tl-label' },
      styled(h('span', { class: 'tl-swatch' }), { background: r.colour }),
      h('b', {}, r.vehicle_id),
      h('span', { class: 'muted' }, ` ${formatNumber(r.km)} ${tt('km')}`),
      r.delay_minutes > 0 ? h('span', { class: 'delay', 'data-field': 'delay' }, ` · ${tt('delay', { n: r.delay_minutes })}`) : null,
    );
    return h('div', { class: `tl-row${r.stops.length === 0 ? ' tl-empty' : ''}`, 'data-vehicle': r.vehicle_id }, label, track);
  });
  const legend = h(
    'p',
    { class: 'tl-legend muted' },
    h('span', { class: 'tl-stop pick legend' }, '▲'),
    ` ${tt('pick')}  `,
    h('span', { class: 'tl-stop drop legend' }, '▼'),
    ` ${tt('drop')}  `,
    h('span', { class: 'tl-stop pick late legend' }, '▲'),
    ` ${tt('late')}  `,
    h('span', { class: 'tl-shift legend' }),
    ` ${tt('shift')}  `,
    h('span', { class: 'tl-stop drop run legend' }, '▼'),
    ` ${tt('runs_title')}`,
  );
  return h('div', { class: 'timeline', 'data-field': 'timeline' }, head, ...body, legend);
}
