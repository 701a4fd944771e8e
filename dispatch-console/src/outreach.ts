// The beds of an outreach item (a person sleeping rough, in the cold-weather mode), in the item
// detail: the night shelters with a free bed, nearest first; "Rezervă loc" holds one (with the
// street team's vehicle assigned to the item when one is chosen); then each hold's state —
// rezervat (the person on the way), internat (they arrived), eliberat (the bed given back) —
// with "A ajuns" and "Eliberează locul". The server decides who may see what: a DV shelter's
// address comes as it may be shown (withheld from dispatchers), a refused read hides the panel.

import './beds.css';
import { ApiError } from './api';
import { h } from './dom';
import { formatNumber, formatTime, term } from './i18n';
import { bedsError, kindText, tb } from './i18n-beds';
import type { LiveState } from './state';
import type { Item } from './types';

interface Facility {
  id: string;
  name: string;
  kind: string;
  address: string;
  address_withheld: boolean;
  adult_places_now: number;
  free_adults: number;
}
interface Hold {
  id: string;
  facility_id: string;
  admitted_at: string;
  admitted_by: string;
  arrived_at: string | null;
  discharged_at: string | null;
  state: 'held' | 'admitted' | 'released';
}
interface Outreach {
  cold_weather: boolean;
  lon: number | null;
  lat: number | null;
  shelters: { facility: Facility; distance_m: number | null }[];
  held: Hold[];
}

/** Per item: what was read (and at which item version), the vehicle chosen, the last message. */
interface View {
  data?: Outreach;
  names: Map<string, string>;
  version: number;
  refused: boolean;
  loading: boolean;
  vehicle: string;
  note: string;
  bad: boolean;
  busy: boolean;
}
const views = new Map<string, View>();

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string; reason?: string } }).error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? '', e?.field, e?.reason);
  }
  return json as T;
}

/** Whether the item is an outreach item the caller sees in full. */
export function isOutreach(item: Item): boolean {
  return !item.redacted && item.details?.kind === 'incident' && item.details.code === 'outreach';
}

async function load(id: string, v: View, rerender: () => void): Promise<void> {
  v.loading = true;
  try {
    const [data, all] = await Promise.all([
      call<Outreach>('GET', `/api/v1/beds/outreach/${id}`),
      call<{ facilities: Facility[] }>('GET', '/api/v1/beds/facilities'),
    ]);
    v.data = data;
    v.names = new Map(all.facilities.map((f) => [f.id, f.name]));
    v.refused = false;
  } catch (e) {
    // Not shown to this caller (a driver, EMIU), or gone: no panel rather than a raw refusal.
    v.refused = e instanceof ApiError && (e.status === 403 || e.status === 404);
    if (!v.refused) {
      v.note = bedsError(e);
      v.bad = true;
    }
  } finally {
    v.loading = false;
  }
  rerender();
}

const km = (m: number | null) => (m === null ? '' : tb('km', { km: formatNumber(m / 1000) }));

