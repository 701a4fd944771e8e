// Case work in the item detail: categorise a call, refer it to a DAS service, mark it
// 'do not call back / no SMS', schedule a keep-in-contact callback; for an alarm, record the
// follow-up steps (call the beneficiary, the carers in order, send a carer or the team, 112)
// before closing it with an outcome code. Every action is an entry of the case file, which
// the history below shows as it arrives.

import { ApiError } from './api';
import { h } from './dom';
import { errorText, formatDateTime, term } from './i18n';
import { te, termE } from './i18n-emergency';
import type { Item } from './types';

const CATEGORIES = ['abuse', 'neglect', 'exploitation', 'domestic_violence', 'crisis_info', 'information', 'transport', 'sleeping_rough', 'other'];
const STEPS = ['called_beneficiary', 'called_carer', 'carer_sent', 'team_sent', 'called_112'] as const;
const CALLS = new Set(['called_beneficiary', 'called_carer', 'called_112']);

export interface Device {
  device_id: string;
  beneficiary: string;
  address: string;
  phone: string;
  carers: { name: string; phone: string; relation: string }[];
  medical_notes: string;
  access_notes: string;
  key_safe: string;
  battery_pct: number | null;
}

/** Devices already read in this page (each read is audited, so once is enough). */
const devices = new Map<string, Device | 'refused'>();
const deviceLoads = new Map<string, Promise<void>>();

/** The TeleAsistență record of a device (beneficiary, carers in call order, notes), read once per
 * page; `undefined` while it loads (then `rerender` runs), 'refused' when the viewer may not. */
export function deviceRecord(id: string, rerender: () => void): Device | 'refused' | undefined {
  const d = devices.get(id);
  if (!d) loadDevice(id, rerender);
  return d;
}

function loadDevice(id: string, rerender: () => void): void {
  if (devices.has(id) || deviceLoads.has(id)) return;
  deviceLoads.set(
    id,
    fetch(`/api/v1/teleasistenta/devices/${encodeURIComponent(id)}`, { credentials: 'same-origin' })
      .then(async (r) => {
        devices.set(id, r.ok ? ((await r.json()) as { device: Device }).device : 'refused');
        rerender();
      })
      .catch(() => undefined),
  );
}

interface Lookup {
  devices: Device[];
  history: Item[];
}

/** Who a caller's number belongs to, and their earlier items, per number (read once, audited). */
const lookups = new Map<string, Lookup | 'refused'>();
const lookupLoads = new Set<string>();

function loadLookup(phone: string, rerender: () => void): void {
  if (lookups.has(phone) || lookupLoads.has(phone)) return;
  lookupLoads.add(phone);
  fetch(`/api/v1/teleasistenta/lookup?phone=${encodeURIComponent(phone)}`, { credentials: 'same-origin' })
    .then(async (r) => {
      lookups.set(phone, r.ok ? ((await r.json()) as Lookup) : 'refused');
      rerender();
    })
    .catch(() => undefined);
}

let services: { id: string; name: string }[] | null = null;
let servicesLoading: Promise<void> | null = null;

async function post(path: string, body: unknown): Promise<void> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const e = ((await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; field?: string; reason?: string } }).error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.field, e?.reason);
  }
}

/** Records a follow-up step (a call to a carer, answered or not, …) in the case file. */
export function recordStep(itemId: string, body: { step: string; answered?: boolean; note?: string }): Promise<void> {
  return post(`/api/v1/items/${itemId}/steps`, body);
}

