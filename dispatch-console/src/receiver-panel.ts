// The DC-09 receiver's accounts on the supervisor's screen (`GET /api/v1/receiver/accounts`):
// account, linked device, encrypted or plain, supervision interval, last message (how long ago
// and the local time, 24 h) and the state in colour and words. Refreshed every 30 s and by the
// button; the texts are this panel's own (Romanian first, English on request).

import { clear, h } from './dom';
import { currentLang, fill, formatDateTime, missing, onLangChange } from './i18n';

/** One account as the API answers (no key, no personal data). */
interface AccountView {
  account: string;
  encrypted: boolean;
  device_id?: string | null;
  last_seen?: string | null;
  last_checkin?: string | null;
  messages: number;
  supervision_s?: number | null;
  supervision_from?: 'account' | 'device' | null;
  state: 'never' | 'ok' | 'silent';
}

interface AccountList {
  listening: boolean;
  accounts: AccountView[];
}

const REFRESH_MS = 30_000;

// Receiver panel texts (feature: DC-09 receiver accounts).
const ro = {
  title: 'Receptor alarme DC-09: conturi',
  refresh: 'Reîmprospătează',
  updated: 'actualizat {time}',
  not_listening: 'Receptorul nu ascultă (dezactivat în configurare): dispozitivele nu pot raporta direct.',
  none: 'Niciun cont de transmițător.',
  col_account: 'Cont',
  col_device: 'Dispozitiv legat',
  col_encryption: 'Criptare',
  col_supervision: 'Supraveghere',
  col_last_seen: 'Ultimul mesaj',
  col_messages: 'Mesaje',
  col_state: 'Stare',
  no_device: 'nelegat',
  encrypted: 'AES (criptat)',
  plain: 'necriptat',
  every: 'la {n}',
  from_account: 'al contului',
  from_device: 'al dispozitivului',
  unsupervised: 'fără',
  never_seen: 'niciodată',
  state_never: 'neauzit încă',
  state_ok: 'în regulă',
  state_silent: 'tăcut: verificați',
  ago_s: 'acum {n} s',
  ago_min: 'acum {n} min',
  ago_h: 'acum {n} h',
  ago_d: 'acum {n:o zi|# zile|# de zile}',
  dur_min: '{n} min',
  dur_h: '{n} h',
  dur_d: '{n:o zi|# zile|# de zile}',
  dur_1d: '1 zi',
  ago_1d: 'acum o zi',
  error: 'Lista conturilor nu s-a putut încărca ({code}).',
};
type RKey = keyof typeof ro;

const en: Record<RKey, string> = {
  title: 'DC-09 alarm receiver: accounts',
  refresh: 'Refresh',
  updated: 'updated {time}',
  not_listening: 'The receiver is not listening (disabled in the configuration): devices cannot report directly.',
  none: 'No transmitter accounts.',
  col_account: 'Account',
  col_device: 'Linked device',
  col_encryption: 'Encryption',
  col_supervision: 'Supervision',
  col_last_seen: 'Last message',
  col_messages: 'Messages',
  col_state: 'State',
  no_device: 'not linked',
  encrypted: 'AES (encrypted)',
  plain: 'plain',
  every: 'every {n}',
  from_account: "the account's",
  from_device: "the device's",
  unsupervised: 'none',
  never_seen: 'never',
  state_never: 'not heard yet',
  state_ok: 'ok',
  state_silent: 'silent: check it',
  ago_s: '{n} s ago',
  ago_min: '{n} min ago',
  ago_h: '{n} h ago',
  ago_d: '{n:# day|# days} ago',
  dur_min: '{n} min',
  dur_h: '{n} h',
  dur_d: '{n:# day|# days}',
  dur_1d: '1 day',
  ago_1d: 'a day ago',
  error: 'The account list could not be loaded ({code}).',
};

const dicts: Record<'ro' | 'en', Record<string, string>> = { ro, en };

/** A text of this panel, with `{name}` placeholders filled. */
export function tr(key: RKey, vars: Record<string, string | number> = {}): string {
  const text = dicts[currentLang()][key];
  if (text === undefined) return missing(`receiver:${key}`, key);
  return fill(text, vars);
}

