// JSON shapes of the service, mirrored from src/domain/ and src/events/event.rs. Kept as plain
// data: the console never adds fields to them, so a snapshot and a fold over events give the
// same objects the server holds.

export type Level = 'P1' | 'P2' | 'P3' | 'P4';
export type Status = 'new' | 'acknowledged' | 'assigned' | 'in_progress' | 'closed';
export type ResourceKind = 'vehicle' | 'driver' | 'emiu_team';
export type ResourceStatus =
  | 'available'
  | 'assigned'
  | 'en_route'
  | 'on_scene'
  | 'at_hospital'
  | 'off_duty';
export type Role = 'dispatcher' | 'supervisor' | 'driver' | 'emiu' | 'admin' | 'service';

export interface LonLat {
  lon: number;
  lat: number;
}

export interface Place {
  address?: string;
  position?: LonLat;
}

/** A code the priority rule matched on (`{key:'alarm_type', value:'fall'}`), for translation. */
export interface Fact {
  key: string;
  value: string;
}

export interface Priority {
  level: Level;
  rule: string;
  /** The server's English wording; the console shows `facts` through the dictionary instead. */
  reason: string;
  respond_within_s: number;
  facts?: Fact[];
}

/** Who and where, filled at creation (absent on redacted copies). */
export interface Subject {
  name: string;
  address?: string;
  phone?: string;
  position?: LonLat;
  device_id?: string;
}

export interface Note {
  at: string;
  by: string;
  text: string;
}

// Details are tagged by `kind`. Redacted items may carry "***" in place of any string field, or
// lack fields altogether, so every field is read defensively.
export type Details =
  | {
      kind: 'alert';
      device_id?: string;
      alarm_type?: string;
      device_time?: string;
      receiver_alarm_id?: string;
      receiver?: string;
    }
  | {
      kind: 'call';
      caller_number?: string;
      category?: string;
      channel?: string;
      reporter?: string;
      immediate_danger?: boolean;
      location?: Place;
      notes?: string;
    }
  | {
      kind: 'booking';
      rider?: string;
      pickup?: Place;
      dropoff?: Place;
      window_start?: string;
      window_end?: string;
      needs?: { wheelchair?: boolean; door_assistance?: boolean; companion?: boolean };
    }
  | { kind: 'callback'; phone?: string; reason?: string; related?: string }
  | { kind: 'incident'; reported_by?: string; description?: string; related?: string; code?: string | null };

export interface Times {
  received: string;
  first_pushed: string | null;
  acknowledged: string | null;
  assigned: string | null;
  in_progress: string | null;
  closed: string | null;
  breached: string | null;
}

export interface Item {
  id: string;
  kind: Details['kind'];
  category: string;
  status: Status;
  priority: Priority;
  deadline: string;
  breached: boolean;
  times: Times;
  details?: Details;
  assigned_to: string[];
  handler: string | null;
  outcome: string | null;
  notes: Note[];
  version: number;
  /** Set by the server when the viewer may not see the personal details. */
  redacted?: boolean;
  /** Accepted over its sender's intake rate limit because it is P1: the sender misbehaves. */
  rate_limited?: boolean;
  subject?: Subject;
  /** Further alarms of the same device and type attached to this open item. */
  repeats?: number;
  /** Of those, how many arrived since it was acknowledged. */
  repeats_unseen?: number;
  /** EMIU: the clock to arrival on a police request (issue 17). */
  arrival?: ArrivalClock;
}

/** The clock to arrival of a police request: due by `due`, stopped by `arrived`. */
export interface ArrivalClock {
  notified: string;
  due: string;
  arrived?: string;
  breached?: string;
}

export interface Resource {
  id: string;
  kind: ResourceKind;
  name: string;
  seats: number;
  wheelchair_places: number;
  status: ResourceStatus;
  current_item: string | null;
  position: LonLat | null;
  version: number;
}

