// The supervisor's screen (`/supervizor`): who is logged in where, each dispatcher's open items
// with reassign (to another dispatcher) and release (to nobody), the read audit of a chosen case,
// and the answer-time figures, refreshed live: the page listens on the same websocket as the
// console and refetches the overview at most every 2 s while events arrive.

import { clear, h } from './dom';
import { formatDateTime, formatNumber, formatTime, t, term } from './i18n';
import { type EKey, te } from './i18n-emergency';
import { type SKey, auditAction, errorText, termCategory, termS, ts } from './i18n-shift';
import { Live } from './live';
import { receiverPanel } from './receiver-panel';
import { type AnswerTimes, type AuditRecord, type OpenItem, type Overview, ShiftError, shiftApi } from './shiftapi';
import { topBar } from './topbar';
import { rosterLink } from './roster';
import type { Item, Me } from './types';
import { shortId } from './types';

/** Overview refetches while events arrive: at most one per this many ms. */
const THROTTLE_MS = 2000;
/** The standards report is heavier: at most once per this many ms. */
const STANDARDS_MS = 30_000;

const mayUse = (me: Me) => me.role === 'supervisor' || me.role === 'admin';

/** The console's link to this screen, for supervisors and admins only. */
export function supervisorLink(me: Me): HTMLElement | null {
  if (!mayUse(me)) return null;
  const a = h('a', { class: 'reports-link', href: '/supervizor', 'data-action': 'supervisor' }, ts('supervisor'));
  return a;
}

/** Who the item is about as the live state knows it (name, else number, else address), with
 * its category; the short id only when nothing else is known (a redacted case). */
function itemLabel(live: Live, o: OpenItem): string {
  const it = live.state.items.get(o.id) as (Item & { subject?: { name?: string; phone?: string; address?: string } }) | undefined;
  const d = it?.details;
  const number = d?.kind === 'call' && d.caller_number && d.caller_number !== 'withheld' && d.caller_number !== '***' ? d.caller_number : undefined;
  const who = it && !it.redacted ? it.subject?.name ?? it.subject?.phone ?? number ?? it.subject?.address : undefined;
  return who ? `${who} · ${termCategory(o.category)}` : `${termCategory(o.category)} · ${shortId(o.id)}`;
}

