/**
 * The demo fleet's plan: which of the hub's field-unit devices are simulated, with what
 * password, channel name, home court and start position, and which send video. Built
 * from the hub's units and courts (so positions land on the units the console shows);
 * passwords are derived from a secret in the data directory, never committed.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { gbIdSchema } from '@cc/protocol';

const pointSchema = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });

/** What the fleet needs of a hub unit (GET /api/v1/units); other fields are ignored. */
export const hubUnitSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['individual', 'vehicle', 'team']),
  court: z.string(),
  devices: z.array(z.string()),
  status: z.enum(['available', 'busy', 'offline']),
  position: pointSchema.nullable(),
});
export type HubUnit = z.infer<typeof hubUnitSchema>;
export const hubCourtSchema = z.object({ code: z.string(), name: z.string() }).extend(pointSchema.shape);
export type HubCourt = z.infer<typeof hubCourtSchema>;

export const planDeviceSchema = z.object({
  deviceId: gbIdSchema,
  password: z.string().min(1),
  /** Channel name in the catalog (sent as GB18030). */
  name: z.string().min(1).max(128),
  unitId: z.string(),
  kind: z.enum(['individual', 'vehicle', 'team']),
  court: z.string(),
  home: pointSchema,
  start: pointSchema,
  video: z.boolean(),
});
export type PlanDevice = z.infer<typeof planDeviceSchema>;

export const demoPlanSchema = z.object({
  devices: z.array(planDeviceSchema),
  /** H.264 Annex B clip looped by the video devices; null: no video (INVITEs refused). */
  clip: z.string().nullable(),
});
export type DemoPlan = z.infer<typeof demoPlanSchema>;

export interface PlanOptions {
  maxDevices: number;
  videoDevices: number;
  /** Secret the per-device digest passwords are derived from. */
  secret: Buffer;
  clip: string | null;
}

export const devicePassword = (secret: Buffer, deviceId: string): string =>
  createHmac('sha256', secret).update(`demo-fleet:${deviceId}`).digest('base64url').slice(0, 16);

const cameraName = (unit: HubUnit, deviceId: string, index: number): string => {
  const what = deviceId.slice(10, 13) === '131' ? '车载摄像机' : '执法记录仪';
  return `${unit.name}${what}${unit.devices.length > 1 ? index + 1 : ''}`.slice(0, 128);
};

/**
 * Devices of units that are not offline, taken round-robin over the courts so a capped fleet
 * still covers the map; body cameras of individuals (one per court first) get the video.
 */
export function buildPlan(units: readonly HubUnit[], courts: readonly HubCourt[], options: PlanOptions): DemoPlan {
  const courtByCode = new Map(courts.map((c) => [c.code, c]));
  const queues = new Map<string, PlanDevice[]>();
  for (const unit of units) {
    const court = courtByCode.get(unit.court);
    if (!court || unit.status === 'offline') continue;
    const home = { lat: court.lat, lon: court.lon };
    unit.devices.forEach((deviceId, index) => {
      if (!gbIdSchema.safeParse(deviceId).success) return;
      const queue = queues.get(unit.court) ?? [];
      queue.push({
        deviceId,
        password: devicePassword(options.secret, deviceId),
        name: cameraName(unit, deviceId, index),
        unitId: unit.id,
        kind: unit.kind,
        court: unit.court,
        home,
        start: unit.position ? { lat: unit.position.lat, lon: unit.position.lon } : home,
        video: false,
      });
      queues.set(unit.court, queue);
    });
  }
  const picked: PlanDevice[] = [];
  const lists = [...queues.values()];
  for (let round = 0; picked.length < options.maxDevices && lists.some((l) => l.length > round); round++)
    for (const list of lists) if (list[round] && picked.length < options.maxDevices) picked.push(list[round]!);
  const seen = new Set<string>();
  const devices = picked.filter((d) => !seen.has(d.deviceId) && seen.add(d.deviceId));
  if (options.clip) {
    const byPreference = [...devices].sort((a, b) => rank(a) - rank(b));
    const videoCourts = new Set<string>();
    for (const device of byPreference) {
      if (videoCourts.size >= options.videoDevices) break;
      if (videoCourts.has(device.court)) continue;
      device.video = true;
      videoCourts.add(device.court);
    }
  }
  return { devices, clip: options.clip };
}

const rank = (d: PlanDevice): number => (d.kind === 'individual' ? 0 : d.kind === 'team' ? 1 : 2);

/** The bridge's devices file (`bridge.devicesFile`): the plan's ids and passwords, after any devices of its own. */
export function bridgeDevicesFile(plan: DemoPlan, existing: unknown[] = []): { devices: unknown[] } {
  const ours = new Set(plan.devices.map((d) => d.deviceId));
  const kept = existing.filter((d) => !(typeof d === 'object' && d !== null && ours.has(String((d as { deviceId?: unknown }).deviceId))));
  return {
    devices: [...kept, ...plan.devices.map((d) => ({ deviceId: d.deviceId, kind: 'gb28181', name: d.name, password: d.password }))],
  };
}
