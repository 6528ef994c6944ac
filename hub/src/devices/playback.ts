/**
 * Recorder playback (录像回放) from the console: the recordings of a device channel in a
 * time range (RecordInfo, relayed as the bridge's `queryRecords`) and the control of a
 * playback view (pause, resume, seek, speed; the bridge's `playbackControl`). A playback
 * view itself is opened like a live view (`POST /api/v1/live-views` with `mode: 'playback'`).
 */
import {
  API_PREFIX,
  ErrorCode,
  LIVE_VIEWS_PATH,
  ProtocolError,
  bridgeDeviceIdSchema,
  deviceRecordsQuerySchema,
  gbIdSchema,
  livePlaybackControlSchema,
  type DeviceRecords,
} from '@cc/protocol';
import type { HubContext } from '../app/module.js';
import { notFound, parse } from '../app/parse.js';
import { actorOf, assertCourtAccess, principalOf } from '../auth/auth.js';
import type { BridgeClient } from '../bridge-link/index.js';
import { deviceCourt } from './device-court.js';
import type { ViewStore } from './view-store.js';

export function registerPlayback(ctx: HubContext, bridge: BridgeClient, views: ViewStore): void {
  const { app, auth } = ctx;
  const watchers = auth.require('duty_officer', 'leader', 'technician', 'court_user');

  app.post(`${API_PREFIX}/devices/:deviceId/records`, { preHandler: watchers }, async (request): Promise<DeviceRecords> => {
    const deviceId = parse(gbIdSchema, (request.params as { deviceId: string }).deviceId);
    const input = parse(deviceRecordsQuerySchema, request.body ?? {});
    const channelId = parse(gbIdSchema, input.channelId ?? deviceId);
    assertCourtAccess(principalOf(request), deviceCourt(ctx.db, deviceId));
    return bridge.call('queryRecords', {}, { deviceId, channelId, startTime: input.startTime, endTime: input.endTime, type: input.type });
  });

  app.post(`${LIVE_VIEWS_PATH}/:viewId/playback`, { preHandler: watchers }, async (request) => {
    const viewId = parse(bridgeDeviceIdSchema, (request.params as { viewId: string }).viewId);
    const control = parse(livePlaybackControlSchema, request.body ?? {});
    const p = principalOf(request);
    const view = views.get(viewId);
    if (!view || (view.ownerId !== p.id && p.role !== 'admin')) throw notFound('liveView', viewId);
    if (view.mode !== 'playback')
      throw new ProtocolError(ErrorCode.Conflict, { viewId }, { message: 'playback control needs a playback view' });
    const stream = await bridge.call('playbackControl', { streamId: view.streamId }, control);
    ctx.mutate(actorOf(request), 'live_view.playback', () => ({
      value: undefined,
      target: `device:${view.deviceId}`,
      after: { viewId, ...control },
    }));
    return { viewId, state: stream.state };
  });
}
