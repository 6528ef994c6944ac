import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridgeDevicesFile, buildPlan, devicePassword, type HubCourt, type HubUnit } from './demo-fleet-plan.js';
import { planPath, readPlan } from './demo-fleet-prepare.js';

const courts: HubCourt[] = ['110101', '110102', '110105'].map((code, i) => ({ code, name: `法院${i}`, lat: 39.9 + i / 100, lon: 116.4 }));
const unit = (id: string, court: string, kind: HubUnit['kind'], devices: string[], status: HubUnit['status'] = 'available'): HubUnit => ({
  id,
  name: `单位${id}`,
  kind,
  court,
  devices,
  status,
  position: null,
});
const gb = (n: number, type = '132'): string => `1101010000${type}6${String(n).padStart(6, '0')}`;
const units = [
  unit('a1', '110101', 'vehicle', [gb(1, '131')]),
  unit('a2', '110101', 'individual', [gb(2)]),
  unit('a3', '110101', 'team', [gb(3), gb(4)]),
  unit('b1', '110102', 'individual', [gb(5)], 'offline'),
  unit('b2', '110102', 'individual', [gb(6), 'intercom-7']),
  unit('c1', '110105', 'team', [gb(8)]),
  unit('x1', '999999', 'individual', [gb(9)]),
];
const secret = Buffer.alloc(32, 1);

describe('demo fleet plan', () => {
  it('takes devices round-robin over the courts, skipping offline units, unknown courts and non-GB ids', () => {
    const plan = buildPlan(units, courts, { maxDevices: 4, videoDevices: 0, secret, clip: null });
    expect(plan.devices.map((d) => d.deviceId)).toEqual([gb(1, '131'), gb(6), gb(8), gb(2)]);
    const all = buildPlan(units, courts, { maxDevices: 100, videoDevices: 0, secret, clip: null });
    expect(all.devices).toHaveLength(6);
    expect(all.devices.every((d) => !d.video)).toBe(true);
  });

  it('names channels in Chinese and starts units at their court without a position', () => {
    const plan = buildPlan(units, courts, { maxDevices: 100, videoDevices: 0, secret, clip: null });
    const byId = new Map(plan.devices.map((d) => [d.deviceId, d]));
    expect(byId.get(gb(1, '131'))?.name).toBe('单位a1车载摄像机');
    expect(byId.get(gb(3))?.name).toBe('单位a3执法记录仪1');
    expect(byId.get(gb(4))?.name).toBe('单位a3执法记录仪2');
    expect(byId.get(gb(2))?.start).toEqual({ lat: 39.9, lon: 116.4 });
  });

  it('gives video to at most one device per court, individuals first, only with a clip', () => {
    const plan = buildPlan(units, courts, { maxDevices: 100, videoDevices: 2, secret, clip: '/clip.h264' });
    const video = plan.devices.filter((d) => d.video);
    expect(video.map((d) => d.deviceId).sort()).toEqual([gb(2), gb(6)]);
  });

  it('derives each password from the secret: stable, distinct per device and per secret', () => {
    const a = buildPlan(units, courts, { maxDevices: 100, videoDevices: 0, secret, clip: null });
    const b = buildPlan(units, courts, { maxDevices: 100, videoDevices: 0, secret, clip: null });
    expect(a.devices.map((d) => d.password)).toEqual(b.devices.map((d) => d.password));
    expect(new Set(a.devices.map((d) => d.password)).size).toBe(a.devices.length);
    expect(devicePassword(Buffer.alloc(32, 2), gb(2))).not.toBe(devicePassword(secret, gb(2)));
  });

  it('writes the bridge devices file after the bridge’s own devices, replacing duplicates', () => {
    const plan = buildPlan(units, courts, { maxDevices: 1, videoDevices: 0, secret, clip: null });
    const file = bridgeDevicesFile(plan, [
      { deviceId: 'door-1', kind: 'intercom' },
      { deviceId: gb(1, '131'), password: 'old' },
    ]);
    expect(file.devices).toEqual([
      { deviceId: 'door-1', kind: 'intercom' },
      { deviceId: gb(1, '131'), kind: 'gb28181', name: '单位a1车载摄像机', password: plan.devices[0]!.password },
    ]);
  });

  it('refuses a malformed plan file with a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-plan-'));
    mkdirSync(join(dir, 'demo-fleet'));
    writeFileSync(planPath(dir), JSON.stringify({ devices: [{ deviceId: '123' }], clip: null }));
    expect(() => readPlan(dir)).toThrow(/demo fleet plan .*plan\.json/);
  });
});
