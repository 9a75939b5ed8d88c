// Vite configuration: Preact, a build into dist/ with no inline scripts, and a dev proxy to the C server.
import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

// The C server listens on 8080 by default; `npm run dev` forwards the
// WebSocket, the HTTP API and the health check to it so the page can be
// developed with hot reload against a real server.
const server = 'http://localhost:8080';

export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Never inline assets as data: URLs or scripts; the server may send a
    // CSP with script-src 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/ws': { target: server, ws: true },
      '/api': server,
      '/healthz': server,
    },
  },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
  },
});
