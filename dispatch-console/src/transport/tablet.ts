// The driver's tablet (`/sofer`): the manifest of the driver's own vehicle, in order, with
// addresses, mobility notes and a call button; the actions arrived / picked up / no-show /
// dropped off / incident; the GPS position every few seconds. The manifest is refetched when the
// websocket brings a change of this vehicle (a trip booked, moved or cancelled, a delay), with a
// visible "route updated" notice; nothing polls while the socket is up.
//
// Offline first: every action is written to localStorage with a client action id before it is
// sent, shown as done at once, and sent in order whenever the link is up. The server keys
// actions by that id, so a send whose answer was lost is replayed harmlessly: each action is
// applied exactly once.

import { ApiError } from '../api';
import { clear, h } from '../dom';
import { onLangChange } from '../i18n';
import { topBar } from '../topbar';
import type { Me } from '../types';
import { call, type Manifest, type ManifestStop } from './api';
import { tt, word } from './i18n';
import { listenTransport } from './listen';

const QUEUE_KEY = 'dispecer.tablet.queue';
const GPS_EVERY_MS = 5000;
/** Queued actions are sent again this often while the link is down. */
const RETRY_EVERY_MS = 10000;

export interface PendingAction {
  action_id: string;
  kind: 'arrived' | 'picked_up' | 'no_show' | 'dropped_off' | 'incident';
  trip_id?: string;
  reason?: string;
  incident?: string;
  at: string;
}

function loadQueue(): PendingAction[] {
  try {
    return JSON.parse(localStorage.getItem(QUEUE_KEY) ?? '[]') as PendingAction[];
  } catch {
    return [];
  }
}

function saveQueue(q: PendingAction[]): void {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(q));
}

