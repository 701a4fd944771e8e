// The dispatchers' transport page (`/transport`), the planner's page: the map of the day (each
// vehicle's route and last GPS fix), the timeline (a row per vehicle, stops as blocks, late ones
// red), the unserved trips with their reasons and where each fits, the selected trip (place or
// move it where it fits, edit, cancel with a reason), the manifests, booking, the trips of the
// day and the reports. Same-day changes (bookings, cancellations, moves, the drivers' actions,
// delays, the riders' SMS answers) arrive over the websocket and redraw the day; GPS positions
// refresh every 20 s. A trip dragged from the unserved list or the timeline onto a vehicle's row
// is moved there when it fits (`GET …/fits`, then `POST …/move`), else the reason is shown.

import { ApiError } from '../api';
import { clear, h } from '../dom';
import { formatNumber, onLangChange } from '../i18n';
import { topBar } from '../topbar';
import type { Me } from '../types';
import { call, type ManifestStop, type TripView } from './api';
import { reportChart, type DayPoint } from './chart';
import { tt, word, type TKey } from './i18n';
import { listenTransport } from './listen';
import { mountMessagesPanel } from './messages-panel';
import { colourOf, PlanMap, type MapRoute } from './planmap';
import { answerCell } from './answer';
import { draggable, type TripDrag } from './drag';
import { renderTimeline, styled } from './timeline';
import { reasonText, refusalText, tripPanel, unservedText, type VehicleFit } from './trippanel';
import { runsPanel } from './runs-panel';

/** A vehicle's line of the transport report: planned figures and those driven (GPS). */
interface VehicleRow {
  vehicle_id: string;
  trips: number;
  km: number;
  hours: number;
  driven_km: number;
  driven_hours: number;
}

interface Rider {
  id: string;
  name: string;
  mobility: string;
  places: { kind: string; address: string }[];
}

interface PlanOut {
  version: number;
  feasible: boolean;
  problems: string[];
  pinned: string[];
  routes: { vehicle_id: string; km: number; delay_minutes: number; stops: { trip_id: string; pickup: boolean; time: string; late_minutes: number; kind?: string }[] }[];
  manifests?: { vehicle_id: string; stops: ManifestStop[] }[];
  unserved: { trip_id: string; reason: string; code?: string; rider?: string | null; time?: string | null }[];
}

interface VehicleOut {
  id: string;
  depot: { lon: number; lat: number };
  shift_start: string;
  shift_end: string;
}

interface PositionOut {
  vehicle_id: string;
  lon: number;
  lat: number;
  at: string;
}

