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
import { parse } from '../app/parse.js';
import { actorOf, assertCourtAccess, principalOf } from '../auth/auth.js';
import { actOnIncident } from '../alarms/service.js';
import type { BridgeClient } from '../bridge-link/index.js';
import { deviceCourt, intercomFor } from './device-court.js';
import { checkIncident, joinTokenFor, sfuSocketUrl } from './live-views.js';
import { getProvisioned } from './provisioned.js';

const callOf = (info: CallInfo, deviceId: string): Call => ({
  callId: info.callId,
  deviceId: info.deviceId ?? deviceId,
  state: info.state,
  ...(info.room ? { room: info.room } : {}),
  ...(info.producerId ? { producerId: info.producerId } : {}),
});

export function registerCalls(ctx: HubContext, bridge: BridgeClient, key: Buffer): void {
  const { app, auth } = ctx;
  const callers = auth.require('duty_officer', 'leader', 'technician');
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
    return { calls: calls.map((c) => ({ ...callOf(c, c.deviceId ?? ''), ...(c.direction ? { direction: c.direction } : {}) })) };
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
    const call = callOf(info, deviceId);
    const target = getProvisioned(ctx.db, deviceId)?.device.name ?? deviceId;
    if (input.incidentId) actOnIncident(ctx, actorOf(request), input.incidentId, { kind: 'call_made', target, note: '' });
    else audit(request, 'call.start', deviceId, call);
    return reply.status(201).send(call);
  });

  app.post(`${CALLS_PATH}/:callId/answer`, { preHandler: callers }, async (request) => {
    const callId = callIdOf(request.params);
    const body = parse(callAnswerRequestSchema, request.body ?? {});
    const answer = await bridge.call('answerCall', { callId }, body);
    audit(request, 'call.answer', answer.deviceId, { callId, state: answer.state });
    return callOf(answer, answer.deviceId ?? '');
  });

  app.delete(`${CALLS_PATH}/:callId`, { preHandler: callers }, async (request) => {
    const callId = callIdOf(request.params);
    const answer = await bridge.call('hangUp', { callId }, {});
    audit(request, 'call.hang_up', answer.deviceId, { callId, state: answer.state });
    return callOf(answer, answer.deviceId ?? '');
  });
}
