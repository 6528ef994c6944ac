/** Preload: exposes an allowlist to the renderer; nothing of Node leaks through. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload must be CommonJS
import electron = require('electron');

electron.contextBridge.exposeInMainWorld('ccDesktop', {
  shell: 'electron',
  platform: process.platform,
});