/** How long ago, in the largest whole unit. */
function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return tr('ago_s', { n: s });
  if (s < 3600) return tr('ago_min', { n: Math.floor(s / 60) });
  if (s < 86_400) return tr('ago_h', { n: Math.floor(s / 3600) });
  const d = Math.floor(s / 86_400);
  return d === 1 ? tr('ago_1d') : tr('ago_d', { n: d });
}

/** An interval in minutes, hours or days (whichever divides it). */
function duration(s: number): string {
  if (s === 86_400) return tr('dur_1d');
  if (s % 86_400 === 0) return tr('dur_d', { n: s / 86_400 });
  if (s % 3600 === 0) return tr('dur_h', { n: s / 3600 });
  return tr('dur_min', { n: Math.max(1, Math.round(s / 60)) });
}

/** The panel; it refreshes itself while on the page and stops once taken off it. */
export function receiverPanel(): HTMLElement {
  const el = h('section', { class: 'panel sup-receiver', 'aria-label': 'receiver', 'data-panel': 'receiver' });
  let list: AccountList | null = null;
  let error = '';
  let updated: string | null = null;
  let timer: number | undefined;

  async function load(): Promise<void> {
    try {
      const res = await fetch('/api/v1/receiver/accounts', { credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      list = (await res.json()) as AccountList;
      updated = new Date().toISOString();
      error = '';
    } catch (e) {
      error = tr('error', { code: e instanceof Error ? e.message : '?' });
    }
    render();
  }

  function tick(): void {
    if (!el.isConnected && updated !== null) {
      window.clearInterval(timer);
      off();
      return;
    }
    void load();
  }

  function render(): void {
    const now = Date.now();
    clear(el);
    el.append(
      h(
        'header',
        { class: 'panel-head' },
        h('h2', {}, tr('title')),
        h('span', { class: 'count muted' }, list ? String(list.accounts.length) : ''),
        h('span', { class: 'muted rcv-updated' }, updated ? tr('updated', { time: formatDateTime(updated) }) : ''),
        h('button', { class: 'rcv-refresh', 'data-action': 'receiver-refresh', onclick: () => void load() }, tr('refresh')),
      ),
    );
    if (error) el.append(h('p', { class: 'error', role: 'alert' }, error));
    if (!list) return;
    if (!list.listening) el.append(h('p', { class: 'rcv-off' }, tr('not_listening')));
    if (list.accounts.length === 0) {
      el.append(h('p', { class: 'muted' }, tr('none')));
      return;
    }
    el.append(
      h(
        'table',
        { class: 'rcv-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            (['col_account', 'col_device', 'col_encryption', 'col_supervision', 'col_last_seen', 'col_messages', 'col_state'] as RKey[]).map((k) => h('th', {}, tr(k))),
          ),
        ),
        h(
          'tbody',
          {},
          list.accounts.map((a) =>
            h(
              'tr',
              { 'data-account': a.account, 'data-state': a.state },
              h('td', { class: 'rcv-account' }, a.account),
              h('td', {}, a.device_id ?? h('span', { class: 'muted' }, tr('no_device'))),
              h('td', {}, tr(a.encrypted ? 'encrypted' : 'plain')),
              h(
                'td',
                {},
                a.supervision_s
                  ? [tr('every', { n: duration(a.supervision_s) }), a.supervision_from ? h('span', { class: 'muted' }, ` (${tr(a.supervision_from === 'account' ? 'from_account' : 'from_device')})`) : '']
                  : h('span', { class: 'muted' }, tr('unsupervised')),
              ),
              h(
                'td',
                { class: 'rcv-seen' },
                a.last_seen ? [h('strong', {}, ago(a.last_seen, now)), h('br', {}), h('span', { class: 'muted' }, formatDateTime(a.last_seen))] : h('span', { class: 'muted' }, tr('never_seen')),
              ),
              h('td', { class: 'num' }, String(a.messages)),
              h('td', {}, h('span', { class: `rcv-state rcv-${a.state}`, 'data-field': 'state' }, tr(`state_${a.state}` as RKey))),
            ),
          ),
        ),
      ),
    );
  }

  const off = onLangChange(render);
  render();
  void load();
  timer = window.setInterval(tick, REFRESH_MS);
  return el;
}
