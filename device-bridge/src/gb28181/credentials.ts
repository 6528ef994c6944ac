/**
 * Who may register: provisioned devices (config file or the hub's control API) with
 * their own digest passwords, plus an optional shared password for any well-formed
 * GB/T 28181 id. Everything else is an unknown device and is refused.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { bridgeDeviceIdSchema, gbIdSchema, type BridgeDeviceKind } from '@cc/protocol';

export interface ProvisionedDevice {
  deviceId: string;
  kind: Extract<BridgeDeviceKind, 'gb28181' | 'intercom'>;
  name?: string;
  password?: string;
  mediaTransport?: 'udp' | 'tcp_passive' | 'tcp_active';
}

export const devicesFileSchema = z
  .object({
    devices: z.array(
      z
        .object({
          deviceId: bridgeDeviceIdSchema,
          kind: z.enum(['gb28181', 'intercom']).default('gb28181'),
          name: z.string().max(128).optional(),
          password: z.string().min(1).max(128).optional(),
          mediaTransport: z.enum(['udp', 'tcp_passive', 'tcp_active']).optional(),
        })
        .strict(),
    ),
  })
  .strict();

export function readDevicesFile(path: string): ProvisionedDevice[] {
  const parsed = devicesFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`devices file ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data.devices;
}

export class CredentialStore {
  private readonly devices = new Map<string, ProvisionedDevice>();

  constructor(
    devices: ProvisionedDevice[],
    private readonly sharedPassword: string | undefined,
  ) {
    for (const device of devices) this.devices.set(device.deviceId, device);
  }

  provision(device: ProvisionedDevice): void {
    this.devices.set(device.deviceId, device);
  }

  remove(deviceId: string): boolean {
    return this.devices.delete(deviceId);
  }

  get(deviceId: string): ProvisionedDevice | undefined {
    return this.devices.get(deviceId);
  }

  all(): ProvisionedDevice[] {
    return [...this.devices.values()];
  }

  /** The password a device must prove, or undefined for an unknown device. */
  passwordOf(deviceId: string): { password: string; kind: ProvisionedDevice['kind'] } | undefined {
    const device = this.devices.get(deviceId);
    if (device) {
      const password = device.password ?? this.sharedPassword;
      return password === undefined ? undefined : { password, kind: device.kind };
    }
    if (this.sharedPassword !== undefined && gbIdSchema.safeParse(deviceId).success)
      return { password: this.sharedPassword, kind: 'gb28181' };
    return undefined;
  }
}
