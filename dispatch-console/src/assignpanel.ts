// The assignment panel of the item detail: the resources that can go, ranked by the server by
// arrival time over the road network (GET /items/{id}/candidates). Each row shows the name in
// full, the kind, the ETA in minutes, the distance, the wheelchair places and, greyed, why a
// resource is busy or unsuitable. A van shows its paired driver; assigning the van assigns the
// pair unless the dispatcher asks for the van alone. Assigned resources can be withdrawn.
//
// Keyboard: arrows move between rows, Enter assigns (the van with its driver), Shift+Enter
// assigns the resource alone. The panel is one element kept across the detail's redraws (the
// detail redraws on every event), so the list and the row in focus survive them.

import { clear, h } from './dom';
import { formatNumber, term } from './i18n';
import { errorText, termS, ts } from './i18n-shift';
import type { LiveState } from './state';
import { type AssignCandidate, shiftApi } from './shiftapi';
import type { Item } from './types';

const panels = new WeakMap<HTMLElement, AssignPanel>();

/** The panel of one detail view (keyed by its element), made on first use. */
export function assignPanelFor(owner: HTMLElement, state: LiveState | null): AssignPanel {
  let p = panels.get(owner);
  if (!p) {
    p = new AssignPanel(state);
    panels.set(owner, p);
  }
  return p;
}

export class AssignPanel {
  // `data-hotkey=assign`: the console's `s` key brings the focus here (hotkeys.ts).
  readonly el = h('div', { class: 'assign-panel', 'data-field': 'assign-panel', 'data-hotkey': 'assign' });
  private itemId: string | null = null;
  private list: AssignCandidate[] | null = null;
  private error = '';
  private busy = false;
  /** What the last fetch was made for: the item's assignment and every resource's version. */
  private fetchedFor = '';
  private loading = false;
  private timer: number | undefined;
  private focusId: string | null = null;
  private token = 0;
  /** Drivers offered with their free van are listed on their own only on request. */
  private showPaired = false;

  constructor(private readonly state: LiveState | null) {
    // The keyboard arriving from outside (the console's `s` key focuses the first button here)
    // lands on the row, where the arrows and Enter work; a click keeps its button.
    let pointer = 0;
    this.el.addEventListener('pointerdown', () => (pointer = Date.now()));
    this.el.addEventListener('focusin', (e) => {
      const from = (e as FocusEvent).relatedTarget as Node | null;
      const row = (e.target as HTMLElement).closest<HTMLElement>('tr.cand');
      if (row && e.target !== row && Date.now() - pointer > 500 && !(from && this.el.contains(from))) {
        for (const r of this.el.querySelectorAll<HTMLElement>('tr.cand')) r.tabIndex = -1;
        row.tabIndex = 0;
        row.focus();
      }
    });
    this.el.addEventListener('focusin', (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>('[data-resource-id]')?.dataset.resourceId;
      if (id) this.focusId = id;
    });
    this.el.addEventListener('focusout', () => {
      // Leaving the panel (not a redraw, which detaches it): forget the row.
      queueMicrotask(() => {
        if (this.el.isConnected && !this.el.contains(document.activeElement)) this.focusId = null;
      });
    });
  }

  /** Shows the panel for this item; refetches when the item or any resource changed. */
  show(item: Item): HTMLElement {
    const sig = this.signature(item);
    if (item.id !== this.itemId) {
      this.itemId = item.id;
      this.list = null;
      this.error = '';
      this.focusId = null;
      this.fetchedFor = '';
    }
    if (sig !== this.fetchedFor) {
      window.clearTimeout(this.timer);
      // At once for a new item; a burst of resource moves is fetched once, 400 ms later.
      this.timer = window.setTimeout(() => void this.fetch(item.id, sig), this.list ? 400 : 0);
      this.fetchedFor = sig;
    }
    this.draw(item);
    return this.el;
  }

  private signature(item: Item): string {
    const rs = [...(this.state?.resources.values() ?? [])].map((r) => `${r.id}:${r.version}:${r.status}`).join(',');
    return `${item.id}|${item.status}|${item.assigned_to.join(',')}|${rs}`;
  }

