// The transport screens listen to the websocket instead of polling: each `transport_changed`
// event that reaches this viewer (the server filters by role, and a driver gets only their
// vehicle's) makes the screen refetch its plan or manifest. The `Live` client reconnects with
// `after_seq`, so a change made while the link was down is replayed; a fresh snapshot (too far
// behind) refetches too. While the socket is down, a slow safety refresh keeps the screen
// roughly current.

import { Live } from '../live';
import type { TransportChange } from '../types';

const SAFETY_REFRESH_MS = 60_000;

export interface TransportListener {
  /** A change reached this viewer; `null` after a (re)connection snapshot: refetch anyway. */
  onChange(change: TransportChange | null): void;
  /** The socket opened (true) or dropped (false). */
  onLink(open: boolean): void;
  onUnauthorized(): void;
}

export function listenTransport(l: TransportListener): () => void {
  let open = false;
  let snapshots = 0;
  const live = new Live({
    onSnapshot: () => {
      // The first snapshot comes right after the screen's own first load.
      if (snapshots++ > 0) l.onChange(null);
    },
    onEvent: (e) => {
      if (e.event.type === 'transport_changed') l.onChange(e.event.change);
    },
    onStatus: (s) => {
      const now = s === 'open';
      if (now !== open) {
        open = now;
        l.onLink(open);
      }
    },
    onUnauthorized: () => l.onUnauthorized(),
  });
  live.start();
  const safety = window.setInterval(() => {
    if (!open) l.onChange(null);
  }, SAFETY_REFRESH_MS);
  return () => {
    window.clearInterval(safety);
    live.stop();
  };
}
