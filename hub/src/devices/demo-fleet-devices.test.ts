/**
 * The demo fleet's devices provisioned in the hub by its `prepare` step (service principal
 * `demo-fleet`), against a fake bridge and a real SQLite file: stored with sealed passwords,
 * a technician's device kept, pushed when the bridge comes up, opened like any other device.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadJoinTokenKey, serviceAuthorization } from '@cc/runtime';
import { FakeBridge } from '../bridge-link/fake-bridge.js';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub.js';

const COURT = { code: '110105', name: '北京市朝阳区人民法院', level: 'basic', parentCode: null, lat: 39.92, lon: 116.44 };
const CAM1 = '11010500001326000001';
const CAM2 = '11010500001326000002';
const PATH = '/api/v1/demo/fleet-devices';

let hub: TestHub | undefined;
let bridge: FakeBridge | undefined;
afterEach(async () => {
  await hub?.close();
  await bridge?.close();
  hub = bridge = undefined;
});

describe('demo fleet devices provisioned through the hub (fake bridge, real SQLite)', () => {
  it('stores the fleet’s devices for the demo-fleet service only, keeps existing ones, pushes them when the bridge comes up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cc-hub-demo-fleet-'));
    const key = loadJoinTokenKey(dataDir);
    bridge = await FakeBridge.start(key, { serving: false });
    hub = await startTestHub({ dataDir, settings: { bridgeUrl: bridge.url, sfuUrl: 'http://127.0.0.1:8701' } });
    const admin = await hub.login('admin', ADMIN_PASSWORD);
    expect((await hub.call('POST', '/api/v1/courts', COURT, admin)).status).toBe(201);
    const unit = await hub.call(
      'POST',
      '/api/v1/units',
      { name: '朝阳单兵1', kind: 'individual', court: COURT.code, devices: [CAM1, CAM2] },
      admin,
    );
    expect(unit.status).toBe(201);
    const unitId = unit.body.id as string;
    await hub.call('PUT', `/api/v1/provisioned-devices/${CAM2}`, { kind: 'gb28181', name: '技术员设的', court: COURT.code }, admin);

    const fleet = { authorization: serviceAuthorization(key, 'demo-fleet') };
    const device = (deviceId: string) => ({
      deviceId,
      name: `朝阳单兵1 执法记录仪${deviceId.slice(-1)}`,
      court: COURT.code,
      unitId,
      password: `pw-${deviceId}`,
    });
    const body = { devices: [device(CAM1), device(CAM2)] };
    expect((await hub.call('POST', PATH, body, { authorization: serviceAuthorization(key, 'device-bridge') })).status).toBe(403);
    expect((await hub.call('POST', PATH, body, admin)).status).toBe(403);
    const badUnit = await hub.call('POST', PATH, { devices: [{ ...device(CAM1), unitId: 'nope' }] }, fleet);
    expect(badUnit.status).toBe(400);
    expect(badUnit.body.error.details).toMatchObject({ unknownUnits: ['nope'] });
    expect((await hub.call('POST', PATH, { devices: [{ ...device(CAM1), deviceId: '1001' }] }, fleet)).status).toBe(400);
    expect(hub.context.db.prepare('SELECT COUNT(*) AS n FROM provisioned_devices').get()).toEqual({ n: 1 });

    const stored = await hub.call('POST', PATH, body, fleet);
    expect(stored.body).toEqual({ created: 1, kept: 1 });
    expect((await hub.call('POST', PATH, body, fleet)).body).toEqual({ created: 0, kept: 2 });
    const list = (await hub.call('GET', '/api/v1/provisioned-devices', undefined, admin)).body.devices as {
      id: string;
      name: string;
      hasPassword: boolean;
    }[];
    expect(list.map((d) => [d.id, d.name, d.hasPassword])).toEqual([
      [CAM1, '朝阳单兵1 执法记录仪1', true],
      [CAM2, '技术员设的', false],
    ]);
    expect(JSON.stringify(hub.context.db.prepare('SELECT password FROM provisioned_devices').all())).not.toContain('pw-');

    await bridge.restart();
    await vi.waitFor(() => expect(bridge!.of('provisionDevice').map((c) => c.params.deviceId)).toContain(CAM1), {
      timeout: 15_000,
      interval: 200,
    });
    expect(bridge.of('provisionDevice').find((c) => c.params.deviceId === CAM1)?.body).toMatchObject({
      kind: 'gb28181',
      password: `pw-${CAM1}`,
    });
    const view = await hub.call('POST', '/api/v1/live-views', { deviceId: CAM1 }, admin);
    expect(view.body).toMatchObject({ deviceId: CAM1, deviceName: '朝阳单兵1 执法记录仪1' });
  });
});