function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function mountTransport(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  const tomorrow = new Date(Date.now() + 86400000);
  const dateInput = h('input', { type: 'date', name: 'plan-date', value: isoDate(tomorrow) });
  const message = h('p', { class: 'transport-message', role: 'status' });
  const bookingBox = h('section', { class: 'panel transport-book', 'aria-label': 'booking' });
  const riderBox = h('section', { class: 'panel transport-rider', 'aria-label': 'rider' });
  const tripsBox = h('section', { class: 'panel transport-trips', 'aria-label': 'trips' });
  const reportBox = h('section', { class: 'panel transport-report', 'aria-label': 'report' });
  let riders: Rider[] = [];
  const liveNote = h('p', { class: 'muted', 'data-field': 'live', hidden: true }, tt('live_down'));

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) return onLogout();
    message.className = 'transport-message error';
    message.textContent = refusalText(e);
  };
  const say = (s: string) => {
    message.className = 'transport-message';
    message.textContent = s;
  };

  function renderBooking(): void {
    const rider = h('select', { name: 'rider' }, ...riders.map((r) => h('option', { value: r.id }, `${r.id} ${r.name} (${word(r.mobility)})`)));
    const kinds = ['home', 'day_centre', 'hospital', 'dialysis', 'other'];
    const pickup = h('select', { name: 'pickup' }, ...kinds.map((k) => h('option', { value: k }, word(k))));
    const dropoff = h('select', { name: 'dropoff' }, ...kinds.map((k) => h('option', { value: k }, word(k))));
    dropoff.value = 'dialysis';
    const timing = h('select', { name: 'timing' }, h('option', { value: 'arrive_by' }, tt('arrive_by')), h('option', { value: 'pickup_at' }, tt('pickup_at')));
    const time = h('input', { type: 'time', name: 'time', value: '08:00', required: true });
    const ret = h('input', { type: 'time', name: 'return_time' });
    const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const boxes = days.map((d) => h('input', { type: 'checkbox', name: `day-${d}`, value: d }));
    const until = h('input', { type: 'date', name: 'until' });
    const form = h(
      'form',
      {
        class: 'booking-form',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const weekdays = boxes.filter((b) => b.checked).map((b) => b.value);
          const body: Record<string, unknown> = {
            rider: rider.value,
            date: dateInput.value,
            pickup: { place: pickup.value },
            dropoff: { place: dropoff.value },
            timing: timing.value,
            time: `${time.value}:00`,
          };
          if (ret.value) body.return_time = `${ret.value}:00`;
          if (weekdays.length) body.repeat = { weekdays, ...(until.value ? { until: until.value } : {}) };
          try {
            const out = await call<{ trips: TripView[] }>('POST', '/api/v1/transport/bookings', body);
            say(tt('booked', { n: out.trips.length }));
            await loadDay();
          } catch (err) {
            fail(err);
          }
        },
      },
      h('label', {}, tt('rider'), rider),
      h('label', {}, tt('pickup'), pickup),
      h('label', {}, tt('dropoff'), dropoff),
      h('label', {}, tt('timing'), timing),
      h('label', {}, tt('time'), time),
      h('label', {}, tt('return_time'), ret),
      h('fieldset', {}, h('legend', {}, tt('repeat')), ...days.map((d, i) => h('label', { class: 'day' }, boxes[i], tt(`wd_${d}` as TKey)))),
      h('label', {}, tt('until'), until),
      h('button', { type: 'submit', class: 'primary', 'data-action': 'book' }, tt('save_booking')),
    );
    bookingBox.replaceChildren(h('h2', {}, tt('book')), form);
  }

  /** Registers a rider: mobility profile, phones, home and one usual destination. */
  function renderRiderForm(): void {
    const field = (name: string, attrs: Record<string, string> = {}) => h('input', { name, ...attrs });
    const id = field('rider-id', { required: 'true', placeholder: 'R-101' });
    const name = field('rider-name', { required: 'true' });
    const phone = field('rider-phone', { type: 'tel' });
    const carer = field('rider-carer', { type: 'tel' });
    const mobility = h('select', { name: 'rider-mobility' }, ...['seated', 'walker', 'wheelchair'].map((m) => h('option', { value: m }, word(m))));
    const door = h('input', { type: 'checkbox', name: 'rider-door' });
    const companion = h('input', { type: 'checkbox', name: 'rider-companion' });
    const notes = field('rider-notes');
    const home = field('rider-home', { required: 'true' });
    const homeLonLat = field('rider-home-pos', { required: 'true', placeholder: '21.2087, 45.7537' });
    const destKind = h('select', { name: 'rider-dest-kind' }, ...['dialysis', 'day_centre', 'hospital', 'other'].map((k) => h('option', { value: k }, word(k))));
    const dest = field('rider-dest', { required: 'true' });
    const destLonLat = field('rider-dest-pos', { required: 'true', placeholder: '21.2419, 45.7386' });
    const pos = (s: string) => {
      const [lon, lat] = s.split(',').map((x) => Number(x.trim()));
      return { lon, lat };
    };
    const form = h(
      'form',
      {
        class: 'rider-form',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            await call('POST', '/api/v1/transport/riders', {
              id: id.value.trim(),
              name: name.value.trim(),
              ...(phone.value ? { phone: phone.value } : {}),
              ...(carer.value ? { carer_phone: carer.value } : {}),
              mobility: mobility.value,
              door_assistance: door.checked,
              companion: companion.checked,
              notes: notes.value,
              places: [
                { kind: 'home', address: home.value, ...pos(homeLonLat.value) },
                { kind: destKind.value, address: dest.value, ...pos(destLonLat.value) },
              ],
            });
            say(`${tt('rider_saved')} ${id.value}`);
            riders = (await call<{ riders: Rider[] }>('GET', '/api/v1/transport/riders')).riders;
            renderBooking();
          } catch (err) {
            fail(err);
          }
        },
      },
      h('label', {}, 'Id', id),
      h('label', {}, tt('name'), name),
      h('label', {}, tt('phone'), phone),
      h('label', {}, tt('carer_phone'), carer),
      h('label', {}, tt('mobility'), mobility),
      h('label', { class: 'check' }, door, tt('door')),
      h('label', { class: 'check' }, companion, tt('companion')),
      h('label', {}, tt('notes'), notes),
      h('label', {}, `${word('home')}: ${tt('address')}`, home),
      h('label', {}, `${word('home')}: lon, lat`, homeLonLat),
      h('label', {}, tt('dropoff'), destKind),
      h('label', {}, `${tt('dropoff')}: ${tt('address')}`, dest),
      h('label', {}, `${tt('dropoff')}: lon, lat`, destLonLat),
      h('button', { type: 'submit', class: 'secondary', 'data-action': 'add-rider' }, tt('add_rider')),
    );
    riderBox.replaceChildren(h('h2', {}, tt('new_rider')), form);
  }

  // The day shown: its plan (null when not planned), trips, vehicles and last positions.
  let plan: PlanOut | null = null;
  let trips: TripView[] = [];
  let vehicles: VehicleOut[] = [];
  let positions: PositionOut[] = [];
  let selected: string | null = null;
  const planMap = new PlanMap((trip) => select(trip));
  const mapBox = h('section', { class: 'panel planner-map', 'aria-label': 'map' });
  const timelineBox = h('section', { class: 'panel planner-timeline', 'aria-label': 'timeline' });
  const tripBox = h('section', { class: 'panel planner-trip', 'aria-label': 'trip' });
  const unservedBox = h('section', { class: 'panel planner-unserved', 'aria-label': 'unserved' });
  const manifestBox = h('section', { class: 'panel planner-manifests', 'aria-label': 'manifests' });
  // The `tablet` helper's messages panel mounts here (mountMessagesPanel(el, date)).
  const messagesBox = h('section', { id: 'transport-messages', class: 'panel planner-messages', 'aria-label': 'messages' });
  const runButton = h('button', { class: 'primary', 'data-action': 'plan' }, tt('plan'));
  const versionNote = h('span', { class: 'plan-version-slot' });

  const colours = () => new Map(vehicles.map((v, i) => [v.id, colourOf(i)]));
  const tripById = (id: string) => trips.find((t) => t.id === id);
  // The Mobilitate runs of the day shown (meal rounds, shuttles, supply runs), created here too.
  const runs = runsPanel({ riders: () => riders, changed: () => loadDay(), onUnauthorized: onLogout });
  /** Whom a trip serves: its rider, else (a run's stop without a rider) what the run names. */
  const riderName = (t: TripView | undefined) =>
    t ? (t.rider_id ? (riders.find((r) => r.id === t.rider_id)?.name ?? t.rider_id) : (runs.labelOf(t.id) ?? t.id)) : '';

  function select(trip: string | null): void {
    selected = trip;
    planMap.select(trip);
    renderTimelineBox();
    renderTripBox();
    for (const row of tripsBox.querySelectorAll<HTMLElement>('tr[data-trip]')) row.classList.toggle('selected', row.dataset.trip === trip);
  }

  async function loadDay(): Promise<void> {
    const date = dateInput.value;
    try {
      const [p, list, fleet, pos] = await Promise.all([
        call<PlanOut>('GET', `/api/v1/transport/plans/${date}`).catch((e) => {
          if (e instanceof ApiError && e.status === 404) return null;
          throw e;
        }),
        call<{ trips: TripView[] }>('GET', `/api/v1/transport/bookings?date=${date}`),
        call<{ vehicles: VehicleOut[] }>('GET', '/api/v1/transport/vehicles'),
        call<{ positions: PositionOut[] }>('GET', '/api/v1/transport/positions'),
        runs.load(date),
      ]);
      if (date !== dateInput.value) return;
      plan = p;
      trips = list.trips;
      vehicles = fleet.vehicles;
      positions = pos.positions;
      if (selected && !tripById(selected)) selected = null;
      renderDay();
      void loadLines(date);
    } catch (e) {
      fail(e);
    }
  }

  /** The routes along the roads, fetched once per plan version (the service caches them too). */
  let linesOf = '';
  async function loadLines(date: string): Promise<void> {
    const key = plan ? `${date}:${plan.version}` : '';
    if (key === linesOf) return;
    linesOf = key;
    if (!plan) {
      planMap.setLines([], false);
      return;
    }
    try {
      const out = await call<{ version: number; roads: boolean; routes: { vehicle_id: string; path: [number, number][] }[] }>(
        'GET',
        `/api/v1/transport/plans/${date}/routes`,
      );
      if (date === dateInput.value && plan?.version === out.version) planMap.setLines(out.routes, out.roads);
      // Straight legs while the road network loads: ask again with the next refresh.
      if (!out.roads) linesOf = '';
    } catch {
      // Straight legs stay drawn; the next plan version tries again.
      linesOf = '';
    }
  }

  async function refreshPositions(): Promise<void> {
    try {
      positions = (await call<{ positions: PositionOut[] }>('GET', '/api/v1/transport/positions')).positions;
      renderMap();
    } catch {
      // The next change or refresh tries again; the plan itself is unaffected.
    }
  }

  function renderDay(): void {
    renderHead();
    renderMap();
    renderTimelineBox();
    renderUnserved();
    renderTripBox();
    renderManifests();
    renderTrips();
  }

  /** What waits for the plan on a day not planned yet: the trips booked (not cancelled) and
   * how many of them need a wheelchair place. */
  function bookedToPlan(): TripView[] {
    return trips.filter((t) => t.status !== 'cancelled' && (t.kind ?? 'trip') === 'trip');
  }

  function notPlannedText(): string {
    const booked = bookedToPlan();
    if (booked.length === 0) return tt('no_plan_none');
    const wheelchairs = booked.filter((t) => riders.find((r) => r.id === t.rider_id)?.mobility === 'wheelchair').length;
    return wheelchairs > 0 ? tt('no_plan_booked_wc', { n: booked.length, w: wheelchairs }) : tt('no_plan_booked', { n: booked.length });
  }

  function renderHead(): void {
    versionNote.replaceChildren(
      plan
        ? h('span', { 'data-field': 'plan-version' }, `v${plan.version} · ${plan.feasible ? '✓' : plan.problems.join('; ')}`)
        : h('span', { class: 'muted', 'data-field': 'no-plan' }, notPlannedText()),
    );
  }

  function renderMap(): void {
    const colour = colours();
    const depots = new Map(vehicles.map((v) => [v.id, v.depot]));
    const manifests = new Map((plan?.manifests ?? []).map((m) => [m.vehicle_id, m.stops]));
    const routes: MapRoute[] = (plan?.routes ?? []).map((r) => {
      const ms = manifests.get(r.vehicle_id) ?? [];
      return {
        vehicle_id: r.vehicle_id,
        colour: colour.get(r.vehicle_id) ?? '#555',
        depot: depots.get(r.vehicle_id) ?? null,
        stops: r.stops.flatMap((s, i) => {
          const m = ms[i]?.trip_id === s.trip_id ? ms[i] : ms.find((x) => x.trip_id === s.trip_id && x.pickup === s.pickup);
          return m ? [{ trip_id: s.trip_id, pickup: s.pickup, lon: m.lon, lat: m.lat, late: s.late_minutes > 0 }] : [];
        }),
      };
    });
    planMap.setData(
      routes,
      positions.map((p) => ({ ...p, colour: colour.get(p.vehicle_id) ?? '#555' })),
    );
    mapBox.replaceChildren(
      h('header', { class: 'panel-head' }, h('h2', {}, tt('map_title')), h('span', { class: 'muted', 'data-field': 'positions' }, tt('positions_at', { n: positions.length }))),
      planMap.el,
    );
  }

  function renderTimelineBox(): void {
    const colour = colours();
    const shifts = new Map(vehicles.map((v) => [v.id, v]));
    // Every vehicle of the plan, those without work too: each row is a place to drop a trip.
    const rows = (plan?.routes ?? []).map((r) => ({
        vehicle_id: r.vehicle_id,
        colour: colour.get(r.vehicle_id) ?? '#555',
        shift_start: shifts.get(r.vehicle_id)?.shift_start.slice(0, 5) ?? null,
        shift_end: shifts.get(r.vehicle_id)?.shift_end.slice(0, 5) ?? null,
        km: r.km,
        delay_minutes: r.delay_minutes,
        stops: r.stops.map((s) => ({ ...s, kind: tripById(s.trip_id)?.kind ?? s.kind, label: riderName(tripById(s.trip_id)) })),
      }));
    timelineBox.replaceChildren(
      h('header', { class: 'panel-head' }, h('h2', {}, tt('timeline_title')), plan ? h('span', { class: 'muted' }, tt('drag_hint')) : null),
      plan
        ? h('div', { class: 'scroll-x' }, renderTimeline(rows, selected, (trip) => select(trip), tripDrag))
        : h('div', { 'data-field': 'timeline-no-plan' }, h('p', {}, notPlannedText()), bookedToPlan().length > 0 ? h('p', { class: 'muted' }, tt('plan_hint')) : null),
    );
  }

  // Dragging a trip onto a vehicle's row: while it is dragged, the rows are marked with where
  // it fits (asked once per drag); on the drop, the service is asked again and decides.
  let dragOf = 0;
  const fitsOf = (trip: string) => call<{ vehicles: VehicleFit[] }>('GET', `/api/v1/transport/plans/${dateInput.value}/trips/${trip}/fits`);
  const tripDrag: TripDrag = {
    onStart: (trip) => {
      const n = ++dragOf;
      say('');
      const mark = (fit: (vehicle: string) => VehicleFit | undefined) => {
        if (n !== dragOf) return;
        for (const row of timelineBox.querySelectorAll<HTMLElement>('.tl-row[data-vehicle]')) {
          const v = fit(row.dataset.vehicle ?? '');
          row.dataset.fits = String(!!v?.fits);
          row.title = v && !v.fits ? reasonText(v.reason) : '';
        }
      };
      fitsOf(trip)
        .then((f) => mark((id) => f.vehicles.find((x) => x.vehicle_id === id)))
        .catch((e) => {
          // Refused for every vehicle (no vehicle can carry the rider): every row says why.
          if (e instanceof ApiError && e.reason) mark((id) => ({ vehicle_id: id, current: false, fits: false, reason: e.reason ?? null, added_km: null, added_minutes: null, pickup: null }));
        });
    },
    onDrop: (trip, vehicle) => void dropTrip(trip, vehicle),
    onCancel: () => {
      dragOf++;
      renderTimelineBox();
    },
  };

  async function dropTrip(trip: string, vehicle: string): Promise<void> {
    dragOf++;
    try {
      const refused = (why: string) => {
        message.className = 'transport-message error';
        message.textContent = tt('drop_refused', { v: vehicle, why: reasonText(why) });
        renderTimelineBox();
      };
      const fits = await fitsOf(trip).catch((e) => {
        if (e instanceof ApiError && e.reason) return e.reason;
        throw e;
      });
      if (typeof fits === 'string') return refused(fits);
      const fit = fits.vehicles.find((v) => v.vehicle_id === vehicle);
      if (!fit?.fits) return refused(fit?.reason || 'not_plannable');
      await call('POST', `/api/v1/transport/plans/${dateInput.value}/move`, { trip_id: trip, vehicle_id: vehicle });
      selected = trip;
      say(tt('placed', { v: vehicle }));
      await loadDay();
      planMap.select(trip);
    } catch (e) {
      fail(e);
      renderTimelineBox();
    }
  }

  function renderUnserved(): void {
    const list = plan?.unserved ?? [];
    unservedBox.replaceChildren(
      // Before the first plan there is no count to give: nothing has been tried yet.
      h('h2', {}, plan ? `${tt('unserved')} (${list.length})` : tt('unserved')),
      !plan
        ? h('p', { class: 'muted' }, tt('no_plan'))
        : list.length === 0
          ? h('p', { class: 'muted' }, tt('unserved_none'))
          : h(
              'ul',
              { class: 'unserved' },
              ...list.map((u) => {
                const li = h(
                  'li',
                  { 'data-trip': u.trip_id, class: u.trip_id === selected ? 'selected' : '', title: tt('drag_unserved') },
                  h('span', { class: 'grip', 'aria-hidden': 'true' }, '⠿'),
                  h('span', {}, h('b', {}, `${u.time ?? ''} ${u.rider ?? u.trip_id}`), h('br', {}), h('span', { class: 'why', 'data-field': 'unserved-reason' }, unservedText(u.code || 'not_plannable'))),
                  h('button', { type: 'button', class: 'primary', 'data-action': 'place-open', onclick: () => select(u.trip_id) }, tt('place')),
                );
                if (plan) draggable(li, u.trip_id, `${u.time ?? ''} ${u.rider ?? u.trip_id}`, null, tripDrag);
                return li;
              }),
            ),
    );
  }

  function renderTripBox(): void {
    const t = selected ? tripById(selected) : undefined;
    if (!t) {
      tripBox.replaceChildren(h('h2', {}, tt('trip_title')), h('p', { class: 'muted' }, tt('select_hint')));
      return;
    }
    const unserved = plan?.unserved.find((u) => u.trip_id === t.id);
    tripBox.replaceChildren(
      h('h2', {}, tt('trip_title')),
      tripPanel({
        date: dateInput.value,
        trip: t,
        rider: riders.find((r) => r.id === t.rider_id),
        planned: !!t.vehicle_id,
        unservedCode: unserved ? unserved.code || 'not_plannable' : null,
        promised: t.promised,
        changed: async (msg) => {
          say(msg);
          await loadDay();
        },
      }),
    );
  }

  function renderManifests(): void {
    const colour = colours();
    const content: HTMLElement[] = [h('h2', {}, tt('manifests_title'))];
    for (const m of plan?.manifests ?? []) {
      if (m.stops.length === 0) continue;
      content.push(
        h(
          'details',
          { class: 'manifest', 'data-vehicle': m.vehicle_id },
          h('summary', {}, styled(h('span', { class: 'tl-swatch' }), { background: colour.get(m.vehicle_id) ?? '#555' }), tt('manifest_trips', { v: m.vehicle_id, n: m.stops.length / 2 })),
          h('ol', {}, ...m.stops.map((s) => h('li', { 'data-trip': s.trip_id }, `${s.time} ${s.pickup ? tt('pick') : tt('drop')} · ${s.rider ?? s.label ?? ''} · ${s.address} · ${word(s.status)}`))),
        ),
      );
    }
    manifestBox.replaceChildren(...content);
  }

  function renderTrips(): void {
    const body = h('tbody');
    for (const t of trips) {
      body.append(
        h(
          'tr',
          { 'data-trip': t.id, class: t.id === selected ? 'selected' : '', tabindex: '0', onclick: () => select(t.id), onkeydown: (e: Event) => { if ((e as KeyboardEvent).key === 'Enter') select(t.id); } },
          h('td', {}, riderName(t)),
          h('td', {}, t.time.slice(0, 5)),
          h('td', { class: 'addr' }, t.pickup.address),
          h('td', { class: 'addr' }, t.dropoff.address),
          h('td', {}, t.promised ?? ''),
          h('td', {}, t.vehicle_id ?? ''),
          h('td', {}, word(t.status)),
          answerCell(t),
        ),
      );
    }
    tripsBox.replaceChildren(
      h('h2', {}, `${tt('trips')} (${trips.length})`),
      h('div', { class: 'scroll-x' }, h('table', { class: 'trips-table' }, h('thead', {}, h('tr', {}, ...[tt('rider'), tt('time'), tt('pickup'), tt('dropoff'), tt('promised'), tt('vehicle'), tt('status'), tt('sms_answer')].map((x) => h('th', {}, x)))), body)),
    );
  }

  runButton.addEventListener('click', async () => {
    runButton.disabled = true;
    say(tt('planning'));
    try {
      const out = await call<{ plan: PlanOut; progress: string[] }>('POST', `/api/v1/transport/plans/${dateInput.value}`, {});
      // The service's progress lines are for the log (English); the dispatcher gets the outcome.
      const plan = out.plan;
      say(
        tt('planned_summary', {
          v: plan.version,
          served: plan.routes.reduce((n, r) => n + r.stops.filter((x) => x.pickup).length, 0),
          used: plan.routes.filter((r) => r.stops.length > 0).length,
          km: formatNumber(plan.routes.reduce((n, r) => n + r.km, 0)),
          unserved: plan.unserved.length,
        }),
      );
      await loadDay();
    } catch (e) {
      fail(e);
    } finally {
      runButton.disabled = false;
    }
  });
  function renderReportForm(): void {
    const from = h('input', { type: 'date', name: 'from', value: isoDate(new Date(Date.now() - 13 * 86400000)) });
    const to = h('input', { type: 'date', name: 'to', value: isoDate(tomorrow) });
    const out = h('div', { class: 'report-out' });
    const csv = h('a', { class: 'csv', 'data-action': 'csv' }, tt('csv'));
    const show = async () => {
      csv.setAttribute('href', `/api/v1/transport/reports.csv?from=${from.value}&to=${to.value}`);
      try {
        const rep = await call<{ days: DayPoint[]; vehicles: VehicleRow[] }>(
          'GET',
          `/api/v1/transport/reports?from=${from.value}&to=${to.value}`,
        );
        clear(out);
        out.append(
          reportChart(rep.days),
          h('p', { class: 'muted' }, tt('chart_legend')),
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h('tr', {}, ...(['vehicle', 'trips', 'planned_km', 'planned_hours', 'driven_km', 'driven_hours'] as const).map((k, i) => h('th', i >= 2 ? { class: 'num' } : {}, tt(k)))),
            ),
            h(
              'tbody',
              {},
              ...rep.vehicles.map((v) =>
                h(
                  'tr',
                  { 'data-vehicle': v.vehicle_id },
                  h('td', {}, v.vehicle_id),
                  h('td', {}, String(v.trips)),
                  ...[v.km, v.hours, v.driven_km, v.driven_hours].map((x) => h('td', { class: 'num' }, formatNumber(x))),
                ),
              ),
            ),
          ),
        );
      } catch (e) {
        fail(e);
      }
    };
    reportBox.replaceChildren(
      h('h2', {}, tt('reports')),
      h('div', { class: 'report-form' }, h('label', {}, tt('from'), from), h('label', {}, tt('to'), to), h('button', { class: 'secondary', 'data-action': 'report', onclick: () => void show() }, tt('show')), csv),
      out,
    );
    void show();
  }

  const renderAll = () => {
    runButton.textContent = tt('plan');
    renderBooking();
    renderRiderForm();
    runs.render();
    renderReportForm();
    renderDay();
    void loadDay();
  };
  dateInput.addEventListener('change', () => {
    // What was said about the day left behind does not belong to the new one.
    say('');
    selected = null;
    void loadDay();
    stopMessages.reload();
  });
  const bar = topBar(me, onLogout, () => renderAll(), h('a', { href: '/', class: 'nav' }, tt('back_console')));
  root.replaceChildren(
    bar,
    h(
      'main',
      { class: 'transport planner', 'data-page': 'transport' },
      // What the last action did, beside the buttons that start most of them: no empty band
      // above the panels while there is nothing to say, nothing pushed down when there is.
      h('div', { class: 'transport-head' }, h('h1', {}, tt('transport')), h('label', {}, tt('date'), dateInput), runButton, versionNote, message),
      liveNote,
      h('div', { class: 'planner-top' }, mapBox, timelineBox),
      h('div', { class: 'planner-mid' }, tripBox, unservedBox, messagesBox),
      runs.el,
      h('div', { class: 'planner-lower' }, bookingBox, manifestBox, riderBox),
      tripsBox,
      reportBox,
    ),
  );
  const stopMessages = mountMessagesPanel(root.querySelector<HTMLElement>('#transport-messages')!, () => dateInput.value);
  call<{ riders: Rider[] }>('GET', '/api/v1/transport/riders')
    .then((r) => {
      riders = r.riders;
      renderBooking();
      // The not-planned note counts wheelchair riders: it needs the riders.
      if (!plan) {
        renderHead();
        renderTimelineBox();
      }
    })
    .catch(fail);
  renderAll();
  // Same-day changes (new bookings, cancellations, moves, the drivers' actions, delays) are
  // pushed: redraw the plan and the trips of the day shown when one of its changes arrives.
  const stopListening = listenTransport({
    onChange: (c) => {
      if (c !== null && c.date !== dateInput.value) return;
      void loadDay();
    },
    onLink: (open) => {
      liveNote.hidden = open;
    },
    onUnauthorized: onLogout,
  });
  const offLang = onLangChange(() => renderAll());
  const positionsTimer = window.setInterval(() => void refreshPositions(), 20_000);
  return () => {
    stopListening();
    offLang();
    stopMessages();
    window.clearInterval(positionsTimer);
  };
}
