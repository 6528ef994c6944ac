/**
 * Requests the bridge sends to registered GB/T 28181 devices: MANSCDP MESSAGEs
 * (queries, PTZ DeviceControl, the Alarm answer), addressed to where the device last
 * spoke from (source address, over its own transport).
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, ProtocolError } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import { alarmResponseBody, manscdpBody, ptzControlBody } from '../manscdp/encode.js';
import type { SipMessage, SipServer } from '../sip/stack.js';
import type { DeviceRegistry } from './registry.js';

export type DeviceQuery = 'Catalog' | 'DeviceInfo' | 'DeviceStatus';

export class GbCommander {
  private sn = 1 + Math.floor(Math.random() * 100_000);
  private cseq = 1;

  constructor(
    private readonly sip: SipServer,
    private readonly registry: DeviceRegistry,
    private readonly sipId: string,
    private readonly sipDomain: string,
    private readonly logger: Logger,
  ) {}

  nextSn(): number {
    this.sn = this.sn >= 2 ** 31 - 1 ? 1 : this.sn + 1;
    return this.sn;
  }

  /** Sends a MANSCDP body to a registered device; `targetId` is the channel for channel-level commands. */
  message(
    deviceId: string,
    content: string,
    targetId = deviceId,
    onResponse?: (status: number, response: SipMessage) => void,
    method = 'MESSAGE',
    extraHeaders: SipMessage['headers'] = {},
  ): void {
    const device = this.registry.registered(deviceId);
    if (!device) throw new ProtocolError(ErrorCode.NotFound, { deviceId }, { message: `device ${deviceId} is not registered` });
    const transport = device.transport === 'tcp' ? ';transport=tcp' : '';
    const request: SipMessage = {
      method,
      uri: `sip:${targetId}@${device.address}:${device.port}${transport}`,
      headers: {
        to: { uri: `sip:${targetId}@${this.sipDomain}`, params: {} },
        from: { uri: `sip:${this.sipId}@${this.sipDomain}`, params: { tag: randomBytes(4).toString('hex') } },
        'call-id': `${randomBytes(8).toString('hex')}@${this.sip.contactHost}`,
        cseq: { method, seq: this.cseq++ },
        'max-forwards': '70',
        'content-type': 'Application/MANSCDP+xml',
        ...extraHeaders,
      },
      content,
    };
    this.sip.request(request, (response) => {
      const status = response.status ?? 0;
      if (status >= 200) {
        if (status >= 300) this.logger.debug({ deviceId, status, method }, 'device refused the request');
        onResponse?.(status, response);
      }
    });
  }

  query(deviceId: string, cmdType: DeviceQuery): number {
    const sn = this.nextSn();
    this.message(deviceId, manscdpBody('Query', cmdType, sn, deviceId));
    return sn;
  }

  answerAlarm(deviceId: string, sn: number, alarmDeviceId: string): void {
    this.message(deviceId, alarmResponseBody(sn, alarmDeviceId));
  }

  ptz(deviceId: string, channelId: string, ptzCmd: string): void {
    this.message(deviceId, ptzControlBody(this.nextSn(), channelId, ptzCmd), channelId);
  }
}
