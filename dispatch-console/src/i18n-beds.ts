// Texts of the bed panels: the outreach item's beds (in the item detail) and the forms that keep
// the registry (providers and facilities, on /paturi). Romanian first; the language switch is the
// common one (`currentLang`). Field codes and refusal reasons of the beds API are named here too,
// so the page never shows one raw.

import { ApiError } from './api';
import { currentLang, errorText, fill, missing } from './i18n';

const ro = {
  // The outreach panel.
  outreach: 'Pat pentru persoana fără adăpost',
  cold_on: 'Cod de ger activ',
  cold_off: 'Codul de ger nu este activ: adăposturile de noapte au doar locurile obișnuite',
  nearest: 'Adăposturi de noapte cu locuri libere (cel mai apropiat primul)',
  no_shelter: 'Niciun adăpost de noapte nu are loc liber acum.',
  no_position: 'Locul persoanei nu este cunoscut: distanțele lipsesc.',
  free_of: '{free} libere din {total}',
  km: '{km} km',
  vehicle: 'Vehiculul echipei stradale',
  no_vehicle: 'fără vehicul (doar rezervă locul)',
  hold: 'Rezervă loc',
  holds: 'Locuri rezervate',
  no_holds: 'Niciun loc rezervat încă.',
  held_at: 'rezervat la {time} de {who}',
  arrived_at: 'a ajuns la {time}',
  released_at: 'eliberat la {time}',
  st_held: 'rezervat',
  st_admitted: 'internat',
  st_released: 'eliberat',
  arrived: 'A ajuns — internează',
  release: 'Eliberează locul',
  held_ok: 'Loc rezervat la {name}.',
  arrived_ok: 'Persoana a fost internată.',
  released_ok: 'Locul a fost eliberat.',
  withheld: 'adresă protejată',
  loading: 'Se încarcă adăposturile…',
  // Refusals.
  no_free_place: 'Nu mai sunt locuri libere în acest adăpost.',
  released: 'Locul fusese deja eliberat.',
  forbidden: 'Nu aveți dreptul la această acțiune.',
  bad_field: 'Verificați câmpul „{field}”: {why}',
  exists: 'Există deja o înregistrare cu acest cod.',
  // The registry forms.
  keep: 'Furnizori și unități',
  providers: 'Furnizori',
  provider_new: 'Furnizor nou',
  provider_edit: 'Modifică furnizorul',
  facility_new: 'Unitate nouă',
  facility_edit: 'Modifică unitatea',
  edit: 'Modifică',
  save: 'Salvează',
  cancel: 'Renunță',
  saved: 'Salvat.',
  f_id: 'Cod (fără spații, ex. ADP-NORD)',
  f_name: 'Denumire',
  f_kind: 'Tip',
  f_phone: 'Telefon',
  f_provider: 'Furnizor',
  f_address: 'Adresă',
  f_search: 'Caută adresa',
  f_adult_places: 'Locuri adulți',
  f_child_places: 'Locuri copii',
  f_stay: 'Ședere maximă (zile)',
  f_cold_extra: 'Locuri suplimentare pe ger',
  f_position: 'Poziție pe hartă',
  f_lon: 'longitudine',
  f_lat: 'latitudine',
  f_item: 'lucrarea',
  f_vehicle: 'vehiculul',
  f_facility: 'adăpostul',
  cold_extra_hint: 'doar adăposturile de noapte',
  geo_none: 'Nicio adresă găsită.',
  geo_busy: 'Se caută…',
  geo_unavailable: 'Căutarea adreselor nu este disponibilă acum.',
  geo_picked: 'poziție aleasă',
  geo_none_picked: 'fără poziție pe hartă',
  dv_address_kept: 'Adresa protejată rămâne cea înregistrată.',
  pk_das: 'DAS (public)',
  pk_ngo: 'ONG',
  k_shelter: 'adăpost',
  k_night_shelter: 'adăpost de noapte',
  k_crisis: 'centru de criză',
  k_dv_shelter: 'adăpost victime violență',
  // Why a field was refused (the server's words, translated).
  why_required: 'este obligatoriu',
  why_range: 'valoare în afara limitelor',
  why_length: 'gol sau prea lung',
  why_format: 'format greșit',
  why_cold_extra: 'doar un adăpost de noapte are locuri suplimentare pe ger',
  why_unknown_provider: 'furnizor necunoscut',
  why_other: 'valoare nepermisă',
};

type Dict = Record<keyof typeof ro, string>;

