// The dispatcher's screen: live queue, item detail, resources and map, all fed by one websocket.
// Every change arrives as an event and is folded into the live state; each panel redraws from
// that state. Nothing here polls: the only timer redraws the response clocks once a second.
// Each row says who and where first; the keyboard reaches everything (hotkeys.ts); a lost link
// is a full-width banner, never just a pill.

import { alarmSounding, audioReady, setAlarm, unlockAudio, unlockOnFirstGesture } from './alarm';
import { api } from './api';
import { DetailView } from './detail';
import { clear, h } from './dom';
import { explain } from './explain';
import { Hotkeys } from './hotkeys';
import { errorText, formatDuration, formatTime, t, term } from './i18n';
import { Live, type LinkStatus } from './live';
import { MapView } from './map';
import { NewCallForm, newCallButton, newCallHotkey } from './newcall';
import { supervisorLink } from './supervisor';
import { queueOrder } from './state';
import { Storm } from './storm';
import { channel, handle, label, what, where, who } from './subject';
import { te } from './i18n-emergency';
import type { Item, Me, Resource } from './types';
import { itemPosition, needsAttention } from './types';
import { topBar } from './topbar';
import { HandoverBanner } from './handover';
import { rosterLink } from './roster';

/** Most P1 alarms listed in the banner. */
const ALARM_BUTTONS = 6;
const COLUMNS = ['col_level', 'col_who', 'col_where', 'col_what', 'col_status', 'col_age', 'col_clock'] as const;

