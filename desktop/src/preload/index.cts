/** Preload: exposes an allowlist to the renderer; nothing of Node leaks through. */
import electron = require('electron');

electron.contextBridge.exposeInMainWorld('ccDesktop', {
  shell: 'electron',
  platform: process.platform,
});