export type Event =
  | { type: 'item_created'; item: Item }
  | { type: 'item_pushed'; item_id: string }
  | { type: 'acknowledged'; item_id: string; by: string }
  | { type: 'assigned'; item_id: string; resources: string[]; by: string }
  | { type: 'status_changed'; item_id: string; from: Status; to: Status }
  | { type: 'closed'; item_id: string; outcome: string; released: string[] }
  | { type: 'note_added'; item_id: string; note: Note }
  | { type: 'breached'; item_id: string; level: Level; deadline: string }
  | { type: 'arrival_breached'; item_id: string; due: string }
  | { type: 'resource_registered'; resource: Resource }
  | { type: 'resource_status_changed'; resource_id: string; status: ResourceStatus }
  | { type: 'resource_moved'; resource_id: string; position: LonLat }
  | { type: 'case_recorded'; item_id: string; record: CaseRecord }
  | { type: 'repeated'; item_id: string; alarm_type: string; device_time: string }
  | { type: 'repeats_seen'; item_id: string; by: string }
  | { type: 'reprioritised'; item_id: string; priority: Priority; deadline: string }
  | { type: 'handler_changed'; item_id: string; from: string | null; to: string | null; by: string }
  | { type: 'unassigned'; item_id: string; resources: string[]; by: string }
  | { type: 'transport_changed'; change: TransportChange }
  | { type: 'item_purged'; item_id: string };

/** What changed in adapted transport (src/events/transport.rs): ids and codes only; the screens
 * refetch the plan or the manifest over HTTP. */
export interface TransportChange {
  date: string;
  reason: 'booking' | 'cancellation' | 'change' | 'no_show' | 'move' | 'delay' | 'replan' | 'action' | 'message' | 'sms_reply';
  vehicles: string[];
  drivers: string[];
  trips: string[];
  action: string | null;
  action_id: string | null;
  delay_minutes: number | null;
  plan_version: number | null;
  at: string | null;
  /** The message sent or acknowledged, for `message` (tablet messages). */
  message_id?: string | null;
}

/** An entry of an item's case file (src/domain/case.rs), tagged by `record`. */
export type CaseRecord = { record: string; [field: string]: unknown };

export interface StoredEvent {
  seq: number;
  at: string;
  actor: string;
  event: Event;
}

export type ServerMessage =
  | { type: 'snapshot'; seq: number; items: Item[]; resources: Resource[] }
  | ({ type: 'event' } & StoredEvent)
  | { type: 'item'; seq: number; item: Item }
  | { type: 'pong'; seq: number }
  | { type: 'error'; message: string };

export interface Me {
  username: string;
  /** The resource a driver or EMIU member works as. */
  resource_id?: string | null;
  display_name: string;
  role: Role;
}

export interface Explanation {
  rule: string;
  level_reason: string;
  position_reason: string;
}

export interface GeocodeCandidate {
  label: string;
  kind: string;
  position: LonLat;
  score: number;
}

/** The outcome codes an item is closed with, per kind; the same lists as src/domain/outcomes.rs
 * (a Rust test compares them). */
export const OUTCOMES: Record<Details['kind'], readonly string[]> = {
  alert: ['false_alarm', 'help_given', 'carer_attended', 'hospital', 'deceased', 'no_answer', 'technical', 'other'],
  call: ['advice_given', 'referred', 'emiu_sent', 'police_112', 'ambulance_112', 'no_action_needed', 'prank', 'other'],
  booking: ['trip_done', 'cancelled', 'not_served', 'other'],
  callback: ['reached', 'no_answer', 'referred', 'other'],
  incident: ['resolved', 'vehicle_replaced', 'rider_transferred', 'hospital', 'technical', 'other'],
};

/** The item's position on the map: the beneficiary's home for an alarm, where the caller is,
 * or where a rider is picked up. */
export function itemPosition(item: Item): LonLat | undefined {
  const d = item.details;
  if (item.redacted) return undefined;
  if (d?.kind === 'call') return d.location?.position ?? item.subject?.position;
  if (d?.kind === 'booking') return d.pickup?.position ?? item.subject?.position;
  return item.subject?.position;
}

/** Whether an item needs a dispatcher's eyes before the rest: new, or new repeats since it was
 * taken (src/queue/order.rs). */
export function needsAttention(item: Item): boolean {
  return item.status === 'new' || (item.repeats_unseen ?? 0) > 0;
}

/** A short handle for an id in the UI. Item ids are UUID v7, whose first digits are a timestamp
 * shared by items that arrive together, so the tail is what tells them apart. */
export function shortId(id: string): string {
  return id.slice(-6);
}
