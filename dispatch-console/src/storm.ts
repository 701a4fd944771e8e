// Storm mode on the console: when alarms arrive faster than the configured threshold (a
// heatwave, a power cut), a banner says so and the queue shows one row per device for its
// alarms nobody has taken yet — the most urgent, with how many more it sent — so P1 work from
// other devices stays in sight. Only unacknowledged alarms are grouped: a device's acknowledged
// item keeps its own row (with its counter of new repeats), so a new alarm from a device somebody
// already took is never hidden behind it. Each group can be taken at once ("preia grupul").

import './emergency.css';
import { h } from './dom';
import { te } from './i18n-emergency';
import type { Item } from './types';

export class Storm {
  threshold = Infinity;
  windowS = 60;
  readonly banner = h('div', { class: 'storm-banner', role: 'status', hidden: true, 'data-active': 'false' });

  /** Reads the threshold once; until then storm mode is off. */
  async load(): Promise<void> {
    try {
      const res = await fetch('/api/v1/storm', { credentials: 'same-origin' });
      if (!res.ok) return;
      const s = (await res.json()) as { threshold: number; window_s: number };
      this.threshold = s.threshold;
      this.windowS = s.window_s;
    } catch {
      // Without the figures, storm mode stays off; the queue is shown in full.
    }
  }

  /** Alarms received within the window: the items, and the repeats attached to them. */
  recent(items: Iterable<Item>, now = Date.now()): number {
    const since = now - this.windowS * 1000;
    let n = 0;
    for (const i of items) if (i.kind === 'alert' && Date.parse(i.times.received) >= since) n += 1 + (i.repeats ?? 0);
    return n;
  }

  /** The rows to show (in queue order); per shown row, how many alarms it stands for; per
   * device with more than one thing to take, the ids a bulk acknowledge takes (its new items
   * and its acknowledged items with unseen repeats). */
  group(ordered: Item[], items: Iterable<Item>): { rows: Item[]; repeats: Map<string, number>; takes: Map<string, string[]> } {
    const recent = this.recent(items);
    const active = recent >= this.threshold;
    this.banner.hidden = !active;
    this.banner.dataset.active = String(active);
    this.banner.dataset.recent = String(recent);
    this.banner.textContent = active ? te('storm_banner', { n: recent, s: this.windowS }) : '';
    const repeats = new Map<string, number>();
    const takes = new Map<string, string[]>();
    if (!active) return { rows: ordered, repeats, takes };
    const first = new Map<string, string>();
    const byDevice = new Map<string, string[]>();
    const rows: Item[] = [];
    for (const item of ordered) {
      const device = item.details?.kind === 'alert' ? item.details.device_id : undefined;
      if (device && (item.status === 'new' || (item.repeats_unseen ?? 0) > 0)) {
        byDevice.set(device, [...(byDevice.get(device) ?? []), item.id]);
      }
      if (!device || item.status !== 'new') {
        rows.push(item);
        continue;
      }
      // Alarms a row stands for: its own and its attached repeats, and those of the items
      // grouped under it.
      const alarms = 1 + (item.repeats ?? 0);
      const head = first.get(device);
      if (head) {
        repeats.set(head, (repeats.get(head) ?? 0) + alarms);
      } else {
        first.set(device, item.id);
        repeats.set(item.id, alarms);
        rows.push(item);
      }
    }
    for (const [id, n] of repeats) if (n < 2) repeats.delete(id);
    for (const [device, head] of first) {
      const ids = byDevice.get(device) ?? [];
      if (ids.length > 1) takes.set(head, ids);
    }
    return { rows, repeats, takes };
  }
}