function newId(): string {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

/** The status a trip has once `kind` is applied (mirrors the server's transitions). */
function after(status: string, kind: PendingAction['kind']): string {
  switch (kind) {
    case 'arrived':
      return status === 'booked' ? 'arrived' : status;
    case 'picked_up':
      return 'picked_up';
    case 'no_show':
      return 'no_show';
    case 'dropped_off':
      return 'dropped_off';
    default:
      return status;
  }
}

export function mountTablet(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  let manifest: Manifest | null = null;
  let online = navigator.onLine;
  let flushing = false;
  let lastError = '';
  let position: { lon: number; lat: number } | null = null;
  /** When a pushed change last altered the manifest (shown until the driver taps it). */
  let updatedAt: Date | null = null;
  const notice = h('div', {
    class: 'tablet-notice',
    'data-field': 'notice',
    role: 'status',
    hidden: true,
    onclick: () => {
      updatedAt = null;
      render();
    },
  });
  const list = h('ol', { class: 'tablet-stops' });
  const head = h('div', { class: 'tablet-head' });
  const status = h('div', { class: 'tablet-link', 'data-field': 'link' });
  const incidentBox = h('div', { class: 'tablet-incident' });
  const main = h('main', { class: 'tablet', 'data-page': 'sofer', 'data-busy': '0' }, head, status, notice, incidentBox, list);

  /** Trip statuses with the queued (not yet acknowledged) actions applied. */
  const effective = (s: ManifestStop): string =>
    loadQueue()
      .filter((a) => a.trip_id === s.trip_id)
      .reduce((st, a) => after(st, a.kind), s.status);

  const record = (a: Omit<PendingAction, 'action_id' | 'at'>) => {
    const q = loadQueue();
    q.push({ ...a, action_id: newId(), at: new Date().toISOString() });
    saveQueue(q);
    render();
    void flush();
  };

  // Requests under way, exposed as data-busy for the browser tests.
  let busy = 0;
  const setBusy = (d: number) => {
    busy += d;
    main.dataset.busy = String(busy);
  };

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    setBusy(1);
    try {
      for (;;) {
        const q = loadQueue();
        if (q.length === 0) break;
        const a = q[0];
        try {
          await call('POST', '/api/v1/transport/actions', a);
          lastError = '';
        } catch (e) {
          if (e instanceof ApiError && e.status === 401) {
            onLogout();
            return;
          }
          if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
            // Refused for good (e.g. a step no longer possible): drop it and say so.
            lastError = tt('refused', { m: e.message });
          } else {
            online = false;
            break;
          }
        }
        online = true;
        saveQueue(loadQueue().filter((x) => x.action_id !== a.action_id));
        render();
      }
      render();
      if (loadQueue().length === 0) await refresh();
    } finally {
      flushing = false;
      setBusy(-1);
      render();
    }
  }

  /** Refetches the manifest; `pushed` when a change made elsewhere caused it (then a change of
   * the stops is announced). */
  async function refresh(pushed = false): Promise<void> {
    setBusy(1);
    try {
      const fresh = await call<Manifest>('GET', '/api/v1/transport/manifest');
      const differs = manifest !== null && JSON.stringify(fresh.stops) !== JSON.stringify(manifest.stops);
      if (pushed && differs) updatedAt = new Date();
      const changed = JSON.stringify(fresh) !== JSON.stringify(manifest) || !online;
      manifest = fresh;
      online = true;
      // Redraw only on a change: buttons must not be replaced under the driver's finger.
      if (!changed) return;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return onLogout();
      if (!(e instanceof ApiError)) online = false;
    } finally {
      setBusy(-1);
    }
    render();
  }

  async function sendPosition(): Promise<void> {
    if (!position || !online) return;
    try {
      await call('POST', '/api/v1/transport/position', position);
    } catch (e) {
      if (!(e instanceof ApiError)) online = false;
    }
  }

  const actionButton = (kind: PendingAction['kind'], s: ManifestStop, cls = 'primary') =>
    h('button', { class: cls, 'data-action': kind, onclick: () => record({ kind, trip_id: s.trip_id }) }, tt(kind));

  function noShowForm(s: ManifestStop, host: HTMLElement): void {
    const reason = h(
      'select',
      { name: 'reason' },
      ...(['ns_no_answer', 'ns_not_home', 'ns_refused'] as const).map((k) => h('option', { value: tt(k) }, tt(k))),
    );
    clear(host);
    host.append(
      h('label', {}, tt('ns_reason'), reason),
      h('button', { class: 'danger', 'data-action': 'confirm-no-show', onclick: () => record({ kind: 'no_show', trip_id: s.trip_id, reason: reason.value }) }, tt('confirm')),
      h(
        'button',
        {
          class: 'secondary',
          onclick: () => render(),
        },
        tt('cancel'),
      ),
    );
  }

  function stopItem(s: ManifestStop): HTMLElement {
    const st = effective(s);
    const done = s.pickup ? ['picked_up', 'no_show', 'dropped_off'].includes(st) : ['dropped_off', 'no_show'].includes(st);
    const actions = h('div', { class: 'tablet-actions' });
    if (s.pickup && (st === 'booked' || st === 'arrived')) {
      if (st === 'booked') actions.append(actionButton('arrived', s, 'secondary'));
      actions.append(actionButton('picked_up', s));
      actions.append(h('button', { class: 'danger', 'data-action': 'no_show', onclick: () => noShowForm(s, actions) }, tt('no_show')));
    } else if (!s.pickup && st === 'picked_up') {
      actions.append(actionButton('dropped_off', s));
    }
    const needs = [word(s.mobility), s.door_assistance ? tt('door') : '', s.companion ? tt('companion') : ''].filter(Boolean).join(' · ');
    return h(
      'li',
      { class: `tablet-stop${done ? ' done' : ''}`, 'data-trip': s.trip_id, 'data-kind': s.pickup ? 'pickup' : 'dropoff', 'data-status': st },
      h('div', { class: 'stop-time' }, s.time, h('span', { class: 'muted' }, ` ${s.pickup ? tt('pick') : tt('drop')}`)),
      h('div', { class: 'stop-address' }, s.address),
      h('div', { class: 'stop-rider' }, s.rider ?? '', needs ? h('span', { class: 'muted' }, ` (${needs})`) : null),
      s.notes ? h('div', { class: 'stop-notes' }, s.notes) : null,
      h(
        'div',
        { class: 'stop-bar' },
        h('span', { class: 'stop-status', 'data-field': 'status' }, word(st)),
        s.phone ? h('a', { class: 'call', href: `tel:${s.phone}` }, tt('call')) : null,
      ),
      actions,
    );
  }

  function renderIncident(): void {
    clear(incidentBox);
    incidentBox.append(
      h('span', {}, `${tt('incident')}: `),
      ...(['breakdown', 'accident', 'rider_unwell'] as const).map((k) =>
        h('button', { class: 'secondary', 'data-incident': k, onclick: () => record({ kind: 'incident', incident: k }) }, tt(k)),
      ),
    );
  }

  function render(): void {
    const pending = loadQueue().length;
    status.className = `tablet-link ${online ? 'online' : 'offline'}`;
    status.textContent = `${online ? tt('online') : tt('offline')}${pending ? ` · ${tt('pending', { n: pending })}` : ''}${lastError ? ` · ${lastError}` : ''}`;
    status.dataset.pending = String(pending);
    head.textContent = manifest?.date ? `${tt('tablet')} ${manifest.vehicle_id} · ${manifest.date}` : tt('tablet');
    notice.hidden = updatedAt === null;
    notice.textContent = updatedAt ? tt('route_updated', { t: updatedAt.toLocaleTimeString().slice(0, 5) }) : '';
    clear(list);
    if (!manifest || manifest.stops.length === 0) {
      list.append(h('li', { class: 'muted' }, tt('no_manifest')));
    } else {
      for (const s of manifest.stops) list.append(stopItem(s));
    }
    renderIncident();
  }

  const bar = topBar(me, onLogout, () => render());
  root.replaceChildren(bar, main);

  const goOnline = () => {
    online = true;
    void flush();
  };
  const goOffline = () => {
    online = false;
    render();
  };
  window.addEventListener('online', goOnline);
  window.addEventListener('offline', goOffline);
  let watch: number | undefined;
  if ('geolocation' in navigator) {
    watch = navigator.geolocation.watchPosition(
      (p) => {
        position = { lon: p.coords.longitude, lat: p.coords.latitude };
      },
      () => undefined,
      { enableHighAccuracy: true, maximumAge: 5000 },
    );
  }
  const gps = window.setInterval(() => void sendPosition(), GPS_EVERY_MS);
  const tick = window.setInterval(() => {
    if (loadQueue().length > 0) void flush();
  }, RETRY_EVERY_MS);
  const stopListening = listenTransport({
    // The server sends this driver only the changes of their vehicle. Their own actions come
    // back too: those refresh without a notice.
    onChange: (c) => void refresh(c !== null && c.reason !== 'action' && c.reason !== 'no_show'),
    onLink: () => undefined,
    onUnauthorized: onLogout,
  });
  const offLang = onLangChange(() => render());
  render();
  void refresh().then(() => flush());
  return () => {
    window.removeEventListener('online', goOnline);
    window.removeEventListener('offline', goOffline);
    if (watch !== undefined) navigator.geolocation.clearWatch(watch);
    window.clearInterval(gps);
    window.clearInterval(tick);
    stopListening();
    offLang();
  };
}
