import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeHub } from '../testing/fake-hub';
import { unauthenticated } from '../testing/fakes';
import { sampleCourt, sampleUnit } from '../testing/samples';
import { useOrgStore } from './org';
import { countUnits, positionAgeS } from './org-model';
import { sessionDeps } from './session';

/** `unitsHeld`: the units are read when requested but answered only when the promise settles. */
function setup(options: { devicesAllowed: boolean; unitsHeld?: Promise<void> }) {
  const units = [sampleUnit(), sampleUnit({ id: 'u2', name: '单兵07', status: 'busy', position: null })];
  const hub = fakeHub((r) => {
    if (r.path === '/api/v1/courts') return { status: 200, body: { courts: [sampleCourt] } };
    if (r.path === '/api/v1/units') {
      const answer = { status: 200, body: { units: structuredClone(units) } };
      return options.unitsHeld ? options.unitsHeld.then(() => answer) : answer;
    }
    if (r.path === '/api/v1/devices') {
      if (!options.devicesAllowed)
        return { status: 403, body: { error: { code: 'forbidden', message: '无权执行此操作', messageEn: 'Not allowed' } } };
      return {
        status: 200,
        body: { devices: [{ id: 'd1', kind: 'gb28181', online: true, offlineReason: null, lastSeen: 'x', position: null }] },
      };
    }
    return unauthenticated;
  });
  const org = useOrgStore();
  org.follow();
  hub.connect();
  hub.hello();
  return { org, emit: hub.event, requests: hub.requests };
}

describe('org store', () => {
  beforeEach(() => {
    sessionDeps.fetchImpl = undefined;
  });

  it('loads courts, units and devices on the first hello and counts them', async () => {
    const { org } = setup({ devicesAllowed: true });
    await vi.waitFor(() => expect(org.devices).toHaveLength(1));
    expect(org.courtByCode.get('110108')?.name).toBe('北京市海淀区人民法院');
    expect(org.unitCounts).toEqual({ total: 2, available: 1, busy: 1, offline: 0 });
    expect(org.devicesOnline).toBe(1);
    expect(org.devicesVisible).toBe(true);
  });

  it('moves units and flips device presence from live events, ignoring older positions', async () => {
    const { org, emit } = setup({ devicesAllowed: true });
    await vi.waitFor(() => expect(org.devices).toHaveLength(1));
    emit('unit.position', { unitId: 'u2', lat: 40.01, lon: 116.4, at: '2026-11-21T10:05:00.000Z' });
    expect(org.units.find((u) => u.id === 'u2')?.position).toEqual({ lat: 40.01, lon: 116.4, at: '2026-11-21T10:05:00.000Z' });
    emit('units.positions', { positions: [{ deviceId: 'd1', unitId: 'u2', lat: 39, lon: 116, at: '2026-11-21T10:04:00.000Z' }] });
    expect(org.units.find((u) => u.id === 'u2')?.position?.lat).toBe(40.01);
    emit('device.presence', { deviceId: 'd1', kind: 'gb28181', online: false, reason: 'keepalive timeout', at: 'y' });
    emit('device.presence', { deviceId: 'd2', kind: 'intercom', online: true, reason: null, at: 'y' });
    expect(org.devices.map((d) => [d.id, d.online])).toEqual([
      ['d1', false],
      ['d2', true],
    ]);
  });

  it('keeps the positions and presence heard while the lists were on their way', async () => {
    let answerUnits = (): void => undefined;
    const unitsHeld = new Promise<void>((r) => (answerUnits = r));
    const { org, emit, requests } = setup({ devicesAllowed: true, unitsHeld });
    await vi.waitFor(() => expect(requests.some((r) => r.path === '/api/v1/units')).toBe(true));
    emit('unit.position', { unitId: 'u2', lat: 40.01, lon: 116.4, at: '2026-11-21T10:05:00.000Z' });
    emit('device.presence', { deviceId: 'd1', kind: 'gb28181', online: false, reason: 'keepalive timeout', at: 'y' });
    answerUnits();
    await vi.waitFor(() => expect(org.units).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 10));
    expect(org.units.find((u) => u.id === 'u2')?.position).toEqual({ lat: 40.01, lon: 116.4, at: '2026-11-21T10:05:00.000Z' });
    expect(org.devices.map((d) => [d.id, d.online])).toEqual([['d1', false]]);
    expect(org.devicesOnline).toBe(0);
  });

  it('hides the device counter for a role that may not list devices', async () => {
    const { org } = setup({ devicesAllowed: false });
    await vi.waitFor(() => expect(org.units).toHaveLength(2));
    await vi.waitFor(() => expect(org.devicesVisible).toBe(false));
  });

  it('reloads once for a burst of unit changes', async () => {
    vi.useFakeTimers();
    try {
      const { emit, requests } = setup({ devicesAllowed: true });
      const before = requests.filter((r) => r.path === '/api/v1/units').length;
      for (let i = 0; i < 5; i += 1) emit('entity.changed', { entity: 'unit', id: `u${i}`, action: 'created' });
      await vi.advanceTimersByTimeAsync(600);
      expect(requests.filter((r) => r.path === '/api/v1/units').length).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('org model', () => {
  it('ages positions and counts statuses', () => {
    expect(positionAgeS(sampleUnit(), Date.parse('2026-11-21T10:01:30.000Z'))).toBe(90);
    expect(positionAgeS(sampleUnit({ position: null }), 0)).toBeUndefined();
    expect(countUnits([sampleUnit({ status: 'offline' })])).toEqual({ total: 1, available: 0, busy: 0, offline: 1 });
  });
});
