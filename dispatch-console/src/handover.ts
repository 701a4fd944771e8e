// The handover note in the dispatcher console: a banner at the top with every note handed to
// the caller's shift that they have not acknowledged (the outgoing lead's text and the
// generated summary), and, for the lead of a shift on duty, the button and dialog to write it.

import './roster.css';
import { h, clear } from './dom';
import { ApiError } from './api';
import { clock, refusalText, tr, when } from './i18n-roster';
import { roster, type Handover, type Summary } from './rosterapi';
import type { Me } from './types';

/** The generated part of a note: counts and item references only. */
export function summaryEl(s: Summary): HTMLElement {
  const o = s.open_by_level;
  return h(
    'ul',
    { class: 'handover-summary', 'data-field': 'summary' },
    h('li', { 'data-field': 'open' }, tr('summary_open', { p1: o.P1, p2: o.P2, p3: o.P3, p4: o.P4 })),
    h(
      'li',
      { 'data-field': 'in-progress' },
      tr('summary_in_progress', { n: s.in_progress.length }),
      s.in_progress.length
        ? h(
            'span',
            { class: 'refs' },
            ' — ',
            s.in_progress
              .slice(0, 8)
              .map((p) => h('a', { href: `/items/${p.item_id}`, class: `lvl-${p.level}` }, `${p.level} #${p.item_id.slice(-6)} (${p.handler ?? tr('nobody')})`))
              .flatMap((a, i) => (i ? [', ', a] : [a])),
            s.in_progress.length > 8 ? ' …' : '',
          )
        : null,
    ),
    h('li', { 'data-field': 'follow-ups' }, tr('summary_follow_ups', { until: clock(s.follow_ups_until), n: s.follow_ups_due.length })),
    h('li', { 'data-field': 'emiu' }, tr('summary_emiu', { n: s.emiu_open })),
  );
}

export class HandoverBanner {
  readonly el = h('section', { class: 'handover-banner', 'data-panel': 'handover', hidden: true });
  private notes: Handover[] = [];
  private leadOf: string | null = null;
  private message = '';
  private dialog: HTMLDialogElement | null = null;

  constructor(private readonly me: Me) {}

  async load(): Promise<void> {
    try {
      const [pending, duty] = await Promise.all([roster.pending(), roster.onDuty()]);
      this.notes = pending.notes;
      const led = duty.on_duty.find((s) => s.lead === this.me.username)?.id ?? null;
      // Once written (here or in another tab), the button does not come back for that shift.
      this.leadOf = led && !sessionStorage.getItem(`handover-written:${led}`) ? led : null;
    } catch {
      // The roster is an aid: the console works without it.
      this.notes = [];
      this.leadOf = null;
    }
    this.render();
  }

  render(): void {
    clear(this.el);
    const show = this.notes.length > 0 || this.leadOf !== null || this.message !== '';
    this.el.hidden = !show;
    if (!show) return;
    for (const n of this.notes) {
      const ack = h('button', { class: 'primary', 'data-action': 'acknowledge-handover', type: 'button' }, tr('acknowledge'));
      ack.addEventListener('click', async () => {
        ack.disabled = true;
        try {
          await roster.acknowledge(n.id);
          this.notes = this.notes.filter((x) => x.id !== n.id);
        } catch (e) {
          this.message = e instanceof ApiError ? refusalText(e) : String(e);
        }
        this.render();
      });
      this.el.append(
        h(
          'article',
          { class: 'handover-note', 'data-note-id': n.id, role: 'alert' },
          h('header', {}, h('strong', {}, tr('handover_from', { who: n.written_by })), ' ', h('span', { class: 'muted' }, `${when(n.written_at)}${n.next_shift ? ` · ${tr('handover_for', { when: when(n.next_shift.starts_at) })}` : ''}`)),
          h('p', { class: 'handover-text', 'data-field': 'note' }, n.note),
          summaryEl(n.summary),
          h('div', { class: 'handover-actions' }, ack),
        ),
      );
    }
    if (this.leadOf) {
      this.el.append(h('div', { class: 'handover-write' }, h('button', { class: 'secondary', 'data-action': 'write-handover', type: 'button', onclick: () => this.openDialog() }, tr('write_handover'))));
    }
    if (this.message) this.el.append(h('p', { class: 'handover-message', role: 'status' }, this.message));
  }

  private openDialog(): void {
    if (!this.leadOf) return;
    const shiftId = this.leadOf;
    const text = h('textarea', { name: 'note', rows: 8, maxlength: 4000, 'aria-label': tr('handover_title') }) as HTMLTextAreaElement;
    const error = h('p', { class: 'error', role: 'alert' });
    const send = h('button', { class: 'primary', type: 'submit', 'data-action': 'send-handover' }, tr('handover_send'));
    const cancel = h('button', { class: 'secondary', type: 'button', onclick: () => this.closeDialog() }, tr('cancel'));
    const form = h('form', { method: 'dialog', class: 'handover-form' }, h('h2', {}, tr('handover_title')), h('p', { class: 'muted' }, tr('handover_hint')), text, error, h('div', { class: 'handover-actions' }, cancel, send));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      send.disabled = true;
      try {
        await roster.write(shiftId, text.value);
        sessionStorage.setItem(`handover-written:${shiftId}`, '1');
        this.message = tr('handover_sent');
        this.closeDialog();
        this.leadOf = null;
        this.render();
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'handover_exists') sessionStorage.setItem(`handover-written:${shiftId}`, '1');
        error.textContent = e instanceof ApiError ? refusalText(e) : String(e);
        send.disabled = false;
      }
    });
    const dialog = h('dialog', { class: 'handover-dialog', 'data-dialog': 'handover' }, form) as HTMLDialogElement;
    document.body.append(dialog);
    this.dialog = dialog;
    dialog.showModal();
    text.focus();
  }

  private closeDialog(): void {
    this.dialog?.close();
    this.dialog?.remove();
    this.dialog = null;
  }
}
