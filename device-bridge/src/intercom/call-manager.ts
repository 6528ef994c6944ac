/**
 * Intercom calls (对讲), both directions, reported to the hub as `call.state` events:
 * - console → intercom: `start` INVITEs the registered intercom with a G.711 offer; 2xx →
 *   ACK and media (SFU producer of its voice, console voice through the transcoder);
 *   486/600 busy, 603 declined, 408/480/487 or our ring timeout (CANCEL) no_answer.
 * - intercom → console: see `inbound.ts` (180 Ringing, `answer` → 200 OK, timeout → 480).
 * Either side hangs up (BYE, DELETE); a call also ends when the intercom unregisters or
 * sends no RTP for `mediaTimeoutS`. Calls are independent (several at once, one per device).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, ProtocolError, intercomRoomId, type CallInfo } from '@cc/protocol';
import type { Logger } from '@cc/runtime';
import type { CredentialStore } from '../gb28181/credentials.js';
import type { DeviceRegistry } from '../gb28181/registry.js';
import { makeEvent, type EventSink } from '../hub/events.js';
import type { SipMessage, SipServer } from '../sip/stack.js';
import { callInfo, reasonForStatus, type Call, type EndReason, type EndedBy } from './call.js';
import { CallMedia, type CallMediaDeps } from './call-media.js';
import { SdpError, g711Offer, parseRemoteAudio } from './g711-sdp.js';
import { ackRequest, byeRequest, cancelRequest, contactOf, inviteRequest, newTag } from './sip-dialog.js';

export interface IntercomSettings {
  sipId: string;
  sipDomain: string;
  /** What intercoms dial to reach the console (the bridge's sipId works too). */
  consoleNumber: string;
  ringTimeoutS: number;
  mediaTimeoutS: number;
  /** Digest-challenge intercoms' INVITEs (401, as PBXs do). */
  inviteAuth: boolean;
}

export interface CallManagerDeps {
  sip: SipServer;
  registry: DeviceRegistry;
  credentials: CredentialStore;
  sink: EventSink;
  media: Omit<CallMediaDeps, 'logger'>;
  settings: IntercomSettings;
  logger: Logger;
}

/** Ended calls kept for `list`/`hangUp` answers. */
const RECENT_ENDED = 100;

export class CallManager {
  /** Active calls by callId, and the same by SIP Call-ID. */
  readonly calls = new Map<string, Call>();
  readonly bySipCallId = new Map<string, Call>();
  private readonly ended = new Map<string, Call>();
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(readonly deps: CallManagerDeps) {
    this.sweepTimer = setInterval(() => this.sweep(), 1000);
  }

  /** An intercom that may be called now (or a clear error). */
  private callable(deviceId: string): { address: string; port: number; transport: 'udp' | 'tcp' } {
    const { credentials, registry } = this.deps;
    const kind = registry.get(deviceId)?.kind ?? credentials.get(deviceId)?.kind;
    if (!kind) throw new ProtocolError(ErrorCode.NotFound, { deviceId }, { message: `unknown device ${deviceId}` });
    if (kind !== 'intercom')
      throw new ProtocolError(ErrorCode.ValidationFailed, { deviceId, kind }, { message: `device ${deviceId} is not an intercom` });
    const device = registry.registered(deviceId);
    if (!device?.online)
      throw new ProtocolError(ErrorCode.Unavailable, { deviceId }, { message: `intercom ${deviceId} is not registered` });
    if (this.activeCallOf(deviceId))
      throw new ProtocolError(ErrorCode.Conflict, { deviceId }, { message: `intercom ${deviceId} is already in a call` });
    return device;
  }

  activeCallOf(deviceId: string): Call | undefined {
    for (const call of this.calls.values()) if (call.deviceId === deviceId) return call;
    return undefined;
  }

