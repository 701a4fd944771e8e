// The EMIU procedure on the case page (issue 17): hazards at the address first (a team walking
// in must not miss them), the police's request with its clock to arrival, the children present,
// protection orders and legal steps, and closing the case with an outcome. Each box posts to its
// route and the page reloads the case; the server decides who may do what.

import { ApiError } from './api';
import { h } from './dom';
import { formatTime } from './i18n';
import { te, termE, type EKey } from './i18n-emergency';
import type { CaseRecord, Item } from './types';

export interface Hazard {
  id: string;
  item_id: string;
  hazard: string;
  note: string;
  created_by: string;
  created_at: string;
}

export type FileEntry = { seq: number; at: string; actor: string; record: CaseRecord };
export type Act = (path: string, body: unknown) => Promise<void>;

export const HAZARDS = ['dog', 'weapons', 'aggressive_relative', 'drugs', 'infection', 'other'] as const;
export const LEGAL_STEPS = ['criminal_complaint', 'forensic_certificate', 'prosecutor_notice', 'court_notice'] as const;
export const EMIU_OUTCOMES = ['victim_placed', 'safety_plan', 'referred_services', 'police_took_over', 'medical_care', 'victim_declined', 'not_found', 'other'] as const;

const records = (file: FileEntry[], tag: string): FileEntry[] => file.filter((e) => e.record.record === tag);
const today = (): string => new Date().toISOString().slice(0, 10);

/** A refusal in the page's own words: by its reason, else by the field it names. */
export function refusalText(e: unknown): string {
  if (!(e instanceof ApiError)) return te('err_generic');
  const byReason = e.reason ? (`err_${e.reason}` as EKey) : null;
  if (byReason && te(byReason, {}, true)) return te(byReason);
  if (e.status === 403) return te('refused_text');
  if (e.field) return te('err_field', { field: te(`f_${e.field}` as EKey, {}, true) || e.field });
  return te('err_generic');
}

/** The hazards noted at the address (this case or an earlier one there). */
export function hazardBanner(hazards: Hazard[]): HTMLElement | string {
  if (!hazards.length) return '';
  return h(
    'div',
    { class: 'hazard-banner', role: 'alert', 'data-field': 'hazards' },
    h('strong', {}, `⚠ ${te('hz_title')}`),
    h(
      'ul',
      {},
      ...hazards.map((z) =>
        h('li', { 'data-hazard': z.hazard }, h('b', {}, te(`hz_${z.hazard}` as EKey)), z.note ? ` — ${z.note}` : '', h('span', { class: 'muted' }, ` (${formatTime(z.created_at)})`)),
      ),
    ),
  );
}

/** Hours and minutes, the way a deadline is said aloud ("02:11"). */
function hhmm(iso: string): string {
  return formatTime(iso).slice(0, 5);
}

/** Minutes from now to `iso`, rounded down (negative when past). */
function minutesLeft(iso: string): number {
  return Math.floor((Date.parse(iso) - Date.now()) / 60_000);
}

/** The words of the arrival clock now; the page refreshes them every 15 s. */
export function arrivalLeftText(item: Item): string {
  const a = item.arrival;
  if (!a) return '';
  if (a.arrived) return te('arrival_arrived', { at: hhmm(a.arrived) });
  if (a.breached) return te('arrival_breached', { at: hhmm(a.due) });
  const left = minutesLeft(a.due);
  return left >= 0 ? te('arrival_left', { min: left, at: hhmm(a.due) }) : te('arrival_late', { min: -left });
}

