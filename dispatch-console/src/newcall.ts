// The new-call form: a call card typed by the dispatcher (a walk-in, a call on another line, an
// e-mail, an institution). Opened from the console's "Apel nou" button or Shift+N / Insert, used
// without the mouse: Tab between fields, Enter on the number looks it up, Enter on the address
// searches it, arrows pick a candidate, Ctrl+Enter records, Esc cancels. One idempotency key
// per card, so a double click or a retry after a lost answer makes one card.

import { clear, h } from './dom';
import { formatDateTime, onLangChange, term } from './i18n';
import { CATEGORIES, CHANNELS, REPORTERS, type SKey, errorText, termCategory, termS, ts } from './i18n-shift';
import { type LookupAnswer, ShiftError, newKey, shiftApi } from './shiftapi';
import type { Item, LonLat } from './types';

interface Candidate {
  label: string;
  kind: string;
  position: LonLat;
}

const FIELD_KEYS: Record<string, SKey> = {
  caller_number: 'err_field_caller_number',
  location: 'err_field_location',
  'location.address': 'err_field_address',
  'location.lat': 'err_field_location',
  'location.lon': 'err_field_location',
  notes: 'err_field_notes',
  category: 'err_field_category',
  channel: 'err_field_channel',
  reporter: 'err_field_reporter',
};

const digits = (s: string) => s.replace(/\D/g, '');

export class NewCallForm {
  private el: HTMLElement | null = null;
  private key = newKey();
  private busy = false;
  private picked: Candidate | null = null;
  private lastLookup = '';
  private returnFocus: Element | null = null;

  constructor(private readonly onCreated: (item: Item) => void) {}

  get isOpen(): boolean {
    return this.el !== null;
  }

  open(): void {
    if (this.el) {
      this.el.querySelector<HTMLElement>('[name=channel]')?.focus();
      return;
    }
    this.returnFocus = document.activeElement;
    this.key = newKey();
    this.picked = null;
    this.lastLookup = '';
    this.busy = false;
    this.el = this.build();
    document.body.append(this.el);
    this.el.querySelector<HTMLElement>('[name=channel]')?.focus();
  }

  close(): void {
    if (!this.el) return;
    this.el.remove();
    this.el = null;
    if (this.returnFocus instanceof HTMLElement && this.returnFocus.isConnected) this.returnFocus.focus();
  }

  private field<T extends HTMLElement>(name: string): T {
    return this.el!.querySelector<T>(`[name="${name}"]`)!;
  }

