// The forms that keep the bed registry (on /paturi), for the roles the server lets keep it
// (supervisors and admins: `beds::rules::KEEPERS`): add or edit a provider (DAS or an NGO) and a
// facility (kind, address found with the address search, places for adults and for children,
// the stay limit, the extra places a night shelter opens in cold weather). A refused field is
// marked and named in words. An admin never sees a DV shelter's address: its field stays
// locked and the server keeps the one recorded.

import { ApiError, api } from './api';
import { clear, h } from './dom';
import { bedsError, kindText, refusedField, tb } from './i18n-beds';
import { termS } from './i18n-shift';
import type { GeocodeCandidate } from './types';

export interface Provider {
  id: string;
  name: string;
  kind: string;
  phone: string;
}
export interface KeptFacility {
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
}

const KINDS = ['shelter', 'night_shelter', 'crisis', 'dv_shelter'] as const;
const PROVIDER_KINDS = ['das', 'ngo'] as const;

async function send<T>(method: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(path, { method, credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string; reason?: string } }).error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? '', e?.field, e?.reason);
  }
  return json as T;
}

/** A labelled field; `name` is the API's field name, so a refusal can mark it. */
function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'reg-field' }, h('span', {}, label), input, hint ? h('small', { class: 'muted' }, hint) : null);
}

export class RegistryForms {
  readonly el = h('section', { class: 'panel registry', 'data-section': 'registry' });
  private providers: Provider[] = [];
  /** The open form, kept across the page's redraws so nothing typed is lost. */
  private form: HTMLElement | null = null;
  private message = '';
  private bad = false;

  constructor(private readonly onSaved: () => Promise<void>) {}

  async loadProviders(): Promise<void> {
    const res = await fetch('/api/v1/beds/providers', { credentials: 'same-origin' });
    if (res.ok) this.providers = ((await res.json()) as { providers: Provider[] }).providers;
  }

  render(): void {
    clear(this.el);
    this.el.append(
      h(
        'div',
        { class: 'reg-head' },
        h('h3', {}, tb('keep')),
        h('button', { type: 'button', class: 'secondary', 'data-action': 'new-provider', onclick: () => this.openProvider() }, `+ ${tb('provider_new')}`),
        h('button', { type: 'button', class: 'secondary', 'data-action': 'new-facility', onclick: () => this.openFacility() }, `+ ${tb('facility_new')}`),
      ),
      h(
        'div',
        { class: 'reg-providers', 'data-field': 'providers' },
        h('span', { class: 'muted' }, `${tb('providers')}:`),
        ...this.providers.map((p) =>
          h(
            'span',
            { class: 'reg-provider', 'data-provider-id': p.id },
            `${p.name} (${tb(p.kind === 'ngo' ? 'pk_ngo' : 'pk_das')})`,
            h('button', { type: 'button', class: 'link', 'data-action': 'edit-provider', onclick: () => this.openProvider(p) }, tb('edit')),
          ),
        ),
      ),
    );
    if (this.message) this.el.append(h('p', { class: this.bad ? 'error' : 'muted', role: this.bad ? 'alert' : 'status', 'data-field': 'registry-message' }, this.message));
    if (this.form) this.el.append(this.form);
  }

  private close(): void {
    this.form = null;
    this.render();
  }

  private async save(form: HTMLElement, work: () => Promise<unknown>): Promise<void> {
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    try {
      await work();
      this.message = tb('saved');
      this.bad = false;
      this.form = null;
      await this.loadProviders();
      await this.onSaved();
    } catch (e) {
      this.message = bedsError(e);
      this.bad = true;
      const f = refusedField(e);
      const input = f ? form.querySelector<HTMLElement>(`[name="${f}"]`) : null;
      input?.setAttribute('aria-invalid', 'true');
      input?.focus();
    }
    this.render();
  }