const en: Dict = {
  outreach: 'A bed for the person sleeping rough',
  cold_on: 'Cold-weather mode on',
  cold_off: 'Cold-weather mode is off: night shelters have their usual places only',
  nearest: 'Night shelters with free beds (nearest first)',
  no_shelter: 'No night shelter has a free bed now.',
  no_position: "The person's location is unknown: no distances.",
  free_of: '{free} free of {total}',
  km: '{km} km',
  vehicle: "The street team's vehicle",
  no_vehicle: 'no vehicle (hold the bed only)',
  hold: 'Hold a bed',
  holds: 'Beds held',
  no_holds: 'No bed held yet.',
  held_at: 'held at {time} by {who}',
  arrived_at: 'arrived at {time}',
  released_at: 'released at {time}',
  st_held: 'held',
  st_admitted: 'admitted',
  st_released: 'released',
  arrived: 'Arrived — admit',
  release: 'Release the bed',
  held_ok: 'Bed held at {name}.',
  arrived_ok: 'The person is admitted.',
  released_ok: 'The bed was released.',
  withheld: 'protected address',
  loading: 'Loading shelters…',
  no_free_place: 'No free beds left in this shelter.',
  released: 'The bed had been released already.',
  forbidden: 'You may not do this.',
  bad_field: 'Check the field “{field}”: {why}',
  exists: 'A record with this code exists already.',
  keep: 'Providers and facilities',
  providers: 'Providers',
  provider_new: 'New provider',
  provider_edit: 'Edit the provider',
  facility_new: 'New facility',
  facility_edit: 'Edit the facility',
  edit: 'Edit',
  save: 'Save',
  cancel: 'Cancel',
  saved: 'Saved.',
  f_id: 'Code (no spaces, e.g. ADP-NORTH)',
  f_name: 'Name',
  f_kind: 'Kind',
  f_phone: 'Phone',
  f_provider: 'Provider',
  f_address: 'Address',
  f_search: 'Search the address',
  f_adult_places: 'Adult places',
  f_child_places: 'Places for children',
  f_stay: 'Stay limit (days)',
  f_cold_extra: 'Extra places in cold weather',
  f_position: 'Position on the map',
  f_lon: 'longitude',
  f_lat: 'latitude',
  f_item: 'the item',
  f_vehicle: 'the vehicle',
  f_facility: 'the shelter',
  cold_extra_hint: 'night shelters only',
  geo_none: 'No address found.',
  geo_busy: 'Searching…',
  geo_unavailable: 'Address search is unavailable now.',
  geo_picked: 'position picked',
  geo_none_picked: 'no position on the map',
  dv_address_kept: 'The protected address stays as recorded.',
  pk_das: 'DAS (public)',
  pk_ngo: 'NGO',
  k_shelter: 'shelter',
  k_night_shelter: 'night shelter',
  k_crisis: 'crisis centre',
  k_dv_shelter: 'DV shelter',
  why_required: 'is required',
  why_range: 'out of range',
  why_length: 'empty or too long',
  why_format: 'wrong format',
  why_cold_extra: 'only a night shelter opens extra places in cold weather',
  why_unknown_provider: 'unknown provider',
  why_other: 'not allowed',
};

export type BKey = keyof typeof ro;
const dicts: Record<'ro' | 'en', Dict> = { ro, en };

export function tb(key: BKey, vars: Record<string, string | number> = {}): string {
  const text = dicts[currentLang()][key] as string | undefined;
  if (text === undefined) return missing(key, key);
  return fill(text, vars);
}

/** A code of this vocabulary, if it has one. */
export function hasB(key: string): key is BKey {
  return key in ro;
}

/** A facility kind in words. */
export const kindText = (kind: string): string => (hasB(`k_${kind}`) ? tb(`k_${kind}` as BKey) : missing(`kind:${kind}`, '—'));

/** The API's field names in words (the page never shows a raw field code). */
const FIELDS: Record<string, BKey> = {
  id: 'f_id',
  name: 'f_name',
  kind: 'f_kind',
  phone: 'f_phone',
  provider_id: 'f_provider',
  address: 'f_address',
  adult_places: 'f_adult_places',
  child_places: 'f_child_places',
  stay_limit_days: 'f_stay',
  cold_extra_places: 'f_cold_extra',
  lon: 'f_lon',
  lat: 'f_lat',
  item_id: 'f_item',
  vehicle_id: 'f_vehicle',
  facility_id: 'f_facility',
};

export function fieldText(field: string): string {
  const key = FIELDS[field];
  return key ? tb(key) : missing(`field:${field}`, tb('why_other'));
}

/** Why the server refused a field, from its (English) message, in this page's words. */
function whyText(message: string): string {
  if (/required/.test(message)) return tb('why_required');
  if (/night shelter/.test(message)) return tb('why_cold_extra');
  if (/unknown provider/.test(message)) return tb('why_unknown_provider');
  if (/phone number|may contain only|control characters/.test(message)) return tb('why_format');
  if (/characters/.test(message)) return tb('why_length');
  if (/must be -?\d/.test(message)) return tb('why_range');
  return tb('why_other');
}

/** A refusal of the beds API in this page's words: the reason, or the field and why. */
export function bedsError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.reason && hasB(e.reason)) return tb(e.reason);
    if (e.status === 403) return tb('forbidden');
    if (e.status === 409 && !e.reason) return tb('exists');
    if (e.status === 422 && e.field) return tb('bad_field', { field: fieldText(e.field), why: whyText(e.message) });
  }
  return errorText(e);
}

/** The field a refusal names, if any (to mark the input). */
export function refusedField(e: unknown): string | undefined {
  return e instanceof ApiError && e.status === 422 ? e.field : undefined;
}
