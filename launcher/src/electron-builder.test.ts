import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');

interface BuilderConfig {
  appId: string;
  electronVersion: string;
  extraMetadata: { main: string };
  extraResources: { from: string; to: string }[];
  linux: { target: string[] };
  win: { target: string[] };
}

describe('electron-builder.yml', () => {
  const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

  it('packages Linux (AppImage + deb) and Windows (nsis)', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('pins the Electron version the project depends on', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(config.electronVersion).toBe(pkg.devDependencies.electron);
  });

  it('points at built files that exist: the main entry and every service', () => {
    expect(existsSync(join(root, config.extraMetadata.main))).toBe(true);
    for (const service of ['hub', 'sfu', 'device-bridge', 'launcher', 'protocol', 'runtime']) {
      const entry = config.extraResources.find((r) => r.to === `services/${service}/dist`);
      expect(entry, service).toBeDefined();
      expect(existsSync(join(root, entry!.from))).toBe(true);
    }
  });
});
