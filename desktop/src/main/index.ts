/** Electron entry: opens the console and wall windows on the URLs the launcher passes. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, app, screen } from 'electron';
import { openWindows } from './windows.js';

const consoleUrl = process.env.CC_CONSOLE_URL ?? 'http://127.0.0.1:8700/#/console';
const wallUrl = process.env.CC_WALL_URL ?? 'http://127.0.0.1:8700/#/wall';
const preload = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'preload', 'index.cjs');

app.on('window-all-closed', () => app.quit());
void app.whenReady().then(() =>
  openWindows(
    {
      screen,
      createWindow: (o) =>
        new BrowserWindow({
          x: o.x,
          y: o.y,
          width: o.width,
          height: o.height,
          fullscreen: o.fullscreen,
          title: o.title,
          autoHideMenuBar: true,
          webPreferences: { preload: o.preload, contextIsolation: true, sandbox: true, nodeIntegration: false },
        }),
    },
    consoleUrl,
    wallUrl,
    preload,
  ),
);
