/**
 * The bridge's own copy of the devices provisioned through its control API, so they
 * survive a restart: `<dataDir>/bridge-provisioned-devices.json`, written atomically
 * (temporary file, fsync, rename; mode 0600). Passwords are never written: the realm
 * is fixed per bridge (the SIP domain), so the digest HA1 = MD5(deviceId:realm:password)
 * is enough to verify a REGISTER and is stored instead. The file records its realm; if
 * the bridge's domain changes, stored HA1s cannot match and are dropped (with a warning)
 * until the hub provisions those devices again. Devices removed through the API that
 * also stand in the config file are remembered as `removed`, so they stay removed.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { bridgeDeviceIdSchema } from '@cc/protocol';
import type { Logger } from '@cc/runtime';

export const PROVISIONED_FILE_NAME = 'bridge-provisioned-devices.json';

const storedDeviceSchema = z
  .object({
    deviceId: bridgeDeviceIdSchema,
    kind: z.enum(['gb28181', 'intercom']),
    name: z.string().max(128).optional(),
    ha1: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .optional(),
    mediaTransport: z.enum(['udp', 'tcp_passive', 'tcp_active']).optional(),
  })
  .strict();
export type StoredDevice = z.infer<typeof storedDeviceSchema>;

const fileSchema = z
  .object({
    version: z.literal(1),
    realm: z.string().min(1).max(64),
    devices: z.array(storedDeviceSchema).max(100_000),
    removed: z.array(bridgeDeviceIdSchema).max(100_000).default([]),
  })
  .strict();

export interface ProvisionedState {
  devices: StoredDevice[];
  removed: string[];
}

export class ProvisionedFile {
  readonly path: string;

  constructor(
    dataDir: string,
    private readonly realm: string,
    private readonly logger: Logger,
  ) {
    this.path = join(dataDir, PROVISIONED_FILE_NAME);
  }

  /** What was stored; empty when there is no file yet. A corrupt file stops the bridge (it must not forget devices silently). */
  load(): ProvisionedState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { devices: [], removed: [] };
      throw error;
    }
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const { devices, removed, realm } = parsed.data;
    if (realm === this.realm) return { devices, removed };
    const stale = devices.filter((d) => d.ha1 !== undefined).map((d) => d.deviceId);
    this.logger.warn(
      { file: this.path, storedRealm: realm, realm, devices: stale.length },
      'SIP domain changed: stored digest secrets dropped',
    );
    return { devices: devices.map(({ ha1: _dropped, ...rest }) => rest), removed };
  }

  save(state: ProvisionedState): void {
    const text = `${JSON.stringify({ version: 1, realm: this.realm, devices: state.devices, removed: state.removed }, null, 1)}\n`;
    const temporary = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }
}
