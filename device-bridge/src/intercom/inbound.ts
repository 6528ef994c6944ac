/**
 * Intercom → console calls. The intercom INVITEs the console number (or the bridge's id):
 * it must be a registered intercom calling from its registered address (403 otherwise),
 * with a G.711 offer (488 otherwise), and, with `inviteAuth`, answer our digest challenge with
 * its own credentials (401, then 403 when wrong). The bridge answers 180 Ringing and reports `ringing`;
 * the console's `answer` sets up the media and sends 200 OK (retransmitted until the ACK);
 * no answer within `ringTimeoutS` → 480 and `no_answer`; CANCEL → 487 and `cancelled`.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, ProtocolError, intercomRoomId, type CallInfo } from '@cc/protocol';
import { toTag, userOf, type SipMessage, type SipRemote } from '../sip/stack.js';
import { callInfo, type Call } from './call.js';
import { CallMedia } from './call-media.js';
import type { CallManager } from './call-manager.js';
import { SdpError, g711Answer, parseRemoteAudio, type RemoteAudio } from './g711-sdp.js';
import { InviteAuth } from './invite-auth.js';
import { contactOf } from './sip-dialog.js';

/** RFC 3261 T1 and Timer H: 200 OK retransmissions until the ACK. */
const T1_MS = 500;
const OK_GIVE_UP_MS = 32_000;

type Refusal = { status: number; reason: string; headers?: Record<string, string> };

export class InboundCalls {
  private readonly auth: InviteAuth;

  constructor(private readonly manager: CallManager) {
    this.auth = new InviteAuth(manager.deps.settings.sipDomain, manager.deps.credentials);
  }

  private get contact(): { contact: { uri: string; params: Record<string, string | null> }[] } {
    const { sip, settings } = this.manager.deps;
    return { contact: [{ uri: `sip:${settings.consoleNumber}@${sip.contactHost}:${sip.port}`, params: {} }] };
  }

  onInvite(request: SipMessage, remote: SipRemote): void {
    this.handle(request, remote).catch((error: unknown) => {
      this.manager.deps.logger.error({ err: error }, 'inbound intercom call failed');
      this.manager.deps.sip.reply(request, 500, 'Server Internal Error');
    });
  }

  /** Who may call and what: a refusal status, or the intercom and its audio. */
  private admit(request: SipMessage, remote: SipRemote): Refusal | { deviceId: string; audio: RemoteAudio } {
    const { registry, settings } = this.manager.deps;
    const deviceId = userOf(request.headers.from);
    const device = deviceId ? registry.registered(deviceId) : undefined;
    if (!deviceId || !device?.online || device.kind !== 'intercom' || device.address !== remote.address)
      return { status: 403, reason: 'Forbidden' };
    const dialled = userOf(request.headers.to);
    if (dialled !== settings.consoleNumber && dialled !== settings.sipId) return { status: 404, reason: 'Not Found' };
    if (settings.inviteAuth) {
      const auth = this.auth.check(request, deviceId);
      if (!auth.ok) return auth;
    }
    if (this.manager.activeCallOf(deviceId)) return { status: 486, reason: 'Busy Here' };
    try {
      return { deviceId, audio: parseRemoteAudio(request.content ?? '') };
    } catch (error) {
      if (error instanceof SdpError) return { status: 488, reason: 'Not Acceptable Here' };
      throw error;
    }
  }

  private async handle(request: SipMessage, remote: SipRemote): Promise<void> {
    const { sip, settings, logger } = this.manager.deps;
    const sipCallId = String(request.headers['call-id']);
    const existing = this.manager.bySipCallId.get(sipCallId);
    if (existing) {
      // A re-INVITE (session refresh) in an answered call: same media, same answer.
      if (existing.state === 'answered' && existing.answerSdp)
        return sip.reply(request, 200, 'OK', { headers: this.contact, content: existing.answerSdp });
      return sip.reply(request, 491, 'Request Pending');
    }
    const admitted = this.admit(request, remote);
    if ('status' in admitted) {
      if (admitted.status !== 401)
        logger.warn({ from: `${remote.address}:${remote.port}`, status: admitted.status }, 'inbound intercom call refused');
      return sip.reply(request, admitted.status, admitted.reason, admitted.headers ? { headers: admitted.headers } : undefined);
    }
    sip.reply(request, 100, 'Trying');
    const { deviceId, audio } = admitted;
    const media = await CallMedia.open({ ...this.manager.deps.media, logger: logger.child({ deviceId }) });
    const to = request.headers.to!;
    const call: Call = {
      callId: randomUUID(),
      deviceId,
      direction: 'inbound',
      state: 'ringing',
      room: intercomRoomId(deviceId),
      dialog: {
        sipCallId,
        local: { ...to, params: { ...to.params, tag: toTag(request) } },
        remote: request.headers.from!,
        target: contactOf(request) ?? request.headers.from!.uri,
        cseq: 0,
      },
      invite: request,
      media,
      remote: audio,
    };
    this.manager.track(call);
    sip.reply(request, 180, 'Ringing', { headers: this.contact });
    call.ringTimer = setTimeout(() => {
      sip.reply(request, 480, 'Temporarily Unavailable');
      this.manager.end(call, 'no_answer', 'bridge', `not answered within ${settings.ringTimeoutS} s`);
    }, settings.ringTimeoutS * 1000);
    logger.info({ callId: call.callId, deviceId }, 'intercom is calling the console');
  }

  /** The console picked up: media, then 200 OK with our answer. */
  async answer(callId: string, body: { consoleProducerId?: string; room?: string }): Promise<CallInfo> {
    const call = this.manager.find(callId);
    if (call.direction !== 'inbound' || call.state !== 'ringing')
      throw new ProtocolError(ErrorCode.Conflict, { callId, state: call.state }, { message: `call ${callId} is not ringing here` });
    clearTimeout(call.ringTimer);
    if (body.room) call.room = body.room;
    if (body.consoleProducerId) call.consoleProducerId = body.consoleProducerId;
    if (!(await this.manager.connectMedia(call)))
      throw new ProtocolError(ErrorCode.Unavailable, { callId, reason: call.reason }, { message: `call ${callId} ended while answering` });
    call.answerSdp = g711Answer({ host: call.media.host, port: call.media.port, sessionId: String(Date.now()) }, call.remote!);
    this.sendOk(call, T1_MS, 0);
    return callInfo(call);
  }

  private sendOk(call: Call, intervalMs: number, elapsedMs: number): void {
    if (call.state !== 'answered') return;
    this.manager.deps.sip.reply(call.invite, 200, 'OK', {
      headers: { ...this.contact, 'content-type': 'application/sdp' },
      content: call.answerSdp,
    });
    if (elapsedMs + intervalMs > OK_GIVE_UP_MS) return;
    call.okTimer = setTimeout(() => this.sendOk(call, Math.min(intervalMs * 2, 4000), elapsedMs + intervalMs), intervalMs);
  }

  onAck(request: SipMessage): void {
    const call = this.manager.bySipCallId.get(String(request.headers['call-id']));
    if (call) clearTimeout(call.okTimer);
  }

  onCancel(request: SipMessage): void {
    const { sip } = this.manager.deps;
    const call = this.manager.bySipCallId.get(String(request.headers['call-id']));
    if (!call || call.direction !== 'inbound' || call.state !== 'ringing')
      return sip.reply(request, 481, 'Call/Transaction Does Not Exist');
    sip.reply(request, 200, 'OK');
    sip.reply(call.invite, 487, 'Request Terminated');
    this.manager.end(call, 'cancelled', 'device');
  }
}
