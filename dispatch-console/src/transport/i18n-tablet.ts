// Texts of the driver's tablet added with the offline-first tablet (current stop, navigation,
// incidents with a reason, the emergency button, messages with dispatch) and of the dispatch
// messages panel. Romanian first; kept apart from transport/i18n.ts so other features' keys do
// not collide with these.

import { currentLang, fill } from '../i18n';

const ro = {
  current: 'Oprirea curentă',
  first_of_day: 'Prima oprire a zilei',
  upcoming: 'Următoarele opriri',
  done_stops: 'Efectuate ({n})',
  all_done: 'Toate opririle sunt efectuate.',
  day_today: 'azi, {d}',
  next_work: 'Următoarea zi cu curse: {d}, prima oprire la {t}.',
  day_tomorrow: 'mâine, {d}',
  navigate: 'Navigare',
  call_rider: 'Sună beneficiarul',
  delivery: 'Livrare',
  collection: 'Ridicare',
  collected: 'Ridicat',
  collect_all: 'Preluate toate ({n})',
  collect_meals: '{n:o porție|# porții|# de porții} de ridicat pentru această rundă',
  collect_supply: '{n:un colet|# colete|# de colete} de ridicat pentru această cursă',
  delivered: 'Livrat',
  not_at_home: 'Nu este acasă',
  not_at_home_text: 'Observații (opțional)',
  not_at_home_confirm: 'Confirmă: nu este acasă',
  window: 'interval {a}–{b}',
  offline_since: 'fără conexiune — datele salvate pe tabletă',
  saved_at: 'foaie salvată la {t}',
  incident_title: 'Raportează un incident',
  incident_reason: 'Ce s-a întâmplat?',
  incident_text: 'Detalii',
  incident_text_required: 'Detalii (obligatoriu pentru „Altceva”)',
  incident_send: 'Trimite incidentul',
  inc_breakdown: 'Defecțiune vehicul',
  inc_accident: 'Accident',
  inc_rider_unwell: 'Pasager cu probleme de sănătate',
  inc_aggression: 'Agresiune',
  inc_road_blocked: 'Drum blocat',
  inc_other: 'Altceva',
  sos: 'URGENȚĂ',
  sos_title: 'Trimiteți alarma de urgență?',
  sos_explain: 'Dispeceratul primește imediat o alarmă P1 cu poziția vehiculului.',
  sos_text: 'Ce se întâmplă? (opțional)',
  sos_confirm: 'DA, TRIMITE ALARMA',
  sos_sent: 'Alarma de urgență a fost înregistrată. Dispeceratul vă contactează.',
  sos_queued: 'Alarma de urgență așteaptă conexiunea și pleacă automat.',
  messages: 'Mesaje',
  messages_unread: 'Mesaje ({n:# nou|# noi})',
  no_messages: 'Niciun mesaj azi.',
  ack: 'Am înțeles',
  acked: 'confirmat {t}',
  not_acked: 'neconfirmat',
  unread: 'necitit',
  read: 'citit {t}',
  mark_read: 'Marchează citit',
  from_dispatch: 'Dispecerat',
  from_driver: 'Șofer',
  reply: 'Răspuns',
  send: 'Trimite',
  message_text: 'Mesaj',
  waiting_send: 'se trimite…',
  canned_late_10: 'Întârzii 10 min',
  canned_late_20: 'Întârzii 20 min',
  canned_traffic: 'Trafic blocat',
  canned_at_address: 'Am ajuns la adresă',
  canned_rider_not_ready: 'Beneficiarul nu este gata',
  canned_call_me: 'Vă rog să mă sunați',
  panel_title: 'Mesaje cu șoferii',
  panel_vehicle: 'Vehicul',
  panel_empty: 'Niciun mesaj în această zi.',
  panel_to: 'Mesaj către șoferul vehiculului',
  panel_sent: 'Mesaj trimis.',
  err_not_own_vehicle: 'Puteți vedea doar mesajele vehiculului dumneavoastră.',
  err_own_message: 'Mesajul este confirmat de cealaltă parte.',
  err_message_id_taken: 'Identificatorul mesajului este deja folosit.',
  err_trip_changed: 'Cursa tocmai a fost schimbată de dispecerat (de exemplu anulată): verificați lista.',
  err_trip_not_today: 'Cursa este în altă zi: se marchează în ziua ei.',
  later_day: 'Ziua nu a început: opririle se marchează în ziua lor. Până atunci lista este doar de citit.',
  err_generic: 'Cererea a fost refuzată ({s}).',
  err_field: 'Câmp greșit: {f}.',
};

type Dict = typeof ro;
export type TabletKey = keyof Dict;

