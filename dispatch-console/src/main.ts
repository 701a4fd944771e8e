// Entry point: who is logged in decides the page. Dispatchers, supervisors and admins get the
// console; drivers and EMIU go to their own (placeholder) pages. Paths are real URLs (the
// service answers every unknown path with index.html), so `/items/{id}` can be shared.

import './style.css';
import './shift.css';
import './services.css';
import { ApiError, api } from './api';
import { mountConsole } from './console';
import { mountBeds } from './beds';
import { mountEmiu } from './emiu';
import { mountOutbound } from './outbound';
import { mountReports } from './reports';
import { mountSupervisor } from './supervisor';
import { mountRoster } from './roster';
import { mountItemPage } from './itempage';
import { mountLogin } from './login';
import { mountPlaceholder } from './placeholder';
import { mountTransport } from './transport/page';
import { forgetTablet, mountTablet } from './transport/tablet';
import { CACHED_ME, kv } from './transport/tablet-db';
import { mountRiders } from './transport/riders';
import { mountServices } from './services';
import { mountInbox } from './inbox';
import { stopP1Watch, watchP1 } from './p1strip';
import type { Me } from './types';

const root = document.getElementById('app')!;
let unmount: (() => void) | undefined;

function itemFromPath(): string | null {
  const m = location.pathname.match(/^\/items\/([^/]+)$/);
  return m ? decodeURIComponent(m[1]) : null;
}

function emiuCaseFromPath(): string | null {
  const m = location.pathname.match(/^\/emiu\/([^/]+)$/);
  return m ? decodeURIComponent(m[1]) : null;
}

function go(path: string): void {
  if (location.pathname !== path) history.replaceState({}, '', path);
}

async function logout(): Promise<void> {
  unmount?.();
  unmount = undefined;
  // A logged-out tablet must not open offline for the next person.
  await forgetTablet();
  try {
    await api.logout();
  } catch {
    // Already logged out (expired cookie): the login page is the right place either way.
  }
  showLogin();
}

function showLogin(): void {
  // Nobody is logged in to hear it: the strip's socket and tone end with the session.
  stopP1Watch();
  const wanted = location.pathname;
  go('/login');
  document.body.dataset.page = 'login';
  mountLogin(root, (me) => {
    go(wanted === '/login' ? '/' : wanted);
    route(me);
  });
}

function route(me: Me): void {
  mountPage(me);
  // A P1 alarm reaches a dispatcher on whichever page they are (see p1strip.ts).
  watchP1(me, root);
}

function mountPage(me: Me): void {
  unmount?.();
  unmount = undefined;
  const item = itemFromPath();
  document.body.dataset.role = me.role;
  // A service's staff (DAS unit, NGO partner) have their inbox and nothing else.
  if (me.role === 'service') {
    go('/inbox');
    document.body.dataset.page = 'inbox';
    unmount = mountInbox(root, me, () => void logout());
    return;
  }
  if (location.pathname === '/servicii' && me.role !== 'driver') {
    document.body.dataset.page = 'services';
    unmount = mountServices(root, me, () => void logout());
    return;
  }
  // The EMIU page: the team's own screen, and a case link (`/emiu/{id}`) anyone may follow —
  // the server refuses whoever may not see the case, and the page shows the refusal.
  const emiuCase = emiuCaseFromPath();
  // The bed registry: dispatch roles and EMIU (the server withholds DV shelters' addresses).
  if (location.pathname === '/paturi' && me.role !== 'driver') {
    document.body.dataset.page = 'beds';
    unmount = mountBeds(root, me, () => void logout());
    return;
  }
  if (emiuCase || (me.role === 'emiu' && !item)) {
    if (!emiuCase) go('/emiu');
    document.body.dataset.page = 'emiu';
    unmount = mountEmiu(root, me, emiuCase, () => void logout());
    return;
  }
  if (location.pathname === '/rapoarte' && me.role !== 'driver' && me.role !== 'emiu') {
    document.body.dataset.page = 'reports';
    unmount = mountReports(root, me, () => void logout());
    return;
  }
  if (me.role === 'driver' || me.role === 'emiu') {
    if (item) {
      document.body.dataset.page = 'item';
      mountItemPage(root, me, item, () => void logout());
      return;
    }
    go(me.role === 'driver' ? '/sofer' : '/emiu');
    document.body.dataset.page = me.role === 'driver' ? 'sofer' : 'emiu';
    if (me.role === 'driver') {
      registerTabletWorker();
      unmount = mountTablet(root, me, () => void logout());
    }
    else mountPlaceholder(root, me, () => void logout());
    return;
  }
  if (location.pathname === '/supervizor' && (me.role === 'supervisor' || me.role === 'admin')) {
    document.body.dataset.page = 'supervisor';
    unmount = mountSupervisor(root, me, () => void logout());
    return;
  }
  if (location.pathname === '/supervizor') go('/');
  if (location.pathname === '/apeluri') {
    document.body.dataset.page = 'outbound';
    unmount = mountOutbound(root, me, () => void logout());
    return;
  }
  if (location.pathname === '/tura' && (me.role === 'supervisor' || me.role === 'admin')) {
    document.body.dataset.page = 'roster';
    unmount = mountRoster(root, me, () => void logout());
    return;
  }
  if (location.pathname === '/tura') go('/');
  if (location.pathname === '/transport/beneficiari') {
    document.body.dataset.page = 'riders';
    unmount = mountRiders(root, me, () => void logout());
    return;
  }
  if (location.pathname === '/transport') {
    document.body.dataset.page = 'transport';
    unmount = mountTransport(root, me, () => void logout());
    return;
  }
  if (location.pathname === '/sofer' || location.pathname === '/emiu' || location.pathname === '/login') go('/');
  document.body.dataset.page = 'console';
  unmount = mountConsole(root, me, item, () => void logout());
}

/** The tablet's service worker (public/sw.js): the app shell, so the tablet opens in a dead
 * zone. Registered for drivers only; dispatchers' browsers never get it. */
function registerTabletWorker(): void {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(() => undefined);
  }
}

/** Whether an error means the service could not be reached (not a refusal). */
function unreachable(e: unknown): boolean {
  return !(e instanceof ApiError) || e.status >= 500;
}

api
  .me()
  .then(route)
  .catch(async (e: unknown) => {
    // Offline (a reload in a dead zone): a driver this tablet knows gets the tablet, working
    // from what it kept; everyone else, and any refusal (401), the login page.
    if (unreachable(e)) {
      const kept = await kv.get<Me>(CACHED_ME).catch(() => undefined);
      if (kept?.role === 'driver') {
        route(kept);
        return;
      }
    }
    showLogin();
  });
