/** The machine's displays, read from `xrandr --listmonitors` (X11); one unknown display if that is not possible. */
import { execFileSync } from 'node:child_process';

export interface Display {
  index: number;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  primary: boolean;
}

/** Parses lines like ` 0: +*DUMMY0 1920/508x1080/286+0+0  DUMMY0`. */
export function parseXrandrMonitors(text: string): Display[] {
  const displays: Display[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+):\s+\+?(\*?)(\S+)\s+(\d+)\/\d+x(\d+)\/\d+\+(-?\d+)\+(-?\d+)/.exec(line);
    if (!match) continue;
    const [, index, star, name, width, height, x, y] = match;
    displays.push({
      index: Number(index),
      name: name ?? `display-${index}`,
      primary: star === '*',
      width: Number(width),
      height: Number(height),
      x: Number(x),
      y: Number(y),
    });
  }
  return displays;
}

export function hasGraphicalSession(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export function listDisplays(env: NodeJS.ProcessEnv = process.env): Display[] {
  if (env.DISPLAY) {
    try {
      const displays = parseXrandrMonitors(execFileSync('xrandr', ['--listmonitors'], { encoding: 'utf8', env, timeout: 3000 }));
      if (displays.length > 0) return displays;
    } catch {
      // xrandr missing or not an X server: fall through to one display.
    }
  }
  return [{ index: 0, name: 'display-0', x: 0, y: 0, width: 1920, height: 1080, primary: true }];
}

/** The console goes on the primary display; every other display shows part of the wall. */
export function assignDisplays(displays: Display[]): { console: Display; walls: Display[] } {
  const primary = displays.find((d) => d.primary) ?? displays[0];
  if (!primary) throw new Error('no display');
  return { console: primary, walls: displays.filter((d) => d !== primary) };
}
