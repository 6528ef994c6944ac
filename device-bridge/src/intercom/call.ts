/** One intercom call as the call manager keeps it, and the `call.state` events it reports. */
import type { BridgeEventOf, CallInfo } from '@cc/protocol';
import type { SipMessage } from '../sip/stack.js';
import type { CallMedia } from './call-media.js';
import type { RemoteAudio } from './g711-sdp.js';
import type { DialogState } from './sip-dialog.js';

type CallEvent = BridgeEventOf<'call.state'>;
export type EndReason = NonNullable<CallEvent['reason']>;
export type EndedBy = NonNullable<CallEvent['by']>;

export interface Call {
  callId: string;
  deviceId: string;
  direction: 'outbound' | 'inbound';
  state: 'ringing' | 'answered' | 'ended';
  room: string;
  consoleProducerId?: string;
  producerId?: string;
  reason?: EndReason;
  dialog: DialogState;
  /** Outbound: our INVITE (for CANCEL); inbound: theirs (for our answers). */
  invite: SipMessage;
  media: CallMedia;
  remote?: RemoteAudio;
  /** Inbound: our SDP answer, once sent (re-INVITEs get it again). */
  answerSdp?: string;
  /** performance.now() when answered. */
  answeredAt?: number;
  ringTimer?: NodeJS.Timeout;
  /** Inbound: retransmits our 200 OK until the ACK (RFC 3261 13.3.1.4). */
  okTimer?: NodeJS.Timeout;
}

export function callInfo(call: Call): CallInfo {
  return {
    callId: call.callId,
    state: call.state,
    deviceId: call.deviceId,
    direction: call.direction,
    room: call.room,
    ...(call.producerId ? { producerId: call.producerId } : {}),
    ...(call.reason ? { reason: call.reason } : {}),
  };
}

/** SIP final status of a refused or failed outbound INVITE → why the call ended. */
export function reasonForStatus(status: number): EndReason {
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 408 || status === 480 || status === 487) return 'no_answer';
  return 'failed';
}
