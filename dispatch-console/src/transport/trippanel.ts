// The selected trip on the planner's page: what it is, where it fits (every vehicle with the
// added kilometres and minutes, or why not: `GET .../trips/{id}/fits`), placing or moving it
// there (`POST .../move`), and cancelling (with a reason code) or editing it (time, timing,
// places), each confirmed before it is sent. Refusals are shown by their reason code, translated.

import { ApiError } from '../api';
import { h } from '../dom';
import { formatNumber, missing } from '../i18n';
import { answerText, tripHistory } from './answer';
import { call, type TripView } from './api';
import { hasKey, tt, word, type TKey } from './i18n';

export interface VehicleFit {
  vehicle_id: string;
  current: boolean;
  fits: boolean;
  reason: string | null;
  added_km: number | null;
  added_minutes: number | null;
  pickup: string | null;
}

export const CANCEL_REASONS = ['rider_request', 'rider_ill', 'late_cancel', 'service_cancel', 'duplicate', 'other'] as const;

/** A code of the server (why a trip is refused or does not fit) in words; an unknown code is a
 * missing entry (shown as ⟦…⟧ in the i18n check). */
export function reasonText(code: string | null | undefined): string {
  if (!code) return '';
  const key = `r_${code}`;
  return hasKey(key) ? tt(key as TKey) : missing(`reason:${code}`, code.replace(/_/g, ' '));
}

/** Why the plan left a trip unserved: said of the whole fleet where a reason reads differently
 * from one vehicle's answer (`no_room`), else as [`reasonText`]. */
export function unservedText(code: string | null | undefined): string {
  const key = `u_${code}`;
  return code && hasKey(key) ? tt(key as TKey) : reasonText(code);
}

/** A refusal of the API in the console's words: its reason code, else the field at fault. */
export function refusalText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.reason) return reasonText(e.reason);
    if (e.status === 422 && e.field) return tt('invalid_field', { f: fieldName(e.field) });
    if (e.status === 404) return tt('not_found');
    if (e.status === 403) return tt('forbidden');
    return tt('refused_generic');
  }
  return tt('network_error');
}

function fieldName(field: string): string {
  const key = `f_${field.replace(/\..*$/, '')}`;
  return hasKey(key) ? tt(key as TKey) : missing(`field:${field}`, field);
}

export interface TripPanelContext {
  date: string;
  trip: TripView;
  rider: { name: string; places: { kind: string }[] } | undefined;
  planned: boolean;
  unservedCode: string | null;
  promised: string | null;
  /** After a change: a message for the dispatcher, then the page reloads the day. */
  changed: (message: string) => Promise<void>;
}

