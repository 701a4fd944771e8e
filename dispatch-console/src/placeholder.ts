// Drivers and the EMIU team get their own screens in later issues; until then they land on a
// page that says so, shows who is logged in and lets them log out.

import { h } from './dom';
import { t } from './i18n';
import type { Me } from './types';
import { topBar } from './topbar';

export function mountPlaceholder(root: HTMLElement, me: Me, onLogout: () => void): void {
  const title = h('h1');
  const text = h('p');
  const label = () => {
    title.textContent = t('in_progress_page');
    text.textContent = t('in_progress_text');
  };
  label();
  root.replaceChildren(
    topBar(me, onLogout, label),
    h('main', { class: 'placeholder', 'data-page': me.role }, title, text),
  );
}