  private async fetch(id: string, sig: string): Promise<void> {
    const token = ++this.token;
    this.loading = true;
    try {
      const answer = await shiftApi.candidates(id);
      if (token !== this.token || id !== this.itemId) return;
      this.list = answer.candidates;
      this.error = '';
    } catch (e) {
      if (token !== this.token || id !== this.itemId) return;
      this.error = errorText(e);
      this.fetchedFor = sig === this.fetchedFor ? '' : this.fetchedFor;
    } finally {
      if (token === this.token) this.loading = false;
    }
    const item = this.state?.items.get(id);
    if (item) this.draw(item);
    else this.drawList(null);
  }

  private name(id: string): string {
    const c = this.list?.find((x) => x.resource.id === id);
    return c?.resource.name ?? this.state?.resources.get(id)?.name ?? id;
  }

  private free(id: string): boolean {
    const c = this.list?.find((x) => x.resource.id === id);
    if (c) return !c.busy;
    return this.state?.resources.get(id)?.status === 'available';
  }

  private async run(f: () => Promise<unknown>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = '';
    this.el.classList.add('busy');
    try {
      await f();
      this.fetchedFor = '';
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.busy = false;
      this.el.classList.remove('busy');
      const item = this.itemId ? this.state?.items.get(this.itemId) : undefined;
      if (item) this.show(item);
      else this.drawList(null);
    }
  }

  private assign(c: AssignCandidate, withPair: boolean): void {
    const id = this.itemId;
    if (!id || c.busy) return;
    const ids = [c.resource.id];
    if (withPair && c.pair && this.free(c.pair)) ids.push(c.pair);
    void this.run(() => shiftApi.assign(id, ids));
  }

  private draw(item: Item): void {
    this.drawList(item);
  }

