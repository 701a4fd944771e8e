// What the rider answered by SMS to a trip's confirmation or reminder (`sms_answer` of the trip:
// DA confirmed it, NU / ANULEZ cancelled it), in the planner's words: a cell of the trips table,
// a line of the trip panel, and the trip's history (booked, answered, the driver's steps,
// cancelled), oldest first.

import { h } from '../dom';
import { formatDateTime, formatTime } from '../i18n';
import type { TripView } from './api';
import { tt, type TKey } from './i18n';

/** The answer in words (with its time), or "no answer yet" for a trip still to be driven. */
export function answerText(t: TripView, long = false): string {
  const a = t.sms_answer;
  if (a) return tt(a.answer === 'confirmed' ? 'ans_confirmed' : 'ans_cancelled', { at: long ? formatDateTime(a.at) : formatTime(a.at).slice(0, 5) });
  return t.status === 'booked' ? tt('ans_none') : '—';
}

/** The trips table's cell: a tick for a confirmation, a cross for a cancellation. */
export function answerCell(t: TripView): HTMLElement {
  const a = t.sms_answer?.answer ?? 'none';
  const mark = a === 'confirmed' ? '✓ ' : a === 'cancelled' ? '✗ ' : '';
  return h('td', { class: `sms-answer ${a}`, 'data-field': 'sms-answer', 'data-answer': a }, mark + answerText(t));
}

/** Who did it, in words: the rider by SMS, a driver, or an account name. */
function who(by: string | undefined): string {
  if (!by) return '';
  if (by === 'sms') return tt('by_sms');
  if (by.startsWith('driver:')) return `${tt('by_driver')} ${by.slice('driver:'.length)}`;
  return by;
}

/** The trip's history, oldest first. */
export function tripHistory(t: TripView): HTMLElement {
  const lines: [string, string, string][] = [];
  const add = (at: string | null | undefined, kind: string, text: string) => {
    if (at) lines.push([at, kind, text]);
  };
  add(t.booked_at, 'booked', tt('h_booked', { by: who(t.booked_by) }));
  if (t.sms_answer) add(t.sms_answer.at, `sms-${t.sms_answer.answer}`, tt(t.sms_answer.answer === 'confirmed' ? 'h_confirmed' : 'h_cancelled_sms'));
  add(t.arrived_at, 'arrived', tt('h_arrived'));
  add(t.picked_up_at, 'picked_up', tt('h_picked_up'));
  add(t.dropped_off_at, 'dropped_off', tt('h_dropped_off'));
  const c = t.cancellation;
  if (c) add(c.at, 'cancelled', tt('h_cancelled', { by: who(c.by), why: tt(`c_${c.reason}` as TKey) }));
  lines.sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
  return h(
    'div',
    { class: 'trip-history' },
    h('h4', {}, tt('trip_history')),
    h('ol', { 'data-field': 'trip-history' }, ...lines.map(([at, kind, text]) => h('li', { 'data-kind': kind }, h('span', { class: 'muted' }, formatDateTime(at)), ` ${text}`))),
  );
}
