import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// The renderer is served by the hub (browser mode) and loaded by Electron: relative
// asset paths so it works from either, no external requests.
export default defineConfig({
  root: '.',
  base: './',
  plugins: [vue()],
  build: { outDir: 'dist/renderer', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 2048 },
  // The event stream is a WebSocket under /api: proxied with ws in development.
  server: { port: 5173, proxy: { '/api': { target: 'http://127.0.0.1:8700', ws: true }, '/healthz': 'http://127.0.0.1:8700' } },
});