  /** Console → intercom. Resolves once the INVITE is out (state ringing). */
  async start(body: { deviceId: string; consoleProducerId?: string; room?: string }): Promise<CallInfo> {
    const device = this.callable(body.deviceId);
    const { sip, settings, logger } = this.deps;
    const media = await CallMedia.open({ ...this.deps.media, logger: logger.child({ deviceId: body.deviceId }) });
    const sipCallId = `${randomBytes(8).toString('hex')}@${sip.contactHost}`;
    const transport = device.transport === 'tcp' ? ';transport=tcp' : '';
    const local = { uri: `sip:${settings.consoleNumber}@${sip.contactHost}`, params: { tag: newTag() } };
    const invite = inviteRequest(
      {
        requestUri: `sip:${body.deviceId}@${device.address}:${device.port}${transport}`,
        toUri: `sip:${body.deviceId}@${settings.sipDomain}`,
        fromUri: local.uri,
        contactUri: `sip:${settings.consoleNumber}@${sip.contactHost}:${sip.port}${transport}`,
        sdp: g711Offer({ host: media.host, port: media.port, sessionId: String(Date.now()) }),
      },
      sipCallId,
      local.params.tag,
    );
    const call: Call = {
      callId: randomUUID(),
      deviceId: body.deviceId,
      direction: 'outbound',
      state: 'ringing',
      room: body.room ?? intercomRoomId(body.deviceId),
      ...(body.consoleProducerId ? { consoleProducerId: body.consoleProducerId } : {}),
      dialog: { sipCallId, local, remote: invite.headers.to!, target: String(invite.uri), cseq: 1 },
      invite,
      media,
    };
    this.track(call);
    call.ringTimer = setTimeout(() => {
      sip.request(cancelRequest(invite));
      this.end(call, 'no_answer', 'bridge', `no answer within ${settings.ringTimeoutS} s`);
    }, settings.ringTimeoutS * 1000);
    sip.request(invite, (response) => void this.onInviteResponse(call, response));
    logger.info({ callId: call.callId, deviceId: call.deviceId }, 'calling intercom');
    return callInfo(call);
  }

  private async onInviteResponse(call: Call, response: SipMessage): Promise<void> {
    const status = response.status ?? 0;
    if (status < 200) return;
    const { sip } = this.deps;
    if (status >= 300) {
      if (call.state === 'ringing') this.end(call, reasonForStatus(status), 'device', `SIP ${status} ${response.reason ?? ''}`.trim());
      return;
    }
    const dialog = call.dialog;
    if (call.state === 'answered') return sip.request(ackRequest(dialog, 1)); // retransmitted 200
    dialog.remote = response.headers.to ?? dialog.remote;
    dialog.target = contactOf(response) ?? dialog.target;
    sip.request(ackRequest(dialog, 1));
    if (call.state === 'ended') return sip.request(byeRequest(dialog)); // answered after we gave up
    clearTimeout(call.ringTimer);
    try {
      call.remote = parseRemoteAudio(response.content ?? '');
    } catch (error) {
      sip.request(byeRequest(dialog));
      const detail = error instanceof SdpError ? `bad SDP answer: ${error.message}` : String(error);
      return this.end(call, 'failed', 'bridge', detail);
    }
    await this.connectMedia(call);
  }

  /** The SFU producer of the intercom's voice and the console leg; then `answered`. False if it failed (call ended). */
  async connectMedia(call: Call): Promise<boolean> {
    try {
      call.producerId = await call.media.connect(call.remote!, {
        deviceId: call.deviceId,
        name: `对讲 ${this.deps.credentials.get(call.deviceId)?.name ?? call.deviceId}`,
        room: call.room,
        ...(call.consoleProducerId ? { consoleProducerId: call.consoleProducerId } : {}),
      });
    } catch (error) {
      this.deps.logger.error({ err: error, callId: call.callId }, 'intercom call media failed');
      if (call.state !== 'ended') {
        if (call.direction === 'outbound') this.deps.sip.request(byeRequest(call.dialog));
        else this.deps.sip.reply(call.invite, 500, 'Server Internal Error');
        this.end(call, 'failed', 'bridge', `media: ${error instanceof Error ? error.message : String(error)}`.slice(0, 250));
      }
      return false;
    }
    if (call.state === 'ended') return false;
    call.state = 'answered';
    call.answeredAt = performance.now();
    this.publish(call);
    return true;
  }

