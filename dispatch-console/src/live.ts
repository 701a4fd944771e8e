// The websocket: a snapshot, then every committed event in order. On a drop we reconnect with
// `after_seq` so the server replays exactly what we missed (or sends a fresh snapshot). There is
// no polling: a ping every 10 s keeps idle proxies from closing the connection, and its pong
// tells us the link is alive — a socket silent for 25 s, or the browser going offline, counts
// as down (the console then says so in a full-width banner) and is reopened.

import { LiveState } from './state';
import type { ServerMessage, StoredEvent } from './types';

export type LinkStatus = 'connecting' | 'open' | 'closed';

export interface LiveHandlers {
  onSnapshot(): void;
  onEvent(e: StoredEvent): void;
  onStatus(s: LinkStatus): void;
  /** The server refused the socket (session expired): back to the login page. */
  onUnauthorized(): void;
}

export class Live {
  readonly state = new LiveState();
  private ws: WebSocket | null = null;
  private hadSnapshot = false;
  private retry = 0;
  private pingTimer: number | undefined;
  private stopped = false;
  /** When the server last said anything (a snapshot, an event or a pong): the screen is current
   * up to then. */
  lastMessageAt: number | null = null;
  private readonly offline = () => this.drop();

  constructor(private readonly handlers: LiveHandlers) {}

  start(): void {
    this.stopped = false;
    window.addEventListener('offline', this.offline);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('offline', this.offline);
    window.clearInterval(this.pingTimer);
    this.ws?.close();
    this.ws = null;
  }

  /** The link is dead (offline, or silent too long): say so now and reconnect, instead of
   * waiting for TCP to notice. */
  private drop(): void {
    const ws = this.ws;
    if (!ws || this.stopped) return;
    this.ws = null;
    window.clearInterval(this.pingTimer);
    ws.onclose = null;
    ws.close();
    this.handlers.onStatus('closed');
    this.scheduleReconnect();
  }

  private connect(): void {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // The screen this socket feeds, for the supervisor's "who is logged in where".
    const query = new URLSearchParams();
    const page = document.body.dataset.page;
    if (page && /^[a-z_-]{1,40}$/.test(page)) query.set('page', page);
    if (this.hadSnapshot) query.set('after_seq', String(this.state.seq));
    const qs = query.toString();
    const ws = new WebSocket(`${proto}//${location.host}/ws${qs ? `?${qs}` : ''}`);
    this.ws = ws;
    this.handlers.onStatus('connecting');
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.retry = 0;
      this.handlers.onStatus('open');
      window.clearInterval(this.pingTimer);
      this.pingTimer = window.setInterval(() => {
        if (this.lastMessageAt !== null && Date.now() - this.lastMessageAt > 25_000) {
          this.drop();
          return;
        }
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping' }));
      }, 10_000);
    };
    ws.onmessage = (m) => {
      this.lastMessageAt = Date.now();
      this.receive(m.data);
    };
    ws.onclose = () => {
      window.clearInterval(this.pingTimer);
      if (this.stopped || this.ws !== ws) return;
      this.handlers.onStatus('closed');
      // A socket refused before opening is most often an expired session: ask /me before
      // retrying, so the dispatcher lands on the login page instead of a silent loop.
      if (!opened) {
        fetch('/api/v1/me', { credentials: 'same-origin' })
          .then((r) => {
            if (r.status === 401) this.handlers.onUnauthorized();
            else this.scheduleReconnect();
          })
          .catch(() => this.scheduleReconnect());
      } else {
        this.scheduleReconnect();
      }
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    // Back off to at most 5 s: a dispatch console must come back quickly after a network blip.
    const delay = Math.min(5000, 250 * 2 ** this.retry++);
    window.setTimeout(() => this.connect(), delay);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: ServerMessage;
    try {
      msg = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    switch (msg.type) {
      case 'snapshot':
        this.state.reset(msg.seq, msg.items, msg.resources);
        this.hadSnapshot = true;
        this.handlers.onSnapshot();
        break;
      case 'event':
        if (this.state.applyStored(msg)) this.handlers.onEvent(msg);
        break;
      case 'item':
        // The event that made it visible follows; the item is already at its version.
        this.state.upsertItem(msg.seq, msg.item);
        this.handlers.onSnapshot();
        break;
      case 'pong':
      case 'error':
        break;
    }
  }
}