export function tripPanel(c: TripPanelContext): HTMLElement {
  const t = c.trip;
  const out = h('div', { class: 'trip-out', role: 'status' });
  const area = h('div', { class: 'trip-area' });
  const bad = (e: unknown) => {
    out.className = 'trip-out error';
    out.textContent = refusalText(e);
  };
  const live = t.status === 'booked';

  async function showFits(): Promise<void> {
    area.replaceChildren(h('p', { class: 'muted' }, tt('fits_loading')));
    try {
      const f = await call<{ vehicles: VehicleFit[] }>('GET', `/api/v1/transport/plans/${c.date}/trips/${t.id}/fits`);
      const rows = f.vehicles.map((v) =>
        h(
          'tr',
          { 'data-vehicle': v.vehicle_id, 'data-fits': String(v.fits), class: v.fits ? 'fits' : 'nofit' },
          h('td', {}, h('b', {}, v.vehicle_id), v.current ? h('span', { class: 'muted' }, ` (${tt('current')})`) : null),
          h('td', {}, v.fits ? `+${formatNumber(v.added_km ?? 0)} ${tt('km')}` : '—'),
          h('td', {}, v.fits ? `+${Math.round(v.added_minutes ?? 0)} min` : '—'),
          h('td', {}, v.pickup ?? ''),
          h('td', { class: 'why' }, v.fits ? '' : reasonText(v.reason)),
          h(
            'td',
            {},
            v.fits && !v.current
              ? h('button', { type: 'button', class: 'primary', 'data-action': 'place', 'data-vehicle': v.vehicle_id, onclick: () => void place(v.vehicle_id) }, c.planned ? tt('move_here') : tt('place_here'))
              : null,
          ),
        ),
      );
      area.replaceChildren(
        h('h4', {}, tt('fits_title')),
        h(
          'div',
          { class: 'scroll-x' },
          h('table', { class: 'fits' }, h('thead', {}, h('tr', {}, ...[tt('vehicle'), tt('added_km'), tt('added_min'), tt('pick'), tt('reason'), ''].map((x) => h('th', {}, x)))), h('tbody', {}, ...rows)),
        ),
      );
    } catch (e) {
      area.replaceChildren();
      bad(e);
    }
  }

  async function place(vehicle: string): Promise<void> {
    try {
      await call('POST', `/api/v1/transport/plans/${c.date}/move`, { trip_id: t.id, vehicle_id: vehicle });
      await c.changed(tt('placed', { v: vehicle }));
    } catch (e) {
      bad(e);
    }
  }

  /** An inline confirmation: the question, then yes / no. */
  function confirmBar(question: string, action: string, go: () => Promise<void>): HTMLElement {
    const bar: HTMLElement = h(
      'div',
      { class: 'confirm-bar', role: 'alertdialog' },
      h('p', {}, question),
      h('button', { type: 'button', class: 'danger', 'data-action': action, onclick: () => void go() }, tt('yes_do')),
      h('button', { type: 'button', 'data-action': 'abort', onclick: () => bar.remove() }, tt('no_back')),
    );
    return bar;
  }

  function showCancel(): void {
    const reason = h('select', { name: 'cancel-reason' }, ...CANCEL_REASONS.map((r) => h('option', { value: r }, tt(`c_${r}` as TKey))));
    const note = h('input', { name: 'cancel-note', maxlength: '300' });
    const series = h('input', { type: 'checkbox', name: 'cancel-series' });
    const form: HTMLFormElement = h(
      'form',
      {
        class: 'cancel-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          form.querySelector('.confirm-bar')?.remove();
          if (reason.value === 'other' && !note.value.trim()) {
            out.className = 'trip-out error';
            out.textContent = tt('note_needed');
            return;
          }
          form.append(
            confirmBar(tt('cancel_confirm', { time: t.time.slice(0, 5), who: c.rider?.name ?? t.rider_id }), 'confirm-cancel', async () => {
              try {
                const body: Record<string, unknown> = { reason: reason.value, series: series.checked };
                if (note.value.trim()) body.note = note.value.trim();
                await call('POST', `/api/v1/transport/bookings/${t.id}/cancel`, body);
                await c.changed(tt('cancelled_ok'));
              } catch (err) {
                bad(err);
              }
            }),
          );
        },
      },
      h('label', {}, tt('reason'), reason),
      h('label', {}, tt('note'), note),
      t.series_id ? h('label', { class: 'check' }, series, tt('cancel_series')) : null,
      h('button', { type: 'submit', class: 'danger', 'data-action': 'cancel-trip' }, tt('cancel_trip')),
    );
    area.replaceChildren(h('h4', {}, tt('cancel_trip')), form);
  }

  function showEdit(): void {
    const time = h('input', { type: 'time', name: 'edit-time', value: t.time.slice(0, 5) });
    const timing = h('select', { name: 'edit-timing' }, h('option', { value: 'arrive_by' }, tt('arrive_by')), h('option', { value: 'pickup_at' }, tt('pickup_at')));
    timing.value = t.timing;
    const places = c.rider?.places ?? [];
    const placeSelect = (name: string) => h('select', { name }, h('option', { value: '' }, tt('unchanged')), ...places.map((p) => h('option', { value: p.kind }, word(p.kind))));
    const pickup = placeSelect('edit-pickup');
    const dropoff = placeSelect('edit-dropoff');
    const form: HTMLFormElement = h(
      'form',
      {
        class: 'edit-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          form.querySelector('.confirm-bar')?.remove();
          form.append(
            confirmBar(tt('edit_confirm', { time: time.value }), 'confirm-edit', async () => {
              try {
                const body: Record<string, unknown> = { time: `${time.value}:00`, timing: timing.value };
                if (pickup.value) body.pickup = { place: pickup.value };
                if (dropoff.value) body.dropoff = { place: dropoff.value };
                await call('PATCH', `/api/v1/transport/bookings/${t.id}`, body);
                await c.changed(tt('edited_ok'));
              } catch (err) {
                bad(err);
              }
            }),
          );
        },
      },
      h('label', {}, tt('time'), time),
      h('label', {}, tt('timing'), timing),
      h('label', {}, tt('pickup'), pickup),
      h('label', {}, tt('dropoff'), dropoff),
      h('button', { type: 'submit', class: 'primary', 'data-action': 'edit-trip' }, tt('save_edit')),
    );
    area.replaceChildren(h('h4', {}, tt('edit_trip')), form);
  }

  const facts = h(
    'dl',
    { class: 'trip-facts' },
    h('dt', {}, tt('rider')),
    h('dd', {}, c.rider?.name ?? t.rider_id),
    h('dt', {}, tt('time')),
    h('dd', {}, `${t.time.slice(0, 5)} (${t.timing === 'arrive_by' ? tt('arrive_by') : tt('pickup_at')})`),
    h('dt', {}, tt('pickup')),
    h('dd', {}, t.pickup.address),
    h('dt', {}, tt('dropoff')),
    h('dd', {}, t.dropoff.address),
    h('dt', {}, tt('status')),
    h('dd', { 'data-field': 'trip-status' }, word(t.status), t.cancellation ? ` · ${tt(`c_${t.cancellation.reason}` as TKey)}${t.cancellation.note ? `: ${t.cancellation.note}` : ''}` : ''),
    h('dt', {}, tt('sms_answer')),
    h('dd', { 'data-field': 'trip-sms-answer', 'data-answer': t.sms_answer?.answer ?? 'none' }, answerText(t, true)),
    h('dt', {}, tt('vehicle')),
    h('dd', {}, t.vehicle_id ? `${t.vehicle_id} · ${tt('promised')} ${c.promised ?? ''}` : c.unservedCode ? h('span', { class: 'error' }, `${tt('unserved_one')}: ${unservedText(c.unservedCode)}`) : '—'),
  );
  const actions = h(
    'div',
    { class: 'trip-actions' },
    live ? h('button', { type: 'button', class: 'primary', 'data-action': 'show-fits', onclick: () => void showFits() }, c.planned ? tt('where_fits_move') : tt('where_fits')) : null,
    live ? h('button', { type: 'button', class: 'secondary', 'data-action': 'edit-open', onclick: showEdit }, tt('edit_trip')) : null,
    live ? h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel-open', onclick: showCancel }, tt('cancel_trip')) : null,
  );
  const panel = h('div', { class: 'trip-panel', 'data-trip': t.id }, h('h3', {}, `${t.time.slice(0, 5)} · ${c.rider?.name ?? t.rider_id}`), facts, actions, out, area, tripHistory(t));
  if (live && !c.planned && c.unservedCode) void showFits();
  return panel;
}
