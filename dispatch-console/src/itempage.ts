// A single item opened by address (`/items/{id}`) by someone who does not work the queue, e.g.
// a driver following a link. The server decides: a refused case shows the refusal.

import { DetailView } from './detail';
import { h } from './dom';
import { t } from './i18n';
import type { Me } from './types';
import { topBar } from './topbar';

export function mountItemPage(root: HTMLElement, me: Me, id: string, onLogout: () => void): void {
  const detail = new DetailView({ state: null });
  const back = h('a', { href: me.role === 'driver' ? '/sofer' : '/emiu' });
  const label = () => {
    back.textContent = t('back_to_queue');
    detail.render();
  };
  label();
  root.replaceChildren(topBar(me, onLogout, label), h('main', { class: 'item-page' }, back, detail.el));
  void detail.show(id);
}
