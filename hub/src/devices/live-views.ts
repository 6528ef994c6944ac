/**
 * `/api/v1/live-views` (调阅视频) and `/api/v1/devices/:id/ptz`: the console opens a live view
 * of a device channel; the hub asks the bridge to start (or join) the device's stream into
 * the SFU and hands back the room, a viewer join token and the producer to consume. Views
 * live in memory on a lease: the console renews it (a fresh token) while it watches; a view
 * not renewed (browser closed, console crashed) is left at the bridge so the device stops.
 */
import { randomUUID } from 'node:crypto';
import {
  API_PREFIX,
  ErrorCode,
  LIVE_VIEWS_PATH,
  ProtocolError,
  bridgeDeviceIdSchema,
  devicePtzRequestSchema,
  liveViewRequestSchema,
  type LiveView,
  type LiveViewRequest,
  type Principal,
} from '@cc/protocol';
import { signJoinToken } from '@cc/runtime';
import type { FastifyRequest } from 'fastify';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { SYSTEM_ACTOR } from '../audit/audit-log.js';
import { actorOf, assertCourtAccess, principalOf } from '../auth/auth.js';
import { actOnIncident } from '../alarms/service.js';
import { getIncident } from '../alarms/repository.js';
import type { BridgeClient } from '../bridge-link/index.js';
import { deviceCourt } from './device-court.js';
import { getProvisioned } from './provisioned.js';
import { VIEW_ID_PREFIX, type View, type ViewStore } from './view-store.js';

const TOKEN_TTL_S = 10 * 60;
/** A view not renewed for this long is closed (the console renews every few minutes). */
export const VIEW_LEASE_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 30_000;