const en: Dict = {
  current: 'Current stop',
  first_of_day: 'The day’s first stop',
  upcoming: 'Next stops',
  done_stops: 'Done ({n})',
  all_done: 'Every stop is done.',
  day_today: 'today, {d}',
  next_work: 'Next day with work: {d}, first stop at {t}.',
  day_tomorrow: 'tomorrow, {d}',
  navigate: 'Navigate',
  call_rider: 'Call the rider',
  delivery: 'Delivery',
  collection: 'Collection',
  collected: 'Collected',
  collect_all: 'All collected ({n})',
  collect_meals: '{n:# meal|# meals} to collect for this round',
  collect_supply: '{n:# parcel|# parcels} to collect for this run',
  delivered: 'Delivered',
  not_at_home: 'Not at home',
  not_at_home_text: 'Notes (optional)',
  not_at_home_confirm: 'Confirm: not at home',
  window: 'window {a}–{b}',
  offline_since: 'offline — working from the data saved on the tablet',
  saved_at: 'manifest saved at {t}',
  incident_title: 'Report an incident',
  incident_reason: 'What happened?',
  incident_text: 'Details',
  incident_text_required: 'Details (required for "Other")',
  incident_send: 'Send the incident',
  inc_breakdown: 'Vehicle breakdown',
  inc_accident: 'Accident',
  inc_rider_unwell: 'Rider unwell',
  inc_aggression: 'Aggression',
  inc_road_blocked: 'Road blocked',
  inc_other: 'Other',
  sos: 'EMERGENCY',
  sos_title: 'Send the emergency alarm?',
  sos_explain: 'Dispatch gets a P1 alarm with the vehicle’s position at once.',
  sos_text: 'What is happening? (optional)',
  sos_confirm: 'YES, SEND THE ALARM',
  sos_sent: 'The emergency alarm is recorded. Dispatch will contact you.',
  sos_queued: 'The emergency alarm waits for the connection and leaves by itself.',
  messages: 'Messages',
  messages_unread: 'Messages ({n} new)',
  no_messages: 'No messages today.',
  ack: 'Understood',
  acked: 'acknowledged {t}',
  not_acked: 'not acknowledged',
  unread: 'unread',
  read: 'read {t}',
  mark_read: 'Mark read',
  from_dispatch: 'Dispatch',
  from_driver: 'Driver',
  reply: 'Reply',
  send: 'Send',
  message_text: 'Message',
  waiting_send: 'sending…',
  canned_late_10: 'Running 10 min late',
  canned_late_20: 'Running 20 min late',
  canned_traffic: 'Traffic jam',
  canned_at_address: 'At the address',
  canned_rider_not_ready: 'The rider is not ready',
  canned_call_me: 'Please call me',
  panel_title: 'Messages with drivers',
  panel_vehicle: 'Vehicle',
  panel_empty: 'No messages on this day.',
  panel_to: 'Message to the driver of',
  panel_sent: 'Message sent.',
  err_not_own_vehicle: 'You can see your own vehicle’s messages only.',
  err_own_message: 'The other side acknowledges this message.',
  err_message_id_taken: 'The message id is already used.',
  err_trip_changed: 'Dispatch has just changed the trip (cancelled it, say): check the list.',
  err_trip_not_today: 'The trip is on another day: it is marked on its day.',
  later_day: 'The day has not begun: stops are marked on their day. Until then the list is read-only.',
  err_generic: 'The request was refused ({s}).',
  err_field: 'Wrong field: {f}.',
};

export function tk(key: TabletKey, vars: Record<string, string | number> = {}): string {
  const s = (currentLang() === 'en' ? en : ro)[key];
  return fill(s, vars);
}

/** The incident codes the tablet offers (src/transport/rules/actions.rs INCIDENT_CODES). */
export const INCIDENTS = ['breakdown', 'accident', 'rider_unwell', 'aggression', 'road_blocked', 'other'] as const;
/** The driver's canned messages (src/transport/rules/messages.rs CANNED). */
export const CANNED = ['late_10', 'late_20', 'traffic', 'at_address', 'rider_not_ready', 'call_me'] as const;

const hhmm = new Intl.DateTimeFormat('ro-RO', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Bucharest' });

/** `HH:MM`, 24-hour, Timișoara time, whatever the browser's locale (never "5:03 PM"). */
export function clock(at: Date | string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  return Number.isNaN(d.getTime()) ? '' : hhmm.format(d);
}

/** Today's date in Timișoara, as `YYYY-MM-DD` (the service's days are Timișoara's). */
function todayThere(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Bucharest', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** A planned day (`YYYY-MM-DD`) as a driver reads it: "azi, luni 7 decembrie", "mâine, …", or
 *  the weekday and date alone for a later day. */
export function dayName(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const at = Date.UTC(y, m - 1, d, 12);
  if (Number.isNaN(at)) return date;
  const locale = currentLang() === 'en' ? 'en-GB' : 'ro-RO';
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(at);
  const dayMonth = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(at);
  const named = `${weekday} ${dayMonth}`;
  const today = todayThere();
  const tomorrow = new Date(Date.parse(`${today}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  if (date === today) return tk('day_today', { d: named });
  if (date === tomorrow) return tk('day_tomorrow', { d: named });
  return named;
}

/** A refusal in words: its reason code when the tablet knows it, else the field or status. */
export function refusal(e: { status: number; reason?: string; field?: string }): string {
  const key = `err_${e.reason ?? ''}` as TabletKey;
  if (e.reason && key in ro) return tk(key);
  if (e.field) return tk('err_field', { f: e.field });
  return tk('err_generic', { s: e.status });
}
