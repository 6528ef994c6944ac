/**
 * The demo fleet against the bridge's real GB/T 28181 server (in-process, real SIP over UDP,
 * credentials from the devices file the fleet writes): devices register with their own
 * passwords, report positions near their court, an SOS reaches the sink with a position,
 * only the video device answers a live INVITE (with PS over RTP from the looping clip).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BridgeEvent, BridgeEventOf } from '@cc/protocol';
import { createLogger } from '@cc/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeConfigSchema } from '../config.js';
import { createGbServer, type GbServer } from '../gb28181/server.js';
import type { EventSink } from '../hub/events.js';
import { distanceKm } from './demo-fleet-motion.js';
import { bridgeDevicesFile, buildPlan, type DemoPlan, type HubUnit } from './demo-fleet-plan.js';
import { DemoFleet } from './demo-fleet.js';

const COURTS = [
  { code: '110105', name: '朝阳区人民法院', lat: 39.9215, lon: 116.4864 },
  { code: '110108', name: '海淀区人民法院', lat: 39.9599, lon: 116.2981 },
];
const UNITS: HubUnit[] = [
  {
    id: 'u1',
    name: '朝阳单兵1',
    kind: 'individual',
    court: '110105',
    devices: ['11010500001326000001'],
    status: 'available',
    position: null,
  },
  { id: 'u2', name: '海淀执行车1', kind: 'vehicle', court: '110108', devices: ['11010800001316000002'], status: 'busy', position: null },
];

const events: BridgeEvent[] = [];
const positions: BridgeEventOf<'positions'>['positions'] = [];
const sink: EventSink = { publish: (e) => void events.push(e), position: (p) => void positions.push(p) };
const logger = createLogger('test', 'warn');
let gb: GbServer;
let fleet: DemoFleet;
let plan: DemoPlan;
let rtp: Socket;
const rtpPackets: Buffer[] = [];

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-demo-fleet-'));
  const clip = join(dir, 'clip.h264');
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-t', '1'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'h264', clip],
  ]);
  plan = buildPlan(UNITS, COURTS, { maxDevices: 10, videoDevices: 1, secret: randomBytes(32), clip });
  const devicesFile = join(dir, 'devices.json');
  writeFileSync(devicesFile, JSON.stringify(bridgeDevicesFile(plan)));
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const sipPort = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const settings = bridgeConfigSchema.parse({ sipPort, devicesFile, mobilePositionIntervalS: 0 });
  gb = await createGbServer(settings, sink, logger);
  fleet = await DemoFleet.create({
    plan,
    bridgeHost: '127.0.0.1',
    bridgePort: gb.sip.port,
    serverId: settings.sipId,
    domain: settings.sipDomain,
    bindHost: '127.0.0.2',
    seed: 'test',
    positionIntervalS: 1,
    keepaliveIntervalS: 5,
    sosIntervalS: 3600,
    firstSosS: 3600,
    logger,
  });
  fleet.start();
  rtp = createSocket('udp4');
  rtp.on('message', (m) => rtpPackets.push(m));
  await new Promise<void>((resolve) => rtp.bind(0, '127.0.0.1', resolve));
  // Encodes a clip and starts a SIP server and ten devices: allow for a machine busy with the other test files.
}, 60_000);

afterAll(async () => {
  await fleet?.close();
  gb?.close();
  rtp?.close();
});

describe('demo fleet on the real GB/T 28181 server', () => {
  it('registers every device with its own password and reports positions near its court', async () => {
    await until('both registered', () => (fleet.registered === 2 ? true : undefined));
    const registered = events.filter((e) => e.type === 'device.registered').map((e) => (e as { deviceId: string }).deviceId);
    expect(registered.sort()).toEqual(plan.devices.map((d) => d.deviceId).sort());
    const passwords = plan.devices.map((d) => gb.credentials.passwordOf(d.deviceId)?.password);
    expect(passwords).toEqual(plan.devices.map((d) => d.password));
    expect(new Set(passwords).size).toBe(2);
    await until('positions of both', () => (new Set(positions.map((p) => p.deviceId)).size === 2 ? true : undefined));
    for (const p of positions) {
      const device = plan.devices.find((d) => d.deviceId === p.deviceId)!;
      expect(distanceKm({ lat: p.latitude, lon: p.longitude }, device.home)).toBeLessThan(9);
    }
  });

  it('sends an SOS (alarm method 1, priority 1) with the unit position', async () => {
    expect(fleet.sos()).toBe(true);
    const alarm = await until('alarm', () => events.find((e): e is BridgeEventOf<'alarm'> => e.type === 'alarm'));
    expect(alarm.method).toBe(1);
    expect(alarm.priority).toBe(1);
    expect(plan.devices.map((d) => d.deviceId)).toContain(alarm.deviceId);
    expect(alarm.position?.latitude).toBeGreaterThan(39);
  });

  it('answers a live INVITE with looping PS over RTP on the video device only', async () => {
    const video = plan.devices.find((d) => d.video)!;
    const other = plan.devices.find((d) => !d.video)!;
    expect(video.kind).toBe('individual');
    const offer = { host: '127.0.0.1', port: rtp.address().port, ssrc: '0100000001', mode: 'live', transport: 'udp' } as const;
    await expect(gb.invites.invite(other.deviceId, { ...offer, channelId: other.deviceId })).rejects.toThrow(/488/);
    const dialog = await gb.invites.invite(video.deviceId, { ...offer, channelId: video.deviceId });
    expect(dialog.callId).toBeTruthy();
    await until('RTP packets', () => (rtpPackets.length > 20 ? true : undefined));
    const first = rtpPackets[0]!;
    expect(first[1]! & 0x7f).toBe(96);
    expect(first.readUInt32BE(8)).toBe(100000001);
    expect(fleet.videoSessions).toBe(1);
  });

  it('unregisters every device when it closes, so they show offline at once', async () => {
    await fleet.close();
    const offline = events.filter((e): e is BridgeEventOf<'device.offline'> => e.type === 'device.offline');
    expect(offline.map((e) => e.deviceId).sort()).toEqual(plan.devices.map((d) => d.deviceId).sort());
    expect(offline.every((e) => e.reason === 'unregistered')).toBe(true);
  });
});
