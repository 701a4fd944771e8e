// The dispatchers' transport page (`/transport`): book a trip (one-off or recurring, with a
// return), plan the day with the scheduler, read the manifests and the unserved list, move a
// trip to another vehicle by hand, and the reports with a chart and CSV export. Same-day changes
// (bookings, cancellations, moves, the drivers' actions, delays) arrive over the websocket and
// redraw the plan; late vehicles show their delay.

import { ApiError } from '../api';
import { clear, h } from '../dom';
import { onLangChange } from '../i18n';
import { topBar } from '../topbar';
import type { Me } from '../types';
import { call, type ManifestStop, type TripView } from './api';
import { reportChart, type DayPoint } from './chart';
import { tt, word } from './i18n';
import { listenTransport } from './listen';
import { mountMessagesPanel } from './messages-panel';

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
  routes: { vehicle_id: string; km: number; delay_minutes: number; stops: { trip_id: string; pickup: boolean; time: string }[] }[];
  manifests?: { vehicle_id: string; stops: ManifestStop[] }[];
  unserved: { trip_id: string; reason: string; rider?: string | null; time?: string | null }[];
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
  const planBox = h('section', { class: 'panel transport-plan', 'aria-label': 'plan' });
  const tripsBox = h('section', { class: 'panel transport-trips', 'aria-label': 'trips' });
  const reportBox = h('section', { class: 'panel transport-report', 'aria-label': 'report' });
  let riders: Rider[] = [];
  const liveNote = h('p', { class: 'muted', 'data-field': 'live', hidden: true }, tt('live_down'));

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) return onLogout();
    message.className = 'transport-message error';
    message.textContent = e instanceof ApiError ? `${e.field ? `${e.field}: ` : ''}${e.message}` : String(e);
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
            await loadTrips();
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
      h('fieldset', {}, h('legend', {}, tt('repeat')), ...days.map((d, i) => h('label', { class: 'day' }, boxes[i], d))),
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

  async function loadTrips(): Promise<void> {
    try {
      const out = await call<{ trips: TripView[] }>('GET', `/api/v1/transport/bookings?date=${dateInput.value}`);
      const body = h('tbody');
      for (const t of out.trips) {
        body.append(
          h('tr', { 'data-trip': t.id }, h('td', {}, t.rider_id), h('td', {}, t.time.slice(0, 5)), h('td', {}, t.pickup.address), h('td', {}, t.dropoff.address), h('td', {}, t.promised ?? ''), h('td', {}, t.vehicle_id ?? ''), h('td', {}, word(t.status))),
        );
      }
      tripsBox.replaceChildren(
        h('h2', {}, `${tt('trips')} (${out.trips.length})`),
        h('table', {}, h('thead', {}, h('tr', {}, ...[tt('rider'), tt('time'), tt('pickup'), tt('dropoff'), tt('promised'), tt('vehicle'), tt('status')].map((x) => h('th', {}, x)))), body),
      );
    } catch (e) {
      fail(e);
    }
  }

  function renderPlan(plan: PlanOut | null, progress: string[] = []): void {
    const run = h('button', { class: 'primary', 'data-action': 'plan' }, tt('plan'));
    const log = h('pre', { class: 'plan-progress' }, progress.join('\n'));
    run.addEventListener('click', async () => {
      run.disabled = true;
      log.textContent = tt('planning');
      try {
        const out = await call<{ plan: PlanOut; progress: string[] }>('POST', `/api/v1/transport/plans/${dateInput.value}`, {});
        await loadPlan(out.progress);
        await loadTrips();
      } catch (e) {
        fail(e);
      } finally {
        run.disabled = false;
      }
    });
    const content: (HTMLElement | null)[] = [h('h2', {}, tt('plan_title')), run, log];
    if (!plan) {
      content.push(h('p', { class: 'muted' }, tt('no_plan')));
    } else {
      content.push(h('p', { 'data-field': 'plan-version' }, `v${plan.version} · ${plan.feasible ? '✓' : plan.problems.join('; ')}`));
      for (const m of plan.manifests ?? []) {
        if (m.stops.length === 0) continue;
        const route = plan.routes.find((r) => r.vehicle_id === m.vehicle_id);
        const km = route?.km ?? 0;
        const late = route?.delay_minutes ?? 0;
        content.push(
          h(
            'div',
            { class: 'manifest', 'data-vehicle': m.vehicle_id },
            h(
              'h3',
              {},
              `${m.vehicle_id} · ${km} ${tt('km')}`,
              late > 0 ? h('span', { class: 'delay', 'data-field': 'delay' }, ` · ${tt('delay', { n: late })}`) : null,
            ),
            h('ol', {}, ...m.stops.map((s) => h('li', { 'data-trip': s.trip_id }, `${s.time} ${s.pickup ? tt('pick') : tt('drop')} · ${s.rider ?? ''} · ${s.address} · ${word(s.status)}`))),
          ),
        );
      }
      content.push(h('h3', {}, `${tt('unserved')} (${plan.unserved.length})`));
      content.push(h('ul', { class: 'unserved' }, ...plan.unserved.map((u) => h('li', {}, `${u.time ?? ''} ${u.rider ?? u.trip_id}: ${u.reason}`))));
      const trip = h('select', { name: 'move-trip' }, ...(plan.manifests ?? []).flatMap((m) => m.stops.filter((s) => s.pickup).map((s) => h('option', { value: s.trip_id }, `${s.time} ${s.rider ?? s.trip_id} (${m.vehicle_id})`))));
      const vehicle = h('select', { name: 'move-vehicle' }, ...plan.routes.map((r) => h('option', { value: r.vehicle_id }, r.vehicle_id)));
      content.push(
        h(
          'form',
          {
            class: 'move-form',
            onsubmit: async (e: Event) => {
              e.preventDefault();
              try {
                await call('POST', `/api/v1/transport/plans/${dateInput.value}/move`, { trip_id: trip.value, vehicle_id: vehicle.value });
                say(tt('moved'));
                await loadPlan();
              } catch (err) {
                fail(err);
              }
            },
          },
          h('label', {}, tt('trips'), trip),
          h('label', {}, tt('vehicle'), vehicle),
          h('button', { type: 'submit', class: 'secondary' }, tt('move')),
        ),
      );
    }
    planBox.replaceChildren(...content.filter((c): c is HTMLElement => c !== null));
  }

  async function loadPlan(progress: string[] = []): Promise<void> {
    try {
      renderPlan(await call<PlanOut>('GET', `/api/v1/transport/plans/${dateInput.value}`), progress);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) renderPlan(null, progress);
      else fail(e);
    }
  }

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
              h('tr', {}, ...(['vehicle', 'trips', 'planned_km', 'planned_hours', 'driven_km', 'driven_hours'] as const).map((k) => h('th', {}, tt(k)))),
            ),
            h(
              'tbody',
              {},
              ...rep.vehicles.map((v) =>
                h(
                  'tr',
                  { 'data-vehicle': v.vehicle_id },
                  ...[v.vehicle_id, v.trips, v.km, v.hours, v.driven_km, v.driven_hours].map((x) => h('td', {}, String(x))),
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
    renderBooking();
    renderRiderForm();
    renderReportForm();
    void loadPlan();
    void loadTrips();
  };
  dateInput.addEventListener('change', () => {
    void loadPlan();
    void loadTrips();
  });
  const bar = topBar(me, onLogout, () => renderAll(), h('a', { href: '/', class: 'nav' }, tt('back_console')));
  root.replaceChildren(
    bar,
    h('main', { class: 'transport', 'data-page': 'transport' }, h('div', { class: 'transport-head' }, h('h1', {}, tt('transport')), h('label', {}, tt('date'), dateInput)), liveNote, message, bookingBox, planBox, riderBox, tripsBox, reportBox, h('section', { id: 'transport-messages', class: 'panel' })),
  );
  const stopMessages = mountMessagesPanel(root.querySelector<HTMLElement>('#transport-messages')!, isoDate(new Date()));
  call<{ riders: Rider[] }>('GET', '/api/v1/transport/riders')
    .then((r) => {
      riders = r.riders;
      renderBooking();
    })
    .catch(fail);
  renderAll();
  // Same-day changes (new bookings, cancellations, moves, the drivers' actions, delays) are
  // pushed: redraw the plan and the trips of the day shown when one of its changes arrives.
  const stopListening = listenTransport({
    onChange: (c) => {
      if (c !== null && c.date !== dateInput.value) return;
      void loadPlan();
      void loadTrips();
    },
    onLink: (open) => {
      liveNote.hidden = open;
    },
    onUnauthorized: onLogout,
  });
  const offLang = onLangChange(() => renderAll());
  return () => {
    stopListening();
    offLang();
    stopMessages();
  };
}
