// The item detail: who, why this priority, what happened (history), notes and the actions. The
// item itself comes from the live state, so another dispatcher's acknowledgement shows here at
// once; the history is fetched once per opening and then extended by the live events.
// The server decides what a viewer may see: a 403 is shown as a refusal, and a redacted item
// shows "date protejate" instead of personal fields.

import { ApiError, api } from './api';
import { assignPanelFor } from './assignpanel';
import { caseActions } from './casework';
import { termE } from './i18n-emergency';
import { clear, h } from './dom';
import { explain } from './explain';
import { formatDateTime, formatDuration, formatTime, t, term } from './i18n';
import type { LiveState } from './state';
import { queueOrder } from './state';
import type { Details, Item, LonLat, Place, StoredEvent } from './types';
import { OUTCOMES, itemPosition } from './types';

const PROTECTED = '***';

export interface DetailHost {
  state: LiveState | null;
  onLocate?(p: LonLat): void;
  onClose?(): void;
}

export class DetailView {
  readonly el = h('section', { class: 'panel detail', 'aria-label': 'detail' });
  private id: string | null = null;
  /** The item as fetched, for when the live state does not hold it (closed, or no socket). */
  private fetched: Item | null = null;
  private history: StoredEvent[] = [];
  private refusal: { status: number; message: string } | null = null;
  private actionError = '';
  private busy = false;
  private loadToken = 0;

  constructor(private readonly host: DetailHost) {
    this.render();
  }

  get current(): string | null {
    return this.id;
  }

  async show(id: string | null): Promise<void> {
    this.id = id;
    this.fetched = null;
    this.history = [];
    this.refusal = null;
    this.actionError = '';
    const token = ++this.loadToken;
    this.render();
    this.el.scrollTop = 0;
    if (!id) return;
    try {
      const [one, events] = await Promise.all([api.item(id), api.events(id)]);
      if (token !== this.loadToken) return;
      this.fetched = one.item;
      this.mergeHistory(events.events);
    } catch (e) {
      if (token !== this.loadToken) return;
      this.refusal =
        e instanceof ApiError
          ? { status: e.status, message: e.message }
          : { status: 0, message: String(e) };
    }
    this.render();
  }

  /** A live event arrived; extend the history when it concerns this item. */
  onEvent(e: StoredEvent): void {
    if (!this.id) return;
    const ev = e.event;
    const about = 'item_id' in ev ? ev.item_id : ev.type === 'item_created' ? ev.item.id : undefined;
    if (about === this.id) this.mergeHistory([e]);
    this.render();
  }

  private mergeHistory(events: StoredEvent[]): void {
    const seen = new Set(this.history.map((e) => e.seq));
    for (const e of events) if (!seen.has(e.seq)) this.history.push(e);
    this.history.sort((a, b) => a.seq - b.seq);
  }

  private item(): Item | null {
    if (!this.id) return null;
    return this.host.state?.items.get(this.id) ?? this.fetched;
  }

  /** Redraws, keeping what the dispatcher is typing or has ticked. */
  render(): void {
    const note = this.el.querySelector<HTMLTextAreaElement>('textarea[name=note]')?.value ?? '';
    const ticked = new Set(
      [...this.el.querySelectorAll<HTMLInputElement>('input[name=resource]:checked')].map((i) => i.value),
    );
    const outcome = this.el.querySelector<HTMLSelectElement>('select[name=outcome]')?.value;
    clear(this.el);
    this.el.append(this.header());
    if (!this.id) {
      this.el.append(h('p', { class: 'muted' }, t('select_item')));
      return;
    }
    if (this.refusal) {
      const forbidden = this.refusal.status === 403;
      this.el.append(
        h(
          'div',
          { class: forbidden ? 'refusal' : 'error', role: 'alert', 'data-status': this.refusal.status },
          h('strong', {}, forbidden ? t('forbidden') : t('error')),
          h('p', {}, forbidden ? t('forbidden_text') : this.refusal.status === 404 ? t('not_found') : ''),
          h('p', { class: 'muted' }, this.refusal.message),
        ),
      );
      return;
    }
    const item = this.item();
    if (!item) {
      this.el.append(h('p', { class: 'muted' }, '…'));
      return;
    }
    this.el.dataset.itemId = item.id;
    this.el.dataset.status = item.status;
    this.el.append(
      this.summary(item),
      this.beneficiary(item),
      this.actions(item, note, ticked, outcome),
      caseActions(item, () => this.render()) ?? '',
      this.notes(item),
      this.historyList(),
    );
  }

  /** Once a second: only the countdown changes, so only it is redrawn (a full redraw would
   * close an open drop-down under the dispatcher's cursor). */
  tick(): void {
    const c = this.el.querySelector<HTMLElement>('.clock[data-deadline]');
    if (!c) return;
    const left = Date.parse(c.dataset.deadline!) - Date.now();
    c.textContent = clockText(left);
    c.classList.toggle('over', left < 0);
  }

