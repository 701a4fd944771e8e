// The console's keyboard: move in the queue and act on the item without the mouse. Keys act on
// the open item (or the row under the keyboard cursor, which they open first); none fires while
// the dispatcher types in a field, and none with Ctrl/Alt/Meta (the browser's own shortcuts).
// `?` lists them in an overlay; Esc closes the overlay, else the detail.

import { h } from './dom';
import { type Key, t } from './i18n';

export interface HotkeyHost {
  /** Moves the keyboard cursor by one row (+1 down, −1 up). */
  move(step: number): void;
  /** Opens the row under the cursor. */
  open(): void;
  /** The id keys act on: the open item, else the cursor row. */
  current(): string | null;
  /** Opens the cursor row when nothing is open; resolves once the detail has drawn it. */
  ensureOpen(): Promise<void>;
  detail: HTMLElement;
  showOnMap(): void;
  closeDetail(): void;
}

const KEYS: [string, Key][] = [
  ['↑ ↓ / j k', 'hk_move'],
  ['Enter', 'hk_open'],
  ['a', 'hk_ack'],
  ['s', 'hk_assign'],
  ['n', 'hk_note'],
  ['c', 'hk_close'],
  ['m', 'hk_map'],
  ['?', 'hk_help'],
  ['Esc', 'hk_esc'],
];

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export class Hotkeys {
  readonly overlay = h('div', { class: 'help-overlay', role: 'dialog', 'aria-modal': 'true', hidden: true, 'data-field': 'help' });
  private before: HTMLElement | null = null;
  private readonly onKey = (e: KeyboardEvent) => this.key(e);

  constructor(private readonly host: HotkeyHost) {
    this.overlay.addEventListener('click', (e) => {
      if (e.target === this.overlay) this.toggleHelp(false);
    });
    this.relabel();
  }

  start(): void {
    document.addEventListener('keydown', this.onKey);
  }

  stop(): void {
    document.removeEventListener('keydown', this.onKey);
  }

  relabel(): void {
    const close = h('button', { type: 'button', class: 'secondary', 'data-action': 'close-help', onclick: () => this.toggleHelp(false) }, t('close_help'));
    this.overlay.replaceChildren(
      h(
        'div',
        { class: 'help-box' },
        h('h2', {}, t('help_title')),
        h('table', { class: 'help-keys' }, h('tbody', {}, ...KEYS.map(([k, what]) => h('tr', { 'data-key': k }, h('th', {}, h('kbd', {}, k)), h('td', {}, t(what)))))),
        h('p', { class: 'muted' }, t('hk_not_typing')),
        close,
      ),
    );
  }

  get helpOpen(): boolean {
    return !this.overlay.hidden;
  }

  toggleHelp(open = this.overlay.hidden): void {
    if (open) {
      this.before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      this.overlay.hidden = false;
      this.overlay.querySelector<HTMLElement>('[data-action=close-help]')?.focus();
    } else {
      this.overlay.hidden = true;
      this.before?.focus();
      this.before = null;
    }
  }

  private focusIn(selector: string, fallback?: string): void {
    void this.host.ensureOpen().then(() => {
      let el = this.host.detail.querySelector<HTMLElement>(selector);
      if (!el && fallback) {
        // Nothing to press yet (the list still loading): the block itself takes the focus.
        el = this.host.detail.querySelector<HTMLElement>(fallback);
        if (el && !el.hasAttribute('tabindex')) el.tabIndex = -1;
      }
      if (!el) return;
      el.scrollIntoView({ block: 'nearest' });
      el.focus();
    });
  }

  private key(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (this.helpOpen) {
      if (e.key === 'Escape' || e.key === '?') {
        e.preventDefault();
        this.toggleHelp(false);
      }
      return;
    }
    if (typing(e.target)) {
      // Esc leaves the field, so the next key is a shortcut again.
      if (e.key === 'Escape') (e.target as HTMLElement).blur();
      return;
    }
    const onControl = e.target instanceof HTMLElement && e.target.closest('button, a, summary');
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        e.preventDefault();
        this.host.move(1);
        break;
      case 'ArrowUp':
      case 'k':
        e.preventDefault();
        this.host.move(-1);
        break;
      case 'Enter':
        // Enter on a button presses the button.
        if (onControl) return;
        e.preventDefault();
        this.host.open();
        break;
      case 'a':
        e.preventDefault();
        void this.host.ensureOpen().then(() => this.host.detail.querySelector<HTMLButtonElement>('[data-action=acknowledge]:not([disabled])')?.click());
        break;
      case 's':
        e.preventDefault();
        // The assignment block: the panel marked `data-hotkey=assign` (assignpanel.ts), or the
        // plain form of resources.
        this.focusIn(
          ['[data-hotkey=assign]', 'form.assign'].flatMap((b) => [`${b} input:not([disabled])`, `${b} select`, `${b} button:not([disabled])`]).join(', '),
          '[data-hotkey=assign], form.assign',
        );
        break;
      case 'n':
        e.preventDefault();
        this.focusIn('textarea[name=note]');
        break;
      case 'c':
        e.preventDefault();
        this.focusIn('select[name=outcome]');
        break;
      case 'm':
        e.preventDefault();
        this.host.showOnMap();
        break;
      case '?':
        e.preventDefault();
        this.toggleHelp(true);
        break;
      case 'Escape':
        e.preventDefault();
        // On a control inside the detail (the assignment panel, a button): step out of it
        // first; a second Esc closes the detail.
        if (e.target instanceof HTMLElement && e.target !== document.body && this.host.detail.contains(e.target)) {
          e.target.blur();
          break;
        }
        this.host.closeDetail();
        break;
    }
  }
}
