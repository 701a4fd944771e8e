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
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.field, e?.reason);
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
  /** What the stop is for (Mobilitate runs): absent means "trip". `meal` and `supply` have no
   * rider aboard: a delivery. */
  kind?: 'trip' | 'meal' | 'shuttle' | 'supply';
  /** A delivery's window, `HH:MM` local, when the service sends it. */
  window_start?: string;
  window_end?: string;
  /** A run's stop: whom or what it serves (the stop's label, else the run's). */
  label?: string | null;
  /** The Mobilitate run the stop belongs to (`M-…`): a meal round's canteen pick-ups share one
   * card on the tablet ("Preluate toate"). */
  run_id?: string | null;
}

export interface Manifest {
  vehicle_id: string;
  date: string | null;
  plan_version?: number;
  stops: ManifestStop[];
  /** When the day shown has no work left: the next day with work and its first stop (`HH:MM`). */
  next?: { date: string; first_stop: string };
  /** Whether the day's stops take their steps now; false for a later day (read only). Absent in
   * a manifest saved by an older tablet: taken as open, as before. */
  steps_open?: boolean;
}

export interface TripView {
  id: string;
  series_id?: string | null;
  cancellation?: { reason: string; note?: string; by?: string; at?: string } | null;
  /** The rider's latest answer by SMS (DA: confirmed; NU / ANULEZ: cancelled), when any. */
  sms_answer?: { answer: 'confirmed' | 'cancelled'; at: string } | null;
  booked_by?: string;
  booked_at?: string;
  arrived_at?: string | null;
  picked_up_at?: string | null;
  dropped_off_at?: string | null;
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
  /** `trip`, or a Mobilitate run's `meal`, `shuttle`, `supply`. */
  kind?: string;
}

/** A message between dispatch and a vehicle's driver (src/transport/model.rs DriverMessage). */
export interface DriverMessage {
  id: string;
  vehicle_id: string;
  date: string;
  trip_id: string | null;
  direction: 'to_driver' | 'from_driver';
  text: string;
  canned: string | null;
  sent_at: string;
  sent_by: string;
  acked_at: string | null;
  acked_by: string | null;
}

export interface DriverMessageList {
  date: string;
  messages: DriverMessage[];
}