export function mountSupervisor(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  let overview: Overview | null = null;
  let standards: AnswerTimes | null = null;
  let error = '';
  let notice = '';
  let updated: string | null = null;
  let auditFor: string | null = null;
  let audit: AuditRecord[] | null = null;
  let auditError = '';
  let lastFetch = 0;
  let lastStandards = 0;
  let pending: number | undefined;
  let busy = false;

  const sessionsEl = h('section', { class: 'panel sup-sessions', 'aria-label': 'sessions' });
  const loadEl = h('section', { class: 'panel sup-load', 'aria-label': 'load' });
  const kpiEl = h('section', { class: 'panel sup-kpi', 'aria-label': 'kpi' });
  const auditEl = h('section', { class: 'panel sup-audit', 'aria-label': 'audit' });
  const linkEl = h('span', { class: 'link-status' });

  const live = new Live({
    // The snapshot names the items at once; the figures follow within the throttle.
    onSnapshot: () => {
      renderLoad();
      renderAudit();
      schedule();
    },
    onEvent: () => schedule(),
    onStatus: (s) => {
      linkEl.className = `link-status link-${s}`;
      renderLink(s);
    },
    onUnauthorized: () => onLogout(),
  });

  function renderLink(s: string): void {
    linkEl.textContent = s === 'open' ? t('connected') : s === 'connecting' ? t('connecting') : t('disconnected');
  }

  /** Refetch now, or at the end of the throttle window. */
  function schedule(): void {
    if (pending !== undefined) return;
    const wait = Math.max(0, lastFetch + THROTTLE_MS - Date.now());
    pending = window.setTimeout(() => {
      pending = undefined;
      void load();
    }, wait);
  }

  async function load(): Promise<void> {
    lastFetch = Date.now();
    try {
      overview = await shiftApi.overview();
      updated = new Date().toISOString();
      error = '';
    } catch (e) {
      error = e instanceof ShiftError && e.status === 403 ? ts('refused') : errorText(e);
    }
    if (Date.now() - lastStandards > STANDARDS_MS) {
      lastStandards = Date.now();
      shiftApi
        .answerTimes(24)
        .then((r) => {
          standards = r;
          renderKpi();
        })
        .catch(() => undefined);
    }
    if (auditFor) void loadAudit(auditFor, false);
    render();
  }

  async function loadAudit(id: string, reset: boolean): Promise<void> {
    auditFor = id;
    if (reset) {
      audit = null;
      auditError = '';
      renderAudit();
    }
    try {
      const a = await shiftApi.audit(id);
      if (auditFor !== id) return;
      audit = a.reads;
      auditError = '';
    } catch (e) {
      if (auditFor !== id) return;
      auditError = errorText(e);
    }
    renderAudit();
  }

  async function act(f: () => Promise<unknown>, done: string): Promise<void> {
    if (busy) return;
    busy = true;
    notice = '';
    error = '';
    try {
      await f();
      notice = done;
    } catch (e) {
      error = errorText(e);
    } finally {
      busy = false;
    }
    await load();
  }

  function render(): void {
    renderSessions();
    renderLoad();
    renderKpi();
    renderAudit();
  }

  function renderSessions(): void {
    clear(sessionsEl);
    sessionsEl.append(h('header', { class: 'panel-head' }, h('h2', {}, ts('sessions')), h('span', { class: 'count muted' }, overview ? String(overview.sessions.length) : '')));
    if (error) sessionsEl.append(h('p', { class: 'error', role: 'alert', 'data-field': 'sup-error' }, error));
    if (!overview) return;
    if (!overview.sessions.length) {
      sessionsEl.append(h('p', { class: 'muted' }, ts('no_sessions')));
      return;
    }
    sessionsEl.append(
      h(
        'table',
        { class: 'sup-table' },
        h('thead', {}, h('tr', {}, ...(['s_name', 's_role', 's_since', 's_last_seen', 's_from', 's_page'] as const).map((k) => h('th', {}, ts(k))))),
        h(
          'tbody',
          {},
          ...overview.sessions.map((s) =>
            h(
              'tr',
              { 'data-session': s.username },
              h('td', {}, h('strong', {}, s.name), h('span', { class: 'muted' }, ` (${s.username})`)),
              h('td', {}, termS(s.role)),
              h('td', { class: 'mono' }, formatDateTime(s.since)),
              h('td', { class: 'mono' }, formatTime(s.last_seen)),
              h('td', { class: 'mono' }, s.from ?? '—'),
              h('td', {}, s.page ? pageName(s.page) : '—'),
            ),
          ),
        ),
      ),
    );
  }

  function renderLoad(): void {
    // Keep a half-chosen target across the live redraws.
    const chosen = new Map([...loadEl.querySelectorAll<HTMLSelectElement>('select[data-reassign]')].map((s) => [s.dataset.reassign!, s.value]));
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.focusKey;
    clear(loadEl);
    loadEl.append(h('header', { class: 'panel-head' }, h('h2', {}, ts('load'))));
    if (notice) loadEl.append(h('p', { class: 'notice', role: 'status', 'data-field': 'sup-notice' }, notice));
    if (!overview) return;
    const everyone = overview.dispatchers.map((d) => ({ username: d.username, name: d.name }));
    for (const s of overview.sessions) {
      if (s.role === 'dispatcher' && !everyone.some((d) => d.username === s.username)) everyone.push({ username: s.username, name: s.name });
    }
    // Dispatchers with work first, by load; those without in one line at the end.
    const busyOnes = overview.dispatchers.filter((d) => d.open_items.length).sort((x, y) => y.open_items.length - x.open_items.length);
    const idle = overview.dispatchers.filter((d) => !d.open_items.length);
    for (const d of busyOnes) {
      const box = h(
        'div',
        { class: 'sup-dispatcher', 'data-dispatcher': d.username },
        h('h3', {}, `${d.name} (${d.username}) · ${d.open_items.length}`),
      );
      for (const o of d.open_items) {
        // Those logged in first: an item is moved to someone who is at a desk.
        const online = new Set(overview.sessions.map((x) => x.username));
        const others = everyone
          .filter((x) => x.username !== d.username)
          .sort((x, y) => Number(online.has(y.username)) - Number(online.has(x.username)) || x.name.localeCompare(y.name));
        const sel = h(
          'select',
          { 'data-reassign': o.id, 'data-focus-key': `sel-${o.id}`, 'aria-label': ts('reassign_to') },
          ...others.map((x) =>
            h(
              'option',
              { value: x.username, selected: chosen.get(o.id) === x.username },
              `${x.name} (${x.username})${online.has(x.username) ? '' : ` — ${ts('offline')}`}`,
            ),
          ),
        );
        box.append(
          h(
            'div',
            { class: `sup-item${auditFor === o.id ? ' selected' : ''}`, 'data-item-id': o.id },
            h('span', { class: `level level-${o.level}` }, o.level),
            h(
              'button',
              { class: 'link sup-item-name', 'data-action': 'audit', 'data-focus-key': `audit-${o.id}`, onclick: () => void loadAudit(o.id, true) },
              itemLabel(live, o),
            ),
            h('span', { class: `status status-${o.status}` }, term(o.status)),
            h('span', { class: 'spacer' }),
            h('label', { class: 'muted' }, `${ts('reassign_to')} `, sel),
            h(
              'button',
              {
                'data-action': 'reassign',
                'data-focus-key': `re-${o.id}`,
                disabled: busy || !others.length,
                onclick: () => void act(() => shiftApi.reassign(o.id, sel.value), ts('done_reassigned')),
              },
              ts('reassign'),
            ),
            h(
              'button',
              {
                class: 'secondary',
                'data-action': 'release',
                'data-focus-key': `rel-${o.id}`,
                title: ts('release_title'),
                disabled: busy,
                onclick: () => void act(() => shiftApi.reassign(o.id, null), ts('done_released')),
              },
              ts('release'),
            ),
          ),
        );
      }
      loadEl.append(box);
    }
    if (!busyOnes.length) loadEl.append(h('p', { class: 'muted' }, ts('no_open')));
    if (idle.length) {
      loadEl.append(
        h('p', { class: 'sup-idle', 'data-field': 'idle' }, h('strong', {}, `${ts('idle')}: `), idle.map((d) => `${d.name} (${d.username})`).join(', ')),
      );
    }
    if (focused) loadEl.querySelector<HTMLElement>(`[data-focus-key="${focused}"]`)?.focus();
  }

  function renderKpi(): void {
    clear(kpiEl);
    kpiEl.append(
      h(
        'header',
        { class: 'panel-head' },
        h('h2', {}, ts('kpi')),
        h('span', { class: 'muted' }, updated ? ts('kpi_updated', { t: formatTime(updated) }) : ''),
      ),
    );
    if (!overview) return;
    const k = overview.kpi;
    const secs = (v: number | null) => (v === null || v === undefined ? '—' : ts('seconds', { s: formatNumber(v, v < 100 ? 1 : 0) }));
    const tile = (key: 'kpi_received' | 'kpi_acknowledged' | 'kpi_median' | 'kpi_p90' | 'kpi_breached', v: string, cls = '') =>
      h('div', { class: `kpi-tile ${cls}`, 'data-kpi': key }, h('div', { class: 'kpi-value' }, v), h('div', { class: 'kpi-label' }, ts(key)));
    kpiEl.append(
      h('p', { class: 'muted' }, ts('kpi_since', { t: formatDateTime(k.since) })),
      h(
        'div',
        { class: 'kpi-tiles' },
        tile('kpi_received', String(k.received)),
        tile('kpi_acknowledged', String(k.acknowledged)),
        tile('kpi_median', secs(k.median_ack_s)),
        tile('kpi_p90', secs(k.p90_ack_s)),
        tile('kpi_breached', String(k.breached), k.breached ? 'bad' : ''),
      ),
      h(
        'div',
        { class: 'kpi-levels', 'data-kpi': 'open_by_level' },
        `${ts('kpi_open')}: `,
        ...['P1', 'P2', 'P3'].map((l) => h('span', { class: `level level-${l}` }, `${l} ${k.open_by_level?.[l] ?? 0}`)),
      ),
    );
    if (standards) {
      const lines = standards.channels.flatMap((c) =>
        c.standards.map((s) =>
          h(
            'li',
            { class: s.met === false ? 'bad' : '' },
            `${channelName(c.channel)} — `,
            ts('std_line', {
              p: formatNumber(s.percent, Number.isInteger(s.percent) ? 0 : 1),
              s: s.within_s,
              a:
                s.achieved_percent === null
                  ? ts('std_no_data')
                  : `${formatNumber(s.achieved_percent)} % (${s.met ? ts('std_met') : ts('std_not_met')})`,
            }),
          ),
        ),
      );
      kpiEl.append(h('h3', {}, ts('standards')), h('ul', { class: 'sup-standards' }, ...lines));
    }
  }

  function renderAudit(): void {
    clear(auditEl);
    const o = overview?.dispatchers.flatMap((d) => d.open_items).find((x) => x.id === auditFor);
    auditEl.append(
      h('header', { class: 'panel-head' }, h('h2', {}, auditFor ? ts('audit_of', { name: o ? itemLabel(live, o) : shortId(auditFor) }) : ts('audit'))),
    );
    if (!auditFor) {
      auditEl.append(h('p', { class: 'muted' }, ts('audit_pick')));
      return;
    }
    if (auditError) auditEl.append(h('p', { class: 'error', role: 'alert' }, auditError));
    if (!audit) return;
    if (!audit.length) {
      auditEl.append(h('p', { class: 'muted' }, ts('audit_empty')));
      return;
    }
    auditEl.append(
      h(
        'table',
        { class: 'sup-table', 'data-field': 'audit' },
        h('thead', {}, h('tr', {}, ...(['a_at', 'a_actor', 's_role', 'a_action', 'a_outcome'] as const).map((k) => h('th', {}, ts(k))))),
        h(
          'tbody',
          {},
          ...[...audit].reverse().map((r) =>
            h(
              'tr',
              { 'data-actor': r.actor, 'data-action': r.action, 'data-outcome': r.outcome },
              h('td', { class: 'mono' }, formatDateTime(r.at)),
              h('td', {}, r.actor),
              h('td', {}, termS(r.role)),
              h('td', { title: r.action }, auditAction(r.action)),
              h('td', { class: `outcome-${r.outcome}` }, termS(r.outcome)),
            ),
          ),
        ),
      ),
    );
  }

  const back = h('a', { class: 'reports-link', href: '/' }, ts('back_to_console'));
  const title = h('h1', { class: 'sup-title' }, ts('supervisor_title'));
  root.replaceChildren(
    topBar(me, onLogout, () => {
      back.textContent = ts('back_to_console');
      title.textContent = ts('supervisor_title');
      render();
    }, h('span', {}, linkEl, ' ', back, ' ', rosterLink(me))),
    h('main', { class: 'supervisor-page' }, title, h('div', { class: 'sup-grid' }, h('div', { class: 'col' }, sessionsEl, loadEl), h('div', { class: 'col' }, kpiEl, auditEl))),
  );
  render();
  if (mayUse(me)) root.querySelector('main.supervisor-page')?.append(receiverPanel());
  if (!mayUse(me)) {
    error = ts('refused');
    renderSessions();
    return () => undefined;
  }
  live.start();
  void load();
  return () => {
    live.stop();
    window.clearTimeout(pending);
  };
}

/** The screen a session last said it has open, in words. */
function pageName(page: string): string {
  const p = page.replace(/^\//, '').split('/')[0];
  const known: Record<string, SKey> = {
    '': 'page_console',
    console: 'page_console',
    queue: 'page_console',
    items: 'page_console',
    item: 'page_item',
    supervisor: 'page_supervisor',
    supervizor: 'page_supervisor',
    reports: 'page_reports',
    rapoarte: 'page_reports',
    transport: 'page_transport',
    sofer: 'page_driver',
    emiu: 'page_emiu',
    login: 'page_login',
  };
  return ts(known[p] ?? 'page_other');
}

function channelName(c: string): string {
  return ['telecare', 'emergency_line', 'callback', 'technical'].includes(c) ? te(`channel_${c}` as EKey) : termS(c);
}
