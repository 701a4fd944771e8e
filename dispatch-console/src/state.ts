// The live state in the browser: the snapshot, then a fold over events. `apply` mirrors
// src/core/state.rs `apply` line for line, so the console shows exactly what the server holds
// without ever re-fetching; keep the two in step when an event changes.

import type { Item, Resource, StoredEvent } from './types';
import { needsAttention } from './types';

export class LiveState {
  seq = 0;
  items = new Map<string, Item>();
  resources = new Map<string, Resource>();

  reset(seq: number, items: Item[], resources: Resource[]): void {
    this.seq = seq;
    this.items = new Map(items.map((i) => [i.id, i]));
    this.resources = new Map(resources.map((r) => [r.id, r]));
  }

  /** An item became visible (or fully visible) to this viewer: the server's whole copy. */
  upsertItem(seq: number, item: Item): void {
    this.items.set(item.id, item);
    // Only this viewer's filtered stream skips numbers; never move backwards.
    this.seq = Math.max(this.seq, seq - 1);
  }

  /** Applies one committed event; returns false for an event already applied (a replay). */
  applyStored(e: StoredEvent): boolean {
    if (e.seq <= this.seq) return false;
    apply(this, e);
    this.seq = e.seq;
    return true;
  }
}

export function apply(state: LiveState, e: StoredEvent): void {
  const seq = e.seq;
  const at = e.at;
  const ev = e.event;
  // An object whose version is already at or past this event holds it: that happens when the
  // server sent the whole item just before the event that made it visible (`item` message).
  const found = 'item_id' in ev ? state.items.get(ev.item_id) : undefined;
  const item = found && found.version < seq ? found : undefined;
  switch (ev.type) {
    case 'item_created':
      state.items.set(ev.item.id, { ...ev.item, version: seq });
      break;
    case 'item_pushed':
      if (item) {
        item.times.first_pushed ??= at;
        item.version = seq;
      }
      break;
    case 'acknowledged':
      if (item) {
        item.status = 'acknowledged';
        item.times.acknowledged = at;
        item.handler = ev.by;
        item.version = seq;
      }
      break;
    case 'assigned':
      if (item) {
        item.status = 'assigned';
        item.times.assigned ??= at;
        for (const r of ev.resources) if (!item.assigned_to.includes(r)) item.assigned_to.push(r);
        item.version = seq;
      }
      for (const r of ev.resources) {
        const res = state.resources.get(r);
        if (res && res.version < seq) {
          res.current_item = ev.item_id;
          res.status = 'assigned';
          res.version = seq;
        }
      }
      break;
    case 'status_changed':
      if (item) {
        item.status = ev.to;
        if (ev.to === 'in_progress') item.times.in_progress ??= at;
        item.version = seq;
      }
      break;
    case 'closed':
      if (item) {
        item.status = 'closed';
        item.times.closed = at;
        item.outcome = ev.outcome;
        item.version = seq;
      }
      for (const r of ev.released) {
        const res = state.resources.get(r);
        if (res && res.version < seq && res.current_item === ev.item_id) {
          res.current_item = null;
          res.status = 'available';
          res.version = seq;
        }
      }
      break;
    case 'note_added':
      if (item) {
        item.notes.push(ev.note);
        item.version = seq;
      }
      break;
    case 'breached':
      if (item) {
        item.breached = true;
        item.times.breached = at;
        item.version = seq;
      }
      break;
    case 'arrival_breached':
      if (item) {
        if (item.arrival) item.arrival.breached ??= at;
        item.version = seq;
      }
      break;
    case 'resource_registered':
      state.resources.set(ev.resource.id, { ...ev.resource, version: seq });
      break;
    case 'resource_status_changed': {
      const r = state.resources.get(ev.resource_id);
      if (r) {
        r.status = ev.status;
        r.version = seq;
      }
      break;
    }
    case 'case_recorded':
      if (item) {
        // Only the category shows in the item; the rest of the file is in its history.
        if (ev.record.record === 'categorised' && item.details?.kind === 'call') {
          item.details.category = String(ev.record.category);
          item.category = String(ev.record.category);
        }
        // EMIU: a police request starts the clock to arrival, being on scene stops it.
        if (ev.record.record === 'police_request') {
          item.arrival = { notified: String(ev.record.notified_at), due: String(ev.record.arrive_by) };
        }
        if (ev.record.record === 'on_scene' && item.arrival) item.arrival.arrived ??= String(ev.record.at);
        item.version = seq;
      }
      break;
    case 'repeated':
      if (item) {
        item.repeats = (item.repeats ?? 0) + 1;
        if (item.status !== 'new') item.repeats_unseen = (item.repeats_unseen ?? 0) + 1;
        item.version = seq;
      }
      break;
    case 'repeats_seen':
      if (item) {
        item.repeats_unseen = 0;
        item.version = seq;
      }
      break;
    case 'reprioritised':
      if (item) {
        item.priority = ev.priority;
        item.deadline = ev.deadline;
        item.version = seq;
      }
      break;
    case 'handler_changed':
      if (item) {
        item.handler = ev.to;
        item.version = seq;
      }
      break;
    case 'unassigned':
      if (item) {
        item.assigned_to = item.assigned_to.filter((r) => !ev.resources.includes(r));
        if (item.status === 'assigned' && item.assigned_to.length === 0) item.status = 'acknowledged';
        item.version = seq;
      }
      for (const r of ev.resources) {
        const res = state.resources.get(r);
        if (res && res.version < seq && res.current_item === ev.item_id) {
          res.current_item = null;
          res.status = 'available';
          res.version = seq;
        }
      }
      break;
    case 'resource_moved': {
      const r = state.resources.get(ev.resource_id);
      if (r) {
        r.position = ev.position;
        r.version = seq;
      }
      break;
    }
    case 'item_purged':
      // The retention purge withheld the item's personal data: the server sends the purged copy
      // (an `item` message) just before this event, so a copy held here is already replaced.
      if (item) item.version = seq;
      break;
    case 'transport_changed':
      // Transport lives in its own documents: nothing to fold here (the server only remembers
      // which driver actions are logged). The transport screens refetch what changed.
      break;
  }
}

/** The queue: open items needing attention first (new, or new repeats since acknowledged), then
 * by level, deadline, arrival and id (as src/queue/order.rs). */
export function queueOrder(items: Iterable<Item>): Item[] {
  return [...items]
    .filter((i) => i.status !== 'closed')
    .sort(
      (a, b) =>
        Number(needsAttention(b)) - Number(needsAttention(a)) ||
        cmp(a.priority.level, b.priority.level) ||
        cmp(a.deadline, b.deadline) ||
        cmp(a.times.received, b.times.received) ||
        cmp(a.id, b.id),
    );
}

// RFC 3339 timestamps from the server are all UTC with the same layout, so they sort as text;
// parse anyway to be safe against differing fractional digits.
function cmp(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta < tb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
