// The sign-in form. The password goes once to `POST /api/v1/session`, which answers with an
// HttpOnly cookie; the page keeps nothing.

import { unlockAudio } from './alarm';
import { ApiError, api } from './api';
import { h } from './dom';
import { currentLang, setLang, t } from './i18n';
import type { Me } from './types';

export function mountLogin(root: HTMLElement, onLoggedIn: (me: Me) => void): void {
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' });
  const userLabel = h('span');
  const passLabel = h('span');
  const title = h('h1');
  const lang = h('button', { type: 'button', class: 'secondary lang', 'data-action': 'lang' });
  const label = () => {
    title.textContent = t('login_title');
    userLabel.textContent = t('username');
    passLabel.textContent = t('password');
    submit.textContent = t('login');
    lang.textContent = t('language');
    if (!error.hidden) error.textContent = t('login_failed');
  };
  lang.addEventListener('click', () => {
    setLang(currentLang() === 'ro' ? 'en' : 'ro');
    label();
  });
  const form = h(
    'form',
    {
      class: 'login',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        // The click that signs in is the user gesture browsers require before a page may play
        // sound; unlocking here means the first P1 alarm can ring.
        unlockAudio();
        submit.disabled = true;
        error.hidden = true;
        try {
          onLoggedIn(await api.login(user.value.trim(), pass.value));
        } catch (err) {
          error.hidden = false;
          error.textContent = err instanceof ApiError && err.status === 401 ? t('login_failed') : `${t('error')}: ${(err as Error).message}`;
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('div', { class: 'login-head' }, title, lang),
    h('label', {}, userLabel, user),
    h('label', {}, passLabel, pass),
    error,
    submit,
  );
  label();
  root.replaceChildren(h('main', { class: 'login-page' }, form));
}
