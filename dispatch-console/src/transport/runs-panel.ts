// The Mobilitate unit's runs on the planner's page: the runs of the day shown (meal rounds,
// day-centre shuttles, supply runs) with their kind, stops, how many are planned and what became
// of them, each run's stops on demand and a cancel for what is still to do; and the form that
// creates one (a meal round or a supply run: the canteen or the warehouse found by address
// search, when the load is ready, the deliveries each with a client or a name, an address found
// by search and a window; a shuttle: the centre, its hours, the group and the escorts). Checked
// here first with messages in the page's language; a refusal of the service is explained by
// the field it names. Once created the run's trips are planned like any other (inserted at once
// into a planned day), so they show on the map, the timeline and the manifests.

import { ApiError } from '../api';
import { clear, h } from '../dom';
import { addressSearch, type AddressSearch, type Candidate } from './address-search';
import { call, type TripView } from './api';
import { tt, word, type TKey } from './i18n';
import { refusalText } from './trippanel';

interface RunDetails {
  run_id: string;
  label: string;
  escorts?: number;
  window_from?: string | null;
  ready_at?: string | null;
}

/** A run's trip: a trip view with its kind and run details. */
export interface RunTrip extends TripView {
  kind: string;
  run?: RunDetails | null;
  picked_up_at?: string | null;
  dropped_off_at?: string | null;
}

export interface RunView {
  run_id: string;
  kind: 'meal' | 'shuttle' | 'supply';
  label: string;
  date: string;
  trips: RunTrip[];
}

interface RiderLite {
  id: string;
  name: string;
}

export interface RunsPanel {
  el: HTMLElement;
  /** Loads the runs of `date` (the page's selected day) and redraws. */
  load(date: string): Promise<void>;
  /** What a run's trip serves, for the timeline's labels: the client, else the stop's label. */
  labelOf(tripId: string): string | null;
  /** Redraws in the current language. */
  render(): void;
}

const KINDS = ['meal', 'shuttle', 'supply'] as const;
const hhmm = (t: string | null | undefined) => (t ? t.slice(0, 5) : '');
const withSeconds = (t: string) => (t.length === 5 ? `${t}:00` : t);

/** A served run trip: delivered, or the rider brought. */
const SERVED = new Set(['dropped_off']);
const OPEN = new Set(['booked', 'arrived']);

/** A refusal of `POST /runs` in words: by the field it names, else as any other refusal. */
export function runRefusal(e: unknown): string {
  if (!(e instanceof ApiError) || e.status !== 422 || !e.field) return refusalText(e);
  const f = e.field;
  const stop = /^stops\[(\d+)\]\.(\w+)/.exec(f);
  if (stop) {
    const n = Number(stop[1]) + 1;
    const key = ({ to: 'run_err_stop_to', from: 'run_err_stop_to', rider: 'run_err_stop_rider', label: 'run_err_stop_who', place: 'run_err_stop_place' } as Record<string, TKey>)[stop[2]];
    return key ? tt(key, { n }) : tt('run_err_stop_other', { n });
  }
  const rider = /^riders\[(\d+)\]/.exec(f);
  if (rider) return tt('run_err_rider_n', { n: Number(rider[1]) + 1 });
  const key = (
    {
      kind: 'run_err_kind',
      label: 'run_err_label',
      origin: 'run_err_origin',
      ready_at: 'run_err_ready',
      stops: 'run_err_no_stops',
      centre: 'run_err_centre',
      starts_at: 'run_err_times',
      ends_at: 'run_err_times',
      riders: 'run_err_riders',
      escorts: 'run_err_escorts_fit',
      date: 'run_err_date',
    } as Record<string, TKey>
  )[f.replace(/\..*$/, '')];
  return key ? tt(key) : refusalText(e);
}

