/**
 * `POST /api/v1/demo/fleet-devices`: the demo fleet's `prepare` step provisions its simulated
 * GB28181 devices in the hub (service principal `demo-fleet` only), so the console lists them
 * and opens live views on them exactly as on devices a technician set up. Devices already
 * provisioned are kept as they are (a technician's settings win). Nothing is pushed here:
 * `prepare` runs before the bridge starts, and the hub pushes every device when it sees the
 * bridge come up (the bridge also reads them from the fleet's devices file meanwhile).
 */
import {
  DEMO_FLEET_DEVICES_PATH,
  ErrorCode,
  ProtocolError,
  demoFleetDevicesRequestSchema,
  type DemoFleetDevicesRequest,
} from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { parse } from '../app/parse.js';
import { actorOf, principalOf, requireService } from '../auth/auth.js';
import { getCourt, getUnit } from '../orgs/repository.js';
import { getProvisioned, putProvisioned } from './provisioned.js';
import type { SecretBox } from './secret-box.js';

const DEMO_FLEET = 'demo-fleet';

function checkRefs(ctx: HubContext, devices: DemoFleetDevicesRequest['devices']): void {
  const unknownCourts = [...new Set(devices.map((d) => d.court))].filter((c) => !getCourt(ctx.db, c));
  const unknownUnits = [...new Set(devices.map((d) => d.unitId))].filter((u) => !getUnit(ctx.db, u));
  if (unknownCourts.length > 0 || unknownUnits.length > 0)
    throw new ProtocolError(ErrorCode.ValidationFailed, { unknownCourts, unknownUnits });
}

export function registerDemoFleetDevices(ctx: HubContext, box: SecretBox): void {
  ctx.app.post(DEMO_FLEET_DEVICES_PATH, { preHandler: requireService(ctx.auth) }, async (request) => {
    if (principalOf(request).username !== DEMO_FLEET) throw new ProtocolError(ErrorCode.Forbidden, { need: [DEMO_FLEET] });
    const { devices } = parse(demoFleetDevicesRequestSchema, request.body);
    checkRefs(ctx, devices);
    const at = new Date(ctx.now()).toISOString();
    return ctx.mutate(actorOf(request), 'device.provision_demo_fleet', ({ db, emit }) => {
      let created = 0;
      for (const d of devices) {
        if (getProvisioned(db, d.deviceId)) continue;
        const { deviceId: id, name, court, unitId } = d;
        putProvisioned(db, { id, kind: 'gb28181', name, court, unitId, sealedPassword: box.seal(d.password), mediaTransport: null }, at);
        created += 1;
      }
      if (created > 0) emit({ type: 'entity.changed', court: null, data: { entity: 'provisioned_device', id: '*', action: 'created' } });
      const value = { created, kept: devices.length - created };
      return { value, target: 'demo-fleet', after: value };
    });
  });
}
