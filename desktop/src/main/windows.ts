/**
 * Electron main: which window goes on which display. Plain module: Electron's APIs
 * come in as parameters so this is tested under Node with a fake.
 */
export interface DisplayLike {
  id: number;
  label?: string;
  bounds: { x: number; y: number; width: number; height: number };
}

export interface WindowLike {
  loadURL(url: string): Promise<void>;
  close(): void;
}

export interface ElectronLike {
  screen: { getAllDisplays(): DisplayLike[]; getPrimaryDisplay(): DisplayLike };
  createWindow(options: {
    x: number;
    y: number;
    width: number;
    height: number;
    fullscreen: boolean;
    title: string;
    preload: string;
  }): WindowLike;
}

export interface WindowPlan {
  role: 'console' | 'wall';
  display: DisplayLike;
  url: string;
}

/** Console on the primary display, a wall window on every other display. */
export function planWindows(screen: ElectronLike['screen'], consoleUrl: string, wallUrl: string): WindowPlan[] {
  const primary = screen.getPrimaryDisplay();
  const plans: WindowPlan[] = [{ role: 'console', display: primary, url: consoleUrl }];
  screen
    .getAllDisplays()
    .filter((d) => d.id !== primary.id)
    .forEach((display, i) => {
      const name = encodeURIComponent(display.label || `display-${display.id}`);
      plans.push({ role: 'wall', display, url: `${wallUrl}?display=${i + 1}&name=${name}` });
    });
  return plans;
}

export async function openWindows(electron: ElectronLike, consoleUrl: string, wallUrl: string, preload: string): Promise<WindowLike[]> {
  const windows: WindowLike[] = [];
  for (const plan of planWindows(electron.screen, consoleUrl, wallUrl)) {
    const window = electron.createWindow({
      ...plan.display.bounds,
      fullscreen: plan.role === 'wall',
      title: plan.role === 'console' ? '执行指挥中心 · 值班台' : '执行指挥中心 · 大屏',
      preload,
    });
    windows.push(window);
    await window.loadURL(plan.url);
  }
  return windows;
}
