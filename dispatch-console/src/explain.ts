// Why an item has its level and its place in the queue, in the dispatcher's language. The same
// reasoning as src/queue/order.rs `ordered`, computed from the live state so it never goes stale
// between fetches. The level is told from `priority.facts` (the codes the rule matched on)
// through the dictionary, so a re-categorised call is re-explained the moment its
// `reprioritised` event arrives; the server's English `reason` is never shown.

import { factName, formatTime, ruleName, t, term } from './i18n';
import { who } from './subject';
import type { Fact, Item } from './types';
import { needsAttention } from './types';

export interface LocalExplanation {
  level: string;
  position: string;
  index: number;
}

/** The facts of the rule, or (from a server that does not send them yet) the item's own codes. */
function facts(item: Item): Fact[] {
  if (item.priority.facts?.length) return item.priority.facts;
  const d = item.details;
  const out: Fact[] = item.kind ? [{ key: 'kind', value: item.kind }] : [];
  if (d?.kind === 'alert' && d.alarm_type) out.push({ key: 'alarm_type', value: d.alarm_type });
  if (d?.kind === 'call') {
    out.push({ key: 'category', value: item.category });
    if (d.immediate_danger) out.push({ key: 'immediate_danger', value: 'true' });
  }
  if (d?.kind === 'callback' && d.reason) out.push({ key: 'callback_reason', value: d.reason });
  return out;
}

function factValue(f: Fact): string {
  if (f.value === 'true') return t('yes');
  if (f.value === 'false') return t('no');
  if (/^P[1-4]$/.test(f.value)) return f.value;
  return term(f.value);
}

/** The level in words: the rule's name and what it matched on. */
export function levelText(item: Item): string {
  const said = facts(item)
    .map((f) => `${factName(f.key)} ${factValue(f)}`)
    .join(', ');
  return t('level_reason_facts', { level: item.priority.level, rule: ruleName(item.priority.rule), facts: said || factName('default') });
}

/** `at`: the item's index in `ordered` when the caller knows it (a long queue redrawn row by
 * row would otherwise search it once per row). */
export function explain(ordered: Item[], id: string, at?: number): LocalExplanation | undefined {
  const i = at ?? ordered.findIndex((x) => x.id === id);
  if (i < 0) return undefined;
  const item = ordered[i];
  const level = levelText(item);
  let position: string;
  if (i === 0) {
    position = t('lvl_first');
  } else {
    const ahead = ordered[i - 1];
    const name = `${who(ahead)} (${ahead.priority.level} ${term(ahead.category)})`;
    if (needsAttention(ahead) && !needsAttention(item)) {
      position = t('lvl_behind_attention', { who: name });
    } else if (ahead.priority.level < item.priority.level) {
      position = t('lvl_behind_level', { id: name, a: ahead.priority.level, b: item.priority.level });
    } else if (Date.parse(ahead.deadline) < Date.parse(item.deadline)) {
      position = t('lvl_behind_deadline', { id: name, a: item.priority.level, t: formatTime(ahead.deadline) });
    } else {
      position = t('lvl_behind_arrival', { id: name });
    }
  }
  return { level, position, index: i + 1 };
}
