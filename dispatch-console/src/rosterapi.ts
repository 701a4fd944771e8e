// The roster API (`/api/v1/roster/...`) as the console uses it.

import { ApiError } from './api';

export interface Member {
  username: string;
  display_name: string;
  has_phone: boolean;
}
export interface Shift {
  id: string;
  starts_at: string;
  ends_at: string;
  lead: string;
  members: Member[];
  created_by: string;
}
export interface Duty {
  at: string;
  on_duty: Shift[];
  people: string[];
  phones: number;
  next: Shift | null;
}
export interface Contact {
  username: string;
  phone: string;
  extension: string | null;
}
export interface Summary {
  generated_at: string;
  open_by_level: { P1: number; P2: number; P3: number; P4: number };
  in_progress: { item_id: string; level: string; status: string; handler: string | null }[];
  follow_ups_due: { item_id: string; due: string }[];
  follow_ups_until: string;
  emiu_open: number;
}
export interface Handover {
  id: string;
  shift: Shift | null;
  next_shift: Shift | null;
  written_by: string;
  written_at: string;
  note: string;
  summary: Summary;
  acknowledgements: { username: string; at: string }[];
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string; reason?: string } })?.error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.field, e?.reason);
  }
  return json as T;
}

export const roster = {
  shifts: (from: Date, to: Date) =>
    call<{ shifts: Shift[] }>('GET', `/api/v1/roster/shifts?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`),
  onDuty: () => call<Duty>('GET', '/api/v1/roster/on-duty'),
  people: () => call<{ people: Member[] }>('GET', '/api/v1/roster/people'),
  contacts: () => call<{ contacts: Contact[] }>('GET', '/api/v1/roster/contacts'),
  putContact: (username: string, phone: string, extension: string) =>
    call<Contact>('PUT', `/api/v1/roster/contacts/${encodeURIComponent(username)}`, { phone, extension: extension || null }),
  removeContact: (username: string) => call<unknown>('DELETE', `/api/v1/roster/contacts/${encodeURIComponent(username)}`),
  create: (s: { starts_at: string; ends_at: string; lead: string; members: string[] }) => call<Shift>('POST', '/api/v1/roster/shifts', s),
  update: (id: string, s: { starts_at: string; ends_at: string; lead: string; members: string[] }) =>
    call<Shift>('PUT', `/api/v1/roster/shifts/${id}`, s),
  remove: (id: string) => call<unknown>('DELETE', `/api/v1/roster/shifts/${id}`),
  history: () => call<{ notes: Handover[] }>('GET', '/api/v1/roster/handover?limit=20'),
  pending: () => call<{ notes: Handover[] }>('GET', '/api/v1/roster/handover/pending'),
  acknowledge: (id: string) => call<Handover>('POST', `/api/v1/roster/handover/${id}/acknowledge`),
  write: (shift_id: string, note: string) => call<Handover>('POST', '/api/v1/roster/handover', { shift_id, note }),
};