export function policeBox(item: Item, file: FileEntry[], act: Act): HTMLElement {
  const id = item.id;
  const base = `/api/v1/emiu/cases/${id}`;
  const box = h('div', { class: 'procedure police', 'data-field': 'police' }, h('h3', {}, te('police_title')));
  const request = records(file, 'police_request').at(-1)?.record;
  const a = item.arrival;
  if (!a || !request) {
    const opp = h('input', { name: 'opp_number', maxlength: 64, placeholder: te('opp_number') }) as HTMLInputElement;
    const accommodation = h('input', { type: 'checkbox', name: 'accommodation_requested' }) as HTMLInputElement;
    box.append(
      h(
        'form',
        {
          class: 'police-request',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void act(`${base}/police-request`, { opp_number: opp.value.trim(), accommodation_requested: accommodation.checked });
          },
        },
        h('p', { class: 'muted' }, te('police_hint')),
        h('label', {}, te('opp_number'), ' ', opp),
        h('label', { class: 'pick' }, accommodation, ` ${te('accommodation_requested')}`),
        h('button', { type: 'submit', class: 'primary', 'data-action': 'police-request' }, te('police_start')),
      ),
    );
    return box;
  }
  const state = a.arrived ? 'arrived' : a.breached ? 'breached' : 'running';
  box.append(
    h(
      'div',
      { class: `arrival arrival-${state}`, 'data-field': 'arrival', 'data-state': state },
      h('div', { class: 'arrival-left', 'data-field': 'arrival-left' }, arrivalLeftText(item)),
      h('div', { class: 'muted' }, te('arrival_notified', { at: hhmm(a.notified) }), request.opp_number ? ` · ${te('opp_short')} ${String(request.opp_number)}` : ''),
    ),
  );
  if (!a.arrived) {
    box.append(h('button', { class: 'primary big', 'data-action': 'on-scene', onclick: () => void act(`${base}/on-scene`, {}) }, te('on_scene_now')));
  }
  if (request.accommodation_requested) {
    const done = records(file, 'aggressor_accommodated').at(-1)?.record;
    if (done) {
      box.append(h('p', { 'data-field': 'accommodation' }, `${te('accommodation_done')}: ${String(done.place)}`));
    } else {
      const place = h('input', { name: 'accommodation_place', maxlength: 300, placeholder: te('accommodation_place') }) as HTMLInputElement;
      box.append(
        h(
          'form',
          {
            class: 'accommodation',
            onsubmit: (e: Event) => {
              e.preventDefault();
              if (place.value.trim()) void act(`${base}/aggressor-accommodation`, { place: place.value.trim() });
            },
          },
          h('label', {}, te('accommodation_requested_by_police'), ' ', place),
          h('button', { type: 'submit', 'data-action': 'accommodation' }, te('save')),
        ),
      );
    }
  }
  return box;
}

export function hazardForm(id: string, act: Act): HTMLElement {
  const kind = h('select', { name: 'hazard' }, ...HAZARDS.map((z) => h('option', { value: z }, te(`hz_${z}` as EKey)))) as HTMLSelectElement;
  const note = h('input', { name: 'hazard_note', maxlength: 500, placeholder: te('hazard_note') }) as HTMLInputElement;
  return h(
    'form',
    {
      class: 'procedure hazard-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void act(`/api/v1/emiu/cases/${id}/hazards`, { hazard: kind.value, note: note.value.trim() });
      },
    },
    h('h3', {}, te('hazard_add_title')),
    h('div', { class: 'row' }, kind, note),
    h('button', { type: 'submit', 'data-action': 'hazard' }, te('hazard_add')),
  );
}

export function childrenBox(id: string, present: number | null | undefined, act: Act): HTMLElement {
  const count = h('input', { type: 'number', name: 'children', min: 0, max: 30, value: String(present ?? 0) }) as HTMLInputElement;
  return h(
    'form',
    {
      class: 'procedure children',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void act(`/api/v1/emiu/cases/${id}/children`, { count: Number(count.value) });
      },
    },
    h('label', {}, te('children_present'), ' ', count),
    h('button', { type: 'submit', 'data-action': 'children' }, te('save')),
  );
}

