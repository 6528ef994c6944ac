import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@cc/runtime';
import { describe, expect, it } from 'vitest';
import { readFleetSettings, readPrepareAnswer } from './demo-fleet.js';

const configFile = (contents: unknown): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'cc-fleet-')), 'config.json');
  writeFileSync(path, JSON.stringify(contents));
  return path;
};

describe('demo.fleet setting', () => {
  it('defaults to auto, and auto is off when the hub never loads the demo', () => {
    expect(readFleetSettings({})).toEqual({ mode: 'auto', bridgeDevicesFile: '' });
    expect(readFleetSettings({ CC_HUB_DEMO: 'off' }).mode).toBe('off');
    expect(readFleetSettings({ CC_HUB_DEMO: 'off', CC_DEMO_FLEET: 'on' }).mode).toBe('on');
  });

  it('reads the config file, with the environment taking precedence', () => {
    const CC_CONFIG = configFile({ demo: { fleet: 'off', maxDevices: 5 }, bridge: { devicesFile: '/etc/cc/devices.json' } });
    expect(readFleetSettings({ CC_CONFIG })).toEqual({ mode: 'off', bridgeDevicesFile: '/etc/cc/devices.json' });
    expect(readFleetSettings({ CC_CONFIG, CC_DEMO_FLEET: 'on', CC_BRIDGE_DEVICES_FILE: '/x.json' })).toEqual({
      mode: 'on',
      bridgeDevicesFile: '/x.json',
    });
  });

  it('refuses an invalid value, naming the setting and where it came from', () => {
    expect(() => readFleetSettings({ CC_DEMO_FLEET: 'sometimes' })).toThrow(ConfigError);
    expect(() => readFleetSettings({ CC_DEMO_FLEET: 'sometimes' })).toThrow(/demo\.fleet.*environment CC_DEMO_FLEET/);
    expect(() => readFleetSettings({ CC_CONFIG: configFile({ demo: { fleet: true } }) })).toThrow(/demo\.fleet.*config file/);
  });
});

describe('the answer of demo fleet prepare', () => {
  const answer = { ok: true, devicesFile: '/data/demo-fleet/bridge-devices.json', devices: 8, video: 0, courts: 8 };
  const log = '{"level":"info","service":"demo-fleet","created":8,"kept":0,"msg":"demo fleet devices provisioned in the hub"}';

  it("is found when the child's log line was flushed after it (the fleet then starts)", () => {
    expect(readPrepareAnswer(`${JSON.stringify({ demoFleet: answer })}\n${log}\n`)).toEqual(answer);
    expect(readPrepareAnswer(`${log}\n${JSON.stringify({ demoFleet: answer })}\n`)).toEqual(answer);
  });

  it('carries a refusal with its reason', () => {
    expect(readPrepareAnswer(`${JSON.stringify({ demoFleet: { ok: false, reason: 'the hub has no demo data' } })}\n`)).toEqual({
      ok: false,
      reason: 'the hub has no demo data',
    });
  });

  it('is missing when no whole answer line was printed', () => {
    expect(readPrepareAnswer('')).toBeUndefined();
    expect(readPrepareAnswer(`${log}\n`)).toBeUndefined();
    expect(readPrepareAnswer(`${JSON.stringify({ demoFleet: answer }).slice(0, 40)}\n`)).toBeUndefined();
    expect(readPrepareAnswer(`${JSON.stringify({ demoFleet: { ok: true, devices: 'eight' } })}\n`)).toBeUndefined();
  });
});
