// The directory of services (`/servicii`): a dispatcher answering an information call searches
// it (name, who it is for, call category) and reads the card (address, hours, phone, how to
// apply); an admin adds and edits services here.

import { ApiError } from './api';
import { clear, h } from './dom';
import { errorText, term } from './i18n';
import { ts } from './i18n-services';
import { topBar } from './topbar';
import type { Me } from './types';

export interface ServiceEntry {
  id: string;
  name: string;
  kind: string;
  address: string;
  opening_hours: string;
  phone: string;
  email: string;
  eligibility: string;
  how_to_apply: string;
  categories: string[];
  ack_deadline_minutes: number;
  active: boolean;
}

/** A JSON call; an error answer becomes an `ApiError` (shown with `errorText`). */
export async function req<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; field?: string; reason?: string } })?.error;
    throw new ApiError(res.status, e?.code ?? String(res.status), e?.message ?? res.statusText, e?.field, e?.reason);
  }
  return json as T;
}

const FIELDS = ['address', 'opening_hours', 'phone', 'email', 'eligibility', 'how_to_apply'] as const;

export function mountServices(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  const admin = me.role === 'admin';
  const list = h('ul', { class: 'svc-list', 'data-field': 'services' });
  const card = h('section', { class: 'panel svc-card', 'data-field': 'service-card' });
  const count = h('p', { class: 'muted', role: 'status' });
  const q = h('input', { type: 'search', name: 'q', autocomplete: 'off' });
  const inactive = h('input', { type: 'checkbox', name: 'inactive' });
  let services: ServiceEntry[] = [];
  let selected: string | null = null;
  let editing: ServiceEntry | 'new' | null = null;
  let timer: number | undefined;

  async function load(): Promise<void> {
    const params = new URLSearchParams();
    if (q.value.trim()) params.set('q', q.value.trim());
    if (inactive.checked) params.set('inactive', 'true');
    try {
      services = (await req<{ services: ServiceEntry[] }>('GET', `/api/v1/services?${params}`)).services;
      if (selected && !services.some((s) => s.id === selected)) selected = null;
      if (!selected && services.length === 1) selected = services[0].id;
      render();
    } catch (e) {
      count.textContent = errorText(e);
    }
  }

  function render(): void {
    q.placeholder = ts('search_placeholder');
    count.textContent = services.length ? ts('n_found', { n: services.length }) : ts('none_found');
    list.replaceChildren(
      ...services.map((s) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              class: s.id === selected ? 'svc-item selected' : 'svc-item',
              'data-service': s.id,
              onclick: () => {
                selected = s.id;
                editing = null;
                render();
              },
            },
            h('strong', {}, s.name),
            h('span', { class: 'muted' }, ` · ${ts(s.kind === 'ngo' ? 'ngo' : 'das_unit')}${s.active ? '' : ` · ${ts('inactive')}`}`),
            h('span', { class: 'svc-phone mono' }, s.phone),
          ),
        ),
      ),
    );
    renderCard();
  }

  function renderCard(): void {
    clear(card);
    if (editing) {
      card.append(form(editing === 'new' ? null : editing));
      return;
    }
    const s = services.find((x) => x.id === selected);
    if (!s) {
      card.append(h('p', { class: 'muted' }, ts('pick_one')));
      return;
    }
    const row = (label: string, value: Node | string) => h('div', { class: 'svc-row' }, h('dt', {}, label), h('dd', {}, value || '—'));
    card.append(
      h('h2', {}, s.name),
      h('p', { class: 'muted' }, ts(s.kind === 'ngo' ? 'ngo' : 'das_unit'), s.active ? '' : ` · ${ts('inactive')}`),
      h(
        'dl',
        { class: 'svc-details' },
        row(ts('phone'), h('a', { class: 'svc-big mono', href: `tel:${s.phone}`, 'data-field': 'phone' }, s.phone)),
        row(ts('address'), s.address),
        row(ts('opening_hours'), s.opening_hours),
        row(ts('how_to_apply'), s.how_to_apply),
        row(ts('eligibility'), s.eligibility),
        row(ts('email'), s.email),
        row(ts('categories'), s.categories.map((c) => term(c)).join(', ')),
        row(ts('ack_deadline'), ts('minutes_n', { n: s.ack_deadline_minutes })),
      ),
      ...(admin ? [h('div', { class: 'row' }, h('button', { 'data-action': 'edit', onclick: () => { editing = s; renderCard(); } }, ts('edit')))] : []),
    );
  }

  function form(s: ServiceEntry | null): HTMLElement {
    const status = h('p', { class: 'muted', role: 'status', 'data-field': 'form-status' });
    const input = (name: string, value: string) => h('input', { name, value });
    const id = input('id', s?.id ?? '');
    if (s) id.setAttribute('disabled', '');
    const name = input('name', s?.name ?? '');
    const kind = h('select', { name: 'kind' }, ...['das_unit', 'ngo'].map((k) => h('option', { value: k, selected: k === (s?.kind ?? 'das_unit') }, ts(k as 'ngo'))));
    const fields = Object.fromEntries(FIELDS.map((f) => [f, f === 'eligibility' || f === 'how_to_apply' ? h('textarea', { name: f, rows: 2 }, s?.[f] ?? '') : input(f, s?.[f] ?? '')]));
    const cats = input('categories', (s?.categories ?? []).join(', '));
    const minutes = h('input', { name: 'ack_deadline_minutes', type: 'number', min: 1, value: s?.ack_deadline_minutes ?? 240 });
    const active = h('input', { name: 'active', type: 'checkbox', checked: s?.active ?? true });
    const label = (text: string, el: HTMLElement) => h('label', { class: 'svc-field' }, h('span', {}, text), el);
    const save = async () => {
      const body: Record<string, unknown> = {
        name: name.value,
        kind: kind.value,
        categories: cats.value.split(',').map((c) => c.trim()).filter(Boolean),
        ack_deadline_minutes: Number(minutes.value),
        active: active.checked,
      };
      for (const f of FIELDS) body[f] = (fields[f] as HTMLInputElement).value;
      try {
        let saved: ServiceEntry;
        if (s) saved = await req<ServiceEntry>('PUT', `/api/v1/services/${encodeURIComponent(s.id)}`, body);
        else saved = await req<ServiceEntry>('POST', '/api/v1/services', { ...body, id: id.value.trim() });
        selected = saved.id;
        editing = null;
        await load();
      } catch (e) {
        status.textContent = errorText(e);
        status.className = 'error';
      }
    };
    return h(
      'form',
      { class: 'svc-form', 'data-field': 'service-form', onsubmit: (e: Event) => { e.preventDefault(); void save(); } },
      h('h2', {}, s ? s.name : ts('add_service')),
      label(ts('id_label'), id),
      label(ts('name'), name),
      label(ts('kind'), kind),
      ...FIELDS.map((f) => label(ts(f), fields[f])),
      label(`${ts('categories')} (${ts('categories_hint')})`, cats),
      label(ts('ack_deadline'), minutes),
      h('label', { class: 'svc-check' }, active, ` ${ts('active')}`),
      h(
        'div',
        { class: 'row' },
        h('button', { class: 'primary', type: 'submit', 'data-action': 'save' }, ts('save')),
        h('button', { type: 'button', class: 'secondary', onclick: () => { editing = null; renderCard(); } }, ts('cancel')),
      ),
      status,
    );
  }

  q.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load(), 200);
  });
  inactive.addEventListener('change', () => void load());
  const heading = h('h1', {});
  const searchLabel = h('span', {});
  const inactiveLabel = h('span', {});
  const addBtn = admin ? h('button', { class: 'secondary', 'data-action': 'add', onclick: () => { editing = 'new'; renderCard(); } }) : null;
  const labels = () => {
    heading.textContent = ts('services_title');
    searchLabel.textContent = `${ts('search_label')} `;
    inactiveLabel.textContent = ` ${ts('show_inactive')}`;
    if (addBtn) addBtn.textContent = ts('add_service');
    render();
  };
  root.replaceChildren(
    topBar(me, onLogout, labels),
    h(
      'main',
      { class: 'services-page' },
      h('div', { class: 'svc-head' }, heading),
      h('div', { class: 'svc-search row' }, h('label', {}, searchLabel, q), admin || me.role === 'supervisor' ? h('label', {}, inactive, inactiveLabel) : null, addBtn),
      h('div', { class: 'svc-columns' }, h('div', { class: 'panel svc-results' }, count, list), card),
    ),
  );
  labels();
  q.focus();
  void load();
  return () => window.clearTimeout(timer);
}
