// The riders page (`/transport/beneficiari`): search the registered riders, register one by
// address search (the service's own geocoder, as the new-call form does), with the disability
// certificate; the certificates expiring soon; the riders the no-show / late-cancel policy flags,
// which a supervisor suspends or waives (dispatchers see the list, not the buttons; the server
// refuses them anyway). Every server refusal is shown by its reason code, translated.

import { clear, h } from '../dom';
import { currentLang, missing } from '../i18n';
import { topBar } from '../topbar';
import type { Me } from '../types';
import { addressSearch, type Candidate } from './address-search';
import { type TKey, tt } from './i18n';

interface Certificate {
  degree: string;
  kind: string;
  number: string;
  issued_by: string;
  valid_from: string;
  valid_until: string | null;
}

interface Rider {
  id: string;
  name: string;
  phone: string | null;
  carer_phone: string | null;
  mobility: string;
  places: { kind: string; address: string }[];
  certificate?: Certificate | null;
}

interface PolicyStatus {
  counted: number;
  flagged: boolean;
  suspended_until?: string;
  suspension_reason?: string;
}

interface Flagged {
  max_events: number;
  window_days: number;
  riders: { rider_id: string; name: string; status: PolicyStatus }[];
}

interface Expiring {
  days: number;
  certificates: { rider_id: string; name: string; valid_until: string; days_left: number; certificate: Certificate }[];
}

const DEGREES = ['grav', 'accentuat', 'mediu', 'usor'];
const KINDS = ['fizic', 'vizual', 'auditiv', 'surdocecitate', 'somatic', 'mintal', 'psihic', 'hiv_sida', 'asociat', 'boli_rare'];
const MOBILITY = ['seated', 'walker', 'wheelchair'];
const ISSUER = 'Comisia de evaluare a persoanelor adulte cu handicap Timiș';

/** A refusal as the server sends it: the reason code is what the page explains. */
class Refused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly reason: string | null,
    readonly field: string | null,
  ) {
    super(code);
  }
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) {
    const e = (json as { error?: { code?: string; reason?: string; field?: string } } | undefined)?.error;
    throw new Refused(res.status, e?.code ?? String(res.status), e?.reason ?? null, e?.field ?? null);
  }
  return json as T;
}

/** A server code (`grav`, `fizic`, `wheelchair`, a refusal reason) in the page's language. */
function code(prefix: string, value: string): string {
  const key = `${prefix}${value}` as TKey;
  try {
    const text = tt(key);
    if (text !== undefined) return text;
  } catch {
    // Not in the dictionary: below.
  }
  return missing(key, value);
}

function refusalText(e: unknown): string {
  if (e instanceof Refused) {
    if (e.reason) return code('rp_err_', e.reason);
    if (e.status === 403) return tt('rp_err_forbidden');
    if (e.field) return tt('rp_err_field', { f: e.field });
    return tt('rp_err_other', { c: e.code });
  }
  return tt('rp_err_other', { c: String(e) });
}