/** The outreach panel of `item`, or `null` when it is not an outreach item. */
export function outreachPanel(item: Item, state: LiveState | null, rerender: () => void): HTMLElement | null {
  if (!isOutreach(item)) return null;
  let v = views.get(item.id);
  if (!v) {
    v = { names: new Map(), version: -1, refused: false, loading: false, vehicle: '', note: '', bad: false, busy: false };
    views.set(item.id, v);
  }
  const view = v;
  // Read again whenever the item changed (a hold notes the shelter on it, an assignment…).
  if (view.version !== item.version && !view.loading) {
    view.version = item.version;
    void load(item.id, view, rerender);
  }
  if (view.refused) return null;
  const box = h('div', { class: 'outreach', 'data-section': 'outreach' }, h('h3', {}, tb('outreach')));
  const data = view.data;
  if (!data) {
    box.append(h('p', { class: 'muted' }, tb('loading')));
    return box;
  }
  const act = (work: () => Promise<string>) => async () => {
    if (view.busy) return;
    view.busy = true;
    rerender();
    try {
      view.note = await work();
      view.bad = false;
    } catch (e) {
      view.note = bedsError(e);
      view.bad = true;
    } finally {
      view.busy = false;
    }
    await load(item.id, view, rerender);
  };
  box.append(h('p', { class: `cold-line ${data.cold_weather ? 'on' : 'off'}`, 'data-field': 'cold' }, data.cold_weather ? `❄ ${tb('cold_on')}` : tb('cold_off')));

  // The holds first: what the dispatcher has done and must follow.
  box.append(h('h4', {}, tb('holds')));
  if (!data.held.length) box.append(h('p', { class: 'muted', 'data-field': 'no-holds' }, tb('no_holds')));
  else
    box.append(
      h(
        'ul',
        { class: 'holds' },
        ...data.held.map((a) => {
          const when =
            a.state === 'released'
              ? tb('released_at', { time: formatTime(a.discharged_at) })
              : a.state === 'admitted'
                ? tb('arrived_at', { time: formatTime(a.arrived_at) })
                : tb('held_at', { time: formatTime(a.admitted_at), who: a.admitted_by });
          return h(
            'li',
            { 'data-admission-id': a.id, 'data-state': a.state },
            h('span', { class: `hold-state st-${a.state}`, 'data-field': 'hold-state' }, tb(`st_${a.state}`)),
            h('strong', {}, view.names.get(a.facility_id) ?? '—'),
            h('span', { class: 'muted' }, when),
            a.state === 'held'
              ? h('button', { type: 'button', class: 'secondary', 'data-action': 'hold-arrived', disabled: view.busy, onclick: act(async () => {
                  await call('POST', `/api/v1/beds/admissions/${a.id}/arrived`, {});
                  return tb('arrived_ok');
                }) }, tb('arrived'))
              : null,
            a.state !== 'released'
              ? h('button', { type: 'button', class: 'secondary', 'data-action': 'hold-release', disabled: view.busy, onclick: act(async () => {
                  await call('POST', `/api/v1/beds/admissions/${a.id}/discharge`, {});
                  return tb('released_ok');
                }) }, tb('release'))
              : null,
          );
        }),
      ),
    );

  // Then where a bed is free, nearest first, with the vehicle to take the person there.
  box.append(h('h4', {}, tb('nearest')));
  if (data.lon === null || data.lat === null) box.append(h('p', { class: 'muted' }, tb('no_position')));
  if (!data.shelters.length) box.append(h('p', { class: 'muted', 'data-field': 'no-shelter' }, tb('no_shelter')));
  else {
    const vehicles = [...(state?.resources.values() ?? [])].filter((r) => r.kind === 'vehicle');
    const sel = h(
      'select',
      { name: 'outreach-vehicle', 'aria-label': tb('vehicle'), onchange: (e: Event) => (view.vehicle = (e.target as HTMLSelectElement).value) },
      h('option', { value: '' }, tb('no_vehicle')),
      ...vehicles.map((r) =>
        h('option', { value: r.id, selected: r.id === view.vehicle, disabled: r.status !== 'available' }, r.status === 'available' ? r.name : `${r.name} — ${term(r.status)}`),
      ),
    );
    if (item.status !== 'closed') box.append(h('label', { class: 'vehicle-pick' }, tb('vehicle'), ' ', sel));
    box.append(
      h(
        'table',
        { class: 'shelters' },
        h(
          'tbody',
          {},
          ...data.shelters.map(({ facility: f, distance_m }) =>
            h(
              'tr',
              { 'data-facility-id': f.id },
              h('td', {}, h('div', { class: 'shelter-name' }, f.name), h('div', { class: 'muted' }, kindText(f.kind))),
              h('td', { 'data-field': 'address' }, f.address_withheld ? h('span', { class: 'withheld' }, tb('withheld')) : f.address || '—'),
              h('td', { class: 'num', 'data-field': 'distance' }, km(distance_m)),
              h('td', { class: 'num', 'data-field': 'free', 'data-free': f.free_adults }, tb('free_of', { free: f.free_adults, total: f.adult_places_now })),
              h(
                'td',
                {},
                item.status !== 'closed'
                  ? h('button', { type: 'button', class: 'primary', 'data-action': 'hold-bed', disabled: view.busy, onclick: act(async () => {
                      await call('POST', `/api/v1/beds/outreach/${item.id}/hold`, view.vehicle ? { facility_id: f.id, vehicle_id: view.vehicle } : { facility_id: f.id });
                      view.vehicle = '';
                      return tb('held_ok', { name: f.name });
                    }) }, tb('hold'))
                  : null,
              ),
            ),
          ),
        ),
      ),
    );
  }
  if (view.note) box.append(h('p', { class: view.bad ? 'error' : 'muted', role: view.bad ? 'alert' : 'status', 'data-field': 'outreach-note' }, view.note));
  return box;
}
