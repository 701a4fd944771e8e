// The tablet's own storage, in IndexedDB (it survives a reload and a restart): the last
// manifest, the last messages, the last `me` (so a driver is let in offline), and the outbox of
// requests the driver made that the service has not acknowledged yet, in order. Each outbox
// entry carries the id the service dedups by (action id, message id), so sending it again after
// a lost answer is harmless: each is applied exactly once.

const DB = 'dispecer-tablet';
const KV = 'kv';
const OUTBOX = 'outbox';

/** A request waiting to reach the service. */
export interface OutboxEntry {
  /** The id the service dedups by (the action id, the message id...). */
  id: string;
  /** Whose it is: only that user's entries are sent. */
  user: string;
  /** Order of recording. */
  seq: number;
  path: string;
  body: Record<string, unknown> | null;
  at: string;
}

let opened: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(KV);
      req.result.createObjectStore(OUTBOX, { keyPath: 'id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

function run<T>(store: string, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return db().then(
    (d) =>
      new Promise<T>((resolve, reject) => {
        const tx = d.transaction(store, mode);
        const req = op(tx.objectStore(store));
        // Resolved when the transaction is durable, not merely when the request ran.
        tx.oncomplete = () => resolve(req.result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      }),
  );
}

export const kv = {
  get: <T>(key: string) => run<T | undefined>(KV, 'readonly', (s) => s.get(key) as IDBRequest<T | undefined>),
  put: (key: string, value: unknown) => run(KV, 'readwrite', (s) => s.put(value, key)),
  del: (key: string) => run(KV, 'readwrite', (s) => s.delete(key)),
};

export const outbox = {
  /** A user's entries, in recording order. */
  async all(user: string): Promise<OutboxEntry[]> {
    const all = await run<OutboxEntry[]>(OUTBOX, 'readonly', (s) => s.getAll() as IDBRequest<OutboxEntry[]>);
    return all.filter((e) => e.user === user).sort((a, b) => a.seq - b.seq);
  },
  add: (e: OutboxEntry) => run(OUTBOX, 'readwrite', (s) => s.add(e)),
  /** Several entries in one transaction: all of them are kept, or none (a "collect all"). */
  addAll: (es: OutboxEntry[]) =>
    db().then(
      (d) =>
        new Promise<void>((resolve, reject) => {
          const tx = d.transaction(OUTBOX, 'readwrite');
          const s = tx.objectStore(OUTBOX);
          for (const e of es) s.add(e);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error);
        }),
    ),
  remove: (id: string) => run(OUTBOX, 'readwrite', (s) => s.delete(id)),
};

export function newId(): string {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

/** The `me` cached for an offline start, if that user was a driver on this tablet. */
export const CACHED_ME = 'me';
