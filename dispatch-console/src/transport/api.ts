// Calls of the transport screens. Same-origin, the session cookie authenticates.

import { ApiError } from '../api';

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.field ?? undefined, e?.reason ?? undefined);
  }
  return json as T;
}

export interface ManifestStop {
  trip_id: string;
  pickup: boolean;
  time: string;
  address: string;
  lon: number;
  lat: number;
  rider: string | null;
  mobility: string | null;
  door_assistance: boolean;
  companion: boolean;
  notes: string;
  phone: string | null;
  status: string;
  done: boolean;
}

export interface Manifest {
  vehicle_id: string;
  date: string | null;
  plan_version?: number;
  stops: ManifestStop[];
}

export interface TripView {
  id: string;
  series_id?: string | null;
  cancellation?: { reason: string; note?: string } | null;
  rider_id: string;
  date: string;
  is_return: boolean;
  time: string;
  timing: string;
  status: string;
  pickup: { address: string; position: { lon: number; lat: number } };
  dropoff: { address: string; position: { lon: number; lat: number } };
  promised: string | null;
  vehicle_id: string | null;
  unserved_reason: string | null;
}
