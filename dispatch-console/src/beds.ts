// The bed registry (`/paturi`): every facility with its free places now (adults and children
// apart), admit and discharge, the overstays, and the cold-weather mode — a banner for all, the
// switch for a supervisor, the outdoor temperature for staff. A DV shelter's address is shown
// only as the server sends it (withheld for dispatchers and admins).

import './beds.css';
import { ApiError } from './api';
import { RegistryForms } from './beds-registry';
import { clear, h } from './dom';
import { currentLang } from './i18n';
import { tb } from './i18n-beds';
import { topBar } from './topbar';
import type { Me } from './types';

interface Facility {
  id: string;
  provider_id: string;
  name: string;
  kind: string;
  adult_places: number;
  child_places: number;
  cold_extra_places: number;
  stay_limit_days: number;
  address: string;
  address_withheld: boolean;
  lon: number | null;
  lat: number | null;
  phone: string;
  adult_places_now: number;
  free_adults: number;
  free_children: number;
}
interface Cold {
  on: boolean;
  source: string;
  mode: string;
  reason: string | null;
  set_by: string | null;
  celsius: number | null;
  season_from: string;
  season_to: string;
  below_celsius: number | null;
}
interface Admission {
  id: string;
  facility_id: string;
  person: string;
  adults: number;
  children: number;
  admitted_at: string;
  expected_leave: string;
  overstay: boolean;
  state: 'held' | 'admitted' | 'released';
}

const WORDS = {
  ro: {
    title: 'Paturi — locuri în adăposturi',
    facility: 'Unitate',
    address: 'Adresă',
    adults: 'Adulți liberi',
    children: 'Copii liberi',
    stay: 'Ședere max.',
    days: 'zile',
    day: 'zi',
    emiu_only: 'internări doar prin EMIU sau supervizor',
    actions: 'Internare',
    withheld: 'adresă protejată',
    person: 'inițiale',
    admit: 'Internează',
    discharge: 'Externează',
    in_now: 'Internați acum',
    overstays: 'Depășiri ale duratei de ședere',
    none: 'niciuna',
    cold_on: 'Cod de ger activ',
    cold_off: 'Cod de ger inactiv',
    cold_extra: 'adăposturile de noapte au locuri suplimentare',
    by_switch: 'pornit de supervizor',
    by_switch_off: 'oprit de supervizor',
    by_season: 'după perioada de iarnă',
    by_temperature: 'după temperatura raportată',
    by_rule: 'regula nu îl pornește',
    switch_on: 'Pornește codul de ger',
    switch_off: 'Oprește codul de ger',
    switch_auto: 'După regulă',
    reason: 'motivul (obligatoriu)',
    temp: 'Temperatura afară (°C)',
    temp_post: 'Trimite',
    last_temp: 'ultima temperatură',
    full: 'Nu mai sunt locuri libere pentru aceste persoane.',
    forbidden: 'Nu aveți dreptul la această acțiune.',
    bad: 'Câmp greșit',
    failed: 'Cererea nu a reușit',
    until: 'până la',
    held: 'rezervat, pe drum',
    kinds: { shelter: 'adăpost', night_shelter: 'adăpost de noapte', crisis: 'centru de criză', dv_shelter: 'adăpost victime violență' } as Record<string, string>,
    fields: { person: 'inițiale', adults: 'adulți', children: 'copii', reason: 'motiv', celsius: 'temperatură', mode: 'mod' } as Record<string, string>,
  },
  en: {
    title: 'Beds — shelter places',
    facility: 'Facility',
    address: 'Address',
    adults: 'Adults free',
    children: 'Children free',
    stay: 'Max. stay',
    days: 'days',
    day: 'day',
    emiu_only: 'admissions by EMIU or a supervisor only',
    actions: 'Admission',
    withheld: 'protected address',
    person: 'initials',
    admit: 'Admit',
    discharge: 'Discharge',
    in_now: 'In now',
    overstays: 'Overstays',
    none: 'none',
    cold_on: 'Cold-weather mode on',
    cold_off: 'Cold-weather mode off',
    cold_extra: 'night shelters have extra places',
    by_switch: 'switched on by a supervisor',
    by_switch_off: 'switched off by a supervisor',
    by_season: 'by the winter season',
    by_temperature: 'by the posted temperature',
    by_rule: 'the rule does not turn it on',
    switch_on: 'Turn cold-weather mode on',
    switch_off: 'Turn it off',
    switch_auto: 'By the rule',
    reason: 'reason (required)',
    temp: 'Outdoor temperature (°C)',
    temp_post: 'Post',
    last_temp: 'last temperature',
    full: 'No free places left for these people.',
    forbidden: 'You may not do this.',
    bad: 'Bad field',
    failed: 'The request failed',
    until: 'until',
    held: 'held, on the way',
    kinds: { shelter: 'shelter', night_shelter: 'night shelter', crisis: 'crisis centre', dv_shelter: 'DV shelter' } as Record<string, string>,
    fields: { person: 'initials', adults: 'adults', children: 'children', reason: 'reason', celsius: 'temperature', mode: 'mode' } as Record<string, string>,
  },
};