/** The case-work box for an item, or nothing when it offers none (closed, redacted, other kinds). */
export function caseActions(item: Item, rerender: () => void): HTMLElement | null {
  if (item.redacted || item.status === 'closed' || !item.details) return null;
  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'casework-status' });
  const run = (path: string, body: unknown) => async () => {
    status.textContent = '…';
    try {
      await post(`/api/v1/items/${item.id}/${path}`, body);
      status.textContent = te('saved');
    } catch (e) {
      status.textContent = errorText(e);
      status.className = 'error';
    }
  };
  const box = h('div', { class: 'casework' }, h('h3', {}, te('followup')));
  if (item.details.kind === 'call') {
    const cat = h('select', { name: 'category' }, ...CATEGORIES.map((c) => h('option', { value: c, selected: c === item.category }, term(c))));
    const svc = h('select', { name: 'service' });
    const fill = () => svc.replaceChildren(...(services ?? []).map((s) => h('option', { value: s.id }, s.name)));
    if (services) fill();
    else {
      servicesLoading ??= fetch('/api/v1/referrals/services', { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.json() : { services: [] }))
        .then((j: { services: { id: string; name: string }[] }) => {
          services = j.services;
        })
        .catch(() => undefined);
      void servicesLoading.then(() => {
        fill();
        rerender();
      });
    }
    const phone = item.details.caller_number;
    if (phone && phone !== 'withheld' && phone !== '***') {
      const known = lookups.get(phone);
      if (!known) loadLookup(phone, rerender);
      if (known && known !== 'refused') {
        const earlier = known.history.filter((i) => i.id !== item.id);
        box.append(
          h(
            'div',
            { class: 'known-caller', 'data-field': 'known-caller' },
            ...known.devices.map((d) =>
              h('p', {}, d.phone === phone ? te('known_beneficiary', { name: d.beneficiary, device: d.device_id }) : te('known_carer', { beneficiary: d.beneficiary, device: d.device_id })),
            ),
            earlier.length
              ? h('ul', { class: 'caller-history' }, ...earlier.slice(0, 5).map((i) => h('li', {}, `${formatDateTime(i.times.received)} · ${termE(i.category)} · ${term(i.status)}`)))
              : h('p', { class: 'muted' }, te('no_history')),
          ),
        );
      }
    }
    const minutes = h('input', { name: 'follow_up_minutes', type: 'number', min: 0, value: 60 });
    // Through the CSSOM: the Content-Security-Policy refuses inline `style` attributes.
    minutes.style.width = '5em';
    box.append(
      h('div', { class: 'row' }, h('label', {}, `${te('categorise')} `, cat), h('button', { 'data-action': 'categorise', onclick: () => void run('categorise', { category: cat.value })() }, te('set_category'))),
      h('div', { class: 'row' }, h('label', {}, `${te('refer_to')} `, svc), h('button', { 'data-action': 'refer', onclick: () => void run('referrals', { service: svc.value })() }, te('refer'))),
      h('div', { class: 'row' }, h('label', {}, `${te('follow_up_in')} `, minutes), h('button', { 'data-action': 'follow-up', onclick: () => void run('follow-ups', { in_s: Math.max(0, Number(minutes.value) || 0) * 60 })() }, te('schedule'))),
      h('div', { class: 'row' }, h('button', { class: 'secondary danger', 'data-action': 'safe-contact', onclick: () => void run('safe-contact', {})() }, te('safe_contact'))),
    );
  } else if (item.details.kind === 'alert') {
    // The beneficiary, the carers and their call buttons are at the top of the detail (the
    // person first); here only the steps of the follow-up.
    box.append(
      h('div', { class: 'muted' }, te('steps')),
      h(
        'div',
        { class: 'buttons steps' },
        ...STEPS.flatMap((s) =>
          CALLS.has(s)
            ? [
                h('button', { class: 'secondary', 'data-step': s, 'data-answered': 'true', onclick: () => void run('steps', { step: s, answered: true })() }, `${te(`s_${s}`)} — ${te('answered')}`),
                h('button', { class: 'secondary', 'data-step': s, 'data-answered': 'false', onclick: () => void run('steps', { step: s, answered: false })() }, `${te(`s_${s}`)} — ${te('not_answered')}`),
              ]
            : [h('button', { class: 'secondary', 'data-step': s, onclick: () => void run('steps', { step: s })() }, te(`s_${s}`))],
        ),
      ),
    );
  } else if (item.details.kind === 'callback') {
    box.append(h('p', { class: 'muted' }, termE(item.details.reason)), h('button', { class: 'secondary danger', 'data-action': 'safe-contact', onclick: () => void run('safe-contact', {})() }, te('safe_contact')));
  } else {
    return null;
  }
  box.append(status);
  return box;
}
