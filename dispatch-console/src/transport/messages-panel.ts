// The dispatchers' side of the tablet messages (on `/transport`): every vehicle's messages of
// the day, with what still waits — a driver's message nobody read yet, a message the driver has
// not acknowledged — and a box to send a text to a vehicle's driver. Sent messages and
// acknowledgements arrive over the websocket (`transport_changed`, reason `message`) and the
// panel refetches the day's messages (role-checked and audited by the service).

import { ApiError } from '../api';
import { clear, h } from '../dom';
import { onLangChange } from '../i18n';
import { call, type DriverMessage, type DriverMessageList } from './api';
import { clock, refusal, tk, type TabletKey } from './i18n-tablet';
import { listenTransport } from './listen';

const PATH = '/api/v1/transport/messages';

function newId(): string {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

/** Mounts the panel into `el` for the day `date` (YYYY-MM-DD, or a getter: the planner's page
 * passes its date picker, and calls `reload` when it changes); returns its unmount. Messages are
 * sent for today: the send form shows only while today is the day shown. */
export function mountMessagesPanel(el: HTMLElement, date: string | (() => string)): (() => void) & { reload: () => void } {
  const day = typeof date === 'function' ? date : () => date;
  let vehicles: string[] = [];
  let messages: DriverMessage[] = [];
  const status = h('p', { class: 'muted', role: 'status', 'data-field': 'messages-status' });
  const lists = h('div', { class: 'messages-vehicles' });
  const vehicleSelect = h('select', { name: 'message-vehicle' }) as HTMLSelectElement;
  const text = h('input', { name: 'message-text', type: 'text', maxlength: '500', size: '40' }) as HTMLInputElement;
  const sendButton = h('button', { class: 'primary', type: 'submit', 'data-action': 'send-driver-message' });
  const title = h('h2', {});
  const toLabel = h('span', {});
  const form = h('form', { class: 'messages-send' }, h('label', {}, toLabel, vehicleSelect), h('label', {}, tk('message_text'), text), sendButton);
  el.classList.add('messages-panel');
  el.replaceChildren(title, form, status, lists);

  const say = (m: string) => {
    status.textContent = m;
  };
  const fail = (e: unknown) => say(e instanceof ApiError ? refusal(e) : String(e));

  async function load(): Promise<void> {
    const shown = day();
    el.dataset.date = shown;
    const now = new Date();
    const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
    form.hidden = shown !== today;
    try {
      const [v, m] = await Promise.all([
        vehicles.length ? Promise.resolve(null) : call<{ vehicles: { id: string }[] }>('GET', '/api/v1/transport/vehicles'),
        call<DriverMessageList>('GET', `${PATH}?date=${encodeURIComponent(shown)}`),
      ]);
      if (shown !== day()) return;
      if (v) vehicles = v.vehicles.map((x) => x.id);
      messages = m.messages;
      render();
    } catch (e) {
      fail(e);
    }
  }

  function line(m: DriverMessage): HTMLElement {
    const fromDriver = m.direction === 'from_driver';
    const waiting = !m.acked_at;
    const mark = fromDriver
      ? waiting ? tk('unread') : tk('read', { t: clock(m.acked_at!) })
      : waiting ? tk('not_acked') : tk('acked', { t: clock(m.acked_at!) });
    return h(
      'li',
      { class: `driver-message ${fromDriver ? 'from-driver' : 'to-driver'}${waiting ? ' waiting' : ''}`, 'data-message': m.id, 'data-direction': m.direction },
      h('span', { class: 'mono' }, clock(m.sent_at)),
      ' ',
      h('strong', {}, fromDriver ? tk('from_driver') : tk('from_dispatch')),
      ': ',
      h('span', { class: 'text' }, m.canned ? tk(`canned_${m.canned}` as TabletKey) : m.text),
      ' ',
      h('span', { class: `mark${waiting ? ' waiting' : ''}`, 'data-field': 'mark' }, `(${mark})`),
      fromDriver && waiting
        ? h(
            'button',
            {
              class: 'secondary',
              'data-action': 'mark-read',
              onclick: () =>
                void call<DriverMessage>('POST', `${PATH}/${encodeURIComponent(m.id)}/ack`)
                  .then(load)
                  .catch(fail),
            },
            tk('mark_read'),
          )
        : null,
    );
  }

  function render(): void {
    title.textContent = tk('panel_title');
    toLabel.textContent = tk('panel_to');
    sendButton.textContent = tk('send');
    const chosen = vehicleSelect.value;
    clear(vehicleSelect);
    for (const v of vehicles) vehicleSelect.append(h('option', { value: v }, v));
    if (chosen) vehicleSelect.value = chosen;
    clear(lists);
    const shown = vehicles.filter((v) => messages.some((m) => m.vehicle_id === v));
    if (shown.length === 0) lists.append(h('p', { class: 'muted' }, tk('panel_empty')));
    for (const v of shown) {
      const mine = messages.filter((m) => m.vehicle_id === v);
      const unread = mine.filter((m) => m.direction === 'from_driver' && !m.acked_at).length;
      const unacked = mine.filter((m) => m.direction === 'to_driver' && !m.acked_at).length;
      lists.append(
        h(
          'section',
          { class: 'messages-vehicle', 'data-vehicle': v, 'data-unread': String(unread), 'data-unacked': String(unacked) },
          h(
            'h3',
            {},
            `${tk('panel_vehicle')} ${v}`,
            unread ? h('span', { class: 'badge unread' }, ` ${unread} ${tk('unread')}`) : null,
            unacked ? h('span', { class: 'badge unacked' }, ` ${unacked} ${tk('not_acked')}`) : null,
          ),
          h('ol', {}, ...mine.map(line)),
        ),
      );
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = text.value.trim();
    if (!v || !vehicleSelect.value) return;
    sendButton.disabled = true;
    call<DriverMessage>('POST', PATH, { message_id: newId(), vehicle_id: vehicleSelect.value, text: v })
      .then(() => {
        text.value = '';
        say(tk('panel_sent'));
        return load();
      })
      .catch(fail)
      .finally(() => {
        sendButton.disabled = false;
      });
  });

  const stop = listenTransport({
    onChange: (c) => {
      if (c === null || c.reason === 'message') void load();
    },
    onLink: () => undefined,
    onUnauthorized: () => undefined,
  });
  const offLang = onLangChange(() => render());
  render();
  void load();
  const unmount = () => {
    stop();
    offLang();
  };
  return Object.assign(unmount, { reload: () => void load() });
}
