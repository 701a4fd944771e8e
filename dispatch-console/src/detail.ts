// The item detail, the person first: who, where, how to reach them and their carers (with call
// buttons), then why this priority, the actions, the case work, notes and the history in words.
// The item itself comes from the live state, so another dispatcher's acknowledgement shows here
// at once; the history is fetched once per opening and then extended by the live events.
// The server decides what a viewer may see: a 403 is shown as a refusal, and a redacted item
// shows "date protejate" instead of personal fields.

import { outcomeText, ts } from './i18n-services';
import { ApiError, api } from './api';
import { assignPanelFor } from './assignpanel';
import { caseActions, deviceRecord, recordStep } from './casework';
import { te, termE } from './i18n-emergency';
import { clear, h } from './dom';
import { explain, levelText } from './explain';
import { errorText, formatDateTime, formatDuration, formatTime, reporter, t, term } from './i18n';
import type { LiveState } from './state';
import { queueOrder } from './state';
import { channel, phoneText, what, where, who } from './subject';
import type { CaseRecord, Details, Item, LonLat, Place, StoredEvent } from './types';
import { OUTCOMES, itemPosition } from './types';
import { outreachPanel } from './outreach';

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
  private loading: Promise<void> = Promise.resolve();
  /** What a call button started ("Apel în curs către …") or why it was refused. */
  private dialNote = '';

  constructor(private readonly host: DetailHost) {
    this.render();
  }

  get current(): string | null {
    return this.id;
  }

  /** Resolves once the item being opened is drawn (for the hotkeys that act on it). */
  ready(): Promise<void> {
    return this.loading;
  }

  /** A short message under the actions (a hotkey that had nothing to act on). */
  flash(text: string): void {
    this.actionError = text;
    this.render();
  }

  show(id: string | null): Promise<void> {
    this.loading = this.load(id);
    return this.loading;
  }

  private async load(id: string | null): Promise<void> {
    this.dialNote = '';
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
      this.refusal = { status: e instanceof ApiError ? e.status : 0, message: errorText(e) };
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
    delete this.el.dataset.itemId;
    delete this.el.dataset.status;
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
      this.person(item),
      this.summary(item),
      this.actions(item, note, ticked, outcome),
      caseActions(item, () => this.render()) ?? '',
      outreachPanel(item, this.host.state, () => this.render()) ?? '',
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

  /** Who and where, first: the name, address, phone, device, the medical and access notes, the
   * key safe and the carers in call order, each with a call button. */
  private person(item: Item): HTMLElement {
    const left = Date.parse(item.deadline) - Date.now();
    const ch = channel(item);
    const top = h(
      'div',
      { class: 'title-line' },
      h('span', { class: `level level-${item.priority.level}` }, item.priority.level),
      h('span', { class: `person-name${item.redacted ? ' protected' : ''}`, 'data-field': 'person-name' }, who(item)),
      h('span', { class: `status status-${item.status}`, 'data-field': 'status' }, term(item.status)),
      item.status === 'new' ? h('span', { class: 'clock', 'data-deadline': item.deadline }, clockText(left)) : null,
      item.breached ? h('span', { class: 'breach-flag' }, t('breached')) : null,
      item.arrival?.breached && !item.arrival.arrived ? h('span', { class: 'breach-flag', 'data-field': 'arrival-breached' }, termE('arrival_breached')) : null,
      item.rate_limited ? h('span', { class: 'rate-flag', title: t('rate_limited_hint') }, t('rate_limited')) : null,
    );
    const box = h(
      'div',
      { class: `person${ch === 'sms' ? ' sms' : ''}`, 'data-field': 'person' },
      top,
      h('div', { class: 'what-line' }, h('span', { class: 'category' }, what(item)), (item.repeats ?? 0) > 0 ? h('span', { class: 'repeats', 'data-repeats': 1 + (item.repeats ?? 0) }, ` ${t('rep_total', { n: 1 + (item.repeats ?? 0) })}`) : null, (item.repeats_unseen ?? 0) > 0 ? h('span', { class: 'unseen' }, ` ${t('rep_unseen', { n: item.repeats_unseen ?? 0 })}`) : null),
    );
    if (item.redacted || !item.details) {
      box.append(h('p', { class: 'protected', 'data-field': 'protected' }, t('protected')));
      return box;
    }
    const d = item.details;
    const deviceId = d.kind === 'alert' ? d.device_id : item.subject?.device_id;
    const device = deviceId ? deviceRecord(deviceId, () => this.render()) : undefined;
    const rec = device && device !== 'refused' ? device : undefined;
    const facts: [string, Node | string, string?][] = [];
    const address = where(item, false) || rec?.address;
    if (address) facts.push([t('f_address'), address, 'address']);
    // The number to call: the caller's for a call, the beneficiary's for an alarm.
    const phone = d.kind === 'call' ? d.caller_number : d.kind === 'callback' ? d.phone : item.subject?.phone ?? rec?.phone;
    const target = d.kind === 'call' || d.kind === 'callback' ? 'caller' : d.kind === 'alert' ? 'beneficiary' : undefined;
    if (phone || target) {
      facts.push([
        t('f_phone'),
        h(
          'span',
          {},
          phoneText(phone) || '—',
          ' ',
          target && phone && phone !== 'withheld' && item.status !== 'closed'
            ? h('button', { class: 'call', type: 'button', 'data-action': `dial-${target}`, onclick: () => void this.dial(item.id, target, undefined, phoneText(phone)) }, target === 'caller' ? t('dial_caller') : t('dial_beneficiary'))
            : null,
        ),
        'phone',
      ]);
    }
    if (deviceId) facts.push([t('f_device'), deviceId, 'device']);
    if (d.kind === 'call') {
      facts.push([t('f_channel'), term(ch)]);
      if (d.reporter && d.reporter !== 'unknown') facts.push([t('f_reporter'), term(d.reporter)]);
      facts.push([t('f_immediate_danger'), d.immediate_danger ? t('yes') : t('no')]);
      if (d.notes) facts.push([t('f_call_notes'), value(d.notes)]);
    }
    if (d.kind === 'alert') facts.push([t('f_alarm_type'), term(d.alarm_type)], [t('f_device_time'), formatDateTime(d.device_time)]);
    if (d.kind === 'callback' && d.reason) facts.push([t('f_reason'), termE(d.reason)]);
    if (d.kind === 'booking' || d.kind === 'incident') {
      for (const [k, v] of detailRows(d)) facts.push([k, v]);
    }
    if (rec?.medical_notes) facts.push([t('f_medical'), rec.medical_notes, 'medical']);
    if (rec?.access_notes) facts.push([t('f_access'), rec.access_notes, 'access']);
    if (rec?.key_safe) facts.push([t('f_key_safe'), rec.key_safe, 'key-safe']);
    box.append(h('dl', { class: 'facts', 'data-device': rec?.device_id ?? null }, ...facts.flatMap(([k, v, f]) => [h('dt', {}, k), h('dd', { 'data-field': f ?? null }, v)])));
    if (rec) {
      box.classList.add('device');
      box.dataset.device = rec.device_id;
      box.append(
        h('h3', {}, t('carers')),
        h(
          'ol',
          { class: 'carers' },
          ...rec.carers.map((c, n) =>
            h(
              'li',
              { 'data-carer': n + 1 },
              h('span', { class: 'carer-name' }, c.name),
              ` (${c.relation}) `,
              h('span', { class: 'mono' }, c.phone),
              ' ',
              item.status !== 'closed'
                ? h('button', { class: 'call', type: 'button', 'data-action': 'dial-carer', 'data-carer': n + 1, onclick: () => void this.dial(item.id, 'carer', n + 1, c.name) }, t('dial'))
                : null,
              item.status !== 'closed'
                ? h('span', { class: 'carer-answer' },
                    h('button', { class: 'secondary', type: 'button', onclick: () => void this.step(item.id, { step: 'called_carer', answered: true, note: `${n + 1}. ${c.name}` }) }, t('answered')),
                    h('button', { class: 'secondary', type: 'button', onclick: () => void this.step(item.id, { step: 'called_carer', answered: false, note: `${n + 1}. ${c.name}` }) }, t('not_answered')),
                  )
                : null,
            ),
          ),
        ),
      );
    }
    const pos = itemPosition(item);
    if (pos && this.host.onLocate) box.append(h('button', { class: 'secondary', type: 'button', 'data-action': 'show-on-map', onclick: () => this.host.onLocate?.(pos) }, t('show_on_map')));
    if (this.dialNote) box.append(h('p', { class: 'dial-note', role: 'status', 'data-field': 'dial-note' }, this.dialNote));
    return box;
  }

  private async dial(id: string, target: 'caller' | 'beneficiary' | 'carer', carer: number | undefined, whom: string): Promise<void> {
    this.dialNote = '…';
    this.render();
    try {
      await api.dial(id, target, carer);
      this.dialNote = t('dial_queued', { who: whom });
    } catch (e) {
      this.dialNote = errorText(e);
    }
    this.render();
  }

  private async step(id: string, body: { step: string; answered?: boolean; note?: string }): Promise<void> {
    try {
      await recordStep(id, body);
      this.dialNote = te('saved');
    } catch (e) {
      this.dialNote = errorText(e);
    }
    this.render();
  }

  private summary(item: Item): HTMLElement {
    const ordered = this.host.state ? queueOrder(this.host.state.items.values()) : [];
    const why = explain(ordered, item.id);
    return h(
      'div',
      { class: 'summary' },
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('why_level')),
        h('dd', { 'data-field': 'why-level' }, why?.level ?? levelText(item)),
        why ? h('dt', {}, t('why_position')) : null,
        why ? h('dd', { 'data-field': 'why-position' }, `#${why.index} — ${why.position}`) : null,
        h('dt', {}, t('received')),
        h('dd', {}, formatDateTime(item.times.received)),
        h('dt', {}, t('deadline')),
        h('dd', {}, `${formatTime(item.deadline)} (${t('respond_within')} ${formatDuration(item.priority.respond_within_s * 1000)})`),
        h('dt', {}, t('handler')),
        h('dd', { 'data-field': 'handler' }, item.handler ?? '—'),
        h('dt', {}, t('assigned_to')),
        h('dd', { 'data-field': 'assigned' }, item.assigned_to.join(', ') || '—'),
        item.outcome ? h('dt', {}, t('outcome')) : null,
        item.outcome ? h('dd', {}, term(item.outcome)) : null,
      ),
    );
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
        this.actionError = errorText(e);
      } finally {
        this.busy = false;
        this.render();
      }
    };
    const id = item.id;
    const row = h('div', { class: 'buttons' });
    // A new item, or one already taken with new repeats since: acknowledging marks them seen.
    if (item.status === 'new' || ((item.repeats_unseen ?? 0) > 0 && item.status !== 'closed')) {
      row.append(h('button', { class: 'primary', 'data-action': 'acknowledge', disabled: this.busy, onclick: run(() => api.acknowledge(id)) }, item.status === 'new' ? t('acknowledge') : t('ack_repeats', { n: item.repeats_unseen ?? 0 })));
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
          h('li', { 'data-event': e.event.type }, h('span', { class: 'mono muted' }, `${formatTime(e.at)} `), describe(e), h('span', { class: 'muted' }, ` — ${e.actor}`)),
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
    case 'item_created':
      return t('ev_created', { what: `${ev.item.priority.level} ${what(ev.item)}` });
    case 'item_pushed':
      return t('ev_pushed');
    case 'acknowledged':
      return t('ev_acknowledged', { by: ev.by });
    case 'assigned':
      return t('ev_assigned', { r: ev.resources.join(', '), by: ev.by });
    case 'status_changed':
      return t('ev_status', { from: term(ev.from), to: term(ev.to) });
    case 'closed':
      return t('ev_closed', { o: term(ev.outcome) });
    case 'note_added':
      return t('ev_note', { text: value(ev.note.text) });
    case 'breached':
      return t('ev_breached', { level: ev.level });
    case 'repeated':
      return t('ev_repeated', { type: term(ev.alarm_type) });
    case 'repeats_seen':
      return t('ev_repeats_seen', { by: ev.by });
    case 'reprioritised':
      return t('ev_reprioritised', { level: ev.priority.level, why: levelText({ priority: ev.priority } as Item) });
    case 'handler_changed':
      return t('ev_handler_changed', { from: ev.from ?? t('nobody'), to: ev.to ?? t('nobody'), by: ev.by });
    case 'unassigned':
      return t('ev_unassigned', { r: ev.resources.join(', '), by: ev.by });
    case 'case_recorded':
      return record(ev.record);
    case 'arrival_breached':
      return termE('arrival_breached');
    default:
      return term(ev.type);
  }
}