  openProvider(p?: Provider): void {
    const id = h('input', { name: 'id', maxlength: 40, required: true, value: p?.id ?? '', disabled: !!p });
    const name = h('input', { name: 'name', maxlength: 120, required: true, value: p?.name ?? '' });
    const kind = h('select', { name: 'kind' }, ...PROVIDER_KINDS.map((k) => h('option', { value: k, selected: (p?.kind ?? 'das') === k }, tb(k === 'ngo' ? 'pk_ngo' : 'pk_das'))));
    const phone = h('input', { name: 'phone', type: 'tel', maxlength: 20, value: p?.phone ?? '' });
    const form: HTMLElement = h(
      'form',
      {
        class: 'reg-form',
        'data-form': 'provider',
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          const body = { name: name.value.trim(), kind: kind.value, phone: phone.value.trim() };
          void this.save(form, () =>
            p ? send('PUT', `/api/v1/beds/providers/${encodeURIComponent(p.id)}`, body) : send('POST', '/api/v1/beds/providers', { id: id.value.trim(), ...body }),
          );
        },
      },
      h('h4', {}, p ? tb('provider_edit') : tb('provider_new')),
      h('div', { class: 'reg-grid' }, field(tb('f_id'), id), field(tb('f_name'), name), field(tb('f_kind'), kind), field(tb('f_phone'), phone)),
      h('div', { class: 'reg-buttons' }, h('button', { type: 'submit', class: 'primary', 'data-action': 'save-provider' }, tb('save')), h('button', { type: 'button', class: 'secondary', onclick: () => this.close() }, tb('cancel'))),
    );
    this.open(form);
  }

  openFacility(f?: KeptFacility): void {
    let position: { lon: number; lat: number } | null = f && f.lon !== null && f.lat !== null ? { lon: f.lon, lat: f.lat } : null;
    const locked = !!f?.address_withheld;
    const id = h('input', { name: 'id', maxlength: 40, required: true, value: f?.id ?? '', disabled: !!f });
    const provider = h(
      'select',
      { name: 'provider_id' },
      ...this.providers.map((p) => h('option', { value: p.id, selected: p.id === f?.provider_id }, p.name)),
    );
    const name = h('input', { name: 'name', maxlength: 120, required: true, value: f?.name ?? '' });
    const kind = h('select', { name: 'kind' }, ...KINDS.map((k) => h('option', { value: k, selected: (f?.kind ?? 'shelter') === k }, kindText(k))));
    const num = (n: string, v: number, min: number, max: number) => h('input', { name: n, type: 'number', min, max, step: 1, value: v });
    const adults = num('adult_places', f?.adult_places ?? 10, 0, 2000);
    const children = num('child_places', f?.child_places ?? 0, 0, 2000);
    const stay = num('stay_limit_days', f?.stay_limit_days ?? 30, 1, 3650);
    const extra = num('cold_extra_places', f?.cold_extra_places ?? 0, 0, 2000);
    const phone = h('input', { name: 'phone', type: 'tel', maxlength: 20, value: f?.phone ?? '' });
    const address = h('input', { name: 'address', maxlength: 300, value: locked ? tb('withheld') : f?.address ?? '', disabled: locked });
    const where = h('div', { class: 'reg-geo', 'data-field': 'geocode', 'aria-live': 'polite' });
    const showPosition = () => {
      clear(where);
      where.append(h('span', { class: position ? 'geo-ok' : 'muted', 'data-field': 'position' }, position ? `✓ ${tb('geo_picked')}` : tb('geo_none_picked')));
    };
    const coldOnly = () => {
      const night = kind.value === 'night_shelter';
      extra.disabled = !night;
      if (!night) extra.value = '0';
    };
    kind.addEventListener('change', coldOnly);
    address.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        void search();
      }
    });
    address.addEventListener('input', () => {
      position = null;
      showPosition();
    });
    const search = async () => {
      const q = address.value.trim();
      if (!q) return;
      clear(where);
      where.append(h('span', { class: 'muted' }, tb('geo_busy')));
      let found: GeocodeCandidate[];
      try {
        found = (await api.geocode(q, 6)).candidates;
      } catch {
        clear(where);
        where.append(h('span', { class: 'muted' }, tb('geo_unavailable')));
        return;
      }
      clear(where);
      if (!found.length) {
        where.append(h('span', { class: 'muted' }, tb('geo_none')));
        return;
      }
      where.append(
        h(
          'div',
          { class: 'reg-candidates', role: 'listbox', 'aria-label': tb('f_address') },
          ...found.map((c) =>
            h(
              'button',
              {
                type: 'button',
                role: 'option',
                class: 'reg-candidate',
                'data-label': c.label,
                onclick: () => {
                  address.value = c.label;
                  position = c.position;
                  showPosition();
                },
              },
              h('span', { class: 'muted' }, termS(c.kind)),
              ' ',
              c.label,
            ),
          ),
        ),
      );
    };
    coldOnly();
    showPosition();
    const form: HTMLElement = h(
      'form',
      {
        class: 'reg-form',
        'data-form': 'facility',
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          const body = {
            provider_id: provider.value,
            name: name.value.trim(),
            kind: kind.value,
            adult_places: Number(adults.value),
            child_places: Number(children.value),
            cold_extra_places: Number(extra.value),
            stay_limit_days: Number(stay.value),
            // A withheld address is sent back as shown: the server keeps the one recorded.
            address: locked ? '***' : address.value.trim(),
            lon: locked ? null : position?.lon ?? null,
            lat: locked ? null : position?.lat ?? null,
            phone: phone.value.trim(),
          };
          void this.save(form, () =>
            f ? send('PUT', `/api/v1/beds/facilities/${encodeURIComponent(f.id)}`, body) : send('POST', '/api/v1/beds/facilities', { id: id.value.trim(), ...body }),
          );
        },
      },
      h('h4', {}, f ? tb('facility_edit') : tb('facility_new')),
      h(
        'div',
        { class: 'reg-grid' },
        field(tb('f_id'), id),
        field(tb('f_provider'), provider),
        field(tb('f_name'), name),
        field(tb('f_kind'), kind),
        field(tb('f_adult_places'), adults),
        field(tb('f_child_places'), children),
        field(tb('f_stay'), stay),
        field(tb('f_cold_extra'), extra, tb('cold_extra_hint')),
        field(tb('f_phone'), phone),
      ),
      h(
        'div',
        { class: 'reg-address' },
        field(tb('f_address'), address, locked ? tb('dv_address_kept') : undefined),
        locked ? null : h('button', { type: 'button', class: 'secondary', 'data-action': 'geocode', onclick: () => void search() }, tb('f_search')),
      ),
      locked ? null : where,
      h('div', { class: 'reg-buttons' }, h('button', { type: 'submit', class: 'primary', 'data-action': 'save-facility' }, tb('save')), h('button', { type: 'button', class: 'secondary', onclick: () => this.close() }, tb('cancel'))),
    );
    this.open(form);
  }

  private open(form: HTMLElement): void {
    this.form = form;
    this.message = '';
    this.render();
    form.scrollIntoView({ block: 'nearest' });
    form.querySelector<HTMLElement>('input:not([disabled]), select')?.focus();
  }
}
