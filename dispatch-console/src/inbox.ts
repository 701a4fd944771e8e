// A service's inbox (`/inbox`): the cases referred to the service, as the access decision lets
// its staff see them (a protected case with no number, address or notes), with the actions that
// close the loop: acknowledge, then report the outcome.

import { h } from './dom';
import { errorText, formatDateTime, term } from './i18n';
import { outcomeText, ts } from './i18n-services';
import { req } from './services';
import { topBar } from './topbar';
import type { Me } from './types';

interface Entry {
  referral_id: string;
  case_ref: string;
  category: string;
  urgency: string;
  note: string;
  referred_at: string;
  ack_due_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  escalated: boolean;
  outcome: string | null;
  outcome_reason: string | null;
  outcome_note: string;
  protected: boolean;
  phone?: string;
  address?: string;
  dispatch_phone: string;
}

const REASONS = ['not_eligible', 'no_capacity', 'outside_area', 'person_unreachable', 'other'];

export function mountInbox(root: HTMLElement, me: Me, onLogout: () => void): () => void {
  const body = h('div', { class: 'inbox-list', 'data-field': 'inbox' });
  const heading = h('h1', {});
  const status = h('p', { class: 'muted', role: 'status' });
  let name = '';
  let entries: Entry[] = [];

  async function load(): Promise<void> {
    try {
      const inbox = await req<{ service_name: string; entries: Entry[] }>('GET', '/api/v1/inbox');
      name = inbox.service_name;
      entries = inbox.entries;
      status.textContent = ts('refreshed', { t: new Date().toLocaleTimeString() });
    } catch (e) {
      status.textContent = errorText(e);
    }
    render();
  }

  const act = (path: string, payload: unknown, out: HTMLElement) => async () => {
    try {
      await req('POST', path, payload);
      await load();
    } catch (e) {
      out.textContent = errorText(e);
      out.className = 'error';
    }
  };

  function entry(e: Entry): HTMLElement {
    const err = h('p', { class: 'muted', role: 'status' });
    const base = `/api/v1/inbox/${e.referral_id}`;
    const field = (label: string, value: Node | string) => h('div', { class: 'svc-row' }, h('dt', {}, label), h('dd', {}, value || '—'));
    const actions = h('div', { class: 'inbox-actions' });
    if (!e.acknowledged_at) {
      actions.append(h('button', { class: 'primary', 'data-action': 'acknowledge', onclick: () => void act(`${base}/acknowledge`, undefined, err)() }, ts('acknowledge')));
    } else if (!e.outcome || e.outcome === 'accepted') {
      const outcome = h('select', { name: 'outcome' }, ...['accepted', 'declined', 'completed'].filter((o) => o !== e.outcome).map((o) => h('option', { value: o }, ts(`outcome_${o}` as 'outcome_accepted'))));
      const reason = h('select', { name: 'reason' }, ...REASONS.map((r) => h('option', { value: r }, ts(`reason_${r}` as 'reason_other'))));
      const note = h('input', { name: 'note', maxlength: 1000 });
      const reasonLabel = h('label', {}, `${ts('reason')} `, reason);
      const sync = () => (reasonLabel.hidden = outcome.value !== 'declined');
      outcome.addEventListener('change', sync);
      sync();
      actions.append(
        h('h3', {}, ts('report_outcome')),
        h('div', { class: 'row' }, h('label', {}, `${ts('outcome')} `, outcome), reasonLabel, h('label', {}, `${ts('note')} `, note)),
        h('button', {
          class: 'primary',
          'data-action': 'outcome',
          onclick: () => void act(`${base}/outcome`, { outcome: outcome.value, reason: outcome.value === 'declined' ? reason.value : undefined, note: note.value }, err)(),
        }, ts('send')),
      );
    }
    return h(
      'article',
      { class: `panel inbox-entry${e.protected ? ' inbox-shielded' : ''}`, 'data-referral': e.referral_id, 'data-protected': String(e.protected) },
      h('h2', {}, h('span', { class: 'mono' }, e.case_ref), ' · ', term(e.category), h('span', { class: `lvl lvl-${e.urgency}` }, e.urgency)),
      e.escalated && !e.acknowledged_at ? h('p', { class: 'error' }, ts('escalated')) : null,
      e.protected ? h('p', { class: 'inbox-protected' }, ts('protected_case')) : null,
      h(
        'dl',
        { class: 'svc-details' },
        field(ts('note_for_service'), e.note),
        e.protected ? null : field(ts('person_phone'), e.phone ? h('a', { href: `tel:${e.phone}`, class: 'mono' }, e.phone) : ''),
        e.protected ? null : field(ts('person_address'), e.address ?? ''),
        field(ts('call_dispatch'), h('a', { href: `tel:${e.dispatch_phone}`, class: 'mono svc-big' }, e.dispatch_phone)),
        field(ts('referred_at'), formatDateTime(e.referred_at)),
        field(ts('ack_due'), formatDateTime(e.ack_due_at)),
        field(ts('urgency'), e.urgency),
        h('div', { class: 'svc-row' }, h('dt', {}, ts('outcome')), h('dd', { 'data-field': 'outcome' },
          e.acknowledged_at ? ts('acknowledged', { by: e.acknowledged_by ?? '', at: formatDateTime(e.acknowledged_at) }) : ts('not_acknowledged'),
          e.outcome ? ` — ${outcomeText(e.outcome, e.outcome_reason)}${e.outcome_note ? `: ${e.outcome_note}` : ''}` : '')),
      ),
      actions,
      err,
    );
  }

  // Each entry's card with what it was drawn from: the refresh every 30 s keeps the cards whose
  // entry did not change, so an outcome note being typed is not wiped under the worker's hands.
  let drawn = new Map<string, { from: string; el: HTMLElement }>();
  function render(force = false): void {
    heading.textContent = ts('inbox_title', { service: name || me.display_name });
    const next = new Map<string, { from: string; el: HTMLElement }>();
    const cards = entries.map((e) => {
      const from = JSON.stringify(e);
      const old = drawn.get(e.referral_id);
      const card = !force && old && old.from === from ? old : { from, el: entry(e) };
      next.set(e.referral_id, card);
      return card.el;
    });
    drawn = next;
    if (entries.length === 0) {
      body.replaceChildren(h('p', { class: 'muted' }, ts('inbox_empty')));
      return;
    }
    // Only new or changed cards go in: a card that stays is not moved (moving takes the focus).
    const keep = new Set<Element>(cards);
    for (const el of [...body.children]) if (!keep.has(el)) el.remove();
    cards.forEach((el, i) => {
      if (body.children[i] !== el) body.insertBefore(el, body.children[i] ?? null);
    });
  }

  const refresh = h('button', { class: 'secondary', 'data-action': 'refresh', onclick: () => void load() });
  const labels = () => {
    refresh.textContent = ts('refresh');
    render(true);
  };
  root.replaceChildren(topBar(me, onLogout, labels), h('main', { class: 'inbox-page' }, h('div', { class: 'svc-head' }, heading, refresh), status, body));
  labels();
  void load();
  const timer = window.setInterval(() => void load(), 30_000);
  return () => window.clearInterval(timer);
}
