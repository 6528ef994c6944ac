/**
 * Media sessions with GB/T 28181 devices: INVITE with our SDP offer, ACK on 200, BYE to
 * end; a BYE from the device ends the session too (see `handleBye`). In the dialog:
 * INFO with MANSRTSP (playback control) and the device's MediaStatus MESSAGE (121 = end
 * of file), matched by Call-ID since some devices put another ID in From.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, ProtocolError } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { SipMessage, SipServer } from '../sip/stack.js';
import { MANSRTSP_CONTENT_TYPE, MansrtspError, parseMansrtsp } from './mansrtsp.js';
import { readMediaStatus } from './media-status.js';
import type { DeviceRegistry } from './registry.js';
import { offerSdp, parseAnswerSdp, type GbAnswer, type GbOffer } from './sdp.js';

export interface Dialog {
  callId: string;
  remoteUri: string;
  to: SipMessage['headers']['to'];
  from: SipMessage['headers']['from'];
  cseq: number;
  answer: GbAnswer;
  onBye?: () => void;
  /** The device reported the end of a playback/download (MediaStatus NotifyType 121). */
  onMediaEnd?: () => void;
}

export class InviteClient {
  private readonly dialogs = new Map<string, Dialog>();

  constructor(
    private readonly sip: SipServer,
    private readonly registry: DeviceRegistry,
    private readonly sipId: string,
    private readonly sipDomain: string,
    private readonly logger: Logger,
  ) {}

  /** INVITEs a device channel; resolves with the dialog after 200 + ACK. */
  invite(deviceId: string, offer: Omit<GbOffer, 'sipId'>, timeoutMs = 10_000): Promise<Dialog> {
    const device = this.registry.registered(deviceId);
    if (!device)
      return Promise.reject(new ProtocolError(ErrorCode.NotFound, { deviceId }, { message: `device ${deviceId} is not registered` }));
    const transport = device.transport === 'tcp' ? ';transport=tcp' : '';
    const callId = `${randomBytes(8).toString('hex')}@${this.sip.contactHost}`;
    const request: SipMessage = {
      method: 'INVITE',
      uri: `sip:${offer.channelId}@${device.address}:${device.port}${transport}`,
      headers: {
        to: { uri: `sip:${offer.channelId}@${this.sipDomain}`, params: {} },
        from: { uri: `sip:${this.sipId}@${this.sipDomain}`, params: { tag: randomBytes(4).toString('hex') } },
        'call-id': callId,
        cseq: { method: 'INVITE', seq: 1 },
        contact: [{ uri: `sip:${this.sipId}@${this.sip.contactHost}:${this.sip.port}`, params: {} }],
        'max-forwards': '70',
        subject: `${offer.channelId}:${offer.ssrc},${this.sipId}:0`,
        'content-type': 'APPLICATION/SDP',
      },
      content: offerSdp({ ...offer, sipId: this.sipId }),
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ProtocolError(ErrorCode.Unavailable, { deviceId }, { message: 'device did not answer the INVITE' })),
        timeoutMs,
      );
      this.sip.request(request, (response) => {
        const status = response.status ?? 0;
        if (status < 200) return;
        clearTimeout(timer);
        if (status >= 300)
          return reject(
            new ProtocolError(ErrorCode.Unavailable, { deviceId, status }, { message: `device refused the INVITE (${status})` }),
          );
        const contact = Array.isArray(response.headers.contact) ? response.headers.contact[0]?.uri : undefined;
        const dialog: Dialog = {
          callId,
          remoteUri: contact ?? String(request.uri),
          to: response.headers.to,
          from: request.headers.from,
          cseq: 1,
          answer: parseAnswerSdp(response.content ?? ''),
        };
        this.sip.request({
          method: 'ACK',
          uri: dialog.remoteUri,
          headers: { to: dialog.to, from: dialog.from, 'call-id': callId, cseq: { method: 'ACK', seq: 1 }, via: [] },
        });
        this.dialogs.set(callId, dialog);
        resolve(dialog);
      });
    });
  }

  /** Ends a dialog we started. */
  bye(dialog: Dialog): void {
    if (!this.dialogs.delete(dialog.callId)) return;
    dialog.cseq += 1;
    this.sip.request({
      method: 'BYE',
      uri: dialog.remoteUri,
      headers: {
        to: dialog.to,
        from: dialog.from,
        'call-id': dialog.callId,
        cseq: { method: 'BYE', seq: dialog.cseq },
        'max-forwards': '70',
      },
    });
  }

  /** Sends MANSRTSP playback control in the dialog; resolves with the device's final status. */
  info(dialog: Dialog, content: string, timeoutMs = 5000): Promise<number> {
    if (!this.dialogs.has(dialog.callId)) return Promise.resolve(481);
    dialog.cseq += 1;
    const request: SipMessage = {
      method: 'INFO',
      uri: dialog.remoteUri,
      headers: {
        to: dialog.to,
        from: dialog.from,
        'call-id': dialog.callId,
        cseq: { method: 'INFO', seq: dialog.cseq },
        'max-forwards': '70',
        'content-type': MANSRTSP_CONTENT_TYPE,
      },
      content,
    };
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(408), timeoutMs);
      this.sip.request(request, (response) => {
        const status = response.status ?? 0;
        if (status < 200) return;
        clearTimeout(timer);
        resolve(status);
      });
    });
  }

  /** Whether a Call-ID belongs to one of our media dialogs. */
  has(callId: string): boolean {
    return this.dialogs.has(callId);
  }

  /** An INFO from a device: 481 outside our dialogs, 400 for a body that is not MANSRTSP, else 200 (nothing to act on). */
  handleInfo(request: SipMessage): void {
    if (!this.dialogs.has(String(request.headers['call-id']))) return this.sip.reply(request, 481, 'Call/Transaction Does Not Exist');
    const type = String(request.headers['content-type'] ?? '').toLowerCase();
    if (type !== MANSRTSP_CONTENT_TYPE.toLowerCase()) return this.sip.reply(request, 415, 'Unsupported Media Type');
    try {
      parseMansrtsp(request.content ?? '');
    } catch (error) {
      if (!(error instanceof MansrtspError)) throw error;
      return this.sip.reply(request, 400, 'Bad Request');
    }
    this.sip.reply(request, 200, 'OK');
  }

  /** A MESSAGE inside a media dialog: MediaStatus 121 ends the playback (answered 200, then BYE by the owner). */
  handleDialogMessage(request: SipMessage): void {
    const dialog = this.dialogs.get(String(request.headers['call-id']));
    if (!dialog) return this.sip.reply(request, 481, 'Call/Transaction Does Not Exist');
    const status = readMediaStatus(request.content ?? '');
    if (status === undefined) return this.sip.reply(request, 400, 'Bad Request');
    this.sip.reply(request, 200, 'OK');
    this.logger.info({ callId: dialog.callId, notifyType: status }, 'device media status');
    if (status === 121) dialog.onMediaEnd?.();
  }

  /** A BYE from a device: answer and tell the dialog's owner. */
  handleBye(request: SipMessage): void {
    const dialog = this.dialogs.get(String(request.headers['call-id']));
    if (!dialog) return this.sip.reply(request, 481, 'Call/Transaction Does Not Exist');
    this.dialogs.delete(dialog.callId);
    this.sip.reply(request, 200, 'OK');
    this.logger.info({ callId: dialog.callId }, 'device ended the media session');
    dialog.onBye?.();
  }
}
