// Storm mode on the console: when alarms arrive faster than the configured threshold (a
// heatwave, a power cut), a banner says so and the queue shows one row per device — its most
// urgent alarm, with how many more it sent — so P1 work from other devices stays in sight.
// Nothing is hidden for good: every alarm is still an item, and opening the row shows it.

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

  /** Alarms received within the window. */
  recent(items: Iterable<Item>, now = Date.now()): number {
    const since = now - this.windowS * 1000;
    let n = 0;
    for (const i of items) if (i.kind === 'alert' && Date.parse(i.times.received) >= since) n++;
    return n;
  }

  /** The rows to show (in queue order) and, per shown row, how many alarms it stands for. */
  group(ordered: Item[], items: Iterable<Item>): { rows: Item[]; repeats: Map<string, number> } {
    const recent = this.recent(items);
    const active = recent >= this.threshold;
    this.banner.hidden = !active;
    this.banner.dataset.active = String(active);
    this.banner.dataset.recent = String(recent);
    this.banner.textContent = active ? te('storm_banner', { n: recent, s: this.windowS }) : '';
    const repeats = new Map<string, number>();
    if (!active) return { rows: ordered, repeats };
    const first = new Map<string, string>();
    const rows: Item[] = [];
    for (const item of ordered) {
      const device = item.details?.kind === 'alert' ? item.details.device_id : undefined;
      if (!device) {
        rows.push(item);
        continue;
      }
      const head = first.get(device);
      if (head) {
        repeats.set(head, (repeats.get(head) ?? 1) + 1);
      } else {
        first.set(device, item.id);
        rows.push(item);
      }
    }
    return { rows, repeats };
  }
}