  track(call: Call): void {
    this.calls.set(call.callId, call);
    this.bySipCallId.set(call.dialog.sipCallId, call);
    this.publish(call);
  }

  publish(call: Call, extra: { by?: EndedBy; detail?: string } = {}): void {
    this.deps.sink.publish(
      makeEvent('call.state', {
        callId: call.callId,
        deviceId: call.deviceId,
        direction: call.direction,
        state: call.state,
        room: call.room,
        ...(call.reason ? { reason: call.reason } : {}),
        ...(call.producerId ? { producerId: call.producerId } : {}),
        ...extra,
      }),
    );
  }

  /** Ends a call once: timers stop, `ended` goes out, its media (children, sockets, SFU legs) is released. */
  end(call: Call, reason: EndReason, by: EndedBy, detail?: string): void {
    if (call.state === 'ended') return;
    call.state = 'ended';
    call.reason = reason;
    clearTimeout(call.ringTimer);
    clearTimeout(call.okTimer);
    this.calls.delete(call.callId);
    this.bySipCallId.delete(call.dialog.sipCallId);
    this.ended.set(call.callId, call);
    if (this.ended.size > RECENT_ENDED) this.ended.delete(this.ended.keys().next().value!);
    this.publish(call, { by, ...(detail ? { detail: detail.slice(0, 256) } : {}) });
    this.deps.logger.info(
      { callId: call.callId, deviceId: call.deviceId, reason, by, detail, media: call.media.stats },
      'intercom call ended',
    );
    call.media.close().catch((error: unknown) => this.deps.logger.warn({ err: error, callId: call.callId }, 'call media close failed'));
  }

  find(callId: string): Call {
    const call = this.calls.get(callId) ?? this.ended.get(callId);
    if (!call) throw new ProtocolError(ErrorCode.NotFound, { callId }, { message: `no call ${callId}` });
    return call;
  }

  /** The console hangs up (or refuses a ringing inbound call). Ending an ended call is a no-op. */
  hangUp(callId: string, reason: EndReason = 'hangup', by: EndedBy = 'console'): CallInfo {
    const call = this.find(callId);
    const { sip } = this.deps;
    if (call.state === 'ringing' && call.direction === 'outbound') sip.request(cancelRequest(call.invite));
    else if (call.state === 'ringing') sip.reply(call.invite, 603, 'Decline');
    else if (call.state === 'answered') sip.request(byeRequest(call.dialog));
    const declined = call.state === 'ringing' && call.direction === 'inbound' && reason === 'hangup';
    this.end(call, declined ? 'declined' : reason, by);
    return callInfo(call);
  }

  list(): CallInfo[] {
    return [...this.calls.values()].map(callInfo);
  }

  /** A BYE from an intercom in one of our calls. */
  onBye(request: SipMessage): boolean {
    const call = this.bySipCallId.get(String(request.headers['call-id']));
    if (!call) return false;
    this.deps.sip.reply(request, 200, 'OK');
    this.end(call, 'hangup', 'device');
    return true;
  }

  /** Registration gone → ended (unregistered); answered without RTP for too long → BYE, ended (media_timeout). */
  private sweep(): void {
    const now = performance.now();
    const timeoutMs = this.deps.settings.mediaTimeoutS * 1000;
    for (const call of [...this.calls.values()]) {
      if (!this.deps.registry.registered(call.deviceId)?.online) {
        this.hangUp(call.callId, 'unregistered', 'device');
        continue;
      }
      if (call.state !== 'answered') continue;
      const last = Math.max(call.media.stats.lastIntercomRtpAt, call.answeredAt ?? now);
      if (now - last > timeoutMs) this.hangUp(call.callId, 'media_timeout', 'bridge');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    const active = [...this.calls.values()];
    for (const call of active) this.hangUp(call.callId, 'bridge_shutdown', 'bridge');
    await Promise.all(active.map((call) => call.media.close()));
  }
}