const w = () => WORDS[currentLang() === 'en' ? 'en' : 'ro'];

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string; reason?: string } }).error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? '', e?.field, e?.reason);
  }
  return json as T;
}

function explain(e: unknown): string {
  const words = w();
  if (e instanceof ApiError) {
    if (e.reason === 'no_free_place') return words.full;
    if (e.status === 403) return words.forbidden;
    if (e.status === 422 && e.field) return `${words.bad}: ${words.fields[e.field] ?? e.field}`;
  }
  return words.failed;
}

const day = (iso: string) =>
  new Date(iso).toLocaleString(currentLang() === 'en' ? 'en-GB' : 'ro-RO', { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });

export function mountBeds(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  let facilities: Facility[] = [];
  let cold: Cold | null = null;
  let overstays: Admission[] = [];
  const inside = new Map<string, Admission[]>();
  let message = '';
  let stopped = false;
  const body = h('div', { class: 'beds-body' });
  // Supervisors and admins keep the registry (the server's `KEEPERS`); the others only read it.
  const forms = me.role === 'supervisor' || me.role === 'admin' ? new RegistryForms(() => load()) : null;

  async function load(): Promise<void> {
    try {
      const list = await call<{ cold_weather: Cold; facilities: Facility[] }>('GET', '/api/v1/beds/facilities');
      facilities = list.facilities;
      await forms?.loadProviders();
      cold = list.cold_weather;
      overstays = (await call<{ admissions: Admission[] }>('GET', '/api/v1/beds/overstays')).admissions;
      inside.clear();
      await Promise.all(
        facilities.map(async (f) => {
          const a = await call<{ admissions: Admission[] }>('GET', `/api/v1/beds/facilities/${encodeURIComponent(f.id)}/admissions`);
          inside.set(f.id, a.admissions);
        }),
      );
    } catch (e) {
      message = explain(e);
    }
    if (!stopped) render();
  }

  async function act(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      message = '';
    } catch (e) {
      message = explain(e);
    }
    await load();
  }

  function banner(): HTMLElement {
    const words = w();
    if (!cold) return h('div');
    const why =
      cold.source === 'switch'
        ? cold.on ? words.by_switch : words.by_switch_off
        : cold.source === 'season'
          ? `${words.by_season} (${cold.season_from} – ${cold.season_to})`
          : cold.source === 'temperature'
            ? words.by_temperature
            : words.by_rule;
    const reason = cold.source === 'switch' && cold.reason ? ` — „${cold.reason}”` : '';
    const temp = cold.celsius !== null ? ` · ${words.last_temp}: ${cold.celsius} °C` : '';
    const controls = h('div', { class: 'cold-controls' });
    if (me.role === 'supervisor') {
      const reasonInput = h('input', { name: 'reason', placeholder: words.reason, 'aria-label': words.reason });
      const sw = (mode: string) => () =>
        void act(() => call('PUT', '/api/v1/beds/cold-weather', { mode, reason: reasonInput.value }));
      controls.append(
        reasonInput,
        h('button', { 'data-action': 'cold-on', onclick: sw('on') }, words.switch_on),
        h('button', { 'data-action': 'cold-off', onclick: sw('off') }, words.switch_off),
        h('button', { 'data-action': 'cold-auto', onclick: sw('auto') }, words.switch_auto),
      );
    }
    if (me.role !== 'emiu') {
      const t = h('input', { name: 'celsius', type: 'number', step: '0.5', 'aria-label': words.temp, placeholder: '°C', class: 'beds-temp' });
      controls.append(
        h('label', {}, words.temp, ' ', t),
        h('button', { 'data-action': 'post-temperature', onclick: () => void act(() => call('POST', '/api/v1/beds/temperature', { celsius: Number(t.value) })) }, words.temp_post),
      );
    }
    return h(
      'section',
      { class: `cold-banner ${cold.on ? 'on' : 'off'}`, 'data-cold': cold.on ? 'on' : 'off' },
      h('div', {}, h('div', { class: 'cold-title' }, cold.on ? `❄ ${words.cold_on}` : words.cold_off), h('div', {}, cold.on ? `${words.cold_extra}; ${why}${reason}${temp}` : `${why}${reason}${temp}`)),
      h('span', { class: 'spacer beds-spacer' }),
      controls,
    );
  }

  function row(f: Facility): HTMLElement {
    const words = w();
    const person = h('input', { name: 'person', placeholder: words.person, 'aria-label': words.person, maxlength: 24 });
    const adults = h('input', { name: 'adults', type: 'number', min: 0, max: 20, value: 1, 'aria-label': words.fields.adults });
    const children = h('input', { name: 'children', type: 'number', min: 0, max: 30, value: 0, 'aria-label': words.fields.children });
    const admit = h(
      'form',
      {
        class: 'admit-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void act(() =>
            call('POST', `/api/v1/beds/facilities/${encodeURIComponent(f.id)}/admissions`, {
              person: person.value,
              adults: Number(adults.value),
              children: Number(children.value),
            }),
          );
        },
      },
      person,
      h('label', { class: 'muted' }, words.fields.adults, ' ', adults),
      h('label', { class: 'muted' }, words.fields.children, ' ', children),
      h('button', { class: 'primary', type: 'submit', 'data-action': 'admit' }, words.admit),
    );
    const list = inside.get(f.id) ?? [];
    const people = h(
      'ul',
      { class: 'beds-admissions' },
      list.map((a) =>
        h(
          'li',
          { class: a.overstay ? 'overstay' : '', 'data-admission-id': a.id },
          h('span', {}, `${a.person} · ${a.adults}+${a.children}`),
          a.state === 'held' ? h('span', { class: 'held-tag', 'data-field': 'held' }, words.held) : null,
          h('span', { class: 'muted' }, `${words.until} ${day(a.expected_leave)}`),
          h('button', { class: 'link', 'data-action': 'discharge', onclick: () => void act(() => call('POST', `/api/v1/beds/admissions/${a.id}/discharge`, {})) }, words.discharge),
        ),
      ),
    );
    const extra = f.adult_places_now > f.adult_places ? ` (+${f.adult_places_now - f.adult_places} ❄)` : '';
    return h(
      'tr',
      { 'data-facility-id': f.id, 'data-kind': f.kind },
      h(
        'td',
        {},
        h('div', { class: 'facility-name' }, f.name),
        h('div', { class: 'kind' }, words.kinds[f.kind] ?? f.kind),
        forms ? h('button', { type: 'button', class: 'link', 'data-action': 'edit-facility', onclick: () => forms.openFacility(f) }, tb('edit')) : null,
      ),
      h('td', {}, f.address_withheld ? h('span', { class: 'withheld', 'data-field': 'address' }, words.withheld) : h('span', { 'data-field': 'address' }, f.address || '—'), f.phone ? h('div', { class: 'muted' }, f.phone) : null),
      h('td', { class: 'num' }, h('span', { class: `free-count${f.free_adults === 0 ? ' none' : ''}`, 'data-field': 'free-adults', 'data-free': f.free_adults }, String(f.free_adults)), ` / ${f.adult_places_now}${extra}`),
      h('td', { class: 'num' }, h('span', { class: `free-count${f.free_children === 0 && f.child_places > 0 ? ' none' : ''}`, 'data-field': 'free-children', 'data-free': f.free_children }, String(f.free_children)), ` / ${f.child_places}`),
      h('td', { class: 'num' }, `${f.stay_limit_days} ${f.stay_limit_days === 1 ? words.day : words.days}`),
      h('td', {}, f.address_withheld ? h('span', { class: 'muted', 'data-field': 'admit-refused' }, words.emiu_only) : admit, list.length ? h('div', { class: 'muted beds-in-now' }, words.in_now) : null, people),
    );
  }

  function render(): void {
    const words = w();
    clear(body);
    body.append(
      banner(),
      h('div', { class: 'beds-msg', role: 'alert' }, message),
      forms ? (forms.render(), forms.el) : '',
      h(
        'section',
        { class: 'panel' },
        h('h2', { class: 'beds-title' }, words.title),
        h(
          'table',
          { class: 'beds-table' },
          h('thead', {}, h('tr', {}, h('th', {}, words.facility), h('th', {}, words.address), h('th', {}, words.adults), h('th', {}, words.children), h('th', {}, words.stay), h('th', {}, words.actions))),
          h('tbody', {}, facilities.map(row)),
        ),
      ),
      h(
        'section',
        { class: 'panel', 'data-section': 'overstays' },
        h('h3', {}, words.overstays),
        overstays.length
          ? h('ul', { class: 'beds-admissions' }, overstays.map((a) => h('li', { class: 'overstay' }, `${facilities.find((f) => f.id === a.facility_id)?.name ?? a.facility_id}: ${a.person} · ${words.until} ${day(a.expected_leave)}`)))
          : h('span', { class: 'muted' }, words.none),
      ),
    );
  }

  clear(root);
  root.append(topBar(me, onLogout, () => render()), body);
  void load();
  const timer = window.setInterval(() => void load(), 20_000);
  return () => {
    stopped = true;
    window.clearInterval(timer);
  };
}