const dateFmt = () => new Intl.DateTimeFormat(currentLang() === 'en' ? 'en-GB' : 'ro-RO', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
const showDate = (iso: string) => dateFmt().format(new Date(`${iso}T00:00:00Z`));

function isoToday(plusDays = 0): string {
  const d = new Date(Date.now() + plusDays * 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function field(label: string, input: HTMLElement, name: string): HTMLElement {
  const id = `rp-${name}`;
  input.id = id;
  return h('div', { class: 'rp-field', 'data-field': name }, h('label', { for: id }, label), input);
}

export function mountRiders(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  const supervisor = me.role === 'supervisor' || me.role === 'admin';
  let riders: Rider[] = [];
  let flagged: Flagged | null = null;
  let expiring: Expiring | null = null;
  let statusText = '';
  let statusError = false;

  const message = h('p', { class: 'transport-message', role: 'status', 'data-field': 'message' });
  const listBox = h('section', { class: 'panel rp-list', 'aria-label': 'riders' });
  const formBox = h('section', { class: 'panel rp-form', 'aria-label': 'register' });
  const expiringBox = h('section', { class: 'panel rp-expiring', 'aria-label': 'expiring' });
  const flaggedBox = h('section', { class: 'panel rp-flagged', 'aria-label': 'flagged' });
  const search = h('input', { type: 'search', name: 'rider-search', autocomplete: 'off' });
  search.addEventListener('input', () => renderList());

  const say = (text: string, error = false) => {
    statusText = text;
    statusError = error;
    message.textContent = text;
    message.classList.toggle('error', error);
  };
  const fail = (e: unknown) => {
    if (e instanceof Refused && e.status === 401) return onLogout();
    say(refusalText(e), true);
  };

  async function load(): Promise<void> {
    try {
      const [r, f, x] = await Promise.all([
        send<{ riders: Rider[] }>('GET', '/api/v1/transport/riders'),
        send<Flagged>('GET', '/api/v1/transport/policy/flagged'),
        send<Expiring>('GET', '/api/v1/transport/certificates/expiring'),
      ]);
      riders = r.riders;
      flagged = f;
      expiring = x;
      renderList();
      renderExpiring();
      renderFlagged();
    } catch (e) {
      fail(e);
    }
  }

  function certText(c: Certificate | null | undefined): string {
    if (!c) return tt('rp_no_certificate');
    const until = c.valid_until ? tt('rp_valid_until', { d: showDate(c.valid_until) }) : tt('rp_permanent');
    return `${code('rp_deg_', c.degree)}, ${code('rp_kind_', c.kind)} · ${until}`;
  }

  function policyText(id: string): string {
    const f = flagged?.riders.find((r) => r.rider_id === id);
    if (!f) return tt('rp_ok');
    if (f.status.suspended_until) return tt('rp_suspended_until', { d: showDate(f.status.suspended_until) });
    return tt('rp_flag');
  }

  function renderList(): void {
    search.placeholder = tt('rp_search');
    search.setAttribute('aria-label', tt('rp_search'));
    const q = search.value.trim().toLowerCase();
    const shown = riders.filter(
      (r) => !q || r.id.toLowerCase().includes(q) || r.name.toLowerCase().includes(q) || (r.phone ?? '').includes(q) || (r.carer_phone ?? '').includes(q),
    );
    const rows = shown.slice(0, 200).map((r) =>
      h(
        'tr',
        { 'data-rider': r.id },
        h('td', {}, r.id),
        h('td', {}, r.name),
        h('td', {}, r.phone ?? r.carer_phone ?? ''),
        h('td', {}, code('rp_mob_', r.mobility)),
        h('td', { class: r.certificate ? '' : 'rp-missing' }, certText(r.certificate)),
        h('td', {}, policyText(r.id)),
      ),
    );
    clear(listBox);
    listBox.append(
      h('div', { class: 'panel-head' }, h('h2', {}, tt('rp_list')), h('span', { class: 'count' }, String(shown.length))),
      search,
      shown.length === 0
        ? h('p', { class: 'muted' }, tt('rp_none'))
        : h(
            'table',
            { class: 'rp-table' },
            h(
              'thead',
              {},
              h('tr', {}, ...[tt('rp_id'), tt('rp_name'), tt('rp_phone'), tt('rp_mobility'), tt('rp_certificate'), tt('rp_policy')].map((x) => h('th', {}, x))),
            ),
            h('tbody', {}, rows),
          ),
    );
  }

  function renderExpiring(): void {
    clear(expiringBox);
    const list = expiring?.certificates ?? [];
    expiringBox.append(
      h('div', { class: 'panel-head' }, h('h2', {}, tt('rp_expiring', { n: expiring?.days ?? 60 })), h('span', { class: 'count' }, String(list.length))),
      list.length === 0
        ? h('p', { class: 'muted' }, tt('rp_expiring_none'))
        : h(
            'ul',
            { class: 'rp-expiring-list' },
            list.map((c) =>
              h(
                'li',
                { 'data-rider': c.rider_id, class: c.days_left < 0 ? 'rp-expired' : c.days_left <= 14 ? 'rp-soon' : '' },
                h('strong', {}, `${c.rider_id} · ${c.name}`),
                ' ',
                h('span', {}, `${showDate(c.valid_until)} — ${c.days_left < 0 ? tt('rp_expired', { n: -c.days_left }) : tt('rp_days_left', { n: c.days_left })}`),
              ),
            ),
          ),
    );
  }

  async function decide(id: string, kind: 'suspend' | 'waive', until: string, reason: string): Promise<void> {
    if (!reason.trim()) return say(tt('rp_reason_needed'), true);
    try {
      const body = kind === 'suspend' ? { until, reason } : { reason };
      await send<PolicyStatus>('POST', `/api/v1/transport/riders/${encodeURIComponent(id)}/${kind}`, body);
      say(kind === 'suspend' ? tt('rp_suspended_ok', { id, d: showDate(until) }) : tt('rp_waived_ok', { id }));
      await load();
    } catch (e) {
      fail(e);
    }
  }

  function renderFlagged(): void {
    clear(flaggedBox);
    const list = flagged?.riders ?? [];
    flaggedBox.append(
      h('div', { class: 'panel-head' }, h('h2', {}, tt('rp_flagged')), h('span', { class: 'count' }, String(list.length))),
      h('p', { class: 'muted' }, flagged ? tt('rp_flagged_rule', { n: flagged.max_events, d: flagged.window_days }) : ''),
    );
    if (!supervisor) flaggedBox.append(h('p', { class: 'muted', 'data-field': 'supervisor-only' }, tt('rp_supervisor_only')));
    if (list.length === 0) {
      flaggedBox.append(h('p', { class: 'muted' }, tt('rp_flagged_none')));
      return;
    }
    for (const r of list) {
      const state = r.status.suspended_until
        ? tt('rp_suspended_until', { d: showDate(r.status.suspended_until) })
        : tt('rp_counted', { n: r.status.counted });
      const card = h(
        'div',
        { class: 'rp-flag-card', 'data-rider': r.rider_id },
        h('div', {}, h('strong', {}, `${r.rider_id} · ${r.name}`), ' ', h('span', { class: 'rp-state' }, state)),
      );
      if (supervisor) {
        const until = h('input', { type: 'date', name: 'until', value: isoToday(30), min: isoToday() });
        const reason = h('input', { type: 'text', name: 'reason', maxlength: 300 });
        const suspend = h('button', { type: 'button', class: 'primary', 'data-action': 'suspend', onclick: () => void decide(r.rider_id, 'suspend', until.value, reason.value) }, tt('rp_suspend'));
        const waive = h('button', { type: 'button', 'data-action': 'waive', onclick: () => void decide(r.rider_id, 'waive', until.value, reason.value) }, tt('rp_waive'));
        card.append(
          h(
            'div',
            { class: 'rp-decide' },
            field(tt('rp_until'), until, `until-${r.rider_id}`),
            field(tt('rp_reason'), reason, `reason-${r.rider_id}`),
            suspend,
            waive,
          ),
        );
      }
      flaggedBox.append(card);
    }
  }

  function renderForm(): void {
    clear(formBox);
    const id = h('input', { type: 'text', name: 'id', maxlength: 32, required: true });
    const name = h('input', { type: 'text', name: 'name', maxlength: 100, required: true });
    const phone = h('input', { type: 'tel', name: 'phone', maxlength: 20 });
    const carer = h('input', { type: 'tel', name: 'carer_phone', maxlength: 20 });
    const mobility = h('select', { name: 'mobility' }, MOBILITY.map((m) => h('option', { value: m }, code('rp_mob_', m))));
    const where = addressSearch({
      name: 'address',
      search: (q) => send<{ candidates: Candidate[] }>('GET', `/api/v1/geocode?q=${encodeURIComponent(q)}&limit=6`),
      onError: fail,
    });
    const { input: address, find, found } = where;
    const degree = h('select', { name: 'degree' }, DEGREES.map((d) => h('option', { value: d }, code('rp_deg_', d))));
    const kind = h('select', { name: 'kind' }, KINDS.map((k) => h('option', { value: k }, code('rp_kind_', k))));
    const number = h('input', { type: 'text', name: 'cert_number', maxlength: 40 });
    const issuer = h('input', { type: 'text', name: 'issued_by', maxlength: 200, value: ISSUER });
    const from = h('input', { type: 'date', name: 'valid_from', value: isoToday() });
    const until = h('input', { type: 'date', name: 'valid_until', value: isoToday(365) });
    const permanent = h('input', { type: 'checkbox', name: 'permanent' });
    permanent.addEventListener('change', () => {
      until.disabled = permanent.checked;
    });
    const notes = h('input', { type: 'text', name: 'notes', maxlength: 500 });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-action': 'save-rider' }, tt('rp_save'));
    const form = h(
      'form',
      {
        class: 'rp-register',
        novalidate: true,
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const picked = where.picked();
          if (!picked) return say(tt('rp_pick_first'), true);
          const body = {
            id: id.value.trim(),
            name: name.value.trim(),
            phone: phone.value.trim() || null,
            carer_phone: carer.value.trim() || null,
            mobility: mobility.value,
            notes: notes.value.trim(),
            places: [{ kind: 'home', address: picked.label, lon: picked.position.lon, lat: picked.position.lat }],
            certificate: number.value.trim()
              ? {
                  degree: degree.value,
                  kind: kind.value,
                  number: number.value.trim(),
                  issued_by: issuer.value.trim(),
                  valid_from: from.value,
                  valid_until: permanent.checked ? null : until.value,
                }
              : null,
          };
          try {
            const saved = await send<Rider>('POST', '/api/v1/transport/riders', body);
            say(tt('rp_saved', { id: saved.id }));
            renderForm();
            await load();
          } catch (err) {
            fail(err);
          }
        },
      },
      h('div', { class: 'panel-head' }, h('h2', {}, tt('rp_register'))),
      h(
        'div',
        { class: 'rp-grid' },
        field(tt('rp_id'), id, 'id'),
        field(tt('rp_name'), name, 'name'),
        field(tt('rp_phone'), phone, 'phone'),
        field(tt('rp_carer_phone'), carer, 'carer_phone'),
        field(tt('rp_mobility'), mobility, 'mobility'),
        field(tt('rp_notes'), notes, 'notes'),
      ),
      h('div', { class: 'rp-address' }, field(tt('rp_home'), address, 'address'), find),
      found,
      h(
        'div',
        { class: 'rp-grid' },
        field(tt('rp_degree'), degree, 'degree'),
        field(tt('rp_kind'), kind, 'kind'),
        field(tt('rp_cert_number'), number, 'cert_number'),
        field(tt('rp_issued_by'), issuer, 'issued_by'),
        field(tt('rp_valid_from'), from, 'valid_from'),
        field(tt('rp_valid_to'), until, 'valid_until'),
        h('label', { class: 'rp-check' }, permanent, ' ', tt('rp_is_permanent')),
      ),
      submit,
    );
    formBox.append(form);
  }

  const head = h('div', { class: 'transport-head' }, h('h1', {}, tt('rp_title')));
  const renderAll = () => {
    clear(root);
    const bar = topBar(me, onLogout, () => renderAll(), h('a', { href: '/transport', class: 'nav', 'data-action': 'back-transport' }, tt('rp_back')));
    head.querySelector('h1')!.textContent = tt('rp_title');
    root.append(bar, h('main', { class: 'riders-page' }, head, message, listBox, h('div', { class: 'rp-side' }, flaggedBox, expiringBox), formBox));
    renderList();
    renderExpiring();
    renderFlagged();
    renderForm();
    if (statusText) say(statusText, statusError);
  };
  renderAll();
  void load();
  return () => undefined;
}
