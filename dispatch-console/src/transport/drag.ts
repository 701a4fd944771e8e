// Dragging a trip onto a vehicle's row of the planner's timeline with the pointer (mouse, pen or
// touch: pointer events, so Chromium and playwright's mouse drag both work). A press that moves
// less than a few pixels stays a click (a block still selects its trip); past that a label
// follows the pointer, the row under it is outlined, and releasing over another vehicle's row
// hands the trip and the vehicle to the page, which asks the service where it fits and moves it.
// The "place" button of the unserved list and the trip panel stays the keyboard's way.

import { h } from '../dom';
import { styled } from './timeline';

export interface TripDrag {
  /** The drag began (the pointer moved past the threshold): the page may mark where it fits. */
  onStart(trip: string): void;
  /** Released over a vehicle's row other than the one the trip is on. */
  onDrop(trip: string, vehicle: string): void;
  /** Released anywhere else. */
  onCancel(): void;
}

const THRESHOLD_PX = 6;
const EDGE_PX = 40;

/** The timeline row (a vehicle's) under a point, if any. */
function rowAt(x: number, y: number): HTMLElement | null {
  const el = document.elementFromPoint(x, y);
  return el instanceof HTMLElement ? el.closest<HTMLElement>('.timeline .tl-row[data-vehicle]') : null;
}

/** Makes `el` a drag source of `trip` (now on vehicle `from`, or unplanned with `null`). A press
 * on a button inside `el` (other than `el` itself) is left to that button. */
export function draggable(el: HTMLElement, trip: string, label: string, from: string | null, d: TripDrag): void {
  el.dataset.drag = trip;
  el.classList.add('tl-draggable');
  el.addEventListener('pointerdown', (down: PointerEvent) => {
    if (down.button !== 0) return;
    const target = down.target instanceof HTMLElement ? down.target : null;
    const inner = target?.closest('button, a, input, select');
    if (inner && inner !== el && el.contains(inner)) return;
    const x0 = down.clientX;
    const y0 = down.clientY;
    let ghost: HTMLElement | null = null;
    let over: HTMLElement | null = null;
    const mark = (row: HTMLElement | null) => {
      if (row === over) return;
      over?.classList.remove('tl-over');
      over = row;
      over?.classList.add('tl-over');
    };
    const stop = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', cancel);
      ghost?.remove();
      document.body.classList.remove('tl-dragging');
      mark(null);
    };
    const move = (m: PointerEvent) => {
      if (!ghost) {
        if (Math.hypot(m.clientX - x0, m.clientY - y0) < THRESHOLD_PX) return;
        ghost = h('div', { class: 'tl-ghost', 'aria-hidden': 'true', 'data-field': 'drag-ghost' }, label);
        document.body.append(ghost);
        document.body.classList.add('tl-dragging');
        d.onStart(trip);
      }
      m.preventDefault();
      styled(ghost, { left: `${m.clientX + 12}px`, top: `${m.clientY + 10}px` });
      // Near the window's top or bottom edge the page scrolls, so a row out of view can be reached.
      if (m.clientY < EDGE_PX) window.scrollBy(0, -EDGE_PX / 2);
      else if (m.clientY > window.innerHeight - EDGE_PX) window.scrollBy(0, EDGE_PX / 2);
      mark(rowAt(m.clientX, m.clientY));
    };
    const up = (u: PointerEvent) => {
      const dragged = ghost !== null;
      stop();
      if (!dragged) return; // a click: left to the element's own handler
      // The click the browser sends after the release is not a selection.
      const swallow = (c: Event) => {
        c.stopPropagation();
        c.preventDefault();
      };
      window.addEventListener('click', swallow, { capture: true, once: true });
      window.setTimeout(() => window.removeEventListener('click', swallow, { capture: true }), 0);
      const vehicle = rowAt(u.clientX, u.clientY)?.dataset.vehicle;
      if (vehicle && vehicle !== from) d.onDrop(trip, vehicle);
      else d.onCancel();
    };
    const cancel = () => {
      const dragged = ghost !== null;
      stop();
      if (dragged) d.onCancel();
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', cancel);
  });
}
