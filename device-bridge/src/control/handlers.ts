/** What the control API does with GB/T 28181 devices: provisioning, queries and PTZ. */
import { ErrorCode, ProtocolError, type BridgeDevice } from '@cc/protocol';
import type { CredentialStore } from '../gb28181/credentials.js';
import type { GbCommander } from '../gb28181/commander.js';
import type { RecordQueries } from '../gb28181/records.js';
import type { Subscriptions } from '../gb28181/subscriptions.js';
import { ptzCmdFor } from '../gb28181/ptz.js';
import type { DeviceRegistry } from '../gb28181/registry.js';
import type { IntercomCalls } from '../intercom/intercom-calls.js';
import type { SerialDevices } from '../serial/serial-devices.js';
import type { StreamManager } from '../streams/stream-manager.js';
import type { CommandHandlers } from './routes.js';

export interface DeviceHandlerDeps {
  credentials: CredentialStore;
  registry: DeviceRegistry;
  commander: GbCommander;
  serial: SerialDevices;
  streams: StreamManager;
  records: RecordQueries;
  /** Intercom calls (absent: the call routes answer 503). */
  calls?: IntercomCalls;
  /** Cancelled (Expires: 0) when a device is removed. */
  subscriptions?: Subscriptions;
}

const QUERY = { catalog: 'Catalog', deviceInfo: 'DeviceInfo', deviceStatus: 'DeviceStatus' } as const;

export function deviceHandlers({
  credentials,
  registry,
  commander,
  serial,
  streams,
  records,
  calls,
  subscriptions,
}: DeviceHandlerDeps): CommandHandlers {
  const describe = (deviceId: string): BridgeDevice => {
    const provisioned = credentials.get(deviceId);
    const live = registry.describe(deviceId);
    if (live) return { ...live, name: provisioned?.name };
    if (!provisioned) throw new ProtocolError(ErrorCode.NotFound, { deviceId });
    return { deviceId, kind: provisioned.kind, name: provisioned.name, online: false, registered: false };
  };
  return {
    listDevices: () => {
      const ids = new Set([...credentials.all().map((d) => d.deviceId), ...registry.ids()]);
      return { devices: [...ids].map(describe) };
    },
    provisionDevice: ({ deviceId }, body) => {
      credentials.provision({ deviceId, kind: body.kind, name: body.name, password: body.password, mediaTransport: body.mediaTransport });
      return describe(deviceId);
    },
    removeDevice: ({ deviceId }) => {
      if (!credentials.remove(deviceId)) throw new ProtocolError(ErrorCode.NotFound, { deviceId });
      subscriptions?.unsubscribe(deviceId);
      registry.unregister(deviceId);
      return {};
    },
    queryDevice: ({ deviceId }, body) => ({ sn: commander.query(deviceId, QUERY[body.query]) }),
    ptz: async (_params, body) => {
      if (serial.has(body.deviceId)) await serial.ptz(body.deviceId, body.command);
      else commander.ptz(body.deviceId, body.channelId, ptzCmdFor(body.command));
      return {};
    },
    serialCommand: ({ deviceId }, body) => serial.command(deviceId, body),
    startStream: (_params, body) => streams.start(body),
    queryRecords: (_params, body) => records.query(body),
    leaveStream: ({ streamId, viewerId }) => streams.leave(streamId, viewerId),
    listStreams: () => streams.list(),
    dropViewers: (_params, body) => streams.dropViewers(body),
    ...(calls ? callHandlers(calls) : {}),
    playbackControl: ({ streamId }, body) => streams.control(streamId, body),
  };
}

/** Intercom calls (对讲): console → intercom, answering an intercom's call, hanging up, listing. */
function callHandlers(calls: IntercomCalls): CommandHandlers {
  return {
    startCall: (_params, body) => calls.start(body),
    answerCall: ({ callId }, body) => calls.answer(callId, body),
    hangUp: ({ callId }) => calls.hangUp(callId),
    listCalls: () => ({ calls: calls.list() }),
  };
}
