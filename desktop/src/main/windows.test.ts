import { describe, expect, it } from 'vitest';
import { openWindows, type DisplayLike, type ElectronLike } from './windows.js';

const displays: DisplayLike[] = [
  { id: 10, label: 'WALL1', bounds: { x: 1920, y: 0, width: 1920, height: 1080 } },
  { id: 11, label: 'CONSOLE', bounds: { x: 0, y: 0, width: 1920, height: 1080 } },
  { id: 12, label: 'WALL2', bounds: { x: 3840, y: 0, width: 1920, height: 1080 } },
];

/** Electron cannot run here: a fake screen and window factory stand in for it. */
function fakeElectron() {
  const opened: { options: Parameters<ElectronLike['createWindow']>[0]; url?: string }[] = [];
  const electron: ElectronLike = {
    screen: { getAllDisplays: () => displays, getPrimaryDisplay: () => displays[1]! },
    createWindow(options) {
      const entry: (typeof opened)[number] = { options };
      opened.push(entry);
      return {
        loadURL: async (url) => {
          entry.url = url;
        },
        close: () => {},
      };
    },
  };
  return { electron, opened };
}

describe('Electron main windows (fake Electron API)', () => {
  it('opens the console on the primary display and a fullscreen wall window on every other display', async () => {
    const { electron, opened } = fakeElectron();
    await openWindows(electron, 'http://h/#/console', 'http://h/#/wall', '/p.cjs');
    expect(opened.map((o) => [o.url, o.options.x, o.options.fullscreen])).toEqual([
      ['http://h/#/console', 0, false],
      ['http://h/#/wall?display=1&name=WALL1', 1920, true],
      ['http://h/#/wall?display=2&name=WALL2', 3840, true],
    ]);
    expect(opened.every((o) => o.options.preload === '/p.cjs')).toBe(true);
  });
});
