// The driver's tablet (`/sofer`): the manifest of the driver's own vehicle with the current stop
// on top (time, address, rider, needs, navigate, call, actions), the next stops below and the
// done ones folded at the bottom; incidents with a reason, the emergency button, messages with
// dispatch; the GPS position every few seconds. The manifest and the messages are refetched when
// the websocket brings a change of this vehicle, with a visible "route updated" notice; nothing
// polls while the socket is up.
//
// Offline first: the manifest, the messages and the driver's `me` are kept in IndexedDB
// (`tablet-db.ts`), so a reload or a restart in a dead zone shows the stops; every action is
// written to the IndexedDB outbox with its client id *before* it is shown as done, and the
// outbox is sent in order whenever the link is up. The service keys actions and messages by
// those ids, so a send whose answer was lost is replayed harmlessly: each is applied once.

import './tablet.css';
import { ApiError } from '../api';
import { clear, h } from '../dom';
import { onLangChange } from '../i18n';
import { topBar } from '../topbar';
import type { Me } from '../types';
import { call, type DriverMessage, type DriverMessageList, type Manifest, type ManifestStop } from './api';
import { tt, word } from './i18n';
import { clock, dayName, refusal, tk } from './i18n-tablet';
import { listenTransport } from './listen';
import { emergencyDialog, incidentDialog, messagesBox, type Send } from './tablet-parts';
import { CACHED_ME, kv, newId, outbox, type OutboxEntry } from './tablet-db';

const GPS_EVERY_MS = 5000;
/** The outbox is sent again this often while the link is down. */
const RETRY_EVERY_MS = 10000;
const ACTIONS = '/api/v1/transport/actions';

type Kind = 'arrived' | 'picked_up' | 'no_show' | 'dropped_off' | 'not_at_home';

/** The status a trip has once `kind` is applied (mirrors the server's transitions). */
function after(status: string, kind: string): string {
  switch (kind) {
    case 'arrived':
      return status === 'booked' ? 'arrived' : status;
    case 'picked_up':
    case 'no_show':
    case 'dropped_off':
    case 'not_at_home':
      return kind;
    default:
      return status;
  }
}

function isDelivery(s: ManifestStop): boolean {
  return s.kind === 'meal' || s.kind === 'supply';
}

/** Whether the stop needs nothing more, given its trip's (effective) status. */
function stopDone(s: ManifestStop, st: string): boolean {
  if (['no_show', 'dropped_off', 'not_at_home', 'cancelled'].includes(st)) return true;
  // A delivery's collection (the canteen, the warehouse) is done once the load is aboard.
  return s.pickup && st === 'picked_up';
}

/** Clears what the tablet keeps of a driver's day (on logout); the outbox stays until sent. */
export async function forgetTablet(): Promise<void> {
  await Promise.all([kv.del(CACHED_ME), kv.del('manifest'), kv.del('messages')]).catch(() => undefined);
}

/** The localStorage queue of the tablet before IndexedDB: its actions, still unsent after an
 * update, move to the outbox with their ids (so a copy already sent is still recognised). */
async function adoptOldQueue(user: string): Promise<void> {
  const OLD = 'dispecer.tablet.queue';
  const raw = localStorage.getItem(OLD);
  if (!raw) return;
  let old: { action_id: string; at: string }[] = [];
  try {
    old = JSON.parse(raw) as typeof old;
  } catch {
    old = [];
  }
  let seq = 0;
  const known = new Set((await outbox.all(user)).map((e) => e.id));
  for (const a of old) {
    if (known.has(a.action_id)) continue;
    await outbox.add({ id: a.action_id, user, seq: seq++, path: ACTIONS, body: { ...a }, at: a.at });
  }
  localStorage.removeItem(OLD);
}

