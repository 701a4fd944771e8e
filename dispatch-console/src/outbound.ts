// The outbound-calls page (`/apeluri`). A dispatcher on shift works the calls that fell due
// here: one table "De sunat acum" (due time first), with "Sună" (the server dials through the
// call outbox) and one button per outcome; an unanswered call comes back by itself for the next
// try, and after the last one the supervisor gets an item. The same calls are also queue items
// (callbacks) in the main queue, so nobody misses one while on the queue screen; their outcome is
// recorded here. Beside them: campaigns (supervisors: filter, preview the count, start; progress
// for everyone), call lists from other services, and wellbeing schedules per beneficiary.
// The page refreshes every 5 s over HTTP (role-checked, audited on the server).

import './outbound.css';
import { ApiError } from './api';
import { clear, h } from './dom';
import { errorText, formatDateTime, formatTime } from './i18n';
import { hasO, to, type OKey } from './i18n-outbound';
import { topBar } from './topbar';
import type { Me } from './types';

interface Call {
  id: string;
  source: string;
  source_id: string;
  device_id?: string;
  name: string;
  reason: string;
  due: string;
  attempt: number;
  state: string;
  skip_reason?: string;
  item_id?: string;
  item_status?: string;
  dialled_at?: string;
  outcome?: string;
  outcome_note?: string;
  outcome_by?: string;
  escalation_item?: string;
}
interface Progress {
  total: number;
  pending: number;
  done: number;
  failed: number;
  skipped: number;
  by_outcome: Record<string, number>;
}
interface Campaign {
  id: string;
  name: string;
  reason: string;
  min_age: number | null;
  lives_alone: boolean | null;
  window_start: string;
  window_end: string;
  state: string;
  started_at: string | null;
  progress: Progress;
}
interface List {
  id: string;
  service: string;
  reason: string;
  created_at: string;
  progress: Progress;
}
interface Schedule {
  id: string;
  device_id: string;
  weekdays: string[];
  every_days?: number;
  at: string;
  reason: string;
  next_due: string;
  active: boolean;
}
interface Skipped {
  index?: number;
  device_id?: string;
  reason: string;
}

const OUTCOMES = ['answered_ok', 'needs_follow_up', 'no_answer', 'wrong_number', 'refused'] as const;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string; reason?: string } })?.error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? '', e?.field, e?.reason);
  }
  return json as T;
}

/** A refusal in this page's words when it has them, else the console's. */
function refusal(e: unknown): string {
  const reason = e instanceof ApiError ? e.reason : undefined;
  if (reason && hasO(reason)) return to(reason);
  return errorText(e);
}

const word = (key: string): string => (hasO(key) ? to(key) : key);

/** A date as the text the time fields hold: `aaaa-ll-zz hh:mm`, local time, 24 h. (Text, not
 * `datetime-local`: the browser would draw that in its own locale, AM/PM included.) */