  private build(): HTMLElement {
    const opt = (v: string, label: string, sel = false) => h('option', { value: v, selected: sel }, label);
    const row = (name: string, label: string, control: HTMLElement, extra?: HTMLElement | null) =>
      h(
        'div',
        { class: 'nc-row', 'data-row': name },
        h('label', { for: `nc-${name}` }, label),
        h('div', { class: 'nc-control' }, control, extra ?? null, h('div', { class: 'nc-error error', role: 'alert', 'data-error-for': name })),
      );
    const withId = <T extends HTMLElement>(el: T, name: string): T => {
      el.id = `nc-${name}`;
      return el;
    };

    const channel = withId(h('select', { name: 'channel' }, ...CHANNELS.map((c, i) => opt(c, termS(c), i === 0))), 'channel');
    const reporter = withId(
      h('select', { name: 'reporter' }, opt('unknown', termS('unknown'), true), ...REPORTERS.map((r) => opt(r, termS(r)))),
      'reporter',
    );
    const category = withId(h('select', { name: 'category' }, ...CATEGORIES.map((c, i) => opt(c, termCategory(c), i === 0))), 'category');
    const danger = withId(h('input', { type: 'checkbox', name: 'immediate_danger' }), 'immediate_danger');
    const number = withId(
      h('input', { type: 'tel', name: 'caller_number', autocomplete: 'off', placeholder: ts('f_number_hint'), inputmode: 'tel' }),
      'caller_number',
    );
    const lookupBox = h('div', { class: 'nc-lookup', 'data-field': 'lookup', 'aria-live': 'polite' });
    number.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.ctrlKey) {
        e.preventDefault();
        void this.lookup(true);
      }
    });
    number.addEventListener('blur', () => void this.lookup(false));

    const address = withId(
      h('input', { type: 'text', name: 'address', autocomplete: 'off', placeholder: ts('f_address_hint'), maxlength: 300 }),
      'address',
    );
    const searchBtn = h('button', { type: 'button', 'data-action': 'geocode', onclick: () => void this.search() }, ts('search'));
    const geoBox = h('div', { class: 'nc-geo', 'data-field': 'geocode', 'aria-live': 'polite' });
    address.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.ctrlKey) {
        e.preventDefault();
        void this.search();
      } else if (e.key === 'ArrowDown') {
        const first = geoBox.querySelector<HTMLElement>('[role=option]');
        if (first) {
          e.preventDefault();
          first.focus();
        }
      }
    });
    address.addEventListener('input', () => {
      if (this.picked && address.value !== this.picked.label) {
        this.picked = null;
        clear(geoBox);
      }
    });

    const notes = withId(h('textarea', { name: 'notes', rows: 3, maxlength: 4000 }), 'notes');
    const submit = h('button', { type: 'submit', class: 'primary', 'data-action': 'submit-call' }, ts('submit_call'));
    const general = h('div', { class: 'nc-general error', role: 'alert', 'data-field': 'form-error' });

    const form = h(
      'form',
      {
        class: 'newcall-form',
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          void this.submit();
        },
      },
      h('header', { class: 'nc-head' }, h('h2', { id: 'nc-title' }, ts('new_call_title')), h('span', { class: 'muted' }, ts('submit_hint'))),
      h(
        'div',
        { class: 'nc-grid' },
        h(
          'div',
          { class: 'nc-col' },
          row('channel', ts('f_channel'), channel),
          row('caller_number', ts('f_number'), number, lookupBox),
          row('reporter', ts('f_reporter'), reporter),
          row('category', ts('f_category'), category),
          row('immediate_danger', ts('f_danger'), h('label', { class: 'nc-check' }, danger, ' ', ts('yes'))),
        ),
        h(
          'div',
          { class: 'nc-col' },
          row('address', ts('f_address'), h('div', { class: 'nc-inline' }, address, searchBtn), geoBox),
          row('notes', ts('f_notes'), notes),
        ),
      ),
      general,
      h(
        'footer',
        { class: 'nc-foot' },
        submit,
        h('button', { type: 'button', 'data-action': 'cancel-call', onclick: () => this.close() }, ts('cancel')),
      ),
    );
    form.addEventListener('keydown', (e) => {
      // The console's single-key shortcuts (hotkeys.ts) must not act behind the open form.
      e.stopPropagation();
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.submit();
      } else if (e.key === 'Escape') {
        const inList = (e.target as HTMLElement).getAttribute('role') === 'option';
        e.preventDefault();
        e.stopPropagation();
        if (inList) address.focus();
        else this.close();
      } else if (e.key === 'Tab') {
        // Focus stays in the form while it is open.
        const all = [...form.querySelectorAll<HTMLElement>('input, select, textarea, button')].filter((x) => !(x as HTMLButtonElement).disabled);
        const i = all.indexOf(document.activeElement as HTMLElement);
        if (!e.shiftKey && i === all.length - 1) {
          e.preventDefault();
          all[0].focus();
        } else if (e.shiftKey && i === 0) {
          e.preventDefault();
          all[all.length - 1].focus();
        }
      }
    });
    return h(
      'div',
      {
        class: 'newcall-overlay',
        onmousedown: (e: Event) => {
          if (e.target === e.currentTarget) this.close();
        },
      },
      h('div', { class: 'newcall', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'nc-title' }, form),
    );
  }

  private setError(name: string, text: string): void {
    const slot = this.el?.querySelector<HTMLElement>(`[data-error-for="${name}"]`);
    if (slot) slot.textContent = text;
    this.el?.querySelector(`[data-row="${name}"]`)?.classList.toggle('invalid', !!text);
  }

  private clearErrors(): void {
    for (const slot of this.el?.querySelectorAll<HTMLElement>('[data-error-for]') ?? []) slot.textContent = '';
    for (const r of this.el?.querySelectorAll('.nc-row.invalid') ?? []) r.classList.remove('invalid');
    const g = this.el?.querySelector<HTMLElement>('[data-field=form-error]');
    if (g) g.textContent = '';
  }

  /** Whose number it is, and earlier cases from it (the server applies the DV rules). */
  private async lookup(force: boolean): Promise<void> {
    if (!this.el) return;
    const input = this.field<HTMLInputElement>('caller_number');
    const box = this.el.querySelector<HTMLElement>('[data-field=lookup]')!;
    const raw = input.value.trim();
    if (!raw) {
      clear(box);
      this.lastLookup = '';
      this.setError('caller_number', '');
      return;
    }
    if (!force && raw === this.lastLookup) return;
    this.lastLookup = raw;
    box.textContent = ts('lookup_busy');
    this.setError('caller_number', '');
    const phone = raw.replace(/[\s().-]/g, '');
    let answer: LookupAnswer;
    try {
      answer = await shiftApi.lookup(phone);
    } catch (e) {
      if (input.value.trim() !== raw) return;
      clear(box);
      if (e instanceof ShiftError && e.status === 422) this.setError('caller_number', ts('err_field_caller_number'));
      else box.textContent = errorText(e);
      return;
    }
    if (!this.el || input.value.trim() !== raw) return;
    clear(box);
    box.dataset.known = String(answer.devices.length > 0 || answer.history.length > 0);
    const tail = digits(answer.phone).slice(-9);
    const whose = answer.devices.map((d) => {
      if (digits(d.phone).endsWith(tail)) return ts('lookup_beneficiary', { name: d.beneficiary });
      const c = d.carers.find((x) => digits(x.phone).endsWith(tail));
      if (c?.relation) return ts('lookup_carer', { relation: c.relation, name: d.beneficiary });
      return ts('lookup_carer_norel', { name: d.beneficiary });
    });
    if (!answer.devices.length && !answer.history.length) {
      box.append(h('p', { class: 'muted' }, ts('lookup_unknown')));
      return;
    }
    for (const [i, w] of whose.entries()) {
      const d = answer.devices[i];
      box.append(h('p', { class: 'nc-whose', 'data-device': d.device_id }, h('strong', {}, w), d.address ? h('span', { class: 'muted' }, ` · ${d.address}`) : null));
    }
    if (!answer.history.length) {
      box.append(h('p', { class: 'muted' }, ts('lookup_no_history')));
      return;
    }
    box.append(
      h('div', { class: 'nc-history-title' }, ts('lookup_history', { n: answer.history.length })),
      h(
        'ul',
        { class: 'nc-history' },
        ...answer.history.slice(0, 8).map((it) =>
          h(
            'li',
            { 'data-item-id': it.id },
            h('span', { class: `level level-${it.priority.level}` }, it.priority.level),
            ` ${formatDateTime(it.times.received)} · ${termCategory(it.category)} · ${term(it.kind)} · `,
            h('span', { class: `status status-${it.status}` }, term(it.status)),
            it.redacted ? h('span', { class: 'muted' }, ` · ${ts('lookup_hidden')}`) : null,
          ),
        ),
      ),
    );
  }

  /** Address search: pick a candidate, or keep the typed text when only a street matched. */
  private async search(): Promise<void> {
    if (!this.el) return;
    const input = this.field<HTMLInputElement>('address');
    const box = this.el.querySelector<HTMLElement>('[data-field=geocode]')!;
    const q = input.value.trim();
    this.picked = null;
    clear(box);
    if (!q) return;
    box.textContent = ts('geo_busy');
    let found: Candidate[];
    try {
      found = (await shiftApi.geocode(q, 8)).candidates;
    } catch {
      if (input.value.trim() === q) box.textContent = ts('geo_unavailable');
      return;
    }
    if (!this.el || input.value.trim() !== q) return;
    clear(box);
    if (!found.length) {
      box.append(h('p', { class: 'muted' }, ts('geo_none')));
      return;
    }
    // No exact address among them (a street, a place): the typed text may be the best there is.
    const streetOnly = !found.some((c) => c.kind === 'address');
    const list = h('div', { class: 'nc-candidates', role: 'listbox', 'aria-label': ts('f_address') });
    const move = (from: HTMLElement, step: number) => {
      const all = [...list.querySelectorAll<HTMLElement>('[role=option]')];
      const i = all.indexOf(from) + step;
      if (i < 0) input.focus();
      else all[Math.min(i, all.length - 1)].focus();
    };
    for (const c of found) {
      const o = h(
        'div',
        { role: 'option', tabindex: 0, class: 'nc-candidate', 'data-kind': c.kind, 'data-label': c.label, 'aria-selected': 'false' },
        h('span', { class: 'nc-kind' }, termS(c.kind)),
        ' ',
        c.label,
      );
      o.addEventListener('click', () => this.pick(c));
      o.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !e.ctrlKey) {
          e.preventDefault();
          this.pick(c);
        } else if (e.key === 'ArrowDown') {
          e.preventDefault();
          move(o, 1);
        } else if (e.key === 'ArrowUp') {
          e.preventDefault();
          move(o, -1);
        }
      });
      list.append(o);
    }
    if (streetOnly) box.append(h('p', { class: 'nc-note' }, ts('geo_street_only')));
    box.append(list);
    if (streetOnly) {
      box.append(
        h('button', { type: 'button', class: 'secondary', 'data-action': 'keep-typed', onclick: () => this.keepTyped() }, ts('geo_keep')),
      );
    }
  }

  private pick(c: Candidate): void {
    if (!this.el) return;
    this.picked = c;
    const input = this.field<HTMLInputElement>('address');
    input.value = c.label;
    const box = this.el.querySelector<HTMLElement>('[data-field=geocode]')!;
    clear(box);
    box.append(h('p', { class: 'nc-picked', 'data-picked': c.kind }, '✓ ', ts('geo_picked', { label: `${c.label} (${termS(c.kind)})` })));
    this.field<HTMLElement>('notes').focus();
  }

  private keepTyped(): void {
    if (!this.el) return;
    this.picked = null;
    const box = this.el.querySelector<HTMLElement>('[data-field=geocode]')!;
    clear(box);
    box.append(h('p', { class: 'muted', 'data-picked': 'typed' }, ts('geo_typed')));
    this.field<HTMLElement>('notes').focus();
  }

  private async submit(): Promise<void> {
    if (!this.el || this.busy) return;
    this.clearErrors();
    const number = this.field<HTMLInputElement>('caller_number').value.trim();
    const typed = this.field<HTMLInputElement>('address').value.trim();
    const notes = this.field<HTMLTextAreaElement>('notes').value.trim();
    const p = this.picked && this.picked.label === typed ? this.picked : null;
    const card = {
      caller_number: number || null,
      category: this.field<HTMLSelectElement>('category').value,
      immediate_danger: this.field<HTMLInputElement>('immediate_danger').checked,
      channel: this.field<HTMLSelectElement>('channel').value,
      reporter: this.field<HTMLSelectElement>('reporter').value,
      location: p ? { address: p.label, lon: p.position.lon, lat: p.position.lat } : typed ? { address: typed } : null,
      notes: notes || null,
    };
    const button = this.el.querySelector<HTMLButtonElement>('[data-action=submit-call]')!;
    this.busy = true;
    button.disabled = true;
    button.textContent = ts('saving');
    try {
      const item = await shiftApi.postCall(card, this.key);
      this.busy = false;
      this.close();
      this.onCreated(item);
      return;
    } catch (e) {
      this.busy = false;
      if (!this.el) return;
      button.disabled = false;
      button.textContent = ts('submit_call');
      const err = e instanceof ShiftError ? e : null;
      // A refusal stored nothing: the corrected card is a new request. A lost answer (network,
      // 408, 5xx) keeps the key, so a retry cannot make a second card.
      if (err && err.status >= 400 && err.status < 500 && err.status !== 408) this.key = newKey();
      if (err?.status === 422 && err.field) {
        const name = err.field.startsWith('location') ? 'address' : err.field;
        const text = ts(FIELD_KEYS[err.field] ?? 'err_field_other');
        if (this.el.querySelector(`[data-error-for="${name}"]`)) {
          this.setError(name, text);
          this.field<HTMLElement>(name === 'immediate_danger' ? 'immediate_danger' : name)?.focus();
          return;
        }
      }
      this.el.querySelector<HTMLElement>('[data-field=form-error]')!.textContent =
        err?.status === 0 ? ts('err_network') : errorText(e);
    }
  }
}

/** The console's "Apel nou" button; relabelled when the language changes. */
export function newCallButton(form: NewCallForm): HTMLElement {
  const b = h('button', { type: 'button', class: 'new-call', 'data-action': 'new-call', onclick: () => form.open() });
  const label = () => {
    b.textContent = `+ ${ts('new_call')}`;
    b.title = ts('new_call_hint');
    b.setAttribute('aria-keyshortcuts', 'Shift+N Insert');
  };
  label();
  onLangChange(label);
  return b;
}

/** Shift+N or Insert opens the form, unless the dispatcher is typing somewhere. */
export function newCallHotkey(e: KeyboardEvent, form: NewCallForm): void {
  if (form.isOpen || e.ctrlKey || e.altKey || e.metaKey) return;
  const t = e.target as HTMLElement | null;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  if (e.key === 'Insert' || (e.shiftKey && e.code === 'KeyN')) {
    e.preventDefault();
    form.open();
  }
}