/** A case-file entry in words: which step and what answer, which category, which service. */
function record(r: CaseRecord): string {
  const s = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : '');
  const answered = r.answered === true ? te('answered') : r.answered === false ? te('not_answered') : '';
  switch (r.record) {
    case 'categorised':
      return `${termE('categorised')}: ${termE(s('category'))}`;
    case 'step': {
      const step = s('step');
      if (step === 'dial_requested') {
        // The note is whom: `caller`, `beneficiary` or `carer:N` (never the number).
        const carer = /^carer:(\d+)$/.exec(s('note'));
        return `${te('dial_requested')}: ${carer ? te('dial_carer_n', { n: carer[1] }) : termE(s('note'))}`;
      }
      const name = ['called_beneficiary', 'called_carer', 'carer_sent', 'team_sent', 'called_112'].includes(step) ? te(`s_${step}` as 's_called_carer') : termE(step);
      return [name, answered, s('note')].filter(Boolean).join(' — ');
    }
    case 'call_status':
      return `${termE('call_status')}: ${termE(s('status'))}`;
    case 'referred':
    case 'referral_acknowledged':
      return `${termE(r.record)}: ${s('service')}`;
    case 'referral_overdue':
      return `${ts('referral_overdue')}: ${s('service')}`;
    case 'referral_outcome':
      return `${ts('referral_outcome')}: ${s('service')} — ${outcomeText(s('outcome'), s('reason') || null)}${s('note') ? `: ${s('note')}` : ''}`;
    case 'follow_up_scheduled':
      return `${termE(r.record)}: ${formatDateTime(s('due'))}`;
    case 'safe_contact':
      return te('safe_contact_done');
    case 'risk_assessed':
      return te('risk_level', { level: te(`risk_${s('level')}` as 'risk_low'), score: String(r.score ?? '') });
    case 'measure':
      return `${termE('measure')}: ${te(`m_${s('measure')}` as 'm_called_112')}${s('note') ? ` — ${s('note')}` : ''}`;
    case 'report':
      return `${termE('report')}: ${s('text')}`;
    case 'withheld':
      return `${termE('case_recorded')} (${t('protected')}): ${termE(s('of'))}`;
    default: {
      // An outbound call (the call buttons) and any newer entry: its name and its codes.
      const extra = ['target', 'status', 'outcome'].map((k) => s(k)).filter(Boolean).map((v) => termE(v));
      return [termE(r.record), ...extra].join(' — ');
    }
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

function detailRows(d: Details): [string, string][] {
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
      rows.push([t('f_reported_by'), value(d.reported_by && d.reported_by !== PROTECTED ? reporter(d.reported_by) : d.reported_by)], [t('f_description'), value(d.description)]);
      break;
  }
  return rows;
}