function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The text of a time field as an ISO instant; `null` when it is not `aaaa-ll-zz hh:mm`. */
function parseLocal(v: string): string | null {
  const m = v.trim().match(/^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$/);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function progressText(p: Progress): string {
  return to('progress', { done: p.done, pending: p.pending, failed: p.failed, skipped: p.skipped, total: p.total });
}

function progressBar(p: Progress): HTMLElement {
  const total = Math.max(p.total, 1);
  // Widths through the CSSOM: the service's CSP refuses inline style attributes.
  const part = (cls: string, n: number) => {
    const el = h('span', { class: `bar-${cls}` });
    el.style.width = `${(100 * n) / total}%`;
    return el;
  };
  return h('div', { class: 'progress-bar', role: 'img', 'aria-label': progressText(p) }, part('done', p.done), part('pending', p.pending), part('failed', p.failed), part('skipped', p.skipped));
}

export function mountOutbound(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  const supervisor = me.role === 'supervisor' || me.role === 'admin';
  let calls: Call[] = [];
  let campaigns: Campaign[] = [];
  let lists: List[] = [];
  let schedules: Schedule[] = [];
  let error = '';
  const flash = h('p', { class: 'flash', role: 'status', 'data-field': 'flash' });
  const say = (text: string, bad = false) => {
    flash.textContent = text;
    flash.classList.toggle('error', bad);
  };

  const callsBox = h('div', { class: 'calls' });
  const campaignsBox = h('div');
  const listsBox = h('div');
  const schedulesBox = h('div');

  async function load(): Promise<void> {
    try {
      const [c, k, l, s] = await Promise.all([
        call<{ calls: Call[] }>('GET', '/api/v1/outbound/calls?hours=24'),
        call<{ campaigns: Campaign[] }>('GET', '/api/v1/outbound/campaigns'),
        call<{ lists: List[] }>('GET', '/api/v1/outbound/lists'),
        call<{ schedules: Schedule[] }>('GET', '/api/v1/outbound/schedules'),
      ]);
      calls = c.calls;
      campaigns = k.campaigns;
      lists = l.lists;
      schedules = s.schedules;
      error = '';
    } catch (e) {
      error = refusal(e);
    }
    render();
  }

  async function act(path: string, body: unknown, ok: string): Promise<unknown> {
    try {
      const out = await call<unknown>('POST', path, body);
      say(ok);
      await load();
      return out;
    } catch (e) {
      say(refusal(e), true);
      return undefined;
    }
  }

  function whoCell(c: Call): HTMLElement {
    const name = c.name === '***' ? to('withheld') : c.name;
    const device = c.device_id;
    return h('td', { class: 'who' }, h('strong', {}, name || '—'), device
      ? h('div', { class: 'muted' }, device, ' ', h('button', { type: 'button', class: 'link', 'data-action': 'profile', onclick: () => void openProfile(device).then(() => profileBox.scrollIntoView({ block: 'nearest' })) }, to('profile_link')))
      : null);
  }

  function dueRow(c: Call): HTMLElement {
    const note = h('input', { name: 'note', type: 'text', maxlength: 1000, placeholder: to('note'), 'aria-label': to('note') });
    const closed = c.item_status === 'closed';
    return h(
      'tr',
      { 'data-call': c.id, 'data-state': c.state, class: c.attempt > 1 ? 'retry' : '' },
      h('td', { class: 'due' }, formatTime(c.due)),
      whoCell(c),
      h('td', {}, reasonText(c), h('div', { class: 'muted' }, word(`src_${c.source}`))),
      h('td', { class: 'attempt' }, String(c.attempt)),
      h(
        'td',
        { class: 'actions' },
        h('div', { class: 'dial-row' },
          h('button', { class: 'dial', 'data-action': 'dial', disabled: closed, onclick: () => void act(`/api/v1/outbound/calls/${c.id}/dial`, {}, to('dial_queued')) }, `☎ ${to('dial')}`),
          c.dialled_at ? h('span', { class: 'muted', 'data-field': 'dialled' }, to('dialled', { time: formatTime(c.dialled_at) })) : null,
          closed ? h('span', { class: 'muted' }, to('item_closed')) : null,
          c.item_id ? h('a', { href: `/items/${c.item_id}`, class: 'muted' }, to('open_item')) : null,
        ),
        h('div', { class: 'outcomes' },
          ...OUTCOMES.map((o) =>
            h('button', {
              class: `outcome secondary o-${o}`,
              'data-outcome': o,
              onclick: () => void act(`/api/v1/outbound/calls/${c.id}/outcome`, { outcome: o, note: note.value.trim() }, to('saved')),
            }, to(o)),
          ),
          note,
        ),
      ),
    );
  }

  function table(head: OKey[], rows: HTMLElement[], empty: OKey): HTMLElement {
    if (!rows.length) return h('p', { class: 'muted empty' }, to(empty));
    return h('table', { class: 'outbound-table' }, h('thead', {}, h('tr', {}, ...head.map((k) => h('th', {}, to(k))))), h('tbody', {}, ...rows));
  }

  /** A follow-up's reason is a dispatcher's note: withheld (`***`) on a case seen redacted. */
  function reasonText(c: Call): string {
    return c.reason === '***' ? to('withheld') : c.reason;
  }

  function stateText(c: Call): string {
    if (c.state === 'skipped') return `${to('st_skipped')}: ${word(c.skip_reason ?? '')}`;
    const s = word(`st_${c.state}`);
    return c.outcome ? `${word(c.outcome)} · ${s}` : s;
  }

  function renderCalls(): void {
    clear(callsBox);
    const due = calls.filter((c) => c.state === 'raised').sort((a, b) => a.due.localeCompare(b.due));
    const planned = calls.filter((c) => c.state === 'planned').sort((a, b) => a.due.localeCompare(b.due)).slice(0, 30);
    const finished = calls.filter((c) => c.state !== 'raised' && c.state !== 'planned').sort((a, b) => b.due.localeCompare(a.due)).slice(0, 50);
    callsBox.append(
      h('section', { class: 'panel to-call', 'data-section': 'to-call' },
        h('h2', {}, to('to_call'), h('span', { class: 'count' }, ` (${due.length})`)),
        table(['due', 'who', 'why', 'attempt', 'actions'], due.map(dueRow), 'none_to_call')),
      h('section', { class: 'panel', 'data-section': 'planned' },
        h('h2', {}, to('planned')),
        table(['due', 'who', 'why', 'state'], planned.map((c) => h('tr', { 'data-call': c.id }, h('td', { class: 'due' }, formatDateTime(c.due)), whoCell(c), h('td', {}, reasonText(c), h('div', { class: 'muted' }, word(`src_${c.source}`), c.attempt > 1 ? ` · ${to('attempt')} ${c.attempt}` : '')), h('td', {}, stateText(c)))), 'none_planned')),
      h('section', { class: 'panel', 'data-section': 'finished' },
        h('h2', {}, to('finished')),
        table(['due', 'who', 'why', 'outcome'], finished.map((c) => h('tr', { 'data-call': c.id, 'data-state': c.state }, h('td', { class: 'due' }, formatDateTime(c.due)), whoCell(c), h('td', {}, reasonText(c)), h('td', { class: `st-${c.state}` }, stateText(c), c.outcome_note ? h('div', { class: 'muted' }, c.outcome_note === '***' ? to('withheld') : c.outcome_note) : null))), 'none_finished')),
    );
  }

  // ---- campaigns -------------------------------------------------------------------------
  const now = new Date();
  const cName = h('input', { name: 'campaign_name', type: 'text', maxlength: 100, required: true });
  const cReason = h('input', { name: 'campaign_reason', type: 'text', maxlength: 200, value: 'Val de căldură: verificăm că sunteți bine' });
  const cAge = h('input', { name: 'min_age', type: 'number', min: 0, max: 120, value: 75 });
  const cAlone = h('input', { name: 'lives_alone', type: 'checkbox', checked: true });
  const cStart = h('input', { name: 'window_start', type: 'text', inputmode: 'numeric', placeholder: 'aaaa-ll-zz hh:mm', value: localInput(now) });
  const cEnd = h('input', { name: 'window_end', type: 'text', inputmode: 'numeric', placeholder: 'aaaa-ll-zz hh:mm', value: localInput(new Date(now.getTime() + 8 * 3600_000)) });
  const cPreview = h('p', { class: 'preview', 'data-field': 'preview' });
  const filter = () => ({
    min_age: cAge.value === '' ? undefined : Number(cAge.value),
    lives_alone: cAlone.checked ? true : undefined,
  });
  async function preview(): Promise<void> {
    try {
      const p = await call<{ selected: number; contact_blocked: number }>('POST', '/api/v1/outbound/campaigns/preview', { filter: filter() });
      cPreview.textContent = to('preview_result', { n: p.selected, b: p.contact_blocked });
    } catch (e) {
      cPreview.textContent = refusal(e);
    }
  }
  async function createStart(ev: Event): Promise<void> {
    ev.preventDefault();
    const start = parseLocal(cStart.value);
    const end = parseLocal(cEnd.value);
    if (!start || !end) {
      say(to('bad_time'), true);
      return;
    }
    const created = (await act('/api/v1/outbound/campaigns', {
      name: cName.value.trim(),
      reason: cReason.value.trim(),
      filter: filter(),
      window_start: start,
      window_end: end,
    }, to('saved'))) as Campaign | undefined;
    if (!created) return;
    cName.value = '';
    cPreview.textContent = '';
    const out = (await act(`/api/v1/outbound/campaigns/${created.id}/start`, {}, to('saved'))) as { calls: number; skipped: Skipped[] } | undefined;
    if (out) say(to('list_result', { n: out.calls, s: out.skipped.length }));
  }
  const campaignForm = supervisor
    ? h('form', { class: 'campaign-form', onsubmit: (e: Event) => void createStart(e) },
        h('label', {}, to('campaign_name'), cName),
        h('label', {}, to('campaign_reason'), cReason),
        h('div', { class: 'row' }, h('label', {}, to('min_age'), cAge), h('label', { class: 'check' }, cAlone, to('lives_alone'))),
        h('div', { class: 'row' }, h('label', {}, to('window_start'), cStart), h('label', {}, to('window_end'), cEnd)),
        h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', 'data-action': 'preview', onclick: () => void preview() }, to('preview')), h('button', { type: 'submit', 'data-action': 'create-start' }, to('create_start'))),
        cPreview)
    : h('p', { class: 'muted' }, to('supervisors_only'));

  function renderCampaigns(): void {
    clear(campaignsBox);
    campaignsBox.append(
      ...campaigns.slice(0, 10).map((c) =>
        h('div', { class: 'campaign', 'data-campaign': c.id },
          h('div', {}, h('strong', {}, c.name), ` · ${c.state === 'started' ? to('started') : to('draft')}`),
          h('div', { class: 'muted' }, `${c.reason} · ${formatDateTime(c.window_start)} – ${formatDateTime(c.window_end)}`),
          progressBar(c.progress),
          h('div', { class: 'progress-text', 'data-field': 'progress' }, progressText(c.progress)))),
    );
    if (!campaigns.length) campaignsBox.append(h('p', { class: 'muted' }, to('no_campaigns')));
  }

  // ---- call lists ------------------------------------------------------------------------
  const lService = h('input', { name: 'list_service', type: 'text', maxlength: 100, required: true });
  const lReason = h('input', { name: 'list_reason', type: 'text', maxlength: 200, required: true });
  const lDue = h('input', { name: 'list_due', type: 'text', inputmode: 'numeric', placeholder: 'aaaa-ll-zz hh:mm', value: localInput(now) });
  const lEntries = h('textarea', { name: 'list_entries', rows: 3 });
  async function addList(ev: Event): Promise<void> {
    ev.preventDefault();
    const entries = lEntries.value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const [a, b] = l.split(';').map((x) => x.trim());
        return b ? { phone: a, name: b } : { device_id: a };
      });
    const due = parseLocal(lDue.value);
    if (!due) {
      say(to('bad_time'), true);
      return;
    }
    const out = (await act('/api/v1/outbound/lists', { service: lService.value.trim(), reason: lReason.value.trim(), due_at: due, entries }, to('saved'))) as { calls: number; skipped: Skipped[] } | undefined;
    if (out) {
      say(to('list_result', { n: out.calls, s: out.skipped.length }) + out.skipped.map((s) => ` · ${s.device_id ?? `#${(s.index ?? 0) + 1}`}: ${word(s.reason)}`).join(''));
      lEntries.value = '';
    }
  }
  const listForm = h('form', { class: 'list-form', onsubmit: (e: Event) => void addList(e) },
    h('div', { class: 'row' }, h('label', {}, to('list_service'), lService), h('label', {}, to('list_reason'), lReason), h('label', {}, to('list_due'), lDue)),
    h('label', {}, to('list_entries'), lEntries),
    h('button', { type: 'submit', 'data-action': 'add-list' }, to('list_add')));

  function renderLists(): void {
    clear(listsBox);
    listsBox.append(...lists.slice(0, 8).map((l) =>
      h('div', { class: 'campaign', 'data-list': l.id },
        h('div', {}, h('strong', {}, l.service), ` · ${l.reason}`),
        progressBar(l.progress),
        h('div', { class: 'progress-text' }, progressText(l.progress)))));
    if (!lists.length) listsBox.append(h('p', { class: 'muted' }, to('no_lists')));
  }

  // ---- schedules -------------------------------------------------------------------------
  const sDevice = h('input', { name: 'device', type: 'text', maxlength: 100, required: true, placeholder: 'TA-DEMO-001' });
  const sDays = DAYS.map((d) => h('input', { type: 'checkbox', name: `day_${d}`, value: d, checked: d === 'mon' || d === 'thu' }));
  const sEvery = h('input', { name: 'every_days', type: 'number', min: 1, max: 90 });
  const sAt = h('input', { name: 'at', type: 'text', inputmode: 'numeric', placeholder: 'hh:mm', maxlength: 5, value: '10:00' });
  async function addSchedule(ev: Event): Promise<void> {
    ev.preventDefault();
    const every = sEvery.value ? Number(sEvery.value) : undefined;
    const weekdays = every ? [] : sDays.filter((d) => d.checked).map((d) => d.value);
    await act('/api/v1/outbound/schedules', { device_id: sDevice.value.trim(), weekdays, every_days: every, at: sAt.value }, to('saved'));
  }
  const scheduleForm = h('form', { class: 'schedule-form', onsubmit: (e: Event) => void addSchedule(e) },
    h('div', { class: 'row' }, h('label', {}, to('device'), sDevice), h('label', {}, to('at'), sAt)),
    h('div', { class: 'row days' }, h('span', {}, to('days')), ...DAYS.map((d, i) => h('label', { class: 'check' }, sDays[i], to(d)))),
    h('div', { class: 'row' }, h('label', {}, to('every_days'), sEvery)),
    h('button', { type: 'submit', 'data-action': 'add-schedule' }, to('schedule_add')));

  function renderSchedules(): void {
    clear(schedulesBox);
    const rows = schedules.slice(0, 30).map((s) =>
      h('li', { 'data-schedule': s.id, class: s.active ? '' : 'stopped' },
        h('strong', {}, s.device_id), ' · ',
        s.every_days ? to('every_n', { n: s.every_days }) : s.weekdays.map((d) => word(d)).join(', '),
        ` ${s.at} · `,
        s.active ? to('next_due', { time: formatDateTime(s.next_due) }) : to('stopped'),
        s.active ? h('button', { class: 'secondary small', 'data-action': 'stop', onclick: () => void act(`/api/v1/outbound/schedules/${s.id}/stop`, {}, to('saved')) }, to('stop')) : null));
    schedulesBox.append(rows.length ? h('ul', { class: 'schedules' }, ...rows) : h('p', { class: 'muted' }, to('no_schedules')));
  }

  // ---- a beneficiary's profile (what campaigns select on) ---------------------------------
  const pDevice = h('input', { name: 'profile_device', type: 'text', maxlength: 100, required: true, placeholder: 'TA-DEMO-001', 'aria-label': to('device') });
  const profileBox = h('div', { class: 'profile', 'data-field': 'profile' });
  async function openProfile(device: string): Promise<void> {
    pDevice.value = device;
    clear(profileBox);
    let p: { device_id: string; birth_year: number | null; lives_alone: boolean | null };
    try {
      p = await call('GET', `/api/v1/outbound/beneficiaries/${encodeURIComponent(device)}`);
    } catch (e) {
      say(e instanceof ApiError && e.status === 404 ? to('unknown_device') : refusal(e), true);
      return;
    }
    const year = new Date().getFullYear();
    const born = h('input', { name: 'birth_year', type: 'number', min: 1900, max: year, step: 1, value: p.birth_year ?? '' });
    const age = h('span', { class: 'muted', 'data-field': 'age' });
    const showAge = () => {
      const b = Number(born.value);
      age.textContent = born.value && b >= 1900 && b <= year ? to('age_now', { n: year - b }) : '';
    };
    born.addEventListener('input', showAge);
    showAge();
    const alone = h(
      'select',
      { name: 'lives_alone' },
      h('option', { value: '', selected: p.lives_alone === null }, to('unknown_value')),
      h('option', { value: 'true', selected: p.lives_alone === true }, to('yes_value')),
      h('option', { value: 'false', selected: p.lives_alone === false }, to('no_value')),
    );
    // Said beside the form too: the page's flash is at the top, out of sight down here.
    const status = h('p', { class: 'muted', role: 'status', 'data-field': 'profile-status' });
    const tell = (text: string, bad = false) => {
      say(text, bad);
      status.textContent = text;
      status.classList.toggle('error', bad);
    };
    async function save(ev: Event): Promise<void> {
      ev.preventDefault();
      const b = born.value.trim() === '' ? null : Number(born.value);
      if (b !== null && (!Number.isInteger(b) || b < 1900 || b > year)) {
        born.setAttribute('aria-invalid', 'true');
        tell(to('bad_birth_year', { year }), true);
        return;
      }
      born.removeAttribute('aria-invalid');
      const body = { birth_year: b, lives_alone: alone.value === '' ? null : alone.value === 'true' };
      try {
        await call('POST', `/api/v1/outbound/beneficiaries/${encodeURIComponent(p.device_id)}`, body);
        tell(to('profile_saved'));
      } catch (e) {
        if (e instanceof ApiError && e.field === 'birth_year') {
          born.setAttribute('aria-invalid', 'true');
          tell(to('bad_birth_year', { year }), true);
        } else tell(refusal(e), true);
      }
    }
    profileBox.append(
      h('form', { class: 'profile-form', 'data-device': p.device_id, novalidate: true, onsubmit: (e: Event) => void save(e) },
        h('strong', {}, to('profile_of', { device: p.device_id })),
        h('div', { class: 'row' }, h('label', {}, to('birth_year'), born, age), h('label', {}, to('lives_alone_q'), alone)),
        h('button', { type: 'submit', 'data-action': 'save-profile' }, to('profile_save')),
        status),
    );
    born.focus();
  }
  const profileForm = h('form', { class: 'profile-open', onsubmit: (e: Event) => {
      e.preventDefault();
      if (pDevice.value.trim()) void openProfile(pDevice.value.trim());
    } },
    h('p', { class: 'muted' }, to('profile_hint')),
    h('div', { class: 'row' }, h('label', {}, to('device'), pDevice), h('button', { type: 'submit', class: 'secondary', 'data-action': 'open-profile' }, to('profile_open'))));

  const title = h('h1', {}, to('title'));
  function render(): void {
    title.textContent = to('title');
    renderCalls();
    renderCampaigns();
    renderLists();
    renderSchedules();
    if (error) say(error, true);
  }

  clear(root);
  root.append(
    topBar(me, onLogout, () => render()),
    h('main', { class: 'outbound-page' },
      h('div', { class: 'outbound-head' }, title, flash),
      h('div', { class: 'outbound-grid' },
        callsBox,
        h('aside', { class: 'outbound-side' },
          h('section', { class: 'panel', 'data-section': 'campaigns' }, h('h2', {}, to('campaigns')), campaignForm, campaignsBox),
          h('section', { class: 'panel', 'data-section': 'lists' }, h('h2', {}, to('lists')), listForm, listsBox),
          h('section', { class: 'panel', 'data-section': 'schedules' }, h('h2', {}, to('schedules')), scheduleForm, schedulesBox),
          h('section', { class: 'panel', 'data-section': 'profile' }, h('h2', {}, to('profile')), profileForm, profileBox)))),
  );
  void load();
  const timer = window.setInterval(() => void load(), 5000);
  return () => window.clearInterval(timer);
}
