// Who and where an item is about, in words for a queue row and the detail: the subject the
// server filled at creation (beneficiary, known caller, rider), else what the details carry.
// A redacted copy names nobody; a withheld number reads "număr ascuns".

import { reporter, t, term } from './i18n';
import type { Item } from './types';

const PROTECTED = '***';

/** A phone number as shown: the literal `withheld` is a hidden number. */
export function phoneText(n: string | undefined | null): string {
  if (!n) return '';
  if (n === 'withheld') return t('withheld_number');
  if (n === PROTECTED) return t('redacted_name');
  return n;
}

/** The person's name, or what stands for it. */
export function who(item: Item): string {
  if (item.redacted) return t('redacted_name');
  if (item.subject?.name && item.subject.name !== PROTECTED) return item.subject.name;
  const d = item.details;
  switch (d?.kind) {
    case 'call':
      return phoneText(d.caller_number) || t('no_name');
    case 'callback':
      return phoneText(d.phone) || t('no_name');
    case 'booking':
      return d.rider && d.rider !== PROTECTED ? d.rider : t('no_name');
    case 'alert':
      return d.device_id ?? t('no_name');
    case 'incident':
      return d.reported_by && d.reported_by !== PROTECTED ? reporter(d.reported_by) : t('no_name');
  }
  return t('no_name');
}

/** The address, shortened for a row (the city is the same for every item). */
export function where(item: Item, short = true): string {
  if (item.redacted) return '';
  const d = item.details;
  const a =
    item.subject?.address ??
    (d?.kind === 'call' ? d.location?.address : d?.kind === 'booking' ? d.pickup?.address : undefined);
  if (!a || a === PROTECTED) return '';
  return short ? a.replace(/,?\s*(municipiul\s+)?Timișoara\b.*$/i, '') : a;
}

/** The device id or the phone number the item came from. */
export function handle(item: Item): string {
  if (item.redacted) return '';
  const d = item.details;
  if (d?.kind === 'alert') return d.device_id ?? item.subject?.device_id ?? '';
  if (d?.kind === 'call') return phoneText(d.caller_number);
  if (d?.kind === 'callback') return phoneText(d.phone);
  return item.subject?.phone ?? '';
}

/** The channel a call came on (`phone` when the webhook did not say). */
export function channel(item: Item): string | undefined {
  const d = item.details;
  if (d?.kind !== 'call') return undefined;
  return d.channel ?? 'phone';
}

/** What it is: the category, and the kind, the call's channel or the incident's code
 *  ("incident · verificare bunăstare", not "incident · incident"). */
export function what(item: Item): string {
  const ch = channel(item);
  const d = item.details;
  const code = d?.kind === 'incident' && d.code && d.code !== 'other' ? d.code : undefined;
  const kind = ch ? term(ch) : code ? term(code) : term(item.kind);
  return `${term(item.category)} · ${kind}`;
}

/** A one-line label of an item for buttons and explanations. */
export function label(item: Item): string {
  return `${item.priority.level} ${who(item)} · ${term(item.category)}`;
}
