// Calls of the shift tools (new call, assignment help, supervisor screen). Same-origin with the
// session cookie, like api.ts; an error answer also carries `reason`, the snake_case code of why a
// refusal happened, which the console translates (never the English `message`).

import { ApiError } from './api';
import type { Item, LonLat, Resource } from './types';

/** An error answer with the refusal's `reason` when the server gave one. */
export class ShiftError extends ApiError {
  constructor(status: number, code: string, message: string, field?: string, readonly reason?: string) {
    super(status, code, message, field);
  }
}

async function send<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  // Which screen is open, for the supervisor's "who is logged in where" (`X-Console-Page`).
  const page = document.body.dataset.page;
  if (page && /^[a-z_-]{1,40}$/.test(page)) headers = { 'x-console-page': page, ...headers };
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ShiftError(0, 'network', 'network');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string | null; reason?: string | null } })?.error;
    throw new ShiftError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.field ?? undefined, e?.reason ?? undefined);
  }
  return json as T;
}

export interface Carer {
  name: string;
  phone: string;
  relation?: string;
}
export interface DeviceRecord {
  device_id: string;
  beneficiary: string;
  address: string;
  phone: string;
  carers: Carer[];
}
export interface LookupAnswer {
  phone: string;
  devices: DeviceRecord[];
  history: Item[];
}

export interface CallCard {
  caller_number?: string | null;
  category: string;
  immediate_danger: boolean;
  channel: string;
  reporter: string;
  location?: { address?: string; lon?: number; lat?: number } | null;
  notes?: string | null;
}

export interface AssignCandidate {
  resource: Resource;
  eta_s: number | null;
  distance_m: number | null;
  suitable: boolean;
  busy: boolean;
  reasons: string[];
  pair?: string | null;
}
export interface Candidates {
  item_id: string;
  position?: LonLat | null;
  candidates: AssignCandidate[];
}

export interface Session {
  username: string;
  name: string;
  role: string;
  since: string;
  last_seen: string;
  from?: string | null;
  page?: string | null;
}
export interface OpenItem {
  id: string;
  level: string;
  category: string;
  status: string;
}
export interface Overview {
  sessions: Session[];
  dispatchers: { username: string; name: string; open_items: OpenItem[] }[];
  kpi: {
    since: string;
    received: number;
    acknowledged: number;
    median_ack_s: number | null;
    p90_ack_s: number | null;
    breached: number;
    open_by_level: Record<string, number>;
  };
}
export interface AuditRecord {
  at: string;
  actor: string;
  role: string;
  action: string;
  outcome: string;
  item_id?: string | null;
}
export interface Compliance {
  within_s: number;
  percent: number;
  counted: number;
  within: number;
  achieved_percent: number | null;
  met: boolean | null;
}
export interface AnswerTimes {
  since: string;
  until: string;
  channels: { channel: string; items: number; standards: Compliance[] }[];
}

const enc = encodeURIComponent;

export const shiftApi = {
  lookup: (phone: string) => send<LookupAnswer>('GET', `/api/v1/teleasistenta/lookup?phone=${enc(phone)}`),
  geocode: (q: string, limit = 8) =>
    send<{ candidates: { label: string; kind: string; position: LonLat; score: number; category?: string | null }[] }>(
      'GET',
      `/api/v1/geocode?q=${enc(q)}&limit=${limit}`,
    ),
  postCall: (card: CallCard, key: string) => send<Item>('POST', '/api/v1/calls', card, { 'idempotency-key': key }),
  candidates: (id: string) => send<Candidates>('GET', `/api/v1/items/${enc(id)}/candidates`),
  assign: (id: string, resources: string[]) => send<Item>('POST', `/api/v1/items/${enc(id)}/assign`, { resources }),
  unassign: (id: string, resources: string[]) => send<unknown>('POST', `/api/v1/items/${enc(id)}/unassign`, { resources }),
  reassign: (id: string, to: string | null) => send<unknown>('POST', `/api/v1/items/${enc(id)}/reassign`, { to }),
  overview: () => send<Overview>('GET', '/api/v1/supervisor/overview'),
  audit: (id: string) => send<{ item_id: string; reads: AuditRecord[] }>('GET', `/api/v1/items/${enc(id)}/audit`),
  answerTimes: (hours = 24) => send<AnswerTimes>('GET', `/api/v1/reports/answer-times?hours=${hours}`),
};

/** A fresh idempotency key: a UUID v4, also outside a secure context (plain http on a LAN). */
export function newKey(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
