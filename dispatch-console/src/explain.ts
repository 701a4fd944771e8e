// Why an item has its level and its place in the queue, in the dispatcher's language. The same
// reasoning as src/queue/order.rs `ordered`, computed from the live state so it never goes stale
// between fetches.

import { formatTime, t } from './i18n';
import { type Item, shortId } from './types';

export interface LocalExplanation {
  level: string;
  position: string;
  index: number;
}

/** `at`: the item's index in `ordered` when the caller knows it (a long queue redrawn row by
 * row would otherwise search it once per row). */
export function explain(ordered: Item[], id: string, at?: number): LocalExplanation | undefined {
  const i = at ?? ordered.findIndex((x) => x.id === id);
  if (i < 0) return undefined;
  const item = ordered[i];
  const level = t('level_reason', {
    level: item.priority.level,
    rule: item.priority.rule,
    reason: item.priority.reason,
  });
  let position: string;
  if (i === 0) {
    position = t('lvl_first');
  } else {
    const ahead = ordered[i - 1];
    const short = shortId(ahead.id);
    if (ahead.priority.level < item.priority.level) {
      position = t('lvl_behind_level', { id: short, a: ahead.priority.level, b: item.priority.level });
    } else if (Date.parse(ahead.deadline) < Date.parse(item.deadline)) {
      position = t('lvl_behind_deadline', { id: short, a: item.priority.level, t: formatTime(ahead.deadline) });
    } else {
      position = t('lvl_behind_arrival', { id: short });
    }
  }
  return { level, position, index: i + 1 };
}
