/**
 * `/api/v1/calls` (对讲): the console's intercom calls, relayed to the bridge. The console
 * first gets a join token for the device's call room (`intercomRoomId`), publishes its
 * microphone there and passes the producer id; call state comes back from the bridge as
 * `call.state` events (ingest.ts publishes them, so inbound calls ring in the console).
 */
import {
  CALLS_PATH,
  ErrorCode,
  ProtocolError,
  callAnswerRequestSchema,
  callMediaRequestSchema,
  intercomRoomId,
  callStartRequestSchema,
  type CallInfo,
  type Call,
} from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, assertCourtAccess, principalOf } from '../auth/auth.js';
import { actOnIncident } from '../alarms/service.js';
import type { BridgeClient } from '../bridge-link/index.js';
import { deviceCourt, intercomFor } from './device-court.js';
import { checkIncident, joinTokenFor, sfuSocketUrl } from './live-views.js';
import { getProvisioned } from './provisioned.js';
import { callDevice, deviceName, linkCall, logCallStateNow } from './call-log.js';
import type { Db } from '../store/database.js';

const callOf = (db: Db, info: CallInfo, fallbackDeviceId: string): Call => {
  const deviceId = info.deviceId ?? fallbackDeviceId;
  const name = deviceName(db, deviceId);
  return {
    callId: info.callId,
    deviceId,
    ...(name ? { deviceName: name } : {}),
    state: info.state,
    ...(info.room ? { room: info.room } : {}),
    ...(info.producerId ? { producerId: info.producerId } : {}),
  };
};

export function registerCalls(ctx: HubContext, bridge: BridgeClient, key: Buffer): void {
  const { app, auth } = ctx;
  // Court users handle the calls of their court's devices only (assertCourtAccess on each call).
  const callers = auth.require('duty_officer', 'leader', 'technician', 'court_user');
  const callIdOf = (params: unknown): string => {
    const { callId } = params as { callId: string };
    if (!callId || callId.length > 128) throw new ProtocolError(ErrorCode.ValidationFailed, { callId });
    return callId;
  };
  const audit = (request: Parameters<typeof actorOf>[0], action: string, deviceId: string | undefined, after: object): void =>
    ctx.mutate(actorOf(request), action, () => ({ value: undefined, target: deviceId ? `device:${deviceId}` : 'call', after }));

  /** Calls the bridge has now (a console that reloads finds the inbound calls still ringing). */
  app.get(CALLS_PATH, { preHandler: callers }, async () => {
    const { calls } = await bridge.call('listCalls', {}, {});
    return { calls: calls.map((c) => ({ ...callOf(ctx.db, c, ''), ...(c.direction ? { direction: c.direction } : {}) })) };
  });

  app.post(`${CALLS_PATH}/media`, { preHandler: callers }, async (request) => {
    const asked = parse(callMediaRequestSchema, request.body).deviceId;
    const deviceId = intercomFor(ctx.db, asked);
    const p = principalOf(request);
    assertCourtAccess(p, deviceCourt(ctx.db, deviceId));
    const room = intercomRoomId(deviceId);
    const grant = joinTokenFor(ctx, key, room, `${p.id}:${deviceId}`, p, p.role);
    audit(request, 'call.media_token', deviceId, { room });
    return { room, deviceId, sfuUrl: sfuSocketUrl(ctx.settings.sfuUrl), ...grant };
  });

  app.post(CALLS_PATH, { preHandler: callers }, async (request, reply) => {
    const input = parse(callStartRequestSchema, request.body);
    const deviceId = intercomFor(ctx.db, input.deviceId);
    const p = principalOf(request);
    assertCourtAccess(p, deviceCourt(ctx.db, deviceId));
    checkIncident(ctx, p, input.incidentId);
    const info = await bridge.call(
      'startCall',
      {},
      {
        deviceId,
        room: intercomRoomId(deviceId),
        ...(input.consoleProducerId ? { consoleProducerId: input.consoleProducerId } : {}),
      },
    );
    const call = callOf(ctx.db, info, deviceId);
    linkCall(ctx.db, call.callId, call.deviceId, input.incidentId ?? null, new Date(ctx.now()).toISOString());
    const target = getProvisioned(ctx.db, deviceId)?.device.name ?? deviceId;
    if (input.incidentId) actOnIncident(ctx, actorOf(request), input.incidentId, { kind: 'call_made', target, note: '' });
    else audit(request, 'call.start', deviceId, call);
    return reply.status(201).send(call);
  });

  /** The call's device (the hub saw it ring or placed it; else the bridge's list), checked against the caller's court. */
  const deviceOfCall = async (request: Parameters<typeof principalOf>[0], callId: string): Promise<string> => {
    const deviceId =
      callDevice(ctx.db, callId) ?? (await bridge.call('listCalls', {}, {})).calls.find((c) => c.callId === callId)?.deviceId;
    if (!deviceId) throw notFound('call', callId);
    assertCourtAccess(principalOf(request), deviceCourt(ctx.db, deviceId));
    return deviceId;
  };

  app.post(`${CALLS_PATH}/:callId/answer`, { preHandler: callers }, async (request) => {
    const callId = callIdOf(request.params);
    const { incidentId, ...body } = parse(callAnswerRequestSchema, request.body ?? {});
    const deviceId = await deviceOfCall(request, callId);
    checkIncident(ctx, principalOf(request), incidentId);
    const answer = await bridge.call('answerCall', { callId }, body);
    const at = new Date(ctx.now()).toISOString();
    linkCall(ctx.db, callId, deviceId, incidentId ?? null, at);
    logCallStateNow(ctx, actorOf(request), 'call.answer', { callId, deviceId, state: answer.state });
    return callOf(ctx.db, answer, deviceId);
  });

  app.delete(`${CALLS_PATH}/:callId`, { preHandler: callers }, async (request) => {
    const callId = callIdOf(request.params);
    const deviceId = await deviceOfCall(request, callId);
    const answer = await bridge.call('hangUp', { callId }, {});
    logCallStateNow(ctx, actorOf(request), 'call.hang_up', { callId, deviceId, state: answer.state });
    return callOf(ctx.db, answer, deviceId);
  });
}