export function ordersBox(id: string, file: FileEntry[], act: Act): HTMLElement {
  const base = `/api/v1/emiu/cases/${id}`;
  const orders = records(file, 'protection_order');
  const steps = records(file, 'legal_step');
  const kind = h('select', { name: 'order' }, h('option', { value: 'opp' }, te('order_opp')), h('option', { value: 'op' }, te('order_op'))) as HTMLSelectElement;
  const number = h('input', { name: 'order_number', maxlength: 64, required: true }) as HTMLInputElement;
  const issued = h('input', { type: 'date', name: 'issued_on', value: today(), required: true }) as HTMLInputElement;
  const expires = h('input', { type: 'date', name: 'expires_on', required: true }) as HTMLInputElement;
  const people = h('input', { name: 'people_covered', placeholder: te('people_hint') }) as HTMLInputElement;
  const minors = h('input', { type: 'number', name: 'minors', min: 0, max: 20, value: '0' }) as HTMLInputElement;
  const step = h('select', { name: 'legal_step' }, ...LEGAL_STEPS.map((s) => h('option', { value: s }, te(`ls_${s}` as EKey)))) as HTMLSelectElement;
  const stepDate = h('input', { type: 'date', name: 'step_date', value: today() }) as HTMLInputElement;
  const reference = h('input', { name: 'reference', maxlength: 100, placeholder: te('reference') }) as HTMLInputElement;
  return h(
    'div',
    { class: 'procedure legal', 'data-field': 'legal' },
    h('h3', {}, te('orders_title')),
    orders.length
      ? h('ul', { class: 'orders' }, ...orders.map((o) => h('li', { 'data-order': String(o.record.number) }, describeProcedure(o.record))))
      : h('p', { class: 'muted' }, te('orders_none')),
    h(
      'form',
      {
        class: 'order-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const covered = people.value.split(',').map((p) => p.trim()).filter(Boolean);
          void act(`${base}/protection-orders`, {
            order: kind.value,
            number: number.value.trim(),
            issued_on: issued.value,
            expires_on: expires.value,
            people_covered: covered,
            minors: Number(minors.value),
          });
        },
      },
      h('div', { class: 'grid2' }, h('label', {}, te('order_kind'), kind), h('label', {}, te('order_number'), number), h('label', {}, te('issued_on'), issued), h('label', {}, te('expires_on'), expires), h('label', {}, te('people_covered'), people), h('label', {}, te('minors'), minors)),
      h('button', { type: 'submit', 'data-action': 'protection-order' }, te('order_add')),
    ),
    h('h3', {}, te('legal_title')),
    steps.length ? h('ul', { class: 'legal-steps' }, ...steps.map((s) => h('li', { 'data-step': String(s.record.step) }, describeProcedure(s.record)))) : '',
    h(
      'form',
      {
        class: 'legal-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void act(`${base}/legal-steps`, { step: step.value, date: stepDate.value, reference: reference.value.trim() });
        },
      },
      h('div', { class: 'grid2' }, h('label', {}, te('legal_step'), step), h('label', {}, te('date'), stepDate), h('label', {}, te('reference'), reference)),
      h('button', { type: 'submit', 'data-action': 'legal-step' }, te('legal_add')),
    ),
  );
}

export function closeBox(id: string, act: Act): HTMLElement {
  const outcome = h('select', { name: 'emiu_outcome' }, ...EMIU_OUTCOMES.map((o) => h('option', { value: o }, te(`eo_${o}` as EKey)))) as HTMLSelectElement;
  const report = h('textarea', { name: 'close_report', rows: 3, placeholder: te('report_placeholder') }) as HTMLTextAreaElement;
  return h(
    'form',
    {
      class: 'procedure close-case',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void act(`/api/v1/emiu/cases/${id}/close`, { outcome: outcome.value, report: report.value.trim() });
      },
    },
    h('h3', {}, te('close_title')),
    h('label', {}, te('close_outcome'), ' ', outcome),
    report,
    h('button', { type: 'submit', class: 'danger', 'data-action': 'close-case' }, te('close_case')),
  );
}

/** A record of the procedure in the case file, in words; `null` for another kind. */
export function describeProcedure(r: CaseRecord): string | null {
  switch (r.record) {
    case 'police_request':
      return `${te('police_title')}${r.opp_number ? ` (${te('opp_short')} ${String(r.opp_number)})` : ''}: ${te('arrive_by', { at: hhmm(String(r.arrive_by)) })}${r.accommodation_requested ? ` · ${te('accommodation_requested')}` : ''}`;
    case 'on_scene':
      return te('arrival_arrived', { at: hhmm(String(r.at)) });
    case 'aggressor_accommodated':
      return `${te('accommodation_done')}: ${String(r.place)}`;
    case 'protection_order':
      return te('order_line', {
        kind: te(r.order === 'op' ? 'order_op' : 'order_opp'),
        number: String(r.number),
        issued: String(r.issued_on),
        expires: String(r.expires_on),
        remind: String(r.remind_on),
        people: ((r.people_covered as string[] | undefined) ?? []).join(', ') || '—',
        minors: String(r.minors ?? 0),
      });
    case 'legal_step':
      return `${te(`ls_${String(r.step)}` as EKey)} — ${String(r.date)}${r.reference ? ` (${String(r.reference)})` : ''}`;
    case 'hazard_noted':
      return `⚠ ${te(`hz_${String(r.hazard)}` as EKey)}${r.note ? ` — ${String(r.note)}` : ''}`;
    case 'children_present':
      return `${te('children_present')}: ${String(r.count)}`;
    default:
      return null;
  }
}

/** Words of a withheld record's kind, for a viewer who sees the case redacted. */
export function procedureTerm(tag: string): string {
  return termE(tag);
}