  private header(): HTMLElement {
    return h(
      'header',
      { class: 'panel-head' },
      h('h2', {}, t('detail')),
      this.id && this.host.onClose
        ? h('button', { class: 'link', onclick: () => this.host.onClose?.() }, '×')
        : null,
    );
  }

  private summary(item: Item): HTMLElement {
    const ordered = this.host.state ? queueOrder(this.host.state.items.values()) : [];
    const why = explain(ordered, item.id);
    const left = Date.parse(item.deadline) - Date.now();
    const pos = itemPosition(item);
    return h(
      'div',
      { class: 'summary' },
      h(
        'div',
        { class: 'title-line' },
        h('span', { class: `level level-${item.priority.level}` }, item.priority.level),
        h('span', { class: 'category' }, term(item.category)),
        h('span', { class: 'kind muted' }, term(item.kind)),
        h('span', { class: `status status-${item.status}`, 'data-field': 'status' }, term(item.status)),
        item.breached ? h('span', { class: 'breach-flag' }, t('breached')) : null,
        item.rate_limited ? h('span', { class: 'rate-flag', title: t('rate_limited_hint') }, t('rate_limited')) : null,
      ),
      h('div', { class: 'muted mono' }, item.id),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('why_level')),
        h('dd', { 'data-field': 'why-level' }, why?.level ?? t('level_reason', { level: item.priority.level, rule: item.priority.rule, reason: item.priority.reason })),
        why ? h('dt', {}, t('why_position')) : null,
        why ? h('dd', { 'data-field': 'why-position' }, `#${why.index} — ${why.position}`) : null,
        h('dt', {}, t('received')),
        h('dd', {}, formatDateTime(item.times.received)),
        h('dt', {}, t('deadline')),
        h(
          'dd',
          {},
          `${formatTime(item.deadline)} (${t('respond_within')} ${formatDuration(item.priority.respond_within_s * 1000)})`,
          item.status === 'new' ? h('span', { class: 'clock', 'data-deadline': item.deadline }, clockText(left)) : null,
        ),
        h('dt', {}, t('handler')),
        h('dd', { 'data-field': 'handler' }, item.handler ?? '—'),
        h('dt', {}, t('assigned_to')),
        h('dd', { 'data-field': 'assigned' }, item.assigned_to.join(', ') || '—'),
        item.outcome ? h('dt', {}, t('outcome')) : null,
        item.outcome ? h('dd', {}, term(item.outcome)) : null,
      ),
      pos && this.host.onLocate
        ? h('button', { class: 'secondary', onclick: () => this.host.onLocate?.(pos) }, t('show_on_map'))
        : null,
    );
  }

  private beneficiary(item: Item): HTMLElement {
    const box = h('div', { class: 'beneficiary' }, h('h3', {}, t('beneficiary')));
    if (item.redacted || !item.details) {
      box.append(h('p', { class: 'protected', 'data-field': 'protected' }, t('protected')));
      return box;
    }
    box.append(h('dl', { class: 'facts' }, ...detailRows(item.details)));
    return box;
  }

  private actions(item: Item, note: string, ticked: Set<string>, outcome?: string): HTMLElement {
    const box = h('div', { class: 'actions' }, h('h3', {}, t('actions')));
    const run = (f: () => Promise<unknown>) => async () => {
      if (this.busy) return;
      this.busy = true;
      this.actionError = '';
      this.render();
      try {
        await f();
      } catch (e) {
        this.actionError = e instanceof ApiError ? e.message : String(e);
      } finally {
        this.busy = false;
        this.render();
      }
    };
    const id = item.id;
    const row = h('div', { class: 'buttons' });
    if (item.status === 'new') {
      row.append(h('button', { class: 'primary', 'data-action': 'acknowledge', disabled: this.busy, onclick: run(() => api.acknowledge(id)) }, t('acknowledge')));
    }
    if (item.status === 'assigned') {
      row.append(h('button', { 'data-action': 'start', disabled: this.busy, onclick: run(() => api.start(id)) }, t('start')));
    }
    box.append(row);
    if (item.status === 'acknowledged' || item.status === 'assigned') {
      // The resources ranked by arrival time, assign and withdraw (assignpanel.ts); the panel
      // keeps its own state across redraws, so the ticked boxes of the old grid are unused.
      void ticked;
      box.append(assignPanelFor(this.el, this.host.state).show(item));
    }
    if (item.status !== 'new' && item.status !== 'closed') {
      const sel = h('select', { name: 'outcome' }, ...OUTCOMES[item.kind].map((o) => h('option', { value: o, selected: o === outcome }, term(o))));
      box.append(
        h(
          'form',
          {
            class: 'close',
            onsubmit: (e: Event) => {
              e.preventDefault();
              void run(() => api.close(id, sel.value))();
            },
          },
          h('label', {}, t('close_with'), ' ', sel),
          h('button', { type: 'submit', 'data-action': 'close', disabled: this.busy }, t('close')),
        ),
      );
    }
    const area = h('textarea', { name: 'note', rows: 2, placeholder: t('note_placeholder') });
    area.value = note;
    box.append(
      h(
        'form',
        {
          class: 'note',
          onsubmit: (e: Event) => {
            e.preventDefault();
            const text = area.value.trim();
            if (!text) return;
            void run(async () => {
              await api.note(id, text);
              const a = this.el.querySelector<HTMLTextAreaElement>('textarea[name=note]');
              if (a) a.value = '';
            })();
          },
        },
        area,
        h('button', { type: 'submit', 'data-action': 'note', disabled: this.busy }, t('add_note')),
      ),
    );
    if (this.actionError) box.append(h('p', { class: 'error', role: 'alert', 'data-field': 'action-error' }, this.actionError));
    return box;
  }

  private notes(item: Item): HTMLElement {
    return h(
      'div',
      { class: 'notes' },
      h('h3', {}, t('notes')),
      item.notes.length
        ? h('ul', {}, ...item.notes.map((n) => h('li', {}, h('span', { class: 'muted' }, `${formatTime(n.at)} ${n.by}: `), value(n.text))))
        : h('p', { class: 'muted' }, t('no_notes')),
    );
  }

  private historyList(): HTMLElement {
    return h(
      'div',
      { class: 'history' },
      h('h3', {}, t('history')),
      h(
        'ol',
        {},
        ...this.history.map((e) =>
          h('li', { 'data-event': e.event.type }, h('span', { class: 'mono muted' }, `#${e.seq} ${formatTime(e.at)} `), describe(e), h('span', { class: 'muted' }, ` — ${e.actor}`)),
        ),
      ),
    );
  }
}

