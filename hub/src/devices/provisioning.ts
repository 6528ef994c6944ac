/**
 * `/api/v1/provisioned-devices`: admins and technicians set up GB28181 devices and intercoms
 * in the hub (the source of truth); each change is audited, then pushed to the bridge.
 * The bridge keeps no devices of its own, so all of them are pushed again whenever the
 * hub sees it come up (see bridge-watch). Passwords are sealed and never returned.
 */
import {
  DEVICE_PROVISIONING_PATH,
  ErrorCode,
  ProtocolError,
  bridgeDeviceIdSchema,
  gbIdSchema,
  provisionedDeviceInputSchema,
  type ProvisionedDevice,
} from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf } from '../auth/auth.js';
import type { BridgeClient } from '../bridge-link/index.js';
import { getCourt, getUnit } from '../orgs/repository.js';
import { deleteProvisioned, getProvisioned, listProvisioned, markPushed, putProvisioned, type StoredDevice } from './provisioned.js';
import type { SecretBox } from './secret-box.js';

const RETRY_PENDING_MS = 60_000;

export interface PushOutcome {
  pushed: boolean;
  bridgeError?: { code: string; message: string; messageEn: string };
}

function outcomeOf(error: unknown): PushOutcome {
  if (error instanceof ProtocolError) return { pushed: false, bridgeError: error.toWire() };
  return { pushed: false, bridgeError: { code: ErrorCode.Internal, message: '内部错误', messageEn: (error as Error).message } };
}

export class DeviceProvisioning {
  constructor(
    private readonly ctx: HubContext,
    private readonly bridge: BridgeClient,
    private readonly box: SecretBox,
  ) {}

  /** Pushes one stored device to the bridge; records the push when it was accepted. */
  async push(stored: StoredDevice): Promise<PushOutcome> {
    const { device, sealedPassword } = stored;
    try {
      await this.bridge.call(
        'provisionDevice',
        { deviceId: device.id },
        {
          kind: device.kind,
          name: device.name,
          ...(sealedPassword ? { password: this.box.open(sealedPassword) } : {}),
          ...(device.mediaTransport ? { mediaTransport: device.mediaTransport } : {}),
        },
      );
      markPushed(this.ctx.db, device.id, device.updatedAt, new Date(this.ctx.now()).toISOString());
      return { pushed: true };
    } catch (error) {
      this.ctx.logger.warn({ deviceId: device.id, err: (error as Error).message }, 'device not pushed to the bridge');
      return outcomeOf(error);
    }
  }

  private lastRetry = 0;

  /** Devices the bridge has not accepted yet (it refused or failed one push), retried at most once a minute. */
  async pushPending(): Promise<void> {
    if (this.ctx.now() - this.lastRetry < RETRY_PENDING_MS) return;
    this.lastRetry = this.ctx.now();
    for (const stored of listProvisioned(this.ctx.db, null)) if (stored.device.pushedAt === null) await this.push(stored);
  }

  /** Every provisioned device, again (the bridge (re)started). Throws if the bridge stopped answering, to be retried. */
  async pushAll(): Promise<number> {
    const all = listProvisioned(this.ctx.db, null);
    let pushed = 0;
    for (const stored of all) {
      const outcome = await this.push(stored);
      if (outcome.bridgeError?.code === ErrorCode.Unavailable) throw new Error(`bridge unavailable after ${pushed} devices`);
      if (outcome.pushed) pushed += 1;
    }
    this.ctx.logger.info({ pushed, total: all.length }, 'provisioned devices pushed to the bridge');
    return pushed;
  }

  register(): void {
    const { app, auth, db } = this.ctx;
    const setup = auth.require('technician');
    const idOf = (params: unknown): string => parse(bridgeDeviceIdSchema, (params as { id?: string }).id);

    app.get(DEVICE_PROVISIONING_PATH, { preHandler: setup }, async () => ({
      devices: listProvisioned(db, null).map((s) => s.device),
    }));
    app.get(`${DEVICE_PROVISIONING_PATH}/:id`, { preHandler: setup }, async (request) => {
      const id = idOf(request.params);
      const stored = getProvisioned(db, id);
      if (!stored) throw notFound('device', id);
      return stored.device;
    });
    app.put(`${DEVICE_PROVISIONING_PATH}/:id`, { preHandler: setup }, async (request) => {
      const id = idOf(request.params);
      const input = parse(provisionedDeviceInputSchema, request.body);
      if (input.kind === 'gb28181') parse(gbIdSchema, id);
      if (input.court && !getCourt(db, input.court)) throw new ProtocolError(ErrorCode.ValidationFailed, { unknownCourt: input.court });
      if (input.unitId && !getUnit(db, input.unitId)) throw new ProtocolError(ErrorCode.ValidationFailed, { unknownUnit: input.unitId });
      const stored = this.ctx.mutate(actorOf(request), 'device.provision', ({ db: tx, emit }) => {
        const before = getProvisioned(tx, id);
        const sealedPassword =
          input.password === undefined ? (before?.sealedPassword ?? null) : input.password === null ? null : this.box.seal(input.password);
        putProvisioned(
          tx,
          {
            id,
            kind: input.kind,
            name: input.name,
            court: input.court,
            unitId: input.unitId,
            sealedPassword,
            mediaTransport: input.mediaTransport,
          },
          new Date(this.ctx.now()).toISOString(),
        );
        const after = getProvisioned(tx, id)!;
        emit({
          type: 'entity.changed',
          court: after.device.court,
          data: { entity: 'provisioned_device', id, action: before ? 'updated' : 'created' },
        });
        return { value: after, target: `device:${id}`, before: before?.device, after: after.device };
      });
      const outcome = await this.push(stored);
      return { device: getProvisioned(db, id)?.device ?? stored.device, ...outcome };
    });
    app.delete(`${DEVICE_PROVISIONING_PATH}/:id`, { preHandler: setup }, async (request) => {
      const id = idOf(request.params);
      const removed = this.ctx.mutate(actorOf(request), 'device.remove', ({ db: tx, emit }) => {
        const before = getProvisioned(tx, id);
        if (!before || !deleteProvisioned(tx, id)) throw notFound('device', id);
        emit({ type: 'entity.changed', court: before.device.court, data: { entity: 'provisioned_device', id, action: 'deleted' } });
        return { value: before.device, target: `device:${id}`, before: before.device };
      });
      const outcome = await this.bridge.call('removeDevice', { deviceId: id }, {}).then(
        (): PushOutcome => ({ pushed: true }),
        (error: unknown) => (error instanceof ProtocolError && error.code === ErrorCode.NotFound ? { pushed: true } : outcomeOf(error)),
      );
      return { device: removed satisfies ProvisionedDevice, ...outcome };
    });
  }
}
