// The tablet's dialogs and its messages box: an incident is sent only after a reason is chosen
// (and, for "other", words typed) and confirmed; the emergency button asks once more, on a
// full-screen dialog whose confirm button is nowhere near where the emergency button was (no
// double tap sends it); messages from dispatch wait on top until acknowledged, and the driver
// answers with one tap (canned) or a short text. Everything goes through the tablet's outbox.

import { clear, h } from '../dom';
import type { DriverMessage } from './api';
import { tt } from './i18n';
import { CANNED, INCIDENTS, clock, tk, type TabletKey } from './i18n-tablet';
import { newId, type OutboxEntry } from './tablet-db';

/** Records a request in the tablet's outbox (sent in order, each once). */
export type Send = (path: string, body: Record<string, unknown> | null, id: string) => Promise<void>;

const MESSAGES = '/api/v1/transport/messages';

function dialog(host: HTMLElement, cls: string, ...children: (HTMLElement | null)[]): HTMLElement {
  const close = () => clear(host);
  const box = h('div', { class: `tb-dialog ${cls}`, role: 'dialog', 'aria-modal': 'true' }, ...children);
  clear(host);
  host.append(h('div', { class: 'tb-backdrop', onclick: (e: Event) => e.target === e.currentTarget && close() }, box));
  return box;
}

/** The incident form: a reason code, words (required for "other"), then send. */
export function incidentDialog(host: HTMLElement, send: (code: string, text: string) => void): void {
  let code = '';
  const text = h('textarea', { name: 'incident-text', rows: '3', maxlength: '300' }) as HTMLTextAreaElement;
  const label = h('span', {}, tk('incident_text'));
  const submit = h('button', { class: 'tb-danger', 'data-action': 'send-incident', disabled: true }, tk('incident_send')) as HTMLButtonElement;
  const check = () => {
    submit.disabled = !code || (code === 'other' && text.value.trim() === '');
    label.textContent = code === 'other' ? tk('incident_text_required') : tk('incident_text');
  };
  const choices = INCIDENTS.map((c) =>
    h(
      'button',
      {
        class: 'tb-choice',
        'data-incident': c,
        'aria-pressed': 'false',
        onclick: (e: Event) => {
          code = c;
          for (const b of choices) b.setAttribute('aria-pressed', String(b === e.currentTarget));
          check();
        },
      },
      tk(`inc_${c}` as TabletKey),
    ),
  );
  text.addEventListener('input', check);
  submit.addEventListener('click', () => {
    if (submit.disabled) return;
    send(code, text.value.trim());
    clear(host);
  });
  dialog(
    host,
    'tb-incident-dialog',
    h('h2', {}, tk('incident_title')),
    h('p', {}, tk('incident_reason')),
    h('div', { class: 'tb-choices' }, ...choices),
    h('label', { class: 'tb-field' }, label, text),
    h('div', { class: 'tb-dialog-actions' }, h('button', { class: 'tb-secondary', 'data-action': 'cancel', onclick: () => clear(host) }, tt('cancel')), submit),
  );
}

/** The emergency confirmation: cancel on top (where the emergency button was), confirm at the
 * bottom, an optional word on what is happening. */
export function emergencyDialog(host: HTMLElement, send: (text: string) => void): void {
  const text = h('input', { name: 'sos-text', type: 'text', maxlength: '300' }) as HTMLInputElement;
  dialog(
    host,
    'tb-sos-dialog',
    h('button', { class: 'tb-secondary tb-wide', 'data-action': 'cancel', onclick: () => clear(host) }, tt('cancel')),
    h('h2', {}, tk('sos_title')),
    h('p', {}, tk('sos_explain')),
    h('label', { class: 'tb-field' }, tk('sos_text'), text),
    h(
      'button',
      {
        class: 'tb-sos tb-wide',
        'data-action': 'confirm-sos',
        onclick: () => {
          send(text.value.trim());
          clear(host);
        },
      },
      tk('sos_confirm'),
    ),
  );
}