/** `ws://host:port/ws` of the SFU, as the console reaches it (the hub's own setting). */
export function sfuSocketUrl(sfuUrl: string): string {
  const url = new URL('/ws', sfuUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export function joinTokenFor(ctx: HubContext, key: Buffer, room: string, sub: string, p: Principal, role: Principal['role']) {
  const exp = Math.floor(ctx.now() / 1000) + TOKEN_TTL_S;
  const token = signJoinToken(key, { room, sub, name: p.name, role, ...(p.court ? { court: p.court } : {}), exp });
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** The incident must exist, be visible to the caller and still be open. */
export function checkIncident(ctx: HubContext, principal: Principal, incidentId: string | undefined): void {
  if (!incidentId) return;
  const incident = getIncident(ctx.db, incidentId);
  if (!incident) throw notFound('incident', incidentId);
  assertCourtAccess(principal, incident.court);
  if (incident.status === 'closed') throw new ProtocolError(ErrorCode.Conflict, { reason: 'incident is closed' });
}

function ptzTypeOf(ctx: HubContext, deviceId: string, channelId: string): number | undefined {
  const row = ctx.db.prepare('SELECT info FROM device_channels WHERE device_id = ? AND channel_id = ?').get(deviceId, channelId) as
    { info: string } | undefined;
  const value = row ? (JSON.parse(row.info) as { ptzType?: unknown }).ptzType : undefined;
  return typeof value === 'number' ? value : undefined;
}

export function registerLiveViews(ctx: HubContext, bridge: BridgeClient, key: Buffer, views: ViewStore): void {
  const { app, auth } = ctx;
  const watchers = auth.require('duty_officer', 'leader', 'technician', 'court_user');
  const operators = auth.require('duty_officer', 'leader', 'technician');
  const leave = (v: View): Promise<unknown> =>
    bridge.call('leaveStream', { streamId: v.streamId, viewerId: v.viewId }, {}).catch(() => undefined);
  const sweep = (): void => {
    for (const v of views.expired(ctx.now())) {
      views.delete(v.viewId);
      void leave(v);
      ctx.mutate(SYSTEM_ACTOR, 'live_view.expire', () => ({
        value: undefined,
        target: `device:${v.deviceId}`,
        after: { viewId: v.viewId },
      }));
      ctx.logger.info({ viewId: v.viewId, deviceId: v.deviceId }, 'live view lease ran out');
    }
  };
  const sweeper = setInterval(sweep, SWEEP_EVERY_MS);
  sweeper.unref();
  ctx.disposables.add('live view sweep', () => clearInterval(sweeper));
  /** A view with an incident is a `video_opened` entry on it; else an audited `live_view.open`. */
  const logOpened = (request: FastifyRequest, input: LiveViewRequest & { incidentId?: string }, v: View): void => {
    const audit = { deviceId: v.deviceId, channelId: v.channelId, streamId: v.streamId, viewId: v.viewId, mode: v.mode };
    if (input.incidentId) actOnIncident(ctx, actorOf(request), input.incidentId, { kind: 'video_opened', deviceId: v.deviceId, note: '' });
    else ctx.mutate(actorOf(request), 'live_view.open', () => ({ value: undefined, target: `device:${v.deviceId}`, after: audit }));
  };
  const viewOf = (request: FastifyRequest): View => {
    const { viewId } = request.params as { viewId: string };
    const view = views.get(viewId);
    const p = principalOf(request);
    if (!view || (view.ownerId !== p.id && p.role !== 'admin')) throw notFound('liveView', viewId);
    return view;
  };

  app.post(LIVE_VIEWS_PATH, { preHandler: watchers }, async (request, reply) => {
    sweep();
    const input = parse(liveViewRequestSchema, request.body);
    const p = principalOf(request);
    assertCourtAccess(p, deviceCourt(ctx.db, input.deviceId));
    checkIncident(ctx, p, input.incidentId);
    const channelId = input.channelId ?? input.deviceId;
    const viewId = `${VIEW_ID_PREFIX}${randomUUID()}`;
    const range = input.mode === 'playback' ? { startTime: input.startTime, endTime: input.endTime } : {};
    views.opening.add(viewId);
    const stream = await bridge
      .call(
        'startStream',
        {},
        {
          deviceId: input.deviceId,
          channelId,
          viewerId: viewId,
          mode: input.mode,
          ...range,
          ...(input.transport ? { transport: input.transport } : {}),
        },
      )
      .finally(() => views.opening.delete(viewId));
    if (!stream.room) {
      await bridge.call('leaveStream', { streamId: stream.streamId, viewerId: viewId }, {}).catch(() => undefined);
      throw new ProtocolError(
        ErrorCode.Unavailable,
        { reason: 'stream has no SFU room' },
        { message: 'The live stream is not in the SFU' },
      );
    }
    const stored: View = {
      viewId,
      deviceId: input.deviceId,
      channelId,
      streamId: stream.streamId,
      room: stream.room,
      ownerId: p.id,
      mode: input.mode,
      until: ctx.now() + VIEW_LEASE_MS,
    };
    views.put(stored);
    logOpened(request, input, stored);
    const ptzType = ptzTypeOf(ctx, input.deviceId, channelId);
    const name = getProvisioned(ctx.db, input.deviceId)?.device.name;
    const view: LiveView = {
      viewId,
      deviceId: input.deviceId,
      ...(name ? { deviceName: name } : {}),
      channelId,
      streamId: stream.streamId,
      state: stream.state,
      mode: input.mode,
      ...range,
      room: stream.room,
      ...(stream.videoProducerId ? { videoProducerId: stream.videoProducerId } : {}),
      ...(stream.audioProducerId ? { audioProducerId: stream.audioProducerId } : {}),
      sfuUrl: sfuSocketUrl(ctx.settings.sfuUrl),
      ...joinTokenFor(ctx, key, stream.room, viewId, p, 'viewer'),
      ...(ptzType !== undefined ? { ptzType } : {}),
    };
    return reply.status(201).send(view);
  });

  /** Renews the view's lease and gives a fresh join token (the console asks every few minutes and before a rejoin). */
  app.post(`${LIVE_VIEWS_PATH}/:viewId/token`, { preHandler: watchers }, async (request) => {
    sweep();
    const view = viewOf(request);
    views.renew(view.viewId, ctx.now() + VIEW_LEASE_MS);
    return joinTokenFor(ctx, key, view.room, view.viewId, principalOf(request), 'viewer');
  });

  app.delete(`${LIVE_VIEWS_PATH}/:viewId`, { preHandler: watchers }, async (request) => {
    const view = viewOf(request);
    views.delete(view.viewId);
    await bridge.call('leaveStream', { streamId: view.streamId, viewerId: view.viewId }, {}).catch((error: unknown) => {
      // The stream is already gone (bridge restarted, device dropped): the view is closed all the same.
      if (!(error instanceof ProtocolError && error.code === ErrorCode.NotFound)) {
        views.put(view);
        throw error;
      }
    });
    ctx.mutate(actorOf(request), 'live_view.close', () => ({
      value: undefined,
      target: `device:${view.deviceId}`,
      after: { viewId: view.viewId },
    }));
    return { viewId: view.viewId, closed: true };
  });

  app.post(`${API_PREFIX}/devices/:deviceId/ptz`, { preHandler: operators }, async (request) => {
    const deviceId = parse(bridgeDeviceIdSchema, (request.params as { deviceId: string }).deviceId);
    const input = parse(devicePtzRequestSchema, request.body);
    assertCourtAccess(principalOf(request), deviceCourt(ctx.db, deviceId));
    const channelId = input.channelId ?? deviceId;
    await bridge.call('ptz', {}, { deviceId, channelId, command: input.command });
    ctx.mutate(actorOf(request), 'device.ptz', () => ({
      value: undefined,
      target: `device:${deviceId}`,
      after: { channelId, ...input.command },
    }));
    return {};
  });

  // Views stay stored on shutdown: a restarted hub takes them up again (the bridge keeps the viewers meanwhile).
}
