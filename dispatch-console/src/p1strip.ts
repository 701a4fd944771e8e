// A P1 alarm reaches a dispatcher on every page, not only on the console. Looking up a bed, a
// service or tomorrow's transport plan during a call, a dispatcher still sees a red strip under
// the top bar and hears the tone the moment a P1 arrives: each waiting P1 is a link that opens it
// on the console. The strip has its own websocket (the same `Live` client and access decision as
// the console: redacted items stay redacted) and, like the console's banner, is derived from the
// state, so it stops everywhere as soon as anyone takes the item. The console has its own banner
// and no strip; drivers, the EMIU team and the services' staff have neither.

import { audioReady, setAlarm, unlockAudio, unlockOnFirstGesture } from './alarm';
import { clear, h } from './dom';
import { t, term } from './i18n';
import { Live } from './live';
import { queueOrder } from './state';
import { who } from './subject';
import type { Item, Me } from './types';
import { needsAttention } from './types';

/** Waiting P1 items named on the strip; the rest are counted. */
const NAMED = 3;
const ROLES = ['dispatcher', 'supervisor', 'admin'];
/** Pages with their own alarm (the console) or none to show it on. */
const WITHOUT = ['console', 'login'];

interface Watch {
  el: HTMLElement;
  live: Live;
  stopGesture: () => void;
  observer: MutationObserver;
}

let watch: Watch | null = null;

/** Starts (once per page load) or stops the strip for the page now mounted in `root`. */
export function watchP1(me: Me, root: HTMLElement): void {
  const wanted = ROLES.includes(me.role) && !WITHOUT.includes(document.body.dataset.page ?? '');
  if (!wanted) {
    stop();
    return;
  }
  if (watch) {
    place(watch.el, root);
    return;
  }
  const el = h('div', { class: 'alarm-banner p1-strip', role: 'alert', hidden: true, 'data-field': 'p1-strip' });
  const live = new Live({
    onSnapshot: () => render(),
    onEvent: () => render(),
    onStatus: () => undefined,
    // The page itself meets the expired session on its next request and goes to the login.
    onUnauthorized: () => live.stop(),
  });
  function render(): void {
    const waiting = queueOrder([...live.state.items.values()].filter(isWaitingP1));
    setAlarm(waiting.length > 0);
    el.hidden = waiting.length === 0;
    clear(el);
    if (waiting.length === 0) return;
    el.append(
      h('strong', {}, t('alarm_p1')),
      ...waiting.slice(0, NAMED).map((i) =>
        h('a', { class: 'alarm-open', href: `/items/${encodeURIComponent(i.id)}`, 'data-item-id': i.id, title: t('p1_open_on_console') }, `${who(i)} · ${term(i.category)}`),
      ),
      waiting.length > NAMED ? h('span', { class: 'alarm-more' }, `+${waiting.length - NAMED}`) : '',
    );
    if (!audioReady()) {
      el.append(h('button', { type: 'button', class: 'secondary', 'data-action': 'enable-sound', onclick: () => void unlockAudio().then(render) }, t('enable_sound')));
    }
  }
  // Every page draws its top bar again when it re-renders: the strip goes back under it.
  const observer = new MutationObserver(() => place(el, root));
  observer.observe(root, { childList: true });
  watch = { el, live, stopGesture: unlockOnFirstGesture(render), observer };
  place(el, root);
  live.start();
}

function isWaitingP1(i: Item): boolean {
  return i.priority.level === 'P1' && needsAttention(i) && i.status !== 'closed';
}

/** Puts the strip right under the page's top bar (or first, while there is none). */
function place(el: HTMLElement, root: HTMLElement): void {
  const bar = root.querySelector(':scope > header.topbar');
  if (bar) {
    if (bar.nextSibling !== el) bar.after(el);
  } else if (root.firstChild !== el) {
    root.prepend(el);
  }
}

/** Ends the strip (its socket, tone and observer): at logout, before the login page. */
export function stopP1Watch(): void {
  stop();
}

function stop(): void {
  if (!watch) return;
  watch.observer.disconnect();
  watch.stopGesture();
  watch.live.stop();
  watch.el.remove();
  setAlarm(false);
  watch = null;
}
