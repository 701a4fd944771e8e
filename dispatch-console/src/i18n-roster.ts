// Texts of the duty roster (`/tura`) and the handover note, Romanian first. The language switch
// is the common one (`currentLang`).

import { currentLang, fill, missing } from './i18n';

const ro = {
  roster: 'Tura',
  roster_title: 'Tura dispecerilor',
  on_duty_now: 'De serviciu acum',
  nobody_on_duty: 'Nimeni de serviciu: apelurile sună la numărul dispeceratului.',
  rings: 'Apelurile sună la {n:un telefon|# telefoane|# de telefoane}.',
  rings_one: 'Apelurile sună la un singur telefon.',
  rings_none: 'Niciun dispecer de serviciu nu are telefon: apelurile sună la numărul dispeceratului.',
  next_shift: 'Tura următoare',
  no_next_shift: 'Nicio tură planificată.',
  shifts: 'Turele din următoarele 7 zile',
  no_shifts: 'Nicio tură în această perioadă.',
  add_shift: 'Adaugă o tură',
  edit_shift: 'Modifică tura',
  day: 'Ziua',
  starts: 'Început',
  ends: 'Sfârșit',
  interval: 'Interval',
  lead: 'Șef de tură',
  members: 'Dispeceri (în ordinea apelării)',
  members_short: 'Dispeceri',
  save: 'Salvează',
  cancel: 'Renunță',
  edit: 'Modifică',
  delete: 'Șterge',
  delete_confirm: 'Ștergeți tura {when}?',
  saved: 'Salvat.',
  deleted: 'Tura a fost ștearsă.',
  phones: 'Telefoanele dispecerilor',
  phones_hint: 'Numerele nu apar niciodată în jurnale; le văd doar supervizorii.',
  phone: 'Telefon',
  extension: 'Interior',
  no_phone: 'fără telefon',
  person: 'Dispecer',
  remove_phone: 'Elimină',
  history: 'Note de predare',
  no_history: 'Nicio notă de predare.',
  written_by: 'Scrisă de {who}, {when}',
  acknowledged_by: 'Confirmată de: {list}',
  not_acknowledged: 'Neconfirmată încă',
  handover_from: 'Notă de predare de la {who}',
  handover_for: 'pentru tura {when}',
  summary_open: 'Deschise: P1 {p1} · P2 {p2} · P3 {p3} · P4 {p4}',
  summary_in_progress: 'În lucru: {n}',
  summary_follow_ups: 'Apeluri de urmărire până la {until}: {n}',
  summary_emiu: 'Intervenții EMIU deschise: {n}',
  nobody: 'nepreluat',
  acknowledge: 'Am luat la cunoștință',
  write_handover: 'Scrie nota de predare',
  handover_title: 'Nota de predare a turei',
  handover_hint: 'Rezumatul situației (numere și fișe, fără date personale) se adaugă automat.',
  handover_send: 'Predă tura',
  handover_sent: 'Nota de predare a fost trimisă turei următoare.',
  err_ends_at: 'Sfârșitul trebuie să fie după început, în cel mult 24 de ore.',
  err_starts_at: 'Începutul nu este o dată validă.',
  err_lead: 'Șeful de tură trebuie să fie printre dispecerii turei.',
  err_members: 'Alegeți cel puțin un dispecer (cont activ, o singură dată).',
  err_overlap: 'Suprapunere: {who} este deja într-o altă tură în acest interval.',
  err_phone: 'Număr de telefon invalid: scrieți-l în format internațional, de ex. +40256000101.',
  err_extension: 'Interiorul are 1–8 cifre.',
  err_note: 'Scrieți nota (cel mult 4000 de caractere).',
  err_shift_id: 'Nota se scrie în timpul turei sau la scurt timp după; trebuie să existe o tură următoare.',
  err_not_shift_lead: 'Doar șeful turei scrie nota de predare.',
  err_handover_exists: 'Nota acestei ture a fost deja scrisă.',
  err_shift_has_handover: 'Tura are o notă de predare și rămâne în istoric.',
  err_refused: 'Nu aveți acces la această pagină.',
  err_other: 'Eroare ({code}). Încercați din nou.',
};

type RKey = keyof typeof ro;