export function mountTablet(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  let manifest: Manifest | null = null;
  let savedAt: string | null = null;
  let messages: DriverMessage[] = [];
  let pending: OutboxEntry[] = [];
  let online = navigator.onLine;
  let flushing = false;
  let lastError = '';
  let position: { lon: number; lat: number } | null = null;
  /** The emergency the driver sent last (its action id), until they tap its notice away. */
  let sosId: string | null = null;
  /** When a pushed change last altered the manifest (shown until the driver taps it). */
  let updatedAt: Date | null = null;
  let seq = Date.now();
  /** The no-show or not-at-home form the driver has open, with what they chose or typed: a
   * redraw (a pushed change, a background refresh) opens it again as it was. */
  let openForm: { trip: string; kind: 'no_show' | 'not_at_home'; value: string } | null = null;
  /** Actions the service has acknowledged so far: a manifest fetched before the last of them may
   * not show it, and is not taken. */
  let acked = 0;
  /** Refetches started and the newest taken: an older answer arriving late is not taken. */
  let refreshes = 0;
  let takenRefresh = 0;
  /** What the stop cards were last drawn from: a redraw with the same keeps them, so a button is
   * not replaced under the driver's finger by a message or a link change. */
  let drawnFrom = '';

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
  const status = h('div', { class: 'tablet-link', 'data-field': 'link', role: 'status' });
  const sosButton = h('button', { class: 'tb-sos', 'data-action': 'sos', onclick: () => openSos() });
  const incidentButton = h('button', { class: 'tb-secondary', 'data-action': 'incident', onclick: () => openIncident() });
  const bar = h('div', { class: 'tb-bar' }, status, incidentButton, sosButton);
  const sosState = h('div', {
    class: 'tb-sos-state',
    'data-field': 'sos-state',
    role: 'alert',
    hidden: true,
    onclick: () => {
      sosId = null;
      render();
    },
  });
  const current = h('section', { class: 'tb-current', 'data-field': 'current' });
  const upcoming = h('section', { class: 'tb-upcoming' });
  const doneBox = h('details', { class: 'tb-done', 'data-field': 'done' });
  // Messages from dispatch waiting for an acknowledgement go on top; the conversation below
  // the stops. Filled once `enqueue` exists (below).
  const bannerHost = h('section', { class: 'tb-messages' });
  const msgHost = h('section', { class: 'tb-messages' });
  let box: ReturnType<typeof messagesBox> | null = null;
  const dialogHost = h('div', { class: 'tb-dialog-host' });
  const head = h('div', { class: 'tablet-head' });
  const main = h(
    'main',
    { class: 'tablet', 'data-page': 'sofer', 'data-busy': '0' },
    head,
    bar,
    sosState,
    notice,
    bannerHost,
    current,
    upcoming,
    msgHost,
    doneBox,
    dialogHost,
  );

  // Requests under way, exposed as data-busy for the browser tests.
  let busy = 0;
  const setBusy = (d: number) => {
    busy += d;
    main.dataset.busy = String(busy);
  };

  /** Trip statuses with the not yet acknowledged actions applied. */
  const effective = (s: ManifestStop): string =>
    pending
      .filter((a) => a.path === ACTIONS && a.body?.trip_id === s.trip_id)
      .reduce((st, a) => after(st, String(a.body?.kind)), s.status);

  /** Records a request in the outbox (durably) before anything shows it done, then sends. */
  const enqueue: Send = async (path, body, id) => {
    const entry: OutboxEntry = { id, user: me.username, seq: seq++, path, body, at: new Date().toISOString() };
    // Busy from the tap on, until the outbox has it and the sending has started.
    setBusy(1);
    try {
      await outbox.add(entry);
      pending = await outbox.all(me.username);
      render();
      void flush();
    } finally {
      setBusy(-1);
    }
  };

  /** Several actions recorded together (one IndexedDB transaction: all or none), then sent in
   * order, each with its own action id: each is applied once, a lost answer replayed. */
  const recordAll = async (kind: Kind, tripIds: string[]) => {
    const at = new Date().toISOString();
    const entries: OutboxEntry[] = tripIds.map((trip_id) => {
      const id = newId();
      return { id, user: me.username, seq: seq++, path: ACTIONS, body: { action_id: id, kind, at, trip_id }, at };
    });
    setBusy(1);
    try {
      await outbox.addAll(entries);
      pending = await outbox.all(me.username);
      render();
      void flush();
    } finally {
      setBusy(-1);
    }
  };

  const record = (kind: Kind | 'incident' | 'emergency', extra: Record<string, unknown> = {}) => {
    const id = newId();
    if (kind === 'emergency') sosId = id;
    return enqueue(ACTIONS, { action_id: id, kind, at: new Date().toISOString(), ...extra }, id);
  };

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    setBusy(1);
    try {
      for (;;) {
        const q = await outbox.all(me.username);
        pending = q;
        if (q.length === 0) break;
        const e = q[0];
        try {
          await call('POST', e.path, e.body ?? undefined);
          acked++;
          lastError = '';
        } catch (err) {
          if (err instanceof ApiError && err.status === 401) {
            onLogout();
            return;
          }
          if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
            // Refused for good (a step no longer possible): dropped, and said.
            lastError = tt('refused', { m: refusal(err) });
          } else {
            online = false;
            break;
          }
        }
        online = true;
        await outbox.remove(e.id);
        pending = await outbox.all(me.username);
        render();
      }
      render();
      if (pending.length === 0 && online) await refresh();
    } finally {
      flushing = false;
      setBusy(-1);
      render();
    }
    // Recorded while this send was finishing (its refetch): sent now, not at the next retry.
    if (online && pending.length > 0) void flush();
  }

  /** Refetches the manifest and the messages; `pushed` when a change made elsewhere caused it
   * (then a change of the stops is announced). */
  async function refresh(pushed = false): Promise<void> {
    setBusy(1);
    const mine = ++refreshes;
    const ackedBefore = acked;
    try {
      const [fresh, msgs] = await Promise.all([
        call<Manifest>('GET', '/api/v1/transport/manifest'),
        call<DriverMessageList>('GET', '/api/v1/transport/messages'),
      ]);
      // Overtaken: a newer refetch was taken, or an action was acknowledged while this one was
      // under way (its manifest may predate the action; the sending refetches once done).
      if (mine < takenRefresh || ackedBefore !== acked) return;
      takenRefresh = mine;
      const differs = manifest !== null && JSON.stringify(fresh.stops) !== JSON.stringify(manifest.stops);
      if (pushed && differs) updatedAt = new Date();
      const changed = JSON.stringify(fresh) !== JSON.stringify(manifest) || JSON.stringify(msgs.messages) !== JSON.stringify(messages) || !online;
      manifest = fresh;
      messages = msgs.messages;
      savedAt = new Date().toISOString();
      online = true;
      await kv.put('manifest', { manifest, savedAt }).catch(() => undefined);
      await kv.put('messages', messages).catch(() => undefined);
      // Redraw only on a change: buttons must not be replaced under the driver's finger.
      if (!changed) return;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return onLogout();
      if (!(e instanceof ApiError) || e.status >= 500) online = false;
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

  function openIncident(): void {
    incidentDialog(dialogHost, (code, text) => {
      void record('incident', { incident: code, ...(text ? { reason: text } : {}), ...(position ? { position } : {}) });
    });
  }

  function openSos(): void {
    emergencyDialog(dialogHost, (text) => {
      void record('emergency', { ...(text ? { reason: text } : {}), ...(position ? { position } : {}) });
    });
  }

  const actionButton = (kind: Kind, s: ManifestStop, label: string, cls = 'tb-primary') =>
    h('button', { class: cls, 'data-action': kind, onclick: () => void record(kind, { trip_id: s.trip_id }) }, label);

  function confirmForm(s: ManifestStop, host: HTMLElement, kind: 'no_show' | 'not_at_home', value?: string, focus = false): void {
    const field =
      kind === 'no_show'
        ? h('select', { name: 'reason' }, ...(['ns_no_answer', 'ns_not_home', 'ns_refused'] as const).map((k) => h('option', { value: tt(k) }, tt(k))))
        : h('input', { name: 'reason', type: 'text', maxlength: '300' });
    const input = field as HTMLInputElement | HTMLSelectElement;
    if (value !== undefined) input.value = value;
    const form = { trip: s.trip_id, kind, value: input.value };
    openForm = form;
    const keep = () => {
      form.value = input.value;
    };
    input.addEventListener('input', keep);
    input.addEventListener('change', keep);
    clear(host);
    host.append(
      h('label', { class: 'tb-field' }, kind === 'no_show' ? tt('ns_reason') : tk('not_at_home_text'), field),
      h(
        'button',
        {
          class: 'tb-danger',
          'data-action': kind === 'no_show' ? 'confirm-no-show' : 'confirm-not-at-home',
          onclick: () => {
            const v = input.value.trim();
            openForm = null;
            void record(kind, { trip_id: s.trip_id, ...(v ? { reason: v } : {}) });
          },
        },
        // Says what is confirmed: the driver's eyes are on the door, not on the form above.
        kind === 'no_show' ? tt('confirm') : tk('not_at_home_confirm'),
      ),
      h(
        'button',
        {
          class: 'tb-secondary',
          'data-action': 'cancel',
          onclick: () => {
            openForm = null;
            render();
          },
        },
        tt('cancel'),
      ),
    );
    if (focus) input.focus();
  }

  /** A day after today, outside a training installation: its stops are shown, not worked. */
  function readOnly(): boolean {
    return manifest?.steps_open === false;
  }

  function actionsOf(s: ManifestStop, st: string): HTMLElement {
    const actions = h('div', { class: 'tablet-actions' });
    // A later day is shown to read: its stops are marked on their day (the service says which).
    if (readOnly()) return actions;
    if (isDelivery(s) && s.pickup) {
      // At the canteen or the warehouse: the load is collected; nobody is "at home" there.
      if (st === 'booked' || st === 'arrived') actions.append(actionButton('picked_up', s, tk('collected')));
    } else if (isDelivery(s)) {
      if (!stopDone(s, st)) {
        // Delivered without the collection tapped first: both steps, in order (the service
        // takes a delivery only of a load aboard), rather than a refusal at the door.
        const deliver = async () => {
          if (st === 'booked' || st === 'arrived') await record('picked_up', { trip_id: s.trip_id });
          await record('dropped_off', { trip_id: s.trip_id });
        };
        actions.append(h('button', { class: 'tb-primary', 'data-action': 'dropped_off', onclick: () => void deliver() }, tk('delivered')));
        if (s.kind === 'meal') {
          actions.append(h('button', { class: 'tb-warn', 'data-action': 'not_at_home', onclick: () => confirmForm(s, actions, 'not_at_home') }, tk('not_at_home')));
        }
      }
    } else if (s.pickup && (st === 'booked' || st === 'arrived')) {
      if (st === 'booked') actions.append(actionButton('arrived', s, tt('arrived'), 'tb-secondary'));
      actions.append(actionButton('picked_up', s, tt('picked_up')));
      actions.append(h('button', { class: 'tb-warn', 'data-action': 'no_show', onclick: () => confirmForm(s, actions, 'no_show') }, tt('no_show')));
    } else if (!s.pickup && st === 'picked_up') {
      actions.append(actionButton('dropped_off', s, tt('dropped_off')));
    }
    return actions;
  }

  /** A stop: the big current-stop card (`big`) or a line of the list. */
  function stopItem(s: ManifestStop, big: boolean): HTMLElement {
    const st = effective(s);
    const done = stopDone(s, st);
    const needs = [word(s.mobility), s.door_assistance ? tt('door') : '', s.companion ? tt('companion') : ''].filter(Boolean).join(' · ');
    const what = isDelivery(s) ? tk(s.pickup ? 'collection' : 'delivery') : s.pickup ? tt('pick') : tt('drop');
    const window = s.window_start && s.window_end ? tk('window', { a: s.window_start, b: s.window_end }) : '';
    const links = h(
      'div',
      { class: 'tb-links' },
      h('a', { class: 'tb-link navigate', 'data-action': 'navigate', href: `geo:${s.lat},${s.lon}?q=${s.lat},${s.lon}(${encodeURIComponent(s.address)})` }, tk('navigate')),
      s.phone && !isDelivery(s) ? h('a', { class: 'tb-link call', 'data-action': 'call', href: `tel:${s.phone}` }, tk('call_rider')) : null,
      s.phone && isDelivery(s) ? h('a', { class: 'tb-link call', 'data-action': 'call', href: `tel:${s.phone}` }, tt('call')) : null,
    );
    return h(
      big ? 'article' : 'li',
      {
        class: `tablet-stop${done ? ' done' : ''}${big ? ' tb-card' : ''}`,
        'data-trip': s.trip_id,
        'data-kind': s.pickup ? 'pickup' : 'dropoff',
        'data-stop-kind': s.kind ?? 'trip',
        'data-status': st,
      },
      h('div', { class: 'stop-time' }, s.time, h('span', { class: 'stop-what' }, ` ${what}`), window ? h('span', { class: 'muted' }, ` · ${window}`) : null),
      h('div', { class: 'stop-address' }, s.address),
      // A delivery names whom the meal or the goods are for: the client, else the stop's label.
      isDelivery(s)
        ? h('div', { class: 'stop-rider' }, s.rider || s.label || '')
        : h('div', { class: 'stop-rider' }, s.rider ?? '', needs ? h('span', { class: 'stop-needs' }, ` (${needs})`) : null),
      s.notes ? h('div', { class: 'stop-notes' }, s.notes) : null,
      h('div', { class: 'stop-bar' }, h('span', { class: 'stop-status', 'data-field': 'status' }, word(st))),
      done ? null : links,
      done ? null : actionsOf(s, st),
    );
  }

  /** A meal round's (or supply run's) collections at one place, on one card: "Preluate toate
   * (N)" records the pick-up of every box still at the canteen, each its own action. */
  function canteenItem(group: ManifestStop[], big: boolean): HTMLElement {
    const first = group[0];
    const what = h('span', { class: 'stop-what' }, ` ${tk('collection')}`);
    const collect = h(
      'button',
      {
        class: 'tb-primary tb-collect-all',
        'data-action': 'collect-all',
        onclick: (e: Event) => {
          // One tap, one batch: a second tap before the redraw must not record it twice.
          (e.currentTarget as HTMLButtonElement).disabled = true;
          void recordAll('picked_up', group.map((g) => g.trip_id));
        },
      },
      tk('collect_all', { n: group.length }),
    );
    return h(
      big ? 'article' : 'li',
      {
        class: `tablet-stop tb-canteen${big ? ' tb-card' : ''}`,
        'data-run': first.run_id ?? '',
        'data-kind': 'pickup',
        'data-stop-kind': first.kind ?? 'meal',
        'data-count': String(group.length),
      },
      h('div', { class: 'stop-time' }, first.time, what),
      h('div', { class: 'stop-address' }, first.address),
      h('div', { class: 'stop-rider' }, tk(first.kind === 'supply' ? 'collect_supply' : 'collect_meals', { n: group.length })),
      h('ul', { class: 'tb-boxes', 'data-field': 'boxes' }, ...group.map((g) => h('li', { 'data-trip': g.trip_id }, g.rider || g.label || ''))),
      h(
        'div',
        { class: 'tb-links' },
        h('a', { class: 'tb-link navigate', 'data-action': 'navigate', href: `geo:${first.lat},${first.lon}?q=${first.lat},${first.lon}(${encodeURIComponent(first.address)})` }, tk('navigate')),
      ),
      h('div', { class: 'tablet-actions' }, readOnly() ? null : collect),
    );
  }

  /** The open stops as the driver works them: a run's collections at one place (two or more)
   * folded into one canteen card, shown where the first of them is. */
  function workItems(open: ManifestStop[]): (ManifestStop | ManifestStop[])[] {
    const key = (s: ManifestStop) => (isDelivery(s) && s.pickup && s.run_id ? `${s.run_id}|${s.lon},${s.lat}` : null);
    const groups = new Map<string, ManifestStop[]>();
    for (const s of open) {
      const k = key(s);
      if (k) groups.set(k, [...(groups.get(k) ?? []), s]);
    }
    const items: (ManifestStop | ManifestStop[])[] = [];
    const placed = new Set<string>();
    for (const s of open) {
      const k = key(s);
      const g = k ? groups.get(k)! : null;
      if (!k || !g || g.length < 2) items.push(s);
      else if (!placed.has(k)) {
        placed.add(k);
        items.push(g);
      }
    }
    return items;
  }

  const itemOf = (x: ManifestStop | ManifestStop[], big: boolean) => (Array.isArray(x) ? canteenItem(x, big) : stopItem(x, big));

  function render(): void {
    // Typing in the open form when the redraw came: the reopened form gets the focus back.
    const typing = openForm !== null && document.activeElement instanceof HTMLElement && main.contains(document.activeElement) && document.activeElement.getAttribute('name') === 'reason';
    const waiting = pending.length;
    status.className = `tablet-link ${online ? 'online' : 'offline'}`;
    status.textContent = `${online ? tt('online') : tk('offline_since')}${waiting ? ` · ${tt('pending', { n: waiting })}` : ''}${lastError ? ` · ${lastError}` : ''}`;
    status.dataset.pending = String(waiting);
    const saved = !online && savedAt ? ` · ${tk('saved_at', { t: clock(savedAt) })}` : '';
    head.textContent = manifest?.date ? `${tt('tablet')} ${manifest.vehicle_id} · ${dayName(manifest.date)}${saved}` : tt('tablet');
    head.dataset.date = manifest?.date ?? '';
    sosButton.textContent = tk('sos');
    incidentButton.textContent = tt('incident');
    sosState.hidden = sosId === null;
    sosState.textContent = sosId === null ? '' : pending.some((p) => p.id === sosId) ? tk('sos_queued') : tk('sos_sent');
    notice.hidden = updatedAt === null;
    notice.textContent = updatedAt ? tt('route_updated', { t: clock(updatedAt) }) : '';
    const stops = manifest?.stops ?? [];
    const from = JSON.stringify([stops, manifest?.next, pending.map((p) => [p.id, p.body?.kind, p.body?.trip_id]), openForm && [openForm.trip, openForm.kind]]);
    if (from !== drawnFrom || !box) {
      drawnFrom = from;
      drawStops(stops, manifest?.next);
      reopenForm(stops, typing);
    }
    if (!box) {
      box = messagesBox(enqueue);
      bannerHost.append(box.banners);
      msgHost.append(box.box);
    }
    box.update(messages, pending);
  }

  /** The current stop, the next ones and the done ones, drawn anew. */
  function drawStops(stops: ManifestStop[], next: Manifest['next']): void {
    clear(current);
    clear(upcoming);
    clear(doneBox);
    if (stops.length === 0) {
      current.append(h('p', { class: 'muted' }, tt('no_manifest')));
    } else {
      const open = workItems(stops.filter((s) => !stopDone(s, effective(s))));
      const closed = stops.filter((s) => stopDone(s, effective(s)));
      if (open.length === 0) {
        current.append(h('p', { class: 'tb-all-done' }, tk('all_done')));
        // When to start next: the question a driver whose day is done asks.
        if (next) current.append(h('p', { class: 'tb-next-work', 'data-date': next.date }, tk('next_work', { d: dayName(next.date), t: next.first_stop })));
      } else {
        const later = readOnly();
        if (later) current.append(h('p', { class: 'tb-later-day', 'data-field': 'later-day' }, tk('later_day')));
        current.append(h('h2', {}, tk(later ? 'first_of_day' : 'current')), itemOf(open[0], true));
      }
      if (open.length > 1) {
        upcoming.append(h('h2', {}, tk('upcoming')), h('ol', { class: 'tablet-stops' }, ...open.slice(1).map((s) => itemOf(s, false))));
      }
      if (closed.length > 0) {
        doneBox.append(h('summary', {}, tk('done_stops', { n: closed.length })), h('ol', { class: 'tablet-stops' }, ...closed.map((s) => stopItem(s, false))));
      }
    }
    doneBox.hidden = doneBox.childElementCount === 0;
  }

  /** Opens the driver's form again after a redraw, where its stop still waits for it. */
  function reopenForm(stops: ManifestStop[], focus: boolean): void {
    const form = openForm;
    if (!form) return;
    const pickup = form.kind === 'no_show';
    const s = stops.find((x) => x.trip_id === form.trip && x.pickup === pickup);
    const host = [...main.querySelectorAll<HTMLElement>('.tablet-stop[data-trip]')]
      .find((el) => el.dataset.trip === form.trip && el.dataset.kind === (pickup ? 'pickup' : 'dropoff'))
      ?.querySelector<HTMLElement>('.tablet-actions');
    if (!s || !host || stopDone(s, effective(s))) {
      openForm = null;
      return;
    }
    confirmForm(s, host, form.kind, form.value, focus);
  }

  const redraw = () => {
    drawnFrom = '';
    render();
  };
  const top = topBar(me, onLogout, redraw);
  root.replaceChildren(top, main);

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
    if (pending.length > 0) void flush();
  }, RETRY_EVERY_MS);
  const stopListening = listenTransport({
    // The server sends this driver only the changes of their vehicle. Their own actions and
    // messages come back too: those refresh without a notice.
    onChange: (c) => void refresh(c !== null && !['action', 'no_show', 'message'].includes(c.reason)),
    onLink: () => undefined,
    onUnauthorized: onLogout,
  });
  const offLang = onLangChange(redraw);
  render();
  // What the tablet kept first (a reload in a dead zone), then the service.
  setBusy(1);
  void (async () => {
    try {
      await adoptOldQueue(me.username);
      await kv.put(CACHED_ME, me);
      const kept = await kv.get<{ manifest: Manifest; savedAt: string }>('manifest');
      if (kept && manifest === null) {
        manifest = kept.manifest;
        savedAt = kept.savedAt;
      }
      messages = (await kv.get<DriverMessage[]>('messages')) ?? messages;
      pending = await outbox.all(me.username);
    } catch {
      // No IndexedDB (private mode): the tablet still works online.
    } finally {
      setBusy(-1);
    }
    render();
    await refresh();
    await flush();
  })();
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