export function mountConsole(root: HTMLElement, me: Me, initialItem: string | null, onLogout: () => void): () => void {
  let link: LinkStatus = 'connecting';
  /** The row the keyboard is on (↑/↓, j/k); Enter opens it. */
  let cursor: string | null = initialItem;
  let bulkNote = '';
  const queueBody = h('tbody');
  const queueEl = h(
    'section',
    { class: 'panel queue', 'aria-label': 'queue' },
    h('header', { class: 'panel-head' }, h('h2', {}, t('queue')), h('span', { class: 'count muted' }), h('span', { class: 'bulk-note muted', role: 'status' }), h('span', { class: 'spacer' })),
    // The rows scroll under their heading; the panel's title and the column names stay.
    h('div', { class: 'queue-scroll' }, h('table', { class: 'queue-table' }, h('thead'), queueBody)),
  );
  const resourcesEl = h('section', { class: 'panel resources', 'aria-label': 'resources' });
  const alarmEl = h('div', { class: 'alarm-banner', role: 'alert', hidden: true });
  const staleEl = h('div', { class: 'stale-banner', role: 'alert', hidden: true, 'data-field': 'stale' });
  const linkEl = h('span', { class: 'link-status' });
  const storm = new Storm();
  let redrawPending = false;

  const live = new Live({
    onSnapshot: () => renderAll(),
    onEvent: (e) => {
      detail.onEvent(e);
      // A burst of events (an alarm storm) is drawn at most every 100 ms, not once per event,
      // so the console stays responsive; the state itself is updated for every event.
      if (!redrawPending) {
        redrawPending = true;
        window.setTimeout(() => {
          redrawPending = false;
          renderQueue();
          renderResources();
          renderAlarm();
          updateMap();
        }, 100);
      }
    },
    onStatus: (s) => {
      link = s;
      renderLink();
    },
    onUnauthorized: () => onLogout(),
  });

  const select = (id: string | null, centre = true) => {
    const path = id ? `/items/${id}` : '/';
    if (location.pathname !== path) history.pushState({}, '', path);
    if (id) cursor = id;
    void detail.show(id);
    map.select(id, centre);
    renderQueue();
  };
  const map = new MapView((id) => select(id, false));
  const detail = new DetailView({
    state: live.state,
    onLocate: (p) => map.locate(p),
    onClose: () => select(null),
  });

  const reportsLink = h('a', { class: 'reports-link', href: '/rapoarte' }, te('reports'));
  const helpBtn = h('button', { class: 'secondary help-hint', 'data-action': 'help', type: 'button' }, t('help_hint'));
  // A call card typed by the dispatcher (newcall.ts): the button, and Shift+N / Insert.
  const newCall = new NewCallForm((created) => select(created.id));
  const onNewCallKey = (e: KeyboardEvent) => newCallHotkey(e, newCall);
  window.addEventListener('keydown', onNewCallKey);
  // The handover note of the shift before, until acknowledged (and the lead's button to write one).
  const handover = new HandoverBanner(me);
  const bar = topBar(me, onLogout, () => { renderAll(); handover.render(); }, h('span', {}, linkEl, ' ', reportsLink, ' ', supervisorLink(me), ' ', rosterLink(me), ' ', newCallButton(newCall), ' ', helpBtn));
  root.replaceChildren(
    bar,
    staleEl,
    alarmEl,
    storm.banner,
    handover.el,
    // Left: what is waiting and where; right: the item in hand and who can go.
    h('main', { class: 'console-grid' }, h('div', { class: 'col col-left' }, queueEl, map.el), h('div', { class: 'col col-right' }, detail.el, resourcesEl)),
  );

  const rows = () => [...queueBody.querySelectorAll<HTMLElement>('tr[data-item-id]')];
  const hotkeys = new Hotkeys({
    move: (step) => {
      const list = rows();
      if (!list.length) return;
      const at = list.findIndex((r) => r.dataset.itemId === cursor);
      const next = list[Math.max(0, Math.min(list.length - 1, at < 0 ? 0 : at + step))];
      cursor = next.dataset.itemId!;
      next.focus();
      next.scrollIntoView({ block: 'nearest' });
    },
    open: () => {
      if (cursor) select(cursor);
    },
    current: () => detail.current ?? cursor,
    ensureOpen: async () => {
      if (!detail.current && cursor) select(cursor);
      return detail.ready();
    },
    detail: detail.el,
    showOnMap: () => {
      const id = detail.current ?? cursor;
      if (!id) return;
      const found = map.select(id, true);
      if (!found) detail.flash(t('map_no_place'));
      map.el.scrollIntoView({ block: 'nearest' });
    },
    closeDetail: () => select(null),
  });
  helpBtn.addEventListener('click', () => hotkeys.toggleHelp());
  root.append(hotkeys.overlay);

  function renderLink(): void {
    linkEl.className = `link-status link-${link}`;
    linkEl.textContent = link === 'open' ? t('connected') : link === 'connecting' ? t('connecting') : t('disconnected');
    // Down (or reconnecting after being down): the whole width says the screen is old.
    const down = link !== 'open' && live.lastMessageAt !== null;
    staleEl.hidden = !down;
    document.body.dataset.stale = down ? 'true' : 'false';
    staleEl.textContent = down ? t('stale_banner', { t: formatTime(new Date(live.lastMessageAt!).toISOString()) }) : '';
    tick();
  }

  async function takeGroup(ids: string[]): Promise<void> {
    bulkNote = '…';
    renderQueue();
    try {
      const { results } = await api.acknowledgeMany(ids);
      const ok = results.filter((r) => r.ok).length;
      bulkNote = t('bulk_done', { ok, fail: results.length - ok });
      const refused = results.find((r) => !r.ok);
      if (refused?.error) bulkNote += ` — ${errorText(refused.error)}`;
    } catch (e) {
      bulkNote = errorText(e);
    }
    renderQueue();
  }

  function renderQueue(): void {
    const all = queueOrder(live.state.items.values());
    // In a storm, one row per device for its untaken alarms; explanations use the full order.
    const { rows: ordered, repeats, takes } = storm.group(all, live.state.items.values());
    const index = new Map(all.map((it, i) => [it.id, i]));
    const head = queueEl.querySelector('thead')!;
    head.replaceChildren(h('tr', {}, ...COLUMNS.map((k) => h('th', { class: k }, t(k)))));
    queueEl.querySelector('h2')!.textContent = t('queue');
    queueEl.querySelector('.count')!.textContent = String(all.length);
    queueEl.querySelector('.bulk-note')!.textContent = bulkNote;
    const hadFocus = document.activeElement instanceof HTMLElement && queueBody.contains(document.activeElement) ? (document.activeElement.closest('tr') as HTMLElement | null)?.dataset.itemId : undefined;
    clear(queueBody);
    if (!ordered.length) {
      queueBody.append(h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'muted empty' }, t('queue_empty'))));
      return;
    }
    for (const item of ordered) queueBody.append(queueRow(item, all, index.get(item.id), repeats.get(item.id), takes.get(item.id)));
    if (hadFocus) queueBody.querySelector<HTMLElement>(`tr[data-item-id="${hadFocus}"]`)?.focus();
    tick();
  }

  function queueRow(item: Item, all: Item[], at: number | undefined, more: number | undefined, take: string[] | undefined): HTMLElement {
    const why = explain(all, item.id, at);
    const tip = why ? `${why.level}\n#${why.index}: ${why.position}` : '';
    const unseen = item.repeats_unseen ?? 0;
    const alarms = more ?? (item.repeats ? 1 + item.repeats : 0);
    const ch = channel(item);
    const cls = [
      'row',
      `level-row-${item.priority.level}`,
      item.breached || (item.arrival?.breached && !item.arrival.arrived) ? 'breached' : '',
      detail.current === item.id ? 'selected' : '',
      cursor === item.id ? 'cursor' : '',
      item.status === 'new' ? 'unacked' : '',
      needsAttention(item) ? 'attention' : '',
      ch === 'sms' ? 'sms' : '',
    ].filter(Boolean).join(' ');
    const place = where(item);
    const id = handle(item);
    return h(
      'tr',
      {
        class: cls,
        'data-item-id': item.id,
        'data-status': item.status,
        'data-level': item.priority.level,
        'data-kind': item.kind,
        'data-channel': ch ?? null,
        title: tip,
        tabindex: 0,
        onclick: () => select(item.id),
        onfocus: () => {
          cursor = item.id;
        },
      },
      h('td', { class: 'col-level' }, h('span', { class: `level level-${item.priority.level}` }, item.priority.level)),
      h(
        'td',
        { class: 'who' },
        h('div', { class: `name${item.redacted ? ' protected' : ''}`, 'data-field': 'name' }, who(item)),
        id && id !== who(item) ? h('div', { class: 'handle mono muted', 'data-field': 'handle' }, id) : null,
      ),
      h('td', { class: 'where', 'data-field': 'where', title: where(item, false) || null }, place || (item.redacted ? '' : '—')),
      h(
        'td',
        { class: 'what' },
        // The counters first: a narrow cell cuts the end of its text, never these.
        unseen > 0 ? h('span', { class: 'unseen', 'data-unseen': unseen, title: t('rep_unseen_title', { n: unseen }) }, t('rep_unseen', { n: unseen })) : null,
        alarms > 1 ? h('span', { class: 'repeats', 'data-repeats': alarms, title: t('rep_total', { n: alarms }) }, `×${alarms} `) : null,
        h('span', { class: `kind-icon kind-${ch ?? item.kind}`, 'aria-hidden': 'true' }, ch === 'sms' ? '✉' : item.kind === 'alert' ? '⚠' : item.kind === 'call' ? '☎' : item.kind === 'booking' ? '🚐' : '↻'),
        ' ',
        h('span', { 'data-field': 'what' }, what(item)),
        item.rate_limited ? h('span', { class: 'rate-limited-tag', title: t('rate_limited_hint') }, ` · ${t('rate_limited')}`) : null,
      ),
      h(
        'td',
        { class: 'status-cell' },
        take
          ? h(
              'button',
              {
                class: 'take-group',
                'data-action': 'take-group',
                'data-count': take.length,
                type: 'button',
                title: t('bulk_ack', { n: take.length }),
                onclick: (e: Event) => {
                  e.stopPropagation();
                  void takeGroup(take);
                },
              },
              t('bulk_ack_short', { n: take.length }),
            )
          : h('span', { class: `status status-${item.status}` }, term(item.status)),
      ),
      h('td', { class: 'age mono', 'data-received': item.times.received }),
      h('td', { class: 'clock mono', 'data-clock': item.id }),
    );
  }

  // Redraws only the clock cells; the countdown stops once an item is acknowledged, which is
  // what the response clock measures. While the link is down the clocks say they are stale.
  function tick(): void {
    const now = Date.now();
    const stale = document.body.dataset.stale === 'true';
    for (const cell of queueBody.querySelectorAll<HTMLElement>('td.age')) {
      cell.textContent = formatDuration(now - Date.parse(cell.dataset.received!));
    }
    for (const cell of queueBody.querySelectorAll<HTMLElement>('td.clock')) {
      const item = live.state.items.get(cell.dataset.clock!);
      if (!item) continue;
      const left = Date.parse(item.deadline) - now;
      if (item.status !== 'new') {
        cell.textContent = '✓';
        cell.className = 'clock mono done';
      } else if (item.breached || left < 0) {
        // Red, and how long ago: the word itself would not fit a narrow screen.
        cell.textContent = `−${formatDuration(left)}`;
        cell.className = 'clock mono over';
        cell.title = t('breached');
      } else {
        cell.textContent = formatDuration(left);
        cell.className = `clock mono${left < 60_000 ? ' soon' : ''}`;
      }
      if (stale) {
        cell.classList.add('stale');
        cell.title = t('stale_clock');
      } else if (!cell.classList.contains('over')) {
        cell.removeAttribute('title');
      }
    }
    detail.tick();
  }

  function renderResources(): void {
    const byKind = new Map<string, Resource[]>();
    for (const r of live.state.resources.values()) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
    clear(resourcesEl);
    resourcesEl.append(h('header', { class: 'panel-head' }, h('h2', {}, t('resources'))));
    const table = h(
      'table',
      { class: 'resource-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'ID'), h('th', {}, t('res_name')), h('th', {}, t('col_status')), h('th', {}, t('res_item')), h('th', {}, t('res_position')))),
    );
    for (const kind of ['vehicle', 'driver', 'emiu_team']) {
      const rs = (byKind.get(kind) ?? []).sort((a, b) => a.id.localeCompare(b.id));
      if (!rs.length) continue;
      table.append(
        h('tbody', {}, h('tr', { class: 'group' }, h('th', { colspan: 5 }, term(kind), ` (${rs.length})`)),
          ...rs.map((r) => {
            const on = r.current_item ? live.state.items.get(r.current_item) : undefined;
            return h(
              'tr',
              { 'data-resource-id': r.id, 'data-status': r.status },
              h('td', { class: 'mono' }, r.id),
              h('td', {}, r.name, r.kind === 'vehicle' ? h('span', { class: 'muted' }, ` · ${r.seats} ${t('seats')}, ${r.wheelchair_places} ${t('wheelchairs')}`) : null),
              h('td', {}, h('span', { class: `rstatus rstatus-${r.status}` }, term(r.status))),
              h('td', {}, r.current_item ? h('button', { class: 'link', onclick: () => select(r.current_item) }, on ? label(on) : '…') : '—'),
              h('td', { class: 'mono muted' }, r.position ? h('button', { class: 'link', onclick: () => map.locate(r.position!, r.id) }, `${r.position.lat.toFixed(4)}, ${r.position.lon.toFixed(4)}`) : '—'),
            );
          }),
        ),
      );
    }
    resourcesEl.append(table);
  }

  function unackedP1(): Item[] {
    return [...live.state.items.values()].filter((i) => i.priority.level === 'P1' && needsAttention(i) && i.status !== 'closed');
  }

  function renderAlarm(): void {
    const p1 = unackedP1();
    setAlarm(p1.length > 0);
    alarmEl.hidden = p1.length === 0;
    clear(alarmEl);
    if (!p1.length) return;
    alarmEl.append(
      h('strong', {}, t('alarm_p1')),
      // In a storm there may be hundreds: the most urgent few, and how many more.
      ...queueOrder(p1)
        .slice(0, ALARM_BUTTONS)
        .map((i) => h('button', { class: 'alarm-open', 'data-item-id': i.id, title: `${who(i)} · ${where(i)} · ${term(i.category)}`, onclick: () => select(i.id) }, `${who(i)} · ${term(i.category)}`)),
      p1.length > ALARM_BUTTONS ? h('span', { class: 'alarm-more' }, `+${p1.length - ALARM_BUTTONS}`) : '',
    );
    if (!audioReady()) {
      alarmEl.append(h('button', { class: 'secondary', 'data-action': 'enable-sound', onclick: () => { void unlockAudio().then(renderAlarm); } }, t('enable_sound')));
    }
    alarmEl.dataset.sound = alarmSounding() && audioReady() ? 'on' : 'off';
  }

  function updateMap(): void {
    map.setData(queueOrder(live.state.items.values()).filter((i) => itemPosition(i)), [...live.state.resources.values()]);
  }

  function renderAll(): void {
    helpBtn.textContent = t('help_hint');
    hotkeys.relabel();
    renderLink();
    renderQueue();
    renderResources();
    renderAlarm();
    detail.render();
    map.relabel();
    updateMap();
  }

  const onPop = () => {
    const m = location.pathname.match(/^\/items\/([^/]+)$/);
    void detail.show(m ? m[1] : null);
    map.select(m ? m[1] : null);
    renderQueue();
  };
  window.addEventListener('popstate', onPop);
  const clock = window.setInterval(tick, 1000);
  const stopUnlock = unlockOnFirstGesture(() => renderAlarm());
  live.start();
  hotkeys.start();
  renderAll();
  void storm.load().then(() => renderQueue());
  void handover.load();
  if (initialItem) {
    void detail.show(initialItem);
    map.select(initialItem, true);
  }
  // Resources also come in the snapshot; this first fetch only fills the panel if the socket is
  // slow to open, and is never repeated.
  api.resources().then((r) => {
    if (live.state.seq === 0 && live.state.resources.size === 0) {
      for (const res of r.resources) live.state.resources.set(res.id, res);
      renderResources();
      updateMap();
    }
  }).catch(() => undefined);

  return () => {
    live.stop();
    hotkeys.stop();
    stopUnlock();
    setAlarm(false);
    window.clearInterval(clock);
    window.removeEventListener('popstate', onPop);
    window.removeEventListener('keydown', onNewCallKey);
    newCall.close();
  };
}
