import { defineConfig } from 'vite';

// The console is served by the service itself at `/`, so everything (scripts, styles, fonts)
// must be bundled: the dispatch centre has to keep working when the internet is down.
// `npm run dev` proxies the API and the websocket to a running service (or `npm run mock`).
// No source maps: they would publish the unminified source to anyone (the service also refuses
// to serve any `*.map`).
const target = process.env.DISPECER_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0 },
  server: {
    proxy: {
      '/api': { target },
      '/ws': { target: target.replace(/^http/, 'ws'), ws: true },
    },
  },
});
