/**
 * Opens the desktop once the services are up: the Electron app when its binary is
 * installed; otherwise Debian Chromium app windows (console + one wall window per
 * extra display); with no display at all it only prints the URLs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@cc/runtime';
import { assignDisplays, hasGraphicalSession, listDisplays, type Display } from './displays.js';

export interface DesktopUrls {
  console: string;
  wall: string;
}

/** Path of the Electron binary if the electron package really has one (offline installs do not). */
export function findElectronBinary(repoRoot: string): string | undefined {
  const pkg = join(repoRoot, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | undefined {
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path));
}

export function wallUrl(base: string, display: Display): string {
  return `${base}?display=${display.index}&name=${encodeURIComponent(display.name)}`;
}

export function chromiumWindowArgs(url: string, display: Display, profileDir: string, fullscreen: boolean): string[] {
  const args = [
    `--app=${url}`,
    `--user-data-dir=${profileDir}`,
    `--window-position=${display.x},${display.y}`,
    `--window-size=${display.width},${display.height}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--password-store=basic',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (fullscreen) args.push('--start-fullscreen');
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return args;
}

export type DesktopMode = 'electron' | 'chromium' | 'urls';

export interface OpenedDesktop {
  mode: DesktopMode;
  close(): void;
}

export function openDesktop(repoRoot: string, dataDir: string, urls: DesktopUrls, logger: Logger): OpenedDesktop {
  const children: ChildProcess[] = [];
  const track = (child: ChildProcess, name: string): void => {
    children.push(child);
    child.on('error', (error) => logger.error({ err: error, window: name }, 'window failed to start'));
    child.on('exit', (code) => logger.info({ window: name, code }, 'window closed'));
  };
  const close = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };

  const electron = findElectronBinary(repoRoot);
  if (electron && hasGraphicalSession()) {
    const main = join(repoRoot, 'desktop', 'dist', 'main', 'index.js');
    track(
      spawn(electron, [main], { stdio: 'inherit', env: { ...process.env, CC_CONSOLE_URL: urls.console, CC_WALL_URL: urls.wall } }),
      'electron',
    );
    logger.info({ electron }, 'desktop opened in Electron');
    return { mode: 'electron', close };
  }
  const chromium = findChromium();
  if (!hasGraphicalSession() || !chromium) {
    printUrls(urls, chromium ? 'no display' : 'no Electron and no Chromium found');
    return { mode: 'urls', close };
  }
  const { console: consoleDisplay, walls } = assignDisplays(listDisplays());
  const profiles = join(dataDir, 'chromium');
  mkdirSync(profiles, { recursive: true });
  track(
    spawn(chromium, chromiumWindowArgs(urls.console, consoleDisplay, join(profiles, 'console'), false), { stdio: 'ignore' }),
    'console',
  );
  for (const display of walls) {
    const args = chromiumWindowArgs(wallUrl(urls.wall, display), display, join(profiles, `wall-${display.index}`), true);
    track(spawn(chromium, args, { stdio: 'ignore' }), `wall-${display.index}`);
  }
  logger.info(
    { chromium, consoleDisplay: consoleDisplay.name, wallDisplays: walls.map((d) => d.name) },
    'Electron not installed: desktop opened in Chromium windows',
  );
  if (walls.length === 0) printUrls({ ...urls }, 'one display: the wall can be opened in a browser on another screen');
  return { mode: 'chromium', close };
}

function printUrls(urls: DesktopUrls, why: string): void {
  process.stdout.write(
    `\n  执行指挥中心 / Command center (${why})\n    console 值班台: ${urls.console}\n    wall    大屏:   ${urls.wall}\n\n`,
  );
}
