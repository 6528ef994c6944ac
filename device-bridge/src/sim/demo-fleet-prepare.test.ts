/**
 * Preparing a fleet against a stand-in hub (a small HTTP server answering the three GETs and
 * the fleet-devices POST the real hub serves; the e2e test runs the real one): the demo check,
 * the files written, the bridge's own devices kept, passwords stable across runs, the devices
 * provisioned in the hub, and the service authorization sent.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadJoinTokenKey, verifyServiceAuthorization } from '@cc/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devicesPath, prepareDemoFleet, readPlan } from './demo-fleet-prepare.js';

const logger = createLogger('test', 'warn');
let server: Server;
let hubUrl = '';
let demoLoaded = false;
const callers: string[] = [];
/** Bodies of POST /api/v1/demo/fleet-devices; `refuse` makes the stand-in answer 404 (an older hub). */
const provisioned: { devices: { deviceId: string; password: string; unitId: string; court: string; name: string }[] }[] = [];
let refuse = false;
const dataDir = mkdtempSync(join(tmpdir(), 'cc-prepare-'));

const UNITS = [
  {
    id: 'u1',
    name: '朝阳单兵1',
    kind: 'individual',
    court: '110105',
    devices: ['11010500001326000001'],
    status: 'available',
    position: null,
    extra: 1,
  },
  { id: 'u2', name: '朝阳执行车1', kind: 'vehicle', court: '110105', devices: ['11010500001316000002'], status: 'offline', position: null },
];
const COURTS = [{ code: '110105', name: '朝阳区人民法院', lat: 39.9215, lon: 116.4864, level: 'basic' }];

beforeAll(async () => {
  server = createServer((request, response) => {
    callers.push(verifyServiceAuthorization(loadJoinTokenKey(dataDir), request.headers.authorization));
    if (request.method === 'POST') {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        if (!refuse) provisioned.push(JSON.parse(raw) as (typeof provisioned)[number]);
        response.statusCode = refuse ? 404 : 200;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(refuse ? { error: { code: 'not_found' } } : { created: 1, kept: 0 }));
      });
      return;
    }
    const body =
      request.url === '/api/v1/demo/status'
        ? { steps: demoLoaded ? [{ step: 'organisation' }] : [] }
        : request.url === '/api/v1/units'
          ? { units: UNITS }
          : { courts: COURTS };
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  hubUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const options = { dataDir, maxDevices: 10, videoDevices: 0, logger };

describe('preparing the demo fleet', () => {
  it('does nothing in auto mode while the hub has not loaded the demo', async () => {
    const result = await prepareDemoFleet({ ...options, hubUrl, requireDemo: true });
    expect(result).toEqual({ ok: false, reason: 'the hub has not loaded the demo dataset' });
    expect(callers).toEqual(['demo-fleet']);
  });

  it('writes the plan and the bridge devices file (private), keeping the bridge’s own devices', async () => {
    demoLoaded = true;
    const merge = join(dataDir, 'own.json');
    writeFileSync(merge, JSON.stringify({ devices: [{ deviceId: 'door-1', kind: 'intercom', password: 'x' }] }));
    const result = await prepareDemoFleet({ ...options, hubUrl, requireDemo: true, mergeFile: merge });
    expect(result).toEqual({ ok: true, devicesFile: devicesPath(dataDir), devices: 1, video: 0, courts: 1, provisionedInHub: true });
    const file = JSON.parse(readFileSync(devicesPath(dataDir), 'utf8')) as { devices: { deviceId: string; password: string }[] };
    expect(file.devices.map((d) => d.deviceId)).toEqual(['door-1', '11010500001326000001']);
    expect(statSync(devicesPath(dataDir)).mode & 0o077).toBe(0);
    const plan = readPlan(dataDir);
    expect(plan.devices[0]?.password).toBe(file.devices[1]?.password);
    expect(plan.clip).toBeNull();

    // The hub got the fleet's device with the same password, court and unit.
    expect(provisioned[0]?.devices).toEqual([
      { deviceId: '11010500001326000001', name: plan.devices[0]?.name, court: '110105', unitId: 'u1', password: plan.devices[0]?.password },
    ]);

    await prepareDemoFleet({ ...options, hubUrl, requireDemo: true });
    expect(readPlan(dataDir).devices[0]?.password).toBe(plan.devices[0]?.password);
  });

  it('still prepares the fleet when the hub does not take its devices (an older hub), and says so', async () => {
    refuse = true;
    try {
      const result = await prepareDemoFleet({ ...options, hubUrl, requireDemo: false });
      expect(result).toMatchObject({ ok: true, devices: 1, provisionedInHub: false });
    } finally {
      refuse = false;
    }
  });

  it('refuses a bridge devices file of the wrong shape, naming it', async () => {
    const merge = join(dataDir, 'bad.json');
    writeFileSync(merge, JSON.stringify([{ deviceId: 'x' }]));
    await expect(prepareDemoFleet({ ...options, hubUrl, requireDemo: false, mergeFile: merge })).rejects.toThrow(/bad\.json/);
  });

  it('fails clearly when the hub does not answer', async () => {
    await expect(prepareDemoFleet({ ...options, hubUrl: 'http://127.0.0.1:1', requireDemo: false })).rejects.toThrow(
      /hub http:\/\/127\.0\.0\.1:1\/api\/v1\/units did not answer/,
    );
  });
});
