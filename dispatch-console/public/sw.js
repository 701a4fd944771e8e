// The service worker of the driver's tablet (registered by the tablet only): the app shell
// (index.html and the built, content-hashed assets) is kept in a cache so that a reload or a
// restart in a dead zone still opens the tablet, which then reads the manifest and the pending
// actions from IndexedDB.
//
// - Pages (navigations): network first, so a new console version is picked up as soon as the
//   service answers; the cached index.html only when the network fails.
// - /assets/*: cache first (their names change with their content, so a cached one is never
//   stale); cached as they are fetched, and the shell's own ones at install.
// - /api, /ws and everything else: not touched. API answers are never cached here: the manifest
//   is kept by the tablet itself, in IndexedDB, where it knows what it is.

const CACHE = 'dispecer-shell-v1';
const SHELL = '/index.html';

async function cacheShell() {
  const cache = await caches.open(CACHE);
  const res = await fetch('/', { cache: 'no-store' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(SHELL, res);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.addAll(assets);
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    event.respondWith(
      fetch(req)
        .then((res) => {
          // Every page path answers the same index.html: keep the newest copy.
          if (res.ok && (res.headers.get('content-type') ?? '').includes('text/html')) {
            const copy = res.clone();
            void caches.open(CACHE).then((c) => c.put(SHELL, copy));
          }
          return res;
        })
        .catch(async () => (await caches.match(SHELL)) ?? Response.error()),
    );
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ??
          fetch(req).then((res) => {
            if (res.ok) {
              const copy = res.clone();
              void caches.open(CACHE).then((c) => c.put(req, copy));
            }
            return res;
          }),
      ),
    );
  }
});
