// The bar every page shares: who is logged in, the language switch and logout.

import { h } from './dom';
import { currentLang, setLang, t, term } from './i18n';
import { ts } from './i18n-services';
import { to } from './i18n-outbound';
import type { Me } from './types';

export function topBar(me: Me, onLogout: () => void, onLang: () => void, extra?: HTMLElement): HTMLElement {
  const title = h('span', { class: 'app-title' }, t('app_title'));
  const who = h('span', { class: 'who', 'data-field': 'who' });
  const langBtn = h('button', { class: 'secondary lang', 'data-action': 'lang' });
  const logout = h('button', { class: 'secondary', 'data-action': 'logout', onclick: onLogout });
  // The way back to the work queue from every dispatch page that brings no link of its own (the
  // beds, outbound calls, services and reports pages).
  const queue =
    !extra && ['dispatcher', 'supervisor', 'admin'].includes(me.role)
      ? h('a', { class: 'nav', href: '/', 'data-action': 'queue' }, `← ${t('queue')}`)
      : null;
  const label = () => {
    title.textContent = t('app_title');
    who.textContent = `${t('logged_in_as')} ${me.display_name} (${me.username}, ${term(me.role)})`;
    who.title = who.textContent;
    langBtn.textContent = t('language');
    langBtn.title = t('language_title');
    logout.textContent = t('logout');
    if (queue) queue.textContent = `← ${t('queue')}`;
  };
  langBtn.addEventListener('click', () => {
    setLang(currentLang() === 'ro' ? 'en' : 'ro');
    label();
    onLang();
  });
  label();
  // The page's own controls beside the title stay on one line.
  extra?.classList.add('topbar-extra');
  // Dispatchers reach the adapted-transport page from every screen.
  const transport =
    me.role === 'dispatcher' || me.role === 'supervisor' || me.role === 'admin'
      ? h('a', { class: 'nav', href: '/transport', 'data-action': 'transport' }, 'Transport')
      : null;
  // The directory of services, for an information call (dispatch roles and EMIU).
  const services = ['dispatcher', 'supervisor', 'admin', 'emiu'].includes(me.role)
    ? h('a', { class: 'nav', href: '/servicii', 'data-action': 'services' }, ts('nav_services'))
    : null;
  // The outbound calls (wellbeing calls, lists, campaigns).
  const outbound = transport ? h('a', { class: 'nav', href: '/apeluri', 'data-action': 'outbound' }, to('nav')) : null;
  // The bed registry (dispatch roles and EMIU; a driver or a service has no use for it).
  const beds = ['dispatcher', 'supervisor', 'admin', 'emiu'].includes(me.role)
    ? h('a', { class: 'nav', href: '/paturi', 'data-action': 'beds' }, currentLang() === 'en' ? 'Beds' : 'Paturi')
    : null;
  return h(
    'header',
    { class: 'topbar' },
    title,
    extra ?? queue,
    transport,
    services,
    outbound,
    beds,
    h('span', { class: 'spacer' }),
    who,
    langBtn,
    logout,
  );
}
