// Calls to the service. The session is an HttpOnly cookie set by `POST /api/v1/session`, so the
// page never holds a token; every request is same-origin.

import type { Explanation, GeocodeCandidate, Item, Me, Resource, StoredEvent } from './types';

/** An error answer: `{"error":{"code","message","field"}}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Why a refusal happened (`not_new`, `resource_busy`…), for the console to translate. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's error page): reported below with the status.
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string; reason?: string } })?.error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.field, e?.reason);
  }
  return json as T;
}

export const api = {
  login: (username: string, password: string) =>
    call<Me>('POST', '/api/v1/session', { username, password }),
  me: () => call<Me>('GET', '/api/v1/me'),
  logout: () => call<unknown>('DELETE', '/api/v1/session'),
  item: (id: string) =>
    call<{ item: Item; queue: { position: number; explanation: Explanation } | null }>(
      'GET',
      `/api/v1/items/${encodeURIComponent(id)}`,
    ),
  events: (id: string) =>
    call<{ item_id: string; events: StoredEvent[] }>(
      'GET',
      `/api/v1/items/${encodeURIComponent(id)}/events`,
    ),
  acknowledge: (id: string) => call<Item>('POST', `/api/v1/items/${id}/acknowledge`),
  assign: (id: string, resources: string[]) =>
    call<Item>('POST', `/api/v1/items/${id}/assign`, { resources }),
  start: (id: string) => call<Item>('POST', `/api/v1/items/${id}/start`),
  close: (id: string, outcome: string) =>
    call<Item>('POST', `/api/v1/items/${id}/close`, { outcome }),
  note: (id: string, text: string) => call<Item>('POST', `/api/v1/items/${id}/notes`, { text }),
  acknowledgeMany: (ids: string[]) =>
    call<{ results: { id: string; ok: boolean; status?: string; error?: { code: string; message: string; reason?: string } }[] }>(
      'POST',
      '/api/v1/items/acknowledge',
      { ids },
    ),
  dial: (id: string, target: 'caller' | 'beneficiary' | 'carer', carer?: number) =>
    call<{ call_id: string; status: string }>('POST', `/api/v1/items/${id}/dial`, carer === undefined ? { target } : { target, carer }),
  resources: () => call<{ seq: number; resources: Resource[] }>('GET', '/api/v1/resources'),
  map: (level: number) => call<MapGeoJson>('GET', `/api/v1/map/${level}`),
  geocode: (q: string, limit = 8) =>
    call<{ candidates: GeocodeCandidate[] }>(
      'GET',
      `/api/v1/geocode?q=${encodeURIComponent(q)}&limit=${limit}`,
    ),
};

export interface MapGeoJson {
  type: 'FeatureCollection';
  attribution?: string;
  bbox?: [number, number, number, number];
  features: {
    type: 'Feature';
    properties: { class?: string; name?: string };
    geometry: { type: 'LineString'; coordinates: [number, number][] } | { type: string; coordinates: unknown };
  }[];
}