const en: Record<RKey, string> = {
  roster: 'Roster',
  roster_title: 'Dispatcher roster',
  on_duty_now: 'On duty now',
  nobody_on_duty: 'Nobody on duty: calls ring the dispatch desk number.',
  rings: 'Calls ring {n:# phone|# phones}.',
  rings_one: 'Calls ring one phone.',
  rings_none: 'Nobody on duty has a phone: calls ring the dispatch desk number.',
  next_shift: 'Next shift',
  no_next_shift: 'No shift planned.',
  shifts: 'Shifts in the next 7 days',
  no_shifts: 'No shifts in this period.',
  add_shift: 'Add a shift',
  edit_shift: 'Change the shift',
  day: 'Day',
  starts: 'Start',
  ends: 'End',
  interval: 'Time',
  lead: 'Shift lead',
  members: 'Dispatchers (in ringing order)',
  members_short: 'Dispatchers',
  save: 'Save',
  cancel: 'Cancel',
  edit: 'Change',
  delete: 'Delete',
  delete_confirm: 'Delete the shift {when}?',
  saved: 'Saved.',
  deleted: 'The shift was deleted.',
  phones: "Dispatchers' phones",
  phones_hint: 'Numbers never appear in logs; only supervisors see them.',
  phone: 'Phone',
  extension: 'Extension',
  no_phone: 'no phone',
  person: 'Dispatcher',
  remove_phone: 'Remove',
  history: 'Handover notes',
  no_history: 'No handover notes.',
  written_by: 'Written by {who}, {when}',
  acknowledged_by: 'Acknowledged by: {list}',
  not_acknowledged: 'Not acknowledged yet',
  handover_from: 'Handover note from {who}',
  handover_for: 'for the shift {when}',
  summary_open: 'Open: P1 {p1} · P2 {p2} · P3 {p3} · P4 {p4}',
  summary_in_progress: 'In progress: {n}',
  summary_follow_ups: 'Follow-up calls until {until}: {n}',
  summary_emiu: 'Open EMIU interventions: {n}',
  nobody: 'not taken',
  acknowledge: 'I have read it',
  write_handover: 'Write the handover note',
  handover_title: "The shift's handover note",
  handover_hint: 'A summary of the situation (counts and item references, no personal data) is added automatically.',
  handover_send: 'Hand over',
  handover_sent: 'The handover note was sent to the next shift.',
  err_ends_at: 'The end must be after the start, within 24 hours.',
  err_starts_at: 'The start is not a valid date.',
  err_lead: 'The shift lead must be one of the shift’s dispatchers.',
  err_members: 'Choose at least one dispatcher (enabled account, once each).',
  err_overlap: 'Overlap: {who} is already on another shift at that time.',
  err_phone: 'Invalid phone number: write it in international form, e.g. +40256000101.',
  err_extension: 'The extension has 1–8 digits.',
  err_note: 'Write the note (at most 4000 characters).',
  err_shift_id: 'The note is written during the shift or shortly after; there must be a next shift.',
  err_not_shift_lead: 'Only the shift lead writes the handover note.',
  err_handover_exists: "This shift's note is already written.",
  err_shift_has_handover: 'The shift has a handover note and stays in the history.',
  err_refused: 'You may not open this page.',
  err_other: 'Error ({code}). Please try again.',
};

const dicts = { ro, en };

export function tr(key: RKey, vars: Record<string, string | number> = {}): string {
  const text = dicts[currentLang()][key] as string | undefined;
  if (text === undefined) return missing(key, key);
  return fill(text, vars);
}

/** A refusal of the roster API in words: by its reason, else by the field it names. */
export function refusalText(e: { status?: number; field?: string; reason?: string; code?: string; message?: string }): string {
  if (e.reason && `err_${e.reason}` in ro) return tr(`err_${e.reason}` as RKey);
  if (e.field === 'members' && e.message?.includes('already on shift')) {
    return tr('err_overlap', { who: e.message.split(' ')[0] });
  }
  if (e.field && `err_${e.field}` in ro) return tr(`err_${e.field}` as RKey);
  if (e.status === 403) return tr('err_refused');
  return tr('err_other', { code: e.code ?? String(e.status ?? '') });
}

/** A moment in Romanian (or English) local time: `lun. 7 dec., 07:00`. */
export function when(iso: string): string {
  const d = new Date(iso);
  return d.toLocaleString(currentLang() === 'ro' ? 'ro-RO' : 'en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString(currentLang() === 'ro' ? 'ro-RO' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
}
