// The duty roster (`/tura`), for supervisors and admins: who is on duty now and next, the
// shifts of the coming week (add, change, delete), the dispatchers' phones the incoming calls
// ring, and the history of handover notes with who acknowledged them.

import './roster.css';
import { clear, h } from './dom';
import { ApiError } from './api';
import { currentLang } from './i18n';
import { clock, refusalText, tr, when } from './i18n-roster';
import { roster, type Contact, type Duty, type Handover, type Member, type Shift } from './rosterapi';
import { summaryEl } from './handover';
import { topBar } from './topbar';
import type { Me } from './types';

export function mayKeepRoster(me: Me): boolean {
  return me.role === 'supervisor' || me.role === 'admin';
}

export function rosterLink(me: Me): HTMLElement | null {
  if (!mayKeepRoster(me)) return null;
  return h('a', { class: 'reports-link', href: '/tura', 'data-action': 'roster' }, tr('roster'));
}

const pad = (n: number) => String(n).padStart(2, '0');
const dateValue = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const timeValue = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

export function mountRoster(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  let duty: Duty | null = null;
  let shifts: Shift[] = [];
  let people: Member[] = [];
  let contacts: Contact[] = [];
  let notes: Handover[] = [];
  let editing: Shift | null = null;
  let flash = '';
  let error = '';

  const dutyEl = h('section', { class: 'panel roster-duty', 'data-panel': 'on-duty' });
  const formEl = h('section', { class: 'panel roster-form', 'data-panel': 'shift-form' });
  const listEl = h('section', { class: 'panel roster-list', 'data-panel': 'shifts' });
  const phonesEl = h('section', { class: 'panel roster-phones', 'data-panel': 'phones' });
  const historyEl = h('section', { class: 'panel roster-history', 'data-panel': 'handover-history' });
  const title = h('h1', { class: 'sup-title' }, tr('roster_title'));
  const back = h('a', { class: 'reports-link', href: '/' }, '');

  async function load(): Promise<void> {
    try {
      const from = new Date();
      from.setHours(0, 0, 0, 0);
      const to = new Date(from.getTime() + 7 * 86_400_000);
      const [d, s, p, c, n] = await Promise.all([roster.onDuty(), roster.shifts(from, to), roster.people(), roster.contacts(), roster.history()]);
      duty = d;
      shifts = s.shifts;
      people = p.people;
      contacts = c.contacts;
      notes = n.notes;
      error = '';
    } catch (e) {
      error = e instanceof ApiError ? refusalText(e) : String(e);
    }
    render();
  }

  function name(username: string): string {
    return people.find((p) => p.username === username)?.display_name ?? username;
  }

  function memberList(s: Shift): HTMLElement {
    return h(
      'span',
      { class: 'members' },
      s.members.flatMap((m, i) => [
        i ? ', ' : '',
        h('span', { class: m.has_phone ? 'member' : 'member no-phone', 'data-username': m.username }, m.display_name, m.username === s.lead ? ' ★' : '', m.has_phone ? '' : ` (${tr('no_phone')})`),
      ]),
    );
  }

  function renderDuty(): void {
    clear(dutyEl);
    dutyEl.append(h('h2', {}, tr('on_duty_now')));
    if (!duty) return;
    if (!duty.on_duty.length) dutyEl.append(h('p', { class: 'warn', 'data-field': 'nobody' }, tr('nobody_on_duty')));
    for (const s of duty.on_duty) {
      dutyEl.append(h('p', { class: 'duty-shift', 'data-shift-id': s.id }, h('strong', {}, `${clock(s.starts_at)}–${clock(s.ends_at)}`), ' · ', memberList(s)));
    }
    if (duty.on_duty.length) dutyEl.append(h('p', { class: duty.phones ? 'muted' : 'warn', 'data-field': 'phones' }, duty.phones === 1 ? tr('rings_one') : duty.phones ? tr('rings', { n: duty.phones }) : tr('rings_none')));
    dutyEl.append(h('h3', {}, tr('next_shift')));
    dutyEl.append(duty.next ? h('p', { 'data-field': 'next' }, h('strong', {}, `${when(duty.next.starts_at)}–${clock(duty.next.ends_at)}`), ' · ', memberList(duty.next)) : h('p', { class: 'muted' }, tr('no_next_shift')));
  }

  // The form is drawn again only when what it is for changes (another shift to edit, the list of
  // people, the language, a save): a background reload must not wipe what the supervisor typed.
  let formFor: string | null = null;
  const formKey = () => `${editing?.id ?? 'new'}:${people.map((p) => p.username).join(',')}`;

  function renderForm(): void {
    clear(formEl);
    formFor = formKey();
    const start = editing ? new Date(editing.starts_at) : nextHour();
    const end = editing ? new Date(editing.ends_at) : new Date(start.getTime() + 8 * 3_600_000);
    const day = h('input', { type: 'date', name: 'day', value: dateValue(start), required: true }) as HTMLInputElement;
    const from = h('input', { type: 'time', name: 'starts', value: timeValue(start), required: true }) as HTMLInputElement;
    const to = h('input', { type: 'time', name: 'ends', value: timeValue(end), required: true }) as HTMLInputElement;
    const chosen = new Set(editing?.members.map((m) => m.username) ?? []);
    const lead = h('select', { name: 'lead' }, h('option', { value: '' }, '—'), ...people.map((p) => h('option', { value: p.username, selected: editing?.lead === p.username }, p.display_name))) as HTMLSelectElement;
    const boxes = people.map((p) =>
      h('label', { class: 'member-choice' }, h('input', { type: 'checkbox', name: 'member', value: p.username, checked: chosen.has(p.username) }), ` ${p.display_name}`, p.has_phone ? '' : h('span', { class: 'muted' }, ` (${tr('no_phone')})`)),
    );
    const err = h('p', { class: 'error', role: 'alert', 'data-field': 'form-error' });
    const save = h('button', { class: 'primary', type: 'submit', 'data-action': 'save-shift' }, tr('save'));
    const cancel = editing ? h('button', { class: 'secondary', type: 'button', onclick: () => { editing = null; render(); } }, tr('cancel')) : null;
    const form = h(
      'form',
      { class: 'shift-form' },
      h('div', { class: 'row' }, h('label', {}, tr('day'), day), h('label', {}, tr('starts'), from), h('label', {}, tr('ends'), to), h('label', {}, tr('lead'), lead)),
      h('fieldset', { class: 'members-box' }, h('legend', {}, tr('members')), ...boxes),
      err,
      h('div', { class: 'actions' }, save, cancel),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const startsAt = new Date(`${day.value}T${from.value}`);
      let endsAt = new Date(`${day.value}T${to.value}`);
      // A night shift: an end at or before the start is the next morning.
      if (endsAt <= startsAt) endsAt = new Date(endsAt.getTime() + 86_400_000);
      const picked = [...form.querySelectorAll<HTMLInputElement>('input[name=member]:checked')].map((b) => b.value);
      // The lead is rung first, then the others in the list's order.
      const members = lead.value && picked.includes(lead.value) ? [lead.value, ...picked.filter((m) => m !== lead.value)] : picked;
      const body = { starts_at: startsAt.toISOString(), ends_at: endsAt.toISOString(), lead: lead.value, members };
      save.disabled = true;
      try {
        if (editing) await roster.update(editing.id, body);
        else await roster.create(body);
        editing = null;
        flash = tr('saved');
        formFor = null;
        await load();
      } catch (e) {
        err.textContent = e instanceof ApiError ? refusalText(e) : String(e);
        save.disabled = false;
      }
    });
    formEl.append(h('h2', {}, editing ? tr('edit_shift') : tr('add_shift')), form);
  }

  function renderList(): void {
    clear(listEl);
    listEl.append(h('h2', {}, tr('shifts')));
    if (flash) listEl.append(h('p', { class: 'flash', role: 'status' }, flash));
    if (!shifts.length) {
      listEl.append(h('p', { class: 'muted' }, tr('no_shifts')));
      return;
    }
    const now = Date.now();
    listEl.append(
      h(
        'table',
        { class: 'roster-table' },
        h('thead', {}, h('tr', {}, h('th', {}, tr('day')), h('th', {}, tr('interval')), h('th', {}, tr('lead')), h('th', {}, tr('members_short')), h('th', {}, ''))),
        h(
          'tbody',
          {},
          ...shifts.map((s) => {
            const live = new Date(s.starts_at).getTime() <= now && now < new Date(s.ends_at).getTime();
            const del = h('button', { class: 'secondary danger', type: 'button', 'data-action': 'delete-shift' }, tr('delete'));
            del.addEventListener('click', async () => {
              if (!confirm(tr('delete_confirm', { when: when(s.starts_at) }))) return;
              try {
                await roster.remove(s.id);
                flash = tr('deleted');
              } catch (e) {
                flash = e instanceof ApiError ? refusalText(e) : String(e);
              }
              await load();
            });
            return h(
              'tr',
              { 'data-shift-id': s.id, class: live ? 'live' : '' },
              h('td', {}, new Date(s.starts_at).toLocaleDateString(currentLang() === 'ro' ? 'ro-RO' : 'en-GB', { weekday: 'short', day: 'numeric', month: 'short' })),
              h('td', {}, `${clock(s.starts_at)}–${clock(s.ends_at)}`),
              h('td', {}, name(s.lead)),
              h('td', {}, memberList(s)),
              h('td', { class: 'row-actions' }, h('button', { class: 'secondary', type: 'button', 'data-action': 'edit-shift', onclick: () => { editing = s; render(); formEl.scrollIntoView({ block: 'nearest' }); } }, tr('edit')), ' ', del),
            );
          }),
        ),
      ),
    );
  }

  function renderPhones(): void {
    clear(phonesEl);
    phonesEl.append(h('h2', {}, tr('phones')), h('p', { class: 'muted' }, tr('phones_hint')));
    const rows = people.map((p) => {
      const c = contacts.find((x) => x.username === p.username);
      const phone = h('input', { type: 'tel', name: 'phone', value: c?.phone ?? '', placeholder: '+40…', 'aria-label': `${tr('phone')} ${p.display_name}` }) as HTMLInputElement;
      const ext = h('input', { type: 'text', name: 'extension', value: c?.extension ?? '', inputmode: 'numeric', size: 5, 'aria-label': `${tr('extension')} ${p.display_name}` }) as HTMLInputElement;
      const msg = h('span', { class: 'row-msg', role: 'status' });
      const save = h('button', { class: 'secondary', type: 'button', 'data-action': 'save-phone' }, tr('save'));
      save.addEventListener('click', async () => {
        try {
          if (!phone.value.trim() && c) await roster.removeContact(p.username);
          else await roster.putContact(p.username, phone.value.trim(), ext.value.trim());
          flash = '';
          await load();
        } catch (e) {
          msg.textContent = e instanceof ApiError ? refusalText(e) : String(e);
          msg.className = 'row-msg error';
        }
      });
      return h('tr', { 'data-username': p.username }, h('td', {}, p.display_name), h('td', {}, phone), h('td', {}, ext), h('td', {}, save, msg));
    });
    phonesEl.append(
      h('table', { class: 'roster-table' }, h('thead', {}, h('tr', {}, h('th', {}, tr('person')), h('th', {}, tr('phone')), h('th', {}, tr('extension')), h('th', {}, ''))), h('tbody', {}, ...rows)),
    );
  }

  function renderHistory(): void {
    clear(historyEl);
    historyEl.append(h('h2', {}, tr('history')));
    if (!notes.length) {
      historyEl.append(h('p', { class: 'muted' }, tr('no_history')));
      return;
    }
    for (const n of notes) {
      historyEl.append(
        h(
          'article',
          { class: 'handover-note', 'data-note-id': n.id },
          h('header', {}, h('strong', {}, tr('written_by', { who: name(n.written_by), when: when(n.written_at) }))),
          h('p', { class: 'handover-text' }, n.note),
          summaryEl(n.summary),
          h(
            'p',
            { class: n.acknowledgements.length ? 'muted' : 'warn', 'data-field': 'acks' },
            n.acknowledgements.length ? tr('acknowledged_by', { list: n.acknowledgements.map((a) => `${name(a.username)} (${when(a.at)})`).join(', ') }) : tr('not_acknowledged'),
          ),
        ),
      );
    }
  }

  function render(redrawForm = false): void {
    title.textContent = tr('roster_title');
    back.textContent = currentLang() === 'ro' ? '← Consolă' : '← Console';
    if (error) {
      clear(dutyEl);
      dutyEl.append(h('p', { class: 'error', role: 'alert' }, error));
    } else renderDuty();
    if (redrawForm || formFor !== formKey()) renderForm();
    renderList();
    renderPhones();
    renderHistory();
  }

  root.replaceChildren(
    topBar(me, onLogout, () => render(true), h('span', {}, back)),
    h('main', { class: 'roster-page' }, title, h('div', { class: 'roster-grid' }, h('div', { class: 'col' }, dutyEl, formEl, listEl), h('div', { class: 'col' }, phonesEl, historyEl))),
  );
  render();
  if (!mayKeepRoster(me)) {
    error = tr('err_refused');
    render();
    return () => undefined;
  }
  void load();
  const timer = window.setInterval(() => void load(), 60_000);
  return () => window.clearInterval(timer);
}

function nextHour(): Date {
  const d = new Date();
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return d;
}