  private drawList(item: Item | null): void {
    clear(this.el);
    this.el.append(h('h4', {}, ts('assign_title')));
    if (item && item.assigned_to.length) {
      this.el.append(
        h(
          'div',
          { class: 'assigned-now', 'data-field': 'assigned-now' },
          h('span', { class: 'muted' }, `${ts('assigned_now')}: `),
          ...item.assigned_to.map((r) =>
            h(
              'span',
              { class: 'assigned-chip', 'data-assigned': r },
              this.name(r),
              ' ',
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary small',
                  'data-action': 'unassign',
                  'data-resource': r,
                  title: ts('unassign_title'),
                  disabled: this.busy,
                  onclick: () => void this.run(() => shiftApi.unassign(item.id, [r])),
                },
                ts('unassign'),
              ),
            ),
          ),
        ),
      );
    }
    if (this.error) this.el.append(h('p', { class: 'error', role: 'alert', 'data-field': 'assign-error' }, this.error));
    if (!this.list) {
      this.el.append(h('p', { class: 'muted' }, this.loading || !this.error ? ts('assign_loading') : ''));
      return;
    }
    if (!this.list.length) {
      this.el.append(h('p', { class: 'muted' }, ts('assign_none')));
      return;
    }
    const assigned = new Set(item?.assigned_to ?? []);
    // A driver whose van is free is offered on the van's row; listing them again is noise.
    const withVan = new Set(
      this.list.filter((c) => c.resource.kind === 'vehicle' && !c.busy && c.pair && this.free(c.pair) && !assigned.has(c.resource.id)).map((c) => c.pair!),
    );
    let folded = 0;
    const body = h('tbody');
    const rows: HTMLElement[] = [];
    for (const c of this.list) {
      if (assigned.has(c.resource.id)) continue;
      if (!this.showPaired && withVan.has(c.resource.id)) {
        folded += 1;
        continue;
      }
      const r = c.resource;
      const grey = c.busy || !c.suitable;
      const pairName = c.pair ? this.name(c.pair) : '';
      const pairFree = c.pair ? this.free(c.pair) : false;
      const isVan = r.kind === 'vehicle' && !!c.pair;
      const reasons = [...c.reasons.map((x) => termS(x))];
      if (isVan && !pairFree && !c.busy) reasons.push(ts('pair_busy'));
      const buttons = h('td', { class: 'assign-buttons' });
      if (!c.busy) {
        if (isVan && pairFree) {
          buttons.append(
            h('button', { type: 'button', class: 'primary small', 'data-action': 'assign-pair', tabindex: -1, disabled: this.busy, onclick: () => this.assign(c, true) }, ts('assign_pair')),
            h('button', { type: 'button', class: 'small', 'data-action': 'assign-only', tabindex: -1, disabled: this.busy, onclick: () => this.assign(c, false) }, ts('assign_only')),
          );
        } else {
          buttons.append(
            h('button', { type: 'button', class: grey ? 'small' : 'primary small', 'data-action': 'assign-one', tabindex: -1, disabled: this.busy, onclick: () => this.assign(c, false) }, ts('assign_one')),
          );
        }
      }
      const tr = h(
        'tr',
        {
          class: `cand${grey ? ' grey' : ''}${c.busy ? ' busy' : ''}`,
          'data-resource-id': r.id,
          'data-busy': String(c.busy),
          'data-suitable': String(c.suitable),
          'data-eta': c.eta_s ?? '',
          tabindex: -1,
          'aria-disabled': c.busy ? 'true' : null,
        },
        h(
          'td',
          { class: 'cand-name' },
          h('strong', {}, r.name),
          h('div', { class: 'cand-sub muted' }, `${term(r.kind)} · `, h('span', { class: 'mono' }, r.id)),
          isVan ? h('div', { class: 'cand-pair', 'data-pair': c.pair! }, ts('with_driver', { name: pairName })) : null,
        ),
        h(
          'td',
          { class: 'num', 'data-field': 'eta' },
          h('div', { class: 'cand-eta' }, c.eta_s === null ? '—' : ts('eta_min', { m: Math.max(1, Math.round(c.eta_s / 60)) })),
          h('div', { class: 'muted' }, c.distance_m === null ? '' : ts('km', { km: formatNumber(c.distance_m / 1000) })),
        ),
        h('td', { class: 'num', title: ts('col_wheelchairs') }, r.kind === 'vehicle' ? `♿ ${r.wheelchair_places}` : ''),
        h('td', { class: 'cand-reasons', 'data-field': 'reasons' }, reasons.length ? reasons.join('; ') : ts('free')),
        buttons,
      );
      tr.addEventListener('keydown', (e) => {
        const i = rows.indexOf(tr);
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          const next = rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))];
          this.rove(rows, next);
        } else if (e.key === 'Home' || e.key === 'End') {
          e.preventDefault();
          this.rove(rows, e.key === 'Home' ? rows[0] : rows[rows.length - 1]);
        } else if (e.key === 'Enter' && e.target === tr) {
          e.preventDefault();
          this.assign(c, !e.shiftKey);
        }
      });
      tr.addEventListener('click', (e) => {
        if ((e.target as HTMLElement).closest('button')) return;
        this.rove(rows, tr);
      });
      rows.push(tr);
      body.append(tr);
    }
    // One row is in the Tab order: the one last in focus, else the first.
    const current = rows.find((r) => r.dataset.resourceId === this.focusId) ?? rows[0];
    if (current) current.tabIndex = 0;
    this.el.append(
      h(
        'table',
        { class: 'cand-table' },
        h(
          'thead',
          {},
          h('tr', {}, ...(['col_resource', 'col_eta', 'col_wheelchairs', 'col_state'] as const).map((k) => h('th', {}, ts(k))), h('th')),
        ),
        body,
      ),
      folded || this.showPaired
        ? h(
            'button',
            {
              type: 'button',
              class: 'link small-print',
              'data-action': 'toggle-paired',
              onclick: () => {
                this.showPaired = !this.showPaired;
                this.drawList(item);
              },
            },
            this.showPaired ? ts('hide_paired') : ts('show_paired', { n: folded }),
          )
        : '',
      h('p', { class: 'muted small-print' }, ts('assign_keys')),
    );
    // The console's `s` key focused the panel while the list was loading: the first row now.
    if (current && document.activeElement === this.el) current.focus();
    // A redraw (a live event) must not take the row from under the dispatcher's keys.
    if (this.focusId && current && current.dataset.resourceId === this.focusId && !this.el.contains(document.activeElement)) {
      const a = document.activeElement;
      if (!a || a === document.body) queueMicrotask(() => current.isConnected && current.focus());
    }
  }

  private rove(rows: HTMLElement[], to: HTMLElement | undefined): void {
    if (!to) return;
    for (const r of rows) r.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  }
}