/** The messages box: built once (so a half-typed reply survives a redraw), updated by `update`. */
export function messagesBox(send: Send): { banners: HTMLElement; box: HTMLElement; update(messages: DriverMessage[], pending: OutboxEntry[]): void } {
  const banners = h('div', { class: 'tb-banners', 'data-field': 'messages' });
  const list = h('ol', { class: 'tb-message-list' });
  const summary = h('summary', {});
  const text = h('input', { name: 'reply', type: 'text', maxlength: '500' }) as HTMLInputElement;
  const say = (body: Record<string, unknown>) => {
    const id = newId();
    void send(MESSAGES, { message_id: id, ...body }, id);
  };
  const cannedRow = h(
    'div',
    { class: 'tb-canned' },
    ...CANNED.map((c) => h('button', { class: 'tb-secondary', 'data-canned': c, onclick: () => say({ canned: c }) }, tk(`canned_${c}` as TabletKey))),
  );
  const sendButton = h('button', {
    class: 'tb-primary',
    'data-action': 'send-message',
    onclick: () => {
      const v = text.value.trim();
      if (!v) return;
      say({ text: v });
      text.value = '';
    },
  });
  const replyLabel = h('span', {});
  const details = h('details', { class: 'tb-message-box' }, summary, list, cannedRow, h('div', { class: 'tb-reply' }, h('label', { class: 'tb-field' }, replyLabel, text), sendButton));

  // What the box was last drawn from (the language's word for "ack" stands for the language): a
  // redraw for something else keeps its buttons in place.
  let drawnFrom = '';
  function update(messages: DriverMessage[], pending: OutboxEntry[]): void {
    const from = JSON.stringify([messages, pending.filter((p) => p.path.startsWith(MESSAGES)).map((p) => p.id), tk('ack')]);
    if (from === drawnFrom) return;
    drawnFrom = from;
    const acking = new Set(pending.filter((p) => p.path.endsWith('/ack')).map((p) => p.path.split('/').at(-2)));
    const waiting = messages.filter((m) => m.direction === 'to_driver' && !m.acked_at && !acking.has(m.id));
    clear(banners);
    for (const m of waiting) {
      banners.append(
        h(
          'div',
          { class: 'tb-banner', role: 'alert', 'data-message': m.id },
          h('div', { class: 'tb-banner-head' }, `${tk('from_dispatch')} · ${clock(m.sent_at)}`),
          h('div', { class: 'tb-banner-text' }, m.text),
          h(
            'button',
            { class: 'tb-primary', 'data-action': 'ack', onclick: () => void send(`${MESSAGES}/${encodeURIComponent(m.id)}/ack`, null, `ack:${m.id}`) },
            tk('ack'),
          ),
        ),
      );
    }
    summary.textContent = waiting.length ? tk('messages_unread', { n: waiting.length }) : tk('messages');
    replyLabel.textContent = tk('reply');
    sendButton.textContent = tk('send');
    for (const b of cannedRow.querySelectorAll<HTMLButtonElement>('[data-canned]')) b.textContent = tk(`canned_${b.dataset.canned}` as TabletKey);
    clear(list);
    const outgoing = pending.filter((p) => p.path === MESSAGES);
    if (messages.length === 0 && outgoing.length === 0) list.append(h('li', { class: 'muted' }, tk('no_messages')));
    for (const m of [...messages].reverse()) {
      const mine = m.direction === 'from_driver';
      const state = mine
        ? m.acked_at ? tk('read', { t: clock(m.acked_at) }) : tk('unread')
        : m.acked_at || acking.has(m.id) ? tk('acked', { t: m.acked_at ? clock(m.acked_at) : '' }) : tk('not_acked');
      list.append(
        h(
          'li',
          { class: `tb-message ${mine ? 'mine' : 'theirs'}`, 'data-message': m.id },
          h('div', { class: 'muted' }, `${mine ? tk('from_driver') : tk('from_dispatch')} · ${clock(m.sent_at)} · ${state}`),
          h('div', {}, m.canned ? tk(`canned_${m.canned}` as TabletKey) : m.text),
        ),
      );
    }
    for (const p of outgoing) {
      const c = p.body?.canned as string | undefined;
      list.prepend(
        h(
          'li',
          { class: 'tb-message mine pending', 'data-message': p.id },
          h('div', { class: 'muted' }, `${tk('from_driver')} · ${clock(p.at)} · ${tk('waiting_send')}`),
          h('div', {}, c ? tk(`canned_${c}` as TabletKey) : String(p.body?.text ?? '')),
        ),
      );
    }
  }
  return { banners, box: details, update };
}