export function runsPanel(opts: {
  riders: () => RiderLite[];
  /** After a change: the page reloads the day (plan, timeline, trips). */
  changed: () => Promise<void>;
  onUnauthorized: () => void;
}): RunsPanel {
  const el = h('section', { class: 'panel planner-runs', 'aria-label': 'runs', 'data-field': 'runs' });
  const listBox = h('div', { class: 'runs-list-box' });
  const formBox = h('div', { class: 'run-form-box' });
  const message = h('p', { class: 'transport-message', role: 'status', 'data-field': 'run-message' });
  let date = '';
  let runs: RunView[] = [];
  let openRun: string | null = null;
  let kind: (typeof KINDS)[number] = 'meal';
  let formOpen = false;

  const say = (text: string, error = false) => {
    message.className = `transport-message${error ? ' error' : ''}`;
    message.textContent = text;
  };
  const fail = (e: unknown, explain: (e: unknown) => string = refusalText) => {
    if (e instanceof ApiError && e.status === 401) return opts.onUnauthorized();
    say(explain(e), true);
  };
  const geocode = (q: string) => call<{ candidates: Candidate[] }>('GET', `/api/v1/geocode?q=${encodeURIComponent(q)}&limit=6`);
  const search = (name: string, hint?: string) => addressSearch({ name, hint, search: geocode, onError: (e) => fail(e) });
  const riderName = (id: string) => opts.riders().find((r) => r.id === id)?.name ?? id;
  const whom = (t: RunTrip) => (t.rider_id ? riderName(t.rider_id) : t.run?.label || '');

  async function load(d: string): Promise<void> {
    date = d;
    try {
      const out = await call<{ date: string; runs: RunView[] }>('GET', `/api/v1/transport/runs?date=${d}`);
      if (d !== date) return;
      runs = out.runs;
    } catch (e) {
      runs = [];
      fail(e);
    }
    renderList();
  }

  /** What a run amounts to: its stops (goods: deliveries; shuttle: riders and escorts). */
  function stopsOf(r: RunView): string {
    if (r.kind !== 'shuttle') return tt('run_stops_n', { n: r.trips.length });
    const riders = r.trips.filter((t) => t.rider_id && !t.is_return).length;
    const escorts = r.trips.find((t) => (t.run?.escorts ?? 0) > 0)?.run?.escorts ?? 0;
    return escorts ? tt('run_group_escorts', { n: riders, e: escorts }) : tt('run_group', { n: riders });
  }

  function hoursOf(r: RunView): string {
    if (r.kind === 'shuttle') {
      const out = r.trips.filter((t) => !t.is_return).map((t) => hhmm(t.time));
      const back = r.trips.filter((t) => t.is_return).map((t) => hhmm(t.time));
      return `${out.sort()[0] ?? ''}–${back.sort()[0] ?? ''}`;
    }
    const ready = r.trips.find((t) => t.run?.ready_at)?.run?.ready_at;
    const last = r.trips.map((t) => hhmm(t.time)).sort().at(-1) ?? '';
    return ready ? `${hhmm(ready)}–${last}` : last;
  }

  /** "3/4 planificate · 1 livrate · 1 nu este acasă": planned, then what became of them. */
  function statusOf(r: RunView): string {
    const live = r.trips.filter((t) => t.status !== 'cancelled');
    const parts = [tt('run_planned', { a: live.filter((t) => t.vehicle_id).length, b: live.length })];
    const count = (s: string) => r.trips.filter((t) => t.status === s).length;
    const served = r.trips.filter((t) => SERVED.has(t.status)).length;
    if (served) parts.push(tt(r.kind === 'shuttle' ? 'run_brought' : 'run_delivered', { n: served }));
    if (count('picked_up')) parts.push(tt(r.kind === 'shuttle' ? 'run_aboard' : 'run_collected', { n: count('picked_up') }));
    if (count('not_at_home')) parts.push(tt('run_not_at_home', { n: count('not_at_home') }));
    if (count('no_show')) parts.push(tt('run_no_show', { n: count('no_show') }));
    if (count('cancelled')) parts.push(tt('run_cancelled', { n: count('cancelled') }));
    return parts.join(' · ');
  }

  async function cancelRun(r: RunView, button: HTMLButtonElement): Promise<void> {
    if (!window.confirm(tt('run_cancel_confirm', { l: r.label || word(r.kind) }))) return;
    button.disabled = true;
    try {
      // One request: the service cancels every stop still booked and names those it kept.
      const out = await call<{ cancelled: string[]; kept: { trip_id: string; reason: string }[] }>(
        'POST',
        `/api/v1/transport/runs/${encodeURIComponent(r.run_id)}/cancel`,
        { date: r.date },
      );
      const done = tt('run_cancelled_ok', { n: out.cancelled.length });
      if (out.kept.length === 0) say(done);
      else {
        const names = out.kept.map((k) => r.trips.find((t) => t.id === k.trip_id)).map((t) => (t ? whom(t) || t.id : '')).filter(Boolean);
        say(`${done} ${tt('run_cancel_kept', { n: out.kept.length, w: names.join(', ') })}`, true);
      }
    } catch (e) {
      fail(e);
    }
    await opts.changed();
  }

  function stopsTable(r: RunView): HTMLElement {
    const goods = r.kind !== 'shuttle';
    const rows = [...r.trips]
      .sort((a, b) => a.time.localeCompare(b.time))
      .map((t) =>
        h(
          'tr',
          { 'data-trip': t.id, 'data-status': t.status },
          h('td', {}, goods ? `${hhmm(t.run?.window_from)}–${hhmm(t.time)}` : `${hhmm(t.time)} ${t.is_return ? tt('run_back') : tt('run_out')}`),
          h('td', {}, whom(t)),
          h('td', { class: 'addr' }, goods ? t.dropoff.address : t.is_return ? t.dropoff.address : t.pickup.address),
          h('td', {}, t.vehicle_id ?? '—'),
          h('td', {}, t.promised ?? ''),
          h('td', { 'data-field': 'status' }, word(t.status)),
        ),
      );
    return h(
      'div',
      { class: 'scroll-x' },
      h(
        'table',
        { class: 'run-stops' },
        h('thead', {}, h('tr', {}, ...[goods ? tt('run_window') : tt('time'), tt('run_for'), tt('run_address'), tt('vehicle'), tt('promised'), tt('status')].map((x) => h('th', {}, x)))),
        h('tbody', {}, ...rows),
      ),
    );
  }

  function renderList(): void {
    clear(listBox);
    if (runs.length === 0) {
      listBox.append(h('p', { class: 'muted', 'data-field': 'no-runs' }, tt('runs_none')));
      return;
    }
    const body = h('tbody');
    for (const r of runs) {
      const open = r.trips.some((t) => OPEN.has(t.status));
      const cancel = h('button', { type: 'button', class: 'secondary run-cancel', 'data-action': 'cancel-run' }, tt('run_cancel')) as HTMLButtonElement;
      cancel.addEventListener('click', () => void cancelRun(r, cancel));
      body.append(
        h(
          'tr',
          { 'data-run': r.run_id, 'data-kind': r.kind, class: r.run_id === openRun ? 'selected' : '' },
          h('td', {}, h('b', {}, r.label || word(r.kind))),
          h('td', { 'data-field': 'kind' }, word(r.kind)),
          h('td', {}, hoursOf(r)),
          h('td', { 'data-field': 'stops' }, stopsOf(r)),
          h('td', { 'data-field': 'run-status' }, statusOf(r)),
          h(
            'td',
            { class: 'run-buttons' },
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'data-action': 'show-run',
                'aria-expanded': String(r.run_id === openRun),
                onclick: () => {
                  openRun = openRun === r.run_id ? null : r.run_id;
                  renderList();
                },
              },
              r.run_id === openRun ? tt('run_hide_stops') : tt('run_show_stops'),
            ),
            open ? cancel : null,
          ),
        ),
      );
      if (r.run_id === openRun) body.append(h('tr', { class: 'run-detail', 'data-run-stops': r.run_id }, h('td', { colspan: '6' }, stopsTable(r))));
    }
    listBox.append(
      h(
        'div',
        { class: 'scroll-x' },
        h('table', { class: 'runs-list' }, h('thead', {}, h('tr', {}, ...[tt('run_name'), tt('run_kind'), tt('run_hours'), tt('run_stops'), tt('status'), ''].map((x) => h('th', {}, x)))), body),
      ),
    );
  }

  /** A field with its label (the label is the field's accessible name). */
  const field = (label: string, input: HTMLElement, cls = '') => h('label', { class: `run-field ${cls}`.trim() }, h('span', {}, label), input);

  /** One delivery of a meal round or a supply run. */
  function stopRow(list: HTMLElement, rows: StopRow[]): StopRow {
    const rider = h('select', { name: 'stop-rider' }, h('option', { value: '' }, tt('run_no_rider')), ...opts.riders().map((r) => h('option', { value: r.id }, `${r.name} (${r.id})`))) as HTMLSelectElement;
    const label = h('input', { type: 'text', name: 'stop-label', maxlength: 120 }) as HTMLInputElement;
    const where = search('stop-address', tt('run_stop_address_hint'));
    const from = h('input', { type: 'time', name: 'stop-from', value: '11:00' }) as HTMLInputElement;
    const to = h('input', { type: 'time', name: 'stop-to', value: '13:00' }) as HTMLInputElement;
    const el = h('li', { class: 'run-stop' });
    const row: StopRow = { el, rider, label, where, from, to };
    const remove = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-action': 'remove-stop',
        'aria-label': tt('run_remove_stop'),
        title: tt('run_remove_stop'),
        onclick: () => {
          rows.splice(rows.indexOf(row), 1);
          el.remove();
        },
      },
      '✕',
    );
    el.append(
      h(
        'div',
        { class: 'run-stop-grid' },
        field(tt('run_client'), rider),
        field(tt('run_stop_label'), label, 'grow'),
        field(tt('run_from'), from, 'time'),
        field(tt('run_to'), to, 'time'),
        remove,
      ),
      h('div', { class: 'rp-address' }, field(tt('run_address'), where.input, 'grow'), where.find),
      where.found,
    );
    list.append(el);
    return row;
  }

  interface StopRow {
    el: HTMLElement;
    rider: HTMLSelectElement;
    label: HTMLInputElement;
    where: AddressSearch;
    from: HTMLInputElement;
    to: HTMLInputElement;
  }

  const place = (c: Candidate) => ({ address: c.label, lon: c.position.lon, lat: c.position.lat });

  function renderForm(): void {
    clear(formBox);
    const toggle = h(
      'button',
      {
        type: 'button',
        class: formOpen ? 'secondary' : 'primary',
        'data-action': 'new-run',
        'aria-expanded': String(formOpen),
        onclick: () => {
          formOpen = !formOpen;
          renderForm();
        },
      },
      formOpen ? tt('run_close_form') : tt('run_new'),
    );
    formBox.append(toggle);
    if (!formOpen) return;
    const kindSelect = h('select', { name: 'run-kind' }, ...KINDS.map((k) => h('option', { value: k }, word(k)))) as HTMLSelectElement;
    kindSelect.value = kind;
    kindSelect.addEventListener('change', () => {
      kind = kindSelect.value as typeof kind;
      renderForm();
    });
    const label = h('input', { type: 'text', name: 'run-label', maxlength: 120, placeholder: tt(`run_label_hint_${kind}` as TKey) }) as HTMLInputElement;
    const goods = kind !== 'shuttle';
    const content: HTMLElement[] = [h('div', { class: 'run-grid' }, field(tt('run_kind'), kindSelect), field(tt('run_name'), label, 'grow'))];
    let submit: () => Record<string, unknown> | string;
    if (goods) {
      const origin = search('run-origin', tt(kind === 'meal' ? 'run_canteen_hint' : 'run_depot_hint'));
      const ready = h('input', { type: 'time', name: 'run-ready', value: kind === 'meal' ? '10:30' : '08:00' }) as HTMLInputElement;
      const list = h('ol', { class: 'run-stops-edit' });
      const rows: StopRow[] = [];
      rows.push(stopRow(list, rows));
      content.push(
        h('div', { class: 'run-place', 'data-field': 'origin' }, h('div', { class: 'rp-address' }, field(tt(kind === 'meal' ? 'run_canteen' : 'run_depot'), origin.input, 'grow'), origin.find, field(tt('run_ready'), ready, 'time')), origin.found),
        h('h3', {}, tt('run_deliveries')),
        list,
        h('button', { type: 'button', class: 'secondary', 'data-action': 'add-stop', onclick: () => rows.push(stopRow(list, rows)) }, tt('run_add_stop')),
      );
      submit = () => {
        const o = origin.picked();
        if (!o) return tt(kind === 'meal' ? 'run_err_origin' : 'run_err_origin_depot');
        if (!ready.value) return tt('run_err_ready');
        if (rows.length === 0) return tt('run_err_no_stops');
        const stops = [];
        for (const [i, r] of rows.entries()) {
          const n = i + 1;
          const p = r.where.picked();
          if (!r.rider.value && !r.label.value.trim()) return tt('run_err_stop_who', { n });
          if (!p && (!r.rider.value || r.where.input.value.trim())) return tt('run_err_stop_place', { n });
          if (!r.from.value || !r.to.value || r.to.value <= r.from.value) return tt('run_err_stop_window', { n });
          if (r.to.value <= ready.value) return tt('run_err_stop_ready', { n, t: ready.value });
          stops.push({
            ...(r.rider.value ? { rider: r.rider.value } : {}),
            ...(r.label.value.trim() ? { label: r.label.value.trim() } : {}),
            ...(p ? { place: place(p) } : {}),
            from: withSeconds(r.from.value),
            to: withSeconds(r.to.value),
          });
        }
        return { origin: place(o), ready_at: withSeconds(ready.value), stops };
      };
    } else {
      const centre = search('run-centre', tt('run_centre_hint'));
      const starts = h('input', { type: 'time', name: 'run-starts', value: '09:00' }) as HTMLInputElement;
      const ends = h('input', { type: 'time', name: 'run-ends', value: '15:00' }) as HTMLInputElement;
      const escorts = h('input', { type: 'number', name: 'run-escorts', min: 0, max: 10, value: 1 }) as HTMLInputElement;
      const boxes = opts.riders().map((r) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'run-rider', value: r.id }), ` ${r.name} (${r.id})`));
      content.push(
        h('div', { class: 'run-place', 'data-field': 'centre' }, h('div', { class: 'rp-address' }, field(tt('run_centre'), centre.input, 'grow'), centre.find), centre.found),
        h('div', { class: 'run-grid' }, field(tt('run_starts'), starts, 'time'), field(tt('run_ends'), ends, 'time'), field(tt('run_escorts'), escorts, 'time')),
        h('fieldset', { class: 'run-riders' }, h('legend', {}, tt('run_riders')), ...boxes),
      );
      submit = () => {
        const c = centre.picked();
        if (!c) return tt('run_err_centre');
        if (!starts.value || !ends.value || ends.value <= starts.value) return tt('run_err_times');
        const riders = [...formBox.querySelectorAll<HTMLInputElement>('input[name=run-rider]:checked')].map((b) => b.value);
        if (riders.length === 0) return tt('run_err_riders');
        const e = Number(escorts.value || '0');
        if (!Number.isInteger(e) || e < 0 || e > 10) return tt('run_err_escorts');
        return { centre: place(c), starts_at: withSeconds(starts.value), ends_at: withSeconds(ends.value), riders, escorts: e };
      };
    }
    const form = h(
      'form',
      {
        class: 'run-form',
        novalidate: true,
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const body = submit();
          if (typeof body === 'string') return say(body, true);
          try {
            const run = await call<RunView>('POST', '/api/v1/transport/runs', { kind, date, ...(label.value.trim() ? { label: label.value.trim() } : {}), ...body });
            const planned = run.trips.filter((t) => t.vehicle_id).length;
            say(tt('run_created', { l: run.label || word(run.kind), n: run.trips.length, p: planned }));
            formOpen = false;
            openRun = run.run_id;
            renderForm();
            await opts.changed();
          } catch (err) {
            fail(err, runRefusal);
          }
        },
      },
      ...content,
      h('button', { type: 'submit', class: 'primary', 'data-action': 'create-run' }, tt('run_create')),
    );
    formBox.append(form);
  }

  function render(): void {
    el.replaceChildren(h('header', { class: 'panel-head' }, h('h2', {}, tt('runs_title')), h('span', { class: 'muted' }, tt('runs_hint'))), message, listBox, formBox);
    renderList();
    renderForm();
  }

  function labelOf(tripId: string): string | null {
    for (const r of runs) {
      const t = r.trips.find((x) => x.id === tripId);
      if (t) return `${word(r.kind)}: ${whom(t) || r.label}`;
    }
    return null;
  }

  render();
  return { el, load, labelOf, render };
}