function clockText(left: number): string {
  return left < 0 ? ` ${t('over_by')} ${formatDuration(left)}` : ` ${formatDuration(left)} ${t('left')}`;
}

function describe(e: StoredEvent): string {
  const ev = e.event;
  switch (ev.type) {
    case 'acknowledged':
      return t('ev_acknowledged', { by: ev.by });
    case 'assigned':
      return t('ev_assigned', { r: ev.resources.join(', '), by: ev.by });
    case 'status_changed':
      return t('ev_status', { from: term(ev.from), to: term(ev.to) });
    case 'closed':
      return t('ev_closed', { o: term(ev.outcome) });
    case 'note_added':
      return `${term(ev.type)}: ${value(ev.note.text)}`;
    case 'breached':
      return `${term(ev.type)} (${ev.level})`;
    case 'case_recorded':
      return `${termE('case_recorded')}: ${termE(ev.record.record)}`;
    default:
      return term(ev.type);
  }
}

function value(v: string | undefined | null): string {
  if (v === undefined || v === null || v === '') return '—';
  return v === PROTECTED ? t('protected') : v;
}

function place(p: Place | undefined): string {
  if (!p) return '—';
  if (p.address) return value(p.address);
  if (p.position) return `${p.position.lat.toFixed(5)}, ${p.position.lon.toFixed(5)}`;
  return '—';
}

function detailRows(d: Details): HTMLElement[] {
  const rows: [string, string][] = [];
  switch (d.kind) {
    case 'alert':
      rows.push([t('f_device'), value(d.device_id)], [t('f_alarm_type'), term(d.alarm_type)], [t('f_device_time'), formatDateTime(d.device_time)], [t('f_receiver'), value(d.receiver)]);
      break;
    case 'call':
      rows.push(
        [t('f_caller_number'), value(d.caller_number)],
        [t('f_category'), term(d.category)],
        [t('f_immediate_danger'), d.immediate_danger ? t('yes') : t('no')],
        [t('f_address'), place(d.location)],
      );
      if (d.notes) rows.push([t('f_call_notes'), value(d.notes)]);
      break;
    case 'booking': {
      const needs = Object.entries(d.needs ?? {})
        .filter(([, v]) => v)
        .map(([k]) => t(k as 'wheelchair'))
        .join(', ');
      rows.push(
        [t('f_rider'), value(d.rider)],
        [t('f_pickup'), place(d.pickup)],
        [t('f_dropoff'), place(d.dropoff)],
        [t('f_window'), `${formatDateTime(d.window_start)} – ${formatTime(d.window_end)}`],
        [t('f_needs'), needs || '—'],
      );
      break;
    }
    case 'callback':
      rows.push([t('f_phone'), value(d.phone)], [t('f_reason'), value(d.reason)]);
      break;
    case 'incident':
      rows.push([t('f_reported_by'), value(d.reported_by)], [t('f_description'), value(d.description)]);
      break;
  }
  return rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { class: v === t('protected') ? 'protected' : '' }, v)]);
}
