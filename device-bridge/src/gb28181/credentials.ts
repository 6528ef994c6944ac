/**
 * Who may register: provisioned devices (config file or the hub's control API) with
 * their own digest passwords, plus an optional shared password for any well-formed
 * GB/T 28181 id. Everything else is an unknown device and is refused. Devices
 * provisioned through the API are kept in the bridge's data dir (see provisioned-file)
 * as digest HA1s, and override the config file's entries of the same id.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { bridgeDeviceIdSchema, gbIdSchema, type BridgeDeviceKind } from '@cc/protocol';
import { md5, type DigestSecret } from '../sip/digest.js';
import type { ProvisionedFile } from './provisioned-file.js';

export interface ProvisionedDevice {
  deviceId: string;
  kind: Extract<BridgeDeviceKind, 'gb28181' | 'intercom'>;
  name?: string;
  password?: string;
  /** MD5(deviceId:realm:password), kept instead of the password for API-provisioned devices. */
  ha1?: string;
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

export interface CredentialPersistence {
  file: ProvisionedFile;
  /** The digest realm (the bridge's SIP domain) HA1s are computed for. */
  realm: string;
}

export class CredentialStore {
  private readonly devices = new Map<string, ProvisionedDevice>();
  private readonly fromConfig = new Set<string>();
  /** Ids provisioned through the API (persisted) and config-file ids removed through it. */
  private readonly provisioned = new Set<string>();
  private readonly removed = new Set<string>();

  constructor(
    devices: ProvisionedDevice[],
    private readonly sharedPassword: string | undefined,
    private readonly persistence?: CredentialPersistence,
  ) {
    for (const device of devices) {
      this.devices.set(device.deviceId, device);
      this.fromConfig.add(device.deviceId);
    }
    if (!persistence) return;
    const stored = persistence.file.load();
    for (const id of stored.removed) {
      this.removed.add(id);
      this.devices.delete(id);
    }
    for (const device of stored.devices) {
      this.devices.set(device.deviceId, device);
      this.provisioned.add(device.deviceId);
    }
  }

  /** Adds or replaces a device; persisted (as HA1) before it counts. A failed write leaves everything as it was. */
  provision(device: ProvisionedDevice): void {
    const { password, ...rest } = device;
    const entry: ProvisionedDevice =
      this.persistence && password !== undefined
        ? { ...rest, ha1: md5(`${device.deviceId}:${this.persistence.realm}:${password}`) }
        : { ...rest, password };
    this.change(device.deviceId, () => {
      this.devices.set(device.deviceId, entry);
      this.provisioned.add(device.deviceId);
      this.removed.delete(device.deviceId);
    });
  }

  remove(deviceId: string): boolean {
    if (!this.devices.has(deviceId)) return false;
    this.change(deviceId, () => {
      this.devices.delete(deviceId);
      this.provisioned.delete(deviceId);
      if (this.fromConfig.has(deviceId)) this.removed.add(deviceId);
    });
    return true;
  }

  private change(deviceId: string, apply: () => void): void {
    const before = { device: this.devices.get(deviceId), provisioned: this.provisioned.has(deviceId), removed: this.removed.has(deviceId) };
    apply();
    if (!this.persistence) return;
    try {
      const devices = [...this.provisioned].flatMap((id) => {
        const d = this.devices.get(id);
        return d ? [{ deviceId: d.deviceId, kind: d.kind, name: d.name, ha1: d.ha1, mediaTransport: d.mediaTransport }] : [];
      });
      this.persistence.file.save({ devices, removed: [...this.removed] });
    } catch (error) {
      if (before.device) this.devices.set(deviceId, before.device);
      else this.devices.delete(deviceId);
      if (before.provisioned) this.provisioned.add(deviceId);
      else this.provisioned.delete(deviceId);
      if (before.removed) this.removed.add(deviceId);
      else this.removed.delete(deviceId);
      throw error;
    }
  }

  get(deviceId: string): ProvisionedDevice | undefined {
    return this.devices.get(deviceId);
  }

  all(): ProvisionedDevice[] {
    return [...this.devices.values()];
  }

  /** What a device must prove (its password or stored HA1), or undefined for an unknown device. */
  passwordOf(deviceId: string): { secret: DigestSecret; password?: string; kind: ProvisionedDevice['kind'] } | undefined {
    const device = this.devices.get(deviceId);
    if (device) {
      if (device.ha1) return { secret: { ha1: device.ha1 }, kind: device.kind };
      const password = device.password ?? this.sharedPassword;
      return password === undefined ? undefined : { secret: password, password, kind: device.kind };
    }
    if (this.sharedPassword !== undefined && gbIdSchema.safeParse(deviceId).success)
      return { secret: this.sharedPassword, password: this.sharedPassword, kind: 'gb28181' };
    return undefined;
  }
}
