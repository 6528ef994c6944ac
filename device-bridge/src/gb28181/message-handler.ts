/**
 * MESSAGE (and NOTIFY) requests from devices: only registered devices are heard; the
 * MANSCDP body is parsed, answered 200 (400 when unreadable), and turned into hub
 * events by one handler per message kind. Alarms go to the hub before anything else.
 */
import type { CatalogChannel } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { SipMessage, SipRemote } from 'sip';
import { makeEvent, type EventSink } from '../hub/events.js';
import { ManscdpError } from '../manscdp/decode.js';
import { parseManscdp, type ManscdpMessage } from '../manscdp/messages.js';
import { userOf, type SipServer } from '../sip/stack.js';
import type { CatalogAssembler } from './catalog-assembler.js';
import type { GbCommander } from './commander.js';
import type { DeviceRegistry } from './registry.js';

export interface MessageHandlerOptions {
  sip: SipServer;
  registry: DeviceRegistry;
  sink: EventSink;
  catalogs: CatalogAssembler;
  commander: GbCommander;
  logger: Logger;
  /** RecordInfo answers, for the control API's pending queries. */
  onRecordInfo?: (deviceId: string, message: Extract<ManscdpMessage, { kind: 'recordInfo' }>) => void;
}

type Handlers = { [K in ManscdpMessage['kind']]: (deviceId: string, message: Extract<ManscdpMessage, { kind: K }>) => void };

export interface MessageStats {
  accepted: number;
  refused: number;
  malformed: number;
}

export function createMessageHandler(options: MessageHandlerOptions): {
  handle: (request: SipMessage, remote: SipRemote) => void;
  stats: MessageStats;
} {
  const { sip, registry, sink, logger } = options;
  const stats: MessageStats = { accepted: 0, refused: 0, malformed: 0 };

  const handlers: Handlers = {
    keepalive: () => undefined,
    alarm: (deviceId, m) => {
      if (m.root !== 'Notify') return;
      sink.publish(
        makeEvent('alarm', {
          deviceId,
          channelId: m.deviceId,
          priority: m.priority,
          method: m.method,
          alarmType: m.alarmType,
          deviceTime: m.time,
          description: m.description,
          position: m.position,
          sn: m.sn,
        }),
      );
      options.commander.answerAlarm(deviceId, m.sn, m.deviceId);
    },
    mobilePosition: (deviceId, m) => sink.position({ ...m.position, deviceId: m.deviceId }),
    catalog: (deviceId, m) => {
      if (m.root === 'Notify') {
        const channels = m.channels.map(statusFromChange);
        sink.publish(makeEvent('device.catalog', { deviceId, complete: false, sumNum: m.sumNum, channels }));
        return;
      }
      if (m.root !== 'Response') return;
      const whole = options.catalogs.add(deviceId, m.sn, m.sumNum, m.channels);
      if (whole) sink.publish(makeEvent('device.catalog', { deviceId, complete: true, sumNum: whole.sumNum, channels: whole.channels }));
    },
    deviceInfo: (deviceId, m) => {
      if (m.root !== 'Response') return;
      sink.publish(
        makeEvent('device.info', {
          deviceId,
          name: m.name,
          manufacturer: m.manufacturer,
          model: m.model,
          firmware: m.firmware,
          channelCount: m.channelCount,
        }),
      );
    },
    deviceStatus: (deviceId, m) => {
      if (m.root !== 'Response') return;
      sink.publish(
        makeEvent('device.status', {
          deviceId,
          online: m.online,
          ok: m.ok,
          encode: m.encode,
          record: m.record,
          deviceTime: m.deviceTime,
          alarmStatus: [],
        }),
      );
    },
    recordInfo: (deviceId, m) => options.onRecordInfo?.(deviceId, m),
    other: (deviceId, m) => logger.debug({ deviceId, cmdType: m.cmdType, root: m.root }, 'MANSCDP message not handled'),
  };

  const dispatch = <K extends ManscdpMessage['kind']>(deviceId: string, message: Extract<ManscdpMessage, { kind: K }>): void => {
    (handlers[message.kind as K] as (id: string, m: typeof message) => void)(deviceId, message);
  };

  const handle = (request: SipMessage, remote: SipRemote): void => {
    const deviceId = userOf(request.headers.from);
    if (!deviceId || !registry.touch(deviceId, remote.address, remote.port)) {
      stats.refused += 1;
      return sip.reply(request, 403, 'Forbidden');
    }
    const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
    if (!contentType.startsWith('application/manscdp+xml')) {
      stats.malformed += 1;
      return sip.reply(request, 415, 'Unsupported Media Type', { headers: { accept: 'Application/MANSCDP+xml' } });
    }
    let message: ManscdpMessage;
    try {
      message = parseManscdp(request.content ?? '');
    } catch (error) {
      stats.malformed += 1;
      if (!(error instanceof ManscdpError)) throw error;
      logger.debug({ deviceId, reason: error.reason, err: error.message }, 'unreadable MANSCDP body');
      return sip.reply(request, 400, 'Bad Request');
    }
    stats.accepted += 1;
    // Keepalives and positions are idempotent: their transactions need not live 32 s.
    sip.reply(request, 200, 'OK', undefined, message.kind === 'keepalive' || message.kind === 'mobilePosition');
    dispatch(deviceId, message);
  };
  return { handle, stats };
}

/** Catalog notifications often carry only DeviceID + Event: an ON/OFF/VLOST/DEFECT event says the status. */
function statusFromChange(channel: CatalogChannel): CatalogChannel {
  if (channel.status !== 'unknown' || channel.change === undefined) return channel;
  if (channel.change === 'ON') return { ...channel, status: 'on' };
  if (channel.change === 'OFF' || channel.change === 'VLOST' || channel.change === 'DEFECT') return { ...channel, status: 'off' };
  return channel;
}
