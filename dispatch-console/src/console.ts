// The dispatcher's screen: live queue, item detail, resources and map, all fed by one websocket.
// Every change arrives as an event and is folded into the live state; each panel redraws from
// that state. Nothing here polls: the only timer redraws the response clocks once a second.

import { alarmSounding, audioReady, setAlarm, unlockAudio } from './alarm';
import { api } from './api';
import { DetailView } from './detail';
import { clear, h } from './dom';
import { explain } from './explain';
import { formatDuration, t, term } from './i18n';
import { Live, type LinkStatus } from './live';
import { MapView } from './map';
import { NewCallForm, newCallButton, newCallHotkey } from './newcall';
import { supervisorLink } from './supervisor';
import { queueOrder } from './state';
import { Storm } from './storm';
import { te } from './i18n-emergency';
import type { Item, Me, Resource } from './types';
import { itemPosition, shortId } from './types';
import { topBar } from './topbar';

/** Most P1 alarms listed in the banner. */
const ALARM_BUTTONS = 6;

export function mountConsole(root: HTMLElement, me: Me, initialItem: string | null, onLogout: () => void): () => void {
  let link: LinkStatus = 'connecting';
  const queueBody = h('tbody');
  const queueEl = h(
    'section',
    { class: 'panel queue', 'aria-label': 'queue' },
    h('header', { class: 'panel-head' }, h('h2', {}, t('queue')), h('span', { class: 'count muted' })),
    h('table', { class: 'queue-table' }, h('thead'), queueBody),
  );
  const resourcesEl = h('section', { class: 'panel resources', 'aria-label': 'resources' });
  const alarmEl = h('div', { class: 'alarm-banner', role: 'alert', hidden: true });
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

  const select = (id: string | null) => {
    const path = id ? `/items/${id}` : '/';
    if (location.pathname !== path) history.pushState({}, '', path);
    void detail.show(id);
    renderQueue();
  };
  const map = new MapView((id) => select(id));
  const detail = new DetailView({
    state: live.state,
    onLocate: (p) => map.locate(p),
    onClose: () => select(null),
  });

  const reportsLink = h('a', { class: 'reports-link', href: '/rapoarte' }, te('reports'));
  // A call card typed by the dispatcher (newcall.ts): the button, and Shift+N / Insert.
  const newCall = new NewCallForm((created) => select(created.id));
  const onNewCallKey = (e: KeyboardEvent) => newCallHotkey(e, newCall);
  window.addEventListener('keydown', onNewCallKey);
  const bar = topBar(me, onLogout, () => renderAll(), h('span', {}, linkEl, ' ', reportsLink, ' ', supervisorLink(me), ' ', newCallButton(newCall)));
  root.replaceChildren(
    bar,
    alarmEl,
    storm.banner,
    // Left: what is waiting and where; right: the item in hand and who can go.
    h('main', { class: 'console-grid' }, h('div', { class: 'col col-left' }, queueEl, map.el), h('div', { class: 'col col-right' }, detail.el, resourcesEl)),
  );

  function renderLink(): void {
    linkEl.className = `link-status link-${link}`;
    linkEl.textContent = link === 'open' ? t('connected') : link === 'connecting' ? t('connecting') : t('disconnected');
  }

  function renderQueue(): void {
    const all = queueOrder(live.state.items.values());
    // In a storm, one row per device (its most urgent alarm); explanations use the full order.
    const { rows: ordered, repeats } = storm.group(all, live.state.items.values());
    const index = new Map(all.map((it, i) => [it.id, i]));
    const head = queueEl.querySelector('thead')!;
    head.replaceChildren(
      h('tr', {}, ...(['col_level', 'col_category', 'col_kind', 'col_status', 'col_age', 'col_clock'] as const).map((k) => h('th', {}, t(k)))),
    );
    queueEl.querySelector('h2')!.textContent = t('queue');
    queueEl.querySelector('.count')!.textContent = String(all.length);
    clear(queueBody);
    if (!ordered.length) {
      queueBody.append(h('tr', {}, h('td', { colspan: 6, class: 'muted empty' }, t('queue_empty'))));
      return;
    }
    for (const item of ordered) {
      const why = explain(all, item.id, index.get(item.id));
      const more = repeats.get(item.id);
      const tip = why ? `${why.level}\n#${why.index}: ${why.position}` : '';
      queueBody.append(
        h(
          'tr',
          {
            class: `row level-row-${item.priority.level}${item.breached ? ' breached' : ''}${detail.current === item.id ? ' selected' : ''}${item.status === 'new' ? ' unacked' : ''}`,
            'data-item-id': item.id,
            'data-status': item.status,
            'data-level': item.priority.level,
            title: tip,
            tabindex: 0,
            onclick: () => select(item.id),
            onkeydown: (e: Event) => {
              if ((e as KeyboardEvent).key === 'Enter') select(item.id);
            },
          },
          h('td', {}, h('span', { class: `level level-${item.priority.level}` }, item.priority.level)),
          h(
            'td',
            { class: 'category' },
            term(item.category),
            item.redacted ? h('span', { class: 'protected-tag' }, ` · ${t('protected')}`) : null,
            item.rate_limited ? h('span', { class: 'rate-limited-tag', title: t('rate_limited_hint') }, ` · ${t('rate_limited')}`) : null,
            more ? h('span', { class: 'repeats', 'data-repeats': more }, ` ${te('repeats', { n: more })}`) : null,
          ),
          h('td', { class: 'muted' }, term(item.kind)),
          h('td', {}, h('span', { class: `status status-${item.status}` }, term(item.status))),
          h('td', { class: 'age mono', 'data-received': item.times.received }),
          h('td', { class: 'clock mono', 'data-clock': item.id }),
        ),
      );
    }
    tick();
  }

  // Redraws only the clock cells; the countdown stops once an item is acknowledged, which is
  // what the response clock measures.
  function tick(): void {
    const now = Date.now();
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
        cell.textContent = `${t('breached')} −${formatDuration(left)}`;
        cell.className = 'clock mono over';
      } else {
        cell.textContent = formatDuration(left);
        cell.className = `clock mono${left < 60_000 ? ' soon' : ''}`;
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
          ...rs.map((r) =>
            h(
              'tr',
              { 'data-resource-id': r.id, 'data-status': r.status },
              h('td', { class: 'mono' }, r.id),
              h('td', {}, r.name, r.kind === 'vehicle' ? h('span', { class: 'muted' }, ` · ${r.seats} ${t('seats')}, ${r.wheelchair_places} ${t('wheelchairs')}`) : null),
              h('td', {}, h('span', { class: `rstatus rstatus-${r.status}` }, term(r.status))),
              h('td', {}, r.current_item ? h('button', { class: 'link mono', onclick: () => select(r.current_item) }, shortId(r.current_item)) : '—'),
              h('td', { class: 'mono muted' }, r.position ? h('button', { class: 'link', onclick: () => map.locate(r.position!, r.id) }, `${r.position.lat.toFixed(4)}, ${r.position.lon.toFixed(4)}`) : '—'),
            ),
          ),
        ),
      );
    }
    resourcesEl.append(table);
  }

  function unackedP1(): Item[] {
    return [...live.state.items.values()].filter((i) => i.priority.level === 'P1' && i.status === 'new');
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
        .map((i) => h('button', { class: 'alarm-open', onclick: () => select(i.id) }, `${t('alarm_open')}: ${term(i.category)} · ${shortId(i.id)}`)),
      p1.length > ALARM_BUTTONS ? h('span', { class: 'alarm-more' }, `+${p1.length - ALARM_BUTTONS}`) : '',
    );
    if (!audioReady()) {
      alarmEl.append(h('button', { class: 'secondary', onclick: () => { unlockAudio(); renderAlarm(); } }, t('enable_sound')));
    }
    alarmEl.dataset.sound = alarmSounding() ? 'on' : 'off';
  }

  function updateMap(): void {
    map.setData(queueOrder(live.state.items.values()).filter((i) => itemPosition(i)), [...live.state.resources.values()]);
  }

  function renderAll(): void {
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
    renderQueue();
  };
  window.addEventListener('popstate', onPop);
  const clock = window.setInterval(tick, 1000);
  live.start();
  renderAll();
  void storm.load().then(() => renderQueue());
  if (initialItem) void detail.show(initialItem);
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
    setAlarm(false);
    window.clearInterval(clock);
    window.removeEventListener('popstate', onPop);
    window.removeEventListener('keydown', onNewCallKey);
    newCall.close();
  };
}
